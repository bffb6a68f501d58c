/* quant_int.c - integer matrix products and convolutions: MatMulInteger,
 * QLinearMatMul, ConvInteger, QLinearConv, for u8/i8 operands.
 *
 * Accumulation is int32 computed through uint32 (wraps, never undefined).
 * The matmuls accumulate QI_CHUNK output columns at once on the stack (the
 * inner loop walks a row of B and vectorizes); the convolutions compute
 * each output element directly, its window clipped to the input once per
 * position so the tap loops carry no checks, and need no scratch memory. quant_impl.h holds the per-type-pair bodies.
 */
#include <math.h>
#include <stdbool.h>

#include "spcc/spcc_rt.h"

#define QI_CHUNK 64
#define QI_CAT_(a, b, c) a##_##b##_##c
#define QI_CAT(a, b, c) QI_CAT_(a, b, c)

/* The two's complement value of u, without an implementation-defined
 * conversion. */
static int32_t qi_s32(uint32_t u) {
  return u <= 0x7fffffffu ? (int32_t)u : (int32_t)(u - 0x80000000u) - 0x7fffffff - 1;
}

/* rint(v) + zp saturated to [lo, hi]; NaN gives the zero point. */
static int32_t qi_requant(float v, int32_t zp, int32_t lo, int32_t hi) {
  if (v != v) v = 0;
  double r = (double)rintf(v) + (double)zp;
  if (r < (double)lo) return lo;
  if (r > (double)hi) return hi;
  return (int32_t)r;
}

static int64_t qi_batches(const spcc_qmatmul_params *p) {
  int64_t nb = 1;
  for (int64_t i = 0; i < p->batch_rank; i++) nb *= p->out_batch[i];
  return nb;
}

/* Element offsets of A and B for output batch bi. */
static void qi_batch_offsets(const spcc_qmatmul_params *p, int64_t bi, int64_t *ao,
                             int64_t *bo) {
  int64_t a = 0, b = 0;
  for (int64_t i = p->batch_rank - 1; i >= 0; i--) {
    int64_t c = bi % p->out_batch[i];
    bi /= p->out_batch[i];
    a += c * p->a_batch_stride[i];
    b += c * p->b_batch_stride[i];
  }
  *ao = a;
  *bo = b;
}

typedef struct {
  int64_t in_size, out_size, k_size;
  int64_t in_stride[SPCC_RT_MAX_SPATIAL];
  int64_t k_stride[SPCC_RT_MAX_SPATIAL];
  int64_t cg, mg;
} qi_conv_geom;

/* The window of one output position: per dim the input coordinate of tap
 * 0 and the taps [klo, khi) that fall inside the input. */
typedef struct {
  int64_t start[SPCC_RT_MAX_SPATIAL], klo[SPCC_RT_MAX_SPATIAL], khi[SPCC_RT_MAX_SPATIAL];
  bool empty;
} qi_window;

static int64_t qi_floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void qi_window_at(qi_window *wd, const spcc_conv_params *p, const int64_t *o) {
  wd->empty = false;
  for (int64_t i = 0; i < p->spatial; i++) {
    int64_t st = o[i] * p->strides[i] - p->pads[i], d = p->dilations[i];
    int64_t lo = st >= 0 ? 0 : -qi_floor_div(st, d);
    int64_t hi = p->in_dims[i] - 1 - st < 0 ? 0 : (p->in_dims[i] - 1 - st) / d + 1;
    if (hi > p->kernel[i]) hi = p->kernel[i];
    if (hi <= lo) wd->empty = true;
    wd->start[i] = st;
    wd->klo[i] = lo;
    wd->khi[i] = hi;
  }
}

static bool qi_conv_geom_init(qi_conv_geom *gm, const spcc_conv_params *p) {
  if (p->spatial < 1 || p->spatial > SPCC_RT_MAX_SPATIAL || p->group < 1) return false;
  gm->in_size = gm->out_size = gm->k_size = 1;
  for (int64_t i = p->spatial - 1; i >= 0; i--) {
    if (p->strides[i] < 1 || p->dilations[i] < 1) return false;
    gm->in_stride[i] = gm->in_size;
    gm->k_stride[i] = gm->k_size;
    gm->in_size *= p->in_dims[i];
    gm->out_size *= p->out_dims[i];
    gm->k_size *= p->kernel[i];
  }
  gm->cg = p->in_channels / p->group;
  gm->mg = p->out_channels / p->group;
  return gm->mg > 0 && gm->out_size > 0;
}

static void qi_next(int64_t *o, const spcc_conv_params *p) {
  for (int64_t i = p->spatial - 1; i >= 0; i--) {
    if (++o[i] < p->out_dims[i]) return;
    o[i] = 0;
  }
}

#define QX_T uint8_t
#define QX_SFX u8
#define QY_LO 0
#define QY_HI 255
#define QW_T uint8_t
#define QW_SFX u8
#include "quant_impl.h"
#undef QW_SFX
#undef QW_T
#define QW_T int8_t
#define QW_SFX i8
#include "quant_impl.h"
#undef QW_SFX
#undef QW_T
#undef QY_HI
#undef QY_LO
#undef QX_SFX
#undef QX_T

#define QX_T int8_t
#define QX_SFX i8
#define QY_LO -128
#define QY_HI 127
#define QW_T uint8_t
#define QW_SFX u8
#include "quant_impl.h"
#undef QW_SFX
#undef QW_T
#define QW_T int8_t
#define QW_SFX i8
#include "quant_impl.h"
#undef QW_SFX
#undef QW_T
#undef QY_HI
#undef QY_LO
#undef QX_SFX
#undef QX_T
