/* sparse_gemm.c - Gemm and MatMul with a sparse weight: Y = alpha * op(A)
 * W^T + beta * C for W packed as CSR, BSR or N:M (rt/sparse.h).
 *
 * Output n of row i is a dot product of row i of op(A) with the nonzeros
 * of weight row n, gathering A at the stored columns. Rows of A go in
 * register tiles - 8 or 4 rows per pass over the weights for CSR and N:M,
 * up to 32 partial sums for BSR - so each weight and index loaded feeds a
 * whole tile; a single row (M = 1, the usual inference case) keeps several
 * independent partial sums instead, so the adds do not wait on each other.
 * BSR sums lane by lane along the block columns, which vectorizes; N:M
 * cuts four positions from one read of its bit stream. The index width and
 * the common block and N:M shapes each get their own unrolled loops; other
 * shapes take a generic path. No scratch memory: registers and the
 * caller's Y only. alpha, beta and C are applied afterwards in one pass,
 * exactly as spcc_gemm_f32 does.
 */
#include "sparse_common.h"

#define SP_MR 8   /* most rows of X per tile */
#define SP_BACC 32 /* partial sums of a specialized BSR tile */

/* Y = alpha * Y + beta * C, the epilogue of spcc_gemm_f32. */
static void gemm_epilogue(const spcc_sparse_gemm_params *p, int64_t n, const float *c,
                          float *y) {
  const float alpha = p->alpha, beta = p->beta;
  for (int64_t i = 0; i < p->m; i++) {
    float *yr = y + i * n;
    if (c) {
      const float *cr = c + i * p->c_row_stride;
      const int64_t cs = p->c_col_stride;
      for (int64_t j = 0; j < n; j++) yr[j] = alpha * yr[j] + beta * cr[j * cs];
    } else if (alpha != 1) {
      for (int64_t j = 0; j < n; j++) yr[j] = alpha * yr[j];
    }
  }
}

#define SP_BSR_SPECIALIZE 1
#define SP_IDX uint8_t
#define SP_SFX u8
#include "sparse_gemm_impl.h"
#undef SP_IDX
#undef SP_SFX

#define SP_IDX uint16_t
#define SP_SFX u16
#include "sparse_gemm_impl.h"
#undef SP_IDX
#undef SP_SFX

/* 32-bit indices mean a huge reduction: the generic block path suffices. */
#undef SP_BSR_SPECIALIZE
#define SP_BSR_SPECIALIZE 0
#define SP_IDX uint32_t
#define SP_SFX u32
#include "sparse_gemm_impl.h"
#undef SP_IDX
#undef SP_SFX

void spcc_gemm_csr_f32(const spcc_sparse_gemm_params *p, const float *a, const spcc_csr_f32 *w,
                       const float *c, float *y) {
  if (w->col8)
    csr_gemm_u8(p, a, w, w->col8, y);
  else if (w->col16)
    csr_gemm_u16(p, a, w, w->col16, y);
  else
    csr_gemm_u32(p, a, w, w->col32, y); /* NULL only when there is no nonzero */
  gemm_epilogue(p, w->rows, c, y);
}

void spcc_gemm_bsr_f32(const spcc_sparse_gemm_params *p, const float *a, const spcc_bsr_f32 *w,
                       const float *c, float *y) {
  if (w->block_r < 1 || w->block_c < 1) return;
  if (w->col8)
    bsr_gemm_u8(p, a, w, w->col8, y);
  else if (w->col16)
    bsr_gemm_u16(p, a, w, w->col16, y);
  else
    bsr_gemm_u32(p, a, w, w->col32, y);
  gemm_epilogue(p, w->rows, c, y);
}

/* ---- N:M ------------------------------------------------------------------ */

/* Generic N:M (any n < m <= 16): positions read one by one. Only the last,
 * partial group checks that a position exists. */
static SP_INLINE void nm_tile_any(int mr, const spcc_nm_f32 *w, const float *x, int64_t xrs,
                                  int64_t xcs, float *y, int64_t ldy) {
  const int64_t n = w->n, m = w->m, k = w->cols, bits = w->index_bits;
  const int64_t groups = (k + m - 1) / m, full = k / m, row_bytes = sp_nm_row_bytes(w);
  const unsigned mask = (1u << bits) - 1;
  for (int64_t r = 0; r < w->rows; r++) {
    const uint8_t *ib = w->idx + r * row_bytes;
    const float *v = w->val + r * groups * n;
    float s[SP_MR] = {0};
    int64_t o = 0;
    for (int64_t g = 0; g < groups; g++, v += n) {
      const int64_t base = g * m;
      const bool tail = g >= full;
      for (int64_t j = 0; j < n; j++, o += bits) {
        const int64_t c = base + sp_bits_at(ib, o, mask);
        if (tail && c >= k) continue; /* filler of a zero-padded group */
        const float *xc = x + c * xcs;
        SP_UNROLL
        for (int i = 0; i < mr; i++) s[i] += v[j] * xc[i * xrs];
      }
    }
    SP_UNROLL
    for (int i = 0; i < mr; i++) y[i * ldy + r] = s[i];
  }
}

/* N:M with literal N (1, 2 or 4) and M: four kept values at a time, their
 * positions cut from one 2- or 3-byte window of the stream (4 * bits <= 16
 * bits plus a shift of at most 7; the values span at least the bytes read
 * but the last, and the padding byte covers that one at the very end).
 * Four partial sums when there is one row of X. The last group, when
 * partial, goes through the checked per-value path. */
static SP_INLINE void nm_tile(int mr, int N, int M, const spcc_nm_f32 *w, const float *x,
                              int64_t xrs, int64_t xcs, float *y, int64_t ldy) {
  const int bits = M <= 2 ? 1 : M <= 4 ? 2 : M <= 8 ? 3 : 4;
  const unsigned mask = (1u << bits) - 1;
  const int64_t k = w->cols, groups = (k + M - 1) / M, full = k / M;
  const int64_t row_bytes = sp_nm_row_bytes(w), body = full * N;
  const int lanes = mr == 1 ? 4 : 1;
  for (int64_t r = 0; r < w->rows; r++) {
    const uint8_t *ib = w->idx + r * row_bytes;
    const float *v = w->val + r * groups * N;
    float s[SP_MR][4] = {{0}};
    int64_t t = 0; /* kept value number in the row */
    for (; t + 4 <= body; t += 4) {
      const int64_t o = t * bits;
      const uint8_t *q = ib + (o >> 3);
      unsigned win = (unsigned)q[0] | (unsigned)q[1] << 8;
      if (bits > 2) win |= (unsigned)q[2] << 16;
      win >>= o & 7;
      const float *xt = x + (t / N) * M * xcs;
      SP_UNROLL
      for (int u = 0; u < 4; u++) {
        const int64_t c = (u / N) * M + ((win >> (u * bits)) & mask);
        const float wv = v[t + u];
        SP_UNROLL
        for (int i = 0; i < mr; i++) s[i][u % lanes] += wv * xt[c * xcs + i * xrs];
      }
    }
    for (; t < groups * N; t++) {
      const int64_t c = (t / N) * M + sp_bits_at(ib, t * bits, mask);
      if (c >= k) continue; /* filler of a zero-padded group */
      SP_UNROLL
      for (int i = 0; i < mr; i++) s[i][0] += v[t] * x[c * xcs + i * xrs];
    }
    SP_UNROLL
    for (int i = 0; i < mr; i++) y[i * ldy + r] = (s[i][0] + s[i][1]) + (s[i][2] + s[i][3]);
  }
}

/* Tiles of 8 and 4 rows of X, then single rows, through nm_tile(.., N, M). */
#define NM_RUN(N, M)                                                                    \
  do {                                                                                  \
    int64_t i = 0;                                                                      \
    for (; i + 8 <= p->m; i += 8)                                                       \
      nm_tile(8, N, M, w, a + i * xrs, xrs, xcs, y + i * rows, rows);                   \
    for (; i + 4 <= p->m; i += 4)                                                       \
      nm_tile(4, N, M, w, a + i * xrs, xrs, xcs, y + i * rows, rows);                   \
    for (; i < p->m; i++) nm_tile(1, N, M, w, a + i * xrs, xrs, xcs, y + i * rows, rows); \
  } while (0)

#define NM_SHAPE(N, M)                      \
  if (w->n == (N) && w->m == (M)) {         \
    NM_RUN(N, M);                           \
    gemm_epilogue(p, rows, c, y);           \
    return;                                 \
  }

void spcc_gemm_nm_f32(const spcc_sparse_gemm_params *p, const float *a, const spcc_nm_f32 *w,
                      const float *c, float *y) {
  const int64_t rows = w->rows;
  const int64_t xrs = p->trans_a ? 1 : w->cols, xcs = p->trans_a ? p->m : 1;
  if (w->m < 2 || w->n < 1) return;
  if (w->cols == 0) { /* no reduction: nothing stored, not even a stream */
    for (int64_t i = 0; i < p->m * rows; i++) y[i] = 0;
    gemm_epilogue(p, rows, c, y);
    return;
  }
  NM_SHAPE(2, 4)
  NM_SHAPE(1, 4)
  NM_SHAPE(4, 8)
  NM_SHAPE(2, 8)
  NM_SHAPE(1, 8)
  NM_SHAPE(1, 2)
  {
    int64_t i = 0;
    for (; i + 8 <= p->m; i += 8) nm_tile_any(8, w, a + i * xrs, xrs, xcs, y + i * rows, rows);
    for (; i + 4 <= p->m; i += 4) nm_tile_any(4, w, a + i * xrs, xrs, xcs, y + i * rows, rows);
    for (; i < p->m; i++) nm_tile_any(1, w, a + i * xrs, xrs, xcs, y + i * rows, rows);
  }
  gemm_epilogue(p, rows, c, y);
}
