/* spcc_rt.h - the runtime API that generated code calls (libspcc_rt).
 *
 * C99, no malloc, no mutable global state: every kernel works only on the
 * pointers it is given. Parameter blocks are plain structs the generated code
 * defines as `static const`; the compiler fills the same structs to fold
 * constants, so both run the same arithmetic.
 */
#ifndef SPCC_RT_H
#define SPCC_RT_H

#include <stddef.h>
#include <stdint.h>

#define SPCC_RT_MAX_RANK 8

#include "rt/elementwise.h"
#include "rt/unary.h"
#include "rt/binary.h"
#include "rt/linear.h"
#include "rt/tensor.h"
#include "rt/conv.h"
#include "rt/sparse.h"
#include "rt/shape.h"
#include "rt/layout.h"
#include "rt/reduce.h"
#include "rt/conv2.h"
#include "rt/quant.h"
#include "rt/rnn.h"
#include "rt/fused.h"
#include "rt/einsum.h"
#include "rt/grid_sample.h"

#endif
