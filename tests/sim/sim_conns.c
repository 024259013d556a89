/* sim_conns.c: the registry of live connections. Detaching a device (cable
 * pull, fault, control command) must cut every connection it has, and
 * usbmux listeners must hear Attached/Detached/Paired from any thread. */
#include "sim.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define SIM_MAX_CONNS 1024

static pthread_mutex_t conns_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sim_conn *conns[SIM_MAX_CONNS];
static int nconns;

struct sim_conn *sim_conn_new(int fd)
{
  struct sim_conn *c = calloc(1, sizeof *c);
  if (!c)
    return NULL;
  c->fd = fd;
  pthread_mutex_init(&c->wlock, NULL);
  pthread_mutex_lock(&conns_lock);
  if (nconns == SIM_MAX_CONNS) {
    pthread_mutex_unlock(&conns_lock);
    pthread_mutex_destroy(&c->wlock);
    free(c);
    return NULL;
  }
  conns[nconns++] = c;
  pthread_mutex_unlock(&conns_lock);
  return c;
}

void sim_conn_free(struct sim_conn *c)
{
  if (!c)
    return;
  pthread_mutex_lock(&conns_lock);
  for (int i = 0; i < nconns; i++) {
    if (conns[i] == c) {
      conns[i] = conns[--nconns];
      break;
    }
  }
  pthread_mutex_unlock(&conns_lock);
  if (c->ssl)
    SSL_free(c->ssl);
  close(c->fd);
  pthread_mutex_destroy(&c->wlock);
  free(c);
}

void sim_conn_set_device(struct sim_conn *c, struct sim_device *dev)
{
  pthread_mutex_lock(&conns_lock);
  c->dev = dev;
  pthread_mutex_unlock(&conns_lock);
}

/* shutdown() (not close) so the owning thread sees EOF and frees its own. */
void sim_conns_cut(struct sim_device *dev)
{
  pthread_mutex_lock(&conns_lock);
  for (int i = 0; i < nconns; i++) {
    if (!dev || (conns[i]->dev == dev && !conns[i]->listener))
      shutdown(conns[i]->fd, SHUT_RDWR);
  }
  pthread_mutex_unlock(&conns_lock);
}

int sim_conns_count(void)
{
  pthread_mutex_lock(&conns_lock);
  int n = nconns;
  pthread_mutex_unlock(&conns_lock);
  return n;
}

plist_t sim_device_attached_plist(const struct sim_device *dev)
{
  plist_t d = plist_new_dict();
  plist_t props = plist_new_dict();
  plist_dict_set_item(d, "DeviceID", plist_new_uint(dev->id));
  plist_dict_set_item(d, "MessageType", plist_new_string("Attached"));
  plist_dict_set_item(props, "ConnectionSpeed", plist_new_uint(dev->speed));
  plist_dict_set_item(props, "ConnectionType", plist_new_string("USB"));
  plist_dict_set_item(props, "DeviceID", plist_new_uint(dev->id));
  plist_dict_set_item(props, "LocationID", plist_new_uint(dev->location_id));
  plist_dict_set_item(props, "ProductID", plist_new_uint(dev->product_id));
  plist_dict_set_item(props, "SerialNumber", plist_new_string(dev->udid));
  plist_dict_set_item(d, "Properties", props);
  return d;
}

/* Writes one usbmux plist packet (header + XML) in one write. */
static int mux_packet(struct sim_conn *c, plist_t p, uint32_t tag)
{
  char *xml = NULL;
  uint32_t len = 0;
  plist_to_xml(p, &xml, &len);
  if (!xml)
    return -1;
  size_t total = (size_t)len + 16;
  unsigned char *buf = malloc(total);
  int rc = -1;
  if (buf) {
    uint32_t h[4] = {(uint32_t)total, 1, 8, tag};
    for (int i = 0; i < 4; i++) {
      buf[i * 4] = (unsigned char)h[i];
      buf[i * 4 + 1] = (unsigned char)(h[i] >> 8);
      buf[i * 4 + 2] = (unsigned char)(h[i] >> 16);
      buf[i * 4 + 3] = (unsigned char)(h[i] >> 24);
    }
    memcpy(buf + 16, xml, len);
    pthread_mutex_lock(&c->wlock);
    rc = sim_send_raw(c, buf, total);
    pthread_mutex_unlock(&c->wlock);
    free(buf);
  }
  plist_to_xml_free(xml);
  return rc;
}

int sim_mux_send(struct sim_conn *c, plist_t p, uint32_t tag)
{
  return mux_packet(c, p, tag);
}

/* Events go to every listener, in order, under the registry lock (so an
 * Attached can never overtake the Detached that preceded it). */
void sim_events_broadcast(const char *type, const struct sim_device *dev)
{
  plist_t ev;
  if (strcmp(type, "Attached") == 0) {
    ev = sim_device_attached_plist(dev);
  } else {
    ev = plist_new_dict();
    plist_dict_set_item(ev, "DeviceID", plist_new_uint(dev->id));
    plist_dict_set_item(ev, "MessageType", plist_new_string(type));
  }
  pthread_mutex_lock(&conns_lock);
  for (int i = 0; i < nconns; i++) {
    if (conns[i]->listener)
      mux_packet(conns[i], ev, 0);
  }
  pthread_mutex_unlock(&conns_lock);
  plist_free(ev);
}

/* Registers a listener and sends its Result + one Attached per present
 * device atomically with respect to later events. */
int sim_listener_start(struct sim_conn *c, uint32_t tag)
{
  plist_t res = plist_new_dict();
  plist_dict_set_item(res, "MessageType", plist_new_string("Result"));
  plist_dict_set_item(res, "Number", plist_new_uint(0));
  /* a listener that stops reading must not block event delivery forever */
  struct timeval tv = {2, 0};
  setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  pthread_mutex_lock(&conns_lock);
  int rc = mux_packet(c, res, tag);
  for (int i = 0; rc == 0 && i < sim_g.ndevs; i++) {
    struct sim_device *dev = sim_g.devs[i];
    pthread_mutex_lock(&dev->lock);
    bool att = dev->attached;
    pthread_mutex_unlock(&dev->lock);
    if (att) {
      plist_t ev = sim_device_attached_plist(dev);
      rc = mux_packet(c, ev, 0);
      plist_free(ev);
    }
  }
  c->listener = true;
  pthread_mutex_unlock(&conns_lock);
  plist_free(res);
  return rc;
}

/* Serializes cable pulls and replugs so listeners see the events in the
 * order the state changed (a detach and an attach may race). */
static pthread_mutex_t plug_lock = PTHREAD_MUTEX_INITIALIZER;

void sim_device_detach(struct sim_device *dev, const char *why)
{
  pthread_mutex_lock(&plug_lock);
  pthread_mutex_lock(&dev->lock);
  bool was = dev->attached;
  dev->attached = false;
  pthread_mutex_unlock(&dev->lock);
  if (was) {
    sim_log(dev, "detached (%s)", why);
    sim_conns_cut(dev);
    sim_events_broadcast("Detached", dev);
  }
  pthread_mutex_unlock(&plug_lock);
}

void sim_device_attach(struct sim_device *dev)
{
  pthread_mutex_lock(&plug_lock);
  pthread_mutex_lock(&dev->lock);
  bool was = dev->attached;
  dev->attached = true;
  pthread_mutex_unlock(&dev->lock);
  if (!was) {
    sim_log(dev, "attached");
    sim_events_broadcast("Attached", dev);
  }
  pthread_mutex_unlock(&plug_lock);
}
