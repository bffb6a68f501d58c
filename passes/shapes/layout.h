/* layout.h - internal: helpers shared by the layout family's shape rules
 * (passes/shapes/layout.c, resize.c) and its C backend (backend/c/layout.c,
 * resize.c), which must read attributes and constant inputs the same way.
 */
#ifndef SPCC_PASSES_SHAPES_LAYOUT_H
#define SPCC_PASSES_SHAPES_LAYOUT_H

#include "ir/ir.h"
#include "spcc/spcc_rt.h"

/* Reads the constant input k (any integer or float dtype) as int64 values
 * into out (at most max); *count gets the element count. Returns false
 * when the input is absent, not constant or too long. */
bool spcc_layout_const_ints(const spcc_graph *g, const spcc_node *n, int k, int64_t *out,
                            int max, int *count);

/* Pad's begin/end amounts (2 * rank values, ONNX order: all begins then all
 * ends), from the attribute (opset < 11) or the constant input. */
bool spcc_layout_pads(const spcc_graph *g, const spcc_node *n, int rank, int64_t *pads);

/* Normalized axis in [0, rank), or -1 when out of range. */
int spcc_layout_axis(int64_t axis, int rank);

/* Fills Resize/Upsample parameters (output dims included) from the node;
 * reports problems through d when it is not NULL. */
bool spcc_resize_fill(const spcc_graph *g, const spcc_node *n, spcc_resize_params *p,
                      spcc_diag *d);

#endif
