/* norm.c - C emission and compile-time evaluation of LogSoftmax, Hardmax,
 * LayerNormalization, InstanceNormalization and LRN.
 *
 * As everywhere in the backend, one static function per op fills the
 * runtime parameter block from the node's validated types and attributes;
 * emit writes it as a `static const` struct and a kernel call, eval runs
 * the same kernel, so folded constants equal the generated code's results.
 */
#include <stdio.h>
#include <string.h>

#include "backend/c/ops.h"
#include "spcc/spcc_rt.h"

static spcc_dtype in_dtype(const spcc_graph *g, const spcc_node *n) {
  return spcc_in_type(g, n, 0)->dtype;
}

static bool bad_dtype(const spcc_graph *g, const spcc_node *n, spcc_diag *d) {
  spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(in_dtype(g, n)));
  return false;
}

static bool is_float(spcc_dtype t) { return t == SPCC_DT_F32 || t == SPCC_DT_F64; }

static int64_t prod(const int64_t *dims, int from, int to) {
  int64_t p = 1;
  for (int r = from; r < to; r++) p *= dims[r];
  return p;
}

/* ---- LogSoftmax / Hardmax ----------------------------------------------------- */

static void axis_params(const spcc_graph *g, const spcc_node *n, spcc_axis_params *p) {
  const spcc_type *x = spcc_in_type(g, n, 0);
  int64_t axis = spcc_attr_int(n, "axis", n->opset < 13 ? 1 : -1);
  if (axis < 0) axis += x->rank;
  memset(p, 0, sizeof *p);
  p->outer = prod(x->dims, 0, (int)axis);
  if (n->opset < 13) { /* coerced to 2-D [outer, rest] */
    p->len = prod(x->dims, (int)axis, x->rank);
    p->inner = 1;
  } else {
    p->len = x->dims[axis];
    p->inner = prod(x->dims, (int)axis + 1, x->rank);
  }
}

static bool emit_axis_op(spcc_emitter *e, const spcc_node *n, const char *kernel, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  const spcc_dtype dt = in_dtype(g, n);
  if (!is_float(dt)) return bad_dtype(g, n, d);
  spcc_axis_params p;
  axis_params(g, n, &p);
  const char *sym = spcc_emit_params_begin(e, "spcc_axis_params", kernel);
  spcc_emit_param_i64(e, "outer", p.outer);
  spcc_emit_param_i64(e, "len", p.len);
  spcc_emit_param_i64(e, "inner", p.inner);
  spcc_emit_params_end(e);
  const char *x = spcc_emit_ptr(e, n->in[0]), *y = spcc_emit_ptr(e, n->out[0]);
  spcc_emit_line(e, "spcc_%s_%s(&%s, %s, %s);", kernel, spcc_dtype_name(dt), sym, x, y);
  return true;
}

bool spcc_emit_log_softmax(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  return emit_axis_op(e, n, "log_softmax", d);
}

bool spcc_eval_log_softmax(const spcc_graph *g, const spcc_node *n, const void *const *in,
                           void *const *out, spcc_diag *d) {
  spcc_axis_params p;
  axis_params(g, n, &p);
  switch (in_dtype(g, n)) {
  case SPCC_DT_F32: spcc_log_softmax_f32(&p, in[0], out[0]); return true;
  case SPCC_DT_F64: spcc_log_softmax_f64(&p, in[0], out[0]); return true;
  default: return bad_dtype(g, n, d);
  }
}

bool spcc_emit_hardmax(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  return emit_axis_op(e, n, "hardmax", d);
}

bool spcc_eval_hardmax(const spcc_graph *g, const spcc_node *n, const void *const *in,
                       void *const *out, spcc_diag *d) {
  spcc_axis_params p;
  axis_params(g, n, &p);
  switch (in_dtype(g, n)) {
  case SPCC_DT_F32: spcc_hardmax_f32(&p, in[0], out[0]); return true;
  case SPCC_DT_F64: spcc_hardmax_f64(&p, in[0], out[0]); return true;
  default: return bad_dtype(g, n, d);
  }
}

/* ---- LayerNormalization ----------------------------------------------------------- */

static void layer_norm_params(const spcc_graph *g, const spcc_node *n,
                              spcc_layer_norm_params *p) {
  const spcc_type *x = spcc_in_type(g, n, 0), *b = spcc_in_type(g, n, 2);
  int64_t axis = spcc_attr_int(n, "axis", -1);
  if (axis < 0) axis += x->rank;
  memset(p, 0, sizeof *p);
  p->outer = prod(x->dims, 0, (int)axis);
  p->len = prod(x->dims, (int)axis, x->rank);
  p->scale_len = spcc_type_numel(spcc_in_type(g, n, 1));
  p->bias_len = b ? spcc_type_numel(b) : 0;
  p->epsilon = (double)spcc_attr_float(n, "epsilon", 1e-5f);
}

static int out_or_none(const spcc_node *n, int k) { return k < n->n_out ? n->out[k] : -1; }

bool spcc_emit_layer_norm(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  const spcc_dtype dt = in_dtype(g, n);
  if (!is_float(dt)) return bad_dtype(g, n, d);
  spcc_layer_norm_params p;
  layer_norm_params(g, n, &p);
  const char *sym = spcc_emit_params_begin(e, "spcc_layer_norm_params", "layer_norm");
  spcc_emit_param_i64(e, "outer", p.outer);
  spcc_emit_param_i64(e, "len", p.len);
  spcc_emit_param_i64(e, "scale_len", p.scale_len);
  spcc_emit_param_i64(e, "bias_len", p.bias_len);
  spcc_emit_param_f64(e, "epsilon", p.epsilon);
  spcc_emit_params_end(e);
  const char *x = spcc_emit_ptr(e, n->in[0]), *s = spcc_emit_ptr(e, n->in[1]);
  const char *b = spcc_emit_ptr(e, spcc_node_in(n, 2)), *y = spcc_emit_ptr(e, n->out[0]);
  const char *m = spcc_emit_ptr(e, out_or_none(n, 1)), *v = spcc_emit_ptr(e, out_or_none(n, 2));
  spcc_emit_line(e, "spcc_layer_norm_%s(&%s, %s, %s, %s, %s, %s, %s);", spcc_dtype_name(dt), sym,
                 x, s, b, y, m, v);
  return true;
}

bool spcc_eval_layer_norm(const spcc_graph *g, const spcc_node *n, const void *const *in,
                          void *const *out, spcc_diag *d) {
  spcc_layer_norm_params p;
  layer_norm_params(g, n, &p);
  const void *b = spcc_node_in(n, 2) >= 0 ? in[2] : NULL;
  void *m = out_or_none(n, 1) >= 0 ? out[1] : NULL;
  void *v = out_or_none(n, 2) >= 0 ? out[2] : NULL;
  switch (in_dtype(g, n)) {
  case SPCC_DT_F32: spcc_layer_norm_f32(&p, in[0], in[1], b, out[0], m, v); return true;
  case SPCC_DT_F64: spcc_layer_norm_f64(&p, in[0], in[1], b, out[0], m, v); return true;
  default: return bad_dtype(g, n, d);
  }
}

/* ---- InstanceNormalization ---------------------------------------------------------- */

static void instance_norm_params(const spcc_graph *g, const spcc_node *n,
                                 spcc_instance_norm_params *p) {
  const spcc_type *x = spcc_in_type(g, n, 0);
  memset(p, 0, sizeof *p);
  p->batch = x->dims[0];
  p->channels = x->dims[1];
  p->inner = prod(x->dims, 2, x->rank);
  p->epsilon = (double)spcc_attr_float(n, "epsilon", 1e-5f);
}

bool spcc_emit_instance_norm(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  const spcc_dtype dt = in_dtype(g, n);
  if (!is_float(dt)) return bad_dtype(g, n, d);
  spcc_instance_norm_params p;
  instance_norm_params(g, n, &p);
  const char *sym = spcc_emit_params_begin(e, "spcc_instance_norm_params", "instance_norm");
  spcc_emit_param_i64(e, "batch", p.batch);
  spcc_emit_param_i64(e, "channels", p.channels);
  spcc_emit_param_i64(e, "inner", p.inner);
  spcc_emit_param_f64(e, "epsilon", p.epsilon);
  spcc_emit_params_end(e);
  const char *x = spcc_emit_ptr(e, n->in[0]), *s = spcc_emit_ptr(e, n->in[1]);
  const char *b = spcc_emit_ptr(e, n->in[2]), *y = spcc_emit_ptr(e, n->out[0]);
  spcc_emit_line(e, "spcc_instance_norm_%s(&%s, %s, %s, %s, %s);", spcc_dtype_name(dt), sym, x,
                 s, b, y);
  return true;
}

bool spcc_eval_instance_norm(const spcc_graph *g, const spcc_node *n, const void *const *in,
                             void *const *out, spcc_diag *d) {
  spcc_instance_norm_params p;
  instance_norm_params(g, n, &p);
  switch (in_dtype(g, n)) {
  case SPCC_DT_F32: spcc_instance_norm_f32(&p, in[0], in[1], in[2], out[0]); return true;
  case SPCC_DT_F64: spcc_instance_norm_f64(&p, in[0], in[1], in[2], out[0]); return true;
  default: return bad_dtype(g, n, d);
  }
}

/* ---- LRN -------------------------------------------------------------------------- */

static void lrn_params(const spcc_graph *g, const spcc_node *n, spcc_lrn_params *p) {
  const spcc_type *x = spcc_in_type(g, n, 0);
  memset(p, 0, sizeof *p);
  p->batch = x->dims[0];
  p->channels = x->dims[1];
  p->inner = prod(x->dims, 2, x->rank);
  p->size = spcc_attr_int(n, "size", 1);
  p->alpha = (double)spcc_attr_float(n, "alpha", 1e-4f);
  p->beta = (double)spcc_attr_float(n, "beta", 0.75f);
  p->bias = (double)spcc_attr_float(n, "bias", 1.0f);
}

bool spcc_emit_lrn(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  const spcc_dtype dt = in_dtype(g, n);
  if (!is_float(dt)) return bad_dtype(g, n, d);
  spcc_lrn_params p;
  lrn_params(g, n, &p);
  const char *sym = spcc_emit_params_begin(e, "spcc_lrn_params", "lrn");
  spcc_emit_param_i64(e, "batch", p.batch);
  spcc_emit_param_i64(e, "channels", p.channels);
  spcc_emit_param_i64(e, "inner", p.inner);
  spcc_emit_param_i64(e, "size", p.size);
  spcc_emit_param_f64(e, "alpha", p.alpha);
  spcc_emit_param_f64(e, "beta", p.beta);
  spcc_emit_param_f64(e, "bias", p.bias);
  spcc_emit_params_end(e);
  const char *x = spcc_emit_ptr(e, n->in[0]), *y = spcc_emit_ptr(e, n->out[0]);
  spcc_emit_line(e, "spcc_lrn_%s(&%s, %s, %s);", spcc_dtype_name(dt), sym, x, y);
  return true;
}

bool spcc_eval_lrn(const spcc_graph *g, const spcc_node *n, const void *const *in,
                   void *const *out, spcc_diag *d) {
  spcc_lrn_params p;
  lrn_params(g, n, &p);
  switch (in_dtype(g, n)) {
  case SPCC_DT_F32: spcc_lrn_f32(&p, in[0], out[0]); return true;
  case SPCC_DT_F64: spcc_lrn_f64(&p, in[0], out[0]); return true;
  default: return bad_dtype(g, n, d);
  }
}
