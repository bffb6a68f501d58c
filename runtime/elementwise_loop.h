/* elementwise_loop.h - the loop shape shared by the elementwise kernels.
 *
 * gcc at -O2 (how libspcc_rt is built) vectorizes only loops whose trip
 * count is a known multiple of the vector width. SPCC_EW_LOOP therefore runs
 * STMT in fixed blocks of SPCC_EW_BLOCK iterations, which gcc and clang turn
 * into vector code, followed by a scalar remainder. STMT sees the element
 * index as the int64_t `i` (the name given).
 */
#ifndef SPCC_RUNTIME_ELEMENTWISE_LOOP_H
#define SPCC_RUNTIME_ELEMENTWISE_LOOP_H

#include <stdint.h>

#define SPCC_EW_BLOCK 16

#define SPCC_EW_LOOP(n, i, STMT)                                        \
  do {                                                                  \
    const int64_t i##_n = (n);                                          \
    int64_t i##_b = 0;                                                  \
    for (; i##_b + SPCC_EW_BLOCK <= i##_n; i##_b += SPCC_EW_BLOCK) {    \
      int i##_j;                                                        \
      for (i##_j = 0; i##_j < SPCC_EW_BLOCK; i##_j++) {                 \
        const int64_t i = i##_b + i##_j;                                \
        STMT;                                                           \
      }                                                                 \
    }                                                                   \
    for (; i##_b < i##_n; i##_b++) {                                    \
      const int64_t i = i##_b;                                          \
      STMT;                                                             \
    }                                                                   \
  } while (0)

#endif
