/* pipeline.c - the default pass order, --print-after and the verifier.
 *
 * The order is a plain list so a reader sees at once what runs. In debug
 * builds (and with --verify, which the tests use) the verifier checks the
 * graph after every pass, so a pass that breaks an invariant is named at
 * once instead of surfacing as wrong C later.
 */
#include <string.h>

#include "passes.h"

typedef struct {
  const char *cli_name;
  bool (*run)(spcc_graph *, const spcc_options *, spcc_diag *);
} pass_entry;

static const pass_entry default_pipeline[] = {
    {"shape-infer", spcc_pass_shape_infer},
    {"fold-constants", spcc_pass_fold_constants},
    {"dce", spcc_pass_dce},
    {"sparsify", spcc_pass_sparsify},
    {"select-format", spcc_pass_select_format},
    {"fuse-elementwise", spcc_pass_fuse_elementwise},
    {"plan-memory", spcc_pass_plan_memory},
};

void spcc_options_init(spcc_options *o) {
  memset(o, 0, sizeof *o);
  o->print_stream = stderr;
  o->sparse.prune_min_elems = 4096;
  o->sparse.format = SPCC_FORMAT_AUTO;
}

bool spcc_pass_exists(const char *cli_name) {
  if (strcmp(cli_name, "import") == 0) return true;
#define SPCC_PASS(fn, cli, desc) \
  if (strcmp(cli, cli_name) == 0) return true;
#include "passes.def"
#undef SPCC_PASS
  return false;
}

static void dump(const spcc_graph *g, const spcc_options *o, const char *after) {
  FILE *out = o->print_stream ? o->print_stream : stderr;
  spcc_print_options po = {.inline_limit = 16, .summarize_large = true};
  fprintf(out, "// ----- IR after %s -----\n", after);
  spcc_print_graph(out, g, &po);
}

bool spcc_run_pipeline(spcc_graph *g, const spcc_options *o, spcc_diag *d) {
#ifndef NDEBUG
  const bool verify = true;
#else
  const bool verify = o->verify;
#endif
  if (verify && !spcc_verify_graph(g, d)) return false;
  if (o->print_after && strcmp(o->print_after, "import") == 0) dump(g, o, "import");
  for (size_t i = 0; i < sizeof default_pipeline / sizeof default_pipeline[0]; i++) {
    const pass_entry *p = &default_pipeline[i];
    if (!p->run(g, o, d)) return false;
    if (verify && !spcc_verify_graph(g, d)) {
      spcc_error(d, g->source, NULL, "internal: the IR is invalid after pass %s", p->cli_name);
      return false;
    }
    if (o->print_after &&
        (strcmp(o->print_after, "all") == 0 || strcmp(o->print_after, p->cli_name) == 0))
      dump(g, o, p->cli_name);
  }
  return true;
}
