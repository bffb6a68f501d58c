/* test_plan_memory.c - unit tests for the passes plan-memory, dce and
 * fold-constants.
 *
 * Memory planning is checked on hand-made interval sets whose optimum is the
 * liveness lower bound (the planner must reach it within 10%), and on 1000
 * random sets (fixed seed) for validity only: no two buffers live at the
 * same step overlap, offsets are 64-aligned, the arena covers every buffer.
 * The worst random ratio arena / lower bound is printed, not asserted:
 * greedy interval packing has no small proven bound. dce and fold-constants
 * run on small graphs built with the IR API, types set by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passes/passes.h"
#include "support/graph_build.h"

/* ---- memory planning: checks -------------------------------------------- */

static int64_t round64(int64_t s) { return (s + 63) / 64 * 64; }

static int last_of(const int *first, const int *last, int i) {
  return last[i] < first[i] ? first[i] : last[i];
}

/* The lower bound recomputed the slow way: every step, every buffer. */
static int64_t brute_lower_bound(int n, const int64_t *size, const int *first,
                                 const int *last) {
  int lo = 0, hi = -1;
  for (int i = 0; i < n; i++) {
    if (i == 0 || first[i] < lo) lo = first[i];
    if (i == 0 || last_of(first, last, i) > hi) hi = last_of(first, last, i);
  }
  int64_t best = 0;
  for (int t = lo; t <= hi; t++) {
    int64_t s = 0;
    for (int i = 0; i < n; i++)
      if (first[i] <= t && t <= last_of(first, last, i)) s += round64(size[i]);
    if (s > best) best = s;
  }
  return best;
}

/* Plans the set, asserts that the plan is valid and returns arena / lower
 * bound (1 when both are 0). */
static double plan_and_check(int n, const int64_t *size, const int *first, const int *last) {
  int64_t *off = malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
  assert_non_null(off);
  int64_t lb = -1;
  int64_t arena = spcc_plan_offsets(n, size, first, last, off, &lb);
  assert_int_equal(lb, brute_lower_bound(n, size, first, last));
  assert_true(arena >= lb);
  assert_true(arena % 64 == 0);
  for (int i = 0; i < n; i++) {
    assert_true(off[i] >= 0);
    assert_true(off[i] % 64 == 0);
    if (size[i] == 0) {
      assert_int_equal(off[i], 0);
      continue;
    }
    assert_true(off[i] + round64(size[i]) <= arena);
    for (int j = 0; j < i; j++) {
      if (size[j] == 0) continue;
      bool live_together =
          first[i] <= last_of(first, last, j) && first[j] <= last_of(first, last, i);
      if (!live_together) continue;
      bool apart = off[i] + round64(size[i]) <= off[j] || off[j] + round64(size[j]) <= off[i];
      if (!apart)
        fail_msg("buffers %d [%d,%d] @%lld+%lld and %d [%d,%d] @%lld+%lld overlap", i,
                 first[i], last[i], (long long)off[i], (long long)size[i], j, first[j],
                 last[j], (long long)off[j], (long long)size[j]);
    }
  }
  free(off);
  return lb ? (double)arena / (double)lb : (arena ? 1e9 : 1.0);
}

/* The structured cases: valid, and within 10% of the lower bound. */
static void plan_tight(int n, const int64_t *size, const int *first, const int *last) {
  double r = plan_and_check(n, size, first, last);
  assert_true(r <= 1.1);
}

/* ---- memory planning: hand-made cases ------------------------------------ */

static void test_plan_empty(void **state) {
  (void)state;
  int64_t off[1] = {0}, lb = -1;
  assert_int_equal(spcc_plan_offsets(0, NULL, NULL, NULL, off, &lb), 0);
  assert_int_equal(lb, 0);
}

/* x -> a -> b -> ... : each temp lives from its producer to the next node. */
static void test_plan_chain(void **state) {
  (void)state;
  enum { N = 12 };
  int64_t size[N];
  int first[N], last[N];
  for (int i = 0; i < N; i++) {
    size[i] = 1000 + 997 * ((i * 7) % 5); /* unaligned, varying */
    first[i] = i;
    last[i] = i + 1;
  }
  plan_tight(N, size, first, last);
  /* The optimum is the largest neighbouring pair. */
  int64_t off[N], lb;
  int64_t arena = spcc_plan_offsets(N, size, first, last, off, &lb);
  int64_t pair = 0;
  for (int i = 0; i + 1 < N; i++)
    if (round64(size[i]) + round64(size[i + 1]) > pair) pair = round64(size[i]) + round64(size[i + 1]);
  assert_int_equal(lb, pair);
  assert_int_equal(arena, pair);
}

/* a feeds b and c, both feed d: a [0,2], b [1,3], c [2,3], d [3,4]. */
static void test_plan_diamond(void **state) {
  (void)state;
  int64_t size[] = {4096, 8192, 8192, 4096, 100};
  int first[] = {0, 1, 2, 3, 4};
  int last[] = {2, 3, 3, 4, 5};
  plan_tight(5, size, first, last);
}

/* A residual: the skip tensor lives across a long chain. */
static void test_plan_skip(void **state) {
  (void)state;
  enum { N = 21 };
  int64_t size[N];
  int first[N], last[N];
  size[0] = 50000;
  first[0] = 0;
  last[0] = 20;
  for (int i = 1; i < N; i++) {
    size[i] = 30000 + 1000 * (i % 3);
    first[i] = i - 1;
    last[i] = i;
  }
  plan_tight(N, size, first, last);
}

/* Two nested skips of different sizes (a U-Net in miniature). */
static void test_plan_nested_skips(void **state) {
  (void)state;
  int64_t size[] = {1 << 16, 1 << 15, 1 << 14, 1 << 14, 1 << 15, 1 << 16, 1 << 16, 100};
  int first[] = {0, 1, 2, 3, 4, 5, 6, 7};
  int last[] = {6, 5, 3, 4, 5, 6, 7, 8};
  plan_tight(8, size, first, last);
}

/* Many small buffers with staggered lives around one big one. */
static void test_plan_many_small_one_big(void **state) {
  (void)state;
  enum { N = 101 };
  int64_t size[N];
  int first[N], last[N];
  size[0] = 1 << 20;
  first[0] = 40;
  last[0] = 60;
  for (int i = 1; i < N; i++) {
    size[i] = 64 + 13 * (i % 9);
    first[i] = i - 1;
    last[i] = i + (i % 4);
  }
  plan_tight(N, size, first, last);
}

/* Zero-byte buffers take no room and sit at offset 0; sizes round to 64. */
static void test_plan_zero_and_tiny(void **state) {
  (void)state;
  int64_t size[] = {0, 1, 0, 65, 64, 0};
  int first[] = {0, 0, 0, 1, 1, 2};
  int last[] = {3, 1, 0, 2, 3, 2};
  plan_tight(6, size, first, last);
  int64_t off[6], lb;
  int64_t arena = spcc_plan_offsets(6, size, first, last, off, &lb);
  assert_int_equal(lb, 64 + 128 + 64); /* step 1: buffers 1, 3, 4 */
  assert_int_equal(arena, lb);
  assert_int_equal(off[0], 0);
  assert_int_equal(off[2], 0);
  assert_int_equal(off[5], 0);

  int64_t zeros[] = {0, 0, 0};
  int f[] = {0, 0, 1}, l[] = {2, 2, 1};
  assert_int_equal(spcc_plan_offsets(3, zeros, f, l, off, &lb), 0);
  assert_int_equal(lb, 0);
}

/* Buffers with the same interval must all be disjoint. */
static void test_plan_identical_intervals(void **state) {
  (void)state;
  int64_t size[] = {100, 5000, 64, 5000, 777, 3};
  int first[] = {2, 2, 2, 2, 2, 2};
  int last[] = {5, 5, 5, 5, 5, 5};
  plan_tight(6, size, first, last);
  int64_t off[6], lb;
  int64_t arena = spcc_plan_offsets(6, size, first, last, off, &lb);
  int64_t sum = 0;
  for (int i = 0; i < 6; i++) sum += round64(size[i]);
  assert_int_equal(lb, sum);
  assert_int_equal(arena, sum);
}

/* A buffer nobody reads (last < first) lives only at its producer. */
static void test_plan_unread(void **state) {
  (void)state;
  int64_t size[] = {1024, 1024, 1024};
  int first[] = {0, 1, 2};
  int last[] = {-1, 2, -1};
  plan_tight(3, size, first, last);
  int64_t off[3], lb;
  assert_int_equal(spcc_plan_offsets(3, size, first, last, off, &lb), 2048);
}

/* ---- memory planning: random sets ----------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void) { /* xorshift64*: the same sequence everywhere */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545f4914f6cdd1du;
}

static int rand_below(int n) { return (int)(rng() % (uint64_t)n); }

static void test_plan_random(void **state) {
  (void)state;
  enum { SETS = 1000, MAX_N = 150 };
  int64_t size[MAX_N];
  int first[MAX_N], last[MAX_N];
  double worst = 0, sum = 0;
  int worst_set = -1;
  for (int s = 0; s < SETS; s++) {
    int n = 1 + rand_below(MAX_N);
    int steps = 1 + rand_below(80);
    int kind = rand_below(4); /* size distribution of this set */
    for (int i = 0; i < n; i++) {
      first[i] = rand_below(steps);
      /* Mostly short lives, as in a network; some long skips. */
      int len = rand_below(10) < 7 ? rand_below(4) : rand_below(steps - first[i] + 1);
      last[i] = first[i] + len;
      switch (kind) {
      case 0: /* log-uniform, 1 B .. 1 MiB */
        size[i] = (int64_t)1 << rand_below(21);
        size[i] += rand_below((int)size[i]);
        break;
      case 1: /* a few distinct sizes, as layers of one width */
        size[i] = (int64_t)4096 << rand_below(3);
        break;
      case 2: /* uniform, small */
        size[i] = 1 + rand_below(2000);
        break;
      default: /* mixed, with zero-byte buffers */
        size[i] = rand_below(5) == 0 ? 0 : 1 + rand_below(1 << rand_below(18));
        break;
      }
    }
    double r = plan_and_check(n, size, first, last);
    sum += r;
    if (r > worst) {
      worst = r;
      worst_set = s;
    }
  }
  print_message("plan-memory: %d random sets, worst arena/lower bound %.4f (set %d), "
                "mean %.4f\n",
                SETS, worst, worst_set, sum / SETS);
}

/* ---- graphs built by hand ------------------------------------------------ */

static spcc_type f32_1d(int64_t n) { return spcc_type_make(SPCC_DT_F32, 1, &n); }

static int add1(spcc_graph *g, spcc_op op, int in, int out) {
  return spcc_graph_add_node(g, op, 1, &in, 1, &out);
}

/* Runs pass on g, which must succeed; returns its diagnostics (errors are
 * printed too, so a failure explains itself). */
static spcc_diag run_pass(bool (*pass)(spcc_graph *, const spcc_options *, spcc_diag *),
                          spcc_graph *g) {
  spcc_diag d;
  spcc_diag_init(&d, stderr);
  assert_true(pass(g, NULL, &d));
  return d;
}

static int add_const_f32(spcc_graph *g, const char *name, int64_t n, const float *v) {
  spcc_type t = f32_1d(n);
  float *data = malloc(sizeof(float) * (size_t)(n ? n : 1));
  assert_non_null(data);
  memcpy(data, v, sizeof(float) * (size_t)n);
  return spcc_graph_add_const(g, name, &t, data);
}

/* x -> relu a -> relu b -> relu c -> relu y (graph output). */
static void test_pass_plan_chain(void **state) {
  (void)state;
  spcc_graph *g = spcc_graph_new("chain", "chain.onnx");
  spcc_type t = f32_1d(1000); /* 4000 bytes, 4032 once aligned */
  int x = spcc_graph_add_value(g, "x", &t, SPCC_VAL_INPUT);
  int a = spcc_graph_add_value(g, "a", &t, SPCC_VAL_TEMP);
  int b = spcc_graph_add_value(g, "b", &t, SPCC_VAL_TEMP);
  int c = spcc_graph_add_value(g, "c", &t, SPCC_VAL_TEMP);
  int y = spcc_graph_add_value(g, "y", &t, SPCC_VAL_TEMP);
  add1(g, SPCC_OP_RELU, x, a);
  add1(g, SPCC_OP_RELU, a, b);
  add1(g, SPCC_OP_RELU, b, c);
  add1(g, SPCC_OP_RELU, c, y);
  gb_set_inputs(g, 1, &x);
  gb_set_outputs(g, 1, &y);
  spcc_diag d = run_pass(spcc_pass_plan_memory, g);
  assert_int_equal(d.n_warnings, 0);
  assert_int_equal(g->arena_lower_bound, 2 * 4032);
  assert_int_equal(g->arena_size, 2 * 4032);
  assert_int_equal(g->values[x].offset, -1);
  assert_int_equal(g->values[y].offset, -1); /* written into the caller's buffer */
  int64_t oa = g->values[a].offset, ob = g->values[b].offset, oc = g->values[c].offset;
  assert_true(oa % 64 == 0 && ob % 64 == 0 && oc % 64 == 0);
  assert_true(oa + 4000 <= ob || ob + 4000 <= oa);
  assert_true(ob + 4000 <= oc || oc + 4000 <= ob);
  spcc_graph_free(g);
}

/* A graph whose temporaries are the given intervals: node i produces the
 * buffers that start at i and reads those whose life ends at i. */
static spcc_graph *graph_of_intervals(int n, const int64_t *bytes, const int *first,
                                      const int *last, int *vid) {
  spcc_graph *g = spcc_graph_new("intervals", NULL);
  int steps = 0;
  for (int i = 0; i < n; i++) {
    spcc_type t = spcc_type_make(SPCC_DT_U8, 1, &bytes[i]);
    char name[16];
    snprintf(name, sizeof name, "b%d", i);
    vid[i] = spcc_graph_add_value(g, name, &t, SPCC_VAL_TEMP);
    if (last[i] + 1 > steps) steps = last[i] + 1;
  }
  int in[64], out[64];
  for (int s = 0; s < steps; s++) {
    int ni = 0, no = 0;
    for (int i = 0; i < n; i++) {
      if (first[i] == s) out[no++] = vid[i];
      if (last[i] == s && last[i] > first[i]) in[ni++] = vid[i];
    }
    spcc_graph_add_node(g, SPCC_OP_IDENTITY, ni, in, no, out);
  }
  return g;
}

/* No temporaries: an empty arena. */
static void test_pass_plan_no_temps(void **state) {
  (void)state;
  spcc_graph *g = spcc_graph_new("one", NULL);
  spcc_type t = f32_1d(10);
  int x = spcc_graph_add_value(g, "x", &t, SPCC_VAL_INPUT);
  int y = spcc_graph_add_value(g, "y", &t, SPCC_VAL_TEMP);
  add1(g, SPCC_OP_RELU, x, y);
  gb_set_inputs(g, 1, &x);
  gb_set_outputs(g, 1, &y);
  run_pass(spcc_pass_plan_memory, g);
  assert_int_equal(g->arena_size, 0);
  assert_int_equal(g->arena_lower_bound, 0);
  spcc_graph_free(g);
}

/* The pass derives the same intervals as the core; an unread output lives
 * at its producer only. */
static void test_pass_plan_intervals(void **state) {
  (void)state;
  int64_t bytes[] = {4096, 8192, 8192, 4096, 640, 1000};
  int first[] = {0, 1, 2, 3, 4, 1};
  int last[] = {2, 3, 3, 4, 5, 1}; /* the last one is never read */
  int vid[6];
  spcc_graph *g = graph_of_intervals(6, bytes, first, last, vid);
  run_pass(spcc_pass_plan_memory, g);
  int64_t off[6], lb;
  int64_t arena = spcc_plan_offsets(6, bytes, first, last, off, &lb);
  assert_int_equal(g->arena_size, arena);
  assert_int_equal(g->arena_lower_bound, lb);
  for (int i = 0; i < 6; i++) assert_int_equal(g->values[vid[i]].offset, off[i]);
  spcc_graph_free(g);
}

/* A set no plan packs within 10% of the lower bound: a warning, not an
 * error. The lower bound, 6 units of 64 bytes, is live at steps 2 and 4;
 * an exhaustive search over placement orders (lowest fit in some order
 * reaches every optimum) finds no arena under 7 units. */
static void test_pass_plan_warns(void **state) {
  (void)state;
  int64_t bytes[] = {128, 192, 192, 128, 128, 256, 64};
  int first[] = {4, 2, 5, 3, 2, 0, 1};
  int last[] = {4, 2, 5, 5, 4, 1, 3};
  enum { N = sizeof bytes / sizeof bytes[0] };
  int vid[N];
  spcc_graph *g = graph_of_intervals(N, bytes, first, last, vid);
  spcc_diag d = run_pass(spcc_pass_plan_memory, g);
  assert_int_equal(d.n_errors, 0);
  assert_int_equal(d.n_warnings, 1);
  assert_true(g->arena_size * 10 > g->arena_lower_bound * 11);
  spcc_graph_free(g);
}

/* ---- dce -------------------------------------------------------------------- */

/* x -> relu a (output); x -> sigmoid b -> add(b, w) c: dead branch; z unused. */
static void test_dce_dead_branch(void **state) {
  (void)state;
  spcc_graph *g = spcc_graph_new("dce", NULL);
  spcc_type t = f32_1d(4);
  float w4[4] = {1, 2, 3, 4};
  int x = spcc_graph_add_value(g, "x", &t, SPCC_VAL_INPUT);
  int z = spcc_graph_add_value(g, "z", &t, SPCC_VAL_INPUT);
  int w = add_const_f32(g, "w", 4, w4);
  int b = spcc_graph_add_value(g, "b", &t, SPCC_VAL_TEMP);
  int a = spcc_graph_add_value(g, "a", &t, SPCC_VAL_TEMP);
  int c = spcc_graph_add_value(g, "c", &t, SPCC_VAL_TEMP);
  add1(g, SPCC_OP_SIGMOID, x, b);
  add1(g, SPCC_OP_RELU, x, a);
  int bw[2] = {b, w};
  spcc_graph_add_node(g, SPCC_OP_ADD, 2, bw, 1, &c);
  int ins[2] = {x, z};
  gb_set_inputs(g, 2, ins);
  gb_set_outputs(g, 1, &a);
  spcc_diag d = run_pass(spcc_pass_dce, g);
  assert_true(spcc_verify_graph(g, &d));
  assert_int_equal(g->n_nodes, 1);
  assert_int_equal(g->nodes[0].op, SPCC_OP_RELU);
  assert_int_equal(g->n_values, 3); /* x, z, a */
  assert_int_equal(g->n_consts, 0);
  assert_int_equal(g->n_inputs, 2);
  assert_string_equal(g->values[g->inputs[0]].name, "x");
  assert_string_equal(g->values[g->inputs[1]].name, "z");
  assert_string_equal(g->values[g->outputs[0]].name, "a");
  assert_int_equal(spcc_graph_find_value(g, "w"), -1);
  assert_int_equal(g->nodes[0].in[0], g->inputs[0]);
  assert_int_equal(g->nodes[0].out[0], g->outputs[0]);
  spcc_graph_free(g);
}

/* A node stays when any one of its outputs is needed, and so does the chain
 * that feeds it; with every node live nothing changes. */
static void test_dce_partial_outputs(void **state) {
  (void)state;
  spcc_graph *g = spcc_graph_new("dce2", NULL);
  spcc_type t = f32_1d(8);
  int x = spcc_graph_add_value(g, "x", &t, SPCC_VAL_INPUT);
  int a = spcc_graph_add_value(g, "a", &t, SPCC_VAL_TEMP);
  int p = spcc_graph_add_value(g, "p", &t, SPCC_VAL_TEMP);
  int q = spcc_graph_add_value(g, "q", &t, SPCC_VAL_TEMP);
  int y = spcc_graph_add_value(g, "y", &t, SPCC_VAL_TEMP);
  add1(g, SPCC_OP_TANH, x, a);
  int pq[2] = {p, q};
  spcc_graph_add_node(g, SPCC_OP_MAX_POOL, 1, &a, 2, pq); /* two outputs */
  add1(g, SPCC_OP_RELU, q, y);
  gb_set_inputs(g, 1, &x);
  gb_set_outputs(g, 1, &y);
  spcc_diag d = run_pass(spcc_pass_dce, g);
  assert_int_equal(g->n_nodes, 3);
  assert_int_equal(g->n_values, 5); /* p stays: its node does */
  assert_true(spcc_pass_dce(g, NULL, &d));
  assert_int_equal(g->n_nodes, 3);
  assert_int_equal(d.n_errors, 0);
  spcc_graph_free(g);
}

/* No outputs reachable from anything: every node goes, inputs stay. */
static void test_dce_everything_dead(void **state) {
  (void)state;
  spcc_graph *g = spcc_graph_new("dce3", NULL);
  spcc_type t = f32_1d(2);
  int x = spcc_graph_add_value(g, "x", &t, SPCC_VAL_INPUT);
  int a = spcc_graph_add_value(g, "a", &t, SPCC_VAL_TEMP);
  int b = spcc_graph_add_value(g, "b", &t, SPCC_VAL_TEMP);
  add1(g, SPCC_OP_RELU, x, a);
  add1(g, SPCC_OP_RELU, a, b);
  gb_set_inputs(g, 1, &x);
  gb_set_outputs(g, 1, &x); /* the output is the input itself */
  run_pass(spcc_pass_dce, g);
  assert_int_equal(g->n_nodes, 0);
  assert_int_equal(g->n_values, 1);
  assert_int_equal(g->inputs[0], 0);
  assert_int_equal(g->outputs[0], 0);
  spcc_graph_free(g);
}

/* ---- fold-constants ---------------------------------------------------------- */

static const float *const_f32(const spcc_graph *g, const char *name) {
  int v = spcc_graph_find_value(g, name);
  assert_true(v >= 0);
  assert_int_equal(g->values[v].kind, SPCC_VAL_CONST);
  return spcc_value_data(g, v);
}

/* relu(c) feeds add(x, .): the relu folds, the add stays. */
static void test_fold_relu(void **state) {
  (void)state;
  spcc_graph *g = spcc_graph_new("fold", NULL);
  spcc_type t = f32_1d(4);
  float cv[4] = {-1, 2, -3, 4};
  int x = spcc_graph_add_value(g, "x", &t, SPCC_VAL_INPUT);
  int c = add_const_f32(g, "c", 4, cv);
  int a = spcc_graph_add_value(g, "a", &t, SPCC_VAL_TEMP);
  int y = spcc_graph_add_value(g, "y", &t, SPCC_VAL_TEMP);
  add1(g, SPCC_OP_RELU, c, a);
  int xa[2] = {x, a};
  spcc_graph_add_node(g, SPCC_OP_ADD, 2, xa, 1, &y);
  gb_set_inputs(g, 1, &x);
  gb_set_outputs(g, 1, &y);
  spcc_diag d = run_pass(spcc_pass_fold_constants, g);
  assert_true(spcc_verify_graph(g, &d));
  assert_int_equal(g->n_nodes, 1);
  assert_int_equal(g->nodes[0].op, SPCC_OP_ADD);
  const float *av = const_f32(g, "a");
  assert_true(av[0] == 0 && av[1] == 2 && av[2] == 0 && av[3] == 4);
  assert_int_equal(spcc_graph_find_value(g, "c"), -1); /* only the relu read it */
  assert_int_equal(g->n_consts, 1);
  assert_int_equal(g->values[g->nodes[0].in[1]].kind, SPCC_VAL_CONST);
  spcc_graph_free(g);
}

/* A whole constant chain folds in one run, up to a graph output; a node
 * with a runtime input does not fold. */
static void test_fold_chain(void **state) {
  (void)state;
  spcc_graph *g = spcc_graph_new("fold2", NULL);
  spcc_type t = f32_1d(3);
  float cv[3] = {-2, 0.5f, 3};
  int x = spcc_graph_add_value(g, "x", &t, SPCC_VAL_INPUT);
  int c = add_const_f32(g, "c", 3, cv);
  int a = spcc_graph_add_value(g, "a", &t, SPCC_VAL_TEMP);
  int b = spcc_graph_add_value(g, "b", &t, SPCC_VAL_TEMP);
  int y = spcc_graph_add_value(g, "y", &t, SPCC_VAL_TEMP);
  int r = spcc_graph_add_value(g, "r", &t, SPCC_VAL_TEMP);
  add1(g, SPCC_OP_RELU, c, a);
  int aa[2] = {a, a};
  spcc_graph_add_node(g, SPCC_OP_MUL, 2, aa, 1, &b);
  int bc[2] = {b, c};
  spcc_graph_add_node(g, SPCC_OP_SUB, 2, bc, 1, &y);
  add1(g, SPCC_OP_RELU, x, r);
  gb_set_inputs(g, 1, &x);
  int outs[2] = {y, r};
  gb_set_outputs(g, 2, outs);
  spcc_diag d = run_pass(spcc_pass_fold_constants, g);
  assert_true(spcc_verify_graph(g, &d));
  assert_int_equal(g->n_nodes, 1);
  assert_int_equal(g->nodes[0].op, SPCC_OP_RELU);
  const float *yv = const_f32(g, "y");
  assert_true(yv[0] == 2 && yv[1] == -0.25f && yv[2] == 6);
  assert_int_equal(spcc_graph_find_value(g, "a"), -1);
  assert_int_equal(g->values[g->outputs[0]].kind, SPCC_VAL_CONST);
  assert_int_equal(g->values[g->outputs[1]].kind, SPCC_VAL_TEMP);
  spcc_graph_free(g);
}

/* An input bound with --bind has constant data: nodes on it fold, and the
 * input stays in the signature. */
static void test_fold_bound_input(void **state) {
  (void)state;
  spcc_graph *g = spcc_graph_new("fold3", NULL);
  spcc_type t = f32_1d(2);
  int x = spcc_graph_add_value(g, "x", &t, SPCC_VAL_INPUT);
  float *xv = malloc(2 * sizeof(float));
  assert_non_null(xv);
  xv[0] = -7;
  xv[1] = 7;
  g->values[x].const_id = spcc_graph_add_const_data(g, SPCC_DT_F32, 2, xv);
  int y = spcc_graph_add_value(g, "y", &t, SPCC_VAL_TEMP);
  add1(g, SPCC_OP_RELU, x, y);
  gb_set_inputs(g, 1, &x);
  gb_set_outputs(g, 1, &y);
  spcc_diag d = run_pass(spcc_pass_fold_constants, g);
  assert_true(spcc_verify_graph(g, &d));
  assert_int_equal(g->n_nodes, 0);
  assert_int_equal(g->n_inputs, 1);
  assert_int_equal(g->values[g->inputs[0]].kind, SPCC_VAL_INPUT);
  const float *yv = const_f32(g, "y");
  assert_true(yv[0] == 0 && yv[1] == 7);
  spcc_graph_free(g);
}

/* An outer product [n,1] x [1,n]: folds while the result is small, stays
 * when it would put n*n floats into the generated code. */
static int outer_product_nodes_after_fold(int64_t n) {
  spcc_graph *g = spcc_graph_new("outer", NULL);
  int64_t col[2] = {n, 1}, row[2] = {1, n}, sq[2] = {n, n};
  spcc_type tc = spcc_type_make(SPCC_DT_F32, 2, col);
  spcc_type tr = spcc_type_make(SPCC_DT_F32, 2, row);
  spcc_type ts = spcc_type_make(SPCC_DT_F32, 2, sq);
  float *cv = malloc(sizeof(float) * (size_t)n), *rv = malloc(sizeof(float) * (size_t)n);
  assert_true(cv && rv);
  for (int64_t i = 0; i < n; i++) {
    cv[i] = (float)i;
    rv[i] = 2.0f;
  }
  int c = spcc_graph_add_const(g, "c", &tc, cv);
  int r = spcc_graph_add_const(g, "r", &tr, rv);
  int y = spcc_graph_add_value(g, "y", &ts, SPCC_VAL_TEMP);
  int cr[2] = {c, r};
  spcc_graph_add_node(g, SPCC_OP_MATMUL, 2, cr, 1, &y);
  gb_set_outputs(g, 1, &y);
  run_pass(spcc_pass_fold_constants, g);
  int nodes = g->n_nodes;
  if (nodes == 0) {
    const float *yv = const_f32(g, "y");
    assert_true(yv[(n - 1) * n + 3] == 2.0f * (float)(n - 1));
  }
  spcc_graph_free(g);
  return nodes;
}

static void test_fold_size_limit(void **state) {
  (void)state;
  assert_int_equal(outer_product_nodes_after_fold(100), 0); /* 40000 B <= 64 KiB */
  assert_int_equal(outer_product_nodes_after_fold(200), 1); /* 160000 B: too big */
}

/* An omitted optional output (MaxPool's Indices) gets scratch space. */
static void test_fold_omitted_output(void **state) {
  (void)state;
  spcc_graph *g = spcc_graph_new("pool", NULL);
  int64_t xd[4] = {1, 1, 4, 4}, yd[4] = {1, 1, 2, 2};
  spcc_type tx = spcc_type_make(SPCC_DT_F32, 4, xd);
  spcc_type ty = spcc_type_make(SPCC_DT_F32, 4, yd);
  float *xv = malloc(16 * sizeof(float));
  assert_non_null(xv);
  for (int i = 0; i < 16; i++) xv[i] = (float)((i * 5) % 16);
  int x = spcc_graph_add_const(g, "x", &tx, xv);
  int y = spcc_graph_add_value(g, "y", &ty, SPCC_VAL_TEMP);
  int outs[2] = {y, -1};
  int nd = spcc_graph_add_node(g, SPCC_OP_MAX_POOL, 1, &x, 2, outs);
  int64_t k[2] = {2, 2};
  spcc_node_set_ints(g, nd, "kernel_shape", 2, k);
  spcc_node_set_ints(g, nd, "strides", 2, k);
  gb_set_outputs(g, 1, &y);
  run_pass(spcc_pass_fold_constants, g);
  assert_int_equal(g->n_nodes, 0);
  const float *yv = const_f32(g, "y");
  /* x = [0 5 10 15 / 4 9 14 3 / 8 13 2 7 / 12 1 6 11] */
  assert_true(yv[0] == 9 && yv[1] == 15 && yv[2] == 13 && yv[3] == 11);
  spcc_graph_free(g);
}

/* A node the kernels cannot evaluate: the pass reports it once and fails,
 * and what it folded before is gone from the graph, which stays valid. */
static void test_fold_eval_failure(void **state) {
  (void)state;
  spcc_graph *g = spcc_graph_new("fail", "fail.onnx");
  spcc_type t = f32_1d(2);
  int64_t two = 2;
  spcc_type tu8 = spcc_type_make(SPCC_DT_U8, 1, &two);
  float cv[2] = {-1, 1};
  int c = add_const_f32(g, "c", 2, cv);
  uint8_t *kv = malloc(2);
  assert_non_null(kv);
  kv[0] = 1;
  kv[1] = 2;
  int k = spcc_graph_add_const(g, "k", &tu8, kv);
  int a = spcc_graph_add_value(g, "a", &t, SPCC_VAL_TEMP);
  int s = spcc_graph_add_value(g, "s", &tu8, SPCC_VAL_TEMP);
  add1(g, SPCC_OP_RELU, c, a);
  add1(g, SPCC_OP_SIGMOID, k, s); /* Sigmoid has no u8 kernel */
  int outs[2] = {a, s};
  gb_set_outputs(g, 2, outs);
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  assert_false(spcc_pass_fold_constants(g, NULL, &d));
  assert_int_equal(d.n_errors, 1);
  assert_non_null(strstr(d.first_error, "fail.onnx"));
  assert_int_equal(g->n_nodes, 1);
  assert_int_equal(g->nodes[0].op, SPCC_OP_SIGMOID);
  assert_int_equal(g->values[g->outputs[0]].kind, SPCC_VAL_CONST);
  assert_true(spcc_verify_graph(g, &d));
  spcc_graph_free(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_plan_empty),
      cmocka_unit_test(test_plan_chain),
      cmocka_unit_test(test_plan_diamond),
      cmocka_unit_test(test_plan_skip),
      cmocka_unit_test(test_plan_nested_skips),
      cmocka_unit_test(test_plan_many_small_one_big),
      cmocka_unit_test(test_plan_zero_and_tiny),
      cmocka_unit_test(test_plan_identical_intervals),
      cmocka_unit_test(test_plan_unread),
      cmocka_unit_test(test_plan_random),
      cmocka_unit_test(test_pass_plan_chain),
      cmocka_unit_test(test_pass_plan_no_temps),
      cmocka_unit_test(test_pass_plan_intervals),
      cmocka_unit_test(test_pass_plan_warns),
      cmocka_unit_test(test_dce_dead_branch),
      cmocka_unit_test(test_dce_partial_outputs),
      cmocka_unit_test(test_dce_everything_dead),
      cmocka_unit_test(test_fold_relu),
      cmocka_unit_test(test_fold_chain),
      cmocka_unit_test(test_fold_bound_input),
      cmocka_unit_test(test_fold_size_limit),
      cmocka_unit_test(test_fold_omitted_output),
      cmocka_unit_test(test_fold_eval_failure),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
