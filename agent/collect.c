/*
 * The collect pipeline (see collect.h): device session -> consented probes ->
 * redact sink -> bundle sink -> finish, then an immediate re-verification of
 * the finished file. Every path that does not end in a verified bundle calls
 * cp_bundle_abort(), so nothing partial is ever left at the final path.
 *
 * Summaries that probes return (device info, battery, crash triage) feed the
 * manifest and report.html, which the bundle writer adds itself, outside the
 * redact sink: they are therefore redacted here, as text, before use.
 */
#include "collect.h"

#include "build_info.h"
#include "bundle.h"
#include "bundle_check.h"
#include "bundle_read.h"
#include "collect_redact.h"
#include "consent_record.h"
#include "device.h"
#include "hints.h"
#include "i18n.h"
#include "progress.h"
#include "redact.h"
#include "registry.h"
#include "report.h"

#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Errors after which no probe can succeed: stop and keep nothing. */
static int fatal_for_bundle(cp_err rc)
{
  return cp_err_severity(rc) >= CP_SEV_DEVICE;
}

static void emit(const cp_collect_opts *o, const char *type, json_t *fields)
{
  if (o->event)
    o->event(o->event_ctx, type, fields);
  json_decref(fields);
}

static int granted(const cp_collect_opts *o, const char *scope)
{
  for (size_t i = 0; o->scopes_granted && o->scopes_granted[i]; i++)
    if (!strcmp(o->scopes_granted[i], scope))
      return 1;
  return 0;
}

typedef struct progress_ctx {
  const cp_collect_opts *o;
  cp_progress bar;
  const char *probe;
  double last_event;
} progress_ctx;

/* Sink progress: draws the bar and, for station mode, a "collecting" event
 * at most twice a second. */
static void on_progress(void *ctx, const char *path, uint64_t member_bytes, uint64_t total)
{
  progress_ctx *p = ctx;
  (void)member_bytes;
  cp_progress_update(&p->bar, total, path);
  double now = cp_now();
  if (p->o->event && now - p->last_event >= 0.5) {
    p->last_event = now;
    emit(p->o, "collecting",
         json_pack("{s:s, s:I}", "probe", p->probe ? p->probe : "", "bytes", (json_int_t)total));
  }
}

/* A probe needs the person (sysdiagnose): the words are the agent's. Said on
 * stderr (stdout carries the bundle path) and as an event for the station. */
static void on_notice(void *ctx, const char *probe, const char *what, int elapsed, int limit)
{
  const cp_collect_opts *o = ctx;
  if (!strcmp(what, "press"))
    fprintf(stderr,
            "caseprobe: %s: on the phone, press and release volume up + volume down + the side "
            "button together (the phone vibrates briefly); the archive takes a few minutes. "
            "Waiting up to %d s for it...\n",
            probe, limit);
  else if (!strcmp(what, "waiting"))
    fprintf(stderr, "caseprobe: %s: still waiting (%d s of %d s)\n", probe, elapsed, limit);
  else if (!strcmp(what, "found"))
    fprintf(stderr,
            "caseprobe: %s: the archive is there; bringing it in, redacted member by "
            "member\n",
            probe);
  emit(o, "waiting_for_person",
       json_pack("{s:s, s:s, s:i, s:i}", "probe", probe, "what", what, "elapsed_s", elapsed,
                 "limit_s", limit));
}

static void on_wait(void *ctx, const char *udid, cp_err state)
{
  const cp_collect_opts *o = ctx;
  emit(o, state == CP_E_LOCKED ? "locked" : "trust_pending", json_pack("{s:s}", "udid", udid));
}

/* Redacts a JSON value node by node: strings through the redactor, integers
 * as their decimal text (an ECID is an integer in lockdown) becoming a string
 * pseudonym when they match. Redacting the serialised text instead would turn
 * `"ecid": 123` into invalid JSON. Depth is bounded like every parser's. */
static json_t *redact_node(cp_redactor *r, const char *member, const json_t *v, int depth,
                           cp_error *err)
{
  if (depth > 64) {
    cp_error_set(err, CP_E_PARSE, "summary nested too deeply");
    return NULL;
  }
  if (json_is_object(v)) {
    json_t *o = json_object();
    const char *k;
    json_t *child;
    json_object_foreach((json_t *)v, k, child)
    {
      json_t *c = redact_node(r, member, child, depth + 1, err);
      if (!o || !c || json_object_set_new(o, k, c) != 0) {
        json_decref(o);
        return NULL;
      }
    }
    return o;
  }
  if (json_is_array(v)) {
    json_t *a = json_array();
    size_t i;
    json_t *child;
    json_array_foreach(v, i, child)
    {
      json_t *c = redact_node(r, member, child, depth + 1, err);
      if (!a || !c || json_array_append_new(a, c) != 0) {
        json_decref(a);
        return NULL;
      }
    }
    return a;
  }
  char num[32];
  const char *text = NULL;
  size_t len = 0;
  if (json_is_string(v)) {
    text = json_string_value(v);
    len = json_string_length(v);
  } else if (json_is_integer(v)) {
    len = (size_t)snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    text = num;
  } else {
    return json_deep_copy(v);
  }
  char *out = NULL;
  size_t outlen = 0;
  if (cp_redact_buffer(r, member, text, len, &out, &outlen, err) != CP_OK)
    return NULL;
  json_t *res;
  if (json_is_integer(v) && outlen == len && !memcmp(out, text, len))
    res = json_deep_copy(v);
  else
    res = json_stringn(out, outlen);
  free(out);
  if (!res)
    cp_error_set(err, CP_E_NOMEM, "summary");
  return res;
}

static json_t *redact_json(cp_redactor *r, const char *member, const json_t *v, cp_error *err)
{
  return v ? redact_node(r, member, v, 0, err) : NULL;
}

/* Device summary for the manifest: what identifies the kind of device, never
 * the device itself. */
static json_t *device_summary(cp_device *d, const json_t *sysinfo)
{
  json_t *s = json_object();
  if (!s)
    return NULL;
  json_object_set_new(s, "product_type", json_string(cp_device_product_type(d)));
  json_object_set_new(s, "product_version", json_string(cp_device_product_version(d)));
  static const char *const keep[] = {"marketing_name", "build_version", "device_class",
                                     "hardware_model", "activation_state"};
  for (size_t i = 0; sysinfo && i < sizeof keep / sizeof keep[0]; i++) {
    json_t *v = json_object_get(sysinfo, keep[i]);
    if (v)
      json_object_set(s, keep[i], v);
  }
  return s;
}

/* findings' battery.reasons as the report interface has them: the codes
 * "below_80" / "cycles_over_rated" and an English sentence ("text_en") for
 * readers of the JSON; value and limit stay for the translated page. */
static void battery_reasons(json_t *battery)
{
  size_t i;
  json_t *r;
  json_array_foreach(json_object_get(battery, "reasons"), i, r)
  {
    const char *code = json_string_value(json_object_get(r, "code"));
    if (!code)
      continue;
    const char *c = !strcmp(code, "capacity_below_80")    ? "below_80"
                    : !strcmp(code, "cycles_over_rating") ? "cycles_over_rated"
                                                          : code;
    char text[256];
    const char *en = cp_report_battery_reason_en(
        c,
        json_is_number(json_object_get(r, "value")) ? json_number_value(json_object_get(r, "value"))
                                                    : NAN,
        json_is_number(json_object_get(r, "limit")) ? json_number_value(json_object_get(r, "limit"))
                                                    : NAN,
        text, sizeof text);
    json_object_set_new(r, "code", json_string(c));
    if (en)
      json_object_set_new(r, "text_en", json_string(en));
  }
}

static json_t *string_array(const char *const *list)
{
  json_t *a = json_array();
  for (size_t i = 0; a && list && list[i]; i++)
    json_array_append_new(a, json_string(list[i]));
  return a;
}

/* How the syslog capture ended, for the report and the manifest:
 * {"bytes", "truncated", "why"} from the probe's summary, or NULL. */
static json_t *syslog_capture(const json_t *summaries)
{
  const json_t *s = json_object_get(summaries, "syslog");
  if (!json_is_object(s))
    return NULL;
  return json_pack("{s:O, s:O, s:O}", "bytes", json_object_get(s, "bytes"), "truncated",
                   json_object_get(s, "truncated"), "why", json_object_get(s, "why"));
}

/* Runs every granted probe in registry order. A probe failure that leaves
 * the device usable is recorded and the collection goes on (CP_E_PARTIAL);
 * one that means the device or the disk is gone stops everything. */
static cp_err run_probes(const cp_collect_opts *o, cp_device *dev, cp_sink *sink, progress_ctx *pc,
                         json_t *status, json_t *summaries, int *failed, cp_error *err)
{
  cp_probe_opts popts;
  memset(&popts, 0, sizeof popts);
  popts.syslog_seconds = o->syslog_seconds > 0 ? o->syslog_seconds : 5;
  popts.syslog_max_bytes = o->syslog_max_bytes; /* the policy's, or none: the seconds bound it */
  popts.timeout_ms = o->timeout_ms;
  popts.cancel = o->cancel;
  popts.sysdiagnose_seconds = o->sysdiagnose_seconds;
  popts.notice = on_notice;
  popts.notice_ctx = (void *)o;
  const cp_probe *const *list = cp_probe_list();
  for (size_t i = 0; list[i]; i++) {
    const cp_probe *p = list[i];
    if (!granted(o, p->scope))
      continue; /* never run: its service is never opened */
    if (o->cancel && *o->cancel)
      return cp_error_set(err, CP_E_INTERRUPTED, "stopped before the %s probe", p->name);
    pc->probe = p->name;
    emit(o, "collecting",
         json_pack("{s:s, s:I}", "probe", p->name, "bytes", (json_int_t)sink->total_bytes));
    json_t *summary = NULL;
    cp_error perr;
    cp_error_clear(&perr);
    cp_err rc = p->run(dev, sink, &popts, &summary, &perr);
    if (sink->current) { /* a probe that failed mid-member: drop that member */
      cp_error ignored;
      (void)cp_sink_end(sink, 0, &ignored);
    }
    if (rc == CP_OK) {
      json_object_set_new(status, p->name,
                          json_pack("{s:s, s:s}", "status", "ok", "scope", p->scope));
      if (summary)
        json_object_set_new(summaries, p->name, summary);
      continue;
    }
    json_decref(summary);
    if (rc != CP_E_DETACHED && cp_device_attached(cp_device_udid(dev)) == 0)
      rc = cp_error_set(&perr, CP_E_DETACHED, "during the %s probe", p->name);
    if (fatal_for_bundle(rc)) {
      *err = perr;
      return rc;
    }
    (*failed)++;
    json_object_set_new(status, p->name,
                        json_pack("{s:s, s:s, s:s, s:s}", "status", "failed", "scope", p->scope,
                                  "code", cp_err_name(rc), "detail", perr.detail));
    if (rc == CP_E_TIMEOUT && !strcmp(p->name, "sysdiagnose"))
      /* not the device's silence: the person's part did not happen (in time) */
      fprintf(stderr,
              "caseprobe: sysdiagnose: no new archive appeared within %d s; press volume up + "
              "volume down + the side button together once more and run again with a longer "
              "--sysdiagnose-seconds (a sysdiagnose takes up to 10 minutes)\n",
              popts.sysdiagnose_seconds > 0 ? popts.sysdiagnose_seconds : 600);
    else
      fprintf(stderr, "caseprobe: %s probe: %s%s%s\n", p->name, cp_err_sentence(rc),
              perr.detail[0] ? ": " : "", perr.detail);
  }
  pc->probe = NULL;
  return CP_OK;
}

cp_err cp_collect_run(const cp_collect_opts *o, cp_collect_result *r, cp_error *err)
{
  cp_device *dev = NULL;
  cp_redactor *red = NULL; /* owned by rstart */
  cp_collect_red *rstart = NULL;
  cp_redact_policy *policy = NULL;
  cp_redact_id *ids = NULL;
  size_t nids = 0;
  cp_bundle_writer *w = NULL;
  json_t *global = NULL, *summaries = json_object(), *findings = NULL, *consent = NULL;
  json_t *redaction = NULL, *devsum = NULL, *device_red = NULL, *battery_red = NULL;
  json_t *crashes_red = NULL, *probes_red = NULL, *sysdiag_red = NULL, *capture = NULL;
  char *final_path = NULL;
  int failed = 0;
  cp_err rc = CP_OK;
  progress_ctx pc;
  memset(&pc, 0, sizeof pc);
  memset(r, 0, sizeof *r);
  r->probes = json_object();
  if (!summaries || !r->probes) {
    rc = cp_error_set(err, CP_E_NOMEM, "collect");
    goto out;
  }
  if (!o->case_id || !o->case_id[0]) {
    rc = cp_error_set(err, CP_E_USAGE, "a case id is required (--case ID)");
    goto out;
  }

  cp_device_open_opts dopts;
  memset(&dopts, 0, sizeof dopts);
  dopts.udid = o->udid;
  dopts.wait_trust_seconds = o->wait_trust_seconds;
  dopts.on_wait = on_wait;
  dopts.wait_ctx = (void *)o;
  dopts.cancel = o->cancel;
  rc = cp_device_open(&dopts, &dev, err);
  if (rc != CP_OK) {
    if (rc == CP_E_TRUST_PENDING || rc == CP_E_LOCKED)
      emit(o, rc == CP_E_LOCKED ? "locked" : "trust_pending",
           json_pack("{s:s}", "udid", o->udid ? o->udid : ""));
    goto out;
  }
  snprintf(r->udid, sizeof r->udid, "%s", cp_device_udid(dev));

  /* The device's own identifiers, read only to be redacted. */
  rc = cp_device_get_value(dev, NULL, NULL, &global, err);
  if (rc == CP_OK)
    rc = cp_redact_ids_from_lockdown(global, &ids, &nids, err);
  /* the session's own UDID, even when lockdown's values lack it */
  if (rc == CP_OK && r->udid[0])
    rc = cp_redact_ids_add(&ids, &nids, "udid", r->udid, err);
  if (rc == CP_OK && o->redact_policy)
    rc = cp_redact_policy_from_json(o->redact_policy, &policy, err);
  if (rc != CP_OK)
    goto out;
  cp_redact_config rcfg = {ids, nids, policy, NULL};
  /* compiled on a thread while the bundle is set up and the first probes
   * wait for the device; the probes' sink waits for it (collect_redact.h) */
  rc = cp_collect_red_start(&rcfg, &rstart, err);
  if (rc != CP_OK)
    goto out;

  json_t *made_by = cp_build_info();
  /* the finished file's SHA-256 and size, computed while it is written */
  cp_bundle_opts bopts;
  memset(&bopts, 0, sizeof bopts);
  bopts.made_by = made_by;
  bopts.report = cp_report_render; /* the agent's page, in the person's language */
  bopts.out_sha256 = r->sha256;
  bopts.out_size = &r->size;
  bopts.report_copy = o->report_copy;
  rc = cp_bundle_writer_new(o->out_dir ? o->out_dir : ".", o->case_id, &bopts, &w, err);
  json_decref(made_by);
  if (rc != CP_OK)
    goto out;
  cp_sink *rsink = cp_collect_red_sink(rstart, cp_bundle_sink(w));
  pc.o = o;
  cp_progress_start(&pc.bar, "collecting", 0, !o->progress_bar);
  rsink->progress = on_progress;
  rsink->progress_ctx = &pc;

  rc = run_probes(o, dev, rsink, &pc, r->probes, summaries, &failed, err);
  cp_progress_finish(&pc.bar);
  if (rc == CP_OK)
    rc = cp_collect_red_wait(rstart, &red, err);
  if (rc != CP_OK)
    goto out;

  /* Everything below leaves the redactor as text first. */
  device_red = redact_json(red, CP_BUNDLE_REPORT, json_object_get(summaries, "sysinfo"), err);
  battery_red = redact_json(red, CP_BUNDLE_REPORT, json_object_get(summaries, "battery"), err);
  crashes_red = redact_json(red, CP_BUNDLE_REPORT, json_object_get(summaries, "crashlogs"), err);
  /* member names of a sysdiagnose can carry the device name */
  sysdiag_red = redact_json(red, CP_BUNDLE_REPORT, json_object_get(summaries, "sysdiagnose"), err);
  /* a failed probe's detail names the device ("<UDID> gave a malformed reply") */
  probes_red = redact_json(red, CP_BUNDLE_REPORT, r->probes, err);
  devsum = device_summary(dev, device_red);
  redaction = cp_redactor_report(red);
  time_t now = time(NULL);
  consent = cp_consent_record_new(o->case_id, o->scopes_granted, o->scopes_refused,
                                  o->consent_how ? o->consent_how : "flag", now,
                                  o->consent_text ? o->consent_text : "");
  if (consent && o->consent_lang)
    (void)cp_consent_record_set_language(consent, o->consent_lang);
  findings = json_object();
  /* A class the policy turned off is never silent: consent.json,
   * redaction.json and the report (findings.redaction.classes_off) say so. */
  json_t *off = cp_redact_policy_classes_off(policy);
  if (off && consent && redaction) {
    json_object_set(consent, "redaction_classes_off", off);
    json_object_set(redaction, "classes_off", off);
  }
  if (!off || !devsum || !redaction || !consent || !findings || !probes_red) {
    json_decref(off);
    rc = cp_error_set(err, CP_E_NOMEM, "bundle summary");
    goto out;
  }
  json_object_set_new(findings, "case_id", json_string(o->case_id));
  json_object_set(findings, "device", device_red ? device_red : devsum);
  if (battery_red)
    json_object_set(findings, "battery", battery_red);
  if (crashes_red)
    json_object_set(findings, "crashes", crashes_red);
  if (sysdiag_red)
    json_object_set_new(findings, "sysdiagnose",
                        json_pack("{s:O, s:O, s:O}", "members",
                                  json_object_get(sysdiag_red, "members"), "left_out",
                                  json_object_get(sysdiag_red, "left_out"), "left_out_count",
                                  json_object_get(sysdiag_red, "left_out_count")));
  if (json_object_get(crashes_red, "drain"))
    json_object_set(findings, "drain", json_object_get(crashes_red, "drain"));
  json_object_set_new(findings, "scopes",
                      json_pack("{s:o, s:o}", "granted", string_array(o->scopes_granted), "refused",
                                string_array(o->scopes_refused)));
  json_object_set(findings, "redaction", redaction);
  json_decref(off);
  json_object_set(findings, "probes", probes_red);
  /* the report's own keys: reasons in the interface's codes, its language */
  battery_reasons(json_object_get(findings, "battery"));
  json_object_set_new(findings, "language", json_string(cp_i18n_lang()));
  capture = syslog_capture(summaries);
  if (capture) {
    json_object_set(findings, "syslog", capture);
    rc = cp_bundle_note(w, "syslog", capture, err);
    if (rc != CP_OK)
      goto out;
  }

  rc = cp_bundle_finish(w, consent, redaction, devsum, findings, o->sign_key, &final_path, err);
  w = NULL; /* finish always consumes the writer */
  if (rc != CP_OK)
    goto out;
  /* Re-read the finished file exactly as `caseprobe verify` would, without
   * the report's per-member rows and summaries (only the verdict is used). */
  json_t *check = NULL;
  rc = cp_bundle_check_file_ex(final_path, NULL, CP_CHECK_NO_ROWS | CP_CHECK_NO_SUMMARY, &check,
                               err);
  json_decref(check);
  if (rc != CP_OK) {
    (void)remove(final_path); /* best effort: the failure being reported matters more */
    goto out;
  }
  r->bundle_path = final_path;
  final_path = NULL;
  r->findings = json_incref(findings);
  emit(o, "bundle_ready",
       json_pack("{s:s, s:I, s:s, s:i}", "path", r->bundle_path, "size", (json_int_t)r->size,
                 "sha256", r->sha256, "failed_probes", failed));
  if (failed)
    rc = cp_error_set(err, CP_E_PARTIAL, "%d probe%s failed; the bundle lists which", failed,
                      failed == 1 ? "" : "s");

out:
  if (w)
    cp_bundle_abort(w);
  free(final_path);
  cp_device_close(dev);
  cp_collect_red_free(rstart); /* before the ids and policy it compiled */
  cp_redact_policy_free(policy);
  cp_redact_ids_free(ids, nids);
  json_decref(global);
  json_decref(summaries);
  json_decref(findings);
  json_decref(sysdiag_red);
  json_decref(consent);
  json_decref(redaction);
  json_decref(devsum);
  json_decref(device_red);
  json_decref(battery_red);
  json_decref(crashes_red);
  json_decref(probes_red);
  json_decref(capture);
  return rc;
}

void cp_collect_result_free(cp_collect_result *r)
{
  if (!r)
    return;
  free(r->bundle_path);
  json_decref(r->probes);
  json_decref(r->findings);
  memset(r, 0, sizeof *r);
}
