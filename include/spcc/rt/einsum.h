/* rt/einsum.h - Einsum: a sum of products over labelled axes.
 *
 * The compiler (passes/shapes/einsum.c) turns the equation into labels:
 * first the output's (in output order, ellipsis axes included), then the
 * summed ones. Each operand has an element stride per label (0 when the
 * label is not among its axes or is broadcast; a label repeated in one
 * operand, a diagonal, gets the sum of its strides). The kernel walks the
 * output in order and, for each element, every combination of the summed
 * labels, accumulating the product of the operands in the element type.
 * Integer types wrap around (products and sums in the unsigned type).
 */
#ifndef SPCC_RT_EINSUM_H
#define SPCC_RT_EINSUM_H
#include <stdint.h>

#define SPCC_EINSUM_MAX_OPERANDS 8
#define SPCC_EINSUM_MAX_LABELS 24

typedef struct {
  int64_t n_operands;
  int64_t n_labels;     /* output labels, then summed labels */
  int64_t n_out_labels;
  int64_t dims[SPCC_EINSUM_MAX_LABELS];
  /* strides[k * SPCC_EINSUM_MAX_LABELS + l]: operand k's stride for label l */
  int64_t strides[SPCC_EINSUM_MAX_OPERANDS * SPCC_EINSUM_MAX_LABELS];
} spcc_einsum_params;

void spcc_einsum_f32(const spcc_einsum_params *p, const float *const *x, float *y);
void spcc_einsum_f64(const spcc_einsum_params *p, const double *const *x, double *y);
void spcc_einsum_i32(const spcc_einsum_params *p, const int32_t *const *x, int32_t *y);
void spcc_einsum_i64(const spcc_einsum_params *p, const int64_t *const *x, int64_t *y);
void spcc_einsum_u32(const spcc_einsum_params *p, const uint32_t *const *x, uint32_t *y);
void spcc_einsum_u64(const spcc_einsum_params *p, const uint64_t *const *x, uint64_t *y);

#endif
