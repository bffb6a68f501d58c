/* tensor.c - type-generic data movement: Reshape/Flatten copy, Transpose,
 * Concat.
 *
 * Elements are moved with memcpy of a constant size (1, 2, 4 or 8 bytes),
 * which compilers turn into one load and one store; unlike casting to an
 * integer pointer type it is valid for every element type (no aliasing
 * rule is bent). Transpose walks the output in row-major order; when the
 * innermost output axis is strided in the input it copies the last two
 * axes in TILE x TILE blocks so both sides stay in cache.
 */
#include <stdint.h>
#include <string.h>

#include "spcc/spcc_rt.h"

#define TILE 32

void spcc_reshape(const spcc_reshape_params *p, const void *x, void *y) {
  if (p->bytes > 0) memcpy(y, x, (size_t)p->bytes);
}

void spcc_concat(const spcc_concat_params *p, const void *x, void *y) {
  const unsigned char *src = x;
  unsigned char *dst = (unsigned char *)y + p->offset;
  if (p->chunk <= 0) return; /* zero-size input: nothing to copy */
  if (p->chunk == p->out_chunk) {
    memcpy(dst, src, (size_t)(p->chunk * p->outer));
    return;
  }
  for (int64_t o = 0; o < p->outer; o++)
    memcpy(dst + o * p->out_chunk, src + o * p->chunk, (size_t)p->chunk);
}

/* Copies a rows x cols block: y[i*ldy + j] = x[i*sr + j*sc] (elements of
 * size ES), blocked so that both the strided reads and the writes reuse
 * cache lines. */
#define DEFINE_TILE2D(ES)                                                                    \
  static void tile2d_##ES(const unsigned char *x, unsigned char *y, int64_t rows,           \
                          int64_t cols, int64_t sr, int64_t sc, int64_t ldy) {              \
    for (int64_t i0 = 0; i0 < rows; i0 += TILE) {                                           \
      const int64_t i1 = rows - i0 < TILE ? rows : i0 + TILE;                               \
      for (int64_t j0 = 0; j0 < cols; j0 += TILE) {                                         \
        const int64_t j1 = cols - j0 < TILE ? cols : j0 + TILE;                             \
        for (int64_t i = i0; i < i1; i++)                                                   \
          for (int64_t j = j0; j < j1; j++)                                                 \
            memcpy(y + (i * ldy + j) * ES, x + (i * sr + j * sc) * ES, ES);                 \
      }                                                                                     \
    }                                                                                       \
  }

DEFINE_TILE2D(1)
DEFINE_TILE2D(2)
DEFINE_TILE2D(4)
DEFINE_TILE2D(8)

static void tile2d_any(const unsigned char *x, unsigned char *y, int64_t rows, int64_t cols,
                       int64_t sr, int64_t sc, int64_t ldy, int64_t es) {
  for (int64_t i = 0; i < rows; i++)
    for (int64_t j = 0; j < cols; j++)
      memcpy(y + (i * ldy + j) * es, x + (i * sr + j * sc) * es, (size_t)es);
}

static void tile2d(const unsigned char *x, unsigned char *y, int64_t rows, int64_t cols,
                   int64_t sr, int64_t sc, int64_t ldy, int64_t es) {
  switch (es) {
  case 1: tile2d_1(x, y, rows, cols, sr, sc, ldy); break;
  case 2: tile2d_2(x, y, rows, cols, sr, sc, ldy); break;
  case 4: tile2d_4(x, y, rows, cols, sr, sc, ldy); break;
  case 8: tile2d_8(x, y, rows, cols, sr, sc, ldy); break;
  default: tile2d_any(x, y, rows, cols, sr, sc, ldy, es); break;
  }
}

void spcc_transpose(const spcc_transpose_params *p, const void *x, void *y) {
  const unsigned char *src = x;
  unsigned char *dst = y;
  const int64_t es = p->elem_size, rank = p->rank;
  int64_t numel = 1;
  for (int64_t r = 0; r < rank; r++) numel *= p->dims[r];
  if (numel <= 0) return;
  if (rank <= 0) {
    memcpy(dst, src, (size_t)es);
    return;
  }
  /* The innermost one or two output axes are done by one block copy; an
   * odometer walks the rest. */
  const int64_t last = rank - 1;
  const int64_t cols = p->dims[last], sc = p->in_strides[last];
  const int64_t nblock = rank >= 2 ? 2 : 1;
  const int64_t rows = nblock == 2 ? p->dims[last - 1] : 1;
  const int64_t sr = nblock == 2 ? p->in_strides[last - 1] : 0;
  const int64_t block = rows * cols;
  int64_t idx[SPCC_RT_MAX_RANK] = {0};
  int64_t in_off = 0;
  for (int64_t out_off = 0; out_off < numel; out_off += block) {
    if (sc == 1 && (rows == 1 || sr == cols)) {
      memcpy(dst + out_off * es, src + in_off * es, (size_t)(block * es));
    } else if (sc == 1) {
      for (int64_t i = 0; i < rows; i++)
        memcpy(dst + (out_off + i * cols) * es, src + (in_off + i * sr) * es,
               (size_t)(cols * es));
    } else {
      tile2d(src + in_off * es, dst + out_off * es, rows, cols, sr, sc, cols, es);
    }
    for (int64_t r = rank - 1 - nblock; r >= 0; r--) {
      in_off += p->in_strides[r];
      if (++idx[r] < p->dims[r]) break;
      in_off -= p->in_strides[r] * idx[r];
      idx[r] = 0;
    }
  }
}
