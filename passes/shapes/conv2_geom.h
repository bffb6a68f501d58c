/* conv2_geom.h - geometry of ConvTranspose and MaxUnpool, shared by their
 * shape rules (passes/shapes/conv2.c) and emitters (backend/c/conv2.c) so
 * the output extents and pads come from one computation. Internal to
 * spcc_core. */
#ifndef SPCC_PASSES_SHAPES_CONV2_GEOM_H
#define SPCC_PASSES_SHAPES_CONV2_GEOM_H

#include "spcc/spcc.h"
#include "spcc/spcc_rt.h"

/* Fills p from node n (ConvTranspose; inputs X and W static, rank >= 3,
 * checked here). Reports bad attributes and impossible shapes through d. */
bool spcc_conv_transpose_get(const spcc_graph *g, const spcc_node *n,
                             spcc_conv_transpose_params *p, spcc_diag *d);

/* The norm order p of LpPool / GlobalLpPool node n. */
bool spcc_lp_pool_order(const spcc_graph *g, const spcc_node *n, double *lp, spcc_diag *d);

/* Output shape of MaxUnpool node n into dims (rank of X in *rank), and the
 * natural unpooled shape the indices refer to into natural. */
bool spcc_max_unpool_shape(const spcc_graph *g, const spcc_node *n, int64_t *dims,
                           int64_t *natural, int *rank, spcc_diag *d);

#endif
