/* reduce.c - C emission and compile-time evaluation of the reductions
 * (Reduce*, ArgMax, ArgMin) and MeanVarianceNormalization.
 *
 * reduce_params turns the node's reduced axes into the kernel's kept /
 * reduced description: size-1 axes are dropped (they move no offset) and
 * neighbouring axes of the same kind are merged, so e.g. a reduction over
 * the trailing H, W of NCHW becomes one kept axis of N*C and one
 * contiguous reduced axis of H*W. emit writes that block as a
 * `static const` struct; eval calls the same kernel, so constant folding
 * computes exactly what the generated code computes.
 */
#include <stdio.h>
#include <string.h>

#include "backend/c/ops.h"
#include "passes/shapes/reduce_axes.h"
#include "spcc/spcc_rt.h"

static bool bad_dtype(const spcc_graph *g, const spcc_node *n, spcc_dtype t, spcc_diag *d) {
  spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(t));
  return false;
}

static bool reduce_params(const spcc_graph *g, const spcc_node *n, int64_t op,
                          spcc_reduce_params *p, spcc_diag *d) {
  const spcc_type *x = spcc_in_type(g, n, 0);
  bool red[SPCC_MAX_RANK];
  if (!spcc_reduce_axes_mask(g, n, red, d)) return false;
  memset(p, 0, sizeof *p);
  p->op = op;
  int64_t stride = 1;
  int last = -1; /* kind of the axis just before (in the walk from the back) */
  /* Walk from the innermost axis out, so strides are known as we go; the
   * axes are then reversed into row-major order. */
  int64_t kd[SPCC_MAX_RANK], ks[SPCC_MAX_RANK], rd[SPCC_MAX_RANK], rs[SPCC_MAX_RANK];
  int nk = 0, nr = 0;
  for (int r = x->rank - 1; r >= 0; r--) {
    const int64_t dim = x->dims[r];
    if (dim != 1) {
      const int kind = red[r] ? 1 : 0;
      if (kind == last) { /* merge into the outer end of the previous run */
        if (kind) rd[nr - 1] *= dim;
        else kd[nk - 1] *= dim;
      } else if (kind) {
        rd[nr] = dim;
        rs[nr++] = stride;
      } else {
        kd[nk] = dim;
        ks[nk++] = stride;
      }
      last = kind;
    }
    stride *= dim;
  }
  p->keep_rank = nk;
  p->red_rank = nr;
  for (int i = 0; i < nk; i++) {
    p->keep_dims[i] = kd[nk - 1 - i];
    p->keep_strides[i] = ks[nk - 1 - i];
  }
  for (int i = 0; i < nr; i++) {
    p->red_dims[i] = rd[nr - 1 - i];
    p->red_strides[i] = rs[nr - 1 - i];
  }
  return true;
}

static void emit_reduce_block(spcc_emitter *e, const spcc_reduce_params *p, const char **sym) {
  *sym = spcc_emit_params_begin(e, "spcc_reduce_params", "reduce");
  spcc_emit_param_i64(e, "op", p->op);
  spcc_emit_param_i64(e, "keep_rank", p->keep_rank);
  if (p->keep_rank > 0) { /* an empty {} initializer is not C99 */
    spcc_emit_param_i64s(e, "keep_dims", p->keep_dims, (int)p->keep_rank);
    spcc_emit_param_i64s(e, "keep_strides", p->keep_strides, (int)p->keep_rank);
  }
  spcc_emit_param_i64(e, "red_rank", p->red_rank);
  if (p->red_rank > 0) {
    spcc_emit_param_i64s(e, "red_dims", p->red_dims, (int)p->red_rank);
    spcc_emit_param_i64s(e, "red_strides", p->red_strides, (int)p->red_rank);
  }
  spcc_emit_params_end(e);
}

static bool float_only(int64_t op) {
  return op == SPCC_REDUCE_L2 || op == SPCC_REDUCE_LOG_SUM || op == SPCC_REDUCE_LOG_SUM_EXP;
}

static bool reduce_dtype_ok(spcc_dtype t, int64_t op) {
  if (t == SPCC_DT_F32 || t == SPCC_DT_F64) return true;
  return !float_only(op) && t != SPCC_DT_BOOL && t != SPCC_DT_UNDEF && t < SPCC_DT_COUNT;
}

static bool emit_reduce(spcc_emitter *e, const spcc_node *n, int64_t op, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  const spcc_dtype dt = spcc_in_type(g, n, 0)->dtype;
  if (!reduce_dtype_ok(dt, op)) return bad_dtype(g, n, dt, d);
  spcc_reduce_params p;
  if (!reduce_params(g, n, op, &p, d)) return false;
  const char *sym;
  emit_reduce_block(e, &p, &sym);
  /* The axes input only mattered at compile time; referencing it keeps it
   * from being an unused variable in the generated code. */
  if (spcc_node_in(n, 1) >= 0) spcc_emit_line(e, "(void)%s;", spcc_emit_ptr(e, n->in[1]));
  const char *x = spcc_emit_ptr(e, n->in[0]), *y = spcc_emit_ptr(e, n->out[0]);
  spcc_emit_line(e, "spcc_reduce_%s(&%s, %s, %s);", spcc_dtype_name(dt), sym, x, y);
  return true;
}

static bool eval_reduce(const spcc_graph *g, const spcc_node *n, int64_t op,
                        const void *const *in, void *const *out, spcc_diag *d) {
  const spcc_dtype dt = spcc_in_type(g, n, 0)->dtype;
  if (!reduce_dtype_ok(dt, op)) return bad_dtype(g, n, dt, d);
  spcc_reduce_params p;
  if (!reduce_params(g, n, op, &p, d)) return false;
  switch (dt) {
  case SPCC_DT_F32: spcc_reduce_f32(&p, in[0], out[0]); return true;
  case SPCC_DT_F64: spcc_reduce_f64(&p, in[0], out[0]); return true;
  case SPCC_DT_I8: spcc_reduce_i8(&p, in[0], out[0]); return true;
  case SPCC_DT_I16: spcc_reduce_i16(&p, in[0], out[0]); return true;
  case SPCC_DT_I32: spcc_reduce_i32(&p, in[0], out[0]); return true;
  case SPCC_DT_I64: spcc_reduce_i64(&p, in[0], out[0]); return true;
  case SPCC_DT_U8: spcc_reduce_u8(&p, in[0], out[0]); return true;
  case SPCC_DT_U16: spcc_reduce_u16(&p, in[0], out[0]); return true;
  case SPCC_DT_U32: spcc_reduce_u32(&p, in[0], out[0]); return true;
  case SPCC_DT_U64: spcc_reduce_u64(&p, in[0], out[0]); return true;
  default: return bad_dtype(g, n, dt, d);
  }
}

#define DEFINE_REDUCE_OP(fn, OP)                                                          \
  bool spcc_emit_##fn(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {                \
    return emit_reduce(e, n, OP, d);                                                      \
  }                                                                                       \
  bool spcc_eval_##fn(const spcc_graph *g, const spcc_node *n, const void *const *in,     \
                      void *const *out, spcc_diag *d) {                                   \
    return eval_reduce(g, n, OP, in, out, d);                                             \
  }

DEFINE_REDUCE_OP(reduce_sum, SPCC_REDUCE_SUM)
DEFINE_REDUCE_OP(reduce_mean, SPCC_REDUCE_MEAN)
DEFINE_REDUCE_OP(reduce_max, SPCC_REDUCE_MAX)
DEFINE_REDUCE_OP(reduce_min, SPCC_REDUCE_MIN)
DEFINE_REDUCE_OP(reduce_prod, SPCC_REDUCE_PROD)
DEFINE_REDUCE_OP(reduce_l1, SPCC_REDUCE_L1)
DEFINE_REDUCE_OP(reduce_l2, SPCC_REDUCE_L2)
DEFINE_REDUCE_OP(reduce_log_sum, SPCC_REDUCE_LOG_SUM)
DEFINE_REDUCE_OP(reduce_log_sum_exp, SPCC_REDUCE_LOG_SUM_EXP)
DEFINE_REDUCE_OP(reduce_sum_square, SPCC_REDUCE_SUM_SQUARE)

/* ---- ArgMax / ArgMin ----------------------------------------------------------- */

static void arg_params(const spcc_graph *g, const spcc_node *n, spcc_arg_reduce_params *p) {
  const spcc_type *x = spcc_in_type(g, n, 0);
  int64_t axis = spcc_attr_int(n, "axis", 0);
  if (axis < 0) axis += x->rank;
  memset(p, 0, sizeof *p);
  p->outer = 1;
  p->inner = 1;
  for (int r = 0; r < axis; r++) p->outer *= x->dims[r];
  for (int r = (int)axis + 1; r < x->rank; r++) p->inner *= x->dims[r];
  p->len = x->dims[axis];
  p->is_min = n->op == SPCC_OP_ARG_MIN;
  p->select_last = spcc_attr_int(n, "select_last_index", 0) != 0;
}

static bool arg_dtype_ok(spcc_dtype t) {
  return t != SPCC_DT_BOOL && t != SPCC_DT_UNDEF && t < SPCC_DT_COUNT;
}

static bool emit_arg(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  const spcc_dtype dt = spcc_in_type(g, n, 0)->dtype;
  if (!arg_dtype_ok(dt)) return bad_dtype(g, n, dt, d);
  spcc_arg_reduce_params p;
  arg_params(g, n, &p);
  const char *sym = spcc_emit_params_begin(e, "spcc_arg_reduce_params", "arg_reduce");
  spcc_emit_param_i64(e, "outer", p.outer);
  spcc_emit_param_i64(e, "len", p.len);
  spcc_emit_param_i64(e, "inner", p.inner);
  spcc_emit_param_i64(e, "is_min", p.is_min);
  spcc_emit_param_i64(e, "select_last", p.select_last);
  spcc_emit_params_end(e);
  const char *x = spcc_emit_ptr(e, n->in[0]), *y = spcc_emit_ptr(e, n->out[0]);
  spcc_emit_line(e, "spcc_arg_reduce_%s(&%s, %s, %s);", spcc_dtype_name(dt), sym, x, y);
  return true;
}

static bool eval_arg(const spcc_graph *g, const spcc_node *n, const void *const *in,
                     void *const *out, spcc_diag *d) {
  const spcc_dtype dt = spcc_in_type(g, n, 0)->dtype;
  spcc_arg_reduce_params p;
  arg_params(g, n, &p);
  switch (dt) {
  case SPCC_DT_F32: spcc_arg_reduce_f32(&p, in[0], out[0]); return true;
  case SPCC_DT_F64: spcc_arg_reduce_f64(&p, in[0], out[0]); return true;
  case SPCC_DT_I8: spcc_arg_reduce_i8(&p, in[0], out[0]); return true;
  case SPCC_DT_I16: spcc_arg_reduce_i16(&p, in[0], out[0]); return true;
  case SPCC_DT_I32: spcc_arg_reduce_i32(&p, in[0], out[0]); return true;
  case SPCC_DT_I64: spcc_arg_reduce_i64(&p, in[0], out[0]); return true;
  case SPCC_DT_U8: spcc_arg_reduce_u8(&p, in[0], out[0]); return true;
  case SPCC_DT_U16: spcc_arg_reduce_u16(&p, in[0], out[0]); return true;
  case SPCC_DT_U32: spcc_arg_reduce_u32(&p, in[0], out[0]); return true;
  case SPCC_DT_U64: spcc_arg_reduce_u64(&p, in[0], out[0]); return true;
  default: return bad_dtype(g, n, dt, d);
  }
}

bool spcc_emit_arg_max(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  return emit_arg(e, n, d);
}
bool spcc_eval_arg_max(const spcc_graph *g, const spcc_node *n, const void *const *in,
                       void *const *out, spcc_diag *d) {
  return eval_arg(g, n, in, out, d);
}
bool spcc_emit_arg_min(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  return emit_arg(e, n, d);
}
bool spcc_eval_arg_min(const spcc_graph *g, const spcc_node *n, const void *const *in,
                       void *const *out, spcc_diag *d) {
  return eval_arg(g, n, in, out, d);
}

/* ---- MeanVarianceNormalization ---------------------------------------------------- */

bool spcc_emit_mvn(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  const spcc_dtype dt = spcc_in_type(g, n, 0)->dtype;
  if (dt != SPCC_DT_F32 && dt != SPCC_DT_F64) return bad_dtype(g, n, dt, d);
  spcc_reduce_params p;
  if (!reduce_params(g, n, SPCC_REDUCE_MEAN, &p, d)) return false;
  const char *sym;
  emit_reduce_block(e, &p, &sym);
  const char *x = spcc_emit_ptr(e, n->in[0]), *y = spcc_emit_ptr(e, n->out[0]);
  spcc_emit_line(e, "spcc_mvn_%s(&%s, %s, %s);", spcc_dtype_name(dt), sym, x, y);
  return true;
}

bool spcc_eval_mvn(const spcc_graph *g, const spcc_node *n, const void *const *in,
                   void *const *out, spcc_diag *d) {
  const spcc_dtype dt = spcc_in_type(g, n, 0)->dtype;
  spcc_reduce_params p;
  if (!reduce_params(g, n, SPCC_REDUCE_MEAN, &p, d)) return false;
  switch (dt) {
  case SPCC_DT_F32: spcc_mvn_f32(&p, in[0], out[0]); return true;
  case SPCC_DT_F64: spcc_mvn_f64(&p, in[0], out[0]); return true;
  default: return bad_dtype(g, n, dt, d);
  }
}
