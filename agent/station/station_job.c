/*
 * One device's life in station mode, on its own thread: choose the case id,
 * run the collect pipeline (retrying while the device is locked, waits for
 * Trust or times out), report the bundle, upload it when the policy says so.
 * Nothing here blocks another device: the only shared state is the event
 * writer, the case map (held only for a lookup) and the spool's counter.
 */
#include "collect.h"
#include "device.h"
#include "hints.h"
#include "product_names.h"
#include "station_int.h"
#include "station_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void cp_station_emit_failed(station *st, const char *udid, cp_err code, const char *detail,
                            json_t *extra)
{
  char msg[800];
  if (detail && *detail)
    snprintf(msg, sizeof msg, "%s: %s", cp_err_sentence(code), detail);
  else
    snprintf(msg, sizeof msg, "%s", cp_err_sentence(code));
  json_t *f = json_object();
  if (!f)
    return;
  json_object_set_new(f, "code", json_string(cp_err_name(code)));
  json_object_set_new(f, "status", json_integer((json_int_t)code));
  json_object_set_new(f, "message", json_string(msg));
  const char *hint = cp_hint(code);
  if (hint)
    json_object_set_new(f, "hint", json_string(hint));
  if (json_is_object(extra))
    json_object_update(f, extra);
  cp_events_emit(st->ev, "failed", udid, f);
  json_decref(f);
}

/* Codes worth another attempt after retry_delay_seconds: a person can fix
 * them at the bench (unlock, tap Trust) or they were a passing hiccup. */
static int retryable(cp_err rc)
{
  return rc == CP_E_LOCKED || rc == CP_E_TRUST_PENDING || rc == CP_E_TIMEOUT ||
         rc == CP_E_PROTOCOL || rc == CP_E_EXISTS;
}

/* Reads the model and name once, without pairing (cp_device_peek). The
 * name is a person's ("Anna's iPhone"): shown only when the policy turns the
 * device_name redaction class off, as it would appear in the bundle. */
static void learn_who(job *j)
{
  json_t *row = NULL;
  cp_error e;
  if (cp_device_peek(j->udid, &row, &e) != CP_OK)
    return;
  const char *pt = json_string_value(json_object_get(row, "product_type"));
  const char *nm = json_string_value(json_object_get(row, "name"));
  if (pt && *pt)
    (void)snprintf(j->model, sizeof j->model, "%s", cp_product_name(pt));
  const json_t *cls =
      json_object_get(json_object_get(j->st->pol->redact, "classes"), "device_name");
  if (nm && *nm)
    (void)snprintf(j->name, sizeof j->name, "%s", json_is_false(cls) ? nm : "(redacted by policy)");
  json_decref(row);
}

/* Adds what identifies the phone on the hub to an event's fields. */
static void add_who(const job *j, json_t *f)
{
  if (!f)
    return;
  if (j->model[0])
    json_object_set_new(f, "model", json_string(j->model));
  if (j->name[0])
    json_object_set_new(f, "name", json_string(j->name));
}

/* Collect's events for this device: the station itself reports attached,
 * bundle_ready and failed (with the case id and the final outcome), so those
 * are not forwarded; progress is limited to two lines a second. */
static void on_collect_event(void *ctx, const char *type, json_t *fields)
{
  job *j = ctx;
  if (!type || !strcmp(type, "attached") || !strcmp(type, "bundle_ready") ||
      !strcmp(type, "failed") || !strcmp(type, "detached"))
    return;
  if (!strcmp(type, "locked"))
    j->saw_locked = 1;
  if (!strcmp(type, "trust_pending"))
    j->saw_trust = 1;
  if (!strcmp(type, "collecting")) {
    double now = cp_station_now();
    if (now - j->last_progress < 0.5)
      return;
    j->last_progress = now;
  }
  add_who(j, fields);
  cp_events_emit(j->st->ev, type, j->udid, fields);
}

/* Reads the serial number through a short session, for a case map keyed by
 * serial. Any failure (locked, Trust pending) just means "not known yet". */
static int read_serial(job *j, char *out, size_t cap)
{
  cp_device_open_opts o;
  cp_device *d = NULL;
  json_t *v = NULL;
  cp_error e;
  int ok = 0;
  memset(&o, 0, sizeof o);
  o.udid = j->udid;
  o.cancel = &j->cancel;
  cp_error_clear(&e);
  if (cp_device_open(&o, &d, &e) != CP_OK)
    goto out;
  if (cp_device_get_value(d, NULL, "SerialNumber", &v, &e) != CP_OK || !json_is_string(v))
    goto out;
  snprintf(out, cap, "%s", json_string_value(v));
  ok = 1;
out:
  json_decref(v);
  cp_device_close(d);
  return ok;
}

/* The case id: the map by UDID, then by serial, else the template (whose
 * counter value is taken once per device, so retries keep the same id). */
static cp_err choose_case(job *j, char *out, size_t cap, char *tmpl_id, cp_error *err)
{
  station *st = j->st;
  cp_err rc;
  int changed = 0, need_serial = 0;
  const char *hit = NULL;
  cp_error ce;
  cp_error_clear(&ce);
  pthread_mutex_lock(&st->cases_mu);
  rc = cp_casefile_refresh(&st->cases, &changed, &ce);
  if (rc != CP_OK)
    cp_slog(rc == CP_E_NOT_FOUND ? LOG_WARNING : LOG_ERR, "case map: %s%s", ce.detail,
            rc == CP_E_POLICY ? " (keeping the previous map)" : "");
  else if (changed)
    cp_slog(LOG_INFO, "case map %s loaded: %zu devices", st->cases.path,
            cp_casemap_count(st->cases.map));
  hit = cp_casemap_lookup(st->cases.map, NULL, j->udid);
  if (hit)
    snprintf(out, cap, "%s", hit);
  need_serial = !hit && cp_casemap_count(st->cases.map) > 0;
  pthread_mutex_unlock(&st->cases_mu);
  if (hit)
    return CP_OK;
  if (need_serial) {
    char serial[128];
    if (read_serial(j, serial, sizeof serial)) {
      pthread_mutex_lock(&st->cases_mu);
      hit = cp_casemap_lookup(st->cases.map, serial, NULL);
      if (hit)
        snprintf(out, cap, "%s", hit);
      pthread_mutex_unlock(&st->cases_mu);
      if (hit)
        return CP_OK;
    }
  }
  if (!tmpl_id[0]) {
    time_t now = time(NULL);
    struct tm utc;
    unsigned long n = 0;
    if (!gmtime_r(&now, &utc))
      return cp_error_set(err, CP_E_INTERNAL, "clock");
    if ((rc = cp_spool_next_number(&st->spool, &utc, &n, err)))
      return rc;
    if ((rc = cp_case_template_expand(st->pol->case_template, &utc, n, tmpl_id, CP_CASE_ID_MAX + 1,
                                      err)))
      return rc;
  }
  snprintf(out, cap, "%s", tmpl_id);
  return CP_OK;
}

/* Sleeps up to `secs`, waking early when the job is cancelled or the
 * device is unplugged. */
static void nap(job *j, int secs)
{
  struct timespec ts = {0, 100 * 1000 * 1000};
  for (int i = 0; i < secs * 10 && !j->cancel && !j->detached; i++)
    nanosleep(&ts, NULL);
}

static const char *base_name(const char *p)
{
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

cp_err cp_station_upload(station *st, const char *name, const char *udid,
                         const volatile sig_atomic_t *cancel)
{
  cp_err rc = CP_OK;
  cp_error e;
  char path[4200];
  cp_upload_opts uo;
  cp_upload_result ur;
  cp_error_clear(&e);
  snprintf(path, sizeof path, "%s/%s", st->spool.ready, name);
  memset(&uo, 0, sizeof uo);
  uo.url = st->pol->upload_url;
  uo.creds = &st->creds;
  uo.cancel = cancel;
  int attempts = 1 + st->pol->upload_retries;
  for (int a = 1; a <= attempts; a++) {
    memset(&ur, 0, sizeof ur);
    cp_error_clear(&e);
    rc = cp_upload_file(path, &uo, &ur, &e);
    if (rc == CP_OK || rc == CP_E_INTERRUPTED || rc == CP_E_AUTH || rc == CP_E_NOT_FOUND ||
        rc == CP_E_USAGE || a == attempts || *cancel)
      break;
    cp_slog(LOG_WARNING, "upload of %s failed (%s), attempt %d of %d", name, e.detail, a, attempts);
    int delay = 2 << (a - 1 < 4 ? a - 1 : 4);
    struct timespec ts = {0, 100 * 1000 * 1000};
    for (int i = 0; i < delay * 10 && !*cancel; i++)
      nanosleep(&ts, NULL);
  }
  json_t *f = json_object();
  if (rc == CP_OK && (rc = cp_spool_mark_sent(&st->spool, name, &e)) == CP_OK) {
    char sent[4200], receipt[4300];
    snprintf(sent, sizeof sent, "%s/%s", st->spool.sent, name);
    snprintf(receipt, sizeof receipt, "%s.receipt.json", sent);
    json_object_set_new(f, "path", json_string(sent));
    json_object_set_new(f, "receipt", json_string(receipt));
    json_object_set_new(f, "url", json_string(ur.url));
    json_object_set_new(f, "etag", json_string(ur.etag));
    json_object_set_new(f, "size", json_integer((json_int_t)ur.size));
    json_object_set_new(f, "sha256", json_string(ur.sha256));
    cp_events_emit(st->ev, "uploaded", udid, f);
    cp_slog(LOG_INFO, "uploaded %s to %s", name, ur.url);
  } else {
    json_object_set_new(f, "stage", json_string("upload"));
    json_object_set_new(f, "path", json_string(path));
    cp_station_emit_failed(st, udid, rc, e.detail, f);
    cp_slog(LOG_ERR, "upload of %s failed: %s: %s (kept in ready/, retried on next start)", name,
            cp_err_sentence(rc), e.detail);
  }
  json_decref(f);
  return rc;
}

/* One attempt of the collect pipeline into SPOOL/ready/. */
static cp_err collect_once(job *j, const char *case_id, cp_collect_result *res, cp_error *err)
{
  station *st = j->st;
  const cp_policy *p = st->pol;
  cp_collect_opts o;
  memset(&o, 0, sizeof o);
  o.udid = j->udid;
  o.case_id = case_id;
  o.out_dir = st->spool.ready;
  o.scopes_granted = (const char *const *)st->consent.granted;
  o.scopes_refused = (const char *const *)st->consent.refused;
  o.consent_how = "policy";
  o.consent_text = st->consent.text;
  o.redact_policy = p->redact;
  o.sign_key = st->sign_key;
  o.syslog_seconds = p->syslog_seconds;
  o.syslog_max_bytes = p->syslog_max_bytes;
  o.wait_trust_seconds = p->wait_trust_seconds;
  o.timeout_ms = p->timeout_ms;
  o.cancel = &j->cancel;
  o.progress_bar = 0;
  o.event = on_collect_event;
  o.event_ctx = j;
  return cp_collect_run(&o, res, err);
}

/* The code a person should read: a cancel we caused says why we caused it. */
static cp_err final_code(const job *j, cp_err rc)
{
  if (rc == CP_OK || rc == CP_E_PARTIAL)
    return rc;
  if (j->detached)
    return CP_E_DETACHED;
  if (j->timed_out)
    return CP_E_TIMEOUT;
  if (j->shutdown)
    return CP_E_INTERRUPTED;
  return rc;
}

void *cp_station_job_main(void *arg)
{
  job *j = arg;
  station *st = j->st;
  const cp_policy *p = st->pol;
  cp_err rc = CP_E_INTERNAL;
  cp_error e;
  char case_id[CP_CASE_ID_MAX + 1] = "", tmpl_id[CP_CASE_ID_MAX + 1] = "";
  int attempt = 0;
  cp_error_clear(&e);
  learn_who(j);
  for (attempt = 1; attempt <= 1 + p->retries; attempt++) {
    cp_collect_result res;
    memset(&res, 0, sizeof res);
    cp_error_clear(&e);
    j->saw_locked = j->saw_trust = 0;
    if (j->cancel || j->detached) {
      rc = j->detached ? CP_E_DETACHED : CP_E_INTERRUPTED;
      break;
    }
    if ((rc = choose_case(j, case_id, sizeof case_id, tmpl_id, &e)))
      break;
    json_t *f = json_pack("{s:s, s:i}", "case_id", case_id, "attempt", attempt);
    add_who(j, f);
    cp_events_emit(st->ev, "collecting", j->udid, f);
    json_decref(f);
    rc = collect_once(j, case_id, &res, &e);
    if ((rc == CP_OK || rc == CP_E_PARTIAL) && res.bundle_path) {
      f = json_object();
      json_object_set_new(f, "case_id", json_string(case_id));
      json_object_set_new(f, "path", json_string(res.bundle_path));
      json_object_set_new(f, "size", json_integer((json_int_t)res.size));
      json_object_set_new(f, "sha256", json_string(res.sha256));
      json_object_set_new(f, "complete", json_boolean(rc == CP_OK));
      if (res.probes)
        json_object_set(f, "probes", res.probes);
      add_who(j, f);
      /* The battery verdict and crash counts, so the operator sees at once
       * which phone needs what. */
      const json_t *bat = json_object_get(res.findings, "battery");
      const json_t *tri = json_object_get(json_object_get(res.findings, "crashes"), "triage");
      const char *verdict = json_string_value(json_object_get(bat, "verdict"));
      json_object_set_new(f, "battery_verdict", json_string(verdict ? verdict : "unknown"));
      if (json_is_object(tri))
        json_object_set_new(
            f, "crashes",
            json_pack(
                "{s:I, s:I, s:I, s:I}", "total", json_integer_value(json_object_get(tri, "total")),
                "panics",
                json_integer_value(json_object_get(json_object_get(tri, "panics"), "count")),
                "forced_restarts",
                json_integer_value(
                    json_object_get(json_object_get(tri, "forced_restarts"), "count")),
                "jetsam",
                json_integer_value(json_object_get(json_object_get(tri, "jetsam"), "count"))));
      cp_events_emit(st->ev, "bundle_ready", j->udid, f);
      json_decref(f);
      cp_slog(LOG_INFO, "%s (%s%s%s): bundle %s ready (case %s, %llu bytes, battery %s%s)", j->udid,
              j->model[0] ? j->model : "unknown model", j->name[0] ? ", " : "", j->name,
              base_name(res.bundle_path), case_id, (unsigned long long)res.size,
              verdict ? verdict : "unknown", rc == CP_E_PARTIAL ? ", some probes failed" : "");
      j->partial = rc == CP_E_PARTIAL;
      if (p->upload) {
        cp_err urc = cp_station_upload(st, base_name(res.bundle_path), j->udid, &j->ucancel);
        if (urc != CP_OK)
          rc = urc == CP_E_INTERRUPTED ? CP_E_INTERRUPTED : CP_E_UPLOAD;
      }
      cp_collect_result_free(&res);
      j->result = rc;
      goto done;
    }
    cp_collect_result_free(&res);
    if (rc == CP_OK || rc == CP_E_PARTIAL) /* success without a path: a bug */
      rc = cp_error_set(&e, CP_E_INTERNAL, "collect gave no bundle path");
    /* Say "locked" / "trust_pending" even if collect did not. */
    if (rc == CP_E_LOCKED && !j->saw_locked) {
      f = json_pack("{s:s, s:i}", "case_id", case_id, "attempt", attempt);
      add_who(j, f);
      cp_events_emit(st->ev, "locked", j->udid, f);
      json_decref(f);
    } else if (rc == CP_E_TRUST_PENDING && !j->saw_trust) {
      f = json_pack("{s:s, s:i}", "case_id", case_id, "attempt", attempt);
      add_who(j, f);
      cp_events_emit(st->ev, "trust_pending", j->udid, f);
      json_decref(f);
    }
    if (!retryable(rc) || j->cancel || j->detached || attempt > p->retries)
      break;
    cp_slog(LOG_NOTICE, "%s: %s, trying again in %d s (attempt %d of %d)", j->udid,
            cp_err_sentence(rc), p->retry_delay_seconds, attempt + 1, 1 + p->retries);
    nap(j, rc == CP_E_EXISTS && p->retry_delay_seconds < 1 ? 1 : p->retry_delay_seconds);
  }
  rc = final_code(j, rc);
  j->result = rc;
  {
    json_t *x = json_object();
    if (case_id[0])
      json_object_set_new(x, "case_id", json_string(case_id));
    json_object_set_new(x, "stage", json_string("collect"));
    json_object_set_new(x, "attempts",
                        json_integer(attempt > 1 + p->retries ? 1 + p->retries : attempt));
    const char *detail = e.code == rc ? e.detail : "";
    add_who(j, x);
    cp_station_emit_failed(st, j->udid, rc, detail, x);
    json_decref(x);
    cp_slog(LOG_WARNING, "%s (%s%s%s): %s%s%s", j->udid, j->model[0] ? j->model : "unknown model",
            j->name[0] ? ", " : "", j->name, cp_err_sentence(rc), detail[0] ? ": " : "", detail);
  }
done:
  pthread_mutex_lock(&st->mu);
  j->state = JOB_DONE;
  st->running--;
  st->handled++;
  if (j->result == CP_E_PARTIAL || (j->result == CP_OK && j->partial))
    st->partial++;
  else if (j->result == CP_E_INTERRUPTED && j->shutdown)
    st->interrupted++;
  else if (j->result != CP_OK)
    st->failed++;
  pthread_cond_broadcast(&st->cv);
  pthread_mutex_unlock(&st->mu);
  return NULL;
}
