/*
 * Inside caseprobe assist: the session shared by the HTTP side
 * (assist_http.c), the work threads (assist_work.c) and the page text
 * (assist_page.c). Every field below `mu` is guarded by it.
 */
#ifndef CP_ASSIST_INT_H
#define CP_ASSIST_INT_H

#include "assist.h"

#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>

struct MHD_Daemon;

struct cp_assist {
  cp_assist_opts o;
  struct MHD_Daemon *d4, *d6;
  unsigned port;
  char token[48];
  char tmpdir[1024]; /* private folder of the collection; "" until made */

  pthread_mutex_t mu;
  pthread_t watch_thr, work_thr;
  int watch_started, work_started, work_running;
  volatile int stop_watch;
  volatile int dev_changed; /* a usbmuxd attach/detach event came */
  int events_on;
  volatile int cancel;                 /* stops a collection */
  volatile sig_atomic_t upload_cancel; /* stops an upload */

  char phase[16]; /* choose|collecting|collected|sending|sent|saved|cancelled|failed */
  char lang[8];   /* language of the consent shown ("en" | "zh-Hans") */
  char *error;    /* the last failure, a sentence */
  json_t *device; /* {"state": ..., "name": ..., "model": ..., "ios": ...} */
  json_t *progress;
  char *case_id;
  char **granted, **refused; /* NULL-terminated */
  char *consent_text;
  char *bundle; /* path in tmpdir */
  uint64_t size;
  char sha256[65];
  json_t *members; /* [{"name":..., "size":...}] */
  uint64_t up_done, up_total;
  char receipt[32];
  char *saved; /* where "save" put the bundle */
  double last_seen, last_action;
  double closed_at; /* when the page said it is finished (api/close) */
  int page_seen, closed;
};

/* assist_work.c */
double cp_assist_now(void);
void cp_assist_watch_start(cp_assist *a);
json_t *cp_assist_state_json(cp_assist *a); /* a snapshot for /api/state */
/* The POST actions: return an HTTP status and set *msg to a sentence on failure. */
int cp_assist_do_collect(cp_assist *a, const char *body, const char **msg);
int cp_assist_do_send(cp_assist *a, const char **msg);
int cp_assist_do_save(cp_assist *a, const char **msg);
int cp_assist_do_cancel(cp_assist *a, const char **msg);
/* Reads one member of the collected bundle (at most cap bytes; *truncated set). */
int cp_assist_member(cp_assist *a, const char *name, char **data, size_t *len, int *truncated);
void cp_assist_work_stop(cp_assist *a); /* cancel and join threads, delete the collection */

/* assist_page.c */
/* The page's words in `lang`: {{English text}} in a template becomes the
 * HTML-escaped translation. Returns malloc'd text. */
char *cp_assist_render(const char *tmpl, const char *lang);
/* A scope's plain title ("Battery health") in English, marked for translation. */
const char *cp_assist_scope_title(const char *scope);
/* Translates an English sentence of the page into lang. */
const char *cp_assist_tr(const char *lang, const char *english);

#endif
