/* layout.c - shape rules of the data layout and construction ops: Pad,
 * DepthToSpace, SpaceToDepth, Range, CumSum, Trilu, EyeLike, OneHot, TopK,
 * Compress, NonZero, Scatter / ScatterElements / ScatterND,
 * ReverseSequence (Resize and Upsample are in resize.c).
 *
 * Several of these ops have outputs whose shape depends on an input's
 * value (Pad's pads, TopK's k, OneHot's depth, Range, Compress's condition,
 * NonZero): those inputs must be compile-time constants, and the rule says
 * so with "must be a compile-time constant" so the driver can --bind them.
 * The helpers at the top are shared with backend/c/layout.c (layout.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "passes/passes.h"
#include "passes/shapes/layout.h"

bool spcc_layout_const_ints(const spcc_graph *g, const spcc_node *n, int k, int64_t *out,
                            int max, int *count) {
  const int vid = spcc_node_in(n, k);
  if (vid < 0) return false;
  const spcc_type *t = &g->values[vid].type;
  const void *p = spcc_value_data(g, vid);
  const int64_t numel = spcc_type_numel(t);
  if (!p || numel < 0 || numel > max) return false;
  for (int64_t i = 0; i < numel; i++) {
    switch (t->dtype) {
    case SPCC_DT_I8: out[i] = ((const int8_t *)p)[i]; break;
    case SPCC_DT_I16: out[i] = ((const int16_t *)p)[i]; break;
    case SPCC_DT_I32: out[i] = ((const int32_t *)p)[i]; break;
    case SPCC_DT_I64: out[i] = ((const int64_t *)p)[i]; break;
    case SPCC_DT_U8: case SPCC_DT_BOOL: out[i] = ((const uint8_t *)p)[i]; break;
    case SPCC_DT_U16: out[i] = ((const uint16_t *)p)[i]; break;
    case SPCC_DT_U32: out[i] = ((const uint32_t *)p)[i]; break;
    case SPCC_DT_U64: out[i] = (int64_t)((const uint64_t *)p)[i]; break;
    case SPCC_DT_F32: {
      const float v = ((const float *)p)[i];
      if (!(fabsf(v) < 9e18f)) return false;
      out[i] = (int64_t)v;
      break;
    }
    case SPCC_DT_F64: {
      const double v = ((const double *)p)[i];
      if (!(fabs(v) < 9e18)) return false;
      out[i] = (int64_t)v;
      break;
    }
    default: return false;
    }
  }
  *count = (int)numel;
  return true;
}

int spcc_layout_axis(int64_t axis, int rank) {
  if (axis < -rank || axis >= rank) return -1;
  return (int)(axis < 0 ? axis + rank : axis);
}

bool spcc_layout_pads(const spcc_graph *g, const spcc_node *n, int rank, int64_t *pads) {
  int cnt = 0;
  if (n->opset < 11) {
    const int64_t *a = spcc_attr_ints(n, "pads", &cnt);
    if (!a) a = spcc_attr_ints(n, "paddings", &cnt);
    if (!a || cnt != 2 * rank) return false;
    memcpy(pads, a, sizeof(int64_t) * (size_t)cnt);
    return true;
  }
  if (n->opset < 18 || spcc_node_in(n, 3) < 0)
    return spcc_layout_const_ints(g, n, 1, pads, 2 * SPCC_MAX_RANK, &cnt) && cnt == 2 * rank;
  /* Opset 18: pads for the listed axes only (begins, then ends); the
   * others get 0. The shape rule checked the axes. */
  int64_t axes[SPCC_MAX_RANK], given[2 * SPCC_MAX_RANK];
  int n_axes = 0;
  if (!spcc_layout_const_ints(g, n, 3, axes, SPCC_MAX_RANK, &n_axes) ||
      !spcc_layout_const_ints(g, n, 1, given, 2 * SPCC_MAX_RANK, &cnt) || cnt != 2 * n_axes)
    return false;
  memset(pads, 0, sizeof(int64_t) * 2 * (size_t)rank);
  for (int i = 0; i < n_axes; i++) {
    int64_t a = axes[i] < 0 ? axes[i] + rank : axes[i];
    if (a < 0 || a >= rank) return false;
    pads[a] = given[i];
    pads[a + rank] = given[i + n_axes];
  }
  return true;
}

/* ---- common checks ------------------------------------------------------------ */

static bool out_k(spcc_graph *g, spcc_node *n, int k, spcc_diag *d) {
  if (n->n_out <= k || n->out[k] < 0) {
    spcc_node_error(d, g, n, "output %d is required", k);
    return false;
  }
  return true;
}

/* Input k, required, of a dtype in the mask (bit per spcc_dtype; 0 = any). */
static const spcc_type *need(spcc_graph *g, spcc_node *n, int k, unsigned mask, spcc_diag *d) {
  const spcc_type *t = spcc_in_type(g, n, k);
  if (!t) {
    spcc_node_error(d, g, n, "input %d is required", k);
    return NULL;
  }
  if (spcc_dtype_size(t->dtype) == 0 || (mask && !(mask & (1u << t->dtype)))) {
    spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(t->dtype));
    return NULL;
  }
  return t;
}

#define BIT(x) (1u << SPCC_DT_##x)
#define INDEX_TYPES (BIT(I32) | BIT(I64))

static bool not_const(spcc_graph *g, spcc_node *n, const char *what, spcc_diag *d) {
  spcc_node_error(d, g, n, "unsupported: input '%s' must be a compile-time constant (use --bind)",
                  what);
  return false;
}

/* ---- Pad ------------------------------------------------------------------------ */

bool spcc_shape_pad(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need(g, n, 0, 0, d);
  if (!x || !out_k(g, n, 0, d)) return false;
  const char *mode = spcc_attr_string(n, "mode", "constant");
  if (strcmp(mode, "constant") && strcmp(mode, "reflect") && strcmp(mode, "edge")) {
    spcc_node_error(d, g, n, "unsupported attribute 'mode' value '%s'", mode);
    return false;
  }
  if (x->rank < 1) {
    spcc_node_error(d, g, n, "input must have rank >= 1");
    return false;
  }
  if (n->opset >= 18 && spcc_node_in(n, 3) >= 0) { /* axes: constant, in range, distinct */
    int64_t axes[SPCC_MAX_RANK];
    int cnt = 0;
    if (!spcc_value_data(g, n->in[3])) return not_const(g, n, "axes", d);
    if (!spcc_layout_const_ints(g, n, 3, axes, SPCC_MAX_RANK, &cnt)) {
      spcc_node_error(d, g, n, "'axes' must hold at most %d int64 values", x->rank);
      return false;
    }
    bool seen[SPCC_MAX_RANK] = {false};
    for (int i = 0; i < cnt; i++) {
      int64_t a = axes[i] < 0 ? axes[i] + x->rank : axes[i];
      if (a < 0 || a >= x->rank || seen[a]) {
        spcc_node_error(d, g, n, "'axes' value %lld is out of range or repeated",
                        (long long)axes[i]);
        return false;
      }
      seen[a] = true;
    }
  }
  int64_t pads[2 * SPCC_MAX_RANK];
  if (!spcc_layout_pads(g, n, x->rank, pads)) {
    if (n->opset >= 11 && spcc_node_in(n, 1) >= 0 && !spcc_value_data(g, n->in[1]))
      return not_const(g, n, "pads", d);
    spcc_node_error(d, g, n, "'pads' must hold 2 values per padded axis");
    return false;
  }
  if (n->opset >= 11) {
    const spcc_type *v = spcc_in_type(g, n, 2);
    if (v && (v->dtype != x->dtype || spcc_type_numel(v) != 1)) {
      spcc_node_error(d, g, n, "'constant_value' must be one element of the input's type");
      return false;
    }
  }
  int64_t dims[SPCC_MAX_RANK];
  for (int r = 0; r < x->rank; r++) {
    dims[r] = x->dims[r] + pads[r] + pads[r + x->rank];
    if (dims[r] < 0) {
      spcc_node_error(d, g, n, "impossible shape: pads make axis %d negative", r);
      return false;
    }
    if (strcmp(mode, "constant") && x->dims[r] == 0 && dims[r] > 0) {
      spcc_node_error(d, g, n, "cannot pad an empty axis in mode '%s'", mode);
      return false;
    }
  }
  spcc_set_output(g, n, 0, x->dtype, x->rank, dims);
  return true;
}

/* ---- DepthToSpace / SpaceToDepth ----------------------------------------------- */

static bool block_rule(spcc_graph *g, spcc_node *n, bool to_space, spcc_diag *d) {
  const spcc_type *x = need(g, n, 0, 0, d);
  if (!x || !out_k(g, n, 0, d)) return false;
  const int64_t b = spcc_attr_int(n, "blocksize", 0);
  if (x->rank != 4 || b <= 0) {
    spcc_node_error(d, g, n, "needs a rank-4 input and blocksize > 0");
    return false;
  }
  const char *mode = spcc_attr_string(n, "mode", "DCR");
  if (to_space && strcmp(mode, "DCR") && strcmp(mode, "CRD")) {
    spcc_node_error(d, g, n, "unsupported attribute 'mode' value '%s'", mode);
    return false;
  }
  int64_t dims[4] = {x->dims[0], 0, 0, 0};
  if (to_space) {
    if (x->dims[1] % (b * b)) {
      spcc_node_error(d, g, n, "shape mismatch: channels %lld not divisible by blocksize^2",
                      (long long)x->dims[1]);
      return false;
    }
    dims[1] = x->dims[1] / (b * b);
    dims[2] = x->dims[2] * b;
    dims[3] = x->dims[3] * b;
  } else {
    if (x->dims[2] % b || x->dims[3] % b) {
      spcc_node_error(d, g, n, "shape mismatch: H and W must be divisible by blocksize");
      return false;
    }
    dims[1] = x->dims[1] * b * b;
    dims[2] = x->dims[2] / b;
    dims[3] = x->dims[3] / b;
  }
  spcc_set_output(g, n, 0, x->dtype, 4, dims);
  return true;
}

bool spcc_shape_depth_to_space(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return block_rule(g, n, true, d);
}

bool spcc_shape_space_to_depth(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return block_rule(g, n, false, d);
}

/* ---- Range -------------------------------------------------------------------- */

bool spcc_shape_range(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const unsigned mask = BIT(F32) | BIT(F64) | BIT(I16) | BIT(I32) | BIT(I64);
  const spcc_type *t[3];
  for (int k = 0; k < 3; k++) {
    if (!(t[k] = need(g, n, k, mask, d))) return false;
    if (t[k]->dtype != t[0]->dtype || spcc_type_numel(t[k]) != 1) {
      spcc_node_error(d, g, n, "inputs must be scalars of one type");
      return false;
    }
  }
  if (!out_k(g, n, 0, d)) return false;
  double v[3];
  for (int k = 0; k < 3; k++) {
    const void *p = spcc_value_data(g, n->in[k]);
    if (!p) return not_const(g, n, k == 0 ? "start" : k == 1 ? "limit" : "delta", d);
    switch (t[0]->dtype) {
    case SPCC_DT_F32: v[k] = ((const float *)p)[0]; break;
    case SPCC_DT_F64: v[k] = ((const double *)p)[0]; break;
    case SPCC_DT_I16: v[k] = ((const int16_t *)p)[0]; break;
    case SPCC_DT_I32: v[k] = ((const int32_t *)p)[0]; break;
    default: v[k] = (double)((const int64_t *)p)[0]; break;
    }
  }
  if (v[2] == 0) {
    spcc_node_error(d, g, n, "'delta' is zero");
    return false;
  }
  double cnt = ceil((v[1] - v[0]) / v[2]);
  if (!(cnt >= 0)) cnt = 0;
  if (cnt > 1e9) {
    spcc_node_error(d, g, n, "unsupported: range of %g elements", cnt);
    return false;
  }
  const int64_t dims[1] = {(int64_t)cnt};
  spcc_set_output(g, n, 0, t[0]->dtype, 1, dims);
  return true;
}

/* ---- CumSum -------------------------------------------------------------------- */

bool spcc_shape_cumsum(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x =
      need(g, n, 0, BIT(F32) | BIT(F64) | BIT(I32) | BIT(I64) | BIT(U32) | BIT(U64), d);
  if (!x || !out_k(g, n, 0, d) || !need(g, n, 1, INDEX_TYPES, d)) return false;
  int64_t axis;
  int cnt;
  if (!spcc_layout_const_ints(g, n, 1, &axis, 1, &cnt) || cnt != 1) {
    if (!spcc_value_data(g, n->in[1])) return not_const(g, n, "axis", d);
    spcc_node_error(d, g, n, "'axis' must be a scalar");
    return false;
  }
  if (spcc_layout_axis(axis, x->rank) < 0) {
    spcc_node_error(d, g, n, "axis %lld is out of range for rank %d", (long long)axis, x->rank);
    return false;
  }
  spcc_set_output(g, n, 0, x->dtype, x->rank, x->dims);
  return true;
}

/* ---- Trilu / EyeLike ------------------------------------------------------------- */

bool spcc_shape_trilu(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need(g, n, 0, 0, d);
  if (!x || !out_k(g, n, 0, d)) return false;
  if (x->rank < 2) {
    spcc_node_error(d, g, n, "input must have rank >= 2");
    return false;
  }
  const spcc_type *k = spcc_in_type(g, n, 1);
  if (k && (k->dtype != SPCC_DT_I64 || spcc_type_numel(k) != 1)) {
    spcc_node_error(d, g, n, "'k' must be an int64 scalar");
    return false;
  }
  spcc_set_output(g, n, 0, x->dtype, x->rank, x->dims);
  return true;
}

bool spcc_shape_eye_like(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need(g, n, 0, 0, d);
  if (!x || !out_k(g, n, 0, d)) return false;
  if (x->rank != 2) {
    spcc_node_error(d, g, n, "input must have rank 2");
    return false;
  }
  spcc_dtype dt = x->dtype;
  const spcc_attr *a = spcc_node_attr(n, "dtype");
  if (a) {
    dt = spcc_dtype_from_onnx((int)a->i);
    if (dt == SPCC_DT_UNDEF) {
      spcc_node_error(d, g, n, "unsupported element type %s", spcc_onnx_type_name((int)a->i));
      return false;
    }
  }
  spcc_set_output(g, n, 0, dt, 2, x->dims);
  return true;
}

/* ---- OneHot --------------------------------------------------------------------- */

bool spcc_shape_one_hot(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *ix = need(g, n, 0, INDEX_TYPES | BIT(F32) | BIT(F64), d);
  const spcc_type *vt = ix ? need(g, n, 2, 0, d) : NULL;
  if (!vt || !out_k(g, n, 0, d) || !need(g, n, 1, 0, d)) return false;
  if (spcc_type_numel(vt) != 2) {
    spcc_node_error(d, g, n, "'values' must hold 2 elements");
    return false;
  }
  int64_t depth;
  int cnt;
  if (!spcc_layout_const_ints(g, n, 1, &depth, 1, &cnt) || cnt != 1) {
    if (!spcc_value_data(g, n->in[1])) return not_const(g, n, "depth", d);
    spcc_node_error(d, g, n, "'depth' must be one number");
    return false;
  }
  const int rank = ix->rank + 1;
  const int axis = spcc_layout_axis(spcc_attr_int(n, "axis", -1), rank);
  if (depth < 1 || axis < 0 || rank > SPCC_MAX_RANK) {
    spcc_node_error(d, g, n, "'depth' must be >= 1 and 'axis' in range");
    return false;
  }
  int64_t dims[SPCC_MAX_RANK];
  for (int r = 0, s = 0; r < rank; r++) dims[r] = r == axis ? depth : ix->dims[s++];
  spcc_set_output(g, n, 0, vt->dtype, rank, dims);
  return true;
}

/* ---- TopK ----------------------------------------------------------------------- */

bool spcc_shape_top_k(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need(g, n, 0, BIT(F32) | BIT(F64) | BIT(I32) | BIT(I64), d);
  if (!x || !out_k(g, n, 0, d) || !out_k(g, n, 1, d)) return false;
  int64_t k;
  int cnt = 1;
  if (n->opset < 10) {
    k = spcc_attr_int(n, "k", -1);
  } else if (!need(g, n, 1, BIT(I64), d)) {
    return false;
  } else if (!spcc_layout_const_ints(g, n, 1, &k, 1, &cnt) || cnt != 1) {
    return not_const(g, n, "K", d);
  }
  const int axis = spcc_layout_axis(spcc_attr_int(n, "axis", -1), x->rank);
  if (axis < 0 || k < 0 || k > x->dims[axis]) {
    spcc_node_error(d, g, n, "'k' %lld or 'axis' out of range", (long long)k);
    return false;
  }
  int64_t dims[SPCC_MAX_RANK];
  memcpy(dims, x->dims, sizeof dims);
  dims[axis] = k;
  spcc_set_output(g, n, 0, x->dtype, x->rank, dims);
  spcc_set_output(g, n, 1, SPCC_DT_I64, x->rank, dims);
  return true;
}

/* ---- Compress / NonZero ------------------------------------------------------------- */

bool spcc_shape_compress(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need(g, n, 0, 0, d);
  const spcc_type *c = x ? need(g, n, 1, BIT(BOOL), d) : NULL;
  if (!c || !out_k(g, n, 0, d)) return false;
  const uint8_t *cond = spcc_value_data(g, n->in[1]);
  if (!cond) return not_const(g, n, "condition", d);
  const spcc_attr *a = spcc_node_attr(n, "axis");
  int64_t len = spcc_type_numel(x), dims[SPCC_MAX_RANK];
  int rank = 1, axis = 0;
  if (a) {
    axis = spcc_layout_axis(a->i, x->rank);
    if (axis < 0) {
      spcc_node_error(d, g, n, "axis %lld is out of range", (long long)a->i);
      return false;
    }
    rank = x->rank;
    memcpy(dims, x->dims, sizeof dims);
    len = x->dims[axis];
  }
  const int64_t cl = spcc_type_numel(c);
  if (c->rank != 1 || cl > len) {
    spcc_node_error(d, g, n, "'condition' must be 1-D and no longer than the axis");
    return false;
  }
  int64_t kept = 0;
  for (int64_t i = 0; i < cl; i++) kept += cond[i] != 0;
  dims[axis] = kept;
  spcc_set_output(g, n, 0, x->dtype, rank, dims);
  return true;
}

bool spcc_shape_non_zero(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need(g, n, 0, 0, d);
  if (!x || !out_k(g, n, 0, d)) return false;
  const unsigned char *p = spcc_value_data(g, n->in[0]);
  if (!p) {
    spcc_node_error(d, g, n, "unsupported: output shape depends on input values (input must "
                             "be a compile-time constant)");
    return false;
  }
  const int64_t numel = spcc_type_numel(x);
  const size_t es = spcc_dtype_size(x->dtype);
  int64_t nz = 0;
  for (int64_t i = 0; i < numel; i++) {
    const unsigned char *e = p + (size_t)i * es;
    if (x->dtype == SPCC_DT_F32) nz += *(const float *)(const void *)e != 0;
    else if (x->dtype == SPCC_DT_F64) nz += *(const double *)(const void *)e != 0;
    else {
      bool any = false;
      for (size_t b = 0; b < es; b++) any |= e[b] != 0;
      nz += any;
    }
  }
  const int64_t dims[2] = {x->rank, nz};
  spcc_set_output(g, n, 0, SPCC_DT_I64, 2, dims);
  return true;
}

/* ---- Scatter family ------------------------------------------------------------------ */

static bool reduction_ok(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const char *r = spcc_attr_string(n, "reduction", "none");
  if (strcmp(r, "none") && strcmp(r, "add") && strcmp(r, "mul")) {
    spcc_node_error(d, g, n, "unsupported attribute 'reduction' value '%s'", r);
    return false;
  }
  return true;
}

static bool scatter_elements_rule(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need(g, n, 0, 0, d);
  const spcc_type *ix = x ? need(g, n, 1, INDEX_TYPES, d) : NULL;
  const spcc_type *u = ix ? need(g, n, 2, 0, d) : NULL;
  if (!u || !out_k(g, n, 0, d) || !reduction_ok(g, n, d)) return false;
  const int axis = spcc_layout_axis(spcc_attr_int(n, "axis", 0), x->rank);
  bool ok = axis >= 0 && ix->rank == x->rank && u->rank == x->rank && u->dtype == x->dtype;
  for (int r = 0; ok && r < x->rank; r++) ok = ix->dims[r] == u->dims[r];
  if (!ok) {
    spcc_node_error(d, g, n, "shape mismatch between data, indices and updates");
    return false;
  }
  spcc_set_output(g, n, 0, x->dtype, x->rank, x->dims);
  return true;
}

bool spcc_shape_scatter(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return scatter_elements_rule(g, n, d);
}

bool spcc_shape_scatter_elements(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return scatter_elements_rule(g, n, d);
}

bool spcc_shape_scatter_nd(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need(g, n, 0, 0, d);
  const spcc_type *ix = x ? need(g, n, 1, BIT(I64), d) : NULL;
  const spcc_type *u = ix ? need(g, n, 2, 0, d) : NULL;
  if (!u || !out_k(g, n, 0, d) || !reduction_ok(g, n, d)) return false;
  const int64_t k = ix->rank >= 1 ? ix->dims[ix->rank - 1] : -1;
  bool ok = k >= 1 && k <= x->rank && u->dtype == x->dtype &&
            u->rank == ix->rank - 1 + x->rank - k;
  for (int r = 0; ok && r < ix->rank - 1; r++) ok = u->dims[r] == ix->dims[r];
  for (int r = (int)k; ok && r < x->rank; r++) ok = u->dims[ix->rank - 1 + r - k] == x->dims[r];
  if (!ok) {
    spcc_node_error(d, g, n, "shape mismatch between data, indices and updates");
    return false;
  }
  spcc_set_output(g, n, 0, x->dtype, x->rank, x->dims);
  return true;
}

/* ---- ReverseSequence ------------------------------------------------------------------ */

bool spcc_shape_reverse_sequence(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need(g, n, 0, 0, d);
  const spcc_type *s = x ? need(g, n, 1, INDEX_TYPES, d) : NULL;
  if (!s || !out_k(g, n, 0, d)) return false;
  const int64_t b = spcc_attr_int(n, "batch_axis", 1), t = spcc_attr_int(n, "time_axis", 0);
  if (x->rank < 2 || !((b == 0 && t == 1) || (b == 1 && t == 0)) || s->rank != 1 ||
      s->dims[0] != x->dims[b]) {
    spcc_node_error(d, g, n, "needs rank >= 2, batch/time axes 0 and 1, and one length per batch");
    return false;
  }
  spcc_set_output(g, n, 0, x->dtype, x->rank, x->dims);
  return true;
}
