/* unary_act.c - the unary kernels that take parameters or change the
 * element type: Elu, Selu, Celu, HardSigmoid, ThresholdedRelu, Shrink
 * (spcc_act_params), IsInf, IsNaN, Not and PRelu.
 *
 * The activations compute in the element type with the float attributes
 * converted once; exp(x) - 1 uses expm1 so small negative inputs keep their
 * relative accuracy. PRelu walks the collapsed layout of spcc_prelu_params:
 * x and y are contiguous, only the slope is strided, and the innermost
 * dimension runs one of two plain loops (slope contiguous or a repeated
 * scalar).
 */
#include <math.h>

#include "elementwise_loop.h"
#include "spcc/spcc_rt.h"

#define ACT_KERNEL(op, sfx, T, SETUP, EXPR)                                              \
  void spcc_##op##_##sfx(const spcc_act_params *p, const T *restrict x, T *restrict y) { \
    const T alpha = (T)p->alpha, beta = (T)p->beta;                                      \
    SETUP;                                                                               \
    (void)alpha;                                                                         \
    (void)beta;                                                                          \
    SPCC_EW_LOOP(p->n, i, const T v = x[i]; y[i] = (EXPR));                              \
  }

#define ACT_KERNELS(sfx, T, EXPM1, EXP, ZERO, ONE)                                            \
  ACT_KERNEL(elu, sfx, T, (void)0, v < ZERO ? alpha * EXPM1(v) : v)                           \
  ACT_KERNEL(selu, sfx, T, (void)0, v <= ZERO ? beta * (alpha * EXPM1(v)) : beta * v)         \
  ACT_KERNEL(celu, sfx, T, const T inv = ONE / alpha,                                         \
             v > ZERO ? v : alpha * EXPM1(v * inv))                                           \
  ACT_KERNEL(hard_sigmoid, sfx, T, (void)0, hard_sigmoid_##sfx(alpha * v + beta))             \
  ACT_KERNEL(thresholded_relu, sfx, T, (void)0, v > alpha ? v : ZERO)                         \
  ACT_KERNEL(shrink, sfx, T, (void)0, v < -alpha ? v + beta : v > alpha ? v - beta : ZERO)

/* Clamp to [0, 1]; NaN stays NaN like numpy's minimum/maximum. */
static float hard_sigmoid_f32(float t) { return t < 0.0f ? 0.0f : t > 1.0f ? 1.0f : t; }
static double hard_sigmoid_f64(double t) { return t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t; }

ACT_KERNELS(f32, float, expm1f, expf, 0.0f, 1.0f)
ACT_KERNELS(f64, double, expm1, exp, 0.0, 1.0)

#define IS_KERNELS(sfx, T)                                                                  \
  void spcc_is_inf_##sfx(const spcc_is_inf_params *p, const T *restrict x,                  \
                         uint8_t *restrict y) {                                             \
    const int pos = p->detect_positive != 0, neg = p->detect_negative != 0;                 \
    SPCC_EW_LOOP(p->n, i, const T v = x[i];                                                 \
                 y[i] = (uint8_t)((pos && v > 0 && isinf(v)) || (neg && v < 0 && isinf(v)))); \
  }                                                                                         \
  void spcc_is_nan_##sfx(int64_t n, const T *restrict x, uint8_t *restrict y) {             \
    SPCC_EW_LOOP(n, i, y[i] = (uint8_t)(x[i] != x[i]));                                     \
  }
IS_KERNELS(f32, float)
IS_KERNELS(f64, double)

void spcc_not_bool(int64_t n, const uint8_t *restrict x, uint8_t *restrict y) {
  SPCC_EW_LOOP(n, i, y[i] = (uint8_t)(x[i] == 0));
}

#define PRELU_KERNEL(sfx, T)                                                                  \
  void spcc_prelu_##sfx(const spcc_prelu_params *p, const T *restrict x,                      \
                        const T *restrict slope, T *restrict y) {                             \
    const int r = (int)p->rank;                                                               \
    if (r == 0) {                                                                             \
      y[0] = x[0] < 0 ? slope[0] * x[0] : x[0];                                               \
      return;                                                                                 \
    }                                                                                         \
    const int64_t inner = p->dims[r - 1], sin_ = p->slope_strides[r - 1];                     \
    int64_t outer = 1, idx[SPCC_RT_MAX_RANK] = {0}, so = 0, k;                                \
    int d;                                                                                    \
    if (inner == 0) return;                                                                   \
    for (d = 0; d < r - 1; d++) outer *= p->dims[d];                                          \
    for (k = 0; k < outer; k++) {                                                             \
      const T *xr = x + k * inner, *sr = slope + so;                                          \
      T *yr = y + k * inner;                                                                  \
      if (sin_) {                                                                             \
        SPCC_EW_LOOP(inner, i, yr[i] = xr[i] < 0 ? sr[i] * xr[i] : xr[i]);                    \
      } else {                                                                                \
        const T s = sr[0];                                                                    \
        SPCC_EW_LOOP(inner, i, yr[i] = xr[i] < 0 ? s * xr[i] : xr[i]);                        \
      }                                                                                       \
      /* odometer over the outer dimensions, tracking the slope offset */                     \
      for (d = r - 2; d >= 0; d--) {                                                          \
        so += p->slope_strides[d];                                                            \
        if (++idx[d] < p->dims[d]) break;                                                     \
        so -= p->slope_strides[d] * p->dims[d];                                               \
        idx[d] = 0;                                                                           \
      }                                                                                       \
    }                                                                                         \
  }
PRELU_KERNEL(f32, float)
PRELU_KERNEL(f64, double)
