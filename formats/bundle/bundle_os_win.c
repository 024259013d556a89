/* Windows implementation of bundle_os.h (built instead of bundle_os.c when
 * _WIN32; see formats/CMakeLists.txt). Paths are UTF-8 and are converted to
 * UTF-16 for the wide CRT/Win32 calls, so non-ASCII names work whatever the
 * ANSI code page is. Windows has no folder fsync (a no-op here) and no
 * unlink-while-open (the scratch file is _O_TEMPORARY: deleted on close). */
#if defined(_WIN32)
#define _CRT_RAND_S /* rand_s() in stdlib.h */
#include "bundle_os.h"
#include "cp_path.h"

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <share.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <windows.h>

/* UTF-8 -> UTF-16 (cp_path.h). */
#define wide cp_path_wide

cp_err cp_os_errno_code(int e)
{
  return e == ENOSPC ? CP_E_DISK_FULL : CP_E_IO;
}

/* Opens a new file `<dir>/<prefix>` + 6 random characters exclusively. */
static int temp_open(const char *dir, const char *prefix, int extra_flags, char **path_out,
                     cp_error *err)
{
  static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  size_t n = strlen(dir) + strlen(prefix) + 16;
  char *p = malloc(n);
  if (!p) {
    cp_error_set(err, CP_E_NOMEM, "temporary file name");
    return -1;
  }
  for (int attempt = 0; attempt < 100; attempt++) {
    char tail[7];
    for (int i = 0; i < 6; i++) {
      unsigned int r = 0;
      if (rand_s(&r) != 0)
        r = (unsigned int)GetTickCount() * 2654435761u + (unsigned int)attempt * 97u +
            (unsigned int)i;
      tail[i] = chars[r % (sizeof chars - 1)];
    }
    tail[6] = '\0';
    snprintf(p, n, "%s/%s%s", dir, prefix, tail);
    wchar_t *w = wide(p);
    int fd = -1;
    int e = errno;
    if (w) {
      e = _wsopen_s(&fd, w, _O_CREAT | _O_EXCL | _O_RDWR | _O_BINARY | extra_flags, _SH_DENYNO,
                    _S_IREAD | _S_IWRITE);
      free(w);
      if (e == 0 && fd >= 0) {
        if (path_out)
          *path_out = p;
        else
          free(p);
        return fd;
      }
    }
    if (e != EEXIST) {
      cp_error_set(err, e == ENOENT ? CP_E_NOT_FOUND : cp_os_errno_code(e), "%s: %s", p,
                   strerror(e));
      free(p);
      return -1;
    }
  }
  cp_error_set(err, CP_E_IO, "%s: no free temporary name", p);
  free(p);
  return -1;
}

int cp_os_temp_create(const char *dir, const char *prefix, char **path_out, cp_error *err)
{
  return temp_open(dir, prefix, 0, path_out, err);
}

int cp_os_scratch_open(const char *dir, cp_error *err)
{
  return temp_open(dir, ".caseprobe-spool-", _O_TEMPORARY, NULL, err);
}

cp_err cp_os_write_all(int fd, const void *buf, size_t len, const char *what, int *errno_out,
                       cp_error *err)
{
  const unsigned char *b = buf;
  while (len > 0) {
    unsigned int chunk = len > 0x40000000u ? 0x40000000u : (unsigned int)len;
    int w = _write(fd, b, chunk);
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
  return _read(fd, buf, len > 0x40000000u ? 0x40000000u : (unsigned int)len);
}

cp_err cp_os_rewind(int fd, int truncate, const char *what, cp_error *err)
{
  if (_lseeki64(fd, 0, SEEK_SET) < 0)
    return cp_error_set(err, CP_E_IO, "seeking %s: %s", what, strerror(errno));
  if (truncate && _chsize_s(fd, 0) != 0)
    return cp_error_set(err, CP_E_IO, "emptying %s: %s", what, strerror(errno));
  return CP_OK;
}

cp_err cp_os_fsync(int fd, const char *what, cp_error *err)
{
  if (_commit(fd) != 0) {
    int e = errno;
    return cp_error_set(err, cp_os_errno_code(e), "syncing %s: %s", what, strerror(e));
  }
  return CP_OK;
}

cp_err cp_os_fsync_dir(const char *dir, cp_error *err)
{
  /* NTFS journals the rename itself; a folder cannot be flushed here. */
  (void)dir, (void)err;
  return CP_OK;
}

cp_err cp_os_close(int fd, const char *what, cp_error *err)
{
  if (_close(fd) != 0) {
    int e = errno;
    return cp_error_set(err, cp_os_errno_code(e), "closing %s: %s", what, strerror(e));
  }
  return CP_OK;
}

cp_err cp_os_rename_noreplace(const char *from, const char *to, cp_error *err)
{
  wchar_t *wf = wide(from), *wt = wide(to);
  cp_err rc = CP_OK;
  if (!wf || !wt) {
    rc = cp_error_set(err, CP_E_IO, "renaming to %s: not a UTF-8 name", to);
  } else if (!MoveFileExW(wf, wt, MOVEFILE_WRITE_THROUGH)) {
    /* Without MOVEFILE_REPLACE_EXISTING an existing target is refused. */
    DWORD e = GetLastError();
    if (e == ERROR_ALREADY_EXISTS || e == ERROR_FILE_EXISTS)
      rc = cp_error_set(err, CP_E_EXISTS, "%s", to);
    else if (e == ERROR_DISK_FULL || e == ERROR_HANDLE_DISK_FULL)
      rc = cp_error_set(err, CP_E_DISK_FULL, "renaming to %s: disk full", to);
    else
      rc = cp_error_set(err, CP_E_IO, "renaming to %s: Windows error %lu", to, (unsigned long)e);
  }
  free(wf);
  free(wt);
  return rc;
}

void cp_os_unlink(const char *path)
{
  wchar_t *w = path ? wide(path) : NULL;
  if (w)
    (void)_wunlink(w);
  free(w);
}

/* The attributes of path, or INVALID_FILE_ATTRIBUTES. */
static DWORD attributes(const char *path)
{
  wchar_t *w = wide(path);
  DWORD a = w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;
  free(w);
  return a;
}

int cp_os_exists(const char *path)
{
  return attributes(path) != INVALID_FILE_ATTRIBUTES;
}

int cp_os_open_input(const char *path, int private_file, cp_error *err)
{
  /* Windows has no FIFOs to block on and no group/other write bits: a
   * regular-file check (not a folder, not a device such as NUL or CON). */
  (void)private_file;
  wchar_t *w = wide(path);
  int fd = w ? _wopen(w, _O_RDONLY | _O_BINARY) : -1;
  free(w);
  if (fd < 0) {
    int e = errno;
    cp_error_set(err, e == ENOENT ? CP_E_NOT_FOUND : CP_E_IO, "cannot open %s: %s", path,
                 strerror(e));
    return -1;
  }
  struct _stat64 st;
  if (_fstat64(fd, &st) != 0 || !(st.st_mode & _S_IFREG)) {
    cp_error_set(err, CP_E_NOT_REGULAR, "%s is not a regular file; give the path of a file", path);
    _close(fd);
    return -1;
  }
  return fd;
}

void cp_os_release_free_memory(void)
{
}

int cp_os_is_dir(const char *dir)
{
  DWORD a = attributes(dir);
  return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY);
}

void cp_os_utc(time_t t, int iso, char out[32])
{
  struct tm tm;
  if (gmtime_s(&tm, &t) != 0) {
    snprintf(out, 32, "%s", iso ? "1970-01-01T00:00:00Z" : "19700101T000000Z");
    return;
  }
  strftime(out, 32, iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y%m%dT%H%M%SZ", &tm);
}

/* libarchive on Windows converts names through the wide-character API, so
 * there is no locale to switch: names stay UTF-8 (see bundle_os.h). */
void *cp_os_utf8_enter(void)
{
  return NULL;
}

void cp_os_utf8_leave(void *token)
{
  (void)token;
}
#endif
