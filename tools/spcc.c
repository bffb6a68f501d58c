/* spcc.c - the spcc command: compile an ONNX model to C (or IR text), run a
 * model (`spcc run`, tools/cli_run.c), print the runtime's link flags.
 * Exit status: 0 success, 1 bad input or command line (one diagnostic line),
 * 2 internal error. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../passes/passes.h"
#include "cli.h"

static void usage(FILE *out) {
  fprintf(out,
          "usage: spcc MODEL.onnx [options] -o FILE [--emit c|ir|onnx]\n"
          "       spcc run MODEL.onnx [compile options] -i IN0 [-i IN1 ...] --out-dir DIR [--npy]\n"
          "       spcc inspect MODEL.onnx [compile options]\n"
          "       spcc --print-runtime | --help | --version\n"
          "\n"
          "Compiles an ONNX model into specialized C99 (FILE.c + FILE.h) that links\n"
          "against the spcc runtime: no malloc, one caller-supplied arena of\n"
          "PFX_ARENA_SIZE bytes.\n"
          "\n"
          "compile options:\n"
          "  -o FILE               output file (C source; the header is FILE with .h)\n"
          "  --emit c|ir|onnx      what to write (default c); ir without -o goes to stdout;\n"
          "                        onnx writes the model with its pruned weights\n"
          "  --name PREFIX         prefix of generated names (default: FILE's stem)\n"
          "  --shape NAME=d0,d1,.. fix the shape of input NAME (dynamic dims)\n"
          "  --bind NAME=FILE      fix the value of input NAME (.pb or .npy) at compile\n"
          "                        time; the generated code returns non-zero for any\n"
          "                        other value\n"
          "  --print-after PASS    dump the IR to stderr after PASS ('all' for every pass)\n"
          "  --verify              run the IR verifier after every pass\n"
          "  --no-fuse             keep elementwise nodes separate (no fused loops)\n"
          "\n"
          "sparsity options (MatMul, Gemm and Conv weights):\n"
          "  --prune F             magnitude-prune each weight to a fraction F of zeros\n"
          "  --prune-global F      one magnitude threshold across weights, F zeros overall\n"
          "  --prune-recipe FILE   a fraction per weight: lines 'NAME FRACTION' (# comments)\n"
          "  --nm N:M              keep the N largest of every M along the reduction axis\n"
          "  --block RxC           prune whole blocks of R output channels x C reduction\n"
          "                        elements (with --prune, --prune-global or a recipe)\n"
          "  --prune-min-elems N   only weights with at least N elements (default 4096)\n"
          "  --prune-skip NAME,..  never prune these weights\n"
          "  --format F            dense|csr|bsr|nm|auto (default auto: a cost model picks\n"
          "                        per weight); weights F cannot hold exactly keep auto's choice\n"
          "  --sparse-initializers with --emit onnx: pruned weights as sparse_initializer\n"
          "\n"
          "spcc run options:\n"
          "  -i FILE               an input tensor (.pb TensorProto or .npy), in graph order\n"
          "  --out-dir DIR         where output_K.pb (or .npy) files go; created if needed\n"
          "  --npy                 write outputs as .npy\n"
          "  --keep-temp           keep the temporary build directory (for debugging)\n"
          "  (spcc run builds the model with $CC, default cc, in a directory under $TMPDIR)\n"
          "\n"
          "passes (for --print-after): import");
#define SPCC_PASS(fn, cli, desc) fprintf(out, ", %s", cli);
#include "../passes/passes.def"
#undef SPCC_PASS
  fprintf(out, "\n\nSee README.md and docs/ for the IR text form and the generated API.\n");
}

spcc_graph *cli_compile_graph(const cli_args *a, spcc_diag *d) {
  spcc_graph *g = spcc_import_onnx(a->model, &a->opts, d);
  if (!g) return NULL;
  if (!spcc_run_pipeline(g, &a->opts, d)) {
    spcc_graph_free(g);
    return NULL;
  }
  return g;
}

bool cli_write_c(const spcc_graph *g, const char *prefix, const char *c_path, spcc_diag *d) {
  size_t n = strlen(c_path);
  char *h_path = malloc(n + 3);
  if (!h_path) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  if (n > 2 && strcmp(c_path + n - 2, ".c") == 0) {
    memcpy(h_path, c_path, n + 1);
    h_path[n - 1] = 'h';
  } else {
    snprintf(h_path, n + 3, "%s.h", c_path);
  }
  const char *h_base = strrchr(h_path, '/');
  h_base = h_base ? h_base + 1 : h_path;

  cli_outfile c, h;
  bool ok = false;
  if (cli_outfile_open(&c, c_path, d)) {
    if (cli_outfile_open(&h, h_path, d)) {
      if (spcc_emit_c(g, prefix, h_base, c.f, h.f, d)) {
        ok = cli_outfile_commit(&h, d);
        if (ok) ok = cli_outfile_commit(&c, d);
        else cli_outfile_abort(&c);
        if (!ok) unlink(h_path);
      } else {
        cli_outfile_abort(&h);
        cli_outfile_abort(&c);
      }
    } else {
      cli_outfile_abort(&c);
    }
  }
  free(h_path);
  return ok;
}

static bool write_ir(const spcc_graph *g, const char *out, spcc_diag *d) {
  if (!out) {
    spcc_print_options po = {.inline_limit = INT64_MAX};
    spcc_print_graph(stdout, g, &po);
    return fflush(stdout) == 0;
  }
  /* Large constants go to a side file named in the text: OUT.data. */
  size_t n = strlen(out);
  char *side = malloc(n + 6);
  if (!side) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  snprintf(side, n + 6, "%s.data", out);
  const char *side_base = strrchr(side, '/');
  side_base = side_base ? side_base + 1 : side;
  cli_outfile t, s;
  bool ok = false;
  if (cli_outfile_open(&t, out, d)) {
    if (cli_outfile_open(&s, side, d)) {
      spcc_print_options po = {.inline_limit = 64, .side_file = s.f, .side_name = side_base};
      spcc_print_graph(t.f, g, &po);
      ok = cli_outfile_commit(&s, d) && cli_outfile_commit(&t, d);
      if (!ok) unlink(side);
    } else {
      cli_outfile_abort(&t);
    }
  }
  free(side);
  return ok;
}

static int compile_main(int argc, char **argv) {
  spcc_diag d;
  spcc_diag_init(&d, stderr);
  cli_args a;
  if (!cli_parse(argc, argv, false, &a, &d)) {
    cli_args_free(&a);
    return 1;
  }
  if (a.emit != CLI_EMIT_IR && !a.out) {
    spcc_error(&d, "spcc", NULL, "-o FILE is required for --emit %s",
               a.emit == CLI_EMIT_C ? "c" : "onnx");
    cli_args_free(&a);
    return 1;
  }
  int status = 1;
  spcc_graph *g = cli_compile_graph(&a, &d);
  if (g) {
    bool ok;
    if (a.emit == CLI_EMIT_IR) {
      ok = write_ir(g, a.out, &d);
    } else if (a.emit == CLI_EMIT_ONNX) {
      ok = spcc_export_onnx(a.model, g, a.sparse_initializers, a.out, &d);
    } else {
      char *prefix = cli_prefix_for(a.opts.prefix, a.out);
      ok = cli_write_c(g, prefix, a.out, &d);
      free(prefix);
    }
    status = ok ? 0 : 1;
    spcc_graph_free(g);
  }
  cli_args_free(&a);
  return status;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "run") == 0) return cli_run(argc - 1, argv + 1);
  if (argc >= 2 && strcmp(argv[1], "inspect") == 0) return cli_inspect(argc - 1, argv + 1);
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      usage(stdout);
      return 0;
    }
    if (strcmp(argv[i], "--version") == 0) {
      printf("spcc %s\n", SPCC_VERSION);
      return 0;
    }
    if (strcmp(argv[i], "--print-runtime") == 0) {
      printf("-I%s %s -lm\n", cli_runtime_include_dir(), cli_runtime_library());
      return 0;
    }
  }
  if (argc < 2) {
    usage(stderr);
    return 1;
  }
  return compile_main(argc, argv);
}
