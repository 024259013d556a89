/*
 * See device.h. libimobiledevice 1.3.0 reports failures as per-service error
 * numbers; this file turns each into a cp_err. A transport failure (mux
 * error, short read) is told apart as "the device went away" (CP_E_DETACHED,
 * when usbmuxd no longer lists the UDID), "it stopped answering"
 * (CP_E_TIMEOUT, when the call lasted about as long as the library's receive
 * timeout) or "it answered nonsense" (CP_E_PROTOCOL).
 */
#include "device.h"

#include "plist_json.h"

#include <libimobiledevice/diagnostics_relay.h>
#include <libimobiledevice/installation_proxy.h>
#include <libimobiledevice/libimobiledevice.h>
#include <libimobiledevice/lockdown.h>
#include <libimobiledevice/service.h>
#include <libimobiledevice/syslog_relay.h>
#include <plist/plist.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <usbmuxd.h>

/* libimobiledevice 1.3.0 waits 30 s for a lockdown or service reply; a call
 * that failed after most of that is a timeout, not a bad answer. */
#define CP_LIB_RECV_TIMEOUT_S 30.0
#define CP_DEFAULT_LABEL "caseprobe"

struct cp_device {
  idevice_t idev;
  lockdownd_client_t ld;
  pthread_mutex_t lock; /* guards ld */
  char udid[64];
  char product_type[64];
  char product_version[32];
  char name[256];
  char label[64];
};

/* libimobiledevice 1.3.0 ignores receive timeouts under TLS (handshake and
 * reads block until the bytes come), so a TLS connection gets a watchdog
 * thread that shuts the socket down when one receive outlasts its limit. */
#define CP_CONN_TLS_STALL_S 10.0
#define CP_CONN_TLS_PART 16384u

struct cp_conn {
  cp_device *dev;
  idevice_connection_t c;
  int ssl;
  int fd;
  int wd_started, wd_quit, wd_fired;
  double wd_deadline; /* wall clock; 0 = disarmed */
  pthread_t wd;
  pthread_mutex_t wl;
  pthread_cond_t wc;
};

struct cp_syslog {
  cp_device *dev;
  syslog_relay_client_t client;
};

static double now_s(void)
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
static cp_err transport_failure(const char *udid, double started, cp_error *err, const char *what)
{
  int att = cp_device_attached_after_failure(udid);
  if (att == 0)
    return cp_error_set(err, CP_E_DETACHED, "%s was unplugged during %s", udid, what);
  if (att < 0)
    return cp_error_set(err, CP_E_USBMUXD, "usbmuxd went away during %s", what);
  if (now_s() - started >= CP_LIB_RECV_TIMEOUT_S - 2.0)
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
    return cp_error_set(err, CP_E_NOT_FOUND, "%s has no %s", udid, what);
  case LOCKDOWN_E_RECEIVE_TIMEOUT:
    return cp_error_set(err, CP_E_TIMEOUT, "%s did not answer %s", udid, what);
  case LOCKDOWN_E_MUX_ERROR:
  case LOCKDOWN_E_PLIST_ERROR:
  case LOCKDOWN_E_DICT_ERROR:
  case LOCKDOWN_E_INVALID_RESPONSE:
  case LOCKDOWN_E_UNKNOWN_ERROR:
  default: return transport_failure(udid, started, err, what);
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
  double t0 = now_s();
  lockdownd_error_t le = lockdownd_get_value(ld, domain, key, &v);
  if (le != LOCKDOWN_E_SUCCESS || !v) {
    plist_free(v);
    return le == LOCKDOWN_E_SUCCESS ? cp_error_set(err, CP_E_NOT_FOUND, "%s has no %s", udid, what)
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
  double t0 = now_s();
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
  double deadline = now_s() + (o ? o->wait_trust_seconds : 0);
  cp_err told = CP_OK;
  for (;;) {
    double t0 = now_s();
    lockdownd_error_t le = lockdownd_client_new_with_handshake(d->idev, &d->ld, d->label);
    rc = map_lockdown(le, d->udid, t0, err, "the lockdown session");
    if (rc == CP_OK)
      break;
    d->ld = NULL;
    int retry = (rc == CP_E_TRUST_PENDING || rc == CP_E_LOCKED) && o && o->wait_trust_seconds > 0 &&
                now_s() < deadline;
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
static cp_err start_service(cp_device *d, const char *name, lockdownd_service_descriptor_t *svc,
                            cp_error *err)
{
  *svc = NULL;
  pthread_mutex_lock(&d->lock);
  double t0 = now_s();
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

/* ------------------------------------------------------------ diagnostics */

static cp_err map_diag(diagnostics_relay_error_t e, cp_device *d, double t0, cp_error *err,
                       const char *what)
{
  switch (e) {
  case DIAGNOSTICS_RELAY_E_SUCCESS: return CP_OK;
  case DIAGNOSTICS_RELAY_E_UNKNOWN_REQUEST:
    return cp_error_set(err, CP_E_SERVICE_UNAVAILABLE, "%s does not know %s", d->udid, what);
  case DIAGNOSTICS_RELAY_E_UNKNOWN_ERROR:
    if (cp_device_attached_after_failure(d->udid) == 1 &&
        now_s() - t0 < CP_LIB_RECV_TIMEOUT_S - 2.0)
      return cp_error_set(err, CP_E_NOT_FOUND, "%s has no %s", d->udid, what);
    return transport_failure(d->udid, t0, err, what);
  default: return transport_failure(d->udid, t0, err, what);
  }
}

static cp_err diag_client(cp_device *d, diagnostics_relay_client_t *c, cp_error *err)
{
  lockdownd_service_descriptor_t svc = NULL;
  *c = NULL;
  cp_err rc = start_service(d, DIAGNOSTICS_RELAY_SERVICE_NAME, &svc, err);
  if (rc == CP_E_SERVICE_UNAVAILABLE) /* iOS before 5 */
    rc = start_service(d, "com.apple.iosdiagnostics.relay", &svc, err);
  if (rc != CP_OK)
    return rc;
  double t0 = now_s();
  diagnostics_relay_error_t de = diagnostics_relay_client_new(d->idev, svc, c);
  lockdownd_service_descriptor_free(svc);
  if (de != DIAGNOSTICS_RELAY_E_SUCCESS)
    return transport_failure(d->udid, t0, err, "connecting to diagnostics");
  return CP_OK;
}

cp_err cp_device_ioreg(cp_device *d, const char *entry_name, const char *entry_class, json_t **out,
                       cp_error *err)
{
  diagnostics_relay_client_t c = NULL;
  plist_t res = NULL;
  *out = NULL;
  char what[160];
  (void)snprintf(what, sizeof what, "IORegistry entry %s", entry_name ? entry_name : entry_class);
  cp_err rc = diag_client(d, &c, err);
  if (rc != CP_OK)
    return rc;
  double t0 = now_s();
  diagnostics_relay_error_t de = diagnostics_relay_query_ioregistry_entry(
      c, entry_name ? entry_name : "", entry_class ? entry_class : "", &res);
  rc = map_diag(de, d, t0, err, what);
  if (rc == CP_OK) {
    plist_t io = res ? plist_dict_get_item(res, "IORegistry") : NULL;
    if (!io || plist_get_node_type(io) != PLIST_DICT || plist_dict_get_size(io) == 0)
      rc = cp_error_set(err, CP_E_NOT_FOUND, "%s has no %s", d->udid, what);
    else if (!(*out = cp_plist_to_json(io, NULL, err)))
      rc = cp_error_set(err, CP_E_PROTOCOL, "%s sent an unreadable %s", d->udid, what);
  }
  plist_free(res);
  (void)diagnostics_relay_goodbye(c);
  diagnostics_relay_client_free(c);
  return rc;
}

cp_err cp_device_diagnostics(cp_device *d, const char *type, json_t **out, cp_error *err)
{
  diagnostics_relay_client_t c = NULL;
  plist_t res = NULL;
  *out = NULL;
  cp_err rc = diag_client(d, &c, err);
  if (rc != CP_OK)
    return rc;
  double t0 = now_s();
  diagnostics_relay_error_t de = diagnostics_relay_request_diagnostics(c, type, &res);
  rc = map_diag(de, d, t0, err, type);
  if (rc == CP_OK) {
    if (!res || plist_get_node_type(res) != PLIST_DICT)
      rc = cp_error_set(err, CP_E_NOT_FOUND, "%s has no %s diagnostics", d->udid, type);
    else if (!(*out = cp_plist_to_json(res, NULL, err)))
      rc = cp_error_set(err, CP_E_PROTOCOL, "%s sent unreadable %s diagnostics", d->udid, type);
  }
  plist_free(res);
  (void)diagnostics_relay_goodbye(c);
  diagnostics_relay_client_free(c);
  return rc;
}

/* ------------------------------------------------------------ crash mover */

cp_err cp_device_move_crashes(cp_device *d, cp_error *err)
{
  lockdownd_service_descriptor_t svc = NULL;
  service_client_t sc = NULL;
  cp_err rc = start_service(d, "com.apple.crashreportmover", &svc, err);
  if (rc != CP_OK)
    return rc;
  double t0 = now_s();
  if (service_client_new(d->idev, svc, &sc) != SERVICE_E_SUCCESS) {
    lockdownd_service_descriptor_free(svc);
    return transport_failure(d->udid, t0, err, "connecting to the crash report mover");
  }
  lockdownd_service_descriptor_free(svc);
  /* The device writes "ping" once it has moved everything. */
  char buf[8] = {0};
  uint32_t have = 0;
  rc = cp_error_set(err, CP_E_TIMEOUT, "%s did not finish moving crash reports", d->udid);
  for (int i = 0; i < 10 && have < 4; i++) {
    uint32_t got = 0;
    service_error_t se = service_receive_with_timeout(sc, buf + have, 4 - have, &got, 2000);
    have += got;
    if (se != SERVICE_E_SUCCESS && se != SERVICE_E_TIMEOUT) {
      rc = transport_failure(d->udid, t0, err, "moving crash reports");
      break;
    }
  }
  if (have == 4)
    rc = memcmp(buf, "ping", 4) == 0
             ? CP_OK
             : cp_error_set(err, CP_E_PROTOCOL, "%s's crash report mover said something else",
                            d->udid);
  if (rc == CP_OK)
    cp_error_clear(err);
  service_client_free(sc);
  return rc;
}

/* ------------------------------------------------------------ apps */

cp_err cp_device_browse_apps(cp_device *d, const char *app_type, json_t **out, cp_error *err)
{
  lockdownd_service_descriptor_t svc = NULL;
  instproxy_client_t ip = NULL;
  plist_t opts = NULL, res = NULL;
  *out = NULL;
  cp_err rc = start_service(d, INSTPROXY_SERVICE_NAME, &svc, err);
  if (rc != CP_OK)
    return rc;
  double t0 = now_s();
  instproxy_error_t ie = instproxy_client_new(d->idev, svc, &ip);
  lockdownd_service_descriptor_free(svc);
  if (ie != INSTPROXY_E_SUCCESS)
    return transport_failure(d->udid, t0, err, "connecting to installation_proxy");
  opts = instproxy_client_options_new();
  instproxy_client_options_add(opts, "ApplicationType", app_type ? app_type : "User", NULL);
  instproxy_client_options_set_return_attributes(opts, "CFBundleIdentifier", "CFBundleDisplayName",
                                                 "CFBundleName", "CFBundleShortVersionString",
                                                 "CFBundleVersion", "ApplicationType", NULL);
  t0 = now_s();
  ie = instproxy_browse(ip, opts, &res);
  if (ie == INSTPROXY_E_SUCCESS && res && plist_get_node_type(res) == PLIST_ARRAY) {
    if (!(*out = cp_plist_to_json(res, NULL, err)))
      rc = cp_error_set(err, CP_E_PROTOCOL, "%s sent an unreadable app list", d->udid);
  } else if (ie == INSTPROXY_E_SUCCESS || ie == INSTPROXY_E_PLIST_ERROR ||
             ie == INSTPROXY_E_CONN_FAILED || ie == INSTPROXY_E_RECEIVE_TIMEOUT) {
    rc = ie == INSTPROXY_E_RECEIVE_TIMEOUT
             ? cp_error_set(err, CP_E_TIMEOUT, "%s did not answer the app list", d->udid)
             : transport_failure(d->udid, t0, err, "the app list");
  } else {
    rc = cp_error_set(err, CP_E_PROTOCOL, "%s refused the app list (error %d)", d->udid, (int)ie);
  }
  plist_free(res);
  instproxy_client_options_free(opts);
  instproxy_client_free(ip);
  return rc;
}

/* ------------------------------------------------------------ raw services */

static double wall_s(void)
{
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
    return 0;
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wakes every 200 ms; past an armed deadline it shuts the socket down, so
 * the blocked TLS call in the other thread fails instead of hanging. */
static void *conn_watchdog(void *arg)
{
  cp_conn *c = arg;
  pthread_mutex_lock(&c->wl);
  while (!c->wd_quit) {
    if (c->wd_deadline > 0 && wall_s() >= c->wd_deadline) {
      (void)shutdown(c->fd, SHUT_RDWR);
      c->wd_fired = 1;
      c->wd_deadline = 0;
    }
    double t = wall_s() + 0.2;
    struct timespec ts = {(time_t)t, (long)((t - (double)(time_t)t) * 1e9)};
    (void)pthread_cond_timedwait(&c->wc, &c->wl, &ts);
  }
  pthread_mutex_unlock(&c->wl);
  return NULL;
}

/* Arms (seconds > 0) or disarms the watchdog; returns whether it fired. */
static int conn_arm(cp_conn *c, double seconds)
{
  if (!c->wd_started)
    return 0;
  pthread_mutex_lock(&c->wl);
  c->wd_deadline = seconds > 0 ? wall_s() + seconds : 0;
  int fired = c->wd_fired;
  pthread_cond_signal(&c->wc);
  pthread_mutex_unlock(&c->wl);
  return fired;
}

static int conn_start_watchdog(cp_conn *c)
{
  if (idevice_connection_get_fd(c->c, &c->fd) != IDEVICE_E_SUCCESS || c->fd < 0)
    return 0;
  if (pthread_mutex_init(&c->wl, NULL) != 0)
    return 0;
  if (pthread_cond_init(&c->wc, NULL) != 0) {
    pthread_mutex_destroy(&c->wl);
    return 0;
  }
  if (pthread_create(&c->wd, NULL, conn_watchdog, c) != 0) {
    pthread_cond_destroy(&c->wc);
    pthread_mutex_destroy(&c->wl);
    return 0;
  }
  c->wd_started = 1;
  return 1;
}

cp_err cp_conn_open(cp_device *d, const char *service, cp_conn **out, cp_error *err)
{
  lockdownd_service_descriptor_t svc = NULL;
  *out = NULL;
  cp_conn *c = calloc(1, sizeof *c);
  if (!c)
    return cp_error_set(err, CP_E_NOMEM, "service connection");
  c->dev = d;
  c->fd = -1;
  cp_err rc = start_service(d, service, &svc, err);
  if (rc == CP_OK && !svc)
    rc = CP_E_PROTOCOL; /* start_service pairs CP_OK with a descriptor; said for the analyzer */
  if (rc != CP_OK)
    goto out;
  double t0 = now_s();
  if (idevice_connect(d->idev, svc->port, &c->c) != IDEVICE_E_SUCCESS) {
    c->c = NULL;
    rc = transport_failure(d->udid, t0, err, service);
    goto out;
  }
  if (svc->ssl_enabled) {
    if (!conn_start_watchdog(c)) {
      rc = cp_error_set(err, CP_E_INTERNAL, "no watchdog for the TLS connection to %s", service);
      goto out;
    }
    conn_arm(c, CP_CONN_TLS_STALL_S);
    idevice_error_t e = idevice_connection_enable_ssl(c->c);
    if (conn_arm(c, 0))
      rc = cp_error_set(err, CP_E_TIMEOUT, "%s did not answer the TLS handshake of %s for %.0f s",
                        d->udid, service, CP_CONN_TLS_STALL_S);
    else if (e != IDEVICE_E_SUCCESS)
      rc = transport_failure(d->udid, t0, err, service);
    if (rc != CP_OK)
      goto out;
    c->ssl = 1;
  }
out:
  if (svc)
    lockdownd_service_descriptor_free(svc);
  if (rc != CP_OK) {
    cp_conn_close(c);
    return rc;
  }
  *out = c;
  return CP_OK;
}

cp_err cp_conn_send(cp_conn *c, const void *buf, size_t len, cp_error *err)
{
  const char *p = buf;
  while (len > 0) {
    uint32_t part = len > (1u << 30) ? (1u << 30) : (uint32_t)len, sent = 0;
    if (idevice_connection_send(c->c, p, part, &sent) != IDEVICE_E_SUCCESS || sent == 0 ||
        sent > part)
      return cp_error_set(err, CP_E_IO, "sending to the device failed");
    p += sent;
    len -= sent;
  }
  return CP_OK;
}

cp_conn_rc cp_conn_recv(cp_conn *c, void *buf, size_t len, unsigned timeout_ms, size_t *got)
{
  uint32_t n = 0;
  *got = 0;
  if (len == 0)
    return CP_CONN_OK;
  uint32_t part = len > (1u << 30) ? (1u << 30) : (uint32_t)len;
  if (c->ssl && part > CP_CONN_TLS_PART)
    part = CP_CONN_TLS_PART; /* one TLS record or so per call: the watchdog limit is per call */
  if (c->ssl)
    conn_arm(c, CP_CONN_TLS_STALL_S);
  idevice_error_t e = idevice_connection_receive_timeout(c->c, buf, part, &n, timeout_ms);
  if (c->ssl && conn_arm(c, 0))
    return CP_CONN_STALLED;
  if (e == IDEVICE_E_SUCCESS && n > 0 && n <= part) {
    *got = n;
    return CP_CONN_OK;
  }
  /* 1.3.0 reports a quiet socket as success with 0 bytes or as TIMEOUT. */
  if (e == IDEVICE_E_SUCCESS || e == IDEVICE_E_TIMEOUT)
    return CP_CONN_IDLE;
  return CP_CONN_BROKEN;
}

void cp_conn_close(cp_conn *c)
{
  if (!c)
    return;
  if (c->wd_started) {
    pthread_mutex_lock(&c->wl);
    c->wd_quit = 1;
    pthread_cond_signal(&c->wc);
    pthread_mutex_unlock(&c->wl);
    pthread_join(c->wd, NULL);
    pthread_cond_destroy(&c->wc);
    pthread_mutex_destroy(&c->wl);
  }
  if (c->c)
    idevice_disconnect(c->c);
  free(c);
}

cp_device *cp_conn_device(const cp_conn *c)
{
  return c->dev;
}

/* ------------------------------------------------------------ syslog */

cp_err cp_syslog_open(cp_device *d, cp_syslog **out, cp_error *err)
{
  lockdownd_service_descriptor_t svc = NULL;
  *out = NULL;
  cp_syslog *s = calloc(1, sizeof *s);
  if (!s)
    return cp_error_set(err, CP_E_NOMEM, "syslog client");
  s->dev = d;
  cp_err rc = start_service(d, SYSLOG_RELAY_SERVICE_NAME, &svc, err);
  if (rc != CP_OK) {
    free(s);
    return rc;
  }
  double t0 = now_s();
  syslog_relay_error_t se = syslog_relay_client_new(d->idev, svc, &s->client);
  lockdownd_service_descriptor_free(svc);
  if (se != SYSLOG_RELAY_E_SUCCESS) {
    free(s);
    return transport_failure(d->udid, t0, err, "connecting to syslog_relay");
  }
  *out = s;
  return CP_OK;
}

cp_err cp_syslog_read(cp_syslog *s, void *buf, uint32_t len, uint32_t *got, unsigned timeout_ms,
                      cp_error *err)
{
  *got = 0;
  syslog_relay_error_t se = syslog_relay_receive_with_timeout(s->client, buf, len, got, timeout_ms);
  if (se == SYSLOG_RELAY_E_SUCCESS || (se == SYSLOG_RELAY_E_TIMEOUT))
    return CP_OK;
  if (*got > 0)
    return CP_OK;
  if (cp_device_attached_after_failure(s->dev->udid) == 0)
    return cp_error_set(err, CP_E_DETACHED, "%s was unplugged during the log capture",
                        s->dev->udid);
  /* 1.3.0 reports a quiet stream as a mux error too: treat it as no data. */
  return CP_OK;
}

void cp_syslog_close(cp_syslog *s)
{
  if (!s)
    return;
  if (s->client)
    syslog_relay_client_free(s->client);
  free(s);
}

/* ------------------------------------------------------------ events */

/*
 * The watch outlives usbmuxd. On Linux usbmuxd is started by udev when an
 * Apple device is plugged in and may stop with the last one, so a station or
 * `list --watch` must wait for it rather than exit. libusbmuxd 2.0.2 does not
 * help: subscribed while usbmuxd is absent it waits for /var/run/usbmuxd
 * (ignoring USBMUXD_SOCKET_ADDRESS), and when usbmuxd goes away it reports
 * every device removed and never reconnects. So a supervisor thread polls
 * ListDevices every WATCH_POLL_MS: when usbmuxd stops answering it says so
 * once (CP_DEV_USBMUXD_ABSENT), reports the devices it knew as detached and
 * drops the subscription; when usbmuxd answers again it says so
 * (CP_DEV_USBMUXD_BACK) and subscribes afresh (usbmuxd's Listen reply then
 * announces every present device). A device usbmuxd lists for four polls
 * without our having heard of it means the subscription died unnoticed (a
 * quick restart between polls): it is renewed the same way.
 */
#define WATCH_POLL_MS 500
#define WATCH_MAX 64

static cp_device_event_fn watch_fn;
static void *watch_ctx;
static pthread_mutex_t watch_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_t watch_thread;
static volatile int watch_stop;
static int watch_running;
static char watch_known[WATCH_MAX][64]; /* attached over USB as we reported them */
static int watch_unknown_polls;

static int known_index(const char *udid)
{
  for (int i = 0; i < WATCH_MAX; i++)
    if (watch_known[i][0] && !strcmp(watch_known[i], udid))
      return i;
  return -1;
}

/* Delivers one event and keeps the set of attached devices, so a device
 * is never reported detached twice (libusbmuxd also sends removes). */
static void deliver(cp_device_event t, const char *udid, int network)
{
  pthread_mutex_lock(&watch_mu);
  cp_device_event_fn fn = watch_fn;
  void *ctx = watch_ctx;
  int skip = 0;
  if (t == CP_DEV_ATTACHED && !network) {
    if (known_index(udid) < 0)
      for (int i = 0; i < WATCH_MAX; i++)
        if (!watch_known[i][0]) {
          (void)snprintf(watch_known[i], sizeof watch_known[i], "%s", udid);
          break;
        }
  } else if (t == CP_DEV_DETACHED && !network) {
    int k = known_index(udid);
    if (k < 0)
      skip = 1;
    else
      watch_known[k][0] = '\0';
  }
  pthread_mutex_unlock(&watch_mu);
  if (fn && !skip)
    fn(ctx, t, udid, network);
}

static void on_event(const idevice_event_t *ev, void *user)
{
  (void)user;
  if (!ev || !ev->udid)
    return;
  cp_device_event t = ev->event == IDEVICE_DEVICE_ADD      ? CP_DEV_ATTACHED
                      : ev->event == IDEVICE_DEVICE_REMOVE ? CP_DEV_DETACHED
                                                           : CP_DEV_PAIRED;
  deliver(t, ev->udid, ev->conn_type == CONNECTION_NETWORK);
}

/* usbmuxd went away: every device we knew is gone with it. */
static void forget_all(void)
{
  char gone[WATCH_MAX][64];
  int n = 0;
  pthread_mutex_lock(&watch_mu);
  for (int i = 0; i < WATCH_MAX; i++)
    if (watch_known[i][0])
      memcpy(gone[n++], watch_known[i], sizeof gone[0]);
  pthread_mutex_unlock(&watch_mu);
  for (int i = 0; i < n; i++)
    deliver(CP_DEV_DETACHED, gone[i], 0);
}

/* 1 when usbmuxd lists a USB device we have not heard of. */
static int listed_but_unknown(const cp_device_entry *e, size_t n)
{
  int r = 0;
  pthread_mutex_lock(&watch_mu);
  for (size_t i = 0; i < n && !r; i++)
    if (!e[i].network && known_index(e[i].udid) < 0)
      r = 1;
  pthread_mutex_unlock(&watch_mu);
  return r;
}

static void *watch_main(void *arg)
{
  (void)arg;
  int subscribed = 0, said_absent = 0;
  while (!watch_stop) {
    cp_device_entry *e = NULL;
    size_t n = 0;
    int up = cp_device_list(&e, &n, NULL) == CP_OK;
    if (up && subscribed && listed_but_unknown(e, n)) {
      if (++watch_unknown_polls >= 4) {
        (void)idevice_event_unsubscribe(); /* stale: renew below */
        subscribed = 0;
      }
    } else
      watch_unknown_polls = 0;
    free(e);
    if (!up && (subscribed || !said_absent)) {
      if (subscribed)
        (void)idevice_event_unsubscribe();
      subscribed = 0;
      forget_all();
      if (!said_absent)
        deliver(CP_DEV_USBMUXD_ABSENT, "", 0);
      said_absent = 1;
    } else if (up && !subscribed) {
      watch_unknown_polls = 0;
      if (said_absent)
        deliver(CP_DEV_USBMUXD_BACK, "", 0);
      said_absent = 0;
      if (idevice_event_subscribe(on_event, NULL) == IDEVICE_E_SUCCESS)
        subscribed = 1;
    }
    for (int i = 0; i < WATCH_POLL_MS / 50 && !watch_stop; i++)
      sleep_ms(50);
  }
  if (subscribed)
    (void)idevice_event_unsubscribe();
  return NULL;
}

cp_err cp_device_watch_start(cp_device_event_fn fn, void *ctx, cp_error *err)
{
  pthread_mutex_lock(&watch_mu);
  if (watch_running) {
    pthread_mutex_unlock(&watch_mu);
    return cp_error_set(err, CP_E_INTERNAL, "the device watch is already running");
  }
  watch_fn = fn;
  watch_ctx = ctx;
  memset(watch_known, 0, sizeof watch_known);
  watch_stop = 0;
  watch_unknown_polls = 0;
  if (pthread_create(&watch_thread, NULL, watch_main, NULL) != 0) {
    watch_fn = NULL;
    pthread_mutex_unlock(&watch_mu);
    return cp_error_set(err, CP_E_NOMEM, "cannot start the device watch");
  }
  watch_running = 1;
  pthread_mutex_unlock(&watch_mu);
  return CP_OK;
}

void cp_device_watch_stop(void)
{
  pthread_mutex_lock(&watch_mu);
  int running = watch_running;
  watch_running = 0;
  watch_stop = 1;
  pthread_mutex_unlock(&watch_mu);
  if (running)
    pthread_join(watch_thread, NULL);
  pthread_mutex_lock(&watch_mu);
  watch_fn = NULL;
  watch_ctx = NULL;
  pthread_mutex_unlock(&watch_mu);
}
