/* Unit tests of formats/crash/crash_index.c and the incremental triage: the
 * streamed crashes/index.json parses, holds every row in order, and carries
 * the same triage as the whole-array cp_crash_triage(); the triage stays
 * bounded when every report is its own failure; and the bundle check keeps
 * the index's counts and triage but not its rows (the part that grows). */
/* cmocka.h needs setjmp.h, stdarg.h and stddef.h first. */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
// clang-format on

#include "bundle.h"
#include "bundle_check.h"
#include "crash_index.h"
#include "crash_report.h"

/* A sink that keeps one member's bytes in memory. */
typedef struct mem {
  cp_sink sink;
  char *buf;
  size_t len;
  char path[64];
} mem;

static cp_err m_begin(cp_sink *s, const char *path, const char *scope, cp_error *err)
{
  (void)scope;
  (void)err;
  mem *m = s->impl;
  snprintf(m->path, sizeof m->path, "%s", path);
  m->len = 0;
  return CP_OK;
}

static cp_err m_write(cp_sink *s, const void *b, size_t n, cp_error *err)
{
  (void)err;
  mem *m = s->impl;
  m->buf = realloc(m->buf, m->len + n + 1);
  assert_non_null(m->buf);
  memcpy(m->buf + m->len, b, n);
  m->len += n;
  m->buf[m->len] = '\0';
  return CP_OK;
}

static cp_err m_end(cp_sink *s, int keep, cp_error *err)
{
  (void)s;
  (void)keep;
  (void)err;
  return CP_OK;
}

static const cp_sink_ops mem_ops = {m_begin, m_write, m_end};

static json_t *row(int i)
{
  char file[64], sig[32];
  snprintf(file, sizeof file, "App-%04d.ips", i);
  snprintf(sig, sizeof sig, "sig%d", i % 3);
  return json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "file", file, "path", file, "kind", "crash",
                   "signature", sig, "time", (json_int_t)(1000 + i), "process",
                   i % 3 ? "Maps" : "Mail\xc3\xa9");
}

static void test_stream_matches_array(void **state)
{
  (void)state;
  cp_crash_index *x = NULL;
  cp_error e;
  assert_int_equal(cp_crash_index_new(&x, &e), CP_OK);
  json_t *all = json_array();
  for (int i = 0; i < 250; i++) {
    json_t *r = row(i);
    assert_int_equal(cp_crash_index_add(x, r, &e), CP_OK);
    json_array_append_new(all, r);
  }
  assert_int_equal(cp_crash_index_count(x), 250);
  mem m = {{&mem_ops, NULL, NULL, NULL, 0, 0, NULL, NULL}, NULL, 0, ""};
  m.sink.impl = &m;
  json_t *head = json_pack("{s:I, s:I, s:[], s:[], s:b}", "count", (json_int_t)250, "bytes",
                           (json_int_t)12345, "skipped", "failed", "moved", 1);
  json_t *triage = cp_crash_index_triage(x);
  assert_non_null(triage);
  assert_int_equal(
      cp_crash_index_write(x, &m.sink, "crashes/index.json", "crashes", head, triage, &e), CP_OK);
  assert_string_equal(m.path, "crashes/index.json");
  json_error_t je;
  json_t *doc = json_loadb(m.buf, m.len, 0, &je);
  assert_non_null(doc);
  assert_true(json_equal(json_object_get(doc, "reports"), all)); /* every row, in order */
  json_t *whole = cp_crash_triage(all);
  assert_true(json_equal(json_object_get(doc, "triage"), whole));
  assert_int_equal(json_integer_value(json_object_get(doc, "bytes")), 12345);
  assert_true(json_is_true(json_object_get(doc, "moved")));
  /* sorted keys like every other JSON member */
  const char *order[] = {"\"bytes\"",   "\"count\"",   "\"failed\"", "\"moved\"",
                         "\"reports\"", "\"skipped\"", "\"triage\""};
  for (size_t i = 1; i < sizeof order / sizeof order[0]; i++)
    assert_true(strstr(m.buf, order[i - 1]) < strstr(m.buf, order[i]));
  json_decref(doc);
  json_decref(whole);
  json_decref(triage);
  json_decref(head);
  json_decref(all);
  free(m.buf);
  cp_crash_index_free(x);
}

static void test_empty_index(void **state)
{
  (void)state;
  cp_crash_index *x = NULL;
  cp_error e;
  assert_int_equal(cp_crash_index_new(&x, &e), CP_OK);
  mem m = {{&mem_ops, NULL, NULL, NULL, 0, 0, NULL, NULL}, NULL, 0, ""};
  m.sink.impl = &m;
  json_t *head = json_pack("{s:I}", "count", (json_int_t)0);
  json_t *triage = cp_crash_index_triage(x);
  assert_int_equal(cp_crash_index_write(x, &m.sink, "i.json", "crashes", head, triage, &e), CP_OK);
  json_t *doc = json_loadb(m.buf, m.len, 0, NULL);
  assert_non_null(doc);
  assert_int_equal(json_array_size(json_object_get(doc, "reports")), 0);
  json_decref(doc);
  json_decref(head);
  json_decref(triage);
  free(m.buf);
  cp_crash_index_free(x);
}

/* 5,000 reports, each its own failure: the triage stays bounded. */
static void test_triage_bounded(void **state)
{
  (void)state;
  cp_triage *t = cp_triage_new();
  assert_non_null(t);
  for (int i = 0; i < 5000; i++) {
    char sig[32], file[32];
    snprintf(sig, sizeof sig, "unique%d", i);
    snprintf(file, sizeof file, "R%d.ips", i);
    json_t *r = json_pack("{s:s, s:s, s:s}", "kind", "crash", "signature", sig, "file", file);
    cp_triage_add(t, r);
    json_decref(r);
  }
  json_t *res = cp_triage_result(t);
  json_t *groups = json_object_get(res, "groups");
  assert_int_equal(json_integer_value(json_object_get(res, "total")), 5000);
  assert_true(json_array_size(groups) <= 501); /* 500 + "(other)" */
  json_int_t counted = 0, files = 0;
  size_t i;
  json_t *g;
  json_array_foreach(groups, i, g)
  {
    counted += json_integer_value(json_object_get(g, "count"));
    files += (json_int_t)json_array_size(json_object_get(g, "files"));
  }
  assert_int_equal(counted, 5000); /* nothing lost: the rest is under "(other)" */
  assert_true(files <= 4000);
  json_decref(res);
  cp_triage_free(t);
}

/* The check keeps the index's counts and triage, never its rows. */
static void test_check_skims_rows(void **state)
{
  (void)state;
  char dir[] = "/tmp/cp-cidx-XXXXXX";
  assert_non_null(mkdtemp(dir));
  cp_bundle_writer *w = NULL;
  cp_error e;
  assert_int_equal(cp_bundle_writer_new(dir, "CIDX", NULL, &w, &e), CP_OK);
  cp_crash_index *x = NULL;
  assert_int_equal(cp_crash_index_new(&x, &e), CP_OK);
  for (int i = 0; i < 40; i++) {
    json_t *r = row(i);
    /* a row whose strings look like the keys the skimmer watches */
    json_object_set_new(r, "note", json_string("\"reports\": [1, {\"x\": \"]\"}]"));
    assert_int_equal(cp_crash_index_add(x, r, &e), CP_OK);
    json_decref(r);
  }
  json_t *head = json_pack("{s:I, s:s}", "count", (json_int_t)40, "a_reports", "reports");
  json_t *triage = cp_crash_index_triage(x);
  assert_int_equal(
      cp_crash_index_write(x, cp_bundle_sink(w), "crashes/index.json", "crashes", head, triage, &e),
      CP_OK);
  char *path = NULL;
  assert_int_equal(cp_bundle_finish(w, NULL, NULL, NULL, NULL, NULL, &path, &e), CP_OK);
  json_t *rep = NULL;
  assert_int_equal(cp_bundle_check_file(path, NULL, &rep, &e), CP_OK);
  json_t *ci = json_object_get(rep, "crash_index");
  assert_true(json_is_object(ci));
  assert_true(json_is_null(json_object_get(ci, "reports")));
  assert_int_equal(json_integer_value(json_object_get(ci, "count")), 40);
  assert_string_equal(json_string_value(json_object_get(ci, "a_reports")), "reports");
  assert_true(json_equal(json_object_get(ci, "triage"), triage));
  json_decref(rep);
  json_decref(head);
  json_decref(triage);
  cp_crash_index_free(x);
  unlink(path);
  free(path);
  rmdir(dir);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_stream_matches_array),
      cmocka_unit_test(test_empty_index),
      cmocka_unit_test(test_triage_bounded),
      cmocka_unit_test(test_check_skims_rows),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
