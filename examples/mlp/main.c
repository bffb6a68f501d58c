/* main.c - an application that embeds spcc's generated code for the example MLP.
 *
 * mlp.c/mlp.h come from `spcc model.onnx -o mlp.c --name mlp`. The program
 * owns all memory: one static arena of MLP_ARENA_SIZE bytes, the input and
 * the output. It reads the input and numpy's expected output (text, one
 * number per line, written by make_model.py), calls mlp_infer, prints the
 * class probabilities and the argmax, and exits non-zero on a mismatch.
 *
 * Usage: mlp_demo input.txt expected.txt
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "mlp.h"

#define N_IN 64
#define N_OUT 10

/* 64 spare bytes place the arena on a 64-byte boundary portably (C99 has no
 * alignas) and keep the array non-empty even for a zero-byte arena. */
static unsigned char arena_store[MLP_ARENA_SIZE + 64];

static int read_floats(const char *path, float *v, int n) {
  FILE *f = fopen(path, "r");
  int i = 0;
  if (!f) {
    fprintf(stderr, "mlp_demo: cannot open %s\n", path);
    return 0;
  }
  while (i < n && fscanf(f, "%f", &v[i]) == 1)
    i++;
  fclose(f);
  if (i != n)
    fprintf(stderr, "mlp_demo: %s has %d numbers, expected %d\n", path, i, n);
  return i == n;
}

int main(int argc, char **argv) {
  static float x[1][N_IN], y[1][N_OUT], want[N_OUT];
  void *arena = arena_store + (64 - (uintptr_t)arena_store % 64) % 64;
  int best = 0, bad = 0, i;

  if (argc != 3) {
    fprintf(stderr, "usage: %s input.txt expected.txt\n", argv[0]);
    return 2;
  }
  if (!read_floats(argv[1], x[0], N_IN) || !read_floats(argv[2], want, N_OUT))
    return 2;
  if (mlp_infer(arena, (const float(*)[N_IN])x, y) != 0) {
    fprintf(stderr, "mlp_demo: mlp_infer failed\n");
    return 1;
  }
  for (i = 0; i < N_OUT; i++) {
    int ok = fabsf(y[0][i] - want[i]) <= 1e-4f + 1e-3f * fabsf(want[i]);
    printf("y[%d] = %.6f   (numpy %.6f)%s\n", i, y[0][i], want[i], ok ? "" : "  MISMATCH");
    bad += !ok;
    if (y[0][i] > y[0][best])
      best = i;
  }
  printf("argmax = %d\n", best);
  if (bad) {
    fprintf(stderr, "mlp_demo: %d of %d outputs differ from numpy\n", bad, N_OUT);
    return 1;
  }
  printf("mlp_demo: outputs match numpy\n");
  return 0;
}
