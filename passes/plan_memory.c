/* plan_memory.c - pass plan-memory: every temporary gets an offset in one
 * static arena, so the generated code needs no malloc and its scratch memory
 * is as small as liveness allows.
 *
 * Requires: static types on every value, nodes in topological order (run
 * after every pass that adds, removes or reorders nodes).
 * Changes: sets offset of each temporary (a TEMP value that is not a graph
 * output: graph outputs are written straight into the caller's buffers),
 * g->arena_size and g->arena_lower_bound. Adds no nodes or values. Warns,
 * without failing, when the arena exceeds the lower bound by more than 10%.
 *
 * A temporary is live from the node that produces it to the last node that
 * reads it, both inclusive, so a node's inputs and outputs never share
 * memory (kernels need not be written for in-place use). The lower bound is
 * the largest total size live at one step; reaching it is offline interval
 * packing, NP-hard in general. A few greedy orders and placement rules are
 * tried (the classic "largest first, lowest offset that fits"; by start
 * time placing each buffer against the floor or the ceiling, which packs a
 * chain exactly and residual blocks well; by the most crowded step), then a
 * short deterministic local search over the first-fit order; the smallest
 * arena wins, and the search stops as soon as one meets the lower bound.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "passes.h"

#define ALIGN 64 /* the arena is 64-byte aligned; SIMD kernels may rely on it */

/* Above this many buffers only the first FEW_STRATEGIES strategies run:
 * each costs O(n^2) and large graphs should not make compilation crawl. */
#define MANY_BUFFERS 4096
#define FEW_STRATEGIES 2

/* Local search budget: at most this many re-plans, and about this many
 * buffer comparisons in all (a re-plan costs about n^2). */
#define LOCAL_SEARCH_ITERS 1000
#define LOCAL_SEARCH_WORK ((int64_t)1 << 24)

typedef struct {
  int64_t size; /* bytes, rounded up to ALIGN; > 0 */
  int first, last;
  int id;       /* index in the caller's arrays */
} buffer;

typedef struct {
  int64_t key[3]; /* sorted ascending, lexicographically, then by id */
  int id;
} sort_item;

static void *xmalloc(size_t n) {
  void *p = calloc(n ? n : 1, 1);
  if (!p) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  return p;
}

static int cmp_item(const void *a, const void *b) {
  const sort_item *x = a, *y = b;
  for (int k = 0; k < 3; k++)
    if (x->key[k] != y->key[k]) return x->key[k] < y->key[k] ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

static bool overlaps(const buffer *a, const buffer *b) {
  return a->first <= b->last && b->first <= a->last;
}

/* Where a buffer goes among the placed buffers it meets in time. */
typedef enum {
  FIT_LOWEST,    /* the lowest offset that fits: classic first fit */
  FIT_BEST,      /* the bottom of the smallest gap that holds it */
  /* The smallest gap that holds it below the target size (the top of the
   * target counts as a wall), against the side whose buffer dies later: a
   * chain then alternates between the floor and the ceiling, and memory
   * freed together stays together. */
  FIT_TWO_SIDED,
} fit_rule;

#define WALL INT_MAX /* the floor and the target ceiling never die */

/* Places buffers in the given order by rule (cap: the target arena size,
 * used by FIT_TWO_SIDED). placed is scratch for n ints. Writes off[]
 * (indexed like buf[]) and returns the arena size. */
static int64_t place(int n, const buffer *buf, const int *order, fit_rule rule, int64_t cap,
                     int *placed, int64_t *off) {
  int n_placed = 0; /* placed[] is kept sorted by offset */
  int64_t arena = 0;
  for (int oi = 0; oi < n; oi++) {
    const buffer *b = &buf[order[oi]];
    /* Scan upwards: cand is the top of the buffers met so far, below_dies
     * when the buffer ending there dies. */
    int64_t cand = 0, at = -1, at_gap = 0;
    int below_dies = WALL;
    for (int pi = 0; pi < n_placed; pi++) {
      const buffer *p = &buf[placed[pi]];
      if (!overlaps(b, p)) continue;
      int64_t poff = off[placed[pi]];
      if (poff >= cand + b->size) {
        if (rule == FIT_LOWEST) break; /* everything further up is higher still */
        int64_t gap = poff - cand;
        if (at < 0 || gap < at_gap) {
          at_gap = gap;
          at = rule == FIT_TWO_SIDED && p->last > below_dies ? poff - b->size : cand;
        }
      }
      if (poff + p->size > cand || (poff + p->size == cand && p->last > below_dies)) {
        cand = poff + p->size;
        below_dies = p->last;
      }
    }
    if (rule == FIT_TWO_SIDED && cap - cand >= b->size && (at < 0 || cap - cand < at_gap))
      at = below_dies == WALL ? cand : cap - b->size;
    if (rule == FIT_LOWEST || at < 0) at = cand;

    off[order[oi]] = at;
    if (at + b->size > arena) arena = at + b->size;
    int k = n_placed;
    while (k > 0 && off[placed[k - 1]] > at) k--;
    memmove(&placed[k + 1], &placed[k], sizeof(int) * (size_t)(n_placed - k));
    placed[k] = order[oi];
    n_placed++;
  }
  return arena;
}

typedef struct {
  int64_t pos, delta;
} event;

static int cmp_event(const void *a, const void *b) {
  const event *x = a, *y = b;
  return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Total size live at the start of buffer i, for every i, by a sweep over
 * interval ends; the maximum over all steps of a sum of intervals is always
 * reached at some interval's start, so the largest entry is the lower
 * bound. */
static void breadth_at_starts(int n, const buffer *buf, int64_t *breadth) {
  event *ev = xmalloc(sizeof *ev * (size_t)(2 * n));
  int64_t *at = xmalloc(sizeof(int64_t) * (size_t)(2 * n)); /* positions */
  int64_t *live = xmalloc(sizeof(int64_t) * (size_t)(2 * n)); /* total there */
  for (int i = 0; i < n; i++) {
    ev[2 * i] = (event){buf[i].first, buf[i].size};
    ev[2 * i + 1] = (event){(int64_t)buf[i].last + 1, -buf[i].size};
  }
  qsort(ev, (size_t)(2 * n), sizeof *ev, cmp_event);
  int np = 0;
  int64_t total = 0;
  for (int e = 0; e < 2 * n;) {
    int64_t pos = ev[e].pos;
    while (e < 2 * n && ev[e].pos == pos) total += ev[e++].delta;
    at[np] = pos;
    live[np++] = total;
  }
  for (int i = 0; i < n; i++) {
    int lo = 0, hi = np - 1; /* the start is one of the positions */
    while (lo < hi) {
      int mid = (lo + hi) / 2;
      if (at[mid] < buf[i].first) lo = mid + 1;
      else hi = mid;
    }
    breadth[i] = live[lo];
  }
  free(live);
  free(at);
  free(ev);
}

/* Greedy by breadth: take steps from the most crowded down and place the
 * unplaced buffers live there, largest first. */
static void breadth_order(int n, const buffer *buf, const int64_t *breadth, int *order) {
  sort_item *steps = xmalloc(sizeof *steps * (size_t)n);
  sort_item *here = xmalloc(sizeof *here * (size_t)n);
  char *done = calloc((size_t)n + 1, 1);
  if (!done) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  for (int i = 0; i < n; i++)
    steps[i] = (sort_item){{-breadth[i], buf[i].first, 0}, i};
  qsort(steps, (size_t)n, sizeof *steps, cmp_item);
  int k = 0;
  for (int s = 0; s < n && k < n; s++) {
    int t = buf[steps[s].id].first, m = 0;
    for (int j = 0; j < n; j++)
      if (!done[j] && buf[j].first <= t && t <= buf[j].last)
        here[m++] = (sort_item){{-buf[j].size, buf[j].first, -buf[j].last}, j};
    qsort(here, (size_t)m, sizeof *here, cmp_item);
    for (int j = 0; j < m; j++) {
      done[here[j].id] = 1;
      order[k++] = here[j].id;
    }
  }
  free(done);
  free(here);
  free(steps);
}

/* Orders tried, each with a placement rule. */
typedef enum {
  ORDER_SIZE,    /* largest first, then longest-lived, then earliest */
  ORDER_START,   /* by start time, largest first: optimal for equal sizes */
  ORDER_AREA,    /* by size x lifetime */
  ORDER_BREADTH, /* most crowded step first (see breadth_order) */
} order_kind;

static const struct {
  order_kind order;
  fit_rule rule;
} strategies[] = {
    {ORDER_SIZE, FIT_LOWEST},     /* the classic */
    {ORDER_START, FIT_TWO_SIDED}, /* exact on chains, which the classic is not */
    {ORDER_SIZE, FIT_TWO_SIDED},  {ORDER_BREADTH, FIT_TWO_SIDED},
    {ORDER_SIZE, FIT_BEST},   {ORDER_START, FIT_LOWEST},     {ORDER_AREA, FIT_LOWEST},
    {ORDER_BREADTH, FIT_BEST},
};

static void make_order(int m, const buffer *buf, const int64_t *breadth, order_kind kind,
                       sort_item *items, int *order) {
  if (kind == ORDER_BREADTH) {
    breadth_order(m, buf, breadth, order);
    return;
  }
  for (int i = 0; i < m; i++) {
    const buffer *b = &buf[i];
    int64_t len = b->last - b->first + 1;
    if (kind == ORDER_SIZE)
      items[i] = (sort_item){{-b->size, -len, b->first}, i};
    else if (kind == ORDER_START)
      items[i] = (sort_item){{b->first, -b->size, -len}, i};
    else
      items[i] = (sort_item){{-b->size * len, -b->size, b->first}, i};
  }
  qsort(items, (size_t)m, sizeof *items, cmp_item);
  for (int i = 0; i < m; i++) order[i] = items[i].id;
}

int64_t spcc_plan_offsets(int n, const int64_t *size, const int *first, const int *last,
                          int64_t *offset, int64_t *lower_bound) {
  buffer *buf = xmalloc(sizeof *buf * (size_t)n);
  int m = 0;
  for (int i = 0; i < n; i++) {
    SPCC_ASSERT(size[i] >= 0);
    offset[i] = 0; /* zero-byte buffers take no room anywhere */
    if (size[i] == 0) continue;
    buffer *b = &buf[m++];
    b->size = (size[i] + ALIGN - 1) / ALIGN * ALIGN;
    b->first = first[i];
    b->last = last[i] < first[i] ? first[i] : last[i]; /* never read: [p, p] */
    b->id = i;
  }

  int64_t *breadth = xmalloc(sizeof(int64_t) * (size_t)m);
  breadth_at_starts(m, buf, breadth);
  int64_t lb = 0;
  for (int i = 0; i < m; i++)
    if (breadth[i] > lb) lb = breadth[i];
  *lower_bound = lb;

  sort_item *items = xmalloc(sizeof *items * (size_t)m);
  int *order = xmalloc(sizeof(int) * (size_t)m);
  int *placed = xmalloc(sizeof(int) * (size_t)m);
  int64_t *off = xmalloc(sizeof(int64_t) * (size_t)m);
  int64_t *best_off = xmalloc(sizeof(int64_t) * (size_t)m);
  int *ls_order = xmalloc(sizeof(int) * (size_t)m); /* local search state */
  int64_t *ls_off = xmalloc(sizeof(int64_t) * (size_t)m);
  int64_t best = m ? -1 : 0, ls = -1;
  int n_strategies =
      m > MANY_BUFFERS ? FEW_STRATEGIES : (int)(sizeof strategies / sizeof strategies[0]);
  for (int s = 0; s < n_strategies && best != lb; s++) {
    make_order(m, buf, breadth, strategies[s].order, items, order);
    int64_t arena = place(m, buf, order, strategies[s].rule, lb, placed, off);
    if (best < 0 || arena < best) {
      best = arena;
      memcpy(best_off, off, sizeof(int64_t) * (size_t)m);
    }
    if (strategies[s].rule == FIT_LOWEST && (ls < 0 || arena < ls)) {
      ls = arena;
      memcpy(ls_order, order, sizeof(int) * (size_t)m);
      memcpy(ls_off, off, sizeof(int64_t) * (size_t)m);
    }
  }

  /* Then local search on the best first-fit order. Some order reaches every
   * optimum under first fit (order an optimal plan's buffers by offset:
   * each then fits at or below its place), so search orders: move one
   * buffer earlier, re-place, keep the change unless the arena grows
   * (sideways moves cross plateaus). Half the moves take a buffer that
   * touches the top of the arena, the ones that make it tall. A fixed seed
   * and a work budget keep it deterministic and quick. */
  int64_t work = (int64_t)m * m + 1;
  int iters = (int)(LOCAL_SEARCH_WORK / work < LOCAL_SEARCH_ITERS ? LOCAL_SEARCH_WORK / work
                                                                   : LOCAL_SEARCH_ITERS);
  uint64_t seed = 0x853c49e6748fea9bu;
  for (int it = 0; it < iters && best != lb && m > 1; it++) {
    seed = seed * 6364136223846793005u + 1442695040888963407u; /* PCG's LCG */
    int j = 1 + (int)((seed >> 33) % (uint64_t)(m - 1));
    if ((seed >> 60) & 1) {
      int n_top = 0, pick;
      for (int q = 1; q < m; q++) n_top += ls_off[ls_order[q]] + buf[ls_order[q]].size == ls;
      pick = n_top ? (int)((seed >> 20) % (uint64_t)n_top) : -1;
      for (int q = 1; q < m && pick >= 0; q++)
        if (ls_off[ls_order[q]] + buf[ls_order[q]].size == ls && pick-- == 0) j = q;
    }
    int i = (int)((seed >> 13) % (uint64_t)j);
    memcpy(order, ls_order, sizeof(int) * (size_t)m);
    int moved = order[j];
    memmove(&order[i + 1], &order[i], sizeof(int) * (size_t)(j - i));
    order[i] = moved;
    int64_t arena = place(m, buf, order, FIT_LOWEST, lb, placed, off);
    if (arena > ls) continue;
    ls = arena;
    memcpy(ls_order, order, sizeof(int) * (size_t)m);
    memcpy(ls_off, off, sizeof(int64_t) * (size_t)m);
    if (arena < best) {
      best = arena;
      memcpy(best_off, off, sizeof(int64_t) * (size_t)m);
    }
  }
  for (int i = 0; i < m; i++) offset[buf[i].id] = best_off[i];

  free(ls_off);
  free(ls_order);
  free(best_off);
  free(off);
  free(placed);
  free(order);
  free(items);
  free(breadth);
  free(buf);
  return best;
}

bool spcc_pass_plan_memory(spcc_graph *g, const spcc_options *o, spcc_diag *d) {
  (void)o;
  int *prod = spcc_graph_producers(g);
  int *last = spcc_graph_last_uses(g);
  char *is_output = calloc((size_t)g->n_values + 1, 1);
  int *ids = xmalloc(sizeof(int) * (size_t)g->n_values);
  int *first_at = xmalloc(sizeof(int) * (size_t)g->n_values);
  int *last_at = xmalloc(sizeof(int) * (size_t)g->n_values);
  int64_t *size = xmalloc(sizeof(int64_t) * (size_t)g->n_values);
  int64_t *off = xmalloc(sizeof(int64_t) * (size_t)g->n_values);
  if (!is_output) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  for (int i = 0; i < g->n_outputs; i++) is_output[g->outputs[i]] = 1;

  bool ok = true;
  int n = 0;
  for (int v = 0; v < g->n_values && ok; v++) {
    spcc_value *val = &g->values[v];
    if (val->kind != SPCC_VAL_TEMP || is_output[v]) {
      val->offset = -1;
      continue;
    }
    int64_t bytes = spcc_type_bytes(&val->type);
    if (bytes < 0) {
      spcc_error(d, g->source, NULL, "plan-memory: temporary '%s' has no static shape",
                 val->name);
      ok = false;
    } else if (prod[v] < 0) {
      spcc_error(d, g->source, NULL, "plan-memory: temporary '%s' has no producer", val->name);
      ok = false;
    } else {
      ids[n] = v;
      size[n] = bytes;
      first_at[n] = prod[v];
      last_at[n] = last[v] < prod[v] ? prod[v] : last[v];
      n++;
    }
  }

  if (ok) {
    int64_t lb = 0;
    int64_t arena = spcc_plan_offsets(n, size, first_at, last_at, off, &lb);
    for (int i = 0; i < n; i++) g->values[ids[i]].offset = off[i];
    g->arena_size = arena;
    g->arena_lower_bound = lb;
    /* Exact in integers: arena > 1.1 * lb. */
    if (arena * 10 > lb * 11)
      spcc_warning(d, g->source, NULL,
                   "plan-memory: arena of %lld bytes is more than 10%% above the liveness "
                   "lower bound of %lld bytes",
                   (long long)arena, (long long)lb);
  }

  free(off);
  free(size);
  free(last_at);
  free(first_at);
  free(ids);
  free(is_output);
  free(last);
  free(prod);
  return ok;
}
