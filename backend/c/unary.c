/* unary.c - C emitters and compile-time evaluators of the unary math and
 * activation family (rt/unary.h).
 *
 * The one-expression ops come from the X-macro tables of rt/unary.h, so an
 * op listed there gets its emitter (a call with the element count) and its
 * evaluator (a switch over the element types the table promises) without
 * another line here. Parameterized ops fill their block with one static
 * function used by both emit and eval (act_params, is_inf_params,
 * prelu_params), so a folded constant is what the generated code computes.
 * Kernels are named spcc_<ir name>_<input dtype>.
 */
#include <stdio.h>
#include <string.h>

#include "backend/c/ops.h"
#include "passes/shapes/unary.h"
#include "spcc/spcc_rt.h"

static int64_t out_numel(const spcc_graph *g, const spcc_node *n) {
  return spcc_type_numel(&g->values[n->out[0]].type);
}

static spcc_dtype in_dtype(const spcc_graph *g, const spcc_node *n) {
  return g->values[n->in[0]].type.dtype;
}

static bool unsupported_dtype(const spcc_graph *g, const spcc_node *n, spcc_diag *d) {
  spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(in_dtype(g, n)));
  return false;
}

static void kernel_name(const spcc_graph *g, const spcc_node *n, char *buf, size_t size) {
  snprintf(buf, size, "spcc_%s_%s", spcc_op_ir_name(n->op), spcc_dtype_name(in_dtype(g, n)));
}

/* ---- ops taking only an element count -------------------------------------- */

static bool emit_count(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  char fn[64];
  (void)d;
  const char *x = spcc_emit_ptr(e, n->in[0]), *y = spcc_emit_ptr(e, n->out[0]);
  kernel_name(g, n, fn, sizeof fn);
  spcc_emit_line(e, "%s(%lld, %s, %s);", fn, (long long)out_numel(g, n), x, y);
  return true;
}

#define CASE(op, DT, sfx) \
  case DT: spcc_##op##_##sfx(cnt, in[0], out[0]); return true;
#define CASES_FLOAT(op) CASE(op, SPCC_DT_F32, f32) CASE(op, SPCC_DT_F64, f64)
#define CASES_SIGNED(op)          \
  CASES_FLOAT(op)                 \
  CASE(op, SPCC_DT_I8, i8)        \
  CASE(op, SPCC_DT_I16, i16)      \
  CASE(op, SPCC_DT_I32, i32)      \
  CASE(op, SPCC_DT_I64, i64)
#define CASES_NUMERIC(op)         \
  CASES_SIGNED(op)                \
  CASE(op, SPCC_DT_U8, u8)        \
  CASE(op, SPCC_DT_U16, u16)      \
  CASE(op, SPCC_DT_U32, u32)      \
  CASE(op, SPCC_DT_U64, u64)

#define COUNT_OP(op, CASES)                                                           \
  bool spcc_emit_##op(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {           \
    return emit_count(e, n, d);                                                       \
  }                                                                                   \
  bool spcc_eval_##op(const spcc_graph *g, const spcc_node *n, const void *const *in, \
                      void *const *out, spcc_diag *d) {                               \
    const int64_t cnt = out_numel(g, n);                                              \
    switch (in_dtype(g, n)) {                                                         \
      CASES(op)                                                                       \
    default: return unsupported_dtype(g, n, d);                                       \
    }                                                                                 \
  }
#define COUNT_FLOAT(E, op) COUNT_OP(op, CASES_FLOAT)
#define COUNT_SIGNED(E, op) COUNT_OP(op, CASES_SIGNED)
#define COUNT_NUMERIC(E, op) COUNT_OP(op, CASES_NUMERIC)
#define CASES_BOOL(op) CASE(op, SPCC_DT_BOOL, bool)

SPCC_RT_UNARY_FLOAT_OPS(COUNT_FLOAT)
SPCC_RT_UNARY_SIGNED_OPS(COUNT_SIGNED)
SPCC_RT_UNARY_NUMERIC_OPS(COUNT_NUMERIC)
COUNT_OP(is_nan, CASES_FLOAT)
COUNT_OP(not, CASES_BOOL)

/* ---- activations with alpha/beta ---------------------------------------- */

/* The ONNX defaults per op; the mapping of attributes to alpha/beta is
 * documented with SPCC_RT_UNARY_PARAM_OPS. */
static void act_params(const spcc_graph *g, const spcc_node *n, spcc_act_params *p) {
  memset(p, 0, sizeof *p);
  p->n = out_numel(g, n);
  switch (n->op) {
  case SPCC_OP_ELU:
  case SPCC_OP_CELU:
  case SPCC_OP_THRESHOLDED_RELU: p->alpha = spcc_attr_float(n, "alpha", 1.0f); break;
  case SPCC_OP_SELU:
    p->alpha = spcc_attr_float(n, "alpha", 1.67326319217681884765625f);
    p->beta = spcc_attr_float(n, "gamma", 1.05070102214813232421875f);
    break;
  case SPCC_OP_HARD_SIGMOID:
    p->alpha = spcc_attr_float(n, "alpha", 0.2f);
    p->beta = spcc_attr_float(n, "beta", 0.5f);
    break;
  case SPCC_OP_SHRINK:
    p->alpha = spcc_attr_float(n, "lambd", 0.5f);
    p->beta = spcc_attr_float(n, "bias", 0.0f);
    break;
  default: break;
  }
}

static bool emit_act(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_act_params p;
  char fn[64];
  (void)d;
  act_params(g, n, &p);
  const char *x = spcc_emit_ptr(e, n->in[0]), *y = spcc_emit_ptr(e, n->out[0]);
  kernel_name(g, n, fn, sizeof fn);
  const char *sym = spcc_emit_params_begin(e, "spcc_act_params", spcc_op_ir_name(n->op));
  spcc_emit_param_i64(e, "n", p.n);
  spcc_emit_param_f32(e, "alpha", p.alpha);
  spcc_emit_param_f32(e, "beta", p.beta);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "%s(&%s, %s, %s);", fn, sym, x, y);
  return true;
}

#define PARAM_OP(E, op)                                                               \
  bool spcc_emit_##op(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {           \
    return emit_act(e, n, d);                                                         \
  }                                                                                   \
  bool spcc_eval_##op(const spcc_graph *g, const spcc_node *n, const void *const *in, \
                      void *const *out, spcc_diag *d) {                               \
    spcc_act_params p;                                                                \
    act_params(g, n, &p);                                                             \
    switch (in_dtype(g, n)) {                                                         \
    case SPCC_DT_F32: spcc_##op##_f32(&p, in[0], out[0]); return true;                \
    case SPCC_DT_F64: spcc_##op##_f64(&p, in[0], out[0]); return true;                \
    default: return unsupported_dtype(g, n, d);                                       \
    }                                                                                 \
  }
SPCC_RT_UNARY_PARAM_OPS(PARAM_OP)

/* ---- IsInf ---------------------------------------------------------------------- */

static void is_inf_params(const spcc_graph *g, const spcc_node *n, spcc_is_inf_params *p) {
  memset(p, 0, sizeof *p);
  p->n = out_numel(g, n);
  p->detect_positive = spcc_attr_int(n, "detect_positive", 1) != 0;
  p->detect_negative = spcc_attr_int(n, "detect_negative", 1) != 0;
}

bool spcc_emit_is_inf(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_is_inf_params p;
  char fn[64];
  (void)d;
  is_inf_params(g, n, &p);
  const char *x = spcc_emit_ptr(e, n->in[0]), *y = spcc_emit_ptr(e, n->out[0]);
  kernel_name(g, n, fn, sizeof fn);
  const char *sym = spcc_emit_params_begin(e, "spcc_is_inf_params", "is_inf");
  spcc_emit_param_i64(e, "n", p.n);
  spcc_emit_param_i64(e, "detect_positive", p.detect_positive);
  spcc_emit_param_i64(e, "detect_negative", p.detect_negative);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "%s(&%s, %s, %s);", fn, sym, x, y);
  return true;
}

bool spcc_eval_is_inf(const spcc_graph *g, const spcc_node *n, const void *const *in,
                      void *const *out, spcc_diag *d) {
  spcc_is_inf_params p;
  is_inf_params(g, n, &p);
  switch (in_dtype(g, n)) {
  case SPCC_DT_F32: spcc_is_inf_f32(&p, in[0], out[0]); return true;
  case SPCC_DT_F64: spcc_is_inf_f64(&p, in[0], out[0]); return true;
  default: return unsupported_dtype(g, n, d);
  }
}

/* ---- PRelu ------------------------------------------------------------------------ */

/* Collapses the slope layout: X is contiguous, so only the slope's strides
 * decide what merges. Size-1 dims are dropped; dim k joins the previous
 * kept dim when the slope steps through both contiguously (or broadcasts
 * both: 0 == 0 * dims). */
static bool prelu_params(const spcc_graph *g, const spcc_node *n, spcc_prelu_params *p,
                         spcc_diag *d) {
  int r;
  int64_t xd[SPCC_MAX_RANK], sd[SPCC_MAX_RANK], ss[SPCC_MAX_RANK];
  if (!spcc_prelu_layout(g, n, &r, xd, sd, d)) return false;
  memset(p, 0, sizeof *p);
  int64_t s = 1;
  for (int k = r - 1; k >= 0; k--) {
    if (xd[k] == 0) { /* empty: nothing to compute */
      p->rank = 1;
      return true;
    }
    ss[k] = sd[k] == 1 ? 0 : s;
    s *= sd[k];
  }
  int m = 0;
  for (int k = 0; k < r; k++) {
    if (xd[k] == 1) continue;
    if (m > 0 && p->slope_strides[m - 1] == ss[k] * xd[k]) {
      p->dims[m - 1] *= xd[k];
      p->slope_strides[m - 1] = ss[k];
      continue;
    }
    p->dims[m] = xd[k];
    p->slope_strides[m] = ss[k];
    m++;
  }
  p->rank = m;
  return true;
}

bool spcc_emit_prelu(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_prelu_params p;
  char fn[64];
  if (!prelu_params(g, n, &p, d)) return false;
  const char *x = spcc_emit_ptr(e, n->in[0]), *s = spcc_emit_ptr(e, n->in[1]);
  const char *y = spcc_emit_ptr(e, n->out[0]);
  kernel_name(g, n, fn, sizeof fn);
  const char *sym = spcc_emit_params_begin(e, "spcc_prelu_params", "prelu");
  spcc_emit_param_i64(e, "rank", p.rank);
  if (p.rank > 0) { /* C99 has no empty initializer lists */
    spcc_emit_param_i64s(e, "dims", p.dims, (int)p.rank);
    spcc_emit_param_i64s(e, "slope_strides", p.slope_strides, (int)p.rank);
  }
  spcc_emit_params_end(e);
  spcc_emit_line(e, "%s(&%s, %s, %s, %s);", fn, sym, x, s, y);
  return true;
}

bool spcc_eval_prelu(const spcc_graph *g, const spcc_node *n, const void *const *in,
                     void *const *out, spcc_diag *d) {
  spcc_prelu_params p;
  if (!prelu_params(g, n, &p, d)) return false;
  switch (in_dtype(g, n)) {
  case SPCC_DT_F32: spcc_prelu_f32(&p, in[0], in[1], out[0]); return true;
  case SPCC_DT_F64: spcc_prelu_f64(&p, in[0], in[1], out[0]); return true;
  default: return unsupported_dtype(g, n, d);
  }
}
