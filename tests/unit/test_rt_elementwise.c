/* test_rt_elementwise.c - the elementwise family: runtime kernels on
 * hand-computed cases (odd sizes, broadcast, integer edge cases, NaN,
 * extreme sigmoid inputs), and the shape rule + evaluator on small graphs,
 * which also exercises how the backend collapses a broadcast layout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "support/op_fixture.h"
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "backend/c/ops.h"
#include "passes/passes.h"
#include "spcc/spcc_rt.h"

/* ---- kernels with hand-made params --------------------------------------- */

static void test_add_equal_odd(void **state) {
  (void)state;
  float a[19], b[19], y[19];
  for (int i = 0; i < 19; i++) {
    a[i] = (float)i;
    b[i] = 0.5f * (float)i;
  }
  spcc_binary_params p = {.rank = 1, .dims = {19}, .a_strides = {1}, .b_strides = {1}};
  spcc_add_f32(&p, a, b, y);
  for (int i = 0; i < 19; i++) assert_true(y[i] == 1.5f * (float)i);
  spcc_sub_f32(&p, a, b, y);
  for (int i = 0; i < 19; i++) assert_true(y[i] == 0.5f * (float)i);
}

static void test_scalar_operands(void **state) {
  (void)state;
  double a[5] = {1, 2, 3, 4, 5}, s = 2, y[5];
  spcc_binary_params pb = {.rank = 1, .dims = {5}, .a_strides = {1}, .b_strides = {0}};
  spcc_div_f64(&pb, a, &s, y);
  for (int i = 0; i < 5; i++) assert_true(y[i] == a[i] / 2);
  spcc_binary_params pa = {.rank = 1, .dims = {5}, .a_strides = {0}, .b_strides = {1}};
  spcc_div_f64(&pa, &s, a, y);
  for (int i = 0; i < 5; i++) assert_true(y[i] == 2 / a[i]);
  spcc_binary_params p0 = {.rank = 0};
  spcc_mul_f64(&p0, &s, &s, y);
  assert_true(y[0] == 4);
}

/* [2,1,3] * [1,4,1] -> [2,4,3]: both operands broadcast, strided walk. */
static void test_general_broadcast(void **state) {
  (void)state;
  int32_t a[6] = {1, 2, 3, 4, 5, 6}, b[4] = {10, 20, 30, 40}, y[24];
  spcc_binary_params p = {
      .rank = 3, .dims = {2, 4, 3}, .a_strides = {3, 0, 1}, .b_strides = {0, 1, 0}};
  spcc_mul_i32(&p, a, b, y);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 4; j++)
      for (int k = 0; k < 3; k++) assert_int_equal(y[(i * 4 + j) * 3 + k], a[i * 3 + k] * b[j]);
}

static void test_integer_edges(void **state) {
  (void)state;
  spcc_binary_params p = {.rank = 1, .dims = {4}, .a_strides = {1}, .b_strides = {1}};
  int8_t a8[4] = {127, -128, 100, -7}, b8[4] = {1, -1, 100, 2}, y8[4];
  spcc_add_i8(&p, a8, b8, y8);
  assert_int_equal(y8[0], -128); /* wraps */
  assert_int_equal(y8[1], 127);
  spcc_mul_i8(&p, a8, b8, y8);
  assert_int_equal(y8[2], (int8_t)0x10); /* 10000 mod 256 = 16 */
  spcc_div_i8(&p, a8, b8, y8);
  assert_int_equal(y8[1], -128); /* INT8_MIN / -1 */
  assert_int_equal(y8[3], -3);   /* truncates toward zero */

  int32_t a32[4] = {INT32_MIN, 5, -9, 7}, b32[4] = {-1, 0, 4, -2}, y32[4];
  spcc_div_i32(&p, a32, b32, y32);
  assert_int_equal(y32[0], INT32_MIN);
  assert_int_equal(y32[1], 0); /* x / 0 = 0 */
  assert_int_equal(y32[2], -2);
  assert_int_equal(y32[3], -3);

  uint16_t a16[4] = {65535, 0, 300, 7}, b16[4] = {65535, 1, 0, 2}, y16[4];
  spcc_mul_u16(&p, a16, b16, y16); /* would overflow int if promoted */
  assert_int_equal(y16[0], 1);
  spcc_sub_u16(&p, a16, b16, y16);
  assert_int_equal(y16[1], 65535);
  spcc_div_u16(&p, a16, b16, y16);
  assert_int_equal(y16[2], 0);
  assert_int_equal(y16[3], 3);

  int64_t a64[4] = {INT64_MAX, INT64_MIN, 3, 4}, b64[4] = {1, -1, 0, 2}, y64[4];
  spcc_add_i64(&p, a64, b64, y64);
  assert_true(y64[0] == INT64_MIN);
  spcc_div_i64(&p, a64, b64, y64);
  assert_true(y64[1] == INT64_MIN && y64[2] == 0 && y64[3] == 2);
}

static void test_relu_leaky(void **state) {
  (void)state;
  float x[20], y[20];
  for (int i = 0; i < 20; i++) x[i] = (float)(i - 10);
  x[3] = NAN;
  x[4] = -0.0f;
  spcc_relu_f32(20, x, y);
  for (int i = 0; i < 20; i++) {
    if (i == 3)
      assert_true(isnan(y[i]));
    else
      assert_true(y[i] == (x[i] > 0 ? x[i] : 0.0f));
  }
  int16_t xi[3] = {-5, 0, 9}, yi[3];
  spcc_relu_i16(3, xi, yi);
  assert_int_equal(yi[0], 0);
  assert_int_equal(yi[2], 9);

  spcc_leaky_relu_params lp = {.n = 20, .alpha = 0.25f};
  spcc_leaky_relu_f32(&lp, x, y);
  for (int i = 0; i < 20; i++) {
    if (i == 3)
      assert_true(isnan(y[i]));
    else
      assert_true(y[i] == (x[i] < 0 ? 0.25f * x[i] : x[i]));
  }
}

static void test_sigmoid_tanh(void **state) {
  (void)state;
  float x[7] = {0.0f, 1.0f, -1.0f, 100.0f, -100.0f, -80.0f, 1e30f}, y[7];
  spcc_sigmoid_f32(7, x, y);
  for (int i = 0; i < 7; i++) {
    double ref = 1.0 / (1.0 + exp(-(double)x[i]));
    assert_true(isfinite(y[i]));
    assert_true(fabs(y[i] - ref) <= 4 * FLT_EPSILON * ref + 1e-45);
  }
  assert_true(y[0] == 0.5f);
  assert_true(y[3] == 1.0f);
  assert_true(y[5] > 0.0f); /* e^-80: relative accuracy kept, no underflow to 0 */
  double xd[2] = {-1000.0, 1000.0}, yd[2];
  spcc_sigmoid_f64(2, xd, yd);
  assert_true(yd[0] == 0.0 && yd[1] == 1.0);
  float t[3] = {0.0f, 0.5f, -20.0f}, ty[3];
  spcc_tanh_f32(3, t, ty);
  assert_true(ty[0] == 0.0f && fabsf(ty[1] - 0.46211716f) < 1e-6f && ty[2] == -1.0f);
}

static void test_clip_kernel(void **state) {
  (void)state;
  float x[5] = {-3.0f, -1.0f, 0.0f, 2.0f, NAN}, y[5];
  float lo = -1.5f, hi = 1.0f;
  spcc_clip_f32(5, x, &lo, &hi, y);
  assert_true(y[0] == -1.5f && y[1] == -1.0f && y[2] == 0.0f && y[3] == 1.0f && isnan(y[4]));
  spcc_clip_f32(5, x, &lo, NULL, y);
  assert_true(y[0] == -1.5f && y[3] == 2.0f);
  spcc_clip_f32(5, x, NULL, &hi, y);
  assert_true(y[0] == -3.0f && y[3] == 1.0f);
  spcc_clip_f32(4, x, NULL, NULL, y);
  assert_memory_equal(x, y, 4 * sizeof(float));
  float lo2 = 2.0f, hi2 = 1.0f; /* min > max: everything becomes max */
  spcc_clip_f32(4, x, &lo2, &hi2, y);
  for (int i = 0; i < 4; i++) assert_true(y[i] == 1.0f);
  int8_t xi[4] = {-128, -3, 4, 127}, yi[4], l8 = -2, h8 = 3;
  spcc_clip_i8(4, xi, &l8, &h8, yi);
  assert_int_equal(yi[0], -2);
  assert_int_equal(yi[3], 3);
  uint8_t ident_in[3] = {1, 2, 3}, ident_out[3] = {0};
  spcc_identity(3, 1, ident_in, ident_out);
  assert_memory_equal(ident_in, ident_out, 3);
}

/* ---- shape rules and evaluators on graphs ------------------------------------ */

/* [2,3,4] + [3,1] -> [2,3,4] through the shape rule and the evaluator. */
static void test_eval_numpy_broadcast(void **state) {
  op_fixture *f = *state;
  int64_t da[3] = {2, 3, 4}, db[2] = {3, 1};
  int in[2] = {fx_value(f, SPCC_DT_F32, 3, da), fx_value(f, SPCC_DT_F32, 2, db)};
  spcc_node *n = fx_node(f, SPCC_OP_ADD, 2, in, 14);
  assert_true(spcc_shape_add(f->g, n, &f->d));
  const spcc_type *t = fx_out_type(f, n);
  assert_int_equal(t->rank, 3);
  assert_true(t->dims[0] == 2 && t->dims[1] == 3 && t->dims[2] == 4);
  float a[24], b[3], y[24];
  for (int i = 0; i < 24; i++) a[i] = (float)i;
  for (int i = 0; i < 3; i++) b[i] = 100.0f * (float)(i + 1);
  const void *ins[2] = {a, b};
  void *outs[1] = {y};
  assert_true(spcc_eval_add(f->g, n, ins, outs, &f->d));
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 3; j++)
      for (int k = 0; k < 4; k++) {
        int o = (i * 3 + j) * 4 + k;
        assert_true(y[o] == a[o] + b[j]);
      }
}

/* Opset 6: broadcast=1 with axis=1 puts b's [3] at a's second dimension. */
static void test_eval_legacy_axis(void **state) {
  op_fixture *f = *state;
  int64_t da[3] = {2, 3, 2}, db[1] = {3};
  int in[2] = {fx_value(f, SPCC_DT_F64, 3, da), fx_value(f, SPCC_DT_F64, 1, db)};
  spcc_node *n = fx_node(f, SPCC_OP_SUB, 2, in, 6);
  spcc_node_set_int(f->g, (int)(n - f->g->nodes), "broadcast", 1);
  spcc_node_set_int(f->g, (int)(n - f->g->nodes), "axis", 1);
  assert_true(spcc_shape_sub(f->g, n, &f->d));
  double a[12], b[3] = {1, 2, 3}, y[12];
  for (int i = 0; i < 12; i++) a[i] = (double)i;
  const void *ins[2] = {a, b};
  void *outs[1] = {y};
  assert_true(spcc_eval_sub(f->g, n, ins, outs, &f->d));
  for (int i = 0; i < 12; i++) assert_true(y[i] == a[i] - b[(i / 2) % 3]);

  /* without broadcast=1, opset 6 needs equal shapes: an error, not "unsupported" */
  spcc_node *m = fx_node(f, SPCC_OP_SUB, 2, in, 6);
  assert_false(spcc_shape_sub(f->g, m, &f->d));
  assert_non_null(strstr(f->d.first_error, "shape mismatch"));
  assert_null(strstr(f->d.first_error, "unsupported"));
}

static void test_shape_errors(void **state) {
  op_fixture *f = *state;
  int64_t d2[2] = {2, 3}, d3[1] = {4};
  int bad[2] = {fx_value(f, SPCC_DT_F32, 2, d2), fx_value(f, SPCC_DT_F32, 1, d3)};
  assert_false(spcc_shape_mul(f->g, fx_node(f, SPCC_OP_MUL, 2, bad, 14), &f->d));
  int mixed[2] = {fx_value(f, SPCC_DT_F32, 2, d2), fx_value(f, SPCC_DT_I32, 2, d2)};
  assert_false(spcc_shape_mul(f->g, fx_node(f, SPCC_OP_MUL, 2, mixed, 14), &f->d));
  spcc_diag_init(&f->d, NULL);
  int b1[1] = {fx_value(f, SPCC_DT_BOOL, 2, d2)};
  assert_false(spcc_shape_sigmoid(f->g, fx_node(f, SPCC_OP_SIGMOID, 1, b1, 13), &f->d));
  assert_non_null(strstr(f->d.first_error, "unsupported element type bool"));
  assert_true(spcc_shape_identity(f->g, fx_node(f, SPCC_OP_IDENTITY, 1, b1, 16), &f->d));
}

/* Clip-13 with only max given, and Clip-6 with attribute defaults. */
static void test_eval_clip(void **state) {
  op_fixture *f = *state;
  int64_t dx[1] = {5};
  int x = fx_value(f, SPCC_DT_I8, 1, dx), mx = fx_value(f, SPCC_DT_I8, 0, NULL);
  int in[3] = {x, -1, mx};
  spcc_node *n = fx_node(f, SPCC_OP_CLIP, 3, in, 13);
  assert_true(spcc_shape_clip(f->g, n, &f->d));
  int8_t xv[5] = {-100, -1, 0, 5, 100}, m = 4, y[5];
  const void *ins[3] = {xv, NULL, &m};
  void *outs[1] = {y};
  assert_true(spcc_eval_clip(f->g, n, ins, outs, &f->d));
  int8_t want[5] = {-100, -1, 0, 4, 4};
  assert_memory_equal(y, want, 5);

  int xf = fx_value(f, SPCC_DT_F32, 1, dx);
  spcc_node *n6 = fx_node(f, SPCC_OP_CLIP, 1, &xf, 6);
  spcc_node_set_float(f->g, (int)(n6 - f->g->nodes), "min", -0.5f);
  assert_true(spcc_shape_clip(f->g, n6, &f->d));
  float fx[5] = {-1.0f, 0.25f, INFINITY, -INFINITY, 3.0f}, fy[5];
  const void *fins[1] = {fx};
  void *fouts[1] = {fy};
  assert_true(spcc_eval_clip(f->g, n6, fins, fouts, &f->d));
  assert_true(fy[0] == -0.5f && fy[1] == 0.25f && fy[2] == FLT_MAX && fy[3] == -0.5f &&
              fy[4] == 3.0f);
}

static void test_eval_leaky_default(void **state) {
  op_fixture *f = *state;
  int64_t dx[1] = {3};
  int x = fx_value(f, SPCC_DT_F32, 1, dx);
  spcc_node *n = fx_node(f, SPCC_OP_LEAKY_RELU, 1, &x, 16);
  assert_true(spcc_shape_leaky_relu(f->g, n, &f->d));
  float xv[3] = {-2.0f, 0.0f, 3.0f}, y[3];
  const void *ins[1] = {xv};
  void *outs[1] = {y};
  assert_true(spcc_eval_leaky_relu(f->g, n, ins, outs, &f->d));
  assert_true(y[0] == -2.0f * 0.01f && y[1] == 0.0f && y[2] == 3.0f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_add_equal_odd),
      cmocka_unit_test(test_scalar_operands),
      cmocka_unit_test(test_general_broadcast),
      cmocka_unit_test(test_integer_edges),
      cmocka_unit_test(test_relu_leaky),
      cmocka_unit_test(test_sigmoid_tanh),
      cmocka_unit_test(test_clip_kernel),
      cmocka_unit_test_setup_teardown(test_eval_numpy_broadcast, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_eval_legacy_axis, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_shape_errors, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_eval_clip, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_eval_leaky_default, fx_setup, fx_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
