/* gen_util.c: splitmix64 random numbers, UUIDs and civil-date conversions
 * (the days_from_civil algorithm, written from its published description). */
#include "gen_util.h"

#include <stdio.h>

void gen_rng_seed(struct gen_rng *r, uint64_t seed)
{
  r->s = seed ^ 0x5DEECE66DULL;
}

uint64_t gen_rng_next(struct gen_rng *r)
{
  uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t gen_rng_below(struct gen_rng *r, uint64_t n)
{
  return n ? gen_rng_next(r) % n : 0;
}

void gen_rng_uuid(struct gen_rng *r, char out[37])
{
  uint64_t a = gen_rng_next(r), b = gen_rng_next(r);
  a = (a & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  b = (b & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  snprintf(out, 37, "%08X-%04X-%04X-%04X-%012llX", (unsigned)(a >> 32),
           (unsigned)((a >> 16) & 0xFFFF), (unsigned)(a & 0xFFFF), (unsigned)(b >> 48),
           (unsigned long long)(b & 0xFFFFFFFFFFFFULL));
}

int64_t gen_days_from_civil(int64_t y, unsigned m, unsigned d)
{
  int64_t era;
  unsigned yoe, doy, doe;
  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = (unsigned)(y - era * 400);
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

void gen_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
  int64_t era;
  unsigned doe, yoe, doy, mp;
  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = (unsigned)(z - era * 146097);
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int num(const char *s, int n)
{
  int v = 0, i;
  for (i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

int64_t gen_parse_stamp(const char *s)
{
  int y = num(s, 4), mo = num(s + 5, 2), d = num(s + 8, 2);
  int h = num(s + 11, 2), mi = num(s + 14, 2), se = num(s + 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
      se < 0 || se > 60 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':')
    return -1;
  return gen_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
}

void gen_format_stamp(int64_t t, char sep, char out[19])
{
  int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400), y;
  int64_t sec = t - days * 86400;
  unsigned m, d;
  char tmp[32];
  gen_civil_from_days(days, &y, &m, &d);
  snprintf(tmp, sizeof tmp, "%04d-%02u-%02u%c%02d:%02d:%02d", (int)y, m, d, sep, (int)(sec / 3600),
           (int)(sec / 60 % 60), (int)(sec % 60));
  for (int i = 0; i < 19; i++)
    out[i] = tmp[i];
}
