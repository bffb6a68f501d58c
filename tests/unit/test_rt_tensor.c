/* test_rt_tensor.c - data movement: the type-generic kernels on hand-made
 * cases (every element size, odd sizes, zero-size inputs), and the shape
 * rules plus compile-time evaluation of Reshape (0 / -1 / allowzero, the
 * opset < 5 attribute, a non-constant shape), Flatten, Transpose (checked
 * against a naive gather for every permutation of a 4-D tensor, which
 * exercises the axis merging) and Concat. */
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

/* ---- kernels ------------------------------------------------------------- */

static void test_reshape_copy(void **state) {
  (void)state;
  const int16_t x[] = {1, -2, 3};
  int16_t y[3] = {0};
  const spcc_reshape_params p = {.bytes = sizeof x};
  spcc_reshape(&p, x, y);
  assert_memory_equal(x, y, sizeof x);
  const spcc_reshape_params z = {.bytes = 0};
  spcc_reshape(&z, NULL, NULL); /* zero-size: touches nothing */
}

static void test_transpose_2d_sizes(void **state) {
  (void)state;
  /* [2,3] -> [3,2]: output axis 0 steps the input by 1, axis 1 by 3. */
  const spcc_transpose_params p4 = {.elem_size = 4, .rank = 2, .dims = {3, 2},
                                    .in_strides = {1, 3}};
  const float xf[] = {1, 2, 3, 4, 5, 6};
  float yf[6];
  spcc_transpose(&p4, xf, yf);
  const float wf[] = {1, 4, 2, 5, 3, 6};
  assert_memory_equal(yf, wf, sizeof wf);

  spcc_transpose_params p = p4;
  const uint8_t xb[] = {1, 2, 3, 4, 5, 6};
  uint8_t yb[6];
  p.elem_size = 1;
  spcc_transpose(&p, xb, yb);
  const uint8_t wb[] = {1, 4, 2, 5, 3, 6};
  assert_memory_equal(yb, wb, sizeof wb);

  const int64_t xl[] = {-1, 2, -3, 4, -5, INT64_MIN};
  int64_t yl[6];
  p.elem_size = 8;
  spcc_transpose(&p, xl, yl);
  const int64_t wl[] = {-1, 4, 2, -5, -3, INT64_MIN};
  assert_memory_equal(yl, wl, sizeof wl);

  /* A 3-byte element takes the generic path. */
  const char xs[] = "aaabbbcccdddeeefff";
  char ys[19] = {0};
  p.elem_size = 3;
  spcc_transpose(&p, xs, ys);
  assert_string_equal(ys, "aaadddbbbeeecccfff");
}

static void test_transpose_large_tiles(void **state) {
  (void)state;
  /* 37 x 70 (odd, crosses the 32x32 tiles) in 3-D with an outer axis. */
  enum { B = 2, R = 37, C = 70 };
  static uint16_t x[B * R * C], y[B * C * R];
  for (int i = 0; i < B * R * C; i++) x[i] = (uint16_t)i;
  const spcc_transpose_params p = {.elem_size = 2, .rank = 3, .dims = {B, C, R},
                                   .in_strides = {R * C, 1, C}};
  spcc_transpose(&p, x, y);
  for (int b = 0; b < B; b++)
    for (int c = 0; c < C; c++)
      for (int r = 0; r < R; r++) assert_int_equal(y[(b * C + c) * R + r], x[(b * R + r) * C + c]);
}

static void test_concat_rows(void **state) {
  (void)state;
  /* [2,1] ++ [2,0] ++ [2,2] on axis 1 -> [2,3] of int32. */
  const int32_t a[] = {1, 2}, c[] = {3, 4, 5, 6};
  int32_t y[6] = {0};
  const spcc_concat_params pa = {.outer = 2, .chunk = 4, .out_chunk = 12, .offset = 0};
  const spcc_concat_params pb = {.outer = 2, .chunk = 0, .out_chunk = 12, .offset = 4};
  const spcc_concat_params pc = {.outer = 2, .chunk = 8, .out_chunk = 12, .offset = 4};
  spcc_concat(&pa, a, y);
  spcc_concat(&pb, NULL, y);
  spcc_concat(&pc, c, y);
  const int32_t want[] = {1, 3, 4, 2, 5, 6};
  assert_memory_equal(y, want, sizeof want);
}

/* ---- shape rules and evaluation through a graph ----------------------------- */

static int add_shape_const(spcc_graph *g, int n, const int64_t *v) {
  const int64_t dims[1] = {n};
  spcc_type t = spcc_type_make(SPCC_DT_I64, 1, dims);
  int64_t *data = malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
  memcpy(data, v, sizeof(int64_t) * (size_t)n);
  return spcc_graph_add_const(g, gb_fresh_name(g), &t, data);
}

static int add_node(spcc_graph *g, spcc_op op, int opset, int n_in, const int *in) {
  int out = spcc_graph_add_value(g, gb_fresh_name(g), NULL, SPCC_VAL_TEMP);
  int idx = spcc_graph_add_node(g, op, n_in, in, 1, &out);
  g->nodes[idx].opset = opset;
  return idx;
}

static bool infer(spcc_graph *g, spcc_diag *d) {
  spcc_diag_init(d, NULL);
  return spcc_pass_shape_infer(g, NULL, d);
}

static const spcc_type *out_type(const spcc_graph *g, int node) {
  return &g->values[g->nodes[node].out[0]].type;
}

static void check_dims(const spcc_type *t, int rank, const int64_t *dims) {
  assert_int_equal(t->rank, rank);
  for (int r = 0; r < rank; r++) assert_int_equal(t->dims[r], dims[r]);
}

/* Reshape of x [2,3,4] (or dims) by shape; returns the node's success. */
static bool reshape_case(int opset, int allowzero, int n, const int64_t *shape, int xrank,
                         const int64_t *xdims, spcc_type *out, spcc_diag *d) {
  spcc_graph *g = spcc_graph_new("t", "t.onnx");
  int in[2] = {gb_input_value(g, "x", SPCC_DT_F32, xrank, xdims), -1};
  int node;
  if (opset < 5) {
    node = add_node(g, SPCC_OP_RESHAPE, opset, 1, in);
    spcc_node_set_ints(g, node, "shape", n, shape);
  } else {
    in[1] = add_shape_const(g, n, shape);
    node = add_node(g, SPCC_OP_RESHAPE, opset, 2, in);
  }
  if (allowzero) spcc_node_set_int(g, node, "allowzero", 1);
  bool ok = infer(g, d);
  if (ok) *out = *out_type(g, node);
  spcc_graph_free(g);
  return ok;
}

static void test_reshape_rules(void **state) {
  (void)state;
  const int64_t x[] = {2, 3, 4}, x0[] = {0, 3, 4};
  spcc_type t;
  spcc_diag d;
  const int64_t s1[] = {0, -1, 2}, w1[] = {2, 6, 2};
  assert_true(reshape_case(14, 0, 3, s1, 3, x, &t, &d));
  check_dims(&t, 3, w1);
  assert_true(reshape_case(1, 0, 3, s1, 3, x, &t, &d)); /* the opset < 5 attribute */
  check_dims(&t, 3, w1);
  const int64_t s2[] = {3, 4, 0}; /* allowzero keeps the 0 */
  assert_true(reshape_case(14, 1, 3, s2, 3, x0, &t, &d));
  check_dims(&t, 3, s2);
  const int64_t s3[] = {-1, -1};
  assert_false(reshape_case(14, 0, 2, s3, 3, x, &t, &d));
  const int64_t s4[] = {5, -1};
  assert_false(reshape_case(14, 0, 2, s4, 3, x, &t, &d));
  const int64_t s5[] = {2, 3, 5};
  assert_false(reshape_case(14, 0, 3, s5, 3, x, &t, &d));
  assert_non_null(strstr(d.first_error, "mismatch"));
  const int64_t s6[] = {0, 0, 0, 0};
  assert_false(reshape_case(14, 0, 4, s6, 3, x, &t, &d));

  /* A shape that is not a constant is unsupported. */
  spcc_graph *g = spcc_graph_new("t", "t.onnx");
  const int64_t three[] = {3};
  int in[2] = {gb_input_value(g, "x", SPCC_DT_F32, 3, x), gb_input_value(g, "s", SPCC_DT_I64, 1, three)};
  add_node(g, SPCC_OP_RESHAPE, 13, 2, in);
  assert_false(infer(g, &d));
  assert_non_null(strstr(d.first_error, "unsupported"));
  spcc_graph_free(g);
}

static void test_flatten_rule(void **state) {
  (void)state;
  const int64_t x[] = {2, 3, 4, 5};
  const int axes[] = {0, 1, 3, 4, -1, -4};
  const int64_t want[][2] = {{1, 120}, {2, 60}, {24, 5}, {120, 1}, {24, 5}, {1, 120}};
  spcc_diag d;
  for (int i = 0; i < 6; i++) {
    spcc_graph *g = spcc_graph_new("t", "t.onnx");
    int in[1] = {gb_input_value(g, "x", SPCC_DT_BOOL, 4, x)};
    int node = add_node(g, SPCC_OP_FLATTEN, 13, 1, in);
    spcc_node_set_int(g, node, "axis", axes[i]);
    assert_true(infer(g, &d));
    check_dims(out_type(g, node), 2, want[i]);
    spcc_graph_free(g);
  }
  /* Negative axes arrived in opset 11. */
  spcc_graph *g = spcc_graph_new("t", "t.onnx");
  int in[1] = {gb_input_value(g, "x", SPCC_DT_F32, 4, x)};
  int node = add_node(g, SPCC_OP_FLATTEN, 9, 1, in);
  spcc_node_set_int(g, node, "axis", -1);
  assert_false(infer(g, &d));
  spcc_graph_free(g);
}

/* Every permutation of [2,1,3,4] (a size-1 axis to drop, others to merge)
 * against a naive gather, for int8 and double. */
static void test_transpose_all_perms(void **state) {
  (void)state;
  const int64_t xd[] = {2, 1, 3, 4};
  int8_t x8[24], y8[24];
  double xdbl[24], ydbl[24];
  for (int i = 0; i < 24; i++) {
    x8[i] = (int8_t)(i - 12);
    xdbl[i] = i * 0.5;
  }
  int perms = 0;
  for (int a = 0; a < 4; a++)
    for (int b = 0; b < 4; b++)
      for (int c = 0; c < 4; c++)
        for (int e = 0; e < 4; e++) {
          if (a == b || a == c || a == e || b == c || b == e || c == e) continue;
          const int64_t perm[] = {a, b, c, e};
          for (int t = 0; t < 2; t++) {
            spcc_graph *g = spcc_graph_new("t", "t.onnx");
            int in[1] = {gb_input_value(g, "x", t ? SPCC_DT_F64 : SPCC_DT_I8, 4, xd)};
            int node = add_node(g, SPCC_OP_TRANSPOSE, 13, 1, in);
            spcc_node_set_ints(g, node, "perm", 4, perm);
            spcc_diag d;
            assert_true(infer(g, &d));
            const spcc_type *yt = out_type(g, node);
            const void *ins[1] = {t ? (const void *)xdbl : (const void *)x8};
            void *outs[1] = {t ? (void *)ydbl : (void *)y8};
            assert_true(spcc_eval_node(g, &g->nodes[node], ins, outs, &d));
            const int64_t st[] = {12, 12, 4, 1};
            int64_t idx[4];
            for (int o = 0; o < 24; o++) {
              int64_t rem = o, src = 0;
              for (int r = 3; r >= 0; r--) {
                idx[r] = rem % yt->dims[r];
                rem /= yt->dims[r];
              }
              for (int r = 0; r < 4; r++) src += idx[r] * st[perm[r]];
              if (t)
                assert_true(ydbl[o] == xdbl[src]);
              else
                assert_int_equal(y8[o], x8[src]);
            }
            spcc_graph_free(g);
          }
          perms++;
        }
  assert_int_equal(perms, 24);
}

static void test_concat_rule(void **state) {
  (void)state;
  spcc_graph *g = spcc_graph_new("t", "t.onnx");
  const int64_t a[] = {2, 2, 1}, b[] = {2, 0, 1}, c[] = {2, 1, 1};
  int in[3] = {gb_input_value(g, "a", SPCC_DT_U8, 3, a), gb_input_value(g, "b", SPCC_DT_U8, 3, b),
               gb_input_value(g, "c", SPCC_DT_U8, 3, c)};
  int node = add_node(g, SPCC_OP_CONCAT, 13, 3, in);
  spcc_node_set_int(g, node, "axis", -2);
  spcc_diag d;
  assert_true(infer(g, &d));
  const int64_t w[] = {2, 3, 1};
  check_dims(out_type(g, node), 3, w);
  const uint8_t xa[] = {1, 2, 3, 4}, xc[] = {9, 8};
  uint8_t y[6];
  const void *ins[3] = {xa, NULL, xc};
  void *outs[1] = {y};
  assert_true(spcc_eval_node(g, &g->nodes[node], ins, outs, &d));
  const uint8_t want[] = {1, 2, 9, 3, 4, 8};
  assert_memory_equal(y, want, 6);
  spcc_graph_free(g);

  /* Mismatched off-axis dims are an error. */
  g = spcc_graph_new("t", "t.onnx");
  const int64_t e[] = {3, 2, 1};
  in[0] = gb_input_value(g, "a", SPCC_DT_U8, 3, a);
  in[1] = gb_input_value(g, "e", SPCC_DT_U8, 3, e);
  node = add_node(g, SPCC_OP_CONCAT, 13, 2, in);
  spcc_node_set_int(g, node, "axis", 1);
  assert_false(infer(g, &d));
  assert_non_null(strstr(d.first_error, "mismatch"));
  spcc_graph_free(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reshape_copy),
      cmocka_unit_test(test_transpose_2d_sizes),
      cmocka_unit_test(test_transpose_large_tiles),
      cmocka_unit_test(test_concat_rows),
      cmocka_unit_test(test_reshape_rules),
      cmocka_unit_test(test_flatten_rule),
      cmocka_unit_test(test_transpose_all_perms),
      cmocka_unit_test(test_concat_rule),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
