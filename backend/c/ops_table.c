/* ops_table.c - dispatch from spcc_op to the per-op emit and eval functions.
 * The tables are generated from ops.def, so every op has both or the link
 * fails. */
#include "ops.h"

typedef bool (*emit_fn)(spcc_emitter *, const spcc_node *, spcc_diag *);
typedef bool (*eval_fn)(const spcc_graph *, const spcc_node *, const void *const *,
                        void *const *, spcc_diag *);

static const emit_fn emit_table[SPCC_OP_COUNT] = {
#define SPCC_OP(E, onnx, ir, fn) spcc_emit_##fn,
#include "../../ir/ops.def"
#undef SPCC_OP
};

static const eval_fn eval_table[SPCC_OP_COUNT] = {
#define SPCC_OP(E, onnx, ir, fn) spcc_eval_##fn,
#include "../../ir/ops.def"
#undef SPCC_OP
};

bool spcc_emit_node(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  SPCC_ASSERT(n->op < SPCC_OP_COUNT);
  return emit_table[n->op](e, n, d);
}

bool spcc_eval_node(const spcc_graph *g, const spcc_node *n, const void *const *in,
                    void *const *out, spcc_diag *d) {
  SPCC_ASSERT(n->op < SPCC_OP_COUNT);
  return eval_table[n->op](g, n, in, out, d);
}
