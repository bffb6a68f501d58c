/* onnx_attrs.c - ONNX node attributes and Constant nodes for the importer.
 *
 * The IR keeps only the attribute kinds every op needs (INT, FLOAT, STRING,
 * INTS, FLOATS, and TENSOR as a graph constant); the rest (tensors, subgraphs, string lists, ...) are
 * reported as unsupported on the node that carries them. Constant nodes do
 * not become IR nodes: their single value attribute (a sparse_value is
 * expanded to dense) is turned into a tensor here and the importer adds it
 * as a constant. Old models (IR version 1) may
 * omit an attribute's type, so the type is inferred from the field present.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"

/* More attributes than any ONNX operator defines; a cap keeps a hostile
 * node from costing quadratic time and memory. */
#define MAX_ATTRS 256

/* The attribute's type, from its type field or, when that is absent (IR
 * version 1), from the one value field that is present. */
static int attr_type(const Onnx__AttributeProto *a) {
  if (a->has_type && a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED) return a->type;
  if (a->has_f) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
  if (a->has_i) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
  if (a->has_s) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
  if (a->t) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR;
  if (a->g) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH;
  if (a->sparse_tensor) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__SPARSE_TENSOR;
  if (a->tp) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TYPE_PROTO;
  if (a->n_floats) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS;
  if (a->n_ints) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
  if (a->n_strings) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS;
  if (a->n_tensors) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSORS;
  if (a->n_graphs) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPHS;
  if (a->n_sparse_tensors) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__SPARSE_TENSORS;
  if (a->n_type_protos) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TYPE_PROTOS;
  return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED;
}

/* Common checks: a name, no function-attribute reference. */
static bool attr_ok(const Onnx__AttributeProto *a, size_t k, const char *where, spcc_diag *d) {
  if (!a || !a->name || !*a->name) {
    spcc_error(d, where, NULL, "attribute %zu has no name", k);
    return false;
  }
  if (a->ref_attr_name && *a->ref_attr_name) {
    spcc_error(d, where, NULL,
               "unsupported attribute '%s': reference to function attribute '%s'", a->name,
               a->ref_attr_name);
    return false;
  }
  return true;
}

bool spcc_fe_copy_attrs(spcc_graph *g, int node, const Onnx__NodeProto *np, const char *where,
                        spcc_diag *d) {
  if (np->n_attribute > MAX_ATTRS) {
    spcc_error(d, where, NULL, "node has %zu attributes (at most %d are accepted)",
               np->n_attribute, MAX_ATTRS);
    return false;
  }
  for (size_t k = 0; k < np->n_attribute; k++) {
    const Onnx__AttributeProto *a = np->attribute[k];
    if (!attr_ok(a, k, where, d)) return false;
    if (spcc_node_attr(&g->nodes[node], a->name)) {
      spcc_error(d, where, NULL, "attribute '%s' is given twice", a->name);
      return false;
    }
    int type = attr_type(a);
    switch (type) {
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT:
      spcc_node_set_int(g, node, a->name, a->i);
      break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT:
      spcc_node_set_float(g, node, a->name, a->f);
      break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING: {
      size_t len = a->s.len;
      if (len && memchr(a->s.data, 0, len)) {
        spcc_error(d, where, NULL, "attribute '%s' holds a string with a NUL byte", a->name);
        return false;
      }
      char *s = malloc(len + 1);
      if (!s) spcc_assert_fail("out of memory", __FILE__, __LINE__);
      if (len) memcpy(s, a->s.data, len);
      s[len] = 0;
      spcc_node_set_string(g, node, a->name, s);
      free(s);
      break;
    }
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS:
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS: {
      bool ints = type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
      size_t n = ints ? a->n_ints : a->n_floats;
      if (n > INT_MAX / 8) {
        spcc_error(d, where, NULL, "attribute '%s' has %zu values, too many", a->name, n);
        return false;
      }
      if (ints)
        spcc_node_set_ints(g, node, a->name, (int)n, a->ints);
      else
        spcc_node_set_floats(g, node, a->name, (int)n, a->floats);
      break;
    }
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR: {
      /* The payload becomes a graph constant the attribute refers to. */
      spcc_tensor t;
      if (!spcc_fe_tensor_from_proto(a->t, where, a->name, &t, d)) return false;
      int cid = spcc_graph_add_const_data(g, t.dtype, t.numel, t.data);
      t.data = NULL;
      spcc_tensor_free(&t);
      spcc_node_set_tensor(g, node, a->name, cid);
      break;
    }
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED:
      spcc_error(d, where, NULL, "attribute '%s' has no value", a->name);
      return false;
    default:
      spcc_error(d, where, NULL, "unsupported attribute '%s' of type %s", a->name,
                 spcc_fe_attr_type_name(type));
      return false;
    }
  }
  return true;
}

/* A rank-0 or rank-1 tensor holding a copy of n values of size es. */
static void small_tensor(spcc_tensor *t, spcc_dtype dt, int rank, size_t n, const void *v) {
  size_t bytes = n * spcc_dtype_size(dt);
  t->dtype = dt;
  t->rank = rank;
  t->dims[0] = (int64_t)n;
  t->numel = (int64_t)n;
  t->data = malloc(bytes ? bytes : 1);
  if (!t->data) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  if (bytes) memcpy(t->data, v, bytes);
}

bool spcc_fe_constant_value(const Onnx__NodeProto *np, const char *where, spcc_tensor *out,
                            spcc_diag *d) {
  memset(out, 0, sizeof *out);
  if (np->n_attribute != 1) {
    spcc_error(d, where, NULL, "Constant needs exactly one value attribute, not %zu",
               np->n_attribute);
    return false;
  }
  const Onnx__AttributeProto *a = np->attribute[0];
  if (!attr_ok(a, 0, where, d)) return false;
  int type = attr_type(a), want;
  const char *name = a->name;
  if (strcmp(name, "value") == 0)
    want = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR;
  else if (strcmp(name, "value_float") == 0)
    want = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
  else if (strcmp(name, "value_floats") == 0)
    want = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS;
  else if (strcmp(name, "value_int") == 0)
    want = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
  else if (strcmp(name, "value_ints") == 0)
    want = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
  else if (strcmp(name, "sparse_value") == 0)
    want = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__SPARSE_TENSOR;
  else if (strcmp(name, "value_string") == 0 || strcmp(name, "value_strings") == 0) {
    spcc_error(d, where, NULL, "unsupported Constant attribute '%s'", name);
    return false;
  } else {
    spcc_error(d, where, NULL, "Constant has no attribute '%s'", name);
    return false;
  }
  /* An empty list cannot be told apart from a missing one without the type. */
  bool empty_list = type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED &&
                    (want == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS ||
                     want == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
  if (type != want && !empty_list) {
    spcc_error(d, where, NULL, "Constant attribute '%s' has type %s, expected %s", name,
               spcc_fe_attr_type_name(type), spcc_fe_attr_type_name(want));
    return false;
  }
  switch (want) {
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR:
    return spcc_fe_tensor_from_proto(a->t, where, "Constant 'value'", out, d);
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__SPARSE_TENSOR:
    return spcc_fe_sparse_from_proto(a->sparse_tensor, where, "Constant 'sparse_value'", out,
                                     d);
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT:
    small_tensor(out, SPCC_DT_F32, 0, 1, &a->f);
    return true;
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT:
    small_tensor(out, SPCC_DT_I64, 0, 1, &a->i);
    return true;
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS:
    small_tensor(out, SPCC_DT_F32, 1, a->n_floats, a->floats);
    return true;
  default:
    small_tensor(out, SPCC_DT_I64, 1, a->n_ints, a->ints);
    return true;
  }
}
