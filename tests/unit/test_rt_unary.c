/* test_rt_unary.c - the unary math and activation family: runtime kernels
 * on hand-computed cases (round half to even, integer Abs/Neg at the most
 * negative value, NaN and infinities, odd sizes past the vector block), and
 * the shape rules + evaluators on small graphs, including PRelu's one-way
 * slope broadcast in its opset 16 and legacy per-channel forms.
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

static int close_f(float a, float b) { return fabsf(a - b) <= 1e-6f * (1.0f + fabsf(b)); }

/* ---- kernels ---------------------------------------------------------------- */

static void test_round_half_even(void **state) {
  (void)state;
  float x[9] = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 2.4f, -2.6f, 3.0f}, y[9];
  float want[9] = {0.0f, 2.0f, 2.0f, -0.0f, -2.0f, -2.0f, 2.0f, -3.0f, 3.0f};
  spcc_round_f32(9, x, y);
  for (int i = 0; i < 9; i++) assert_true(y[i] == want[i]);
  double xd[2] = {0.5, 3.5}, yd[2];
  spcc_round_f64(2, xd, yd);
  assert_true(yd[0] == 0.0 && yd[1] == 4.0);
}

/* 37 elements: two full vector blocks and an odd tail. */
static void test_math_odd_size(void **state) {
  (void)state;
  float x[37], y[37];
  for (int i = 0; i < 37; i++) x[i] = 0.25f * (float)i + 0.125f;
  spcc_exp_f32(37, x, y);
  for (int i = 0; i < 37; i++) assert_true(y[i] == expf(x[i]));
  spcc_sqrt_f32(37, x, y);
  for (int i = 0; i < 37; i++) assert_true(y[i] == sqrtf(x[i]));
  spcc_reciprocal_f32(37, x, y);
  for (int i = 0; i < 37; i++) assert_true(y[i] == 1.0f / x[i]);
  spcc_floor_f32(37, x, y);
  for (int i = 0; i < 37; i++) assert_true(y[i] == floorf(x[i]));
  spcc_atanh_f32(1, x, y);
  assert_true(close_f(y[0], 0.5f * logf(1.125f / 0.875f)));
}

static void test_sign_abs_neg(void **state) {
  (void)state;
  float x[4] = {-3.0f, 0.0f, 2.0f, NAN}, y[4];
  spcc_sign_f32(4, x, y);
  assert_true(y[0] == -1.0f && y[1] == 0.0f && y[2] == 1.0f && isnan(y[3]));
  int8_t a8[4] = {INT8_MIN, -5, 0, 7}, y8[4];
  spcc_abs_i8(4, a8, y8);
  assert_true(y8[0] == INT8_MIN && y8[1] == 5 && y8[2] == 0 && y8[3] == 7);
  spcc_neg_i8(4, a8, y8);
  assert_true(y8[0] == INT8_MIN && y8[1] == 5 && y8[2] == 0 && y8[3] == -7);
  spcc_sign_i8(4, a8, y8);
  assert_true(y8[0] == -1 && y8[1] == -1 && y8[2] == 0 && y8[3] == 1);
  int64_t a64[2] = {INT64_MIN, -1}, y64[2];
  spcc_neg_i64(2, a64, y64);
  assert_true(y64[0] == INT64_MIN && y64[1] == 1);
  uint16_t u[3] = {0, 1, 65535}, yu[3];
  spcc_abs_u16(3, u, yu);
  assert_memory_equal(u, yu, sizeof u);
  spcc_sign_u16(3, u, yu);
  assert_true(yu[0] == 0 && yu[1] == 1 && yu[2] == 1);
}

static void test_smooth_activations(void **state) {
  (void)state;
  float x[5] = {-100.0f, -1.0f, 0.0f, 1.0f, 100.0f}, y[5];
  spcc_softplus_f32(5, x, y);
  assert_true(y[0] > 0.0f && close_f(y[0], expf(-100.0f)));
  assert_true(close_f(y[1], logf(1.0f + expf(-1.0f))) && close_f(y[2], logf(2.0f)));
  assert_true(y[4] == 100.0f); /* no overflow through exp(100) */
  spcc_softsign_f32(5, x, y);
  assert_true(y[1] == -0.5f && y[2] == 0.0f && y[3] == 0.5f && close_f(y[4], 100.0f / 101.0f));
  float hs_x[4] = {-4.0f, -1.5f, 0.0f, 3.0f}, hs[4];
  spcc_hard_swish_f32(4, hs_x, hs);
  assert_true(hs[0] == 0.0f && close_f(hs[1], -1.5f * 0.25f) && hs[2] == 0.0f && hs[3] == 3.0f);
  /* Mish = x tanh(softplus(x)): no overflow at 100, tiny negative tail. */
  spcc_mish_f32(5, x, y);
  assert_true(y[2] == 0.0f && y[4] == 100.0f && y[0] <= 0.0f && y[0] > -1e-30f);
  assert_true(close_f(y[1], -1.0f * tanhf(logf(1.0f + expf(-1.0f)))));
  assert_true(close_f(y[3], tanhf(logf(1.0f + expf(1.0f)))));
}

static void test_param_activations(void **state) {
  (void)state;
  float x[5] = {-2.0f, -0.5f, 0.0f, 0.5f, 2.0f}, y[5];
  spcc_act_params elu = {.n = 5, .alpha = 2.0f};
  spcc_elu_f32(&elu, x, y);
  assert_true(close_f(y[0], 2.0f * (expf(-2.0f) - 1.0f)) && y[2] == 0.0f && y[4] == 2.0f);
  spcc_act_params selu = {.n = 5, .alpha = 2.0f, .beta = 3.0f};
  spcc_selu_f32(&selu, x, y);
  assert_true(close_f(y[1], 3.0f * 2.0f * (expf(-0.5f) - 1.0f)) && y[4] == 6.0f);
  spcc_act_params celu = {.n = 5, .alpha = 2.0f};
  spcc_celu_f32(&celu, x, y);
  assert_true(close_f(y[0], 2.0f * (expf(-1.0f) - 1.0f)) && y[3] == 0.5f);
  spcc_act_params hs = {.n = 5, .alpha = 0.5f, .beta = 0.6f};
  spcc_hard_sigmoid_f32(&hs, x, y);
  assert_true(y[0] == 0.0f && close_f(y[1], 0.35f) && y[4] == 1.0f);
  spcc_act_params tr = {.n = 5, .alpha = 0.5f};
  spcc_thresholded_relu_f32(&tr, x, y);
  assert_true(y[0] == 0.0f && y[3] == 0.0f && y[4] == 2.0f); /* strictly greater */
  spcc_act_params sh = {.n = 5, .alpha = 1.5f, .beta = 1.5f};
  spcc_shrink_f32(&sh, x, y);
  assert_true(y[0] == -0.5f && y[1] == 0.0f && y[3] == 0.0f && y[4] == 0.5f);
  double xd[2] = {-1.0, 1.0}, yd[2];
  spcc_act_params e64 = {.n = 2, .alpha = 1.0f};
  spcc_elu_f64(&e64, xd, yd);
  assert_true(fabs(yd[0] - expm1(-1.0)) < 1e-15 && yd[1] == 1.0);
}

static void test_predicates(void **state) {
  (void)state;
  float x[5] = {INFINITY, -INFINITY, NAN, 0.0f, FLT_MAX};
  uint8_t y[5];
  spcc_is_inf_params both = {.n = 5, .detect_positive = 1, .detect_negative = 1};
  spcc_is_inf_f32(&both, x, y);
  assert_true(y[0] == 1 && y[1] == 1 && y[2] == 0 && y[3] == 0 && y[4] == 0);
  spcc_is_inf_params neg = {.n = 5, .detect_positive = 0, .detect_negative = 1};
  spcc_is_inf_f32(&neg, x, y);
  assert_true(y[0] == 0 && y[1] == 1);
  spcc_is_nan_f32(5, x, y);
  assert_true(y[0] == 0 && y[2] == 1 && y[3] == 0);
  uint8_t b[3] = {0, 1, 0}, nb[3];
  spcc_not_bool(3, b, nb);
  assert_true(nb[0] == 1 && nb[1] == 0 && nb[2] == 1);
}

/* [2,3] x with a per-row slope: outer dim strided, inner dim broadcast. */
static void test_prelu_kernel(void **state) {
  (void)state;
  float x[6] = {-1, 2, -3, -4, 5, -6}, s[2] = {0.5f, 0.25f}, y[6];
  spcc_prelu_params p = {.rank = 2, .dims = {2, 3}, .slope_strides = {1, 0}};
  spcc_prelu_f32(&p, x, s, y);
  float want[6] = {-0.5f, 2, -1.5f, -1, 5, -1.5f};
  for (int i = 0; i < 6; i++) assert_true(y[i] == want[i]);
  spcc_prelu_params p0 = {.rank = 0};
  spcc_prelu_f32(&p0, x, s, y);
  assert_true(y[0] == -0.5f);
}

/* ---- shape rules and evaluators on graphs ---------------------------------------- */

/* Opset 16: slope [4] broadcasts along the last axis of [2,3,4]. */
static void test_eval_prelu_numpy(void **state) {
  op_fixture *f = *state;
  int64_t dx[3] = {2, 3, 4}, ds[1] = {4};
  int in[2] = {fx_value(f, SPCC_DT_F32, 3, dx), fx_value(f, SPCC_DT_F32, 1, ds)};
  spcc_node *n = fx_node(f, SPCC_OP_PRELU, 2, in, 16);
  assert_true(spcc_shape_prelu(f->g, n, &f->d));
  float x[24], s[4] = {1, 2, 3, 4}, y[24];
  for (int i = 0; i < 24; i++) x[i] = (float)(i % 2 ? i : -i);
  const void *ins[2] = {x, s};
  void *outs[1] = {y};
  assert_true(spcc_eval_prelu(f->g, n, ins, outs, &f->d));
  for (int i = 0; i < 24; i++) assert_true(y[i] == (x[i] < 0 ? s[i % 4] * x[i] : x[i]));
}

/* Opset 6: slope [3] is per channel of [2,3,2]; a slope larger than X is an
 * error that is not "unsupported". */
static void test_eval_prelu_legacy(void **state) {
  op_fixture *f = *state;
  int64_t dx[3] = {2, 3, 2}, ds[1] = {3}, dbig[2] = {3, 3};
  int in[2] = {fx_value(f, SPCC_DT_F64, 3, dx), fx_value(f, SPCC_DT_F64, 1, ds)};
  spcc_node *n = fx_node(f, SPCC_OP_PRELU, 2, in, 6);
  assert_true(spcc_shape_prelu(f->g, n, &f->d));
  double x[12], s[3] = {0.5, 0.25, 0.125}, y[12];
  for (int i = 0; i < 12; i++) x[i] = -(double)i;
  const void *ins[2] = {x, s};
  void *outs[1] = {y};
  assert_true(spcc_eval_prelu(f->g, n, ins, outs, &f->d));
  for (int i = 0; i < 12; i++) assert_true(y[i] == s[(i / 2) % 3] * x[i]);

  int bad[2] = {in[0], fx_value(f, SPCC_DT_F64, 2, dbig)};
  assert_false(spcc_shape_prelu(f->g, fx_node(f, SPCC_OP_PRELU, 2, bad, 16), &f->d));
  assert_non_null(strstr(f->d.first_error, "shape mismatch"));
  assert_null(strstr(f->d.first_error, "unsupported"));
}

static void test_shape_types(void **state) {
  op_fixture *f = *state;
  int64_t dx[2] = {2, 2};
  int i32 = fx_value(f, SPCC_DT_I32, 2, dx), f32 = fx_value(f, SPCC_DT_F32, 2, dx);
  int u8 = fx_value(f, SPCC_DT_U8, 2, dx);
  assert_false(spcc_shape_exp(f->g, fx_node(f, SPCC_OP_EXP, 1, &i32, 13), &f->d));
  assert_non_null(strstr(f->d.first_error, "unsupported element type i32"));
  assert_true(spcc_shape_abs(f->g, fx_node(f, SPCC_OP_ABS, 1, &u8, 13), &f->d));
  spcc_diag_init(&f->d, NULL);
  assert_false(spcc_shape_neg(f->g, fx_node(f, SPCC_OP_NEG, 1, &u8, 13), &f->d));
  assert_non_null(strstr(f->d.first_error, "unsupported element type u8"));
  spcc_node *n = fx_node(f, SPCC_OP_IS_INF, 1, &f32, 10);
  assert_true(spcc_shape_is_inf(f->g, n, &f->d));
  assert_int_equal(f->g->values[n->out[0]].type.dtype, SPCC_DT_BOOL);
  assert_false(spcc_shape_not(f->g, fx_node(f, SPCC_OP_NOT, 1, &f32, 1), &f->d));
}

/* Selu with no attributes uses the ONNX default alpha and gamma. */
static void test_eval_selu_default(void **state) {
  op_fixture *f = *state;
  int64_t dx[1] = {2};
  int x = fx_value(f, SPCC_DT_F32, 1, dx);
  spcc_node *n = fx_node(f, SPCC_OP_SELU, 1, &x, 6);
  assert_true(spcc_shape_selu(f->g, n, &f->d));
  float xv[2] = {-1.0f, 1.0f}, y[2];
  const void *ins[1] = {xv};
  void *outs[1] = {y};
  assert_true(spcc_eval_selu(f->g, n, ins, outs, &f->d));
  assert_true(close_f(y[0], 1.0507010f * 1.6732632f * (expf(-1.0f) - 1.0f)));
  assert_true(close_f(y[1], 1.0507010f));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_half_even),
      cmocka_unit_test(test_math_odd_size),
      cmocka_unit_test(test_sign_abs_neg),
      cmocka_unit_test(test_smooth_activations),
      cmocka_unit_test(test_param_activations),
      cmocka_unit_test(test_predicates),
      cmocka_unit_test(test_prelu_kernel),
      cmocka_unit_test_setup_teardown(test_eval_prelu_numpy, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_eval_prelu_legacy, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_shape_types, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_eval_selu_default, fx_setup, fx_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
