/* elementwise.h - internal: the broadcast rule of Add/Sub/Mul/Div, shared by
 * the shape rule (passes/shapes/elementwise.c) and the C backend
 * (backend/c/elementwise.c), which must agree on how the operands line up.
 */
#ifndef SPCC_PASSES_SHAPES_ELEMENTWISE_H
#define SPCC_PASSES_SHAPES_ELEMENTWISE_H

#include "ir/ir.h"

/* Lines up the two inputs of a binary elementwise node with its output:
 * *rank gets the output rank, y_dims the output shape, a_dims and b_dims the
 * operands' dimensions padded with 1s to that rank. Opset >= 7 uses numpy
 * multidirectional broadcasting; older opsets require equal shapes, or with
 * broadcast=1 place b's dimensions at `axis` of a (default: the trailing
 * ones) and broadcast b to a. Reports a mismatch through d and returns
 * false. Arrays hold SPCC_MAX_RANK entries. */
bool spcc_elem_broadcast(const spcc_graph *g, const spcc_node *n, int *rank, int64_t *y_dims,
                         int64_t *a_dims, int64_t *b_dims, spcc_diag *d);

#endif
