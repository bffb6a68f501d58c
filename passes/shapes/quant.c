/* quant.c - shape rules of QuantizeLinear, DequantizeLinear,
 * DynamicQuantizeLinear, MatMulInteger, QLinearMatMul, ConvInteger and
 * QLinearConv, and their parameter blocks (quant_geom.h).
 *
 * Opsets: Quantize/DequantizeLinear 10 take per-tensor scales only; 13 add
 * per-axis scales (1-D, along attribute `axis`, default 1). The quantized
 * type is the zero point's (uint8 when it is omitted). The two-operand ops
 * take u8/i8 operands; the quantized outputs of QLinear* must have the
 * first operand's type (the kernels are instantiated that way). Scales and
 * zero points may be runtime inputs: only their shapes matter here.
 */
#include <string.h>

#include "conv_geom.h"
#include "passes/passes.h"
#include "quant_geom.h"

static bool is_q8(spcc_dtype dt) { return dt == SPCC_DT_U8 || dt == SPCC_DT_I8; }

static int64_t numel_of(const spcc_type *t) {
  int64_t k = 1;
  for (int i = 0; i < t->rank; i++) k *= t->dims[i];
  return k;
}

static bool bad_type(const spcc_graph *g, const spcc_node *n, spcc_dtype dt, spcc_diag *d) {
  spcc_node_error(d, g, n, "unsupported element type %s", spcc_dtype_name(dt));
  return false;
}

/* Input k must be present. */
static const spcc_type *need(const spcc_graph *g, const spcc_node *n, int k, const char *what,
                             spcc_diag *d) {
  const spcc_type *t = spcc_in_type(g, n, k);
  if (!t) spcc_node_error(d, g, n, "input '%s' is missing", what);
  return t;
}

/* A scale (f32) or zero point (dtype want; UNDEF = any 8-bit) with 1 or
 * `count` elements, rank <= 1. Absent is fine for a zero point. */
static bool check_q(const spcc_graph *g, const spcc_node *n, int k, const char *what,
                    spcc_dtype want, int64_t count, spcc_diag *d) {
  const spcc_type *t = spcc_in_type(g, n, k);
  if (!t) return true;
  if (want != SPCC_DT_UNDEF && t->dtype != want) {
    spcc_node_error(d, g, n, "unsupported: '%s' has element type %s, expected %s", what,
                    spcc_dtype_name(t->dtype), spcc_dtype_name(want));
    return false;
  }
  int64_t k_n = numel_of(t);
  if (t->rank > 1 || (k_n != 1 && k_n != count)) {
    spcc_node_error(d, g, n, "unsupported: '%s' must have 1 or %lld elements", what,
                    (long long)count);
    return false;
  }
  return true;
}

/* ---- QuantizeLinear, DequantizeLinear ------------------------------------------- */

bool spcc_quant_layout(const spcc_graph *g, const spcc_node *n, spcc_quant_params *p,
                       spcc_diag *d) {
  const spcc_type *x = need(g, n, 0, "x", d), *s = need(g, n, 1, "scale", d);
  if (!x || !s) return false;
  const spcc_type *z = spcc_in_type(g, n, 2);
  int64_t total = numel_of(x), cnt = numel_of(s);
  memset(p, 0, sizeof *p);
  p->outer = total;
  p->channels = 1;
  p->inner = 1;
  if (s->rank == 0 || (s->rank == 1 && cnt == 1)) {
    if (z && numel_of(z) != 1) {
      spcc_node_error(d, g, n, "shape mismatch: zero point and scale differ in size");
      return false;
    }
    return true;
  }
  if (s->rank != 1) {
    spcc_node_error(d, g, n, "unsupported: scale must be a scalar or 1-D");
    return false;
  }
  int64_t axis = spcc_attr_int(n, "axis", 1);
  if (axis < 0) axis += x->rank;
  if (axis < 0 || axis >= x->rank || x->dims[axis] != cnt) {
    spcc_node_error(d, g, n, "shape mismatch: scale has %lld elements, x axis %lld",
                    (long long)cnt, (long long)axis);
    return false;
  }
  if (z && (z->rank != 1 || z->dims[0] != cnt)) {
    spcc_node_error(d, g, n, "shape mismatch: zero point and scale differ in size");
    return false;
  }
  p->outer = 1;
  for (int i = 0; i < axis; i++) p->outer *= x->dims[i];
  p->channels = cnt;
  for (int i = (int)axis + 1; i < x->rank; i++) p->inner *= x->dims[i];
  return true;
}

bool spcc_shape_quantize_linear(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need(g, n, 0, "x", d), *s = need(g, n, 1, "y_scale", d);
  if (!x || !s) return false;
  const spcc_type *z = spcc_in_type(g, n, 2);
  if (x->dtype != SPCC_DT_F32 && x->dtype != SPCC_DT_I32) return bad_type(g, n, x->dtype, d);
  if (s->dtype != SPCC_DT_F32) return bad_type(g, n, s->dtype, d);
  spcc_dtype yt = z ? z->dtype : SPCC_DT_U8;
  if (!is_q8(yt)) return bad_type(g, n, yt, d);
  spcc_quant_params p;
  if (!spcc_quant_layout(g, n, &p, d)) return false;
  spcc_set_output(g, n, 0, yt, x->rank, x->dims);
  return true;
}

bool spcc_shape_dequantize_linear(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need(g, n, 0, "x", d), *s = need(g, n, 1, "x_scale", d);
  if (!x || !s) return false;
  const spcc_type *z = spcc_in_type(g, n, 2);
  if (!is_q8(x->dtype) && x->dtype != SPCC_DT_I32) return bad_type(g, n, x->dtype, d);
  if (s->dtype != SPCC_DT_F32) return bad_type(g, n, s->dtype, d);
  if (z && z->dtype != x->dtype) {
    spcc_node_error(d, g, n, "element types of x and x_zero_point differ");
    return false;
  }
  spcc_quant_params p;
  if (!spcc_quant_layout(g, n, &p, d)) return false;
  spcc_set_output(g, n, 0, SPCC_DT_F32, x->rank, x->dims);
  return true;
}

bool spcc_shape_dynamic_quantize_linear(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need(g, n, 0, "x", d);
  if (!x) return false;
  if (x->dtype != SPCC_DT_F32) return bad_type(g, n, x->dtype, d);
  if (n->n_out < 3) {
    spcc_node_error(d, g, n, "expected 3 outputs");
    return false;
  }
  spcc_set_output(g, n, 0, SPCC_DT_U8, x->rank, x->dims);
  int64_t none[1] = {1};
  if (n->out[1] >= 0) spcc_set_output(g, n, 1, SPCC_DT_F32, 0, none);
  if (n->out[2] >= 0) spcc_set_output(g, n, 2, SPCC_DT_U8, 0, none);
  return true;
}

/* ---- MatMulInteger, QLinearMatMul ------------------------------------------------ */

bool spcc_qmatmul_get(const spcc_graph *g, const spcc_node *n, spcc_qmatmul_params *p,
                      int64_t *dims, int *rank, spcc_diag *d) {
  bool ql = n->op == SPCC_OP_QLINEAR_MATMUL;
  int ib = ql ? 3 : 1;
  const spcc_type *a = need(g, n, 0, "A", d), *b = need(g, n, ib, "B", d);
  if (!a || !b) return false;
  if (a->rank < 1 || b->rank < 1) {
    spcc_node_error(d, g, n, "matmul operands must have rank >= 1");
    return false;
  }
  /* Promote 1-D operands to matrices, as numpy does. */
  int64_t ad[SPCC_MAX_RANK + 1], bd[SPCC_MAX_RANK + 1];
  int ar = a->rank, br = b->rank;
  if (ar == 1) { ad[0] = 1; ad[1] = a->dims[0]; ar = 2; }
  else memcpy(ad, a->dims, sizeof(int64_t) * (size_t)ar);
  if (br == 1) { bd[0] = b->dims[0]; bd[1] = 1; br = 2; }
  else memcpy(bd, b->dims, sizeof(int64_t) * (size_t)br);
  memset(p, 0, sizeof *p);
  p->m = ad[ar - 2];
  p->k = ad[ar - 1];
  p->n = bd[br - 1];
  if (bd[br - 2] != p->k) {
    spcc_node_error(d, g, n, "shape mismatch: A has %lld columns, B has %lld rows",
                    (long long)p->k, (long long)bd[br - 2]);
    return false;
  }
  int nb = (ar > br ? ar : br) - 2;
  p->batch_rank = nb;
  int64_t as = p->m * p->k, bs = p->k * p->n;
  for (int i = nb - 1; i >= 0; i--) {
    int ia = i - (nb - (ar - 2)), ibb = i - (nb - (br - 2));
    int64_t da = ia >= 0 ? ad[ia] : 1, db = ibb >= 0 ? bd[ibb] : 1;
    if (da != db && da != 1 && db != 1) {
      spcc_node_error(d, g, n, "shape mismatch: batch dims %lld and %lld do not broadcast",
                      (long long)da, (long long)db);
      return false;
    }
    p->out_batch[i] = da > db ? da : db;
    p->a_batch_stride[i] = da == 1 ? 0 : as;
    p->b_batch_stride[i] = db == 1 ? 0 : bs;
    as *= da;
    bs *= db;
  }
  int r = 0;
  for (int i = 0; i < nb; i++) dims[r++] = p->out_batch[i];
  if (a->rank > 1) dims[r++] = p->m;
  if (b->rank > 1) dims[r++] = p->n;
  *rank = r;
  const spcc_type *az = spcc_in_type(g, n, 2), *bz = spcc_in_type(g, n, ql ? 5 : 3);
  p->a_zp_count = az ? numel_of(az) : 1;
  p->b_zp_count = bz ? numel_of(bz) : 1;
  const spcc_type *bsc = ql ? spcc_in_type(g, n, 4) : NULL;
  p->b_scale_count = bsc ? numel_of(bsc) : 1;
  if (p->a_zp_count != 1 && p->a_zp_count != p->m) {
    spcc_node_error(d, g, n, "unsupported: a_zero_point must have 1 or %lld elements",
                    (long long)p->m);
    return false;
  }
  if ((p->b_zp_count != 1 && p->b_zp_count != p->n) ||
      (p->b_scale_count != 1 && p->b_scale_count != p->n)) {
    spcc_node_error(d, g, n, "unsupported: b's scale and zero point must have 1 or %lld elements",
                    (long long)p->n);
    return false;
  }
  return true;
}

bool spcc_shape_matmul_integer(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *a = need(g, n, 0, "A", d), *b = need(g, n, 1, "B", d);
  if (!a || !b) return false;
  if (!is_q8(a->dtype)) return bad_type(g, n, a->dtype, d);
  if (!is_q8(b->dtype)) return bad_type(g, n, b->dtype, d);
  if (!check_q(g, n, 2, "a_zero_point", a->dtype, a->rank > 1 ? a->dims[a->rank - 2] : 1, d) ||
      !check_q(g, n, 3, "b_zero_point", b->dtype, b->dims[b->rank - 1], d))
    return false;
  spcc_qmatmul_params p;
  int64_t dims[SPCC_MAX_RANK + 1];
  int rank;
  if (!spcc_qmatmul_get(g, n, &p, dims, &rank, d)) return false;
  spcc_set_output(g, n, 0, SPCC_DT_I32, rank, dims);
  return true;
}

bool spcc_shape_qlinear_matmul(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *a = need(g, n, 0, "a", d), *b = need(g, n, 3, "b", d);
  if (!a || !b || !need(g, n, 1, "a_scale", d) || !need(g, n, 4, "b_scale", d) ||
      !need(g, n, 6, "y_scale", d))
    return false;
  if (!is_q8(a->dtype)) return bad_type(g, n, a->dtype, d);
  if (!is_q8(b->dtype)) return bad_type(g, n, b->dtype, d);
  const spcc_type *yz = spcc_in_type(g, n, 7);
  if (yz && yz->dtype != a->dtype) {
    spcc_node_error(d, g, n, "unsupported: output type %s differs from a's type %s",
                    spcc_dtype_name(yz->dtype), spcc_dtype_name(a->dtype));
    return false;
  }
  int64_t nn = b->dims[b->rank - 1];
  if (!check_q(g, n, 1, "a_scale", SPCC_DT_F32, 1, d) ||
      !check_q(g, n, 2, "a_zero_point", a->dtype, a->rank > 1 ? a->dims[a->rank - 2] : 1, d) ||
      !check_q(g, n, 4, "b_scale", SPCC_DT_F32, nn, d) ||
      !check_q(g, n, 5, "b_zero_point", b->dtype, nn, d) ||
      !check_q(g, n, 6, "y_scale", SPCC_DT_F32, 1, d) ||
      !check_q(g, n, 7, "y_zero_point", a->dtype, 1, d))
    return false;
  spcc_qmatmul_params p;
  int64_t dims[SPCC_MAX_RANK + 1];
  int rank;
  if (!spcc_qmatmul_get(g, n, &p, dims, &rank, d)) return false;
  spcc_set_output(g, n, 0, a->dtype, rank, dims);
  return true;
}

/* ---- ConvInteger, QLinearConv ------------------------------------------------------ */

bool spcc_qconv_get(const spcc_graph *g, const spcc_node *n, spcc_qconv_params *q,
                    spcc_diag *d) {
  bool ql = n->op == SPCC_OP_QLINEAR_CONV;
  const spcc_type *x = need(g, n, 0, "x", d), *w = need(g, n, ql ? 3 : 1, "w", d);
  if (!x || !w) return false;
  if (x->rank < 3 || w->rank != x->rank) {
    spcc_node_error(d, g, n, "x and w must have the same rank >= 3 (got %d and %d)", x->rank,
                    w->rank);
    return false;
  }
  int64_t group = spcc_attr_int(n, "group", 1), C = x->dims[1], M = w->dims[0];
  if (group < 1 || C % group != 0 || M % group != 0 || w->dims[1] != C / group) {
    spcc_node_error(d, g, n, "shape mismatch: x has %lld channels, w is [%lld, %lld, ...], group %lld",
                    (long long)C, (long long)M, (long long)w->dims[1], (long long)group);
    return false;
  }
  spcc_window_geom geo;
  if (!spcc_window_geom_get(g, n, x, w->dims + 2, false, &geo, d)) return false;
  memset(q, 0, sizeof *q);
  spcc_conv_params *p = &q->conv;
  p->batch = x->dims[0];
  p->in_channels = C;
  p->out_channels = M;
  p->group = group;
  p->spatial = geo.spatial;
  for (int i = 0; i < geo.spatial; i++) {
    p->in_dims[i] = geo.in[i];
    p->out_dims[i] = geo.out[i];
    p->kernel[i] = geo.kernel[i];
    p->strides[i] = geo.strides[i];
    p->dilations[i] = geo.dilations[i];
    p->pads[i] = geo.pads[i];
  }
  const spcc_type *wz = spcc_in_type(g, n, ql ? 5 : 3);
  const spcc_type *ws = ql ? spcc_in_type(g, n, 4) : NULL;
  q->w_zp_count = wz ? numel_of(wz) : 1;
  q->w_scale_count = ws ? numel_of(ws) : 1;
  return true;
}

bool spcc_shape_conv_integer(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need(g, n, 0, "x", d), *w = need(g, n, 1, "w", d);
  if (!x || !w) return false;
  if (!is_q8(x->dtype)) return bad_type(g, n, x->dtype, d);
  if (!is_q8(w->dtype)) return bad_type(g, n, w->dtype, d);
  if (!check_q(g, n, 2, "x_zero_point", x->dtype, 1, d) ||
      !check_q(g, n, 3, "w_zero_point", w->dtype, w->rank ? w->dims[0] : 1, d))
    return false;
  spcc_qconv_params q;
  if (!spcc_qconv_get(g, n, &q, d)) return false;
  int64_t dims[SPCC_MAX_RANK] = {q.conv.batch, q.conv.out_channels};
  memcpy(dims + 2, q.conv.out_dims, sizeof(int64_t) * (size_t)q.conv.spatial);
  spcc_set_output(g, n, 0, SPCC_DT_I32, x->rank, dims);
  return true;
}

bool spcc_shape_qlinear_conv(spcc_graph *g, spcc_node *n, spcc_diag *d) {
  const spcc_type *x = need(g, n, 0, "x", d), *w = need(g, n, 3, "w", d);
  if (!x || !w || !need(g, n, 1, "x_scale", d) || !need(g, n, 4, "w_scale", d) ||
      !need(g, n, 6, "y_scale", d))
    return false;
  if (!is_q8(x->dtype)) return bad_type(g, n, x->dtype, d);
  if (!is_q8(w->dtype)) return bad_type(g, n, w->dtype, d);
  const spcc_type *yz = spcc_in_type(g, n, 7), *b = spcc_in_type(g, n, 8);
  if (yz && yz->dtype != x->dtype) {
    spcc_node_error(d, g, n, "unsupported: output type %s differs from x's type %s",
                    spcc_dtype_name(yz->dtype), spcc_dtype_name(x->dtype));
    return false;
  }
  int64_t M = w->rank ? w->dims[0] : 1;
  if (!check_q(g, n, 1, "x_scale", SPCC_DT_F32, 1, d) ||
      !check_q(g, n, 2, "x_zero_point", x->dtype, 1, d) ||
      !check_q(g, n, 4, "w_scale", SPCC_DT_F32, M, d) ||
      !check_q(g, n, 5, "w_zero_point", w->dtype, M, d) ||
      !check_q(g, n, 6, "y_scale", SPCC_DT_F32, 1, d) ||
      !check_q(g, n, 7, "y_zero_point", x->dtype, 1, d))
    return false;
  if (b && (b->dtype != SPCC_DT_I32 || b->rank != 1 || b->dims[0] != M)) {
    spcc_node_error(d, g, n, "B must be int32 [%lld]", (long long)M);
    return false;
  }
  spcc_qconv_params q;
  if (!spcc_qconv_get(g, n, &q, d)) return false;
  int64_t dims[SPCC_MAX_RANK] = {q.conv.batch, q.conv.out_channels};
  memcpy(dims + 2, q.conv.out_dims, sizeof(int64_t) * (size_t)q.conv.spatial);
  spcc_set_output(g, n, 0, x->dtype, x->rank, dims);
  return true;
}
