/* layout_index.c - C emission and compile-time evaluation of the layout ops
 * driven by index tensors: OneHot, TopK, Compress, Scatter /
 * ScatterElements / ScatterND, ReverseSequence.
 *
 * Same scheme as layout.c: one static function per op fills the runtime
 * parameter block, shared by emit and eval. Index tensors stay runtime
 * inputs; their element type travels in the block (idx_type).
 */
#include <stdio.h>
#include <string.h>

#include "backend/c/ops.h"
#include "passes/shapes/layout.h"
#include "spcc/spcc_rt.h"

static const spcc_type *in_t(const spcc_graph *g, const spcc_node *n, int k) {
  return spcc_in_type(g, n, k);
}

static void touch(spcc_emitter *e, const spcc_node *n, int k) {
  const int vid = spcc_node_in(n, k);
  if (vid >= 0) spcc_emit_line(e, "(void)%s;", spcc_emit_ptr(e, vid));
}

static void split3(const spcc_type *t, int axis, int64_t *outer, int64_t *len, int64_t *inner) {
  *outer = *inner = 1;
  for (int r = 0; r < axis; r++) *outer *= t->dims[r];
  for (int r = axis + 1; r < t->rank; r++) *inner *= t->dims[r];
  *len = t->dims[axis];
}

static int64_t idx_code(spcc_dtype dt) {
  switch (dt) {
  case SPCC_DT_I32: return SPCC_LAYOUT_IDX_I32;
  case SPCC_DT_F32: return SPCC_LAYOUT_IDX_F32;
  case SPCC_DT_F64: return SPCC_LAYOUT_IDX_F64;
  default: return SPCC_LAYOUT_IDX_I64;
  }
}

/* ---- OneHot ------------------------------------------------------------------------- */

static void onehot_params(const spcc_graph *g, const spcc_node *n, spcc_onehot_params *p) {
  const spcc_type *y = &g->values[n->out[0]].type;
  memset(p, 0, sizeof *p);
  p->elem_size = (int64_t)spcc_dtype_size(y->dtype);
  p->idx_type = idx_code(in_t(g, n, 0)->dtype);
  split3(y, spcc_layout_axis(spcc_attr_int(n, "axis", -1), y->rank), &p->outer, &p->depth,
         &p->inner);
}

bool spcc_emit_one_hot(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  spcc_onehot_params p;
  onehot_params(spcc_emit_graph(e), n, &p);
  touch(e, n, 1);
  const char *sym = spcc_emit_params_begin(e, "spcc_onehot_params", "onehot");
  spcc_emit_param_i64(e, "elem_size", p.elem_size);
  spcc_emit_param_i64(e, "idx_type", p.idx_type);
  spcc_emit_param_i64(e, "outer", p.outer);
  spcc_emit_param_i64(e, "depth", p.depth);
  spcc_emit_param_i64(e, "inner", p.inner);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "spcc_onehot(&%s, %s, %s, %s);", sym, spcc_emit_ptr(e, n->in[0]),
                 spcc_emit_ptr(e, n->in[2]), spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_one_hot(const spcc_graph *g, const spcc_node *n, const void *const *in,
                       void *const *out, spcc_diag *d) {
  (void)d;
  spcc_onehot_params p;
  onehot_params(g, n, &p);
  spcc_onehot(&p, in[0], in[2], out[0]);
  return true;
}

/* ---- TopK ----------------------------------------------------------------------------- */

static void topk_params(const spcc_graph *g, const spcc_node *n, spcc_topk_params *p) {
  const spcc_type *x = in_t(g, n, 0);
  memset(p, 0, sizeof *p);
  split3(x, spcc_layout_axis(spcc_attr_int(n, "axis", -1), x->rank), &p->outer, &p->len,
         &p->inner);
  const int axis = spcc_layout_axis(spcc_attr_int(n, "axis", -1), x->rank);
  p->k = g->values[n->out[0]].type.dims[axis];
  p->largest = spcc_attr_int(n, "largest", 1) != 0;
}

bool spcc_emit_top_k(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  spcc_topk_params p;
  topk_params(spcc_emit_graph(e), n, &p);
  touch(e, n, 1);
  const char *sym = spcc_emit_params_begin(e, "spcc_topk_params", "topk");
  spcc_emit_param_i64(e, "outer", p.outer);
  spcc_emit_param_i64(e, "len", p.len);
  spcc_emit_param_i64(e, "inner", p.inner);
  spcc_emit_param_i64(e, "k", p.k);
  spcc_emit_param_i64(e, "largest", p.largest);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "spcc_topk_%s(&%s, %s, %s, %s);",
                 spcc_dtype_name(in_t(spcc_emit_graph(e), n, 0)->dtype), sym,
                 spcc_emit_ptr(e, n->in[0]), spcc_emit_ptr(e, n->out[0]),
                 spcc_emit_ptr(e, n->out[1]));
  return true;
}

bool spcc_eval_top_k(const spcc_graph *g, const spcc_node *n, const void *const *in,
                     void *const *out, spcc_diag *d) {
  (void)d;
  spcc_topk_params p;
  topk_params(g, n, &p);
  switch (in_t(g, n, 0)->dtype) {
  case SPCC_DT_F32: spcc_topk_f32(&p, in[0], out[0], out[1]); break;
  case SPCC_DT_F64: spcc_topk_f64(&p, in[0], out[0], out[1]); break;
  case SPCC_DT_I32: spcc_topk_i32(&p, in[0], out[0], out[1]); break;
  default: spcc_topk_i64(&p, in[0], out[0], out[1]); break;
  }
  return true;
}

/* ---- Compress ----------------------------------------------------------------------------- */

static void compress_params(const spcc_graph *g, const spcc_node *n, spcc_compress_params *p) {
  const spcc_type *x = in_t(g, n, 0);
  const spcc_attr *a = spcc_node_attr(n, "axis");
  memset(p, 0, sizeof *p);
  p->elem_size = (int64_t)spcc_dtype_size(x->dtype);
  if (a) {
    split3(x, spcc_layout_axis(a->i, x->rank), &p->outer, &p->len, &p->inner);
  } else {
    p->outer = p->inner = 1;
    p->len = spcc_type_numel(x);
  }
  p->cond_len = spcc_type_numel(in_t(g, n, 1));
}

bool spcc_emit_compress(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  spcc_compress_params p;
  compress_params(spcc_emit_graph(e), n, &p);
  const char *sym = spcc_emit_params_begin(e, "spcc_compress_params", "compress");
  spcc_emit_param_i64(e, "elem_size", p.elem_size);
  spcc_emit_param_i64(e, "outer", p.outer);
  spcc_emit_param_i64(e, "len", p.len);
  spcc_emit_param_i64(e, "inner", p.inner);
  spcc_emit_param_i64(e, "cond_len", p.cond_len);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "spcc_compress(&%s, %s, %s, %s);", sym, spcc_emit_ptr(e, n->in[0]),
                 spcc_emit_ptr(e, n->in[1]), spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_compress(const spcc_graph *g, const spcc_node *n, const void *const *in,
                        void *const *out, spcc_diag *d) {
  (void)d;
  spcc_compress_params p;
  compress_params(g, n, &p);
  spcc_compress(&p, in[0], in[1], out[0]);
  return true;
}

/* ---- Scatter family -------------------------------------------------------------------------- */

static int64_t reduction_code(const spcc_node *n) {
  const char *r = spcc_attr_string(n, "reduction", "none");
  return !strcmp(r, "add") ? 1 : !strcmp(r, "mul") ? 2 : 0;
}

static void scatter_el_params(const spcc_graph *g, const spcc_node *n,
                              spcc_scatter_elements_params *p) {
  const spcc_type *x = in_t(g, n, 0), *u = in_t(g, n, 1);
  memset(p, 0, sizeof *p);
  p->rank = x->rank;
  p->axis = spcc_layout_axis(spcc_attr_int(n, "axis", 0), x->rank);
  p->reduction = reduction_code(n);
  p->idx_type = idx_code(u->dtype);
  for (int r = 0; r < x->rank; r++) {
    p->d[r] = x->dims[r];
    p->u[r] = u->dims[r];
  }
}

static void scatter_nd_params(const spcc_graph *g, const spcc_node *n,
                              spcc_scatter_nd_params *p) {
  const spcc_type *x = in_t(g, n, 0), *ix = in_t(g, n, 1);
  memset(p, 0, sizeof *p);
  p->reduction = reduction_code(n);
  p->idx_type = idx_code(ix->dtype);
  p->k = ix->dims[ix->rank - 1];
  p->n_upd = 1;
  for (int r = 0; r < ix->rank - 1; r++) p->n_upd *= ix->dims[r];
  p->slice = 1;
  for (int r = (int)p->k; r < x->rank; r++) p->slice *= x->dims[r];
  for (int r = 0; r < p->k; r++) p->d[r] = x->dims[r];
}

static bool emit_scatter(spcc_emitter *e, const spcc_node *n, bool nd) {
  const spcc_graph *g = spcc_emit_graph(e);
  const char *sym;
  if (nd) {
    spcc_scatter_nd_params p;
    scatter_nd_params(g, n, &p);
    sym = spcc_emit_params_begin(e, "spcc_scatter_nd_params", "scatter_nd");
    spcc_emit_param_i64(e, "reduction", p.reduction);
    spcc_emit_param_i64(e, "idx_type", p.idx_type);
    spcc_emit_param_i64(e, "k", p.k);
    spcc_emit_param_i64(e, "n_upd", p.n_upd);
    spcc_emit_param_i64(e, "slice", p.slice);
    spcc_emit_param_i64s(e, "d", p.d, (int)p.k);
  } else {
    spcc_scatter_elements_params p;
    scatter_el_params(g, n, &p);
    sym = spcc_emit_params_begin(e, "spcc_scatter_elements_params", "scatter");
    spcc_emit_param_i64(e, "rank", p.rank);
    spcc_emit_param_i64(e, "axis", p.axis);
    spcc_emit_param_i64(e, "reduction", p.reduction);
    spcc_emit_param_i64(e, "idx_type", p.idx_type);
    spcc_emit_param_i64s(e, "d", p.d, (int)p.rank);
    spcc_emit_param_i64s(e, "u", p.u, (int)p.rank);
  }
  spcc_emit_params_end(e);
  spcc_emit_line(e, "spcc_scatter_%s_%s(&%s, %s, %s, %s, %s);", nd ? "nd" : "elements",
                 spcc_dtype_name(in_t(g, n, 0)->dtype), sym, spcc_emit_ptr(e, n->in[0]),
                 spcc_emit_ptr(e, n->in[1]), spcc_emit_ptr(e, n->in[2]),
                 spcc_emit_ptr(e, n->out[0]));
  return true;
}

#define SCATTER_CASES(KIND, P)                                                                \
  switch (in_t(g, n, 0)->dtype) {                                                             \
  case SPCC_DT_F32: spcc_scatter_##KIND##_f32(P, in[0], in[1], in[2], out[0]); break;         \
  case SPCC_DT_F64: spcc_scatter_##KIND##_f64(P, in[0], in[1], in[2], out[0]); break;         \
  case SPCC_DT_I8: spcc_scatter_##KIND##_i8(P, in[0], in[1], in[2], out[0]); break;           \
  case SPCC_DT_I16: spcc_scatter_##KIND##_i16(P, in[0], in[1], in[2], out[0]); break;         \
  case SPCC_DT_I32: spcc_scatter_##KIND##_i32(P, in[0], in[1], in[2], out[0]); break;         \
  case SPCC_DT_I64: spcc_scatter_##KIND##_i64(P, in[0], in[1], in[2], out[0]); break;         \
  case SPCC_DT_U8: spcc_scatter_##KIND##_u8(P, in[0], in[1], in[2], out[0]); break;           \
  case SPCC_DT_U16: spcc_scatter_##KIND##_u16(P, in[0], in[1], in[2], out[0]); break;         \
  case SPCC_DT_U32: spcc_scatter_##KIND##_u32(P, in[0], in[1], in[2], out[0]); break;         \
  case SPCC_DT_U64: spcc_scatter_##KIND##_u64(P, in[0], in[1], in[2], out[0]); break;         \
  default: spcc_scatter_##KIND##_bool(P, in[0], in[1], in[2], out[0]); break;                 \
  }

static bool eval_scatter_el(const spcc_graph *g, const spcc_node *n, const void *const *in,
                            void *const *out) {
  spcc_scatter_elements_params p;
  scatter_el_params(g, n, &p);
  SCATTER_CASES(elements, &p)
  return true;
}

bool spcc_emit_scatter(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  return emit_scatter(e, n, false);
}

bool spcc_eval_scatter(const spcc_graph *g, const spcc_node *n, const void *const *in,
                       void *const *out, spcc_diag *d) {
  (void)d;
  return eval_scatter_el(g, n, in, out);
}

bool spcc_emit_scatter_elements(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  return emit_scatter(e, n, false);
}

bool spcc_eval_scatter_elements(const spcc_graph *g, const spcc_node *n, const void *const *in,
                                void *const *out, spcc_diag *d) {
  (void)d;
  return eval_scatter_el(g, n, in, out);
}

bool spcc_emit_scatter_nd(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  return emit_scatter(e, n, true);
}

bool spcc_eval_scatter_nd(const spcc_graph *g, const spcc_node *n, const void *const *in,
                          void *const *out, spcc_diag *d) {
  (void)d;
  spcc_scatter_nd_params p;
  scatter_nd_params(g, n, &p);
  SCATTER_CASES(nd, &p)
  return true;
}

/* ---- ReverseSequence ------------------------------------------------------------------------- */

static void revseq_params(const spcc_graph *g, const spcc_node *n,
                          spcc_reverse_sequence_params *p) {
  const spcc_type *x = in_t(g, n, 0);
  memset(p, 0, sizeof *p);
  p->elem_size = (int64_t)spcc_dtype_size(x->dtype);
  p->d0 = x->dims[0];
  p->d1 = x->dims[1];
  p->inner = 1;
  for (int r = 2; r < x->rank; r++) p->inner *= x->dims[r];
  p->time_first = spcc_attr_int(n, "time_axis", 0) == 0;
  p->idx_type = idx_code(in_t(g, n, 1)->dtype);
}

bool spcc_emit_reverse_sequence(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  spcc_reverse_sequence_params p;
  revseq_params(spcc_emit_graph(e), n, &p);
  const char *sym = spcc_emit_params_begin(e, "spcc_reverse_sequence_params", "revseq");
  spcc_emit_param_i64(e, "elem_size", p.elem_size);
  spcc_emit_param_i64(e, "d0", p.d0);
  spcc_emit_param_i64(e, "d1", p.d1);
  spcc_emit_param_i64(e, "inner", p.inner);
  spcc_emit_param_i64(e, "time_first", p.time_first);
  spcc_emit_param_i64(e, "idx_type", p.idx_type);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "spcc_reverse_sequence(&%s, %s, %s, %s);", sym, spcc_emit_ptr(e, n->in[0]),
                 spcc_emit_ptr(e, n->in[1]), spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_reverse_sequence(const spcc_graph *g, const spcc_node *n, const void *const *in,
                                void *const *out, spcc_diag *d) {
  (void)d;
  spcc_reverse_sequence_params p;
  revseq_params(g, n, &p);
  spcc_reverse_sequence(&p, in[0], in[1], out[0]);
  return true;
}
