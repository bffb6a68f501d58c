/* fused.h - scalar forms of the elementwise ops the fuse-elementwise pass
 * merges into one loop (passes/fuse_elementwise.c, ir/fused.h).
 *
 * A fused loop in generated code and the compiler's evaluator of fused
 * nodes both call these, and they use the formulas of the separate runtime
 * kernels (runtime/elementwise_unary.c, unary_math.c, unary_act.c), so
 * fusing changes how often memory is touched, never a result. Header-only
 * (static inline, C99), so generated code needs nothing new at link time.
 */
#ifndef SPCC_RT_FUSED_H
#define SPCC_RT_FUSED_H

#include <math.h>

#define SPCC_FX_DEFINE(T, sfx, EXP, LOG1P, FABS, FMAX, FMIN, ZERO, ONE, SIXTH, HALF)        \
  static inline T spcc_fx_relu_##sfx(T v) { return v < ZERO ? ZERO : v; }                   \
  static inline T spcc_fx_leaky_relu_##sfx(T v, T alpha) { return v < ZERO ? alpha * v : v; } \
  /* 1 / (1 + e) or e / (1 + e) with e = exp(-|v|): no overflow, no cancellation */         \
  static inline T spcc_fx_sigmoid_##sfx(T v) {                                             \
    const T e = EXP(-FABS(v));                                                             \
    const T r = ONE / (ONE + e);                                                           \
    return v >= ZERO ? r : e * r;                                                          \
  }                                                                                        \
  /* max(v, lo) then min(., hi), as numpy.clip; NaN stays NaN */                            \
  static inline T spcc_fx_clip_##sfx(T v, T lo, T hi) {                                    \
    const T t = v < lo ? lo : v;                                                           \
    return t > hi ? hi : t;                                                                \
  }                                                                                        \
  static inline T spcc_fx_hard_sigmoid_##sfx(T v, T alpha, T beta) {                       \
    const T t = alpha * v + beta;                                                          \
    return t < ZERO ? ZERO : t > ONE ? ONE : t;                                            \
  }                                                                                        \
  static inline T spcc_fx_hard_swish_##sfx(T v) {                                          \
    return v * FMAX(ZERO, FMIN(ONE, v * (ONE / SIXTH) + HALF));                            \
  }                                                                                        \
  static inline T spcc_fx_softplus_##sfx(T v) {                                            \
    return LOG1P(EXP(-FABS(v))) + (v > ZERO ? v : ZERO);                                   \
  }

SPCC_FX_DEFINE(float, f32, expf, log1pf, fabsf, fmaxf, fminf, 0.0f, 1.0f, 6.0f, 0.5f)
SPCC_FX_DEFINE(double, f64, exp, log1p, fabs, fmax, fmin, 0.0, 1.0, 6.0, 0.5)

#undef SPCC_FX_DEFINE

#endif
