/* Unit tests of consent decisions: flags, prompt answers, refusal without a
 * terminal, unknown scopes, station policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "consent.h"

static size_t count(char **list)
{
  size_t n = 0;
  while (list && list[n])
    n++;
  return n;
}

static void test_flag_grants_named_scopes(void **state)
{
  (void)state;
  cp_consent c;
  cp_error e;
  assert_int_equal(cp_consent_decide("battery,crashes", 1, NULL, 0, &c, &e), CP_OK);
  assert_string_equal(c.how, "flag");
  assert_int_equal(count(c.granted), 2);
  assert_string_equal(c.granted[0], "battery");
  assert_string_equal(c.granted[1], "crashes");
  assert_int_equal(count(c.refused), 4);
  assert_non_null(strstr(c.text, "battery:"));
  assert_null(strstr(c.text, "syslog:"));
  cp_consent_free(&c);
}

static void test_no_terminal_refuses(void **state)
{
  (void)state;
  cp_consent c;
  cp_error e;
  assert_int_equal(cp_consent_decide(NULL, 0, NULL, 0, &c, &e), CP_E_CONSENT);
  assert_non_null(strstr(e.detail, "no terminal"));
  assert_int_equal(cp_consent_decide(NULL, 1, NULL, 0, &c, &e), CP_E_USAGE);
  assert_int_equal(cp_consent_decide("battery,bogus", 1, NULL, 0, &c, &e), CP_E_USAGE);
  assert_non_null(strstr(e.detail, "bogus"));
}

static void test_prompt_answers(void **state)
{
  (void)state;
  char answers[] = "y\nn\nmaybe\ny\nn\nn\nn\n";
  FILE *in = fmemopen(answers, strlen(answers), "r");
  assert_non_null(in);
  cp_consent c;
  cp_error e;
  FILE *saved = stderr;
  stderr = fopen("/dev/null", "w");
  cp_err rc = cp_consent_decide(NULL, 0, in, 1, &c, &e);
  fclose(stderr);
  stderr = saved;
  fclose(in);
  assert_int_equal(rc, CP_OK);
  assert_string_equal(c.how, "prompt");
  /* system=y, battery=n, (maybe re-asks) crashes=y, syslog=n, apps=n, storage=n */
  assert_int_equal(count(c.granted), 2);
  assert_string_equal(c.granted[0], "system");
  assert_string_equal(c.granted[1], "crashes");
  assert_int_equal(count(c.refused), 4);
  cp_consent_free(&c);
}

static void test_prompt_closed_early(void **state)
{
  (void)state;
  char answers[] = "y\n";
  FILE *in = fmemopen(answers, strlen(answers), "r");
  cp_consent c;
  cp_error e;
  FILE *saved = stderr;
  stderr = fopen("/dev/null", "w");
  cp_err rc = cp_consent_decide(NULL, 0, in, 1, &c, &e);
  fclose(stderr);
  stderr = saved;
  fclose(in);
  assert_int_equal(rc, CP_E_CONSENT);
}

static void test_policy(void **state)
{
  (void)state;
  const char *g[] = {"battery", "system", NULL};
  cp_consent c;
  cp_error e;
  assert_int_equal(cp_consent_from_policy(g, "signed at counter", &c, &e), CP_OK);
  assert_string_equal(c.how, "policy");
  assert_int_equal(count(c.granted), 2);
  assert_string_equal(c.text, "signed at counter");
  cp_consent_free(&c);
  const char *none[] = {NULL};
  assert_int_equal(cp_consent_from_policy(none, "x", &c, &e), CP_E_CONSENT);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_flag_grants_named_scopes), cmocka_unit_test(test_no_terminal_refuses),
      cmocka_unit_test(test_prompt_answers), cmocka_unit_test(test_prompt_closed_early),
      cmocka_unit_test(test_policy),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
