/* test_rt_sparse.c - the sparse kernels (runtime/sparse_*.c) against the
 * dense ones, and their emission (backend/c/sparse.c).
 *
 * Kernels: random cases with fixed seeds for every format (CSR, BSR with
 * specialized and generic block shapes, N:M with specialized and generic
 * N:M) x op family (Gemm with transA/transB/alpha/beta/every C broadcast,
 * batched MatMul, Conv 1-D/2-D/3-D with strides, dilations, pads, groups,
 * depthwise, 1x1), on odd sizes, with empty rows, all-zero weights and
 * single nonzeros. The weight is pruned at random, packed with
 * spcc_pack_weight, run through the sparse kernel and compared with the
 * dense kernel on the same pruned values (rtol 1e-4).
 *
 * Emission: small graphs whose weights carry sparse encodings are emitted,
 * built with gcc and clang at -std=c99 -Wall -Wextra -pedantic -Werror next
 * to the same graph emitted dense, and run on the same inputs; the program
 * compares the two. The sparse C must not contain the dense weight array.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ir/sparse.h"
#include "passes/passes.h"
#include "spcc/spcc_rt.h"

/* ---- helpers ---------------------------------------------------------------- */

typedef struct {
  uint64_t s;
} rng;

static uint32_t rnd(rng *r) {
  r->s ^= r->s << 13;
  r->s ^= r->s >> 7;
  r->s ^= r->s << 17;
  return (uint32_t)(r->s >> 11);
}
static int64_t rnd_in(rng *r, int64_t lo, int64_t hi) { /* [lo, hi] */
  return lo + (int64_t)(rnd(r) % (uint32_t)(hi - lo + 1));
}
static float rnd_f(rng *r) { return (float)(rnd(r) % 20001) / 10000.0f - 1.0f; }

static float *rnd_array(rng *r, int64_t n) {
  float *p = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
  for (int64_t i = 0; i < n; i++) p[i] = rnd_f(r);
  return p;
}

static int n_compared; /* outputs compared, for the summary line */

static void assert_close(const float *got, const float *want, int64_t n, const char *what) {
  for (int64_t i = 0; i < n; i++) {
    if (!(fabsf(got[i] - want[i]) <= 1e-4f * (1.0f + fabsf(want[i])))) {
      print_error("%s: element %lld: got %.9g want %.9g\n", what, (long long)i, (double)got[i],
                  (double)want[i]);
      fail();
    }
  }
  n_compared++;
}

/* How a random weight is pruned. */
typedef enum {
  PRUNE_RANDOM,      /* each element kept with probability `density` */
  PRUNE_EMPTY_ROWS,  /* random, and every third row empty */
  PRUNE_ALL_ZERO,
  PRUNE_SINGLE,      /* one nonzero */
  PRUNE_BLOCKS,      /* whole enc.block_r x enc.block_c blocks kept or dropped */
} prune_kind;

/* Zeros in data (laid out per v) so that it fits enc: random pruning, then
 * for N:M at most n nonzeros in every group of m (chosen at random). */
static void prune(rng *r, float *data, const spcc_weight_view *v, const spcc_encoding *enc,
                  prune_kind kind, double density) {
  const int64_t rows = v->rows, cols = v->cols;
  int64_t single = rows * cols > 0 ? rnd_in(r, 0, rows * cols - 1) : -1;
  for (int64_t i = 0; i < rows; i++)
    for (int64_t j = 0; j < cols; j++) {
      bool keep;
      switch (kind) {
      case PRUNE_ALL_ZERO: keep = false; break;
      case PRUNE_SINGLE: keep = i * cols + j == single; break;
      case PRUNE_BLOCKS: {
        /* A hash of the block decides, so every element of a block agrees. */
        uint32_t h = (uint32_t)((i / enc->block_r) * 7919 + (j / enc->block_c) * 104729);
        h *= 2654435761u;
        keep = (double)(h >> 8) / (double)(1u << 24) < density;
        break;
      }
      case PRUNE_EMPTY_ROWS: keep = i % 3 != 1 && (double)(rnd(r) % 1000) < density * 1000; break;
      default: keep = (double)(rnd(r) % 1000) < density * 1000; break;
      }
      if (!keep) data[spcc_weight_at(v, i, j)] = 0.0f;
    }
  if (enc->kind != SPCC_ENC_NM) return;
  const int n = enc->nm_n, m = enc->nm_m;
  for (int64_t i = 0; i < rows; i++)
    for (int64_t g0 = 0; g0 < cols; g0 += m) {
      int kept = 0;
      const int64_t g1 = g0 + m < cols ? g0 + m : cols;
      int64_t start = rnd_in(r, g0, g1 - 1); /* keep the first n nonzeros from here, cyclic */
      for (int64_t t = 0; t < g1 - g0; t++) {
        int64_t j = g0 + (start - g0 + t) % (g1 - g0);
        float *e = &data[spcc_weight_at(v, i, j)];
        if (*e == 0) continue;
        if (kept < n) kept++;
        else *e = 0.0f;
      }
    }
}

/* The runtime descriptors of a packed weight. */
static spcc_csr_f32 csr_of(const spcc_packed *pk) {
  spcc_csr_f32 w = {.rows = pk->rows, .cols = pk->cols, .rowptr = pk->rowptr, .val = pk->val};
  if (pk->enc.index_bits == 8) w.col8 = pk->idx;
  else if (pk->enc.index_bits == 16) w.col16 = pk->idx;
  else w.col32 = pk->idx;
  return w;
}
static spcc_bsr_f32 bsr_of(const spcc_packed *pk) {
  spcc_bsr_f32 w = {.rows = pk->rows, .cols = pk->cols, .block_r = pk->enc.block_r,
                    .block_c = pk->enc.block_c, .rowptr = pk->rowptr, .val = pk->val};
  if (pk->enc.index_bits == 8) w.col8 = pk->idx;
  else if (pk->enc.index_bits == 16) w.col16 = pk->idx;
  else w.col32 = pk->idx;
  return w;
}
static spcc_nm_f32 nm_of(const spcc_packed *pk) {
  spcc_nm_f32 w = {.rows = pk->rows, .cols = pk->cols, .n = pk->enc.nm_n, .m = pk->enc.nm_m,
                   .index_bits = pk->enc.index_bits, .idx = pk->idx, .val = pk->val};
  return w;
}

/* The encodings every case runs with: CSR (index width by size and forced
 * 32-bit), BSR specialized and generic shapes, N:M specialized and generic. */
static const spcc_encoding encodings[] = {
    {.kind = SPCC_ENC_CSR},
    {.kind = SPCC_ENC_CSR, .index_bits = 32},
    {.kind = SPCC_ENC_BSR, .block_r = 1, .block_c = 4},
    {.kind = SPCC_ENC_BSR, .block_r = 4, .block_c = 1},
    {.kind = SPCC_ENC_BSR, .block_r = 2, .block_c = 2},
    {.kind = SPCC_ENC_BSR, .block_r = 4, .block_c = 4},
    {.kind = SPCC_ENC_BSR, .block_r = 8, .block_c = 1},
    {.kind = SPCC_ENC_BSR, .block_r = 1, .block_c = 8},
    {.kind = SPCC_ENC_BSR, .block_r = 3, .block_c = 5},
    {.kind = SPCC_ENC_BSR, .block_r = 16, .block_c = 1},
    {.kind = SPCC_ENC_BSR, .block_r = 2, .block_c = 4, .index_bits = 32},
    {.kind = SPCC_ENC_NM, .nm_n = 2, .nm_m = 4},
    {.kind = SPCC_ENC_NM, .nm_n = 1, .nm_m = 4},
    {.kind = SPCC_ENC_NM, .nm_n = 4, .nm_m = 8},
    {.kind = SPCC_ENC_NM, .nm_n = 1, .nm_m = 2},
    {.kind = SPCC_ENC_NM, .nm_n = 1, .nm_m = 8},
    {.kind = SPCC_ENC_NM, .nm_n = 2, .nm_m = 8},
    {.kind = SPCC_ENC_NM, .nm_n = 3, .nm_m = 7},
    {.kind = SPCC_ENC_NM, .nm_n = 1, .nm_m = 16},
    {.kind = SPCC_ENC_NM, .nm_n = 15, .nm_m = 16},
};
#define N_ENC ((int)(sizeof encodings / sizeof encodings[0]))

static prune_kind kind_for(int case_no, const spcc_encoding *enc) {
  switch (case_no % 8) {
  case 0: return PRUNE_ALL_ZERO;
  case 1: return PRUNE_SINGLE;
  case 2: return PRUNE_EMPTY_ROWS;
  case 3: return enc->kind == SPCC_ENC_BSR ? PRUNE_BLOCKS : PRUNE_RANDOM;
  default: return PRUNE_RANDOM;
  }
}

/* Packs w (pruned to fit enc) and checks the packed form unpacks to it. */
static void pack(const float *w, const spcc_weight_view *v, const spcc_encoding *enc,
                 spcc_packed *pk) {
  assert_true(spcc_pack_weight(w, v, enc, pk));
  int64_t numel = v->rows * v->cols;
  float *back = malloc(sizeof(float) * (size_t)(numel > 0 ? numel : 1));
  spcc_unpack_weight(pk, v, back);
  for (int64_t i = 0; i < numel; i++) assert_true(back[i] == w[i]);
  free(back);
}

/* ---- Gemm and MatMul ----------------------------------------------------------- */

/* y_sparse = spcc_gemm_<fmt>_f32 on the packed weight. */
static void sparse_gemm(const spcc_sparse_gemm_params *sp, const float *a, const spcc_packed *pk,
                        const float *c, float *y) {
  switch (pk->enc.kind) {
  case SPCC_ENC_CSR: {
    spcc_csr_f32 w = csr_of(pk);
    spcc_gemm_csr_f32(sp, a, &w, c, y);
    break;
  }
  case SPCC_ENC_BSR: {
    spcc_bsr_f32 w = bsr_of(pk);
    spcc_gemm_bsr_f32(sp, a, &w, c, y);
    break;
  }
  default: {
    spcc_nm_f32 w = nm_of(pk);
    spcc_gemm_nm_f32(sp, a, &w, c, y);
    break;
  }
  }
}

static void gemm_case(rng *r, const spcc_encoding *enc, int case_no, int64_t m, int64_t n,
                      int64_t k) {
  const int ta = (int)(rnd(r) & 1), tb = (int)(rnd(r) & 1);
  const int cmode = (int)(rnd(r) % 5); /* none, scalar, [n], [m,1], [m,n] */
  spcc_gemm_params p = {.m = m, .n = n, .k = k, .trans_a = ta, .trans_b = tb,
                        .alpha = 1, .beta = 1};
  if (rnd(r) & 1) {
    p.alpha = rnd_f(r) * 2;
    p.beta = rnd_f(r) * 2;
  }
  const int64_t crs[] = {0, 0, 0, 1, n}, ccs[] = {0, 0, 1, 0, 1}, clen[] = {1, 1, n, m, m * n};
  p.c_row_stride = crs[cmode];
  p.c_col_stride = ccs[cmode];
  float *a = rnd_array(r, m * k), *b = rnd_array(r, k * n), *c = rnd_array(r, clen[cmode]);
  const float *cp = cmode ? c : NULL;
  spcc_weight_view v = {.rows = n, .cols = k, .transposed = !tb};
  prune(r, b, &v, enc, kind_for(case_no, enc), 0.05 + 0.3 * (rnd(r) % 4));
  spcc_packed pk;
  pack(b, &v, enc, &pk);
  float *want = rnd_array(r, m * n), *got = rnd_array(r, m * n);
  spcc_gemm_f32(&p, a, b, cp, want);
  const spcc_sparse_gemm_params sp = {.m = m, .trans_a = ta, .alpha = p.alpha, .beta = p.beta,
                                      .c_row_stride = p.c_row_stride,
                                      .c_col_stride = p.c_col_stride};
  sparse_gemm(&sp, a, &pk, cp, got);
  char what[160];
  snprintf(what, sizeof what, "gemm %s m%lld n%lld k%lld ta%d tb%d c%d",
           spcc_encoding_kind_name(enc->kind), (long long)m, (long long)n, (long long)k, ta, tb,
           cmode);
  assert_close(got, want, m * n, what);
  spcc_packed_free(&pk);
  free(a), free(b), free(c), free(want), free(got);
}

static void test_gemm_random(void **state) {
  (void)state;
  rng r = {0x9e3779b97f4a7c15ull};
  for (int e = 0; e < N_ENC; e++)
    for (int t = 0; t < 24; t++) {
      int64_t m = rnd_in(&r, 1, 21), n = rnd_in(&r, 1, 40), k = rnd_in(&r, 1, 70);
      if (t == 5) k = 300; /* 16-bit indices */
      gemm_case(&r, &encodings[e], t, m, n, k);
    }
}

/* MatMul X[b, M, K] @ W[K, N] through the dense batched kernel. */
static void matmul_case(rng *r, const spcc_encoding *enc, int case_no, int64_t batch,
                        int64_t m, int64_t n, int64_t k) {
  float *x = rnd_array(r, batch * m * k), *w = rnd_array(r, k * n);
  spcc_weight_view v = {.rows = n, .cols = k, .transposed = true};
  prune(r, w, &v, enc, kind_for(case_no, enc), 0.1 + 0.2 * (rnd(r) % 3));
  spcc_packed pk;
  pack(w, &v, enc, &pk);
  spcc_matmul_params p = {.m = m, .n = n, .k = k, .batch_rank = batch > 1,
                          .batch_dims = {batch}, .a_batch_stride = {m * k}, .b_batch_stride = {0}};
  float *want = rnd_array(r, batch * m * n), *got = rnd_array(r, batch * m * n);
  spcc_matmul_f32(&p, x, w, want);
  const spcc_sparse_gemm_params sp = {.m = batch * m, .alpha = 1};
  sparse_gemm(&sp, x, &pk, NULL, got);
  char what[160];
  snprintf(what, sizeof what, "matmul %s b%lld m%lld n%lld k%lld",
           spcc_encoding_kind_name(enc->kind), (long long)batch, (long long)m, (long long)n,
           (long long)k);
  assert_close(got, want, batch * m * n, what);
  spcc_packed_free(&pk);
  free(x), free(w), free(want), free(got);
}

static void test_matmul_random(void **state) {
  (void)state;
  rng r = {0x2545f4914f6cdd1dull};
  for (int e = 0; e < N_ENC; e++)
    for (int t = 0; t < 12; t++)
      matmul_case(&r, &encodings[e], t, rnd_in(&r, 1, 3), rnd_in(&r, 1, 9), rnd_in(&r, 1, 33),
                  rnd_in(&r, 1, 90));
  /* Large enough for every tile height and 16-bit indices. */
  matmul_case(&r, &encodings[0], 4, 2, 13, 64, 700);
  matmul_case(&r, &encodings[11], 4, 1, 64, 96, 512);
}

/* The panel kernels (runtime/sparse_panel.h) take over from 16 rows of X:
 * M around the 16-row tiles (last tile overlapping), weight rows around
 * the 16-row squares and the CSR block of 512 rows, K around the panel
 * width (128 columns; N:M panels hold whole groups), every index width,
 * transA, and the N:M shapes with and without literal kernels. */
static const spcc_encoding panel_encodings[] = {
    {.kind = SPCC_ENC_CSR},
    {.kind = SPCC_ENC_CSR, .index_bits = 16},
    {.kind = SPCC_ENC_CSR, .index_bits = 32},
    {.kind = SPCC_ENC_BSR, .block_r = 4, .block_c = 1},
    {.kind = SPCC_ENC_NM, .nm_n = 2, .nm_m = 4},
    {.kind = SPCC_ENC_NM, .nm_n = 1, .nm_m = 4},
    {.kind = SPCC_ENC_NM, .nm_n = 4, .nm_m = 8},
    {.kind = SPCC_ENC_NM, .nm_n = 2, .nm_m = 8},
    {.kind = SPCC_ENC_NM, .nm_n = 1, .nm_m = 8},
    {.kind = SPCC_ENC_NM, .nm_n = 1, .nm_m = 2},
    {.kind = SPCC_ENC_NM, .nm_n = 3, .nm_m = 7},
    {.kind = SPCC_ENC_NM, .nm_n = 2, .nm_m = 16},
    {.kind = SPCC_ENC_NM, .nm_n = 15, .nm_m = 16},
};

static void test_gemm_panels(void **state) {
  (void)state;
  rng r = {0x5851f42d4c957f2dull};
  static const int64_t shapes[][3] = {/* m, n, k */
      {16, 16, 1},   {16, 16, 128}, {17, 16, 129}, {15, 40, 200}, {31, 17, 127},
      {33, 40, 256}, {64, 33, 300}, {129, 48, 130}, {200, 20, 77}, {48, 530, 140},
      {20, 1030, 40}, {18, 24, 700}, {1, 64, 300},  {2, 40, 129},  {16, 15, 64}};
  const int n_enc = (int)(sizeof panel_encodings / sizeof panel_encodings[0]);
  for (int e = 0; e < n_enc; e++)
    for (int s = 0; s < (int)(sizeof shapes / sizeof shapes[0]); s++)
      gemm_case(&r, &panel_encodings[e], 2 + s % 6, shapes[s][0], shapes[s][1], shapes[s][2]);
  /* MatMul over a batch: M = batch x rows crosses the tiles. */
  for (int e = 0; e < n_enc; e++) matmul_case(&r, &panel_encodings[e], 4, 3, 7, 36, 260);
}

/* ---- Conv ------------------------------------------------------------------------ */

typedef struct {
  int64_t batch, cin, cout, group, spatial;
  int64_t in[3], k[3], s[3], d[3], pb[3], pe[3];
} conv_shape;

static void conv_case(rng *r, const spcc_encoding *enc, int case_no, const conv_shape *cs) {
  spcc_conv_params p = {.batch = cs->batch, .in_channels = cs->cin, .out_channels = cs->cout,
                        .group = cs->group, .spatial = cs->spatial};
  int64_t in_size = 1, out_size = 1, k_size = 1;
  for (int i = 0; i < cs->spatial; i++) {
    p.in_dims[i] = cs->in[i];
    p.kernel[i] = cs->k[i];
    p.strides[i] = cs->s[i];
    p.dilations[i] = cs->d[i];
    p.pads[i] = cs->pb[i];
    int64_t span = (cs->k[i] - 1) * cs->d[i] + 1;
    p.out_dims[i] = (cs->in[i] + cs->pb[i] + cs->pe[i] - span) / cs->s[i] + 1;
    if (p.out_dims[i] < 1) return; /* not a valid conv: skip */
    in_size *= p.in_dims[i];
    out_size *= p.out_dims[i];
    k_size *= cs->k[i];
  }
  const int64_t cols = cs->cin / cs->group * k_size;
  float *x = rnd_array(r, cs->batch * cs->cin * in_size), *w = rnd_array(r, cs->cout * cols);
  float *b = rnd_array(r, cs->cout);
  const bool bias = rnd(r) % 4 != 0;
  spcc_weight_view v = {.rows = cs->cout, .cols = cols, .transposed = false};
  prune(r, w, &v, enc, kind_for(case_no, enc), 0.1 + 0.25 * (rnd(r) % 3));
  spcc_packed pk;
  pack(w, &v, enc, &pk);
  const int64_t ny = cs->batch * cs->cout * out_size;
  float *want = rnd_array(r, ny), *got = rnd_array(r, ny);
  spcc_conv_f32(&p, x, w, bias ? b : NULL, want);
  switch (enc->kind) {
  case SPCC_ENC_CSR: {
    spcc_csr_f32 sw = csr_of(&pk);
    spcc_conv_csr_f32(&p, x, &sw, bias ? b : NULL, got);
    break;
  }
  case SPCC_ENC_BSR: {
    spcc_bsr_f32 sw = bsr_of(&pk);
    spcc_conv_bsr_f32(&p, x, &sw, bias ? b : NULL, got);
    break;
  }
  default: {
    spcc_nm_f32 sw = nm_of(&pk);
    spcc_conv_nm_f32(&p, x, &sw, bias ? b : NULL, got);
    break;
  }
  }
  char what[200];
  snprintf(what, sizeof what,
           "conv %s case %d: S%lld n%lld c%lld->%lld g%lld k%lld s%lld d%lld p%lld",
           spcc_encoding_kind_name(enc->kind), case_no, (long long)cs->spatial,
           (long long)cs->batch, (long long)cs->cin, (long long)cs->cout, (long long)cs->group,
           (long long)cs->k[0], (long long)cs->s[0], (long long)cs->d[0], (long long)cs->pb[0]);
  assert_close(got, want, ny, what);
  spcc_packed_free(&pk);
  free(x), free(w), free(b), free(want), free(got);
}

static conv_shape random_conv(rng *r, int t) {
  conv_shape cs = {.batch = rnd_in(r, 1, 2), .spatial = 1 + t % 3};
  const int64_t groups[] = {1, 1, 1, 2, 3};
  cs.group = groups[rnd(r) % 5];
  cs.cin = cs.group * rnd_in(r, 1, 5);
  cs.cout = cs.group * rnd_in(r, 1, 6);
  if (t % 7 == 3) { /* depthwise */
    cs.cin = rnd_in(r, 1, 8);
    cs.group = cs.cin;
    cs.cout = cs.cin * rnd_in(r, 1, 2);
  }
  const bool pointwise = t % 5 == 4;
  for (int i = 0; i < cs.spatial; i++) {
    cs.in[i] = rnd_in(r, 1, cs.spatial == 3 ? 6 : 13);
    cs.k[i] = pointwise ? 1 : rnd_in(r, 1, 4);
    cs.s[i] = pointwise ? 1 : rnd_in(r, 1, 3);
    cs.d[i] = pointwise ? 1 : rnd_in(r, 1, 2);
    cs.pb[i] = pointwise ? 0 : rnd_in(r, 0, 2);
    cs.pe[i] = pointwise ? 0 : rnd_in(r, 0, 2);
  }
  return cs;
}

static void test_conv_random(void **state) {
  (void)state;
  rng r = {0xd1b54a32d192ed03ull};
  for (int e = 0; e < N_ENC; e++)
    for (int t = 0; t < 40; t++) {
      conv_shape cs = random_conv(&r, t);
      conv_case(&r, &encodings[e], t, &cs);
    }
}

/* Shapes of real networks: 3x3 padded, strided, depthwise, grouped, 1x1,
 * a 3-D kernel, and outputs split into several bands. */
static void test_conv_shapes(void **state) {
  (void)state;
  rng r = {0x853c49e6748fea9bull};
  const conv_shape shapes[] = {
      {1, 16, 24, 1, 2, {20, 23}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}},
      {2, 8, 12, 1, 2, {17, 15}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, {0, 1}},
      {1, 12, 12, 12, 2, {14, 9}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}},
      {1, 12, 24, 12, 2, {9, 9}, {5, 5}, {2, 2}, {1, 1}, {2, 2}, {2, 2}},
      {1, 12, 18, 3, 2, {10, 11}, {3, 1}, {1, 2}, {2, 1}, {2, 0}, {2, 0}},
      {1, 24, 40, 1, 2, {37, 41}, {1, 1}, {1, 1}, {1, 1}, {0, 0}, {0, 0}},
      {2, 6, 10, 2, 3, {5, 6, 7}, {3, 2, 3}, {1, 2, 1}, {1, 1, 2}, {1, 0, 2}, {1, 1, 2}},
      {1, 5, 7, 1, 1, {5000}, {3}, {1}, {1}, {1}, {1}},                    /* 3 bands */
      {1, 3, 5, 1, 2, {60, 50}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}},  /* 2 bands */
      {2, 4, 6, 1, 2, {70, 45}, {1, 1}, {1, 1}, {1, 1}, {0, 0}, {0, 0}},  /* flat 1x1, 2 bands */
      {1, 4, 6, 1, 2, {3, 3}, {5, 5}, {1, 1}, {1, 1}, {4, 4}, {4, 4}}, /* mostly padding */
  };
  for (int e = 0; e < N_ENC; e++)
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
      conv_case(&r, &encodings[e], 3 + (int)s, &shapes[s]);
}

/* ---- emission ------------------------------------------------------------------ */

typedef struct {
  spcc_graph *g;
  int weight_node[16]; /* node whose weight gets encoding enc[k] */
  const char *weight_name[16]; /* that node's name, stable across passes */
  spcc_encoding enc[16];
  int n_weights;
} test_graph;

static int add_input(spcc_graph *g, const char *name, int rank, const int64_t *dims) {
  spcc_type t = spcc_type_make(SPCC_DT_F32, rank, dims);
  return spcc_graph_add_value(g, name, &t, SPCC_VAL_INPUT);
}

static int add_const(spcc_graph *g, rng *r, const char *name, int rank, const int64_t *dims) {
  spcc_type t = spcc_type_make(SPCC_DT_F32, rank, dims);
  return spcc_graph_add_const(g, name, &t, rnd_array(r, spcc_type_numel(&t)));
}

static int add_node(spcc_graph *g, spcc_op op, int n_in, const int *in, const char *out) {
  int y = spcc_graph_add_value(g, out, NULL, SPCC_VAL_TEMP);
  int n = spcc_graph_add_node(g, op, n_in, in, 1, &y);
  g->nodes[n].opset = 13;
  g->nodes[n].onnx_index = n;
  g->nodes[n].name = out;
  return n;
}

static void add_weight(test_graph *t, int node, spcc_encoding enc) {
  t->weight_node[t->n_weights] = node;
  t->weight_name[t->n_weights] = t->g->nodes[node].name;
  t->enc[t->n_weights++] = enc;
}

/* Gemm (transB, alpha, beta, C), MatMul into an N:M weight, Gemm with
 * transA and a BSR weight, a weight shared by two MatMuls with 32-bit
 * indices, an all-zero weight, a weight that another op reads densely, and
 * Conv 3x3 grouped / 1x1 / depthwise strided. Every weight pruned to fit its encoding, the same way whether
 * or not the encodings are set. */
static test_graph sparse_test_graph(bool sparse) {
  test_graph t = {.g = spcc_graph_new("sp", "sparse_test.onnx")};
  spcc_graph *g = t.g;
  rng r = {0x5851f42d4c957f2dull};
  const int64_t dx[] = {5, 37}, dxt[] = {37, 5}, dimg[] = {2, 6, 9, 9};
  const int64_t db1[] = {29, 37}, dc1[] = {29}, dw2[] = {29, 19}, db3[] = {37, 11}, dc3[] = {1};
  const int64_t dw4[] = {37, 16}, dwz[] = {37, 7}, dwm[] = {37, 9};
  const int64_t dk1[] = {8, 3, 3, 3}, dkb1[] = {8}, dk2[] = {12, 8, 1, 1}, dk3[] = {12, 1, 3, 3};
  int x = add_input(g, "x", 2, dx), xt = add_input(g, "xt", 2, dxt);
  int img = add_input(g, "img", 4, dimg), y = add_input(g, "y", 2, dwm);
  int b1 = add_const(g, &r, "fc1.weight", 2, db1), c1 = add_const(g, &r, "fc1.bias", 1, dc1);
  int w2 = add_const(g, &r, "W2", 2, dw2), b3 = add_const(g, &r, "B3", 2, db3);
  int c3 = add_const(g, &r, "C3", 1, dc3), w4 = add_const(g, &r, "shared/W4", 2, dw4);
  int wz = add_const(g, &r, "Wz", 2, dwz), wm = add_const(g, &r, "Wmix", 2, dwm);
  int k1 = add_const(g, &r, "conv1.weight", 4, dk1), kb1 = add_const(g, &r, "conv1.bias", 1, dkb1);
  int k2 = add_const(g, &r, "conv2.weight", 4, dk2), k3 = add_const(g, &r, "dw.weight", 4, dk3);

  int n = add_node(g, SPCC_OP_GEMM, 3, (int[]){x, b1, c1}, "g1");
  spcc_node_set_int(g, n, "transB", 1);
  spcc_node_set_float(g, n, "alpha", 0.5f);
  spcc_node_set_float(g, n, "beta", 2.0f);
  add_weight(&t, n, (spcc_encoding){.kind = SPCC_ENC_CSR});
  const int g1 = g->nodes[n].out[0];
  n = add_node(g, SPCC_OP_MATMUL, 2, (int[]){g1, w2}, "m2");
  add_weight(&t, n, (spcc_encoding){.kind = SPCC_ENC_NM, .nm_n = 2, .nm_m = 4, .axis = 0});
  const int m2 = g->nodes[n].out[0];
  n = add_node(g, SPCC_OP_GEMM, 3, (int[]){xt, b3, c3}, "g3");
  spcc_node_set_int(g, n, "transA", 1);
  add_weight(&t, n, (spcc_encoding){.kind = SPCC_ENC_BSR, .block_r = 2, .block_c = 2});
  const int g3 = g->nodes[n].out[0];
  n = add_node(g, SPCC_OP_MATMUL, 2, (int[]){x, w4}, "m4");
  add_weight(&t, n, (spcc_encoding){.kind = SPCC_ENC_CSR, .index_bits = 32});
  const int m4 = g->nodes[n].out[0];
  n = add_node(g, SPCC_OP_RELU, 1, (int[]){x}, "rx");
  n = add_node(g, SPCC_OP_MATMUL, 2, (int[]){g->nodes[n].out[0], w4}, "m5");
  const int m5 = g->nodes[n].out[0];
  n = add_node(g, SPCC_OP_MATMUL, 2, (int[]){x, wz}, "mz");
  add_weight(&t, n, (spcc_encoding){.kind = SPCC_ENC_CSR});
  const int mz = g->nodes[n].out[0];
  n = add_node(g, SPCC_OP_MATMUL, 2, (int[]){x, wm}, "mm");
  add_weight(&t, n, (spcc_encoding){.kind = SPCC_ENC_CSR});
  const int mm = g->nodes[n].out[0];
  n = add_node(g, SPCC_OP_ADD, 2, (int[]){wm, y}, "rm"); /* a dense use too */
  const int rm = g->nodes[n].out[0];
  n = add_node(g, SPCC_OP_CONV, 3, (int[]){img, k1, kb1}, "conv1");
  spcc_node_set_int(g, n, "group", 2);
  spcc_node_set_ints(g, n, "pads", 4, (int64_t[]){1, 1, 1, 1});
  add_weight(&t, n, (spcc_encoding){.kind = SPCC_ENC_CSR});
  const int cv1 = g->nodes[n].out[0];
  n = add_node(g, SPCC_OP_CONV, 2, (int[]){cv1, k2}, "conv2");
  add_weight(&t, n, (spcc_encoding){.kind = SPCC_ENC_BSR, .block_r = 4, .block_c = 1});
  n = add_node(g, SPCC_OP_CONV, 2, (int[]){g->nodes[n].out[0], k3}, "dw");
  spcc_node_set_int(g, n, "group", 12);
  spcc_node_set_ints(g, n, "strides", 2, (int64_t[]){2, 2});
  add_weight(&t, n, (spcc_encoding){.kind = SPCC_ENC_NM, .nm_n = 1, .nm_m = 4, .axis = 1});
  const int dw = g->nodes[n].out[0];

  const int ins[] = {x, xt, img, y}, outs[] = {g1, m2, g3, m4, m5, mz, mm, rm, cv1, dw};
  g->inputs = spcc_arena_alloc(g->arena, sizeof ins);
  memcpy(g->inputs, ins, sizeof ins);
  g->n_inputs = (int)(sizeof ins / sizeof ins[0]);
  g->outputs = spcc_arena_alloc(g->arena, sizeof outs);
  memcpy(g->outputs, outs, sizeof outs);
  g->n_outputs = (int)(sizeof outs / sizeof outs[0]);

  spcc_options o = {0};
  spcc_diag d;
  spcc_diag_init(&d, stderr);
  assert_true(spcc_pass_shape_infer(g, &o, &d));
  /* shape-infer may fold and compact: find the weight nodes again by name. */
  for (int k = 0; k < t.n_weights; k++) {
    int found = -1;
    for (int i = 0; i < g->n_nodes; i++)
      if (strcmp(g->nodes[i].name, t.weight_name[k]) == 0) found = i;
    assert_true(found >= 0);
    t.weight_node[k] = found;
  }
  for (int k = 0; k < t.n_weights; k++) {
    const spcc_node *wn = &g->nodes[t.weight_node[k]];
    spcc_value *wv = &g->values[wn->in[1]];
    spcc_weight_view v;
    assert_true(spcc_weight_view_of(g, wn, 1, &v));
    prune(&r, g->consts[wv->const_id].data, &v, &t.enc[k],
          wv->name[0] == 'W' && wv->name[1] == 'z' ? PRUNE_ALL_ZERO : PRUNE_RANDOM, 0.4);
    if (sparse) wv->type.enc = t.enc[k];
  }
  assert_true(spcc_pass_plan_memory(g, &o, &d));
  return t;
}

static void write_model(const spcc_graph *g, const char *dir, const char *prefix) {
  char c_path[600], h_path[600], h_name[64];
  snprintf(c_path, sizeof c_path, "%s/%s.c", dir, prefix);
  snprintf(h_path, sizeof h_path, "%s/%s.h", dir, prefix);
  snprintf(h_name, sizeof h_name, "%s.h", prefix);
  FILE *c = fopen(c_path, "w"), *h = fopen(h_path, "w");
  assert_non_null(c);
  assert_non_null(h);
  spcc_diag d;
  spcc_diag_init(&d, stderr);
  assert_true(spcc_emit_c(g, prefix, h_name, c, h, &d));
  fclose(c);
  fclose(h);
}

static char *read_text(const char *path) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
  s[n] = 0;
  fclose(f);
  return s;
}

/* The graph emitted sparse (sp.c) and dense (dn.c), built into one program
 * with gcc and clang in strict C99 (and once with ASan/UBSan), which runs
 * both on the same inputs and compares every output. */
static void test_emit_sparse_vs_dense(void **state) {
  (void)state;
  char dir[512], cmd[8192], path[600];
  snprintf(dir, sizeof dir, "%s/sparse_emit", SPCC_TEST_TMPDIR);
  snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
  assert_int_equal(system(cmd), 0);
  test_graph sp = sparse_test_graph(true), dn = sparse_test_graph(false);
  write_model(sp.g, dir, "sp");
  write_model(dn.g, dir, "dn");

  /* No weight of the sparse model is written densely; each shows up packed. */
  snprintf(path, sizeof path, "%s/sp.c", dir);
  char *text = read_text(path);
  for (int k = 0; k < sp.n_weights; k++) {
    const int vid = sp.g->nodes[sp.weight_node[k]].in[1];
    char dense_name[64], packed_name[64];
    snprintf(dense_name, sizeof dense_name, " c%d_", vid);
    snprintf(packed_name, sizeof packed_name, "spcc_%s_f32 s%d_",
             spcc_encoding_kind_name(sp.enc[k].kind), vid);
    const bool mixed = strcmp(sp.g->values[vid].name, "Wmix") == 0; /* stored both ways */
    if (mixed) assert_non_null(strstr(text, dense_name));
    else assert_null(strstr(text, dense_name));
    assert_non_null(strstr(text, packed_name));
  }
  assert_non_null(strstr(text, "spcc_gemm_nm_f32("));
  assert_non_null(strstr(text, "spcc_gemm_bsr_f32("));
  assert_non_null(strstr(text, "spcc_conv_csr_f32("));
  assert_non_null(strstr(text, "spcc_conv_bsr_f32("));
  assert_non_null(strstr(text, "spcc_conv_nm_f32("));
  assert_non_null(strstr(text, ".col32 = "));
  free(text);

  snprintf(path, sizeof path, "%s/main.c", dir);
  FILE *m = fopen(path, "w");
  assert_non_null(m);
  fprintf(m, "#include <math.h>\n#include <stdio.h>\n#include \"sp.h\"\n#include \"dn.h\"\n"
             "static unsigned char a1[SP_ARENA_SIZE] __attribute__((aligned(64)));\n"
             "static unsigned char a2[DN_ARENA_SIZE] __attribute__((aligned(64)));\n");
  const spcc_graph *g = sp.g;
  for (int k = 0; k < g->n_inputs; k++) {
    const long long n = (long long)spcc_type_numel(&g->values[g->inputs[k]].type);
    fprintf(m, "static float in%d[%lld];\n", k, n);
  }
  for (int k = 0; k < g->n_outputs; k++) {
    const long long n = (long long)spcc_type_numel(&g->values[g->outputs[k]].type);
    fprintf(m, "static float os%d[%lld], od%d[%lld];\n", k, n, k, n);
  }
  fprintf(m, "int main(void) {\n  int bad = 0;\n");
  for (int k = 0; k < g->n_inputs; k++)
    fprintf(m, "  for (int i = 0; i < (int)(sizeof in%d / 4); i++)\n"
               "    in%d[i] = sinf(0.37f * i + %d);\n", k, k, k);
  fprintf(m, "  const void *const in[] = {");
  for (int k = 0; k < g->n_inputs; k++) fprintf(m, "%sin%d", k ? ", " : "", k);
  fprintf(m, "};\n  void *const os[] = {");
  for (int k = 0; k < g->n_outputs; k++) fprintf(m, "%sos%d", k ? ", " : "", k);
  fprintf(m, "};\n  void *const od[] = {");
  for (int k = 0; k < g->n_outputs; k++) fprintf(m, "%sod%d", k ? ", " : "", k);
  fprintf(m, "};\n  if (sp_run(a1, in, os) != 0 || dn_run(a2, in, od) != 0) return 2;\n");
  for (int k = 0; k < g->n_outputs; k++)
    fprintf(m,
            "  for (int i = 0; i < (int)(sizeof os%d / 4); i++)\n"
            "    if (!(fabsf(os%d[i] - od%d[i]) <= 1e-4f * (1 + fabsf(od%d[i])))) {\n"
            "      printf(\"output %d [%%d]: sparse %%g dense %%g\\n\", i, os%d[i], od%d[i]);\n"
            "      bad = 1;\n    }\n",
            k, k, k, k, k, k, k);
  fprintf(m, "  return bad;\n}\n");
  fclose(m);

  /* The runtime is built from its sources (-O0: the graph is tiny) with the
   * program's flags, so the sanitized build checks it too (and no
   * instrumented library meets an uninstrumented program). */
  const char *builds[][2] = {{"gcc", ""}, {"clang", ""},
                             {"gcc", "-fsanitize=address,undefined -fno-sanitize-recover=all"}};
  for (int i = 0; i < 3; i++) {
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null", builds[i][0]);
    if (system(cmd) != 0) continue; /* clang is optional on the machine */
    snprintf(cmd, sizeof cmd,
             "mkdir -p %s/rt%d && cd %s/rt%d && %s -std=c99 -O0 %s -I%s -c %s/../runtime/*.c && "
             "cd .. && %s -std=c99 -Wall -Wextra -pedantic -Werror -O1 %s -I%s -I%s -o prog%d "
             "main.c sp.c dn.c rt%d/*.o -lm && ./prog%d",
             dir, i, dir, i, builds[i][0], builds[i][1], SPCC_TEST_INCLUDEDIR,
             SPCC_TEST_INCLUDEDIR, builds[i][0], builds[i][1], dir, SPCC_TEST_INCLUDEDIR, i, i, i);
    assert_int_equal(system(cmd), 0);
  }
  spcc_graph_free(sp.g);
  spcc_graph_free(dn.g);
}

static void test_summary(void **state) {
  (void)state;
  print_message("sparse kernels: %d outputs compared with the dense kernels\n", n_compared);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_gemm_random),
      cmocka_unit_test(test_matmul_random),
      cmocka_unit_test(test_gemm_panels),
      cmocka_unit_test(test_conv_random),
      cmocka_unit_test(test_conv_shapes),
      cmocka_unit_test(test_emit_sparse_vs_dense),
      cmocka_unit_test(test_summary),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
