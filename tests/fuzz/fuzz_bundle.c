/* libFuzzer target for the bundle reader and the verify logic: bytes ->
 * cp_bundle_open_memory -> cp_bundle_check (what `caseprobe verify` and
 * `inspect` run), then the report page built from whatever was read, so
 * hostile manifests, consent and redaction members reach the HTML writer too.
 * Seeds: tests/fuzz/corpus/bundle/ (small real bundles). */
#include "bundle_check.h"
#include "bundle_read.h"
#include "report.h"

#include <stddef.h>
#include <stdint.h>

static cp_err discard(void *ctx, const void *buf, size_t len, cp_error *err)
{
  (void)buf;
  (void)err;
  *(size_t *)ctx += len;
  return CP_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  cp_bundle_reader *r = NULL;
  json_t *rep = NULL;
  cp_error err;
  if (cp_bundle_open_memory(data, size, &r, &err) == CP_OK)
    (void)cp_bundle_check(r, NULL, &rep, &err);
  cp_bundle_close(r);
  if (rep) {
    json_t *f =
        json_pack("{s:O, s:O, s:O, s:{s:O}}", "device", json_object_get(rep, "device"), "redaction",
                  json_object_get(rep, "redaction"), "members", json_object_get(rep, "members"),
                  "crashes", "groups", json_object_get(rep, "crash_index"));
    size_t n = 0;
    if (f)
      (void)cp_report_render(f, NULL, discard, &n, &err);
    json_decref(f);
    json_decref(rep);
  }
  return 0;
}
