/* conv2.c - C emitters and compile-time evaluators of ConvTranspose,
 * LpPool, GlobalMaxPool, GlobalLpPool and MaxUnpool.
 *
 * One static function per op fills the runtime parameter block from the
 * node (geometry from passes/shapes/conv2_geom.h and conv_geom.h, the same
 * computations the shape rules used); emit writes it as a static const
 * initializer plus one kernel call, eval runs the same kernel, so folded
 * constants equal what the generated code computes.
 */
#include <string.h>

#include "ops.h"
#include "passes/shapes/conv2_geom.h"
#include "passes/shapes/conv_geom.h"
#include "spcc/spcc_rt.h"

static const char *node_hint(const spcc_node *n) {
  return n->name && n->name[0] ? n->name : spcc_op_ir_name(n->op);
}

static spcc_dtype in_dtype(const spcc_graph *g, const spcc_node *n) {
  return g->values[n->in[0]].type.dtype;
}

static bool unsupported_dtype(const spcc_graph *g, const spcc_node *n, spcc_diag *d) {
  spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(in_dtype(g, n)));
  return false;
}

static bool is_float(spcc_dtype dt) { return dt == SPCC_DT_F32 || dt == SPCC_DT_F64; }

/* ---- ConvTranspose ------------------------------------------------------------- */

bool spcc_emit_conv_transpose(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_conv_transpose_params p;
  if (!is_float(in_dtype(g, n))) return unsupported_dtype(g, n, d);
  if (!spcc_conv_transpose_get(g, n, &p, d)) return false;
  int S = (int)p.spatial;
  const char *sym = spcc_emit_params_begin(e, "spcc_conv_transpose_params", node_hint(n));
  spcc_emit_param_i64(e, "batch", p.batch);
  spcc_emit_param_i64(e, "in_channels", p.in_channels);
  spcc_emit_param_i64(e, "out_channels", p.out_channels);
  spcc_emit_param_i64(e, "group", p.group);
  spcc_emit_param_i64(e, "spatial", p.spatial);
  spcc_emit_param_i64s(e, "in_dims", p.in_dims, S);
  spcc_emit_param_i64s(e, "out_dims", p.out_dims, S);
  spcc_emit_param_i64s(e, "kernel", p.kernel, S);
  spcc_emit_param_i64s(e, "strides", p.strides, S);
  spcc_emit_param_i64s(e, "dilations", p.dilations, S);
  spcc_emit_param_i64s(e, "pads", p.pads, S);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "spcc_conv_transpose_%s(&%s, %s, %s, %s, %s);",
                 spcc_dtype_name(in_dtype(g, n)), sym, spcc_emit_ptr(e, n->in[0]),
                 spcc_emit_ptr(e, n->in[1]), spcc_emit_ptr(e, spcc_node_in(n, 2)),
                 spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_conv_transpose(const spcc_graph *g, const spcc_node *n, const void *const *in,
                              void *const *out, spcc_diag *d) {
  spcc_conv_transpose_params p;
  if (!spcc_conv_transpose_get(g, n, &p, d)) return false;
  const void *b = spcc_node_in(n, 2) >= 0 ? in[2] : NULL;
  switch (in_dtype(g, n)) {
  case SPCC_DT_F32: spcc_conv_transpose_f32(&p, in[0], in[1], b, out[0]); return true;
  case SPCC_DT_F64: spcc_conv_transpose_f64(&p, in[0], in[1], b, out[0]); return true;
  default: return unsupported_dtype(g, n, d);
  }
}

/* ---- LpPool -------------------------------------------------------------------- */

static bool lp_params(const spcc_graph *g, const spcc_node *n, spcc_pool_params *p, double *lp,
                      spcc_diag *d) {
  const spcc_type *x = &g->values[n->in[0]].type;
  spcc_window_geom geo;
  if (!spcc_lp_pool_order(g, n, lp, d)) return false;
  if (!spcc_window_geom_get(g, n, x, NULL, true, &geo, d)) return false;
  memset(p, 0, sizeof *p);
  p->batch = x->dims[0];
  p->channels = x->dims[1];
  p->spatial = geo.spatial;
  for (int i = 0; i < geo.spatial; i++) {
    p->in_dims[i] = geo.in[i];
    p->out_dims[i] = geo.out[i];
    p->kernel[i] = geo.kernel[i];
    p->strides[i] = geo.strides[i];
    p->dilations[i] = geo.dilations[i];
    p->pads[i] = geo.pads[i];
    p->pads_end[i] = geo.pads_end[i];
  }
  return true;
}

bool spcc_emit_lp_pool(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_pool_params p;
  double lp;
  if (!is_float(in_dtype(g, n))) return unsupported_dtype(g, n, d);
  if (!lp_params(g, n, &p, &lp, d)) return false;
  int S = (int)p.spatial;
  const char *sym = spcc_emit_params_begin(e, "spcc_pool_params", node_hint(n));
  spcc_emit_param_i64(e, "batch", p.batch);
  spcc_emit_param_i64(e, "channels", p.channels);
  spcc_emit_param_i64(e, "spatial", p.spatial);
  spcc_emit_param_i64s(e, "in_dims", p.in_dims, S);
  spcc_emit_param_i64s(e, "out_dims", p.out_dims, S);
  spcc_emit_param_i64s(e, "kernel", p.kernel, S);
  spcc_emit_param_i64s(e, "strides", p.strides, S);
  spcc_emit_param_i64s(e, "dilations", p.dilations, S);
  spcc_emit_param_i64s(e, "pads", p.pads, S);
  spcc_emit_param_i64s(e, "pads_end", p.pads_end, S);
  spcc_emit_params_end(e);
  char buf[64];
  spcc_format_f64(buf, sizeof buf, lp);
  spcc_emit_line(e, "spcc_lp_pool_%s(&%s, %s, %s, %s);", spcc_dtype_name(in_dtype(g, n)), sym,
                 buf, spcc_emit_ptr(e, n->in[0]), spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_lp_pool(const spcc_graph *g, const spcc_node *n, const void *const *in,
                       void *const *out, spcc_diag *d) {
  spcc_pool_params p;
  double lp;
  if (!lp_params(g, n, &p, &lp, d)) return false;
  switch (in_dtype(g, n)) {
  case SPCC_DT_F32: spcc_lp_pool_f32(&p, lp, in[0], out[0]); return true;
  case SPCC_DT_F64: spcc_lp_pool_f64(&p, lp, in[0], out[0]); return true;
  default: return unsupported_dtype(g, n, d);
  }
}

/* ---- GlobalMaxPool, GlobalLpPool ---------------------------------------------- */

static void global_params(const spcc_graph *g, const spcc_node *n, spcc_global_pool_params *p) {
  const spcc_type *x = &g->values[n->in[0]].type;
  memset(p, 0, sizeof *p);
  p->outer = x->dims[0] * x->dims[1];
  p->size = 1;
  for (int i = 2; i < x->rank; i++) p->size *= x->dims[i];
}

/* lp_text is NULL for GlobalMaxPool. */
static bool emit_global(spcc_emitter *e, const spcc_node *n, const char *kernel,
                        const char *lp_text, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  if (!is_float(in_dtype(g, n))) return unsupported_dtype(g, n, d);
  spcc_global_pool_params p;
  global_params(g, n, &p);
  const char *sym = spcc_emit_params_begin(e, "spcc_global_pool_params", node_hint(n));
  spcc_emit_param_i64(e, "outer", p.outer);
  spcc_emit_param_i64(e, "size", p.size);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "%s_%s(&%s, %s%s%s, %s);", kernel, spcc_dtype_name(in_dtype(g, n)), sym,
                 lp_text ? lp_text : "", lp_text ? ", " : "", spcc_emit_ptr(e, n->in[0]),
                 spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_emit_global_max_pool(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  return emit_global(e, n, "spcc_global_max_pool", NULL, d);
}

bool spcc_eval_global_max_pool(const spcc_graph *g, const spcc_node *n, const void *const *in,
                               void *const *out, spcc_diag *d) {
  spcc_global_pool_params p;
  global_params(g, n, &p);
  switch (in_dtype(g, n)) {
  case SPCC_DT_F32: spcc_global_max_pool_f32(&p, in[0], out[0]); return true;
  case SPCC_DT_F64: spcc_global_max_pool_f64(&p, in[0], out[0]); return true;
  default: return unsupported_dtype(g, n, d);
  }
}

bool spcc_emit_global_lp_pool(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  double lp;
  char buf[64];
  if (!spcc_lp_pool_order(spcc_emit_graph(e), n, &lp, d)) return false;
  spcc_format_f64(buf, sizeof buf, lp);
  return emit_global(e, n, "spcc_global_lp_pool", buf, d);
}

bool spcc_eval_global_lp_pool(const spcc_graph *g, const spcc_node *n, const void *const *in,
                              void *const *out, spcc_diag *d) {
  spcc_global_pool_params p;
  double lp;
  if (!spcc_lp_pool_order(g, n, &lp, d)) return false;
  global_params(g, n, &p);
  switch (in_dtype(g, n)) {
  case SPCC_DT_F32: spcc_global_lp_pool_f32(&p, lp, in[0], out[0]); return true;
  case SPCC_DT_F64: spcc_global_lp_pool_f64(&p, lp, in[0], out[0]); return true;
  default: return unsupported_dtype(g, n, d);
  }
}

/* ---- MaxUnpool ----------------------------------------------------------------- */

static bool unpool_params(const spcc_graph *g, const spcc_node *n, spcc_max_unpool_params *p,
                          spcc_diag *d) {
  const spcc_type *x = &g->values[n->in[0]].type;
  int64_t dims[SPCC_MAX_RANK], natural[SPCC_MAX_RANK];
  int rank;
  if (!spcc_max_unpool_shape(g, n, dims, natural, &rank, d)) return false;
  memset(p, 0, sizeof *p);
  p->x_numel = spcc_type_numel(x);
  p->y_numel = 1;
  p->rank = rank;
  for (int i = 0; i < rank; i++) {
    p->y_numel *= dims[i];
    p->index_dims[i] = natural[i];
    p->y_dims[i] = dims[i];
  }
  p->elem_size = (int64_t)spcc_dtype_size(x->dtype);
  return true;
}

bool spcc_emit_max_unpool(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_max_unpool_params p;
  if (!unpool_params(g, n, &p, d)) return false;
  const char *sym = spcc_emit_params_begin(e, "spcc_max_unpool_params", node_hint(n));
  spcc_emit_param_i64(e, "x_numel", p.x_numel);
  spcc_emit_param_i64(e, "y_numel", p.y_numel);
  spcc_emit_param_i64(e, "elem_size", p.elem_size);
  spcc_emit_param_i64(e, "rank", p.rank);
  spcc_emit_param_i64s(e, "index_dims", p.index_dims, (int)p.rank);
  spcc_emit_param_i64s(e, "y_dims", p.y_dims, (int)p.rank);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "spcc_max_unpool(&%s, %s, %s, %s);", sym, spcc_emit_ptr(e, n->in[0]),
                 spcc_emit_ptr(e, n->in[1]), spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_max_unpool(const spcc_graph *g, const spcc_node *n, const void *const *in,
                          void *const *out, spcc_diag *d) {
  spcc_max_unpool_params p;
  if (!unpool_params(g, n, &p, d)) return false;
  spcc_max_unpool(&p, in[0], in[1], out[0]);
  return true;
}
