/* Unit tests of the bundle writer, reader and verify logic: a round trip with
 * a large streamed member (memory must stay flat), then bundles damaged with
 * libarchive (a flipped byte, a missing member, an extra one, truncation),
 * signatures (good, bad, wrong key, missing), a full disk, and the reader's
 * refusal of unsafe archives. */
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
#include "consent_record.h"
#include "manifest.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define T0 1795000000 /* a fixed creation time: 2026-11-18T11:06:40Z */

static char tmpdir[256];

static int setup(void **state)
{
  (void)state;
  snprintf(tmpdir, sizeof tmpdir, "/tmp/cp-bundle-test.XXXXXX");
  return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
  (void)state;
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  return system(cmd) == 0 ? 0 : -1;
}

/* Names in a folder (excluding . and ..), for "nothing left behind" checks. */
static int count_entries(const char *dir)
{
  DIR *d = opendir(dir);
  if (!d)
    return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
      n++;
  closedir(d);
  return n;
}

static void add_text(cp_sink *s, const char *path, const char *scope, const char *text)
{
  cp_error err;
  assert_int_equal(cp_sink_add_file(s, path, scope, text, strlen(text), &err), CP_OK);
}

/* A small bundle with a few members; returns the malloc'd final path. */
static char *make_bundle(const char *dir, const char *case_id, const char *key)
{
  cp_bundle_writer *w;
  cp_error err;
  cp_bundle_opts o = {.created = T0};
  assert_int_equal(cp_bundle_writer_new(dir, case_id, &o, &w, &err), CP_OK);
  cp_sink *s = cp_bundle_sink(w);
  add_text(s, "device/info.json", "device", "{\"ProductType\": \"iPhone14,2\"}\n");
  add_text(s, "crashes/a.ips", "crashes", "{\"bug_type\":\"309\"}\nbody of the report\n");
  add_text(s, "crashes/index.json", "crashes",
           "[{\"process\":\"MobileSafari\",\"exception\":\"EXC_BAD_ACCESS\"},"
           "{\"process\":\"MobileSafari\",\"exception\":\"EXC_BAD_ACCESS\"}]");
  const char *granted[] = {"device", "crashes", NULL}, *refused[] = {"syslog", NULL};
  json_t *consent = cp_consent_record_new(case_id, granted, refused, "flag", T0, "We collect...");
  json_t *red = json_pack("{s:{s:i, s:i}}", "classes", "serial", 2, "email", 1);
  json_t *dev = json_pack("{s:s, s:s}", "model", "iPhone14,2", "ios", "17.1");
  char *final = NULL;
  assert_int_equal(cp_bundle_finish(w, consent, red, dev, NULL, key, &final, &err), CP_OK);
  json_decref(consent);
  json_decref(red);
  json_decref(dev);
  return final;
}

static long max_rss_kib(void)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static void test_file_name(void **state)
{
  (void)state;
  char n[160];
  cp_bundle_file_name("CASE 42/../x", T0, n, sizeof n);
  assert_string_equal(n, "CASE_42_.._x-20261118T110640Z.caseprobe.tar.gz");
  cp_bundle_file_name(".hidden", T0, n, sizeof n);
  assert_int_equal(n[0], '_');
  assert_true(cp_bundle_name_reserved("manifest.json"));
  assert_false(cp_bundle_name_reserved("device/info.json"));
}

/* Round trip with a 50 MB member streamed from a generator: the bundle
 * verifies, the big member's hash is right, and peak memory does not grow
 * with the member. */
static void test_roundtrip_large_member(void **state)
{
  (void)state;
  cp_bundle_writer *w;
  cp_error err;
  cp_bundle_opts o = {.created = T0};
  assert_int_equal(cp_bundle_writer_new(tmpdir, "CASE-1", &o, &w, &err), CP_OK);
  cp_sink *s = cp_bundle_sink(w);
  add_text(s, "device/info.json", "device", "{}\n");

  /* Not kept: must leave no trace. */
  assert_int_equal(cp_sink_begin(s, "syslog/partial.log", "syslog", &err), CP_OK);
  assert_int_equal(cp_sink_write(s, "half", 4, &err), CP_OK);
  assert_int_equal(cp_sink_end(s, 0, &err), CP_OK);

  /* Refusals: unsafe, reserved, duplicate. */
  assert_int_equal(cp_sink_begin(s, "../evil", "x", &err), CP_E_UNSAFE_PATH);
  assert_int_not_equal(cp_sink_begin(s, "manifest.json", "x", &err), CP_OK);
  assert_int_not_equal(cp_sink_begin(s, "device/info.json", "device", &err), CP_OK);
  assert_int_equal(cp_sink_begin(s, "crashes/bad\xff\xfe.ips", "crashes", &err), CP_E_UNSAFE_PATH);
  assert_int_equal(cp_sink_begin(s, "crashes/\xc0\xaf.ips", "crashes", &err), CP_E_UNSAFE_PATH);
  /* A refused name does not break the bundle; a UTF-8 one is fine. */
  add_text(s, "crashes/Caf\xc3\xa9-\xe6\x97\xa5\xe6\x9c\xac.ips", "crashes", "{}\n");

  long before = max_rss_kib();
  unsigned char *chunk = malloc(65536);
  assert_non_null(chunk);
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  EVP_DigestInit_ex(md, EVP_sha256(), NULL);
  uint32_t x = 12345;
  const size_t total = 50u * 1024 * 1024;
  assert_int_equal(cp_sink_begin(s, "syslog/big.log", "syslog", &err), CP_OK);
  for (size_t done = 0; done < total; done += 65536) {
    for (size_t i = 0; i < 65536; i++) { /* half compressible, half noise */
      x = x * 1103515245u + 12345u;
      chunk[i] = (i & 1) ? (unsigned char)(x >> 24) : (unsigned char)('a' + i % 26);
    }
    EVP_DigestUpdate(md, chunk, 65536);
    assert_int_equal(cp_sink_write(s, chunk, 65536, &err), CP_OK);
  }
  assert_int_equal(cp_sink_end(s, 1, &err), CP_OK);
  unsigned char d[32];
  unsigned int dl;
  EVP_DigestFinal_ex(md, d, &dl);
  EVP_MD_CTX_free(md);
  free(chunk);
  char want[65];
  cp_hex(d, 32, want);
  long grown = max_rss_kib() - before;
  printf("# peak RSS grew by %ld KiB while writing a 50 MiB member\n", grown);
  assert_true(grown < 16 * 1024);

  /* While unfinished, nothing is at the final path. */
  char name[160], final_expect[600];
  cp_bundle_file_name("CASE-1", T0, name, sizeof name);
  snprintf(final_expect, sizeof final_expect, "%s/%s", tmpdir, name);
  assert_int_not_equal(access(final_expect, F_OK), 0);

  char *final = NULL;
  json_t *dev = json_pack("{s:s}", "model", "<b>iPhone</b>");
  assert_int_equal(cp_bundle_finish(w, NULL, NULL, dev, NULL, NULL, &final, &err), CP_OK);
  json_decref(dev);
  assert_string_equal(final, final_expect);
  assert_int_equal(count_entries(tmpdir), 1); /* no partial, no spool left */

  json_t *rep = NULL;
  before = max_rss_kib();
  assert_int_equal(cp_bundle_check_file(final, NULL, &rep, &err), CP_OK);
  grown = max_rss_kib() - before;
  printf("# peak RSS grew by %ld KiB while verifying it\n", grown);
  assert_true(grown < 16 * 1024);
  assert_true(json_is_true(json_object_get(rep, "ok")));
  assert_string_equal(json_string_value(json_object_get(rep, "case_id")), "CASE-1");
  assert_string_equal(json_string_value(json_object_get(rep, "created")), "2026-11-18T11:06:40Z");
  json_t *members = json_object_get(rep, "members");
  /* info, Café, big, consent, redaction, report; not the dropped one. */
  assert_int_equal(json_array_size(members), 6);
  assert_string_equal(json_string_value(json_object_get(json_array_get(members, 1), "path")),
                      "crashes/Caf\xc3\xa9-\xe6\x97\xa5\xe6\x9c\xac.ips");
  size_t i;
  json_t *m;
  int saw_big = 0, saw_report = 0;
  json_array_foreach(members, i, m)
  {
    const char *p = json_string_value(json_object_get(m, "path"));
    assert_string_equal(json_string_value(json_object_get(m, "status")), "ok");
    assert_string_not_equal(p, "syslog/partial.log");
    if (!strcmp(p, "syslog/big.log")) {
      saw_big = 1;
      assert_int_equal(json_integer_value(json_object_get(m, "size")), (json_int_t)total);
      assert_string_equal(json_string_value(json_object_get(m, "sha256")), want);
      assert_string_equal(json_string_value(json_object_get(m, "scope")), "syslog");
    }
    if (!strcmp(p, "report.html"))
      saw_report = 1;
  }
  assert_true(saw_big && saw_report);
  assert_string_equal(
      json_string_value(json_object_get(json_object_get(rep, "signature"), "state")), "unsigned");
  json_decref(rep);
  free(final);
}

/* Copies a bundle member by member, with one change: flip a byte of
 * `target`, drop it, or append an extra member. Test-only helper, so it holds
 * each (small) member in memory. */
enum edit { FLIP, DROP, EXTRA, REPLACE };

static void rewrite(const char *src, const char *dst, enum edit how, const char *target,
                    const void *repl, size_t repl_len)
{
  struct archive *in = archive_read_new(), *out = archive_write_new();
  archive_read_support_filter_gzip(in);
  archive_read_support_format_tar(in);
  assert_int_equal(archive_read_open_filename(in, src, 65536), ARCHIVE_OK);
  archive_write_add_filter_gzip(out);
  archive_write_set_format_pax_restricted(out);
  assert_int_equal(archive_write_open_filename(out, dst), ARCHIVE_OK);
  struct archive_entry *e;
  int found = 0;
  while (archive_read_next_header(in, &e) == ARCHIVE_OK) {
    size_t n = (size_t)archive_entry_size(e);
    char *buf = malloc(n + 1);
    assert_non_null(buf);
    assert_int_equal(archive_read_data(in, buf, n), (la_ssize_t)n);
    int hit = !strcmp(archive_entry_pathname(e), target);
    found |= hit;
    if (hit && how == DROP) {
      free(buf);
      continue;
    }
    if (hit && how == FLIP)
      buf[n / 2] ^= 0x01;
    const void *data = buf;
    if (hit && how == REPLACE) {
      data = repl;
      n = repl_len;
      archive_entry_set_size(e, (la_int64_t)n);
    }
    assert_int_equal(archive_write_header(out, e), ARCHIVE_OK);
    assert_int_equal(archive_write_data(out, data, n), (la_ssize_t)n);
    free(buf);
  }
  if (how == EXTRA) {
    struct archive_entry *x = archive_entry_new();
    archive_entry_set_pathname(x, target);
    archive_entry_set_size(x, 5);
    archive_entry_set_filetype(x, AE_IFREG);
    archive_entry_set_perm(x, 0644);
    assert_int_equal(archive_write_header(out, x), ARCHIVE_OK);
    assert_int_equal(archive_write_data(out, "hello", 5), 5);
    archive_entry_free(x);
    found = 1;
  }
  assert_true(found);
  archive_read_free(in);
  assert_int_equal(archive_write_close(out), ARCHIVE_OK);
  archive_write_free(out);
}

static void test_tamper_missing_extra(void **state)
{
  (void)state;
  char *good = make_bundle(tmpdir, "CASE-2", NULL);
  char bad[400];
  snprintf(bad, sizeof bad, "%s/bad.tar.gz", tmpdir);
  json_t *rep = NULL;
  cp_error err;

  /* Every member, one at a time: a flipped byte is named. */
  static const char *const victims[] = {"crashes/a.ips",  "device/info.json", "consent.json",
                                        "redaction.json", "report.html",      NULL};
  for (size_t i = 0; victims[i]; i++) {
    unlink(bad);
    rewrite(good, bad, FLIP, victims[i], NULL, 0);
    assert_int_equal(cp_bundle_check_file(bad, NULL, &rep, &err), CP_E_VERIFY);
    assert_non_null(strstr(err.detail, victims[i]));
    assert_string_equal(json_string_value(json_object_get(rep, "first_failure")), victims[i]);
    json_t *ch = json_array_get(json_object_get(rep, "changed"), 0);
    assert_string_equal(json_string_value(json_object_get(ch, "path")), victims[i]);
    assert_false(json_is_true(json_object_get(rep, "ok")));
    json_decref(rep);
  }

  unlink(bad);
  rewrite(good, bad, DROP, "crashes/a.ips", NULL, 0);
  assert_int_equal(cp_bundle_check_file(bad, NULL, &rep, &err), CP_E_VERIFY);
  assert_non_null(strstr(err.detail, "crashes/a.ips"));
  assert_string_equal(json_string_value(json_array_get(json_object_get(rep, "missing"), 0)),
                      "crashes/a.ips");
  json_decref(rep);

  unlink(bad);
  rewrite(good, bad, EXTRA, "crashes/planted.ips", NULL, 0);
  assert_int_equal(cp_bundle_check_file(bad, NULL, &rep, &err), CP_E_VERIFY);
  assert_non_null(strstr(err.detail, "crashes/planted.ips"));
  assert_string_equal(json_string_value(json_array_get(json_object_get(rep, "extra"), 0)),
                      "crashes/planted.ips");
  assert_int_equal(json_array_size(json_object_get(rep, "changed")), 0);
  json_decref(rep);

  /* Without its manifest it is not a bundle at all. */
  unlink(bad);
  rewrite(good, bad, DROP, "manifest.json", NULL, 0);
  assert_int_equal(cp_bundle_check_file(bad, NULL, &rep, &err), CP_E_PARSE);
  assert_null(rep);

  /* Truncated: every cut point fails, none passes as whole. */
  FILE *f = fopen(good, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  rewind(f);
  char *all = malloc((size_t)len);
  assert_int_equal(fread(all, 1, (size_t)len, f), (size_t)len);
  fclose(f);
  for (long cut = 1; cut < len; cut += len / 13 + 1) {
    cp_bundle_reader *r;
    cp_err rc = cp_bundle_open_memory(all, (size_t)cut, &r, &err);
    if (rc == CP_OK) {
      rc = cp_bundle_check(r, NULL, &rep, &err);
      cp_bundle_close(r);
    }
    assert_true(rc == CP_E_VERIFY || rc == CP_E_PARSE);
    assert_null(rep);
  }
  free(all);
  free(good);
}

/* Writes a fresh Ed25519 key pair as PEM files. */
static void make_keys(const char *priv, const char *pub)
{
  EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
  assert_non_null(k);
  FILE *f = fopen(priv, "w");
  assert_true(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1);
  fclose(f);
  f = fopen(pub, "w");
  assert_true(PEM_write_PUBKEY(f, k) == 1);
  fclose(f);
  EVP_PKEY_free(k);
}

static void test_signature(void **state)
{
  (void)state;
  char priv[400], pub[400], priv2[400], pub2[400], bad[400];
  snprintf(priv, sizeof priv, "%s/k1.pem", tmpdir);
  snprintf(pub, sizeof pub, "%s/k1.pub", tmpdir);
  snprintf(priv2, sizeof priv2, "%s/k2.pem", tmpdir);
  snprintf(pub2, sizeof pub2, "%s/k2.pub", tmpdir);
  snprintf(bad, sizeof bad, "%s/bad.tar.gz", tmpdir);
  make_keys(priv, pub);
  make_keys(priv2, pub2);
  char *signed_b = make_bundle(tmpdir, "CASE-S", priv);
  json_t *rep = NULL;
  cp_error err;

  assert_int_equal(cp_bundle_check_file(signed_b, pub, &rep, &err), CP_OK);
  json_t *sig = json_object_get(rep, "signature");
  assert_string_equal(json_string_value(json_object_get(sig, "state")), "good");
  assert_string_equal(json_string_value(json_object_get(sig, "key_sha256")),
                      json_string_value(json_object_get(sig, "checked_with")));
  json_decref(rep);

  /* No --key: present but unchecked, still a pass. */
  assert_int_equal(cp_bundle_check_file(signed_b, NULL, &rep, &err), CP_OK);
  assert_string_equal(
      json_string_value(json_object_get(json_object_get(rep, "signature"), "state")),
      "not_checked");
  json_decref(rep);

  /* Another station's key. */
  assert_int_equal(cp_bundle_check_file(signed_b, pub2, &rep, &err), CP_E_SIGNATURE);
  assert_string_equal(
      json_string_value(json_object_get(json_object_get(rep, "signature"), "state")), "wrong_key");
  json_decref(rep);

  /* A valid-looking signature over other bytes. */
  static const char zero_sig[] =
      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
      "AAAAAAAAAAAAAA==\n";
  rewrite(signed_b, bad, REPLACE, "manifest.sig", zero_sig, strlen(zero_sig));
  assert_int_equal(cp_bundle_check_file(bad, pub, &rep, &err), CP_E_SIGNATURE);
  assert_string_equal(
      json_string_value(json_object_get(json_object_get(rep, "signature"), "state")), "bad");
  json_decref(rep);

  /* A changed member in a signed bundle is still a member failure first. */
  unlink(bad);
  rewrite(signed_b, bad, FLIP, "crashes/a.ips", NULL, 0);
  assert_int_equal(cp_bundle_check_file(bad, pub, &rep, &err), CP_E_VERIFY);
  json_decref(rep);

  /* Signature removed: missing (a declared member), and refused with --key. */
  unlink(bad);
  rewrite(signed_b, bad, DROP, "manifest.sig", NULL, 0);
  assert_int_equal(cp_bundle_check_file(bad, NULL, &rep, &err), CP_E_VERIFY);
  assert_non_null(strstr(err.detail, "manifest.sig"));
  json_decref(rep);

  /* An unsigned bundle checked with --key. */
  char *plain = make_bundle(tmpdir, "CASE-U", NULL);
  assert_int_equal(cp_bundle_check_file(plain, pub, &rep, &err), CP_E_SIGNATURE);
  assert_string_equal(
      json_string_value(json_object_get(json_object_get(rep, "signature"), "state")), "missing");
  json_decref(rep);

  /* A bad key file is a usage-level failure, not a verdict on the bundle. */
  assert_int_equal(cp_bundle_check_file(plain, "/nonexistent.pem", &rep, &err), CP_E_NOT_FOUND);
  assert_null(rep);
  /* private works too */
  assert_int_equal(cp_bundle_check_file(plain, priv, &rep, &err), CP_E_SIGNATURE);
  json_decref(rep);
  free(plain);
  free(signed_b);
}

/* Fills a writer until the disk (or the size cap) runs out. */
static cp_err fill(const char *dir, uint64_t cap)
{
  cp_bundle_writer *w;
  cp_error err;
  cp_bundle_opts o = {.created = T0, .max_bundle_bytes = cap};
  cp_err rc = cp_bundle_writer_new(dir, "CASE-FULL", &o, &w, &err);
  if (rc != CP_OK)
    return rc;
  cp_sink *s = cp_bundle_sink(w);
  unsigned char buf[4096];
  uint32_t x = 7;
  for (int m = 0; m < 64 && rc == CP_OK; m++) {
    char path[64];
    snprintf(path, sizeof path, "syslog/part%d.bin", m);
    rc = cp_sink_begin(s, path, "syslog", &err);
    for (int i = 0; i < 64 && rc == CP_OK; i++) {
      for (size_t j = 0; j < sizeof buf; j++) {
        x = x * 1664525u + 1013904223u;
        buf[j] = (unsigned char)(x >> 24);
      }
      rc = cp_sink_write(s, buf, sizeof buf, &err);
    }
    if (rc == CP_OK)
      rc = cp_sink_end(s, 1, &err);
    else if (s->current) {
      cp_error ignored;
      cp_sink_end(s, 0, &ignored);
    }
  }
  if (rc != CP_OK) {
    cp_bundle_abort(w); /* what the collect pipeline does */
    return rc;
  }
  char *final = NULL;
  rc = cp_bundle_finish(w, NULL, NULL, NULL, NULL, NULL, &final, &err);
  free(final);
  return rc;
}

/* A writer never makes a bundle verify would refuse: once it holds as many
 * members as CP_BUNDLE_MAX_MEMBERS leaves room for (its own come on top),
 * a probe's next member is refused as too large, and what was written
 * verifies. */
static void test_member_cap(void **state)
{
  (void)state;
  cp_bundle_writer *w;
  cp_error err;
  cp_bundle_opts o = {.created = T0};
  assert_int_equal(cp_bundle_writer_new(tmpdir, "CASE-CAP", &o, &w, &err), CP_OK);
  cp_sink *s = cp_bundle_sink(w);
  const size_t room = CP_BUNDLE_MAX_MEMBERS - CP_BUNDLE_OWN_MEMBERS;
  char path[64];
  for (size_t i = 0; i < room; i++) {
    snprintf(path, sizeof path, "crashes/r%05zu.ips", i);
    assert_int_equal(cp_sink_begin(s, path, "crashes", &err), CP_OK);
    assert_int_equal(cp_sink_write(s, "x", 1, &err), CP_OK);
    assert_int_equal(cp_sink_end(s, 1, &err), CP_OK);
  }
  assert_int_equal(cp_sink_begin(s, "crashes/one-more.ips", "crashes", &err), CP_E_TOO_LARGE);
  assert_non_null(strstr(err.detail, "the bundle is full"));
  assert_non_null(strstr(err.detail, "one-more.ips"));
  char *final = NULL;
  assert_int_equal(cp_bundle_finish(w, NULL, NULL, NULL, NULL, NULL, &final, &err), CP_OK);
  json_t *rep = NULL;
  assert_int_equal(cp_bundle_check_file(final, NULL, &rep, &err), CP_OK);
  json_decref(rep);
  remove(final);
  free(final);
}

static void test_disk_full(void **state)
{
  (void)state;
  /* Injected: a 1 MiB cap on the archive. 64 x 256 KiB of noise cannot fit. */
  char sub[400];
  snprintf(sub, sizeof sub, "%s/capped", tmpdir);
  assert_int_equal(mkdir(sub, 0700), 0);
  assert_int_equal(fill(sub, 1024 * 1024), CP_E_DISK_FULL);
  assert_int_equal(count_entries(sub), 0);

  /* A real full file system, when we may mount one (root, no container ban). */
  char mnt[400], cmd[600];
  snprintf(mnt, sizeof mnt, "%s/tiny", tmpdir);
  assert_int_equal(mkdir(mnt, 0700), 0);
  snprintf(cmd, sizeof cmd, "mount -t tmpfs -o size=2m tmpfs '%s' 2>/dev/null", mnt);
  if (geteuid() != 0 || system(cmd) != 0) {
    printf("# tmpfs not available: real disk-full case skipped\n");
    return;
  }
  cp_err rc = fill(mnt, 0);
  int left = count_entries(mnt);
  snprintf(cmd, sizeof cmd, "umount '%s'", mnt);
  assert_int_equal(system(cmd), 0);
  assert_int_equal(rc, CP_E_DISK_FULL);
  assert_int_equal(left, 0);
}

static void test_abort_and_exists(void **state)
{
  (void)state;
  char sub[400];
  snprintf(sub, sizeof sub, "%s/abort", tmpdir);
  assert_int_equal(mkdir(sub, 0700), 0);
  cp_bundle_writer *w;
  cp_error err;
  cp_bundle_opts o = {.created = T0};
  assert_int_equal(cp_bundle_writer_new(sub, "CASE-A", &o, &w, &err), CP_OK);
  add_text(cp_bundle_sink(w), "device/info.json", "device", "{}");
  assert_int_equal(count_entries(sub), 1); /* the partial, hidden */
  cp_bundle_abort(w);
  assert_int_equal(count_entries(sub), 0);

  char *first = make_bundle(sub, "CASE-A", NULL);
  assert_int_equal(cp_bundle_writer_new(sub, "CASE-A", &o, &w, &err), CP_E_EXISTS);
  assert_int_equal(cp_bundle_writer_new("/nonexistent/dir", "C", &o, &w, &err), CP_E_NOT_FOUND);
  assert_int_equal(cp_bundle_writer_new(sub, "", &o, &w, &err), CP_E_USAGE);
  free(first);
}

/* The same members at gzip level 1 and 9: both verify, 9 is not larger. */
static void test_gzip_level(void **state)
{
  (void)state;
  long sizes[2];
  const int levels[2] = {1, 9};
  for (int k = 0; k < 2; k++) {
    char sub[400];
    snprintf(sub, sizeof sub, "%s/level%d", tmpdir, levels[k]);
    assert_int_equal(mkdir(sub, 0700), 0);
    cp_bundle_writer *w;
    cp_error err;
    cp_bundle_opts o = {.created = T0, .gzip_level = levels[k]};
    assert_int_equal(cp_bundle_writer_new(sub, "CASE-L", &o, &w, &err), CP_OK);
    cp_sink *s = cp_bundle_sink(w);
    assert_int_equal(cp_sink_begin(s, "syslog/a.log", "syslog", &err), CP_OK);
    for (int i = 0; i < 20000; i++) {
      char line[96];
      int n = snprintf(line, sizeof line, "Nov 23 12:%02d:%02d kernel[0] <Notice>: event %d ok\n",
                       i / 60 % 60, i % 60, i * 7919 % 10007);
      assert_int_equal(cp_sink_write(s, line, (size_t)n, &err), CP_OK);
    }
    assert_int_equal(cp_sink_end(s, 1, &err), CP_OK);
    char *final = NULL;
    assert_int_equal(cp_bundle_finish(w, NULL, NULL, NULL, NULL, NULL, &final, &err), CP_OK);
    json_t *rep = NULL;
    assert_int_equal(cp_bundle_check_file(final, NULL, &rep, &err), CP_OK);
    json_decref(rep);
    struct stat st;
    assert_int_equal(stat(final, &st), 0);
    sizes[k] = (long)st.st_size;
    free(final);
  }
  assert_true(sizes[1] <= sizes[0]);
}

static void test_consent_record(void **state)
{
  (void)state;
  const char *g[] = {"battery", "crashes", NULL}, *r[] = {"syslog", NULL};
  json_t *c = cp_consent_record_new("C-9", g, r, "prompt", T0, "abc");
  assert_non_null(c);
  assert_string_equal(json_string_value(json_object_get(c, "how")), "prompt");
  assert_string_equal(json_string_value(json_object_get(c, "text_sha256")),
                      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert_string_equal(json_string_value(json_array_get(json_object_get(c, "granted"), 1)),
                      "crashes");
  assert_string_equal(json_string_value(json_object_get(c, "time")), "2026-11-18T11:06:40Z");
  json_decref(c);
  assert_null(cp_consent_record_new("C-9", g, r, "shrug", T0, "abc"));
  assert_null(cp_consent_record_new("", g, r, "flag", T0, "abc"));
  const char *both[] = {"syslog", NULL};
  assert_null(cp_consent_record_new("C-9", both, r, "flag", T0, "abc"));
}

/* Builds an archive from (name, type) pairs and returns the check result. */
static cp_err check_crafted(const char *const *names, const int *types, json_t **rep, cp_error *err)
{
  static char mem[1 << 16];
  size_t used = 0;
  struct archive *a = archive_write_new();
  archive_write_add_filter_gzip(a);
  archive_write_set_format_pax_restricted(a);
  assert_int_equal(archive_write_open_memory(a, mem, sizeof mem, &used), ARCHIVE_OK);
  for (size_t i = 0; names[i]; i++) {
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, names[i]);
    archive_entry_set_filetype(e, (unsigned)types[i]);
    archive_entry_set_perm(e, 0644);
    if (types[i] == AE_IFLNK)
      archive_entry_set_symlink(e, "/etc/passwd");
    archive_entry_set_size(e, types[i] == AE_IFREG ? 2 : 0);
    assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
    if (types[i] == AE_IFREG)
      archive_write_data(a, "{}", 2);
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  cp_bundle_reader *r;
  cp_err rc = cp_bundle_open_memory(mem, used, &r, err);
  if (rc != CP_OK)
    return rc;
  rc = cp_bundle_check(r, NULL, rep, err);
  cp_bundle_close(r);
  return rc;
}

static void test_reader_refuses(void **state)
{
  (void)state;
  json_t *rep = NULL;
  cp_error err;
  const char *n1[] = {"../../etc/cron.d/x", NULL};
  const int t1[] = {AE_IFREG};
  assert_int_equal(check_crafted(n1, t1, &rep, &err), CP_E_UNSAFE_PATH);
  const char *n2[] = {"a.json", "link", NULL};
  const int t2[] = {AE_IFREG, AE_IFLNK};
  assert_int_equal(check_crafted(n2, t2, &rep, &err), CP_E_VERIFY);
  assert_non_null(strstr(err.detail, "link"));
  const char *n3[] = {"a.json", "a.json", NULL};
  const int t3[] = {AE_IFREG, AE_IFREG};
  assert_int_equal(check_crafted(n3, t3, &rep, &err), CP_E_VERIFY);
  assert_non_null(strstr(err.detail, "twice"));
  const char *n4[] = {"dir", NULL};
  const int t4[] = {AE_IFDIR};
  cp_err d = check_crafted(n4, t4, &rep, &err); /* "dir/": unsafe name, or not regular */
  assert_true(d == CP_E_PARSE || d == CP_E_UNSAFE_PATH);
  const char *n5[] = {"a.json", NULL};
  assert_int_equal(check_crafted(n5, t1, &rep, &err), CP_E_PARSE); /* no manifest */
  assert_null(rep);
  /* Not gzip/tar at all. */
  cp_bundle_reader *r = NULL;
  static const char junk[] = "this is not an archive, just text";
  cp_err rc = cp_bundle_open_memory(junk, sizeof junk, &r, &err);
  if (rc == CP_OK)
    rc = cp_bundle_check(r, NULL, &rep, &err);
  cp_bundle_close(r);
  assert_int_equal(rc, CP_E_PARSE);
  assert_int_equal(cp_bundle_open("/nonexistent.tar.gz", &r, &err), CP_E_NOT_FOUND);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_file_name),
      cmocka_unit_test_setup_teardown(test_roundtrip_large_member, setup, teardown),
      cmocka_unit_test_setup_teardown(test_tamper_missing_extra, setup, teardown),
      cmocka_unit_test_setup_teardown(test_signature, setup, teardown),
      cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
      cmocka_unit_test_setup_teardown(test_abort_and_exists, setup, teardown),
      cmocka_unit_test_setup_teardown(test_gzip_level, setup, teardown),
      cmocka_unit_test_setup_teardown(test_member_cap, setup, teardown),
      cmocka_unit_test(test_consent_record),
      cmocka_unit_test(test_reader_refuses),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
