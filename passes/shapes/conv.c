/* conv.c - shape rules of Conv, MaxPool, AveragePool and GlobalAveragePool,
 * and the sliding-window geometry they share with backend/c/conv.c.
 *
 * Opsets: Conv 1 and 11 read the same attributes. MaxPool gained
 * storage_order and the Indices output in 8, ceil_mode and dilations in 10,
 * int8/uint8 in 12; AveragePool gained count_include_pad in 7, ceil_mode in
 * 10, dilations in 19. Attributes a model's opset does not define are not
 * present, so one reading serves every version. ceil_mode follows PyTorch
 * (and later ONNX): a last window that would start past the leading pad
 * plus the input is dropped.
 */
#include <string.h>

#include "conv_geom.h"
#include "passes/passes.h"

/* INTS attribute `name` with exactly want values into out, or def when absent. */
static bool read_ints(const spcc_graph *g, const spcc_node *n, const char *name, int want,
                      int64_t def, int64_t *out, spcc_diag *d) {
  const spcc_attr *a = spcc_node_attr(n, name);
  if (!a) {
    for (int i = 0; i < want; i++) out[i] = def;
    return true;
  }
  if (a->kind != SPCC_ATTR_INTS) {
    spcc_node_error(d, g, n, "attribute '%s' must be a list of ints", name);
    return false;
  }
  if (a->n != want) {
    spcc_node_error(d, g, n, "attribute '%s' has %d values, expected %d", name, a->n, want);
    return false;
  }
  memcpy(out, a->ints, sizeof(int64_t) * (size_t)want);
  return true;
}

/* INT attribute `name` that must be 0 or 1. */
static bool read_flag(const spcc_graph *g, const spcc_node *n, const char *name, int64_t *out,
                      spcc_diag *d) {
  const spcc_attr *a = spcc_node_attr(n, name);
  *out = 0;
  if (!a) return true;
  if (a->kind != SPCC_ATTR_INT || (a->i != 0 && a->i != 1)) {
    spcc_node_error(d, g, n, "unsupported attribute '%s': expected 0 or 1", name);
    return false;
  }
  *out = a->i;
  return true;
}

bool spcc_window_geom_get(const spcc_graph *g, const spcc_node *n, const spcc_type *x,
                          const int64_t *kernel, bool pool, spcc_window_geom *geo,
                          spcc_diag *d) {
  memset(geo, 0, sizeof *geo);
  int S = x->rank - 2;
  geo->spatial = S;
  for (int i = 0; i < S; i++) geo->in[i] = x->dims[i + 2];

  int64_t ks[SPCC_MAX_RANK];
  if (kernel) {
    memcpy(geo->kernel, kernel, sizeof(int64_t) * (size_t)S);
    if (spcc_node_attr(n, "kernel_shape")) {
      if (!read_ints(g, n, "kernel_shape", S, 1, ks, d)) return false;
      if (memcmp(ks, kernel, sizeof(int64_t) * (size_t)S) != 0) {
        spcc_node_error(d, g, n, "attribute 'kernel_shape' does not match the spatial dims of W");
        return false;
      }
    }
  } else {
    if (!spcc_node_attr(n, "kernel_shape")) {
      spcc_node_error(d, g, n, "attribute 'kernel_shape' is required");
      return false;
    }
    if (!read_ints(g, n, "kernel_shape", S, 1, geo->kernel, d)) return false;
  }
  int64_t pads[2 * SPCC_MAX_RANK];
  if (!read_ints(g, n, "strides", S, 1, geo->strides, d) ||
      !read_ints(g, n, "dilations", S, 1, geo->dilations, d) ||
      !read_ints(g, n, "pads", 2 * S, 0, pads, d))
    return false;
  int64_t ceil_mode = 0;
  if (pool && !read_flag(g, n, "ceil_mode", &ceil_mode, d)) return false;

  const spcc_attr *ap = spcc_node_attr(n, "auto_pad");
  const char *auto_pad = "NOTSET";
  if (ap) {
    if (ap->kind != SPCC_ATTR_STRING) {
      spcc_node_error(d, g, n, "attribute 'auto_pad' must be a string");
      return false;
    }
    auto_pad = ap->s;
  }
  bool notset = strcmp(auto_pad, "NOTSET") == 0 || auto_pad[0] == 0;
  bool valid = strcmp(auto_pad, "VALID") == 0;
  bool upper = strcmp(auto_pad, "SAME_UPPER") == 0;
  bool lower = strcmp(auto_pad, "SAME_LOWER") == 0;
  if (!notset && !valid && !upper && !lower) {
    spcc_node_error(d, g, n, "unsupported attribute 'auto_pad' value '%s'", auto_pad);
    return false;
  }

  for (int i = 0; i < S; i++) {
    int64_t k = geo->kernel[i], s = geo->strides[i], dl = geo->dilations[i], in = geo->in[i];
    if (k < 1 || s < 1 || dl < 1) {
      spcc_node_error(d, g, n, "kernel, strides and dilations must be >= 1 (spatial dim %d: %lld, %lld, %lld)",
                      i, (long long)k, (long long)s, (long long)dl);
      return false;
    }
    if (k > INT32_MAX || s > INT32_MAX || dl > INT32_MAX) {
      spcc_node_error(d, g, n, "kernel, strides or dilations too large in spatial dim %d", i);
      return false;
    }
    int64_t ext = (k - 1) * dl + 1; /* extent of the dilated kernel */
    int64_t pb = 0, pe = 0, out;
    if (notset) {
      pb = pads[i];
      pe = pads[i + S];
      if (pb < 0 || pe < 0) {
        spcc_node_error(d, g, n, "unsupported: negative pads");
        return false;
      }
      if (pb > INT32_MAX || pe > INT32_MAX) {
        spcc_node_error(d, g, n, "pads too large in spatial dim %d", i);
        return false;
      }
      int64_t span = in + pb + pe - ext;
      if (span < 0) {
        spcc_node_error(d, g, n,
                        "impossible shape: kernel extent %lld exceeds the padded input %lld in spatial dim %d",
                        (long long)ext, (long long)(in + pb + pe), i);
        return false;
      }
      out = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
      /* The last window must start inside the input or the leading pad. */
      if (ceil_mode && (out - 1) * s >= in + pb) out--;
    } else if (valid) {
      if (in < ext) {
        spcc_node_error(d, g, n,
                        "impossible shape: kernel extent %lld exceeds the input %lld in spatial dim %d",
                        (long long)ext, (long long)in, i);
        return false;
      }
      out = (in - ext) / s + 1;
    } else {
      out = (in + s - 1) / s;
      int64_t total = (out - 1) * s + ext - in;
      if (total < 0) total = 0;
      pb = upper ? total / 2 : total - total / 2;
      pe = total - pb;
    }
    geo->out[i] = out;
    geo->pads[i] = pb;
    geo->pads_end[i] = pe;
  }
  return true;
}

/* Input 0 (X): static type of rank 3..SPCC_MAX_RANK (min_rank for Global*). */
static const spcc_type *input_x(const spcc_graph *g, const spcc_node *n, int min_rank,
                                spcc_diag *d) {
  const spcc_type *x = spcc_in_type(g, n, 0);
  if (!x) {
    spcc_node_error(d, g, n, "input X is missing");
    return NULL;
  }
  if (x->rank < min_rank) {
    spcc_node_error(d, g, n, "input X must have rank >= %d (N, C, spatial dims), got rank %d",
                    min_rank, x->rank);
    return NULL;
  }
  return x;
}

/* Element type check: dt must be one of the n_ok types. */
static bool dtype_ok(const spcc_graph *g, const spcc_node *n, spcc_dtype dt,
                     const spcc_dtype *ok, int n_ok, spcc_diag *d) {
  for (int i = 0; i < n_ok; i++)
    if (dt == ok[i]) return true;
  spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(dt));
  return false;
}

static const spcc_dtype float_types[] = {SPCC_DT_F32, SPCC_DT_F64};
static const spcc_dtype max_pool_types[] = {SPCC_DT_F32, SPCC_DT_F64, SPCC_DT_I8, SPCC_DT_U8};

bool spcc_shape_conv(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = input_x(g, n, 3, d);
  if (!x) return false;
  const spcc_type *w = spcc_in_type(g, n, 1);
  const spcc_type *b = spcc_in_type(g, n, 2);
  if (!w) {
    spcc_node_error(d, g, n, "input W is missing");
    return false;
  }
  if (!dtype_ok(g, n, x->dtype, float_types, 2, d)) return false;
  if (w->dtype != x->dtype || (b && b->dtype != x->dtype)) {
    spcc_node_error(d, g, n, "element types of X, W and B differ");
    return false;
  }
  if (w->rank != x->rank) {
    spcc_node_error(d, g, n, "W has rank %d, X has rank %d; they must be equal", w->rank,
                    x->rank);
    return false;
  }
  const spcc_attr *ga = spcc_node_attr(n, "group");
  if (ga && ga->kind != SPCC_ATTR_INT) {
    spcc_node_error(d, g, n, "attribute 'group' must be an int");
    return false;
  }
  int64_t group = ga ? ga->i : 1;
  int64_t C = x->dims[1], M = w->dims[0];
  if (group < 1 || C % group != 0 || M % group != 0 || w->dims[1] != C / group) {
    spcc_node_error(d, g, n,
                    "shape mismatch: X has %lld channels, W is [%lld, %lld, ...], group %lld",
                    (long long)C, (long long)M, (long long)w->dims[1], (long long)group);
    return false;
  }
  if (b && (b->rank != 1 || b->dims[0] != M)) {
    spcc_node_error(d, g, n, "shape mismatch: B must be [%lld]", (long long)M);
    return false;
  }
  spcc_window_geom geo;
  if (!spcc_window_geom_get(g, n, x, w->dims + 2, false, &geo, d)) return false;
  int64_t dims[SPCC_MAX_RANK] = {x->dims[0], M};
  memcpy(dims + 2, geo.out, sizeof(int64_t) * (size_t)geo.spatial);
  spcc_set_output(g, n, 0, x->dtype, x->rank, dims);
  return true;
}

/* MaxPool and AveragePool: output [N, C, out...]. */
static bool shape_pool(spcc_graph *g, spcc_node *n, bool is_max, spcc_diag *d) {
  const spcc_type *x = input_x(g, n, 3, d);
  if (!x) return false;
  if (is_max ? !dtype_ok(g, n, x->dtype, max_pool_types, 4, d)
             : !dtype_ok(g, n, x->dtype, float_types, 2, d))
    return false;
  int64_t flag;
  if (is_max) {
    const spcc_attr *so = spcc_node_attr(n, "storage_order");
    if (so && (so->kind != SPCC_ATTR_INT || (so->i != 0 && so->i != 1))) {
      spcc_node_error(d, g, n, "unsupported attribute 'storage_order': expected 0 or 1");
      return false;
    }
  } else if (!read_flag(g, n, "count_include_pad", &flag, d)) {
    return false;
  }
  spcc_window_geom geo;
  if (!spcc_window_geom_get(g, n, x, NULL, true, &geo, d)) return false;
  int64_t dims[SPCC_MAX_RANK] = {x->dims[0], x->dims[1]};
  memcpy(dims + 2, geo.out, sizeof(int64_t) * (size_t)geo.spatial);
  spcc_set_output(g, n, 0, x->dtype, x->rank, dims);
  if (is_max && n->n_out > 1) spcc_set_output(g, n, 1, SPCC_DT_I64, x->rank, dims);
  return true;
}

bool spcc_shape_max_pool(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return shape_pool(g, n, true, d);
}

bool spcc_shape_average_pool(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return shape_pool(g, n, false, d);
}

bool spcc_shape_global_average_pool(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = input_x(g, n, 2, d);
  if (!x) return false;
  if (!dtype_ok(g, n, x->dtype, float_types, 2, d)) return false;
  int64_t dims[SPCC_MAX_RANK];
  for (int i = 0; i < x->rank; i++) dims[i] = i < 2 ? x->dims[i] : 1;
  spcc_set_output(g, n, 0, x->dtype, x->rank, dims);
  return true;
}
