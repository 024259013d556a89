/*
 * caseprobe assist: a local web page that walks a person through giving
 * consent, seeing exactly what will be sent, and sending it (or saving it).
 * The server (libmicrohttpd) listens on 127.0.0.1 and ::1 only, on a port the
 * kernel picks; every request needs the per-run token in its path, a loopback
 * Host and, to change anything, our own Origin (assist_guard.h).
 *
 * One session per process: the collection goes into a private temporary
 * folder, is previewed from there, and is deleted on cancel and at exit;
 * only "save" copies the bundle out (and "send" uploads it).
 */
#ifndef CP_ASSIST_H
#define CP_ASSIST_H

#include "case_request.h"
#include "cp_err.h"

typedef struct cp_assist_opts {
  const cp_case_request *request; /* NULL: no case request (save only) */
  const char *case_id;            /* used when there is no request */
  const char *out_dir;            /* where "save" puts the bundle */
  const char *udid;               /* NULL: the only device attached */
  const char *sign_key;           /* optional Ed25519 key to sign bundles */
  const char *ca_file;            /* PEM CA file for an https upload target */
  int heartbeat_seconds;          /* page closed: no request for this long (0: 20) */
  int idle_seconds;               /* nothing done for this long (0: 1800) */
} cp_assist_opts;

typedef struct cp_assist cp_assist;

/* Starts the server; *url gets "http://127.0.0.1:PORT/TOKEN/" (malloc'd). */
cp_err cp_assist_start(const cp_assist_opts *o, cp_assist **out, char **url, cp_error *err);

/* Waits until the page says it is finished, the page has gone (no
 * heartbeat), the idle timeout, or *stop. Returns why, as a short word:
 * "closed", "page_gone", "idle", "stopped". */
const char *cp_assist_wait(cp_assist *a, volatile int *stop);

/* Stops the server and any work, deletes the temporary folder, frees. */
void cp_assist_free(cp_assist *a);

#endif
