/* onnx_scan.c - Scan, unrolled like Loop (frontend/onnx_control.c).
 *
 * Opset 9 and later: the first inputs are the states, the last
 * num_scan_inputs are scanned along scan_input_axes (backwards where
 * scan_input_directions says 1). Iteration t imports the body with the
 * states and the t-th slices (Gather of a constant index, which drops the
 * axis); the body's scan outputs are stacked along scan_output_axes
 * (reversed where scan_output_directions says 1). The sequence length is
 * the scanned axes' size, known since shapes are static.
 *
 * Opset 8: a leading optional sequence_lens input and a batch axis 0 on
 * every input; the body sees one batch entry, scanned along axis 1. Each
 * batch entry is unrolled on its own and the results are stacked along
 * the batch axis. sequence_lens, when given, must be known and equal to
 * the full length.
 */
#include <stdlib.h>
#include <string.h>

#include "import.h"

static int64_t int_attr(const Onnx__NodeProto *np, const char *name, int64_t def) {
  for (size_t k = 0; k < np->n_attribute; k++) {
    const Onnx__AttributeProto *a = np->attribute[k];
    if (a && a->name && strcmp(a->name, name) == 0 && a->has_i) return a->i;
  }
  return def;
}

/* Element k of an INTS attribute, or def when absent; false after a
 * diagnostic when the list has the wrong length. */
static bool ints_attr(spcc_fe_importer *im, const Onnx__NodeProto *np, const char *name,
                      size_t want, int64_t *out, const char *where) {
  for (size_t k = 0; k < want; k++) out[k] = 0;
  for (size_t k = 0; k < np->n_attribute; k++) {
    const Onnx__AttributeProto *a = np->attribute[k];
    if (!a || !a->name || strcmp(a->name, name) != 0) continue;
    if (a->n_ints != want) {
      spcc_error(im->d, where, NULL, "attribute '%s' has %zu values, expected %zu", name,
                 a->n_ints, want);
      return false;
    }
    memcpy(out, a->ints, sizeof(int64_t) * want);
  }
  return true;
}

/* Gather(x, index, axis): one slice, the axis dropped. */
static int slice_at(spcc_fe_importer *im, int x, int64_t index, int64_t axis) {
  int in[2] = {x, spcc_fe_const_i64(im, 1, &index, true)}, out = -1;
  int idx = spcc_fe_add_node(im, SPCC_OP_GATHER, 13, 2, in, 1, &out);
  spcc_node_set_int(im->g, idx, "axis", axis);
  return out;
}

typedef struct {
  const Onnx__NodeProto *np;
  const Onnx__GraphProto *body;
  int n_state, n_scan_in, n_scan_out;
  int64_t *in_axis, *in_dir, *out_axis, *out_dir;
  const char *label; /* prefix of inlined names */
  const char *where;
} scan_spec;

/* Unrolls one scan: states[] in, final states out; scan_out[k * len + t]
 * gets the body's scan output k of iteration t. */
static bool unroll(spcc_fe_importer *im, const scan_spec *sp, int *states, const int *xs,
                   int64_t len, int *scan_out) {
  int nb_in = (int)sp->body->n_input, nb_out = (int)sp->body->n_output;
  int *refs = malloc(sizeof(int) * (size_t)(nb_out + 1));
  if (!refs) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  bool ok = true;
  for (int64_t t = 0; ok && t < len; t++) {
    if (im->g->n_nodes > SPCC_FE_MAX_UNROLLED_NODES) {
      spcc_error(im->d, sp->where, NULL, "unsupported: the scan unrolls into more than %d nodes",
                 SPCC_FE_MAX_UNROLLED_NODES);
      ok = false;
      break;
    }
    spcc_fe_scope s;
    spcc_fe_enter(im, &s, spcc_arena_printf(im->g->arena, "%s/iter%lld/", sp->label, (long long)t));
    ok = spcc_fe_check_nesting(im, sp->where);
    for (int k = 0; ok && k < nb_in; k++) {
      const Onnx__ValueInfoProto *vi = sp->body->input[k];
      const char *name = vi && vi->name ? vi->name : "";
      int ref;
      if (k < sp->n_state) {
        ref = states[k];
      } else {
        int j = k - sp->n_state;
        int64_t at = sp->in_dir[j] ? len - 1 - t : t;
        ref = slice_at(im, xs[j], at, sp->in_axis[j]);
      }
      if (*name) spcc_fe_bind(im, name, ref);
    }
    const char *sub = spcc_arena_printf(im->g->arena, "%s: body (iteration %lld)", sp->where,
                                        (long long)t);
    ok = ok && spcc_fe_import_body(im, sp->body, sub) &&
         spcc_fe_body_outputs(im, sp->body, sub, refs);
    spcc_fe_leave(im);
    for (int k = 0; ok && k < nb_out; k++) {
      if (spcc_fe_is_seq(refs[k])) {
        spcc_error(im->d, sp->where, NULL, "unsupported: body output %d is a sequence", k);
        ok = false;
      } else if (k < sp->n_state) {
        states[k] = refs[k];
      } else {
        scan_out[(k - sp->n_state) * len + t] = refs[k];
      }
    }
  }
  free(refs);
  return ok;
}

/* Stacks scan output k's elements (reversed if asked) into value out. */
static bool stack_output(spcc_fe_importer *im, const scan_spec *sp, int k, const int *elems,
                         int64_t len, int out) {
  if (len == 0) {
    spcc_error(im->d, sp->where, NULL,
               "unsupported: the scan has length 0, so its scan outputs have no known shape");
    return false;
  }
  if (!spcc_fe_settle(im)) return false;
  int rank = im->g->values[elems[0]].type.rank + 1;
  int64_t axis = sp->out_axis[k];
  if (axis < -rank || axis >= rank) {
    spcc_error(im->d, sp->where, NULL, "scan_output_axes[%d] = %lld is out of range", k,
               (long long)axis);
    return false;
  }
  int *order = malloc(sizeof(int) * (size_t)len);
  if (!order) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  for (int64_t t = 0; t < len; t++) order[t] = elems[sp->out_dir[k] ? len - 1 - t : t];
  spcc_fe_stack(im, order, (int)len, axis < 0 ? axis + rank : axis, out);
  free(order);
  return true;
}

bool spcc_fe_import_scan(spcc_fe_importer *im, const Onnx__NodeProto *np, const char *where) {
  const Onnx__GraphProto *body = spcc_fe_graph_attr(im, np, "body", where);
  if (!body) return false;
  const bool v8 = im->opset < 9;
  const int first = v8 ? 1 : 0; /* opset 8: sequence_lens comes first */
  int64_t m = int_attr(np, "num_scan_inputs", -1);
  int n_in = (int)np->n_input - first;
  if (m < 1 || m > n_in) {
    spcc_error(im->d, where, NULL, "num_scan_inputs must be between 1 and %d", n_in);
    return false;
  }
  scan_spec sp = {.np = np, .body = body, .where = where, .label = spcc_fe_node_label(np)};
  sp.n_scan_in = (int)m;
  sp.n_state = n_in - sp.n_scan_in;
  sp.n_scan_out = (int)body->n_output - sp.n_state;
  if ((int)body->n_input != n_in || sp.n_scan_out < 0 ||
      (int)np->n_output != sp.n_state + sp.n_scan_out) {
    spcc_error(im->d, where, NULL,
               "Scan has %d state and %d scan inputs and %zu outputs; its body %zu inputs and "
               "%zu outputs do not match",
               sp.n_state, sp.n_scan_in, np->n_output, body->n_input, body->n_output);
    return false;
  }
  int64_t *attrs = calloc((size_t)(2 * sp.n_scan_in + 2 * sp.n_scan_out + 1), sizeof *attrs);
  int *refs = malloc(sizeof(int) * (size_t)(n_in + 1));
  if (!attrs || !refs) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  sp.in_axis = attrs;
  sp.in_dir = sp.in_axis + sp.n_scan_in;
  sp.out_axis = sp.in_dir + sp.n_scan_in;
  sp.out_dir = sp.out_axis + sp.n_scan_out;
  bool ok = ints_attr(im, np, v8 ? "directions" : "scan_input_directions", (size_t)sp.n_scan_in,
                      sp.in_dir, where);
  if (!v8)
    ok = ok && ints_attr(im, np, "scan_input_axes", (size_t)sp.n_scan_in, sp.in_axis, where) &&
         ints_attr(im, np, "scan_output_axes", (size_t)sp.n_scan_out, sp.out_axis, where) &&
         ints_attr(im, np, "scan_output_directions", (size_t)sp.n_scan_out, sp.out_dir, where);
  for (int k = 0; ok && k < n_in; k++) {
    ok = spcc_fe_input_ref(im, np, (size_t)(first + k), where, &refs[k]);
    if (ok && (refs[k] == SPCC_FE_NO_REF || spcc_fe_is_seq(refs[k]))) {
      spcc_error(im->d, where, NULL, "input %d must be a tensor", first + k);
      ok = false;
    }
  }
  ok = ok && spcc_fe_settle(im);

  /* The scanned axes (per batch entry in opset 8) and the length. */
  int64_t len = -1, batch = 1;
  for (int j = 0; ok && j < sp.n_scan_in; j++) {
    const spcc_type *t = &im->g->values[refs[sp.n_state + j]].type;
    int rank = v8 ? t->rank - 1 : t->rank;
    int64_t axis = v8 ? 0 : sp.in_axis[j];
    if (axis < -rank || axis >= rank || rank < 1) {
      spcc_error(im->d, where, NULL, "scan input %d: axis %lld is out of range for rank %d", j,
                 (long long)axis, rank);
      ok = false;
      break;
    }
    sp.in_axis[j] = axis < 0 ? axis + rank : axis;
    int64_t n = t->dims[v8 ? 1 + sp.in_axis[j] : sp.in_axis[j]];
    if (v8) batch = t->dims[0];
    if (len >= 0 && n != len) {
      spcc_error(im->d, where, NULL, "scan inputs have lengths %lld and %lld", (long long)len,
                 (long long)n);
      ok = false;
    }
    len = n;
  }
  if (ok && v8 && np->n_input > 0 && np->input[0] && *np->input[0]) {
    int lens;
    bool known;
    ok = spcc_fe_input_ref(im, np, 0, where, &lens);
    const int64_t *p = ok && !spcc_fe_is_seq(lens) ? spcc_fe_known(im, lens, &known) : NULL;
    int64_t count = ok && !spcc_fe_is_seq(lens) ? spcc_type_numel(&im->g->values[lens].type) : -1;
    bool full = p && count == batch && im->g->values[lens].type.dtype == SPCC_DT_I64;
    for (int64_t b = 0; full && b < batch; b++) full = p[b] == len;
    if (ok && !full) {
      spcc_error(im->d, where, NULL,
                 "unsupported: sequence_lens must be a compile-time constant equal to the full "
                 "length %lld",
                 (long long)len);
      ok = false;
    }
  }

  if (ok && v8 && batch < 1) {
    spcc_error(im->d, where, NULL, "unsupported: Scan over a batch of %lld", (long long)batch);
    ok = false;
  }
  int64_t n_iter = len < 0 ? 0 : len;
  int *states = malloc(sizeof(int) * (size_t)(sp.n_state + 1));
  int *xs = malloc(sizeof(int) * (size_t)(sp.n_scan_in + 1));
  int *scan_out = malloc(sizeof(int) * (size_t)(sp.n_scan_out * n_iter * batch + 1));
  int *final = malloc(sizeof(int) * (size_t)(sp.n_state * batch + 1));
  if (!states || !xs || !scan_out || !final) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  for (int64_t b = 0; ok && b < batch; b++) {
    /* Opset 8 unrolls each batch entry on its own; opset 9 has one "entry". */
    for (int k = 0; k < sp.n_state; k++) states[k] = v8 ? slice_at(im, refs[k], b, 0) : refs[k];
    for (int j = 0; j < sp.n_scan_in; j++)
      xs[j] = v8 ? slice_at(im, refs[sp.n_state + j], b, 0) : refs[sp.n_state + j];
    const char *label = sp.label;
    if (v8) sp.label = spcc_arena_printf(im->g->arena, "%s/batch%lld", label, (long long)b);
    ok = unroll(im, &sp, states, xs, n_iter, scan_out + (size_t)(b * sp.n_scan_out * n_iter));
    sp.label = label;
    for (int k = 0; k < sp.n_state; k++) final[k * batch + b] = states[k];
  }
  for (int k = 0; ok && k < sp.n_state; k++) {
    if (!v8) {
      ok = spcc_fe_bind_output(im, np, (size_t)k, final[k], where);
      continue;
    }
    int out;
    ok = spcc_fe_output_value(im, np, (size_t)k, where, &out);
    if (ok && out >= 0) spcc_fe_stack(im, final + k * batch, (int)batch, 0, out);
  }
  for (int k = 0; ok && k < sp.n_scan_out; k++) {
    int out;
    ok = spcc_fe_output_value(im, np, (size_t)(sp.n_state + k), where, &out);
    if (!ok || out < 0) continue;
    if (!v8) {
      ok = stack_output(im, &sp, k, scan_out + (size_t)k * n_iter, n_iter, out);
      continue;
    }
    /* Opset 8: [batch, time, ...]: each entry's elements along time, then the entries. */
    int *per_batch = malloc(sizeof(int) * (size_t)batch);
    if (!per_batch) spcc_assert_fail("out of memory", __FILE__, __LINE__);
    for (int64_t b = 0; ok && b < batch; b++) {
      per_batch[b] = -1;
      sp.out_dir[k] = 0;
      ok = len > 0 || stack_output(im, &sp, k, NULL, 0, -1);
      if (ok) {
        per_batch[b] = spcc_fe_define(im, NULL, NULL, SPCC_VAL_TEMP);
        ok = stack_output(im, &sp, k, scan_out + (size_t)(b * sp.n_scan_out + k) * n_iter,
                          n_iter, per_batch[b]);
      }
    }
    if (ok) spcc_fe_stack(im, per_batch, (int)batch, 0, out);
    free(per_batch);
  }
  free(final);
  free(scan_out);
  free(xs);
  free(states);
  free(refs);
  free(attrs);
  return ok;
}
