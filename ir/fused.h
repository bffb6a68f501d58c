/* fused.h - the program of a fused_elementwise node.
 *
 * The fuse-elementwise pass (passes/fuse_elementwise.c) merges chains of
 * elementwise nodes into one node that computes, per output element, a
 * short straight-line program over its inputs. The program is the node's
 * STRING attribute `expr`, one step per elementwise op in evaluation order:
 *
 *     div(x0,x1);erf(t0);add(t1,x2);mul(x3,x4);mul(t3,t2)
 *
 * xK is input K of the node, tK the result of step K; the last step is the
 * output. Ops with parameters carry them in brackets, printed so that they
 * read back to the same float: leaky_relu[0.00999999978](x0),
 * clip[0,6](t1), hard_sigmoid[0.200000003,0.5](t0). Being text, the
 * program reads well in IR dumps and round-trips through the IR parser;
 * spcc_fx_parse checks everything (op names, arity, references to earlier
 * steps and existing inputs), since IR text comes from anywhere.
 *
 * The scalar semantics of every op are the runtime's (include/spcc/rt/fused.h).
 */
#ifndef SPCC_IR_FUSED_H
#define SPCC_IR_FUSED_H

#include <stdbool.h>
#include <stddef.h>

#include "ir.h"

#define SPCC_FX_MAX_STEPS 32

#define SPCC_FX_OPS(X)                                  \
  X(ADD, "add", 2, 0)                                   \
  X(SUB, "sub", 2, 0)                                   \
  X(MUL, "mul", 2, 0)                                   \
  X(DIV, "div", 2, 0)                                   \
  X(NEG, "neg", 1, 0)                                   \
  X(ABS, "abs", 1, 0)                                   \
  X(RELU, "relu", 1, 0)                                 \
  X(LEAKY_RELU, "leaky_relu", 1, 1)                     \
  X(SIGMOID, "sigmoid", 1, 0)                           \
  X(TANH, "tanh", 1, 0)                                 \
  X(EXP, "exp", 1, 0)                                   \
  X(LOG, "log", 1, 0)                                   \
  X(SQRT, "sqrt", 1, 0)                                 \
  X(ERF, "erf", 1, 0)                                   \
  X(RECIPROCAL, "reciprocal", 1, 0)                     \
  X(CLIP, "clip", 1, 2)                                 \
  X(HARD_SIGMOID, "hard_sigmoid", 1, 2)                 \
  X(HARD_SWISH, "hard_swish", 1, 0)                     \
  X(SOFTPLUS, "softplus", 1, 0)

typedef enum {
#define SPCC_FX_ENUM(E, name, arity, nparams) SPCC_FX_##E,
  SPCC_FX_OPS(SPCC_FX_ENUM)
#undef SPCC_FX_ENUM
  SPCC_FX_COUNT
} spcc_fx_op;

const char *spcc_fx_name(spcc_fx_op op);
int spcc_fx_arity(spcc_fx_op op);
int spcc_fx_nparams(spcc_fx_op op);

/* An operand: input k (k >= 0) or the result of step s (encoded -1 - s). */
typedef struct {
  spcc_fx_op op;
  int arg[2];
  float param[2];
} spcc_fx_step;

typedef struct {
  int n_steps;
  spcc_fx_step steps[SPCC_FX_MAX_STEPS];
} spcc_fx_program;

static inline int spcc_fx_step_ref(int s) { return -1 - s; }

/* How input `in` of a fused node indexes the output `out`: every element
 * (FULL, same shape), one value (SCALAR, one element), or the innermost
 * *suffix elements repeated (SUFFIX: in's shape, leading 1s dropped, is a
 * proper trailing part of out's). -1 for any other broadcast. */
enum { SPCC_FX_FULL, SPCC_FX_SCALAR, SPCC_FX_SUFFIX };
int spcc_fx_input_mode(const spcc_type *in, const spcc_type *out, int64_t *suffix);

/* Parses text for a node with n_inputs inputs; on error, a message in err
 * and false. Every input must be read by some step. */
bool spcc_fx_parse(const char *text, int n_inputs, spcc_fx_program *p, char *err, size_t n);

/* The text of p, in arena a. */
const char *spcc_fx_format(const spcc_fx_program *p, spcc_arena *a);

#endif
