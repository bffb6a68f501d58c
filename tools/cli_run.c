/* cli_run.c - `spcc run`: compile a model, load it and call it once.
 *
 * The -i files are bound to the runtime inputs in order. Their shapes fix
 * the input shapes (as --shape would); inputs whose values decide shapes
 * (Reshape targets and whatever feeds them) are also bound (as --bind
 * would), and so are those an If condition, a Loop trip count or a
 * sequence position depends on (the importer binds them when it needs
 * them, from spcc_options.input_files). The model is emitted as C into a private temporary directory,
 * built into a shared object with the system C compiler ($CC, default cc)
 * against the runtime, loaded with dlopen and called through PREFIX_infer
 * with libffi, so the exact entry point users call is what runs. Outputs
 * are written as DIR/output_K.pb (or .npy).
 */
#include <dlfcn.h>
#include <errno.h>
#include <ffi.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

#define RUN_PREFIX "spcc_model"

/* mkdir -p */
static bool make_dirs(const char *path, spcc_diag *d) {
  char *p = strdup(path);
  if (!p) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  bool ok = true;
  for (char *s = p + 1;; s++) {
    if (*s == '/' || *s == 0) {
      char c = *s;
      *s = 0;
      if (mkdir(p, 0777) != 0 && errno != EEXIST) {
        spcc_error(d, path, NULL, "cannot create directory: %s", strerror(errno));
        ok = false;
        break;
      }
      *s = c;
      if (!c) break;
    }
  }
  free(p);
  return ok;
}

static void remove_tree(const char *dir, const char *const *files, int n) {
  char path[8192];
  for (int i = 0; i < n; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    unlink(path);
  }
  rmdir(dir);
}

/* Runs argv, waits; stderr of the child goes to ours. */
static bool run_command(char *const argv[], spcc_diag *d, const char *what) {
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    spcc_error(d, "spcc run", NULL, "cannot start %s: %s", what, strerror(errno));
    return false;
  }
  if (pid == 0) {
    execvp(argv[0], argv);
    fprintf(stderr, "spcc run: cannot execute %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return false;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    spcc_error(d, "spcc run", NULL, "%s failed (%s %d)", what,
               WIFEXITED(status) ? "exit status" : "signal",
               WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    return false;
  }
  return true;
}

/* Learns the runtime inputs, then adds --shape for every -i file and --bind
 * for the shape-deciding ones. Returns false after reporting. */
static bool bind_inputs(cli_args *a, spcc_tensor *t, spcc_diag *d) {
  /* The importer takes shapes from the files and binds the inputs an If,
   * a Loop or a sequence op needs to know. */
  a->opts.input_files = a->run_inputs;
  a->opts.n_input_files = a->n_run_inputs;
  spcc_diag quiet;
  spcc_diag_init(&quiet, NULL);
  spcc_graph *g = spcc_import_onnx(a->model, &a->opts, &quiet);
  if (!g) {
    /* Report the real error (the same import, this time aloud). */
    spcc_import_onnx(a->model, &a->opts, d);
    return false;
  }
  bool ok = true;
  if (g->n_inputs != a->n_run_inputs) {
    spcc_error(d, a->model, NULL, "the model has %d runtime input%s but %d -i file%s given",
               g->n_inputs, g->n_inputs == 1 ? "" : "s", a->n_run_inputs,
               a->n_run_inputs == 1 ? " was" : "s were");
    ok = false;
  }
  bool *decides = ok ? spcc_graph_shape_deciding_values(g) : NULL;
  for (int k = 0; ok && k < g->n_inputs; k++) {
    const spcc_value *v = &g->values[g->inputs[k]];
    if (t[k].dtype != v->type.dtype) {
      spcc_error(d, a->run_inputs[k], NULL, "input %d '%s' expects %s, the file holds %s", k,
                 v->name, spcc_dtype_name(v->type.dtype), spcc_dtype_name(t[k].dtype));
      ok = false;
      break;
    }
    bool user_shaped = false, user_bound = false;
    for (int s = 0; s < a->opts.n_shapes; s++)
      if (strcmp(a->opts.shapes[s].name, v->name) == 0) user_shaped = true;
    for (int s = 0; s < a->opts.n_binds; s++)
      if (strcmp(a->opts.binds[s].name, v->name) == 0) user_bound = true;
    if (!user_shaped) {
      a->opts.shapes = realloc(a->opts.shapes, sizeof *a->opts.shapes * (size_t)(a->opts.n_shapes + 1));
      spcc_shape_opt *s = &a->opts.shapes[a->opts.n_shapes++];
      s->name = strdup(v->name);
      s->rank = t[k].rank;
      memcpy(s->dims, t[k].dims, sizeof s->dims);
    }
    if (decides[g->inputs[k]] && !user_bound) {
      a->opts.binds = realloc(a->opts.binds, sizeof *a->opts.binds * (size_t)(a->opts.n_binds + 1));
      spcc_bind_opt *b = &a->opts.binds[a->opts.n_binds++];
      b->name = strdup(v->name);
      b->path = strdup(a->run_inputs[k]);
    }
  }
  free(decides);
  spcc_graph_free(g);
  return ok;
}

/* Loads the shared object and calls PREFIX_infer(arena, inputs..., outputs...). */
static bool call_model(const char *so_path, const spcc_graph *g, spcc_tensor *in,
                       void **out, spcc_diag *d) {
  void *h = dlopen(so_path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    spcc_error(d, "spcc run", NULL, "cannot load the compiled model: %s", dlerror());
    return false;
  }
  void *sym = dlsym(h, RUN_PREFIX "_infer");
  if (!sym) {
    spcc_error(d, "spcc run", NULL, "compiled model lacks " RUN_PREFIX "_infer");
    dlclose(h);
    return false;
  }
  int nargs = 1 + g->n_inputs + g->n_outputs;
  ffi_type **types = calloc((size_t)nargs, sizeof *types);
  void **slots = calloc((size_t)nargs, sizeof *slots);   /* the pointer values */
  void **args = calloc((size_t)nargs, sizeof *args);     /* addresses of those */
  size_t arena_bytes = (size_t)(g->arena_size > 0 ? g->arena_size : 1);
  void *arena = aligned_alloc(64, (arena_bytes + 63) / 64 * 64);
  if (!types || !slots || !args || !arena) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  slots[0] = arena;
  for (int k = 0; k < g->n_inputs; k++) slots[1 + k] = in[k].data;
  for (int k = 0; k < g->n_outputs; k++) slots[1 + g->n_inputs + k] = out[k];
  for (int k = 0; k < nargs; k++) {
    types[k] = &ffi_type_pointer;
    args[k] = &slots[k];
  }
  ffi_cif cif;
  bool ok = ffi_prep_cif(&cif, FFI_DEFAULT_ABI, (unsigned)nargs, &ffi_type_sint, types) == FFI_OK;
  ffi_sarg rc = -1;
  if (ok) {
    void (*fn)(void);
    memcpy(&fn, &sym, sizeof fn); /* object to function pointer, as dlsym requires */
    ffi_call(&cif, fn, &rc, args);
    if (rc != 0) {
      spcc_error(d, "spcc run", NULL,
                 "the model returned %d (an input differs from its --bind value?)", (int)rc);
      ok = false;
    }
  } else {
    spcc_error(d, "spcc run", NULL, "internal: libffi could not prepare the call");
  }
  free(arena);
  free(types);
  free(slots);
  free(args);
  dlclose(h);
  return ok;
}

static bool write_outputs(const cli_args *a, const spcc_graph *g, void **out, spcc_diag *d) {
  if (!make_dirs(a->out_dir, d)) return false;
  for (int k = 0; k < g->n_outputs; k++) {
    const spcc_value *v = &g->values[g->outputs[k]];
    spcc_tensor t;
    memset(&t, 0, sizeof t);
    t.dtype = v->type.dtype;
    t.rank = v->type.rank;
    memcpy(t.dims, v->type.dims, sizeof t.dims);
    t.numel = spcc_type_numel(&v->type);
    t.data = out[k];
    t.name = (char *)v->name;
    char path[4096];
    snprintf(path, sizeof path, "%s/output_%d.%s", a->out_dir, k, a->npy ? "npy" : "pb");
    if (!spcc_tensor_write(path, &t, a->npy, d)) return false;
  }
  return true;
}

static bool build_and_call(cli_args *a, spcc_tensor *in, spcc_diag *d) {
  spcc_graph *g = cli_compile_graph(a, d);
  if (!g) return false;
  const char *tmpdir_env = getenv("TMPDIR");
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/spcc-run-XXXXXX", tmpdir_env && *tmpdir_env ? tmpdir_env : "/tmp");
  if (!mkdtemp(dir)) {
    spcc_error(d, "spcc run", NULL, "cannot create a temporary directory: %s", strerror(errno));
    spcc_graph_free(g);
    return false;
  }
  char c_path[4200], so_path[4200], inc[4200];
  snprintf(c_path, sizeof c_path, "%s/%s.c", dir, RUN_PREFIX);
  snprintf(so_path, sizeof so_path, "%s/%s.so", dir, RUN_PREFIX);
  snprintf(inc, sizeof inc, "-I%s", cli_runtime_include_dir());
  const char *cc = getenv("CC");
  char *argv[] = {(char *)(cc && *cc ? cc : "cc"), "-std=c99", "-O2", "-fPIC", "-shared",
                  inc, "-o", so_path, c_path, (char *)cli_runtime_library(), "-lm", NULL};
  void **out = calloc((size_t)(g->n_outputs ? g->n_outputs : 1), sizeof *out);
  if (!out) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  bool ok = cli_write_c(g, RUN_PREFIX, c_path, d) && run_command(argv, d, "the C compiler");
  for (int k = 0; ok && k < g->n_outputs; k++) {
    int64_t bytes = spcc_type_bytes(&g->values[g->outputs[k]].type);
    out[k] = calloc(1, (size_t)(bytes > 0 ? bytes : 1));
    if (!out[k]) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  }
  ok = ok && call_model(so_path, g, in, out, d) && write_outputs(a, g, out, d);
  for (int k = 0; k < g->n_outputs; k++) free(out[k]);
  free(out);
  if (a->keep_temp) {
    fprintf(stderr, "spcc run: build directory kept: %s\n", dir);
  } else {
    const char *files[] = {RUN_PREFIX ".c", RUN_PREFIX ".h", RUN_PREFIX ".so"};
    remove_tree(dir, files, 3);
  }
  spcc_graph_free(g);
  return ok;
}

int cli_run(int argc, char **argv) {
  spcc_diag d;
  spcc_diag_init(&d, stderr);
  cli_args a;
  int status = 1;
  spcc_tensor *in = NULL;
  if (!cli_parse(argc, argv, true, &a, &d)) goto done;
  if (!a.out_dir) {
    spcc_error(&d, "spcc run", NULL, "--out-dir DIR is required");
    goto done;
  }
  if (a.out || a.emit != CLI_EMIT_C) {
    spcc_error(&d, "spcc run", NULL, "-o and --emit do not apply to spcc run");
    goto done;
  }
  in = calloc((size_t)(a.n_run_inputs ? a.n_run_inputs : 1), sizeof *in);
  if (!in) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  for (int k = 0; k < a.n_run_inputs; k++)
    if (!spcc_tensor_read(a.run_inputs[k], &in[k], &d)) goto done;
  if (!bind_inputs(&a, in, &d)) goto done;
  status = build_and_call(&a, in, &d) ? 0 : 1;
done:
  for (int k = 0; in && k < a.n_run_inputs; k++) spcc_tensor_free(&in[k]);
  free(in);
  cli_args_free(&a);
  return status;
}
