/* pool.c - MaxPool, AveragePool and GlobalAveragePool kernels for any
 * number of spatial dims.
 *
 * This file holds the type-independent window geometry; pool_impl.h holds
 * the per-type loops, instantiated below (MaxPool for f32, f64, i8, u8;
 * the averages for f32 and f64). For each output position the window is
 * clipped to the input once per dim, so the tap loops carry no bounds
 * checks; the innermost loop walks the last spatial dim.
 */
#include <math.h>
#include <stdbool.h>

#include "spcc/spcc_rt.h"

#define POOL_CAT_(a, b) a##_##b
#define POOL_CAT(a, b) POOL_CAT_(a, b)

typedef struct {
  int64_t S;
  int64_t in_size, out_size;
  int64_t in_stride[SPCC_RT_MAX_SPATIAL];
} pool_geom;

/* One window: per dim, the input coordinate of tap 0 and the taps inside
 * the input [klo, khi); count_pad counts taps on explicit padding too. */
typedef struct {
  int64_t start[SPCC_RT_MAX_SPATIAL];
  int64_t klo[SPCC_RT_MAX_SPATIAL], khi[SPCC_RT_MAX_SPATIAL];
  int64_t count, count_pad;
} pool_window;

static int64_t pool_floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Taps k in [0, K) with start + k * d inside [0, in). */
static void pool_valid_range(int64_t start, int64_t d, int64_t K, int64_t in, int64_t *klo,
                             int64_t *khi) {
  int64_t lo = start >= 0 ? 0 : -pool_floor_div(start, d);
  int64_t hi = in - 1 - start < 0 ? 0 : (in - 1 - start) / d + 1;
  if (hi > K) hi = K;
  if (hi < lo) hi = lo;
  *klo = lo;
  *khi = hi;
}

static bool pool_geom_init(pool_geom *gm, const spcc_pool_params *p) {
  gm->S = p->spatial;
  if (gm->S < 1 || gm->S > SPCC_RT_MAX_SPATIAL) return false;
  gm->in_size = gm->out_size = 1;
  for (int64_t i = gm->S - 1; i >= 0; i--) {
    if (p->strides[i] < 1 || p->dilations[i] < 1) return false;
    gm->in_stride[i] = gm->in_size;
    gm->in_size *= p->in_dims[i];
    gm->out_size *= p->out_dims[i];
  }
  return gm->out_size > 0 && p->batch > 0 && p->channels > 0;
}

/* The window of output coordinates o. */
static void pool_window_at(pool_window *wd, const spcc_pool_params *p, const pool_geom *gm,
                           const int64_t *o) {
  wd->count = wd->count_pad = 1;
  for (int64_t i = 0; i < gm->S; i++) {
    int64_t st = o[i] * p->strides[i] - p->pads[i], lo, hi;
    wd->start[i] = st;
    pool_valid_range(st, p->dilations[i], p->kernel[i], p->in_dims[i], &wd->klo[i],
                     &wd->khi[i]);
    wd->count *= wd->khi[i] - wd->klo[i];
    /* Taps on explicit padding: inside [-pads, in + pads_end). */
    pool_valid_range(st + p->pads[i], p->dilations[i], p->kernel[i],
                     p->in_dims[i] + p->pads[i] + p->pads_end[i], &lo, &hi);
    wd->count_pad *= hi - lo;
  }
}

static void pool_next(int64_t *o, const spcc_pool_params *p, int64_t S) {
  for (int64_t i = S - 1; i >= 0; i--) {
    if (++o[i] < p->out_dims[i]) return;
    o[i] = 0;
  }
}

/* Offset of the first input row of the window's outer taps (dims [0, S-1)),
 * advancing k over them; false when every row was visited. */
static bool pool_row(const pool_window *wd, const spcc_pool_params *p, const pool_geom *gm,
                     int64_t *k, bool *started, int64_t *off) {
  int64_t S = gm->S;
  if (!*started) {
    *started = true;
    for (int64_t i = 0; i < S; i++)
      if (wd->khi[i] == wd->klo[i]) return false;
    for (int64_t i = 0; i < S - 1; i++) k[i] = wd->klo[i];
  } else {
    int64_t i = S - 2;
    for (; i >= 0; i--) {
      if (++k[i] < wd->khi[i]) break;
      k[i] = wd->klo[i];
    }
    if (i < 0) return false;
  }
  int64_t o = 0;
  for (int64_t i = 0; i < S - 1; i++)
    o += (wd->start[i] + k[i] * p->dilations[i]) * gm->in_stride[i];
  *off = o;
  return true;
}

/* Row-major spatial offset -> index in storage_order (1 = column-major). */
static int64_t pool_index(const spcc_pool_params *p, const pool_geom *gm, int64_t off) {
  if (p->storage_order != 1) return off;
  int64_t idx = 0, mul = 1;
  for (int64_t i = 0; i < gm->S; i++) {
    idx += (off / gm->in_stride[i] % p->in_dims[i]) * mul;
    mul *= p->in_dims[i];
  }
  return idx;
}

#define POOL_T float
#define POOL_SFX f32
#define POOL_LOWEST (-INFINITY)
#define POOL_AVG
#include "pool_impl.h"
#undef POOL_AVG
#undef POOL_LOWEST
#undef POOL_SFX
#undef POOL_T

#define POOL_T double
#define POOL_SFX f64
#define POOL_LOWEST (-(double)INFINITY)
#define POOL_AVG
#include "pool_impl.h"
#undef POOL_AVG
#undef POOL_LOWEST
#undef POOL_SFX
#undef POOL_T

#define POOL_T int8_t
#define POOL_SFX i8
#define POOL_LOWEST INT8_MIN
#include "pool_impl.h"
#undef POOL_LOWEST
#undef POOL_SFX
#undef POOL_T

#define POOL_T uint8_t
#define POOL_SFX u8
#define POOL_LOWEST 0
#include "pool_impl.h"
#undef POOL_LOWEST
#undef POOL_SFX
#undef POOL_T
