/* resize.c - Resize / Upsample for float32 (nearest, linear, cubic).
 *
 * Sampling is separable: every output element is the tensor product of
 * per-axis taps (1 for nearest, 2 linear, 4 cubic). The taps of one axis
 * depend only on the output coordinate along it, so the outer axes' taps
 * are computed once per output row. Axes whose input and output sizes agree and whose mapping is
 * the identity take a single tap, so the usual NCHW case does 2-D work.
 * Coordinates are computed in double, following the ONNX reference
 * (including its use of scale * input length as the "output length").
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "spcc/spcc_rt.h"

#define MAX_TAPS 4

typedef struct {
  int n;                  /* taps */
  int64_t idx[MAX_TAPS];  /* clamped input indices */
  double w[MAX_TAPS];
  int outside;            /* tf_crop_and_resize point outside the input */
} taps;

static double source_coord(const spcc_resize_params *p, int64_t r, int64_t o) {
  const double in_len = (double)p->in_dims[r], scale = p->scale[r];
  const double out_len = scale * in_len, x = (double)o;
  switch (p->coord) {
  case SPCC_RESIZE_PYTORCH_HALF_PIXEL: return out_len > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
  case SPCC_RESIZE_ALIGN_CORNERS: return out_len == 1 ? 0.0 : x * (in_len - 1) / (out_len - 1);
  case SPCC_RESIZE_ASYMMETRIC: return x / scale;
  case SPCC_RESIZE_TF_HALF_PIXEL_FOR_NN: return (x + 0.5) / scale;
  case SPCC_RESIZE_TF_CROP_AND_RESIZE: {
    const double s = p->roi_start[r], e = p->roi_end[r];
    const double c = out_len == 1 ? (e - s) * (in_len - 1) / 2 : x * (e - s) * (in_len - 1) / (out_len - 1);
    return c + s * (in_len - 1);
  }
  default: return (x + 0.5) / scale - 0.5;
  }
}

static void cubic_coeffs(double r, double a, double *c) {
  const double t0 = r + 1, t3 = 2 - r, u = 1 - r;
  c[0] = ((a * t0 - 5 * a) * t0 + 8 * a) * t0 - 4 * a;
  c[1] = ((a + 2) * r - (a + 3)) * r * r + 1;
  c[2] = ((a + 2) * u - (a + 3)) * u * u + 1;
  c[3] = ((a * t3 - 5 * a) * t3 + 8 * a) * t3 - 4 * a;
}

static int64_t clamp(int64_t i, int64_t n) { return i < 0 ? 0 : i >= n ? n - 1 : i; }

static void axis_taps(const spcc_resize_params *p, int64_t r, int64_t o, taps *t) {
  const int64_t n_in = p->in_dims[r];
  t->outside = 0;
  if (n_in == p->out_dims[r] && p->scale[r] == 1.0 && p->coord != SPCC_RESIZE_TF_CROP_AND_RESIZE &&
      p->coord != SPCC_RESIZE_TF_HALF_PIXEL_FOR_NN) {
    t->n = 1;
    t->idx[0] = o;
    t->w[0] = 1;
    return;
  }
  const double x = source_coord(p, r, o);
  if (p->coord == SPCC_RESIZE_TF_CROP_AND_RESIZE && (x < 0 || x > (double)(n_in - 1))) {
    t->outside = 1;
    t->n = 1;
    t->idx[0] = 0;
    t->w[0] = 0;
    return;
  }
  /* The reference picks the taps nearest to x; at an exact integer x it
   * treats the point as ratio 1 from the previous index. */
  double fl = floor(x), ratio = x - fl;
  int64_t base = (int64_t)fl;
  if (ratio == 0) {
    ratio = 1;
    base -= 1;
  }
  if (p->mode == SPCC_RESIZE_NEAREST) {
    int up;
    if (ratio == 1) up = 1;
    else if (p->nearest == SPCC_RESIZE_ROUND_PREFER_CEIL) up = ratio >= 0.5;
    else if (p->nearest == SPCC_RESIZE_FLOOR) up = 0;
    else if (p->nearest == SPCC_RESIZE_CEIL) up = 1;
    else up = ratio > 0.5;
    t->n = 1;
    t->idx[0] = clamp(base + up, n_in);
    t->w[0] = 1;
    return;
  }
  int64_t first;
  if (p->mode == SPCC_RESIZE_LINEAR) {
    t->n = 2;
    t->w[0] = 1 - ratio;
    t->w[1] = ratio;
    first = base;
  } else {
    t->n = 4;
    cubic_coeffs(ratio, p->cubic_a, t->w);
    first = base - 1;
  }
  double sum = 0;
  for (int k = 0; k < t->n; k++) {
    const int64_t i = first + k;
    if (p->exclude_outside && (i < 0 || i >= n_in)) t->w[k] = 0;
    sum += t->w[k];
    t->idx[k] = clamp(i, n_in);
  }
  if (p->exclude_outside && sum != 0)
    for (int k = 0; k < t->n; k++) t->w[k] /= sum;
}

void spcc_resize_f32(const spcc_resize_params *p, const float *x, float *y) {
  const int64_t rank = p->rank, last = rank - 1, out_w = p->out_dims[last];
  int64_t rows = 1, idx[SPCC_RT_MAX_RANK] = {0}, stride[SPCC_RT_MAX_RANK];
  for (int64_t r = 0; r < last; r++) rows *= p->out_dims[r];
  if (rows == 0 || out_w == 0) return;
  stride[last] = 1;
  for (int64_t r = last - 1; r >= 0; r--) stride[r] = stride[r + 1] * p->in_dims[r + 1];
  for (int64_t row = 0; row < rows; row++, y += out_w) {
    /* Outer axes: their tap combinations give a set of weighted input rows. */
    taps t[SPCC_RT_MAX_RANK];
    int outside = 0;
    int64_t combos = 1;
    for (int64_t r = 0; r < last; r++) {
      axis_taps(p, r, idx[r], &t[r]);
      outside |= t[r].outside;
      combos *= t[r].n;
    }
    for (int64_t c = 0; c < out_w; c++) {
      taps tc;
      axis_taps(p, last, c, &tc);
      if (outside || tc.outside) {
        y[c] = (float)p->extrapolation;
        continue;
      }
      double acc = 0;
      for (int64_t m = 0; m < combos; m++) {
        int64_t rest = m, off = 0;
        double w = 1;
        for (int64_t r = last - 1; r >= 0; r--) {
          const int k = (int)(rest % t[r].n);
          rest /= t[r].n;
          off += t[r].idx[k] * stride[r];
          w *= t[r].w[k];
        }
        if (w == 0) continue;
        double s = 0;
        for (int k = 0; k < tc.n; k++) s += tc.w[k] * (double)x[off + tc.idx[k]];
        acc += w * s;
      }
      y[c] = (float)acc;
    }
    for (int64_t r = last - 1; r >= 0; r--) {
      if (++idx[r] < p->out_dims[r]) break;
      idx[r] = 0;
    }
  }
}
