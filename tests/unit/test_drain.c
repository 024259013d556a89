/* Unit tests of formats/crash/drain.c: the order of the drain suspects
 * (written by hand below), the worst figure and its unit per kind, the crash
 * loop threshold and busiest hour, the `since` limit, and the parse of the
 * corpus' real 202 CPU and 298 jetsam reports into suspects. */
/* cmocka.h needs setjmp.h, stdarg.h and stddef.h first. */
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

#include "crash_report.h"
#include "drain.h"

static json_t *res(int bug, const char *proc, long long t, const char *observed,
                   const char *duration)
{
  return json_pack("{s:i, s:s, s:s, s:I, s:{s:s, s:s?}}", "bug_type", bug, "kind", "resource",
                   "process", proc, "time", (json_int_t)t, "resource", "observed", observed,
                   "duration", duration);
}

static json_t *crash(const char *proc, long long t)
{
  return json_pack("{s:i, s:s, s:s, s:I}", "bug_type", 309, "kind", "crash", "process", proc,
                   "time", (json_int_t)t);
}

static json_t *jetsam(const char *largest, int killed, long long t)
{
  return json_pack("{s:i, s:s, s:I, s:{s:s, s:i}}", "bug_type", 298, "kind", "jetsam", "time",
                   (json_int_t)t, "jetsam", "largest_process", largest, "killed_count", killed);
}

static const json_t *nth(const json_t *d, size_t i)
{
  return json_array_get(json_object_get(d, "suspects"), i);
}

static const char *s_of(const json_t *o, const char *k)
{
  return json_string_value(json_object_get(o, k));
}

static double worst(const json_t *o)
{
  return json_number_value(json_object_get(json_object_get(o, "worst"), "value"));
}

static const char *unit(const json_t *o)
{
  return json_string_value(json_object_get(json_object_get(o, "worst"), "unit"));
}

static void test_order(void **state)
{
  (void)state;
  json_t *r = json_array();
  const long long T = 1700000000;
  json_array_append_new(r, res(202, "Maps", T, "60s", NULL));
  json_array_append_new(r, res(202, "Maps", T + 100, "120s", NULL));
  json_array_append_new(r, res(142, "Widget", T + 50, "45000", "150s"));
  json_array_append_new(r, res(142, "Widget", T + 60, "30000", "300s"));
  json_array_append_new(r, res(145, "photoanalysisd", T, "2.5 GB", NULL));
  json_array_append_new(r, jetsam("Safari", 7, T + 10));
  json_array_append_new(r, jetsam("Safari", 3, T + 20));
  json_array_append_new(r, res(202, "apfs_defragd", T - 500, "90s", NULL));
  /* 3 crashes of Game within one hour and one more a day later: a loop of 4 */
  json_array_append_new(r, crash("Game", T));
  json_array_append_new(r, crash("Game", T + 1000));
  json_array_append_new(r, crash("Game", T + 2000));
  json_array_append_new(r, crash("Game", T + 90000));
  json_array_append_new(r, crash("Once", T)); /* two crashes: not a loop */
  json_array_append_new(r, crash("Once", T + 5));
  json_array_append_new(r, json_pack("{s:s}", "kind", "panic")); /* ignored */

  json_t *d = cp_drain_rank(r, 0);
  assert_non_null(d);
  /* by hand: count, then cpu < wakeups < disk < jetsam < loop, then worst */
  static const char *const want[][2] = {{"Game", "crash_loop"},  {"Maps", "cpu"},
                                        {"Widget", "wakeups"},   {"Safari", "jetsam"},
                                        {"apfs_defragd", "cpu"}, {"photoanalysisd", "disk_writes"}};
  assert_int_equal(json_array_size(json_object_get(d, "suspects")), 6);
  for (size_t i = 0; i < 6; i++) {
    assert_string_equal(s_of(nth(d, i), "process"), want[i][0]);
    assert_string_equal(s_of(nth(d, i), "kind"), want[i][1]);
  }
  assert_int_equal(json_integer_value(json_object_get(nth(d, 0), "count")), 4);
  assert_true(worst(nth(d, 0)) == 3.0); /* busiest hour */
  assert_string_equal(unit(nth(d, 0)), "count");
  assert_true(worst(nth(d, 1)) == 120.0);
  assert_string_equal(unit(nth(d, 1)), "s");
  assert_true(worst(nth(d, 2)) == 300.0); /* 45000 / 150 s */
  assert_string_equal(unit(nth(d, 2)), "per_s");
  assert_true(worst(nth(d, 3)) == 7.0);
  assert_true(worst(nth(d, 5)) == 2560.0); /* 2.5 GB in MB */
  assert_string_equal(unit(nth(d, 5)), "MB");
  assert_string_equal(s_of(d, "since"), "2023-11-14T22:05:00Z"); /* T - 500 */
  assert_string_equal(s_of(nth(d, 1), "last"), "2023-11-14T22:15:00Z");
  json_decref(d);

  /* since: the old apfs_defragd report and the early crashes fall away */
  d = cp_drain_rank(r, T + 1);
  assert_non_null(d);
  for (size_t i = 0; i < json_array_size(json_object_get(d, "suspects")); i++)
    assert_string_not_equal(s_of(nth(d, i), "process"), "apfs_defragd");
  json_decref(d);
  json_decref(r);
}

/* One record at a time, each freed right after it is added (as the crash
 * walk does, so 10,000 reports are not all kept): the same ranking as the
 * whole array gives; under ASan a record kept by reference would show. */
static void test_incremental(void **state)
{
  (void)state;
  const long long T = 1700000000;
  json_t *all = json_array();
  cp_drain_acc *a = cp_drain_acc_new(0);
  assert_non_null(a);
  for (int i = 0; i < 400; i++) {
    char proc[32];
    snprintf(proc, sizeof proc, "proc%d", i % 37);
    json_t *rec = i % 3 == 0   ? crash(proc, T + i * 97)
                  : i % 3 == 1 ? res(202, proc, T + i, i % 2 ? "61s" : "130.5s", NULL)
                               : jetsam(proc, i % 11, T + i * 5);
    json_array_append(all, rec);
    assert_int_equal(cp_drain_acc_add(a, rec), 0);
    json_decref(rec); /* the array holds the only other reference */
  }
  json_t *inc = cp_drain_acc_finish(a);
  json_t *whole = cp_drain_rank(all, 0);
  assert_non_null(inc);
  assert_non_null(whole);
  assert_true(json_equal(inc, whole));
  assert_int_equal(json_array_size(json_object_get(inc, "suspects")), CP_DRAIN_MAX_SUSPECTS);
  assert_true(json_integer_value(json_object_get(inc, "more")) > 0);
  json_decref(inc);
  json_decref(whole);
  json_decref(all);
  cp_drain_acc_free(NULL);
  assert_null(cp_drain_acc_finish(NULL));
}

static void test_edges(void **state)
{
  (void)state;
  assert_null(cp_drain_rank(NULL, 0));
  json_t *o = json_object();
  assert_null(cp_drain_rank(o, 0));
  json_decref(o);
  json_t *r = json_array();
  json_t *d = cp_drain_rank(r, 0);
  assert_non_null(d);
  assert_int_equal(json_array_size(json_object_get(d, "suspects")), 0);
  assert_true(json_is_null(json_object_get(d, "since")));
  json_decref(d);
  /* a wakeups report without a duration keeps the raw count */
  json_array_append_new(r, res(142, "w", 0, "45001", NULL));
  /* a figure that is not a number gives no worst */
  json_array_append_new(r, res(202, "c", 0, "lots", NULL));
  d = cp_drain_rank(r, 0);
  assert_string_equal(unit(nth(d, 1)), "count");
  assert_true(worst(nth(d, 1)) == 45001.0);
  assert_true(json_is_null(json_object_get(nth(d, 0), "worst")));
  assert_true(json_is_null(json_object_get(nth(d, 0), "last")));
  json_decref(d);
  json_decref(r);
}

static json_t *parse_file(const char *name)
{
  char path[1024];
  snprintf(path, sizeof path, "%s/ips/%s", CP_CORPUS_DIR, name);
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  static char buf[1 << 20];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  json_t *rec = NULL;
  cp_error err;
  assert_int_equal(cp_crash_parse(buf, n, name, &rec, &err), CP_OK);
  return rec;
}

/* The corpus' real reports, through the real parser. */
static void test_corpus(void **state)
{
  (void)state;
  json_t *r = json_array();
  json_array_append_new(r,
                        parse_file("icdab_iOS14.2b_iPhone12,1_apfs_defragd_cpu_resource_202.ips"));
  json_array_append_new(r, parse_file("icdab_iOS14.2b_iPhone12,1_JetsamEvent_298.ips"));
  json_t *d = cp_drain_rank(r, 0);
  assert_int_equal(json_array_size(json_object_get(d, "suspects")), 2);
  /* both counted once: cpu sorts before jetsam */
  assert_string_equal(s_of(nth(d, 0), "process"), "apfs_defragd");
  assert_true(worst(nth(d, 0)) == 90.0); /* "CPU used: 90s" */
  assert_string_equal(s_of(nth(d, 1), "process"), "AppStore");
  assert_true(worst(nth(d, 1)) == 2.0); /* wifianalyticsd and dasd killed */
  json_decref(d);
  json_decref(r);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_order),
      cmocka_unit_test(test_edges),
      cmocka_unit_test(test_incremental),
      cmocka_unit_test(test_corpus),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
