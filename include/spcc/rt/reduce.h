/* rt/reduce.h - reductions (ReduceSum ... ReduceLogSumExp, ArgMax/ArgMin),
 * the softmax family beyond Softmax (LogSoftmax, Hardmax) and the
 * normalizations LayerNormalization, InstanceNormalization, LRN and
 * MeanVarianceNormalization.
 *
 * One general reduction kernel serves every Reduce* op: the compiler merges
 * neighbouring axes that are both kept or both reduced, then describes the
 * input as kept axes (walked in output order) and reduced axes, each with
 * its input stride in elements. The kernel computes one output element at a
 * time, so the common case (reducing trailing axes) reads contiguously.
 * Parameter blocks hold only plain integers and floats, so generated code
 * defines them `static const` and constant folding fills the same structs.
 *
 * Integer reductions wrap around (sums and products are computed in the
 * unsigned type of 64 bits and converted back), never relying on undefined
 * behaviour; integer ReduceMean divides the wrapped sum by the count with
 * C truncation. An empty reduction (a reduced axis of size 0) yields the
 * identity of the operation (0 for sums, 1 for products, the lowest /
 * highest value for max / min).
 */
#ifndef SPCC_RT_REDUCE_H
#define SPCC_RT_REDUCE_H
#include <stddef.h>
#include <stdint.h>

#ifndef SPCC_RT_MAX_RANK
#define SPCC_RT_MAX_RANK 8
#endif

/* Which reduction (spcc_reduce_params.op). */
#define SPCC_REDUCE_SUM 0
#define SPCC_REDUCE_MEAN 1
#define SPCC_REDUCE_MAX 2
#define SPCC_REDUCE_MIN 3
#define SPCC_REDUCE_PROD 4
#define SPCC_REDUCE_L1 5
#define SPCC_REDUCE_L2 6
#define SPCC_REDUCE_LOG_SUM 7
#define SPCC_REDUCE_LOG_SUM_EXP 8
#define SPCC_REDUCE_SUM_SQUARE 9

/* ---- general reduction ------------------------------------------------------
 * Output element number o (row-major over keep_dims) reduces the input
 * elements x[base(o) + sum_r j_r * red_strides[r]] for all j_r < red_dims[r],
 * where base(o) = sum_r i_r * keep_strides[r] for the multi-index i of o.
 * keep_rank may be 0 (one output), red_rank may be 0 (each output reduces
 * one element: ReduceSum's noop_with_empty_axes). */
typedef struct {
  int64_t op; /* SPCC_REDUCE_* */
  int64_t keep_rank;
  int64_t keep_dims[SPCC_RT_MAX_RANK];
  int64_t keep_strides[SPCC_RT_MAX_RANK];
  int64_t red_rank;
  int64_t red_dims[SPCC_RT_MAX_RANK];
  int64_t red_strides[SPCC_RT_MAX_RANK];
} spcc_reduce_params;

/* Floating point: every op. Integers: SUM, MEAN, MAX, MIN, PROD, L1 and
 * SUM_SQUARE (others leave y untouched). */
void spcc_reduce_f32(const spcc_reduce_params *p, const float *x, float *y);
void spcc_reduce_f64(const spcc_reduce_params *p, const double *x, double *y);
void spcc_reduce_i8(const spcc_reduce_params *p, const int8_t *x, int8_t *y);
void spcc_reduce_i16(const spcc_reduce_params *p, const int16_t *x, int16_t *y);
void spcc_reduce_i32(const spcc_reduce_params *p, const int32_t *x, int32_t *y);
void spcc_reduce_i64(const spcc_reduce_params *p, const int64_t *x, int64_t *y);
void spcc_reduce_u8(const spcc_reduce_params *p, const uint8_t *x, uint8_t *y);
void spcc_reduce_u16(const spcc_reduce_params *p, const uint16_t *x, uint16_t *y);
void spcc_reduce_u32(const spcc_reduce_params *p, const uint32_t *x, uint32_t *y);
void spcc_reduce_u64(const spcc_reduce_params *p, const uint64_t *x, uint64_t *y);

/* ---- ArgMax / ArgMin along one axis ------------------------------------------
 * The input is viewed as [outer, len, inner]; y[o * inner + i] is the index
 * along len of the largest (smallest) element, the first one on ties, or
 * the last one when select_last. NaN is treated as larger than everything
 * for ArgMax and smaller for ArgMin (the first NaN wins, as in numpy). */
typedef struct {
  int64_t outer, len, inner;
  int64_t is_min;      /* 0 = ArgMax, 1 = ArgMin */
  int64_t select_last; /* 0 or 1 */
} spcc_arg_reduce_params;

void spcc_arg_reduce_f32(const spcc_arg_reduce_params *p, const float *x, int64_t *y);
void spcc_arg_reduce_f64(const spcc_arg_reduce_params *p, const double *x, int64_t *y);
void spcc_arg_reduce_i8(const spcc_arg_reduce_params *p, const int8_t *x, int64_t *y);
void spcc_arg_reduce_i16(const spcc_arg_reduce_params *p, const int16_t *x, int64_t *y);
void spcc_arg_reduce_i32(const spcc_arg_reduce_params *p, const int32_t *x, int64_t *y);
void spcc_arg_reduce_i64(const spcc_arg_reduce_params *p, const int64_t *x, int64_t *y);
void spcc_arg_reduce_u8(const spcc_arg_reduce_params *p, const uint8_t *x, int64_t *y);
void spcc_arg_reduce_u16(const spcc_arg_reduce_params *p, const uint16_t *x, int64_t *y);
void spcc_arg_reduce_u32(const spcc_arg_reduce_params *p, const uint32_t *x, int64_t *y);
void spcc_arg_reduce_u64(const spcc_arg_reduce_params *p, const uint64_t *x, int64_t *y);

/* ---- LogSoftmax and Hardmax along one axis -------------------------------------
 * The tensor is viewed as [outer, len, inner] (opset < 13: inner = 1 and
 * len = the flattened trailing size). LogSoftmax subtracts the maximum
 * first so large inputs do not overflow; Hardmax writes 1 at the first
 * maximum and 0 elsewhere. */
typedef struct {
  int64_t outer, len, inner;
} spcc_axis_params;

void spcc_log_softmax_f32(const spcc_axis_params *p, const float *x, float *y);
void spcc_log_softmax_f64(const spcc_axis_params *p, const double *x, double *y);
void spcc_hardmax_f32(const spcc_axis_params *p, const float *x, float *y);
void spcc_hardmax_f64(const spcc_axis_params *p, const double *x, double *y);

/* ---- LayerNormalization -------------------------------------------------------------
 * x is [outer, len] (len = the product of the normalized axes); each row is
 * normalized with its mean and 1/sqrt(var + epsilon), then multiplied by
 * scale and shifted by bias (bias may be NULL). scale and bias have len
 * elements, or 1 (scale_len / bias_len say which). mean and inv_std_dev
 * (each may be NULL) receive the per-row statistics, outer elements. */
typedef struct {
  int64_t outer, len;
  int64_t scale_len, bias_len;
  double epsilon;
} spcc_layer_norm_params;

void spcc_layer_norm_f32(const spcc_layer_norm_params *p, const float *x, const float *scale,
                         const float *bias, float *y, float *mean, float *inv_std_dev);
void spcc_layer_norm_f64(const spcc_layer_norm_params *p, const double *x, const double *scale,
                         const double *bias, double *y, double *mean, double *inv_std_dev);

/* ---- InstanceNormalization ------------------------------------------------------------
 * x is [batch, channels, inner]; each (batch, channel) slice of inner
 * elements is normalized, then y = scale[c] * xhat + bias[c]. */
typedef struct {
  int64_t batch, channels, inner;
  double epsilon;
} spcc_instance_norm_params;

void spcc_instance_norm_f32(const spcc_instance_norm_params *p, const float *x,
                            const float *scale, const float *bias, float *y);
void spcc_instance_norm_f64(const spcc_instance_norm_params *p, const double *x,
                            const double *scale, const double *bias, double *y);

/* ---- LRN across channels --------------------------------------------------------------
 * x is [batch, channels, inner]; y = x / (bias + alpha / size * S)^beta
 * where S sums x^2 over channels c - lo .. c + hi (clipped to the tensor),
 * lo = floor((size - 1) / 2), hi = ceil((size - 1) / 2). */
typedef struct {
  int64_t batch, channels, inner;
  int64_t size;
  double alpha, beta, bias;
} spcc_lrn_params;

void spcc_lrn_f32(const spcc_lrn_params *p, const float *x, float *y);
void spcc_lrn_f64(const spcc_lrn_params *p, const double *x, double *y);

/* ---- MeanVarianceNormalization ----------------------------------------------------------
 * With the kept / reduced description of spcc_reduce_params (op unused):
 * y = (x - mean) / (sqrt(variance) + 1e-9), statistics over the reduced
 * axes (the epsilon is the one in the ONNX function body). */
void spcc_mvn_f32(const spcc_reduce_params *p, const float *x, float *y);
void spcc_mvn_f64(const spcc_reduce_params *p, const double *x, double *y);

#endif
