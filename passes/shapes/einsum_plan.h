/* einsum_plan.h - Einsum's equation turned into kernel parameters, shared by
 * the shape rule (passes/shapes/einsum.c) and the C backend. */
#ifndef SPCC_SHAPES_EINSUM_PLAN_H
#define SPCC_SHAPES_EINSUM_PLAN_H

#include "ir/ir.h"
#include "spcc/spcc_rt.h"

/* Parses n's equation against its input types: fills p and the output
 * shape (*rank, dims). Reports through d (naming the node) and returns
 * false for a malformed or unsupported equation. */
bool spcc_einsum_plan(const spcc_graph *g, const spcc_node *n, spcc_einsum_params *p,
                      int *rank, int64_t *dims, spcc_diag *d);

#endif
