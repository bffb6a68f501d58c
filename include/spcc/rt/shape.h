/* rt/shape.h - shape and indexing kernels: strided copies (Slice, Split,
 * Expand, Tile, Squeeze, Unsqueeze, Dropout), Shape/Size values, Cast,
 * constant fills (ConstantOfShape, Dropout's mask) and the Gather family.
 *
 * Most of these ops only move bytes, so their kernels are type-generic (an
 * element size in bytes). The compiler describes Slice, Split, Expand and
 * Tile alike as a strided view of the input (spcc_view_params), already
 * simplified (size-1 axes dropped, adjacent axes merged), so one kernel
 * serves them all. Cast and fill are typed through SPCC_RT_DT_* codes, which
 * equal the compiler's spcc_dtype values.
 */
#ifndef SPCC_RT_SHAPE_H
#define SPCC_RT_SHAPE_H
#include <stddef.h>
#include <stdint.h>

#ifndef SPCC_RT_MAX_RANK
#define SPCC_RT_MAX_RANK 8
#endif

/* Element type codes (equal to spcc_dtype in the compiler). */
#define SPCC_RT_DT_F32 1
#define SPCC_RT_DT_F64 2
#define SPCC_RT_DT_I8 3
#define SPCC_RT_DT_I16 4
#define SPCC_RT_DT_I32 5
#define SPCC_RT_DT_I64 6
#define SPCC_RT_DT_U8 7
#define SPCC_RT_DT_U16 8
#define SPCC_RT_DT_U32 9
#define SPCC_RT_DT_U64 10
#define SPCC_RT_DT_BOOL 11

/* ---- strided view copy ------------------------------------------------------
 * y (contiguous, row-major over dims) gets x[offset + sum_r i_r * strides[r]]
 * (offset and strides in elements; strides may be 0 (broadcast) or negative
 * (reversed slices)). Tile needs two axes per input axis, hence 2x the rank.
 * rank >= 1; a zero in dims means an empty output. */
#define SPCC_RT_VIEW_RANK (2 * SPCC_RT_MAX_RANK)
typedef struct {
  int64_t elem_size; /* bytes */
  int64_t rank;
  int64_t offset;
  int64_t dims[SPCC_RT_VIEW_RANK];
  int64_t strides[SPCC_RT_VIEW_RANK];
} spcc_view_params;

void spcc_view_copy(const spcc_view_params *p, const void *x, void *y);

/* ---- Shape / Size: y[0..n) = values (int64) --------------------------------- */
typedef struct {
  int64_t n;
  int64_t values[SPCC_RT_MAX_RANK];
} spcc_shape_params;

void spcc_shape_values(const spcc_shape_params *p, int64_t *y);

/* ---- Cast ------------------------------------------------------------------
 * Converts numel elements of type `from` to type `to`. Defined for every
 * value: float -> integer truncates toward zero and saturates at the target's
 * range (NaN gives 0); integer -> narrower integer wraps (two's complement);
 * anything -> bool is (x != 0); bool -> anything is 0 or 1. */
typedef struct {
  int64_t numel;
  int64_t from, to; /* SPCC_RT_DT_* */
} spcc_cast_params;

void spcc_cast(const spcc_cast_params *p, const void *x, void *y);

/* ---- fill: numel elements of type dtype, all equal to the value ------------
 * Floating types take fvalue, every other type ivalue (bit pattern for u64,
 * 0/1 for bool). */
typedef struct {
  int64_t numel;
  int64_t dtype; /* SPCC_RT_DT_* */
  int64_t ivalue;
  double fvalue;
} spcc_fill_params;

void spcc_fill(const spcc_fill_params *p, void *y);

/* ---- Gather ---------------------------------------------------------------
 * x viewed as [outer, axis_dim, inner bytes]; for each outer index and each
 * of the n_idx indices (int32 or int64, idx_size bytes; negative ones count
 * from the end), copies one inner row to y ([outer, n_idx, inner]). An index
 * out of range yields zeros (the compiler cannot report it at run time). */
typedef struct {
  int64_t outer, axis_dim, inner; /* inner in bytes */
  int64_t n_idx;
  int64_t idx_size; /* 4 or 8 */
} spcc_gather_params;

void spcc_gather(const spcc_gather_params *p, const void *x, const void *idx, void *y);

/* ---- GatherElements ---------------------------------------------------------
 * y has the indices' shape (dims, rank >= 1); y[i] = x[i with i[axis]
 * replaced by idx[i]], x addressed by x_strides (elements). Out-of-range
 * indices yield zeros. */
typedef struct {
  int64_t elem_size, idx_size;
  int64_t rank, axis, axis_dim;
  int64_t dims[SPCC_RT_MAX_RANK];
  int64_t x_strides[SPCC_RT_MAX_RANK];
} spcc_gather_elements_params;

void spcc_gather_elements(const spcc_gather_elements_params *p, const void *x, const void *idx,
                          void *y);

/* ---- GatherND ---------------------------------------------------------------
 * batch blocks; in each, n_tuples index tuples of k entries select a slice of
 * slice_bytes from the batch's part of x (batch_bytes long), whose first k
 * axes are idx_dims with strides idx_strides (in slices). Out-of-range
 * tuples yield zeros. */
typedef struct {
  int64_t batch, n_tuples, k;
  int64_t idx_size;
  int64_t slice_bytes, batch_bytes;
  int64_t idx_dims[SPCC_RT_MAX_RANK];
  int64_t idx_strides[SPCC_RT_MAX_RANK];
} spcc_gather_nd_params;

void spcc_gather_nd(const spcc_gather_nd_params *p, const void *x, const void *idx, void *y);

#endif
