/* parse.h - the parser's shared state and helpers, split between parse.c
 * (graph structure: header, statements, nodes) and parse_data.c (tokens,
 * numbers, types and constant payloads). Internal to ir/.
 *
 * Every helper returns false after reporting the first error as
 * "file:LINE:COL: error: ..."; later errors are suppressed so one mistake
 * gives one message.
 */
#ifndef SPCC_IR_PARSE_H
#define SPCC_IR_PARSE_H

#include "ir.h"
#include "text.h"

typedef struct {
  spcc_lexer lx;
  spcc_token tok;       /* the current token */
  const char *file;     /* text name for diagnostics and side files */
  spcc_diag *d;
  spcc_graph *g;
  bool failed;
  int *names;           /* open-addressing table: value id + 1, 0 = empty */
  size_t names_cap;
  size_t names_used;
} spcc_parser;

bool spcc_parse_error_at(spcc_parser *p, int line, int col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* An error at the current token (a lexer error message wins). */
bool spcc_parse_fail(spcc_parser *p, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

void spcc_parse_next(spcc_parser *p);
bool spcc_parse_is_punct(const spcc_parser *p, char c);
bool spcc_parse_is_ident(const spcc_parser *p, const char *word);
bool spcc_parse_punct(spcc_parser *p, char c);             /* expect and skip */
bool spcc_parse_keyword(spcc_parser *p, const char *word); /* expect and skip */

/* Numbers at the current token; each consumes it on success. */
bool spcc_parse_int(spcc_parser *p, int64_t lo, int64_t hi, int64_t *out);
bool spcc_parse_f32(spcc_parser *p, float *out);
/* The current INT or FLOAT token as a float, without consuming it. */
bool spcc_parse_number_f32(spcc_parser *p, float *out);

/* type := '?' | DTYPE '[' dims ']' [encoding]   encoding: dense | csr[<idx=uB>] | bsr<RxC[, idx=uB]> | nm<N:M, axis=A[, idx=uB]> */
bool spcc_parse_type(spcc_parser *p, spcc_type *t);
/* Optional '@arena[off,end)' after a type; *offset = -1 when absent. */
bool spcc_parse_place(spcc_parser *p, const spcc_type *t, int64_t *offset);
/* data=[...] or data=file(...) for a static type; adds the payload to the
 * graph and returns its const id. */
bool spcc_parse_data(spcc_parser *p, const spcc_type *t, int *const_id);

/* Value names -> ids. */
int spcc_names_find(const spcc_parser *p, const char *name);
void spcc_names_add(spcc_parser *p, int vid);

#endif
