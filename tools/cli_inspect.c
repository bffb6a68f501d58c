/* cli_inspect.c - `spcc inspect MODEL.onnx [compile options]`: what the
 * sparse core did to every weight, as one table on stdout.
 *
 * The model goes through the same pipeline as `spcc MODEL.onnx -o ...`
 * (cli_compile_graph), so the table shows exactly the values and formats the
 * generated C would hold: one row per f32 constant in a weight slot of
 * MatMul, Gemm or Conv (spcc_weight_view_of), in graph order of first use,
 * with its zero structure (ir/sparse.h statistics), the format select-format
 * chose (the value's type.enc), the multiply-adds one inference spends on it
 * dense and in that format, and its bytes dense and packed (spcc_pack_weight,
 * the storage the emitter writes). A totals row sums them. Counts are
 * printed human-readable (1.2M) because the table is for people; scripts can
 * still match rows by weight name.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../ir/sparse.h"
#include "cli.h"

enum {
  COL_WEIGHT, COL_NODE, COL_OP, COL_SHAPE, COL_DENSITY, COL_NNZ, COL_NM, COL_BLOCK,
  COL_FILL, COL_FORMAT, COL_MAC_DENSE, COL_MAC_SPARSE, COL_MAC_RATIO, COL_BYTES_DENSE,
  COL_BYTES_PACKED, COL_BYTES_RATIO, NCOL
};

static const struct {
  const char *title;
  bool right; /* numbers align right */
} columns[NCOL] = {
    {"weight", false},   {"node", false},        {"op", false},       {"shape", false},
    {"density", true},   {"nnz", true},          {"N:M", false},      {"block", false},
    {"fill", true},      {"format", false},      {"MACs dense", true}, {"MACs sparse", true},
    {"ratio", true},     {"bytes dense", true},  {"bytes packed", true}, {"ratio", true},
};

/* One weight: its first use decides the view and the op shown; MACs add up
 * over every use (each use is one product per inference). */
typedef struct {
  int vid;
  const spcc_node *first;
  int n_uses;
  spcc_weight_view view;
  int64_t numel, nnz;
  int64_t stored;          /* values the chosen format multiplies per position */
  int64_t mac_dense, mac_sparse;
  int64_t bytes_dense, bytes_packed;
  spcc_weight_stats stats;
  spcc_encoding enc;       /* as packed: index_bits decided */
  char *cell[NCOL];
} inspect_row;

typedef struct {
  inspect_row *rows;
  int n, cap;
  int skipped;             /* weight slots not holding an f32 constant */
} inspect_table;

static char *fmt_cell(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

static char *fmt_cell(const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  /* Cells are single words where the data allows, so the table stays aligned
   * and awk-able even when ONNX names hold blanks. */
  for (char *p = buf; *p; p++)
    if ((unsigned char)*p <= ' ') *p = '_';
  char *s = strdup(buf);
  if (!s) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  return s;
}

/* 1234 -> "1.2K", 65536 -> "65.5K"; exact below 1000. */
static char *human_count(double v) {
  static const char *const unit[] = {"", "K", "M", "G", "T", "P"};
  int u = 0;
  while (v >= 999.95 && u < 5) {
    v /= 1000.0;
    u++;
  }
  return u == 0 ? fmt_cell("%.0f", v) : fmt_cell("%.1f%s", v, unit[u]);
}

/* Bytes in binary units: 65536 -> "64.0KiB". */
static char *human_bytes(double v) {
  static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (v >= 1023.95 && u < 4) {
    v /= 1024.0;
    u++;
  }
  return u == 0 ? fmt_cell("%.0fB", v) : fmt_cell("%.1f%s", v, unit[u]);
}

static char *ratio_cell(int64_t part, int64_t whole) {
  return whole > 0 ? fmt_cell("%.3f", (double)part / (double)whole) : fmt_cell("-");
}

static char *format_cell(const spcc_encoding *e) {
  switch (e->kind) {
  case SPCC_ENC_CSR: return fmt_cell("csr<idx=u%d>", e->index_bits);
  case SPCC_ENC_BSR: return fmt_cell("bsr<%dx%d>", e->block_r, e->block_c);
  case SPCC_ENC_NM: return fmt_cell("nm<%d:%d>", e->nm_n, e->nm_m);
  case SPCC_ENC_DENSE: break;
  }
  return fmt_cell("dense");
}

/* Output positions that each multiply the whole weight once: rows of X for
 * MatMul and Gemm, batch x output spatial size for Conv. In every case the
 * output holds `rows` (output channels) values per position. */
static int64_t positions_of(const spcc_graph *g, const spcc_node *n, int64_t rows) {
  if (n->n_out < 1 || rows <= 0) return 0;
  int64_t out = spcc_type_numel(&g->values[n->out[0]].type);
  return out < 0 ? -1 : out / rows;
}

static inspect_row *find_row(inspect_table *t, int vid) {
  for (int i = 0; i < t->n; i++)
    if (t->rows[i].vid == vid) return &t->rows[i];
  return NULL;
}

static inspect_row *add_row(inspect_table *t) {
  if (t->n == t->cap) {
    t->cap = t->cap ? 2 * t->cap : 16;
    t->rows = realloc(t->rows, sizeof *t->rows * (size_t)t->cap);
    if (!t->rows) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  }
  inspect_row *r = &t->rows[t->n++];
  memset(r, 0, sizeof *r);
  return r;
}

/* Statistics and packing of a new weight. False only when packing fails,
 * which means the IR holds an encoding its values do not fit: a bug. */
static bool measure(const spcc_graph *g, inspect_row *r, spcc_diag *d) {
  const spcc_value *v = &g->values[r->vid];
  const float *data = spcc_value_data(g, r->vid);
  r->numel = r->view.rows * r->view.cols;
  spcc_weight_stats_of(data, &r->view, &r->stats);
  r->nnz = r->stats.nnz;
  r->bytes_dense = r->numel * 4;
  r->enc = v->type.enc;
  if (v->type.enc.kind == SPCC_ENC_DENSE) {
    r->stored = r->numel;
    r->bytes_packed = r->bytes_dense;
    return true;
  }
  spcc_packed p;
  memset(&p, 0, sizeof p);
  if (!spcc_pack_weight(data, &r->view, &v->type.enc, &p)) {
    spcc_error(d, g->source, r->first, "internal: weight '%s' does not fit its encoding %s",
               v->name, spcc_encoding_kind_name(v->type.enc.kind));
    return false;
  }
  r->enc = p.enc;
  r->stored = p.nnz;
  r->bytes_packed = p.bytes;
  spcc_packed_free(&p);
  return true;
}

/* Walks the nodes in order and collects every weight slot. */
static bool collect(const spcc_graph *g, inspect_table *t, spcc_diag *d) {
  for (int i = 0; i < g->n_nodes; i++) {
    const spcc_node *n = &g->nodes[i];
    if (n->dead) continue;
    for (int k = 0; k < n->n_in; k++) {
      spcc_weight_view view;
      int vid = n->in[k];
      if (vid < 0 || !spcc_weight_view_of(g, n, k, &view)) continue;
      const spcc_value *v = &g->values[vid];
      if (v->kind != SPCC_VAL_CONST || v->type.dtype != SPCC_DT_F32 || !spcc_value_data(g, vid)) {
        t->skipped++;
        continue;
      }
      inspect_row *r = find_row(t, vid);
      if (!r) {
        r = add_row(t);
        r->vid = vid;
        r->first = n;
        r->view = view;
        if (!measure(g, r, d)) return false;
      }
      r->n_uses++;
      int64_t pos = positions_of(g, n, view.rows);
      if (pos < 0 || r->mac_dense < 0) {
        r->mac_dense = r->mac_sparse = -1; /* unknown output shape */
      } else {
        r->mac_dense += view.rows * view.cols * pos;
        r->mac_sparse += r->stored * pos;
      }
    }
  }
  return true;
}

static void fill_cells(const spcc_graph *g, inspect_row *r) {
  const spcc_value *v = &g->values[r->vid];
  char shape[160];
  spcc_type_str(&v->type, shape, sizeof shape);
  char *dims = strchr(shape, '['); /* "f32[128,128]" -> "[128,128]" */
  const spcc_node *n = r->first;
  char node[300];
  if (n->name && n->name[0]) snprintf(node, sizeof node, "%s", n->name);
  else snprintf(node, sizeof node, "#%d", n->onnx_index);
  r->cell[COL_WEIGHT] = fmt_cell("%s", v->name);
  r->cell[COL_NODE] = r->n_uses > 1 ? fmt_cell("%s(+%d)", node, r->n_uses - 1) : fmt_cell("%s", node);
  r->cell[COL_OP] = fmt_cell("%s", spcc_op_onnx_name(n->op));
  r->cell[COL_SHAPE] = fmt_cell("%s", dims ? dims : shape);
  r->cell[COL_DENSITY] = fmt_cell("%.4f", r->stats.density);
  r->cell[COL_NNZ] = human_count((double)r->nnz);
  r->cell[COL_NM] = r->stats.nm_n > 0 ? fmt_cell("%d:%d", r->stats.nm_n, r->stats.nm_m)
                                      : fmt_cell("-");
  if (r->stats.block_r > 0 && r->nnz > 0) {
    r->cell[COL_BLOCK] = fmt_cell("%dx%d", r->stats.block_r, r->stats.block_c);
    r->cell[COL_FILL] = fmt_cell("%.2f", r->stats.block_fill);
  } else {
    r->cell[COL_BLOCK] = fmt_cell("-");
    r->cell[COL_FILL] = fmt_cell("-");
  }
  r->cell[COL_FORMAT] = format_cell(&r->enc);
  if (r->mac_dense < 0) {
    r->cell[COL_MAC_DENSE] = fmt_cell("?");
    r->cell[COL_MAC_SPARSE] = fmt_cell("?");
    r->cell[COL_MAC_RATIO] = fmt_cell("-");
  } else {
    r->cell[COL_MAC_DENSE] = human_count((double)r->mac_dense);
    r->cell[COL_MAC_SPARSE] = human_count((double)r->mac_sparse);
    r->cell[COL_MAC_RATIO] = ratio_cell(r->mac_sparse, r->mac_dense);
  }
  r->cell[COL_BYTES_DENSE] = human_bytes((double)r->bytes_dense);
  r->cell[COL_BYTES_PACKED] = human_bytes((double)r->bytes_packed);
  r->cell[COL_BYTES_RATIO] = ratio_cell(r->bytes_packed, r->bytes_dense);
}

static void set_cell(inspect_row *r, int c, char *v) {
  free(r->cell[c]);
  r->cell[c] = v;
}

/* The totals row; weights with an unknown output shape stay out of the MAC
 * sums (they cannot happen once shapes are static, but say so if they do). */
static void fill_totals(const inspect_table *t, inspect_row *tot) {
  memset(tot, 0, sizeof *tot);
  bool macs_known = true;
  for (int i = 0; i < t->n; i++) {
    const inspect_row *r = &t->rows[i];
    tot->numel += r->numel;
    tot->nnz += r->nnz;
    tot->bytes_dense += r->bytes_dense;
    tot->bytes_packed += r->bytes_packed;
    if (r->mac_dense < 0) {
      macs_known = false;
    } else {
      tot->mac_dense += r->mac_dense;
      tot->mac_sparse += r->mac_sparse;
    }
  }
  for (int c = 0; c < NCOL; c++) tot->cell[c] = fmt_cell("%s", "");
  set_cell(tot, COL_WEIGHT, fmt_cell("total"));
  set_cell(tot, COL_NODE, fmt_cell("%d_weight%s", t->n, t->n == 1 ? "" : "s"));
  tot->cell[COL_NODE][strcspn(tot->cell[COL_NODE], "_")] = ' '; /* "2 weights" */
  set_cell(tot, COL_DENSITY,
           fmt_cell("%.4f", tot->numel > 0 ? (double)tot->nnz / (double)tot->numel : 1.0));
  set_cell(tot, COL_NNZ, human_count((double)tot->nnz));
  set_cell(tot, COL_MAC_DENSE, human_count((double)tot->mac_dense));
  set_cell(tot, COL_MAC_SPARSE, human_count((double)tot->mac_sparse));
  if (!macs_known) { /* sums of the known rows only: say so */
    set_cell(tot, COL_MAC_DENSE, fmt_cell("%s+?", tot->cell[COL_MAC_DENSE]));
    set_cell(tot, COL_MAC_SPARSE, fmt_cell("%s+?", tot->cell[COL_MAC_SPARSE]));
  }
  set_cell(tot, COL_MAC_RATIO, ratio_cell(tot->mac_sparse, tot->mac_dense));
  set_cell(tot, COL_BYTES_DENSE, human_bytes((double)tot->bytes_dense));
  set_cell(tot, COL_BYTES_PACKED, human_bytes((double)tot->bytes_packed));
  set_cell(tot, COL_BYTES_RATIO, ratio_cell(tot->bytes_packed, tot->bytes_dense));
}

static void print_line(FILE *out, char *const cells[NCOL], const size_t width[NCOL]) {
  for (int c = 0; c < NCOL; c++) {
    const char *s = cells[c];
    /* Two blanks between columns; the last column carries no padding. */
    const char *sep = c ? "  " : "";
    if (columns[c].right) fprintf(out, "%s%*s", sep, (int)width[c], s);
    else if (c == NCOL - 1) fprintf(out, "%s%s", sep, s);
    else fprintf(out, "%s%-*s", sep, (int)width[c], s);
  }
  fputc('\n', out);
}

static void print_table(FILE *out, const inspect_table *t, const inspect_row *tot) {
  size_t width[NCOL];
  char *titles[NCOL];
  for (int c = 0; c < NCOL; c++) {
    titles[c] = (char *)columns[c].title;
    width[c] = strlen(columns[c].title);
    for (int i = 0; i < t->n; i++)
      if (strlen(t->rows[i].cell[c]) > width[c]) width[c] = strlen(t->rows[i].cell[c]);
    if (tot && strlen(tot->cell[c]) > width[c]) width[c] = strlen(tot->cell[c]);
  }
  print_line(out, titles, width);
  size_t total = 0;
  for (int c = 0; c < NCOL; c++) total += width[c] + (c ? 2 : 0);
  for (size_t i = 0; i < total; i++) fputc('-', out);
  fputc('\n', out);
  for (int i = 0; i < t->n; i++) print_line(out, t->rows[i].cell, width);
  if (tot) {
    for (size_t i = 0; i < total; i++) fputc('-', out);
    fputc('\n', out);
    print_line(out, tot->cell, width);
  }
}

/* The options that shaped the table, as the user would type them. */
static void print_header(FILE *out, const cli_args *a) {
  const spcc_sparse_options *s = &a->opts.sparse;
  fprintf(out, "spcc inspect %s:", a->model);
  bool pruning = s->prune > 0 || s->prune_global > 0 || s->prune_recipe || s->nm_n;
  if (s->prune > 0) fprintf(out, " --prune %g", s->prune);
  if (s->prune_global > 0) fprintf(out, " --prune-global %g", s->prune_global);
  if (s->prune_recipe) fprintf(out, " --prune-recipe %s", s->prune_recipe);
  if (s->nm_n) fprintf(out, " --nm %d:%d", s->nm_n, s->nm_m);
  if (s->block_r) fprintf(out, " --block %dx%d", s->block_r, s->block_c);
  if (pruning) fprintf(out, " --prune-min-elems %" PRId64, s->prune_min_elems);
  for (int i = 0; i < s->n_prune_skip; i++)
    fprintf(out, "%s%s", i ? "," : " --prune-skip ", s->prune_skip[i]);
  static const char *const fmt_names[] = {"auto", "dense", "csr", "bsr", "nm"};
  int f = (int)s->format;
  fprintf(out, " --format %s", f >= 0 && f < 5 ? fmt_names[f] : "?");
  for (int i = 0; i < a->opts.n_shapes; i++) {
    const spcc_shape_opt *sh = &a->opts.shapes[i];
    fprintf(out, " --shape %s=", sh->name);
    for (int k = 0; k < sh->rank; k++) fprintf(out, "%s%" PRId64, k ? "," : "", sh->dims[k]);
  }
  for (int i = 0; i < a->opts.n_binds; i++)
    fprintf(out, " --bind %s=%s", a->opts.binds[i].name, a->opts.binds[i].path);
  if (!pruning) fputs(" (no pruning: only zeros already in the weights)", out);
  fputs("\n\n", out);
}

static void usage(FILE *out) {
  fputs("usage: spcc inspect MODEL.onnx [compile options]\n"
        "Compiles MODEL.onnx with the given options (see spcc --help) and prints one row\n"
        "per MatMul/Gemm/Conv weight: shape, density, nnz, N:M compliance, best block\n"
        "fill, chosen format, multiply-adds per inference (dense vs the chosen format)\n"
        "and bytes (dense vs packed), then totals. Counts: K = 1000; bytes: KiB = 1024.\n",
        out);
}

static void free_cells(inspect_row *r) {
  for (int c = 0; c < NCOL; c++) free(r->cell[c]);
}

int cli_inspect(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      usage(stdout);
      return 0;
    }
  spcc_diag d;
  spcc_diag_init(&d, stderr);
  cli_args a;
  if (!cli_parse(argc, argv, false, &a, &d)) {
    cli_args_free(&a);
    return 1;
  }
  const char *unused = a.out ? "-o" : a.emit != CLI_EMIT_C ? "--emit"
                                    : a.sparse_initializers ? "--sparse-initializers" : NULL;
  if (unused) {
    spcc_error(&d, "spcc", NULL, "inspect: %s is not used (the table goes to stdout)", unused);
    cli_args_free(&a);
    return 1;
  }
  spcc_graph *g = cli_compile_graph(&a, &d);
  if (!g) {
    cli_args_free(&a);
    return 1;
  }
  inspect_table t = {0};
  int status = 0;
  if (!collect(g, &t, &d)) {
    status = 2;
  } else {
    for (int i = 0; i < t.n; i++) fill_cells(g, &t.rows[i]);
    print_header(stdout, &a);
    if (t.n == 0) {
      print_table(stdout, &t, NULL);
      puts("(no f32 constant MatMul, Gemm or Conv weights: nothing to sparsify)");
    } else {
      inspect_row tot;
      fill_totals(&t, &tot);
      print_table(stdout, &t, &tot);
      free_cells(&tot);
    }
    if (t.skipped)
      printf("note: %d weight slot%s hold%s a runtime input or a non-f32 value (not listed)\n",
             t.skipped, t.skipped == 1 ? "" : "s", t.skipped == 1 ? "s" : "");
    if (fflush(stdout) != 0) {
      spcc_error(&d, "spcc", NULL, "inspect: cannot write the table to stdout");
      status = 1;
    }
  }
  for (int i = 0; i < t.n; i++) free_cells(&t.rows[i]);
  free(t.rows);
  spcc_graph_free(g);
  cli_args_free(&a);
  return status;
}
