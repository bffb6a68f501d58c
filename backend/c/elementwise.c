/* elementwise.c - C emitters and compile-time evaluators of the elementwise
 * family (Add, Sub, Mul, Div, Relu, LeakyRelu, Sigmoid, Tanh, Clip, Identity).
 *
 * Emit and eval of an op fill their kernel arguments with the same static
 * function (binary_params, leaky_params, clip_bounds), so a folded constant
 * is bit-for-bit what the generated code computes. Kernel names follow
 * `spcc_<ir op name>_<dtype name>` (rt/elementwise.h).
 *
 * The broadcast layout is simplified here, once, rather than in the kernel:
 * size-1 output dimensions are dropped and neighbouring dimensions that are
 * contiguous in both operands are merged, so equal shapes become one flat
 * loop and a bias over [N,C,H,W] becomes [N, C, H*W] with a scalar inner
 * operand.
 */
#include <float.h>
#include <stdio.h>
#include <string.h>

#include "backend/c/ops.h"
#include "passes/shapes/elementwise.h"
#include "spcc/spcc_rt.h"

/* ---- shared argument builders ----------------------------------------- */

static bool binary_params(const spcc_graph *g, const spcc_node *n, spcc_binary_params *p,
                          spcc_diag *d) {
  int r;
  int64_t y[SPCC_MAX_RANK], ad[SPCC_MAX_RANK], bd[SPCC_MAX_RANK];
  int64_t as[SPCC_MAX_RANK], bs[SPCC_MAX_RANK];
  if (!spcc_elem_broadcast(g, n, &r, y, ad, bd, d)) return false;
  memset(p, 0, sizeof *p);

  /* Row-major strides of each operand in its own (padded) layout, 0 where
   * it is broadcast. */
  int64_t sa = 1, sb = 1;
  for (int k = r - 1; k >= 0; k--) {
    if (y[k] == 0) { /* empty output: nothing to compute */
      p->rank = 1;
      return true;
    }
    as[k] = ad[k] == 1 ? 0 : sa;
    bs[k] = bd[k] == 1 ? 0 : sb;
    sa *= ad[k];
    sb *= bd[k];
  }

  /* Drop size-1 dims, then merge dim k into the previous kept one when both
   * operands step through it contiguously (stride[prev] == stride[k] *
   * dims[k], which also holds for two broadcast strides of 0). */
  int m = 0;
  for (int k = 0; k < r; k++) {
    if (y[k] == 1) continue;
    if (m > 0 && p->a_strides[m - 1] == as[k] * y[k] && p->b_strides[m - 1] == bs[k] * y[k]) {
      p->dims[m - 1] *= y[k];
      p->a_strides[m - 1] = as[k];
      p->b_strides[m - 1] = bs[k];
      continue;
    }
    p->dims[m] = y[k];
    p->a_strides[m] = as[k];
    p->b_strides[m] = bs[k];
    m++;
  }
  p->rank = m;
  return true;
}

static int64_t out_numel(const spcc_graph *g, const spcc_node *n) {
  return spcc_type_numel(&g->values[n->out[0]].type);
}

static spcc_dtype out_dtype(const spcc_graph *g, const spcc_node *n) {
  return g->values[n->out[0]].type.dtype;
}

static void leaky_params(const spcc_graph *g, const spcc_node *n, spcc_leaky_relu_params *p) {
  memset(p, 0, sizeof *p);
  p->n = out_numel(g, n);
  p->alpha = spcc_attr_float(n, "alpha", 0.01f);
}

/* Clip bounds: for opset >= 11 the value ids of min/max (-1 when omitted or
 * empty); before that the attributes, whose defaults are float's lowest and
 * largest values per the Clip-6 spec. */
typedef struct {
  bool from_attrs;
  int lo_vid, hi_vid;
  float lo, hi;
} clip_bounds_t;

static void clip_bounds(const spcc_graph *g, const spcc_node *n, clip_bounds_t *c) {
  memset(c, 0, sizeof *c);
  c->lo_vid = c->hi_vid = -1;
  if (n->opset < 11) {
    c->from_attrs = true;
    c->lo = spcc_attr_float(n, "min", -FLT_MAX);
    c->hi = spcc_attr_float(n, "max", FLT_MAX);
    return;
  }
  int lo = spcc_node_in(n, 1), hi = spcc_node_in(n, 2);
  if (lo >= 0 && spcc_type_numel(&g->values[lo].type) == 0) lo = -1;
  if (hi >= 0 && spcc_type_numel(&g->values[hi].type) == 0) hi = -1;
  c->lo_vid = lo;
  c->hi_vid = hi;
}

/* ---- emit helpers ------------------------------------------------------- */

static void kernel_name(const spcc_node *n, spcc_dtype dt, char *buf, size_t size) {
  snprintf(buf, size, "spcc_%s_%s", spcc_op_ir_name(n->op), spcc_dtype_name(dt));
}

/* ---- binary ops ---------------------------------------------------------- */

static bool emit_binary(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_binary_params p;
  char fn[64];
  if (!binary_params(g, n, &p, d)) return false;
  const char *a = spcc_emit_ptr(e, n->in[0]), *b = spcc_emit_ptr(e, n->in[1]);
  const char *y = spcc_emit_ptr(e, n->out[0]);
  kernel_name(n, out_dtype(g, n), fn, sizeof fn);
  const char *sym = spcc_emit_params_begin(e, "spcc_binary_params", spcc_op_ir_name(n->op));
  spcc_emit_param_i64(e, "rank", p.rank);
  if (p.rank > 0) { /* C99 has no empty initializer lists */
    spcc_emit_param_i64s(e, "dims", p.dims, (int)p.rank);
    spcc_emit_param_i64s(e, "a_strides", p.a_strides, (int)p.rank);
    spcc_emit_param_i64s(e, "b_strides", p.b_strides, (int)p.rank);
  }
  spcc_emit_params_end(e);
  spcc_emit_line(e, "%s(&%s, %s, %s, %s);", fn, sym, a, b, y);
  return true;
}

#define BINARY_DISPATCH(op)                                                        \
  switch (dt) {                                                                    \
  case SPCC_DT_F32: spcc_##op##_f32(&p, in[0], in[1], out[0]); return true;        \
  case SPCC_DT_F64: spcc_##op##_f64(&p, in[0], in[1], out[0]); return true;        \
  case SPCC_DT_I8: spcc_##op##_i8(&p, in[0], in[1], out[0]); return true;          \
  case SPCC_DT_I16: spcc_##op##_i16(&p, in[0], in[1], out[0]); return true;        \
  case SPCC_DT_I32: spcc_##op##_i32(&p, in[0], in[1], out[0]); return true;        \
  case SPCC_DT_I64: spcc_##op##_i64(&p, in[0], in[1], out[0]); return true;        \
  case SPCC_DT_U8: spcc_##op##_u8(&p, in[0], in[1], out[0]); return true;          \
  case SPCC_DT_U16: spcc_##op##_u16(&p, in[0], in[1], out[0]); return true;        \
  case SPCC_DT_U32: spcc_##op##_u32(&p, in[0], in[1], out[0]); return true;        \
  case SPCC_DT_U64: spcc_##op##_u64(&p, in[0], in[1], out[0]); return true;        \
  default: break;                                                                  \
  }

static bool unsupported_dtype(const spcc_graph *g, const spcc_node *n, spcc_dtype dt,
                              spcc_diag *d) {
  spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(dt));
  return false;
}

static bool eval_binary(const spcc_graph *g, const spcc_node *n, const void *const *in,
                        void *const *out, spcc_diag *d) {
  spcc_binary_params p;
  spcc_dtype dt = out_dtype(g, n);
  if (!binary_params(g, n, &p, d)) return false;
  switch (n->op) {
  case SPCC_OP_ADD: BINARY_DISPATCH(add) break;
  case SPCC_OP_SUB: BINARY_DISPATCH(sub) break;
  case SPCC_OP_MUL: BINARY_DISPATCH(mul) break;
  case SPCC_OP_DIV: BINARY_DISPATCH(div) break;
  default: break;
  }
  return unsupported_dtype(g, n, dt, d);
}

#define BINARY_OP(op)                                                                 \
  bool spcc_emit_##op(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {           \
    return emit_binary(e, n, d);                                                      \
  }                                                                                   \
  bool spcc_eval_##op(const spcc_graph *g, const spcc_node *n, const void *const *in, \
                      void *const *out, spcc_diag *d) {                               \
    return eval_binary(g, n, in, out, d);                                             \
  }
BINARY_OP(add)
BINARY_OP(sub)
BINARY_OP(mul)
BINARY_OP(div)

/* ---- unary ops taking only an element count ------------------------------ */

static bool emit_count_call(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  char fn[64];
  const char *x = spcc_emit_ptr(e, n->in[0]), *y = spcc_emit_ptr(e, n->out[0]);
  kernel_name(n, out_dtype(g, n), fn, sizeof fn);
  spcc_emit_line(e, "%s(%lld, %s, %s);", fn, (long long)out_numel(g, n), x, y);
  return true;
}

bool spcc_emit_relu(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  return emit_count_call(e, n, d);
}
bool spcc_emit_sigmoid(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  return emit_count_call(e, n, d);
}
bool spcc_emit_tanh(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  return emit_count_call(e, n, d);
}

bool spcc_eval_relu(const spcc_graph *g, const spcc_node *n, const void *const *in,
                    void *const *out, spcc_diag *d) {
  int64_t cnt = out_numel(g, n);
  switch (out_dtype(g, n)) {
  case SPCC_DT_F32: spcc_relu_f32(cnt, in[0], out[0]); return true;
  case SPCC_DT_F64: spcc_relu_f64(cnt, in[0], out[0]); return true;
  case SPCC_DT_I8: spcc_relu_i8(cnt, in[0], out[0]); return true;
  case SPCC_DT_I16: spcc_relu_i16(cnt, in[0], out[0]); return true;
  case SPCC_DT_I32: spcc_relu_i32(cnt, in[0], out[0]); return true;
  case SPCC_DT_I64: spcc_relu_i64(cnt, in[0], out[0]); return true;
  default: return unsupported_dtype(g, n, out_dtype(g, n), d);
  }
}

bool spcc_eval_sigmoid(const spcc_graph *g, const spcc_node *n, const void *const *in,
                       void *const *out, spcc_diag *d) {
  int64_t cnt = out_numel(g, n);
  switch (out_dtype(g, n)) {
  case SPCC_DT_F32: spcc_sigmoid_f32(cnt, in[0], out[0]); return true;
  case SPCC_DT_F64: spcc_sigmoid_f64(cnt, in[0], out[0]); return true;
  default: return unsupported_dtype(g, n, out_dtype(g, n), d);
  }
}

bool spcc_eval_tanh(const spcc_graph *g, const spcc_node *n, const void *const *in,
                    void *const *out, spcc_diag *d) {
  int64_t cnt = out_numel(g, n);
  switch (out_dtype(g, n)) {
  case SPCC_DT_F32: spcc_tanh_f32(cnt, in[0], out[0]); return true;
  case SPCC_DT_F64: spcc_tanh_f64(cnt, in[0], out[0]); return true;
  default: return unsupported_dtype(g, n, out_dtype(g, n), d);
  }
}

/* ---- LeakyRelu -------------------------------------------------------------- */

bool spcc_emit_leaky_relu(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_leaky_relu_params p;
  char fn[64];
  leaky_params(g, n, &p);
  const char *x = spcc_emit_ptr(e, n->in[0]), *y = spcc_emit_ptr(e, n->out[0]);
  kernel_name(n, out_dtype(g, n), fn, sizeof fn);
  const char *sym = spcc_emit_params_begin(e, "spcc_leaky_relu_params", "leaky_relu");
  spcc_emit_param_i64(e, "n", p.n);
  spcc_emit_param_f32(e, "alpha", p.alpha);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "%s(&%s, %s, %s);", fn, sym, x, y);
  return true;
}

bool spcc_eval_leaky_relu(const spcc_graph *g, const spcc_node *n, const void *const *in,
                          void *const *out, spcc_diag *d) {
  spcc_leaky_relu_params p;
  leaky_params(g, n, &p);
  switch (out_dtype(g, n)) {
  case SPCC_DT_F32: spcc_leaky_relu_f32(&p, in[0], out[0]); return true;
  case SPCC_DT_F64: spcc_leaky_relu_f64(&p, in[0], out[0]); return true;
  default: return unsupported_dtype(g, n, out_dtype(g, n), d);
  }
}

/* ---- Clip ------------------------------------------------------------------ */

/* Attribute bounds (opset < 11) become `static const T` scalars in the
 * generated file; input bounds are the tensors' own pointers. */
static bool clip_bound_expr(spcc_emitter *e, const spcc_node *n, const clip_bounds_t *c,
                            bool upper, spcc_dtype dt, char *buf, size_t size, spcc_diag *d) {
  if (!c->from_attrs) {
    snprintf(buf, size, "%s", spcc_emit_ptr(e, upper ? c->hi_vid : c->lo_vid));
    return true;
  }
  char lit[64];
  float v = upper ? c->hi : c->lo;
  if (dt == SPCC_DT_F64)
    spcc_format_f64(lit, sizeof lit, (double)v);
  else
    spcc_format_f32(lit, sizeof lit, v);
  const char *sym = spcc_emit_symbol(e, upper ? "clip_max" : "clip_min");
  spcc_emit_decl(e, "static const %s %s = %s;\n", spcc_dtype_ctype(dt), sym, lit);
  snprintf(buf, size, "&%s", sym);
  return true;
}

bool spcc_emit_clip(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_dtype dt = out_dtype(g, n);
  clip_bounds_t c;
  char lo[256], hi[256], fn[64];
  clip_bounds(g, n, &c);
  const char *x = spcc_emit_ptr(e, n->in[0]), *y = spcc_emit_ptr(e, n->out[0]);
  if (!clip_bound_expr(e, n, &c, false, dt, lo, sizeof lo, d) ||
      !clip_bound_expr(e, n, &c, true, dt, hi, sizeof hi, d))
    return false;
  kernel_name(n, dt, fn, sizeof fn);
  spcc_emit_line(e, "%s(%lld, %s, %s, %s, %s);", fn, (long long)out_numel(g, n), x, lo, hi, y);
  return true;
}

#define CLIP_CASE(DT, sfx) \
  case DT: spcc_clip_##sfx(cnt, in[0], lo, hi, out[0]); return true;

bool spcc_eval_clip(const spcc_graph *g, const spcc_node *n, const void *const *in,
                    void *const *out, spcc_diag *d) {
  spcc_dtype dt = out_dtype(g, n);
  int64_t cnt = out_numel(g, n);
  clip_bounds_t c;
  clip_bounds(g, n, &c);
  const void *lo = NULL, *hi = NULL;
  float lo32 = c.lo, hi32 = c.hi;
  double lo64 = (double)c.lo, hi64 = (double)c.hi;
  if (c.from_attrs) {
    lo = dt == SPCC_DT_F64 ? (const void *)&lo64 : (const void *)&lo32;
    hi = dt == SPCC_DT_F64 ? (const void *)&hi64 : (const void *)&hi32;
  } else {
    if (c.lo_vid >= 0) lo = in[1];
    if (c.hi_vid >= 0) hi = in[2];
  }
  switch (dt) {
    CLIP_CASE(SPCC_DT_F32, f32)
    CLIP_CASE(SPCC_DT_F64, f64)
    CLIP_CASE(SPCC_DT_I8, i8)
    CLIP_CASE(SPCC_DT_I16, i16)
    CLIP_CASE(SPCC_DT_I32, i32)
    CLIP_CASE(SPCC_DT_I64, i64)
    CLIP_CASE(SPCC_DT_U8, u8)
    CLIP_CASE(SPCC_DT_U16, u16)
    CLIP_CASE(SPCC_DT_U32, u32)
    CLIP_CASE(SPCC_DT_U64, u64)
  default: return unsupported_dtype(g, n, dt, d);
  }
}

/* ---- Identity ------------------------------------------------------------------ */

bool spcc_emit_identity(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  const char *x = spcc_emit_ptr(e, n->in[0]), *y = spcc_emit_ptr(e, n->out[0]);
  spcc_emit_line(e, "spcc_identity(%lld, %zu, %s, %s);", (long long)out_numel(g, n),
                 spcc_dtype_size(out_dtype(g, n)), x, y);
  return true;
}

bool spcc_eval_identity(const spcc_graph *g, const spcc_node *n, const void *const *in,
                        void *const *out, spcc_diag *d) {
  (void)d;
  spcc_identity(out_numel(g, n), spcc_dtype_size(out_dtype(g, n)), in[0], out[0]);
  return true;
}
