/*
 * report.html, the one page a person reads in a bundle (and on the assist
 * page): it answers first — the phone, its battery verdict with reasons,
 * crashes by kind, what was not collected, what was redacted — then gives
 * the details. Words come through gettext in the language in use (or the
 * findings' "language"); everything from the findings is HTML-escaped.
 * Self-contained (inline CSS, no script), readable at 360 px, printable.
 *
 * Findings keys (every key may be absent or mistyped; see formats/bundle/
 * report_html.h for the list): case_id, created, language, device, battery
 * (+reasons, sources), crashes (+triage), drain, scopes, redaction
 * (+classes_off), probes, sysdiagnose, syslog, members.
 */
#ifndef CP_REPORT_H
#define CP_REPORT_H

#include "report_html.h"

#include <jansson.h>

/* Renders the page; matches cp_report_render_fn (given to the bundle writer). */
cp_err cp_report_render(const json_t *findings, const json_t *members, cp_report_write_fn fn,
                        void *ctx, cp_error *err);

/* English sentence for a battery reason code ("below_80", "cycles_over_rated"),
 * with the reason's value and limit, for findings' "text_en"; NULL for an
 * unknown code. Writes into out. */
const char *cp_report_battery_reason_en(const char *code, double value, double limit, char *out,
                                        size_t size);

#endif
