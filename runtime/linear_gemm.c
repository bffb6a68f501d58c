/* linear_gemm.c - dense matrix products: Gemm and MatMul kernels.
 *
 * One core per element type computes Y = A.B for A and B given by (row,
 * column) strides, so transposed operands need no copy (no malloc, no big
 * stack buffers: the runtime must run on small devices too). The core picks
 * a loop order by layout:
 *   - B rows contiguous (the common case): blocked i-k-j. A panel of B
 *     (KC x NC) is reused for all rows of A, four rows of Y are updated per
 *     row of B, and the innermost loop runs over contiguous j in fixed
 *     chunks of 8, which compilers vectorize even at -O2.
 *   - B transposed and A rows contiguous (Linear layers exported with
 *     transB=1): dot products along contiguous k, four columns of Y at a
 *     time, with 8 independent partial sums per dot so the loop vectorizes
 *     without reassociating a single sum.
 *   - anything else (transA and transB together): a plain triple loop.
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

#define KC 64  /* rows of a B panel (KC x NC floats: 128 KB, stays in L2) */
#define NC 512 /* columns of a B panel: 4 rows of Y (8 KB for f32) stay in L1 */
#define CHUNK 8

/* DEFINE_CORE(T, sfx) defines
 *   static void gemm_core_<sfx>(m, n, k, a, ars, acs, b, brs, bcs, y)
 * computing y[i*n + j] = sum_k a[i*ars + k*acs] * b[k*brs + j*bcs]. */
#define DEFINE_CORE(T, sfx)                                                                   \
  static void axpy4_##sfx(int64_t n, const T *restrict al, const T *restrict b,            \
                          T *restrict y0, T *restrict y1, T *restrict y2, T *restrict y3) { \
    const T a0 = al[0], a1 = al[1], a2 = al[2], a3 = al[3];                                 \
    int64_t j = 0;                                                                          \
    for (; j + CHUNK <= n; j += CHUNK) {                                                    \
      for (int l = 0; l < CHUNK; l++) {                                                     \
        const T bv = b[j + l];                                                              \
        y0[j + l] += a0 * bv;                                                               \
        y1[j + l] += a1 * bv;                                                               \
        y2[j + l] += a2 * bv;                                                               \
        y3[j + l] += a3 * bv;                                                               \
      }                                                                                     \
    }                                                                                       \
    for (; j < n; j++) {                                                                    \
      const T bv = b[j];                                                                    \
      y0[j] += a0 * bv;                                                                     \
      y1[j] += a1 * bv;                                                                     \
      y2[j] += a2 * bv;                                                                     \
      y3[j] += a3 * bv;                                                                     \
    }                                                                                       \
  }                                                                                         \
                                                                                            \
  static void axpy1_##sfx(int64_t n, T a0, const T *restrict b, T *restrict y0) {           \
    int64_t j = 0;                                                                          \
    for (; j + CHUNK <= n; j += CHUNK)                                                      \
      for (int l = 0; l < CHUNK; l++) y0[j + l] += a0 * b[j + l];                           \
    for (; j < n; j++) y0[j] += a0 * b[j];                                                  \
  }                                                                                         \
                                                                                            \
  /* B rows contiguous (bcs == 1). */                                                       \
  static void core_rows_##sfx(int64_t m, int64_t n, int64_t k, const T *a, int64_t ars,     \
                              int64_t acs, const T *b, int64_t brs, T *y) {                 \
    for (int64_t i = 0; i < m * n; i++) y[i] = 0;                                           \
    for (int64_t j0 = 0; j0 < n; j0 += NC) {                                                \
      const int64_t nc = n - j0 < NC ? n - j0 : NC;                                         \
      for (int64_t k0 = 0; k0 < k; k0 += KC) {                                              \
        const int64_t kend = k - k0 < KC ? k : k0 + KC;                                     \
        int64_t i = 0;                                                                      \
        for (; i + 4 <= m; i += 4) {                                                        \
          T *y0 = y + i * n + j0;                                                           \
          for (int64_t kk = k0; kk < kend; kk++) {                                          \
            const T *ap = a + i * ars + kk * acs;                                           \
            const T al[4] = {ap[0], ap[ars], ap[2 * ars], ap[3 * ars]};                     \
            axpy4_##sfx(nc, al, b + kk * brs + j0, y0, y0 + n, y0 + 2 * n, y0 + 3 * n);     \
          }                                                                                 \
        }                                                                                   \
        for (; i < m; i++)                                                                  \
          for (int64_t kk = k0; kk < kend; kk++)                                            \
            axpy1_##sfx(nc, a[i * ars + kk * acs], b + kk * brs + j0, y + i * n + j0);      \
      }                                                                                     \
    }                                                                                       \
  }                                                                                         \
                                                                                            \
  /* Dot of two contiguous vectors with CHUNK independent partial sums. */                 \
  static T dot_##sfx(int64_t k, const T *restrict x, const T *restrict w) {                 \
    T part[CHUNK] = {0};                                                                    \
    int64_t kk = 0;                                                                         \
    for (; kk + CHUNK <= k; kk += CHUNK)                                                    \
      for (int l = 0; l < CHUNK; l++) part[l] += x[kk + l] * w[kk + l];                     \
    T s = 0;                                                                                \
    for (int l = 0; l < CHUNK; l++) s += part[l];                                           \
    for (; kk < k; kk++) s += x[kk] * w[kk];                                                \
    return s;                                                                               \
  }                                                                                         \
                                                                                            \
  /* A rows and B columns contiguous (acs == 1, brs == 1). */                               \
  static void core_dots_##sfx(int64_t m, int64_t n, int64_t k, const T *a, int64_t ars,     \
                              const T *b, int64_t bcs, T *y) {                              \
    for (int64_t i = 0; i < m; i++) {                                                       \
      const T *x = a + i * ars;                                                             \
      int64_t j = 0;                                                                        \
      for (; j + 4 <= n; j += 4) {                                                          \
        const T *w0 = b + j * bcs, *w1 = w0 + bcs, *w2 = w1 + bcs, *w3 = w2 + bcs;          \
        T p0[CHUNK] = {0}, p1[CHUNK] = {0}, p2[CHUNK] = {0}, p3[CHUNK] = {0};               \
        int64_t kk = 0;                                                                     \
        for (; kk + CHUNK <= k; kk += CHUNK) {                                              \
          for (int l = 0; l < CHUNK; l++) {                                                 \
            const T xv = x[kk + l];                                                         \
            p0[l] += xv * w0[kk + l];                                                       \
            p1[l] += xv * w1[kk + l];                                                       \
            p2[l] += xv * w2[kk + l];                                                       \
            p3[l] += xv * w3[kk + l];                                                       \
          }                                                                                 \
        }                                                                                   \
        T s0 = 0, s1 = 0, s2 = 0, s3 = 0;                                                   \
        for (int l = 0; l < CHUNK; l++) {                                                   \
          s0 += p0[l];                                                                      \
          s1 += p1[l];                                                                      \
          s2 += p2[l];                                                                      \
          s3 += p3[l];                                                                      \
        }                                                                                   \
        for (; kk < k; kk++) {                                                              \
          s0 += x[kk] * w0[kk];                                                             \
          s1 += x[kk] * w1[kk];                                                             \
          s2 += x[kk] * w2[kk];                                                             \
          s3 += x[kk] * w3[kk];                                                             \
        }                                                                                   \
        y[i * n + j] = s0;                                                                  \
        y[i * n + j + 1] = s1;                                                              \
        y[i * n + j + 2] = s2;                                                              \
        y[i * n + j + 3] = s3;                                                              \
      }                                                                                     \
      for (; j < n; j++) y[i * n + j] = dot_##sfx(k, x, b + j * bcs);                       \
    }                                                                                       \
  }                                                                                         \
                                                                                            \
  static void gemm_core_##sfx(int64_t m, int64_t n, int64_t k, const T *a, int64_t ars,     \
                              int64_t acs, const T *b, int64_t brs, int64_t bcs, T *y) {    \
    if (bcs == 1) {                                                                         \
      core_rows_##sfx(m, n, k, a, ars, acs, b, brs, y);                                     \
    } else if (brs == 1 && acs == 1) {                                                      \
      core_dots_##sfx(m, n, k, a, ars, b, bcs, y);                                          \
    } else {                                                                                \
      for (int64_t i = 0; i < m; i++)                                                       \
        for (int64_t j = 0; j < n; j++) {                                                   \
          T s = 0;                                                                          \
          for (int64_t kk = 0; kk < k; kk++) s += a[i * ars + kk * acs] * b[kk * brs + j * bcs]; \
          y[i * n + j] = s;                                                                 \
        }                                                                                   \
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
