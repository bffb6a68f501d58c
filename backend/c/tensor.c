/* tensor.c - C emission and compile-time evaluation of Flatten, Reshape,
 * Transpose and Concat.
 *
 * The kernels are type-generic (element size in the parameter block). One
 * static function per op fills the parameter block from the node's types,
 * shared by emit and eval, so folded constants equal the generated code's
 * results. Transpose's parameters are simplified here, at compile time:
 * size-1 axes are dropped and output axes that stay adjacent in the input
 * are merged, so e.g. a [1,C,H,W] -> [1,H,W,C] transpose becomes a plain 2-D
 * one and an identity permutation becomes one contiguous copy.
 */
#include <stdio.h>
#include <string.h>

#include "backend/c/ops.h"
#include "spcc/spcc_rt.h"

/* ---- Reshape / Flatten: a byte copy ------------------------------------------ */

static void reshape_params(const spcc_graph *g, const spcc_node *n, spcc_reshape_params *p) {
  memset(p, 0, sizeof *p);
  p->bytes = spcc_type_bytes(&g->values[n->out[0]].type);
}

static bool emit_copy(spcc_emitter *e, const spcc_node *n) {
  spcc_reshape_params p;
  reshape_params(spcc_emit_graph(e), n, &p);
  const char *sym = spcc_emit_params_begin(e, "spcc_reshape_params", "reshape");
  spcc_emit_param_i64(e, "bytes", p.bytes);
  spcc_emit_params_end(e);
  const char *x = spcc_emit_ptr(e, n->in[0]), *y = spcc_emit_ptr(e, n->out[0]);
  spcc_emit_line(e, "spcc_reshape(&%s, %s, %s);", sym, x, y);
  return true;
}

static bool eval_copy(const spcc_graph *g, const spcc_node *n, const void *const *in,
                      void *const *out) {
  spcc_reshape_params p;
  reshape_params(g, n, &p);
  spcc_reshape(&p, in[0], out[0]);
  return true;
}

bool spcc_emit_reshape(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  /* The shape input (a constant) only mattered at compile time; referencing
   * it keeps its array from being an unused static in the generated code. */
  const int shape = spcc_node_in(n, 1);
  if (shape >= 0) spcc_emit_line(e, "(void)%s;", spcc_emit_ptr(e, shape));
  return emit_copy(e, n);
}

bool spcc_eval_reshape(const spcc_graph *g, const spcc_node *n, const void *const *in,
                       void *const *out, spcc_diag *d) {
  (void)d;
  return eval_copy(g, n, in, out);
}

bool spcc_emit_flatten(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  return emit_copy(e, n);
}

bool spcc_eval_flatten(const spcc_graph *g, const spcc_node *n, const void *const *in,
                       void *const *out, spcc_diag *d) {
  (void)d;
  return eval_copy(g, n, in, out);
}

/* ---- Transpose ------------------------------------------------------------- */

static void transpose_params(const spcc_graph *g, const spcc_node *n,
                             spcc_transpose_params *p) {
  const spcc_type *x = spcc_in_type(g, n, 0);
  const int rank = x->rank;
  int64_t perm[SPCC_MAX_RANK], in_stride[SPCC_MAX_RANK];
  int cnt;
  const int64_t *pa = spcc_attr_ints(n, "perm", &cnt);
  for (int r = 0; r < rank; r++) perm[r] = pa ? pa[r] : rank - 1 - r;
  int64_t s = 1;
  for (int r = rank - 1; r >= 0; r--) {
    in_stride[r] = s;
    s *= x->dims[r];
  }
  memset(p, 0, sizeof *p);
  p->elem_size = (int64_t)spcc_dtype_size(x->dtype);
  int out_rank = 0;
  for (int r = 0; r < rank; r++) {
    const int64_t dim = x->dims[perm[r]], st = in_stride[perm[r]];
    if (dim == 1) continue;
    /* Output axis r follows the previous kept one contiguously in the input. */
    if (out_rank > 0 && p->in_strides[out_rank - 1] == st * dim) {
      p->dims[out_rank - 1] *= dim;
      p->in_strides[out_rank - 1] = st;
      continue;
    }
    p->dims[out_rank] = dim;
    p->in_strides[out_rank] = st;
    out_rank++;
  }
  if (out_rank == 0) { /* all sizes 1 (or a scalar): one element */
    p->dims[0] = 1;
    p->in_strides[0] = 1;
    out_rank = 1;
  }
  p->rank = out_rank;
}

bool spcc_emit_transpose(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  spcc_transpose_params p;
  transpose_params(spcc_emit_graph(e), n, &p);
  const char *sym = spcc_emit_params_begin(e, "spcc_transpose_params", "transpose");
  spcc_emit_param_i64(e, "elem_size", p.elem_size);
  spcc_emit_param_i64(e, "rank", p.rank);
  spcc_emit_param_i64s(e, "dims", p.dims, (int)p.rank);
  spcc_emit_param_i64s(e, "in_strides", p.in_strides, (int)p.rank);
  spcc_emit_params_end(e);
  const char *x = spcc_emit_ptr(e, n->in[0]), *y = spcc_emit_ptr(e, n->out[0]);
  spcc_emit_line(e, "spcc_transpose(&%s, %s, %s);", sym, x, y);
  return true;
}

bool spcc_eval_transpose(const spcc_graph *g, const spcc_node *n, const void *const *in,
                         void *const *out, spcc_diag *d) {
  (void)d;
  spcc_transpose_params p;
  transpose_params(g, n, &p);
  spcc_transpose(&p, in[0], out[0]);
  return true;
}

/* ---- Concat: one kernel call per input ---------------------------------------- */

/* Fills the block for input k. */
static void concat_params(const spcc_graph *g, const spcc_node *n, int k,
                          spcc_concat_params *p) {
  const spcc_type *y = &g->values[n->out[0]].type;
  int64_t axis = spcc_attr_int(n, "axis", 1);
  if (axis < 0) axis += y->rank;
  int64_t outer = 1, inner = (int64_t)spcc_dtype_size(y->dtype);
  for (int r = 0; r < axis; r++) outer *= y->dims[r];
  for (int r = (int)axis + 1; r < y->rank; r++) inner *= y->dims[r];
  int64_t offset = 0;
  for (int q = 0; q < k; q++) offset += spcc_in_type(g, n, q)->dims[axis] * inner;
  memset(p, 0, sizeof *p);
  p->outer = outer;
  p->chunk = spcc_in_type(g, n, k)->dims[axis] * inner;
  p->out_chunk = y->dims[axis] * inner;
  p->offset = offset;
}

bool spcc_emit_concat(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  (void)d;
  const spcc_graph *g = spcc_emit_graph(e);
  const char *y = spcc_emit_ptr(e, n->out[0]);
  for (int k = 0; k < n->n_in; k++) {
    spcc_concat_params p;
    concat_params(g, n, k, &p);
    const char *sym = spcc_emit_params_begin(e, "spcc_concat_params", "concat");
    spcc_emit_param_i64(e, "outer", p.outer);
    spcc_emit_param_i64(e, "chunk", p.chunk);
    spcc_emit_param_i64(e, "out_chunk", p.out_chunk);
    spcc_emit_param_i64(e, "offset", p.offset);
    spcc_emit_params_end(e);
    const char *x = spcc_emit_ptr(e, n->in[k]);
    spcc_emit_line(e, "spcc_concat(&%s, %s, %s);", sym, x, y);
  }
  return true;
}

bool spcc_eval_concat(const spcc_graph *g, const spcc_node *n, const void *const *in,
                      void *const *out, spcc_diag *d) {
  (void)d;
  for (int k = 0; k < n->n_in; k++) {
    spcc_concat_params p;
    concat_params(g, n, k, &p);
    spcc_concat(&p, in[k], out[0]);
  }
  return true;
}
