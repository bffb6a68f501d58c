/* sparse_tensor.c - ONNX SparseTensorProto (COO) -> dense spcc tensor.
 *
 * GraphProto.sparse_initializer and Constant.sparse_value hold a tensor as
 * `values` [NNZ] plus int64 `indices`, either [NNZ] linearized (row-major)
 * positions or [NNZ, rank] coordinates, and the dense `dims`. The IR keeps
 * every constant dense (the sparsify pass finds the zeros again), so the
 * importer expands them here, zeros filled. The values go through the same
 * TensorProto rules as initializers (element types, raw_data vs typed
 * fields). The file is untrusted: every index is range-checked, duplicates
 * are an error (ONNX asks for ascending indices; unsorted ones are accepted
 * since they are unambiguous), and a tiny file claiming a huge dense shape
 * fails with a diagnostic when the dense form cannot be allocated.
 */
#include <stdlib.h>
#include <string.h>

#include "frontend.h"

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* Linear positions of the nnz values (malloc'd), indices checked against
 * dims. */
static int64_t *linear_indices(const spcc_tensor *idx, int rank, const int64_t *dims,
                               int64_t numel, int64_t nnz, const char *where, const char *what,
                               spcc_diag *d) {
  const int64_t *iv = idx->data;
  int64_t *lin = malloc(sizeof(int64_t) * (size_t)(nnz ? nnz : 1));
  if (!lin) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  if (idx->rank == 1 && idx->dims[0] == nnz) {
    for (int64_t k = 0; k < nnz; k++) {
      if (iv[k] < 0 || iv[k] >= numel) {
        spcc_error(d, where, NULL,
                   "%s: index %lld (of value %lld) is out of range for %lld elements", what,
                   (long long)iv[k], (long long)k, (long long)numel);
        free(lin);
        return NULL;
      }
      lin[k] = iv[k];
    }
    return lin;
  }
  if (idx->rank == 2 && idx->dims[0] == nnz && idx->dims[1] == rank) {
    for (int64_t k = 0; k < nnz; k++) {
      int64_t pos = 0;
      for (int j = 0; j < rank; j++) {
        int64_t c = iv[k * rank + j];
        if (c < 0 || c >= dims[j]) {
          spcc_error(d, where, NULL,
                     "%s: index %lld on axis %d (of value %lld) is out of range for dimension "
                     "%lld",
                     what, (long long)c, j, (long long)k, (long long)dims[j]);
          free(lin);
          return NULL;
        }
        pos = pos * dims[j] + c; /* < numel <= 2^40: no overflow */
      }
      lin[k] = pos;
    }
    return lin;
  }
  char shape[64];
  if (idx->rank == 1)
    snprintf(shape, sizeof shape, "[%lld]", (long long)idx->dims[0]);
  else if (idx->rank == 2)
    snprintf(shape, sizeof shape, "[%lld,%lld]", (long long)idx->dims[0],
             (long long)idx->dims[1]);
  else
    snprintf(shape, sizeof shape, "rank %d", idx->rank);
  spcc_error(d, where, NULL,
             "%s: indices have shape %s, expected [%lld] (linearized) or [%lld,%d] "
             "(coordinates)",
             what, shape, (long long)nnz, (long long)nnz, rank);
  free(lin);
  return NULL;
}

/* Reports the first index given twice; lin is sorted on the way if needed. */
static bool check_unique(int64_t *lin, int64_t nnz, const char *where, const char *what,
                         spcc_diag *d) {
  bool ascending = true;
  for (int64_t k = 1; k < nnz && ascending; k++) ascending = lin[k - 1] < lin[k];
  if (ascending) return true;
  qsort(lin, (size_t)nnz, sizeof *lin, cmp_i64);
  for (int64_t k = 1; k < nnz; k++)
    if (lin[k - 1] == lin[k]) {
      spcc_error(d, where, NULL, "%s: element %lld is given twice", what, (long long)lin[k]);
      return false;
    }
  return true;
}

bool spcc_fe_sparse_from_proto(const Onnx__SparseTensorProto *sp, const char *where,
                               const char *what, spcc_tensor *out, spcc_diag *d) {
  memset(out, 0, sizeof *out);
  if (!sp) {
    spcc_error(d, where, NULL, "%s has no tensor", what);
    return false;
  }
  if (!sp->values) {
    spcc_error(d, where, NULL, "%s has no values", what);
    return false;
  }
  if (sp->n_dims == 0) {
    spcc_error(d, where, NULL, "%s has no dims (a sparse tensor has rank 1 or more)", what);
    return false;
  }
  if (sp->n_dims > SPCC_MAX_RANK) {
    spcc_error(d, where, NULL, "%s: unsupported rank %zu (spcc supports up to %d)", what,
               sp->n_dims, SPCC_MAX_RANK);
    return false;
  }
  int rank = (int)sp->n_dims;
  for (int i = 0; i < rank; i++) {
    if (sp->dims[i] < 0) {
      spcc_error(d, where, NULL, "%s has negative dimension %lld", what,
                 (long long)sp->dims[i]);
      return false;
    }
    out->dims[i] = sp->dims[i];
  }
  int64_t numel = spcc_fe_numel(rank, out->dims);
  if (numel < 0) {
    spcc_error(d, where, NULL, "%s is impossibly large", what);
    return false;
  }

  char sub[512];
  snprintf(sub, sizeof sub, "%s values", what);
  spcc_tensor vals;
  if (!spcc_fe_tensor_from_proto(sp->values, where, sub, &vals, d)) return false;
  bool ok = false;
  int64_t *lin = NULL;
  spcc_tensor idx = {0};
  if (vals.rank != 1) {
    spcc_error(d, where, NULL, "%s: values have rank %d, expected shape [NNZ]", what, vals.rank);
    goto done;
  }
  int64_t nnz = vals.numel;
  if (nnz > numel) {
    spcc_error(d, where, NULL, "%s has %lld values for %lld elements", what, (long long)nnz,
               (long long)numel);
    goto done;
  }
  if (!sp->indices) {
    if (nnz > 0) {
      spcc_error(d, where, NULL, "%s has %lld values but no indices", what, (long long)nnz);
      goto done;
    }
  } else {
    int it = sp->indices->has_data_type ? sp->indices->data_type : 0;
    if (it != ONNX__TENSOR_PROTO__DATA_TYPE__INT64) {
      spcc_error(d, where, NULL, "%s: indices have element type %s, expected INT64", what,
                 spcc_onnx_type_name(it));
      goto done;
    }
    snprintf(sub, sizeof sub, "%s indices", what);
    if (!spcc_fe_tensor_from_proto(sp->indices, where, sub, &idx, d)) goto done;
    lin = linear_indices(&idx, rank, out->dims, numel, nnz, where, what, d);
    if (!lin) goto done;
  }

  size_t es = spcc_dtype_size(vals.dtype);
  if ((uint64_t)numel > SIZE_MAX / es) {
    spcc_error(d, where, NULL, "%s is impossibly large", what);
    goto done;
  }
  uint8_t *dense = calloc(numel ? (size_t)numel : 1, es);
  if (!dense) {
    spcc_error(d, where, NULL, "%s: cannot allocate its dense form (%lld x %s)", what,
               (long long)numel, spcc_dtype_name(vals.dtype));
    goto done;
  }
  for (int64_t k = 0; k < nnz; k++)
    memcpy(dense + (size_t)lin[k] * es, (const uint8_t *)vals.data + (size_t)k * es, es);
  /* Duplicates are checked after the scatter because sorting reorders lin. */
  if (lin && !check_unique(lin, nnz, where, what, d)) {
    free(dense);
    goto done;
  }
  out->dtype = vals.dtype;
  out->rank = rank;
  out->numel = numel;
  out->data = dense;
  ok = true;
done:
  free(lin);
  spcc_tensor_free(&idx);
  spcc_tensor_free(&vals);
  return ok;
}
