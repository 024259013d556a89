/* Unit tests of formats/bundle/dir_sink.c: members land under the folder only when
 * complete (temp file + rename), with their SHA-256; names that would escape
 * the folder are refused for that member only; a discarded member leaves
 * nothing behind. */
/* cmocka.h needs setjmp.h, stdarg.h and stddef.h first. */
// clang-format off
#include <dirent.h>
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

static char root[256];

static int setup(void **state)
{
  (void)state;
  (void)snprintf(root, sizeof root, "%s/cp-dirsink-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
  (void)state;
  char cmd[400];
  (void)snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  return system(cmd) == 0 ? 0 : -1;
}

static size_t count_entries(const char *dir)
{
  DIR *d = opendir(dir);
  size_t n = 0;
  struct dirent *e;
  while (d && (e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
      n++;
  if (d)
    closedir(d);
  return n;
}

static void test_member_written_with_hash(void **state)
{
  (void)state;
  cp_sink *s = NULL;
  cp_dir_sink_opts o = {root, "crashes/", 0};
  cp_error e;
  assert_int_equal(cp_dir_sink_new(&o, &s, &e), CP_OK);
  assert_int_equal(cp_sink_begin(s, "crashes/Retired/a.ips", "crashes", &e), CP_OK);
  assert_int_equal(cp_sink_write(s, "ab", 2, &e), CP_OK);
  assert_int_equal(cp_sink_write(s, "c", 1, &e), CP_OK);
  char path[512];
  (void)snprintf(path, sizeof path, "%s/Retired/a.ips", root);
  struct stat st;
  assert_int_not_equal(stat(path, &st), 0); /* not visible before end */
  assert_int_equal(cp_sink_end(s, 1, &e), CP_OK);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_size, 3);
  char sha[65];
  unsigned long long size = 0;
  const char *local = NULL;
  assert_int_equal(cp_dir_sink_last(s, sha, &size, &local), 1);
  assert_string_equal(sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert_int_equal(size, 3);
  assert_string_equal(local, path);
  assert_int_equal(count_entries(root), 1); /* no temp files left */
  cp_dir_sink_free(s);
}

static void test_unsafe_refused_rest_continues(void **state)
{
  (void)state;
  cp_sink *s = NULL;
  cp_dir_sink_opts o = {root, "crashes/", 0};
  cp_error e;
  assert_int_equal(cp_dir_sink_new(&o, &s, &e), CP_OK);
  assert_int_equal(cp_sink_begin(s, "crashes/../escape.ips", "crashes", &e), CP_E_UNSAFE_PATH);
  assert_int_equal(cp_sink_begin(s, "crashes//abs", "crashes", &e), CP_E_UNSAFE_PATH);
  assert_int_equal(cp_sink_begin(s, "crashes/a\nb.ips", "crashes", &e), CP_E_UNSAFE_PATH);
  assert_int_equal(cp_sink_add_file(s, "crashes/ok.ips", "crashes", "x", 1, &e), CP_OK);
  assert_int_equal(count_entries(root), 1);
  char up[300];
  (void)snprintf(up, sizeof up, "%s/../escape.ips", root);
  assert_int_not_equal(access(up, F_OK), 0);
  cp_dir_sink_free(s);
}

static void test_discard_leaves_nothing(void **state)
{
  (void)state;
  cp_sink *s = NULL;
  cp_dir_sink_opts o = {root, NULL, 0};
  cp_error e;
  assert_int_equal(cp_dir_sink_new(&o, &s, &e), CP_OK);
  assert_int_equal(cp_sink_begin(s, "x.ips", "crashes", &e), CP_OK);
  assert_int_equal(cp_sink_write(s, "partial", 7, &e), CP_OK);
  assert_int_equal(cp_sink_end(s, 0, &e), CP_OK);
  assert_int_equal(count_entries(root), 0);
  /* An open member at free time is discarded too. */
  assert_int_equal(cp_sink_begin(s, "y.ips", "crashes", &e), CP_OK);
  cp_dir_sink_free(s);
  assert_int_equal(count_entries(root), 0);
}

static void test_flat_file_and_missing_root(void **state)
{
  (void)state;
  cp_sink *s = NULL;
  char file[300];
  (void)snprintf(file, sizeof file, "%s/log.txt", root);
  cp_dir_sink_opts o = {file, NULL, 1};
  cp_error e;
  assert_int_equal(cp_dir_sink_new(&o, &s, &e), CP_OK);
  assert_int_equal(cp_sink_add_file(s, "syslog/syslog.txt", "syslog", "line\n", 5, &e), CP_OK);
  struct stat st;
  assert_int_equal(stat(file, &st), 0);
  assert_int_equal(st.st_size, 5);
  cp_dir_sink_free(s);
  cp_dir_sink_opts bad = {"/nonexistent/caseprobe/dir", NULL, 0};
  assert_int_equal(cp_dir_sink_new(&bad, &s, &e), CP_E_NOT_FOUND);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_member_written_with_hash, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unsafe_refused_rest_continues, setup, teardown),
      cmocka_unit_test_setup_teardown(test_discard_leaves_nothing, setup, teardown),
      cmocka_unit_test_setup_teardown(test_flat_file_and_missing_root, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
