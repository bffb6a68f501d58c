/* onnx_build.c - ONNX models built in memory for the frontend unit tests
 * (see onnx_build.h). Allocation failures and write errors fail the test
 * through cmocka's assertions rather than being reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_build.h"

enum { MAX_ALLOCS = 4096 };
static void *allocs[MAX_ALLOCS];
static int n_allocs;

void *ob_alloc(size_t n) {
  assert_true(n_allocs < MAX_ALLOCS);
  void *p = calloc(1, n ? n : 1);
  assert_non_null(p);
  return allocs[n_allocs++] = p;
}

int ob_free_all(void **state) {
  (void)state;
  while (n_allocs) free(allocs[--n_allocs]);
  return 0;
}

char *ob_str(const char *s) {
  char *p = ob_alloc(strlen(s) + 1);
  strcpy(p, s);
  return p;
}

static void *copy(const void *v, size_t bytes) {
  void *p = ob_alloc(bytes);
  if (bytes) memcpy(p, v, bytes);
  return p;
}

int64_t *ob_dims(int rank, const int64_t *dims) {
  int64_t *p = ob_alloc(sizeof(int64_t) * (size_t)(rank + 1));
  if (rank > 0) memcpy(p, dims, sizeof(int64_t) * (size_t)rank);
  return p;
}

Onnx__ValueInfoProto *ob_value_info(const char *name, int elem, int rank, const int64_t *dims) {
  Onnx__ValueInfoProto *v = ob_alloc(sizeof *v);
  onnx__value_info_proto__init(v);
  v->name = ob_str(name);
  Onnx__TypeProto *t = ob_alloc(sizeof *t);
  onnx__type_proto__init(t);
  Onnx__TypeProto__Tensor *tt = ob_alloc(sizeof *tt);
  onnx__type_proto__tensor__init(tt);
  tt->has_elem_type = 1;
  tt->elem_type = elem;
  t->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
  t->tensor_type = tt;
  v->type = t;
  if (rank < 0) return v;
  Onnx__TensorShapeProto *sh = ob_alloc(sizeof *sh);
  onnx__tensor_shape_proto__init(sh);
  sh->n_dim = (size_t)rank;
  sh->dim = ob_alloc(sizeof *sh->dim * (size_t)(rank + 1));
  for (int i = 0; i < rank; i++) {
    Onnx__TensorShapeProto__Dimension *dm = ob_alloc(sizeof *dm);
    onnx__tensor_shape_proto__dimension__init(dm);
    if (dims[i] >= 0) {
      dm->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
      dm->dim_value = dims[i];
    } else if (dims[i] == -1) {
      dm->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
      dm->dim_param = ob_str("N");
    }
    sh->dim[i] = dm;
  }
  tt->shape = sh;
  return v;
}

Onnx__NodeProto *ob_node(const char *op, const char *name, const char **ins, const char **outs) {
  Onnx__NodeProto *n = ob_alloc(sizeof *n);
  onnx__node_proto__init(n);
  n->op_type = ob_str(op);
  n->name = ob_str(name);
  n->input = ob_alloc(sizeof(char *) * OB_MAXN);
  n->output = ob_alloc(sizeof(char *) * OB_MAXN);
  for (; ins && *ins; ins++) n->input[n->n_input++] = ob_str(*ins);
  for (; outs && *outs; outs++) n->output[n->n_output++] = ob_str(*outs);
  n->attribute = ob_alloc(sizeof(void *) * OB_MAXN);
  return n;
}

Onnx__AttributeProto *ob_attr(Onnx__NodeProto *n, const char *name, int type) {
  Onnx__AttributeProto *a = ob_alloc(sizeof *a);
  onnx__attribute_proto__init(a);
  a->name = ob_str(name);
  a->has_type = 1;
  a->type = type;
  n->attribute[n->n_attribute++] = a;
  return a;
}

Onnx__AttributeProto *ob_attr_int(Onnx__NodeProto *n, const char *name, int64_t v) {
  Onnx__AttributeProto *a = ob_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
  a->has_i = 1;
  a->i = v;
  return a;
}

Onnx__AttributeProto *ob_attr_float(Onnx__NodeProto *n, const char *name, float v) {
  Onnx__AttributeProto *a = ob_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
  a->has_f = 1;
  a->f = v;
  return a;
}

Onnx__AttributeProto *ob_attr_ints(Onnx__NodeProto *n, const char *name, size_t count,
                                   const int64_t *v) {
  Onnx__AttributeProto *a = ob_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
  a->n_ints = count;
  a->ints = copy(v, sizeof *v * count);
  return a;
}

Onnx__AttributeProto *ob_attr_floats(Onnx__NodeProto *n, const char *name, size_t count,
                                     const float *v) {
  Onnx__AttributeProto *a = ob_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS);
  a->n_floats = count;
  a->floats = copy(v, sizeof *v * count);
  return a;
}

Onnx__TensorProto *ob_tensor(const char *name, int type, int rank, const int64_t *dims,
                             const void *v, size_t n, size_t size) {
  Onnx__TensorProto *t = ob_alloc(sizeof *t);
  onnx__tensor_proto__init(t);
  t->name = ob_str(name);
  t->has_data_type = 1;
  t->data_type = type;
  t->n_dims = (size_t)rank;
  t->dims = ob_dims(rank, dims);
  t->has_raw_data = 1;
  t->raw_data.len = n * size;
  t->raw_data.data = copy(v, t->raw_data.len);
  return t;
}

Onnx__SparseTensorProto *ob_sparse(Onnx__TensorProto *values, Onnx__TensorProto *indices,
                                   int rank, const int64_t *dims) {
  Onnx__SparseTensorProto *s = ob_alloc(sizeof *s);
  onnx__sparse_tensor_proto__init(s);
  s->values = values;
  s->indices = indices;
  s->n_dims = (size_t)rank;
  s->dims = ob_dims(rank, dims);
  return s;
}

Onnx__GraphProto *ob_graph(const char *name) {
  Onnx__GraphProto *g = ob_alloc(sizeof *g);
  onnx__graph_proto__init(g);
  g->name = ob_str(name);
  g->node = ob_alloc(sizeof(void *) * OB_MAXN);
  g->input = ob_alloc(sizeof(void *) * OB_MAXN);
  g->output = ob_alloc(sizeof(void *) * OB_MAXN);
  g->value_info = ob_alloc(sizeof(void *) * OB_MAXN);
  g->initializer = ob_alloc(sizeof(void *) * OB_MAXN);
  g->sparse_initializer = ob_alloc(sizeof(void *) * OB_MAXN);
  return g;
}

Onnx__AttributeProto *ob_attr_graph(Onnx__NodeProto *n, const char *name, Onnx__GraphProto *g) {
  Onnx__AttributeProto *a = ob_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH);
  a->g = g;
  return a;
}

static size_t count_names(const char **names) {
  size_t n = 0;
  while (names && names[n]) n++;
  return n;
}

Onnx__FunctionProto *ob_function(Onnx__ModelProto *m, const char *domain, const char *name,
                                 const char **ins, const char **outs, int64_t opset) {
  Onnx__FunctionProto *f = ob_alloc(sizeof *f);
  onnx__function_proto__init(f);
  f->name = ob_str(name);
  f->domain = ob_str(domain);
  f->n_input = count_names(ins);
  f->input = ob_alloc(sizeof(char *) * (f->n_input + 1));
  for (size_t k = 0; k < f->n_input; k++) f->input[k] = ob_str(ins[k]);
  f->n_output = count_names(outs);
  f->output = ob_alloc(sizeof(char *) * (f->n_output + 1));
  for (size_t k = 0; k < f->n_output; k++) f->output[k] = ob_str(outs[k]);
  f->node = ob_alloc(sizeof(void *) * OB_MAXN);
  f->opset_import = ob_alloc(sizeof(void *) * 2);
  Onnx__OperatorSetIdProto *op = ob_alloc(sizeof *op);
  onnx__operator_set_id_proto__init(op);
  op->domain = ob_str("");
  op->has_version = 1;
  op->version = opset;
  f->opset_import[f->n_opset_import++] = op;
  if (!m->functions) m->functions = ob_alloc(sizeof(void *) * OB_MAXN);
  m->functions[m->n_functions++] = f;
  return f;
}

Onnx__ModelProto *ob_model(const char *graph_name, int64_t ir, int64_t opset) {
  Onnx__ModelProto *m = ob_alloc(sizeof *m);
  onnx__model_proto__init(m);
  m->has_ir_version = 1;
  m->ir_version = ir;
  m->opset_import = ob_alloc(sizeof(void *) * OB_MAXN);
  Onnx__OperatorSetIdProto *op = ob_alloc(sizeof *op);
  onnx__operator_set_id_proto__init(op);
  op->domain = ob_str("");
  op->has_version = 1;
  op->version = opset;
  m->opset_import[m->n_opset_import++] = op;
  m->graph = ob_graph(graph_name);
  return m;
}

void ob_save(const Onnx__ModelProto *m, const char *path) {
  size_t n = onnx__model_proto__get_packed_size(m);
  uint8_t *buf = malloc(n + 1);
  assert_non_null(buf);
  onnx__model_proto__pack(m, buf);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(buf, 1, n, f), n);
  fclose(f);
  free(buf);
}

spcc_graph *ob_import(const Onnx__ModelProto *m, const char *path, const spcc_options *o,
                      spcc_diag *d) {
  ob_save(m, path);
  spcc_diag_init(d, NULL);
  return spcc_import_onnx(path, o, d);
}
