/* sparse_pack.c - packs a weight's logical values into the CSR, BSR or N:M
 * storage the generated code holds, and unpacks it again for tests.
 *
 * The IR keeps the full logical values of a weight plus its encoding; this
 * is the one place that turns the pair into arrays, deterministically, so
 * the emitter, `spcc inspect` and the byte counts of the cost model all see
 * the same storage. The layouts are specified in ir/sparse.h; `bytes` is
 * exactly the size of the arrays the layout defines (values, indices, row
 * pointers, the N:M padding byte).
 *
 * An element is stored when `x != 0` (NaN is stored, -0 is not), the test
 * ir/sparse_stats.c uses too. Packing fails (returns false, no message)
 * only on an encoding the data cannot take: N:M the data does not fit, an
 * index width too narrow for the columns, bad block or group sizes, or more
 * entries than int32 row pointers can count. The verifier rejects the same
 * cases earlier, with a message.
 */
#include <stdlib.h>
#include <string.h>

#include "sparse.h"

int spcc_nm_index_bits(int m) {
  int bits = 1;
  while (bits < 30 && (1 << bits) < m) bits++;
  return bits;
}

static void *alloc_or_die(size_t bytes) {
  void *p = calloc(bytes ? bytes : 1, 1);
  if (!p) spcc_assert_fail("out of memory", __FILE__, __LINE__);
  return p;
}

static bool index_width_ok(int bits) { return bits == 8 || bits == 16 || bits == 32; }

/* Whether `count` indices 0..count-1 fit in `bits` bits. */
static bool index_holds(int bits, int64_t count) {
  return bits >= 32 ? count <= (INT64_C(1) << 32) : count <= (INT64_C(1) << bits);
}

static void put_index(void *idx, int bits, int64_t k, int64_t value) {
  switch (bits) {
  case 8: ((uint8_t *)idx)[k] = (uint8_t)value; break;
  case 16: ((uint16_t *)idx)[k] = (uint16_t)value; break;
  default: ((uint32_t *)idx)[k] = (uint32_t)value; break;
  }
}

static int64_t get_index(const void *idx, int bits, int64_t k) {
  switch (bits) {
  case 8: return ((const uint8_t *)idx)[k];
  case 16: return ((const uint16_t *)idx)[k];
  default: return ((const uint32_t *)idx)[k];
  }
}

/* ---- CSR ------------------------------------------------------------------- */

static bool pack_csr(const float *data, const spcc_weight_view *v, spcc_packed *out) {
  int bits = out->enc.index_bits ? out->enc.index_bits : spcc_index_bits_for(v->cols);
  if (!index_width_ok(bits) || !index_holds(bits, v->cols)) return false;
  out->enc.index_bits = bits;
  int64_t nnz = 0;
  for (int64_t r = 0; r < v->rows; r++)
    for (int64_t c = 0; c < v->cols; c++) nnz += data[spcc_weight_at(v, r, c)] != 0;
  if (nnz > INT32_MAX) return false;

  out->nnz = nnz;
  out->n_ptr = v->rows + 1;
  out->n_idx = nnz;
  out->rowptr = alloc_or_die(sizeof(int32_t) * (size_t)out->n_ptr);
  out->idx = alloc_or_die((size_t)(nnz * bits / 8));
  out->val = alloc_or_die(sizeof(float) * (size_t)nnz);
  int64_t k = 0;
  for (int64_t r = 0; r < v->rows; r++) {
    out->rowptr[r] = (int32_t)k;
    for (int64_t c = 0; c < v->cols; c++) {
      float x = data[spcc_weight_at(v, r, c)];
      if (x == 0) continue;
      put_index(out->idx, bits, k, c);
      out->val[k++] = x;
    }
  }
  out->rowptr[v->rows] = (int32_t)k;
  out->bytes = 4 * out->n_ptr + nnz * (bits / 8) + 4 * nnz;
  return true;
}

/* ---- BSR ------------------------------------------------------------------- */

/* busy[bc] = 1 when block (br, bc) holds a nonzero. */
static void busy_blocks(const float *data, const spcc_weight_view *v, int64_t br, int R, int C,
                        unsigned char *busy, int64_t bcols) {
  memset(busy, 0, (size_t)bcols);
  for (int64_t r = br * R; r < (br + 1) * R && r < v->rows; r++)
    for (int64_t c = 0; c < v->cols; c++)
      if (data[spcc_weight_at(v, r, c)] != 0) busy[c / C] = 1;
}

static bool pack_bsr(const float *data, const spcc_weight_view *v, spcc_packed *out) {
  int R = out->enc.block_r, C = out->enc.block_c;
  if (R < 1 || C < 1) return false;
  int64_t brows = (v->rows + R - 1) / R, bcols = (v->cols + C - 1) / C;
  int bits = out->enc.index_bits ? out->enc.index_bits : spcc_index_bits_for(bcols);
  if (!index_width_ok(bits) || !index_holds(bits, bcols)) return false;
  out->enc.index_bits = bits;

  unsigned char *busy = alloc_or_die((size_t)bcols);
  int64_t nblocks = 0;
  for (int64_t br = 0; br < brows; br++) {
    busy_blocks(data, v, br, R, C, busy, bcols);
    for (int64_t bc = 0; bc < bcols; bc++) nblocks += busy[bc];
  }
  if (nblocks > INT32_MAX) {
    free(busy);
    return false;
  }
  const int64_t area = (int64_t)R * C;
  out->nnz = nblocks * area;
  out->n_ptr = brows + 1;
  out->n_idx = nblocks;
  out->rowptr = alloc_or_die(sizeof(int32_t) * (size_t)out->n_ptr);
  out->idx = alloc_or_die((size_t)(nblocks * bits / 8));
  out->val = alloc_or_die(sizeof(float) * (size_t)out->nnz); /* edge padding stays 0 */
  int64_t k = 0;
  for (int64_t br = 0; br < brows; br++) {
    out->rowptr[br] = (int32_t)k;
    busy_blocks(data, v, br, R, C, busy, bcols);
    for (int64_t bc = 0; bc < bcols; bc++) {
      if (!busy[bc]) continue;
      put_index(out->idx, bits, k, bc);
      float *blk = out->val + k * area;
      for (int i = 0; i < R; i++)
        for (int j = 0; j < C; j++) {
          int64_t r = br * R + i, c = bc * C + j;
          if (r < v->rows && c < v->cols) blk[i * C + j] = data[spcc_weight_at(v, r, c)];
        }
      k++;
    }
  }
  out->rowptr[brows] = (int32_t)k;
  free(busy);
  out->bytes = 4 * out->n_ptr + nblocks * (bits / 8) + 4 * out->nnz;
  return true;
}

/* ---- N:M ------------------------------------------------------------------- */

/* Writes `bits` bits of value at bit offset `at` of a little-endian stream. */
static void put_bits(unsigned char *s, int64_t at, int bits, unsigned value) {
  for (int b = 0; b < bits; b++, at++)
    if ((value >> b) & 1u) s[at / 8] |= (unsigned char)(1u << (at % 8));
}

static unsigned get_bits(const unsigned char *s, int64_t at, int bits) {
  unsigned value = 0;
  for (int b = 0; b < bits; b++, at++) value |= ((s[at / 8] >> (at % 8)) & 1u) << b;
  return value;
}

/* Bytes of one row of the index stream. */
static int64_t nm_row_bytes(int64_t groups, int n, int bits) {
  return (groups * n * bits + 7) / 8;
}

static bool pack_nm(const float *data, const spcc_weight_view *v, spcc_packed *out) {
  int N = out->enc.nm_n, M = out->enc.nm_m;
  if (N < 1 || N >= M || M > 16) return false;
  int bits = spcc_nm_index_bits(M);
  if (out->enc.index_bits && out->enc.index_bits != bits) return false;
  if (!spcc_weight_fits_nm(data, v, N, M)) return false;
  out->enc.index_bits = bits;

  int64_t groups = (v->cols + M - 1) / M;
  int64_t row_bytes = nm_row_bytes(groups, N, bits);
  out->nnz = v->rows * groups * N;
  out->n_ptr = 0;
  out->n_idx = v->rows * row_bytes + 1; /* + the byte a two-byte load may touch */
  out->idx = alloc_or_die((size_t)out->n_idx);
  out->val = alloc_or_die(sizeof(float) * (size_t)out->nnz);
  unsigned char *stream = out->idx;
  for (int64_t r = 0; r < v->rows; r++) {
    unsigned char *row = stream + r * row_bytes;
    for (int64_t g = 0; g < groups; g++) {
      int64_t c0 = g * M;
      int size = (int)(c0 + M <= v->cols ? M : v->cols - c0);
      int nonzero = 0;
      for (int p = 0; p < size; p++) nonzero += data[spcc_weight_at(v, r, c0 + p)] != 0;
      /* The nonzeros plus the first zero positions up to N, in ascending
       * order; a group shorter than N repeats its last position with 0. */
      int fill = N - nonzero, slot = 0;
      float *val = out->val + (r * groups + g) * N;
      for (int p = 0; p < size && slot < N; p++) {
        float x = data[spcc_weight_at(v, r, c0 + p)];
        if (x == 0) {
          if (fill == 0) continue;
          fill--;
          x = 0.0f;
        }
        val[slot] = x;
        put_bits(row, (g * N + slot) * bits, bits, (unsigned)p);
        slot++;
      }
      for (; slot < N; slot++) {
        val[slot] = 0.0f;
        put_bits(row, (g * N + slot) * bits, bits, (unsigned)(size - 1));
      }
    }
  }
  out->bytes = 4 * out->nnz + out->n_idx;
  return true;
}

/* ---- entry points ---------------------------------------------------------- */

bool spcc_pack_weight(const float *data, const spcc_weight_view *v, const spcc_encoding *enc,
                      spcc_packed *out) {
  memset(out, 0, sizeof *out);
  if (!data || !v || !enc || v->rows < 0 || v->cols < 0) return false;
  out->enc = *enc;
  out->rows = v->rows;
  out->cols = v->cols;
  bool ok;
  switch (enc->kind) {
  case SPCC_ENC_CSR: ok = pack_csr(data, v, out); break;
  case SPCC_ENC_BSR: ok = pack_bsr(data, v, out); break;
  case SPCC_ENC_NM: ok = pack_nm(data, v, out); break;
  default: ok = false; break;
  }
  if (!ok) spcc_packed_free(out);
  return ok;
}

void spcc_packed_free(spcc_packed *p) {
  if (!p) return;
  free(p->rowptr);
  free(p->idx);
  free(p->val);
  memset(p, 0, sizeof *p);
}

void spcc_unpack_weight(const spcc_packed *p, const spcc_weight_view *v, float *data) {
  for (int64_t r = 0; r < v->rows; r++)
    for (int64_t c = 0; c < v->cols; c++) data[spcc_weight_at(v, r, c)] = 0.0f;
  int bits = p->enc.index_bits;
  switch (p->enc.kind) {
  case SPCC_ENC_CSR:
    for (int64_t r = 0; r < p->rows; r++)
      for (int64_t k = p->rowptr[r]; k < p->rowptr[r + 1]; k++)
        data[spcc_weight_at(v, r, get_index(p->idx, bits, k))] = p->val[k];
    break;
  case SPCC_ENC_BSR: {
    int R = p->enc.block_r, C = p->enc.block_c;
    int64_t brows = (p->rows + R - 1) / R;
    for (int64_t br = 0; br < brows; br++)
      for (int64_t k = p->rowptr[br]; k < p->rowptr[br + 1]; k++) {
        int64_t bc = get_index(p->idx, bits, k);
        const float *blk = p->val + k * R * C;
        for (int i = 0; i < R; i++)
          for (int j = 0; j < C; j++) {
            int64_t r = br * R + i, c = bc * C + j;
            if (r < p->rows && c < p->cols) data[spcc_weight_at(v, r, c)] = blk[i * C + j];
          }
      }
    break;
  }
  case SPCC_ENC_NM: {
    int N = p->enc.nm_n, M = p->enc.nm_m;
    int64_t groups = (p->cols + M - 1) / M;
    int64_t row_bytes = nm_row_bytes(groups, N, bits);
    const unsigned char *stream = p->idx;
    for (int64_t r = 0; r < p->rows; r++)
      for (int64_t s = 0; s < groups * N; s++) {
        float x = p->val[r * groups * N + s];
        int64_t c = (s / N) * M + get_bits(stream + r * row_bytes, s * bits, bits);
        /* Zero slots are filler; they may share a position with a value. */
        if (x != 0 && c < p->cols) data[spcc_weight_at(v, r, c)] = x;
      }
    break;
  }
  default: break;
  }
}
