/*
 * Which reports fit when a device holds more than a bundle may: the newest
 * ones. Pure arithmetic on the listing's modification times, so the rule
 * is tested apart from the device (tests/unit/test_crash_parse.c).
 */
#ifndef CP_CRASH_SELECT_H
#define CP_CRASH_SELECT_H

#include <stddef.h>
#include <stdint.h>

/* Of n files with these mtimes (any order), the newest `cap` are kept:
 * returns the cut-off time, and *room gets how many files of exactly that
 * time still fit once every newer one is in (ties are kept in listing order
 * until the cap is reached). Returns INT64_MIN (all kept, *room = n) when
 * n <= cap; INT64_MAX when out of memory (callers keep none of the ties
 * and say so). */
int64_t cp_crash_newest_cutoff(const int64_t *mtimes, size_t n, size_t cap, size_t *room);

#endif
