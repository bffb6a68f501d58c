/* rnn.c - ONNX RNN, GRU and LSTM kernels (float32).
 *
 * Every (direction, batch entry) pair is an independent recurrence, so the
 * kernels run them one after another and keep only one entry's state on
 * the stack: the previous and next hidden vectors, the cell vector (LSTM)
 * and the reset gate (GRU, whose candidate needs r for the whole vector
 * when linear_before_reset is 0). Each new hidden element is then computed
 * on its own from the previous state, without any gate matrix. Hidden sizes
 * in real recurrent models are small enough that this dot-product form is
 * adequate; the shape rule bounds hidden by SPCC_RNN_MAX_STATE.
 */
#include <math.h>
#include <string.h>

#include "spcc/spcc_rt.h"

static float act(int64_t code, float v) {
  switch (code) {
  case SPCC_RNN_ACT_TANH: return tanhf(v);
  case SPCC_RNN_ACT_RELU: return v > 0.0f ? v : 0.0f;
  default: return 1.0f / (1.0f + expf(-v));
  }
}

/* Clip (when requested) is applied to activation inputs. */
static float clipped(const spcc_rnn_params *p, float v) {
  if (p->has_clip) {
    if (v > p->clip) return p->clip;
    if (v < -p->clip) return -p->clip;
  }
  return v;
}

static float dot(const float *a, const float *b, int64_t n) {
  float s = 0.0f;
  int64_t k;
  for (k = 0; k < n; k++) s += a[k] * b[k];
  return s;
}

static int64_t x_off(const spcc_rnn_params *p, int64_t t, int64_t b) {
  return (p->layout ? b * p->seq + t : t * p->batch + b) * p->input;
}

static int64_t y_off(const spcc_rnn_params *p, int64_t t, int64_t d, int64_t b) {
  return (p->layout ? (b * p->seq + t) * p->dirs + d : (t * p->dirs + d) * p->batch + b) *
         p->hidden;
}

static int64_t state_off(const spcc_rnn_params *p, int64_t d, int64_t b) {
  return (p->layout ? b * p->dirs + d : d * p->batch + b) * p->hidden;
}

static int64_t seq_len(const spcc_rnn_params *p, const int32_t *seq_lens, int64_t b) {
  int64_t n = seq_lens ? (int64_t)seq_lens[b] : p->seq;
  if (n < 0) n = 0;
  if (n > p->seq) n = p->seq;
  return n;
}

static int is_reverse(const spcc_rnn_params *p, int64_t d) {
  return p->dirs == 2 ? d == 1 : p->reverse != 0;
}

static void load_state(const spcc_rnn_params *p, const float *init, int64_t d, int64_t b,
                       float *s) {
  if (init) memcpy(s, init + state_off(p, d, b), (size_t)p->hidden * sizeof *s);
  else memset(s, 0, (size_t)p->hidden * sizeof *s);
}

/* Zeroes Y for the steps past a batch entry's length. */
static void zero_tail(const spcc_rnn_params *p, float *y, int64_t d, int64_t b, int64_t len) {
  int64_t t;
  if (!y) return;
  for (t = len; t < p->seq; t++) memset(y + y_off(p, t, d, b), 0, (size_t)p->hidden * sizeof *y);
}

/* Kind of recurrence run by run_all. */
enum { KIND_RNN, KIND_GRU, KIND_LSTM };

typedef struct {
  const float *w, *r, *b, *peep; /* this direction's slices (b, peep may be NULL) */
} dir_weights;

static float bias(const float *b, int64_t k) { return b ? b[k] : 0.0f; }

static void step_rnn(const spcc_rnn_params *p, const dir_weights *dw, const float *x,
                     const float *h, float *hn) {
  int64_t H = p->hidden, I = p->input, j;
  for (j = 0; j < H; j++) {
    float a = dot(x, dw->w + j * I, I) + dot(h, dw->r + j * H, H) + bias(dw->b, j) +
              bias(dw->b, H + j);
    hn[j] = act(p->act_f, clipped(p, a));
  }
}

static void step_gru(const spcc_rnn_params *p, const dir_weights *dw, const float *x,
                     const float *h, float *hn, float *rg) {
  int64_t H = p->hidden, I = p->input, j, k;
  const float *wz = dw->w, *wr = dw->w + H * I, *wh = dw->w + 2 * H * I;
  const float *rz = dw->r, *rr = dw->r + H * H, *rh = dw->r + 2 * H * H;
  for (j = 0; j < H; j++) {
    float a = dot(x, wr + j * I, I) + dot(h, rr + j * H, H) + bias(dw->b, H + j) +
              bias(dw->b, 4 * H + j);
    rg[j] = act(p->act_f, clipped(p, a));
  }
  for (j = 0; j < H; j++) {
    float az = dot(x, wz + j * I, I) + dot(h, rz + j * H, H) + bias(dw->b, j) +
               bias(dw->b, 3 * H + j);
    float z = act(p->act_f, clipped(p, az));
    float ah = dot(x, wh + j * I, I) + bias(dw->b, 2 * H + j), rec;
    if (p->linear_before_reset) {
      rec = rg[j] * (dot(h, rh + j * H, H) + bias(dw->b, 5 * H + j));
    } else {
      const float *row = rh + j * H;
      rec = bias(dw->b, 5 * H + j);
      for (k = 0; k < H; k++) rec += rg[k] * h[k] * row[k];
    }
    float cand = act(p->act_g, clipped(p, ah + rec));
    hn[j] = (1.0f - z) * cand + z * h[j];
  }
}

/* Updates c in place: element j of the new cell only needs element j of
 * the old one. */
static void step_lstm(const spcc_rnn_params *p, const dir_weights *dw, const float *x,
                      const float *h, float *hn, float *c) {
  int64_t H = p->hidden, I = p->input, j, g;
  for (j = 0; j < H; j++) {
    float pre[4]; /* i, o, f, c */
    for (g = 0; g < 4; g++) {
      int64_t row = g * H + j;
      pre[g] = dot(x, dw->w + row * I, I) + dot(h, dw->r + row * H, H) + bias(dw->b, row) +
               bias(dw->b, 4 * H + row);
    }
    float pi = dw->peep ? dw->peep[j] : 0.0f, po = dw->peep ? dw->peep[H + j] : 0.0f;
    float pf = dw->peep ? dw->peep[2 * H + j] : 0.0f;
    float ig = act(p->act_f, clipped(p, pre[0] + pi * c[j]));
    float fg = p->input_forget ? 1.0f - ig : act(p->act_f, clipped(p, pre[2] + pf * c[j]));
    float cand = act(p->act_g, clipped(p, pre[3]));
    float cn = fg * c[j] + ig * cand;
    float og = act(p->act_f, clipped(p, pre[1] + po * cn));
    c[j] = cn;
    hn[j] = og * act(p->act_h, cn);
  }
}

static void run_all(int kind, const spcc_rnn_params *p, const float *x, const float *w,
                    const float *r, const float *b, const int32_t *seq_lens,
                    const float *initial_h, const float *initial_c, const float *peep, float *y,
                    float *y_h, float *y_c) {
  float hs[2][SPCC_RNN_MAX_STATE], cs[SPCC_RNN_MAX_STATE], rg[SPCC_RNN_MAX_STATE];
  int64_t G = kind == KIND_RNN ? 1 : kind == KIND_GRU ? 3 : 4;
  int64_t H = p->hidden, I = p->input, d, bi, s;
  if (H > SPCC_RNN_MAX_STATE) return; /* rejected by the shape rule */
  for (d = 0; d < p->dirs; d++) {
    dir_weights dw;
    dw.w = w + d * G * H * I;
    dw.r = r + d * G * H * H;
    dw.b = b ? b + d * 2 * G * H : NULL;
    dw.peep = peep ? peep + d * 3 * H : NULL;
    for (bi = 0; bi < p->batch; bi++) {
      int64_t len = seq_len(p, seq_lens, bi);
      int cur = 0;
      load_state(p, initial_h, d, bi, hs[0]);
      if (kind == KIND_LSTM) load_state(p, initial_c, d, bi, cs);
      for (s = 0; s < len; s++) {
        int64_t t = is_reverse(p, d) ? len - 1 - s : s;
        const float *xt = x + x_off(p, t, bi);
        if (kind == KIND_RNN) step_rnn(p, &dw, xt, hs[cur], hs[1 - cur]);
        else if (kind == KIND_GRU) step_gru(p, &dw, xt, hs[cur], hs[1 - cur], rg);
        else step_lstm(p, &dw, xt, hs[cur], hs[1 - cur], cs);
        cur = 1 - cur;
        if (y) memcpy(y + y_off(p, t, d, bi), hs[cur], (size_t)H * sizeof *y);
      }
      zero_tail(p, y, d, bi, len);
      if (y_h) memcpy(y_h + state_off(p, d, bi), hs[cur], (size_t)H * sizeof *y_h);
      if (y_c) memcpy(y_c + state_off(p, d, bi), cs, (size_t)H * sizeof *y_c);
    }
  }
}

void spcc_rnn_f32(const spcc_rnn_params *p, const float *x, const float *w, const float *r,
                  const float *b, const int32_t *seq_lens, const float *initial_h, float *y,
                  float *y_h) {
  run_all(KIND_RNN, p, x, w, r, b, seq_lens, initial_h, NULL, NULL, y, y_h, NULL);
}

void spcc_gru_f32(const spcc_rnn_params *p, const float *x, const float *w, const float *r,
                  const float *b, const int32_t *seq_lens, const float *initial_h, float *y,
                  float *y_h) {
  run_all(KIND_GRU, p, x, w, r, b, seq_lens, initial_h, NULL, NULL, y, y_h, NULL);
}

void spcc_lstm_f32(const spcc_rnn_params *p, const float *x, const float *w, const float *r,
                   const float *b, const int32_t *seq_lens, const float *initial_h,
                   const float *initial_c, const float *peep, float *y, float *y_h, float *y_c) {
  run_all(KIND_LSTM, p, x, w, r, b, seq_lens, initial_h, initial_c, peep, y, y_h, y_c);
}
