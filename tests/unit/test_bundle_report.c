/* Unit tests of the bundle's text members: report.html as the agent renders
 * it (answers first, self-contained, accessible, everything from the device
 * escaped, tolerant of missing or mistyped keys, bounded, in English and
 * Simplified Chinese), the wordless fallback page of formats, and
 * manifest.json parsing (which must refuse anything a writer of format 1
 * would not produce). */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on

#include "i18n.h"
#include "manifest.h"
#include "report.h"
#include "report_html.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct page {
  char *buf;
  size_t len;
} page;

static cp_err collect(void *ctx, const void *buf, size_t len, cp_error *err)
{
  page *p = ctx;
  char *n = realloc(p->buf, p->len + len + 1);
  if (!n)
    return cp_error_set(err, CP_E_NOMEM, "page");
  memcpy(n + p->len, buf, len);
  p->len += len;
  n[p->len] = '\0';
  p->buf = n;
  return CP_OK;
}

static char *render(const char *findings_json, const char *members_json)
{
  json_t *f = findings_json ? json_loads(findings_json, 0, NULL) : NULL;
  json_t *m = members_json ? json_loads(members_json, 0, NULL) : NULL;
  if (findings_json)
    assert_non_null(f);
  page p = {NULL, 0};
  cp_error err;
  assert_int_equal(cp_report_render(f, m, collect, &p, &err), CP_OK);
  json_decref(f);
  json_decref(m);
  assert_non_null(p.buf);
  return p.buf;
}

static size_t count(const char *hay, const char *needle)
{
  size_t n = 0;
  for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
    n++;
  return n;
}

/* What every page must be, whatever the findings. */
static void assert_well_formed(const char *html)
{
  assert_true(!strncmp(html, "<!DOCTYPE html>\n<html lang=\"", 27));
  assert_non_null(strstr(html, "<meta charset=\"utf-8\">"));
  assert_non_null(strstr(html, "<title>"));
  assert_non_null(strstr(html, "<h1>"));
  assert_non_null(strstr(html, "<main>"));
  assert_null(strstr(html, "<script"));
  assert_null(strstr(html, "<link"));
  assert_null(strstr(html, "src="));
  assert_null(strstr(html, "http://"));
  assert_null(strstr(html, "https://"));
  assert_non_null(strstr(html, "</html>\n"));
  /* Every table is captioned and has column headers. */
  assert_int_equal(count(html, "<table>"), count(html, "<caption>"));
  assert_int_equal(count(html, "<table>"), count(html, "<thead>"));
}

/* A findings object like collect's, with every key the report reads. */
static const char full_findings[] =
    "{\"case_id\": \"C-<1>\", \"created\": \"2026-11-23T12:00:00Z\","
    " \"device\": {\"marketing_name\": \"iPhone 13 Pro\", \"product_type\": \"iPhone14,2\","
    "             \"ios_version\": \"17.1\", \"build_version\": \"21B74\","
    "             \"hardware_model\": \"D63AP\", \"udid\": \"<udid-1>\", \"ecid\": \"<ecid-1>\","
    "             \"name\": \"<script>alert('x')</script>\", \"note\": \"a & b \\u001b[31m\","
    "             \"lockdown\": {\"UniqueDeviceID\": \"<udid-1>\"}},"
    " \"battery\": {\"health_percent\": 72.4, \"cycle_count\": 903, \"rated_cycles\": 500,"
    "              \"verdict\": \"service\","
    "              \"reasons\": [{\"code\": \"below_80\", \"value\": 72.4, \"limit\": 80},"
    "                           {\"code\": \"cycles_over_rated\", \"value\": 903, \"limit\": 500},"
    "                           {\"code\": \"new_rule\", \"text_en\": \"Something <new>.\"}],"
    "              \"sources\": {\"cycle_count\": \"ioreg:AppleSmartBattery:CycleCount\"}},"
    " \"probes\": {\"battery\": {\"status\": \"ok\", \"scope\": \"battery\"},"
    "   \"apps\": {\"status\": \"failed\", \"scope\": \"apps\", \"code\": \"timeout\","
    "              \"detail\": \"<no answer>\"}},"
    " \"crashes\": {\"count\": 16, \"triage\": {\"total\": 16,"
    "   \"panics\": {\"count\": 3, \"first_lines\": [{\"line\": \"btn_rst\", \"count\": 1},"
    "                 {\"line\": \"watchdog timeout: no checkins\", \"count\": 2}]},"
    "   \"jetsam\": {\"count\": 2, \"largest_processes\": [{\"process\": \"AppStore\", \"count\": "
    "2}]},"
    "   \"groups\": [{\"process\": \"Mobile<Safari>\", \"exception_type\": \"EXC_BAD_ACCESS\","
    "                 \"kind\": \"crash\", \"count\": 9, \"signature\": \"abc123\","
    "                 \"first_time\": 1788378067, \"last_time\": 1795011323},"
    "                {\"process\": \"Maps\", \"kind\": \"crash\", \"count\": 1},"
    "                {\"process\": \"apfs_defragd\", \"kind\": \"resource\", \"count\": 1}]}},"
    " \"drain\": {\"since\": \"2026-11-20T00:00:00Z\", \"suspects\": [{\"process\": \"Fitness<x>\","
    "   \"kind\": \"cpu\", \"count\": 4, \"worst\": {\"value\": 91.5, \"unit\": \"s\"},"
    "   \"last\": \"2026-11-22T08:00:00Z\"}]},"
    " \"syslog\": {\"bytes\": 1048576, \"truncated\": true, \"why\": \"bytes_limit\"},"
    " \"sysdiagnose\": {\"members\": 40, \"left_out\": [{\"name\": \"logs/x.tracev3\","
    "   \"why\": \"sqlite_database\"}, {\"name\": \"x<y>\", \"why\": \"new_reason\"}]},"
    " \"scopes\": {\"granted\": [\"battery\", \"crashes\"], \"refused\": [\"syslog\"]},"
    " \"redaction\": {\"classes\": {\"serial\": {\"count\": 4}, \"email\": {\"count\": 2}},"
    "                \"classes_off\": [\"ssid\"]},"
    " \"members\": [{\"path\": \"crashes/a.ips\", \"scope\": \"crashes\", \"size\": 100}]}";

static void test_full_page(void **state)
{
  (void)state;
  assert_int_equal(cp_i18n_set_lang("en"), 0);
  char *html = render(full_findings, NULL);
  assert_well_formed(html);
  assert_true(!strncmp(html, "<!DOCTYPE html>\n<html lang=\"en\">", 32));
  assert_non_null(strstr(html, "case C-&lt;1&gt;"));
  assert_non_null(strstr(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
  assert_non_null(strstr(html, "a &amp; b &#xFFFD;[31m"));
  assert_null(strstr(html, "\x1b"));
  assert_null(strstr(html, "<script"));

  /* The answers come first: the summary is the first section, and it names
   * the model, iOS, the battery health and verdict. */
  const char *summary = strstr(html, "<h2 id=\"h-summary\">");
  assert_non_null(summary);
  assert_true(summary < strstr(html, "<h2 id=\"h-battery\">"));
  assert_true(strstr(html, "<section") == strstr(html, "<section aria-labelledby=\"h-summary\""));
  assert_non_null(strstr(summary, "<strong>iPhone 13 Pro</strong> (iPhone14,2), iOS "
                                  "<strong>17.1</strong> (build 21B74)"));
  assert_non_null(strstr(summary, "<strong>72 % health</strong>"));
  assert_non_null(strstr(summary, "Service recommended"));
  /* Crashes by kind: the forced restart (btn_rst) is not a kernel panic. */
  assert_non_null(strstr(summary, "10 app crashes, 2 kernel panics, 1 forced restart, "
                                  "2 apps closed for low memory (jetsam), 1 resource report"));
  assert_non_null(strstr(summary, "(reports from 2026-09-02 to 2026-11-18)"));
  assert_non_null(strstr(summary, "Most often: Mobile&lt;Safari&gt; (9), Maps (1)"));
  assert_non_null(strstr(summary, "Device log (you said no"));
  assert_non_null(strstr(summary, "6 personal values replaced by placeholders"));

  /* Battery: gauge with text, the reasons in words, where each figure came from. */
  assert_non_null(strstr(html, "<title id=\"gauge-t\">Battery health 72 percent</title>"));
  assert_non_null(strstr(html, "Health: 72 %"));
  assert_non_null(strstr(html, "<li>Maximum capacity is 72 %, below the 80 % at which a battery "
                               "should be serviced.</li>"));
  assert_non_null(strstr(html, "<li>The battery has been through 903 charge cycles, more than "
                               "the 500 it is rated for.</li>"));
  assert_non_null(strstr(html, "<li>Something &lt;new&gt;.</li>"));
  assert_non_null(
      strstr(html, "<th scope=\"row\">Charge cycles</th><td class=\"v\">903</td><td><code>ioreg:"
                   "AppleSmartBattery:CycleCount</code></td>"));

  /* Crashes: top signatures, panic lines without the forced restart, jetsam. */
  assert_non_null(strstr(html, "<th scope=\"row\">Mobile&lt;Safari&gt;</th><td>App crash: "
                               "EXC_BAD_ACCESS <code>abc123</code></td><td class=\"num\">9"
                               "</td><td>2026-11-18</td>"));
  assert_non_null(strstr(html, "<li>watchdog timeout: no checkins &#8212; 2 times</li>"));
  assert_null(strstr(html, "<li>btn_rst"));
  assert_non_null(strstr(html, "<li>AppStore &#8212; 2 times</li>"));
  assert_non_null(strstr(html, "it is not a kernel panic"));

  /* Drain, syslog, sysdiagnose, failed probes. */
  assert_non_null(strstr(html,
                         "<th scope=\"row\">Fitness&lt;x&gt;</th><td>heavy processor use"
                         "</td><td class=\"num\">4</td><td class=\"num\">91.5 s of CPU</td>"));
  assert_non_null(strstr(html, "the size limit for the log was reached"));
  assert_non_null(strstr(html, "<th scope=\"row\">logs/x.tracev3</th><td>a database file, which "
                               "cannot be redacted</td>"));
  assert_non_null(strstr(html, "<th scope=\"row\">x&lt;y&gt;</th><td>new_reason</td>"));
  assert_non_null(strstr(html, "Installed apps (apps)</th><td>failed</td><td>timeout: "
                               "&lt;no answer&gt;</td>"));

  /* Privacy: counts per class in plain words, classes turned off. */
  assert_non_null(strstr(html, "<th scope=\"row\">Serial numbers</th><td class=\"num\">4</td>"));
  assert_non_null(strstr(html, "<th scope=\"row\">E-mail addresses</th><td class=\"num\">2</td>"));
  assert_non_null(strstr(html, "(turned off):</strong> Wi-Fi network names"));

  /* Identifier rows only say <udid-1>: folded away, after the answers. */
  const char *ids = strstr(html, "<summary>Identifiers (replaced by placeholders)</summary>");
  assert_non_null(ids);
  const char *udid = strstr(html, "<th scope=\"row\">udid</th><td>&lt;udid-1&gt;</td>");
  assert_non_null(udid);
  assert_true(udid > ids);
  assert_true(strstr(html, "<th scope=\"row\">hardware_model</th><td>D63AP</td>") <
              ids); /* a real value stays in the device details */
  assert_non_null(strstr(html, "<th scope=\"row\">crashes/a.ips</th><td>Crash reports</td>"));
  /* print and phone layouts */
  assert_non_null(strstr(html, "@media print"));
  assert_non_null(strstr(html, "name=\"viewport\""));
  free(html);
}

/* The same page in Simplified Chinese: lang attribute, translated words,
 * device values untouched; the process's language is put back after. */
static void test_page_in_chinese(void **state)
{
  (void)state;
  assert_int_equal(cp_i18n_set_lang("en"), 0);
  json_t *f = json_loads(full_findings, 0, NULL);
  assert_non_null(f);
  json_object_set_new(f, "language", json_string("zh-Hans"));
  page p = {NULL, 0};
  cp_error err;
  assert_int_equal(cp_report_render(f, NULL, collect, &p, &err), CP_OK);
  assert_well_formed(p.buf);
  assert_true(!strncmp(p.buf, "<!DOCTYPE html>\n<html lang=\"zh-Hans\">", 37));
  assert_non_null(strstr(p.buf, "建议维修")); /* Service recommended */
  assert_non_null(strstr(p.buf, "<h2 id=\"h-summary\">摘要</h2>"));
  assert_non_null(strstr(p.buf, "<strong>iPhone 13 Pro</strong>"));
  assert_null(strstr(p.buf, "Service recommended"));
  assert_null(strstr(p.buf, "Battery health 72 percent"));
  assert_string_equal(cp_i18n_lang(), "en");
  json_decref(f);
  free(p.buf);
}

/* Station jobs render in parallel threads, and the assist page renders in
 * the language of each request: pages in two languages at once each come
 * out whole in their own language. */
static void *render_many(void *arg)
{
  const char *lang = arg;
  json_t *f = json_loads(full_findings, 0, NULL);
  json_object_set_new(f, "language", json_string(lang));
  int bad = 0;
  for (int i = 0; i < 25; i++) {
    page p = {NULL, 0};
    cp_error err;
    if (cp_report_render(f, NULL, collect, &p, &err) != CP_OK || !p.buf)
      bad++;
    else if (!strcmp(lang, "zh-Hans")
                 ? !strstr(p.buf, "<html lang=\"zh-Hans\">") || !strstr(p.buf, "建议维修") ||
                       strstr(p.buf, "Service recommended")
                 : !strstr(p.buf, "<html lang=\"en\">") || !strstr(p.buf, "Service recommended") ||
                       strstr(p.buf, "建议维修"))
      bad++;
    free(p.buf);
  }
  json_decref(f);
  return (void *)(intptr_t)bad;
}

static void test_parallel_languages(void **state)
{
  (void)state;
  pthread_t t[4];
  const char *langs[4] = {"en", "zh-Hans", "en", "zh-Hans"};
  for (int i = 0; i < 4; i++)
    assert_int_equal(pthread_create(&t[i], NULL, render_many, (void *)langs[i]), 0);
  intptr_t bad = 0;
  for (int i = 0; i < 4; i++) {
    void *r = NULL;
    pthread_join(t[i], &r);
    bad += (intptr_t)r;
  }
  assert_int_equal(bad, 0);
}

static void test_missing_and_mistyped(void **state)
{
  (void)state;
  assert_int_equal(cp_i18n_set_lang("en"), 0);
  char *html = render(NULL, NULL);
  assert_well_formed(html);
  assert_non_null(strstr(html, "Battery health was not collected."));
  assert_non_null(strstr(html, "Crash reports were not collected."));
  assert_non_null(strstr(html, "No redaction report."));
  free(html);
  html = render("{\"device\": 5, \"battery\": {\"health_percent\": \"n/a\", \"reasons\": 7},"
                " \"crashes\": [], \"scopes\": 3, \"redaction\": [1], \"members\": {},"
                " \"drain\": {\"suspects\": [3, {\"worst\": 1}]}, \"syslog\": [],"
                " \"sysdiagnose\": {\"left_out\": [1, null]}, \"language\": 5}",
                "[{\"path\": \"device/info.json\", \"scope\": \"device\", \"size\": 3}]");
  assert_well_formed(html);
  assert_null(strstr(html, "<svg")); /* no number, no gauge */
  /* findings' "members" is not an array, so the caller's list is used. */
  assert_non_null(strstr(html, "device/info.json"));
  free(html);
}

static void test_rows_are_capped(void **state)
{
  (void)state;
  assert_int_equal(cp_i18n_set_lang("en"), 0);
  json_t *groups = json_array();
  json_t *members = json_array();
  for (int i = 0; i < 3000; i++) {
    json_array_append_new(groups, json_pack("{s:s, s:i}", "process", "p", "count", i));
    json_array_append_new(members, json_pack("{s:s, s:s}", "path", "m", "scope", "crashes"));
  }
  json_t *f = json_pack("{s:{s:o}, s:o}", "crashes", "groups", groups, "members", members);
  page p = {NULL, 0};
  cp_error err;
  assert_int_equal(cp_report_render(f, NULL, collect, &p, &err), CP_OK);
  /* the top ten groups, by count */
  assert_int_equal(count(p.buf, "<tr><th scope=\"row\">p</th>"), 10);
  assert_non_null(strstr(p.buf, "<td class=\"num\">2999</td>"));
  assert_non_null(strstr(p.buf, "2990 more signatures"));
  assert_int_equal(count(p.buf, "<tr><th scope=\"row\">m</th>"), CP_REPORT_MAX_ROWS);
  assert_non_null(strstr(p.buf, "2500 more files"));
  assert_true(p.len < 400000);
  json_decref(f);
  free(p.buf);
}

/* formats' fallback: a valid page without a sentence, the findings escaped. */
static void test_fallback_page(void **state)
{
  (void)state;
  json_t *f = json_pack("{s:s}", "case_id", "<b>");
  page p = {NULL, 0};
  cp_error err;
  assert_int_equal(cp_report_html_fallback(f, NULL, collect, &p, &err), CP_OK);
  assert_true(!strncmp(p.buf, "<!DOCTYPE html>\n<html lang=\"en\">", 32));
  assert_non_null(strstr(p.buf, "<title>caseprobe</title>"));
  assert_non_null(strstr(p.buf, "</html>\n"));
  assert_non_null(strstr(p.buf, "&lt;b&gt;"));
  assert_null(strstr(p.buf, "<b>"));
  json_decref(f);
  free(p.buf);
}

static cp_err parse(const char *text)
{
  json_t *m = NULL, *idx = NULL;
  cp_error err;
  cp_err rc = cp_manifest_parse(text, strlen(text), &m, &idx, &err);
  json_decref(m);
  json_decref(idx);
  return rc;
}

#define SHA "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\""
#define HEAD "{\"format\": \"caseprobe-bundle\", \"case_id\": \"C\", \"created\": \"t\", "

static void test_manifest_parse(void **state)
{
  (void)state;
  assert_int_equal(parse(HEAD "\"format_version\": 1, \"members\": [{\"path\": \"a\", "
                              "\"size\": 0, \"sha256\": " SHA ", \"scope\": \"x\"}]}"),
                   CP_OK);
  /* newer format, wrong format name, not JSON */
  assert_int_equal(parse(HEAD "\"format_version\": 2, \"members\": []}"), CP_E_PARSE);
  assert_int_equal(parse("{\"format\": \"zip\", \"format_version\": 1, \"members\": []}"),
                   CP_E_PARSE);
  assert_int_equal(parse("{\"format\""), CP_E_PARSE);
  /* rows: unsafe path, duplicate, bad hash, negative size, lists itself */
  assert_int_equal(parse(HEAD "\"format_version\": 1, \"members\": [{\"path\": \"../a\", "
                              "\"size\": 0, \"sha256\": " SHA ", \"scope\": \"x\"}]}"),
                   CP_E_PARSE);
  assert_int_equal(parse(HEAD "\"format_version\": 1, \"members\": [{\"path\": \"a\", \"size\": "
                              "0, \"sha256\": " SHA ", \"scope\": \"x\"}, {\"path\": \"a\", "
                              "\"size\": 0, \"sha256\": " SHA ", \"scope\": \"x\"}]}"),
                   CP_E_PARSE);
  assert_int_equal(parse(HEAD "\"format_version\": 1, \"members\": [{\"path\": \"a\", "
                              "\"size\": 0, \"sha256\": \"ABC\", \"scope\": \"x\"}]}"),
                   CP_E_PARSE);
  assert_int_equal(parse(HEAD "\"format_version\": 1, \"members\": [{\"path\": \"a\", "
                              "\"size\": -1, \"sha256\": " SHA ", \"scope\": \"x\"}]}"),
                   CP_E_PARSE);
  assert_int_equal(parse(HEAD "\"format_version\": 1, \"members\": [{\"path\": "
                              "\"manifest.json\", \"size\": 0, \"sha256\": " SHA
                              ", \"scope\": \"x\"}]}"),
                   CP_E_PARSE);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_full_page),
      cmocka_unit_test(test_page_in_chinese),
      cmocka_unit_test(test_missing_and_mistyped),
      cmocka_unit_test(test_rows_are_capped),
      cmocka_unit_test(test_fallback_page),
      cmocka_unit_test(test_parallel_languages),
      cmocka_unit_test(test_manifest_parse),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
