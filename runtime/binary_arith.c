/* binary_arith.c - Pow, Mod/Fmod and BitShift kernels with broadcasting.
 *
 * Each kernel is SPCC_BIN_KERNEL (binary_loop.h) around a scalar function
 * that defines every case C leaves undefined (rt/binary.h lists them):
 * integer powers wrap in an unsigned type, float-to-integer conversions
 * saturate, x mod 0 and INT_MIN mod -1 are 0, and over-wide shifts give 0.
 * Pow follows the ONNX reference (numpy): f32 ** f32 stays in float, every
 * other pair with a float side is computed in double and converted back to
 * the base type.
 */
#include <math.h>

#include "binary_loop.h"

/* ---- Pow ------------------------------------------------------------------ */

/* double -> integer base type, truncating; out of range saturates, NaN is 0. */
static inline int32_t sat_i32(double v) {
  if (v != v) return 0;
  if (v >= 2147483648.0) return INT32_MAX;
  if (v <= -2147483649.0) return INT32_MIN;
  return (int32_t)v;
}
static inline int64_t sat_i64(double v) {
  if (v != v) return 0;
  if (v >= 9223372036854775808.0) return INT64_MAX;
  if (v < -9223372036854775808.0) return INT64_MIN;
  return (int64_t)v;
}
static inline float cvt_f32(double v) { return (float)v; }
static inline double cvt_f64(double v) { return v; }
#define cvt_i32 sat_i32
#define cvt_i64 sat_i64

/* base^e for e >= 0 by repeated squaring in the unsigned type W (wraps). */
static inline uint32_t upow32(uint32_t b, uint64_t e) {
  uint32_t r = 1;
  while (e) {
    if (e & 1u) r *= b;
    b *= b;
    e >>= 1;
  }
  return r;
}
static inline uint64_t upow64(uint64_t b, uint64_t e) {
  uint64_t r = 1;
  while (e) {
    if (e & 1u) r *= b;
    b *= b;
    e >>= 1;
  }
  return r;
}

/* Integer base, negative exponent: the truncated value of 1 / base^|e|. */
#define NEG_POW(x, e) ((x) == 1 ? 1 : (x) == -1 ? (((e) & 1) ? -1 : 1) : 0)

/* Float base or float exponent: through double (powf for f32 ** f32). */
#define POW_VIA_DOUBLE(bs, TB, es, TE)                                          \
  static inline TB pow_##bs##_##es(TB x, TE e) {                                \
    return cvt_##bs(pow((double)x, (double)e));                                 \
  }                                                                             \
  SPCC_BIN_KERNEL(spcc_pow_##bs##_##es, TB, TE, TB, pow_##bs##_##es)

static inline float pow_f32_f32(float x, float e) { return powf(x, e); }
SPCC_BIN_KERNEL(spcc_pow_f32_f32, float, float, float, pow_f32_f32)
POW_VIA_DOUBLE(f32, float, f64, double)
POW_VIA_DOUBLE(f32, float, i8, int8_t)
POW_VIA_DOUBLE(f32, float, i16, int16_t)
POW_VIA_DOUBLE(f32, float, i32, int32_t)
POW_VIA_DOUBLE(f32, float, i64, int64_t)
POW_VIA_DOUBLE(f32, float, u8, uint8_t)
POW_VIA_DOUBLE(f32, float, u16, uint16_t)
POW_VIA_DOUBLE(f32, float, u32, uint32_t)
POW_VIA_DOUBLE(f32, float, u64, uint64_t)
POW_VIA_DOUBLE(f64, double, f32, float)
POW_VIA_DOUBLE(f64, double, f64, double)
POW_VIA_DOUBLE(f64, double, i8, int8_t)
POW_VIA_DOUBLE(f64, double, i16, int16_t)
POW_VIA_DOUBLE(f64, double, i32, int32_t)
POW_VIA_DOUBLE(f64, double, i64, int64_t)
POW_VIA_DOUBLE(f64, double, u8, uint8_t)
POW_VIA_DOUBLE(f64, double, u16, uint16_t)
POW_VIA_DOUBLE(f64, double, u32, uint32_t)
POW_VIA_DOUBLE(f64, double, u64, uint64_t)
POW_VIA_DOUBLE(i32, int32_t, f32, float)
POW_VIA_DOUBLE(i32, int32_t, f64, double)
POW_VIA_DOUBLE(i64, int64_t, f32, float)
POW_VIA_DOUBLE(i64, int64_t, f64, double)

/* Integer ** integer. UP: upow32/upow64, W its unsigned type. */
#define POW_INT_SIGNED_EXP(bs, TB, W, UP, es, TE)                          \
  static inline TB pow_##bs##_##es(TB x, TE e) {                           \
    if (e < 0) return (TB)NEG_POW(x, e);                                   \
    return (TB)UP((W)x, (uint64_t)e);                                      \
  }                                                                        \
  SPCC_BIN_KERNEL(spcc_pow_##bs##_##es, TB, TE, TB, pow_##bs##_##es)
#define POW_INT_UNSIGNED_EXP(bs, TB, W, UP, es, TE)                        \
  static inline TB pow_##bs##_##es(TB x, TE e) { return (TB)UP((W)x, (uint64_t)e); } \
  SPCC_BIN_KERNEL(spcc_pow_##bs##_##es, TB, TE, TB, pow_##bs##_##es)
#define POW_INT_ALL(bs, TB, W, UP)                              \
  POW_INT_SIGNED_EXP(bs, TB, W, UP, i8, int8_t)                 \
  POW_INT_SIGNED_EXP(bs, TB, W, UP, i16, int16_t)               \
  POW_INT_SIGNED_EXP(bs, TB, W, UP, i32, int32_t)               \
  POW_INT_SIGNED_EXP(bs, TB, W, UP, i64, int64_t)               \
  POW_INT_UNSIGNED_EXP(bs, TB, W, UP, u8, uint8_t)              \
  POW_INT_UNSIGNED_EXP(bs, TB, W, UP, u16, uint16_t)            \
  POW_INT_UNSIGNED_EXP(bs, TB, W, UP, u32, uint32_t)            \
  POW_INT_UNSIGNED_EXP(bs, TB, W, UP, u64, uint64_t)
POW_INT_ALL(i32, int32_t, uint32_t, upow32)
POW_INT_ALL(i64, int64_t, uint64_t, upow64)

/* ---- Mod / Fmod -------------------------------------------------------------- */

#define FLOAT_MOD(sfx, T, FMOD)                                                   \
  static inline T fmod_##sfx(T x, T y) { return FMOD(x, y); }                     \
  static inline T mod_##sfx(T x, T y) {                                           \
    T r = FMOD(x, y);                                                             \
    if (r != 0 && ((r < 0) != (y < 0))) r += y;                                   \
    return r;                                                                     \
  }                                                                               \
  SPCC_BIN_KERNEL(spcc_fmod_##sfx, T, T, T, fmod_##sfx)                           \
  SPCC_BIN_KERNEL(spcc_mod_##sfx, T, T, T, mod_##sfx)

/* y == -1 is answered directly: INT_MIN % -1 overflows in C. The sign fix
 * adds numbers of opposite signs, so it cannot overflow. */
#define SIGNED_MOD(sfx, T)                                                        \
  static inline T fmod_##sfx(T x, T y) {                                          \
    if (y == 0 || y == -1) return 0;                                              \
    return (T)(x % y);                                                            \
  }                                                                               \
  static inline T mod_##sfx(T x, T y) {                                           \
    T r;                                                                          \
    if (y == 0 || y == -1) return 0;                                              \
    r = (T)(x % y);                                                               \
    if (r != 0 && ((r < 0) != (y < 0))) r = (T)(r + y);                           \
    return r;                                                                     \
  }                                                                               \
  SPCC_BIN_KERNEL(spcc_fmod_##sfx, T, T, T, fmod_##sfx)                           \
  SPCC_BIN_KERNEL(spcc_mod_##sfx, T, T, T, mod_##sfx)

#define UNSIGNED_MOD(sfx, T)                                                      \
  static inline T mod_##sfx(T x, T y) { return y == 0 ? (T)0 : (T)(x % y); }      \
  SPCC_BIN_KERNEL(spcc_fmod_##sfx, T, T, T, mod_##sfx)                            \
  SPCC_BIN_KERNEL(spcc_mod_##sfx, T, T, T, mod_##sfx)

FLOAT_MOD(f32, float, fmodf)
FLOAT_MOD(f64, double, fmod)
SIGNED_MOD(i8, int8_t)
SIGNED_MOD(i16, int16_t)
SIGNED_MOD(i32, int32_t)
SIGNED_MOD(i64, int64_t)
UNSIGNED_MOD(u8, uint8_t)
UNSIGNED_MOD(u16, uint16_t)
UNSIGNED_MOD(u32, uint32_t)
UNSIGNED_MOD(u64, uint64_t)

/* ---- BitShift ------------------------------------------------------------------ */

/* W: unsigned type at least as wide as T and as unsigned int, so narrow
 * operands never promote to (signed) int before shifting. */
#define SHIFTS(sfx, T, W, BITS)                                                   \
  static inline T shl_##sfx(T x, T s) { return s >= BITS ? (T)0 : (T)((W)x << s); } \
  static inline T shr_##sfx(T x, T s) { return s >= BITS ? (T)0 : (T)((W)x >> s); } \
  SPCC_BIN_KERNEL(spcc_shl_##sfx, T, T, T, shl_##sfx)                             \
  SPCC_BIN_KERNEL(spcc_shr_##sfx, T, T, T, shr_##sfx)

SHIFTS(u8, uint8_t, uint32_t, 8)
SHIFTS(u16, uint16_t, uint32_t, 16)
SHIFTS(u32, uint32_t, uint32_t, 32)
SHIFTS(u64, uint64_t, uint64_t, 64)
