/* A JSON skimmer: finds where each top-level member or array element starts
 * and ends without building it, so a 1 MB panic-full (processByPid,
 * binaryImages) or a 440-process JetsamEvent decodes only the few values a
 * record needs. Iterative (no recursion, so no depth limit to trust) and
 * bounded by the buffer length. It checks shape (quotes, bracket balance),
 * not full grammar: what it hands on is decoded by jansson, which checks the
 * rest; what it skips is never looked at. */
#include "crash_internal.h"

static size_t ws(const char *p, size_t n, size_t i)
{
  while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
    i++;
  return i;
}

/* Offset just past the string whose opening quote is at p[i], or 0. */
static size_t skip_string(const char *p, size_t n, size_t i)
{
  for (i++; i < n; i++) {
    if (p[i] == '\\')
      i++;
    else if (p[i] == '"')
      return i + 1;
  }
  return 0;
}

size_t cp__crash_json_skip(const char *p, size_t n, size_t i)
{
  if (i >= n)
    return 0;
  char c = p[i];
  if (c == '"')
    return skip_string(p, n, i);
  if (c == '{' || c == '[') {
    size_t depth = 0;
    for (; i < n; i++) {
      c = p[i];
      if (c == '"') {
        size_t e = skip_string(p, n, i);
        if (!e)
          return 0;
        i = e - 1;
      } else if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        if (--depth == 0)
          return i + 1;
      }
    }
    return 0;
  }
  size_t s = i;
  while (i < n && p[i] != ',' && p[i] != '}' && p[i] != ']' && p[i] != ' ' && p[i] != '\t' &&
         p[i] != '\n' && p[i] != '\r' && p[i] != '{' && p[i] != '[' && p[i] != '"' && p[i] != ':')
    i++;
  /* A scalar running into the end of the buffer may be cut short. */
  return (i == s || i == n) ? 0 : i;
}

bool cp__crash_json_members(const char *p, size_t n, cp__crash_member_fn fn, void *ctx,
                            size_t *stop)
{
  size_t i = ws(p, n, 0);
  bool ok = false;
  if (i >= n || p[i] != '{')
    goto out;
  i = ws(p, n, i + 1);
  if (i < n && p[i] == '}') {
    ok = true;
    goto out;
  }
  for (;;) {
    if (i >= n || p[i] != '"')
      goto out;
    size_t ke = skip_string(p, n, i);
    if (!ke)
      goto out;
    const char *key = p + i + 1;
    size_t kn = ke - i - 2;
    i = ws(p, n, ke);
    if (i >= n || p[i] != ':')
      goto out;
    i = ws(p, n, i + 1);
    size_t ve = cp__crash_json_skip(p, n, i);
    if (!ve)
      goto out;
    fn(ctx, key, kn, p + i, ve - i);
    i = ws(p, n, ve);
    if (i < n && p[i] == '}') {
      ok = true;
      i++;
      goto out;
    }
    if (i >= n || p[i] != ',')
      goto out;
    i = ws(p, n, i + 1);
  }
out:
  if (stop)
    *stop = i;
  return ok;
}

bool cp__crash_json_elements(const char *p, size_t n, cp__crash_element_fn fn, void *ctx)
{
  size_t i = ws(p, n, 0), idx = 0;
  if (i >= n || p[i] != '[')
    return false;
  i = ws(p, n, i + 1);
  if (i < n && p[i] == ']')
    return true;
  for (;;) {
    size_t ve = cp__crash_json_skip(p, n, i);
    if (!ve)
      return false;
    fn(ctx, idx++, p + i, ve - i);
    i = ws(p, n, ve);
    if (i < n && p[i] == ']')
      return true;
    if (i >= n || p[i] != ',')
      return false;
    i = ws(p, n, i + 1);
  }
}
