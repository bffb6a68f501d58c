/* type.c - element types, tensor types and the op-name tables. */
#include <stdio.h>
#include <string.h>

#include "ir.h"

static const struct {
  const char *name, *ctype;
  size_t size;
  int onnx;
} dtypes[SPCC_DT_COUNT] = {
    [SPCC_DT_UNDEF] = {"undef", "void", 0, 0},
    [SPCC_DT_F32] = {"f32", "float", 4, 1},
    [SPCC_DT_F64] = {"f64", "double", 8, 11},
    [SPCC_DT_I8] = {"i8", "int8_t", 1, 3},
    [SPCC_DT_I16] = {"i16", "int16_t", 2, 5},
    [SPCC_DT_I32] = {"i32", "int32_t", 4, 6},
    [SPCC_DT_I64] = {"i64", "int64_t", 8, 7},
    [SPCC_DT_U8] = {"u8", "uint8_t", 1, 2},
    [SPCC_DT_U16] = {"u16", "uint16_t", 2, 4},
    [SPCC_DT_U32] = {"u32", "uint32_t", 4, 12},
    [SPCC_DT_U64] = {"u64", "uint64_t", 8, 13},
    [SPCC_DT_BOOL] = {"bool", "uint8_t", 1, 9},
};

const char *spcc_dtype_name(spcc_dtype t) { return t < SPCC_DT_COUNT ? dtypes[t].name : "?"; }
const char *spcc_dtype_ctype(spcc_dtype t) { return t < SPCC_DT_COUNT ? dtypes[t].ctype : "?"; }
size_t spcc_dtype_size(spcc_dtype t) { return t < SPCC_DT_COUNT ? dtypes[t].size : 0; }
bool spcc_dtype_is_float(spcc_dtype t) { return t == SPCC_DT_F32 || t == SPCC_DT_F64; }
bool spcc_dtype_is_signed_int(spcc_dtype t) {
  return t == SPCC_DT_I8 || t == SPCC_DT_I16 || t == SPCC_DT_I32 || t == SPCC_DT_I64;
}
bool spcc_dtype_is_unsigned_int(spcc_dtype t) {
  return t == SPCC_DT_U8 || t == SPCC_DT_U16 || t == SPCC_DT_U32 || t == SPCC_DT_U64 ||
         t == SPCC_DT_BOOL;
}

bool spcc_dtype_parse(const char *name, spcc_dtype *out) {
  for (int t = 1; t < SPCC_DT_COUNT; t++)
    if (strcmp(dtypes[t].name, name) == 0) {
      *out = (spcc_dtype)t;
      return true;
    }
  return false;
}

spcc_dtype spcc_dtype_from_onnx(int onnx_type) {
  for (int t = 1; t < SPCC_DT_COUNT; t++)
    if (dtypes[t].onnx == onnx_type) return (spcc_dtype)t;
  return SPCC_DT_UNDEF;
}

int spcc_dtype_to_onnx(spcc_dtype t) { return t < SPCC_DT_COUNT ? dtypes[t].onnx : 0; }

const char *spcc_onnx_type_name(int onnx_type) {
  static const char *const names[] = {"UNDEFINED", "FLOAT",  "UINT8",     "INT8",      "UINT16",
                                      "INT16",     "INT32",  "INT64",     "STRING",    "BOOL",
                                      "FLOAT16",   "DOUBLE", "UINT32",    "UINT64",    "COMPLEX64",
                                      "COMPLEX128", "BFLOAT16"};
  if (onnx_type >= 0 && onnx_type < (int)(sizeof names / sizeof names[0])) return names[onnx_type];
  return "UNKNOWN";
}

const char *spcc_encoding_kind_name(spcc_encoding_kind k) {
  switch (k) {
  case SPCC_ENC_DENSE: return "dense";
  case SPCC_ENC_CSR: return "csr";
  case SPCC_ENC_BSR: return "bsr";
  case SPCC_ENC_NM: return "nm";
  }
  return "?";
}

spcc_type spcc_type_make(spcc_dtype dt, int rank, const int64_t *dims) {
  spcc_type t;
  memset(&t, 0, sizeof t);
  t.dtype = dt;
  t.rank = rank;
  for (int i = 0; i < rank && i < SPCC_MAX_RANK; i++) t.dims[i] = dims ? dims[i] : -1;
  t.enc.kind = SPCC_ENC_DENSE;
  return t;
}

bool spcc_type_is_static(const spcc_type *t) {
  if (t->rank < 0 || t->dtype == SPCC_DT_UNDEF) return false;
  for (int i = 0; i < t->rank; i++)
    if (t->dims[i] < 0) return false;
  return true;
}

int64_t spcc_type_numel(const spcc_type *t) {
  if (!spcc_type_is_static(t)) return -1;
  int64_t n = 1;
  for (int i = 0; i < t->rank; i++) n *= t->dims[i];
  return n;
}

int64_t spcc_type_bytes(const spcc_type *t) {
  int64_t n = spcc_type_numel(t);
  return n < 0 ? -1 : n * (int64_t)spcc_dtype_size(t->dtype);
}

bool spcc_type_equal(const spcc_type *a, const spcc_type *b) {
  if (a->dtype != b->dtype || a->rank != b->rank ||
      memcmp(&a->enc, &b->enc, sizeof a->enc) != 0)
    return false;
  for (int i = 0; i < a->rank; i++)
    if (a->dims[i] != b->dims[i]) return false;
  return true;
}

char *spcc_type_str(const spcc_type *t, char *buf, size_t n) {
  size_t len = (size_t)snprintf(buf, n, "%s", spcc_dtype_name(t->dtype));
  if (t->rank < 0) {
    snprintf(buf + len, n - len, "[*]");
    return buf;
  }
  len += (size_t)snprintf(buf + len, n - len, "[");
  for (int i = 0; i < t->rank && len < n; i++) {
    if (t->dims[i] < 0)
      len += (size_t)snprintf(buf + len, n - len, "%s?", i ? "," : "");
    else
      len += (size_t)snprintf(buf + len, n - len, "%s%lld", i ? "," : "", (long long)t->dims[i]);
  }
  if (len < n) snprintf(buf + len, n - len, "]");
  return buf;
}

static const char *const onnx_names[SPCC_OP_COUNT] = {
#define SPCC_OP(E, onnx, ir, fn) onnx,
#include "ops.def"
#undef SPCC_OP
};
static const char *const ir_names[SPCC_OP_COUNT] = {
#define SPCC_OP(E, onnx, ir, fn) ir,
#include "ops.def"
#undef SPCC_OP
};

const char *spcc_op_onnx_name(spcc_op op) { return op < SPCC_OP_COUNT ? onnx_names[op] : "?"; }
const char *spcc_op_ir_name(spcc_op op) { return op < SPCC_OP_COUNT ? ir_names[op] : "?"; }

bool spcc_op_from_onnx(const char *op_type, spcc_op *out) {
  for (int i = 0; i < SPCC_OP_COUNT; i++)
    /* "spcc::" ops are made by passes; a model cannot name them. */
    if (strncmp(onnx_names[i], "spcc::", 6) != 0 && strcmp(onnx_names[i], op_type) == 0) {
      *out = (spcc_op)i;
      return true;
    }
  return false;
}

bool spcc_op_from_ir(const char *name, spcc_op *out) {
  for (int i = 0; i < SPCC_OP_COUNT; i++)
    if (strcmp(ir_names[i], name) == 0) {
      *out = (spcc_op)i;
      return true;
    }
  return false;
}
