/* tensor.c - shape rules for the data movement ops: Flatten, Reshape,
 * Transpose, Concat.
 *
 * These ops only move bytes, so every element type is accepted. Reshape's
 * target shape must be known at compile time: the `shape` attribute before
 * opset 5, a constant `shape` input after. The rules follow each opset's
 * axis ranges (negative axes from opset 11) and Reshape's special values
 * (0 copies the input dim unless allowzero=1, -1 is inferred).
 */
#include <stdio.h>
#include <string.h>

#include "passes/passes.h"

static bool out0(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  if (n->n_out < 1 || n->out[0] < 0) {
    spcc_node_error(d, g, n, "output 0 is required");
    return false;
  }
  return true;
}

static const spcc_type *in0(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = spcc_in_type(g, n, 0);
  if (!x) spcc_node_error(d, g, n, "input 0 is required");
  else if (spcc_dtype_size(x->dtype) == 0) {
    spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(x->dtype));
    return NULL;
  }
  return x;
}

/* ---- Flatten ------------------------------------------------------------- */

bool spcc_shape_flatten(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = in0(g, n, d);
  if (!x || !out0(g, n, d)) return false;
  int64_t axis = spcc_attr_int(n, "axis", 1);
  const int64_t lo = n->opset >= 11 ? -x->rank : 0;
  if (axis < lo || axis > x->rank) {
    spcc_node_error(d, g, n, "axis %lld is out of range for rank %d", (long long)axis, x->rank);
    return false;
  }
  if (axis < 0) axis += x->rank;
  int64_t dims[2] = {1, 1};
  for (int r = 0; r < x->rank; r++) dims[r < axis ? 0 : 1] *= x->dims[r];
  spcc_set_output(g, n, 0, x->dtype, 2, dims);
  return true;
}

/* ---- Reshape ------------------------------------------------------------- */

bool spcc_shape_reshape(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = in0(g, n, d);
  if (!x || !out0(g, n, d)) return false;
  const int64_t *shape;
  int64_t count;
  if (n->opset < 5) {
    int cnt;
    shape = spcc_attr_ints(n, "shape", &cnt);
    count = cnt;
    if (!shape && !spcc_node_attr(n, "shape")) {
      spcc_node_error(d, g, n, "attribute 'shape' is required");
      return false;
    }
  } else {
    const int vid = spcc_node_in(n, 1);
    const spcc_type *st = spcc_in_type(g, n, 1);
    if (!st) {
      spcc_node_error(d, g, n, "input 1 'shape' is required");
      return false;
    }
    if (st->dtype != SPCC_DT_I64 || st->rank != 1) {
      char buf[160];
      spcc_node_error(d, g, n, "'shape' input must be a 1-D int64 tensor, got %s",
                      spcc_type_str(st, buf, sizeof buf));
      return false;
    }
    shape = spcc_value_data(g, vid);
    count = st->dims[0];
    if (!shape && count > 0) {
      spcc_node_error(d, g, n, "unsupported: 'shape' input must be a compile-time constant "
                               "(use --bind)");
      return false;
    }
  }
  if (count > SPCC_MAX_RANK) {
    spcc_node_error(d, g, n, "unsupported rank %lld (at most %d)", (long long)count,
                    SPCC_MAX_RANK);
    return false;
  }
  const bool allowzero = n->opset >= 14 && spcc_attr_int(n, "allowzero", 0) != 0;
  int64_t dims[SPCC_MAX_RANK];
  int infer = -1;
  bool has_zero = false;
  int64_t known = 1;
  for (int r = 0; r < count; r++) {
    int64_t v = shape[r];
    if (v == -1) {
      if (infer >= 0) {
        spcc_node_error(d, g, n, "'shape' has more than one -1");
        return false;
      }
      infer = r;
      continue;
    }
    if (v == 0 && !allowzero) {
      if (r >= x->rank) {
        spcc_node_error(d, g, n, "'shape'[%d] is 0 but the input has rank %d", r, x->rank);
        return false;
      }
      v = x->dims[r];
    } else if (v < 0) {
      spcc_node_error(d, g, n, "'shape'[%d] is %lld (only -1 and sizes >= 0 are allowed)", r,
                      (long long)v);
      return false;
    }
    if (v == 0) has_zero = true;
    dims[r] = v;
    known *= v;
  }
  const int64_t numel = spcc_type_numel(x);
  char buf[160];
  if (infer >= 0) {
    if (has_zero && allowzero) {
      spcc_node_error(d, g, n, "'shape' holds both 0 and -1 with allowzero=1");
      return false;
    }
    if (known == 0 || numel % known != 0) {
      spcc_node_error(d, g, n, "cannot infer the -1 in 'shape': input %s has %lld elements",
                      spcc_type_str(x, buf, sizeof buf), (long long)numel);
      return false;
    }
    dims[infer] = numel / known;
    known = numel;
  }
  if (known != numel) {
    spcc_node_error(d, g, n, "shape mismatch: cannot reshape %s (%lld elements) to %lld elements",
                    spcc_type_str(x, buf, sizeof buf), (long long)numel, (long long)known);
    return false;
  }
  spcc_set_output(g, n, 0, x->dtype, (int)count, dims);
  return true;
}

/* ---- Transpose ----------------------------------------------------------- */

bool spcc_shape_transpose(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = in0(g, n, d);
  if (!x || !out0(g, n, d)) return false;
  int cnt;
  const int64_t *perm = spcc_attr_ints(n, "perm", &cnt);
  int64_t dims[SPCC_MAX_RANK];
  if (!perm) {
    for (int r = 0; r < x->rank; r++) dims[r] = x->dims[x->rank - 1 - r];
  } else {
    bool seen[SPCC_MAX_RANK] = {false};
    if (cnt != x->rank) {
      spcc_node_error(d, g, n, "'perm' has %d entries, the input has rank %d", cnt, x->rank);
      return false;
    }
    for (int r = 0; r < cnt; r++) {
      if (perm[r] < 0 || perm[r] >= x->rank || seen[perm[r]]) {
        spcc_node_error(d, g, n, "'perm' is not a permutation of 0..%d", x->rank - 1);
        return false;
      }
      seen[perm[r]] = true;
      dims[r] = x->dims[perm[r]];
    }
  }
  spcc_set_output(g, n, 0, x->dtype, x->rank, dims);
  return true;
}

/* ---- Concat -------------------------------------------------------------- */

bool spcc_shape_concat(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = in0(g, n, d);
  if (!x || !out0(g, n, d)) return false;
  const spcc_attr *a = spcc_node_attr(n, "axis");
  if (!a && n->opset >= 4) {
    spcc_node_error(d, g, n, "attribute 'axis' is required");
    return false;
  }
  int64_t axis = spcc_attr_int(n, "axis", 1); /* opset < 4 defaults to 1 */
  const int64_t lo = n->opset >= 11 ? -x->rank : 0;
  if (x->rank == 0 || axis < lo || axis >= x->rank) {
    spcc_node_error(d, g, n, "axis %lld is out of range for rank %d", (long long)axis, x->rank);
    return false;
  }
  if (axis < 0) axis += x->rank;
  int64_t dims[SPCC_MAX_RANK];
  memcpy(dims, x->dims, sizeof dims);
  dims[axis] = 0;
  for (int k = 0; k < n->n_in; k++) {
    const spcc_type *t = spcc_in_type(g, n, k);
    char b1[160], b2[160];
    if (!t) {
      spcc_node_error(d, g, n, "input %d is missing", k);
      return false;
    }
    if (t->dtype != x->dtype) {
      spcc_node_error(d, g, n, "input %d has element type %s, input 0 has %s", k,
                      spcc_dtype_name(t->dtype), spcc_dtype_name(x->dtype));
      return false;
    }
    bool ok = t->rank == x->rank;
    for (int r = 0; ok && r < x->rank; r++) ok = r == axis || t->dims[r] == x->dims[r];
    if (!ok) {
      spcc_node_error(d, g, n, "shape mismatch: input %d %s and input 0 %s differ off axis %lld",
                      k, spcc_type_str(t, b1, sizeof b1), spcc_type_str(x, b2, sizeof b2),
                      (long long)axis);
      return false;
    }
    dims[axis] += t->dims[axis];
  }
  spcc_set_output(g, n, 0, x->dtype, x->rank, dims);
  return true;
}
