/* cli.h - shared pieces of the spcc command-line tool. */
#ifndef SPCC_TOOLS_CLI_H
#define SPCC_TOOLS_CLI_H

#include "spcc/spcc.h"

typedef enum { CLI_EMIT_C, CLI_EMIT_IR, CLI_EMIT_ONNX } cli_emit;

typedef struct {
  spcc_options opts;
  const char *model;     /* MODEL.onnx */
  const char *out;       /* -o */
  cli_emit emit;
  bool sparse_initializers; /* --emit onnx: pruned weights as sparse_initializer */
  /* spcc run */
  const char **run_inputs; /* -i, in order */
  int n_run_inputs;
  const char *out_dir;   /* --out-dir */
  bool npy;              /* --npy */
  bool keep_temp;        /* --keep-temp: leave spcc run's build directory */
} cli_args;

/* Parses argv[1..] into a (options in any order). run selects the `spcc run`
 * options. Reports a one-line error and returns false on a bad command line. */
bool cli_parse(int argc, char **argv, bool run, cli_args *a, spcc_diag *d);
void cli_args_free(cli_args *a);

/* The prefix for generated names: --name, or the stem of path as a C
 * identifier. Returns a malloc'd string. */
char *cli_prefix_for(const char *name_opt, const char *path);
bool cli_valid_identifier(const char *s);

/* Import + pipeline. Returns NULL after reporting an error. */
spcc_graph *cli_compile_graph(const cli_args *a, spcc_diag *d);
/* Writes OUT.c and OUT.h for g atomically (both or neither). */
bool cli_write_c(const spcc_graph *g, const char *prefix, const char *c_path, spcc_diag *d);

/* Atomic output: a temporary file next to path, renamed on commit. */
typedef struct {
  char *path, *tmp;
  FILE *f;
} cli_outfile;
bool cli_outfile_open(cli_outfile *o, const char *path, spcc_diag *d);
bool cli_outfile_commit(cli_outfile *o, spcc_diag *d); /* closes and renames */
void cli_outfile_abort(cli_outfile *o);                /* closes and removes */

/* Runtime location: include dir and archive, from the build tree or the
 * installation (tools/cli_runtime.c). */
const char *cli_runtime_include_dir(void);
const char *cli_runtime_library(void);

int cli_run(int argc, char **argv);     /* `spcc run` (tools/cli_run.c) */
int cli_inspect(int argc, char **argv); /* `spcc inspect` (tools/cli_inspect.c) */

#endif
