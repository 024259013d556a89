/*
 * A cp_sink that writes each member as a file under a folder (crashes pull,
 * syslog -o): the member goes to a hidden temporary file beside its final
 * name, is fsync'd, then renamed into place, so an interrupted pull never
 * leaves a file that looks complete. Member names are checked with
 * cp_path_is_safe() first: a name that would escape the folder fails with
 * CP_E_UNSAFE_PATH for that member only. Missing sub-folders are created.
 * Each dir sink is its own object: several can run in parallel threads.
 *
 * Batched (cp_dir_sink_batch, crash pull) the syncs are shared (durable.h,
 * batches): an ended member waits under its temporary name and is placed by
 * the next flush, which comes every `files` members or 64 MiB, and on
 * cp_sink_flush() (before the pull is recorded or anything is deleted). A
 * member's name still never appears before its bytes are durable.
 */
#ifndef CP_DIR_SINK_H
#define CP_DIR_SINK_H

#include "sink.h"

typedef struct cp_dir_sink_opts {
  const char *root;         /* the folder (must exist) */
  const char *strip_prefix; /* removed from member paths ("crashes/"), or NULL */
  int flat_file;            /* 1: root names a file; the single member is written there */
} cp_dir_sink_opts;

/* Makes a sink writing under o->root. Free with cp_dir_sink_free. */
cp_err cp_dir_sink_new(const cp_dir_sink_opts *o, cp_sink **out, cp_error *err);

/* Members from now on share their syncs, `files` at a time (0: each is
 * synced on its own, the default); call before the first member. */
cp_err cp_dir_sink_batch(cp_sink *s, unsigned files, cp_error *err);

/* SHA-256 (hex) and size of the last member ended with keep=1, and its
 * final path (where a batched member is once flushed); 0 when none. */
int cp_dir_sink_last(const cp_sink *s, char sha256_hex[65], unsigned long long *size,
                     const char **local_path);

/* Frees the sink; an open member is discarded, and so are batched members
 * never flushed (their temporary files are removed). */
void cp_dir_sink_free(cp_sink *s);

#endif
