/* sim_io.c: byte I/O of one connection, plaintext or TLS (device = TLS
 * server), with the device's link model applied to everything the device
 * sends: a virtual clock shared by all of the device's connections gives a
 * token-bucket-like rate, and DetachAfterBytes cuts the cable mid-stream.
 *
 * The output queue (sim_outq_*) is the link as a pipe: a reply is charged
 * its bytes on the device's shared clock when the server produces it and
 * becomes visible to the client `latency` after it left, while the server
 * goes on with the next request. So latency is time in flight, as on a real
 * cable, and a client that keeps several requests in flight gains from it;
 * a client that waits for each reply pays one round trip per request.
 *
 * Link statistics: every charge adds its bytes and busy time to the
 * device's counters, and the time the link sat idle before it (since the
 * previous byte crossed); sim_link_log prints them for a span, e.g. one AFC
 * session, so a bench can tell the link's share of a transfer's time. */
#include "sim.h"

#include <errno.h>
#include <math.h>
#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* One read or write of at most n bytes, plaintext or TLS: exactly one of
 * rbuf (read into) and wbuf (write from) is set. Returns the bytes moved, 0
 * to try again (EINTR), -1 at the end of the stream or on an error. */
static ssize_t io_once(struct sim_conn *c, void *rbuf, const void *wbuf, size_t n)
{
  if (c->ssl) {
    int chunk = n > (1u << 30) ? (1 << 30) : (int)n;
    int r = rbuf ? SSL_read(c->ssl, rbuf, chunk) : SSL_write(c->ssl, wbuf, chunk);
    return r <= 0 ? -1 : r;
  }
  ssize_t r = rbuf ? read(c->fd, rbuf, n) : write(c->fd, wbuf, n);
  if (r < 0 && errno == EINTR)
    return 0;
  return r <= 0 ? -1 : r;
}

/* Moves all n bytes (see io_once for rbuf/wbuf); 0 when done, -1 when not. */
static int io_all(struct sim_conn *c, unsigned char *rbuf, const unsigned char *wbuf, size_t n)
{
  size_t done = 0;
  while (done < n) {
    ssize_t r = io_once(c, rbuf ? rbuf + done : NULL, wbuf ? wbuf + done : NULL, n - done);
    if (r < 0)
      return -1;
    done += (size_t)r;
  }
  return 0;
}

int sim_recv_all(struct sim_conn *c, void *buf, size_t n)
{
  return io_all(c, buf, NULL, n);
}

/* Writes without the link model (usbmux control replies and events). */
int sim_send_raw(struct sim_conn *c, const void *buf, size_t n)
{
  return io_all(c, NULL, buf, n);
}

/* Moves the device's clock on by n bytes that are ready at `now`, counting
 * them and the link's idle time before them; returns when they have
 * crossed. Holds link_lock. */
static double link_advance(struct sim_device *dev, double now, size_t n)
{
  struct sim_link_stats *ls = &dev->link_stats;
  if (dev->link_free_at > 0 && now > dev->link_free_at)
    ls->idle += now - dev->link_free_at;
  double start = dev->link_free_at > now ? dev->link_free_at : now;
  double busy = (double)n / dev->bandwidth;
  dev->link_free_at = start + busy;
  ls->bytes += n;
  ls->busy += busy;
  return dev->link_free_at;
}

void sim_link_snapshot(struct sim_device *dev, struct sim_link_stats *out)
{
  memset(out, 0, sizeof *out);
  if (!dev)
    return;
  pthread_mutex_lock(&dev->link_lock);
  *out = dev->link_stats;
  pthread_mutex_unlock(&dev->link_lock);
  out->at = sim_now();
}

void sim_link_log(struct sim_device *dev, const struct sim_link_stats *since, const char *what)
{
  struct sim_link_stats now;
  if (!dev || dev->bandwidth <= 0)
    return;
  sim_link_snapshot(dev, &now);
  double span = now.at - since->at, busy = now.busy - since->busy;
  sim_log(dev, "link: %s: %llu bytes, busy %.3f s of %.3f s (%.1f %%), idle gaps %.3f s", what,
          (unsigned long long)(now.bytes - since->bytes), busy, span,
          span > 0 ? 100.0 * busy / span : 0.0, now.idle - since->idle);
}

/* Pays for n bytes on the device's link: the sender sleeps until the
 * virtual clock says the bytes have crossed the cable. Tiny debts are not
 * slept at once but accumulate on the clock, so the rate stays right. */
static void link_pay(struct sim_device *dev, size_t n)
{
  if (!dev || dev->bandwidth <= 0)
    return;
  pthread_mutex_lock(&dev->link_lock);
  double now = sim_now();
  double done = link_advance(dev, now, n);
  pthread_mutex_unlock(&dev->link_lock);
  if (done - now > 0.0002)
    sim_sleep(done - now);
}

static size_t detach_budget(struct sim_conn *c, size_t n, bool *fire);

int sim_send(struct sim_conn *c, const void *buf, size_t n)
{
  bool fire = false;
  size_t allow = detach_budget(c, n, &fire);
  link_pay(c->dev, allow);
  if (allow > 0 && sim_send_raw(c, buf, allow) != 0)
    return -1;
  if (fire) {
    sim_device_detach(c->dev, "fault: DetachAfterBytes");
    return -1;
  }
  return 0;
}

void sim_latency(struct sim_conn *c)
{
  if (c->dev && c->dev->latency_us > 0)
    sim_sleep((double)c->dev->latency_us / 1e6);
}

/* Reads one length-prefixed plist (lockdown framing: 4-byte big-endian
 * length, then XML or binary). 0 ok, -1 closed, -2 malformed. */
int sim_plist_recv(struct sim_conn *c, plist_t *out)
{
  unsigned char hdr[4];
  *out = NULL;
  if (sim_recv_all(c, hdr, 4) != 0)
    return -1;
  uint32_t len = ((uint32_t)hdr[0] << 24) | ((uint32_t)hdr[1] << 16) | ((uint32_t)hdr[2] << 8) |
                 (uint32_t)hdr[3];
  if (len == 0 || len > SIM_MAX_PLIST)
    return -2;
  char *body = malloc(len);
  if (!body)
    return -1;
  if (sim_recv_all(c, body, len) != 0) {
    free(body);
    return -1;
  }
  plist_from_memory(body, len, out);
  free(body);
  if (!*out)
    return -2;
  if (plist_get_node_type(*out) != PLIST_DICT) {
    plist_free(*out);
    *out = NULL;
    return -2;
  }
  return 0;
}

/* Sends one plist, length and body in one write (clients read the length
 * with a single recv). */
int sim_plist_send(struct sim_conn *c, plist_t p, bool binary)
{
  char *body = NULL;
  uint32_t len = 0;
  int rc = -1;
  if (binary)
    plist_to_bin(p, &body, &len);
  else
    plist_to_xml(p, &body, &len);
  if (!body)
    return -1;
  unsigned char *buf = malloc((size_t)len + 4);
  if (!buf)
    goto out;
  buf[0] = (unsigned char)(len >> 24);
  buf[1] = (unsigned char)(len >> 16);
  buf[2] = (unsigned char)(len >> 8);
  buf[3] = (unsigned char)len;
  memcpy(buf + 4, body, len);
  rc = sim_send(c, buf, (size_t)len + 4);
  free(buf);
out:
  if (binary)
    plist_to_bin_free(body);
  else
    plist_to_xml_free(body);
  return rc;
}

/* 48 bytes that are neither a plist frame nor an AFC packet: a frame
 * length of 44 followed by bytes no parser accepts. */
int sim_send_garbage(struct sim_conn *c)
{
  unsigned char g[48];
  memset(g, 0xA5, sizeof g);
  g[0] = 0;
  g[1] = 0;
  g[2] = 0;
  g[3] = 44;
  memcpy(g + 4, "GARBAGE!", 8);
  return sim_send(c, g, sizeof g);
}

/* Reads and discards until the peer closes (or the cable is cut). */
void sim_drain(struct sim_conn *c)
{
  char buf[4096];
  while (io_once(c, buf, NULL, sizeof buf) >= 0)
    ;
}

int sim_tls_accept(struct sim_conn *c)
{
  c->ssl = SSL_new(c->dev->tls);
  if (!c->ssl)
    return -1;
  SSL_set_fd(c->ssl, c->fd);
  int r = SSL_accept(c->ssl);
  if (r != 1) {
    unsigned long e = ERR_get_error();
    char msg[256];
    ERR_error_string_n(e, msg, sizeof msg);
    sim_log(c->dev, "TLS handshake failed: %s", e ? msg : "peer closed");
    ERR_clear_error();
    SSL_free(c->ssl);
    c->ssl = NULL;
    return -1;
  }
  sim_log(c->dev, "TLS up: %s %s", SSL_get_version(c->ssl), SSL_get_cipher_name(c->ssl));
  return 0;
}

/* The client's StopSession dance: it sends one close_notify and does not
 * wait for ours. Consume records until that close_notify (or EOF), never
 * call SSL_shutdown (our alert would land in its plaintext stream), then
 * drop back to plaintext on the same fd. */
void sim_tls_stop(struct sim_conn *c)
{
  char buf[512];
  if (!c->ssl)
    return;
  for (;;) {
    int r = SSL_read(c->ssl, buf, sizeof buf);
    if (r > 0)
      continue;
    break;
  }
  ERR_clear_error();
  SSL_free(c->ssl);
  c->ssl = NULL;
}

/* ------------------------------------------------------------ output queue */

/* Replies produced but not yet visible stop the server beyond this. */
#define SIM_OUTQ_MAX_BYTES (8u * 1024u * 1024u)

struct outq_item {
  struct outq_item *next;
  unsigned char *buf;
  size_t allow; /* bytes that cross the cable (DetachAfterBytes may cut) */
  bool fire;    /* cut the cable after them */
  double visible_at;
};

struct sim_outq {
  struct sim_conn *c;
  pthread_t th;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  struct outq_item *head, *tail;
  size_t queued;
  bool closing, dead;
};

/* Charges n bytes on the device's shared clock without sleeping; returns
 * when their last byte has crossed. */
static double link_charge(struct sim_device *dev, size_t n)
{
  double now = sim_now();
  if (!dev || dev->bandwidth <= 0)
    return now;
  pthread_mutex_lock(&dev->link_lock);
  double done = link_advance(dev, now, n);
  pthread_mutex_unlock(&dev->link_lock);
  return done;
}

/* DetachAfterBytes: how many of n bytes may still cross, and whether the
 * cable is cut after them. */
static size_t detach_budget(struct sim_conn *c, size_t n, bool *fire)
{
  struct sim_device *dev = c->dev;
  size_t allow = n;
  *fire = false;
  if (dev && c->service && dev->fault_detach_after) {
    pthread_mutex_lock(&dev->lock);
    if (!dev->detach_fired) {
      uint64_t left = dev->fault_detach_after > dev->service_bytes
                          ? dev->fault_detach_after - dev->service_bytes
                          : 0;
      if (n >= left) {
        allow = (size_t)left;
        *fire = true;
        dev->detach_fired = true;
      }
      dev->service_bytes += allow;
    }
    pthread_mutex_unlock(&dev->lock);
  }
  return allow;
}

/* The sender: writes each reply once its visible time has come, in order. */
static void *outq_main(void *arg)
{
  struct sim_outq *q = arg;
  pthread_mutex_lock(&q->lock);
  for (;;) {
    while (!q->head && !q->closing)
      pthread_cond_wait(&q->cond, &q->lock);
    struct outq_item *it = q->head;
    if (!it)
      break;
    pthread_mutex_unlock(&q->lock);
    double wait = it->visible_at - sim_now();
    if (wait > 0.0001 && !q->dead)
      sim_sleep(wait);
    bool ok = !q->dead && (it->allow == 0 || sim_send_raw(q->c, it->buf, it->allow) == 0);
    if (it->fire)
      sim_device_detach(q->c->dev, "fault: DetachAfterBytes");
    pthread_mutex_lock(&q->lock);
    if (!ok || it->fire)
      q->dead = true;
    q->head = it->next;
    if (!q->head)
      q->tail = NULL;
    q->queued -= it->allow;
    pthread_cond_broadcast(&q->cond);
    free(it->buf);
    free(it);
  }
  pthread_mutex_unlock(&q->lock);
  return NULL;
}

struct sim_outq *sim_outq_start(struct sim_conn *c)
{
  if (c->ssl) /* one TLS object must not be read and written from two threads */
    return NULL;
  struct sim_outq *q = calloc(1, sizeof *q);
  if (!q)
    return NULL;
  q->c = c;
  pthread_mutex_init(&q->lock, NULL);
  pthread_cond_init(&q->cond, NULL);
  if (pthread_create(&q->th, NULL, outq_main, q) != 0) {
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->cond);
    free(q);
    return NULL;
  }
  return q;
}

int sim_outq_send(struct sim_outq *q, unsigned char *buf, size_t n)
{
  struct outq_item *it = calloc(1, sizeof *it);
  if (!it) {
    free(buf);
    return -1;
  }
  it->buf = buf;
  pthread_mutex_lock(&q->lock);
  while (q->queued >= SIM_OUTQ_MAX_BYTES && !q->dead)
    pthread_cond_wait(&q->cond, &q->lock);
  if (q->dead) {
    pthread_mutex_unlock(&q->lock);
    free(buf);
    free(it);
    return -1;
  }
  /* Charged in production order, so replies of one connection stay in
   * order and all connections of the device share its bandwidth. */
  it->allow = detach_budget(q->c, n, &it->fire);
  double lat = q->c->dev ? (double)q->c->dev->latency_us / 1e6 : 0.0;
  it->visible_at = link_charge(q->c->dev, it->allow) + lat;
  if (q->tail)
    q->tail->next = it;
  else
    q->head = it;
  q->tail = it;
  q->queued += it->allow;
  pthread_cond_broadcast(&q->cond);
  pthread_mutex_unlock(&q->lock);
  return 0;
}

void sim_outq_stop(struct sim_outq *q)
{
  if (!q)
    return;
  pthread_mutex_lock(&q->lock);
  q->closing = true;
  pthread_cond_broadcast(&q->cond);
  pthread_mutex_unlock(&q->lock);
  pthread_join(q->th, NULL);
  pthread_mutex_destroy(&q->lock);
  pthread_cond_destroy(&q->cond);
  free(q);
}
