/* shape_infer.c - pass shape-infer: the static dtype and shape of every value.
 *
 * Requires: graph inputs with static types (the frontend fixes dynamic
 * dimensions from --shape, --bind or a default), constants typed.
 * Changes: sets the type of every node output, in topological order, by the
 * per-op rules in passes/shapes/. Fails when a rule rejects a node.
 * Folds each node whose inputs are known right after typing it
 * (spcc_fold_node): later shapes may depend on its value (Shape -> Gather ->
 * Concat -> Reshape, Shape -> ConstantOfShape), as in ONNX's own data
 * propagation. fold-constants still runs later for what this leaves.
 */
#include <string.h>

#include "passes.h"

typedef bool (*shape_fn)(spcc_graph *, spcc_node *, spcc_diag *);

static const shape_fn rules[SPCC_OP_COUNT] = {
#define SPCC_OP(E, onnx, ir, fn) spcc_shape_##fn,
#include "../ir/ops.def"
#undef SPCC_OP
};

void spcc_set_output(spcc_graph *g, spcc_node *n, int k, spcc_dtype dt, int rank,
                     const int64_t *dims) {
  SPCC_ASSERT(k < n->n_out && rank <= SPCC_MAX_RANK);
  if (n->out[k] < 0) return; /* omitted optional output */
  spcc_value *v = &g->values[n->out[k]];
  spcc_type t = spcc_type_make(dt, rank, dims);
  t.enc = v->type.enc;
  v->type = t;
}

bool spcc_shape_infer_nodes(spcc_graph *g, int first, spcc_diag *d, bool *any_folded) {
  *any_folded = false;
  for (int i = first; i < g->n_nodes; i++) {
    spcc_node *n = &g->nodes[i];
    if (n->dead) continue;
    for (int k = 0; k < n->n_in; k++) {
      int vid = n->in[k];
      if (vid >= 0 && !spcc_type_is_static(&g->values[vid].type)) {
        spcc_node_error(d, g, n, "input %d '%s' has no static shape", k, g->values[vid].name);
        return false;
      }
    }
    if (!rules[n->op](g, n, d)) {
      if (d->n_errors == 0) spcc_node_error(d, g, n, "shape inference failed");
      return false;
    }
    for (int k = 0; k < n->n_out; k++) {
      int vid = n->out[k];
      if (vid < 0) continue;
      const spcc_type *t = &g->values[vid].type;
      if (!spcc_type_is_static(t)) {
        spcc_node_error(d, g, n, "output %d '%s' has no static shape", k, g->values[vid].name);
        return false;
      }
      /* Shapes are static: dims must fit comfortably in memory arithmetic. */
      int64_t bytes = 1;
      for (int r = 0; r < t->rank; r++) {
        if (t->dims[r] > 0 && bytes > (INT64_C(1) << 40) / t->dims[r]) {
          spcc_node_error(d, g, n, "output %d '%s' is impossibly large", k, g->values[vid].name);
          return false;
        }
        bytes *= t->dims[r];
      }
    }
    bool folded;
    if (!spcc_fold_node(g, i, d, &folded)) return false;
    *any_folded = *any_folded || folded;
  }
  return true;
}

bool spcc_pass_shape_infer(spcc_graph *g, const spcc_options *o, spcc_diag *d) {
  (void)o;
  bool any_folded;
  if (!spcc_shape_infer_nodes(g, 0, d, &any_folded)) return false;
  if (any_folded) spcc_graph_compact(g);
  return true;
}
