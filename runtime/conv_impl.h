/* conv_impl.h - the body of spcc_conv_<type>, included once per element type
 * by runtime/conv.c with CONV_T (element type) and CONV_SFX (name suffix)
 * defined. Internal to the runtime; not installed.
 *
 * Convs with at least 4 output channels per group take the implicit-GEMM
 * path below (the GEMM micro-kernel of gemm_micro.h). Depthwise and other
 * narrow convs keep the direct strategy described next.
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

/* ---- Implicit GEMM ------------------------------------------------------
 * Per group, Y[mg, out] = W[mg, K] . B[K, out] with K = cg * k_size and
 * B[(c, taps), o] the input element under tap (c, taps) of output o (zero on
 * padding). Output rows are cut into panels of GM_NR columns. For one row
 * and one block of GM_KC k-rows, a small table gives each k-row's input row
 * (or -1 when it falls on padding) and its column shift. A panel whose
 * columns all read inside the input (stride 1) is fed to the micro-kernel
 * straight from x through the table; other panels (borders, row tails,
 * strides) are gathered once into a zero-padded stack panel. Either way the
 * panel is reused by every block of GM_MR output channels, whose weights are
 * read in place (W rows are contiguous). */

#define CONV_MR CONV_CAT(CONV_MR, CONV_SFX)

typedef struct {
  int64_t boff[GM_KC]; /* input row + column shift: the B row for column 0 */
  int64_t roff[GM_KC]; /* input row start, -1 when on padding */
  int64_t cw[GM_KC];   /* column shift kw * dw - pw */
} CONV_NAME(conv_ktab);

/* Fills the table for k-rows [k0, k0 + kc) of the output row whose outer
 * input start coordinates are st. */
static void CONV_NAME(conv_ktab_fill)(const conv_geom *gm, const int64_t *st, int64_t k0,
                                      int64_t kc, CONV_NAME(conv_ktab) *kt) {
  int64_t ko[CONV_MAXO];
  int64_t c = k0 / gm->k_size, rem = k0 % gm->k_size;
  int64_t kwi = rem % gm->kw;
  rem /= gm->kw;
  for (int64_t i = gm->outer - 1; i >= 0; i--) {
    ko[i] = rem % gm->k_d[i];
    rem /= gm->k_d[i];
  }
  for (int64_t t = 0; t < kc; t++) {
    int64_t ro = c * gm->in_size;
    bool ok = true;
    for (int64_t i = 0; i < gm->outer; i++) {
      int64_t ih = st[i] + ko[i] * gm->d_d[i];
      if (ih < 0 || ih >= gm->in_d[i]) ok = false;
      ro += ih * gm->in_stride[i];
    }
    kt->cw[t] = kwi * gm->dw - gm->pw;
    kt->roff[t] = ok ? ro : -1;
    kt->boff[t] = ro + kt->cw[t];
    if (++kwi == gm->kw) {
      kwi = 0;
      int64_t i = gm->outer - 1;
      for (; i >= 0; i--) {
        if (++ko[i] < gm->k_d[i]) break;
        ko[i] = 0;
      }
      if (i < 0) c++;
    }
  }
}

/* Gathers the kc x nr panel of B for columns [ow0, ow0 + nr) of the row. */
static void CONV_NAME(conv_pack)(const conv_geom *gm, const CONV_T *xg,
                                 const CONV_NAME(conv_ktab) *kt, int64_t kc, int64_t ow0,
                                 int nr, CONV_T *restrict bp) {
  for (int64_t t = 0; t < kc; t++) {
    CONV_T *row = bp + t * GM_NR;
    int64_t jlo = 0, jhi = 0;
    const int64_t start = ow0 * gm->sw + kt->cw[t];
    if (kt->roff[t] >= 0) conv_valid_range(start, gm->sw, nr, gm->w_in, &jlo, &jhi);
    const CONV_T *xr = xg + kt->roff[t] + start;
    int64_t j = 0;
    for (; j < jlo; j++) row[j] = 0;
    for (; j < jhi; j++) row[j] = xr[j * gm->sw];
    for (; j < GM_NR; j++) row[j] = 0;
  }
}

static void CONV_NAME(conv_gemm)(const conv_geom *gm, const spcc_conv_params *p,
                                 const CONV_T *x, const CONV_T *w, const CONV_T *b,
                                 CONV_T *y) {
  const int64_t K = gm->cg * gm->k_size;
  CONV_NAME(conv_ktab) kt;
  CONV_T bp[GM_KC * GM_NR];
  for (int64_t n = 0; n < p->batch; n++) {
    for (int64_t g = 0; g < p->group; g++) {
      const CONV_T *xg = x + (n * p->in_channels + g * gm->cg) * gm->in_size;
      const CONV_T *wg = w + g * gm->mg * gm->wstride;
      const CONV_T *bg = b ? b + g * gm->mg : NULL;
      CONV_T *yg = y + (n * p->out_channels + g * gm->mg) * gm->out_size;
      conv_row_iter it;
      conv_row_begin(&it, gm);
      for (int64_t r = 0; r < gm->rows; r++, conv_row_next(&it, gm)) {
        int64_t st[CONV_MAXO];
        bool row_in = true; /* every outer tap of every channel reads inside */
        for (int64_t i = 0; i < gm->outer; i++) {
          st[i] = it.o[i] * gm->s_d[i] - gm->p_d[i];
          if (st[i] < 0 || st[i] + (gm->k_d[i] - 1) * gm->d_d[i] >= gm->in_d[i]) row_in = false;
        }
        CONV_T *ym = yg + r * gm->w_out;
        for (int64_t k0 = 0; k0 < K; k0 += GM_KC) {
          const int64_t kc = K - k0 < GM_KC ? K - k0 : GM_KC;
          const int first = k0 == 0;
          CONV_NAME(conv_ktab_fill)(gm, st, k0, kc, &kt);
          for (int64_t ow0 = 0; ow0 < gm->w_out; ow0 += GM_NR) {
            const int nr = gm->w_out - ow0 < GM_NR ? (int)(gm->w_out - ow0) : GM_NR;
            const bool direct = row_in && gm->sw == 1 && nr == GM_NR && ow0 >= gm->lo &&
                                ow0 + GM_NR <= gm->hi;
            if (!direct) CONV_NAME(conv_pack)(gm, xg, &kt, kc, ow0, nr, bp);
            for (int64_t i0 = 0; i0 < gm->mg; i0 += CONV_MR) {
              const int mr = gm->mg - i0 < CONV_MR ? (int)(gm->mg - i0) : CONV_MR;
              const CONV_T *wa = wg + i0 * gm->wstride + k0;
              CONV_T *yt = ym + i0 * gm->out_size + ow0;
              const CONV_T *bi = bg ? bg + i0 : NULL;
              if (direct)
                CONV_NAME(gm_tile_direct)(mr, kc, wa, gm->wstride, 1, xg, ow0, kt.boff, yt,
                                          gm->out_size, nr, first, bi);
              else
                CONV_NAME(gm_tile_direct)(mr, kc, wa, gm->wstride, 1, bp, GM_NR, NULL, yt,
                                          gm->out_size, nr, first, bi);
            }
          }
        }
      }
    }
  }
}

#undef CONV_MR

void CONV_CAT(spcc_conv, CONV_SFX)(const spcc_conv_params *p, const CONV_T *x,
                                   const CONV_T *w, const CONV_T *b, CONV_T *y) {
  conv_geom gm;
  if (!conv_geom_init(&gm, p)) return;
  if (gm.mg >= 4 && gm.cg * gm.k_size >= 4) {
    CONV_NAME(conv_gemm)(&gm, p, x, w, b, y);
    return;
  }
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
