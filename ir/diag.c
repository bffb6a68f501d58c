/* diag.c - the diagnostics sink. Messages are one line each, in the form
 * `model.onnx: node 17 'conv1' (Conv): error: ...`, so tools and tests can
 * match them; library code reports here and returns false instead of
 * exiting. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

void spcc_diag_init(spcc_diag *d, FILE *stream) {
  memset(d, 0, sizeof *d);
  d->stream = stream;
}

static void report(spcc_diag *d, const char *file, const spcc_node *n, const char *kind,
                   const char *fmt, va_list ap) {
  char head[384] = "";
  size_t len = 0;
  if (file) len += (size_t)snprintf(head + len, sizeof head - len, "%s: ", file);
  if (n && len < sizeof head) {
    if (n->onnx_index >= 0)
      len += (size_t)snprintf(head + len, sizeof head - len, "node %d '%s' (%s): ",
                              n->onnx_index, n->name ? n->name : "",
                              spcc_op_onnx_name(n->op));
    else
      len += (size_t)snprintf(head + len, sizeof head - len, "node '%s' (%s): ",
                              n->name ? n->name : "", spcc_op_onnx_name(n->op));
  }
  char body[512];
  vsnprintf(body, sizeof body, fmt, ap);
  /* One line per diagnostic, whatever the message or a node name holds. */
  for (char *p = body; *p; p++)
    if (*p == '\n' || *p == '\r') *p = ' ';
  for (char *p = head; *p; p++)
    if (*p == '\n' || *p == '\r') *p = ' ';
  if (d->stream) fprintf(d->stream, "%s%s: %s\n", head, kind, body);
  if (kind[0] == 'e' && d->n_errors == 1)
    snprintf(d->first_error, sizeof d->first_error, "%s%s: %s", head, kind, body);
}

void spcc_error(spcc_diag *d, const char *file, const spcc_node *n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  d->n_errors++;
  report(d, file, n, "error", fmt, ap);
  va_end(ap);
}

void spcc_warning(spcc_diag *d, const char *file, const spcc_node *n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  d->n_warnings++;
  report(d, file, n, "warning", fmt, ap);
  va_end(ap);
}

void spcc_note(spcc_diag *d, const char *file, const spcc_node *n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report(d, file, n, "note", fmt, ap);
  va_end(ap);
}

void spcc_assert_fail(const char *expr, const char *file, int line) {
  fprintf(stderr, "spcc: internal error: %s:%d: assertion '%s' failed\n", file, line, expr);
  exit(2); /* the contract: internal errors exit 2 */
}
