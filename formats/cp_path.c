/* See cp_path.h. */
#include "cp_path.h"

#if defined(_WIN32)
#include <errno.h>
#include <stdlib.h>
#include <windows.h>

wchar_t *cp_path_wide(const char *path)
{
  int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, NULL, 0);
  if (n <= 0) {
    errno = EINVAL;
    return NULL;
  }
  wchar_t *w = malloc((size_t)n * sizeof *w);
  if (!w) {
    errno = ENOMEM;
    return NULL;
  }
  MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, w, n);
  return w;
}

FILE *cp_fopen(const char *path, const char *mode)
{
  wchar_t *wp = cp_path_wide(path), *wm = cp_path_wide(mode);
  FILE *f = wp && wm ? _wfopen(wp, wm) : NULL;
  int e = errno;
  free(wp);
  free(wm);
  errno = e;
  return f;
}
#else
FILE *cp_fopen(const char *path, const char *mode)
{
  return fopen(path, mode);
}
#endif
