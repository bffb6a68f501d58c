/* shape.c - C emission and compile-time evaluation of the shape and
 * indexing family: Shape, Size, Cast, CastLike, Gather, GatherElements,
 * GatherND, Slice, Split, Squeeze, Unsqueeze, Expand, Tile, Dropout,
 * ConstantOfShape.
 *
 * One static function per op fills the runtime parameter block from the
 * node, shared by emit and eval, so folded constants equal what the
 * generated code computes. Slice, Split, Expand, Tile and the plain copies
 * (Squeeze, Unsqueeze, Dropout) are all strided views of their input
 * (spcc_view_copy); the view is simplified here, at compile time: size-1
 * axes are dropped and axes that stay adjacent in the input are merged, so
 * most of them become one memcpy. Inputs that only mattered at compile time
 * (Slice's starts, Expand's shape, ...) are referenced with (void) so their
 * constant arrays are not unused in the generated code.
 */
#include <stdio.h>
#include <string.h>

#include "backend/c/ops.h"
#include "passes/shapes/shape_plan.h"
#include "spcc/spcc_rt.h"

_Static_assert(SPCC_DT_F32 == SPCC_RT_DT_F32 && SPCC_DT_F64 == SPCC_RT_DT_F64 &&
                   SPCC_DT_I8 == SPCC_RT_DT_I8 && SPCC_DT_I16 == SPCC_RT_DT_I16 &&
                   SPCC_DT_I32 == SPCC_RT_DT_I32 && SPCC_DT_I64 == SPCC_RT_DT_I64 &&
                   SPCC_DT_U8 == SPCC_RT_DT_U8 && SPCC_DT_U16 == SPCC_RT_DT_U16 &&
                   SPCC_DT_U32 == SPCC_RT_DT_U32 && SPCC_DT_U64 == SPCC_RT_DT_U64 &&
                   SPCC_DT_BOOL == SPCC_RT_DT_BOOL,
               "runtime dtype codes must equal spcc_dtype");

static const spcc_type *out_type(const spcc_graph *g, const spcc_node *n, int k) {
  return &g->values[n->out[k]].type;
}

/* Row-major element strides of t. */
static void strides_of(const spcc_type *t, int64_t *s) {
  int64_t acc = 1;
  for (int r = t->rank - 1; r >= 0; r--) {
    s[r] = acc;
    acc *= t->dims[r];
  }
}

/* Fills a simplified view block from an unsimplified one (rank may be 0). */
static void view_make(spcc_view_params *p, int64_t elem_size, int rank, const int64_t *dims,
                      const int64_t *strides, int64_t offset) {
  memset(p, 0, sizeof *p);
  p->elem_size = elem_size;
  p->offset = offset;
  int out = 0;
  bool empty = false;
  for (int r = 0; r < rank; r++) {
    if (dims[r] == 0) empty = true;
    if (dims[r] == 1) continue;
    if (out > 0 && p->strides[out - 1] == strides[r] * dims[r]) {
      p->dims[out - 1] *= dims[r];
      p->strides[out - 1] = strides[r];
      continue;
    }
    p->dims[out] = dims[r];
    p->strides[out] = strides[r];
    out++;
  }
  if (empty || out == 0) {
    p->dims[0] = empty ? 0 : 1;
    p->strides[0] = 1;
    out = 1;
  }
  p->rank = out;
}

/* A plain copy of all of input 0's elements. */
static void view_copy_all(const spcc_graph *g, const spcc_node *n, spcc_view_params *p) {
  const spcc_type *x = spcc_in_type(g, n, 0);
  const int64_t numel = spcc_type_numel(x), one = 1;
  view_make(p, (int64_t)spcc_dtype_size(x->dtype), 1, &numel, &one, 0);
}

static void emit_void_inputs(spcc_emitter *e, const spcc_node *n, int first) {
  for (int k = first; k < n->n_in; k++)
    if (n->in[k] >= 0) spcc_emit_line(e, "(void)%s;", spcc_emit_ptr(e, n->in[k]));
}

static void emit_view(spcc_emitter *e, const spcc_view_params *p, int x, int y) {
  const char *sym = spcc_emit_params_begin(e, "spcc_view_params", "view");
  spcc_emit_param_i64(e, "elem_size", p->elem_size);
  spcc_emit_param_i64(e, "rank", p->rank);
  spcc_emit_param_i64(e, "offset", p->offset);
  spcc_emit_param_i64s(e, "dims", p->dims, (int)p->rank);
  spcc_emit_param_i64s(e, "strides", p->strides, (int)p->rank);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "spcc_view_copy(&%s, %s, %s);", sym, spcc_emit_ptr(e, x), spcc_emit_ptr(e, y));
}

/* ---- Shape, Size ---------------------------------------------------------- */

static void shape_params(const spcc_graph *g, const spcc_node *n, spcc_shape_params *p) {
  const spcc_type *x = spcc_in_type(g, n, 0);
  memset(p, 0, sizeof *p);
  if (n->op == SPCC_OP_SIZE) {
    p->n = 1;
    p->values[0] = spcc_type_numel(x);
    return;
  }
  int64_t s = n->opset >= 15 ? spcc_attr_int(n, "start", 0) : 0;
  if (s < 0) s += x->rank;
  if (s < 0) s = 0;
  p->n = out_type(g, n, 0)->dims[0];
  for (int64_t i = 0; i < p->n; i++) p->values[i] = x->dims[s + i];
}

static bool emit_shape_values(spcc_emitter *e, const spcc_node *n) {
  spcc_shape_params p;
  shape_params(spcc_emit_graph(e), n, &p);
  const char *sym = spcc_emit_params_begin(e, "spcc_shape_params", "shape");
  spcc_emit_param_i64(e, "n", p.n);
  spcc_emit_param_i64s(e, "values", p.values, p.n > 0 ? (int)p.n : 1);
  spcc_emit_params_end(e);
  emit_void_inputs(e, n, 0);
  spcc_emit_line(e, "spcc_shape_values(&%s, %s);", sym, spcc_emit_ptr(e, n->out[0]));
  return true;
}

static bool eval_shape_values(const spcc_graph *g, const spcc_node *n, void *const *out) {
  spcc_shape_params p;
  shape_params(g, n, &p);
  spcc_shape_values(&p, out[0]);
  return true;
}

bool spcc_emit_shape(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  return emit_shape_values(e, n);
}
bool spcc_eval_shape(const spcc_graph *g, const spcc_node *n, const void *const *in,
                     void *const *out, spcc_diag *d) {
  (void)in, (void)d;
  return eval_shape_values(g, n, out);
}
bool spcc_emit_size(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  return emit_shape_values(e, n);
}
bool spcc_eval_size(const spcc_graph *g, const spcc_node *n, const void *const *in,
                    void *const *out, spcc_diag *d) {
  (void)in, (void)d;
  return eval_shape_values(g, n, out);
}

/* ---- Cast, CastLike --------------------------------------------------------- */

static void cast_params(const spcc_graph *g, const spcc_node *n, spcc_cast_params *p) {
  const spcc_type *y = out_type(g, n, 0);
  memset(p, 0, sizeof *p);
  p->numel = spcc_type_numel(y);
  p->from = spcc_in_type(g, n, 0)->dtype;
  p->to = y->dtype;
}

static bool emit_cast_any(spcc_emitter *e, const spcc_node *n) {
  spcc_cast_params p;
  cast_params(spcc_emit_graph(e), n, &p);
  const char *sym = spcc_emit_params_begin(e, "spcc_cast_params", "cast");
  spcc_emit_param_i64(e, "numel", p.numel);
  spcc_emit_param_i64(e, "from", p.from);
  spcc_emit_param_i64(e, "to", p.to);
  spcc_emit_params_end(e);
  emit_void_inputs(e, n, 1);
  spcc_emit_line(e, "spcc_cast(&%s, %s, %s);", sym, spcc_emit_ptr(e, n->in[0]),
                 spcc_emit_ptr(e, n->out[0]));
  return true;
}

static bool eval_cast_any(const spcc_graph *g, const spcc_node *n, const void *const *in,
                          void *const *out) {
  spcc_cast_params p;
  cast_params(g, n, &p);
  spcc_cast(&p, in[0], out[0]);
  return true;
}

bool spcc_emit_cast(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  return emit_cast_any(e, n);
}
bool spcc_eval_cast(const spcc_graph *g, const spcc_node *n, const void *const *in,
                    void *const *out, spcc_diag *d) {
  (void)d;
  return eval_cast_any(g, n, in, out);
}
bool spcc_emit_cast_like(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  return emit_cast_any(e, n);
}
bool spcc_eval_cast_like(const spcc_graph *g, const spcc_node *n, const void *const *in,
                         void *const *out, spcc_diag *d) {
  (void)d;
  return eval_cast_any(g, n, in, out);
}

/* ---- Gather ------------------------------------------------------------------ */

static void gather_params(const spcc_graph *g, const spcc_node *n, spcc_gather_params *p) {
  const spcc_type *x = spcc_in_type(g, n, 0), *idx = spcc_in_type(g, n, 1);
  int64_t axis = spcc_attr_int(n, "axis", 0);
  if (axis < 0) axis += x->rank;
  memset(p, 0, sizeof *p);
  p->outer = 1;
  p->inner = (int64_t)spcc_dtype_size(x->dtype);
  for (int r = 0; r < axis; r++) p->outer *= x->dims[r];
  for (int r = (int)axis + 1; r < x->rank; r++) p->inner *= x->dims[r];
  p->axis_dim = x->dims[axis];
  p->n_idx = spcc_type_numel(idx);
  p->idx_size = (int64_t)spcc_dtype_size(idx->dtype);
}

bool spcc_emit_gather(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  spcc_gather_params p;
  gather_params(spcc_emit_graph(e), n, &p);
  const char *sym = spcc_emit_params_begin(e, "spcc_gather_params", "gather");
  spcc_emit_param_i64(e, "outer", p.outer);
  spcc_emit_param_i64(e, "axis_dim", p.axis_dim);
  spcc_emit_param_i64(e, "inner", p.inner);
  spcc_emit_param_i64(e, "n_idx", p.n_idx);
  spcc_emit_param_i64(e, "idx_size", p.idx_size);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "spcc_gather(&%s, %s, %s, %s);", sym, spcc_emit_ptr(e, n->in[0]),
                 spcc_emit_ptr(e, n->in[1]), spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_gather(const spcc_graph *g, const spcc_node *n, const void *const *in,
                      void *const *out, spcc_diag *d) {
  (void)d;
  spcc_gather_params p;
  gather_params(g, n, &p);
  spcc_gather(&p, in[0], in[1], out[0]);
  return true;
}

static void gather_elements_params(const spcc_graph *g, const spcc_node *n,
                                   spcc_gather_elements_params *p) {
  const spcc_type *x = spcc_in_type(g, n, 0), *idx = spcc_in_type(g, n, 1);
  int64_t axis = spcc_attr_int(n, "axis", 0);
  if (axis < 0) axis += x->rank;
  memset(p, 0, sizeof *p);
  p->elem_size = (int64_t)spcc_dtype_size(x->dtype);
  p->idx_size = (int64_t)spcc_dtype_size(idx->dtype);
  p->rank = idx->rank;
  p->axis = axis;
  p->axis_dim = x->dims[axis];
  memcpy(p->dims, idx->dims, sizeof(int64_t) * (size_t)idx->rank);
  strides_of(x, p->x_strides);
}

bool spcc_emit_gather_elements(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  spcc_gather_elements_params p;
  gather_elements_params(spcc_emit_graph(e), n, &p);
  const char *sym = spcc_emit_params_begin(e, "spcc_gather_elements_params", "gather_el");
  spcc_emit_param_i64(e, "elem_size", p.elem_size);
  spcc_emit_param_i64(e, "idx_size", p.idx_size);
  spcc_emit_param_i64(e, "rank", p.rank);
  spcc_emit_param_i64(e, "axis", p.axis);
  spcc_emit_param_i64(e, "axis_dim", p.axis_dim);
  spcc_emit_param_i64s(e, "dims", p.dims, (int)p.rank);
  spcc_emit_param_i64s(e, "x_strides", p.x_strides, (int)p.rank);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "spcc_gather_elements(&%s, %s, %s, %s);", sym, spcc_emit_ptr(e, n->in[0]),
                 spcc_emit_ptr(e, n->in[1]), spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_gather_elements(const spcc_graph *g, const spcc_node *n, const void *const *in,
                               void *const *out, spcc_diag *d) {
  (void)d;
  spcc_gather_elements_params p;
  gather_elements_params(g, n, &p);
  spcc_gather_elements(&p, in[0], in[1], out[0]);
  return true;
}

static void gather_nd_params(const spcc_graph *g, const spcc_node *n, spcc_gather_nd_params *p) {
  const spcc_type *x = spcc_in_type(g, n, 0), *idx = spcc_in_type(g, n, 1);
  const int b = n->opset >= 12 ? (int)spcc_attr_int(n, "batch_dims", 0) : 0;
  const int k = (int)idx->dims[idx->rank - 1];
  memset(p, 0, sizeof *p);
  p->batch = 1;
  for (int r = 0; r < b; r++) p->batch *= x->dims[r];
  p->n_tuples = 1;
  for (int r = b; r < idx->rank - 1; r++) p->n_tuples *= idx->dims[r];
  p->k = k;
  p->idx_size = (int64_t)spcc_dtype_size(idx->dtype);
  int64_t slice = 1;
  for (int r = b + k; r < x->rank; r++) slice *= x->dims[r];
  int64_t acc = 1;
  for (int j = k - 1; j >= 0; j--) {
    p->idx_dims[j] = x->dims[b + j];
    p->idx_strides[j] = acc;
    acc *= x->dims[b + j];
  }
  p->slice_bytes = slice * (int64_t)spcc_dtype_size(x->dtype);
  p->batch_bytes = acc * p->slice_bytes;
}

bool spcc_emit_gather_nd(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  spcc_gather_nd_params p;
  gather_nd_params(spcc_emit_graph(e), n, &p);
  const char *sym = spcc_emit_params_begin(e, "spcc_gather_nd_params", "gather_nd");
  spcc_emit_param_i64(e, "batch", p.batch);
  spcc_emit_param_i64(e, "n_tuples", p.n_tuples);
  spcc_emit_param_i64(e, "k", p.k);
  spcc_emit_param_i64(e, "idx_size", p.idx_size);
  spcc_emit_param_i64(e, "slice_bytes", p.slice_bytes);
  spcc_emit_param_i64(e, "batch_bytes", p.batch_bytes);
  spcc_emit_param_i64s(e, "idx_dims", p.idx_dims, (int)p.k);
  spcc_emit_param_i64s(e, "idx_strides", p.idx_strides, (int)p.k);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "spcc_gather_nd(&%s, %s, %s, %s);", sym, spcc_emit_ptr(e, n->in[0]),
                 spcc_emit_ptr(e, n->in[1]), spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_gather_nd(const spcc_graph *g, const spcc_node *n, const void *const *in,
                         void *const *out, spcc_diag *d) {
  (void)d;
  spcc_gather_nd_params p;
  gather_nd_params(g, n, &p);
  spcc_gather_nd(&p, in[0], in[1], out[0]);
  return true;
}

/* ---- strided views: Slice, Split, Expand, Tile, copies ------------------------- */

static bool slice_view(const spcc_graph *g, const spcc_node *n, spcc_view_params *p,
                       spcc_diag *d) {
  const spcc_type *x = spcc_in_type(g, n, 0);
  int64_t start[SPCC_MAX_RANK], step[SPCC_MAX_RANK], dims[SPCC_MAX_RANK], st[SPCC_MAX_RANK];
  int64_t vs[SPCC_MAX_RANK], offset = 0;
  if (!spcc_shp_slice_plan(g, n, start, step, dims, d)) return false;
  strides_of(x, st);
  for (int r = 0; r < x->rank; r++) {
    offset += start[r] * st[r];
    vs[r] = step[r] * st[r];
  }
  view_make(p, (int64_t)spcc_dtype_size(x->dtype), x->rank, dims, vs, offset);
  return true;
}

/* The view of input 0 that output k of Split copies. */
static void split_view(const spcc_graph *g, const spcc_node *n, int k, spcc_view_params *p) {
  const spcc_type *x = spcc_in_type(g, n, 0);
  int64_t axis = spcc_attr_int(n, "axis", 0);
  if (axis < 0) axis += x->rank;
  int64_t st[SPCC_MAX_RANK], before = 0;
  strides_of(x, st);
  for (int q = 0; q < k; q++) before += out_type(g, n, q)->dims[axis];
  view_make(p, (int64_t)spcc_dtype_size(x->dtype), x->rank, out_type(g, n, k)->dims, st,
            before * st[axis]);
}

static void expand_view(const spcc_graph *g, const spcc_node *n, spcc_view_params *p) {
  const spcc_type *x = spcc_in_type(g, n, 0), *y = out_type(g, n, 0);
  int64_t st[SPCC_MAX_RANK], vs[SPCC_MAX_RANK];
  strides_of(x, st);
  for (int r = 0; r < y->rank; r++) {
    const int i = r - (y->rank - x->rank);
    vs[r] = i >= 0 && x->dims[i] != 1 ? st[i] : 0;
  }
  view_make(p, (int64_t)spcc_dtype_size(x->dtype), y->rank, y->dims, vs, 0);
}

/* Tile: each axis becomes [repeats, dim] with strides [0, stride]. */
static void tile_view(const spcc_graph *g, const spcc_node *n, spcc_view_params *p) {
  const spcc_type *x = spcc_in_type(g, n, 0), *y = out_type(g, n, 0);
  int64_t st[SPCC_MAX_RANK], dims[SPCC_RT_VIEW_RANK], vs[SPCC_RT_VIEW_RANK];
  strides_of(x, st);
  for (int r = 0; r < x->rank; r++) {
    dims[2 * r] = x->dims[r] ? y->dims[r] / x->dims[r] : 0;
    vs[2 * r] = 0;
    dims[2 * r + 1] = x->dims[r];
    vs[2 * r + 1] = st[r];
  }
  view_make(p, (int64_t)spcc_dtype_size(x->dtype), 2 * x->rank, dims, vs, 0);
}

bool spcc_emit_slice(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  spcc_view_params p;
  if (!slice_view(spcc_emit_graph(e), n, &p, d)) return false;
  emit_void_inputs(e, n, 1);
  emit_view(e, &p, n->in[0], n->out[0]);
  return true;
}

bool spcc_eval_slice(const spcc_graph *g, const spcc_node *n, const void *const *in,
                     void *const *out, spcc_diag *d) {
  spcc_view_params p;
  if (!slice_view(g, n, &p, d)) return false;
  spcc_view_copy(&p, in[0], out[0]);
  return true;
}

bool spcc_emit_split(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  emit_void_inputs(e, n, 1);
  for (int k = 0; k < n->n_out; k++) {
    if (n->out[k] < 0) continue;
    spcc_view_params p;
    split_view(spcc_emit_graph(e), n, k, &p);
    emit_view(e, &p, n->in[0], n->out[k]);
  }
  return true;
}

bool spcc_eval_split(const spcc_graph *g, const spcc_node *n, const void *const *in,
                     void *const *out, spcc_diag *d) {
  (void)d;
  for (int k = 0; k < n->n_out; k++) {
    if (n->out[k] < 0) continue;
    spcc_view_params p;
    split_view(g, n, k, &p);
    spcc_view_copy(&p, in[0], out[k]);
  }
  return true;
}

bool spcc_emit_expand(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  spcc_view_params p;
  expand_view(spcc_emit_graph(e), n, &p);
  emit_void_inputs(e, n, 1);
  emit_view(e, &p, n->in[0], n->out[0]);
  return true;
}

bool spcc_eval_expand(const spcc_graph *g, const spcc_node *n, const void *const *in,
                      void *const *out, spcc_diag *d) {
  (void)d;
  spcc_view_params p;
  expand_view(g, n, &p);
  spcc_view_copy(&p, in[0], out[0]);
  return true;
}

bool spcc_emit_tile(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  spcc_view_params p;
  tile_view(spcc_emit_graph(e), n, &p);
  emit_void_inputs(e, n, 1);
  emit_view(e, &p, n->in[0], n->out[0]);
  return true;
}

bool spcc_eval_tile(const spcc_graph *g, const spcc_node *n, const void *const *in,
                    void *const *out, spcc_diag *d) {
  (void)d;
  spcc_view_params p;
  tile_view(g, n, &p);
  spcc_view_copy(&p, in[0], out[0]);
  return true;
}

static bool emit_plain_copy(spcc_emitter *e, const spcc_node *n) {
  spcc_view_params p;
  view_copy_all(spcc_emit_graph(e), n, &p);
  emit_void_inputs(e, n, 1);
  emit_view(e, &p, n->in[0], n->out[0]);
  return true;
}

static bool eval_plain_copy(const spcc_graph *g, const spcc_node *n, const void *const *in,
                            void *const *out) {
  spcc_view_params p;
  view_copy_all(g, n, &p);
  spcc_view_copy(&p, in[0], out[0]);
  return true;
}

bool spcc_emit_squeeze(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  return emit_plain_copy(e, n);
}
bool spcc_eval_squeeze(const spcc_graph *g, const spcc_node *n, const void *const *in,
                       void *const *out, spcc_diag *d) {
  (void)d;
  return eval_plain_copy(g, n, in, out);
}
bool spcc_emit_unsqueeze(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  return emit_plain_copy(e, n);
}
bool spcc_eval_unsqueeze(const spcc_graph *g, const spcc_node *n, const void *const *in,
                         void *const *out, spcc_diag *d) {
  (void)d;
  return eval_plain_copy(g, n, in, out);
}

/* ---- fills: Dropout's mask, ConstantOfShape ------------------------------------ */

/* Dropout's mask: all kept (true, or 1 in the input's type before opset 10). */
static void mask_params(const spcc_graph *g, const spcc_node *n, spcc_fill_params *p) {
  const spcc_type *m = out_type(g, n, 1);
  memset(p, 0, sizeof *p);
  p->numel = spcc_type_numel(m);
  p->dtype = m->dtype;
  p->ivalue = 1;
  p->fvalue = 1.0;
}

static bool has_mask(const spcc_node *n) { return n->n_out > 1 && n->out[1] >= 0; }

static void emit_fill(spcc_emitter *e, const spcc_fill_params *p, int y) {
  const char *sym = spcc_emit_params_begin(e, "spcc_fill_params", "fill");
  spcc_emit_param_i64(e, "numel", p->numel);
  spcc_emit_param_i64(e, "dtype", p->dtype);
  spcc_emit_param_i64(e, "ivalue", p->ivalue);
  spcc_emit_param_f64(e, "fvalue", p->fvalue);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "spcc_fill(&%s, %s);", sym, spcc_emit_ptr(e, y));
}

bool spcc_emit_dropout(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  emit_plain_copy(e, n);
  if (has_mask(n)) {
    spcc_fill_params p;
    mask_params(spcc_emit_graph(e), n, &p);
    emit_fill(e, &p, n->out[1]);
  }
  return true;
}

bool spcc_eval_dropout(const spcc_graph *g, const spcc_node *n, const void *const *in,
                       void *const *out, spcc_diag *d) {
  (void)d;
  eval_plain_copy(g, n, in, out);
  if (has_mask(n)) {
    spcc_fill_params p;
    mask_params(g, n, &p);
    spcc_fill(&p, out[1]);
  }
  return true;
}

static void constant_of_shape_params(const spcc_graph *g, const spcc_node *n,
                                     spcc_fill_params *p) {
  const spcc_type *y = out_type(g, n, 0);
  const spcc_attr *a = spcc_node_attr(n, "value");
  memset(p, 0, sizeof *p);
  p->numel = spcc_type_numel(y);
  p->dtype = y->dtype;
  if (!a || a->kind != SPCC_ATTR_TENSOR) return; /* float 0 */
  const spcc_const *c = &g->consts[a->const_id];
  const unsigned char *v = c->data;
  /* Widen the one element to the block's double or int64 field; the
   * kernel converts it back exactly. */
  switch (c->dtype) {
  case SPCC_DT_F32: { float f; memcpy(&f, v, 4); p->fvalue = f; break; }
  case SPCC_DT_F64: memcpy(&p->fvalue, v, 8); break;
  case SPCC_DT_I8: p->ivalue = (int8_t)v[0]; break;
  case SPCC_DT_I16: { int16_t x; memcpy(&x, v, 2); p->ivalue = x; break; }
  case SPCC_DT_I32: { int32_t x; memcpy(&x, v, 4); p->ivalue = x; break; }
  case SPCC_DT_I64: case SPCC_DT_U64: memcpy(&p->ivalue, v, 8); break;
  case SPCC_DT_U16: { uint16_t x; memcpy(&x, v, 2); p->ivalue = x; break; }
  case SPCC_DT_U32: { uint32_t x; memcpy(&x, v, 4); p->ivalue = x; break; }
  default: p->ivalue = v[0]; break; /* u8, bool */
  }
}

bool spcc_emit_constant_of_shape(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  spcc_fill_params p;
  constant_of_shape_params(spcc_emit_graph(e), n, &p);
  emit_void_inputs(e, n, 0);
  emit_fill(e, &p, n->out[0]);
  return true;
}

bool spcc_eval_constant_of_shape(const spcc_graph *g, const spcc_node *n, const void *const *in,
                                 void *const *out, spcc_diag *d) {
  (void)in, (void)d;
  spcc_fill_params p;
  constant_of_shape_params(g, n, &p);
  spcc_fill(&p, out[0]);
  return true;
}
