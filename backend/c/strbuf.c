/* strbuf.c - growable text buffer used while emitting C. */
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>

#include "../../ir/ir.h"

void spcc_sb_vprintf(spcc_strbuf *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  if (n < 0) {
    va_end(ap2);
    return;
  }
  if (b->len + (size_t)n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + (size_t)n + 1) cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) spcc_assert_fail("out of memory", __FILE__, __LINE__);
    b->data = p;
    b->cap = cap;
  }
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
  b->len += (size_t)n;
  va_end(ap2);
}

void spcc_sb_printf(spcc_strbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  spcc_sb_vprintf(b, fmt, ap);
  va_end(ap);
}

void spcc_sb_free(spcc_strbuf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}
