/* op_fixture.c - see op_fixture.h. */
#include "op_fixture.h"

#include <stdio.h>

int fx_setup(void **state) {
  static op_fixture f;
  f.g = spcc_graph_new("t", "t.onnx");
  spcc_diag_init(&f.d, NULL);
  *state = &f;
  return 0;
}

int fx_teardown(void **state) {
  op_fixture *f = *state;
  spcc_graph_free(f->g);
  return 0;
}

int fx_add_value(op_fixture *f, const spcc_type *t, spcc_value_kind kind) {
  char name[32];
  snprintf(name, sizeof name, "v%d", f->g->n_values);
  return spcc_graph_add_value(f->g, name, t, kind);
}

int fx_value(op_fixture *f, spcc_dtype dt, int rank, const int64_t *dims) {
  spcc_type t = spcc_type_make(dt, rank, dims);
  return fx_add_value(f, &t, SPCC_VAL_INPUT);
}

spcc_node *fx_node(op_fixture *f, spcc_op op, int n_in, const int *in, int opset) {
  spcc_type t = spcc_type_make(SPCC_DT_UNDEF, -1, NULL);
  int y = fx_add_value(f, &t, SPCC_VAL_TEMP);
  int idx = spcc_graph_add_node(f->g, op, n_in, in, 1, &y);
  f->g->nodes[idx].opset = opset;
  return &f->g->nodes[idx];
}

const spcc_type *fx_out_type(op_fixture *f, const spcc_node *n) {
  return &f->g->values[n->out[0]].type;
}
