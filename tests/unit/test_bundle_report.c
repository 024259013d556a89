/* Unit tests of the bundle's text members: report.html (self-contained,
 * accessible, everything from the device escaped, tolerant of missing or
 * mistyped keys, bounded) and manifest.json parsing (which must refuse
 * anything a writer of format 1 would not produce). */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on

#include "manifest.h"
#include "report_html.h"

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
  assert_int_equal(cp_report_html_write(f, m, collect, &p, &err), CP_OK);
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
  assert_true(!strncmp(html, "<!DOCTYPE html>\n<html lang=\"en\">", 32));
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

static void test_full_page(void **state)
{
  (void)state;
  char *html = render(
      "{\"case_id\": \"C-<1>\", \"created\": \"2026-11-23T12:00:00Z\","
      " \"device\": {\"model\": \"iPhone14,2\", \"name\": \"<script>alert('x')</script>\","
      "             \"note\": \"a & b \\u001b[31m\"},"
      " \"battery\": {\"health_percent\": 72.4, \"cycle_count\": 903, \"verdict\": \"service\","
      "              \"reasons\": [\"capacity\", \"cycles\"], \"flags\": []},"
      " \"probes\": {\"battery\": {\"status\": \"ok\", \"scope\": \"battery\"},"
      "   \"syslog\": {\"status\": \"failed\", \"scope\": \"syslog\", \"code\": \"timeout\","
      "              \"detail\": \"<no answer>\"}},"
      " \"crashes\": {\"total\": 12, \"panics\": {\"count\": 2}, \"jetsam\": 3,"
      "   \"groups\": [{\"process\": \"Mobile<Safari>\", \"exception\": \"EXC_BAD_ACCESS\","
      "                 \"count\": 9, \"os\": \"17.1\"}]},"
      " \"scopes\": {\"granted\": [\"battery\", \"crashes\"], \"refused\": [\"syslog\"]},"
      " \"redaction\": {\"classes\": {\"serial\": 4, \"email\": {\"count\": 2}}},"
      " \"members\": [{\"path\": \"crashes/a.ips\", \"scope\": \"crashes\", \"size\": 100}]}",
      NULL);
  assert_well_formed(html);
  assert_non_null(strstr(html, "case C-&lt;1&gt;"));
  assert_non_null(strstr(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
  assert_non_null(strstr(html, "a &amp; b &#xFFFD;[31m"));
  assert_null(strstr(html, "\x1b"));
  /* Gauge: an SVG with a title and the number in words beside it. */
  assert_non_null(strstr(html, "<title id=\"gauge-t\">Battery health 72 percent</title>"));
  assert_non_null(strstr(html, "Health: 72 %"));
  assert_non_null(strstr(html, "service recommended"));
  assert_non_null(strstr(html, "<th scope=\"row\">Mobile&lt;Safari&gt;</th>"));
  assert_non_null(strstr(html, "<td class=\"num\">9</td>"));
  assert_non_null(strstr(html, "<strong>12</strong> crash reports"));
  assert_non_null(strstr(html, "<strong>2</strong> kernel panics"));
  assert_non_null(strstr(html, "<strong>3</strong> jetsam"));
  assert_non_null(strstr(html, "<th scope=\"row\">serial</th><td class=\"num\">4</td>"));
  assert_non_null(strstr(html, "<th scope=\"row\">email</th><td class=\"num\">2</td>"));
  assert_non_null(strstr(html, "Scopes refused (never read):</strong> syslog"));
  assert_non_null(strstr(html, "<th scope=\"row\">crashes/a.ips</th><td>crashes</td>"));
  /* Fields read as words; lists joined; the probes' outcome is explained. */
  assert_non_null(strstr(html, "<th scope=\"row\">Cycle count</th><td>903</td>"));
  assert_non_null(strstr(html, "<th scope=\"row\">Reasons</th><td>capacity, cycles</td>"));
  assert_non_null(strstr(html, "<th scope=\"row\">Flags</th><td>none</td>"));
  assert_non_null(strstr(html, "<th scope=\"row\">battery</th><td>battery</td><td>collected</td>"));
  assert_non_null(strstr(html, "<td>failed</td><td>timeout: &lt;no answer&gt;</td>"));
  assert_non_null(strstr(html, "<th scope=\"col\">OS</th>"));
  free(html);
}

static void test_missing_and_mistyped(void **state)
{
  (void)state;
  char *html = render(NULL, NULL);
  assert_well_formed(html);
  assert_non_null(strstr(html, "Device information was not collected."));
  assert_non_null(strstr(html, "Battery health was not collected."));
  assert_non_null(strstr(html, "Crash reports were not collected."));
  free(html);
  html = render("{\"device\": 5, \"battery\": {\"health_percent\": \"n/a\"}, \"crashes\": [],"
                " \"scopes\": 3, \"redaction\": [1], \"members\": {}}",
                "[{\"path\": \"device/info.json\", \"scope\": \"device\", \"size\": 3}]");
  assert_well_formed(html);
  assert_null(strstr(html, "<svg")); /* no number, no gauge */
  /* findings' "members" is not an array, so the caller's list is used. */
  assert_non_null(strstr(html, "device/info.json"));
  free(html);
}

/* The crash probe's summary shape: figures nested under "triage". */
static void test_crash_summary_shape(void **state)
{
  (void)state;
  char *html = render("{\"crashes\": {\"count\": 3, \"bytes\": 900, \"triage\": {"
                      "\"groups\": [{\"process\": \"Maps\", \"exception_type\": \"EXC_CRASH\","
                      " \"count\": 2, \"last_seen\": \"2026-11-20 10:00:00\"}],"
                      " \"panics\": {\"count\": 1}, \"jetsam\": {\"count\": 0}, \"total\": 3}}}",
                      NULL);
  assert_well_formed(html);
  assert_non_null(strstr(html, "<strong>3</strong> crash reports"));
  assert_non_null(strstr(html, "<strong>1</strong> kernel panics"));
  assert_non_null(strstr(html, "<th scope=\"row\">Maps</th><td>EXC_CRASH</td>"
                               "<td class=\"num\">2</td><td>2026-11-20 10:00:00</td>"));
  free(html);
}

static void test_rows_are_capped(void **state)
{
  (void)state;
  json_t *groups = json_array();
  for (int i = 0; i < 3000; i++)
    json_array_append_new(groups, json_pack("{s:s, s:i}", "process", "p", "count", i));
  json_t *f = json_pack("{s:{s:o}}", "crashes", "groups", groups);
  page p = {NULL, 0};
  cp_error err;
  assert_int_equal(cp_report_html_write(f, NULL, collect, &p, &err), CP_OK);
  assert_int_equal(count(p.buf, "<tr><th scope=\"row\">p</th>"), CP_REPORT_MAX_ROWS);
  assert_non_null(strstr(p.buf, "2500 more groups"));
  /* Columns no group fills are left out rather than shown as dashes. */
  assert_null(strstr(p.buf, "<th scope=\"col\">OS</th>"));
  assert_null(strstr(p.buf, "<th scope=\"col\">Exception</th>"));
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
      cmocka_unit_test(test_full_page),           cmocka_unit_test(test_missing_and_mistyped),
      cmocka_unit_test(test_crash_summary_shape), cmocka_unit_test(test_rows_are_capped),
      cmocka_unit_test(test_manifest_parse),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
