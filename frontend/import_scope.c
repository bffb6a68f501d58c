/* import_scope.c - the importer's names, scopes and sequences, the IR nodes
 * and constants it makes itself, and the compile-time facts it asks for.
 *
 * ONNX names are resolved through a chain of scopes (a subgraph body sees
 * the values of the graphs around it). Every IR value still needs a name
 * unique in the one flat graph: values defined in a subgraph are named
 * after their scope ("loop/iter2/y"), and any clash gets a "#k" suffix, so
 * the IR and the generated code can always be traced back to the model.
 */
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "passes/passes.h"

static void *xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  return p;
}

/* ---- name maps ---------------------------------------------------------------- */

static uint64_t hash_name(const char *s) {
  uint64_t h = 1469598103934665603u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
  return h;
}

int spcc_fe_map_find(const spcc_fe_name_map *m, const char *name) {
  if (!m->cap) return -1;
  for (size_t i = hash_name(name) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
    if (!m->keys[i]) return -1;
    if (strcmp(m->keys[i], name) == 0) return m->ids[i];
  }
}

void spcc_fe_map_put(spcc_fe_name_map *m, const char *key, int id) {
  if (2 * (m->count + 1) > m->cap) {
    spcc_fe_name_map bigger = {0};
    bigger.cap = m->cap ? m->cap * 2 : 64;
    bigger.keys = calloc(bigger.cap, sizeof *bigger.keys);
    bigger.ids = calloc(bigger.cap, sizeof *bigger.ids);
    if (!bigger.keys || !bigger.ids) spcc_assert_fail("out of memory", __FILE__, __LINE__);
    for (size_t i = 0; i < m->cap; i++)
      if (m->keys[i]) spcc_fe_map_put(&bigger, m->keys[i], m->ids[i]);
    spcc_fe_map_free(m);
    *m = bigger;
  }
  size_t i = hash_name(key) & (m->cap - 1);
  while (m->keys[i] && strcmp(m->keys[i], key) != 0) i = (i + 1) & (m->cap - 1);
  if (!m->keys[i]) m->count++;
  m->keys[i] = key;
  m->ids[i] = id;
}

void spcc_fe_map_free(spcc_fe_name_map *m) {
  free(m->keys);
  free(m->ids);
  memset(m, 0, sizeof *m);
}

/* ---- scopes ------------------------------------------------------------------- */

int spcc_fe_lookup(const spcc_fe_importer *im, const char *name) {
  for (const spcc_fe_scope *s = im->scope; s; s = s->parent) {
    int ref = spcc_fe_map_find(&s->names, name);
    if (ref != SPCC_FE_NO_REF) return ref;
  }
  return SPCC_FE_NO_REF;
}

bool spcc_fe_defined_here(const spcc_fe_importer *im, const char *name) {
  return spcc_fe_map_find(&im->scope->names, name) != SPCC_FE_NO_REF;
}

void spcc_fe_bind(spcc_fe_importer *im, const char *name, int ref) {
  spcc_fe_map_put(&im->scope->names, spcc_arena_strdup(im->g->arena, name), ref);
}

/* A graph-unique IR name for a value called name in the current scope. */
static const char *unique_name(spcc_fe_importer *im, const char *name) {
  const char *base = spcc_arena_printf(im->g->arena, "%s%s", im->scope->prefix, name);
  const char *s = base;
  for (int k = 2; spcc_fe_map_find(&im->ir_names, s) >= 0; k++)
    s = spcc_arena_printf(im->g->arena, "%s#%d", base, k);
  return s;
}

static int add_value(spcc_fe_importer *im, const char *onnx_name, const spcc_type *t,
                     spcc_value_kind kind) {
  char fresh[48];
  if (!onnx_name) snprintf(fresh, sizeof fresh, "_v%d", im->g->n_values);
  int vid = spcc_graph_add_value(im->g, unique_name(im, onnx_name ? onnx_name : fresh), t, kind);
  spcc_fe_map_put(&im->ir_names, im->g->values[vid].name, vid);
  if (onnx_name) spcc_fe_bind(im, onnx_name, vid);
  return vid;
}

int spcc_fe_define(spcc_fe_importer *im, const char *onnx_name, const spcc_type *t,
                   spcc_value_kind kind) {
  return add_value(im, onnx_name, t, kind);
}

int spcc_fe_define_const(spcc_fe_importer *im, const char *onnx_name, const spcc_type *t,
                         void *data) {
  int vid = add_value(im, onnx_name, t, SPCC_VAL_CONST);
  spcc_graph_set_const(im->g, vid, data);
  return vid;
}

void spcc_fe_enter(spcc_fe_importer *im, spcc_fe_scope *s, const char *suffix) {
  memset(s, 0, sizeof *s);
  s->parent = im->scope;
  s->prefix = spcc_arena_printf(im->g->arena, "%s%s", im->scope ? im->scope->prefix : "",
                                suffix);
  im->scope = s;
  im->depth++;
}

void spcc_fe_leave(spcc_fe_importer *im) {
  spcc_fe_scope *s = im->scope;
  im->scope = s->parent;
  im->depth--;
  spcc_fe_map_free(&s->names);
}

/* ---- sequences ---------------------------------------------------------------- */

int spcc_fe_seq_new(spcc_fe_importer *im, spcc_dtype dt, int n, const int *items) {
  if (im->n_seqs == im->cap_seqs) {
    im->cap_seqs = im->cap_seqs ? 2 * im->cap_seqs : 16;
    im->seqs = xrealloc(im->seqs, sizeof *im->seqs * (size_t)im->cap_seqs);
  }
  int *copy = spcc_arena_alloc(im->g->arena, sizeof(int) * (size_t)(n > 0 ? n : 1));
  if (n) memcpy(copy, items, sizeof(int) * (size_t)n);
  im->seqs[im->n_seqs] = (spcc_fe_seq){.dtype = dt, .n = n, .items = copy};
  return -2 - im->n_seqs++;
}

const spcc_fe_seq *spcc_fe_seq_get(const spcc_fe_importer *im, int ref) {
  SPCC_ASSERT(spcc_fe_is_seq(ref) && -2 - ref < im->n_seqs);
  return &im->seqs[-2 - ref];
}

/* ---- building IR -------------------------------------------------------------- */

int spcc_fe_add_node(spcc_fe_importer *im, spcc_op op, int opset, int n_in, const int *in,
                     int n_out, int *out) {
  for (int k = 0; k < n_out; k++)
    if (out[k] < 0) out[k] = add_value(im, NULL, NULL, SPCC_VAL_TEMP);
  int idx = spcc_graph_add_node(im->g, op, n_in, in, n_out, out);
  spcc_node *n = &im->g->nodes[idx];
  n->onnx_index = im->top_index;
  n->name = spcc_arena_printf(im->g->arena, "%s%s", im->scope->prefix,
                              spcc_op_ir_name(op));
  n->opset = opset;
  return idx;
}

int spcc_fe_const_i64(spcc_fe_importer *im, int n, const int64_t *v, bool scalar) {
  SPCC_ASSERT(!scalar || n == 1);
  int64_t dim = n;
  spcc_type t = spcc_type_make(SPCC_DT_I64, scalar ? 0 : 1, &dim);
  int64_t *data = xrealloc(NULL, sizeof(int64_t) * (size_t)n);
  if (n) memcpy(data, v, sizeof(int64_t) * (size_t)n);
  return spcc_fe_define_const(im, NULL, &t, data);
}

int spcc_fe_const_bool(spcc_fe_importer *im, bool v) {
  spcc_type t = spcc_type_make(SPCC_DT_BOOL, 0, NULL);
  uint8_t *data = xrealloc(NULL, 1);
  *data = v ? 1 : 0;
  return spcc_fe_define_const(im, NULL, &t, data);
}

/* ---- compile-time facts ------------------------------------------------------- */

bool spcc_fe_settle(spcc_fe_importer *im) {
  if (im->n_unsupported) return false; /* already reported: nothing can be typed */
  bool folded;
  if (!spcc_shape_infer_nodes(im->g, im->n_settled, im->d, &folded)) return false;
  im->n_settled = im->g->n_nodes;
  im->any_folded = im->any_folded || folded;
  return true;
}

const void *spcc_fe_known(spcc_fe_importer *im, int vid, bool *ok) {
  *ok = spcc_fe_settle(im);
  if (!*ok) return NULL;
  const void *p = spcc_value_data(im->g, vid);
  bool bound = false;
  if (!p && !(*ok = spcc_fe_bind_upstream(im, vid, &bound))) return NULL;
  if (bound) {
    /* Fold again from the start: the new constants reach nodes typed and
     * left unfolded before. */
    bool folded;
    *ok = spcc_shape_infer_nodes(im->g, 0, im->d, &folded);
    im->any_folded = im->any_folded || folded;
    p = *ok ? spcc_value_data(im->g, vid) : NULL;
  }
  return p;
}

bool spcc_fe_known_int(spcc_fe_importer *im, int vid, const char *where, const char *what,
                       int64_t *v) {
  bool ok;
  const void *p = spcc_fe_known(im, vid, &ok);
  if (!ok) return false;
  const spcc_type *t = &im->g->values[vid].type;
  if (spcc_type_numel(t) != 1 || spcc_dtype_is_float(t->dtype)) {
    char s[160];
    spcc_error(im->d, where, NULL, "%s must be a single integer, got %s", what,
               spcc_type_str(t, s, sizeof s));
    return false;
  }
  if (!p) {
    spcc_error(im->d, where, NULL,
               "unsupported: %s ('%s') must be a compile-time constant (fix it with --bind)",
               what, im->g->values[vid].name);
    return false;
  }
  switch (t->dtype) {
  case SPCC_DT_I8: *v = *(const int8_t *)p; break;
  case SPCC_DT_I16: *v = *(const int16_t *)p; break;
  case SPCC_DT_I32: *v = *(const int32_t *)p; break;
  case SPCC_DT_I64: *v = *(const int64_t *)p; break;
  case SPCC_DT_U8:
  case SPCC_DT_BOOL: *v = *(const uint8_t *)p; break;
  case SPCC_DT_U16: *v = *(const uint16_t *)p; break;
  case SPCC_DT_U32: *v = *(const uint32_t *)p; break;
  default: { /* U64: values past INT64_MAX saturate (trip counts) */
    uint64_t u = *(const uint64_t *)p;
    *v = u > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)u;
  }
  }
  return true;
}

/* ---- subgraph bodies -------------------------------------------------------------- */

const char *spcc_fe_node_label(const Onnx__NodeProto *np) {
  if (np->name && *np->name) return np->name;
  if (np->n_output && np->output[0] && *np->output[0]) return np->output[0];
  return np->op_type;
}

bool spcc_fe_check_nesting(spcc_fe_importer *im, const char *where) {
  if (im->depth > SPCC_FE_MAX_NESTING) {
    spcc_error(im->d, where, NULL, "unsupported: subgraphs nested more than %d deep",
               SPCC_FE_MAX_NESTING);
    return false;
  }
  return true;
}

bool spcc_fe_body_outputs(spcc_fe_importer *im, const Onnx__GraphProto *gp, const char *where,
                          int *refs) {
  for (size_t k = 0; k < gp->n_output; k++) {
    const Onnx__ValueInfoProto *vi = gp->output[k];
    const char *name = vi && vi->name ? vi->name : "";
    refs[k] = *name ? spcc_fe_lookup(im, name) : SPCC_FE_NO_REF;
    if (refs[k] == SPCC_FE_NO_REF) {
      spcc_error(im->d, where, NULL, "subgraph output '%s' is not defined", name);
      return false;
    }
  }
  return true;
}

void spcc_fe_stack(spcc_fe_importer *im, const int *vids, int n, int64_t axis, int out) {
  SPCC_ASSERT(n > 0);
  int *parts = malloc(sizeof(int) * (size_t)n);
  if (!parts) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  int axes = spcc_fe_const_i64(im, 1, &axis, false);
  for (int i = 0; i < n; i++) {
    int in[2] = {vids[i], axes};
    parts[i] = n == 1 ? out : -1;
    spcc_fe_add_node(im, SPCC_OP_UNSQUEEZE, 13, 2, in, 1, &parts[i]);
  }
  if (n > 1) {
    int idx = spcc_fe_add_node(im, SPCC_OP_CONCAT, 13, n, parts, 1, &out);
    spcc_node_set_int(im->g, idx, "axis", axis);
  }
  free(parts);
}
