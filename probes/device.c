/*
 * See device.h. libimobiledevice 1.3.0 reports failures as per-service error
 * numbers; this file turns each into a cp_err. A transport failure (mux
 * error, short read) is told apart as "the device went away" (CP_E_DETACHED,
 * when usbmuxd no longer lists the UDID), "it stopped answering"
 * (CP_E_TIMEOUT, when the call lasted about as long as the library's receive
 * timeout) or "it answered nonsense" (CP_E_PROTOCOL).
 */
#include "device_priv.h"
#include "plist_json.h"

#include <libimobiledevice/libimobiledevice.h>
#include <libimobiledevice/lockdown.h>
#include <plist/plist.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <usbmuxd.h>

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

/* Maps a lockdown error (pairing, session, StartService, GetValue). */
static cp_err map_lockdown(lockdownd_error_t e, const char *udid, double started, cp_error *err,
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

/* Picks the device to open: the named one, or the only attached one. */
static cp_err resolve_udid(const char *want, char out[64], cp_error *err)
{
  cp_device_entry *e = NULL;
  size_t n = 0;
  cp_err rc = cp_device_list(&e, &n, err);
  if (rc != CP_OK)
    return rc;
  if (want) {
    rc = cp_error_set(err, CP_E_DEVICE_NOT_FOUND, "no device %s is attached", want);
    for (size_t i = 0; i < n; i++)
      if (!strcmp(e[i].udid, want)) {
        (void)snprintf(out, 64, "%s", want);
        rc = CP_OK;
        cp_error_clear(err);
      }
    goto out;
  }
  size_t usb = 0, pick = 0;
  for (size_t i = 0; i < n; i++)
    if (!e[i].network) {
      if (usb == 0)
        pick = i;
      else if (!strcmp(e[i].udid, e[pick].udid))
        continue; /* the same device listed twice */
      usb++;
    }
  if (usb == 0)
    rc = cp_error_set(err, CP_E_NO_DEVICE, "no device is attached");
  else if (usb > 1)
    rc = cp_error_set(err, CP_E_MANY_DEVICES, "%zu devices are attached", usb);
  else
    (void)snprintf(out, 64, "%s", e[pick].udid);
out:
  free(e);
  return rc;
}

/* ------------------------------------------------------------ values */

/* GetValue on a lockdown client the caller holds. */
static cp_err ld_get(lockdownd_client_t ld, const char *udid, const char *domain, const char *key,
                     json_t **out, cp_error *err)
{
  plist_t v = NULL;
  char what[200];
  (void)snprintf(what, sizeof what, "value %s%s%s", domain ? domain : "", domain && key ? " " : "",
                 key ? key : (domain ? "" : "(global)"));
  double t0 = cp_dev_now_s();
  lockdownd_error_t le = lockdownd_get_value(ld, domain, key, &v);
  if (le != LOCKDOWN_E_SUCCESS || !v) {
    plist_free(v);
    return le == LOCKDOWN_E_SUCCESS ? cp_error_set(err, CP_E_DEVICE_VALUE, "%s has no %s", udid, what)
                                    : map_lockdown(le, udid, t0, err, what);
  }
  *out = cp_plist_to_json(v, NULL, err);
  plist_free(v);
  if (!*out)
    return cp_error_set(err, CP_E_PROTOCOL, "%s sent an unreadable %s", udid, what);
  return CP_OK;
}

static void cache_string(lockdownd_client_t ld, const char *udid, const char *key, char *dst,
                         size_t n)
{
  json_t *v = NULL;
  if (ld_get(ld, udid, NULL, key, &v, NULL) == CP_OK && json_is_string(v))
    (void)snprintf(dst, n, "%s", json_string_value(v));
  json_decref(v);
}

cp_err cp_device_peek(const char *udid, json_t **out, cp_error *err)
{
  idevice_t idev = NULL;
  lockdownd_client_t ld = NULL;
  cp_err rc = CP_OK;
  char name[256] = "", type[64] = "", version[32] = "", klass[32] = "";
  const char *trust = "unknown";
  *out = NULL;
  double t0 = cp_dev_now_s();
  if (idevice_new_with_options(&idev, udid, IDEVICE_LOOKUP_USBMUX | IDEVICE_LOOKUP_NETWORK) !=
      IDEVICE_E_SUCCESS) {
    rc = cp_error_set(err, CP_E_DEVICE_NOT_FOUND, "no device %s is attached", udid);
    goto out;
  }
  lockdownd_error_t le = lockdownd_client_new(idev, &ld, CP_DEFAULT_LABEL);
  if (le != LOCKDOWN_E_SUCCESS) {
    rc = map_lockdown(le, udid, t0, err, "a lockdown connection");
    goto out;
  }
  cache_string(ld, udid, "DeviceName", name, sizeof name);
  cache_string(ld, udid, "ProductType", type, sizeof type);
  cache_string(ld, udid, "ProductVersion", version, sizeof version);
  cache_string(ld, udid, "DeviceClass", klass, sizeof klass);
  json_t *dev_time = NULL; /* session-less, for the doctor's clock check */
  if (ld_get(ld, udid, NULL, "TimeIntervalSince1970", &dev_time, NULL) != CP_OK ||
      !json_is_number(dev_time)) {
    json_decref(dev_time);
    dev_time = NULL;
  }
  lockdownd_client_free(ld);
  ld = NULL;
  /* Trust without pairing: with no record the handshake would pair (and show
   * the dialog), so only try a session when our record exists. */
  /* usbmuxd holds the pair records (1.3.0 reads them through it too). */
  int have_record = 0;
  char *data = NULL;
  uint32_t size = 0;
  if (usbmuxd_read_pair_record(udid, &data, &size) == 0 && data && size > 0)
    have_record = 1;
  free(data);
  lockdownd_client_t sess = NULL;
  if (!have_record) {
    trust = "not_paired";
  } else {
    le = lockdownd_client_new_with_handshake(idev, &sess, CP_DEFAULT_LABEL);
    if (le == LOCKDOWN_E_SUCCESS)
      trust = "trusted";
    else if (le == LOCKDOWN_E_PASSWORD_PROTECTED)
      trust = "locked";
    else if (le == LOCKDOWN_E_INVALID_HOST_ID || le == LOCKDOWN_E_INVALID_PAIR_RECORD ||
             le == LOCKDOWN_E_SSL_ERROR || le == LOCKDOWN_E_INVALID_CONF)
      trust = "pairing_invalid";
    else if (le == LOCKDOWN_E_PAIRING_DIALOG_RESPONSE_PENDING)
      trust = "trust_pending";
    else if (le == LOCKDOWN_E_USER_DENIED_PAIRING)
      trust = "trust_denied";
    if (sess)
      lockdownd_client_free(sess);
  }
  *out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:o?}", "udid", udid, "name", name,
                   "product_type", type, "product_version", version, "device_class", klass,
                   "trust", trust, "pair_record", have_record, "device_time", dev_time);
  dev_time = NULL;
  if (!*out)
    rc = cp_error_set(err, CP_E_NOMEM, "device summary");
out:
  if (ld)
    lockdownd_client_free(ld);
  if (idev)
    idevice_free(idev);
  return rc;
}

/* ------------------------------------------------------------ sessions */

cp_err cp_device_open(const cp_device_open_opts *o, cp_device **out, cp_error *err)
{
  cp_device *d = NULL;
  cp_err rc = CP_OK;
  *out = NULL;
  d = calloc(1, sizeof *d);
  if (!d)
    return cp_error_set(err, CP_E_NOMEM, "device session");
  if (pthread_mutex_init(&d->lock, NULL) != 0) {
    free(d);
    return cp_error_set(err, CP_E_INTERNAL, "device mutex");
  }
  (void)snprintf(d->label, sizeof d->label, "%s", o && o->label ? o->label : CP_DEFAULT_LABEL);
  rc = resolve_udid(o ? o->udid : NULL, d->udid, err);
  if (rc != CP_OK)
    goto out;
  if (idevice_new_with_options(&d->idev, d->udid, IDEVICE_LOOKUP_USBMUX | IDEVICE_LOOKUP_NETWORK) !=
      IDEVICE_E_SUCCESS) {
    rc = cp_error_set(err, CP_E_DEVICE_NOT_FOUND, "no device %s is attached", d->udid);
    goto out;
  }
  double deadline = cp_dev_now_s() + (o ? o->wait_trust_seconds : 0);
  cp_err told = CP_OK;
  for (;;) {
    double t0 = cp_dev_now_s();
    lockdownd_error_t le = lockdownd_client_new_with_handshake(d->idev, &d->ld, d->label);
    rc = map_lockdown(le, d->udid, t0, err, "the lockdown session");
    if (rc == CP_OK)
      break;
    d->ld = NULL;
    int retry = (rc == CP_E_TRUST_PENDING || rc == CP_E_LOCKED) && o && o->wait_trust_seconds > 0 &&
                cp_dev_now_s() < deadline;
    if (!retry)
      goto out;
    if (rc != told && o->on_wait) {
      o->on_wait(o->wait_ctx, d->udid, rc);
      told = rc;
    }
    for (int i = 0; i < 10; i++) {
      if (o->cancel && *o->cancel) {
        rc = cp_error_set(err, CP_E_INTERRUPTED, "stopped while waiting for %s", d->udid);
        goto out;
      }
      sleep_ms(100);
    }
    if (cp_device_attached(d->udid) == 0) {
      rc = cp_error_set(err, CP_E_DETACHED, "%s was unplugged while waiting for Trust", d->udid);
      goto out;
    }
  }
  cache_string(d->ld, d->udid, "ProductType", d->product_type, sizeof d->product_type);
  cache_string(d->ld, d->udid, "ProductVersion", d->product_version, sizeof d->product_version);
  cache_string(d->ld, d->udid, "DeviceName", d->name, sizeof d->name);
  cp_error_clear(err);
out:
  if (rc != CP_OK) {
    cp_device_close(d);
    return rc;
  }
  *out = d;
  return CP_OK;
}

void cp_device_close(cp_device *d)
{
  if (!d)
    return;
  if (d->ld)
    lockdownd_client_free(d->ld);
  if (d->idev)
    idevice_free(d->idev);
  pthread_mutex_destroy(&d->lock);
  free(d);
}

const char *cp_device_udid(const cp_device *d)
{
  return d ? d->udid : "";
}

const char *cp_device_product_type(const cp_device *d)
{
  return d ? d->product_type : "";
}

const char *cp_device_product_version(const cp_device *d)
{
  return d ? d->product_version : "";
}

const char *cp_device_name(const cp_device *d)
{
  return d ? d->name : "";
}

cp_err cp_device_get_value(cp_device *d, const char *domain, const char *key, json_t **out,
                           cp_error *err)
{
  *out = NULL;
  pthread_mutex_lock(&d->lock);
  cp_err rc = ld_get(d->ld, d->udid, domain, key, out, err);
  pthread_mutex_unlock(&d->lock);
  return rc;
}

/* StartService on the session; *svc is freed by the caller. */
cp_err cp_dev_start_service(cp_device *d, const char *name, lockdownd_service_descriptor_t *svc,
                            cp_error *err)
{
  *svc = NULL;
  pthread_mutex_lock(&d->lock);
  double t0 = cp_dev_now_s();
  lockdownd_error_t le = lockdownd_start_service(d->ld, name, svc);
  pthread_mutex_unlock(&d->lock);
  if (le == LOCKDOWN_E_SUCCESS && (!*svc || (*svc)->port == 0)) {
    if (*svc)
      lockdownd_service_descriptor_free(*svc);
    *svc = NULL;
    /* The code spelled out: callers read (*svc)->port whenever this is CP_OK. */
    (void)cp_error_set(err, CP_E_PROTOCOL, "%s gave no port for %s", d->udid, name);
    return CP_E_PROTOCOL;
  }
  if (le != LOCKDOWN_E_SUCCESS) {
    if (*svc)
      lockdownd_service_descriptor_free(*svc);
    *svc = NULL;
  }
  return map_lockdown(le, d->udid, t0, err, name);
}
