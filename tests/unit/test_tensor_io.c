/* test_tensor_io.c - .pb and .npy tensor files: round trips for every dtype,
 * the TensorProto typed fields, hand-made .npy headers (versions, byte
 * orders, layouts), the errors users meet (missing file, truncated data,
 * unsupported element types) and atomic writes that leave nothing behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "frontend/frontend.h"
#include "spcc/spcc.h"

static char *tmp_path(const char *name) {
  static char buf[4][1024];
  static int k;
  char *p = buf[k++ % 4];
  snprintf(p, sizeof buf[0], "%s/tio_%s", SPCC_TEST_TMPDIR, name);
  return p;
}

static void write_bytes(const char *path, const void *data, size_t n) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, n, f), n);
  fclose(f);
}

/* A tensor of dtype dt and the given shape with recognizable contents. */
static spcc_tensor make_tensor(spcc_dtype dt, int rank, const int64_t *dims) {
  spcc_tensor t;
  memset(&t, 0, sizeof t);
  t.dtype = dt;
  t.rank = rank;
  t.numel = 1;
  for (int i = 0; i < rank; i++) {
    t.dims[i] = dims[i];
    t.numel *= dims[i];
  }
  size_t bytes = (size_t)t.numel * spcc_dtype_size(dt);
  t.data = malloc(bytes ? bytes : 1);
  unsigned char *p = t.data;
  for (size_t i = 0; i < bytes; i++) p[i] = (unsigned char)(i * 37 + 11);
  if (dt == SPCC_DT_BOOL)
    for (size_t i = 0; i < bytes; i++) p[i] &= 1;
  return t;
}

static void assert_same(const spcc_tensor *a, const spcc_tensor *b) {
  assert_int_equal(a->dtype, b->dtype);
  assert_int_equal(a->rank, b->rank);
  assert_int_equal(a->numel, b->numel);
  for (int i = 0; i < a->rank; i++) assert_int_equal(a->dims[i], b->dims[i]);
  size_t bytes = (size_t)a->numel * spcc_dtype_size(a->dtype);
  if (bytes) assert_memory_equal(a->data, b->data, bytes);
}

static void roundtrip(bool npy) {
  static const int64_t shapes[][3] = {{2, 3, 4}, {5, 0, 0}, {0, 0, 0}};
  static const int ranks[] = {3, 1, 0};
  for (int dt = 1; dt < SPCC_DT_COUNT; dt++)
    for (int s = 0; s < 3; s++) {
      spcc_diag d;
      spcc_diag_init(&d, NULL);
      spcc_tensor t = make_tensor((spcc_dtype)dt, ranks[s], shapes[s]), r;
      if (!npy) t.name = strdup("the_name");
      const char *path = tmp_path(npy ? "rt.npy" : "rt.pb");
      assert_true(spcc_tensor_write(path, &t, npy, &d));
      assert_true(spcc_tensor_read(path, &r, &d));
      assert_same(&t, &r);
      if (!npy) assert_string_equal(r.name, "the_name");
      assert_int_equal(d.n_errors, 0);
      spcc_tensor_free(&t);
      spcc_tensor_free(&r);
      assert_null(t.data);
    }
}

static void test_roundtrip_pb(void **state) {
  (void)state;
  roundtrip(false);
}

static void test_roundtrip_npy(void **state) {
  (void)state;
  roundtrip(true);
}

/* An empty tensor (a zero dimension) round-trips with its shape. */
static void test_empty_tensor(void **state) {
  (void)state;
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  int64_t dims[2] = {3, 0};
  spcc_tensor t = make_tensor(SPCC_DT_F32, 2, dims), r;
  for (int npy = 0; npy < 2; npy++) {
    const char *path = tmp_path(npy ? "empty.npy" : "empty.pb");
    assert_true(spcc_tensor_write(path, &t, npy, &d));
    assert_true(spcc_tensor_read(path, &r, &d));
    assert_int_equal(r.numel, 0);
    assert_int_equal(r.rank, 2);
    assert_int_equal(r.dims[0], 3);
    spcc_tensor_free(&r);
  }
  spcc_tensor_free(&t);
}

/* Packs tp to a file and reads it back through spcc_tensor_read. */
static bool read_proto(const Onnx__TensorProto *tp, spcc_tensor *r, spcc_diag *d) {
  size_t n = onnx__tensor_proto__get_packed_size(tp);
  uint8_t *buf = malloc(n + 1);
  onnx__tensor_proto__pack(tp, buf);
  const char *path = tmp_path("typed.pb");
  write_bytes(path, buf, n);
  free(buf);
  spcc_diag_init(d, NULL);
  return spcc_tensor_read(path, r, d);
}

/* tp reads as a tensor of dtype dt holding want (bytes). */
static void expect_read(const Onnx__TensorProto *tp, spcc_dtype dt, const void *want, size_t bytes) {
  spcc_diag d;
  spcc_tensor r;
  assert_true(read_proto(tp, &r, &d));
  assert_int_equal(r.dtype, dt);
  assert_memory_equal(r.data, want, bytes);
  spcc_tensor_free(&r);
}

static void test_typed_fields(void **state) {
  (void)state;
  int64_t dims[2] = {2, 2};
  Onnx__TensorProto tp = ONNX__TENSOR_PROTO__INIT;
  tp.n_dims = 2;
  tp.dims = dims;
  tp.has_data_type = 1;

  float f[4] = {1.5f, -2, 3, 4};
  tp.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
  tp.n_float_data = 4;
  tp.float_data = f;
  expect_read(&tp, SPCC_DT_F32, f, sizeof f);
  tp.n_float_data = 0;

  int32_t i32[4] = {-1, 127, -128, 5};
  tp.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT8;
  tp.n_int32_data = 4;
  tp.int32_data = i32;
  const int8_t want8[4] = {-1, 127, -128, 5};
  expect_read(&tp, SPCC_DT_I8, want8, sizeof want8);

  tp.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__BOOL; /* nonzero reads as 1 */
  const uint8_t wantb[4] = {1, 1, 1, 1};
  expect_read(&tp, SPCC_DT_BOOL, wantb, sizeof wantb);

  tp.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__UINT16;
  const uint16_t want16[4] = {65535, 127, 65408, 5};
  expect_read(&tp, SPCC_DT_U16, want16, sizeof want16);
  tp.n_int32_data = 0;

  uint64_t u64[4] = {1, 2, 4294967295u, 7};
  tp.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__UINT32;
  tp.n_uint64_data = 4;
  tp.uint64_data = u64;
  const uint32_t want32[4] = {1, 2, 4294967295u, 7};
  expect_read(&tp, SPCC_DT_U32, want32, sizeof want32);
  tp.n_uint64_data = 0;

  int64_t i64[4] = {INT64_MIN, -1, 0, INT64_MAX};
  tp.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
  tp.n_int64_data = 4;
  tp.int64_data = i64;
  expect_read(&tp, SPCC_DT_I64, i64, sizeof i64);
  tp.n_int64_data = 0;

  double f64[4] = {0.1, 0.2, 0.3, 1e300};
  tp.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE;
  tp.n_double_data = 4;
  tp.double_data = f64;
  expect_read(&tp, SPCC_DT_F64, f64, sizeof f64);

  /* Wrong count in the typed field. */
  spcc_diag d;
  spcc_tensor r;
  tp.n_double_data = 3;
  assert_false(read_proto(&tp, &r, &d));
  assert_non_null(strstr(d.first_error, "has 3 values in double_data, expected 4"));
  assert_null(r.data);
}

static void test_pb_errors(void **state) {
  (void)state;
  spcc_diag d;
  spcc_tensor r;
  int64_t dims[1] = {3};
  uint8_t raw[12] = {0};
  Onnx__TensorProto tp = ONNX__TENSOR_PROTO__INIT;
  tp.n_dims = 1;
  tp.dims = dims;
  tp.has_data_type = 1;
  tp.name = "h";

  tp.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16;
  tp.has_raw_data = 1;
  tp.raw_data.data = raw;
  tp.raw_data.len = 6;
  assert_false(read_proto(&tp, &r, &d));
  assert_non_null(strstr(d.first_error, "tensor 'h': unsupported element type FLOAT16"));

  tp.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
  tp.raw_data.len = 11;
  assert_false(read_proto(&tp, &r, &d));
  assert_non_null(strstr(d.first_error, "11 bytes of raw_data, expected 12"));
  assert_null(strstr(d.first_error, "unsupported"));

  tp.raw_data.len = 12;
  tp.has_data_location = 1;
  tp.data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
  assert_false(read_proto(&tp, &r, &d));
  assert_non_null(strstr(d.first_error, "unsupported: external data"));
  tp.has_data_location = 0;

  int64_t neg[1] = {-3};
  tp.dims = neg;
  assert_false(read_proto(&tp, &r, &d));
  assert_non_null(strstr(d.first_error, "negative dimension"));

  int64_t huge[3] = {INT64_C(1) << 30, INT64_C(1) << 30, 0};
  tp.dims = huge;
  tp.n_dims = 3;
  assert_false(read_proto(&tp, &r, &d));
  assert_non_null(strstr(d.first_error, "impossibly large"));

  spcc_diag_init(&d, NULL);
  assert_false(spcc_tensor_read(tmp_path("does_not_exist.pb"), &r, &d));
  assert_non_null(strstr(d.first_error, "tio_does_not_exist.pb: error: cannot open: No such file"));

  const char junk[] = "\xff\xff\xff\xff this is not protobuf";
  write_bytes(tmp_path("junk.pb"), junk, sizeof junk);
  spcc_diag_init(&d, NULL);
  assert_false(spcc_tensor_read(tmp_path("junk.pb"), &r, &d));
  assert_non_null(strstr(d.first_error, "protobuf parse failed"));
}

/* A .npy file with the given version, header dict and payload. */
static void write_npy(const char *path, int major, const char *dict, const void *data,
                      size_t n) {
  unsigned char buf[512];
  size_t hl = strlen(dict), pre = major == 1 ? 10 : 12;
  memcpy(buf, "\x93NUMPY", 6);
  buf[6] = (unsigned char)major;
  buf[7] = 0;
  buf[8] = (unsigned char)hl;
  buf[9] = 0;
  buf[10] = buf[11] = 0;
  memcpy(buf + pre, dict, hl);
  memcpy(buf + pre + hl, data, n);
  write_bytes(path, buf, pre + hl + n);
}

static void test_npy_variants(void **state) {
  (void)state;
  spcc_diag d;
  spcc_tensor r;
  const char *path = tmp_path("v.npy");
  float f[6] = {1, 2, 3, 4, 5, 6};

  write_npy(path, 2, "{\"descr\": \"<f4\", \"shape\": (2, 3), \"fortran_order\": False}\n", f,
            sizeof f);
  spcc_diag_init(&d, NULL);
  assert_true(spcc_tensor_read(path, &r, &d));
  assert_int_equal(r.rank, 2);
  assert_int_equal(r.dims[1], 3);
  assert_memory_equal(r.data, f, sizeof f);
  spcc_tensor_free(&r);

  write_npy(path, 3, "{'descr': '|b1', 'fortran_order': False, 'shape': (), }   \n", "\x01", 1);
  assert_true(spcc_tensor_read(path, &r, &d));
  assert_int_equal(r.dtype, SPCC_DT_BOOL);
  assert_int_equal(r.rank, 0);
  assert_int_equal(r.numel, 1);
  spcc_tensor_free(&r);

  /* Format by magic, not by name. */
  const char *misnamed = tmp_path("really_npy.pb");
  write_npy(misnamed, 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", "\7\0\0\0\0\0\0\0", 8);
  assert_true(spcc_tensor_read(misnamed, &r, &d));
  assert_int_equal(r.dtype, SPCC_DT_I64);
  assert_int_equal(*(int64_t *)r.data, 7);
  spcc_tensor_free(&r);

  static const struct {
    const char *dict, *msg;
    size_t n;
  } bad[] = {
      {"{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", "fortran_order", 24},
      {"{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", "unsupported .npy byte order", 24},
      {"{'descr': '<f2', 'fortran_order': False, 'shape': (2, 3), }", "unsupported .npy element type '<f2'", 12},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", "holds 20 bytes of data, expected 24", 20},
      {"{'descr': '<f4', 'fortran_order': False, }", "malformed .npy header", 24},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3 }", "malformed .npy header", 24},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }", "unsupported rank 9", 4},
      {"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", "structured", 4},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    write_npy(path, 1, bad[i].dict, f, bad[i].n);
    spcc_diag_init(&d, NULL);
    assert_false(spcc_tensor_read(path, &r, &d));
    assert_non_null(strstr(d.first_error, "tio_v.npy: error: "));
    if (!strstr(d.first_error, bad[i].msg)) fail_msg("%s: got '%s'", bad[i].dict, d.first_error);
    assert_null(r.data);
  }

  /* Every truncation of a valid file fails cleanly. */
  unsigned char buf[256];
  write_npy(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f, sizeof f);
  FILE *fp = fopen(path, "rb");
  size_t n = fread(buf, 1, sizeof buf, fp);
  fclose(fp);
  for (size_t len = 0; len < n; len++) {
    write_bytes(tmp_path("cut.npy"), buf, len);
    spcc_diag_init(&d, NULL);
    assert_false(spcc_tensor_read(tmp_path("cut.npy"), &r, &d));
  }
}

/* The written .npy header is version 1.0 and pads the data to 64 bytes. */
static void test_npy_header_layout(void **state) {
  (void)state;
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  int64_t dims[1] = {5};
  spcc_tensor t = make_tensor(SPCC_DT_F64, 1, dims);
  const char *path = tmp_path("layout.npy");
  assert_true(spcc_tensor_write(path, &t, true, &d));
  unsigned char buf[256];
  FILE *f = fopen(path, "rb");
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  assert_int_equal(n, 128 + 40);
  assert_memory_equal(buf, "\x93NUMPY\x01\x00", 8);
  size_t hl = buf[8] | (size_t)buf[9] << 8;
  assert_int_equal((10 + hl) % 64, 0);
  assert_int_equal(buf[10 + hl - 1], '\n');
  buf[10 + hl] = 0;
  assert_non_null(strstr((char *)buf + 10, "{'descr': '<f8', 'fortran_order': False, 'shape': (5,), }"));
  spcc_tensor_free(&t);
}

static int count_tmp_files(void) {
  DIR *dir = opendir(SPCC_TEST_TMPDIR);
  assert_non_null(dir);
  int n = 0;
  for (struct dirent *e; (e = readdir(dir));)
    if (strncmp(e->d_name, "tio_", 4) == 0 && strstr(e->d_name, ".tmp")) n++;
  closedir(dir);
  return n;
}

static void test_atomic_write(void **state) {
  (void)state;
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  int64_t dims[1] = {4};
  spcc_tensor t = make_tensor(SPCC_DT_I32, 1, dims), r;
  const char *path = tmp_path("atomic.pb");
  write_bytes(path, "old", 3);
  assert_true(spcc_tensor_write(path, &t, false, &d));
  assert_true(spcc_tensor_read(path, &r, &d));
  assert_same(&t, &r);
  spcc_tensor_free(&r);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_true((st.st_mode & 0444) != 0);

  /* Into a missing directory: an error naming the file, nothing written. */
  char missing[1100];
  snprintf(missing, sizeof missing, "%s/no_such_dir/x.pb", SPCC_TEST_TMPDIR);
  assert_false(spcc_tensor_write(missing, &t, false, &d));
  assert_non_null(strstr(d.first_error, "x.pb: error: cannot write: No such file"));
  assert_int_equal(stat(missing, &st), -1);

  /* Inconsistent tensors are refused and leave no file. */
  const char *bad = tmp_path("bad.npy");
  remove(bad);
  t.numel = 5;
  spcc_diag_init(&d, NULL);
  assert_false(spcc_tensor_write(bad, &t, true, &d));
  assert_false(spcc_tensor_write(bad, &t, false, &d));
  assert_int_equal(d.n_errors, 2);
  assert_int_equal(stat(bad, &st), -1);
  t.numel = 4;
  assert_int_equal(count_tmp_files(), 0);
  spcc_tensor_free(&t);
  spcc_tensor_free(NULL);
}

/* The ONNX test data, when installed: test_add's input is f32[3,4,5]. */
static void test_onnx_testdata(void **state) {
  (void)state;
  const char *path = "/usr/share/libonnx-testdata/data/node/test_add/test_data_set_0/input_0.pb";
  FILE *f = fopen(path, "rb");
  if (!f) skip();
  fclose(f);
  spcc_diag d;
  spcc_diag_init(&d, NULL);
  spcc_tensor r;
  assert_true(spcc_tensor_read(path, &r, &d));
  assert_int_equal(r.dtype, SPCC_DT_F32);
  assert_int_equal(r.rank, 3);
  assert_int_equal(r.numel, 60);
  assert_string_equal(r.name, "x");
  spcc_tensor_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_roundtrip_pb),     cmocka_unit_test(test_roundtrip_npy),
      cmocka_unit_test(test_empty_tensor),     cmocka_unit_test(test_typed_fields),
      cmocka_unit_test(test_pb_errors),        cmocka_unit_test(test_npy_variants),
      cmocka_unit_test(test_npy_header_layout), cmocka_unit_test(test_atomic_write),
      cmocka_unit_test(test_onnx_testdata),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
