/*
 * The few operating-system calls the bundle writer needs (temporary files
 * beside the output, full writes that report ENOSPC as "disk full", UTC
 * time), kept in one small file so the rest of formats/ stays portable C.
 * The durable temp -> fsync -> rename -> fsync(folder) pattern is durable.h.
 */
#ifndef CP_BUNDLE_OS_H
#define CP_BUNDLE_OS_H

#include "cp_err.h"

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Creates `<dir>/<prefix>XXXXXX` exclusively (mode 0600); returns the fd and
 * the malloc'd path in *path_out, or -1 with err set. */
int cp_os_temp_create(const char *dir, const char *prefix, char **path_out, cp_error *err);

/* An anonymous scratch file in `dir` (created then unlinked at once), so a
 * crash never leaves it behind. Returns the fd or -1 with err set. */
int cp_os_scratch_open(const char *dir, cp_error *err);

/* Writes all of buf; ENOSPC/EDQUOT give CP_E_DISK_FULL, others CP_E_IO.
 * `what` names the file in the detail. *errno_out (if not NULL) gets errno. */
cp_err cp_os_write_all(int fd, const void *buf, size_t len, const char *what, int *errno_out,
                       cp_error *err);

/* Reads up to len bytes at the current offset; returns bytes read, 0 at end, -1 on error. */
long cp_os_read(int fd, void *buf, size_t len);

/* Rewinds fd to offset 0 (and with truncate, empties it). */
cp_err cp_os_rewind(int fd, int truncate, const char *what, cp_error *err);

/* close() that reports deferred write errors (NFS, quota). */
cp_err cp_os_close(int fd, const char *what, cp_error *err);

/* Removes a file, ignoring "not there". */
void cp_os_unlink(const char *path);

/* 1 when something exists at path (file, folder, dangling link). */
int cp_os_exists(const char *path);

/* Opens a file given by a person (a bundle, a policy) for reading, only when
 * it is a regular file: a FIFO would block forever, a device never ends, a
 * folder is no bundle. Opened non-blocking, checked with fstat on the open
 * descriptor (no race), then made blocking. Returns the fd, or -1 with
 * CP_E_NOT_FOUND, CP_E_NOT_REGULAR or CP_E_IO in err. With private = 1 a
 * file that others than its owner may write is refused too, with
 * CP_E_INSECURE_FILE (as ssh refuses such keys). */
int cp_os_open_input(const char *path, int private_file, cp_error *err);

/* 1 when `dir` is an existing folder. */
int cp_os_is_dir(const char *dir);

/* "2026-11-23T12:45:17Z" (iso=1) or "20261123T124517Z" (iso=0, safe in file names). */
void cp_os_utc(time_t t, int iso, char out[32]);

/* A per-thread UTF-8 character type, so libarchive writes UTF-8 names as
 * plain pax "path" records even when the process runs under LANG=C (it
 * reads the charset from the locale). enter() returns an opaque token for
 * leave(), or NULL when no UTF-8 locale exists (names then still work:
 * libarchive stores them as raw bytes with hdrcharset=BINARY). */
void *cp_os_utf8_enter(void);
void cp_os_utf8_leave(void *token);

/* Gives freed heap pages back to the system (glibc: malloc_trim, every
 * arena). The writer's per-member rows are made on the crash walk's worker
 * thread, in that thread's arena, which the main thread's later allocations
 * (the bundle check) never reuse: without this the two peaks add up. A
 * no-op where the allocator has no such call. */
void cp_os_release_free_memory(void);

/* Maps an errno from a write/close/fsync to CP_E_DISK_FULL or CP_E_IO. */
cp_err cp_os_errno_code(int e);

#endif
