/*
 * caseprobe's own AFC client on a named service (com.apple.crashreportcopymobile,
 * com.apple.afc), over a raw service connection (cp_conn, device.h). Every
 * reply length is validated (formats/afc/afc_proto.c); a pulled cable is
 * CP_E_DETACHED, a silent service CP_E_TIMEOUT after 10 s without a byte,
 * nonsense CP_E_PROTOCOL. One cp_afc is used by one thread at a time.
 *
 * Two ways to talk: the one-request calls (list, stat, open, read, remove),
 * and a pipeline (cp_afc_submit / cp_afc_reap) that keeps several requests
 * in flight on the one connection: AFC numbers its packets and the device
 * answers in order, so a link's round trip is paid once for many requests.
 * The one-request calls may only be used while no submitted request is
 * unanswered (closes sent ahead excepted).
 */
#ifndef CP_AFC_H
#define CP_AFC_H

#include "device.h"

#include <stddef.h>
#include <stdint.h>

typedef struct cp_afc cp_afc;

typedef enum cp_afc_type { CP_AFC_FILE, CP_AFC_DIR, CP_AFC_LINK, CP_AFC_OTHER } cp_afc_type;

typedef struct cp_afc_stat {
  uint64_t size;
  int64_t mtime; /* Unix seconds */
  cp_afc_type type;
} cp_afc_stat;

cp_err cp_afc_open(cp_device *d, const char *service, cp_afc **out, cp_error *err);
void cp_afc_close(cp_afc *a);
/* Entry names of a folder without "." and ".."; NULL-terminated, free with cp_afc_names_free. */
cp_err cp_afc_list(cp_afc *a, const char *path, char ***names, cp_error *err);
/* The same, except that a name no file system can hold ('/', a control byte)
 * costs only that entry: left out, counted in *refused. */
cp_err cp_afc_list_lenient(cp_afc *a, const char *path, char ***names, size_t *refused,
                           cp_error *err);
void cp_afc_names_free(char **names);
cp_err cp_afc_stat_path(cp_afc *a, const char *path, cp_afc_stat *st, cp_error *err);
cp_err cp_afc_file_open(cp_afc *a, const char *path, uint64_t *handle, cp_error *err);
/* One FILE_READ of up to len bytes; *got = 0 at end of file.
 * Never ask for more than the file has left (st_size minus what was read):
 * libimobiledevice 1.3.0 miscounts a reply cut short by a pulled cable and
 * copies min(its count, len) bytes from a buffer the size of the reply, so a
 * larger len reads past that buffer. With len equal to what is left the copy
 * stays inside it, and the close (below) tells whether the reply was whole. */
cp_err cp_afc_file_read(cp_afc *a, uint64_t handle, void *buf, uint32_t len, uint32_t *got,
                        cp_error *err);
/* FILE_CLOSE. Every reply before it was read to its exact, checked length;
 * the close's own STATUS is checked before the next request's reply (see
 * probes/afc.c). An error: the connection is lost. */
cp_err cp_afc_file_close(cp_afc *a, uint64_t handle, cp_error *err);
cp_err cp_afc_remove(cp_afc *a, const char *path, cp_error *err);

/* --- the pipeline --- */
typedef enum cp_afc_req { CP_AFC_REQ_STAT, CP_AFC_REQ_OPEN, CP_AFC_REQ_READ } cp_afc_req;

/* Most requests in flight at once (closes sent ahead not counted). */
#define CP_AFC_MAX_INFLIGHT 256u

/* Sends one request without waiting for its answer. path: STAT and OPEN
 * (read-only); handle and len: READ (len <= CP_AFC_MAX_DATA, never more
 * than the file has left, see cp_afc_file_read). tag is handed back by
 * cp_afc_reap. CP_E_USAGE when CP_AFC_MAX_INFLIGHT are in flight. */
cp_err cp_afc_submit(cp_afc *a, cp_afc_req kind, const char *path, uint64_t handle, uint32_t len,
                     uint64_t tag, cp_error *err);

/* Requests submitted and not yet reaped. */
size_t cp_afc_inflight(const cp_afc *a);

/* The answer to one request. rc is CP_OK or the device's refusal (not
 * found, permission...: the connection is still in step) with err. */
typedef struct cp_afc_reply {
  cp_afc_req kind;
  uint64_t tag;
  cp_err rc;
  cp_error err;
  cp_afc_stat st;      /* STAT */
  uint64_t handle;     /* OPEN */
  unsigned char *data; /* READ: malloc()ed, the caller's to free; NULL when len 0 */
  uint32_t len;
} cp_afc_reply;

/* Reads the answer to the oldest request in flight (answers come in the
 * order of the requests). A transport or framing failure is returned (the
 * connection is then dead); a refusal is CP_OK with r->rc set. */
cp_err cp_afc_reap(cp_afc *a, cp_afc_reply *r, cp_error *err);

#endif
