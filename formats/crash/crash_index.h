/*
 * The crash index of a pull (crashes/index.json) in memory that does not grow
 * with the report count: each row goes to an anonymous spool file as one line
 * of compact JSON while a fixed-size triage (crash_report.h) is updated;
 * at the end the index member is streamed into a sink from the spool.
 * 10,000 reports cost a few KB of heap, not 16 KB each.
 *
 * Written member: {"bytes": ..., "count": n, <the caller's other keys>,
 *                  "reports": [row, ...], "triage": {...}}
 */
#ifndef CP_CRASH_INDEX_H
#define CP_CRASH_INDEX_H

#include "cp_err.h"
#include "sink.h"

#include <jansson.h>
#include <stddef.h>

typedef struct cp_crash_index cp_crash_index;

cp_err cp_crash_index_new(cp_crash_index **out, cp_error *err);

/* Spools one row (a parsed, trimmed record) and counts it in the triage. */
cp_err cp_crash_index_add(cp_crash_index *x, const json_t *row, cp_error *err);

size_t cp_crash_index_count(const cp_crash_index *x);

/* The triage so far (a new reference), or NULL when out of memory. */
json_t *cp_crash_index_triage(const cp_crash_index *x);

/* Streams the index member `path` into `sink`: the keys of `head` (an
 * object; "reports" and "triage" are added here), rows in the order added. */
cp_err cp_crash_index_write(cp_crash_index *x, cp_sink *sink, const char *path, const char *scope,
                            const json_t *head, const json_t *triage, cp_error *err);

void cp_crash_index_free(cp_crash_index *x);

#endif
