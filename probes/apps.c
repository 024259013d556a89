/* The apps probe (scope apps): apps/apps.json, the user-installed apps from
 * installation_proxy Browse with name, bundle id and version, sorted by
 * bundle id so bundles are reproducible. */
#include "device.h"
#include "probe.h"

#include <stdlib.h>
#include <string.h>

static const char *str(const json_t *o, const char *k)
{
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : NULL;
}

static int by_bundle(const void *a, const void *b)
{
  const char *x = str(*(json_t *const *)a, "bundle_id");
  const char *y = str(*(json_t *const *)b, "bundle_id");
  return strcmp(x ? x : "", y ? y : "");
}

static cp_err run(cp_device *dev, cp_sink *sink, const cp_probe_opts *opts, json_t **summary,
                  cp_error *err)
{
  json_t *raw = NULL, *apps = NULL, *doc = NULL;
  json_t **rows = NULL;
  (void)opts;
  *summary = NULL;
  cp_err rc = cp_device_browse_apps(dev, "User", &raw, err);
  if (rc != CP_OK)
    goto out;
  size_t n = json_array_size(raw);
  rows = calloc(n ? n : 1, sizeof *rows);
  apps = json_array();
  if (!rows || !apps) {
    rc = cp_error_set(err, CP_E_NOMEM, "app list");
    goto out;
  }
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    const json_t *a = json_array_get(raw, i);
    const char *id = str(a, "CFBundleIdentifier");
    if (!json_is_object(a) || !id)
      continue;
    const char *name = str(a, "CFBundleDisplayName");
    if (!name || !*name)
      name = str(a, "CFBundleName");
    json_t *row = json_pack("{s:s, s:s?, s:s?, s:s?, s:s?}", "bundle_id", id, "name", name,
                            "version", str(a, "CFBundleShortVersionString"), "build",
                            str(a, "CFBundleVersion"), "type", str(a, "ApplicationType"));
    if (!row) {
      rc = cp_error_set(err, CP_E_NOMEM, "app list");
      goto out;
    }
    rows[k++] = row;
  }
  qsort(rows, k, sizeof *rows, by_bundle);
  for (size_t i = 0; i < k; i++) {
    json_array_append_new(apps, rows[i]);
    rows[i] = NULL;
  }
  doc = json_pack("{s:I, s:O}", "count", (json_int_t)k, "apps", apps);
  if (!doc) {
    rc = cp_error_set(err, CP_E_NOMEM, "app list");
    goto out;
  }
  rc = cp_sink_add_json(sink, "apps/apps.json", "apps", doc, err);
  if (rc == CP_OK) {
    *summary = doc;
    doc = NULL;
  }
out:
  for (size_t i = 0; rows && i < json_array_size(raw); i++)
    json_decref(rows[i]);
  free(rows);
  json_decref(raw);
  json_decref(apps);
  json_decref(doc);
  return rc;
}

const cp_probe cp_probe_apps = {"apps", "apps", run};
