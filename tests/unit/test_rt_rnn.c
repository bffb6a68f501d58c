/* test_rt_rnn.c - RNN, GRU and LSTM kernels on hand-computed cases:
 * sequence lengths (zeroed tails, early final state), reverse and
 * bidirectional runs, batch-first layout, clip, GRU's linear_before_reset,
 * LSTM peepholes, initial cell and input_forget. ReLU activations keep the
 * RNN cases exact. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "spcc/spcc_rt.h"

static void near(const float *got, const float *want, int n) {
  for (int i = 0; i < n; i++) assert_true(fabsf(got[i] - want[i]) < 1e-5f);
}

static spcc_rnn_params base(int64_t seq, int64_t batch, int64_t dirs) {
  spcc_rnn_params p = {.seq = seq, .batch = batch, .input = 1, .hidden = 1, .dirs = dirs,
                       .act_f = SPCC_RNN_ACT_RELU, .act_g = SPCC_RNN_ACT_TANH,
                       .act_h = SPCC_RNN_ACT_TANH};
  return p;
}

static void test_rnn_seq_lens_reverse(void **state) {
  (void)state;
  spcc_rnn_params p = base(3, 2, 1);
  const float x[] = {1, 3, 2, 9, -1, 9}, w[] = {1}, r[] = {2}, b[] = {0.5f, 0};
  const int32_t lens[] = {3, 1};
  float y[6], yh[2];
  spcc_rnn_f32(&p, x, w, r, b, lens, NULL, y, yh);
  const float want_y[] = {1.5f, 3.5f, 5.5f, 0, 10.5f, 0}, want_h[] = {10.5f, 3.5f};
  near(y, want_y, 6);
  near(yh, want_h, 2);
  p.reverse = 1;
  spcc_rnn_f32(&p, x, w, r, b, lens, NULL, y, yh);
  const float rev_y[] = {6.5f, 3.5f, 2.5f, 0, 0, 0}, rev_h[] = {6.5f, 3.5f};
  near(y, rev_y, 6);
  near(yh, rev_h, 2);
  /* Omitted outputs are simply not written. */
  spcc_rnn_f32(&p, x, w, r, b, NULL, NULL, NULL, yh);
}

static void test_rnn_bidirectional_batch_first_clip(void **state) {
  (void)state;
  spcc_rnn_params p = base(2, 1, 2);
  p.layout = 1;
  const float x[] = {1, 2}, w[] = {1, 1}, r[] = {1, 1};
  float y[4], yh[2];
  spcc_rnn_f32(&p, x, w, r, NULL, NULL, NULL, y, yh);
  const float want_y[] = {1, 3, 3, 2}, want_h[] = {3, 3};
  near(y, want_y, 4);
  near(yh, want_h, 2);
  spcc_rnn_params q = base(1, 1, 1);
  q.has_clip = 1;
  q.clip = 1;
  const float x5[] = {5}, h0[] = {0.5f};
  spcc_rnn_f32(&q, x5, w, r, NULL, NULL, h0, NULL, yh);
  assert_true(yh[0] == 1.0f); /* relu(clip(5 + 0.5)) with clip 1 */
}

static void test_gru_linear_before_reset(void **state) {
  (void)state;
  spcc_rnn_params p = base(1, 1, 1);
  p.act_f = SPCC_RNN_ACT_SIGMOID;
  const float x[] = {0}, w[] = {0, 0, 0}, r[] = {0, 0, 1}, b[] = {0, 0, 0, 0, 0, 1};
  const float h0[] = {2};
  float y[1], yh[1];
  spcc_gru_f32(&p, x, w, r, b, NULL, h0, y, yh);
  assert_true(fabsf(yh[0] - (0.5f * tanhf(2.0f) + 1.0f)) < 1e-5f);
  assert_true(y[0] == yh[0]);
  p.linear_before_reset = 1;
  spcc_gru_f32(&p, x, w, r, b, NULL, h0, NULL, yh);
  assert_true(fabsf(yh[0] - (0.5f * tanhf(1.5f) + 1.0f)) < 1e-5f);
}

static float sig(float v) { return 1.0f / (1.0f + expf(-v)); }

static void test_lstm_peepholes(void **state) {
  (void)state;
  spcc_rnn_params p = base(1, 1, 1);
  p.act_f = SPCC_RNN_ACT_SIGMOID;
  const float x[] = {0}, w[4] = {0}, r[4] = {0}, c0[] = {1};
  float yh[1], yc[1];
  spcc_lstm_f32(&p, x, w, r, NULL, NULL, NULL, c0, NULL, NULL, yh, yc);
  assert_true(fabsf(yc[0] - 0.5f) < 1e-6f);
  assert_true(fabsf(yh[0] - 0.5f * tanhf(0.5f)) < 1e-6f);
  const float peep[] = {0, 1, 2}; /* i, o, f */
  spcc_lstm_f32(&p, x, w, r, NULL, NULL, NULL, c0, peep, NULL, yh, yc);
  float c1 = sig(2.0f);
  assert_true(fabsf(yc[0] - c1) < 1e-6f);
  assert_true(fabsf(yh[0] - sig(c1) * tanhf(c1)) < 1e-6f);
  p.input_forget = 1; /* f = 1 - i = 0.5 regardless of the peephole */
  spcc_lstm_f32(&p, x, w, r, NULL, NULL, NULL, c0, peep, NULL, yh, yc);
  assert_true(fabsf(yc[0] - 0.5f) < 1e-6f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rnn_seq_lens_reverse),
      cmocka_unit_test(test_rnn_bidirectional_batch_first_clip),
      cmocka_unit_test(test_gru_linear_before_reset),
      cmocka_unit_test(test_lstm_peepholes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
