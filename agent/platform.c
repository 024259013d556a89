/* See platform.h: each function is one #if per platform. */
#include "platform.h"

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
