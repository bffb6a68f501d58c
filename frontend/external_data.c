/* external_data.c - tensors whose bytes live in a file beside the model.
 *
 * ONNX lets an initializer keep its data outside the protobuf
 * (data_location = EXTERNAL): the entries of external_data name a file
 * ("location", relative to the model's directory), an "offset" and a
 * "length" in bytes; the bytes are laid out as raw_data would be. Models
 * over 2 GB must be saved this way and exporters often do it for large
 * weights anyway. The location is data from the file, so it may not
 * leave the model's directory (no absolute path, no ".." component), and
 * offset and length are checked against the file and the tensor's size.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "frontend.h"

bool spcc_fe_is_external(const Onnx__TensorProto *tp) {
  return (tp->has_data_location &&
          tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) ||
         tp->n_external_data > 0;
}

/* A non-negative decimal integer, or -1. */
static int64_t parse_count(const char *s) {
  if (!s || !*s) return -1;
  int64_t v = 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10) return -1;
    v = v * 10 + (*s - '0');
  }
  return v;
}

/* Whether location stays inside the model's directory. */
static bool safe_location(const char *loc) {
  if (!*loc || loc[0] == '/' || loc[0] == '\\') return false;
  for (const char *p = loc; *p;) {
    const char *end = p;
    while (*end && *end != '/' && *end != '\\') end++;
    if (end - p == 2 && p[0] == '.' && p[1] == '.') return false;
    p = *end ? end + 1 : end;
  }
  return true;
}

void *spcc_fe_read_external(const Onnx__TensorProto *tp, const char *base_dir, size_t bytes,
                            const char *where, const char *what, spcc_diag *d) {
  if (!base_dir) {
    spcc_error(d, where, NULL, "%s: unsupported: external data outside a model file", what);
    return NULL;
  }
  const char *loc = NULL;
  int64_t offset = 0, length = -1;
  for (size_t k = 0; k < tp->n_external_data; k++) {
    const Onnx__StringStringEntryProto *e = tp->external_data[k];
    if (!e || !e->key) continue;
    if (strcmp(e->key, "location") == 0) {
      loc = e->value;
    } else if (strcmp(e->key, "offset") == 0 || strcmp(e->key, "length") == 0) {
      int64_t v = parse_count(e->value);
      if (v < 0) {
        spcc_error(d, where, NULL, "%s: external data %s '%s' is not a byte count", what, e->key,
                   e->value ? e->value : "");
        return NULL;
      }
      *(strcmp(e->key, "offset") == 0 ? &offset : &length) = v;
    }
  }
  if (!loc || !safe_location(loc)) {
    spcc_error(d, where, NULL, "%s: external data location '%s' %s", what, loc ? loc : "",
               loc ? "leaves the model's directory" : "is missing");
    return NULL;
  }
  if (length >= 0 && (uint64_t)length != bytes) {
    spcc_error(d, where, NULL, "%s: external data length %lld, expected %zu bytes", what,
               (long long)length, bytes);
    return NULL;
  }
  size_t n = strlen(base_dir) + strlen(loc) + 2;
  char *path = malloc(n);
  if (!path) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  snprintf(path, n, "%s/%s", base_dir, loc);
  void *data = malloc(bytes ? bytes : 1);
  if (!data) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  FILE *f = fopen(path, "rb");
  bool ok = f != NULL;
  if (!ok)
    spcc_error(d, where, NULL, "%s: cannot open external data '%s': %s", what, path,
               strerror(errno));
  if (ok && (offset > 0 && fseeko(f, (off_t)offset, SEEK_SET) != 0)) ok = false;
  if (ok && bytes && fread(data, 1, bytes, f) != bytes) ok = false;
  if (f && !ok)
    spcc_error(d, where, NULL, "%s: external data '%s' has no %zu bytes at offset %lld", what,
               path, bytes, (long long)offset);
  if (f) fclose(f);
  free(path);
  if (!ok) {
    free(data);
    return NULL;
  }
  return data;
}
