/* conv_geom.h - sliding-window geometry of Conv, MaxPool and AveragePool,
 * shared by their shape rules (passes/shapes/conv.c) and their emitters
 * (backend/c/conv.c), so the output extents the shape rule infers and the
 * pads the kernels use come from one computation. Internal to spcc_core.
 */
#ifndef SPCC_PASSES_SHAPES_CONV_GEOM_H
#define SPCC_PASSES_SHAPES_CONV_GEOM_H

#include "spcc/spcc.h"

typedef struct {
  int spatial;                      /* spatial dims: input rank - 2 */
  int64_t in[SPCC_MAX_RANK];        /* input spatial extents */
  int64_t out[SPCC_MAX_RANK];       /* output spatial extents */
  int64_t kernel[SPCC_MAX_RANK];
  int64_t strides[SPCC_MAX_RANK];
  int64_t dilations[SPCC_MAX_RANK];
  int64_t pads[SPCC_MAX_RANK];      /* leading, auto_pad resolved */
  int64_t pads_end[SPCC_MAX_RANK];  /* trailing, auto_pad resolved */
} spcc_window_geom;

/* Reads strides, dilations, pads, auto_pad and (when pool is true)
 * ceil_mode of node n for input type x (rank >= 3, checked by the caller).
 * kernel gives the kernel extents (Conv: W's spatial dims, which
 * kernel_shape must then match); NULL means the kernel_shape attribute is
 * required. Reports bad or unsupported attributes and impossible shapes
 * through d and returns false. */
bool spcc_window_geom_get(const spcc_graph *g, const spcc_node *n, const spcc_type *x,
                          const int64_t *kernel, bool pool, spcc_window_geom *geo,
                          spcc_diag *d);

#endif
