/* einsum.c - emission and evaluation of Einsum (runtime/einsum.c); the
 * parameters come from the equation plan the shape rule checked
 * (passes/shapes/einsum_plan.h). */
#include "emit.h"
#include "ops.h"
#include "passes/shapes/einsum_plan.h"
#include "spcc/spcc_rt.h"

static const char *suffix(spcc_dtype dt) {
  switch (dt) {
  case SPCC_DT_F32: return "f32";
  case SPCC_DT_F64: return "f64";
  case SPCC_DT_I32: return "i32";
  case SPCC_DT_I64: return "i64";
  case SPCC_DT_U32: return "u32";
  case SPCC_DT_U64: return "u64";
  default: return NULL;
  }
}

bool spcc_emit_einsum(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_einsum_params p;
  int rank;
  int64_t dims[SPCC_MAX_RANK];
  if (!spcc_einsum_plan(g, n, &p, &rank, dims, d)) return false;
  const spcc_dtype dt = g->values[n->out[0]].type.dtype;
  const char *sym = spcc_emit_params_begin(e, "spcc_einsum_params", "einsum");
  spcc_emit_param_i64(e, "n_operands", p.n_operands);
  spcc_emit_param_i64(e, "n_labels", p.n_labels);
  spcc_emit_param_i64(e, "n_out_labels", p.n_out_labels);
  spcc_emit_param_i64s(e, "dims", p.dims, (int)p.n_labels);
  spcc_emit_param_i64s(e, "strides", p.strides,
                       (int)(p.n_operands * SPCC_EINSUM_MAX_LABELS));
  spcc_emit_params_end(e);
  char list[1024];
  size_t at = 0;
  for (int k = 0; k < n->n_in; k++)
    at += (size_t)snprintf(list + at, sizeof list - at, "%s%s", k ? ", " : "",
                           spcc_emit_ptr(e, n->in[k]));
  spcc_emit_line(e, "{");
  spcc_emit_line(e, "  const %s *const x[%d] = {%s};", spcc_dtype_ctype(dt), n->n_in, list);
  spcc_emit_line(e, "  spcc_einsum_%s(&%s, x, %s);", suffix(dt), sym,
                 spcc_emit_ptr(e, n->out[0]));
  spcc_emit_line(e, "}");
  return true;
}

bool spcc_eval_einsum(const spcc_graph *g, const spcc_node *n, const void *const *in,
                      void *const *out, spcc_diag *d) {
  spcc_einsum_params p;
  int rank;
  int64_t dims[SPCC_MAX_RANK];
  if (!spcc_einsum_plan(g, n, &p, &rank, dims, d)) return false;
  switch (g->values[n->out[0]].type.dtype) {
  case SPCC_DT_F32: spcc_einsum_f32(&p, (const float *const *)in, out[0]); break;
  case SPCC_DT_F64: spcc_einsum_f64(&p, (const double *const *)in, out[0]); break;
  case SPCC_DT_I32: spcc_einsum_i32(&p, (const int32_t *const *)in, out[0]); break;
  case SPCC_DT_I64: spcc_einsum_i64(&p, (const int64_t *const *)in, out[0]); break;
  case SPCC_DT_U32: spcc_einsum_u32(&p, (const uint32_t *const *)in, out[0]); break;
  default: spcc_einsum_u64(&p, (const uint64_t *const *)in, out[0]); break;
  }
  return true;
}
