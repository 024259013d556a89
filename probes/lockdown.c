/* lockdown.c: see lockdown.h. One request, one reply, in order: a reply is
 * read as exactly 4 length bytes (bounded) and exactly that many plist bytes,
 * so a malformed body leaves the stream in step; a broken length or a lost
 * connection ends the client (later requests fail at once). */
#include "lockdown.h"

#include "plist_frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A lockdown reply larger than this is nonsense (the whole global domain of
 * a real device is ~20 KB). */
#define CP_LD_MAX_MESSAGE (4u * 1024u * 1024u)
#define CP_LD_DEFAULT_REPLY_MS 15000u

struct cp_lockdown {
  cp_stream *s;
  char udid[64];
  char label[64];
  unsigned reply_ms;
  cp_lockdown_lost_fn lost;
  void *lost_ctx;
  char session_id[128];
  int session;
  int dead; /* the stream is out of step or gone */
};

cp_lockdown *cp_lockdown_new(int fd, const cp_lockdown_opts *o)
{
  cp_lockdown *l = calloc(1, sizeof *l);
  if (!l)
    return NULL;
  l->s = cp_stream_new(fd);
  if (!l->s) {
    free(l);
    return NULL;
  }
  (void)snprintf(l->udid, sizeof l->udid, "%s", o && o->udid ? o->udid : "the device");
  (void)snprintf(l->label, sizeof l->label, "%s", o && o->label ? o->label : "caseprobe");
  l->reply_ms = o && o->reply_ms ? o->reply_ms : CP_LD_DEFAULT_REPLY_MS;
  l->lost = o ? o->lost : NULL;
  l->lost_ctx = o ? o->lost_ctx : NULL;
  return l;
}

void cp_lockdown_free(cp_lockdown *l)
{
  if (!l)
    return;
  if (l->session && !l->dead) {
    l->lost = NULL; /* no usbmuxd questions on the way out */
    l->reply_ms = 2000;
    cp_error ignored;
    (void)cp_lockdown_stop_session(l, &ignored);
  }
  cp_stream_free(l->s);
  free(l);
}

int cp_lockdown_in_session(const cp_lockdown *l)
{
  return l && l->session && !l->dead;
}

/* The connection failed: asks the device layer what happened. */
static cp_err lost(cp_lockdown *l, cp_stream_rc r, const char *what, cp_error *err)
{
  l->dead = 1;
  int timed_out = r == CP_STREAM_IDLE;
  if (l->lost)
    return l->lost(l->lost_ctx, timed_out, what, err);
  return timed_out ? cp_error_set(err, CP_E_TIMEOUT, "%s did not answer %s", l->udid, what)
                   : cp_error_set(err, CP_E_PROTOCOL, "%s closed the lockdown connection during %s",
                                  l->udid, what);
}

static cp_err send_msg(cp_lockdown *l, plist_t msg, const char *what, cp_error *err)
{
  size_t len = 0;
  unsigned char *buf = cp_plist_frame(msg, CP_LD_MAX_MESSAGE, &len);
  if (!buf)
    return cp_error_set(err, CP_E_NOMEM, "lockdown request %s", what);
  cp_stream_rc r = cp_stream_send(l->s, buf, len, l->reply_ms);
  free(buf);
  return r == CP_STREAM_OK ? CP_OK : lost(l, r, what, err);
}

/* Reads one framed reply into a dict. */
static cp_err recv_msg(cp_lockdown *l, plist_t *out, const char *what, cp_error *err)
{
  unsigned char h[4];
  *out = NULL;
  cp_stream_rc r = cp_stream_recv_all(l->s, h, sizeof h, l->reply_ms);
  if (r != CP_STREAM_OK)
    return lost(l, r, what, err);
  uint32_t len = cp_plist_frame_len(h);
  if (len == 0 || len > CP_LD_MAX_MESSAGE) {
    l->dead = 1; /* the body's end is unknown: nothing after this can be read */
    return cp_error_set(err, CP_E_PROTOCOL, "%s sent a %u-byte lockdown reply to %s", l->udid, len,
                        what);
  }
  char *body = malloc(len);
  if (!body)
    return cp_error_set(err, CP_E_NOMEM, "lockdown reply to %s", what);
  r = cp_stream_recv_all(l->s, body, len, l->reply_ms);
  if (r != CP_STREAM_OK) {
    free(body);
    return lost(l, r, what, err);
  }
  plist_t p = cp_plist_frame_dict(body, len);
  free(body);
  if (!p)
    return cp_error_set(err, CP_E_PROTOCOL, "%s sent an unreadable lockdown reply to %s", l->udid,
                        what);
  *out = p;
  return CP_OK;
}

/* A string item of dict, or NULL when absent or not a string. */
static const char *str_item(plist_t dict, const char *key)
{
  plist_t n = dict ? plist_dict_get_item(dict, key) : NULL;
  if (!n || plist_get_node_type(n) != PLIST_STRING)
    return NULL;
  return plist_get_string_ptr(n, NULL);
}

/* A boolean item of dict; 0 when absent or not a boolean. */
static int bool_item(plist_t dict, const char *key)
{
  plist_t n = dict ? plist_dict_get_item(dict, key) : NULL;
  uint8_t b = 0;
  if (n && plist_get_node_type(n) == PLIST_BOOLEAN)
    plist_get_bool_val(n, &b);
  return b != 0;
}

/* Sets key to the string v, unless v is NULL. */
static void set_str(plist_t dict, const char *key, const char *v)
{
  if (v)
    plist_dict_set_item(dict, key, plist_new_string(v));
}

/* A device's Error name is printed only when it looks like one. */
static const char *safe_name(const char *s)
{
  if (!s || !*s || strlen(s) > 64)
    return "an unreadable error";
  for (const char *p = s; *p; p++)
    if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
      return "an unreadable error";
  return s;
}

/* The Error strings lockdownd sends, as caseprobe's codes. */
static const struct {
  const char *name;
  cp_err code;
  const char *text;
} ld_errors[] = {
    {"PairingDialogResponsePending", CP_E_TRUST_PENDING, ""},
    {"UserDeniedPairing", CP_E_TRUST_DENIED, ""},
    {"PasswordProtected", CP_E_LOCKED, ""},
    {"EscrowLocked", CP_E_LOCKED, ""},
    {"InvalidHostID", CP_E_PAIRING_INVALID, "Invalid HostID"},
    {"MissingHostID", CP_E_PAIRING_INVALID, "Missing HostID"},
    {"InvalidPairRecord", CP_E_PAIRING_INVALID, "Invalid pair record"},
    {"MissingPairRecord", CP_E_PAIRING_INVALID, "Missing pair record"},
    {"SavePairRecordFailed", CP_E_PAIRING_INVALID, "Saving pair record failed"},
    {"PairingProhibitedOverThisConnection", CP_E_PAIRING_INVALID, "prohibited"},
    {"InvalidService", CP_E_SERVICE_UNAVAILABLE, "Invalid service"},
    {"MissingService", CP_E_SERVICE_UNAVAILABLE, "Missing service"},
    {"ServiceProhibited", CP_E_SERVICE_UNAVAILABLE, "Service prohibited"},
    {"ServiceLimit", CP_E_SERVICE_UNAVAILABLE, "Service limit reached"},
    {"MissingValue", CP_E_DEVICE_VALUE, ""},
    {"MissingKey", CP_E_DEVICE_VALUE, ""},
    {"GetProhibited", CP_E_DEVICE_VALUE, ""},
};

/* The cp_err of a lockdown Error string, with the detail the agent shows. */
static cp_err map_error(const cp_lockdown *l, const char *name, const char *what, cp_error *err)
{
  for (size_t i = 0; i < sizeof ld_errors / sizeof ld_errors[0]; i++) {
    if (strcmp(ld_errors[i].name, name) != 0)
      continue;
    switch (ld_errors[i].code) {
    case CP_E_TRUST_PENDING:
      return cp_error_set(err, CP_E_TRUST_PENDING, "%s is waiting for Trust to be tapped", l->udid);
    case CP_E_TRUST_DENIED:
      return cp_error_set(err, CP_E_TRUST_DENIED, "Don't Trust was tapped on %s", l->udid);
    case CP_E_LOCKED:
      return cp_error_set(err, CP_E_LOCKED, "%s refused %s while locked", l->udid, what);
    case CP_E_PAIRING_INVALID:
      if (!strcmp(ld_errors[i].text, "prohibited"))
        return cp_error_set(err, CP_E_PAIRING_INVALID, "%s refuses pairing over this connection",
                            l->udid);
      return cp_error_set(err, CP_E_PAIRING_INVALID,
                          "%s did not accept this computer's pairing (%s)", l->udid,
                          ld_errors[i].text);
    case CP_E_SERVICE_UNAVAILABLE:
      return cp_error_set(err, CP_E_SERVICE_UNAVAILABLE, "%s does not offer %s (%s)", l->udid, what,
                          ld_errors[i].text);
    default: return cp_error_set(err, CP_E_DEVICE_VALUE, "%s has no %s", l->udid, what);
    }
  }
  return cp_error_set(err, CP_E_PROTOCOL, "%s refused %s (%s)", l->udid, what, safe_name(name));
}

/* Sends req (Label and Request added) and reads the reply: it must echo the
 * Request and carry no Error. *reply (may be NULL) gets the dict. */
static cp_err call(cp_lockdown *l, plist_t req, const char *verb, const char *what, plist_t *reply,
                   cp_error *err)
{
  if (reply)
    *reply = NULL;
  if (l->dead) {
    plist_free(req);
    return cp_error_set(err, CP_E_PROTOCOL, "the lockdown connection of %s broke earlier (%s)",
                        l->udid, what);
  }
  plist_dict_set_item(req, "Label", plist_new_string(l->label));
  plist_dict_set_item(req, "Request", plist_new_string(verb));
  cp_err rc = send_msg(l, req, what, err);
  plist_free(req);
  plist_t p = NULL;
  if (rc == CP_OK)
    rc = recv_msg(l, &p, what, err);
  if (rc != CP_OK)
    return rc;
  const char *echo = str_item(p, "Request");
  const char *e = str_item(p, "Error");
  plist_t res = plist_dict_get_item(p, "Result");
  const char *result = str_item(p, "Result");
  if (!echo || strcmp(echo, verb) != 0)
    rc = cp_error_set(err, CP_E_PROTOCOL, "%s answered %s with a reply to another request", l->udid,
                      what);
  else if (plist_dict_get_item(p, "Error"))
    rc = e ? map_error(l, e, what, err) : map_error(l, "", what, err);
  else if (res && (!result || strcmp(result, "Success") != 0))
    rc = cp_error_set(err, CP_E_PROTOCOL, "%s refused %s without saying why", l->udid, what);
  if (rc != CP_OK || !reply)
    plist_free(p);
  else
    *reply = p;
  return rc;
}

cp_err cp_lockdown_query_type(cp_lockdown *l, cp_error *err)
{
  plist_t p = NULL;
  cp_err rc = call(l, plist_new_dict(), "QueryType", "the lockdown handshake", &p, err);
  if (rc != CP_OK)
    return rc;
  const char *type = str_item(p, "Type");
  if (!type || strcmp(type, "com.apple.mobile.lockdown") != 0)
    rc = cp_error_set(err, CP_E_PROTOCOL, "%s's port 62078 is not lockdownd", l->udid);
  plist_free(p);
  return rc;
}

cp_err cp_lockdown_get_value(cp_lockdown *l, const char *domain, const char *key, plist_t *out,
                             cp_error *err)
{
  char what[200];
  *out = NULL;
  (void)snprintf(what, sizeof what, "value %s%s%s", domain ? domain : "", domain && key ? " " : "",
                 key ? key : (domain ? "" : "(global)"));
  plist_t req = plist_new_dict();
  set_str(req, "Domain", domain);
  set_str(req, "Key", key);
  plist_t p = NULL;
  cp_err rc = call(l, req, "GetValue", what, &p, err);
  if (rc != CP_OK)
    return rc;
  plist_t v = plist_dict_get_item(p, "Value");
  if (!v)
    rc = cp_error_set(err, CP_E_DEVICE_VALUE, "%s has no %s", l->udid, what);
  else
    *out = plist_copy(v);
  plist_free(p);
  return rc;
}

/* A PEM (data) item of a pair record, or NULL. */
static const char *pem_item(plist_t rec, const char *key, size_t *len)
{
  plist_t n = rec ? plist_dict_get_item(rec, key) : NULL;
  uint64_t l = 0;
  const char *p = NULL;
  if (n && plist_get_node_type(n) == PLIST_DATA)
    p = plist_get_data_ptr(n, &l);
  *len = p && l > 0 && l < CP_LD_MAX_MESSAGE ? (size_t)l : 0;
  return *len ? p : NULL;
}

cp_err cp_lockdown_validate_pair(cp_lockdown *l, plist_t record, cp_error *err)
{
  plist_t pr = plist_new_dict();
  static const char *const certs[] = {"DeviceCertificate", "HostCertificate", "RootCertificate"};
  for (size_t i = 0; i < 3; i++) {
    size_t n = 0;
    const char *p = pem_item(record, certs[i], &n);
    if (p)
      plist_dict_set_item(pr, certs[i], plist_new_data(p, n));
  }
  set_str(pr, "HostID", str_item(record, "HostID"));
  set_str(pr, "SystemBUID", str_item(record, "SystemBUID"));
  plist_t req = plist_new_dict();
  plist_dict_set_item(req, "PairRecord", pr);
  plist_dict_set_item(req, "ProtocolVersion", plist_new_string("2"));
  return call(l, req, "ValidatePair", "the pairing check", NULL, err);
}

cp_err cp_lockdown_tls(cp_stream *s, plist_t record, int max_tls1, unsigned timeout_ms,
                       const char *udid, const char *what, cp_lockdown_lost_fn lost_fn,
                       void *lost_ctx, cp_error *err)
{
  cp_tls_opts o = {0};
  o.max_tls1 = max_tls1;
  o.cert_pem = pem_item(record, "HostCertificate", &o.cert_len);
  o.key_pem = pem_item(record, "HostPrivateKey", &o.key_len);
  if (!o.cert_pem || !o.key_pem) {
    o.cert_pem = pem_item(record, "RootCertificate", &o.cert_len);
    o.key_pem = pem_item(record, "RootPrivateKey", &o.key_len);
  }
  char why[256];
  cp_stream_rc r = cp_stream_tls_start(s, &o, timeout_ms, why, sizeof why);
  switch (r) {
  case CP_STREAM_OK: return CP_OK;
  case CP_STREAM_TLS_REFUSED:
    return cp_error_set(err, CP_E_PAIRING_INVALID,
                        "%s did not accept this computer's pairing (TLS of %s: %s)", udid, what,
                        why);
  case CP_STREAM_TLS_BAD:
    return cp_error_set(err, CP_E_PROTOCOL, "%s did not speak TLS for %s (%s)", udid, what, why);
  default: {
    char hs[200];
    (void)snprintf(hs, sizeof hs, "the TLS handshake of %s", what);
    if (lost_fn)
      return lost_fn(lost_ctx, r == CP_STREAM_IDLE, hs, err);
    return r == CP_STREAM_IDLE ? cp_error_set(err, CP_E_TIMEOUT, "%s did not answer %s", udid, hs)
                               : cp_error_set(err, CP_E_PROTOCOL, "%s hung up in %s", udid, hs);
  }
  }
}

cp_err cp_lockdown_start_session(cp_lockdown *l, plist_t record, const char *system_buid,
                                 int max_tls1, cp_error *err)
{
  const char *what = "the lockdown session";
  const char *hid = str_item(record, "HostID");
  if (!hid || !*hid)
    return cp_error_set(err, CP_E_PAIRING_INVALID,
                        "%s did not accept this computer's pairing (no HostID in the pair record)",
                        l->udid);
  if (l->session) {
    cp_err rc = cp_lockdown_stop_session(l, err);
    if (rc != CP_OK)
      return rc;
  }
  plist_t req = plist_new_dict();
  plist_dict_set_item(req, "HostID", plist_new_string(hid));
  set_str(req, "SystemBUID",
          system_buid && *system_buid ? system_buid : str_item(record, "SystemBUID"));
  plist_t p = NULL;
  cp_err rc = call(l, req, "StartSession", what, &p, err);
  if (rc != CP_OK)
    return rc;
  const char *sid = str_item(p, "SessionID");
  (void)snprintf(l->session_id, sizeof l->session_id, "%s", sid ? sid : "");
  int use_ssl = bool_item(p, "EnableSessionSSL");
  plist_free(p);
  l->session = 1;
  if (use_ssl) {
    rc = cp_lockdown_tls(l->s, record, max_tls1, l->reply_ms, l->udid, what, l->lost, l->lost_ctx,
                         err);
    if (rc != CP_OK) {
      l->dead = 1; /* half a handshake: the stream is neither TLS nor plaintext */
      l->session = 0;
    }
  }
  return rc;
}

cp_err cp_lockdown_start_service(cp_lockdown *l, const char *service, uint16_t *port, int *ssl,
                                 cp_error *err)
{
  *port = 0;
  *ssl = 0;
  plist_t req = plist_new_dict();
  plist_dict_set_item(req, "Service", plist_new_string(service));
  plist_t p = NULL;
  cp_err rc = call(l, req, "StartService", service, &p, err);
  if (rc != CP_OK)
    return rc;
  plist_t pn = plist_dict_get_item(p, "Port");
  uint64_t v = 0;
  if (pn && plist_get_node_type(pn) == PLIST_UINT)
    plist_get_uint_val(pn, &v);
  int b = bool_item(p, "EnableServiceSSL");
  plist_free(p);
  if (v == 0 || v > 65535)
    return cp_error_set(err, CP_E_PROTOCOL, "%s gave no port for %s", l->udid, service);
  *port = (uint16_t)v;
  *ssl = b != 0;
  return CP_OK;
}

cp_err cp_lockdown_stop_session(cp_lockdown *l, cp_error *err)
{
  if (!l->session)
    return CP_OK;
  plist_t req = plist_new_dict();
  plist_dict_set_item(req, "SessionID", plist_new_string(l->session_id));
  cp_err rc = call(l, req, "StopSession", "the end of the lockdown session", NULL, err);
  l->session = 0;
  if (!l->dead)
    cp_stream_tls_stop(l->s, l->reply_ms);
  return rc;
}
