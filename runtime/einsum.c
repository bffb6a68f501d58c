/* einsum.c - the Einsum kernel (rt/einsum.h).
 *
 * Output elements are produced in order; for each, an odometer over the
 * summed labels keeps one running offset per operand, so the inner work is
 * a product of n_operands loads and one add. Equations that are really
 * matrix products run at naive-GEMM speed: exporters emit Einsum mostly for
 * small attention-style contractions, and correctness across every
 * equation comes first.
 */
#include "spcc/spcc_rt.h"

#define EINSUM_KERNEL(sfx, T, UT)                                                         \
  void spcc_einsum_##sfx(const spcc_einsum_params *p, const T *const *x, T *y) {          \
    const int64_t nk = p->n_operands, nl = p->n_labels, no = p->n_out_labels;             \
    int64_t oidx[SPCC_EINSUM_MAX_LABELS], sidx[SPCC_EINSUM_MAX_LABELS];                   \
    int64_t base[SPCC_EINSUM_MAX_OPERANDS], off[SPCC_EINSUM_MAX_OPERANDS];                \
    int64_t total = 1, l, k, e;                                                           \
    for (l = 0; l < no; l++) {                                                            \
      total *= p->dims[l];                                                                \
      oidx[l] = 0;                                                                        \
    }                                                                                     \
    for (l = no; l < nl; l++)                                                             \
      if (p->dims[l] == 0) { /* an empty sum: every output is 0 */                       \
        for (e = 0; e < total; e++) ((UT *)y)[e] = 0;                                     \
        return;                                                                           \
      }                                                                                   \
    for (k = 0; k < nk; k++) base[k] = 0;                                                 \
    for (e = 0; e < total; e++) {                                                         \
      UT acc = 0;                                                                         \
      for (k = 0; k < nk; k++) off[k] = base[k];                                          \
      for (l = no; l < nl; l++) sidx[l] = 0;                                              \
      for (;;) {                                                                          \
        UT prod = (UT)x[0][off[0]];                                                       \
        for (k = 1; k < nk; k++) prod *= (UT)x[k][off[k]];                                \
        acc += prod;                                                                      \
        for (l = nl - 1; l >= no; l--) { /* next combination of summed labels */          \
          for (k = 0; k < nk; k++) off[k] += p->strides[k * SPCC_EINSUM_MAX_LABELS + l];  \
          if (++sidx[l] < p->dims[l]) break;                                              \
          for (k = 0; k < nk; k++)                                                        \
            off[k] -= p->strides[k * SPCC_EINSUM_MAX_LABELS + l] * p->dims[l];            \
          sidx[l] = 0;                                                                    \
        }                                                                                 \
        if (l < no) break;                                                                \
      }                                                                                   \
      ((UT *)y)[e] = acc;                                                                  \
      for (l = no - 1; l >= 0; l--) { /* next output element */                           \
        for (k = 0; k < nk; k++) base[k] += p->strides[k * SPCC_EINSUM_MAX_LABELS + l];   \
        if (++oidx[l] < p->dims[l]) break;                                                \
        for (k = 0; k < nk; k++)                                                          \
          base[k] -= p->strides[k * SPCC_EINSUM_MAX_LABELS + l] * p->dims[l];             \
        oidx[l] = 0;                                                                      \
      }                                                                                   \
    }                                                                                     \
  }

EINSUM_KERNEL(f32, float, float)
EINSUM_KERNEL(f64, double, double)
EINSUM_KERNEL(i32, int32_t, uint32_t)
EINSUM_KERNEL(i64, int64_t, uint64_t)
EINSUM_KERNEL(u32, uint32_t, uint32_t)
EINSUM_KERNEL(u64, uint64_t, uint64_t)
