/*
 * The work behind the assist page: watching for the phone, collecting into a
 * private temporary folder (cp_collect_run with consent "page"), listing and
 * reading the members for the preview, uploading (agent/upload) or saving,
 * and deleting everything on cancel. Long work runs in one worker thread so
 * the HTTP thread only ever takes the lock for a moment.
 */
#include "assist_int.h"
#include "bundle_read.h"
#include "collect.h"
#include "consent.h"
#include "device.h"
#include "hints.h"
#include "i18n.h"
#include "platform.h"
#include "probe.h"
#include "product_names.h"
#include "registry.h"
#include "upload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double cp_assist_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void set_error(cp_assist *a, const cp_error *err)
{
  char msg[1024];
  const char *hint = cp_hint(err->code);
  snprintf(msg, sizeof msg, "%s: %s.%s%s", cp_strerror(err->code), err->detail, hint ? " " : "",
           hint ? hint : "");
  free(a->error);
  a->error = strdup(msg);
}

static void free_list(char **l)
{
  for (size_t i = 0; l && l[i]; i++)
    free(l[i]);
  free(l);
}

/* ---- the phone ---------------------------------------------------------- */

/* One look at usbmuxd and, when there is one phone, a passive peek (never
 * pairs, never opens a service). */
static json_t *look_at_phone(const char *want_udid)
{
  cp_device_entry *list = NULL;
  size_t n = 0, usb = 0;
  cp_error err;
  cp_error_clear(&err);
  if (cp_device_list(&list, &n, &err) != CP_OK)
    return json_pack("{s:s}", "state", "usbmuxd");
  const char *udid = NULL;
  for (size_t i = 0; i < n; i++) {
    if (want_udid ? !strcmp(list[i].udid, want_udid) : !list[i].network) {
      usb++;
      udid = list[i].udid;
    }
  }
  json_t *out = NULL;
  if (usb == 0)
    out = json_pack("{s:s}", "state", "none");
  else if (usb > 1)
    out = json_pack("{s:s}", "state", "many");
  else {
    json_t *peek = NULL;
    if (cp_device_peek(udid, &peek, &err) != CP_OK) {
      out = json_pack("{s:s}", "state", "unknown");
    } else {
      const char *type = json_string_value(json_object_get(peek, "product_type"));
      const char *model = type ? cp_product_name(type) : NULL;
      const char *trust = json_string_value(json_object_get(peek, "trust"));
      const char *ios = json_string_value(json_object_get(peek, "product_version"));
      out = json_pack("{s:s, s:s, s:s}", "state", trust ? trust : "unknown", "model",
                      model ? model : (type ? type : ""), "ios", ios ? ios : "");
      json_decref(peek);
    }
  }
  free(list);
  return out;
}

/* usbmuxd's attach/detach events wake the watch at once; trust and lock
 * changes have no event, so it also looks every second. */
static void on_device_event(void *ctx, cp_device_event ev, const char *udid, int network)
{
  (void)ev;
  (void)udid;
  (void)network;
  ((cp_assist *)ctx)->dev_changed = 1;
}

static void *watch_main(void *arg)
{
  cp_assist *a = arg;
  while (!a->stop_watch) {
    pthread_mutex_lock(&a->mu);
    int busy = a->work_running;
    pthread_mutex_unlock(&a->mu);
    if (!busy) { /* during collection the collector owns the phone */
      json_t *d = look_at_phone(a->o.udid);
      pthread_mutex_lock(&a->mu);
      json_decref(a->device);
      a->device = d;
      pthread_mutex_unlock(&a->mu);
    }
    for (int i = 0; i < 10 && !a->stop_watch && !a->dev_changed; i++)
      usleep(100000);
    a->dev_changed = 0;
  }
  return NULL;
}

void cp_assist_watch_start(cp_assist *a)
{
  cp_error err;
  a->events_on = cp_device_watch_start(on_device_event, a, &err) == CP_OK;
  a->watch_started = pthread_create(&a->watch_thr, NULL, watch_main, a) == 0;
}

/* ---- state -------------------------------------------------------------- */

static json_t *scopes_json(cp_assist *a)
{
  json_t *arr = json_array();
  const cp_case_request *r = a->o.request;
  for (const cp_scope_info *s = cp_scope_table(); s && s->name; s++) {
    const char *reason = NULL;
    for (size_t i = 0; r && i < r->nscopes; i++)
      if (!strcmp(r->scopes[i].scope, s->name))
        reason = r->scopes[i].reason;
    json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:b, s:s?}", "name", s->name, "title",
                                         cp_assist_tr(a->lang, cp_assist_scope_title(s->name)),
                                         "reads", cp_assist_tr(a->lang, s->reads), "asked",
                                         reason != NULL, "reason", reason));
  }
  return arr;
}

json_t *cp_assist_state_json(cp_assist *a)
{
  pthread_mutex_lock(&a->mu);
  const cp_case_request *r = a->o.request;
  json_t *req = json_null();
  if (r) {
    char exp[32];
    struct tm tm;
    gmtime_r(&r->expires, &tm);
    strftime(exp, sizeof exp, "%Y-%m-%d %H:%M UTC", &tm);
    req = json_pack("{s:s, s:s, s:b, s:s, s:b}", "case_id", r->case_id, "org", r->org, "verified",
                    r->is_signed, "expires", exp, "can_upload",
                    r->is_signed && r->upload_url != NULL);
  }
  json_t *s = json_pack("{s:s, s:O, s:o, s:s?, s:o, s:s?, s:O?, s:O?}", "phase", a->phase, "device",
                        a->device ? a->device : json_null(), "request", req, "case_id",
                        a->case_id ? a->case_id : a->o.case_id, "scopes", scopes_json(a), "error",
                        a->error, "progress", a->progress, "members", a->members);
  if (s && a->bundle)
    json_object_set_new(s, "bundle",
                        json_pack("{s:I, s:s}", "size", (json_int_t)a->size, "sha256", a->sha256));
  if (s && (a->up_total || !strcmp(a->phase, "sent")))
    json_object_set_new(
        s, "upload",
        json_pack("{s:I, s:I}", "done", (json_int_t)a->up_done, "total", (json_int_t)a->up_total));
  if (s && a->receipt[0])
    json_object_set_new(s, "receipt", json_string(a->receipt));
  if (s && a->saved)
    json_object_set_new(s, "saved", json_string(a->saved));
  pthread_mutex_unlock(&a->mu);
  return s;
}

/* ---- collecting --------------------------------------------------------- */

static void on_event(void *ctx, const char *type, json_t *fields)
{
  cp_assist *a = ctx;
  pthread_mutex_lock(&a->mu);
  size_t count = 0, index = 0;
  const char *probe = json_string_value(json_object_get(fields, "probe"));
  const char *scope = NULL;
  if (probe) /* map the probe to its scope's position among those granted */
    for (const cp_probe *const *p = cp_probe_list(); *p; p++)
      if (!strcmp((*p)->name, probe))
        scope = (*p)->scope;
  for (size_t i = 0; a->granted && a->granted[i]; i++) {
    if (scope && !strcmp(a->granted[i], scope))
      index = i;
    count++;
  }
  if (!a->progress)
    a->progress = json_object();
  if (!strcmp(type, "collecting")) {
    json_object_set_new(a->progress, "step", json_integer((json_int_t)index + 1));
    json_object_set_new(a->progress, "steps", json_integer((json_int_t)count));
    json_object_set_new(a->progress, "bytes", json_incref(json_object_get(fields, "bytes")));
    if (scope)
      json_object_set_new(a->progress, "title",
                          json_string(cp_assist_tr(a->lang, cp_assist_scope_title(scope))));
    json_object_del(a->progress, "waiting");
  } else if (!strcmp(type, "trust_pending") || !strcmp(type, "locked")) {
    json_object_set_new(a->progress, "waiting",
                        json_string(!strcmp(type, "locked") ? "unlock" : "trust"));
  }
  pthread_mutex_unlock(&a->mu);
}

static json_t *list_members(const char *path)
{
  cp_bundle_reader *r = NULL;
  cp_error err;
  json_t *arr = json_array();
  if (cp_bundle_open(path, &r, &err) != CP_OK)
    return arr;
  const char *name;
  uint64_t size;
  while (cp_bundle_next(r, &name, &size, &err) == CP_OK && name)
    json_array_append_new(arr, json_pack("{s:s, s:I}", "name", name, "size", (json_int_t)size));
  cp_bundle_close(r);
  return arr;
}

/* Deletes the collection (caller holds the lock). */
static void wipe(cp_assist *a)
{
  if (a->tmpdir[0]) {
    cp_remove_dir_files(a->tmpdir);
    a->tmpdir[0] = 0;
  }
  free(a->bundle);
  a->bundle = NULL;
  json_decref(a->members);
  a->members = NULL;
  json_decref(a->progress);
  a->progress = NULL;
  a->size = 0;
  a->sha256[0] = 0;
  a->up_done = a->up_total = 0;
  a->receipt[0] = 0;
}

static void *collect_main(void *arg)
{
  cp_assist *a = arg;
  cp_collect_opts o;
  memset(&o, 0, sizeof o);
  o.udid = a->o.udid;
  o.case_id = a->case_id;
  o.out_dir = a->tmpdir;
  o.scopes_granted = (const char *const *)a->granted;
  o.scopes_refused = (const char *const *)a->refused;
  o.consent_how = "page";
  o.consent_lang = a->lang;
  o.consent_text = a->consent_text;
  o.sign_key = a->o.sign_key;
  o.wait_trust_seconds = 120; /* the page says "tap Trust" / "unlock" meanwhile */
  o.cancel = &a->cancel;
  o.event = on_event;
  o.event_ctx = a;
  cp_collect_result res;
  memset(&res, 0, sizeof res);
  cp_error err;
  cp_error_clear(&err);
  cp_err rc = cp_collect_run(&o, &res, &err);
  json_t *members = (rc == CP_OK || rc == CP_E_PARTIAL) ? list_members(res.bundle_path) : NULL;
  pthread_mutex_lock(&a->mu);
  if (a->cancel) {
    free(res.bundle_path);
    res.bundle_path = NULL;
    json_decref(members);
    wipe(a);
    snprintf(a->phase, sizeof a->phase, "cancelled");
  } else if (rc == CP_OK || rc == CP_E_PARTIAL) {
    a->bundle = res.bundle_path;
    res.bundle_path = NULL;
    a->size = res.size;
    memcpy(a->sha256, res.sha256, sizeof a->sha256);
    a->members = members;
    if (rc == CP_E_PARTIAL)
      set_error(a, &err);
    snprintf(a->phase, sizeof a->phase, "collected");
  } else {
    json_decref(members);
    set_error(a, &err);
    wipe(a);
    snprintf(a->phase, sizeof a->phase, "failed");
  }
  a->work_running = 0;
  pthread_mutex_unlock(&a->mu);
  cp_collect_result_free(&res);
  return NULL;
}

/* The exact text the page showed for the scopes granted: its hash goes into
 * consent.json. */
static char *consent_text(cp_assist *a)
{
  const cp_case_request *r = a->o.request;
  size_t cap = 8192, n = 0;
  char *t = malloc(cap);
  if (!t)
    return NULL;
  n += (size_t)snprintf(t + n, cap - n, "%s\n%s %s\n",
                        cp_assist_tr(a->lang, "What you agree to send"),
                        cp_assist_tr(a->lang, "Case"), a->case_id);
  if (r)
    n += (size_t)snprintf(
        t + n, cap - n, "%s: %s (%s)\n", cp_assist_tr(a->lang, "Requested by"), r->org,
        r->is_signed ? cp_assist_tr(a->lang, "verified") : cp_assist_tr(a->lang, "not verified"));
  for (size_t i = 0; a->granted[i] && n < cap; i++) {
    const char *reads = "";
    for (const cp_scope_info *s = cp_scope_table(); s && s->name; s++)
      if (!strcmp(s->name, a->granted[i]))
        reads = s->reads;
    n += (size_t)snprintf(t + n, cap - n, "- %s: %s\n",
                          cp_assist_tr(a->lang, cp_assist_scope_title(a->granted[i])),
                          cp_assist_tr(a->lang, reads));
  }
  return t;
}

int cp_assist_do_collect(cp_assist *a, const char *body, const char **msg)
{
  json_error_t jerr;
  json_t *j = json_loads(body ? body : "", 0, &jerr);
  json_t *sc = json_object_get(j, "scopes");
  const char *lang = json_string_value(json_object_get(j, "lang"));
  const char *cid = json_string_value(json_object_get(j, "case_id"));
  int status = 400;
  *msg = N_("The request to collect was not understood.");
  if (!json_is_array(sc) || json_array_size(sc) == 0) {
    *msg = N_("Choose at least one kind of information to collect.");
    goto out;
  }
  size_t nt = 0;
  for (const cp_scope_info *s = cp_scope_table(); s && s->name; s++)
    nt++;
  char **granted = calloc(nt + 1, sizeof *granted), **refused = calloc(nt + 1, sizeof *refused);
  size_t ng = 0, nr = 0;
  for (const cp_scope_info *s = cp_scope_table(); granted && refused && s && s->name; s++) {
    int on = 0;
    size_t i;
    json_t *v;
    json_array_foreach(sc, i, v) if (json_is_string(v) && !strcmp(json_string_value(v), s->name))
        on = 1;
    if (on)
      granted[ng++] = strdup(s->name);
    else
      refused[nr++] = strdup(s->name);
  }
  size_t i;
  json_t *v;
  json_array_foreach(sc, i, v) if (!json_is_string(v) || !cp_scope_known(json_string_value(v)))
  {
    free_list(granted);
    free_list(refused);
    *msg = N_("One of the chosen kinds of information is not known to caseprobe.");
    goto out;
  }
  pthread_mutex_lock(&a->mu);
  if (a->work_running || (a->bundle && strcmp(a->phase, "cancelled"))) {
    pthread_mutex_unlock(&a->mu);
    free_list(granted);
    free_list(refused);
    status = 409;
    *msg = N_("A collection is already under way or done: cancel it first.");
    goto out;
  }
  if (a->work_started) { /* the previous worker has finished: reap it */
    pthread_join(a->work_thr, NULL);
    a->work_started = 0;
  }
  wipe(a);
  free_list(a->granted);
  free_list(a->refused);
  a->granted = granted;
  a->refused = refused;
  if (lang && (!strcmp(lang, "en") || !strcmp(lang, "zh-Hans")))
    snprintf(a->lang, sizeof a->lang, "%s", lang);
  free(a->case_id);
  a->case_id = strdup(a->o.request ? a->o.request->case_id
                                   : (cid && cid[0] ? cid : (a->o.case_id ? a->o.case_id : "")));
  free(a->consent_text);
  a->consent_text = NULL;
  free(a->error);
  a->error = NULL;
  free(a->saved);
  a->saved = NULL;
  if (!a->case_id || !a->case_id[0]) {
    pthread_mutex_unlock(&a->mu);
    *msg = N_("Enter the case number the support agent gave you.");
    goto out;
  }
  a->consent_text = consent_text(a);
  if (!a->consent_text || cp_make_private_dir("caseprobe-assist.", a->tmpdir, sizeof a->tmpdir)) {
    a->tmpdir[0] = 0;
    pthread_mutex_unlock(&a->mu);
    status = 500;
    *msg = N_("caseprobe could not make a private temporary folder.");
    goto out;
  }
  /* The report is rendered in the process's language: the page's. */
  cp_i18n_lock();
  (void)cp_i18n_set_lang(a->lang);
  cp_i18n_unlock();
  a->cancel = 0;
  a->progress = json_pack("{s:i, s:i}", "step", 0, "steps", (int)ng);
  snprintf(a->phase, sizeof a->phase, "collecting");
  a->work_running = 1;
  a->work_started = pthread_create(&a->work_thr, NULL, collect_main, a) == 0;
  if (!a->work_started) {
    a->work_running = 0;
    wipe(a);
    snprintf(a->phase, sizeof a->phase, "failed");
    pthread_mutex_unlock(&a->mu);
    status = 500;
    *msg = N_("caseprobe could not start collecting.");
    goto out;
  }
  a->last_action = cp_assist_now();
  pthread_mutex_unlock(&a->mu);
  status = 202;
  *msg = NULL;
out:
  json_decref(j);
  return status;
}

/* ---- preview ------------------------------------------------------------ */

int cp_assist_member(cp_assist *a, const char *name, char **data, size_t *len, int *truncated)
{
  const size_t cap = 512 * 1024;
  *data = NULL;
  *len = 0;
  *truncated = 0;
  pthread_mutex_lock(&a->mu);
  char *path = a->bundle && !a->work_running ? strdup(a->bundle) : NULL;
  pthread_mutex_unlock(&a->mu);
  if (!path)
    return 409;
  cp_bundle_reader *r = NULL;
  cp_error err;
  int status = 404;
  if (cp_bundle_open(path, &r, &err) != CP_OK) {
    free(path);
    return 500;
  }
  const char *m;
  uint64_t size;
  while (cp_bundle_next(r, &m, &size, &err) == CP_OK && m) {
    if (strcmp(m, name))
      continue;
    char *buf = malloc(cap);
    size_t got = 0, n;
    while (buf && got < cap && cp_bundle_read(r, buf + got, cap - got, &n, &err) == CP_OK && n)
      got += n;
    *data = buf;
    *len = got;
    *truncated = size > got;
    status = buf ? 200 : 500;
    break;
  }
  cp_bundle_close(r);
  free(path);
  return status;
}

/* ---- sending and saving ------------------------------------------------- */

static void on_upload(void *ud, uint64_t done, uint64_t total)
{
  cp_assist *a = ud;
  pthread_mutex_lock(&a->mu);
  a->up_done = done;
  a->up_total = total;
  pthread_mutex_unlock(&a->mu);
}

static void *upload_main(void *arg)
{
  cp_assist *a = arg;
  cp_upload_opts uo;
  memset(&uo, 0, sizeof uo);
  uo.url = a->o.request->upload_url;
  uo.tries = 4;
  uo.ca_file = a->o.ca_file;
  uo.progress = on_upload;
  uo.progress_ud = a;
  uo.cancel = &a->upload_cancel;
  cp_upload_result res;
  memset(&res, 0, sizeof res);
  cp_error err;
  cp_error_clear(&err);
  pthread_mutex_lock(&a->mu);
  char *path = strdup(a->bundle);
  pthread_mutex_unlock(&a->mu);
  cp_err rc =
      path ? cp_upload_file(path, &uo, &res, &err) : cp_error_set(&err, CP_E_NOMEM, "upload");
  free(path);
  pthread_mutex_lock(&a->mu);
  if (a->upload_cancel) {
    wipe(a);
    snprintf(a->phase, sizeof a->phase, "cancelled");
  } else if (rc == CP_OK) {
    /* The receipt number: the bundle's SHA-256 prefix, which the support
     * side finds as the object's x-amz-meta-sha256. */
    snprintf(a->receipt, sizeof a->receipt, "%.4s-%.4s-%.4s", res.sha256, res.sha256 + 4,
             res.sha256 + 8);
    for (char *p = a->receipt; *p; p++)
      if (*p >= 'a' && *p <= 'f')
        *p = (char)(*p - 'a' + 'A');
    snprintf(a->phase, sizeof a->phase, "sent");
  } else {
    set_error(a, &err);
    snprintf(a->phase, sizeof a->phase, "collected"); /* try again, or save instead */
  }
  a->work_running = 0;
  pthread_mutex_unlock(&a->mu);
  return NULL;
}

int cp_assist_do_send(cp_assist *a, const char **msg)
{
  const cp_case_request *r = a->o.request;
  if (!r || !r->is_signed || !r->upload_url) {
    *msg = N_("Sending needs a case request signed by a support organisation this computer "
              "trusts; save the file instead.");
    return 403;
  }
  pthread_mutex_lock(&a->mu);
  if (a->work_running || !a->bundle || strcmp(a->phase, "collected")) {
    pthread_mutex_unlock(&a->mu);
    *msg = N_("There is nothing collected to send yet.");
    return 409;
  }
  if (a->work_started) {
    pthread_join(a->work_thr, NULL);
    a->work_started = 0;
  }
  free(a->error);
  a->error = NULL;
  a->upload_cancel = 0;
  a->up_done = 0;
  a->up_total = a->size;
  snprintf(a->phase, sizeof a->phase, "sending");
  a->work_running = 1;
  a->work_started = pthread_create(&a->work_thr, NULL, upload_main, a) == 0;
  if (!a->work_started) {
    a->work_running = 0;
    snprintf(a->phase, sizeof a->phase, "collected");
    pthread_mutex_unlock(&a->mu);
    *msg = N_("caseprobe could not start sending.");
    return 500;
  }
  a->last_action = cp_assist_now();
  pthread_mutex_unlock(&a->mu);
  return 202;
}

/* Copies src to a new file dst (never replacing one). */
static int copy_new(const char *src, const char *dst)
{
  int in = open(src, O_RDONLY);
  if (in < 0)
    return -1;
  int out = open(dst, O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (out < 0) {
    int e = errno;
    close(in);
    errno = e;
    return -1;
  }
  char buf[65536];
  ssize_t n;
  int ok = 1;
  while (ok && (n = read(in, buf, sizeof buf)) > 0)
    for (ssize_t off = 0; ok && off < n;) {
      ssize_t w = write(out, buf + off, (size_t)(n - off));
      if (w <= 0)
        ok = 0;
      else
        off += w;
    }
  if (n < 0 || fsync(out) != 0)
    ok = 0;
  ok = close(out) == 0 && ok;
  close(in);
  if (!ok)
    (void)unlink(dst);
  return ok ? 0 : -1;
}

int cp_assist_do_save(cp_assist *a, const char **msg)
{
  pthread_mutex_lock(&a->mu);
  if (a->work_running || !a->bundle) {
    pthread_mutex_unlock(&a->mu);
    *msg = N_("There is nothing collected to save yet.");
    return 409;
  }
  const char *base = strrchr(a->bundle, '/');
  base = base ? base + 1 : a->bundle;
  const char *dir = a->o.out_dir ? a->o.out_dir : ".";
  size_t n = strlen(dir) + strlen(base) + 2;
  char *dst = malloc(n);
  if (!dst) {
    pthread_mutex_unlock(&a->mu);
    *msg = N_("Out of memory.");
    return 500;
  }
  snprintf(dst, n, "%s/%s", dir, base);
  int rc = copy_new(a->bundle, dst);
  if (rc != 0) {
    static char why[512];
    snprintf(why, sizeof why, "caseprobe could not save the file in %s (%s).", dir,
             errno == EEXIST ? "a file of that name is already there" : strerror(errno));
    free(dst);
    pthread_mutex_unlock(&a->mu);
    *msg = why;
    return 500;
  }
  free(a->saved);
  a->saved = dst;
  snprintf(a->phase, sizeof a->phase, "saved");
  a->last_action = cp_assist_now();
  pthread_mutex_unlock(&a->mu);
  return 200;
}

int cp_assist_do_cancel(cp_assist *a, const char **msg)
{
  *msg = NULL;
  pthread_mutex_lock(&a->mu);
  if (a->work_running) { /* the worker deletes what it made when it stops */
    a->cancel = 1;
    a->upload_cancel = 1;
    snprintf(a->phase, sizeof a->phase, "cancelling");
  } else {
    wipe(a);
    snprintf(a->phase, sizeof a->phase, "cancelled");
  }
  free(a->error);
  a->error = NULL;
  a->last_action = cp_assist_now();
  pthread_mutex_unlock(&a->mu);
  return 200;
}

void cp_assist_work_stop(cp_assist *a)
{
  a->stop_watch = 1;
  pthread_mutex_lock(&a->mu);
  a->cancel = 1;
  a->upload_cancel = 1;
  pthread_mutex_unlock(&a->mu);
  if (a->work_started)
    pthread_join(a->work_thr, NULL);
  if (a->events_on)
    cp_device_watch_stop();
  a->events_on = 0;
  if (a->watch_started)
    pthread_join(a->watch_thr, NULL);
  a->work_started = a->watch_started = 0;
  pthread_mutex_lock(&a->mu);
  wipe(a);
  pthread_mutex_unlock(&a->mu);
  free_list(a->granted);
  free_list(a->refused);
  a->granted = a->refused = NULL;
}
