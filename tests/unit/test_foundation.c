/* Unit tests of the foundation: error codes and the safe-path check every
 * writer relies on before a device- or archive-supplied name touches disk. */
/* cmocka.h needs these headers before it */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
// clang-format on

#include "cp_err.h"
#include "hints.h"
#include "safepath.h"

static void test_every_code_has_words(void **state)
{
  (void)state;
  for (int c = 0; c <= 60; c++) {
    const char *s = cp_strerror((cp_err)c);
    const char *n = cp_err_name((cp_err)c);
    assert_non_null(s);
    assert_non_null(n);
    /* A code that exists has a real description and name, and they differ. */
    if (strcmp(s, "unknown error") != 0) {
      assert_string_not_equal(n, "unknown");
      assert_true(strlen(s) > 3);
    }
  }
  assert_string_equal(cp_err_name(CP_E_LOCKED), "locked");
  assert_int_equal(CP_E_USAGE, 2);
  assert_non_null(strstr(cp_hint(CP_E_TRUST_PENDING), "Trust"));
  assert_non_null(strstr(cp_hint(CP_E_LOCKED), "Unlock"));
}

static void test_error_set_formats_detail(void **state)
{
  (void)state;
  cp_error e;
  cp_error_clear(&e);
  assert_int_equal(cp_error_set(&e, CP_E_PARSE, "%s line %d", "a.ips", 3), CP_E_PARSE);
  assert_int_equal(e.code, CP_E_PARSE);
  assert_string_equal(e.detail, "a.ips line 3");
  assert_int_equal(cp_error_set(NULL, CP_E_IO, "x"), CP_E_IO);
}

static int safe(const char *p)
{
  return cp_path_is_safe(p, strlen(p));
}

static void test_safe_paths(void **state)
{
  (void)state;
  assert_true(safe("a.ips"));
  assert_true(safe("Panics/x.ips"));
  assert_true(safe("Retired/..foo"));
  assert_false(safe(""));
  assert_false(safe("/etc/passwd"));
  assert_false(safe("../x"));
  assert_false(safe("a/../../x"));
  assert_false(safe("a/.."));
  assert_false(safe("./a"));
  assert_false(safe("a//b"));
  assert_false(safe("a/"));
  assert_false(safe("a\\b"));
  assert_false(safe("C:x"));
  assert_false(safe("a\nb"));
  assert_false(cp_path_is_safe("a\0b", 3));
  /* a component of 255 bytes is fine, 256 is not (ENAMETOOLONG on disk) */
  char name[300];
  memset(name, 'x', sizeof name);
  name[255] = '\0';
  assert_true(safe(name));
  name[255] = 'x';
  name[256] = '\0';
  assert_false(safe(name));
  char deep[8 + 256 + 1];
  memcpy(deep, "Retired/", 8);
  memset(deep + 8, 'y', 256);
  deep[8 + 256] = '\0';
  assert_true(cp_path_is_safe(deep, 8 + 255));
  assert_false(cp_path_is_safe(deep, 8 + 256));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_code_has_words),
      cmocka_unit_test(test_error_set_formats_detail),
      cmocka_unit_test(test_safe_paths),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
