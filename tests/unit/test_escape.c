/*
 * agent/escape.c: what a terminal may receive from a bundle or a device.
 * Controls, C1, direction marks and broken UTF-8 come out as visible
 * escapes; letters of any script stay as they are; a backslash is doubled so
 * an escape cannot be forged; a short buffer cuts at a whole escape.
 */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "escape.h"
// clang-format on

static void expect(const char *in, const char *want)
{
  char buf[256];
  cp_escape_into(in, buf, sizeof buf);
  if (strcmp(buf, want) != 0)
    fprintf(stderr, "in %s\nout %s\nwant %s\n", in, buf, want);
  assert_string_equal(buf, want);
}

static void test_escapes(void **state)
{
  (void)state;
  expect("plain", "plain");
  expect("Zo\xC3\xAB \xE5\xBC\xA0\xE4\xB8\x89", "Zo\xC3\xAB \xE5\xBC\xA0\xE4\xB8\x89");
  expect("a\x1b]0;title\x07z", "a\\x1b]0;title\\x07z");
  expect("line\nforged", "line\\x0aforged");
  expect("del\x7f", "del\\x7f");
  expect("c1 \xC2\x85 \xC2\x9B"
         "31m",
         "c1 \\u0085 \\u009b31m");
  expect("bidi \xE2\x80\xAE"
         "fdp.exe",
         "bidi \\u202efdp.exe");
  expect("iso \xE2\x81\xA6x\xE2\x81\xA9 lrm \xE2\x80\x8E bom \xEF\xBB\xBF",
         "iso \\u2066x\\u2069 lrm \\u200e bom \\ufeff");
  expect("bad \xFF \xC0\xAF \xED\xA0\x80", "bad \\xff \\xc0\\xaf \\xed\\xa0\\x80");
  expect("cut \xE2\x80", "cut \\xe2\\x80");
  expect("a\\x1b", "a\\\\x1b"); /* a literal backslash cannot pass for an escape */
  expect(NULL, "-");
}

static void test_short_buffer(void **state)
{
  (void)state;
  char buf[8];
  cp_escape_into("ab\x1b"
                 "cdef",
                 buf, sizeof buf); /* "ab\x1b" is 6, "c" 7: fits */
  assert_string_equal(buf, "ab\\x1bc");
  cp_escape_into("abcde\x1b", buf, sizeof buf); /* the escape would not fit whole */
  assert_string_equal(buf, "abcde");
  char one[1];
  assert_int_equal(cp_escape_into("x", one, 1), 0);
  assert_string_equal(one, "");
}

static void test_fputs(void **state)
{
  (void)state;
  char *p = NULL;
  size_t n = 0;
  FILE *f = open_memstream(&p, &n);
  assert_non_null(f);
  cp_fputs_safe("x\x1b[2J\xE2\x80\xAEy", f);
  fclose(f);
  assert_string_equal(p, "x\\x1b[2J\\u202ey");
  free(p);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_escapes),
      cmocka_unit_test(test_short_buffer),
      cmocka_unit_test(test_fputs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
