/* unary.c - shape rules of the unary math and activation family: the
 * libm-style functions (Exp ... Erf), Abs, Neg, Sign, the parameterized
 * activations (Elu, Selu, Celu, HardSigmoid, ThresholdedRelu, Shrink),
 * HardSwish, Softplus, Softsign, IsInf, IsNaN, Not and PRelu.
 *
 * All but PRelu keep the input's shape; IsInf and IsNaN produce bool. The
 * element types accepted are exactly those rt/unary.h has kernels for, so
 * a model the runtime cannot run fails here with "unsupported element
 * type". Legacy attributes (consumed_inputs of opset 1) change nothing.
 * PRelu's slope broadcasts to X in one direction only (spcc_prelu_layout,
 * shared with the backend).
 */
#include <string.h>

#include "passes/passes.h"
#include "passes/shapes/elementwise.h"
#include "passes/shapes/unary.h"

#define DT_BIT(t) (1u << (unsigned)(t))
#define DT_FLOATS (DT_BIT(SPCC_DT_F32) | DT_BIT(SPCC_DT_F64))
#define DT_SIGNED \
  (DT_FLOATS | DT_BIT(SPCC_DT_I8) | DT_BIT(SPCC_DT_I16) | DT_BIT(SPCC_DT_I32) | DT_BIT(SPCC_DT_I64))
#define DT_NUMERIC \
  (DT_SIGNED | DT_BIT(SPCC_DT_U8) | DT_BIT(SPCC_DT_U16) | DT_BIT(SPCC_DT_U32) | DT_BIT(SPCC_DT_U64))
#define DT_BOOL DT_BIT(SPCC_DT_BOOL)

static bool float_attrs_ok(const spcc_graph *g, const spcc_node *n, spcc_diag *d) {
  static const char *const names[] = {"alpha", "beta", "gamma", "lambd", "bias"};
  for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
    const spcc_attr *a = spcc_node_attr(n, names[k]);
    if (a && a->kind != SPCC_ATTR_FLOAT && a->kind != SPCC_ATTR_INT) {
      spcc_node_error(d, g, n, "attribute '%s' must be a float", names[k]);
      return false;
    }
  }
  return true;
}

/* Output = input shape with element type out_dt (UNDEF: the input's). */
static bool unary(spcc_graph *g, spcc_node *n, unsigned allowed, spcc_dtype out_dt,
                  spcc_diag *d) {
  const spcc_type *t = spcc_in_type(g, n, 0);
  if (!t || n->n_out < 1) {
    spcc_node_error(d, g, n, "expects an input and an output");
    return false;
  }
  if (!(t->dtype < SPCC_DT_COUNT && (allowed & DT_BIT(t->dtype)))) {
    spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(t->dtype));
    return false;
  }
  if (!float_attrs_ok(g, n, d)) return false;
  spcc_set_output(g, n, 0, out_dt == SPCC_DT_UNDEF ? t->dtype : out_dt, t->rank, t->dims);
  return true;
}

#define SHAPE(fn, allowed, out_dt)                                     \
  bool spcc_shape_##fn(spcc_graph *g, spcc_node *n, spcc_diag *d) {    \
    return unary(g, n, allowed, out_dt, d);                            \
  }
#define SHAPE_FLOAT(E, fn) SHAPE(fn, DT_FLOATS, SPCC_DT_UNDEF)
#define SHAPE_NUMERIC(E, fn) SHAPE(fn, DT_NUMERIC, SPCC_DT_UNDEF)
#define SHAPE_SIGNED(E, fn) SHAPE(fn, DT_SIGNED, SPCC_DT_UNDEF)
SPCC_RT_UNARY_FLOAT_OPS(SHAPE_FLOAT)
SPCC_RT_UNARY_NUMERIC_OPS(SHAPE_NUMERIC)
SPCC_RT_UNARY_SIGNED_OPS(SHAPE_SIGNED)
SPCC_RT_UNARY_PARAM_OPS(SHAPE_FLOAT)
SHAPE(is_nan, DT_FLOATS, SPCC_DT_BOOL)
SHAPE(not, DT_BOOL, SPCC_DT_UNDEF)

bool spcc_shape_is_inf(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  static const char *const names[2] = {"detect_positive", "detect_negative"};
  for (int k = 0; k < 2; k++) {
    int64_t v = spcc_attr_int(n, names[k], 1);
    if (v != 0 && v != 1) {
      spcc_node_error(d, g, n, "attribute '%s' must be 0 or 1, got %lld", names[k],
                      (long long)v);
      return false;
    }
  }
  return unary(g, n, DT_FLOATS, SPCC_DT_BOOL, d);
}

bool spcc_prelu_layout(const spcc_graph *g, const spcc_node *n, int *rank, int64_t *x_dims,
                       int64_t *slope_dims, spcc_diag *d) {
  const spcc_type *tx = spcc_in_type(g, n, 0), *ts = spcc_in_type(g, n, 1);
  char sx[160], ss[160];
  if (!tx || !ts) {
    spcc_node_error(d, g, n, "expects inputs X and slope");
    return false;
  }
  spcc_type_str(tx, sx, sizeof sx);
  spcc_type_str(ts, ss, sizeof ss);
  *rank = tx->rank;
  for (int k = 0; k < tx->rank; k++) x_dims[k] = tx->dims[k];
  /* PRelu-1/6: a 1-D slope of X's channel count applies per channel (axis
   * 1), which is what exporters of that era meant by it. */
  if (n->opset < 7 && ts->rank == 1 && tx->rank >= 2 && ts->dims[0] == tx->dims[1] &&
      ts->dims[0] != 1) {
    for (int k = 0; k < tx->rank; k++) slope_dims[k] = k == 1 ? ts->dims[0] : 1;
    return true;
  }
  /* Otherwise numpy broadcasting restricted to slope -> X: the common
   * broadcast rule (opset >= 7 form) must give back X's shape. */
  spcc_node tmp = *n;
  if (tmp.opset < 7) tmp.opset = 7;
  int r;
  int64_t y[SPCC_MAX_RANK], a[SPCC_MAX_RANK];
  if (ts->rank > tx->rank || !spcc_elem_broadcast(g, &tmp, &r, y, a, slope_dims, d)) {
    if (ts->rank > tx->rank)
      spcc_node_error(d, g, n, "shape mismatch: slope %s does not broadcast to X %s", ss, sx);
    return false;
  }
  for (int k = 0; k < r; k++) {
    if (y[k] != x_dims[k]) {
      spcc_node_error(d, g, n, "shape mismatch: slope %s does not broadcast to X %s", ss, sx);
      return false;
    }
  }
  return true;
}

bool spcc_shape_prelu(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *tx = spcc_in_type(g, n, 0), *ts = spcc_in_type(g, n, 1);
  if (!tx || !ts || n->n_out < 1) {
    spcc_node_error(d, g, n, "expects inputs X and slope and an output");
    return false;
  }
  if (!(tx->dtype < SPCC_DT_COUNT && (DT_FLOATS & DT_BIT(tx->dtype)))) {
    spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(tx->dtype));
    return false;
  }
  if (ts->dtype != tx->dtype) {
    spcc_node_error(d, g, n, "input element types differ: %s and %s",
                    spcc_dtype_name(tx->dtype), spcc_dtype_name(ts->dtype));
    return false;
  }
  int r;
  int64_t xd[SPCC_MAX_RANK], sd[SPCC_MAX_RANK];
  if (!spcc_prelu_layout(g, n, &r, xd, sd, d)) return false;
  spcc_set_output(g, n, 0, tx->dtype, tx->rank, tx->dims);
  return true;
}
