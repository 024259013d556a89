/*
 * Durable writes, in one place: a file appears at its final name either
 * whole or not at all, and stays there after a crash or power loss.
 *
 *   temp file created beside the target (same folder, so rename is atomic,
 *   mode 0600) -> write -> fsync(file) -> close -> rename (or link when the
 *   target must not be replaced) -> fsync(folder)
 *
 * Users: the bundle writer (no-replace), the dir sink (crash pull, syslog
 * -o), the station spool and the upload engine's state files. Every POSIX
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

/* Test hook: the system calls of the pattern, replaceable to inject EIO,
 * ENOSPC and friends (tests/unit/test_durable.c). NULL restores the real
 * calls. Not for production use; not thread-safe while being changed. */
typedef struct cp_durable_ops {
  ssize_t (*write)(int fd, const void *buf, size_t len);
  int (*fsync)(int fd);
  int (*close)(int fd);
  int (*rename)(const char *from, const char *to);
  int (*link)(const char *from, const char *to);
} cp_durable_ops;
void cp_durable_set_ops(const cp_durable_ops *ops);

#endif
