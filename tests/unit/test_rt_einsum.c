/* test_rt_einsum.c - Einsum: the equation plan (passes/shapes/einsum.c) and
 * the kernel (runtime/einsum.c) through the shape rule and evaluator, on
 * equations the ONNX tests do not cover: implicit outputs, ellipsis axes
 * that broadcast, size-1 broadcasting, diagonals and traces, three
 * operands, full reductions, integer wraparound; and the refusals. Each
 * result is compared with a plain loop nest written out per equation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/c/ops.h"
#include "passes/passes.h"
#include "spcc/spcc_rt.h"
#include "support/op_fixture.h"

/* Adds an Einsum node over inputs of the given shapes, infers its type and
 * evaluates it on data; returns the output type (NULL after a shape error). */
static const spcc_type *einsum(op_fixture *f, const char *eq, spcc_dtype dt, int n_in,
                               const int *ranks, const int64_t dims[][SPCC_MAX_RANK],
                               const void *const *data, void *out) {
  int in[8];
  for (int k = 0; k < n_in; k++) in[k] = fx_value(f, dt, ranks[k], dims[k]);
  spcc_node *n = fx_node(f, SPCC_OP_EINSUM, n_in, in, 12);
  spcc_node_set_string(f->g, (int)(n - f->g->nodes), "equation", eq);
  n = &f->g->nodes[f->g->n_nodes - 1];
  if (!spcc_shape_einsum(f->g, n, &f->d)) return NULL;
  assert_true(spcc_eval_node(f->g, n, data, (void *const *)&out, &f->d));
  return fx_out_type(f, n);
}

static float *seq(int n, float start, float step) {
  float *v = malloc(sizeof(float) * (size_t)n);
  assert_non_null(v);
  for (int i = 0; i < n; i++) v[i] = start + step * (float)i;
  return v;
}

static void matmul_explicit_and_implicit(void **state) {
  op_fixture *f = *state;
  float *a = seq(6, 1, 1), *b = seq(6, -2, 0.5f), y[6], z[6];
  const int ranks[2] = {2, 2};
  const int64_t dims[2][SPCC_MAX_RANK] = {{2, 3}, {3, 2}};
  const void *data[2] = {a, b};
  const spcc_type *t = einsum(f, "ij, jk -> ik", SPCC_DT_F32, 2, ranks, dims, data, y);
  assert_non_null(t);
  assert_int_equal(t->rank, 2);
  assert_true(t->dims[0] == 2 && t->dims[1] == 2);
  assert_non_null(einsum(f, "ij,jk", SPCC_DT_F32, 2, ranks, dims, data, z)); /* -> ik */
  for (int i = 0; i < 2; i++)
    for (int k = 0; k < 2; k++) {
      float s = 0;
      for (int j = 0; j < 3; j++) s += a[i * 3 + j] * b[j * 2 + k];
      assert_true(y[i * 2 + k] == s && z[i * 2 + k] == s);
    }
  /* Implicit order is ASCII: "ba" gives [a, b], a transpose. */
  const int r1[1] = {2};
  const int64_t d1[1][SPCC_MAX_RANK] = {{2, 3}};
  const void *one[1] = {a};
  assert_non_null(einsum(f, "ba", SPCC_DT_F32, 1, r1, d1, one, y));
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 2; j++) assert_true(y[i * 2 + j] == a[j * 3 + i]);
  free(a);
  free(b);
}

/* "...ij,...jk->...ik" with batch axes [2,1] and [3] broadcasting to [2,3]. */
static void ellipsis_broadcast(void **state) {
  op_fixture *f = *state;
  float *a = seq(2 * 1 * 2 * 3, 0, 1), *b = seq(3 * 3 * 2, 1, -0.25f), y[2 * 3 * 2 * 2];
  const int ranks[2] = {4, 3};
  const int64_t dims[2][SPCC_MAX_RANK] = {{2, 1, 2, 3}, {3, 3, 2}};
  const void *data[2] = {a, b};
  const spcc_type *t = einsum(f, "...ij,...jk->...ik", SPCC_DT_F32, 2, ranks, dims, data, y);
  assert_non_null(t);
  assert_int_equal(t->rank, 4);
  assert_true(t->dims[0] == 2 && t->dims[1] == 3 && t->dims[2] == 2 && t->dims[3] == 2);
  for (int p = 0; p < 2; p++)
    for (int q = 0; q < 3; q++)
      for (int i = 0; i < 2; i++)
        for (int k = 0; k < 2; k++) {
          float s = 0;
          for (int j = 0; j < 3; j++) s += a[(p * 2 + i) * 3 + j] * b[(q * 3 + j) * 2 + k];
          assert_true(y[((p * 3 + q) * 2 + i) * 2 + k] == s);
        }
  free(a);
  free(b);
}

static void diagonal_trace_sum_outer(void **state) {
  op_fixture *f = *state;
  double m[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, y[27];
  const int r2[1] = {2};
  const int64_t d33[1][SPCC_MAX_RANK] = {{3, 3}};
  const void *one[1] = {m};
  assert_non_null(einsum(f, "ii->i", SPCC_DT_F64, 1, r2, d33, one, y));
  assert_true(y[0] == 1 && y[1] == 5 && y[2] == 9);
  const spcc_type *t = einsum(f, "ii", SPCC_DT_F64, 1, r2, d33, one, y); /* trace */
  assert_int_equal(t->rank, 0);
  assert_true(y[0] == 15);
  assert_non_null(einsum(f, "ij->", SPCC_DT_F64, 1, r2, d33, one, y));
  assert_true(y[0] == 45);
  /* Three operands: an outer product i,j,k -> ijk; b broadcasts a size-1 axis. */
  double u[2] = {1, 2}, v[3] = {1, 10, 100}, w[1] = {-1};
  const int r1[3] = {1, 1, 1};
  const int64_t d[3][SPCC_MAX_RANK] = {{2}, {3}, {1}};
  const void *three[3] = {u, v, w};
  t = einsum(f, "i,j,k->ijk", SPCC_DT_F64, 3, r1, d, three, y);
  assert_int_equal(t->rank, 3);
  assert_true(t->dims[0] == 2 && t->dims[1] == 3 && t->dims[2] == 1);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 3; j++) assert_true(y[i * 3 + j] == -u[i] * v[j]);
}

static void integers_wrap(void **state) {
  op_fixture *f = *state;
  int32_t a[2] = {INT32_MAX, 3}, b[2] = {2, INT32_MIN}, y[1];
  const int r[2] = {1, 1};
  const int64_t d[2][SPCC_MAX_RANK] = {{2}, {2}};
  const void *data[2] = {a, b};
  assert_non_null(einsum(f, "i,i", SPCC_DT_I32, 2, r, d, data, y));
  uint32_t want = (uint32_t)INT32_MAX * 2u + 3u * (uint32_t)INT32_MIN;
  assert_int_equal((uint32_t)y[0], want);
}

static void refusals(void **state) {
  op_fixture *f = *state;
  float x[6] = {0}, y[6];
  const int r[2] = {2, 2};
  const int64_t d[2][SPCC_MAX_RANK] = {{2, 3}, {3, 2}};
  const void *data[2] = {x, x};
  static const struct {
    const char *eq;
    const char *msg;
  } bad[] = {
      {"ij,jk->il", "bad output label 'l'"},
      {"ij,jk->ii", "bad output label 'i'"},
      {"ij,jk,kl", "more terms than the 2 inputs"},
      {"ijk,jk", "does not match an input of rank 2"},
      {"ij,ij", "label 'i' has sizes 2 and 3"},
      {"i.j,jk", "bad ellipsis"},
      {"i1,jk", "unexpected '1'"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    f->d.n_errors = 0;
    if (einsum(f, bad[i].eq, SPCC_DT_F32, 2, r, d, data, y)) fail_msg("'%s' accepted", bad[i].eq);
    if (!strstr(f->d.first_error, bad[i].msg))
      fail_msg("'%s': got '%s'", bad[i].eq, f->d.first_error);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(matmul_explicit_and_implicit, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(ellipsis_broadcast, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(diagonal_trace_sum_outer, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(integers_wrap, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(refusals, fx_setup, fx_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
