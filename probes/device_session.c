/*
 * The lockdown session of a cp_device (device.h: cp_device_open/close,
 * cp_device_get_value; device_priv.h: StartService, the pair record). The
 * session runs on caseprobe's own lockdown client (lockdown.c): one
 * connection, one StartSession and one TLS handshake per run, with poll()
 * deadlines and no sleeps. Only pairing a device that has no record of this
 * host goes through libimobiledevice (lockdownd_pair: certificates, RSA keys,
 * usbmuxd's SavePairRecord); it is rare, and our session follows it.
 */
#include "device_priv.h"
#include "plist_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <usbmuxd.h>

#define CP_DEFAULT_LABEL "caseprobe"

static void sleep_ms(int ms)
{
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0)
    ;
}

plist_t cp_dev_read_pair_record(const char *udid)
{
  char *data = NULL;
  uint32_t size = 0;
  plist_t rec = NULL;
  if (usbmuxd_read_pair_record(udid, &data, &size) == 0 && data && size > 0)
    plist_from_memory(data, size, &rec);
  free(data);
  if (rec && plist_get_node_type(rec) != PLIST_DICT) {
    plist_free(rec);
    rec = NULL;
  }
  return rec;
}

cp_err cp_dev_lockdown_connect(idevice_t idev, const char *udid, const char *label,
                               idevice_connection_t *conn, cp_lockdown **ld, cp_error *err)
{
  int fd = -1;
  *conn = NULL;
  *ld = NULL;
  if (idevice_connect(idev, 62078, conn) != IDEVICE_E_SUCCESS) {
    *conn = NULL;
    return cp_dev_lost((void *)udid, 0, "a lockdown connection", err);
  }
  if (idevice_connection_get_fd(*conn, &fd) != IDEVICE_E_SUCCESS || fd < 0) {
    idevice_disconnect(*conn);
    *conn = NULL;
    return cp_error_set(err, CP_E_INTERNAL, "no socket for the lockdown connection to %s", udid);
  }
  cp_lockdown_opts o = {udid, label, CP_LOCKDOWN_REPLY_MS, cp_dev_lost, (void *)udid};
  *ld = cp_lockdown_new(fd, &o);
  cp_err rc =
      *ld ? cp_lockdown_query_type(*ld, err) : cp_error_set(err, CP_E_NOMEM, "lockdown client");
  if (rc != CP_OK) {
    cp_lockdown_free(*ld);
    *ld = NULL;
    idevice_disconnect(*conn);
    *conn = NULL;
  }
  return rc;
}

/* The first number of ProductVersion ("16.7.2" -> 16), 0 when unknown. */
static int major_version(cp_lockdown *ld)
{
  plist_t v = NULL;
  cp_error ignored;
  int major = 0;
  if (cp_lockdown_get_value(ld, NULL, "ProductVersion", &v, &ignored) == CP_OK && v &&
      plist_get_node_type(v) == PLIST_STRING) {
    const char *s = plist_get_string_ptr(v, NULL);
    if (s && sscanf(s, "%d", &major) != 1)
      major = 0;
  }
  plist_free(v);
  return major;
}

/* Pairs through libimobiledevice (it makes the certificates and has usbmuxd
 * save the record): the Trust dialog's answers come back from here. */
static cp_err pair_with_library(idevice_t idev, const char *udid, const char *label, cp_error *err)
{
  lockdownd_client_t lc = NULL;
  double t0 = cp_dev_now_s();
  lockdownd_error_t le = lockdownd_client_new(idev, &lc, label);
  if (le == LOCKDOWN_E_SUCCESS)
    le = lockdownd_pair(lc, NULL);
  if (lc)
    lockdownd_client_free(lc);
  return cp_dev_map_lockdown(le, udid, t0, err, "pairing");
}

cp_err cp_dev_start_session(idevice_t idev, cp_lockdown *ld, const char *udid, const char *label,
                            int pair, plist_t *record, int *max_tls1, cp_error *err)
{
  *record = NULL;
  int major = major_version(ld);
  *max_tls1 = major > 0 && major < 10;
  plist_t rec = cp_dev_read_pair_record(udid);
  if (!rec && pair) {
    cp_err rc = pair_with_library(idev, udid, label, err);
    if (rc != CP_OK)
      return rc;
    rec = cp_dev_read_pair_record(udid);
  }
  if (!rec)
    return cp_error_set(err, CP_E_PAIRING_INVALID,
                        "%s did not accept this computer's pairing (no pair record)", udid);
  cp_err rc = CP_OK;
  if (major > 0 && major < 7) /* older devices grant a trusted host only after this */
    rc = cp_lockdown_validate_pair(ld, rec, err);
  char *buid = NULL;
  if (rc == CP_OK && usbmuxd_read_buid(&buid) != 0) {
    free(buid);
    buid = NULL; /* the record's own SystemBUID then */
  }
  if (rc == CP_OK)
    rc = cp_lockdown_start_session(ld, rec, buid, *max_tls1, err);
  free(buid);
  if (rc != CP_OK) {
    plist_free(rec);
    return rc;
  }
  *record = rec;
  return CP_OK;
}

cp_err cp_device_pick(const char *want, char out[64], cp_error *err)
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

cp_err cp_dev_value_json(cp_lockdown *ld, const char *udid, const char *domain, const char *key,
                         json_t **out, cp_error *err)
{
  plist_t v = NULL;
  *out = NULL;
  cp_err rc = cp_lockdown_get_value(ld, domain, key, &v, err);
  if (rc != CP_OK)
    return rc;
  *out = cp_plist_to_json(v, NULL, err);
  plist_free(v);
  if (!*out)
    return cp_error_set(err, CP_E_PROTOCOL, "%s sent an unreadable value %s%s%s", udid,
                        domain ? domain : "", domain && key ? " " : "", key ? key : "");
  return CP_OK;
}

static void cache_string(cp_device *d, const char *key, char *dst, size_t n)
{
  json_t *v = NULL;
  if (cp_dev_value_json(d->ld, d->udid, NULL, key, &v, NULL) == CP_OK && json_is_string(v))
    (void)snprintf(dst, n, "%s", json_string_value(v));
  json_decref(v);
}

/* One attempt at the session: a new lockdown connection, then StartSession. */
static cp_err try_session(cp_device *d, cp_error *err)
{
  cp_err rc = cp_dev_lockdown_connect(d->idev, d->udid, d->label, &d->ldc, &d->ld, err);
  if (rc == CP_OK)
    rc = cp_dev_start_session(d->idev, d->ld, d->udid, d->label, 1, &d->pair, &d->max_tls1, err);
  if (rc != CP_OK) {
    cp_lockdown_free(d->ld);
    d->ld = NULL;
    if (d->ldc)
      idevice_disconnect(d->ldc);
    d->ldc = NULL;
  }
  return rc;
}

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
  rc = cp_device_pick(o ? o->udid : NULL, d->udid, err);
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
    rc = try_session(d, err);
    if (rc == CP_OK)
      break;
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
  cache_string(d, "ProductType", d->product_type, sizeof d->product_type);
  cache_string(d, "ProductVersion", d->product_version, sizeof d->product_version);
  cache_string(d, "DeviceName", d->name, sizeof d->name);
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
  cp_lockdown_free(d->ld); /* StopSession first, as the device expects */
  if (d->ldc)
    idevice_disconnect(d->ldc);
  plist_free(d->pair);
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
  cp_err rc = cp_dev_value_json(d->ld, d->udid, domain, key, out, err);
  pthread_mutex_unlock(&d->lock);
  return rc;
}

cp_err cp_dev_start_service(cp_device *d, const char *name, uint16_t *port, int *ssl, cp_error *err)
{
  pthread_mutex_lock(&d->lock);
  cp_err rc = cp_lockdown_start_service(d->ld, name, port, ssl, err);
  pthread_mutex_unlock(&d->lock);
  return rc;
}
