/* rt/tensor.h - data movement kernels: Reshape/Flatten (a copy), Transpose,
 * Concat.
 *
 * These kernels only move bytes, so they are type-generic: each parameter
 * block carries the element size and works for every dtype. Sizes are in
 * elements unless a field says bytes. Inputs and outputs of one call never
 * overlap.
 */
#ifndef SPCC_RT_TENSOR_H
#define SPCC_RT_TENSOR_H
#include <stddef.h>
#include <stdint.h>

#ifndef SPCC_RT_MAX_RANK
#define SPCC_RT_MAX_RANK 8
#endif

/* ---- Reshape / Flatten: the row-major data is unchanged, so a copy. ---- */
typedef struct {
  int64_t bytes;
} spcc_reshape_params;

void spcc_reshape(const spcc_reshape_params *p, const void *x, void *y);

/* ---- Transpose ------------------------------------------------------------
 * Walks the output in row-major order: output axis r has size dims[r] and
 * steps the input by in_strides[r] elements. The compiler has already
 * dropped size-1 axes and merged axes that stay adjacent, so rank is small
 * (>= 1). elem_size is the element size in bytes. */
typedef struct {
  int64_t elem_size;
  int64_t rank;
  int64_t dims[SPCC_RT_MAX_RANK];
  int64_t in_strides[SPCC_RT_MAX_RANK];
} spcc_transpose_params;

void spcc_transpose(const spcc_transpose_params *p, const void *x, void *y);

/* ---- Concat: one call per input ------------------------------------------
 * Copies one input, viewed as [outer, chunk] bytes, into the output viewed
 * as [outer, out_chunk] bytes, starting at byte offset within each row. */
typedef struct {
  int64_t outer;
  int64_t chunk;     /* bytes of this input per outer index */
  int64_t out_chunk; /* bytes of the output per outer index */
  int64_t offset;    /* bytes, where this input starts within a row */
} spcc_concat_params;

void spcc_concat(const spcc_concat_params *p, const void *x, void *y);

#endif
