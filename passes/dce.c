/* dce.c - pass dce: removes the nodes no graph output depends on.
 *
 * Requires: nodes in topological order.
 * Changes: marks dead and drops every node none of whose outputs is needed
 * (a value is needed when it is a graph output or read by a needed node),
 * then compacts the graph, which also drops the values and constants only
 * those nodes used. Graph inputs stay even when nothing reads them: they
 * are part of the generated function's signature.
 *
 * ONNX nodes have no side effects, so whatever reaches no output is dead.
 * One backward walk suffices: in topological order every reader of a value
 * comes after its producer, so a node's neededness is final when the walk
 * reaches it.
 */
#include <stdlib.h>

#include "passes.h"

bool spcc_pass_dce(spcc_graph *g, const spcc_options *o, spcc_diag *d) {
  (void)o;
  (void)d;
  char *needed = calloc((size_t)g->n_values + 1, 1);
  if (!needed) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  for (int i = 0; i < g->n_outputs; i++) needed[g->outputs[i]] = 1;

  for (int i = g->n_nodes - 1; i >= 0; i--) {
    spcc_node *n = &g->nodes[i];
    bool live = false;
    for (int k = 0; k < n->n_out && !n->dead; k++)
      if (n->out[k] >= 0 && needed[n->out[k]]) live = true;
    if (!live) {
      n->dead = true;
      continue;
    }
    for (int k = 0; k < n->n_in; k++)
      if (n->in[k] >= 0) needed[n->in[k]] = 1;
  }

  free(needed);
  spcc_graph_compact(g);
  return true;
}
