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

typedef struct {
  const char *prefix;        /* C prefix for generated names (--name) */
  spcc_shape_opt *shapes;
  int n_shapes;
  spcc_bind_opt *binds;
  int n_binds;
  const char *print_after;   /* pass cli-name or "all"; NULL = none */
  FILE *print_stream;        /* where --print-after dumps go (stderr) */
  bool verify;               /* run the verifier after every pass */
} spcc_options;

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

#endif
