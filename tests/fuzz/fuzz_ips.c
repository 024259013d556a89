/* libFuzzer target: cp_crash_parse on arbitrary bytes, the way a pulled
 * .ips arrives (header line + JSON, JSON-lines or text body). Beyond "no
 * crash", it checks the promises other code relies on: a record always
 * comes back, with a warnings array, a kind and a signature, and it dumps as
 * valid JSON (no invalid UTF-8 slipped into a string). */
#include <stdint.h>
#include <stdlib.h>

#include "crash_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  json_t *rec = NULL;
  if (cp_crash_parse(data, size, "fuzz.ips", &rec, NULL) != CP_OK)
    abort();
  if (!json_is_array(json_object_get(rec, "warnings")) ||
      !json_is_string(json_object_get(rec, "kind")) ||
      !json_is_string(json_object_get(rec, "signature")))
    abort();
  char *s = json_dumps(rec, JSON_COMPACT);
  if (!s)
    abort();
  free(s);
  json_decref(rec);
  return 0;
}
