/* sparse_gemm_nm.c - Gemm and MatMul with an N:M weight (rt/sparse.h):
 * Y = alpha * op(A) W^T + beta * C.
 *
 * Output n of row i of Y is the dot product of row i of op(A) with the kept
 * values of weight row n, each multiplied by A at its group's base column
 * plus its stored position. Four implementations:
 *
 * - Panels (sparse_panel.h; any target, from 16 rows of X): 16 rows of X
 *   by whole groups transposed on the stack, each kept value one broadcast
 *   and one 16-wide multiply-add; no branch depends on the data. Measured
 *   at M = 128, 3072 x 768 (ns per kept value and row of X, before ->
 *   after): AVX2 2:4 0.30 -> 0.07, 1:4 0.57 -> 0.09; plain C (-O2, SSE2)
 *   2:4 0.45 -> 0.17; AVX-512 1:4 0.071 -> 0.048.
 * - AVX-512 (rows of A contiguous, N and M powers of two with M >= 2N;
 *   first choice with M = 2N, where it beats the panels: 2:4 0.035):
 *   16 kept values at a time. They span 16 / N whole groups, 16 M / N
 *   columns of A; one read of the stream gives their 16 positions, a
 *   variable shift, a mask and the group bases turn them into column
 *   offsets in one vector, and a two-register permute (vpermt2ps, one per
 *   32 columns) picks the 16 A values out of the contiguous row - no
 *   gather, no per-value index arithmetic. A tile of 4 weight rows x 4
 *   rows of A shares the decoded positions among the A rows and the loaded
 *   A among the weight rows; weight rows go in blocks that stay in L2
 *   while every tile of A passes over them.
 * - AVX2 + FMA (fewer than 16 rows, M of 2, 4 or 8): the same idea eight
 *   values at a time with vpermps and blends (M = 1, 1024 x 1024: 2:4
 *   3.7x, 1:4 3.1x the portable kernel).
 * - Portable C (everything else): positions decoded once per tile of 8 or
 *   4 rows of A, four of them cut from one read of the stream for the
 *   common shapes, several partial sums when there is a single row.
 *
 * Groups past the last whole 16-value chunk, and a last partial group,
 * take the checked per-value path. Scratch: the stack (9 KB for panels)
 * and the caller's Y. alpha, beta and C are applied afterwards in one pass, as
 * spcc_gemm_f32 does.
 */
#include <string.h>

#include "sparse_panel.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#define SP_NM_SIMD 1
#define SP_NM_AVX2 0
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define SP_NM_SIMD 0
#define SP_NM_AVX2 1
#else
#define SP_NM_SIMD 0
#define SP_NM_AVX2 0
#endif

#define SP_MR 8 /* most rows of X per portable tile */

/* ---- portable ----------------------------------------------------------- */

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

/* Many rows of X (sparse_panel.h): weight rows [n0, n0 + nb) against the 16
 * rows of X at x, panels of whole groups. N and M are literals (the
 * positions then come four at a time from one window of the stream, as in
 * nm_tile) or 0 for any N:M. The kept values of a panel are a fixed range
 * of the row, so every loop count is known: no branch depends on the data.
 * A last, partial group reads zeroed panel columns past the edge. */
static SP_INLINE void nm_panel_block(int N, int M, const spcc_nm_f32 *w, const float *x,
                                     int64_t xrs, int64_t xcs, int64_t n0, int64_t nb,
                                     float *region, int64_t ldy, float *xt) {
  const int64_t n = N ? N : w->n, m = M ? M : w->m, k = w->cols;
  const int64_t bits = w->index_bits, groups = (k + m - 1) / m;
  const int64_t row_bytes = sp_nm_row_bytes(w), panel = SP_PK / m * m;
  const unsigned mask = (1u << bits) - 1;
  float sq[SP_PR * SP_PR] SP_ALIGN64;
  for (int64_t k0 = 0; k0 < k; k0 += panel) {
    const int64_t kc = k - k0 < panel ? k - k0 : panel, kpad = (kc + m - 1) / m * m;
    const bool last = k0 + kc >= k;
    sp_panel_load(x + k0 * xcs, xrs, xcs, kc, kpad, xt);
    const int64_t t0 = k0 / m * n, t1 = t0 + kpad / m * n; /* kept values of the panel */
    for (int64_t j = 0; j < nb; j++) {
      const uint8_t *ib = w->idx + (n0 + j) * row_bytes;
      const float *v = w->val + (n0 + j) * groups * n;
      float *slot = sp_panel_slot(region, ldy, j);
      sp_v16 s[8];
      s[0] = k0 ? sp_v16_load(slot) : sp_v16_zero();
      SP_UNROLL
      for (int u = 1; u < 8; u++) s[u] = sp_v16_zero();
      int64_t t = t0;
      if (N) {
        const int B = M <= 2 ? 1 : M <= 4 ? 2 : M <= 8 ? 3 : 4;
        for (; t + 8 <= t1; t += 8) { /* two windows of four positions */
          SP_UNROLL
          for (int h = 0; h < 2; h++) {
            const int64_t o = (t + 4 * h) * B;
            const uint8_t *q = ib + (o >> 3);
            unsigned win = (unsigned)q[0] | (unsigned)q[1] << 8;
            if (B > 2) win |= (unsigned)q[2] << 16;
            win >>= o & 7;
            const float *xg = xt + ((t + 4 * h - t0) / N) * M * SP_PR;
            SP_UNROLL
            for (int u = 0; u < 4; u++)
              s[4 * h + u] = sp_v16_fma(s[4 * h + u], v[t + 4 * h + u],
                                        xg + ((u / N) * M + ((win >> (u * B)) & mask)) * SP_PR);
          }
        }
      }
      for (; t < t1; t++)
        s[0] = sp_v16_fma(s[0], v[t],
                          xt + ((t - t0) / n * m + sp_bits_at(ib, t * bits, mask)) * SP_PR);
      SP_UNROLL
      for (int u = 0; u < 4; u++) s[u] = sp_v16_add(s[u], s[u + 4]);
      s[0] = sp_v16_add(sp_v16_add(s[0], s[1]), sp_v16_add(s[2], s[3]));
      if (!last) {
        sp_v16_store(slot, s[0]);
      } else {
        sp_v16_store(sq + (j % SP_PR) * SP_PR, s[0]);
        if (j % SP_PR == SP_PR - 1) sp_square_out(sq, region + (j - SP_PR + 1), ldy);
      }
    }
  }
}

static SP_INLINE void nm_panel(int N, int M, const spcc_sparse_gemm_params *p, const float *a,
                               const spcc_nm_f32 *w, float *y) {
  float xt[SP_PR * SP_PK] SP_ALIGN64;
  const int64_t m = p->m, rows = w->rows;
  const int64_t xrs = p->trans_a ? 1 : w->cols, xcs = p->trans_a ? m : 1;
  SP_PANEL_TILES(m, rows, rows, {
    nm_panel_block(N, M, w, a + i0 * xrs, xrs, xcs, n0, nb, y + i0 * rows + n0, rows, xt);
  })
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

#define NM_SHAPE(N, M)              \
  if (w->n == (N) && w->m == (M)) { \
    NM_RUN(N, M);                   \
    return;                         \
  }

/* Runs the panel kernel when X has enough rows; false otherwise. */
static bool nm_try_panel(const spcc_sparse_gemm_params *p, const float *a, const spcc_nm_f32 *w,
                         float *y) {
  if (p->m < SP_PR || w->rows < SP_PR || w->m > SP_PK) return false;
  {
#define NM_PANEL(N, M)          \
  if (w->n == (N) && w->m == (M)) { \
    nm_panel(N, M, p, a, w, y);     \
    return true;                    \
  }
    NM_PANEL(2, 4)
    NM_PANEL(1, 4)
    NM_PANEL(4, 8)
    NM_PANEL(2, 8)
    NM_PANEL(1, 8)
    NM_PANEL(1, 2)
#undef NM_PANEL
    nm_panel(0, 0, p, a, w, y);
    return true;
  }
}

static void nm_portable(const spcc_sparse_gemm_params *p, const float *a, const spcc_nm_f32 *w,
                        float *y) {
  const int64_t rows = w->rows;
  const int64_t xrs = p->trans_a ? 1 : w->cols, xcs = p->trans_a ? p->m : 1;
  NM_SHAPE(2, 4)
  NM_SHAPE(1, 4)
  NM_SHAPE(4, 8)
  NM_SHAPE(2, 8)
  NM_SHAPE(1, 8)
  NM_SHAPE(1, 2)
  int64_t i = 0;
  for (; i + 8 <= p->m; i += 8) nm_tile_any(8, w, a + i * xrs, xrs, xcs, y + i * rows, rows);
  for (; i + 4 <= p->m; i += 4) nm_tile_any(4, w, a + i * xrs, xrs, xcs, y + i * rows, rows);
  for (; i < p->m; i++) nm_tile_any(1, w, a + i * xrs, xrs, xcs, y + i * rows, rows);
}

#if SP_NM_SIMD || SP_NM_AVX2
/* Kept values g0 * n .. of weight row r against X row x (column stride
 * xcs): the per-value path, which checks that each position exists. */
static float nm_dot_from(const spcc_nm_f32 *w, int64_t r, int64_t g0, const float *x,
                         int64_t xcs) {
  const int64_t n = w->n, m = w->m, k = w->cols, bits = w->index_bits;
  const int64_t groups = (k + m - 1) / m;
  const unsigned mask = (1u << bits) - 1;
  const uint8_t *ib = w->idx + r * sp_nm_row_bytes(w);
  const float *v = w->val + r * groups * n;
  float s = 0;
  for (int64_t t = g0 * n; t < groups * n; t++) {
    const int64_t c = (t / n) * m + sp_bits_at(ib, t * bits, mask);
    if (c < k) s += v[t] * x[c * xcs]; /* else the filler of a zero-padded group */
  }
  return s;
}

#endif

/* ---- AVX2 + FMA --------------------------------------------------------- */

#if SP_NM_AVX2

/* Fewer than 16 rows of X (the panels take the rest), rows contiguous, M of
 * 2, 4 or 8 and N dividing 8: eight kept values at a time. They span 8 / N
 * whole groups, W = 8 M / N columns of X, W / 8 registers; their positions
 * are one byte-aligned read of the stream (8 x bits bits), turned into
 * column offsets by a variable shift, a mask and the group bases. Each
 * register of X gives the lanes of its groups through one vpermps (which
 * reads the offsets' low 3 bits) and a blend. Four weight rows at a time,
 * so four sums are in flight. Groups after the last whole chunk go through
 * the per-value path. */
static SP_INLINE __m256 nm8_pick(int N, int M, const float *xw, __m256i off) {
  const int S = M / N; /* registers of X per chunk */
  const int L = 8 / S; /* lanes each register serves */
  __m256 g = _mm256_permutevar8x32_ps(_mm256_loadu_ps(xw), off);
  SP_UNROLL
  for (int s = 1; s < S; s++) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256 sel = _mm256_castsi256_ps(_mm256_and_si256(
        _mm256_cmpgt_epi32(lane, _mm256_set1_epi32(s * L - 1)),
        _mm256_cmpgt_epi32(_mm256_set1_epi32(s * L + L), lane)));
    g = _mm256_blendv_ps(g, _mm256_permutevar8x32_ps(_mm256_loadu_ps(xw + 8 * s), off), sel);
  }
  return g;
}

static SP_INLINE __m256i nm8_offsets(int N, int M, const uint8_t *q, const uint8_t *end) {
  const int bits = M <= 2 ? 1 : M <= 4 ? 2 : 3;
  uint32_t word = 0;
  if (end - q >= 4) {
    memcpy(&word, q, 4);
  } else {
    for (int b = 0; b < bits; b++) word |= (uint32_t)q[b] << (8 * b);
  }
  const __m256i shift = _mm256_setr_epi32(0, bits, 2 * bits, 3 * bits, 4 * bits, 5 * bits,
                                          6 * bits, 7 * bits);
  const __m256i base = _mm256_setr_epi32(0 / N * M, 1 / N * M, 2 / N * M, 3 / N * M,
                                         4 / N * M, 5 / N * M, 6 / N * M, 7 / N * M);
  const __m256i pos = _mm256_and_si256(_mm256_srlv_epi32(_mm256_set1_epi32((int)word), shift),
                                       _mm256_set1_epi32((1 << bits) - 1));
  return _mm256_add_epi32(pos, base);
}

static SP_INLINE float nm8_hsum(__m256 v) {
  __m128 h = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  h = _mm_add_ps(h, _mm_movehl_ps(h, h));
  return _mm_cvtss_f32(_mm_add_ss(h, _mm_movehdup_ps(h)));
}

/* Weight rows [r0, r0 + nr) (nr <= 4, a literal) against X row x. */
static SP_INLINE void nm8_rows(int N, int M, int nr, const spcc_nm_f32 *w, int64_t r0,
                               const float *x, float *y) {
  const int bits = M <= 2 ? 1 : M <= 4 ? 2 : 3;
  const int64_t groups = (w->cols + M - 1) / M, chunks = (w->cols / M) / (8 / N);
  const int64_t row_bytes = sp_nm_row_bytes(w);
  const uint8_t *end = w->idx + w->rows * row_bytes + 1;
  __m256 acc[4];
  SP_UNROLL
  for (int j = 0; j < nr; j++) acc[j] = _mm256_setzero_ps();
  for (int64_t c = 0; c < chunks; c++) {
    const float *xc = x + c * 8 * M / N;
    SP_UNROLL
    for (int j = 0; j < nr; j++) {
      const int64_t r = r0 + j;
      const __m256i off = nm8_offsets(N, M, w->idx + r * row_bytes + c * bits, end);
      const __m256 wv = _mm256_loadu_ps(w->val + r * groups * N + c * 8);
      acc[j] = _mm256_fmadd_ps(nm8_pick(N, M, xc, off), wv, acc[j]);
    }
  }
  const int64_t g0 = chunks * (8 / N);
  SP_UNROLL
  for (int j = 0; j < nr; j++) {
    float t = nm8_hsum(acc[j]);
    if (g0 < groups) t += nm_dot_from(w, r0 + j, g0, x, 1);
    y[r0 + j] = t;
  }
}

static SP_INLINE void nm8_gemm(int N, int M, const spcc_sparse_gemm_params *p, const float *a,
                               const spcc_nm_f32 *w, float *y) {
  const int64_t rows = w->rows, k = w->cols;
  for (int64_t i = 0; i < p->m; i++) {
    int64_t r = 0;
    for (; r + 4 <= rows; r += 4) nm8_rows(N, M, 4, w, r, a + i * k, y + i * rows);
    for (; r < rows; r++) nm8_rows(N, M, 1, w, r, a + i * k, y + i * rows);
  }
}

/* Runs the AVX2 kernel when it applies; false otherwise. */
static bool nm_try_avx2(const spcc_sparse_gemm_params *p, const float *a, const spcc_nm_f32 *w,
                        float *y) {
  if (p->trans_a && p->m != 1) return false; /* rows of X not contiguous */
#define NM8(N, M)                       \
  if (w->n == (N) && w->m == (M)) {     \
    nm8_gemm(N, M, p, a, w, y);         \
    return true;                        \
  }
  NM8(2, 4)
  NM8(1, 4)
  NM8(4, 8)
  NM8(2, 8)
  NM8(1, 8)
  NM8(1, 2)
#undef NM8
  return false;
}

#endif /* SP_NM_AVX2 */

/* ---- AVX-512 ------------------------------------------------------------ */

#if SP_NM_SIMD

#define SP_NB 4            /* weight rows per tile */
#define SP_L2_BYTES 262144 /* weight values per block of rows, kept in L2 */

/* What every chunk of a weight needs: lane shifts, the position mask and
 * the lanes' group bases (offset of lane l's group in the chunk). */
typedef struct {
  __m512i shift, mask, base;
  const uint8_t *end; /* one past the stream's last byte */
} nm_consts;

/* The stream's `nbytes` bytes at q, little-endian; one 8-byte read unless
 * that would leave the stream. */
static SP_INLINE uint64_t nm_word(const uint8_t *q, const uint8_t *end, int nbytes) {
  uint64_t word = 0;
  if (end - q >= 8) {
    memcpy(&word, q, 8);
  } else {
    for (int b = 0; b < nbytes; b++) word |= (uint64_t)q[b] << (8 * b);
  }
  return word;
}

/* Column offsets (in the chunk) of the 16 kept values whose positions start
 * at stream byte q: positions of `bits` bits, 2 * bits bytes in all. */
static SP_INLINE __m512i nm_offsets(int bits, const uint8_t *q, const nm_consts *k) {
  const uint64_t word = nm_word(q, k->end, 2 * bits);
  __m512i v;
  if (bits <= 2) {
    v = _mm512_set1_epi32((int)(uint32_t)word);
  } else { /* lanes 8..15 from the second half of the positions */
    const __m256i lo = _mm256_set1_epi32((int)(uint32_t)word);
    const __m256i hi = _mm256_set1_epi32((int)(uint32_t)(word >> (8 * bits)));
    v = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
  }
  /* (v >> shift) & mask | base in one ternary-logic op (0xEA: A & B | C). */
  return _mm512_ternarylogic_epi32(_mm512_srlv_epi32(v, k->shift), k->mask, k->base, 0xEA);
}

/* The 16 values of X row xw (a chunk of 32 S columns) at offsets off:
 * vpermt2ps reads the low 5 bits of each offset, so sub-window s (32
 * columns) serves the lanes of its 16 / S groups' values. */
static SP_INLINE __m512 nm_pick(int S, const float *xw, __m512i off) {
  __m512 g = _mm512_permutex2var_ps(_mm512_loadu_ps(xw), off, _mm512_loadu_ps(xw + 16));
  SP_UNROLL
  for (int s = 1; s < S; s++) {
    const __mmask16 lanes = (__mmask16)(((1u << (16 / S)) - 1) << (s * 16 / S));
    const __m512 t =
        _mm512_permutex2var_ps(_mm512_loadu_ps(xw + 32 * s), off, _mm512_loadu_ps(xw + 32 * s + 16));
    g = _mm512_mask_blend_ps(lanes, g, t);
  }
  return g;
}

/* The sums of four vectors, as one vector of four. */
static SP_INLINE __m128 nm_hsum4(__m512 a, __m512 b, __m512 c, __m512 d) {
#define SP_HALF(v) \
  _mm256_add_ps(_mm512_castps512_ps256(v), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)))
  const __m256 ab = _mm256_hadd_ps(SP_HALF(a), SP_HALF(b));
  const __m256 cd = _mm256_hadd_ps(SP_HALF(c), SP_HALF(d));
#undef SP_HALF
  const __m256 abcd = _mm256_hadd_ps(ab, cd);
  return _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1));
}

/* Y rows i0.. (mr of them) x weight rows r0.. (nr): the chunks with
 * vectors, the groups after them per value. bits and S (sub-windows of 32
 * columns per chunk) are literals. */
static SP_INLINE void nm_simd_tile(int mr, int nr, int bits, int S, const spcc_nm_f32 *w,
                                   const nm_consts *k, int64_t r0, const float *x, int64_t ldx,
                                   float *y, int64_t ldy) {
  const int64_t n = w->n, groups = (w->cols + w->m - 1) / w->m;
  const int64_t chunks = (w->cols / w->m) / (16 / n), row_bytes = sp_nm_row_bytes(w);
  const uint8_t *ib[SP_NB];
  const float *v[SP_NB];
  __m512 acc[4][SP_NB];
  SP_UNROLL
  for (int j = 0; j < nr; j++) {
    ib[j] = w->idx + (r0 + j) * row_bytes;
    v[j] = w->val + (r0 + j) * groups * n;
    SP_UNROLL
    for (int i = 0; i < mr; i++) acc[i][j] = _mm512_setzero_ps();
  }
  for (int64_t c = 0; c < chunks; c++) {
    const float *xc = x + c * 32 * S;
    SP_UNROLL
    for (int j = 0; j < nr; j++) {
      const __m512i off = nm_offsets(bits, ib[j] + c * 2 * bits, k);
      const __m512 wv = _mm512_loadu_ps(v[j] + c * 16);
      SP_UNROLL
      for (int i = 0; i < mr; i++)
        acc[i][j] = _mm512_fmadd_ps(nm_pick(S, xc + i * ldx, off), wv, acc[i][j]);
    }
  }
  const int64_t g0 = chunks * (16 / n); /* first group of the tail */
  SP_UNROLL
  for (int i = 0; i < mr; i++) {
    float *yi = y + i * ldy + r0;
    const float *xi = x + i * ldx;
    if (nr == 4) {
      _mm_storeu_ps(yi, nm_hsum4(acc[i][0], acc[i][1], acc[i][2], acc[i][3]));
    } else {
      SP_UNROLL
      for (int j = 0; j < nr; j++) yi[j] = _mm512_reduce_add_ps(acc[i][j]);
    }
    if (g0 < groups)
      SP_UNROLL
      for (int j = 0; j < nr; j++) yi[j] += nm_dot_from(w, r0 + j, g0, xi, 1);
  }
}

/* Every row of Y for weight rows [r0, r1), in tiles of 4 x 4. */
static SP_INLINE void nm_simd_rows(int bits, int S, const spcc_nm_f32 *w, const nm_consts *k,
                                   int64_t r0, int64_t r1, const float *a, int64_t m, float *y) {
  const int64_t K = w->cols, rows = w->rows;
  int64_t i = 0;
  for (; i + 4 <= m; i += 4) {
    int64_t r = r0;
    for (; r + 4 <= r1; r += 4) nm_simd_tile(4, 4, bits, S, w, k, r, a + i * K, K, y + i * rows, rows);
    for (; r < r1; r++) nm_simd_tile(4, 1, bits, S, w, k, r, a + i * K, K, y + i * rows, rows);
  }
  for (; i < m; i++) {
    int64_t r = r0;
    for (; r + 4 <= r1; r += 4) nm_simd_tile(1, 4, bits, S, w, k, r, a + i * K, K, y + i * rows, rows);
    for (; r < r1; r++) nm_simd_tile(1, 1, bits, S, w, k, r, a + i * K, K, y + i * rows, rows);
  }
}

/* Weight rows in blocks of about SP_L2_BYTES of values (a multiple of 4
 * rows), every row of X against each block. */
static SP_INLINE void nm_simd(int bits, int S, const spcc_sparse_gemm_params *p, const float *a,
                              const spcc_nm_f32 *w, float *y) {
  nm_consts k;
  int32_t shift[16], base[16];
  for (int l = 0; l < 16; l++) {
    shift[l] = (int32_t)((bits <= 2 ? l : l % 8) * bits);
    base[l] = (int32_t)((l / w->n) * w->m);
  }
  k.shift = _mm512_loadu_si512(shift);
  k.base = _mm512_loadu_si512(base);
  k.mask = _mm512_set1_epi32((1 << bits) - 1);
  k.end = w->idx + w->rows * sp_nm_row_bytes(w) + 1;
  const int64_t row_vals = ((w->cols + w->m - 1) / w->m) * w->n * 4;
  int64_t block = SP_L2_BYTES / (row_vals > 0 ? row_vals : 1) / 4 * 4;
  if (block < 4) block = 4;
  for (int64_t r0 = 0; r0 < w->rows; r0 += block)
    nm_simd_rows(bits, S, w, &k, r0, r0 + block < w->rows ? r0 + block : w->rows, a, p->m, y);
}

/* Runs the AVX-512 kernel when it applies; false otherwise. */
static bool nm_try_simd(const spcc_sparse_gemm_params *p, const float *a, const spcc_nm_f32 *w,
                        float *y) {
  const int64_t n = w->n, m = w->m;
  if (p->trans_a && p->m != 1) return false; /* rows of X not contiguous */
  if ((n & (n - 1)) || (m & (m - 1)) || m < 2 * n || 16 % n) return false;
  if (w->cols / m < 16 / n) return false; /* not one whole chunk */
  const int S = (int)(m / (2 * n));
  switch (w->index_bits * 16 + S) {
  case 1 * 16 + 1: nm_simd(1, 1, p, a, w, y); return true; /* 1:2 */
  case 2 * 16 + 1: nm_simd(2, 1, p, a, w, y); return true; /* 2:4 */
  case 2 * 16 + 2: nm_simd(2, 2, p, a, w, y); return true; /* 1:4 */
  case 3 * 16 + 1: nm_simd(3, 1, p, a, w, y); return true; /* 4:8 */
  case 3 * 16 + 2: nm_simd(3, 2, p, a, w, y); return true; /* 2:8 */
  case 3 * 16 + 4: nm_simd(3, 4, p, a, w, y); return true; /* 1:8 */
  case 4 * 16 + 1: nm_simd(4, 1, p, a, w, y); return true; /* 8:16 */
  case 4 * 16 + 2: nm_simd(4, 2, p, a, w, y); return true; /* 4:16 */
  case 4 * 16 + 4: nm_simd(4, 4, p, a, w, y); return true; /* 2:16 */
  case 4 * 16 + 8: nm_simd(4, 8, p, a, w, y); return true; /* 1:16 */
  default: return false;
  }
}

#endif /* SP_NM_SIMD */

void spcc_gemm_nm_f32(const spcc_sparse_gemm_params *p, const float *a, const spcc_nm_f32 *w,
                      const float *c, float *y) {
  if (w->m < 2 || w->n < 1) return;
  if (w->cols == 0) { /* no reduction: nothing stored, not even a stream */
    for (int64_t i = 0; i < p->m * w->rows; i++) y[i] = 0;
  } else {
#if SP_NM_SIMD
    /* With M = 2N the AVX-512 kernel picks X from one 32-column window per
     * 16 values and beats the panels (measured 0.035 against 0.065 ns per
     * kept value and row at M = 128, 2:4); sparser patterns go to panels. */
    if (!(w->m == 2 * w->n && nm_try_simd(p, a, w, y)) && !nm_try_panel(p, a, w, y) &&
        !nm_try_simd(p, a, w, y))
#elif SP_NM_AVX2
    if (!nm_try_panel(p, a, w, y) && !nm_try_avx2(p, a, w, y))
#else
    if (!nm_try_panel(p, a, w, y))
#endif
      nm_portable(p, a, w, y);
  }
  sp_gemm_epilogue(p, w->rows, c, y);
}
