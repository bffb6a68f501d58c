/* rt/quant.h - linear quantization kernels (runtime/quant*.c):
 * QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger,
 * QLinearMatMul, ConvInteger and QLinearConv.
 *
 * Scales and zero points are tensors (runtime pointers): ONNX models may
 * feed them as graph inputs. Their element counts are shapes, so the
 * parameter blocks hold them. A NULL zero point means 0.
 *
 * Quantizing rounds half to even (rint under the default rounding mode) and
 * saturates to the integer type's range; NaN quantizes to the zero point.
 * Integer accumulation is in int32, computed through uint32 so overflow
 * wraps instead of being undefined. Kernel names carry the element types:
 * spcc_<op>_<x type>_<w type> for the two-operand integer ops, whose
 * quantized output (QLinear*) has x's type.
 */
#ifndef SPCC_RT_QUANT_H
#define SPCC_RT_QUANT_H
#include <stddef.h>
#include <stdint.h>

#include "conv.h"

/* Per-tensor or per-axis layout of x: x is [outer, channels, inner];
 * scale and zero point have `channels` elements (1 = per tensor: then
 * outer = numel, inner = 1). */
typedef struct {
  int64_t outer;
  int64_t channels;
  int64_t inner;
} spcc_quant_params;

void spcc_quantize_linear_f32_u8(const spcc_quant_params *p, const float *x, const float *scale,
                                 const uint8_t *zero_point, uint8_t *y);
void spcc_quantize_linear_f32_i8(const spcc_quant_params *p, const float *x, const float *scale,
                                 const int8_t *zero_point, int8_t *y);
void spcc_quantize_linear_i32_u8(const spcc_quant_params *p, const int32_t *x,
                                 const float *scale, const uint8_t *zero_point, uint8_t *y);
void spcc_quantize_linear_i32_i8(const spcc_quant_params *p, const int32_t *x,
                                 const float *scale, const int8_t *zero_point, int8_t *y);

/* y = (x - zero_point) * scale. */
void spcc_dequantize_linear_u8(const spcc_quant_params *p, const uint8_t *x, const float *scale,
                               const uint8_t *zero_point, float *y);
void spcc_dequantize_linear_i8(const spcc_quant_params *p, const int8_t *x, const float *scale,
                               const int8_t *zero_point, float *y);
void spcc_dequantize_linear_i32(const spcc_quant_params *p, const int32_t *x,
                                const float *scale, const int32_t *zero_point, float *y);

/* DynamicQuantizeLinear over numel elements: range [min(0, min x),
 * max(0, max x)] mapped onto [0, 255]. An all-zero x gives scale 0, zero
 * point 0 and y 0. */
void spcc_dynamic_quantize_linear_f32(int64_t numel, const float *x, uint8_t *y, float *y_scale,
                                      uint8_t *y_zero_point);

/* MatMulInteger / QLinearMatMul: numpy matmul of A [..., m, k] and
 * B [..., k, n] with the batch dims broadcast. Batch b of the output
 * (row-major over out_batch[0..batch_rank)) reads A at sum of its batch
 * coordinates times a_batch_stride (0 along broadcast dims), B likewise.
 * Zero points: a_zp has a_zp_count elements (1, or m: one per row of A),
 * b_zp has b_zp_count (1, or n: one per column of B); scales of QLinear
 * have the same counts (a_scale 1, b_scale 1 or n). */
typedef struct {
  int64_t m, k, n;
  int64_t batch_rank;                       /* 0..SPCC_RT_MAX_RANK - 2 */
  int64_t out_batch[SPCC_RT_MAX_RANK];
  int64_t a_batch_stride[SPCC_RT_MAX_RANK]; /* elements */
  int64_t b_batch_stride[SPCC_RT_MAX_RANK];
  int64_t a_zp_count, b_zp_count;
  int64_t b_scale_count;
} spcc_qmatmul_params;

void spcc_matmul_integer_u8_u8(const spcc_qmatmul_params *p, const uint8_t *a, const uint8_t *b,
                               const uint8_t *a_zp, const uint8_t *b_zp, int32_t *y);
void spcc_matmul_integer_u8_i8(const spcc_qmatmul_params *p, const uint8_t *a, const int8_t *b,
                               const uint8_t *a_zp, const int8_t *b_zp, int32_t *y);
void spcc_matmul_integer_i8_u8(const spcc_qmatmul_params *p, const int8_t *a, const uint8_t *b,
                               const int8_t *a_zp, const uint8_t *b_zp, int32_t *y);
void spcc_matmul_integer_i8_i8(const spcc_qmatmul_params *p, const int8_t *a, const int8_t *b,
                               const int8_t *a_zp, const int8_t *b_zp, int32_t *y);

/* y = saturate(rint(acc * a_scale * b_scale / y_scale) + y_zp). */
void spcc_qlinear_matmul_u8_u8(const spcc_qmatmul_params *p, const uint8_t *a,
                               const float *a_scale, const uint8_t *a_zp, const uint8_t *b,
                               const float *b_scale, const uint8_t *b_zp, const float *y_scale,
                               const uint8_t *y_zp, uint8_t *y);
void spcc_qlinear_matmul_u8_i8(const spcc_qmatmul_params *p, const uint8_t *a,
                               const float *a_scale, const uint8_t *a_zp, const int8_t *b,
                               const float *b_scale, const int8_t *b_zp, const float *y_scale,
                               const uint8_t *y_zp, uint8_t *y);
void spcc_qlinear_matmul_i8_u8(const spcc_qmatmul_params *p, const int8_t *a,
                               const float *a_scale, const int8_t *a_zp, const uint8_t *b,
                               const float *b_scale, const uint8_t *b_zp, const float *y_scale,
                               const int8_t *y_zp, int8_t *y);
void spcc_qlinear_matmul_i8_i8(const spcc_qmatmul_params *p, const int8_t *a,
                               const float *a_scale, const int8_t *a_zp, const int8_t *b,
                               const float *b_scale, const int8_t *b_zp, const float *y_scale,
                               const int8_t *y_zp, int8_t *y);

/* ConvInteger / QLinearConv: the geometry of spcc_conv_params plus the
 * element counts of w's zero point and scale (1, or out_channels). */
typedef struct {
  spcc_conv_params conv;
  int64_t w_zp_count;
  int64_t w_scale_count;
} spcc_qconv_params;

void spcc_conv_integer_u8_u8(const spcc_qconv_params *p, const uint8_t *x, const uint8_t *w,
                             const uint8_t *x_zp, const uint8_t *w_zp, int32_t *y);
void spcc_conv_integer_u8_i8(const spcc_qconv_params *p, const uint8_t *x, const int8_t *w,
                             const uint8_t *x_zp, const int8_t *w_zp, int32_t *y);
void spcc_conv_integer_i8_u8(const spcc_qconv_params *p, const int8_t *x, const uint8_t *w,
                             const int8_t *x_zp, const uint8_t *w_zp, int32_t *y);
void spcc_conv_integer_i8_i8(const spcc_qconv_params *p, const int8_t *x, const int8_t *w,
                             const int8_t *x_zp, const int8_t *w_zp, int32_t *y);

/* y = saturate(rint((acc + b) * x_scale * w_scale / y_scale) + y_zp); b
 * (int32 [M]) may be NULL. */
void spcc_qlinear_conv_u8_u8(const spcc_qconv_params *p, const uint8_t *x, const float *x_scale,
                             const uint8_t *x_zp, const uint8_t *w, const float *w_scale,
                             const uint8_t *w_zp, const float *y_scale, const uint8_t *y_zp,
                             const int32_t *b, uint8_t *y);
void spcc_qlinear_conv_u8_i8(const spcc_qconv_params *p, const uint8_t *x, const float *x_scale,
                             const uint8_t *x_zp, const int8_t *w, const float *w_scale,
                             const int8_t *w_zp, const float *y_scale, const uint8_t *y_zp,
                             const int32_t *b, uint8_t *y);
void spcc_qlinear_conv_i8_u8(const spcc_qconv_params *p, const int8_t *x, const float *x_scale,
                             const int8_t *x_zp, const uint8_t *w, const float *w_scale,
                             const uint8_t *w_zp, const float *y_scale, const int8_t *y_zp,
                             const int32_t *b, int8_t *y);
void spcc_qlinear_conv_i8_i8(const spcc_qconv_params *p, const int8_t *x, const float *x_scale,
                             const int8_t *x_zp, const int8_t *w, const float *w_scale,
                             const int8_t *w_zp, const float *y_scale, const int8_t *y_zp,
                             const int32_t *b, int8_t *y);

#endif
