/*
 * The crash-report walk shared by the crashlogs probe (bundle) and by
 * `caseprobe crashes list|pull`: asks the device to move pending reports
 * (crashreportmover), walks the AFC tree of com.apple.crashreportcopymobile,
 * streams every report in 1 MiB reads into a sink as crashes/<device path>,
 * parses a bounded prefix of each into a record (formats/crash/crash_report.h),
 * and writes crashes/index.json (records + triage).
 *
 * Nothing is removed from the device unless hooks->delete_pulled is set, and
 * then only a file whose every byte reached the sink (byte count equal to the
 * device's st_size and the sink member ended cleanly).
 *
 * Two threads: the caller's thread does all device I/O (AFC is one
 * connection, with stats, opens and reads pipelined on it: crash_reader.c)
 * while a worker parses prefixes and writes the sink, so local work
 * (parsing, fsync) overlaps the transfer. They meet in a queue bounded to a
 * few MiB, so memory stays flat. Hooks are called one at a time (under the
 * walk's lock), from either thread. The files: see crash_walk.h.
 */
#ifndef CP_CRASHLOGS_H
#define CP_CRASHLOGS_H

#include "afc.h"
#include "probe.h"

#include <jansson.h>

/* Bytes of each report parsed for its record while it streams. */
#define CP_CRASH_PREFIX_BYTES (256u * 1024u)
/* One AFC read. Large reads make pulls fast (idevicecrashreport asks 4 KiB at
 * a time); with several reads in flight, 256 KiB already keeps the link full,
 * and every reply is a buffer of that size in the queue, the worker and the
 * receive: 1 MiB reads put 5 MB of them on the heap for large reports
 * (peak RSS 32.6 MB for 200 reports of ~1 MB, 29.5 MB with 256 KiB). */
#define CP_CRASH_READ_BYTES (256u * 1024u)

typedef struct cp_crash_hooks {
  void *ctx;
  /* Before a file is read; return 0 to skip it (e.g. already pulled). */
  int (*want)(void *ctx, const char *rel, const cp_afc_stat *st);
  /* A file reached the sink whole (called right after its member ended). */
  void (*done)(void *ctx, const char *rel, const cp_afc_stat *st, const json_t *record);
  /* A pulled file was then removed from the device (delete_pulled). */
  void (*removed)(void *ctx, const char *rel);
  /* A file failed; the walk goes on with the next one. */
  void (*failed)(void *ctx, const char *rel, const cp_error *e);
  /* Bytes read so far out of the total size of the tree. */
  void (*progress)(void *ctx, uint64_t done, uint64_t total, const char *rel);
  int list_only;     /* read only each file's prefix for its record; write no reports */
  int delete_pulled; /* remove each verified file from the device */
} cp_crash_hooks;

/* Runs the walk. *index (may be NULL) receives the document written as
 * crashes/index.json: {reports:[records + path, size, mtime], triage, count,
 * bytes, skipped:[paths], failed:[{path, error, code}], moved}. Unless
 * hooks->list_only (collect and pull), the rows are spooled to a temporary
 * file as the reports arrive and streamed into the member, so memory does
 * not grow with the report count and nothing is serialised after the
 * transfer; *index then gets the document without "reports" (a listing
 * keeps them: it prints them). Per-file failures do not fail the walk; a
 * lost device, a full disk or a cancel do. */
cp_err cp_crashlogs_collect(cp_device *dev, cp_sink *sink, const cp_probe_opts *opts,
                            const cp_crash_hooks *hooks, json_t **index, cp_error *err);

#endif
