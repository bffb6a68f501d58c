/* ir.h - the spcc intermediate representation.
 *
 * A graph holds values (tensors) and nodes in topological order. Values are
 * referred to by 32-bit ids (indices into graph->values), never by pointer,
 * so they print stably and parse simply. Constant data (weights) lives outside
 * the IR in graph->consts and is referred to by handle (const_id).
 *
 * Ownership: strings and small arrays of the IR come from the graph's bump
 * arena (spcc_arena) and are never freed one by one; the growable tables
 * (values, nodes, consts) and constant payloads are malloc'd and released by
 * spcc_graph_free.
 */
#ifndef SPCC_IR_H
#define SPCC_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SPCC_MAX_RANK 8

/* ---- bump arena (ir/arena.c) ------------------------------------------ */

typedef struct spcc_arena spcc_arena;
spcc_arena *spcc_arena_new(void);
void spcc_arena_free(spcc_arena *a);
void *spcc_arena_alloc(spcc_arena *a, size_t bytes);         /* zeroed, 16-aligned */
char *spcc_arena_strdup(spcc_arena *a, const char *s);
char *spcc_arena_printf(spcc_arena *a, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---- element types (ir/type.c) ----------------------------------------- */

typedef enum {
  SPCC_DT_UNDEF = 0,
  SPCC_DT_F32,
  SPCC_DT_F64,
  SPCC_DT_I8,
  SPCC_DT_I16,
  SPCC_DT_I32,
  SPCC_DT_I64,
  SPCC_DT_U8,
  SPCC_DT_U16,
  SPCC_DT_U32,
  SPCC_DT_U64,
  SPCC_DT_BOOL, /* one byte, 0 or 1 */
  SPCC_DT_COUNT
} spcc_dtype;

const char *spcc_dtype_name(spcc_dtype t);  /* IR spelling: "f32", "i64", "bool" */
const char *spcc_dtype_ctype(spcc_dtype t); /* C type: "float", "int64_t", "uint8_t" for bool */
size_t spcc_dtype_size(spcc_dtype t);       /* bytes per element, 0 for UNDEF */
bool spcc_dtype_is_float(spcc_dtype t);
bool spcc_dtype_is_signed_int(spcc_dtype t);
bool spcc_dtype_is_unsigned_int(spcc_dtype t); /* includes bool */
bool spcc_dtype_parse(const char *name, spcc_dtype *out);
/* ONNX TensorProto.DataType <-> spcc_dtype; UNDEF when ONNX type unsupported. */
spcc_dtype spcc_dtype_from_onnx(int onnx_type);
int spcc_dtype_to_onnx(spcc_dtype t);
const char *spcc_onnx_type_name(int onnx_type); /* "FLOAT16", for diagnostics */

/* ---- tensor types ------------------------------------------------------ */

/* How a tensor is stored. Sparse encodings apply to constant weights; the
 * IR keeps their logical values (zeros included) and the encoding, and the
 * packed storage is derived from both (ir/sparse_pack.c), so printing the
 * values and the encoding is complete. Vocabulary after MLIR's
 * sparse_tensor levels: csr = (dense, compressed), bsr = blocked csr,
 * nm = (dense, n_out_of_m). See ir/sparse.h for the weight view (which axis
 * is "rows" = output channels and which "cols" = reduction). */
typedef enum {
  SPCC_ENC_DENSE = 0, /* row-major, contiguous */
  SPCC_ENC_CSR,       /* compressed rows: rowptr, column indices, values */
  SPCC_ENC_BSR,       /* compressed rows of block_r x block_c blocks */
  SPCC_ENC_NM,        /* nm_n kept of every nm_m along the reduction axis */
} spcc_encoding_kind;

typedef struct {
  spcc_encoding_kind kind;
  int block_r, block_c; /* BSR: output rows x reduction columns per block */
  int nm_n, nm_m;       /* NM */
  int axis;             /* NM: tensor axis the groups run along (the reduction axis) */
  int index_bits;       /* stored index width: 8/16/32 (CSR, BSR), ceil(log2 M) (NM) */
} spcc_encoding;

const char *spcc_encoding_kind_name(spcc_encoding_kind k); /* "dense", "csr", "bsr", "nm" */

typedef struct {
  spcc_dtype dtype;
  int rank;                      /* 0 for a scalar; -1 when unknown */
  int64_t dims[SPCC_MAX_RANK];   /* -1 = not known yet */
  spcc_encoding enc;
} spcc_type;

spcc_type spcc_type_make(spcc_dtype dt, int rank, const int64_t *dims);
bool spcc_type_is_static(const spcc_type *t); /* rank and all dims known */
int64_t spcc_type_numel(const spcc_type *t);  /* -1 unless static */
int64_t spcc_type_bytes(const spcc_type *t);  /* -1 unless static */
bool spcc_type_equal(const spcc_type *a, const spcc_type *b);
/* "f32[1,784]" / "f32[?,3]" / "f32[]"; buf of size >= 160 is always enough. */
char *spcc_type_str(const spcc_type *t, char *buf, size_t n);

/* ---- values ------------------------------------------------------------ */

typedef enum {
  SPCC_VAL_TEMP = 0, /* produced by a node */
  SPCC_VAL_INPUT,    /* a runtime graph input (no initializer) */
  SPCC_VAL_CONST,    /* a constant: initializer, Constant node, folded result */
} spcc_value_kind;

typedef struct {
  const char *name;  /* ONNX name; unique within the graph, never empty */
  spcc_type type;
  spcc_value_kind kind;
  int const_id;      /* CONST: its data; INPUT: bound value (--bind), else -1 */
  int64_t offset;    /* TEMP: arena offset in bytes after plan-memory, else -1 */
} spcc_value;

/* Constant payloads, outside the IR arena. */
typedef struct {
  spcc_dtype dtype;
  int64_t numel;
  void *data;        /* numel * dtype size bytes, malloc'd, owned by the graph */
} spcc_const;

/* ---- attributes -------------------------------------------------------- */

typedef enum {
  SPCC_ATTR_INT = 0,
  SPCC_ATTR_FLOAT,
  SPCC_ATTR_STRING,
  SPCC_ATTR_INTS,
  SPCC_ATTR_FLOATS,
  SPCC_ATTR_TENSOR,   /* a constant payload (ConstantOfShape's value) */
} spcc_attr_kind;

typedef struct {
  const char *name;
  spcc_attr_kind kind;
  int64_t i;          /* INT */
  float f;            /* FLOAT (ONNX floats are 32-bit) */
  const char *s;      /* STRING (NUL-terminated; ONNX strings with NULs are rejected) */
  int n;              /* INTS / FLOATS: element count */
  int64_t *ints;      /* INTS */
  float *floats;      /* FLOATS */
  int const_id;       /* TENSOR: index in graph->consts (a 1-D payload) */
} spcc_attr;

/* ---- nodes ------------------------------------------------------------- */

typedef enum {
#define SPCC_OP(E, onnx, ir, fn) SPCC_OP_##E,
#include "ops.def"
#undef SPCC_OP
  SPCC_OP_COUNT
} spcc_op;

const char *spcc_op_onnx_name(spcc_op op); /* "Conv" */
const char *spcc_op_ir_name(spcc_op op);   /* "conv" */
bool spcc_op_from_onnx(const char *op_type, spcc_op *out);
bool spcc_op_from_ir(const char *ir_name, spcc_op *out);

typedef struct {
  spcc_op op;
  bool dead;         /* marked for removal by spcc_graph_compact */
  int n_in;
  int *in;           /* value ids; -1 for an omitted optional input */
  int n_out;
  int *out;          /* value ids */
  int n_attr;
  spcc_attr *attr;
  /* origin, used by every diagnostic */
  int onnx_index;    /* index in the ONNX graph's node list, -1 if synthesized */
  const char *name;  /* ONNX node name, "" if none */
  int opset;         /* opset version of the node's domain */
} spcc_node;

/* ---- graph ------------------------------------------------------------- */

typedef struct spcc_graph {
  spcc_arena *arena;
  const char *name;     /* graph name (a C identifier is not required) */
  const char *source;   /* file name used in diagnostics */

  spcc_value *values;
  int n_values, cap_values;
  spcc_node *nodes;     /* topological order */
  int n_nodes, cap_nodes;
  spcc_const *consts;
  int n_consts, cap_consts;

  int *inputs;          /* runtime inputs, graph order */
  int n_inputs;
  int *outputs;         /* graph outputs, graph order (a value may repeat) */
  int n_outputs;

  int64_t arena_size;   /* bytes, set by plan-memory; -1 before */
  int64_t arena_lower_bound; /* liveness lower bound, bytes; -1 before */
} spcc_graph;

spcc_graph *spcc_graph_new(const char *name, const char *source);
void spcc_graph_free(spcc_graph *g);

/* Adds a value; name NULL or "" gets a fresh unique name. Returns its id.
 * Names must be unique; spcc_graph_find_value looks them up. */
int spcc_graph_add_value(spcc_graph *g, const char *name, const spcc_type *t,
                         spcc_value_kind kind);
int spcc_graph_find_value(const spcc_graph *g, const char *name); /* -1 if absent */
/* Adds a constant payload (takes ownership of data, malloc'd) and returns its id. */
int spcc_graph_add_const_data(spcc_graph *g, spcc_dtype dt, int64_t numel, void *data);
/* Adds a CONST value holding data (ownership taken). Returns the value id. */
int spcc_graph_add_const(spcc_graph *g, const char *name, const spcc_type *t, void *data);
/* Makes an existing value constant with data (ownership taken). */
void spcc_graph_set_const(spcc_graph *g, int vid, void *data);
/* Constant data of a value (CONST, or an INPUT bound with --bind), else NULL. */
const void *spcc_value_data(const spcc_graph *g, int vid);

/* Appends a node; copies the id arrays into the arena. Returns its index. */
int spcc_graph_add_node(spcc_graph *g, spcc_op op, int n_in, const int *in,
                        int n_out, const int *out);
/* Attribute setters copy their arguments into the arena. */
void spcc_node_set_int(spcc_graph *g, int node, const char *name, int64_t v);
void spcc_node_set_float(spcc_graph *g, int node, const char *name, float v);
void spcc_node_set_string(spcc_graph *g, int node, const char *name, const char *s);
void spcc_node_set_ints(spcc_graph *g, int node, const char *name, int n, const int64_t *v);
void spcc_node_set_floats(spcc_graph *g, int node, const char *name, int n, const float *v);
/* A TENSOR attribute referring to constant payload const_id (not copied). */
void spcc_node_set_tensor(spcc_graph *g, int node, const char *name, int const_id);

const spcc_attr *spcc_node_attr(const spcc_node *n, const char *name); /* NULL if absent */
int64_t spcc_attr_int(const spcc_node *n, const char *name, int64_t def);
float spcc_attr_float(const spcc_node *n, const char *name, float def);
const char *spcc_attr_string(const spcc_node *n, const char *name, const char *def);
/* Returns the INTS array and its length in *count, or NULL (and *count = 0). */
const int64_t *spcc_attr_ints(const spcc_node *n, const char *name, int *count);
const float *spcc_attr_floats(const spcc_node *n, const char *name, int *count);

/* Input k of a node, or -1 when absent/omitted. */
static inline int spcc_node_in(const spcc_node *n, int k) {
  return k < n->n_in ? n->in[k] : -1;
}
/* Type of input k of a node; NULL when the input is absent. */
static inline const spcc_type *spcc_in_type(const spcc_graph *g, const spcc_node *n, int k) {
  int vid = spcc_node_in(n, k);
  return vid < 0 ? NULL : &g->values[vid].type;
}

/* Drops dead nodes and values no longer referenced by any node, input or
 * output, renumbering ids; constants no value refers to are released. */
void spcc_graph_compact(spcc_graph *g);
/* For each value, the index of the node that produces it, or -1. The caller
 * owns the returned array (free). */
int *spcc_graph_producers(const spcc_graph *g);
/* Index of the last node reading each value, or -1. Caller frees. */
int *spcc_graph_last_uses(const spcc_graph *g);

/* ---- shape-deciding inputs (ir/shape_inputs.c) ------------------------- */

/* True when input k of op decides the shape of an output by its value. */
bool spcc_op_input_decides_shape(spcc_op op, int k);
/* True when op reads only the static shapes of its inputs, never their
 * data (Shape, Size): it folds even when its input is not constant. */
bool spcc_op_reads_only_shapes(spcc_op op);
/* Per value: true when its value decides some shape (directly or through
 * the nodes it feeds). Caller frees. */
bool *spcc_graph_shape_deciding_values(const spcc_graph *g);

/* ---- diagnostics (ir/diag.c) ------------------------------------------- */

typedef struct spcc_diag {
  FILE *stream;       /* where messages go; NULL = only record them */
  int n_errors;
  int n_warnings;
  char first_error[1024]; /* the first error message, for tests */
} spcc_diag;

void spcc_diag_init(spcc_diag *d, FILE *stream);
/* "model.onnx: node 17 'conv1' (Conv): error: ..."; n may be NULL for
 * graph-level messages ("model.onnx: error: ..."). file may be NULL. */
void spcc_error(spcc_diag *d, const char *file, const spcc_node *n, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
void spcc_warning(spcc_diag *d, const char *file, const spcc_node *n, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* Information the user asked for indirectly (e.g. a --format that a weight
 * cannot take); not counted as a warning. */
void spcc_note(spcc_diag *d, const char *file, const spcc_node *n, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* Shorthand: error at a node of graph g (uses g->source). */
#define spcc_node_error(d, g, n, ...) spcc_error((d), (g)->source, (n), __VA_ARGS__)

/* Internal invariant: prints file:line and aborts. */
void spcc_assert_fail(const char *expr, const char *file, int line);
#define SPCC_ASSERT(e) ((e) ? (void)0 : spcc_assert_fail(#e, __FILE__, __LINE__))

/* ---- text form (ir/print.c, ir/parse.c) and verifier (ir/verify.c) ----- */

typedef struct {
  /* Constants with more elements than this go to side_file (if set) instead
   * of being printed inline. */
  int64_t inline_limit;
  FILE *side_file;           /* raw little-endian payloads; NULL = all inline */
  const char *side_name;     /* the name printed in the text for side_file */
  bool summarize_large;      /* debugging dumps: print large constants as a
                                summary (not parseable) instead of the data */
} spcc_print_options;

void spcc_print_graph(FILE *out, const spcc_graph *g, const spcc_print_options *o);
/* Parses the text form. text_name is used in diagnostics; side files named
 * in the text are resolved relative to the directory of text_name. Returns
 * NULL and reports through d on error. */
spcc_graph *spcc_parse_graph(const char *text, const char *text_name, spcc_diag *d);
/* Structural checks: ids in range, topological order, single producer,
 * inputs/outputs defined, consts present, types consistent with const data.
 * Reports the first problem through d and returns false. */
bool spcc_verify_graph(const spcc_graph *g, spcc_diag *d);

#endif
