/* Unit tests of consent decisions: flags, prompt answers, refusal without a
 * terminal, unknown scopes, station policy; the prompt by plain scope names
 * and in Simplified Chinese (text, questions, answers 是/否, language). */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
// clang-format on

#include "consent.h"
#include "consent_record.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

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
  /* plain names, not the internal ones */
  assert_non_null(strstr(c.text, "\n- Battery health: "));
  assert_non_null(strstr(c.text, "\n- Crash reports: "));
  assert_null(strstr(c.text, "Device log:"));
  assert_null(strstr(c.text, "battery:"));
  assert_string_equal(c.lang, "en");
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

/* The questions a person answers, captured: plain names, in their language. */
static char *prompt_transcript(const char *answers_text, cp_consent *c, cp_err *rc)
{
  char answers[256];
  snprintf(answers, sizeof answers, "%s", answers_text);
  FILE *in = fmemopen(answers, strlen(answers), "r");
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  assert_non_null(in);
  assert_non_null(out);
  cp_error e;
  FILE *saved = stderr;
  stderr = out;
  *rc = cp_consent_decide("battery,crashes,syslog", 0, in, 1, c, &e);
  stderr = saved;
  fclose(out);
  fclose(in);
  return buf;
}

static void test_prompt_plain_names(void **state)
{
  (void)state;
  assert_int_equal(cp_i18n_set_lang("en"), 0);
  cp_consent c;
  cp_err rc;
  char *t = prompt_transcript("y\ny\nn\n", &c, &rc);
  assert_int_equal(rc, CP_OK);
  assert_non_null(strstr(t, "Collect \"Battery health\"? [y/n] "));
  assert_non_null(strstr(t, "Collect \"Crash reports\"? [y/n] "));
  assert_non_null(strstr(t, "Collect \"Device log\"? [y/n] "));
  assert_null(strstr(t, "Collect crashes?"));
  assert_int_equal(count(c.granted), 2);
  free(t);
  cp_consent_free(&c);
}

static void test_prompt_in_chinese(void **state)
{
  (void)state;
  assert_int_equal(cp_i18n_set_lang("zh-Hans"), 0);
  cp_consent en, zh;
  cp_error e;
  cp_err rc;
  char *t = prompt_transcript("\xe6\x98\xaf\n\xe5\x90\xa6\ny\n", &zh, &rc); /* 是 否 y */
  assert_int_equal(rc, CP_OK);
  assert_string_equal(zh.lang, "zh-Hans");
  /* the questions themselves, by plain name, in Chinese */
  assert_non_null(strstr(t, "是否收集“电池健康”？[y/n]"));
  assert_non_null(strstr(t, "是否收集“崩溃报告”？[y/n]"));
  assert_non_null(strstr(t, "是否收集“设备日志”？[y/n]"));
  assert_null(strstr(t, "Collect"));
  assert_null(strstr(zh.text, "Battery health"));
  assert_non_null(strstr(zh.text, "caseprobe"));
  assert_int_equal(count(zh.granted), 2);
  assert_string_equal(zh.granted[0], "battery");
  assert_string_equal(zh.granted[1], "syslog");
  free(t);
  /* the same grant in English is a different text, so a different hash */
  assert_int_equal(cp_i18n_set_lang("en"), 0);
  assert_int_equal(cp_consent_decide("battery,crashes,syslog", 1, NULL, 0, &en, &e), CP_OK);
  assert_string_not_equal(en.text, zh.text);
  assert_string_equal(en.lang, "en");
  cp_consent_free(&zh);
  cp_consent_free(&en);
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

/* consent.json records the language of the text whose hash it holds. */
static void test_record_language(void **state)
{
  (void)state;
  const char *g[] = {"battery", NULL};
  json_t *rec = cp_consent_record_new("C-1", g, NULL, "prompt", 0, "text");
  assert_non_null(rec);
  assert_null(json_object_get(rec, "language"));
  assert_int_equal(cp_consent_record_set_language(rec, "zh-Hans"), 0);
  assert_string_equal(json_string_value(json_object_get(rec, "language")), "zh-Hans");
  assert_int_equal(cp_consent_record_set_language(rec, "fr"), -1);
  assert_int_equal(cp_consent_record_set_language(rec, "zh"), -1); /* canonical tags only */
  assert_string_equal(json_string_value(json_object_get(rec, "language")), "zh-Hans");
  assert_int_equal(cp_consent_record_set_language(NULL, "en"), -1);
  json_decref(rec);
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
      cmocka_unit_test(test_flag_grants_named_scopes),
      cmocka_unit_test(test_no_terminal_refuses),
      cmocka_unit_test(test_prompt_answers),
      cmocka_unit_test(test_prompt_closed_early),
      cmocka_unit_test(test_policy),
      cmocka_unit_test(test_prompt_plain_names),
      cmocka_unit_test(test_prompt_in_chinese), cmocka_unit_test(test_record_language),
  };
  unsetenv("LANGUAGE");
  setenv("LANG", "C", 1);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
