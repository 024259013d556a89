/*
 * Station internals shared by station.c (the watcher, the scheduler, the
 * shutdown) and station_job.c (one device's collection and upload). Not a
 * public interface.
 *
 * Locking: st->mu guards the job list and counters; a job's flags that the
 * main thread sets (cancel, detached, timed_out) are read by the job thread
 * through the volatile cancel words only. st->cases_mu guards the case map.
 */
#ifndef CP_STATION_INT_H
#define CP_STATION_INT_H

#include "consent.h"
#include "events.h"
#include "policy.h"
#include "station_casemap.h"
#include "station_spool.h"
#include "upload.h"

#include <jansson.h>
#include <pthread.h>
#include <signal.h>

typedef enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE } job_state;

typedef struct station station;

typedef struct job {
  struct job *next;
  station *st;
  char udid[64];
  job_state state;
  int attached;                  /* usbmuxd still lists it (for once-per-attach) */
  volatile int cancel;           /* collect's cancel word */
  volatile sig_atomic_t ucancel; /* the upload engine's cancel word */
  int detached;                  /* unplugged while queued or running */
  int timed_out;                 /* device_timeout_seconds passed */
  int shutdown;                  /* cancelled by the station's shutdown */
  double started;
  pthread_t thread;
  int has_thread;
  /* written by the job thread, read by the main thread after JOB_DONE */
  cp_err result;
  int partial;
  /* the job thread's own view of the current attempt */
  int saw_locked, saw_trust;
  double last_progress;
  /* Which phone on the hub this is, for events and log lines (station_job.c):
   * the model, and the device name unless the policy redacts device names. */
  char model[96];
  char name[128];
} job;

struct station {
  cp_policy *pol;
  char *policy_dir; /* relative paths in the policy are relative to it */
  char *sign_key;   /* resolved path or NULL */
  cp_spool spool;
  cp_events *ev;
  cp_consent consent;
  cp_upload_creds creds;
  pthread_mutex_t cases_mu;
  cp_casefile cases;

  pthread_mutex_t mu;
  pthread_cond_t cv;
  job *jobs;
  int running;
  int handled, failed, partial, interrupted;
  int stopping;                         /* no new device is started */
  volatile sig_atomic_t uploads_cancel; /* stops the start-up upload retries */
};

/* The job thread's body (station_job.c). */
void *cp_station_job_main(void *arg);

/* Uploads ready/NAME and moves it to sent/ (station_job.c); emits
 * "uploaded" or "failed" with udid (may be NULL). */
cp_err cp_station_upload(station *st, const char *name, const char *udid,
                         const volatile sig_atomic_t *cancel);

/* Emits a "failed" event for code and detail, with extra fields (borrowed, may be NULL). */
void cp_station_emit_failed(station *st, const char *udid, cp_err code, const char *detail,
                            json_t *extra);

double cp_station_now(void);

#endif
