/* rt/rnn.h - recurrent kernels (runtime/rnn.c): ONNX RNN, GRU and LSTM.
 *
 * One parameter block serves all three. Weights follow ONNX: W is
 * [dirs, gates*hidden, input], R is [dirs, gates*hidden, hidden], B is
 * [dirs, 2*gates*hidden] (W biases then R biases), P (LSTM peepholes) is
 * [dirs, 3*hidden] in i, o, f order. Gate order is z, r, h for GRU and
 * i, o, f, c for LSTM. layout 0 means X [seq, batch, input],
 * Y [seq, dirs, batch, hidden], Y_h/Y_c/initial states [dirs, batch, hidden];
 * layout 1 puts batch first: X [batch, seq, input], Y [batch, seq, dirs,
 * hidden], states [batch, dirs, hidden].
 *
 * Optional tensors are NULL when absent (zero biases, zero peepholes, zero
 * initial states, full sequence lengths, outputs not written). Sequence
 * lengths are clamped to [0, seq]; Y is zero past a batch entry's length
 * and the final state is the one at its last valid step.
 *
 * The recurrent state lives on the kernel's stack (no scratch memory), so
 * batch * hidden is bounded by SPCC_RNN_MAX_STATE; the shape rule rejects
 * larger nodes.
 */
#ifndef SPCC_RT_RNN_H
#define SPCC_RT_RNN_H
#include <stdint.h>

#define SPCC_RNN_MAX_STATE 4096

/* Activation codes. */
#define SPCC_RNN_ACT_SIGMOID 0
#define SPCC_RNN_ACT_TANH 1
#define SPCC_RNN_ACT_RELU 2

typedef struct {
  int64_t seq;          /* time steps */
  int64_t batch;
  int64_t input;        /* input size */
  int64_t hidden;       /* hidden size */
  int64_t dirs;         /* 1 or 2 */
  int64_t reverse;      /* 1: the only direction runs backwards (dirs == 1) */
  int64_t layout;       /* 0 or 1, see above */
  int64_t act_f;        /* gate activation (RNN: the only one) */
  int64_t act_g;        /* candidate activation (GRU, LSTM) */
  int64_t act_h;        /* output activation (LSTM) */
  int64_t has_clip;     /* clip pre-activations to [-clip, clip] */
  float clip;
  int64_t linear_before_reset; /* GRU */
  int64_t input_forget;        /* LSTM: couple input and forget gates */
} spcc_rnn_params;

void spcc_rnn_f32(const spcc_rnn_params *p, const float *x, const float *w, const float *r,
                  const float *b, const int32_t *seq_lens, const float *initial_h, float *y,
                  float *y_h);
void spcc_gru_f32(const spcc_rnn_params *p, const float *x, const float *w, const float *r,
                  const float *b, const int32_t *seq_lens, const float *initial_h, float *y,
                  float *y_h);
void spcc_lstm_f32(const spcc_rnn_params *p, const float *x, const float *w, const float *r,
                   const float *b, const int32_t *seq_lens, const float *initial_h,
                   const float *initial_c, const float *peep, float *y, float *y_h, float *y_c);

#endif
