/* linear.c - C emission and compile-time evaluation of Gemm, MatMul,
 * Softmax and BatchNormalization.
 *
 * For each op one static function fills the runtime parameter block from
 * the node's (already inferred, validated) types and attributes; emit
 * writes that block as a `static const` struct plus a kernel call, and eval
 * calls the same kernel on the compiler's buffers, so constant folding
 * computes exactly what the generated code computes. Gemm and MatMul whose
 * weight carries a sparse encoding are handed to backend/c/sparse.c; eval
 * always runs the dense kernel, on the weight's logical values.
 * BatchNormalization with training_mode=1 (validated by the shape rule, so
 * opset >= 14 and [C] parameters) calls the training kernel, which also
 * writes the optional running_mean and running_var outputs.
 */
#include <stdio.h>
#include <string.h>

#include "backend/c/ops.h"
#include "backend/c/sparse_emit.h"
#include "spcc/spcc_rt.h"

static spcc_dtype out_dtype(const spcc_graph *g, const spcc_node *n) {
  return g->values[n->out[0]].type.dtype;
}

static bool bad_dtype(const spcc_graph *g, const spcc_node *n, spcc_diag *d) {
  spcc_node_error(d, g, n, "unsupported element type %s",
                  spcc_dtype_name(out_dtype(g, n)));
  return false;
}

static int64_t prod(const int64_t *dims, int from, int to) {
  int64_t p = 1;
  for (int r = from; r < to; r++) p *= dims[r];
  return p;
}

/* ---- Gemm ------------------------------------------------------------------ */

static void gemm_params(const spcc_graph *g, const spcc_node *n, spcc_gemm_params *p) {
  const spcc_type *a = spcc_in_type(g, n, 0), *b = spcc_in_type(g, n, 1), *c = spcc_in_type(g, n, 2);
  memset(p, 0, sizeof *p);
  p->trans_a = spcc_attr_int(n, "transA", 0) != 0;
  p->trans_b = spcc_attr_int(n, "transB", 0) != 0;
  p->m = p->trans_a ? a->dims[1] : a->dims[0];
  p->k = p->trans_a ? a->dims[0] : a->dims[1];
  p->n = p->trans_b ? b->dims[0] : b->dims[1];
  p->alpha = spcc_attr_float(n, "alpha", 1.0f);
  p->beta = spcc_attr_float(n, "beta", 1.0f);
  if (c) {
    /* Right-aligned broadcast of C to [m, n]: a size-1 (or missing) axis
     * gets stride 0. */
    const int64_t cn = c->rank >= 1 ? c->dims[c->rank - 1] : 1;
    const int64_t cm = c->rank >= 2 ? c->dims[c->rank - 2] : 1;
    p->c_col_stride = cn == 1 ? 0 : 1;
    p->c_row_stride = cm == 1 ? 0 : cn;
  }
}

bool spcc_emit_gemm(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  const spcc_dtype dt = out_dtype(g, n);
  if (dt != SPCC_DT_F32 && dt != SPCC_DT_F64) return bad_dtype(g, n, d);
  spcc_gemm_params p;
  gemm_params(g, n, &p);
  if (spcc_emit_sparse_weight(g, n)) return spcc_emit_sparse_gemm(e, n, &p, d);
  const char *sym = spcc_emit_params_begin(e, "spcc_gemm_params", "gemm");
  spcc_emit_param_i64(e, "m", p.m);
  spcc_emit_param_i64(e, "n", p.n);
  spcc_emit_param_i64(e, "k", p.k);
  spcc_emit_param_i64(e, "trans_a", p.trans_a);
  spcc_emit_param_i64(e, "trans_b", p.trans_b);
  spcc_emit_param_f32(e, "alpha", p.alpha);
  spcc_emit_param_f32(e, "beta", p.beta);
  spcc_emit_param_i64(e, "c_row_stride", p.c_row_stride);
  spcc_emit_param_i64(e, "c_col_stride", p.c_col_stride);
  spcc_emit_params_end(e);
  const char *a = spcc_emit_ptr(e, n->in[0]), *b = spcc_emit_ptr(e, n->in[1]);
  const char *c = spcc_emit_ptr(e, spcc_node_in(n, 2)), *y = spcc_emit_ptr(e, n->out[0]);
  spcc_emit_line(e, "spcc_gemm_%s(&%s, %s, %s, %s, %s);", spcc_dtype_name(dt), sym, a, b,
                 c, y);
  return true;
}

bool spcc_eval_gemm(const spcc_graph *g, const spcc_node *n, const void *const *in,
                    void *const *out, spcc_diag *d) {
  spcc_gemm_params p;
  gemm_params(g, n, &p);
  const void *c = spcc_node_in(n, 2) >= 0 ? in[2] : NULL;
  switch (out_dtype(g, n)) {
  case SPCC_DT_F32: spcc_gemm_f32(&p, in[0], in[1], c, out[0]); return true;
  case SPCC_DT_F64: spcc_gemm_f64(&p, in[0], in[1], c, out[0]); return true;
  default: return bad_dtype(g, n, d);
  }
}

/* ---- MatMul ---------------------------------------------------------------- */

static void matmul_params(const spcc_graph *g, const spcc_node *n, spcc_matmul_params *p) {
  const spcc_type *a = spcc_in_type(g, n, 0), *b = spcc_in_type(g, n, 1);
  memset(p, 0, sizeof *p);
  /* 1-D A is a row [1,k]; 1-D B is a column [k,1]. */
  p->m = a->rank >= 2 ? a->dims[a->rank - 2] : 1;
  p->k = a->dims[a->rank - 1];
  p->n = b->rank >= 2 ? b->dims[b->rank - 1] : 1;
  const int ba = a->rank > 2 ? a->rank - 2 : 0, bb = b->rank > 2 ? b->rank - 2 : 0;
  const int br = ba > bb ? ba : bb;
  /* Contiguous batch strides of each operand, then broadcast to the output
   * batch shape (stride 0 where an operand has size 1). */
  int64_t sa = p->m * p->k, sb = p->k * p->n;
  int64_t dims[SPCC_RT_MAX_RANK], stra[SPCC_RT_MAX_RANK], strb[SPCC_RT_MAX_RANK];
  for (int r = br - 1; r >= 0; r--) {
    const int ia = r - (br - ba), ib = r - (br - bb);
    const int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
    dims[r] = da == 1 ? db : da;
    stra[r] = da == 1 ? 0 : sa;
    strb[r] = db == 1 ? 0 : sb;
    sa *= da;
    sb *= db;
  }
  /* Drop size-1 batch axes and merge neighbours that step both operands
   * uniformly, so the kernel's batch loop is as flat as possible. */
  int rank = 0;
  for (int r = 0; r < br; r++) {
    if (dims[r] == 1) continue;
    if (rank > 0) {
      const int q = rank - 1;
      if (p->a_batch_stride[q] == stra[r] * dims[r] && p->b_batch_stride[q] == strb[r] * dims[r]) {
        p->batch_dims[q] *= dims[r];
        p->a_batch_stride[q] = stra[r];
        p->b_batch_stride[q] = strb[r];
        continue;
      }
    }
    p->batch_dims[rank] = dims[r];
    p->a_batch_stride[rank] = stra[r];
    p->b_batch_stride[rank] = strb[r];
    rank++;
  }
  p->batch_rank = rank;
}

bool spcc_emit_matmul(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  const spcc_dtype dt = out_dtype(g, n);
  switch (dt) {
  case SPCC_DT_F32: case SPCC_DT_F64: case SPCC_DT_I32:
  case SPCC_DT_I64: case SPCC_DT_U32: case SPCC_DT_U64: break;
  default: return bad_dtype(g, n, d);
  }
  if (spcc_emit_sparse_weight(g, n)) return spcc_emit_sparse_matmul(e, n, d);
  spcc_matmul_params p;
  matmul_params(g, n, &p);
  const char *sym = spcc_emit_params_begin(e, "spcc_matmul_params", "matmul");
  spcc_emit_param_i64(e, "m", p.m);
  spcc_emit_param_i64(e, "n", p.n);
  spcc_emit_param_i64(e, "k", p.k);
  spcc_emit_param_i64(e, "batch_rank", p.batch_rank);
  if (p.batch_rank > 0) { /* an empty {} initializer is not C99 */
    spcc_emit_param_i64s(e, "batch_dims", p.batch_dims, (int)p.batch_rank);
    spcc_emit_param_i64s(e, "a_batch_stride", p.a_batch_stride, (int)p.batch_rank);
    spcc_emit_param_i64s(e, "b_batch_stride", p.b_batch_stride, (int)p.batch_rank);
  }
  spcc_emit_params_end(e);
  const char *a = spcc_emit_ptr(e, n->in[0]), *b = spcc_emit_ptr(e, n->in[1]), *y = spcc_emit_ptr(e, n->out[0]);
  spcc_emit_line(e, "spcc_matmul_%s(&%s, %s, %s, %s);", spcc_dtype_name(dt), sym, a, b,
                 y);
  return true;
}

bool spcc_eval_matmul(const spcc_graph *g, const spcc_node *n, const void *const *in,
                      void *const *out, spcc_diag *d) {
  spcc_matmul_params p;
  matmul_params(g, n, &p);
  switch (out_dtype(g, n)) {
  case SPCC_DT_F32: spcc_matmul_f32(&p, in[0], in[1], out[0]); return true;
  case SPCC_DT_F64: spcc_matmul_f64(&p, in[0], in[1], out[0]); return true;
  case SPCC_DT_I32: spcc_matmul_i32(&p, in[0], in[1], out[0]); return true;
  case SPCC_DT_I64: spcc_matmul_i64(&p, in[0], in[1], out[0]); return true;
  case SPCC_DT_U32: spcc_matmul_u32(&p, in[0], in[1], out[0]); return true;
  case SPCC_DT_U64: spcc_matmul_u64(&p, in[0], in[1], out[0]); return true;
  default: return bad_dtype(g, n, d);
  }
}

/* ---- Softmax --------------------------------------------------------------- */

static void softmax_params(const spcc_graph *g, const spcc_node *n, spcc_softmax_params *p) {
  const spcc_type *x = spcc_in_type(g, n, 0);
  int64_t axis = spcc_attr_int(n, "axis", n->opset < 13 ? 1 : -1);
  if (axis < 0) axis += x->rank;
  memset(p, 0, sizeof *p);
  p->outer = prod(x->dims, 0, (int)axis);
  if (n->opset < 13) { /* coerced to 2-D [outer, rest] */
    p->len = prod(x->dims, (int)axis, x->rank);
    p->inner = 1;
  } else {
    p->len = x->dims[axis];
    p->inner = prod(x->dims, (int)axis + 1, x->rank);
  }
}

bool spcc_emit_softmax(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  const spcc_dtype dt = out_dtype(g, n);
  if (dt != SPCC_DT_F32 && dt != SPCC_DT_F64) return bad_dtype(g, n, d);
  spcc_softmax_params p;
  softmax_params(g, n, &p);
  const char *sym = spcc_emit_params_begin(e, "spcc_softmax_params", "softmax");
  spcc_emit_param_i64(e, "outer", p.outer);
  spcc_emit_param_i64(e, "len", p.len);
  spcc_emit_param_i64(e, "inner", p.inner);
  spcc_emit_params_end(e);
  const char *x = spcc_emit_ptr(e, n->in[0]), *y = spcc_emit_ptr(e, n->out[0]);
  spcc_emit_line(e, "spcc_softmax_%s(&%s, %s, %s);", spcc_dtype_name(dt), sym, x, y);
  return true;
}

bool spcc_eval_softmax(const spcc_graph *g, const spcc_node *n, const void *const *in,
                       void *const *out, spcc_diag *d) {
  spcc_softmax_params p;
  softmax_params(g, n, &p);
  switch (out_dtype(g, n)) {
  case SPCC_DT_F32: spcc_softmax_f32(&p, in[0], out[0]); return true;
  case SPCC_DT_F64: spcc_softmax_f64(&p, in[0], out[0]); return true;
  default: return bad_dtype(g, n, d);
  }
}

/* ---- BatchNormalization ------------------------------------------------------ */

static void batch_norm_params(const spcc_graph *g, const spcc_node *n,
                              spcc_batch_norm_params *p) {
  const spcc_type *x = spcc_in_type(g, n, 0), *scale = spcc_in_type(g, n, 1);
  memset(p, 0, sizeof *p);
  p->batch = x->dims[0];
  p->channels = x->dims[1];
  p->inner = prod(x->dims, 2, x->rank);
  /* spatial=0 (before opset 9): one set of parameters per activation. */
  if (spcc_type_numel(scale) != p->channels) {
    p->channels *= p->inner;
    p->inner = 1;
  }
  p->epsilon = (double)spcc_attr_float(n, "epsilon", 1e-5f);
}

/* Training form: statistics of the batch itself, running averages out. */
static bool batch_norm_training(const spcc_node *n) {
  return n->opset >= 14 && spcc_attr_int(n, "training_mode", 0) != 0;
}

static void batch_norm_train_params(const spcc_graph *g, const spcc_node *n,
                                    spcc_batch_norm_train_params *p) {
  const spcc_type *x = spcc_in_type(g, n, 0);
  memset(p, 0, sizeof *p);
  p->batch = x->dims[0];
  p->channels = x->dims[1];
  p->inner = prod(x->dims, 2, x->rank);
  p->epsilon = (double)spcc_attr_float(n, "epsilon", 1e-5f);
  p->momentum = (double)spcc_attr_float(n, "momentum", 0.9f);
}

/* Output k of the node, or -1 when it is omitted or absent. */
static int out_or_none(const spcc_node *n, int k) { return k < n->n_out ? n->out[k] : -1; }

static bool emit_batch_norm_train(spcc_emitter *e, const spcc_node *n, spcc_dtype dt) {
  spcc_batch_norm_train_params p;
  batch_norm_train_params(spcc_emit_graph(e), n, &p);
  const char *sym = spcc_emit_params_begin(e, "spcc_batch_norm_train_params", "batch_norm");
  spcc_emit_param_i64(e, "batch", p.batch);
  spcc_emit_param_i64(e, "channels", p.channels);
  spcc_emit_param_i64(e, "inner", p.inner);
  spcc_emit_param_f64(e, "epsilon", p.epsilon);
  spcc_emit_param_f64(e, "momentum", p.momentum);
  spcc_emit_params_end(e);
  const char *v[8];
  for (int k = 0; k < 5; k++) v[k] = spcc_emit_ptr(e, n->in[k]);
  for (int k = 0; k < 3; k++) v[5 + k] = spcc_emit_ptr(e, out_or_none(n, k));
  spcc_emit_line(e, "spcc_batch_norm_train_%s(&%s, %s, %s, %s, %s, %s, %s, %s, %s);",
                 spcc_dtype_name(dt), sym, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
  return true;
}

/* Fold: outputs the node omits still get scratch buffers from the caller,
 * but only present ones are passed, as in the generated code. */
static bool eval_batch_norm_train(const spcc_graph *g, const spcc_node *n,
                                  const void *const *in, void *const *out, spcc_diag *d) {
  spcc_batch_norm_train_params p;
  batch_norm_train_params(g, n, &p);
  void *rm = out_or_none(n, 1) >= 0 ? out[1] : NULL;
  void *rv = out_or_none(n, 2) >= 0 ? out[2] : NULL;
  switch (out_dtype(g, n)) {
  case SPCC_DT_F32:
    spcc_batch_norm_train_f32(&p, in[0], in[1], in[2], in[3], in[4], out[0], rm, rv);
    return true;
  case SPCC_DT_F64:
    spcc_batch_norm_train_f64(&p, in[0], in[1], in[2], in[3], in[4], out[0], rm, rv);
    return true;
  default: return bad_dtype(g, n, d);
  }
}

bool spcc_emit_batch_norm(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  const spcc_dtype dt = out_dtype(g, n);
  if (dt != SPCC_DT_F32 && dt != SPCC_DT_F64) return bad_dtype(g, n, d);
  if (batch_norm_training(n)) return emit_batch_norm_train(e, n, dt);
  spcc_batch_norm_params p;
  batch_norm_params(g, n, &p);
  const char *sym = spcc_emit_params_begin(e, "spcc_batch_norm_params", "batch_norm");
  spcc_emit_param_i64(e, "batch", p.batch);
  spcc_emit_param_i64(e, "channels", p.channels);
  spcc_emit_param_i64(e, "inner", p.inner);
  spcc_emit_param_f64(e, "epsilon", p.epsilon);
  spcc_emit_params_end(e);
  const char *v[5];
  for (int k = 0; k < 5; k++) v[k] = spcc_emit_ptr(e, n->in[k]);
  const char *y = spcc_emit_ptr(e, n->out[0]);
  spcc_emit_line(e, "spcc_batch_norm_%s(&%s, %s, %s, %s, %s, %s, %s);", spcc_dtype_name(dt),
                 sym, v[0], v[1], v[2], v[3], v[4], y);
  return true;
}

bool spcc_eval_batch_norm(const spcc_graph *g, const spcc_node *n, const void *const *in,
                          void *const *out, spcc_diag *d) {
  if (batch_norm_training(n)) return eval_batch_norm_train(g, n, in, out, d);
  spcc_batch_norm_params p;
  batch_norm_params(g, n, &p);
  switch (out_dtype(g, n)) {
  case SPCC_DT_F32:
    spcc_batch_norm_f32(&p, in[0], in[1], in[2], in[3], in[4], out[0]);
    return true;
  case SPCC_DT_F64:
    spcc_batch_norm_f64(&p, in[0], in[1], in[2], in[3], in[4], out[0]);
    return true;
  default: return bad_dtype(g, n, d);
  }
}
