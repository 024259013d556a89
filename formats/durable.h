/*
 * Durable writes, in one place: a file appears at its final name either
 * whole or not at all, and stays there after a crash or power loss.
 *
 *   temp file created beside the target (same folder, so rename is atomic,
 *   mode 0600) -> write -> fsync(file) -> close -> rename (or link when the
 *   target must not be replaced) -> fsync(folder)
 *
 * Users: the bundle writer (no-replace), the dir sink (crash pull, syslog
 * -o), the station spool and the upload engine's state files.
 *
 * Batches (crash pull: thousands of small files): the same pattern with the
 * syncs shared. Each file is closed unsynced (its write-back started) and
 * waits in the batch under its temporary name; a flush syncs the data of
 * the whole batch at once (syncfs on Linux, else an fsync of each file),
 * then renames each into place and syncs each folder once. A name still
 * only appears when its bytes are durable, and a file costs a fraction of
 * a journal commit instead of two. Every POSIX
 * call of the pattern is in durable.c, so a Windows port replaces one file
 * (MoveFileEx with MOVEFILE_WRITE_THROUGH, FlushFileBuffers).
 *
 * Errors: ENOSPC/EDQUOT -> CP_E_DISK_FULL, others CP_E_IO, with the file's
 * name in the detail; a failed commit leaves no temp file behind and
 * nothing new at the target.
 */
#ifndef CP_DURABLE_H
#define CP_DURABLE_H

#include "cp_err.h"

#include <stddef.h>
#include <sys/types.h>

enum {
  CP_DURABLE_REPLACE = 0,   /* an existing target is replaced atomically */
  CP_DURABLE_NOREPLACE = 1, /* an existing target is an error (CP_E_EXISTS) */
};

/* One durable write in progress; embed it (no allocation besides names). */
typedef struct cp_durable {
  int fd;         /* the temp file, -1 when none */
  char *tmp_path; /* the temp file's name, NULL once renamed */
  char *target;   /* final name */
  char *dir;      /* the folder of both */
  int flags;      /* CP_DURABLE_* */
  int last_errno; /* errno of the last failed call, 0 if none */
} cp_durable;

/* Creates the temp file `<folder of target>/<tmp_prefix>XXXXXX`;
 * tmp_prefix NULL means ".<base name>.tmp-". */
cp_err cp_durable_begin(cp_durable *d, const char *target, const char *tmp_prefix, int flags,
                        cp_error *err);

/* Appends all of buf to the temp file. */
cp_err cp_durable_write(cp_durable *d, const void *buf, size_t len, cp_error *err);

/* fsync, close, rename into place, fsync the folder. Always ends d: on
 * failure the temp file is removed (and with NOREPLACE a target that could
 * not be made durable is removed too). */
cp_err cp_durable_commit(cp_durable *d, cp_error *err);

/* Drops the temp file; safe on a zeroed or already ended d. */
void cp_durable_abort(cp_durable *d);

/* begin + write + commit of one buffer. */
cp_err cp_durable_write_file(const char *target, const void *data, size_t len, int flags,
                             cp_error *err);

/* rename(from, to) then fsync of to's folder (and from's, when another). */
cp_err cp_durable_move(const char *from, const char *to, cp_error *err);

/* fsync of a folder; file systems that refuse it (EINVAL) count as done. */
cp_err cp_durable_sync_dir(const char *dir, cp_error *err);

/* Maps an errno of write/fsync/close/rename to CP_E_DISK_FULL or CP_E_IO. */
cp_err cp_durable_errno_code(int e);

/* ------------------------------------------------------------ batches */

typedef struct cp_durable_batch cp_durable_batch;

cp_err cp_durable_batch_new(cp_durable_batch **out, cp_error *err);

/* Ends d like cp_durable_commit, except that the file is not synced or
 * placed yet: it is closed and joins b, and reaches its target at the next
 * cp_durable_batch_flush. Always ends d; on failure the temp file is gone. */
cp_err cp_durable_commit_batched(cp_durable *d, cp_durable_batch *b, cp_error *err);

/* Files waiting in b, and their bytes (either pointer may be NULL). */
size_t cp_durable_batch_pending(const cp_durable_batch *b, unsigned long long *bytes);

/* One sync of every waiting file's data, then each renamed into place
 * (NOREPLACE honoured), then one fsync of each folder. On failure the files
 * not yet placed are removed (nothing looks complete that is not) and the
 * error names the first file that failed; b is empty afterwards either way. */
cp_err cp_durable_batch_flush(cp_durable_batch *b, cp_error *err);

/* Frees b; files never flushed are removed, not placed. NULL is fine. */
void cp_durable_batch_free(cp_durable_batch *b);

/* Test hook: the system calls of the pattern, replaceable to inject EIO,
 * ENOSPC and friends (tests/unit/test_durable.c). NULL restores the real
 * calls. Not for production use; not thread-safe while being changed. */
typedef struct cp_durable_ops {
  ssize_t (*write)(int fd, const void *buf, size_t len);
  int (*fsync)(int fd);
  int (*close)(int fd);
  int (*rename)(const char *from, const char *to);
  int (*link)(const char *from, const char *to);
  /* sync of a whole file system (fd: any file or folder on it), for batch
   * flushes; NULL: the batch fsyncs each file instead */
  int (*syncfs)(int fd);
} cp_durable_ops;
void cp_durable_set_ops(const cp_durable_ops *ops);

#endif
