/* Unit tests of formats/plist_json.c: every node type (data as base64,
 * dates ISO, negative integers as libplist 2.2 stores them), XML and binary
 * input, and the depth, node and size limits on hostile input. */
/* cmocka.h needs setjmp.h, stdarg.h and stddef.h first. */
// clang-format off
#include <plist/plist.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
// clang-format on

#include "plist_frame.h"
#include "plist_json.h"

static const char xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<plist version=\"1.0\"><dict>"
    "<key>Name</key><string>Bench iPhone</string>"
    "<key>Cycles</key><integer>425</integer>"
    "<key>Amperage</key><integer>-1274</integer>"
    "<key>Ratio</key><real>0.5</real>"
    "<key>Charging</key><true/>"
    "<key>Full</key><false/>"
    "<key>Blob</key><data>Zm9vYmFy</data>"
    "<key>When</key><date>2024-05-01T12:34:56Z</date>"
    "<key>List</key><array><integer>1</integer><string>two</string><dict/></array>"
    "</dict></plist>";

static void test_types_from_xml(void **state)
{
  (void)state;
  json_t *j = NULL;
  cp_error e;
  assert_int_equal(cp_plist_json_from_memory(xml, sizeof xml - 1, NULL, &j, &e), CP_OK);
  assert_string_equal(json_string_value(json_object_get(j, "Name")), "Bench iPhone");
  assert_int_equal(json_integer_value(json_object_get(j, "Cycles")), 425);
  assert_int_equal(json_integer_value(json_object_get(j, "Amperage")), -1274);
  assert_float_equal(json_real_value(json_object_get(j, "Ratio")), 0.5, 1e-9);
  assert_true(json_is_true(json_object_get(j, "Charging")));
  assert_true(json_is_false(json_object_get(j, "Full")));
  assert_string_equal(json_string_value(json_object_get(j, "Blob")), "Zm9vYmFy");
  assert_string_equal(json_string_value(json_object_get(j, "When")), "2024-05-01T12:34:56Z");
  json_t *list = json_object_get(j, "List");
  assert_int_equal(json_array_size(list), 3);
  assert_string_equal(json_string_value(json_array_get(list, 1)), "two");
  assert_true(json_is_object(json_array_get(list, 2)));
  json_decref(j);
}

static void test_binary_roundtrip(void **state)
{
  (void)state;
  plist_t p = NULL;
  plist_from_xml(xml, sizeof xml - 1, &p);
  assert_non_null(p);
  char *bin = NULL;
  uint32_t blen = 0;
  plist_to_bin(p, &bin, &blen);
  plist_free(p);
  assert_true(blen > 8 && !memcmp(bin, "bplist00", 8));
  json_t *j = NULL;
  assert_int_equal(cp_plist_json_from_memory(bin, blen, NULL, &j, NULL), CP_OK);
  assert_int_equal(json_integer_value(json_object_get(j, "Amperage")), -1274);
  assert_string_equal(json_string_value(json_object_get(j, "Blob")), "Zm9vYmFy");
  json_decref(j);
  free(bin);
}

static void test_rejects_garbage(void **state)
{
  (void)state;
  json_t *j = NULL;
  cp_error e;
  assert_int_equal(cp_plist_json_from_memory("hello world", 11, NULL, &j, &e), CP_E_PARSE);
  assert_null(j);
  assert_int_equal(cp_plist_json_from_memory("", 0, NULL, &j, &e), CP_E_PARSE);
  assert_int_equal(cp_plist_json_from_memory("bplist00\x01\x02", 10, NULL, &j, &e), CP_E_PARSE);
  assert_int_equal(cp_plist_json_from_memory("<plist><dict><key>a</key>", 25, NULL, &j, &e),
                   CP_E_PARSE);
}

static void test_depth_limit(void **state)
{
  (void)state;
  plist_t root = plist_new_array(), cur = root;
  for (int i = 0; i < 80; i++) {
    plist_t next = plist_new_array();
    plist_array_append_item(cur, next);
    cur = next;
  }
  cp_error e;
  json_t *j = cp_plist_to_json(root, NULL, &e);
  assert_null(j);
  assert_int_equal(e.code, CP_E_PARSE);
  cp_plist_limits deep = {100, 1000, 1000};
  j = cp_plist_to_json(root, &deep, &e);
  assert_non_null(j);
  json_decref(j);
  plist_free(root);
}

static void test_size_limits(void **state)
{
  (void)state;
  plist_t arr = plist_new_array();
  for (int i = 0; i < 50; i++)
    plist_array_append_item(arr, plist_new_string("0123456789"));
  cp_plist_limits few_nodes = {8, 20, 1 << 20};
  cp_plist_limits few_bytes = {8, 1000, 100};
  cp_error e;
  assert_null(cp_plist_to_json(arr, &few_nodes, &e));
  assert_int_equal(e.code, CP_E_PARSE);
  assert_null(cp_plist_to_json(arr, &few_bytes, &e));
  assert_int_equal(e.code, CP_E_PARSE);
  json_t *j = cp_plist_to_json(arr, NULL, &e);
  assert_int_equal(json_array_size(j), 50);
  json_decref(j);
  plist_free(arr);
}

static void test_base64_and_iso(void **state)
{
  (void)state;
  static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  static const char *const out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; i++) {
    char *b = cp_base64_encode((const unsigned char *)in[i], strlen(in[i]));
    assert_string_equal(b, out[i]);
    free(b);
  }
  char iso[32];
  cp_iso8601_utc(0, iso);
  assert_string_equal(iso, "1970-01-01T00:00:00Z");
  cp_iso8601_utc(1700000000, iso);
  assert_string_equal(iso, "2023-11-14T22:13:20Z");
}

/* A string that is not UTF-8 (devices send such names) stays visible as base64. */
static void test_non_utf8_string(void **state)
{
  (void)state;
  plist_t d = plist_new_dict();
  plist_dict_set_item(d, "Name", plist_new_string("caf\xe9"));
  json_t *j = cp_plist_to_json(d, NULL, NULL);
  assert_non_null(j);
  assert_string_equal(json_string_value(json_object_get(j, "Name")), "Y2Fm6Q==");
  json_decref(j);
  plist_free(d);
}

/* A frame is the 4-byte big-endian length then the XML; read back it is
 * the same dict; a non-dict body and an over-long plist are refused. */
static void test_frame(void **state)
{
  (void)state;
  plist_t d = plist_new_dict();
  plist_dict_set_item(d, "Request", plist_new_string("QueryType"));
  size_t len = 0;
  unsigned char *f = cp_plist_frame(d, 1u << 20, &len);
  assert_non_null(f);
  assert_true(len > 4);
  assert_int_equal(cp_plist_frame_len(f), len - 4);
  assert_int_equal(f[0], 0); /* big-endian: a small length has zero high bytes */
  assert_memory_equal(f + 4, "<?xml", 5);
  plist_t back = cp_plist_frame_dict((const char *)f + 4, (uint32_t)(len - 4));
  assert_non_null(back);
  plist_t req = plist_dict_get_item(back, "Request");
  assert_non_null(req);
  assert_string_equal(plist_get_string_ptr(req, NULL), "QueryType");
  assert_int_equal(plist_dict_get_size(back), 1);
  plist_free(back);
  assert_null(cp_plist_frame(d, 16, &len)); /* larger than the bound */
  assert_int_equal(len, 0);
  static const unsigned char h[4] = {0x01, 0x02, 0x03, 0x04};
  assert_int_equal(cp_plist_frame_len(h), 0x01020304u);
  plist_t arr = plist_new_array();
  unsigned char *fa = cp_plist_frame(arr, 1u << 20, &len);
  assert_non_null(fa);
  assert_null(cp_plist_frame_dict((const char *)fa + 4, (uint32_t)(len - 4))); /* not a dict */
  assert_null(cp_plist_frame_dict("not a plist", 11));
  free(fa);
  free(f);
  plist_free(arr);
  plist_free(d);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_types_from_xml),  cmocka_unit_test(test_binary_roundtrip),
      cmocka_unit_test(test_rejects_garbage), cmocka_unit_test(test_depth_limit),
      cmocka_unit_test(test_size_limits),     cmocka_unit_test(test_base64_and_iso),
      cmocka_unit_test(test_non_utf8_string), cmocka_unit_test(test_frame),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
