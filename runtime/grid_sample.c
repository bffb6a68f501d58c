/* grid_sample.c - the GridSample kernel (rt/grid_sample.h).
 *
 * Coordinates are computed in double for both element types (the grid
 * arithmetic of the reference runs in float64), then values are read in the
 * tensor's type. Out-of-range taps read 0 in every mode after padding, so
 * zeros padding needs no special case.
 */
#include <math.h>

#include "spcc/spcc_rt.h"

/* A normalized coordinate in [-1, 1] as a pixel coordinate. */
static double unnormalize(double v, int64_t size, int64_t align) {
  return align ? (v + 1.0) / 2.0 * (double)(size - 1) : ((v + 1.0) * (double)size - 1.0) / 2.0;
}

/* Mirrors v into [twice_low / 2, twice_high / 2]. */
static double reflect(double v, double twice_low, double twice_high) {
  if (twice_low == twice_high) return 0.0;
  const double lo = twice_low / 2.0, span = (twice_high - twice_low) / 2.0;
  v = fabs(v - lo);
  const double extra = fmod(v, span);
  const double flips = floor(v / span);
  return fmod(flips, 2.0) == 0.0 ? extra + lo : span - extra + lo;
}

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

/* The padding mode applied to a pixel coordinate. */
static double pad_coord(double v, int64_t size, int64_t padding, int64_t align) {
  if (padding == SPCC_GRID_BORDER) return clampd(v, 0.0, (double)(size - 1));
  if (padding == SPCC_GRID_REFLECTION) {
    v = align ? reflect(v, 0.0, 2.0 * (double)(size - 1)) : reflect(v, -1.0, 2.0 * (double)size - 1.0);
    return clampd(v, 0.0, (double)(size - 1));
  }
  return v;
}

/* Cubic convolution weights (A = -0.75) for offset t in [0, 1). */
static void cubic_weights(double t, double w[4]) {
  const double a = -0.75;
  const double x0 = t + 1.0, x1 = t, x2 = 1.0 - t, x3 = 2.0 - t;
  w[0] = ((a * x0 - 5.0 * a) * x0 + 8.0 * a) * x0 - 4.0 * a;
  w[1] = ((a + 2.0) * x1 - (a + 3.0)) * x1 * x1 + 1.0;
  w[2] = ((a + 2.0) * x2 - (a + 3.0)) * x2 * x2 + 1.0;
  w[3] = ((a * x3 - 5.0 * a) * x3 + 8.0 * a) * x3 - 4.0 * a;
}

#define GRID_SAMPLE(sfx, T)                                                                   \
  static double at_##sfx(const T *plane, const spcc_grid_sample_params *p, double fx,         \
                         double fy) { /* 0 outside the image */                              \
    if (!(fx >= 0.0 && fy >= 0.0 && fx <= (double)(p->w - 1) && fy <= (double)(p->h - 1)))    \
      return 0; /* also NaN */                                                               \
    return (double)plane[(int64_t)fy * p->w + (int64_t)fx];                                   \
  }                                                                                           \
  void spcc_grid_sample_##sfx(const spcc_grid_sample_params *p, const T *x, const T *grid,   \
                              T *y) {                                                         \
    const int64_t hw = p->h * p->w, howo = p->ho * p->wo;                                     \
    for (int64_t b = 0; b < p->n; b++)                                                        \
      for (int64_t o = 0; o < howo; o++) {                                                    \
        const T *gp = grid + (b * howo + o) * 2;                                              \
        double ix = unnormalize((double)gp[0], p->w, p->align_corners);                       \
        double iy = unnormalize((double)gp[1], p->h, p->align_corners);                       \
        if (p->mode != SPCC_GRID_BICUBIC) {                                                   \
          ix = pad_coord(ix, p->w, p->padding, p->align_corners);                             \
          iy = pad_coord(iy, p->h, p->padding, p->align_corners);                             \
        }                                                                                     \
        for (int64_t ch = 0; ch < p->c; ch++) {                                               \
          const T *plane = x + (b * p->c + ch) * hw;                                          \
          double v;                                                                           \
          if (p->mode == SPCC_GRID_NEAREST) {                                                 \
            v = at_##sfx(plane, p, nearbyint(ix), nearbyint(iy));                             \
          } else if (p->mode == SPCC_GRID_BILINEAR) {                                         \
            const double x0 = floor(ix), y0 = floor(iy), tx = ix - x0, ty = iy - y0;          \
            v = at_##sfx(plane, p, x0, y0) * (1 - tx) * (1 - ty) +                            \
                at_##sfx(plane, p, x0 + 1, y0) * tx * (1 - ty) +                              \
                at_##sfx(plane, p, x0, y0 + 1) * (1 - tx) * ty +                              \
                at_##sfx(plane, p, x0 + 1, y0 + 1) * tx * ty;                                 \
          } else {                                                                            \
            const double x0 = floor(ix), y0 = floor(iy);                                      \
            double wx[4], wy[4];                                                              \
            cubic_weights(ix - x0, wx);                                                       \
            cubic_weights(iy - y0, wy);                                                       \
            v = 0;                                                                            \
            for (int r = 0; r < 4; r++)                                                       \
              for (int c = 0; c < 4; c++) {                                                   \
                const double px = pad_coord(x0 - 1 + c, p->w, p->padding, p->align_corners);  \
                const double py = pad_coord(y0 - 1 + r, p->h, p->padding, p->align_corners);  \
                v += at_##sfx(plane, p, px, py) * wx[c] * wy[r];                              \
              }                                                                               \
          }                                                                                   \
          y[(b * p->c + ch) * howo + o] = (T)v;                                               \
        }                                                                                     \
      }                                                                                       \
  }

GRID_SAMPLE(f32, float)
GRID_SAMPLE(f64, double)
