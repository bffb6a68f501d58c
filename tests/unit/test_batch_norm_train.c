/* test_batch_norm_train.c - BatchNormalization in training mode
 * (training_mode=1, opset >= 14): the runtime kernels against a plain
 * long-double reference on several shapes (rank 2 to 4, batch above 1, data
 * far from zero so a one-pass variance would show), a hand-computed case,
 * omitted running outputs, and the shape rule plus compile-time evaluation
 * through a small graph, including the forms that stay unsupported. */
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

#define MAX_ELEMS 512
#define MAX_CH 8

/* Deterministic data in [-1, 1), so failures reproduce. */
static double next_unit(uint32_t *state) {
  *state = *state * 1664525u + 1013904223u;
  return (double)(*state >> 8) / (double)(1u << 23) - 1.0;
}

typedef struct {
  long double y[MAX_ELEMS], run_mean[MAX_CH], run_var[MAX_CH];
} reference;

/* The ONNX formulas, one element at a time, in long double. */
static void reference_bn(const spcc_batch_norm_train_params *p, const double *x,
                         const double *scale, const double *bias, const double *in_mean,
                         const double *in_var, reference *r) {
  const int64_t nc = p->channels, inner = p->inner, count = p->batch * inner;
  for (int64_t c = 0; c < nc; c++) {
    long double sum = 0, sq = 0;
    for (int64_t b = 0; b < p->batch; b++)
      for (int64_t i = 0; i < inner; i++) sum += x[(b * nc + c) * inner + i];
    const long double mean = sum / count;
    for (int64_t b = 0; b < p->batch; b++)
      for (int64_t i = 0; i < inner; i++) {
        const long double dv = x[(b * nc + c) * inner + i] - mean;
        sq += dv * dv;
      }
    const long double var = sq / count;
    for (int64_t b = 0; b < p->batch; b++)
      for (int64_t i = 0; i < inner; i++) {
        const int64_t at = (b * nc + c) * inner + i;
        r->y[at] = (x[at] - mean) / sqrtl(var + p->epsilon) * scale[c] + bias[c];
      }
    r->run_mean[c] = in_mean[c] * (long double)p->momentum + mean * (1 - (long double)p->momentum);
    r->run_var[c] = in_var[c] * (long double)p->momentum + var * (1 - (long double)p->momentum);
  }
}

static void expect_close(const char *what, int i, double got, long double want, double tol) {
  if (!(fabsl((long double)got - want) <= tol * (1 + fabsl(want)))) {
    print_error("%s[%d]: got %.17g want %.17Lg\n", what, i, got, want);
    fail();
  }
}

/* One shape: dims[0] = batch, dims[1] = channels, the rest inner. */
static void check_shape(int rank, const int64_t *dims, double offset, double spread) {
  spcc_batch_norm_train_params p = {.batch = dims[0], .channels = dims[1], .inner = 1,
                                    .epsilon = 1e-5, .momentum = 0.9};
  for (int r = 2; r < rank; r++) p.inner *= dims[r];
  const int64_t n = p.batch * p.channels * p.inner, nc = p.channels;
  assert_true(n <= MAX_ELEMS && nc <= MAX_CH);
  uint32_t seed = (uint32_t)(n * 31 + nc);
  double x[MAX_ELEMS], scale[MAX_CH], bias[MAX_CH], mean[MAX_CH], var[MAX_CH];
  float xf[MAX_ELEMS], scalef[MAX_CH], biasf[MAX_CH], meanf[MAX_CH], varf[MAX_CH];
  for (int64_t i = 0; i < n; i++) {
    xf[i] = (float)(offset + spread * next_unit(&seed));
    x[i] = xf[i]; /* both kernels see the same values */
  }
  for (int64_t c = 0; c < nc; c++) {
    scalef[c] = (float)(1.5 * next_unit(&seed));
    biasf[c] = (float)next_unit(&seed);
    meanf[c] = (float)next_unit(&seed);
    varf[c] = (float)(1.25 + next_unit(&seed));
    scale[c] = scalef[c], bias[c] = biasf[c], mean[c] = meanf[c], var[c] = varf[c];
  }
  static reference r;
  reference_bn(&p, x, scale, bias, mean, var, &r);

  double y[MAX_ELEMS], rm[MAX_CH], rv[MAX_CH];
  spcc_batch_norm_train_f64(&p, x, scale, bias, mean, var, y, rm, rv);
  for (int64_t i = 0; i < n; i++) expect_close("f64 y", (int)i, y[i], r.y[i], 1e-12);
  for (int64_t c = 0; c < nc; c++) {
    expect_close("f64 running_mean", (int)c, rm[c], r.run_mean[c], 1e-13);
    expect_close("f64 running_var", (int)c, rv[c], r.run_var[c], 1e-13);
  }

  float yf[MAX_ELEMS], rmf[MAX_CH], rvf[MAX_CH];
  spcc_batch_norm_train_f32(&p, xf, scalef, biasf, meanf, varf, yf, rmf, rvf);
  /* f32 y: x - mean loses the digits of x itself when the data sits far
   * from zero, so the tolerance scales with offset / spread. */
  const double ytol = 4e-7 * (1 + fabs(offset) / spread);
  for (int64_t i = 0; i < n; i++) expect_close("f32 y", (int)i, yf[i], r.y[i], ytol);
  for (int64_t c = 0; c < nc; c++) {
    expect_close("f32 running_mean", (int)c, rmf[c], r.run_mean[c], 2e-7);
    expect_close("f32 running_var", (int)c, rvf[c], r.run_var[c], 2e-7);
  }
}

static void test_kernels_against_reference(void **state) {
  (void)state;
  const int64_t r2[] = {6, 3}, r3[] = {3, 2, 7}, r4[] = {2, 3, 4, 5}, n1[] = {1, 4, 9};
  const int64_t r4b[] = {3, 2, 2, 3};
  check_shape(2, r2, 0, 1);
  check_shape(3, r3, 0, 2);
  check_shape(4, r4, 0, 1);
  check_shape(3, n1, 0, 1);
  /* Mean 1000 with spread 0.5: E[x^2] - E[x]^2 in f32 would be noise. */
  check_shape(4, r4b, 1000, 0.5);
  check_shape(2, r2, -250, 3);
}

static void test_hand_computed(void **state) {
  (void)state;
  /* batch 2, 2 channels, inner 1: ch0 {1, 3} (mean 2, var 1), ch1 {4, 4}. */
  const float x[] = {1, 4, 3, 4};
  const float scale[] = {2, 3}, bias[] = {0.5f, -1}, in_mean[] = {10, 0}, in_var[] = {5, 1};
  const spcc_batch_norm_train_params p = {.batch = 2, .channels = 2, .inner = 1,
                                          .epsilon = 0, .momentum = 0.5};
  float y[4], rm[2], rv[2];
  spcc_batch_norm_train_f32(&p, x, scale, bias, in_mean, in_var, y, rm, rv);
  /* ch1 has var 0 and eps 0: 0/0 is NaN, as the formula says. */
  assert_true(y[0] == -1.5f && y[2] == 2.5f);
  assert_true(isnan(y[1]) && isnan(y[3]));
  assert_true(rm[0] == 6 && rm[1] == 2 && rv[0] == 3 && rv[1] == 0.5f);

  /* Omitted running outputs: Y alone, unchanged. */
  float y2[4];
  spcc_batch_norm_train_f32(&p, x, scale, bias, in_mean, in_var, y2, NULL, NULL);
  assert_true(y2[0] == y[0] && y2[2] == y[2]);

  /* An empty batch: statistics of nothing are NaN, Y has no elements. */
  const spcc_batch_norm_train_params empty = {.batch = 0, .channels = 2, .inner = 3,
                                              .epsilon = 1e-5, .momentum = 0.9};
  double dm[2] = {1, 1}, dv[2] = {1, 1};
  const double ds[2] = {1, 1}, db[2] = {0, 0};
  spcc_batch_norm_train_f64(&empty, NULL, ds, db, ds, ds, NULL, dm, dv);
  assert_true(isnan(dm[0]) && isnan(dv[1]));
}

/* ---- shape rule and compile-time evaluation ------------------------------- */

typedef struct {
  spcc_graph *g;
  int node;
} bn_graph;

/* x [2,3,4] and four [3] parameters as inputs; present[k] false omits
 * output k; training_mode < 0 leaves the attribute out. */
static bn_graph build(int opset, int n_out, const bool *present, int64_t training_mode) {
  bn_graph b;
  b.g = spcc_graph_new("t", "t.onnx");
  const int64_t dx[] = {2, 3, 4}, dc[] = {3};
  int in[5];
  in[0] = gb_input_value(b.g, "x", SPCC_DT_F32, 3, dx);
  for (int k = 1; k < 5; k++) in[k] = gb_input_value(b.g, NULL, SPCC_DT_F32, 1, dc);
  int out[5];
  for (int k = 0; k < n_out; k++)
    out[k] = present[k] ? spcc_graph_add_value(b.g, gb_fresh_name(b.g), NULL, SPCC_VAL_TEMP) : -1;
  b.node = spcc_graph_add_node(b.g, SPCC_OP_BATCH_NORM, 5, in, n_out, out);
  b.g->nodes[b.node].opset = opset;
  if (training_mode >= 0) spcc_node_set_int(b.g, b.node, "training_mode", training_mode);
  spcc_node_set_float(b.g, b.node, "momentum", 0.75f);
  return b;
}

static bool infer(bn_graph *b, spcc_diag *d) {
  spcc_diag_init(d, NULL);
  return spcc_pass_shape_infer(b->g, NULL, d);
}

static void test_shape_and_eval(void **state) {
  (void)state;
  spcc_diag d;
  const bool all[] = {true, true, true}, no_mean[] = {true, false, true};
  bn_graph b = build(15, 3, all, 1);
  assert_true(infer(&b, &d));
  const spcc_node *n = &b.g->nodes[b.node];
  const spcc_type *y = &b.g->values[n->out[0]].type, *rv = &b.g->values[n->out[2]].type;
  assert_true(y->rank == 3 && y->dims[0] == 2 && y->dims[1] == 3 && y->dims[2] == 4);
  assert_true(rv->rank == 1 && rv->dims[0] == 3 && rv->dtype == SPCC_DT_F32);

  float x[24], scale[3] = {1, 2, -1}, bias[3] = {0, 1, 2}, mean[3] = {1, 2, 3},
        var[3] = {1, 1, 2};
  for (int i = 0; i < 24; i++) x[i] = (float)((i * 7) % 11) - 3;
  const void *ins[5] = {x, scale, bias, mean, var};
  float got_y[24], got_m[3], got_v[3];
  void *outs[3] = {got_y, got_m, got_v};
  assert_true(spcc_eval_node(b.g, n, ins, outs, &d));
  /* The same kernel with the attributes the node carries. */
  const spcc_batch_norm_train_params p = {.batch = 2, .channels = 3, .inner = 4,
                                          .epsilon = (double)1e-5f, .momentum = 0.75};
  float want_y[24], want_m[3], want_v[3];
  spcc_batch_norm_train_f32(&p, x, scale, bias, mean, var, want_y, want_m, want_v);
  assert_memory_equal(got_y, want_y, sizeof want_y);
  assert_memory_equal(got_m, want_m, sizeof want_m);
  assert_memory_equal(got_v, want_v, sizeof want_v);
  spcc_graph_free(b.g);

  /* running_mean omitted: the rest still typed and evaluated. */
  b = build(14, 3, no_mean, 1);
  assert_true(infer(&b, &d));
  n = &b.g->nodes[b.node];
  assert_int_equal(b.g->values[n->out[2]].type.dims[0], 3);
  float scratch[3], got_v2[3];
  void *outs2[3] = {got_y, scratch, got_v2};
  assert_true(spcc_eval_node(b.g, n, ins, outs2, &d));
  assert_memory_equal(got_v2, want_v, sizeof want_v);
  spcc_graph_free(b.g);

  /* Y alone in training mode still uses the batch statistics. */
  b = build(15, 1, all, 1);
  assert_true(infer(&b, &d));
  assert_true(spcc_eval_node(b.g, &b.g->nodes[b.node], ins, outs, &d));
  assert_memory_equal(got_y, want_y, sizeof want_y);
  spcc_graph_free(b.g);
}

static void test_unsupported_forms(void **state) {
  (void)state;
  spcc_diag d;
  const bool all[] = {true, true, true, true, true};
  /* Running outputs without training_mode=1 are invalid ONNX. */
  bn_graph b = build(15, 3, all, -1);
  assert_false(infer(&b, &d));
  assert_non_null(strstr(d.first_error, "unsupported"));
  spcc_graph_free(b.g);
  /* Opset 9's five training outputs stay unsupported. */
  b = build(9, 5, all, -1);
  assert_false(infer(&b, &d));
  assert_non_null(strstr(d.first_error, "unsupported"));
  spcc_graph_free(b.g);
  /* More than three outputs at opset 15 is malformed, not unsupported. */
  b = build(15, 5, all, 1);
  assert_false(infer(&b, &d));
  assert_null(strstr(d.first_error, "unsupported"));
  spcc_graph_free(b.g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_kernels_against_reference),
      cmocka_unit_test(test_hand_computed),
      cmocka_unit_test(test_shape_and_eval),
      cmocka_unit_test(test_unsupported_forms),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
