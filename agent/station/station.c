/*
 * Station mode (see station.h): the start-up checks, the usbmuxd watcher,
 * the scheduler and the shutdown. One thread per device (station_job.c); this
 * thread only starts jobs, watches their deadlines and reaps them, waking at
 * least every 200 ms so a signal or a stalled device is noticed at once.
 *
 * Once per attach: a device gets one job per attach event; usbmuxd repeats
 * nothing, but the first subscription lists devices already attached and a
 * re-attach while the old job is still winding down must not start a second
 * collection of the same device in parallel, so a queued job waits for that.
 */
#include "station.h"

#include "bundle_os.h"
#include "device.h"
#include "hints.h"
#include "platform.h"
#include "redact.h"
#include "station_int.h"
#include "station_log.h"

#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define POLICY_MAX (1024 * 1024)

static volatile sig_atomic_t sig_count;

static void on_signal(int sig)
{
  (void)sig;
  if (sig_count < 100)
    sig_count++;
}

double cp_station_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static cp_err read_file(const char *path, char **buf, size_t *len, size_t max, cp_error *err)
{
  cp_err rc = CP_OK;
  *buf = NULL;
  /* only a regular file nobody but its owner may change (issue 14) */
  int fd = cp_os_open_input(path, 1, err);
  if (fd < 0)
    return err->code;
  FILE *f = fdopen(fd, "rb");
  if (!f) {
    cp_error ignored;
    (void)cp_os_close(fd, path, &ignored);
    return cp_error_set(err, CP_E_IO, "cannot read %s: %s", path, strerror(errno));
  }
  char *b = malloc(max + 1);
  if (!b) {
    rc = cp_error_set(err, CP_E_NOMEM, "%s", path);
    goto out;
  }
  *len = fread(b, 1, max + 1, f);
  if (ferror(f)) {
    rc = cp_error_set(err, CP_E_IO, "cannot read %s", path);
    goto out;
  }
  if (*len > max) {
    rc = cp_error_set(err, CP_E_POLICY, "%s is larger than %zu bytes", path, max);
    goto out;
  }
  *buf = b;
  b = NULL;
out:
  free(b);
  (void)fclose(f); /* read only */
  return rc;
}

/* A relative path in the policy means "beside the policy file". */
static char *resolve(const char *dir, const char *p)
{
  if (!p)
    return NULL;
  if (p[0] == '/' || !dir)
    return strdup(p);
  size_t n = strlen(dir) + strlen(p) + 2;
  char *r = malloc(n);
  if (r)
    snprintf(r, n, "%s/%s", dir, p);
  return r;
}

static cp_err load_policy(station *st, const char *path, cp_error *err)
{
  char *buf = NULL;
  size_t len = 0;
  cp_err rc = read_file(path, &buf, &len, POLICY_MAX, err);
  if (rc)
    return rc;
  rc = cp_policy_parse(buf, len, path, &st->pol, err);
  free(buf);
  if (rc)
    return rc;
  for (size_t i = 0; st->pol->scopes[i]; i++)
    if (!cp_scope_known(st->pol->scopes[i]))
      return cp_error_set(err, CP_E_POLICY, "%s: [consent] scopes: no such scope '%s'", path,
                          st->pol->scopes[i]);
  if (st->pol->redact) {
    /* Class names are the redactor's: check them now, not per device. */
    cp_redact_policy *rp = NULL;
    cp_error re;
    cp_error_clear(&re);
    if (cp_redact_policy_from_json(st->pol->redact, &rp, &re) != CP_OK)
      return cp_error_set(err, CP_E_POLICY, "%s: [redaction]/[patterns]: %s", path, re.detail);
    cp_redact_policy_free(rp);
  }
  const char *slash = strrchr(path, '/');
  st->policy_dir = slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
  if (!st->policy_dir)
    return cp_error_set(err, CP_E_NOMEM, "policy");
  if (slash == path) {
    free(st->policy_dir);
    if (!(st->policy_dir = strdup("/")))
      return cp_error_set(err, CP_E_NOMEM, "policy");
  }
  if (st->pol->sign_key) {
    if (!(st->sign_key = resolve(st->policy_dir, st->pol->sign_key)))
      return cp_error_set(err, CP_E_NOMEM, "policy");
    if (access(st->sign_key, R_OK) != 0)
      return cp_error_set(err, CP_E_POLICY, "%s: [signing] key %s cannot be read: %s", path,
                          st->sign_key, strerror(errno));
  }
  char *map = resolve(st->policy_dir, st->pol->case_map);
  if (st->pol->case_map && !map)
    return cp_error_set(err, CP_E_NOMEM, "policy");
  rc = cp_casefile_init(&st->cases, map, err);
  free(map);
  if (rc)
    return rc;
  if (st->pol->upload) {
    int group = 0;
    if ((rc = cp_upload_load_creds(NULL, &st->creds, &group, err)))
      return rc;
  }
  return cp_consent_from_policy((const char *const *)st->pol->scopes, st->pol->consent_text,
                                &st->consent, err);
}

static void on_cleaned(void *ctx, const char *path)
{
  station *st = ctx;
  cp_slog(LOG_NOTICE, "removed partial file %s left by an earlier run", path);
  json_t *f = json_pack("{s:s}", "path", path);
  cp_events_emit(st->ev, "cleaned", NULL, f);
  json_decref(f);
}

static job *find_attached(station *st, const char *udid)
{
  for (job *j = st->jobs; j; j = j->next)
    if (j->attached && !strcmp(j->udid, udid))
      return j;
  return NULL;
}

/* usbmuxd events, on libimobiledevice's thread: only bookkeeping here. */
static void on_device_event(void *ctx, cp_device_event ev, const char *udid, int network)
{
  station *st = ctx;
  if (ev == CP_DEV_USBMUXD_ABSENT || ev == CP_DEV_USBMUXD_BACK) {
    /* said once per change: on Linux usbmuxd comes and goes with the phones */
    const char *addr = getenv("USBMUXD_SOCKET_ADDRESS");
    json_t *f = json_pack("{s:s}", "socket", addr && *addr ? addr : CP_USBMUXD_DEFAULT_ADDRESS);
    pthread_mutex_lock(&st->mu);
    if (ev == CP_DEV_USBMUXD_ABSENT) {
      cp_events_emit(st->ev, "usbmuxd_absent", NULL, f);
      cp_slog(LOG_NOTICE,
              "usbmuxd does not answer at %s: waiting for it (on Linux it starts when an "
              "iPhone or iPad is plugged in)",
              json_string_value(json_object_get(f, "socket")));
    } else {
      cp_events_emit(st->ev, "usbmuxd_back", NULL, f);
      cp_slog(LOG_NOTICE, "usbmuxd answers again at %s",
              json_string_value(json_object_get(f, "socket")));
    }
    pthread_mutex_unlock(&st->mu);
    json_decref(f);
    return;
  }
  if (network || !udid || ev == CP_DEV_PAIRED || strlen(udid) >= sizeof(((job *)0)->udid))
    return;
  pthread_mutex_lock(&st->mu);
  if (ev == CP_DEV_ATTACHED) {
    if (!find_attached(st, udid)) {
      cp_events_emit(st->ev, "attached", udid, NULL);
      job *j = st->stopping ? NULL : calloc(1, sizeof *j);
      if (j) {
        j->st = st;
        snprintf(j->udid, sizeof j->udid, "%s", udid);
        j->attached = 1;
        j->state = JOB_QUEUED;
        job **tail = &st->jobs; /* FIFO: first plugged, first served */
        while (*tail)
          tail = &(*tail)->next;
        *tail = j;
        cp_slog(LOG_INFO, "%s attached", udid);
      } else if (!st->stopping) {
        cp_slog(LOG_ERR, "%s attached but out of memory: not collected", udid);
      }
    }
  } else if (ev == CP_DEV_DETACHED) {
    job *j = find_attached(st, udid);
    if (j) {
      j->attached = 0;
      cp_events_emit(st->ev, "detached", udid, NULL);
      cp_slog(LOG_INFO, "%s detached", udid);
      if (j->state == JOB_QUEUED) {
        j->state = JOB_DONE;
        j->detached = 1;
        j->result = CP_E_DETACHED;
        st->handled++;
        st->failed++;
        json_t *x = json_pack("{s:s}", "stage", "queued");
        cp_station_emit_failed(st, udid, CP_E_DETACHED, "unplugged before its turn", x);
        json_decref(x);
      } else if (j->state == JOB_RUNNING) {
        /* Not a cancel: collect would take a cancel during the log capture
         * as "stop capturing" and finish the bundle. The device layer fails
         * on its own once the device is gone; this only makes the job stop
         * retrying and report "detached". */
        j->detached = 1;
      }
    }
  }
  pthread_cond_broadcast(&st->cv);
  pthread_mutex_unlock(&st->mu);
}

static int udid_running(station *st, const char *udid)
{
  for (job *j = st->jobs; j; j = j->next)
    if (j->state == JOB_RUNNING && !strcmp(j->udid, udid))
      return 1;
  return 0;
}

/* Starts queued jobs while slots are free. Called with st->mu held. */
static void start_jobs(station *st)
{
  for (job *j = st->jobs; j && st->running < st->pol->max_parallel; j = j->next) {
    if (j->state != JOB_QUEUED || udid_running(st, j->udid))
      continue;
    j->state = JOB_RUNNING;
    j->started = cp_station_now();
    st->running++;
    if (pthread_create(&j->thread, NULL, cp_station_job_main, j) != 0) {
      st->running--;
      j->state = JOB_DONE;
      j->result = CP_E_NOMEM;
      st->handled++;
      st->failed++;
      cp_station_emit_failed(st, j->udid, CP_E_NOMEM, "cannot start a thread", NULL);
      continue;
    }
    j->has_thread = 1;
  }
}

/* Joins finished jobs and forgets those no longer attached. mu held: a
 * finished job's thread has already released mu, so the join is short. */
static void reap_jobs(station *st)
{
  job **pp = &st->jobs;
  while (*pp) {
    job *j = *pp;
    if (j->state == JOB_DONE && j->has_thread) {
      pthread_join(j->thread, NULL);
      j->has_thread = 0;
    }
    if (j->state == JOB_DONE && !j->has_thread && !j->attached) {
      *pp = j->next;
      free(j);
      continue;
    }
    pp = &j->next;
  }
}

typedef struct uploader {
  station *st;
  char **names;
  size_t n;
  volatile int done;
} uploader;

/* Retries, at start, the uploads an earlier run could not finish. */
static void *upload_main(void *arg)
{
  uploader *u = arg;
  for (size_t i = 0; i < u->n && !u->st->uploads_cancel; i++) {
    cp_slog(LOG_INFO, "uploading %s left in ready/ by an earlier run", u->names[i]);
    (void)cp_station_upload(u->st, u->names[i], NULL, &u->st->uploads_cancel);
  }
  pthread_mutex_lock(&u->st->mu);
  u->done = 1;
  pthread_cond_broadcast(&u->st->cv);
  pthread_mutex_unlock(&u->st->mu);
  return NULL;
}

static void begin_stop(station *st, const char *why, double *deadline)
{
  st->stopping = 1;
  *deadline = cp_station_now() + st->pol->shutdown_grace_seconds;
  int queued = 0;
  for (job *j = st->jobs; j; j = j->next) {
    if (j->state != JOB_QUEUED)
      continue;
    j->state = JOB_DONE;
    j->shutdown = 1;
    j->result = CP_E_INTERRUPTED;
    queued++;
    json_t *x = json_pack("{s:s}", "stage", "queued");
    cp_station_emit_failed(st, j->udid, CP_E_INTERRUPTED, "the station stopped before its turn", x);
    json_decref(x);
  }
  json_t *f = json_pack("{s:s, s:i, s:i}", "reason", why, "running", st->running, "grace_seconds",
                        st->pol->shutdown_grace_seconds);
  cp_events_emit(st->ev, "stopping", NULL, f);
  json_decref(f);
  cp_slog(LOG_NOTICE, "stopping (%s): %d collection(s) running get %d s to finish%s", why,
          st->running, st->pol->shutdown_grace_seconds,
          queued ? ", waiting devices are not collected" : "");
}

static void cancel_all(station *st)
{
  for (job *j = st->jobs; j; j = j->next) {
    if (j->state != JOB_RUNNING || j->cancel)
      continue;
    j->shutdown = 1;
    j->cancel = 1;
    j->ucancel = 1;
    cp_slog(LOG_WARNING, "%s: cancelling its collection (shutdown)", j->udid);
  }
  st->uploads_cancel = 1;
}

/* The main loop: returns when stopped (signal or --once) and nothing runs. */
static void run_loop(station *st, int once, uploader *up)
{
  double deadline = 0;
  pthread_mutex_lock(&st->mu);
  for (;;) {
    double now = cp_station_now();
    if (!st->stopping && sig_count)
      begin_stop(st, "signal", &deadline);
    if (!st->stopping && once > 0 && st->handled >= once)
      begin_stop(st, "once", &deadline);
    if (!st->stopping)
      start_jobs(st);
    for (job *j = st->jobs; j; j = j->next) {
      if (j->state == JOB_RUNNING && !j->cancel &&
          now - j->started > st->pol->device_timeout_seconds) {
        j->timed_out = 1;
        j->cancel = 1;
        cp_slog(LOG_WARNING, "%s: no result after %d s, cancelling", j->udid,
                st->pol->device_timeout_seconds);
      }
    }
    if (st->stopping && (now >= deadline || sig_count >= 2))
      cancel_all(st);
    reap_jobs(st);
    if (st->stopping && st->running == 0 && (!up || up->done))
      break;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 200 * 1000 * 1000;
    if (ts.tv_nsec >= 1000000000) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(&st->cv, &st->mu, &ts);
  }
  pthread_mutex_unlock(&st->mu);
}

static void install_signals(void)
{
  /* SIGTERM, SIGINT, SIGHUP (Windows: the console handler); a closed events
   * pipe is an error, not death */
  cp_on_stop_request(on_signal, CP_STOP_HUP | CP_STOP_IGNORE_PIPE);
}

cp_err cp_station_run(const cp_station_opts *o)
{
  cp_err rc = CP_OK;
  cp_error err;
  station st;
  uploader up;
  pthread_t upthread;
  int have_up = 0, watching = 0, spool_open = 0, curl_on = 0;
  memset(&st, 0, sizeof st);
  memset(&up, 0, sizeof up);
  cp_error_clear(&err);
  pthread_mutex_init(&st.mu, NULL);
  pthread_mutex_init(&st.cases_mu, NULL);
  pthread_cond_init(&st.cv, NULL);
  sig_count = 0;
  cp_slog_open(o->use_syslog);

  if ((rc = load_policy(&st, o->policy_path, &err)))
    goto out;
  if ((rc = cp_events_open(o->events_path, &st.ev, &err)))
    goto out;
  if ((rc = cp_spool_open(&st.spool, o->spool_dir, &err)))
    goto out;
  spool_open = 1;
  int removed = 0;
  if ((rc = cp_spool_clean(&st.spool, on_cleaned, &st, &removed, &err)))
    goto out;
  if (removed)
    cp_slog(LOG_NOTICE, "cleaned %d partial file(s) from %s", removed, o->spool_dir);
  /* libcurl's global set-up is not safe to race: done once, before threads. */
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    rc = cp_error_set(&err, CP_E_INTERNAL, "libcurl initialisation failed");
    goto out;
  }
  curl_on = 1;
  install_signals();
  {
    json_t *scopes = json_array();
    for (size_t i = 0; st.consent.granted && st.consent.granted[i]; i++)
      json_array_append_new(scopes, json_string(st.consent.granted[i]));
    json_t *f = json_pack("{s:s, s:s, s:o, s:i, s:b, s:i}", "spool", o->spool_dir, "policy",
                          o->policy_path, "scopes", scopes, "max_parallel", st.pol->max_parallel,
                          "upload", st.pol->upload, "cleaned", removed);
    cp_events_emit(st.ev, "station_started", NULL, f);
    json_decref(f);
  }
  cp_slog(LOG_NOTICE, "started: spool %s, up to %d devices at once, scopes from %s", o->spool_dir,
          st.pol->max_parallel, o->policy_path);
  if (st.pol->upload) {
    if ((rc = cp_spool_list_ready(&st.spool, &up.names, &up.n, &err)))
      goto out;
    up.st = &st;
    if (up.n > 0) {
      if (pthread_create(&upthread, NULL, upload_main, &up) != 0) {
        rc = cp_error_set(&err, CP_E_NOMEM, "cannot start the upload thread");
        goto out;
      }
      have_up = 1;
    } else {
      up.done = 1;
    }
  }
  if ((rc = cp_device_watch_start(on_device_event, &st, &err)))
    goto out;
  watching = 1;
  run_loop(&st, o->once, have_up ? &up : NULL);

out:
  if (watching)
    cp_device_watch_stop();
  if (rc != CP_OK && have_up) {
    st.uploads_cancel = 1;
  }
  if (have_up)
    pthread_join(upthread, NULL);
  /* Every job has been reaped by run_loop; free what is left (attached, done). */
  pthread_mutex_lock(&st.mu);
  while (st.jobs) {
    job *j = st.jobs;
    st.jobs = j->next;
    if (j->has_thread)
      pthread_join(j->thread, NULL);
    free(j);
  }
  pthread_mutex_unlock(&st.mu);
  if (rc != CP_OK) {
    /* The person at the terminal (or journald, from stderr) reads the
     * sentence with its hint; syslog gets it too when that is the log. */
    if (cp_slog_is_syslog())
      cp_slog(LOG_ERR, "%s%s%s", cp_err_sentence(rc), err.detail[0] ? ": " : "", err.detail);
    if (err.code != rc)
      err.code = rc;
    cp_fail(&err);
  } else {
    json_t *f = json_pack("{s:i, s:i, s:i, s:i}", "handled", st.handled, "failed", st.failed,
                          "partial", st.partial, "interrupted", st.interrupted);
    cp_events_emit(st.ev, "station_stopped", NULL, f);
    json_decref(f);
    cp_slog(LOG_NOTICE, "stopped: %d device(s) handled, %d failed, %d partial, %d interrupted",
            st.handled, st.failed, st.partial, st.interrupted);
    if (st.interrupted)
      rc = CP_E_INTERRUPTED;
    else if (st.failed || st.partial)
      rc = CP_E_PARTIAL;
  }
  if (st.ev && cp_events_failed(st.ev) && rc == CP_OK) {
    cp_slog(LOG_ERR, "some events could not be written");
    rc = CP_E_IO;
  }
  cp_events_close(st.ev);
  if (curl_on)
    curl_global_cleanup();
  if (spool_open)
    cp_spool_close(&st.spool);
  cp_spool_names_free(up.names, up.n);
  cp_casefile_free(&st.cases);
  if (st.consent.text || st.consent.granted)
    cp_consent_free(&st.consent);
  cp_policy_free(st.pol);
  free(st.policy_dir);
  free(st.sign_key);
  pthread_cond_destroy(&st.cv);
  pthread_mutex_destroy(&st.mu);
  pthread_mutex_destroy(&st.cases_mu);
  cp_slog_close();
  return rc;
}
