/* quant.c - QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear.
 *
 * Quantizing divides by the scale in float (as the ONNX reference does),
 * rounds half to even with rintf (the default rounding mode), adds the zero
 * point and saturates; the conversion to the integer type happens only
 * after the clamp, so out-of-range and infinite values never reach an
 * undefined conversion. NaN maps to the zero point.
 */
#include <math.h>

#include "spcc/spcc_rt.h"

/* rint(v) + zp saturated to [lo, hi]. */
static int32_t q_sat(float v, int32_t zp, int32_t lo, int32_t hi) {
  if (v != v) v = 0;
  double r = (double)rintf(v) + (double)zp;
  if (r < (double)lo) return lo;
  if (r > (double)hi) return hi;
  return (int32_t)r;
}

#define Q_CAT_(a, b, c) a##_##b##_##c
#define Q_CAT(a, b, c) Q_CAT_(a, b, c)

/* QuantizeLinear for x type XT into y type YT with range [LO, HI]. */
#define Q_QUANTIZE(XS, XT, YS, YT, LO, HI)                                                  \
  void Q_CAT(spcc_quantize_linear, XS, YS)(const spcc_quant_params *p, const XT *x,         \
                                           const float *scale, const YT *zero_point,       \
                                           YT *y) {                                        \
    for (int64_t o = 0; o < p->outer; o++)                                                 \
      for (int64_t c = 0; c < p->channels; c++) {                                          \
        float s = scale[c];                                                                \
        int32_t zp = zero_point ? (int32_t)zero_point[c] : 0;                              \
        int64_t base = (o * p->channels + c) * p->inner;                                   \
        for (int64_t i = 0; i < p->inner; i++)                                             \
          y[base + i] = (YT)q_sat((float)x[base + i] / s, zp, LO, HI);                     \
      }                                                                                    \
  }

Q_QUANTIZE(f32, float, u8, uint8_t, 0, 255)
Q_QUANTIZE(f32, float, i8, int8_t, -128, 127)
Q_QUANTIZE(i32, int32_t, u8, uint8_t, 0, 255)
Q_QUANTIZE(i32, int32_t, i8, int8_t, -128, 127)

/* DequantizeLinear: the difference is taken in int64 (no overflow for
 * int32 inputs), then scaled in float. */
#define Q_DEQUANTIZE(XS, XT)                                                                \
  void spcc_dequantize_linear_##XS(const spcc_quant_params *p, const XT *x,                \
                                   const float *scale, const XT *zero_point, float *y) {   \
    for (int64_t o = 0; o < p->outer; o++)                                                 \
      for (int64_t c = 0; c < p->channels; c++) {                                          \
        float s = scale[c];                                                                \
        int64_t zp = zero_point ? (int64_t)zero_point[c] : 0;                              \
        int64_t base = (o * p->channels + c) * p->inner;                                   \
        for (int64_t i = 0; i < p->inner; i++)                                             \
          y[base + i] = (float)((int64_t)x[base + i] - zp) * s;                            \
      }                                                                                    \
  }

Q_DEQUANTIZE(u8, uint8_t)
Q_DEQUANTIZE(i8, int8_t)
Q_DEQUANTIZE(i32, int32_t)

void spcc_dynamic_quantize_linear_f32(int64_t numel, const float *x, uint8_t *y, float *y_scale,
                                      uint8_t *y_zero_point) {
  float lo = 0, hi = 0;
  for (int64_t i = 0; i < numel; i++) {
    if (x[i] < lo) lo = x[i];
    if (x[i] > hi) hi = x[i];
  }
  float scale = (hi - lo) / 255.0f;
  *y_scale = scale;
  if (!(scale > 0) || isinf(scale)) {
    *y_zero_point = 0;
    for (int64_t i = 0; i < numel; i++) y[i] = 0;
    return;
  }
  int32_t zp = q_sat((0.0f - lo) / scale, 0, 0, 255);
  *y_zero_point = (uint8_t)zp;
  for (int64_t i = 0; i < numel; i++) y[i] = (uint8_t)q_sat(x[i] / scale, zp, 0, 255);
}
