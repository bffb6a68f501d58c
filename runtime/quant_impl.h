/* quant_impl.h - MatMulInteger, QLinearMatMul, ConvInteger and QLinearConv
 * for one pair of element types, included by runtime/quant_int.c with QX_T,
 * QX_SFX (A / X type), QW_T, QW_SFX (B / W type) and QY_LO, QY_HI (the
 * range of the quantized output, which has A / X's type) defined. Internal
 * to the runtime; not installed. */

#define QN(name) QI_CAT(name, QX_SFX, QW_SFX)

/* int32 dot products of row i of A with columns [j0, j0 + nj) of B into acc,
 * taken through uint32 so overflow wraps. */
static void QN(qmm_chunk)(const spcc_qmatmul_params *p, const QX_T *a, const QW_T *b,
                          const QX_T *a_zp, const QW_T *b_zp, int64_t i, int64_t j0, int nj,
                          int32_t *acc) {
  uint32_t u[QI_CHUNK];
  uint32_t az = a_zp ? (uint32_t)(int32_t)a_zp[p->a_zp_count > 1 ? i : 0] : 0u;
  int32_t bz[QI_CHUNK];
  for (int j = 0; j < nj; j++) {
    u[j] = 0;
    bz[j] = b_zp ? (int32_t)b_zp[p->b_zp_count > 1 ? j0 + j : 0] : 0;
  }
  for (int64_t k = 0; k < p->k; k++) {
    uint32_t av = (uint32_t)(int32_t)a[i * p->k + k] - az;
    const QW_T *br = b + k * p->n + j0;
    for (int j = 0; j < nj; j++) u[j] += av * (uint32_t)((int32_t)br[j] - bz[j]);
  }
  for (int j = 0; j < nj; j++) acc[j] = qi_s32(u[j]);
}

void QN(spcc_matmul_integer)(const spcc_qmatmul_params *p, const QX_T *a, const QW_T *b,
                             const QX_T *a_zp, const QW_T *b_zp, int32_t *y) {
  int64_t nb = qi_batches(p);
  for (int64_t bi = 0; bi < nb; bi++) {
    int64_t ao, bo;
    qi_batch_offsets(p, bi, &ao, &bo);
    int32_t *yb = y + bi * p->m * p->n;
    for (int64_t i = 0; i < p->m; i++)
      for (int64_t j0 = 0; j0 < p->n; j0 += QI_CHUNK) {
        int nj = (int)(p->n - j0 < QI_CHUNK ? p->n - j0 : QI_CHUNK);
        QN(qmm_chunk)(p, a + ao, b + bo, a_zp, b_zp, i, j0, nj, yb + i * p->n + j0);
      }
  }
}

void QN(spcc_qlinear_matmul)(const spcc_qmatmul_params *p, const QX_T *a, const float *a_scale,
                             const QX_T *a_zp, const QW_T *b, const float *b_scale,
                             const QW_T *b_zp, const float *y_scale, const QX_T *y_zp,
                             QX_T *y) {
  int64_t nb = qi_batches(p);
  int32_t yz = y_zp ? (int32_t)y_zp[0] : 0;
  int32_t acc[QI_CHUNK];
  for (int64_t bi = 0; bi < nb; bi++) {
    int64_t ao, bo;
    qi_batch_offsets(p, bi, &ao, &bo);
    QX_T *yb = y + bi * p->m * p->n;
    for (int64_t i = 0; i < p->m; i++)
      for (int64_t j0 = 0; j0 < p->n; j0 += QI_CHUNK) {
        int nj = (int)(p->n - j0 < QI_CHUNK ? p->n - j0 : QI_CHUNK);
        QN(qmm_chunk)(p, a + ao, b + bo, a_zp, b_zp, i, j0, nj, acc);
        for (int j = 0; j < nj; j++) {
          float mul = a_scale[0] * b_scale[p->b_scale_count > 1 ? j0 + j : 0] / y_scale[0];
          yb[i * p->n + j0 + j] = (QX_T)qi_requant((float)acc[j] * mul, yz, QY_LO, QY_HI);
        }
      }
  }
}

/* int32 accumulator of output channel m over the taps inside the input
 * (window wd of one output position) for batch nb; taps on padding read
 * x_zp and contribute 0, so they are skipped. */
static int32_t QN(qconv_acc)(const spcc_conv_params *p, const qi_conv_geom *gm,
                             const qi_window *wd, const QX_T *x, const QW_T *w, int32_t xz,
                             int32_t wz, int64_t nb, int64_t m) {
  if (wd->empty) return 0;
  int64_t grp = m / gm->mg, L = p->spatial - 1, dl = p->dilations[L];
  uint32_t u = 0;
  for (int64_t cc = 0; cc < gm->cg; cc++) {
    int64_t c = grp * gm->cg + cc;
    const QX_T *xc = x + (nb * p->in_channels + c) * gm->in_size;
    const QW_T *wc = w + (m * gm->cg + cc) * gm->k_size;
    int64_t k[SPCC_RT_MAX_SPATIAL];
    for (int64_t i = 0; i < L; i++) k[i] = wd->klo[i];
    for (;;) {
      int64_t xo = 0, wo = 0;
      for (int64_t i = 0; i < L; i++) {
        xo += (wd->start[i] + k[i] * p->dilations[i]) * gm->in_stride[i];
        wo += k[i] * gm->k_stride[i];
      }
      const QX_T *xr = xc + xo + wd->start[L];
      const QW_T *wr = wc + wo;
      for (int64_t kk = wd->klo[L]; kk < wd->khi[L]; kk++)
        u += (uint32_t)((int32_t)xr[kk * dl] - xz) * (uint32_t)((int32_t)wr[kk] - wz);
      int64_t i = L - 1;
      for (; i >= 0; i--) {
        if (++k[i] < wd->khi[i]) break;
        k[i] = wd->klo[i];
      }
      if (i < 0) break;
    }
  }
  return qi_s32(u);
}

void QN(spcc_conv_integer)(const spcc_qconv_params *q, const QX_T *x, const QW_T *w,
                           const QX_T *x_zp, const QW_T *w_zp, int32_t *y) {
  const spcc_conv_params *p = &q->conv;
  qi_conv_geom gm;
  if (!qi_conv_geom_init(&gm, p)) return;
  int32_t xz = x_zp ? (int32_t)x_zp[0] : 0;
  for (int64_t nb = 0; nb < p->batch; nb++)
    for (int64_t m = 0; m < p->out_channels; m++) {
      int32_t wz = w_zp ? (int32_t)w_zp[q->w_zp_count > 1 ? m : 0] : 0;
      int64_t o[SPCC_RT_MAX_SPATIAL] = {0};
      int32_t *ym = y + (nb * p->out_channels + m) * gm.out_size;
      for (int64_t s = 0; s < gm.out_size; s++, qi_next(o, p)) {
        qi_window wd;
        qi_window_at(&wd, p, o);
        ym[s] = QN(qconv_acc)(p, &gm, &wd, x, w, xz, wz, nb, m);
      }
    }
}

void QN(spcc_qlinear_conv)(const spcc_qconv_params *q, const QX_T *x, const float *x_scale,
                           const QX_T *x_zp, const QW_T *w, const float *w_scale,
                           const QW_T *w_zp, const float *y_scale, const QX_T *y_zp,
                           const int32_t *b, QX_T *y) {
  const spcc_conv_params *p = &q->conv;
  qi_conv_geom gm;
  if (!qi_conv_geom_init(&gm, p)) return;
  int32_t xz = x_zp ? (int32_t)x_zp[0] : 0, yz = y_zp ? (int32_t)y_zp[0] : 0;
  for (int64_t nb = 0; nb < p->batch; nb++)
    for (int64_t m = 0; m < p->out_channels; m++) {
      int32_t wz = w_zp ? (int32_t)w_zp[q->w_zp_count > 1 ? m : 0] : 0;
      float mul = x_scale[0] * w_scale[q->w_scale_count > 1 ? m : 0] / y_scale[0];
      uint32_t bias = b ? (uint32_t)b[m] : 0u;
      int64_t o[SPCC_RT_MAX_SPATIAL] = {0};
      QX_T *ym = y + (nb * p->out_channels + m) * gm.out_size;
      for (int64_t s = 0; s < gm.out_size; s++, qi_next(o, p)) {
        qi_window wd;
        qi_window_at(&wd, p, o);
        uint32_t acc = (uint32_t)QN(qconv_acc)(p, &gm, &wd, x, w, xz, wz, nb, m) + bias;
        ym[s] = (QX_T)qi_requant((float)qi_s32(acc) * mul, yz, QY_LO, QY_HI);
      }
    }
}

#undef QN
