/* pool_impl.h - pooling loops for one element type, included by
 * runtime/pool.c with POOL_T (element type), POOL_SFX (name suffix),
 * POOL_LOWEST (start value of a max) and, for floating types, POOL_AVG
 * defined. Internal to the runtime; not installed. */

void POOL_CAT(spcc_max_pool, POOL_SFX)(const spcc_pool_params *p, const POOL_T *x, POOL_T *y,
                                       int64_t *indices) {
  pool_geom gm;
  if (!pool_geom_init(&gm, p)) return;
  int64_t last = gm.S - 1, dl = p->dilations[last];
  for (int64_t nc = 0; nc < p->batch * p->channels; nc++) {
    const POOL_T *xc = x + nc * gm.in_size;
    POOL_T *yc = y + nc * gm.out_size;
    int64_t o[SPCC_RT_MAX_SPATIAL] = {0};
    for (int64_t q = 0; q < gm.out_size; q++, pool_next(o, p, gm.S)) {
      pool_window wd;
      pool_window_at(&wd, p, &gm, o);
      POOL_T best = POOL_LOWEST;
      int64_t bi = -1, ro = 0, k[SPCC_RT_MAX_SPATIAL];
      bool started = false;
      while (pool_row(&wd, p, &gm, k, &started, &ro)) {
        int64_t off = ro + wd.start[last] + wd.klo[last] * dl;
        for (int64_t kk = wd.klo[last]; kk < wd.khi[last]; kk++, off += dl) {
          POOL_T v = xc[off];
          /* Strictly greater: the first maximum wins, as ONNX expects. */
          if (bi < 0 || v > best) {
            best = v;
            bi = off;
          }
        }
      }
      yc[q] = best;
      if (indices)
        indices[nc * gm.out_size + q] = bi < 0 ? -1 : nc * gm.in_size + pool_index(p, &gm, bi);
    }
  }
}

#ifdef POOL_AVG
void POOL_CAT(spcc_average_pool, POOL_SFX)(const spcc_pool_params *p, const POOL_T *x,
                                           POOL_T *y) {
  pool_geom gm;
  if (!pool_geom_init(&gm, p)) return;
  int64_t last = gm.S - 1, dl = p->dilations[last];
  for (int64_t nc = 0; nc < p->batch * p->channels; nc++) {
    const POOL_T *xc = x + nc * gm.in_size;
    POOL_T *yc = y + nc * gm.out_size;
    int64_t o[SPCC_RT_MAX_SPATIAL] = {0};
    for (int64_t q = 0; q < gm.out_size; q++, pool_next(o, p, gm.S)) {
      pool_window wd;
      pool_window_at(&wd, p, &gm, o);
      POOL_T sum = 0;
      int64_t ro = 0, k[SPCC_RT_MAX_SPATIAL];
      bool started = false;
      while (pool_row(&wd, p, &gm, k, &started, &ro)) {
        const POOL_T *xr = xc + (ro + wd.start[last] + wd.klo[last] * dl);
        int64_t nk = wd.khi[last] - wd.klo[last];
        for (int64_t kk = 0; kk < nk; kk++) sum += xr[kk * dl];
      }
      int64_t cnt = p->count_include_pad ? wd.count_pad : wd.count;
      yc[q] = cnt > 0 ? sum / (POOL_T)cnt : (POOL_T)0;
    }
  }
}

void POOL_CAT(spcc_global_average_pool, POOL_SFX)(const spcc_global_pool_params *p,
                                                  const POOL_T *x, POOL_T *y) {
  int64_t size = p->size;
  for (int64_t i = 0; i < p->outer; i++) {
    const POOL_T *xi = x + i * size;
    /* Eight partial sums: a fixed-width loop the compiler vectorizes. */
    POOL_T acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t j = 0;
    for (; j + 8 <= size; j += 8)
      for (int l = 0; l < 8; l++) acc[l] += xi[j + l];
    POOL_T s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (; j < size; j++) s += xi[j];
    y[i] = size > 0 ? s / (POOL_T)size : (POOL_T)0;
  }
}
#endif
