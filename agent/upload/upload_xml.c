/* A bounded reader for the few fields of S3 XML replies we need (UploadId,
 * ETag, Code, Message, Part/PartNumber). S3 replies are flat and small; a full
 * XML parser would be a new dependency for four fields. Every scan stays inside
 * [xml, xml+len) and never needs a terminating NUL. */
#include "upload_s3.h"

#include <string.h>

/* memmem is not C11 nor on every platform: a plain bounded search. */
static const char *find_bytes(const char *h, size_t hl, const char *n, size_t nl)
{
  if (nl == 0 || hl < nl)
    return NULL;
  for (size_t i = 0; i + nl <= hl; i++)
    if (h[i] == n[0] && !memcmp(h + i, n, nl))
      return h + i;
  return NULL;
}

int cp_xml_find(const char *xml, size_t len, const char *tag, size_t nth, const char **start,
                size_t *inner_len)
{
  char open[80], close[84];
  size_t tl = strlen(tag);
  if (!xml || tl == 0 || tl + 3 >= sizeof open)
    return 0;
  /* Not strings: matched by length (ol, cl) below. */
  open[0] = '<';
  memcpy(open + 1, tag, tl);
  close[0] = '<';
  close[1] = '/';
  memcpy(close + 2, tag, tl);
  close[tl + 2] = '>';
  size_t ol = tl + 1, cl = tl + 3;
  const char *p = xml, *end = xml + len;
  size_t seen = 0;
  while (p < end) {
    const char *o = find_bytes(p, (size_t)(end - p), open, ol);
    if (!o)
      return 0;
    const char *after = o + ol;
    if (after >= end)
      return 0;
    /* "<Part>" or "<Part attr=..>" but not "<PartNumber>". */
    if (*after != '>' && *after != ' ' && *after != '\t' && *after != '\n' && *after != '\r' &&
        *after != '/') {
      p = after;
      continue;
    }
    const char *gt = memchr(after, '>', (size_t)(end - after));
    if (!gt)
      return 0;
    int self_closing = gt > after && gt[-1] == '/';
    const char *inner = gt + 1;
    const char *c = self_closing ? inner : find_bytes(inner, (size_t)(end - inner), close, cl);
    if (!c)
      return 0;
    if (seen++ == nth) {
      *start = inner;
      *inner_len = self_closing ? 0 : (size_t)(c - inner);
      return 1;
    }
    p = self_closing ? inner : c + cl;
  }
  return 0;
}

int cp_xml_text(const char *xml, size_t len, const char *tag, size_t nth, char *out, size_t n)
{
  const char *s;
  size_t l;
  if (!n)
    return 0;
  out[0] = '\0';
  if (!cp_xml_find(xml, len, tag, nth, &s, &l))
    return 0;
  static const struct {
    const char *name;
    char c;
  } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  size_t o = 0;
  for (size_t i = 0; i < l;) {
    char c = s[i];
    size_t adv = 1;
    if (c == '&') {
      int matched = 0;
      for (size_t e = 0; e < sizeof ents / sizeof ents[0]; e++) {
        size_t el = strlen(ents[e].name);
        if (i + el <= l && !memcmp(s + i, ents[e].name, el)) {
          c = ents[e].c;
          adv = el;
          matched = 1;
          break;
        }
      }
      if (!matched && i + 3 < l && s[i + 1] == '#') {
        /* &#34; style, ASCII only; anything else is kept literally. */
        unsigned v = 0;
        size_t j = i + 2;
        while (j < l && j < i + 6 && s[j] >= '0' && s[j] <= '9')
          v = v * 10 + (unsigned)(s[j++] - '0');
        if (j < l && s[j] == ';' && j > i + 2 && v > 0 && v < 128) {
          c = (char)v;
          adv = j + 1 - i;
        }
      }
    }
    i += adv;
    if ((unsigned char)c < 0x20 || c == 0x7f)
      continue;
    if (o + 1 >= n) {
      out[0] = '\0';
      return 0;
    }
    out[o++] = c;
  }
  out[o] = '\0';
  return 1;
}
