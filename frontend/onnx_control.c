/* onnx_control.c - If and Loop, inlined into the flat IR graph.
 *
 * If: when the condition is known at compile time (a constant, a folded
 * shape test, a --bind input) only the branch taken is imported. Otherwise
 * both branches are imported and each output becomes Where(cond, then,
 * else); that needs the two branches to agree on every output's type,
 * since the generated code has static shapes.
 *
 * Loop: unrolled. The trip count M must be known, and so must the
 * condition when there is no M or there are scan outputs (whose length
 * would depend on it). A condition known only at run time otherwise turns
 * every carried value into Where(cond, new, old) after each iteration, so
 * the iterations past the exit change nothing. Each iteration imports the body in a fresh scope whose inputs are
 * the iteration number (a constant), the condition and the loop-carried
 * values of the previous iteration; scan outputs are stacked along a new
 * axis 0 at the end. Carried values may change shape from one iteration to
 * the next, and may be sequences.
 */
#include <stdlib.h>
#include <string.h>

#include "import.h"

/* More iterations than any unrolled loop should have (also bounds loops
 * whose body adds no node). */
#define MAX_ITERATIONS 100000

bool spcc_fe_is_control_op(const char *op_type) {
  return strcmp(op_type, "If") == 0 || strcmp(op_type, "Loop") == 0 ||
         strcmp(op_type, "Scan") == 0;
}

const Onnx__GraphProto *spcc_fe_graph_attr(spcc_fe_importer *im, const Onnx__NodeProto *np,
                                           const char *name, const char *where) {
  for (size_t k = 0; k < np->n_attribute; k++) {
    const Onnx__AttributeProto *a = np->attribute[k];
    if (a && a->name && strcmp(a->name, name) == 0) {
      if (a->g) return a->g;
      spcc_error(im->d, where, NULL, "attribute '%s' is not a graph", name);
      return NULL;
    }
  }
  spcc_error(im->d, where, NULL, "missing graph attribute '%s'", name);
  return NULL;
}

/* ---- If ------------------------------------------------------------------------- */

/* Imports one branch (no inputs) in its own scope; refs[] gets its outputs. */
static bool inline_branch(spcc_fe_importer *im, const Onnx__NodeProto *np,
                          const Onnx__GraphProto *gp, const char *branch, const char *where,
                          int *refs) {
  if (gp->n_input) {
    spcc_error(im->d, where, NULL, "%s declares %zu inputs; an If branch takes none", branch,
               gp->n_input);
    return false;
  }
  spcc_fe_scope s;
  spcc_fe_enter(im, &s, spcc_arena_printf(im->g->arena, "%s/%.4s/", spcc_fe_node_label(np), branch));
  bool ok = spcc_fe_check_nesting(im, where);
  const char *sub = spcc_arena_printf(im->g->arena, "%s: %s", where, branch);
  ok = ok && spcc_fe_import_body(im, gp, sub) && spcc_fe_body_outputs(im, gp, sub, refs);
  spcc_fe_leave(im);
  return ok;
}

/* Reads a condition ref: one bool tensor; *known gets its byte when it is
 * known at compile time, NULL when only the run time knows it. `what`
 * names it in diagnostics. */
static bool read_condition(spcc_fe_importer *im, int cond, const char *what, const char *where,
                           const uint8_t **known) {
  *known = NULL;
  if (cond == SPCC_FE_NO_REF || spcc_fe_is_seq(cond)) {
    spcc_error(im->d, where, NULL, "%s must be a tensor", what);
    return false;
  }
  bool ok;
  *known = spcc_fe_known(im, cond, &ok);
  if (!ok) return false;
  const spcc_type *t = &im->g->values[cond].type;
  if (t->dtype != SPCC_DT_BOOL || spcc_type_numel(t) != 1) {
    char s[160];
    spcc_error(im->d, where, NULL, "%s must be one bool, got %s", what,
               spcc_type_str(t, s, sizeof s));
    return false;
  }
  return true;
}

/* Where(cond, a, b) for two refs a runtime condition chooses between; *out
 * is the result (a fresh value when -1). `what` names them in diagnostics. */
static bool join_where(spcc_fe_importer *im, int cond, int a, int b, const char *what,
                       const char *where, int *out) {
  if (spcc_fe_is_seq(a) || spcc_fe_is_seq(b)) {
    spcc_error(im->d, where, NULL,
               "unsupported: %s is a sequence; the condition must be a compile-time constant "
               "(fix it with --bind)",
               what);
    return false;
  }
  const spcc_type *ta = &im->g->values[a].type, *tb = &im->g->values[b].type;
  if (!spcc_type_equal(ta, tb)) {
    char s1[160], s2[160];
    spcc_error(im->d, where, NULL,
               "unsupported: %s is %s on one path and %s on the other; the condition must be a "
               "compile-time constant (fix it with --bind)",
               what, spcc_type_str(ta, s1, sizeof s1), spcc_type_str(tb, s2, sizeof s2));
    return false;
  }
  int in[3] = {cond, a, b};
  spcc_fe_add_node(im, SPCC_OP_WHERE, 16, 3, in, 1, out);
  return true;
}

/* Output k of an If with an unknown condition: Where(cond, then, else). */
static bool select_output(spcc_fe_importer *im, const Onnx__NodeProto *np, size_t k, int cond,
                          int t_ref, int e_ref, const char *where) {
  int out;
  if (!spcc_fe_output_value(im, np, k, where, &out)) return false;
  char what[48];
  snprintf(what, sizeof what, "output %zu", k);
  return join_where(im, cond, t_ref, e_ref, what, where, &out);
}

static bool import_if(spcc_fe_importer *im, const Onnx__NodeProto *np, const char *where) {
  const Onnx__GraphProto *then_g = spcc_fe_graph_attr(im, np, "then_branch", where);
  const Onnx__GraphProto *else_g = then_g ? spcc_fe_graph_attr(im, np, "else_branch", where)
                                          : NULL;
  if (!else_g) return false;
  if (np->n_input != 1) {
    spcc_error(im->d, where, NULL, "If takes one input (cond), got %zu", np->n_input);
    return false;
  }
  if (then_g->n_output != np->n_output || else_g->n_output != np->n_output) {
    spcc_error(im->d, where, NULL,
               "If has %zu outputs but its branches have %zu (then) and %zu (else)",
               np->n_output, then_g->n_output, else_g->n_output);
    return false;
  }
  int cond;
  const uint8_t *known;
  if (!spcc_fe_input_ref(im, np, 0, where, &cond) ||
      !read_condition(im, cond, "the condition", where, &known))
    return false;
  const spcc_type *ct = &im->g->values[cond].type;
  bool ok;
  size_t n = np->n_output;
  int *refs = malloc(sizeof(int) * (2 * n + 1));
  if (!refs) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  if (known) {
    const bool take_then = *known != 0;
    ok = inline_branch(im, np, take_then ? then_g : else_g,
                       take_then ? "then_branch" : "else_branch", where, refs);
    for (size_t k = 0; ok && k < n; k++) ok = spcc_fe_bind_output(im, np, k, refs[k], where);
  } else {
    ok = inline_branch(im, np, then_g, "then_branch", where, refs) &&
         inline_branch(im, np, else_g, "else_branch", where, refs + n) && spcc_fe_settle(im);
    if (ok && ct->rank != 0) { /* Where must not broadcast a [1] condition */
      int in[2] = {cond, spcc_fe_const_i64(im, 0, NULL, false)}, out = -1;
      spcc_fe_add_node(im, SPCC_OP_RESHAPE, 14, 2, in, 1, &out);
      cond = out;
    }
    for (size_t k = 0; ok && k < n; k++)
      ok = select_output(im, np, k, cond, refs[k], refs[n + k], where);
  }
  free(refs);
  return ok;
}

/* ---- Loop ----------------------------------------------------------------------- */

typedef struct {
  int n_carried, n_scan;
  int *carried;     /* refs of the loop-carried values */
  int **scan;       /* per scan output: value ids, one per iteration */
  int n_iter, cap_iter;
} loop_state;

static void loop_state_free(loop_state *st) {
  for (int k = 0; k < st->n_scan; k++) free(st->scan[k]);
  free(st->scan);
  free(st->carried);
}

enum { COND_STOP, COND_GO, COND_RUNTIME };

/* What the condition ref says before iteration iter: stop, go on, or
 * known only at run time. */
static bool loop_condition(spcc_fe_importer *im, int cond, const char *where, int *state) {
  *state = COND_GO;
  if (cond == SPCC_FE_NO_REF) return true;
  const uint8_t *p;
  if (!read_condition(im, cond, "the loop condition", where, &p)) return false;
  *state = !p ? COND_RUNTIME : *p ? COND_GO : COND_STOP;
  return true;
}

/* A one-element bool as a scalar, so Where and And do not broadcast it. */
static int as_scalar(spcc_fe_importer *im, int vid) {
  if (im->g->values[vid].type.rank == 0) return vid;
  int in[2] = {vid, spcc_fe_const_i64(im, 0, NULL, false)}, out = -1;
  spcc_fe_add_node(im, SPCC_OP_RESHAPE, 14, 2, in, 1, &out);
  return out;
}

/* After an iteration whose condition c was known only at run time: each
 * carried value becomes Where(c, new, old) and the condition c && cond_out,
 * so iterations past the run-time exit change nothing. */
static bool select_carried(spcc_fe_importer *im, int c, int cond_out, const int *outs,
                           loop_state *st, const char *where, int *next_cond) {
  if (!spcc_fe_settle(im)) return false;
  c = as_scalar(im, c);
  for (int k = 0; k < st->n_carried; k++) {
    char what[48];
    snprintf(what, sizeof what, "loop-carried value %d", k);
    int out = -1;
    if (!join_where(im, c, outs[k], st->carried[k], what, where, &out)) return false;
    st->carried[k] = out;
  }
  int in[2] = {c, as_scalar(im, cond_out)};
  *next_cond = -1;
  spcc_fe_add_node(im, SPCC_OP_AND, 7, 2, in, 1, next_cond);
  return true;
}

/* *cond is NO_REF for a loop without cond (a for loop: the body's condition
 * output is ignored, its condition input is true). */
static bool run_iteration(spcc_fe_importer *im, const Onnx__NodeProto *np,
                          const Onnx__GraphProto *body, int iter, bool runtime_cond, int *cond,
                          loop_state *st, const char *where) {
  spcc_fe_scope s;
  spcc_fe_enter(im, &s, spcc_arena_printf(im->g->arena, "%s/iter%d/", spcc_fe_node_label(np), iter));
  bool ok = spcc_fe_check_nesting(im, where);
  const char *sub = spcc_arena_printf(im->g->arena, "%s: body (iteration %d)", where, iter);
  int64_t i64 = iter;
  int bound[2] = {spcc_fe_const_i64(im, 1, &i64, true),
                  *cond != SPCC_FE_NO_REF ? *cond : spcc_fe_const_bool(im, true)};
  for (size_t k = 0; ok && k < body->n_input; k++) {
    const Onnx__ValueInfoProto *vi = body->input[k];
    const char *name = vi && vi->name ? vi->name : "";
    if (!*name) continue;
    if (spcc_fe_defined_here(im, name)) {
      spcc_error(im->d, sub, NULL, "body input '%s' is listed twice", name);
      ok = false;
    } else {
      spcc_fe_bind(im, name, k < 2 ? bound[k] : st->carried[k - 2]);
    }
  }
  int *refs = malloc(sizeof(int) * (body->n_output + 1));
  if (!refs) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  ok = ok && spcc_fe_import_body(im, body, sub) && spcc_fe_body_outputs(im, body, sub, refs);
  spcc_fe_leave(im);
  if (ok && runtime_cond) {
    ok = select_carried(im, *cond, refs[0], refs + 1, st, where, cond);
  } else if (ok) {
    if (*cond != SPCC_FE_NO_REF) *cond = refs[0];
    for (int k = 0; k < st->n_carried; k++) st->carried[k] = refs[1 + k];
    if (st->n_iter == st->cap_iter) {
      st->cap_iter = st->cap_iter ? 2 * st->cap_iter : 8;
      for (int k = 0; k < st->n_scan; k++) {
        st->scan[k] = realloc(st->scan[k], sizeof(int) * (size_t)st->cap_iter);
        if (!st->scan[k]) spcc_assert_fail("out of memory", __FILE__, __LINE__);
      }
    }
    for (int k = 0; k < st->n_scan; k++) {
      int ref = refs[1 + st->n_carried + k];
      if (spcc_fe_is_seq(ref)) {
        spcc_error(im->d, where, NULL, "unsupported: scan output %d is a sequence", k);
        ok = false;
      }
      st->scan[k][st->n_iter] = ref;
    }
    st->n_iter++;
  }
  free(refs);
  return ok;
}

/* Scan output k: the per-iteration values stacked along a new axis 0. */
static bool stack_scan(spcc_fe_importer *im, const Onnx__NodeProto *np, const loop_state *st,
                       int k, const char *where) {
  size_t out_k = (size_t)(st->n_carried + k);
  if (out_k >= np->n_output || !np->output[out_k] || !*np->output[out_k]) return true;
  if (st->n_iter == 0) {
    spcc_error(im->d, where, NULL,
               "unsupported: the loop runs no iteration, so scan output '%s' has no known shape",
               np->output[out_k]);
    return false;
  }
  int result;
  if (!spcc_fe_output_value(im, np, out_k, where, &result)) return false;
  spcc_fe_stack(im, st->scan[k], st->n_iter, 0, result);
  return true;
}

static bool import_loop(spcc_fe_importer *im, const Onnx__NodeProto *np, const char *where) {
  const Onnx__GraphProto *body = spcc_fe_graph_attr(im, np, "body", where);
  if (!body) return false;
  if (np->n_input < 2) {
    spcc_error(im->d, where, NULL, "Loop takes M, cond and the loop-carried values");
    return false;
  }
  loop_state st = {.n_carried = (int)np->n_input - 2};
  if (body->n_input != np->n_input || body->n_output < (size_t)st.n_carried + 1 ||
      np->n_output < (size_t)st.n_carried ||
      np->n_output - (size_t)st.n_carried != body->n_output - 1 - (size_t)st.n_carried) {
    spcc_error(im->d, where, NULL,
               "Loop has %zu inputs and %zu outputs, its body %zu inputs and %zu outputs; "
               "they do not match (body: iteration, cond, carried... -> cond, carried..., "
               "scans...)",
               np->n_input, np->n_output, body->n_input, body->n_output);
    return false;
  }
  st.n_scan = (int)(np->n_output - (size_t)st.n_carried);
  st.carried = malloc(sizeof(int) * (size_t)(st.n_carried + 1));
  st.scan = calloc((size_t)st.n_scan + 1, sizeof *st.scan);
  if (!st.carried || !st.scan) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  int m_ref, cond;
  bool ok = spcc_fe_input_ref(im, np, 0, where, &m_ref) && spcc_fe_input_ref(im, np, 1, where, &cond);
  for (int k = 0; ok && k < st.n_carried; k++) {
    ok = spcc_fe_input_ref(im, np, (size_t)(2 + k), where, &st.carried[k]);
    if (ok && st.carried[k] == SPCC_FE_NO_REF) {
      spcc_error(im->d, where, NULL, "loop-carried input %d is missing", k);
      ok = false;
    }
  }
  int64_t trip = INT64_MAX;
  if (ok && spcc_fe_is_seq(m_ref)) {
    spcc_error(im->d, where, NULL, "the trip count M is a sequence");
    ok = false;
  }
  if (ok && m_ref != SPCC_FE_NO_REF)
    ok = spcc_fe_known_int(im, m_ref, where, "the trip count M", &trip);
  if (ok && m_ref == SPCC_FE_NO_REF && cond == SPCC_FE_NO_REF) {
    spcc_error(im->d, where, NULL, "unsupported: a Loop with neither M nor cond never ends");
    ok = false;
  }
  bool runtime_cond = false;
  for (int iter = 0; ok && iter < trip; iter++) {
    if (!runtime_cond) {
      int state;
      ok = loop_condition(im, cond, where, &state);
      if (!ok || state == COND_STOP) break;
      runtime_cond = state == COND_RUNTIME;
      if (runtime_cond && (st.n_scan > 0 || trip == INT64_MAX)) {
        spcc_error(im->d, where, NULL,
                   "unsupported: the loop condition ('%s') must be a compile-time constant "
                   "(fix it with --bind) when the loop has %s",
                   im->g->values[cond].name,
                   st.n_scan > 0 ? "scan outputs" : "no trip count");
        ok = false;
        break;
      }
    }
    if (iter >= MAX_ITERATIONS || im->g->n_nodes > SPCC_FE_MAX_UNROLLED_NODES) {
      spcc_error(im->d, where, NULL,
                 "unsupported: the loop unrolls into more than %d iterations or %d nodes",
                 MAX_ITERATIONS, SPCC_FE_MAX_UNROLLED_NODES);
      ok = false;
      break;
    }
    ok = run_iteration(im, np, body, iter, runtime_cond, &cond, &st, where);
  }
  for (int k = 0; ok && k < st.n_carried; k++)
    ok = spcc_fe_bind_output(im, np, (size_t)k, st.carried[k], where);
  for (int k = 0; ok && k < st.n_scan; k++) ok = stack_scan(im, np, &st, k, where);
  loop_state_free(&st);
  return ok;
}

bool spcc_fe_import_control(spcc_fe_importer *im, const Onnx__NodeProto *np, const char *where) {
  if (strcmp(np->op_type, "Scan") == 0) return spcc_fe_import_scan(im, np, where);
  return strcmp(np->op_type, "If") == 0 ? import_if(im, np, where) : import_loop(im, np, where);
}
