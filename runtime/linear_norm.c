/* linear_norm.c - Softmax and BatchNormalization (inference and training)
 * kernels.
 *
 * Softmax subtracts the maximum along the axis before exponentiating, so
 * large inputs cannot overflow exp. When the axis is not the innermost one
 * (inner > 1) it works on chunks of SPCC_SOFTMAX_CHUNK inner positions at a
 * time with small stack arrays for the running max and sum, so every loop
 * runs over contiguous memory and no scratch buffer is needed.
 *
 * BatchNormalization folds 1/sqrt(var + eps) * scale into one factor per
 * channel but still subtracts the mean first, (x - mean) * f + bias, which
 * avoids the cancellation of x*f + (bias - mean*f) when x and mean are large.
 *
 * Training-form BatchNormalization takes each channel's statistics in two
 * passes over x, the mean first and then the mean of squared deviations
 * from it, both accumulated in double: the one-pass E[x^2] - E[x]^2 loses
 * every digit when the spread is small next to the mean, and two passes
 * need no scratch memory. The normalizing pass then runs in T like the
 * inference kernel.
 */
#include <math.h>
#include <stdint.h>

#include "spcc/spcc_rt.h"

#define SPCC_SOFTMAX_CHUNK 64

#define DEFINE_SOFTMAX(T, sfx, EXP)                                                          \
  static void softmax_row_##sfx(int64_t len, const T *restrict x, T *restrict y) {          \
    T mx = x[0];                                                                            \
    for (int64_t a = 1; a < len; a++) mx = x[a] > mx ? x[a] : mx;                           \
    T sum = 0;                                                                              \
    for (int64_t a = 0; a < len; a++) {                                                     \
      y[a] = EXP(x[a] - mx);                                                                \
      sum += y[a];                                                                          \
    }                                                                                       \
    for (int64_t a = 0; a < len; a++) y[a] = y[a] / sum;                                    \
  }                                                                                         \
                                                                                            \
  /* Softmax along a strided axis for nc (<= CHUNK) adjacent inner positions. */            \
  static void softmax_cols_##sfx(int64_t len, int64_t inner, int64_t nc,                    \
                                 const T *restrict x, T *restrict y) {                     \
    T mx[SPCC_SOFTMAX_CHUNK], sum[SPCC_SOFTMAX_CHUNK];                                      \
    for (int64_t j = 0; j < nc; j++) {                                                      \
      mx[j] = x[j];                                                                         \
      sum[j] = 0;                                                                           \
    }                                                                                       \
    for (int64_t a = 1; a < len; a++) {                                                     \
      const T *xr = x + a * inner;                                                          \
      for (int64_t j = 0; j < nc; j++) mx[j] = xr[j] > mx[j] ? xr[j] : mx[j];               \
    }                                                                                       \
    for (int64_t a = 0; a < len; a++) {                                                     \
      const T *xr = x + a * inner;                                                          \
      T *yr = y + a * inner;                                                                \
      for (int64_t j = 0; j < nc; j++) {                                                    \
        yr[j] = EXP(xr[j] - mx[j]);                                                         \
        sum[j] += yr[j];                                                                    \
      }                                                                                     \
    }                                                                                       \
    for (int64_t a = 0; a < len; a++) {                                                     \
      T *yr = y + a * inner;                                                                \
      for (int64_t j = 0; j < nc; j++) yr[j] = yr[j] / sum[j];                              \
    }                                                                                       \
  }                                                                                         \
                                                                                            \
  void spcc_softmax_##sfx(const spcc_softmax_params *p, const T *x, T *y) {                 \
    const int64_t len = p->len, inner = p->inner;                                           \
    if (len <= 0 || inner <= 0) return;                                                     \
    for (int64_t o = 0; o < p->outer; o++) {                                                \
      const T *xo = x + o * len * inner;                                                    \
      T *yo = y + o * len * inner;                                                          \
      if (inner == 1) {                                                                     \
        softmax_row_##sfx(len, xo, yo);                                                     \
        continue;                                                                           \
      }                                                                                     \
      for (int64_t j0 = 0; j0 < inner; j0 += SPCC_SOFTMAX_CHUNK) {                          \
        const int64_t nc = inner - j0 < SPCC_SOFTMAX_CHUNK ? inner - j0 : SPCC_SOFTMAX_CHUNK; \
        softmax_cols_##sfx(len, inner, nc, xo + j0, yo + j0);                               \
      }                                                                                     \
    }                                                                                       \
  }

DEFINE_SOFTMAX(float, f32, expf)
DEFINE_SOFTMAX(double, f64, exp)

#define DEFINE_BATCH_NORM(T, sfx, SQRT)                                                      \
  void spcc_batch_norm_##sfx(const spcc_batch_norm_params *p, const T *x, const T *scale,   \
                             const T *bias, const T *mean, const T *var, T *y) {            \
    const int64_t nc = p->channels, inner = p->inner;                                       \
    const T eps = (T)p->epsilon;                                                            \
    for (int64_t b = 0; b < p->batch; b++) {                                                \
      for (int64_t c = 0; c < nc; c++) {                                                    \
        const T f = scale[c] / SQRT(var[c] + eps), mu = mean[c], sh = bias[c];              \
        const T *restrict xr = x + (b * nc + c) * inner;                                    \
        T *restrict yr = y + (b * nc + c) * inner;                                          \
        for (int64_t i = 0; i < inner; i++) yr[i] = (xr[i] - mu) * f + sh;                  \
      }                                                                                     \
    }                                                                                       \
  }

DEFINE_BATCH_NORM(float, f32, sqrtf)
DEFINE_BATCH_NORM(double, f64, sqrt)

#define DEFINE_BATCH_NORM_TRAIN(T, sfx)                                                      \
  void spcc_batch_norm_train_##sfx(const spcc_batch_norm_train_params *p, const T *x,        \
                                   const T *scale, const T *bias, const T *in_mean,          \
                                   const T *in_var, T *y, T *run_mean, T *run_var) {         \
    const int64_t nc = p->channels, inner = p->inner, count = p->batch * inner;             \
    const double mom = p->momentum;                                                         \
    for (int64_t c = 0; c < nc; c++) {                                                      \
      double mean = NAN, var = NAN; /* the mean of nothing, as numpy has it */              \
      if (count > 0) {                                                                      \
        double sum = 0;                                                                     \
        for (int64_t b = 0; b < p->batch; b++) {                                            \
          const T *restrict xr = x + (b * nc + c) * inner;                                  \
          for (int64_t i = 0; i < inner; i++) sum += (double)xr[i];                         \
        }                                                                                   \
        mean = sum / (double)count;                                                         \
        double sq = 0;                                                                      \
        for (int64_t b = 0; b < p->batch; b++) {                                            \
          const T *restrict xr = x + (b * nc + c) * inner;                                  \
          for (int64_t i = 0; i < inner; i++) {                                             \
            const double dv = (double)xr[i] - mean;                                         \
            sq += dv * dv;                                                                  \
          }                                                                                 \
        }                                                                                   \
        var = sq / (double)count;                                                           \
      }                                                                                     \
      const T mu = (T)mean, f = (T)((double)scale[c] / sqrt(var + p->epsilon));             \
      const T sh = bias[c];                                                                 \
      for (int64_t b = 0; b < p->batch; b++) {                                              \
        const T *restrict xr = x + (b * nc + c) * inner;                                    \
        T *restrict yr = y + (b * nc + c) * inner;                                          \
        for (int64_t i = 0; i < inner; i++) yr[i] = (xr[i] - mu) * f + sh;                  \
      }                                                                                     \
      if (run_mean) run_mean[c] = (T)((double)in_mean[c] * mom + mean * (1 - mom));         \
      if (run_var) run_var[c] = (T)((double)in_var[c] * mom + var * (1 - mom));             \
    }                                                                                       \
  }

DEFINE_BATCH_NORM_TRAIN(float, f32)
DEFINE_BATCH_NORM_TRAIN(double, f64)
