/* rt/linear.h - dense linear algebra and normalization kernels: Gemm,
 * MatMul, Softmax, BatchNormalization (inference and training forms).
 *
 * Every parameter block holds only plain integers and floats so generated
 * code can define it `static const` with designated initializers, and the
 * compiler fills the very same struct to fold constants. Sizes and strides
 * are in elements. Inputs and outputs of one call never overlap.
 *
 * Integer MatMul wraps around (arithmetic is done in the unsigned type of
 * the same width), as two's-complement hardware does; it never relies on
 * undefined behaviour.
 */
#ifndef SPCC_RT_LINEAR_H
#define SPCC_RT_LINEAR_H
#include <stddef.h>
#include <stdint.h>

#ifndef SPCC_RT_MAX_RANK
#define SPCC_RT_MAX_RANK 8
#endif

/* ---- Gemm: Y[m,n] = alpha * op(A) op(B) + beta * C ----------------------
 * op(A) is m x k: A is stored [m,k], or [k,m] when trans_a. op(B) is k x n:
 * B is stored [k,n], or [n,k] when trans_b. C (may be NULL) is read as
 * c[i * c_row_stride + j * c_col_stride], a zero stride broadcasting that
 * axis (scalar C: both strides 0). */
typedef struct {
  int64_t m, n, k;
  int64_t trans_a, trans_b; /* 0 or 1 */
  float alpha, beta;
  int64_t c_row_stride, c_col_stride;
} spcc_gemm_params;

void spcc_gemm_f32(const spcc_gemm_params *p, const float *a, const float *b,
                   const float *c, float *y);
void spcc_gemm_f64(const spcc_gemm_params *p, const double *a, const double *b,
                   const double *c, double *y);

/* ---- MatMul: numpy matmul of A [..., m, k] and B [..., k, n] -------------
 * The batch loop runs over batch_dims (row-major, batch_rank of them; the
 * compiler merges contiguous ones, so often 0 or 1); a_batch_stride and
 * b_batch_stride give each operand's step per batch index (0 where that
 * operand is broadcast). Within a batch, A is row-major m x k, B row-major
 * k x n, Y row-major m x n, and consecutive batches of Y are m*n apart. */
typedef struct {
  int64_t m, n, k;
  int64_t batch_rank;
  int64_t batch_dims[SPCC_RT_MAX_RANK];
  int64_t a_batch_stride[SPCC_RT_MAX_RANK];
  int64_t b_batch_stride[SPCC_RT_MAX_RANK];
} spcc_matmul_params;

void spcc_matmul_f32(const spcc_matmul_params *p, const float *a, const float *b, float *y);
void spcc_matmul_f64(const spcc_matmul_params *p, const double *a, const double *b, double *y);
void spcc_matmul_i32(const spcc_matmul_params *p, const int32_t *a, const int32_t *b, int32_t *y);
void spcc_matmul_i64(const spcc_matmul_params *p, const int64_t *a, const int64_t *b, int64_t *y);
void spcc_matmul_u32(const spcc_matmul_params *p, const uint32_t *a, const uint32_t *b,
                     uint32_t *y);
void spcc_matmul_u64(const spcc_matmul_params *p, const uint64_t *a, const uint64_t *b,
                     uint64_t *y);

/* ---- Softmax over one axis -------------------------------------------------
 * The tensor is viewed as [outer, len, inner]; softmax runs along len for
 * each (outer, inner) pair, max-subtracted so large inputs do not overflow.
 * (Opset < 13 Softmax flattens to 2-D: inner = 1, len = the trailing size.) */
typedef struct {
  int64_t outer, len, inner;
} spcc_softmax_params;

void spcc_softmax_f32(const spcc_softmax_params *p, const float *x, float *y);
void spcc_softmax_f64(const spcc_softmax_params *p, const double *x, double *y);

/* ---- BatchNormalization, inference form ---------------------------------
 * x is viewed as [batch, channels, inner]; per channel c
 *   y = scale[c] * (x - mean[c]) / sqrt(var[c] + epsilon) + bias[c]. */
typedef struct {
  int64_t batch, channels, inner;
  double epsilon; /* the ONNX float attribute, widened exactly */
} spcc_batch_norm_params;

void spcc_batch_norm_f32(const spcc_batch_norm_params *p, const float *x, const float *scale,
                         const float *bias, const float *mean, const float *var, float *y);
void spcc_batch_norm_f64(const spcc_batch_norm_params *p, const double *x, const double *scale,
                         const double *bias, const double *mean, const double *var, double *y);

/* ---- BatchNormalization, training form (opset >= 14, training_mode=1) ---
 * x is viewed as [batch, channels, inner]; per channel c the kernel takes
 * the mean and the population variance (divided by batch * inner) of x
 * over batch and inner, then
 *   y = scale[c] * (x - mean) / sqrt(var + epsilon) + bias[c]
 *   run_mean[c] = in_mean[c] * momentum + mean * (1 - momentum)
 *   run_var[c]  = in_var[c]  * momentum + var  * (1 - momentum).
 * run_mean and run_var may be NULL (omitted outputs); they may not alias
 * in_mean / in_var. With batch * inner == 0 the statistics are NaN. */
typedef struct {
  int64_t batch, channels, inner;
  double epsilon;  /* the ONNX float attributes, widened exactly */
  double momentum;
} spcc_batch_norm_train_params;

void spcc_batch_norm_train_f32(const spcc_batch_norm_train_params *p, const float *x,
                               const float *scale, const float *bias, const float *in_mean,
                               const float *in_var, float *y, float *run_mean, float *run_var);
void spcc_batch_norm_train_f64(const spcc_batch_norm_train_params *p, const double *x,
                               const double *scale, const double *bias, const double *in_mean,
                               const double *in_var, double *y, double *run_mean,
                               double *run_var);

#endif
