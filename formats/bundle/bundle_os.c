/* POSIX implementation of bundle_os.h: the only file of the bundle code that
 * calls open/read/write directly (a Windows port replaces this and durable.c). */
#include "bundle_os.h"

#include "durable.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

cp_err cp_os_errno_code(int e)
{
  return cp_durable_errno_code(e);
}

int cp_os_temp_create(const char *dir, const char *prefix, char **path_out, cp_error *err)
{
  size_t n = strlen(dir) + strlen(prefix) + 16;
  char *p = malloc(n);
  if (!p) {
    cp_error_set(err, CP_E_NOMEM, "temporary file name");
    return -1;
  }
  snprintf(p, n, "%s/%sXXXXXX", dir, prefix);
  int fd = mkstemp(p);
  if (fd < 0) {
    int e = errno;
    cp_error_set(err, e == ENOENT ? CP_E_NOT_FOUND : cp_os_errno_code(e), "%s: %s", p, strerror(e));
    free(p);
    return -1;
  }
  *path_out = p;
  return fd;
}

int cp_os_scratch_open(const char *dir, cp_error *err)
{
  char *p = NULL;
  int fd = cp_os_temp_create(dir, ".caseprobe-spool-", &p, err);
  if (fd < 0)
    return -1;
  (void)unlink(p);
  free(p);
  return fd;
}

cp_err cp_os_write_all(int fd, const void *buf, size_t len, const char *what, int *errno_out,
                       cp_error *err)
{
  const unsigned char *b = buf;
  while (len > 0) {
    ssize_t w = write(fd, b, len);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      int e = w < 0 ? errno : ENOSPC;
      if (errno_out)
        *errno_out = e;
      return cp_error_set(err, cp_os_errno_code(e), "writing %s: %s", what, strerror(e));
    }
    b += w;
    len -= (size_t)w;
  }
  return CP_OK;
}

long cp_os_read(int fd, void *buf, size_t len)
{
  for (;;) {
    ssize_t r = read(fd, buf, len);
    if (r < 0 && errno == EINTR)
      continue;
    return (long)r;
  }
}

cp_err cp_os_rewind(int fd, int truncate, const char *what, cp_error *err)
{
  if (lseek(fd, 0, SEEK_SET) < 0)
    return cp_error_set(err, CP_E_IO, "seeking %s: %s", what, strerror(errno));
  if (truncate && ftruncate(fd, 0) != 0)
    return cp_error_set(err, CP_E_IO, "emptying %s: %s", what, strerror(errno));
  return CP_OK;
}

cp_err cp_os_close(int fd, const char *what, cp_error *err)
{
  if (close(fd) != 0 && errno != EINTR) {
    int e = errno;
    return cp_error_set(err, cp_os_errno_code(e), "closing %s: %s", what, strerror(e));
  }
  return CP_OK;
}

void cp_os_unlink(const char *path)
{
  if (path)
    (void)unlink(path);
}

int cp_os_exists(const char *path)
{
  struct stat st;
  return lstat(path, &st) == 0;
}

int cp_os_is_dir(const char *dir)
{
  struct stat st;
  return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

void cp_os_utc(time_t t, int iso, char out[32])
{
  struct tm tm;
  if (!gmtime_r(&t, &tm)) {
    snprintf(out, 32, "%s", iso ? "1970-01-01T00:00:00Z" : "19700101T000000Z");
    return;
  }
  strftime(out, 32, iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y%m%dT%H%M%SZ", &tm);
}

/* The UTF-8 locale is made once per process and kept: newlocale() loads the
 * locale's data files, and the writer enters it for every member (perf: 2 %
 * of collect's CPU went to _nl_intern_locale_data with 2,000 reports). */
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;
static locale_t utf8_loc = (locale_t)0;

static void utf8_make(void)
{
  static const char *const names[] = {"C.UTF-8", "C.utf8", "en_US.UTF-8", "UTF-8", NULL};
  for (size_t i = 0; names[i] && utf8_loc == (locale_t)0; i++)
    utf8_loc = newlocale(LC_CTYPE_MASK, names[i], (locale_t)0);
}

/* The token is the locale to go back to. */
typedef struct utf8_token {
  locale_t prev;
} utf8_token;

void *cp_os_utf8_enter(void)
{
  (void)pthread_once(&utf8_once, utf8_make);
  if (utf8_loc == (locale_t)0)
    return NULL;
  utf8_token *t = malloc(sizeof *t);
  if (!t)
    return NULL;
  t->prev = uselocale(utf8_loc);
  return t;
}

void cp_os_utf8_leave(void *token)
{
  utf8_token *t = token;
  if (!t)
    return;
  uselocale(t->prev);
  free(t);
}

int cp_os_open_input(const char *path, int private_file, cp_error *err)
{
  int flags = O_RDONLY | O_NONBLOCK;
#ifdef O_CLOEXEC
  flags |= O_CLOEXEC;
#endif
  int fd = open(path, flags);
  if (fd < 0) {
    int e = errno;
    cp_error_set(err,
                 e == ENOENT   ? CP_E_NOT_FOUND
                 : e == EISDIR ? CP_E_NOT_REGULAR
                               : CP_E_IO,
                 e == EISDIR ? "%s is a folder, not a file" : "cannot open %s: %s", path,
                 strerror(e));
    return -1;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    cp_error_set(err, CP_E_IO, "cannot examine %s: %s", path, strerror(errno));
    close(fd);
    return -1;
  }
  if (!S_ISREG(st.st_mode)) {
    cp_error_set(err, CP_E_NOT_REGULAR, "%s is %s, not a regular file; give the path of a file",
                 path,
                 S_ISDIR(st.st_mode)    ? "a folder"
                 : S_ISFIFO(st.st_mode) ? "a pipe (FIFO)"
                 : S_ISSOCK(st.st_mode) ? "a socket"
                                        : "a device");
    close(fd);
    return -1;
  }
  if (private_file && (st.st_mode & (S_IWGRP | S_IWOTH))) {
    cp_error_set(err, CP_E_INSECURE_FILE,
                 "%s may be changed by others than its owner (mode %03o); make it private "
                 "with: chmod go-w %s",
                 path, (unsigned)(st.st_mode & 0777), path);
    close(fd);
    return -1;
  }
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0)
    (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  return fd;
}

void cp_os_release_free_memory(void)
{
#if defined(__GLIBC__)
  (void)malloc_trim(0);
#endif
}
