/* sparse_stats.c - what the zeros of a weight look like: nonzero count,
 * the sparsest N:M pattern every group obeys, and the block shape whose
 * nonzero blocks waste the least padding.
 *
 * sparsify and select-format decide formats from these numbers and
 * `spcc inspect` prints them, so they are computed on the logical matrix of
 * the weight view (output channels x reduction, ir/sparse.h), never on the
 * tensor layout: a MatMul W[K,N] and a Gemm B[N,K] holding the same matrix
 * get the same answers. A value is nonzero when `x != 0` (NaN counts, -0
 * does not), the same test packing uses, so stats and packed storage agree.
 *
 * The work runs on a byte mask of the matrix in logical row-major order,
 * built once per call, so transposed layouts cost one strided pass rather
 * than one per question.
 */
#include <stdlib.h>

#include "sparse.h"

int spcc_index_bits_for(int64_t cols) {
  if (cols <= (INT64_C(1) << 8)) return 8;
  if (cols <= (INT64_C(1) << 16)) return 16;
  return 32;
}

/* mask[r * cols + c] = 1 where logical element (r, c) is nonzero. */
static unsigned char *nonzero_mask(const float *data, const spcc_weight_view *v, int64_t *nnz) {
  int64_t rows = v->rows, cols = v->cols;
  unsigned char *m = malloc((size_t)(rows * cols) + 1);
  if (!m) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  int64_t count = 0;
  if (v->transposed) {
    /* Storage order (c outer) keeps the reads sequential. */
    for (int64_t c = 0; c < cols; c++)
      for (int64_t r = 0; r < rows; r++) {
        unsigned char nz = data[c * rows + r] != 0;
        m[r * cols + c] = nz;
        count += nz;
      }
  } else {
    for (int64_t i = 0; i < rows * cols; i++) {
      m[i] = data[i] != 0;
      count += m[i];
    }
  }
  if (nnz) *nnz = count;
  return m;
}

/* The most nonzeros any group of m consecutive reduction elements holds
 * (the last group of a row may be shorter), for every m in 2..max_m.
 * prefix is scratch of cols + 1 entries. */
static void max_group_counts(const unsigned char *mask, int64_t rows, int64_t cols, int max_m,
                             int64_t *prefix, int *most) {
  for (int m = 0; m <= max_m; m++) most[m] = 0;
  for (int64_t r = 0; r < rows; r++) {
    const unsigned char *row = mask + r * cols;
    prefix[0] = 0;
    for (int64_t c = 0; c < cols; c++) prefix[c + 1] = prefix[c] + row[c];
    for (int m = 2; m <= max_m; m++)
      for (int64_t c0 = 0; c0 < cols; c0 += m) {
        int64_t c1 = c0 + m < cols ? c0 + m : cols;
        int k = (int)(prefix[c1] - prefix[c0]);
        if (k > most[m]) most[m] = k;
      }
  }
}

/* Ors rows [r0, r0 + r) of the mask into acc (cols bytes). */
static void or_rows(const unsigned char *mask, int64_t rows, int64_t cols, int64_t r0, int r,
                    unsigned char *acc) {
  for (int64_t c = 0; c < cols; c++) acc[c] = 0;
  for (int64_t i = r0; i < r0 + r && i < rows; i++)
    for (int64_t c = 0; c < cols; c++) acc[c] |= mask[i * cols + c];
}

/* Groups of c consecutive columns of acc holding a nonzero. */
static int64_t busy_groups(const unsigned char *acc, int64_t cols, int c) {
  int64_t n = 0;
  for (int64_t c0 = 0; c0 < cols; c0 += c) {
    int64_t c1 = c0 + c < cols ? c0 + c : cols;
    for (int64_t i = c0; i < c1; i++)
      if (acc[i]) {
        n++;
        break;
      }
  }
  return n;
}

static int64_t blocks_in_mask(const unsigned char *mask, int64_t rows, int64_t cols, int r, int c,
                              unsigned char *acc) {
  int64_t n = 0;
  for (int64_t r0 = 0; r0 < rows; r0 += r) {
    or_rows(mask, rows, cols, r0, r, acc);
    n += busy_groups(acc, cols, c);
  }
  return n;
}

int64_t spcc_weight_nonzero_blocks(const float *data, const spcc_weight_view *v, int r, int c) {
  if (r < 1 || c < 1 || v->rows <= 0 || v->cols <= 0) return 0;
  unsigned char *mask = nonzero_mask(data, v, NULL);
  unsigned char *acc = malloc((size_t)v->cols);
  if (!acc) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  int64_t n = blocks_in_mask(mask, v->rows, v->cols, r, c, acc);
  free(acc);
  free(mask);
  return n;
}

bool spcc_weight_fits_nm(const float *data, const spcc_weight_view *v, int n, int m) {
  if (n < 1 || m < 1 || n > m) return false;
  for (int64_t r = 0; r < v->rows; r++)
    for (int64_t c0 = 0; c0 < v->cols; c0 += m) {
      int64_t c1 = c0 + m < v->cols ? c0 + m : v->cols;
      int k = 0;
      for (int64_t c = c0; c < c1; c++) k += data[spcc_weight_at(v, r, c)] != 0;
      if (k > n) return false;
    }
  return true;
}

/* Block shapes tried for the best fill, R output rows x C reduction
 * elements. Among equal fills the larger block wins (fewer indices, wider
 * SIMD work per block), and among equal sizes the earlier entry: blocks
 * along output channels first, which is how the kernels vectorize. */
static const int block_shapes[][2] = {{2, 1}, {4, 1}, {8, 1}, {16, 1}, {1, 4},
                                      {1, 8}, {2, 2}, {4, 4}, {8, 4}};
#define N_BLOCK_SHAPES ((int)(sizeof block_shapes / sizeof block_shapes[0]))

static void best_block(const unsigned char *mask, int64_t rows, int64_t cols, int64_t nnz,
                       spcc_weight_stats *s) {
  unsigned char *acc = malloc((size_t)cols + 1);
  if (!acc) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  int64_t best_stored = -1; /* padded values: nonzero blocks * R * C */
  int best_area = 0;
  for (int i = 0; i < N_BLOCK_SHAPES; i++) {
    int r = block_shapes[i][0], c = block_shapes[i][1];
    int64_t stored = rows > 0 && cols > 0 ? blocks_in_mask(mask, rows, cols, r, c, acc) * r * c : 0;
    /* Same nnz for every shape: the best fill is the least storage. */
    if (best_stored < 0 || stored < best_stored || (stored == best_stored && r * c > best_area)) {
      best_stored = stored;
      best_area = r * c;
      s->block_r = r;
      s->block_c = c;
    }
  }
  /* Nothing stored wastes nothing. */
  s->block_fill = best_stored > 0 ? (double)nnz / (double)best_stored : 1.0;
  free(acc);
}

void spcc_weight_stats_of(const float *data, const spcc_weight_view *v, spcc_weight_stats *s) {
  int64_t rows = v->rows > 0 ? v->rows : 0, cols = v->cols > 0 ? v->cols : 0;
  s->numel = rows * cols;
  s->nm_n = s->nm_m = 0;
  spcc_weight_view lv = *v;
  lv.rows = rows;
  lv.cols = cols;
  unsigned char *mask = nonzero_mask(data, &lv, &s->nnz);
  s->density = s->numel > 0 ? (double)s->nnz / (double)s->numel : 1.0;

  /* N:M for M up to 16 and no wider than a row (a longer group would only
   * describe padding). Sparsest means the fewest stored slots per row,
   * N * ceil(cols / M): that is N/M when M divides the row, and it keeps a
   * pattern whose last group is short (7:15 on 16 columns holds 14 of 16)
   * from looking sparser than it stores. Ties go to the smaller N/M, then
   * the smaller M (2:4 rather than 4:8). */
  int max_m = cols < 16 ? (int)cols : 16;
  if (s->numel > 0 && max_m >= 2) {
    int64_t *prefix = malloc(sizeof *prefix * (size_t)(cols + 1));
    if (!prefix) spcc_assert_fail("out of memory", __FILE__, __LINE__);
    int most[17];
    max_group_counts(mask, rows, cols, max_m, prefix, most);
    free(prefix);
    int64_t best_slots = cols;
    for (int m = 2; m <= max_m; m++) {
      int n = most[m] > 0 ? most[m] : 1;
      int64_t slots = n * ((cols + m - 1) / m);
      if (n >= m || slots >= cols) continue;
      if (s->nm_m == 0 || slots < best_slots ||
          (slots == best_slots && (int64_t)n * s->nm_m < (int64_t)s->nm_n * m)) {
        best_slots = slots;
        s->nm_n = n;
        s->nm_m = m;
      }
    }
  }
  best_block(mask, rows, cols, s->nnz, s);
  free(mask);
}
