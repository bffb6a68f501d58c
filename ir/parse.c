/* parse.c - reads the IR text form written by print.c back into a graph.
 *
 * Golden tests and spcc-opt feed hand-written and printed IR through here,
 * so errors point at the text ("mlp.ir:7:12: error: undefined value '%h'")
 * and any input, even one cut off in the middle of a token, gives an error
 * and NULL, never a crash or a leak. The parser checks what the text alone
 * decides (names defined before use, data matching its type, byte ranges
 * matching types); graph invariants are spcc_verify_graph's job.
 *
 * Grammar (# starts a comment to the end of the line; blanks are free):
 *   file      := 'graph' AT '(' [input {',' input}] ')' '->' '(' [ref {',' ref}] ')'
 *                '{' {stmt} '}'
 *   input     := LOCAL ':' type [place]
 *   stmt      := 'arena' 'size' '=' INT 'lower_bound' '=' INT
 *              | 'bind' LOCAL data
 *              | CONST '=' 'const' type [place] [nnz] data
 *              | ['dead'] [res {',' res} '='] OP '(' [arg {',' arg}] ')'
 *                ['{' [attr {',' attr}] '}'] [':' rtype {',' rtype}] [loc]
 *   type      := '?' | DTYPE '[' ( '*' | [dim {',' dim}] ) ']' [enc]
 *   dim       := INT | '?'
 *   enc       := 'dense'                                         (the default)
 *              | 'csr' ['<' idx '>']                             csr<idx=u16>
 *              | 'bsr' '<' INT 'x'INT [',' idx] '>'              bsr<4x1, idx=u8>
 *              | 'nm' '<' INT ':' INT ',' 'axis' '=' INT [',' idx] '>'
 *                                                                nm<2:4, axis=0, idx=u2>
 *   idx       := 'idx' '=' 'u'BITS                  stored index width; absent = not chosen
 *   nnz       := 'nnz' '=' INT ['density' '=' NUM]  checked against the data
 *   place     := '@arena' '[' INT ',' (INT | '?') ')'          half-open byte range
 *   data      := 'data' '=' ( '[' [num {',' num}] ']'
 *                           | 'file' '(' STRING ',' 'offset' '=' INT ',' 'bytes' '=' INT ')' )
 *   res, arg  := LOCAL | CONST | '_'                              '_' = omitted
 *   ref       := LOCAL | CONST
 *   rtype     := type [place] | '_'
 *   attr      := (IDENT | STRING) '=' ( INT | FLOAT | STRING | list | tensor )
 *   tensor    := 'tensor' type 'data' '=' data
 *   list      := ['ints' | 'floats'] '[' [num {',' num}] ']'   floats if any FLOAT
 *   loc       := 'loc' '(' ['node' INT] [STRING] ['opset' INT] ')'
 *   LOCAL = %name, CONST = $name, AT = @name; a name is [A-Za-z0-9_.]+ or a
 *   quoted string. FLOAT = 1.5, 1e-3, 0x1.8p+1, inf, -inf, nan, nan(0xBITS).
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "parse.h"
#include "text.h"

/* Where a name was written, kept until it can be resolved. */
typedef struct {
  const char *name; /* arena copy; NULL for '_' */
  spcc_tok_kind kind;
  int line, col;
} name_ref;

/* The current node's argument list, reused from node to node. */
typedef struct {
  int *v;
  int n, cap;
} int_buf;

static void int_push(int_buf *b, int x) {
  if (b->n == b->cap) {
    b->cap = b->cap ? b->cap * 2 : 16;
    b->v = realloc(b->v, sizeof(int) * (size_t)b->cap);
    if (!b->v) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  }
  b->v[b->n++] = x;
}

static int resolve(spcc_parser *p, const name_ref *r) {
  int vid = spcc_names_find(p, r->name);
  if (vid < 0) {
    spcc_parse_error_at(p, r->line, r->col, "undefined value %c'%s'",
                        r->kind == SPCC_TOK_CONST ? '$' : '%', r->name);
    return -1;
  }
  bool is_const = p->g->values[vid].kind == SPCC_VAL_CONST;
  if (is_const != (r->kind == SPCC_TOK_CONST)) {
    spcc_parse_error_at(p, r->line, r->col, "'%s' is %s, write %c%s", r->name,
                        is_const ? "a constant" : "not a constant", is_const ? '$' : '%',
                        r->name);
    return -1;
  }
  return vid;
}

/* The current token as a name reference (%x, $w or '_'). */
static bool take_ref(spcc_parser *p, bool allow_omitted, name_ref *r) {
  r->line = p->tok.line;
  r->col = p->tok.col;
  r->kind = p->tok.kind;
  r->name = NULL;
  if (allow_omitted && spcc_parse_is_ident(p, "_")) {
    spcc_parse_next(p);
    return true;
  }
  if (p->tok.kind != SPCC_TOK_LOCAL && p->tok.kind != SPCC_TOK_CONST)
    return spcc_parse_fail(p, allow_omitted ? "expected a value (%%x, $w or _)"
                                            : "expected a value (%%x or $w)");
  r->name = spcc_arena_strdup(p->g->arena, p->tok.text);
  spcc_parse_next(p);
  return true;
}

static int define_value(spcc_parser *p, const name_ref *r, const spcc_type *t,
                        spcc_value_kind kind) {
  if (!r->name[0]) {
    spcc_parse_error_at(p, r->line, r->col, "value names cannot be empty");
    return -1;
  }
  if (spcc_names_find(p, r->name) >= 0) {
    spcc_parse_error_at(p, r->line, r->col, "value '%s' is defined twice", r->name);
    return -1;
  }
  int vid = spcc_graph_add_value(p->g, r->name, t, kind);
  spcc_names_add(p, vid);
  return vid;
}

/* ---- statements ------------------------------------------------------------ */

static bool parse_arena(spcc_parser *p) {
  spcc_parse_next(p);
  int64_t size, lower;
  if (!spcc_parse_keyword(p, "size") || !spcc_parse_punct(p, '=') ||
      !spcc_parse_int(p, -1, INT64_MAX, &size) || !spcc_parse_keyword(p, "lower_bound") ||
      !spcc_parse_punct(p, '=') || !spcc_parse_int(p, -1, INT64_MAX, &lower))
    return false;
  p->g->arena_size = size;
  p->g->arena_lower_bound = lower;
  return true;
}

static bool parse_bind(spcc_parser *p) {
  spcc_parse_next(p);
  name_ref r;
  if (!take_ref(p, false, &r)) return false;
  int vid = resolve(p, &r);
  if (vid < 0) return false;
  spcc_value *v = &p->g->values[vid];
  if (v->kind != SPCC_VAL_INPUT)
    return spcc_parse_error_at(p, r.line, r.col, "bind: '%s' is not a graph input", r.name);
  if (v->const_id >= 0)
    return spcc_parse_error_at(p, r.line, r.col, "input '%s' is bound twice", r.name);
  int cid;
  if (!spcc_parse_data(p, &v->type, &cid)) return false;
  p->g->values[vid].const_id = cid;
  return true;
}

/* Nonzero elements of a payload; -0.0 is zero, NaN is not. */
static int64_t count_nonzero(const spcc_const *c) {
  size_t es = spcc_dtype_size(c->dtype);
  const unsigned char *b = c->data;
  int64_t n = 0;
  for (int64_t i = 0; i < c->numel; i++, b += es) {
    if (c->dtype == SPCC_DT_F32) {
      float f;
      memcpy(&f, b, sizeof f);
      n += f != 0;
    } else if (c->dtype == SPCC_DT_F64) {
      double f;
      memcpy(&f, b, sizeof f);
      n += f != 0;
    } else {
      bool any = false;
      for (size_t k = 0; k < es; k++) any = any || b[k];
      n += any;
    }
  }
  return n;
}

/* The optional 'nnz' '=' INT ['density' '=' NUM] annotation of a constant,
 * checked against the data once it is read. */
typedef struct {
  bool has_nnz, has_density;
  int64_t nnz;
  float density;
  int line, col;
} nnz_note;

static bool parse_nnz_note(spcc_parser *p, nnz_note *a) {
  memset(a, 0, sizeof *a);
  a->line = p->tok.line;
  a->col = p->tok.col;
  if (!spcc_parse_is_ident(p, "nnz")) return true;
  spcc_parse_next(p);
  if (!spcc_parse_punct(p, '=') || !spcc_parse_int(p, 0, INT64_MAX, &a->nnz)) return false;
  a->has_nnz = true;
  if (!spcc_parse_is_ident(p, "density")) return true;
  spcc_parse_next(p);
  if (!spcc_parse_punct(p, '=') || !spcc_parse_f32(p, &a->density)) return false;
  a->has_density = true;
  return true;
}

static bool check_nnz_note(spcc_parser *p, const nnz_note *a, const spcc_const *c) {
  if (!a->has_nnz) return true;
  int64_t nnz = count_nonzero(c);
  if (a->nnz != nnz)
    return spcc_parse_error_at(p, a->line, a->col,
                               "nnz=%" PRId64 " disagrees with the data, which holds %" PRId64
                               " nonzeros",
                               a->nnz, nnz);
  double density = c->numel > 0 ? (double)nnz / (double)c->numel : 1.0;
  /* The printer rounds to 4 decimals. */
  if (a->has_density && fabs((double)a->density - density) > 0.5e-4 + 1e-7)
    return spcc_parse_error_at(p, a->line, a->col,
                               "density=%.4f disagrees with the data (%" PRId64 " of %" PRId64
                               " nonzero = %.4f)",
                               (double)a->density, nnz, c->numel, density);
  return true;
}

static bool parse_const(spcc_parser *p, const name_ref *r) {
  spcc_parse_next(p); /* 'const' */
  spcc_type t;
  int64_t offset;
  int line = p->tok.line, col = p->tok.col;
  if (!spcc_parse_type(p, &t) || !spcc_parse_place(p, &t, &offset)) return false;
  if (!spcc_type_is_static(&t))
    return spcc_parse_error_at(p, line, col, "a constant needs a static type");
  nnz_note note;
  if (!parse_nnz_note(p, &note)) return false;
  int cid;
  if (!spcc_parse_data(p, &t, &cid)) return false;
  if (!check_nnz_note(p, &note, &p->g->consts[cid])) return false;
  int vid = define_value(p, r, &t, SPCC_VAL_CONST);
  if (vid < 0) return false;
  p->g->values[vid].const_id = cid;
  p->g->values[vid].offset = offset;
  return true;
}

/* attr := name '=' (INT | FLOAT | STRING | list) */
static bool parse_attr(spcc_parser *p, int node) {
  if (p->tok.kind != SPCC_TOK_IDENT && p->tok.kind != SPCC_TOK_STRING)
    return spcc_parse_fail(p, "expected an attribute name");
  if (!p->tok.text[0]) return spcc_parse_fail(p, "attribute names cannot be empty");
  if (spcc_node_attr(&p->g->nodes[node], p->tok.text))
    return spcc_parse_fail(p, "attribute '%s' is given twice", p->tok.text);
  char *name = spcc_arena_strdup(p->g->arena, p->tok.text);
  spcc_parse_next(p);
  if (!spcc_parse_punct(p, '=')) return false;
  if (p->tok.kind == SPCC_TOK_INT) {
    int64_t v;
    if (!spcc_parse_int(p, INT64_MIN, INT64_MAX, &v)) return false;
    spcc_node_set_int(p->g, node, name, v);
    return true;
  }
  if (p->tok.kind == SPCC_TOK_FLOAT) {
    float f;
    if (!spcc_parse_f32(p, &f)) return false;
    spcc_node_set_float(p->g, node, name, f);
    return true;
  }
  if (p->tok.kind == SPCC_TOK_STRING) {
    spcc_node_set_string(p->g, node, name, p->tok.text);
    spcc_parse_next(p);
    return true;
  }
  if (spcc_parse_is_ident(p, "tensor")) { /* tensor DT[N] data=[...] */
    spcc_parse_next(p);
    spcc_type t;
    int cid;
    int line = p->tok.line, col = p->tok.col;
    if (!spcc_parse_type(p, &t)) return false;
    if (!spcc_type_is_static(&t))
      return spcc_parse_error_at(p, line, col, "a tensor attribute needs a static type");
    if (!spcc_parse_data(p, &t, &cid)) return false;
    spcc_node_set_tensor(p->g, node, name, cid);
    return true;
  }
  /* Lists: INTS unless an element is a float or the list says floats[. */
  int forced = 0; /* 1 ints, 2 floats */
  if (spcc_parse_is_ident(p, "ints") || spcc_parse_is_ident(p, "floats")) {
    forced = p->tok.text[0] == 'i' ? 1 : 2;
    spcc_parse_next(p);
  } else if (!spcc_parse_is_punct(p, '[')) {
    return spcc_parse_fail(p, "expected an attribute value");
  }
  if (!spcc_parse_punct(p, '[')) return false;
  int n = 0, cap = 8;
  bool any_float = forced == 2;
  int64_t *ints = malloc(sizeof *ints * (size_t)cap);
  float *floats = malloc(sizeof *floats * (size_t)cap);
  if (!ints || !floats) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  bool ok = true;
  while (ok && !spcc_parse_is_punct(p, ']')) {
    if (n && !(ok = spcc_parse_punct(p, ','))) break;
    if (n == cap) {
      cap *= 2;
      ints = realloc(ints, sizeof *ints * (size_t)cap);
      floats = realloc(floats, sizeof *floats * (size_t)cap);
      if (!ints || !floats) spcc_assert_fail("out of memory", __FILE__, __LINE__);
    }
    if (p->tok.kind == SPCC_TOK_FLOAT && forced == 1) {
      ok = spcc_parse_fail(p, "type mismatch: float in an ints list");
    } else if (p->tok.kind == SPCC_TOK_FLOAT) {
      any_float = true;
      ints[n] = 0;
      ok = spcc_parse_f32(p, &floats[n]);
    } else if (p->tok.kind == SPCC_TOK_INT) {
      /* Kept both ways until the list's kind is known. */
      ok = spcc_parse_number_f32(p, &floats[n]) && spcc_parse_int(p, INT64_MIN, INT64_MAX, &ints[n]);
    } else {
      ok = spcc_parse_fail(p, "expected a number or ']'");
    }
    n++;
  }
  if (ok) ok = spcc_parse_punct(p, ']');
  if (ok && any_float)
    spcc_node_set_floats(p->g, node, name, n, floats);
  else if (ok)
    spcc_node_set_ints(p->g, node, name, n, ints);
  free(ints);
  free(floats);
  return ok;
}

/* loc := 'loc' '(' ['node' INT] [STRING] ['opset' INT] ')' */
static bool parse_loc(spcc_parser *p, int node) {
  spcc_parse_next(p);
  if (!spcc_parse_punct(p, '(')) return false;
  int64_t v;
  if (spcc_parse_is_ident(p, "node")) {
    spcc_parse_next(p);
    if (!spcc_parse_int(p, INT32_MIN, INT32_MAX, &v)) return false;
    p->g->nodes[node].onnx_index = (int)v;
  }
  if (p->tok.kind == SPCC_TOK_STRING) {
    p->g->nodes[node].name = spcc_arena_strdup(p->g->arena, p->tok.text);
    spcc_parse_next(p);
  }
  if (spcc_parse_is_ident(p, "opset")) {
    spcc_parse_next(p);
    if (!spcc_parse_int(p, INT32_MIN, INT32_MAX, &v)) return false;
    p->g->nodes[node].opset = (int)v;
  }
  return spcc_parse_punct(p, ')');
}

/* Whether a live node before `before` produces vid. */
static bool live_producer(const spcc_graph *g, int vid, int before) {
  for (int i = 0; i < before; i++)
    if (!g->nodes[i].dead)
      for (int k = 0; k < g->nodes[i].n_out; k++)
        if (g->nodes[i].out[k] == vid) return true;
  return false;
}

/* A node, after its results and '=' have been read. */
static bool parse_node(spcc_parser *p, bool dead, const name_ref *res, int n_res,
                       int_buf *args) {
  if (p->tok.kind != SPCC_TOK_IDENT) return spcc_parse_fail(p, "expected an op name");
  spcc_op op;
  if (!spcc_op_from_ir(p->tok.text, &op)) return spcc_parse_fail(p, "unknown op '%s'", p->tok.text);
  spcc_parse_next(p);
  if (!spcc_parse_punct(p, '(')) return false;
  args->n = 0;
  while (!spcc_parse_is_punct(p, ')')) {
    if (args->n && !spcc_parse_punct(p, ',')) return false;
    name_ref r;
    if (!take_ref(p, true, &r)) return false;
    int vid = r.name ? resolve(p, &r) : -1;
    if (r.name && vid < 0) return false;
    int_push(args, vid);
  }
  spcc_parse_next(p);

  int *outs = spcc_arena_alloc(p->g->arena, sizeof(int) * (size_t)(n_res ? n_res : 1));
  for (int k = 0; k < n_res; k++) outs[k] = -1;
  int node = spcc_graph_add_node(p->g, op, args->n, args->v, n_res, outs);
  p->g->nodes[node].dead = dead;

  if (spcc_parse_is_punct(p, '{')) {
    spcc_parse_next(p);
    for (int k = 0; !spcc_parse_is_punct(p, '}'); k++) {
      if (k && !spcc_parse_punct(p, ',')) return false;
      if (!parse_attr(p, node)) return false;
    }
    spcc_parse_next(p);
  }

  /* Result types: one entry per result, '_' for an omitted one. */
  spcc_type *types = spcc_arena_alloc(p->g->arena, sizeof *types * (size_t)(n_res ? n_res : 1));
  int64_t *offsets = spcc_arena_alloc(p->g->arena, sizeof(int64_t) * (size_t)(n_res ? n_res : 1));
  bool typed = spcc_parse_is_punct(p, ':');
  for (int k = 0; k < n_res; k++) {
    types[k] = spcc_type_make(SPCC_DT_UNDEF, -1, NULL);
    offsets[k] = -1;
  }
  if (typed) {
    spcc_parse_next(p);
    for (int k = 0; k < n_res; k++) {
      if (k && !spcc_parse_punct(p, ',')) return false;
      if (spcc_parse_is_ident(p, "_")) {
        if (res[k].name) return spcc_parse_fail(p, "'_' is the type of an omitted result only");
        spcc_parse_next(p);
        continue;
      }
      if (!res[k].name) return spcc_parse_fail(p, "an omitted result takes '_' as its type");
      if (!spcc_parse_type(p, &types[k]) || !spcc_parse_place(p, &types[k], &offsets[k]))
        return false;
    }
    if (spcc_parse_is_punct(p, ','))
      return spcc_parse_fail(p, "more result types than results (%d)", n_res);
  }
  if (spcc_parse_is_ident(p, "loc") && !parse_loc(p, node)) return false;

  for (int k = 0; k < n_res; k++) {
    if (!res[k].name) continue;
    int vid = spcc_names_find(p, res[k].name);
    if (vid < 0) {
      if (res[k].kind == SPCC_TOK_CONST)
        return spcc_parse_error_at(p, res[k].line, res[k].col,
                                   "node results are written %%name; $%s is not a constant",
                                   res[k].name);
      vid = define_value(p, &res[k], &types[k], SPCC_VAL_TEMP);
      if (vid < 0) return false;
      p->g->values[vid].offset = offsets[k];
    } else {
      /* A value declared earlier: a graph input or constant (the verifier
       * judges those), or a temporary whose other producer is dead. */
      if (resolve(p, &res[k]) < 0) return false;
      const spcc_value *v = &p->g->values[vid];
      if (v->kind == SPCC_VAL_TEMP && !dead && live_producer(p->g, vid, node))
        return spcc_parse_error_at(p, res[k].line, res[k].col, "value '%s' is defined twice",
                                   res[k].name);
      if (typed && (!spcc_type_equal(&v->type, &types[k]) || v->offset != offsets[k])) {
        char a[160], b[160];
        return spcc_parse_error_at(p, res[k].line, res[k].col,
                                   "type mismatch: '%s' is %s %s but this result says %s %s",
                                   res[k].name, spcc_type_str(&v->type, a, sizeof a),
                                   spcc_encoding_kind_name(v->type.enc.kind),
                                   spcc_type_str(&types[k], b, sizeof b),
                                   spcc_encoding_kind_name(types[k].enc.kind));
      }
    }
    p->g->nodes[node].out[k] = vid;
  }
  return true;
}

static bool parse_stmt(spcc_parser *p, int_buf *args) {
  if (spcc_parse_is_ident(p, "arena")) return parse_arena(p);
  if (spcc_parse_is_ident(p, "bind")) return parse_bind(p);
  bool dead = false;
  if (spcc_parse_is_ident(p, "dead")) {
    dead = true;
    spcc_parse_next(p);
  }
  name_ref *res = NULL;
  int n_res = 0;
  if (p->tok.kind == SPCC_TOK_LOCAL || p->tok.kind == SPCC_TOK_CONST ||
      spcc_parse_is_ident(p, "_")) {
    int cap = 4;
    res = spcc_arena_alloc(p->g->arena, sizeof *res * (size_t)cap);
    for (;;) {
      if (n_res == cap) {
        name_ref *more = spcc_arena_alloc(p->g->arena, sizeof *res * (size_t)cap * 2);
        memcpy(more, res, sizeof *res * (size_t)cap);
        res = more;
        cap *= 2;
      }
      if (!take_ref(p, true, &res[n_res])) return false;
      n_res++;
      if (!spcc_parse_is_punct(p, ',')) break;
      spcc_parse_next(p);
    }
    if (!spcc_parse_punct(p, '=')) return false;
    if (spcc_parse_is_ident(p, "const")) {
      if (dead || n_res != 1 || res[0].kind != SPCC_TOK_CONST)
        return spcc_parse_fail(p, "a constant is declared as '$name = const TYPE data=...'");
      return parse_const(p, &res[0]);
    }
  }
  return parse_node(p, dead, res, n_res, args);
}

/* ---- the graph --------------------------------------------------------------- */

static bool parse_file(spcc_parser *p, const char *text_name) {
  if (!spcc_parse_keyword(p, "graph")) return false;
  if (p->tok.kind != SPCC_TOK_AT) return spcc_parse_fail(p, "expected the graph name (@name)");
  p->g = spcc_graph_new(p->tok.text, text_name);
  spcc_parse_next(p);

  int_buf inputs = {0};
  bool ok = spcc_parse_punct(p, '(');
  while (ok && !spcc_parse_is_punct(p, ')')) {
    if (inputs.n && !(ok = spcc_parse_punct(p, ','))) break;
    name_ref r;
    spcc_type t;
    int64_t offset;
    if (p->tok.kind != SPCC_TOK_LOCAL) {
      ok = spcc_parse_fail(p, "expected a graph input (%%name: type)");
      break;
    }
    ok = take_ref(p, false, &r) && spcc_parse_punct(p, ':') && spcc_parse_type(p, &t) &&
         spcc_parse_place(p, &t, &offset);
    int vid = ok ? define_value(p, &r, &t, SPCC_VAL_INPUT) : -1;
    if (vid < 0) {
      ok = false;
      break;
    }
    p->g->values[vid].offset = offset;
    int_push(&inputs, vid);
  }
  if (ok) {
    spcc_parse_next(p);
    p->g->n_inputs = inputs.n;
    p->g->inputs = spcc_arena_alloc(p->g->arena, sizeof(int) * (size_t)(inputs.n + 1));
    if (inputs.n) memcpy(p->g->inputs, inputs.v, sizeof(int) * (size_t)inputs.n);
  }
  free(inputs.v);
  if (!ok) return false;

  /* Outputs may name values the body defines later. */
  if (p->tok.kind != SPCC_TOK_ARROW) return spcc_parse_fail(p, "expected '->'");
  spcc_parse_next(p);
  if (!spcc_parse_punct(p, '(')) return false;
  int n_out = 0, cap = 4;
  name_ref *outs = spcc_arena_alloc(p->g->arena, sizeof *outs * (size_t)cap);
  while (!spcc_parse_is_punct(p, ')')) {
    if (n_out && !spcc_parse_punct(p, ',')) return false;
    if (n_out == cap) {
      name_ref *more = spcc_arena_alloc(p->g->arena, sizeof *outs * (size_t)cap * 2);
      memcpy(more, outs, sizeof *outs * (size_t)cap);
      outs = more;
      cap *= 2;
    }
    if (!take_ref(p, false, &outs[n_out++])) return false;
  }
  spcc_parse_next(p);
  if (!spcc_parse_punct(p, '{')) return false;

  int_buf args = {0};
  ok = true;
  while (ok && !spcc_parse_is_punct(p, '}')) {
    if (p->tok.kind == SPCC_TOK_EOF) {
      ok = spcc_parse_fail(p, "expected '}' at the end of the graph");
      break;
    }
    ok = parse_stmt(p, &args);
  }
  free(args.v);
  if (!ok) return false;
  spcc_parse_next(p);
  if (p->tok.kind != SPCC_TOK_EOF) return spcc_parse_fail(p, "unexpected text after the graph");

  p->g->n_outputs = n_out;
  p->g->outputs = spcc_arena_alloc(p->g->arena, sizeof(int) * (size_t)(n_out + 1));
  for (int i = 0; i < n_out; i++) {
    int vid = resolve(p, &outs[i]);
    if (vid < 0) return false;
    p->g->outputs[i] = vid;
  }
  return true;
}

spcc_graph *spcc_parse_graph(const char *text, const char *text_name, spcc_diag *d) {
  spcc_parser p;
  memset(&p, 0, sizeof p);
  p.file = text_name ? text_name : "<input>";
  p.d = d;
  spcc_lex_init(&p.lx, text ? text : "");
  spcc_parse_next(&p);
  bool ok = parse_file(&p, text_name);
  spcc_lex_free(&p.lx);
  free(p.names);
  if (!ok) {
    spcc_graph_free(p.g);
    return NULL;
  }
  return p.g;
}
