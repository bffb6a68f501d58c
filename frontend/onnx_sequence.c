/* onnx_sequence.c - sequence ops, resolved at import time.
 *
 * A sequence is a compile-time list of tensors (spcc_fe_seq: value ids).
 * SequenceConstruct, SequenceEmpty, SequenceInsert, SequenceErase and
 * Identity only rearrange the list; SequenceAt and SequenceLength read it;
 * SplitToSequence becomes a Split (plus Squeezes), ConcatFromSequence a
 * Concat (plus Unsqueezes), SequenceMap inlines its body once per element.
 * Positions and split sizes must therefore be known at compile time, which
 * they are in exported models (constants, or shape arithmetic that folds);
 * the generated code only ever sees tensors.
 */
#include <stdlib.h>
#include <string.h>

#include "import.h"

/* Split has at most this many outputs (its shape rule's limit). */
#define MAX_PIECES 1024

static const char *const seq_ops[] = {
    "SequenceEmpty", "SequenceConstruct", "SequenceInsert",   "SequenceErase",      "SequenceAt",
    "SequenceLength", "SplitToSequence",  "ConcatFromSequence", "SequenceMap",
};

bool spcc_fe_is_sequence_op(const char *op_type) {
  for (size_t i = 0; i < sizeof seq_ops / sizeof *seq_ops; i++)
    if (strcmp(op_type, seq_ops[i]) == 0) return true;
  return false;
}

static int64_t int_attr(const Onnx__NodeProto *np, const char *name, int64_t def) {
  for (size_t k = 0; k < np->n_attribute; k++) {
    const Onnx__AttributeProto *a = np->attribute[k];
    if (a && a->name && strcmp(a->name, name) == 0 && a->has_i) return a->i;
  }
  return def;
}

/* Input k as a sequence (settled, so its items are typed). */
static const spcc_fe_seq *seq_input(spcc_fe_importer *im, const Onnx__NodeProto *np, size_t k,
                                    const char *where) {
  int ref;
  if (!spcc_fe_input_ref(im, np, k, where, &ref)) return NULL;
  if (!spcc_fe_is_seq(ref)) {
    spcc_error(im->d, where, NULL, "input %zu must be a sequence", k);
    return NULL;
  }
  return spcc_fe_seq_get(im, ref);
}

/* Input k as a tensor value id (NO_REF when optional and omitted). */
static bool tensor_input(spcc_fe_importer *im, const Onnx__NodeProto *np, size_t k,
                         bool optional, const char *where, int *vid) {
  if (!spcc_fe_input_ref(im, np, k, where, vid)) return false;
  if (*vid == SPCC_FE_NO_REF && !optional) {
    spcc_error(im->d, where, NULL, "input %zu is missing", k);
    return false;
  }
  if (spcc_fe_is_seq(*vid)) {
    spcc_error(im->d, where, NULL, "input %zu must be a tensor, not a sequence", k);
    return false;
  }
  return true;
}

/* A known position (input k, default def when omitted) checked against
 * [-n, n] (insert) or [-n, n-1]; returned non-negative. */
static bool position(spcc_fe_importer *im, const Onnx__NodeProto *np, size_t k, int n,
                     bool insert, int64_t def, const char *where, int64_t *pos) {
  int vid;
  if (!tensor_input(im, np, k, true, where, &vid)) return false;
  *pos = def;
  if (vid != SPCC_FE_NO_REF && !spcc_fe_known_int(im, vid, where, "the position", pos))
    return false;
  int64_t hi = insert ? n : n - 1;
  if (*pos < -(int64_t)n || *pos > hi) {
    spcc_error(im->d, where, NULL, "position %lld is out of range for a sequence of %d",
               (long long)*pos, n);
    return false;
  }
  if (*pos < 0) *pos += n;
  return true;
}

static bool check_dtype(spcc_fe_importer *im, spcc_dtype want, int vid, const char *where) {
  spcc_dtype got = im->g->values[vid].type.dtype;
  if (got != want) {
    spcc_error(im->d, where, NULL, "tensor '%s' is %s, the sequence holds %s",
               im->g->values[vid].name, spcc_dtype_name(got), spcc_dtype_name(want));
    return false;
  }
  return true;
}

static bool seq_output(spcc_fe_importer *im, const Onnx__NodeProto *np, spcc_dtype dt, int n,
                       const int *items, const char *where) {
  return spcc_fe_bind_output(im, np, 0, spcc_fe_seq_new(im, dt, n, items), where);
}

/* ---- list operations ------------------------------------------------------------ */

static bool seq_empty(spcc_fe_importer *im, const Onnx__NodeProto *np, const char *where) {
  int64_t onnx_dt = int_attr(np, "dtype", 1 /* FLOAT */);
  spcc_dtype dt = spcc_dtype_from_onnx((int)onnx_dt);
  if (dt == SPCC_DT_UNDEF) {
    spcc_error(im->d, where, NULL, "unsupported element type %s",
               spcc_onnx_type_name((int)onnx_dt));
    return false;
  }
  return seq_output(im, np, dt, 0, NULL, where);
}

static bool seq_construct(spcc_fe_importer *im, const Onnx__NodeProto *np, const char *where) {
  if (np->n_input == 0) {
    spcc_error(im->d, where, NULL, "SequenceConstruct needs at least one input");
    return false;
  }
  int *items = malloc(sizeof(int) * np->n_input);
  if (!items) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  bool ok = true;
  for (size_t k = 0; ok && k < np->n_input; k++)
    ok = tensor_input(im, np, k, false, where, &items[k]);
  ok = ok && spcc_fe_settle(im);
  for (size_t k = 1; ok && k < np->n_input; k++)
    ok = check_dtype(im, im->g->values[items[0]].type.dtype, items[k], where);
  ok = ok && seq_output(im, np, im->g->values[items[0]].type.dtype, (int)np->n_input, items,
                        where);
  free(items);
  return ok;
}

/* SequenceInsert (insert) and SequenceErase. */
static bool seq_edit(spcc_fe_importer *im, const Onnx__NodeProto *np, bool insert,
                     const char *where) {
  const spcc_fe_seq *s = seq_input(im, np, 0, where);
  if (!s) return false;
  spcc_dtype dt = s->dtype;
  int n = s->n, t = -1;
  const int *old = s->items;
  if (insert && (!tensor_input(im, np, 1, false, where, &t) || !spcc_fe_settle(im) ||
                 !check_dtype(im, dt, t, where)))
    return false;
  if (!insert && n == 0) {
    spcc_error(im->d, where, NULL, "SequenceErase of an empty sequence");
    return false;
  }
  int64_t pos;
  if (!position(im, np, insert ? 2 : 1, n, insert, insert ? n : -1, where, &pos)) return false;
  int *items = malloc(sizeof(int) * (size_t)(n + 1));
  if (!items) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  int m = 0;
  for (int i = 0; i <= n; i++) {
    if (insert && i == pos) items[m++] = t;
    if (i < n && (insert || i != pos)) items[m++] = old[i];
  }
  bool ok = seq_output(im, np, dt, m, items, where);
  free(items);
  return ok;
}

static bool seq_at(spcc_fe_importer *im, const Onnx__NodeProto *np, const char *where) {
  const spcc_fe_seq *s = seq_input(im, np, 0, where);
  if (!s) return false;
  int pos_vid;
  if (!tensor_input(im, np, 1, false, where, &pos_vid)) return false;
  int64_t pos;
  if (!position(im, np, 1, s->n, false, 0, where, &pos)) return false;
  return spcc_fe_bind_output(im, np, 0, s->items[pos], where);
}

static bool seq_length(spcc_fe_importer *im, const Onnx__NodeProto *np, const char *where) {
  const spcc_fe_seq *s = seq_input(im, np, 0, where);
  if (!s) return false;
  int64_t n = s->n;
  return spcc_fe_bind_output(im, np, 0, spcc_fe_const_i64(im, 1, &n, true), where);
}

/* ---- SplitToSequence ------------------------------------------------------------- */

/* Piece sizes from the split input (absent: all 1; scalar: chunks, the
 * last one shorter; vector: as given). */
static bool split_sizes(spcc_fe_importer *im, int split, int64_t dim, const char *where,
                        int64_t **sizes, int *count) {
  *sizes = NULL;
  *count = 0;
  const spcc_type *t = split >= 0 ? &im->g->values[split].type : NULL;
  const void *p = NULL;
  if (t) {
    bool ok;
    p = spcc_fe_known(im, split, &ok);
    if (!ok) return false;
    if (t->dtype != SPCC_DT_I64 && t->dtype != SPCC_DT_I32) {
      spcc_error(im->d, where, NULL, "split must be int32 or int64, not %s",
                 spcc_dtype_name(t->dtype));
      return false;
    }
    if (t->rank > 1) {
      spcc_error(im->d, where, NULL, "split must be a scalar or a 1-D tensor");
      return false;
    }
    if (!p) {
      spcc_error(im->d, where, NULL,
                 "unsupported: split ('%s') must be a compile-time constant (fix it with --bind)",
                 im->g->values[split].name);
      return false;
    }
  }
  int64_t numel = t ? spcc_type_numel(t) : 0;
#define SPLIT_AT(i) (t->dtype == SPCC_DT_I64 ? ((const int64_t *)p)[i] : ((const int32_t *)p)[i])
  int64_t chunk = !t ? 1 : t->rank == 0 ? SPLIT_AT(0) : 0;
  if (t && t->rank == 0 && chunk <= 0) {
    spcc_error(im->d, where, NULL, "split %lld must be positive", (long long)chunk);
    return false;
  }
  int64_t n = chunk ? (dim + chunk - 1) / chunk : numel;
  if (n > MAX_PIECES) {
    spcc_error(im->d, where, NULL, "unsupported: %lld pieces (at most %d)", (long long)n,
               MAX_PIECES);
    return false;
  }
  *sizes = malloc(sizeof(int64_t) * (size_t)(n + 1));
  if (!*sizes) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  int64_t total = 0;
  for (int64_t i = 0; i < n; i++) {
    int64_t v = chunk ? (dim - i * chunk < chunk ? dim - i * chunk : chunk) : SPLIT_AT(i);
    if (v < 0) {
      spcc_error(im->d, where, NULL, "split size %lld is negative", (long long)v);
      free(*sizes);
      *sizes = NULL;
      return false;
    }
    (*sizes)[i] = v;
    total += v;
  }
#undef SPLIT_AT
  if (total != dim) {
    spcc_error(im->d, where, NULL, "split sizes add up to %lld, the axis has %lld",
               (long long)total, (long long)dim);
    free(*sizes);
    *sizes = NULL;
    return false;
  }
  *count = (int)n;
  return true;
}

static bool split_to_sequence(spcc_fe_importer *im, const Onnx__NodeProto *np,
                              const char *where) {
  int x, split;
  if (!tensor_input(im, np, 0, false, where, &x) ||
      !tensor_input(im, np, 1, true, where, &split) || !spcc_fe_settle(im))
    return false;
  const spcc_type xt = im->g->values[x].type;
  int64_t axis = int_attr(np, "axis", 0);
  if (axis < -xt.rank || axis >= xt.rank) {
    spcc_error(im->d, where, NULL, "axis %lld is out of range for rank %d", (long long)axis,
               xt.rank);
    return false;
  }
  if (axis < 0) axis += xt.rank;
  int64_t *sizes;
  int n;
  if (!split_sizes(im, split, xt.dims[axis], where, &sizes, &n)) return false;
  const bool squeeze = split < 0 && int_attr(np, "keepdims", 1) == 0;
  int *pieces = malloc(sizeof(int) * (size_t)(n + 1));
  if (!pieces) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  for (int i = 0; i < n; i++) pieces[i] = -1;
  if (n > 0) {
    int in[2] = {x, spcc_fe_const_i64(im, n, sizes, false)};
    int idx = spcc_fe_add_node(im, SPCC_OP_SPLIT, 13, 2, in, n, pieces);
    spcc_node_set_int(im->g, idx, "axis", axis);
  }
  if (squeeze && n > 0) {
    int axes = spcc_fe_const_i64(im, 1, &axis, false);
    for (int i = 0; i < n; i++) {
      int in[2] = {pieces[i], axes}, out = -1;
      spcc_fe_add_node(im, SPCC_OP_SQUEEZE, 13, 2, in, 1, &out);
      pieces[i] = out;
    }
  }
  bool ok = seq_output(im, np, xt.dtype, n, pieces, where);
  free(pieces);
  free(sizes);
  return ok;
}

/* ---- ConcatFromSequence ---------------------------------------------------------- */

static bool concat_from_sequence(spcc_fe_importer *im, const Onnx__NodeProto *np,
                                 const char *where) {
  const spcc_fe_seq *s = seq_input(im, np, 0, where);
  if (!s) return false;
  if (s->n == 0) {
    spcc_error(im->d, where, NULL,
               "unsupported: ConcatFromSequence of an empty sequence (its shape is unknown)");
    return false;
  }
  bool has_axis = false;
  for (size_t k = 0; k < np->n_attribute; k++)
    has_axis = has_axis || (np->attribute[k] && np->attribute[k]->name &&
                            strcmp(np->attribute[k]->name, "axis") == 0);
  if (!has_axis) {
    spcc_error(im->d, where, NULL, "missing attribute 'axis'");
    return false;
  }
  int64_t axis = int_attr(np, "axis", 0);
  const bool new_axis = int_attr(np, "new_axis", 0) != 0;
  int n = s->n;
  const int *src = s->items;
  int *parts = malloc(sizeof(int) * (size_t)n);
  if (!parts) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  memcpy(parts, src, sizeof(int) * (size_t)n);
  if (new_axis) {
    int axes = spcc_fe_const_i64(im, 1, &axis, false);
    for (int i = 0; i < n; i++) {
      int in[2] = {parts[i], axes}, out = -1;
      spcc_fe_add_node(im, SPCC_OP_UNSQUEEZE, 13, 2, in, 1, &out);
      parts[i] = out;
    }
  }
  int out;
  bool ok = spcc_fe_output_value(im, np, 0, where, &out);
  if (ok) {
    int idx = spcc_fe_add_node(im, SPCC_OP_CONCAT, 13, n, parts, 1, &out);
    spcc_node_set_int(im->g, idx, "axis", axis);
  }
  free(parts);
  return ok;
}

/* ---- SequenceMap ----------------------------------------------------------------- */

/* The body runs once per element of the first input; sequence inputs give
 * their i-th element, tensor inputs themselves; every output is a sequence. */
static bool sequence_map(spcc_fe_importer *im, const Onnx__NodeProto *np, const char *where) {
  const Onnx__GraphProto *body = spcc_fe_graph_attr(im, np, "body", where);
  if (!body) return false;
  if (body->n_input != np->n_input || body->n_output != np->n_output || np->n_input == 0) {
    spcc_error(im->d, where, NULL, "SequenceMap has %zu inputs and %zu outputs, its body %zu and %zu",
               np->n_input, np->n_output, body->n_input, body->n_output);
    return false;
  }
  size_t nin = np->n_input, nout = np->n_output;
  int *in = malloc(sizeof(int) * (nin + 1));
  if (!in) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  bool ok = true;
  for (size_t k = 0; ok && k < nin; k++) ok = spcc_fe_input_ref(im, np, k, where, &in[k]);
  if (ok && !spcc_fe_is_seq(in[0])) {
    spcc_error(im->d, where, NULL, "input 0 must be a sequence");
    ok = false;
  }
  int len = ok ? spcc_fe_seq_get(im, in[0])->n : 0;
  for (size_t k = 1; ok && k < nin; k++)
    if (spcc_fe_is_seq(in[k]) && spcc_fe_seq_get(im, in[k])->n != len) {
      spcc_error(im->d, where, NULL, "input %zu has %d elements, input 0 has %d", k,
                 spcc_fe_seq_get(im, in[k])->n, len);
      ok = false;
    }
  int *outs = malloc(sizeof(int) * (nout * (size_t)len + 1));
  int *refs = malloc(sizeof(int) * (nout + 1));
  if (!outs || !refs) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  for (int i = 0; ok && i < len; i++) {
    spcc_fe_scope s;
    spcc_fe_enter(im, &s,
                  spcc_arena_printf(im->g->arena, "%s/elem%d/", spcc_fe_node_label(np), i));
    ok = spcc_fe_check_nesting(im, where);
    for (size_t k = 0; ok && k < nin; k++) {
      const char *name = body->input[k] && body->input[k]->name ? body->input[k]->name : "";
      if (*name)
        spcc_fe_bind(im, name, spcc_fe_is_seq(in[k]) ? spcc_fe_seq_get(im, in[k])->items[i]
                                                     : in[k]);
    }
    const char *sub = spcc_arena_printf(im->g->arena, "%s: body (element %d)", where, i);
    ok = ok && spcc_fe_import_body(im, body, sub);
    for (size_t k = 0; ok && k < nout; k++) {
      const char *name = body->output[k] && body->output[k]->name ? body->output[k]->name : "";
      refs[k] = spcc_fe_lookup(im, name);
      if (refs[k] == SPCC_FE_NO_REF || spcc_fe_is_seq(refs[k])) {
        spcc_error(im->d, sub, NULL, "body output '%s' must be a tensor", name);
        ok = false;
      }
      outs[k * (size_t)len + (size_t)i] = refs[k];
    }
    spcc_fe_leave(im);
  }
  ok = ok && spcc_fe_settle(im);
  for (size_t k = 0; ok && k < nout; k++) {
    spcc_dtype dt = SPCC_DT_F32;
    if (len) dt = im->g->values[outs[k * (size_t)len]].type.dtype;
    else if (k < body->n_output && body->output[k] && body->output[k]->type &&
             body->output[k]->type->sequence_type &&
             body->output[k]->type->sequence_type->elem_type &&
             body->output[k]->type->sequence_type->elem_type->tensor_type)
      dt = spcc_dtype_from_onnx(
          body->output[k]->type->sequence_type->elem_type->tensor_type->elem_type);
    int ref = spcc_fe_seq_new(im, dt, len, outs + k * (size_t)len);
    ok = spcc_fe_bind_output(im, np, k, ref, where);
  }
  free(refs);
  free(outs);
  free(in);
  return ok;
}

bool spcc_fe_import_sequence(spcc_fe_importer *im, const Onnx__NodeProto *np,
                             const char *where) {
  const char *op = np->op_type;
  if (strcmp(op, "SequenceEmpty") == 0) return seq_empty(im, np, where);
  if (strcmp(op, "SequenceConstruct") == 0) return seq_construct(im, np, where);
  if (strcmp(op, "SequenceInsert") == 0) return seq_edit(im, np, true, where);
  if (strcmp(op, "SequenceErase") == 0) return seq_edit(im, np, false, where);
  if (strcmp(op, "SequenceAt") == 0) return seq_at(im, np, where);
  if (strcmp(op, "SequenceLength") == 0) return seq_length(im, np, where);
  if (strcmp(op, "SplitToSequence") == 0) return split_to_sequence(im, np, where);
  if (strcmp(op, "ConcatFromSequence") == 0) return concat_from_sequence(im, np, where);
  return sequence_map(im, np, where);
}
