/* onnx_export.c - --emit onnx: the input model again, with spcc's pruned weights.
 *
 * ONNX Runtime checks spcc's results on this file, so it must be the input
 * model exactly but for the pruned values: the model file is read again with
 * protobuf-c, and only the tensors whose data spcc changed are rewritten in
 * place (nodes, names, order, opsets, IR version, doc strings, metadata and
 * unknown fields stay as they were). A tensor of the model is an
 * initializer, a sparse_initializer, or a Constant node's value /
 * sparse_value / value_floats; it is "pruned" when g holds a constant of the
 * same name whose data differs. Pruning only ever writes zeros, so any other
 * difference means a pass rewrote the weight (the export would then be
 * wrong) and is an error. A pruned weight is written as raw_data (typed
 * fields cleared) or, with sparse_initializers, as COO: values [NNZ] and
 * int64 linearized indices [NNZ], moved from initializer to the end of
 * sparse_initializer (a Constant's value becomes sparse_value). A sparse
 * tensor of the model stays sparse, in its own index form.
 *
 * ONNX allows sparse tensors from IR version 6 and Constant.sparse_value from
 * opset 11. The IR version is never bumped (the model must stay the same):
 * an older model is an error with --sparse-initializers, while a Constant in
 * an older opset keeps a dense value, with a note.
 *
 * A weight that fold-constants computed (a transposed initializer, say) has
 * no tensor in the model to write; if it was pruned the export cannot be
 * right and fails naming it. Whether it was pruned is decided exactly by
 * importing and folding the model again without pruning and comparing.
 *
 * The message is edited in place; every changed struct is saved first and
 * restored after packing, so protobuf-c frees exactly what it allocated and
 * this file frees what it added. The output is written atomically.
 */
/* realpath (X/Open), for the external-data directory check. */
#define _XOPEN_SOURCE 700

#include <stdlib.h>
#include <string.h>

#include "frontend.h"
#include "passes/passes.h"

#define SPARSE_IR_VERSION 6   /* sparse_initializer, SPARSE_TENSOR attributes */
#define SPARSE_VALUE_OPSET 11 /* Constant.sparse_value */

typedef enum {
  SLOT_INIT,         /* graph.initializer[index] */
  SLOT_SPARSE_INIT,  /* graph.sparse_initializer[index] */
  SLOT_CONST_VALUE,  /* Constant node `index`: value */
  SLOT_CONST_SPARSE, /* sparse_value */
  SLOT_CONST_FLOATS, /* value_floats */
  SLOT_CONST_OTHER,  /* value_float, value_int(s): never pruned */
} slot_kind;

/* A tensor of the model, and what becomes of it. */
typedef struct {
  slot_kind kind;
  const char *name;
  size_t index;
  Onnx__TensorProto *tp;       /* SLOT_INIT, SLOT_CONST_VALUE */
  Onnx__SparseTensorProto *sp; /* SLOT_SPARSE_INIT, SLOT_CONST_SPARSE */
  Onnx__AttributeProto *attr;  /* SLOT_CONST_* */
  const Onnx__NodeProto *np;   /* SLOT_CONST_* */
  int vid;                     /* g's constant of that name, or -1 */
  bool pruned;                 /* g's data differs: write it */
  bool to_sparse;              /* a dense tensor written as sparse */
  Onnx__TensorProto saved_tp;  /* originals, restored before freeing */
  Onnx__SparseTensorProto saved_sp;
  Onnx__AttributeProto saved_attr;
} slot;

typedef struct {
  const char *path; /* the model, for diagnostics */
  const char *base_dir; /* its directory, for external data */
  const spcc_graph *g;
  spcc_diag *d;
  Onnx__ModelProto *m;
  int64_t opset;    /* of the default domain */
  slot *slots;
  size_t n_slots;
  void **owned;     /* what the rewritten message points to, freed at the end */
  size_t n_owned, cap_owned;
} exporter;

static void *own(exporter *ex, size_t bytes) {
  if (ex->n_owned == ex->cap_owned) {
    ex->cap_owned = ex->cap_owned ? 2 * ex->cap_owned : 64;
    void **o = realloc(ex->owned, sizeof *o * ex->cap_owned);
    if (!o) spcc_assert_fail("out of memory", __FILE__, __LINE__);
    ex->owned = o;
  }
  void *p = calloc(1, bytes ? bytes : 1);
  if (!p) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  return ex->owned[ex->n_owned++] = p;
}

static bool little_endian(void) {
  const uint16_t one = 1;
  unsigned char b;
  memcpy(&b, &one, 1);
  return b == 1;
}

/* numel elements of size es as little-endian bytes for raw_data. */
static uint8_t *le_bytes(exporter *ex, const void *data, int64_t numel, size_t es) {
  if (little_endian()) return (uint8_t *)data; /* packing only reads it */
  uint8_t *p = own(ex, (size_t)numel * es);
  memcpy(p, data, (size_t)numel * es);
  spcc_fe_le_to_host(p, numel, es); /* a swap is its own inverse */
  return p;
}

/* ---- which tensors spcc changed -------------------------------------------------- */

static bool is_default_domain(const char *domain) {
  return !domain || !*domain || strcmp(domain, "ai.onnx") == 0;
}

static bool bytes_zero(const uint8_t *p, size_t es) {
  for (size_t i = 0; i < es; i++)
    if (p[i]) return false;
  return true;
}

/* Numerically zero (so -0.0 counts: pruning may write either). */
static bool elem_is_zero(spcc_dtype dt, const uint8_t *p, size_t es) {
  if (dt == SPCC_DT_F32) {
    float f;
    memcpy(&f, p, sizeof f);
    return f == 0;
  }
  if (dt == SPCC_DT_F64) {
    double f;
    memcpy(&f, p, sizeof f);
    return f == 0;
  }
  return bytes_zero(p, es);
}

/* Same element type and shape; the encoding (select-format's choice) is not
 * part of the value. */
static bool same_shape(const spcc_type *a, const spcc_type *b) {
  if (a->dtype != b->dtype || a->rank != b->rank) return false;
  for (int k = 0; k < a->rank; k++)
    if (a->dims[k] != b->dims[k]) return false;
  return true;
}

/* Compares g's constant with the model's tensor mt: sets s->pruned, or
 * fails when they differ other than by zeros written into g. */
static bool compare(exporter *ex, slot *s, const spcc_tensor *mt) {
  const spcc_value *v = &ex->g->values[s->vid];
  spcc_type mty = spcc_type_make(mt->dtype, mt->rank, mt->dims);
  if (!same_shape(&v->type, &mty)) {
    char a[160], b[160];
    spcc_error(ex->d, ex->path, NULL,
               "--emit onnx: weight '%s' is %s in spcc but %s in the model (is this the "
               "model spcc compiled?)",
               s->name, spcc_type_str(&v->type, a, sizeof a), spcc_type_str(&mty, b, sizeof b));
    return false;
  }
  size_t es = spcc_dtype_size(mt->dtype);
  size_t bytes = (size_t)mt->numel * es;
  const uint8_t *gd = spcc_value_data(ex->g, s->vid), *md = mt->data;
  if (bytes == 0 || memcmp(gd, md, bytes) == 0) return true;
  for (int64_t i = 0; i < mt->numel; i++) {
    const uint8_t *x = gd + (size_t)i * es, *y = md + (size_t)i * es;
    if (memcmp(x, y, es) != 0 && !elem_is_zero(mt->dtype, x, es)) {
      spcc_error(ex->d, ex->path, NULL,
                 "--emit onnx: weight '%s' was changed by spcc other than by pruning "
                 "(element %lld); only pruned values can be written back",
                 s->name, (long long)i);
      return false;
    }
  }
  s->pruned = true;
  return true;
}

/* The model's value of slot s (kinds SLOT_INIT / SLOT_SPARSE_INIT / Constant). */
static bool model_tensor(exporter *ex, const slot *s, spcc_tensor *t) {
  char what[300], where[600];
  switch (s->kind) {
  case SLOT_INIT:
    snprintf(what, sizeof what, "initializer '%s'", s->name);
    return spcc_fe_tensor_from_proto_at(s->tp, ex->base_dir, ex->path, what, t, ex->d);
  case SLOT_SPARSE_INIT:
    snprintf(what, sizeof what, "sparse_initializer '%s'", s->name);
    return spcc_fe_sparse_from_proto(s->sp, ex->path, what, t, ex->d);
  default:
    snprintf(where, sizeof where, "%s: node %zu '%s' (Constant)", ex->path, s->index,
             s->np->name ? s->np->name : "");
    return spcc_fe_constant_value(s->np, where, t, ex->d);
  }
}

static void add_slot(exporter *ex, const slot *s) {
  slot *n = realloc(ex->slots, sizeof *n * (ex->n_slots + 1));
  if (!n) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  ex->slots = n;
  ex->slots[ex->n_slots++] = *s;
}

static void collect_slots(exporter *ex) {
  Onnx__GraphProto *gp = ex->m->graph;
  for (size_t i = 0; i < gp->n_initializer; i++) {
    Onnx__TensorProto *tp = gp->initializer[i];
    if (tp && tp->name && *tp->name)
      add_slot(ex, &(slot){.kind = SLOT_INIT, .name = tp->name, .index = i, .tp = tp});
  }
  for (size_t i = 0; i < gp->n_sparse_initializer; i++) {
    Onnx__SparseTensorProto *sp = gp->sparse_initializer[i];
    if (sp && sp->values && sp->values->name && *sp->values->name)
      add_slot(ex, &(slot){.kind = SLOT_SPARSE_INIT, .name = sp->values->name, .index = i,
                           .sp = sp});
  }
  for (size_t i = 0; i < gp->n_node; i++) {
    Onnx__NodeProto *np = gp->node[i];
    if (!np || !np->op_type || strcmp(np->op_type, "Constant") != 0 ||
        !is_default_domain(np->domain) || np->n_output < 1 || !np->output[0] ||
        !*np->output[0] || np->n_attribute != 1 || !np->attribute[0] ||
        !np->attribute[0]->name)
      continue;
    Onnx__AttributeProto *a = np->attribute[0];
    slot s = {.kind = SLOT_CONST_OTHER, .name = np->output[0], .index = i, .attr = a, .np = np};
    if (strcmp(a->name, "value") == 0 && a->t) {
      s.kind = SLOT_CONST_VALUE;
      s.tp = a->t;
    } else if (strcmp(a->name, "sparse_value") == 0 && a->sparse_tensor) {
      s.kind = SLOT_CONST_SPARSE;
      s.sp = a->sparse_tensor;
    } else if (strcmp(a->name, "value_floats") == 0) {
      s.kind = SLOT_CONST_FLOATS;
    }
    add_slot(ex, &s);
  }
}

/* Finds g's constant for every slot and decides what is written. */
static bool find_pruned(exporter *ex) {
  for (size_t i = 0; i < ex->n_slots; i++) {
    slot *s = &ex->slots[i];
    for (size_t j = 0; j < i; j++)
      if (strcmp(ex->slots[j].name, s->name) == 0) {
        spcc_error(ex->d, ex->path, NULL, "--emit onnx: '%s' is defined twice in the model",
                   s->name);
        return false;
      }
    s->vid = spcc_graph_find_value(ex->g, s->name);
    if (s->vid < 0 || ex->g->values[s->vid].kind != SPCC_VAL_CONST) {
      s->vid = -1; /* removed as dead, or not a constant in g: unchanged */
      continue;
    }
    spcc_tensor mt;
    if (!model_tensor(ex, s, &mt)) return false;
    bool ok = compare(ex, s, &mt);
    spcc_tensor_free(&mt);
    if (!ok) return false;
    if (s->pruned && s->kind == SLOT_CONST_OTHER) {
      spcc_error(ex->d, ex->path, NULL,
                 "--emit onnx: Constant '%s' (%s) was pruned, which --emit onnx cannot write",
                 s->name, s->attr->name);
      return false;
    }
  }
  return true;
}

/* ---- pruned weights that are not in the model ------------------------------------ */

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Only MatMul, Gemm and Conv weights are ever pruned. */
static bool is_weight(const spcc_graph *g, int vid) {
  for (int i = 0; i < g->n_nodes; i++) {
    const spcc_node *n = &g->nodes[i];
    if (!n->dead && (n->op == SPCC_OP_MATMUL || n->op == SPCC_OP_GEMM || n->op == SPCC_OP_CONV) &&
        spcc_node_in(n, 1) == vid)
      return true;
  }
  return false;
}

static bool has_zero(const spcc_graph *g, int vid) {
  const spcc_value *v = &g->values[vid];
  const float *p = spcc_value_data(g, vid);
  int64_t n = spcc_type_numel(&v->type);
  for (int64_t i = 0; i < n; i++)
    if (p[i] == 0) return true;
  return false;
}

/* The model imported and folded again, without pruning: the unpruned value
 * of every folded constant. Inputs get g's shapes and bound data. */
static spcc_graph *unpruned_graph(exporter *ex) {
  const spcc_graph *g = ex->g;
  spcc_options o;
  spcc_options_init(&o);
  spcc_shape_opt *shapes = calloc((size_t)g->n_inputs + 1, sizeof *shapes);
  if (!shapes) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  for (int i = 0; i < g->n_inputs; i++) {
    const spcc_value *v = &g->values[g->inputs[i]];
    shapes[i].name = v->name;
    shapes[i].rank = v->type.rank;
    memcpy(shapes[i].dims, v->type.dims, sizeof shapes[i].dims);
  }
  o.shapes = shapes;
  o.n_shapes = g->n_inputs;
  spcc_diag quiet;
  spcc_diag_init(&quiet, NULL);
  spcc_graph *r = spcc_import_onnx(ex->path, &o, &quiet);
  free(shapes);
  if (!r) return NULL;
  for (int i = 0; i < g->n_inputs; i++) {
    const spcc_value *v = &g->values[g->inputs[i]];
    int rid = spcc_graph_find_value(r, v->name);
    if (v->const_id < 0 || rid < 0 || r->values[rid].kind != SPCC_VAL_INPUT) continue;
    const spcc_const *c = &g->consts[v->const_id]; /* --bind */
    size_t bytes = (size_t)c->numel * spcc_dtype_size(c->dtype);
    void *copy = malloc(bytes ? bytes : 1);
    if (!copy) spcc_assert_fail("out of memory", __FILE__, __LINE__);
    memcpy(copy, c->data, bytes);
    r->values[rid].const_id = spcc_graph_add_const_data(r, c->dtype, c->numel, copy);
  }
  if (!spcc_pass_shape_infer(r, &o, &quiet) || !spcc_pass_fold_constants(r, &o, &quiet)) {
    spcc_graph_free(r);
    return NULL;
  }
  return r;
}

static bool check_folded(exporter *ex) {
  const spcc_graph *g = ex->g;
  const char **names = malloc(sizeof *names * (ex->n_slots + 1));
  if (!names) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  for (size_t i = 0; i < ex->n_slots; i++) names[i] = ex->slots[i].name;
  qsort(names, ex->n_slots, sizeof *names, cmp_str);
  spcc_graph *ref = NULL;
  bool ok = true, tried = false;
  for (int vid = 0; vid < g->n_values && ok; vid++) {
    const spcc_value *v = &g->values[vid];
    if (v->kind != SPCC_VAL_CONST || v->type.dtype != SPCC_DT_F32 ||
        bsearch(&v->name, names, ex->n_slots, sizeof *names, cmp_str) || !is_weight(g, vid) ||
        !has_zero(g, vid))
      continue;
    if (!tried) {
      ref = unpruned_graph(ex);
      tried = true;
    }
    int rid = ref ? spcc_graph_find_value(ref, v->name) : -1;
    size_t bytes = (size_t)spcc_type_numel(&v->type) * sizeof(float);
    bool same = rid >= 0 && ref->values[rid].kind == SPCC_VAL_CONST &&
                same_shape(&ref->values[rid].type, &v->type) &&
                memcmp(spcc_value_data(ref, rid), spcc_value_data(g, vid), bytes) == 0;
    if (!same) {
      spcc_error(ex->d, ex->path, NULL,
                 "--emit onnx: weight '%s' was pruned, but spcc computed it (constant "
                 "folding) and the model has no tensor of that name to write it to; "
                 "exclude it with --prune-skip %s",
                 v->name, v->name);
      ok = false;
    }
  }
  spcc_graph_free(ref);
  free(names);
  return ok;
}

/* ---- rewriting --------------------------------------------------------------------- */

/* Sparse storage needs rank >= 1 and positive dims (onnx.checker). */
static bool can_be_sparse(const spcc_value *v) {
  if (v->type.rank < 1) return false;
  for (int k = 0; k < v->type.rank; k++)
    if (v->type.dims[k] <= 0) return false;
  return true;
}

static bool plan_sparse(exporter *ex, bool sparse_initializers) {
  bool any = false;
  for (size_t i = 0; i < ex->n_slots; i++) {
    slot *s = &ex->slots[i];
    if (!s->pruned || !sparse_initializers ||
        (s->kind != SLOT_INIT && s->kind != SLOT_CONST_VALUE && s->kind != SLOT_CONST_FLOATS))
      continue;
    const spcc_value *v = &ex->g->values[s->vid];
    if (s->kind != SLOT_INIT && ex->opset < SPARSE_VALUE_OPSET) {
      spcc_note(ex->d, ex->path, NULL,
                "--sparse-initializers: Constant '%s' stays dense (sparse_value needs opset "
                "%d, the model imports opset %lld)",
                s->name, SPARSE_VALUE_OPSET, (long long)ex->opset);
      continue;
    }
    if (!can_be_sparse(v)) {
      spcc_note(ex->d, ex->path, NULL,
                "--sparse-initializers: weight '%s' stays dense (ONNX sparse tensors need "
                "rank 1 or more and positive dimensions)",
                s->name);
      continue;
    }
    s->to_sparse = any = true;
  }
  int64_t ir = ex->m->ir_version;
  if (any && ir < SPARSE_IR_VERSION) {
    spcc_error(ex->d, ex->path, NULL,
               "--sparse-initializers: the model has IR version %lld, sparse tensors need IR "
               "version %d or later (spcc keeps the IR version; export without "
               "--sparse-initializers)",
               (long long)ir, SPARSE_IR_VERSION);
    return false;
  }
  return true;
}

/* A TensorProto shell; the name and doc string are the caller's (borrowed). */
static Onnx__TensorProto *new_tensor(exporter *ex, int onnx_type, int rank, const int64_t *dims) {
  Onnx__TensorProto *t = own(ex, sizeof *t);
  onnx__tensor_proto__init(t);
  t->has_data_type = 1;
  t->data_type = onnx_type;
  t->n_dims = (size_t)rank;
  t->dims = own(ex, sizeof(int64_t) * (size_t)rank);
  memcpy(t->dims, dims, sizeof(int64_t) * (size_t)rank);
  return t;
}

/* g's value vid as COO into sp->values / sp->indices (coordinates when
 * coords, else linearized). Every element whose bytes are not all zero is
 * kept, so the dense form is reproduced bit for bit (-0.0 included). */
static void fill_sparse(exporter *ex, int vid, Onnx__SparseTensorProto *sp, const char *name,
                        const char *doc, bool coords) {
  const spcc_value *v = &ex->g->values[vid];
  const uint8_t *data = spcc_value_data(ex->g, vid);
  size_t es = spcc_dtype_size(v->type.dtype);
  int64_t numel = spcc_type_numel(&v->type), nnz = 0;
  int rank = v->type.rank;
  for (int64_t i = 0; i < numel; i++) nnz += !bytes_zero(data + i * es, es);
  int ir = coords ? rank : 1;
  uint8_t *vals = own(ex, (size_t)nnz * es);
  int64_t *idx = own(ex, sizeof(int64_t) * (size_t)(nnz * ir));
  int64_t k = 0;
  for (int64_t i = 0; i < numel; i++) {
    if (bytes_zero(data + i * es, es)) continue;
    memcpy(vals + k * (int64_t)es, data + i * es, es);
    if (coords)
      for (int64_t j = rank - 1, rest = i; j >= 0; j--) {
        idx[k * rank + j] = rest % v->type.dims[j];
        rest /= v->type.dims[j];
      }
    else
      idx[k] = i;
    k++;
  }
  spcc_fe_le_to_host(vals, nnz, es);
  spcc_fe_le_to_host(idx, nnz * ir, sizeof(int64_t));
  int64_t vdims[1] = {nnz}, idims[2] = {nnz, rank};
  Onnx__TensorProto *vt = new_tensor(ex, spcc_dtype_to_onnx(v->type.dtype), 1, vdims);
  Onnx__TensorProto *it = new_tensor(ex, ONNX__TENSOR_PROTO__DATA_TYPE__INT64, coords ? 2 : 1,
                                     idims);
  vt->name = (char *)name;
  vt->doc_string = (char *)doc;
  /* An empty tensor carries no data field at all (onnx.checker). */
  if (nnz > 0) {
    vt->has_raw_data = it->has_raw_data = 1;
    vt->raw_data.len = (size_t)nnz * es;
    vt->raw_data.data = vals;
    it->raw_data.len = sizeof(int64_t) * (size_t)(nnz * ir);
    it->raw_data.data = (uint8_t *)idx;
  }
  sp->values = vt;
  sp->indices = it;
}

static Onnx__SparseTensorProto *new_sparse(exporter *ex, const slot *s, const char *name,
                                           const char *doc) {
  const spcc_value *v = &ex->g->values[s->vid];
  Onnx__SparseTensorProto *sp = own(ex, sizeof *sp);
  onnx__sparse_tensor_proto__init(sp);
  sp->n_dims = (size_t)v->type.rank;
  sp->dims = own(ex, sizeof(int64_t) * sp->n_dims);
  memcpy(sp->dims, v->type.dims, sizeof(int64_t) * sp->n_dims);
  fill_sparse(ex, s->vid, sp, name, doc, false);
  return sp;
}

static void set_dense(exporter *ex, Onnx__TensorProto *tp, int vid) {
  const spcc_value *v = &ex->g->values[vid];
  int64_t numel = spcc_type_numel(&v->type);
  size_t es = spcc_dtype_size(v->type.dtype);
  tp->has_raw_data = 1;
  tp->raw_data.len = (size_t)numel * es;
  tp->raw_data.data = le_bytes(ex, spcc_value_data(ex->g, vid), numel, es);
  tp->n_float_data = tp->n_int32_data = tp->n_string_data = tp->n_int64_data = 0;
  tp->n_double_data = tp->n_uint64_data = 0;
  tp->has_data_location = 0; /* now inline, even if it was external */
  tp->n_external_data = 0;
}

static void rewrite_slot(exporter *ex, slot *s) {
  switch (s->kind) {
  case SLOT_INIT: /* the sparse move is done by rewrite_graph */
    if (!s->to_sparse) {
      s->saved_tp = *s->tp;
      set_dense(ex, s->tp, s->vid);
    }
    break;
  case SLOT_CONST_VALUE:
    if (!s->to_sparse) {
      s->saved_tp = *s->tp;
      set_dense(ex, s->tp, s->vid);
      break;
    }
    /* fallthrough */
  case SLOT_CONST_FLOATS:
    s->saved_attr = *s->attr;
    if (s->to_sparse) {
      s->attr->name = "sparse_value";
      s->attr->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__SPARSE_TENSOR;
      s->attr->has_type = 1;
      s->attr->t = NULL;
      s->attr->n_floats = 0;
      s->attr->sparse_tensor = new_sparse(ex, s, s->tp ? s->tp->name : NULL,
                                          s->tp ? s->tp->doc_string : NULL);
    } else {
      /* value_floats is a repeated float: host order is what protobuf-c packs */
      s->attr->floats = (float *)spcc_value_data(ex->g, s->vid);
    }
    break;
  case SLOT_SPARSE_INIT:
  case SLOT_CONST_SPARSE: {
    s->saved_sp = *s->sp;
    const Onnx__TensorProto *old_v = s->saved_sp.values, *old_i = s->saved_sp.indices;
    bool coords = old_i && old_i->n_dims == 2;
    fill_sparse(ex, s->vid, s->sp, old_v->name, old_v->doc_string, coords);
    if (old_i) { /* keep what described the indices */
      s->sp->indices->name = old_i->name;
      s->sp->indices->doc_string = old_i->doc_string;
    }
    break;
  }
  case SLOT_CONST_OTHER:
    break;
  }
}

/* Moves the initializers written as sparse to the end of sparse_initializer,
 * both lists otherwise in their order. */
static void rewrite_graph(exporter *ex) {
  Onnx__GraphProto *gp = ex->m->graph;
  size_t moved = 0;
  for (size_t i = 0; i < ex->n_slots; i++)
    moved += ex->slots[i].kind == SLOT_INIT && ex->slots[i].to_sparse;
  if (!moved) return;
  Onnx__TensorProto **init = own(ex, sizeof *init * gp->n_initializer);
  Onnx__SparseTensorProto **sparse =
      own(ex, sizeof *sparse * (gp->n_sparse_initializer + moved));
  size_t n_init = 0, n_sparse = gp->n_sparse_initializer;
  memcpy(sparse, gp->sparse_initializer, sizeof *sparse * n_sparse);
  for (size_t i = 0; i < gp->n_initializer; i++) {
    const slot *s = NULL;
    for (size_t j = 0; j < ex->n_slots && !s; j++)
      if (ex->slots[j].kind == SLOT_INIT && ex->slots[j].index == i && ex->slots[j].to_sparse)
        s = &ex->slots[j];
    if (s)
      sparse[n_sparse++] = new_sparse(ex, s, s->tp->name, s->tp->doc_string);
    else
      init[n_init++] = gp->initializer[i];
  }
  gp->initializer = init;
  gp->n_initializer = n_init;
  gp->sparse_initializer = sparse;
  gp->n_sparse_initializer = n_sparse;
}

static void restore(exporter *ex) {
  for (size_t i = ex->n_slots; i-- > 0;) {
    slot *s = &ex->slots[i];
    if (!s->pruned) continue;
    switch (s->kind) {
    case SLOT_INIT:
      if (!s->to_sparse) *s->tp = s->saved_tp;
      break;
    case SLOT_CONST_VALUE:
      if (!s->to_sparse) {
        *s->tp = s->saved_tp;
        break;
      }
      /* fallthrough */
    case SLOT_CONST_FLOATS:
      *s->attr = s->saved_attr;
      break;
    case SLOT_SPARSE_INIT:
    case SLOT_CONST_SPARSE:
      *s->sp = s->saved_sp;
      break;
    case SLOT_CONST_OTHER:
      break;
    }
  }
}

/* ---- entry point ------------------------------------------------------------------- */

/* External data stays where it is and is referred to relative to the
 * model, so the export must land in the same directory as the original. */
static bool external_stays_valid(const Onnx__ModelProto *m, const char *in_dir,
                                 const char *out_path, const char *model_path, spcc_diag *d) {
  const char *name = NULL;
  for (size_t i = 0; i < m->graph->n_initializer && !name; i++)
    if (m->graph->initializer[i] && spcc_fe_is_external(m->graph->initializer[i]))
      name = m->graph->initializer[i]->name;
  if (!name) return true;
  char *out_dir = spcc_fe_dirname(out_path);
  char *a = realpath(in_dir, NULL), *b = realpath(out_dir, NULL);
  bool same = a && b && strcmp(a, b) == 0;
  free(a);
  free(b);
  free(out_dir);
  if (!same)
    spcc_error(d, model_path, NULL,
               "initializer '%s' keeps its data in an external file; write the exported model "
               "into the directory of the original so the reference stays valid",
               name ? name : "");
  return same;
}

bool spcc_export_onnx(const char *model_path, const spcc_graph *g, bool sparse_initializers,
                      const char *out_path, spcc_diag *d) {
  Onnx__ModelProto *m = spcc_fe_read_model(model_path, d);
  if (!m) return false;
  if (!m->graph) {
    spcc_error(d, model_path, NULL, "not an ONNX model (no graph)");
    onnx__model_proto__free_unpacked(m, NULL);
    return false;
  }
  char *base_dir = spcc_fe_dirname(model_path);
  if (!external_stays_valid(m, base_dir, out_path, model_path, d)) {
    free(base_dir);
    onnx__model_proto__free_unpacked(m, NULL);
    return false;
  }
  exporter ex = {.path = model_path, .base_dir = base_dir, .g = g, .d = d, .m = m, .opset = 1};
  for (size_t i = 0; i < m->n_opset_import; i++) {
    const Onnx__OperatorSetIdProto *op = m->opset_import[i];
    if (op && is_default_domain(op->domain) && op->has_version) ex.opset = op->version;
  }
  collect_slots(&ex);
  bool ok = find_pruned(&ex) && check_folded(&ex) && plan_sparse(&ex, sparse_initializers);
  if (ok) {
    Onnx__GraphProto saved_graph = *m->graph;
    for (size_t i = 0; i < ex.n_slots; i++)
      if (ex.slots[i].pruned) rewrite_slot(&ex, &ex.slots[i]);
    rewrite_graph(&ex);
    size_t n = onnx__model_proto__get_packed_size(m);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) spcc_assert_fail("out of memory", __FILE__, __LINE__);
    size_t len = onnx__model_proto__pack(m, buf);
    *m->graph = saved_graph;
    restore(&ex);
    ok = spcc_fe_write_file(out_path, buf, len, d);
    free(buf);
  }
  for (size_t i = 0; i < ex.n_owned; i++) free(ex.owned[i]);
  free(ex.owned);
  free(ex.slots);
  free(base_dir);
  onnx__model_proto__free_unpacked(m, NULL);
  return ok;
}
