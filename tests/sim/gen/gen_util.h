/* gen_util.h: deterministic random numbers and calendar arithmetic for
 * caseprobe-sim-gen. Own implementations (not rand(), not timegm) so a seed
 * gives the same profile on every platform and C library. */
#ifndef CP_SIM_GEN_UTIL_H
#define CP_SIM_GEN_UTIL_H

#include <stdint.h>

struct gen_rng {
  uint64_t s;
};

void gen_rng_seed(struct gen_rng *r, uint64_t seed);
uint64_t gen_rng_next(struct gen_rng *r);
/* uniform in [0, n); n > 0 */
uint64_t gen_rng_below(struct gen_rng *r, uint64_t n);
/* an upper-case version-4 UUID string, 36 chars + NUL */
void gen_rng_uuid(struct gen_rng *r, char out[37]);

/* Proleptic Gregorian civil date <-> days since 1970-01-01. */
int64_t gen_days_from_civil(int64_t y, unsigned m, unsigned d);
void gen_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/* "YYYY-MM-DD?HH:MM:SS" (any separator at index 10) -> seconds since the
 * epoch in the string's own (unstated) zone; -1 if it is not such a string. */
int64_t gen_parse_stamp(const char *s);
/* Writes 19 chars "YYYY-MM-DD?HH:MM:SS" using SEP at index 10 (no NUL). */
void gen_format_stamp(int64_t t, char sep, char out[19]);

#endif
