/* Unit tests of formats/afc/afc_proto.c: exact request bytes, the STATUS-OK reply
 * of the wire format (formats/afc/README.md), good listings and file information, and every
 * malformed header and body variant refused with CP_E_PROTOCOL. */
/* cmocka.h needs setjmp.h, stdarg.h and stddef.h first. */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
// clang-format on

#include "afc_proto.h"

/* A reply header with the given fields. */
static void mkhdr(unsigned char h[40], const char *magic, uint64_t entire, uint64_t thislen,
                  uint64_t pn, uint64_t op)
{
  uint64_t v[4] = {entire, thislen, pn, op};
  memcpy(h, magic, 8);
  for (int f = 0; f < 4; f++)
    for (int i = 0; i < 8; i++)
      h[8 + 8 * f + i] = (unsigned char)(v[f] >> (8 * i));
}

static void test_encode_read_dir(void **state)
{
  (void)state;
  unsigned char *b = NULL;
  size_t n = 0;
  cp_error e;
  assert_int_equal(cp_afc_encode(CP_AFC_OP_READ_DIR, 1, NULL, 0, ".", &b, &n, &e), CP_OK);
  static const unsigned char want[] = {'C', 'F', 'A', '6', 'L', 'P', 'A', 'A', 42, 0, 0, 0, 0,   0,
                                       0,   0,   42,  0,   0,   0,   0,   0,   0,  0, 1, 0, 0,   0,
                                       0,   0,   0,   0,   3,   0,   0,   0,   0,  0, 0, 0, '.', 0};
  assert_int_equal(n, sizeof want);
  assert_memory_equal(b, want, sizeof want);
  free(b);
}

static void test_encode_file_read(void **state)
{
  (void)state;
  unsigned char *b = NULL;
  size_t n = 0;
  cp_error e;
  uint64_t nums[2] = {7, 0x100000};
  assert_int_equal(cp_afc_encode(CP_AFC_OP_FILE_READ, 0x0102, nums, 2, NULL, &b, &n, &e), CP_OK);
  static const unsigned char want[] = {
      'C', 'F', 'A', '6', 'L', 'P', 'A', 'A', 56, 0, 0, 0, 0,    0,    0, 0, 56, 0, 0,
      0,   0,   0,   0,   0,   2,   1,   0,   0,  0, 0, 0, 0,    0x0F, 0, 0, 0,  0, 0,
      0,   0,   7,   0,   0,   0,   0,   0,   0,  0, 0, 0, 0x10, 0,    0, 0, 0,  0};
  assert_int_equal(n, sizeof want);
  assert_memory_equal(b, want, sizeof want);
  free(b);
}

static void test_encode_file_open_and_long_path(void **state)
{
  (void)state;
  unsigned char *b = NULL;
  size_t n = 0;
  cp_error e;
  uint64_t mode = CP_AFC_MODE_RDONLY;
  assert_int_equal(cp_afc_encode(CP_AFC_OP_FILE_OPEN, 3, &mode, 1, "./A.ips", &b, &n, &e), CP_OK);
  assert_int_equal(n, 40 + 8 + 8);
  assert_int_equal(b[40], 1);
  assert_string_equal((const char *)b + 48, "./A.ips");
  free(b);
  char *p = malloc(CP_AFC_MAX_PATH + 2);
  assert_non_null(p);
  memset(p, 'a', CP_AFC_MAX_PATH + 1);
  p[CP_AFC_MAX_PATH + 1] = 0;
  b = NULL;
  assert_int_equal(cp_afc_encode(CP_AFC_OP_READ_DIR, 1, NULL, 0, p, &b, &n, &e), CP_E_USAGE);
  assert_null(b);
  free(p);
}

/* The STATUS-OK reply a real device sends (formats/afc/README.md), packet number 5. */
static void test_decode_status_ok(void **state)
{
  (void)state;
  static const unsigned char r[] = {0x43, 0x46, 0x41, 0x36, 0x4C, 0x50, 0x41, 0x41, 0x30, 0, 0, 0,
                                    0,    0,    0,    0,    0x30, 0,    0,    0,    0,    0, 0, 0,
                                    5,    0,    0,    0,    0,    0,    0,    0,    1,    0, 0, 0,
                                    0,    0,    0,    0,    0,    0,    0,    0,    0,    0, 0, 0};
  cp_afc_hdr h;
  cp_error e;
  assert_int_equal(cp_afc_decode_header(r, 5, 4096, &h, &e), CP_OK);
  assert_int_equal(h.entire_len, 48);
  assert_int_equal(h.this_len, 48);
  assert_int_equal(h.op, CP_AFC_OP_STATUS);
  uint64_t code = 99;
  assert_int_equal(cp_afc_body_u64(r + 40, 8, &code, &e), CP_OK);
  assert_int_equal(code, 0);
  assert_int_equal(cp_afc_status_err(code, "x", &e), CP_OK);
}

static void test_decode_data(void **state)
{
  (void)state;
  unsigned char h[40];
  cp_afc_hdr r;
  cp_error e;
  mkhdr(h, CP_AFC_MAGIC, 40 + 1048576, 40, 9, CP_AFC_OP_DATA);
  assert_int_equal(cp_afc_decode_header(h, 9, 1048576, &r, &e), CP_OK);
  assert_int_equal(r.entire_len - 40, 1048576);
  mkhdr(h, CP_AFC_MAGIC, 40, 40, 9, CP_AFC_OP_DATA); /* EOF */
  assert_int_equal(cp_afc_decode_header(h, 9, 0, &r, &e), CP_OK);
  mkhdr(h, CP_AFC_MAGIC, 48, 48, 2, CP_AFC_OP_FILE_OPEN_RES);
  assert_int_equal(cp_afc_decode_header(h, 2, 4096, &r, &e), CP_OK);
  mkhdr(h, CP_AFC_MAGIC, 48, 48, 2, CP_AFC_OP_FILE_TELL_RES);
  assert_int_equal(cp_afc_decode_header(h, 2, 4096, &r, &e), CP_OK);
}

static void expect_bad_header(const char *magic, uint64_t entire, uint64_t thislen, uint64_t pn,
                              uint64_t op, uint64_t expect_pn, uint64_t max, const char *detail)
{
  unsigned char h[40];
  cp_afc_hdr r;
  cp_error e;
  mkhdr(h, magic, entire, thislen, pn, op);
  r.op = 77;
  assert_int_equal(cp_afc_decode_header(h, expect_pn, max, &r, &e), CP_E_PROTOCOL);
  assert_int_equal(e.code, CP_E_PROTOCOL);
  assert_non_null(strstr(e.detail, detail));
  assert_int_equal(r.op, 0); /* nothing of a refused header is handed out */
}

static void test_refuse_headers(void **state)
{
  (void)state;
  expect_bad_header("CFA6LPAB", 48, 48, 1, 1, 1, 4096, "magic");
  expect_bad_header("\0\0\0\0\0\0\0\0", 48, 48, 1, 1, 1, 4096, "magic");
  expect_bad_header(CP_AFC_MAGIC, 48, 39, 1, 1, 1, 4096, "below 40");
  expect_bad_header(CP_AFC_MAGIC, 48, 0, 1, 1, 1, 4096, "below 40");
  expect_bad_header(CP_AFC_MAGIC, 40, 48, 1, 1, 1, 4096, "below its header length");
  expect_bad_header(CP_AFC_MAGIC, 0, 40, 1, 2, 1, 4096, "below its header length");
  expect_bad_header(CP_AFC_MAGIC, 40 + 4097, 40, 1, 2, 1, 4096, "at most 4096");
  expect_bad_header(CP_AFC_MAGIC, UINT64_MAX, 40, 1, 2, 1, CP_AFC_MAX_DATA, "at most");
  expect_bad_header(CP_AFC_MAGIC, UINT64_MAX, UINT64_MAX, 1, 2, 1, CP_AFC_MAX_DATA, "at most");
  expect_bad_header(CP_AFC_MAGIC, 48, 48, 2, 1, 1, 4096, "numbered 2 answers request 1");
  expect_bad_header(CP_AFC_MAGIC, 48, 48, 0, 1, 1, 4096, "numbered 0");
  expect_bad_header(CP_AFC_MAGIC, 48, 48, 1, CP_AFC_OP_READ_DIR, 1, 4096, "operation 3");
  expect_bad_header(CP_AFC_MAGIC, 48, 48, 1, 0, 1, 4096, "operation 0");
  expect_bad_header(CP_AFC_MAGIC, 48, 48, 1, UINT64_MAX, 1, 4096, "operation");
}

static void test_status_codes(void **state)
{
  (void)state;
  cp_error e;
  assert_int_equal(cp_afc_status_err(8, "opening ./A.ips", &e), CP_E_NOT_FOUND);
  assert_non_null(strstr(e.detail, "opening ./A.ips"));
  assert_int_equal(cp_afc_status_err(10, "removing x", &e), CP_E_DEVICE_REFUSED);
  assert_non_null(strstr(e.detail, "PERM_DENIED"));
  assert_int_equal(cp_err_severity(CP_E_DEVICE_REFUSED),
                   CP_SEV_SOURCE); /* one file, not the walk */
  assert_int_equal(cp_afc_status_err(3, "opening x", &e), CP_E_DEVICE_REFUSED);
  assert_non_null(strstr(e.detail, "NO_RESOURCES"));
  assert_int_equal(cp_afc_status_err(9, "w", &e), CP_E_DEVICE_REFUSED);
  assert_int_equal(cp_afc_status_err(12, "w", &e), CP_E_TIMEOUT);
  assert_int_equal(cp_afc_status_err(15, "w", &e), CP_E_PROTOCOL);
  assert_int_equal(cp_afc_status_err(2, "w", &e), CP_E_PROTOCOL);
  assert_int_equal(cp_afc_status_err(1, "w", &e), CP_E_DEVICE_REFUSED);
  assert_int_equal(cp_afc_status_err(123456, "w", &e), CP_E_DEVICE_REFUSED);
  assert_non_null(strstr(e.detail, "UNKNOWN_STATUS"));
  assert_string_equal(cp_afc_status_name(8), "OBJECT_NOT_FOUND");
  assert_string_equal(cp_afc_status_name(23), "INTERNAL_ERROR");
  uint64_t v = 1;
  assert_int_equal(cp_afc_body_u64((const unsigned char *)"1234567", 7, &v, &e), CP_E_PROTOCOL);
  assert_int_equal(v, 0);
}

#define B(s) (const unsigned char *)(s), sizeof(s) - 1

static void test_names(void **state)
{
  (void)state;
  char **n = NULL;
  cp_error e;
  assert_int_equal(cp_afc_parse_names(B(".\0..\0App.ips\0Retired\0"), &n, &e), CP_OK);
  assert_string_equal(n[0], "App.ips");
  assert_string_equal(n[1], "Retired");
  assert_null(n[2]);
  cp_afc_names_free(n);
  /* empty folder, an empty body, a missing last NUL, padding NULs */
  assert_int_equal(cp_afc_parse_names(B(".\0..\0"), &n, &e), CP_OK);
  assert_null(n[0]);
  cp_afc_names_free(n);
  assert_int_equal(cp_afc_parse_names(B(""), &n, &e), CP_OK);
  assert_null(n[0]);
  cp_afc_names_free(n);
  assert_int_equal(cp_afc_parse_names(B(".\0..\0a\0b"), &n, &e), CP_OK);
  assert_string_equal(n[1], "b");
  assert_null(n[2]);
  cp_afc_names_free(n);
  assert_int_equal(cp_afc_parse_names(B("a\0\0\0"), &n, &e), CP_OK);
  assert_string_equal(n[0], "a");
  assert_null(n[1]);
  cp_afc_names_free(n);
  /* names with '.' inside are fine */
  assert_int_equal(cp_afc_parse_names(B("...\0.x\0"), &n, &e), CP_OK);
  assert_string_equal(n[0], "...");
  assert_string_equal(n[1], ".x");
  cp_afc_names_free(n);
}

/* Lenient listing: an impossible name costs that entry, not the folder. */
static void test_lenient_names(void **state)
{
  (void)state;
  char **n = NULL;
  size_t refused = 99;
  cp_error e;
  assert_int_equal(cp_afc_parse_names_lenient(B(".\0..\0a.ips\0../../etc\0x/y\0bad\nname\0"
                                                "\x1b[2J\0b.ips\0"),
                                              &n, &refused, &e),
                   CP_OK);
  assert_int_equal(refused, 4);
  assert_string_equal(n[0], "a.ips");
  assert_string_equal(n[1], "b.ips");
  assert_null(n[2]);
  cp_afc_names_free(n);
  /* a good listing refuses nothing */
  assert_int_equal(cp_afc_parse_names_lenient(B("a\0b\0"), &n, &refused, &e), CP_OK);
  assert_int_equal(refused, 0);
  assert_string_equal(n[1], "b");
  cp_afc_names_free(n);
}

static void expect_bad_names(const unsigned char *b, size_t len, const char *detail)
{
  char **n = (char **)&n;
  cp_error e;
  assert_int_equal(cp_afc_parse_names(b, len, &n, &e), CP_E_PROTOCOL);
  assert_null(n);
  assert_non_null(strstr(e.detail, detail));
}

static void test_refuse_names(void **state)
{
  (void)state;
  expect_bad_names(B("a\0../../etc\0"), "'/'");
  expect_bad_names(B("a/b\0"), "'/'");
  expect_bad_names(B("ok\0bad\nname\0"), "control");
  expect_bad_names(B("\x1b[2J\0"), "control");
  expect_bad_names(B("del\x7f\0"), "control");
  char *big = malloc(CP_AFC_MAX_NAME + 2);
  assert_non_null(big);
  memset(big, 'x', CP_AFC_MAX_NAME + 1);
  big[CP_AFC_MAX_NAME + 1] = 0;
  expect_bad_names((const unsigned char *)big, CP_AFC_MAX_NAME + 2, "-byte name");
  free(big);
  /* too many names: 100001 one-letter names */
  size_t cnt = CP_AFC_MAX_NAMES + 1, len = cnt * 2;
  unsigned char *many = malloc(len);
  assert_non_null(many);
  for (size_t i = 0; i < cnt; i++) {
    many[2 * i] = 'a';
    many[2 * i + 1] = 0;
  }
  expect_bad_names(many, len, "over 100000 names");
  free(many);
  /* a listing larger than the cap */
  unsigned char *huge = calloc(1, CP_AFC_MAX_META + 1);
  assert_non_null(huge);
  expect_bad_names(huge, CP_AFC_MAX_META + 1, "folder listing of");
  free(huge);
}

static void test_info(void **state)
{
  (void)state;
  cp_afc_info in;
  cp_error e;
  assert_int_equal(cp_afc_parse_info(B("st_size\0"
                                       "13512\0st_blocks\0"
                                       "32\0st_nlink\0"
                                       "1\0st_ifmt\0S_IFREG\0"
                                       "st_mtime\0"
                                       "1494244521123456789\0st_birthtime\0"
                                       "1494244521000000000\0"),
                                     &in, &e),
                   CP_OK);
  assert_int_equal(in.size, 13512);
  assert_true(in.has_size);
  assert_int_equal(in.ifmt, CP_AFC_IFMT_REG);
  assert_int_equal(in.mtime_ns, 1494244521123456789ULL);
  assert_false(in.has_link_target);
  assert_int_equal(cp_afc_parse_info(B("st_ifmt\0S_IFLNK\0LinkTarget\0/var/x/A.ips\0st_size\0"
                                       "18446744073709551615\0"),
                                     &in, &e),
                   CP_OK);
  assert_int_equal(in.ifmt, CP_AFC_IFMT_LNK);
  assert_true(in.has_link_target);
  assert_int_equal(in.size, UINT64_MAX);
  assert_int_equal(cp_afc_parse_info(B("st_ifmt\0S_IFDIR\0st_size\0"
                                       "64\0"),
                                     &in, &e),
                   CP_OK);
  assert_int_equal(in.ifmt, CP_AFC_IFMT_DIR);
  assert_int_equal(cp_afc_parse_info(B("st_ifmt\0S_IFIFO\0Unknown\0\0"), &in, &e), CP_OK);
  assert_int_equal(in.ifmt, CP_AFC_IFMT_OTHER);
  assert_false(in.has_size);
  assert_int_equal(cp_afc_parse_info(B(""), &in, &e), CP_OK);
  assert_int_equal(in.ifmt, CP_AFC_IFMT_NONE);
}

static void expect_bad_info(const unsigned char *b, size_t len, const char *detail)
{
  cp_afc_info in;
  cp_error e;
  assert_int_equal(cp_afc_parse_info(b, len, &in, &e), CP_E_PROTOCOL);
  assert_non_null(strstr(e.detail, detail));
  assert_false(in.has_size);
  assert_int_equal(in.size, 0);
}

static void test_refuse_info(void **state)
{
  (void)state;
  expect_bad_info(B("st_size\0-1\0"), "not a number");
  expect_bad_info(B("st_size\0 64\0"), "not a number");
  expect_bad_info(B("st_size\0"
                    "64k\0"),
                  "not a number");
  expect_bad_info(B("st_size\0\0"), "not a number");
  expect_bad_info(B("st_size\0"
                    "18446744073709551616\0"),
                  "not a number");
  expect_bad_info(B("st_size\0"
                    "000000000000000000001\0"),
                  "not a number"); /* 21 digits */
  expect_bad_info(B("st_mtime\0"
                    "1e18\0"),
                  "time");
  expect_bad_info(B("st_size\0"
                    "64\0st_ifmt\0"),
                  "no value");
  expect_bad_info(B("\0"
                    "64\0"),
                  "bad key");
  expect_bad_info(B("st_\x01size\0"
                    "64\0"),
                  "bad key");
  expect_bad_info(B("st_ifmt\0S_IF\nREG\0"), "control");
  unsigned char *huge = calloc(1, CP_AFC_MAX_META + 1);
  assert_non_null(huge);
  expect_bad_info(huge, CP_AFC_MAX_META + 1, "file information of");
  free(huge);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_encode_read_dir),
      cmocka_unit_test(test_encode_file_read),
      cmocka_unit_test(test_encode_file_open_and_long_path),
      cmocka_unit_test(test_decode_status_ok),
      cmocka_unit_test(test_decode_data),
      cmocka_unit_test(test_refuse_headers),
      cmocka_unit_test(test_status_codes),
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_refuse_names),
      cmocka_unit_test(test_lenient_names),
      cmocka_unit_test(test_info),
      cmocka_unit_test(test_refuse_info),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
