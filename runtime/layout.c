/* layout.c - type-generic layout kernels: Pad, Trilu, Compress,
 * ReverseSequence, EyeLike, OneHot, NonZero.
 *
 * These only move bytes, so elements are copied with memcpy of elem_size
 * (valid for every dtype, no aliasing rule bent). Pad walks the output one
 * innermost row at a time: the source row is found per outer axis, and
 * within the row the part that lies inside the input is one memcpy.
 */
#include <stdint.h>
#include <string.h>

#include "spcc/spcc_rt.h"

/* Maps output index o (already shifted by the begin pad) into [0, n) for
 * reflect (mode 1) or edge (mode 2); -1 means "outside" (constant mode). */
static int64_t pad_map(int64_t i, int64_t n, int64_t mode) {
  if (i >= 0 && i < n) return i;
  if (mode == 0 || n <= 0) return -1;
  if (mode == 2 || n == 1) return i < 0 ? 0 : n - 1;
  {
    const int64_t period = 2 * (n - 1);
    i %= period;
    if (i < 0) i += period;
    return i < n ? i : period - i;
  }
}

static void fill(unsigned char *y, const void *value, int64_t count, int64_t es) {
  if (!value) {
    memset(y, 0, (size_t)(count * es));
    return;
  }
  for (int64_t i = 0; i < count; i++) memcpy(y + i * es, value, (size_t)es);
}

void spcc_pad(const spcc_pad_params *p, const void *x, const void *value, void *y) {
  const unsigned char *src = x;
  unsigned char *dst = y;
  const int64_t es = p->elem_size, rank = p->rank, last = rank - 1;
  const int64_t in_w = p->in_dims[last], out_w = p->out_dims[last], b = p->begin[last];
  int64_t rows = 1, idx[SPCC_RT_MAX_RANK] = {0}, in_stride[SPCC_RT_MAX_RANK];
  for (int64_t r = 0; r < last; r++) rows *= p->out_dims[r];
  if (rows == 0 || out_w == 0) return;
  in_stride[last] = 1;
  for (int64_t r = last - 1; r >= 0; r--) in_stride[r] = in_stride[r + 1] * p->in_dims[r + 1];
  /* Part of the output row that copies straight from the input row. */
  int64_t lo = b < 0 ? 0 : b, hi = b + in_w;
  if (hi > out_w) hi = out_w;
  if (hi < lo) hi = lo;
  for (int64_t row = 0; row < rows; row++, dst += out_w * es) {
    int64_t off = 0;
    int outside = 0;
    for (int64_t r = 0; r < last; r++) {
      const int64_t i = pad_map(idx[r] - p->begin[r], p->in_dims[r], p->mode);
      if (i < 0) outside = 1;
      else off += i * in_stride[r];
    }
    if (outside || in_w == 0) {
      if (p->mode == 0 || in_w == 0) fill(dst, value, out_w, es);
    } else {
      const unsigned char *s = src + off * es;
      if (p->mode == 0) {
        fill(dst, value, lo, es);
        if (hi > lo) memcpy(dst + lo * es, s + (lo - b) * es, (size_t)((hi - lo) * es));
        fill(dst + hi * es, value, out_w - hi, es);
      } else {
        for (int64_t o = 0; o < lo; o++)
          memcpy(dst + o * es, s + pad_map(o - b, in_w, p->mode) * es, (size_t)es);
        if (hi > lo) memcpy(dst + lo * es, s + (lo - b) * es, (size_t)((hi - lo) * es));
        for (int64_t o = hi; o < out_w; o++)
          memcpy(dst + o * es, s + pad_map(o - b, in_w, p->mode) * es, (size_t)es);
      }
    }
    for (int64_t r = last - 1; r >= 0; r--) {
      if (++idx[r] < p->out_dims[r]) break;
      idx[r] = 0;
    }
  }
}

void spcc_trilu(const spcc_trilu_params *p, const void *x, const int64_t *k, void *y) {
  const unsigned char *src = x;
  unsigned char *dst = y;
  const int64_t es = p->elem_size, kk = k ? *k : 0, plane = p->rows * p->cols;
  for (int64_t b = 0; b < p->batch; b++)
    for (int64_t i = 0; i < p->rows; i++) {
      const int64_t o = (b * plane + i * p->cols) * es;
      /* Columns kept: j >= i + k (upper) or j <= i + k (lower). */
      int64_t lo, hi;
      if (p->upper) {
        lo = kk > 0 && i > INT64_MAX - kk ? p->cols : i + kk;
        hi = p->cols;
      } else {
        lo = 0;
        hi = kk > INT64_MAX - i - 1 ? p->cols : i + kk + 1;
      }
      if (lo < 0) lo = 0;
      if (lo > p->cols) lo = p->cols;
      if (hi > p->cols) hi = p->cols;
      if (hi < lo) hi = lo;
      memset(dst + o, 0, (size_t)(p->cols * es));
      if (hi > lo) memcpy(dst + o + lo * es, src + o + lo * es, (size_t)((hi - lo) * es));
    }
}

void spcc_compress(const spcc_compress_params *p, const void *x, const uint8_t *cond, void *y) {
  const unsigned char *src = x;
  unsigned char *dst = y;
  const int64_t chunk = p->inner * p->elem_size;
  const int64_t n = p->len < p->cond_len ? p->len : p->cond_len;
  for (int64_t o = 0; o < p->outer; o++)
    for (int64_t i = 0; i < n; i++)
      if (cond[i]) {
        memcpy(dst, src + (o * p->len + i) * chunk, (size_t)chunk);
        dst += chunk;
      }
}

static int64_t read_index(const void *base, int64_t i, int64_t type) {
  switch (type) {
  case SPCC_LAYOUT_IDX_I32: return ((const int32_t *)base)[i];
  case SPCC_LAYOUT_IDX_F32: {
    const float v = ((const float *)base)[i];
    return v != v || v > 9.2e18f || v < -9.2e18f ? INT64_MIN : (int64_t)v;
  }
  case SPCC_LAYOUT_IDX_F64: {
    const double v = ((const double *)base)[i];
    return v != v || v > 9.2e18 || v < -9.2e18 ? INT64_MIN : (int64_t)v;
  }
  default: return ((const int64_t *)base)[i];
  }
}

void spcc_reverse_sequence(const spcc_reverse_sequence_params *p, const void *x,
                           const void *seq_lens, void *y) {
  const unsigned char *src = x;
  unsigned char *dst = y;
  const int64_t chunk = p->inner * p->elem_size;
  const int64_t batch = p->time_first ? p->d1 : p->d0, time = p->time_first ? p->d0 : p->d1;
  for (int64_t b = 0; b < batch; b++) {
    int64_t len = read_index(seq_lens, b, p->idx_type);
    if (len < 0) len = 0;
    if (len > time) len = time;
    for (int64_t t = 0; t < time; t++) {
      const int64_t ts = t < len ? len - 1 - t : t;
      const int64_t od = p->time_first ? t * batch + b : b * time + t;
      const int64_t os = p->time_first ? ts * batch + b : b * time + ts;
      memcpy(dst + od * chunk, src + os * chunk, (size_t)chunk);
    }
  }
}

void spcc_eyelike(const spcc_eyelike_params *p, const void *one, void *y) {
  unsigned char *dst = y;
  const int64_t es = p->elem_size;
  memset(dst, 0, (size_t)(p->rows * p->cols * es));
  for (int64_t i = 0; i < p->rows; i++) {
    const int64_t j = i + p->k;
    if (j >= 0 && j < p->cols) memcpy(dst + (i * p->cols + j) * es, one, (size_t)es);
  }
}

void spcc_onehot(const spcc_onehot_params *p, const void *indices, const void *values,
                 void *y) {
  const unsigned char *val = values;
  unsigned char *dst = y;
  const int64_t es = p->elem_size, depth = p->depth, inner = p->inner;
  fill(dst, val, p->outer * depth * inner, es);
  for (int64_t o = 0; o < p->outer; o++)
    for (int64_t i = 0; i < inner; i++) {
      int64_t v = read_index(indices, o * inner + i, p->idx_type);
      if (v < 0 && v >= -depth) v += depth;
      if (v < 0 || v >= depth) continue;
      memcpy(dst + ((o * depth + v) * inner + i) * es, val + es, (size_t)es);
    }
}

void spcc_nonzero(const spcc_nonzero_params *p, const void *x, int64_t *y) {
  const unsigned char *src = x;
  const int64_t es = p->elem_size;
  int64_t numel = 1, k = 0;
  for (int64_t r = 0; r < p->rank; r++) numel *= p->dims[r];
  for (int64_t i = 0; i < numel && k < p->nnz; i++) {
    const unsigned char *v = src + i * es;
    int any = 0;
    if (p->kind == 1) {
      float f;
      memcpy(&f, v, sizeof f);
      any = f != 0;
    } else if (p->kind == 2) {
      double d;
      memcpy(&d, v, sizeof d);
      any = d != 0;
    } else {
      for (int64_t b = 0; b < es; b++) any |= v[b] != 0;
    }
    if (!any) continue;
    int64_t rest = i;
    for (int64_t r = p->rank - 1; r >= 0; r--) {
      y[r * p->nnz + k] = rest % p->dims[r];
      rest /= p->dims[r];
    }
    k++;
  }
}
