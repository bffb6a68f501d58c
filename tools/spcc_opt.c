/* spcc_opt.c - the spcc-opt tool: IR text in, passes, IR text out.
 *
 * Pass tests are IR files: spcc-opt reads one, runs the passes named on the
 * command line and prints the result, which the golden harness diffs with
 * the expected text (tests/golden/). The pass table comes from passes.def,
 * so every pass is reachable here by its cli name the moment it is listed.
 * The verifier runs after parsing and after every pass, so a pass that
 * breaks the IR is named instead of printing a broken graph.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "passes/passes.h"

typedef struct {
  const char *cli;
  bool (*run)(spcc_graph *, const spcc_options *, spcc_diag *);
  const char *desc;
} pass_entry;

static const pass_entry passes[] = {
#define SPCC_PASS(fn, cli, desc) {cli, spcc_pass_##fn, desc},
#include "passes/passes.def"
#undef SPCC_PASS
};
#define N_PASSES ((int)(sizeof passes / sizeof passes[0]))

static void usage(FILE *out) {
  fprintf(out,
          "usage: spcc-opt [options] [FILE]\n"
          "Reads IR text from FILE (or stdin), runs passes, prints IR text.\n"
          "\n"
          "  -p, --passes LIST    comma-separated passes to run in order; 'default' is the\n"
          "                       whole default pipeline; empty or absent: none\n"
          "  -o FILE              write the IR text to FILE instead of stdout\n"
          "  --side-file NAME     write constants above --inline-limit elements to NAME\n"
          "                       (raw little-endian bytes, resolved relative to the\n"
          "                       directory of -o, as the parser resolves it)\n"
          "  --inline-limit N     largest constant printed inline (default 16) when a side\n"
          "                       file or --summarize is given; otherwise all are inline\n"
          "  --summarize          print large constants as summaries (debugging; the\n"
          "                       result cannot be parsed back)\n"
          "  --no-verify          do not run the verifier after parsing and each pass\n"
          "  -h, --help           show this help\n"
          "\n"
          "passes:\n");
  for (int i = 0; i < N_PASSES; i++) fprintf(out, "  %-20s %s\n", passes[i].cli, passes[i].desc);
  fprintf(out, "  %-20s %s\n", "default", "the default pipeline (passes/pipeline.c)");
}

static void die(const char *fmt, const char *arg) {
  fputs("spcc-opt: error: ", stderr);
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  exit(1);
}

/* The whole input as one NUL-terminated string; NULL on a read error. */
static char *read_all(FILE *f) {
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  if (!buf) return NULL;
  for (;;) {
    if (n + 1 >= cap) {
      char *more = realloc(buf, cap *= 2);
      if (!more) {
        free(buf);
        return NULL;
      }
      buf = more;
    }
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) break;
  }
  if (ferror(f)) {
    free(buf);
    return NULL;
  }
  if (memchr(buf, '\0', n)) {
    free(buf);
    errno = EILSEQ;
    return NULL;
  }
  buf[n] = '\0';
  return buf;
}

static const pass_entry *find_pass(const char *name) {
  for (int i = 0; i < N_PASSES; i++)
    if (strcmp(passes[i].cli, name) == 0) return &passes[i];
  return NULL;
}

/* Runs the comma-separated list; checks every name before running any. */
static bool run_passes(spcc_graph *g, const char *list, const spcc_options *o, spcc_diag *d) {
  for (int check = 1; check >= 0; check--) {
    for (const char *at = list; *at;) {
      size_t len = strcspn(at, ",");
      char name[64];
      if (len >= sizeof name) die("unknown pass '%s' (spcc-opt --help lists them)", at);
      memcpy(name, at, len);
      name[len] = '\0';
      at += len + (at[len] == ',');
      if (len == 0) continue;
      bool is_default = strcmp(name, "default") == 0;
      const pass_entry *p = is_default ? NULL : find_pass(name);
      if (!is_default && !p) die("unknown pass '%s' (spcc-opt --help lists them)", name);
      if (check) continue;
      bool ok = is_default ? spcc_run_pipeline(g, o, d) : p->run(g, o, d);
      if (ok && o->verify) {
        /* One line that names both the problem and the pass. */
        spcc_diag vd;
        spcc_diag_init(&vd, NULL);
        if (!spcc_verify_graph(g, &vd)) {
          fprintf(stderr, "%s (after pass %s)\n", vd.first_error, name);
          return false;
        }
      }
      if (!ok) {
        if (d->n_errors == 0) spcc_error(d, g->source, NULL, "pass %s failed", name);
        return false;
      }
    }
  }
  return true;
}

int main(int argc, char **argv) {
  const char *input = NULL, *output = NULL, *pass_list = NULL, *side_name = NULL;
  int64_t inline_limit = 16;
  bool summarize = false, verify = true;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    bool has_next = i + 1 < argc;
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      usage(stdout);
      return 0;
    } else if (strcmp(a, "-p") == 0 || strcmp(a, "--passes") == 0) {
      if (!has_next) die("%s needs a pass list", a);
      pass_list = argv[++i];
    } else if (strncmp(a, "--passes=", 9) == 0) {
      pass_list = a + 9;
    } else if (strcmp(a, "-o") == 0) {
      if (!has_next) die("%s needs a file name", a);
      output = argv[++i];
    } else if (strcmp(a, "--side-file") == 0) {
      if (!has_next) die("%s needs a file name", a);
      side_name = argv[++i];
    } else if (strcmp(a, "--inline-limit") == 0) {
      if (!has_next) die("%s needs a number", a);
      char *end;
      errno = 0;
      long long v = strtoll(argv[++i], &end, 10);
      if (errno || *end || v < 0) die("bad --inline-limit '%s'", argv[i]);
      inline_limit = v;
    } else if (strcmp(a, "--summarize") == 0) {
      summarize = true;
    } else if (strcmp(a, "--no-verify") == 0) {
      verify = false;
    } else if (a[0] == '-' && a[1] != '\0') {
      die("unknown option '%s' (see --help)", a);
    } else if (input) {
      die("more than one input file ('%s')", a);
    } else {
      input = a;
    }
  }

  bool from_stdin = !input || strcmp(input, "-") == 0;
  FILE *in = from_stdin ? stdin : fopen(input, "rb");
  if (!in) die("cannot open '%s'", input);
  char *text = read_all(in);
  if (!from_stdin) fclose(in);
  if (!text) die("cannot read '%s' (or it holds NUL bytes)", from_stdin ? "<stdin>" : input);

  spcc_diag d;
  spcc_diag_init(&d, stderr);
  spcc_graph *g = spcc_parse_graph(text, from_stdin ? "<stdin>" : input, &d);
  free(text);
  if (!g) return 1;
  spcc_options o = {.print_stream = stderr, .verify = verify};
  if ((verify && !spcc_verify_graph(g, &d)) || (pass_list && !run_passes(g, pass_list, &o, &d))) {
    spcc_graph_free(g);
    return 1;
  }

  /* The side file sits where the parser will look for it: relative to
   * the directory of the text file. */
  FILE *side = NULL;
  char *side_path = NULL;
  if (side_name) {
    const char *slash = output ? strrchr(output, '/') : NULL;
    size_t dir = side_name[0] != '/' && slash ? (size_t)(slash - output + 1) : 0;
    side_path = malloc(dir + strlen(side_name) + 1);
    if (!side_path) die("%s", "out of memory");
    memcpy(side_path, output, dir);
    strcpy(side_path + dir, side_name);
    side = fopen(side_path, "wb");
    if (!side) die("cannot write '%s'", side_path);
  }
  FILE *out = output ? fopen(output, "w") : stdout;
  if (!out) die("cannot write '%s'", output);
  spcc_print_options po = {.inline_limit = inline_limit,
                           .side_file = side,
                           .side_name = side_name,
                           .summarize_large = summarize};
  spcc_print_graph(out, g, &po);
  bool write_ok = !ferror(out);
  if (output) write_ok = fclose(out) == 0 && write_ok;
  if (side) write_ok = fclose(side) == 0 && write_ok;
  free(side_path);
  spcc_graph_free(g);
  if (!write_ok) die("cannot write '%s'", output ? output : "<stdout>");
  return 0;
}
