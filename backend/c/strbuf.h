/* strbuf.h - a growable text buffer for the emitters. */
#ifndef SPCC_BACKEND_C_STRBUF_H
#define SPCC_BACKEND_C_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct {
  char *data; /* NUL-terminated, malloc'd */
  size_t len, cap;
} spcc_strbuf;

void spcc_sb_vprintf(spcc_strbuf *b, const char *fmt, va_list ap);
void spcc_sb_printf(spcc_strbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void spcc_sb_free(spcc_strbuf *b);

#endif
