/*
 * crash_report: iOS diagnostic reports (.ips with any bug_type, legacy
 * "Report Version: 104" .crash text, with or without the .ips JSON header
 * line) parsed into one flat JSON record, and a triage of many records into
 * groups a technician can read ("Safari crashed 14 times with the same stack").
 *
 * Pure code: a buffer and its length in, never a path or a device, so the
 * fuzzers and the bundle writer can call it on bytes they already hold.
 * Damaged input is normal (a prefix read for a quick listing, a truncated
 * pull, a newer iOS with new keys): the parser returns what it could read and
 * says what it could not in the record's "warnings" array.
 */
#ifndef CP_CRASH_REPORT_H
#define CP_CRASH_REPORT_H

#include "cp_err.h"

#include <jansson.h>
#include <stddef.h>

/* Bodies larger than this are not decoded (only the header line is read);
 * the largest real panic-full seen is ~1 MB. */
#define CP_CRASH_MAX_INPUT (32u * 1024u * 1024u)
/* JSON nesting deeper than this is refused before jansson sees it (real
 * reports nest < 12 levels; old jansson versions have no depth limit). */
#define CP_CRASH_MAX_DEPTH 64
/* Frames kept from the crashed thread. */
#define CP_CRASH_MAX_FRAMES 16

/*
 * Parses one report. `filename` (may be NULL) is only copied into the record
 * ("file") and used as a hint (".crash" vs ".ips"); it is never opened.
 *
 * On CP_OK *record is a new object (the caller json_decref()s it) with these
 * keys, each omitted or null when the report does not carry it (never
 * invented):
 *   bug_type (int|null), bug_type_name, kind ("crash", "panic", "jetsam",
 *   "resource", "analytics", "other"), process, bundle_id, app_version,
 *   os_version ("16.0"), os_build ("20A362"), device_model ("iPhone14,2"),
 *   timestamp (string as in the report), time (Unix seconds, int),
 *   incident_id, exception_type, signal, exception_codes, termination_reason,
 *   crashed_thread (int), frames ([{image, symbol, offset}], offset = offset
 *   into the image when known), panic_string (first line), panicked_task,
 *   jetsam {largest_process, reason, killed:[...]}, resource {type, limit,
 *   observed, duration}, battery {maximum_capacity_percent, ...}, signature (hash
 *   string), warnings (array of strings, always present), file.
 * Also, when the report has them: app_build, pid, device_board ("D111AP"),
 *   report_version, bug_type_raw (a non-numeric code), exception_subtype,
 *   exception_message, exception_note, termination_code ("0x8badf00d"),
 *   termination_description, application_specific, exception_frames (last
 *   exception backtrace), frame symbol_offset, panicked_pid, analytics
 *   {records}, signature_basis (the readable text the signature hashes).
 * Damaged or unknown input still gives CP_OK and a record with warnings.
 * Returns CP_E_NOMEM (record NULL) only when the record cannot be allocated,
 * CP_E_INTERNAL for NULL arguments.
 */
cp_err cp_crash_parse(const void *buf, size_t len, const char *filename, json_t **record,
                      cp_error *err);

/*
 * Groups an array of records (as made by cp_crash_parse) for a person:
 *   { groups: [{signature, process, exception_type, kind, count, first_seen,
 *               last_seen, files:[...]}...] sorted by count descending,
 *     panics: {count, first_lines:[{line, count}...]},
 *     jetsam: {count, largest_processes:[{process, count}...]},
 *     total }
 * Crashes, resource reports and other reports are grouped by signature;
 * panics and jetsam events are summarised on their own. first_seen/last_seen
 * are the report timestamps (strings) of the earliest/latest member.
 * Returns NULL only when out of memory or `records` is not an array.
 */
json_t *cp_crash_triage(const json_t *records);

/* The same triage, one record at a time, in memory that does not grow with
 * the number of records (at most 500 groups, 200 panic lines / jetsam
 * processes, 4,000 file names over all groups; the rest counts under
 * "(other)"). cp_triage_result() may be called more than once. */
typedef struct cp_triage cp_triage;
cp_triage *cp_triage_new(void);
void cp_triage_add(cp_triage *t, const json_t *record);
json_t *cp_triage_result(const cp_triage *t);
void cp_triage_free(cp_triage *t);

#endif
