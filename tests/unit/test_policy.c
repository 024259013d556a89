/* Unit tests of the station policy parser: every key lands in its field,
 * defaults hold, the redaction sections become the redactor's JSON form, and
 * each kind of mistake is CP_E_POLICY naming the line it is on. The shipped
 * packaging/station-policy.example must parse as-is. */
/* cmocka needs these headers before it. */
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

#include "policy.h"

static cp_policy *parse_ok(const char *text)
{
  cp_policy *p = NULL;
  cp_error e;
  cp_error_clear(&e);
  cp_err rc = cp_policy_parse(text, strlen(text), "t.conf", &p, &e);
  if (rc != CP_OK)
    fprintf(stderr, "unexpected error: %s\n", e.detail);
  assert_int_equal(rc, CP_OK);
  assert_non_null(p);
  return p;
}

/* Parses `text`, expects CP_E_POLICY whose message contains `want`. */
static void parse_bad(const char *text, const char *want)
{
  cp_policy *p = (cp_policy *)1;
  cp_error e;
  cp_error_clear(&e);
  cp_err rc = cp_policy_parse(text, strlen(text), "t.conf", &p, &e);
  if (rc != CP_E_POLICY || !strstr(e.detail, want))
    fprintf(stderr, "rc %d detail '%s', wanted '%s'\n", rc, e.detail, want);
  assert_int_equal(rc, CP_E_POLICY);
  assert_null(p);
  assert_non_null(strstr(e.detail, want));
}

#define MIN "[consent]\nscopes = system\ntext = ok\n"

static void test_every_key(void **state)
{
  (void)state;
  cp_policy *p = parse_ok("# full policy\n"
                          "[consent]\n"
                          "scopes = system, battery,crashes  syslog\n"
                          "text = I agree that the bench collects\n"
                          "  system information and crash logs.\n"
                          "\n"
                          "; another comment style\n"
                          "[redaction]\n"
                          "email = on\n"
                          "ip = off\n"
                          "[patterns]\n"
                          "ticket = TICKET-[0-9]{6}\n"
                          "host_name = \"corp\\\\.example\"\n"
                          "[case]\n"
                          "map = cases.txt\n"
                          "template = SHOP1-{date}-{time}-{n}\n"
                          "[collect]\n"
                          "syslog_seconds = 7\n"
                          "syslog_max_bytes = 64M\n"
                          "timeout_ms = 2500\n"
                          "wait_trust_seconds = 0\n"
                          "device_timeout_seconds = 90\n"
                          "retries = 3\n"
                          "retry_delay_seconds = 1\n"
                          "[station]\n"
                          "max_parallel = 16\n"
                          "shutdown_grace_seconds = 12\n"
                          "[upload]\n"
                          "enabled = yes\n"
                          "url = https://cases.example/upload\n"
                          "retries = 5\n"
                          "[signing]\n"
                          "key = /etc/caseprobe/station.pem\n");
  assert_string_equal(p->scopes[0], "system");
  assert_string_equal(p->scopes[1], "battery");
  assert_string_equal(p->scopes[2], "crashes");
  assert_string_equal(p->scopes[3], "syslog");
  assert_null(p->scopes[4]);
  assert_string_equal(p->consent_text,
                      "I agree that the bench collects\nsystem information and crash logs.");
  char *red = json_dumps(p->redact, JSON_COMPACT | JSON_SORT_KEYS);
  assert_string_equal(red, "{\"classes\":{\"email\":true,\"ip\":false},\"patterns\":["
                           "{\"name\":\"ticket\",\"regex\":\"TICKET-[0-9]{6}\"},"
                           "{\"name\":\"host_name\",\"regex\":\"corp\\\\.example\"}]}");
  free(red);
  assert_string_equal(p->case_map, "cases.txt");
  assert_string_equal(p->case_template, "SHOP1-{date}-{time}-{n}");
  assert_int_equal(p->syslog_seconds, 7);
  assert_true(p->syslog_max_bytes == 64ULL * 1024 * 1024);
  assert_int_equal(p->timeout_ms, 2500);
  assert_int_equal(p->wait_trust_seconds, 0);
  assert_int_equal(p->device_timeout_seconds, 90);
  assert_int_equal(p->retries, 3);
  assert_int_equal(p->retry_delay_seconds, 1);
  assert_int_equal(p->max_parallel, 16);
  assert_int_equal(p->shutdown_grace_seconds, 12);
  assert_int_equal(p->upload, 1);
  assert_string_equal(p->upload_url, "https://cases.example/upload");
  assert_int_equal(p->upload_retries, 5);
  assert_string_equal(p->sign_key, "/etc/caseprobe/station.pem");
  cp_policy_free(p);
}

static void test_defaults(void **state)
{
  (void)state;
  cp_policy *p = parse_ok(MIN);
  assert_string_equal(p->case_template, "BENCH-{date}-{n}");
  assert_null(p->redact);
  assert_null(p->case_map);
  assert_null(p->sign_key);
  assert_int_equal(p->upload, 0);
  assert_int_equal(p->max_parallel, 4);
  assert_int_equal(p->retries, 2);
  assert_int_equal(p->wait_trust_seconds, 30);
  assert_int_equal(p->shutdown_grace_seconds, 20);
  assert_int_equal(p->syslog_seconds, 0);
  cp_policy_free(p);
}

static void test_quoting_and_line_endings(void **state)
{
  (void)state;
  /* CRLF, a BOM, a quoted value with escapes and an empty optional path. */
  cp_policy *p = parse_ok("\xEF\xBB\xBF[consent]\r\nscopes=apps\r\n"
                          "text = \"  line one\\n\\tline \\\"two\\\" \\\\ \"   \r\n"
                          "[signing]\nkey =\n");
  assert_string_equal(p->scopes[0], "apps");
  assert_string_equal(p->consent_text, "  line one\n\tline \"two\" \\ ");
  assert_null(p->sign_key);
  cp_policy_free(p);
}

static void test_bad_values_name_their_line(void **state)
{
  (void)state;
  parse_bad(MIN "[station]\nmax_parallel = lots\n", "t.conf line 5: max_parallel must be a whole "
                                                    "number from 1 to 64, not 'lots'");
  parse_bad(MIN "[station]\nmax_parallel = 0\n", "line 5: max_parallel");
  parse_bad(MIN "[station]\nmax_parallel = 99999999999999999999999\n", "line 5");
  parse_bad(MIN "[station]\nshutdown_grace_seconds = -1\n", "line 5: shutdown_grace_seconds");
  parse_bad(MIN "[collect]\nsyslog_max_bytes = 12X\n", "line 5: syslog_max_bytes must be a size");
  parse_bad(MIN "[collect]\nsyslog_max_bytes = 2T\n", "line 5");
  parse_bad(MIN "[upload]\nenabled = maybe\n", "line 5: enabled must be yes or no");
  parse_bad(MIN "[upload]\nurl = ftp://x\n", "line 5: url must start with https://");
  parse_bad(MIN "[upload]\nenabled = yes\n", "enabled = yes needs url");
  parse_bad(MIN "[redaction]\nemail = sometimes\n", "line 5: redaction class 'email' must be on");
  parse_bad(MIN "[redaction]\nEmail = on\n", "line 5: 'Email' is not a redaction class");
  parse_bad(MIN "[patterns]\nbad = (unclosed\n", "line 5: pattern 'bad': missing closing");
  parse_bad(MIN "[patterns]\nx = a\nx = b\n", "line 6: pattern 'x' is defined twice");
  parse_bad(MIN "[patterns]\nhost.name = a\n", "line 5: 'host.name' is not a pattern name");
  parse_bad(MIN "[redaction]\nudid = off\n", "line 5: udid cannot be turned off");
  parse_bad(MIN "[case]\ntemplate = BENCH/{date}\n", "line 5: template: character '/'");
  parse_bad(MIN "[case]\ntemplate = B-{serial}\n", "line 5: template: unknown token '{serial}'");
  parse_bad(MIN "[case]\ntemplate = {date}{date}{date}{date}{date}{date}{date}{date}{date}\n",
            "line 5: template: expands to up to 72 characters");
  parse_bad(MIN "[colect]\n", "line 4: unknown section [colect]");
  parse_bad(MIN "[station]\nmax_paralel = 2\n", "line 5: unknown key 'max_paralel' in [station]");
  parse_bad(MIN "[station]\nmax_parallel = 2\nmax_parallel = 3\n", "line 6: max_parallel is set "
                                                                   "twice");
  parse_bad("scopes = system\n", "line 1: 'scopes' comes before any [section]");
  parse_bad(MIN "just words\n", "line 4: expected 'key = value'");
  parse_bad(MIN "  indented\n\n  again\n", "line 6: indented line with no key");
  parse_bad(MIN "[station\n", "line 4: a section header");
  parse_bad("[consent]\nscopes = system, System\ntext=x\n", "line 2: 'System' is not a scope");
  parse_bad("[consent]\nscopes = a, b, a\ntext=x\n", "line 2: scope 'a' is listed twice");
  parse_bad("[consent]\nscopes = ,\ntext=x\n", "line 2: scopes is empty");
  parse_bad("[consent]\nscopes = a\ntext = \"open\n", "line 3: the quoted value of text has no "
                                                      "closing");
  parse_bad("[consent]\nscopes = a\ntext = \"x\" y\n", "line 3: text after the closing");
  parse_bad("[consent]\nscopes = a\ntext = \"\\q\"\n", "line 3: unknown escape");
  parse_bad("[consent]\nscopes = a\ntext = \xC3\x28\n", "line 3: the value of text is not valid "
                                                        "UTF-8");
  parse_bad("[consent]\nscopes = a\ntext =\n", "line 3: text is empty");
  parse_bad("[consent]\ntext = yes\n", "[consent] scopes is missing");
  parse_bad("[consent]\nscopes = a\n", "[consent] text is missing");
  parse_bad("", "[consent] scopes is missing");
  {
    static const char nul[] = "[consent]\nscopes = a\0b\ntext=x\n";
    cp_policy *p = NULL;
    cp_error e;
    cp_error_clear(&e);
    assert_int_equal(cp_policy_parse(nul, sizeof nul - 1, "t.conf", &p, &e), CP_E_POLICY);
    assert_non_null(strstr(e.detail, "line 2: contains a NUL byte"));
  }
}

static void test_limits(void **state)
{
  (void)state;
  /* A value longer than 64 KiB and a file larger than 1 MiB are refused. */
  size_t n = 70 * 1024;
  char *big = malloc(n + 64);
  assert_non_null(big);
  strcpy(big, "[consent]\nscopes = a\ntext = ");
  size_t off = strlen(big);
  memset(big + off, 'x', n);
  big[off + n] = '\0';
  parse_bad(big, "line 3: value of text is longer than");
  free(big);
  char *huge = calloc(1, 2 * 1024 * 1024);
  assert_non_null(huge);
  memset(huge, '#', 2 * 1024 * 1024 - 1);
  parse_bad(huge, "larger than");
  free(huge);
}

static void test_shipped_example_parses(void **state)
{
  (void)state;
  char path[1024];
  snprintf(path, sizeof path, "%s/packaging/station-policy.example", CP_SOURCE_DIR);
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  static char buf[256 * 1024];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  cp_policy *p = NULL;
  cp_error e;
  cp_error_clear(&e);
  cp_err rc = cp_policy_parse(buf, n, "station-policy.example", &p, &e);
  if (rc)
    fprintf(stderr, "%s\n", e.detail);
  assert_int_equal(rc, CP_OK);
  /* It grants every scope the probes use, so it works as-is on the simulator. */
  const char *want[] = {"system", "battery", "crashes", "syslog", "apps", "storage"};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    int found = 0;
    for (size_t j = 0; p->scopes[j]; j++)
      found |= !strcmp(p->scopes[j], want[i]);
    assert_true(found);
  }
  assert_int_equal(p->upload, 0);
  assert_true(strlen(p->consent_text) > 40);
  cp_policy_free(p);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_key),
      cmocka_unit_test(test_defaults),
      cmocka_unit_test(test_quoting_and_line_endings),
      cmocka_unit_test(test_bad_values_name_their_line),
      cmocka_unit_test(test_limits),
      cmocka_unit_test(test_shipped_example_parses),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
