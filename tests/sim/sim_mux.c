/* sim_mux.c: the usbmuxd front end (plist protocol, version 1). Each client
 * connection carries control requests until it becomes a Listen event
 * stream or, after Connect, a raw pipe to a device port. Replies are XML
 * (libusbmuxd parses only XML) and each packet goes out in one write.
 * A device whose profile says it is paired already has its pair record in
 * the store (made on first use: this host's root/host identity, once per
 * run, and a device certificate over the device's own key), as on a real
 * host that paired before; unpaired devices get one only by pairing. */
#include "sim.h"

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#define MUX_MAX_PACKET (1u << 20)
#define MUX_MAX_RECORDS 64

/* Pair records by PairRecordID: opaque bytes, in memory only. */
static pthread_mutex_t rec_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
  char *id;
  char *data;
  size_t len;
} recs[MUX_MAX_RECORDS];

static int rec_find(const char *id)
{
  for (int i = 0; i < MUX_MAX_RECORDS; i++) {
    if (recs[i].id && strcmp(recs[i].id, id) == 0)
      return i;
  }
  return -1;
}

/* Stores a copy under `id`; the caller holds rec_lock. */
static int rec_save_locked(const char *id, const char *data, size_t len)
{
  int rc = -1;
  int i = rec_find(id);
  if (i < 0) {
    for (i = 0; i < MUX_MAX_RECORDS && recs[i].id; i++) {
    }
  }
  if (i < MUX_MAX_RECORDS) {
    char *copy = malloc(len ? len : 1);
    char *idc = recs[i].id ? recs[i].id : strdup(id);
    if (copy && idc) {
      memcpy(copy, data, len);
      free(recs[i].data);
      recs[i].id = idc;
      recs[i].data = copy;
      recs[i].len = len;
      rc = 0;
    } else {
      free(copy);
      if (idc != recs[i].id)
        free(idc);
    }
  }
  return rc;
}

static int rec_save(const char *id, const char *data, size_t len)
{
  pthread_mutex_lock(&rec_lock);
  int rc = rec_save_locked(id, data, len);
  pthread_mutex_unlock(&rec_lock);
  return rc;
}

/* This host's identity (root + host key and certificates, HostID), made
 * once per run: a real host keeps one per machine. */
static pthread_once_t host_once = PTHREAD_ONCE_INIT;
static struct {
  EVP_PKEY *root_key, *host_key;
  X509 *root_cert, *host_cert;
  char host_id[40];
} host;

static EVP_PKEY *rsa2048(void)
{
  EVP_PKEY *key = NULL;
  EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
  if (kc && EVP_PKEY_keygen_init(kc) == 1 && EVP_PKEY_CTX_set_rsa_keygen_bits(kc, 2048) == 1)
    EVP_PKEY_keygen(kc, &key);
  EVP_PKEY_CTX_free(kc);
  return key;
}

static void host_make(void)
{
  host.root_key = rsa2048();
  host.host_key = rsa2048();
  if (host.root_key && host.host_key) {
    host.root_cert = sim_cert_for(host.root_key, host.root_key, "Root", 0);
    host.host_cert = sim_cert_for(host.host_key, host.root_key, "Host", 0);
  }
  sim_new_uuid(host.host_id, sizeof host.host_id);
}

/* PEM of a certificate or (traditional "RSA PRIVATE KEY") key as plist data. */
static plist_t pem_data(X509 *x, EVP_PKEY *k)
{
  BIO *b = BIO_new(BIO_s_mem());
  plist_t out = NULL;
  if (!b)
    return NULL;
  int ok = x ? PEM_write_bio_X509(b, x)
             : PEM_write_bio_PrivateKey_traditional(b, k, NULL, NULL, 0, NULL, NULL);
  char *data = NULL;
  long n = BIO_get_mem_data(b, &data);
  if (ok == 1 && n > 0)
    out = plist_new_data(data, (uint64_t)n);
  BIO_free(b);
  return out;
}

/* Which devices already had their seeding chance (seeded, or a client
 * saved/deleted their record): a deleted record must stay deleted. */
static bool seed_done[SIM_MAX_DEVICES];

static int dev_slot(const char *udid)
{
  for (int i = 0; udid && i < sim_g.ndevs; i++) {
    if (strcmp(sim_g.devs[i]->udid, udid) == 0)
      return i;
  }
  return -1;
}

/* The record a host that paired with `dev` before would hold: the device
 * trusts its HostID from the start. Called with rec_lock held. */
static void seed_record(struct sim_device *dev)
{
  pthread_once(&host_once, host_make);
  if (!host.root_cert || !host.host_cert)
    return;
  X509 *devc = sim_cert_for(dev->key, host.root_key, "Device", 1);
  plist_t r = plist_new_dict();
  plist_t parts[5] = {pem_data(devc, NULL), pem_data(host.host_cert, NULL),
                      pem_data(NULL, host.host_key), pem_data(host.root_cert, NULL),
                      pem_data(NULL, host.root_key)};
  static const char *const keys[5] = {"DeviceCertificate", "HostCertificate", "HostPrivateKey",
                                      "RootCertificate", "RootPrivateKey"};
  bool ok = devc != NULL;
  for (int i = 0; i < 5; i++) {
    if (parts[i])
      plist_dict_set_item(r, keys[i], parts[i]);
    else
      ok = false;
  }
  X509_free(devc);
  plist_dict_set_item(r, "HostID", plist_new_string(host.host_id));
  plist_dict_set_item(r, "SystemBUID", plist_new_string(sim_g.buid));
  const char *wifi = sim_pstr(dev->global, "WiFiAddress");
  plist_dict_set_item(r, "WiFiMACAddress", plist_new_string(wifi ? wifi : "00:00:00:00:00:00"));
  unsigned char bag[32];
  RAND_bytes(bag, sizeof bag);
  plist_dict_set_item(r, "EscrowBag", plist_new_data((const char *)bag, sizeof bag));
  char *xml = NULL;
  uint32_t len = 0;
  if (ok)
    plist_to_xml(r, &xml, &len);
  plist_free(r);
  if (!xml)
    return;
  pthread_mutex_lock(&dev->lock);
  bool known = false;
  for (int i = 0; i < dev->nhosts; i++)
    known = known || strcmp(dev->hosts[i], host.host_id) == 0;
  if (!known && dev->nhosts < SIM_MAX_HOSTS) {
    dev->hosts[dev->nhosts] = strdup(host.host_id);
    if (dev->hosts[dev->nhosts])
      dev->nhosts++;
  }
  pthread_mutex_unlock(&dev->lock);
  (void)rec_save_locked(dev->udid, xml, len);
  free(xml);
  sim_log(dev, "pair record of a host that paired before: in usbmuxd's store");
}

/* Makes the host identity (two RSA-2048 keys) before "ready" when a device
 * is paired. Made on a client's first ReadPairRecord instead, it could
 * outlast libusbmuxd's 5 s wait for the reply on a loaded machine, and the
 * client saw "no pair record" for a paired device. */
void sim_mux_host_warm(void);
void sim_mux_host_warm(void)
{
  bool any = false;
  for (int i = 0; i < sim_g.ndevs; i++) {
    pthread_mutex_lock(&sim_g.devs[i]->lock);
    any = any || sim_g.devs[i]->trust == SIM_TRUST_PAIRED;
    pthread_mutex_unlock(&sim_g.devs[i]->lock);
  }
  if (any)
    pthread_once(&host_once, host_make);
}

/* Gives a paired profile its record on first use. Called with rec_lock held. */
static void seed_if_paired(const char *udid)
{
  int slot = dev_slot(udid);
  if (slot < 0 || seed_done[slot])
    return;
  seed_done[slot] = true;
  struct sim_device *dev = sim_g.devs[slot];
  pthread_mutex_lock(&dev->lock);
  bool paired = dev->trust == SIM_TRUST_PAIRED;
  pthread_mutex_unlock(&dev->lock);
  if (paired && rec_find(udid) < 0)
    seed_record(dev);
}

/* A client wrote or removed this device's record: no seeding after that. */
static void seed_cancel(const char *udid)
{
  int slot = dev_slot(udid);
  if (slot >= 0)
    seed_done[slot] = true;
}

void sim_mux_records_free(void);
void sim_mux_records_free(void)
{
  pthread_mutex_lock(&rec_lock);
  for (int i = 0; i < MUX_MAX_RECORDS; i++) {
    free(recs[i].id);
    free(recs[i].data);
    recs[i].id = NULL;
    recs[i].data = NULL;
  }
  EVP_PKEY_free(host.root_key);
  EVP_PKEY_free(host.host_key);
  X509_free(host.root_cert);
  X509_free(host.host_cert);
  host.root_key = host.host_key = NULL;
  host.root_cert = host.host_cert = NULL;
  pthread_mutex_unlock(&rec_lock);
}

static int send_result(struct sim_conn *c, uint32_t tag, uint64_t number)
{
  plist_t r = plist_new_dict();
  plist_dict_set_item(r, "MessageType", plist_new_string("Result"));
  plist_dict_set_item(r, "Number", plist_new_uint(number));
  int rc = sim_mux_send(c, r, tag);
  plist_free(r);
  return rc;
}

static struct sim_device *device_by_id(uint64_t id)
{
  for (int i = 0; i < sim_g.ndevs; i++) {
    if (sim_g.devs[i]->id == id)
      return sim_g.devs[i];
  }
  return NULL;
}

static bool is_attached(struct sim_device *dev)
{
  pthread_mutex_lock(&dev->lock);
  bool a = dev->attached;
  pthread_mutex_unlock(&dev->lock);
  return a;
}

/* Connect: on success the socket becomes the device stream. Returns 1 when
 * the connection was handed to a device handler (caller then stops). */
static int do_connect(struct sim_conn *c, plist_t req, uint32_t tag)
{
  uint64_t id = 0, pn = 0;
  sim_puint(req, "DeviceID", &id);
  sim_puint(req, "PortNumber", &pn);
  struct sim_device *dev = device_by_id(id);
  if (!dev || !is_attached(dev))
    return send_result(c, tag, 2) == 0 ? 0 : -1;
  /* libusbmuxd sends htons(port) as the integer */
  uint16_t port = (uint16_t)(((pn & 0xFF) << 8) | ((pn >> 8) & 0xFF));
  if (dev->fault_malformed_mux) {
    /* a usbmux packet header that claims a plist reply (version 1, type 8,
     * the client's tag) around 28 bytes that are not a plist */
    unsigned char g[44];
    uint32_t h[4] = {sizeof g, 1, 8, tag};
    memcpy(g, h, sizeof h);
    memset(g + 16, 0xA5, sizeof g - 16);
    memcpy(g + 16, "GARBAGE!", 8);
    sim_log(dev, "Connect port %u -> garbage (fault: MalformedMux)", port);
    (void)sim_send_raw(c, g, sizeof g);
    return -1;
  }
  char *service = NULL;
  if (port != SIM_LOCKDOWN_PORT) {
    service = sim_port_lookup(dev, port);
    if (!service) {
      sim_log(dev, "Connect port %u refused (no service started there)", port);
      return send_result(c, tag, 3) == 0 ? 0 : -1;
    }
  }
  sim_conn_set_device(c, dev);
  /* a detach racing with us: the cut may have missed this connection */
  if (!is_attached(dev) || send_result(c, tag, 0) != 0) {
    free(service);
    return -1;
  }
  if (service) {
    sim_log(dev, "Connect port %u -> %s", port, service);
    c->service = true;
    sim_service_serve(c, service);
    free(service);
  } else {
    sim_log(dev, "Connect port %u -> lockdownd", port);
    sim_lockdown_serve(c);
  }
  return 1;
}

static int handle(struct sim_conn *c, plist_t req, uint32_t tag)
{
  const char *type = sim_pstr(req, "MessageType");
  const char *prog = sim_pstr(req, "ProgName");
  if (!type)
    return send_result(c, tag, 1);
  if (strcmp(type, "ListDevices") == 0) {
    plist_t r = plist_new_dict(), list = plist_new_array();
    for (int i = 0; i < sim_g.ndevs; i++) {
      if (is_attached(sim_g.devs[i]))
        plist_array_append_item(list, sim_device_attached_plist(sim_g.devs[i]));
    }
    plist_dict_set_item(r, "DeviceList", list);
    int rc = sim_mux_send(c, r, tag);
    plist_free(r);
    return rc;
  }
  if (strcmp(type, "Listen") == 0) {
    sim_log(NULL, "Listen from %s", prog ? prog : "?");
    if (sim_listener_start(c, tag) == 0)
      sim_drain(c);
    return 1;
  }
  if (strcmp(type, "Connect") == 0)
    return do_connect(c, req, tag);
  if (strcmp(type, "ReadBUID") == 0) {
    plist_t r = plist_new_dict();
    plist_dict_set_item(r, "BUID", plist_new_string(sim_g.buid));
    int rc = sim_mux_send(c, r, tag);
    plist_free(r);
    return rc;
  }
  const char *id = sim_pstr(req, "PairRecordID");
  if (strcmp(type, "ReadPairRecord") == 0) {
    plist_t r = NULL;
    pthread_mutex_lock(&rec_lock);
    if (id)
      seed_if_paired(id);
    int i = id ? rec_find(id) : -1;
    if (i >= 0) {
      r = plist_new_dict();
      plist_dict_set_item(r, "PairRecordData", plist_new_data(recs[i].data, recs[i].len));
    }
    pthread_mutex_unlock(&rec_lock);
    if (!r)
      return send_result(c, tag, 2);
    int rc = sim_mux_send(c, r, tag);
    plist_free(r);
    return rc;
  }
  if (strcmp(type, "SavePairRecord") == 0) {
    plist_t d = plist_dict_get_item(req, "PairRecordData");
    if (!id || !d || plist_get_node_type(d) != PLIST_DATA)
      return send_result(c, tag, 22);
    uint64_t len = 0;
    const char *bytes = plist_get_data_ptr(d, &len);
    pthread_mutex_lock(&rec_lock);
    seed_cancel(id);
    pthread_mutex_unlock(&rec_lock);
    if (rec_save(id, bytes, (size_t)len) != 0)
      return send_result(c, tag, 12);
    uint64_t did = 0;
    struct sim_device *dev = sim_puint(req, "DeviceID", &did) ? device_by_id(did) : NULL;
    sim_log(dev, "SavePairRecord %s (%llu bytes)", id, (unsigned long long)len);
    int rc = send_result(c, tag, 0);
    if (dev && strcmp(dev->udid, id) == 0 && is_attached(dev))
      sim_events_broadcast("Paired", dev);
    return rc;
  }
  if (strcmp(type, "DeletePairRecord") == 0) {
    if (!id)
      return send_result(c, tag, 22);
    pthread_mutex_lock(&rec_lock);
    seed_if_paired(id); /* deleting a record the host had from the start */
    int i = rec_find(id);
    seed_cancel(id);
    if (i >= 0) {
      free(recs[i].id);
      free(recs[i].data);
      recs[i].id = NULL;
      recs[i].data = NULL;
    }
    pthread_mutex_unlock(&rec_lock);
    sim_log(NULL, "DeletePairRecord %s -> %s", id, i >= 0 ? "deleted" : "none");
    return send_result(c, tag, i >= 0 ? 0 : 2);
  }
  if (strcmp(type, "ListListeners") == 0) {
    plist_t r = plist_new_dict();
    plist_dict_set_item(r, "ListenerList", plist_new_array());
    int rc = sim_mux_send(c, r, tag);
    plist_free(r);
    return rc;
  }
  sim_log(NULL, "usbmux: unknown MessageType '%s'", type);
  return send_result(c, tag, 1);
}

void sim_mux_serve(struct sim_conn *c)
{
  for (;;) {
    unsigned char hdr[16];
    if (sim_recv_all(c, hdr, 16) != 0)
      return;
    uint32_t h[4];
    for (int i = 0; i < 4; i++)
      h[i] = (uint32_t)hdr[i * 4] | ((uint32_t)hdr[i * 4 + 1] << 8) |
             ((uint32_t)hdr[i * 4 + 2] << 16) | ((uint32_t)hdr[i * 4 + 3] << 24);
    if (h[0] < 16 || h[0] > MUX_MAX_PACKET)
      return;
    size_t plen = h[0] - 16;
    char *payload = malloc(plen ? plen : 1);
    if (!payload || (plen && sim_recv_all(c, payload, plen) != 0)) {
      free(payload);
      return;
    }
    if (h[1] != 1 || h[2] != 8) {
      /* binary protocol (version 0): answer RESULT BADVERSION in kind */
      free(payload);
      unsigned char r[20] = {20, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0};
      memcpy(r + 12, hdr + 12, 4);
      if (sim_send_raw(c, r, sizeof r) != 0)
        return;
      continue;
    }
    plist_t req = NULL;
    if (plen)
      plist_from_memory(payload, (uint32_t)plen, &req);
    free(payload);
    int rc;
    if (!req || plist_get_node_type(req) != PLIST_DICT)
      rc = send_result(c, h[3], 1);
    else
      rc = handle(c, req, h[3]);
    plist_free(req);
    if (rc != 0)
      return;
  }
}
