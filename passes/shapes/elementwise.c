/* elementwise.c - shape rules of the elementwise family: Add, Sub, Mul, Div
 * (broadcasting), Relu, LeakyRelu, Sigmoid, Tanh, Clip, Identity.
 *
 * Each rule checks the element type against what the runtime implements
 * (rt/elementwise.h) and the attributes against the node's opset, then sets
 * the output type. The broadcast rule lives here too (spcc_elem_broadcast)
 * because the backend must line the operands up exactly as the shape rule
 * did, including the legacy opset < 7 `broadcast`/`axis` form.
 */
#include <string.h>

#include "passes/passes.h"
#include "passes/shapes/elementwise.h"

#define DT_BIT(t) (1u << (unsigned)(t))
#define DT_FLOATS (DT_BIT(SPCC_DT_F32) | DT_BIT(SPCC_DT_F64))
#define DT_SIGNED \
  (DT_BIT(SPCC_DT_I8) | DT_BIT(SPCC_DT_I16) | DT_BIT(SPCC_DT_I32) | DT_BIT(SPCC_DT_I64))
#define DT_UNSIGNED \
  (DT_BIT(SPCC_DT_U8) | DT_BIT(SPCC_DT_U16) | DT_BIT(SPCC_DT_U32) | DT_BIT(SPCC_DT_U64))
#define DT_NUMERIC (DT_FLOATS | DT_SIGNED | DT_UNSIGNED)

static bool check_dtype(const spcc_graph *g, const spcc_node *n, spcc_dtype dt, unsigned allowed,
                        spcc_diag *d) {
  if (dt < SPCC_DT_COUNT && (allowed & DT_BIT(dt))) return true;
  spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(dt));
  return false;
}

/* The data input (input 0) and an output to write; reports their absence. */
static const spcc_type *data_input(const spcc_graph *g, const spcc_node *n, spcc_diag *d) {
  const spcc_type *t = spcc_in_type(g, n, 0);
  if (!t || n->n_out < 1) {
    spcc_node_error(d, g, n, "expects an input and an output");
    return NULL;
  }
  return t;
}

static bool same_shape(const spcc_type *a, const spcc_type *b) {
  if (a->rank != b->rank) return false;
  for (int k = 0; k < a->rank; k++)
    if (a->dims[k] != b->dims[k]) return false;
  return true;
}

bool spcc_elem_broadcast(const spcc_graph *g, const spcc_node *n, int *rank, int64_t *y_dims,
                         int64_t *a_dims, int64_t *b_dims, spcc_diag *d) {
  const spcc_type *ta = spcc_in_type(g, n, 0), *tb = spcc_in_type(g, n, 1);
  char sa[160], sb[160];
  if (!ta || !tb) {
    spcc_node_error(d, g, n, "expects two inputs");
    return false;
  }
  spcc_type_str(ta, sa, sizeof sa);
  spcc_type_str(tb, sb, sizeof sb);

  if (n->opset < 7) {
    /* Add-1/Add-6 and friends: no implicit broadcasting; with broadcast=1
     * b is broadcast to a, its dims starting at `axis`. */
    int64_t bc = spcc_attr_int(n, "broadcast", 0);
    if (bc != 0 && bc != 1) {
      spcc_node_error(d, g, n, "attribute 'broadcast' must be 0 or 1, got %lld", (long long)bc);
      return false;
    }
    int r = ta->rank;
    for (int k = 0; k < r; k++) a_dims[k] = y_dims[k] = ta->dims[k];
    *rank = r;
    if (!bc) {
      if (!same_shape(ta, tb)) {
        spcc_node_error(d, g, n,
                        "shape mismatch: %s vs %s (opset %d broadcasts only with broadcast=1)",
                        sa, sb, n->opset);
        return false;
      }
      for (int k = 0; k < r; k++) b_dims[k] = tb->dims[k];
      return true;
    }
    int64_t axis = spcc_attr_int(n, "axis", (int64_t)r - tb->rank);
    if (tb->rank > r || axis < 0 || axis + tb->rank > r) {
      spcc_node_error(d, g, n, "shape mismatch: cannot place %s at axis %lld of %s", sb,
                      (long long)axis, sa);
      return false;
    }
    for (int k = 0; k < r; k++) b_dims[k] = 1;
    for (int k = 0; k < tb->rank; k++) b_dims[axis + k] = tb->dims[k];
    for (int k = 0; k < r; k++) {
      if (b_dims[k] != 1 && b_dims[k] != a_dims[k]) {
        spcc_node_error(d, g, n, "shape mismatch: cannot broadcast %s to %s at axis %lld", sb,
                        sa, (long long)axis);
        return false;
      }
    }
    return true;
  }

  int r = ta->rank > tb->rank ? ta->rank : tb->rank;
  int pa = r - ta->rank, pb = r - tb->rank;
  *rank = r;
  for (int k = 0; k < r; k++) {
    int64_t da = k < pa ? 1 : ta->dims[k - pa];
    int64_t db = k < pb ? 1 : tb->dims[k - pb];
    if (da != db && da != 1 && db != 1) {
      spcc_node_error(d, g, n, "shape mismatch: cannot broadcast %s with %s", sa, sb);
      return false;
    }
    a_dims[k] = da;
    b_dims[k] = db;
    y_dims[k] = da == 1 ? db : da; /* a 1 against a 0 gives 0 */
  }
  return true;
}

static bool binary(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *ta = spcc_in_type(g, n, 0), *tb = spcc_in_type(g, n, 1);
  if (!ta || !tb || n->n_out < 1) {
    spcc_node_error(d, g, n, "expects two inputs and an output");
    return false;
  }
  if (ta->dtype != tb->dtype) {
    spcc_node_error(d, g, n, "input element types differ: %s and %s", spcc_dtype_name(ta->dtype),
                    spcc_dtype_name(tb->dtype));
    return false;
  }
  if (!check_dtype(g, n, ta->dtype, DT_NUMERIC, d)) return false;
  int r;
  int64_t y[SPCC_MAX_RANK], a[SPCC_MAX_RANK], b[SPCC_MAX_RANK];
  if (!spcc_elem_broadcast(g, n, &r, y, a, b, d)) return false;
  spcc_set_output(g, n, 0, ta->dtype, r, y);
  return true;
}

bool spcc_shape_add(spcc_graph *g, spcc_node *n, spcc_diag *d) { return binary(g, n, d); }
bool spcc_shape_sub(spcc_graph *g, spcc_node *n, spcc_diag *d) { return binary(g, n, d); }
bool spcc_shape_mul(spcc_graph *g, spcc_node *n, spcc_diag *d) { return binary(g, n, d); }
bool spcc_shape_div(spcc_graph *g, spcc_node *n, spcc_diag *d) { return binary(g, n, d); }

/* Output type = input type, for the element types in `allowed`. Legacy
 * attributes (consumed_inputs of opset 1, is_test) change nothing here. */
static bool unary(spcc_graph *g, spcc_node *n, unsigned allowed, spcc_diag *d) {
  const spcc_type *t = data_input(g, n, d);
  if (!t || !check_dtype(g, n, t->dtype, allowed, d)) return false;
  spcc_set_output(g, n, 0, t->dtype, t->rank, t->dims);
  return true;
}

bool spcc_shape_relu(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return unary(g, n, DT_FLOATS | DT_SIGNED, d);
}

bool spcc_shape_leaky_relu(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_attr *a = spcc_node_attr(n, "alpha");
  if (a && a->kind != SPCC_ATTR_FLOAT && a->kind != SPCC_ATTR_INT) {
    spcc_node_error(d, g, n, "attribute 'alpha' must be a float");
    return false;
  }
  return unary(g, n, DT_FLOATS, d);
}

bool spcc_shape_sigmoid(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return unary(g, n, DT_FLOATS, d);
}

bool spcc_shape_tanh(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return unary(g, n, DT_FLOATS, d);
}

bool spcc_shape_identity(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return unary(g, n, DT_NUMERIC | DT_BIT(SPCC_DT_BOOL), d);
}

/* Clip: opset < 11 takes float attributes min/max; from opset 11 the bounds
 * are optional scalar inputs of x's type (omitted, or a runtime value the
 * kernel reads through a pointer). A bound with zero elements counts as
 * omitted. */
bool spcc_shape_clip(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *t = data_input(g, n, d);
  if (!t) return false;
  if (n->opset < 11) {
    for (int k = 1; k < n->n_in; k++) {
      if (n->in[k] >= 0) {
        spcc_node_error(d, g, n, "opset %d Clip takes min/max as attributes, not inputs",
                        n->opset);
        return false;
      }
    }
    static const char *const names[2] = {"min", "max"};
    for (int k = 0; k < 2; k++) {
      const spcc_attr *a = spcc_node_attr(n, names[k]);
      if (a && a->kind != SPCC_ATTR_FLOAT && a->kind != SPCC_ATTR_INT) {
        spcc_node_error(d, g, n, "attribute '%s' must be a float", names[k]);
        return false;
      }
    }
    if (!check_dtype(g, n, t->dtype, DT_FLOATS, d)) return false;
  } else {
    if (n->n_in > 3) {
      spcc_node_error(d, g, n, "expects at most 3 inputs, got %d", n->n_in);
      return false;
    }
    if (!check_dtype(g, n, t->dtype, DT_NUMERIC, d)) return false;
    for (int k = 1; k < 3; k++) {
      const spcc_type *tb = spcc_in_type(g, n, k);
      if (!tb) continue;
      const char *what = k == 1 ? "min" : "max";
      if (tb->dtype != t->dtype) {
        spcc_node_error(d, g, n, "'%s' has element type %s, expected %s", what,
                        spcc_dtype_name(tb->dtype), spcc_dtype_name(t->dtype));
        return false;
      }
      if (spcc_type_numel(tb) > 1) {
        char buf[160];
        spcc_node_error(d, g, n, "'%s' must be a scalar, got %s", what,
                        spcc_type_str(tb, buf, sizeof buf));
        return false;
      }
    }
  }
  spcc_set_output(g, n, 0, t->dtype, t->rank, t->dims);
  return true;
}
