/*
 * report.html plumbing shared by the bundle writer and the agent's report
 * renderer (agent/report/, which owns the page and its words):
 *
 * - the callback the page is written through, so it streams into a member;
 * - the renderer type the bundle writer calls (cp_bundle_opts.report);
 * - HTML escaping;
 * - a wordless fallback page (the findings as escaped JSON) for a writer
 *   given no renderer, so report.html is always present and valid.
 *
 * The findings object the renderer reads (every key may be missing or of an
 * unexpected type; every string is escaped; tables are capped at
 * CP_REPORT_MAX_ROWS):
 *
 *   {"case_id", "created", "language": "en"|"zh-Hans",
 *    "device": {...}, "battery": {..., "reasons": [{"code", "text_en", "value", "limit"}],
 *                                  "sources": {figure: where}},
 *    "crashes": {"triage": {"groups": [...], "panics": {...}, "jetsam": {...}, "total": n}},
 *    "drain": {"since", "suspects": [...]}, "sysdiagnose": {"members", "left_out": [...]},
 *    "syslog": {"bytes", "truncated", "why"},
 *    "scopes": {"granted": [...], "refused": [...]},
 *    "redaction": {..., "classes_off": [...]}, "probes": {...}, "members": [...]}
 */
#ifndef CP_REPORT_HTML_H
#define CP_REPORT_HTML_H

#include "cp_err.h"

#include <jansson.h>
#include <stddef.h>

#define CP_REPORT_MAX_ROWS 500

/* Receives the page in pieces; returns CP_OK or an error that stops the page. */
typedef cp_err (*cp_report_write_fn)(void *ctx, const void *buf, size_t len, cp_error *err);

/* Writes the page for `findings` (NULL = {}); `members` (may be NULL) is used
 * for the file list when findings has no "members" array. The bundle writer
 * passes one entry per member: the first CP_REPORT_MAX_ROWS are manifest rows,
 * later ones are null (counted for "N more files", never shown), so the list
 * does not grow by a jansson object per member. */
typedef cp_err (*cp_report_render_fn)(const json_t *findings, const json_t *members,
                                      cp_report_write_fn fn, void *ctx, cp_error *err);

/* The fallback renderer: a valid, self-contained page with no sentences in
 * it, only the findings as indented, escaped JSON. */
cp_err cp_report_html_fallback(const json_t *findings, const json_t *members, cp_report_write_fn fn,
                               void *ctx, cp_error *err);

/* Appends `s` HTML-escaped (& < > " ' and control characters) to fn. */
cp_err cp_report_html_escape(const char *s, cp_report_write_fn fn, void *ctx, cp_error *err);

#endif
