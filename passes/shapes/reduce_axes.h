/* reduce_axes.h - which axes a Reduce* / MeanVarianceNormalization node
 * reduces, shared by the shape rules (passes/shapes/reduce.c) and the
 * backend (backend/c/reduce.c) so both read the node the same way. */
#ifndef SPCC_PASSES_SHAPES_REDUCE_AXES_H
#define SPCC_PASSES_SHAPES_REDUCE_AXES_H

#include "spcc/spcc.h"

/* Sets red[r] for every axis r of input 0 that node n reduces: from the
 * `axes` input (ReduceSum from opset 13, every Reduce* from opset 18) or
 * attribute; empty axes mean all axes, or none with noop_with_empty_axes.
 * Reports bad or non-constant axes through d and returns false. */
bool spcc_reduce_axes_mask(const spcc_graph *g, const spcc_node *n, bool *red, spcc_diag *d);

#endif
