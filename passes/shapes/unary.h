/* unary.h - internal: how PRelu's slope lines up with X, shared by the
 * shape rule (passes/shapes/unary.c) and the C backend (backend/c/unary.c).
 */
#ifndef SPCC_PASSES_SHAPES_UNARY_H
#define SPCC_PASSES_SHAPES_UNARY_H

#include "ir/ir.h"
#include "spcc/spcc_rt.h"

/* *rank = X's rank, x_dims = X's shape, slope_dims = the slope's dims
 * padded with 1s to that rank. The slope broadcasts to X only (numpy rules,
 * result must equal X's shape); before opset 7 a 1-D slope matching X's
 * dimension 1 is per channel. Reports a mismatch and returns false. Arrays
 * hold SPCC_MAX_RANK entries. */
bool spcc_prelu_layout(const spcc_graph *g, const spcc_node *n, int *rank, int64_t *x_dims,
                       int64_t *slope_dims, spcc_diag *d);

#endif
