/* shape_plan.c - constant integer inputs and the Slice plan, shared by the
 * shape rules (passes/shapes/shape.c) and the emitter (backend/c/shape.c) of
 * the shape and indexing family, so the shape the compiler infers and the
 * view the generated code copies come from one computation.
 *
 * Slice follows ONNX: negative starts/ends count from the end, then clamp
 * to [0, dim] for positive steps and to [0, dim-1] / [-1, dim-1] for
 * negative ones; the count is ceil((end - start) / step), at least 0.
 * Values are int64 and may be INT64_MIN/MAX ("to the end"); the arithmetic
 * is arranged not to overflow.
 */
#include <string.h>

#include "passes/shapes/shape_plan.h"

bool spcc_shp_const_ints(const spcc_graph *g, const spcc_node *n, int k, const char *what,
                         int max, int64_t *v, int *count, spcc_diag *d) {
  const int vid = spcc_node_in(n, k);
  const spcc_type *t = spcc_in_type(g, n, k);
  *count = 0;
  if (!t) {
    spcc_node_error(d, g, n, "input %d '%s' is required", k, what);
    return false;
  }
  if ((t->dtype != SPCC_DT_I64 && t->dtype != SPCC_DT_I32) || t->rank > 1) {
    char buf[160];
    spcc_node_error(d, g, n, "'%s' input must be a 1-D int64 or int32 tensor, got %s", what,
                    spcc_type_str(t, buf, sizeof buf));
    return false;
  }
  const int64_t len = t->rank == 0 ? 1 : t->dims[0];
  if (len > max) {
    spcc_node_error(d, g, n, "'%s' has %lld entries, at most %d are allowed", what,
                    (long long)len, max);
    return false;
  }
  const void *data = spcc_value_data(g, vid);
  if (!data && len > 0) {
    spcc_node_error(d, g, n, "unsupported: input '%s' must be a compile-time constant (use --bind)",
                    what);
    return false;
  }
  for (int64_t i = 0; i < len; i++) {
    if (t->dtype == SPCC_DT_I64) {
      memcpy(&v[i], (const char *)data + i * 8, 8);
    } else {
      int32_t x;
      memcpy(&x, (const char *)data + i * 4, 4);
      v[i] = x;
    }
  }
  *count = (int)len;
  return true;
}

static int64_t clamp(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

bool spcc_shp_slice_plan(const spcc_graph *g, const spcc_node *n, int64_t *start,
                         int64_t *step, int64_t *dims, spcc_diag *d) {
  const spcc_type *x = spcc_in_type(g, n, 0);
  const int rank = x->rank;
  int64_t starts[SPCC_MAX_RANK], ends[SPCC_MAX_RANK], axes[SPCC_MAX_RANK], steps[SPCC_MAX_RANK];
  int ns = 0, ne = 0, na = -1, nt = -1;
  if (n->opset < 10) {
    const int64_t *a;
    int c;
    if (!(a = spcc_attr_ints(n, "starts", &c)) || c > SPCC_MAX_RANK) goto bad_attr;
    memcpy(starts, a, sizeof(int64_t) * (size_t)c), ns = c;
    if (!(a = spcc_attr_ints(n, "ends", &c)) || c > SPCC_MAX_RANK) goto bad_attr;
    memcpy(ends, a, sizeof(int64_t) * (size_t)c), ne = c;
    if ((a = spcc_attr_ints(n, "axes", &c))) {
      if (c > SPCC_MAX_RANK) goto bad_attr;
      memcpy(axes, a, sizeof(int64_t) * (size_t)c), na = c;
    }
  } else {
    if (!spcc_shp_const_ints(g, n, 1, "starts", SPCC_MAX_RANK, starts, &ns, d) ||
        !spcc_shp_const_ints(g, n, 2, "ends", SPCC_MAX_RANK, ends, &ne, d))
      return false;
    if (spcc_node_in(n, 3) >= 0 &&
        !spcc_shp_const_ints(g, n, 3, "axes", SPCC_MAX_RANK, axes, &na, d))
      return false;
    if (spcc_node_in(n, 4) >= 0 &&
        !spcc_shp_const_ints(g, n, 4, "steps", SPCC_MAX_RANK, steps, &nt, d))
      return false;
  }
  if (ne != ns || (na >= 0 && na != ns) || (nt >= 0 && nt != ns)) {
    spcc_node_error(d, g, n, "'starts', 'ends', 'axes' and 'steps' differ in length");
    return false;
  }
  for (int r = 0; r < rank; r++) {
    start[r] = 0;
    step[r] = 1;
    dims[r] = x->dims[r];
  }
  bool seen[SPCC_MAX_RANK] = {false};
  for (int i = 0; i < ns; i++) {
    int64_t a = na >= 0 ? axes[i] : i;
    if (a < -rank || a >= rank) {
      spcc_node_error(d, g, n, "axis %lld is out of range for rank %d", (long long)a, rank);
      return false;
    }
    if (a < 0) a += rank;
    if (seen[a]) {
      spcc_node_error(d, g, n, "axis %lld is given twice", (long long)a);
      return false;
    }
    seen[a] = true;
    const int64_t dim = x->dims[a], t = nt >= 0 ? steps[i] : 1;
    if (t == 0) {
      spcc_node_error(d, g, n, "'steps' must not be 0");
      return false;
    }
    int64_t s = starts[i], e = ends[i];
    if (s < 0) s = s < -dim ? -1 : s + dim; /* below -dim: clamped below */
    if (e < 0) e = e < -dim ? -1 : e + dim;
    int64_t cnt;
    if (t > 0) {
      s = clamp(s, 0, dim);
      e = clamp(e, 0, dim);
      cnt = e > s ? (e - s - 1) / t + 1 : 0;
    } else {
      s = clamp(s, 0, dim - 1);
      e = clamp(e, -1, dim - 1);
      cnt = s > e ? (s - e - 1) / (t == INT64_MIN ? INT64_MAX : -t) + 1 : 0;
    }
    start[a] = cnt > 0 ? s : 0;
    step[a] = t;
    dims[a] = cnt;
  }
  return true;
bad_attr:
  spcc_node_error(d, g, n, "attributes 'starts' and 'ends' are required (at most %d entries)",
                  SPCC_MAX_RANK);
  return false;
}
