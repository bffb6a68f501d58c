/* shape_plan.h - helpers shared by the shape rules of the shape and indexing
 * family (passes/shapes/shape.c) and its emitter (backend/c/shape.c), so
 * both read constant integer inputs and plan Slice the same way
 * (passes/shapes/shape_plan.c). */
#ifndef SPCC_PASSES_SHAPES_SHAPE_PLAN_H
#define SPCC_PASSES_SHAPES_SHAPE_PLAN_H

#include "ir/ir.h"

/* Reads the constant int32/int64 1-D (or scalar) input k of n into v (at
 * most max entries) and its length into *count. Reports "unsupported: input
 * 'what' must be a compile-time constant (use --bind)" when it is not
 * constant, and bad types or lengths; returns false then. */
bool spcc_shp_const_ints(const spcc_graph *g, const spcc_node *n, int k, const char *what,
                         int max, int64_t *v, int *count, spcc_diag *d);

/* Slice of input 0 of n (any opset): per input axis, the first element
 * start[r], the step step[r] and the output size dims[r]. */
bool spcc_shp_slice_plan(const spcc_graph *g, const spcc_node *n, int64_t *start,
                         int64_t *step, int64_t *dims, spcc_diag *d);

#endif
