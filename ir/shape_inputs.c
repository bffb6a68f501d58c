/* shape_inputs.c - which operator inputs decide output shapes.
 *
 * Static shapes are spcc's premise, so an input whose *value* decides a
 * shape (Reshape's target) must be known at compile time, as must the few
 * inputs that decide what an op computes at all (Dropout's training_mode). `spcc run` uses
 * this to bind exactly those graph inputs that flow into such a slot, and
 * keeps every other input a true runtime input. */
#include <stdlib.h>

#include "ir.h"

bool spcc_op_input_decides_shape(spcc_op op, int k) {
  switch (op) {
  case SPCC_OP_RESHAPE: return k == 1;
  /* Not shapes, but what Dropout computes at all (identity only when not
   * training or with ratio 0) must be known when compiling. */
  case SPCC_OP_DROPOUT: return k >= 1; /* ratio, training_mode */
  case SPCC_OP_PAD: return k == 1 || k == 3; /* pads, axes (opset 18) */
  case SPCC_OP_CUMSUM: case SPCC_OP_TOP_K: case SPCC_OP_ONE_HOT:
  case SPCC_OP_COMPRESS: return k == 1; /* pads, axis, K, depth, condition */
  case SPCC_OP_RANGE: case SPCC_OP_NON_ZERO: return true;
  case SPCC_OP_RESIZE: case SPCC_OP_UPSAMPLE: return k >= 1; /* roi, scales, sizes */
  case SPCC_OP_REDUCE_SUM: case SPCC_OP_REDUCE_MEAN: case SPCC_OP_REDUCE_MAX:
  case SPCC_OP_REDUCE_MIN: case SPCC_OP_REDUCE_PROD: case SPCC_OP_REDUCE_L1:
  case SPCC_OP_REDUCE_L2: case SPCC_OP_REDUCE_LOG_SUM: case SPCC_OP_REDUCE_LOG_SUM_EXP:
  case SPCC_OP_REDUCE_SUM_SQUARE: return k == 1; /* axes (opset 13 / 18) */
  case SPCC_OP_MAX_UNPOOL: return k == 2;
  case SPCC_OP_SLICE: return k >= 1; /* starts, ends, axes, steps (opset 10) */
  case SPCC_OP_SPLIT: case SPCC_OP_SQUEEZE: case SPCC_OP_UNSQUEEZE: /* opset 13 */
  case SPCC_OP_EXPAND: case SPCC_OP_TILE: return k == 1;
  case SPCC_OP_CONSTANT_OF_SHAPE: return k == 0;
  default: return false;
  }
}

bool spcc_op_reads_only_shapes(spcc_op op) {
  return op == SPCC_OP_SHAPE || op == SPCC_OP_SIZE;
}

bool *spcc_graph_shape_deciding_values(const spcc_graph *g) {
  bool *mark = calloc((size_t)(g->n_values ? g->n_values : 1), sizeof(bool));
  if (!mark) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  for (int i = 0; i < g->n_nodes; i++) {
    const spcc_node *n = &g->nodes[i];
    for (int k = 0; k < n->n_in; k++)
      if (n->in[k] >= 0 && spcc_op_input_decides_shape(n->op, k)) mark[n->in[k]] = true;
  }
  /* Anything upstream of a marked value decides it too (Shape -> Gather ->
   * Concat -> Reshape chains). Nodes are in topological order, so one
   * backward sweep propagates marks to every ancestor. */
  for (int i = g->n_nodes - 1; i >= 0; i--) {
    const spcc_node *n = &g->nodes[i];
    bool any = false;
    for (int k = 0; k < n->n_out; k++)
      if (n->out[k] >= 0 && mark[n->out[k]]) any = true;
    /* Shape and Size read only static shapes: their inputs stay runtime. */
    if (!any || spcc_op_reads_only_shapes(n->op)) continue;
    for (int k = 0; k < n->n_in; k++)
      if (n->in[k] >= 0) mark[n->in[k]] = true;
  }
  return mark;
}
