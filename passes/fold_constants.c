/* fold_constants.c - pass fold-constants: evaluates at compile time every
 * node whose inputs are all known, so the generated code does not recompute
 * what never changes (shape arithmetic, weight transposes, a Relu on a
 * weight).
 *
 * Requires: shape-infer (static types on every value), nodes in topological
 * order.
 * Changes: for each node, in order, whose every present input has constant
 * data (a CONST, or an INPUT bound with --bind, whose value the generated
 * code checks at run time) or that reads only its inputs' static shapes
 * (Shape, Size: spcc_op_reads_only_shapes; they get NULL data), runs the node with spcc_eval_node and turns its
 * outputs into CONST values; the node is dropped. Folded outputs feed later
 * nodes, so whole constant chains fold in one run. The graph is compacted at
 * the end (inputs that only the folded nodes read go away). Fails when an
 * evaluation fails.
 *
 * spcc_eval_node runs the same runtime kernel as the generated code, so a
 * folded value equals the value the program would have computed.
 */
#include <stdlib.h>

#include "backend/c/ops.h"
#include "passes.h"

/* Outputs up to this size always fold, whatever the inputs' size. */
#define FOLD_FREE_BYTES ((int64_t)64 * 1024)

/* Widest element type: sizes a scratch buffer for an omitted output. */
#define MAX_ELEM_BYTES 8

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  return p;
}

/* Whether n can and should fold. */
static bool foldable(const spcc_graph *g, const spcc_node *n) {
  int64_t in_bytes = 0, out_bytes = 0;
  for (int k = 0; k < n->n_in; k++) {
    int vid = n->in[k];
    if (vid < 0) continue;
    if (!spcc_value_data(g, vid) && !spcc_op_reads_only_shapes(n->op)) return false;
    int64_t b = spcc_type_bytes(&g->values[vid].type);
    if (b < 0) return false;
    in_bytes += b;
  }
  for (int k = 0; k < n->n_out; k++) {
    int vid = n->out[k];
    if (vid < 0) continue;
    int64_t b = spcc_type_bytes(&g->values[vid].type);
    if (b < 0) return false;
    out_bytes += b;
  }
  /* A folded value becomes a `static const` initializer in the generated C.
   * When a node makes much more data than it reads (Expand, Tile, an outer
   * product) folding trades a cheap loop for megabytes of source text that
   * C compilers digest slowly and that take flash on small targets; leave
   * such nodes to run. Small results always fold: their text is cheap. */
  int64_t limit = in_bytes > FOLD_FREE_BYTES ? in_bytes : FOLD_FREE_BYTES;
  return out_bytes <= limit;
}

/* Evaluates n and turns its outputs into constants. */
static bool fold(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  int nin = n->n_in ? n->n_in : 1, nout = n->n_out ? n->n_out : 1;
  const void **in = xmalloc(sizeof(void *) * (size_t)nin);
  void **out = xmalloc(sizeof(void *) * (size_t)nout);

  /* An omitted optional output (MaxPool's Indices, BatchNorm's running
   * statistics) has no type to size it by. None of them holds more elements
   * than the largest input or output, so that many elements of the widest
   * type is always enough. */
  int64_t max_numel = 1;
  for (int k = 0; k < n->n_in; k++) {
    in[k] = n->in[k] >= 0 ? spcc_value_data(g, n->in[k]) : NULL;
    int64_t e = n->in[k] >= 0 ? spcc_type_numel(&g->values[n->in[k]].type) : 0;
    if (e > max_numel) max_numel = e;
  }
  for (int k = 0; k < n->n_out; k++) {
    int vid = n->out[k];
    int64_t e = vid >= 0 ? spcc_type_numel(&g->values[vid].type) : 0;
    if (e > max_numel) max_numel = e;
    out[k] = vid >= 0 ? xmalloc((size_t)spcc_type_bytes(&g->values[vid].type)) : NULL;
  }
  for (int k = 0; k < n->n_out; k++)
    if (!out[k]) out[k] = xmalloc((size_t)(max_numel * MAX_ELEM_BYTES));

  int errors = d->n_errors;
  bool ok = spcc_eval_node(g, n, (const void *const *)in, (void *const *)out, d);
  if (!ok && d->n_errors == errors)
    spcc_node_error(d, g, n, "constant folding failed");
  for (int k = 0; k < n->n_out; k++) {
    if (ok && n->out[k] >= 0)
      spcc_graph_set_const(g, n->out[k], out[k]); /* the graph owns it now */
    else
      free(out[k]);
  }
  free(out);
  free(in);
  return ok;
}

bool spcc_fold_node(spcc_graph *g, int i, spcc_diag *d, bool *folded) {
  spcc_node *n = &g->nodes[i];
  *folded = false;
  if (n->dead || !foldable(g, n)) return true;
  if (!fold(g, n, d)) return false;
  n->dead = *folded = true;
  return true;
}

bool spcc_pass_fold_constants(spcc_graph *g, const spcc_options *o, spcc_diag *d) {
  (void)o;
  bool ok = true, folded;
  for (int i = 0; i < g->n_nodes && ok; i++) ok = spcc_fold_node(g, i, d, &folded);
  /* Also on failure: nodes already folded must not stay around as the
   * producers of constants. */
  spcc_graph_compact(g);
  return ok;
}
