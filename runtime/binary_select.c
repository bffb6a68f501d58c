/* binary_select.c - Min, Max, Sum, Mean (variadic steps), comparisons,
 * And/Or/Xor and Where, all with broadcasting.
 *
 * Variadic ops run as a chain (rt/binary.h): a two-operand kernel for the
 * first pair, then accumulate kernels for every further input, so no kernel
 * ever reads and writes the same buffer through different pointers. Float
 * min/max propagate NaN from either side like numpy; integer Sum wraps
 * (computed in unsigned arithmetic). Comparisons and logic write bool bytes
 * 0/1 and read any nonzero bool byte as true.
 */
#include "binary_loop.h"

/* ---- Min / Max / Sum --------------------------------------------------------- */

#define FLOAT_MINMAX(sfx, T)                                                      \
  static inline T min_##sfx(T x, T y) { return (x < y || x != x) ? x : y; }      \
  static inline T max_##sfx(T x, T y) { return (x > y || x != x) ? x : y; }      \
  static inline T sum_##sfx(T x, T y) { return x + y; }

#define INT_MINMAX(sfx, T, W)                                                     \
  static inline T min_##sfx(T x, T y) { return x < y ? x : y; }                  \
  static inline T max_##sfx(T x, T y) { return x > y ? x : y; }                  \
  static inline T sum_##sfx(T x, T y) { return (T)((W)x + (W)y); }

#define MINMAX_KERNELS(sfx, T)                                \
  SPCC_BIN_KERNEL(spcc_min_##sfx, T, T, T, min_##sfx)         \
  SPCC_BIN_KERNEL(spcc_max_##sfx, T, T, T, max_##sfx)         \
  SPCC_ACC_KERNEL(spcc_min_acc_##sfx, T, min_##sfx)           \
  SPCC_ACC_KERNEL(spcc_max_acc_##sfx, T, max_##sfx)           \
  SPCC_ACC_KERNEL(spcc_sum_acc_##sfx, T, sum_##sfx)

FLOAT_MINMAX(f32, float)
FLOAT_MINMAX(f64, double)
INT_MINMAX(i8, int8_t, uint32_t)
INT_MINMAX(i16, int16_t, uint32_t)
INT_MINMAX(i32, int32_t, uint32_t)
INT_MINMAX(i64, int64_t, uint64_t)
INT_MINMAX(u8, uint8_t, uint32_t)
INT_MINMAX(u16, uint16_t, uint32_t)
INT_MINMAX(u32, uint32_t, uint32_t)
INT_MINMAX(u64, uint64_t, uint64_t)
MINMAX_KERNELS(f32, float)
MINMAX_KERNELS(f64, double)
MINMAX_KERNELS(i8, int8_t)
MINMAX_KERNELS(i16, int16_t)
MINMAX_KERNELS(i32, int32_t)
MINMAX_KERNELS(i64, int64_t)
MINMAX_KERNELS(u8, uint8_t)
MINMAX_KERNELS(u16, uint16_t)
MINMAX_KERNELS(u32, uint32_t)
MINMAX_KERNELS(u64, uint64_t)

/* A division rather than a multiplication by 1/count, so the result is the
 * correctly rounded mean of the sum, as the ONNX reference computes it. */
void spcc_mean_finish_f32(int64_t n, int64_t count, float *y) {
  const float c = (float)count;
  SPCC_EW_LOOP(n, i, y[i] = y[i] / c);
}

void spcc_mean_finish_f64(int64_t n, int64_t count, double *y) {
  const double c = (double)count;
  SPCC_EW_LOOP(n, i, y[i] = y[i] / c);
}

/* ---- comparisons -------------------------------------------------------------- */

#define CMP_EQ(x, y) ((uint8_t)((x) == (y)))
#define CMP_LT(x, y) ((uint8_t)((x) < (y)))
#define CMP_LE(x, y) ((uint8_t)((x) <= (y)))
#define CMP_GT(x, y) ((uint8_t)((x) > (y)))
#define CMP_GE(x, y) ((uint8_t)((x) >= (y)))
#define CMP_KERNELS(sfx, T)                                           \
  SPCC_BIN_KERNEL(spcc_equal_##sfx, T, T, uint8_t, CMP_EQ)            \
  SPCC_BIN_KERNEL(spcc_less_##sfx, T, T, uint8_t, CMP_LT)             \
  SPCC_BIN_KERNEL(spcc_less_equal_##sfx, T, T, uint8_t, CMP_LE)       \
  SPCC_BIN_KERNEL(spcc_greater_##sfx, T, T, uint8_t, CMP_GT)          \
  SPCC_BIN_KERNEL(spcc_greater_equal_##sfx, T, T, uint8_t, CMP_GE)

CMP_KERNELS(f32, float)
CMP_KERNELS(f64, double)
CMP_KERNELS(i8, int8_t)
CMP_KERNELS(i16, int16_t)
CMP_KERNELS(i32, int32_t)
CMP_KERNELS(i64, int64_t)
CMP_KERNELS(u8, uint8_t)
CMP_KERNELS(u16, uint16_t)
CMP_KERNELS(u32, uint32_t)
CMP_KERNELS(u64, uint64_t)

/* ---- bool: Equal, And, Or, Xor -------------------------------------------------- */

#define BOOL_EQ(x, y) ((uint8_t)(((x) != 0) == ((y) != 0)))
#define BOOL_AND(x, y) ((uint8_t)(((x) != 0) & ((y) != 0)))
#define BOOL_OR(x, y) ((uint8_t)(((x) != 0) | ((y) != 0)))
#define BOOL_XOR(x, y) ((uint8_t)(((x) != 0) ^ ((y) != 0)))
SPCC_BIN_KERNEL(spcc_equal_bool, uint8_t, uint8_t, uint8_t, BOOL_EQ)
SPCC_BIN_KERNEL(spcc_and_bool, uint8_t, uint8_t, uint8_t, BOOL_AND)
SPCC_BIN_KERNEL(spcc_or_bool, uint8_t, uint8_t, uint8_t, BOOL_OR)
SPCC_BIN_KERNEL(spcc_xor_bool, uint8_t, uint8_t, uint8_t, BOOL_XOR)

/* ---- Where ------------------------------------------------------------------------ */

SPCC_WHERE_KERNEL(spcc_where_f32, float)
SPCC_WHERE_KERNEL(spcc_where_f64, double)
SPCC_WHERE_KERNEL(spcc_where_i8, int8_t)
SPCC_WHERE_KERNEL(spcc_where_i16, int16_t)
SPCC_WHERE_KERNEL(spcc_where_i32, int32_t)
SPCC_WHERE_KERNEL(spcc_where_i64, int64_t)
SPCC_WHERE_KERNEL(spcc_where_u8, uint8_t)
SPCC_WHERE_KERNEL(spcc_where_u16, uint16_t)
SPCC_WHERE_KERNEL(spcc_where_u32, uint32_t)
SPCC_WHERE_KERNEL(spcc_where_u64, uint64_t)
SPCC_WHERE_KERNEL(spcc_where_bool, uint8_t)
