/* test_select_format.c - pass select-format: the cost model's choices, the
 * encoding fields it records, --format forcing and its notes, and the
 * property the sparse core promises: a weight that already holds zeros
 * gets the same format with no option as the same weight pruned by spcc.
 *
 * Graphs are built with the IR API; weights are generated in view terms
 * (output channel x reduction) and written through spcc_weight_at, so the
 * same pattern is tried on every layout. The verifier runs after every
 * choice: an nm encoding on data that does not fit would fail there.
 */
#include <inttypes.h>
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

static double rnd01(void) {
  rng_state = rng_state * 1664525u + 1013904223u;
  return (double)(rng_state >> 8) / 16777216.0;
}

static float rnd_value(void) { /* magnitude in [0.5, 1.5), random sign */
  float x = (float)(0.5 + rnd01());
  return rnd01() < 0.5 ? -x : x;
}

typedef enum { OP_MATMUL, OP_GEMM_T, OP_GEMM_N, OP_CONV } op_kind;
static const char *const op_names[] = {"MatMul W[K,N]", "Gemm transB=1", "Gemm transB=0",
                                       "Conv"};

/* One weight "W" of `rows` output channels x `cols` reduction elements in
 * op's layout, used at p output positions. Conv takes cols = ci * 3 * 3
 * over a (p x 1) image with padding 1 (p positions). */
static spcc_graph *weight_graph(op_kind op, int64_t p, int64_t rows, int64_t cols, float *w) {
  spcc_graph *g = spcc_graph_new("w", "test.onnx");
  int node;
  if (op == OP_CONV) {
    int64_t ci = cols / 9, xd[4] = {1, ci, p, 1}, wd[4] = {rows, ci, 3, 3};
    int in[2] = {gb_tensor(g, "x", 4, xd, NULL), gb_tensor(g, "W", 4, wd, w)};
    node = gb_node(g, SPCC_OP_CONV, 2, in, "conv");
    int64_t pads[4] = {1, 1, 1, 1};
    spcc_node_set_ints(g, node, "pads", 4, pads);
  } else {
    int64_t xd[2] = {p, cols};
    int64_t wd[2] = {op == OP_GEMM_T ? rows : cols, op == OP_GEMM_T ? cols : rows};
    int in[2] = {gb_tensor(g, "x", 2, xd, NULL), gb_tensor(g, "W", 2, wd, w)};
    node = gb_node(g, op == OP_MATMUL ? SPCC_OP_MATMUL : SPCC_OP_GEMM, 2, in, "lin");
    if (op != OP_MATMUL) spcc_node_set_int(g, node, "transB", op == OP_GEMM_T);
  }
  gb_add_output(g, gb_out(g, node));
  return g;
}

static spcc_weight_view view_for(op_kind op, int64_t rows, int64_t cols) {
  spcc_weight_view v = {.rows = rows, .cols = cols, .transposed = op == OP_MATMUL || op == OP_GEMM_N};
  return v;
}

typedef enum { PAT_RANDOM, PAT_NM, PAT_BLOCK } pattern;

/* Weight data in op's layout: PAT_RANDOM keeps each element with
 * probability a; PAT_NM keeps a random a of every b along the reduction;
 * PAT_BLOCK keeps each a x b block (output rows x reduction) with
 * probability 0.25. */
static float *make_weight(op_kind op, int64_t rows, int64_t cols, pattern pat, double a, int b,
                          uint32_t seed) {
  rng_state = seed;
  spcc_weight_view v = view_for(op, rows, cols);
  float *w = calloc((size_t)(rows * cols), sizeof(float));
  unsigned char *keep_block = calloc((size_t)(rows * cols), 1);
  for (int64_t i = 0; i < rows * cols; i++) keep_block[i] = rnd01() < 0.25;
  for (int64_t r = 0; r < rows; r++)
    for (int64_t c0 = 0; c0 < cols; c0 += (pat == PAT_NM ? b : 1)) {
      if (pat == PAT_NM) {
        int s = (int)(cols - c0 < b ? cols - c0 : b), left = (int)a;
        for (int j = 0; j < s; j++) {
          /* pick `left` of the remaining s - j positions uniformly */
          if (rnd01() * (s - j) < left) {
            w[spcc_weight_at(&v, r, c0 + j)] = rnd_value();
            left--;
          }
        }
        continue;
      }
      bool keep = pat == PAT_RANDOM ? rnd01() < a
                                    : keep_block[(r / (int64_t)a) * cols + c0 / b];
      if (keep) w[spcc_weight_at(&v, r, c0)] = rnd_value();
    }
  free(keep_block);
  return w;
}

/* shape-infer, sparsify, select-format, verify; diagnostics go to out. */
static void run_passes(spcc_graph *g, const spcc_options *o, FILE *out) {
  spcc_diag d;
  spcc_diag_init(&d, out);
  assert_true(spcc_pass_shape_infer(g, o, &d));
  assert_true(spcc_pass_sparsify(g, o, &d));
  assert_true(spcc_pass_select_format(g, o, &d));
  assert_true(spcc_verify_graph(g, &d));
}

static const spcc_encoding *enc_of(const spcc_graph *g, const char *name) {
  int v = spcc_graph_find_value(g, name);
  assert_true(v >= 0);
  return &g->values[v].type.enc;
}

static const char *enc_str(const spcc_encoding *e, char *buf, size_t n) {
  switch (e->kind) {
  case SPCC_ENC_BSR: snprintf(buf, n, "bsr<%dx%d>", e->block_r, e->block_c); break;
  case SPCC_ENC_NM: snprintf(buf, n, "nm<%d:%d>", e->nm_n, e->nm_m); break;
  default: snprintf(buf, n, "%s", spcc_encoding_kind_name(e->kind)); break;
  }
  return buf;
}

/* ---- the cost model --------------------------------------------------------- */

typedef struct {
  const char *what;
  pattern pat;
  double a;
  int b;
  const char *want[2]; /* at 1 and at 256 positions; NULL: any */
} density_case;

/* With one output position reading the weight dominates, so every sparse
 * format wins early; with many, the fast dense kernel wins until the
 * weight is quite sparse (passes/select_format.c has the measurements). */
static const density_case cases[] = {
    {"10% random", PAT_RANDOM, 0.10, 0, {"csr", "csr"}},
    {"30% random", PAT_RANDOM, 0.30, 0, {"csr", "dense"}},
    {"50% random", PAT_RANDOM, 0.50, 0, {"csr", "dense"}}, /* 8-bit indices: just */
    {"90% random", PAT_RANDOM, 0.90, 0, {"dense", "dense"}},
    {"2:4", PAT_NM, 2, 4, {"nm<2:4>", "dense"}},
    {"1:4", PAT_NM, 1, 4, {"nm<1:4>", "nm<1:4>"}},
    {"4x1 blocks, 25%", PAT_BLOCK, 4, 1, {"bsr<4x1>", "dense"}},
    {"1x8 blocks, 25%", PAT_BLOCK, 1, 8, {"bsr<1x8>", "bsr<1x8>"}},
    {"all zero", PAT_RANDOM, 0.0, 0, {NULL, NULL}},
};

static void test_format_by_density(void **state) {
  (void)state;
  const int64_t positions[] = {1, 256};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    for (int op = OP_MATMUL; op <= OP_CONV; op++)
      for (int pi = 0; pi < 2; pi++) {
        const density_case *k = &cases[i];
        int64_t rows = 64, cols = op == OP_CONV ? 16 * 9 : 128;
        float *w = make_weight(op, rows, cols, k->pat, k->a, k->b, (uint32_t)(100 + i));
        spcc_graph *g = weight_graph(op, positions[pi], rows, cols, w);
        spcc_options o = gb_sparse_options();
        run_passes(g, &o, stderr);
        char buf[64];
        const char *got = enc_str(enc_of(g, "W"), buf, sizeof buf);
        if (op == OP_MATMUL)
          print_message("  %-18s %3" PRId64 " positions: %s\n", k->what, positions[pi], got);
        if (k->want[pi] && strcmp(got, k->want[pi]) != 0)
          fail_msg("%s on %s at %" PRId64 " positions: got %s, want %s", k->what, op_names[op],
                   positions[pi], got, k->want[pi]);
        spcc_graph_free(g);
      }
}

/* The recorded fields: index widths by the columns an index addresses,
 * the N:M axis on the reduction of each layout. */
static void test_encoding_fields(void **state) {
  (void)state;
  const int axis[] = {0, 1, 0, 1};
  for (int op = OP_MATMUL; op <= OP_CONV; op++) {
    int64_t cols = op == OP_CONV ? 8 * 9 : 64;
    spcc_graph *g = weight_graph(op, 4, 32, cols, make_weight(op, 32, cols, PAT_NM, 2, 4, 5));
    spcc_options o = gb_sparse_options();
    o.sparse.format = SPCC_FORMAT_NM; /* not left to the cost model */
    run_passes(g, &o, stderr);
    const spcc_encoding *e = enc_of(g, "W");
    assert_int_equal(e->kind, SPCC_ENC_NM);
    assert_int_equal(e->axis, axis[op]);
    assert_int_equal(e->index_bits, 2);
    spcc_graph_free(g);
  }
  /* 300 reduction columns need 16-bit CSR indices; 4-wide blocks of them
   * are 75 block columns: 8 bits. */
  spcc_graph *g = weight_graph(OP_GEMM_T, 1, 16, 300, make_weight(OP_GEMM_T, 16, 300, PAT_RANDOM, 0.1, 0, 6));
  spcc_options o = gb_sparse_options();
  o.sparse.format = SPCC_FORMAT_CSR;
  run_passes(g, &o, stderr);
  assert_int_equal(enc_of(g, "W")->kind, SPCC_ENC_CSR);
  assert_int_equal(enc_of(g, "W")->index_bits, 16);
  o.sparse.format = SPCC_FORMAT_BSR;
  o.sparse.prune = 0.5;
  o.sparse.block_r = 1;
  o.sparse.block_c = 4;
  run_passes(g, &o, stderr);
  assert_int_equal(enc_of(g, "W")->kind, SPCC_ENC_BSR);
  assert_int_equal(enc_of(g, "W")->block_r, 1);
  assert_int_equal(enc_of(g, "W")->block_c, 4);
  assert_int_equal(enc_of(g, "W")->index_bits, 8);
  spcc_graph_free(g);
}

/* ---- --format ------------------------------------------------------------------ */

/* Runs select-format with --format f (and --nm n:m when n) on a weight of
 * the given pattern; returns the encoding and the notes printed. */
static spcc_encoding forced(spcc_format_choice f, int n, int m, pattern pat, double a, int b,
                            char **notes) {
  float *w = make_weight(OP_GEMM_T, 16, 64, pat, a, b, 9);
  float *copy = malloc(sizeof(float) * 16 * 64);
  memcpy(copy, w, sizeof(float) * 16 * 64);
  spcc_graph *g = weight_graph(OP_GEMM_T, 8, 16, 64, w);
  spcc_options o = gb_sparse_options();
  o.sparse.format = f;
  size_t len;
  FILE *stream = open_memstream(notes, &len);
  spcc_diag d;
  spcc_diag_init(&d, stream);
  assert_true(spcc_pass_shape_infer(g, &o, &d));
  o.sparse.nm_n = n; /* for select-format only: sparsify would prune */
  o.sparse.nm_m = m;
  assert_true(spcc_pass_select_format(g, &o, &d));
  fclose(stream);
  assert_true(spcc_verify_graph(g, &d));
  assert_int_equal(d.n_errors, 0);
  assert_memory_equal(spcc_value_data(g, spcc_graph_find_value(g, "W")), copy,
                      sizeof(float) * 16 * 64); /* never a value */
  spcc_encoding e = *enc_of(g, "W");
  free(copy);
  spcc_graph_free(g);
  return e;
}

static void test_format_forced(void **state) {
  (void)state;
  char *notes;
  char buf[64];
  /* dense, csr and bsr hold anything, even a weight with no zero. */
  spcc_encoding e = forced(SPCC_FORMAT_CSR, 0, 0, PAT_RANDOM, 1.0, 0, &notes);
  assert_int_equal(e.kind, SPCC_ENC_CSR);
  assert_string_equal(notes, "");
  free(notes);
  e = forced(SPCC_FORMAT_DENSE, 0, 0, PAT_NM, 1, 4, &notes);
  assert_int_equal(e.kind, SPCC_ENC_DENSE);
  free(notes);
  e = forced(SPCC_FORMAT_BSR, 0, 0, PAT_BLOCK, 2, 1, &notes);
  assert_string_equal(enc_str(&e, buf, sizeof buf), "bsr<2x1>"); /* the best-fill shape */
  free(notes);

  /* nm: the detected pattern, or --nm's when the data fits it. */
  e = forced(SPCC_FORMAT_NM, 0, 0, PAT_NM, 3, 8, &notes);
  assert_string_equal(enc_str(&e, buf, sizeof buf), "nm<3:8>");
  free(notes);
  e = forced(SPCC_FORMAT_NM, 1, 2, PAT_NM, 1, 4, &notes); /* 1:4 data fits 1:2 */
  assert_string_equal(enc_str(&e, buf, sizeof buf), "nm<1:2>");
  assert_string_equal(notes, "");
  free(notes);

  /* A weight nm cannot hold keeps the cost model's choice, with a note. */
  e = forced(SPCC_FORMAT_NM, 2, 4, PAT_RANDOM, 0.2, 0, &notes);
  assert_int_equal(e.kind, SPCC_ENC_CSR);
  assert_string_equal(notes, "test.onnx: node 0 'lin' (Gemm): note: --format nm: weight 'W' "
                             "keeps csr: its zeros do not form a 2:4 pattern\n");
  free(notes);
  e = forced(SPCC_FORMAT_NM, 0, 0, PAT_RANDOM, 1.0, 0, &notes);
  assert_int_equal(e.kind, SPCC_ENC_DENSE);
  assert_string_equal(notes, "test.onnx: node 0 'lin' (Gemm): note: --format nm: weight 'W' "
                             "keeps dense: its zeros do not form an N:M pattern\n");
  free(notes);
}

/* ---- the same formats for zeros spcc made and zeros already there --------- */

typedef struct {
  const char *what;
  double prune, prune_global;
  int nm_n, nm_m, block_r, block_c;
  const char *want; /* on the MatMul; NULL: whatever, as long as both agree */
} prune_case;

static const prune_case prune_cases[] = {
    {"--prune 0.9 --block 4x1", 0.9, 0, 0, 0, 4, 1, "bsr<4x1>"},
    {"--prune 0.9", 0.9, 0, 0, 0, 0, 0, "csr"},
    {"--prune 0.5", 0.5, 0, 0, 0, 0, 0, "dense"},
    {"--nm 2:4", 0, 0, 2, 4, 0, 0, "nm<2:4>"},
    {"--nm 1:8", 0, 0, 1, 8, 0, 0, "nm<1:8>"},
    {"--prune-global 0.8 --block 2x2", 0, 0.8, 0, 0, 2, 2, NULL},
    {"--prune 0.75 --block 1x8", 0.75, 0, 0, 0, 1, 8, NULL},
};

static void test_same_format_for_existing_zeros(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof prune_cases / sizeof prune_cases[0]; i++)
    for (int op = OP_MATMUL; op <= OP_CONV; op++) {
      const prune_case *k = &prune_cases[i];
      int64_t rows = 64, cols = op == OP_CONV ? 16 * 9 : 96;
      /* spcc prunes a dense weight. */
      spcc_graph *ga = weight_graph(op, 16, rows, cols, make_weight(op, rows, cols, PAT_RANDOM, 1.0, 0, 77));
      spcc_options o = gb_sparse_options();
      o.sparse.prune = k->prune;
      o.sparse.prune_global = k->prune_global;
      o.sparse.nm_n = k->nm_n;
      o.sparse.nm_m = k->nm_m;
      o.sparse.block_r = k->block_r;
      o.sparse.block_c = k->block_c;
      run_passes(ga, &o, stderr);
      /* A model that arrives with those values, compiled with no option. */
      float *pruned = malloc(sizeof(float) * (size_t)(rows * cols));
      memcpy(pruned, spcc_value_data(ga, spcc_graph_find_value(ga, "W")),
             sizeof(float) * (size_t)(rows * cols));
      spcc_graph *gb = weight_graph(op, 16, rows, cols, pruned);
      spcc_options none;
      spcc_options_init(&none);
      run_passes(gb, &none, stderr);
      char a[64], b[64];
      enc_str(enc_of(ga, "W"), a, sizeof a);
      enc_str(enc_of(gb, "W"), b, sizeof b);
      if (op == OP_MATMUL) print_message("  %-32s -> %s\n", k->what, a);
      if (memcmp(enc_of(ga, "W"), enc_of(gb, "W"), sizeof(spcc_encoding)) != 0)
        fail_msg("%s on %s: %s after pruning, %s with no option", k->what, op_names[op], a, b);
      if (op == OP_MATMUL && k->want && strcmp(a, k->want) != 0)
        fail_msg("%s: got %s, want %s", k->what, a, k->want);
      spcc_graph_free(ga);
      spcc_graph_free(gb);
    }
}

/* ---- what is not a weight -------------------------------------------------------- */

/* A constant read as a weight and as an ordinary input stays dense (with a
 * note under --format); one shared by two MatMuls with one view is a
 * weight, its positions summed. */
static void test_shared_constants(void **state) {
  (void)state;
  spcc_graph *g = spcc_graph_new("s", "test.onnx");
  int64_t xd[2] = {32, 32}, wd[2] = {32, 32};
  int x = gb_tensor(g, "x", 2, xd, NULL);
  int w = gb_tensor(g, "W", 2, wd, make_weight(OP_MATMUL, 32, 32, PAT_RANDOM, 0.1, 0, 3));
  int v = gb_tensor(g, "V", 2, wd, make_weight(OP_MATMUL, 32, 32, PAT_RANDOM, 0.1, 0, 4));
  int in1[2] = {x, w};
  int h = gb_out(g, gb_node(g, SPCC_OP_MATMUL, 2, in1, "mm1"));
  int in2[2] = {h, w};
  h = gb_out(g, gb_node(g, SPCC_OP_MATMUL, 2, in2, "mm2"));
  int in3[2] = {h, v};
  h = gb_out(g, gb_node(g, SPCC_OP_MATMUL, 2, in3, "mm3"));
  int in4[2] = {h, v};
  gb_add_output(g, gb_out(g, gb_node(g, SPCC_OP_ADD, 2, in4, "add")));
  spcc_options o = gb_sparse_options();
  o.sparse.format = SPCC_FORMAT_CSR;
  char *notes;
  size_t len;
  FILE *stream = open_memstream(&notes, &len);
  run_passes(g, &o, stream);
  fclose(stream);
  assert_int_equal(enc_of(g, "W")->kind, SPCC_ENC_CSR);
  assert_int_equal(enc_of(g, "V")->kind, SPCC_ENC_DENSE);
  assert_string_equal(notes, "test.onnx: node 2 'mm3' (MatMul): note: --format: weight 'V' stays "
                             "dense: it is also read by a node as a non-weight input\n");
  free(notes);
  spcc_graph_free(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_format_by_density),
      cmocka_unit_test(test_encoding_fields),
      cmocka_unit_test(test_format_forced),
      cmocka_unit_test(test_same_format_for_existing_zeros),
      cmocka_unit_test(test_shared_constants),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
