/* Unit tests of the compact member table (member_rows.h) and of the two
 * manifest paths built on it for flat memory at 10,000 members (issue 12):
 * the writer's manifest spliced from compact rows must be byte for byte what
 * jansson dumps for the same rows as objects (old bundles and their
 * signatures stay valid), and the streaming manifest parser must accept
 * exactly what the whole-document parse accepted and refuse every truncated
 * or malformed text with a clear error. Then a writer -> checker round trip
 * with 3,000 members, with and without the per-member report rows. */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on

#include "bundle.h"
#include "bundle_check.h"
#include "bundle_read.h"
#include "manifest.h"
#include "member_rows.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T0 1795000000

static void sha_of(size_t i, unsigned char sha[32])
{
  for (size_t k = 0; k < 32; k++)
    sha[k] = (unsigned char)(i * 31 + k * 7);
}

static void test_rows_basic(void **state)
{
  (void)state;
  cp_rows *t = cp_rows_new();
  cp_error err;
  unsigned char sha[32];
  size_t at = 99;
  sha_of(1, sha);
  assert_int_equal(cp_rows_find(t, "a"), CP_ROWS_NONE); /* empty table */
  assert_int_equal(cp_rows_add(t, "a", 10, sha, "crashes", &at, &err), CP_OK);
  assert_int_equal(at, 0);
  assert_int_equal(cp_rows_add(t, "b/c.ips", 0, NULL, "bundle", &at, &err), CP_OK);
  assert_int_equal(at, 1);
  /* a path twice is refused and adds nothing */
  assert_int_equal(cp_rows_add(t, "a", 11, sha, "crashes", NULL, &err), CP_E_INTERNAL);
  assert_non_null(strstr(err.detail, "twice"));
  assert_int_equal(cp_rows_count(t), 2);
  cp_row r;
  cp_rows_get(t, cp_rows_find(t, "a"), &r);
  assert_string_equal(r.path, "a");
  assert_string_equal(r.scope, "crashes");
  assert_int_equal(r.size, 10);
  assert_memory_equal(r.sha256, sha, 32);
  assert_int_equal(r.flags, 0);
  cp_rows_get(t, 1, &r);
  assert_string_equal(r.scope, "bundle");
  static const unsigned char zero[32];
  assert_memory_equal(r.sha256, zero, 32);
  cp_rows_flag(t, 1, 2);
  cp_rows_flag(t, 1, 1);
  cp_rows_get(t, 1, &r);
  assert_int_equal(r.flags, 3);
  assert_int_equal(cp_rows_find(t, "b"), CP_ROWS_NONE); /* a prefix is not the path */
  cp_rows_free(t);
  cp_rows_free(NULL);
}

/* Many rows (several rehashes and pool moves): every one found, intact. */
static void test_rows_many(void **state)
{
  (void)state;
  enum { N = 30000 };
  cp_rows *t = cp_rows_new();
  cp_error err;
  char p[64];
  unsigned char sha[32];
  for (size_t i = 0; i < N; i++) {
    snprintf(p, sizeof p, "crashes/Retired/App-%zu.ips", i);
    sha_of(i, sha);
    assert_int_equal(cp_rows_add(t, p, i * 3, sha, i % 2 ? "crashes" : "syslog", NULL, &err),
                     CP_OK);
  }
  assert_int_equal(cp_rows_count(t), N);
  for (size_t i = 0; i < N; i++) {
    cp_row r;
    snprintf(p, sizeof p, "crashes/Retired/App-%zu.ips", i);
    assert_int_equal(cp_rows_find(t, p), i);
    cp_rows_get(t, i, &r);
    sha_of(i, sha);
    assert_string_equal(r.path, p);
    assert_int_equal(r.size, i * 3);
    assert_memory_equal(r.sha256, sha, 32);
    assert_string_equal(r.scope, i % 2 ? "crashes" : "syslog");
  }
  assert_int_equal(cp_rows_find(t, "crashes/Retired/App-30000.ips"), CP_ROWS_NONE);
  cp_rows_free(t);
}

static void test_rows_scopes(void **state)
{
  (void)state;
  cp_rows *t = cp_rows_new();
  cp_error err;
  char p[32], sc[32];
  for (int i = 0; i < 255; i++) {
    snprintf(p, sizeof p, "m%d", i);
    snprintf(sc, sizeof sc, "s%d", i);
    assert_int_equal(cp_rows_add(t, p, 0, NULL, sc, NULL, &err), CP_OK);
  }
  assert_int_equal(cp_rows_add(t, "m255", 0, NULL, "s255", NULL, &err), CP_E_TOO_LARGE);
  assert_int_equal(cp_rows_add(t, "m256", 0, NULL, "s7", NULL, &err), CP_OK); /* a known scope */
  cp_rows_free(t);
}

/* The writer's name set: 16-byte digests, every name found, none twice. */
static void test_names(void **state)
{
  (void)state;
  cp_names *s = cp_names_new();
  cp_error err;
  char p[64];
  assert_false(cp_names_has(s, "a")); /* empty */
  for (int i = 0; i < 20000; i++) {
    snprintf(p, sizeof p, "crashes/r%d.ips", i);
    assert_int_equal(cp_names_add(s, p, &err), CP_OK);
  }
  for (int i = 0; i < 20000; i++) {
    snprintf(p, sizeof p, "crashes/r%d.ips", i);
    assert_true(cp_names_has(s, p));
  }
  assert_false(cp_names_has(s, "crashes/r20000.ips"));
  assert_false(cp_names_has(s, ""));
  assert_int_equal(cp_names_add(s, "crashes/r7.ips", &err), CP_E_INTERNAL);
  assert_non_null(strstr(err.detail, "twice"));
  cp_names_free(s);
  cp_names_free(NULL);
}

/* cp_manifest_write_splice's sink: appends to a growing buffer. */
typedef struct streamed {
  char *buf;
  size_t len;
  const char *rows; /* the rows' text put_rows hands over, 7 bytes a time */
  size_t rows_len;
} streamed;

static cp_err emit_piece(void *ctx, const void *b, size_t n, cp_error *err)
{
  (void)err;
  streamed *s = ctx;
  s->buf = realloc(s->buf, s->len + n + 1);
  assert_non_null(s->buf);
  memcpy(s->buf + s->len, b, n);
  s->len += n;
  return CP_OK;
}

static cp_err emit_rows(void *ctx, size_t len, cp_error *err)
{
  streamed *s = ctx;
  assert_int_equal(len, s->rows_len);
  for (size_t at = 0; at < len; at += 7) {
    cp_err rc = emit_piece(s, s->rows + at, len - at < 7 ? len - at : 7, err);
    if (rc != CP_OK)
      return rc;
  }
  return CP_OK;
}

/* The manifest as an unsigned bundle writes it: streamed in pieces, rows
 * from their text (cp_manifest_row_text, as the writer's scratch file). */
static char *dump_streamed(const json_t *m, const cp_rows *t, size_t *len)
{
  streamed s = {NULL, 0, NULL, 0};
  char *rows = NULL;
  size_t rows_len = 0;
  for (size_t i = 0; i < cp_rows_count(t); i++) {
    cp_row r;
    size_t rl = 0;
    cp_rows_get(t, i, &r);
    char *one = cp_manifest_row_text(r.path, r.size, r.sha256, r.scope, i == 0, &rl);
    assert_non_null(one);
    rows = realloc(rows, rows_len + rl + 1);
    assert_non_null(rows);
    memcpy(rows + rows_len, one, rl);
    rows_len += rl;
    free(one);
  }
  s.rows = rows;
  s.rows_len = rows_len;
  cp_error err;
  assert_int_equal(cp_manifest_write_splice(m, rows_len, emit_piece, emit_rows, &s, &err), CP_OK);
  free(rows);
  *len = s.len;
  return s.buf;
}

/* The manifest with `n` rows, spliced from compact rows in memory, streamed
 * in pieces, and dumped by jansson from row objects: the same bytes. */
static void dump_both(size_t n, const char *const *paths, const char *key)
{
  json_t *dev = json_pack("{s:s, s:[], s:{s:[]}}", "model", "iPhone \"14\" \\ é", "members",
                          "nested", "members");
  json_t *m = cp_manifest_new("CASE-\u00e9/1", T0, dev, NULL, key);
  json_object_set_new(m, "made_by", json_pack("{s:s}", "version", "0.1.0"));
  json_object_set_new(m, "syslog", json_pack("{s:i, s:b}", "bytes", 5, "truncated", 0));
  cp_rows *t = cp_rows_new();
  json_t *rows = json_array();
  cp_error err;
  for (size_t i = 0; i < n; i++) {
    char p[128], hex[65];
    unsigned char sha[32];
    if (paths && paths[i])
      snprintf(p, sizeof p, "%s", paths[i]);
    else
      snprintf(p, sizeof p, "crashes/r%zu.ips", i);
    sha_of(i, sha);
    cp_hex(sha, 32, hex);
    const char *scope = i % 3 ? "crashes" : "bundle";
    assert_int_equal(cp_rows_add(t, p, (uint64_t)i * 1000003u, sha, scope, NULL, &err), CP_OK);
    json_array_append_new(rows, cp_manifest_member(p, (uint64_t)i * 1000003u, hex, scope));
  }
  size_t la = 0, lb = 0, lc = 0;
  char *a = cp_manifest_dump_rows(m, t, &la);
  char *c = dump_streamed(m, t, &lc);
  json_object_set(m, "members", rows);
  char *b = cp_manifest_dump(m, &lb);
  assert_non_null(a);
  assert_non_null(b);
  assert_non_null(c);
  assert_int_equal(la, lb);
  assert_memory_equal(a, b, la);
  assert_int_equal(strlen(a), la);
  assert_int_equal(lc, lb);
  assert_memory_equal(c, b, lb);
  free(a);
  free(b);
  free(c);
  json_decref(rows);
  json_decref(m);
  json_decref(dev);
  cp_rows_free(t);
}

static void test_dump_rows_identical(void **state)
{
  (void)state;
  static const char *const odd[] = {"crashes/Caf\u00e9-\u2603-\U0001F600.ips", "a\"b\\c/d e",
                                    "tab\there", "x/\x7f", NULL};
  const char *key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  dump_both(0, NULL, NULL);
  dump_both(1, NULL, NULL);
  dump_both(4, odd, NULL);
  dump_both(4, odd, key);
  dump_both(1000, NULL, key);
}

/* A well-formed manifest text with n rows (malloc'd). */
static char *manifest_text(size_t n, size_t *len)
{
  json_t *m = cp_manifest_new("C", T0, NULL, NULL, NULL);
  cp_rows *t = cp_rows_new();
  cp_error err;
  for (size_t i = 0; i < n; i++) {
    char p[64];
    unsigned char sha[32];
    snprintf(p, sizeof p, "crashes/r%zu.ips", i);
    sha_of(i, sha);
    assert_int_equal(cp_rows_add(t, p, i, sha, "crashes", NULL, &err), CP_OK);
  }
  char *text = cp_manifest_dump_rows(m, t, len);
  assert_non_null(text);
  json_decref(m);
  cp_rows_free(t);
  return text;
}

typedef struct seen_rows {
  size_t n;
  int stop_at; /* -1: never */
} seen_rows;

static cp_err count_row(void *ctx, size_t i, json_t *row, cp_error *err)
{
  seen_rows *s = ctx;
  char p[64];
  snprintf(p, sizeof p, "crashes/r%zu.ips", i);
  assert_int_equal(i, s->n);
  assert_string_equal(json_string_value(json_object_get(row, "path")), p);
  assert_int_equal(json_integer_value(json_object_get(row, "size")), (json_int_t)i);
  s->n++;
  if (s->stop_at >= 0 && (size_t)s->stop_at == i)
    return cp_error_set(err, CP_E_NOMEM, "stopped by the callback");
  return CP_OK;
}

static void test_stream_rows(void **state)
{
  (void)state;
  size_t len = 0;
  char *text = manifest_text(500, &len);
  seen_rows s = {0, -1};
  json_t *head = NULL;
  cp_error err;
  assert_int_equal(cp_manifest_stream(text, len, count_row, &s, &head, &err), CP_OK);
  assert_int_equal(s.n, 500);
  assert_null(json_object_get(head, "members"));
  assert_string_equal(json_string_value(json_object_get(head, "case_id")), "C");
  assert_int_equal(json_integer_value(json_object_get(head, "format_version")), 1);
  json_decref(head);
  /* the whole-document parse (a wrapper now) equals jansson's own reading */
  json_t *m = NULL, *idx = NULL, *ref = json_loadb(text, len, 0, NULL);
  assert_int_equal(cp_manifest_parse(text, len, &m, &idx, &err), CP_OK);
  assert_true(json_equal(m, ref));
  assert_int_equal(json_object_size(idx), 500);
  json_decref(m);
  json_decref(idx);
  json_decref(ref);
  /* a callback's error stops the stream with that error */
  s.n = 0;
  s.stop_at = 7;
  assert_int_equal(cp_manifest_stream(text, len, count_row, &s, &head, &err), CP_E_NOMEM);
  assert_int_equal(s.n, 8);
  assert_null(head);
  free(text);
}

/* Every prefix of a manifest is refused with a sentence, never a crash. */
static void test_stream_truncated(void **state)
{
  (void)state;
  size_t len = 0;
  char *text = manifest_text(3, &len);
  for (size_t cut = 0; cut + 1 < len; cut++) { /* all but the final newline matter */
    char *copy = malloc(cut ? cut : 1);
    memcpy(copy, text, cut);
    json_t *head = NULL;
    cp_error err;
    cp_err rc = cp_manifest_stream(copy, cut, NULL, NULL, &head, &err);
    if (rc != CP_E_PARSE)
      fail_msg("a manifest cut at byte %zu of %zu gave %d", cut, len, rc);
    assert_null(head);
    assert_true(!strncmp(err.detail, "manifest", 8));
    free(copy);
  }
  free(text);
}

#define SHA "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\""
#define HEAD "{\"format\": \"caseprobe-bundle\", \"format_version\": 1, \"case_id\": \"C\", "
#define ROW(p) "{\"path\": \"" p "\", \"size\": 1, \"sha256\": " SHA ", \"scope\": \"x\"}"

static cp_err stream(const char *text, size_t len)
{
  json_t *head = NULL;
  cp_error err;
  cp_err rc = cp_manifest_stream(text, len, NULL, NULL, &head, &err);
  if (rc != CP_OK)
    assert_true(!strncmp(err.detail, "manifest", 8) || strstr(err.detail, "newer"));
  json_decref(head);
  return rc;
}

static void test_stream_malformed(void **state)
{
  (void)state;
  static const char *const bad[] = {
      "",
      "   ",
      "[]",
      "\"manifest\"",
      "{",
      HEAD "\"created\": \"t\", \"members\": [" ROW("a") " " ROW("b") "]}", /* no comma */
      HEAD "\"created\": \"t\", \"members\": [" ROW("a") ",]}",             /* trailing comma */
      HEAD "\"created\": \"t\", \"members\": [" ROW("a") "]}x",             /* after the end */
      HEAD "\"created\": \"t\", \"members\": [" ROW("a") "]} {}",
      HEAD "\"created\": \"t\", \"members\": [], \"members\": []}", /* key twice */
      HEAD "\"created\": \"t\", \"created\": \"u\", \"members\": []}",
      HEAD "\"created\": \"t\", \"members\": {}}",  /* not an array */
      HEAD "\"created\": \"t\", \"members\": [1]}", /* row not an object */
      HEAD "\"created\": \"t\", \"members\": [{\"path\": \"a\", \"path\": \"b\", \"size\": 1, "
           "\"sha256\": " SHA ", \"scope\": \"x\"}]}", /* a key twice inside a row */
      HEAD "\"created\": \"t\", \"members\": [" ROW("../a") "]}",
      HEAD "\"created\": \"t\", \"members\": [" ROW("manifest.json") "]}",
      HEAD "\"created\": \"t\"}",                 /* no members */
      HEAD "\"members\": []}",                    /* no created */
      HEAD "\"created\": \"t\" \"members\": []}", /* no comma */
      HEAD "\"created\": \"t\", members: []}",    /* bare key */
      HEAD "\"created\": \"t\", \"members\": [" ROW("a") "], }",
      "{\"format\": \"zip\", \"format_version\": 1, \"case_id\": \"C\", \"created\": \"t\", "
      "\"members\": []}",
      "{\"format\": \"caseprobe-bundle\", \"format_version\": 2, \"case_id\": \"C\", "
      "\"created\": \"t\", \"members\": []}",
      NULL};
  const char *good =
      HEAD "\"created\": \"t\", \"members\": [ " ROW("a") " ,\n\t" ROW("b") " ] }\r\n";
  assert_int_equal(stream(good, strlen(good)), CP_OK);
  for (size_t i = 0; bad[i]; i++)
    if (stream(bad[i], strlen(bad[i])) != CP_E_PARSE)
      fail_msg("accepted malformed manifest %zu: %s", i, bad[i]);
  /* a NUL byte in the middle of an otherwise good text */
  char *nul = strdup(good);
  nul[strlen(HEAD) + 3] = '\0';
  assert_int_equal(stream(nul, strlen(good)), CP_E_PARSE);
  free(nul);
}

/* A path listed twice: the stream leaves it to its callback, and both
 * callbacks refuse it (cp_manifest_parse's and the checker's, below). */
static void test_listed_twice(void **state)
{
  (void)state;
  const char *two = HEAD "\"created\": \"t\", \"members\": [" ROW("a") ", " ROW("a") "]}";
  json_t *m = NULL, *idx = NULL;
  cp_error err;
  assert_int_equal(cp_manifest_parse(two, strlen(two), &m, &idx, &err), CP_E_PARSE);
  assert_non_null(strstr(err.detail, "'a' twice"));
  assert_null(m);
}

/* A tar.gz in memory with member "a" ("x") and the given manifest.json. */
static size_t crafted(char *out, size_t cap, const char *manifest)
{
  struct archive *a = archive_write_new();
  size_t used = 0;
  archive_write_add_filter_gzip(a);
  archive_write_set_format_pax_restricted(a);
  assert_int_equal(archive_write_open_memory(a, out, cap, &used), ARCHIVE_OK);
  const char *names[] = {"a", CP_BUNDLE_MANIFEST}, *bodies[] = {"x", manifest};
  for (int i = 0; i < 2; i++) {
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, names[i]);
    archive_entry_set_size(e, (la_int64_t)strlen(bodies[i]));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
    assert_int_equal(archive_write_data(a, bodies[i], strlen(bodies[i])),
                     (la_ssize_t)strlen(bodies[i]));
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return used;
}

static cp_err check_crafted(const char *manifest, cp_error *err)
{
  static char buf[16384];
  size_t n = crafted(buf, sizeof buf, manifest);
  cp_bundle_reader *r = NULL;
  json_t *rep = NULL;
  assert_int_equal(cp_bundle_open_memory(buf, n, &r, err), CP_OK);
  cp_err rc = cp_bundle_check(r, NULL, &rep, err);
  cp_bundle_close(r);
  json_decref(rep);
  return rc;
}

#define SHA_X "\"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881\""
#define ROW_X(p) "{\"path\": \"" p "\", \"size\": 1, \"sha256\": " SHA_X ", \"scope\": \"x\"}"

static void test_check_listed_twice(void **state)
{
  (void)state;
  cp_error err;
  const char *ok = HEAD "\"created\": \"t\", \"members\": [" ROW_X("a") "]}";
  assert_int_equal(check_crafted(ok, &err), CP_OK);
  const char *missing = HEAD "\"created\": \"t\", \"members\": [" ROW_X("a") ", " ROW_X("b") "]}";
  assert_int_equal(check_crafted(missing, &err), CP_E_VERIFY);
  assert_non_null(strstr(err.detail, "'b' is missing"));
  const char *twice = HEAD "\"created\": \"t\", \"members\": [" ROW_X("a") ", " ROW_X("a") "]}";
  assert_int_equal(check_crafted(twice, &err), CP_E_PARSE);
  assert_non_null(strstr(err.detail, "'a' twice"));
  const char *absent_twice =
      HEAD "\"created\": \"t\", \"members\": [" ROW_X("b") ", " ROW_X("a") ", " ROW_X("b") "]}";
  assert_int_equal(check_crafted(absent_twice, &err), CP_E_PARSE);
  assert_non_null(strstr(err.detail, "'b' twice"));
  const char *cut = HEAD "\"created\": \"t\", \"members\": [" ROW_X("a");
  assert_int_equal(check_crafted(cut, &err), CP_E_PARSE);
  assert_non_null(strstr(err.detail, "manifest.json is not JSON"));
}

/* Writer -> checker with 3,000 members: verifies with and without the
 * per-member rows; a row of the manifest that is not in the archive would
 * be "missing" (covered by test_bundle's tamper tests). */
static void test_roundtrip_many(void **state)
{
  (void)state;
  char dir[512];
  const char *tmp = getenv("TMPDIR");
  snprintf(dir, sizeof dir, "%s/cp-rows-test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  assert_non_null(mkdtemp(dir));
  cp_bundle_writer *w;
  cp_error err;
  cp_bundle_opts o = {.created = T0};
  assert_int_equal(cp_bundle_writer_new(dir, "C", &o, &w, &err), CP_OK);
  cp_sink *s = cp_bundle_sink(w);
  for (int i = 0; i < 3000; i++) {
    char p[64], body[64];
    snprintf(p, sizeof p, "crashes/r%d.ips", i);
    snprintf(body, sizeof body, "report %d\n", i);
    assert_int_equal(cp_sink_add_file(s, p, "crashes", body, strlen(body), &err), CP_OK);
  }
  /* a name twice is refused, and the bundle goes on without it */
  assert_int_equal(cp_sink_add_file(s, "crashes/r42.ips", "crashes", "x", 1, &err), CP_E_INTERNAL);
  assert_non_null(strstr(err.detail, "twice"));
  char *final = NULL;
  assert_int_equal(cp_bundle_finish(w, NULL, NULL, NULL, NULL, NULL, &final, &err), CP_OK);
  json_t *rep = NULL;
  assert_int_equal(cp_bundle_check_file(final, NULL, &rep, &err), CP_OK);
  assert_int_equal(json_array_size(json_object_get(rep, "members")), 3003);
  json_t *row = json_array_get(json_object_get(rep, "members"), 1234);
  assert_string_equal(json_string_value(json_object_get(row, "path")), "crashes/r1234.ips");
  assert_string_equal(json_string_value(json_object_get(row, "status")), "ok");
  json_decref(rep);
  assert_int_equal(cp_bundle_check_file_ex(final, NULL, CP_CHECK_NO_ROWS, &rep, &err), CP_OK);
  assert_null(json_object_get(rep, "members"));
  assert_true(json_is_object(json_object_get(rep, "consent")));
  json_decref(rep);
  assert_int_equal(
      cp_bundle_check_file_ex(final, NULL, CP_CHECK_NO_ROWS | CP_CHECK_NO_SUMMARY, &rep, &err),
      CP_OK);
  assert_true(json_is_null(json_object_get(rep, "consent")));
  assert_true(json_is_null(json_object_get(rep, "redaction")));
  assert_true(json_is_true(json_object_get(rep, "ok")));
  assert_int_equal(json_array_size(json_object_get(rep, "missing")), 0);
  json_decref(rep);
  /* the finished bundle is all the writer left in the folder */
  assert_int_equal(remove(final), 0);
  free(final);
  assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rows_basic),          cmocka_unit_test(test_rows_many),
      cmocka_unit_test(test_rows_scopes),         cmocka_unit_test(test_names),
      cmocka_unit_test(test_dump_rows_identical), cmocka_unit_test(test_stream_rows),
      cmocka_unit_test(test_stream_truncated),    cmocka_unit_test(test_stream_malformed),
      cmocka_unit_test(test_roundtrip_many),      cmocka_unit_test(test_listed_twice),
      cmocka_unit_test(test_check_listed_twice),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
