/* See platform.h: each function is one #if per platform. */
#include "platform.h"

#include <stdio.h>
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

#if defined(_WIN32)
#include <windows.h>
/* shellapi.h needs windows.h first. */
#include <shellapi.h>
#else
#include <dirent.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
extern char **environ;
#endif
#include <stdlib.h>
#include <string.h>

int cp_open_browser(const char *url)
{
#if defined(_WIN32)
  return (intptr_t)ShellExecuteA(NULL, "open", url, NULL, NULL, SW_SHOWNORMAL) > 32 ? 0 : -1;
#else
#if defined(__APPLE__)
  char *argv[] = {"open", (char *)url, NULL};
#else
  char *argv[] = {"xdg-open", (char *)url, NULL};
#endif
  pid_t pid;
  if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) != 0)
    return -1;
  /* xdg-open normally hands the URL over and exits at once, but without a
   * desktop it may run the browser itself and wait for it: give it 3 s, and
   * a still-running opener counts as opened (reaped at exit). */
  for (int i = 0; i < 30; i++) {
    int status;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid)
      return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
    if (r < 0)
      return -1;
    struct timespec ts = {0, 100000000};
    nanosleep(&ts, NULL);
  }
  return 0;
#endif
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

char **cp_list_files(const char *dir, const char *suffix)
{
  size_t n = 0, cap = 8, sl = strlen(suffix);
  char **list = calloc(cap + 1, sizeof *list);
  if (!list)
    return NULL;
#if defined(_WIN32)
  char pattern[1024];
  snprintf(pattern, sizeof pattern, "%s\\*%s", dir, suffix);
  WIN32_FIND_DATAA fd;
  HANDLE h = FindFirstFileA(pattern, &fd);
  if (h == INVALID_HANDLE_VALUE)
    return list;
  do {
    if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
      continue;
    const char *name = fd.cFileName;
#else
  DIR *d = opendir(dir);
  if (!d)
    return list;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    const char *name = e->d_name;
#endif
    size_t nl = strlen(name);
    if (nl <= sl || strcmp(name + nl - sl, suffix) || name[0] == '.')
      continue;
    size_t len = strlen(dir) + nl + 2;
    char *path = malloc(len);
    if (!path)
      continue;
    snprintf(path, len, "%s/%s", dir, name);
#if !defined(_WIN32)
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
      free(path);
      continue;
    }
#endif
    if (n == cap) {
      char **bigger = realloc(list, (cap * 2 + 1) * sizeof *list);
      if (!bigger) {
        free(path);
        break;
      }
      list = bigger;
      cap *= 2;
    }
    list[n++] = path;
    list[n] = NULL;
#if defined(_WIN32)
  } while (FindNextFileA(h, &fd));
  FindClose(h);
#else
  }
  closedir(d);
#endif
  qsort(list, n, sizeof *list, cmp_str);
  return list;
}

void cp_path_list_free(char **list)
{
  for (size_t i = 0; list && list[i]; i++)
    free(list[i]);
  free(list);
}

const char *cp_org_keys_dir(void)
{
  const char *env = getenv("CASEPROBE_ORG_KEYS");
  if (env && env[0])
    return env;
#if defined(_WIN32)
  static char buf[1024];
  const char *pd = getenv("ProgramData");
  snprintf(buf, sizeof buf, "%s\\caseprobe\\org-keys", pd ? pd : "C:\\ProgramData");
  return buf;
#elif defined(__APPLE__)
  return "/Library/Application Support/caseprobe/org-keys";
#else
  return "/etc/caseprobe/org-keys";
#endif
}

int cp_make_private_dir(const char *prefix, char *out, size_t cap)
{
  const char *tmp = getenv("TMPDIR");
#if defined(_WIN32)
  if (!tmp || !tmp[0])
    tmp = getenv("TEMP");
  if (!tmp || !tmp[0])
    tmp = ".";
  if ((size_t)snprintf(out, cap, "%s\\%sXXXXXX", tmp, prefix) >= cap || !_mktemp(out))
    return -1;
  return CreateDirectoryA(out, NULL) ? 0 : -1;
#else
  if (!tmp || !tmp[0])
    tmp = "/tmp";
  if ((size_t)snprintf(out, cap, "%s/%sXXXXXX", tmp, prefix) >= cap)
    return -1;
  return mkdtemp(out) ? 0 : -1; /* mode 0700 */
#endif
}

void cp_remove_dir_files(const char *dir)
{
#if defined(_WIN32)
  char **files = cp_list_files(dir, "");
  for (size_t i = 0; files && files[i]; i++)
    (void)remove(files[i]);
  cp_path_list_free(files);
  (void)RemoveDirectoryA(dir);
#else
  DIR *d = opendir(dir);
  if (d) {
    struct dirent *e;
    char path[4096];
    while ((e = readdir(d)) != NULL) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
        continue;
      if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < sizeof path)
        (void)unlink(path);
    }
    closedir(d);
  }
  (void)rmdir(dir);
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
