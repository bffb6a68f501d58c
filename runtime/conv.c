/* conv.c - Conv kernels (spcc_conv_f32, spcc_conv_f64) for any number of
 * spatial dims, groups (incl. depthwise), strides, dilations and pads.
 *
 * This file holds the type-independent geometry: the output rows, and for
 * one row the list of (input channel, outer kernel tap) pairs that read an
 * existing input row. conv_impl.h holds the arithmetic, instantiated below
 * for float and double. Everything lives on the stack (no scratch memory):
 * tap lists are handed over CONV_TAPS entries at a time.
 */
#include <stdbool.h>

#include "spcc/spcc_rt.h"

#define GM_NO_PACKED_A

#define CONV_MB 4    /* output channels per vector block */
#define CONV_VB 8    /* output columns per vector block */
#define CONV_TAPS 64 /* (channel, outer tap) rows per chunk */
#define CONV_MAXO (SPCC_RT_MAX_SPATIAL - 1) /* outer dims */

#define CONV_CAT_(a, b) a##_##b
#define CONV_CAT(a, b) CONV_CAT_(a, b)
#if defined(__GNUC__)
#define CONV_INLINE inline __attribute__((always_inline))
#else
#define CONV_INLINE inline
#endif

typedef struct {
  int64_t outer;                   /* outer spatial dims: spatial - 1 */
  int64_t in_d[CONV_MAXO], out_d[CONV_MAXO], k_d[CONV_MAXO];
  int64_t s_d[CONV_MAXO], d_d[CONV_MAXO], p_d[CONV_MAXO];
  int64_t in_stride[CONV_MAXO];    /* elements between input rows of a dim */
  int64_t k_stride[CONV_MAXO];     /* elements between weight rows of a dim */
  int64_t w_in, w_out, kw, sw, dw, pw; /* the row (last spatial) dim */
  int64_t lo, hi;                  /* interior columns: whole kernel row inside */
  int64_t in_size, out_size, k_size; /* spatial elements per channel */
  int64_t cg, mg;                  /* input / output channels per group */
  int64_t wstride;                 /* weights per output channel: cg * k_size */
  int64_t rows;                    /* output rows per channel */
} conv_geom;

typedef struct {
  int n;
  int64_t xoff[CONV_TAPS]; /* input row start, relative to the group's input */
  int64_t woff[CONV_TAPS]; /* kernel row start, relative to the output channel's weights */
} conv_taps;

typedef struct {
  int64_t o[CONV_MAXO]; /* output coordinates of the row in the outer dims */
} conv_row_iter;

typedef struct {
  int64_t klo[CONV_MAXO], khi[CONV_MAXO], k[CONV_MAXO];
  int64_t start[CONV_MAXO]; /* input coordinate of tap 0 */
  int64_t c;
  bool done;
} conv_tap_iter;

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Taps k in [0, K) with start + k * d inside [0, in): the range [*klo, *khi). */
static void conv_valid_range(int64_t start, int64_t d, int64_t K, int64_t in, int64_t *klo,
                             int64_t *khi) {
  int64_t lo = start >= 0 ? 0 : -floor_div(start, d);
  int64_t hi = in - 1 - start < 0 ? 0 : (in - 1 - start) / d + 1;
  if (hi > K) hi = K;
  if (hi < lo) hi = lo;
  *klo = lo;
  *khi = hi;
}

/* Resolves the parameter block; false when there is nothing to compute. */
static bool conv_geom_init(conv_geom *gm, const spcc_conv_params *p) {
  int64_t S = p->spatial;
  if (S < 1 || S > SPCC_RT_MAX_SPATIAL || p->group < 1) return false;
  int64_t in_d[SPCC_RT_MAX_SPATIAL], out_d[SPCC_RT_MAX_SPATIAL], k_d[SPCC_RT_MAX_SPATIAL];
  int64_t s_d[SPCC_RT_MAX_SPATIAL], d_d[SPCC_RT_MAX_SPATIAL], p_d[SPCC_RT_MAX_SPATIAL];
  bool pointwise = true;
  gm->in_size = gm->out_size = gm->k_size = 1;
  for (int64_t i = 0; i < S; i++) {
    in_d[i] = p->in_dims[i];
    out_d[i] = p->out_dims[i];
    k_d[i] = p->kernel[i];
    s_d[i] = p->strides[i];
    d_d[i] = p->dilations[i];
    p_d[i] = p->pads[i];
    gm->in_size *= in_d[i];
    gm->out_size *= out_d[i];
    gm->k_size *= k_d[i];
    if (k_d[i] != 1 || s_d[i] != 1 || p_d[i] != 0 || in_d[i] != out_d[i]) pointwise = false;
  }
  /* A 1x1 unstrided unpadded conv is one long row per channel. */
  if (pointwise && S > 1) {
    S = 1;
    in_d[0] = gm->in_size;
    out_d[0] = gm->out_size;
    k_d[0] = s_d[0] = d_d[0] = 1;
    p_d[0] = 0;
  }
  gm->outer = S - 1;
  int64_t istr = 1, kstr = 1;
  for (int64_t i = S - 1; i >= 0; i--) {
    if (i < S - 1) {
      gm->in_d[i] = in_d[i];
      gm->out_d[i] = out_d[i];
      gm->k_d[i] = k_d[i];
      gm->s_d[i] = s_d[i];
      gm->d_d[i] = d_d[i];
      gm->p_d[i] = p_d[i];
      gm->in_stride[i] = istr;
      gm->k_stride[i] = kstr;
    }
    istr *= in_d[i];
    kstr *= k_d[i];
  }
  gm->w_in = in_d[S - 1];
  gm->w_out = out_d[S - 1];
  gm->kw = k_d[S - 1];
  gm->sw = s_d[S - 1];
  gm->dw = d_d[S - 1];
  gm->pw = p_d[S - 1];
  gm->cg = p->in_channels / p->group;
  gm->mg = p->out_channels / p->group;
  gm->wstride = gm->cg * gm->k_size;
  if (gm->out_size <= 0 || gm->mg <= 0 || p->batch <= 0 || gm->sw < 1 || gm->dw < 1)
    return false;
  gm->rows = gm->out_size / gm->w_out;

  /* Interior columns: ow * sw - pw >= 0 and ow * sw - pw + (kw - 1) * dw < w_in. */
  int64_t lo = gm->pw <= 0 ? 0 : (gm->pw + gm->sw - 1) / gm->sw;
  int64_t last = gm->w_in - 1 - (gm->kw - 1) * gm->dw + gm->pw;
  int64_t hi = last < 0 ? 0 : last / gm->sw + 1;
  if (lo > gm->w_out) lo = gm->w_out;
  if (hi > gm->w_out) hi = gm->w_out;
  if (hi < lo) hi = lo;
  gm->lo = lo;
  gm->hi = hi;
  return true;
}

static void conv_row_begin(conv_row_iter *it, const conv_geom *gm) {
  for (int64_t i = 0; i < gm->outer; i++) it->o[i] = 0;
}

static void conv_row_next(conv_row_iter *it, const conv_geom *gm) {
  for (int64_t i = gm->outer - 1; i >= 0; i--) {
    if (++it->o[i] < gm->out_d[i]) return;
    it->o[i] = 0;
  }
}

static void conv_tap_begin(conv_tap_iter *ti, const conv_geom *gm, const conv_row_iter *it) {
  ti->done = gm->cg <= 0;
  ti->c = 0;
  for (int64_t i = 0; i < gm->outer; i++) {
    ti->start[i] = it->o[i] * gm->s_d[i] - gm->p_d[i];
    conv_valid_range(ti->start[i], gm->d_d[i], gm->k_d[i], gm->in_d[i], &ti->klo[i],
                     &ti->khi[i]);
    if (ti->khi[i] == ti->klo[i]) ti->done = true;
    ti->k[i] = ti->klo[i];
  }
}

/* Lists the next taps of the row; false when none are left. */
static bool conv_tap_fill(conv_tap_iter *ti, const conv_geom *gm, conv_taps *tp) {
  tp->n = 0;
  while (!ti->done && tp->n < CONV_TAPS) {
    int64_t xo = ti->c * gm->in_size, wo = ti->c * gm->k_size;
    for (int64_t i = 0; i < gm->outer; i++) {
      xo += (ti->start[i] + ti->k[i] * gm->d_d[i]) * gm->in_stride[i];
      wo += ti->k[i] * gm->k_stride[i];
    }
    tp->xoff[tp->n] = xo;
    tp->woff[tp->n] = wo;
    tp->n++;
    int64_t i = gm->outer - 1;
    for (; i >= 0; i--) {
      if (++ti->k[i] < ti->khi[i]) break;
      ti->k[i] = ti->klo[i];
    }
    if (i < 0 && ++ti->c >= gm->cg) ti->done = true;
  }
  return tp->n > 0;
}

#include "gemm_micro_f32.h"
enum { CONV_MR_f32 = GM_MR };
#undef GM_T
#undef GM_SFX
#undef GM_MR
#undef GM_VEC

#define GM_T double
#define GM_SFX f64
#define GM_MR 4
#define GM_VEC 0
#include "gemm_micro.h"
enum { CONV_MR_f64 = GM_MR };
#undef GM_T
#undef GM_SFX
#undef GM_MR
#undef GM_VEC

#define CONV_T float
#define CONV_SFX f32
#include "conv_impl.h"
#undef CONV_T
#undef CONV_SFX

#define CONV_T double
#define CONV_SFX f64
#include "conv_impl.h"
#undef CONV_T
#undef CONV_SFX
