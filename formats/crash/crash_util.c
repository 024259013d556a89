/* Small bounded helpers shared by the crash-report parsers: safe strings from
 * untrusted bytes, first-value-wins setters, warnings, report timestamps and
 * OS version strings, a JSON depth pre-check and a salvage scanner. */
#include "crash_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void cp__crash_warn(json_t *rec, const char *fmt, ...)
{
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  (void)vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  json_t *w = json_object_get(rec, "warnings");
  if (!json_is_array(w))
    return;
  /* A damaged report can trigger the same warning many times: keep it short. */
  if (json_array_size(w) >= 32)
    return;
  json_t *s = cp__crash_strn(buf, strlen(buf));
  if (s)
    (void)json_array_append_new(w, s);
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
  unsigned char c = p[0];
  size_t len;
  unsigned cp;
  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (n < len)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((p[i] & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0;
  return len;
}

json_t *cp__crash_strn(const char *s, size_t n)
{
  if (!s)
    return NULL;
  while (n > 0 && isspace((unsigned char)s[0])) {
    s++;
    n--;
  }
  while (n > 0 && isspace((unsigned char)s[n - 1]))
    n--;
  if (n == 0)
    return NULL;
  if (n > CP_CRASH_MAX_STR)
    n = CP_CRASH_MAX_STR;
  char buf[CP_CRASH_MAX_STR + 1];
  size_t o = 0;
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    size_t l = utf8_seq(u + i, n - i);
    if (l == 0 || (l == 1 && u[i] < 0x20 && u[i] != '\t')) {
      buf[o++] = '?';
      i++;
      continue;
    }
    memcpy(buf + o, u + i, l);
    o += l;
    i += l;
  }
  return json_stringn(buf, o);
}

void cp__crash_set_new(json_t *obj, const char *key, json_t *v)
{
  if (!v)
    return;
  if (json_object_get(obj, key)) {
    json_decref(v);
    return;
  }
  (void)json_object_set_new(obj, key, v);
}

void cp__crash_setn(json_t *obj, const char *key, const char *s, size_t n)
{
  if (json_object_get(obj, key))
    return;
  cp__crash_set_new(obj, key, cp__crash_strn(s, n));
}

void cp__crash_set(json_t *obj, const char *key, const char *s)
{
  if (s)
    cp__crash_setn(obj, key, s, strlen(s));
}

void cp__crash_set_jstr(json_t *obj, const char *key, const json_t *v)
{
  if (json_is_string(v))
    cp__crash_setn(obj, key, json_string_value(v), json_string_length(v));
}

/* Reads exactly `digits` decimal digits at s[*i]. */
static bool num(const char *s, size_t n, size_t *i, int digits, int *out)
{
  int v = 0;
  for (int k = 0; k < digits; k++) {
    if (*i >= n || !isdigit((unsigned char)s[*i]))
      return false;
    v = v * 10 + (s[(*i)++] - '0');
  }
  *out = v;
  return true;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian); portable
 * replacement for timegm(). */
static int64_t days_from_civil(int y, int m, int d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool cp__crash_parse_time(const char *s, size_t n, int64_t *out)
{
  size_t i = 0;
  int Y, M, D, h, m, sec, zh, zm;
  while (i < n && isspace((unsigned char)s[i]))
    i++;
  if (!num(s, n, &i, 4, &Y) || i >= n || s[i++] != '-' || !num(s, n, &i, 2, &M) || i >= n ||
      s[i++] != '-' || !num(s, n, &i, 2, &D) || i >= n || (s[i] != ' ' && s[i] != 'T'))
    return false;
  i++;
  if (!num(s, n, &i, 2, &h) || i >= n || s[i++] != ':' || !num(s, n, &i, 2, &m) || i >= n ||
      s[i++] != ':' || !num(s, n, &i, 2, &sec))
    return false;
  if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
    return false;
  if (i < n && s[i] == '.') /* fraction: dropped, time is whole seconds */
    for (i++; i < n && isdigit((unsigned char)s[i]);)
      i++;
  while (i < n && s[i] == ' ')
    i++;
  int64_t off = 0;
  if (i < n && s[i] == 'Z') {
    off = 0;
  } else if (i < n && (s[i] == '+' || s[i] == '-')) {
    int sign = s[i++] == '-' ? -1 : 1;
    if (!num(s, n, &i, 2, &zh))
      return false;
    if (i < n && s[i] == ':')
      i++;
    if (!num(s, n, &i, 2, &zm) || zh > 14 || zm > 59)
      return false;
    off = sign * (int64_t)(zh * 3600 + zm * 60);
  } else {
    return false; /* no zone: a Unix time would be a guess */
  }
  *out = days_from_civil(Y, M, D) * 86400 + h * 3600 + m * 60 + sec - off;
  return true;
}

void cp__crash_set_timestamp(json_t *rec, const char *s, size_t n)
{
  if (json_object_get(rec, "timestamp"))
    return;
  json_t *ts = cp__crash_strn(s, n);
  if (!ts)
    return;
  int64_t t;
  if (cp__crash_parse_time(json_string_value(ts), json_string_length(ts), &t))
    cp__crash_set_new(rec, "time", json_integer((json_int_t)t));
  else
    cp__crash_warn(rec, "timestamp '%.64s' has no readable date and zone", json_string_value(ts));
  cp__crash_set_new(rec, "timestamp", ts);
}

void cp__crash_set_os(json_t *rec, const char *s, size_t n)
{
  /* The version is the last dotted number before '(', the build is inside. */
  const char *open = memchr(s, '(', n);
  size_t head = open ? (size_t)(open - s) : n;
  size_t i = 0, vb = 0, ve = 0;
  while (i < head) {
    if (isdigit((unsigned char)s[i])) {
      size_t b = i;
      while (i < head && (isdigit((unsigned char)s[i]) || s[i] == '.'))
        i++;
      if (memchr(s + b, '.', i - b) || !vb) {
        vb = b;
        ve = i;
      }
    } else {
      i++;
    }
  }
  if (ve > vb)
    cp__crash_setn(rec, "os_version", s + vb, ve - vb);
  if (open) {
    const char *b = open + 1;
    const char *end = s + n;
    const char *close = memchr(b, ')', (size_t)(end - b));
    if (close) {
      if ((size_t)(close - b) > 6 && !memcmp(b, "Build ", 6))
        b += 6;
      cp__crash_setn(rec, "os_build", b, (size_t)(close - b));
    }
  }
}

bool cp__crash_depth_ok(const char *p, size_t n, int max)
{
  int depth = 0;
  for (size_t i = 0; i < n; i++) {
    char c = p[i];
    if (c == '"') {
      for (i++; i < n && p[i] != '"'; i++)
        if (p[i] == '\\')
          i++;
    } else if (c == '{' || c == '[') {
      if (++depth > max)
        return false;
    } else if (c == '}' || c == ']') {
      depth--;
    }
  }
  return true;
}

const char *cp__crash_memmem(const char *h, size_t hn, const char *needle, size_t nn)
{
  if (nn == 0 || hn < nn)
    return NULL;
  for (size_t i = 0; i + nn <= hn; i++) {
    const char *c = memchr(h + i, needle[0], hn - nn - i + 1);
    if (!c)
      return NULL;
    i = (size_t)(c - h);
    if (!memcmp(c, needle, nn))
      return c;
  }
  return NULL;
}

bool cp__crash_int(const json_t *v, long long *out)
{
  if (json_is_integer(v)) {
    *out = (long long)json_integer_value(v);
    return true;
  }
  if (json_is_real(v)) {
    double d = json_real_value(v);
    if (d >= -9.0e18 && d <= 9.0e18 && d == (double)(long long)d) {
      *out = (long long)d;
      return true;
    }
  }
  return false;
}

json_t *cp__crash_num(const json_t *v)
{
  long long i;
  if (cp__crash_int(v, &i))
    return json_integer((json_int_t)i);
  if (json_is_real(v))
    return json_real(json_real_value(v));
  return NULL;
}

/* Decodes a JSON string starting after its opening quote into buf; stops at
 * the closing quote or the end of the buffer (a truncated value is kept, and
 * *closed says whether the value ended inside the buffer or filled buf). */
static size_t decode_raw(const char *p, size_t n, char *buf, size_t cap, bool *closed)
{
  size_t o = 0, i = 0;
  for (; i < n && p[i] != '"' && o < cap; i++) {
    char c = p[i];
    if (c == '\\' && i + 1 < n) {
      char e = p[++i];
      switch (e) {
      case 'n': c = '\n'; break;
      case 't': c = '\t'; break;
      case 'r': c = '\r'; break;
      case 'u':
        c = '?';
        i += (n - i > 4) ? 4 : n - i - 1;
        break;
      default: c = e;
      }
    }
    buf[o++] = c;
  }
  if (closed)
    *closed = (i < n && p[i] == '"') || o == cap;
  return o;
}

size_t cp__crash_salvage_raw(const char *p, size_t n, const char *key, char *buf, size_t cap,
                             bool *closed)
{
  char pat[80];
  int pl = snprintf(pat, sizeof pat, "\"%s\"", key);
  if (pl <= 0 || (size_t)pl >= sizeof pat)
    return 0;
  const char *at = cp__crash_memmem(p, n, pat, (size_t)pl);
  while (at) {
    size_t i = (size_t)(at - p) + (size_t)pl;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
      i++;
    if (i < n && p[i] == ':') {
      for (i++; i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r');)
        i++;
      if (i < n && p[i] == '"')
        return decode_raw(p + i + 1, n - i - 1, buf, cap, closed);
      return 0;
    }
    size_t next = (size_t)(at - p) + 1;
    at = cp__crash_memmem(p + next, n - next, pat, (size_t)pl);
  }
  return 0;
}

json_t *cp__crash_salvage_string(const char *p, size_t n, const char *key)
{
  char buf[CP_CRASH_MAX_STR];
  bool closed = false;
  size_t l = cp__crash_salvage_raw(p, n, key, buf, sizeof buf, &closed);
  /* A value cut by the end of the buffer ("iOSCrash" of "iOSCrashingTest")
   * would be a wrong value, not a partial one: leave it out. */
  return l && closed ? cp__crash_strn(buf, l) : NULL;
}
