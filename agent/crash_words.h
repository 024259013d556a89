/*
 * Crash report types in words a person reads ("app crash", "kernel panic",
 * "forced restart", "jetsam (memory)", "CPU resource"), from a parsed
 * record's bug_type and kind (formats/crash/crash_report.h), and the --type
 * words `crashes` accepts. The agent owns these words; formats only knows
 * bug_type numbers and Apple's internal names.
 */
#ifndef CP_CRASH_WORDS_H
#define CP_CRASH_WORDS_H

#include <jansson.h>

/* The words for a record ({"bug_type": 309, "kind": "crash", ...}). */
const char *cp_crash_type_words(const json_t *rec);

/* Maps a --type value to the filter the crashlogs probe understands (a
 * bug_type number or a kind), or NULL when the value names no type (a
 * usage error). Accepts a number, a kind (crash, panic, jetsam, resource,
 * analytics, other), Apple's name (ForceReset) or our words, any case, with
 * '-' or '_' for spaces ("forced-restart"). */
const char *cp_crash_type_filter(const char *value);

/* The words --type accepts, for the usage error ("app crash, kernel panic, ..."). */
const char *cp_crash_type_choices(void);

#endif
