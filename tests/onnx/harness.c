/* harness.c - the driver-path program of the ONNX conformance suite.
 *
 * It calls generated code the way an application does: raw input bytes in,
 * model_run(arena, inputs, outputs), raw output bytes out. It reads no
 * protobuf; run_conformance.py converts input_k.pb to raw files and compares
 * the raw outputs with output_k.pb.
 *
 * The file is compiled twice. Once per suite run as harness.o (the driver,
 * C11 for aligned_alloc). Once per test with -DHARNESS_GLUE next to the
 * generated model.c: that copy only turns model.h's macros into constants, so
 * harness.o need not be rebuilt for each model.
 *
 * Usage: prog [-i IN.raw]... [-o OUT.raw NBYTES]...
 * The model runs twice, with arena and outputs filled with different bytes:
 * differing results mean an output element was never written or the code
 * read arena memory it did not write first. Guard bytes after each output
 * catch writes past its end (an output larger than expected).
 */
#ifdef HARNESS_GLUE
#include <stddef.h>
#include "model.h"
const size_t harness_arena_size = MODEL_ARENA_SIZE;
const int harness_num_inputs = MODEL_NUM_INPUTS;
const int harness_num_outputs = MODEL_NUM_OUTPUTS;
#else
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TENSORS 64
#define GUARD 64 /* bytes after each output buffer */

extern const size_t harness_arena_size;
extern const int harness_num_inputs;
extern const int harness_num_outputs;
int model_run(void *arena, const void *const inputs[], void *const outputs[]);

static void *alloc64(size_t n) {
  void *p = aligned_alloc(64, (n + 63) / 64 * 64 + 64); /* never size 0 */
  if (!p) {
    fprintf(stderr, "harness: out of memory (%zu bytes)\n", n);
    exit(1);
  }
  return p;
}

static void *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f || fseek(f, 0, SEEK_END) != 0) {
    fprintf(stderr, "harness: cannot read %s\n", path);
    exit(1);
  }
  long n = ftell(f);
  rewind(f);
  void *buf = alloc64((size_t)n);
  if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    fprintf(stderr, "harness: short read on %s\n", path);
    exit(1);
  }
  fclose(f);
  return buf;
}

static void run_once(void *arena, const void *const in[], void *const out[],
                     const size_t *out_size, int n_out, int fill) {
  memset(arena, fill, harness_arena_size);
  for (int k = 0; k < n_out; k++)
    memset(out[k], fill, out_size[k] + GUARD);
  int rc = model_run(arena, in, out);
  if (rc != 0) {
    fprintf(stderr, "harness: model_run returned %d\n", rc);
    exit(3);
  }
  for (int k = 0; k < n_out; k++)
    for (size_t b = 0; b < GUARD; b++)
      if (((unsigned char *)out[k])[out_size[k] + b] != (unsigned char)fill) {
        fprintf(stderr, "harness: output %d written past its %zu bytes\n", k, out_size[k]);
        exit(4);
      }
}

int main(int argc, char **argv) {
  const void *in[MAX_TENSORS + 1] = {0};
  void *out[MAX_TENSORS + 1] = {0}, *again[MAX_TENSORS + 1] = {0};
  const char *out_path[MAX_TENSORS];
  size_t out_size[MAX_TENSORS];
  int n_in = 0, n_out = 0;

  for (int a = 1; a < argc; a++) {
    if (!strcmp(argv[a], "-i") && a + 1 < argc && n_in < MAX_TENSORS) {
      in[n_in++] = read_file(argv[++a]);
    } else if (!strcmp(argv[a], "-o") && a + 2 < argc && n_out < MAX_TENSORS) {
      out_path[n_out] = argv[a + 1];
      out_size[n_out] = strtoull(argv[a + 2], NULL, 10);
      out[n_out] = alloc64(out_size[n_out] + GUARD);
      again[n_out] = alloc64(out_size[n_out] + GUARD);
      n_out++;
      a += 2;
    } else {
      fprintf(stderr, "usage: %s [-i IN.raw]... [-o OUT.raw NBYTES]...\n", argv[0]);
      return 1;
    }
  }
  if (n_in != harness_num_inputs || n_out != harness_num_outputs) {
    fprintf(stderr, "harness: model has %d inputs and %d outputs, test has %d and %d\n",
            harness_num_inputs, harness_num_outputs, n_in, n_out);
    return 2;
  }

  void *arena = alloc64(harness_arena_size);
  run_once(arena, in, out, out_size, n_out, 0xff);
  run_once(arena, in, again, out_size, n_out, 0x5a);
  for (int k = 0; k < n_out; k++) {
    if (memcmp(out[k], again[k], out_size[k]) != 0) {
      fprintf(stderr, "harness: output %d differs between two runs "
                      "(unwritten elements or uninitialized arena reads)\n", k);
      return 5;
    }
    FILE *f = fopen(out_path[k], "wb");
    if (!f || fwrite(out[k], 1, out_size[k], f) != out_size[k] || fclose(f) != 0) {
      fprintf(stderr, "harness: cannot write %s\n", out_path[k]);
      return 1;
    }
  }
  return 0;
}
#endif
