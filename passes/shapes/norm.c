/* norm.c - shape rules for LayerNormalization (opset 17), 
 * InstanceNormalization and LRN.
 *
 * LayerNormalization normalizes the trailing axes from `axis` on; Scale
 * (and the optional B) must have the normalized shape (or one element).
 * Its optional Mean and InvStdDev outputs have X's shape with the
 * normalized axes set to 1. The statistics are computed in double by the
 * kernel, which satisfies every stash_type.
 */
#include <stdio.h>

#include "passes/passes.h"

static bool check_x(spcc_graph *g, spcc_node *n, int min_rank, spcc_diag *d) {
  const spcc_type *x = spcc_in_type(g, n, 0);
  if (!x) {
    spcc_node_error(d, g, n, "input 0 is required");
    return false;
  }
  if (n->n_out < 1 || n->out[0] < 0) {
    spcc_node_error(d, g, n, "output 0 is required");
    return false;
  }
  if (x->dtype != SPCC_DT_F32 && x->dtype != SPCC_DT_F64) {
    spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(x->dtype));
    return false;
  }
  if (x->rank < min_rank) {
    char s[160];
    spcc_node_error(d, g, n, "input must have rank >= %d, got %s", min_rank,
                    spcc_type_str(x, s, sizeof s));
    return false;
  }
  return true;
}

/* Input k must exist (unless optional), have X's dtype and numel elements
 * (or one, when one_ok). */
static bool check_param(spcc_graph *g, spcc_node *n, int k, const char *name, int64_t numel,
                        bool optional, bool one_ok, spcc_diag *d) {
  const spcc_type *x = spcc_in_type(g, n, 0), *t = spcc_in_type(g, n, k);
  if (!t) {
    if (optional) return true;
    spcc_node_error(d, g, n, "input '%s' is required", name);
    return false;
  }
  if (t->dtype != x->dtype) {
    spcc_node_error(d, g, n, "unsupported: input '%s' of element type %s with X of %s", name,
                    spcc_dtype_name(t->dtype), spcc_dtype_name(x->dtype));
    return false;
  }
  const int64_t m = spcc_type_numel(t);
  if (m != numel && !(one_ok && m == 1)) {
    char s1[160], s2[160];
    spcc_node_error(d, g, n, "shape mismatch: %s %s does not fit input %s", name,
                    spcc_type_str(t, s1, sizeof s1), spcc_type_str(x, s2, sizeof s2));
    return false;
  }
  return true;
}

bool spcc_shape_layer_norm(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  if (!check_x(g, n, 1, d)) return false;
  const spcc_type *x = spcc_in_type(g, n, 0);
  int64_t axis = spcc_attr_int(n, "axis", -1);
  if (axis < -x->rank || axis >= x->rank) {
    spcc_node_error(d, g, n, "axis %lld is out of range for rank %d", (long long)axis, x->rank);
    return false;
  }
  if (axis < 0) axis += x->rank;
  int64_t len = 1;
  for (int r = (int)axis; r < x->rank; r++) len *= x->dims[r];
  if (!check_param(g, n, 1, "Scale", len, false, true, d)) return false;
  if (!check_param(g, n, 2, "B", len, true, true, d)) return false;
  spcc_set_output(g, n, 0, x->dtype, x->rank, x->dims);
  int64_t dims[SPCC_MAX_RANK];
  for (int r = 0; r < x->rank; r++) dims[r] = r < axis ? x->dims[r] : 1;
  for (int k = 1; k < 3 && k < n->n_out; k++) spcc_set_output(g, n, k, x->dtype, x->rank, dims);
  return true;
}

bool spcc_shape_instance_norm(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  if (!check_x(g, n, 2, d)) return false;
  const spcc_type *x = spcc_in_type(g, n, 0);
  if (!check_param(g, n, 1, "scale", x->dims[1], false, false, d)) return false;
  if (!check_param(g, n, 2, "B", x->dims[1], false, false, d)) return false;
  spcc_set_output(g, n, 0, x->dtype, x->rank, x->dims);
  return true;
}

bool spcc_shape_lrn(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  if (!check_x(g, n, 2, d)) return false;
  const spcc_type *x = spcc_in_type(g, n, 0);
  if (!spcc_node_attr(n, "size") || spcc_attr_int(n, "size", 0) < 1) {
    spcc_node_error(d, g, n, "attribute 'size' must be a positive integer");
    return false;
  }
  spcc_set_output(g, n, 0, x->dtype, x->rank, x->dims);
  return true;
}
