/* conv.c - C emitters and compile-time evaluators of Conv, MaxPool,
 * AveragePool and GlobalAveragePool.
 *
 * For each op one static function fills the runtime parameter block from
 * the node (the window geometry comes from passes/shapes/conv_geom.h, the
 * same computation the shape rule used); emit writes that block as a
 * static const initializer plus one kernel call, eval calls the same kernel
 * on the given buffers, so folded constants equal what the generated code
 * computes. A Conv whose weight carries a sparse encoding gets the same
 * parameter block and a sparse kernel call (backend/c/sparse.c).
 */
#include <string.h>

#include "ops.h"
#include "passes/shapes/conv_geom.h"
#include "sparse_emit.h"
#include "spcc/spcc_rt.h"

static const char *node_hint(const spcc_node *n) {
  return n->name && n->name[0] ? n->name : spcc_op_ir_name(n->op);
}

static const spcc_type *value_type(const spcc_graph *g, int vid) {
  return &g->values[vid].type;
}

static bool unsupported_dtype(const spcc_graph *g, const spcc_node *n, spcc_dtype dt,
                              spcc_diag *d) {
  spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(dt));
  return false;
}

/* ---- Conv ---------------------------------------------------------------- */

static bool conv_params(const spcc_graph *g, const spcc_node *n, spcc_conv_params *p,
                        spcc_diag *d) {
  const spcc_type *x = value_type(g, n->in[0]);
  const spcc_type *w = value_type(g, n->in[1]);
  spcc_window_geom geo;
  if (!spcc_window_geom_get(g, n, x, w->dims + 2, false, &geo, d)) return false;
  memset(p, 0, sizeof *p);
  p->batch = x->dims[0];
  p->in_channels = x->dims[1];
  p->out_channels = w->dims[0];
  p->group = p->in_channels / (w->dims[1] ? w->dims[1] : 1);
  p->spatial = geo.spatial;
  for (int i = 0; i < geo.spatial; i++) {
    p->in_dims[i] = geo.in[i];
    p->out_dims[i] = geo.out[i];
    p->kernel[i] = geo.kernel[i];
    p->strides[i] = geo.strides[i];
    p->dilations[i] = geo.dilations[i];
    p->pads[i] = geo.pads[i];
  }
  return true;
}

bool spcc_emit_conv(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_conv_params p;
  if (!conv_params(g, n, &p, d)) return false;
  int S = (int)p.spatial;
  const char *sym = spcc_emit_params_begin(e, "spcc_conv_params", node_hint(n));
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
  if (spcc_emit_sparse_weight(g, n)) return spcc_emit_sparse_conv(e, n, sym, d);
  spcc_emit_line(e, "spcc_conv_%s(&%s, %s, %s, %s, %s);",
                 spcc_dtype_name(value_type(g, n->in[0])->dtype), sym,
                 spcc_emit_ptr(e, n->in[0]), spcc_emit_ptr(e, n->in[1]),
                 spcc_emit_ptr(e, spcc_node_in(n, 2)), spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_conv(const spcc_graph *g, const spcc_node *n, const void *const *in,
                    void *const *out, spcc_diag *d) {
  spcc_conv_params p;
  if (!conv_params(g, n, &p, d)) return false;
  const void *b = spcc_node_in(n, 2) >= 0 ? in[2] : NULL;
  switch (value_type(g, n->in[0])->dtype) {
  case SPCC_DT_F32: spcc_conv_f32(&p, in[0], in[1], b, out[0]); return true;
  case SPCC_DT_F64: spcc_conv_f64(&p, in[0], in[1], b, out[0]); return true;
  default: return unsupported_dtype(g, n, value_type(g, n->in[0])->dtype, d);
  }
}

/* ---- MaxPool, AveragePool ------------------------------------------------ */

static bool pool_params(const spcc_graph *g, const spcc_node *n, spcc_pool_params *p,
                        spcc_diag *d) {
  const spcc_type *x = value_type(g, n->in[0]);
  spcc_window_geom geo;
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
  p->count_include_pad = n->op == SPCC_OP_AVERAGE_POOL && spcc_attr_int(n, "count_include_pad", 0);
  p->storage_order = n->op == SPCC_OP_MAX_POOL && spcc_attr_int(n, "storage_order", 0);
  return true;
}

static const char *emit_pool_params(spcc_emitter *e, const spcc_node *n,
                                    const spcc_pool_params *p) {
  int S = (int)p->spatial;
  const char *sym = spcc_emit_params_begin(e, "spcc_pool_params", node_hint(n));
  spcc_emit_param_i64(e, "batch", p->batch);
  spcc_emit_param_i64(e, "channels", p->channels);
  spcc_emit_param_i64(e, "spatial", p->spatial);
  spcc_emit_param_i64s(e, "in_dims", p->in_dims, S);
  spcc_emit_param_i64s(e, "out_dims", p->out_dims, S);
  spcc_emit_param_i64s(e, "kernel", p->kernel, S);
  spcc_emit_param_i64s(e, "strides", p->strides, S);
  spcc_emit_param_i64s(e, "dilations", p->dilations, S);
  spcc_emit_param_i64s(e, "pads", p->pads, S);
  spcc_emit_param_i64s(e, "pads_end", p->pads_end, S);
  spcc_emit_param_i64(e, "count_include_pad", p->count_include_pad);
  spcc_emit_param_i64(e, "storage_order", p->storage_order);
  spcc_emit_params_end(e);
  return sym;
}

/* Value id of MaxPool's Indices output, or -1 when not requested. */
static int indices_out(const spcc_node *n) { return n->n_out > 1 ? n->out[1] : -1; }

bool spcc_emit_max_pool(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_pool_params p;
  if (!pool_params(g, n, &p, d)) return false;
  const char *sym = emit_pool_params(e, n, &p);
  spcc_emit_line(e, "spcc_max_pool_%s(&%s, %s, %s, %s);",
                 spcc_dtype_name(value_type(g, n->in[0])->dtype), sym,
                 spcc_emit_ptr(e, n->in[0]), spcc_emit_ptr(e, n->out[0]),
                 spcc_emit_ptr(e, indices_out(n)));
  return true;
}

bool spcc_eval_max_pool(const spcc_graph *g, const spcc_node *n, const void *const *in,
                        void *const *out, spcc_diag *d) {
  spcc_pool_params p;
  if (!pool_params(g, n, &p, d)) return false;
  int64_t *idx = indices_out(n) >= 0 ? out[1] : NULL;
  switch (value_type(g, n->in[0])->dtype) {
  case SPCC_DT_F32: spcc_max_pool_f32(&p, in[0], out[0], idx); return true;
  case SPCC_DT_F64: spcc_max_pool_f64(&p, in[0], out[0], idx); return true;
  case SPCC_DT_I8: spcc_max_pool_i8(&p, in[0], out[0], idx); return true;
  case SPCC_DT_U8: spcc_max_pool_u8(&p, in[0], out[0], idx); return true;
  default: return unsupported_dtype(g, n, value_type(g, n->in[0])->dtype, d);
  }
}

bool spcc_emit_average_pool(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_pool_params p;
  if (!pool_params(g, n, &p, d)) return false;
  const char *sym = emit_pool_params(e, n, &p);
  spcc_emit_line(e, "spcc_average_pool_%s(&%s, %s, %s);",
                 spcc_dtype_name(value_type(g, n->in[0])->dtype), sym,
                 spcc_emit_ptr(e, n->in[0]), spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_average_pool(const spcc_graph *g, const spcc_node *n, const void *const *in,
                            void *const *out, spcc_diag *d) {
  spcc_pool_params p;
  if (!pool_params(g, n, &p, d)) return false;
  switch (value_type(g, n->in[0])->dtype) {
  case SPCC_DT_F32: spcc_average_pool_f32(&p, in[0], out[0]); return true;
  case SPCC_DT_F64: spcc_average_pool_f64(&p, in[0], out[0]); return true;
  default: return unsupported_dtype(g, n, value_type(g, n->in[0])->dtype, d);
  }
}

/* ---- GlobalAveragePool --------------------------------------------------- */

static void global_params(const spcc_graph *g, const spcc_node *n, spcc_global_pool_params *p) {
  const spcc_type *x = value_type(g, n->in[0]);
  memset(p, 0, sizeof *p);
  p->outer = x->dims[0] * x->dims[1];
  p->size = 1;
  for (int i = 2; i < x->rank; i++) p->size *= x->dims[i];
}

bool spcc_emit_global_average_pool(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_global_pool_params p;
  global_params(g, n, &p);
  const char *sym = spcc_emit_params_begin(e, "spcc_global_pool_params", node_hint(n));
  spcc_emit_param_i64(e, "outer", p.outer);
  spcc_emit_param_i64(e, "size", p.size);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "spcc_global_average_pool_%s(&%s, %s, %s);",
                 spcc_dtype_name(value_type(g, n->in[0])->dtype), sym,
                 spcc_emit_ptr(e, n->in[0]), spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_global_average_pool(const spcc_graph *g, const spcc_node *n,
                                   const void *const *in, void *const *out, spcc_diag *d) {
  spcc_global_pool_params p;
  global_params(g, n, &p);
  switch (value_type(g, n->in[0])->dtype) {
  case SPCC_DT_F32: spcc_global_average_pool_f32(&p, in[0], out[0]); return true;
  case SPCC_DT_F64: spcc_global_average_pool_f64(&p, in[0], out[0]); return true;
  default: return unsupported_dtype(g, n, value_type(g, n->in[0])->dtype, d);
  }
}
