/* test_export.c - --emit onnx (spcc_export_onnx): a model built here is
 * imported, some weights are zeroed in the graph (what pruning does), and the
 * export is read back twice: imported again (every constant must equal the
 * graph's) and compared with the input model field by field through the
 * protobuf-c descriptors, so nothing but the pruned data may change (dense
 * form) or move (sparse form). Errors (weights changed beyond pruning,
 * pruned folded weights, IR versions without sparse tensors, unwritable
 * output) must leave no file. When /usr/bin/python3 has onnx, the exports
 * also pass onnx.checker and numpy reads the pruned values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontend/frontend.h"
#include "spcc/spcc.h"
#include "support/onnx_build.h"

/* ---- building models ------------------------------------------------------------- */

static float w1_vals[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
static float w2_vals[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};

/* x f32[2,4] @ w1 + b1 -> @ w2 (Constant) -> @ w3 (sparse, coordinates) + b2
 * -> y f32[2,2], with the envelope fields an exporter might lose. */
static Onnx__ModelProto *mlp_model(int64_t ir, int64_t opset) {
  Onnx__ModelProto *m = ob_model("exp", ir, opset);
  Onnx__OperatorSetIdProto *op = ob_alloc(sizeof *op);
  onnx__operator_set_id_proto__init(op);
  op->domain = ob_str("com.example");
  op->has_version = 1;
  op->version = 1;
  m->opset_import[m->n_opset_import++] = op;
  m->producer_name = ob_str("test_export");
  m->producer_version = ob_str("1.0");
  m->doc_string = ob_str("a model doc");
  m->has_model_version = 1;
  m->model_version = 3;
  Onnx__StringStringEntryProto *kv = ob_alloc(sizeof *kv);
  onnx__string_string_entry_proto__init(kv);
  kv->key = ob_str("k");
  kv->value = ob_str("v");
  m->metadata_props = ob_alloc(sizeof(void *));
  m->metadata_props[m->n_metadata_props++] = kv;

  Onnx__GraphProto *g = m->graph;
  g->doc_string = ob_str("a graph doc");
  g->input[g->n_input++] = ob_value_info("x", F32, 2, (int64_t[]){2, 4});
  /* w1 in typed fields, so the export must clear them. */
  Onnx__TensorProto *w1 = ob_tensor("w1", F32, 2, (int64_t[]){4, 3}, NULL, 0, 4);
  w1->has_raw_data = 0;
  w1->n_float_data = 12;
  w1->float_data = w1_vals;
  w1->doc_string = ob_str("w1 doc");
  g->initializer[g->n_initializer++] = w1;
  const float b1[3] = {0.5f, -0.5f, 1}, b2[2] = {1, 2};
  g->initializer[g->n_initializer++] = ob_tensor("b1", F32, 1, (int64_t[]){3}, b1, 3, 4);
  g->initializer[g->n_initializer++] = ob_tensor("b2", F32, 1, (int64_t[]){2}, b2, 2, 4);
  /* w3 f32[3,2] = {1,2; 0,3; 4,0} as coordinates. */
  const float w3v[4] = {1, 2, 3, 4};
  const int64_t w3i[8] = {0, 0, 0, 1, 1, 1, 2, 0};
  g->sparse_initializer[g->n_sparse_initializer++] =
      ob_sparse(ob_tensor("w3", F32, 1, (int64_t[]){4}, w3v, 4, 4),
                ob_tensor("w3_idx", I64, 2, (int64_t[]){4, 2}, w3i, 8, 8), 2, (int64_t[]){3, 2});

  Onnx__NodeProto *mm1 = ob_node("MatMul", "mm1", NAMES("x", "w1"), NAMES("h"));
  mm1->doc_string = ob_str("first");
  g->node[g->n_node++] = mm1;
  g->node[g->n_node++] = ob_node("Add", "add1", NAMES("h", "b1"), NAMES("h2"));
  Onnx__NodeProto *c = ob_node("Constant", "c", NULL, NAMES("w2"));
  ob_attr(c, "value", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR)->t =
      ob_tensor("w2_value", F32, 2, (int64_t[]){3, 3}, w2_vals, 9, 4);
  g->node[g->n_node++] = c;
  g->node[g->n_node++] = ob_node("MatMul", "mm2", NAMES("h2", "w2"), NAMES("h3"));
  g->node[g->n_node++] = ob_node("MatMul", "mm3", NAMES("h3", "w3"), NAMES("h4"));
  g->node[g->n_node++] = ob_node("Add", "add2", NAMES("h4", "b2"), NAMES("y"));
  g->output[g->n_output++] = ob_value_info("y", F32, 2, (int64_t[]){2, 2});
  g->value_info[g->n_value_info++] = ob_value_info("h", F32, 2, (int64_t[]){2, 3});
  return m;
}

static const char dir[] = SPCC_TEST_TMPDIR, model_path[] = SPCC_TEST_TMPDIR "/export_in.onnx";
static char out_path[1100];

static spcc_graph *import_path(const char *path) {
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  spcc_graph *g = spcc_import_onnx(path, NULL, &d);
  if (!g) fail_msg("import of %s failed: %s", path, d.first_error);
  return g;
}

static Onnx__ModelProto *load(const char *path) {
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  Onnx__ModelProto *m = spcc_fe_read_model(path, &d);
  if (!m) fail_msg("%s", d.first_error);
  return m;
}

/* Writable data of g's constant `name`. */
static float *weight(spcc_graph *g, const char *name) {
  int vid = spcc_graph_find_value(g, name);
  assert_true(vid >= 0 && g->values[vid].kind == SPCC_VAL_CONST);
  return g->consts[g->values[vid].const_id].data;
}

/* Zeros some elements of each weight, as pruning would. */
static void prune(spcc_graph *g) {
  float *w1 = weight(g, "w1"), *w2 = weight(g, "w2"), *w3 = weight(g, "w3");
  w1[0] = w1[4] = w1[7] = 0;
  w2[1] = w2[5] = 0;
  w3[3] = 0;
}

static bool export_to(const spcc_graph *g, bool sparse, spcc_diag *d) {
  snprintf(out_path, sizeof out_path, "%s/export_out%s.onnx", dir, sparse ? "_sparse" : "");
  unlink(out_path);
  spcc_diag_init(d, NULL);
  return spcc_export_onnx(model_path, g, sparse, out_path, d);
}

/* The export's constants equal g's. */
static void expect_same_values(const spcc_graph *g, const char *path) {
  spcc_graph *r = import_path(path);
  int n = 0;
  for (int vid = 0; vid < r->n_values; vid++) {
    const spcc_value *v = &r->values[vid];
    if (v->kind != SPCC_VAL_CONST) continue;
    int gv = spcc_graph_find_value(g, v->name);
    assert_true(gv >= 0);
    assert_true(spcc_type_equal(&v->type, &g->values[gv].type));
    assert_memory_equal(spcc_value_data(r, vid), spcc_value_data(g, gv),
                        (size_t)spcc_type_bytes(&v->type));
    n++;
  }
  assert_int_equal(n, 5);
  spcc_graph_free(r);
}

/* Saves mlp_model(ir, opset) as the input model and imports it. */
static spcc_graph *mlp_graph(int64_t ir, int64_t opset) {
  ob_save(mlp_model(ir, opset), model_path);
  return import_path(model_path);
}

/* Exports g, which must succeed and hold g's values. */
static void export_ok(const spcc_graph *g, bool sparse) {
  spcc_diag d;
  if (!export_to(g, sparse, &d)) fail_msg("%s", d.first_error);
  expect_same_values(g, out_path);
}

static void expect_no_output(void) {
  assert_int_not_equal(access(out_path, F_OK), 0);
  char pat[1200];
  snprintf(pat, sizeof pat, "%s.tmp*", out_path);
  glob_t gl;
  assert_int_not_equal(glob(pat, 0, NULL, &gl), 0); /* no temporary left behind */
  globfree(&gl);
}

/* ---- field-by-field comparison ------------------------------------------------------ */

/* Fields left out of the comparison: (message type, field, name of the
 * tensor / node it belongs to, or NULL for any). */
typedef struct {
  const char *type, *field, *owner;
} skip_rule;

static const skip_rule *skips;

static const char *owner_name(const ProtobufCMessage *m) {
  if (m->descriptor == &onnx__tensor_proto__descriptor) return ((Onnx__TensorProto *)m)->name;
  if (m->descriptor == &onnx__node_proto__descriptor) return ((Onnx__NodeProto *)m)->name;
  if (m->descriptor == &onnx__sparse_tensor_proto__descriptor) {
    const Onnx__SparseTensorProto *s = (const Onnx__SparseTensorProto *)m;
    return s->values ? s->values->name : NULL;
  }
  return NULL;
}

static bool skipped(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f) {
  for (const skip_rule *r = skips; r && r->type; r++) {
    const char *owner = owner_name(m);
    if (strcmp(m->descriptor->short_name, r->type) == 0 && strcmp(f->name, r->field) == 0 &&
        (!r->owner || (owner && strcmp(owner, r->owner) == 0)))
      return true;
  }
  return false;
}

static size_t scalar_size(ProtobufCType t) {
  switch (t) {
  case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
  case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_DOUBLE:
    return 8;
  case PROTOBUF_C_TYPE_BOOL: return sizeof(protobuf_c_boolean);
  case PROTOBUF_C_TYPE_STRING: return sizeof(char *);
  case PROTOBUF_C_TYPE_BYTES: return sizeof(ProtobufCBinaryData);
  case PROTOBUF_C_TYPE_MESSAGE: return sizeof(ProtobufCMessage *);
  default: return 4;
  }
}

static bool msg_equal(const ProtobufCMessage *a, const ProtobufCMessage *b, const char *path);

static bool elem_equal(const ProtobufCFieldDescriptor *f, const void *x, const void *y,
                       const char *path) {
  switch (f->type) {
  case PROTOBUF_C_TYPE_STRING: {
    const char *s = *(char *const *)x, *t = *(char *const *)y;
    return strcmp(s ? s : "", t ? t : "") == 0;
  }
  case PROTOBUF_C_TYPE_BYTES: {
    const ProtobufCBinaryData *s = x, *t = y;
    return s->len == t->len && (!s->len || memcmp(s->data, t->data, s->len) == 0);
  }
  case PROTOBUF_C_TYPE_MESSAGE: {
    const ProtobufCMessage *s = *(ProtobufCMessage *const *)x, *t = *(ProtobufCMessage *const *)y;
    if (!s || !t) return s == t;
    return msg_equal(s, t, path);
  }
  default:
    return memcmp(x, y, scalar_size(f->type)) == 0;
  }
}

/* Equal field by field (skips aside); prints the path of the first difference. */
static bool msg_equal(const ProtobufCMessage *a, const ProtobufCMessage *b, const char *path) {
  const ProtobufCMessageDescriptor *desc = a->descriptor;
  assert_ptr_equal(desc, b->descriptor);
  if (a->n_unknown_fields != b->n_unknown_fields) {
    printf("difference at %s: unknown fields\n", path);
    return false;
  }
  for (unsigned i = 0; i < desc->n_fields; i++) {
    const ProtobufCFieldDescriptor *f = &desc->fields[i];
    if (skipped(a, f)) continue;
    char sub[1024];
    snprintf(sub, sizeof sub, "%s.%s", path, f->name);
    const char *pa = (const char *)a + f->offset, *pb = (const char *)b + f->offset;
    bool ok = true;
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
      size_t na = *(const size_t *)((const char *)a + f->quantifier_offset);
      size_t nb = *(const size_t *)((const char *)b + f->quantifier_offset);
      ok = na == nb;
      const char *xa = *(char *const *)pa, *xb = *(char *const *)pb;
      size_t es = scalar_size(f->type);
      for (size_t k = 0; ok && k < na; k++) {
        char el[1100];
        snprintf(el, sizeof el, "%s[%zu]", sub, k);
        ok = elem_equal(f, xa + k * es, xb + k * es, el);
      }
    } else {
      bool has_a = true, has_b = true;
      if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        has_a = *(const uint32_t *)((const char *)a + f->quantifier_offset) == f->id;
        has_b = *(const uint32_t *)((const char *)b + f->quantifier_offset) == f->id;
      } else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->type != PROTOBUF_C_TYPE_STRING &&
                 f->type != PROTOBUF_C_TYPE_MESSAGE) {
        has_a = *(const protobuf_c_boolean *)((const char *)a + f->quantifier_offset);
        has_b = *(const protobuf_c_boolean *)((const char *)b + f->quantifier_offset);
      }
      ok = has_a == has_b && (!has_a || elem_equal(f, pa, pb, sub));
    }
    if (!ok) {
      printf("difference at %s\n", sub);
      return false;
    }
  }
  return true;
}

static const char *names_of(char *buf, size_t n, Onnx__TensorProto **t, size_t count) {
  buf[0] = 0;
  for (size_t i = 0; i < count; i++)
    snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", i ? "," : "", t[i]->name);
  return buf;
}

static const char *sparse_names(char *buf, size_t n, Onnx__SparseTensorProto **s, size_t count) {
  buf[0] = 0;
  for (size_t i = 0; i < count; i++)
    snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", i ? "," : "", s[i]->values->name);
  return buf;
}

/* ---- python cross-check -------------------------------------------------------------- */

static const char *py_script =
    "import sys, numpy as np, onnx\n"
    "from onnx import numpy_helper as nh\n"
    "m = onnx.load(sys.argv[1])\n"
    "# onnx 1.12's shape inference ignores sparse_initializer (a model built\n"
    "# with onnx.helper fails too), so the full check is for dense models.\n"
    "onnx.checker.check_model(m, full_check=not m.graph.sparse_initializer)\n"
    "def dense(s):\n"
    "    d = np.zeros(int(np.prod(s.dims)), nh.to_array(s.values).dtype)\n"
    "    i = nh.to_array(s.indices) if s.HasField('indices') else np.zeros(0, np.int64)\n"
    "    if i.ndim == 2: i = np.ravel_multi_index(tuple(i.T), tuple(s.dims))\n"
    "    d[i] = nh.to_array(s.values)\n"
    "    return d.reshape(tuple(s.dims))\n"
    "v = {t.name: nh.to_array(t) for t in m.graph.initializer}\n"
    "v.update({s.values.name: dense(s) for s in m.graph.sparse_initializer})\n"
    "for n in m.graph.node:\n"
    "    if n.op_type == 'Constant':\n"
    "        a = n.attribute[0]\n"
    "        v[n.output[0]] = nh.to_array(a.t) if a.name == 'value' else dense(a.sparse_tensor)\n"
    "for k in sys.argv[2:]:\n"
    "    name, path = k.split('=')\n"
    "    assert np.array_equal(v[name], np.load(path)), name\n"
    "print('python: onnx.checker ok, values ok:', sys.argv[1])\n";

static bool have_python_onnx(void) {
  return access("/usr/bin/python3", X_OK) == 0 &&
         system("/usr/bin/python3 -c 'import onnx, numpy' >/dev/null 2>&1") == 0;
}

/* onnx.checker accepts the export and numpy reads g's weights from it. */
static void python_check(const spcc_graph *g, const char *path) {
  if (!have_python_onnx()) {
    printf("(python3 with onnx not found: cross-check skipped)\n");
    return;
  }
  char script[1200], cmd[8192];
  snprintf(script, sizeof script, "%s/export_check.py", dir);
  FILE *f = fopen(script, "w");
  assert_non_null(f);
  fputs(py_script, f);
  fclose(f);
  snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s", script, path);
  const char *names[] = {"w1", "w2", "w3", "b1", "b2"};
  for (int i = 0; i < 5; i++) {
    int vid = spcc_graph_find_value(g, names[i]);
    const spcc_value *v = &g->values[vid];
    spcc_tensor t = {.dtype = v->type.dtype, .rank = v->type.rank,
                     .numel = spcc_type_numel(&v->type),
                     .data = (void *)spcc_value_data(g, vid)};
    memcpy(t.dims, v->type.dims, sizeof t.dims);
    char npy[1200];
    snprintf(npy, sizeof npy, "%s/export_%s.npy", dir, names[i]);
    spcc_diag d;
    spcc_diag_init(&d, stderr);
    assert_true(spcc_tensor_write(npy, &t, true, &d));
    snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), " %s=%s", names[i], npy);
  }
  assert_int_equal(system(cmd), 0);
}

/* ---- tests ------------------------------------------------------------------------- */

/* Nothing pruned: the export is the model, every field. */
static void test_unchanged(void **state) {
  (void)state;
  spcc_graph *g = mlp_graph(8, 13);
  spcc_diag d;
  assert_true(export_to(g, true, &d));
  Onnx__ModelProto *a = load(model_path), *b = load(out_path);
  skips = NULL;
  assert_true(msg_equal(&a->base, &b->base, "model"));
  onnx__model_proto__free_unpacked(a, NULL);
  onnx__model_proto__free_unpacked(b, NULL);
  spcc_graph_free(g);
}

static void test_dense(void **state) {
  (void)state;
  spcc_graph *g = mlp_graph(8, 13);
  prune(g);
  export_ok(g, false);
  Onnx__ModelProto *a = load(model_path), *b = load(out_path);
  static const skip_rule data_only[] = {
      {"TensorProto", "raw_data", "w1"},        {"TensorProto", "float_data", "w1"},
      {"TensorProto", "raw_data", "w2_value"},  {"SparseTensorProto", "values", "w3"},
      {"SparseTensorProto", "indices", "w3"},   {NULL, NULL, NULL}};
  skips = data_only;
  assert_true(msg_equal(&a->base, &b->base, "model"));
  skips = NULL;
  /* w1 is raw_data now, the typed field cleared; w3 keeps its coordinates. */
  const Onnx__TensorProto *w1 = b->graph->initializer[0];
  assert_true(w1->has_raw_data);
  assert_int_equal(w1->raw_data.len, 48);
  assert_int_equal(w1->n_float_data, 0);
  const Onnx__SparseTensorProto *w3 = b->graph->sparse_initializer[0];
  assert_int_equal(w3->values->dims[0], 3);
  assert_int_equal(w3->indices->n_dims, 2);
  assert_string_equal(w3->indices->name, "w3_idx");
  const int64_t coords[6] = {0, 0, 0, 1, 2, 0};
  assert_memory_equal(w3->indices->raw_data.data, coords, sizeof coords);
  onnx__model_proto__free_unpacked(a, NULL);
  onnx__model_proto__free_unpacked(b, NULL);
  python_check(g, out_path);
  spcc_graph_free(g);
}

static void test_sparse(void **state) {
  (void)state;
  spcc_graph *g = mlp_graph(8, 13);
  prune(g);
  export_ok(g, true);
  Onnx__ModelProto *a = load(model_path), *b = load(out_path);
  static const skip_rule moved[] = {{"GraphProto", "initializer", NULL},
                                    {"GraphProto", "sparse_initializer", NULL},
                                    {"NodeProto", "attribute", "c"},
                                    {NULL, NULL, NULL}};
  skips = moved;
  assert_true(msg_equal(&a->base, &b->base, "model"));
  skips = NULL;
  char buf[256];
  Onnx__GraphProto *ga = a->graph, *gb = b->graph;
  assert_string_equal(names_of(buf, sizeof buf, gb->initializer, gb->n_initializer), "b1,b2");
  assert_string_equal(
      sparse_names(buf, sizeof buf, gb->sparse_initializer, gb->n_sparse_initializer), "w3,w1");
  assert_true(msg_equal(&ga->initializer[1]->base, &gb->initializer[0]->base, "b1"));
  assert_true(msg_equal(&ga->initializer[2]->base, &gb->initializer[1]->base, "b2"));
  /* w1: COO with linearized indices, ascending, its doc string kept. */
  const Onnx__SparseTensorProto *w1 = gb->sparse_initializer[1];
  assert_int_equal(w1->n_dims, 2);
  assert_int_equal(w1->dims[0], 4);
  assert_int_equal(w1->dims[1], 3);
  assert_int_equal(w1->values->n_dims, 1);
  assert_int_equal(w1->values->dims[0], 9);
  assert_int_equal(w1->values->data_type, F32);
  assert_string_equal(w1->values->doc_string, "w1 doc");
  assert_int_equal(w1->indices->data_type, I64);
  assert_int_equal(w1->indices->n_dims, 1);
  const int64_t lin[9] = {1, 2, 3, 5, 6, 8, 9, 10, 11};
  assert_memory_equal(w1->indices->raw_data.data, lin, sizeof lin);
  /* The Constant holds sparse_value now. */
  const Onnx__NodeProto *c = gb->node[2];
  assert_int_equal(c->n_attribute, 1);
  assert_string_equal(c->attribute[0]->name, "sparse_value");
  assert_int_equal(c->attribute[0]->type, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__SPARSE_TENSOR);
  assert_null(c->attribute[0]->t);
  assert_string_equal(c->attribute[0]->sparse_tensor->values->name, "w2_value");
  assert_int_equal(c->attribute[0]->sparse_tensor->values->dims[0], 7);
  assert_int_equal(b->ir_version, 8);
  onnx__model_proto__free_unpacked(a, NULL);
  onnx__model_proto__free_unpacked(b, NULL);
  python_check(g, out_path);
  /* Exporting over the input model itself is safe (read fully first). */
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  snprintf(out_path, sizeof out_path, "%s", model_path);
  assert_true(spcc_export_onnx(model_path, g, false, model_path, &d));
  expect_same_values(g, model_path);
  spcc_graph_free(g);
}

/* Weights pruned to nothing: empty COO tensors, no data fields. */
static void test_all_zero(void **state) {
  (void)state;
  spcc_graph *g = mlp_graph(8, 13);
  memset(weight(g, "w1"), 0, 12 * sizeof(float));
  memset(weight(g, "w3"), 0, 6 * sizeof(float));
  export_ok(g, true);
  Onnx__ModelProto *b = load(out_path);
  for (int i = 0; i < 2; i++) {
    const Onnx__SparseTensorProto *sp = b->graph->sparse_initializer[i];
    assert_int_equal(sp->values->dims[0], 0);
    assert_false(sp->values->has_raw_data);
    assert_int_equal(sp->indices->dims[0], 0);
  }
  assert_int_equal(b->graph->sparse_initializer[0]->indices->n_dims, 2); /* w3: coordinates */
  onnx__model_proto__free_unpacked(b, NULL);
  python_check(g, out_path);
  spcc_graph_free(g);
}

/* Old IR versions and opsets: no sparse tensors there. */
static void test_versions(void **state) {
  (void)state;
  spcc_graph *g = mlp_graph(5, 13);
  prune(g);
  spcc_diag d;
  assert_false(export_to(g, true, &d));
  assert_non_null(strstr(d.first_error, "--sparse-initializers: the model has IR version 5, "
                                        "sparse tensors need IR version 6 or later"));
  expect_no_output();
  assert_true(export_to(g, false, &d)); /* dense is fine */
  expect_same_values(g, out_path);
  spcc_graph_free(g);

  /* Opset 9: the Constant keeps a dense value, with a note; w1 moves. */
  g = mlp_graph(8, 9);
  prune(g);
  assert_true(export_to(g, true, &d));
  assert_int_equal(d.n_errors, 0);
  expect_same_values(g, out_path);
  Onnx__ModelProto *b = load(out_path);
  assert_string_equal(b->graph->node[2]->attribute[0]->name, "value");
  assert_int_equal(b->graph->n_sparse_initializer, 2);
  onnx__model_proto__free_unpacked(b, NULL);
  spcc_graph_free(g);
}

static void test_errors(void **state) {
  (void)state;
  spcc_graph *g = mlp_graph(8, 13);
  spcc_diag d;
  /* A weight changed other than by zeros: writing it would be wrong. */
  weight(g, "w1")[5] = 42;
  assert_false(export_to(g, false, &d));
  assert_non_null(strstr(d.first_error, "weight 'w1' was changed by spcc other than by pruning "
                                        "(element 5)"));
  expect_no_output();
  weight(g, "w1")[5] = 6;
  /* Not the model g came from. */
  Onnx__ModelProto *other = mlp_model(8, 13);
  other->graph->initializer[0]->dims[0] = 3;
  other->graph->initializer[0]->n_float_data = 9;
  ob_save(other, model_path);
  assert_false(export_to(g, false, &d));
  assert_non_null(
      strstr(d.first_error, "weight 'w1' is f32[4,3] in spcc but f32[3,3] in the model"));
  expect_no_output();
  /* Unreadable model, unwritable output. */
  spcc_diag_init(&d, NULL);
  assert_false(spcc_export_onnx("/nonexistent/m.onnx", g, false, out_path, &d));
  assert_non_null(strstr(d.first_error, "cannot open"));
  ob_save(mlp_model(8, 13), model_path);
  spcc_diag_init(&d, NULL);
  assert_false(spcc_export_onnx(model_path, g, false, "/nonexistent/dir/out.onnx", &d));
  assert_non_null(strstr(d.first_error, "cannot write"));
  spcc_graph_free(g);
}

/* A weight fold-constants computed (Transpose of an initializer) has no
 * tensor in the model: fine while unpruned (even with zeros of its own),
 * an error naming it once pruned. */
static void test_folded(void **state) {
  (void)state;
  Onnx__ModelProto *m = ob_model("exp", 8, 13);
  Onnx__GraphProto *gp = m->graph;
  const float wt[12] = {1, 0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  gp->input[gp->n_input++] = ob_value_info("x", F32, 2, (int64_t[]){2, 3});
  gp->initializer[gp->n_initializer++] = ob_tensor("wt", F32, 2, (int64_t[]){4, 3}, wt, 12, 4);
  gp->node[gp->n_node++] = ob_node("Transpose", "t", NAMES("wt"), NAMES("w"));
  gp->node[gp->n_node++] = ob_node("MatMul", "mm", NAMES("x", "w"), NAMES("y"));
  gp->output[gp->n_output++] = ob_value_info("y", F32, 2, (int64_t[]){2, 4});
  ob_save(m, model_path);
  spcc_graph *g = import_path(model_path);
  spcc_options o;
  spcc_options_init(&o);
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  assert_true(spcc_run_pipeline(g, &o, &d));
  assert_int_equal(spcc_graph_find_value(g, "wt"), -1); /* folded away */
  assert_true(export_to(g, false, &d));
  weight(g, "w")[5] = 0;
  assert_false(export_to(g, true, &d));
  assert_non_null(strstr(d.first_error, "weight 'w' was pruned, but spcc computed it (constant "
                                        "folding) and the model has no tensor of that name"));
  expect_no_output();
  spcc_graph_free(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_unchanged, ob_free_all),
      cmocka_unit_test_teardown(test_dense, ob_free_all),
      cmocka_unit_test_teardown(test_sparse, ob_free_all),
      cmocka_unit_test_teardown(test_all_zero, ob_free_all),
      cmocka_unit_test_teardown(test_versions, ob_free_all),
      cmocka_unit_test_teardown(test_errors, ob_free_all),
      cmocka_unit_test_teardown(test_folded, ob_free_all),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
