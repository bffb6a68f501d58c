/* rt/layout.h - data layout and construction kernels: Pad, Trilu, CumSum,
 * Scatter/ScatterElements/ScatterND, OneHot, TopK, Compress,
 * ReverseSequence, EyeLike, Range, NonZero, Resize/Upsample. (DepthToSpace
 * and SpaceToDepth are transposes and reuse spcc_transpose.)
 *
 * Kernels that only move bytes are type-generic (elem_size in bytes); the
 * ones that compute are per dtype (suffix f32, f64, i32, ...). Integer
 * arithmetic wraps (it is done in unsigned types). Sizes are in elements
 * unless a field says bytes. Inputs and outputs of one call never overlap.
 */
#ifndef SPCC_RT_LAYOUT_H
#define SPCC_RT_LAYOUT_H
#include <stddef.h>
#include <stdint.h>

#ifndef SPCC_RT_MAX_RANK
#define SPCC_RT_MAX_RANK 8
#endif

/* Element types of index-like inputs that kernels read themselves. */
enum {
  SPCC_LAYOUT_IDX_I64 = 0,
  SPCC_LAYOUT_IDX_I32 = 1,
  SPCC_LAYOUT_IDX_F32 = 2,
  SPCC_LAYOUT_IDX_F64 = 3
};

/* ---- Pad ------------------------------------------------------------------
 * out index o along axis r reads input index o - begin[r]; outside the
 * input, mode 0 (constant) writes *value (all-zero bytes when value is
 * NULL), mode 1 (reflect) mirrors without repeating the edge, mode 2 (edge)
 * clamps. Negative begin/end pads crop. */
typedef struct {
  int64_t elem_size;
  int64_t rank;   /* >= 1 */
  int64_t mode;   /* 0 constant, 1 reflect, 2 edge */
  int64_t in_dims[SPCC_RT_MAX_RANK];
  int64_t out_dims[SPCC_RT_MAX_RANK];
  int64_t begin[SPCC_RT_MAX_RANK];
} spcc_pad_params;

void spcc_pad(const spcc_pad_params *p, const void *x, const void *value, void *y);

/* ---- Trilu: keep j - i >= k (upper) or j - i <= k (lower), zero the rest.
 * k is read from *k when k is not NULL (it is a tensor input), else 0. */
typedef struct {
  int64_t elem_size;
  int64_t batch, rows, cols;
  int64_t upper;
} spcc_trilu_params;

void spcc_trilu(const spcc_trilu_params *p, const void *x, const int64_t *k, void *y);

/* ---- CumSum along one axis of a [outer, len, inner] view. */
typedef struct {
  int64_t outer, len, inner;
  int64_t exclusive, reverse;
} spcc_cumsum_params;

#define SPCC_LAYOUT_DECL_CUMSUM(S, T) \
  void spcc_cumsum_##S(const spcc_cumsum_params *p, const T *x, T *y);
SPCC_LAYOUT_DECL_CUMSUM(f32, float)
SPCC_LAYOUT_DECL_CUMSUM(f64, double)
SPCC_LAYOUT_DECL_CUMSUM(i32, int32_t)
SPCC_LAYOUT_DECL_CUMSUM(i64, int64_t)
SPCC_LAYOUT_DECL_CUMSUM(u32, uint32_t)
SPCC_LAYOUT_DECL_CUMSUM(u64, uint64_t)

/* ---- ScatterElements (and Scatter) / ScatterND ----------------------------
 * y = copy of data, then the updates are written (reduction 0), added (1)
 * or multiplied (2) in order. Negative indices count from the end; indices
 * out of range are skipped. idx_type is SPCC_LAYOUT_IDX_I64 or _I32.
 * ScatterElements: data dims d[], indices/updates dims u[] (same rank),
 * axis. ScatterND: data is [n_slots, slice], indices [n_upd, k] address
 * the first k axes (dims d[0..k-1]), updates [n_upd, slice]. */
typedef struct {
  int64_t rank, axis, reduction, idx_type;
  int64_t d[SPCC_RT_MAX_RANK];
  int64_t u[SPCC_RT_MAX_RANK];
} spcc_scatter_elements_params;

typedef struct {
  int64_t reduction, idx_type;
  int64_t k, n_upd, slice;
  int64_t d[SPCC_RT_MAX_RANK];
} spcc_scatter_nd_params;

#define SPCC_LAYOUT_DECL_SCATTER(S, T)                                                       \
  void spcc_scatter_elements_##S(const spcc_scatter_elements_params *p, const T *data,      \
                                 const void *indices, const T *updates, T *y);              \
  void spcc_scatter_nd_##S(const spcc_scatter_nd_params *p, const T *data,                  \
                           const void *indices, const T *updates, T *y);
SPCC_LAYOUT_DECL_SCATTER(f32, float)
SPCC_LAYOUT_DECL_SCATTER(f64, double)
SPCC_LAYOUT_DECL_SCATTER(i8, int8_t)
SPCC_LAYOUT_DECL_SCATTER(i16, int16_t)
SPCC_LAYOUT_DECL_SCATTER(i32, int32_t)
SPCC_LAYOUT_DECL_SCATTER(i64, int64_t)
SPCC_LAYOUT_DECL_SCATTER(u8, uint8_t)
SPCC_LAYOUT_DECL_SCATTER(u16, uint16_t)
SPCC_LAYOUT_DECL_SCATTER(u32, uint32_t)
SPCC_LAYOUT_DECL_SCATTER(u64, uint64_t)
SPCC_LAYOUT_DECL_SCATTER(bool, uint8_t)

/* ---- OneHot: output [outer, depth, inner]; indices [outer, inner] of
 * idx_type (negative ones count from depth; out of range gives all off).
 * values holds {off, on} of elem_size bytes each. */
typedef struct {
  int64_t elem_size, idx_type;
  int64_t outer, depth, inner;
} spcc_onehot_params;

void spcc_onehot(const spcc_onehot_params *p, const void *indices, const void *values,
                 void *y);

/* ---- TopK along the middle axis of [outer, len, inner]: k values and
 * their int64 indices, largest (or smallest) first; ties go to the lower
 * index. */
typedef struct {
  int64_t outer, len, inner, k, largest;
} spcc_topk_params;

#define SPCC_LAYOUT_DECL_TOPK(S, T) \
  void spcc_topk_##S(const spcc_topk_params *p, const T *x, T *values, int64_t *indices);
SPCC_LAYOUT_DECL_TOPK(f32, float)
SPCC_LAYOUT_DECL_TOPK(f64, double)
SPCC_LAYOUT_DECL_TOPK(i32, int32_t)
SPCC_LAYOUT_DECL_TOPK(i64, int64_t)

/* ---- Compress: keep the entries of the middle axis of [outer, len, inner]
 * whose condition byte is nonzero (the condition has cond_len entries;
 * missing ones count as false). */
typedef struct {
  int64_t elem_size, outer, len, inner, cond_len;
} spcc_compress_params;

void spcc_compress(const spcc_compress_params *p, const void *x, const uint8_t *cond, void *y);

/* ---- ReverseSequence: x viewed as [d0, d1, inner] where batch_axis and
 * time_axis are 0 and 1 in some order (time_first says which); the first
 * seq_lens[b] time steps of each batch entry are reversed. */
typedef struct {
  int64_t elem_size, d0, d1, inner, time_first, idx_type;
} spcc_reverse_sequence_params;

void spcc_reverse_sequence(const spcc_reverse_sequence_params *p, const void *x,
                           const void *seq_lens, void *y);

/* ---- EyeLike: [rows, cols] zeros with *one on diagonal k. */
typedef struct {
  int64_t elem_size, rows, cols, k;
} spcc_eyelike_params;

void spcc_eyelike(const spcc_eyelike_params *p, const void *one, void *y);

/* ---- Range: y[i] = start + i * delta for i < n (integers wrap). Usually
 * folded at compile time; this runs when the result is too large to fold. */
typedef struct {
  int64_t n;
} spcc_range_params;

#define SPCC_LAYOUT_DECL_RANGE(S, T) \
  void spcc_range_##S(const spcc_range_params *p, const T *start, const T *delta, T *y);
SPCC_LAYOUT_DECL_RANGE(f32, float)
SPCC_LAYOUT_DECL_RANGE(f64, double)
SPCC_LAYOUT_DECL_RANGE(i16, int16_t)
SPCC_LAYOUT_DECL_RANGE(i32, int32_t)
SPCC_LAYOUT_DECL_RANGE(i64, int64_t)

/* ---- NonZero of a constant input whose [rank, nnz] result is too large to
 * fold: coordinates of the elements that are not zero, row-major order.
 * kind: 0 compare bytes (integers, bool), 1 float, 2 double. */
typedef struct {
  int64_t elem_size, kind, rank, nnz;
  int64_t dims[SPCC_RT_MAX_RANK];
} spcc_nonzero_params;

void spcc_nonzero(const spcc_nonzero_params *p, const void *x, int64_t *y);

/* ---- Resize / Upsample ----------------------------------------------------
 * Each output coordinate is mapped back to the input per axis
 * (coord mode), then sampled: nearest (round mode), linear (2 taps) or
 * cubic (4 taps, coefficient a); taps outside the input are clamped, or
 * dropped and the weights renormalized when exclude_outside. For
 * tf_crop_and_resize, points outside the input give extrapolation. */
enum {
  SPCC_RESIZE_NEAREST = 0, SPCC_RESIZE_LINEAR = 1, SPCC_RESIZE_CUBIC = 2
};
enum {
  SPCC_RESIZE_HALF_PIXEL = 0, SPCC_RESIZE_PYTORCH_HALF_PIXEL = 1,
  SPCC_RESIZE_ALIGN_CORNERS = 2, SPCC_RESIZE_ASYMMETRIC = 3,
  SPCC_RESIZE_TF_HALF_PIXEL_FOR_NN = 4, SPCC_RESIZE_TF_CROP_AND_RESIZE = 5
};
enum {
  SPCC_RESIZE_ROUND_PREFER_FLOOR = 0, SPCC_RESIZE_ROUND_PREFER_CEIL = 1,
  SPCC_RESIZE_FLOOR = 2, SPCC_RESIZE_CEIL = 3
};

typedef struct {
  int64_t rank, mode, coord, nearest, exclude_outside;
  int64_t in_dims[SPCC_RT_MAX_RANK];
  int64_t out_dims[SPCC_RT_MAX_RANK];
  double scale[SPCC_RT_MAX_RANK];      /* output / input length */
  double roi_start[SPCC_RT_MAX_RANK];  /* tf_crop_and_resize only */
  double roi_end[SPCC_RT_MAX_RANK];
  double cubic_a, extrapolation;
} spcc_resize_params;

void spcc_resize_f32(const spcc_resize_params *p, const float *x, float *y);

#endif
