/* gemm_micro_f32.h - the float instance of gemm_micro.h, with the tile
 * height and vector path of the build's target (AVX-512: 12 rows of 16
 * lanes; AVX2+FMA: 6 rows of two 8-lane halves; portable C: 4 rows).
 * Shared by linear_gemm.c and conv.c so both tile the same way; leaves
 * GM_MR defined for the includer (undefine GM_T, GM_SFX, GM_MR, GM_VEC
 * after use). Internal to the runtime. */
#define GM_T float
#define GM_SFX f32
#if defined(__AVX512F__)
#define GM_MR 12
#define GM_VEC 2
#elif defined(__AVX2__) && defined(__FMA__)
#define GM_MR 6
#define GM_VEC 1
#else
#define GM_MR 4
#define GM_VEC 0
#endif
#include "gemm_micro.h"
