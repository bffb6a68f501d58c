/* sparse_panel.h - the "panel" scheme shared by the CSR and N:M kernels
 * when X has many rows (M >= 16). Internal to the runtime.
 *
 * With many rows of X, gathering x[i, col] row by row costs one scalar load
 * per multiply-add. Instead a panel - 16 rows of X by up to SP_PK reduction
 * columns - is transposed into a stack buffer (8 KB), so the 16 values of
 * one column are one contiguous vector: each stored weight then costs one
 * broadcast, one vector load and one vector multiply-add for 16 outputs.
 *
 * The 16 partial sums of weight row n live in Y itself while the panels
 * pass: the 16 x B region of Y these rows of X and a block of B weight rows
 * (B a multiple of 16) will finally hold is used as B vectors of 16, vector
 * j at row j % 16, columns 16 (j / 16) ... The last panel collects each
 * 16 finished vectors in a 1 KB square and writes it out transposed, which
 * leaves every sum at y[i, n]. So the sums need no scratch memory, and a partial tile never
 * arises: the last 16 rows of X (or of the weight) overlap the previous
 * tile and recompute identical values.
 *
 * SP_V16 is one vector of 16 floats: an AVX-512 register, two AVX2 ones,
 * or a plain array that compilers vectorize as their target allows.
 */
#ifndef SPCC_RUNTIME_SPARSE_PANEL_H
#define SPCC_RUNTIME_SPARSE_PANEL_H

#include <string.h>

#include "sparse_common.h"

#define SP_PR 16  /* rows of X per panel: the lanes of one vector */
#define SP_PK 128 /* reduction columns per panel: 16 x 128 floats, 8 KB */

#if defined(__GNUC__)
#define SP_ALIGN64 __attribute__((aligned(64)))
#else
#define SP_ALIGN64
#endif

#if defined(__AVX512F__)
#include <immintrin.h>
typedef __m512 sp_v16;
static SP_INLINE sp_v16 sp_v16_zero(void) { return _mm512_setzero_ps(); }
static SP_INLINE sp_v16 sp_v16_load(const float *p) { return _mm512_loadu_ps(p); }
static SP_INLINE void sp_v16_store(float *p, sp_v16 v) { _mm512_storeu_ps(p, v); }
static SP_INLINE sp_v16 sp_v16_add(sp_v16 a, sp_v16 b) { return _mm512_add_ps(a, b); }
/* acc + w * x[0..16) */
static SP_INLINE sp_v16 sp_v16_fma(sp_v16 acc, float w, const float *x) {
  return _mm512_fmadd_ps(_mm512_set1_ps(w), _mm512_loadu_ps(x), acc);
}
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
typedef struct {
  __m256 lo, hi;
} sp_v16;
static SP_INLINE sp_v16 sp_v16_zero(void) {
  sp_v16 v;
  v.lo = v.hi = _mm256_setzero_ps();
  return v;
}
static SP_INLINE sp_v16 sp_v16_load(const float *p) {
  sp_v16 v;
  v.lo = _mm256_loadu_ps(p);
  v.hi = _mm256_loadu_ps(p + 8);
  return v;
}
static SP_INLINE void sp_v16_store(float *p, sp_v16 v) {
  _mm256_storeu_ps(p, v.lo);
  _mm256_storeu_ps(p + 8, v.hi);
}
static SP_INLINE sp_v16 sp_v16_add(sp_v16 a, sp_v16 b) {
  a.lo = _mm256_add_ps(a.lo, b.lo);
  a.hi = _mm256_add_ps(a.hi, b.hi);
  return a;
}
static SP_INLINE sp_v16 sp_v16_fma(sp_v16 acc, float w, const float *x) {
  const __m256 wv = _mm256_set1_ps(w);
  acc.lo = _mm256_fmadd_ps(wv, _mm256_loadu_ps(x), acc.lo);
  acc.hi = _mm256_fmadd_ps(wv, _mm256_loadu_ps(x + 8), acc.hi);
  return acc;
}
#elif defined(__GNUC__)
/* Four vectors of the compiler's generic 4-float type: SSE, NEON, ... or
 * scalar code where the target has none. */
typedef float sp_f4 __attribute__((vector_size(16)));
typedef struct {
  sp_f4 q[4];
} sp_v16;
static SP_INLINE sp_v16 sp_v16_zero(void) {
  sp_v16 v;
  v.q[0] = v.q[1] = v.q[2] = v.q[3] = (sp_f4){0, 0, 0, 0};
  return v;
}
static SP_INLINE sp_v16 sp_v16_load(const float *p) {
  sp_v16 v;
  memcpy(&v, p, sizeof v);
  return v;
}
static SP_INLINE void sp_v16_store(float *p, sp_v16 v) { memcpy(p, &v, sizeof v); }
static SP_INLINE sp_v16 sp_v16_add(sp_v16 a, sp_v16 b) {
  SP_UNROLL
  for (int i = 0; i < 4; i++) a.q[i] += b.q[i];
  return a;
}
static SP_INLINE sp_v16 sp_v16_fma(sp_v16 acc, float w, const float *x) {
  sp_f4 xv[4];
  memcpy(xv, x, sizeof xv);
  SP_UNROLL
  for (int i = 0; i < 4; i++) acc.q[i] += w * xv[i];
  return acc;
}
#else
typedef struct {
  float v[16];
} sp_v16;
static SP_INLINE sp_v16 sp_v16_zero(void) {
  sp_v16 r;
  SP_UNROLL
  for (int l = 0; l < 16; l++) r.v[l] = 0;
  return r;
}
static SP_INLINE sp_v16 sp_v16_load(const float *p) {
  sp_v16 r;
  SP_UNROLL
  for (int l = 0; l < 16; l++) r.v[l] = p[l];
  return r;
}
static SP_INLINE void sp_v16_store(float *p, sp_v16 v) {
  SP_UNROLL
  for (int l = 0; l < 16; l++) p[l] = v.v[l];
}
static SP_INLINE sp_v16 sp_v16_add(sp_v16 a, sp_v16 b) {
  SP_UNROLL
  for (int l = 0; l < 16; l++) a.v[l] += b.v[l];
  return a;
}
static SP_INLINE sp_v16 sp_v16_fma(sp_v16 acc, float w, const float *x) {
  SP_UNROLL
  for (int l = 0; l < 16; l++) acc.v[l] += w * x[l];
  return acc;
}
#endif

/* xt[k * 16 + l] = x[l * xrs + k * xcs] for k < kc, and zero for
 * kc <= k < kpad (columns a last, partial N:M group names). */
static inline void sp_panel_load(const float *x, int64_t xrs, int64_t xcs, int64_t kc,
                                 int64_t kpad, float *restrict xt) {
  if (xcs == 1) {
    for (int l = 0; l < SP_PR; l++) {
      const float *xl = x + l * xrs;
      for (int64_t k = 0; k < kc; k++) xt[k * SP_PR + l] = xl[k];
    }
  } else if (xrs == 1) { /* A transposed: a column of the panel is contiguous */
    for (int64_t k = 0; k < kc; k++) sp_v16_store(xt + k * SP_PR, sp_v16_load(x + k * xcs));
  } else {
    for (int64_t k = 0; k < kc; k++)
      for (int l = 0; l < SP_PR; l++) xt[k * SP_PR + l] = x[l * xrs + k * xcs];
  }
  for (int64_t k = kc * SP_PR; k < kpad * SP_PR; k++) xt[k] = 0;
}

/* Address of the partial sums of vector j of a region (see the top). */
static inline float *sp_panel_slot(float *region, int64_t ldy, int64_t j) {
  return region + (j % SP_PR) * ldy + (j / SP_PR) * SP_PR;
}

/* dst[l * ldd + j] = sq[j * 16 + l] for j, l < 16: a finished square of
 * sums (16 weight rows x 16 rows of X) written out as 16 rows of Y. */
static inline void sp_square_out(const float *sq, float *dst, int64_t ldd) {
#if defined(__AVX512F__)
  __m512 r[16], t[16];
  for (int i = 0; i < 16; i++) r[i] = _mm512_loadu_ps(sq + 16 * i);
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
#define SP_PD(v) _mm512_castps_pd(v)
  for (int g = 0; g < 16; g += 4) { /* rows g..g+3: four columns per 128-bit lane */
    r[g] = _mm512_castpd_ps(_mm512_unpacklo_pd(SP_PD(t[g]), SP_PD(t[g + 2])));
    r[g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(SP_PD(t[g]), SP_PD(t[g + 2])));
    r[g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(SP_PD(t[g + 1]), SP_PD(t[g + 3])));
    r[g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(SP_PD(t[g + 1]), SP_PD(t[g + 3])));
  }
#undef SP_PD
  for (int c = 0; c < 4; c++) { /* r[4g + c] lane L: rows 4g.. at column 4L + c */
    const __m512 v0 = _mm512_shuffle_f32x4(r[c], r[4 + c], 0x88);
    const __m512 v1 = _mm512_shuffle_f32x4(r[c], r[4 + c], 0xdd);
    const __m512 v2 = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0x88);
    const __m512 v3 = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0xdd);
    _mm512_storeu_ps(dst + c * ldd, _mm512_shuffle_f32x4(v0, v2, 0x88));
    _mm512_storeu_ps(dst + (c + 8) * ldd, _mm512_shuffle_f32x4(v0, v2, 0xdd));
    _mm512_storeu_ps(dst + (c + 4) * ldd, _mm512_shuffle_f32x4(v1, v3, 0x88));
    _mm512_storeu_ps(dst + (c + 12) * ldd, _mm512_shuffle_f32x4(v1, v3, 0xdd));
  }
#elif defined(__AVX2__) && defined(__FMA__)
  for (int bi = 0; bi < 2; bi++)   /* 8 x 8 blocks: rows of sq */
    for (int bj = 0; bj < 2; bj++) { /* lanes of sq */
      __m256 r[8], t[8];
      for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(sq + (8 * bi + i) * 16 + 8 * bj);
      for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
      }
      for (int g = 0; g < 8; g += 4) {
        r[g] = _mm256_shuffle_ps(t[g], t[g + 2], 0x44);
        r[g + 1] = _mm256_shuffle_ps(t[g], t[g + 2], 0xEE);
        r[g + 2] = _mm256_shuffle_ps(t[g + 1], t[g + 3], 0x44);
        r[g + 3] = _mm256_shuffle_ps(t[g + 1], t[g + 3], 0xEE);
      }
      float *d = dst + 8 * bj * ldd + 8 * bi;
      for (int c = 0; c < 4; c++) {
        _mm256_storeu_ps(d + c * ldd, _mm256_permute2f128_ps(r[c], r[4 + c], 0x20));
        _mm256_storeu_ps(d + (c + 4) * ldd, _mm256_permute2f128_ps(r[c], r[4 + c], 0x31));
      }
    }
#else
  for (int l = 0; l < 16; l++)
    for (int j = 0; j < 16; j++) dst[l * ldd + j] = sq[j * 16 + l];
#endif
}

/* Runs body(i0, n0, nb) over tiles of 16 rows of X and blocks of nb weight
 * rows (a multiple of 16, at most `block`); the last tile and the last
 * block overlap their predecessors when M or N is not a multiple of 16.
 * Needs m >= 16 and rows >= 16. */
#define SP_PANEL_TILES(m, rows, block, ...)                                  \
  for (int64_t i0_ = 0; i0_ < (m); i0_ += SP_PR) {                            \
    const int64_t i0 = i0_ + SP_PR <= (m) ? i0_ : (m) - SP_PR;                \
    const int64_t full_ = (rows) / SP_PR * SP_PR;                             \
    for (int64_t n0 = 0; n0 < full_; n0 += (block)) {                         \
      const int64_t nb = full_ - n0 < (block) ? full_ - n0 : (block);         \
      __VA_ARGS__                                                             \
    }                                                                         \
    if (full_ < (rows)) {                                                     \
      const int64_t n0 = (rows) - SP_PR, nb = SP_PR;                          \
      __VA_ARGS__                                                             \
    }                                                                         \
  }

#endif
