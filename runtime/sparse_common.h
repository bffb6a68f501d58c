/* sparse_common.h - small helpers shared by the sparse kernels
 * (runtime/sparse_gemm*.c, runtime/sparse_conv.c). Internal to the runtime;
 * not installed.
 */
#ifndef SPCC_RUNTIME_SPARSE_COMMON_H
#define SPCC_RUNTIME_SPARSE_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "spcc/spcc_rt.h"

#define SP_CAT_(a, b) a##_##b
#define SP_CAT(a, b) SP_CAT_(a, b)
/* Helpers taking the tile height or block shape as an argument are forced
 * inline so every call with literal arguments becomes its own fully
 * unrolled loop nest: specialization without writing each variant out. */
#if defined(__GNUC__)
#define SP_INLINE inline __attribute__((always_inline))
#else
#define SP_INLINE inline
#endif

/* Full unrolling of a loop whose trip count is a small literal after
 * inlining: at -O2 compilers only unroll what does not grow the code, and
 * the partial sums of an unrolled loop live in registers instead of a
 * stack array. */
#if defined(__clang__)
#define SP_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define SP_UNROLL _Pragma("GCC unroll 32")
#else
#define SP_UNROLL
#endif

/* Position number o (bit offset o) of an N:M row stream, `bits` wide. The
 * stream's padding byte makes the two-byte read safe at its very end. */
static inline unsigned sp_bits_at(const uint8_t *row, int64_t o, unsigned mask) {
  const uint8_t *q = row + (o >> 3);
  return (((unsigned)q[0] | (unsigned)q[1] << 8) >> (o & 7)) & mask;
}

/* Bytes of one row of an N:M index stream. */
static inline int64_t sp_nm_row_bytes(const spcc_nm_f32 *w) {
  const int64_t groups = (w->cols + w->m - 1) / w->m;
  return (groups * w->n * w->index_bits + 7) / 8;
}

/* Y = alpha * Y + beta * C, the epilogue of spcc_gemm_f32. */
static inline void sp_gemm_epilogue(const spcc_sparse_gemm_params *p, int64_t n, const float *c,
                          float *y) {
  const float alpha = p->alpha, beta = p->beta;
  for (int64_t i = 0; i < p->m; i++) {
    float *yr = y + i * n;
    if (c) {
      const float *cr = c + i * p->c_row_stride;
      const int64_t cs = p->c_col_stride;
      for (int64_t j = 0; j < n; j++) yr[j] = alpha * yr[j] + beta * cr[j * cs];
    } else if (alpha != 1) {
      for (int64_t j = 0; j < n; j++) yr[j] = alpha * yr[j];
    }
  }
}

#endif
