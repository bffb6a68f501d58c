/* sparse_view.c - which node inputs are weight slots, and how their tensors
 * map onto the logical rows x cols matrix of ir/sparse.h.
 *
 * Pruning, N:M groups, blocks, packing and the kernels all reason about one
 * shape, "output channels x reduction elements"; this file is the single
 * place that knows how MatMul, Gemm and Conv lay their weights out, so none
 * of the others has to. A slot is only a weight slot when its type is static
 * and has the rank the op's kernels expect; anything else (a 1-D MatMul
 * operand, Gemm's A, a bias) is not, and keeps dense storage.
 */
#include "sparse.h"

/* The type of input k when it is fully static, else NULL. */
static const spcc_type *static_type(const spcc_graph *g, const spcc_node *n, int k) {
  const spcc_type *t = spcc_in_type(g, n, k);
  return t && spcc_type_is_static(t) ? t : NULL;
}

bool spcc_weight_view_of(const spcc_graph *g, const spcc_node *n, int k, spcc_weight_view *v) {
  if (!g || !n || !v || k != 1 || n->dead) return false;
  const spcc_type *t = static_type(g, n, 1);
  if (!t || spcc_node_in(n, 0) < 0) return false;
  switch (n->op) {
  case SPCC_OP_MATMUL:
    /* X[.., K] @ W[K, N]: any batch of X against one 2-D W. */
    if (t->rank != 2) return false;
    v->rows = t->dims[1];
    v->cols = t->dims[0];
    v->transposed = true;
    return true;
  case SPCC_OP_GEMM:
    if (t->rank != 2) return false;
    if (spcc_attr_int(n, "transB", 0)) { /* B[N, K] */
      v->rows = t->dims[0];
      v->cols = t->dims[1];
      v->transposed = false;
    } else { /* B[K, N] */
      v->rows = t->dims[1];
      v->cols = t->dims[0];
      v->transposed = true;
    }
    return true;
  case SPCC_OP_CONV: {
    /* W[Co, Ci/group, k1, ..]: each output channel reduces over the rest. */
    if (t->rank < 3) return false;
    int64_t cols = 1;
    for (int i = 1; i < t->rank; i++) cols *= t->dims[i];
    v->rows = t->dims[0];
    v->cols = cols;
    v->transposed = false;
    return true;
  }
  default: return false;
  }
}
