/* onnx_import.c - the ONNX frontend: ModelProto (protobuf-c) -> spcc IR.
 *
 * The importer checks the model envelope (IR version, opsets), turns
 * initializers, sparse initializers (expanded to dense) and Constant nodes
 * into constants, graph inputs without an initializer into runtime inputs
 * (fixing their dynamic dimensions from --shape, --bind or a warned default
 * of 1), and every other node into an IR
 * node whose inputs and outputs are resolved by name in graph order. It
 * knows ONNX and nothing about C. Model files come from anywhere, so nothing
 * in the parsed message is trusted: pointers, counts and shapes are checked
 * before use, and malformed input ends in a diagnostic, never a crash.
 * Every unsupported operator is reported (once per op type) before failing,
 * so a user sees the whole list at once; other errors stop at the first.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"

#define MAX_IR_VERSION 9
#define MAX_OPSET 18

/* Name -> value id, open addressing; keys are the value names in the graph
 * arena, which never move. */
typedef struct {
  const char **keys;
  int *ids;
  size_t cap, count;
} name_map;

/* A runtime input being typed: what the model said and what fixed it. */
typedef struct {
  int vid;
  bool has_shape;                   /* the model or an option gave a rank */
  bool bound;                       /* --bind fixed shape and data */
  const char *param[SPCC_MAX_RANK]; /* dim_param names, for the warning */
} input_info;

typedef struct {
  const char *path;
  spcc_diag *d;
  spcc_graph *g;
  name_map names;
  input_info *inputs;
  int n_inputs;
  int64_t opset; /* of the default domain */
} importer;

static uint64_t hash_name(const char *s) {
  uint64_t h = 1469598103934665603u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
  return h;
}

static int map_find(const name_map *m, const char *name) {
  if (!m->cap) return -1;
  for (size_t i = hash_name(name) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
    if (!m->keys[i]) return -1;
    if (strcmp(m->keys[i], name) == 0) return m->ids[i];
  }
}

static void map_put(name_map *m, const char *key, int id) {
  if (2 * (m->count + 1) > m->cap) {
    name_map bigger = {0};
    bigger.cap = m->cap ? m->cap * 2 : 64;
    bigger.keys = calloc(bigger.cap, sizeof *bigger.keys);
    bigger.ids = calloc(bigger.cap, sizeof *bigger.ids);
    if (!bigger.keys || !bigger.ids) spcc_assert_fail("out of memory", __FILE__, __LINE__);
    for (size_t i = 0; i < m->cap; i++)
      if (m->keys[i]) map_put(&bigger, m->keys[i], m->ids[i]);
    free(m->keys);
    free(m->ids);
    *m = bigger;
  }
  size_t i = hash_name(key) & (m->cap - 1);
  while (m->keys[i]) i = (i + 1) & (m->cap - 1);
  m->keys[i] = key;
  m->ids[i] = id;
  m->count++;
}

/* Adds a named value and records its name; the caller checked uniqueness. */
static int define(importer *im, const char *name, const spcc_type *t, spcc_value_kind kind) {
  int vid = spcc_graph_add_value(im->g, name, t, kind);
  map_put(&im->names, im->g->values[vid].name, vid);
  return vid;
}

/* The diagnostic prefix of ONNX node i, exactly as spcc_error prints a node:
 * "model.onnx: node 17 'conv1' (Conv)". Used as spcc_error's file argument,
 * so it also serves nodes that have no IR op (unknown ops, Constant). */
static void node_where(char *buf, size_t n, const char *path, size_t i, const char *name,
                       const char *op_type) {
  snprintf(buf, n, "%s: node %zu '%s' (%s)", path, i, name, op_type);
}

/* ---- model envelope ------------------------------------------------------------- */

static bool is_default_domain(const char *domain) {
  return !domain || !*domain || strcmp(domain, "ai.onnx") == 0;
}

static bool check_model(importer *im, const Onnx__ModelProto *m) {
  if (!m->has_ir_version || m->ir_version <= 0) {
    spcc_error(im->d, im->path, NULL, "not an ONNX model (no ir_version)");
    return false;
  }
  if (!m->graph) {
    spcc_error(im->d, im->path, NULL, "not an ONNX model (no graph)");
    return false;
  }
  if (m->ir_version > MAX_IR_VERSION) {
    spcc_error(im->d, im->path, NULL, "unsupported IR version %lld (spcc reads 1 to %d)",
               (long long)m->ir_version, MAX_IR_VERSION);
    return false;
  }
  im->opset = 1; /* what ONNX assumes when opset_import is absent */
  for (size_t i = 0; i < m->n_opset_import; i++) {
    const Onnx__OperatorSetIdProto *op = m->opset_import[i];
    if (!op || !is_default_domain(op->domain)) continue; /* other domains: per node */
    if (!op->has_version || op->version < 1) {
      spcc_error(im->d, im->path, NULL, "opset_import for the default domain has no version");
      return false;
    }
    if (op->version > MAX_OPSET) {
      spcc_error(im->d, im->path, NULL, "unsupported opset %lld (spcc reads opsets 1 to %d)",
                 (long long)op->version, MAX_OPSET);
      return false;
    }
    im->opset = op->version;
  }
  return true;
}

/* ---- initializers ----------------------------------------------------------------- */

/* Initializers become constants; sparse ones are expanded to dense (the
 * sparsify pass finds their zeros again) and share the one name space. */
static bool import_initializers(importer *im, const Onnx__GraphProto *gp) {
  for (size_t i = 0; i < gp->n_initializer; i++) {
    const Onnx__TensorProto *tp = gp->initializer[i];
    const char *name = tp && tp->name ? tp->name : "";
    if (!*name) {
      spcc_error(im->d, im->path, NULL, "initializer %zu has no name", i);
      return false;
    }
    if (map_find(&im->names, name) >= 0) {
      spcc_error(im->d, im->path, NULL, "initializer '%s' is defined twice", name);
      return false;
    }
    char *what = spcc_arena_printf(im->g->arena, "initializer '%s'", name);
    spcc_tensor t;
    if (!spcc_fe_tensor_from_proto(tp, im->path, what, &t, im->d)) return false;
    spcc_type ty = spcc_type_make(t.dtype, t.rank, t.dims);
    int vid = spcc_graph_add_const(im->g, name, &ty, t.data);
    map_put(&im->names, im->g->values[vid].name, vid);
  }
  for (size_t i = 0; i < gp->n_sparse_initializer; i++) {
    const Onnx__SparseTensorProto *sp = gp->sparse_initializer[i];
    const char *name = sp && sp->values && sp->values->name ? sp->values->name : "";
    if (!*name) {
      spcc_error(im->d, im->path, NULL, "sparse_initializer %zu has no name (values.name)", i);
      return false;
    }
    if (map_find(&im->names, name) >= 0) {
      spcc_error(im->d, im->path, NULL, "initializer '%s' is defined twice", name);
      return false;
    }
    char *what = spcc_arena_printf(im->g->arena, "sparse_initializer '%s'", name);
    spcc_tensor t;
    if (!spcc_fe_sparse_from_proto(sp, im->path, what, &t, im->d)) return false;
    spcc_type ty = spcc_type_make(t.dtype, t.rank, t.dims);
    int vid = spcc_graph_add_const(im->g, name, &ty, t.data);
    map_put(&im->names, im->g->values[vid].name, vid);
  }
  return true;
}

/* ---- graph inputs ------------------------------------------------------------------- */

static bool input_type(importer *im, const Onnx__ValueInfoProto *vi, const char *name,
                       input_info *info, spcc_type *t) {
  const Onnx__TypeProto *tp = vi->type;
  if (!tp || tp->value_case == ONNX__TYPE_PROTO__VALUE__NOT_SET) {
    spcc_error(im->d, im->path, NULL, "graph input '%s' has no type", name);
    return false;
  }
  if (tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type) {
    const char *kind = tp->value_case == ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE   ? "sequence"
                       : tp->value_case == ONNX__TYPE_PROTO__VALUE_MAP_TYPE      ? "map"
                       : tp->value_case == ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE ? "optional"
                       : tp->value_case == ONNX__TYPE_PROTO__VALUE_SPARSE_TENSOR_TYPE
                           ? "sparse tensor"
                           : "non-tensor";
    spcc_error(im->d, im->path, NULL, "graph input '%s': unsupported input type (%s)", name,
               kind);
    return false;
  }
  const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
  int et = tt->has_elem_type ? tt->elem_type : 0;
  spcc_dtype dt = spcc_dtype_from_onnx(et);
  if (et == 0) {
    spcc_error(im->d, im->path, NULL, "graph input '%s' has no element type", name);
    return false;
  }
  if (dt == SPCC_DT_UNDEF) {
    const char *tn = spcc_onnx_type_name(et);
    if (strcmp(tn, "UNKNOWN") == 0)
      spcc_error(im->d, im->path, NULL, "graph input '%s': unsupported element type %d", name,
                 et);
    else
      spcc_error(im->d, im->path, NULL, "graph input '%s': unsupported element type %s", name,
                 tn);
    return false;
  }
  *t = spcc_type_make(dt, -1, NULL);
  const Onnx__TensorShapeProto *sh = tt->shape;
  if (!sh) return true; /* rank unknown: --shape or --bind must give it */
  if (sh->n_dim > SPCC_MAX_RANK) {
    spcc_error(im->d, im->path, NULL, "graph input '%s': unsupported rank %zu (spcc supports up to %d)",
               name, sh->n_dim, SPCC_MAX_RANK);
    return false;
  }
  info->has_shape = true;
  t->rank = (int)sh->n_dim;
  for (int k = 0; k < t->rank; k++) {
    const Onnx__TensorShapeProto__Dimension *dim = sh->dim[k];
    t->dims[k] = -1;
    if (!dim) continue;
    if (dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
      if (dim->dim_value < 0) {
        spcc_error(im->d, im->path, NULL, "graph input '%s' has negative dimension %lld", name,
                   (long long)dim->dim_value);
        return false;
      }
      t->dims[k] = dim->dim_value;
    } else if (dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM &&
               dim->dim_param && *dim->dim_param) {
      info->param[k] = dim->dim_param;
    }
  }
  return true;
}

static bool import_inputs(importer *im, const Onnx__GraphProto *gp) {
  if (gp->n_input > INT_MAX / 2) {
    spcc_error(im->d, im->path, NULL, "graph has too many inputs");
    return false;
  }
  im->inputs = calloc(gp->n_input ? gp->n_input : 1, sizeof *im->inputs);
  if (!im->inputs) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  for (size_t i = 0; i < gp->n_input; i++) {
    const Onnx__ValueInfoProto *vi = gp->input[i];
    const char *name = vi && vi->name ? vi->name : "";
    if (!*name) {
      spcc_error(im->d, im->path, NULL, "graph input %zu has no name", i);
      return false;
    }
    int prev = map_find(&im->names, name);
    if (prev >= 0 && im->g->values[prev].kind == SPCC_VAL_CONST)
      continue; /* an initializer (listed among inputs before IR version 4) */
    if (prev >= 0) {
      spcc_error(im->d, im->path, NULL, "graph input '%s' is listed twice", name);
      return false;
    }
    input_info *info = &im->inputs[im->n_inputs];
    spcc_type t;
    if (!input_type(im, vi, name, info, &t)) return false;
    info->vid = define(im, name, &t, SPCC_VAL_INPUT);
    im->n_inputs++;
  }
  return true;
}

static input_info *find_input(importer *im, const char *name) {
  for (int i = 0; i < im->n_inputs; i++)
    if (name && strcmp(im->g->values[im->inputs[i].vid].name, name) == 0) return &im->inputs[i];
  return NULL;
}

static bool apply_shape(importer *im, const spcc_shape_opt *s) {
  input_info *in = find_input(im, s->name);
  if (!in) {
    spcc_error(im->d, im->path, NULL, "--shape: no graph input named '%s'",
               s->name ? s->name : "");
    return false;
  }
  spcc_type *t = &im->g->values[in->vid].type;
  if (s->rank < 0 || s->rank > SPCC_MAX_RANK) {
    spcc_error(im->d, im->path, NULL, "--shape %s: unsupported rank %d (spcc supports up to %d)",
               s->name, s->rank, SPCC_MAX_RANK);
    return false;
  }
  if (in->has_shape && t->rank != s->rank) {
    spcc_error(im->d, im->path, NULL, "--shape %s: %d dimensions given, the input has rank %d",
               s->name, s->rank, t->rank);
    return false;
  }
  for (int k = 0; k < s->rank; k++) {
    if (s->dims[k] < 0) {
      spcc_error(im->d, im->path, NULL, "--shape %s: dimension %d is negative", s->name, k);
      return false;
    }
    /* A 0 in the model marks a dynamic dimension as often as an empty one. */
    if (in->has_shape && t->dims[k] > 0 && t->dims[k] != s->dims[k]) {
      spcc_error(im->d, im->path, NULL,
                 "--shape %s: dimension %d is %lld in the model, cannot set it to %lld", s->name,
                 k, (long long)t->dims[k], (long long)s->dims[k]);
      return false;
    }
  }
  t->rank = s->rank;
  for (int k = 0; k < s->rank; k++) t->dims[k] = s->dims[k];
  in->has_shape = true;
  return true;
}

static bool apply_bind(importer *im, const spcc_bind_opt *b) {
  input_info *in = find_input(im, b->name);
  if (!in) {
    spcc_error(im->d, im->path, NULL, "--bind: no graph input named '%s'",
               b->name ? b->name : "");
    return false;
  }
  if (in->bound) {
    spcc_error(im->d, im->path, NULL, "--bind: input '%s' is bound twice", b->name);
    return false;
  }
  if (!b->path) {
    spcc_error(im->d, im->path, NULL, "--bind %s: no file given", b->name);
    return false;
  }
  spcc_tensor t;
  if (!spcc_tensor_read(b->path, &t, im->d)) return false;
  spcc_value *v = &im->g->values[in->vid];
  char want[160], got[160];
  spcc_type tt = spcc_type_make(t.dtype, t.rank, t.dims);
  bool ok = t.dtype == v->type.dtype;
  if (ok && in->has_shape) {
    ok = t.rank == v->type.rank;
    for (int k = 0; ok && k < t.rank; k++)
      ok = v->type.dims[k] < 0 || v->type.dims[k] == t.dims[k];
  }
  if (!ok) {
    spcc_error(im->d, im->path, NULL, "--bind %s=%s: the file holds %s, input '%s' is %s",
               b->name, b->path, spcc_type_str(&tt, got, sizeof got), b->name,
               spcc_type_str(&v->type, want, sizeof want));
    spcc_tensor_free(&t);
    return false;
  }
  v->type.rank = t.rank;
  for (int k = 0; k < t.rank; k++) v->type.dims[k] = t.dims[k];
  v->const_id = spcc_graph_add_const_data(im->g, t.dtype, t.numel, t.data);
  t.data = NULL;
  spcc_tensor_free(&t);
  in->has_shape = in->bound = true;
  return true;
}

/* Applies --shape and --bind, then settles what is still unknown. */
static bool settle_inputs(importer *im, const spcc_options *o) {
  for (int i = 0; o && i < o->n_shapes; i++)
    if (!apply_shape(im, &o->shapes[i])) return false;
  for (int i = 0; o && i < o->n_binds; i++)
    if (!apply_bind(im, &o->binds[i])) return false;
  for (int i = 0; i < im->n_inputs; i++) {
    input_info *in = &im->inputs[i];
    spcc_value *v = &im->g->values[in->vid];
    if (!in->has_shape) {
      spcc_error(im->d, im->path, NULL,
                 "graph input '%s' has no shape; give one with --shape %s=d0,d1,...", v->name,
                 v->name);
      return false;
    }
    for (int k = 0; k < v->type.rank; k++) {
      if (v->type.dims[k] >= 0) continue;
      if (in->param[k])
        spcc_warning(im->d, im->path, NULL,
                     "input '%s' dimension %d ('%s') is dynamic; assuming 1 (fix it with "
                     "--shape %s=...)",
                     v->name, k, in->param[k], v->name);
      else
        spcc_warning(im->d, im->path, NULL,
                     "input '%s' dimension %d is dynamic; assuming 1 (fix it with --shape "
                     "%s=...)",
                     v->name, k, v->name);
      v->type.dims[k] = 1;
    }
    if (spcc_fe_numel(v->type.rank, v->type.dims) < 0) {
      spcc_error(im->d, im->path, NULL, "graph input '%s' is impossibly large", v->name);
      return false;
    }
  }
  im->g->n_inputs = im->n_inputs;
  im->g->inputs = spcc_arena_alloc(im->g->arena, sizeof(int) * (size_t)(im->n_inputs + 1));
  for (int i = 0; i < im->n_inputs; i++) im->g->inputs[i] = im->inputs[i].vid;
  return true;
}

/* ---- nodes ---------------------------------------------------------------------------- */

/* Defines a node's named outputs as fresh temporaries; ids[k] = -1 for an
 * omitted output. Returns the count without trailing omitted outputs, or -1
 * after an error. */
static int define_outputs(importer *im, const Onnx__NodeProto *np, const char *where, int *ids) {
  int n = (int)np->n_output;
  while (n > 0 && (!np->output[n - 1] || !*np->output[n - 1])) n--;
  for (int k = 0; k < n; k++) {
    const char *name = np->output[k];
    ids[k] = -1;
    if (!name || !*name) continue;
    if (map_find(&im->names, name) >= 0) {
      spcc_error(im->d, where, NULL, "value '%s' is defined twice", name);
      return -1;
    }
    ids[k] = define(im, name, NULL, SPCC_VAL_TEMP);
  }
  return n;
}

static bool import_constant(importer *im, const Onnx__NodeProto *np, const char *where) {
  if (np->n_input > 0) {
    spcc_error(im->d, where, NULL, "Constant takes no inputs");
    return false;
  }
  if (np->n_output != 1 || !np->output[0] || !*np->output[0]) {
    spcc_error(im->d, where, NULL, "Constant needs exactly one named output");
    return false;
  }
  const char *name = np->output[0];
  if (map_find(&im->names, name) >= 0) {
    spcc_error(im->d, where, NULL, "value '%s' is defined twice", name);
    return false;
  }
  spcc_tensor t;
  if (!spcc_fe_constant_value(np, where, &t, im->d)) return false;
  spcc_type ty = spcc_type_make(t.dtype, t.rank, t.dims);
  int vid = spcc_graph_add_const(im->g, name, &ty, t.data);
  map_put(&im->names, im->g->values[vid].name, vid);
  return true;
}

/* Reports an unsupported operator once per op type; returns false only on
 * errors that must stop the import. */
static bool unsupported_op(importer *im, const Onnx__NodeProto *np, const char *where,
                           const char *op_type, bool default_domain, char ***seen, int *n_seen) {
  char full[300];
  if (default_domain)
    snprintf(full, sizeof full, "%s", op_type);
  else
    snprintf(full, sizeof full, "%s::%s", np->domain, op_type);
  bool reported = false;
  for (int i = 0; i < *n_seen && !reported; i++) reported = strcmp((*seen)[i], full) == 0;
  if (!reported) {
    char **s = spcc_arena_alloc(im->g->arena, sizeof *s * (size_t)(*n_seen + 1));
    if (*n_seen) memcpy(s, *seen, sizeof *s * (size_t)*n_seen);
    s[(*n_seen)++] = spcc_arena_strdup(im->g->arena, full);
    *seen = s;
    spcc_error(im->d, where, NULL, "unsupported operator '%s'", full);
  }
  /* Define its outputs anyway so later nodes do not cascade into
   * "not defined" errors. */
  int *ids = malloc(sizeof(int) * (np->n_output + 1));
  if (!ids) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  bool ok = define_outputs(im, np, where, ids) >= 0;
  free(ids);
  return ok;
}

static bool import_nodes(importer *im, const Onnx__GraphProto *gp) {
  if (gp->n_node > INT_MAX / 2) {
    spcc_error(im->d, im->path, NULL, "graph has too many nodes");
    return false;
  }
  char **seen = NULL;
  int n_seen = 0;
  char where[512];
  for (size_t i = 0; i < gp->n_node; i++) {
    const Onnx__NodeProto *np = gp->node[i];
    if (!np) continue;
    const char *op_type = np->op_type ? np->op_type : "";
    const char *name = np->name ? np->name : "";
    node_where(where, sizeof where, im->path, i, name, op_type);
    if (!*op_type) {
      spcc_error(im->d, where, NULL, "node has no op_type");
      return false;
    }
    if (np->n_input > INT_MAX / 8 || np->n_output > INT_MAX / 8) {
      spcc_error(im->d, where, NULL, "node has too many inputs or outputs");
      return false;
    }
    bool dflt = is_default_domain(np->domain);
    spcc_op op;
    if (dflt && strcmp(op_type, "Constant") == 0) {
      if (!import_constant(im, np, where)) return false;
      continue;
    }
    if (!dflt || !spcc_op_from_onnx(op_type, &op)) {
      if (!unsupported_op(im, np, where, op_type, dflt, &seen, &n_seen)) return false;
      continue;
    }
    int n_in = (int)np->n_input;
    int *ids = malloc(sizeof(int) * ((size_t)n_in + np->n_output + 1));
    if (!ids) spcc_assert_fail("out of memory", __FILE__, __LINE__);
    int *outs = ids + n_in;
    for (int k = 0; k < n_in; k++) {
      const char *in = np->input[k];
      ids[k] = -1;
      if (!in || !*in) continue;
      ids[k] = map_find(&im->names, in);
      if (ids[k] < 0) {
        spcc_error(im->d, where, NULL, "input '%s' is not defined", in);
        free(ids);
        return false;
      }
    }
    int n_out = define_outputs(im, np, where, outs);
    if (n_out < 0) {
      free(ids);
      return false;
    }
    int idx = spcc_graph_add_node(im->g, op, n_in, ids, n_out, outs);
    free(ids);
    spcc_node *n = &im->g->nodes[idx];
    n->onnx_index = (int)i;
    n->name = spcc_arena_strdup(im->g->arena, name);
    n->opset = (int)im->opset;
    if (!spcc_fe_copy_attrs(im->g, idx, np, where, im->d)) return false;
  }
  return n_seen == 0;
}

static bool import_outputs(importer *im, const Onnx__GraphProto *gp) {
  if (gp->n_output == 0) {
    spcc_error(im->d, im->path, NULL, "graph has no outputs");
    return false;
  }
  if (gp->n_output > INT_MAX / 2) {
    spcc_error(im->d, im->path, NULL, "graph has too many outputs");
    return false;
  }
  spcc_graph *g = im->g;
  g->outputs = spcc_arena_alloc(g->arena, sizeof(int) * gp->n_output);
  for (size_t i = 0; i < gp->n_output; i++) {
    const Onnx__ValueInfoProto *vi = gp->output[i];
    const char *name = vi && vi->name ? vi->name : "";
    if (!*name) {
      spcc_error(im->d, im->path, NULL, "graph output %zu has no name", i);
      return false;
    }
    int vid = map_find(&im->names, name);
    if (vid < 0) {
      spcc_error(im->d, im->path, NULL, "graph output '%s' is not defined", name);
      return false;
    }
    g->outputs[g->n_outputs++] = vid;
  }
  return true;
}

/* ---- entry point ---------------------------------------------------------------------- */

spcc_graph *spcc_import_onnx(const char *path, const spcc_options *o, spcc_diag *d) {
  Onnx__ModelProto *m = spcc_fe_read_model(path, d);
  if (!m) return NULL;
  importer im = {.path = path, .d = d};
  bool ok = check_model(&im, m);
  if (ok) {
    const Onnx__GraphProto *gp = m->graph;
    im.g = spcc_graph_new(gp->name && *gp->name ? gp->name : NULL, path);
    im.path = im.g->source;
    ok = import_initializers(&im, gp) && import_inputs(&im, gp) && settle_inputs(&im, o) &&
         import_nodes(&im, gp) && import_outputs(&im, gp);
  }
  free(im.names.keys);
  free(im.names.ids);
  free(im.inputs);
  onnx__model_proto__free_unpacked(m, NULL);
  if (!ok) {
    spcc_graph_free(im.g);
    return NULL;
  }
  return im.g;
}
