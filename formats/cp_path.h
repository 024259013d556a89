/* Opening files by UTF-8 name on every platform: fopen on POSIX, _wfopen on
 * Windows (whose narrow fopen takes the ANSI code page and so cannot open
 * most non-ASCII names). */
#ifndef CP_PATH_H
#define CP_PATH_H

#include <stdio.h>

/* fopen(path, mode) with path in UTF-8; NULL with errno set on failure. */
FILE *cp_fopen(const char *path, const char *mode);

#if defined(_WIN32)
#include <wchar.h>
/* UTF-8 -> malloc'd UTF-16 for the wide Windows calls; NULL (errno EINVAL or
 * ENOMEM) when path is not UTF-8 or memory ran out. */
wchar_t *cp_path_wide(const char *path);
#endif

#endif
