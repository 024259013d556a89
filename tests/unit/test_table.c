/* Display cells of table columns (agent/table.c). The expected widths come
 * from the Unicode East Asian Width property as wcwidth(3) applies it (Wide
 * and Fullwidth = 2 cells, a combining mark = 0, everything else printable =
 * 1), counted by hand for each string, not from the code. */
// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
// clang-format on

#include "table.h"

#include <string.h>

static void test_widths(void **state)
{
  (void)state;
  assert_int_equal(cp_wcwidth('A'), 1);
  assert_int_equal(cp_wcwidth(0x2019), 1);  /* ’ RIGHT SINGLE QUOTATION MARK: Ambiguous -> 1 */
  assert_int_equal(cp_wcwidth(0x5F20), 2);  /* 张 CJK: Wide */
  assert_int_equal(cp_wcwidth(0xAC00), 2);  /* 가 Hangul syllable: Wide */
  assert_int_equal(cp_wcwidth(0xFF21), 2);  /* Ａ FULLWIDTH A */
  assert_int_equal(cp_wcwidth(0x0301), 0);  /* combining acute accent */
  assert_int_equal(cp_wcwidth(0x1F4F1), 2); /* 📱 mobile phone: Wide emoji */
  assert_int_equal(cp_wcwidth(0x1B), -1);   /* ESC */
  assert_int_equal(cp_str_cells("Jonas\xE2\x80\x99s iPhone"), 14);
  assert_int_equal(cp_str_cells("\xE5\xBC\xA0\xE4\xB8\x89\xE7\x9A\x84iPhone"),
                   12);                              /* 张三的iPhone */
  assert_int_equal(cp_str_cells("Rene\xCC\x81"), 4); /* René with a combining accent */
  assert_int_equal(cp_str_cells("a\xFF"
                                "b"),
                   3); /* an invalid byte shows as one '?' */
}

static void test_fit(void **state)
{
  (void)state;
  char b[128];
  /* Padding counts cells: 14 cells + 2 spaces. */
  assert_string_equal(cp_cell_fit("Jonas\xE2\x80\x99s iPhone", 16, 1, b, sizeof b),
                      "Jonas\xE2\x80\x99s iPhone  ");
  /* 12 cells into 5: 张三 (4) + … (1). */
  assert_string_equal(cp_cell_fit("\xE5\xBC\xA0\xE4\xB8\x89\xE7\x9A\x84iPhone", 5, 1, b, sizeof b),
                      "\xE5\xBC\xA0\xE4\xB8\x89\xE2\x80\xA6");
  /* Into 4: 张 (2) + … (1) + one space: 三 does not fit in the one cell left. */
  assert_string_equal(cp_cell_fit("\xE5\xBC\xA0\xE4\xB8\x89\xE7\x9A\x84iPhone", 4, 1, b, sizeof b),
                      "\xE5\xBC\xA0\xE2\x80\xA6 ");
  /* A string that fits is unchanged; without padding nothing is added. */
  assert_string_equal(cp_cell_fit("abc", 3, 0, b, sizeof b), "abc");
  assert_string_equal(cp_cell_fit("abcd", 3, 0, b, sizeof b), "ab\xE2\x80\xA6");
  /* Terminal escapes never pass. */
  assert_string_equal(cp_cell_fit("a\x1b[2Jb", 10, 0, b, sizeof b), "a?[2Jb");
  /* Every fitted cell is exactly as wide as asked. */
  const char *names[] = {"Jonas\xE2\x80\x99s iPhone", "\xE5\xBC\xA0\xE4\xB8\x89\xE7\x9A\x84iPhone",
                         "x", ""};
  for (size_t i = 0; i < 4; i++)
    for (size_t w = 1; w < 20; w++)
      assert_int_equal(cp_str_cells(cp_cell_fit(names[i], w, 1, b, sizeof b)), w);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_widths),
      cmocka_unit_test(test_fit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
