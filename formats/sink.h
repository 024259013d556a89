/*
 * cp_sink: where a probe hands what it read. A probe never knows whether its
 * bytes land in a plain folder (crashes pull), or go through the redactor and
 * the hasher into a bundle (collect): it only begins a member, writes bytes,
 * and ends it. Everything streams; no member is ever held whole in memory.
 *
 * Member paths are relative, '/'-separated, e.g. "crashes/Panics/x.ips".
 * end(keep=0) discards a member that failed half-way, so a partial file never
 * looks complete.
 */
#ifndef CP_SINK_H
#define CP_SINK_H

#include "cp_err.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cp_sink cp_sink;

typedef struct cp_sink_ops {
  cp_err (*begin)(cp_sink *s, const char *path, const char *scope, cp_error *err);
  cp_err (*write)(cp_sink *s, const void *buf, size_t len, cp_error *err);
  cp_err (*end)(cp_sink *s, int keep, cp_error *err);
} cp_sink_ops;

/* Called at most every few hundred KiB with the member and the running totals. */
typedef void (*cp_sink_progress_fn)(void *ctx, const char *path, uint64_t member_bytes,
                                    uint64_t total_bytes);

struct cp_sink {
  const cp_sink_ops *ops;
  void *impl;
  cp_sink_progress_fn progress;
  void *progress_ctx;
  uint64_t member_bytes; /* bytes written to the open member */
  uint64_t total_bytes;  /* bytes written through this sink, all members */
  char *current;         /* path of the open member, NULL between members */
  /* optional (NULL: nothing to do; every sink is zeroed at creation):
   * makes every member ended so far durable, for sinks that batch their
   * syncs (the dir sink of a pull); see cp_sink_flush */
  cp_err (*flush)(cp_sink *s, cp_error *err);
};

cp_err cp_sink_begin(cp_sink *s, const char *path, const char *scope, cp_error *err);
cp_err cp_sink_write(cp_sink *s, const void *buf, size_t len, cp_error *err);
cp_err cp_sink_end(cp_sink *s, int keep, cp_error *err);

/* Every member ended with keep=1 so far is durable at its final place
 * once this returns CP_OK (a no-op for sinks that sync each member). Call
 * it before acting on a member's being kept, e.g. deleting its source. */
cp_err cp_sink_flush(cp_sink *s, cp_error *err);

/* One whole member from memory. */
cp_err cp_sink_add_file(cp_sink *s, const char *path, const char *scope, const void *buf,
                        size_t len, cp_error *err);

/* One JSON member, pretty-printed with sorted keys so bundles are reproducible. */
cp_err cp_sink_add_json(cp_sink *s, const char *path, const char *scope, const json_t *value,
                        cp_error *err);

#endif
