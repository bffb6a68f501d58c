/* rt/sparse.h - kernels whose weight is sparse: Gemm/MatMul and Conv with
 * the weight packed as CSR, BSR or N:M (runtime/sparse_*.c).
 *
 * A sparse weight is a logical matrix of `rows` output channels by `cols`
 * reduction elements (the weight view of ir/sparse.h), whatever the tensor
 * layout was: MatMul W[K,N] and Gemm B become rows = N, cols = K; Conv
 * W[Co, Ci/g, k...] becomes rows = Co, cols = Ci/g * prod(k) in row-major
 * order. The packed arrays are exactly those ir/sparse.h specifies; the
 * generated code defines them and the descriptors below `static const`, so
 * every index and bound is a constant of the program.
 *
 * Exactly one of col8 / col16 / col32 is set (the stored index width); the
 * others are NULL. A weight with no stored value (all zero) may have NULL
 * for every array but rowptr. Results equal the dense kernels on the unpacked weights up to
 * the order of the additions (the zeros are never multiplied, so an
 * infinite or NaN input next to a zero weight does not propagate).
 */
#ifndef SPCC_RT_SPARSE_H
#define SPCC_RT_SPARSE_H
#include <stddef.h>
#include <stdint.h>

#include "conv.h"

/* CSR: row r holds val[rowptr[r] .. rowptr[r+1]) at columns col[same],
 * ascending. */
typedef struct {
  int64_t rows, cols;
  const int32_t *rowptr;  /* rows + 1 */
  const uint8_t *col8;
  const uint16_t *col16;
  const uint32_t *col32;
  const float *val;       /* nnz */
} spcc_csr_f32;

/* BSR: blocks of block_r output rows x block_c reduction columns. Block row
 * br (rows br*block_r ..) holds blocks rowptr[br] .. rowptr[br+1]); block q
 * sits at block column col[q] and stores block_r x block_c values
 * row-major at val + q * block_r * block_c (zero-padded past the edges). */
typedef struct {
  int64_t rows, cols;
  int64_t block_r, block_c;
  const int32_t *rowptr;  /* ceil(rows / block_r) + 1 */
  const uint8_t *col8;
  const uint16_t *col16;
  const uint32_t *col32;
  const float *val;       /* nblocks * block_r * block_c */
} spcc_bsr_f32;

/* N:M: every row is split into ceil(cols / m) groups of m columns, each
 * keeping n values (val, in ascending position order; zero-filled when the
 * group had fewer nonzeros). idx is a little-endian bit stream holding each
 * kept value's position in its group in index_bits bits; every row starts
 * on a byte boundary, and one padding byte ends the stream. */
typedef struct {
  int64_t rows, cols;
  int64_t n, m;           /* 1 <= n < m <= 16 */
  int64_t index_bits;     /* ceil(log2 m), at least 1 */
  const uint8_t *idx;
  const float *val;       /* rows * ceil(cols / m) * n */
} spcc_nm_f32;

/* ---- Gemm / MatMul: Y[m, rows] = alpha * op(A) W^T + beta * C ------------
 * op(A) is m x cols: A stored [m, cols], or [cols, m] when trans_a. C may be
 * NULL; it is read as c[i * c_row_stride + j * c_col_stride] exactly as
 * spcc_gemm_f32 reads it. MatMul X[..., M, K] @ W[K, N] is the case
 * m = prod(...) * M, trans_a = 0, alpha = 1, C = NULL. */
typedef struct {
  int64_t m;
  int64_t trans_a; /* 0 or 1 */
  float alpha, beta;
  int64_t c_row_stride, c_col_stride;
} spcc_sparse_gemm_params;

void spcc_gemm_csr_f32(const spcc_sparse_gemm_params *p, const float *a, const spcc_csr_f32 *w,
                       const float *c, float *y);
void spcc_gemm_bsr_f32(const spcc_sparse_gemm_params *p, const float *a, const spcc_bsr_f32 *w,
                       const float *c, float *y);
void spcc_gemm_nm_f32(const spcc_sparse_gemm_params *p, const float *a, const spcc_nm_f32 *w,
                      const float *c, float *y);

/* ---- Conv: the geometry of spcc_conv_f32, the weight sparse ---------------
 * w->rows = out_channels, w->cols = in_channels / group * prod(kernel).
 * b may be NULL (no bias). */
void spcc_conv_csr_f32(const spcc_conv_params *p, const float *x, const spcc_csr_f32 *w,
                       const float *b, float *y);
void spcc_conv_bsr_f32(const spcc_conv_params *p, const float *x, const spcc_bsr_f32 *w,
                       const float *b, float *y);
void spcc_conv_nm_f32(const spcc_conv_params *p, const float *x, const spcc_nm_f32 *w,
                      const float *b, float *y);

#endif
