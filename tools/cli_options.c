/* cli_options.c - the command line of `spcc` and `spcc run`.
 * Options may come in any order; every malformed value is a one-line error
 * (exit 1), never a guess. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../passes/passes.h"
#include "cli.h"

static const char *const c_keywords[] = {
    "auto",   "break",    "case",     "char",   "const",  "continue", "default",
    "do",     "double",   "else",     "enum",   "extern", "float",    "for",
    "goto",   "if",       "inline",   "int",    "long",   "register", "restrict",
    "return", "short",    "signed",   "sizeof", "static", "struct",   "switch",
    "typedef", "union",   "unsigned", "void",   "volatile", "while",  "_Bool",
    "_Complex", "_Imaginary"};

static bool is_keyword(const char *s) {
  for (size_t i = 0; i < sizeof c_keywords / sizeof c_keywords[0]; i++)
    if (strcmp(s, c_keywords[i]) == 0) return true;
  return false;
}

bool cli_valid_identifier(const char *s) {
  if (!s[0] || isdigit((unsigned char)s[0])) return false;
  for (const char *p = s; *p; p++)
    if (!isalnum((unsigned char)*p) && *p != '_') return false;
  return !is_keyword(s) && strlen(s) < 200;
}

char *cli_prefix_for(const char *name_opt, const char *path) {
  if (name_opt) return strdup(name_opt);
  const char *base = path ? strrchr(path, '/') : NULL;
  base = base ? base + 1 : (path ? path : "model");
  size_t n = strlen(base);
  if (n > 2 && strcmp(base + n - 2, ".c") == 0) n -= 2;
  char *p = malloc(n + 8);
  if (!p) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  size_t k = 0;
  if (n == 0 || isdigit((unsigned char)base[0])) p[k++] = 'm', p[k++] = '_';
  for (size_t i = 0; i < n && k < 190; i++)
    p[k++] = isalnum((unsigned char)base[i]) ? base[i] : '_';
  p[k] = 0;
  if (is_keyword(p)) strcat(p, "_");
  return p;
}

/* NAME=d0,d1,... (empty list = scalar). */
static bool parse_shape(const char *arg, spcc_shape_opt *s, spcc_diag *d) {
  const char *eq = strrchr(arg, '=');
  if (!eq || eq == arg) {
    spcc_error(d, "spcc", NULL, "--shape expects NAME=d0,d1,... (got '%s')", arg);
    return false;
  }
  s->name = strndup(arg, (size_t)(eq - arg));
  s->rank = 0;
  const char *p = eq + 1;
  while (*p) {
    if (s->rank == SPCC_MAX_RANK) {
      spcc_error(d, "spcc", NULL, "--shape %s: more than %d dimensions", arg, SPCC_MAX_RANK);
      return false;
    }
    char *end;
    errno = 0;
    long long v = strtoll(p, &end, 10);
    if (end == p || v < 0 || errno || (*end && *end != ',')) {
      spcc_error(d, "spcc", NULL, "--shape %s: dimensions must be non-negative integers", arg);
      return false;
    }
    s->dims[s->rank++] = v;
    p = *end ? end + 1 : end;
    if (*end == ',' && !*p) {
      spcc_error(d, "spcc", NULL, "--shape %s: trailing ','", arg);
      return false;
    }
  }
  return true;
}

static bool parse_bind(const char *arg, spcc_bind_opt *b, spcc_diag *d) {
  const char *eq = strchr(arg, '=');
  if (!eq || eq == arg || !eq[1]) {
    spcc_error(d, "spcc", NULL, "--bind expects NAME=FILE (got '%s')", arg);
    return false;
  }
  b->name = strndup(arg, (size_t)(eq - arg));
  b->path = strdup(eq + 1);
  return true;
}

/* ---- sparsity options ---------------------------------------------------- */

static bool is_sparse_option(const char *opt) {
  static const char *const names[] = {"--prune", "--prune-global", "--prune-recipe", "--nm",
                                      "--block", "--prune-min-elems", "--prune-skip", "--format"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(opt, names[i]) == 0) return true;
  return false;
}

/* A fraction in [0, 1). */
static bool parse_fraction(const char *opt, const char *val, double *out, spcc_diag *d) {
  char *end;
  errno = 0;
  double f = strtod(val, &end);
  if (end == val || *end || errno || !(f >= 0.0 && f < 1.0)) {
    spcc_error(d, "spcc", NULL, "%s: '%s' is not a fraction in [0, 1)", opt, val);
    return false;
  }
  *out = f;
  return true;
}

/* "AsepB" with two positive integers, e.g. 2:4 or 4x1. */
static bool parse_pair(const char *val, char sep, int *a, int *b) {
  char *end;
  errno = 0;
  long x = strtol(val, &end, 10);
  if (end == val || *end != sep || errno || x <= 0 || x > 1 << 20) return false;
  const char *p = end + 1;
  long y = strtol(p, &end, 10);
  if (end == p || *end || errno || y <= 0 || y > 1 << 20) return false;
  *a = (int)x;
  *b = (int)y;
  return true;
}

static bool parse_sparse_option(const char *opt, const char *val, spcc_sparse_options *s,
                                spcc_diag *d) {
  if (strcmp(opt, "--prune") == 0) return parse_fraction(opt, val, &s->prune, d);
  if (strcmp(opt, "--prune-global") == 0) return parse_fraction(opt, val, &s->prune_global, d);
  if (strcmp(opt, "--prune-recipe") == 0) {
    s->prune_recipe = val;
    return true;
  }
  if (strcmp(opt, "--nm") == 0) {
    if (!parse_pair(val, ':', &s->nm_n, &s->nm_m) || s->nm_n >= s->nm_m || s->nm_m > 16) {
      spcc_error(d, "spcc", NULL, "--nm: '%s' is not N:M with 0 < N < M <= 16 (e.g. 2:4)", val);
      return false;
    }
    return true;
  }
  if (strcmp(opt, "--block") == 0) {
    if (!parse_pair(val, 'x', &s->block_r, &s->block_c) || s->block_r > 256 || s->block_c > 256) {
      spcc_error(d, "spcc", NULL,
                 "--block: '%s' is not RxC with 1 <= R, C <= 256 (e.g. 4x1: 4 output rows "
                 "by 1 reduction element)", val);
      return false;
    }
    return true;
  }
  if (strcmp(opt, "--prune-min-elems") == 0) {
    char *end;
    errno = 0;
    long long n = strtoll(val, &end, 10);
    if (end == val || *end || errno || n < 0) {
      spcc_error(d, "spcc", NULL, "--prune-min-elems: '%s' is not a non-negative integer", val);
      return false;
    }
    s->prune_min_elems = n;
    return true;
  }
  if (strcmp(opt, "--prune-skip") == 0) {
    /* NAME,NAME,...; may be given several times. */
    const char *p = val;
    while (*p) {
      const char *comma = strchr(p, ',');
      size_t n = comma ? (size_t)(comma - p) : strlen(p);
      if (n) {
        s->prune_skip = realloc(s->prune_skip, sizeof *s->prune_skip * (size_t)(s->n_prune_skip + 1));
        s->prune_skip[s->n_prune_skip++] = strndup(p, n);
      }
      p += n + (comma ? 1 : 0);
    }
    return true;
  }
  /* --format */
  static const struct {
    const char *name;
    spcc_format_choice f;
  } formats[] = {{"auto", SPCC_FORMAT_AUTO}, {"dense", SPCC_FORMAT_DENSE},
                 {"csr", SPCC_FORMAT_CSR},   {"bsr", SPCC_FORMAT_BSR},
                 {"nm", SPCC_FORMAT_NM}};
  for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
    if (strcmp(val, formats[i].name) == 0) {
      s->format = formats[i].f;
      return true;
    }
  spcc_error(d, "spcc", NULL, "--format: unknown format '%s' (dense, csr, bsr, nm or auto)", val);
  return false;
}

/* Combinations that make no sense are errors, not guesses. */
static bool check_sparse_options(const spcc_sparse_options *s, spcc_diag *d) {
  bool fraction = s->prune > 0 || s->prune_global > 0 || s->prune_recipe;
  int modes = (s->prune > 0) + (s->prune_global > 0) + (s->prune_recipe != NULL);
  if (s->nm_n && (fraction || s->block_r)) {
    spcc_error(d, "spcc", NULL,
               "--nm cannot be combined with --prune, --prune-global, --prune-recipe or --block");
    return false;
  }
  if (modes > 1) {
    spcc_error(d, "spcc", NULL, "use one of --prune, --prune-global and --prune-recipe");
    return false;
  }
  if (s->block_r && !fraction) {
    spcc_error(d, "spcc", NULL,
               "--block needs a pruning fraction (--prune, --prune-global or --prune-recipe)");
    return false;
  }
  return true;
}

#define GROW(arr, n) (arr = realloc(arr, sizeof *(arr) * (size_t)((n) + 1)))

bool cli_parse(int argc, char **argv, bool run, cli_args *a, spcc_diag *d) {
  memset(a, 0, sizeof *a);
  spcc_options_init(&a->opts);
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    /* Options that take a value accept both "--opt V" and "--opt=V". */
    const char *val = NULL;
    char opt[64] = "";
    if (arg[0] == '-' && arg[1] == '-' && strchr(arg, '=')) {
      size_t n = (size_t)(strchr(arg, '=') - arg);
      if (n < sizeof opt) {
        memcpy(opt, arg, n);
        opt[n] = 0;
        val = arg + n + 1;
      }
    } else {
      snprintf(opt, sizeof opt, "%s", arg);
    }
    static const char *const with_value[] = {
        "-o",          "--emit",          "--name",          "--shape",
        "--bind",      "--print-after",   "-i",              "--out-dir",
        "--prune",     "--prune-global",  "--prune-recipe",  "--nm",
        "--block",     "--prune-min-elems", "--prune-skip",  "--format"};
    bool takes = false;
    for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++)
      if (strcmp(opt, with_value[k]) == 0) takes = true;
    if (takes && !val) {
      if (i + 1 >= argc) {
        spcc_error(d, "spcc", NULL, "option %s needs a value", opt);
        return false;
      }
      val = argv[++i];
    } else if (!takes && val) {
      spcc_error(d, "spcc", NULL, "option %s takes no value", opt);
      return false;
    }

    if (strcmp(opt, "-o") == 0) {
      a->out = val;
    } else if (strcmp(opt, "--emit") == 0) {
      if (strcmp(val, "c") == 0) a->emit = CLI_EMIT_C;
      else if (strcmp(val, "ir") == 0) a->emit = CLI_EMIT_IR;
      else if (!run && strcmp(val, "onnx") == 0) a->emit = CLI_EMIT_ONNX;
      else {
        spcc_error(d, "spcc", NULL, "--emit: unknown kind '%s' (expected c, ir or onnx)", val);
        return false;
      }
    } else if (strcmp(opt, "--name") == 0) {
      if (!cli_valid_identifier(val)) {
        spcc_error(d, "spcc", NULL, "--name: '%s' is not a valid C identifier", val);
        return false;
      }
      a->opts.prefix = val;
    } else if (strcmp(opt, "--shape") == 0) {
      GROW(a->opts.shapes, a->opts.n_shapes);
      memset(&a->opts.shapes[a->opts.n_shapes], 0, sizeof a->opts.shapes[0]);
      if (!parse_shape(val, &a->opts.shapes[a->opts.n_shapes++], d)) return false;
    } else if (strcmp(opt, "--bind") == 0) {
      GROW(a->opts.binds, a->opts.n_binds);
      memset(&a->opts.binds[a->opts.n_binds], 0, sizeof a->opts.binds[0]);
      if (!parse_bind(val, &a->opts.binds[a->opts.n_binds++], d)) return false;
    } else if (strcmp(opt, "--print-after") == 0) {
      if (strcmp(val, "all") != 0 && !spcc_pass_exists(val)) {
        spcc_error(d, "spcc", NULL, "--print-after: unknown pass '%s' (see --help)", val);
        return false;
      }
      a->opts.print_after = val;
    } else if (is_sparse_option(opt)) {
      if (!parse_sparse_option(opt, val, &a->opts.sparse, d)) return false;
    } else if (!run && strcmp(opt, "--sparse-initializers") == 0) {
      a->sparse_initializers = true;
    } else if (strcmp(opt, "--verify") == 0) {
      a->opts.verify = true;
    } else if (strcmp(opt, "--no-fuse") == 0) {
      a->opts.no_fuse = true;
    } else if (run && strcmp(opt, "-i") == 0) {
      GROW(a->run_inputs, a->n_run_inputs);
      a->run_inputs[a->n_run_inputs++] = val;
    } else if (run && strcmp(opt, "--out-dir") == 0) {
      a->out_dir = val;
    } else if (run && strcmp(opt, "--npy") == 0) {
      a->npy = true;
    } else if (run && strcmp(opt, "--keep-temp") == 0) {
      a->keep_temp = true;
    } else if (arg[0] == '-' && arg[1] != 0) {
      spcc_error(d, "spcc", NULL, "unknown option '%s' (see spcc --help)", arg);
      return false;
    } else if (!a->model) {
      a->model = arg;
    } else {
      spcc_error(d, "spcc", NULL, "unexpected argument '%s' (one model at a time)", arg);
      return false;
    }
  }
  if (!a->model) {
    spcc_error(d, "spcc", NULL, "no input model (see spcc --help)");
    return false;
  }
  return check_sparse_options(&a->opts.sparse, d);
}

void cli_args_free(cli_args *a) {
  for (int i = 0; i < a->opts.n_shapes; i++) free((char *)a->opts.shapes[i].name);
  for (int i = 0; i < a->opts.n_binds; i++) {
    free((char *)a->opts.binds[i].name);
    free((char *)a->opts.binds[i].path);
  }
  for (int i = 0; i < a->opts.sparse.n_prune_skip; i++) free((char *)a->opts.sparse.prune_skip[i]);
  free(a->opts.sparse.prune_skip);
  free(a->opts.shapes);
  free(a->opts.binds);
  free(a->run_inputs);
}
