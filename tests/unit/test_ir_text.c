/* test_ir_text.c - the IR text form: print(parse(print(g))) == print(g) byte
 * for byte on graphs that use every feature of the IR (inline and side-file
 * constants of every dtype with -0, inf and NaN payloads, every attribute
 * kind, quoted names, omitted inputs and outputs, repeated outputs, planned
 * offsets, every sparse encoding), the exact spelling of a small graph and
 * of the encodings, parse errors with their file:line:col (encodings and
 * the nnz/density annotation included), the verifier's encoding rules, and
 * every prefix of a valid text (no crash, no leak under ASan). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ir/ir.h"
#include "support/graph_build.h"

#define TMP SPCC_TEST_TMPDIR "/"

static void *dup_bytes(const void *p, size_t n) {
  void *q = malloc(n ? n : 1);
  memcpy(q, p, n);
  return q;
}

static spcc_type ty(spcc_dtype dt, int rank, ...) {
  int64_t dims[SPCC_MAX_RANK];
  va_list ap;
  va_start(ap, rank);
  for (int i = 0; i < rank; i++) dims[i] = va_arg(ap, int64_t);
  va_end(ap);
  return spcc_type_make(dt, rank, dims);
}

static float f32_bits(uint32_t b) {
  float f;
  memcpy(&f, &b, 4);
  return f;
}

/* A graph that uses every feature the text form has to carry. */
static spcc_graph *full_graph(void) {
  spcc_graph *g = spcc_graph_new("my model/v1", NULL);
  spcc_type tx = ty(SPCC_DT_F32, 2, INT64_C(1), INT64_C(4));
  int x = spcc_graph_add_value(g, "x", &tx, SPCC_VAL_INPUT);
  spcc_type ts = ty(SPCC_DT_I64, 1, INT64_C(2));
  int shape_in = spcc_graph_add_value(g, "shape:0", &ts, SPCC_VAL_INPUT);
  int64_t shape_data[2] = {1, -1};
  g->values[shape_in].const_id =
      spcc_graph_add_const_data(g, SPCC_DT_I64, 2, dup_bytes(shape_data, sizeof shape_data));
  spcc_type tdyn = ty(SPCC_DT_F32, 2, INT64_C(-1), INT64_C(3));
  int dyn = spcc_graph_add_value(g, "dyn in", &tdyn, SPCC_VAL_INPUT);

  /* Small constants of every dtype, inline. */
  float fdata[8] = {0.1f, -0.0f, INFINITY, -INFINITY, f32_bits(0x7fc00000u),
                    f32_bits(0xffa00001u), 1e-45f, 3.4028235e38f};
  spcc_type t8 = ty(SPCC_DT_F32, 2, INT64_C(2), INT64_C(4));
  int cf = spcc_graph_add_const(g, "conv1/weight:0", &t8, dup_bytes(fdata, sizeof fdata));
  double ddata[3] = {-0.0, 1.0 / 3.0, NAN};
  uint64_t payload = UINT64_C(0x7ff0000000000123);
  memcpy(&ddata[2], &payload, 8);
  spcc_type t3 = ty(SPCC_DT_F64, 1, INT64_C(3));
  spcc_graph_add_const(g, "d", &t3, dup_bytes(ddata, sizeof ddata));
  /* The extremes of every integer dtype, two elements each. */
  static const int8_t i8[2] = {-128, 127};
  static const int16_t i16[2] = {-32768, 32767};
  static const int32_t i32[2] = {INT32_MIN, INT32_MAX};
  static const int64_t i64[2] = {INT64_MIN, INT64_MAX};
  static const uint8_t u8[2] = {0, 255}, b[2] = {0, 1};
  static const uint16_t u16[2] = {0, 65535};
  static const uint32_t u32[2] = {0, UINT32_MAX};
  static const uint64_t u64[2] = {0, UINT64_MAX};
  static const struct {
    const char *name;
    spcc_dtype dt;
    const void *data;
  } ints[] = {{"i8", SPCC_DT_I8, i8},    {"i16", SPCC_DT_I16, i16}, {"i32", SPCC_DT_I32, i32},
              {"i64", SPCC_DT_I64, i64}, {"u8", SPCC_DT_U8, u8},    {"u16", SPCC_DT_U16, u16},
              {"u32", SPCC_DT_U32, u32}, {"u64", SPCC_DT_U64, u64}, {"flags", SPCC_DT_BOOL, b}};
  for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
    spcc_type t2 = ty(ints[i].dt, 1, INT64_C(2));
    spcc_graph_add_const(g, ints[i].name, &t2,
                         dup_bytes(ints[i].data, 2 * spcc_dtype_size(ints[i].dt)));
  }
  spcc_type tscalar = ty(SPCC_DT_F32, 0);
  float one = 1.0f;
  int scalar = spcc_graph_add_const(g, "one", &tscalar, dup_bytes(&one, 4));
  spcc_type tempty = ty(SPCC_DT_F32, 2, INT64_C(0), INT64_C(5));
  spcc_graph_add_const(g, "empty", &tempty, malloc(1));

  /* Every encoding, with and without a chosen index width (nothing uses
   * them: this graph is for the text form, not the verifier). */
  const spcc_encoding encs[] = {
      {.kind = SPCC_ENC_CSR},
      {.kind = SPCC_ENC_CSR, .index_bits = 16},
      {.kind = SPCC_ENC_BSR, .block_r = 4, .block_c = 1, .index_bits = 8},
      {.kind = SPCC_ENC_BSR, .block_r = 12, .block_c = 30},
      {.kind = SPCC_ENC_NM, .nm_n = 2, .nm_m = 4, .axis = 1, .index_bits = 2},
      {.kind = SPCC_ENC_NM, .nm_n = 3, .nm_m = 16, .axis = 0},
  };
  for (int e = 0; e < 6; e++) {
    spcc_type tsp = ty(SPCC_DT_F32, 2, INT64_C(3), INT64_C(4));
    tsp.enc = encs[e];
    float *sp = calloc(12, sizeof *sp);
    sp[e] = 1.5f;
    sp[11] = -2.0f;
    char name[16];
    snprintf(name, sizeof name, "sparse%d", e);
    spcc_graph_add_const(g, name, &tsp, sp);
  }

  /* Large constants: to the side file. */
  spcc_type tbig = ty(SPCC_DT_F32, 2, INT64_C(4), INT64_C(10));
  float *big = malloc(40 * sizeof(float));
  for (int i = 0; i < 40; i++) big[i] = (float)i * 0.37f - 3.0f;
  big[7] = f32_bits(0x7f800001u);
  int cbig = spcc_graph_add_const(g, "big", &tbig, big);
  spcc_type tbig16 = ty(SPCC_DT_I16, 1, INT64_C(33));
  int16_t *big16 = malloc(33 * sizeof(int16_t));
  for (int i = 0; i < 33; i++) big16[i] = (int16_t)(i * 1000 - 16000);
  spcc_graph_add_const(g, "big16", &tbig16, big16);

  /* Nodes: attributes of every kind, omitted inputs, several outputs. */
  spcc_type th = ty(SPCC_DT_F32, 2, INT64_C(1), INT64_C(10));
  int h = spcc_graph_add_value(g, "h", &th, SPCC_VAL_TEMP);
  int in0[4] = {x, cbig, -1, -1};
  int n0 = spcc_graph_add_node(g, SPCC_OP_GEMM, 4, in0, 1, &h);
  spcc_node_set_float(g, n0, "alpha", 0.1f);
  spcc_node_set_float(g, n0, "beta", f32_bits(0x7fc00001u));
  spcc_node_set_float(g, n0, "neg_inf", -INFINITY);
  spcc_node_set_int(g, n0, "transB", 1);
  spcc_node_set_int(g, n0, "big", INT64_MIN);
  spcc_node_set_string(g, n0, "mode", "quote\" back\\ nl\n tab\t ctl\x01 utf8 \xc3\xa9");
  int64_t perm[3] = {2, 0, -1};
  spcc_node_set_ints(g, n0, "perm", 3, perm);
  spcc_node_set_ints(g, n0, "no_ints", 0, NULL);
  float scales[3] = {0.5f, -0.0f, INFINITY};
  spcc_node_set_floats(g, n0, "scales", 3, scales);
  spcc_node_set_floats(g, n0, "no_floats", 0, NULL);
  float whole[2] = {1.0f, 2.0f};
  spcc_node_set_floats(g, n0, "whole floats", 2, whole);
  spcc_node_set_string(g, n0, "empty", "");
  spcc_node_set_int(g, n0, "inf", 3); /* a name the lexer would read as a number */
  gb_set_origin(g, n0, 0, "fc/1 \"a\"", 13);

  int r = spcc_graph_add_value(g, "r", &th, SPCC_VAL_TEMP);
  int unknown = spcc_graph_add_value(g, "1.2", NULL, SPCC_VAL_TEMP);
  spcc_type tpart = ty(SPCC_DT_F32, 2, INT64_C(-1), INT64_C(10));
  int part = spcc_graph_add_value(g, "part", &tpart, SPCC_VAL_TEMP);
  int in1[3] = {h, -1, scalar};
  int out1[4] = {r, -1, unknown, part};
  int n1 = spcc_graph_add_node(g, SPCC_OP_CLIP, 3, in1, 4, out1);
  gb_set_origin(g, n1, -1, "synthesized", 0);

  int y = spcc_graph_add_value(g, "y", NULL, SPCC_VAL_TEMP);
  int in2[2] = {r, cf};
  spcc_graph_add_node(g, SPCC_OP_ADD, 2, in2, 1, &y); /* no loc at all */
  int z = spcc_graph_add_value(g, "z", NULL, SPCC_VAL_TEMP);
  int n3 = spcc_graph_add_node(g, SPCC_OP_RELU, 1, &dyn, 1, &z);
  g->nodes[n3].dead = true;
  gb_set_origin(g, n3, 7, "", 11);

  g->values[h].offset = 0;
  g->values[r].offset = 64;
  g->values[x].offset = 128;
  g->arena_size = 4096;
  g->arena_lower_bound = 192;

  int ins[3] = {x, shape_in, dyn};
  int outs[6] = {y, y, x, cf, r, shape_in};
  gb_set_inputs(g, 3, ins);
  gb_set_outputs(g, 6, outs);
  return g;
}

/* Prints g into a string; side payloads (if side_path) go to that file. */
static char *print_to_string(const spcc_graph *g, const char *side_path, bool summarize) {
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  assert_non_null(out);
  FILE *side = side_path ? fopen(side_path, "wb") : NULL;
  if (side_path) assert_non_null(side);
  spcc_print_options o = {.inline_limit = 16,
                          .side_file = side,
                          .side_name = "test_ir_text.bin",
                          .summarize_large = summarize};
  spcc_print_graph(out, g, &o);
  fclose(out);
  if (side) fclose(side);
  return text;
}

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  *len = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc(*len + 1);
  assert_int_equal(fread(buf, 1, *len, f), *len);
  fclose(f);
  return buf;
}

static void test_round_trip_full(void **state) {
  (void)state;
  spcc_graph *g = full_graph();
  char *t1 = print_to_string(g, TMP "test_ir_text.bin", false);
  size_t side1_len;
  char *side1 = read_file(TMP "test_ir_text.bin", &side1_len);

  spcc_diag d;
  spcc_diag_init(&d, stderr);
  spcc_graph *g2 = spcc_parse_graph(t1, TMP "test_ir_text.ir", &d);
  assert_non_null(g2);
  assert_int_equal(d.n_errors, 0);
  char *t2 = print_to_string(g2, TMP "test_ir_text2.bin", false);
  assert_string_equal(t1, t2);
  size_t side2_len;
  char *side2 = read_file(TMP "test_ir_text2.bin", &side2_len);
  assert_int_equal(side1_len, side2_len);
  assert_memory_equal(side1, side2, side1_len);

  /* The payloads are 64-byte aligned and named in the text. */
  assert_non_null(strstr(t1, "data=file(\"test_ir_text.bin\", offset=0, bytes=160)"));
  assert_non_null(strstr(t1, "data=file(\"test_ir_text.bin\", offset=192, bytes=66)"));

  /* Structure, not only text: bits of NaNs, kinds, origins, io order. */
  assert_string_equal(g2->name, "my model/v1");
  assert_int_equal(g2->n_inputs, 3);
  assert_int_equal(g2->n_outputs, 6);
  assert_int_equal(g2->outputs[0], g2->outputs[1]);
  assert_int_equal(g2->outputs[2], g2->inputs[0]);
  assert_int_equal(g2->arena_size, 4096);
  assert_int_equal(g2->arena_lower_bound, 192);
  int cf = spcc_graph_find_value(g2, "conv1/weight:0");
  assert_true(cf >= 0);
  const uint32_t *bits = spcc_value_data(g2, cf);
  assert_int_equal(bits[1], 0x80000000u);
  assert_int_equal(bits[4], 0x7fc00000u);
  assert_int_equal(bits[5], 0xffa00001u);
  assert_int_equal(bits[6], 1u);
  int big = spcc_graph_find_value(g2, "big");
  assert_memory_equal(spcc_value_data(g2, big), g->consts[g->values[spcc_graph_find_value(g, "big")].const_id].data, 160);
  int shape_in = spcc_graph_find_value(g2, "shape:0");
  assert_int_equal(g2->values[shape_in].kind, SPCC_VAL_INPUT);
  assert_int_equal(((const int64_t *)spcc_value_data(g2, shape_in))[1], -1);
  const spcc_node *n0 = &g2->nodes[0];
  assert_int_equal(n0->n_in, 4);
  assert_int_equal(n0->in[2], -1);
  assert_int_equal(n0->n_attr, 13);
  assert_int_equal(spcc_attr_int(n0, "inf", 0), 3);
  assert_int_equal(spcc_node_attr(n0, "no_floats")->kind, SPCC_ATTR_FLOATS);
  assert_int_equal(spcc_node_attr(n0, "no_ints")->kind, SPCC_ATTR_INTS);
  assert_int_equal(spcc_node_attr(n0, "whole floats")->kind, SPCC_ATTR_FLOATS);
  float beta = spcc_attr_float(n0, "beta", 0);
  uint32_t beta_bits;
  memcpy(&beta_bits, &beta, 4);
  assert_int_equal(beta_bits, 0x7fc00001u);
  assert_string_equal(spcc_attr_string(n0, "mode", ""), g->nodes[0].attr[5].s);
  assert_string_equal(n0->name, "fc/1 \"a\"");
  assert_int_equal(n0->opset, 13);
  assert_int_equal(g2->nodes[1].n_out, 4);
  assert_int_equal(g2->nodes[1].out[1], -1);
  assert_int_equal(g2->nodes[1].onnx_index, -1);
  assert_true(g2->nodes[3].dead);
  assert_int_equal(g2->values[g2->nodes[0].out[0]].offset, 0);
  for (int e = 0; e < 6; e++) {
    char name[16];
    snprintf(name, sizeof name, "sparse%d", e);
    int a = spcc_graph_find_value(g, name), b = spcc_graph_find_value(g2, name);
    assert_true(b >= 0);
    assert_true(spcc_type_equal(&g->values[a].type, &g2->values[b].type));
  }

  free(side1);
  free(side2);
  free(t1);
  free(t2);
  spcc_graph_free(g);
  spcc_graph_free(g2);
}

/* All inline when there is no side file; the text parses on its own. */
static void test_round_trip_inline(void **state) {
  (void)state;
  spcc_graph *g = full_graph();
  char *t1 = print_to_string(g, NULL, false);
  assert_null(strstr(t1, "file("));
  spcc_diag d;
  spcc_diag_init(&d, stderr);
  spcc_graph *g2 = spcc_parse_graph(t1, "inline.ir", &d);
  assert_non_null(g2);
  char *t2 = print_to_string(g2, NULL, false);
  assert_string_equal(t1, t2);
  free(t1);
  free(t2);
  spcc_graph_free(g);
  spcc_graph_free(g2);
}

static const char small_text[] =
    "# arena: 128 bytes, liveness lower bound 64 bytes\n"
    "graph @mlp(%x: f32[1,3] dense) -> (%y) {\n"
    "  arena size=128 lower_bound=64\n"
    "  $w = const f32[3,2] dense nnz=6 density=1.0000 data=[0x1p+0, -0x1p+0, 0x1p+1, 0x1p-1, "
    "-0x1.8p+1, 0x1p-2]\n"
    "  $b = const f32[2] dense nnz=2 density=1.0000 data=[0x1p-1, -0x1.9p+6]\n"
    "  %h = gemm(%x, $w, $b) {alpha=0x1p+0, transB=0} : f32[1,2] dense @arena[0,8) "
    "loc(node 0 \"fc\" opset 13)\n"
    "  %y = relu(%h) : f32[1,2] dense @arena[64,72) loc(node 1 \"act\" opset 13)\n"
    "}\n";

static spcc_graph *small_graph(void) {
  spcc_graph *g = spcc_graph_new("mlp", "test.onnx");
  spcc_type tx = ty(SPCC_DT_F32, 2, INT64_C(1), INT64_C(3));
  spcc_type tw = ty(SPCC_DT_F32, 2, INT64_C(3), INT64_C(2));
  spcc_type tb = ty(SPCC_DT_F32, 1, INT64_C(2));
  spcc_type th = ty(SPCC_DT_F32, 2, INT64_C(1), INT64_C(2));
  float w[6] = {1.0f, -1.0f, 2.0f, 0.5f, -3.0f, 0.25f}, bias[2] = {0.5f, -100.0f};
  int x = spcc_graph_add_value(g, "x", &tx, SPCC_VAL_INPUT);
  int cw = spcc_graph_add_const(g, "w", &tw, dup_bytes(w, sizeof w));
  int cb = spcc_graph_add_const(g, "b", &tb, dup_bytes(bias, sizeof bias));
  int h = spcc_graph_add_value(g, "h", &th, SPCC_VAL_TEMP);
  int y = spcc_graph_add_value(g, "y", &th, SPCC_VAL_TEMP);
  int in0[3] = {x, cw, cb};
  int n0 = spcc_graph_add_node(g, SPCC_OP_GEMM, 3, in0, 1, &h);
  spcc_node_set_float(g, n0, "alpha", 1.0f);
  spcc_node_set_int(g, n0, "transB", 0);
  gb_set_origin(g, n0, 0, "fc", 13);
  int n1 = spcc_graph_add_node(g, SPCC_OP_RELU, 1, &h, 1, &y);
  gb_set_origin(g, n1, 1, "act", 13);
  g->values[h].offset = 0;
  g->values[y].offset = 64;
  g->arena_size = 128;
  g->arena_lower_bound = 64;
  gb_set_inputs(g, 1, &x);
  gb_set_outputs(g, 1, &y);
  return g;
}

/* The exact spelling, so a change to the syntax is a visible decision. */
static void test_exact_text(void **state) {
  (void)state;
  spcc_graph *g = small_graph();
  char *t = print_to_string(g, NULL, false);
  assert_string_equal(t, small_text);
  free(t);
  spcc_graph_free(g);

  spcc_diag d;
  spcc_diag_init(&d, stderr);
  g = spcc_parse_graph(small_text, "small.ir", &d);
  assert_non_null(g);
  assert_true(spcc_verify_graph(g, &d));
  t = print_to_string(g, NULL, false);
  assert_string_equal(t, small_text);
  free(t);
  spcc_graph_free(g);
}

/* Hand-written input may leave out what the printer always writes. */
static void test_hand_written(void **state) {
  (void)state;
  const char *text = "graph @g(%x: f32[2]) -> (%y, %x) {\n"
                     "  $c = const f32[2] data=[1, 2.5e-1]  # ints and decimals are fine\n"
                     "  %y = add(%x, $c) {k=0.5, l=[1, 2.0], m=ints[]}\n"
                     "}";
  spcc_diag d;
  spcc_diag_init(&d, stderr);
  spcc_graph *g = spcc_parse_graph(text, "hand.ir", &d);
  assert_non_null(g);
  assert_true(spcc_verify_graph(g, &d));
  char *t = print_to_string(g, NULL, false);
  assert_string_equal(t, "graph @g(%x: f32[2] dense) -> (%y, %x) {\n"
                         "  $c = const f32[2] dense nnz=2 density=1.0000 data=[0x1p+0, 0x1p-2]\n"
                         "  %y = add(%x, $c) {k=0x1p-1, l=[0x1p+0, 0x1p+1], m=[]}\n"
                         "}\n");
  free(t);
  spcc_graph_free(g);

  const char *empty = "graph @e() -> () {}";
  g = spcc_parse_graph(empty, "empty.ir", &d);
  assert_non_null(g);
  assert_int_equal(g->n_values, 0);
  spcc_graph_free(g);
}

/* Counts mismatches instead of stopping, so one run shows them all. */
static int expect_error(const char *text, const char *where, const char *what) {
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  spcc_graph *g = spcc_parse_graph(text, "bad.ir", &d);
  bool ok = !g && d.n_errors == 1 && strncmp(d.first_error, where, strlen(where)) == 0 &&
            strstr(d.first_error, what);
  if (!ok) print_error("text:\n%s\nwanted '%s' ... '%s', got '%s'\n", text, where, what, d.first_error);
  spcc_graph_free(g);
  return !ok;
}

typedef struct {
  const char *body, *where, *what;
} parse_case;

/* Each case's body, after a one-line graph header, must fail at
 * bad.ir:WHERE with WHAT in the message; returns the mismatches. */
static int expect_errors(const parse_case *cases, size_t n) {
  int failures = 0;
  for (size_t i = 0; i < n; i++) {
    char text[512], where[64];
    snprintf(text, sizeof text, "graph @g(%%x: f32[2]) -> (%%y) {\n%s", cases[i].body);
    snprintf(where, sizeof where, "bad.ir:%s: error: ", cases[i].where);
    failures += expect_error(text, where, cases[i].what);
  }
  return failures;
}

static void test_parse_errors(void **state) {
  (void)state;
  static const parse_case cases[] = {
      {"  %y = relu(%x) ~\n}", "2:17", "unexpected character"},
      {"  %y = frobnicate(%x)\n}", "2:8", "unknown op 'frobnicate'"},
      {"  %y = relu(%q)\n}", "2:13", "undefined value %'q'"},
      {"  %y = relu($x)\n}", "2:13", "'x' is not a constant"},
      {"  $c = const f32[3] data=[1, 2]\n  %y = add(%x, $c)\n}", "2:26", "type mismatch"},
      {"  $c = const f32[1] data=[1, 2]\n  %y = add(%x, $c)\n}", "2:30", "type mismatch"},
      {"  $c = const i32[1] data=[1.5]\n}", "2:27", "type mismatch"},
      {"  $c = const i8[1] data=[128]\n}", "2:26", "out of range"},
      {"  $c = const f32[1] data=[0x1p+200]\n}", "2:27", "out of range for f32"},
      {"  %y = relu(%x) : f32[2] dense @arena[0,4)\n}", "2:39", "type mismatch"},
      {"  %y = relu(%x) : f32[2], f32[2]\n}", "2:25", "more result types"},
      {"  %y = relu(%x)\n  dead %y = relu(%x) : f32[3]\n}", "3:8", "type mismatch"},
      {"  %x = relu(%x) : i64[2]\n}", "2:3", "type mismatch"},
      {"  $c = const f32[100] data=<100 elements, nnz=3, sum=1>\n}", "2:28",
       "cannot be parsed"},
      {"  $c = const f32[2] data=file(\"nope.bin\", offset=0, bytes=8)\n}", "2:26",
       "cannot open side file"},
      {"  $c = const f32[2] data=file(\"nope.bin\", offset=0, bytes=4)\n}", "2:26",
       "type mismatch"},
      {"  $c = const f32[?] data=[]\n}", "2:14", "static type"},
      {"  %y = relu(%x) {a=1, a=2}\n}", "2:23", "given twice"},
      {"  %y = relu(%x) {s=\"abc\n}", "2:20", "unterminated string"},
      {"  %y = relu(%x) loc(node 1 \"n\" opset)\n}", "2:37", "expected an integer"},
      {"  %y = relu(%x)\n", "3:1", "expected '}'"},
      {"  %y = relu(%x)\n}\n}", "4:1", "after the graph"},
      {"  %y = relu(%x)\n  %y = relu(%x)\n}", "3:3", "'y' is defined twice"},
      {"  %y = relu(%x) : f32[1,2,3,4,5,6,7,8,9]\n}", "2:39", "unsupported rank"},
      {"  $c = const f32[1] data=[nan(0x3f800000)]\n}", "2:27", "not an f32 NaN"},
      {"  bind %y data=[1, 2]\n  %y = relu(%x)\n}", "2:8", "undefined value"},
      {"  bind %x data=[1, 2]\n  bind %x data=[1, 2]\n  %y = relu(%x)\n}", "3:8",
       "bound twice"},
  };
  assert_int_equal(expect_errors(cases, sizeof cases / sizeof cases[0]), 0);
}

static void test_control_is_valid(void **state) {
  (void)state;
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  spcc_graph *g = spcc_parse_graph("graph @g(%x: f32[2]) -> (%z) {\n  %z = relu(%x)\n}", "ok.ir", &d);
  assert_non_null(g);
  spcc_graph_free(g);
  /* A graph output that nothing defines. */
  g = spcc_parse_graph("graph @g(%x: f32[2]) -> (%y) {\n  %z = relu(%x)\n}", "out.ir", &d);
  assert_null(g);
  assert_string_equal(d.first_error, "out.ir:1:26: error: undefined value %'y'");
}

/* A side file too short for the range the text names. */
static void test_side_file_bounds(void **state) {
  (void)state;
  FILE *f = fopen(TMP "short.bin", "wb");
  assert_non_null(f);
  fwrite("12345678", 1, 8, f);
  fclose(f);
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  const char *ok = "graph @g() -> ($c) {\n  $c = const f32[2] data=file(\"short.bin\", offset=0, bytes=8)\n}";
  spcc_graph *g = spcc_parse_graph(ok, TMP "side.ir", &d);
  assert_non_null(g);
  assert_memory_equal(spcc_value_data(g, 0), "12345678", 8);
  spcc_graph_free(g);
  const char *bad = "graph @g() -> ($c) {\n  $c = const f32[2] data=file(\"short.bin\", offset=4, bytes=8)\n}";
  g = spcc_parse_graph(bad, TMP "side.ir", &d);
  assert_null(g);
  assert_non_null(strstr(d.first_error, "side.ir:2:26: error: side file"));
  assert_non_null(strstr(d.first_error, "does not hold [4, 12)"));
}

/* Summaries are for eyes only. */
static void test_summarize(void **state) {
  (void)state;
  spcc_graph *g = full_graph();
  char *t = print_to_string(g, NULL, true);
  assert_non_null(strstr(t, "$big = const f32[4,10] dense nnz=40 density=1.0000 data=<40 elements, nnz=40, sum="));
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  assert_null(spcc_parse_graph(t, "sum.ir", &d));
  assert_non_null(strstr(d.first_error, "cannot be parsed"));
  free(t);
  spcc_graph_free(g);
}

/* Every prefix of a valid text: an error (or a graph, once the closing
 * brace is in), never a crash or a leak. */
static void test_prefixes(void **state) {
  (void)state;
  spcc_graph *g = full_graph();
  char *t = print_to_string(g, TMP "test_ir_prefix.bin", false);
  spcc_graph_free(g);
  size_t n = strlen(t);
  char *buf = malloc(n + 1);
  size_t close = strrchr(t, '}') - t;
  for (size_t len = 0; len <= n; len++) {
    memcpy(buf, t, len);
    buf[len] = '\0';
    spcc_diag d;
    spcc_diag_init(&d, NULL);
    g = spcc_parse_graph(buf, TMP "test_ir_prefix.ir", &d);
    if (len > close)
      assert_non_null(g);
    else
      assert_null(g);
    spcc_graph_free(g);
  }
  free(buf);
  free(t);
}

/* Printing broken graphs (a dump is most wanted then) does not crash. */
static void test_print_broken(void **state) {
  (void)state;
  spcc_graph *g = small_graph();
  g->nodes[1].in[0] = 99;
  g->values[1].const_id = 42;
  spcc_graph_add_value(g, "orphan", NULL, SPCC_VAL_TEMP);
  char *t = print_to_string(g, NULL, false);
  assert_non_null(strstr(t, "relu(%\"<bad value id 99>\")"));
  assert_non_null(strstr(t, "data=<missing constant 42>"));
  assert_non_null(strstr(t, "# undeclared temporary value %orphan: ?"));
  free(t);
  spcc_graph_free(g);
}

/* ---- sparse encodings ------------------------------------------------------ */

static const char sparse_text[] =
    "graph @sp(%x: f32[2,4] dense) -> (%y, %z) {\n"
    "  $w = const f32[4,3] csr<idx=u8> nnz=2 density=0.1667 data=[0x0p+0, 0x1p+0, 0x0p+0, "
    "0x0p+0, 0x0p+0, 0x0p+0, 0x0p+0, 0x0p+0, 0x0p+0, -0x1p+1, 0x0p+0, 0x0p+0]\n"
    "  $b = const f32[3,4] nm<1:2, axis=1, idx=u1> nnz=4 density=0.3333 data=[0x1p+0, 0x0p+0, "
    "0x0p+0, 0x1p+1, 0x0p+0, 0x1.8p+1, 0x1p+2, 0x0p+0, 0x0p+0, 0x0p+0, 0x0p+0, 0x0p+0]\n"
    "  $k = const f32[3,4] bsr<2x2> nnz=1 density=0.0833 data=[0x0p+0, 0x0p+0, 0x0p+0, 0x0p+0, "
    "0x0p+0, 0x0p+0, 0x0p+0, 0x0p+0, 0x0p+0, 0x0p+0, 0x0p+0, 0x1p-1]\n"
    "  %y = matmul(%x, $w) : f32[2,3] dense loc(node 0 \"fc\" opset 13)\n"
    "  %h = gemm(%x, $b) {transB=1} : f32[2,3] dense loc(node 1 \"g\" opset 13)\n"
    "  %z = gemm(%x, $k) {transB=1} : f32[2,3] dense loc(node 2 \"g2\" opset 13)\n"
    "}\n";

/* The exact spelling of every encoding, and the graph verifies. */
static void test_sparse_text(void **state) {
  (void)state;
  spcc_diag d;
  spcc_diag_init(&d, stderr);
  spcc_graph *g = spcc_parse_graph(sparse_text, "sparse.ir", &d);
  assert_non_null(g);
  assert_true(spcc_verify_graph(g, &d));
  char *t = print_to_string(g, NULL, false);
  assert_string_equal(t, sparse_text);
  free(t);
  const spcc_encoding *e = &g->values[spcc_graph_find_value(g, "b")].type.enc;
  assert_int_equal(e->kind, SPCC_ENC_NM);
  assert_int_equal(e->nm_n, 1);
  assert_int_equal(e->nm_m, 2);
  assert_int_equal(e->axis, 1);
  assert_int_equal(e->index_bits, 1);
  e = &g->values[spcc_graph_find_value(g, "k")].type.enc;
  assert_int_equal(e->kind, SPCC_ENC_BSR);
  assert_int_equal(e->block_r, 2);
  assert_int_equal(e->block_c, 2);
  assert_int_equal(e->index_bits, 0);
  spcc_graph_free(g);
}

static void test_sparse_parse_errors(void **state) {
  (void)state;
  static const parse_case cases[] = {
      {"  $c = const f32[2] csr<idx=16> data=[1, 2]\n}", "2:29", "expected an index width"},
      {"  $c = const f32[2] csr<idx=u65> data=[1, 2]\n}", "2:29", "expected an index width"},
      {"  $c = const f32[2] csr<u8> data=[1, 2]\n}", "2:25", "expected 'idx'"},
      {"  $c = const f32[2] bsr<4> data=[1, 2]\n}", "2:26", "expected the block shape"},
      {"  $c = const f32[2] bsr<4x> data=[1, 2]\n}", "2:25", "malformed number"},
      {"  $c = const f32[2] bsr<4x1 data=[1, 2]\n}", "2:29", "expected '>'"},
      {"  $c = const f32[2] bsr data=[1, 2]\n}", "2:25", "expected '<'"},
      {"  $c = const f32[2] nm<2:4> data=[1, 2]\n}", "2:27", "expected ','"},
      {"  $c = const f32[2] nm<2:4, axes=0> data=[1, 2]\n}", "2:29", "expected 'axis'"},
      {"  $c = const f32[2] nm<-2:4, axis=0> data=[1, 2]\n}", "2:24", "out of range"},
      {"  $c = const f32[2] nnz=1 data=[1, 2]\n}", "2:21", "nnz=1 disagrees with the data, which holds 2"},
      {"  $c = const f32[2] nnz=2 density=0.5 data=[1, 2]\n}", "2:21", "density=0.5000 disagrees"},
      {"  $c = const f32[2] nnz=-1 data=[1, 2]\n}", "2:25", "out of range"},
      {"  $c = const f32[2] density=1 data=[1, 2]\n}", "2:21", "expected 'data'"},
  };
  assert_int_equal(expect_errors(cases, sizeof cases / sizeof cases[0]), 0);

  /* -0 is zero, NaN is not; density within the printed rounding. */
  spcc_diag d;
  spcc_diag_init(&d, stderr);
  spcc_graph *g = spcc_parse_graph(
      "graph @g() -> () {\n  $c = const f32[3] nnz=1 density=0.33333 data=[-0, nan, 0]\n"
      "  $i = const i64[3] nnz=2 density=0.6667 data=[0, 5, -1]\n}",
      "ok.ir", &d);
  assert_non_null(g);
  spcc_graph_free(g);
}

/* Parses text (which must parse) and expects the verifier to reject it
 * with `what` in the message. */
static int expect_verify_error(const char *text, const char *what) {
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  spcc_graph *g = spcc_parse_graph(text, "v.ir", &d);
  bool ok = g && !spcc_verify_graph(g, &d) && d.n_errors == 1 && strstr(d.first_error, what);
  if (!ok) print_error("text:\n%s\nwanted '%s', got '%s'\n", text, what, d.first_error);
  spcc_graph_free(g);
  return !ok;
}

static void test_sparse_verify(void **state) {
  (void)state;
  /* Each body goes between a graph header and "%y = matmul(%x, $w)". */
#define W(enc, data) "  $w = const f32[4,2] " enc " data=" data "\n"
  static const struct {
    const char *body, *what;
  } cases[] = {
      {W("nm<4:2, axis=0>", "[1, 0, 0, 2, 0, 0, 3, 0]"), "need 1 <= N < M <= 16"},
      {W("nm<0:2, axis=0>", "[1, 0, 0, 2, 0, 0, 3, 0]"), "need 1 <= N < M <= 16"},
      {W("nm<1:17, axis=0>", "[1, 0, 0, 2, 0, 0, 3, 0]"), "need 1 <= N < M <= 16"},
      {W("nm<1:4, axis=2>", "[1, 0, 0, 2, 0, 0, 3, 0]"), "out of range for rank 2"},
      {W("nm<1:4, axis=1>", "[1, 0, 0, 2, 0, 0, 3, 0]"), "this use reduces along axis 0"},
      {W("nm<2:4, axis=0, idx=u3>", "[1, 0, 0, 2, 0, 0, 3, 0]"), "2:4 takes 2"},
      {W("nm<1:4, axis=0>", "[1, 0, 3, 2, 0, 0, 3, 0]"), "does not fit 1:4"},
      {W("nm<1:2, axis=0>", "[1, 0, 3, 2, 0, 0, 3, 0]"), "does not fit 1:2"},
      {W("bsr<1x0>", "[1, 0, 0, 2, 0, 0, 3, 0]"), "block sizes must be >= 1"},
      {W("bsr<0 x2>", "[1, 0, 0, 2, 0, 0, 3, 0]"), "block sizes must be >= 1"},
      {W("csr<idx=u7>", "[1, 0, 0, 2, 0, 0, 3, 0]"), "use 8, 16 or 32"},
      {W("bsr<2x2, idx=u64>", "[1, 0, 0, 2, 0, 0, 3, 0]"), "use 8, 16 or 32"},
      {W("csr", "[1, 0, 0, 2, 0, 0, 3, 0]") "  %z = add(%x, $w)\n",
       "input 1 'w' is csr-encoded but is not a weight slot"},
      {"  $w = const f32[4,4] bsr<2x2> data=[1, 0, 0, 2, 0, 0, 3, 0, 1, 0, 0, 2, 0, 0, 3, 0]\n"
       "  %q = gemm(%x, $w) {transB=1}\n",
       "used as two different weight views"},
      {"  $w = const f32[4,2] csr data=[1, 0, 0, 2, 0, 0, 3, 0]\n  %q = matmul(%x, $w)\n"
       "  $c = const i64[2] csr data=[1, 0]\n",
       "csr encoding on 'c', which is not an f32 constant"},
  };
#undef W
  int failures = 0;
  char buf[4096];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    snprintf(buf, sizeof buf, "graph @g(%%x: f32[2,4]) -> (%%y) {\n%s  %%y = matmul(%%x, $w)\n}",
             cases[i].body);
    failures += expect_verify_error(buf, cases[i].what);
  }
  /* An encoded input or result, a sparse graph output. */
  failures += expect_verify_error("graph @g(%x: f32[2,2] csr) -> (%y) {\n  %y = relu(%x)\n}",
                                  "csr encoding on 'x', which is not an f32 constant");
  failures += expect_verify_error(
      "graph @g(%x: f32[2,2]) -> (%y) {\n  %y = relu(%x) : f32[2,2] nm<1:2, axis=1>\n}",
      "nm encoding on 'y', which is not an f32 constant");
  failures += expect_verify_error(
      "graph @g(%x: f32[2,2]) -> (%y, $w) {\n  $w = const f32[2,2] csr data=[1, 0, 0, 0]\n"
      "  %y = matmul(%x, $w)\n}",
      "graph output 'w' is csr-encoded");
  /* 300 columns do not fit 8-bit CSR indices (256 do). */
  for (int cols = 256; cols <= 300; cols += 44) {
    int n = snprintf(buf, sizeof buf,
                     "graph @g(%%x: f32[1,%d]) -> (%%y) {\n  $w = const f32[%d,1] csr<idx=u8> data=[",
                     cols, cols);
    for (int i = 0; i < cols; i++) n += snprintf(buf + n, sizeof buf - (size_t)n, "%s%d", i ? "," : "", i == cols - 1);
    snprintf(buf + n, sizeof buf - (size_t)n, "]\n  %%y = matmul(%%x, $w)\n}");
    spcc_diag d;
    spcc_diag_init(&d, NULL);
    spcc_graph *g = spcc_parse_graph(buf, "v.ir", &d);
    assert_non_null(g);
    bool ok = spcc_verify_graph(g, &d);
    assert_true(ok == (cols == 256));
    if (!ok) assert_non_null(strstr(d.first_error, "8-bit indices for 300 columns"));
    spcc_graph_free(g);
  }
  assert_int_equal(failures, 0);

  /* Fields a kind does not use must be 0 (the text would drop them). */
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  spcc_graph *g = spcc_parse_graph(sparse_text, "sparse.ir", &d);
  assert_non_null(g);
  int w = spcc_graph_find_value(g, "w"), x = spcc_graph_find_value(g, "x");
  g->values[w].type.enc.axis = 1;
  assert_false(spcc_verify_graph(g, &d));
  assert_non_null(strstr(d.first_error, "csr constant 'w' carries block or N:M fields"));
  g->values[w].type.enc.axis = 0;
  g->values[x].type.enc.index_bits = 8;
  spcc_diag_init(&d, NULL);
  assert_false(spcc_verify_graph(g, &d));
  assert_non_null(strstr(d.first_error, "dense value 'x' carries sparse encoding fields"));
  g->values[x].type.enc.index_bits = 0;
  g->values[w].type.enc.kind = (spcc_encoding_kind)9;
  spcc_diag_init(&d, NULL);
  assert_false(spcc_verify_graph(g, &d));
  assert_non_null(strstr(d.first_error, "unknown encoding 9"));
  spcc_graph_free(g);
  /* A dead node's use does not count. */
  g = spcc_parse_graph("graph @g(%x: f32[2,2]) -> (%y) {\n  $w = const f32[2,2] csr data=[1, 0, 0, 0]\n"
                       "  %y = matmul(%x, $w)\n  dead _ = add(%x, $w)\n}",
                       "dead.ir", &d);
  assert_non_null(g);
  assert_true(spcc_verify_graph(g, &d));
  spcc_graph_free(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip_full),  cmocka_unit_test(test_round_trip_inline),
      cmocka_unit_test(test_exact_text),       cmocka_unit_test(test_hand_written),
      cmocka_unit_test(test_parse_errors),     cmocka_unit_test(test_control_is_valid),
      cmocka_unit_test(test_side_file_bounds), cmocka_unit_test(test_summarize),
      cmocka_unit_test(test_prefixes),         cmocka_unit_test(test_print_broken),
      cmocka_unit_test(test_sparse_text),      cmocka_unit_test(test_sparse_parse_errors),
      cmocka_unit_test(test_sparse_verify),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
