/* conv2.c - shape rules of ConvTranspose, LpPool, GlobalMaxPool,
 * GlobalLpPool and MaxUnpool, and the ConvTranspose / MaxUnpool geometry
 * shared with backend/c/conv2.c (conv2_geom.h). LpPool reuses the sliding
 * window geometry of conv_geom.h.
 *
 * Opsets: ConvTranspose 1 and 11 read the same attributes (11 only
 * changed the auto_pad text). With output_shape (or SAME_* auto_pad) the
 * pads are derived from the total padding: SAME_UPPER puts floor(total/2)
 * first, anything else puts the larger half first; a negative total (the
 * requested output is larger than the natural one) leaves positions no
 * tap reaches at the bias. LpPool's p is an int attribute (default 2) in
 * every opset; GlobalLpPool 1 had it as a float, 2 as an int.
 */
#include <string.h>

#include "conv2_geom.h"
#include "conv_geom.h"
#include "passes/passes.h"

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* INTS attribute `name` with exactly want values into out, or def when absent. */
static bool ints_attr(const spcc_graph *g, const spcc_node *n, const char *name, int want,
                      int64_t def, int64_t *out, spcc_diag *d) {
  const spcc_attr *a = spcc_node_attr(n, name);
  if (!a) {
    for (int i = 0; i < want; i++) out[i] = def;
    return true;
  }
  if (a->kind != SPCC_ATTR_INTS || a->n != want) {
    spcc_node_error(d, g, n, "attribute '%s' must be a list of %d ints", name, want);
    return false;
  }
  memcpy(out, a->ints, sizeof(int64_t) * (size_t)want);
  return true;
}

static bool float_type(const spcc_graph *g, const spcc_node *n, spcc_dtype dt, spcc_diag *d) {
  if (dt == SPCC_DT_F32 || dt == SPCC_DT_F64) return true;
  spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(dt));
  return false;
}

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

/* ---- ConvTranspose --------------------------------------------------------- */

bool spcc_conv_transpose_get(const spcc_graph *g, const spcc_node *n,
                             spcc_conv_transpose_params *p, spcc_diag *d) {
  const spcc_type *x = input_x(g, n, 3, d), *w = spcc_in_type(g, n, 1);
  if (!x) return false;
  if (!w) {
    spcc_node_error(d, g, n, "input W is missing");
    return false;
  }
  if (w->rank != x->rank) {
    spcc_node_error(d, g, n, "W has rank %d, X has rank %d; they must be equal", w->rank,
                    x->rank);
    return false;
  }
  int S = x->rank - 2;
  int64_t group = spcc_attr_int(n, "group", 1), C = x->dims[1];
  if (group < 1 || C % group != 0 || w->dims[0] != C) {
    spcc_node_error(d, g, n, "shape mismatch: X has %lld channels, W is [%lld, ...], group %lld",
                    (long long)C, (long long)w->dims[0], (long long)group);
    return false;
  }
  memset(p, 0, sizeof *p);
  p->batch = x->dims[0];
  p->in_channels = C;
  p->out_channels = w->dims[1] * group;
  p->group = group;
  p->spatial = S;
  int64_t ks[SPCC_MAX_RANK], op[SPCC_MAX_RANK], pads[2 * SPCC_MAX_RANK], os[SPCC_MAX_RANK + 2];
  memcpy(p->kernel, w->dims + 2, sizeof(int64_t) * (size_t)S);
  if (!ints_attr(g, n, "kernel_shape", S, 0, ks, d) ||
      !ints_attr(g, n, "strides", S, 1, p->strides, d) ||
      !ints_attr(g, n, "dilations", S, 1, p->dilations, d) ||
      !ints_attr(g, n, "output_padding", S, 0, op, d) ||
      !ints_attr(g, n, "pads", 2 * S, 0, pads, d))
    return false;
  if (spcc_node_attr(n, "kernel_shape") && memcmp(ks, p->kernel, sizeof(int64_t) * (size_t)S)) {
    spcc_node_error(d, g, n, "attribute 'kernel_shape' does not match the spatial dims of W");
    return false;
  }
  const spcc_attr *osa = spcc_node_attr(n, "output_shape");
  if (osa && (osa->kind != SPCC_ATTR_INTS || (osa->n != S && osa->n != S + 2))) {
    spcc_node_error(d, g, n, "attribute 'output_shape' must list the %d spatial extents", S);
    return false;
  }
  if (osa) memcpy(os, osa->ints + (osa->n - S), sizeof(int64_t) * (size_t)S);
  const char *ap = spcc_attr_string(n, "auto_pad", "NOTSET");
  bool notset = !strcmp(ap, "NOTSET") || !ap[0], valid = !strcmp(ap, "VALID");
  bool upper = !strcmp(ap, "SAME_UPPER"), lower = !strcmp(ap, "SAME_LOWER");
  if (!notset && !valid && !upper && !lower) {
    spcc_node_error(d, g, n, "unsupported attribute 'auto_pad' value '%s'", ap);
    return false;
  }
  for (int i = 0; i < S; i++) {
    int64_t s = p->strides[i], dl = p->dilations[i], k = p->kernel[i], in = x->dims[i + 2];
    if (k < 1 || s < 1 || dl < 1 || op[i] < 0 || (op[i] >= s && op[i] >= dl)) {
      spcc_node_error(d, g, n, "bad kernel, strides, dilations or output_padding in spatial dim %d", i);
      return false;
    }
    int64_t full = s * (in - 1) + op[i] + (k - 1) * dl + 1, pb, pe;
    if (osa || upper || lower) {
      int64_t out = osa ? os[i] : in * s;
      int64_t total = full - out;
      pb = upper ? floor_div(total, 2) : total - floor_div(total, 2);
      pe = total - pb;
    } else if (valid) {
      pb = pe = 0;
    } else {
      pb = pads[i];
      pe = pads[i + S];
      if (pb < 0 || pe < 0) {
        spcc_node_error(d, g, n, "unsupported: negative pads");
        return false;
      }
    }
    p->in_dims[i] = in;
    p->pads[i] = pb;
    p->out_dims[i] = full - pb - pe;
    if (p->out_dims[i] < 1) {
      spcc_node_error(d, g, n, "impossible shape: output extent %lld in spatial dim %d",
                      (long long)p->out_dims[i], i);
      return false;
    }
  }
  return true;
}

bool spcc_shape_conv_transpose(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = input_x(g, n, 3, d);
  if (!x || !float_type(g, n, x->dtype, d)) return false;
  const spcc_type *w = spcc_in_type(g, n, 1), *b = spcc_in_type(g, n, 2);
  if (w && (w->dtype != x->dtype || (b && b->dtype != x->dtype))) {
    spcc_node_error(d, g, n, "element types of X, W and B differ");
    return false;
  }
  spcc_conv_transpose_params p;
  if (!spcc_conv_transpose_get(g, n, &p, d)) return false;
  if (b && (b->rank != 1 || b->dims[0] != p.out_channels)) {
    spcc_node_error(d, g, n, "shape mismatch: B must be [%lld]", (long long)p.out_channels);
    return false;
  }
  int64_t dims[SPCC_MAX_RANK] = {p.batch, p.out_channels};
  memcpy(dims + 2, p.out_dims, sizeof(int64_t) * (size_t)p.spatial);
  spcc_set_output(g, n, 0, x->dtype, x->rank, dims);
  return true;
}

/* ---- pooling ------------------------------------------------------------------ */

/* The norm order p: int attribute (LpPool, GlobalLpPool 2+) or float
 * (GlobalLpPool 1); default 2. */
static bool lp_order(const spcc_graph *g, const spcc_node *n, double *lp, spcc_diag *d) {
  const spcc_attr *a = spcc_node_attr(n, "p");
  *lp = 2;
  if (a && a->kind == SPCC_ATTR_INT) *lp = (double)a->i;
  else if (a && a->kind == SPCC_ATTR_FLOAT) *lp = a->f;
  else if (a) {
    spcc_node_error(d, g, n, "attribute 'p' must be a number");
    return false;
  }
  if (!(*lp >= 1)) {
    spcc_node_error(d, g, n, "unsupported attribute 'p' value %g: must be >= 1", *lp);
    return false;
  }
  return true;
}

bool spcc_lp_pool_order(const spcc_graph *g, const spcc_node *n, double *lp, spcc_diag *d) {
  return lp_order(g, n, lp, d);
}

bool spcc_shape_lp_pool(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = input_x(g, n, 3, d);
  double lp;
  if (!x || !float_type(g, n, x->dtype, d) || !lp_order(g, n, &lp, d)) return false;
  spcc_window_geom geo;
  if (!spcc_window_geom_get(g, n, x, NULL, true, &geo, d)) return false;
  int64_t dims[SPCC_MAX_RANK] = {x->dims[0], x->dims[1]};
  memcpy(dims + 2, geo.out, sizeof(int64_t) * (size_t)geo.spatial);
  spcc_set_output(g, n, 0, x->dtype, x->rank, dims);
  return true;
}

static bool shape_global(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = input_x(g, n, 2, d);
  if (!x || !float_type(g, n, x->dtype, d)) return false;
  int64_t dims[SPCC_MAX_RANK];
  for (int i = 0; i < x->rank; i++) dims[i] = i < 2 ? x->dims[i] : 1;
  spcc_set_output(g, n, 0, x->dtype, x->rank, dims);
  return true;
}

bool spcc_shape_global_max_pool(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return shape_global(g, n, d);
}

bool spcc_shape_global_lp_pool(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  double lp;
  return lp_order(g, n, &lp, d) && shape_global(g, n, d);
}

/* ---- MaxUnpool ----------------------------------------------------------------- */

bool spcc_max_unpool_shape(const spcc_graph *g, const spcc_node *n, int64_t *dims,
                           int64_t *natural, int *rank, spcc_diag *d) {
  const spcc_type *x = input_x(g, n, 3, d), *ix = spcc_in_type(g, n, 1);
  if (!x) return false;
  if (!ix || ix->dtype != SPCC_DT_I64 || ix->rank != x->rank ||
      memcmp(ix->dims, x->dims, sizeof(int64_t) * (size_t)x->rank)) {
    spcc_node_error(d, g, n, "input I must be int64 with the shape of X");
    return false;
  }
  int S = x->rank - 2;
  *rank = x->rank;
  int64_t ks[SPCC_MAX_RANK], st[SPCC_MAX_RANK], pads[2 * SPCC_MAX_RANK];
  if (!spcc_node_attr(n, "kernel_shape")) {
    spcc_node_error(d, g, n, "attribute 'kernel_shape' is required");
    return false;
  }
  if (!ints_attr(g, n, "kernel_shape", S, 1, ks, d) || !ints_attr(g, n, "strides", S, 1, st, d) ||
      !ints_attr(g, n, "pads", 2 * S, 0, pads, d))
    return false;
  natural[0] = x->dims[0];
  natural[1] = x->dims[1];
  for (int i = 0; i < S; i++) {
    natural[i + 2] = (x->dims[i + 2] - 1) * st[i] + ks[i] - pads[i] - pads[i + S];
    if (natural[i + 2] < 1 || st[i] < 1 || ks[i] < 1) {
      spcc_node_error(d, g, n, "impossible shape: output extent %lld in spatial dim %d",
                      (long long)natural[i + 2], i);
      return false;
    }
  }
  memcpy(dims, natural, sizeof(int64_t) * (size_t)x->rank);
  int vid = spcc_node_in(n, 2);
  if (vid < 0) return true;
  const spcc_type *sty = &g->values[vid].type;
  const int64_t *sv = spcc_value_data(g, vid);
  if (!sv) {
    spcc_node_error(d, g, n, "unsupported: input 'output_shape' must be a compile-time constant (use --bind)");
    return false;
  }
  if (sty->dtype != SPCC_DT_I64 || sty->rank != 1 || sty->dims[0] != x->rank) {
    spcc_node_error(d, g, n, "input 'output_shape' must be int64 [%d]", x->rank);
    return false;
  }
  for (int i = 0; i < x->rank; i++) {
    if (sv[i] < 1 || (i < 2 && sv[i] != x->dims[i])) {
      spcc_node_error(d, g, n, "impossible shape: bad 'output_shape' value %lld at %d",
                      (long long)sv[i], i);
      return false;
    }
    dims[i] = sv[i];
  }
  return true;
}

bool spcc_shape_max_unpool(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  int64_t dims[SPCC_MAX_RANK], natural[SPCC_MAX_RANK];
  int rank;
  if (!spcc_max_unpool_shape(g, n, dims, natural, &rank, d)) return false;
  spcc_dtype dt = spcc_in_type(g, n, 0)->dtype;
  if (dt == SPCC_DT_UNDEF || dt == SPCC_DT_BOOL) {
    spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(dt));
    return false;
  }
  spcc_set_output(g, n, 0, dt, rank, dims);
  return true;
}
