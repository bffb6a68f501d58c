/* prune_recipe.c - the --prune-recipe file: a fraction of zeros per weight.
 *
 * The format is deliberately plain so people write it by hand and scripts
 * generate it with printf:
 *
 *     # comment lines start with '#'
 *     fc1.weight 0.9
 *     conv2.weight   0.5
 *
 * The fraction is the last whitespace-separated field of a line and the
 * name everything before it (trimmed), so ONNX names that contain spaces
 * still work. Every mistake is reported with its line, "FILE:LINE: error:
 * ...", like a compiler does; matching names against the graph's weights is
 * sparsify's job, which knows the line of each entry.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prune.h"

static bool is_blank(char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'; }

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void line_error(spcc_diag *d, const char *path, int line, const char *fmt, ...) {
  char where[1024], body[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(body, sizeof body, fmt, ap);
  va_end(ap);
  snprintf(where, sizeof where, "%s:%d", path, line);
  spcc_error(d, where, NULL, "%s", body);
}

/* Parses one non-comment line in place: name and fraction. */
static bool parse_line(char *s, const char *path, int line, char **name, double *fraction,
                       spcc_diag *d) {
  size_t len = strlen(s);
  while (len && is_blank(s[len - 1])) s[--len] = 0;
  while (is_blank(*s)) s++, len--;
  char *last = s + len;
  while (last > s && !is_blank(last[-1])) last--;
  if (last == s) {
    line_error(d, path, line, "expected NAME FRACTION, got '%s'", s);
    return false;
  }
  char *end_name = last;
  while (end_name > s && is_blank(end_name[-1])) end_name--;
  *end_name = 0;
  char *end;
  errno = 0;
  double f = strtod(last, &end);
  if (end == last || *end || errno || !(f >= 0.0 && f < 1.0)) {
    line_error(d, path, line, "'%s' is not a fraction in [0, 1)", last);
    return false;
  }
  *name = s;
  *fraction = f;
  return true;
}

bool spcc_recipe_read(const char *path, spcc_recipe_entry **out, int *n, spcc_diag *d) {
  *out = NULL;
  *n = 0;
  FILE *f = fopen(path, "r");
  if (!f) {
    spcc_error(d, path, NULL, "cannot open the prune recipe: %s", strerror(errno));
    return false;
  }
  spcc_recipe_entry *e = NULL;
  int count = 0, cap = 0, line = 0;
  bool ok = true;
  char *buf = NULL;
  size_t bufcap = 0;
  while (ok && getline(&buf, &bufcap, f) >= 0) {
    line++;
    char *s = buf;
    while (is_blank(*s)) s++;
    if (!*s || *s == '#') continue;
    char *name;
    double fraction;
    if (!parse_line(s, path, line, &name, &fraction, d)) {
      ok = false;
      break;
    }
    for (int i = 0; i < count; i++)
      if (strcmp(e[i].name, name) == 0) {
        line_error(d, path, line, "'%s' is already given on line %d", name, e[i].line);
        ok = false;
        break;
      }
    if (!ok) break;
    if (count == cap) {
      cap = cap ? 2 * cap : 16;
      e = realloc(e, sizeof *e * (size_t)cap);
      if (!e) spcc_assert_fail("out of memory", __FILE__, __LINE__);
    }
    e[count].name = strdup(name);
    if (!e[count].name) spcc_assert_fail("out of memory", __FILE__, __LINE__);
    e[count].fraction = fraction;
    e[count].line = line;
    count++;
  }
  if (ok && ferror(f)) {
    spcc_error(d, path, NULL, "cannot read the prune recipe: %s", strerror(errno));
    ok = false;
  }
  free(buf);
  fclose(f);
  if (ok && count == 0) {
    spcc_error(d, path, NULL, "the prune recipe names no weight (expected lines NAME FRACTION)");
    ok = false;
  }
  if (!ok) {
    spcc_recipe_free(e, count);
    return false;
  }
  *out = e;
  *n = count;
  return true;
}

void spcc_recipe_free(spcc_recipe_entry *e, int n) {
  for (int i = 0; i < n; i++) free(e[i].name);
  free(e);
}
