/* graph_build.c - small IR graphs for the unit tests (see graph_build.h). */
#include <string.h>

#include "graph_build.h"

/* ids[0..n) in the arena, with room for one more. */
static int *arena_ids(spcc_graph *g, int n, const int *ids) {
  int *p = spcc_arena_alloc(g->arena, sizeof(int) * (size_t)(n + 1));
  if (n > 0) memcpy(p, ids, sizeof(int) * (size_t)n);
  return p;
}

void gb_set_inputs(spcc_graph *g, int n, const int *ids) {
  g->inputs = arena_ids(g, n, ids);
  g->n_inputs = n;
}

void gb_set_outputs(spcc_graph *g, int n, const int *ids) {
  g->outputs = arena_ids(g, n, ids);
  g->n_outputs = n;
}

void gb_add_input(spcc_graph *g, int v) {
  g->inputs = arena_ids(g, g->n_inputs, g->inputs);
  g->inputs[g->n_inputs++] = v;
}

void gb_add_output(spcc_graph *g, int v) {
  g->outputs = arena_ids(g, g->n_outputs, g->outputs);
  g->outputs[g->n_outputs++] = v;
}

void gb_set_origin(spcc_graph *g, int node, int onnx_index, const char *name, int opset) {
  g->nodes[node].onnx_index = onnx_index;
  g->nodes[node].name = spcc_arena_strdup(g->arena, name);
  g->nodes[node].opset = opset;
}

int gb_tensor(spcc_graph *g, const char *name, int rank, const int64_t *dims, float *data) {
  spcc_type t = spcc_type_make(SPCC_DT_F32, rank, dims);
  if (data) return spcc_graph_add_const(g, name, &t, data);
  int v = spcc_graph_add_value(g, name, &t, SPCC_VAL_INPUT);
  gb_add_input(g, v);
  return v;
}

int gb_node(spcc_graph *g, spcc_op op, int n_in, const int *in, const char *name) {
  int out = spcc_graph_add_value(g, NULL, NULL, SPCC_VAL_TEMP);
  int k = spcc_graph_add_node(g, op, n_in, in, 1, &out);
  gb_set_origin(g, k, k, name, 13);
  return k;
}

const char *gb_fresh_name(spcc_graph *g) {
  return spcc_arena_printf(g->arena, "v%d", g->n_values);
}

int gb_input_value(spcc_graph *g, const char *name, spcc_dtype dt, int rank, const int64_t *dims) {
  spcc_type t = spcc_type_make(dt, rank, dims);
  return spcc_graph_add_value(g, name ? name : gb_fresh_name(g), &t, SPCC_VAL_INPUT);
}

int gb_out(const spcc_graph *g, int node) { return g->nodes[node].out[0]; }

spcc_options gb_sparse_options(void) {
  spcc_options o;
  spcc_options_init(&o);
  o.sparse.prune_min_elems = 0;
  return o;
}
