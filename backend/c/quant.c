/* quant.c - C emitters and compile-time evaluators of QuantizeLinear,
 * DequantizeLinear, DynamicQuantizeLinear, MatMulInteger, QLinearMatMul,
 * ConvInteger and QLinearConv.
 *
 * The parameter blocks come from passes/shapes/quant_geom.h (the shape
 * rules' own computation); emit writes them as static const initializers
 * plus one kernel call, eval calls the same kernel. Kernel names carry the
 * operand types (spcc_matmul_integer_u8_i8, ...), chosen here from the
 * value types; scales and zero points are passed as pointers because they
 * may be runtime inputs.
 */
#include <string.h>

#include "ops.h"
#include "passes/shapes/quant_geom.h"
#include "spcc/spcc_rt.h"

static const char *node_hint(const spcc_node *n) {
  return n->name && n->name[0] ? n->name : spcc_op_ir_name(n->op);
}

static spcc_dtype dt_in(const spcc_graph *g, const spcc_node *n, int k) {
  return g->values[n->in[k]].type.dtype;
}

static bool bad_type(const spcc_graph *g, const spcc_node *n, spcc_dtype dt, spcc_diag *d) {
  spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(dt));
  return false;
}

/* Input k's data, or NULL when the input is absent. */
static const void *opt(const spcc_node *n, const void *const *in, int k) {
  return spcc_node_in(n, k) >= 0 ? in[k] : NULL;
}

/* ---- QuantizeLinear, DequantizeLinear ------------------------------------------- */

static void emit_quant_params(spcc_emitter *e, const spcc_node *n, const spcc_quant_params *p,
                              const char **sym) {
  *sym = spcc_emit_params_begin(e, "spcc_quant_params", node_hint(n));
  spcc_emit_param_i64(e, "outer", p->outer);
  spcc_emit_param_i64(e, "channels", p->channels);
  spcc_emit_param_i64(e, "inner", p->inner);
  spcc_emit_params_end(e);
}

bool spcc_emit_quantize_linear(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_quant_params p;
  const char *sym;
  if (!spcc_quant_layout(g, n, &p, d)) return false;
  emit_quant_params(e, n, &p, &sym);
  spcc_emit_line(e, "spcc_quantize_linear_%s_%s(&%s, %s, %s, %s, %s);",
                 spcc_dtype_name(dt_in(g, n, 0)), spcc_dtype_name(g->values[n->out[0]].type.dtype),
                 sym, spcc_emit_ptr(e, n->in[0]), spcc_emit_ptr(e, n->in[1]),
                 spcc_emit_ptr(e, spcc_node_in(n, 2)), spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_quantize_linear(const spcc_graph *g, const spcc_node *n, const void *const *in,
                               void *const *out, spcc_diag *d) {
  spcc_quant_params p;
  if (!spcc_quant_layout(g, n, &p, d)) return false;
  spcc_dtype xt = dt_in(g, n, 0), yt = g->values[n->out[0]].type.dtype;
  const void *z = opt(n, in, 2);
  if (xt == SPCC_DT_F32 && yt == SPCC_DT_U8) spcc_quantize_linear_f32_u8(&p, in[0], in[1], z, out[0]);
  else if (xt == SPCC_DT_F32 && yt == SPCC_DT_I8) spcc_quantize_linear_f32_i8(&p, in[0], in[1], z, out[0]);
  else if (xt == SPCC_DT_I32 && yt == SPCC_DT_U8) spcc_quantize_linear_i32_u8(&p, in[0], in[1], z, out[0]);
  else if (xt == SPCC_DT_I32 && yt == SPCC_DT_I8) spcc_quantize_linear_i32_i8(&p, in[0], in[1], z, out[0]);
  else return bad_type(g, n, xt, d);
  return true;
}

bool spcc_emit_dequantize_linear(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_quant_params p;
  const char *sym;
  if (!spcc_quant_layout(g, n, &p, d)) return false;
  emit_quant_params(e, n, &p, &sym);
  spcc_emit_line(e, "spcc_dequantize_linear_%s(&%s, %s, %s, %s, %s);",
                 spcc_dtype_name(dt_in(g, n, 0)), sym, spcc_emit_ptr(e, n->in[0]),
                 spcc_emit_ptr(e, n->in[1]), spcc_emit_ptr(e, spcc_node_in(n, 2)),
                 spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_dequantize_linear(const spcc_graph *g, const spcc_node *n, const void *const *in,
                                 void *const *out, spcc_diag *d) {
  spcc_quant_params p;
  if (!spcc_quant_layout(g, n, &p, d)) return false;
  const void *z = opt(n, in, 2);
  switch (dt_in(g, n, 0)) {
  case SPCC_DT_U8: spcc_dequantize_linear_u8(&p, in[0], in[1], z, out[0]); return true;
  case SPCC_DT_I8: spcc_dequantize_linear_i8(&p, in[0], in[1], z, out[0]); return true;
  case SPCC_DT_I32: spcc_dequantize_linear_i32(&p, in[0], in[1], z, out[0]); return true;
  default: return bad_type(g, n, dt_in(g, n, 0), d);
  }
}

/* ---- DynamicQuantizeLinear -------------------------------------------------------- */

/* Outputs 1 and 2 may be omitted; the kernel always writes them, so the
 * emitted code points unrequested ones at locals. */
bool spcc_emit_dynamic_quantize_linear(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  const spcc_graph *g = spcc_emit_graph(e);
  int64_t numel = spcc_type_numel(&g->values[n->in[0]].type);
  bool s_out = n->n_out > 1 && n->out[1] >= 0, z_out = n->n_out > 2 && n->out[2] >= 0;
  spcc_emit_line(e, "{");
  spcc_emit_line(e, "  float spcc_dq_s; uint8_t spcc_dq_z;");
  spcc_emit_line(e, "  spcc_dynamic_quantize_linear_f32(%lld, %s, %s, %s, %s);", (long long)numel,
                 spcc_emit_ptr(e, n->in[0]), spcc_emit_ptr(e, n->out[0]),
                 s_out ? spcc_emit_ptr(e, n->out[1]) : "&spcc_dq_s",
                 z_out ? spcc_emit_ptr(e, n->out[2]) : "&spcc_dq_z");
  spcc_emit_line(e, "  (void)spcc_dq_s; (void)spcc_dq_z;");
  spcc_emit_line(e, "}");
  return true;
}

bool spcc_eval_dynamic_quantize_linear(const spcc_graph *g, const spcc_node *n,
                                       const void *const *in, void *const *out, spcc_diag *d) {
  (void)d;
  float s;
  uint8_t z;
  bool s_out = n->n_out > 1 && n->out[1] >= 0, z_out = n->n_out > 2 && n->out[2] >= 0;
  spcc_dynamic_quantize_linear_f32(spcc_type_numel(&g->values[n->in[0]].type), in[0], out[0],
                                   s_out ? out[1] : &s, z_out ? out[2] : &z);
  return true;
}

/* ---- MatMulInteger, QLinearMatMul --------------------------------------------------- */

static const char *emit_qmm_params(spcc_emitter *e, const spcc_node *n,
                                   const spcc_qmatmul_params *p) {
  int r = (int)p->batch_rank;
  const char *sym = spcc_emit_params_begin(e, "spcc_qmatmul_params", node_hint(n));
  spcc_emit_param_i64(e, "m", p->m);
  spcc_emit_param_i64(e, "k", p->k);
  spcc_emit_param_i64(e, "n", p->n);
  spcc_emit_param_i64(e, "batch_rank", p->batch_rank);
  spcc_emit_param_i64s(e, "out_batch", p->out_batch, r);
  spcc_emit_param_i64s(e, "a_batch_stride", p->a_batch_stride, r);
  spcc_emit_param_i64s(e, "b_batch_stride", p->b_batch_stride, r);
  spcc_emit_param_i64(e, "a_zp_count", p->a_zp_count);
  spcc_emit_param_i64(e, "b_zp_count", p->b_zp_count);
  spcc_emit_param_i64(e, "b_scale_count", p->b_scale_count);
  spcc_emit_params_end(e);
  return sym;
}

/* Index 0..3 of the (a, b) type pair: u8_u8, u8_i8, i8_u8, i8_i8. */
static int pair(spcc_dtype a, spcc_dtype b) {
  return (a == SPCC_DT_I8 ? 2 : 0) + (b == SPCC_DT_I8 ? 1 : 0);
}

bool spcc_emit_matmul_integer(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_qmatmul_params p;
  int64_t dims[SPCC_MAX_RANK + 1];
  int rank;
  if (!spcc_qmatmul_get(g, n, &p, dims, &rank, d)) return false;
  const char *sym = emit_qmm_params(e, n, &p);
  spcc_emit_line(e, "spcc_matmul_integer_%s_%s(&%s, %s, %s, %s, %s, %s);",
                 spcc_dtype_name(dt_in(g, n, 0)), spcc_dtype_name(dt_in(g, n, 1)), sym,
                 spcc_emit_ptr(e, n->in[0]), spcc_emit_ptr(e, n->in[1]),
                 spcc_emit_ptr(e, spcc_node_in(n, 2)), spcc_emit_ptr(e, spcc_node_in(n, 3)),
                 spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_matmul_integer(const spcc_graph *g, const spcc_node *n, const void *const *in,
                              void *const *out, spcc_diag *d) {
  spcc_qmatmul_params p;
  int64_t dims[SPCC_MAX_RANK + 1];
  int rank;
  if (!spcc_qmatmul_get(g, n, &p, dims, &rank, d)) return false;
  const void *az = opt(n, in, 2), *bz = opt(n, in, 3);
  switch (pair(dt_in(g, n, 0), dt_in(g, n, 1))) {
  case 0: spcc_matmul_integer_u8_u8(&p, in[0], in[1], az, bz, out[0]); break;
  case 1: spcc_matmul_integer_u8_i8(&p, in[0], in[1], az, bz, out[0]); break;
  case 2: spcc_matmul_integer_i8_u8(&p, in[0], in[1], az, bz, out[0]); break;
  default: spcc_matmul_integer_i8_i8(&p, in[0], in[1], az, bz, out[0]); break;
  }
  return true;
}

bool spcc_emit_qlinear_matmul(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_qmatmul_params p;
  int64_t dims[SPCC_MAX_RANK + 1];
  int rank;
  if (!spcc_qmatmul_get(g, n, &p, dims, &rank, d)) return false;
  const char *sym = emit_qmm_params(e, n, &p);
  spcc_emit_line(e, "spcc_qlinear_matmul_%s_%s(&%s, %s, %s, %s, %s, %s, %s, %s, %s, %s);",
                 spcc_dtype_name(dt_in(g, n, 0)), spcc_dtype_name(dt_in(g, n, 3)), sym,
                 spcc_emit_ptr(e, n->in[0]), spcc_emit_ptr(e, n->in[1]),
                 spcc_emit_ptr(e, spcc_node_in(n, 2)), spcc_emit_ptr(e, n->in[3]),
                 spcc_emit_ptr(e, n->in[4]), spcc_emit_ptr(e, spcc_node_in(n, 5)),
                 spcc_emit_ptr(e, n->in[6]), spcc_emit_ptr(e, spcc_node_in(n, 7)),
                 spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_qlinear_matmul(const spcc_graph *g, const spcc_node *n, const void *const *in,
                              void *const *out, spcc_diag *d) {
  spcc_qmatmul_params p;
  int64_t dims[SPCC_MAX_RANK + 1];
  int rank;
  if (!spcc_qmatmul_get(g, n, &p, dims, &rank, d)) return false;
  const void *az = opt(n, in, 2), *bz = opt(n, in, 5), *yz = opt(n, in, 7);
  switch (pair(dt_in(g, n, 0), dt_in(g, n, 3))) {
  case 0: spcc_qlinear_matmul_u8_u8(&p, in[0], in[1], az, in[3], in[4], bz, in[6], yz, out[0]); break;
  case 1: spcc_qlinear_matmul_u8_i8(&p, in[0], in[1], az, in[3], in[4], bz, in[6], yz, out[0]); break;
  case 2: spcc_qlinear_matmul_i8_u8(&p, in[0], in[1], az, in[3], in[4], bz, in[6], yz, out[0]); break;
  default: spcc_qlinear_matmul_i8_i8(&p, in[0], in[1], az, in[3], in[4], bz, in[6], yz, out[0]); break;
  }
  return true;
}

/* ---- ConvInteger, QLinearConv ------------------------------------------------------- */

static const char *emit_qconv_params(spcc_emitter *e, const spcc_node *n,
                                     const spcc_qconv_params *q) {
  const spcc_conv_params *p = &q->conv;
  int S = (int)p->spatial;
  const char *sym = spcc_emit_params_begin(e, "spcc_qconv_params", node_hint(n));
  spcc_emit_param_i64(e, "conv.batch", p->batch);
  spcc_emit_param_i64(e, "conv.in_channels", p->in_channels);
  spcc_emit_param_i64(e, "conv.out_channels", p->out_channels);
  spcc_emit_param_i64(e, "conv.group", p->group);
  spcc_emit_param_i64(e, "conv.spatial", p->spatial);
  spcc_emit_param_i64s(e, "conv.in_dims", p->in_dims, S);
  spcc_emit_param_i64s(e, "conv.out_dims", p->out_dims, S);
  spcc_emit_param_i64s(e, "conv.kernel", p->kernel, S);
  spcc_emit_param_i64s(e, "conv.strides", p->strides, S);
  spcc_emit_param_i64s(e, "conv.dilations", p->dilations, S);
  spcc_emit_param_i64s(e, "conv.pads", p->pads, S);
  spcc_emit_param_i64(e, "w_zp_count", q->w_zp_count);
  spcc_emit_param_i64(e, "w_scale_count", q->w_scale_count);
  spcc_emit_params_end(e);
  return sym;
}

bool spcc_emit_conv_integer(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_qconv_params q;
  if (!spcc_qconv_get(g, n, &q, d)) return false;
  const char *sym = emit_qconv_params(e, n, &q);
  spcc_emit_line(e, "spcc_conv_integer_%s_%s(&%s, %s, %s, %s, %s, %s);",
                 spcc_dtype_name(dt_in(g, n, 0)), spcc_dtype_name(dt_in(g, n, 1)), sym,
                 spcc_emit_ptr(e, n->in[0]), spcc_emit_ptr(e, n->in[1]),
                 spcc_emit_ptr(e, spcc_node_in(n, 2)), spcc_emit_ptr(e, spcc_node_in(n, 3)),
                 spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_conv_integer(const spcc_graph *g, const spcc_node *n, const void *const *in,
                            void *const *out, spcc_diag *d) {
  spcc_qconv_params q;
  if (!spcc_qconv_get(g, n, &q, d)) return false;
  const void *xz = opt(n, in, 2), *wz = opt(n, in, 3);
  switch (pair(dt_in(g, n, 0), dt_in(g, n, 1))) {
  case 0: spcc_conv_integer_u8_u8(&q, in[0], in[1], xz, wz, out[0]); break;
  case 1: spcc_conv_integer_u8_i8(&q, in[0], in[1], xz, wz, out[0]); break;
  case 2: spcc_conv_integer_i8_u8(&q, in[0], in[1], xz, wz, out[0]); break;
  default: spcc_conv_integer_i8_i8(&q, in[0], in[1], xz, wz, out[0]); break;
  }
  return true;
}

bool spcc_emit_qlinear_conv(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_qconv_params q;
  if (!spcc_qconv_get(g, n, &q, d)) return false;
  const char *sym = emit_qconv_params(e, n, &q);
  spcc_emit_line(e, "spcc_qlinear_conv_%s_%s(&%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s);",
                 spcc_dtype_name(dt_in(g, n, 0)), spcc_dtype_name(dt_in(g, n, 3)), sym,
                 spcc_emit_ptr(e, n->in[0]), spcc_emit_ptr(e, n->in[1]),
                 spcc_emit_ptr(e, spcc_node_in(n, 2)), spcc_emit_ptr(e, n->in[3]),
                 spcc_emit_ptr(e, n->in[4]), spcc_emit_ptr(e, spcc_node_in(n, 5)),
                 spcc_emit_ptr(e, n->in[6]), spcc_emit_ptr(e, spcc_node_in(n, 7)),
                 spcc_emit_ptr(e, spcc_node_in(n, 8)), spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_qlinear_conv(const spcc_graph *g, const spcc_node *n, const void *const *in,
                            void *const *out, spcc_diag *d) {
  spcc_qconv_params q;
  if (!spcc_qconv_get(g, n, &q, d)) return false;
  const void *xz = opt(n, in, 2), *wz = opt(n, in, 5), *yz = opt(n, in, 7), *b = opt(n, in, 8);
  switch (pair(dt_in(g, n, 0), dt_in(g, n, 3))) {
  case 0: spcc_qlinear_conv_u8_u8(&q, in[0], in[1], xz, in[3], in[4], wz, in[6], yz, b, out[0]); break;
  case 1: spcc_qlinear_conv_u8_i8(&q, in[0], in[1], xz, in[3], in[4], wz, in[6], yz, b, out[0]); break;
  case 2: spcc_qlinear_conv_i8_u8(&q, in[0], in[1], xz, in[3], in[4], wz, in[6], yz, b, out[0]); break;
  default: spcc_qlinear_conv_i8_i8(&q, in[0], in[1], xz, in[3], in[4], wz, in[6], yz, b, out[0]); break;
  }
  return true;
}
