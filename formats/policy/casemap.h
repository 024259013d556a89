/*
 * Case ids for bench-station bundles: the mapping file a counter or ticket
 * system drops on the station (device serial number or UDID -> case id), and
 * the fallback template such as "BENCH-{date}-{n}" for devices it does not
 * list.
 *
 * Mapping file: one device per line, "KEY CASEID" separated by blanks, '=' or
 * ',' (so a CSV export works); '#' starts a comment line; KEY is a serial
 * number or a UDID, compared without regard to case. A key listed twice is an
 * error (which case would win?). Pure code, buffer in: agent/station/station_casemap.c
 * re-reads the file when it changes.
 *
 * A case id is 1-64 characters of A-Z a-z 0-9 . _ - (not starting with '.'):
 * it names the bundle file and is written into the manifest, so the template
 * has no token for the serial or UDID (those must never reach a bundle).
 */
#ifndef CP_CASEMAP_H
#define CP_CASEMAP_H

#include "cp_err.h"

#include <stddef.h>
#include <time.h>

#define CP_CASE_ID_MAX 64

typedef struct cp_casemap cp_casemap;

/* Parses a mapping file's bytes; errors are CP_E_POLICY "NAME line N: ...". */
cp_err cp_casemap_parse(const char *buf, size_t len, const char *name, cp_casemap **out,
                        cp_error *err);

/* The case id for this device, by UDID first then serial (either may be
 * NULL), or NULL when the map does not list it. Valid until cp_casemap_free. */
const char *cp_casemap_lookup(const cp_casemap *m, const char *serial, const char *udid);

size_t cp_casemap_count(const cp_casemap *m);

void cp_casemap_free(cp_casemap *m);

/* 1 when `id` is a valid case id (see above). */
int cp_case_id_ok(const char *id);

/* Checks a template: tokens {date} (YYYYMMDD, UTC), {time} (HHMMSS, UTC) and
 * {n} (the station's counter for that day); every other character must be a
 * case-id character, and the longest expansion must fit a case id. */
cp_err cp_case_template_check(const char *tmpl, cp_error *err);

/* Expands `tmpl` for the UTC time `utc` and counter `n` into out[cap]. */
cp_err cp_case_template_expand(const char *tmpl, const struct tm *utc, unsigned long n, char *out,
                               size_t cap, cp_error *err);

#endif
