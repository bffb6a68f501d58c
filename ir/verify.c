/* verify.c - structural checks of a graph, run after parsing and after every
 * pass in debug builds and tests.
 *
 * A pass that breaks an invariant should be caught at the pass, not later as
 * wrong C, so the verifier checks every invariant the other stages rely on:
 * ids in range, names unique, definitions before uses (which is topological
 * order), one producer per value, inputs and constants well formed, outputs
 * defined, attribute names unique, and planned memory inside the arena.
 * Sparse encodings sit only on f32 constants whose every use is a weight
 * slot with one view (ir/sparse.h), with fields valid for their kind and
 * N:M data that fits its pattern, so packing can never fail later. It
 * reports the first problem, naming the node, and returns false.
 *
 * Nodes marked dead are waiting for spcc_graph_compact: their ids must still
 * be in range, but they neither define nor use values.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "sparse.h"

typedef struct {
  const spcc_graph *g;
  spcc_diag *d;
} verifier;

/* Reports "invalid IR: ..." at node n (NULL for graph-level problems). */
static bool bad(const verifier *v, const spcc_node *n, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static bool bad(const verifier *v, const spcc_node *n, const char *fmt, ...) {
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  spcc_error(v->d, v->g->source, n, "invalid IR: %s", msg);
  return false;
}

static const char *vname(const spcc_graph *g, int vid) {
  return vid >= 0 && vid < g->n_values && g->values[vid].name ? g->values[vid].name : "?";
}

static size_t str_hash(const char *s) {
  uint64_t h = UINT64_C(1469598103934665603);
  for (; *s; s++) h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
  return (size_t)h;
}

/* Value names: non-empty and unique (the text form and the frontend's
 * lookups depend on it). Returns the id of the first duplicate, or -1. */
static int duplicate_name(const spcc_graph *g, bool *empty) {
  size_t cap = 64;
  while (cap < (size_t)g->n_values * 2) cap *= 2;
  int *slots = calloc(cap, sizeof *slots);
  if (!slots) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  int dup = -1;
  *empty = false;
  for (int i = 0; i < g->n_values && dup < 0; i++) {
    const char *name = g->values[i].name;
    if (!name || !*name) {
      *empty = true;
      dup = i;
      break;
    }
    size_t k = str_hash(name) & (cap - 1);
    for (; slots[k]; k = (k + 1) & (cap - 1))
      if (strcmp(g->values[slots[k] - 1].name, name) == 0) {
        dup = i;
        break;
      }
    slots[k] = i + 1;
  }
  free(slots);
  return dup;
}

/* A constant payload matches the type it is bound to. */
static bool check_data(const verifier *v, int vid, const char *what) {
  const spcc_graph *g = v->g;
  const spcc_value *val = &g->values[vid];
  if (val->const_id < 0 || val->const_id >= g->n_consts)
    return bad(v, NULL, "%s '%s' refers to constant %d, which does not exist", what, val->name,
               val->const_id);
  const spcc_const *c = &g->consts[val->const_id];
  char buf[160];
  spcc_type_str(&val->type, buf, sizeof buf);
  if (!spcc_type_is_static(&val->type))
    return bad(v, NULL, "%s '%s' has no static type (%s)", what, val->name, buf);
  if (c->dtype != val->type.dtype || c->numel != spcc_type_numel(&val->type))
    return bad(v, NULL, "%s '%s' is %s but its data holds %" PRId64 " %s elements", what,
               val->name, buf, c->numel, spcc_dtype_name(c->dtype));
  if (!c->data && c->numel > 0) return bad(v, NULL, "%s '%s' has no data", what, val->name);
  return true;
}

/* Graph inputs: INPUT values, listed once. Marks them defined. */
static bool check_inputs(const verifier *v, char *defined) {
  const spcc_graph *g = v->g;
  for (int i = 0; i < g->n_inputs; i++) {
    int vid = g->inputs[i];
    if (vid < 0 || vid >= g->n_values)
      return bad(v, NULL, "graph input %d has value id %d, out of range", i, vid);
    if (g->values[vid].kind != SPCC_VAL_INPUT)
      return bad(v, NULL, "graph input '%s' is not an INPUT value", vname(g, vid));
    if (defined[vid]) return bad(v, NULL, "graph input '%s' is listed twice", vname(g, vid));
    defined[vid] = 1;
  }
  return true;
}

/* Each value on its own: kind, constant data, arena placement. Constants
 * count as defined from the start. */
static bool check_values(const verifier *v, const char *is_input, char *defined) {
  const spcc_graph *g = v->g;
  for (int vid = 0; vid < g->n_values; vid++) {
    const spcc_value *val = &g->values[vid];
    switch (val->kind) {
    case SPCC_VAL_INPUT:
      if (!is_input[vid])
        return bad(v, NULL, "INPUT value '%s' is not in the graph's input list", val->name);
      if (val->const_id >= 0 && !check_data(v, vid, "bound input")) return false;
      break;
    case SPCC_VAL_CONST:
      if (!check_data(v, vid, "constant")) return false;
      defined[vid] = 1;
      break;
    case SPCC_VAL_TEMP: break;
    default: return bad(v, NULL, "value '%s' has unknown kind %d", val->name, (int)val->kind);
    }
    if (val->offset < -1)
      return bad(v, NULL, "value '%s' has a negative arena offset %" PRId64, val->name,
                 val->offset);
    if (val->offset >= 0) {
      int64_t bytes = spcc_type_bytes(&val->type);
      if (bytes < 0)
        return bad(v, NULL, "value '%s' has an arena offset but no static type", val->name);
      if (g->arena_size < 0 || val->offset > g->arena_size - bytes)
        return bad(v, NULL,
                   "value '%s' at arena [%" PRId64 ", %" PRId64 ") ends beyond the arena size %" PRId64,
                   val->name, val->offset, val->offset + bytes, g->arena_size);
    }
  }
  if (g->arena_size >= 0 && g->arena_lower_bound > g->arena_size)
    return bad(v, NULL, "arena lower bound %" PRId64 " exceeds the arena size %" PRId64,
               g->arena_lower_bound, g->arena_size);
  return true;
}

/* Nodes in order: ids in range, unique attribute names, every input
 * defined before use, every output a temporary produced once. */
static bool check_nodes(const verifier *v, char *defined) {
  const spcc_graph *g = v->g;
  const int nv = g->n_values;
  for (int i = 0; i < g->n_nodes; i++) {
    const spcc_node *n = &g->nodes[i];
    if ((unsigned)n->op >= SPCC_OP_COUNT) {
      spcc_error(v->d, g->source, NULL, "invalid IR: node %d has unknown op %d", i, (int)n->op);
      return false;
    }
    for (int k = 0; k < n->n_in; k++)
      if (n->in[k] < -1 || n->in[k] >= nv)
        return bad(v, n, "input %d has value id %d, out of range", k, n->in[k]);
    for (int k = 0; k < n->n_out; k++)
      if (n->out[k] < -1 || n->out[k] >= nv)
        return bad(v, n, "output %d has value id %d, out of range", k, n->out[k]);
    for (int a = 0; a < n->n_attr; a++)
      for (int b = 0; b < a; b++)
        if (strcmp(n->attr[a].name, n->attr[b].name) == 0)
          return bad(v, n, "attribute '%s' is given twice", n->attr[a].name);
    if (n->dead) continue;
    for (int k = 0; k < n->n_in; k++)
      if (n->in[k] >= 0 && !defined[n->in[k]])
        return bad(v, n, "input %d '%s' is used before it is defined", k, vname(g, n->in[k]));
    for (int k = 0; k < n->n_out; k++) {
      int vid = n->out[k];
      if (vid < 0) continue;
      if (g->values[vid].kind != SPCC_VAL_TEMP)
        return bad(v, n, "output %d '%s' is a graph input or a constant", k, vname(g, vid));
      if (defined[vid]) return bad(v, n, "output %d '%s' is produced twice", k, vname(g, vid));
      defined[vid] = 1;
    }
  }
  return true;
}

/* ---- encodings --------------------------------------------------------- */

static bool index_width_ok(int bits) { return bits == 0 || bits == 8 || bits == 16 || bits == 32; }

/* An encoding on its own: a kind, and exactly the fields that kind uses
 * (the text form prints only those, so the others must be 0 for
 * print -> parse to give the same type back). */
static bool check_encoding(const verifier *v, const spcc_value *val) {
  const spcc_encoding *e = &val->type.enc;
  const char *kind = spcc_encoding_kind_name(e->kind);
  bool blocks = e->block_r || e->block_c, nm = e->nm_n || e->nm_m || e->axis;
  switch (e->kind) {
  case SPCC_ENC_DENSE:
    if (blocks || nm || e->index_bits)
      return bad(v, NULL, "dense value '%s' carries sparse encoding fields", val->name);
    return true;
  case SPCC_ENC_CSR:
    if (blocks || nm) return bad(v, NULL, "csr constant '%s' carries block or N:M fields", val->name);
    break;
  case SPCC_ENC_BSR:
    if (nm) return bad(v, NULL, "bsr constant '%s' carries N:M fields", val->name);
    if (e->block_r < 1 || e->block_c < 1)
      return bad(v, NULL, "bsr constant '%s' has block %dx%d; block sizes must be >= 1",
                 val->name, e->block_r, e->block_c);
    break;
  case SPCC_ENC_NM:
    if (blocks) return bad(v, NULL, "nm constant '%s' carries block fields", val->name);
    if (e->nm_n < 1 || e->nm_n >= e->nm_m || e->nm_m > 16)
      return bad(v, NULL, "nm constant '%s' has N:M %d:%d; need 1 <= N < M <= 16", val->name,
                 e->nm_n, e->nm_m);
    if (e->axis < 0 || e->axis >= val->type.rank)
      return bad(v, NULL, "nm constant '%s' has axis %d, out of range for rank %d", val->name,
                 e->axis, val->type.rank);
    if (e->index_bits && e->index_bits != spcc_nm_index_bits(e->nm_m))
      return bad(v, NULL, "nm constant '%s' has %d-bit indices; %d:%d takes %d", val->name,
                 e->index_bits, e->nm_n, e->nm_m, spcc_nm_index_bits(e->nm_m));
    break;
  default: return bad(v, NULL, "value '%s' has unknown encoding %d", val->name, (int)e->kind);
  }
  if (val->kind != SPCC_VAL_CONST || val->type.dtype != SPCC_DT_F32)
    return bad(v, NULL, "%s encoding on '%s', which is not an f32 constant", kind, val->name);
  if (e->kind != SPCC_ENC_NM && !index_width_ok(e->index_bits))
    return bad(v, NULL, "%s constant '%s' has %d-bit indices; use 8, 16 or 32", kind, val->name,
               e->index_bits);
  return true;
}

/* What the data of a sparse constant must satisfy under the view of its
 * uses: index widths that hold the columns, the N:M axis on the reduction,
 * and N:M the data actually fits. */
static bool check_against_view(const verifier *v, const spcc_node *n, int vid,
                               const spcc_weight_view *view) {
  const spcc_value *val = &v->g->values[vid];
  const spcc_encoding *e = &val->type.enc;
  const char *kind = spcc_encoding_kind_name(e->kind);
  int64_t index_count = e->kind == SPCC_ENC_BSR ? (view->cols + e->block_c - 1) / e->block_c
                                                : view->cols;
  if (e->kind != SPCC_ENC_NM && e->index_bits && e->index_bits < 32 &&
      index_count > (INT64_C(1) << e->index_bits))
    return bad(v, n, "%s constant '%s' has %d-bit indices for %" PRId64 " columns", kind,
               val->name, e->index_bits, index_count);
  if (e->kind == SPCC_ENC_NM) {
    int axis = view->transposed ? 0 : 1;
    if (e->axis != axis)
      return bad(v, n, "nm constant '%s' has axis %d but this use reduces along axis %d",
                 val->name, e->axis, axis);
    if (!spcc_weight_fits_nm(spcc_value_data(v->g, vid), view, e->nm_n, e->nm_m))
      return bad(v, n, "nm constant '%s' does not fit %d:%d: a group of %d holds more than %d "
                 "nonzeros", val->name, e->nm_n, e->nm_m, e->nm_m, e->nm_n);
  }
  return true;
}

/* Every use of a sparse constant is a weight slot, all with one view. */
static bool check_sparse_uses(const verifier *v) {
  const spcc_graph *g = v->g;
  spcc_weight_view *views = calloc((size_t)g->n_values + 1, sizeof *views);
  char *seen = calloc((size_t)g->n_values + 1, 1);
  if (!views || !seen) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  bool ok = true;
  for (int i = 0; ok && i < g->n_nodes; i++) {
    const spcc_node *n = &g->nodes[i];
    if (n->dead) continue;
    for (int k = 0; ok && k < n->n_in; k++) {
      int vid = n->in[k];
      if (vid < 0 || g->values[vid].type.enc.kind == SPCC_ENC_DENSE) continue;
      const char *kind = spcc_encoding_kind_name(g->values[vid].type.enc.kind);
      spcc_weight_view view;
      if (!spcc_weight_view_of(g, n, k, &view)) {
        ok = bad(v, n, "input %d '%s' is %s-encoded but is not a weight slot", k, vname(g, vid),
                 kind);
      } else if (!seen[vid]) {
        seen[vid] = 1;
        views[vid] = view;
        ok = check_against_view(v, n, vid, &view);
      } else if (views[vid].rows != view.rows || views[vid].cols != view.cols ||
                 views[vid].transposed != view.transposed) {
        ok = bad(v, n, "%s constant '%s' is used as two different weight views", kind,
                 vname(g, vid));
      }
    }
  }
  for (int i = 0; ok && i < g->n_outputs; i++) {
    int vid = g->outputs[i];
    if (g->values[vid].type.enc.kind != SPCC_ENC_DENSE)
      ok = bad(v, NULL, "graph output '%s' is %s-encoded; outputs are dense", vname(g, vid),
               spcc_encoding_kind_name(g->values[vid].type.enc.kind));
  }
  free(views);
  free(seen);
  return ok;
}

bool spcc_verify_graph(const spcc_graph *g, spcc_diag *d) {
  verifier vf = {g, d};
  const verifier *v = &vf;
  bool empty;
  int dup = duplicate_name(g, &empty);
  if (dup >= 0)
    return empty ? bad(v, NULL, "value %d has an empty name", dup)
                 : bad(v, NULL, "value name '%s' is used by two values", g->values[dup].name);

  /* defined[vid]: an input, a constant, or produced by an earlier node. */
  char *defined = calloc((size_t)g->n_values + 1, 1);
  char *is_input = calloc((size_t)g->n_values + 1, 1);
  if (!defined || !is_input) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  bool ok = check_inputs(v, is_input);
  if (ok) {
    memcpy(defined, is_input, (size_t)g->n_values);
    ok = check_values(v, is_input, defined) && check_nodes(v, defined);
  }
  for (int i = 0; ok && i < g->n_outputs; i++) {
    int vid = g->outputs[i];
    if (vid < 0 || vid >= g->n_values)
      ok = bad(v, NULL, "graph output %d has value id %d, out of range", i, vid);
    else if (!defined[vid])
      ok = bad(v, NULL, "graph output '%s' is never produced", vname(g, vid));
  }
  for (int vid = 0; ok && vid < g->n_values; vid++)
    if (g->values[vid].kind == SPCC_VAL_TEMP && !defined[vid])
      ok = bad(v, NULL, "temporary '%s' has no producer", g->values[vid].name);
  for (int vid = 0; ok && vid < g->n_values; vid++) ok = check_encoding(v, &g->values[vid]);
  if (ok) ok = check_sparse_uses(v);
  free(defined);
  free(is_input);
  return ok;
}
