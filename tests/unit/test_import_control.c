/* test_import_control.c - If, Loop and the sequence ops, which the importer
 * resolves into plain IR (frontend/onnx_control.c, onnx_scan.c,
 * onnx_sequence.c).
 *
 * Each test builds a model with protobuf-c, imports it and checks either
 * the IR the importer made (which branch, how many iterations, which
 * selects) or, with all inputs constant, the values the whole pipeline
 * folds the outputs to. The refusals are checked by their exact text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spcc/spcc.h"
#include "support/onnx_build.h"

static const char model_path[] = SPCC_TEST_TMPDIR "/ctl_model.onnx";
static const int64_t d1[1] = {1}, d2[1] = {2}, d23[2] = {2, 3};

/* ---- helpers --------------------------------------------------------------------- */

static Onnx__TensorProto *f32s(const char *name, int rank, const int64_t *dims, const float *v,
                               size_t n) {
  return ob_tensor(name, F32, rank, dims, v, n, sizeof(float));
}

static Onnx__TensorProto *i64_scalar(const char *name, int64_t v) {
  return ob_tensor(name, I64, 0, NULL, &v, 1, sizeof v);
}

static Onnx__TensorProto *bool_scalar(const char *name, bool v) {
  uint8_t b = v;
  return ob_tensor(name, BOOL, 0, NULL, &b, 1, 1);
}

static Onnx__NodeProto *add_node(Onnx__GraphProto *g, const char *op, const char *name,
                                 const char **ins, const char **outs) {
  Onnx__NodeProto *n = ob_node(op, name, ins, outs);
  g->node[g->n_node++] = n;
  return n;
}

/* A branch computing out = OP(x, c) with its own constant c = [v, v]. */
static Onnx__GraphProto *branch(const char *name, const char *op, float v, const char *out) {
  Onnx__GraphProto *b = ob_graph(name);
  float c[2] = {v, v};
  b->initializer[b->n_initializer++] = f32s("c", 1, d2, c, 2);
  add_node(b, op, "op", NAMES("x", "c"), NAMES(out));
  b->output[b->n_output++] = ob_value_info(out, F32, 1, d2);
  return b;
}

/* x f32[2] -> If(cond) {then: x + 10, else: x * 3} -> y. cond is added by the caller. */
static Onnx__ModelProto *if_model(void) {
  Onnx__ModelProto *m = ob_model("ifm", 8, 13);
  Onnx__GraphProto *g = m->graph;
  g->input[g->n_input++] = ob_value_info("x", F32, 1, d2);
  Onnx__NodeProto *n = add_node(g, "If", "sel", NAMES("cond"), NAMES("y"));
  ob_attr_graph(n, "then_branch", branch("then", "Add", 10, "t_out"));
  ob_attr_graph(n, "else_branch", branch("else", "Mul", 3, "e_out"));
  g->output[g->n_output++] = ob_value_info("y", F32, 1, d2);
  return m;
}

static spcc_graph *import_ok(const Onnx__ModelProto *m, const spcc_options *o) {
  spcc_diag d;
  spcc_graph *g = ob_import(m, model_path, o, &d);
  if (!g) fail_msg("import failed: %s", d.first_error);
  return g;
}

static void expect_error(const Onnx__ModelProto *m, const char *msg) {
  spcc_diag d;
  spcc_graph *g = ob_import(m, model_path, NULL, &d);
  if (g) spcc_graph_free(g);
  assert_null(g);
  if (!strstr(d.first_error, msg)) fail_msg("expected '%s' in '%s'", msg, d.first_error);
}

/* Runs the whole pipeline: with constant inputs every output folds. */
static void pipeline(spcc_graph *g) {
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  spcc_options o;
  spcc_options_init(&o);
  if (!spcc_run_pipeline(g, &o, &d)) fail_msg("pipeline failed: %s", d.first_error);
}

/* Output k's folded f32 data (n elements). */
static const float *folded_f32(spcc_graph *g, int k, int64_t n) {
  int vid = g->outputs[k];
  assert_int_equal(spcc_type_numel(&g->values[vid].type), n);
  const float *p = spcc_value_data(g, vid);
  assert_non_null(p);
  return p;
}

static int count_op(const spcc_graph *g, spcc_op op) {
  int c = 0;
  for (int i = 0; i < g->n_nodes; i++) c += !g->nodes[i].dead && g->nodes[i].op == op;
  return c;
}

/* ---- If -------------------------------------------------------------------------- */

static void if_known_condition_imports_one_branch(void **state) {
  (void)state;
  for (int v = 0; v < 2; v++) {
    Onnx__ModelProto *m = if_model();
    m->graph->initializer[m->graph->n_initializer++] = bool_scalar("cond", v);
    spcc_graph *g = import_ok(m, NULL);
    assert_int_equal(g->n_nodes, 1);
    assert_int_equal(g->nodes[0].op, v ? SPCC_OP_ADD : SPCC_OP_MUL);
    assert_string_equal(g->nodes[0].name, v ? "sel/then/op" : "sel/else/op");
    assert_int_equal(g->outputs[0], g->nodes[0].out[0]);
    spcc_graph_free(g);
  }
}

static void if_runtime_condition_selects(void **state) {
  (void)state;
  Onnx__ModelProto *m = if_model();
  Onnx__GraphProto *g0 = m->graph;
  g0->input[g0->n_input++] = ob_value_info("cond", BOOL, 0, NULL);
  spcc_graph *g = import_ok(m, NULL);
  assert_int_equal(count_op(g, SPCC_OP_ADD), 1);
  assert_int_equal(count_op(g, SPCC_OP_MUL), 1);
  assert_int_equal(count_op(g, SPCC_OP_WHERE), 1);
  const spcc_node *w = &g->nodes[g->n_nodes - 1];
  assert_int_equal(w->op, SPCC_OP_WHERE);
  assert_int_equal(w->in[0], g->inputs[1]);
  assert_int_equal(g->outputs[0], w->out[0]);
  /* The branches' constants have distinct names in the one graph. */
  assert_true(spcc_graph_find_value(g, "sel/then/c") >= 0);
  assert_true(spcc_graph_find_value(g, "sel/else/c") >= 0);
  spcc_graph_free(g);
}

static void if_runtime_condition_needs_equal_types(void **state) {
  (void)state;
  Onnx__ModelProto *m = if_model();
  Onnx__GraphProto *g0 = m->graph;
  g0->input[g0->n_input++] = ob_value_info("cond", BOOL, 0, NULL);
  /* else: Concat(x, c) is f32[4] */
  Onnx__GraphProto *e = branch("else", "Concat", 3, "e_out");
  ob_attr_int(e->node[0], "axis", 0);
  g0->node[0]->attribute[1]->g = e;
  expect_error(m, "(If): error: unsupported: output 0 is f32[2] on one path and f32[4] on the "
                  "other; the condition must be a compile-time constant (fix it with --bind)");
}

/* cond = Equal(Shape(x), [2]) folds while importing: only one branch. */
static void if_condition_folds_from_shapes(void **state) {
  (void)state;
  Onnx__ModelProto *m = if_model();
  Onnx__GraphProto *g0 = m->graph;
  int64_t two = 2;
  g0->initializer[g0->n_initializer++] = ob_tensor("two", I64, 1, d1, &two, 1, sizeof two);
  Onnx__NodeProto *ifn = g0->node[0];
  g0->n_node = 0;
  add_node(g0, "Shape", "shape", NAMES("x"), NAMES("s"));
  add_node(g0, "Equal", "eq", NAMES("s", "two"), NAMES("cond"));
  g0->node[g0->n_node++] = ifn;
  spcc_graph *g = import_ok(m, NULL);
  assert_int_equal(count_op(g, SPCC_OP_ADD), 1);
  assert_int_equal(count_op(g, SPCC_OP_MUL), 0);
  assert_int_equal(count_op(g, SPCC_OP_SHAPE), 0); /* folded and dropped */
  spcc_graph_free(g);
}

/* ---- Loop ------------------------------------------------------------------------ */

/* Loop(M, cond, y0): y = y + float(i); scan y. Body uses an outer value. */
static Onnx__ModelProto *loop_model(bool runtime_cond, bool scan) {
  Onnx__ModelProto *m = ob_model("loopm", 8, 13);
  Onnx__GraphProto *g = m->graph, *b = ob_graph("body");
  b->input[b->n_input++] = ob_value_info("i", I64, 0, NULL);
  b->input[b->n_input++] = ob_value_info("c_in", BOOL, 0, NULL);
  b->input[b->n_input++] = ob_value_info("y_in", F32, 1, d1);
  Onnx__NodeProto *cast = add_node(b, "Cast", "cast", NAMES("i"), NAMES("fi"));
  ob_attr_int(cast, "to", F32);
  add_node(b, "Add", "add", NAMES("y_in", "fi"), NAMES("y_out"));
  if (runtime_cond)
    add_node(b, "Less", "less", NAMES("y_out", "limit"), NAMES("c_out"));
  else
    add_node(b, "Identity", "id", NAMES("c_in"), NAMES("c_out"));
  if (scan) add_node(b, "Identity", "scan", NAMES("y_out"), NAMES("s_out"));
  b->output[b->n_output++] = ob_value_info("c_out", BOOL, -1, NULL);
  b->output[b->n_output++] = ob_value_info("y_out", F32, 1, d1);
  if (scan) b->output[b->n_output++] = ob_value_info("s_out", F32, 1, d1);

  float zero = 0, lim = 2.5f;
  g->initializer[g->n_initializer++] = i64_scalar("M", 4);
  g->initializer[g->n_initializer++] = f32s("y0", 1, d1, &zero, 1);
  g->initializer[g->n_initializer++] = bool_scalar("cond", true);
  if (runtime_cond)
    g->input[g->n_input++] = ob_value_info("limit", F32, 1, d1);
  else
    g->initializer[g->n_initializer++] = f32s("limit", 1, d1, &lim, 1);
  Onnx__NodeProto *n = add_node(g, "Loop", "loop", NAMES("M", "cond", "y0"),
                                scan ? NAMES("y", "ys") : NAMES("y"));
  ob_attr_graph(n, "body", b);
  g->output[g->n_output++] = ob_value_info("y", F32, 1, d1);
  if (scan) g->output[g->n_output++] = ob_value_info("ys", F32, 2, (const int64_t[]){4, 1});
  return m;
}

static void loop_unrolls_and_stacks_scans(void **state) {
  (void)state;
  spcc_graph *g = import_ok(loop_model(false, true), NULL);
  /* Values are named after their iteration; the last carried value takes
   * the output's name (the generated API uses it). */
  assert_true(spcc_graph_find_value(g, "loop/iter2/y_out") >= 0);
  assert_string_equal(g->values[g->outputs[0]].name, "y");
  pipeline(g);
  const float *y = folded_f32(g, 0, 1);
  assert_true(y[0] == 6.0f); /* 0 + 0 + 1 + 2 + 3 */
  const float *ys = folded_f32(g, 1, 4);
  assert_true(ys[0] == 0.0f && ys[1] == 1.0f && ys[2] == 3.0f && ys[3] == 6.0f);
  spcc_graph_free(g);
}

/* A condition computed from a runtime input: carried values are selected. */
static void loop_runtime_condition_selects(void **state) {
  (void)state;
  spcc_graph *g = import_ok(loop_model(true, false), NULL);
  /* The condition is known (true) before iteration 0 only, so y stays a
   * constant through iteration 1 (its Adds fold while importing). */
  assert_int_equal(count_op(g, SPCC_OP_ADD), 2);
  assert_int_equal(count_op(g, SPCC_OP_WHERE), 3);
  assert_int_equal(count_op(g, SPCC_OP_AND), 3);
  spcc_graph_free(g);
}

static void loop_refusals(void **state) {
  (void)state;
  expect_error(loop_model(true, true),
               "(Loop): error: unsupported: the loop condition ('loop/iter0/c_out') must be a "
               "compile-time constant (fix it with --bind) when the loop has scan outputs");
  Onnx__ModelProto *m = loop_model(false, false);
  Onnx__GraphProto *g = m->graph;
  g->initializer[0] = g->initializer[--g->n_initializer]; /* M becomes an input */
  g->input[g->n_input++] = ob_value_info("M", I64, 0, NULL);
  expect_error(m, "(Loop): error: unsupported: the trip count M ('M') must be a compile-time "
                  "constant (fix it with --bind)");
}

/* ---- sequences ------------------------------------------------------------------- */

static void sequence_list_operations(void **state) {
  (void)state;
  Onnx__ModelProto *m = ob_model("seq", 8, 13);
  Onnx__GraphProto *g0 = m->graph;
  static const char *names[] = {"a", "b", "c", "d"};
  for (int k = 0; k < 4; k++) g0->input[g0->n_input++] = ob_value_info(names[k], F32, 1, d2);
  g0->initializer[g0->n_initializer++] = i64_scalar("one", 1);
  g0->initializer[g0->n_initializer++] = i64_scalar("minus1", -1);
  add_node(g0, "SequenceConstruct", "sc", NAMES("a", "b", "c"), NAMES("s1"));
  add_node(g0, "SequenceInsert", "si", NAMES("s1", "d", "one"), NAMES("s2")); /* a d b c */
  add_node(g0, "SequenceErase", "se", NAMES("s2", "minus1"), NAMES("s3"));    /* a d b */
  add_node(g0, "SequenceAt", "sa", NAMES("s3", "minus1"), NAMES("out"));      /* b */
  add_node(g0, "SequenceLength", "sl", NAMES("s3"), NAMES("len"));
  add_node(g0, "Identity", "id", NAMES("s3"), NAMES("s4"));
  add_node(g0, "ConcatFromSequence", "cat", NAMES("s4"), NAMES("cat"));
  ob_attr_int(g0->node[g0->n_node - 1], "axis", 0);
  g0->output[g0->n_output++] = ob_value_info("out", F32, 1, d2);
  g0->output[g0->n_output++] = ob_value_info("len", I64, 0, NULL);
  g0->output[g0->n_output++] = ob_value_info("cat", F32, 1, (const int64_t[]){6});
  spcc_graph *g = import_ok(m, NULL);
  assert_int_equal(g->outputs[0], g->inputs[1]);
  const int64_t *len = spcc_value_data(g, g->outputs[1]);
  assert_non_null(len);
  assert_int_equal(*len, 3);
  const spcc_node *cat = &g->nodes[g->n_nodes - 1];
  assert_int_equal(cat->op, SPCC_OP_CONCAT);
  assert_int_equal(cat->n_in, 3);
  assert_int_equal(cat->in[0], g->inputs[0]);
  assert_int_equal(cat->in[1], g->inputs[3]);
  assert_int_equal(cat->in[2], g->inputs[1]);
  spcc_graph_free(g);
}

/* SplitToSequence (keepdims 0) then ConcatFromSequence (new_axis) is a
 * transpose; a scalar split makes a short last piece. */
static void sequence_split_and_concat(void **state) {
  (void)state;
  Onnx__ModelProto *m = ob_model("split", 8, 13);
  Onnx__GraphProto *g0 = m->graph;
  const float v[6] = {0, 1, 2, 3, 4, 5};
  g0->initializer[g0->n_initializer++] = f32s("x", 2, d23, v, 6);
  g0->initializer[g0->n_initializer++] = i64_scalar("two", 2);
  Onnx__NodeProto *s = add_node(g0, "SplitToSequence", "s", NAMES("x"), NAMES("rows"));
  ob_attr_int(s, "keepdims", 0);
  Onnx__NodeProto *c = add_node(g0, "ConcatFromSequence", "c", NAMES("rows"), NAMES("xt"));
  ob_attr_int(c, "axis", 1);
  ob_attr_int(c, "new_axis", 1);
  Onnx__NodeProto *s2 = add_node(g0, "SplitToSequence", "s2", NAMES("x", "two"), NAMES("cols"));
  ob_attr_int(s2, "axis", 1);
  add_node(g0, "SequenceLength", "n", NAMES("cols"), NAMES("ncols"));
  add_node(g0, "SequenceAt", "last", NAMES("cols", "minus1"), NAMES("lastcol"));
  g0->initializer[g0->n_initializer++] = i64_scalar("minus1", -1);
  g0->output[g0->n_output++] = ob_value_info("xt", F32, 2, (const int64_t[]){3, 2});
  g0->output[g0->n_output++] = ob_value_info("lastcol", F32, 2, (const int64_t[]){2, 1});
  g0->output[g0->n_output++] = ob_value_info("ncols", I64, 0, NULL);
  spcc_graph *g = import_ok(m, NULL);
  pipeline(g);
  const float *xt = folded_f32(g, 0, 6);
  const float want[6] = {0, 3, 1, 4, 2, 5};
  for (int i = 0; i < 6; i++) assert_true(xt[i] == want[i]);
  const float *last = folded_f32(g, 1, 2);
  assert_true(last[0] == 2 && last[1] == 5);
  assert_int_equal(*(const int64_t *)spcc_value_data(g, g->outputs[2]), 2);
  spcc_graph_free(g);
}

static void sequence_refusals(void **state) {
  (void)state;
  Onnx__ModelProto *m = ob_model("seqbad", 8, 13);
  Onnx__GraphProto *g0 = m->graph;
  g0->input[g0->n_input++] = ob_value_info("a", F32, 1, d2);
  g0->initializer[g0->n_initializer++] = i64_scalar("five", 5);
  add_node(g0, "SequenceConstruct", "sc", NAMES("a"), NAMES("s"));
  add_node(g0, "SequenceAt", "sa", NAMES("s", "five"), NAMES("out"));
  g0->output[g0->n_output++] = ob_value_info("out", F32, 1, d2);
  expect_error(m, "node 1 'sa' (SequenceAt): error: position 5 is out of range for a sequence "
                  "of 1");
  g0->n_node = 1;
  g0->output[0] = ob_value_info("s", F32, 1, d2);
  expect_error(m, "error: graph output 's' is a sequence: unsupported");
  g0->node[0] = ob_node("Add", "add", NAMES("a", "a"), NAMES("t"));
  add_node(g0, "SequenceLength", "sl", NAMES("t"), NAMES("s"));
  expect_error(m, "(SequenceLength): error: input 0 must be a sequence");
  g0->n_node = 0;
  add_node(g0, "SequenceConstruct", "sc", NAMES("a"), NAMES("s"));
  add_node(g0, "Relu", "r", NAMES("s"), NAMES("out"));
  g0->output[0] = ob_value_info("out", F32, 1, d2);
  expect_error(m, "(Relu): error: input 's' is a sequence; Relu takes tensors");
}

/* A Loop whose body holds an If on the iteration number and carries a
 * sequence: both resolve per iteration. */
static void loop_with_if_and_sequence(void **state) {
  (void)state;
  Onnx__ModelProto *m = ob_model("nest", 8, 13);
  Onnx__GraphProto *g0 = m->graph, *b = ob_graph("body");
  b->input[b->n_input++] = ob_value_info("i", I64, 0, NULL);
  b->input[b->n_input++] = ob_value_info("c_in", BOOL, 0, NULL);
  b->input[b->n_input++] = ob_value_info("seq_in", F32, -1, NULL);
  add_node(b, "Equal", "is1", NAMES("i", "one"), NAMES("odd"));
  Onnx__NodeProto *ifn = add_node(b, "If", "pick", NAMES("odd"), NAMES("t"));
  Onnx__GraphProto *tb = ob_graph("t"), *eb = ob_graph("e");
  add_node(tb, "Neg", "neg", NAMES("x"), NAMES("tt"));
  tb->output[tb->n_output++] = ob_value_info("tt", F32, 1, d2);
  add_node(eb, "Identity", "same", NAMES("x"), NAMES("et"));
  eb->output[eb->n_output++] = ob_value_info("et", F32, 1, d2);
  ob_attr_graph(ifn, "then_branch", tb);
  ob_attr_graph(ifn, "else_branch", eb);
  add_node(b, "SequenceInsert", "push", NAMES("seq_in", "t"), NAMES("seq_out"));
  add_node(b, "Identity", "c", NAMES("c_in"), NAMES("c_out"));
  b->output[b->n_output++] = ob_value_info("c_out", BOOL, 0, NULL);
  b->output[b->n_output++] = ob_value_info("seq_out", F32, -1, NULL);

  const float x[2] = {1, 2};
  g0->initializer[g0->n_initializer++] = f32s("x", 1, d2, x, 2);
  g0->initializer[g0->n_initializer++] = i64_scalar("one", 1);
  g0->initializer[g0->n_initializer++] = i64_scalar("M", 3);
  Onnx__NodeProto *e = add_node(g0, "SequenceEmpty", "empty", NULL, NAMES("s0"));
  ob_attr_int(e, "dtype", F32);
  Onnx__NodeProto *l = add_node(g0, "Loop", "loop", NAMES("M", "", "s0"), NAMES("s"));
  ob_attr_graph(l, "body", b);
  Onnx__NodeProto *c = add_node(g0, "ConcatFromSequence", "cat", NAMES("s"), NAMES("out"));
  ob_attr_int(c, "axis", 0);
  g0->output[g0->n_output++] = ob_value_info("out", F32, 1, (const int64_t[]){6});
  spcc_graph *g = import_ok(m, NULL);
  pipeline(g);
  const float *out = folded_f32(g, 0, 6);
  const float want[6] = {1, 2, -1, -2, 1, 2};
  for (int i = 0; i < 6; i++) assert_true(out[i] == want[i]);
  spcc_graph_free(g);
}

/* ---- model-local functions -------------------------------------------------------- */

static void functions_inline_with_attribute_refs(void **state) {
  (void)state;
  Onnx__ModelProto *m = ob_model("fn", 8, 13);
  Onnx__GraphProto *g0 = m->graph;
  g0->input[g0->n_input++] = ob_value_info("x", F32, 1, d2);
  Onnx__FunctionProto *f = ob_function(m, "my", "Act", NAMES("a"), NAMES("b"), 13);
  Onnx__NodeProto *act = ob_node("LeakyRelu", "act", NAMES("a"), NAMES("b"));
  Onnx__AttributeProto *ref = ob_attr(act, "alpha", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
  ref->ref_attr_name = ob_str("slope");
  f->node[f->n_node++] = act;
  Onnx__NodeProto *c1 = add_node(g0, "Act", "c1", NAMES("x"), NAMES("y1"));
  c1->domain = ob_str("my");
  ob_attr_float(c1, "slope", 0.25f);
  Onnx__NodeProto *c2 = add_node(g0, "Act", "c2", NAMES("y1"), NAMES("y2"));
  c2->domain = ob_str("my"); /* no slope: LeakyRelu's default alpha */
  g0->output[g0->n_output++] = ob_value_info("y2", F32, 1, d2);
  spcc_options o;
  spcc_options_init(&o);
  o.no_fuse = true;
  spcc_graph *g = import_ok(m, &o);
  assert_int_equal(g->n_nodes, 2);
  assert_string_equal(g->nodes[0].name, "c1/act");
  assert_true(spcc_attr_float(&g->nodes[0], "alpha", 0) == 0.25f);
  assert_null(spcc_node_attr(&g->nodes[1], "alpha"));
  spcc_graph_free(g);
  /* A function calling itself ends at the nesting limit. */
  Onnx__NodeProto *rec = ob_node("Act", "self", NAMES("a"), NAMES("b"));
  rec->domain = ob_str("my");
  f->node[0] = rec;
  expect_error(m, "unsupported: subgraphs nested more than 16 deep");
  /* A function output its body does not define. */
  f->node[0] = ob_node("Relu", "r", NAMES("a"), NAMES("other"));
  expect_error(m, "function 'Act': error: function output 'b' is not defined");
}

/* ---- Scan ------------------------------------------------------------------------ */

/* Running sum of the slices: s_out = s_in + x_t, scan output s_out. */
static Onnx__GraphProto *sum_body(int rank, const int64_t *dims) {
  Onnx__GraphProto *b = ob_graph("sum");
  b->input[b->n_input++] = ob_value_info("s_in", F32, rank, dims);
  b->input[b->n_input++] = ob_value_info("x_t", F32, rank, dims);
  add_node(b, "Add", "add", NAMES("s_in", "x_t"), NAMES("s_out"));
  add_node(b, "Identity", "id", NAMES("s_out"), NAMES("e"));
  b->output[b->n_output++] = ob_value_info("s_out", F32, rank, dims);
  b->output[b->n_output++] = ob_value_info("e", F32, rank, dims);
  return b;
}

/* Opset 9: scanned along axis 1 backwards, stacked along axis 1 reversed. */
static void scan_axes_and_directions(void **state) {
  (void)state;
  Onnx__ModelProto *m = ob_model("scan9", 8, 11);
  Onnx__GraphProto *g0 = m->graph;
  const float zero[2] = {0, 0}, x[6] = {1, 2, 3, 4, 5, 6};
  g0->initializer[g0->n_initializer++] = f32s("s0", 1, d2, zero, 2);
  g0->initializer[g0->n_initializer++] = f32s("x", 2, d23, x, 6);
  Onnx__NodeProto *n = add_node(g0, "Scan", "scan", NAMES("s0", "x"), NAMES("s", "ys"));
  ob_attr_graph(n, "body", sum_body(1, d2));
  ob_attr_int(n, "num_scan_inputs", 1);
  ob_attr_ints(n, "scan_input_axes", 1, (const int64_t[]){1});
  ob_attr_ints(n, "scan_input_directions", 1, (const int64_t[]){1});
  ob_attr_ints(n, "scan_output_axes", 1, (const int64_t[]){-1});
  ob_attr_ints(n, "scan_output_directions", 1, (const int64_t[]){1});
  g0->output[g0->n_output++] = ob_value_info("s", F32, 1, d2);
  g0->output[g0->n_output++] = ob_value_info("ys", F32, 2, d23);
  spcc_graph *g = import_ok(m, NULL);
  pipeline(g);
  const float *s = folded_f32(g, 0, 2), *ys = folded_f32(g, 1, 6);
  assert_true(s[0] == 6 && s[1] == 15);
  const float want[6] = {6, 5, 3, 15, 11, 6};
  for (int i = 0; i < 6; i++) assert_true(ys[i] == want[i]);
  spcc_graph_free(g);
}

/* Opset 8: a batch axis; each entry scanned along axis 1. */
static void scan_opset8_batches(void **state) {
  (void)state;
  Onnx__ModelProto *m = ob_model("scan8", 8, 8);
  Onnx__GraphProto *g0 = m->graph;
  const float init[2] = {0, 0}, x[6] = {1, 2, 3, 10, 20, 30};
  g0->initializer[g0->n_initializer++] = f32s("s0", 2, (const int64_t[]){2, 1}, init, 2);
  g0->initializer[g0->n_initializer++] = f32s("x", 3, (const int64_t[]){2, 3, 1}, x, 6);
  Onnx__NodeProto *n = add_node(g0, "Scan", "scan", NAMES("", "s0", "x"), NAMES("s", "ys"));
  ob_attr_graph(n, "body", sum_body(1, d1));
  ob_attr_int(n, "num_scan_inputs", 1);
  g0->output[g0->n_output++] = ob_value_info("s", F32, 2, (const int64_t[]){2, 1});
  g0->output[g0->n_output++] = ob_value_info("ys", F32, 3, (const int64_t[]){2, 3, 1});
  spcc_graph *g = import_ok(m, NULL);
  pipeline(g);
  const float *s = folded_f32(g, 0, 2), *ys = folded_f32(g, 1, 6);
  assert_true(s[0] == 6 && s[1] == 60);
  const float want[6] = {1, 3, 6, 10, 30, 60};
  for (int i = 0; i < 6; i++) assert_true(ys[i] == want[i]);
  spcc_graph_free(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(if_known_condition_imports_one_branch, ob_free_all),
      cmocka_unit_test_teardown(if_runtime_condition_selects, ob_free_all),
      cmocka_unit_test_teardown(if_runtime_condition_needs_equal_types, ob_free_all),
      cmocka_unit_test_teardown(if_condition_folds_from_shapes, ob_free_all),
      cmocka_unit_test_teardown(loop_unrolls_and_stacks_scans, ob_free_all),
      cmocka_unit_test_teardown(loop_runtime_condition_selects, ob_free_all),
      cmocka_unit_test_teardown(loop_refusals, ob_free_all),
      cmocka_unit_test_teardown(sequence_list_operations, ob_free_all),
      cmocka_unit_test_teardown(sequence_split_and_concat, ob_free_all),
      cmocka_unit_test_teardown(sequence_refusals, ob_free_all),
      cmocka_unit_test_teardown(loop_with_if_and_sequence, ob_free_all),
      cmocka_unit_test_teardown(scan_axes_and_directions, ob_free_all),
      cmocka_unit_test_teardown(scan_opset8_batches, ob_free_all),
      cmocka_unit_test_teardown(functions_inline_with_attribute_refs, ob_free_all),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
