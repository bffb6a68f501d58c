/* reduce_norm.c - kernels that reduce along axes and then write a tensor of
 * the input's shape: LogSoftmax, Hardmax, LayerNormalization,
 * InstanceNormalization, LRN and MeanVarianceNormalization.
 *
 * Statistics are accumulated in double for every element type (two passes:
 * mean, then the mean of squared deviations, which is more accurate than
 * E[x^2] - E[x]^2), so folding and generated code agree bit for bit.
 */
#include <math.h>

#include "reduce_impl.h"

#define DEFINE_LOG_SOFTMAX(SUF, T)                                                        \
  void spcc_log_softmax_##SUF(const spcc_axis_params *p, const T *x, T *y) {              \
    int64_t o, i, j;                                                                      \
    for (o = 0; o < p->outer; o++) {                                                      \
      const T *xo = x + o * p->len * p->inner;                                            \
      T *yo = y + o * p->len * p->inner;                                                  \
      for (i = 0; i < p->inner; i++) {                                                    \
        double m = -INFINITY, s = 0.0, lse;                                               \
        for (j = 0; j < p->len; j++) {                                                    \
          const double v = (double)xo[j * p->inner + i];                                  \
          if (v > m) m = v;                                                               \
        }                                                                                 \
        for (j = 0; j < p->len; j++) s += exp((double)xo[j * p->inner + i] - m);          \
        lse = m + log(s);                                                                 \
        for (j = 0; j < p->len; j++) yo[j * p->inner + i] = (T)((double)xo[j * p->inner + i] - lse); \
      }                                                                                   \
    }                                                                                     \
  }

DEFINE_LOG_SOFTMAX(f32, float)
DEFINE_LOG_SOFTMAX(f64, double)

#define DEFINE_HARDMAX(SUF, T)                                                            \
  void spcc_hardmax_##SUF(const spcc_axis_params *p, const T *x, T *y) {                  \
    int64_t o, i, j;                                                                      \
    for (o = 0; o < p->outer; o++) {                                                      \
      const T *xo = x + o * p->len * p->inner;                                            \
      T *yo = y + o * p->len * p->inner;                                                  \
      for (i = 0; i < p->inner; i++) {                                                    \
        int64_t bi = 0;                                                                   \
        for (j = 0; j < p->len; j++) {                                                    \
          yo[j * p->inner + i] = (T)0;                                                    \
          if (xo[j * p->inner + i] > xo[bi * p->inner + i]) bi = j;                       \
        }                                                                                 \
        if (p->len > 0) yo[bi * p->inner + i] = (T)1;                                     \
      }                                                                                   \
    }                                                                                     \
  }

DEFINE_HARDMAX(f32, float)
DEFINE_HARDMAX(f64, double)

#define DEFINE_LAYER_NORM(SUF, T)                                                         \
  void spcc_layer_norm_##SUF(const spcc_layer_norm_params *p, const T *x, const T *scale, \
                             const T *bias, T *y, T *mean, T *inv_std_dev) {              \
    int64_t o, j;                                                                         \
    const int64_t sstep = p->scale_len == 1 ? 0 : 1, bstep = p->bias_len == 1 ? 0 : 1;    \
    for (o = 0; o < p->outer; o++) {                                                      \
      const T *xo = x + o * p->len;                                                       \
      T *yo = y + o * p->len;                                                             \
      double mu = 0.0, var = 0.0, inv;                                                    \
      for (j = 0; j < p->len; j++) mu += (double)xo[j];                                   \
      mu /= (double)p->len;                                                               \
      for (j = 0; j < p->len; j++) {                                                      \
        const double dv = (double)xo[j] - mu;                                             \
        var += dv * dv;                                                                   \
      }                                                                                   \
      var /= (double)p->len;                                                              \
      inv = 1.0 / sqrt(var + p->epsilon);                                                 \
      for (j = 0; j < p->len; j++) {                                                      \
        double v = ((double)xo[j] - mu) * inv * (double)scale[j * sstep];                 \
        if (bias) v += (double)bias[j * bstep];                                           \
        yo[j] = (T)v;                                                                     \
      }                                                                                   \
      if (mean) mean[o] = (T)mu;                                                          \
      if (inv_std_dev) inv_std_dev[o] = (T)inv;                                           \
    }                                                                                     \
  }

DEFINE_LAYER_NORM(f32, float)
DEFINE_LAYER_NORM(f64, double)

#define DEFINE_INSTANCE_NORM(SUF, T)                                                      \
  void spcc_instance_norm_##SUF(const spcc_instance_norm_params *p, const T *x,           \
                                const T *scale, const T *bias, T *y) {                    \
    int64_t b, c, j;                                                                      \
    for (b = 0; b < p->batch; b++)                                                        \
      for (c = 0; c < p->channels; c++) {                                                 \
        const T *xo = x + (b * p->channels + c) * p->inner;                               \
        T *yo = y + (b * p->channels + c) * p->inner;                                     \
        double mu = 0.0, var = 0.0, a;                                                    \
        for (j = 0; j < p->inner; j++) mu += (double)xo[j];                               \
        mu /= (double)p->inner;                                                           \
        for (j = 0; j < p->inner; j++) {                                                  \
          const double dv = (double)xo[j] - mu;                                           \
          var += dv * dv;                                                                 \
        }                                                                                 \
        var /= (double)p->inner;                                                          \
        a = (double)scale[c] / sqrt(var + p->epsilon);                                    \
        for (j = 0; j < p->inner; j++)                                                    \
          yo[j] = (T)(((double)xo[j] - mu) * a + (double)bias[c]);                        \
      }                                                                                   \
  }

DEFINE_INSTANCE_NORM(f32, float)
DEFINE_INSTANCE_NORM(f64, double)

#define DEFINE_LRN(SUF, T)                                                                \
  void spcc_lrn_##SUF(const spcc_lrn_params *p, const T *x, T *y) {                       \
    const int64_t lo = (p->size - 1) / 2, hi = p->size - 1 - lo;                          \
    int64_t b, c, i, q;                                                                   \
    for (b = 0; b < p->batch; b++)                                                        \
      for (c = 0; c < p->channels; c++) {                                                 \
        const int64_t c0 = c - lo < 0 ? 0 : c - lo;                                       \
        const int64_t c1 = c + hi >= p->channels ? p->channels - 1 : c + hi;              \
        const T *xb = x + b * p->channels * p->inner;                                     \
        T *yo = y + (b * p->channels + c) * p->inner;                                     \
        for (i = 0; i < p->inner; i++) {                                                  \
          double s = 0.0;                                                                 \
          for (q = c0; q <= c1; q++) {                                                    \
            const double v = (double)xb[q * p->inner + i];                                \
            s += v * v;                                                                   \
          }                                                                               \
          yo[i] = (T)((double)xb[c * p->inner + i] /                                      \
                      pow(p->bias + p->alpha / (double)p->size * s, p->beta));            \
        }                                                                                 \
      }                                                                                   \
  }

DEFINE_LRN(f32, float)
DEFINE_LRN(f64, double)

#define DEFINE_MVN(SUF, T)                                                                \
  void spcc_mvn_##SUF(const spcc_reduce_params *p, const T *x, T *y) {                    \
    int64_t idx[SPCC_RT_MAX_RANK] = {0};                                                  \
    const int64_t n_out = spcc_rd_prod(p->keep_dims, p->keep_rank);                       \
    const double count = (double)spcc_rd_prod(p->red_dims, p->red_rank);                  \
    int64_t o, base = 0;                                                                  \
    for (o = 0; o < n_out; o++) {                                                         \
      const T *xb = x + base;                                                             \
      T *yb = y + base;                                                                   \
      double mu = 0.0, var = 0.0, den;                                                    \
      SPCC_RD_FOR_REDUCED(p, k, mu += (double)xb[k]);                                     \
      mu /= count;                                                                        \
      SPCC_RD_FOR_REDUCED(p, k, {                                                         \
        const double dv = (double)xb[k] - mu;                                             \
        var += dv * dv;                                                                   \
      });                                                                                 \
      den = sqrt(var / count) + 1e-9;                                                     \
      SPCC_RD_FOR_REDUCED(p, k, yb[k] = (T)(((double)xb[k] - mu) / den));                 \
      base = spcc_rd_step(p->keep_rank, p->keep_dims, p->keep_strides, idx, base);        \
    }                                                                                     \
  }

DEFINE_MVN(f32, float)
DEFINE_MVN(f64, double)
