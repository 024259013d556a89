/* See platform.h: each function is one #if per platform. */
#include "platform.h"

#if defined(_WIN32)
#include <stdlib.h>
#include <windows.h>
/* shellapi.h needs windows.h first. */
#include <shellapi.h>
#endif

int64_t cp_stat_mtime_ns(const struct stat *st)
{
#if defined(__APPLE__)
  return (int64_t)st->st_mtimespec.tv_sec * 1000000000 + st->st_mtimespec.tv_nsec;
#elif defined(__linux__) || defined(__FreeBSD__)
  return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
#else
  return (int64_t)st->st_mtime * 1000000000;
#endif
}

char **cp_platform_utf8_argv(int *argc, char **argv)
{
#if defined(_WIN32)
  SetConsoleOutputCP(CP_UTF8);
  int n = 0;
  LPWSTR *w = CommandLineToArgvW(GetCommandLineW(), &n);
  if (!w || n < 1)
    return argv;
  char **out = calloc((size_t)n + 1, sizeof *out);
  for (int i = 0; out && i < n; i++) {
    int len = WideCharToMultiByte(CP_UTF8, 0, w[i], -1, NULL, 0, NULL, NULL);
    out[i] = len > 0 ? malloc((size_t)len) : NULL;
    if (!out[i] || WideCharToMultiByte(CP_UTF8, 0, w[i], -1, out[i], len, NULL, NULL) <= 0) {
      LocalFree(w);
      return argv; /* the few bytes already converted stay until exit */
    }
  }
  LocalFree(w);
  if (!out)
    return argv;
  *argc = n;
  return out;
#else
  (void)argc;
  return argv;
#endif
}
