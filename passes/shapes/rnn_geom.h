/* rnn_geom.h - the parameter block of RNN, GRU and LSTM, computed once for
 * both the shape rules (passes/shapes/rnn.c) and the emitters
 * (backend/c/rnn.c). Internal to spcc_core. */
#ifndef SPCC_PASSES_SHAPES_RNN_GEOM_H
#define SPCC_PASSES_SHAPES_RNN_GEOM_H

#include "spcc/spcc.h"
#include "spcc/spcc_rt.h"

/* Validates recurrent node n (gates = 1 RNN, 3 GRU, 4 LSTM) and fills p. */
bool spcc_rnn_get(const spcc_graph *g, const spcc_node *n, int gates, spcc_rnn_params *p,
                  spcc_diag *d);

#endif
