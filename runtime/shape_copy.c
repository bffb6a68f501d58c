/* shape_copy.c - type-generic kernels of the shape and indexing family:
 * strided view copies (Slice, Split, Expand, Tile, Squeeze, ...), Shape and
 * Size values, and Gather, GatherElements, GatherND.
 *
 * Elements move with memcpy of the element size, valid for every type
 * without bending aliasing rules. The view copy walks the output in
 * row-major order with an odometer over the outer axes; its innermost axis
 * is one memcpy when contiguous in the input, else a strided element loop.
 * Gather indices may be int32 or int64; they are read with memcpy and an
 * index outside its axis gives zeros, because generated code has no way to
 * report it.
 */
#include <stdint.h>
#include <string.h>

#include "spcc/spcc_rt.h"

void spcc_view_copy(const spcc_view_params *p, const void *x, void *y) {
  const unsigned char *src = (const unsigned char *)x;
  unsigned char *dst = (unsigned char *)y;
  const int64_t es = p->elem_size, rank = p->rank;
  int64_t idx[SPCC_RT_VIEW_RANK];
  int64_t numel = 1;
  for (int64_t r = 0; r < rank; r++) {
    numel *= p->dims[r];
    idx[r] = 0;
  }
  if (numel <= 0) return;
  const int64_t n_in = p->dims[rank - 1], s_in = p->strides[rank - 1];
  const int64_t rows = numel / n_in;
  int64_t pos = p->offset; /* element offset of the current row's start */
  for (int64_t row = 0; row < rows; row++) {
    const unsigned char *s = src + pos * es;
    if (s_in == 1) {
      memcpy(dst, s, (size_t)(n_in * es));
    } else if (s_in == 0 && es == 4) {
      for (int64_t j = 0; j < n_in; j++) memcpy(dst + j * 4, s, 4);
    } else {
      for (int64_t j = 0; j < n_in; j++) memcpy(dst + j * es, s + j * s_in * es, (size_t)es);
    }
    dst += n_in * es;
    /* Advance the odometer over the outer axes. */
    for (int64_t r = rank - 2; r >= 0; r--) {
      pos += p->strides[r];
      if (++idx[r] < p->dims[r]) break;
      pos -= p->strides[r] * p->dims[r];
      idx[r] = 0;
    }
  }
}

void spcc_shape_values(const spcc_shape_params *p, int64_t *y) {
  for (int64_t i = 0; i < p->n; i++) y[i] = p->values[i];
}

/* Reads index i of an int32 or int64 index array. */
static int64_t read_index(const void *idx, int64_t size, int64_t i) {
  if (size == 4) {
    int32_t v;
    memcpy(&v, (const unsigned char *)idx + i * 4, 4);
    return v;
  }
  int64_t v;
  memcpy(&v, (const unsigned char *)idx + i * 8, 8);
  return v;
}

/* Index v into an axis of size dim, negative from the end; -1 when outside. */
static int64_t wrap_index(int64_t v, int64_t dim) {
  if (v < 0) v = v >= -dim ? v + dim : -1;
  return v < dim ? v : -1;
}

void spcc_gather(const spcc_gather_params *p, const void *x, const void *idx, void *y) {
  const unsigned char *src = (const unsigned char *)x;
  unsigned char *dst = (unsigned char *)y;
  const int64_t inner = p->inner;
  for (int64_t o = 0; o < p->outer; o++) {
    const unsigned char *base = src + o * p->axis_dim * inner;
    for (int64_t i = 0; i < p->n_idx; i++, dst += inner) {
      const int64_t v = wrap_index(read_index(idx, p->idx_size, i), p->axis_dim);
      if (v < 0)
        memset(dst, 0, (size_t)inner);
      else
        memcpy(dst, base + v * inner, (size_t)inner);
    }
  }
}

void spcc_gather_elements(const spcc_gather_elements_params *p, const void *x, const void *idx,
                          void *y) {
  const unsigned char *src = (const unsigned char *)x;
  unsigned char *dst = (unsigned char *)y;
  const int64_t es = p->elem_size, rank = p->rank, axis = p->axis;
  int64_t pos[SPCC_RT_MAX_RANK];
  int64_t numel = 1;
  for (int64_t r = 0; r < rank; r++) {
    numel *= p->dims[r];
    pos[r] = 0;
  }
  for (int64_t i = 0; i < numel; i++, dst += es) {
    const int64_t v = wrap_index(read_index(idx, p->idx_size, i), p->axis_dim);
    if (v < 0) {
      memset(dst, 0, (size_t)es);
    } else {
      int64_t off = 0;
      for (int64_t r = 0; r < rank; r++) off += (r == axis ? v : pos[r]) * p->x_strides[r];
      memcpy(dst, src + off * es, (size_t)es);
    }
    for (int64_t r = rank - 1; r >= 0; r--) {
      if (++pos[r] < p->dims[r]) break;
      pos[r] = 0;
    }
  }
}

void spcc_gather_nd(const spcc_gather_nd_params *p, const void *x, const void *idx, void *y) {
  const unsigned char *src = (const unsigned char *)x;
  unsigned char *dst = (unsigned char *)y;
  const int64_t sb = p->slice_bytes;
  int64_t t = 0; /* running index into idx */
  for (int64_t b = 0; b < p->batch; b++) {
    const unsigned char *base = src + b * p->batch_bytes;
    for (int64_t q = 0; q < p->n_tuples; q++, dst += sb) {
      int64_t off = 0;
      int ok = 1;
      for (int64_t j = 0; j < p->k; j++, t++) {
        const int64_t v = wrap_index(read_index(idx, p->idx_size, t), p->idx_dims[j]);
        if (v < 0) ok = 0;
        else off += v * p->idx_strides[j];
      }
      if (ok)
        memcpy(dst, base + off * sb, (size_t)sb);
      else
        memset(dst, 0, (size_t)sb);
    }
  }
}
