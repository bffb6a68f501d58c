/* conv_impl.h - the body of spcc_conv_<type>, included once per element type
 * by runtime/conv.c with CONV_T (element type) and CONV_SFX (name suffix)
 * defined. Internal to the runtime; not installed.
 *
 * Strategy (no scratch memory, one pass per output row): the last spatial
 * dim is the "row"; every other spatial dim is "outer". For one output row
 * of one group, the (input channel, outer tap) pairs whose input row exists
 * are listed in small stack arrays (CONV_TAPS at a time). Columns whose
 * whole kernel row lies inside the input ("interior") are computed in
 * blocks of CONV_MB output channels x CONV_VB columns held in local
 * accumulators: a fixed-width inner loop the compiler vectorizes even at
 * -O2, and each input load feeds CONV_MB multiply-adds. Border columns and
 * leftovers take a checked scalar path. A 1x1, stride-1, unpadded conv is
 * flattened to one long row per channel first.
 */

#define CONV_NAME(name) CONV_CAT(name, CONV_SFX)

/* Accumulates the taps of one chunk into nm output rows (nm <= CONV_MB,
 * a constant after inlining) for the columns [ow0, ow0 + vb). */
static CONV_INLINE void CONV_NAME(conv_block)(const conv_geom *gm, const CONV_T *xg,
                                              const CONV_T *wm, CONV_T *ym, const CONV_T *bm,
                                              const conv_taps *tp, bool first, int nm, int vb,
                                              int64_t sw, int64_t ow0) {
  CONV_T acc[CONV_MB][CONV_VB];
  for (int i = 0; i < nm; i++) {
    const CONV_T *yi = ym + i * gm->out_size + ow0;
    CONV_T init = bm ? bm[i] : (CONV_T)0;
    for (int j = 0; j < vb; j++) acc[i][j] = first ? init : yi[j];
  }
  int64_t col = ow0 * sw - gm->pw;
  for (int t = 0; t < tp->n; t++) {
    const CONV_T *xr = xg + tp->xoff[t] + col;
    const CONV_T *wr = wm + tp->woff[t];
    for (int64_t kw = 0; kw < gm->kw; kw++) {
      const CONV_T *xk = xr + kw * gm->dw;
      for (int i = 0; i < nm; i++) {
        CONV_T wv = wr[i * gm->wstride + kw];
        for (int j = 0; j < vb; j++) acc[i][j] += wv * xk[j * sw];
      }
    }
  }
  for (int i = 0; i < nm; i++) {
    CONV_T *yi = ym + i * gm->out_size + ow0;
    for (int j = 0; j < vb; j++) yi[j] = acc[i][j];
  }
}

/* One column with bounds checks along the row (borders, leftovers). */
static void CONV_NAME(conv_column)(const conv_geom *gm, const CONV_T *xg, const CONV_T *wm,
                                   CONV_T *ym, const CONV_T *bm, const conv_taps *tp,
                                   bool first, int nm, int64_t ow) {
  int64_t col = ow * gm->sw - gm->pw;
  int64_t klo = 0, khi = gm->kw;
  conv_valid_range(col, gm->dw, gm->kw, gm->w_in, &klo, &khi);
  for (int i = 0; i < nm; i++) {
    const CONV_T *wi = wm + i * gm->wstride;
    CONV_T s = first ? (bm ? bm[i] : (CONV_T)0) : ym[i * gm->out_size + ow];
    for (int t = 0; t < tp->n; t++) {
      const CONV_T *xr = xg + tp->xoff[t];
      const CONV_T *wr = wi + tp->woff[t];
      for (int64_t kw = klo; kw < khi; kw++) s += wr[kw] * xr[col + kw * gm->dw];
    }
    ym[i * gm->out_size + ow] = s;
  }
}

/* nm output channels of one row: interior in vector blocks, the rest by column. */
static CONV_INLINE void CONV_NAME(conv_rows)(const conv_geom *gm, const CONV_T *xg,
                                             const CONV_T *wm, CONV_T *ym, const CONV_T *bm,
                                             const conv_taps *tp, bool first, int nm) {
  int64_t ow = 0;
  for (; ow < gm->lo; ow++) CONV_NAME(conv_column)(gm, xg, wm, ym, bm, tp, first, nm, ow);
  if (gm->sw == 1) {
    for (; ow + CONV_VB <= gm->hi; ow += CONV_VB)
      CONV_NAME(conv_block)(gm, xg, wm, ym, bm, tp, first, nm, CONV_VB, 1, ow);
    for (; ow + CONV_VB / 2 <= gm->hi; ow += CONV_VB / 2)
      CONV_NAME(conv_block)(gm, xg, wm, ym, bm, tp, first, nm, CONV_VB / 2, 1, ow);
  } else {
    for (; ow + CONV_VB <= gm->hi; ow += CONV_VB)
      CONV_NAME(conv_block)(gm, xg, wm, ym, bm, tp, first, nm, CONV_VB, gm->sw, ow);
  }
  for (; ow < gm->w_out; ow++) CONV_NAME(conv_column)(gm, xg, wm, ym, bm, tp, first, nm, ow);
}

/* Applies one chunk of taps to the current row of every output channel of
 * the group. ym points at the row in the group's first output channel. */
static void CONV_NAME(conv_chunk)(const conv_geom *gm, const CONV_T *xg, const CONV_T *wg,
                                  CONV_T *ym, const CONV_T *bg, const conv_taps *tp,
                                  bool first) {
  int64_t m = 0;
  for (; m + CONV_MB <= gm->mg; m += CONV_MB)
    CONV_NAME(conv_rows)(gm, xg, wg + m * gm->wstride, ym + m * gm->out_size,
                         bg ? bg + m : NULL, tp, first, CONV_MB);
  for (; m < gm->mg; m++)
    CONV_NAME(conv_rows)(gm, xg, wg + m * gm->wstride, ym + m * gm->out_size,
                         bg ? bg + m : NULL, tp, first, 1);
}

void CONV_CAT(spcc_conv, CONV_SFX)(const spcc_conv_params *p, const CONV_T *x,
                                   const CONV_T *w, const CONV_T *b, CONV_T *y) {
  conv_geom gm;
  if (!conv_geom_init(&gm, p)) return;
  for (int64_t n = 0; n < p->batch; n++) {
    for (int64_t g = 0; g < p->group; g++) {
      const CONV_T *xg = x + (n * p->in_channels + g * gm.cg) * gm.in_size;
      const CONV_T *wg = w + g * gm.mg * gm.wstride;
      const CONV_T *bg = b ? b + g * gm.mg : NULL;
      CONV_T *yg = y + (n * p->out_channels + g * gm.mg) * gm.out_size;
      conv_row_iter it;
      conv_row_begin(&it, &gm);
      for (int64_t r = 0; r < gm.rows; r++, conv_row_next(&it, &gm)) {
        CONV_T *ym = yg + r * gm.w_out;
        conv_taps tp;
        conv_tap_iter ti;
        bool first = true;
        conv_tap_begin(&ti, &gm, &it);
        while (conv_tap_fill(&ti, &gm, &tp)) {
          CONV_NAME(conv_chunk)(&gm, xg, wg, ym, bg, &tp, first);
          first = false;
        }
        if (first) { /* no input row under this output row: bias only */
          for (int64_t m = 0; m < gm.mg; m++)
            for (int64_t ow = 0; ow < gm.w_out; ow++)
              ym[m * gm.out_size + ow] = bg ? bg[m] : (CONV_T)0;
        }
      }
    }
  }
}

#undef CONV_NAME
