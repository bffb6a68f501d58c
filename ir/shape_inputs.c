/* shape_inputs.c - which operator inputs decide output shapes.
 *
 * Static shapes are spcc's premise, so an input whose *value* decides a
 * shape (Reshape's target) must be known at compile time. `spcc run` uses
 * this to bind exactly those graph inputs that flow into such a slot, and
 * keeps every other input a true runtime input. */
#include <stdlib.h>

#include "ir.h"

bool spcc_op_input_decides_shape(spcc_op op, int k) {
  switch (op) {
  case SPCC_OP_RESHAPE: return k == 1;
  default: return false;
  }
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
    if (!any) continue;
    for (int k = 0; k < n->n_in; k++)
      if (n->in[k] >= 0) mark[n->in[k]] = true;
  }
  return mark;
}
