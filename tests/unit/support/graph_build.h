/* graph_build.h - small IR graphs built with the IR API, for the unit tests
 * of passes, shape rules and the backend (test_sparsify.c,
 * test_select_format.c, test_pipeline.c, test_plan_memory.c, test_ir_text.c,
 * test_rt_linear.c, test_rt_tensor.c).
 *
 * The IR API adds values and nodes; what every test then repeats - the
 * graph's input and output lists, a node's ONNX origin, f32 weights that are
 * either constants or runtime inputs - lives here. Lists are copied into the
 * graph's arena, so spcc_graph_free releases everything.
 */
#ifndef SPCC_TEST_GRAPH_BUILD_H
#define SPCC_TEST_GRAPH_BUILD_H

#include <stdint.h>

#include "ir/ir.h"
#include "spcc/spcc.h"

/* Replace the graph's input / output lists by ids[0..n). */
void gb_set_inputs(spcc_graph *g, int n, const int *ids);
void gb_set_outputs(spcc_graph *g, int n, const int *ids);
/* Append one value to the input / output list. */
void gb_add_input(spcc_graph *g, int v);
void gb_add_output(spcc_graph *g, int v);

/* Sets the ONNX origin diagnostics name a node by. */
void gb_set_origin(spcc_graph *g, int node, int onnx_index, const char *name, int opset);

/* An f32 tensor: a constant holding data (the graph takes the malloc'd
 * buffer) or, with data NULL, a new graph input. Returns its value id. */
int gb_tensor(spcc_graph *g, const char *name, int rank, const int64_t *dims, float *data);

/* Appends op(in[0..n_in)) with one new unnamed output, origin (node index,
 * name, opset 13); returns the node index. */
int gb_node(spcc_graph *g, spcc_op op, int n_in, const int *in, const char *name);

/* "v<id>" for the next value: tests that name their values this way do not
 * depend on ir/graph.c's own fresh names. */
const char *gb_fresh_name(spcc_graph *g);

/* A value of kind INPUT (not added to g->inputs), named name or, when name
 * is NULL, gb_fresh_name. */
int gb_input_value(spcc_graph *g, const char *name, spcc_dtype dt, int rank, const int64_t *dims);

/* The first output of node k (read after adding, as g->nodes may move). */
int gb_out(const spcc_graph *g, int node);

/* Default options, but small weights are pruned too (prune_min_elems 0). */
spcc_options gb_sparse_options(void);

#endif
