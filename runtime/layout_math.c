/* layout_math.c - the layout kernels that compute on elements, per dtype:
 * CumSum, ScatterElements / ScatterND (with add / mul reductions), TopK,
 * Range.
 *
 * Each kernel is written once as a macro and instantiated per element
 * type. Integer sums and products go through uint64_t so overflow wraps
 * instead of being undefined (the conversion back to a signed type is the
 * usual two's-complement truncation).
 */
#include <stdint.h>
#include <string.h>

#include "spcc/spcc_rt.h"

#define ADD_F(T, a, b) ((T)((a) + (b)))
#define MUL_F(T, a, b) ((T)((a) * (b)))
#define ADD_I(T, a, b) ((T)((uint64_t)(a) + (uint64_t)(b)))
#define MUL_I(T, a, b) ((T)((uint64_t)(a) * (uint64_t)(b)))
#define ADD_B(T, a, b) ((T)((a) || (b)))
#define MUL_B(T, a, b) ((T)((a) && (b)))

/* ---- CumSum ---------------------------------------------------------------- */

#define DEFINE_CUMSUM(S, T, ADD)                                                             \
  void spcc_cumsum_##S(const spcc_cumsum_params *p, const T *x, T *y) {                    \
    const int64_t len = p->len, inner = p->inner;                                           \
    for (int64_t o = 0; o < p->outer; o++) {                                                \
      const T *xs = x + o * len * inner;                                                    \
      T *ys = y + o * len * inner;                                                          \
      for (int64_t i = 0; i < inner; i++) {                                                 \
        T acc = 0;                                                                          \
        for (int64_t s = 0; s < len; s++) {                                                 \
          const int64_t t = p->reverse ? len - 1 - s : s;                                   \
          const T v = xs[t * inner + i];                                                    \
          if (p->exclusive) {                                                               \
            ys[t * inner + i] = acc;                                                        \
            acc = ADD(T, acc, v);                                                           \
          } else {                                                                          \
            acc = ADD(T, acc, v);                                                           \
            ys[t * inner + i] = acc;                                                        \
          }                                                                                 \
        }                                                                                   \
      }                                                                                     \
    }                                                                                       \
  }

DEFINE_CUMSUM(f32, float, ADD_F)
DEFINE_CUMSUM(f64, double, ADD_F)
DEFINE_CUMSUM(i32, int32_t, ADD_I)
DEFINE_CUMSUM(i64, int64_t, ADD_I)
DEFINE_CUMSUM(u32, uint32_t, ADD_I)
DEFINE_CUMSUM(u64, uint64_t, ADD_I)

/* ---- Scatter --------------------------------------------------------------- */

static int64_t idx_at(const void *base, int64_t i, int64_t type) {
  return type == SPCC_LAYOUT_IDX_I32 ? ((const int32_t *)base)[i] : ((const int64_t *)base)[i];
}

#define DEFINE_SCATTER(S, T, ADD, MUL)                                                       \
  void spcc_scatter_elements_##S(const spcc_scatter_elements_params *p, const T *data,      \
                                 const void *indices, const T *updates, T *y) {             \
    int64_t n = 1, dn = 1, upd_idx[SPCC_RT_MAX_RANK] = {0}, dstride[SPCC_RT_MAX_RANK];      \
    for (int64_t r = p->rank - 1; r >= 0; r--) {                                            \
      dstride[r] = dn;                                                                      \
      dn *= p->d[r];                                                                        \
      n *= p->u[r];                                                                         \
    }                                                                                       \
    if (dn > 0) memcpy(y, data, (size_t)dn * sizeof(T));                                    \
    for (int64_t e = 0; e < n; e++) {                                                       \
      int64_t off = 0, ok = 1;                                                              \
      for (int64_t r = 0; r < p->rank; r++) {                                               \
        int64_t i = upd_idx[r];                                                             \
        if (r == p->axis) {                                                                 \
          i = idx_at(indices, e, p->idx_type);                                              \
          if (i < 0) i += p->d[r];                                                          \
          if (i < 0 || i >= p->d[r]) ok = 0;                                                \
        }                                                                                   \
        off += i * dstride[r];                                                              \
      }                                                                                     \
      if (ok) {                                                                             \
        if (p->reduction == 1) y[off] = ADD(T, y[off], updates[e]);                          \
        else if (p->reduction == 2) y[off] = MUL(T, y[off], updates[e]);                     \
        else y[off] = updates[e];                                                           \
      }                                                                                     \
      for (int64_t r = p->rank - 1; r >= 0; r--) {                                          \
        if (++upd_idx[r] < p->u[r]) break;                                                  \
        upd_idx[r] = 0;                                                                     \
      }                                                                                     \
    }                                                                                       \
  }                                                                                         \
  void spcc_scatter_nd_##S(const spcc_scatter_nd_params *p, const T *data,                  \
                           const void *indices, const T *updates, T *y) {                   \
    int64_t slots = 1, stride[SPCC_RT_MAX_RANK];                                            \
    for (int64_t r = p->k - 1; r >= 0; r--) {                                               \
      stride[r] = slots;                                                                    \
      slots *= p->d[r];                                                                     \
    }                                                                                       \
    if (slots * p->slice > 0) memcpy(y, data, (size_t)(slots * p->slice) * sizeof(T));       \
    for (int64_t u = 0; u < p->n_upd; u++) {                                                \
      int64_t off = 0, ok = 1;                                                              \
      for (int64_t r = 0; r < p->k; r++) {                                                  \
        int64_t i = idx_at(indices, u * p->k + r, p->idx_type);                             \
        if (i < 0) i += p->d[r];                                                            \
        if (i < 0 || i >= p->d[r]) ok = 0;                                                  \
        off += i * stride[r];                                                               \
      }                                                                                     \
      if (!ok) continue;                                                                    \
      T *dst = y + off * p->slice;                                                          \
      const T *src = updates + u * p->slice;                                                \
      for (int64_t s = 0; s < p->slice; s++) {                                              \
        if (p->reduction == 1) dst[s] = ADD(T, dst[s], src[s]);                              \
        else if (p->reduction == 2) dst[s] = MUL(T, dst[s], src[s]);                         \
        else dst[s] = src[s];                                                               \
      }                                                                                     \
    }                                                                                       \
  }

DEFINE_SCATTER(f32, float, ADD_F, MUL_F)
DEFINE_SCATTER(f64, double, ADD_F, MUL_F)
DEFINE_SCATTER(i8, int8_t, ADD_I, MUL_I)
DEFINE_SCATTER(i16, int16_t, ADD_I, MUL_I)
DEFINE_SCATTER(i32, int32_t, ADD_I, MUL_I)
DEFINE_SCATTER(i64, int64_t, ADD_I, MUL_I)
DEFINE_SCATTER(u8, uint8_t, ADD_I, MUL_I)
DEFINE_SCATTER(u16, uint16_t, ADD_I, MUL_I)
DEFINE_SCATTER(u32, uint32_t, ADD_I, MUL_I)
DEFINE_SCATTER(u64, uint64_t, ADD_I, MUL_I)
DEFINE_SCATTER(bool, uint8_t, ADD_B, MUL_B)

/* ---- TopK -------------------------------------------------------------------
 * Insertion into the k output slots, which stay sorted: O(len * k) per
 * slice, no scratch memory. `a` beats `b` when it is strictly better, so an
 * equal value found later (higher index) never passes an earlier one. NaN
 * counts as larger than every number (as NumPy sorts it). */
#define BETTER_F(a, b, largest)                                                              \
  ((largest) ? ((a) > (b) || ((a) != (a) && (b) == (b))) : ((a) < (b) || ((b) != (b) && (a) == (a))))
#define BETTER_I(a, b, largest) ((largest) ? (a) > (b) : (a) < (b))

#define DEFINE_TOPK(S, T, BETTER)                                                                  \
  void spcc_topk_##S(const spcc_topk_params *p, const T *x, T *values, int64_t *indices) {  \
    const int64_t len = p->len, inner = p->inner, k = p->k;                                 \
    for (int64_t o = 0; o < p->outer; o++)                                                  \
      for (int64_t i = 0; i < inner; i++) {                                                 \
        const T *xs = x + o * len * inner + i;                                              \
        T *vs = values + o * k * inner + i;                                                 \
        int64_t *is = indices + o * k * inner + i, have = 0;                                \
        for (int64_t t = 0; t < len; t++) {                                                 \
          const T v = xs[t * inner];                                                        \
          int64_t pos = have;                                                               \
          while (pos > 0 && BETTER(v, vs[(pos - 1) * inner], p->largest)) pos--;            \
          if (pos >= k) continue;                                                           \
          for (int64_t m = (have < k ? have : k - 1); m > pos; m--) {                       \
            vs[m * inner] = vs[(m - 1) * inner];                                            \
            is[m * inner] = is[(m - 1) * inner];                                            \
          }                                                                                 \
          vs[pos * inner] = v;                                                              \
          is[pos * inner] = t;                                                              \
          if (have < k) have++;                                                             \
        }                                                                                   \
      }                                                                                     \
  }

DEFINE_TOPK(f32, float, BETTER_F)
DEFINE_TOPK(f64, double, BETTER_F)
DEFINE_TOPK(i32, int32_t, BETTER_I)
DEFINE_TOPK(i64, int64_t, BETTER_I)

/* ---- Range ----------------------------------------------------------------- */

#define DEFINE_RANGE(S, T, WT)                                                               \
  void spcc_range_##S(const spcc_range_params *p, const T *start, const T *delta, T *y) {   \
    const T s = *start, dl = *delta;                                                        \
    for (int64_t i = 0; i < p->n; i++) y[i] = (T)((WT)s + (WT)i * (WT)dl);                  \
  }

DEFINE_RANGE(f32, float, double)
DEFINE_RANGE(f64, double, double)
DEFINE_RANGE(i16, int16_t, uint64_t)
DEFINE_RANGE(i32, int32_t, uint64_t)
DEFINE_RANGE(i64, int64_t, uint64_t)
