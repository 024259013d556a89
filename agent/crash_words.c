/* See crash_words.h. One table: bug_type, Apple's name (as in
 * formats/crash/crash_bugtype.c), our words, and what --type of those words
 * filters on. */
#include "crash_words.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

typedef struct type_row {
  int bug_type;
  const char *apple; /* Apple's internal name */
  const char *words; /* what a person reads */
  const char *filter;
} type_row;

static const type_row rows[] = {
    {309, "Crash_309", "app crash", "crash"},
    {109, "Crash_109", "app crash", "crash"},
    {9, "Crash_9", "app crash", "crash"},
    {210, "Panic_210", "kernel panic", "panic"},
    {110, "Panic_110", "kernel panic", "panic"},
    {10, "Panic_10", "kernel panic", "panic"},
    {151, "ForceReset", "forced restart", "151"},
    {409, "SystemWatchdogCrash", "watchdog restart", "409"},
    {298, "Jetsam_298", "jetsam (memory)", "jetsam"},
    {198, "LegacyJetsam", "jetsam (memory)", "jetsam"},
    {98, "Jetsam_98", "jetsam (memory)", "jetsam"},
    {202, "SymptomsCPUUsage", "CPU resource", "202"},
    {206, "SymptomsCPUUsageFatal", "CPU resource (fatal)", "206"},
    {142, "SymptomsCPUWakes", "wakeups resource", "142"},
    {145, "SymptomsIO", "disk writes resource", "145"},
    {30, "MemoryResource", "memory resource", "30"},
    {22, "ExcResource_22", "resource limit", "resource"},
    {185, "ExcResource_185", "resource limit", "resource"},
    {385, "ExcResource_385", "resource limit", "resource"},
    {227, "ExcResourceThreads_227", "thread limit", "227"},
    {327, "ExcResourceThreads_327", "thread limit", "327"},
    {288, "Stackshot", "stackshot", "288"},
    {211, "CoreAnalytics_211", "analytics", "analytics"},
    {33, "CoreAnalytics_33", "analytics", "analytics"},
};

/* Words for a kind when the bug_type is not in the table. */
static const struct {
  const char *kind, *words;
} kinds[] = {
    {"crash", "app crash"},         {"panic", "kernel panic"},  {"jetsam", "jetsam (memory)"},
    {"resource", "resource limit"}, {"analytics", "analytics"}, {"other", "other report"},
};

const char *cp_crash_type_words(const json_t *rec)
{
  const json_t *bt = json_object_get(rec, "bug_type");
  if (json_is_integer(bt))
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
      if (rows[i].bug_type == json_integer_value(bt))
        return rows[i].words;
  const char *kind = json_string_value(json_object_get(rec, "kind"));
  for (size_t i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++)
    if (!strcmp(kinds[i].kind, kind))
      return kinds[i].words;
  return "other report";
}

/* Equal ignoring case, with '-', '_' and ' ' alike; "(...)" in b is optional. */
static int same_words(const char *a, const char *b)
{
  for (;; a++, b++) {
    if (*b == ' ' && b[1] == '(' && !*a)
      return 1; /* "jetsam" for "jetsam (memory)" */
    int x = tolower((unsigned char)*a), y = tolower((unsigned char)*b);
    if (x == '-' || x == '_')
      x = ' ';
    if (y == '-' || y == '_')
      y = ' ';
    if (x != y)
      return 0;
    if (!x)
      return 1;
  }
}

const char *cp_crash_type_filter(const char *v)
{
  if (!v || !*v)
    return NULL;
  size_t digits = strspn(v, "0123456789");
  if (digits && !v[digits] && digits < 6)
    return v; /* a bug_type number: any, the device may know newer ones */
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (same_words(v, kinds[i].kind))
      return kinds[i].kind;
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
    if (same_words(v, rows[i].words) || same_words(v, rows[i].apple))
      return rows[i].filter;
  return NULL;
}

const char *cp_crash_type_choices(void)
{
  return "app-crash, kernel-panic, forced-restart, watchdog-restart, jetsam, cpu-resource, "
         "wakeups-resource, disk-writes-resource, memory-resource, resource, analytics, or a "
         "bug_type number";
}
