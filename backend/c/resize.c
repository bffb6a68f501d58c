/* resize.c - C emission and compile-time evaluation of Resize and Upsample.
 *
 * spcc_resize_fill (passes/shapes/resize.c) builds the parameter block for
 * both the shape rule and this emitter, so the generated call and the
 * folded result use the same sizes, scales and modes. The scales / sizes /
 * roi inputs only matter at compile time and are referenced with (void).
 */
#include <stdio.h>
#include <string.h>

#include "backend/c/ops.h"
#include "passes/shapes/layout.h"
#include "spcc/spcc_rt.h"

static bool emit_resize(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  spcc_resize_params p;
  if (!spcc_resize_fill(spcc_emit_graph(e), n, &p, d)) return false;
  for (int k = 1; k < n->n_in; k++)
    if (n->in[k] >= 0) spcc_emit_line(e, "(void)%s;", spcc_emit_ptr(e, n->in[k]));
  const int rank = (int)p.rank;
  const char *sym = spcc_emit_params_begin(e, "spcc_resize_params", "resize");
  spcc_emit_param_i64(e, "rank", p.rank);
  spcc_emit_param_i64(e, "mode", p.mode);
  spcc_emit_param_i64(e, "coord", p.coord);
  spcc_emit_param_i64(e, "nearest", p.nearest);
  spcc_emit_param_i64(e, "exclude_outside", p.exclude_outside);
  spcc_emit_param_i64s(e, "in_dims", p.in_dims, rank);
  spcc_emit_param_i64s(e, "out_dims", p.out_dims, rank);
  for (int r = 0; r < rank; r++) {
    char f[32];
    snprintf(f, sizeof f, "scale[%d]", r);
    spcc_emit_param_f64(e, f, p.scale[r]);
    snprintf(f, sizeof f, "roi_start[%d]", r);
    spcc_emit_param_f64(e, f, p.roi_start[r]);
    snprintf(f, sizeof f, "roi_end[%d]", r);
    spcc_emit_param_f64(e, f, p.roi_end[r]);
  }
  spcc_emit_param_f64(e, "cubic_a", p.cubic_a);
  spcc_emit_param_f64(e, "extrapolation", p.extrapolation);
  spcc_emit_params_end(e);
  spcc_emit_line(e, "spcc_resize_f32(&%s, %s, %s);", sym, spcc_emit_ptr(e, n->in[0]),
                 spcc_emit_ptr(e, n->out[0]));
  return true;
}

static bool eval_resize(const spcc_graph *g, const spcc_node *n, const void *const *in,
                        void *const *out, spcc_diag *d) {
  spcc_resize_params p;
  if (!spcc_resize_fill(g, n, &p, d)) return false;
  spcc_resize_f32(&p, in[0], out[0]);
  return true;
}

bool spcc_emit_resize(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  return emit_resize(e, n, d);
}

bool spcc_eval_resize(const spcc_graph *g, const spcc_node *n, const void *const *in,
                      void *const *out, spcc_diag *d) {
  return eval_resize(g, n, in, out, d);
}

bool spcc_emit_upsample(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  return emit_resize(e, n, d);
}

bool spcc_eval_upsample(const spcc_graph *g, const spcc_node *n, const void *const *in,
                        void *const *out, spcc_diag *d) {
  return eval_resize(g, n, in, out, d);
}
