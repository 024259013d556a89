/*
 * Case requests (see case_request.h): the envelope is parsed, the signature
 * is checked against the trusted keys by fingerprint, then the payload's
 * fields are validated. Nothing here trusts a field before the signature
 * over it has been checked (except the fingerprint that picks the key).
 */
#include "case_request.h"

#include "manifest.h"
#include "sign.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define FORMAT_NAME "caseprobe-case-request"

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), so no timegm() is needed. */
static long days_from_civil(long y, unsigned m, unsigned d)
{
  y -= m <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (long)doe - 719468;
}

/* The value of n decimal digits (already checked to be digits). */
static long digits(const char *s, int n)
{
  long v = 0;
  for (int i = 0; i < n; i++)
    v = v * 10 + (s[i] - '0');
  return v;
}

time_t cp_request_parse_time(const char *s)
{
  if (!s || strlen(s) != 20)
    return (time_t)-1;
  static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
  for (size_t i = 0; i < 20; i++) {
    if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
      return (time_t)-1;
  }
  long y = digits(s, 4);
  unsigned mo = (unsigned)digits(s + 5, 2), d = (unsigned)digits(s + 8, 2);
  long h = digits(s + 11, 2), mi = digits(s + 14, 2), se = digits(s + 17, 2);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
    return (time_t)-1;
  return (time_t)(days_from_civil(y, mo, d) * 86400L + h * 3600L + mi * 60L + se);
}

void cp_case_request_free(cp_case_request *r)
{
  if (!r)
    return;
  free(r->case_id);
  free(r->org);
  free(r->upload_url);
  free(r->payload);
  for (size_t i = 0; i < r->nscopes; i++) {
    free(r->scopes[i].scope);
    free(r->scopes[i].reason);
  }
  memset(r, 0, sizeof *r);
}

/* A text a person will read: non-empty, bounded, UTF-8, no control characters. */
static const char *text_field(json_t *o, const char *key, size_t max, const char **why)
{
  json_t *v = json_object_get(o, key);
  const char *s = json_string_value(v);
  if (!s) {
    *why = "is missing or not a text";
    return NULL;
  }
  size_t n = strlen(s);
  if (n == 0 || n > max || n != json_string_length(v)) {
    *why = n == 0 ? "is empty" : "is too long or holds a NUL";
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7f) {
      *why = "holds a control character";
      return NULL;
    }
  }
  return s;
}

static cp_err bad(cp_error *err, const char *what, const char *why)
{
  return cp_error_set(err, CP_E_REQUEST, "the case request's %s %s", what, why);
}

/* Verifies sig over payload with the key among key_paths whose fingerprint is fp. */
static cp_err check_signature(const char *payload, const char *sig, const char *fp,
                              const char *const *key_paths, cp_error *err)
{
  for (size_t i = 0; key_paths && key_paths[i]; i++) {
    char have[65];
    cp_error kerr;
    cp_error_clear(&kerr);
    if (cp_sign_key_fingerprint(key_paths[i], 0, have, &kerr) != CP_OK &&
        cp_sign_key_fingerprint(key_paths[i], 1, have, &kerr) != CP_OK)
      continue; /* not a key: another file in the keys folder */
    if (strcmp(have, fp))
      continue;
    cp_err rc =
        cp_verify_ed25519(key_paths[i], payload, strlen(payload), sig, strlen(sig), NULL, &kerr);
    if (rc == CP_OK)
      return CP_OK;
    if (rc == CP_E_SIGNATURE)
      return cp_error_set(err, CP_E_REQUEST,
                          "the case request's signature does not match its content: it was "
                          "changed after it was signed");
    return cp_error_set(err, CP_E_REQUEST, "the trusted key %s cannot be used: %s", key_paths[i],
                        kerr.detail);
  }
  return cp_error_set(err, CP_E_REQUEST,
                      "the case request is signed by a key this computer does not trust "
                      "(fingerprint %.16s...)",
                      fp);
}

static cp_err parse_payload(json_t *p, cp_case_request *r, cp_error *err)
{
  const char *why = NULL, *s;
  if (!json_is_object(p))
    return bad(err, "content", "is not a JSON object");
  if (!(s = text_field(p, "case_id", 128, &why)) || !(r->case_id = strdup(s)))
    return why ? bad(err, "case_id", why) : cp_error_set(err, CP_E_NOMEM, "case request");
  if (!(s = text_field(p, "org", 200, &why)) || !(r->org = strdup(s)))
    return why ? bad(err, "org", why) : cp_error_set(err, CP_E_NOMEM, "case request");
  if (!(s = text_field(p, "expires", 20, &why)))
    return bad(err, "expires", why);
  if ((r->expires = cp_request_parse_time(s)) == (time_t)-1)
    return bad(err, "expires", "is not a time like 2026-12-14T00:00:00Z");
  json_t *c = json_object_get(p, "created");
  if (c) {
    if (!(s = text_field(p, "created", 20, &why)))
      return bad(err, "created", why);
    if ((r->created = cp_request_parse_time(s)) == (time_t)-1)
      return bad(err, "created", "is not a time like 2026-12-07T00:00:00Z");
  }
  json_t *up = json_object_get(p, "upload");
  if (up) {
    if (!json_is_object(up) || !(s = text_field(up, "url", 8000, &why)))
      return bad(err, "upload.url", why ? why : "is missing");
    if (strncmp(s, "https://", 8) && strncmp(s, "http://", 7))
      return bad(err, "upload.url", "is not an http(s) URL");
    if (!(r->upload_url = strdup(s)))
      return cp_error_set(err, CP_E_NOMEM, "case request");
  }
  json_t *sc = json_object_get(p, "scopes");
  if (!json_is_array(sc) || json_array_size(sc) == 0)
    return bad(err, "scopes", "are missing: a request asks for at least one scope");
  if (json_array_size(sc) > CP_REQUEST_MAX_SCOPES)
    return bad(err, "scopes", "are too many");
  size_t i;
  json_t *e;
  json_array_foreach(sc, i, e)
  {
    const char *name = NULL, *reason = NULL;
    if (!json_is_object(e) || !(name = text_field(e, "scope", 32, &why)) ||
        !(reason = text_field(e, "reason", 1000, &why)))
      return bad(err, "scopes", why ? why : "hold an entry that is not {scope, reason}");
    for (size_t k = 0; k < r->nscopes; k++)
      if (!strcmp(r->scopes[k].scope, name))
        return bad(err, "scopes", "name one scope twice");
    r->scopes[r->nscopes].scope = strdup(name);
    r->scopes[r->nscopes].reason = strdup(reason);
    r->nscopes++;
    if (!r->scopes[r->nscopes - 1].scope || !r->scopes[r->nscopes - 1].reason)
      return cp_error_set(err, CP_E_NOMEM, "case request");
  }
  return CP_OK;
}

cp_err cp_case_request_load(const char *buf, size_t len, const char *const *key_paths, time_t now,
                            cp_case_request *out, cp_error *err)
{
  memset(out, 0, sizeof *out);
  if (len > CP_REQUEST_MAX_BYTES)
    return cp_error_set(err, CP_E_REQUEST,
                        "the case request is %zu bytes, more than a request "
                        "can be (%u)",
                        len, CP_REQUEST_MAX_BYTES);
  json_error_t jerr;
  json_t *env = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
  if (!env)
    return cp_error_set(err, CP_E_REQUEST, "the case request is not valid JSON (line %d: %s)",
                        jerr.line, jerr.text);
  cp_err rc = CP_OK;
  json_t *payload = NULL;
  const char *fmt = json_string_value(json_object_get(env, "format"));
  json_t *ver = json_object_get(env, "version");
  json_t *pl = json_object_get(env, "payload");
  json_t *sig = json_object_get(env, "signature"), *fp = json_object_get(env, "key_sha256");
  if (!json_is_object(env) || !fmt || strcmp(fmt, FORMAT_NAME)) {
    rc = bad(err, "format", "is not \"" FORMAT_NAME "\": this is not a case request");
    goto out;
  }
  if (json_integer_value(ver) != 1 || !json_is_integer(ver)) {
    rc = bad(err, "version", "is not 1: it was made by a newer caseprobe");
    goto out;
  }
  if (!json_is_string(pl) || json_string_length(pl) != strlen(json_string_value(pl))) {
    rc = bad(err, "payload", "is missing or not a text");
    goto out;
  }
  const char *ptext = json_string_value(pl);
  if (sig || fp) {
    if (!json_is_string(sig) || !json_is_string(fp) || !cp_is_sha256_hex(json_string_value(fp))) {
      rc = bad(err, "signature", "is incomplete (signature and key_sha256 go together)");
      goto out;
    }
    rc = check_signature(ptext, json_string_value(sig), json_string_value(fp), key_paths, err);
    if (rc != CP_OK)
      goto out;
    out->is_signed = 1;
    memcpy(out->key_sha256, json_string_value(fp), 65);
  }
  payload = json_loads(ptext, JSON_REJECT_DUPLICATES, &jerr);
  if (!payload) {
    rc = cp_error_set(err, CP_E_REQUEST, "the case request's payload is not valid JSON (%s)",
                      jerr.text);
    goto out;
  }
  if ((rc = parse_payload(payload, out, err)) != CP_OK)
    goto out;
  if (now >= out->expires) {
    rc = cp_error_set(err, CP_E_REQUEST_EXPIRED,
                      "the case request for case %s expired on %s: ask %s for a new one",
                      out->case_id, json_string_value(json_object_get(payload, "expires")),
                      out->org);
    goto out;
  }
  if (!(out->payload = strdup(ptext)))
    rc = cp_error_set(err, CP_E_NOMEM, "case request");
out:
  if (rc != CP_OK)
    cp_case_request_free(out);
  json_decref(payload);
  json_decref(env);
  return rc;
}

cp_err cp_case_request_sign(const char *payload_text, const char *key_path, char **text_out,
                            cp_error *err)
{
  *text_out = NULL;
  char *sig = NULL, fp[65];
  cp_err rc = cp_sign_ed25519(key_path, payload_text, strlen(payload_text), &sig, fp, err);
  if (rc != CP_OK)
    return rc;
  size_t n = strlen(sig);
  while (n && (sig[n - 1] == '\n' || sig[n - 1] == '\r'))
    sig[--n] = 0;
  json_t *env = json_pack("{s:s, s:i, s:s, s:s, s:s}", "format", FORMAT_NAME, "version", 1,
                          "payload", payload_text, "key_sha256", fp, "signature", sig);
  free(sig);
  if (!env)
    return cp_error_set(err, CP_E_NOMEM, "case request");
  *text_out = json_dumps(env, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(env);
  return *text_out ? CP_OK : cp_error_set(err, CP_E_NOMEM, "case request");
}
