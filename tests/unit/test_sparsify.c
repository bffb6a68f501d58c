/* test_sparsify.c - pass sparsify: which weights it prunes and how.
 *
 * Graphs are built with the IR API (one MatMul, Gemm or Conv per weight),
 * shape-inferred, and pruned; the checks read the constants back through
 * the weight view so they hold for every layout. What is checked: exact
 * zero counts, magnitude order, deterministic ties, one global threshold,
 * N:M groups, whole blocks (padded edges, transposed layouts), the recipe
 * file and its diagnostics, --prune-skip / --prune-min-elems, and that
 * biases and non-weight constants are never touched.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ir/sparse.h"
#include "passes/passes.h"
#include "support/graph_build.h"

/* ---- graph building ------------------------------------------------------ */

static uint32_t rng_state;

static float rnd(void) { /* uniform in (-1, 1), deterministic */
  rng_state = rng_state * 1664525u + 1013904223u;
  return ((float)(rng_state >> 8) / 16777216.0f) * 2.0f - 1.0f;
}

static float *random_floats(int64_t n, uint32_t seed) {
  rng_state = seed;
  float *p = malloc(sizeof(float) * (size_t)(n ? n : 1));
  for (int64_t i = 0; i < n; i++) p[i] = rnd();
  return p;
}

static float *copy_floats(const float *src, int64_t n) {
  float *p = malloc(sizeof(float) * (size_t)(n ? n : 1));
  memcpy(p, src, sizeof(float) * (size_t)n);
  return p;
}

/* x[p, k] @ W[k, n], W named name. */
static spcc_graph *matmul_graph(int64_t p, int64_t k, int64_t n, float *w) {
  spcc_graph *g = spcc_graph_new("mm", "test.onnx");
  int64_t xd[2] = {p, k}, wd[2] = {k, n};
  int in[2] = {gb_tensor(g, "x", 2, xd, NULL), gb_tensor(g, "W", 2, wd, w)};
  gb_add_output(g, gb_out(g, gb_node(g, SPCC_OP_MATMUL, 2, in, "mm")));
  return g;
}

/* Gemm(x[p, k], B, C[n]) with B [n, k] (transB) or [k, n]. */
static spcc_graph *gemm_graph(int64_t p, int64_t k, int64_t n, int trans_b, float *b, float *c) {
  spcc_graph *g = spcc_graph_new("gemm", "test.onnx");
  int64_t xd[2] = {p, k}, bd[2] = {trans_b ? n : k, trans_b ? k : n};
  int in[3] = {gb_tensor(g, "x", 2, xd, NULL), gb_tensor(g, "B", 2, bd, b),
               c ? gb_tensor(g, "C", 1, &n, c) : -1};
  int node = gb_node(g, SPCC_OP_GEMM, c ? 3 : 2, in, "fc");
  spcc_node_set_int(g, node, "transB", trans_b);
  gb_add_output(g, gb_out(g, node));
  return g;
}

/* Conv(x[1, ci, 6, 6], W[co, ci, 3, 3], bias[co]). */
static spcc_graph *conv_graph(int64_t co, int64_t ci, float *w, float *bias) {
  spcc_graph *g = spcc_graph_new("conv", "test.onnx");
  int64_t xd[4] = {1, ci, 6, 6}, wd[4] = {co, ci, 3, 3};
  int in[3] = {gb_tensor(g, "x", 4, xd, NULL), gb_tensor(g, "Wc", 4, wd, w),
               gb_tensor(g, "bias", 1, &co, bias)};
  gb_add_output(g, gb_out(g, gb_node(g, SPCC_OP_CONV, 3, in, "conv")));
  return g;
}

/* shape-infer, then sparsify; returns what sparsify returned. */
static bool sparsify(spcc_graph *g, const spcc_options *o, spcc_diag *d) {
  assert_true(spcc_pass_shape_infer(g, o, d));
  return spcc_pass_sparsify(g, o, d);
}

/* sparsify, which must succeed (diagnostics to stderr). */
static void sparsify_ok(spcc_graph *g, const spcc_options *o) {
  spcc_diag d;
  spcc_diag_init(&d, stderr);
  assert_true(sparsify(g, o, &d));
}

static float *data_of(spcc_graph *g, const char *name) {
  int v = spcc_graph_find_value(g, name);
  assert_true(v >= 0);
  return (float *)g->consts[g->values[v].const_id].data;
}

static int64_t zeros(const float *p, int64_t n) {
  int64_t z = 0;
  for (int64_t i = 0; i < n; i++) z += p[i] == 0;
  return z;
}

/* ---- magnitude pruning ----------------------------------------------------- */

/* Exactly round(F * numel) zeros, and they are the smallest magnitudes;
 * existing zeros count towards the fraction. */
static void test_prune_fraction_exact(void **state) {
  (void)state;
  const int64_t k = 37, n = 29, numel = k * n;
  const double fractions[] = {0.0, 0.1, 0.25, 0.5, 0.9, 0.999};
  for (size_t f = 0; f < sizeof fractions / sizeof fractions[0]; f++) {
    float *w = random_floats(numel, 7);
    for (int64_t i = 0; i < numel; i += 50) w[i] = 0; /* 22 existing zeros */
    float *orig = copy_floats(w, numel);
    spcc_graph *g = matmul_graph(3, k, n, w);
    spcc_options o = gb_sparse_options();
    o.sparse.prune = fractions[f];
    sparsify_ok(g, &o);
    const float *p = data_of(g, "W");
    int64_t want = (int64_t)floor(fractions[f] * (double)numel + 0.5);
    if (want < 22) want = 22;
    assert_int_equal(zeros(p, numel), want);
    float max_zeroed = 0, min_kept = INFINITY;
    for (int64_t i = 0; i < numel; i++) {
      if (p[i] == 0 && fabsf(orig[i]) > max_zeroed) max_zeroed = fabsf(orig[i]);
      if (p[i] != 0) {
        assert_true(p[i] == orig[i]); /* kept values are untouched */
        if (fabsf(orig[i]) < min_kept) min_kept = fabsf(orig[i]);
      }
    }
    assert_true(max_zeroed <= min_kept);
    free(orig);
    spcc_graph_free(g);
  }
}

/* Halves round up: 0.5 of 9 elements is 5. */
static void test_prune_rounds_half_up(void **state) {
  (void)state;
  spcc_graph *g = matmul_graph(1, 3, 3, random_floats(9, 3));
  spcc_options o = gb_sparse_options();
  o.sparse.prune = 0.5;
  sparsify_ok(g, &o);
  assert_int_equal(zeros(data_of(g, "W"), 9), 5);
  spcc_graph_free(g);
}

/* Equal magnitudes: the later element of the view (row-major over output
 * channel, reduction) is zeroed first, the same for every layout, and the
 * same on every run. */
static void test_prune_ties_deterministic(void **state) {
  (void)state;
  /* Gemm B[n=4, k=4] (transB=1, row-major view) and MatMul W[k=4, n=4]
   * (transposed view) holding the same logical matrix of +-1. */
  float logical[16];
  for (int i = 0; i < 16; i++) logical[i] = (i % 3) ? 1.0f : -1.0f;
  float *b = copy_floats(logical, 16), *w = malloc(sizeof logical);
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 4; c++) w[c * 4 + r] = logical[r * 4 + c];
  spcc_graph *gb = gemm_graph(1, 4, 4, 1, b, NULL), *gw = matmul_graph(1, 4, 4, w);
  spcc_options o = gb_sparse_options();
  o.sparse.prune = 0.375; /* 6 of 16 */
  sparsify_ok(gb, &o);
  sparsify_ok(gw, &o);
  const float *pb = data_of(gb, "B"), *pw = data_of(gw, "W");
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 4; c++) {
      bool zeroed = r * 4 + c >= 10;
      assert_true((pb[r * 4 + c] == 0) == zeroed);
      assert_true((pw[c * 4 + r] == 0) == zeroed);
    }
  spcc_graph_free(gb);
  spcc_graph_free(gw);
}

/* One threshold across weights: the small-magnitude weight loses
 * everything before the large one loses anything. */
static void test_prune_global_threshold(void **state) {
  (void)state;
  spcc_graph *g = spcc_graph_new("two", "test.onnx");
  int64_t xd[2] = {2, 16}, wd[2] = {16, 16};
  float *small = random_floats(256, 1), *large = random_floats(256, 2);
  for (int i = 0; i < 256; i++) large[i] = large[i] >= 0 ? large[i] + 10 : large[i] - 10;
  int in1[2] = {gb_tensor(g, "x", 2, xd, NULL), gb_tensor(g, "Ws", 2, wd, small)};
  int h = gb_out(g, gb_node(g, SPCC_OP_MATMUL, 2, in1, "mm1"));
  int in2[2] = {h, gb_tensor(g, "Wl", 2, wd, large)};
  gb_add_output(g, gb_out(g, gb_node(g, SPCC_OP_MATMUL, 2, in2, "mm2")));
  spcc_options o = gb_sparse_options();
  o.sparse.prune_global = 0.6; /* 307 of 512 */
  sparsify_ok(g, &o);
  assert_int_equal(zeros(data_of(g, "Ws"), 256), 256);
  assert_int_equal(zeros(data_of(g, "Wl"), 256), 51);
  spcc_graph_free(g);

  /* The same weights per layer: 60% of each. */
  g = spcc_graph_new("two", "test.onnx");
  int in3[2] = {gb_tensor(g, "x", 2, xd, NULL), gb_tensor(g, "Ws", 2, wd, random_floats(256, 1))};
  h = gb_out(g, gb_node(g, SPCC_OP_MATMUL, 2, in3, "mm1"));
  int in4[2] = {h, gb_tensor(g, "Wl", 2, wd, random_floats(256, 2))};
  gb_add_output(g, gb_out(g, gb_node(g, SPCC_OP_MATMUL, 2, in4, "mm2")));
  o.sparse.prune_global = 0;
  o.sparse.prune = 0.6;
  sparsify_ok(g, &o);
  assert_int_equal(zeros(data_of(g, "Ws"), 256), 154);
  assert_int_equal(zeros(data_of(g, "Wl"), 256), 154);
  spcc_graph_free(g);
}

/* ---- N:M ------------------------------------------------------------------ */

static void check_nm(const float *p, const float *orig, const spcc_weight_view *v, int n, int m) {
  assert_true(spcc_weight_fits_nm(p, v, n, m));
  for (int64_t r = 0; r < v->rows; r++)
    for (int64_t c0 = 0; c0 < v->cols; c0 += m) {
      int s = (int)(v->cols - c0 < m ? v->cols - c0 : m);
      int kept = 0;
      float min_kept = INFINITY, max_zeroed = 0;
      for (int j = 0; j < s; j++) {
        int64_t at = spcc_weight_at(v, r, c0 + j);
        if (p[at] != 0) {
          kept++;
          assert_true(p[at] == orig[at]);
          if (fabsf(orig[at]) < min_kept) min_kept = fabsf(orig[at]);
        } else if (fabsf(orig[at]) > max_zeroed) {
          max_zeroed = fabsf(orig[at]);
        }
      }
      assert_int_equal(kept, s < n ? s : n); /* random data has no zeros */
      assert_true(max_zeroed <= min_kept);
    }
}

static void test_nm_keeps_largest(void **state) {
  (void)state;
  const int patterns[][2] = {{2, 4}, {1, 4}, {2, 8}, {3, 16}, {1, 2}, {5, 7}};
  for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
    int n = patterns[i][0], m = patterns[i][1];
    /* MatMul: groups run along K, axis 0 of W[K, N]; K = 30 leaves a
     * partial group for most M. */
    float *w = random_floats(30 * 6, 11);
    float *orig = copy_floats(w, 30 * 6);
    spcc_graph *g = matmul_graph(2, 30, 6, w);
    spcc_options o = gb_sparse_options();
    o.sparse.nm_n = n;
    o.sparse.nm_m = m;
    sparsify_ok(g, &o);
    spcc_weight_view v = {.rows = 6, .cols = 30, .transposed = true};
    check_nm(data_of(g, "W"), orig, &v, n, m);
    free(orig);
    spcc_graph_free(g);

    /* Conv: groups run along Cin x kh x kw (row-major). */
    float *wc = random_floats(5 * 3 * 9, 12);
    orig = copy_floats(wc, 5 * 27);
    g = conv_graph(5, 3, wc, random_floats(5, 13));
    sparsify_ok(g, &o);
    spcc_weight_view vc = {.rows = 5, .cols = 27, .transposed = false};
    check_nm(data_of(g, "Wc"), orig, &vc, n, m);
    free(orig);
    spcc_graph_free(g);
  }
}

/* Equal magnitudes in a group: the lower positions are kept. */
static void test_nm_ties(void **state) {
  (void)state;
  float *b = malloc(sizeof(float) * 8);
  for (int i = 0; i < 8; i++) b[i] = (i & 1) ? -2.0f : 2.0f;
  spcc_graph *g = gemm_graph(1, 8, 1, 1, b, NULL); /* B[1, 8]: one row */
  spcc_options o = gb_sparse_options();
  o.sparse.nm_n = 2;
  o.sparse.nm_m = 4;
  sparsify_ok(g, &o);
  const float *p = data_of(g, "B");
  const float want[8] = {2, -2, 0, 0, 2, -2, 0, 0};
  assert_memory_equal(p, want, sizeof want);
  spcc_graph_free(g);
}

/* ---- blocks ----------------------------------------------------------------- */

/* Every R x C block of the view (edge blocks cut short) is all zero or all
 * as it was; returns the zero blocks. */
static int64_t check_whole_blocks(const float *p, const float *orig, const spcc_weight_view *v,
                                  int br, int bc) {
  int64_t zero_blocks = 0;
  for (int64_t r0 = 0; r0 < v->rows; r0 += br)
    for (int64_t c0 = 0; c0 < v->cols; c0 += bc) {
      int64_t nz = 0, same = 0, count = 0;
      for (int64_t r = r0; r < r0 + br && r < v->rows; r++)
        for (int64_t c = c0; c < c0 + bc && c < v->cols; c++) {
          int64_t at = spcc_weight_at(v, r, c);
          nz += p[at] != 0;
          same += p[at] == orig[at];
          count++;
        }
      assert_true(nz == 0 || same == count);
      zero_blocks += nz == 0;
    }
  return zero_blocks;
}

/* Gemm with transB = 0 (B[K, N], a transposed view), rows = N = 10 not a
 * multiple of 4: the padded edge blocks rank by the norm of what they hold. */
static void test_block_prune_transposed_padded(void **state) {
  (void)state;
  const int64_t k = 7, n = 10;
  float *b = random_floats(k * n, 21);
  /* Output channels 8 and 9 (the padded edge block row) are tiny: all of
   * its ceil(7/2) = 4 blocks of 4x2 are pruned first. */
  for (int64_t c = 0; c < k; c++) b[c * n + 8] *= 1e-3f, b[c * n + 9] *= 1e-3f;
  float *orig = copy_floats(b, k * n);
  spcc_graph *g = gemm_graph(2, k, n, 0, b, random_floats(n, 5));
  spcc_options o = gb_sparse_options();
  o.sparse.prune = 0.5;
  o.sparse.block_r = 4;
  o.sparse.block_c = 2;
  sparsify_ok(g, &o);
  spcc_weight_view v = {.rows = n, .cols = k, .transposed = true};
  const float *p = data_of(g, "B");
  assert_int_equal(check_whole_blocks(p, orig, &v, 4, 2), 6); /* round(0.5 * 3 * 4) */
  for (int64_t c = 0; c < k; c++) assert_true(p[c * n + 8] == 0 && p[c * n + 9] == 0);
  free(orig);
  spcc_graph_free(g);
}

/* 4x1 blocks on a Conv: whole groups of 4 output channels at one
 * reduction position; global mode ranks blocks across weights. */
static void test_block_prune_conv_and_global(void **state) {
  (void)state;
  float *w = random_floats(8 * 2 * 9, 31);
  float *orig = copy_floats(w, 8 * 18);
  spcc_graph *g = conv_graph(8, 2, w, random_floats(8, 32));
  spcc_options o = gb_sparse_options();
  o.sparse.prune_global = 0.75;
  o.sparse.block_r = 4;
  o.sparse.block_c = 1;
  sparsify_ok(g, &o);
  spcc_weight_view v = {.rows = 8, .cols = 18, .transposed = false};
  assert_int_equal(check_whole_blocks(data_of(g, "Wc"), orig, &v, 4, 1), 27); /* 0.75 * 36 */
  free(orig);
  spcc_graph_free(g);
}

/* ---- which weights ------------------------------------------------------- */

/* Default min-elems (4096) spares small weights; --prune-skip spares named
 * ones; biases and norm-like constants are never touched; an unknown
 * --prune-skip name is an error naming it. */
static void test_skip_min_elems_and_biases(void **state) {
  (void)state;
  spcc_graph *g = spcc_graph_new("three", "test.onnx");
  int64_t xd[2] = {1, 64}, big[2] = {64, 64}, small[2] = {64, 8}, eight = 8;
  float *bias = random_floats(8, 44);
  float *bias0 = copy_floats(bias, 8);
  int in1[2] = {gb_tensor(g, "x", 2, xd, NULL), gb_tensor(g, "Wbig", 2, big, random_floats(4096, 41))};
  int h = gb_out(g, gb_node(g, SPCC_OP_MATMUL, 2, in1, "mm"));
  int in2[2] = {h, gb_tensor(g, "Wskip", 2, big, random_floats(4096, 42))};
  h = gb_out(g, gb_node(g, SPCC_OP_MATMUL, 2, in2, "mm2"));
  int in3[3] = {h, gb_tensor(g, "Wsmall", 2, small, random_floats(512, 43)),
                gb_tensor(g, "bias", 1, &eight, bias)};
  int fc = gb_node(g, SPCC_OP_GEMM, 3, in3, "fc");
  /* A scale applied with Mul: a non-weight constant. */
  int in4[2] = {gb_out(g, fc), gb_tensor(g, "scale", 1, &eight, random_floats(8, 45))};
  gb_add_output(g, gb_out(g, gb_node(g, SPCC_OP_MUL, 2, in4, "scale")));
  float *scale0 = copy_floats(data_of(g, "scale"), 8);

  spcc_options o;
  spcc_options_init(&o); /* min-elems 4096 */
  const char *skip[] = {"Wskip"};
  o.sparse.prune_skip = skip;
  o.sparse.n_prune_skip = 1;
  o.sparse.prune = 0.9;
  spcc_diag d;
  spcc_diag_init(&d, stderr);
  assert_true(sparsify(g, &o, &d));
  assert_int_equal(zeros(data_of(g, "Wbig"), 4096), 3686);
  assert_int_equal(zeros(data_of(g, "Wskip"), 4096), 0);
  assert_int_equal(zeros(data_of(g, "Wsmall"), 512), 0);

  /* With min-elems 0 the small weight is pruned too, never the bias. */
  o.sparse.prune_min_elems = 0;
  assert_true(spcc_pass_sparsify(g, &o, &d));
  assert_int_equal(zeros(data_of(g, "Wsmall"), 512), 461);
  assert_memory_equal(data_of(g, "bias"), bias0, sizeof(float) * 8);
  assert_memory_equal(data_of(g, "scale"), scale0, sizeof(float) * 8);

  const char *unknown[] = {"Wskip", "bias"};
  o.sparse.prune_skip = unknown;
  o.sparse.n_prune_skip = 2;
  spcc_diag_init(&d, NULL);
  assert_false(spcc_pass_sparsify(g, &o, &d));
  assert_string_equal(d.first_error,
                      "test.onnx: error: --prune-skip: no MatMul, Gemm or Conv weight named 'bias'");
  free(bias0);
  free(scale0);
  spcc_graph_free(g);
}

/* A constant that is a weight of one node and an ordinary input of another
 * is not pruned (a note says why); with no pruning option nothing changes. */
static void test_shared_constant_and_no_options(void **state) {
  (void)state;
  float *w = random_floats(64, 51);
  float *orig = copy_floats(w, 64);
  spcc_graph *g = matmul_graph(8, 8, 8, w);
  int in[2] = {g->outputs[0], spcc_graph_find_value(g, "W")};
  g->outputs[0] = gb_out(g, gb_node(g, SPCC_OP_ADD, 2, in, "add"));
  spcc_options o = gb_sparse_options();
  sparsify_ok(g, &o); /* no options */
  assert_memory_equal(data_of(g, "W"), orig, sizeof(float) * 64);
  char *text = NULL;
  size_t len = 0;
  FILE *notes = open_memstream(&text, &len);
  spcc_diag d;
  spcc_diag_init(&d, notes);
  o.sparse.prune = 0.5;
  assert_true(spcc_pass_sparsify(g, &o, &d));
  fclose(notes);
  assert_memory_equal(data_of(g, "W"), orig, sizeof(float) * 64);
  assert_non_null(strstr(text, "note: --prune: weight 'W' is not pruned: it is also read by a "
                               "node as a non-weight input"));
  free(text);
  free(orig);
  spcc_graph_free(g);
}

/* ---- recipes ---------------------------------------------------------------- */

static const char *write_file(const char *name, const char *text) {
  static char path[600];
  snprintf(path, sizeof path, "%s/%s", SPCC_TEST_TMPDIR, name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
  return path;
}

/* A recipe error: first error must end with want (after the path). */
static void expect_recipe_error(const char *text, const char *want) {
  spcc_graph *g = gemm_graph(1, 8, 4, 1, random_floats(32, 61), random_floats(4, 62));
  spcc_options o = gb_sparse_options();
  o.sparse.prune_recipe = write_file("recipe.txt", text);
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  assert_false(sparsify(g, &o, &d));
  const char *base = strstr(d.first_error, "recipe.txt");
  assert_non_null(base);
  if (strcmp(base, want) != 0) fail_msg("got '%s', want '%s'", base, want);
  spcc_graph_free(g);
}

static void test_recipe_errors(void **state) {
  (void)state;
  expect_recipe_error("# fractions\nB 0.5\nC 0.5\n",
                      "recipe.txt:3: error: no MatMul, Gemm or Conv weight named 'C'");
  expect_recipe_error("\nB 0.5\n\n  x 0.1\n", "recipe.txt:4: error: no MatMul, Gemm or Conv weight named 'x'");
  expect_recipe_error("B 0.5\n# again\nB 0.25\n", "recipe.txt:3: error: 'B' is already given on line 1");
  expect_recipe_error("B 1.5\n", "recipe.txt:1: error: '1.5' is not a fraction in [0, 1)");
  expect_recipe_error("B -0.1\n", "recipe.txt:1: error: '-0.1' is not a fraction in [0, 1)");
  expect_recipe_error("B half\n", "recipe.txt:1: error: 'half' is not a fraction in [0, 1)");
  expect_recipe_error("# nothing\n\n   B\n", "recipe.txt:3: error: expected NAME FRACTION, got 'B'");
  expect_recipe_error("# only comments\n\n",
                      "recipe.txt: error: the prune recipe names no weight (expected lines NAME FRACTION)");
}

/* Named weights get their fraction whatever their size (min-elems does not
 * apply); unnamed ones are untouched; names may hold spaces; CRLF is fine. */
static void test_recipe_applies(void **state) {
  (void)state;
  spcc_graph *g = spcc_graph_new("r", "test.onnx");
  int64_t xd[2] = {1, 10}, wd[2] = {10, 10};
  int in1[2] = {gb_tensor(g, "x", 2, xd, NULL), gb_tensor(g, "layer one", 2, wd, random_floats(100, 71))};
  int h = gb_out(g, gb_node(g, SPCC_OP_MATMUL, 2, in1, "mm1"));
  int in2[2] = {h, gb_tensor(g, "W2", 2, wd, random_floats(100, 72))};
  h = gb_out(g, gb_node(g, SPCC_OP_MATMUL, 2, in2, "mm2"));
  int in3[2] = {h, gb_tensor(g, "W3", 2, wd, random_floats(100, 73))};
  gb_add_output(g, gb_out(g, gb_node(g, SPCC_OP_MATMUL, 2, in3, "mm3")));
  spcc_options o;
  spcc_options_init(&o); /* min-elems 4096: does not apply to recipes */
  o.sparse.prune_recipe = write_file("recipe_ok.txt", "# per layer\r\n  layer one   0.3\r\n\r\nW3 0.75 \n");
  sparsify_ok(g, &o);
  assert_int_equal(zeros(data_of(g, "layer one"), 100), 30);
  assert_int_equal(zeros(data_of(g, "W2"), 100), 0);
  assert_int_equal(zeros(data_of(g, "W3"), 100), 75);
  spcc_graph_free(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_prune_fraction_exact),
      cmocka_unit_test(test_prune_rounds_half_up),
      cmocka_unit_test(test_prune_ties_deterministic),
      cmocka_unit_test(test_prune_global_threshold),
      cmocka_unit_test(test_nm_keeps_largest),
      cmocka_unit_test(test_nm_ties),
      cmocka_unit_test(test_block_prune_transposed_padded),
      cmocka_unit_test(test_block_prune_conv_and_global),
      cmocka_unit_test(test_skip_min_elems_and_biases),
      cmocka_unit_test(test_shared_constant_and_no_options),
      cmocka_unit_test(test_recipe_errors),
      cmocka_unit_test(test_recipe_applies),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
