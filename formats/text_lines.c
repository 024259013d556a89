/* See text_lines.h. */
#include "text_lines.h"

#include <string.h>

void cp_text_lines_init(cp_text_lines *t, const char *buf, size_t len)
{
  t->buf = buf;
  t->len = len;
  t->pos = 0;
  t->line = 0;
  /* A UTF-8 byte-order mark is not part of the first line's text. */
  if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
    t->pos = 3;
}

int cp_text_lines_next(cp_text_lines *t, const char **s, size_t *n)
{
  if (t->pos >= t->len)
    return 0;
  t->line++;
  const char *p = t->buf + t->pos;
  const char *nl = memchr(p, '\n', t->len - t->pos);
  size_t l = nl ? (size_t)(nl - p) : t->len - t->pos;
  t->pos += l + (nl ? 1 : 0);
  if (l > 0 && p[l - 1] == '\r')
    l--;
  *s = p;
  *n = l;
  return 1;
}
