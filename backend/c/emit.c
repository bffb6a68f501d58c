/* emit.c - the C backend: writes OUT.h and OUT.c for a planned graph.
 *
 * OUT.c holds, in order: the constants (static const arrays, hex-float
 * literals so every bit survives), the parameter blocks the op emitters add,
 * PREFIX_run (pointer setup, --bind checks, one call per node, copies for
 * outputs that no node writes) and the typed PREFIX_infer wrapper. Every
 * tensor gets a local pointer named after its kind, id and ONNX name
 * (i0_x, c3_fc1_weight, t7_relu_out, o0_y); the kind letter keeps locals,
 * constants and parameter blocks (p<k>_...) from ever colliding. The op
 * emitters (backend/c/<family>.c) only see emit.h.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "sparse_emit.h"
#include "strbuf.h"

struct spcc_emitter {
  const spcc_graph *g;
  spcc_arena *arena;   /* names for this emission */
  spcc_strbuf decls;   /* file scope, before PREFIX_run */
  spcc_strbuf body;    /* statements of PREFIX_run */
  const char **ptr;    /* per value: its C expression, NULL until declared */
  int n_symbols;
};

const spcc_graph *spcc_emit_graph(const spcc_emitter *e) { return e->g; }

const char *spcc_emit_ptr(spcc_emitter *e, int vid) {
  if (vid < 0) return "NULL";
  SPCC_ASSERT(vid < e->g->n_values && e->ptr[vid]);
  return e->ptr[vid];
}

void spcc_emit_line(spcc_emitter *e, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  spcc_sb_printf(&e->body, "  ");
  spcc_sb_vprintf(&e->body, fmt, ap);
  spcc_sb_printf(&e->body, "\n");
  va_end(ap);
}

void spcc_emit_decl(spcc_emitter *e, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  spcc_sb_vprintf(&e->decls, fmt, ap);
  va_end(ap);
}

/* Appends a C identifier fragment made from an arbitrary ONNX name. */
static void ident_part(char *out, size_t n, const char *s) {
  size_t k = 0;
  for (; *s && k + 1 < n && k < 40; s++)
    out[k++] = isalnum((unsigned char)*s) ? *s : '_';
  out[k] = 0;
}

const char *spcc_emit_symbol(spcc_emitter *e, const char *hint) {
  char part[48];
  ident_part(part, sizeof part, hint ? hint : "");
  return spcc_arena_printf(e->arena, "p%d_%s", e->n_symbols++, part);
}

const char *spcc_emit_params_begin(spcc_emitter *e, const char *type, const char *hint) {
  const char *sym = spcc_emit_symbol(e, hint);
  spcc_emit_decl(e, "static const %s %s = {\n", type, sym);
  return sym;
}

void spcc_emit_param_i64(spcc_emitter *e, const char *field, int64_t v) {
  if (v == INT64_MIN)
    spcc_emit_decl(e, "  .%s = INT64_MIN,\n", field);
  else
    spcc_emit_decl(e, "  .%s = %lld,\n", field, (long long)v);
}

void spcc_emit_param_i64s(spcc_emitter *e, const char *field, const int64_t *v, int n) {
  spcc_emit_decl(e, "  .%s = {", field);
  for (int i = 0; i < n; i++) {
    if (v[i] == INT64_MIN)
      spcc_emit_decl(e, "%sINT64_MIN", i ? ", " : "");
    else
      spcc_emit_decl(e, "%s%lld", i ? ", " : "", (long long)v[i]);
  }
  if (n == 0) spcc_emit_decl(e, "0");
  spcc_emit_decl(e, "},\n");
}

void spcc_format_f32(char *buf, size_t n, float v) {
  if (isnan(v))
    snprintf(buf, n, "%sNAN", signbit(v) ? "-" : "");
  else if (isinf(v))
    snprintf(buf, n, "%sINFINITY", v < 0 ? "-" : "");
  else
    snprintf(buf, n, "%af", (double)v);
}

void spcc_format_f64(char *buf, size_t n, double v) {
  if (isnan(v))
    snprintf(buf, n, "%s(double)NAN", signbit(v) ? "-" : "");
  else if (isinf(v))
    snprintf(buf, n, "%s(double)INFINITY", v < 0 ? "-" : "");
  else
    snprintf(buf, n, "%a", v);
}

void spcc_emit_param_f32(spcc_emitter *e, const char *field, float v) {
  char buf[64];
  spcc_format_f32(buf, sizeof buf, v);
  spcc_emit_decl(e, "  .%s = %s,\n", field, buf);
}

void spcc_emit_param_f64(spcc_emitter *e, const char *field, double v) {
  char buf[64];
  spcc_format_f64(buf, sizeof buf, v);
  spcc_emit_decl(e, "  .%s = %s,\n", field, buf);
}

void spcc_emit_params_end(spcc_emitter *e) { spcc_emit_decl(e, "};\n"); }

/* One element of constant data as a C literal of its dtype. */
static void format_elem(char *buf, size_t n, spcc_dtype dt, const void *data, int64_t i) {
  switch (dt) {
  case SPCC_DT_F32: spcc_format_f32(buf, n, ((const float *)data)[i]); break;
  case SPCC_DT_F64: spcc_format_f64(buf, n, ((const double *)data)[i]); break;
  case SPCC_DT_I8: snprintf(buf, n, "%d", ((const int8_t *)data)[i]); break;
  case SPCC_DT_I16: snprintf(buf, n, "%d", ((const int16_t *)data)[i]); break;
  case SPCC_DT_I32: {
    int32_t v = ((const int32_t *)data)[i];
    if (v == INT32_MIN)
      snprintf(buf, n, "INT32_MIN");
    else
      snprintf(buf, n, "%ld", (long)v);
    break;
  }
  case SPCC_DT_I64: {
    int64_t v = ((const int64_t *)data)[i];
    if (v == INT64_MIN)
      snprintf(buf, n, "INT64_MIN");
    else
      snprintf(buf, n, "INT64_C(%lld)", (long long)v);
    break;
  }
  case SPCC_DT_U8:
  case SPCC_DT_BOOL: snprintf(buf, n, "%u", ((const uint8_t *)data)[i]); break;
  case SPCC_DT_U16: snprintf(buf, n, "%u", ((const uint16_t *)data)[i]); break;
  case SPCC_DT_U32: snprintf(buf, n, "%luu", (unsigned long)((const uint32_t *)data)[i]); break;
  case SPCC_DT_U64:
    snprintf(buf, n, "UINT64_C(%llu)", (unsigned long long)((const uint64_t *)data)[i]);
    break;
  default: SPCC_ASSERT(!"bad dtype");
  }
}

/* True when a float array holds a NaN that the NAN macro cannot spell
 * (a payload or sign other than the default quiet NaN's). */
static bool needs_bit_patterns(spcc_dtype dt, const void *data, int64_t numel) {
  for (int64_t i = 0; i < numel; i++) {
    if (dt == SPCC_DT_F32) {
      uint32_t b;
      memcpy(&b, (const float *)data + i, 4);
      if ((b & 0x7f800000u) == 0x7f800000u && (b & 0x7fffffu) && (b & 0x7fffffffu) != 0x7fc00000u)
        return true;
    } else if (dt == SPCC_DT_F64) {
      uint64_t b;
      memcpy(&b, (const double *)data + i, 8);
      const uint64_t exp = UINT64_C(0x7ff0000000000000), man = UINT64_C(0xfffffffffffff);
      if ((b & exp) == exp && (b & man) && (b & ~(UINT64_C(1) << 63)) != UINT64_C(0x7ff8000000000000))
        return true;
    }
  }
  return false;
}

/* A constant array; returns the C expression for its data. Float data is
 * written as hex floats; the rare array with NaN payloads is written as bit
 * patterns in a union so every bit survives. */
static const char *emit_array(spcc_emitter *e, const char *sym, spcc_dtype dt, const void *data,
                              int64_t numel, const char *comment) {
  long long len = (long long)(numel ? numel : 1);
  spcc_emit_decl(e, "/* %s */\n", comment);
  if (needs_bit_patterns(dt, data, numel)) {
    bool f32 = dt == SPCC_DT_F32;
    spcc_emit_decl(e, "static const union { %s bits[%lld]; %s v[%lld]; } %s = {{",
                   f32 ? "uint32_t" : "uint64_t", len, f32 ? "float" : "double", len, sym);
    for (int64_t i = 0; i < numel; i++) {
      uint64_t b = 0;
      if (f32) {
        uint32_t b32;
        memcpy(&b32, (const float *)data + i, 4);
        b = b32;
      } else {
        memcpy(&b, (const double *)data + i, 8);
      }
      spcc_emit_decl(e, "%s0x%llxu%s%s", i % 8 ? " " : "\n  ", (unsigned long long)b,
                     f32 ? "" : "ll", i + 1 < numel ? "," : "");
    }
    spcc_emit_decl(e, "\n}};\n");
    return spcc_arena_printf(e->arena, "%s.v", sym);
  }
  spcc_emit_decl(e, "static const %s %s[%lld] = {", spcc_dtype_ctype(dt), sym, len);
  if (numel == 0) spcc_emit_decl(e, "0");
  for (int64_t i = 0; i < numel; i++) {
    char buf[64];
    format_elem(buf, sizeof buf, dt, data, i);
    spcc_emit_decl(e, "%s%s%s", i % 8 ? " " : "\n  ", buf, i + 1 < numel ? "," : "");
  }
  spcc_emit_decl(e, "\n};\n");
  return sym;
}

static const char *comment_safe(spcc_emitter *e, const char *s) {
  char *c = spcc_arena_strdup(e->arena, s);
  for (char *p = c; *p; p++)
    if (*p == '*' || *p == '/' || !isprint((unsigned char)*p)) *p = '_';
  return c;
}

static const char *value_comment(spcc_emitter *e, int vid) {
  const spcc_value *v = &e->g->values[vid];
  char t[160];
  spcc_type_str(&v->type, t, sizeof t);
  return spcc_arena_printf(e->arena, "%s '%s'", t, comment_safe(e, v->name));
}

static const char *local_name(spcc_emitter *e, char kind, int id, const char *onnx) {
  char part[48];
  ident_part(part, sizeof part, onnx);
  return spcc_arena_printf(e->arena, "%c%d_%s", kind, id, part);
}

/* First graph-output slot of each value, or -1. */
static int *output_slots(const spcc_graph *g) {
  int *slot = malloc(sizeof(int) * (size_t)(g->n_values ? g->n_values : 1));
  if (!slot) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  for (int i = 0; i < g->n_values; i++) slot[i] = -1;
  for (int k = g->n_outputs - 1; k >= 0; k--) slot[g->outputs[k]] = k;
  return slot;
}

static bool check_emittable(const spcc_graph *g, spcc_diag *d) {
  for (int i = 0; i < g->n_values; i++) {
    const spcc_value *v = &g->values[i];
    if (!spcc_type_is_static(&v->type)) {
      spcc_error(d, g->source, NULL, "value '%s' has no static shape", v->name);
      return false;
    }
  }
  if (g->arena_size < 0) {
    spcc_error(d, g->source, NULL, "internal: memory was not planned before emission");
    return false;
  }
  return true;
}

/* Declares the pointer of every value; constants become static arrays. */
static void declare_values(spcc_emitter *e, const int *slot) {
  const spcc_graph *g = e->g;
  int *last_use = spcc_graph_last_uses(g);
  for (int k = 0; k < g->n_inputs; k++) {
    int vid = g->inputs[k];
    const char *ct = spcc_dtype_ctype(g->values[vid].type.dtype);
    e->ptr[vid] = local_name(e, 'i', k, g->values[vid].name);
    spcc_emit_line(e, "const %s *const %s = (const %s *)inputs[%d]; /* %s */", ct, e->ptr[vid],
                   ct, k, value_comment(e, vid));
  }
  for (int vid = 0; vid < g->n_values; vid++) {
    const spcc_value *v = &g->values[vid];
    const char *ct = spcc_dtype_ctype(v->type.dtype);
    if (v->kind == SPCC_VAL_CONST) {
      /* A weight only sparse kernels read is written packed by them
       * (backend/c/sparse.c); it has no dense array and no pointer. */
      if (!spcc_emit_const_needed(g, vid)) continue;
      const spcc_const *c = &g->consts[v->const_id];
      /* An empty constant only an output refers to: nothing to copy. */
      if (c->numel == 0 && last_use[vid] < 0) {
        e->ptr[vid] = "NULL";
        continue;
      }
      e->ptr[vid] = emit_array(e, local_name(e, 'c', vid, v->name), c->dtype, c->data, c->numel,
                               value_comment(e, vid));
    } else if (v->kind == SPCC_VAL_TEMP && slot[vid] >= 0) {
      e->ptr[vid] = local_name(e, 'o', slot[vid], v->name);
      spcc_emit_line(e, "%s *const %s = (%s *)outputs[%d]; /* %s */", ct, e->ptr[vid], ct,
                     slot[vid], value_comment(e, vid));
    } else if (v->kind == SPCC_VAL_TEMP) {
      e->ptr[vid] = local_name(e, 't', vid, v->name);
      spcc_emit_line(e, "%s *const %s = (%s *)(A + %lld); /* %s */", ct, e->ptr[vid], ct,
                     (long long)v->offset, value_comment(e, vid));
    }
  }
  free(last_use);
}

/* --bind: the generated code refuses any other value for a bound input. */
static void emit_bind_checks(spcc_emitter *e) {
  const spcc_graph *g = e->g;
  for (int k = 0; k < g->n_inputs; k++) {
    int vid = g->inputs[k];
    const spcc_value *v = &g->values[vid];
    if (v->const_id < 0) continue;
    const spcc_const *c = &g->consts[v->const_id];
    int64_t bytes = spcc_type_bytes(&v->type);
    if (bytes <= 0) continue; /* an empty tensor has only one value */
    const char *sym =
        emit_array(e, local_name(e, 'b', k, v->name), c->dtype, c->data, c->numel,
                   spcc_arena_printf(e->arena, "value bound to input %s", value_comment(e, vid)));
    spcc_emit_line(e, "if (memcmp(%s, %s, %lld) != 0) return 1; /* not the --bind value */",
                   e->ptr[vid], sym, (long long)bytes);
  }
}

/* Outputs no node writes in place: constants, inputs, repeated outputs. */
static void emit_output_copies(spcc_emitter *e, const int *slot) {
  const spcc_graph *g = e->g;
  for (int k = 0; k < g->n_outputs; k++) {
    int vid = g->outputs[k];
    const spcc_value *v = &g->values[vid];
    if (v->kind == SPCC_VAL_TEMP && slot[vid] == k) continue;
    int64_t bytes = spcc_type_bytes(&v->type);
    if (bytes > 0)
      spcc_emit_line(e, "memcpy(outputs[%d], %s, %lld);", k, e->ptr[vid], (long long)bytes);
  }
}

/* "const float x[1][784]" for the typed entry point. */
static const char *typed_param(spcc_emitter *e, int vid, bool is_const, const char *pname) {
  const spcc_value *v = &e->g->values[vid];
  const char *ct = spcc_dtype_ctype(v->type.dtype);
  if (v->type.rank == 0 || spcc_type_numel(&v->type) == 0)
    return spcc_arena_printf(e->arena, "%s%s *%s", is_const ? "const " : "", ct, pname);
  char dims[256] = "";
  size_t len = 0;
  for (int r = 0; r < v->type.rank && len < sizeof dims; r++)
    len += (size_t)snprintf(dims + len, sizeof dims - len, "[%lld]", (long long)v->type.dims[r]);
  return spcc_arena_printf(e->arena, "%s%s %s%s", is_const ? "const " : "", ct, pname, dims);
}

static bool is_c_keyword(const char *s) {
  static const char *const kw[] = {
      "auto",   "break",  "case",     "char",   "const",    "continue", "default",  "do",
      "double", "else",   "enum",     "extern", "float",    "for",      "goto",     "if",
      "inline", "int",    "long",     "register", "restrict", "return", "short",    "signed",
      "sizeof", "static", "struct",   "switch", "typedef",  "union",    "unsigned", "void",
      "volatile", "while", "_Bool",   "_Complex", "_Imaginary", "arena", "inputs", "outputs"};
  for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
    if (strcmp(kw[i], s) == 0) return true;
  return false;
}

/* Parameter names of PREFIX_infer: the ONNX names as unique C identifiers. */
static const char **param_names(spcc_emitter *e) {
  const spcc_graph *g = e->g;
  int n = g->n_inputs + g->n_outputs;
  const char **names = spcc_arena_alloc(e->arena, sizeof(char *) * (size_t)(n ? n : 1));
  for (int k = 0; k < n; k++) {
    int vid = k < g->n_inputs ? g->inputs[k] : g->outputs[k - g->n_inputs];
    char base[48];
    ident_part(base, sizeof base, g->values[vid].name);
    if (!base[0] || isdigit((unsigned char)base[0]) || is_c_keyword(base) ||
        (base[0] == '_' && (base[1] == '_' || isupper((unsigned char)base[1])))) {
      char tmp[sizeof base];
      memcpy(tmp, base, sizeof tmp);
      base[0] = 'v';
      base[1] = '_';
      memcpy(base + 2, tmp, sizeof base - 2);
      base[sizeof base - 1] = 0;
    }
    const char *name = base;
    for (int suffix = 2;; suffix++) {
      bool clash = false;
      for (int j = 0; j < k; j++)
        if (strcmp(names[j], name) == 0) clash = true;
      if (!clash) break;
      name = spcc_arena_printf(e->arena, "%s_%d", base, suffix);
    }
    names[k] = spcc_arena_strdup(e->arena, name);
  }
  return names;
}

static const char *infer_signature(spcc_emitter *e, const char *prefix) {
  const spcc_graph *g = e->g;
  const char **names = param_names(e);
  spcc_strbuf s = {0};
  spcc_sb_printf(&s, "int %s_infer(void *arena", prefix);
  for (int k = 0; k < g->n_inputs; k++)
    spcc_sb_printf(&s, ", %s", typed_param(e, g->inputs[k], true, names[k]));
  for (int k = 0; k < g->n_outputs; k++)
    spcc_sb_printf(&s, ", %s", typed_param(e, g->outputs[k], false, names[g->n_inputs + k]));
  spcc_sb_printf(&s, ")");
  const char *r = spcc_arena_strdup(e->arena, s.data);
  spcc_sb_free(&s);
  return r;
}

static void write_header(FILE *h, const spcc_graph *g, const char *prefix, const char *sig) {
  char up[256];
  size_t i = 0;
  for (; prefix[i] && i + 1 < sizeof up; i++) up[i] = (char)toupper((unsigned char)prefix[i]);
  up[i] = 0;
  int64_t arena = g->arena_size > 0 ? g->arena_size : 1;
  fprintf(h, "/* Generated by spcc %s from %s. Do not edit. */\n", SPCC_VERSION,
          g->source ? g->source : g->name);
  fprintf(h, "#ifndef %s_H\n#define %s_H\n\n#include <stdint.h>\n\n", up, up);
  fprintf(h, "/* Bytes of scratch memory %s_run needs; pass a 64-byte aligned buffer. */\n", prefix);
  fprintf(h, "#define %s_ARENA_SIZE %lld\n", up, (long long)arena);
  fprintf(h, "#define %s_NUM_INPUTS %d\n#define %s_NUM_OUTPUTS %d\n\n", up, g->n_inputs, up,
          g->n_outputs);
  fprintf(h, "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
  fprintf(h, "/* Runs the model. inputs[k] and outputs[k] are dense row-major tensors in\n"
             " * graph order; returns 0 on success. Reentrant: no state between calls. */\n");
  fprintf(h, "int %s_run(void *arena, const void *const inputs[], void *const outputs[]);\n",
          prefix);
  fprintf(h, "/* The same with one typed array per input and output. */\n%s;\n\n", sig);
  fprintf(h, "#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
}

bool spcc_emit_c(const spcc_graph *g, const char *prefix, const char *header_name, FILE *c_out,
                 FILE *h_out, spcc_diag *d) {
  if (!check_emittable(g, d)) return false;
  spcc_emitter e;
  memset(&e, 0, sizeof e);
  e.g = g;
  e.arena = spcc_arena_new();
  e.ptr = spcc_arena_alloc(e.arena, sizeof(char *) * (size_t)(g->n_values ? g->n_values : 1));
  int *slot = output_slots(g);
  bool ok = true;

  if (g->arena_size > 0) spcc_emit_line(&e, "unsigned char *const A = (unsigned char *)arena;");
  else spcc_emit_line(&e, "(void)arena;");
  if (g->n_inputs == 0) spcc_emit_line(&e, "(void)inputs;");
  /* outputs is read by the pointers of node-written outputs and by the
   * copies of non-empty others; a model with neither must not warn. */
  bool reads_outputs = false;
  for (int k = 0; k < g->n_outputs; k++) {
    const spcc_value *v = &g->values[g->outputs[k]];
    if ((v->kind == SPCC_VAL_TEMP && slot[g->outputs[k]] == k) || spcc_type_bytes(&v->type) > 0)
      reads_outputs = true;
  }
  if (!reads_outputs) spcc_emit_line(&e, "(void)outputs;");
  declare_values(&e, slot);
  emit_bind_checks(&e);
  for (int i = 0; i < g->n_nodes && ok; i++) {
    const spcc_node *n = &g->nodes[i];
    spcc_sb_printf(&e.body, "\n");
    if (n->onnx_index >= 0)
      spcc_emit_line(&e, "/* node %d '%s' (%s) */", n->onnx_index, comment_safe(&e, n->name),
                     spcc_op_onnx_name(n->op));
    else
      spcc_emit_line(&e, "/* %s */", spcc_op_onnx_name(n->op));
    ok = spcc_emit_node(&e, n, d);
  }
  /* Inputs no node reads (their pointers would warn as unused). */
  int *last_use = spcc_graph_last_uses(g);
  for (int k = 0; k < g->n_inputs && ok; k++)
    if (last_use[g->inputs[k]] < 0 && slot[g->inputs[k]] < 0 &&
        (g->values[g->inputs[k]].const_id < 0 || spcc_type_bytes(&g->values[g->inputs[k]].type) <= 0))
      spcc_emit_line(&e, "(void)%s; /* unused input */", e.ptr[g->inputs[k]]);
  free(last_use);
  emit_output_copies(&e, slot);

  if (ok) {
    const char *sig = infer_signature(&e, prefix);
    write_header(h_out, g, prefix, sig);
    fprintf(c_out, "/* Generated by spcc %s from %s. Do not edit.\n", SPCC_VERSION,
            g->source ? g->source : g->name);
    fprintf(c_out, " * Arena: %lld bytes (liveness lower bound %lld). */\n",
            (long long)g->arena_size, (long long)g->arena_lower_bound);
    fprintf(c_out, "#include \"%s\"\n\n#include <math.h>\n#include <string.h>\n\n"
                   "#include \"spcc/spcc_rt.h\"\n\n",
            header_name);
    if (e.decls.data) fputs(e.decls.data, c_out);
    fprintf(c_out, "\nint %s_run(void *arena, const void *const inputs[], void *const outputs[]) {\n",
            prefix);
    if (e.body.data) fputs(e.body.data, c_out);
    fprintf(c_out, "  return 0;\n}\n\n%s {\n", sig);
    const char **names = param_names(&e);
    if (g->n_inputs) {
      fprintf(c_out, "  const void *const inputs[%d] = {", g->n_inputs);
      for (int k = 0; k < g->n_inputs; k++) fprintf(c_out, "%s%s", k ? ", " : "", names[k]);
      fprintf(c_out, "};\n");
    }
    if (g->n_outputs) {
      fprintf(c_out, "  void *const outputs[%d] = {", g->n_outputs);
      for (int k = 0; k < g->n_outputs; k++)
        fprintf(c_out, "%s%s", k ? ", " : "", names[g->n_inputs + k]);
      fprintf(c_out, "};\n");
    }
    fprintf(c_out, "  return %s_run(arena, %s, %s);\n}\n", prefix, g->n_inputs ? "inputs" : "0",
            g->n_outputs ? "outputs" : "0");
  }
  free(slot);
  spcc_sb_free(&e.decls);
  spcc_sb_free(&e.body);
  spcc_arena_free(e.arena);
  return ok;
}
