/* test_import.c - the ONNX frontend on small models built here with
 * protobuf-c: initializers, Constant nodes, inputs with dynamic dims and
 * --shape / --bind, attributes, name resolution, and the diagnostics for
 * everything the importer refuses (their exact text where users see it).
 * Malformed files (every truncation, nesting bombs) must fail cleanly. */
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

/* ---- building models ------------------------------------------------------------- */

static const int64_t dims23[2] = {2, 3};
static const float w_vals[6] = {1, 2, 3, 4, 5, 6};

/* x f32[2,3] + w (initializer) -> y, node 0 "add0". */
static Onnx__ModelProto *add_model(void) {
  Onnx__ModelProto *m = ob_model("tiny", 8, 13);
  Onnx__GraphProto *g = m->graph;
  g->input[g->n_input++] = ob_value_info("x", F32, 2, dims23);
  g->initializer[g->n_initializer++] = ob_tensor("w", F32, 2, dims23, w_vals, 6, sizeof(float));
  g->node[g->n_node++] = ob_node("Add", "add0", NAMES("x", "w"), NAMES("y"));
  g->output[g->n_output++] = ob_value_info("y", F32, 2, dims23);
  return m;
}

static const char model_path[] = SPCC_TEST_TMPDIR "/imp_model.onnx";

static spcc_graph *import(const Onnx__ModelProto *m, const spcc_options *o, spcc_diag *d) {
  return ob_import(m, model_path, o, d);
}

/* Asserts the import fails and the first error ends with `msg`. */
static void expect_error(const Onnx__ModelProto *m, const spcc_options *o, const char *msg) {
  spcc_diag d;
  spcc_graph *g = import(m, o, &d);
  if (g) spcc_graph_free(g);
  assert_null(g);
  size_t a = strlen(d.first_error), b = strlen(msg);
  if (a < b || strcmp(d.first_error + a - b, msg) != 0)
    fail_msg("expected '...%s', got '%s'", msg, d.first_error);
}

/* "PATH: node 3 'n' (Op): error: MSG" for the current model. */
static const char *at_node(int idx, const char *name, const char *op, const char *msg) {
  static char buf[2048];
  snprintf(buf, sizeof buf, "%s: node %d '%s' (%s): error: %s", model_path, idx, name, op, msg);
  return buf;
}

/* ---- tests ----------------------------------------------------------------------- */

static void test_basic(void **state) {
  (void)state;
  spcc_diag d;
  spcc_graph *g = import(add_model(), NULL, &d);
  assert_non_null(g);
  assert_int_equal(d.n_errors, 0);
  assert_int_equal(d.n_warnings, 0);
  assert_string_equal(g->name, "tiny");
  assert_string_equal(g->source, model_path);
  assert_int_equal(g->n_inputs, 1);
  const spcc_value *x = &g->values[g->inputs[0]];
  assert_string_equal(x->name, "x");
  assert_int_equal(x->kind, SPCC_VAL_INPUT);
  assert_int_equal(x->const_id, -1);
  assert_int_equal(x->type.dtype, SPCC_DT_F32);
  assert_int_equal(x->type.rank, 2);
  assert_int_equal(x->type.dims[1], 3);
  int w = spcc_graph_find_value(g, "w");
  assert_true(w >= 0);
  assert_int_equal(g->values[w].kind, SPCC_VAL_CONST);
  assert_memory_equal(spcc_value_data(g, w), w_vals, sizeof w_vals);
  assert_int_equal(g->n_nodes, 1);
  const spcc_node *n = &g->nodes[0];
  assert_int_equal(n->op, SPCC_OP_ADD);
  assert_int_equal(n->onnx_index, 0);
  assert_string_equal(n->name, "add0");
  assert_int_equal(n->opset, 13);
  assert_int_equal(n->n_in, 2);
  assert_int_equal(n->in[0], g->inputs[0]);
  assert_int_equal(n->in[1], w);
  assert_int_equal(n->n_out, 1);
  const spcc_value *y = &g->values[n->out[0]];
  assert_string_equal(y->name, "y");
  assert_int_equal(y->kind, SPCC_VAL_TEMP);
  assert_int_equal(y->type.rank, -1);
  assert_int_equal(g->n_outputs, 1);
  assert_int_equal(g->outputs[0], n->out[0]);
  spcc_graph_free(g);
}

/* IR version 3 lists initializers among the inputs: they are not runtime
 * inputs. Without opset_import the default opset is 1. */
static void test_initializer_in_inputs(void **state) {
  (void)state;
  Onnx__ModelProto *m = add_model();
  m->ir_version = 3;
  m->n_opset_import = 0;
  Onnx__GraphProto *g0 = m->graph;
  g0->input[g0->n_input++] = ob_value_info("w", F32, 2, dims23);
  spcc_diag d;
  spcc_graph *g = import(m, NULL, &d);
  assert_non_null(g);
  assert_int_equal(g->n_inputs, 1);
  assert_string_equal(g->values[g->inputs[0]].name, "x");
  assert_int_equal(g->nodes[0].opset, 1);
  spcc_graph_free(g);
}

static void test_constant_nodes(void **state) {
  (void)state;
  Onnx__ModelProto *m = ob_model("tiny", 8, 13);
  Onnx__GraphProto *gp = m->graph;
  gp->input[gp->n_input++] = ob_value_info("x", F32, 2, dims23);
  Onnx__NodeProto *c0 = ob_node("Constant", "c0", NULL, NAMES("k0"));
  ob_attr(c0, "value", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR)->t =
      ob_tensor("", F32, 2, dims23, w_vals, 6, sizeof(float));
  Onnx__NodeProto *c1 = ob_node("Constant", "c1", NULL, NAMES("k1"));
  ob_attr_float(c1, "value_float", 2.5f);
  Onnx__NodeProto *c2 = ob_node("Constant", "c2", NULL, NAMES("k2"));
  const int64_t iv[3] = {7, -8, 9};
  ob_attr_ints(c2, "value_ints", 3, iv);
  Onnx__NodeProto *c3 = ob_node("Constant", "c3", NULL, NAMES("k3"));
  ob_attr_int(c3, "value_int", 42);
  Onnx__NodeProto *c4 = ob_node("Constant", "c4", NULL, NAMES("k4"));
  const float fv[2] = {0.5f, -1};
  ob_attr_floats(c4, "value_floats", 2, fv);
  gp->node[gp->n_node++] = c0;
  gp->node[gp->n_node++] = c1;
  gp->node[gp->n_node++] = c2;
  gp->node[gp->n_node++] = c3;
  gp->node[gp->n_node++] = c4;
  gp->node[gp->n_node++] = ob_node("Mul", "m", NAMES("x", "k0"), NAMES("y"));
  gp->output[gp->n_output++] = ob_value_info("y", F32, 2, dims23);
  gp->output[gp->n_output++] = ob_value_info("k1", F32, 0, NULL);

  spcc_diag d;
  spcc_graph *g = import(m, NULL, &d);
  assert_non_null(g);
  assert_int_equal(g->n_nodes, 1);
  assert_int_equal(g->nodes[0].onnx_index, 5);
  int k0 = spcc_graph_find_value(g, "k0"), k1 = spcc_graph_find_value(g, "k1"),
      k2 = spcc_graph_find_value(g, "k2"), k3 = spcc_graph_find_value(g, "k3"),
      k4 = spcc_graph_find_value(g, "k4");
  assert_int_equal(g->nodes[0].in[1], k0);
  assert_memory_equal(spcc_value_data(g, k0), w_vals, sizeof w_vals);
  assert_int_equal(g->values[k1].type.rank, 0);
  assert_true(*(const float *)spcc_value_data(g, k1) == 2.5f);
  assert_int_equal(g->values[k2].type.dtype, SPCC_DT_I64);
  assert_int_equal(g->values[k2].type.dims[0], 3);
  assert_memory_equal(spcc_value_data(g, k2), iv, sizeof iv);
  assert_int_equal(*(const int64_t *)spcc_value_data(g, k3), 42);
  assert_memory_equal(spcc_value_data(g, k4), fv, sizeof fv);
  assert_int_equal(g->outputs[1], k1);
  spcc_graph_free(g);

  /* String constants are unsupported, at the Constant node; a sparse_value
   * without its tensor is an error there (test_sparse_import.c has the rest). */
  c4->attribute[0]->name = ob_str("sparse_value");
  c4->attribute[0]->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__SPARSE_TENSOR;
  expect_error(m, NULL, "Constant 'sparse_value' has no tensor");
  c4->attribute[0]->name = ob_str("value_string");
  c4->attribute[0]->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
  ob_save(m, model_path);
  spcc_diag_init(&d, NULL);
  assert_null(spcc_import_onnx(model_path, NULL, &d));
  assert_string_equal(
      d.first_error, at_node(4, "c4", "Constant", "unsupported Constant attribute 'value_string'"));
}

static void test_attributes(void **state) {
  (void)state;
  Onnx__ModelProto *m = add_model();
  Onnx__NodeProto *n = m->graph->node[0];
  ob_attr_int(n, "i", -3);
  ob_attr_float(n, "f", 0.25f);
  Onnx__AttributeProto *s = ob_attr(n, "s", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);
  s->has_s = 1;
  s->s.data = (uint8_t *)ob_str("NOTSET");
  s->s.len = 6;
  ob_attr_ints(n, "is", 2, (int64_t[]){1, 2});
  ob_attr_floats(n, "fs", 3, (float[]){1, 2, 3});
  /* IR version 1 style: no type field, inferred from the value. */
  ob_attr_int(n, "old", 9)->has_type = 0;
  spcc_diag d;
  spcc_graph *g = import(m, NULL, &d);
  assert_non_null(g);
  const spcc_node *gn = &g->nodes[0];
  assert_int_equal(gn->n_attr, 6);
  assert_int_equal(spcc_attr_int(gn, "i", 0), -3);
  assert_true(spcc_attr_float(gn, "f", 0) == 0.25f);
  assert_string_equal(spcc_attr_string(gn, "s", ""), "NOTSET");
  int cnt;
  const int64_t *ints = spcc_attr_ints(gn, "is", &cnt);
  assert_int_equal(cnt, 2);
  assert_int_equal(ints[1], 2);
  const float *floats = spcc_attr_floats(gn, "fs", &cnt);
  assert_int_equal(cnt, 3);
  assert_true(floats[2] == 3);
  assert_int_equal(spcc_attr_int(gn, "old", 0), 9);
  spcc_graph_free(g);

  s->s.data[2] = 0; /* embedded NUL */
  expect_error(m, NULL, "attribute 's' holds a string with a NUL byte");
  s->s.data[2] = 'T';
  ob_attr(n, "i", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
  expect_error(m, NULL, "attribute 'i' is given twice");
  n->n_attribute--;
  Onnx__AttributeProto *body = ob_attr(n, "body", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH);
  body->g = ob_alloc(sizeof *body->g);
  onnx__graph_proto__init(body->g);
  ob_save(m, model_path);
  expect_error(m, NULL, at_node(0, "add0", "Add", "unsupported attribute 'body' of type GRAPH"));
  body->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS;
  body->g = NULL;
  expect_error(m, NULL, "unsupported attribute 'body' of type STRINGS");
}

/* Unknown ops: reported at the node, in spcc_error's exact format, once per
 * op type, all of them before failing. */
static void test_unsupported_ops(void **state) {
  (void)state;
  Onnx__ModelProto *m = add_model();
  Onnx__GraphProto *gp = m->graph;
  gp->node[gp->n_node++] = ob_node("Foo", "weird", NAMES("y"), NAMES("z"));
  gp->node[gp->n_node++] = ob_node("Foo", "again", NAMES("z"), NAMES("z2"));
  Onnx__NodeProto *ms = ob_node("FusedThing", "", NAMES("z2"), NAMES("z3"));
  ms->domain = ob_str("com.example");
  gp->node[gp->n_node++] = ms;
  ob_save(m, model_path);
  spcc_diag d;
  spcc_graph *g = import(m, NULL, &d);
  assert_null(g);
  assert_string_equal(d.first_error, at_node(1, "weird", "Foo", "unsupported operator 'Foo'"));
  assert_int_equal(d.n_errors, 2);

  /* Matches what spcc_error prints for a real node. */
  char *buf;
  size_t len;
  FILE *mem = open_memstream(&buf, &len);
  spcc_diag_init(&d, mem);
  spcc_node fake = {.op = SPCC_OP_ADD, .onnx_index = 0, .name = "add0"};
  spcc_error(&d, model_path, &fake, "x");
  fclose(mem);
  char want[2100];
  snprintf(want, sizeof want, "%s\n", at_node(0, "add0", "Add", "x"));
  assert_string_equal(buf, want);
  free(buf);

  gp->n_node = 1;
  gp->node[gp->n_node++] = ms;
  ms->input[0] = ob_str("y");
  expect_error(m, NULL, at_node(1, "", "FusedThing", "unsupported operator 'com.example::FusedThing'"));
}

static void test_names(void **state) {
  (void)state;
  Onnx__ModelProto *m = add_model();
  Onnx__GraphProto *gp = m->graph;
  /* "" is an omitted optional input; trailing omitted outputs are dropped. */
  gp->node[gp->n_node++] = ob_node("Clip", "c", NAMES("y", "", "w"), NAMES("z", "", ""));
  gp->output[0]->name = ob_str("z");
  spcc_diag d;
  spcc_graph *g = import(m, NULL, &d);
  assert_non_null(g);
  const spcc_node *n = &g->nodes[1];
  assert_int_equal(n->n_in, 3);
  assert_int_equal(n->in[1], -1);
  assert_int_equal(n->n_out, 1);
  spcc_graph_free(g);

  gp->node[1]->input[2] = ob_str("nope");
  ob_save(m, model_path);
  expect_error(m, NULL, at_node(1, "c", "Clip", "input 'nope' is not defined"));
  gp->node[1]->input[2] = ob_str("w");
  gp->node[1]->output[0] = ob_str("y");
  expect_error(m, NULL, "value 'y' is defined twice");
  gp->node[1]->output[0] = ob_str("z");
  gp->output[0]->name = ob_str("q");
  expect_error(m, NULL, "error: graph output 'q' is not defined");
  gp->n_output = 0;
  expect_error(m, NULL, "error: graph has no outputs");
  gp->n_output = 1;
  gp->output[0]->name = ob_str("z");
  gp->initializer[gp->n_initializer++] = ob_tensor("w", F32, 2, dims23, w_vals, 6, sizeof(float));
  expect_error(m, NULL, "initializer 'w' is defined twice");
}

static void test_envelope(void **state) {
  (void)state;
  Onnx__ModelProto *m = add_model();
  m->ir_version = 10;
  expect_error(m, NULL, "unsupported IR version 10 (spcc reads 1 to 9)");
  m->ir_version = 8;
  m->opset_import[0]->version = 19;
  expect_error(m, NULL, "unsupported opset 19 (spcc reads opsets 1 to 18)");
  m->opset_import[0]->version = 13;
  m->has_ir_version = 0;
  expect_error(m, NULL, "not an ONNX model (no ir_version)");
  m->has_ir_version = 1;
  Onnx__GraphProto *gp = m->graph;
  m->graph = NULL;
  expect_error(m, NULL, "not an ONNX model (no graph)");
  m->graph = gp;

  spcc_diag d;
  spcc_diag_init(&d, NULL);
  char missing[1100];
  snprintf(missing, sizeof missing, "%s/imp_missing.onnx", SPCC_TEST_TMPDIR);
  assert_null(spcc_import_onnx(missing, NULL, &d));
  char want[1200];
  snprintf(want, sizeof want, "%s: error: cannot open: No such file or directory", missing);
  assert_string_equal(d.first_error, want);

  snprintf(missing, sizeof missing, "%s/imp_junk.onnx", SPCC_TEST_TMPDIR);
  FILE *f = fopen(missing, "wb");
  fputs("\x0a\xff\xff\xff\x0fgarbage", f);
  fclose(f);
  spcc_diag_init(&d, NULL);
  assert_null(spcc_import_onnx(missing, NULL, &d));
  snprintf(want, sizeof want, "%s: error: not a valid ONNX model (protobuf parse failed)", missing);
  assert_string_equal(d.first_error, want);
}

static void test_tensor_types(void **state) {
  (void)state;
  Onnx__ModelProto *m = add_model();
  Onnx__TensorProto *w = m->graph->initializer[0];
  w->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16;
  expect_error(m, NULL, "initializer 'w': unsupported element type FLOAT16");
  w->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
  w->raw_data.len = 20;
  expect_error(m, NULL, "initializer 'w' has 20 bytes of raw_data, expected 24 (6 x f32)");
  w->raw_data.len = 24;
  w->has_data_location = 1;
  w->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
  expect_error(m, NULL, "initializer 'w': external data location '' is missing");
  w->has_data_location = 0;
  /* Typed fields: int32_data carries int8. */
  w->has_raw_data = 0;
  w->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT8;
  int32_t iv[6] = {1, -2, 3, -4, 5, -6};
  w->n_int32_data = 6;
  w->int32_data = iv;
  spcc_diag d;
  spcc_graph *g = import(m, NULL, &d);
  assert_non_null(g);
  int wid = spcc_graph_find_value(g, "w");
  assert_int_equal(g->values[wid].type.dtype, SPCC_DT_I8);
  assert_int_equal(((const int8_t *)spcc_value_data(g, wid))[3], -4);
  spcc_graph_free(g);

  m->graph->n_sparse_initializer = 1;
  m->graph->sparse_initializer = ob_alloc(sizeof(void *));
  m->graph->sparse_initializer[0] = ob_alloc(sizeof(Onnx__SparseTensorProto));
  onnx__sparse_tensor_proto__init(m->graph->sparse_initializer[0]);
  expect_error(m, NULL, "sparse_initializer 0 has no name (values.name)");
  m->graph->n_sparse_initializer = 0;

  Onnx__ValueInfoProto *x = m->graph->input[0];
  x->type->tensor_type->elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16;
  expect_error(m, NULL, "graph input 'x': unsupported element type BFLOAT16");
  x->type->value_case = ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE;
  x->type->sequence_type = ob_alloc(sizeof(Onnx__TypeProto__Sequence));
  onnx__type_proto__sequence__init(x->type->sequence_type);
  expect_error(m, NULL, "graph input 'x': unsupported input type (sequence)");
}

static void test_dynamic_and_shape(void **state) {
  (void)state;
  Onnx__ModelProto *m = add_model();
  int64_t dyn[2] = {-1, -2};
  m->graph->input[0] = ob_value_info("x", F32, 2, dyn);
  char *buf;
  size_t len;
  FILE *mem = open_memstream(&buf, &len);
  ob_save(m, model_path);
  spcc_diag d;
  spcc_diag_init(&d, mem);
  spcc_graph *g = spcc_import_onnx(model_path, NULL, &d);
  fclose(mem);
  assert_non_null(g);
  assert_int_equal(d.n_warnings, 2);
  char want[4096];
  snprintf(want, sizeof want,
           "%s: warning: input 'x' dimension 0 ('N') is dynamic; assuming 1 (fix it with --shape x=...)\n"
           "%s: warning: input 'x' dimension 1 is dynamic; assuming 1 (fix it with --shape x=...)\n",
           model_path, model_path);
  assert_string_equal(buf, want);
  free(buf);
  assert_int_equal(g->values[g->inputs[0]].type.dims[0], 1);
  spcc_graph_free(g);

  spcc_shape_opt sh = {.name = "x", .rank = 2, .dims = {4, 3}};
  spcc_options o = {.shapes = &sh, .n_shapes = 1};
  g = import(m, &o, &d);
  assert_non_null(g);
  assert_int_equal(d.n_warnings, 0);
  assert_int_equal(g->values[g->inputs[0]].type.dims[0], 4);
  spcc_graph_free(g);

  sh.name = "w";
  expect_error(m, &o, "--shape: no graph input named 'w'");
  sh.name = "x";
  sh.rank = 3;
  expect_error(m, &o, "--shape x: 3 dimensions given, the input has rank 2");
  sh.rank = 2;
  sh.dims[1] = -5;
  expect_error(m, &o, "--shape x: dimension 1 is negative");

  /* No shape at all: --shape is required, and enough. */
  m->graph->input[0] = ob_value_info("x", F32, -1, NULL);
  expect_error(m, NULL, "graph input 'x' has no shape; give one with --shape x=d0,d1,...");
  sh.dims[1] = 3;
  g = import(m, &o, &d);
  assert_non_null(g);
  assert_int_equal(g->values[g->inputs[0]].type.rank, 2);
  spcc_graph_free(g);
}

static void test_bind(void **state) {
  (void)state;
  Onnx__ModelProto *m = add_model();
  int64_t dyn[2] = {-1, 3};
  m->graph->input[0] = ob_value_info("x", F32, 2, dyn);
  char tpath[1100];
  snprintf(tpath, sizeof tpath, "%s/imp_bind.npy", SPCC_TEST_TMPDIR);
  float vals[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  spcc_tensor t = {.dtype = SPCC_DT_F32, .rank = 2, .dims = {3, 3}, .numel = 9, .data = vals};
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  assert_true(spcc_tensor_write(tpath, &t, true, &d));
  spcc_bind_opt b = {.name = "x", .path = tpath};
  spcc_options o = {.binds = &b, .n_binds = 1};
  spcc_graph *g = import(m, &o, &d);
  assert_non_null(g);
  assert_int_equal(d.n_warnings, 0);
  const spcc_value *x = &g->values[g->inputs[0]];
  assert_int_equal(x->kind, SPCC_VAL_INPUT);
  assert_true(x->const_id >= 0);
  assert_int_equal(x->type.dims[0], 3);
  assert_memory_equal(spcc_value_data(g, g->inputs[0]), vals, sizeof vals);
  spcc_graph_free(g);

  b.name = "y";
  expect_error(m, &o, "--bind: no graph input named 'y'");
  b.name = "x";
  t.dims[0] = 9;
  t.dims[1] = 1;
  assert_true(spcc_tensor_write(tpath, &t, true, &d));
  expect_error(m, &o, "the file holds f32[9,1], input 'x' is f32[?,3]");
  t.dtype = SPCC_DT_I32;
  t.dims[0] = 3;
  t.dims[1] = 3;
  assert_true(spcc_tensor_write(tpath, &t, true, &d));
  expect_error(m, &o, "the file holds i32[3,3], input 'x' is f32[?,3]");
  remove(tpath);
  expect_error(m, &o, "imp_bind.npy: error: cannot open: No such file or directory");
}

/* Every prefix of a valid model, and a nesting bomb, fail without crashing. */
static void test_malformed_files(void **state) {
  (void)state;
  Onnx__ModelProto *m = add_model();
  ob_attr(m->graph->node[0], "ints", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
  ob_save(m, model_path);
  FILE *f = fopen(model_path, "rb");
  uint8_t whole[4096];
  size_t n = fread(whole, 1, sizeof whole, f);
  fclose(f);
  int imported = 0;
  for (size_t len = 0; len <= n; len++) {
    f = fopen(model_path, "wb");
    fwrite(whole, 1, len, f);
    fclose(f);
    spcc_diag d;
    spcc_diag_init(&d, NULL);
    spcc_graph *g = spcc_import_onnx(model_path, NULL, &d);
    if (g)
      imported++;
    else
      assert_true(d.n_errors > 0);
    spcc_graph_free(g);
  }
  assert_true(imported >= 1 && imported < 5);

  /* Graph -> node -> attribute -> graph ... 5000 levels deep: protobuf-c
   * alone would overflow the stack. */
  size_t cap = 1 << 20, len = 0;
  uint8_t *a = malloc(cap), *b = malloc(cap);
  static const uint8_t fields[3] = {1, 5, 6}; /* GraphProto.node, NodeProto.attribute, AttributeProto.g */
  for (int level = 0; level < 15000; level++) { /* innermost first */
    size_t k = 0;
    b[k++] = (uint8_t)(fields[(14999 - level) % 3] << 3 | 2);
    for (size_t v = len;; v >>= 7) {
      b[k++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
      if (v <= 0x7f) break;
    }
    memcpy(b + k, a, len);
    len += k;
    uint8_t *t = a;
    a = b;
    b = t;
  }
  f = fopen(model_path, "wb");
  fputs("\x08\x07\x3a", f); /* ir_version 7, then field 7 (graph) */
  for (size_t v = len;; v >>= 7) {
    fputc((int)((v & 0x7f) | (v > 0x7f ? 0x80 : 0)), f);
    if (v <= 0x7f) break;
  }
  fwrite(a, 1, len, f);
  fclose(f);
  free(a);
  free(b);
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  assert_null(spcc_import_onnx(model_path, NULL, &d));
  assert_non_null(strstr(d.first_error, "messages nested too deeply"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_basic, ob_free_all),
      cmocka_unit_test_teardown(test_initializer_in_inputs, ob_free_all),
      cmocka_unit_test_teardown(test_constant_nodes, ob_free_all),
      cmocka_unit_test_teardown(test_attributes, ob_free_all),
      cmocka_unit_test_teardown(test_unsupported_ops, ob_free_all),
      cmocka_unit_test_teardown(test_names, ob_free_all),
      cmocka_unit_test_teardown(test_envelope, ob_free_all),
      cmocka_unit_test_teardown(test_tensor_types, ob_free_all),
      cmocka_unit_test_teardown(test_dynamic_and_shape, ob_free_all),
      cmocka_unit_test_teardown(test_bind, ob_free_all),
      cmocka_unit_test_teardown(test_malformed_files, ob_free_all),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
