/* unary_math.c - the one-expression unary kernels (rt/unary.h tables):
 * Exp ... HardSwish on floats, Abs and Sign on every numeric type, Neg on
 * floats and signed integers.
 *
 * Each kernel is one SPCC_EW_LOOP over a scalar expression of `v`, written
 * once per op below for float and double. The libm calls (expf, sinf, ...)
 * are the C99 float versions, so f32 results are correctly rounded to
 * within libm's accuracy rather than double-rounded through double.
 * Softplus uses log1p(exp(-|x|)) + max(x, 0), which neither overflows for
 * large x nor loses the small result for very negative x.
 */
#include <math.h>

#include "elementwise_loop.h"
#include "spcc/spcc_rt.h"

#define UNARY_KERNEL(op, sfx, T, EXPR)                                   \
  void spcc_##op##_##sfx(int64_t n, const T *restrict x, T *restrict y) { \
    SPCC_EW_LOOP(n, i, const T v = x[i]; y[i] = (EXPR));                 \
  }
#define FLOAT_KERNELS(op, EXPR_F, EXPR_D) \
  UNARY_KERNEL(op, f32, float, EXPR_F)    \
  UNARY_KERNEL(op, f64, double, EXPR_D)

/* op, float expression, double expression */
FLOAT_KERNELS(exp, expf(v), exp(v))
FLOAT_KERNELS(log, logf(v), log(v))
FLOAT_KERNELS(sqrt, sqrtf(v), sqrt(v))
FLOAT_KERNELS(reciprocal, 1.0f / v, 1.0 / v)
FLOAT_KERNELS(floor, floorf(v), floor(v))
FLOAT_KERNELS(ceil, ceilf(v), ceil(v))
FLOAT_KERNELS(round, nearbyintf(v), nearbyint(v))
FLOAT_KERNELS(sin, sinf(v), sin(v))
FLOAT_KERNELS(cos, cosf(v), cos(v))
FLOAT_KERNELS(tan, tanf(v), tan(v))
FLOAT_KERNELS(asin, asinf(v), asin(v))
FLOAT_KERNELS(acos, acosf(v), acos(v))
FLOAT_KERNELS(atan, atanf(v), atan(v))
FLOAT_KERNELS(sinh, sinhf(v), sinh(v))
FLOAT_KERNELS(cosh, coshf(v), cosh(v))
FLOAT_KERNELS(asinh, asinhf(v), asinh(v))
FLOAT_KERNELS(acosh, acoshf(v), acosh(v))
FLOAT_KERNELS(atanh, atanhf(v), atanh(v))
FLOAT_KERNELS(erf, erff(v), erf(v))
FLOAT_KERNELS(softplus, log1pf(expf(-fabsf(v))) + (v > 0.0f ? v : 0.0f),
              log1p(exp(-fabs(v))) + (v > 0.0 ? v : 0.0))
FLOAT_KERNELS(softsign, v / (1.0f + fabsf(v)), v / (1.0 + fabs(v)))
/* HardSigmoid with alpha = 1/6, beta = 0.5 (the HardSwish-14 definition). */
FLOAT_KERNELS(hard_swish, v * fmaxf(0.0f, fminf(1.0f, v * (1.0f / 6.0f) + 0.5f)),
              v * fmax(0.0, fmin(1.0, v * (1.0 / 6.0) + 0.5)))

/* Mish (opset 18): x * tanh(softplus(x)), softplus as above. */
FLOAT_KERNELS(mish, v * tanhf(log1pf(expf(-fabsf(v))) + (v > 0.0f ? v : 0.0f)),
              v * tanh(log1p(exp(-fabs(v))) + (v > 0.0 ? v : 0.0)))

/* Sign keeps 0 and NaN as they are (v itself), like numpy.sign. */
FLOAT_KERNELS(abs, fabsf(v), fabs(v))
FLOAT_KERNELS(sign, v > 0.0f ? 1.0f : v < 0.0f ? -1.0f : v, v > 0.0 ? 1.0 : v < 0.0 ? -1.0 : v)
FLOAT_KERNELS(neg, -v, -v)

/* Integer Abs/Neg negate through the unsigned type W (at least unsigned
 * int's rank, so narrow types cannot promote to int and overflow): the most
 * negative value maps to itself. */
#define SIGNED_KERNELS(sfx, T, W)                                          \
  UNARY_KERNEL(abs, sfx, T, v < 0 ? (T)((W)0 - (W)v) : v)                  \
  UNARY_KERNEL(neg, sfx, T, (T)((W)0 - (W)v))                              \
  UNARY_KERNEL(sign, sfx, T, (T)(v > 0 ? 1 : v < 0 ? -1 : 0))
SIGNED_KERNELS(i8, int8_t, unsigned)
SIGNED_KERNELS(i16, int16_t, unsigned)
SIGNED_KERNELS(i32, int32_t, uint32_t)
SIGNED_KERNELS(i64, int64_t, uint64_t)

#define UNSIGNED_KERNELS(sfx, T) \
  UNARY_KERNEL(abs, sfx, T, v)   \
  UNARY_KERNEL(sign, sfx, T, (T)(v > 0 ? 1 : 0))
UNSIGNED_KERNELS(u8, uint8_t)
UNSIGNED_KERNELS(u16, uint16_t)
UNSIGNED_KERNELS(u32, uint32_t)
UNSIGNED_KERNELS(u64, uint64_t)
