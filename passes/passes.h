/* passes.h - pass entry points and the per-op shape rules. */
#ifndef SPCC_PASSES_H
#define SPCC_PASSES_H

#include "spcc/spcc.h"

#define SPCC_PASS(fn, cli, desc) \
  bool spcc_pass_##fn(spcc_graph *g, const spcc_options *o, spcc_diag *d);
#include "passes.def"
#undef SPCC_PASS

/* Shape rules, one per op (passes/shapes/<family>.c). A rule reads the
 * types of the node's inputs (all static when it is called) and sets the
 * types of its outputs with spcc_set_output; it reports unsupported
 * attributes or impossible shapes through d (naming the node) and returns
 * false. Constant inputs (Reshape's shape, Clip's bounds) are available
 * through spcc_value_data. */
#define SPCC_OP(E, onnx, ir, fn) \
  bool spcc_shape_##fn(spcc_graph *g, spcc_node *n, spcc_diag *d);
#include "../ir/ops.def"
#undef SPCC_OP

/* Folds node i (passes/fold_constants.c) when its inputs are all known and
 * the result is not too large: its outputs become constants and the node is
 * marked dead (the caller compacts). *folded tells whether it happened;
 * false is returned only when evaluation fails. */
bool spcc_fold_node(spcc_graph *g, int i, spcc_diag *d, bool *folded);

/* The work of shape-infer on nodes first.. only, without compacting: value
 * ids stay valid, folded nodes are only marked dead (*any_folded says
 * whether one was). The importer calls it on the graph imported so far to
 * learn an If condition, a Loop trip count or a sequence position. */
bool spcc_shape_infer_nodes(spcc_graph *g, int first, spcc_diag *d, bool *any_folded);

/* Sets output k's dtype and shape (encoding dense). */
void spcc_set_output(spcc_graph *g, spcc_node *n, int k, spcc_dtype dt, int rank,
                     const int64_t *dims);

/* True when cli_name names a pass in passes.def (or is "import"). */
bool spcc_pass_exists(const char *cli_name);

/* Memory planning core, exposed for unit tests: given n buffers with sizes
 * (bytes) and live intervals [first, last] (node indices, inclusive), assigns
 * 64-byte-aligned offsets so that buffers live at the same time never
 * overlap. Returns the arena size; *lower_bound gets the liveness lower bound
 * (the largest total of aligned sizes live at one step). */
int64_t spcc_plan_offsets(int n, const int64_t *size, const int *first, const int *last,
                          int64_t *offset, int64_t *lower_bound);

#endif
