/* test_rt_reduce.c - the reduction, arg-reduce, LogSoftmax / Hardmax and
 * normalization kernels on hand-computed cases: reductions over leading,
 * middle, trailing and non-adjacent axes, every op, integer wraparound,
 * empty reductions, ArgMax ties and select_last_index, and each norm. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "spcc/spcc_rt.h"

static void assert_close(const float *got, const float *want, int n, float tol) {
  for (int i = 0; i < n; i++) {
    if (!(fabsf(got[i] - want[i]) <= tol * (1.0f + fabsf(want[i])))) {
      print_error("element %d: got %.9g want %.9g\n", i, (double)got[i], (double)want[i]);
      fail();
    }
  }
}

/* x = [2,3] = {1,2,3, 4,5,6} */
static const float x23[] = {1, 2, 3, 4, 5, 6};

static void test_reduce_trailing_and_leading(void **state) {
  (void)state;
  float y[3];
  /* over axis 1: kept [2] stride 3, reduced [3] stride 1 */
  spcc_reduce_params p = {.op = SPCC_REDUCE_SUM, .keep_rank = 1, .keep_dims = {2},
                          .keep_strides = {3}, .red_rank = 1, .red_dims = {3},
                          .red_strides = {1}};
  spcc_reduce_f32(&p, x23, y);
  assert_close(y, (const float[]){6, 15}, 2, 1e-6f);
  /* over axis 0: kept [3] stride 1, reduced [2] stride 3 */
  p = (spcc_reduce_params){.op = SPCC_REDUCE_MAX, .keep_rank = 1, .keep_dims = {3},
                           .keep_strides = {1}, .red_rank = 1, .red_dims = {2},
                           .red_strides = {3}};
  spcc_reduce_f32(&p, x23, y);
  assert_close(y, (const float[]){4, 5, 6}, 3, 1e-6f);
  p.op = SPCC_REDUCE_MIN;
  spcc_reduce_f32(&p, x23, y);
  assert_close(y, (const float[]){1, 2, 3}, 3, 1e-6f);
  p.op = SPCC_REDUCE_PROD;
  spcc_reduce_f32(&p, x23, y);
  assert_close(y, (const float[]){4, 10, 18}, 3, 1e-6f);
  p.op = SPCC_REDUCE_MEAN;
  spcc_reduce_f32(&p, x23, y);
  assert_close(y, (const float[]){2.5f, 3.5f, 4.5f}, 3, 1e-6f);
}

static void test_reduce_all_ops_full(void **state) {
  (void)state;
  const float x[] = {-1, 2, -3, 0.5f};
  const spcc_reduce_params base = {.keep_rank = 0, .red_rank = 1, .red_dims = {4},
                                   .red_strides = {1}};
  struct { int64_t op; float want; } cases[] = {
      {SPCC_REDUCE_SUM, -1.5f},
      {SPCC_REDUCE_L1, 6.5f},
      {SPCC_REDUCE_SUM_SQUARE, 14.25f},
      {SPCC_REDUCE_L2, 3.774917f},
      {SPCC_REDUCE_PROD, 3.0f},
      {SPCC_REDUCE_LOG_SUM_EXP, 2.2465906f}, /* log(e^-1 + e^2 + e^-3 + e^0.5) */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    spcc_reduce_params p = base;
    p.op = cases[i].op;
    float y;
    spcc_reduce_f32(&p, x, &y);
    assert_close(&y, &cases[i].want, 1, 1e-5f);
  }
  /* LogSum of positive values; LogSumExp of huge values does not overflow */
  const double big[] = {1000, 1000};
  spcc_reduce_params p = base;
  p.red_dims[0] = 2;
  p.op = SPCC_REDUCE_LOG_SUM_EXP;
  double yd;
  spcc_reduce_f64(&p, big, &yd);
  assert_true(fabs(yd - (1000.0 + log(2.0))) < 1e-9);
  p.op = SPCC_REDUCE_LOG_SUM;
  const double two[] = {1, 2};
  spcc_reduce_f64(&p, two, &yd);
  assert_true(fabs(yd - log(3.0)) < 1e-12);
}

static void test_reduce_non_adjacent_axes(void **state) {
  (void)state;
  /* x [2,2,2] = 0..7, reduce axes 0 and 2: out [2] (axis 1) */
  const float x[] = {0, 1, 2, 3, 4, 5, 6, 7};
  const spcc_reduce_params p = {.op = SPCC_REDUCE_SUM, .keep_rank = 1, .keep_dims = {2},
                                .keep_strides = {2}, .red_rank = 2, .red_dims = {2, 2},
                                .red_strides = {4, 1}};
  float y[2];
  spcc_reduce_f32(&p, x, y);
  assert_close(y, (const float[]){0 + 1 + 4 + 5, 2 + 3 + 6 + 7}, 2, 1e-6f);
}

static void test_reduce_int_and_empty(void **state) {
  (void)state;
  const int32_t x[] = {INT32_MAX, 1, -7, 2};
  spcc_reduce_params p = {.op = SPCC_REDUCE_SUM, .red_rank = 1, .red_dims = {2},
                          .red_strides = {1}, .keep_rank = 1, .keep_dims = {2},
                          .keep_strides = {2}};
  int32_t y[2];
  spcc_reduce_i32(&p, x, y);
  assert_int_equal(y[0], INT32_MIN); /* wraps */
  assert_int_equal(y[1], -5);
  p.op = SPCC_REDUCE_MEAN;
  spcc_reduce_i32(&p, x, y);
  assert_int_equal(y[1], -2); /* truncates toward zero */
  p.op = SPCC_REDUCE_L1;
  spcc_reduce_i32(&p, x, y);
  assert_int_equal(y[1], 9);
  /* a reduced axis of size 0: the identity */
  p = (spcc_reduce_params){.op = SPCC_REDUCE_PROD, .keep_rank = 1, .keep_dims = {2},
                           .keep_strides = {0}, .red_rank = 1, .red_dims = {0},
                           .red_strides = {1}};
  spcc_reduce_i32(&p, x, y);
  assert_int_equal(y[0], 1);
  p.op = SPCC_REDUCE_MAX;
  spcc_reduce_i32(&p, x, y);
  assert_int_equal(y[0], INT32_MIN);
}

static void test_arg_reduce(void **state) {
  (void)state;
  /* [2,3]: {1,3,3, 5,0,0} along axis 1 */
  const float x[] = {1, 3, 3, 5, 0, 0};
  spcc_arg_reduce_params p = {.outer = 2, .len = 3, .inner = 1};
  int64_t y[3];
  spcc_arg_reduce_f32(&p, x, y);
  assert_int_equal(y[0], 1);
  assert_int_equal(y[1], 0);
  p.select_last = 1;
  spcc_arg_reduce_f32(&p, x, y);
  assert_int_equal(y[0], 2);
  p.is_min = 1;
  spcc_arg_reduce_f32(&p, x, y);
  assert_int_equal(y[0], 0);
  assert_int_equal(y[1], 2);
  /* along axis 0 (strided): outer 1, len 2, inner 3 */
  const int64_t xi[] = {1, 3, 3, 5, 0, 3};
  p = (spcc_arg_reduce_params){.outer = 1, .len = 2, .inner = 3};
  spcc_arg_reduce_i64(&p, xi, y);
  assert_int_equal(y[0], 1);
  assert_int_equal(y[1], 0);
  assert_int_equal(y[2], 0);
}

static void test_log_softmax_hardmax(void **state) {
  (void)state;
  const float x[] = {1, 2, 3, 1000, 1000, 999};
  const spcc_axis_params p = {.outer = 2, .len = 3, .inner = 1};
  float y[6];
  spcc_log_softmax_f32(&p, x, y);
  const float l = (float)log(exp(-2.0) + exp(-1.0) + 1.0);
  const float l2 = (float)log(2.0 + exp(-1.0));
  assert_close(y, (const float[]){-2 - l, -1 - l, -l, -l2, -l2, -1 - l2}, 6, 1e-5f);
  spcc_hardmax_f32(&p, x, y);
  assert_close(y, (const float[]){0, 0, 1, 1, 0, 0}, 6, 0);
  /* strided axis: [3,2] along axis 0 */
  const spcc_axis_params q = {.outer = 1, .len = 3, .inner = 2};
  spcc_hardmax_f32(&q, x, y);
  assert_close(y, (const float[]){0, 0, 0, 1, 1, 0}, 6, 0);
}

static void test_layer_norm(void **state) {
  (void)state;
  const float x[] = {1, 2, 3, 4, 10, 10, 10, 10};
  const float scale[] = {1, 2, 1, 2}, bias[] = {0.5f};
  const spcc_layer_norm_params p = {.outer = 2, .len = 4, .scale_len = 4, .bias_len = 1,
                                    .epsilon = 0};
  float y[8], mean[2], inv[2];
  spcc_layer_norm_f32(&p, x, scale, bias, y, mean, inv);
  const float s = 1.0f / sqrtf(1.25f);
  assert_close(y, (const float[]){-1.5f * s + 0.5f, -1.0f * s + 0.5f, 0.5f * s + 0.5f,
                                  3.0f * s + 0.5f},
               4, 1e-5f);
  assert_close(mean, (const float[]){2.5f, 10}, 2, 1e-6f);
  assert_close(inv, &s, 1, 1e-6f);
  /* no bias, no statistics outputs; a constant row with epsilon */
  const spcc_layer_norm_params q = {.outer = 1, .len = 4, .scale_len = 1, .epsilon = 1e-5};
  spcc_layer_norm_f32(&q, x + 4, scale, NULL, y, NULL, NULL);
  assert_close(y, (const float[]){0, 0, 0, 0}, 4, 1e-6f);
}

static void test_instance_norm_lrn_mvn(void **state) {
  (void)state;
  /* [1,2,2]: channel 0 {1,3}, channel 1 {2,2} */
  const float x[] = {1, 3, 2, 2};
  const float scale[] = {2, 1}, bias[] = {0, 1};
  const spcc_instance_norm_params p = {.batch = 1, .channels = 2, .inner = 2, .epsilon = 1e-6};
  float y[4];
  spcc_instance_norm_f32(&p, x, scale, bias, y);
  assert_close(y, (const float[]){-2, 2, 1, 1}, 4, 1e-5f);
  /* LRN, size 3 over channels of [1,3,1]: x = {1,2,3} */
  const float xl[] = {1, 2, 3};
  const spcc_lrn_params l = {.batch = 1, .channels = 3, .inner = 1, .size = 3,
                             .alpha = 3, .beta = 1, .bias = 1};
  spcc_lrn_f32(&l, xl, y);
  assert_close(y, (const float[]){1.0f / 6, 2.0f / 15, 3.0f / 14}, 3, 1e-6f);
  /* MVN over axis 1 of [2,2] */
  const float xm[] = {1, 3, 5, 5};
  const spcc_reduce_params m = {.keep_rank = 1, .keep_dims = {2}, .keep_strides = {2},
                                .red_rank = 1, .red_dims = {2}, .red_strides = {1}};
  spcc_mvn_f32(&m, xm, y);
  assert_close(y, (const float[]){-1, 1, 0, 0}, 4, 1e-6f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reduce_trailing_and_leading),
      cmocka_unit_test(test_reduce_all_ops_full),
      cmocka_unit_test(test_reduce_non_adjacent_axes),
      cmocka_unit_test(test_reduce_int_and_empty),
      cmocka_unit_test(test_arg_reduce),
      cmocka_unit_test(test_log_softmax_hardmax),
      cmocka_unit_test(test_layer_norm),
      cmocka_unit_test(test_instance_norm_lrn_mvn),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
