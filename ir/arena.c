/* arena.c - bump allocator for IR strings and small arrays. Nothing is freed
 * one by one; spcc_arena_free releases every chunk at once. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

typedef struct chunk {
  struct chunk *next;
  size_t used, cap;
  _Alignas(16) unsigned char data[];
} chunk;

struct spcc_arena {
  chunk *head;
};

spcc_arena *spcc_arena_new(void) {
  spcc_arena *a = calloc(1, sizeof *a);
  if (!a) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  return a;
}

void spcc_arena_free(spcc_arena *a) {
  if (!a) return;
  for (chunk *c = a->head, *next; c; c = next) {
    next = c->next;
    free(c);
  }
  free(a);
}

void *spcc_arena_alloc(spcc_arena *a, size_t bytes) {
  bytes = (bytes + 15) & ~(size_t)15;
  if (bytes == 0) bytes = 16;
  chunk *c = a->head;
  if (!c || c->cap - c->used < bytes) {
    size_t cap = bytes > 65536 ? bytes : 65536;
    c = malloc(sizeof *c + cap);
    if (!c) spcc_assert_fail("out of memory", __FILE__, __LINE__);
    c->used = 0;
    c->cap = cap;
    c->next = a->head;
    a->head = c;
  }
  void *p = c->data + c->used;
  c->used += bytes;
  memset(p, 0, bytes);
  return p;
}

char *spcc_arena_strdup(spcc_arena *a, const char *s) {
  size_t n = strlen(s);
  char *p = spcc_arena_alloc(a, n + 1);
  memcpy(p, s, n + 1);
  return p;
}

char *spcc_arena_printf(spcc_arena *a, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *p = spcc_arena_alloc(a, (size_t)(n < 0 ? 0 : n) + 1);
  vsnprintf(p, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  return p;
}
