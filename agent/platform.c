/* See platform.h: each function is one #if per platform. */
#include "platform.h"

#include <signal.h>
#include <stdio.h>
#if defined(_WIN32)
#include <fcntl.h>
#include <io.h>
#include <stdlib.h>
#include <wchar.h>
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
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
extern char **environ;
#endif
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#if defined(_WIN32)
/* UTF-8 to a new UTF-16 string (NULL on bad input or no memory). */
static wchar_t *utf8_to_wide(const char *s)
{
  int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
  wchar_t *w = n > 0 ? malloc((size_t)n * sizeof *w) : NULL;
  if (w && MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) <= 0) {
    free(w);
    return NULL;
  }
  return w;
}
#endif

int cp_open_browser(const char *url)
{
#if defined(_WIN32)
  wchar_t *w = utf8_to_wide(url);
  if (!w)
    return -1;
  intptr_t r = (intptr_t)ShellExecuteW(NULL, L"open", w, NULL, NULL, SW_SHOWNORMAL);
  free(w);
  return r > 32 ? 0 : -1;
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

/* ---- processes ---- */

struct cp_proc {
#if defined(_WIN32)
  HANDLE h;
#else
  pid_t pid;
#endif
};

#if defined(_WIN32)
/* Appends one argument to a CreateProcessW command line, quoted so that the
 * C runtime's argument splitting gives it back unchanged (backslashes double
 * only before a quote). */
static int append_arg(wchar_t **buf, size_t *len, size_t *cap, const wchar_t *a)
{
  size_t need = *len + wcslen(a) * 2 + 4;
  if (need > *cap) {
    size_t n = need * 2;
    wchar_t *b = realloc(*buf, n * sizeof *b);
    if (!b)
      return -1;
    *buf = b;
    *cap = n;
  }
  wchar_t *o = *buf + *len;
  if (*len)
    *o++ = L' ';
  if (a[0] && !wcspbrk(a, L" \t\n\v\"")) {
    wcscpy(o, a);
    o += wcslen(a);
  } else {
    *o++ = L'"';
    for (const wchar_t *p = a;; p++) {
      size_t bs = 0;
      while (*p == L'\\') {
        p++;
        bs++;
      }
      if (!*p) { /* before the closing quote: every backslash doubled */
        for (size_t i = 0; i < bs * 2; i++)
          *o++ = L'\\';
        break;
      }
      for (size_t i = 0; i < (*p == L'"' ? bs * 2 + 1 : bs); i++)
        *o++ = L'\\';
      *o++ = *p;
    }
    *o++ = L'"';
  }
  *o = 0;
  *len = (size_t)(o - *buf);
  return 0;
}
#endif

int cp_proc_start(const char *const *argv, cp_proc **out, FILE **out_stdout)
{
  *out = NULL;
  *out_stdout = NULL;
  cp_proc *p = calloc(1, sizeof *p);
  if (!p)
    return -1;
#if defined(_WIN32)
  SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
  HANDLE rd = NULL, wr = NULL;
  wchar_t *app = utf8_to_wide(argv[0]), *cmd = NULL;
  size_t len = 0, cap = 0;
  int ok = app != NULL;
  for (size_t i = 0; ok && argv[i]; i++) {
    wchar_t *w = utf8_to_wide(argv[i]);
    ok = w && append_arg(&cmd, &len, &cap, w) == 0;
    free(w);
  }
  if (ok && CreatePipe(&rd, &wr, &sa, 0) && SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0)) {
    HANDLE nul = CreateFileW(L"NUL", GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa,
                             OPEN_EXISTING, 0, NULL);
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = wr;
    si.hStdError = nul;
    ok = CreateProcessW(app, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi) != 0;
    if (nul != INVALID_HANDLE_VALUE)
      CloseHandle(nul);
    if (ok) {
      CloseHandle(pi.hThread);
      p->h = pi.hProcess;
    }
  } else
    ok = 0;
  if (wr)
    CloseHandle(wr); /* the child holds its own copy */
  free(app);
  free(cmd);
  int fd = ok ? _open_osfhandle((intptr_t)rd, _O_RDONLY) : -1;
  FILE *f = fd >= 0 ? _fdopen(fd, "r") : NULL;
  if (!f) {
    if (fd >= 0)
      _close(fd);
    else if (rd)
      CloseHandle(rd);
    cp_proc_stop(ok ? p : NULL);
    if (!ok)
      free(p);
    return -1;
  }
#else
  int fds[2];
  if (pipe(fds) != 0) {
    free(p);
    return -1;
  }
  posix_spawn_file_actions_t fa;
  int rc = posix_spawn_file_actions_init(&fa);
  if (rc == 0) {
    (void)posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    (void)posix_spawn_file_actions_addclose(&fa, fds[0]);
    (void)posix_spawn_file_actions_addclose(&fa, fds[1]);
    (void)posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    rc = posix_spawn(&p->pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
  }
  close(fds[1]);
  FILE *f = rc == 0 ? fdopen(fds[0], "r") : NULL;
  if (!f) {
    close(fds[0]);
    if (rc == 0)
      cp_proc_stop(p);
    else
      free(p);
    return -1;
  }
#endif
  *out = p;
  *out_stdout = f;
  return 0;
}

void cp_proc_stop(cp_proc *p)
{
  if (!p)
    return;
#if defined(_WIN32)
  if (p->h) {
    TerminateProcess(p->h, 1);
    WaitForSingleObject(p->h, INFINITE);
    CloseHandle(p->h);
  }
#else
  if (p->pid > 0) {
    int st;
    kill(p->pid, SIGTERM);
    while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
      ;
  }
#endif
  free(p);
}

/* ---- stop requests ---- */

#if defined(_WIN32)
static void (*volatile g_stop_fn)(int);

/* Runs on a thread the console starts: Ctrl-C and Ctrl-Break are the
 * person's interrupt, the rest (console closed, logoff, shutdown) a stop. */
static BOOL WINAPI on_console_event(DWORD ev)
{
  void (*fn)(int) = g_stop_fn;
  if (!fn)
    return FALSE;
  fn(ev == CTRL_C_EVENT || ev == CTRL_BREAK_EVENT ? SIGINT : SIGTERM);
  return TRUE;
}
#endif

void cp_on_stop_request(void (*fn)(int), int flags)
{
#if defined(_WIN32)
  (void)flags; /* no SIGHUP (closing the console arrives as SIGTERM), no SIGPIPE */
  g_stop_fn = fn;
  (void)SetConsoleCtrlHandler(on_console_event, TRUE);
#else
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = fn;
  sigemptyset(&sa.sa_mask);
  (void)sigaction(SIGINT, &sa, NULL);
  (void)sigaction(SIGTERM, &sa, NULL);
  if (flags & CP_STOP_HUP)
    (void)sigaction(SIGHUP, &sa, NULL);
  if (flags & CP_STOP_IGNORE_PIPE) {
    sa.sa_handler = SIG_IGN;
    (void)sigaction(SIGPIPE, &sa, NULL);
  }
#endif
}
