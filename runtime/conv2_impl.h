/* conv2_impl.h - per-type bodies of ConvTranspose, LpPool, GlobalMaxPool
 * and GlobalLpPool, included by runtime/conv2.c with C2_T (element type),
 * C2_SFX (name suffix) and C2_ABS, C2_POW (the type's fabs and pow)
 * defined. Internal to the runtime; not installed. */

#define C2_NAME(name) C2_CAT(name, C2_SFX)

void C2_NAME(spcc_conv_transpose)(const spcc_conv_transpose_params *p, const C2_T *x,
                                  const C2_T *w, const C2_T *b, C2_T *y) {
  ct_geom gm;
  if (!ct_geom_init(&gm, p)) return;
  int64_t L = gm.S - 1, in_l = p->in_dims[L], out_l = p->out_dims[L];
  int64_t s_l = p->strides[L], d_l = p->dilations[L], k_l = p->kernel[L];
  for (int64_t nb = 0; nb < p->batch; nb++) {
    for (int64_t mo = 0; mo < p->out_channels; mo++) {
      C2_T *ym = y + (nb * p->out_channels + mo) * gm.out_size;
      C2_T init = b ? b[mo] : (C2_T)0;
      for (int64_t q = 0; q < gm.out_size; q++) ym[q] = init;
    }
    for (int64_t c = 0; c < p->in_channels; c++) {
      int64_t grp = c / gm.cg;
      const C2_T *xc = x + (nb * p->in_channels + c) * gm.in_size;
      for (int64_t m = 0; m < gm.mg; m++) {
        const C2_T *wcm = w + (c * gm.mg + m) * gm.k_size;
        C2_T *ym = y + (nb * p->out_channels + grp * gm.mg + m) * gm.out_size;
        for (int64_t ir = 0; ir < gm.in_rows; ir++) {
          const C2_T *xr = xc + ir * in_l;
          for (int64_t kr = 0; kr < gm.k_rows; kr++) {
            int64_t orow;
            if (!ct_out_row(&gm, p, ir, kr, &orow)) continue;
            C2_T *yr = ym + orow;
            const C2_T *wr = wcm + kr * k_l;
            for (int64_t kw = 0; kw < k_l; kw++) {
              int64_t off = kw * d_l - p->pads[L], lo, hi;
              ct_in_range(off, s_l, in_l, out_l, &lo, &hi);
              C2_T wv = wr[kw];
              for (int64_t i = lo; i < hi; i++) yr[i * s_l + off] += wv * xr[i];
            }
          }
        }
      }
    }
  }
}

void C2_NAME(spcc_lp_pool)(const spcc_pool_params *p, double lp, const C2_T *x, C2_T *y) {
  int64_t S = p->spatial, in_size = 1, out_size = 1, stride[SPCC_RT_MAX_SPATIAL];
  if (S < 1 || S > SPCC_RT_MAX_SPATIAL) return;
  for (int64_t i = S - 1; i >= 0; i--) {
    stride[i] = in_size;
    in_size *= p->in_dims[i];
    out_size *= p->out_dims[i];
  }
  for (int64_t nc = 0; nc < p->batch * p->channels; nc++) {
    const C2_T *xc = x + nc * in_size;
    int64_t o[SPCC_RT_MAX_SPATIAL] = {0};
    for (int64_t q = 0; q < out_size; q++) {
      int64_t k[SPCC_RT_MAX_SPATIAL] = {0};
      double sum = 0;
      for (;;) {
        int64_t off = 0;
        int inside = 1;
        for (int64_t i = 0; i < S; i++) {
          int64_t pos = o[i] * p->strides[i] + k[i] * p->dilations[i] - p->pads[i];
          if (pos < 0 || pos >= p->in_dims[i]) inside = 0;
          off += pos * stride[i];
        }
        if (inside) sum += C2_POW((double)C2_ABS(xc[off]), lp);
        int64_t i = S - 1;
        for (; i >= 0; i--) {
          if (++k[i] < p->kernel[i]) break;
          k[i] = 0;
        }
        if (i < 0) break;
      }
      y[nc * out_size + q] = (C2_T)pow(sum, 1.0 / lp);
      for (int64_t i = S - 1; i >= 0; i--) {
        if (++o[i] < p->out_dims[i]) break;
        o[i] = 0;
      }
    }
  }
}

void C2_NAME(spcc_global_max_pool)(const spcc_global_pool_params *p, const C2_T *x, C2_T *y) {
  for (int64_t i = 0; i < p->outer; i++) {
    const C2_T *xi = x + i * p->size;
    C2_T best = p->size > 0 ? xi[0] : (C2_T)0;
    for (int64_t j = 1; j < p->size; j++) {
      C2_T v = xi[j];
      /* v != v: a NaN wins and stays. */
      if (v > best || v != v) best = v;
      if (best != best) break;
    }
    y[i] = best;
  }
}

void C2_NAME(spcc_global_lp_pool)(const spcc_global_pool_params *p, double lp, const C2_T *x,
                                  C2_T *y) {
  for (int64_t i = 0; i < p->outer; i++) {
    const C2_T *xi = x + i * p->size;
    double s = 0;
    if (lp == 2.0)
      for (int64_t j = 0; j < p->size; j++) s += (double)xi[j] * (double)xi[j];
    else
      for (int64_t j = 0; j < p->size; j++) s += C2_POW((double)C2_ABS(xi[j]), lp);
    y[i] = (C2_T)(lp == 2.0 ? sqrt(s) : pow(s, 1.0 / lp));
  }
}

#undef C2_NAME
