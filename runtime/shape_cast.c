/* shape_cast.c - Cast between every pair of element types, and constant
 * fills (ConstantOfShape, Dropout's mask).
 *
 * C leaves float -> integer conversion undefined when the value does not
 * fit, and signed narrowing implementation-defined, so every conversion
 * here goes through a helper that defines it: floats truncate toward zero
 * and saturate at the target's range (NaN gives 0); integers wrap to the
 * target's width (two's complement); any value -> bool is (x != 0); bool
 * is 0 or 1. Each source element is widened to double, int64_t or uint64_t
 * (by its kind) and then converted, so one helper per target and kind
 * covers all 121 pairs. The type switch happens once per call; the element
 * loops are plain and vectorizable.
 */
#include <stdint.h>
#include <string.h>

#include "spcc/spcc_rt.h"

/* Low `bits` bits of u as a signed two's-complement value. */
static int64_t wrap_signed(uint64_t u, int bits) {
  if (bits < 64) {
    const uint64_t mask = (UINT64_C(1) << bits) - 1, half = UINT64_C(1) << (bits - 1);
    u &= mask;
    return u >= half ? (int64_t)u - (int64_t)(UINT64_C(1) << bits) : (int64_t)u;
  }
  return u > (uint64_t)INT64_MAX ? -(int64_t)(~u) - 1 : (int64_t)u;
}

/* Saturating truncation of v to a signed `bits`-bit range. */
static int64_t sat_signed(double v, int bits) {
  const double lim = bits == 64 ? 9223372036854775808.0 : (double)(INT64_C(1) << (bits - 1));
  if (v != v) return 0;
  if (v >= lim) return bits == 64 ? INT64_MAX : (INT64_C(1) << (bits - 1)) - 1;
  if (v < -lim) return bits == 64 ? INT64_MIN : -(INT64_C(1) << (bits - 1));
  return (int64_t)v;
}

/* Saturating truncation of v to an unsigned `bits`-bit range. */
static uint64_t sat_unsigned(double v, int bits) {
  const double lim = bits == 64 ? 18446744073709551616.0 : (double)(UINT64_C(1) << bits);
  if (v != v || v <= -1.0) return 0;
  if (v >= lim) return bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
  return (uint64_t)v;
}

/* Converters: cvt_<kind>_<target>, kind f (from double), i (from int64_t),
 * u (from uint64_t). */
#define DEFINE_INT_TARGET(NAME, T, BITS, SIGNED)                                   \
  static T cvt_f_##NAME(double v) {                                                \
    return SIGNED ? (T)sat_signed(v, BITS) : (T)sat_unsigned(v, BITS);             \
  }                                                                                \
  static T cvt_u_##NAME(uint64_t v) {                                              \
    return SIGNED ? (T)wrap_signed(v, BITS) : (T)v;                                \
  }                                                                                \
  static T cvt_i_##NAME(int64_t v) { return cvt_u_##NAME((uint64_t)v); }

DEFINE_INT_TARGET(i8, int8_t, 8, 1)
DEFINE_INT_TARGET(i16, int16_t, 16, 1)
DEFINE_INT_TARGET(i32, int32_t, 32, 1)
DEFINE_INT_TARGET(i64, int64_t, 64, 1)
DEFINE_INT_TARGET(u8, uint8_t, 8, 0)
DEFINE_INT_TARGET(u16, uint16_t, 16, 0)
DEFINE_INT_TARGET(u32, uint32_t, 32, 0)
DEFINE_INT_TARGET(u64, uint64_t, 64, 0)

static float cvt_f_f32(double v) { return (float)v; }
static float cvt_i_f32(int64_t v) { return (float)v; }
static float cvt_u_f32(uint64_t v) { return (float)v; }
static double cvt_f_f64(double v) { return v; }
static double cvt_i_f64(int64_t v) { return (double)v; }
static double cvt_u_f64(uint64_t v) { return (double)v; }
static uint8_t cvt_f_bool(double v) { return v != 0.0; }
static uint8_t cvt_i_bool(int64_t v) { return v != 0; }
static uint8_t cvt_u_bool(uint64_t v) { return v != 0; }

#define LOOP(ST, WIDE, K, DT, DN)                                                  \
  do {                                                                             \
    const ST *s_ = (const ST *)x;                                                  \
    DT *d_ = (DT *)y;                                                              \
    for (int64_t i = 0; i < n; i++) d_[i] = cvt_##K##_##DN((WIDE)s_[i]);           \
  } while (0)

/* All targets for one source type ST of kind K (widened to WIDE). */
#define FROM(ST, WIDE, K)                                                          \
  switch (to) {                                                                    \
  case SPCC_RT_DT_F32: LOOP(ST, WIDE, K, float, f32); break;                       \
  case SPCC_RT_DT_F64: LOOP(ST, WIDE, K, double, f64); break;                      \
  case SPCC_RT_DT_I8: LOOP(ST, WIDE, K, int8_t, i8); break;                        \
  case SPCC_RT_DT_I16: LOOP(ST, WIDE, K, int16_t, i16); break;                     \
  case SPCC_RT_DT_I32: LOOP(ST, WIDE, K, int32_t, i32); break;                     \
  case SPCC_RT_DT_I64: LOOP(ST, WIDE, K, int64_t, i64); break;                     \
  case SPCC_RT_DT_U8: LOOP(ST, WIDE, K, uint8_t, u8); break;                       \
  case SPCC_RT_DT_U16: LOOP(ST, WIDE, K, uint16_t, u16); break;                    \
  case SPCC_RT_DT_U32: LOOP(ST, WIDE, K, uint32_t, u32); break;                    \
  case SPCC_RT_DT_U64: LOOP(ST, WIDE, K, uint64_t, u64); break;                    \
  case SPCC_RT_DT_BOOL: LOOP(ST, WIDE, K, uint8_t, bool); break;                   \
  default: break;                                                                  \
  }

void spcc_cast(const spcc_cast_params *p, const void *x, void *y) {
  const int64_t n = p->numel, to = p->to;
  switch (p->from) {
  case SPCC_RT_DT_F32: FROM(float, double, f) break;
  case SPCC_RT_DT_F64: FROM(double, double, f) break;
  case SPCC_RT_DT_I8: FROM(int8_t, int64_t, i) break;
  case SPCC_RT_DT_I16: FROM(int16_t, int64_t, i) break;
  case SPCC_RT_DT_I32: FROM(int32_t, int64_t, i) break;
  case SPCC_RT_DT_I64: FROM(int64_t, int64_t, i) break;
  case SPCC_RT_DT_U8: FROM(uint8_t, uint64_t, u) break;
  case SPCC_RT_DT_U16: FROM(uint16_t, uint64_t, u) break;
  case SPCC_RT_DT_U32: FROM(uint32_t, uint64_t, u) break;
  case SPCC_RT_DT_U64: FROM(uint64_t, uint64_t, u) break;
  case SPCC_RT_DT_BOOL: FROM(uint8_t, uint64_t, u) break;
  default: break;
  }
}

void spcc_fill(const spcc_fill_params *p, void *y) {
  /* One element converted like Cast does (u64 from its int64 bit pattern
   * wraps back to the same bits), then copies of it. */
  const int64_t to = p->dtype;
  const int is_float = to == SPCC_RT_DT_F32 || to == SPCC_RT_DT_F64;
  spcc_cast_params c;
  unsigned char one[8];
  size_t es;
  c.numel = 1;
  c.from = is_float ? SPCC_RT_DT_F64 : SPCC_RT_DT_I64;
  c.to = to;
  spcc_cast(&c, is_float ? (const void *)&p->fvalue : (const void *)&p->ivalue, one);
  switch (to) {
  case SPCC_RT_DT_F64: case SPCC_RT_DT_I64: case SPCC_RT_DT_U64: es = 8; break;
  case SPCC_RT_DT_F32: case SPCC_RT_DT_I32: case SPCC_RT_DT_U32: es = 4; break;
  case SPCC_RT_DT_I16: case SPCC_RT_DT_U16: es = 2; break;
  default: es = 1; break;
  }
  unsigned char *dst = (unsigned char *)y;
  for (int64_t i = 0; i < p->numel; i++) memcpy(dst + (size_t)i * es, one, es);
}
