/* fused.c - parsing and printing the program of a fused_elementwise node
 * (ir/fused.h). */
#include "fused.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
  const char *name;
  int arity, nparams;
} ops[SPCC_FX_COUNT] = {
#define SPCC_FX_ROW(E, name, arity, nparams) {name, arity, nparams},
    SPCC_FX_OPS(SPCC_FX_ROW)
#undef SPCC_FX_ROW
};

const char *spcc_fx_name(spcc_fx_op op) { return ops[op].name; }
int spcc_fx_arity(spcc_fx_op op) { return ops[op].arity; }
int spcc_fx_nparams(spcc_fx_op op) { return ops[op].nparams; }

int spcc_fx_input_mode(const spcc_type *in, const spcc_type *out, int64_t *suffix) {
  *suffix = 0;
  if (spcc_type_numel(in) == 1 && spcc_type_numel(out) != 1) return SPCC_FX_SCALAR;
  if (in->rank == out->rank && memcmp(in->dims, out->dims, sizeof(int64_t) * (size_t)in->rank) == 0)
    return SPCC_FX_FULL;
  int lead = 0;
  while (lead < in->rank && in->dims[lead] == 1) lead++;
  int r = in->rank - lead;
  if (r <= 0 || r >= out->rank) return -1;
  int64_t n = 1;
  for (int k = 0; k < r; k++) {
    if (in->dims[lead + k] != out->dims[out->rank - r + k]) return -1;
    n *= in->dims[lead + k];
  }
  *suffix = n;
  return SPCC_FX_SUFFIX;
}

/* A tiny cursor parser; every failure formats err and returns false. */
typedef struct {
  const char *s;
  char *err;
  size_t n;
} cursor;

static bool fail(cursor *c, const char *what) {
  snprintf(c->err, c->n, "fused program: %s at '%.20s'", what, c->s);
  return false;
}

static bool eat(cursor *c, char ch) {
  if (*c->s != ch) return false;
  c->s++;
  return true;
}

static bool parse_operand(cursor *c, int n_inputs, int step, int *ref, bool *used) {
  char kind = *c->s;
  if (kind != 'x' && kind != 't') return fail(c, "expected xK or tK");
  c->s++;
  if (!isdigit((unsigned char)*c->s)) return fail(c, "expected a number");
  char *end;
  errno = 0;
  long k = strtol(c->s, &end, 10);
  if (errno || k < 0 || k > 1000000) return fail(c, "bad operand number");
  c->s = end;
  if (kind == 'x') {
    if (k >= n_inputs) return fail(c, "no such input");
    used[k] = true;
    *ref = (int)k;
  } else {
    if (k >= step) return fail(c, "a step may only read earlier steps");
    *ref = spcc_fx_step_ref((int)k);
  }
  return true;
}

bool spcc_fx_parse(const char *text, int n_inputs, spcc_fx_program *p, char *err, size_t n) {
  cursor c = {text ? text : "", err, n};
  memset(p, 0, sizeof *p);
  if (n_inputs < 1 || n_inputs > 4 * SPCC_FX_MAX_STEPS) {
    snprintf(err, n, "fused program: %d inputs", n_inputs);
    return false;
  }
  bool *used = calloc((size_t)n_inputs, sizeof *used);
  if (!used) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  bool ok = true;
  while (ok) {
    if (p->n_steps == SPCC_FX_MAX_STEPS) {
      ok = fail(&c, "too many steps");
      break;
    }
    spcc_fx_step *st = &p->steps[p->n_steps];
    size_t len = 0;
    while (c.s[len] == '_' || islower((unsigned char)c.s[len])) len++;
    int op = -1;
    for (int k = 0; k < SPCC_FX_COUNT && op < 0; k++)
      if (strlen(ops[k].name) == len && strncmp(ops[k].name, c.s, len) == 0) op = k;
    if (op < 0) {
      ok = fail(&c, "unknown op");
      break;
    }
    c.s += len;
    st->op = (spcc_fx_op)op;
    if (ops[op].nparams) {
      ok = eat(&c, '[') || fail(&c, "expected '['");
      for (int k = 0; ok && k < ops[op].nparams; k++) {
        if (k) ok = eat(&c, ',') || fail(&c, "expected ','");
        char *end;
        if (ok) {
          st->param[k] = strtof(c.s, &end);
          ok = end != c.s || fail(&c, "expected a number");
          c.s = end;
        }
      }
      ok = ok && (eat(&c, ']') || fail(&c, "expected ']'"));
    }
    ok = ok && (eat(&c, '(') || fail(&c, "expected '('"));
    for (int k = 0; ok && k < ops[op].arity; k++) {
      if (k) ok = eat(&c, ',') || fail(&c, "expected ','");
      ok = ok && parse_operand(&c, n_inputs, p->n_steps, &st->arg[k], used);
    }
    ok = ok && (eat(&c, ')') || fail(&c, "expected ')'"));
    if (!ok) break;
    p->n_steps++;
    if (!*c.s) break;
    ok = eat(&c, ';') || fail(&c, "expected ';'");
  }
  for (int k = 0; ok && k < n_inputs; k++)
    if (!used[k]) {
      snprintf(err, n, "fused program: input x%d is never read", k);
      ok = false;
    }
  free(used);
  return ok;
}

const char *spcc_fx_format(const spcc_fx_program *p, spcc_arena *a) {
  size_t cap = (size_t)p->n_steps * 96 + 1;
  char *buf = spcc_arena_alloc(a, cap);
  size_t at = 0;
  for (int s = 0; s < p->n_steps; s++) {
    const spcc_fx_step *st = &p->steps[s];
    at += (size_t)snprintf(buf + at, cap - at, "%s%s", s ? ";" : "", ops[st->op].name);
    for (int k = 0; k < ops[st->op].nparams; k++)
      at += (size_t)snprintf(buf + at, cap - at, "%s%.9g", k ? "," : "[", (double)st->param[k]);
    if (ops[st->op].nparams) at += (size_t)snprintf(buf + at, cap - at, "]");
    for (int k = 0; k < ops[st->op].arity; k++) {
      int r = st->arg[k];
      at += (size_t)snprintf(buf + at, cap - at, "%s%c%d", k ? "," : "(", r >= 0 ? 'x' : 't',
                             r >= 0 ? r : -1 - r);
    }
    at += (size_t)snprintf(buf + at, cap - at, ")");
  }
  return buf;
}
