/* rt/binary.h - runtime kernels for the binary, variadic, comparison and
 * logic ops: Pow, Mod, BitShift, Min, Max, Sum, Mean, Equal, Less, Greater,
 * LessOrEqual, GreaterOrEqual, And, Or, Xor, Where.
 *
 * Two-operand kernels take the spcc_binary_params layout of rt/elementwise.h
 * (collapsed broadcast shape plus per-operand strides, 0 where an operand
 * broadcasts). Variadic ops (Min, Max, Sum, Mean with 1..N inputs) are a
 * chain: the first two inputs go through a two-operand kernel straight into
 * the output, every further input is folded in by an accumulate kernel
 * `y[i] = op(y[i], b[...])` (y contiguous, only p->dims and p->b_strides
 * used), and Mean finishes with a division by the input count. A single
 * input is a copy (spcc_identity).
 *
 * Semantics (no undefined behaviour anywhere):
 * - Pow: base T in {f32, f64, i32, i64}, exponent U in every numeric type.
 *   f32 ** f32 uses powf; every other pair with a float side goes through
 *   double pow and is converted to T (integers truncate toward zero and
 *   saturate; NaN gives 0). Integer ** integer is exact repeated squaring
 *   with wraparound; a negative exponent gives 1 for base 1, +-1 for base -1
 *   and 0 otherwise (the truncated value of 1 / x^n).
 * - Mod (fmod = 0): the result has the sign of the divisor (Python / numpy
 *   mod); Fmod (fmod = 1): the sign of the dividend (C fmod / %). For
 *   integers x mod 0 = 0 and INT_MIN mod -1 = 0.
 * - BitShift: unsigned only; a shift by >= the bit width gives 0.
 * - Min/Max: a NaN operand gives NaN (numpy minimum/maximum).
 * - Comparisons write bool bytes (0 or 1); NaN compares false (not equal).
 * - And/Or/Xor treat any nonzero byte as true and write 0 or 1.
 * - Where: y = cond ? x : y element by element, 3-way broadcast.
 *
 * Inputs and outputs never overlap; pointers need only natural alignment.
 * bool tensors are uint8_t.
 */
#ifndef SPCC_RT_BINARY_H
#define SPCC_RT_BINARY_H
#include <stddef.h>
#include <stdint.h>

#include "elementwise.h"

/* ---- Pow: spcc_pow_<base>_<exponent> --------------------------------------- */
#define SPCC_RT_POW_DECL(bs, TB, es, TE) \
  void spcc_pow_##bs##_##es(const spcc_binary_params *p, const TB *a, const TE *b, TB *y);
#define SPCC_RT_POW_ALL_EXP(bs, TB)          \
  SPCC_RT_POW_DECL(bs, TB, f32, float)       \
  SPCC_RT_POW_DECL(bs, TB, f64, double)      \
  SPCC_RT_POW_DECL(bs, TB, i8, int8_t)       \
  SPCC_RT_POW_DECL(bs, TB, i16, int16_t)     \
  SPCC_RT_POW_DECL(bs, TB, i32, int32_t)     \
  SPCC_RT_POW_DECL(bs, TB, i64, int64_t)     \
  SPCC_RT_POW_DECL(bs, TB, u8, uint8_t)      \
  SPCC_RT_POW_DECL(bs, TB, u16, uint16_t)    \
  SPCC_RT_POW_DECL(bs, TB, u32, uint32_t)    \
  SPCC_RT_POW_DECL(bs, TB, u64, uint64_t)
SPCC_RT_POW_ALL_EXP(f32, float)
SPCC_RT_POW_ALL_EXP(f64, double)
SPCC_RT_POW_ALL_EXP(i32, int32_t)
SPCC_RT_POW_ALL_EXP(i64, int64_t)
#undef SPCC_RT_POW_ALL_EXP
#undef SPCC_RT_POW_DECL

/* ---- same-type two-operand kernels: y = op(a, b) ----------------------------- */
#define SPCC_RT_BIN_DECL(op, sfx, T) \
  void spcc_##op##_##sfx(const spcc_binary_params *p, const T *a, const T *b, T *y);
#define SPCC_RT_ACC_DECL(op, sfx, T) \
  void spcc_##op##_acc_##sfx(const spcc_binary_params *p, const T *b, T *y);
#define SPCC_RT_NUMERIC(M, op)   \
  M(op, f32, float)              \
  M(op, f64, double)             \
  M(op, i8, int8_t)              \
  M(op, i16, int16_t)            \
  M(op, i32, int32_t)            \
  M(op, i64, int64_t)            \
  M(op, u8, uint8_t)             \
  M(op, u16, uint16_t)           \
  M(op, u32, uint32_t)           \
  M(op, u64, uint64_t)
#define SPCC_RT_UNSIGNED(M, op) \
  M(op, u8, uint8_t)            \
  M(op, u16, uint16_t)          \
  M(op, u32, uint32_t)          \
  M(op, u64, uint64_t)

SPCC_RT_NUMERIC(SPCC_RT_BIN_DECL, mod)
SPCC_RT_NUMERIC(SPCC_RT_BIN_DECL, fmod)
SPCC_RT_UNSIGNED(SPCC_RT_BIN_DECL, shl)
SPCC_RT_UNSIGNED(SPCC_RT_BIN_DECL, shr)
SPCC_RT_NUMERIC(SPCC_RT_BIN_DECL, min)
SPCC_RT_NUMERIC(SPCC_RT_BIN_DECL, max)
/* Sum's first step is spcc_add_<T> (rt/elementwise.h). */
SPCC_RT_NUMERIC(SPCC_RT_ACC_DECL, min)
SPCC_RT_NUMERIC(SPCC_RT_ACC_DECL, max)
SPCC_RT_NUMERIC(SPCC_RT_ACC_DECL, sum)

/* Mean's last step: y[i] /= count over n elements. */
void spcc_mean_finish_f32(int64_t n, int64_t count, float *y);
void spcc_mean_finish_f64(int64_t n, int64_t count, double *y);

/* ---- comparisons: bool y = a OP b ------------------------------------------ */
#define SPCC_RT_CMP_DECL(op, sfx, T) \
  void spcc_##op##_##sfx(const spcc_binary_params *p, const T *a, const T *b, uint8_t *y);
SPCC_RT_NUMERIC(SPCC_RT_CMP_DECL, equal)
SPCC_RT_CMP_DECL(equal, bool, uint8_t)
SPCC_RT_NUMERIC(SPCC_RT_CMP_DECL, less)
SPCC_RT_NUMERIC(SPCC_RT_CMP_DECL, less_equal)
SPCC_RT_NUMERIC(SPCC_RT_CMP_DECL, greater)
SPCC_RT_NUMERIC(SPCC_RT_CMP_DECL, greater_equal)

/* ---- logic on bool ----------------------------------------------------------- */
SPCC_RT_BIN_DECL(and, bool, uint8_t)
SPCC_RT_BIN_DECL(or, bool, uint8_t)
SPCC_RT_BIN_DECL(xor, bool, uint8_t)

/* ---- Where ----------------------------------------------------------------------
 * Same layout conventions as spcc_binary_params, with three operands:
 * c (the bool condition), x (taken where c is true), y (elsewhere). */
typedef struct {
  int64_t rank;
  int64_t dims[SPCC_RT_MAX_RANK];
  int64_t c_strides[SPCC_RT_MAX_RANK];
  int64_t x_strides[SPCC_RT_MAX_RANK];
  int64_t y_strides[SPCC_RT_MAX_RANK];
} spcc_where_params;

#define SPCC_RT_WHERE_DECL(op, sfx, T) \
  void spcc_##op##_##sfx(const spcc_where_params *p, const uint8_t *c, const T *x, const T *y, \
                         T *out);
SPCC_RT_NUMERIC(SPCC_RT_WHERE_DECL, where)
SPCC_RT_WHERE_DECL(where, bool, uint8_t)

#undef SPCC_RT_WHERE_DECL
#undef SPCC_RT_CMP_DECL
#undef SPCC_RT_UNSIGNED
#undef SPCC_RT_NUMERIC
#undef SPCC_RT_ACC_DECL
#undef SPCC_RT_BIN_DECL

#endif
