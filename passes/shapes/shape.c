/* shape.c - shape rules of the shape and indexing family: Shape, Size,
 * Cast, CastLike, Gather, GatherElements, GatherND, Slice, Split, Squeeze,
 * Unsqueeze, Expand, Tile, Dropout, ConstantOfShape.
 *
 * Inputs whose values decide shapes (Slice's starts..steps, Split's split,
 * Squeeze/Unsqueeze axes from opset 13, Expand's shape, Tile's repeats,
 * ConstantOfShape's input) must be compile-time constants; each opset's
 * attribute forms are honoured (Slice and Split attributes before 10/13,
 * Squeeze/Unsqueeze 'axes' attribute before 13, Shape's start/end from 15,
 * Dropout's is_test/ratio attributes and ratio/training_mode inputs).
 * Dropout runs in inference mode only: it is the identity and its mask is
 * all true; training_mode=1 with a nonzero ratio is unsupported.
 */
#include <stdio.h>
#include <string.h>

#include "passes/passes.h"
#include "passes/shapes/shape_plan.h"

static bool need_out(spcc_graph *g, spcc_node *n, int k, spcc_diag *d) {
  if (n->n_out <= k || n->out[k] < 0) {
    spcc_node_error(d, g, n, "output %d is required", k);
    return false;
  }
  return true;
}

/* Input k, present and of a supported element type. */
static const spcc_type *need_in(spcc_graph *g, spcc_node *n, int k, spcc_diag *d) {
  const spcc_type *x = spcc_in_type(g, n, k);
  if (!x) {
    spcc_node_error(d, g, n, "input %d is required", k);
    return NULL;
  }
  if (spcc_dtype_size(x->dtype) == 0) {
    spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(x->dtype));
    return NULL;
  }
  return x;
}

static bool index_type(spcc_graph *g, spcc_node *n, const spcc_type *t, spcc_diag *d) {
  if (t->dtype == SPCC_DT_I32 || t->dtype == SPCC_DT_I64) return true;
  spcc_node_error(d, g, n, "unsupported element type %s for indices (int32 or int64)",
                  spcc_dtype_name(t->dtype));
  return false;
}

/* Normalizes axis a (negative from the end) for rank; false when outside. */
static bool norm_axis(spcc_graph *g, spcc_node *n, int64_t *a, int rank, spcc_diag *d) {
  if (*a < -rank || *a >= rank) {
    spcc_node_error(d, g, n, "axis %lld is out of range for rank %d", (long long)*a, rank);
    return false;
  }
  if (*a < 0) *a += rank;
  return true;
}

static bool rank_ok(spcc_graph *g, spcc_node *n, int64_t rank, spcc_diag *d) {
  if (rank <= SPCC_MAX_RANK) return true;
  spcc_node_error(d, g, n, "unsupported rank %lld (at most %d)", (long long)rank, SPCC_MAX_RANK);
  return false;
}

/* ---- Shape, Size ----------------------------------------------------------- */

bool spcc_shape_shape(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need_in(g, n, 0, d);
  if (!x || !need_out(g, n, 0, d)) return false;
  int64_t s = spcc_attr_int(n, "start", 0), e = spcc_attr_int(n, "end", x->rank);
  if (n->opset < 15) s = 0, e = x->rank;
  if (s < 0) s += x->rank;
  if (e < 0) e += x->rank;
  s = s < 0 ? 0 : s > x->rank ? x->rank : s;
  e = e < 0 ? 0 : e > x->rank ? x->rank : e;
  const int64_t len = e > s ? e - s : 0;
  spcc_set_output(g, n, 0, SPCC_DT_I64, 1, &len);
  return true;
}

bool spcc_shape_size(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  if (!need_in(g, n, 0, d) || !need_out(g, n, 0, d)) return false;
  spcc_set_output(g, n, 0, SPCC_DT_I64, 0, NULL);
  return true;
}

/* ---- Cast, CastLike -------------------------------------------------------- */

/* Opset 1 spells 'to' as a string ("FLOAT"). */
static int onnx_type_from_name(const char *s) {
  static const char *const names[] = {"UNDEFINED", "FLOAT",  "UINT8",  "INT8",   "UINT16",
                                      "INT16",     "INT32",  "INT64",  "STRING", "BOOL",
                                      "FLOAT16",   "DOUBLE", "UINT32", "UINT64"};
  for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
    if (strcmp(s, names[i]) == 0) return i;
  return -1;
}

static bool cast_to(spcc_graph *g, spcc_node *n, spcc_dtype to, spcc_diag *d) {
  const spcc_type *x = need_in(g, n, 0, d);
  if (!x || !need_out(g, n, 0, d)) return false;
  spcc_set_output(g, n, 0, to, x->rank, x->dims);
  return true;
}

bool spcc_shape_cast(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_attr *a = spcc_node_attr(n, "to");
  int onnx;
  if (!a) {
    spcc_node_error(d, g, n, "attribute 'to' is required");
    return false;
  }
  onnx = a->kind == SPCC_ATTR_STRING ? onnx_type_from_name(a->s) : (int)a->i;
  const spcc_dtype to = onnx >= 0 ? spcc_dtype_from_onnx(onnx) : SPCC_DT_UNDEF;
  if (to == SPCC_DT_UNDEF) {
    spcc_node_error(d, g, n, "unsupported element type %s for 'to'",
                    a->kind == SPCC_ATTR_STRING ? a->s : spcc_onnx_type_name(onnx));
    return false;
  }
  return cast_to(g, n, to, d);
}

bool spcc_shape_cast_like(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *like = need_in(g, n, 1, d);
  return like && cast_to(g, n, like->dtype, d);
}

/* ---- Gather family ----------------------------------------------------------- */

bool spcc_shape_gather(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need_in(g, n, 0, d), *idx = need_in(g, n, 1, d);
  if (!x || !idx || !need_out(g, n, 0, d) || !index_type(g, n, idx, d)) return false;
  int64_t axis = spcc_attr_int(n, "axis", 0);
  if (!norm_axis(g, n, &axis, x->rank, d) || !rank_ok(g, n, x->rank - 1 + idx->rank, d))
    return false;
  int64_t dims[SPCC_MAX_RANK];
  int r = 0;
  for (int i = 0; i < axis; i++) dims[r++] = x->dims[i];
  for (int i = 0; i < idx->rank; i++) dims[r++] = idx->dims[i];
  for (int i = (int)axis + 1; i < x->rank; i++) dims[r++] = x->dims[i];
  spcc_set_output(g, n, 0, x->dtype, r, dims);
  return true;
}

bool spcc_shape_gather_elements(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need_in(g, n, 0, d), *idx = need_in(g, n, 1, d);
  if (!x || !idx || !need_out(g, n, 0, d) || !index_type(g, n, idx, d)) return false;
  int64_t axis = spcc_attr_int(n, "axis", 0);
  if (!norm_axis(g, n, &axis, x->rank, d)) return false;
  if (idx->rank != x->rank) {
    spcc_node_error(d, g, n, "shape mismatch: indices have rank %d, data rank %d", idx->rank,
                    x->rank);
    return false;
  }
  spcc_set_output(g, n, 0, x->dtype, idx->rank, idx->dims);
  return true;
}

bool spcc_shape_gather_nd(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need_in(g, n, 0, d), *idx = need_in(g, n, 1, d);
  if (!x || !idx || !need_out(g, n, 0, d)) return false;
  if (idx->dtype != SPCC_DT_I64) {
    spcc_node_error(d, g, n, "unsupported element type %s for indices (int64)",
                    spcc_dtype_name(idx->dtype));
    return false;
  }
  const int64_t b = n->opset >= 12 ? spcc_attr_int(n, "batch_dims", 0) : 0;
  if (b < 0 || b >= x->rank || b >= idx->rank) {
    spcc_node_error(d, g, n, "'batch_dims' %lld must be below both ranks (%d, %d)", (long long)b,
                    x->rank, idx->rank);
    return false;
  }
  const int64_t k = idx->dims[idx->rank - 1];
  if (k < 1 || k > x->rank - b) {
    spcc_node_error(d, g, n, "index tuples have %lld entries, data has %lld non-batch axes",
                    (long long)k, (long long)(x->rank - b));
    return false;
  }
  for (int i = 0; i < b; i++)
    if (x->dims[i] != idx->dims[i]) {
      spcc_node_error(d, g, n, "shape mismatch: batch axis %d is %lld in data, %lld in indices",
                      i, (long long)x->dims[i], (long long)idx->dims[i]);
      return false;
    }
  int64_t dims[2 * SPCC_MAX_RANK];
  int r = 0;
  for (int i = 0; i < idx->rank - 1; i++) dims[r++] = idx->dims[i];
  for (int i = (int)(b + k); i < x->rank; i++) dims[r++] = x->dims[i];
  if (!rank_ok(g, n, r, d)) return false;
  spcc_set_output(g, n, 0, x->dtype, r, dims);
  return true;
}

/* ---- Slice, Split ------------------------------------------------------------ */

bool spcc_shape_slice(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need_in(g, n, 0, d);
  if (!x || !need_out(g, n, 0, d)) return false;
  int64_t start[SPCC_MAX_RANK], step[SPCC_MAX_RANK], dims[SPCC_MAX_RANK];
  if (!spcc_shp_slice_plan(g, n, start, step, dims, d)) return false;
  spcc_set_output(g, n, 0, x->dtype, x->rank, dims);
  return true;
}

bool spcc_shape_split(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need_in(g, n, 0, d);
  if (!x) return false;
  int64_t axis = spcc_attr_int(n, "axis", 0);
  if (!norm_axis(g, n, &axis, x->rank, d)) return false;
  const int n_out = n->n_out;
  if (n_out < 1 || n_out > 1024) {
    spcc_node_error(d, g, n, "unsupported number of outputs %d", n_out);
    return false;
  }
  int64_t sizes[1024];
  int count = 0;
  bool given = false;
  if (n->opset < 13) {
    const int64_t *a = spcc_attr_ints(n, "split", &count);
    if (a) {
      if (count > 1024) count = 1025;
      else memcpy(sizes, a, sizeof(int64_t) * (size_t)count);
      given = true;
    } else if (spcc_node_in(n, 1) >= 0) { /* opset 2..12 also allowed an input */
      if (!spcc_shp_const_ints(g, n, 1, "split", 1024, sizes, &count, d)) return false;
      given = true;
    }
  } else if (spcc_node_in(n, 1) >= 0) {
    if (!spcc_shp_const_ints(g, n, 1, "split", 1024, sizes, &count, d)) return false;
    given = true;
  }
  const int64_t dim = x->dims[axis];
  if (!given) {
    if (dim % n_out != 0) {
      spcc_node_error(d, g, n, "axis %lld of size %lld does not split into %d equal parts",
                      (long long)axis, (long long)dim, n_out);
      return false;
    }
    for (int k = 0; k < n_out; k++) sizes[k] = dim / n_out;
    count = n_out;
  }
  if (count != n_out) {
    spcc_node_error(d, g, n, "'split' has %d entries for %d outputs", count, n_out);
    return false;
  }
  int64_t total = 0;
  for (int k = 0; k < n_out; k++) {
    if (sizes[k] < 0 || sizes[k] > dim) {
      spcc_node_error(d, g, n, "'split'[%d] = %lld is out of range", k, (long long)sizes[k]);
      return false;
    }
    total += sizes[k];
  }
  if (total != dim) {
    spcc_node_error(d, g, n, "'split' sums to %lld, axis %lld has size %lld", (long long)total,
                    (long long)axis, (long long)dim);
    return false;
  }
  for (int k = 0; k < n_out; k++) {
    if (n->out[k] < 0) continue;
    int64_t dims[SPCC_MAX_RANK];
    memcpy(dims, x->dims, sizeof dims);
    dims[axis] = sizes[k];
    spcc_set_output(g, n, k, x->dtype, x->rank, dims);
  }
  return true;
}

/* ---- Squeeze, Unsqueeze -------------------------------------------------------- */

/* The axes list: attribute before opset 13, input 1 from 13. *given is
 * false when there is none. */
static bool get_axes(spcc_graph *g, spcc_node *n, int64_t *axes, int *count, bool *given,
                     spcc_diag *d) {
  *count = 0;
  *given = false;
  if (n->opset < 13) {
    const int64_t *a = spcc_attr_ints(n, "axes", count);
    if (!a) return true;
    if (*count > 2 * SPCC_MAX_RANK) {
      spcc_node_error(d, g, n, "'axes' has too many entries");
      return false;
    }
    memcpy(axes, a, sizeof(int64_t) * (size_t)*count);
    *given = true;
    return true;
  }
  if (spcc_node_in(n, 1) < 0) return true;
  *given = true;
  return spcc_shp_const_ints(g, n, 1, "axes", 2 * SPCC_MAX_RANK, axes, count, d);
}

bool spcc_shape_squeeze(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need_in(g, n, 0, d);
  if (!x || !need_out(g, n, 0, d)) return false;
  int64_t axes[2 * SPCC_MAX_RANK];
  int count;
  bool given, drop[SPCC_MAX_RANK] = {false};
  if (!get_axes(g, n, axes, &count, &given, d)) return false;
  for (int i = 0; i < count; i++) {
    if (!norm_axis(g, n, &axes[i], x->rank, d)) return false;
    if (x->dims[axes[i]] != 1) {
      spcc_node_error(d, g, n, "cannot squeeze axis %lld of size %lld", (long long)axes[i],
                      (long long)x->dims[axes[i]]);
      return false;
    }
    drop[axes[i]] = true;
  }
  int64_t dims[SPCC_MAX_RANK];
  int r = 0;
  for (int i = 0; i < x->rank; i++)
    if (!(given ? drop[i] : x->dims[i] == 1)) dims[r++] = x->dims[i];
  spcc_set_output(g, n, 0, x->dtype, r, dims);
  return true;
}

bool spcc_shape_unsqueeze(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need_in(g, n, 0, d);
  if (!x || !need_out(g, n, 0, d)) return false;
  int64_t axes[2 * SPCC_MAX_RANK];
  int count;
  bool given;
  if (!get_axes(g, n, axes, &count, &given, d)) return false;
  if (!given) {
    spcc_node_error(d, g, n, "'axes' is required");
    return false;
  }
  const int out_rank = x->rank + count;
  if (!rank_ok(g, n, out_rank, d)) return false;
  bool ins[SPCC_MAX_RANK] = {false};
  for (int i = 0; i < count; i++) {
    if (!norm_axis(g, n, &axes[i], out_rank, d)) return false;
    if (ins[axes[i]]) {
      spcc_node_error(d, g, n, "axis %lld is given twice", (long long)axes[i]);
      return false;
    }
    ins[axes[i]] = true;
  }
  int64_t dims[SPCC_MAX_RANK];
  for (int r = 0, j = 0; r < out_rank; r++) dims[r] = ins[r] ? 1 : x->dims[j++];
  spcc_set_output(g, n, 0, x->dtype, out_rank, dims);
  return true;
}

/* ---- Expand, Tile ------------------------------------------------------------ */

bool spcc_shape_expand(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need_in(g, n, 0, d);
  if (!x || !need_out(g, n, 0, d)) return false;
  int64_t shape[SPCC_MAX_RANK];
  int count;
  if (!spcc_shp_const_ints(g, n, 1, "shape", SPCC_MAX_RANK, shape, &count, d)) return false;
  const int rank = count > x->rank ? count : x->rank;
  int64_t dims[SPCC_MAX_RANK];
  for (int r = 0; r < rank; r++) {
    const int i = r - (rank - x->rank), j = r - (rank - count);
    const int64_t a = i >= 0 ? x->dims[i] : 1, b = j >= 0 ? shape[j] : 1;
    if (a != b && a != 1 && b != 1) {
      spcc_node_error(d, g, n, "shape mismatch: cannot expand size %lld to %lld at axis %d",
                      (long long)a, (long long)b, r);
      return false;
    }
    if (b < 0) {
      spcc_node_error(d, g, n, "'shape'[%d] is negative", j);
      return false;
    }
    dims[r] = a == 1 ? b : a;
  }
  spcc_set_output(g, n, 0, x->dtype, rank, dims);
  return true;
}

bool spcc_shape_tile(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need_in(g, n, 0, d);
  if (!x || !need_out(g, n, 0, d)) return false;
  int64_t rep[SPCC_MAX_RANK];
  int count;
  if (!spcc_shp_const_ints(g, n, 1, "repeats", SPCC_MAX_RANK, rep, &count, d)) return false;
  if (count != x->rank) {
    spcc_node_error(d, g, n, "'repeats' has %d entries, the input has rank %d", count, x->rank);
    return false;
  }
  int64_t dims[SPCC_MAX_RANK];
  for (int r = 0; r < x->rank; r++) {
    if (rep[r] < 0) {
      spcc_node_error(d, g, n, "'repeats'[%d] is negative", r);
      return false;
    }
    dims[r] = x->dims[r] * rep[r];
  }
  spcc_set_output(g, n, 0, x->dtype, x->rank, dims);
  return true;
}

/* ---- Dropout ------------------------------------------------------------------ */

bool spcc_shape_dropout(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need_in(g, n, 0, d);
  if (!x || !need_out(g, n, 0, d)) return false;
  if (n->opset >= 12 && spcc_node_in(n, 2) >= 0) {
    const spcc_type *tm = spcc_in_type(g, n, 2);
    const void *tv = spcc_value_data(g, n->in[2]);
    if (!tv) {
      spcc_node_error(d, g, n, "unsupported: input 'training_mode' must be a compile-time "
                               "constant (use --bind)");
      return false;
    }
    if (tm->dtype != SPCC_DT_BOOL || spcc_type_numel(tm) != 1) {
      spcc_node_error(d, g, n, "'training_mode' must be a bool scalar");
      return false;
    }
    double ratio = 0.5;
    const spcc_type *rt = spcc_in_type(g, n, 1);
    const void *rv = rt ? spcc_value_data(g, n->in[1]) : NULL;
    if (rt && !rv) ratio = -1; /* unknown: treat as nonzero */
    else if (rv && rt->dtype == SPCC_DT_F32) ratio = *(const float *)rv;
    else if (rv && rt->dtype == SPCC_DT_F64) ratio = *(const double *)rv;
    if (*(const unsigned char *)tv && ratio != 0) {
      spcc_node_error(d, g, n, "unsupported: Dropout in training mode (training_mode=1)");
      return false;
    }
  }
  spcc_set_output(g, n, 0, x->dtype, x->rank, x->dims);
  if (n->n_out > 1 && n->out[1] >= 0)
    spcc_set_output(g, n, 1, n->opset >= 10 ? SPCC_DT_BOOL : x->dtype, x->rank, x->dims);
  return true;
}

/* ---- ConstantOfShape ------------------------------------------------------------ */

bool spcc_shape_constant_of_shape(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  if (!need_out(g, n, 0, d)) return false;
  const spcc_attr *a = spcc_node_attr(n, "value");
  spcc_dtype dt = SPCC_DT_F32;
  if (a) {
    if (a->kind != SPCC_ATTR_TENSOR || a->const_id < 0 || a->const_id >= g->n_consts ||
        g->consts[a->const_id].numel != 1) {
      spcc_node_error(d, g, n, "attribute 'value' must be a one-element tensor");
      return false;
    }
    dt = g->consts[a->const_id].dtype;
  }
  int64_t shape[SPCC_MAX_RANK + 1];
  int count;
  if (!spcc_shp_const_ints(g, n, 0, "input", SPCC_MAX_RANK + 1, shape, &count, d)) return false;
  if (!rank_ok(g, n, count, d)) return false;
  for (int r = 0; r < count; r++)
    if (shape[r] < 0) {
      spcc_node_error(d, g, n, "shape entry %d is negative (%lld)", r, (long long)shape[r]);
      return false;
    }
  spcc_set_output(g, n, 0, dt, count, shape);
  return true;
}
