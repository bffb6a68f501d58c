/* reduce.c - shape rules for the reductions (ReduceSum ... ReduceSumSquare,
 * ArgMax, ArgMin), LogSoftmax, Hardmax and MeanVarianceNormalization.
 *
 * The reduced axes come from the `axes` attribute or, for ReduceSum from
 * opset 13 (all Reduce* from opset 18), from the `axes` input, which must
 * then be a compile-time constant because it decides the output shape.
 * Empty axes reduce everything unless noop_with_empty_axes is set. The
 * backend (backend/c/reduce.c) reads the axes with the same function.
 */
#include <stdio.h>
#include <string.h>

#include "passes/passes.h"
#include "passes/shapes/reduce_axes.h"

static bool is_float(spcc_dtype t) { return t == SPCC_DT_F32 || t == SPCC_DT_F64; }

static bool is_numeric(spcc_dtype t) {
  return t != SPCC_DT_UNDEF && t != SPCC_DT_BOOL && t < SPCC_DT_COUNT;
}

static bool have_input(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  if (!spcc_in_type(g, n, 0)) {
    spcc_node_error(d, g, n, "input 0 is required");
    return false;
  }
  if (n->n_out < 1 || n->out[0] < 0) {
    spcc_node_error(d, g, n, "output 0 is required");
    return false;
  }
  return true;
}

static bool bad_dtype(spcc_graph *g, spcc_node *n, spcc_dtype t, spcc_diag *d) {
  spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(t));
  return false;
}

/* Normalizes axis a into [0, rank) or reports it. */
static bool norm_axis(const spcc_graph *g, const spcc_node *n, int64_t a, int rank, int64_t *out,
                      spcc_diag *d) {
  if (a < -rank || a >= (rank > 0 ? rank : 1)) {
    spcc_node_error(d, g, n, "axis %lld is out of range for rank %d", (long long)a, rank);
    return false;
  }
  *out = a < 0 ? a + rank : a;
  return true;
}

bool spcc_reduce_axes_mask(const spcc_graph *g, const spcc_node *n, bool *red, spcc_diag *d) {
  const spcc_type *x = spcc_in_type(g, n, 0);
  const int rank = x->rank;
  int64_t buf[SPCC_MAX_RANK];
  const int64_t *axes = NULL;
  int n_axes = 0;
  const int axes_vid = spcc_node_in(n, 1);
  if (n->op == SPCC_OP_MVN) {
    static const int64_t mvn_default[] = {0, 2, 3};
    axes = spcc_attr_ints(n, "axes", &n_axes);
    if (!spcc_node_attr(n, "axes")) {
      axes = mvn_default;
      n_axes = 3;
    }
  } else if (axes_vid >= 0) {
    const spcc_type *t = &g->values[axes_vid].type;
    const void *data = spcc_value_data(g, axes_vid);
    if (!data) {
      spcc_node_error(d, g, n, "unsupported: input 'axes' must be a compile-time constant "
                               "(use --bind)");
      return false;
    }
    if (t->dtype != SPCC_DT_I64 && t->dtype != SPCC_DT_I32) {
      spcc_node_error(d, g, n, "input 'axes' must be int64, got %s", spcc_dtype_name(t->dtype));
      return false;
    }
    const int64_t numel = spcc_type_numel(t);
    if (numel > SPCC_MAX_RANK) {
      spcc_node_error(d, g, n, "input 'axes' has %lld elements, more than the rank %d",
                      (long long)numel, rank);
      return false;
    }
    for (int64_t i = 0; i < numel; i++)
      buf[i] = t->dtype == SPCC_DT_I64 ? ((const int64_t *)data)[i]
                                       : ((const int32_t *)data)[i];
    axes = buf;
    n_axes = (int)numel;
  } else {
    axes = spcc_attr_ints(n, "axes", &n_axes);
  }
  for (int r = 0; r < SPCC_MAX_RANK; r++) red[r] = false;
  if (n_axes == 0) {
    const bool noop = n->op != SPCC_OP_MVN && spcc_attr_int(n, "noop_with_empty_axes", 0) != 0;
    for (int r = 0; r < rank; r++) red[r] = !noop;
    return true;
  }
  for (int i = 0; i < n_axes; i++) {
    int64_t a;
    if (!norm_axis(g, n, axes[i], rank, &a, d)) return false;
    if (rank == 0) continue; /* a scalar: axis 0 or -1 reduces nothing */
    if (red[a]) {
      spcc_node_error(d, g, n, "axis %lld is repeated in 'axes'", (long long)axes[i]);
      return false;
    }
    red[a] = true;
  }
  return true;
}

/* The output of a reduction over red[] of x, keepdims or not. */
static void reduced_shape(const spcc_type *x, const bool *red, bool keepdims, int *rank,
                          int64_t *dims) {
  *rank = 0;
  for (int r = 0; r < x->rank; r++) {
    if (!red[r]) dims[(*rank)++] = x->dims[r];
    else if (keepdims) dims[(*rank)++] = 1;
  }
}

static bool shape_reduce(spcc_graph *g, spcc_node *n, bool ints_ok, spcc_diag *d) {
  if (!have_input(g, n, d)) return false;
  const spcc_type *x = spcc_in_type(g, n, 0);
  if (!(is_float(x->dtype) || (ints_ok && is_numeric(x->dtype))))
    return bad_dtype(g, n, x->dtype, d);
  bool red[SPCC_MAX_RANK];
  if (!spcc_reduce_axes_mask(g, n, red, d)) return false;
  int rank;
  int64_t dims[SPCC_MAX_RANK];
  reduced_shape(x, red, spcc_attr_int(n, "keepdims", 1) != 0, &rank, dims);
  spcc_set_output(g, n, 0, x->dtype, rank, dims);
  return true;
}

bool spcc_shape_reduce_sum(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return shape_reduce(g, n, true, d);
}
bool spcc_shape_reduce_mean(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return shape_reduce(g, n, true, d);
}
bool spcc_shape_reduce_max(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return shape_reduce(g, n, true, d);
}
bool spcc_shape_reduce_min(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return shape_reduce(g, n, true, d);
}
bool spcc_shape_reduce_prod(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return shape_reduce(g, n, true, d);
}
bool spcc_shape_reduce_l1(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return shape_reduce(g, n, true, d);
}
bool spcc_shape_reduce_sum_square(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return shape_reduce(g, n, true, d);
}
bool spcc_shape_reduce_l2(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return shape_reduce(g, n, false, d);
}
bool spcc_shape_reduce_log_sum(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return shape_reduce(g, n, false, d);
}
bool spcc_shape_reduce_log_sum_exp(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return shape_reduce(g, n, false, d);
}

/* ---- ArgMax / ArgMin --------------------------------------------------------- */

static bool shape_arg(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  if (!have_input(g, n, d)) return false;
  const spcc_type *x = spcc_in_type(g, n, 0);
  if (!is_numeric(x->dtype)) return bad_dtype(g, n, x->dtype, d);
  if (x->rank < 1) {
    spcc_node_error(d, g, n, "input must have rank >= 1");
    return false;
  }
  int64_t axis;
  if (!norm_axis(g, n, spcc_attr_int(n, "axis", 0), x->rank, &axis, d)) return false;
  bool red[SPCC_MAX_RANK] = {false};
  red[axis] = true;
  int rank;
  int64_t dims[SPCC_MAX_RANK];
  reduced_shape(x, red, spcc_attr_int(n, "keepdims", 1) != 0, &rank, dims);
  spcc_set_output(g, n, 0, SPCC_DT_I64, rank, dims);
  return true;
}

bool spcc_shape_arg_max(spcc_graph *g, spcc_node *n, spcc_diag *d) { return shape_arg(g, n, d); }
bool spcc_shape_arg_min(spcc_graph *g, spcc_node *n, spcc_diag *d) { return shape_arg(g, n, d); }

/* ---- LogSoftmax / Hardmax ---------------------------------------------------- */

static bool shape_axis_op(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  if (!have_input(g, n, d)) return false;
  const spcc_type *x = spcc_in_type(g, n, 0);
  if (!is_float(x->dtype)) return bad_dtype(g, n, x->dtype, d);
  int64_t axis;
  const int64_t a = spcc_attr_int(n, "axis", n->opset < 13 ? 1 : -1);
  /* Before opset 13 the input is coerced to 2-D at axis, so axis == rank
   * is allowed (everything in the outer part). */
  if (n->opset < 13 && a == x->rank) axis = a;
  else if (!norm_axis(g, n, a, x->rank, &axis, d)) return false;
  spcc_set_output(g, n, 0, x->dtype, x->rank, x->dims);
  return true;
}

bool spcc_shape_log_softmax(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return shape_axis_op(g, n, d);
}
bool spcc_shape_hardmax(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return shape_axis_op(g, n, d);
}

/* ---- MeanVarianceNormalization ------------------------------------------------ */

bool spcc_shape_mvn(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  if (!have_input(g, n, d)) return false;
  const spcc_type *x = spcc_in_type(g, n, 0);
  if (!is_float(x->dtype)) return bad_dtype(g, n, x->dtype, d);
  bool red[SPCC_MAX_RANK];
  if (!spcc_reduce_axes_mask(g, n, red, d)) return false;
  spcc_set_output(g, n, 0, x->dtype, x->rank, x->dims);
  return true;
}
