/* quant_geom.h - parameter blocks of the quantization ops, computed once
 * for both the shape rules (passes/shapes/quant.c) and the emitters
 * (backend/c/quant.c). Internal to spcc_core. */
#ifndef SPCC_PASSES_SHAPES_QUANT_GEOM_H
#define SPCC_PASSES_SHAPES_QUANT_GEOM_H

#include "spcc/spcc.h"
#include "spcc/spcc_rt.h"

/* QuantizeLinear / DequantizeLinear node n: layout of x against its scale
 * (input 1) and zero point (input 2), per tensor or per axis. */
bool spcc_quant_layout(const spcc_graph *g, const spcc_node *n, spcc_quant_params *p,
                       spcc_diag *d);

/* MatMulInteger (a = 0, b = 1, zero points 2, 3) or QLinearMatMul (a = 0,
 * b = 3, zero points 2, 5, b_scale 4): parameters and output shape. */
bool spcc_qmatmul_get(const spcc_graph *g, const spcc_node *n, spcc_qmatmul_params *p,
                      int64_t *dims, int *rank, spcc_diag *d);

/* ConvInteger (x = 0, w = 1, w_zp 3) or QLinearConv (x = 0, w = 3, w_scale 4,
 * w_zp 5): parameters (output extents in p->conv.out_dims). */
bool spcc_qconv_get(const spcc_graph *g, const spcc_node *n, spcc_qconv_params *p,
                    spcc_diag *d);

#endif
