/* sparse.c - C emission of Gemm, MatMul and Conv whose weight is a
 * sparse-encoded constant (CSR, BSR or N:M).
 *
 * The IR keeps a sparse weight's logical values plus its encoding; here the
 * pair is packed (spcc_pack_weight, ir/sparse_pack.c, the layouts of
 * ir/sparse.h) and written as `static const` arrays - int32 row pointers,
 * 8/16/32-bit column indices or the N:M position bit stream, hex-float
 * values - plus a `static const` descriptor (spcc_csr_f32, spcc_bsr_f32,
 * spcc_nm_f32 of rt/sparse.h) holding the shape and pointing at them, so
 * every index and bound is a constant of the generated program. The arrays
 * are written once, at the weight's first use, under names derived from
 * the value (s<id>_<name>_...), and the core emitter skips the dense array
 * (spcc_emit_const_needed): the object's read-only data is the packed size
 * plus a few dozen bytes per weight.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ir/sparse.h"
#include "sparse_emit.h"

bool spcc_emit_sparse_weight(const spcc_graph *g, const spcc_node *n) {
  if (n->dead || n->n_out < 1) return false;
  if (n->op != SPCC_OP_GEMM && n->op != SPCC_OP_MATMUL && n->op != SPCC_OP_CONV) return false;
  const int x = spcc_node_in(n, 0), w = spcc_node_in(n, 1);
  if (x < 0 || w < 0) return false;
  const spcc_value *wv = &g->values[w];
  const spcc_encoding_kind k = wv->type.enc.kind;
  if (wv->kind != SPCC_VAL_CONST || (k != SPCC_ENC_CSR && k != SPCC_ENC_BSR && k != SPCC_ENC_NM))
    return false;
  if (wv->type.dtype != SPCC_DT_F32 || g->values[x].type.dtype != SPCC_DT_F32 ||
      g->values[n->out[0]].type.dtype != SPCC_DT_F32)
    return false;
  spcc_weight_view v;
  return spcc_weight_view_of(g, n, 1, &v);
}

bool spcc_emit_const_needed(const spcc_graph *g, int vid) {
  const spcc_value *v = &g->values[vid];
  if (v->kind != SPCC_VAL_CONST || v->type.enc.kind == SPCC_ENC_DENSE) return true;
  for (int k = 0; k < g->n_outputs; k++)
    if (g->outputs[k] == vid) return true;
  for (int i = 0; i < g->n_nodes; i++) {
    const spcc_node *n = &g->nodes[i];
    for (int k = 0; k < n->n_in; k++)
      if (n->in[k] == vid && (k != 1 || !spcc_emit_sparse_weight(g, n))) return true;
  }
  return false;
}

/* ---- the packed weight ---------------------------------------------------------- */

/* "s<vid>_<name>": a C identifier of its own kind letter, so it never meets
 * the core emitter's locals (i, c, t, o, b) or parameter blocks (p). */
static void weight_symbol(char *buf, size_t n, int vid, const char *name) {
  int len = snprintf(buf, n, "s%d_", vid);
  for (const char *s = name; *s && len < 44 && (size_t)len + 1 < n; s++)
    buf[len++] = isalnum((unsigned char)*s) ? *s : '_';
  buf[len] = 0;
}

/* Index of the first node that reads vid as a sparse weight. */
static int first_sparse_use(const spcc_graph *g, int vid) {
  for (int i = 0; i < g->n_nodes; i++)
    if (spcc_node_in(&g->nodes[i], 1) == vid && spcc_emit_sparse_weight(g, &g->nodes[i]))
      return i;
  return -1;
}

/* Element i of an integer array of `bits` width (32 = int32 row pointers
 * or uint32 indices, told apart by is_signed). */
static long long int_at(const void *data, int bits, bool is_signed, int64_t i) {
  switch (bits) {
  case 8: return ((const uint8_t *)data)[i];
  case 16: return ((const uint16_t *)data)[i];
  default:
    if (is_signed) return ((const int32_t *)data)[i];
    return ((const uint32_t *)data)[i];
  }
}

/* static const <ctype> <sym><suffix>[count] = {...}; (count > 0: an
 * empty array is not written, its pointer stays NULL, and the kernels
 * never read it). */
static void emit_ints(spcc_emitter *e, const char *ctype, const char *sym, const char *suffix,
                      const void *data, int bits, bool is_signed, int64_t count) {
  spcc_emit_decl(e, "static const %s %s%s[%lld] = {", ctype, sym, suffix, (long long)count);
  for (int64_t i = 0; i < count; i++)
    spcc_emit_decl(e, "%s%lld%s", i % 16 ? " " : "\n  ", int_at(data, bits, is_signed, i),
                   i + 1 < count ? "," : "");
  spcc_emit_decl(e, "\n};\n");
}

/* The values (count > 0) as hex floats; an array with a NaN is written as
 * bit patterns in a union, so every payload survives. Writes the C
 * expression of the data to expr. */
static void emit_values(spcc_emitter *e, const char *sym, const float *val, int64_t count,
                        char *expr, size_t n) {
  bool nan = false;
  for (int64_t i = 0; i < count && !nan; i++) nan = isnan(val[i]);
  if (nan) {
    spcc_emit_decl(e, "static const union { uint32_t bits[%lld]; float v[%lld]; } %s_val = {{",
                   (long long)count, (long long)count, sym);
    for (int64_t i = 0; i < count; i++) {
      uint32_t b;
      memcpy(&b, &val[i], 4);
      spcc_emit_decl(e, "%s0x%lxu%s", i % 8 ? " " : "\n  ", (unsigned long)b,
                     i + 1 < count ? "," : "");
    }
    spcc_emit_decl(e, "\n}};\n");
    snprintf(expr, n, "%s_val.v", sym);
    return;
  }
  spcc_emit_decl(e, "static const float %s_val[%lld] = {", sym, (long long)count);
  for (int64_t i = 0; i < count; i++) {
    char buf[64];
    spcc_format_f32(buf, sizeof buf, val[i]);
    spcc_emit_decl(e, "%s%s%s", i % 8 ? " " : "\n  ", buf, i + 1 < count ? "," : "");
  }
  spcc_emit_decl(e, "\n};\n");
  snprintf(expr, n, "%s_val", sym);
}

static const char *index_field(int bits) {
  return bits == 8 ? "col8" : bits == 16 ? "col16" : "col32";
}

static const char *index_ctype(int bits) {
  return bits == 8 ? "uint8_t" : bits == 16 ? "uint16_t" : "uint32_t";
}

/* The arrays and the descriptor of a packed weight named sym. */
static void emit_packed(spcc_emitter *e, const char *sym, const spcc_packed *pk,
                        const spcc_value *v, const spcc_weight_view *view) {
  const spcc_encoding *enc = &pk->enc;
  char type[160], val[96] = "";
  spcc_type_str(&v->type, type, sizeof type);
  int64_t nnz = 0;
  for (int64_t i = 0; i < pk->nnz; i++) nnz += pk->val[i] != 0;
  const int64_t numel = view->rows * view->cols;
  char shape[64] = "";
  if (enc->kind == SPCC_ENC_BSR)
    snprintf(shape, sizeof shape, " %dx%d", enc->block_r, enc->block_c);
  if (enc->kind == SPCC_ENC_NM) snprintf(shape, sizeof shape, " %d:%d", enc->nm_n, enc->nm_m);
  /* The ONNX name goes into a comment: keep only harmless characters. */
  char name[64];
  size_t k = 0;
  for (const char *s = v->name; *s && k + 1 < sizeof name; s++)
    name[k++] = isprint((unsigned char)*s) && *s != '*' && *s != '/' ? *s : '_';
  name[k] = 0;
  spcc_emit_decl(e,
                 "/* %s '%s' as %s%s: %lld x %lld, %lld nonzeros (%.1f%%), %d-bit indices,\n"
                 " * %lld bytes packed (dense %lld) */\n",
                 type, name, spcc_encoding_kind_name(enc->kind), shape, (long long)view->rows,
                 (long long)view->cols, (long long)nnz,
                 numel ? 100.0 * (double)nnz / (double)numel : 0.0, enc->index_bits,
                 (long long)pk->bytes, (long long)(4 * numel));
  /* An all-zero weight stores no values and no indices (NULL pointers). */
  const bool nm = enc->kind == SPCC_ENC_NM, has_idx = pk->nnz > 0, has_val = pk->nnz > 0;
  if (nm && has_idx) emit_ints(e, "uint8_t", sym, "_idx", pk->idx, 8, false, pk->n_idx);
  if (!nm) emit_ints(e, "int32_t", sym, "_rowptr", pk->rowptr, 32, true, pk->n_ptr);
  if (!nm && has_idx)
    emit_ints(e, index_ctype(enc->index_bits), sym, "_col", pk->idx, enc->index_bits, false,
              pk->n_idx);
  if (has_val) emit_values(e, sym, pk->val, pk->nnz, val, sizeof val);

  static const char *const types[] = {"", "spcc_csr_f32", "spcc_bsr_f32", "spcc_nm_f32"};
  spcc_emit_decl(e, "static const %s %s = {\n", types[enc->kind], sym);
  spcc_emit_param_i64(e, "rows", view->rows);
  spcc_emit_param_i64(e, "cols", view->cols);
  if (enc->kind == SPCC_ENC_BSR) {
    spcc_emit_param_i64(e, "block_r", enc->block_r);
    spcc_emit_param_i64(e, "block_c", enc->block_c);
  }
  if (nm) {
    spcc_emit_param_i64(e, "n", enc->nm_n);
    spcc_emit_param_i64(e, "m", enc->nm_m);
    spcc_emit_param_i64(e, "index_bits", enc->index_bits);
  } else {
    spcc_emit_decl(e, "  .rowptr = %s_rowptr,\n", sym);
  }
  if (has_idx && nm) spcc_emit_decl(e, "  .idx = %s_idx,\n", sym);
  if (has_idx && !nm) spcc_emit_decl(e, "  .%s = %s_col,\n", index_field(enc->index_bits), sym);
  if (has_val) spcc_emit_decl(e, "  .val = %s,\n", val);
  spcc_emit_params_end(e);
}

/* The descriptor of n's weight: its name in sym, the kernel family ("csr",
 * "bsr", "nm") in *fmt. At the weight's first use the packed arrays and
 * the descriptor are written. */
static bool sparse_weight_ref(spcc_emitter *e, const spcc_node *n, char *sym, size_t symlen,
                              const char **fmt, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  const int vid = n->in[1];
  const spcc_value *v = &g->values[vid];
  weight_symbol(sym, symlen, vid, v->name);
  *fmt = spcc_encoding_kind_name(v->type.enc.kind);
  if (first_sparse_use(g, vid) != (int)(n - g->nodes)) return true;
  spcc_weight_view view;
  spcc_packed pk;
  const float *data = g->consts[v->const_id].data;
  if (!spcc_weight_view_of(g, n, 1, &view) || !spcc_pack_weight(data, &view, &v->type.enc, &pk)) {
    spcc_node_error(d, g, n, "internal: weight '%s' cannot be packed as %s", v->name, *fmt);
    return false;
  }
  emit_packed(e, sym, &pk, v, &view);
  spcc_packed_free(&pk);
  return true;
}

static const char *hint(const spcc_node *n) {
  return n->name && n->name[0] ? n->name : spcc_op_ir_name(n->op);
}

/* ---- the ops ------------------------------------------------------------------- */

bool spcc_emit_sparse_gemm(spcc_emitter *e, const spcc_node *n, const spcc_gemm_params *p,
                           spcc_diag *d) {
  char w[64];
  const char *fmt;
  if (!sparse_weight_ref(e, n, w, sizeof w, &fmt, d)) return false;
  const char *sym = spcc_emit_params_begin(e, "spcc_sparse_gemm_params", hint(n));
  spcc_emit_param_i64(e, "m", p->m);
  spcc_emit_param_i64(e, "trans_a", p->trans_a);
  spcc_emit_param_f32(e, "alpha", p->alpha);
  spcc_emit_param_f32(e, "beta", p->beta);
  spcc_emit_param_i64(e, "c_row_stride", p->c_row_stride);
  spcc_emit_param_i64(e, "c_col_stride", p->c_col_stride);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "spcc_gemm_%s_f32(&%s, %s, &%s, %s, %s);", fmt, sym,
                 spcc_emit_ptr(e, n->in[0]), w, spcc_emit_ptr(e, spcc_node_in(n, 2)),
                 spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_emit_sparse_matmul(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_type *a = spcc_in_type(spcc_emit_graph(e), n, 0);
  char w[64];
  const char *fmt;
  if (!sparse_weight_ref(e, n, w, sizeof w, &fmt, d)) return false;
  /* X[..., M, K] against one 2-D W: all rows of X in one product. */
  int64_t m = 1;
  for (int r = 0; r + 1 < a->rank; r++) m *= a->dims[r];
  const char *sym = spcc_emit_params_begin(e, "spcc_sparse_gemm_params", hint(n));
  spcc_emit_param_i64(e, "m", m);
  spcc_emit_param_f32(e, "alpha", 1.0f);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "spcc_gemm_%s_f32(&%s, %s, &%s, NULL, %s);", fmt, sym,
                 spcc_emit_ptr(e, n->in[0]), w, spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_emit_sparse_conv(spcc_emitter *e, const spcc_node *n, const char *params,
                           spcc_diag *d) {
  char w[64];
  const char *fmt;
  if (!sparse_weight_ref(e, n, w, sizeof w, &fmt, d)) return false;
  spcc_emit_line(e, "spcc_conv_%s_f32(&%s, %s, &%s, %s, %s);", fmt, params,
                 spcc_emit_ptr(e, n->in[0]), w, spcc_emit_ptr(e, spcc_node_in(n, 2)),
                 spcc_emit_ptr(e, n->out[0]));
  return true;
}
