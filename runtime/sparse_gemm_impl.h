/* sparse_gemm_impl.h - the CSR and BSR product cores for one stored index
 * type, included by runtime/sparse_gemm.c with SP_IDX (uint8_t, uint16_t or
 * uint32_t) and SP_SFX (u8, u16, u32) defined. Internal to the runtime.
 *
 * Each core computes y[i * ldy + n] = sum over the nonzeros (n, k) of row n
 * of w(n, k) * x[i * xrs + k * xcs] for `mr` rows i of X at once: every
 * weight and index loaded feeds mr multiply-adds, and the mr sums of one
 * output stay in registers. mr is a literal at every call, so each tile
 * height is its own unrolled loop nest. csr_panel is the many-rows core
 * (sparse_panel.h).
 */

#define SP_NAME(name) SP_CAT(name, SP_SFX)

/* ---- CSR ------------------------------------------------------------------ */

static SP_INLINE void SP_NAME(csr_tile)(int mr, const spcc_csr_f32 *w, const SP_IDX *col,
                                        const float *x, int64_t xrs, int64_t xcs, float *y,
                                        int64_t ldy) {
  const int32_t *rp = w->rowptr;
  const float *val = w->val;
  for (int64_t n = 0; n < w->rows; n++) {
    float s[SP_MR] = {0};
    for (int32_t q = rp[n]; q < rp[n + 1]; q++) {
      const float wv = val[q];
      const float *xc = x + (int64_t)col[q] * xcs;
      SP_UNROLL
      for (int i = 0; i < mr; i++) s[i] += wv * xc[i * xrs];
    }
    SP_UNROLL
    for (int i = 0; i < mr; i++) y[i * ldy + n] = s[i];
  }
}

/* One row of X: four partial sums per output keep the adds independent. */
static SP_INLINE void SP_NAME(csr_row)(const spcc_csr_f32 *w, const SP_IDX *col,
                                       const float *x, int64_t xcs, float *y) {
  const int32_t *rp = w->rowptr;
  const float *val = w->val;
  for (int64_t n = 0; n < w->rows; n++) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int32_t q = rp[n];
    const int32_t end = rp[n + 1];
    for (; q + 4 <= end; q += 4) {
      s0 += val[q] * x[(int64_t)col[q] * xcs];
      s1 += val[q + 1] * x[(int64_t)col[q + 1] * xcs];
      s2 += val[q + 2] * x[(int64_t)col[q + 2] * xcs];
      s3 += val[q + 3] * x[(int64_t)col[q + 3] * xcs];
    }
    for (; q < end; q++) s0 += val[q] * x[(int64_t)col[q] * xcs];
    y[n] = (s0 + s1) + (s2 + s3);
  }
}

#if SP_CSR_SIMD
/* AVX-512, rows of X contiguous: 16 nonzeros of weight row n at a time,
 * their columns widened once and gathered from each of the mr rows of X;
 * the last, partial 16 through a masked gather (no lane past the row is
 * read). */
static SP_INLINE void SP_NAME(csr_tile_simd)(int mr, const spcc_csr_f32 *w, const SP_IDX *col,
                                             const float *x, int64_t xrs, float *y,
                                             int64_t ldy) {
  const int32_t *rp = w->rowptr;
  const float *val = w->val;
  for (int64_t n = 0; n < w->rows; n++) {
    __m512 acc[SP_MR];
    SP_UNROLL
    for (int i = 0; i < mr; i++) acc[i] = _mm512_setzero_ps();
    int32_t q = rp[n];
    const int32_t end = rp[n + 1];
    for (; q < end; q += 16) {
      const __mmask16 live = end - q >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (end - q)) - 1);
      const __m512i ci = SP_NAME(csr_cols16)(col + q, live);
      const __m512 wv = _mm512_maskz_loadu_ps(live, val + q);
      SP_UNROLL
      for (int i = 0; i < mr; i++)
        acc[i] = _mm512_fmadd_ps(
            _mm512_mask_i32gather_ps(_mm512_setzero_ps(), live, ci, x + i * xrs, 4), wv, acc[i]);
    }
    SP_UNROLL
    for (int i = 0; i < mr; i++) y[i * ldy + n] = _mm512_reduce_add_ps(acc[i]);
  }
}
#endif

/* Many rows of X (sparse_panel.h): weight rows [n0, n0 + nb) against the
 * 16 rows of X at x, the sums left in region (Y's rows, at column n0).
 * cur holds each weight row's first nonzero not yet added, so each panel
 * of SP_PK columns takes the nonzeros below its end. */
static void SP_NAME(csr_panel_block)(const spcc_csr_f32 *w, const SP_IDX *col, const float *x,
                                     int64_t xrs, int64_t xcs, int64_t n0, int64_t nb,
                                     float *region, int64_t ldy, float *xt, int32_t *cur) {
  float sq[SP_PR * SP_PR] SP_ALIGN64;
  const int32_t *rp = w->rowptr + n0;
  const float *val = w->val;
  const int64_t k = w->cols;
  for (int64_t j = 0; j < nb; j++) cur[j] = rp[j];
  for (int64_t k0 = 0; k0 < k; k0 += SP_PK) {
    const int64_t kc = k - k0 < SP_PK ? k - k0 : SP_PK, k1 = k0 + kc;
    sp_panel_load(x + k0 * xcs, xrs, xcs, kc, kc, xt);
    for (int64_t j = 0; j < nb; j++) {
      float *slot = sp_panel_slot(region, ldy, j);
      sp_v16 s0 = k0 ? sp_v16_load(slot) : sp_v16_zero(), s1 = sp_v16_zero();
      sp_v16 s2 = sp_v16_zero(), s3 = sp_v16_zero();
      int32_t q = cur[j];
      const int32_t e = rp[j + 1];
      /* This panel's nonzeros end at the first column >= k1 (all of them
       * in the last panel, where k1 = k). */
#define SP_ADD(s, u) s = sp_v16_fma(s, val[q + u], xt + ((int64_t)col[q + u] - k0) * SP_PR)
      for (; q + 4 <= e && (int64_t)col[q + 3] < k1; q += 4) {
        SP_ADD(s0, 0);
        SP_ADD(s1, 1);
        SP_ADD(s2, 2);
        SP_ADD(s3, 3);
      }
      for (; q < e && (int64_t)col[q] < k1; q++) SP_ADD(s0, 0);
#undef SP_ADD
      s0 = sp_v16_add(sp_v16_add(s0, s1), sp_v16_add(s2, s3));
      cur[j] = q;
      if (k1 < k) {
        sp_v16_store(slot, s0);
      } else {
        sp_v16_store(sq + (j % SP_PR) * SP_PR, s0);
        if (j % SP_PR == SP_PR - 1) sp_square_out(sq, region + (j - SP_PR + 1), ldy);
      }
    }
  }
}

static void SP_NAME(csr_panel)(const spcc_csr_f32 *w, const SP_IDX *col, const float *a,
                               int64_t m, int64_t xrs, int64_t xcs, float *y) {
  float xt[SP_PR * SP_PK] SP_ALIGN64;
  int32_t cur[SP_PNB];
  const int64_t n = w->rows;
  SP_PANEL_TILES(m, n, SP_PNB, {
    SP_NAME(csr_panel_block)(w, col, a + i0 * xrs, xrs, xcs, n0, nb, y + i0 * n + n0, n, xt,
                             cur);
  })
}

static void SP_NAME(csr_gemm)(const spcc_sparse_gemm_params *p, const float *a,
                              const spcc_csr_f32 *w, const SP_IDX *col, float *y) {
  const int64_t m = p->m, k = w->cols, n = w->rows;
  int64_t i = 0;
  if (m >= SP_PR && n >= SP_PR && k > 0) {
    SP_NAME(csr_panel)(w, col, a, m, p->trans_a ? 1 : k, p->trans_a ? m : 1, y);
    return;
  }
  if (!p->trans_a) { /* rows of X contiguous: the column stride is a literal 1 */
#if SP_CSR_SIMD
    if (k <= INT32_MAX / 4 && m * k <= INT32_MAX) {
      for (; i + 8 <= m; i += 8) SP_NAME(csr_tile_simd)(8, w, col, a + i * k, k, y + i * n, n);
      for (; i + 4 <= m; i += 4) SP_NAME(csr_tile_simd)(4, w, col, a + i * k, k, y + i * n, n);
      for (; i < m; i++) SP_NAME(csr_tile_simd)(1, w, col, a + i * k, k, y + i * n, n);
    }
#endif
    for (; i + 8 <= m; i += 8) SP_NAME(csr_tile)(8, w, col, a + i * k, k, 1, y + i * n, n);
    for (; i + 4 <= m; i += 4) SP_NAME(csr_tile)(4, w, col, a + i * k, k, 1, y + i * n, n);
    for (; i < m; i++) SP_NAME(csr_row)(w, col, a + i * k, 1, y + i * n);
  } else { /* A stored [k, m]: the rows of a tile are neighbours */
    for (; i + 8 <= m; i += 8) SP_NAME(csr_tile)(8, w, col, a + i, 1, m, y + i * n, n);
    for (; i + 4 <= m; i += 4) SP_NAME(csr_tile)(4, w, col, a + i, 1, m, y + i * n, n);
    for (; i < m; i++) SP_NAME(csr_row)(w, col, a + i, m, y + i * n);
  }
}

/* ---- BSR ------------------------------------------------------------------ */

/* Adds block v (R x C, at X columns xb) to the partial sums s of mr rows
 * of X: lane c of s sums column c of the blocks, so the innermost loop runs
 * along contiguous block and X columns and vectorizes. */
static SP_INLINE void SP_NAME(bsr_block)(int mr, int R, int C, const float *v, const float *xb,
                                         int64_t xrs, int64_t xcs, float *s) {
  SP_UNROLL
  for (int i = 0; i < mr; i++)
    SP_UNROLL
    for (int r = 0; r < R; r++)
      SP_UNROLL
      for (int c = 0; c < C; c++) s[(i * R + r) * C + c] += v[r * C + c] * xb[i * xrs + c * xcs];
}

/* The last block of block row br, cut by the right edge: only its first
 * k - k0 columns exist. Added straight into the finished outputs. */
static void SP_NAME(bsr_edge)(int64_t mr, const spcc_bsr_f32 *w, const SP_IDX *col, int32_t q,
                              int64_t br, const float *x, int64_t xrs, int64_t xcs, float *y,
                              int64_t ldy) {
  const int64_t R = w->block_r, C = w->block_c, k0 = (int64_t)col[q] * C;
  const int64_t nr = w->rows - br * R < R ? w->rows - br * R : R;
  const float *v = w->val + (int64_t)q * R * C;
  for (int64_t i = 0; i < mr; i++)
    for (int64_t r = 0; r < nr; r++) {
      float t = 0;
      for (int64_t c = 0; k0 + c < w->cols; c++) t += v[r * C + c] * x[i * xrs + (k0 + c) * xcs];
      y[i * ldy + br * R + r] += t;
    }
}

/* Block shape R x C and tile height mr (literals, mr * R * C <= SP_BACC):
 * partial sums per (row of X, block row, block column), added up once per
 * block row. */
static SP_INLINE void SP_NAME(bsr_tile)(int mr, int R, int C, const spcc_bsr_f32 *w,
                                        const SP_IDX *col, const float *x, int64_t xrs,
                                        int64_t xcs, float *y, int64_t ldy) {
  const int64_t brows = (w->rows + R - 1) / R;
  const int32_t *rp = w->rowptr;
  for (int64_t br = 0; br < brows; br++) {
    float s[SP_BACC];
    SP_UNROLL
    for (int e = 0; e < mr * R * C; e++) s[e] = 0;
    int32_t end = rp[br + 1];
    /* Columns ascend, so only the last block can overhang the edge. */
    const bool edge = end > rp[br] && (int64_t)col[end - 1] * C + C > w->cols;
    if (edge) end--;
    for (int32_t q = rp[br]; q < end; q++)
      SP_NAME(bsr_block)(mr, R, C, w->val + (int64_t)q * R * C, x + (int64_t)col[q] * C * xcs,
                         xrs, xcs, s);
    const int64_t nr = w->rows - br * R < R ? w->rows - br * R : R;
    for (int i = 0; i < mr; i++)
      for (int r = 0; r < nr; r++) {
        float t = 0;
        SP_UNROLL
        for (int c = 0; c < C; c++) t += s[(i * R + r) * C + c];
        y[i * ldy + br * R + r] = t;
      }
    if (edge) SP_NAME(bsr_edge)(mr, w, col, end, br, x, xrs, xcs, y, ldy);
  }
}

/* Any block shape: one output row of a block row at a time. */
static SP_INLINE void SP_NAME(bsr_tile_any)(int mr, const spcc_bsr_f32 *w, const SP_IDX *col,
                                            const float *x, int64_t xrs, int64_t xcs,
                                            float *y, int64_t ldy) {
  const int64_t R = w->block_r, C = w->block_c, k = w->cols;
  const int64_t brows = (w->rows + R - 1) / R;
  const int32_t *rp = w->rowptr;
  for (int64_t br = 0; br < brows; br++) {
    const int64_t nr = w->rows - br * R < R ? w->rows - br * R : R;
    for (int64_t r = 0; r < nr; r++) {
      float s[SP_MR] = {0};
      for (int32_t q = rp[br]; q < rp[br + 1]; q++) {
        const int64_t k0 = (int64_t)col[q] * C;
        const int64_t cc = k - k0 < C ? k - k0 : C;
        const float *v = w->val + ((int64_t)q * R + r) * C;
        for (int64_t c = 0; c < cc; c++) {
          const float *xc = x + (k0 + c) * xcs;
          SP_UNROLL
          for (int i = 0; i < mr; i++) s[i] += v[c] * xc[i * xrs];
        }
      }
      SP_UNROLL
      for (int i = 0; i < mr; i++) y[i * ldy + br * R + r] = s[i];
    }
  }
}

/* Tiles of 4 rows of X, then single rows, for block shape R x C. */
#define SP_BSR_SHAPE(R, C)                                                        \
  if (w->block_r == (R) && w->block_c == (C)) {                                   \
    enum { mr_ = SP_BACC / ((R) * (C)) > 8 ? 8 : SP_BACC / ((R) * (C)) };         \
    int64_t i_ = 0;                                                               \
    for (; i_ + mr_ <= m; i_ += mr_)                                              \
      SP_NAME(bsr_tile)(mr_, R, C, w, col, a + i_ * xrs, xrs, xcs, y + i_ * n, n); \
    for (; i_ < m; i_++)                                                          \
      SP_NAME(bsr_tile)(1, R, C, w, col, a + i_ * xrs, xrs, xcs, y + i_ * n, n);  \
    return;                                                                       \
  }

static void SP_NAME(bsr_gemm)(const spcc_sparse_gemm_params *p, const float *a,
                              const spcc_bsr_f32 *w, const SP_IDX *col, float *y) {
  const int64_t m = p->m, n = w->rows;
  const int64_t xrs = p->trans_a ? 1 : w->cols, xcs = p->trans_a ? m : 1;
#if SP_BSR_SPECIALIZE
  SP_BSR_SHAPE(1, 4)
  SP_BSR_SHAPE(1, 8)
  SP_BSR_SHAPE(2, 2)
  SP_BSR_SHAPE(4, 1)
  SP_BSR_SHAPE(4, 4)
  SP_BSR_SHAPE(8, 1)
#endif
  int64_t i = 0;
  for (; i + 4 <= m; i += 4)
    SP_NAME(bsr_tile_any)(4, w, col, a + i * xrs, xrs, xcs, y + i * n, n);
  for (; i < m; i++) SP_NAME(bsr_tile_any)(1, w, col, a + i * xrs, xrs, xcs, y + i * n, n);
}

#undef SP_BSR_SHAPE
#undef SP_NAME
