/* import.h - the importer's state, shared by the files that turn an ONNX
 * graph into IR:
 *   onnx_import.c    model envelope, initializers, graph inputs and outputs,
 *                    the node loop (also for subgraph bodies)
 *   import_scope.c   names and scopes, sequences, building IR nodes and
 *                    constants, compile-time facts (spcc_fe_settle)
 *   onnx_control.c   If and Loop, inlined into the one flat IR graph
 *   onnx_scan.c      Scan, unrolled like Loop
 *   onnx_function.c  model-local functions, inlined at each call
 *   onnx_sequence.c  sequence ops, resolved to plain tensors
 *
 * The IR has no subgraphs and no sequence values: control flow and
 * sequences are resolved while importing. An ONNX name therefore denotes a
 * "ref": a value id (>= 0) or a sequence (a compile-time list of value ids,
 * refs <= -2). When a decision needs a value (an If condition, a Loop trip
 * count, a sequence position, a tensor's shape), the importer types and
 * folds the nodes imported so far with shape-infer's own rules
 * (spcc_fe_settle) and reads the result.
 */
#ifndef SPCC_FE_IMPORT_H
#define SPCC_FE_IMPORT_H

#include "frontend.h"

/* Inlined subgraphs nest at most this deep (If inside Loop inside If ...). */
#define SPCC_FE_MAX_NESTING 16
/* Loops unroll into at most this many IR nodes in all. */
#define SPCC_FE_MAX_UNROLLED_NODES 200000

/* ONNX name -> ref, open addressing; keys live in the graph arena. */
typedef struct {
  const char **keys;
  int *ids;
  size_t cap, count;
} spcc_fe_name_map;

int spcc_fe_map_find(const spcc_fe_name_map *m, const char *name); /* -1 if absent */
void spcc_fe_map_put(spcc_fe_name_map *m, const char *key, int id);
void spcc_fe_map_free(spcc_fe_name_map *m);

#define SPCC_FE_NO_REF (-1)
static inline bool spcc_fe_is_seq(int ref) { return ref <= -2; }

/* A sequence: element dtype and its tensors (value ids, arena memory). */
typedef struct {
  spcc_dtype dtype;
  int n;
  const int *items;
} spcc_fe_seq;

/* Names visible in one graph body; lookups fall back to the parent (ONNX
 * subgraphs see the enclosing graphs' values). */
typedef struct spcc_fe_scope {
  spcc_fe_name_map names;
  struct spcc_fe_scope *parent;
  const char *prefix; /* of the IR names of values and nodes defined here ("" at top) */
} spcc_fe_scope;

/* A runtime input being typed: what the model said and what fixed it. */
typedef struct {
  int vid;
  bool has_shape;                   /* the model or an option gave a rank */
  bool shaped;                      /* --shape gave its dimensions */
  bool bound;                       /* --bind fixed shape and data */
  const char *param[SPCC_MAX_RANK]; /* dim_param names, for the warning */
} spcc_fe_input;

typedef struct {
  const char *path;
  const char *base_dir;       /* the model's directory (external data) */
  const spcc_options *opts;   /* may be NULL */
  spcc_diag *d;
  spcc_graph *g;
  spcc_fe_scope *scope;       /* innermost */
  spcc_fe_name_map ir_names;  /* every IR value name -> value id, for uniqueness */
  spcc_fe_input *inputs;
  int n_inputs;
  int64_t opset;              /* of the default domain */
  spcc_fe_seq *seqs;
  int n_seqs, cap_seqs;
  int n_settled;              /* nodes already typed by spcc_fe_settle */
  bool any_folded;            /* settling folded a node: compact at the end */
  int top_index;              /* index of the top-level node being imported */
  int depth;                  /* subgraph nesting */
  char **unsupported;         /* op types reported unsupported (once each) */
  int n_unsupported;
  const Onnx__ModelProto *model; /* for its local functions */
  const Onnx__NodeProto *caller; /* the call whose function body is being imported */
} spcc_fe_importer;

/* ---- names and scopes (import_scope.c) ---- */

/* What name denotes in the current scope chain, or SPCC_FE_NO_REF. */
int spcc_fe_lookup(const spcc_fe_importer *im, const char *name);
/* Whether name is defined in the innermost scope itself. */
bool spcc_fe_defined_here(const spcc_fe_importer *im, const char *name);
/* Binds name to ref in the innermost scope. */
void spcc_fe_bind(spcc_fe_importer *im, const char *name, int ref);
/* Adds a value named after onnx_name (scope prefix + name, made unique in
 * the graph; a fresh name when onnx_name is NULL) and, when onnx_name is
 * given, binds it. Returns the value id. */
int spcc_fe_define(spcc_fe_importer *im, const char *onnx_name, const spcc_type *t,
                   spcc_value_kind kind);
/* Same for a constant holding data (ownership taken). */
int spcc_fe_define_const(spcc_fe_importer *im, const char *onnx_name, const spcc_type *t,
                         void *data);
/* Enters a child scope whose IR names start with the current prefix +
 * suffix ("then/"); leave restores the parent and frees the scope. */
void spcc_fe_enter(spcc_fe_importer *im, spcc_fe_scope *s, const char *suffix);
void spcc_fe_leave(spcc_fe_importer *im);

/* ---- sequences (import_scope.c) ---- */

/* A new sequence of n items (copied); returns its ref. */
int spcc_fe_seq_new(spcc_fe_importer *im, spcc_dtype dt, int n, const int *items);
const spcc_fe_seq *spcc_fe_seq_get(const spcc_fe_importer *im, int ref);

/* ---- building IR (import_scope.c) ---- */

/* Appends an IR node made by the importer (origin: the top-level ONNX node
 * being imported, named after the scope). out[k] < 0 asks for a fresh
 * temporary, whose id is stored back. Returns the node index. */
int spcc_fe_add_node(spcc_fe_importer *im, spcc_op op, int opset, int n_in, const int *in,
                     int n_out, int *out);
/* A constant int64 vector (rank 1, or rank 0 when scalar is set). */
int spcc_fe_const_i64(spcc_fe_importer *im, int n, const int64_t *v, bool scalar);
/* A constant bool scalar. */
int spcc_fe_const_bool(spcc_fe_importer *im, bool v);

/* Stacks vids[0..n) (n >= 1, same type) along a new axis into value out
 * (Unsqueeze each, then Concat). */
void spcc_fe_stack(spcc_fe_importer *im, const int *vids, int n, int64_t axis, int out);

/* ---- subgraph bodies (import_scope.c) ---- */

/* The name the inlined values and nodes of np are prefixed with: its name,
 * else its first output, else its op type. */
const char *spcc_fe_node_label(const Onnx__NodeProto *np);
/* Reports and returns false when subgraphs nest past SPCC_FE_MAX_NESTING. */
bool spcc_fe_check_nesting(spcc_fe_importer *im, const char *where);
/* The refs of gp's outputs in the current scope, into refs[]. */
bool spcc_fe_body_outputs(spcc_fe_importer *im, const Onnx__GraphProto *gp, const char *where,
                          int *refs);

/* ---- compile-time facts (import_scope.c) ---- */

/* Types and folds every node imported since the last call (shape-infer's
 * rules and spcc_fold_node); afterwards each value has its static type and
 * the known ones their data. Fails after a diagnostic. */
bool spcc_fe_settle(spcc_fe_importer *im);
/* Settles, then returns vid's data when it is known at compile time
 * (a constant, a folded result or a --bind input), else NULL. */
const void *spcc_fe_known(spcc_fe_importer *im, int vid, bool *ok);
/* Reads a known scalar integer (any integer dtype, one element) into *v;
 * reports "<what> must be a compile-time constant" (an "unsupported"
 * diagnostic) at `where` when it is not known. */
bool spcc_fe_known_int(spcc_fe_importer *im, int vid, const char *where, const char *what,
                       int64_t *v);

/* ---- inputs (onnx_import.c) ---- */

/* Binds the runtime inputs upstream of vid that opts->input_files has a
 * file for (*bound says whether any was); false after a diagnostic. */
bool spcc_fe_bind_upstream(spcc_fe_importer *im, int vid, bool *bound);

/* ---- node bodies (onnx_import.c) ---- */

/* Imports gp's initializers and nodes into the current scope (its inputs
 * are bound by the caller). where_prefix heads every diagnostic. */
bool spcc_fe_import_body(spcc_fe_importer *im, const Onnx__GraphProto *gp,
                         const char *where_prefix);

/* ---- structured ops (onnx_control.c, onnx_sequence.c) ---- */

/* Whether op_type (default domain) is handled by a structured importer. */
bool spcc_fe_is_control_op(const char *op_type);
bool spcc_fe_is_sequence_op(const char *op_type);
/* Imports one such node; where is its diagnostic prefix. */
bool spcc_fe_import_control(spcc_fe_importer *im, const Onnx__NodeProto *np, const char *where);
bool spcc_fe_import_sequence(spcc_fe_importer *im, const Onnx__NodeProto *np,
                             const char *where);
/* Scan (onnx_scan.c), dispatched by spcc_fe_import_control. */
bool spcc_fe_import_scan(spcc_fe_importer *im, const Onnx__NodeProto *np, const char *where);

/* ---- model-local functions (onnx_function.c) ---- */

/* The function np calls (a custom domain and op type matching one of the
 * model's FunctionProtos), or NULL. */
const Onnx__FunctionProto *spcc_fe_find_function(const spcc_fe_importer *im,
                                                 const Onnx__NodeProto *np);
/* Inlines the call np of f. */
bool spcc_fe_import_function(spcc_fe_importer *im, const Onnx__NodeProto *np,
                             const Onnx__FunctionProto *f, const char *where);
/* Inside a function body: np with its attribute references resolved
 * against the call (in *tmp, using attrs[] and copies[], both with room for
 * np->n_attribute entries), or np itself when it has none. */
const Onnx__NodeProto *spcc_fe_resolve_refs(const spcc_fe_importer *im,
                                            const Onnx__NodeProto *np, Onnx__NodeProto *tmp,
                                            Onnx__AttributeProto **attrs,
                                            Onnx__AttributeProto *copies);

/* The subgraph attribute named name of np, or NULL after a diagnostic. */
const Onnx__GraphProto *spcc_fe_graph_attr(spcc_fe_importer *im, const Onnx__NodeProto *np,
                                           const char *name, const char *where);
/* What np's input k denotes (SPCC_FE_NO_REF when omitted); false after a
 * diagnostic when the name is not defined. */
bool spcc_fe_input_ref(spcc_fe_importer *im, const Onnx__NodeProto *np, size_t k,
                       const char *where, int *ref);
/* A fresh value bound to np's output k in *vid (-1 when the output is
 * omitted); false after a diagnostic when the name is already defined. */
bool spcc_fe_output_value(spcc_fe_importer *im, const Onnx__NodeProto *np, size_t k,
                          const char *where, int *vid);
/* Binds np's output k to ref (an omitted output is skipped); false after a
 * diagnostic when the name is already defined. */
bool spcc_fe_bind_output(spcc_fe_importer *im, const Onnx__NodeProto *np, size_t k, int ref,
                         const char *where);

#endif
