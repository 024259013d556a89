/* Unit tests of the case map: the file format (separators, comments, errors
 * with line numbers), lookup by UDID then serial, the BENCH-{date}-{n}
 * template, and the station's re-read of the file when it changes. */
/* cmocka needs these headers before it. */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
// clang-format on

#include "casemap.h"
#include "station_casemap.h"
#include "station_spool.h"

static cp_casemap *map_ok(const char *text)
{
  cp_casemap *m = NULL;
  cp_error e;
  cp_error_clear(&e);
  cp_err rc = cp_casemap_parse(text, strlen(text), "cases.txt", &m, &e);
  if (rc)
    fprintf(stderr, "%s\n", e.detail);
  assert_int_equal(rc, CP_OK);
  return m;
}

static void map_bad(const char *text, const char *want)
{
  cp_casemap *m = NULL;
  cp_error e;
  cp_error_clear(&e);
  assert_int_equal(cp_casemap_parse(text, strlen(text), "cases.txt", &m, &e), CP_E_POLICY);
  if (!strstr(e.detail, want))
    fprintf(stderr, "got '%s', wanted '%s'\n", e.detail, want);
  assert_non_null(strstr(e.detail, want));
  assert_null(m);
}

static void test_parse_and_lookup(void **state)
{
  (void)state;
  cp_casemap *m = map_ok("# serial or UDID, then case\n"
                         "F2LXK0AAHG7F  CASE-1001\n"
                         "00008030-001A2C3E0E38802E = CASE-1002\r\n"
                         "\n"
                         "  c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00,CASE_1003\n"
                         "DNPX123;case.1004;\n");
  assert_int_equal(cp_casemap_count(m), 4);
  assert_string_equal(cp_casemap_lookup(m, "F2LXK0AAHG7F", NULL), "CASE-1001");
  assert_string_equal(cp_casemap_lookup(m, "f2lxk0aahg7f", "unknown"), "CASE-1001");
  assert_string_equal(cp_casemap_lookup(m, NULL, "00008030-001a2c3e0e38802e"), "CASE-1002");
  assert_string_equal(cp_casemap_lookup(m, NULL, "C0FFEE00C0FFEE00C0FFEE00C0FFEE00C0FFEE00"),
                      "CASE_1003");
  assert_string_equal(cp_casemap_lookup(m, "DNPX123", ""), "case.1004");
  /* The UDID wins when both are listed for different cases. */
  assert_string_equal(cp_casemap_lookup(m, "F2LXK0AAHG7F", "00008030-001A2C3E0E38802E"),
                      "CASE-1002");
  assert_null(cp_casemap_lookup(m, "NOPE", "NOPE"));
  assert_null(cp_casemap_lookup(m, NULL, NULL));
  cp_casemap_free(m);
  m = map_ok("");
  assert_int_equal(cp_casemap_count(m), 0);
  cp_casemap_free(m);
}

static void test_parse_errors(void **state)
{
  (void)state;
  map_bad("A 1\nB\n", "cases.txt line 2: expected 'SERIAL-OR-UDID CASE-ID'");
  map_bad("A 1\nB 2 3\n", "line 2: more than two fields");
  map_bad("A 1\n\nA 2\n", "line 3: device 'A' is listed twice");
  map_bad("A 1\na 2\n", "line 2: device 'a' is listed twice");
  map_bad("A ../etc\n", "line 1: case id '../etc' may only use");
  map_bad("A .hidden\n", "line 1: case id '.hidden'");
  map_bad("A/B 1\n", "line 1: 'A/B' is not a serial number or UDID");
  map_bad("A 01234567890123456789012345678901234567890123456789012345678901234\n",
          "line 1: the case id must be 1 to 64");
}

static void test_template(void **state)
{
  (void)state;
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  tm.tm_year = 2026 - 1900;
  tm.tm_mon = 10;
  tm.tm_mday = 3;
  tm.tm_hour = 9;
  tm.tm_min = 5;
  tm.tm_sec = 7;
  char out[CP_CASE_ID_MAX + 1];
  cp_error e;
  cp_error_clear(&e);
  assert_int_equal(cp_case_template_expand("BENCH-{date}-{n}", &tm, 17, out, sizeof out, &e),
                   CP_OK);
  assert_string_equal(out, "BENCH-20261103-17");
  assert_int_equal(cp_case_template_expand("S1_{date}T{time}.{n}", &tm, 1, out, sizeof out, &e),
                   CP_OK);
  assert_string_equal(out, "S1_20261103T090507.1");
  assert_int_equal(cp_case_template_expand("fixed", &tm, 4, out, sizeof out, &e), CP_OK);
  assert_string_equal(out, "fixed");
  assert_int_equal(cp_case_template_check("B-{udid}", &e), CP_E_POLICY);
  assert_non_null(strstr(e.detail, "unknown token '{udid}'"));
  assert_int_equal(cp_case_template_check("B-{date", &e), CP_E_POLICY);
  assert_int_equal(cp_case_template_check(".B", &e), CP_E_POLICY);
  assert_int_equal(cp_case_template_check("B {n}", &e), CP_E_POLICY);
  assert_int_equal(cp_case_template_check("", &e), CP_E_POLICY);
  /* Too small a buffer is an error, not a truncated id. */
  char small[8];
  assert_int_equal(cp_case_template_expand("BENCH-{date}", &tm, 1, small, sizeof small, &e),
                   CP_E_POLICY);
  assert_true(cp_case_id_ok("BENCH-20261103-17"));
  assert_false(cp_case_id_ok("a/b"));
  assert_false(cp_case_id_ok(""));
}

static void write_file(const char *path, const char *text)
{
  /* Written beside and renamed, as a ticket system would. */
  char tmp[1100];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
  assert_int_equal(rename(tmp, path), 0);
}

static void test_reread_on_change(void **state)
{
  (void)state;
  char dir[] = "/tmp/cp-casemap-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[1024];
  snprintf(path, sizeof path, "%s/cases.txt", dir);
  cp_casefile cf;
  cp_error e;
  cp_error_clear(&e);
  int changed = -1;
  assert_int_equal(cp_casefile_init(&cf, path, &e), CP_OK);

  /* Missing at first: reported once, then quiet. */
  assert_int_equal(cp_casefile_refresh(&cf, &changed, &e), CP_E_NOT_FOUND);
  assert_int_equal(cp_casefile_refresh(&cf, &changed, &e), CP_OK);
  assert_int_equal(changed, 0);
  assert_null(cf.map);

  write_file(path, "SER1 CASE-A\n");
  assert_int_equal(cp_casefile_refresh(&cf, &changed, &e), CP_OK);
  assert_int_equal(changed, 1);
  assert_string_equal(cp_casemap_lookup(cf.map, "SER1", NULL), "CASE-A");
  assert_int_equal(cp_casefile_refresh(&cf, &changed, &e), CP_OK);
  assert_int_equal(changed, 0);

  /* Same size, same second: still seen (new inode, new nanoseconds). */
  write_file(path, "SER1 CASE-B\n");
  assert_int_equal(cp_casefile_refresh(&cf, &changed, &e), CP_OK);
  assert_int_equal(changed, 1);
  assert_string_equal(cp_casemap_lookup(cf.map, "SER1", NULL), "CASE-B");

  /* A broken file keeps the previous map and is reported once. */
  write_file(path, "SER1 CASE-C\nSER2\n");
  assert_int_equal(cp_casefile_refresh(&cf, &changed, &e), CP_E_POLICY);
  assert_non_null(strstr(e.detail, "line 2"));
  assert_string_equal(cp_casemap_lookup(cf.map, "SER1", NULL), "CASE-B");
  assert_int_equal(cp_casefile_refresh(&cf, &changed, &e), CP_OK);
  assert_int_equal(changed, 0);

  write_file(path, "SER1 CASE-D\nSER2 CASE-E\n");
  assert_int_equal(cp_casefile_refresh(&cf, &changed, &e), CP_OK);
  assert_int_equal(changed, 1);
  assert_string_equal(cp_casemap_lookup(cf.map, NULL, "ser2"), "CASE-E");

  /* Removed: the map is dropped, so the template names new devices. */
  assert_int_equal(unlink(path), 0);
  assert_int_equal(cp_casefile_refresh(&cf, &changed, &e), CP_E_NOT_FOUND);
  assert_int_equal(changed, 1);
  assert_null(cp_casemap_lookup(cf.map, "SER1", NULL));
  cp_casefile_free(&cf);
  rmdir(dir);

  /* No path: nothing to read, never an error. */
  assert_int_equal(cp_casefile_init(&cf, NULL, &e), CP_OK);
  assert_int_equal(cp_casefile_refresh(&cf, &changed, &e), CP_OK);
  cp_casefile_free(&cf);
}

/* The {n} of the template comes from the spool's counter: 1, 2, ... per UTC
 * day, kept across restarts (a reopened spool continues), reset on a new day. */
static void test_counter_survives_restart(void **state)
{
  (void)state;
  char dir[] = "/tmp/cp-counter-XXXXXX";
  assert_non_null(mkdtemp(dir));
  cp_spool sp;
  cp_error e;
  cp_error_clear(&e);
  struct tm day1, day2;
  memset(&day1, 0, sizeof day1);
  day1.tm_year = 126;
  day1.tm_mon = 10;
  day1.tm_mday = 23;
  day2 = day1;
  day2.tm_mday = 24;
  unsigned long n = 0;
  assert_int_equal(cp_spool_open(&sp, dir, &e), CP_OK);
  assert_int_equal(cp_spool_next_number(&sp, &day1, &n, &e), CP_OK);
  assert_int_equal(n, 1);
  assert_int_equal(cp_spool_next_number(&sp, &day1, &n, &e), CP_OK);
  assert_int_equal(n, 2);
  /* A second station (another process: POSIX locks are per process) on the
   * same spool is refused while the first runs. */
  pid_t child = fork();
  assert_true(child >= 0);
  if (child == 0) {
    cp_spool other;
    cp_error ce;
    cp_err crc = cp_spool_open(&other, dir, &ce);
    _exit(crc == CP_E_IO && strstr(ce.detail, "already used by another station") ? 0 : 1);
  }
  int status = 0;
  assert_int_equal(waitpid(child, &status, 0), child);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  cp_spool_close(&sp);
  assert_int_equal(cp_spool_open(&sp, dir, &e), CP_OK);
  assert_int_equal(cp_spool_next_number(&sp, &day1, &n, &e), CP_OK);
  assert_int_equal(n, 3);
  assert_int_equal(cp_spool_next_number(&sp, &day2, &n, &e), CP_OK);
  assert_int_equal(n, 1);
  char id[CP_CASE_ID_MAX + 1];
  assert_int_equal(cp_case_template_expand("BENCH-{date}-{n}", &day2, n, id, sizeof id, &e), CP_OK);
  assert_string_equal(id, "BENCH-20261124-1");

  /* Leftovers of a killed run are hidden partial names; clean removes only those. */
  char p[1200];
  const char *names[] = {
      "ready/.X.caseprobe.tar.gz.partial-AbC123",  "state/.case-counter.tmp-q1w2e3",
      "sent/.Y.receipt.json.tmp-zzzzzz",           "ready/Gone.caseprobe.tar.gz.upload-state",
      "ready/Z.caseprobe.tar.gz.receipt.json.tmp", "ready/Z.caseprobe.tar.gz",
      "ready/Z.caseprobe.tar.gz.upload-state",     "ready/Z.caseprobe.tar.gz.receipt.json"};
  for (size_t i = 0; i < 8; i++) {
    snprintf(p, sizeof p, "%s/%s", dir, names[i]);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fclose(f);
  }
  int removed = 0;
  assert_int_equal(cp_spool_clean(&sp, NULL, NULL, &removed, &e), CP_OK);
  assert_int_equal(removed, 5);
  char **list = NULL;
  size_t cnt = 0;
  assert_int_equal(cp_spool_list_ready(&sp, &list, &cnt, &e), CP_OK);
  assert_int_equal(cnt, 1);
  assert_string_equal(list[0], "Z.caseprobe.tar.gz");
  cp_spool_names_free(list, cnt);
  /* The resume state of a bundle still waiting survived the clean. */
  snprintf(p, sizeof p, "%s/ready/Z.caseprobe.tar.gz.upload-state", dir);
  assert_int_equal(access(p, F_OK), 0);
  assert_int_equal(cp_spool_mark_sent(&sp, "Z.caseprobe.tar.gz", &e), CP_OK);
  assert_int_equal(access(p, F_OK), -1);
  snprintf(p, sizeof p, "%s/sent/Z.caseprobe.tar.gz.receipt.json", dir);
  assert_int_equal(access(p, F_OK), 0);
  snprintf(p, sizeof p, "%s/sent/Z.caseprobe.tar.gz", dir);
  assert_int_equal(access(p, F_OK), 0);
  snprintf(p, sizeof p, "%s/ready/Z.caseprobe.tar.gz", dir);
  assert_int_equal(access(p, F_OK), -1);
  cp_spool_close(&sp);
  char cmd[200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_and_lookup),
      cmocka_unit_test(test_parse_errors),
      cmocka_unit_test(test_template),
      cmocka_unit_test(test_reread_on_change),
      cmocka_unit_test(test_counter_survives_restart),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
