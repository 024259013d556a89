/*
 * Inside the crash walk (crashlogs.h): the state the walk's files share.
 *   crashlogs.c     the walk: setup, the worker (parse, filter, sink), the index
 *   crash_queue.c   the reader -> worker queue of chunks, bounded in bytes
 *   crash_reader.c  the reader: pipelined listing and transfer over one AFC connection
 *   crash_delete.c  delete scheduling (--delete): only verified files, only by the reader
 * Two threads: the reader (the caller's thread, the only one that talks to
 * the device) and the worker. Not a public header: probes/crash_*.c only.
 */
#ifndef CP_CRASH_WALK_H
#define CP_CRASH_WALK_H

#include "crash_index.h"
#include "crashlogs.h"
#include "drain.h"

#include <pthread.h>
#include <stdint.h>

#define CP_CRASH_MAX_DEPTH_DIRS 16
#define CP_CRASH_MAX_FILES 100000
/* Reports one bundle holds at most (collect): `caseprobe verify` reads up to
 * CP_BUNDLE_MAX_MEMBERS members, and the other probes (a sysdiagnose's text
 * files, the summaries) need room too. A device with more keeps its newest
 * ones in the bundle and one failure row says how many older ones were left
 * out; `crashes pull` has no such cap. */
#define CP_CRASH_BUNDLE_MAX 10000
/* No crash report comes near this (the largest, full panics and aggregated
 * logs, are a few MB); a device claiming more is broken or hostile and would
 * otherwise be read for as long as it keeps sending. */
#define CP_CRASH_MAX_FILE_BYTES (256ull * 1024 * 1024)
/* 2 MiB: the worker (parse, redact, gzip) outruns a USB-2 link, so a
 * deeper queue only holds memory (8 MiB of it filled on a fast link) */
#define CP_CRASH_QUEUE_BYTES (2u * 1024u * 1024u)

typedef struct cp_crash_entry {
  char *rel;
  cp_afc_stat st;
} cp_crash_entry;

enum { CK_BEGIN, CK_DATA, CK_END, CK_FINISH };

typedef struct cp_crash_chunk {
  struct cp_crash_chunk *next;
  int kind;
  size_t idx;          /* file index (BEGIN, DATA, END) */
  unsigned char *data; /* DATA */
  size_t len;
  cp_err status; /* END: how the transfer went */
  cp_error err;
} cp_crash_chunk;

typedef struct cp_crash_walk {
  cp_device *dev;
  cp_afc *afc;
  cp_sink *sink;
  const cp_probe_opts *opts;
  const cp_crash_hooks *hooks;
  int list_only;
  cp_crash_entry *files;
  size_t nfiles, cap;
  uint64_t total, done, pulled_bytes;
  json_t *reports, *skipped, *failed;
  /* collect and pull (not list_only): rows go to a spool and a fixed-size
   * triage instead of `reports`, so memory does not grow with the report
   * count and the index costs no dump after the transfer; the drain
   * ranking is built as the reports come (one row per process and kind) */
  cp_crash_index *spool;
  cp_drain_acc *drain;
  /* CP_CRASH_BUNDLE_MAX: files older than keep_cut are left out, and of
   * those at exactly keep_cut, keep_room more fit (INT64_MIN: all fit) */
  int64_t keep_cut;
  size_t keep_room, left_old;

  /* reader -> worker queue */
  pthread_mutex_t qlock;
  pthread_cond_t qcond;
  cp_crash_chunk *head, *tail;
  size_t queued;
  int skip_set; /* the worker no longer wants file skip_idx */
  size_t skip_idx;
  int stop; /* the worker hit a fatal error */
  cp_err worker_rc;
  cp_error worker_err;

  /* hooks, the json arrays, `done` and the delete list */
  pthread_mutex_t lock;
  char **deletes;
  size_t ndel, capdel;
} cp_crash_walk;

/* crashlogs.c */
int cp_crash_fatal(cp_err rc); /* errors after which nothing more can be read or written */
void cp_crash_note_failure(cp_crash_walk *w, const char *rel,
                           const cp_error *e); /* holds w->lock */
void cp_crash_failure(cp_crash_walk *w, const char *rel, const cp_error *e);
void cp_crash_advance(cp_crash_walk *w, uint64_t n, const char *rel);

/* crash_queue.c */
cp_crash_chunk *cp_crash_chunk_new(int kind, size_t idx);
void cp_crash_chunk_free(cp_crash_chunk *c);
void cp_crash_push(cp_crash_walk *w, cp_crash_chunk *c); /* blocks while the queue is full */
cp_crash_chunk *cp_crash_pop(cp_crash_walk *w);
void cp_crash_want_skip(cp_crash_walk *w, size_t idx); /* worker: stop reading file idx */
int cp_crash_skipping(cp_crash_walk *w, size_t idx);   /* ... or the worker stopped */
int cp_crash_stopped(cp_crash_walk *w);

/* crash_reader.c: lists the tree into w->files, then reads every file into
 * the queue; returns a fatal code or CP_OK. */
cp_err cp_crash_list_tree(cp_crash_walk *w, cp_error *err);
/* After the listing: keeps only the newest `cap` of the files the filters
 * let through (sets keep_cut and keep_room). */
cp_err cp_crash_cap_newest(cp_crash_walk *w, size_t cap, cp_error *err);
cp_err cp_crash_read_all(cp_crash_walk *w, cp_error *err);

/* crash_delete.c */
void cp_crash_schedule_delete(cp_crash_walk *w, const char *rel); /* holds w->lock */
cp_err cp_crash_run_deletes(cp_crash_walk *w, cp_error *err);

#endif
