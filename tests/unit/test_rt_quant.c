/* test_rt_quant.c - QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear,
 * MatMulInteger, QLinearMatMul, ConvInteger and QLinearConv kernels on
 * hand-computed cases (round half to even, saturation, NaN, per-axis
 * scales, zero points per row / column / channel, broadcast batches,
 * padding), and the shape rules through small graphs. */
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

static void test_quantize_round_saturate(void **state) {
  (void)state;
  spcc_quant_params p = {.outer = 8, .channels = 1, .inner = 1};
  const float x[] = {0, 1, 3, 5, -1000, 1000, -3, NAN}, s[] = {2};
  const uint8_t z[] = {128};
  uint8_t y[8];
  spcc_quantize_linear_f32_u8(&p, x, s, z, y);
  const uint8_t want[] = {128, 128, 130, 130, 0, 255, 126, 128};
  assert_memory_equal(y, want, 8);
  /* No zero point: uint8 around 0. */
  spcc_quantize_linear_f32_u8(&p, x, s, NULL, y);
  assert_true(y[0] == 0 && y[2] == 2 && y[4] == 0 && y[5] == 255);
}

static void test_quantize_per_axis_i8(void **state) {
  (void)state;
  spcc_quant_params p = {.outer = 2, .channels = 2, .inner = 1};
  const float x[] = {1, 4, 300, -300}, s[] = {1, 2};
  const int8_t z[] = {0, -1};
  int8_t y[4];
  spcc_quantize_linear_f32_i8(&p, x, s, z, y);
  const int8_t want[] = {1, 1, 127, -128};
  assert_memory_equal(y, want, 4);
  const int32_t xi[] = {5, 7, -5, 9};
  spcc_quantize_linear_i32_i8(&p, xi, s, z, y);
  const int8_t want_i[] = {5, 3, -5, 3}; /* 7/2 = 3.5 -> 4 - 1; 9/2 = 4.5 -> 4 - 1 */
  assert_memory_equal(y, want_i, 4);
}

static void test_dequantize(void **state) {
  (void)state;
  spcc_quant_params p = {.outer = 1, .channels = 2, .inner = 2};
  const uint8_t x[] = {0, 3, 128, 255}, z[] = {1, 128};
  const float s[] = {0.5f, 2};
  float y[4];
  spcc_dequantize_linear_u8(&p, x, s, z, y);
  assert_true(y[0] == -0.5f && y[1] == 1 && y[2] == 0 && y[3] == 254);
  spcc_quant_params q = {.outer = 2, .channels = 1, .inner = 1};
  const int32_t xi[] = {INT32_MIN, INT32_MAX}, zi[] = {1};
  spcc_dequantize_linear_i32(&q, xi, s, zi, y);
  assert_true(y[0] == -0.5f * 2147483649.0f && y[1] == 0.5f * 2147483646.0f);
}

static void test_dynamic_quantize(void **state) {
  (void)state;
  const float x[] = {0, 51, 255, 127.4f};
  uint8_t y[4], zp;
  float s;
  spcc_dynamic_quantize_linear_f32(4, x, y, &s, &zp);
  assert_true(s == 1 && zp == 0);
  const uint8_t want[] = {0, 51, 255, 127};
  assert_memory_equal(y, want, 4);
  /* Negative range only: the zero point is at the top. */
  const float xn[] = {-255, -1};
  spcc_dynamic_quantize_linear_f32(2, xn, y, &s, &zp);
  assert_true(s == 1 && zp == 255 && y[0] == 0 && y[1] == 254);
  const float xz[] = {0, 0};
  spcc_dynamic_quantize_linear_f32(2, xz, y, &s, &zp);
  assert_true(s == 0 && zp == 0 && y[0] == 0 && y[1] == 0);
}

static void test_matmul_integer(void **state) {
  (void)state;
  spcc_qmatmul_params p = {.m = 2, .k = 2, .n = 2, .a_zp_count = 1, .b_zp_count = 1,
                           .b_scale_count = 1};
  const uint8_t a[] = {1, 2, 3, 4}, b[] = {5, 6, 7, 8}, az[] = {1}, bz[] = {5};
  int32_t y[4];
  spcc_matmul_integer_u8_u8(&p, a, b, az, bz, y);
  const int32_t want[] = {2, 3, 6, 11};
  assert_memory_equal(y, want, sizeof want);
  /* Per-column B zero points, signed B, A batch of 2 against one B. */
  spcc_qmatmul_params q = {.m = 1, .k = 2, .n = 2, .batch_rank = 1, .out_batch = {2},
                           .a_batch_stride = {2}, .b_batch_stride = {0}, .a_zp_count = 1,
                           .b_zp_count = 2, .b_scale_count = 1};
  const int8_t bs[] = {-1, 2, 3, -4}, bzs[] = {0, -1};
  spcc_matmul_integer_u8_i8(&q, a, bs, NULL, bzs, y);
  /* batch 0: [1,2] x [[-1,3],[3,-3]] = [5, -3]; batch 1: [3,4] -> [9, -3] */
  const int32_t want2[] = {5, -3, 9, -3};
  assert_memory_equal(y, want2, sizeof want2);
}

static void test_qlinear_matmul(void **state) {
  (void)state;
  spcc_qmatmul_params p = {.m = 1, .k = 3, .n = 2, .a_zp_count = 1, .b_zp_count = 1,
                           .b_scale_count = 1};
  const int8_t a[] = {1, 2, 3}, b[] = {1, -1, 1, -1, 1, 100}, yz[] = {10};
  const float as[] = {0.5f}, bs[] = {1}, ys[] = {0.25f};
  int8_t y[2];
  /* acc = [6, 297]; * 0.5 / 0.25 = [12, 594] + 10 -> [22, 127 saturated] */
  spcc_qlinear_matmul_i8_i8(&p, a, as, NULL, b, bs, NULL, ys, yz, y);
  assert_true(y[0] == 22 && y[1] == 127);
}

static void test_conv_integer_padding(void **state) {
  (void)state;
  spcc_qconv_params p = {.conv = {.batch = 1, .in_channels = 1, .out_channels = 1,
                                  .group = 1, .spatial = 2, .in_dims = {3, 3},
                                  .out_dims = {4, 4}, .kernel = {2, 2}, .strides = {1, 1},
                                  .dilations = {1, 1}, .pads = {1, 1}},
                         .w_zp_count = 1, .w_scale_count = 1};
  const uint8_t x[] = {2, 3, 4, 5, 6, 7, 8, 9, 10}, w[] = {1, 1, 1, 1}, xz[] = {1};
  int32_t y[16];
  spcc_conv_integer_u8_u8(&p, x, w, xz, NULL, y);
  const int32_t want[] = {1, 3, 5, 3, 5, 12, 16, 9, 11, 24, 28, 15, 7, 15, 17, 9};
  assert_memory_equal(y, want, sizeof want);
}

/* Direct definition of ConvInteger for one 1-D or 2-D geometry. */
static void conv_integer_ref(const spcc_conv_params *p, const int8_t *x, const uint8_t *w,
                             int xz, const uint8_t *wz, int32_t *y) {
  int64_t S = p->spatial, H = S == 2 ? p->in_dims[0] : 1, W = p->in_dims[S - 1];
  int64_t OH = S == 2 ? p->out_dims[0] : 1, OW = p->out_dims[S - 1];
  int64_t KH = S == 2 ? p->kernel[0] : 1, KW = p->kernel[S - 1];
  int64_t cg = p->in_channels / p->group, mg = p->out_channels / p->group;
  for (int64_t m = 0; m < p->out_channels; m++)
    for (int64_t oh = 0; oh < OH; oh++)
      for (int64_t ow = 0; ow < OW; ow++) {
        int32_t acc = 0;
        for (int64_t cc = 0; cc < cg; cc++)
          for (int64_t kh = 0; kh < KH; kh++)
            for (int64_t kw = 0; kw < KW; kw++) {
              int64_t ih = S == 2 ? oh * p->strides[0] + kh * p->dilations[0] - p->pads[0] : 0;
              int64_t iw = ow * p->strides[S - 1] + kw * p->dilations[S - 1] - p->pads[S - 1];
              if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
              int64_t c = m / mg * cg + cc;
              acc += (x[(c * H + ih) * W + iw] - xz) *
                     (w[((m * cg + cc) * KH + kh) * KW + kw] - wz[m]);
            }
        y[(m * OH + oh) * OW + ow] = acc;
      }
}

static void test_conv_integer_random_geometries(void **state) {
  (void)state;
  uint32_t r = 12345;
  int8_t x[4 * 9 * 9];
  uint8_t w[4 * 2 * 3 * 3], wz[4] = {0, 3, 200, 255};
  int32_t y[4 * 169], want[4 * 169]; /* outputs up to 13x13 */
  for (int it = 0; it < 40; it++) {
    spcc_qconv_params q = {.w_zp_count = 4, .w_scale_count = 1};
    spcc_conv_params *p = &q.conv;
    p->batch = 1;
    p->group = it % 2 ? 2 : 1;
    p->in_channels = 4;
    p->out_channels = 4;
    p->spatial = 1 + it % 2;
    for (int i = 0; i < p->spatial; i++) {
      p->in_dims[i] = 3 + it % 7;
      p->kernel[i] = 1 + it % 3;
      p->strides[i] = 1 + it % 2;
      p->dilations[i] = 1 + (it / 3) % 2;
      p->pads[i] = it % 3;
      int64_t ext = (p->kernel[i] - 1) * p->dilations[i] + 1;
      int64_t span = p->in_dims[i] + 2 * p->pads[i] - ext;
      p->out_dims[i] = span < 0 ? 1 : span / p->strides[i] + 1;
    }
    for (int i = 0; i < (int)sizeof x; i++) x[i] = (int8_t)((r = r * 1103515245u + 12345u) >> 24);
    for (int i = 0; i < (int)sizeof w; i++) w[i] = (uint8_t)((r = r * 1103515245u + 12345u) >> 24);
    spcc_conv_integer_i8_u8(&q, x, w, (const int8_t[]){-7}, wz, y);
    conv_integer_ref(p, x, w, -7, wz, want);
    int64_t n = 4;
    for (int i = 0; i < p->spatial; i++) n *= p->out_dims[i];
    assert_memory_equal(y, want, sizeof(int32_t) * (size_t)n);
  }
}

static void test_qlinear_conv_per_channel(void **state) {
  (void)state;
  /* 1x1 kernel, two output channels with their own scale and zero point, bias. */
  spcc_qconv_params p = {.conv = {.batch = 1, .in_channels = 1, .out_channels = 2,
                                  .group = 1, .spatial = 1, .in_dims = {3},
                                  .out_dims = {3}, .kernel = {1}, .strides = {1},
                                  .dilations = {1}, .pads = {0}},
                         .w_zp_count = 2, .w_scale_count = 2};
  const uint8_t x[] = {10, 20, 30}, xz[] = {10}, yz[] = {100};
  const int8_t w[] = {3, -2}, wz[] = {1, 0};
  const float xs[] = {1}, ws[] = {1, 0.5f}, ys[] = {2};
  const int32_t b[] = {1, 0};
  uint8_t y[6];
  spcc_qlinear_conv_u8_i8(&p, x, xs, xz, w, ws, wz, ys, yz, b, y);
  /* ch0: ((x-10)*2 + 1) / 2 = [0.5, 10.5, 20.5] -> [0, 10, 20] (half even) + 100
   * ch1: (x-10)*-2*0.5/2 = [0, -5, -10] + 100 */
  const uint8_t want[] = {100, 110, 120, 100, 95, 90};
  assert_memory_equal(y, want, 6);
}

/* ---- shape rules -------------------------------------------------------------- */

static void test_shape_rules(void **state) {
  (void)state;
  spcc_graph *g = spcc_graph_new("q", "test.onnx");
  int64_t xd[2] = {2, 3}, sd[1] = {3}, bd[3] = {4, 3, 5};
  spcc_type tx = spcc_type_make(SPCC_DT_F32, 2, xd), ts = spcc_type_make(SPCC_DT_F32, 1, sd);
  spcc_type tz = spcc_type_make(SPCC_DT_I8, 1, sd), tb = spcc_type_make(SPCC_DT_U8, 3, bd);
  spcc_type ta = spcc_type_make(SPCC_DT_U8, 2, xd), tf = spcc_type_make(SPCC_DT_F64, 2, xd);
  int x = spcc_graph_add_value(g, "x", &tx, SPCC_VAL_INPUT);
  int s = spcc_graph_add_value(g, "s", &ts, SPCC_VAL_INPUT);
  int z = spcc_graph_add_value(g, "z", &tz, SPCC_VAL_INPUT);
  int a = spcc_graph_add_value(g, "a", &ta, SPCC_VAL_INPUT);
  int b = spcc_graph_add_value(g, "b", &tb, SPCC_VAL_INPUT);
  int f = spcc_graph_add_value(g, "f", &tf, SPCC_VAL_INPUT);
  int y0 = spcc_graph_add_value(g, "y0", NULL, SPCC_VAL_TEMP);
  int y1 = spcc_graph_add_value(g, "y1", NULL, SPCC_VAL_TEMP);
  int y2 = spcc_graph_add_value(g, "y2", NULL, SPCC_VAL_TEMP);
  int in0[3] = {x, s, z}, in1[2] = {a, b}, in2[2] = {f, s};
  spcc_graph_add_node(g, SPCC_OP_QUANTIZE_LINEAR, 3, in0, 1, &y0);
  spcc_node_set_int(g, 0, "axis", -1);
  spcc_graph_add_node(g, SPCC_OP_MATMUL_INTEGER, 2, in1, 1, &y1);
  spcc_graph_add_node(g, SPCC_OP_QUANTIZE_LINEAR, 2, in2, 1, &y2);
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  assert_true(spcc_shape_quantize_linear(g, &g->nodes[0], &d));
  assert_true(g->values[y0].type.dtype == SPCC_DT_I8 && g->values[y0].type.rank == 2);
  assert_true(spcc_shape_matmul_integer(g, &g->nodes[1], &d));
  const spcc_type *t = &g->values[y1].type;
  assert_true(t->dtype == SPCC_DT_I32 && t->rank == 3 && t->dims[0] == 4 && t->dims[1] == 2 &&
              t->dims[2] == 5);
  assert_false(spcc_shape_quantize_linear(g, &g->nodes[2], &d));
  assert_non_null(strstr(d.first_error, "unsupported element type f64"));
  spcc_graph_free(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_quantize_round_saturate),
      cmocka_unit_test(test_quantize_per_axis_i8),
      cmocka_unit_test(test_dequantize),
      cmocka_unit_test(test_dynamic_quantize),
      cmocka_unit_test(test_matmul_integer),
      cmocka_unit_test(test_qlinear_matmul),
      cmocka_unit_test(test_conv_integer_padding),
      cmocka_unit_test(test_conv_integer_random_geometries),
      cmocka_unit_test(test_qlinear_conv_per_channel),
      cmocka_unit_test(test_shape_rules),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
