/* sim_afc.c: AFC (Apple File Conduit) on com.apple.crashreportcopymobile,
 * rooted at the profile's crash/ tree as seen through the in-memory overlay.
 * Every length from the client is bounded; paths are resolved only inside
 * the virtual tree, never on the host file system. */
#include "sim.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define AFC_HDR 40
#define AFC_MAX_REQ (16u * 1024 * 1024)
#define AFC_MAX_READ (16u * 1024 * 1024)
#define AFC_HANDLES 64

enum {
  OP_STATUS = 1,
  OP_DATA = 2,
  OP_READ_DIR = 3,
  OP_REMOVE_PATH = 8,
  OP_GET_FILE_INFO = 0x0A,
  OP_GET_DEVINFO = 0x0B,
  OP_FILE_OPEN = 0x0D,
  OP_FILE_OPEN_RES = 0x0E,
  OP_FILE_READ = 0x0F,
  OP_FILE_SEEK = 0x11,
  OP_FILE_TELL = 0x12,
  OP_FILE_TELL_RES = 0x13,
  OP_FILE_CLOSE = 0x14,
  OP_REMOVE_PATH_AND_CONTENTS = 0x22
};

enum {
  E_SUCCESS = 0,
  E_UNKNOWN = 1,
  E_INVALID_ARG = 7,
  E_NOT_FOUND = 8,
  E_IS_DIR = 9,
  E_PERM = 10,
  E_NOT_SUPPORTED = 15
};

struct afc_handle {
  int fd;
  uint64_t pos, size;
  bool zeros; /* HostileAFC: /dev/zero, ends at size */
};

struct afc {
  struct sim_conn *c;
  struct sim_outq *q; /* replies in flight (NULL: one at a time, TLS) */
  struct afc_handle h[AFC_HANDLES];
};

static void put64(unsigned char *p, uint64_t v)
{
  for (int i = 0; i < 8; i++)
    p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get64(const unsigned char *p)
{
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--)
    v = (v << 8) | p[i];
  return v;
}

/* One reply packet, header + header data + payload, in one write. */
static int reply(struct afc *a, uint64_t pn, uint64_t op, const void *hdata, size_t hlen,
                 const void *payload, size_t plen)
{
  size_t total = AFC_HDR + hlen + plen;
  unsigned char *buf = malloc(total);
  if (!buf)
    return -1;
  memcpy(buf, "CFA6LPAA", 8);
  put64(buf + 8, total);
  put64(buf + 16, AFC_HDR + hlen);
  put64(buf + 24, pn);
  put64(buf + 32, op);
  if (hlen)
    memcpy(buf + AFC_HDR, hdata, hlen);
  if (plen)
    memcpy(buf + AFC_HDR + hlen, payload, plen);
  if (a->q)
    return sim_outq_send(a->q, buf, total); /* takes buf */
  int rc = sim_send(a->c, buf, total);
  free(buf);
  return rc;
}

static int status(struct afc *a, uint64_t pn, uint64_t code)
{
  unsigned char v[8];
  put64(v, code);
  return reply(a, pn, OP_STATUS, v, 8, NULL, 0);
}

static int reply_u64(struct afc *a, uint64_t pn, uint64_t op, uint64_t val)
{
  unsigned char v[8];
  put64(v, val);
  return reply(a, pn, op, v, 8, NULL, 0);
}

/* A growable buffer of NUL-terminated strings (READ_DIR, file info). */
struct strbuf {
  char *p;
  size_t len, cap;
  bool oom;
};

static void sb_add(struct strbuf *b, const char *s)
{
  size_t n = strlen(s) + 1;
  if (b->oom)
    return;
  if (b->len + n > b->cap) {
    size_t cap = (b->cap ? b->cap * 2 : 256) + n;
    char *q = realloc(b->p, cap);
    if (!q) {
      b->oom = true;
      return;
    }
    b->p = q;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
}

static void sb_kv(struct strbuf *b, const char *k, const char *v)
{
  sb_add(b, k);
  sb_add(b, v);
}

static void sb_add_cb(void *ctx, const char *s)
{
  sb_add(ctx, s);
}

static int send_strbuf(struct afc *a, uint64_t pn, struct strbuf *b)
{
  int rc = b->oom ? status(a, pn, E_UNKNOWN) : reply(a, pn, OP_DATA, NULL, 0, b->p, b->len);
  free(b->p);
  return rc;
}

/* Builds the GET_FILE_INFO pairs (under the device lock; sent after). */
static void file_info(struct strbuf *bp, struct sim_vnode *n)
{
  struct strbuf b = {0};
  char num[32], mt[32];
  snprintf(mt, sizeof mt, "%" PRId64, n->mtime_ns);
  int nvis = 0, ndirs = 0;
  for (struct sim_vnode *ch = n->child; ch; ch = ch->next) {
    if (sim_vfs_visible(ch)) {
      nvis++;
      ndirs += ch->type == SIM_VN_DIR;
    }
  }
  switch (n->type) {
  case SIM_VN_REG:
    snprintf(num, sizeof num, "%" PRIu64, n->size);
    sb_kv(&b, "st_size", num);
    snprintf(num, sizeof num, "%" PRIu64, (n->size + 4095) / 4096 * 8);
    sb_kv(&b, "st_blocks", num);
    sb_kv(&b, "st_nlink", "1");
    sb_kv(&b, "st_ifmt", "S_IFREG");
    break;
  case SIM_VN_DIR:
    snprintf(num, sizeof num, "%d", (nvis + 2) * 32);
    sb_kv(&b, "st_size", num);
    sb_kv(&b, "st_blocks", "0");
    snprintf(num, sizeof num, "%d", ndirs + 2);
    sb_kv(&b, "st_nlink", num);
    sb_kv(&b, "st_ifmt", "S_IFDIR");
    break;
  case SIM_VN_LNK:
    snprintf(num, sizeof num, "%zu", strlen(n->link_target ? n->link_target : ""));
    sb_kv(&b, "st_size", num);
    sb_kv(&b, "st_blocks", "0");
    sb_kv(&b, "st_nlink", "1");
    sb_kv(&b, "st_ifmt", "S_IFLNK");
    break;
  }
  sb_kv(&b, "st_mtime", mt);
  sb_kv(&b, "st_birthtime", mt);
  if (n->type == SIM_VN_LNK)
    sb_kv(&b, "LinkTarget", n->link_target ? n->link_target : "");
  *bp = b;
}

/* Follows one symlink level inside the tree (relative targets, or absolute
 * ones under the device's CrashReporter folder). */
static struct sim_vnode *follow(struct sim_device *dev, struct sim_vnode *n, int *err)
{
  static const char *const prefixes[] = {"/private/var/mobile/Library/Logs/CrashReporter",
                                         "/var/mobile/Library/Logs/CrashReporter", NULL};
  if (n->type != SIM_VN_LNK)
    return n;
  const char *t = n->link_target ? n->link_target : "";
  if (t[0] != '/')
    return sim_vfs_lookup(n->parent, t, err);
  for (int i = 0; prefixes[i]; i++) {
    size_t pl = strlen(prefixes[i]);
    if (strncmp(t, prefixes[i], pl) == 0 && (t[pl] == '/' || t[pl] == '\0'))
      return sim_vfs_lookup(dev->root, t + pl, err);
  }
  *err = E_NOT_FOUND;
  return NULL;
}

static void remove_node(struct sim_vnode *n)
{
  n->removed = true;
}

#define AFC_PATH_MAX 1024 /* iOS PATH_MAX */

/* A request's path as afcd reads it: the packet's length ends it, and a
 * trailing NUL (our client and libimobiledevice send one; pymobiledevice3,
 * go-ios and others may not) is optional. Refused: an empty path, a NUL
 * with more bytes after it (the two ends disagree), a path over PATH_MAX.
 * Returns 0 with the path NUL-terminated in `out`. */
static int decode_path(const unsigned char *p, size_t n, char out[AFC_PATH_MAX + 1])
{
  const unsigned char *nul = memchr(p, '\0', n);
  if (nul) {
    for (const unsigned char *q = nul; q < p + n; q++) {
      if (*q != '\0')
        return -1;
    }
    n = (size_t)(nul - p);
  }
  if (n == 0 || n > AFC_PATH_MAX)
    return -1;
  memcpy(out, p, n);
  out[n] = '\0';
  return 0;
}

/* Faults.RefuseOpen: the AFC status this path's FILE_OPEN gets (a file
 * afcd may not hand out, a device out of handles), or 0. A path matches
 * with or without a leading "/" or "./". */
static uint64_t refused_open(const struct sim_device *dev, const char *path)
{
  if (!dev->fault_refuse_open)
    return 0;
  while (path[0] == '/' || (path[0] == '.' && path[1] == '/'))
    path += path[0] == '/' ? 1 : 2;
  plist_t n = plist_dict_get_item(dev->fault_refuse_open, path);
  uint64_t v = 0;
  if (n && plist_get_node_type(n) == PLIST_UINT)
    plist_get_uint_val(n, &v);
  return v;
}

static int handle_op(struct afc *a, uint64_t pn, uint64_t op, const unsigned char *hd, size_t hlen)
{
  struct sim_device *dev = a->c->dev;
  int err = 0;
  const char *path = NULL;
  char pathbuf[AFC_PATH_MAX + 1];
  size_t off = (op == OP_FILE_OPEN) ? 8 : 0;
  if (op == OP_READ_DIR || op == OP_GET_FILE_INFO || op == OP_REMOVE_PATH ||
      op == OP_REMOVE_PATH_AND_CONTENTS || op == OP_FILE_OPEN) {
    if (hlen <= off || decode_path(hd + off, hlen - off, pathbuf) != 0)
      return status(a, pn, E_INVALID_ARG);
    path = pathbuf;
  }
  switch (op) {
  case OP_READ_DIR: {
    struct strbuf b = {0};
    pthread_mutex_lock(&dev->lock);
    struct sim_vnode *n = sim_vfs_lookup(dev->root, path, &err);
    if (n && n->type != SIM_VN_DIR)
      err = E_INVALID_ARG;
    if (!err) {
      sb_add(&b, ".");
      sb_add(&b, "..");
      for (struct sim_vnode *ch = n->child; ch; ch = ch->next) {
        if (sim_vfs_visible(ch))
          sb_add(&b, ch->name);
      }
      sim_hostile_list(dev, path, sb_add_cb, &b);
    }
    pthread_mutex_unlock(&dev->lock);
    if (err) {
      free(b.p);
      return status(a, pn, (uint64_t)err);
    }
    return send_strbuf(a, pn, &b);
  }
  case OP_GET_FILE_INFO: {
    struct strbuf b = {0};
    uint64_t hsize = 0;
    int hs = sim_hostile_stat(dev, path, &hsize);
    if (hs < 0)
      return status(a, pn, E_NOT_FOUND);
    if (hs > 0) {
      struct sim_vnode fake = {.type = SIM_VN_REG, .size = hsize};
      file_info(&b, &fake);
      sim_log(dev, "AFC GET_FILE_INFO hostile name (fault: HostileAFC)");
      return send_strbuf(a, pn, &b);
    }
    pthread_mutex_lock(&dev->lock);
    struct sim_vnode *n = sim_vfs_lookup(dev->root, path, &err);
    if (n)
      file_info(&b, n);
    pthread_mutex_unlock(&dev->lock);
    return n ? send_strbuf(a, pn, &b) : status(a, pn, (uint64_t)err);
  }
  case OP_FILE_OPEN: {
    uint64_t mode = get64(hd);
    uint64_t hsize = 0;
    uint64_t refused = refused_open(dev, path);
    if (refused) {
      sim_log(dev, "AFC FILE_OPEN refused with status %llu (fault: RefuseOpen)",
              (unsigned long long)refused);
      return status(a, pn, refused);
    }
    if (sim_hostile_stat(dev, path, &hsize) > 0) {
      int slot = -1;
      for (int i = 0; i < AFC_HANDLES && slot < 0; i++) {
        if (a->h[i].fd < 0)
          slot = i;
      }
      int fd = slot >= 0 ? open("/dev/zero", O_RDONLY) : -1;
      if (fd < 0)
        return status(a, pn, 3);
      a->h[slot].fd = fd;
      a->h[slot].pos = 0;
      a->h[slot].size = hsize;
      a->h[slot].zeros = true;
      return reply_u64(a, pn, OP_FILE_OPEN_RES, (uint64_t)slot + 1);
    }
    pthread_mutex_lock(&dev->lock);
    struct sim_vnode *n = sim_vfs_lookup(dev->root, path, &err);
    if (n)
      n = follow(dev, n, &err);
    char *real = NULL;
    uint64_t size = 0;
    if (n && n->type == SIM_VN_DIR)
      err = E_IS_DIR;
    else if (n && n->type != SIM_VN_REG)
      err = E_NOT_FOUND;
    else if (!n && !err)
      err = E_NOT_FOUND;
    if (!err && mode != 1)
      err = E_PERM; /* the crash log service is read-only here */
    if (!err) {
      real = strdup(n->real_path);
      size = n->size;
    }
    pthread_mutex_unlock(&dev->lock);
    if (err)
      return status(a, pn, (uint64_t)err);
    int slot = -1;
    for (int i = 0; i < AFC_HANDLES && slot < 0; i++) {
      if (a->h[i].fd < 0)
        slot = i;
    }
    int fd = (real && slot >= 0) ? open(real, O_RDONLY) : -1;
    free(real);
    if (fd < 0)
      return status(a, pn, slot < 0 ? 3 : E_NOT_FOUND);
    a->h[slot].fd = fd;
    a->h[slot].pos = 0;
    a->h[slot].size = size;
    a->h[slot].zeros = false;
    return reply_u64(a, pn, OP_FILE_OPEN_RES, (uint64_t)slot + 1);
  }
  case OP_FILE_READ:
  case OP_FILE_SEEK:
  case OP_FILE_TELL:
  case OP_FILE_CLOSE: {
    if (hlen < 8)
      return status(a, pn, E_INVALID_ARG);
    uint64_t hnum = get64(hd);
    if (hnum == 0 || hnum > AFC_HANDLES || a->h[hnum - 1].fd < 0)
      return status(a, pn, E_INVALID_ARG);
    struct afc_handle *h = &a->h[hnum - 1];
    if (op == OP_FILE_CLOSE) {
      close(h->fd);
      h->fd = -1;
      return status(a, pn, E_SUCCESS);
    }
    if (op == OP_FILE_TELL)
      return reply_u64(a, pn, OP_FILE_TELL_RES, h->pos);
    if (op == OP_FILE_SEEK) {
      if (hlen < 24)
        return status(a, pn, E_INVALID_ARG);
      uint64_t whence = get64(hd + 8);
      int64_t delta = (int64_t)get64(hd + 16);
      int64_t base = whence == 0 ? 0 : whence == 1 ? (int64_t)h->pos : (int64_t)h->size;
      if (whence > 2 || base + delta < 0)
        return status(a, pn, E_INVALID_ARG);
      h->pos = (uint64_t)(base + delta);
      return status(a, pn, E_SUCCESS);
    }
    if (hlen < 16)
      return status(a, pn, E_INVALID_ARG);
    uint64_t want = get64(hd + 8);
    if (want > AFC_MAX_READ)
      want = AFC_MAX_READ;
    if (h->zeros && want > h->size - h->pos)
      want = h->pos < h->size ? h->size - h->pos : 0;
    unsigned char *buf = malloc(want ? want : 1);
    if (!buf)
      return status(a, pn, 3);
    size_t got = 0;
    while (got < want) {
      ssize_t r = pread(h->fd, buf + got, (size_t)(want - got), (off_t)(h->pos + got));
      if (r <= 0)
        break;
      got += (size_t)r;
    }
    h->pos += got;
    int rc = reply(a, pn, OP_DATA, NULL, 0, buf, got);
    free(buf);
    return rc;
  }
  case OP_REMOVE_PATH:
  case OP_REMOVE_PATH_AND_CONTENTS: {
    pthread_mutex_lock(&dev->lock);
    struct sim_vnode *n = sim_vfs_lookup(dev->root, path, &err);
    if (n && !n->parent)
      err = E_PERM;
    if (!err && op == OP_REMOVE_PATH && n->type == SIM_VN_DIR) {
      for (struct sim_vnode *ch = n->child; ch; ch = ch->next) {
        if (sim_vfs_visible(ch))
          err = E_UNKNOWN; /* client reports DIR_NOT_EMPTY */
      }
    }
    if (!err)
      remove_node(n);
    pthread_mutex_unlock(&dev->lock);
    sim_log(dev, "AFC REMOVE_PATH %s -> %s", path, err ? "refused" : "removed (overlay)");
    return status(a, pn, (uint64_t)err);
  }
  case OP_GET_DEVINFO: {
    struct strbuf b = {0};
    char num[32];
    uint64_t total = 64ull << 30, avail = 32ull << 30;
    plist_t du = plist_dict_get_item(dev->domains, "com.apple.disk_usage");
    sim_puint(du, "TotalDataCapacity", &total);
    sim_puint(du, "TotalDataAvailable", &avail);
    const char *model = sim_pstr(dev->global, "ProductType");
    sb_kv(&b, "Model", model ? model : "iPhone");
    snprintf(num, sizeof num, "%" PRIu64, total);
    sb_kv(&b, "FSTotalBytes", num);
    snprintf(num, sizeof num, "%" PRIu64, avail);
    sb_kv(&b, "FSFreeBytes", num);
    sb_kv(&b, "FSBlockSize", "4096");
    return send_strbuf(a, pn, &b);
  }
  default: return status(a, pn, E_NOT_SUPPORTED);
  }
}

void sim_afc_serve(struct sim_conn *c)
{
  struct afc a;
  a.c = c;
  /* Requests are answered in order as they arrive; the replies travel on
   * the link while the next request is served (sim_outq_*), so a client
   * that pipelines requests gains as on a device. */
  a.q = sim_outq_start(c);
  struct sim_link_stats since;
  sim_link_snapshot(c->dev, &since);
  for (int i = 0; i < AFC_HANDLES; i++)
    a.h[i].fd = -1;
  for (;;) {
    unsigned char hdr[AFC_HDR];
    if (sim_recv_all(c, hdr, AFC_HDR) != 0)
      break;
    uint64_t entire = get64(hdr + 8), this_len = get64(hdr + 16), pn = get64(hdr + 24),
             op = get64(hdr + 32);
    if (memcmp(hdr, "CFA6LPAA", 8) != 0 || this_len < AFC_HDR || entire < this_len ||
        entire > AFC_MAX_REQ) {
      sim_log(c->dev, "AFC: bad packet header, closing");
      break;
    }
    size_t rest = (size_t)(entire - AFC_HDR);
    unsigned char *body = malloc(rest ? rest : 1);
    if (!body || (rest && sim_recv_all(c, body, rest) != 0)) {
      free(body);
      break;
    }
    if (!a.q)
      sim_latency(c);
    int rc = handle_op(&a, pn, op, body, (size_t)(this_len - AFC_HDR));
    free(body);
    if (rc != 0)
      break;
  }
  sim_outq_stop(a.q);
  sim_link_log(c->dev, &since, "AFC session"); /* the link's share of its time */
  for (int i = 0; i < AFC_HANDLES; i++) {
    if (a.h[i].fd >= 0)
      close(a.h[i].fd);
  }
}
