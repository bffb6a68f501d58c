/* spcc.h - the compiler library API used by tools/ (and by tests).
 *
 * A compilation is: spcc_import_onnx (frontend) -> spcc_run_pipeline (passes)
 * -> spcc_emit_c (backend). Every stage reports through an spcc_diag and
 * returns false (or NULL) on error; nothing here calls exit().
 */
#ifndef SPCC_H
#define SPCC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../../ir/ir.h"

#define SPCC_VERSION "0.1.0"

/* --shape NAME=d0,d1,... */
typedef struct {
  const char *name;
  int rank;
  int64_t dims[SPCC_MAX_RANK];
} spcc_shape_opt;

/* --bind NAME=FILE, or a value bound by `spcc run` from its -i file. */
typedef struct {
  const char *name;
  const char *path;   /* .pb (TensorProto) or .npy */
} spcc_bind_opt;

/* --format: which storage every weight gets when it can hold it exactly. */
typedef enum {
  SPCC_FORMAT_AUTO = 0, /* the cost model decides per weight (default) */
  SPCC_FORMAT_DENSE,
  SPCC_FORMAT_CSR,
  SPCC_FORMAT_BSR,
  SPCC_FORMAT_NM,
} spcc_format_choice;

/* Sparsity options (passes/sparsify.c, passes/select_format.c). Pruning
 * applies to MatMul, Gemm and Conv weights with at least prune_min_elems
 * elements and not named in prune_skip; never to biases or norm parameters. */
typedef struct {
  double prune;              /* --prune F: fraction of zeros per weight; 0 = off */
  double prune_global;       /* --prune-global F: one threshold across weights; 0 = off */
  const char *prune_recipe;  /* --prune-recipe FILE: "NAME FRACTION" lines */
  int nm_n, nm_m;            /* --nm N:M; 0 = off */
  int block_r, block_c;      /* --block RxC (output rows x reduction); 0 = off */
  int64_t prune_min_elems;   /* --prune-min-elems N (default 4096) */
  const char **prune_skip;   /* --prune-skip NAME,... */
  int n_prune_skip;
  spcc_format_choice format; /* --format; BSR blocks are --block's, else the best-fill shape */
} spcc_sparse_options;

typedef struct {
  const char *prefix;        /* C prefix for generated names (--name) */
  spcc_shape_opt *shapes;
  int n_shapes;
  spcc_bind_opt *binds;
  int n_binds;
  /* Files holding the runtime inputs' values, in input order (`spcc run`'s
   * -i files). When a decision needs a value the model alone does not fix
   * (an If condition, a Loop trip count, a sequence position), the importer
   * binds the runtime inputs upstream of it from these, as --bind would. */
  const char *const *input_files;
  int n_input_files;
  const char *print_after;   /* pass cli-name or "all"; NULL = none */
  FILE *print_stream;        /* where --print-after dumps go (stderr) */
  bool verify;               /* run the verifier after every pass */
  bool no_fuse;              /* --no-fuse: keep elementwise nodes separate */
  spcc_sparse_options sparse;
} spcc_options;

/* Defaults for every option (no pruning, auto formats, 4096 min elements);
 * a zeroed spcc_options is the same but for prune_min_elems = 0. */
void spcc_options_init(spcc_options *o);

/* A tensor read from or written to a .pb / .npy file (frontend/tensor_io.c). */
typedef struct {
  spcc_dtype dtype;
  int rank;
  int64_t dims[SPCC_MAX_RANK];
  int64_t numel;
  void *data;        /* malloc'd, numel * elem size bytes, little-endian */
  char *name;        /* TensorProto name, malloc'd, may be NULL */
} spcc_tensor;

void spcc_tensor_free(spcc_tensor *t);
/* Reads a TensorProto (.pb) or NumPy (.npy, by extension or magic) file. */
bool spcc_tensor_read(const char *path, spcc_tensor *t, spcc_diag *d);
/* Writes a TensorProto .pb (npy=false) or a .npy file atomically
 * (temporary file + rename). */
bool spcc_tensor_write(const char *path, const spcc_tensor *t, bool npy, spcc_diag *d);

/* Frontend: reads an ONNX model into a new graph, applying --shape and
 * --bind from o. The graph's source is path. */
spcc_graph *spcc_import_onnx(const char *path, const spcc_options *o, spcc_diag *d);

/* Passes: runs the default pipeline (passes/pipeline.c). */
bool spcc_run_pipeline(spcc_graph *g, const spcc_options *o, spcc_diag *d);

/* C backend: writes OUT.c and OUT.h text to the two streams. header_name is
 * the file name OUT.c includes ("model.h"). */
bool spcc_emit_c(const spcc_graph *g, const char *prefix, const char *header_name,
                 FILE *c_out, FILE *h_out, spcc_diag *d);

/* --emit onnx: rewrites the model at model_path with the values g's
 * weights hold (pruned), everything else unchanged, to out_path atomically.
 * sparse_initializers stores pruned weights as sparse_initializer (COO). */
bool spcc_export_onnx(const char *model_path, const spcc_graph *g, bool sparse_initializers,
                      const char *out_path, spcc_diag *d);

#endif
