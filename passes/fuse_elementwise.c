/* fuse_elementwise.c - pass fuse-elementwise: merges chains of elementwise
 * nodes into one fused_elementwise node (ir/fused.h).
 *
 * Requires: shape-infer (static types), nodes in topological order.
 * Changes: a float elementwise node (Add, Sub, Mul, Div, Neg, Abs, Relu,
 * LeakyRelu, Sigmoid, Tanh, Exp, Log, Sqrt, Erf, Reciprocal, Clip with
 * constant bounds, HardSigmoid, HardSwish, Softplus) absorbs the fusable
 * producers of its inputs when the value between them has no other reader,
 * is not a graph output, and has the node's own output type. Inputs from
 * outside a group must index the output as a whole, as one element, or as
 * a repeated suffix (a bias along the last axes), one suffix size per
 * group. A group of two or more nodes becomes one node at the place of its
 * last member (all its outside inputs exist by then), computing the
 * members' program per element; the intermediate values disappear, so the
 * arena shrinks too. --no-fuse turns the pass off.
 *
 * Why: each separate elementwise kernel streams its whole tensor through
 * memory. Exported models spell activations out (Gelu as Div, Erf, Add,
 * Mul, Mul; HardSwish and SiLU as Mul/Add chains; bias + Relu after
 * MatMul), so on large activations they are memory-bound five times over.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ir/fused.h"
#include "passes.h"

/* The fused op and parameters of node n, or false when n cannot fuse. */
static bool fx_of(const spcc_graph *g, const spcc_node *n, spcc_fx_op *op, float *param) {
  static const struct {
    spcc_op op;
    spcc_fx_op fx;
  } simple[] = {
      {SPCC_OP_ADD, SPCC_FX_ADD},         {SPCC_OP_SUB, SPCC_FX_SUB},
      {SPCC_OP_MUL, SPCC_FX_MUL},         {SPCC_OP_DIV, SPCC_FX_DIV},
      {SPCC_OP_NEG, SPCC_FX_NEG},         {SPCC_OP_ABS, SPCC_FX_ABS},
      {SPCC_OP_RELU, SPCC_FX_RELU},       {SPCC_OP_SIGMOID, SPCC_FX_SIGMOID},
      {SPCC_OP_TANH, SPCC_FX_TANH},       {SPCC_OP_EXP, SPCC_FX_EXP},
      {SPCC_OP_LOG, SPCC_FX_LOG},         {SPCC_OP_SQRT, SPCC_FX_SQRT},
      {SPCC_OP_ERF, SPCC_FX_ERF},         {SPCC_OP_RECIPROCAL, SPCC_FX_RECIPROCAL},
      {SPCC_OP_HARD_SWISH, SPCC_FX_HARD_SWISH}, {SPCC_OP_SOFTPLUS, SPCC_FX_SOFTPLUS},
  };
  if (n->n_out != 1 || n->out[0] < 0) return false;
  const spcc_dtype dt = g->values[n->out[0]].type.dtype;
  if (dt != SPCC_DT_F32 && dt != SPCC_DT_F64) return false;
  param[0] = param[1] = 0;
  for (size_t k = 0; k < sizeof simple / sizeof *simple; k++)
    if (simple[k].op == n->op) {
      *op = simple[k].fx;
      return n->n_in == spcc_fx_arity(*op);
    }
  switch (n->op) {
  case SPCC_OP_LEAKY_RELU:
    *op = SPCC_FX_LEAKY_RELU;
    param[0] = spcc_attr_float(n, "alpha", 0.01f);
    return n->n_in == 1;
  case SPCC_OP_HARD_SIGMOID:
    *op = SPCC_FX_HARD_SIGMOID;
    param[0] = spcc_attr_float(n, "alpha", 0.2f);
    param[1] = spcc_attr_float(n, "beta", 0.5f);
    return n->n_in == 1;
  case SPCC_OP_CLIP: {
    /* Bounds: attributes before opset 11, optional constant inputs after.
     * A bound must be exact as a float (the program stores floats). */
    *op = SPCC_FX_CLIP;
    param[0] = -INFINITY;
    param[1] = INFINITY;
    if (n->opset < 11) {
      param[0] = spcc_attr_float(n, "min", -INFINITY);
      param[1] = spcc_attr_float(n, "max", INFINITY);
      return n->n_in == 1;
    }
    for (int k = 1; k < n->n_in && k < 3; k++) {
      if (n->in[k] < 0) continue;
      const void *data = spcc_value_data(g, n->in[k]);
      if (!data || g->values[n->in[k]].kind != SPCC_VAL_CONST) return false;
      double v = dt == SPCC_DT_F64 ? *(const double *)data : (double)*(const float *)data;
      if ((double)(float)v != v && v == v) return false;
      param[k - 1] = (float)v;
    }
    return n->n_in >= 1 && n->n_in <= 3;
  }
  default:
    return false;
  }
}

/* Whether input value v of a node with output type out can be read by a
 * fused loop over out; *suffix is merged with the group's suffix size. */
static bool input_fits(const spcc_graph *g, int v, const spcc_type *out, int64_t *suffix) {
  const spcc_type *t = &g->values[v].type;
  int64_t s;
  int mode = spcc_fx_input_mode(t, out, &s);
  if (t->dtype != out->dtype || mode < 0) return false;
  if (mode != SPCC_FX_SUFFIX) return true;
  if (*suffix && *suffix != s) return false;
  *suffix = s;
  return true;
}

typedef struct {
  int *group;    /* node -> index of its group's last node, or -1 */
  int *uses;     /* value -> number of node inputs reading it (+1 if an output) */
  int *producer; /* value -> node, or -1 */
} fusion;

/* The members of the group whose last node is root, in graph order. */
static int members(const spcc_graph *g, const fusion *f, int root, int *list) {
  int n = 0;
  for (int i = 0; i <= root; i++)
    if (f->group[i] == root) list[n++] = i;
  return n;
}

/* The data a value's program operand refers to: a step of the group, or
 * an outside input (added to ins when new). */
static int operand_of(const spcc_graph *g, const int *list, int n_members, int v, int *ins,
                      int *n_ins, int *step_of_node, const fusion *f) {
  (void)g;
  int p = f->producer[v];
  for (int m = 0; p >= 0 && m < n_members; m++)
    if (list[m] == p) return spcc_fx_step_ref(step_of_node[m]);
  for (int k = 0; k < *n_ins; k++)
    if (ins[k] == v) return k;
  ins[*n_ins] = v;
  return (*n_ins)++;
}

/* Rewrites the group ending at root into one fused node at root. */
static void rewrite(spcc_graph *g, const fusion *f, int root) {
  int list[SPCC_FX_MAX_STEPS], step_of_node[SPCC_FX_MAX_STEPS];
  int ins[4 * SPCC_FX_MAX_STEPS], n_ins = 0;
  int n = members(g, f, root, list);
  spcc_fx_program p = {.n_steps = n};
  for (int m = 0; m < n; m++) {
    const spcc_node *node = &g->nodes[list[m]];
    spcc_fx_step *st = &p.steps[m];
    step_of_node[m] = m;
    SPCC_ASSERT(fx_of(g, node, &st->op, st->param));
    for (int k = 0; k < spcc_fx_arity(st->op); k++)
      st->arg[k] = operand_of(g, list, n, node->in[k], ins, &n_ins, step_of_node, f);
  }
  const char *expr = spcc_fx_format(&p, g->arena);
  spcc_node *r = &g->nodes[root];
  int out = r->out[0];
  int idx = root;
  /* The root's slot takes the fused node (same place, same output). */
  r->op = SPCC_OP_FUSED_ELEMENTWISE;
  r->n_in = n_ins;
  r->in = spcc_arena_alloc(g->arena, sizeof(int) * (size_t)n_ins);
  memcpy(r->in, ins, sizeof(int) * (size_t)n_ins);
  r->n_out = 1;
  r->out[0] = out;
  r->n_attr = 0;
  r->attr = NULL;
  spcc_node_set_string(g, idx, "expr", expr);
  for (int m = 0; m < n - 1; m++) g->nodes[list[m]].dead = true;
}

bool spcc_pass_fuse_elementwise(spcc_graph *g, const spcc_options *o, spcc_diag *d) {
  (void)d;
  if (o && o->no_fuse) return true;
  fusion f;
  f.group = malloc(sizeof(int) * (size_t)(g->n_nodes + 1));
  f.uses = calloc((size_t)g->n_values + 1, sizeof(int));
  f.producer = spcc_graph_producers(g);
  int64_t *suffix = calloc((size_t)g->n_nodes + 1, sizeof *suffix);
  int *size = calloc((size_t)g->n_nodes + 1, sizeof *size);
  if (!f.group || !f.uses || !suffix || !size) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  for (int i = 0; i < g->n_nodes; i++)
    for (int k = 0; k < g->nodes[i].n_in; k++)
      if (g->nodes[i].in[k] >= 0) f.uses[g->nodes[i].in[k]]++;
  for (int i = 0; i < g->n_outputs; i++) f.uses[g->outputs[i]]++;

  for (int i = 0; i < g->n_nodes; i++) {
    spcc_node *n = &g->nodes[i];
    spcc_fx_op op;
    float param[2];
    f.group[i] = -1;
    if (n->dead || !fx_of(g, n, &op, param)) continue;
    const spcc_type *out = &g->values[n->out[0]].type;
    int64_t sfx = 0;
    bool fits = true;
    for (int k = 0; k < spcc_fx_arity(op); k++) fits = fits && input_fits(g, n->in[k], out, &sfx);
    if (!fits) continue;
    f.group[i] = i;
    suffix[i] = sfx;
    size[i] = 1;
    /* Absorb each input's group when it feeds only this node. */
    for (int k = 0; k < spcc_fx_arity(op); k++) {
      int v = n->in[k], p = f.producer[v];
      if (p < 0 || f.group[p] < 0 || f.uses[v] != 1) continue;
      int root = f.group[p];
      if (root == i || !spcc_type_equal(&g->values[v].type, out)) continue;
      if (suffix[root] && suffix[i] && suffix[root] != suffix[i]) continue;
      if (size[root] + size[i] > SPCC_FX_MAX_STEPS) continue;
      for (int j = 0; j <= root; j++)
        if (f.group[j] == root) f.group[j] = i;
      size[i] += size[root];
      if (suffix[root]) suffix[i] = suffix[root];
    }
  }
  bool any = false;
  for (int i = 0; i < g->n_nodes; i++)
    if (f.group[i] == i && size[i] > 1) {
      rewrite(g, &f, i);
      any = true;
    }
  free(size);
  free(suffix);
  free(f.producer);
  free(f.uses);
  free(f.group);
  if (any) spcc_graph_compact(g);
  return true;
}
