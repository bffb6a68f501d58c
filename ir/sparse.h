/* sparse.h - weights as sparse matrices: the view, statistics, packing.
 *
 * Every sparse weight is seen as a logical matrix of `rows` output channels
 * by `cols` reduction elements, whatever its tensor layout:
 *   MatMul  X[..,K] @ W[K,N]     rows = N, cols = K, transposed (W[k][n])
 *   Gemm    B[K,N] (transB = 0)   rows = N, cols = K, transposed
 *   Gemm    B[N,K] (transB = 1)   rows = N, cols = K
 *   Conv    W[Co, Ci/g, k1, ..]   rows = Co, cols = Ci/g * k1 * ..  (row-major)
 * N:M groups, blocks, CSR rows and the pruning rules all work on this view,
 * so one implementation serves every op and layout.
 *
 * Packed layouts (what the generated code stores, ir/sparse_pack.c):
 *   CSR  rowptr[rows + 1] (int32), col[nnz] (uint8/16/32 by index_bits,
 *        ascending within a row), val[nnz]
 *   BSR  rowptr[brows + 1] (int32, brows = ceil(rows / R)), col[nblocks]
 *        (block column, uint8/16/32), val[nblocks * R * C] (each block
 *        row-major: R output rows x C reduction elements; blocks on the
 *        edges are padded with zeros)
 *   NM   groups = ceil(cols / M) per row; val[rows * groups * N] (the kept
 *        values of each group, in ascending position order, zero-filled
 *        when a group has fewer than N nonzeros); idx: a little-endian bit
 *        stream, each row starting on a byte boundary, holding for every
 *        kept value its position in its group in index_bits = ceil(log2 M)
 *        bits (at least 1); plus 1 padding byte so a reader may always
 *        load two bytes.
 */
#ifndef SPCC_IR_SPARSE_H
#define SPCC_IR_SPARSE_H

#include "ir.h"

typedef struct {
  int64_t rows;     /* output channels */
  int64_t cols;     /* reduction elements */
  bool transposed;  /* element (r, c) is at data[c * rows + r]; else data[r * cols + c] */
} spcc_weight_view;

/* The weight view of input k of node n, when that input is a weight slot
 * (MatMul input 1 of rank 2, Gemm input 1, Conv input 1). False otherwise. */
bool spcc_weight_view_of(const spcc_graph *g, const spcc_node *n, int k, spcc_weight_view *v);
/* Offset of logical element (r, c) in the tensor's data. */
static inline int64_t spcc_weight_at(const spcc_weight_view *v, int64_t r, int64_t c) {
  return v->transposed ? c * v->rows + r : r * v->cols + c;
}

/* What the zeros of a weight look like (ir/sparse_stats.c). */
typedef struct {
  int64_t numel, nnz;
  double density;           /* nnz / numel (1 for an empty tensor) */
  int nm_n, nm_m;           /* the sparsest N:M (smallest N/M, then smallest M,
                               M in 2..16) every group satisfies; 0 if none below dense.
                               N/M counts padded groups (N * ceil(cols/M) / cols) and
                               M <= cols (ir/sparse_stats.c) */
  int block_r, block_c;     /* the candidate block shape with the best fill */
  double block_fill;        /* nnz / (nonzero blocks * R * C) for that shape */
} spcc_weight_stats;

void spcc_weight_stats_of(const float *data, const spcc_weight_view *v, spcc_weight_stats *s);
/* True when every group of m along the reduction has at most n nonzeros. */
bool spcc_weight_fits_nm(const float *data, const spcc_weight_view *v, int n, int m);
/* Nonzero blocks of r x c (edge blocks padded). */
int64_t spcc_weight_nonzero_blocks(const float *data, const spcc_weight_view *v, int r, int c);
/* The index width CSR/BSR use for `cols` columns: 8, 16 or 32. */
int spcc_index_bits_for(int64_t cols);
/* The N:M index width for groups of m: ceil(log2 m), at least 1. */
int spcc_nm_index_bits(int m);

/* A packed weight (ir/sparse_pack.c). */
typedef struct {
  spcc_encoding enc;
  int64_t rows, cols;
  int64_t nnz;        /* stored values: CSR nnz, BSR nblocks*R*C, NM rows*groups*N */
  int64_t n_ptr;      /* CSR/BSR: rowptr entries; 0 for NM */
  int64_t n_idx;      /* CSR/BSR: index entries; NM: bytes of the bit stream */
  int32_t *rowptr;    /* CSR/BSR */
  void *idx;          /* CSR/BSR: uint8/16/32 per index_bits; NM: bytes */
  float *val;
  int64_t bytes;      /* total storage: values + indices + row pointers */
} spcc_packed;

/* Packs data (f32, laid out per v) with encoding enc (index_bits decided
 * here when 0). NM requires that the data fit N:M (spcc_weight_fits_nm). */
bool spcc_pack_weight(const float *data, const spcc_weight_view *v, const spcc_encoding *enc,
                      spcc_packed *out);
void spcc_packed_free(spcc_packed *p);
/* The inverse, for tests: writes the logical values back per v. */
void spcc_unpack_weight(const spcc_packed *p, const spcc_weight_view *v, float *data);

#endif
