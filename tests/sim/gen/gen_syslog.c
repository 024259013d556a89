/* gen_syslog.c: see gen_syslog.h. A line starting "MMM dd HH:MM:SS " (the
 * format idevicesyslog parses) gets the generator's clock; continuation
 * lines of multi-line messages are copied as they are. */
#include "gen_syslog.h"

#include <string.h>

static const char *const MONTHS[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static int dig(char c)
{
  return c >= '0' && c <= '9';
}

/* Month index of a "MMM dd HH:MM:SS " prefix, -1 if LINE has none. */
static int stamp_month(const char *l, size_t n)
{
  int m;
  if (n < 16 || l[3] != ' ' || l[6] != ' ' || l[15] != ' ' || l[9] != ':' || l[12] != ':' ||
      !dig(l[5]) || !dig(l[7]) || !dig(l[8]) || !dig(l[10]) || !dig(l[11]) || !dig(l[13]) ||
      !dig(l[14]))
    return -1;
  for (m = 0; m < 12; m++)
    if (memcmp(l, MONTHS[m], 3) == 0)
      return m;
  return -1;
}

static int64_t stamp_seconds(const char *l, int month)
{
  int day = (l[4] == ' ' ? 0 : (l[4] - '0') * 10) + (l[5] - '0');
  int h = (l[7] - '0') * 10 + (l[8] - '0'), mi = (l[10] - '0') * 10 + (l[11] - '0');
  int s = (l[13] - '0') * 10 + (l[14] - '0');
  return gen_days_from_civil(2026, (unsigned)month + 1, (unsigned)(day ? day : 1)) * 86400 +
         h * 3600 + mi * 60 + s;
}

static void format_stamp(int64_t t, char out[16])
{
  int64_t days = t / 86400, y;
  int64_t sec = t % 86400;
  unsigned m, d;
  gen_civil_from_days(days, &y, &m, &d);
  memcpy(out, MONTHS[m - 1], 3);
  out[3] = ' ';
  out[4] = d >= 10 ? (char)('0' + d / 10) : ' ';
  out[5] = (char)('0' + d % 10);
  out[6] = ' ';
  out[7] = (char)('0' + sec / 36000);
  out[8] = (char)('0' + sec / 3600 % 10);
  out[9] = ':';
  out[10] = (char)('0' + sec / 60 % 60 / 10);
  out[11] = (char)('0' + sec / 60 % 10);
  out[12] = ':';
  out[13] = (char)('0' + sec % 60 / 10);
  out[14] = (char)('0' + sec % 10);
  out[15] = ' ';
}

int gen_syslog_write(FILE *out, const char *base, size_t base_len, uint64_t target,
                     struct gen_rng *rng, uint64_t *written)
{
  int64_t clock = -1;
  uint64_t n = 0;
  size_t pos = 0;
  *written = 0;
  {
    /* the clock starts at the base's first timestamp */
    size_t p = 0;
    while (p < base_len && clock < 0) {
      const char *nl = memchr(base + p, '\n', base_len - p);
      size_t e = nl ? (size_t)(nl - base) : base_len;
      int m = stamp_month(base + p, e - p);
      if (m >= 0)
        clock = stamp_seconds(base + p, m);
      p = e + 1;
    }
  }
  if (clock < 0)
    return -2;
  while (n < target) {
    const char *l = base + pos, *nl;
    size_t e, ll;
    if (pos >= base_len) {
      pos = 0;
      continue;
    }
    nl = memchr(l, '\n', base_len - pos);
    e = nl ? (size_t)(nl - base) : base_len;
    ll = e - pos;
    if (stamp_month(l, ll) >= 0) {
      char st[16];
      clock += (int64_t)gen_rng_below(rng, 3);
      format_stamp(clock, st);
      if (fwrite(st, 1, 16, out) != 16 || fwrite(l + 16, 1, ll - 16, out) != ll - 16)
        return -1;
    } else if (ll && fwrite(l, 1, ll, out) != ll) {
      return -1;
    }
    if (fputc('\n', out) == EOF)
      return -1;
    n += ll + 1;
    pos = e + 1;
  }
  *written = n;
  return 0;
}
