/* layout.c - C emission and compile-time evaluation of the layout and
 * construction ops (Resize/Upsample are in resize.c).
 *
 * For each op one static function fills the runtime parameter block from
 * the node; emit writes it as a `static const` block plus a kernel call,
 * eval runs the same kernel, so folded constants equal the generated
 * code's results. DepthToSpace/SpaceToDepth become 6-D transposes. Inputs
 * that only mattered at compile time are referenced with (void) so their
 * arrays are not unused statics.
 */
#include <stdio.h>
#include <string.h>

#include "backend/c/ops.h"
#include "passes/shapes/layout.h"
#include "spcc/spcc_rt.h"

static const spcc_type *in_t(const spcc_graph *g, const spcc_node *n, int k) {
  return spcc_in_type(g, n, k);
}

static const spcc_type *out_t(const spcc_graph *g, const spcc_node *n, int k) {
  return &g->values[n->out[k]].type;
}

static int64_t es_of(const spcc_type *t) { return (int64_t)spcc_dtype_size(t->dtype); }

static void touch(spcc_emitter *e, const spcc_node *n, int k) {
  const int vid = spcc_node_in(n, k);
  if (vid >= 0) spcc_emit_line(e, "(void)%s;", spcc_emit_ptr(e, vid));
}

/* [outer, len, inner] around axis. */
static void split3(const spcc_type *t, int axis, int64_t *outer, int64_t *len, int64_t *inner) {
  *outer = *inner = 1;
  for (int r = 0; r < axis; r++) *outer *= t->dims[r];
  for (int r = axis + 1; r < t->rank; r++) *inner *= t->dims[r];
  *len = t->dims[axis];
}

/* ---- Pad -------------------------------------------------------------------------- */

static void pad_params(const spcc_graph *g, const spcc_node *n, spcc_pad_params *p) {
  const spcc_type *x = in_t(g, n, 0);
  int64_t pads[2 * SPCC_MAX_RANK];
  spcc_layout_pads(g, n, x->rank, pads);
  const char *mode = spcc_attr_string(n, "mode", "constant");
  memset(p, 0, sizeof *p);
  p->elem_size = es_of(x);
  p->rank = x->rank;
  p->mode = !strcmp(mode, "reflect") ? 1 : !strcmp(mode, "edge") ? 2 : 0;
  for (int r = 0; r < x->rank; r++) {
    p->in_dims[r] = x->dims[r];
    p->out_dims[r] = out_t(g, n, 0)->dims[r];
    p->begin[r] = pads[r];
  }
}

bool spcc_emit_pad(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_pad_params p;
  pad_params(g, n, &p);
  const char *value = "NULL";
  if (n->opset >= 11) {
    if (spcc_node_in(n, 2) >= 0) value = spcc_emit_ptr(e, n->in[2]);
  } else {
    const float v = spcc_attr_float(n, "value", 0.0f);
    const spcc_dtype dt = in_t(g, n, 0)->dtype;
    if (v != 0 && p.mode == 0) {
      char buf[64];
      if (dt == SPCC_DT_F32) spcc_format_f32(buf, sizeof buf, v);
      else if (dt == SPCC_DT_F64) spcc_format_f64(buf, sizeof buf, v);
      else {
        spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(dt));
        return false;
      }
      value = spcc_emit_symbol(e, "pad_value");
      spcc_emit_decl(e, "static const %s %s[1] = {%s};\n", spcc_dtype_ctype(dt), value, buf);
    }
  }
  touch(e, n, 1);
  const char *sym = spcc_emit_params_begin(e, "spcc_pad_params", "pad");
  spcc_emit_param_i64(e, "elem_size", p.elem_size);
  spcc_emit_param_i64(e, "rank", p.rank);
  spcc_emit_param_i64(e, "mode", p.mode);
  spcc_emit_param_i64s(e, "in_dims", p.in_dims, (int)p.rank);
  spcc_emit_param_i64s(e, "out_dims", p.out_dims, (int)p.rank);
  spcc_emit_param_i64s(e, "begin", p.begin, (int)p.rank);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "spcc_pad(&%s, %s, %s, %s);", sym, spcc_emit_ptr(e, n->in[0]), value,
                 spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_pad(const spcc_graph *g, const spcc_node *n, const void *const *in,
                   void *const *out, spcc_diag *d) {
  spcc_pad_params p;
  pad_params(g, n, &p);
  const void *value = NULL;
  float vf;
  double vd;
  if (n->opset >= 11) {
    value = spcc_node_in(n, 2) >= 0 ? in[2] : NULL;
  } else if ((vf = spcc_attr_float(n, "value", 0.0f)) != 0 && p.mode == 0) {
    const spcc_dtype dt = in_t(g, n, 0)->dtype;
    vd = vf;
    if (dt == SPCC_DT_F32) value = &vf;
    else if (dt == SPCC_DT_F64) value = &vd;
    else {
      spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(dt));
      return false;
    }
  }
  spcc_pad(&p, in[0], value, out[0]);
  return true;
}

/* ---- DepthToSpace / SpaceToDepth as transposes -------------------------------------- */

static void block_params(const spcc_graph *g, const spcc_node *n, bool to_space,
                         spcc_transpose_params *p) {
  const spcc_type *x = in_t(g, n, 0);
  const int64_t b = spcc_attr_int(n, "blocksize", 1), N = x->dims[0];
  int64_t view[6], s[6], order[6];
  if (to_space) {
    const int64_t C = x->dims[1] / (b * b), H = x->dims[2], W = x->dims[3];
    const bool crd = !strcmp(spcc_attr_string(n, "mode", "DCR"), "CRD");
    /* view of the input; output is [N, C, H, b1, W, b2] */
    const int64_t v_dcr[6] = {N, b, b, C, H, W}, o_dcr[6] = {0, 3, 4, 1, 5, 2};
    const int64_t v_crd[6] = {N, C, b, b, H, W}, o_crd[6] = {0, 1, 4, 2, 5, 3};
    memcpy(view, crd ? v_crd : v_dcr, sizeof view);
    memcpy(order, crd ? o_crd : o_dcr, sizeof order);
  } else {
    const int64_t C = x->dims[1], H = x->dims[2] / b, W = x->dims[3] / b;
    const int64_t v[6] = {N, C, H, b, W, b}, o[6] = {0, 3, 5, 1, 2, 4};
    memcpy(view, v, sizeof view);
    memcpy(order, o, sizeof order);
  }
  s[5] = 1;
  for (int r = 4; r >= 0; r--) s[r] = s[r + 1] * view[r + 1];
  memset(p, 0, sizeof *p);
  p->elem_size = es_of(x);
  p->rank = 6;
  for (int r = 0; r < 6; r++) {
    p->dims[r] = view[order[r]];
    p->in_strides[r] = s[order[r]];
  }
}

static bool emit_block(spcc_emitter *e, const spcc_node *n, bool to_space) {
  spcc_transpose_params p;
  block_params(spcc_emit_graph(e), n, to_space, &p);
  const char *sym = spcc_emit_params_begin(e, "spcc_transpose_params", "block");
  spcc_emit_param_i64(e, "elem_size", p.elem_size);
  spcc_emit_param_i64(e, "rank", p.rank);
  spcc_emit_param_i64s(e, "dims", p.dims, 6);
  spcc_emit_param_i64s(e, "in_strides", p.in_strides, 6);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "spcc_transpose(&%s, %s, %s);", sym, spcc_emit_ptr(e, n->in[0]),
                 spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_emit_depth_to_space(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  return emit_block(e, n, true);
}

bool spcc_eval_depth_to_space(const spcc_graph *g, const spcc_node *n, const void *const *in,
                              void *const *out, spcc_diag *d) {
  (void)d;
  spcc_transpose_params p;
  block_params(g, n, true, &p);
  spcc_transpose(&p, in[0], out[0]);
  return true;
}

bool spcc_emit_space_to_depth(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  return emit_block(e, n, false);
}

bool spcc_eval_space_to_depth(const spcc_graph *g, const spcc_node *n, const void *const *in,
                              void *const *out, spcc_diag *d) {
  (void)d;
  spcc_transpose_params p;
  block_params(g, n, false, &p);
  spcc_transpose(&p, in[0], out[0]);
  return true;
}

/* ---- Range / NonZero -------------------------------------------------------------
 * Their output shapes need constant inputs, so these usually fold; they
 * are emitted only when the result is too large to become a constant. */

bool spcc_emit_range(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  const spcc_type *y = out_t(spcc_emit_graph(e), n, 0);
  touch(e, n, 1);
  const char *sym = spcc_emit_params_begin(e, "spcc_range_params", "range");
  spcc_emit_param_i64(e, "n", y->dims[0]);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "spcc_range_%s(&%s, %s, %s, %s);", spcc_dtype_name(y->dtype), sym,
                 spcc_emit_ptr(e, n->in[0]), spcc_emit_ptr(e, n->in[2]),
                 spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_range(const spcc_graph *g, const spcc_node *n, const void *const *in,
                     void *const *out, spcc_diag *d) {
  (void)d;
  const spcc_type *y = out_t(g, n, 0);
  const spcc_range_params p = {.n = y->dims[0]};
  switch (y->dtype) {
  case SPCC_DT_F32: spcc_range_f32(&p, in[0], in[2], out[0]); break;
  case SPCC_DT_F64: spcc_range_f64(&p, in[0], in[2], out[0]); break;
  case SPCC_DT_I16: spcc_range_i16(&p, in[0], in[2], out[0]); break;
  case SPCC_DT_I32: spcc_range_i32(&p, in[0], in[2], out[0]); break;
  default: spcc_range_i64(&p, in[0], in[2], out[0]); break;
  }
  return true;
}

static void nonzero_params(const spcc_graph *g, const spcc_node *n, spcc_nonzero_params *p) {
  const spcc_type *x = in_t(g, n, 0);
  memset(p, 0, sizeof *p);
  p->elem_size = es_of(x);
  p->kind = x->dtype == SPCC_DT_F32 ? 1 : x->dtype == SPCC_DT_F64 ? 2 : 0;
  p->rank = x->rank;
  p->nnz = out_t(g, n, 0)->dims[1];
  for (int r = 0; r < x->rank; r++) p->dims[r] = x->dims[r];
}

bool spcc_emit_non_zero(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  spcc_nonzero_params p;
  nonzero_params(spcc_emit_graph(e), n, &p);
  const char *sym = spcc_emit_params_begin(e, "spcc_nonzero_params", "nonzero");
  spcc_emit_param_i64(e, "elem_size", p.elem_size);
  spcc_emit_param_i64(e, "kind", p.kind);
  spcc_emit_param_i64(e, "rank", p.rank);
  spcc_emit_param_i64(e, "nnz", p.nnz);
  if (p.rank > 0) spcc_emit_param_i64s(e, "dims", p.dims, (int)p.rank);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "spcc_nonzero(&%s, %s, %s);", sym, spcc_emit_ptr(e, n->in[0]),
                 spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_non_zero(const spcc_graph *g, const spcc_node *n, const void *const *in,
                        void *const *out, spcc_diag *d) {
  (void)d;
  spcc_nonzero_params p;
  nonzero_params(g, n, &p);
  spcc_nonzero(&p, in[0], out[0]);
  return true;
}

/* ---- CumSum --------------------------------------------------------------------------- */

static void cumsum_params(const spcc_graph *g, const spcc_node *n, spcc_cumsum_params *p) {
  const spcc_type *x = in_t(g, n, 0);
  int64_t axis = 0;
  int cnt;
  spcc_layout_const_ints(g, n, 1, &axis, 1, &cnt);
  memset(p, 0, sizeof *p);
  split3(x, spcc_layout_axis(axis, x->rank), &p->outer, &p->len, &p->inner);
  p->exclusive = spcc_attr_int(n, "exclusive", 0) != 0;
  p->reverse = spcc_attr_int(n, "reverse", 0) != 0;
}

bool spcc_emit_cumsum(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  spcc_cumsum_params p;
  cumsum_params(spcc_emit_graph(e), n, &p);
  touch(e, n, 1);
  const char *sym = spcc_emit_params_begin(e, "spcc_cumsum_params", "cumsum");
  spcc_emit_param_i64(e, "outer", p.outer);
  spcc_emit_param_i64(e, "len", p.len);
  spcc_emit_param_i64(e, "inner", p.inner);
  spcc_emit_param_i64(e, "exclusive", p.exclusive);
  spcc_emit_param_i64(e, "reverse", p.reverse);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "spcc_cumsum_%s(&%s, %s, %s);",
                 spcc_dtype_name(in_t(spcc_emit_graph(e), n, 0)->dtype), sym,
                 spcc_emit_ptr(e, n->in[0]), spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_cumsum(const spcc_graph *g, const spcc_node *n, const void *const *in,
                      void *const *out, spcc_diag *d) {
  (void)d;
  spcc_cumsum_params p;
  cumsum_params(g, n, &p);
  switch (in_t(g, n, 0)->dtype) {
  case SPCC_DT_F32: spcc_cumsum_f32(&p, in[0], out[0]); break;
  case SPCC_DT_F64: spcc_cumsum_f64(&p, in[0], out[0]); break;
  case SPCC_DT_I32: spcc_cumsum_i32(&p, in[0], out[0]); break;
  case SPCC_DT_I64: spcc_cumsum_i64(&p, in[0], out[0]); break;
  case SPCC_DT_U32: spcc_cumsum_u32(&p, in[0], out[0]); break;
  default: spcc_cumsum_u64(&p, in[0], out[0]); break;
  }
  return true;
}

/* ---- Trilu / EyeLike --------------------------------------------------------------------- */

static void trilu_params(const spcc_graph *g, const spcc_node *n, spcc_trilu_params *p) {
  const spcc_type *x = in_t(g, n, 0);
  memset(p, 0, sizeof *p);
  p->elem_size = es_of(x);
  p->rows = x->dims[x->rank - 2];
  p->cols = x->dims[x->rank - 1];
  p->batch = 1;
  for (int r = 0; r < x->rank - 2; r++) p->batch *= x->dims[r];
  p->upper = spcc_attr_int(n, "upper", 1) != 0;
}

bool spcc_emit_trilu(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  spcc_trilu_params p;
  trilu_params(spcc_emit_graph(e), n, &p);
  const char *sym = spcc_emit_params_begin(e, "spcc_trilu_params", "trilu");
  spcc_emit_param_i64(e, "elem_size", p.elem_size);
  spcc_emit_param_i64(e, "batch", p.batch);
  spcc_emit_param_i64(e, "rows", p.rows);
  spcc_emit_param_i64(e, "cols", p.cols);
  spcc_emit_param_i64(e, "upper", p.upper);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "spcc_trilu(&%s, %s, %s, %s);", sym, spcc_emit_ptr(e, n->in[0]),
                 spcc_emit_ptr(e, spcc_node_in(n, 1)), spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_trilu(const spcc_graph *g, const spcc_node *n, const void *const *in,
                     void *const *out, spcc_diag *d) {
  (void)d;
  spcc_trilu_params p;
  trilu_params(g, n, &p);
  spcc_trilu(&p, in[0], spcc_node_in(n, 1) >= 0 ? in[1] : NULL, out[0]);
  return true;
}

static void eyelike_params(const spcc_graph *g, const spcc_node *n, spcc_eyelike_params *p) {
  const spcc_type *y = out_t(g, n, 0);
  memset(p, 0, sizeof *p);
  p->elem_size = es_of(y);
  p->rows = y->dims[0];
  p->cols = y->dims[1];
  p->k = spcc_attr_int(n, "k", 0);
}

bool spcc_emit_eye_like(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  spcc_eyelike_params p;
  eyelike_params(spcc_emit_graph(e), n, &p);
  touch(e, n, 0);
  const char *one = spcc_emit_symbol(e, "one");
  spcc_emit_decl(e, "static const %s %s[1] = {1};\n",
                 spcc_dtype_ctype(out_t(spcc_emit_graph(e), n, 0)->dtype), one);
  const char *sym = spcc_emit_params_begin(e, "spcc_eyelike_params", "eyelike");
  spcc_emit_param_i64(e, "elem_size", p.elem_size);
  spcc_emit_param_i64(e, "rows", p.rows);
  spcc_emit_param_i64(e, "cols", p.cols);
  spcc_emit_param_i64(e, "k", p.k);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "spcc_eyelike(&%s, %s, %s);", sym, one, spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_eye_like(const spcc_graph *g, const spcc_node *n, const void *const *in,
                        void *const *out, spcc_diag *d) {
  (void)d;
  (void)in;
  spcc_eyelike_params p;
  eyelike_params(g, n, &p);
  unsigned char one[8];
  const spcc_dtype dt = out_t(g, n, 0)->dtype;
  const float f = 1.0f;
  const double dd = 1.0;
  const int64_t i64 = 1;
  const uint64_t u64 = 1;
  if (dt == SPCC_DT_F32) memcpy(one, &f, 4);
  else if (dt == SPCC_DT_F64) memcpy(one, &dd, 8);
  else {
    /* integers: the value 1 in the element's width, host byte order */
    int8_t i8 = 1; int16_t i16 = 1; int32_t i32 = 1;
    switch (p.elem_size) {
    case 1: memcpy(one, &i8, 1); break;
    case 2: memcpy(one, &i16, 2); break;
    case 4: memcpy(one, &i32, 4); break;
    default: memcpy(one, spcc_dtype_is_signed_int(dt) ? (const void *)&i64 : (const void *)&u64, 8);
    }
  }
  spcc_eyelike(&p, one, out[0]);
  return true;
}
