/* See escape.h: one escaping rule for everything a person reads. */
#include "escape.h"

#include <string.h>

/* Decodes one UTF-8 character at s (strict: no overlongs, no surrogates).
 * Returns its length and sets *cp, or 0 for an invalid byte. */
static size_t utf8_char(const unsigned char *s, unsigned long *cp)
{
  unsigned c = s[0];
  size_t len;
  unsigned long v, min;
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF)
    len = 2, v = c & 0x1F, min = 0x80;
  else if (c >= 0xE0 && c <= 0xEF)
    len = 3, v = c & 0x0F, min = 0x800;
  else if (c >= 0xF0 && c <= 0xF4)
    len = 4, v = c & 0x07, min = 0x10000;
  else
    return 0;
  for (size_t k = 1; k < len; k++) {
    if ((s[k] & 0xC0) != 0x80)
      return 0;
    v = (v << 6) | (s[k] & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
    return 0;
  *cp = v;
  return len;
}

static int invisible(unsigned long cp)
{
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || (cp >= 0x200B && cp <= 0x200F) ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF;
}

/* The escaped text of one character at s into t (>= 16 bytes); returns its
 * length and sets *used to the input bytes it stood for. */
static size_t one(const unsigned char *s, char *t, size_t *used)
{
  unsigned long cp = 0;
  size_t n = utf8_char(s, &cp);
  if (n == 0) {
    *used = 1;
    return (size_t)snprintf(t, 16, "\\x%02x", s[0]);
  }
  *used = n;
  if (cp < 0x20 || cp == 0x7F)
    return (size_t)snprintf(t, 16, "\\x%02x", (unsigned)cp);
  if (cp == '\\')
    return (size_t)snprintf(t, 16, "\\\\");
  if (invisible(cp))
    return (size_t)snprintf(t, 16, "\\u%04lx", cp);
  memcpy(t, s, n);
  return n;
}

size_t cp_escape_into(const char *s, char *buf, size_t cap)
{
  size_t o = 0;
  if (!cap)
    return 0;
  for (const unsigned char *p = (const unsigned char *)(s ? s : "-"); *p;) {
    char t[16];
    size_t used, n = one(p, t, &used);
    if (o + n >= cap)
      break;
    memcpy(buf + o, t, n);
    o += n;
    p += used;
  }
  buf[o] = 0;
  return o;
}

void cp_fputs_safe(const char *s, FILE *out)
{
  for (const unsigned char *p = (const unsigned char *)(s ? s : "-"); *p;) {
    char t[16];
    size_t used, n = one(p, t, &used);
    fwrite(t, 1, n, out);
    p += used;
  }
}
