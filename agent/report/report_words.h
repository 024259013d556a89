/*
 * The report's vocabulary: plain, translated names for the codes that findings
 * carry (scope names, redaction classes, crash kinds, battery figures and
 * reasons, drain kinds, syslog stop reasons). Internal to agent/report.
 */
#ifndef CP_REPORT_WORDS_H
#define CP_REPORT_WORDS_H

#include <stddef.h>

/* Each returns a translated phrase, or NULL when the code is unknown (the
 * caller then shows the code itself, escaped). */
const char *cp_rw_scope(const char *scope);
const char *cp_rw_class(const char *redaction_class);
const char *cp_rw_drain_kind(const char *kind);
const char *cp_rw_syslog_why(const char *why);
const char *cp_rw_sysdiag_why(const char *why);
const char *cp_rw_battery_label(const char *key);
const char *cp_rw_verdict(const char *verdict);

/* Battery reason sentence, translated (en=0) or in English (en=1). */
const char *cp_rw_battery_reason(const char *code, double value, double limit, int en, char *out,
                                 size_t size);

#endif
