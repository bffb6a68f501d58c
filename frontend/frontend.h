/* frontend.h - internal helpers shared by the ONNX importer and tensor file I/O.
 *
 * Initializers, Constant nodes and .pb test files all carry TensorProtos, so
 * one routine (frontend/tensor_proto.c) turns a TensorProto into dtype, dims
 * and a malloc'd little-endian payload, with every count checked, and one
 * builds a TensorProto back. The same file holds the guarded protobuf entry
 * point: whole-file reading and a wire-format pre-check that bounds message
 * nesting, because protobuf-c recurses once per nesting level and a hostile
 * file could otherwise exhaust the stack. Sparse tensors (COO) are expanded
 * to dense by frontend/sparse_tensor.c; frontend/onnx_export.c writes pruned
 * weights back into a model.
 */
#ifndef SPCC_FRONTEND_H
#define SPCC_FRONTEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "onnx.pb-c.h"
#include "spcc/spcc.h"

/* Messages nest at most this deep (a model with subgraphs uses ~10). */
#define SPCC_FE_MAX_PROTO_DEPTH 64
/* Largest tensor (elements) the frontend accepts: 2^40, far beyond any model
 * that fits in memory, but small enough that bytes and strides never
 * overflow int64 arithmetic downstream. */
#define SPCC_FE_MAX_NUMEL (INT64_C(1) << 40)

/* Reads the whole file into a malloc'd buffer (*buf, *len; the buffer has a
 * NUL byte after the data). Reports "PATH: error: cannot open: REASON". */
bool spcc_fe_read_file(const char *path, uint8_t **buf, size_t *len, spcc_diag *d);

/* Reads and unpacks an ONNX model file (wire-checked first); free it with
 * onnx__model_proto__free_unpacked(m, NULL). NULL after a diagnostic. */
Onnx__ModelProto *spcc_fe_read_model(const char *path, spcc_diag *d);

/* Writes head then body (either may be empty) to path atomically: a
 * temporary file in the same directory, renamed over path only once complete
 * (no partial output on failure). Reports "PATH: error: cannot write: ...". */
bool spcc_fe_write_parts(const char *path, const uint8_t *head, size_t nh, const uint8_t *body,
                         size_t nb, spcc_diag *d);
/* spcc_fe_write_parts with one part. */
bool spcc_fe_write_file(const char *path, const uint8_t *buf, size_t len, spcc_diag *d);

/* Unpacks buf as a desc message once a pre-check of the wire format passed:
 * well-formed, messages nested at most SPCC_FE_MAX_PROTO_DEPTH deep (*too_deep
 * says when that failed); unknown fields are allowed. NULL when either step
 * fails; free it with its type's free_unpacked. */
ProtobufCMessage *spcc_fe_unpack(const ProtobufCMessageDescriptor *desc, const uint8_t *buf,
                                 size_t len, bool *too_deep);

/* Number of elements of dims[0..rank), or -1 when a dim is negative or the
 * product (ignoring zero dims) exceeds SPCC_FE_MAX_NUMEL. */
int64_t spcc_fe_numel(int rank, const int64_t *dims);

/* Converts numel elements of size bytes between little-endian (file) and
 * host order in place; a no-op on little-endian hosts. Its own inverse. */
void spcc_fe_le_to_host(void *data, int64_t numel, size_t size);

/* Converts a TensorProto into *out (out->name is not set). `where` is the
 * location prefix passed as spcc_error's file argument (a file name, or a
 * node prefix built by the importer); `what` names the tensor in messages
 * ("initializer 'w'"). Reports through d and returns false on error. */
/* Same, for a tensor of a model file in directory base_dir: its data may
 * be external (frontend/external_data.c). */
bool spcc_fe_tensor_from_proto_at(const Onnx__TensorProto *tp, const char *base_dir,
                                  const char *where, const char *what, spcc_tensor *out,
                                  spcc_diag *d);
/* Whether tp keeps its data in an external file. */
bool spcc_fe_is_external(const Onnx__TensorProto *tp);
/* The `bytes` bytes of an external tensor (malloc'd, little-endian as in
 * raw_data), read from base_dir/location; NULL after a diagnostic. */
void *spcc_fe_read_external(const Onnx__TensorProto *tp, const char *base_dir, size_t bytes,
                            const char *where, const char *what, spcc_diag *d);
/* The directory of file path (".", or a malloc'd copy). Free with free(). */
char *spcc_fe_dirname(const char *path);

bool spcc_fe_tensor_from_proto(const Onnx__TensorProto *tp, const char *where,
                               const char *what, spcc_tensor *out, spcc_diag *d);

/* Expands a SparseTensorProto (values [NNZ], int64 indices [NNZ] linearized
 * or [NNZ, rank] coordinates, dims) into a dense tensor, zeros filled, into
 * *out (out->name is not set). Indices are range-checked; duplicates are an
 * error; `where` and `what` as for spcc_fe_tensor_from_proto
 * (frontend/sparse_tensor.c). */
bool spcc_fe_sparse_from_proto(const Onnx__SparseTensorProto *sp, const char *where,
                               const char *what, spcc_tensor *out, spcc_diag *d);

/* Reports (under `where`) and returns false unless t can be written: a known
 * dtype, a rank within SPCC_MAX_RANK, numel matching dims, data when numel > 0. */
bool spcc_fe_tensor_check(const spcc_tensor *t, const char *where, spcc_diag *d);

/* t's payload in little-endian order: t->data itself, or on big-endian hosts
 * a swapped malloc'd copy returned in *copy too (free it; NULL otherwise). */
const void *spcc_fe_le_data(const spcc_tensor *t, void **copy);

/* Packs t as a serialized TensorProto (raw_data, dims, data_type, name) into
 * a malloc'd buffer. Reports through d (under `where`) and returns false when
 * t is inconsistent. */
bool spcc_fe_tensor_pack(const spcc_tensor *t, const char *where, uint8_t **buf,
                         size_t *len, spcc_diag *d);

/* Copies the attributes of ONNX node np onto IR node `node` (INT, FLOAT,
 * STRING, INTS, FLOATS; other kinds are unsupported). `where` is the node's
 * diagnostic prefix ("model.onnx: node 3 'n' (Conv)"). */
bool spcc_fe_copy_attrs(spcc_graph *g, int node, const Onnx__NodeProto *np, const char *where,
                        spcc_diag *d);

/* The value of a Constant node as a tensor (value, sparse_value expanded
 * to dense, value_float(s), value_int(s)); string values are unsupported. */
bool spcc_fe_constant_value(const Onnx__NodeProto *np, const char *where, spcc_tensor *out,
                            spcc_diag *d);

/* Name of an AttributeProto type for diagnostics ("GRAPH"). */
const char *spcc_fe_attr_type_name(int type);

#endif
