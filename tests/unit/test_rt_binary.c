/* test_rt_binary.c - the binary family: Pow, Mod, BitShift, Min/Max/Sum/Mean,
 * comparisons, logic and Where. Kernels run on hand-computed cases (odd
 * sizes, broadcast layouts, integer edge cases the C standard leaves
 * undefined, NaN), and the shape rules + evaluators run on small graphs,
 * which checks the variadic chain, 3-way broadcasting and the layout
 * collapse of backend/c/binary.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "support/op_fixture.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "backend/c/ops.h"
#include "passes/passes.h"
#include "spcc/spcc_rt.h"

static const spcc_binary_params flat3 = {.rank = 1, .dims = {3}, .a_strides = {1}, .b_strides = {1}};

/* ---- kernels with hand-made params --------------------------------------- */

static void test_pow_kernels(void **state) {
  (void)state;
  float xf[3] = {2.0f, -3.0f, 4.0f}, yf[3];
  int64_t e64[3] = {3, 2, -1};
  spcc_pow_f32_i64(&flat3, xf, e64, yf);
  assert_true(yf[0] == 8.0f && yf[1] == 9.0f && yf[2] == 0.25f);
  float ef[3] = {0.5f, 2.0f, 0.5f};
  spcc_pow_f32_f32(&flat3, xf, ef, yf);
  assert_true(fabsf(yf[0] - 1.41421356f) < 1e-6f && yf[1] == 9.0f && yf[2] == 2.0f);

  /* integer ** integer wraps; negative exponents truncate 1/x^n */
  int32_t xi[5] = {3, 2, -1, 5, 1}, ei[5] = {4, 33, -3, -2, -7}, yi[5];
  spcc_binary_params p5 = {.rank = 1, .dims = {5}, .a_strides = {1}, .b_strides = {1}};
  spcc_pow_i32_i32(&p5, xi, ei, yi);
  assert_int_equal(yi[0], 81);
  assert_int_equal(yi[1], 0); /* 2^33 mod 2^32 */
  assert_int_equal(yi[2], -1);
  assert_int_equal(yi[3], 0);
  assert_int_equal(yi[4], 1);

  /* integer base, float exponent: truncated, saturating, NaN -> 0 */
  int64_t xl[3] = {3, 10, -4}, yl[3];
  float fl[3] = {0.5f, 30.0f, 0.5f};
  spcc_pow_i64_f32(&flat3, xl, fl, yl);
  assert_true(yl[0] == 1 && yl[1] == INT64_MAX && yl[2] == 0);
}

static void test_mod_kernels(void **state) {
  (void)state;
  spcc_binary_params p6 = {.rank = 1, .dims = {6}, .a_strides = {1}, .b_strides = {1}};
  int32_t x[6] = {-4, 7, 5, 4, -7, INT32_MIN}, y[6] = {7, -3, 8, -2, 3, -1}, r[6];
  spcc_mod_i32(&p6, x, y, r); /* sign of the divisor */
  int32_t want_mod[6] = {3, -2, 5, 0, 2, 0};
  for (int i = 0; i < 6; i++) assert_int_equal(r[i], want_mod[i]);
  spcc_fmod_i32(&p6, x, y, r); /* sign of the dividend */
  int32_t want_fmod[6] = {-4, 1, 5, 0, -1, 0};
  for (int i = 0; i < 6; i++) assert_int_equal(r[i], want_fmod[i]);

  int8_t x8[3] = {-128, 9, 5}, y8[3] = {-1, 0, -3}, r8[3];
  spcc_mod_i8(&flat3, x8, y8, r8);
  assert_true(r8[0] == 0 && r8[1] == 0 && r8[2] == -1);

  double xd[3] = {-4.5, 7.5, 5.0}, yd[3] = {2.0, -2.0, 2.5}, rd[3];
  spcc_fmod_f64(&flat3, xd, yd, rd);
  assert_true(rd[0] == -0.5 && rd[1] == 1.5 && rd[2] == 0.0);
  spcc_mod_f64(&flat3, xd, yd, rd);
  assert_true(rd[0] == 1.5 && rd[1] == -0.5 && rd[2] == 0.0);

  uint16_t xu[3] = {7, 65535, 3}, yu[3] = {0, 256, 5}, ru[3];
  spcc_mod_u16(&flat3, xu, yu, ru);
  assert_true(ru[0] == 0 && ru[1] == 255 && ru[2] == 3);
}

static void test_shift_kernels(void **state) {
  (void)state;
  uint8_t x[3] = {16, 255, 1}, s[3] = {1, 8, 7}, y[3];
  spcc_shl_u8(&flat3, x, s, y);
  assert_true(y[0] == 32 && y[1] == 0 && y[2] == 128);
  spcc_shr_u8(&flat3, x, s, y);
  assert_true(y[0] == 8 && y[1] == 0 && y[2] == 0);
  uint64_t x64[3] = {1, 1, UINT64_MAX}, s64[3] = {63, 64, 60}, y64[3];
  spcc_shl_u64(&flat3, x64, s64, y64);
  assert_true(y64[0] == (uint64_t)1 << 63 && y64[1] == 0 && y64[2] == (uint64_t)0xF << 60);
}

/* [2,1,3] max [1,4,1] -> [2,4,3], then accumulate a scalar and a [3] row. */
static void test_minmax_acc(void **state) {
  (void)state;
  float a[6] = {1, 5, 9, -1, NAN, 2}, b[4] = {0, 4, 8, 12}, y[24];
  spcc_binary_params p = {
      .rank = 3, .dims = {2, 4, 3}, .a_strides = {3, 0, 1}, .b_strides = {0, 1, 0}};
  spcc_max_f32(&p, a, b, y);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 4; j++)
      for (int k = 0; k < 3; k++) {
        float av = a[i * 3 + k], want = av > b[j] ? av : b[j];
        float got = y[(i * 4 + j) * 3 + k];
        if (isnan(av))
          assert_true(isnan(got));
        else
          assert_true(got == want);
      }
  float row[3] = {100, -100, 3};
  spcc_binary_params pr = {.rank = 2, .dims = {8, 3}, .a_strides = {3, 1}, .b_strides = {0, 1}};
  spcc_min_acc_f32(&pr, row, y);
  assert_true(y[1] == -100 && y[0] == 1 && y[2] == 3 && isnan(y[13]));
  spcc_binary_params ps = {.rank = 1, .dims = {24}, .a_strides = {1}, .b_strides = {0}};
  float ten = 10;
  spcc_sum_acc_f32(&ps, &ten, y);
  assert_true(y[0] == 11 && y[1] == -90);

  int8_t ia[3] = {127, -128, 5}, ib[3] = {1, -1, 5};
  spcc_sum_acc_i8(&flat3, ib, ia); /* wraps */
  assert_true(ia[0] == -128 && ia[1] == 127 && ia[2] == 10);
  double m[3] = {3, 6, 9};
  spcc_mean_finish_f64(3, 3, m);
  assert_true(m[0] == 1 && m[1] == 2 && m[2] == 3);
}

static void test_compare_logic(void **state) {
  (void)state;
  float a[5] = {1, 2, NAN, 4, 5}, s = 2;
  uint8_t y[5];
  spcc_binary_params ps = {.rank = 1, .dims = {5}, .a_strides = {1}, .b_strides = {0}};
  spcc_less_f32(&ps, a, &s, y);
  assert_true(y[0] == 1 && y[1] == 0 && y[2] == 0 && y[3] == 0);
  spcc_greater_equal_f32(&ps, a, &s, y);
  assert_true(y[0] == 0 && y[1] == 1 && y[2] == 0 && y[4] == 1);
  spcc_equal_f32(&ps, a, &s, y);
  assert_true(y[1] == 1 && y[2] == 0);
  uint64_t u[3] = {0, UINT64_MAX, 7}, v[3] = {1, 0, 7};
  spcc_less_equal_u64(&flat3, u, v, y);
  assert_true(y[0] == 1 && y[1] == 0 && y[2] == 1);

  uint8_t p[4] = {0, 0, 1, 1}, q[4] = {0, 1, 0, 2}, r[4];
  spcc_binary_params p4 = {.rank = 1, .dims = {4}, .a_strides = {1}, .b_strides = {1}};
  spcc_and_bool(&p4, p, q, r);
  assert_true(r[0] == 0 && r[1] == 0 && r[2] == 0 && r[3] == 1);
  spcc_or_bool(&p4, p, q, r);
  assert_true(r[0] == 0 && r[1] == 1 && r[2] == 1 && r[3] == 1);
  spcc_xor_bool(&p4, p, q, r);
  assert_true(r[0] == 0 && r[1] == 1 && r[2] == 1 && r[3] == 0);
  spcc_equal_bool(&p4, p, q, r);
  assert_true(r[0] == 1 && r[1] == 0 && r[2] == 0 && r[3] == 1);
}

/* ---- shape rules and evaluators on graphs ------------------------------------ */

/* Mean of [2,1], [3] and a scalar -> [2,3]: first pair, accumulate, divide. */
static void test_eval_mean_three(void **state) {
  op_fixture *f = *state;
  int64_t d0[2] = {2, 1}, d1[1] = {3};
  int in[3] = {fx_value(f, SPCC_DT_F32, 2, d0), fx_value(f, SPCC_DT_F32, 1, d1),
               fx_value(f, SPCC_DT_F32, 0, NULL)};
  spcc_node *n = fx_node(f, SPCC_OP_MEAN, 3, in, 13);
  assert_true(spcc_shape_mean(f->g, n, &f->d));
  const spcc_type *t = fx_out_type(f, n);
  assert_true(t->rank == 2 && t->dims[0] == 2 && t->dims[1] == 3);
  float a[2] = {3, 30}, b[3] = {0, 3, 6}, c = 6, y[6];
  const void *ins[3] = {a, b, &c};
  void *outs[1] = {y};
  assert_true(spcc_eval_mean(f->g, n, ins, outs, &f->d));
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 3; j++) assert_true(y[i * 3 + j] == (a[i] + b[j] + c) / 3.0f);

  /* one input: a copy; Max over four int64 inputs */
  spcc_node *one = fx_node(f, SPCC_OP_SUM, 1, in, 13);
  assert_true(spcc_shape_sum(f->g, one, &f->d));
  void *outs1[1] = {y};
  assert_true(spcc_eval_sum(f->g, one, ins, outs1, &f->d));
  assert_true(y[0] == 3 && y[1] == 30);

  int64_t d4[1] = {4};
  int iv[4] = {fx_value(f, SPCC_DT_I64, 1, d4), fx_value(f, SPCC_DT_I64, 1, d4),
               fx_value(f, SPCC_DT_I64, 0, NULL), fx_value(f, SPCC_DT_I64, 1, d4)};
  spcc_node *mx = fx_node(f, SPCC_OP_MAX, 4, iv, 13);
  assert_true(spcc_shape_max(f->g, mx, &f->d));
  int64_t v0[4] = {1, 9, -5, 0}, v1[4] = {2, 3, -7, 0}, v2 = -1, v3[4] = {0, 0, -9, 8}, yv[4];
  const void *iins[4] = {v0, v1, &v2, v3};
  void *iouts[1] = {yv};
  assert_true(spcc_eval_max(f->g, mx, iins, iouts, &f->d));
  assert_true(yv[0] == 2 && yv[1] == 9 && yv[2] == -1 && yv[3] == 8);
}

/* Where with [2,1] condition, [3] x and scalar y -> [2,3]. */
static void test_eval_where(void **state) {
  op_fixture *f = *state;
  int64_t dc[2] = {2, 1}, dx[1] = {3};
  int in[3] = {fx_value(f, SPCC_DT_BOOL, 2, dc), fx_value(f, SPCC_DT_I32, 1, dx),
               fx_value(f, SPCC_DT_I32, 0, NULL)};
  spcc_node *n = fx_node(f, SPCC_OP_WHERE, 3, in, 16);
  assert_true(spcc_shape_where(f->g, n, &f->d));
  assert_int_equal(fx_out_type(f, n)->dtype, SPCC_DT_I32);
  uint8_t c[2] = {1, 0};
  int32_t x[3] = {1, 2, 3}, yv = -1, out[6];
  const void *ins[3] = {c, x, &yv};
  void *outs[1] = {out};
  assert_true(spcc_eval_where(f->g, n, ins, outs, &f->d));
  int32_t want[6] = {1, 2, 3, -1, -1, -1};
  for (int i = 0; i < 6; i++) assert_int_equal(out[i], want[i]);

  /* a float condition is an error */
  int bad[3] = {in[1], in[1], in[1]};
  assert_false(spcc_shape_where(f->g, fx_node(f, SPCC_OP_WHERE, 3, bad, 16), &f->d));
}

/* Pow with mixed types, comparisons with bool output, opset 1 broadcast. */
static void test_eval_pow_compare(void **state) {
  op_fixture *f = *state;
  int64_t d3[1] = {3}, d23[2] = {2, 3};
  int in[2] = {fx_value(f, SPCC_DT_F32, 2, d23), fx_value(f, SPCC_DT_I64, 1, d3)};
  spcc_node *n = fx_node(f, SPCC_OP_POW, 2, in, 15);
  assert_true(spcc_shape_pow(f->g, n, &f->d));
  assert_int_equal(fx_out_type(f, n)->dtype, SPCC_DT_F32);
  float x[6] = {1, 2, 3, 4, 5, 6}, y[6];
  int64_t e[3] = {0, 1, 2};
  const void *ins[2] = {x, e};
  void *outs[1] = {y};
  assert_true(spcc_eval_pow(f->g, n, ins, outs, &f->d));
  assert_true(y[0] == 1 && y[1] == 2 && y[2] == 9 && y[3] == 1 && y[4] == 5 && y[5] == 36);

  /* Greater-1 with broadcast=1, axis=0: b [2] against a [2,3] */
  int64_t d2[1] = {2};
  int cin[2] = {fx_value(f, SPCC_DT_F32, 2, d23), fx_value(f, SPCC_DT_F32, 1, d2)};
  spcc_node *g1 = fx_node(f, SPCC_OP_GREATER, 2, cin, 1);
  spcc_node_set_int(f->g, (int)(g1 - f->g->nodes), "broadcast", 1);
  spcc_node_set_int(f->g, (int)(g1 - f->g->nodes), "axis", 0);
  assert_true(spcc_shape_greater(f->g, g1, &f->d));
  assert_int_equal(fx_out_type(f, g1)->dtype, SPCC_DT_BOOL);
  float b[2] = {2, 5};
  uint8_t r[6];
  const void *cins[2] = {x, b};
  void *couts[1] = {r};
  assert_true(spcc_eval_greater(f->g, g1, cins, couts, &f->d));
  uint8_t want[6] = {0, 0, 1, 0, 0, 1};
  for (int i = 0; i < 6; i++) assert_int_equal(r[i], want[i]);

  /* BitShift: direction must be LEFT or RIGHT; signed types unsupported */
  int u[2] = {fx_value(f, SPCC_DT_U8, 1, d3), fx_value(f, SPCC_DT_U8, 1, d3)};
  spcc_node *bs = fx_node(f, SPCC_OP_BIT_SHIFT, 2, u, 11);
  spcc_node_set_string(f->g, (int)(bs - f->g->nodes), "direction", "UP");
  assert_false(spcc_shape_bit_shift(f->g, bs, &f->d));
  int s[2] = {fx_value(f, SPCC_DT_I8, 1, d3), fx_value(f, SPCC_DT_I8, 1, d3)};
  spcc_node *bs2 = fx_node(f, SPCC_OP_BIT_SHIFT, 2, s, 11);
  spcc_node_set_string(f->g, (int)(bs2 - f->g->nodes), "direction", "LEFT");
  assert_false(spcc_shape_bit_shift(f->g, bs2, &f->d));
  assert_non_null(strstr(f->d.first_error, "unsupported"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pow_kernels),
      cmocka_unit_test(test_mod_kernels),
      cmocka_unit_test(test_shift_kernels),
      cmocka_unit_test(test_minmax_acc),
      cmocka_unit_test(test_compare_logic),
      cmocka_unit_test_setup_teardown(test_eval_mean_three, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_eval_where, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_eval_pow_compare, fx_setup, fx_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
