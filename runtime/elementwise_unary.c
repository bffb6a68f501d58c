/* elementwise_unary.c - Relu, LeakyRelu, Sigmoid, Tanh, Clip, Identity.
 *
 * Contiguous loops over n elements (SPCC_EW_LOOP, so gcc -O2 vectorizes
 * them). The comparisons are written so that a NaN input falls through to
 * "keep x": numpy's maximum/clip (the ONNX reference) propagate NaN, and
 * `x < 0 ? 0 : x` lets the compiler use a max instruction with the operand
 * order that does the same. Sigmoid uses e = exp(-|x|) in [0, 1], so nothing
 * overflows and small results keep full relative accuracy.
 */
#include <math.h>
#include <string.h>

#include "elementwise_loop.h"
#include "spcc/spcc_rt.h"

#define RELU_KERNEL(sfx, T)                                          \
  void spcc_relu_##sfx(int64_t n, const T *restrict x, T *restrict y) { \
    SPCC_EW_LOOP(n, i, y[i] = x[i] < 0 ? (T)0 : x[i]);               \
  }
RELU_KERNEL(f32, float)
RELU_KERNEL(f64, double)
RELU_KERNEL(i8, int8_t)
RELU_KERNEL(i16, int16_t)
RELU_KERNEL(i32, int32_t)
RELU_KERNEL(i64, int64_t)

void spcc_leaky_relu_f32(const spcc_leaky_relu_params *p, const float *restrict x,
                         float *restrict y) {
  const float alpha = p->alpha;
  SPCC_EW_LOOP(p->n, i, y[i] = x[i] < 0.0f ? alpha * x[i] : x[i]);
}

void spcc_leaky_relu_f64(const spcc_leaky_relu_params *p, const double *restrict x,
                         double *restrict y) {
  const double alpha = (double)p->alpha;
  SPCC_EW_LOOP(p->n, i, y[i] = x[i] < 0.0 ? alpha * x[i] : x[i]);
}

/* sigmoid(x) = 1 / (1 + e) for x >= 0 and e / (1 + e) for x < 0, where
 * e = exp(-|x|): both forms are the exact function, and each is used where
 * it has neither overflow nor cancellation. */
void spcc_sigmoid_f32(int64_t n, const float *restrict x, float *restrict y) {
  int64_t i;
  for (i = 0; i < n; i++) {
    const float v = x[i];
    const float e = expf(-fabsf(v));
    const float r = 1.0f / (1.0f + e);
    y[i] = v >= 0.0f ? r : e * r;
  }
}

void spcc_sigmoid_f64(int64_t n, const double *restrict x, double *restrict y) {
  int64_t i;
  for (i = 0; i < n; i++) {
    const double v = x[i];
    const double e = exp(-fabs(v));
    const double r = 1.0 / (1.0 + e);
    y[i] = v >= 0.0 ? r : e * r;
  }
}

void spcc_tanh_f32(int64_t n, const float *restrict x, float *restrict y) {
  int64_t i;
  for (i = 0; i < n; i++) y[i] = tanhf(x[i]);
}

void spcc_tanh_f64(int64_t n, const double *restrict x, double *restrict y) {
  int64_t i;
  for (i = 0; i < n; i++) y[i] = tanh(x[i]);
}

/* min(max(x, lo), hi) in that order, as numpy.clip: lo > hi gives hi. The
 * bound checks sit outside the loops so each loop is branch-free. */
#define CLIP_KERNEL(sfx, T)                                                        \
  void spcc_clip_##sfx(int64_t n, const T *restrict x, const T *lo, const T *hi,   \
                       T *restrict y) {                                            \
    if (lo && hi) {                                                                \
      const T l = *lo, h = *hi;                                                    \
      SPCC_EW_LOOP(n, i, const T t = x[i] < l ? l : x[i]; y[i] = t > h ? h : t);   \
    } else if (lo) {                                                               \
      const T l = *lo;                                                             \
      SPCC_EW_LOOP(n, i, y[i] = x[i] < l ? l : x[i]);                              \
    } else if (hi) {                                                               \
      const T h = *hi;                                                             \
      SPCC_EW_LOOP(n, i, y[i] = x[i] > h ? h : x[i]);                              \
    } else if (n > 0) {                                                            \
      memcpy(y, x, (size_t)n * sizeof(T));                                         \
    }                                                                              \
  }
CLIP_KERNEL(f32, float)
CLIP_KERNEL(f64, double)
CLIP_KERNEL(i8, int8_t)
CLIP_KERNEL(i16, int16_t)
CLIP_KERNEL(i32, int32_t)
CLIP_KERNEL(i64, int64_t)
CLIP_KERNEL(u8, uint8_t)
CLIP_KERNEL(u16, uint16_t)
CLIP_KERNEL(u32, uint32_t)
CLIP_KERNEL(u64, uint64_t)

/* memmove, not memcpy: harmless if a later memory plan ever makes an
 * identity run in place. */
void spcc_identity(int64_t n, size_t elem_size, const void *x, void *y) {
  if (n > 0 && x != y) memmove(y, x, (size_t)n * elem_size);
}
