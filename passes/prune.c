/* prune.c - which constants are weights, and the pruning algorithms that
 * sparsify applies to them.
 *
 * Every algorithm works on the weight view (ir/sparse.h), never on the
 * tensor layout, so a MatMul weight W[K,N] and a Gemm weight B[N,K] with
 * transB=1 holding the same matrix are pruned identically. Ranking is by
 * magnitude with the IEEE bit pattern of |x| as the key: it orders like the
 * value, puts NaN above +inf, and makes -0 and +0 equal. The k smallest
 * keys are found by a two-level 16-bit histogram, linear in the number of
 * units and exact, so the result does not depend on a sort's tie handling:
 * ties at the threshold are resolved explicitly (the later unit goes first).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "prune.h"

static void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  return p;
}

/* ---- finding weights ---------------------------------------------------- */

/* How many output positions one use multiplies each weight element at: the
 * output's elements per output channel. 1 when the shape is unknown. */
static int64_t positions_of(const spcc_graph *g, const spcc_node *n, int64_t rows) {
  if (n->n_out < 1 || n->out[0] < 0 || rows <= 0) return 1;
  int64_t numel = spcc_type_numel(&g->values[n->out[0]].type);
  return numel < 0 ? 1 : numel / rows;
}

static bool same_view(const spcc_weight_view *a, const spcc_weight_view *b) {
  return a->rows == b->rows && a->cols == b->cols && a->transposed == b->transposed;
}

static void disqualify(spcc_weight_ref *r, const char *why) {
  if (r->usable) {
    r->usable = false;
    r->why = why;
  }
}

int spcc_find_weights(const spcc_graph *g, spcc_weight_ref **out) {
  int *ref_of = xcalloc((size_t)g->n_values + 1, sizeof *ref_of);
  for (int i = 0; i < g->n_values; i++) ref_of[i] = -1;
  spcc_weight_ref *refs = NULL;
  int n = 0, cap = 0;

  /* Weight slots first: they define the candidates and their views. */
  for (int i = 0; i < g->n_nodes; i++) {
    const spcc_node *nd = &g->nodes[i];
    if (nd->dead) continue;
    for (int k = 0; k < nd->n_in; k++) {
      int vid = nd->in[k];
      spcc_weight_view v;
      if (vid < 0 || !spcc_weight_view_of(g, nd, k, &v)) continue;
      const spcc_value *val = &g->values[vid];
      if (val->kind != SPCC_VAL_CONST || !spcc_value_data(g, vid)) continue;
      if (ref_of[vid] < 0) {
        if (n == cap) {
          cap = cap ? 2 * cap : 16;
          refs = realloc(refs, sizeof *refs * (size_t)cap);
          if (!refs) spcc_assert_fail("out of memory", __FILE__, __LINE__);
        }
        ref_of[vid] = n;
        refs[n++] = (spcc_weight_ref){.vid = vid, .node = nd, .view = v, .usable = true};
        if (val->type.dtype != SPCC_DT_F32)
          disqualify(&refs[n - 1], "its element type is not f32");
      }
      spcc_weight_ref *r = &refs[ref_of[vid]];
      if (!same_view(&r->view, &v))
        disqualify(r, "its uses read it as matrices of different shapes or layouts");
      r->positions += positions_of(g, nd, v.rows);
    }
  }

  /* Then every other use disqualifies: a pruned or packed constant must
   * not change what a non-weight reader sees. */
  for (int i = 0; i < g->n_nodes; i++) {
    const spcc_node *nd = &g->nodes[i];
    if (nd->dead) continue;
    for (int k = 0; k < nd->n_in; k++) {
      int vid = nd->in[k];
      spcc_weight_view v;
      if (vid < 0 || ref_of[vid] < 0 || spcc_weight_view_of(g, nd, k, &v)) continue;
      disqualify(&refs[ref_of[vid]], "it is also read by a node as a non-weight input");
    }
  }
  for (int i = 0; i < g->n_outputs; i++)
    if (ref_of[g->outputs[i]] >= 0) disqualify(&refs[ref_of[g->outputs[i]]], "it is a graph output");

  free(ref_of);
  *out = refs;
  return n;
}

int spcc_find_weight_named(const spcc_graph *g, const spcc_weight_ref *refs, int n,
                           const char *name) {
  for (int i = 0; i < n; i++)
    if (strcmp(g->values[refs[i].vid].name, name) == 0) return i;
  return -1;
}

/* ---- ranking -------------------------------------------------------------- */

int64_t spcc_prune_count(double fraction, int64_t n) {
  if (!(fraction > 0) || n <= 0) return 0;
  double k = floor(fraction * (double)n + 0.5);
  return k >= (double)n ? n : (int64_t)k;
}

static uint32_t magnitude_key(float x) {
  float a = fabsf(x);
  uint32_t k;
  memcpy(&k, &a, sizeof k);
  return k;
}

/* The k-th smallest (1-based, 1 <= k <= n) of n keys: the high 16 bits
 * from one histogram, the low 16 bits from a second over that bucket. */
static uint32_t kth_smallest(const uint32_t *key, int64_t n, int64_t k) {
  int64_t *hist = xcalloc(65536, sizeof *hist);
  for (int64_t i = 0; i < n; i++) hist[key[i] >> 16]++;
  uint32_t hi = 0;
  while (k > hist[hi]) k -= hist[hi++];
  memset(hist, 0, 65536 * sizeof *hist);
  for (int64_t i = 0; i < n; i++)
    if (key[i] >> 16 == hi) hist[key[i] & 0xffff]++;
  uint32_t lo = 0;
  while (k > hist[lo]) k -= hist[lo++];
  free(hist);
  return hi << 16 | lo;
}

/* Marks the k lowest-ranked of n keys: every key below the k-th smallest,
 * and of the keys equal to it the needed number from the end. */
static void mark_lowest(const uint32_t *key, int64_t n, int64_t k, unsigned char *mark) {
  if (k <= 0) return;
  uint32_t t = kth_smallest(key, n, k);
  int64_t below = 0;
  for (int64_t i = 0; i < n; i++)
    if (key[i] < t) mark[i] = 1, below++;
  int64_t ties = k - below;
  for (int64_t i = n - 1; i >= 0 && ties > 0; i--)
    if (key[i] == t) mark[i] = 1, ties--;
}

/* ---- magnitude and block pruning ---------------------------------------- */

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

static int64_t units_of(const spcc_weight_view *v, int br, int bc) {
  if (br <= 0) return v->rows * v->cols;
  return ceil_div(v->rows, br) * ceil_div(v->cols, bc);
}

/* Keys of one weight's units in view order (row-major elements or blocks). */
static void fill_keys(const spcc_prune_target *t, int br, int bc, uint32_t *key) {
  const spcc_weight_view *v = &t->view;
  if (br <= 0) {
    for (int64_t r = 0; r < v->rows; r++)
      for (int64_t c = 0; c < v->cols; c++)
        key[r * v->cols + c] = magnitude_key(t->data[spcc_weight_at(v, r, c)]);
    return;
  }
  int64_t bcols = ceil_div(v->cols, bc), nb = units_of(v, br, bc);
  double *sum = xcalloc((size_t)nb, sizeof *sum);
  for (int64_t r = 0; r < v->rows; r++)
    for (int64_t c = 0; c < v->cols; c++) {
      double x = t->data[spcc_weight_at(v, r, c)];
      sum[(r / br) * bcols + c / bc] += x * x;
    }
  for (int64_t b = 0; b < nb; b++) {
    float norm = (float)sqrt(sum[b]);
    key[b] = magnitude_key(norm);
  }
  free(sum);
}

static void zero_marked(spcc_prune_target *t, int br, int bc, const unsigned char *mark) {
  const spcc_weight_view *v = &t->view;
  int64_t bcols = br > 0 ? ceil_div(v->cols, bc) : 0;
  for (int64_t r = 0; r < v->rows; r++)
    for (int64_t c = 0; c < v->cols; c++) {
      int64_t u = br > 0 ? (r / br) * bcols + c / bc : r * v->cols + c;
      float *x = &t->data[spcc_weight_at(v, r, c)];
      if (mark[u] && *x != 0) *x = 0.0f; /* an existing -0 stays as it is */
    }
}

void spcc_prune_magnitude(spcc_prune_target *t, int n, double fraction, int block_r,
                          int block_c) {
  int64_t total = 0;
  for (int i = 0; i < n; i++) total += units_of(&t[i].view, block_r, block_c);
  int64_t k = spcc_prune_count(fraction, total);
  if (k <= 0) return;
  uint32_t *key = xcalloc((size_t)total, sizeof *key);
  unsigned char *mark = xcalloc((size_t)total, 1);
  int64_t at = 0;
  for (int i = 0; i < n; i++) {
    fill_keys(&t[i], block_r, block_c, key + at);
    at += units_of(&t[i].view, block_r, block_c);
  }
  mark_lowest(key, total, k, mark);
  at = 0;
  for (int i = 0; i < n; i++) {
    zero_marked(&t[i], block_r, block_c, mark + at);
    at += units_of(&t[i].view, block_r, block_c);
  }
  free(mark);
  free(key);
}

/* ---- N:M ---------------------------------------------------------------- */

void spcc_prune_nm(float *data, const spcc_weight_view *v, int n, int m) {
  uint32_t key[16];
  if (n <= 0 || n >= m || m > 16) return; /* the CLI rejects these; nothing to do */
  for (int64_t r = 0; r < v->rows; r++)
    for (int64_t c0 = 0; c0 < v->cols; c0 += m) {
      int s = v->cols - c0 < m ? (int)(v->cols - c0) : m;
      if (s <= n) continue;
      for (int j = 0; j < s; j++) key[j] = magnitude_key(data[spcc_weight_at(v, r, c0 + j)]);
      for (int j = 0; j < s; j++) {
        /* Its rank: how many of the group come before it in keep order. */
        int above = 0;
        for (int i = 0; i < s; i++)
          if (key[i] > key[j] || (key[i] == key[j] && i < j)) above++;
        float *x = &data[spcc_weight_at(v, r, c0 + j)];
        if (above >= n && *x != 0) *x = 0.0f;
      }
    }
}
