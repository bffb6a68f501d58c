/* reduce.c - the general reduction kernel (every Reduce* op) and
 * ArgMax / ArgMin, for all numeric element types.
 *
 * Floating-point reductions accumulate in double whatever the element
 * type, so float sums of many elements stay within the conformance
 * tolerance and folding at compile time gives the same bits as the
 * generated code. LogSumExp subtracts the maximum before exponentiating.
 * Integer sums and products are computed in uint64_t, which wraps instead
 * of overflowing (see rt/reduce.h).
 */
#include <math.h>

#include "reduce_impl.h"

/* One output element of a floating-point reduction, from the reduced
 * elements of x (already offset to the element's base). */
#define DEFINE_REDUCE_ONE_FLOAT(SUF, T)                                                   \
  static double reduce_one_double_##SUF(const spcc_reduce_params *p, const T *x,          \
                                        int64_t count) {                                  \
    double s = 0.0, m;                                                                    \
    switch (p->op) {                                                                      \
    case SPCC_REDUCE_SUM: SPCC_RD_FOR_REDUCED(p, k, s += (double)x[k]); return s;         \
    case SPCC_REDUCE_MEAN:                                                                \
      SPCC_RD_FOR_REDUCED(p, k, s += (double)x[k]);                                       \
      return s / (double)count;                                                           \
    case SPCC_REDUCE_LOG_SUM:                                                             \
      SPCC_RD_FOR_REDUCED(p, k, s += (double)x[k]);                                       \
      return log(s);                                                                      \
    case SPCC_REDUCE_SUM_SQUARE:                                                          \
      SPCC_RD_FOR_REDUCED(p, k, s += (double)x[k] * (double)x[k]);                        \
      return s;                                                                           \
    case SPCC_REDUCE_L2:                                                                  \
      SPCC_RD_FOR_REDUCED(p, k, s += (double)x[k] * (double)x[k]);                        \
      return sqrt(s);                                                                     \
    case SPCC_REDUCE_L1: SPCC_RD_FOR_REDUCED(p, k, s += fabs((double)x[k])); return s;    \
    case SPCC_REDUCE_PROD:                                                                \
      s = 1.0;                                                                            \
      SPCC_RD_FOR_REDUCED(p, k, s *= (double)x[k]);                                       \
      return s;                                                                           \
    case SPCC_REDUCE_MAX:                                                                 \
      m = -INFINITY; /* NaN sticks: once m is NaN no comparison replaces it */            \
      SPCC_RD_FOR_REDUCED(p, k, {                                                         \
        const double v = (double)x[k];                                                    \
        if (v > m || (v != v && m == m)) m = v;                                           \
      });                                                                                 \
      return m;                                                                           \
    case SPCC_REDUCE_MIN:                                                                 \
      m = INFINITY;                                                                       \
      SPCC_RD_FOR_REDUCED(p, k, {                                                         \
        const double v = (double)x[k];                                                    \
        if (v < m || (v != v && m == m)) m = v;                                           \
      });                                                                                 \
      return m;                                                                           \
    case SPCC_REDUCE_LOG_SUM_EXP:                                                         \
      m = -INFINITY;                                                                      \
      SPCC_RD_FOR_REDUCED(p, k, {                                                         \
        const double v = (double)x[k];                                                    \
        if (v > m || (v != v && m == m)) m = v;                                           \
      });                                                                                 \
      if (m != m || m == INFINITY || m == -INFINITY) return m;                            \
      SPCC_RD_FOR_REDUCED(p, k, s += exp((double)x[k] - m));                              \
      return m + log(s);                                                                  \
    default: return 0.0;                                                                  \
    }                                                                                     \
  }

DEFINE_REDUCE_ONE_FLOAT(f32, float)
DEFINE_REDUCE_ONE_FLOAT(f64, double)

#define DEFINE_REDUCE_FLOAT(SUF, T)                                                       \
  void spcc_reduce_##SUF(const spcc_reduce_params *p, const T *x, T *y) {                 \
    int64_t idx[SPCC_RT_MAX_RANK] = {0};                                                  \
    const int64_t n_out = spcc_rd_prod(p->keep_dims, p->keep_rank);                       \
    const int64_t count = spcc_rd_prod(p->red_dims, p->red_rank);                         \
    int64_t o, base = 0;                                                                  \
    for (o = 0; o < n_out; o++) {                                                         \
      y[o] = (T)reduce_one_double_##SUF(p, x + base, count);                              \
      base = spcc_rd_step(p->keep_rank, p->keep_dims, p->keep_strides, idx, base);        \
    }                                                                                     \
  }

DEFINE_REDUCE_FLOAT(f32, float)
DEFINE_REDUCE_FLOAT(f64, double)

/* Integers: wrapped sums in uint64_t; SIGNED selects how MEAN divides and
 * how L1 takes the absolute value. */
#define DEFINE_REDUCE_INT(SUF, T, SIGNED, TMIN, TMAX)                                     \
  static T reduce_one_##SUF(const spcc_reduce_params *p, const T *x, int64_t count) {     \
    uint64_t s = 0;                                                                       \
    T m;                                                                                  \
    switch (p->op) {                                                                      \
    case SPCC_REDUCE_SUM: SPCC_RD_FOR_REDUCED(p, k, s += (uint64_t)x[k]); return (T)s;    \
    case SPCC_REDUCE_MEAN:                                                                \
      SPCC_RD_FOR_REDUCED(p, k, s += (uint64_t)x[k]);                                     \
      if (count == 0) return 0;                                                           \
      if (SIGNED) return (T)((int64_t)s / count);                                         \
      return (T)(s / (uint64_t)count);                                                    \
    case SPCC_REDUCE_SUM_SQUARE:                                                          \
      SPCC_RD_FOR_REDUCED(p, k, s += (uint64_t)x[k] * (uint64_t)x[k]);                    \
      return (T)s;                                                                        \
    case SPCC_REDUCE_L1:                                                                  \
      SPCC_RD_FOR_REDUCED(p, k, {                                                         \
        const uint64_t u = (uint64_t)x[k];                                                \
        s += (SIGNED && (u >> 63)) ? 0u - u : u; /* negative after sign extension */    \
      });                                                                                 \
      return (T)s;                                                                        \
    case SPCC_REDUCE_PROD:                                                                \
      s = 1;                                                                              \
      SPCC_RD_FOR_REDUCED(p, k, s *= (uint64_t)x[k]);                                     \
      return (T)s;                                                                        \
    case SPCC_REDUCE_MAX:                                                                 \
      m = TMIN;                                                                           \
      SPCC_RD_FOR_REDUCED(p, k, if (x[k] > m) m = x[k]);                                  \
      return m;                                                                           \
    case SPCC_REDUCE_MIN:                                                                 \
      m = TMAX;                                                                           \
      SPCC_RD_FOR_REDUCED(p, k, if (x[k] < m) m = x[k]);                                  \
      return m;                                                                           \
    default: return 0;                                                                    \
    }                                                                                     \
  }                                                                                       \
  void spcc_reduce_##SUF(const spcc_reduce_params *p, const T *x, T *y) {                 \
    int64_t idx[SPCC_RT_MAX_RANK] = {0};                                                  \
    const int64_t n_out = spcc_rd_prod(p->keep_dims, p->keep_rank);                       \
    const int64_t count = spcc_rd_prod(p->red_dims, p->red_rank);                         \
    int64_t o, base = 0;                                                                  \
    for (o = 0; o < n_out; o++) {                                                         \
      y[o] = reduce_one_##SUF(p, x + base, count);                                        \
      base = spcc_rd_step(p->keep_rank, p->keep_dims, p->keep_strides, idx, base);        \
    }                                                                                     \
  }

DEFINE_REDUCE_INT(i8, int8_t, 1, INT8_MIN, INT8_MAX)
DEFINE_REDUCE_INT(i16, int16_t, 1, INT16_MIN, INT16_MAX)
DEFINE_REDUCE_INT(i32, int32_t, 1, INT32_MIN, INT32_MAX)
DEFINE_REDUCE_INT(i64, int64_t, 1, INT64_MIN, INT64_MAX)
DEFINE_REDUCE_INT(u8, uint8_t, 0, 0, UINT8_MAX)
DEFINE_REDUCE_INT(u16, uint16_t, 0, 0, UINT16_MAX)
DEFINE_REDUCE_INT(u32, uint32_t, 0, 0, UINT32_MAX)
DEFINE_REDUCE_INT(u64, uint64_t, 0, 0, UINT64_MAX)

/* ---- ArgMax / ArgMin ------------------------------------------------------------
 * BETTER(v, b) says whether v replaces the current best b. For floats the
 * first NaN wins (it is never replaced, and replaces any number). */
#define FLOAT_BETTER(p, v, b)                                                     \
  ((v) != (v) ? ((b) == (b) || (p)->select_last)                                  \
   : (b) != (b) ? 0                                                               \
   : (p)->is_min ? ((p)->select_last ? (v) <= (b) : (v) < (b))                    \
                 : ((p)->select_last ? (v) >= (b) : (v) > (b)))
#define INT_BETTER(p, v, b)                                                       \
  ((p)->is_min ? ((p)->select_last ? (v) <= (b) : (v) < (b))                      \
               : ((p)->select_last ? (v) >= (b) : (v) > (b)))

#define DEFINE_ARG_REDUCE(SUF, T, BETTER)                                                 \
  void spcc_arg_reduce_##SUF(const spcc_arg_reduce_params *p, const T *x, int64_t *y) {   \
    int64_t o, i, j;                                                                      \
    for (o = 0; o < p->outer; o++) {                                                      \
      const T *xo = x + o * p->len * p->inner;                                            \
      for (i = 0; i < p->inner; i++) {                                                    \
        int64_t bi = 0;                                                                   \
        if (p->len > 0) {                                                                 \
          T b = xo[i];                                                                    \
          for (j = 1; j < p->len; j++) {                                                  \
            const T v = xo[j * p->inner + i];                                             \
            if (BETTER(p, v, b)) {                                                        \
              b = v;                                                                      \
              bi = j;                                                                     \
            }                                                                             \
          }                                                                               \
        }                                                                                 \
        y[o * p->inner + i] = bi;                                                         \
      }                                                                                   \
    }                                                                                     \
  }

DEFINE_ARG_REDUCE(f32, float, FLOAT_BETTER)
DEFINE_ARG_REDUCE(f64, double, FLOAT_BETTER)
DEFINE_ARG_REDUCE(i8, int8_t, INT_BETTER)
DEFINE_ARG_REDUCE(i16, int16_t, INT_BETTER)
DEFINE_ARG_REDUCE(i32, int32_t, INT_BETTER)
DEFINE_ARG_REDUCE(i64, int64_t, INT_BETTER)
DEFINE_ARG_REDUCE(u8, uint8_t, INT_BETTER)
DEFINE_ARG_REDUCE(u16, uint16_t, INT_BETTER)
DEFINE_ARG_REDUCE(u32, uint32_t, INT_BETTER)
DEFINE_ARG_REDUCE(u64, uint64_t, INT_BETTER)
