/* tensor_proto.c - TensorProto <-> spcc tensor, and guarded protobuf input.
 *
 * Every TensorProto the frontend meets (initializers, Constant values, .pb
 * test files) goes through spcc_fe_tensor_from_proto, so the rules live in
 * one place: raw_data (little-endian, length exactly numel * element size)
 * wins over the typed fields; otherwise the typed field that ONNX assigns to
 * the element type must hold exactly numel values; a model's tensors may
 * keep their bytes in an external file (spcc_fe_tensor_from_proto_at,
 * frontend/external_data.c). Element types spcc has no dtype for and
 * segments are "unsupported"; inconsistent
 * counts are plain errors. Input comes from files anyone can craft, so every
 * count and product is checked before it is used. Whole files are read and
 * written here too (writes atomically, so a failed export leaves nothing).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frontend.h"

/* ---- files and wire format ------------------------------------------------ */

bool spcc_fe_read_file(const char *path, uint8_t **buf, size_t *len, spcc_diag *d) {
  *buf = NULL;
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f) {
    spcc_error(d, path, NULL, "cannot open: %s", strerror(errno));
    return false;
  }
  /* Read in growing chunks rather than trusting ftell: pipes and special
   * files have no size, and a directory only fails at the first read. */
  size_t cap = 1 << 16, n = 0;
  uint8_t *p = malloc(cap + 1);
  if (!p) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  for (;;) {
    if (n == cap) {
      if (cap > SIZE_MAX / 4) {
        free(p);
        fclose(f);
        spcc_error(d, path, NULL, "cannot open: file too large");
        return false;
      }
      cap *= 2;
      uint8_t *q = realloc(p, cap + 1);
      if (!q) spcc_assert_fail("out of memory", __FILE__, __LINE__);
      p = q;
    }
    size_t got = fread(p + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
  }
  if (ferror(f)) {
    int e = errno;
    free(p);
    fclose(f);
    spcc_error(d, path, NULL, "cannot open: %s", strerror(e ? e : EIO));
    return false;
  }
  fclose(f);
  p[n] = 0;
  *buf = p;
  *len = n;
  return true;
}

static bool read_varint(const uint8_t *p, size_t len, size_t *pos, uint64_t *v) {
  uint64_t r = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= len) return false;
    uint8_t b = p[(*pos)++];
    r |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *v = r;
      return true;
    }
  }
  return false;
}

static bool wire_walk(const uint8_t *p, size_t len, const ProtobufCMessageDescriptor *desc,
                      int depth, int max_depth, bool *too_deep) {
  if (depth > max_depth) {
    *too_deep = true;
    return false;
  }
  size_t pos = 0;
  while (pos < len) {
    uint64_t tag, v;
    if (!read_varint(p, len, &pos, &tag)) return false;
    uint64_t field = tag >> 3;
    if (field == 0 || field > 0x1fffffff) return false;
    switch (tag & 7) {
    case 0:
      if (!read_varint(p, len, &pos, &v)) return false;
      break;
    case 1:
      if (len - pos < 8) return false;
      pos += 8;
      break;
    case 5:
      if (len - pos < 4) return false;
      pos += 4;
      break;
    case 2: {
      if (!read_varint(p, len, &pos, &v) || v > len - pos) return false;
      const ProtobufCFieldDescriptor *fd =
          desc ? protobuf_c_message_descriptor_get_field(desc, (unsigned)field) : NULL;
      if (fd && fd->type == PROTOBUF_C_TYPE_MESSAGE &&
          !wire_walk(p + pos, (size_t)v, fd->descriptor, depth + 1, max_depth, too_deep))
        return false;
      pos += (size_t)v;
      break;
    }
    default: /* groups (3, 4) are not used by ONNX; 6 and 7 are invalid */
      return false;
    }
  }
  return true;
}

ProtobufCMessage *spcc_fe_unpack(const ProtobufCMessageDescriptor *desc, const uint8_t *buf,
                                 size_t len, bool *too_deep) {
  *too_deep = false;
  if (!wire_walk(buf, len, desc, 0, SPCC_FE_MAX_PROTO_DEPTH, too_deep)) return NULL;
  return protobuf_c_message_unpack(desc, NULL, len, buf);
}

Onnx__ModelProto *spcc_fe_read_model(const char *path, spcc_diag *d) {
  uint8_t *buf;
  size_t len;
  if (!spcc_fe_read_file(path, &buf, &len, d)) return NULL;
  bool too_deep;
  Onnx__ModelProto *m =
      (Onnx__ModelProto *)spcc_fe_unpack(&onnx__model_proto__descriptor, buf, len, &too_deep);
  free(buf);
  if (!m)
    spcc_error(d, path, NULL, "not a valid ONNX model (protobuf parse failed%s)",
               too_deep ? ": messages nested too deeply" : "");
  return m;
}

static bool write_all(int fd, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= (size_t)w;
  }
  return true;
}

bool spcc_fe_write_parts(const char *path, const uint8_t *head, size_t nh, const uint8_t *body,
                         size_t nb, spcc_diag *d) {
  size_t pl = strlen(path);
  char *tmp = malloc(pl + 16);
  if (!tmp) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  memcpy(tmp, path, pl);
  memcpy(tmp + pl, ".tmpXXXXXX", 11); /* same directory: rename stays atomic */
  int fd = mkstemp(tmp);
  if (fd < 0) {
    spcc_error(d, path, NULL, "cannot write: %s", strerror(errno));
    free(tmp);
    return false;
  }
  /* mkstemp creates the file 0600; give it the mode a plain fopen would. */
  mode_t mask = umask(0);
  umask(mask);
  bool ok = fchmod(fd, 0666 & ~mask) == 0 && write_all(fd, head, nh) && write_all(fd, body, nb) &&
            fsync(fd) == 0;
  int e = errno;
  if (close(fd) != 0 && ok) {
    ok = false;
    e = errno;
  }
  if (ok && rename(tmp, path) != 0) {
    ok = false;
    e = errno;
  }
  if (!ok) {
    unlink(tmp);
    spcc_error(d, path, NULL, "cannot write: %s", strerror(e ? e : EIO));
  }
  free(tmp);
  return ok;
}

bool spcc_fe_write_file(const char *path, const uint8_t *buf, size_t len, spcc_diag *d) {
  return spcc_fe_write_parts(path, buf, len, NULL, 0, d);
}

int64_t spcc_fe_numel(int rank, const int64_t *dims) {
  int64_t n = 1;
  bool zero = false;
  for (int i = 0; i < rank; i++) {
    if (dims[i] < 0) return -1;
    if (dims[i] == 0) {
      zero = true;
      continue;
    }
    /* Zero dims do not excuse a huge shape: strides still multiply the rest. */
    if (n > SPCC_FE_MAX_NUMEL / dims[i]) return -1;
    n *= dims[i];
  }
  return zero ? 0 : n;
}

/* ---- TensorProto -> tensor --------------------------------------------------- */

static bool host_is_little_endian(void) {
  const uint16_t one = 1;
  unsigned char b;
  memcpy(&b, &one, 1);
  return b == 1;
}

/* raw_data and .pb payloads are little-endian; a big-endian host swaps. */
void spcc_fe_le_to_host(void *data, int64_t numel, size_t size) {
  if (size < 2 || host_is_little_endian()) return;
  unsigned char *p = data;
  for (int64_t i = 0; i < numel; i++, p += size)
    for (size_t a = 0, b = size - 1; a < b; a++, b--) {
      unsigned char t = p[a];
      p[a] = p[b];
      p[b] = t;
    }
}

/* The typed field ONNX assigns to each element type. */
static size_t typed_count(const Onnx__TensorProto *tp, spcc_dtype dt, const char **field) {
  switch (dt) {
  case SPCC_DT_F32:
    *field = "float_data";
    return tp->n_float_data;
  case SPCC_DT_F64:
    *field = "double_data";
    return tp->n_double_data;
  case SPCC_DT_I64:
    *field = "int64_data";
    return tp->n_int64_data;
  case SPCC_DT_U32:
  case SPCC_DT_U64:
    *field = "uint64_data";
    return tp->n_uint64_data;
  default:
    *field = "int32_data";
    return tp->n_int32_data;
  }
}

static void copy_typed(const Onnx__TensorProto *tp, spcc_dtype dt, void *data, size_t n) {
  switch (dt) {
  case SPCC_DT_F32:
    memcpy(data, tp->float_data, n * sizeof(float));
    break;
  case SPCC_DT_F64:
    memcpy(data, tp->double_data, n * sizeof(double));
    break;
  case SPCC_DT_I64:
    memcpy(data, tp->int64_data, n * sizeof(int64_t));
    break;
  case SPCC_DT_U64:
    memcpy(data, tp->uint64_data, n * sizeof(uint64_t));
    break;
  case SPCC_DT_U32:
    for (size_t i = 0; i < n; i++) ((uint32_t *)data)[i] = (uint32_t)tp->uint64_data[i];
    break;
  case SPCC_DT_I32:
    memcpy(data, tp->int32_data, n * sizeof(int32_t));
    break;
  case SPCC_DT_I16:
    for (size_t i = 0; i < n; i++) ((int16_t *)data)[i] = (int16_t)tp->int32_data[i];
    break;
  case SPCC_DT_U16:
    for (size_t i = 0; i < n; i++) ((uint16_t *)data)[i] = (uint16_t)tp->int32_data[i];
    break;
  case SPCC_DT_I8:
    for (size_t i = 0; i < n; i++) ((int8_t *)data)[i] = (int8_t)tp->int32_data[i];
    break;
  case SPCC_DT_U8:
  case SPCC_DT_BOOL:
    for (size_t i = 0; i < n; i++) ((uint8_t *)data)[i] = (uint8_t)tp->int32_data[i];
    break;
  default:
    SPCC_ASSERT(!"dtype without a typed field");
  }
}

char *spcc_fe_dirname(const char *path) {
  const char *slash = strrchr(path, '/');
  char *dir = slash ? malloc((size_t)(slash - path) + 2) : malloc(2);
  if (!dir) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  if (!slash) {
    strcpy(dir, ".");
  } else if (slash == path) {
    strcpy(dir, "/");
  } else {
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = 0;
  }
  return dir;
}

bool spcc_fe_tensor_from_proto(const Onnx__TensorProto *tp, const char *where,
                               const char *what, spcc_tensor *out, spcc_diag *d) {
  return spcc_fe_tensor_from_proto_at(tp, NULL, where, what, out, d);
}

bool spcc_fe_tensor_from_proto_at(const Onnx__TensorProto *tp, const char *base_dir,
                                  const char *where, const char *what, spcc_tensor *out,
                                  spcc_diag *d) {
  memset(out, 0, sizeof *out);
  if (!tp) {
    spcc_error(d, where, NULL, "%s has no tensor", what);
    return false;
  }
  const bool external = spcc_fe_is_external(tp);
  if (tp->segment) {
    spcc_error(d, where, NULL, "%s: unsupported: segmented tensor", what);
    return false;
  }
  int onnx_type = tp->has_data_type ? tp->data_type : 0;
  if (onnx_type == 0) {
    spcc_error(d, where, NULL, "%s has no data type", what);
    return false;
  }
  spcc_dtype dt = spcc_dtype_from_onnx(onnx_type);
  if (dt == SPCC_DT_UNDEF) {
    const char *tn = spcc_onnx_type_name(onnx_type);
    if (strcmp(tn, "UNKNOWN") == 0)
      spcc_error(d, where, NULL, "%s: unsupported element type %d", what, onnx_type);
    else
      spcc_error(d, where, NULL, "%s: unsupported element type %s", what, tn);
    return false;
  }
  if (tp->n_dims > SPCC_MAX_RANK) {
    spcc_error(d, where, NULL, "%s: unsupported rank %zu (spcc supports up to %d)", what,
               tp->n_dims, SPCC_MAX_RANK);
    return false;
  }
  int rank = (int)tp->n_dims;
  for (int i = 0; i < rank; i++) {
    if (tp->dims[i] < 0) {
      spcc_error(d, where, NULL, "%s has negative dimension %lld", what,
                 (long long)tp->dims[i]);
      return false;
    }
    out->dims[i] = tp->dims[i];
  }
  int64_t numel = spcc_fe_numel(rank, out->dims);
  if (numel < 0) {
    spcc_error(d, where, NULL, "%s is impossibly large", what);
    return false;
  }
  size_t es = spcc_dtype_size(dt);
  if ((uint64_t)numel > SIZE_MAX / es) {
    spcc_error(d, where, NULL, "%s is impossibly large", what);
    return false;
  }
  size_t bytes = (size_t)numel * es;

  if (external) {
    void *ext = spcc_fe_read_external(tp, base_dir, bytes, where, what, d);
    if (!ext) return false;
    spcc_fe_le_to_host(ext, numel, es);
    if (dt == SPCC_DT_BOOL)
      for (size_t i = 0; i < bytes; i++) ((uint8_t *)ext)[i] = ((uint8_t *)ext)[i] != 0;
    out->dtype = dt;
    out->rank = rank;
    out->numel = numel;
    out->data = ext;
    return true;
  }
  const char *field = "";
  size_t n_typed = typed_count(tp, dt, &field);
  bool raw = tp->has_raw_data && (tp->raw_data.len > 0 || n_typed == 0);
  if (raw && tp->raw_data.len != bytes) {
    spcc_error(d, where, NULL, "%s has %zu bytes of raw_data, expected %zu (%lld x %s)", what,
               tp->raw_data.len, bytes, (long long)numel, spcc_dtype_name(dt));
    return false;
  }
  if (!raw && n_typed != (size_t)numel) {
    spcc_error(d, where, NULL, "%s has %zu values in %s, expected %lld", what, n_typed, field,
               (long long)numel);
    return false;
  }
  void *data = malloc(bytes ? bytes : 1);
  if (!data) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  if (raw) {
    if (bytes) memcpy(data, tp->raw_data.data, bytes);
    spcc_fe_le_to_host(data, numel, es);
  } else if (numel > 0) {
    copy_typed(tp, dt, data, (size_t)numel);
  }
  if (dt == SPCC_DT_BOOL) /* the IR promises 0 or 1 */
    for (size_t i = 0; i < bytes; i++) ((uint8_t *)data)[i] = ((uint8_t *)data)[i] != 0;
  out->dtype = dt;
  out->rank = rank;
  out->numel = numel;
  out->data = data;
  return true;
}

/* ---- tensor -> TensorProto ---------------------------------------------------- */

bool spcc_fe_tensor_check(const spcc_tensor *t, const char *where, spcc_diag *d) {
  if (t->dtype <= SPCC_DT_UNDEF || t->dtype >= SPCC_DT_COUNT) {
    spcc_error(d, where, NULL, "cannot write a tensor without an element type");
    return false;
  }
  if (t->rank < 0 || t->rank > SPCC_MAX_RANK || spcc_fe_numel(t->rank, t->dims) != t->numel ||
      (t->numel > 0 && !t->data)) {
    spcc_error(d, where, NULL, "cannot write an inconsistent tensor (rank %d, %lld elements)",
               t->rank, (long long)t->numel);
    return false;
  }
  return true;
}

const void *spcc_fe_le_data(const spcc_tensor *t, void **copy) {
  *copy = NULL;
  size_t es = spcc_dtype_size(t->dtype), bytes = (size_t)t->numel * es;
  if (es < 2 || bytes == 0 || host_is_little_endian()) return t->data;
  *copy = malloc(bytes);
  if (!*copy) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  memcpy(*copy, t->data, bytes);
  spcc_fe_le_to_host(*copy, t->numel, es); /* a swap is its own inverse */
  return *copy;
}

bool spcc_fe_tensor_pack(const spcc_tensor *t, const char *where, uint8_t **buf,
                         size_t *len, spcc_diag *d) {
  *buf = NULL;
  *len = 0;
  if (!spcc_fe_tensor_check(t, where, d)) return false;
  size_t bytes = (size_t)t->numel * spcc_dtype_size(t->dtype);
  Onnx__TensorProto tp = ONNX__TENSOR_PROTO__INIT;
  int64_t dims[SPCC_MAX_RANK];
  memcpy(dims, t->dims, sizeof dims);
  tp.n_dims = (size_t)t->rank;
  tp.dims = dims;
  tp.has_data_type = 1;
  tp.data_type = spcc_dtype_to_onnx(t->dtype);
  tp.name = t->name;
  tp.has_raw_data = 1;
  tp.raw_data.len = bytes;
  void *swapped;
  tp.raw_data.data = (uint8_t *)spcc_fe_le_data(t, &swapped);
  size_t n = onnx__tensor_proto__get_packed_size(&tp);
  uint8_t *p = malloc(n ? n : 1);
  if (!p) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  *len = onnx__tensor_proto__pack(&tp, p);
  *buf = p;
  free(swapped);
  return true;
}

const char *spcc_fe_attr_type_name(int type) {
  switch (type) {
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED: return "UNDEFINED";
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT: return "FLOAT";
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT: return "INT";
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING: return "STRING";
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR: return "TENSOR";
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH: return "GRAPH";
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__SPARSE_TENSOR: return "SPARSE_TENSOR";
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TYPE_PROTO: return "TYPE_PROTO";
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS: return "FLOATS";
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS: return "INTS";
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS: return "STRINGS";
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSORS: return "TENSORS";
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPHS: return "GRAPHS";
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__SPARSE_TENSORS: return "SPARSE_TENSORS";
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TYPE_PROTOS: return "TYPE_PROTOS";
  default: return "UNKNOWN";
  }
}
