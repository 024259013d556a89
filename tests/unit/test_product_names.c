/* Unit tests of formats/product_names.c: marketing names, the rated cycle
 * count rule (500 up to iPhone 14, 1000 from iPhone 15 and for iPads) and
 * the AppleARMPMUCharger flag of iPhone 7 and older. */
/* cmocka.h needs setjmp.h, stdarg.h and stddef.h first. */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
// clang-format on

#include "product_names.h"

static void test_names(void **state)
{
  (void)state;
  assert_string_equal(cp_product_name("iPhone8,1"), "iPhone 6s");
  assert_string_equal(cp_product_name("iPhone9,4"), "iPhone 7 Plus");
  assert_string_equal(cp_product_name("iPhone12,1"), "iPhone 11");
  assert_string_equal(cp_product_name("iPhone14,2"), "iPhone 13 Pro");
  assert_string_equal(cp_product_name("iPhone14,5"), "iPhone 13");
  assert_string_equal(cp_product_name("iPhone14,7"), "iPhone 14");
  assert_string_equal(cp_product_name("iPhone15,2"), "iPhone 14 Pro");
  assert_string_equal(cp_product_name("iPhone15,4"), "iPhone 15");
  assert_string_equal(cp_product_name("iPhone16,2"), "iPhone 15 Pro Max");
  assert_string_equal(cp_product_name("iPhone17,3"), "iPhone 16");
  assert_string_equal(cp_product_name("iPhone17,5"), "iPhone 16e");
  assert_string_equal(cp_product_name("iPhone18,3"), "iPhone 17");
  assert_string_equal(cp_product_name("iPad13,16"), "iPad Air (5th generation)");
  assert_string_equal(cp_product_name("iPad6,11"), "iPad (5th generation)");
  assert_string_equal(cp_product_name("iPad13,18"), "iPad (10th generation)");
  /* Unknown: the identifier itself, never a guess. */
  assert_string_equal(cp_product_name("iPhone99,9"), "iPhone99,9");
  assert_string_equal(cp_product_name(NULL), "");
  assert_null(cp_product_find("iphone14,5")); /* exact match only */
}

static void test_rated_cycles(void **state)
{
  (void)state;
  assert_int_equal(cp_product_rated_cycles("iPhone8,1"), 500);
  assert_int_equal(cp_product_rated_cycles("iPhone14,8"), 500);  /* 14 Plus */
  assert_int_equal(cp_product_rated_cycles("iPhone15,3"), 500);  /* 14 Pro Max */
  assert_int_equal(cp_product_rated_cycles("iPhone15,4"), 1000); /* 15 */
  assert_int_equal(cp_product_rated_cycles("iPhone16,1"), 1000);
  assert_int_equal(cp_product_rated_cycles("iPhone18,2"), 1000);
  assert_int_equal(cp_product_rated_cycles("iPad14,1"), 1000);
  /* Not in the table: by family and number. */
  assert_int_equal(cp_product_rated_cycles("iPhone19,1"), 1000);
  assert_int_equal(cp_product_rated_cycles("iPhone15,9"), 1000);
  assert_int_equal(cp_product_rated_cycles("iPhone13,9"), 500);
  assert_int_equal(cp_product_rated_cycles("iPad99,1"), 1000);
  assert_int_equal(cp_product_rated_cycles("Watch6,1"), 0);
  assert_int_equal(cp_product_rated_cycles(NULL), 0);
}

static void test_legacy_charger(void **state)
{
  (void)state;
  assert_int_equal(cp_product_find("iPhone9,3")->legacy_charger, 1);
  assert_int_equal(cp_product_find("iPhone8,4")->legacy_charger, 1);
  assert_int_equal(cp_product_find("iPhone10,1")->legacy_charger, 0);
  assert_int_equal(cp_product_find("iPhone15,4")->legacy_charger, 0);
}

/* Every generation from the 6s to the 17 is present under at least one id. */
static void test_coverage(void **state)
{
  (void)state;
  static const char *const ids[] = {
      "iPhone8,1",  "iPhone8,4",  "iPhone9,1",  "iPhone10,1", "iPhone10,3", "iPhone11,2",
      "iPhone11,8", "iPhone12,1", "iPhone12,8", "iPhone13,1", "iPhone14,4", "iPhone14,6",
      "iPhone14,7", "iPhone15,2", "iPhone15,4", "iPhone16,1", "iPhone17,1", "iPhone17,3",
      "iPhone18,1", "iPhone18,3", "iPhone18,4", "iPad7,5",    "iPad11,6",   "iPad12,1",
      "iPad14,1",   "iPad16,3",   "iPad13,1"};
  for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
    const cp_product *p = cp_product_find(ids[i]);
    assert_non_null(p);
    assert_true(strlen(p->name) > 4);
    assert_true(p->rated_cycles == 500 || p->rated_cycles == 1000);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_rated_cycles),
      cmocka_unit_test(test_legacy_charger),
      cmocka_unit_test(test_coverage),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
