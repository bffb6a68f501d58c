/* sparse_gemm.c - Gemm and MatMul with a sparse weight: Y = alpha * op(A)
 * W^T + beta * C for W packed as CSR or BSR (rt/sparse.h; N:M is in
 * sparse_gemm_nm.c).
 *
 * Output n of row i is a dot product of row i of op(A) with the nonzeros
 * of weight row n, gathering A at the stored columns. From 16 rows of A,
 * CSR goes through panels (sparse_panel.h): 16 rows x 128 columns of A
 * transposed into an 8 KB stack buffer, so each nonzero costs one
 * broadcast and one 16-wide multiply-add (measured at M = 128, 3072 x 768,
 * 10% density, -march=native: 0.18 -> 0.10 ns per nonzero and row; per
 * weight row, a cursor (2 KB for blocks of 512 rows) remembers where the
 * next panel's nonzeros start). Fewer rows go in register tiles - 8 or 4
 * rows per pass over the weights for CSR, up to 32 partial sums for BSR -
 * so each weight and index loaded feeds a whole tile; a single row (M = 1,
 * the usual inference case) keeps several independent partial sums
 * instead, so the adds do not wait on each other. With AVX-512 (BW, VL)
 * and rows of A contiguous, CSR takes 16 nonzeros at a time: their columns
 * widened once, one gather per row of A (measured 1.4-1.7x the scalar tile
 * at 10% density, M = 1). BSR sums lane by lane along the block columns,
 * which vectorizes. The index width and the common block shapes each get
 * their own unrolled loops; other shapes take a generic path. Scratch is
 * the stack (at most about 11 KB) and the caller's Y. alpha, beta and C
 * are applied afterwards in one pass, exactly as spcc_gemm_f32 does.
 */
#include "sparse_panel.h"

#define SP_PNB 512 /* weight rows per panel block: 2 KB of cursors */

#define SP_MR 8   /* most rows of X per tile */
#define SP_BACC 32 /* partial sums of a specialized BSR tile */

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
#include <immintrin.h>
#define SP_CSR_SIMD 1
/* 16 column indices (lanes of `live` only) as 32-bit lanes. */
static inline __m512i csr_cols16_u8(const uint8_t *c, __mmask16 live) {
  return _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(live, c));
}
static inline __m512i csr_cols16_u16(const uint16_t *c, __mmask16 live) {
  return _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(live, c));
}
static inline __m512i csr_cols16_u32(const uint32_t *c, __mmask16 live) {
  return _mm512_maskz_loadu_epi32(live, c);
}
#else
#define SP_CSR_SIMD 0
#endif

#define SP_BSR_SPECIALIZE 1
#define SP_IDX uint8_t
#define SP_SFX u8
#include "sparse_gemm_impl.h"
#undef SP_IDX
#undef SP_SFX

#define SP_IDX uint16_t
#define SP_SFX u16
#include "sparse_gemm_impl.h"
#undef SP_IDX
#undef SP_SFX

/* 32-bit indices mean a huge reduction: the generic block path suffices. */
#undef SP_BSR_SPECIALIZE
#define SP_BSR_SPECIALIZE 0
#define SP_IDX uint32_t
#define SP_SFX u32
#include "sparse_gemm_impl.h"
#undef SP_IDX
#undef SP_SFX

void spcc_gemm_csr_f32(const spcc_sparse_gemm_params *p, const float *a, const spcc_csr_f32 *w,
                       const float *c, float *y) {
  if (w->col8)
    csr_gemm_u8(p, a, w, w->col8, y);
  else if (w->col16)
    csr_gemm_u16(p, a, w, w->col16, y);
  else
    csr_gemm_u32(p, a, w, w->col32, y); /* NULL only when there is no nonzero */
  sp_gemm_epilogue(p, w->rows, c, y);
}

void spcc_gemm_bsr_f32(const spcc_sparse_gemm_params *p, const float *a, const spcc_bsr_f32 *w,
                       const float *c, float *y) {
  if (w->block_r < 1 || w->block_c < 1) return;
  if (w->col8)
    bsr_gemm_u8(p, a, w, w->col8, y);
  else if (w->col16)
    bsr_gemm_u16(p, a, w, w->col16, y);
  else
    bsr_gemm_u32(p, a, w, w->col32, y);
  sp_gemm_epilogue(p, w->rows, c, y);
}
