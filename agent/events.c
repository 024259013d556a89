/* JSON-lines event writer (see events.h). One mutex per writer: events are
 * rare (a few per device) so contention never matters, and holding it across
 * the write and the flush is what keeps lines whole. */
#include "events.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct cp_events {
  FILE *f;
  int own;
  int failed;
  pthread_mutex_t mu;
};

cp_err cp_events_open(const char *path, cp_events **out, cp_error *err)
{
  *out = NULL;
  cp_events *ev = calloc(1, sizeof *ev);
  if (!ev)
    return cp_error_set(err, CP_E_NOMEM, "events");
  if (!path || !strcmp(path, "-")) {
    ev->f = stdout;
  } else {
    ev->f = fopen(path, "a");
    if (!ev->f) {
      free(ev);
      return cp_error_set(err, CP_E_IO, "cannot open events file %s", path);
    }
    ev->own = 1;
  }
  if (pthread_mutex_init(&ev->mu, NULL) != 0) {
    if (ev->own)
      (void)fclose(ev->f); /* nothing written yet */
    free(ev);
    return cp_error_set(err, CP_E_INTERNAL, "events lock");
  }
  *out = ev;
  return CP_OK;
}

void cp_events_time(char *buf, size_t cap)
{
  struct timespec ts;
  struct tm tm;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
    ts.tv_sec = time(NULL);
    ts.tv_nsec = 0;
  }
  time_t t = ts.tv_sec;
  if (!gmtime_r(&t, &tm)) {
    snprintf(buf, cap, "1970-01-01T00:00:00.000Z");
    return;
  }
  snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)(ts.tv_nsec / 1000000));
}

void cp_events_emit(cp_events *ev, const char *type, const char *udid, const json_t *fields)
{
  char when[40];
  char *line = NULL;
  if (!ev || !type)
    return;
  cp_events_time(when, sizeof when);
  json_t *o = json_object();
  if (!o)
    goto out;
  /* Fixed keys first so a person scanning the file reads them in order. */
  json_object_set_new(o, "event", json_string(type));
  json_object_set_new(o, "time", json_string(when));
  if (udid)
    json_object_set_new(o, "udid", json_string(udid));
  if (json_is_object(fields)) {
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)fields, k, v)
    {
      if (strcmp(k, "event") && strcmp(k, "time") && strcmp(k, "udid"))
        json_object_set(o, k, v);
    }
  }
  line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
out:
  pthread_mutex_lock(&ev->mu);
  if (!line || fprintf(ev->f, "%s\n", line) < 0 || fflush(ev->f) != 0)
    ev->failed = 1;
  pthread_mutex_unlock(&ev->mu);
  free(line);
  json_decref(o);
}

int cp_events_failed(const cp_events *ev)
{
  return ev ? ev->failed : 0;
}

void cp_events_close(cp_events *ev)
{
  if (!ev)
    return;
  if (ev->own) {
    if (fclose(ev->f) != 0)
      ev->failed = 1;
  } else if (fflush(ev->f) != 0) {
    ev->failed = 1;
  }
  pthread_mutex_destroy(&ev->mu);
  free(ev);
}
