/* rt/conv2.h - convolution-like extras (runtime/conv2*.c): ConvTranspose,
 * LpPool, GlobalMaxPool, GlobalLpPool and MaxUnpool.
 *
 * Same conventions as rt/conv.h (NCHW-style tensors, the geometry resolved
 * by the compiler into plain integers, spatial arrays used in [0, spatial)).
 * Pooling reuses spcc_pool_params and spcc_global_pool_params from there.
 */
#ifndef SPCC_RT_CONV2_H
#define SPCC_RT_CONV2_H
#include <stddef.h>
#include <stdint.h>

#include "conv.h"

/* ConvTranspose: y[N, M, O...] with M = group * w_dims[1]; every input
 * element x[n, c, i] adds x * w[c, m, k] at output position
 * o = i * strides + k * dilations - pads along each spatial dim, for m in
 * c's group; positions outside [0, out_dims) are dropped. pads may be
 * negative (an explicit output_shape larger than the natural one): output
 * positions no tap reaches get the bias (or 0). */
typedef struct {
  int64_t batch;                            /* N */
  int64_t in_channels;                      /* C, all groups */
  int64_t out_channels;                     /* M, all groups */
  int64_t group;                            /* divides C and M */
  int64_t spatial;                          /* number of spatial dims, 1..6 */
  int64_t in_dims[SPCC_RT_MAX_SPATIAL];
  int64_t out_dims[SPCC_RT_MAX_SPATIAL];
  int64_t kernel[SPCC_RT_MAX_SPATIAL];
  int64_t strides[SPCC_RT_MAX_SPATIAL];     /* >= 1 */
  int64_t dilations[SPCC_RT_MAX_SPATIAL];   /* >= 1 */
  int64_t pads[SPCC_RT_MAX_SPATIAL];        /* leading pads, any sign */
} spcc_conv_transpose_params;

/* w is [C, M / group, K...]; b [M] may be NULL. */
void spcc_conv_transpose_f32(const spcc_conv_transpose_params *p, const float *x,
                             const float *w, const float *b, float *y);
void spcc_conv_transpose_f64(const spcc_conv_transpose_params *p, const double *x,
                             const double *w, const double *b, double *y);

/* LpPool: y = (sum over the window's taps inside the input of |x|^p)^(1/p)
 * (padding contributes 0). lp is the norm order p (>= 1). Uses
 * spcc_pool_params (count_include_pad and storage_order are ignored). */
void spcc_lp_pool_f32(const spcc_pool_params *p, double lp, const float *x, float *y);
void spcc_lp_pool_f64(const spcc_pool_params *p, double lp, const double *x, double *y);

/* GlobalMaxPool: y[i] = max of x[i * size, (i + 1) * size) (NaN propagates). */
void spcc_global_max_pool_f32(const spcc_global_pool_params *p, const float *x, float *y);
void spcc_global_max_pool_f64(const spcc_global_pool_params *p, const double *x, double *y);

/* GlobalLpPool: y[i] = (sum of |x|^lp over x[i * size, (i + 1) * size))^(1/lp). */
void spcc_global_lp_pool_f32(const spcc_global_pool_params *p, double lp, const float *x,
                             float *y);
void spcc_global_lp_pool_f64(const spcc_global_pool_params *p, double lp, const double *x,
                             double *y);

/* MaxUnpool: y (y_numel elements of elem_size bytes) is zeroed, then
 * x[i] goes to the position indices[i] names, for i < x_numel. indices are
 * the flat indices MaxPool produces, over a tensor of shape index_dims
 * (the natural unpooled shape); when the requested output shape y_dims
 * differs, an index is decoded into coordinates of index_dims and stored
 * at the same coordinates of y_dims (skipped when they fall outside).
 * Out-of-range indices are skipped; later ones win on duplicates. */
typedef struct {
  int64_t x_numel;
  int64_t y_numel;
  int64_t elem_size;                        /* bytes per element */
  int64_t rank;                             /* of x and y */
  int64_t index_dims[SPCC_RT_MAX_RANK];
  int64_t y_dims[SPCC_RT_MAX_RANK];
} spcc_max_unpool_params;

void spcc_max_unpool(const spcc_max_unpool_params *p, const void *x, const int64_t *indices,
                     void *y);

#endif
