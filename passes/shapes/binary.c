/* binary.c - shape rules of the binary family: Pow, Mod, BitShift (two
 * operands), Min, Max, Sum, Mean (variadic), Equal, Less, Greater,
 * LessOrEqual, GreaterOrEqual (bool results), And, Or, Xor (bool), Where.
 *
 * Two-operand ops line up their inputs with the elementwise family's
 * spcc_elem_broadcast, which also covers the opset < 7 `broadcast`/`axis`
 * form of Pow and the comparison/logic ops. Variadic ops and Where use
 * plain numpy multidirectional broadcasting over all their inputs. The
 * element types accepted are exactly those rt/binary.h implements.
 */
#include <string.h>

#include "passes/passes.h"
#include "passes/shapes/elementwise.h"

#define DT_BIT(t) (1u << (unsigned)(t))
#define DT_FLOATS (DT_BIT(SPCC_DT_F32) | DT_BIT(SPCC_DT_F64))
#define DT_SIGNED \
  (DT_BIT(SPCC_DT_I8) | DT_BIT(SPCC_DT_I16) | DT_BIT(SPCC_DT_I32) | DT_BIT(SPCC_DT_I64))
#define DT_UNSIGNED \
  (DT_BIT(SPCC_DT_U8) | DT_BIT(SPCC_DT_U16) | DT_BIT(SPCC_DT_U32) | DT_BIT(SPCC_DT_U64))
#define DT_NUMERIC (DT_FLOATS | DT_SIGNED | DT_UNSIGNED)
#define DT_POW_BASE (DT_FLOATS | DT_BIT(SPCC_DT_I32) | DT_BIT(SPCC_DT_I64))

static bool check_dtype(const spcc_graph *g, const spcc_node *n, spcc_dtype dt, unsigned allowed,
                        spcc_diag *d) {
  if (dt < SPCC_DT_COUNT && (allowed & DT_BIT(dt))) return true;
  spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(dt));
  return false;
}

/* Two inputs of one element type (unless `mixed`) in `allowed`, broadcast
 * to an output of type out_dt (SPCC_DT_UNDEF: the inputs' type). */
static bool two_operands(spcc_graph *g, spcc_node *n, unsigned allowed, bool mixed,
                         spcc_dtype out_dt, spcc_diag *d) {
  const spcc_type *ta = spcc_in_type(g, n, 0), *tb = spcc_in_type(g, n, 1);
  if (!ta || !tb || n->n_in != 2 || n->n_out < 1) {
    spcc_node_error(d, g, n, "expects two inputs and an output");
    return false;
  }
  if (!mixed && ta->dtype != tb->dtype) {
    spcc_node_error(d, g, n, "input element types differ: %s and %s", spcc_dtype_name(ta->dtype),
                    spcc_dtype_name(tb->dtype));
    return false;
  }
  if (!check_dtype(g, n, ta->dtype, allowed, d)) return false;
  int r;
  int64_t y[SPCC_MAX_RANK], a[SPCC_MAX_RANK], b[SPCC_MAX_RANK];
  if (!spcc_elem_broadcast(g, n, &r, y, a, b, d)) return false;
  spcc_set_output(g, n, 0, out_dt == SPCC_DT_UNDEF ? ta->dtype : out_dt, r, y);
  return true;
}

/* Numpy broadcasting of inputs first..first+count-1 into *rank / y. */
static bool broadcast_all(const spcc_graph *g, const spcc_node *n, int first, int count, int *rank,
                          int64_t *y, spcc_diag *d) {
  int r = 0;
  for (int k = first; k < first + count; k++) {
    const spcc_type *t = spcc_in_type(g, n, k);
    if (t->rank > r) r = t->rank;
  }
  for (int k = 0; k < r; k++) y[k] = 1;
  for (int k = first; k < first + count; k++) {
    const spcc_type *t = spcc_in_type(g, n, k);
    int pad = r - t->rank;
    for (int j = 0; j < t->rank; j++) {
      int64_t dj = t->dims[j], *yj = &y[pad + j];
      if (dj == *yj || dj == 1) continue;
      if (*yj != 1) {
        char s[160];
        spcc_node_error(d, g, n, "shape mismatch: input %d %s does not broadcast to the others", k,
                        spcc_type_str(t, s, sizeof s));
        return false;
      }
      *yj = dj;
    }
  }
  *rank = r;
  return true;
}

/* ---- Pow, Mod, BitShift ---------------------------------------------------- */

/* Pow: base and exponent types may differ from opset 12 on; the output has
 * the base's type. */
bool spcc_shape_pow(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *tb = spcc_in_type(g, n, 1);
  if (tb && !check_dtype(g, n, tb->dtype, DT_NUMERIC, d)) return false;
  return two_operands(g, n, DT_POW_BASE, true, SPCC_DT_UNDEF, d);
}

bool spcc_shape_mod(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  int64_t fm = spcc_attr_int(n, "fmod", 0);
  if (fm != 0 && fm != 1) {
    spcc_node_error(d, g, n, "attribute 'fmod' must be 0 or 1, got %lld", (long long)fm);
    return false;
  }
  return two_operands(g, n, DT_NUMERIC, false, SPCC_DT_UNDEF, d);
}

bool spcc_shape_bit_shift(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const char *dir = spcc_attr_string(n, "direction", NULL);
  if (!dir) {
    spcc_node_error(d, g, n, "missing attribute 'direction'");
    return false;
  }
  if (strcmp(dir, "LEFT") != 0 && strcmp(dir, "RIGHT") != 0) {
    spcc_node_error(d, g, n, "unsupported attribute 'direction' value '%s'", dir);
    return false;
  }
  return two_operands(g, n, DT_UNSIGNED, false, SPCC_DT_UNDEF, d);
}

/* ---- comparisons and logic --------------------------------------------------- */

bool spcc_shape_equal(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return two_operands(g, n, DT_NUMERIC | DT_BIT(SPCC_DT_BOOL), false, SPCC_DT_BOOL, d);
}
bool spcc_shape_less(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return two_operands(g, n, DT_NUMERIC, false, SPCC_DT_BOOL, d);
}
bool spcc_shape_less_equal(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return two_operands(g, n, DT_NUMERIC, false, SPCC_DT_BOOL, d);
}
bool spcc_shape_greater(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return two_operands(g, n, DT_NUMERIC, false, SPCC_DT_BOOL, d);
}
bool spcc_shape_greater_equal(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return two_operands(g, n, DT_NUMERIC, false, SPCC_DT_BOOL, d);
}
bool spcc_shape_and(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return two_operands(g, n, DT_BIT(SPCC_DT_BOOL), false, SPCC_DT_BOOL, d);
}
bool spcc_shape_or(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return two_operands(g, n, DT_BIT(SPCC_DT_BOOL), false, SPCC_DT_BOOL, d);
}
bool spcc_shape_xor(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return two_operands(g, n, DT_BIT(SPCC_DT_BOOL), false, SPCC_DT_BOOL, d);
}

/* ---- variadic: Min, Max, Sum, Mean ----------------------------------------------
 * 1..N inputs of one type. Opsets before 8 required equal shapes (and opset
 * 1 had consumed_inputs, which changes nothing); broadcasting accepts those
 * models too, so every opset uses it. */
static bool variadic(spcc_graph *g, spcc_node *n, unsigned allowed, spcc_diag *d) {
  if (n->n_in < 1 || n->n_out < 1) {
    spcc_node_error(d, g, n, "expects at least one input and an output");
    return false;
  }
  const spcc_type *t0 = NULL;
  for (int k = 0; k < n->n_in; k++) {
    const spcc_type *t = spcc_in_type(g, n, k);
    if (!t) {
      spcc_node_error(d, g, n, "input %d is missing", k);
      return false;
    }
    if (!t0) t0 = t;
    if (t->dtype != t0->dtype) {
      spcc_node_error(d, g, n, "input element types differ: %s and %s",
                      spcc_dtype_name(t0->dtype), spcc_dtype_name(t->dtype));
      return false;
    }
  }
  if (!check_dtype(g, n, t0->dtype, allowed, d)) return false;
  int r;
  int64_t y[SPCC_MAX_RANK];
  if (!broadcast_all(g, n, 0, n->n_in, &r, y, d)) return false;
  spcc_set_output(g, n, 0, t0->dtype, r, y);
  return true;
}

bool spcc_shape_min(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return variadic(g, n, DT_NUMERIC, d);
}
bool spcc_shape_max(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return variadic(g, n, DT_NUMERIC, d);
}
bool spcc_shape_sum(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return variadic(g, n, DT_NUMERIC, d);
}
bool spcc_shape_mean(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return variadic(g, n, DT_FLOATS, d);
}

/* ---- Where ---------------------------------------------------------------------- */

bool spcc_shape_where(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *tc = spcc_in_type(g, n, 0), *tx = spcc_in_type(g, n, 1),
                  *ty = spcc_in_type(g, n, 2);
  if (!tc || !tx || !ty || n->n_in != 3 || n->n_out < 1) {
    spcc_node_error(d, g, n, "expects three inputs (condition, X, Y) and an output");
    return false;
  }
  if (tc->dtype != SPCC_DT_BOOL) {
    spcc_node_error(d, g, n, "condition must be bool, got %s", spcc_dtype_name(tc->dtype));
    return false;
  }
  if (tx->dtype != ty->dtype) {
    spcc_node_error(d, g, n, "X and Y element types differ: %s and %s",
                    spcc_dtype_name(tx->dtype), spcc_dtype_name(ty->dtype));
    return false;
  }
  if (!check_dtype(g, n, tx->dtype, DT_NUMERIC | DT_BIT(SPCC_DT_BOOL), d)) return false;
  int r;
  int64_t y[SPCC_MAX_RANK];
  if (!broadcast_all(g, n, 0, 3, &r, y, d)) return false;
  spcc_set_output(g, n, 0, tx->dtype, r, y);
  return true;
}
