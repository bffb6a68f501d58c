/* gemm_micro.h - the register-blocked GEMM micro-kernel shared by the dense
 * MatMul/Gemm core (linear_gemm.c) and implicit-GEMM convolution (conv.c).
 * Internal to the runtime; not installed.
 *
 * Included once per element type with GM_T (element type), GM_SFX (name
 * suffix), GM_MR (rows of Y per tile) and GM_VEC (0 portable C, 1 AVX2+FMA,
 * 2 AVX-512, float only) defined. GM_NR (16 columns) and GM_KC (k rows per
 * block) are common to all types. One tile is acc[mr][GM_NR] held in
 * registers over a k loop of at most GM_KC steps:
 *
 *   y[r*yrs + j] = (first ? bias[r] or 0 : y[r*yrs + j])
 *                  + sum_t a[r*ars + t*acs] * brow(t)[j]      r < mr, j < nr
 *
 * where brow(t) is b + (boff[t] + bstep) when an offset table is given (conv:
 * one input row per (channel, tap), bstep then a shift common to all rows)
 * and b + t*bstep otherwise. B rows are always read
 * GM_NR wide, so callers pass a zero-padded packed panel when nr < GM_NR.
 * The kernel body is always inlined into a dispatcher with mr, ars and acs
 * constant, which keeps the accumulators in registers. Define
 * GM_NO_PACKED_A to leave out the packed-A tile (conv does not use it).
 */

#ifndef GM_NR
#define GM_NR 16
#define GM_KC 128
#define GM_CAT_(a, b) a##_##b
#define GM_CAT(a, b) GM_CAT_(a, b)
#if defined(__GNUC__)
#define GM_INLINE inline __attribute__((always_inline))
#else
#define GM_INLINE inline
#endif
#if (defined(__AVX2__) && defined(__FMA__)) || defined(__AVX512F__)
#include <immintrin.h>
#endif
#endif

#define GM_NAME(name) GM_CAT(name, GM_SFX)

static GM_INLINE void GM_NAME(gm_kern)(const int mr, const int64_t kc, const GM_T *a,
                                       const int64_t ars, const int64_t acs, const GM_T *b,
                                       const int64_t bstep, const int64_t *boff, GM_T *y,
                                       const int64_t yrs, const int nr, const int first,
                                       const GM_T *bias) {
#if GM_VEC == 2
  __m512 acc[GM_MR];
  const __mmask16 mask = (__mmask16)((1u << nr) - 1u);
  for (int r = 0; r < mr; r++) {
    if (first)
      acc[r] = bias ? _mm512_set1_ps(bias[r]) : _mm512_setzero_ps();
    else
      acc[r] = nr == GM_NR ? _mm512_loadu_ps(y + r * yrs) : _mm512_maskz_loadu_ps(mask, y + r * yrs);
  }
  for (int64_t t = 0; t < kc; t++) {
    const GM_T *bt = boff ? b + (boff[t] + bstep) : b + t * bstep;
    const __m512 bv = _mm512_loadu_ps(bt);
    const GM_T *at = a + t * acs;
    for (int r = 0; r < mr; r++) acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(at[r * ars]), bv, acc[r]);
  }
  for (int r = 0; r < mr; r++) {
    if (nr == GM_NR)
      _mm512_storeu_ps(y + r * yrs, acc[r]);
    else
      _mm512_mask_storeu_ps(y + r * yrs, mask, acc[r]);
  }
#elif GM_VEC == 1
  __m256 acc0[GM_MR], acc1[GM_MR];
  for (int r = 0; r < mr; r++) {
    if (first) {
      acc0[r] = acc1[r] = bias ? _mm256_set1_ps(bias[r]) : _mm256_setzero_ps();
    } else if (nr == GM_NR) {
      acc0[r] = _mm256_loadu_ps(y + r * yrs);
      acc1[r] = _mm256_loadu_ps(y + r * yrs + 8);
    } else {
      GM_T tmp[GM_NR] = {0};
      for (int j = 0; j < nr; j++) tmp[j] = y[r * yrs + j];
      acc0[r] = _mm256_loadu_ps(tmp);
      acc1[r] = _mm256_loadu_ps(tmp + 8);
    }
  }
  for (int64_t t = 0; t < kc; t++) {
    const GM_T *bt = boff ? b + (boff[t] + bstep) : b + t * bstep;
    const __m256 b0 = _mm256_loadu_ps(bt), b1 = _mm256_loadu_ps(bt + 8);
    const GM_T *at = a + t * acs;
    for (int r = 0; r < mr; r++) {
      const __m256 av = _mm256_broadcast_ss(at + r * ars);
      acc0[r] = _mm256_fmadd_ps(av, b0, acc0[r]);
      acc1[r] = _mm256_fmadd_ps(av, b1, acc1[r]);
    }
  }
  for (int r = 0; r < mr; r++) {
    if (nr == GM_NR) {
      _mm256_storeu_ps(y + r * yrs, acc0[r]);
      _mm256_storeu_ps(y + r * yrs + 8, acc1[r]);
    } else {
      GM_T tmp[GM_NR];
      _mm256_storeu_ps(tmp, acc0[r]);
      _mm256_storeu_ps(tmp + 8, acc1[r]);
      for (int j = 0; j < nr; j++) y[r * yrs + j] = tmp[j];
    }
  }
#else
  /* Two rows at a time: a local pair of rows is what gcc and clang keep in
   * vector registers at -O2 (a whole [GM_MR][GM_NR] array tends to stay in
   * memory), and each B row load still feeds two rows. */
  for (int r = 0; r < mr; r += 2) {
    const int two = r + 1 < mr;
    GM_T acc0[GM_NR], acc1[GM_NR];
    for (int j = 0; j < GM_NR; j++) {
      if (first) {
        acc0[j] = bias ? bias[r] : (GM_T)0;
        acc1[j] = bias && two ? bias[r + 1] : (GM_T)0;
      } else {
        acc0[j] = j < nr ? y[r * yrs + j] : (GM_T)0;
        acc1[j] = j < nr && two ? y[(r + 1) * yrs + j] : (GM_T)0;
      }
    }
    const GM_T *a0 = a + r * ars, *a1 = a + (two ? r + 1 : r) * ars;
    for (int64_t t = 0; t < kc; t++) {
      const GM_T *restrict bt = boff ? b + (boff[t] + bstep) : b + t * bstep;
      const GM_T av0 = a0[t * acs], av1 = a1[t * acs];
      for (int j = 0; j < GM_NR; j++) {
        acc0[j] += av0 * bt[j];
        acc1[j] += av1 * bt[j];
      }
    }
    for (int j = 0; j < nr; j++) y[r * yrs + j] = acc0[j];
    if (two)
      for (int j = 0; j < nr; j++) y[(r + 1) * yrs + j] = acc1[j];
  }
#endif
}

#ifndef GM_NO_PACKED_A
/* Tile with A packed as ap[t * GM_MR + r] (MatMul with B rows contiguous). */
static void GM_NAME(gm_tile_packed)(int mr, int64_t kc, const GM_T *ap, const GM_T *b,
                                    int64_t bstep, const int64_t *boff, GM_T *y, int64_t yrs,
                                    int nr, int first, const GM_T *bias) {
#define GM_CASE(R)                                                                            \
  case R:                                                                                     \
    if (boff)                                                                                 \
      GM_NAME(gm_kern)(R, kc, ap, 1, GM_MR, b, bstep, boff, y, yrs, nr, first, bias);         \
    else                                                                                      \
      GM_NAME(gm_kern)(R, kc, ap, 1, GM_MR, b, bstep, NULL, y, yrs, nr, first, bias);         \
    break;
  switch (mr) {
    GM_CASE(1)
    GM_CASE(2)
    GM_CASE(3)
    GM_CASE(4)
#if GM_MR >= 6
    GM_CASE(5)
    GM_CASE(6)
#endif
#if GM_MR >= 8
    GM_CASE(7)
    GM_CASE(8)
#endif
#if GM_MR >= 12
    GM_CASE(9)
    GM_CASE(10)
    GM_CASE(11)
    GM_CASE(12)
#endif
  default: break;
  }
#undef GM_CASE
}

#endif

/* Tile with A read in place (a[r * ars + t * acs]); B as in gm_kern. The
 * offset table is supported for row-major A only (conv weights). */
static void GM_NAME(gm_tile_direct)(int mr, int64_t kc, const GM_T *a, int64_t ars, int64_t acs,
                                    const GM_T *b, int64_t bstep, const int64_t *boff, GM_T *y,
                                    int64_t yrs, int nr, int first, const GM_T *bias) {
#define GM_CASE(R)                                                                            \
  case R:                                                                                     \
    if (boff)                                                                                 \
      GM_NAME(gm_kern)(R, kc, a, ars, 1, b, bstep, boff, y, yrs, nr, first, bias);            \
    else if (acs == 1)                                                                        \
      GM_NAME(gm_kern)(R, kc, a, ars, 1, b, bstep, NULL, y, yrs, nr, first, bias);            \
    else                                                                                      \
      GM_NAME(gm_kern)(R, kc, a, ars, acs, b, bstep, NULL, y, yrs, nr, first, bias);          \
    break;
  switch (mr) {
    GM_CASE(1)
    GM_CASE(2)
    GM_CASE(3)
    GM_CASE(4)
#if GM_MR >= 6
    GM_CASE(5)
    GM_CASE(6)
#endif
#if GM_MR >= 8
    GM_CASE(7)
    GM_CASE(8)
#endif
#if GM_MR >= 12
    GM_CASE(9)
    GM_CASE(10)
    GM_CASE(11)
    GM_CASE(12)
#endif
  default: break;
  }
#undef GM_CASE
}

#ifndef GM_NO_PACKED_A
/* Packs rows [0, mr) x k-range [0, kc) of A (a[r * ars + t * acs]) as
 * ap[t * GM_MR + r]. */
static void GM_NAME(gm_pack_a)(int mr, int64_t kc, const GM_T *a, int64_t ars, int64_t acs,
                               GM_T *ap) {
  for (int r = 0; r < mr; r++) {
    const GM_T *ar = a + r * ars;
    for (int64_t t = 0; t < kc; t++) ap[t * GM_MR + r] = ar[t * acs];
  }
}

#endif

#undef GM_NAME
