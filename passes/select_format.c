/* select_format.c - pass select-format: the storage of every weight.
 *
 * Requires: static shapes; runs after sparsify, so the values are final.
 * Changes: type.enc of weight constants (passes/prune.h says what a weight
 * is: an f32 constant whose every use is a MatMul, Gemm or Conv weight slot
 * with one view); never a value. Constants in weight slots that are not
 * weights get dense.
 *
 * The choice looks only at the values (their statistics, ir/sparse.h) and
 * the shapes of the uses, never at how the zeros came to be, so a model
 * whose weights already hold zeros gets the same formats with no option as
 * the same weights pruned by spcc. Candidates: dense; nm<N:M> with the
 * sparsest pattern the data fits; bsr<RxC> with the block shape of best
 * fill (only the N:M patterns with specialized kernels: 1:2, 1:4, 2:4, 1:8,
 * 2:8, 4:8); csr. Cost model, in dense multiply-add units:
 *
 *   cost = P x work + bytes x 1.4
 *
 *   P      output positions each weight element is used at, summed over
 *          uses (batch x spatial; 1 when unknown)
 *   work   dense  1.0 per element
 *          nm     2.2 per kept value (position decode, gather)
 *          bsr    2.0 per stored block element + 10 per block (index,
 *                 loop overhead; so 4x1 blocks cost 4.5 per element)
 *          csr    5.3 per nonzero (index load, gather)
 *   bytes  the storage the emitter writes (spcc_pack_weight): with few
 *          output positions the products are bound by reading the weight,
 *          about 1.4 dense multiply-adds per byte
 *
 * A weight denser than 0.6 (or empty) stays dense whatever the costs say;
 * otherwise the cheapest candidate wins and ties go to the earlier one in
 * the order dense, nm, bsr, csr.
 *
 * --format F gives every weight F when F holds its values exactly: dense,
 * csr and bsr hold anything; nm only data that fits the N:M (--nm's, else
 * the detected one). A weight nm cannot hold keeps the cost model's choice,
 * with a note. --format never changes a value and never fails. --block and
 * --nm choose the shapes of a forced bsr or nm only.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "prune.h"

#define COST_DENSE_MAC 1.0
/* Measured on the kernels of a native runtime build (the default,
 * SPCC_RT_NATIVE; AVX2+FMA and AVX-512 x86), 3072x768 weights: per stored
 * value and row of activations, with 128 rows (the P x work term) dense
 * 0.020 ns per multiply-add, CSR 0.106, N:M 0.040 (2:4) to 0.050 (1:4),
 * BSR 4x1 about 0.09 per element; with one row (bytes dominate) dense
 * 0.13, CSR 0.28, N:M 0.15, BSR 0.16. In dense units at 128 rows that is
 * the work constants below; the one-row times, less the work, divided by
 * the bytes stored, give about 1.4 per byte for every format. A portable
 * build (-DSPCC_RT_NATIVE=OFF) runs N:M about 3x slower per kept value,
 * which this model does not know: force --format there if it matters. */
#define COST_NM_KEPT 2.2
#define COST_BSR_ELEM 2.0
#define COST_BSR_BLOCK 10.0
#define COST_CSR_NNZ 5.3
#define COST_BYTE 1.4
#define DENSE_ABOVE 0.6 /* density above which a weight stays dense */

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

static spcc_encoding enc_dense(void) {
  spcc_encoding e;
  memset(&e, 0, sizeof e);
  e.kind = SPCC_ENC_DENSE;
  return e;
}

static spcc_encoding enc_csr(const spcc_weight_view *v) {
  spcc_encoding e = enc_dense();
  e.kind = SPCC_ENC_CSR;
  e.index_bits = spcc_index_bits_for(v->cols);
  return e;
}

static spcc_encoding enc_bsr(const spcc_weight_view *v, int r, int c) {
  spcc_encoding e = enc_dense();
  e.kind = SPCC_ENC_BSR;
  e.block_r = r;
  e.block_c = c;
  e.index_bits = spcc_index_bits_for(ceil_div(v->cols, c)); /* block columns */
  return e;
}

static spcc_encoding enc_nm(const spcc_weight_view *v, int n, int m) {
  spcc_encoding e = enc_dense();
  e.kind = SPCC_ENC_NM;
  e.nm_n = n;
  e.nm_m = m;
  /* The reduction runs along axis 0 of a transposed view (MatMul W[K,N],
   * Gemm transB=0) and along axis 1 (and on) of a row-major one (Gemm
   * transB=1, Conv's Cin x k1 x ..). */
  e.axis = v->transposed ? 0 : 1;
  e.index_bits = spcc_nm_index_bits(m);
  return e;
}

/* Estimated cost of storing weight w (data) as e; INFINITY when e cannot
 * hold it (packing refuses). */
static double cost_of(const float *data, const spcc_weight_ref *w, const spcc_encoding *e) {
  double p = (double)w->positions;
  int64_t numel = w->view.rows * w->view.cols;
  if (e->kind == SPCC_ENC_DENSE) return p * (double)numel * COST_DENSE_MAC + numel * 4.0 * COST_BYTE;
  spcc_packed pk;
  memset(&pk, 0, sizeof pk);
  if (!spcc_pack_weight(data, &w->view, e, &pk)) return INFINITY;
  double work = 0;
  switch (e->kind) {
  case SPCC_ENC_NM: work = (double)pk.nnz * COST_NM_KEPT; break;
  case SPCC_ENC_BSR:
    work = (double)pk.nnz * COST_BSR_ELEM +
           (double)pk.nnz / ((double)e->block_r * e->block_c) * COST_BSR_BLOCK;
    break;
  default: work = (double)pk.nnz * COST_CSR_NNZ; break;
  }
  double cost = p * work + (double)pk.bytes * COST_BYTE;
  spcc_packed_free(&pk);
  return cost;
}

/* A lower bound of cost_of(e) from the stored count alone (work plus the
 * values' bytes), so candidates that cannot win are never packed: packing
 * a large weight is the expensive part of this pass. */
static double lower_bound(const spcc_weight_ref *w, const spcc_encoding *e, double stored) {
  double work = COST_CSR_NNZ;
  if (e->kind == SPCC_ENC_NM) work = COST_NM_KEPT;
  if (e->kind == SPCC_ENC_BSR) work = COST_BSR_ELEM + COST_BSR_BLOCK / ((double)e->block_r * e->block_c);
  return ((double)w->positions * work + 4.0 * COST_BYTE) * stored;
}

/* Replaces *best with e when e is strictly cheaper: ties keep the earlier
 * candidate. stored: the values e stores, or a slight underestimate. */
static void consider(const float *data, const spcc_weight_ref *w, spcc_encoding e, double stored,
                     spcc_encoding *best, double *best_cost) {
  if (lower_bound(w, &e, stored) >= *best_cost) return;
  double c = cost_of(data, w, &e);
  if (c < *best_cost) {
    *best = e;
    *best_cost = c;
  }
}

/* N:M patterns the kernels run on specialized paths (runtime/sparse_gemm_nm.c);
 * others take a generic path the costs above do not describe, so the cost
 * model leaves them to --format nm. */
static bool nm_fast(int n, int m) {
  return (m == 2 && n == 1) || (m == 4 && n <= 2) || (m == 8 && (n == 1 || n == 2 || n == 4));
}

/* The cost model's choice for one weight. */
static spcc_encoding choose_auto(const float *data, const spcc_weight_ref *w,
                                 const spcc_weight_stats *st) {
  spcc_encoding best = enc_dense();
  if (st->numel == 0 || st->density > DENSE_ABOVE) return best;
  double best_cost = cost_of(data, w, &best);
  const spcc_weight_view *v = &w->view;
  if (st->nm_n > 0 && nm_fast(st->nm_n, st->nm_m))
    consider(data, w, enc_nm(v, st->nm_n, st->nm_m),
             (double)(v->rows * ceil_div(v->cols, st->nm_m) * st->nm_n), &best, &best_cost);
  if (st->block_r > 0 && st->block_c > 0 && st->block_fill > 0)
    consider(data, w, enc_bsr(v, st->block_r, st->block_c),
             0.999 * (double)st->nnz / st->block_fill, &best, &best_cost);
  consider(data, w, enc_csr(v), (double)st->nnz, &best, &best_cost);
  return best;
}

/* "dense", "csr", "bsr<4x1>", "nm<2:4>" for notes. */
static const char *enc_str(const spcc_encoding *e, char *buf, size_t n) {
  switch (e->kind) {
  case SPCC_ENC_BSR: snprintf(buf, n, "bsr<%dx%d>", e->block_r, e->block_c); break;
  case SPCC_ENC_NM: snprintf(buf, n, "nm<%d:%d>", e->nm_n, e->nm_m); break;
  default: snprintf(buf, n, "%s", spcc_encoding_kind_name(e->kind)); break;
  }
  return buf;
}

/* --format F for one weight: F when it holds the values exactly, else the
 * cost model's choice and a note. */
static spcc_encoding choose_forced(const spcc_graph *g, const spcc_options *o, const float *data,
                                   const spcc_weight_ref *w, const spcc_weight_stats *st,
                                   spcc_diag *d) {
  const spcc_sparse_options *s = &o->sparse;
  switch (s->format) {
  case SPCC_FORMAT_DENSE: return enc_dense();
  case SPCC_FORMAT_CSR: return enc_csr(&w->view);
  case SPCC_FORMAT_BSR:
    if (s->block_r > 0 && s->block_c > 0) return enc_bsr(&w->view, s->block_r, s->block_c);
    if (st->block_r > 0 && st->block_c > 0) return enc_bsr(&w->view, st->block_r, st->block_c);
    return enc_bsr(&w->view, 1, 1); /* no nonzero block to fit a shape to */
  case SPCC_FORMAT_NM: {
    bool given = s->nm_n > 0 && s->nm_n < s->nm_m && s->nm_m <= 16;
    int n = given ? s->nm_n : st->nm_n, m = given ? s->nm_m : st->nm_m;
    if (n > 0 && spcc_weight_fits_nm(data, &w->view, n, m)) return enc_nm(&w->view, n, m);
    spcc_encoding e = choose_auto(data, w, st);
    char buf[64], pattern[32] = "an N:M";
    if (given) snprintf(pattern, sizeof pattern, "a %d:%d", n, m);
    spcc_note(d, g->source, w->node, "--format nm: weight '%s' keeps %s: its zeros do not form %s pattern",
              g->values[w->vid].name, enc_str(&e, buf, sizeof buf), pattern);
    return e;
  }
  default: return choose_auto(data, w, st);
  }
}

bool spcc_pass_select_format(spcc_graph *g, const spcc_options *o, spcc_diag *d) {
  spcc_weight_ref *w;
  int nw = spcc_find_weights(g, &w);
  for (int i = 0; i < nw; i++) {
    spcc_value *v = &g->values[w[i].vid];
    if (!w[i].usable) {
      v->type.enc = enc_dense();
      if (o->sparse.format != SPCC_FORMAT_AUTO && o->sparse.format != SPCC_FORMAT_DENSE)
        spcc_note(d, g->source, w[i].node, "--format: weight '%s' stays dense: %s", v->name,
                  w[i].why);
      continue;
    }
    const float *data = spcc_value_data(g, w[i].vid);
    spcc_weight_stats st;
    spcc_weight_stats_of(data, &w[i].view, &st);
    v->type.enc = o->sparse.format == SPCC_FORMAT_AUTO ? choose_auto(data, &w[i], &st)
                                                        : choose_forced(g, o, data, &w[i], &st, d);
  }
  free(w);
  return true;
}
