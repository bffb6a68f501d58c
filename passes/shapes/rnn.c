/* rnn.c - shape rules of RNN, GRU and LSTM, and their parameter block
 * (rnn_geom.h).
 *
 * Opsets 7 and 14 are honoured (14 adds `layout`); the opset-1 LSTM/GRU
 * `output_sequence` attribute only said whether Y is produced, which the
 * node's outputs already tell. Only float32 and the default activations
 * are supported (the frontend rejects the STRINGS attribute `activations`
 * as unsupported). Sequence lengths may be runtime values: only their
 * shape matters here.
 */
#include <string.h>

#include "passes/passes.h"
#include "rnn_geom.h"

static bool check_dims(const spcc_graph *g, const spcc_node *n, int k, const char *what,
                       int rank, const int64_t *want, spcc_diag *d) {
  const spcc_type *t = spcc_in_type(g, n, k);
  if (!t) return true;
  if (t->dtype != (k == 4 ? SPCC_DT_I32 : SPCC_DT_F32)) {
    spcc_node_error(d, g, n, "unsupported element type %s for '%s'", spcc_dtype_name(t->dtype),
                    what);
    return false;
  }
  bool ok = t->rank == rank;
  for (int i = 0; ok && i < rank; i++) ok = t->dims[i] == want[i];
  if (!ok) {
    spcc_node_error(d, g, n, "shape mismatch: '%s' has an impossible shape", what);
    return false;
  }
  return true;
}

bool spcc_rnn_get(const spcc_graph *g, const spcc_node *n, int gates, spcc_rnn_params *p,
                  spcc_diag *d) {
  const spcc_type *x = spcc_in_type(g, n, 0), *w = spcc_in_type(g, n, 1),
                  *r = spcc_in_type(g, n, 2);
  memset(p, 0, sizeof *p);
  if (!x || !w || !r) {
    spcc_node_error(d, g, n, "inputs X, W and R are required");
    return false;
  }
  if (x->dtype != SPCC_DT_F32) {
    spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(x->dtype));
    return false;
  }
  if (spcc_node_attr(n, "activations") || spcc_node_attr(n, "activation_alpha") ||
      spcc_node_attr(n, "activation_beta")) {
    spcc_node_error(d, g, n, "unsupported: non-default activations");
    return false;
  }
  const char *dir = spcc_attr_string(n, "direction", "forward");
  if (strcmp(dir, "forward") == 0) p->dirs = 1;
  else if (strcmp(dir, "reverse") == 0) p->dirs = 1, p->reverse = 1;
  else if (strcmp(dir, "bidirectional") == 0) p->dirs = 2;
  else {
    spcc_node_error(d, g, n, "unsupported attribute 'direction' value '%s'", dir);
    return false;
  }
  p->layout = n->opset >= 14 ? spcc_attr_int(n, "layout", 0) : 0;
  if (p->layout != 0 && p->layout != 1) {
    spcc_node_error(d, g, n, "unsupported attribute 'layout' value %lld", (long long)p->layout);
    return false;
  }
  if (x->rank != 3 || w->rank != 3 || r->rank != 3) {
    spcc_node_error(d, g, n, "shape mismatch: X, W and R must have rank 3");
    return false;
  }
  p->seq = x->dims[p->layout ? 1 : 0];
  p->batch = x->dims[p->layout ? 0 : 1];
  p->input = x->dims[2];
  p->hidden = spcc_attr_int(n, "hidden_size", r->dims[2]);
  if (p->hidden <= 0 || p->hidden != r->dims[2]) {
    spcc_node_error(d, g, n, "shape mismatch: hidden_size disagrees with R");
    return false;
  }
  if (p->hidden > SPCC_RNN_MAX_STATE) {
    spcc_node_error(d, g, n, "unsupported: hidden_size %lld exceeds %d", (long long)p->hidden,
                    SPCC_RNN_MAX_STATE);
    return false;
  }
  int64_t gh = gates * p->hidden, H = p->hidden, D = p->dirs;
  int64_t wd[3] = {D, gh, p->input}, rd[3] = {D, gh, H}, bd[2] = {D, 2 * gh}, sd[1] = {p->batch};
  int64_t st[3] = {D, p->batch, H}, pd[2] = {D, 3 * H};
  if (p->layout) st[0] = p->batch, st[1] = D;
  if (!check_dims(g, n, 1, "W", 3, wd, d) || !check_dims(g, n, 2, "R", 3, rd, d) ||
      !check_dims(g, n, 3, "B", 2, bd, d) || !check_dims(g, n, 4, "sequence_lens", 1, sd, d) ||
      !check_dims(g, n, 5, "initial_h", 3, st, d))
    return false;
  if (gates == 4 &&
      (!check_dims(g, n, 6, "initial_c", 3, st, d) || !check_dims(g, n, 7, "P", 2, pd, d)))
    return false;
  p->act_f = gates == 1 ? SPCC_RNN_ACT_TANH : SPCC_RNN_ACT_SIGMOID;
  p->act_g = SPCC_RNN_ACT_TANH;
  p->act_h = SPCC_RNN_ACT_TANH;
  const spcc_attr *clip = spcc_node_attr(n, "clip");
  if (clip) {
    p->has_clip = 1;
    p->clip = clip->f;
  }
  if (gates == 3) p->linear_before_reset = spcc_attr_int(n, "linear_before_reset", 0) != 0;
  if (gates == 4) p->input_forget = spcc_attr_int(n, "input_forget", 0) != 0;
  return true;
}

static bool shape_recurrent(spcc_graph *g, spcc_node *n, int gates, spcc_diag *d) {
  spcc_rnn_params p;
  if (!spcc_rnn_get(g, n, gates, &p, d)) return false;
  int64_t y[4] = {p.seq, p.dirs, p.batch, p.hidden};
  int64_t s[3] = {p.dirs, p.batch, p.hidden};
  if (p.layout) {
    y[0] = p.batch, y[1] = p.seq, y[2] = p.dirs;
    s[0] = p.batch, s[1] = p.dirs;
  }
  if (n->n_out > (gates == 4 ? 3 : 2)) {
    spcc_node_error(d, g, n, "too many outputs");
    return false;
  }
  if (n->n_out > 0) spcc_set_output(g, n, 0, SPCC_DT_F32, 4, y);
  for (int k = 1; k < n->n_out; k++) spcc_set_output(g, n, k, SPCC_DT_F32, 3, s);
  return true;
}

bool spcc_shape_rnn(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return shape_recurrent(g, n, 1, d);
}

bool spcc_shape_gru(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return shape_recurrent(g, n, 3, d);
}

bool spcc_shape_lstm(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  return shape_recurrent(g, n, 4, d);
}
