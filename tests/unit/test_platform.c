/*
 * platform.c's process and stop-request calls, on every platform the tests
 * run on (Linux; Windows under Wine in the cross-build): the test starts a
 * copy of itself as a child (cp_proc_start: posix_spawn, CreateProcessW),
 * with arguments that a careless command line would split or mangle
 * (spaces, quotes, backslashes before quotes and at the end, an empty one,
 * non-ASCII), reads what the child says it received, and stops it while
 * it waits (cp_proc_stop). The child prints each argument it got as hex.
 */
// clang-format off
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "platform.h"
// clang-format on

#if defined(_WIN32)
#include <windows.h>
#else
#include <unistd.h>
#endif

static const char *k_args[] = {"plain",
                               "with space",
                               "quote\"inside",
                               "back\\slash",
                               "trail\\",
                               "\\\"both\\\\",
                               "",
                               "a\\\\\"b",
                               "tab\there",
                               "r\xc3\xa9port-\xe6\x97\xa5",
                               "--socket",
                               "C:\\x y\\z\\"};
#define N_ARGS (sizeof(k_args) / sizeof(k_args[0]))

static char g_self[4096];

static void hex(char *out, const char *s) /* out: 2 * strlen(s) + 1 bytes */
{
  for (const unsigned char *p = (const unsigned char *)s; *p; p++, out += 2)
    sprintf(out, "%02x", *p);
  *out = 0;
}

/* The child: prints its arguments, then "ready", then waits to be stopped. */
static int child(int argc, char **argv)
{
  char h[1024];
  for (int i = 2; i < argc; i++) {
    hex(h, strlen(argv[i]) < 500 ? argv[i] : "");
    printf("%s\n", h);
  }
  printf("ready\n");
  fflush(stdout);
  for (int i = 0; i < 600; i++) { /* ten minutes at most if nobody stops it */
#if defined(_WIN32)
    Sleep(1000);
#else
    sleep(1);
#endif
  }
  return 0; /* not reached */
}

static void test_proc_arguments_and_stop(void **state)
{
  (void)state;
  const char *argv[N_ARGS + 3];
  argv[0] = g_self;
  argv[1] = "--child";
  for (size_t i = 0; i < N_ARGS; i++)
    argv[i + 2] = k_args[i];
  argv[N_ARGS + 2] = NULL;
  cp_proc *p = NULL;
  FILE *f = NULL;
  assert_int_equal(cp_proc_start(argv, &p, &f), 0);
  assert_non_null(p);
  /* read everything, stop the child, then compare: a failed check must not
   * leave the child waiting */
  char got[N_ARGS + 1][512], want[512];
  size_t n = 0;
  while (n < N_ARGS + 1 && fgets(got[n], sizeof got[n], f)) {
    got[n][strcspn(got[n], "\r\n")] = 0;
    if (!strcmp(got[n++], "ready"))
      break;
  }
  fclose(f);
  cp_proc_stop(p); /* the child waits to be stopped: this must end it */
  assert_int_equal(n, N_ARGS + 1);
  for (size_t i = 0; i < N_ARGS; i++) {
    hex(want, k_args[i]);
    if (strcmp(got[i], want))
      fprintf(stderr, "argument %zu: sent \"%s\", child got hex %s\n", i, k_args[i], got[i]);
    assert_string_equal(got[i], want);
  }
  assert_string_equal(got[N_ARGS], "ready");
}

static void test_proc_missing_program(void **state)
{
  (void)state;
  const char *argv[] = {"/no/such/program-caseprobe", "x", NULL};
  cp_proc *p = (cp_proc *)1;
  FILE *f = (FILE *)1;
  assert_int_equal(cp_proc_start(argv, &p, &f), -1);
  assert_null(p);
  assert_null(f);
}

static volatile sig_atomic_t g_stops;
static void on_stop(int sig)
{
  g_stops = sig;
}

/* POSIX: a SIGTERM reaches the handler (and SIGPIPE is ignored when asked);
 * Windows: the console handler is installed (a console event cannot be
 * raised in a test without a console). */
static void test_stop_request(void **state)
{
  (void)state;
  cp_on_stop_request(on_stop, CP_STOP_IGNORE_PIPE);
#if !defined(_WIN32)
  raise(SIGTERM);
  assert_int_equal(g_stops, SIGTERM);
  raise(SIGINT);
  assert_int_equal(g_stops, SIGINT);
  struct sigaction old;
  assert_int_equal(sigaction(SIGPIPE, NULL, &old), 0);
  assert_true(old.sa_handler == SIG_IGN);
#endif
}

int main(int argc, char **argv)
{
  argv = cp_platform_utf8_argv(&argc, argv);
  if (argc >= 2 && !strcmp(argv[1], "--child"))
    return child(argc, argv);
#if defined(_WIN32)
  wchar_t w[2048];
  DWORD n = GetModuleFileNameW(NULL, w, 2048);
  if (!n || !WideCharToMultiByte(CP_UTF8, 0, w, -1, g_self, sizeof g_self, NULL, NULL))
    return 1;
#else
  ssize_t n = readlink("/proc/self/exe", g_self, sizeof g_self - 1);
  if (n <= 0)
    snprintf(g_self, sizeof g_self, "%s", argv[0]);
  else
    g_self[n] = 0;
#endif
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_proc_arguments_and_stop),
      cmocka_unit_test(test_proc_missing_program),
      cmocka_unit_test(test_stop_request),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
