/* text.h - pieces shared by the IR text printer (print.c), lexer (lex.c) and
 * parser (parse.c). Internal to ir/: the public entry points are in ir.h.
 *
 * The printer and the lexer must agree on which names print bare and which
 * need quotes, and on how numbers are spelled, or print(parse(print(g)))
 * would drift; keeping both rules here keeps them in one place.
 */
#ifndef SPCC_IR_TEXT_H
#define SPCC_IR_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A value or graph name prints bare after its sigil (%x, $w, @g) when it is
 * non-empty and made of [A-Za-z0-9_.] only; anything else is quoted. */
bool spcc_text_name_char(int c);
bool spcc_text_is_plain_name(const char *s);
/* Attribute names print bare when they match [A-Za-z_][A-Za-z0-9_.]*. */
bool spcc_text_is_plain_ident(const char *s);

/* Writes s as a double-quoted string: \" \\ \n \t \r and \xHH for other
 * control bytes; bytes >= 0x80 pass through so UTF-8 stays readable. */
void spcc_text_put_string(FILE *out, const char *s);

/* ---- lexer (lex.c) ------------------------------------------------------ */

typedef enum {
  SPCC_TOK_EOF = 0,
  SPCC_TOK_IDENT,  /* bare word: keyword, op, dtype, attribute name, "_" */
  SPCC_TOK_LOCAL,  /* %name: an input or a temporary; text = decoded name */
  SPCC_TOK_CONST,  /* $name: a constant */
  SPCC_TOK_AT,     /* @name: graph name, @arena */
  SPCC_TOK_STRING, /* "..."; text = decoded bytes */
  SPCC_TOK_INT,    /* -?[0-9]+ ; text = spelling */
  SPCC_TOK_FLOAT,  /* decimal with . or e, hex float, inf, nan, nan(0x..) */
  SPCC_TOK_ARROW,  /* -> */
  SPCC_TOK_PUNCT,  /* one of ( ) { } [ ] , = : ? * < > */
  SPCC_TOK_ERROR,  /* text = message */
} spcc_tok_kind;

typedef struct {
  spcc_tok_kind kind;
  int line, col;   /* 1-based position of the token's first byte */
  char punct;      /* PUNCT: the character */
  const char *text; /* NUL-terminated; owned by the lexer, valid until the next token */
  size_t len;       /* bytes in text (decoded names never hold NUL) */
} spcc_token;

typedef struct {
  const char *src;  /* NUL-terminated input */
  size_t pos;
  int line, col;
  char *buf;        /* decoded text of the current token (malloc'd) */
  size_t buf_len, buf_cap;
} spcc_lexer;

void spcc_lex_init(spcc_lexer *lx, const char *src);
void spcc_lex_free(spcc_lexer *lx);
/* Reads the next token; comments (# to end of line) and blanks are skipped. */
void spcc_lex_next(spcc_lexer *lx, spcc_token *t);

#endif
