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

#include "spcc/spcc.h"
#include "support/onnx_build.h"

/* ---- building models ------------------------------------------------------------- */

static Onnx__TensorProto *values_f32(const char *name, const float *v, size_t n) {
  int64_t d = (int64_t)n;
  return ob_tensor(name, F32, 1, &d, v, n, sizeof(float));
}

/* Linearized indices [n] (rank 1) or coordinates [n / r, r]. */
static Onnx__TensorProto *indices(const int64_t *v, size_t n, int r) {
  int64_t d[2] = {(int64_t)(n / (size_t)r), r};
  return ob_tensor("", I64, r == 1 ? 1 : 2, d, v, n, sizeof(int64_t));
}

static const int64_t dims23[2] = {2, 3}, dims13[2] = {1, 3};

/* x f32[1,2] @ w f32[2,3] -> y; w is the sparse initializer sp. IR 8. */
static Onnx__ModelProto *matmul_model(Onnx__SparseTensorProto *sp) {
  Onnx__ModelProto *m = ob_model("sparse", 8, 13);
  Onnx__GraphProto *g = m->graph;
  g->input[g->n_input++] = ob_value_info("x", F32, 2, (int64_t[]){1, 2});
  if (sp) g->sparse_initializer[g->n_sparse_initializer++] = sp;
  g->node[g->n_node++] = ob_node("MatMul", "mm", NAMES("x", "w"), NAMES("y"));
  g->output[g->n_output++] = ob_value_info("y", F32, 2, dims13);
  return m;
}

static const char model_path[] = SPCC_TEST_TMPDIR "/sparse_import.onnx";

static spcc_graph *import(const Onnx__ModelProto *m, spcc_diag *d) {
  return ob_import(m, model_path, NULL, d);
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
  expect_w(matmul_model(ob_sparse(values_f32("w", nz, 3), indices(lin, 3, 1), 2, dims23)),
           dense_w);
  /* Unsorted is unambiguous and accepted. */
  const int64_t lin2[3] = {5, 1, 3};
  const float nz2[3] = {3, 1.5f, -2};
  expect_w(matmul_model(ob_sparse(values_f32("w", nz2, 3), indices(lin2, 3, 1), 2, dims23)),
           dense_w);
  /* Typed fields: float_data and int64_data. */
  Onnx__SparseTensorProto *sp = ob_sparse(values_f32("w", nz, 3), indices(lin, 3, 1), 2, dims23);
  sp->values->has_raw_data = sp->indices->has_raw_data = 0;
  sp->values->n_float_data = 3;
  sp->values->float_data = (float *)nz;
  sp->indices->n_int64_data = 3;
  sp->indices->int64_data = (int64_t *)lin;
  expect_w(matmul_model(sp), dense_w);
  /* No values at all: a zero tensor, indices may be absent. */
  const float zeros[6] = {0};
  expect_w(matmul_model(ob_sparse(values_f32("w", NULL, 0), NULL, 2, dims23)), zeros);
  expect_w(matmul_model(ob_sparse(values_f32("w", NULL, 0), indices(NULL, 0, 1), 2, dims23)),
           zeros);
}

static void test_coordinates(void **state) {
  (void)state;
  const int64_t coo[6] = {0, 1, 1, 0, 1, 2};
  expect_w(matmul_model(ob_sparse(values_f32("w", nz, 3), indices(coo, 6, 2), 2, dims23)),
           dense_w);
  const int64_t coo2[6] = {1, 2, 0, 1, 1, 0};
  const float nz2[3] = {3, 1.5f, -2};
  expect_w(matmul_model(ob_sparse(values_f32("w", nz2, 3), indices(coo2, 6, 2), 2, dims23)),
           dense_w);
}

/* IR version 3 lists initializers among the graph inputs: not runtime inputs. */
static void test_listed_as_input(void **state) {
  (void)state;
  const int64_t lin[3] = {1, 3, 5};
  Onnx__ModelProto *m =
      matmul_model(ob_sparse(values_f32("w", nz, 3), indices(lin, 3, 1), 2, dims23));
  m->ir_version = 3;
  m->graph->input[m->graph->n_input++] = ob_value_info("w", F32, 2, dims23);
  expect_w(m, dense_w);
}

/* Other element types, beside a dense initializer, through the pipeline. */
static void test_types_and_pipeline(void **state) {
  (void)state;
  const int64_t lin[3] = {1, 3, 5};
  Onnx__ModelProto *m =
      matmul_model(ob_sparse(values_f32("w", nz, 3), indices(lin, 3, 1), 2, dims23));
  Onnx__GraphProto *gp = m->graph;
  const int8_t q[2] = {-7, 9};
  const int64_t qi[2] = {0, 3}, d4 = 4, q64[2] = {INT64_MAX, -1};
  gp->sparse_initializer[gp->n_sparse_initializer++] =
      ob_sparse(ob_tensor("q", ONNX__TENSOR_PROTO__DATA_TYPE__INT8, 1, (int64_t[]){2}, q, 2, 1),
             indices(qi, 2, 1), 1, &d4);
  gp->sparse_initializer[gp->n_sparse_initializer++] =
      ob_sparse(ob_tensor("l", I64, 1, (int64_t[]){2}, q64, 2, 8), indices(qi, 2, 1), 1, &d4);
  const float b[3] = {1, 2, 3};
  gp->initializer[gp->n_initializer++] = ob_tensor("b", F32, 1, (int64_t[]){3}, b, 3, 4);
  gp->node[gp->n_node++] = ob_node("Add", "add", NAMES("y", "b"), NAMES("z"));
  gp->output[0] = ob_value_info("z", F32, 2, dims13);
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
  Onnx__NodeProto *c = ob_node("Constant", "c", NULL, NAMES("w"));
  Onnx__AttributeProto *a =
      ob_attr(c, "sparse_value", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__SPARSE_TENSOR);
  const int64_t coo[6] = {0, 1, 1, 0, 1, 2};
  a->sparse_tensor = ob_sparse(values_f32("", nz, 3), indices(coo, 6, 2), 2, dims23);
  gp->node[1] = gp->node[0];
  gp->node[0] = c;
  gp->n_node = 2;
  expect_w(m, dense_w);
  /* IR version 1 style: no attribute type. */
  a->has_type = 0;
  expect_w(m, dense_w);
  /* Errors name the node. */
  const int64_t bad[3] = {1, 3, 6};
  a->sparse_tensor = ob_sparse(values_f32("", nz, 3), indices(bad, 3, 1), 2, dims23);
  expect_error(m, "node 0 'c' (Constant): error: Constant 'sparse_value': index 6 (of value "
                  "2) is out of range for 6 elements");
}

static void test_bad_indices(void **state) {
  (void)state;
  static const int64_t oob[3] = {1, 3, 6}, neg[3] = {-1, 3, 4}, dup[3] = {1, 3, 3},
                       dup2[3] = {3, 1, 3}, coo_oob[6] = {0, 1, 1, 0, 2, 0},
                       coo_dup[6] = {0, 1, 1, 2, 0, 1};
  /* indices(idx, n, r) of w's three values; the error it must give. */
  static const struct {
    const int64_t *idx;
    size_t n;
    int r;
    const char *msg;
  } cases[] = {
      {oob, 3, 1, "sparse_initializer 'w': index 6 (of value 2) is out of range for 6 elements"},
      {neg, 3, 1, "index -1 (of value 0) is out of range"},
      {dup, 3, 1, "sparse_initializer 'w': element 3 is given twice"},
      {dup2, 3, 1, "element 3 is given twice"},
      {coo_oob, 6, 2, "index 2 on axis 0 (of value 2) is out of range for dimension 2"},
      {coo_dup, 6, 2, "element 1 is given twice"},
      /* Index shapes. */
      {oob, 2, 1, "indices have shape [2], expected [3] (linearized) or [3,2] (coordinates)"},
      {coo_oob, 6, 3, "indices have shape [2,3], expected [3]"},
  };
  Onnx__TensorProto *v = values_f32("w", nz, 3);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    expect_error(
        matmul_model(ob_sparse(v, indices(cases[i].idx, cases[i].n, cases[i].r), 2, dims23)),
        cases[i].msg);
  /* Index types and sizes. */
  Onnx__TensorProto *i32 = indices(oob, 3, 1);
  i32->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT32;
  expect_error(matmul_model(ob_sparse(v, i32, 2, dims23)),
               "indices have element type INT32, expected INT64");
  Onnx__TensorProto *short_raw = indices(oob, 3, 1);
  short_raw->raw_data.len = 20;
  expect_error(matmul_model(ob_sparse(v, short_raw, 2, dims23)),
               "sparse_initializer 'w' indices has 20 bytes of raw_data, expected 24");
  expect_error(matmul_model(ob_sparse(v, NULL, 2, dims23)),
               "sparse_initializer 'w' has 3 values but no indices");
}

static void test_bad_tensors(void **state) {
  (void)state;
  const int64_t lin[3] = {1, 3, 5}, big[3] = {INT64_C(1) << 30, INT64_C(1) << 30, 4},
                neg[2] = {2, -3};
  Onnx__TensorProto *v = values_f32("w", nz, 3);
  Onnx__TensorProto *ix = indices(lin, 3, 1);
  expect_error(matmul_model(ob_sparse(NULL, ix, 2, dims23)), "sparse_initializer 0 has no name");
  expect_error(matmul_model(ob_sparse(values_f32("", nz, 3), ix, 2, dims23)),
               "sparse_initializer 0 has no name (values.name)");
  expect_error(matmul_model(ob_sparse(v, ix, 0, dims23)),
               "sparse_initializer 'w' has no dims (a sparse tensor has rank 1 or more)");
  expect_error(matmul_model(ob_sparse(v, ix, 2, neg)),
               "sparse_initializer 'w' has negative dimension -3");
  expect_error(matmul_model(ob_sparse(v, ix, 3, big)), "sparse_initializer 'w' is impossibly large");
  expect_error(matmul_model(ob_sparse(v, ix, 9, (int64_t[9]){1, 1, 1, 1, 1, 1, 1, 1, 1})),
               "sparse_initializer 'w': unsupported rank 9");
  expect_error(matmul_model(ob_sparse(v, ix, 1, (int64_t[]){2})),
               "sparse_initializer 'w' has 3 values for 2 elements");
  Onnx__TensorProto *v2 = ob_tensor("w", F32, 2, (int64_t[]){3, 1}, nz, 3, 4);
  expect_error(matmul_model(ob_sparse(v2, ix, 2, dims23)),
               "sparse_initializer 'w': values have rank 2, expected shape [NNZ]");
  Onnx__TensorProto *half = values_f32("w", nz, 3);
  half->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16;
  expect_error(matmul_model(ob_sparse(half, ix, 2, dims23)),
               "sparse_initializer 'w' values: unsupported element type FLOAT16");
  Onnx__TensorProto *counts = values_f32("w", nz, 3);
  counts->raw_data.len = 8;
  expect_error(matmul_model(ob_sparse(counts, ix, 2, dims23)),
               "sparse_initializer 'w' values has 8 bytes of raw_data, expected 12 (3 x f32)");
  /* The name space is shared with dense initializers. */
  Onnx__ModelProto *m = matmul_model(ob_sparse(v, ix, 2, dims23));
  m->graph->initializer[m->graph->n_initializer++] =
      ob_tensor("w", F32, 2, dims23, dense_w, 6, 4);
  expect_error(m, "initializer 'w' is defined twice");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_linearized, ob_free_all),
      cmocka_unit_test_teardown(test_coordinates, ob_free_all),
      cmocka_unit_test_teardown(test_listed_as_input, ob_free_all),
      cmocka_unit_test_teardown(test_types_and_pipeline, ob_free_all),
      cmocka_unit_test_teardown(test_constant_sparse_value, ob_free_all),
      cmocka_unit_test_teardown(test_bad_indices, ob_free_all),
      cmocka_unit_test_teardown(test_bad_tensors, ob_free_all),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
