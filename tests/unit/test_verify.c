/* test_verify.c - the IR verifier: a valid graph passes, and each invariant,
 * broken on its own in a copy of that graph, is reported (naming the node
 * where there is one) with false. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ir/ir.h"

static void *floats(int n) {
  float *p = malloc(sizeof(float) * (size_t)n);
  for (int i = 0; i < n; i++) p[i] = (float)i;
  return p;
}

/* x:f32[1,2] -> a = add(x, c) -> b = relu(a) -> outputs (b, a); planned. */
typedef struct {
  spcc_graph *g;
  int x, c, a, b;
} fixture;

static fixture valid_graph(void) {
  fixture f;
  int64_t dims[2] = {1, 2};
  spcc_type t = spcc_type_make(SPCC_DT_F32, 2, dims);
  spcc_graph *g = spcc_graph_new("g", "v.onnx");
  f.g = g;
  f.x = spcc_graph_add_value(g, "x", &t, SPCC_VAL_INPUT);
  f.c = spcc_graph_add_const(g, "c", &t, floats(2));
  f.a = spcc_graph_add_value(g, "a", &t, SPCC_VAL_TEMP);
  f.b = spcc_graph_add_value(g, "b", &t, SPCC_VAL_TEMP);
  int in0[2] = {f.x, f.c};
  int n0 = spcc_graph_add_node(g, SPCC_OP_ADD, 2, in0, 1, &f.a);
  g->nodes[n0].onnx_index = 0;
  g->nodes[n0].name = "plus";
  spcc_node_set_int(g, n0, "k", 1);
  spcc_node_set_float(g, n0, "f", 2.0f);
  int n1 = spcc_graph_add_node(g, SPCC_OP_RELU, 1, &f.a, 1, &f.b);
  g->nodes[n1].onnx_index = 1;
  g->nodes[n1].name = "act";
  g->inputs = spcc_arena_alloc(g->arena, sizeof(int) * 4);
  g->inputs[0] = f.x;
  g->n_inputs = 1;
  g->outputs = spcc_arena_alloc(g->arena, sizeof(int) * 4);
  g->outputs[0] = f.b;
  g->outputs[1] = f.a;
  g->n_outputs = 2;
  g->values[f.a].offset = 0;
  g->values[f.b].offset = 64;
  g->arena_size = 128;
  g->arena_lower_bound = 128;
  return f;
}

/* The verifier fails with a message containing each of the strings. */
static void expect_invalid(fixture f, const char *what, const char *where) {
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  bool ok = spcc_verify_graph(f.g, &d);
  if (ok || !strstr(d.first_error, what) || !strstr(d.first_error, where))
    fail_msg("wanted '%s' and '%s', got %s '%s'", what, where, ok ? "success" : "failure",
             d.first_error);
  assert_int_equal(d.n_errors, 1);
  spcc_graph_free(f.g);
}

static void test_valid(void **state) {
  (void)state;
  fixture f = valid_graph();
  spcc_diag d;
  spcc_diag_init(&d, stderr);
  assert_true(spcc_verify_graph(f.g, &d));
  assert_int_equal(d.n_errors, 0);
  /* Omitted optional inputs and outputs are fine, and so are dead nodes
   * that no longer make sense (they await compaction). */
  int in[3] = {f.b, -1, f.c};
  int out[2] = {-1, spcc_graph_add_value(f.g, "e", NULL, SPCC_VAL_TEMP)};
  spcc_graph_add_node(f.g, SPCC_OP_CLIP, 3, in, 2, out);
  int ghost = spcc_graph_add_value(f.g, "ghost", NULL, SPCC_VAL_TEMP);
  int dead = spcc_graph_add_node(f.g, SPCC_OP_RELU, 1, &ghost, 1, &f.a);
  f.g->nodes[dead].dead = true;
  int n_dead_in[1] = {ghost};
  int dead2 = spcc_graph_add_node(f.g, SPCC_OP_RELU, 1, n_dead_in, 1, &ghost);
  f.g->nodes[dead2].dead = true;
  /* ghost is produced only by a dead node: an orphan temporary. */
  spcc_diag_init(&d, NULL);
  assert_false(spcc_verify_graph(f.g, &d));
  assert_non_null(strstr(d.first_error, "temporary 'ghost' has no producer"));
  f.g->nodes[dead2].dead = false;
  f.g->nodes[dead2].in[0] = f.x;
  spcc_diag_init(&d, stderr);
  assert_true(spcc_verify_graph(f.g, &d));
  spcc_graph_free(f.g);
}

static void test_ids_in_range(void **state) {
  (void)state;
  fixture f = valid_graph();
  f.g->nodes[1].in[0] = 17;
  expect_invalid(f, "input 0 has value id 17, out of range", "node 1 'act' (Relu)");
  f = valid_graph();
  f.g->nodes[0].in[1] = -2;
  expect_invalid(f, "input 1 has value id -2", "node 0 'plus' (Add)");
  f = valid_graph();
  f.g->nodes[0].out[0] = 4;
  expect_invalid(f, "output 0 has value id 4, out of range", "node 0 'plus'");
  f = valid_graph();
  f.g->outputs[1] = 9;
  expect_invalid(f, "graph output 1 has value id 9", "v.onnx: error: invalid IR");
  f = valid_graph();
  f.g->inputs[0] = -1;
  expect_invalid(f, "graph input 0 has value id -1", "v.onnx");
  f = valid_graph();
  f.g->values[f.c].const_id = 5;
  expect_invalid(f, "constant 'c' refers to constant 5, which does not exist", "v.onnx");
  f = valid_graph();
  f.g->nodes[1].op = SPCC_OP_COUNT;
  expect_invalid(f, "node 1 has unknown op", "v.onnx");
}

static void test_defined_before_use(void **state) {
  (void)state;
  fixture f = valid_graph();
  spcc_node tmp = f.g->nodes[0];
  f.g->nodes[0] = f.g->nodes[1];
  f.g->nodes[1] = tmp;
  expect_invalid(f, "input 0 'a' is used before it is defined", "node 1 'act' (Relu)");
  f = valid_graph();
  f.g->nodes[0].in[0] = f.a; /* reads its own output */
  expect_invalid(f, "input 0 'a' is used before it is defined", "node 0 'plus'");
}

static void test_single_producer(void **state) {
  (void)state;
  fixture f = valid_graph();
  f.g->nodes[1].out[0] = f.a;
  expect_invalid(f, "output 0 'a' is produced twice", "node 1 'act'");
  f = valid_graph();
  f.g->nodes[1].out[0] = f.c;
  expect_invalid(f, "output 0 'c' is a graph input or a constant", "node 1 'act'");
}

static void test_temp_has_producer(void **state) {
  (void)state;
  fixture f = valid_graph();
  spcc_graph_add_value(f.g, "lost", NULL, SPCC_VAL_TEMP);
  expect_invalid(f, "temporary 'lost' has no producer", "v.onnx");
}

static void test_inputs(void **state) {
  (void)state;
  fixture f = valid_graph();
  spcc_graph_add_value(f.g, "stray", NULL, SPCC_VAL_INPUT);
  expect_invalid(f, "INPUT value 'stray' is not in the graph's input list", "v.onnx");
  f = valid_graph();
  f.g->inputs[1] = f.x;
  f.g->n_inputs = 2;
  expect_invalid(f, "graph input 'x' is listed twice", "v.onnx");
  f = valid_graph();
  f.g->inputs[0] = f.a;
  f.g->values[f.x].kind = SPCC_VAL_TEMP;
  f.g->nodes[0].in[0] = f.c;
  expect_invalid(f, "graph input 'a' is not an INPUT value", "v.onnx");
}

static void test_const_data(void **state) {
  (void)state;
  fixture f = valid_graph();
  f.g->consts[f.g->values[f.c].const_id].numel = 3;
  expect_invalid(f, "constant 'c' is f32[1,2] but its data holds 3 f32 elements", "v.onnx");
  f = valid_graph();
  f.g->consts[f.g->values[f.c].const_id].dtype = SPCC_DT_I32;
  expect_invalid(f, "but its data holds 2 i32 elements", "constant 'c'");
  f = valid_graph();
  f.g->values[f.c].const_id = -1;
  expect_invalid(f, "constant 'c' refers to constant -1", "v.onnx");
  f = valid_graph();
  f.g->values[f.c].type.dims[1] = -1;
  expect_invalid(f, "constant 'c' has no static type (f32[1,?])", "v.onnx");
  f = valid_graph();
  free(f.g->consts[0].data);
  f.g->consts[0].data = NULL;
  expect_invalid(f, "constant 'c' has no data", "v.onnx");
  /* A bound input's data is checked the same way. */
  f = valid_graph();
  f.g->values[f.x].const_id = spcc_graph_add_const_data(f.g, SPCC_DT_F32, 5, floats(5));
  expect_invalid(f, "bound input 'x' is f32[1,2] but its data holds 5 f32", "v.onnx");
}

static void test_outputs_defined(void **state) {
  (void)state;
  fixture f = valid_graph();
  int u = spcc_graph_add_value(f.g, "u", NULL, SPCC_VAL_TEMP);
  f.g->outputs[1] = u;
  expect_invalid(f, "graph output 'u' is never produced", "v.onnx");
  /* Outputs that are inputs or constants are defined. */
  f = valid_graph();
  f.g->outputs[0] = f.x;
  f.g->outputs[1] = f.c;
  spcc_diag d;
  spcc_diag_init(&d, stderr);
  assert_true(spcc_verify_graph(f.g, &d));
  spcc_graph_free(f.g);
}

static void test_attr_names_unique(void **state) {
  (void)state;
  fixture f = valid_graph();
  f.g->nodes[0].attr[1].name = "k"; /* the setters would replace, so forge it */
  expect_invalid(f, "attribute 'k' is given twice", "node 0 'plus' (Add)");
}

static void test_value_names(void **state) {
  (void)state;
  fixture f = valid_graph();
  f.g->values[f.b].name = "a";
  expect_invalid(f, "value name 'a' is used by two values", "v.onnx");
  f = valid_graph();
  f.g->values[f.b].name = "";
  expect_invalid(f, "value 3 has an empty name", "v.onnx");
}

static void test_arena(void **state) {
  (void)state;
  fixture f = valid_graph();
  f.g->values[f.b].type.dims[0] = -1;
  f.g->values[f.b].type.rank = 2;
  expect_invalid(f, "value 'b' has an arena offset but no static type", "v.onnx");
  f = valid_graph();
  f.g->values[f.b].offset = 124;
  expect_invalid(f, "value 'b' at arena [124, 132) ends beyond the arena size 128", "v.onnx");
  f = valid_graph();
  f.g->arena_size = -1;
  expect_invalid(f, "ends beyond the arena size -1", "value 'a'");
  f = valid_graph();
  f.g->values[f.a].offset = -7;
  expect_invalid(f, "value 'a' has a negative arena offset -7", "v.onnx");
  f = valid_graph();
  f.g->arena_lower_bound = 256;
  expect_invalid(f, "arena lower bound 256 exceeds the arena size 128", "v.onnx");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_valid),           cmocka_unit_test(test_ids_in_range),
      cmocka_unit_test(test_defined_before_use), cmocka_unit_test(test_single_producer),
      cmocka_unit_test(test_temp_has_producer), cmocka_unit_test(test_inputs),
      cmocka_unit_test(test_const_data),      cmocka_unit_test(test_outputs_defined),
      cmocka_unit_test(test_attr_names_unique), cmocka_unit_test(test_value_names),
      cmocka_unit_test(test_arena),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
