/* tensor_io.c - reading and writing tensors as .pb (TensorProto) and .npy.
 *
 * `spcc run -i`, `--bind` and the conformance tests exchange tensors in the
 * two formats ONNX users already have: serialized TensorProtos (the ONNX
 * test data's input_0.pb) and NumPy .npy files. Readers choose the format by
 * the file's magic bytes, not its name, so a misnamed file still loads.
 * Writers never leave a partial file behind (spcc_fe_write_parts writes a
 * temporary file and renames it over the target once it is complete).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"

static const char npy_magic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

void spcc_tensor_free(spcc_tensor *t) {
  if (!t) return;
  free(t->data);
  free(t->name);
  memset(t, 0, sizeof *t);
}

/* ---- .npy header --------------------------------------------------------------- */

/* A cursor over the header, a Python dict literal such as
 * {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } */
typedef struct {
  const char *p, *end;
} cursor;

static void skip_ws(cursor *c) {
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
    c->p++;
}

static bool eat(cursor *c, char ch) {
  skip_ws(c);
  if (c->p < c->end && *c->p == ch) {
    c->p++;
    return true;
  }
  return false;
}

/* A quoted string without escapes (numpy never writes any in its keys or
 * type strings). */
static bool parse_str(cursor *c, char *out, size_t cap) {
  skip_ws(c);
  if (c->p >= c->end || (*c->p != '\'' && *c->p != '"')) return false;
  char q = *c->p++;
  size_t n = 0;
  while (c->p < c->end && *c->p != q) {
    if (*c->p == '\\' || n + 1 >= cap) return false;
    out[n++] = *c->p++;
  }
  if (c->p >= c->end) return false;
  c->p++;
  out[n] = 0;
  return true;
}

static bool parse_word(cursor *c, const char *w) {
  skip_ws(c);
  size_t n = strlen(w);
  if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0) return false;
  c->p += n;
  return true;
}

/* "(2, 3)", "(5,)", "()"; rank > SPCC_MAX_RANK sets *rank past the limit. */
static bool parse_shape(cursor *c, int *rank, int64_t *dims) {
  if (!eat(c, '(')) return false;
  *rank = 0;
  for (;;) {
    if (eat(c, ')')) return true;
    skip_ws(c);
    if (c->p >= c->end || *c->p < '0' || *c->p > '9') return false;
    int64_t v = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
      if (v > (INT64_MAX - 9) / 10) return false;
      v = v * 10 + (*c->p++ - '0');
    }
    if (c->p < c->end && *c->p == 'L') c->p++; /* Python 2 longs */
    if (*rank < SPCC_MAX_RANK) dims[*rank] = v;
    if (*rank <= SPCC_MAX_RANK) (*rank)++;
    if (!eat(c, ',')) return eat(c, ')');
  }
}

static bool npy_dtype(const char *descr, spcc_dtype *dt) {
  static const struct {
    const char *code;
    spcc_dtype dt;
  } codes[] = {{"f4", SPCC_DT_F32}, {"f8", SPCC_DT_F64}, {"i1", SPCC_DT_I8},
               {"i2", SPCC_DT_I16}, {"i4", SPCC_DT_I32}, {"i8", SPCC_DT_I64},
               {"u1", SPCC_DT_U8},  {"u2", SPCC_DT_U16}, {"u4", SPCC_DT_U32},
               {"u8", SPCC_DT_U64}, {"b1", SPCC_DT_BOOL}};
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
    if (strcmp(descr + 1, codes[i].code) == 0) {
      *dt = codes[i].dt;
      return true;
    }
  return false;
}

static bool read_npy(const char *path, const uint8_t *buf, size_t len, spcc_tensor *t,
                     spcc_diag *d) {
  if (len < 10) {
    spcc_error(d, path, NULL, "truncated .npy header");
    return false;
  }
  int major = buf[6], minor = buf[7];
  size_t hl, start;
  if (major == 1) {
    hl = (size_t)buf[8] | (size_t)buf[9] << 8;
    start = 10;
  } else if (major == 2 || major == 3) {
    if (len < 12) {
      spcc_error(d, path, NULL, "truncated .npy header");
      return false;
    }
    hl = (size_t)buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 | (size_t)buf[11] << 24;
    start = 12;
  } else {
    spcc_error(d, path, NULL, "unsupported .npy version %d.%d", major, minor);
    return false;
  }
  if (hl > len - start) {
    spcc_error(d, path, NULL, "truncated .npy header");
    return false;
  }
  cursor c = {(const char *)buf + start, (const char *)buf + start + hl};
  char key[32], descr[32] = "";
  int have = 0, rank = 0, fortran = 0;
  int64_t dims[SPCC_MAX_RANK] = {0};
  bool ok = eat(&c, '{'), closed = false;
  while (ok && !closed) {
    if (eat(&c, '}')) {
      closed = true;
      break;
    }
    ok = parse_str(&c, key, sizeof key) && eat(&c, ':');
    if (!ok) break;
    if (strcmp(key, "descr") == 0) {
      skip_ws(&c);
      if (c.p < c.end && *c.p == '[') {
        spcc_error(d, path, NULL, "unsupported .npy element type: structured array");
        return false;
      }
      ok = parse_str(&c, descr, sizeof descr);
      have |= 1;
    } else if (strcmp(key, "fortran_order") == 0) {
      if (parse_word(&c, "True"))
        fortran = 1;
      else
        ok = parse_word(&c, "False");
      have |= 2;
    } else if (strcmp(key, "shape") == 0) {
      ok = parse_shape(&c, &rank, dims);
      have |= 4;
    } else {
      ok = false;
    }
    if (ok && !eat(&c, ',')) ok = closed = eat(&c, '}');
  }
  skip_ws(&c); /* numpy pads the dict with spaces and a newline */
  if (c.p != c.end) ok = false;
  if (!ok || have != 7) {
    spcc_error(d, path, NULL, "malformed .npy header");
    return false;
  }
  if (fortran) {
    spcc_error(d, path, NULL, "unsupported .npy layout: fortran_order is True (save a C-order array)");
    return false;
  }
  spcc_dtype dt;
  if (strlen(descr) < 3 || !strchr("<>|=", descr[0]) || !npy_dtype(descr, &dt)) {
    spcc_error(d, path, NULL, "unsupported .npy element type '%s'", descr);
    return false;
  }
  size_t es = spcc_dtype_size(dt);
  /* '=' means the writer's native order, which numpy itself never writes;
   * take it as the common little-endian case. Order is moot for one byte. */
  if (descr[0] == '>' && es > 1) {
    spcc_error(d, path, NULL, "unsupported .npy byte order in '%s' (only little-endian)", descr);
    return false;
  }
  if (rank > SPCC_MAX_RANK) {
    spcc_error(d, path, NULL, "unsupported rank %d (spcc supports up to %d)", rank,
               SPCC_MAX_RANK);
    return false;
  }
  int64_t numel = spcc_fe_numel(rank, dims);
  if (numel < 0 || (uint64_t)numel > SIZE_MAX / es) {
    spcc_error(d, path, NULL, ".npy shape is impossibly large");
    return false;
  }
  size_t bytes = (size_t)numel * es, have_bytes = len - start - hl;
  if (have_bytes != bytes) {
    spcc_error(d, path, NULL, ".npy file holds %zu bytes of data, expected %zu (%lld x %s)",
               have_bytes, bytes, (long long)numel, spcc_dtype_name(dt));
    return false;
  }
  void *data = malloc(bytes ? bytes : 1);
  if (!data) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  if (bytes) memcpy(data, buf + start + hl, bytes);
  spcc_fe_le_to_host(data, numel, es);
  if (dt == SPCC_DT_BOOL)
    for (size_t i = 0; i < bytes; i++) ((uint8_t *)data)[i] = ((uint8_t *)data)[i] != 0;
  t->dtype = dt;
  t->rank = rank;
  memcpy(t->dims, dims, sizeof dims);
  t->numel = numel;
  t->data = data;
  return true;
}

/* ---- reading -------------------------------------------------------------------- */

static bool read_pb(const char *path, const uint8_t *buf, size_t len, spcc_tensor *t,
                    spcc_diag *d) {
  bool too_deep;
  Onnx__TensorProto *tp =
      (Onnx__TensorProto *)spcc_fe_unpack(&onnx__tensor_proto__descriptor, buf, len, &too_deep);
  if (!tp) {
    spcc_error(d, path, NULL, "not a valid TensorProto or .npy file (protobuf parse failed)");
    return false;
  }
  const char *name = tp->name ? tp->name : "";
  char what[160];
  if (*name)
    snprintf(what, sizeof what, "tensor '%.120s'", name);
  else
    snprintf(what, sizeof what, "tensor");
  bool ok = spcc_fe_tensor_from_proto(tp, path, what, t, d);
  if (ok && *name) {
    t->name = strdup(name);
    if (!t->name) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  }
  onnx__tensor_proto__free_unpacked(tp, NULL);
  return ok;
}

bool spcc_tensor_read(const char *path, spcc_tensor *t, spcc_diag *d) {
  memset(t, 0, sizeof *t);
  uint8_t *buf;
  size_t len;
  if (!spcc_fe_read_file(path, &buf, &len, d)) return false;
  bool ok = len >= sizeof npy_magic && memcmp(buf, npy_magic, sizeof npy_magic) == 0
                ? read_npy(path, buf, len, t, d)
                : read_pb(path, buf, len, t, d);
  free(buf);
  if (!ok) spcc_tensor_free(t);
  return ok;
}

/* ---- writing -------------------------------------------------------------------- */

static const char *npy_descr(spcc_dtype dt) {
  switch (dt) {
  case SPCC_DT_F32: return "<f4";
  case SPCC_DT_F64: return "<f8";
  case SPCC_DT_I8: return "|i1";
  case SPCC_DT_I16: return "<i2";
  case SPCC_DT_I32: return "<i4";
  case SPCC_DT_I64: return "<i8";
  case SPCC_DT_U8: return "|u1";
  case SPCC_DT_U16: return "<u2";
  case SPCC_DT_U32: return "<u4";
  case SPCC_DT_U64: return "<u8";
  case SPCC_DT_BOOL: return "|b1";
  default: return NULL;
  }
}

static bool write_npy(const char *path, const spcc_tensor *t, spcc_diag *d) {
  if (!spcc_fe_tensor_check(t, path, d)) return false;
  const char *descr = npy_descr(t->dtype);
  SPCC_ASSERT(descr); /* every dtype the check lets through has one */
  /* Version 1.0: magic, version, u16 header length, then the dict padded
   * with spaces and a newline so the data starts 64-byte aligned. */
  char head[512];
  size_t n = 10;
  n += (size_t)snprintf(head + n, sizeof head - n, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                        descr);
  for (int i = 0; i < t->rank; i++)
    n += (size_t)snprintf(head + n, sizeof head - n, "%s%lld", i ? ", " : "",
                          (long long)t->dims[i]);
  n += (size_t)snprintf(head + n, sizeof head - n, "%s), }", t->rank == 1 ? "," : "");
  while ((n + 1) % 64 != 0) head[n++] = ' ';
  head[n++] = '\n';
  memcpy(head, npy_magic, sizeof npy_magic);
  head[6] = 1;
  head[7] = 0;
  head[8] = (char)((n - 10) & 0xff);
  head[9] = (char)((n - 10) >> 8);

  void *swapped;
  const uint8_t *body = spcc_fe_le_data(t, &swapped);
  bool ok = spcc_fe_write_parts(path, (const uint8_t *)head, n, body,
                                (size_t)t->numel * spcc_dtype_size(t->dtype), d);
  free(swapped);
  return ok;
}

bool spcc_tensor_write(const char *path, const spcc_tensor *t, bool npy, spcc_diag *d) {
  if (npy) return write_npy(path, t, d);
  uint8_t *buf;
  size_t len;
  if (!spcc_fe_tensor_pack(t, path, &buf, &len, d)) return false;
  bool ok = spcc_fe_write_file(path, buf, len, d);
  free(buf);
  return ok;
}
