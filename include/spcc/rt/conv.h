/* rt/conv.h - convolution and pooling kernels (runtime/conv*.c, runtime/pool*.c).
 *
 * Tensors are NCHW-style: [N, C, D1, ..., Dk] with k = 1..6 spatial dims.
 * The parameter blocks hold the whole geometry as plain integers, already
 * resolved by the compiler (auto_pad turned into explicit pads, output
 * extents computed, ceil_mode applied), so a kernel never interprets ONNX
 * attributes. Spatial arrays use entries [0, spatial); the rest are unused.
 *
 * An input position of output index o and kernel tap k along one spatial dim
 * is o * strides + k * dilations - pads; taps outside [0, in_dims) read
 * padding (zero for Conv, ignored by MaxPool, counted or not by AveragePool).
 */
#ifndef SPCC_RT_CONV_H
#define SPCC_RT_CONV_H
#include <stddef.h>
#include <stdint.h>

#ifndef SPCC_RT_MAX_RANK
#define SPCC_RT_MAX_RANK 8
#endif
#define SPCC_RT_MAX_SPATIAL (SPCC_RT_MAX_RANK - 2)

/* Conv: y[N, M, O...] = sum over c in m's group, taps k of
 * w[M, C/group, K...] * x[N, C, I...] (+ b[M]). */
typedef struct {
  int64_t batch;                            /* N */
  int64_t in_channels;                      /* C, all groups */
  int64_t out_channels;                     /* M, all groups */
  int64_t group;                            /* divides C and M */
  int64_t spatial;                          /* number of spatial dims, 1..6 */
  int64_t in_dims[SPCC_RT_MAX_SPATIAL];     /* I */
  int64_t out_dims[SPCC_RT_MAX_SPATIAL];    /* O */
  int64_t kernel[SPCC_RT_MAX_SPATIAL];      /* K */
  int64_t strides[SPCC_RT_MAX_SPATIAL];     /* >= 1 */
  int64_t dilations[SPCC_RT_MAX_SPATIAL];   /* >= 1 */
  int64_t pads[SPCC_RT_MAX_SPATIAL];        /* leading pads, >= 0 */
} spcc_conv_params;

/* b may be NULL (no bias). */
void spcc_conv_f32(const spcc_conv_params *p, const float *x, const float *w, const float *b,
                   float *y);
void spcc_conv_f64(const spcc_conv_params *p, const double *x, const double *w,
                   const double *b, double *y);

/* MaxPool and AveragePool: y[N, C, O...] from windows of x[N, C, I...]. */
typedef struct {
  int64_t batch;                            /* N */
  int64_t channels;                         /* C */
  int64_t spatial;                          /* number of spatial dims, 1..6 */
  int64_t in_dims[SPCC_RT_MAX_SPATIAL];
  int64_t out_dims[SPCC_RT_MAX_SPATIAL];
  int64_t kernel[SPCC_RT_MAX_SPATIAL];
  int64_t strides[SPCC_RT_MAX_SPATIAL];
  int64_t dilations[SPCC_RT_MAX_SPATIAL];
  int64_t pads[SPCC_RT_MAX_SPATIAL];        /* leading pads, >= 0 */
  int64_t pads_end[SPCC_RT_MAX_SPATIAL];    /* trailing pads, >= 0 */
  /* AveragePool: 1 = the divisor counts taps on explicit padding (those in
   * [-pads, in_dims + pads_end)), 0 = only taps inside the input. Taps past
   * pads_end (ceil_mode overhang) are never counted. */
  int64_t count_include_pad;
  /* MaxPool Indices: 0 = row-major, 1 = column-major spatial index. */
  int64_t storage_order;
} spcc_pool_params;

/* MaxPool. indices (may be NULL) gets, per output, the flat index of the
 * first maximum in x: (n * C + c) * prod(in_dims) + spatial index in
 * storage_order. A window that holds only padding (possible with large
 * dilations) gives -INFINITY (integers: the type's minimum) and index -1. */
void spcc_max_pool_f32(const spcc_pool_params *p, const float *x, float *y, int64_t *indices);
void spcc_max_pool_f64(const spcc_pool_params *p, const double *x, double *y,
                       int64_t *indices);
void spcc_max_pool_i8(const spcc_pool_params *p, const int8_t *x, int8_t *y, int64_t *indices);
void spcc_max_pool_u8(const spcc_pool_params *p, const uint8_t *x, uint8_t *y,
                      int64_t *indices);

/* AveragePool (an all-padding window with count_include_pad = 0 gives 0). */
void spcc_average_pool_f32(const spcc_pool_params *p, const float *x, float *y);
void spcc_average_pool_f64(const spcc_pool_params *p, const double *x, double *y);

/* GlobalAveragePool: y[i] = mean of x[i * size, (i + 1) * size). */
typedef struct {
  int64_t outer;                            /* N * C */
  int64_t size;                             /* elements per (n, c): prod(spatial dims) */
} spcc_global_pool_params;

void spcc_global_average_pool_f32(const spcc_global_pool_params *p, const float *x, float *y);
void spcc_global_average_pool_f64(const spcc_global_pool_params *p, const double *x,
                                  double *y);

#endif
