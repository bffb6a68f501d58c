/* test_rt_linear.c - Gemm, MatMul, Softmax and BatchNormalization: kernels
 * on hand-computed cases (broadcast C, transposes, 1-D and batched MatMul,
 * integer wraparound, softmax of huge inputs), the blocked GEMM paths
 * against a naive triple loop, and the shape rules plus compile-time
 * evaluation through a small graph (legacy opsets, unsupported forms). */
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

static void assert_close(const float *got, const float *want, int n, float tol) {
  for (int i = 0; i < n; i++) {
    if (!(fabsf(got[i] - want[i]) <= tol * (1.0f + fabsf(want[i])))) {
      print_error("element %d: got %.9g want %.9g\n", i, (double)got[i], (double)want[i]);
      fail();
    }
  }
}

/* ---- Gemm ---------------------------------------------------------------- */

static void test_gemm_row_bias(void **state) {
  (void)state;
  const float a[] = {1, 2, 3, 4, 5, 6};    /* [2,3] */
  const float b[] = {1, 0, 0, 1, 1, 1};    /* [3,2] */
  const float c[] = {10, 20};              /* [2] -> rows */
  const spcc_gemm_params p = {.m = 2, .n = 2, .k = 3, .alpha = 1, .beta = 1,
                              .c_row_stride = 0, .c_col_stride = 1};
  float y[4];
  spcc_gemm_f32(&p, a, b, c, y);
  const float want[] = {1 + 3 + 10, 2 + 3 + 20, 4 + 6 + 10, 5 + 6 + 20};
  assert_close(y, want, 4, 0);
}

static void test_gemm_trans_scalar(void **state) {
  (void)state;
  /* A stored [k=2, m=2], B stored [n=3, k=2]; C scalar. */
  const float a[] = {1, 2, 3, 4}; /* op(A) = [[1,3],[2,4]] */
  const float b[] = {1, 1, 1, -1, 2, 0};
  const float c[] = {1};
  const spcc_gemm_params p = {.m = 2, .n = 3, .k = 2, .trans_a = 1, .trans_b = 1,
                              .alpha = 0.5f, .beta = 2};
  float y[6];
  spcc_gemm_f32(&p, a, b, c, y);
  /* op(A) op(B): row0 [1,3].[1,1]=4, [1,3].[1,-1]=-2, [1,3].[2,0]=2; row1 6,-2,4 */
  const float want[] = {4, 1, 3, 5, 1, 4};
  assert_close(y, want, 6, 0);
}

static void test_gemm_column_bias_f64(void **state) {
  (void)state;
  const double a[] = {1, 2, 3, 4}, b[] = {1, 2, 3, 4}, c[] = {100, 200}; /* C [2,1] */
  const spcc_gemm_params p = {.m = 2, .n = 2, .k = 2, .alpha = 1, .beta = 1,
                              .c_row_stride = 1, .c_col_stride = 0};
  double y[4];
  spcc_gemm_f64(&p, a, b, c, y);
  assert_true(y[0] == 107 && y[1] == 110 && y[2] == 215 && y[3] == 222);
}

/* All layouts and odd sizes (remainders of every block) against a naive loop. */
static void check_gemm_layout(int ta, int tb, int64_t m, int64_t n, int64_t k) {
  float *a = malloc(sizeof(float) * (size_t)(m * k)), *b = malloc(sizeof(float) * (size_t)(k * n));
  float *y = malloc(sizeof(float) * (size_t)(m * n)), *w = malloc(sizeof(float) * (size_t)(m * n));
  float *c = malloc(sizeof(float) * (size_t)n);
  for (int64_t i = 0; i < m * k; i++) a[i] = (float)((i * 7 + 3) % 11) - 5;
  for (int64_t i = 0; i < k * n; i++) b[i] = (float)((i * 5 + 1) % 13) - 6;
  for (int64_t j = 0; j < n; j++) c[j] = (float)j;
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++) {
      double s = 0;
      for (int64_t q = 0; q < k; q++)
        s += (double)(ta ? a[q * m + i] : a[i * k + q]) * (tb ? b[j * k + q] : b[q * n + j]);
      w[i * n + j] = (float)(2 * s + 0.5 * c[j]);
    }
  const spcc_gemm_params p = {.m = m, .n = n, .k = k, .trans_a = ta, .trans_b = tb,
                              .alpha = 2, .beta = 0.5f, .c_row_stride = 0, .c_col_stride = 1};
  spcc_gemm_f32(&p, a, b, c, y);
  assert_close(y, w, (int)(m * n), 1e-6f); /* small integers: exact sums */
  free(a), free(b), free(c), free(y), free(w);
}

static void test_gemm_layouts(void **state) {
  (void)state;
  for (int ta = 0; ta < 2; ta++)
    for (int tb = 0; tb < 2; tb++) {
      check_gemm_layout(ta, tb, 7, 13, 11);
      check_gemm_layout(ta, tb, 9, 600, 150); /* crosses the NC and KC blocks */
      check_gemm_layout(ta, tb, 1, 1, 1);
      check_gemm_layout(ta, tb, 4, 8, 16);
      /* Tile edges of the register-blocked core: m, n, k off the 4/6/12 x 16
       * tiles, k across several 128-deep blocks, m on both sides of the
       * packed-A threshold, and the few-row dot-product path. */
      check_gemm_layout(ta, tb, 50, 37, 300);
      check_gemm_layout(ta, tb, 61, 17, 129);
      check_gemm_layout(ta, tb, 13, 33, 257);
      check_gemm_layout(ta, tb, 2, 45, 131);
      check_gemm_layout(ta, tb, 3, 5, 7);
      check_gemm_layout(ta, tb, 1, 70, 40);
    }
}

/* The f64 core shares the blocking with f32; same edges, exact sums. */
static void check_gemm_layout_f64(int ta, int tb, int64_t m, int64_t n, int64_t k) {
  double *a = malloc(sizeof(double) * (size_t)(m * k)), *b = malloc(sizeof(double) * (size_t)(k * n));
  double *y = malloc(sizeof(double) * (size_t)(m * n)), *w = malloc(sizeof(double) * (size_t)(m * n));
  for (int64_t i = 0; i < m * k; i++) a[i] = (double)((i * 7 + 3) % 11) - 5;
  for (int64_t i = 0; i < k * n; i++) b[i] = (double)((i * 5 + 1) % 13) - 6;
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++) {
      double s = 0;
      for (int64_t q = 0; q < k; q++)
        s += (ta ? a[q * m + i] : a[i * k + q]) * (tb ? b[j * k + q] : b[q * n + j]);
      w[i * n + j] = s;
    }
  const spcc_gemm_params p = {.m = m, .n = n, .k = k, .trans_a = ta, .trans_b = tb,
                              .alpha = 1, .beta = 0};
  spcc_gemm_f64(&p, a, b, NULL, y);
  for (int64_t i = 0; i < m * n; i++) assert_true(y[i] == w[i]);
  free(a), free(b), free(y), free(w);
}

static void test_gemm_layouts_f64(void **state) {
  (void)state;
  for (int ta = 0; ta < 2; ta++)
    for (int tb = 0; tb < 2; tb++) {
      check_gemm_layout_f64(ta, tb, 19, 35, 200);
      check_gemm_layout_f64(ta, tb, 2, 9, 140);
      check_gemm_layout_f64(ta, tb, 1, 1, 1);
    }
}

/* Batched MatMul with broadcast batch dims, sizes off every tile edge. */
static void test_matmul_batched_vs_naive(void **state) {
  (void)state;
  const int64_t m = 13, n = 35, k = 140, bd0 = 2, bd1 = 3;
  /* A [2,1,m,k] broadcast over the second batch dim, B [1,3,k,n] over the first. */
  float *a = malloc(sizeof(float) * (size_t)(bd0 * m * k));
  float *b = malloc(sizeof(float) * (size_t)(bd1 * k * n));
  float *y = malloc(sizeof(float) * (size_t)(bd0 * bd1 * m * n));
  float *w = malloc(sizeof(float) * (size_t)(bd0 * bd1 * m * n));
  for (int64_t i = 0; i < bd0 * m * k; i++) a[i] = (float)((i * 7 + 3) % 11) - 5;
  for (int64_t i = 0; i < bd1 * k * n; i++) b[i] = (float)((i * 5 + 1) % 13) - 6;
  for (int64_t p0 = 0; p0 < bd0; p0++)
    for (int64_t p1 = 0; p1 < bd1; p1++)
      for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
          double s = 0;
          for (int64_t q = 0; q < k; q++)
            s += (double)a[p0 * m * k + i * k + q] * b[p1 * k * n + q * n + j];
          w[((p0 * bd1 + p1) * m + i) * n + j] = (float)s;
        }
  const spcc_matmul_params p = {.m = m, .n = n, .k = k, .batch_rank = 2,
                                .batch_dims = {bd0, bd1}, .a_batch_stride = {m * k, 0},
                                .b_batch_stride = {0, k * n}};
  spcc_matmul_f32(&p, a, b, y);
  assert_close(y, w, (int)(bd0 * bd1 * m * n), 1e-6f);
  free(a), free(b), free(y), free(w);
}

/* ---- MatMul -------------------------------------------------------------- */

static void test_matmul_batched_broadcast(void **state) {
  (void)state;
  /* A [2,1,1,2] x B [3,2,1] -> Y [2,3,1,1]: A's batch 2 and B's batch 3 broadcast. */
  const float a[] = {1, 2, 3, 4};
  const float b[] = {1, 1, 1, 0, 0, 1};
  const spcc_matmul_params p = {.m = 1, .n = 1, .k = 2, .batch_rank = 2,
                                .batch_dims = {2, 3}, .a_batch_stride = {2, 0},
                                .b_batch_stride = {0, 2}};
  float y[6];
  spcc_matmul_f32(&p, a, b, y);
  const float want[] = {3, 1, 2, 7, 3, 4};
  assert_close(y, want, 6, 0);
}

static void test_matmul_int_wraps(void **state) {
  (void)state;
  const int32_t a[] = {INT32_MAX, 2}, b[] = {2, INT32_MIN}; /* [1,2] x [2,1] */
  const spcc_matmul_params p = {.m = 1, .n = 1, .k = 2};
  int32_t y[1];
  spcc_matmul_i32(&p, a, b, y);
  /* 2*INT32_MAX = -2 (mod 2^32), 2*INT32_MIN = 0 (mod 2^32) */
  assert_int_equal(y[0], -2);
  const uint64_t ua[] = {UINT64_MAX, 3}, ub[] = {2, 5};
  uint64_t uy[1];
  spcc_matmul_u64(&p, ua, ub, uy);
  assert_true(uy[0] == 13); /* -2 + 15 */
  const int64_t la[] = {-3, 4}, lb[] = {5, -6};
  int64_t ly[1];
  spcc_matmul_i64(&p, la, lb, ly);
  assert_true(ly[0] == -39);
}

/* ---- Softmax / BatchNormalization --------------------------------------- */

static void test_softmax_rows_and_large(void **state) {
  (void)state;
  const float x[] = {0, 0, 0, 1000, 1001, 1000}; /* [2,3]; exp(1000) overflows */
  const spcc_softmax_params p = {.outer = 2, .len = 3, .inner = 1};
  float y[6];
  spcc_softmax_f32(&p, x, y);
  const float e = (float)exp(1.0), s = 2 + e;
  const float want[] = {1.f / 3, 1.f / 3, 1.f / 3, 1 / s, e / s, 1 / s};
  assert_close(y, want, 6, 1e-6f);
}

static void test_softmax_strided_axis(void **state) {
  (void)state;
  /* [1,2,3] along axis 1: pairs (x[j], x[3+j]). */
  const double x[] = {0, 1, 5, 0, 1, 5 + 0.6931471805599453};
  const spcc_softmax_params p = {.outer = 1, .len = 2, .inner = 3};
  double y[6];
  spcc_softmax_f64(&p, x, y);
  const double want[] = {0.5, 0.5, 1.0 / 3, 0.5, 0.5, 2.0 / 3};
  for (int i = 0; i < 6; i++) assert_true(fabs(y[i] - want[i]) < 1e-12);
}

static void test_batch_norm(void **state) {
  (void)state;
  /* batch 2, 2 channels, inner 2 */
  const float x[] = {1, 2, 3, 4, 5, 6, 7, 8};
  const float scale[] = {2, 1}, bias[] = {0, 1}, mean[] = {1, 0}, var[] = {3, 15};
  const spcc_batch_norm_params p = {.batch = 2, .channels = 2, .inner = 2, .epsilon = 1};
  float y[8];
  spcc_batch_norm_f32(&p, x, scale, bias, mean, var, y);
  /* ch0: 2*(x-1)/2 = x-1; ch1: x/4 + 1 */
  const float want[] = {0, 1, 1.75f, 2, 4, 5, 2.75f, 3};
  assert_close(y, want, 8, 1e-7f);
}

/* ---- shape rules and compile-time evaluation ------------------------------- */

static int add_node(spcc_graph *g, spcc_op op, int opset, int n_in, const int *in, int n_out) {
  int out[4];
  for (int k = 0; k < n_out; k++)
    out[k] = spcc_graph_add_value(g, gb_fresh_name(g), NULL, SPCC_VAL_TEMP);
  int idx = spcc_graph_add_node(g, op, n_in, in, n_out, out);
  g->nodes[idx].opset = opset;
  return idx;
}

static bool infer(spcc_graph *g, int node, spcc_diag *d) {
  spcc_diag_init(d, NULL);
  return spcc_pass_shape_infer(g, NULL, d) && g->nodes[node].n_out > 0;
}

static void test_shape_matmul_1d(void **state) {
  (void)state;
  spcc_graph *g = spcc_graph_new("t", "t.onnx");
  const int64_t da[] = {3}, db[] = {2, 3, 4};
  int in[2] = {gb_input_value(g, "a", SPCC_DT_F32, 1, da), gb_input_value(g, "b", SPCC_DT_F32, 3, db)};
  int node = add_node(g, SPCC_OP_MATMUL, 13, 2, in, 1);
  spcc_diag d;
  assert_true(infer(g, node, &d));
  const spcc_type *y = &g->values[g->nodes[node].out[0]].type;
  assert_int_equal(y->rank, 2);
  assert_true(y->dims[0] == 2 && y->dims[1] == 4);
  /* Evaluate: A = [1,1,1] sums the rows of each B batch. */
  float a[3] = {1, 1, 1}, b[24], out[8];
  for (int i = 0; i < 24; i++) b[i] = (float)i;
  const void *ins[2] = {a, b};
  void *outs[1] = {out};
  assert_true(spcc_eval_node(g, &g->nodes[node], ins, outs, &d));
  const float want[] = {12, 15, 18, 21, 48, 51, 54, 57};
  assert_close(out, want, 8, 0);
  spcc_graph_free(g);
}

static void test_shape_errors(void **state) {
  (void)state;
  spcc_diag d;
  /* Gemm K mismatch. */
  spcc_graph *g = spcc_graph_new("t", "t.onnx");
  const int64_t d23[] = {2, 3}, d24[] = {2, 4};
  int in[5] = {gb_input_value(g, "a", SPCC_DT_F32, 2, d23), gb_input_value(g, "b", SPCC_DT_F32, 2, d24)};
  int node = add_node(g, SPCC_OP_GEMM, 13, 2, in, 1);
  assert_false(infer(g, node, &d));
  assert_non_null(strstr(d.first_error, "mismatch"));
  spcc_graph_free(g);

  /* Gemm opset 6 without broadcast needs C [M,N]. */
  g = spcc_graph_new("t", "t.onnx");
  const int64_t d32[] = {3, 2}, d2[] = {2};
  in[0] = gb_input_value(g, "a", SPCC_DT_F32, 2, d23);
  in[1] = gb_input_value(g, "b", SPCC_DT_F32, 2, d32);
  in[2] = gb_input_value(g, "c", SPCC_DT_F32, 1, d2);
  node = add_node(g, SPCC_OP_GEMM, 6, 3, in, 1);
  assert_false(infer(g, node, &d));
  spcc_node_set_int(g, node, "broadcast", 1);
  assert_true(infer(g, node, &d));
  spcc_graph_free(g);

  /* Running-statistics outputs without training_mode=1 are refused (the
   * training form itself is tested in test_batch_norm_train.c). */
  g = spcc_graph_new("t", "t.onnx");
  const int64_t dx[] = {1, 2, 2}, dc[] = {2};
  in[0] = gb_input_value(g, "x", SPCC_DT_F32, 3, dx);
  for (int k = 1; k < 5; k++) in[k] = gb_input_value(g, NULL, SPCC_DT_F32, 1, dc);
  node = add_node(g, SPCC_OP_BATCH_NORM, 15, 5, in, 3);
  assert_false(infer(g, node, &d));
  assert_non_null(strstr(d.first_error, "unsupported"));
  spcc_graph_free(g);

  /* Opset 6: is_test=0 asks for training (unsupported); is_test=1 is fine. */
  g = spcc_graph_new("t", "t.onnx");
  in[0] = gb_input_value(g, "x", SPCC_DT_F32, 3, dx);
  for (int k = 1; k < 5; k++) in[k] = gb_input_value(g, NULL, SPCC_DT_F32, 1, dc);
  node = add_node(g, SPCC_OP_BATCH_NORM, 6, 5, in, 1);
  spcc_node_set_int(g, node, "is_test", 0);
  assert_false(infer(g, node, &d));
  assert_non_null(strstr(d.first_error, "unsupported"));
  spcc_node_set_int(g, node, "is_test", 1);
  assert_true(infer(g, node, &d));
  spcc_graph_free(g);

  /* Softmax on int32 is an unsupported element type. */
  g = spcc_graph_new("t", "t.onnx");
  in[0] = gb_input_value(g, "x", SPCC_DT_I32, 2, d23);
  node = add_node(g, SPCC_OP_SOFTMAX, 13, 1, in, 1);
  assert_false(infer(g, node, &d));
  assert_non_null(strstr(d.first_error, "unsupported element type i32"));
  spcc_graph_free(g);
}

static void test_softmax_legacy_coercion(void **state) {
  (void)state;
  /* Opset 11, axis 1 on [1,2,2]: one softmax over all 4 elements. */
  spcc_graph *g = spcc_graph_new("t", "t.onnx");
  const int64_t dx[] = {1, 2, 2};
  int in[1] = {gb_input_value(g, "x", SPCC_DT_F32, 3, dx)};
  int node = add_node(g, SPCC_OP_SOFTMAX, 11, 1, in, 1);
  spcc_diag d;
  assert_true(infer(g, node, &d));
  const float x[] = {0, 0, 0, 0};
  float y[4];
  const void *ins[1] = {x};
  void *outs[1] = {y};
  assert_true(spcc_eval_node(g, &g->nodes[node], ins, outs, &d));
  const float want[] = {0.25f, 0.25f, 0.25f, 0.25f};
  assert_close(y, want, 4, 1e-7f);
  spcc_graph_free(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_gemm_row_bias),
      cmocka_unit_test(test_gemm_trans_scalar),
      cmocka_unit_test(test_gemm_column_bias_f64),
      cmocka_unit_test(test_gemm_layouts),
      cmocka_unit_test(test_gemm_layouts_f64),
      cmocka_unit_test(test_matmul_batched_vs_naive),
      cmocka_unit_test(test_matmul_batched_broadcast),
      cmocka_unit_test(test_matmul_int_wraps),
      cmocka_unit_test(test_softmax_rows_and_large),
      cmocka_unit_test(test_softmax_strided_axis),
      cmocka_unit_test(test_batch_norm),
      cmocka_unit_test(test_shape_matmul_1d),
      cmocka_unit_test(test_shape_errors),
      cmocka_unit_test(test_softmax_legacy_coercion),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
