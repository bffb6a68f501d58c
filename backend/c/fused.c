/* fused.c - emission and evaluation of fused_elementwise nodes.
 *
 * The emitter writes the node's program (ir/fused.h) as one loop of
 * straight-line C, one `const T tK` per step, so a chain like Gelu's
 * Div -> Erf -> Add -> Mul -> Mul reads its inputs and writes its output
 * once instead of five times. Inputs broadcast as a scalar ([0]) or as a
 * suffix: then the loop is split into outer x suffix and the suffix inputs
 * are indexed by the inner counter. The evaluator interprets the same
 * program with the same scalar functions (include/spcc/rt/fused.h), so a
 * folded value equals what the generated loop computes.
 */
#include <stdio.h>
#include <string.h>

#include "emit.h"
#include "ir/fused.h"
#include "ops.h"
#include "spcc/spcc_rt.h"

/* Input modes and the suffix length, from the node's types. */
static int64_t input_modes(const spcc_graph *g, const spcc_node *n, int *mode) {
  const spcc_type *out = &g->values[n->out[0]].type;
  int64_t suffix = 0;
  for (int k = 0; k < n->n_in; k++) {
    int64_t s;
    mode[k] = spcc_fx_input_mode(&g->values[n->in[k]].type, out, &s);
    SPCC_ASSERT(mode[k] >= 0); /* the shape rule checked it */
    if (mode[k] == SPCC_FX_SUFFIX) suffix = s;
  }
  return suffix;
}

static bool program(const spcc_graph *g, const spcc_node *n, spcc_fx_program *p, spcc_diag *d) {
  char err[160];
  if (spcc_fx_parse(spcc_attr_string(n, "expr", ""), n->n_in, p, err, sizeof err)) return true;
  spcc_node_error(d, g, n, "%s", err);
  return false;
}

/* ---- emission ------------------------------------------------------------------ */

/* The C text of operand r of a step. */
static void operand(spcc_emitter *e, const spcc_node *n, const int *mode, int r, char *buf,
                    size_t size) {
  if (r < 0) {
    snprintf(buf, size, "t%d", -1 - r);
    return;
  }
  const char *idx = mode[r] == SPCC_FX_FULL ? "i" : mode[r] == SPCC_FX_SCALAR ? "0" : "j";
  snprintf(buf, size, "%s[%s]", spcc_emit_ptr(e, n->in[r]), idx);
}

static void literal(bool f64, float v, char *buf, size_t size) {
  if (f64)
    spcc_format_f64(buf, size, (double)v);
  else
    spcc_format_f32(buf, size, v);
}

/* The expression of one step. */
static void step_expr(const spcc_fx_step *st, bool f64, const char *a, const char *b, char *out,
                      size_t size) {
  const char *sfx = f64 ? "f64" : "f32", *f = f64 ? "" : "f";
  char p0[48], p1[48];
  literal(f64, st->param[0], p0, sizeof p0);
  literal(f64, st->param[1], p1, sizeof p1);
  switch (st->op) {
  case SPCC_FX_ADD: snprintf(out, size, "%s + %s", a, b); break;
  case SPCC_FX_SUB: snprintf(out, size, "%s - %s", a, b); break;
  case SPCC_FX_MUL: snprintf(out, size, "%s * %s", a, b); break;
  case SPCC_FX_DIV: snprintf(out, size, "%s / %s", a, b); break;
  case SPCC_FX_NEG: snprintf(out, size, "-%s", a); break;
  case SPCC_FX_ABS: snprintf(out, size, "fabs%s(%s)", f, a); break;
  case SPCC_FX_TANH: snprintf(out, size, "tanh%s(%s)", f, a); break;
  case SPCC_FX_EXP: snprintf(out, size, "exp%s(%s)", f, a); break;
  case SPCC_FX_LOG: snprintf(out, size, "log%s(%s)", f, a); break;
  case SPCC_FX_SQRT: snprintf(out, size, "sqrt%s(%s)", f, a); break;
  case SPCC_FX_ERF: snprintf(out, size, "erf%s(%s)", f, a); break;
  case SPCC_FX_RECIPROCAL: snprintf(out, size, "%s / %s", f64 ? "1.0" : "1.0f", a); break;
  case SPCC_FX_LEAKY_RELU: snprintf(out, size, "spcc_fx_leaky_relu_%s(%s, %s)", sfx, a, p0); break;
  case SPCC_FX_CLIP: snprintf(out, size, "spcc_fx_clip_%s(%s, %s, %s)", sfx, a, p0, p1); break;
  case SPCC_FX_HARD_SIGMOID:
    snprintf(out, size, "spcc_fx_hard_sigmoid_%s(%s, %s, %s)", sfx, a, p0, p1);
    break;
  default: /* relu, sigmoid, hard_swish, softplus */
    snprintf(out, size, "spcc_fx_%s_%s(%s)", spcc_fx_name(st->op), sfx, a);
    break;
  }
}

bool spcc_emit_fused_elementwise(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_fx_program p;
  if (!program(g, n, &p, d)) return false;
  int mode[4 * SPCC_FX_MAX_STEPS];
  const int64_t suffix = input_modes(g, n, mode);
  const spcc_type *t = &g->values[n->out[0]].type;
  const bool f64 = t->dtype == SPCC_DT_F64;
  const char *ct = f64 ? "double" : "float";
  const int64_t numel = spcc_type_numel(t);
  spcc_emit_line(e, "/* %s */", spcc_attr_string(n, "expr", ""));
  if (suffix)
    spcc_emit_line(e, "for (int64_t o = 0; o < %lld; o++) for (int64_t j = 0; j < %lld; j++) {",
                   (long long)(numel / suffix), (long long)suffix);
  else
    spcc_emit_line(e, "for (int64_t i = 0; i < %lld; i++) {", (long long)numel);
  if (suffix) spcc_emit_line(e, "  const int64_t i = o * %lld + j;", (long long)suffix);
  for (int s = 0; s < p.n_steps; s++) {
    char a[160], b[160], expr[512];
    operand(e, n, mode, p.steps[s].arg[0], a, sizeof a);
    operand(e, n, mode, spcc_fx_arity(p.steps[s].op) > 1 ? p.steps[s].arg[1] : 0, b, sizeof b);
    step_expr(&p.steps[s], f64, a, b, expr, sizeof expr);
    spcc_emit_line(e, "  const %s t%d = %s;", ct, s, expr);
  }
  spcc_emit_line(e, "  %s[i] = t%d;", spcc_emit_ptr(e, n->out[0]), p.n_steps - 1);
  spcc_emit_line(e, "}");
  return true;
}

/* ---- evaluation ----------------------------------------------------------------- */

#define DEFINE_EVAL(T, sfx, ABS, TANH, EXP, LOG, SQRT, ERF, ONE)                             \
  static void eval_##sfx(const spcc_fx_program *p, int n_in, const int *mode, int64_t numel,  \
                         int64_t suffix, const void *const *in, T *y) {                       \
    T t[SPCC_FX_MAX_STEPS];                                                                   \
    for (int64_t i = 0; i < numel; i++) {                                                     \
      const int64_t j = suffix ? i % suffix : 0;                                              \
      for (int s = 0; s < p->n_steps; s++) {                                                  \
        const spcc_fx_step *st = &p->steps[s];                                                \
        T v[2] = {0, 0};                                                                      \
        for (int k = 0; k < spcc_fx_arity(st->op); k++) {                                     \
          const int r = st->arg[k];                                                           \
          SPCC_ASSERT(r < n_in);                                                              \
          v[k] = r < 0                            ? t[-1 - r]                                 \
                 : mode[r] == SPCC_FX_FULL   ? ((const T *)in[r])[i]                          \
                 : mode[r] == SPCC_FX_SCALAR ? ((const T *)in[r])[0]                          \
                                             : ((const T *)in[r])[j];                         \
        }                                                                                     \
        const T a = v[0], b = v[1], p0 = (T)st->param[0], p1 = (T)st->param[1];               \
        T r;                                                                                  \
        switch (st->op) {                                                                     \
        case SPCC_FX_ADD: r = a + b; break;                                                   \
        case SPCC_FX_SUB: r = a - b; break;                                                   \
        case SPCC_FX_MUL: r = a * b; break;                                                   \
        case SPCC_FX_DIV: r = a / b; break;                                                   \
        case SPCC_FX_NEG: r = -a; break;                                                      \
        case SPCC_FX_ABS: r = ABS(a); break;                                                  \
        case SPCC_FX_RELU: r = spcc_fx_relu_##sfx(a); break;                                  \
        case SPCC_FX_LEAKY_RELU: r = spcc_fx_leaky_relu_##sfx(a, p0); break;                  \
        case SPCC_FX_SIGMOID: r = spcc_fx_sigmoid_##sfx(a); break;                            \
        case SPCC_FX_TANH: r = TANH(a); break;                                                \
        case SPCC_FX_EXP: r = EXP(a); break;                                                  \
        case SPCC_FX_LOG: r = LOG(a); break;                                                  \
        case SPCC_FX_SQRT: r = SQRT(a); break;                                                \
        case SPCC_FX_ERF: r = ERF(a); break;                                                  \
        case SPCC_FX_RECIPROCAL: r = ONE / a; break;                                          \
        case SPCC_FX_CLIP: r = spcc_fx_clip_##sfx(a, p0, p1); break;                          \
        case SPCC_FX_HARD_SIGMOID: r = spcc_fx_hard_sigmoid_##sfx(a, p0, p1); break;          \
        case SPCC_FX_HARD_SWISH: r = spcc_fx_hard_swish_##sfx(a); break;                      \
        default: r = spcc_fx_softplus_##sfx(a); break;                                        \
        }                                                                                     \
        t[s] = r;                                                                             \
      }                                                                                       \
      y[i] = t[p->n_steps - 1];                                                               \
    }                                                                                         \
  }

DEFINE_EVAL(float, f32, fabsf, tanhf, expf, logf, sqrtf, erff, 1.0f)
DEFINE_EVAL(double, f64, fabs, tanh, exp, log, sqrt, erf, 1.0)

bool spcc_eval_fused_elementwise(const spcc_graph *g, const spcc_node *n, const void *const *in,
                                 void *const *out, spcc_diag *d) {
  spcc_fx_program p;
  if (!program(g, n, &p, d)) return false;
  int mode[4 * SPCC_FX_MAX_STEPS];
  const int64_t suffix = input_modes(g, n, mode);
  const spcc_type *t = &g->values[n->out[0]].type;
  if (t->dtype == SPCC_DT_F64)
    eval_f64(&p, n->n_in, mode, spcc_type_numel(t), suffix, in, out[0]);
  else
    eval_f32(&p, n->n_in, mode, spcc_type_numel(t), suffix, in, out[0]);
  return true;
}
