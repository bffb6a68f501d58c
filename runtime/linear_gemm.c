/* linear_gemm.c - dense matrix products: Gemm and MatMul kernels.
 *
 * One core per element type computes Y = A.B for A and B given by (row,
 * column) strides, so transposed operands need no copy (no malloc; stack use
 * is a few small panels, never proportional to the problem). All float paths
 * end in the register-blocked micro-kernel of gemm_micro.h (GM_MR x 16 tiles,
 * AVX-512 / AVX2+FMA behind #if, portable C otherwise):
 *   - B rows contiguous and few rows of A: A is packed GM_MR x GM_KC per row
 *     block and swept across B read in place (no B packing to amortize).
 *   - A with few rows against transposed B (Linear layers at batch 1): dot
 *     products along contiguous k, four columns at a time.
 *   - everything else (many rows; any transposition): a GM_KC x 16 panel of
 *     B is packed once on the stack and swept by every row block of A, read
 *     in place. Packed panels beat strided B rows (TLB, streams).
 * Gemm's alpha/beta/C are applied in one pass over Y afterwards.
 *
 * Integer MatMul works in the unsigned type of the same width (wraparound,
 * no undefined behaviour). Y is accessed through the unsigned type, which C
 * allows for the signed type's objects, and exact-width signed types are
 * two's complement, so the stored bits are the wrapped result.
 */
#include <stddef.h>
#include <stdint.h>

#include "spcc/spcc_rt.h"

#include "gemm_micro_f32.h"
enum { MR_f32 = GM_MR };
#undef GM_T
#undef GM_SFX
#undef GM_MR
#undef GM_VEC

#define GM_T double
#define GM_SFX f64
#define GM_MR 4
#define GM_VEC 0
#include "gemm_micro.h"
enum { MR_f64 = GM_MR };
#undef GM_T
#undef GM_SFX
#undef GM_MR
#undef GM_VEC

#define MIN64(a, b) ((a) < (b) ? (a) : (b))

/* Four dot products of x with rows w, w + ws, w + 2ws, w + 3ws (length k). */
#if defined(__AVX512F__)
static void dot4_f32(int64_t k, const float *x, const float *w, int64_t ws, float *y) {
  __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
  int64_t t = 0;
  for (; t + 16 <= k; t += 16) {
    const __m512 xv = _mm512_loadu_ps(x + t);
    s0 = _mm512_fmadd_ps(xv, _mm512_loadu_ps(w + t), s0);
    s1 = _mm512_fmadd_ps(xv, _mm512_loadu_ps(w + ws + t), s1);
    s2 = _mm512_fmadd_ps(xv, _mm512_loadu_ps(w + 2 * ws + t), s2);
    s3 = _mm512_fmadd_ps(xv, _mm512_loadu_ps(w + 3 * ws + t), s3);
  }
  if (t < k) {
    const __mmask16 mk = (__mmask16)((1u << (k - t)) - 1u);
    const __m512 xv = _mm512_maskz_loadu_ps(mk, x + t);
    s0 = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(mk, w + t), s0);
    s1 = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(mk, w + ws + t), s1);
    s2 = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(mk, w + 2 * ws + t), s2);
    s3 = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(mk, w + 3 * ws + t), s3);
  }
  y[0] = _mm512_reduce_add_ps(s0);
  y[1] = _mm512_reduce_add_ps(s1);
  y[2] = _mm512_reduce_add_ps(s2);
  y[3] = _mm512_reduce_add_ps(s3);
}
#define DOT4_GENERIC_F32 0
#else
#define DOT4_GENERIC_F32 1
#endif

/* Portable form: GM_NR partial sums per column in named arrays, so the
 * loop vectorizes without reassociating a single sum. */
#define DEFINE_DOT4(T, sfx)                                                                  \
  static void dot4_##sfx(int64_t k, const T *restrict x, const T *w, int64_t ws, T *y) {    \
    const T *restrict w0 = w, *restrict w1 = w + ws, *restrict w2 = w + 2 * ws,             \
                      *restrict w3 = w + 3 * ws;                                            \
    T p0[GM_NR] = {0}, p1[GM_NR] = {0}, p2[GM_NR] = {0}, p3[GM_NR] = {0};                   \
    int64_t t = 0;                                                                          \
    for (; t + GM_NR <= k; t += GM_NR)                                                      \
      for (int l = 0; l < GM_NR; l++) {                                                     \
        const T xv = x[t + l];                                                              \
        p0[l] += xv * w0[t + l];                                                            \
        p1[l] += xv * w1[t + l];                                                            \
        p2[l] += xv * w2[t + l];                                                            \
        p3[l] += xv * w3[t + l];                                                            \
      }                                                                                     \
    T s0 = 0, s1 = 0, s2 = 0, s3 = 0;                                                       \
    for (int l = 0; l < GM_NR; l++) {                                                       \
      s0 += p0[l];                                                                          \
      s1 += p1[l];                                                                          \
      s2 += p2[l];                                                                          \
      s3 += p3[l];                                                                          \
    }                                                                                       \
    for (; t < k; t++) {                                                                    \
      s0 += x[t] * w0[t];                                                                   \
      s1 += x[t] * w1[t];                                                                   \
      s2 += x[t] * w2[t];                                                                   \
      s3 += x[t] * w3[t];                                                                   \
    }                                                                                       \
    y[0] = s0;                                                                              \
    y[1] = s1;                                                                              \
    y[2] = s2;                                                                              \
    y[3] = s3;                                                                              \
  }

#if DOT4_GENERIC_F32
DEFINE_DOT4(float, f32)
#endif
DEFINE_DOT4(double, f64)

/* DEFINE_CORE(T, sfx) defines
 *   static void gemm_core_<sfx>(m, n, k, a, ars, acs, b, brs, bcs, y)
 * computing y[i*n + j] = sum_k a[i*ars + k*acs] * b[k*brs + j*bcs]. */
#define DEFINE_CORE(T, sfx)                                                                   \
  /* Packs k rows [0, kc) x columns [0, nr) of B as bp[t * GM_NR + j], zero-padded. */      \
  static void pack_b_##sfx(int64_t kc, int nr, const T *b, int64_t brs, int64_t bcs,        \
                           T *restrict bp) {                                                \
    if (bcs == 1 && nr == GM_NR) {                                                          \
      for (int64_t t = 0; t < kc; t++)                                                      \
        for (int j = 0; j < GM_NR; j++) bp[t * GM_NR + j] = b[t * brs + j];                 \
      return;                                                                               \
    }                                                                                       \
    for (int64_t t = 0; t < kc * GM_NR; t++) bp[t] = 0;                                     \
    for (int j = 0; j < nr; j++) {                                                          \
      const T *bj = b + j * bcs;                                                            \
      for (int64_t t = 0; t < kc; t++) bp[t * GM_NR + j] = bj[t * brs];                     \
    }                                                                                       \
  }                                                                                         \
                                                                                            \
  /* B rows contiguous: A packed per (row block, k block) and reused across all            \
   * columns; full B panels are read in place, the ragged last one packed. */              \
  static void core_rows_##sfx(int64_t m, int64_t n, int64_t k, const T *a, int64_t ars,     \
                              int64_t acs, const T *b, int64_t brs, T *y) {                 \
    T ap[MR_##sfx * GM_KC], bp[GM_KC * GM_NR];                                              \
    for (int64_t i0 = 0; i0 < m; i0 += MR_##sfx) {                                          \
      const int mr = (int)MIN64(MR_##sfx, m - i0);                                          \
      for (int64_t k0 = 0; k0 < k; k0 += GM_KC) {                                           \
        const int64_t kc = MIN64(GM_KC, k - k0);                                            \
        gm_pack_a_##sfx(mr, kc, a + i0 * ars + k0 * acs, ars, acs, ap);                     \
        for (int64_t j0 = 0; j0 < n; j0 += GM_NR) {                                         \
          const int nr = (int)MIN64(GM_NR, n - j0);                                         \
          T *yt = y + i0 * n + j0;                                                          \
          if (nr == GM_NR) {                                                                \
            gm_tile_packed_##sfx(mr, kc, ap, b + k0 * brs + j0, brs, NULL, yt, n, nr, k0 == 0, \
                                 NULL);                                                     \
          } else {                                                                          \
            pack_b_##sfx(kc, nr, b + k0 * brs + j0, brs, 1, bp);                            \
            gm_tile_packed_##sfx(mr, kc, ap, bp, GM_NR, NULL, yt, n, nr, k0 == 0, NULL);    \
          }                                                                                 \
        }                                                                                   \
      }                                                                                     \
    }                                                                                       \
  }                                                                                         \
                                                                                            \
  /* Any other layout (transposed B): a KC x NR panel of B is packed once and             \
   * swept by every row block of A, read in place. */                                      \
  static void core_panels_##sfx(int64_t m, int64_t n, int64_t k, const T *a, int64_t ars,   \
                                int64_t acs, const T *b, int64_t brs, int64_t bcs, T *y) {  \
    T bp[GM_KC * GM_NR];                                                                    \
    for (int64_t j0 = 0; j0 < n; j0 += GM_NR) {                                             \
      const int nr = (int)MIN64(GM_NR, n - j0);                                             \
      for (int64_t k0 = 0; k0 < k; k0 += GM_KC) {                                           \
        const int64_t kc = MIN64(GM_KC, k - k0);                                            \
        pack_b_##sfx(kc, nr, b + k0 * brs + j0 * bcs, brs, bcs, bp);                        \
        for (int64_t i0 = 0; i0 < m; i0 += MR_##sfx) {                                      \
          const int mr = (int)MIN64(MR_##sfx, m - i0);                                      \
          gm_tile_direct_##sfx(mr, kc, a + i0 * ars + k0 * acs, ars, acs, bp, GM_NR, NULL,  \
                               y + i0 * n + j0, n, nr, k0 == 0, NULL);                      \
        }                                                                                   \
      }                                                                                     \
    }                                                                                       \
  }                                                                                         \
                                                                                            \
  /* Few rows of A against transposed B (Linear layers at batch 1): dot products           \
   * along contiguous k, four columns at a time, GM_NR partial sums each so the loop       \
   * vectorizes without reassociating a single sum; B streams through once. */             \
  static void core_dots_##sfx(int64_t m, int64_t n, int64_t k, const T *a, int64_t ars,     \
                              const T *b, int64_t bcs, T *y) {                              \
    for (int64_t i = 0; i < m; i++) {                                                       \
      const T *restrict x = a + i * ars;                                                    \
      int64_t j = 0;                                                                        \
      for (; j + 4 <= n; j += 4) dot4_##sfx(k, x, b + j * bcs, bcs, y + i * n + j);        \
      for (; j < n; j++) {                                                                  \
        T s = 0;                                                                            \
        for (int64_t t = 0; t < k; t++) s += x[t] * b[j * bcs + t];                         \
        y[i * n + j] = s;                                                                   \
      }                                                                                     \
    }                                                                                       \
  }                                                                                         \
                                                                                            \
  static void gemm_core_##sfx(int64_t m, int64_t n, int64_t k, const T *a, int64_t ars,     \
                              int64_t acs, const T *b, int64_t brs, int64_t bcs, T *y) {    \
    if (m <= 0 || n <= 0) return;                                                           \
    if (k <= 0) {                                                                           \
      for (int64_t i = 0; i < m * n; i++) y[i] = 0;                                         \
    } else if (bcs == 1 && m < 4 * MR_##sfx) {                                              \
      core_rows_##sfx(m, n, k, a, ars, acs, b, brs, y);                                     \
    } else if (m < 4 && brs == 1 && acs == 1) {                                             \
      core_dots_##sfx(m, n, k, a, ars, b, bcs, y);                                          \
    } else {                                                                                \
      core_panels_##sfx(m, n, k, a, ars, acs, b, brs, bcs, y);                              \
    }                                                                                       \
  }

DEFINE_CORE(float, f32)
DEFINE_CORE(double, f64)

/* Gemm: the core, then Y = alpha*Y + beta*C in one pass. */
#define DEFINE_GEMM(T, sfx)                                                                  \
  void spcc_gemm_##sfx(const spcc_gemm_params *p, const T *a, const T *b, const T *c, T *y) { \
    const int64_t m = p->m, n = p->n, k = p->k;                                             \
    /* A stored [m,k] or [k,m]; B stored [k,n] or [n,k]. */                                 \
    const int64_t ars = p->trans_a ? 1 : k, acs = p->trans_a ? m : 1;                       \
    const int64_t brs = p->trans_b ? 1 : n, bcs = p->trans_b ? k : 1;                       \
    gemm_core_##sfx(m, n, k, a, ars, acs, b, brs, bcs, y);                                  \
    const T alpha = (T)p->alpha, beta = (T)p->beta;                                         \
    for (int64_t i = 0; i < m; i++) {                                                       \
      T *yr = y + i * n;                                                                    \
      if (c) {                                                                              \
        const T *cr = c + i * p->c_row_stride;                                              \
        const int64_t cs = p->c_col_stride;                                                 \
        for (int64_t j = 0; j < n; j++) yr[j] = alpha * yr[j] + beta * cr[j * cs];          \
      } else if (alpha != 1) {                                                              \
        for (int64_t j = 0; j < n; j++) yr[j] = alpha * yr[j];                              \
      }                                                                                     \
    }                                                                                       \
  }

DEFINE_GEMM(float, f32)
DEFINE_GEMM(double, f64)

/* Runs BODY once per MatMul batch, in row-major order of batch_dims, with
 * a_off / b_off (element offsets into A and B) and batch (the index, which
 * places Y) in scope; an odometer keeps the offsets without divisions. */
#define FOR_EACH_BATCH(p, BODY)                                                              \
  do {                                                                                      \
    int64_t idx_[SPCC_RT_MAX_RANK] = {0};                                                   \
    int64_t aoff_ = 0, boff_ = 0, nb_ = 1;                                                  \
    for (int64_t r_ = 0; r_ < (p)->batch_rank; r_++) nb_ *= (p)->batch_dims[r_];            \
    for (int64_t bi_ = 0; bi_ < nb_; bi_++) {                                               \
      const int64_t a_off = aoff_, b_off = boff_, batch = bi_;                              \
      BODY;                                                                                 \
      for (int64_t r_ = (p)->batch_rank - 1; r_ >= 0; r_--) {                               \
        aoff_ += (p)->a_batch_stride[r_];                                                   \
        boff_ += (p)->b_batch_stride[r_];                                                   \
        if (++idx_[r_] < (p)->batch_dims[r_]) break;                                        \
        aoff_ -= (p)->a_batch_stride[r_] * idx_[r_];                                        \
        boff_ -= (p)->b_batch_stride[r_] * idx_[r_];                                        \
        idx_[r_] = 0;                                                                       \
      }                                                                                     \
    }                                                                                       \
  } while (0)

#define DEFINE_MATMUL_FLOAT(T, sfx)                                                          \
  void spcc_matmul_##sfx(const spcc_matmul_params *p, const T *a, const T *b, T *y) {       \
    const int64_t m = p->m, n = p->n, k = p->k;                                             \
    FOR_EACH_BATCH(p, gemm_core_##sfx(m, n, k, a + a_off, k, 1, b + b_off, n, 1,            \
                                      y + batch * m * n));                                  \
  }

DEFINE_MATMUL_FLOAT(float, f32)
DEFINE_MATMUL_FLOAT(double, f64)

/* Integer MatMul: i-k-j with the sums kept in Y viewed as unsigned, products
 * formed in uint64_t and truncated (no promotion to signed int anywhere). */
#define DEFINE_MATMUL_INT(T, UT, sfx)                                                        \
  static void imm_##sfx(int64_t m, int64_t n, int64_t k, const T *a, const T *b, UT *y) {   \
    for (int64_t i = 0; i < m * n; i++) y[i] = 0;                                           \
    for (int64_t i = 0; i < m; i++) {                                                       \
      UT *restrict yr = y + i * n;                                                          \
      for (int64_t kk = 0; kk < k; kk++) {                                                  \
        const uint64_t av = (uint64_t)a[i * k + kk];                                        \
        const T *restrict br = b + kk * n;                                                  \
        for (int64_t j = 0; j < n; j++) yr[j] = (UT)((uint64_t)yr[j] + av * (uint64_t)br[j]); \
      }                                                                                     \
    }                                                                                       \
  }                                                                                         \
  void spcc_matmul_##sfx(const spcc_matmul_params *p, const T *a, const T *b, T *y) {       \
    const int64_t m = p->m, n = p->n, k = p->k;                                             \
    FOR_EACH_BATCH(p, imm_##sfx(m, n, k, a + a_off, b + b_off, (UT *)(y + batch * m * n))); \
  }

DEFINE_MATMUL_INT(int32_t, uint32_t, i32)
DEFINE_MATMUL_INT(int64_t, uint64_t, i64)
DEFINE_MATMUL_INT(uint32_t, uint32_t, u32)
DEFINE_MATMUL_INT(uint64_t, uint64_t, u64)
