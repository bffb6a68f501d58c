/* reduce_impl.h - the odometer walks shared by the reduction kernels
 * (runtime/reduce.c) and the normalizations that reduce over arbitrary
 * axes (runtime/reduce_norm.c). Internal to the runtime.
 *
 * An output element's input offset advances with an odometer over the
 * kept axes; its reduced elements are visited with a second odometer over
 * all reduced axes but the last, and a plain strided loop over the last,
 * which after axis merging is usually contiguous (stride 1).
 */
#ifndef SPCC_RUNTIME_REDUCE_IMPL_H
#define SPCC_RUNTIME_REDUCE_IMPL_H

#include "spcc/spcc_rt.h"

static int64_t spcc_rd_prod(const int64_t *dims, int64_t rank) {
  int64_t p = 1;
  int64_t r;
  for (r = 0; r < rank; r++) p *= dims[r];
  return p;
}

/* Advances the multi-index idx over dims (row-major) and returns the
 * offset updated by strides; wraps to 0 after the last index. */
static int64_t spcc_rd_step(int64_t rank, const int64_t *dims, const int64_t *strides,
                            int64_t *idx, int64_t off) {
  int64_t r;
  for (r = rank - 1; r >= 0; r--) {
    idx[r]++;
    off += strides[r];
    if (idx[r] < dims[r]) return off;
    off -= strides[r] * dims[r];
    idx[r] = 0;
  }
  return off;
}

/* Runs BODY with K set to the offset (relative to the output element's
 * base) of each reduced element, in row-major order of the reduced axes. */
#define SPCC_RD_FOR_REDUCED(p, K, BODY)                                               \
  do {                                                                                \
    int64_t rd_idx_[SPCC_RT_MAX_RANK] = {0};                                          \
    const int64_t rd_rr_ = (p)->red_rank;                                             \
    const int64_t rd_len_ = rd_rr_ > 0 ? (p)->red_dims[rd_rr_ - 1] : 1;               \
    const int64_t rd_st_ = rd_rr_ > 0 ? (p)->red_strides[rd_rr_ - 1] : 0;             \
    const int64_t rd_rows_ = rd_rr_ > 0 ? spcc_rd_prod((p)->red_dims, rd_rr_ - 1) : 1; \
    int64_t rd_off_ = 0, rd_q_, rd_j_;                                                \
    for (rd_q_ = 0; rd_q_ < rd_rows_ && rd_len_ > 0; rd_q_++) {                       \
      for (rd_j_ = 0; rd_j_ < rd_len_; rd_j_++) {                                     \
        const int64_t K = rd_off_ + rd_j_ * rd_st_;                                   \
        BODY;                                                                         \
      }                                                                               \
      if (rd_rr_ > 1)                                                                 \
        rd_off_ = spcc_rd_step(rd_rr_ - 1, (p)->red_dims, (p)->red_strides, rd_idx_, \
                               rd_off_);                                              \
    }                                                                                 \
  } while (0)

#endif
