/* The storage probe (scope storage): storage/disk_usage.json from the
 * lockdown com.apple.disk_usage domain, with the totals a person reads. */
#include "device.h"
#include "probe.h"

static json_t *num_or_null(const json_t *d, const char *k)
{
  json_t *v = json_object_get(d, k);
  return json_is_integer(v) ? json_incref(v) : json_null();
}

static cp_err run(cp_device *dev, cp_sink *sink, const cp_probe_opts *opts, json_t **summary,
                  cp_error *err)
{
  json_t *du = NULL, *out = NULL;
  (void)opts;
  *summary = NULL;
  cp_err rc = cp_device_get_value(dev, "com.apple.disk_usage", NULL, &du, err);
  if (rc == CP_E_DEVICE_VALUE)
    rc = cp_error_set(err, CP_E_SERVICE_UNAVAILABLE, "the device gives no disk usage");
  if (rc != CP_OK)
    goto out;
  if (!json_is_object(du)) {
    rc = cp_error_set(err, CP_E_PROTOCOL, "disk usage is not a dictionary");
    goto out;
  }
  out = json_pack("{s:o, s:o, s:o, s:o, s:O}", "total_disk_bytes",
                  num_or_null(du, "TotalDiskCapacity"), "total_data_bytes",
                  num_or_null(du, "TotalDataCapacity"), "data_available_bytes",
                  num_or_null(du, "TotalDataAvailable"), "system_bytes",
                  num_or_null(du, "TotalSystemCapacity"), "disk_usage", du);
  if (!out) {
    rc = cp_error_set(err, CP_E_NOMEM, "disk usage");
    goto out;
  }
  rc = cp_sink_add_json(sink, "storage/disk_usage.json", "storage", out, err);
  if (rc == CP_OK) {
    *summary = out;
    out = NULL;
  }
out:
  json_decref(du);
  json_decref(out);
  return rc;
}

const cp_probe cp_probe_storage = {"storage", "storage", run};
