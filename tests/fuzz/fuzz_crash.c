/* libFuzzer target: legacy .crash text (and anything else) through
 * cp_crash_parse, then the parsed record and a record of the input's first
 * half through cp_crash_triage, as `caseprobe parse` does with many files.
 * Checks that triage counts every record once. */
#include <stdint.h>
#include <stdlib.h>

#include "crash_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  json_t *a = NULL, *b = NULL;
  if (cp_crash_parse(data, size, "fuzz.crash", &a, NULL) != CP_OK ||
      cp_crash_parse(data, size / 2, "half.crash", &b, NULL) != CP_OK)
    abort();
  json_t *records = json_array();
  if (!records)
    abort();
  (void)json_array_append_new(records, a);
  (void)json_array_append_new(records, b);
  json_t *t = cp_crash_triage(records);
  if (!t || json_integer_value(json_object_get(t, "total")) != 2)
    abort();
  char *s = json_dumps(t, JSON_COMPACT);
  if (!s)
    abort();
  free(s);
  json_decref(t);
  json_decref(records);
  return 0;
}
