/* graph.c - building, querying and compacting graphs. */
#include <stdlib.h>
#include <string.h>

#include "ir.h"

static void *grow(void *p, int *cap, int need, size_t elem) {
  if (need <= *cap) return p;
  int nc = *cap ? *cap * 2 : 16;
  while (nc < need) nc *= 2;
  p = realloc(p, (size_t)nc * elem);
  if (!p) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  *cap = nc;
  return p;
}

spcc_graph *spcc_graph_new(const char *name, const char *source) {
  spcc_graph *g = calloc(1, sizeof *g);
  if (!g) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  g->arena = spcc_arena_new();
  g->name = spcc_arena_strdup(g->arena, name ? name : "graph");
  g->source = source ? spcc_arena_strdup(g->arena, source) : NULL;
  g->arena_size = -1;
  g->arena_lower_bound = -1;
  return g;
}

void spcc_graph_free(spcc_graph *g) {
  if (!g) return;
  for (int i = 0; i < g->n_consts; i++) free(g->consts[i].data);
  free(g->consts);
  free(g->values);
  free(g->nodes);
  spcc_arena_free(g->arena);
  free(g);
}

int spcc_graph_find_value(const spcc_graph *g, const char *name) {
  for (int i = 0; i < g->n_values; i++)
    if (strcmp(g->values[i].name, name) == 0) return i;
  return -1;
}

int spcc_graph_add_value(spcc_graph *g, const char *name, const spcc_type *t,
                         spcc_value_kind kind) {
  g->values = grow(g->values, &g->cap_values, g->n_values + 1, sizeof *g->values);
  int id = g->n_values++;
  spcc_value *v = &g->values[id];
  memset(v, 0, sizeof *v);
  v->name = ""; /* so the fresh-name search below can compare this slot */
  if (name && *name) {
    v->name = spcc_arena_strdup(g->arena, name);
  } else {
    /* Fresh names cannot collide with ONNX names that happen to look alike:
     * retry until unused. */
    for (int k = id;; k++) {
      char buf[32];
      snprintf(buf, sizeof buf, "_t%d", k);
      if (spcc_graph_find_value(g, buf) < 0) {
        v->name = spcc_arena_strdup(g->arena, buf);
        break;
      }
    }
  }
  if (t) {
    v->type = *t;
  } else {
    v->type.rank = -1;
  }
  v->kind = kind;
  v->const_id = -1;
  v->offset = -1;
  return id;
}

int spcc_graph_add_const_data(spcc_graph *g, spcc_dtype dt, int64_t numel, void *data) {
  g->consts = grow(g->consts, &g->cap_consts, g->n_consts + 1, sizeof *g->consts);
  int id = g->n_consts++;
  g->consts[id].dtype = dt;
  g->consts[id].numel = numel;
  g->consts[id].data = data;
  return id;
}

void spcc_graph_set_const(spcc_graph *g, int vid, void *data) {
  spcc_value *v = &g->values[vid];
  int64_t n = spcc_type_numel(&v->type);
  SPCC_ASSERT(n >= 0);
  v->const_id = spcc_graph_add_const_data(g, v->type.dtype, n, data);
  v->kind = SPCC_VAL_CONST;
  v->offset = -1;
}

int spcc_graph_add_const(spcc_graph *g, const char *name, const spcc_type *t, void *data) {
  int vid = spcc_graph_add_value(g, name, t, SPCC_VAL_CONST);
  spcc_graph_set_const(g, vid, data);
  return vid;
}

const void *spcc_value_data(const spcc_graph *g, int vid) {
  if (vid < 0 || vid >= g->n_values) return NULL;
  const spcc_value *v = &g->values[vid];
  if (v->const_id < 0 || v->kind == SPCC_VAL_TEMP) return NULL;
  return g->consts[v->const_id].data;
}

int spcc_graph_add_node(spcc_graph *g, spcc_op op, int n_in, const int *in, int n_out,
                        const int *out) {
  g->nodes = grow(g->nodes, &g->cap_nodes, g->n_nodes + 1, sizeof *g->nodes);
  int idx = g->n_nodes++;
  spcc_node *n = &g->nodes[idx];
  memset(n, 0, sizeof *n);
  n->op = op;
  n->n_in = n_in;
  n->in = spcc_arena_alloc(g->arena, sizeof(int) * (size_t)(n_in ? n_in : 1));
  if (n_in) memcpy(n->in, in, sizeof(int) * (size_t)n_in);
  n->n_out = n_out;
  n->out = spcc_arena_alloc(g->arena, sizeof(int) * (size_t)(n_out ? n_out : 1));
  if (n_out) memcpy(n->out, out, sizeof(int) * (size_t)n_out);
  n->onnx_index = -1;
  n->name = "";
  return idx;
}

/* Replaces or appends attribute `name` on node `node`; returns the slot. */
static spcc_attr *attr_slot(spcc_graph *g, int node, const char *name) {
  spcc_node *n = &g->nodes[node];
  for (int i = 0; i < n->n_attr; i++)
    if (strcmp(n->attr[i].name, name) == 0) return &n->attr[i];
  spcc_attr *a = spcc_arena_alloc(g->arena, sizeof *a * (size_t)(n->n_attr + 1));
  if (n->n_attr) memcpy(a, n->attr, sizeof *a * (size_t)n->n_attr);
  n->attr = a;
  spcc_attr *s = &a[n->n_attr++];
  s->name = spcc_arena_strdup(g->arena, name);
  return s;
}

void spcc_node_set_int(spcc_graph *g, int node, const char *name, int64_t v) {
  spcc_attr *a = attr_slot(g, node, name);
  a->kind = SPCC_ATTR_INT;
  a->i = v;
}

void spcc_node_set_float(spcc_graph *g, int node, const char *name, float v) {
  spcc_attr *a = attr_slot(g, node, name);
  a->kind = SPCC_ATTR_FLOAT;
  a->f = v;
}

void spcc_node_set_string(spcc_graph *g, int node, const char *name, const char *s) {
  spcc_attr *a = attr_slot(g, node, name);
  a->kind = SPCC_ATTR_STRING;
  a->s = spcc_arena_strdup(g->arena, s);
}

void spcc_node_set_ints(spcc_graph *g, int node, const char *name, int n, const int64_t *v) {
  spcc_attr *a = attr_slot(g, node, name);
  a->kind = SPCC_ATTR_INTS;
  a->n = n;
  a->ints = spcc_arena_alloc(g->arena, sizeof(int64_t) * (size_t)(n ? n : 1));
  if (n) memcpy(a->ints, v, sizeof(int64_t) * (size_t)n);
}

void spcc_node_set_floats(spcc_graph *g, int node, const char *name, int n, const float *v) {
  spcc_attr *a = attr_slot(g, node, name);
  a->kind = SPCC_ATTR_FLOATS;
  a->n = n;
  a->floats = spcc_arena_alloc(g->arena, sizeof(float) * (size_t)(n ? n : 1));
  if (n) memcpy(a->floats, v, sizeof(float) * (size_t)n);
}

void spcc_node_set_tensor(spcc_graph *g, int node, const char *name, int const_id) {
  spcc_attr *a = attr_slot(g, node, name);
  a->kind = SPCC_ATTR_TENSOR;
  a->const_id = const_id;
}

const spcc_attr *spcc_node_attr(const spcc_node *n, const char *name) {
  for (int i = 0; i < n->n_attr; i++)
    if (strcmp(n->attr[i].name, name) == 0) return &n->attr[i];
  return NULL;
}

int64_t spcc_attr_int(const spcc_node *n, const char *name, int64_t def) {
  const spcc_attr *a = spcc_node_attr(n, name);
  return a && a->kind == SPCC_ATTR_INT ? a->i : def;
}

float spcc_attr_float(const spcc_node *n, const char *name, float def) {
  const spcc_attr *a = spcc_node_attr(n, name);
  if (!a) return def;
  if (a->kind == SPCC_ATTR_FLOAT) return a->f;
  if (a->kind == SPCC_ATTR_INT) return (float)a->i;
  return def;
}

const char *spcc_attr_string(const spcc_node *n, const char *name, const char *def) {
  const spcc_attr *a = spcc_node_attr(n, name);
  return a && a->kind == SPCC_ATTR_STRING ? a->s : def;
}

const int64_t *spcc_attr_ints(const spcc_node *n, const char *name, int *count) {
  const spcc_attr *a = spcc_node_attr(n, name);
  if (a && a->kind == SPCC_ATTR_INTS) {
    *count = a->n;
    return a->ints;
  }
  *count = 0;
  return NULL;
}

const float *spcc_attr_floats(const spcc_node *n, const char *name, int *count) {
  const spcc_attr *a = spcc_node_attr(n, name);
  if (a && a->kind == SPCC_ATTR_FLOATS) {
    *count = a->n;
    return a->floats;
  }
  *count = 0;
  return NULL;
}

int *spcc_graph_producers(const spcc_graph *g) {
  int *p = malloc(sizeof(int) * (size_t)(g->n_values ? g->n_values : 1));
  if (!p) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  for (int i = 0; i < g->n_values; i++) p[i] = -1;
  for (int i = 0; i < g->n_nodes; i++)
    for (int k = 0; k < g->nodes[i].n_out; k++)
      if (g->nodes[i].out[k] >= 0) p[g->nodes[i].out[k]] = i;
  return p;
}

int *spcc_graph_last_uses(const spcc_graph *g) {
  int *u = malloc(sizeof(int) * (size_t)(g->n_values ? g->n_values : 1));
  if (!u) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  for (int i = 0; i < g->n_values; i++) u[i] = -1;
  for (int i = 0; i < g->n_nodes; i++)
    for (int k = 0; k < g->nodes[i].n_in; k++)
      if (g->nodes[i].in[k] >= 0) u[g->nodes[i].in[k]] = i;
  return u;
}

void spcc_graph_compact(spcc_graph *g) {
  /* Drop dead nodes, keeping order. */
  int nn = 0;
  for (int i = 0; i < g->n_nodes; i++)
    if (!g->nodes[i].dead) g->nodes[nn++] = g->nodes[i];
  g->n_nodes = nn;

  /* Values still referenced. */
  char *used = calloc((size_t)(g->n_values ? g->n_values : 1), 1);
  int *remap = malloc(sizeof(int) * (size_t)(g->n_values ? g->n_values : 1));
  if (!used || !remap) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  for (int i = 0; i < g->n_nodes; i++) {
    const spcc_node *n = &g->nodes[i];
    for (int k = 0; k < n->n_in; k++)
      if (n->in[k] >= 0) used[n->in[k]] = 1;
    for (int k = 0; k < n->n_out; k++)
      if (n->out[k] >= 0) used[n->out[k]] = 1;
  }
  for (int i = 0; i < g->n_inputs; i++) used[g->inputs[i]] = 1;
  for (int i = 0; i < g->n_outputs; i++) used[g->outputs[i]] = 1;

  int nv = 0;
  for (int i = 0; i < g->n_values; i++) {
    remap[i] = used[i] ? nv : -1;
    if (used[i]) g->values[nv++] = g->values[i];
  }
  g->n_values = nv;
  for (int i = 0; i < g->n_nodes; i++) {
    spcc_node *n = &g->nodes[i];
    for (int k = 0; k < n->n_in; k++)
      if (n->in[k] >= 0) n->in[k] = remap[n->in[k]];
    for (int k = 0; k < n->n_out; k++)
      if (n->out[k] >= 0) n->out[k] = remap[n->out[k]];
  }
  for (int i = 0; i < g->n_inputs; i++) g->inputs[i] = remap[g->inputs[i]];
  for (int i = 0; i < g->n_outputs; i++) g->outputs[i] = remap[g->outputs[i]];

  /* Constants no value refers to any more. */
  int nc = g->n_consts;
  int *cmap = malloc(sizeof(int) * (size_t)(nc ? nc : 1));
  char *cused = calloc((size_t)(nc ? nc : 1), 1);
  if (!cmap || !cused) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  for (int i = 0; i < g->n_values; i++)
    if (g->values[i].const_id >= 0) cused[g->values[i].const_id] = 1;
  for (int i = 0; i < g->n_nodes; i++) /* TENSOR attributes hold constants too */
    for (int a = 0; a < g->nodes[i].n_attr; a++)
      if (g->nodes[i].attr[a].kind == SPCC_ATTR_TENSOR) cused[g->nodes[i].attr[a].const_id] = 1;
  int k = 0;
  for (int i = 0; i < nc; i++) {
    if (cused[i]) {
      cmap[i] = k;
      g->consts[k++] = g->consts[i];
    } else {
      cmap[i] = -1;
      free(g->consts[i].data);
    }
  }
  g->n_consts = k;
  for (int i = 0; i < g->n_values; i++)
    if (g->values[i].const_id >= 0) g->values[i].const_id = cmap[g->values[i].const_id];
  for (int i = 0; i < g->n_nodes; i++)
    for (int a = 0; a < g->nodes[i].n_attr; a++)
      if (g->nodes[i].attr[a].kind == SPCC_ATTR_TENSOR)
        g->nodes[i].attr[a].const_id = cmap[g->nodes[i].attr[a].const_id];
  free(cmap);
  free(cused);
  free(used);
  free(remap);
}
