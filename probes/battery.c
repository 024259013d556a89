/* The battery probe (scope battery): battery/health.json (normalized, every
 * figure with its source) and battery/ioreg.json (the raw answers). It asks
 * the sources of formats/battery_health.h in turn; a missing source is
 * normal (older iOS, no Analytics report yet), a lost device is not. */
#include "afc.h"
#include "battery_health.h"
#include "device.h"
#include "probe.h"
#include "product_names.h"

#include <stdlib.h>
#include <string.h>

#define CP_ANALYTICS_MAX_FILES 3
#define CP_ANALYTICS_MAX_BYTES (32u * 1024u * 1024u)
#define CP_READ_CHUNK (1024u * 1024u)
#define CP_OVERLAP 64u

/* Failures that end the probe; anything else only means "this source is absent". */
static int fatal(cp_err rc)
{
  return cp_err_severity(rc) >= CP_SEV_PROBE;
}

/* Newest first by file name (Analytics-YYYY-MM-DD-HHMMSS...), whatever the folder. */
static int newest_first(const void *a, const void *b)
{
  const char *x = *(char *const *)a, *y = *(char *const *)b;
  const char *bx = strrchr(x, '/') ? strrchr(x, '/') + 1 : x;
  const char *by = strrchr(y, '/') ? strrchr(y, '/') + 1 : y;
  return strcmp(by, bx);
}

/* Streams one report through the scanner, keeping a small overlap so a key
 * split across two reads is still found. Reads never ask for more than the
 * file has left (see cp_afc_file_read). */
static cp_err scan_file(cp_afc *afc, const char *path, int *percent, int *found, cp_error *err)
{
  uint64_t h = 0;
  cp_afc_stat st;
  cp_err rc = cp_afc_stat_path(afc, path, &st, err);
  if (rc != CP_OK)
    return rc;
  char *buf = malloc(CP_READ_CHUNK + CP_OVERLAP);
  if (!buf)
    return cp_error_set(err, CP_E_NOMEM, "analytics buffer");
  rc = cp_afc_file_open(afc, path, &h, err);
  size_t keep = 0;
  uint64_t total = 0, limit = st.size < CP_ANALYTICS_MAX_BYTES ? st.size : CP_ANALYTICS_MAX_BYTES;
  while (rc == CP_OK && total < limit) {
    uint32_t got = 0;
    uint32_t want = limit - total < CP_READ_CHUNK ? (uint32_t)(limit - total) : CP_READ_CHUNK;
    rc = cp_afc_file_read(afc, h, buf + keep, want, &got, err);
    if (rc != CP_OK || got == 0)
      break;
    total += got;
    if (cp_battery_scan_analytics(buf, keep + got, percent))
      *found = 1;
    size_t len = keep + got;
    keep = len < CP_OVERLAP ? len : CP_OVERLAP;
    memmove(buf, buf + len - keep, keep);
  }
  cp_error ce;
  if (h && cp_afc_file_close(afc, h, &ce) != CP_OK && rc == CP_OK) {
    *found = 0; /* the replies may have been cut short: trust nothing read */
    *err = ce;
    rc = ce.code;
  }
  free(buf);
  return rc;
}

/* Adds the Analytics reports of folder `dir` ("." or "Analytics") to cands. */
static cp_err add_candidates(cp_afc *afc, const char *dir, char ***cands, size_t *n, cp_error *err)
{
  char **names = NULL;
  cp_err rc = cp_afc_list(afc, dir, &names, err);
  if (rc == CP_E_NOT_FOUND)
    return CP_OK;
  if (rc != CP_OK)
    return rc;
  for (size_t i = 0; names[i] && rc == CP_OK; i++) {
    if (strncmp(names[i], "Analytics", 9) != 0 || !strcmp(names[i], "Analytics"))
      continue;
    char **grown = realloc(*cands, (*n + 2) * sizeof **cands);
    size_t len = strlen(dir) + strlen(names[i]) + 2;
    char *path = malloc(len);
    if (grown)
      *cands = grown;
    if (!grown || !path) {
      free(path);
      rc = cp_error_set(err, CP_E_NOMEM, "analytics list");
      break;
    }
    (void)snprintf(path, len, "%s/%s", dir, names[i]);
    (*cands)[(*n)++] = !strcmp(dir, ".") ? memmove(path, path + 2, len - 2) : path;
    (*cands)[*n] = NULL;
  }
  cp_afc_names_free(names);
  return rc;
}

/* The newest Analytics report's Settings figure, if the crash tree has one
 * (at its root on current iOS, in Analytics/ on some versions, older ones in Retired/). */
static cp_err read_analytics(cp_device *dev, int *percent, char *file, size_t filelen,
                             cp_error *err)
{
  cp_afc *afc = NULL;
  char **cands = NULL;
  size_t n = 0;
  *percent = -1;
  cp_err rc = cp_afc_open(dev, "com.apple.crashreportcopymobile", &afc, err);
  if (rc != CP_OK)
    return rc;
  rc = add_candidates(afc, ".", &cands, &n, err);
  if (rc == CP_OK)
    rc = add_candidates(afc, "Analytics", &cands, &n, err);
  if (rc == CP_OK) /* already-synced reports keep the older days */
    rc = add_candidates(afc, "Retired", &cands, &n, err);
  if (rc != CP_OK)
    goto out;
  if (n > 1)
    qsort(cands, n, sizeof *cands, newest_first);
  for (size_t i = 0; i < n && i < CP_ANALYTICS_MAX_FILES; i++) {
    int found = 0, p = -1;
    rc = scan_file(afc, cands[i], &p, &found, err);
    if (rc != CP_OK && fatal(rc))
      goto out;
    rc = CP_OK;
    if (found) {
      *percent = p;
      (void)snprintf(file, filelen, "%s", cands[i]);
      break;
    }
  }
out:
  for (size_t i = 0; i < n; i++)
    free(cands[i]);
  free(cands);
  cp_afc_close(afc);
  return rc;
}

static cp_err run(cp_device *dev, cp_sink *sink, const cp_probe_opts *opts, json_t **summary,
                  cp_error *err)
{
  json_t *domain = NULL, *smart = NULL, *pmu = NULL, *gas = NULL, *health = NULL, *raw = NULL;
  char afile[1200] = "";
  int apercent = -1;
  cp_error soft;
  (void)opts;
  *summary = NULL;
  cp_err rc = cp_device_get_value(dev, "com.apple.mobile.battery", NULL, &domain, &soft);
  if (rc != CP_OK && fatal(rc)) {
    *err = soft;
    goto out;
  }
  const cp_product *prod = cp_product_find(cp_device_product_type(dev));
  const char *first = prod && prod->legacy_charger ? "AppleARMPMUCharger" : "AppleSmartBattery";
  const char *second = prod && prod->legacy_charger ? "AppleSmartBattery" : "AppleARMPMUCharger";
  json_t **firstp = prod && prod->legacy_charger ? &pmu : &smart;
  json_t **secondp = prod && prod->legacy_charger ? &smart : &pmu;
  rc = cp_device_ioreg(dev, NULL, first, firstp, err);
  if (rc != CP_OK && fatal(rc))
    goto out;
  if (rc != CP_OK) {
    rc = cp_device_ioreg(dev, NULL, second, secondp, err);
    if (rc != CP_OK && fatal(rc))
      goto out;
  }
  if (!smart || !json_object_get(smart, "DesignCapacity")) {
    json_t *d = NULL;
    rc = cp_device_diagnostics(dev, "GasGauge", &d, &soft);
    if (rc != CP_OK && fatal(rc)) {
      *err = soft;
      goto out;
    }
    if (d) {
      gas = json_incref(json_object_get(d, "GasGauge"));
      json_decref(d);
    }
  }
  rc = read_analytics(dev, &apercent, afile, sizeof afile, &soft);
  if (rc != CP_OK && fatal(rc)) {
    *err = soft;
    goto out;
  }
  cp_battery_input in = {cp_device_product_type(dev), smart, pmu, gas, domain, apercent,
                         afile[0] ? afile : NULL};
  health = cp_battery_health(&in);
  raw = json_pack("{s:O?, s:O?, s:O?, s:O?}", "AppleSmartBattery", smart, "AppleARMPMUCharger", pmu,
                  "GasGauge", gas, "com.apple.mobile.battery", domain);
  if (!health || !raw) {
    rc = cp_error_set(err, CP_E_NOMEM, "battery health");
    goto out;
  }
  if (cp_device_product_type(dev)[0])
    json_object_set_new(health, "product_type", json_string(cp_device_product_type(dev)));
  rc = cp_sink_add_json(sink, "battery/health.json", "battery", health, err);
  if (rc == CP_OK)
    rc = cp_sink_add_json(sink, "battery/ioreg.json", "battery", raw, err);
  if (rc == CP_OK) {
    *summary = health;
    health = NULL;
  }
out:
  json_decref(domain);
  json_decref(smart);
  json_decref(pmu);
  json_decref(gas);
  json_decref(health);
  json_decref(raw);
  return rc;
}

const cp_probe cp_probe_battery = {"battery", "battery", run};
