/* print.c - writes a graph in the IR text form (parsed back by parse.c).
 *
 * The text is for people first (what did the compiler do to my model?) and
 * for golden tests second, so it is complete: every field of the IR structs
 * that means something prints, and print(parse(print(g))) == print(g) byte
 * for byte. Types carry their storage encoding (dense, csr, bsr, nm; see
 * put_encoding) and f32 constants their nnz and density, which the parser
 * checks against the data. Floats print as hex floats so no digit is ever
 * lost; constants too large to read inline go to a side file of raw
 * little-endian bytes that the text names. The grammar is summarized at the
 * top of parse.c.
 *
 * Layout of one graph:
 *   # arena: 4096 bytes, liveness lower bound 4096 bytes
 *   graph @mlp(%x: f32[1,784] dense) -> (%y) {
 *     arena size=4096 lower_bound=4096
 *     bind %x data=[...]                      (an input bound to data)
 *     $w = const f32[784,256] nm<2:4, axis=0, idx=u2> nnz=100352 density=0.5000
 *          data=file("mlp.bin", offset=0, bytes=802816)          (one line in the text)
 *     %h = matmul(%x, $w) {alpha=0x1p+0} : f32[1,256] dense @arena[0,1024) loc(node 0 "fc1" opset 13)
 *   }
 * The printer never fails: a broken graph (ids out of range, missing const
 * data) still prints, with the damage spelled out, because that is when a
 * dump is most needed.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "text.h"

bool spcc_text_name_char(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '.';
}

bool spcc_text_is_plain_name(const char *s) {
  if (!s || !*s) return false;
  for (; *s; s++)
    if (!spcc_text_name_char((unsigned char)*s)) return false;
  return true;
}

bool spcc_text_is_plain_ident(const char *s) {
  if (!s || !*s || (*s >= '0' && *s <= '9') || *s == '.') return false;
  /* The lexer reads these two words as numbers. */
  if (strcmp(s, "inf") == 0 || strcmp(s, "nan") == 0) return false;
  return spcc_text_is_plain_name(s);
}

void spcc_text_put_string(FILE *out, const char *s) {
  fputc('"', out);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
    case '"': fputs("\\\"", out); break;
    case '\\': fputs("\\\\", out); break;
    case '\n': fputs("\\n", out); break;
    case '\t': fputs("\\t", out); break;
    case '\r': fputs("\\r", out); break;
    default:
      if (*p < 0x20 || *p == 0x7f)
        fprintf(out, "\\x%02x", *p);
      else
        fputc(*p, out);
    }
  }
  fputc('"', out);
}

typedef struct {
  FILE *out;
  const spcc_graph *g;
  int64_t inline_limit;
  FILE *side;
  const char *side_name;
  bool summarize;
  int64_t side_pos; /* bytes written to the side file so far, incl. its start */
} printer;

static void put_name(FILE *out, char sigil, const char *name) {
  fputc(sigil, out);
  if (spcc_text_is_plain_name(name))
    fputs(name, out);
  else
    spcc_text_put_string(out, name ? name : "");
}

/* A reference to value vid: %name, $name (constants) or _ (omitted). */
static void put_ref(const printer *p, int vid) {
  if (vid == -1) {
    fputc('_', p->out);
    return;
  }
  if (vid < 0 || vid >= p->g->n_values) {
    char buf[48];
    snprintf(buf, sizeof buf, "<bad value id %d>", vid);
    put_name(p->out, '%', buf);
    return;
  }
  const spcc_value *v = &p->g->values[vid];
  put_name(p->out, v->kind == SPCC_VAL_CONST ? '$' : '%', v->name);
}

static void put_f32(FILE *out, float f) {
  if (isnan(f)) {
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    fprintf(out, "nan(0x%08" PRIx32 ")", bits);
  } else if (isinf(f)) {
    fputs(f < 0 ? "-inf" : "inf", out);
  } else {
    fprintf(out, "%a", (double)f);
  }
}

static void put_f64(FILE *out, double f) {
  if (isnan(f)) {
    uint64_t bits;
    memcpy(&bits, &f, sizeof bits);
    fprintf(out, "nan(0x%016" PRIx64 ")", bits);
  } else if (isinf(f)) {
    fputs(f < 0 ? "-inf" : "inf", out);
  } else {
    fprintf(out, "%a", f);
  }
}

static bool type_is_unknown(const spcc_type *t) {
  return t->dtype == SPCC_DT_UNDEF && t->rank < 0 && t->enc.kind == SPCC_ENC_DENSE;
}

/* " dense", " csr<idx=u16>", " bsr<4x1, idx=u8>", " nm<2:4, axis=0, idx=u2>".
 * The index width prints only once chosen (0 = packing decides). Fields a
 * kind does not use are not printed; the verifier insists they are 0, so
 * the text still carries the whole encoding. */
static void put_encoding(FILE *out, const spcc_encoding *e) {
  switch (e->kind) {
  case SPCC_ENC_DENSE: fputs(" dense", out); return;
  case SPCC_ENC_CSR:
    fputs(" csr", out);
    if (e->index_bits) fprintf(out, "<idx=u%d>", e->index_bits);
    return;
  case SPCC_ENC_BSR: fprintf(out, " bsr<%dx%d", e->block_r, e->block_c); break;
  case SPCC_ENC_NM: fprintf(out, " nm<%d:%d, axis=%d", e->nm_n, e->nm_m, e->axis); break;
  default: fprintf(out, " <unknown encoding %d>", (int)e->kind); return;
  }
  if (e->index_bits) fprintf(out, ", idx=u%d", e->index_bits);
  fputc('>', out);
}

/* "f32[1,784] dense", "f32[?,3] dense", "f32[*] dense", or "?" when nothing
 * is known yet (before shape-infer). */
static void put_type(FILE *out, const spcc_type *t) {
  if (type_is_unknown(t)) {
    fputc('?', out);
    return;
  }
  fputs(t->dtype < SPCC_DT_COUNT ? spcc_dtype_name(t->dtype) : "undef", out);
  fputc('[', out);
  if (t->rank < 0) {
    fputc('*', out);
  } else {
    for (int i = 0; i < t->rank && i < SPCC_MAX_RANK; i++) {
      if (i) fputc(',', out);
      if (t->dims[i] < 0)
        fputc('?', out);
      else
        fprintf(out, "%" PRId64, t->dims[i]);
    }
  }
  fputc(']', out);
  put_encoding(out, &t->enc);
}

/* Type and, once memory is planned, the byte range [offset, end) in the
 * arena. */
static void put_value_type(FILE *out, const spcc_value *v) {
  put_type(out, &v->type);
  if (v->offset >= 0) {
    int64_t bytes = spcc_type_bytes(&v->type);
    if (bytes >= 0)
      fprintf(out, " @arena[%" PRId64 ",%" PRId64 ")", v->offset, v->offset + bytes);
    else
      fprintf(out, " @arena[%" PRId64 ",?)", v->offset);
  }
}

static void put_element(FILE *out, spcc_dtype dt, const unsigned char *p) {
  switch (dt) {
  case SPCC_DT_F32: { float f; memcpy(&f, p, 4); put_f32(out, f); break; }
  case SPCC_DT_F64: { double f; memcpy(&f, p, 8); put_f64(out, f); break; }
  case SPCC_DT_I8: fprintf(out, "%d", (int)(int8_t)p[0]); break;
  case SPCC_DT_I16: { int16_t x; memcpy(&x, p, 2); fprintf(out, "%d", (int)x); break; }
  case SPCC_DT_I32: { int32_t x; memcpy(&x, p, 4); fprintf(out, "%" PRId32, x); break; }
  case SPCC_DT_I64: { int64_t x; memcpy(&x, p, 8); fprintf(out, "%" PRId64, x); break; }
  case SPCC_DT_U8:
  case SPCC_DT_BOOL: fprintf(out, "%u", (unsigned)p[0]); break;
  case SPCC_DT_U16: { uint16_t x; memcpy(&x, p, 2); fprintf(out, "%u", (unsigned)x); break; }
  case SPCC_DT_U32: { uint32_t x; memcpy(&x, p, 4); fprintf(out, "%" PRIu32, x); break; }
  case SPCC_DT_U64: { uint64_t x; memcpy(&x, p, 8); fprintf(out, "%" PRIu64, x); break; }
  default: fputc('?', out); break;
  }
}

static double element_value(spcc_dtype dt, const unsigned char *p) {
  switch (dt) {
  case SPCC_DT_F32: { float f; memcpy(&f, p, 4); return f; }
  case SPCC_DT_F64: { double f; memcpy(&f, p, 8); return f; }
  case SPCC_DT_I8: return (int8_t)p[0];
  case SPCC_DT_I16: { int16_t x; memcpy(&x, p, 2); return x; }
  case SPCC_DT_I32: { int32_t x; memcpy(&x, p, 4); return x; }
  case SPCC_DT_I64: { int64_t x; memcpy(&x, p, 8); return (double)x; }
  case SPCC_DT_U8:
  case SPCC_DT_BOOL: return p[0];
  case SPCC_DT_U16: { uint16_t x; memcpy(&x, p, 2); return x; }
  case SPCC_DT_U32: { uint32_t x; memcpy(&x, p, 4); return x; }
  case SPCC_DT_U64: { uint64_t x; memcpy(&x, p, 8); return (double)x; }
  default: return 0;
  }
}

static bool host_is_little_endian(void) {
  const uint16_t one = 1;
  unsigned char b;
  memcpy(&b, &one, 1);
  return b == 1;
}

/* Appends a payload to the side file, 64-byte aligned, little-endian. */
static void write_side(printer *p, const spcc_const *c, size_t esize, int64_t *offset) {
  int64_t pad = (64 - p->side_pos % 64) % 64;
  for (int64_t i = 0; i < pad; i++) fputc(0, p->side);
  p->side_pos += pad;
  *offset = p->side_pos;
  size_t bytes = (size_t)c->numel * esize;
  if (host_is_little_endian() || esize == 1) {
    fwrite(c->data, 1, bytes, p->side);
  } else {
    const unsigned char *src = c->data;
    for (int64_t e = 0; e < c->numel; e++)
      for (size_t k = esize; k-- > 0;) fputc(src[(size_t)e * esize + k], p->side);
  }
  p->side_pos += (int64_t)bytes;
}

/* data=[...] inline, data=file(...) in the side file, or data=<summary>. */
static void put_data(printer *p, int const_id) {
  FILE *out = p->out;
  fputs("data=", out);
  if (const_id < 0 || const_id >= p->g->n_consts) {
    fprintf(out, "<missing constant %d>", const_id);
    return;
  }
  const spcc_const *c = &p->g->consts[const_id];
  size_t esize = spcc_dtype_size(c->dtype);
  if ((!c->data && c->numel > 0) || esize == 0 || c->numel < 0) {
    fprintf(out, "<no data for constant %d>", const_id);
    return;
  }
  const unsigned char *data = c->data;
  if (c->numel > p->inline_limit && p->summarize) {
    double sum = 0;
    int64_t nnz = 0;
    for (int64_t i = 0; i < c->numel; i++) {
      double x = element_value(c->dtype, data + (size_t)i * esize);
      sum += x;
      nnz += x != 0;
    }
    fprintf(out, "<%" PRId64 " elements, nnz=%" PRId64 ", sum=%.9g>", c->numel, nnz, sum);
    return;
  }
  if (c->numel > p->inline_limit && p->side) {
    int64_t offset;
    write_side(p, c, esize, &offset);
    fputs("file(", out);
    spcc_text_put_string(out, p->side_name ? p->side_name : "");
    fprintf(out, ", offset=%" PRId64 ", bytes=%" PRId64 ")", offset, c->numel * (int64_t)esize);
    return;
  }
  fputc('[', out);
  for (int64_t i = 0; i < c->numel; i++) {
    if (i) fputs(", ", out);
    put_element(out, c->dtype, data + (size_t)i * esize);
  }
  fputc(']', out);
}

/* " nnz=K density=D" on every f32 constant of two or more elements, so a
 * dump shows how sparse each weight is next to its encoding. The parser
 * checks both against the data. */
static void put_nnz(FILE *out, const spcc_graph *g, const spcc_value *v) {
  if (v->type.dtype != SPCC_DT_F32 || v->const_id < 0 || v->const_id >= g->n_consts) return;
  const spcc_const *c = &g->consts[v->const_id];
  if (c->dtype != SPCC_DT_F32 || c->numel < 2 || !c->data) return;
  const float *x = c->data;
  int64_t nnz = 0;
  for (int64_t i = 0; i < c->numel; i++) nnz += x[i] != 0;
  fprintf(out, " nnz=%" PRId64 " density=%.4f", nnz, (double)nnz / (double)c->numel);
}

static void put_attr(printer *p, const spcc_attr *a) {
  FILE *out = p->out;
  if (spcc_text_is_plain_ident(a->name))
    fputs(a->name, out);
  else
    spcc_text_put_string(out, a->name ? a->name : "");
  fputc('=', out);
  switch (a->kind) {
  case SPCC_ATTR_INT: fprintf(out, "%" PRId64, a->i); break;
  case SPCC_ATTR_FLOAT: put_f32(out, a->f); break;
  case SPCC_ATTR_STRING: spcc_text_put_string(out, a->s ? a->s : ""); break;
  case SPCC_ATTR_INTS:
    fputc('[', out);
    for (int k = 0; k < a->n; k++) fprintf(out, "%s%" PRId64, k ? ", " : "", a->ints[k]);
    fputc(']', out);
    break;
  case SPCC_ATTR_FLOATS:
    /* An empty list would read back as INTS, so it names its kind. */
    fputs(a->n == 0 ? "floats[" : "[", out);
    for (int k = 0; k < a->n; k++) {
      if (k) fputs(", ", out);
      put_f32(out, a->floats[k]);
    }
    fputc(']', out);
    break;
  case SPCC_ATTR_TENSOR: {
    /* tensor DT[N] data=[...]: the payload is 1-D (its shape is not kept). */
    const bool ok = a->const_id >= 0 && a->const_id < p->g->n_consts;
    fprintf(out, "tensor %s[%" PRId64 "] ",
            spcc_dtype_name(ok ? p->g->consts[a->const_id].dtype : SPCC_DT_UNDEF),
            ok ? p->g->consts[a->const_id].numel : (int64_t)0);
    put_data(p, a->const_id);
    break;
  }
  default: fprintf(out, "<unknown attribute kind %d>", (int)a->kind); break;
  }
}

static const spcc_value *value_at(const spcc_graph *g, int vid) {
  return vid >= 0 && vid < g->n_values ? &g->values[vid] : NULL;
}

static void put_node(printer *p, const spcc_node *n) {
  FILE *out = p->out;
  fputs("  ", out);
  if (n->dead) fputs("dead ", out);
  for (int k = 0; k < n->n_out; k++) {
    if (k) fputs(", ", out);
    put_ref(p, n->out[k]);
  }
  if (n->n_out) fputs(" = ", out);
  fputs(n->op < SPCC_OP_COUNT ? spcc_op_ir_name(n->op) : "<bad op>", out);
  fputc('(', out);
  for (int k = 0; k < n->n_in; k++) {
    if (k) fputs(", ", out);
    put_ref(p, n->in[k]);
  }
  fputc(')', out);
  if (n->n_attr) {
    fputs(" {", out);
    for (int k = 0; k < n->n_attr; k++) {
      if (k) fputs(", ", out);
      put_attr(p, &n->attr[k]);
    }
    fputc('}', out);
  }
  /* Result types; left out while every result is still untyped, so
   * hand-written inputs for shape-infer read naturally. */
  bool any_known = false;
  for (int k = 0; k < n->n_out; k++) {
    const spcc_value *v = value_at(p->g, n->out[k]);
    if (v && (!type_is_unknown(&v->type) || v->offset >= 0)) any_known = true;
  }
  if (any_known) {
    fputs(" :", out);
    for (int k = 0; k < n->n_out; k++) {
      fputs(k ? ", " : " ", out);
      const spcc_value *v = value_at(p->g, n->out[k]);
      if (v)
        put_value_type(out, v);
      else
        fputc('_', out);
    }
  }
  if (n->onnx_index != -1 || (n->name && *n->name) || n->opset != 0) {
    fputs(" loc(", out);
    const char *sep = "";
    if (n->onnx_index != -1) {
      fprintf(out, "node %d", n->onnx_index);
      sep = " ";
    }
    if (n->name && *n->name) {
      fputs(sep, out);
      spcc_text_put_string(out, n->name);
      sep = " ";
    }
    if (n->opset != 0) fprintf(out, "%sopset %d", sep, n->opset);
    fputc(')', out);
  }
  fputc('\n', out);
}

void spcc_print_graph(FILE *out, const spcc_graph *g, const spcc_print_options *o) {
  printer p = {.out = out, .g = g, .inline_limit = INT64_MAX};
  if (o) {
    p.side = o->side_file;
    p.side_name = o->side_name;
    p.summarize = o->summarize_large;
    if (p.side || p.summarize) p.inline_limit = o->inline_limit;
  }
  if (p.side) {
    long at = ftell(p.side);
    p.side_pos = at > 0 ? at : 0;
  }

  if (g->arena_size >= 0 || g->arena_lower_bound >= 0)
    fprintf(out, "# arena: %" PRId64 " bytes, liveness lower bound %" PRId64 " bytes\n",
            g->arena_size, g->arena_lower_bound);
  fputs("graph ", out);
  put_name(out, '@', g->name);
  fputc('(', out);
  for (int i = 0; i < g->n_inputs; i++) {
    if (i) fputs(", ", out);
    put_ref(&p, g->inputs[i]);
    const spcc_value *v = value_at(g, g->inputs[i]);
    if (v) {
      fputs(": ", out);
      put_value_type(out, v);
    }
  }
  fputs(") -> (", out);
  for (int i = 0; i < g->n_outputs; i++) {
    if (i) fputs(", ", out);
    put_ref(&p, g->outputs[i]);
  }
  fputs(") {\n", out);

  if (g->arena_size >= 0 || g->arena_lower_bound >= 0)
    fprintf(out, "  arena size=%" PRId64 " lower_bound=%" PRId64 "\n", g->arena_size,
            g->arena_lower_bound);
  for (int i = 0; i < g->n_inputs; i++) {
    const spcc_value *v = value_at(g, g->inputs[i]);
    if (!v || v->const_id < 0) continue;
    fputs("  bind ", out);
    put_ref(&p, g->inputs[i]);
    fputc(' ', out);
    put_data(&p, v->const_id);
    fputc('\n', out);
  }
  for (int i = 0; i < g->n_values; i++) {
    const spcc_value *v = &g->values[i];
    if (v->kind != SPCC_VAL_CONST) continue;
    fputs("  ", out);
    put_ref(&p, i);
    fputs(" = const ", out);
    put_value_type(out, v);
    put_nnz(out, g, v);
    fputc(' ', out);
    put_data(&p, v->const_id);
    fputc('\n', out);
  }
  for (int i = 0; i < g->n_nodes; i++) put_node(&p, &g->nodes[i]);

  /* Values the text has not declared yet (a temporary nobody produces, an
   * input missing from the input list): the verifier rejects such graphs,
   * and a dump shows them as comments. */
  char *produced = calloc((size_t)g->n_values + 1, 1);
  if (!produced) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  for (int i = 0; i < g->n_nodes; i++)
    for (int k = 0; k < g->nodes[i].n_out; k++)
      if (value_at(g, g->nodes[i].out[k])) produced[g->nodes[i].out[k]] = 1;
  for (int i = 0; i < g->n_values; i++) {
    const spcc_value *v = &g->values[i];
    bool declared = v->kind == SPCC_VAL_CONST || produced[i];
    for (int k = 0; k < g->n_inputs && !declared; k++) declared = g->inputs[k] == i;
    if (declared) continue;
    fprintf(out, "  # undeclared %s value ",
            v->kind == SPCC_VAL_INPUT ? "input" : "temporary");
    put_ref(&p, i);
    fputs(": ", out);
    put_value_type(out, v);
    fputc('\n', out);
  }
  free(produced);
  fputs("}\n", out);
}
