/* sparsify.c - pass sparsify: prunes weights as the sparsity options ask.
 *
 * Requires: static shapes (shape-infer), dead nodes removed (dce).
 * Changes: writes zeros into the data of weight constants, nothing else:
 * no type, encoding, node or value changes (select-format chooses storage
 * afterwards, looking only at the values). With no pruning option the pass
 * changes nothing; zeros already in the weights need no marking because the
 * IR keeps logical values.
 *
 * A weight is an f32 constant whose every use is a MatMul, Gemm or Conv
 * weight slot with one view (passes/prune.h). Eligible for --prune,
 * --prune-global and --nm: at least --prune-min-elems elements and not
 * named by --prune-skip; a recipe prunes exactly the weights it names,
 * whatever their size (--prune-skip still wins, with a note). Biases,
 * normalization parameters and other constants are never weights, so they
 * are never touched. Every name the user gives must name a weight:
 * otherwise an error names it.
 */
#include <stdlib.h>

#include "prune.h"

typedef struct {
  spcc_graph *g;
  const spcc_sparse_options *s;
  spcc_diag *d;
  spcc_weight_ref *w;
  int nw;
  unsigned char *skip;  /* per weight: named by --prune-skip */
  double *fraction;     /* per weight: recipe fraction, -1 = not named */
} sparsify_ctx;

static const char *weight_name(const sparsify_ctx *c, int i) {
  return c->g->values[c->w[i].vid].name;
}

static float *weight_data(const sparsify_ctx *c, int i) {
  const spcc_value *v = &c->g->values[c->w[i].vid];
  return (float *)c->g->consts[v->const_id].data;
}

static int64_t weight_numel(const sparsify_ctx *c, int i) {
  return c->w[i].view.rows * c->w[i].view.cols;
}

static bool check_skip_names(sparsify_ctx *c) {
  bool ok = true;
  for (int k = 0; k < c->s->n_prune_skip; k++) {
    int i = spcc_find_weight_named(c->g, c->w, c->nw, c->s->prune_skip[k]);
    if (i < 0) {
      spcc_error(c->d, c->g->source, NULL, "--prune-skip: no MatMul, Gemm or Conv weight named '%s'",
                 c->s->prune_skip[k]);
      ok = false;
    } else {
      c->skip[i] = 1;
    }
  }
  return ok;
}

/* Fills c->fraction from the recipe; every line must name a weight that
 * can be pruned. */
static bool read_recipe(sparsify_ctx *c) {
  spcc_recipe_entry *e;
  int n;
  if (!spcc_recipe_read(c->s->prune_recipe, &e, &n, c->d)) return false;
  bool ok = true;
  for (int k = 0; k < n && ok; k++) {
    char where[1024];
    snprintf(where, sizeof where, "%s:%d", c->s->prune_recipe, e[k].line);
    int i = spcc_find_weight_named(c->g, c->w, c->nw, e[k].name);
    if (i < 0) {
      spcc_error(c->d, where, NULL, "no MatMul, Gemm or Conv weight named '%s'", e[k].name);
      ok = false;
    } else if (!c->w[i].usable) {
      spcc_error(c->d, where, NULL, "weight '%s' cannot be pruned: %s", e[k].name, c->w[i].why);
      ok = false;
    } else if (c->skip[i]) {
      spcc_note(c->d, where, NULL, "weight '%s' is not pruned: --prune-skip names it",
                e[k].name);
    } else {
      c->fraction[i] = e[k].fraction;
    }
  }
  spcc_recipe_free(e, n);
  return ok;
}

/* The option that asked for pruning, for notes. */
static const char *mode_name(const spcc_sparse_options *s) {
  if (s->nm_n) return "--nm";
  if (s->prune_global > 0) return "--prune-global";
  return "--prune";
}

/* Weights --prune, --prune-global and --nm apply to; notes for those the
 * user may expect pruned but that cannot be. Returns how many. */
static int mark_eligible(sparsify_ctx *c, unsigned char *eligible) {
  int count = 0;
  for (int i = 0; i < c->nw; i++) {
    if (c->skip[i] || weight_numel(c, i) < c->s->prune_min_elems) continue;
    if (!c->w[i].usable) {
      spcc_note(c->d, c->g->source, c->w[i].node, "%s: weight '%s' is not pruned: %s",
                mode_name(c->s), weight_name(c, i), c->w[i].why);
      continue;
    }
    eligible[i] = 1;
    count++;
  }
  if (count == 0)
    spcc_note(c->d, c->g->source, NULL,
              "%s: nothing to prune: no MatMul, Gemm or Conv weight has at least %lld elements "
              "(--prune-min-elems) and is not named by --prune-skip",
              mode_name(c->s), (long long)c->s->prune_min_elems);
  return count;
}

/* --block's rows, 0 for element-wise pruning. */
static int block_rows(const spcc_sparse_options *s) {
  return s->block_r > 0 && s->block_c > 0 ? s->block_r : 0;
}

static void prune_one(sparsify_ctx *c, int i, double fraction) {
  spcc_prune_target t = {.data = weight_data(c, i), .view = c->w[i].view};
  spcc_prune_magnitude(&t, 1, fraction, block_rows(c->s), c->s->block_c);
}

static void apply(sparsify_ctx *c, const unsigned char *eligible) {
  const spcc_sparse_options *s = c->s;
  if (s->prune_recipe) {
    for (int i = 0; i < c->nw; i++)
      if (c->fraction[i] >= 0) prune_one(c, i, c->fraction[i]);
  } else if (s->nm_n) {
    for (int i = 0; i < c->nw; i++)
      if (eligible[i]) spcc_prune_nm(weight_data(c, i), &c->w[i].view, s->nm_n, s->nm_m);
  } else if (s->prune_global > 0) {
    spcc_prune_target *t = calloc((size_t)c->nw + 1, sizeof *t);
    if (!t) spcc_assert_fail("out of memory", __FILE__, __LINE__);
    int n = 0;
    for (int i = 0; i < c->nw; i++)
      if (eligible[i]) t[n++] = (spcc_prune_target){.data = weight_data(c, i), .view = c->w[i].view};
    spcc_prune_magnitude(t, n, s->prune_global, block_rows(s), s->block_c);
    free(t);
  } else {
    for (int i = 0; i < c->nw; i++)
      if (eligible[i]) prune_one(c, i, s->prune);
  }
}

bool spcc_pass_sparsify(spcc_graph *g, const spcc_options *o, spcc_diag *d) {
  sparsify_ctx c = {.g = g, .s = &o->sparse, .d = d};
  c.nw = spcc_find_weights(g, &c.w);
  c.skip = calloc((size_t)c.nw + 1, 1);
  c.fraction = calloc((size_t)c.nw + 1, sizeof *c.fraction);
  unsigned char *eligible = calloc((size_t)c.nw + 1, 1);
  if (!c.skip || !c.fraction || !eligible) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  for (int i = 0; i < c.nw; i++) c.fraction[i] = -1;

  const spcc_sparse_options *s = c.s;
  bool prune = s->prune > 0 || s->prune_global > 0 || s->nm_n > 0;
  bool ok = check_skip_names(&c);
  if (ok && s->prune_recipe) ok = read_recipe(&c);
  if (ok && prune && !s->prune_recipe) mark_eligible(&c, eligible);
  if (ok && (prune || s->prune_recipe)) apply(&c, eligible);

  free(eligible);
  free(c.fraction);
  free(c.skip);
  free(c.w);
  return ok;
}
