/* prune.h - internal to the sparse passes (sparsify, select-format): which
 * constants are weights, the pruning algorithms and the recipe file.
 *
 * Both passes must agree on what a weight is, so the search lives here
 * once: an f32 constant every use of which is a weight slot
 * (spcc_weight_view_of) with one and the same view. Everything else in a
 * weight slot is reported with the reason it cannot be pruned or encoded.
 */
#ifndef SPCC_PASSES_PRUNE_H
#define SPCC_PASSES_PRUNE_H

#include "../ir/sparse.h"
#include "passes.h"

typedef struct {
  int vid;                 /* the constant value */
  const spcc_node *node;   /* its first use, for diagnostics */
  spcc_weight_view view;   /* the view of its first use */
  bool usable;             /* f32, every use a weight slot with this view */
  const char *why;         /* !usable: why, e.g. "it is a graph output" (static text) */
  int64_t positions;       /* sum over uses of the output positions each weight
                              element is multiplied at (batch x spatial); 1 when unknown */
} spcc_weight_ref;

/* Every constant that sits in some weight slot, in graph order of first
 * use. Returns the count; *out is malloc'd (caller frees), NULL when none. */
int spcc_find_weights(const spcc_graph *g, spcc_weight_ref **out);
/* The index in refs of the weight named name, or -1. */
int spcc_find_weight_named(const spcc_graph *g, const spcc_weight_ref *refs, int n,
                           const char *name);

/* round(fraction * n) with halves rounded up: how many elements (or
 * blocks) a fraction of n means. */
int64_t spcc_prune_count(double fraction, int64_t n);

/* One weight being pruned: its data (written in place) and its view. */
typedef struct {
  float *data;
  spcc_weight_view view;
} spcc_prune_target;

/* Magnitude pruning over a set of weights with one threshold: afterwards at
 * least spcc_prune_count(fraction, total) of the units are zero, where a
 * unit is an element (block_r == 0) or a block_r x block_c block of the view
 * (edge blocks padded; a block's magnitude is its L2 norm). Units are ranked
 * by magnitude; among equal magnitudes the earlier unit (lower weight index,
 * then row-major position in the view) ranks higher and is kept. Units that
 * are already zero rank lowest, so existing zeros count. Per-weight pruning
 * is this with one target. NaN ranks above everything. */
void spcc_prune_magnitude(spcc_prune_target *t, int n, double fraction, int block_r,
                          int block_c);

/* N:M pruning: in every group of m consecutive reduction elements (view
 * columns) of every row keep the n largest magnitudes (equal magnitudes: the
 * lower column is kept) and zero the rest; a partial last group of s < m
 * elements keeps min(n, s). Requires 0 < n < m <= 16 (else no change). */
void spcc_prune_nm(float *data, const spcc_weight_view *v, int n, int m);

/* ---- recipe files (passes/prune_recipe.c) ------------------------------ */

typedef struct {
  char *name;        /* malloc'd */
  double fraction;   /* in [0, 1) */
  int line;          /* 1-based line in the file */
} spcc_recipe_entry;

/* Reads a recipe: lines "NAME FRACTION" (the fraction is the last field, the
 * name everything before it, trimmed), blank lines and lines starting with
 * '#'. Reports "FILE:LINE: error: ..." for malformed lines, fractions outside
 * [0, 1) and repeated names, and an error for a file that names no weight.
 * *out is malloc'd; free with spcc_recipe_free. */
bool spcc_recipe_read(const char *path, spcc_recipe_entry **out, int *n, spcc_diag *d);
void spcc_recipe_free(spcc_recipe_entry *e, int n);

#endif
