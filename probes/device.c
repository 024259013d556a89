/*
 * See device.h: listing devices, the passive look of `caseprobe list`, and
 * the error mapping of the device layer. libimobiledevice 1.3.0 reports
 * failures as per-service error numbers (pairing still goes through it);
 * this file turns each into a cp_err. A transport failure (mux error, short
 * read) is told apart as "the device went away" (CP_E_DETACHED, when usbmuxd
 * no longer lists the UDID), "it stopped answering" (CP_E_TIMEOUT) or "it
 * answered nonsense" (CP_E_PROTOCOL). The session is device_session.c.
 */
#include "device_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CP_DEFAULT_LABEL "caseprobe"

double cp_dev_now_s(void)
{
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
    return 0;
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0)
    ;
}

/* ---------------------------------------------------------------- listing */

cp_err cp_device_list(cp_device_entry **out, size_t *count, cp_error *err)
{
  idevice_info_t *list = NULL;
  int n = 0;
  *out = NULL;
  *count = 0;
  /* 1.3.0 fails only when usbmuxd cannot be reached; no device is success with 0. */
  if (idevice_get_device_list_extended(&list, &n) != IDEVICE_E_SUCCESS) {
    const char *addr = getenv("USBMUXD_SOCKET_ADDRESS");
    return cp_error_set(err, CP_E_USBMUXD, "nothing answers at %s",
                        addr && *addr ? addr : CP_USBMUXD_DEFAULT_ADDRESS);
  }
  cp_device_entry *e = calloc(n > 0 ? (size_t)n : 1, sizeof *e);
  if (!e) {
    idevice_device_list_extended_free(list);
    return cp_error_set(err, CP_E_NOMEM, "device list");
  }
  size_t k = 0;
  for (int i = 0; i < n; i++) {
    if (!list[i] || !list[i]->udid)
      continue;
    (void)snprintf(e[k].udid, sizeof e[k].udid, "%s", list[i]->udid);
    e[k].network = list[i]->conn_type == CONNECTION_NETWORK;
    k++;
  }
  idevice_device_list_extended_free(list);
  *out = e;
  *count = k;
  return CP_OK;
}

/* See device.h. */
int cp_device_attached_after_failure(const char *udid)
{
  int att = 1;
  for (int i = 0; i < 8 && att == 1; i++) {
    if (i)
      sleep_ms(100);
    att = cp_device_attached(udid);
  }
  return att;
}

int cp_device_attached(const char *udid)
{
  cp_device_entry *e = NULL;
  size_t n = 0;
  if (cp_device_list(&e, &n, NULL) != CP_OK)
    return -1;
  int found = 0;
  for (size_t i = 0; i < n; i++)
    if (!strcmp(e[i].udid, udid))
      found = 1;
  free(e);
  return found;
}

/* A transport failure, classified by whether the device is still there and
 * how long the failed call took. */
cp_err cp_dev_transport_failure(const char *udid, double started, cp_error *err, const char *what)
{
  int att = cp_device_attached_after_failure(udid);
  if (att == 0)
    return cp_error_set(err, CP_E_DETACHED, "%s was unplugged during %s", udid, what);
  if (att < 0)
    return cp_error_set(err, CP_E_USBMUXD, "usbmuxd went away during %s", what);
  if (cp_dev_now_s() - started >= CP_LIB_RECV_TIMEOUT_S - 2.0)
    return cp_error_set(err, CP_E_TIMEOUT, "%s did not answer %s", udid, what);
  return cp_error_set(err, CP_E_PROTOCOL, "%s gave a malformed reply to %s", udid, what);
}

/* Our own clients know whether the peer went silent or hung up; usbmuxd
 * tells whether the device is still there. */
cp_err cp_dev_lost(void *ctx, int timed_out, const char *what, cp_error *err)
{
  const char *udid = ctx;
  int att = cp_device_attached_after_failure(udid);
  if (att == 0)
    return cp_error_set(err, CP_E_DETACHED, "%s was unplugged during %s", udid, what);
  if (att < 0)
    return cp_error_set(err, CP_E_USBMUXD, "usbmuxd went away during %s", what);
  if (timed_out)
    return cp_error_set(err, CP_E_TIMEOUT, "%s did not answer %s", udid, what);
  return cp_error_set(err, CP_E_PROTOCOL, "%s hung up during %s", udid, what);
}

/* Maps a libimobiledevice lockdown error (pairing). */
cp_err cp_dev_map_lockdown(lockdownd_error_t e, const char *udid, double started, cp_error *err,
                           const char *what)
{
  switch (e) {
  case LOCKDOWN_E_SUCCESS: return CP_OK;
  case LOCKDOWN_E_PAIRING_DIALOG_RESPONSE_PENDING:
    return cp_error_set(err, CP_E_TRUST_PENDING, "%s is waiting for Trust to be tapped", udid);
  case LOCKDOWN_E_USER_DENIED_PAIRING:
    return cp_error_set(err, CP_E_TRUST_DENIED, "Don't Trust was tapped on %s", udid);
  case LOCKDOWN_E_PASSWORD_PROTECTED:
  case LOCKDOWN_E_ESCROW_LOCKED:
    return cp_error_set(err, CP_E_LOCKED, "%s refused %s while locked", udid, what);
  case LOCKDOWN_E_INVALID_HOST_ID:
  case LOCKDOWN_E_INVALID_PAIR_RECORD:
  case LOCKDOWN_E_MISSING_PAIR_RECORD:
  case LOCKDOWN_E_MISSING_HOST_ID:
  case LOCKDOWN_E_INVALID_CONF:
  case LOCKDOWN_E_PAIRING_FAILED:
  case LOCKDOWN_E_SSL_ERROR:
  case LOCKDOWN_E_SAVE_PAIR_RECORD_FAILED:
    return cp_error_set(err, CP_E_PAIRING_INVALID, "%s did not accept this computer's pairing (%s)",
                        udid, lockdownd_strerror(e));
  case LOCKDOWN_E_PAIRING_PROHIBITED_OVER_THIS_CONNECTION:
    return cp_error_set(err, CP_E_PAIRING_INVALID, "%s refuses pairing over this connection", udid);
  case LOCKDOWN_E_INVALID_SERVICE:
  case LOCKDOWN_E_MISSING_SERVICE:
  case LOCKDOWN_E_SERVICE_PROHIBITED:
  case LOCKDOWN_E_SERVICE_LIMIT:
    return cp_error_set(err, CP_E_SERVICE_UNAVAILABLE, "%s does not offer %s (%s)", udid, what,
                        lockdownd_strerror(e));
  case LOCKDOWN_E_MISSING_VALUE:
  case LOCKDOWN_E_MISSING_KEY:
  case LOCKDOWN_E_GET_PROHIBITED:
    return cp_error_set(err, CP_E_DEVICE_VALUE, "%s has no %s", udid, what);
  case LOCKDOWN_E_RECEIVE_TIMEOUT:
    return cp_error_set(err, CP_E_TIMEOUT, "%s did not answer %s", udid, what);
  case LOCKDOWN_E_MUX_ERROR:
  case LOCKDOWN_E_PLIST_ERROR:
  case LOCKDOWN_E_DICT_ERROR:
  case LOCKDOWN_E_INVALID_RESPONSE:
  case LOCKDOWN_E_UNKNOWN_ERROR:
  default: return cp_dev_transport_failure(udid, started, err, what);
  }
}

/* The trust state a StartSession attempt shows, without ever pairing. */
static const char *trust_of(cp_err rc)
{
  switch (rc) {
  case CP_OK: return "trusted";
  case CP_E_LOCKED: return "locked";
  case CP_E_PAIRING_INVALID: return "pairing_invalid";
  case CP_E_TRUST_PENDING: return "trust_pending";
  case CP_E_TRUST_DENIED: return "trust_denied";
  default: return "unknown";
  }
}

static void peek_string(cp_lockdown *ld, const char *udid, const char *key, char *dst, size_t n)
{
  json_t *v = NULL;
  if (cp_dev_value_json(ld, udid, NULL, key, &v, NULL) == CP_OK && json_is_string(v))
    (void)snprintf(dst, n, "%s", json_string_value(v));
  json_decref(v);
}

cp_err cp_device_peek(const char *udid, json_t **out, cp_error *err)
{
  idevice_t idev = NULL;
  idevice_connection_t conn = NULL;
  cp_lockdown *ld = NULL;
  plist_t rec = NULL;
  cp_err rc = CP_OK;
  char name[256] = "", type[64] = "", version[32] = "", klass[32] = "";
  const char *trust = "unknown";
  *out = NULL;
  if (idevice_new_with_options(&idev, udid, IDEVICE_LOOKUP_USBMUX | IDEVICE_LOOKUP_NETWORK) !=
      IDEVICE_E_SUCCESS) {
    rc = cp_error_set(err, CP_E_DEVICE_NOT_FOUND, "no device %s is attached", udid);
    goto out;
  }
  rc = cp_dev_lockdown_connect(idev, udid, CP_DEFAULT_LABEL, &conn, &ld, err);
  if (rc != CP_OK)
    goto out;
  peek_string(ld, udid, "DeviceName", name, sizeof name);
  peek_string(ld, udid, "ProductType", type, sizeof type);
  peek_string(ld, udid, "ProductVersion", version, sizeof version);
  peek_string(ld, udid, "DeviceClass", klass, sizeof klass);
  json_t *dev_time = NULL; /* session-less, for the doctor's clock check */
  if (cp_dev_value_json(ld, udid, NULL, "TimeIntervalSince1970", &dev_time, NULL) != CP_OK ||
      !json_is_number(dev_time)) {
    json_decref(dev_time);
    dev_time = NULL;
  }
  /* Trust without pairing: with no record a session attempt would pair (and
   * show the dialog), so only try one when usbmuxd holds our record. */
  int have_record = 0;
  plist_t probe = cp_dev_read_pair_record(udid);
  have_record = probe != NULL;
  plist_free(probe);
  if (!have_record) {
    trust = "not_paired";
  } else {
    int tls1 = 0;
    cp_error ignored;
    trust =
        trust_of(cp_dev_start_session(idev, ld, udid, CP_DEFAULT_LABEL, 0, &rec, &tls1, &ignored));
  }
  *out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:o?}", "udid", udid, "name", name,
                   "product_type", type, "product_version", version, "device_class", klass, "trust",
                   trust, "pair_record", have_record, "device_time", dev_time);
  dev_time = NULL;
  if (!*out)
    rc = cp_error_set(err, CP_E_NOMEM, "device summary");
out:
  cp_lockdown_free(ld);
  if (conn)
    idevice_disconnect(conn);
  plist_free(rec);
  if (idev)
    idevice_free(idev);
  return rc;
}
