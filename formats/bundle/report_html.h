/*
 * report.html: the one page a person reads in a bundle. Self-contained (no
 * external assets, no JavaScript, inline CSS), accessible (lang, headings in
 * order, tables with caption and th scope, text next to every graphic, high
 * contrast), and built only from the `findings` JSON the caller passes:
 *
 *   {"case_id": "...", "created": "...",
 *    "device": {...}, "battery": {...},
 *    "crashes": {"groups": [...], "panics": {...}|n, "jetsam": {...}|n, "total": n},
 *    "scopes": {"granted": [...], "refused": [...]},
 *    "redaction": {...redactor report...}, "members": [...]}
 *
 * Any key may be missing or of an unexpected type: that section then says
 * "not collected". Every string from the findings is HTML-escaped; tables are
 * capped (CP_REPORT_MAX_ROWS) so a huge findings object cannot make a huge page.
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
 * for "what was collected" when findings has no "members" array. */
cp_err cp_report_html_write(const json_t *findings, const json_t *members, cp_report_write_fn fn,
                            void *ctx, cp_error *err);

/* Appends `s` HTML-escaped (& < > " ' and control characters) to fn. */
cp_err cp_report_html_escape(const char *s, cp_report_write_fn fn, void *ctx, cp_error *err);

#endif
