/* Unit tests of formats/durable.c, the one durable-write module: a file
 * appears whole or not at all. EIO and ENOSPC are injected (through the
 * module's ops hook) into write, fsync, close, rename, link and syncfs, and
 * after each failure the code is right (ENOSPC = disk full), no temp file
 * is left and the target still holds its old bytes. Batches (shared syncs):
 * nothing reaches its name before the flush, a failed flush places nothing
 * it could not make durable. Also through its users: the dir sink (crash
 * pull, one by one and batched) and the station/upload one-shot writes. */
/* cmocka.h needs setjmp.h, stdarg.h and stddef.h first. */
// clang-format off
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
// clang-format on

#include "dir_sink.h"
#include "durable.h"

static char root[256];

/* Which call fails, with which errno, after how many successful calls. */
enum { F_NONE, F_WRITE, F_FSYNC, F_CLOSE, F_RENAME, F_LINK, F_SYNCFS };
static int fail_call, fail_errno, fail_after, calls;

static int should_fail(int which)
{
  if (which != fail_call)
    return 0;
  return calls++ >= fail_after;
}

static ssize_t t_write(int fd, const void *b, size_t n)
{
  if (should_fail(F_WRITE)) {
    errno = fail_errno;
    return -1;
  }
  return write(fd, b, n > 3 ? n / 2 : n); /* short writes: the loop must finish them */
}

static int t_fsync(int fd)
{
  if (should_fail(F_FSYNC)) {
    errno = fail_errno;
    return -1;
  }
  return fsync(fd);
}

static int t_close(int fd)
{
  int rc = close(fd); /* the descriptor is gone either way, as with NFS */
  if (should_fail(F_CLOSE)) {
    errno = fail_errno;
    return -1;
  }
  return rc;
}

static int t_rename(const char *a, const char *b)
{
  if (should_fail(F_RENAME)) {
    errno = fail_errno;
    return -1;
  }
  return rename(a, b);
}

static int t_link(const char *a, const char *b)
{
  if (should_fail(F_LINK)) {
    errno = fail_errno;
    return -1;
  }
  return link(a, b);
}

static int syncfs_calls; /* how many whole-file-system syncs a batch made */

static int t_syncfs(int fd)
{
  syncfs_calls++;
  if (should_fail(F_SYNCFS)) {
    errno = fail_errno;
    return -1;
  }
  return fsync(fd); /* stands in for syncfs: the folder, at least */
}

static const cp_durable_ops test_ops = {t_write, t_fsync, t_close, t_rename, t_link, t_syncfs};
/* the same without syncfs: a batch fsyncs each of its files */
static const cp_durable_ops test_ops_nosyncfs = {t_write, t_fsync, t_close, t_rename, t_link, NULL};

static void inject(int which, int e, int after)
{
  fail_call = which;
  fail_errno = e;
  fail_after = after;
  calls = 0;
}

static int setup(void **state)
{
  (void)state;
  (void)snprintf(root, sizeof root, "%s/cp-durable-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  cp_durable_set_ops(&test_ops);
  inject(F_NONE, 0, 0);
  return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
  (void)state;
  cp_durable_set_ops(NULL);
  char cmd[400];
  (void)snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  return system(cmd) == 0 ? 0 : -1;
}

static size_t count_entries(const char *dir)
{
  size_t n = 0;
  DIR *d = opendir(dir);
  assert_non_null(d);
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
      n++;
  }
  closedir(d);
  return n;
}

static void assert_file(const char *path, const char *want)
{
  char buf[256] = {0};
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  assert_int_equal(n, strlen(want));
  assert_memory_equal(buf, want, n);
}

static void path_of(char *out, size_t size, const char *name)
{
  (void)snprintf(out, size, "%s/%s", root, name);
}

static void test_success_replaces(void **state)
{
  (void)state;
  char t[512];
  path_of(t, sizeof t, "state.json");
  cp_error e;
  assert_int_equal(cp_durable_write_file(t, "first", 5, CP_DURABLE_REPLACE, &e), CP_OK);
  assert_file(t, "first");
  assert_int_equal(cp_durable_write_file(t, "second!", 7, CP_DURABLE_REPLACE, &e), CP_OK);
  assert_file(t, "second!");
  assert_int_equal(count_entries(root), 1); /* no temp file left */
  struct stat st;
  assert_int_equal(stat(t, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600); /* personal data: owner only */
}

static void test_noreplace(void **state)
{
  (void)state;
  char t[512];
  path_of(t, sizeof t, "bundle.tar.gz");
  cp_error e;
  assert_int_equal(cp_durable_write_file(t, "one", 3, CP_DURABLE_NOREPLACE, &e), CP_OK);
  assert_int_equal(cp_durable_write_file(t, "two", 3, CP_DURABLE_NOREPLACE, &e), CP_E_EXISTS);
  assert_file(t, "one");
  assert_int_equal(count_entries(root), 1);
}

/* Each failing call, with each errno: right code, old target intact, no temp. */
static void test_injected_failures(void **state)
{
  (void)state;
  static const struct {
    int call, after, flags;
  } cases[] = {
      {F_WRITE, 0, CP_DURABLE_REPLACE},   {F_WRITE, 2, CP_DURABLE_REPLACE},
      {F_FSYNC, 0, CP_DURABLE_REPLACE},   {F_CLOSE, 0, CP_DURABLE_REPLACE},
      {F_RENAME, 0, CP_DURABLE_REPLACE},  {F_LINK, 0, CP_DURABLE_NOREPLACE},
      {F_WRITE, 0, CP_DURABLE_NOREPLACE}, {F_FSYNC, 0, CP_DURABLE_NOREPLACE},
  };
  static const int errnos[] = {EIO, ENOSPC};
  char t[512], fresh[512];
  path_of(t, sizeof t, "target");
  cp_error e;
  inject(F_NONE, 0, 0);
  assert_int_equal(cp_durable_write_file(t, "old bytes", 9, CP_DURABLE_REPLACE, &e), CP_OK);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    for (size_t j = 0; j < 2; j++) {
      inject(cases[i].call, errnos[j], cases[i].after);
      const char *dst = t;
      if (cases[i].flags == CP_DURABLE_NOREPLACE) { /* a new name: nothing to replace */
        path_of(fresh, sizeof fresh, "fresh");
        dst = fresh;
      }
      cp_err rc = cp_durable_write_file(dst, "new bytes, longer", 17, cases[i].flags, &e);
      inject(F_NONE, 0, 0);
      assert_int_equal(rc, errnos[j] == ENOSPC ? CP_E_DISK_FULL : CP_E_IO);
      assert_non_null(strstr(e.detail, dst)); /* the message names the file */
      assert_file(t, "old bytes");
      assert_int_equal(count_entries(root), 1); /* no temp file, no new file */
    }
  }
}

/* A failure of the folder fsync after a no-replace rename takes the new
 * file away again: a bundle that is not durable must not look whole. */
static void test_dir_fsync_failure(void **state)
{
  (void)state;
  char t[512];
  path_of(t, sizeof t, "b.tar.gz");
  cp_error e;
  inject(F_FSYNC, EIO, 1); /* the file's fsync works, the folder's fails */
  assert_int_equal(cp_durable_write_file(t, "abc", 3, CP_DURABLE_NOREPLACE, &e), CP_E_IO);
  inject(F_NONE, 0, 0);
  assert_int_equal(count_entries(root), 0);
  assert_non_null(strstr(e.detail, "folder"));
}

static void test_step_by_step_abort(void **state)
{
  (void)state;
  char t[512];
  path_of(t, sizeof t, "x");
  cp_durable d;
  cp_error e;
  assert_int_equal(cp_durable_begin(&d, t, ".x.partial-", CP_DURABLE_NOREPLACE, &e), CP_OK);
  assert_non_null(strstr(d.tmp_path, "/.x.partial-"));
  assert_int_equal(cp_durable_write(&d, "abc", 3, &e), CP_OK);
  assert_int_equal(count_entries(root), 1); /* the temp file */
  cp_durable_abort(&d);
  cp_durable_abort(&d); /* twice is harmless */
  assert_int_equal(count_entries(root), 0);
  path_of(t, sizeof t, "no-such-folder/x");
  assert_int_equal(cp_durable_begin(&d, t, NULL, 0, &e), CP_E_NOT_FOUND);
}

static void test_move(void **state)
{
  (void)state;
  char a[512], b[512], sub[512];
  path_of(a, sizeof a, "a");
  path_of(sub, sizeof sub, "sent");
  assert_int_equal(mkdir(sub, 0700), 0);
  path_of(b, sizeof b, "sent/a");
  cp_error e;
  assert_int_equal(cp_durable_write_file(a, "moved", 5, 0, &e), CP_OK);
  inject(F_RENAME, ENOSPC, 0);
  assert_int_equal(cp_durable_move(a, b, &e), CP_E_DISK_FULL);
  inject(F_NONE, 0, 0);
  assert_int_equal(cp_durable_move(a, b, &e), CP_OK);
  assert_file(b, "moved");
  assert_int_equal(access(a, F_OK), -1);
}

/* The dir sink (crash pull) through the same module: a failed member leaves
 * no file and no temp file; a later member still lands. */
static void test_dir_sink_injected(void **state)
{
  (void)state;
  cp_sink *s = NULL;
  cp_error e;
  cp_dir_sink_opts o = {root, "crashes/", 0};
  assert_int_equal(cp_dir_sink_new(&o, &s, &e), CP_OK);
  inject(F_FSYNC, ENOSPC, 0);
  assert_int_equal(cp_sink_add_file(s, "crashes/A.ips", "crashes", "abc", 3, &e), CP_E_DISK_FULL);
  inject(F_WRITE, EIO, 0);
  assert_int_equal(cp_sink_add_file(s, "crashes/B.ips", "crashes", "abc", 3, &e), CP_E_IO);
  inject(F_NONE, 0, 0);
  assert_int_equal(count_entries(root), 0);
  assert_int_equal(cp_sink_add_file(s, "crashes/C.ips", "crashes", "abc", 3, &e), CP_OK);
  cp_dir_sink_free(s);
  char c[512];
  path_of(c, sizeof c, "C.ips");
  assert_file(c, "abc");
  assert_int_equal(count_entries(root), 1);
}

/* Writes name=body into the batch (not yet at its name). */
static void batch_one(cp_durable_batch *b, const char *name, const char *body, int flags)
{
  char t[512];
  cp_durable d;
  cp_error e;
  path_of(t, sizeof t, name);
  assert_int_equal(cp_durable_begin(&d, t, NULL, flags, &e), CP_OK);
  assert_int_equal(cp_durable_write(&d, body, strlen(body), &e), CP_OK);
  assert_int_equal(cp_durable_commit_batched(&d, b, &e), CP_OK);
  assert_int_equal(access(t, F_OK), -1); /* only the flush places it */
}

static void test_batch_flush(void **state)
{
  (void)state;
  char a[512], sub[512];
  cp_durable_batch *b = NULL;
  cp_error e;
  path_of(sub, sizeof sub, "Retired");
  assert_int_equal(mkdir(sub, 0700), 0);
  assert_int_equal(cp_durable_batch_new(&b, &e), CP_OK);
  batch_one(b, "a.ips", "alpha", CP_DURABLE_REPLACE);
  batch_one(b, "Retired/b.ips", "beta!", CP_DURABLE_REPLACE);
  batch_one(b, "c.ips", "gamma", CP_DURABLE_NOREPLACE);
  unsigned long long bytes = 0;
  assert_int_equal(cp_durable_batch_pending(b, &bytes), 3);
  assert_int_equal(bytes, 15);
  syncfs_calls = 0;
  assert_int_equal(cp_durable_batch_flush(b, &e), CP_OK);
  assert_int_equal(syncfs_calls, 1); /* one file system: one sync for the lot */
  assert_int_equal(cp_durable_batch_pending(b, NULL), 0);
  path_of(a, sizeof a, "a.ips");
  assert_file(a, "alpha");
  path_of(a, sizeof a, "Retired/b.ips");
  assert_file(a, "beta!");
  path_of(a, sizeof a, "c.ips");
  assert_file(a, "gamma");
  assert_int_equal(count_entries(root), 3); /* a, c, Retired: no temp files */
  assert_int_equal(count_entries(sub), 1);
  assert_int_equal(cp_durable_batch_flush(b, &e), CP_OK); /* empty: nothing to do */
  batch_one(b, "d.ips", "never flushed", CP_DURABLE_REPLACE);
  cp_durable_batch_free(b); /* unflushed: removed, not placed */
  assert_int_equal(count_entries(root), 3);
}

/* A failed sync (syncfs, or the fsync of a file without syncfs) or rename
 * places nothing unsynced and leaves no temp file; the old target stays. */
static void test_batch_injected(void **state)
{
  (void)state;
  static const struct {
    int call, after, nosyncfs;
  } cases[] = {
      {F_SYNCFS, 0, 0}, {F_FSYNC, 0, 1}, {F_FSYNC, 1, 1},
      {F_CLOSE, 0, 0},  {F_CLOSE, 1, 0}, {F_RENAME, 0, 0},
  };
  static const int errnos[] = {EIO, ENOSPC};
  char t[512];
  path_of(t, sizeof t, "x.ips");
  cp_error e;
  assert_int_equal(cp_durable_write_file(t, "old bytes", 9, CP_DURABLE_REPLACE, &e), CP_OK);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    for (size_t j = 0; j < 2; j++) {
      cp_durable_batch *b = NULL;
      assert_int_equal(cp_durable_batch_new(&b, &e), CP_OK);
      cp_durable_set_ops(cases[i].nosyncfs ? &test_ops_nosyncfs : &test_ops);
      inject(cases[i].call, errnos[j], cases[i].after);
      cp_err rc = CP_OK;
      for (int k = 0; k < 2 && rc == CP_OK; k++) {
        cp_durable d;
        assert_int_equal(cp_durable_begin(&d, t, NULL, CP_DURABLE_REPLACE, &e), CP_OK);
        assert_int_equal(cp_durable_write(&d, "new bytes", 9, &e), CP_OK);
        rc = cp_durable_commit_batched(&d, b, &e);
      }
      if (rc == CP_OK)
        rc = cp_durable_batch_flush(b, &e);
      inject(F_NONE, 0, 0);
      cp_durable_set_ops(&test_ops);
      cp_durable_batch_free(b);
      assert_int_equal(rc, errnos[j] == ENOSPC ? CP_E_DISK_FULL : CP_E_IO);
      assert_file(t, "old bytes");
      assert_int_equal(count_entries(root), 1); /* no temp file, no new file */
    }
  }
}

/* The batched dir sink: members appear at the flush (cp_sink_flush), not
 * before; a failed flush places none of them. */
static void test_dir_sink_batched(void **state)
{
  (void)state;
  cp_sink *s = NULL;
  cp_error e;
  char p[512];
  cp_dir_sink_opts o = {root, "crashes/", 0};
  assert_int_equal(cp_dir_sink_new(&o, &s, &e), CP_OK);
  assert_int_equal(cp_dir_sink_batch(s, 3, &e), CP_OK);
  assert_int_equal(cp_sink_add_file(s, "crashes/A.ips", "crashes", "abc", 3, &e), CP_OK);
  assert_int_equal(cp_sink_add_file(s, "crashes/Sub/B.ips", "crashes", "de", 2, &e), CP_OK);
  path_of(p, sizeof p, "A.ips");
  assert_int_equal(access(p, F_OK), -1);
  assert_int_equal(cp_sink_flush(s, &e), CP_OK);
  assert_file(p, "abc");
  path_of(p, sizeof p, "Sub/B.ips");
  assert_file(p, "de");
  /* the third member of a batch of 3 flushes it by itself */
  for (int i = 0; i < 3; i++) {
    char name[64];
    (void)snprintf(name, sizeof name, "crashes/n%d.ips", i);
    assert_int_equal(cp_sink_add_file(s, name, "crashes", "n", 1, &e), CP_OK);
  }
  path_of(p, sizeof p, "n2.ips");
  assert_file(p, "n");
  inject(F_SYNCFS, ENOSPC, 0);
  assert_int_equal(cp_sink_add_file(s, "crashes/C.ips", "crashes", "c", 1, &e), CP_OK);
  assert_int_equal(cp_sink_flush(s, &e), CP_E_DISK_FULL);
  inject(F_NONE, 0, 0);
  path_of(p, sizeof p, "C.ips");
  assert_int_equal(access(p, F_OK), -1);
  assert_int_equal(cp_sink_add_file(s, "crashes/D.ips", "crashes", "d", 1, &e), CP_OK);
  cp_dir_sink_free(s); /* never flushed: gone */
  path_of(p, sizeof p, "D.ips");
  assert_int_equal(access(p, F_OK), -1);
  assert_int_equal(count_entries(root), 5); /* A, Sub, n0..n2: no temp files */
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_success_replaces, setup, teardown),
      cmocka_unit_test_setup_teardown(test_noreplace, setup, teardown),
      cmocka_unit_test_setup_teardown(test_injected_failures, setup, teardown),
      cmocka_unit_test_setup_teardown(test_dir_fsync_failure, setup, teardown),
      cmocka_unit_test_setup_teardown(test_step_by_step_abort, setup, teardown),
      cmocka_unit_test_setup_teardown(test_move, setup, teardown),
      cmocka_unit_test_setup_teardown(test_dir_sink_injected, setup, teardown),
      cmocka_unit_test_setup_teardown(test_batch_flush, setup, teardown),
      cmocka_unit_test_setup_teardown(test_batch_injected, setup, teardown),
      cmocka_unit_test_setup_teardown(test_dir_sink_batched, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
