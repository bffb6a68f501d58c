/* test_fuse_elementwise.c - the fused_elementwise program (ir/fused.h) and
 * the fuse-elementwise pass: a fused node computes bit for bit what the
 * separate nodes compute (every op, f32 and f64, scalar and suffix
 * broadcasts, NaN/inf/negative inputs), programs are parsed strictly, and
 * --no-fuse leaves the graph alone. Which nodes fuse is pinned by
 * tests/golden/fuse_elementwise.ir; the generated loops are checked against
 * ONNX Runtime by tests/models.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/c/ops.h"
#include "ir/fused.h"
#include "passes/passes.h"
#include "spcc/spcc.h"

/* Every fusable op once, on x [3,4] with a suffix bias b [4] and scalar k. */
static const char chain_ir[] =
    "graph @chain(%x: DT[3,4], %b: DT[4], %k: DT[]) -> (%y) {\n"
    "  $lo = const DT[] data=[-2]\n"
    "  $hi = const DT[] data=[3.5]\n"
    "  %a1 = add(%x, %b) loc(node 0 \"a1\" opset 13)\n"
    "  %a2 = sub(%a1, %k) loc(node 1 \"a2\" opset 13)\n"
    "  %a3 = mul(%a2, %x) loc(node 2 \"a3\" opset 13)\n"
    "  %a4 = div(%a3, %b) loc(node 3 \"a4\" opset 13)\n"
    "  %a5 = neg(%a4) loc(node 4 \"a5\" opset 13)\n"
    "  %a6 = abs(%a5) loc(node 5 \"a6\" opset 13)\n"
    "  %a7 = sqrt(%a6) loc(node 6 \"a7\" opset 13)\n"
    "  %a8 = log(%a7) loc(node 7 \"a8\" opset 13)\n"
    "  %a9 = leaky_relu(%a8) {alpha=0.3} loc(node 8 \"a9\" opset 13)\n"
    "  %b1 = sigmoid(%a9) loc(node 9 \"b1\" opset 13)\n"
    "  %b2 = tanh(%b1) loc(node 10 \"b2\" opset 13)\n"
    "  %b3 = exp(%b2) loc(node 11 \"b3\" opset 13)\n"
    "  %b4 = erf(%b3) loc(node 12 \"b4\" opset 13)\n"
    "  %b5 = reciprocal(%b4) loc(node 13 \"b5\" opset 13)\n"
    "  %b6 = mul(%b5, %x) loc(node 14 \"b6\" opset 13)\n"
    "  %b7 = clip(%b6, $lo, $hi) loc(node 15 \"b7\" opset 13)\n"
    "  %b8 = hard_sigmoid(%b7) {alpha=0.25, beta=0.4} loc(node 16 \"b8\" opset 13)\n"
    "  %b9 = add(%b8, %k) loc(node 17 \"b9\" opset 13)\n"
    "  %c1 = hard_swish(%b9) loc(node 18 \"c1\" opset 14)\n"
    "  %c2 = softplus(%c1) loc(node 19 \"c2\" opset 13)\n"
    "  %c3 = relu(%c2) loc(node 20 \"c3\" opset 13)\n"
    "  %y = sub(%c3, %b) loc(node 21 \"y\" opset 13)\n"
    "}\n";

static spcc_graph *parse_chain(const char *dt) {
  char text[sizeof chain_ir * 2];
  size_t at = 0;
  for (const char *s = chain_ir; *s; s++) {
    if (s[0] == 'D' && s[1] == 'T') {
      at += (size_t)snprintf(text + at, sizeof text - at, "%s", dt);
      s++;
    } else {
      text[at++] = *s;
    }
  }
  text[at] = 0;
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  spcc_graph *g = spcc_parse_graph(text, "chain.ir", &d);
  if (!g) fail_msg("parse: %s", d.first_error);
  bool folded;
  if (!spcc_shape_infer_nodes(g, 0, &d, &folded)) fail_msg("shape-infer: %s", d.first_error);
  return g;
}

/* Runs every node of g with spcc_eval_node; returns output 0's data. */
static void *run_graph(const spcc_graph *g, void *const *inputs) {
  void **data = calloc((size_t)g->n_values, sizeof *data);
  assert_non_null(data);
  for (int k = 0; k < g->n_inputs; k++) data[g->inputs[k]] = inputs[k];
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  for (int i = 0; i < g->n_nodes; i++) {
    const spcc_node *n = &g->nodes[i];
    const void *in[8] = {0};
    void *out[1];
    assert_true(n->n_in <= 8 && n->n_out == 1);
    for (int k = 0; k < n->n_in; k++)
      in[k] = n->in[k] < 0 ? NULL : data[n->in[k]] ? data[n->in[k]] : spcc_value_data(g, n->in[k]);
    out[0] = data[n->out[0]] = malloc((size_t)spcc_type_bytes(&g->values[n->out[0]].type));
    if (!spcc_eval_node(g, n, in, out, &d)) fail_msg("eval: %s", d.first_error);
  }
  void *y = data[g->outputs[0]];
  for (int v = 0; v < g->n_values; v++) {
    bool is_input = false;
    for (int k = 0; k < g->n_inputs; k++) is_input = is_input || g->inputs[k] == v;
    if (data[v] && v != g->outputs[0] && !is_input) free(data[v]);
  }
  free(data);
  return y;
}

static void fused_equals_separate(bool f64) {
  spcc_graph *a = parse_chain(f64 ? "f64" : "f32"), *b = parse_chain(f64 ? "f64" : "f32");
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  spcc_options o;
  spcc_options_init(&o);
  assert_true(spcc_pass_fuse_elementwise(b, &o, &d));
  assert_int_equal(b->n_nodes, 1);
  assert_int_equal(b->nodes[0].op, SPCC_OP_FUSED_ELEMENTWISE);

  /* x: a spread of signs and magnitudes, a NaN, an infinity, a zero. */
  const double xs[12] = {-3.5, -1, -0.25, 0, 0.5, 1, 2, 7.25, NAN, INFINITY, -1e-3, 40};
  const double bs[4] = {0.5, -2, 3, 1.25}, ks[1] = {0.75};
  const size_t es = f64 ? sizeof(double) : sizeof(float);
  void *x = malloc(12 * es), *bias = malloc(4 * es), *k = malloc(es);
  assert_true(x && bias && k);
  for (int i = 0; i < 12; i++) {
    if (f64) ((double *)x)[i] = xs[i];
    else ((float *)x)[i] = (float)xs[i];
  }
  for (int i = 0; i < 4; i++) {
    if (f64) ((double *)bias)[i] = bs[i];
    else ((float *)bias)[i] = (float)bs[i];
  }
  if (f64) *(double *)k = ks[0];
  else *(float *)k = (float)ks[0];
  void *inputs[3] = {x, bias, k};
  void *ya = run_graph(a, inputs), *yb = run_graph(b, inputs);
  assert_memory_equal(ya, yb, 12 * es); /* bit for bit, NaNs included */
  free(ya);
  free(yb);
  free(x);
  free(bias);
  free(k);
  spcc_graph_free(a);
  spcc_graph_free(b);
}

static void fused_equals_separate_f32(void **state) {
  (void)state;
  fused_equals_separate(false);
}

static void fused_equals_separate_f64(void **state) {
  (void)state;
  fused_equals_separate(true);
}

static void no_fuse_keeps_nodes(void **state) {
  (void)state;
  spcc_graph *g = parse_chain("f32");
  int n = g->n_nodes;
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  spcc_options o;
  spcc_options_init(&o);
  o.no_fuse = true;
  assert_true(spcc_pass_fuse_elementwise(g, &o, &d));
  assert_int_equal(g->n_nodes, n);
  spcc_graph_free(g);
}

static void programs_parse_strictly(void **state) {
  (void)state;
  spcc_fx_program p;
  char err[160];
  static const struct {
    const char *text;
    int n_inputs;
    const char *msg;
  } bad[] = {
      {"", 1, "unknown op"},
      {"frobnicate(x0)", 1, "unknown op"},
      {"relu(x1)", 1, "no such input"},
      {"relu(t0)", 1, "a step may only read earlier steps"},
      {"add(x0)", 1, "expected ','"},
      {"relu(x0,x0)", 1, "expected ')'"},
      {"clip[1](x0)", 1, "expected ','"},
      {"leaky_relu(x0)", 1, "expected '['"},
      {"relu(x0)", 2, "input x1 is never read"},
      {"relu(x0);", 1, "unknown op"},
      {"relu(x0) neg(t0)", 1, "expected ';'"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    if (spcc_fx_parse(bad[i].text, bad[i].n_inputs, &p, err, sizeof err))
      fail_msg("'%s' parsed", bad[i].text);
    if (!strstr(err, bad[i].msg)) fail_msg("'%s': got '%s'", bad[i].text, err);
  }
  /* Print then parse gives the same program, parameters exact. */
  const char *text = "clip[-inf,6](x0);leaky_relu[0.100000001](t0);hard_sigmoid[0.2,0.5](t1);"
                     "add(t2,x1)";
  assert_true(spcc_fx_parse(text, 2, &p, err, sizeof err));
  spcc_arena *a = spcc_arena_new();
  assert_string_equal(spcc_fx_format(&p, a), "clip[-inf,6](x0);leaky_relu[0.100000001](t0);"
                                              "hard_sigmoid[0.200000003,0.5](t1);add(t2,x1)");
  spcc_fx_program q;
  assert_true(spcc_fx_parse(spcc_fx_format(&p, a), 2, &q, err, sizeof err));
  assert_memory_equal(&p, &q, sizeof p);
  spcc_arena_free(a);
  /* Internal ops cannot come from a model. */
  spcc_op op;
  assert_false(spcc_op_from_onnx("spcc::FusedElementwise", &op));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(fused_equals_separate_f32),
      cmocka_unit_test(fused_equals_separate_f64),
      cmocka_unit_test(no_fuse_keeps_nodes),
      cmocka_unit_test(programs_parse_strictly),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
