/* rt/elementwise.h - runtime kernels for elementwise ops: Add, Sub, Mul, Div
 * (with numpy broadcasting), Relu, LeakyRelu, Sigmoid, Tanh, Clip, Identity.
 *
 * Binary kernels take a spcc_binary_params block that the compiler fills
 * once (backend/c/elementwise.c): the output shape after dropping size-1
 * dimensions and merging dimensions that are contiguous in both operands,
 * and per-operand element strides that are 0 where the operand broadcasts.
 * Equal shapes therefore arrive as rank 1 with strides {1} and {1}, a scalar
 * operand as stride {0}; only genuinely strided cases pay for the N-d walk.
 *
 * Integer semantics (no undefined behaviour): add, sub and mul wrap around
 * (computed in unsigned arithmetic, converted back as two's complement, which
 * every supported compiler defines); division truncates toward zero, x / 0
 * gives 0, and INT_MIN / -1 gives INT_MIN. Floats follow IEEE 754: x / 0 is
 * +-inf or NaN. Relu, LeakyRelu and Clip return NaN for a NaN input, as the
 * ONNX reference (numpy clip/maximum) does.
 *
 * Kernel inputs and outputs never overlap; pointers need only natural
 * alignment.
 */
#ifndef SPCC_RT_ELEMENTWISE_H
#define SPCC_RT_ELEMENTWISE_H
#include <stddef.h>
#include <stdint.h>

#ifndef SPCC_RT_MAX_RANK
#define SPCC_RT_MAX_RANK 8
#endif

/* Broadcast layout of y = a OP b (all counts in elements, row-major y).
 * Invariants the compiler guarantees: 0 <= rank <= SPCC_RT_MAX_RANK; every
 * dims[k] >= 1 unless y is empty (then rank 1, dims {0}); the innermost
 * strides a_strides[rank-1] and b_strides[rank-1] are 0 or 1. rank 0 means a
 * single element. */
typedef struct {
  int64_t rank;
  int64_t dims[SPCC_RT_MAX_RANK];
  int64_t a_strides[SPCC_RT_MAX_RANK]; /* 0 where a is broadcast */
  int64_t b_strides[SPCC_RT_MAX_RANK]; /* 0 where b is broadcast */
} spcc_binary_params;

#define SPCC_RT_BINARY_DECL(op, sfx, T) \
  void spcc_##op##_##sfx(const spcc_binary_params *p, const T *a, const T *b, T *y);
#define SPCC_RT_BINARY_ALL_TYPES(op)          \
  SPCC_RT_BINARY_DECL(op, f32, float)         \
  SPCC_RT_BINARY_DECL(op, f64, double)        \
  SPCC_RT_BINARY_DECL(op, i8, int8_t)         \
  SPCC_RT_BINARY_DECL(op, i16, int16_t)       \
  SPCC_RT_BINARY_DECL(op, i32, int32_t)       \
  SPCC_RT_BINARY_DECL(op, i64, int64_t)       \
  SPCC_RT_BINARY_DECL(op, u8, uint8_t)        \
  SPCC_RT_BINARY_DECL(op, u16, uint16_t)      \
  SPCC_RT_BINARY_DECL(op, u32, uint32_t)      \
  SPCC_RT_BINARY_DECL(op, u64, uint64_t)

SPCC_RT_BINARY_ALL_TYPES(add)
SPCC_RT_BINARY_ALL_TYPES(sub)
SPCC_RT_BINARY_ALL_TYPES(mul)
SPCC_RT_BINARY_ALL_TYPES(div)
#undef SPCC_RT_BINARY_ALL_TYPES
#undef SPCC_RT_BINARY_DECL

/* y = max(x, 0) over n elements; NaN stays NaN. */
void spcc_relu_f32(int64_t n, const float *x, float *y);
void spcc_relu_f64(int64_t n, const double *x, double *y);
void spcc_relu_i8(int64_t n, const int8_t *x, int8_t *y);
void spcc_relu_i16(int64_t n, const int16_t *x, int16_t *y);
void spcc_relu_i32(int64_t n, const int32_t *x, int32_t *y);
void spcc_relu_i64(int64_t n, const int64_t *x, int64_t *y);

/* y = x < 0 ? alpha * x : x. alpha is an ONNX float attribute, so float for
 * both element types. */
typedef struct {
  int64_t n;
  float alpha;
} spcc_leaky_relu_params;
void spcc_leaky_relu_f32(const spcc_leaky_relu_params *p, const float *x, float *y);
void spcc_leaky_relu_f64(const spcc_leaky_relu_params *p, const double *x, double *y);

/* y = 1 / (1 + exp(-x)), computed from exp(-|x|) so it never overflows and
 * keeps full relative accuracy for large negative x. */
void spcc_sigmoid_f32(int64_t n, const float *x, float *y);
void spcc_sigmoid_f64(int64_t n, const double *x, double *y);

void spcc_tanh_f32(int64_t n, const float *x, float *y);
void spcc_tanh_f64(int64_t n, const double *x, double *y);

/* y = min(max(x, *lo), *hi), like numpy.clip: with *lo > *hi every element
 * becomes *hi; a NaN x stays NaN. lo or hi NULL means no bound on that
 * side. The bounds are single elements (ONNX scalars, or attributes the
 * generated code stores as constants). */
#define SPCC_RT_CLIP_DECL(sfx, T) \
  void spcc_clip_##sfx(int64_t n, const T *x, const T *lo, const T *hi, T *y);
SPCC_RT_CLIP_DECL(f32, float)
SPCC_RT_CLIP_DECL(f64, double)
SPCC_RT_CLIP_DECL(i8, int8_t)
SPCC_RT_CLIP_DECL(i16, int16_t)
SPCC_RT_CLIP_DECL(i32, int32_t)
SPCC_RT_CLIP_DECL(i64, int64_t)
SPCC_RT_CLIP_DECL(u8, uint8_t)
SPCC_RT_CLIP_DECL(u16, uint16_t)
SPCC_RT_CLIP_DECL(u32, uint32_t)
SPCC_RT_CLIP_DECL(u64, uint64_t)
#undef SPCC_RT_CLIP_DECL

/* Identity: copies n elements of elem_size bytes (any element type). */
void spcc_identity(int64_t n, size_t elem_size, const void *x, void *y);

#endif
