/* grid_sample.c - emission and evaluation of GridSample (runtime/grid_sample.c). */
#include "emit.h"
#include "ops.h"
#include "passes/shapes/grid_sample.h"
#include "spcc/spcc_rt.h"

bool spcc_emit_grid_sample(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_grid_sample_params p;
  if (!spcc_grid_sample_get(g, n, &p, d)) return false;
  const char *sym = spcc_emit_params_begin(e, "spcc_grid_sample_params", "grid_sample");
  spcc_emit_param_i64(e, "n", p.n);
  spcc_emit_param_i64(e, "c", p.c);
  spcc_emit_param_i64(e, "h", p.h);
  spcc_emit_param_i64(e, "w", p.w);
  spcc_emit_param_i64(e, "ho", p.ho);
  spcc_emit_param_i64(e, "wo", p.wo);
  spcc_emit_param_i64(e, "mode", p.mode);
  spcc_emit_param_i64(e, "padding", p.padding);
  spcc_emit_param_i64(e, "align_corners", p.align_corners);
  spcc_emit_params_end(e);
  const bool f64 = g->values[n->out[0]].type.dtype == SPCC_DT_F64;
  spcc_emit_line(e, "spcc_grid_sample_%s(&%s, %s, %s, %s);", f64 ? "f64" : "f32", sym,
                 spcc_emit_ptr(e, n->in[0]), spcc_emit_ptr(e, n->in[1]),
                 spcc_emit_ptr(e, n->out[0]));
  return true;
}

bool spcc_eval_grid_sample(const spcc_graph *g, const spcc_node *n, const void *const *in,
                           void *const *out, spcc_diag *d) {
  spcc_grid_sample_params p;
  if (!spcc_grid_sample_get(g, n, &p, d)) return false;
  if (g->values[n->out[0]].type.dtype == SPCC_DT_F64)
    spcc_grid_sample_f64(&p, in[0], in[1], out[0]);
  else
    spcc_grid_sample_f32(&p, in[0], in[1], out[0]);
  return true;
}
