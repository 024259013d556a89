/*
 * cp_device_ioreg and cp_device_diagnostics (device.h): caseprobe's own
 * diagnostics_relay client over a raw service connection (cp_conn), so one
 * question is bounded by our own deadline (CP_DIAG_DEADLINE_MS for the whole
 * exchange) instead of libimobiledevice 1.3.0's two fixed 30 s receive
 * timeouts: a device whose diagnostics service stalls cost `caseprobe
 * battery` 63 s. The protocol (lockdown plist framing: 4-byte big-endian
 * length, then the plist): {Request: "IORegistry", EntryName?, EntryClass?}
 * or {Request: TYPE} -> {Status: "Success"|"UnknownRequest"|..., Diagnostics:
 * {...}}, then {Request: "Goodbye"}.
 */
#include "device.h"
#include "plist_frame.h"
#include "plist_json.h"

#include <plist/plist.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The whole exchange (request, answer) of one question. */
#define CP_DIAG_DEADLINE_MS 10000u
#define CP_DIAG_SLICE_MS 250u
/* An answer larger than this is nonsense (IORegistry "All" is ~100 KB). */
#define CP_DIAG_MAX_REPLY (16u * 1024u * 1024u)

static double mono_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Reads exactly len bytes before the deadline (monotonic ms). */
static cp_err recv_by(cp_conn *c, unsigned char *buf, size_t len, double deadline, const char *what,
                      cp_error *err)
{
  cp_device *d = cp_conn_device(c);
  size_t have = 0;
  while (have < len) {
    size_t got = 0;
    cp_conn_rc r = cp_conn_recv(c, buf + have, len - have, CP_DIAG_SLICE_MS, &got);
    if (r == CP_CONN_OK && got > 0 && got <= len - have) {
      have += got;
      continue;
    }
    int att = r == CP_CONN_IDLE && mono_ms() < deadline
                  ? 1
                  : cp_device_attached_after_failure(cp_device_udid(d));
    if (att == 0)
      return cp_error_set(err, CP_E_DETACHED, "%s was unplugged during %s", cp_device_udid(d),
                          what);
    if (att < 0)
      return cp_error_set(err, CP_E_USBMUXD, "usbmuxd went away during %s", what);
    if (r == CP_CONN_BROKEN)
      return cp_error_set(err, CP_E_PROTOCOL, "%s's diagnostics service hung up during %s",
                          cp_device_udid(d), what);
    if (r == CP_CONN_STALLED || mono_ms() >= deadline)
      return cp_error_set(err, CP_E_TIMEOUT,
                          "%s's diagnostics service sent nothing for %u s during %s",
                          cp_device_udid(d), CP_DIAG_DEADLINE_MS / 1000, what);
  }
  return CP_OK;
}

static cp_err send_plist(cp_conn *c, plist_t p, cp_error *err)
{
  size_t len = 0;
  unsigned char *buf = cp_plist_frame(p, CP_DIAG_MAX_REPLY, &len);
  if (!buf)
    return cp_error_set(err, CP_E_NOMEM, "diagnostics request");
  cp_err rc = cp_conn_send(c, buf, len, err);
  free(buf);
  return rc;
}

static cp_err recv_plist(cp_conn *c, plist_t *out, double deadline, const char *what, cp_error *err)
{
  unsigned char h[4];
  *out = NULL;
  cp_err rc = recv_by(c, h, 4, deadline, what, err);
  if (rc != CP_OK)
    return rc;
  uint32_t len = cp_plist_frame_len(h);
  cp_device *d = cp_conn_device(c);
  if (len == 0 || len > CP_DIAG_MAX_REPLY)
    return cp_error_set(err, CP_E_PROTOCOL, "%s sent a %u-byte answer to %s", cp_device_udid(d),
                        len, what);
  char *body = malloc(len);
  if (!body)
    return cp_error_set(err, CP_E_NOMEM, "diagnostics answer");
  rc = recv_by(c, (unsigned char *)body, len, deadline, what, err);
  if (rc == CP_OK && !(*out = cp_plist_frame_dict(body, len)))
    rc = cp_error_set(err, CP_E_PROTOCOL, "%s sent an unreadable answer to %s", cp_device_udid(d),
                      what);
  free(body);
  return rc;
}

/* One question: opens the service, asks, reads the answer's Diagnostics
 * dict into *diag (a copy), says Goodbye without waiting. */
static cp_err ask(cp_device *d, plist_t req, const char *what, plist_t *diag, cp_error *err)
{
  cp_conn *c = NULL;
  plist_t res = NULL;
  *diag = NULL;
  cp_err rc = cp_conn_open(d, "com.apple.mobile.diagnostics_relay", &c, err);
  if (rc == CP_E_SERVICE_UNAVAILABLE) /* iOS before 5 */
    rc = cp_conn_open(d, "com.apple.iosdiagnostics.relay", &c, err);
  if (rc != CP_OK)
    return rc;
  double deadline = mono_ms() + CP_DIAG_DEADLINE_MS;
  rc = send_plist(c, req, err);
  if (rc == CP_OK)
    rc = recv_plist(c, &res, deadline, what, err);
  if (rc == CP_OK) {
    plist_t st = plist_dict_get_item(res, "Status");
    char *s = NULL;
    if (st && plist_get_node_type(st) == PLIST_STRING)
      plist_get_string_val(st, &s);
    if (s && !strcmp(s, "Success")) {
      plist_t dg = plist_dict_get_item(res, "Diagnostics");
      *diag = dg ? plist_copy(dg) : NULL;
    } else if (s && !strcmp(s, "UnknownRequest"))
      rc = cp_error_set(err, CP_E_SERVICE_UNAVAILABLE, "%s does not know %s", cp_device_udid(d),
                        what);
    else
      rc = cp_error_set(err, CP_E_DEVICE_VALUE, "%s has no %s", cp_device_udid(d), what);
    free(s);
  }
  plist_free(res);
  if (rc == CP_OK || rc == CP_E_DEVICE_VALUE || rc == CP_E_SERVICE_UNAVAILABLE) {
    plist_t bye = plist_new_dict();
    cp_error ignored;
    plist_dict_set_item(bye, "Request", plist_new_string("Goodbye"));
    (void)send_plist(c, bye, &ignored);
    plist_free(bye);
  }
  cp_conn_close(c);
  return rc;
}

cp_err cp_device_ioreg(cp_device *d, const char *entry_name, const char *entry_class, json_t **out,
                       cp_error *err)
{
  char what[160];
  plist_t diag = NULL, req = plist_new_dict();
  *out = NULL;
  (void)snprintf(what, sizeof what, "IORegistry entry %s", entry_name ? entry_name : entry_class);
  plist_dict_set_item(req, "Request", plist_new_string("IORegistry"));
  if (entry_name && *entry_name)
    plist_dict_set_item(req, "EntryName", plist_new_string(entry_name));
  if (entry_class && *entry_class)
    plist_dict_set_item(req, "EntryClass", plist_new_string(entry_class));
  cp_err rc = ask(d, req, what, &diag, err);
  plist_free(req);
  if (rc == CP_OK) {
    plist_t io = diag ? plist_dict_get_item(diag, "IORegistry") : NULL;
    if (!io || plist_get_node_type(io) != PLIST_DICT || plist_dict_get_size(io) == 0)
      rc = cp_error_set(err, CP_E_DEVICE_VALUE, "%s has no %s", cp_device_udid(d), what);
    else if (!(*out = cp_plist_to_json(io, NULL, err)))
      rc = cp_error_set(err, CP_E_PROTOCOL, "%s sent an unreadable %s", cp_device_udid(d), what);
  }
  plist_free(diag);
  return rc;
}

cp_err cp_device_diagnostics(cp_device *d, const char *type, json_t **out, cp_error *err)
{
  plist_t diag = NULL, req = plist_new_dict();
  *out = NULL;
  plist_dict_set_item(req, "Request", plist_new_string(type));
  cp_err rc = ask(d, req, type, &diag, err);
  plist_free(req);
  if (rc == CP_OK) {
    if (!diag || plist_get_node_type(diag) != PLIST_DICT)
      rc =
          cp_error_set(err, CP_E_DEVICE_VALUE, "%s has no %s diagnostics", cp_device_udid(d), type);
    else if (!(*out = cp_plist_to_json(diag, NULL, err)))
      rc = cp_error_set(err, CP_E_PROTOCOL, "%s sent unreadable %s diagnostics", cp_device_udid(d),
                        type);
  }
  plist_free(diag);
  return rc;
}
