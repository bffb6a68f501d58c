/* test_rt_conv.c - Conv, MaxPool, AveragePool and GlobalAveragePool:
 * kernels on hand-computed cases (padding, strides, dilations, groups,
 * 1-D/2-D/3-D, odd sizes, all-padding windows, Indices in both storage
 * orders, ceil_mode, count_include_pad, integer max pooling), the blocked
 * conv paths against a naive loop over random geometries, and the shape
 * rules plus compile-time evaluation through small graphs (auto_pad,
 * unsupported attributes and types, impossible shapes). */
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

static const float x9[] = {1, 2, 3, 4, 5, 6, 7, 8, 9}; /* 3x3 */

/* ---- Conv ---------------------------------------------------------------- */

static spcc_conv_params conv2d(int64_t c, int64_t m, int64_t group, int64_t h, int64_t w,
                               int64_t k, int64_t s, int64_t pad) {
  spcc_conv_params p = {.batch = 1, .in_channels = c, .out_channels = m, .group = group,
                        .spatial = 2, .in_dims = {h, w}, .kernel = {k, k},
                        .strides = {s, s}, .dilations = {1, 1}, .pads = {pad, pad}};
  p.out_dims[0] = (h + 2 * pad - k) / s + 1;
  p.out_dims[1] = (w + 2 * pad - k) / s + 1;
  return p;
}

static void test_conv_valid_bias(void **state) {
  (void)state;
  spcc_conv_params p = conv2d(1, 1, 1, 3, 3, 2, 1, 0);
  const float w[] = {1, 1, 1, 1}, b[] = {1};
  float y[4];
  spcc_conv_f32(&p, x9, w, b, y);
  const float want[] = {13, 17, 25, 29};
  assert_close(y, want, 4, 0);
}

static void test_conv_padded_no_bias(void **state) {
  (void)state;
  spcc_conv_params p = conv2d(1, 1, 1, 3, 3, 3, 1, 1);
  const float w[] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  float y[9];
  spcc_conv_f32(&p, x9, w, NULL, y);
  const float want[] = {12, 21, 16, 27, 45, 33, 24, 39, 28};
  assert_close(y, want, 9, 0);
}

static void test_conv_strided_padded(void **state) {
  (void)state;
  /* 3x3 input, 2x2 kernel [1,2;3,4], stride 2, pad 1: windows at -1 and 1. */
  spcc_conv_params p = conv2d(1, 1, 1, 3, 3, 2, 2, 1);
  const float w[] = {1, 2, 3, 4};
  float y[4];
  spcc_conv_f32(&p, x9, w, NULL, y);
  const float want[] = {4 * 1, 3 * 2 + 4 * 3, 2 * 4 + 4 * 7, 1 * 5 + 2 * 6 + 3 * 8 + 4 * 9};
  assert_close(y, want, 4, 0);
}

static void test_conv_depthwise_multiplier(void **state) {
  (void)state;
  /* 2 channels, group 2, 2 outputs per group, 1x1 kernels: scaling. */
  spcc_conv_params p = conv2d(2, 4, 2, 1, 3, 1, 1, 0);
  const float x[] = {1, 2, 3, 10, 20, 30};
  const float w[] = {1, -1, 2, 3}, b[] = {0, 0, 0, 0.5f};
  float y[12];
  spcc_conv_f32(&p, x, w, b, y);
  const float want[] = {1, 2, 3, -1, -2, -3, 20, 40, 60, 30.5f, 60.5f, 90.5f};
  assert_close(y, want, 12, 0);
}

static void test_conv_1d_dilated_strided_odd(void **state) {
  (void)state;
  /* x = 1..7, w = [1, 2], dilation 2, stride 2: x[2o] + 2 x[2o + 2]. */
  const spcc_conv_params p = {.batch = 1, .in_channels = 1, .out_channels = 1, .group = 1,
                              .spatial = 1, .in_dims = {7}, .out_dims = {3}, .kernel = {2},
                              .strides = {2}, .dilations = {2}, .pads = {0}};
  const float x[] = {1, 2, 3, 4, 5, 6, 7}, w[] = {1, 2};
  float y[3];
  spcc_conv_f32(&p, x, w, NULL, y);
  const float want[] = {7, 13, 19};
  assert_close(y, want, 3, 0);
}

static void test_conv_wide_row_blocks(void **state) {
  (void)state;
  /* 21 columns and 5 output channels exercise the 4-channel x 8-column
   * blocks, the 4-column block, leftovers and both borders. */
  spcc_conv_params p = conv2d(1, 5, 1, 1, 21, 1, 1, 0);
  p.kernel[1] = 3;
  p.pads[1] = 1;
  float x[21], w[15], y[105], want[105];
  for (int i = 0; i < 21; i++) x[i] = (float)(i * i % 7) - 2;
  for (int m = 0; m < 5; m++)
    for (int k = 0; k < 3; k++) w[m * 3 + k] = (float)(m + 1);
  for (int m = 0; m < 5; m++)
    for (int i = 0; i < 21; i++)
      want[m * 21 + i] = (float)(m + 1) * ((i > 0 ? x[i - 1] : 0) + x[i] + (i < 20 ? x[i + 1] : 0));
  spcc_conv_f32(&p, x, w, NULL, y);
  assert_close(y, want, 105, 0);
}

static void test_conv_3d_and_f64(void **state) {
  (void)state;
  const spcc_conv_params p = {.batch = 1, .in_channels = 1, .out_channels = 1, .group = 1,
                              .spatial = 3, .in_dims = {2, 2, 2}, .out_dims = {1, 1, 1},
                              .kernel = {2, 2, 2}, .strides = {1, 1, 1},
                              .dilations = {1, 1, 1}, .pads = {0, 0, 0}};
  const float x[] = {1, 2, 3, 4, 5, 6, 7, 8}, w[] = {1, 1, 1, 1, 1, 1, 1, 1}, b[] = {-6};
  float y[1];
  spcc_conv_f32(&p, x, w, b, y);
  assert_true(y[0] == 30);
  spcc_conv_params q = conv2d(1, 1, 1, 3, 3, 3, 1, 1);
  double xd[9], wd[9], yd[9];
  for (int i = 0; i < 9; i++) xd[i] = x9[i], wd[i] = 1;
  spcc_conv_f64(&q, xd, wd, NULL, yd);
  assert_true(yd[0] == 12 && yd[4] == 45 && yd[8] == 28);
}

/* Naive reference for random geometries. */
static void conv_ref(const spcc_conv_params *p, const float *x, const float *w, const float *b,
                     float *y) {
  int S = (int)p->spatial;
  int64_t insz = 1, outsz = 1, ksz = 1;
  for (int i = 0; i < S; i++) insz *= p->in_dims[i], outsz *= p->out_dims[i], ksz *= p->kernel[i];
  int64_t cg = p->in_channels / p->group, mg = p->out_channels / p->group;
  for (int64_t n = 0; n < p->batch; n++)
    for (int64_t m = 0; m < p->out_channels; m++)
      for (int64_t o = 0; o < outsz; o++) {
        double s = b ? b[m] : 0;
        for (int64_t c = 0; c < cg; c++)
          for (int64_t k = 0; k < ksz; k++) {
            int64_t off = 0, ot = o, kt = k, mul = 1;
            bool ok = true;
            for (int i = S - 1; i >= 0; i--) {
              int64_t pos = ot % p->out_dims[i] * p->strides[i] +
                            kt % p->kernel[i] * p->dilations[i] - p->pads[i];
              ot /= p->out_dims[i], kt /= p->kernel[i];
              if (pos < 0 || pos >= p->in_dims[i]) ok = false;
              off += pos * mul;
              mul *= p->in_dims[i];
            }
            if (ok)
              s += (double)w[(m * cg + c) * ksz + k] *
                   x[(n * p->in_channels + m / mg * cg + c) * insz + off];
          }
        y[(n * p->out_channels + m) * outsz + o] = (float)s;
      }
}

/* Deterministic pseudo-random integer in [lo, hi]. */
static int64_t rnd(uint32_t *r, int64_t lo, int64_t hi) {
  *r = *r * 1103515245u + 12345u;
  return lo + (int64_t)((*r >> 8) % (uint32_t)(hi - lo + 1));
}

static void test_conv_random_vs_naive(void **state) {
  (void)state;
  uint32_t r = 12345;
#define RND(lo, hi) rnd(&r, lo, hi)
  for (int it = 0; it < 300; it++) {
    spcc_conv_params p = {.batch = 1};
    p.batch = RND(1, 2);
    p.group = RND(1, 3);
    p.spatial = RND(1, 3);
    p.in_channels = p.group * RND(1, 3);
    p.out_channels = p.group * RND(1, 6);
    int64_t nx = p.batch * p.in_channels, nw = p.out_channels * (p.in_channels / p.group),
            ny = p.batch * p.out_channels;
    bool ok = true;
    for (int i = 0; i < p.spatial; i++) {
      p.in_dims[i] = RND(1, p.spatial == 1 ? 30 : 12);
      p.kernel[i] = RND(1, 3);
      p.strides[i] = RND(1, 2);
      p.dilations[i] = RND(1, 2);
      p.pads[i] = RND(0, 2);
      int64_t pad_end = RND(0, 2);
      int64_t span = p.in_dims[i] + p.pads[i] + pad_end - (p.kernel[i] - 1) * p.dilations[i] - 1;
      if (span < 0) ok = false;
      p.out_dims[i] = span / p.strides[i] + 1;
      nx *= p.in_dims[i], nw *= p.kernel[i], ny *= p.out_dims[i];
    }
    if (!ok) continue;
    float *x = malloc(sizeof(float) * (size_t)nx), *w = malloc(sizeof(float) * (size_t)nw);
    float *b = malloc(sizeof(float) * (size_t)p.out_channels);
    float *y = malloc(sizeof(float) * (size_t)ny), *want = malloc(sizeof(float) * (size_t)ny);
    for (int64_t i = 0; i < nx; i++) x[i] = (float)RND(-8, 8) / 8;
    for (int64_t i = 0; i < nw; i++) w[i] = (float)RND(-8, 8) / 8;
    for (int64_t i = 0; i < p.out_channels; i++) b[i] = (float)RND(-8, 8);
    const float *bias = it % 2 ? b : NULL;
    spcc_conv_f32(&p, x, w, bias, y);
    conv_ref(&p, x, w, bias, want);
    assert_close(y, want, (int)ny, 1e-5f);
    free(x), free(w), free(b), free(y), free(want);
  }
#undef RND
}

/* Wider random geometries for the implicit-GEMM path: enough output
 * channels per group for full and partial register tiles, rows longer than
 * one 16-column panel (interior panels read in place, borders and tails
 * gathered), reductions deeper than one 128-row k block, strides, dilations
 * and pads, 1-D to 3-D. */
static void test_conv_gemm_random_vs_naive(void **state) {
  (void)state;
  uint32_t r = 777;
#define RND(lo, hi) rnd(&r, lo, hi)
  for (int it = 0; it < 60; it++) {
    spcc_conv_params p = {.batch = 1};
    p.batch = RND(1, 2);
    p.group = RND(1, 2);
    p.spatial = RND(1, 3);
    p.in_channels = p.group * RND(1, 24);
    p.out_channels = p.group * RND(4, 30);
    int64_t nx = p.batch * p.in_channels, nw = p.out_channels * (p.in_channels / p.group),
            ny = p.batch * p.out_channels;
    bool ok = true;
    for (int i = 0; i < p.spatial; i++) {
      bool last = i == p.spatial - 1;
      p.in_dims[i] = RND(1, last ? 45 : 7);
      p.kernel[i] = RND(1, 3);
      p.strides[i] = RND(1, 3) == 3 ? 2 : 1;
      p.dilations[i] = RND(1, 4) == 4 ? 2 : 1;
      p.pads[i] = RND(0, 2);
      int64_t pad_end = RND(0, 2);
      int64_t span = p.in_dims[i] + p.pads[i] + pad_end - (p.kernel[i] - 1) * p.dilations[i] - 1;
      if (span < 0) ok = false;
      p.out_dims[i] = span / p.strides[i] + 1;
      nx *= p.in_dims[i], nw *= p.kernel[i], ny *= p.out_dims[i];
    }
    if (!ok) continue;
    float *x = malloc(sizeof(float) * (size_t)nx), *w = malloc(sizeof(float) * (size_t)nw);
    float *b = malloc(sizeof(float) * (size_t)p.out_channels);
    float *y = malloc(sizeof(float) * (size_t)ny), *want = malloc(sizeof(float) * (size_t)ny);
    for (int64_t i = 0; i < nx; i++) x[i] = (float)RND(-8, 8) / 8;
    for (int64_t i = 0; i < nw; i++) w[i] = (float)RND(-8, 8) / 8;
    for (int64_t i = 0; i < p.out_channels; i++) b[i] = (float)RND(-8, 8);
    const float *bias = it % 2 ? b : NULL;
    spcc_conv_f32(&p, x, w, bias, y);
    conv_ref(&p, x, w, bias, want);
    assert_close(y, want, (int)ny, 1e-5f);
    /* f64 takes the same path with the portable kernel. */
    double *xd = malloc(sizeof(double) * (size_t)nx), *wd = malloc(sizeof(double) * (size_t)nw);
    double *bd = malloc(sizeof(double) * (size_t)p.out_channels);
    double *yd = malloc(sizeof(double) * (size_t)ny);
    for (int64_t i = 0; i < nx; i++) xd[i] = x[i];
    for (int64_t i = 0; i < nw; i++) wd[i] = w[i];
    for (int64_t i = 0; i < p.out_channels; i++) bd[i] = b[i];
    spcc_conv_f64(&p, xd, wd, it % 2 ? bd : NULL, yd);
    for (int64_t i = 0; i < ny; i++) assert_true(fabs(yd[i] - (double)want[i]) <= 1e-4);
    free(xd), free(wd), free(bd), free(yd);
    free(x), free(w), free(b), free(y), free(want);
  }
#undef RND
}

/* ---- MaxPool, AveragePool, GlobalAveragePool ------------------------------ */

static void test_max_pool_indices(void **state) {
  (void)state;
  float x[16];
  for (int i = 0; i < 16; i++) x[i] = (float)(i + 1);
  spcc_pool_params p = {.batch = 1, .channels = 1, .spatial = 2, .in_dims = {4, 4},
                        .out_dims = {2, 2}, .kernel = {2, 2}, .strides = {2, 2},
                        .dilations = {1, 1}};
  float y[4];
  int64_t idx[4];
  spcc_max_pool_f32(&p, x, y, idx);
  const float want[] = {6, 8, 14, 16};
  assert_close(y, want, 4, 0);
  assert_true(idx[0] == 5 && idx[1] == 7 && idx[2] == 13 && idx[3] == 15);
  p.storage_order = 1; /* column-major: w * H + h */
  spcc_max_pool_f32(&p, x, y, idx);
  assert_true(idx[0] == 5 && idx[1] == 13 && idx[2] == 7 && idx[3] == 15);
}

static void test_max_pool_padded_and_channels(void **state) {
  (void)state;
  /* Two channels; the second offsets indices by 9. Padding never wins. */
  float x[18];
  for (int i = 0; i < 9; i++) x[i] = x9[i], x[9 + i] = -x9[i];
  const spcc_pool_params p = {.batch = 1, .channels = 2, .spatial = 2, .in_dims = {3, 3},
                              .out_dims = {3, 3}, .kernel = {3, 3}, .strides = {1, 1},
                              .dilations = {1, 1}, .pads = {1, 1}, .pads_end = {1, 1}};
  float y[18];
  int64_t idx[18];
  spcc_max_pool_f32(&p, x, y, idx);
  const float want[] = {5, 6, 6, 8, 9, 9, 8, 9, 9, -1, -1, -2, -1, -1, -2, -4, -4, -5};
  assert_close(y, want, 18, 0);
  assert_true(idx[0] == 4 && idx[8] == 8 && idx[9] == 9 && idx[17] == 13);
}

static void test_max_pool_integers_and_empty_window(void **state) {
  (void)state;
  const spcc_pool_params p = {.batch = 1, .channels = 1, .spatial = 1, .in_dims = {3},
                              .out_dims = {3}, .kernel = {3}, .strides = {1},
                              .dilations = {1}, .pads = {1}, .pads_end = {1}};
  const int8_t xi[] = {-5, -3, -7};
  int8_t yi[3];
  spcc_max_pool_i8(&p, xi, yi, NULL);
  assert_true(yi[0] == -3 && yi[1] == -3 && yi[2] == -3);
  const uint8_t xu[] = {200, 7, 255};
  uint8_t yu[3];
  spcc_max_pool_u8(&p, xu, yu, NULL);
  assert_true(yu[0] == 200 && yu[1] == 255 && yu[2] == 255);
  /* Kernel 2 with dilation 5 and pad 1 over 3 inputs: taps at -1 and 4. */
  const spcc_pool_params q = {.batch = 1, .channels = 1, .spatial = 1, .in_dims = {3},
                              .out_dims = {1}, .kernel = {2}, .strides = {1},
                              .dilations = {5}, .pads = {1}, .pads_end = {2}};
  const float xf[] = {1, 2, 3};
  float yf[1];
  int64_t idx[1];
  spcc_max_pool_f32(&q, xf, yf, idx);
  assert_true(isinf(yf[0]) && yf[0] < 0 && idx[0] == -1);
}

static void test_average_pool_pads(void **state) {
  (void)state;
  spcc_pool_params p = {.batch = 1, .channels = 1, .spatial = 1, .in_dims = {4},
                        .out_dims = {4}, .kernel = {3}, .strides = {1}, .dilations = {1},
                        .pads = {1}, .pads_end = {1}};
  const float x[] = {1, 2, 3, 4};
  float y[4];
  spcc_average_pool_f32(&p, x, y);
  const float excl[] = {1.5f, 2, 3, 3.5f};
  assert_close(y, excl, 4, 1e-6f);
  p.count_include_pad = 1;
  spcc_average_pool_f32(&p, x, y);
  const float incl[] = {1, 2, 3, 7.0f / 3};
  assert_close(y, incl, 4, 1e-6f);
}

static void test_average_pool_ceil_f64(void **state) {
  (void)state;
  /* 4x4 = 1..16, kernel 3, stride 2, ceil_mode: the last windows overhang. */
  const spcc_pool_params p = {.batch = 1, .channels = 1, .spatial = 2, .in_dims = {4, 4},
                              .out_dims = {2, 2}, .kernel = {3, 3}, .strides = {2, 2},
                              .dilations = {1, 1}, .count_include_pad = 1};
  double x[16], y[4];
  for (int i = 0; i < 16; i++) x[i] = i + 1;
  spcc_average_pool_f64(&p, x, y);
  assert_true(y[0] == 6 && y[1] == 7.5 && y[2] == 12 && y[3] == 13.5);
}

static void test_global_average_pool(void **state) {
  (void)state;
  float x[31];
  for (int i = 0; i < 11; i++) x[i] = (float)(i + 1);   /* mean 6 */
  for (int i = 0; i < 20; i++) x[11 + i] = (float)(i + 1); /* unused: outer 1 */
  const spcc_global_pool_params p = {.outer = 1, .size = 11};
  float y[2];
  spcc_global_average_pool_f32(&p, x, y);
  assert_true(y[0] == 6);
  const spcc_global_pool_params q = {.outer = 2, .size = 10}; /* 1..10, 11 1..9 */
  spcc_global_average_pool_f32(&q, x, y);
  assert_close(y, (const float[]){5.5f, 5.6f}, 2, 1e-6f);
  double xd[3] = {1, 2, 4}, yd[1];
  const spcc_global_pool_params r = {.outer = 1, .size = 3};
  spcc_global_average_pool_f64(&r, xd, yd);
  assert_true(fabs(yd[0] - 7.0 / 3) < 1e-15);
}

/* ---- shape rules and evaluation through a graph -------------------------- */

static float *copy_floats(const float *v, int n) {
  float *p = malloc(sizeof(float) * (size_t)n);
  memcpy(p, v, sizeof(float) * (size_t)n);
  return p;
}

/* x [1,1,h,w] input, W [1,1,3,3] constant of ones, y = Conv(x, W). */
static spcc_graph *conv_graph(int64_t h, int64_t w, spcc_dtype dt) {
  spcc_graph *g = spcc_graph_new("conv", "test.onnx");
  int64_t xd[4] = {1, 1, h, w}, wd[4] = {1, 1, 3, 3};
  spcc_type tx = spcc_type_make(dt, 4, xd), tw = spcc_type_make(dt, 4, wd);
  const float ones[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  int x = spcc_graph_add_value(g, "x", &tx, SPCC_VAL_INPUT);
  int wv = spcc_graph_add_const(g, "W", &tw, copy_floats(ones, 9));
  int y = spcc_graph_add_value(g, "y", NULL, SPCC_VAL_TEMP);
  int in[2] = {x, wv};
  int k = spcc_graph_add_node(g, SPCC_OP_CONV, 2, in, 1, &y);
  g->nodes[k].onnx_index = 0;
  g->nodes[k].name = "c";
  g->nodes[k].opset = 11;
  return g;
}

static void test_shape_conv_same_lower_eval(void **state) {
  (void)state;
  spcc_graph *g = conv_graph(5, 5, SPCC_DT_F32);
  spcc_node_set_string(g, 0, "auto_pad", "SAME_LOWER");
  const int64_t s2[2] = {2, 2};
  spcc_node_set_ints(g, 0, "strides", 2, s2);
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  assert_true(spcc_shape_conv(g, &g->nodes[0], &d));
  const spcc_type *t = &g->values[g->nodes[0].out[0]].type;
  assert_true(t->rank == 4 && t->dims[2] == 3 && t->dims[3] == 3);
  /* Total pad 2 per dim, 1 before: windows centred on 0, 2, 4. */
  float x[25], y[9];
  for (int i = 0; i < 25; i++) x[i] = 1;
  const void *in[2] = {x, spcc_value_data(g, 1)};
  void *out[1] = {y};
  assert_true(spcc_eval_conv(g, &g->nodes[0], in, out, &d));
  const float want[] = {4, 6, 4, 6, 9, 6, 4, 6, 4};
  assert_close(y, want, 9, 0);
  spcc_graph_free(g);
}

static void test_shape_conv_errors(void **state) {
  (void)state;
  spcc_diag d;
  spcc_graph *g = conv_graph(5, 5, SPCC_DT_F32);
  spcc_node_set_string(g, 0, "auto_pad", "FOO");
  spcc_diag_init(&d, NULL);
  assert_false(spcc_shape_conv(g, &g->nodes[0], &d));
  assert_non_null(strstr(d.first_error, "unsupported attribute 'auto_pad' value 'FOO'"));
  spcc_graph_free(g);

  g = conv_graph(2, 5, SPCC_DT_F32); /* 3x3 kernel over 2 rows, no pads */
  spcc_diag_init(&d, NULL);
  assert_false(spcc_shape_conv(g, &g->nodes[0], &d));
  assert_non_null(strstr(d.first_error, "impossible shape"));
  assert_null(strstr(d.first_error, "unsupported"));
  spcc_graph_free(g);

  g = conv_graph(5, 5, SPCC_DT_F32);
  const int64_t ks[2] = {3, 2};
  spcc_node_set_ints(g, 0, "kernel_shape", 2, ks);
  spcc_diag_init(&d, NULL);
  assert_false(spcc_shape_conv(g, &g->nodes[0], &d));
  assert_non_null(strstr(d.first_error, "kernel_shape"));
  spcc_graph_free(g);

  g = conv_graph(5, 5, SPCC_DT_F32);
  spcc_node_set_int(g, 0, "group", 2);
  spcc_diag_init(&d, NULL);
  assert_false(spcc_shape_conv(g, &g->nodes[0], &d));
  assert_non_null(strstr(d.first_error, "group"));
  spcc_graph_free(g);
}

/* x [1,1,5,5] of dtype dt, y (and Indices when with_idx) = op(x). */
static spcc_graph *pool_graph(spcc_op op, spcc_dtype dt, bool with_idx) {
  spcc_graph *g = spcc_graph_new("pool", "test.onnx");
  int64_t xd[4] = {1, 1, 5, 5};
  spcc_type tx = spcc_type_make(dt, 4, xd);
  int x = spcc_graph_add_value(g, "x", &tx, SPCC_VAL_INPUT);
  int out[2] = {spcc_graph_add_value(g, "y", NULL, SPCC_VAL_TEMP),
                spcc_graph_add_value(g, "i", NULL, SPCC_VAL_TEMP)};
  int k = spcc_graph_add_node(g, op, 1, &x, with_idx ? 2 : 1, out);
  g->nodes[k].onnx_index = 0;
  g->nodes[k].name = "p";
  g->nodes[k].opset = 12;
  return g;
}

static void test_shape_pools(void **state) {
  (void)state;
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  const int64_t k3[2] = {3, 3}, s2[2] = {2, 2};

  /* MaxPool SAME_UPPER, stride 2, with Indices. */
  spcc_graph *g = pool_graph(SPCC_OP_MAX_POOL, SPCC_DT_F32, true);
  spcc_node_set_ints(g, 0, "kernel_shape", 2, k3);
  spcc_node_set_ints(g, 0, "strides", 2, s2);
  spcc_node_set_string(g, 0, "auto_pad", "SAME_UPPER");
  assert_true(spcc_shape_max_pool(g, &g->nodes[0], &d));
  const spcc_type *ty = &g->values[g->nodes[0].out[0]].type;
  const spcc_type *ti = &g->values[g->nodes[0].out[1]].type;
  assert_true(ty->dims[2] == 3 && ty->dims[3] == 3 && ti->dtype == SPCC_DT_I64);
  float x[25], y[9];
  int64_t idx[9];
  for (int i = 0; i < 25; i++) x[i] = (float)(i + 1);
  const void *in[1] = {x};
  void *out[2] = {y, idx};
  assert_true(spcc_eval_max_pool(g, &g->nodes[0], in, out, &d));
  const float want[] = {7, 9, 10, 17, 19, 20, 22, 24, 25};
  assert_close(y, want, 9, 0);
  assert_true(idx[0] == 6 && idx[8] == 24);
  spcc_graph_free(g);

  /* AveragePool ceil_mode: 5 -> ceil((5 - 3) / 2) + 1 = 2 ... and 3 with 6. */
  g = pool_graph(SPCC_OP_AVERAGE_POOL, SPCC_DT_F32, false);
  spcc_node_set_ints(g, 0, "kernel_shape", 2, (const int64_t[]){2, 2});
  spcc_node_set_ints(g, 0, "strides", 2, s2);
  spcc_node_set_int(g, 0, "ceil_mode", 1);
  assert_true(spcc_shape_average_pool(g, &g->nodes[0], &d));
  ty = &g->values[g->nodes[0].out[0]].type;
  assert_true(ty->dims[2] == 3 && ty->dims[3] == 3);
  spcc_graph_free(g);

  /* Missing kernel_shape; unsupported element types. */
  g = pool_graph(SPCC_OP_MAX_POOL, SPCC_DT_F32, false);
  assert_false(spcc_shape_max_pool(g, &g->nodes[0], &d));
  assert_non_null(strstr(d.first_error, "kernel_shape"));
  spcc_graph_free(g);
  g = pool_graph(SPCC_OP_AVERAGE_POOL, SPCC_DT_U8, false);
  spcc_node_set_ints(g, 0, "kernel_shape", 2, k3);
  spcc_diag_init(&d, NULL);
  assert_false(spcc_shape_average_pool(g, &g->nodes[0], &d));
  assert_non_null(strstr(d.first_error, "unsupported element type u8"));
  spcc_graph_free(g);
  g = pool_graph(SPCC_OP_MAX_POOL, SPCC_DT_I32, false);
  spcc_node_set_ints(g, 0, "kernel_shape", 2, k3);
  spcc_diag_init(&d, NULL);
  assert_false(spcc_shape_max_pool(g, &g->nodes[0], &d));
  assert_non_null(strstr(d.first_error, "unsupported element type i32"));
  spcc_graph_free(g);

  /* GlobalAveragePool keeps N, C and sets spatial dims to 1. */
  g = pool_graph(SPCC_OP_GLOBAL_AVERAGE_POOL, SPCC_DT_F32, false);
  spcc_diag_init(&d, NULL);
  assert_true(spcc_shape_global_average_pool(g, &g->nodes[0], &d));
  ty = &g->values[g->nodes[0].out[0]].type;
  assert_true(ty->rank == 4 && ty->dims[1] == 1 && ty->dims[2] == 1 && ty->dims[3] == 1);
  out[0] = y;
  assert_true(spcc_eval_global_average_pool(g, &g->nodes[0], in, out, &d));
  assert_true(y[0] == 13);
  spcc_graph_free(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_conv_valid_bias),
      cmocka_unit_test(test_conv_padded_no_bias),
      cmocka_unit_test(test_conv_strided_padded),
      cmocka_unit_test(test_conv_depthwise_multiplier),
      cmocka_unit_test(test_conv_1d_dilated_strided_odd),
      cmocka_unit_test(test_conv_wide_row_blocks),
      cmocka_unit_test(test_conv_3d_and_f64),
      cmocka_unit_test(test_conv_random_vs_naive),
      cmocka_unit_test(test_conv_gemm_random_vs_naive),
      cmocka_unit_test(test_max_pool_indices),
      cmocka_unit_test(test_max_pool_padded_and_channels),
      cmocka_unit_test(test_max_pool_integers_and_empty_window),
      cmocka_unit_test(test_average_pool_pads),
      cmocka_unit_test(test_average_pool_ceil_f64),
      cmocka_unit_test(test_global_average_pool),
      cmocka_unit_test(test_shape_conv_same_lower_eval),
      cmocka_unit_test(test_shape_conv_errors),
      cmocka_unit_test(test_shape_pools),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
