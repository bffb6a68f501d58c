/* test_rt_conv2.c - ConvTranspose, LpPool, GlobalMaxPool, GlobalLpPool and
 * MaxUnpool: kernels on hand-computed cases (strides, groups, negative
 * pads from a larger output_shape, f64, NaN, index remapping), and the
 * shape rules plus compile-time evaluation through small graphs
 * (output_shape, auto_pad SAME_UPPER, unsupported attributes). */
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

static void assert_close(const float *got, const float *want, int n, float tol) {
  for (int i = 0; i < n; i++) {
    if (!(fabsf(got[i] - want[i]) <= tol * (1.0f + fabsf(want[i])))) {
      print_error("element %d: got %.9g want %.9g\n", i, (double)got[i], (double)want[i]);
      fail();
    }
  }
}

static void test_conv_transpose_1d_strided_bias(void **state) {
  (void)state;
  spcc_conv_transpose_params p = {.batch = 1, .in_channels = 1, .out_channels = 1,
                                  .group = 1, .spatial = 1, .in_dims = {3},
                                  .out_dims = {6}, .kernel = {2}, .strides = {2},
                                  .dilations = {1}, .pads = {0}};
  const float x[] = {1, 2, 3}, w[] = {1, 10}, b[] = {0.5f};
  float y[6];
  spcc_conv_transpose_f32(&p, x, w, b, y);
  const float want[] = {1.5f, 10.5f, 2.5f, 20.5f, 3.5f, 30.5f};
  assert_close(y, want, 6, 0);
}

static void test_conv_transpose_2d_overlap(void **state) {
  (void)state;
  spcc_conv_transpose_params p = {.batch = 1, .in_channels = 1, .out_channels = 1,
                                  .group = 1, .spatial = 2, .in_dims = {2, 2},
                                  .out_dims = {3, 3}, .kernel = {2, 2}, .strides = {1, 1},
                                  .dilations = {1, 1}, .pads = {0, 0}};
  const float x[] = {1, 2, 3, 4}, w[] = {1, 1, 1, 1};
  float y[9];
  spcc_conv_transpose_f32(&p, x, w, NULL, y);
  const float want[] = {1, 3, 2, 4, 10, 6, 3, 7, 4};
  assert_close(y, want, 9, 0);
  /* Leading pad 1 and trailing 1 crop the border: the centre only. */
  p.out_dims[0] = p.out_dims[1] = 1;
  p.pads[0] = p.pads[1] = 1;
  spcc_conv_transpose_f32(&p, x, w, NULL, y);
  assert_true(y[0] == 10);
}

static void test_conv_transpose_negative_pad_groups_f64(void **state) {
  (void)state;
  /* Output larger than the natural extent: a negative leading pad shifts
   * the taps right and leaves position 0 at the bias. */
  spcc_conv_transpose_params p = {.batch = 1, .in_channels = 1, .out_channels = 1,
                                  .group = 1, .spatial = 1, .in_dims = {2},
                                  .out_dims = {4}, .kernel = {1}, .strides = {1},
                                  .dilations = {1}, .pads = {-1}};
  const float x[] = {1, 2}, w[] = {3};
  float y[4];
  spcc_conv_transpose_f32(&p, x, w, NULL, y);
  const float want[] = {0, 3, 6, 0};
  assert_close(y, want, 4, 0);
  /* Two groups, two output channels per group, dilation 2. */
  spcc_conv_transpose_params q = {.batch = 1, .in_channels = 2, .out_channels = 4,
                                  .group = 2, .spatial = 1, .in_dims = {1},
                                  .out_dims = {3}, .kernel = {2}, .strides = {1},
                                  .dilations = {2}, .pads = {0}};
  const double xd[] = {1, 10}, wd[] = {1, 2, 3, 4, 5, 6, 7, 8}; /* [2, 2, 2] */
  double yd[12];
  spcc_conv_transpose_f64(&q, xd, wd, NULL, yd);
  const double want_d[] = {1, 0, 2, 3, 0, 4, 50, 0, 60, 70, 0, 80};
  for (int i = 0; i < 12; i++) assert_true(yd[i] == want_d[i]);
}

static void test_global_max_and_lp(void **state) {
  (void)state;
  spcc_global_pool_params p = {.outer = 3, .size = 3};
  const float x[] = {1, 5, 3, -1, -2, -3, 1, NAN, 9};
  float y[3];
  spcc_global_max_pool_f32(&p, x, y);
  assert_true(y[0] == 5 && y[1] == -1 && isnan(y[2]));
  spcc_global_pool_params q = {.outer = 2, .size = 2};
  const double xd[] = {3, -4, 1, -1};
  double yd[2];
  spcc_global_lp_pool_f64(&q, 2.0, xd, yd);
  assert_true(fabs(yd[0] - 5) < 1e-12 && fabs(yd[1] - sqrt(2.0)) < 1e-12);
  spcc_global_lp_pool_f64(&q, 1.0, xd, yd);
  assert_true(fabs(yd[0] - 7) < 1e-12 && fabs(yd[1] - 2) < 1e-12);
}

static void test_lp_pool_padded(void **state) {
  (void)state;
  /* Kernel 2, stride 2, one leading pad: windows {pad, 1}, {-2, 3}, {-4, pad}. */
  spcc_pool_params p = {.batch = 1, .channels = 1, .spatial = 1, .in_dims = {4},
                        .out_dims = {3}, .kernel = {2}, .strides = {2}, .dilations = {1},
                        .pads = {1}, .pads_end = {1}};
  const float x[] = {1, -2, 3, -4};
  float y[3];
  spcc_lp_pool_f32(&p, 1.0, x, y);
  const float want1[] = {1, 5, 4};
  assert_close(y, want1, 3, 1e-6f);
  spcc_lp_pool_f32(&p, 2.0, x, y);
  const float want2[] = {1, sqrtf(13), 4};
  assert_close(y, want2, 3, 1e-6f);
}

static void test_max_unpool(void **state) {
  (void)state;
  spcc_max_unpool_params p = {.x_numel = 3, .y_numel = 4, .elem_size = 4, .rank = 1,
                              .index_dims = {4}, .y_dims = {4}};
  const float x[] = {5, 6, 7};
  const int64_t idx[] = {1, 3, 9}; /* 9 is out of range: skipped */
  float y[4];
  spcc_max_unpool(&p, x, idx, y);
  const float want[] = {0, 5, 0, 6};
  assert_close(y, want, 4, 0);
  /* Indices over a 2x2 tensor placed into 3x3 at the same coordinates. */
  spcc_max_unpool_params q = {.x_numel = 2, .y_numel = 9, .elem_size = 4, .rank = 2,
                              .index_dims = {2, 2}, .y_dims = {3, 3}};
  const int64_t idx2[] = {1, 3};
  float y9[9];
  spcc_max_unpool(&q, x, idx2, y9);
  const float want9[] = {0, 5, 0, 0, 6, 0, 0, 0, 0};
  assert_close(y9, want9, 9, 0);
}

/* ---- shape rules and evaluation through graphs ------------------------------------ */

static float *copy_floats(const float *v, int n) {
  float *p = malloc(sizeof(float) * (size_t)n);
  memcpy(p, v, sizeof(float) * (size_t)n);
  return p;
}

/* y = ConvTranspose(x [1,1,3,3], W [1,2,3,3] of ones). */
static spcc_graph *ct_graph(void) {
  spcc_graph *g = spcc_graph_new("ct", "test.onnx");
  int64_t xd[4] = {1, 1, 3, 3}, wd[4] = {1, 2, 3, 3};
  spcc_type tx = spcc_type_make(SPCC_DT_F32, 4, xd), tw = spcc_type_make(SPCC_DT_F32, 4, wd);
  float ones[18];
  for (int i = 0; i < 18; i++) ones[i] = 1;
  int x = spcc_graph_add_value(g, "x", &tx, SPCC_VAL_INPUT);
  int wv = spcc_graph_add_const(g, "W", &tw, copy_floats(ones, 18));
  int y = spcc_graph_add_value(g, "y", NULL, SPCC_VAL_TEMP);
  int in[2] = {x, wv};
  int k = spcc_graph_add_node(g, SPCC_OP_CONV_TRANSPOSE, 2, in, 1, &y);
  g->nodes[k].onnx_index = 0;
  g->nodes[k].name = "ct";
  g->nodes[k].opset = 11;
  return g;
}

static void test_shape_conv_transpose(void **state) {
  (void)state;
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  spcc_graph *g = ct_graph();
  assert_true(spcc_shape_conv_transpose(g, &g->nodes[0], &d));
  const spcc_type *t = &g->values[g->nodes[0].out[0]].type;
  assert_true(t->rank == 4 && t->dims[1] == 2 && t->dims[2] == 5 && t->dims[3] == 5);
  spcc_graph_free(g);

  /* output_shape 10x8 with strides 3x2: one more than natural per dim. */
  g = ct_graph();
  const int64_t s[2] = {3, 2}, os[2] = {10, 8};
  spcc_node_set_ints(g, 0, "strides", 2, s);
  spcc_node_set_ints(g, 0, "output_shape", 2, os);
  assert_true(spcc_shape_conv_transpose(g, &g->nodes[0], &d));
  t = &g->values[g->nodes[0].out[0]].type;
  assert_true(t->dims[2] == 10 && t->dims[3] == 8);
  float x[9], y[2 * 80];
  for (int i = 0; i < 9; i++) x[i] = 1;
  const void *in[2] = {x, spcc_value_data(g, 1)};
  void *out[1] = {y};
  assert_true(spcc_eval_conv_transpose(g, &g->nodes[0], in, out, &d));
  assert_true(y[0] == 1 && y[9 * 8 + 7] == 0); /* the added last row / column stay 0 */
  spcc_graph_free(g);

  /* SAME_UPPER with stride 2: output = input * stride. */
  g = ct_graph();
  const int64_t s2[2] = {2, 2};
  spcc_node_set_ints(g, 0, "strides", 2, s2);
  spcc_node_set_string(g, 0, "auto_pad", "SAME_UPPER");
  assert_true(spcc_shape_conv_transpose(g, &g->nodes[0], &d));
  t = &g->values[g->nodes[0].out[0]].type;
  assert_true(t->dims[2] == 6 && t->dims[3] == 6);
  spcc_graph_free(g);

  g = ct_graph();
  spcc_node_set_string(g, 0, "auto_pad", "FOO");
  spcc_diag_init(&d, NULL);
  assert_false(spcc_shape_conv_transpose(g, &g->nodes[0], &d));
  assert_non_null(strstr(d.first_error, "unsupported"));
  spcc_graph_free(g);
}

static void test_shape_global_and_unpool(void **state) {
  (void)state;
  spcc_graph *g = spcc_graph_new("gp", "test.onnx");
  int64_t xd[4] = {1, 2, 2, 2};
  spcc_type tx = spcc_type_make(SPCC_DT_F32, 4, xd), ti = spcc_type_make(SPCC_DT_I64, 4, xd);
  int x = spcc_graph_add_value(g, "x", &tx, SPCC_VAL_INPUT);
  int ix = spcc_graph_add_value(g, "i", &ti, SPCC_VAL_INPUT);
  int y = spcc_graph_add_value(g, "y", NULL, SPCC_VAL_TEMP);
  int y2 = spcc_graph_add_value(g, "y2", NULL, SPCC_VAL_TEMP);
  spcc_graph_add_node(g, SPCC_OP_GLOBAL_MAX_POOL, 1, &x, 1, &y);
  int in2[2] = {x, ix};
  spcc_graph_add_node(g, SPCC_OP_MAX_UNPOOL, 2, in2, 1, &y2);
  const int64_t k2[2] = {2, 2};
  spcc_node_set_ints(g, 1, "kernel_shape", 2, k2);
  spcc_node_set_ints(g, 1, "strides", 2, k2);
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  assert_true(spcc_shape_global_max_pool(g, &g->nodes[0], &d));
  const spcc_type *t = &g->values[y].type;
  assert_true(t->rank == 4 && t->dims[1] == 2 && t->dims[2] == 1 && t->dims[3] == 1);
  assert_true(spcc_shape_max_unpool(g, &g->nodes[1], &d));
  t = &g->values[y2].type;
  assert_true(t->rank == 4 && t->dims[2] == 4 && t->dims[3] == 4);
  spcc_graph_free(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_conv_transpose_1d_strided_bias),
      cmocka_unit_test(test_conv_transpose_2d_overlap),
      cmocka_unit_test(test_conv_transpose_negative_pad_groups_f64),
      cmocka_unit_test(test_global_max_and_lp),
      cmocka_unit_test(test_lp_pool_padded),
      cmocka_unit_test(test_max_unpool),
      cmocka_unit_test(test_shape_conv_transpose),
      cmocka_unit_test(test_shape_global_and_unpool),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
