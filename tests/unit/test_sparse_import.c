/* test_sparse_import.c - ONNX sparse tensors in the frontend: sparse_initializer
 * and Constant.sparse_value (COO) become dense constants, zeros filled, in
 * both index forms ([NNZ] linearized, [NNZ, rank] coordinates), sorted or
 * not, raw_data or typed fields. Everything a hostile file can get wrong
 * (indices out of range, duplicates, shapes, element types, counts) ends in
 * a diagnostic. Models are built here with protobuf-c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/frontend.h"
#include "spcc/spcc.h"

/* ---- building models ------------------------------------------------------------- */

static void *allocs[4096];
static int n_allocs;

static void *talloc(size_t n) {
  assert_true(n_allocs < 4096);
  return allocs[n_allocs++] = calloc(1, n ? n : 1);
}

static int free_all(void **state) {
  (void)state;
  while (n_allocs) free(allocs[--n_allocs]);
  return 0;
}

static char *tstr(const char *s) {
  char *p = talloc(strlen(s) + 1);
  strcpy(p, s);
  return p;
}

static int64_t *tdims(int rank, const int64_t *dims) {
  int64_t *p = talloc(sizeof(int64_t) * (size_t)(rank + 1));
  memcpy(p, dims, sizeof(int64_t) * (size_t)rank);
  return p;
}

#define MAXN 16
enum { F32 = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, I64 = ONNX__TENSOR_PROTO__DATA_TYPE__INT64 };

static Onnx__ValueInfoProto *value_info(const char *name, int rank, const int64_t *dims) {
  Onnx__ValueInfoProto *v = talloc(sizeof *v);
  onnx__value_info_proto__init(v);
  v->name = tstr(name);
  Onnx__TypeProto *t = talloc(sizeof *t);
  onnx__type_proto__init(t);
  Onnx__TypeProto__Tensor *tt = talloc(sizeof *tt);
  onnx__type_proto__tensor__init(tt);
  tt->has_elem_type = 1;
  tt->elem_type = F32;
  t->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
  t->tensor_type = tt;
  v->type = t;
  Onnx__TensorShapeProto *sh = talloc(sizeof *sh);
  onnx__tensor_shape_proto__init(sh);
  sh->n_dim = (size_t)rank;
  sh->dim = talloc(sizeof *sh->dim * (size_t)(rank + 1));
  for (int i = 0; i < rank; i++) {
    Onnx__TensorShapeProto__Dimension *dm = talloc(sizeof *dm);
    onnx__tensor_shape_proto__dimension__init(dm);
    dm->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
    dm->dim_value = dims[i];
    sh->dim[i] = dm;
  }
  tt->shape = sh;
  return v;
}

/* A tensor of n elements of `size` bytes each, as raw_data. */
static Onnx__TensorProto *tensor_raw(const char *name, int type, int rank, const int64_t *dims,
                                     const void *v, size_t n, size_t size) {
  Onnx__TensorProto *t = talloc(sizeof *t);
  onnx__tensor_proto__init(t);
  t->name = tstr(name);
  t->has_data_type = 1;
  t->data_type = type;
  t->n_dims = (size_t)rank;
  t->dims = tdims(rank, dims);
  t->has_raw_data = 1;
  t->raw_data.len = n * size;
  t->raw_data.data = talloc(t->raw_data.len);
  if (n) memcpy(t->raw_data.data, v, t->raw_data.len);
  return t;
}

static Onnx__TensorProto *values_f32(const char *name, const float *v, size_t n) {
  int64_t d = (int64_t)n;
  return tensor_raw(name, F32, 1, &d, v, n, sizeof(float));
}

/* Linearized indices [n] (rank 1) or coordinates [n / r, r]. */
static Onnx__TensorProto *indices(const int64_t *v, size_t n, int r) {
  int64_t d[2] = {(int64_t)(n / (size_t)r), r};
  return tensor_raw("", I64, r == 1 ? 1 : 2, d, v, n, sizeof(int64_t));
}

static Onnx__SparseTensorProto *sparse(Onnx__TensorProto *values, Onnx__TensorProto *idx,
                                       int rank, const int64_t *dims) {
  Onnx__SparseTensorProto *s = talloc(sizeof *s);
  onnx__sparse_tensor_proto__init(s);
  s->values = values;
  s->indices = idx;
  s->n_dims = (size_t)rank;
  s->dims = tdims(rank, dims);
  return s;
}

static Onnx__NodeProto *node(const char *op, const char *name, const char *in0,
                             const char *in1, const char *out) {
  Onnx__NodeProto *n = talloc(sizeof *n);
  onnx__node_proto__init(n);
  n->op_type = tstr(op);
  n->name = tstr(name);
  n->input = talloc(sizeof(char *) * MAXN);
  n->output = talloc(sizeof(char *) * MAXN);
  if (in0) n->input[n->n_input++] = tstr(in0);
  if (in1) n->input[n->n_input++] = tstr(in1);
  n->output[n->n_output++] = tstr(out);
  n->attribute = talloc(sizeof(void *) * MAXN);
  return n;
}

static const int64_t dims23[2] = {2, 3}, dims13[2] = {1, 3};

/* x f32[1,2] @ w f32[2,3] -> y; w is the sparse initializer sp. IR 8. */
static Onnx__ModelProto *matmul_model(Onnx__SparseTensorProto *sp) {
  Onnx__ModelProto *m = talloc(sizeof *m);
  onnx__model_proto__init(m);
  m->has_ir_version = 1;
  m->ir_version = 8;
  Onnx__OperatorSetIdProto *op = talloc(sizeof *op);
  onnx__operator_set_id_proto__init(op);
  op->domain = tstr("");
  op->has_version = 1;
  op->version = 13;
  m->opset_import = talloc(sizeof(void *) * 2);
  m->opset_import[m->n_opset_import++] = op;
  Onnx__GraphProto *g = talloc(sizeof *g);
  onnx__graph_proto__init(g);
  g->name = tstr("sparse");
  g->node = talloc(sizeof(void *) * MAXN);
  g->input = talloc(sizeof(void *) * MAXN);
  g->output = talloc(sizeof(void *) * MAXN);
  g->initializer = talloc(sizeof(void *) * MAXN);
  g->sparse_initializer = talloc(sizeof(void *) * MAXN);
  int64_t xd[2] = {1, 2};
  g->input[g->n_input++] = value_info("x", 2, xd);
  if (sp) g->sparse_initializer[g->n_sparse_initializer++] = sp;
  g->node[g->n_node++] = node("MatMul", "mm", "x", "w", "y");
  g->output[g->n_output++] = value_info("y", 2, dims13);
  m->graph = g;
  return m;
}

static char model_path[1024];

static spcc_graph *import(const Onnx__ModelProto *m, spcc_diag *d) {
  snprintf(model_path, sizeof model_path, "%s/sparse_import.onnx", SPCC_TEST_TMPDIR);
  size_t n = onnx__model_proto__get_packed_size(m);
  uint8_t *buf = malloc(n + 1);
  onnx__model_proto__pack(m, buf);
  FILE *f = fopen(model_path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(buf, 1, n, f), n);
  fclose(f);
  free(buf);
  spcc_diag_init(d, NULL);
  return spcc_import_onnx(model_path, NULL, d);
}

static void expect_error(const Onnx__ModelProto *m, const char *msg) {
  spcc_diag d;
  spcc_graph *g = import(m, &d);
  if (g) spcc_graph_free(g);
  assert_null(g);
  if (!strstr(d.first_error, msg)) fail_msg("expected '...%s...', got '%s'", msg, d.first_error);
}

/* Imports m and checks that w is the constant f32[2,3] `want`. */
static void expect_w(const Onnx__ModelProto *m, const float *want) {
  spcc_diag d;
  spcc_graph *g = import(m, &d);
  if (!g) fail_msg("import failed: %s", d.first_error);
  int w = spcc_graph_find_value(g, "w");
  assert_true(w >= 0);
  assert_int_equal(g->values[w].kind, SPCC_VAL_CONST);
  assert_int_equal(g->values[w].type.dtype, SPCC_DT_F32);
  assert_int_equal(g->values[w].type.rank, 2);
  assert_int_equal(g->values[w].type.dims[0], 2);
  assert_int_equal(g->values[w].type.dims[1], 3);
  assert_memory_equal(spcc_value_data(g, w), want, 6 * sizeof(float));
  assert_int_equal(g->n_inputs, 1);
  spcc_graph_free(g);
}

static const float dense_w[6] = {0, 1.5f, 0, -2, 0, 3};
static const float nz[3] = {1.5f, -2, 3};

/* ---- tests ----------------------------------------------------------------------- */

static void test_linearized(void **state) {
  (void)state;
  const int64_t lin[3] = {1, 3, 5};
  expect_w(matmul_model(sparse(values_f32("w", nz, 3), indices(lin, 3, 1), 2, dims23)),
           dense_w);
  /* Unsorted is unambiguous and accepted. */
  const int64_t lin2[3] = {5, 1, 3};
  const float nz2[3] = {3, 1.5f, -2};
  expect_w(matmul_model(sparse(values_f32("w", nz2, 3), indices(lin2, 3, 1), 2, dims23)),
           dense_w);
  /* Typed fields: float_data and int64_data. */
  Onnx__SparseTensorProto *sp = sparse(values_f32("w", nz, 3), indices(lin, 3, 1), 2, dims23);
  sp->values->has_raw_data = sp->indices->has_raw_data = 0;
  sp->values->n_float_data = 3;
  sp->values->float_data = (float *)nz;
  sp->indices->n_int64_data = 3;
  sp->indices->int64_data = (int64_t *)lin;
  expect_w(matmul_model(sp), dense_w);
  /* No values at all: a zero tensor, indices may be absent. */
  const float zeros[6] = {0};
  expect_w(matmul_model(sparse(values_f32("w", NULL, 0), NULL, 2, dims23)), zeros);
  expect_w(matmul_model(sparse(values_f32("w", NULL, 0), indices(NULL, 0, 1), 2, dims23)),
           zeros);
}

static void test_coordinates(void **state) {
  (void)state;
  const int64_t coo[6] = {0, 1, 1, 0, 1, 2};
  expect_w(matmul_model(sparse(values_f32("w", nz, 3), indices(coo, 6, 2), 2, dims23)),
           dense_w);
  const int64_t coo2[6] = {1, 2, 0, 1, 1, 0};
  const float nz2[3] = {3, 1.5f, -2};
  expect_w(matmul_model(sparse(values_f32("w", nz2, 3), indices(coo2, 6, 2), 2, dims23)),
           dense_w);
}

/* IR version 3 lists initializers among the graph inputs: not runtime inputs. */
static void test_listed_as_input(void **state) {
  (void)state;
  const int64_t lin[3] = {1, 3, 5};
  Onnx__ModelProto *m =
      matmul_model(sparse(values_f32("w", nz, 3), indices(lin, 3, 1), 2, dims23));
  m->ir_version = 3;
  m->graph->input[m->graph->n_input++] = value_info("w", 2, dims23);
  expect_w(m, dense_w);
}

/* Other element types, beside a dense initializer, through the pipeline. */
static void test_types_and_pipeline(void **state) {
  (void)state;
  const int64_t lin[3] = {1, 3, 5};
  Onnx__ModelProto *m =
      matmul_model(sparse(values_f32("w", nz, 3), indices(lin, 3, 1), 2, dims23));
  Onnx__GraphProto *gp = m->graph;
  const int8_t q[2] = {-7, 9};
  const int64_t qi[2] = {0, 3}, d4 = 4, q64[2] = {INT64_MAX, -1};
  gp->sparse_initializer[gp->n_sparse_initializer++] =
      sparse(tensor_raw("q", ONNX__TENSOR_PROTO__DATA_TYPE__INT8, 1, (int64_t[]){2}, q, 2, 1),
             indices(qi, 2, 1), 1, &d4);
  gp->sparse_initializer[gp->n_sparse_initializer++] =
      sparse(tensor_raw("l", I64, 1, (int64_t[]){2}, q64, 2, 8), indices(qi, 2, 1), 1, &d4);
  const float b[3] = {1, 2, 3};
  gp->initializer[gp->n_initializer++] = tensor_raw("b", F32, 1, (int64_t[]){3}, b, 3, 4);
  gp->node[gp->n_node++] = node("Add", "add", "y", "b", "z");
  gp->output[0] = value_info("z", 2, dims13);
  spcc_diag d;
  spcc_graph *g = import(m, &d);
  if (!g) fail_msg("import failed: %s", d.first_error);
  int qv = spcc_graph_find_value(g, "q"), lv = spcc_graph_find_value(g, "l");
  assert_int_equal(g->values[qv].type.dtype, SPCC_DT_I8);
  const int8_t qd[4] = {-7, 0, 0, 9};
  assert_memory_equal(spcc_value_data(g, qv), qd, 4);
  const int64_t ld[4] = {INT64_MAX, 0, 0, -1};
  assert_memory_equal(spcc_value_data(g, lv), ld, sizeof ld);
  /* A model whose weight came sparse compiles. */
  spcc_options o;
  spcc_options_init(&o);
  o.verify = true;
  assert_true(spcc_run_pipeline(g, &o, &d));
  FILE *c = tmpfile(), *h = tmpfile();
  assert_true(spcc_emit_c(g, "sp", "sp.h", c, h, &d));
  fclose(c);
  fclose(h);
  assert_int_equal(d.n_errors, 0);
  spcc_graph_free(g);
}

static void test_constant_sparse_value(void **state) {
  (void)state;
  Onnx__ModelProto *m = matmul_model(NULL);
  Onnx__GraphProto *gp = m->graph;
  Onnx__NodeProto *c = node("Constant", "c", NULL, NULL, "w");
  Onnx__AttributeProto *a = talloc(sizeof *a);
  onnx__attribute_proto__init(a);
  a->name = tstr("sparse_value");
  a->has_type = 1;
  a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__SPARSE_TENSOR;
  const int64_t coo[6] = {0, 1, 1, 0, 1, 2};
  a->sparse_tensor = sparse(values_f32("", nz, 3), indices(coo, 6, 2), 2, dims23);
  c->attribute[c->n_attribute++] = a;
  gp->node[1] = gp->node[0];
  gp->node[0] = c;
  gp->n_node = 2;
  expect_w(m, dense_w);
  /* IR version 1 style: no attribute type. */
  a->has_type = 0;
  expect_w(m, dense_w);
  /* Errors name the node. */
  const int64_t bad[3] = {1, 3, 6};
  a->sparse_tensor = sparse(values_f32("", nz, 3), indices(bad, 3, 1), 2, dims23);
  expect_error(m, "node 0 'c' (Constant): error: Constant 'sparse_value': index 6 (of value "
                  "2) is out of range for 6 elements");
}

static void test_bad_indices(void **state) {
  (void)state;
  const int64_t oob[3] = {1, 3, 6}, neg[3] = {-1, 3, 4}, dup[3] = {1, 3, 3},
                dup2[3] = {3, 1, 3}, coo_oob[6] = {0, 1, 1, 0, 2, 0},
                coo_dup[6] = {0, 1, 1, 2, 0, 1};
  Onnx__TensorProto *v = values_f32("w", nz, 3);
  expect_error(matmul_model(sparse(v, indices(oob, 3, 1), 2, dims23)),
               "sparse_initializer 'w': index 6 (of value 2) is out of range for 6 elements");
  expect_error(matmul_model(sparse(v, indices(neg, 3, 1), 2, dims23)),
               "index -1 (of value 0) is out of range");
  expect_error(matmul_model(sparse(v, indices(dup, 3, 1), 2, dims23)),
               "sparse_initializer 'w': element 3 is given twice");
  expect_error(matmul_model(sparse(v, indices(dup2, 3, 1), 2, dims23)),
               "element 3 is given twice");
  expect_error(matmul_model(sparse(v, indices(coo_oob, 6, 2), 2, dims23)),
               "index 2 on axis 0 (of value 2) is out of range for dimension 2");
  expect_error(matmul_model(sparse(v, indices(coo_dup, 6, 2), 2, dims23)),
               "element 1 is given twice");
  /* Index shapes and types. */
  expect_error(matmul_model(sparse(v, indices(oob, 2, 1), 2, dims23)),
               "indices have shape [2], expected [3] (linearized) or [3,2] (coordinates)");
  expect_error(matmul_model(sparse(v, indices(coo_oob, 6, 3), 2, dims23)),
               "indices have shape [2,3], expected [3]");
  Onnx__TensorProto *i32 = indices(oob, 3, 1);
  i32->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT32;
  expect_error(matmul_model(sparse(v, i32, 2, dims23)),
               "indices have element type INT32, expected INT64");
  Onnx__TensorProto *short_raw = indices(oob, 3, 1);
  short_raw->raw_data.len = 20;
  expect_error(matmul_model(sparse(v, short_raw, 2, dims23)),
               "sparse_initializer 'w' indices has 20 bytes of raw_data, expected 24");
  expect_error(matmul_model(sparse(v, NULL, 2, dims23)),
               "sparse_initializer 'w' has 3 values but no indices");
}

static void test_bad_tensors(void **state) {
  (void)state;
  const int64_t lin[3] = {1, 3, 5}, big[3] = {INT64_C(1) << 30, INT64_C(1) << 30, 4},
                neg[2] = {2, -3};
  Onnx__TensorProto *v = values_f32("w", nz, 3);
  Onnx__TensorProto *ix = indices(lin, 3, 1);
  expect_error(matmul_model(sparse(NULL, ix, 2, dims23)), "sparse_initializer 0 has no name");
  expect_error(matmul_model(sparse(values_f32("", nz, 3), ix, 2, dims23)),
               "sparse_initializer 0 has no name (values.name)");
  expect_error(matmul_model(sparse(v, ix, 0, dims23)),
               "sparse_initializer 'w' has no dims (a sparse tensor has rank 1 or more)");
  expect_error(matmul_model(sparse(v, ix, 2, neg)),
               "sparse_initializer 'w' has negative dimension -3");
  expect_error(matmul_model(sparse(v, ix, 3, big)), "sparse_initializer 'w' is impossibly large");
  expect_error(matmul_model(sparse(v, ix, 9, (int64_t[9]){1, 1, 1, 1, 1, 1, 1, 1, 1})),
               "sparse_initializer 'w': unsupported rank 9");
  expect_error(matmul_model(sparse(v, ix, 1, (int64_t[]){2})),
               "sparse_initializer 'w' has 3 values for 2 elements");
  Onnx__TensorProto *v2 = tensor_raw("w", F32, 2, (int64_t[]){3, 1}, nz, 3, 4);
  expect_error(matmul_model(sparse(v2, ix, 2, dims23)),
               "sparse_initializer 'w': values have rank 2, expected shape [NNZ]");
  Onnx__TensorProto *half = values_f32("w", nz, 3);
  half->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16;
  expect_error(matmul_model(sparse(half, ix, 2, dims23)),
               "sparse_initializer 'w' values: unsupported element type FLOAT16");
  Onnx__TensorProto *counts = values_f32("w", nz, 3);
  counts->raw_data.len = 8;
  expect_error(matmul_model(sparse(counts, ix, 2, dims23)),
               "sparse_initializer 'w' values has 8 bytes of raw_data, expected 12 (3 x f32)");
  /* The name space is shared with dense initializers. */
  Onnx__ModelProto *m = matmul_model(sparse(v, ix, 2, dims23));
  m->graph->initializer[m->graph->n_initializer++] =
      tensor_raw("w", F32, 2, dims23, dense_w, 6, 4);
  expect_error(m, "initializer 'w' is defined twice");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_linearized, free_all),
      cmocka_unit_test_teardown(test_coordinates, free_all),
      cmocka_unit_test_teardown(test_listed_as_input, free_all),
      cmocka_unit_test_teardown(test_types_and_pipeline, free_all),
      cmocka_unit_test_teardown(test_constant_sparse_value, free_all),
      cmocka_unit_test_teardown(test_bad_indices, free_all),
      cmocka_unit_test_teardown(test_bad_tensors, free_all),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
