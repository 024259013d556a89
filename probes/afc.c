/*
 * caseprobe's own AFC client (the cp_afc_* functions of device.h) over a raw
 * service connection (cp_conn). It replaces libimobiledevice 1.3.0's AFC
 * client, which trusts reply lengths after a failed read and over-reads its
 * heap when a cable is pulled inside a DATA packet. Here every reply is read
 * as exactly 40 header bytes, validated by formats/afc/afc_proto.c (magic,
 * lengths against a per-request maximum, packet number, operation), then
 * exactly the body length into a buffer this file owns or the caller's
 * buffer when it fits. Transport trouble is told apart as CP_E_DETACHED (the
 * device is gone), CP_E_TIMEOUT (10 s without a byte) or CP_E_PROTOCOL.
 *
 * After a transport or framing failure the byte stream cannot be trusted
 * again, so the client refuses further requests with the same error.
 */
#include "afc.h"

#include "afc_proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Without a byte for this long the service counts as stalled. */
#define CP_AFC_IDLE_MS 10000u
/* One receive waits this long at most, so the idle clock is checked often. */
#define CP_AFC_SLICE_MS 500u
/* A STATUS or FILE_OPEN_RES body larger than this is nonsense. */
#define CP_AFC_MAX_SMALL 4096u
/* FILE_CLOSE requests sent whose STATUS replies are still unread (one-request use). */
#define CP_AFC_MAX_PENDING 8u
/* Requests in flight, in the order sent: submitted ones and closes sent ahead. */
#define CP_AFC_RING 512u

typedef struct flight {
  uint64_t pn, tag;
  int kind; /* a cp_afc_req, or FL_CLOSE: a close whose STATUS is checked and dropped */
  uint32_t len;
} flight;

#define FL_CLOSE (-1)

/* Plain (not TLS) connections read replies through this buffer, so one
 * receive brings many small replies; requests are gathered up to this much
 * and sent together just before the client waits for an answer. */
#define CP_AFC_RBUF (64u * 1024u)
#define CP_AFC_SBUF (16u * 1024u)

struct cp_afc {
  cp_conn *conn;
  cp_device *dev;
  char service[96];
  uint64_t pn;
  flight ring[CP_AFC_RING]; /* in flight, oldest at head */
  size_t head, count;
  size_t nclose, nuser; /* of them: closes sent ahead, submitted requests */
  int broken;           /* the stream is out of step: every later call fails with `dead` */
  cp_error dead;
  unsigned char *rbuf; /* NULL over TLS */
  size_t rpos, rlen;
  unsigned char sbuf[CP_AFC_SBUF]; /* requests not yet sent */
  size_t slen;
};

static const char *udid_of(const cp_afc *a)
{
  return cp_device_udid(a->dev);
}

/* Records err as the reason the connection is unusable and returns its code. */
static cp_err kill_conn(cp_afc *a, cp_error *err)
{
  if (!a->broken) {
    a->broken = 1;
    a->dead = *err;
    /* A dead connection must never read as success to a later request. */
    if (a->dead.code == CP_OK)
      cp_error_set(&a->dead, CP_E_PROTOCOL, "the AFC connection was closed");
  }
  if (err->code == CP_OK)
    *err = a->dead;
  return err->code;
}

/* A receive that failed or idled out: gone, stalled or hung up. */
static cp_err transport_err(cp_afc *a, cp_conn_rc r, const char *what, cp_error *err)
{
  int att = cp_device_attached_after_failure(udid_of(a));
  if (att == 0)
    cp_error_set(err, CP_E_DETACHED, "%s was unplugged during %s", udid_of(a), what);
  else if (att < 0)
    cp_error_set(err, CP_E_USBMUXD, "usbmuxd went away during %s", what);
  else if (r == CP_CONN_IDLE)
    cp_error_set(err, CP_E_TIMEOUT, "%s's %s sent nothing for %u s during %s", udid_of(a),
                 a->service, CP_AFC_IDLE_MS / 1000, what);
  else
    cp_error_set(err, CP_E_PROTOCOL, "%s's %s hung up during %s", udid_of(a), a->service, what);
  return kill_conn(a, err);
}

static cp_err transport_err(cp_afc *a, cp_conn_rc r, const char *what, cp_error *err);

/* Sends the requests gathered in sbuf. */
static cp_err flush_requests(cp_afc *a, cp_error *err)
{
  if (!a->slen)
    return CP_OK;
  cp_err rc = cp_conn_send(a->conn, a->sbuf, a->slen, err);
  a->slen = 0;
  return rc;
}

/* Queues one encoded request (sent at the latest before the next receive). */
static cp_err send_request(cp_afc *a, const unsigned char *req, size_t len, cp_error *err)
{
  cp_err rc = CP_OK;
  if (a->slen + len > CP_AFC_SBUF)
    rc = flush_requests(a, err);
  if (rc == CP_OK && len > CP_AFC_SBUF)
    return cp_conn_send(a->conn, req, len, err);
  if (rc == CP_OK) {
    memcpy(a->sbuf + a->slen, req, len);
    a->slen += len;
  }
  return rc;
}

/* Reads exactly len bytes, however the transport splits them, allowing
 * max_idle_ms without a byte. Requests still gathered go out first. */
static cp_err recv_within(cp_afc *a, unsigned char *buf, size_t len, unsigned max_idle_ms,
                          const char *what, cp_error *err)
{
  size_t have = 0;
  unsigned idle = 0;
  cp_error se;
  if (flush_requests(a, &se) != CP_OK)
    max_idle_ms = CP_AFC_SLICE_MS; /* hung up: read what it said first, briefly */
  while (have < len) {
    if (a->rpos < a->rlen) {
      size_t take = a->rlen - a->rpos < len - have ? a->rlen - a->rpos : len - have;
      memcpy(buf + have, a->rbuf + a->rpos, take);
      a->rpos += take;
      have += take;
      continue;
    }
    int direct = !a->rbuf || len - have >= CP_AFC_RBUF;
    size_t got = 0, room = direct ? len - have : CP_AFC_RBUF;
    cp_conn_rc r =
        cp_conn_recv(a->conn, direct ? buf + have : a->rbuf, room, CP_AFC_SLICE_MS, &got);
    if (r == CP_CONN_OK && got > 0 && got <= room) {
      if (direct)
        have += got;
      else {
        a->rpos = 0;
        a->rlen = got;
      }
      idle = 0;
      continue;
    }
    if (r == CP_CONN_BROKEN)
      return transport_err(a, r, what, err);
    if (r == CP_CONN_STALLED)
      return transport_err(a, CP_CONN_IDLE, what, err);
    idle += CP_AFC_SLICE_MS;
    if (idle >= max_idle_ms)
      return transport_err(a, max_idle_ms < CP_AFC_IDLE_MS ? CP_CONN_BROKEN : CP_CONN_IDLE, what,
                           err);
  }
  return CP_OK;
}

static cp_err recv_exact(cp_afc *a, unsigned char *buf, size_t len, const char *what, cp_error *err)
{
  return recv_within(a, buf, len, CP_AFC_IDLE_MS, what, err);
}

/* A reply that breaks the rules: the stream is out of step from here on. */
static cp_err malformed(cp_afc *a, const char *what, const cp_error *why, cp_error *err)
{
  cp_error_set(err, why->code == CP_E_NOMEM ? CP_E_NOMEM : CP_E_PROTOCOL,
               "%s's %s broke the AFC rules in reply to %s: %s", udid_of(a), a->service, what,
               why->detail);
  return kill_conn(a, err);
}

static cp_err read_body(cp_afc *a, const cp_afc_hdr *h, unsigned char **body, size_t *len,
                        const char *what, cp_error *err);

/* Reads the STATUS replies of the FILE_CLOSEs sent ahead that are next in
 * line (see cp_afc_file_close). A refused close is harmless for a read-only
 * handle; a reply that breaks the rules is not. */
static cp_err drain_pending(cp_afc *a, unsigned max_idle_ms, const char *what, cp_error *err)
{
  while (a->count && a->ring[a->head].kind == FL_CLOSE) {
    unsigned char hb[CP_AFC_HEADER_LEN], *body = NULL;
    size_t len = 0;
    cp_afc_hdr h;
    cp_error why;
    cp_err rc = recv_within(a, hb, sizeof hb, max_idle_ms, what, err);
    if (rc != CP_OK)
      return rc;
    if (cp_afc_decode_header(hb, a->ring[a->head].pn, CP_AFC_MAX_SMALL, &h, &why) != CP_OK)
      return malformed(a, "closing a file", &why, err);
    rc = read_body(a, &h, &body, &len, what, err);
    free(body);
    if (rc != CP_OK)
      return rc;
    if (h.op != CP_AFC_OP_STATUS) {
      cp_error_set(&why, CP_E_PROTOCOL, "operation %llu where a status was due",
                   (unsigned long long)h.op);
      return malformed(a, "closing a file", &why, err);
    }
    a->head = (a->head + 1) % CP_AFC_RING;
    a->count--;
    a->nclose--;
  }
  return CP_OK;
}

/* Remembers a request sent (the ring has room: callers check). */
static void in_flight(cp_afc *a, int kind, uint64_t tag, uint32_t len)
{
  flight *f = &a->ring[(a->head + a->count) % CP_AFC_RING];
  f->pn = a->pn;
  f->tag = tag;
  f->kind = kind;
  f->len = len;
  a->count++;
  if (kind == FL_CLOSE)
    a->nclose++;
  else
    a->nuser++;
}

/* Sends one request and reads and validates the reply header (after the
 * replies to any FILE_CLOSE sent ahead of it). */
static cp_err request(cp_afc *a, uint64_t op, const uint64_t *nums, size_t nnums, const char *path,
                      uint64_t max_body, cp_afc_hdr *h, const char *what, cp_error *err)
{
  unsigned char *req = NULL, hb[CP_AFC_HEADER_LEN];
  size_t reqlen = 0;
  cp_error why;
  if (a->broken) {
    *err = a->dead;
    return a->dead.code;
  }
  if (a->nuser)
    return cp_error_set(err, CP_E_INTERNAL, "AFC: a one-request call with %zu requests in flight",
                        a->nuser);
  cp_err rc = cp_afc_encode(op, ++a->pn, nums, nnums, path, &req, &reqlen, err);
  if (rc != CP_OK)
    return rc;
  rc = send_request(a, req, reqlen, err);
  free(req);
  /* A service that hung up may have said why first (garbage, a status):
   * read what is there, briefly, before calling it a hang-up. */
  unsigned idle_ms = rc == CP_OK ? CP_AFC_IDLE_MS : CP_AFC_SLICE_MS;
  rc = drain_pending(a, idle_ms, what, err);
  if (rc != CP_OK)
    return rc;
  rc = recv_within(a, hb, sizeof hb, idle_ms, what, err);
  if (rc != CP_OK)
    return rc;
  if (cp_afc_decode_header(hb, a->pn, max_body, h, &why) != CP_OK)
    return malformed(a, what, &why, err);
  return CP_OK;
}

/* Reads a whole reply body (already bounded by request()) into a new buffer. */
static cp_err read_body(cp_afc *a, const cp_afc_hdr *h, unsigned char **body, size_t *len,
                        const char *what, cp_error *err)
{
  size_t n = (size_t)(h->entire_len - CP_AFC_HEADER_LEN);
  *body = malloc(n ? n : 1);
  *len = 0;
  if (!*body) {
    cp_error_set(err, CP_E_NOMEM, "AFC reply of %zu bytes", n);
    return kill_conn(a, err);
  }
  cp_err rc = recv_exact(a, *body, n, what, err);
  if (rc != CP_OK) {
    free(*body);
    *body = NULL;
    return rc;
  }
  *len = n;
  return CP_OK;
}

/*
 * One request whose reply is read whole (at most max_body bytes). A STATUS
 * reply is turned into its cp_err (0 = CP_OK); any other operation than
 * `want` is malformed. On CP_OK with op `want`, *body is the reply body.
 */
static cp_err call(cp_afc *a, uint64_t op, const uint64_t *nums, size_t nnums, const char *path,
                   uint64_t want, uint64_t max_body, unsigned char **body, size_t *len,
                   const char *what, cp_error *err)
{
  cp_afc_hdr h;
  cp_error why;
  *body = NULL;
  *len = 0;
  cp_err rc = request(a, op, nums, nnums, path, max_body, &h, what, err);
  if (rc == CP_OK)
    rc = read_body(a, &h, body, len, what, err);
  if (rc != CP_OK)
    return rc;
  if (h.op == want)
    return CP_OK;
  uint64_t code = 0;
  if (h.op == CP_AFC_OP_STATUS && cp_afc_body_u64(*body, *len, &code, &why) == CP_OK) {
    free(*body);
    *body = NULL;
    *len = 0;
    if (code != 0) /* a refusal: the stream is still in step */
      return cp_afc_status_err(code, what, err);
    if (want == CP_AFC_OP_STATUS)
      return CP_OK;
    cp_error_set(&why, CP_E_PROTOCOL, "status 0 where operation %llu was due",
                 (unsigned long long)want);
  } else if (h.op != CP_AFC_OP_STATUS) {
    cp_error_set(&why, CP_E_PROTOCOL, "operation %llu where %llu was due", (unsigned long long)h.op,
                 (unsigned long long)want);
  }
  free(*body);
  *body = NULL;
  *len = 0;
  return malformed(a, what, &why, err);
}

cp_err cp_afc_open(cp_device *d, const char *service, cp_afc **out, cp_error *err)
{
  *out = NULL;
  cp_afc *a = calloc(1, sizeof *a);
  if (!a)
    return cp_error_set(err, CP_E_NOMEM, "AFC client");
  a->dev = d;
  (void)snprintf(a->service, sizeof a->service, "%s", service);
  cp_err rc = cp_conn_open(d, service, &a->conn, err);
  if (rc != CP_OK) {
    free(a);
    return rc;
  }
  if (!cp_conn_is_tls(a->conn))
    a->rbuf = malloc(CP_AFC_RBUF); /* without it, replies are read one by one */
  *out = a;
  return CP_OK;
}

void cp_afc_close(cp_afc *a)
{
  if (!a)
    return;
  cp_conn_close(a->conn);
  free(a->rbuf);
  free(a);
}

cp_err cp_afc_list(cp_afc *a, const char *path, char ***names, cp_error *err)
{
  return cp_afc_list_lenient(a, path, names, NULL, err);
}

cp_err cp_afc_list_lenient(cp_afc *a, const char *path, char ***names, size_t *refused,
                           cp_error *err)
{
  unsigned char *body = NULL;
  size_t len = 0;
  char what[CP_AFC_MAX_PATH + 64];
  cp_error why;
  *names = NULL;
  (void)snprintf(what, sizeof what, "listing %s", path);
  cp_err rc = call(a, CP_AFC_OP_READ_DIR, NULL, 0, path, CP_AFC_OP_DATA, CP_AFC_MAX_META, &body,
                   &len, what, err);
  if (rc != CP_OK)
    return rc;
  rc = cp_afc_parse_names_lenient(body, len, names, refused, &why);
  free(body);
  if (rc == CP_E_NOMEM)
    return cp_error_set(err, rc, "%s", why.detail);
  if (rc != CP_OK) /* the stream is in step, but the device is not to be believed */
    return cp_error_set(err, CP_E_PROTOCOL, "%s's %s gave a malformed reply to %s: %s", udid_of(a),
                        a->service, what, why.detail);
  return CP_OK;
}

/* A GET_FILE_INFO body -> st. CP_E_PROTOCOL (the stream still in step)
 * for a body that does not parse or a file without a size. */
static cp_err info_to_stat(cp_afc *a, const unsigned char *body, size_t len, const char *path,
                           const char *what, cp_afc_stat *st, cp_error *err)
{
  cp_afc_info in;
  cp_error why;
  if (cp_afc_parse_info(body, len, &in, &why) != CP_OK)
    return cp_error_set(err, CP_E_PROTOCOL, "%s's %s gave a malformed reply to %s: %s", udid_of(a),
                        a->service, what, why.detail);
  st->type = in.has_link_target           ? CP_AFC_LINK
             : in.ifmt == CP_AFC_IFMT_REG ? CP_AFC_FILE
             : in.ifmt == CP_AFC_IFMT_DIR ? CP_AFC_DIR
             : in.ifmt == CP_AFC_IFMT_LNK ? CP_AFC_LINK
                                          : CP_AFC_OTHER;
  st->size = in.size;
  st->mtime = (int64_t)(in.mtime_ns / 1000000000ULL);
  if (st->type == CP_AFC_FILE && !in.has_size)
    return cp_error_set(err, CP_E_PROTOCOL, "%s's %s gave no size for %s", udid_of(a), a->service,
                        path);
  return CP_OK;
}

cp_err cp_afc_stat_path(cp_afc *a, const char *path, cp_afc_stat *st, cp_error *err)
{
  unsigned char *body = NULL;
  size_t len = 0;
  char what[CP_AFC_MAX_PATH + 64];
  memset(st, 0, sizeof *st);
  st->type = CP_AFC_OTHER;
  (void)snprintf(what, sizeof what, "reading information of %s", path);
  cp_err rc = call(a, CP_AFC_OP_GET_FILE_INFO, NULL, 0, path, CP_AFC_OP_DATA, CP_AFC_MAX_META,
                   &body, &len, what, err);
  if (rc != CP_OK)
    return rc;
  rc = info_to_stat(a, body, len, path, what, st, err);
  free(body);
  return rc;
}

cp_err cp_afc_file_open(cp_afc *a, const char *path, uint64_t *handle, cp_error *err)
{
  unsigned char *body = NULL;
  size_t len = 0;
  char what[CP_AFC_MAX_PATH + 64];
  uint64_t mode = CP_AFC_MODE_RDONLY;
  cp_error why;
  *handle = 0;
  (void)snprintf(what, sizeof what, "opening %s", path);
  cp_err rc = call(a, CP_AFC_OP_FILE_OPEN, &mode, 1, path, CP_AFC_OP_FILE_OPEN_RES,
                   CP_AFC_MAX_SMALL, &body, &len, what, err);
  if (rc != CP_OK)
    return rc;
  rc = cp_afc_body_u64(body, len, handle, &why);
  free(body);
  if (rc == CP_OK && *handle == 0)
    rc = cp_error_set(&why, CP_E_PROTOCOL, "file handle 0");
  if (rc != CP_OK) {
    *handle = 0;
    return malformed(a, what, &why, err);
  }
  return CP_OK;
}

cp_err cp_afc_file_read(cp_afc *a, uint64_t handle, void *buf, uint32_t len, uint32_t *got,
                        cp_error *err)
{
  cp_afc_hdr h;
  cp_error why;
  *got = 0;
  if (len > CP_AFC_MAX_DATA)
    len = CP_AFC_MAX_DATA; /* a shorter answer is fine: the caller reads on */
  if (len == 0)
    return CP_OK;
  uint64_t nums[2] = {handle, len};
  const char *what = "reading a file";
  uint64_t max_body = len > CP_AFC_MAX_SMALL ? len : CP_AFC_MAX_SMALL;
  cp_err rc = request(a, CP_AFC_OP_FILE_READ, nums, 2, NULL, max_body, &h, what, err);
  if (rc != CP_OK)
    return rc;
  uint64_t n = h.entire_len - CP_AFC_HEADER_LEN;
  if (h.op == CP_AFC_OP_DATA) {
    if (n > len) {
      cp_error_set(&why, CP_E_PROTOCOL, "%llu bytes for a read of %u", (unsigned long long)n, len);
      return malformed(a, what, &why, err);
    }
    /* Straight into the caller's buffer: the length was checked above. */
    rc = recv_exact(a, buf, (size_t)n, what, err);
    if (rc == CP_OK)
      *got = (uint32_t)n;
    return rc;
  }
  unsigned char *body = NULL;
  size_t blen = 0;
  uint64_t code = 0;
  if (n > CP_AFC_MAX_SMALL) {
    cp_error_set(&why, CP_E_PROTOCOL, "a %llu-byte reply of operation %llu to a read",
                 (unsigned long long)n, (unsigned long long)h.op);
    return malformed(a, what, &why, err);
  }
  rc = read_body(a, &h, &body, &blen, what, err);
  if (rc != CP_OK)
    return rc;
  int ok = h.op == CP_AFC_OP_STATUS && cp_afc_body_u64(body, blen, &code, &why) == CP_OK;
  free(body);
  if (ok && code != 0)
    return cp_afc_status_err(code, what, err);
  cp_error_set(&why, CP_E_PROTOCOL, "operation %llu (status %llu) where file data was due",
               (unsigned long long)h.op, (unsigned long long)code);
  return malformed(a, what, &why, err);
}

/* FILE_CLOSE is sent without waiting for its reply: the next request goes
 * out right behind it and the STATUS is read (and checked) before that
 * request's reply, which saves one round trip per pulled file. Waiting adds
 * no proof here: every DATA reply was already read to its exact, checked
 * length, and a removal (crashes pull --delete) is itself a request, so it
 * is never sent before this close was answered. An error means the
 * connection was already lost or the request could not be sent. */
cp_err cp_afc_file_close(cp_afc *a, uint64_t handle, cp_error *err)
{
  unsigned char *req = NULL;
  size_t reqlen = 0;
  if (!a || !handle)
    return CP_OK;
  if (a->broken) {
    *err = a->dead;
    return a->dead.code;
  }
  cp_err rc = CP_OK;
  if ((!a->nuser && a->nclose >= CP_AFC_MAX_PENDING) || a->count == CP_AFC_RING)
    rc = drain_pending(a, CP_AFC_IDLE_MS, "closing a file", err);
  if (rc == CP_OK && a->count == CP_AFC_RING)
    rc = cp_error_set(err, CP_E_INTERNAL, "AFC: %u requests in flight", CP_AFC_RING);
  if (rc == CP_OK)
    rc = cp_afc_encode(CP_AFC_OP_FILE_CLOSE, a->pn + 1, &handle, 1, NULL, &req, &reqlen, err);
  if (rc != CP_OK)
    return rc;
  a->pn++;
  rc = send_request(a, req, reqlen, err);
  free(req);
  if (rc != CP_OK)
    return transport_err(a, CP_CONN_BROKEN, "closing a file", err);
  in_flight(a, FL_CLOSE, 0, 0);
  return CP_OK;
}

cp_err cp_afc_remove(cp_afc *a, const char *path, cp_error *err)
{
  unsigned char *body = NULL;
  size_t len = 0;
  char what[CP_AFC_MAX_PATH + 64];
  (void)snprintf(what, sizeof what, "removing %s", path);
  cp_err rc = call(a, CP_AFC_OP_REMOVE_PATH, NULL, 0, path, CP_AFC_OP_STATUS, CP_AFC_MAX_SMALL,
                   &body, &len, what, err);
  free(body);
  return rc;
}

/* ------------------------------------------------------------ the pipeline */

size_t cp_afc_inflight(const cp_afc *a)
{
  return a ? a->nuser : 0;
}

cp_err cp_afc_submit(cp_afc *a, cp_afc_req kind, const char *path, uint64_t handle, uint32_t len,
                     uint64_t tag, cp_error *err)
{
  unsigned char *req = NULL;
  size_t reqlen = 0;
  uint64_t nums[2] = {0, 0};
  size_t nnums = 0;
  uint64_t op = 0;
  if (a->broken) {
    *err = a->dead;
    return a->dead.code;
  }
  if (a->nuser >= CP_AFC_MAX_INFLIGHT || a->count >= CP_AFC_RING)
    return cp_error_set(err, CP_E_USAGE, "AFC: %zu requests in flight already", a->nuser);
  switch (kind) {
  case CP_AFC_REQ_STAT: op = CP_AFC_OP_GET_FILE_INFO; break;
  case CP_AFC_REQ_OPEN:
    op = CP_AFC_OP_FILE_OPEN;
    nums[0] = CP_AFC_MODE_RDONLY;
    nnums = 1;
    break;
  case CP_AFC_REQ_READ:
    if (len > CP_AFC_MAX_DATA)
      len = CP_AFC_MAX_DATA;
    op = CP_AFC_OP_FILE_READ;
    nums[0] = handle;
    nums[1] = len;
    nnums = 2;
    path = NULL;
    break;
  default: return cp_error_set(err, CP_E_INTERNAL, "AFC: request kind %d", (int)kind);
  }
  cp_err rc = cp_afc_encode(op, a->pn + 1, nums, nnums, path, &req, &reqlen, err);
  if (rc != CP_OK)
    return rc;
  a->pn++;
  rc = send_request(a, req, reqlen, err);
  free(req);
  if (rc != CP_OK)
    return transport_err(a, CP_CONN_BROKEN, "sending a request", err);
  in_flight(a, (int)kind, tag, len);
  return CP_OK;
}

/* A STATUS reply where something else was due: a refusal (r->rc) when its
 * code is not 0, malformed otherwise. body is freed. */
static cp_err refusal(cp_afc *a, const cp_afc_hdr *h, unsigned char *body, size_t len,
                      const char *what, cp_afc_reply *r, cp_error *err)
{
  uint64_t code = 0;
  cp_error why;
  int ok = h->op == CP_AFC_OP_STATUS && cp_afc_body_u64(body, len, &code, &why) == CP_OK;
  free(body);
  if (ok && code != 0) {
    r->rc = cp_afc_status_err(code, what, &r->err);
    return CP_OK;
  }
  cp_error_set(&why, CP_E_PROTOCOL, "operation %llu (status %llu) in reply to %s",
               (unsigned long long)h->op, (unsigned long long)code, what);
  return malformed(a, what, &why, err);
}

cp_err cp_afc_reap(cp_afc *a, cp_afc_reply *r, cp_error *err)
{
  cp_afc_hdr h;
  cp_error why;
  unsigned char hb[CP_AFC_HEADER_LEN], *body = NULL;
  size_t blen = 0;
  memset(r, 0, sizeof *r);
  if (a->broken) {
    *err = a->dead;
    return a->dead.code;
  }
  cp_err rc = drain_pending(a, CP_AFC_IDLE_MS, "closing a file", err);
  if (rc != CP_OK)
    return rc;
  if (!a->nuser)
    return cp_error_set(err, CP_E_INTERNAL, "AFC: no request in flight");
  flight f = a->ring[a->head];
  a->head = (a->head + 1) % CP_AFC_RING;
  a->count--;
  a->nuser--;
  r->kind = (cp_afc_req)f.kind;
  r->tag = f.tag;
  r->rc = CP_OK;
  const char *what = f.kind == CP_AFC_REQ_STAT   ? "reading file information"
                     : f.kind == CP_AFC_REQ_OPEN ? "opening a file"
                                                 : "reading a file";
  uint64_t max_body = f.kind == CP_AFC_REQ_STAT   ? CP_AFC_MAX_META
                      : f.kind == CP_AFC_REQ_OPEN ? CP_AFC_MAX_SMALL
                      : f.len > CP_AFC_MAX_SMALL  ? f.len
                                                  : CP_AFC_MAX_SMALL;
  rc = recv_exact(a, hb, sizeof hb, what, err);
  if (rc != CP_OK)
    return rc;
  if (cp_afc_decode_header(hb, f.pn, max_body, &h, &why) != CP_OK)
    return malformed(a, what, &why, err);
  uint64_t n = h.entire_len - CP_AFC_HEADER_LEN;
  if (f.kind == CP_AFC_REQ_READ && h.op == CP_AFC_OP_DATA) {
    if (n > f.len) {
      cp_error_set(&why, CP_E_PROTOCOL, "%llu bytes for a read of %u", (unsigned long long)n,
                   f.len);
      return malformed(a, what, &why, err);
    }
    rc = read_body(a, &h, &body, &blen, what, err);
    if (rc != CP_OK)
      return rc;
    if (blen) {
      r->data = body;
      r->len = (uint32_t)blen;
    } else
      free(body);
    return CP_OK;
  }
  if (f.kind == CP_AFC_REQ_READ && n > CP_AFC_MAX_SMALL) {
    cp_error_set(&why, CP_E_PROTOCOL, "a %llu-byte reply of operation %llu to a read",
                 (unsigned long long)n, (unsigned long long)h.op);
    return malformed(a, what, &why, err);
  }
  rc = read_body(a, &h, &body, &blen, what, err);
  if (rc != CP_OK)
    return rc;
  if (f.kind == CP_AFC_REQ_STAT && h.op == CP_AFC_OP_DATA) {
    r->st.type = CP_AFC_OTHER;
    rc = info_to_stat(a, body, blen, "a file", what, &r->st, &r->err);
    free(body);
    r->rc = rc; /* a malformed info: this entry fails, the stream is in step */
    return CP_OK;
  }
  if (f.kind == CP_AFC_REQ_OPEN && h.op == CP_AFC_OP_FILE_OPEN_RES) {
    rc = cp_afc_body_u64(body, blen, &r->handle, &why);
    free(body);
    if (rc == CP_OK && r->handle == 0)
      rc = cp_error_set(&why, CP_E_PROTOCOL, "file handle 0");
    if (rc != CP_OK) {
      r->handle = 0;
      return malformed(a, what, &why, err);
    }
    return CP_OK;
  }
  return refusal(a, &h, body, blen, what, r, err);
}
