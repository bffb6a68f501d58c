/* rnn.c - C emitters and compile-time evaluators of RNN, GRU and LSTM.
 *
 * The parameter block comes from passes/shapes/rnn_geom.h (the shape
 * rule's own computation); emit writes it as a static const initializer
 * plus one kernel call, eval calls the same kernel. Optional inputs and
 * omitted outputs are passed as NULL pointers, which the kernels accept.
 */
#include "ops.h"
#include "passes/shapes/rnn_geom.h"
#include "spcc/spcc_rt.h"

static const char *node_hint(const spcc_node *n) {
  return n->name && n->name[0] ? n->name : spcc_op_ir_name(n->op);
}

static int out_vid(const spcc_node *n, int k) { return k < n->n_out ? n->out[k] : -1; }

static bool emit_recurrent(spcc_emitter *e, const spcc_node *n, int gates, const char *kernel,
                           spcc_diag *d) {
  const spcc_graph *g = spcc_emit_graph(e);
  spcc_rnn_params p;
  if (!spcc_rnn_get(g, n, gates, &p, d)) return false;
  const char *sym = spcc_emit_params_begin(e, "spcc_rnn_params", node_hint(n));
  spcc_emit_param_i64(e, "seq", p.seq);
  spcc_emit_param_i64(e, "batch", p.batch);
  spcc_emit_param_i64(e, "input", p.input);
  spcc_emit_param_i64(e, "hidden", p.hidden);
  spcc_emit_param_i64(e, "dirs", p.dirs);
  spcc_emit_param_i64(e, "reverse", p.reverse);
  spcc_emit_param_i64(e, "layout", p.layout);
  spcc_emit_param_i64(e, "act_f", p.act_f);
  spcc_emit_param_i64(e, "act_g", p.act_g);
  spcc_emit_param_i64(e, "act_h", p.act_h);
  spcc_emit_param_i64(e, "has_clip", p.has_clip);
  spcc_emit_param_f32(e, "clip", p.clip);
  spcc_emit_param_i64(e, "linear_before_reset", p.linear_before_reset);
  spcc_emit_param_i64(e, "input_forget", p.input_forget);
  spcc_emit_params_end(e);
  if (gates == 4)
    spcc_emit_line(e, "spcc_lstm_f32(&%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s);", sym,
                   spcc_emit_ptr(e, n->in[0]), spcc_emit_ptr(e, n->in[1]),
                   spcc_emit_ptr(e, n->in[2]), spcc_emit_ptr(e, spcc_node_in(n, 3)),
                   spcc_emit_ptr(e, spcc_node_in(n, 4)), spcc_emit_ptr(e, spcc_node_in(n, 5)),
                   spcc_emit_ptr(e, spcc_node_in(n, 6)), spcc_emit_ptr(e, spcc_node_in(n, 7)),
                   spcc_emit_ptr(e, out_vid(n, 0)), spcc_emit_ptr(e, out_vid(n, 1)),
                   spcc_emit_ptr(e, out_vid(n, 2)));
  else
    spcc_emit_line(e, "%s(&%s, %s, %s, %s, %s, %s, %s, %s, %s);", kernel, sym,
                   spcc_emit_ptr(e, n->in[0]), spcc_emit_ptr(e, n->in[1]),
                   spcc_emit_ptr(e, n->in[2]), spcc_emit_ptr(e, spcc_node_in(n, 3)),
                   spcc_emit_ptr(e, spcc_node_in(n, 4)), spcc_emit_ptr(e, spcc_node_in(n, 5)),
                   spcc_emit_ptr(e, out_vid(n, 0)), spcc_emit_ptr(e, out_vid(n, 1)));
  return true;
}

/* Input k's data, or NULL when the input is absent. */
static const void *opt_in(const spcc_node *n, const void *const *in, int k) {
  return spcc_node_in(n, k) >= 0 ? in[k] : NULL;
}

/* Output k's buffer, or NULL when the output is omitted. */
static void *opt_out(const spcc_node *n, void *const *out, int k) {
  return out_vid(n, k) >= 0 ? out[k] : NULL;
}

static bool eval_recurrent(const spcc_graph *g, const spcc_node *n, int gates,
                           const void *const *in, void *const *out, spcc_diag *d) {
  spcc_rnn_params p;
  if (!spcc_rnn_get(g, n, gates, &p, d)) return false;
  if (gates == 4)
    spcc_lstm_f32(&p, in[0], in[1], in[2], opt_in(n, in, 3), opt_in(n, in, 4), opt_in(n, in, 5),
                  opt_in(n, in, 6), opt_in(n, in, 7), opt_out(n, out, 0), opt_out(n, out, 1),
                  opt_out(n, out, 2));
  else if (gates == 3)
    spcc_gru_f32(&p, in[0], in[1], in[2], opt_in(n, in, 3), opt_in(n, in, 4), opt_in(n, in, 5),
                 opt_out(n, out, 0), opt_out(n, out, 1));
  else
    spcc_rnn_f32(&p, in[0], in[1], in[2], opt_in(n, in, 3), opt_in(n, in, 4), opt_in(n, in, 5),
                 opt_out(n, out, 0), opt_out(n, out, 1));
  return true;
}

bool spcc_emit_rnn(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  return emit_recurrent(e, n, 1, "spcc_rnn_f32", d);
}

bool spcc_emit_gru(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  return emit_recurrent(e, n, 3, "spcc_gru_f32", d);
}

bool spcc_emit_lstm(spcc_emitter *e, const spcc_node *n, spcc_diag *d) {
  return emit_recurrent(e, n, 4, "spcc_lstm_f32", d);
}

bool spcc_eval_rnn(const spcc_graph *g, const spcc_node *n, const void *const *in,
                   void *const *out, spcc_diag *d) {
  return eval_recurrent(g, n, 1, in, out, d);
}

bool spcc_eval_gru(const spcc_graph *g, const spcc_node *n, const void *const *in,
                   void *const *out, spcc_diag *d) {
  return eval_recurrent(g, n, 3, in, out, d);
}

bool spcc_eval_lstm(const spcc_graph *g, const spcc_node *n, const void *const *in,
                    void *const *out, spcc_diag *d) {
  return eval_recurrent(g, n, 4, in, out, d);
}
