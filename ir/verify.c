/* verify.c - structural checks of a graph, run after parsing and after every
 * pass in debug builds and tests.
 *
 * A pass that breaks an invariant should be caught at the pass, not later as
 * wrong C, so the verifier checks every invariant the other stages rely on:
 * ids in range, names unique, definitions before uses (which is topological
 * order), one producer per value, inputs and constants well formed, outputs
 * defined, attribute names unique, and planned memory inside the arena. It
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
  free(defined);
  free(is_input);
  return ok;
}
