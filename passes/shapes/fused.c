/* fused.c - shape rule of fused_elementwise (made by passes/fuse_elementwise.c).
 *
 * The node's inputs share one float element type; the output has the shape
 * of the largest input, and every other input is a scalar or a suffix of
 * it, all suffixes of one size (ir/fused.h: spcc_fx_input_mode). The
 * program (attribute expr) is parsed and checked here, since IR text can
 * say anything.
 */
#include <string.h>

#include "ir/fused.h"
#include "passes/passes.h"

/* The input whose shape the output takes: most elements, then highest rank. */
static int widest_input(const spcc_graph *g, const spcc_node *n) {
  int best = 0;
  for (int k = 1; k < n->n_in; k++) {
    const spcc_type *a = spcc_in_type(g, n, k), *b = spcc_in_type(g, n, best);
    int64_t na = spcc_type_numel(a), nb = spcc_type_numel(b);
    if (na > nb || (na == nb && a->rank > b->rank)) best = k;
  }
  return best;
}

bool spcc_shape_fused_elementwise(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  if (n->n_in < 1 || n->n_out != 1) {
    spcc_node_error(d, g, n, "fused_elementwise needs inputs and one output");
    return false;
  }
  for (int k = 0; k < n->n_in; k++)
    if (n->in[k] < 0) {
      spcc_node_error(d, g, n, "fused_elementwise input %d is missing", k);
      return false;
    }
  spcc_fx_program p;
  char err[160];
  if (!spcc_fx_parse(spcc_attr_string(n, "expr", ""), n->n_in, &p, err, sizeof err)) {
    spcc_node_error(d, g, n, "%s", err);
    return false;
  }
  const spcc_type *out = spcc_in_type(g, n, widest_input(g, n));
  if (out->dtype != SPCC_DT_F32 && out->dtype != SPCC_DT_F64) {
    spcc_node_error(d, g, n, "unsupported element type %s (f32 and f64 fuse)",
                    spcc_dtype_name(out->dtype));
    return false;
  }
  int64_t suffix = 0;
  for (int k = 0; k < n->n_in; k++) {
    const spcc_type *t = spcc_in_type(g, n, k);
    int64_t s;
    int mode = spcc_fx_input_mode(t, out, &s);
    if (t->dtype != out->dtype || mode < 0 || (mode == SPCC_FX_SUFFIX && suffix && s != suffix)) {
      char a[160], b[160];
      spcc_node_error(d, g, n, "input %d %s does not fit the output %s", k,
                      spcc_type_str(t, a, sizeof a), spcc_type_str(out, b, sizeof b));
      return false;
    }
    if (mode == SPCC_FX_SUFFIX) suffix = s;
  }
  spcc_set_output(g, n, 0, out->dtype, out->rank, out->dims);
  return true;
}
