/* sparse_conv.c - Conv with a sparse weight (CSR, BSR or N:M; rt/sparse.h)
 * as a direct sparse convolution, for 1 to 6 spatial dims, any groups
 * (incl. depthwise), strides, dilations and pads.
 *
 * A weight column is (input channel, kernel tap); one nonzero w of output
 * channel co at input channel ci and tap k adds w * x[ci] shifted by k to
 * every output of y[co] whose input position exists. Per dim, those outputs
 * form a range computed once per nonzero, so padding costs nothing inside
 * the loops: what remains is a multiply-add of a whole input row into an
 * output row, contiguous (and vectorized) when the last stride is 1. A
 * 1x1, stride-1, unpadded conv is flattened to one long row per channel
 * first, which makes it a plain SpMM over the spatial dimension:
 * y[co, :] += w * x[ci, :].
 *
 * The output is walked in bands of rows of the first spatial dim, small
 * enough that one output channel's band stays in L1 while all nonzeros of
 * that channel are added in, and the input bands of the group stay in L2.
 * Each band starts from the bias, so the bias is added once. No scratch
 * memory; the geometry lives on the stack.
 */
#include <stdbool.h>

#include "sparse_common.h"

#define SC_MAXS SPCC_RT_MAX_SPATIAL
#define SC_BAND 2048 /* output elements of one channel per band: 8 KB, in L1 */
#define SC_VB 8      /* fixed-width chunk of the row loop, vectorized even at -O2 */

typedef struct {
  int64_t S;                              /* spatial dims after flattening */
  int64_t in[SC_MAXS], out[SC_MAXS], k[SC_MAXS];
  int64_t s[SC_MAXS], d[SC_MAXS], p[SC_MAXS];
  int64_t istr[SC_MAXS], ostr[SC_MAXS];   /* elements per step of each dim */
  int64_t in_size, out_size, k_size;      /* per channel */
  int64_t cg, mg;                         /* input / output channels per group */
  int64_t band;                           /* rows of dim 0 per band */
} sc_geom;

/* Resolves the parameter block; false when there is nothing to compute. */
static bool sc_geom_init(sc_geom *gm, const spcc_conv_params *p) {
  int64_t S = p->spatial;
  if (S < 1 || S > SC_MAXS || p->group < 1 || p->batch <= 0) return false;
  bool pointwise = true;
  gm->in_size = gm->out_size = gm->k_size = 1;
  for (int64_t i = 0; i < S; i++) {
    gm->in[i] = p->in_dims[i];
    gm->out[i] = p->out_dims[i];
    gm->k[i] = p->kernel[i];
    gm->s[i] = p->strides[i];
    gm->d[i] = p->dilations[i];
    gm->p[i] = p->pads[i];
    if (gm->s[i] < 1 || gm->d[i] < 1) return false;
    gm->in_size *= gm->in[i];
    gm->out_size *= gm->out[i];
    gm->k_size *= gm->k[i];
    if (gm->k[i] != 1 || gm->s[i] != 1 || gm->p[i] != 0 || gm->in[i] != gm->out[i])
      pointwise = false;
  }
  if (pointwise && S > 1) {
    S = 1;
    gm->in[0] = gm->out[0] = gm->in_size;
    gm->k[0] = gm->s[0] = gm->d[0] = 1;
    gm->p[0] = 0;
  }
  gm->S = S;
  int64_t istr = 1, ostr = 1;
  for (int64_t i = S - 1; i >= 0; i--) {
    gm->istr[i] = istr;
    gm->ostr[i] = ostr;
    istr *= gm->in[i];
    ostr *= gm->out[i];
  }
  gm->cg = p->in_channels / p->group;
  gm->mg = p->out_channels / p->group;
  if (gm->out_size <= 0 || gm->mg <= 0) return false;
  gm->band = SC_BAND / gm->ostr[0];
  if (gm->band < 1) gm->band = 1;
  return true;
}

/* Input channel and kernel tap of weight column col. 32-bit divisions when
 * the numbers fit (always, in practice): several times cheaper than 64-bit
 * ones on many CPUs, and this runs once per nonzero and band. */
static void sc_decode(const sc_geom *gm, int64_t col, int64_t *ci, int64_t *tap) {
  if (gm->k_size == 1) {
    *ci = col;
    for (int64_t i = 0; i < gm->S; i++) tap[i] = 0;
    return;
  }
  if (col <= UINT32_MAX && gm->k_size <= UINT32_MAX) {
    const uint32_t ks = (uint32_t)gm->k_size, c = (uint32_t)col;
    uint32_t t = c % ks;
    *ci = c / ks;
    for (int64_t i = gm->S - 1; i > 0; i--) {
      const uint32_t k = (uint32_t)gm->k[i];
      tap[i] = t % k;
      t /= k;
    }
    tap[0] = t;
    return;
  }
  *ci = col / gm->k_size;
  int64_t t = col - *ci * gm->k_size;
  for (int64_t i = gm->S - 1; i > 0; i--) {
    tap[i] = t % gm->k[i];
    t /= gm->k[i];
  }
  tap[0] = t;
}

/* y[j] += w * x[j * sx] for j in [0, len). */
static void sc_row(int64_t len, float w, const float *restrict x, int64_t sx,
                   float *restrict y) {
  int64_t j = 0;
  if (sx == 1) {
    for (; j + SC_VB <= len; j += SC_VB)
      for (int l = 0; l < SC_VB; l++) y[j + l] += w * x[j + l];
    if (j + SC_VB / 2 <= len) { /* short rows (small feature maps) end here */
      for (int l = 0; l < SC_VB / 2; l++) y[j + l] += w * x[j + l];
      j += SC_VB / 2;
    }
    for (; j < len; j++) y[j] += w * x[j];
  } else {
    for (; j < len; j++) y[j] += w * x[j * sx];
  }
}

/* Adds w * (channel plane xc seen through kernel tap `tap`) to channel plane
 * yc, for the outputs of band rows [b0, b1) of dim 0 whose input exists. */
static void sc_accumulate(const sc_geom *gm, const int64_t *tap, int64_t b0, int64_t b1,
                          float w, const float *xc, float *yc) {
  const int64_t last = gm->S - 1;
  int64_t lo[SC_MAXS], hi[SC_MAXS], o[SC_MAXS], xoff = 0, yoff = 0;
  for (int64_t i = 0; i < gm->S; i++) {
    /* Output o reads input o * s + start, which must lie in [0, in). */
    const int64_t start = tap[i] * gm->d[i] - gm->p[i], s = gm->s[i];
    int64_t l = start >= 0 ? 0 : (-start + s - 1) / s;
    int64_t h = gm->in[i] - 1 - start < 0 ? 0 : (gm->in[i] - 1 - start) / s + 1;
    if (h > gm->out[i]) h = gm->out[i];
    if (i == 0) {
      if (l < b0) l = b0;
      if (h > b1) h = b1;
    }
    if (h <= l) return;
    lo[i] = o[i] = l;
    hi[i] = h;
    if (i < last) {
      xoff += (l * s + start) * gm->istr[i];
      yoff += l * gm->ostr[i];
    }
  }
  const int64_t len = hi[last] - lo[last], sx = gm->s[last];
  xc += lo[last] * sx + tap[last] * gm->d[last] - gm->p[last];
  yc += lo[last];
  for (;;) {
    sc_row(len, w, xc + xoff, sx, yc + yoff);
    int64_t i = last - 1;
    for (; i >= 0; i--) { /* odometer over the outer dims' ranges */
      xoff += gm->s[i] * gm->istr[i];
      yoff += gm->ostr[i];
      if (++o[i] < hi[i]) break;
      xoff -= (hi[i] - lo[i]) * gm->s[i] * gm->istr[i];
      yoff -= (hi[i] - lo[i]) * gm->ostr[i];
      o[i] = lo[i];
    }
    if (i < 0) return;
  }
}

/* Band rows [b0, b1) of output channel plane yc set to the bias. */
static void sc_fill(const sc_geom *gm, float *yc, int64_t b0, int64_t b1, float bias) {
  for (int64_t i = b0 * gm->ostr[0]; i < b1 * gm->ostr[0]; i++) yc[i] = bias;
}

/* Adds w times input channel ci (of co's group) through kernel tap `tap`
 * to output channel co. xn / yn: the image's planes. */
static void sc_add(const sc_geom *gm, const float *xn, float *yn, int64_t co, int64_t ci,
                   const int64_t *tap, float w, int64_t b0, int64_t b1) {
  const float *xc = xn + ((co / gm->mg) * gm->cg + ci) * gm->in_size;
  sc_accumulate(gm, tap, b0, b1, w, xc, yn + co * gm->out_size);
}

/* Adds nonzero (col, w) of output channel co. */
static void sc_nonzero(const sc_geom *gm, const float *xn, float *yn, int64_t co, int64_t col,
                       float w, int64_t b0, int64_t b1) {
  int64_t ci, tap[SC_MAXS];
  sc_decode(gm, col, &ci, tap);
  sc_add(gm, xn, yn, co, ci, tap, w, b0, b1);
}

static int64_t sc_index(const uint8_t *c8, const uint16_t *c16, const uint32_t *c32, int64_t q) {
  return c8 ? c8[q] : c16 ? c16[q] : (int64_t)c32[q];
}

/* Runs the body (the variadic part) for every image and band with xn, yn,
 * b0, b1 in scope. */
#define SC_FOR_BANDS(gm, p, x, y, ...)                                                 \
  for (int64_t n_ = 0; n_ < (p)->batch; n_++) {                                       \
    const float *xn = (x) + n_ * (p)->in_channels * (gm).in_size;                     \
    float *yn = (y) + n_ * (p)->out_channels * (gm).out_size;                         \
    for (int64_t b0 = 0; b0 < (gm).out[0]; b0 += (gm).band) {                         \
      const int64_t b1 = b0 + (gm).band < (gm).out[0] ? b0 + (gm).band : (gm).out[0]; \
      __VA_ARGS__                                                                     \
    }                                                                                 \
  }

void spcc_conv_csr_f32(const spcc_conv_params *p, const float *x, const spcc_csr_f32 *w,
                       const float *b, float *y) {
  sc_geom gm;
  if (!sc_geom_init(&gm, p)) return;
  SC_FOR_BANDS(gm, p, x, y, {
    for (int64_t co = 0; co < p->out_channels; co++) {
      sc_fill(&gm, yn + co * gm.out_size, b0, b1, b ? b[co] : 0.0f);
      for (int32_t q = w->rowptr[co]; q < w->rowptr[co + 1]; q++)
        sc_nonzero(&gm, xn, yn, co, sc_index(w->col8, w->col16, w->col32, q), w->val[q], b0,
                   b1);
    }
  })
}

void spcc_conv_bsr_f32(const spcc_conv_params *p, const float *x, const spcc_bsr_f32 *w,
                       const float *b, float *y) {
  sc_geom gm;
  if (!sc_geom_init(&gm, p) || w->block_r < 1 || w->block_c < 1) return;
  const int64_t R = w->block_r, C = w->block_c;
  const int64_t brows = (p->out_channels + R - 1) / R;
  SC_FOR_BANDS(gm, p, x, y, {
    for (int64_t br = 0; br < brows; br++) {
      const int64_t co0 = br * R;
      const int64_t nr = p->out_channels - co0 < R ? p->out_channels - co0 : R;
      for (int64_t r = 0; r < nr; r++)
        sc_fill(&gm, yn + (co0 + r) * gm.out_size, b0, b1, b ? b[co0 + r] : 0.0f);
      for (int32_t q = w->rowptr[br]; q < w->rowptr[br + 1]; q++) {
        const int64_t k0 = sc_index(w->col8, w->col16, w->col32, q) * C;
        const float *v = w->val + (int64_t)q * R * C;
        for (int64_t c = 0; c < C && k0 + c < w->cols; c++) {
          int64_t ci, tap[SC_MAXS]; /* one column: decoded once for the block's rows */
          sc_decode(&gm, k0 + c, &ci, tap);
          for (int64_t r = 0; r < nr; r++)
            if (v[r * C + c] != 0) /* zeros inside a block are padding, not work */
              sc_add(&gm, xn, yn, co0 + r, ci, tap, v[r * C + c], b0, b1);
        }
      }
    }
  })
}

void spcc_conv_nm_f32(const spcc_conv_params *p, const float *x, const spcc_nm_f32 *w,
                      const float *b, float *y) {
  sc_geom gm;
  if (!sc_geom_init(&gm, p) || w->m < 2 || w->n < 1) return;
  const int64_t groups = (w->cols + w->m - 1) / w->m, row_bytes = sp_nm_row_bytes(w);
  const int64_t bits = w->index_bits;
  const unsigned mask = (1u << bits) - 1;
  SC_FOR_BANDS(gm, p, x, y, {
    for (int64_t co = 0; co < p->out_channels; co++) {
      sc_fill(&gm, yn + co * gm.out_size, b0, b1, b ? b[co] : 0.0f);
      if (groups == 0) continue; /* no reduction: nothing stored */
      const uint8_t *ib = w->idx + co * row_bytes;
      const float *v = w->val + co * groups * w->n;
      for (int64_t s = 0; s < groups * w->n; s++) {
        if (v[s] == 0) continue; /* filler of a group with fewer nonzeros */
        const int64_t col = (s / w->n) * w->m + sp_bits_at(ib, s * bits, mask);
        if (col < w->cols) sc_nonzero(&gm, xn, yn, co, col, v[s], b0, b1);
      }
    }
  })
}
