/* test_pipeline.c - shape inference, the default pipeline and the C backend
 * end to end: graphs built with the IR API are compiled, the generated C is
 * built with gcc and clang at -std=c99 -Wall -Wextra -pedantic -Werror, run,
 * and its results compared with values computed here by hand. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "passes/passes.h"
#include "support/graph_build.h"

static spcc_type t2(spcc_dtype dt, int64_t a, int64_t b) {
  int64_t dims[2] = {a, b};
  return spcc_type_make(dt, 2, dims);
}

static float *floats(int n, ...) {
  float *p = malloc(sizeof(float) * (size_t)n);
  va_list ap;
  va_start(ap, n);
  for (int i = 0; i < n; i++) p[i] = (float)va_arg(ap, double);
  va_end(ap);
  return p;
}

/* y = relu(x @ W + b) with x [1,3], W [3,2]. */
static spcc_graph *mlp_graph(void) {
  spcc_graph *g = spcc_graph_new("mlp", "test.onnx");
  spcc_type tx = t2(SPCC_DT_F32, 1, 3), tw = t2(SPCC_DT_F32, 3, 2);
  int64_t two = 2;
  spcc_type tb = spcc_type_make(SPCC_DT_F32, 1, &two);
  int x = spcc_graph_add_value(g, "x", &tx, SPCC_VAL_INPUT);
  int w = spcc_graph_add_const(g, "W", &tw, floats(6, 1.0, -1.0, 2.0, 0.5, -3.0, 0.25));
  int b = spcc_graph_add_const(g, "b", &tb, floats(2, 0.5, -100.0));
  int h = spcc_graph_add_value(g, "h", NULL, SPCC_VAL_TEMP);
  int y = spcc_graph_add_value(g, "y", NULL, SPCC_VAL_TEMP);
  int in[3] = {x, w, b};
  gb_set_origin(g, spcc_graph_add_node(g, SPCC_OP_GEMM, 3, in, 1, &h), 0, "fc", 13);
  gb_set_origin(g, spcc_graph_add_node(g, SPCC_OP_RELU, 1, &h, 1, &y), 1, "act", 13);
  gb_add_input(g, x);
  gb_add_output(g, y);
  return g;
}

static void test_shape_infer(void **state) {
  (void)state;
  spcc_graph *g = mlp_graph();
  spcc_options o = {0};
  spcc_diag d;
  spcc_diag_init(&d, stderr);
  assert_true(spcc_pass_shape_infer(g, &o, &d));
  const spcc_type *ty = &g->values[g->outputs[0]].type;
  assert_int_equal(ty->dtype, SPCC_DT_F32);
  assert_int_equal(ty->rank, 2);
  assert_int_equal(ty->dims[0], 1);
  assert_int_equal(ty->dims[1], 2);
  spcc_graph_free(g);
}

static void test_shape_mismatch_is_an_error(void **state) {
  (void)state;
  spcc_graph *g = mlp_graph();
  g->values[g->inputs[0]].type.dims[1] = 4; /* x [1,4] against W [3,2] */
  spcc_options o = {0};
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  assert_false(spcc_pass_shape_infer(g, &o, &d));
  assert_int_equal(d.n_errors, 1);
  /* The diagnostic names the file and the node. */
  assert_non_null(strstr(d.first_error, "test.onnx: node 0 'fc' (Gemm): error:"));
  spcc_graph_free(g);
}

/* The default pipeline, which must succeed on g. */
static void compile(spcc_graph *g) {
  spcc_options o = {0};
  spcc_diag d;
  spcc_diag_init(&d, stderr);
  assert_true(spcc_run_pipeline(g, &o, &d));
}

/* What every main() below starts from. */
static const char main_prelude[] =
    "#include <stdint.h>\n#include <stdio.h>\n#include <string.h>\n#include \"model.h\"\n"
    "static unsigned char arena[MODEL_ARENA_SIZE] __attribute__((aligned(64)));\n";

/* Writes the generated files and a main() (main_prelude, then main_src)
 * that checks the result; builds them with cc (and clang when present) and
 * runs the program. */
static void build_and_run(const spcc_graph *g, const char *main_src, const char *tag) {
  char dir[512], c_path[600], h_path[600], m_path[600], cmd[4096];
  snprintf(dir, sizeof dir, "%s/pipeline_%s", SPCC_TEST_TMPDIR, tag);
  snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
  assert_int_equal(system(cmd), 0);
  snprintf(c_path, sizeof c_path, "%s/model.c", dir);
  snprintf(h_path, sizeof h_path, "%s/model.h", dir);
  snprintf(m_path, sizeof m_path, "%s/main.c", dir);
  FILE *c = fopen(c_path, "w"), *h = fopen(h_path, "w"), *m = fopen(m_path, "w");
  assert_non_null(c);
  assert_non_null(h);
  assert_non_null(m);
  spcc_diag d;
  spcc_diag_init(&d, stderr);
  assert_true(spcc_emit_c(g, "model", "model.h", c, h, &d));
  fputs(main_prelude, m);
  fputs(main_src, m);
  fclose(c);
  fclose(h);
  fclose(m);
  const char *compilers[] = {"gcc", "clang"};
  for (int i = 0; i < 2; i++) {
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null", compilers[i]);
    if (system(cmd) != 0) continue; /* clang is optional on the machine */
    snprintf(cmd, sizeof cmd,
             "%s -std=c99 -Wall -Wextra -pedantic -Werror -I%s -I%s -o %s/prog_%s %s %s %s -lm && "
             "%s/prog_%s",
             compilers[i], dir, SPCC_TEST_INCLUDEDIR, dir, compilers[i], m_path, c_path,
             SPCC_TEST_RTLIB, dir, compilers[i]);
    assert_int_equal(system(cmd), 0);
  }
}

static void test_emit_mlp(void **state) {
  (void)state;
  spcc_graph *g = mlp_graph();
  compile(g);
  /* h [1,2] f32 is the only temporary: one 64-byte slot. */
  assert_int_equal(g->arena_size, 64);
  assert_int_equal(g->arena_lower_bound, 64);
  /* x = [1,2,3]: x@W = [1*1+2*2+3*-3, -1+2*0.5+3*0.25] = [-4, 0.75];
   * + b = [-3.5, -99.25]; relu = [0, 0]. x = [3,0,-1]: [3+3, -3-0.25] +b
   * = [6.5, -103.25] -> [6.5, 0]. */
  const char *main_src =
      "int main(void) {\n"
      "  const float x1[1][3] = {{1, 2, 3}}, x2[1][3] = {{3, 0, -1}};\n"
      "  float y[1][2];\n"
      "  if (MODEL_NUM_INPUTS != 1 || MODEL_NUM_OUTPUTS != 1) return 1;\n"
      "  if (model_infer(arena, x1, y) != 0 || y[0][0] != 0.0f || y[0][1] != 0.0f) return 2;\n"
      "  const void *const in[1] = {x2};\n  void *const out[1] = {y};\n"
      "  if (model_run(arena, in, out) != 0 || y[0][0] != 6.5f || y[0][1] != 0.0f) return 3;\n"
      "  return 0;\n}\n";
  build_and_run(g, main_src, "mlp");
  spcc_graph_free(g);
}

/* relu(c) with c constant folds away: the output becomes a constant that
 * the generated code copies. */
static void test_fold_to_constant_output(void **state) {
  (void)state;
  spcc_graph *g = spcc_graph_new("folded", "fold.onnx");
  int64_t three = 3;
  spcc_type t = spcc_type_make(SPCC_DT_F32, 1, &three);
  int c = spcc_graph_add_const(g, "c", &t, floats(3, -1.0, 0.0, 2.5));
  int y = spcc_graph_add_value(g, "y", NULL, SPCC_VAL_TEMP);
  spcc_graph_add_node(g, SPCC_OP_RELU, 1, &c, 1, &y);
  gb_add_output(g, y);
  compile(g);
  assert_int_equal(g->n_nodes, 0);
  assert_int_equal(g->values[g->outputs[0]].kind, SPCC_VAL_CONST);
  const float *v = spcc_value_data(g, g->outputs[0]);
  assert_true(v[0] == 0.0f && v[1] == 0.0f && v[2] == 2.5f);
  const char *main_src =
      "int main(void) {\n"
      "  float y[3];\n"
      "  if (MODEL_NUM_INPUTS != 0) return 1;\n"
      "  if (model_infer(arena, y) != 0) return 2;\n"
      "  return !(y[0] == 0.0f && y[1] == 0.0f && y[2] == 2.5f);\n}\n";
  build_and_run(g, main_src, "fold");
  spcc_graph_free(g);
}

/* An input bound at compile time: the generated code accepts exactly the
 * bound value and returns non-zero for any other. */
static void test_bound_input_is_checked(void **state) {
  (void)state;
  spcc_graph *g = spcc_graph_new("bound", "bind.onnx");
  spcc_type tx = t2(SPCC_DT_F32, 2, 3);
  int64_t two = 2;
  spcc_type ts = spcc_type_make(SPCC_DT_I64, 1, &two);
  int x = spcc_graph_add_value(g, "x", &tx, SPCC_VAL_INPUT);
  int s = spcc_graph_add_value(g, "shape", &ts, SPCC_VAL_INPUT);
  int64_t *sv = malloc(2 * sizeof(int64_t));
  sv[0] = 3;
  sv[1] = -1;
  g->values[s].const_id = spcc_graph_add_const_data(g, SPCC_DT_I64, 2, sv);
  int y = spcc_graph_add_value(g, "y", NULL, SPCC_VAL_TEMP);
  int in[2] = {x, s};
  int n = spcc_graph_add_node(g, SPCC_OP_RESHAPE, 2, in, 1, &y);
  g->nodes[n].opset = 14;
  gb_set_inputs(g, 2, in);
  gb_add_output(g, y);
  compile(g);
  const spcc_type *ty = &g->values[g->outputs[0]].type;
  assert_int_equal(ty->rank, 2);
  assert_int_equal(ty->dims[0], 3);
  assert_int_equal(ty->dims[1], 2);
  const char *main_src =
      "int main(void) {\n"
      "  const float x[2][3] = {{1, 2, 3}, {4, 5, 6}};\n"
      "  const int64_t good[2] = {3, -1}, bad[2] = {2, -1};\n"
      "  float y[3][2];\n"
      "  if (model_infer(arena, x, good, y) != 0 || y[2][1] != 6.0f) return 1;\n"
      "  if (model_infer(arena, x, bad, y) == 0) return 2;\n"
      "  return 0;\n}\n";
  build_and_run(g, main_src, "bind");
  spcc_graph_free(g);
}

/* Constants reach the generated code bit for bit: -0, infinities and NaNs
 * with payloads (which need the union form). */
static void test_constants_bit_exact(void **state) {
  (void)state;
  spcc_graph *g = spcc_graph_new("bits", "bits.onnx");
  int64_t four = 4;
  spcc_type t = spcc_type_make(SPCC_DT_F32, 1, &four);
  uint32_t bits[4] = {0x7fc00123u, 0x80000000u, 0xff800000u, 0xffc00000u};
  float *v = malloc(sizeof bits);
  memcpy(v, bits, sizeof bits);
  int c = spcc_graph_add_const(g, "c", &t, v);
  gb_add_output(g, c);
  compile(g);
  const char *main_src =
      "int main(void) {\n"
      "  const uint32_t want[4] = {0x7fc00123u, 0x80000000u, 0xff800000u, 0xffc00000u};\n"
      "  float y[4];\n"
      "  if (model_infer(arena, y) != 0) return 1;\n"
      "  return memcmp(y, want, sizeof want) != 0;\n}\n";
  build_and_run(g, main_src, "bits");
  spcc_graph_free(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_constants_bit_exact),
      cmocka_unit_test(test_shape_infer),
      cmocka_unit_test(test_shape_mismatch_is_an_error),
      cmocka_unit_test(test_emit_mlp),
      cmocka_unit_test(test_fold_to_constant_output),
      cmocka_unit_test(test_bound_input_is_checked),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
