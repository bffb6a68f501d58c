/* ops.h - per-op emit and compile-time evaluation entry points.
 *
 * spcc_emit_<op> writes the C for one node (see emit.h). spcc_eval_<op> runs
 * the same runtime kernel at compile time for constant folding: in[k] is the
 * data of input k (NULL when the input is absent), out[k] a buffer of the
 * size of output k's (already inferred) type. Both use the same parameter
 * block, so folded values equal what the generated code would compute.
 */
#ifndef SPCC_BACKEND_C_OPS_H
#define SPCC_BACKEND_C_OPS_H

#include "emit.h"

#define SPCC_OP(E, onnx, ir, fn)                                                    \
  bool spcc_emit_##fn(spcc_emitter *e, const spcc_node *n, spcc_diag *d);          \
  bool spcc_eval_##fn(const spcc_graph *g, const spcc_node *n, const void *const *in, \
                      void *const *out, spcc_diag *d);
#include "../../ir/ops.def"
#undef SPCC_OP

/* Table lookups by op (backend/c/ops_table.c). */
bool spcc_emit_node(spcc_emitter *e, const spcc_node *n, spcc_diag *d);
bool spcc_eval_node(const spcc_graph *g, const spcc_node *n, const void *const *in,
                    void *const *out, spcc_diag *d);

#endif
