/* sparse_emit.h - emission of Gemm, MatMul and Conv whose weight is a
 * sparse-encoded constant (backend/c/sparse.c). Internal to the C backend.
 *
 * The op emitters (linear.c, conv.c) ask spcc_emit_sparse_weight first and
 * hand the node over when it says yes; the core emitter (emit.c) asks
 * spcc_emit_const_needed before writing a constant's dense array, so a
 * weight that only sparse kernels read is stored once, packed.
 */
#ifndef SPCC_BACKEND_C_SPARSE_EMIT_H
#define SPCC_BACKEND_C_SPARSE_EMIT_H

#include "emit.h"
#include "spcc/spcc_rt.h"

/* True when input 1 of n is an f32 constant with a sparse encoding in a
 * weight slot of an f32 Gemm, MatMul or Conv: the node runs a sparse
 * kernel. */
bool spcc_emit_sparse_weight(const spcc_graph *g, const spcc_node *n);

/* False when constant vid needs no dense array in the generated code: it
 * has a sparse encoding, is no graph output, and every use is a sparse
 * weight (spcc_emit_sparse_weight). True otherwise. */
bool spcc_emit_const_needed(const spcc_graph *g, int vid);

/* Gemm with a sparse B; p is the dense kernel's parameter block (its m, k,
 * n, trans_a, alpha, beta and C strides carry over). */
bool spcc_emit_sparse_gemm(spcc_emitter *e, const spcc_node *n, const spcc_gemm_params *p,
                           spcc_diag *d);
/* MatMul X[..., M, K] @ W[K, N] with a sparse W. */
bool spcc_emit_sparse_matmul(spcc_emitter *e, const spcc_node *n, spcc_diag *d);
/* Conv with a sparse W; params is the symbol of the spcc_conv_params block
 * the dense emitter already wrote. */
bool spcc_emit_sparse_conv(spcc_emitter *e, const spcc_node *n, const char *params,
                           spcc_diag *d);

#endif
