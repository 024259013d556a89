/*
 * Station events: one JSON object per line ("JSON lines") on stdout or in a
 * file, for the bench's dashboard or a log shipper. Every line has "event",
 * "time" (UTC, ISO 8601 with milliseconds) and, for device events, "udid"
 * (events stay on the station; the UDID never goes into a bundle), then the
 * event's own fields. Thread-safe: device threads write whole lines under one
 * lock and each line is flushed at once, so a reader (or a kill -9) never
 * sees half a line from us.
 */
#ifndef CP_EVENTS_H
#define CP_EVENTS_H

#include "cp_err.h"

#include <jansson.h>

typedef struct cp_events cp_events;

/* path NULL or "-": standard output; otherwise the file, appended to. */
cp_err cp_events_open(const char *path, cp_events **out, cp_error *err);

/* Writes one line. `udid` may be NULL (station-wide events); `fields` is
 * borrowed and may be NULL; its "event", "time" and "udid" keys are ignored. */
void cp_events_emit(cp_events *ev, const char *type, const char *udid, const json_t *fields);

/* Non-zero once a write failed (disk full, closed pipe): the caller reports it. */
int cp_events_failed(const cp_events *ev);

/* Closes (stdout is only flushed). */
void cp_events_close(cp_events *ev);

/* "2026-11-23T12:46:32.123Z" for now; buf must hold 32 bytes. */
void cp_events_time(char *buf, size_t cap);

#endif
