/* sim.h: shared types of caseprobe-sim, the protocol-faithful iPhone/iPad
 * simulator (usbmuxd front end + lockdownd + services behind it). One device
 * per profile folder (see tests/sim/README.md and PROFILE-FORMAT.md). The
 * simulator never writes into a profile: everything a client changes lives
 * in the device's in-memory state below. */
#ifndef CP_SIM_H
#define CP_SIM_H

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <plist/plist.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SIM_MAX_DEVICES 32
#define SIM_MAX_HOSTS 16
#define SIM_MAX_PORTS 512
#define SIM_LOCKDOWN_PORT 62078
#define SIM_MAX_PLIST (4u * 1024 * 1024) /* largest request plist accepted */

enum sim_trust { SIM_TRUST_PAIRED, SIM_TRUST_PENDING, SIM_TRUST_DENIED };

enum sim_vtype { SIM_VN_DIR, SIM_VN_REG, SIM_VN_LNK };

/* One node of the AFC view of crash/ (+ crash_pending/). Removal and the
 * crash mover only flip flags: the profile on disk is never touched. */
struct sim_vnode {
  char *name;
  enum sim_vtype type;
  char *real_path; /* regular files: where the bytes are */
  char *link_target;
  uint64_t size;
  int64_t mtime_ns;
  bool removed;
  bool pending; /* from crash_pending/, invisible until the mover runs */
  bool held;    /* from sysdiagnose/, invisible until the button press (sim_sysdiag.c) */
  struct sim_vnode *parent, *child, *next;
  /* folders: the children in list (name) order, for a binary search by
   * name; rebuilt when a child is added (sim_vfs.c) */
  struct sim_vnode **idx;
  size_t nidx;
  bool idx_stale;
};

struct sim_port {
  uint16_t port;
  char *service;
};

/* What a device's link did: bytes charged, seconds busy carrying them,
 * seconds idle between a byte and the next (a client's round trips, its
 * own slowness), and when it was counted. */
struct sim_link_stats {
  uint64_t bytes;
  double busy, idle, at;
};

struct sim_device {
  int index;
  uint32_t id; /* usbmux DeviceID, >= 1 */
  char *dir;
  char *udid;
  uint32_t product_id, location_id;
  uint64_t speed;
  plist_t global;  /* lockdown global domain (dict) */
  plist_t domains; /* dict: domain name -> dict */
  plist_t ioreg;   /* dict: file stem -> entry dict */
  plist_t diag_all, gestalt, apps, service_ssl;
  char *syslog_path;
  /* knobs */
  double bandwidth; /* bytes/s, 0 = unlimited */
  long latency_us;
  long trust_after_s;
  uint64_t fault_detach_after; /* 0 = off */
  char *fault_stall, *fault_malformed_service;
  bool fault_malformed_lockdown;
  bool fault_malformed_mux; /* usbmuxd answers Connect with a broken packet */
  bool fault_malformed_tls; /* StartSession is followed by junk, not a TLS handshake */
  int fault_hostile_afc;    /* sim_hostile.c: 1 all hostile names, 2 only absurd sizes and counts */
  plist_t fault_refuse_open; /* dict: crash-log path -> AFC status its FILE_OPEN gets */
  /* identity made at start */
  EVP_PKEY *key;
  char *pubkey_pem; /* PKCS#1 "RSA PUBLIC KEY" */
  size_t pubkey_pem_len;
  SSL_CTX *tls;
  /* mutable state, under lock */
  pthread_mutex_t lock;
  bool attached;
  enum sim_trust trust;
  bool locked;
  time_t first_pair; /* for TrustAfterSeconds; 0 = no Pair seen yet */
  char *hosts[SIM_MAX_HOSTS];
  int nhosts;
  char *device_name; /* SetValue DeviceName, NULL = from global.plist */
  char *pair_record;
  size_t pair_record_len;
  struct sim_port ports[SIM_MAX_PORTS];
  int nports;
  uint16_t next_port;
  uint64_t service_bytes;
  bool detach_fired;
  struct sim_vnode *root;
  /* link model: a virtual clock shared by the device's connections */
  pthread_mutex_t link_lock;
  double link_free_at;
  struct sim_link_stats link_stats; /* under link_lock */
};

/* One accepted connection. It belongs to a device after usbmux Connect. */
struct sim_conn {
  int fd;
  SSL *ssl;
  struct sim_device *dev;
  bool service; /* bytes count towards DetachAfterBytes */
  bool listener;
  pthread_mutex_t wlock; /* listeners get events from many threads */
};

struct sim_globals {
  struct sim_device *devs[SIM_MAX_DEVICES];
  int ndevs;
  char buid[40];
  double default_bandwidth;
  long default_latency_us;
};
extern struct sim_globals sim_g;

/* sim_sysdiag.c: the sysdiagnose service model (profile sysdiagnose/ ->
 * held under DiagnosticLogs/sysdiagnose/ until the simulated button press) */
int sim_sysdiag_load(struct sim_device *dev, const char *profile_dir);
/* The button press (control command `sysdiagnose UDID`): the control reply. */
char *sim_sysdiag_press(struct sim_device *dev);

/* sim_log.c */
void sim_log(const struct sim_device *dev, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
double sim_now(void);
void sim_sleep(double seconds);

/* sim_io.c: reads and writes through TLS when on; writes pay the link */
int sim_recv_all(struct sim_conn *c, void *buf, size_t n);
int sim_send(struct sim_conn *c, const void *buf, size_t n);
int sim_send_raw(struct sim_conn *c, const void *buf, size_t n);
void sim_latency(struct sim_conn *c);
/* Link utilisation (sim_io.c): a snapshot of the device's counters, and a
 * log line of what the link did since one ("link: ... busy x s of y s"). */
void sim_link_snapshot(struct sim_device *dev, struct sim_link_stats *out);
void sim_link_log(struct sim_device *dev, const struct sim_link_stats *since, const char *what);
/* The link as a pipe (sim_io.c): replies are charged on the device's clock
 * and become visible `latency` after they left, while the server goes on.
 * start: NULL when the connection cannot use one (TLS); send takes buf. */
struct sim_outq;
struct sim_outq *sim_outq_start(struct sim_conn *c);
int sim_outq_send(struct sim_outq *q, unsigned char *buf, size_t n);
void sim_outq_stop(struct sim_outq *q);
int sim_plist_recv(struct sim_conn *c, plist_t *out);
int sim_plist_send(struct sim_conn *c, plist_t p, bool binary);
int sim_send_garbage(struct sim_conn *c);
void sim_drain(struct sim_conn *c);
int sim_tls_accept(struct sim_conn *c);
void sim_tls_stop(struct sim_conn *c);

/* sim_conns.c: every live connection, so detach and exit can cut them */
struct sim_conn *sim_conn_new(int fd);
void sim_conn_free(struct sim_conn *c);
void sim_conn_set_device(struct sim_conn *c, struct sim_device *dev);
void sim_conns_cut(struct sim_device *dev); /* NULL = all */
int sim_conns_count(void);
void sim_events_broadcast(const char *type, const struct sim_device *dev);
void sim_device_detach(struct sim_device *dev, const char *why);
void sim_device_attach(struct sim_device *dev);
plist_t sim_device_attached_plist(const struct sim_device *dev);
int sim_mux_send(struct sim_conn *c, plist_t p, uint32_t tag);
int sim_listener_start(struct sim_conn *c, uint32_t tag);

/* sim_profile.c */
struct sim_device *sim_profile_load(const char *dir, int index, char *err, size_t errlen);
void sim_device_free(struct sim_device *dev);
const char *sim_trust_name(enum sim_trust t);

/* sim_keys.c */
/* Loads <dir>/device_key.pem when the profile has one, else makes a key. */
int sim_keys_make(struct sim_device *dev, const char *dir);
/* A certificate over `pub` signed by `signer` (the same key: self-signed),
 * subject and issuer CN `cn`, valid from a day ago for ten years. */
X509 *sim_cert_for(EVP_PKEY *pub, EVP_PKEY *signer, const char *cn, long serial);

/* sim_vfs.c */
struct sim_vnode *sim_vfs_load(const char *crash_dir, const char *pending_dir);
void sim_vfs_free(struct sim_vnode *n);
struct sim_vnode *sim_vfs_lookup(struct sim_vnode *root, const char *path, int *err);
bool sim_vfs_visible(const struct sim_vnode *n);
int sim_vfs_move_pending(struct sim_vnode *root);
/* Adds the files of host folder `host_dir` under `subdir` ("a/b", folders
 * made visible as needed), each flagged held; 0 or -1. A missing host folder
 * adds nothing. */
int sim_vfs_graft_held(struct sim_vnode *root, const char *subdir, const char *host_dir);
/* Makes every held node visible; returns how many files appeared. */
int sim_vfs_release_held(struct sim_vnode *root);

/* sim_mux.c, sim_lockdown.c, services */
void sim_mux_serve(struct sim_conn *c);
void sim_lockdown_serve(struct sim_conn *c);
/* A fresh random UUID, upper-case hex with dashes (HostID, SystemBUID). */
void sim_new_uuid(char *out, size_t len);
uint16_t sim_port_register(struct sim_device *dev, const char *service);
char *sim_port_lookup(struct sim_device *dev, uint16_t port);
bool sim_service_ssl(struct sim_device *dev, const char *service);
void sim_service_serve(struct sim_conn *c, const char *service);
void sim_afc_serve(struct sim_conn *c);
void sim_mover_serve(struct sim_conn *c);
void sim_syslog_serve(struct sim_conn *c);
void sim_diag_serve(struct sim_conn *c);
void sim_instproxy_serve(struct sim_conn *c);

/* sim_ctl.c */
int sim_ctl_client(const char *path, int argc, char **argv);
void sim_ctl_handle_line(const char *line, char **reply);
struct sim_device *sim_find_device(const char *udid);

/* plist helpers (sim_log.c) */
const char *sim_pstr(plist_t dict, const char *key);
bool sim_puint(plist_t dict, const char *key, uint64_t *out);

/* sim_hostile.c (Faults.HostileAFC): adds the hostile names to a root
 * READ_DIR; stat answers 1 (a file of *size bytes of zeros), -1 (vanished)
 * or 0 (not a hostile name). */
void sim_hostile_list(struct sim_device *dev, const char *dir,
                      void (*add)(void *ctx, const char *name), void *ctx);
int sim_hostile_stat(struct sim_device *dev, const char *path, uint64_t *size);

#endif
