/* test_rt_layout.c - the layout family's kernels on hand-computed cases:
 * Pad (constant / reflect / edge, negative pads cropping, odd sizes),
 * Trilu (negative and out-of-range k), CumSum (exclusive / reverse, a
 * middle axis), ScatterElements and ScatterND (negative indices, add / mul),
 * OneHot (float indices, negative ones), TopK (ties go to the lower index),
 * Compress, ReverseSequence, EyeLike and Resize (nearest, linear
 * align_corners, an identity resize, tf_crop_and_resize extrapolation);
 * Pad's shape rule with opset 18's axes input; GridSample's corner cases
 * (the modes against ONNX Runtime: tests/models). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "passes/passes.h"
#include "spcc/spcc_rt.h"
#include "support/op_fixture.h"

static void test_pad_modes(void **state) {
  (void)state;
  /* x = [1 2 3] padded 2 before, 1 after. */
  const int32_t x[] = {1, 2, 3};
  int32_t y[6];
  spcc_pad_params p = {.elem_size = 4, .rank = 1, .mode = 0, .in_dims = {3}, .out_dims = {6},
                       .begin = {2}};
  const int32_t v = 9;
  spcc_pad(&p, x, &v, y);
  const int32_t wc[] = {9, 9, 1, 2, 3, 9};
  assert_memory_equal(y, wc, sizeof wc);
  spcc_pad(&p, x, NULL, y);
  const int32_t wz[] = {0, 0, 1, 2, 3, 0};
  assert_memory_equal(y, wz, sizeof wz);
  p.mode = 1;
  spcc_pad(&p, x, NULL, y);
  const int32_t wr[] = {3, 2, 1, 2, 3, 2};
  assert_memory_equal(y, wr, sizeof wr);
  p.mode = 2;
  spcc_pad(&p, x, NULL, y);
  const int32_t we[] = {1, 1, 1, 2, 3, 3};
  assert_memory_equal(y, we, sizeof we);
}

static void test_pad_2d_crop(void **state) {
  (void)state;
  /* [2,3] -> crop first column, add a row of 7 on top: [3,2]. */
  const uint8_t x[] = {1, 2, 3, 4, 5, 6};
  uint8_t y[6];
  const spcc_pad_params p = {.elem_size = 1, .rank = 2, .mode = 0, .in_dims = {2, 3},
                             .out_dims = {3, 2}, .begin = {1, -1}};
  const uint8_t v = 7;
  spcc_pad(&p, x, &v, y);
  const uint8_t w[] = {7, 7, 2, 3, 5, 6};
  assert_memory_equal(y, w, sizeof w);
}

static void test_trilu(void **state) {
  (void)state;
  const int64_t x[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  int64_t y[9];
  spcc_trilu_params p = {.elem_size = 8, .batch = 1, .rows = 3, .cols = 3, .upper = 1};
  const int64_t km1 = -1, k5 = 5;
  spcc_trilu(&p, x, &km1, y);
  const int64_t wu[] = {1, 2, 3, 4, 5, 6, 0, 8, 9};
  assert_memory_equal(y, wu, sizeof wu);
  p.upper = 0;
  spcc_trilu(&p, x, NULL, y);
  const int64_t wl[] = {1, 0, 0, 4, 5, 0, 7, 8, 9};
  assert_memory_equal(y, wl, sizeof wl);
  spcc_trilu(&p, x, &k5, y);
  assert_memory_equal(y, x, sizeof x);
}

static void test_cumsum(void **state) {
  (void)state;
  /* [2,3] along axis 0 (inner 3), exclusive + reverse. */
  const double x[] = {1, 2, 3, 4, 5, 6};
  double y[6];
  const spcc_cumsum_params p = {.outer = 1, .len = 2, .inner = 3, .exclusive = 1, .reverse = 1};
  spcc_cumsum_f64(&p, x, y);
  const double w[] = {4, 5, 6, 0, 0, 0};
  assert_memory_equal(y, w, sizeof w);
  const int32_t xi[] = {INT32_MAX, 1, 5};
  int32_t yi[3];
  const spcc_cumsum_params q = {.outer = 1, .len = 3, .inner = 1};
  spcc_cumsum_i32(&q, xi, yi);
  assert_int_equal(yi[1], INT32_MIN); /* wraps, no UB */
  assert_int_equal(yi[2], INT32_MIN + 5);
}

static void test_scatter(void **state) {
  (void)state;
  const float data[] = {1, 2, 3, 4, 5};
  const int64_t idx[] = {1, -1, 1};
  const float upd[] = {10, 20, 30};
  float y[5];
  spcc_scatter_elements_params p = {.rank = 2, .axis = 1, .reduction = 1,
                                    .idx_type = SPCC_LAYOUT_IDX_I64, .d = {1, 5}, .u = {1, 3}};
  spcc_scatter_elements_f32(&p, data, idx, upd, y);
  const float w[] = {1, 42, 3, 4, 25};
  assert_memory_equal(y, w, sizeof w);
  /* ScatterND on [3,2]: multiply row -1 by [2,3]. */
  const int32_t d2[] = {1, 2, 3, 4, 5, 6}, u2[] = {2, 3};
  const int32_t i2[] = {-1};
  int32_t y2[6];
  const spcc_scatter_nd_params q = {.reduction = 2, .idx_type = SPCC_LAYOUT_IDX_I32, .k = 1,
                                    .n_upd = 1, .slice = 2, .d = {3}};
  spcc_scatter_nd_i32(&q, d2, i2, u2, y2);
  const int32_t w2[] = {1, 2, 3, 4, 10, 18};
  assert_memory_equal(y2, w2, sizeof w2);
}

static void test_onehot(void **state) {
  (void)state;
  const float idx[] = {0, -1, 7};
  const int32_t values[] = {0, 5};
  int32_t y[9];
  const spcc_onehot_params p = {.elem_size = 4, .idx_type = SPCC_LAYOUT_IDX_F32, .outer = 3,
                                .depth = 3, .inner = 1};
  spcc_onehot(&p, idx, values, y);
  const int32_t w[] = {5, 0, 0, 0, 0, 5, 0, 0, 0};
  assert_memory_equal(y, w, sizeof w);
}

static void test_topk(void **state) {
  (void)state;
  /* Two rows along axis 1 of [2,4]; ties keep the lower index first. */
  const float x[] = {3, 1, 3, 2, 0, 5, 5, -1};
  float v[4];
  int64_t i[4];
  spcc_topk_params p = {.outer = 2, .len = 4, .inner = 1, .k = 2, .largest = 1};
  spcc_topk_f32(&p, x, v, i);
  const float wv[] = {3, 3, 5, 5};
  const int64_t wi[] = {0, 2, 1, 2};
  assert_memory_equal(v, wv, sizeof wv);
  assert_memory_equal(i, wi, sizeof wi);
  p.largest = 0;
  spcc_topk_f32(&p, x, v, i);
  const float sv[] = {1, 2, -1, 0};
  const int64_t si[] = {1, 3, 3, 0};
  assert_memory_equal(v, sv, sizeof sv);
  assert_memory_equal(i, si, sizeof si);
}

static void test_compress_revseq_eye(void **state) {
  (void)state;
  const int16_t x[] = {1, 2, 3, 4, 5, 6};
  const uint8_t cond[] = {1, 0, 1};
  int16_t y[6];
  const spcc_compress_params p = {.elem_size = 2, .outer = 2, .len = 3, .inner = 1,
                                  .cond_len = 3};
  spcc_compress(&p, x, cond, y);
  const int16_t w[] = {1, 3, 4, 6};
  assert_memory_equal(y, w, sizeof w);
  /* [batch 2, time 3], lengths 3 and 2. */
  const int64_t lens[] = {3, 2};
  const spcc_reverse_sequence_params r = {.elem_size = 2, .d0 = 2, .d1 = 3, .inner = 1,
                                          .time_first = 0, .idx_type = SPCC_LAYOUT_IDX_I64};
  spcc_reverse_sequence(&r, x, lens, y);
  const int16_t wr[] = {3, 2, 1, 5, 4, 6};
  assert_memory_equal(y, wr, sizeof wr);
  const float one = 1;
  float e[6];
  const spcc_eyelike_params ep = {.elem_size = 4, .rows = 2, .cols = 3, .k = 1};
  spcc_eyelike(&ep, &one, e);
  const float we[] = {0, 1, 0, 0, 0, 1};
  assert_memory_equal(e, we, sizeof we);
}

static void test_resize(void **state) {
  (void)state;
  const float x[] = {1, 2, 3, 4};
  float y[16];
  /* [1,2,2] -> [1,4,4] nearest, asymmetric, floor (Upsample). */
  spcc_resize_params p = {.rank = 3, .mode = SPCC_RESIZE_NEAREST,
                          .coord = SPCC_RESIZE_ASYMMETRIC, .nearest = SPCC_RESIZE_FLOOR,
                          .in_dims = {1, 2, 2}, .out_dims = {1, 4, 4}, .scale = {1, 2, 2},
                          .roi_end = {1, 1, 1}, .cubic_a = -0.75};
  spcc_resize_f32(&p, x, y);
  const float wn[] = {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4};
  assert_memory_equal(y, wn, sizeof wn);
  /* [2] -> [3] linear align_corners: 1, 1.5, 2. */
  const spcc_resize_params q = {.rank = 1, .mode = SPCC_RESIZE_LINEAR,
                                .coord = SPCC_RESIZE_ALIGN_CORNERS, .in_dims = {2},
                                .out_dims = {3}, .scale = {1.5}};
  spcc_resize_f32(&q, x, y);
  assert_true(y[0] == 1.0f && y[1] == 1.5f && y[2] == 2.0f);
  /* Identity size: a copy for every mode. */
  spcc_resize_params c = q;
  c.mode = SPCC_RESIZE_CUBIC;
  c.coord = SPCC_RESIZE_HALF_PIXEL;
  c.in_dims[0] = c.out_dims[0] = 4;
  c.scale[0] = 1;
  spcc_resize_f32(&c, x, y);
  assert_memory_equal(y, x, sizeof x);
  /* tf_crop_and_resize with a roi reaching past the input extrapolates. */
  spcc_resize_params t = q;
  t.coord = SPCC_RESIZE_TF_CROP_AND_RESIZE;
  t.roi_start[0] = 0;
  t.roi_end[0] = 2;
  t.extrapolation = 10;
  spcc_resize_f32(&t, x, y);
  assert_true(y[0] == 1.0f && y[1] == 2.0f && y[2] == 10.0f);
}

/* A constant i64 vector in the fixture's graph. */
static int const_i64(op_fixture *f, int n, const int64_t *v) {
  int64_t dim = n;
  spcc_type t = spcc_type_make(SPCC_DT_I64, 1, &dim);
  int64_t *data = malloc(sizeof(int64_t) * (size_t)n);
  assert_non_null(data);
  memcpy(data, v, sizeof(int64_t) * (size_t)n);
  return spcc_graph_add_const(f->g, NULL, &t, data);
}

static void test_pad_axes_opset18(void **state) {
  op_fixture *f = *state;
  const int64_t dx[3] = {2, 3, 4};
  int x = fx_value(f, SPCC_DT_F32, 3, dx);
  /* pads [1, 2] for axis -1 (begin 1, end 2): [2,3,4] -> [2,3,7] */
  int in[4] = {x, const_i64(f, 2, (const int64_t[]){1, 2}), -1,
               const_i64(f, 1, (const int64_t[]){-1})};
  spcc_node *n = fx_node(f, SPCC_OP_PAD, 4, in, 18);
  assert_true(spcc_shape_pad(f->g, n, &f->d));
  const spcc_type *t = fx_out_type(f, n);
  assert_true(t->rank == 3 && t->dims[0] == 2 && t->dims[1] == 3 && t->dims[2] == 7);
  /* Two axes: begins then ends. */
  in[1] = const_i64(f, 4, (const int64_t[]){1, 0, 0, 3});
  in[3] = const_i64(f, 2, (const int64_t[]){0, 2});
  n = fx_node(f, SPCC_OP_PAD, 4, in, 18);
  assert_true(spcc_shape_pad(f->g, n, &f->d));
  t = fx_out_type(f, n);
  assert_true(t->dims[0] == 3 && t->dims[1] == 3 && t->dims[2] == 7);
  /* A repeated axis is refused. */
  in[3] = const_i64(f, 2, (const int64_t[]){2, -1});
  n = fx_node(f, SPCC_OP_PAD, 4, in, 18);
  assert_false(spcc_shape_pad(f->g, n, &f->d));
  assert_non_null(strstr(f->d.first_error, "'axes' value -1 is out of range or repeated"));
}

/* GridSample: exact corners with align_corners; a NaN coordinate gives NaN
 * (and no undefined float-to-int conversion); a far-away one reads 0 under
 * zeros padding and the border under border padding. */
static void test_grid_sample_edges(void **state) {
  (void)state;
  const float x[4] = {1, 2, 3, 4}; /* 2x2 */
  const float grid[8] = {-1, -1, 1, 1, NAN, 0, 50, 0};
  float y[4];
  spcc_grid_sample_params p = {.n = 1, .c = 1, .h = 2, .w = 2, .ho = 1, .wo = 4,
                               .mode = SPCC_GRID_BILINEAR, .padding = SPCC_GRID_ZEROS,
                               .align_corners = 1};
  spcc_grid_sample_f32(&p, x, grid, y);
  assert_true(y[0] == 1 && y[1] == 4 && isnan(y[2]) && y[3] == 0);
  p.padding = SPCC_GRID_BORDER;
  p.mode = SPCC_GRID_NEAREST;
  spcc_grid_sample_f32(&p, x, grid, y);
  assert_true(y[0] == 1 && y[1] == 4 && y[3] == 2); /* x clamped to the right column */
  p.mode = SPCC_GRID_BICUBIC;
  spcc_grid_sample_f32(&p, x, grid, y);
  assert_true(fabsf(y[0] - 1) < 1e-6f && fabsf(y[1] - 4) < 1e-6f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pad_modes),    cmocka_unit_test(test_pad_2d_crop),
      cmocka_unit_test(test_trilu),        cmocka_unit_test(test_cumsum),
      cmocka_unit_test(test_scatter),      cmocka_unit_test(test_onehot),
      cmocka_unit_test(test_topk),         cmocka_unit_test(test_compress_revseq_eye),
      cmocka_unit_test(test_resize),
      cmocka_unit_test_setup_teardown(test_pad_axes_opset18, fx_setup, fx_teardown),
      cmocka_unit_test(test_grid_sample_edges),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
