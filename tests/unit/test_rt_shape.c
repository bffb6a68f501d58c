/* test_rt_shape.c - the shape and indexing family: its kernels on
 * hand-computed cases (strided views with negative steps, broadcasts and
 * tiling, Cast's defined out-of-range behaviour, fills, the Gather family
 * with negative and out-of-range indices, zero-size outputs), a few shape
 * rules, and the folding of Shape/Size when their input is not constant: a
 * Shape -> Gather -> Unsqueeze -> Concat chain folds entirely, and the data
 * input of a Reshape fed by it decides no shape. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend/c/ops.h"
#include "passes/passes.h"
#include "spcc/spcc_rt.h"
#include "support/graph_build.h"

/* ---- kernels ------------------------------------------------------------- */

static void test_view_slice_negative_step(void **state) {
  (void)state;
  /* x [3,4]; x[2:0:-1, 1:4:2] -> rows 2,1; cols 1,3. */
  const int16_t x[] = {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23};
  int16_t y[4] = {0};
  const spcc_view_params p = {.elem_size = 2, .rank = 2, .offset = 2 * 4 + 1,
                              .dims = {2, 2}, .strides = {-4, 2}};
  spcc_view_copy(&p, x, y);
  const int16_t w[] = {21, 23, 11, 13};
  assert_memory_equal(y, w, sizeof w);
}

static void test_view_broadcast_and_tile(void **state) {
  (void)state;
  const float x[] = {1, 2, 3};
  float y[9];
  /* Expand [3] -> [3,3]: stride 0 on the new axis. */
  const spcc_view_params e = {.elem_size = 4, .rank = 2, .dims = {3, 3}, .strides = {0, 1}};
  spcc_view_copy(&e, x, y);
  const float we[] = {1, 2, 3, 1, 2, 3, 1, 2, 3};
  assert_memory_equal(y, we, sizeof we);
  /* Expand [3,1] -> [3,3]: stride 0 innermost. */
  const spcc_view_params c = {.elem_size = 4, .rank = 2, .dims = {3, 3}, .strides = {1, 0}};
  spcc_view_copy(&c, x, y);
  const float wc[] = {1, 1, 1, 2, 2, 2, 3, 3, 3};
  assert_memory_equal(y, wc, sizeof wc);
  /* Tile [3] x2 (odd element size 1): axes [2,3] strides [0,1]. */
  const uint8_t xb[] = {7, 8, 9};
  uint8_t yb[6];
  const spcc_view_params t = {.elem_size = 1, .rank = 2, .dims = {2, 3}, .strides = {0, 1}};
  spcc_view_copy(&t, xb, yb);
  const uint8_t wt[] = {7, 8, 9, 7, 8, 9};
  assert_memory_equal(yb, wt, sizeof wt);
  /* Empty output: nothing is touched. */
  const spcc_view_params z = {.elem_size = 4, .rank = 1, .dims = {0}, .strides = {1}};
  spcc_view_copy(&z, NULL, NULL);
}

static void test_cast_defined(void **state) {
  (void)state;
  const float xf[] = {1.9f, -1.9f, 300.0f, -300.0f, NAN, INFINITY, -0.5f, 0.0f};
  int8_t yi[8];
  spcc_cast_params p = {.numel = 8, .from = SPCC_RT_DT_F32, .to = SPCC_RT_DT_I8};
  spcc_cast(&p, xf, yi);
  const int8_t wi[] = {1, -1, 127, -128, 0, 127, 0, 0};
  assert_memory_equal(yi, wi, sizeof wi);
  uint8_t yu[8];
  p.to = SPCC_RT_DT_U8;
  spcc_cast(&p, xf, yu);
  const uint8_t wu[] = {1, 0, 255, 0, 0, 255, 0, 0};
  assert_memory_equal(yu, wu, sizeof wu);
  int64_t yl[8];
  p.to = SPCC_RT_DT_I64;
  const float big[] = {1e30f, -1e30f, NAN, 5.0f, 0, 0, 0, 0};
  spcc_cast(&p, big, yl);
  assert_true(yl[0] == INT64_MAX && yl[1] == INT64_MIN && yl[2] == 0 && yl[3] == 5);
  uint8_t yb[8];
  p.to = SPCC_RT_DT_BOOL;
  spcc_cast(&p, xf, yb);
  const uint8_t wb[] = {1, 1, 1, 1, 1, 1, 1, 0};
  assert_memory_equal(yb, wb, sizeof wb);
  /* Integer narrowing wraps; bool -> float is 0/1; i64 -> f64. */
  const int32_t xi[] = {300, -129, 127, -1};
  int8_t yn[4];
  const spcc_cast_params q = {.numel = 4, .from = SPCC_RT_DT_I32, .to = SPCC_RT_DT_I8};
  spcc_cast(&q, xi, yn);
  const int8_t wn[] = {44, 127, 127, -1};
  assert_memory_equal(yn, wn, sizeof wn);
  const uint8_t xb[] = {0, 1, 1};
  double yd[3];
  const spcc_cast_params r = {.numel = 3, .from = SPCC_RT_DT_BOOL, .to = SPCC_RT_DT_F64};
  spcc_cast(&r, xb, yd);
  assert_true(yd[0] == 0.0 && yd[1] == 1.0 && yd[2] == 1.0);
  uint32_t yw[4];
  const spcc_cast_params s = {.numel = 4, .from = SPCC_RT_DT_I32, .to = SPCC_RT_DT_U32};
  spcc_cast(&s, xi, yw);
  assert_true(yw[3] == UINT32_MAX && yw[0] == 300);
}

static void test_fill(void **state) {
  (void)state;
  float yf[3];
  const spcc_fill_params f = {.numel = 3, .dtype = SPCC_RT_DT_F32, .fvalue = 1.5};
  spcc_fill(&f, yf);
  assert_true(yf[0] == 1.5f && yf[2] == 1.5f);
  uint64_t yu[2];
  const spcc_fill_params u = {.numel = 2, .dtype = SPCC_RT_DT_U64, .ivalue = -1};
  spcc_fill(&u, yu);
  assert_true(yu[0] == UINT64_MAX && yu[1] == UINT64_MAX);
  uint8_t yb[5];
  const spcc_fill_params b = {.numel = 5, .dtype = SPCC_RT_DT_BOOL, .ivalue = 1};
  spcc_fill(&b, yb);
  const uint8_t wb[] = {1, 1, 1, 1, 1};
  assert_memory_equal(yb, wb, sizeof wb);
}

static void test_gather(void **state) {
  (void)state;
  /* x [2,3], axis 1, indices {-1, 0, 5 (out of range)} int32. */
  const float x[] = {1, 2, 3, 4, 5, 6};
  const int32_t idx[] = {-1, 0, 5};
  float y[6];
  const spcc_gather_params p = {.outer = 2, .axis_dim = 3, .inner = 4, .n_idx = 3,
                                .idx_size = 4};
  spcc_gather(&p, x, idx, y);
  const float w[] = {3, 1, 0, 6, 4, 0};
  assert_memory_equal(y, w, sizeof w);
}

static void test_gather_elements(void **state) {
  (void)state;
  /* ONNX example: data [[1,2],[3,4]], axis 1, indices [[0,0],[1,0]]. */
  const int32_t x[] = {1, 2, 3, 4};
  const int64_t idx[] = {0, 0, -1, 0};
  int32_t y[4];
  const spcc_gather_elements_params p = {.elem_size = 4, .idx_size = 8, .rank = 2, .axis = 1,
                                         .axis_dim = 2, .dims = {2, 2}, .x_strides = {2, 1}};
  spcc_gather_elements(&p, x, idx, y);
  const int32_t w[] = {1, 1, 4, 3};
  assert_memory_equal(y, w, sizeof w);
}

static void test_gather_nd_batch(void **state) {
  (void)state;
  /* batch_dims 1: data [2,2,2], indices [[1],[0]] -> [[2,3],[4,5]]. */
  const int32_t x[] = {0, 1, 2, 3, 4, 5, 6, 7};
  const int64_t idx[] = {1, 0};
  int32_t y[4];
  const spcc_gather_nd_params p = {.batch = 2, .n_tuples = 1, .k = 1, .idx_size = 8,
                                   .slice_bytes = 8, .batch_bytes = 16, .idx_dims = {2},
                                   .idx_strides = {1}};
  spcc_gather_nd(&p, x, idx, y);
  const int32_t w[] = {2, 3, 4, 5};
  assert_memory_equal(y, w, sizeof w);
}

/* ---- shape rules and folding --------------------------------------------- */

static int add_node(spcc_graph *g, spcc_op op, int opset, int n_in, const int *in) {
  int out = spcc_graph_add_value(g, gb_fresh_name(g), NULL, SPCC_VAL_TEMP);
  int idx = spcc_graph_add_node(g, op, n_in, in, 1, &out);
  g->nodes[idx].opset = opset;
  return idx;
}

static int const_i64(spcc_graph *g, int n, const int64_t *v, int rank) {
  int64_t *data = malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
  memcpy(data, v, sizeof(int64_t) * (size_t)n);
  const int64_t dims[] = {n};
  spcc_type t = spcc_type_make(SPCC_DT_I64, rank, dims);
  return spcc_graph_add_const(g, gb_fresh_name(g), &t, data);
}

static void test_slice_rule(void **state) {
  (void)state;
  spcc_graph *g = spcc_graph_new("t", "t.onnx");
  const int64_t xd[] = {20, 10, 5};
  const int64_t st[] = {-1, 1000}, en[] = {INT64_MIN, -1000}, ax[] = {0, 1}, sp[] = {-3, 1};
  int in[5] = {gb_input_value(g, "x", SPCC_DT_F32, 3, xd), const_i64(g, 2, st, 1),
               const_i64(g, 2, en, 1), const_i64(g, 2, ax, 1), const_i64(g, 2, sp, 1)};
  int k = add_node(g, SPCC_OP_SLICE, 13, 5, in);
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  assert_true(spcc_pass_shape_infer(g, NULL, &d));
  const spcc_type *t = &g->values[g->nodes[k].out[0]].type;
  /* rows 19,16,...,1 -> 7; columns 1000..-1000 clamp to empty. */
  assert_int_equal(t->rank, 3);
  assert_int_equal(t->dims[0], 7);
  assert_int_equal(t->dims[1], 0);
  assert_int_equal(t->dims[2], 5);
  spcc_graph_free(g);

  /* A starts input that is not constant is unsupported. */
  g = spcc_graph_new("t", "t.onnx");
  const int64_t one[] = {1};
  int in2[3] = {gb_input_value(g, "x", SPCC_DT_F32, 3, xd),
                gb_input_value(g, "s", SPCC_DT_I64, 1, one), const_i64(g, 1, one, 1)};
  add_node(g, SPCC_OP_SLICE, 13, 3, in2);
  spcc_diag_init(&d, NULL);
  assert_false(spcc_pass_shape_infer(g, NULL, &d));
  assert_non_null(strstr(d.first_error, "must be a compile-time constant"));
  assert_non_null(strstr(d.first_error, "unsupported"));
  spcc_graph_free(g);
}

/* Concat(Unsqueeze(Gather(Shape(x), 0)), [-1]): the target shape of a
 * Reshape that keeps x's first axis. Returns the Concat's output. */
static int shape_chain(spcc_graph *g, int x) {
  int shp = gb_out(g, add_node(g, SPCC_OP_SHAPE, 15, 1, &x));
  const int64_t zero[] = {0}, minus1[] = {-1};
  int gi[2] = {shp, const_i64(g, 1, zero, 0)};
  int dim0 = gb_out(g, add_node(g, SPCC_OP_GATHER, 13, 2, gi));
  int ui[2] = {dim0, const_i64(g, 1, zero, 1)};
  int u = gb_out(g, add_node(g, SPCC_OP_UNSQUEEZE, 13, 2, ui));
  int ci[2] = {u, const_i64(g, 1, minus1, 1)};
  int cn = add_node(g, SPCC_OP_CONCAT, 13, 2, ci);
  spcc_node_set_int(g, cn, "axis", 0);
  return gb_out(g, cn);
}

/* Shape reads only x's static shape: the chain folds to a constant though
 * x is a runtime input, and x decides no shape when a Reshape reads it. */
static void test_shape_chain_folds(void **state) {
  (void)state;
  const int64_t xd[] = {2, 3, 4};
  spcc_graph *g = spcc_graph_new("t", "t.onnx");
  int x = gb_input_value(g, "x", SPCC_DT_F32, 3, xd);
  gb_add_input(g, x);
  int target = shape_chain(g, x);
  int ri[2] = {x, target};
  gb_add_output(g, gb_out(g, add_node(g, SPCC_OP_RESHAPE, 13, 2, ri)));
  bool *mark = spcc_graph_shape_deciding_values(g);
  assert_false(mark[x]);
  assert_true(mark[target] && mark[g->nodes[0].out[0]]);
  free(mark);
  spcc_graph_free(g);

  g = spcc_graph_new("t", "t.onnx");
  x = gb_input_value(g, "x", SPCC_DT_F32, 3, xd);
  gb_add_input(g, x);
  gb_add_output(g, shape_chain(g, x));
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  assert_true(spcc_pass_shape_infer(g, NULL, &d));
  assert_true(spcc_pass_fold_constants(g, NULL, &d));
  assert_int_equal(g->n_nodes, 0);
  const int64_t *v = spcc_value_data(g, g->outputs[0]);
  assert_non_null(v);
  assert_true(v[0] == 2 && v[1] == -1);
  spcc_graph_free(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_view_slice_negative_step),
      cmocka_unit_test(test_view_broadcast_and_tile),
      cmocka_unit_test(test_cast_defined),
      cmocka_unit_test(test_fill),
      cmocka_unit_test(test_gather),
      cmocka_unit_test(test_gather_elements),
      cmocka_unit_test(test_gather_nd_batch),
      cmocka_unit_test(test_slice_rule),
      cmocka_unit_test(test_shape_chain_folds),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
