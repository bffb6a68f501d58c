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

#include "import.h"

#define MAX_IR_VERSION 9
#define MAX_OPSET 18

typedef spcc_fe_importer importer;
typedef spcc_fe_input input_info;

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
 * sparsify pass finds their zeros again) and share the one name space. A
 * subgraph's initializers live in its scope. */
static bool import_initializers(importer *im, const Onnx__GraphProto *gp, const char *where) {
  for (size_t i = 0; i < gp->n_initializer; i++) {
    const Onnx__TensorProto *tp = gp->initializer[i];
    const char *name = tp && tp->name ? tp->name : "";
    if (!*name) {
      spcc_error(im->d, where, NULL, "initializer %zu has no name", i);
      return false;
    }
    if (spcc_fe_defined_here(im, name)) {
      spcc_error(im->d, where, NULL, "initializer '%s' is defined twice", name);
      return false;
    }
    char *what = spcc_arena_printf(im->g->arena, "initializer '%s'", name);
    spcc_tensor t;
    if (!spcc_fe_tensor_from_proto_at(tp, im->base_dir, where, what, &t, im->d)) return false;
    spcc_type ty = spcc_type_make(t.dtype, t.rank, t.dims);
    spcc_fe_define_const(im, name, &ty, t.data);
  }
  for (size_t i = 0; i < gp->n_sparse_initializer; i++) {
    const Onnx__SparseTensorProto *sp = gp->sparse_initializer[i];
    const char *name = sp && sp->values && sp->values->name ? sp->values->name : "";
    if (!*name) {
      spcc_error(im->d, where, NULL, "sparse_initializer %zu has no name (values.name)", i);
      return false;
    }
    if (spcc_fe_defined_here(im, name)) {
      spcc_error(im->d, where, NULL, "initializer '%s' is defined twice", name);
      return false;
    }
    char *what = spcc_arena_printf(im->g->arena, "sparse_initializer '%s'", name);
    spcc_tensor t;
    if (!spcc_fe_sparse_from_proto(sp, where, what, &t, im->d)) return false;
    spcc_type ty = spcc_type_make(t.dtype, t.rank, t.dims);
    spcc_fe_define_const(im, name, &ty, t.data);
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
    int prev = spcc_fe_lookup(im, name);
    if (prev >= 0 && im->g->values[prev].kind == SPCC_VAL_CONST)
      continue; /* an initializer (listed among inputs before IR version 4) */
    if (prev >= 0) {
      spcc_error(im->d, im->path, NULL, "graph input '%s' is listed twice", name);
      return false;
    }
    input_info *info = &im->inputs[im->n_inputs];
    spcc_type t;
    if (!input_type(im, vi, name, info, &t)) return false;
    info->vid = spcc_fe_define(im, name, &t, SPCC_VAL_INPUT);
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
  in->has_shape = in->shaped = true;
  return true;
}

/* An input file (options' input_files) fixes the shape of an input that
 * --shape and --bind left open, so the dynamic dimensions match the data. */
static bool apply_file_shape(importer *im, input_info *in, const char *path) {
  spcc_tensor t;
  if (!spcc_tensor_read(path, &t, im->d)) return false;
  spcc_value *v = &im->g->values[in->vid];
  bool ok = true;
  if (t.dtype != v->type.dtype) {
    spcc_error(im->d, path, NULL, "input '%s' expects %s, the file holds %s", v->name,
               spcc_dtype_name(v->type.dtype), spcc_dtype_name(t.dtype));
    ok = false;
  }
  if (ok) {
    spcc_shape_opt s = {.name = v->name, .rank = t.rank};
    for (int k = 0; k < t.rank; k++) s.dims[k] = t.dims[k];
    ok = apply_shape(im, &s);
  }
  spcc_tensor_free(&t);
  return ok;
}

static bool apply_bind(importer *im, const spcc_bind_opt *b, const char *option) {
  input_info *in = find_input(im, b->name);
  if (!in) {
    spcc_error(im->d, im->path, NULL, "--bind: no graph input named '%s'",
               b->name ? b->name : "");
    return false;
  }
  if (in->bound) {
    spcc_error(im->d, im->path, NULL, "%s: input '%s' is bound twice", option, b->name);
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

bool spcc_fe_bind_upstream(importer *im, int vid, bool *bound) {
  *bound = false;
  const spcc_options *o = im->opts;
  if (!o || !o->n_input_files) return true;
  spcc_graph *g = im->g;
  bool *mark = calloc((size_t)g->n_values + 1, sizeof *mark);
  if (!mark) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  mark[vid] = true;
  /* Nodes are in topological order: one backward sweep reaches every
   * ancestor. Shape and Size read only static shapes. */
  for (int i = g->n_nodes - 1; i >= 0; i--) {
    const spcc_node *n = &g->nodes[i];
    bool any = false;
    for (int k = 0; k < n->n_out; k++) any = any || (n->out[k] >= 0 && mark[n->out[k]]);
    if (!any || n->dead || spcc_op_reads_only_shapes(n->op)) continue;
    for (int k = 0; k < n->n_in; k++)
      if (n->in[k] >= 0) mark[n->in[k]] = true;
  }
  bool ok = true;
  for (int i = 0; ok && i < im->n_inputs && i < o->n_input_files; i++) {
    input_info *in = &im->inputs[i];
    if (!mark[in->vid] || in->bound || !o->input_files[i]) continue;
    spcc_bind_opt b = {.name = im->g->values[in->vid].name, .path = o->input_files[i]};
    ok = apply_bind(im, &b, "-i");
    *bound = *bound || ok;
  }
  free(mark);
  return ok;
}

/* Applies --shape and --bind, then settles what is still unknown. */
static bool settle_inputs(importer *im, const spcc_options *o) {
  for (int i = 0; o && i < o->n_shapes; i++)
    if (!apply_shape(im, &o->shapes[i])) return false;
  for (int i = 0; o && i < o->n_binds; i++)
    if (!apply_bind(im, &o->binds[i], "--bind")) return false;
  for (int i = 0; o && i < o->n_input_files && i < im->n_inputs; i++) {
    input_info *in = &im->inputs[i];
    if (!in->shaped && !in->bound && o->input_files[i] &&
        !apply_file_shape(im, in, o->input_files[i]))
      return false;
  }
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
    if (spcc_fe_defined_here(im, name)) {
      spcc_error(im->d, where, NULL, "value '%s' is defined twice", name);
      return -1;
    }
    ids[k] = spcc_fe_define(im, name, NULL, SPCC_VAL_TEMP);
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
  if (spcc_fe_defined_here(im, name)) {
    spcc_error(im->d, where, NULL, "value '%s' is defined twice", name);
    return false;
  }
  spcc_tensor t;
  if (!spcc_fe_constant_value(np, where, &t, im->d)) return false;
  spcc_type ty = spcc_type_make(t.dtype, t.rank, t.dims);
  spcc_fe_define_const(im, name, &ty, t.data);
  return true;
}

/* After an unsupported operator the import fails anyway, and control flow
 * and sequences cannot be resolved without types: such nodes only define
 * their outputs, so the scan for more unsupported operators goes on. */
static bool skip_node(importer *im, const Onnx__NodeProto *np, const char *where) {
  int *ids = malloc(sizeof(int) * (np->n_output + 1));
  if (!ids) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  bool ok = define_outputs(im, np, where, ids) >= 0;
  free(ids);
  return ok;
}

/* Reports an unsupported operator once per op type; returns false only on
 * errors that must stop the import. */
static bool unsupported_op(importer *im, const Onnx__NodeProto *np, const char *where,
                           const char *op_type, bool default_domain) {
  char full[300];
  if (default_domain)
    snprintf(full, sizeof full, "%s", op_type);
  else
    snprintf(full, sizeof full, "%s::%s", np->domain, op_type);
  bool reported = false;
  for (int i = 0; i < im->n_unsupported && !reported; i++)
    reported = strcmp(im->unsupported[i], full) == 0;
  if (!reported) {
    char **s = spcc_arena_alloc(im->g->arena, sizeof *s * (size_t)(im->n_unsupported + 1));
    if (im->n_unsupported) memcpy(s, im->unsupported, sizeof *s * (size_t)im->n_unsupported);
    s[im->n_unsupported++] = spcc_arena_strdup(im->g->arena, full);
    im->unsupported = s;
    spcc_error(im->d, where, NULL, "unsupported operator '%s'", full);
  }
  /* Define its outputs anyway so later nodes do not cascade into
   * "not defined" errors. */
  return skip_node(im, np, where);
}

bool spcc_fe_input_ref(importer *im, const Onnx__NodeProto *np, size_t k, const char *where,
                       int *ref) {
  *ref = SPCC_FE_NO_REF;
  if (k >= np->n_input || !np->input[k] || !*np->input[k]) return true;
  *ref = spcc_fe_lookup(im, np->input[k]);
  if (*ref == SPCC_FE_NO_REF) {
    spcc_error(im->d, where, NULL, "input '%s' is not defined", np->input[k]);
    return false;
  }
  return true;
}

bool spcc_fe_bind_output(importer *im, const Onnx__NodeProto *np, size_t k, int ref,
                         const char *where) {
  if (k >= np->n_output || !np->output[k] || !*np->output[k]) return true;
  if (spcc_fe_defined_here(im, np->output[k])) {
    spcc_error(im->d, where, NULL, "value '%s' is defined twice", np->output[k]);
    return false;
  }
  spcc_fe_bind(im, np->output[k], ref);
  return true;
}

bool spcc_fe_output_value(importer *im, const Onnx__NodeProto *np, size_t k, const char *where,
                          int *vid) {
  *vid = -1;
  if (k >= np->n_output || !np->output[k] || !*np->output[k]) return true;
  if (spcc_fe_defined_here(im, np->output[k])) {
    spcc_error(im->d, where, NULL, "value '%s' is defined twice", np->output[k]);
    return false;
  }
  *vid = spcc_fe_define(im, np->output[k], NULL, SPCC_VAL_TEMP);
  return true;
}

/* An operator with an IR op: one IR node, inputs resolved by name. */
static bool import_op(importer *im, const Onnx__NodeProto *np, size_t i, spcc_op op,
                      const char *where) {
  int n_in = (int)np->n_input;
  int *ids = malloc(sizeof(int) * ((size_t)n_in + np->n_output + 1));
  if (!ids) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  int *outs = ids + n_in;
  for (int k = 0; k < n_in; k++) {
    if (!spcc_fe_input_ref(im, np, (size_t)k, where, &ids[k])) {
      free(ids);
      return false;
    }
    if (spcc_fe_is_seq(ids[k]) && op == SPCC_OP_IDENTITY && n_in == 1) {
      bool ok = spcc_fe_bind_output(im, np, 0, ids[k], where); /* a sequence is immutable */
      free(ids);
      return ok;
    }
    if (spcc_fe_is_seq(ids[k])) {
      spcc_error(im->d, where, NULL, "input '%s' is a sequence; %s takes tensors",
                 np->input[k], np->op_type);
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
  n->onnx_index = im->top_index;
  const char *name = np->name ? np->name : "";
  if (!im->scope->parent)
    n->name = spcc_arena_strdup(im->g->arena, name);
  else if (*name)
    n->name = spcc_arena_printf(im->g->arena, "%s%s", im->scope->prefix, name);
  else
    n->name = spcc_arena_printf(im->g->arena, "%snode%zu", im->scope->prefix, i);
  n->opset = (int)im->opset;
  return spcc_fe_copy_attrs(im->g, idx, np, where, im->d);
}

static bool import_nodes(importer *im, const Onnx__GraphProto *gp, const char *where_prefix) {
  if (gp->n_node > INT_MAX / 2) {
    spcc_error(im->d, where_prefix, NULL, "graph has too many nodes");
    return false;
  }
  int unsupported_before = im->n_unsupported;
  for (size_t i = 0; i < gp->n_node; i++) {
    const Onnx__NodeProto *np = gp->node[i];
    if (!np) continue;
    /* In a function body, attributes may refer to the call's. */
    Onnx__NodeProto resolved;
    Onnx__AttributeProto **attrs = NULL, *copies = NULL;
    if (im->caller && np->n_attribute && np->n_attribute <= 4096) {
      attrs = malloc(sizeof *attrs * np->n_attribute);
      copies = calloc(np->n_attribute, sizeof *copies);
      if (!attrs || !copies) spcc_assert_fail("out of memory", __FILE__, __LINE__);
      np = spcc_fe_resolve_refs(im, np, &resolved, attrs, copies);
    }
    const char *op_type = np->op_type ? np->op_type : "";
    const char *name = np->name ? np->name : "";
    char *where = malloc(strlen(where_prefix) + strlen(name) + strlen(op_type) + 64);
    if (!where) spcc_assert_fail("out of memory", __FILE__, __LINE__);
    node_where(where, strlen(where_prefix) + strlen(name) + strlen(op_type) + 64, where_prefix,
               i, name, op_type);
    if (!im->scope->parent) im->top_index = (int)i;
    bool ok = true;
    bool dflt = is_default_domain(np->domain);
    spcc_op op;
    const Onnx__FunctionProto *fn = dflt ? NULL : spcc_fe_find_function(im, np);
    if (!*op_type) {
      spcc_error(im->d, where, NULL, "node has no op_type");
      ok = false;
    } else if (np->n_input > INT_MAX / 8 || np->n_output > INT_MAX / 8) {
      spcc_error(im->d, where, NULL, "node has too many inputs or outputs");
      ok = false;
    } else if (dflt && strcmp(op_type, "Constant") == 0) {
      ok = import_constant(im, np, where);
    } else if (dflt && spcc_fe_is_control_op(op_type)) {
      ok = im->n_unsupported ? skip_node(im, np, where) : spcc_fe_import_control(im, np, where);
    } else if (dflt && spcc_fe_is_sequence_op(op_type)) {
      ok = im->n_unsupported ? skip_node(im, np, where)
                             : spcc_fe_import_sequence(im, np, where);
    } else if (fn) {
      ok = im->n_unsupported ? skip_node(im, np, where) : spcc_fe_import_function(im, np, fn, where);
    } else if (!dflt || !spcc_op_from_onnx(op_type, &op)) {
      ok = unsupported_op(im, np, where, op_type, dflt);
    } else {
      ok = import_op(im, np, i, op, where);
    }
    free(where);
    free(attrs);
    free(copies);
    if (!ok) return false;
  }
  return im->n_unsupported == unsupported_before;
}

bool spcc_fe_import_body(importer *im, const Onnx__GraphProto *gp, const char *where_prefix) {
  return import_initializers(im, gp, where_prefix) && import_nodes(im, gp, where_prefix);
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
    int vid = spcc_fe_lookup(im, name);
    if (vid == SPCC_FE_NO_REF) {
      spcc_error(im->d, im->path, NULL, "graph output '%s' is not defined", name);
      return false;
    }
    if (spcc_fe_is_seq(vid)) {
      spcc_error(im->d, im->path, NULL,
                 "graph output '%s' is a sequence: unsupported (the generated code returns "
                 "tensors; end the graph with ConcatFromSequence or SequenceAt)",
                 name);
      return false;
    }
    /* A value made by the importer (a Where joining If branches, a Loop's
     * last carried value) takes the output's name, which the generated API
     * uses, when that name is free. */
    spcc_value *v = &g->values[vid];
    bool named = false;
    for (int k = 0; k < g->n_outputs; k++) named = named || g->outputs[k] == vid;
    if (!named && v->kind == SPCC_VAL_TEMP && strcmp(v->name, name) != 0 &&
        spcc_fe_map_find(&im->ir_names, name) < 0) {
      v->name = spcc_arena_strdup(g->arena, name);
      spcc_fe_map_put(&im->ir_names, v->name, vid);
    }
    g->outputs[g->n_outputs++] = vid;
  }
  return true;
}

/* ---- entry point ---------------------------------------------------------------------- */

spcc_graph *spcc_import_onnx(const char *path, const spcc_options *o, spcc_diag *d) {
  Onnx__ModelProto *m = spcc_fe_read_model(path, d);
  if (!m) return NULL;
  importer im = {.path = path, .opts = o, .d = d, .model = m};
  char *base_dir = spcc_fe_dirname(path);
  im.base_dir = base_dir;
  spcc_fe_scope top;
  bool ok = check_model(&im, m);
  if (ok) {
    const Onnx__GraphProto *gp = m->graph;
    im.g = spcc_graph_new(gp->name && *gp->name ? gp->name : NULL, path);
    im.path = im.g->source;
    spcc_fe_enter(&im, &top, "");
    ok = import_initializers(&im, gp, im.path) && import_inputs(&im, gp) &&
         settle_inputs(&im, o) && import_nodes(&im, gp, im.path) && import_outputs(&im, gp);
    spcc_fe_leave(&im);
    /* Settling may have folded nodes (If conditions, trip counts): drop them. */
    if (ok && im.any_folded) spcc_graph_compact(im.g);
  }
  free(base_dir);
  spcc_fe_map_free(&im.ir_names);
  free(im.inputs);
  free(im.seqs);
  onnx__model_proto__free_unpacked(m, NULL);
  if (!ok) {
    spcc_graph_free(im.g);
    return NULL;
  }
  return im.g;
}
