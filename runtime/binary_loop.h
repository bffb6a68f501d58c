/* binary_loop.h - kernel skeletons of the binary family (runtime/binary*.c).
 *
 * The elementwise family's layout (spcc_binary_params: collapsed dims, 0/1
 * innermost strides) and block loop (SPCC_EW_LOOP, which gcc vectorizes) are
 * reused as they are; these macros only add what the binary family needs on
 * top: operand and result types that differ (Pow's exponent type, bool
 * results of comparisons), an accumulate form for variadic ops, and a
 * three-operand walk for Where. F is a scalar function or function-like
 * macro of the operands. The outer walk is an odometer over dims[0..r-2]
 * with running operand offsets; the innermost dimension is a counted loop
 * specialised on which operands are contiguous.
 */
#ifndef SPCC_RUNTIME_BINARY_LOOP_H
#define SPCC_RUNTIME_BINARY_LOOP_H

#include "elementwise_loop.h"
#include "spcc/spcc_rt.h"

/* void NAME(const spcc_binary_params *p, const TA *a, const TB *b, TY *y) */
#define SPCC_BIN_KERNEL(NAME, TA, TB, TY, F)                                             \
  static void NAME##_inner(int64_t n, const TA *restrict a, int64_t sa,                  \
                           const TB *restrict b, int64_t sb, TY *restrict y) {           \
    if (sa && sb) {                                                                      \
      SPCC_EW_LOOP(n, i, y[i] = F(a[i], b[i]));                                          \
    } else if (sa) {                                                                     \
      const TB bv = b[0];                                                                \
      SPCC_EW_LOOP(n, i, y[i] = F(a[i], bv));                                            \
    } else if (sb) {                                                                     \
      const TA av = a[0];                                                                \
      SPCC_EW_LOOP(n, i, y[i] = F(av, b[i]));                                            \
    } else {                                                                             \
      const TY v = F(a[0], b[0]);                                                        \
      SPCC_EW_LOOP(n, i, y[i] = v);                                                      \
    }                                                                                    \
  }                                                                                      \
  void NAME(const spcc_binary_params *p, const TA *restrict a, const TB *restrict b,     \
            TY *restrict y) {                                                            \
    const int r = (int)p->rank;                                                          \
    int64_t idx[SPCC_RT_MAX_RANK];                                                       \
    int64_t outer = 1, n, o, ao = 0, bo = 0;                                             \
    int k;                                                                               \
    if (r <= 0) {                                                                        \
      y[0] = F(a[0], b[0]);                                                              \
      return;                                                                            \
    }                                                                                    \
    n = p->dims[r - 1];                                                                  \
    for (k = 0; k < r - 1; k++) {                                                        \
      outer *= p->dims[k];                                                               \
      idx[k] = 0;                                                                        \
    }                                                                                    \
    if (n <= 0) return;                                                                  \
    for (o = 0; o < outer; o++) {                                                        \
      NAME##_inner(n, a + ao, p->a_strides[r - 1], b + bo, p->b_strides[r - 1], y + o * n); \
      for (k = r - 2; k >= 0; k--) {                                                     \
        ao += p->a_strides[k];                                                           \
        bo += p->b_strides[k];                                                           \
        if (++idx[k] < p->dims[k]) break;                                                \
        ao -= p->a_strides[k] * p->dims[k];                                              \
        bo -= p->b_strides[k] * p->dims[k];                                              \
        idx[k] = 0;                                                                      \
      }                                                                                  \
    }                                                                                    \
  }

/* void NAME(const spcc_binary_params *p, const T *b, T *y): y[i] = F(y[i], b[..]),
 * y contiguous in the layout p->dims; p->a_strides is not read. */
#define SPCC_ACC_KERNEL(NAME, T, F)                                                      \
  static void NAME##_inner(int64_t n, const T *restrict b, int64_t sb, T *restrict y) {  \
    if (sb) {                                                                            \
      SPCC_EW_LOOP(n, i, y[i] = F(y[i], b[i]));                                          \
    } else {                                                                             \
      const T bv = b[0];                                                                 \
      SPCC_EW_LOOP(n, i, y[i] = F(y[i], bv));                                            \
    }                                                                                    \
  }                                                                                      \
  void NAME(const spcc_binary_params *p, const T *restrict b, T *restrict y) {           \
    const int r = (int)p->rank;                                                          \
    int64_t idx[SPCC_RT_MAX_RANK];                                                       \
    int64_t outer = 1, n, o, bo = 0;                                                     \
    int k;                                                                               \
    if (r <= 0) {                                                                        \
      y[0] = F(y[0], b[0]);                                                              \
      return;                                                                            \
    }                                                                                    \
    n = p->dims[r - 1];                                                                  \
    for (k = 0; k < r - 1; k++) {                                                        \
      outer *= p->dims[k];                                                               \
      idx[k] = 0;                                                                        \
    }                                                                                    \
    if (n <= 0) return;                                                                  \
    for (o = 0; o < outer; o++) {                                                        \
      NAME##_inner(n, b + bo, p->b_strides[r - 1], y + o * n);                           \
      for (k = r - 2; k >= 0; k--) {                                                     \
        bo += p->b_strides[k];                                                           \
        if (++idx[k] < p->dims[k]) break;                                                \
        bo -= p->b_strides[k] * p->dims[k];                                              \
        idx[k] = 0;                                                                      \
      }                                                                                  \
    }                                                                                    \
  }

/* void NAME(const spcc_where_params *p, const uint8_t *c, const T *x,
 * const T *y, T *out). The inner loop is a select over possibly-broadcast
 * operands (stride 0 or 1), which gcc still vectorizes for the common
 * all-contiguous case. */
#define SPCC_WHERE_KERNEL(NAME, T)                                                       \
  static void NAME##_inner(int64_t n, const uint8_t *restrict c, int64_t sc,             \
                           const T *restrict x, int64_t sx, const T *restrict y,          \
                           int64_t sy, T *restrict out) {                                \
    if (sc && sx && sy) {                                                                \
      SPCC_EW_LOOP(n, i, out[i] = c[i] ? x[i] : y[i]);                                   \
    } else {                                                                             \
      SPCC_EW_LOOP(n, i, out[i] = c[i * sc] ? x[i * sx] : y[i * sy]);                    \
    }                                                                                    \
  }                                                                                      \
  void NAME(const spcc_where_params *p, const uint8_t *restrict c, const T *restrict x,  \
            const T *restrict y, T *restrict out) {                                      \
    const int r = (int)p->rank;                                                          \
    int64_t idx[SPCC_RT_MAX_RANK];                                                       \
    int64_t outer = 1, n, o, co = 0, xo = 0, yo = 0;                                     \
    int k;                                                                               \
    if (r <= 0) {                                                                        \
      out[0] = c[0] ? x[0] : y[0];                                                       \
      return;                                                                            \
    }                                                                                    \
    n = p->dims[r - 1];                                                                  \
    for (k = 0; k < r - 1; k++) {                                                        \
      outer *= p->dims[k];                                                               \
      idx[k] = 0;                                                                        \
    }                                                                                    \
    if (n <= 0) return;                                                                  \
    for (o = 0; o < outer; o++) {                                                        \
      NAME##_inner(n, c + co, p->c_strides[r - 1], x + xo, p->x_strides[r - 1], y + yo,  \
                   p->y_strides[r - 1], out + o * n);                                    \
      for (k = r - 2; k >= 0; k--) {                                                     \
        co += p->c_strides[k];                                                           \
        xo += p->x_strides[k];                                                           \
        yo += p->y_strides[k];                                                           \
        if (++idx[k] < p->dims[k]) break;                                                \
        co -= p->c_strides[k] * p->dims[k];                                              \
        xo -= p->x_strides[k] * p->dims[k];                                              \
        yo -= p->y_strides[k] * p->dims[k];                                              \
        idx[k] = 0;                                                                      \
      }                                                                                  \
    }                                                                                    \
  }

#endif
