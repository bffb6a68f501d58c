/* lex.c - tokens of the IR text form, for parse.c.
 *
 * The lexer only splits and decodes: names after a sigil (%x, $w, @g, or a
 * quoted %"conv1/out:0"), strings with escapes, and numbers, which it
 * classifies as INT or FLOAT but does not convert, because the right
 * conversion depends on the element type the parser expects (an i64 literal
 * must not pass through a double). Every token carries its line and column
 * so parse errors can point at it. The input may end anywhere; a truncated
 * token becomes an ERROR token, never a read past the end.
 */
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "text.h"

void spcc_lex_init(spcc_lexer *lx, const char *src) {
  memset(lx, 0, sizeof *lx);
  lx->src = src;
  lx->line = 1;
  lx->col = 1;
}

void spcc_lex_free(spcc_lexer *lx) {
  free(lx->buf);
  lx->buf = NULL;
  lx->buf_len = lx->buf_cap = 0;
}

static int peek(const spcc_lexer *lx, size_t ahead) {
  /* Never look past the terminating NUL. */
  for (size_t i = 0; i < ahead; i++)
    if (lx->src[lx->pos + i] == '\0') return 0;
  return (unsigned char)lx->src[lx->pos + ahead];
}

static void advance(spcc_lexer *lx) {
  if (lx->src[lx->pos] == '\0') return;
  if (lx->src[lx->pos] == '\n') {
    lx->line++;
    lx->col = 1;
  } else {
    lx->col++;
  }
  lx->pos++;
}

static void buf_clear(spcc_lexer *lx) {
  lx->buf_len = 0;
  if (!lx->buf) {
    lx->buf_cap = 64;
    lx->buf = malloc(lx->buf_cap);
    if (!lx->buf) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  }
  lx->buf[0] = '\0';
}

static void buf_put(spcc_lexer *lx, char c) {
  if (lx->buf_len + 2 > lx->buf_cap) {
    lx->buf_cap *= 2;
    lx->buf = realloc(lx->buf, lx->buf_cap);
    if (!lx->buf) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  }
  lx->buf[lx->buf_len++] = c;
  lx->buf[lx->buf_len] = '\0';
}

static void buf_puts(spcc_lexer *lx, const char *s) {
  while (*s) buf_put(lx, *s++);
}

static void set_error(spcc_lexer *lx, spcc_token *t, const char *msg) {
  buf_clear(lx);
  buf_puts(lx, msg);
  t->kind = SPCC_TOK_ERROR;
}

static int hex_digit(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static bool is_ident_start(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* A quoted string starting at the opening quote; decoded into buf. */
static void lex_string(spcc_lexer *lx, spcc_token *t) {
  advance(lx);
  buf_clear(lx);
  for (;;) {
    int c = peek(lx, 0);
    if (c == 0 || c == '\n') {
      set_error(lx, t, "unterminated string");
      return;
    }
    advance(lx);
    if (c == '"') break;
    if (c != '\\') {
      buf_put(lx, (char)c);
      continue;
    }
    int e = peek(lx, 0);
    advance(lx);
    switch (e) {
    case '"': buf_put(lx, '"'); break;
    case '\\': buf_put(lx, '\\'); break;
    case 'n': buf_put(lx, '\n'); break;
    case 't': buf_put(lx, '\t'); break;
    case 'r': buf_put(lx, '\r'); break;
    case 'x': {
      int hi = hex_digit(peek(lx, 0)), lo = hi < 0 ? -1 : hex_digit(peek(lx, 1));
      if (hi < 0 || lo < 0) {
        set_error(lx, t, "bad \\x escape in string (two hex digits expected)");
        return;
      }
      advance(lx);
      advance(lx);
      if (hi == 0 && lo == 0) {
        set_error(lx, t, "strings cannot hold NUL bytes");
        return;
      }
      buf_put(lx, (char)(hi * 16 + lo));
      break;
    }
    default: set_error(lx, t, "unknown escape in string"); return;
    }
  }
  t->kind = SPCC_TOK_STRING;
}

/* Copies the bytes [start, pos) into buf. */
static void take_span(spcc_lexer *lx, size_t start) {
  buf_clear(lx);
  for (size_t i = start; i < lx->pos; i++) buf_put(lx, lx->src[i]);
}

/* inf, nan and nan(0xBITS) after an optional '-' already consumed. */
static void lex_special_float(spcc_lexer *lx, spcc_token *t, size_t start) {
  bool nan = peek(lx, 0) == 'n';
  for (int i = 0; i < 3; i++) advance(lx);
  if (nan && peek(lx, 0) == '(') {
    advance(lx);
    if (peek(lx, 0) != '0' || (peek(lx, 1) != 'x' && peek(lx, 1) != 'X')) {
      set_error(lx, t, "NaN payload must be nan(0xBITS)");
      return;
    }
    advance(lx);
    advance(lx);
    int digits = 0;
    while (hex_digit(peek(lx, 0)) >= 0) {
      advance(lx);
      digits++;
    }
    if (digits == 0 || peek(lx, 0) != ')') {
      set_error(lx, t, "NaN payload must be nan(0xBITS)");
      return;
    }
    advance(lx);
  }
  take_span(lx, start);
  t->kind = SPCC_TOK_FLOAT;
}

/* Numbers: -?digits, decimal floats (with . or an exponent), hex floats
 * (0x1.8p+3, the exponent is required), inf, nan, nan(0x7fc00000). */
static void lex_number(spcc_lexer *lx, spcc_token *t) {
  size_t start = lx->pos;
  if (peek(lx, 0) == '-') advance(lx);
  int c = peek(lx, 0);
  if ((c == 'i' && peek(lx, 1) == 'n' && peek(lx, 2) == 'f') ||
      (c == 'n' && peek(lx, 1) == 'a' && peek(lx, 2) == 'n')) {
    if (!spcc_text_name_char(peek(lx, 3))) {
      lex_special_float(lx, t, start);
      return;
    }
  }
  if (!is_digit(c)) {
    set_error(lx, t, "expected a number after '-'");
    return;
  }
  bool is_float = false;
  if (c == '0' && (peek(lx, 1) == 'x' || peek(lx, 1) == 'X')) {
    advance(lx);
    advance(lx);
    int digits = 0;
    while (hex_digit(peek(lx, 0)) >= 0) advance(lx), digits++;
    if (peek(lx, 0) == '.') {
      advance(lx);
      while (hex_digit(peek(lx, 0)) >= 0) advance(lx), digits++;
    }
    if (digits == 0 || (peek(lx, 0) != 'p' && peek(lx, 0) != 'P')) {
      set_error(lx, t, "hex numbers are floats and need a p exponent (0x1.8p+3)");
      return;
    }
    advance(lx);
    if (peek(lx, 0) == '+' || peek(lx, 0) == '-') advance(lx);
    if (!is_digit(peek(lx, 0))) {
      set_error(lx, t, "missing exponent digits in hex float");
      return;
    }
    while (is_digit(peek(lx, 0))) advance(lx);
    is_float = true;
  } else {
    while (is_digit(peek(lx, 0))) advance(lx);
    /* "4x1" (a BSR block shape) is the INT 4 then the word x1. */
    if (peek(lx, 0) == 'x' && is_digit(peek(lx, 1))) {
      take_span(lx, start);
      t->kind = SPCC_TOK_INT;
      return;
    }
    if (peek(lx, 0) == '.') {
      is_float = true;
      advance(lx);
      while (is_digit(peek(lx, 0))) advance(lx);
    }
    if (peek(lx, 0) == 'e' || peek(lx, 0) == 'E') {
      is_float = true;
      advance(lx);
      if (peek(lx, 0) == '+' || peek(lx, 0) == '-') advance(lx);
      if (!is_digit(peek(lx, 0))) {
        set_error(lx, t, "missing exponent digits in number");
        return;
      }
      while (is_digit(peek(lx, 0))) advance(lx);
    }
  }
  if (spcc_text_name_char(peek(lx, 0))) {
    set_error(lx, t, "malformed number");
    return;
  }
  take_span(lx, start);
  t->kind = is_float ? SPCC_TOK_FLOAT : SPCC_TOK_INT;
}

/* %name, $name, @name: a bare run of name characters or a quoted string. */
static void lex_sigil(spcc_lexer *lx, spcc_token *t, spcc_tok_kind kind) {
  advance(lx);
  if (peek(lx, 0) == '"') {
    lex_string(lx, t);
    if (t->kind == SPCC_TOK_ERROR) return;
  } else {
    size_t start = lx->pos;
    while (spcc_text_name_char(peek(lx, 0))) advance(lx);
    if (lx->pos == start) {
      set_error(lx, t, "expected a name after the sigil");
      return;
    }
    take_span(lx, start);
  }
  t->kind = kind;
}

void spcc_lex_next(spcc_lexer *lx, spcc_token *t) {
  /* Blanks and comments. */
  for (;;) {
    int c = peek(lx, 0);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      advance(lx);
    } else if (c == '#') {
      while (peek(lx, 0) && peek(lx, 0) != '\n') advance(lx);
    } else {
      break;
    }
  }
  memset(t, 0, sizeof *t);
  t->line = lx->line;
  t->col = lx->col;
  buf_clear(lx);
  int c = peek(lx, 0);
  if (c == 0) {
    t->kind = SPCC_TOK_EOF;
  } else if (c == '%') {
    lex_sigil(lx, t, SPCC_TOK_LOCAL);
  } else if (c == '$') {
    lex_sigil(lx, t, SPCC_TOK_CONST);
  } else if (c == '@') {
    lex_sigil(lx, t, SPCC_TOK_AT);
  } else if (c == '"') {
    lex_string(lx, t);
  } else if (c == '-' && peek(lx, 1) == '>') {
    advance(lx);
    advance(lx);
    t->kind = SPCC_TOK_ARROW;
    buf_puts(lx, "->");
  } else if (c == '-' || is_digit(c)) {
    lex_number(lx, t);
  } else if ((c == 'i' && peek(lx, 1) == 'n' && peek(lx, 2) == 'f' &&
              !spcc_text_name_char(peek(lx, 3))) ||
             (c == 'n' && peek(lx, 1) == 'a' && peek(lx, 2) == 'n' &&
              !spcc_text_name_char(peek(lx, 3)))) {
    lex_number(lx, t);
  } else if (is_ident_start(c)) {
    size_t start = lx->pos;
    while (spcc_text_name_char(peek(lx, 0))) advance(lx);
    take_span(lx, start);
    t->kind = SPCC_TOK_IDENT;
  } else if (strchr("(){}[],=:?*<>", c)) {
    advance(lx);
    t->kind = SPCC_TOK_PUNCT;
    t->punct = (char)c;
    buf_put(lx, (char)c);
  } else {
    advance(lx);
    set_error(lx, t, "unexpected character");
  }
  t->text = lx->buf;
  t->len = lx->buf_len;
}
