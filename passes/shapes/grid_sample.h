/* grid_sample.h - GridSample's kernel parameters from its node, shared by
 * the shape rule (passes/shapes/grid_sample.c) and the C backend. */
#ifndef SPCC_SHAPES_GRID_SAMPLE_H
#define SPCC_SHAPES_GRID_SAMPLE_H

#include "ir/ir.h"
#include "spcc/spcc_rt.h"

/* Checks n (X [N,C,H,W], grid [N,Ho,Wo,2], one float type, the mode and
 * padding attributes) and fills p; reports through d and returns false. */
bool spcc_grid_sample_get(const spcc_graph *g, const spcc_node *n,
                          spcc_grid_sample_params *p, spcc_diag *d);

#endif
