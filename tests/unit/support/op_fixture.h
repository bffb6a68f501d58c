/* op_fixture.h - a one-graph cmocka fixture for testing shape rules and
 * evaluators of single ops (test_rt_elementwise.c, test_rt_binary.c,
 * test_rt_unary.c): typed inputs, one node at a time, errors recorded in a
 * silent diagnostics sink. */
#ifndef SPCC_TEST_OP_FIXTURE_H
#define SPCC_TEST_OP_FIXTURE_H

#include "ir/ir.h"

typedef struct {
  spcc_graph *g;
  spcc_diag d; /* records messages, prints nothing */
} op_fixture;

/* cmocka setup/teardown: *state becomes a fresh op_fixture. */
int fx_setup(void **state);
int fx_teardown(void **state);

/* A value named "v<k>" of type t and kind kind. */
int fx_add_value(op_fixture *f, const spcc_type *t, spcc_value_kind kind);
/* A runtime input of the given dtype and shape. */
int fx_value(op_fixture *f, spcc_dtype dt, int rank, const int64_t *dims);
/* A node of op with one untyped output, at the given opset. */
spcc_node *fx_node(op_fixture *f, spcc_op op, int n_in, const int *in, int opset);
/* The type of a node's first output. */
const spcc_type *fx_out_type(op_fixture *f, const spcc_node *n);

#endif
