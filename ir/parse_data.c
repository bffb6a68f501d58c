/* parse_data.c - the parser's leaf pieces: token helpers and diagnostics,
 * numbers, types, arena placements, constant payloads (inline or in a side
 * file) and the value-name table.
 *
 * Numbers convert according to the element type they land in: integers go
 * through strtoll/strtoull and are range-checked against their dtype, floats
 * through strtof/strtod (hex floats are exact), and NaNs keep the payload
 * bits the printer wrote, so a constant survives print -> parse bit for bit.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* ---- diagnostics and tokens ---------------------------------------------- */

static bool vreport(spcc_parser *p, int line, int col, const char *fmt, va_list ap) {
  if (p->failed) return false;
  p->failed = true;
  char msg[400], loc[300];
  vsnprintf(msg, sizeof msg, fmt, ap);
  snprintf(loc, sizeof loc, "%s:%d:%d", p->file, line, col);
  spcc_error(p->d, loc, NULL, "%s", msg);
  return false;
}

bool spcc_parse_error_at(spcc_parser *p, int line, int col, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vreport(p, line, col, fmt, ap);
  va_end(ap);
  return false;
}

static bool lexer_error(spcc_parser *p) {
  return spcc_parse_error_at(p, p->tok.line, p->tok.col, "%s", p->tok.text);
}

bool spcc_parse_fail(spcc_parser *p, const char *fmt, ...) {
  if (p->tok.kind == SPCC_TOK_ERROR) return lexer_error(p);
  va_list ap;
  va_start(ap, fmt);
  vreport(p, p->tok.line, p->tok.col, fmt, ap);
  va_end(ap);
  return false;
}

void spcc_parse_next(spcc_parser *p) { spcc_lex_next(&p->lx, &p->tok); }

bool spcc_parse_is_punct(const spcc_parser *p, char c) {
  return p->tok.kind == SPCC_TOK_PUNCT && p->tok.punct == c;
}

bool spcc_parse_is_ident(const spcc_parser *p, const char *word) {
  return p->tok.kind == SPCC_TOK_IDENT && strcmp(p->tok.text, word) == 0;
}

/* "'foo'", "'%x'", "end of input": what the current token is, for
 * "expected X, found Y". */
static const char *tok_desc(const spcc_parser *p, char *buf, size_t n) {
  const char *sigil = "";
  switch (p->tok.kind) {
  case SPCC_TOK_EOF: return "end of input";
  case SPCC_TOK_LOCAL: sigil = "%"; break;
  case SPCC_TOK_CONST: sigil = "$"; break;
  case SPCC_TOK_AT: sigil = "@"; break;
  case SPCC_TOK_STRING: return "a string";
  default: break;
  }
  snprintf(buf, n, "'%s%.60s'", sigil, p->tok.text);
  return buf;
}

bool spcc_parse_punct(spcc_parser *p, char c) {
  if (!spcc_parse_is_punct(p, c)) {
    char buf[80];
    return spcc_parse_fail(p, "expected '%c', found %s", c, tok_desc(p, buf, sizeof buf));
  }
  spcc_parse_next(p);
  return true;
}

bool spcc_parse_keyword(spcc_parser *p, const char *word) {
  if (!spcc_parse_is_ident(p, word)) {
    char buf[80];
    return spcc_parse_fail(p, "expected '%s', found %s", word, tok_desc(p, buf, sizeof buf));
  }
  spcc_parse_next(p);
  return true;
}

/* ---- numbers ------------------------------------------------------------------ */

bool spcc_parse_int(spcc_parser *p, int64_t lo, int64_t hi, int64_t *out) {
  if (p->tok.kind != SPCC_TOK_INT) {
    char buf[80];
    return spcc_parse_fail(p, "expected an integer, found %s", tok_desc(p, buf, sizeof buf));
  }
  errno = 0;
  char *end;
  long long v = strtoll(p->tok.text, &end, 10);
  if (errno == ERANGE || *end || v < lo || v > hi)
    return spcc_parse_fail(p, "integer %s out of range [%" PRId64 ", %" PRId64 "]", p->tok.text,
                           lo, hi);
  *out = v;
  spcc_parse_next(p);
  return true;
}

static bool parse_u64(spcc_parser *p, uint64_t hi, uint64_t *out) {
  if (p->tok.kind != SPCC_TOK_INT) return spcc_parse_fail(p, "type mismatch: expected an integer");
  errno = 0;
  char *end;
  unsigned long long v = strtoull(p->tok.text, &end, 10);
  if (p->tok.text[0] == '-' || errno == ERANGE || *end || v > hi)
    return spcc_parse_fail(p, "integer %s out of range [0, %" PRIu64 "]", p->tok.text, hi);
  *out = v;
  spcc_parse_next(p);
  return true;
}

/* inf / nan / nan(0xBITS) with an optional '-'; returns false if s is not
 * one of them. bits is 32 or 64: the NaN's width. */
static bool special_float(const char *s, int width, uint64_t *bits, bool *is_nan, bool *bad) {
  bool neg = *s == '-';
  if (neg) s++;
  *bad = false;
  const uint64_t sign = width == 32 ? UINT64_C(0x80000000) : UINT64_C(0x8000000000000000);
  if (strcmp(s, "inf") == 0) {
    *is_nan = false;
    *bits = neg;
    return true;
  }
  if (strncmp(s, "nan", 3) != 0) return false;
  *is_nan = true;
  if (s[3] == '\0') {
    *bits = width == 32 ? UINT64_C(0x7fc00000) : UINT64_C(0x7ff8000000000000);
  } else {
    /* nan(0xBITS): the exact bit pattern, sign included. */
    errno = 0;
    char *end;
    uint64_t b = strtoull(s + 4, &end, 16);
    const uint64_t exp = width == 32 ? UINT64_C(0x7f800000) : UINT64_C(0x7ff0000000000000);
    const uint64_t mant = width == 32 ? UINT64_C(0x007fffff) : UINT64_C(0x000fffffffffffff);
    if (errno == ERANGE || strcmp(end, ")") != 0 || (width == 32 && b > 0xffffffffu) ||
        (b & exp) != exp || (b & mant) == 0) {
      *bad = true;
      return true;
    }
    *bits = b;
  }
  if (neg) *bits |= sign;
  return true;
}

bool spcc_parse_number_f32(spcc_parser *p, float *out) {
  if (p->tok.kind != SPCC_TOK_FLOAT && p->tok.kind != SPCC_TOK_INT)
    return spcc_parse_fail(p, "expected a number");
  uint64_t bits;
  bool is_nan, bad;
  if (special_float(p->tok.text, 32, &bits, &is_nan, &bad)) {
    if (bad) return spcc_parse_fail(p, "'%s' is not an f32 NaN", p->tok.text);
    if (is_nan) {
      uint32_t b32 = (uint32_t)bits;
      memcpy(out, &b32, sizeof b32);
    } else {
      *out = bits ? -INFINITY : INFINITY;
    }
    return true;
  }
  errno = 0;
  char *end;
  float f = strtof(p->tok.text, &end);
  if (*end) return spcc_parse_fail(p, "malformed number '%s'", p->tok.text);
  if (isinf(f)) return spcc_parse_fail(p, "%s is out of range for f32", p->tok.text);
  *out = f;
  return true;
}

bool spcc_parse_f32(spcc_parser *p, float *out) {
  if (!spcc_parse_number_f32(p, out)) return false;
  spcc_parse_next(p);
  return true;
}

static bool parse_f64(spcc_parser *p, double *out) {
  if (p->tok.kind != SPCC_TOK_FLOAT && p->tok.kind != SPCC_TOK_INT)
    return spcc_parse_fail(p, "expected a number");
  uint64_t bits;
  bool is_nan, bad;
  if (special_float(p->tok.text, 64, &bits, &is_nan, &bad)) {
    if (bad) return spcc_parse_fail(p, "'%s' is not an f64 NaN", p->tok.text);
    if (is_nan)
      memcpy(out, &bits, sizeof bits);
    else
      *out = bits ? -INFINITY : INFINITY;
  } else {
    errno = 0;
    char *end;
    double f = strtod(p->tok.text, &end);
    if (*end) return spcc_parse_fail(p, "malformed number '%s'", p->tok.text);
    if (isinf(f)) return spcc_parse_fail(p, "%s is out of range for f64", p->tok.text);
    *out = f;
  }
  spcc_parse_next(p);
  return true;
}

/* One element of constant data, stored at dst in host byte order. */
static bool parse_element(spcc_parser *p, spcc_dtype dt, void *dst) {
  if (p->tok.kind == SPCC_TOK_FLOAT && !spcc_dtype_is_float(dt))
    return spcc_parse_fail(p, "type mismatch: %s data takes integers, found '%s'",
                           spcc_dtype_name(dt), p->tok.text);
  int64_t i;
  uint64_t u;
  switch (dt) {
  case SPCC_DT_F32: return spcc_parse_f32(p, (float *)dst);
  case SPCC_DT_F64: return parse_f64(p, (double *)dst);
  case SPCC_DT_I8:
    if (!spcc_parse_int(p, INT8_MIN, INT8_MAX, &i)) return false;
    *(int8_t *)dst = (int8_t)i;
    return true;
  case SPCC_DT_I16:
    if (!spcc_parse_int(p, INT16_MIN, INT16_MAX, &i)) return false;
    *(int16_t *)dst = (int16_t)i;
    return true;
  case SPCC_DT_I32:
    if (!spcc_parse_int(p, INT32_MIN, INT32_MAX, &i)) return false;
    *(int32_t *)dst = (int32_t)i;
    return true;
  case SPCC_DT_I64: return spcc_parse_int(p, INT64_MIN, INT64_MAX, (int64_t *)dst);
  case SPCC_DT_U8:
  case SPCC_DT_BOOL:
    if (!parse_u64(p, dt == SPCC_DT_BOOL ? 1 : UINT8_MAX, &u)) return false;
    *(uint8_t *)dst = (uint8_t)u;
    return true;
  case SPCC_DT_U16:
    if (!parse_u64(p, UINT16_MAX, &u)) return false;
    *(uint16_t *)dst = (uint16_t)u;
    return true;
  case SPCC_DT_U32:
    if (!parse_u64(p, UINT32_MAX, &u)) return false;
    *(uint32_t *)dst = (uint32_t)u;
    return true;
  case SPCC_DT_U64: return parse_u64(p, UINT64_MAX, (uint64_t *)dst);
  default: return spcc_parse_fail(p, "no data for element type %s", spcc_dtype_name(dt));
  }
}

/* ---- types -------------------------------------------------------------------- */

/* Far beyond any real tensor, low enough that numel * 8 cannot overflow. */
#define MAX_NUMEL (INT64_C(1) << 48)

/* ', idx=uK' or 'idx=uK' (K = index bits); *bits stays 0 when absent. */
static bool parse_index_width(spcc_parser *p, int *bits) {
  if (!spcc_parse_keyword(p, "idx") || !spcc_parse_punct(p, '=')) return false;
  const char *w = p->tok.text;
  int k = 0;
  bool ok = p->tok.kind == SPCC_TOK_IDENT && w[0] == 'u' && w[1] >= '1' && w[1] <= '9';
  for (size_t i = 1; ok && w[i]; i++) {
    ok = w[i] >= '0' && w[i] <= '9' && k <= 64;
    k = k * 10 + (w[i] - '0');
  }
  if (!ok || k > 64) return spcc_parse_fail(p, "expected an index width u1..u64 (idx=u16)");
  *bits = k;
  spcc_parse_next(p);
  return true;
}

/* An INT in [lo, INT32_MAX] as an int. */
static bool parse_small_int(spcc_parser *p, int lo, int *out) {
  int64_t v;
  if (!spcc_parse_int(p, lo, INT32_MAX, &v)) return false;
  *out = (int)v;
  return true;
}

/* enc := ['dense'] | 'csr' ['<' 'idx' '=' UK '>']
 *      | 'bsr' '<' INT 'x'INT [',' 'idx' '=' UK] '>'
 *      | 'nm' '<' INT ':' INT ',' 'axis' '=' INT [',' 'idx' '=' UK] '>'
 * The lexer splits "4x1" into 4 and the word x1. Which values make sense
 * (widths, block and group sizes, the axis) is the verifier's call. */
static bool parse_encoding(spcc_parser *p, spcc_encoding *e) {
  memset(e, 0, sizeof *e);
  if (spcc_parse_is_ident(p, "dense")) {
    spcc_parse_next(p);
    return true;
  }
  if (spcc_parse_is_ident(p, "csr")) {
    e->kind = SPCC_ENC_CSR;
    spcc_parse_next(p);
    if (!spcc_parse_is_punct(p, '<')) return true;
    spcc_parse_next(p);
    return parse_index_width(p, &e->index_bits) && spcc_parse_punct(p, '>');
  }
  if (spcc_parse_is_ident(p, "bsr")) {
    e->kind = SPCC_ENC_BSR;
    spcc_parse_next(p);
    if (!spcc_parse_punct(p, '<') || !parse_small_int(p, 0, &e->block_r)) return false;
    const char *w = p->tok.text;
    bool shape = p->tok.kind == SPCC_TOK_IDENT && w[0] == 'x' && w[1];
    for (size_t i = 1; shape && w[i]; i++) shape = w[i] >= '0' && w[i] <= '9';
    if (!shape || strlen(w) > 10) return spcc_parse_fail(p, "expected the block shape RxC (bsr<4x1>)");
    long long c = strtoll(w + 1, NULL, 10);
    if (c > INT32_MAX) return spcc_parse_fail(p, "block width %s out of range", w + 1);
    e->block_c = (int)c;
    spcc_parse_next(p);
  } else if (spcc_parse_is_ident(p, "nm")) {
    e->kind = SPCC_ENC_NM;
    spcc_parse_next(p);
    if (!spcc_parse_punct(p, '<') || !parse_small_int(p, 0, &e->nm_n) ||
        !spcc_parse_punct(p, ':') || !parse_small_int(p, 0, &e->nm_m) ||
        !spcc_parse_punct(p, ',') || !spcc_parse_keyword(p, "axis") ||
        !spcc_parse_punct(p, '=') || !parse_small_int(p, 0, &e->axis))
      return false;
  } else {
    return true; /* dense when nothing is said */
  }
  if (spcc_parse_is_punct(p, ',')) {
    spcc_parse_next(p);
    if (!parse_index_width(p, &e->index_bits)) return false;
  }
  return spcc_parse_punct(p, '>');
}

bool spcc_parse_type(spcc_parser *p, spcc_type *t) {
  *t = spcc_type_make(SPCC_DT_UNDEF, -1, NULL);
  if (spcc_parse_is_punct(p, '?')) {
    spcc_parse_next(p);
    return true;
  }
  if (p->tok.kind != SPCC_TOK_IDENT) {
    char buf[80];
    return spcc_parse_fail(p, "expected a type (f32[1,3] or ?), found %s",
                           tok_desc(p, buf, sizeof buf));
  }
  int line = p->tok.line, col = p->tok.col;
  if (strcmp(p->tok.text, "undef") != 0 && !spcc_dtype_parse(p->tok.text, &t->dtype))
    return spcc_parse_fail(p, "unknown element type '%s'", p->tok.text);
  spcc_parse_next(p);
  if (!spcc_parse_punct(p, '[')) return false;
  if (spcc_parse_is_punct(p, '*')) {
    spcc_parse_next(p);
    if (!spcc_parse_punct(p, ']')) return false;
  } else {
    t->rank = 0;
    int64_t numel = 1;
    while (!spcc_parse_is_punct(p, ']')) {
      if (t->rank && !spcc_parse_punct(p, ',')) return false;
      if (t->rank == SPCC_MAX_RANK)
        return spcc_parse_fail(p, "unsupported rank above %d", SPCC_MAX_RANK);
      int64_t dim = -1;
      if (spcc_parse_is_punct(p, '?'))
        spcc_parse_next(p);
      else if (!spcc_parse_int(p, 0, INT64_MAX, &dim))
        return false;
      if (dim > 0 && numel > MAX_NUMEL / dim)
        return spcc_parse_error_at(p, line, col, "type is impossibly large");
      if (dim >= 0) numel *= dim;
      t->dims[t->rank++] = dim;
    }
    spcc_parse_next(p);
  }
  return parse_encoding(p, &t->enc);
}

bool spcc_parse_place(spcc_parser *p, const spcc_type *t, int64_t *offset) {
  *offset = -1;
  if (p->tok.kind != SPCC_TOK_AT || strcmp(p->tok.text, "arena") != 0) return true;
  spcc_parse_next(p);
  int64_t off, end = -1;
  if (!spcc_parse_punct(p, '[')) return false;
  int line = p->tok.line, col = p->tok.col;
  if (!spcc_parse_int(p, 0, INT64_MAX, &off) || !spcc_parse_punct(p, ',')) return false;
  if (spcc_parse_is_punct(p, '?'))
    spcc_parse_next(p);
  else if (!spcc_parse_int(p, 0, INT64_MAX, &end))
    return false;
  if (!spcc_parse_punct(p, ')')) return false;
  int64_t bytes = spcc_type_bytes(t);
  if (bytes >= 0 && off > INT64_MAX - bytes)
    return spcc_parse_error_at(p, line, col, "arena offset out of range");
  if (bytes >= 0 && end >= 0 && end - off != bytes) {
    char buf[160];
    return spcc_parse_error_at(p, line, col,
                               "type mismatch: @arena[%" PRId64 ",%" PRId64 ") holds %" PRId64
                               " bytes but %s needs %" PRId64,
                               off, end, end - off, spcc_type_str(t, buf, sizeof buf), bytes);
  }
  *offset = off;
  return true;
}

/* ---- constant data ------------------------------------------------------------ */

static bool host_is_little_endian(void) {
  const uint16_t one = 1;
  unsigned char b;
  memcpy(&b, &one, 1);
  return b == 1;
}

/* file("NAME", offset=N, bytes=M): NAME relative to the text's directory. */
static bool read_side(spcc_parser *p, const spcc_type *t, int64_t need, void **out) {
  int line = p->tok.line, col = p->tok.col;
  spcc_parse_next(p);
  if (!spcc_parse_punct(p, '(')) return false;
  if (p->tok.kind != SPCC_TOK_STRING) return spcc_parse_fail(p, "expected the side file name");
  char *name = spcc_arena_strdup(p->g->arena, p->tok.text);
  spcc_parse_next(p);
  int64_t offset, bytes;
  if (!spcc_parse_punct(p, ',') || !spcc_parse_keyword(p, "offset") ||
      !spcc_parse_punct(p, '=') || !spcc_parse_int(p, 0, INT64_MAX, &offset) ||
      !spcc_parse_punct(p, ',') || !spcc_parse_keyword(p, "bytes") ||
      !spcc_parse_punct(p, '=') || !spcc_parse_int(p, 0, INT64_MAX, &bytes) ||
      !spcc_parse_punct(p, ')'))
    return false;
  char tbuf[160];
  if (bytes != need)
    return spcc_parse_error_at(p, line, col,
                               "type mismatch: %s needs %" PRId64 " bytes, the file range has %" PRId64,
                               spcc_type_str(t, tbuf, sizeof tbuf), need, bytes);
  const char *slash = strrchr(p->file, '/');
  const char *path = name;
  if (name[0] != '/' && slash)
    path = spcc_arena_printf(p->g->arena, "%.*s%s", (int)(slash - p->file + 1), p->file, name);
  FILE *f = fopen(path, "rb");
  if (!f)
    return spcc_parse_error_at(p, line, col, "cannot open side file '%s': %s", path,
                               strerror(errno));
  long size = -1;
  if (fseek(f, 0, SEEK_END) == 0) size = ftell(f);
  if (size < 0 || offset > size || bytes > size - offset) {
    fclose(f);
    return spcc_parse_error_at(p, line, col,
                               "side file '%s' (%ld bytes) does not hold [%" PRId64 ", %" PRId64 ")",
                               path, size, offset, offset + bytes);
  }
  unsigned char *buf = malloc((size_t)bytes + 1);
  if (!buf) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  bool ok = fseek(f, (long)offset, SEEK_SET) == 0 &&
            fread(buf, 1, (size_t)bytes, f) == (size_t)bytes;
  fclose(f);
  if (!ok) {
    free(buf);
    return spcc_parse_error_at(p, line, col, "cannot read side file '%s'", path);
  }
  size_t es = spcc_dtype_size(t->dtype);
  if (!host_is_little_endian() && es > 1)
    for (size_t e = 0; e < (size_t)bytes; e += es)
      for (size_t a = 0, b = es - 1; a < b; a++, b--) {
        unsigned char x = buf[e + a];
        buf[e + a] = buf[e + b];
        buf[e + b] = x;
      }
  *out = buf;
  return true;
}

/* '[' num {',' num} ']' with exactly numel elements. */
static bool read_inline(spcc_parser *p, const spcc_type *t, int64_t numel, void **out) {
  size_t es = spcc_dtype_size(t->dtype);
  int line = p->tok.line, col = p->tok.col;
  spcc_parse_next(p);
  /* Grow as elements arrive: a huge type with a short list must not
   * allocate the whole tensor first. */
  int64_t cap = numel < 64 ? numel : 64, n = 0;
  unsigned char *buf = malloc((size_t)cap * es + 1);
  if (!buf) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  char tbuf[160];
  while (!spcc_parse_is_punct(p, ']')) {
    if (n && !spcc_parse_punct(p, ',')) goto fail;
    if (n == numel) {
      spcc_parse_fail(p, "type mismatch: more than %" PRId64 " elements for %s", numel,
                      spcc_type_str(t, tbuf, sizeof tbuf));
      goto fail;
    }
    if (n == cap) {
      cap = cap * 2 < numel ? cap * 2 : numel;
      unsigned char *more = realloc(buf, (size_t)cap * es + 1);
      if (!more) spcc_assert_fail("out of memory", __FILE__, __LINE__);
      buf = more;
    }
    /* Elements go through an aligned scratch so the stores are typed. */
    union { double d; int64_t i; unsigned char b[8]; } e;
    if (!parse_element(p, t->dtype, &e)) goto fail;
    memcpy(buf + (size_t)n * es, &e, es);
    n++;
  }
  if (n != numel) {
    spcc_parse_error_at(p, line, col, "type mismatch: %" PRId64 " elements given, %s holds %" PRId64,
                        n, spcc_type_str(t, tbuf, sizeof tbuf), numel);
    goto fail;
  }
  spcc_parse_next(p);
  *out = buf;
  return true;
fail:
  free(buf);
  return false;
}

bool spcc_parse_data(spcc_parser *p, const spcc_type *t, int *const_id) {
  int line = p->tok.line, col = p->tok.col;
  if (!spcc_parse_keyword(p, "data") || !spcc_parse_punct(p, '=')) return false;
  int64_t numel = spcc_type_numel(t);
  size_t es = spcc_dtype_size(t->dtype);
  if (numel < 0 || es == 0)
    return spcc_parse_error_at(p, line, col, "data needs a static type with an element type");
  void *buf = NULL;
  if (spcc_parse_is_punct(p, '[')) {
    if (!read_inline(p, t, numel, &buf)) return false;
  } else if (spcc_parse_is_ident(p, "file")) {
    if (!read_side(p, t, numel * (int64_t)es, &buf)) return false;
  } else if (spcc_parse_is_punct(p, '<')) {
    return spcc_parse_fail(p, "summarized constant data (a debug dump) cannot be parsed; "
                              "print with inline data or a side file");
  } else {
    return spcc_parse_fail(p, "expected constant data: [...] or file(...)");
  }
  *const_id = spcc_graph_add_const_data(p->g, t->dtype, numel, buf);
  return true;
}

/* ---- value names ---------------------------------------------------------------- */

static size_t name_hash(const char *s) {
  uint64_t h = UINT64_C(1469598103934665603);
  for (; *s; s++) h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
  return (size_t)h;
}

int spcc_names_find(const spcc_parser *p, const char *name) {
  if (!p->names_cap) return -1;
  for (size_t i = name_hash(name) & (p->names_cap - 1);; i = (i + 1) & (p->names_cap - 1)) {
    int slot = p->names[i];
    if (slot == 0) return -1;
    if (strcmp(p->g->values[slot - 1].name, name) == 0) return slot - 1;
  }
}

static void names_insert(spcc_parser *p, int vid) {
  size_t i = name_hash(p->g->values[vid].name) & (p->names_cap - 1);
  while (p->names[i]) i = (i + 1) & (p->names_cap - 1);
  p->names[i] = vid + 1;
}

void spcc_names_add(spcc_parser *p, int vid) {
  if ((p->names_used + 1) * 2 > p->names_cap) {
    int *old = p->names;
    size_t old_cap = p->names_cap;
    p->names_cap = old_cap ? old_cap * 2 : 64;
    p->names = calloc(p->names_cap, sizeof *p->names);
    if (!p->names) spcc_assert_fail("out of memory", __FILE__, __LINE__);
    for (size_t i = 0; i < old_cap; i++)
      if (old[i]) names_insert(p, old[i] - 1);
    free(old);
  }
  names_insert(p, vid);
  p->names_used++;
}
