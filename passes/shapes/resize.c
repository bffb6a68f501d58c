/* resize.c - shape rules of Resize (opsets 10, 11, 13+) and Upsample
 * (opset 7 scales attribute, opset 9 scales input).
 *
 * spcc_resize_fill turns a node into the runtime's parameter block: the
 * output size (from `sizes`, or floor(input * scale)), the per-axis scale
 * the coordinate transform uses, the roi and the sampling modes. The shape
 * rule and the emitter both call it, so they cannot disagree. Resize-10 and
 * Upsample sample like the ONNX Upsample reference: asymmetric coordinates,
 * nearest rounds down.
 */
#include <math.h>
#include <string.h>

#include "passes/passes.h"
#include "passes/shapes/layout.h"

static void err(spcc_diag *d, const spcc_graph *g, const spcc_node *n, const char *what) {
  if (d) spcc_node_error(d, g, n, "%s", what);
}

/* Constant float input k as doubles; false when absent or not constant.
 * *count is -1 when the input is absent (or an empty placeholder). */
static bool const_floats(const spcc_graph *g, const spcc_node *n, int k, double *out, int max,
                         int *count) {
  const int vid = spcc_node_in(n, k);
  *count = -1;
  if (vid < 0) return true;
  const spcc_type *t = &g->values[vid].type;
  const int64_t numel = spcc_type_numel(t);
  if (numel == 0) return true;
  const void *p = spcc_value_data(g, vid);
  if (!p) return false;
  if (numel > max) return false;
  for (int64_t i = 0; i < numel; i++) {
    if (t->dtype == SPCC_DT_F32) out[i] = ((const float *)p)[i];
    else if (t->dtype == SPCC_DT_F64) out[i] = ((const double *)p)[i];
    else return false;
  }
  *count = (int)numel;
  return true;
}

static bool pick(const char *s, const char *const *names, int n_names, int64_t *out) {
  for (int i = 0; i < n_names; i++)
    if (!strcmp(s, names[i])) {
      *out = i;
      return true;
    }
  return false;
}

static bool modes(const spcc_graph *g, const spcc_node *n, bool legacy, spcc_resize_params *p,
                  spcc_diag *d) {
  static const char *const mode_names[] = {"nearest", "linear", "cubic"};
  static const char *const coord_names[] = {"half_pixel",  "pytorch_half_pixel",
                                            "align_corners", "asymmetric",
                                            "tf_half_pixel_for_nn", "tf_crop_and_resize"};
  static const char *const nearest_names[] = {"round_prefer_floor", "round_prefer_ceil", "floor",
                                              "ceil"};
  const char *mode = spcc_attr_string(n, "mode", "nearest");
  if (legacy && !strcmp(mode, "bilinear")) mode = "linear";
  if (!pick(mode, mode_names, legacy ? 2 : 3, &p->mode)) {
    if (d) spcc_node_error(d, g, n, "unsupported attribute 'mode' value '%s'", mode);
    return false;
  }
  if (legacy) {
    p->coord = SPCC_RESIZE_ASYMMETRIC;
    p->nearest = SPCC_RESIZE_FLOOR;
    return true;
  }
  const char *c = spcc_attr_string(n, "coordinate_transformation_mode", "half_pixel");
  const char *nm = spcc_attr_string(n, "nearest_mode", "round_prefer_floor");
  if (!pick(c, coord_names, 6, &p->coord)) {
    if (d) spcc_node_error(d, g, n, "unsupported attribute 'coordinate_transformation_mode' value '%s'", c);
    return false;
  }
  if (!pick(nm, nearest_names, 4, &p->nearest)) {
    if (d) spcc_node_error(d, g, n, "unsupported attribute 'nearest_mode' value '%s'", nm);
    return false;
  }
  if (spcc_attr_int(n, "antialias", 0) != 0 || spcc_node_attr(n, "axes") ||
      strcmp(spcc_attr_string(n, "keep_aspect_ratio_policy", "stretch"), "stretch")) {
    err(d, g, n, "unsupported: Resize attributes 'antialias', 'axes', 'keep_aspect_ratio_policy'");
    return false;
  }
  p->cubic_a = spcc_attr_float(n, "cubic_coeff_a", -0.75f);
  p->exclude_outside = spcc_attr_int(n, "exclude_outside", 0) != 0;
  p->extrapolation = spcc_attr_float(n, "extrapolation_value", 0.0f);
  return true;
}

bool spcc_resize_fill(const spcc_graph *g, const spcc_node *n, spcc_resize_params *p,
                      spcc_diag *d) {
  const spcc_type *x = spcc_in_type(g, n, 0);
  memset(p, 0, sizeof *p);
  if (!x || x->rank < 1) {
    err(d, g, n, "input must have rank >= 1");
    return false;
  }
  const bool upsample = n->op == SPCC_OP_UPSAMPLE;
  const bool legacy = upsample || n->opset < 11;
  const int rank = x->rank;
  p->rank = rank;
  memcpy(p->in_dims, x->dims, sizeof(int64_t) * (size_t)rank);
  if (!modes(g, n, legacy, p, d)) return false;
  double scales[SPCC_MAX_RANK], roi[2 * SPCC_MAX_RANK];
  int n_scales = -1, n_roi = -1, n_sizes = -1;
  int64_t sizes[SPCC_MAX_RANK];
  if (upsample && n->opset < 9) {
    const float *s = spcc_attr_floats(n, "scales", &n_scales);
    if (!s) {
      err(d, g, n, "attribute 'scales' is required");
      return false;
    }
    for (int i = 0; i < n_scales && i < SPCC_MAX_RANK; i++) scales[i] = s[i];
  } else {
    const int k_scales = legacy ? 1 : 2;
    if (!const_floats(g, n, k_scales, scales, SPCC_MAX_RANK, &n_scales)) {
      if (d) spcc_node_error(d, g, n, "unsupported: input 'scales' must be a compile-time "
                                      "constant (use --bind)");
      return false;
    }
    if (!legacy && spcc_node_in(n, 3) >= 0) {
      if (!spcc_layout_const_ints(g, n, 3, sizes, SPCC_MAX_RANK, &n_sizes)) {
        if (d) spcc_node_error(d, g, n, "unsupported: input 'sizes' must be a compile-time "
                                        "constant (use --bind)");
        return false;
      }
    }
    if (!legacy && p->coord == SPCC_RESIZE_TF_CROP_AND_RESIZE &&
        !const_floats(g, n, 1, roi, 2 * SPCC_MAX_RANK, &n_roi)) {
      if (d) spcc_node_error(d, g, n, "unsupported: input 'roi' must be a compile-time "
                                      "constant (use --bind)");
      return false;
    }
  }
  if ((n_scales >= 0) == (n_sizes >= 0) || (n_scales >= 0 && n_scales != rank) ||
      (n_sizes >= 0 && n_sizes != rank) || (n_roi >= 0 && n_roi != 2 * rank)) {
    err(d, g, n, "exactly one of 'scales' and 'sizes' must be given, one value per axis");
    return false;
  }
  for (int r = 0; r < rank; r++) {
    if (n_scales >= 0) {
      if (!(scales[r] > 0) || scales[r] * (double)x->dims[r] > 1e12) {
        err(d, g, n, "'scales' must be positive");
        return false;
      }
      p->scale[r] = scales[r];
      p->out_dims[r] = (int64_t)floor(scales[r] * (double)x->dims[r]);
    } else {
      if (sizes[r] < 0 || x->dims[r] == 0) {
        err(d, g, n, "'sizes' must be >= 0 (and the input not empty)");
        return false;
      }
      p->out_dims[r] = sizes[r];
      p->scale[r] = (double)sizes[r] / (double)x->dims[r];
    }
    p->roi_start[r] = n_roi >= 0 ? roi[r] : 0.0;
    p->roi_end[r] = n_roi >= 0 ? roi[r + rank] : 1.0;
  }
  return true;
}

static bool resize_rule(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = spcc_in_type(g, n, 0);
  if (!x) {
    spcc_node_error(d, g, n, "input 0 is required");
    return false;
  }
  if (x->dtype != SPCC_DT_F32) {
    spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(x->dtype));
    return false;
  }
  if (n->n_out < 1 || n->out[0] < 0) {
    spcc_node_error(d, g, n, "output 0 is required");
    return false;
  }
  spcc_resize_params p;
  if (!spcc_resize_fill(g, n, &p, d)) return false;
  spcc_set_output(g, n, 0, x->dtype, x->rank, p.out_dims);
  return true;
}

bool spcc_shape_resize(spcc_graph *g, spcc_node *n, spcc_diag *d) { return resize_rule(g, n, d); }

bool spcc_shape_upsample(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return resize_rule(g, n, d);
}
