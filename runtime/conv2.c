/* conv2.c - ConvTranspose, LpPool, GlobalMaxPool, GlobalLpPool and
 * MaxUnpool kernels.
 *
 * ConvTranspose scatters: each input row, for each kernel tap of the outer
 * dims whose output row exists, adds w * x along the last dim at stride
 * `strides`; the range of input columns that land inside the output is
 * computed once per tap, so the inner loop carries no checks. This file
 * holds the type-independent geometry; conv2_impl.h the per-type loops.
 */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "spcc/spcc_rt.h"

#define C2_CAT_(a, b) a##_##b
#define C2_CAT(a, b) C2_CAT_(a, b)

typedef struct {
  int64_t S;
  int64_t in_size, out_size, k_size;   /* spatial elements per channel */
  int64_t in_rows, k_rows;             /* rows over the outer dims */
  int64_t out_stride[SPCC_RT_MAX_SPATIAL];
  int64_t cg, mg;                      /* channels per group: input, output */
} ct_geom;

static bool ct_geom_init(ct_geom *gm, const spcc_conv_transpose_params *p) {
  int64_t S = p->spatial;
  if (S < 1 || S > SPCC_RT_MAX_SPATIAL || p->group < 1) return false;
  gm->S = S;
  gm->in_size = gm->out_size = gm->k_size = 1;
  for (int64_t i = S - 1; i >= 0; i--) {
    if (p->strides[i] < 1 || p->dilations[i] < 1) return false;
    gm->out_stride[i] = gm->out_size;
    gm->in_size *= p->in_dims[i];
    gm->out_size *= p->out_dims[i];
    gm->k_size *= p->kernel[i];
  }
  gm->in_rows = gm->in_size / (p->in_dims[S - 1] ? p->in_dims[S - 1] : 1);
  gm->k_rows = gm->k_size / (p->kernel[S - 1] ? p->kernel[S - 1] : 1);
  gm->cg = p->in_channels / p->group;
  gm->mg = p->out_channels / p->group;
  return gm->cg > 0 && gm->mg > 0 && gm->out_size > 0;
}

/* Offset of the output row that input row ir and outer kernel tap row kr
 * write; false when it lies outside the output. */
static bool ct_out_row(const ct_geom *gm, const spcc_conv_transpose_params *p, int64_t ir,
                       int64_t kr, int64_t *orow) {
  int64_t off = 0;
  for (int64_t i = gm->S - 2; i >= 0; i--) {
    int64_t ic = ir % p->in_dims[i], kc = kr % p->kernel[i];
    ir /= p->in_dims[i];
    kr /= p->kernel[i];
    int64_t o = ic * p->strides[i] + kc * p->dilations[i] - p->pads[i];
    if (o < 0 || o >= p->out_dims[i]) return false;
    off += o * gm->out_stride[i];
  }
  *orow = off;
  return true;
}

static int64_t ct_floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Input columns i in [0, in) with i * s + off inside [0, out): [*lo, *hi). */
static void ct_in_range(int64_t off, int64_t s, int64_t in, int64_t out, int64_t *lo,
                        int64_t *hi) {
  int64_t l = off >= 0 ? 0 : -ct_floor_div(off, s);
  int64_t h = out - 1 - off < 0 ? 0 : (out - 1 - off) / s + 1;
  if (h > in) h = in;
  if (h < l) h = l;
  *lo = l;
  *hi = h;
}

#define C2_T float
#define C2_SFX f32
#define C2_ABS fabsf
#define C2_POW pow
#include "conv2_impl.h"
#undef C2_POW
#undef C2_ABS
#undef C2_SFX
#undef C2_T

#define C2_T double
#define C2_SFX f64
#define C2_ABS fabs
#define C2_POW pow
#include "conv2_impl.h"
#undef C2_POW
#undef C2_ABS
#undef C2_SFX
#undef C2_T

/* Position in y of flat index t over index_dims, or -1 when outside. */
static int64_t unpool_target(const spcc_max_unpool_params *p, int64_t t) {
  int64_t off = 0, mul = 1;
  for (int64_t i = p->rank - 1; i >= 0; i--) {
    int64_t c = t % p->index_dims[i];
    t /= p->index_dims[i];
    if (c >= p->y_dims[i]) return -1;
    off += c * mul;
    mul *= p->y_dims[i];
  }
  return t == 0 ? off : -1;
}

void spcc_max_unpool(const spcc_max_unpool_params *p, const void *x, const int64_t *indices,
                     void *y) {
  const unsigned char *xs = x;
  unsigned char *ys = y;
  size_t es = (size_t)p->elem_size;
  bool same = p->rank > 0 && p->rank <= SPCC_RT_MAX_RANK;
  for (int64_t i = 0; same && i < p->rank; i++) same = p->index_dims[i] == p->y_dims[i];
  memset(ys, 0, (size_t)p->y_numel * es);
  for (int64_t i = 0; i < p->x_numel; i++) {
    int64_t t = indices[i];
    if (t < 0) continue;
    if (!same) t = unpool_target(p, t);
    if (t >= 0 && t < p->y_numel) memcpy(ys + (size_t)t * es, xs + (size_t)i * es, es);
  }
}
