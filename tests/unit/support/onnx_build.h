/* onnx_build.h - ONNX models built in memory with protobuf-c, for the unit
 * tests of the frontend (test_import.c, test_sparse_import.c, test_export.c).
 *
 * A test builds exactly the model it needs, including the malformed ones no
 * exporter writes, then saves it and imports it. Everything here comes from
 * one allocation list that ob_free_all releases (register it as the cmocka
 * teardown), so a test can drop and replace parts of a model freely. Every
 * repeated field is allocated with room for OB_MAXN entries: append with
 * `g->node[g->n_node++] = ...`.
 */
#ifndef SPCC_TEST_ONNX_BUILD_H
#define SPCC_TEST_ONNX_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "frontend/frontend.h"
#include "spcc/spcc.h"

#define OB_MAXN 16
/* A NULL-terminated list of names for ob_node. */
#define NAMES(...) ((const char *[]){__VA_ARGS__, NULL})

enum {
  F32 = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT,
  I64 = ONNX__TENSOR_PROTO__DATA_TYPE__INT64,
  BOOL = ONNX__TENSOR_PROTO__DATA_TYPE__BOOL
};

/* Zeroed memory (n may be 0), valid until ob_free_all. */
void *ob_alloc(size_t n);
char *ob_str(const char *s);
int64_t *ob_dims(int rank, const int64_t *dims);
/* Frees everything ob_* allocated; a cmocka teardown (returns 0). */
int ob_free_all(void **state);

/* A tensor value_info of element type elem. dims: -1 is a dim_param "N",
 * -2 a dimension with neither field; rank -1 means no shape at all. */
Onnx__ValueInfoProto *ob_value_info(const char *name, int elem, int rank, const int64_t *dims);

/* A node; ins and outs are NAMES(...) lists or NULL. */
Onnx__NodeProto *ob_node(const char *op, const char *name, const char **ins, const char **outs);

/* Appends an attribute of the given AttributeProto type to n; the caller
 * sets its value. */
Onnx__AttributeProto *ob_attr(Onnx__NodeProto *n, const char *name, int type);

/* Appends an attribute holding v (copied). */
Onnx__AttributeProto *ob_attr_int(Onnx__NodeProto *n, const char *name, int64_t v);
Onnx__AttributeProto *ob_attr_float(Onnx__NodeProto *n, const char *name, float v);
Onnx__AttributeProto *ob_attr_ints(Onnx__NodeProto *n, const char *name, size_t count,
                                   const int64_t *v);
Onnx__AttributeProto *ob_attr_floats(Onnx__NodeProto *n, const char *name, size_t count,
                                     const float *v);

/* A tensor of n elements of `size` bytes each from v, as raw_data. */
Onnx__TensorProto *ob_tensor(const char *name, int type, int rank, const int64_t *dims,
                             const void *v, size_t n, size_t size);

/* A sparse tensor (COO) of the given dense shape. */
Onnx__SparseTensorProto *ob_sparse(Onnx__TensorProto *values, Onnx__TensorProto *indices,
                                   int rank, const int64_t *dims);

/* An empty graph (subgraph bodies, or a model's graph). */
Onnx__GraphProto *ob_graph(const char *name);

/* Appends a GRAPH attribute holding g (If branches, Loop bodies). */
Onnx__AttributeProto *ob_attr_graph(Onnx__NodeProto *n, const char *name, Onnx__GraphProto *g);

/* Appends to m a local function domain::name(ins) -> (outs) with room for
 * OB_MAXN nodes and its own default-domain opset. */
Onnx__FunctionProto *ob_function(Onnx__ModelProto *m, const char *domain, const char *name,
                                 const char **ins, const char **outs, int64_t opset);

/* A model of IR version ir importing the default domain at opset, with an
 * empty graph named graph_name. */
Onnx__ModelProto *ob_model(const char *graph_name, int64_t ir, int64_t opset);

/* Packs m into the file path (asserting it is written). */
void ob_save(const Onnx__ModelProto *m, const char *path);

/* Saves m to path and imports it with a fresh, silent d. */
spcc_graph *ob_import(const Onnx__ModelProto *m, const char *path, const spcc_options *o,
                      spcc_diag *d);

#endif
