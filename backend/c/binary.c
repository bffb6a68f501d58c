/* binary.c - C emitters and compile-time evaluators of the binary family:
 * Pow, Mod, BitShift, Min, Max, Sum, Mean, Equal, Less, Greater,
 * LessOrEqual, GreaterOrEqual, And, Or, Xor, Where.
 *
 * Emit and eval of a node build their parameter blocks with the same static
 * functions (two_params, pair_params, where_params), so a folded constant is
 * exactly what the generated code computes. The layouts are collapsed like
 * the elementwise family's (size-1 dims dropped, dims contiguous in every
 * operand merged) by one routine for any number of operands. Variadic ops
 * become a chain of calls into the output: a copy for one input, else a
 * two-operand kernel on the first pair followed by accumulate kernels
 * (rt/binary.h); Sum's first step is the elementwise spcc_add_<T>.
 */
#include <stdio.h>
#include <string.h>

#include "backend/c/ops.h"
#include "passes/shapes/elementwise.h"
#include "spcc/spcc_rt.h"

/* ---- layouts -------------------------------------------------------------- */

/* Collapses the broadcast of k operands (od[j], padded to rank r) into an
 * output of dims y: strides[j] are element strides, 0 where operand j
 * broadcasts. Returns the collapsed rank; an empty output becomes rank 1
 * with dims {0}. */
static int collapse(int r, const int64_t *y, int k, int64_t od[][SPCC_MAX_RANK], int64_t *dims,
                    int64_t st[][SPCC_RT_MAX_RANK]) {
  int64_t os[3][SPCC_MAX_RANK], run[3] = {1, 1, 1};
  for (int i = r - 1; i >= 0; i--) {
    if (y[i] == 0) {
      dims[0] = 0;
      for (int j = 0; j < k; j++) st[j][0] = 0;
      return 1;
    }
    for (int j = 0; j < k; j++) {
      os[j][i] = od[j][i] == 1 ? 0 : run[j];
      run[j] *= od[j][i];
    }
  }
  int m = 0;
  for (int i = 0; i < r; i++) {
    if (y[i] == 1) continue;
    bool merge = m > 0;
    for (int j = 0; j < k && merge; j++) merge = st[j][m - 1] == os[j][i] * y[i];
    if (merge) {
      dims[m - 1] *= y[i];
      for (int j = 0; j < k; j++) st[j][m - 1] = os[j][i];
      continue;
    }
    dims[m] = y[i];
    for (int j = 0; j < k; j++) st[j][m] = os[j][i];
    m++;
  }
  return m;
}

static void fill_binary(spcc_binary_params *p, int r, const int64_t *y, int64_t od[][SPCC_MAX_RANK]) {
  int64_t st[2][SPCC_RT_MAX_RANK];
  memset(p, 0, sizeof *p);
  memset(st, 0, sizeof st);
  p->rank = collapse(r, y, 2, od, p->dims, st);
  memcpy(p->a_strides, st[0], sizeof p->a_strides);
  memcpy(p->b_strides, st[1], sizeof p->b_strides);
}

/* Two-operand ops: the shape rule's broadcast (including opset < 7 axis). */
static bool two_params(const spcc_graph *g, const spcc_node *n, spcc_binary_params *p,
                       spcc_diag *d) {
  int r;
  int64_t y[SPCC_MAX_RANK], od[2][SPCC_MAX_RANK];
  if (!spcc_elem_broadcast(g, n, &r, y, od[0], od[1], d)) return false;
  fill_binary(p, r, y, od);
  return true;
}

/* Value vid's dims padded with leading 1s to the output's rank. */
static void padded(const spcc_graph *g, int vid, const spcc_type *ty, int64_t *od) {
  const spcc_type *t = &g->values[vid].type;
  int pad = ty->rank - t->rank;
  for (int i = 0; i < ty->rank; i++) od[i] = i < pad ? 1 : t->dims[i - pad];
}

/* Variadic steps: operands a and b (value ids; a == -1 means the output
 * itself, for accumulate kernels) broadcast into output 0. */
static void pair_params(const spcc_graph *g, const spcc_node *n, int a, int b,
                        spcc_binary_params *p) {
  const spcc_type *ty = &g->values[n->out[0]].type;
  int64_t od[2][SPCC_MAX_RANK];
  padded(g, a >= 0 ? a : n->out[0], ty, od[0]);
  padded(g, b, ty, od[1]);
  fill_binary(p, ty->rank, ty->dims, od);
}

static void where_params(const spcc_graph *g, const spcc_node *n, spcc_where_params *p) {
  const spcc_type *ty = &g->values[n->out[0]].type;
  int64_t od[3][SPCC_MAX_RANK], st[3][SPCC_RT_MAX_RANK];
  for (int j = 0; j < 3; j++) padded(g, n->in[j], ty, od[j]);
  memset(p, 0, sizeof *p);
  memset(st, 0, sizeof st);
  p->rank = collapse(ty->rank, ty->dims, 3, od, p->dims, st);
  memcpy(p->c_strides, st[0], sizeof p->c_strides);
  memcpy(p->x_strides, st[1], sizeof p->x_strides);
  memcpy(p->y_strides, st[2], sizeof p->y_strides);
}

/* ---- small helpers ---------------------------------------------------------- */

static spcc_dtype in_dtype(const spcc_graph *g, const spcc_node *n, int k) {
  return g->values[n->in[k]].type.dtype;
}

static int64_t out_numel(const spcc_graph *g, const spcc_node *n) {
  return spcc_type_numel(&g->values[n->out[0]].type);
}

static bool unsupported_dtype(const spcc_graph *g, const spcc_node *n, spcc_dtype dt,
                              spcc_diag *d) {
  spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(dt));
  return false;
}

static const char *emit_binary_params(spcc_emitter *e, const spcc_binary_params *p,
                                      const char *hint) {
  const char *sym = spcc_emit_params_begin(e, "spcc_binary_params", hint);
  spcc_emit_param_i64(e, "rank", p->rank);
  if (p->rank > 0) { /* C99 has no empty initializer lists */
    spcc_emit_param_i64s(e, "dims", p->dims, (int)p->rank);
    spcc_emit_param_i64s(e, "a_strides", p->a_strides, (int)p->rank);
    spcc_emit_param_i64s(e, "b_strides", p->b_strides, (int)p->rank);
  }
  spcc_emit_params_end(e);
  return sym;
}

/* Kernel name of a two-operand node: spcc_<kernel op>_<dtype>[_<exponent dtype>]. */
static void two_kernel_name(const spcc_graph *g, const spcc_node *n, char *buf, size_t size) {
  spcc_dtype dt = in_dtype(g, n, 0);
  switch (n->op) {
  case SPCC_OP_POW:
    snprintf(buf, size, "spcc_pow_%s_%s", spcc_dtype_name(dt), spcc_dtype_name(in_dtype(g, n, 1)));
    return;
  case SPCC_OP_MOD:
    snprintf(buf, size, "spcc_%s_%s", spcc_attr_int(n, "fmod", 0) ? "fmod" : "mod",
             spcc_dtype_name(dt));
    return;
  case SPCC_OP_BIT_SHIFT:
    snprintf(buf, size, "spcc_%s_%s",
             strcmp(spcc_attr_string(n, "direction", ""), "LEFT") == 0 ? "shl" : "shr",
             spcc_dtype_name(dt));
    return;
  default:
    snprintf(buf, size, "spcc_%s_%s", spcc_op_ir_name(n->op), spcc_dtype_name(dt));
    return;
  }
}

static bool emit_two(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_binary_params p;
  char fn[80];
  if (!two_params(g, n, &p, d)) return false;
  two_kernel_name(g, n, fn, sizeof fn);
  const char *sym = emit_binary_params(e, &p, spcc_op_ir_name(n->op));
  spcc_emit_line(e, "%s(&%s, %s, %s, %s);", fn, sym, spcc_emit_ptr(e, n->in[0]),
                 spcc_emit_ptr(e, n->in[1]), spcc_emit_ptr(e, n->out[0]));
  return true;
}

/* ---- eval dispatch ------------------------------------------------------------ */

/* `return true` after calling PREFIX_<dtype>ARGS for the numeric dtype dt. */
#define CALL_NUMERIC(dt, PREFIX, ARGS)                        \
  switch (dt) {                                               \
  case SPCC_DT_F32: PREFIX##_f32 ARGS; return true;           \
  case SPCC_DT_F64: PREFIX##_f64 ARGS; return true;           \
  case SPCC_DT_I8: PREFIX##_i8 ARGS; return true;             \
  case SPCC_DT_I16: PREFIX##_i16 ARGS; return true;           \
  case SPCC_DT_I32: PREFIX##_i32 ARGS; return true;           \
  case SPCC_DT_I64: PREFIX##_i64 ARGS; return true;           \
  case SPCC_DT_U8: PREFIX##_u8 ARGS; return true;             \
  case SPCC_DT_U16: PREFIX##_u16 ARGS; return true;           \
  case SPCC_DT_U32: PREFIX##_u32 ARGS; return true;           \
  case SPCC_DT_U64: PREFIX##_u64 ARGS; return true;           \
  default: break;                                             \
  }
#define CALL_UNSIGNED(dt, PREFIX, ARGS)                       \
  switch (dt) {                                               \
  case SPCC_DT_U8: PREFIX##_u8 ARGS; return true;             \
  case SPCC_DT_U16: PREFIX##_u16 ARGS; return true;           \
  case SPCC_DT_U32: PREFIX##_u32 ARGS; return true;           \
  case SPCC_DT_U64: PREFIX##_u64 ARGS; return true;           \
  default: break;                                             \
  }

#define TWO_ARGS (&p, in[0], in[1], out[0])

static bool eval_pow(spcc_dtype base, spcc_dtype ex, const spcc_binary_params *pp,
                     const void *const *in, void *const *out) {
  const spcc_binary_params p = *pp;
  switch (base) {
  case SPCC_DT_F32: CALL_NUMERIC(ex, spcc_pow_f32, TWO_ARGS) break;
  case SPCC_DT_F64: CALL_NUMERIC(ex, spcc_pow_f64, TWO_ARGS) break;
  case SPCC_DT_I32: CALL_NUMERIC(ex, spcc_pow_i32, TWO_ARGS) break;
  case SPCC_DT_I64: CALL_NUMERIC(ex, spcc_pow_i64, TWO_ARGS) break;
  default: break;
  }
  return false;
}

static bool eval_two(const spcc_graph *g, const spcc_node *n, const void *const *in,
                     void *const *out, spcc_diag *d) {
  spcc_binary_params p;
  spcc_dtype dt = in_dtype(g, n, 0);
  if (!two_params(g, n, &p, d)) return false;
  switch (n->op) {
  case SPCC_OP_POW:
    if (eval_pow(dt, in_dtype(g, n, 1), &p, in, out)) return true;
    break;
  case SPCC_OP_MOD:
    if (spcc_attr_int(n, "fmod", 0)) {
      CALL_NUMERIC(dt, spcc_fmod, TWO_ARGS)
    } else {
      CALL_NUMERIC(dt, spcc_mod, TWO_ARGS)
    }
    break;
  case SPCC_OP_BIT_SHIFT:
    if (strcmp(spcc_attr_string(n, "direction", ""), "LEFT") == 0) {
      CALL_UNSIGNED(dt, spcc_shl, TWO_ARGS)
    } else {
      CALL_UNSIGNED(dt, spcc_shr, TWO_ARGS)
    }
    break;
  case SPCC_OP_EQUAL:
    if (dt == SPCC_DT_BOOL) {
      spcc_equal_bool TWO_ARGS;
      return true;
    }
    CALL_NUMERIC(dt, spcc_equal, TWO_ARGS)
    break;
  case SPCC_OP_LESS: CALL_NUMERIC(dt, spcc_less, TWO_ARGS) break;
  case SPCC_OP_LESS_OR_EQUAL: CALL_NUMERIC(dt, spcc_less_equal, TWO_ARGS) break;
  case SPCC_OP_GREATER: CALL_NUMERIC(dt, spcc_greater, TWO_ARGS) break;
  case SPCC_OP_GREATER_OR_EQUAL: CALL_NUMERIC(dt, spcc_greater_equal, TWO_ARGS) break;
  case SPCC_OP_AND:
    if (dt == SPCC_DT_BOOL) {
      spcc_and_bool TWO_ARGS;
      return true;
    }
    break;
  case SPCC_OP_OR:
    if (dt == SPCC_DT_BOOL) {
      spcc_or_bool TWO_ARGS;
      return true;
    }
    break;
  case SPCC_OP_XOR:
    if (dt == SPCC_DT_BOOL) {
      spcc_xor_bool TWO_ARGS;
      return true;
    }
    break;
  default: break;
  }
  return unsupported_dtype(g, n, dt, d);
}

#define TWO_OP(fn)                                                                     \
  bool spcc_emit_##fn(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {            \
    return emit_two(e, n, d);                                                          \
  }                                                                                    \
  bool spcc_eval_##fn(const spcc_graph *g, const spcc_node *n, const void *const *in,  \
                      void *const *out, spcc_diag *d) {                                \
    return eval_two(g, n, in, out, d);                                                 \
  }
TWO_OP(pow)
TWO_OP(mod)
TWO_OP(bit_shift)
TWO_OP(equal)
TWO_OP(less)
TWO_OP(less_equal)
TWO_OP(greater)
TWO_OP(greater_equal)
TWO_OP(and)
TWO_OP(or)
TWO_OP(xor)

/* ---- variadic: Min, Max, Sum, Mean ---------------------------------------------- */

/* Kernel op names of the first step and of the accumulate steps. */
static const char *first_op(const spcc_node *n) {
  switch (n->op) {
  case SPCC_OP_MIN: return "min";
  case SPCC_OP_MAX: return "max";
  default: return "add";
  }
}
static const char *acc_op(const spcc_node *n) {
  switch (n->op) {
  case SPCC_OP_MIN: return "min";
  case SPCC_OP_MAX: return "max";
  default: return "sum";
  }
}

static bool emit_variadic(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_dtype dt = in_dtype(g, n, 0);
  const char *ty = spcc_dtype_name(dt), *y = spcc_emit_ptr(e, n->out[0]);
  (void)d;
  if (n->n_in == 1) {
    spcc_emit_line(e, "spcc_identity(%lld, %zu, %s, %s);", (long long)out_numel(g, n),
                   spcc_dtype_size(dt), spcc_emit_ptr(e, n->in[0]), y);
    return true;
  }
  spcc_binary_params p;
  pair_params(g, n, n->in[0], n->in[1], &p);
  const char *sym = emit_binary_params(e, &p, spcc_op_ir_name(n->op));
  spcc_emit_line(e, "spcc_%s_%s(&%s, %s, %s, %s);", first_op(n), ty, sym,
                 spcc_emit_ptr(e, n->in[0]), spcc_emit_ptr(e, n->in[1]), y);
  for (int k = 2; k < n->n_in; k++) {
    pair_params(g, n, -1, n->in[k], &p);
    sym = emit_binary_params(e, &p, spcc_op_ir_name(n->op));
    spcc_emit_line(e, "spcc_%s_acc_%s(&%s, %s, %s);", acc_op(n), ty, sym,
                   spcc_emit_ptr(e, n->in[k]), y);
  }
  if (n->op == SPCC_OP_MEAN)
    spcc_emit_line(e, "spcc_mean_finish_%s(%lld, %d, %s);", ty, (long long)out_numel(g, n),
                   n->n_in, y);
  return true;
}

/* One step of the chain for dtype dt: returns false for a dtype the op
 * has no kernel for. */
static bool eval_first(spcc_op op, spcc_dtype dt, const spcc_binary_params *pp,
                       const void *const *in, void *const *out) {
  const spcc_binary_params p = *pp;
  switch (op) {
  case SPCC_OP_MIN: CALL_NUMERIC(dt, spcc_min, TWO_ARGS) break;
  case SPCC_OP_MAX: CALL_NUMERIC(dt, spcc_max, TWO_ARGS) break;
  default: CALL_NUMERIC(dt, spcc_add, TWO_ARGS) break;
  }
  return false;
}

static bool eval_acc(spcc_op op, spcc_dtype dt, const spcc_binary_params *pp, const void *b,
                     void *y) {
  const spcc_binary_params p = *pp;
  switch (op) {
  case SPCC_OP_MIN: CALL_NUMERIC(dt, spcc_min_acc, (&p, b, y)) break;
  case SPCC_OP_MAX: CALL_NUMERIC(dt, spcc_max_acc, (&p, b, y)) break;
  default: CALL_NUMERIC(dt, spcc_sum_acc, (&p, b, y)) break;
  }
  return false;
}

static bool eval_variadic(const spcc_graph *g, const spcc_node *n, const void *const *in,
                          void *const *out, spcc_diag *d) {
  spcc_dtype dt = in_dtype(g, n, 0);
  if (n->n_in == 1) {
    spcc_identity(out_numel(g, n), spcc_dtype_size(dt), in[0], out[0]);
    return true;
  }
  spcc_binary_params p;
  pair_params(g, n, n->in[0], n->in[1], &p);
  if (!eval_first(n->op, dt, &p, in, out)) return unsupported_dtype(g, n, dt, d);
  for (int k = 2; k < n->n_in; k++) {
    pair_params(g, n, -1, n->in[k], &p);
    if (!eval_acc(n->op, dt, &p, in[k], out[0])) return unsupported_dtype(g, n, dt, d);
  }
  if (n->op == SPCC_OP_MEAN) {
    if (dt == SPCC_DT_F32)
      spcc_mean_finish_f32(out_numel(g, n), n->n_in, out[0]);
    else if (dt == SPCC_DT_F64)
      spcc_mean_finish_f64(out_numel(g, n), n->n_in, out[0]);
    else
      return unsupported_dtype(g, n, dt, d);
  }
  return true;
}

#define VARIADIC_OP(fn)                                                                \
  bool spcc_emit_##fn(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {            \
    return emit_variadic(e, n, d);                                                     \
  }                                                                                    \
  bool spcc_eval_##fn(const spcc_graph *g, const spcc_node *n, const void *const *in,  \
                      void *const *out, spcc_diag *d) {                                \
    return eval_variadic(g, n, in, out, d);                                            \
  }
VARIADIC_OP(min)
VARIADIC_OP(max)
VARIADIC_OP(sum)
VARIADIC_OP(mean)

/* ---- Where ------------------------------------------------------------------------ */

bool spcc_emit_where(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_where_params p;
  (void)d;
  where_params(g, n, &p);
  const char *sym = spcc_emit_params_begin(e, "spcc_where_params", "where");
  spcc_emit_param_i64(e, "rank", p.rank);
  if (p.rank > 0) {
    spcc_emit_param_i64s(e, "dims", p.dims, (int)p.rank);
    spcc_emit_param_i64s(e, "c_strides", p.c_strides, (int)p.rank);
    spcc_emit_param_i64s(e, "x_strides", p.x_strides, (int)p.rank);
    spcc_emit_param_i64s(e, "y_strides", p.y_strides, (int)p.rank);
  }
  spcc_emit_params_end(e);
  spcc_emit_line(e, "spcc_where_%s(&%s, %s, %s, %s, %s);", spcc_dtype_name(in_dtype(g, n, 1)),
                 sym, spcc_emit_ptr(e, n->in[0]), spcc_emit_ptr(e, n->in[1]),
                 spcc_emit_ptr(e, n->in[2]), spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_where(const spcc_graph *g, const spcc_node *n, const void *const *in,
                     void *const *out, spcc_diag *d) {
  spcc_where_params p;
  spcc_dtype dt = in_dtype(g, n, 1);
  where_params(g, n, &p);
  if (dt == SPCC_DT_BOOL) {
    spcc_where_bool(&p, in[0], in[1], in[2], out[0]);
    return true;
  }
  CALL_NUMERIC(dt, spcc_where, (&p, in[0], in[1], in[2], out[0]))
  return unsupported_dtype(g, n, dt, d);
}
