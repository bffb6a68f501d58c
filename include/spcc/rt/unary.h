/* rt/unary.h - runtime kernels for unary math and activations: Abs, Neg,
 * Exp, Log, Sqrt, Reciprocal, Floor, Ceil, Round, Sign, the trigonometric
 * and hyperbolic functions, Erf, Softplus, Softsign, HardSwish, the
 * parameterized activations (Elu, Selu, Celu, HardSigmoid, ThresholdedRelu,
 * Shrink), IsInf, IsNaN, Not and PRelu.
 *
 * Most ops are one C expression per element, so they are listed once in
 * X-macro tables (SPCC_RT_UNARY_FLOAT_OPS etc.) that declare the kernels
 * here, define them in runtime/unary_math.c and dispatch to them in the
 * compiler's evaluator (backend/c/unary.c): the three cannot drift. Each
 * table row is X(ENUM, name), ENUM the spcc_op suffix and name the IR name,
 * which is also the kernel name stem: spcc_<name>_<dtype>.
 *
 * Floats follow IEEE 754 and libm (NaN in, NaN out). Round rounds halves to
 * even (nearbyint in the default rounding mode). Integer Abs and Neg wrap:
 * abs(INT_MIN) = -INT_MIN = INT_MIN, as numpy does. Boolean tensors are one
 * byte per element holding 0 or 1 (uint8_t).
 *
 * Kernel inputs and outputs never overlap; pointers need only natural
 * alignment.
 */
#ifndef SPCC_RT_UNARY_H
#define SPCC_RT_UNARY_H
#include <stddef.h>
#include <stdint.h>

#ifndef SPCC_RT_MAX_RANK
#define SPCC_RT_MAX_RANK 8
#endif

/* y[i] = f(x[i]) over n elements, f32 and f64 only. */
#define SPCC_RT_UNARY_FLOAT_OPS(X) \
  X(EXP, exp)                      \
  X(LOG, log)                      \
  X(SQRT, sqrt)                    \
  X(RECIPROCAL, reciprocal)        \
  X(FLOOR, floor)                  \
  X(CEIL, ceil)                    \
  X(ROUND, round)                  \
  X(SIN, sin)                      \
  X(COS, cos)                      \
  X(TAN, tan)                      \
  X(ASIN, asin)                    \
  X(ACOS, acos)                    \
  X(ATAN, atan)                    \
  X(SINH, sinh)                    \
  X(COSH, cosh)                    \
  X(ASINH, asinh)                  \
  X(ACOSH, acosh)                  \
  X(ATANH, atanh)                  \
  X(ERF, erf)                      \
  X(SOFTPLUS, softplus)            \
  X(SOFTSIGN, softsign)            \
  X(HARD_SWISH, hard_swish)        \
  X(MISH, mish)

/* y[i] = f(x[i]) for floats and every integer type (unsigned Abs is the
 * identity; Sign gives -1, 0 or 1, and NaN for NaN). */
#define SPCC_RT_UNARY_NUMERIC_OPS(X) \
  X(ABS, abs)                        \
  X(SIGN, sign)

/* Neg: floats and signed integers (ONNX defines no unsigned Neg). */
#define SPCC_RT_UNARY_SIGNED_OPS(X) X(NEG, neg)

/* Activations with up to two float attributes (ONNX attributes are float,
 * so f64 kernels use the float value too):
 *   elu               x < 0 ? alpha * (exp(x) - 1) : x
 *   selu              x <= 0 ? beta * alpha * (exp(x) - 1) : beta * x  (beta = gamma)
 *   celu              max(0, x) + min(0, alpha * (exp(x / alpha) - 1))
 *   hard_sigmoid      max(0, min(1, alpha * x + beta))
 *   thresholded_relu  x > alpha ? x : 0
 *   shrink            x < -alpha ? x + beta : x > alpha ? x - beta : 0
 *                     (alpha = lambd, beta = bias) */
#define SPCC_RT_UNARY_PARAM_OPS(X)      \
  X(ELU, elu)                           \
  X(SELU, selu)                         \
  X(CELU, celu)                         \
  X(HARD_SIGMOID, hard_sigmoid)         \
  X(THRESHOLDED_RELU, thresholded_relu) \
  X(SHRINK, shrink)

typedef struct {
  int64_t n; /* element count */
  float alpha;
  float beta;
} spcc_act_params;

#define SPCC_RT_UNARY_DECL(op, sfx, T) void spcc_##op##_##sfx(int64_t n, const T *x, T *y);
#define SPCC_RT_UNARY_DECL_FLOAT(E, op) \
  SPCC_RT_UNARY_DECL(op, f32, float)    \
  SPCC_RT_UNARY_DECL(op, f64, double)
#define SPCC_RT_UNARY_DECL_SIGNED(E, op) \
  SPCC_RT_UNARY_DECL_FLOAT(E, op)        \
  SPCC_RT_UNARY_DECL(op, i8, int8_t)     \
  SPCC_RT_UNARY_DECL(op, i16, int16_t)   \
  SPCC_RT_UNARY_DECL(op, i32, int32_t)   \
  SPCC_RT_UNARY_DECL(op, i64, int64_t)
#define SPCC_RT_UNARY_DECL_NUMERIC(E, op) \
  SPCC_RT_UNARY_DECL_SIGNED(E, op)        \
  SPCC_RT_UNARY_DECL(op, u8, uint8_t)     \
  SPCC_RT_UNARY_DECL(op, u16, uint16_t)   \
  SPCC_RT_UNARY_DECL(op, u32, uint32_t)   \
  SPCC_RT_UNARY_DECL(op, u64, uint64_t)
#define SPCC_RT_UNARY_DECL_PARAM(E, op)                                            \
  void spcc_##op##_f32(const spcc_act_params *p, const float *x, float *y);      \
  void spcc_##op##_f64(const spcc_act_params *p, const double *x, double *y);

SPCC_RT_UNARY_FLOAT_OPS(SPCC_RT_UNARY_DECL_FLOAT)
SPCC_RT_UNARY_NUMERIC_OPS(SPCC_RT_UNARY_DECL_NUMERIC)
SPCC_RT_UNARY_SIGNED_OPS(SPCC_RT_UNARY_DECL_SIGNED)
SPCC_RT_UNARY_PARAM_OPS(SPCC_RT_UNARY_DECL_PARAM)
#undef SPCC_RT_UNARY_DECL_PARAM
#undef SPCC_RT_UNARY_DECL_NUMERIC
#undef SPCC_RT_UNARY_DECL_SIGNED
#undef SPCC_RT_UNARY_DECL_FLOAT
#undef SPCC_RT_UNARY_DECL

/* IsInf: y = 1 where x is +inf (if detect_positive) or -inf (if
 * detect_negative), else 0. */
typedef struct {
  int64_t n;
  int64_t detect_positive; /* 0 or 1 */
  int64_t detect_negative; /* 0 or 1 */
} spcc_is_inf_params;
void spcc_is_inf_f32(const spcc_is_inf_params *p, const float *x, uint8_t *y);
void spcc_is_inf_f64(const spcc_is_inf_params *p, const double *x, uint8_t *y);

/* IsNaN: y = 1 where x is NaN. */
void spcc_is_nan_f32(int64_t n, const float *x, uint8_t *y);
void spcc_is_nan_f64(int64_t n, const double *x, uint8_t *y);

/* Not: y = !x on booleans. */
void spcc_not_bool(int64_t n, const uint8_t *x, uint8_t *y);

/* PRelu: y = x < 0 ? slope * x : x, with slope broadcast to x's shape (x and
 * y are contiguous with the same shape). The compiler collapses the layout
 * like spcc_binary_params: size-1 dimensions dropped, dimensions where the
 * slope is contiguous (or broadcast) merged. Invariants: 0 <= rank <=
 * SPCC_RT_MAX_RANK, dims[k] >= 1 unless y is empty (then rank 1, dims {0}),
 * slope_strides[rank-1] is 0 or 1; rank 0 means one element. */
typedef struct {
  int64_t rank;
  int64_t dims[SPCC_RT_MAX_RANK];
  int64_t slope_strides[SPCC_RT_MAX_RANK]; /* elements; 0 where broadcast */
} spcc_prelu_params;
void spcc_prelu_f32(const spcc_prelu_params *p, const float *x, const float *slope, float *y);
void spcc_prelu_f64(const spcc_prelu_params *p, const double *x, const double *slope, double *y);

#endif
