/* See safepath.h: refuse every name that could escape the output folder. */
#include "safepath.h"

#include <string.h>

int cp_path_is_safe(const char *rel, size_t len)
{
  if (!rel || len == 0 || len > 1024 || memchr(rel, '\0', len))
    return 0;
  if (rel[0] == '/' || (len >= 2 && rel[1] == ':'))
    return 0;
  size_t start = 0;
  for (size_t i = 0; i <= len; i++) {
    if (i < len) {
      unsigned char c = (unsigned char)rel[i];
      if (c < 0x20 || c == 0x7f || c == '\\')
        return 0;
      if (c != '/')
        continue;
    }
    size_t n = i - start;
    if (n == 0 || n > CP_PATH_MAX_COMPONENT)
      return 0;
    if ((n == 1 && rel[start] == '.') || (n == 2 && rel[start] == '.' && rel[start + 1] == '.'))
      return 0;
    start = i + 1;
  }
  return 1;
}
