/* linear.c - shape rules for Gemm, MatMul, Softmax and BatchNormalization.
 *
 * Each rule checks the node's attributes and input types against the
 * semantics of the node's opset (legacy `broadcast`, `consumed_inputs`,
 * `is_test`, `spatial`; Softmax's 2-D coercion before opset 13) and sets
 * the output type. BatchNormalization has its inference form and, from
 * opset 14, its training form (training_mode=1: batch statistics, optional
 * running_mean and running_var outputs); the older training outputs (is_test=0,
 * or mean, var, saved_mean, saved_var before opset 14) are reported as
 * unsupported. The backend
 * (backend/c/linear.c) derives its kernel parameters from the same types,
 * so everything it relies on is validated here.
 */
#include <stdio.h>

#include "passes/passes.h"

static bool dtype_in(spcc_dtype t, const spcc_dtype *ok, int n) {
  for (int i = 0; i < n; i++)
    if (ok[i] == t) return true;
  return false;
}

static const char *type_str(const spcc_type *t, char *buf) {
  return spcc_type_str(t, buf, 160);
}

/* All inputs in [0, n_req) must be present and share dtype; their dtype must
 * be one of ok[]. */
static bool check_inputs(spcc_graph *g, spcc_node *n, int n_req, const spcc_dtype *ok,
                         int n_ok, spcc_diag *d) {
  const spcc_type *t0 = spcc_in_type(g, n, 0);
  for (int k = 0; k < n_req; k++) {
    const spcc_type *t = spcc_in_type(g, n, k);
    if (!t) {
      spcc_node_error(d, g, n, "input %d is required", k);
      return false;
    }
    if (t->dtype != t0->dtype) {
      spcc_node_error(d, g, n, "input %d has element type %s, input 0 has %s", k,
                      spcc_dtype_name(t->dtype), spcc_dtype_name(t0->dtype));
      return false;
    }
  }
  if (!dtype_in(t0->dtype, ok, n_ok)) {
    spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(t0->dtype));
    return false;
  }
  if (n->n_out < 1 || n->out[0] < 0) {
    spcc_node_error(d, g, n, "output 0 is required");
    return false;
  }
  return true;
}

static const spcc_dtype float_types[] = {SPCC_DT_F32, SPCC_DT_F64};

/* ---- Gemm ------------------------------------------------------------------ */

bool spcc_shape_gemm(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  if (!check_inputs(g, n, 2, float_types, 2, d)) return false;
  const spcc_type *a = spcc_in_type(g, n, 0), *b = spcc_in_type(g, n, 1);
  const spcc_type *c = spcc_in_type(g, n, 2);
  char s1[160], s2[160];
  if (a->rank != 2 || b->rank != 2) {
    spcc_node_error(d, g, n, "Gemm needs 2-D A and B, got %s and %s", type_str(a, s1),
                    type_str(b, s2));
    return false;
  }
  const bool ta = spcc_attr_int(n, "transA", 0) != 0;
  const bool tb = spcc_attr_int(n, "transB", 0) != 0;
  const int64_t m = ta ? a->dims[1] : a->dims[0], ka = ta ? a->dims[0] : a->dims[1];
  const int64_t kb = tb ? b->dims[1] : b->dims[0], nn = tb ? b->dims[0] : b->dims[1];
  if (ka != kb) {
    spcc_node_error(d, g, n, "shape mismatch: A %s%s and B %s%s disagree on K (%lld vs %lld)",
                    type_str(a, s1), ta ? " (transposed)" : "", type_str(b, s2),
                    tb ? " (transposed)" : "", (long long)ka, (long long)kb);
    return false;
  }
  if (c) {
    if (c->dtype != a->dtype) {
      spcc_node_error(d, g, n, "C has element type %s, A has %s", spcc_dtype_name(c->dtype),
                      spcc_dtype_name(a->dtype));
      return false;
    }
    /* Before opset 7 C had to be [M,N] unless `broadcast` was set. */
    const bool legacy_exact = n->opset < 7 && spcc_attr_int(n, "broadcast", 0) == 0;
    bool ok = c->rank <= 2;
    for (int r = 0; ok && r < c->rank; r++) {
      const int64_t want = (c->rank - r == 1) ? nn : m;
      const int64_t dim = c->dims[r];
      ok = dim == want || (!legacy_exact && dim == 1);
    }
    if (legacy_exact && c->rank != 2) ok = false;
    if (!ok) {
      spcc_node_error(d, g, n, "shape mismatch: C %s cannot broadcast to [%lld,%lld]%s",
                      type_str(c, s1), (long long)m, (long long)nn,
                      legacy_exact ? " (broadcast=0)" : "");
      return false;
    }
  }
  const int64_t dims[2] = {m, nn};
  spcc_set_output(g, n, 0, a->dtype, 2, dims);
  return true;
}

/* ---- MatMul ---------------------------------------------------------------- */

bool spcc_shape_matmul(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  static const spcc_dtype ok[] = {SPCC_DT_F32, SPCC_DT_F64, SPCC_DT_I32,
                                  SPCC_DT_I64, SPCC_DT_U32, SPCC_DT_U64};
  if (!check_inputs(g, n, 2, ok, 6, d)) return false;
  const spcc_type *a = spcc_in_type(g, n, 0), *b = spcc_in_type(g, n, 1);
  char s1[160], s2[160];
  if (a->rank < 1 || b->rank < 1) {
    spcc_node_error(d, g, n, "MatMul operands must have rank >= 1, got %s and %s",
                    type_str(a, s1), type_str(b, s2));
    return false;
  }
  const int64_t ka = a->dims[a->rank - 1];
  const int64_t kb = b->rank == 1 ? b->dims[0] : b->dims[b->rank - 2];
  if (ka != kb) {
    spcc_node_error(d, g, n, "shape mismatch: MatMul of %s and %s (K %lld vs %lld)",
                    type_str(a, s1), type_str(b, s2), (long long)ka, (long long)kb);
    return false;
  }
  /* Batch dims broadcast numpy-style, right-aligned. */
  const int ba = a->rank > 2 ? a->rank - 2 : 0, bb = b->rank > 2 ? b->rank - 2 : 0;
  const int br = ba > bb ? ba : bb;
  int64_t dims[SPCC_MAX_RANK + 2];
  int rank = 0;
  for (int r = 0; r < br; r++) {
    const int ia = r - (br - ba), ib = r - (br - bb);
    const int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
    if (da != db && da != 1 && db != 1) {
      spcc_node_error(d, g, n, "shape mismatch: MatMul batch dims of %s and %s do not broadcast",
                      type_str(a, s1), type_str(b, s2));
      return false;
    }
    dims[rank++] = da == 1 ? db : da;
  }
  if (a->rank >= 2) dims[rank++] = a->dims[a->rank - 2];
  if (b->rank >= 2) dims[rank++] = b->dims[b->rank - 1];
  if (rank > SPCC_MAX_RANK) {
    spcc_node_error(d, g, n, "unsupported rank %d (at most %d)", rank, SPCC_MAX_RANK);
    return false;
  }
  spcc_set_output(g, n, 0, a->dtype, rank, dims);
  return true;
}

/* ---- Softmax --------------------------------------------------------------- */

bool spcc_shape_softmax(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  if (!check_inputs(g, n, 1, float_types, 2, d)) return false;
  const spcc_type *x = spcc_in_type(g, n, 0);
  const int64_t axis = spcc_attr_int(n, "axis", n->opset < 13 ? 1 : -1);
  if (axis < -x->rank || axis >= x->rank) {
    spcc_node_error(d, g, n, "axis %lld is out of range for rank %d", (long long)axis, x->rank);
    return false;
  }
  spcc_set_output(g, n, 0, x->dtype, x->rank, x->dims);
  return true;
}

/* ---- BatchNormalization ------------------------------------------------------ */

/* Outputs past Y: opset 14's running_mean and running_var in training mode;
 * before that, the training outputs mean, var, saved_mean and saved_var,
 * whose variance convention the older specs leave open. */
static bool batch_norm_outputs(spcc_graph *g, spcc_node *n, bool *training, spcc_diag *d) {
  bool extra = false;
  for (int k = 1; k < n->n_out; k++)
    if (n->out[k] >= 0) extra = true;
  *training = spcc_attr_int(n, "training_mode", 0) != 0;
  if (n->opset < 14) {
    if (extra || *training) {
      spcc_node_error(d, g, n, "unsupported: BatchNormalization training outputs before "
                               "opset 14 (only the inference form with one output)");
      return false;
    }
    return true;
  }
  if (n->n_out > 3) {
    spcc_node_error(d, g, n, "BatchNormalization has at most 3 outputs, got %d", n->n_out);
    return false;
  }
  if (extra && !*training) {
    spcc_node_error(d, g, n, "unsupported: outputs running_mean and running_var without "
                             "training_mode=1 (ONNX allows them only in training mode)");
    return false;
  }
  return true;
}

bool spcc_shape_batch_norm(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  bool training;
  if (!batch_norm_outputs(g, n, &training, d)) return false;
  /* Before opset 7, is_test=0 asked for training; an absent is_test is
   * taken as inference, the only reading that makes a one-output node
   * useful (exporters of inference models set or omit it). */
  const spcc_attr *is_test = spcc_node_attr(n, "is_test");
  if (n->opset < 7 && is_test && is_test->kind == SPCC_ATTR_INT && is_test->i == 0) {
    spcc_node_error(d, g, n, "unsupported: BatchNormalization in training mode (is_test=0)");
    return false;
  }
  /* Opset 15 allows scale/bias and mean/var of other float types than X. */
  const spcc_type *x = spcc_in_type(g, n, 0);
  for (int k = 1; x && k < 5; k++) {
    const spcc_type *t = spcc_in_type(g, n, k);
    if (t && t->dtype != x->dtype && n->opset >= 15) {
      spcc_node_error(d, g, n, "unsupported: input %d of element type %s with X of %s", k,
                      spcc_dtype_name(t->dtype), spcc_dtype_name(x->dtype));
      return false;
    }
  }
  if (!check_inputs(g, n, 5, float_types, 2, d)) return false;
  char s1[160], s2[160];
  if (x->rank < 2) {
    spcc_node_error(d, g, n, "BatchNormalization needs an input of rank >= 2 [N,C,...], got %s",
                    type_str(x, s1));
    return false;
  }
  /* Per-channel parameters [C]; before opset 9, spatial=0 gives one per
   * activation, [C, D1, ...] (or flattened). */
  int64_t per_act = 1;
  for (int r = 1; r < x->rank; r++) per_act *= x->dims[r];
  const bool spatial = n->opset >= 9 || spcc_attr_int(n, "spatial", 1) != 0;
  static const char *const names[] = {"scale", "B", "mean", "var"};
  for (int k = 1; k < 5; k++) {
    const spcc_type *t = spcc_in_type(g, n, k);
    const int64_t numel = spcc_type_numel(t);
    const bool ok = (numel == x->dims[1] && t->rank == 1) || (!spatial && numel == per_act);
    if (!ok) {
      spcc_node_error(d, g, n, "shape mismatch: %s %s does not match input %s%s", names[k - 1],
                      type_str(t, s2), type_str(x, s1), spatial ? "" : " (spatial=0)");
      return false;
    }
  }
  spcc_set_output(g, n, 0, x->dtype, x->rank, x->dims);
  if (training) { /* running_mean, running_var: [C], like input_mean and input_var */
    for (int k = 1; k < n->n_out; k++) {
      const spcc_type *t = spcc_in_type(g, n, k + 2);
      spcc_set_output(g, n, k, t->dtype, t->rank, t->dims);
    }
  }
  return true;
}
