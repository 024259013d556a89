/*
 * Inside the device session (probes only, not a public header): the session
 * object and the helpers the files of the device layer share. The layer:
 *   device.c          listing, peek, pairing-error mapping, transport failures
 *   device_session.c  session open/close, lockdown values, StartService, the
 *                     pair record (pairing itself through libimobiledevice)
 *   lockdown.c        caseprobe's own lockdown client (framing, session, TLS), lockdown.h
 *   stream.c          socket byte stream, plaintext or TLS (OpenSSL), poll() deadlines, stream.h
 *   sock_os.c         the socket calls (poll, non-blocking send/recv), sock_os.h
 *   device_mover.c    com.apple.crashreportmover (over conn.c)
 *   device_apps.c     installation_proxy Browse (libimobiledevice)
 *   diag.c            diagnostics_relay (own client, own deadline)
 *   conn.c            raw service connections (TLS through stream.c), conn.h
 *   afc.c             caseprobe's AFC client over conn.c, afc.h
 *   device_syslog.c   com.apple.syslog_relay (over conn.c), device_syslog.h
 *   device_watch.c    attach/detach events, device_watch.h
 * Only device*.c and conn.c include libimobiledevice headers.
 */
#ifndef CP_DEVICE_PRIV_H
#define CP_DEVICE_PRIV_H

#include "device.h"
#include "lockdown.h"

#include <libimobiledevice/libimobiledevice.h>
#include <libimobiledevice/lockdown.h>
#include <plist/plist.h>
#include <pthread.h>

/* libimobiledevice 1.3.0 waits 30 s for a reply (pairing, installation
 * proxy); a call that failed after most of that is a timeout, not a bad answer. */
#define CP_LIB_RECV_TIMEOUT_S 30.0
/* Our own lockdown client's longest wait for one reply or handshake. */
#define CP_LOCKDOWN_REPLY_MS 15000u
/* A service's TLS handshake (conn.c). */
#define CP_SERVICE_TLS_MS 10000u

struct cp_device {
  idevice_t idev;
  idevice_connection_t ldc; /* the lockdown connection (its socket is ld's) */
  cp_lockdown *ld;
  plist_t pair;         /* usbmuxd's pair record of this host and device */
  int max_tls1;         /* iOS < 10: TLS 1.0 only */
  pthread_mutex_t lock; /* guards ld */
  char udid[64];
  char product_type[64];
  char product_version[32];
  char name[256];
  char label[64];
};

/* Monotonic seconds. */
double cp_dev_now_s(void);
/* A failed transfer, told apart: unplugged, usbmuxd gone, timed out, nonsense. */
cp_err cp_dev_transport_failure(const char *udid, double started, cp_error *err, const char *what);
/* The same for our own clients, which know whether the peer went silent:
 * ctx is the UDID (a cp_lockdown_lost_fn). */
cp_err cp_dev_lost(void *udid, int timed_out, const char *what, cp_error *err);
/* Maps a libimobiledevice lockdown error (pairing). */
cp_err cp_dev_map_lockdown(lockdownd_error_t e, const char *udid, double started, cp_error *err,
                           const char *what);
/* usbmuxd's pair record for udid (plist_free), or NULL when it has none. */
plist_t cp_dev_read_pair_record(const char *udid);
/* Our lockdown client on a new connection to port 62078, after QueryType;
 * *conn is the connection (idevice_disconnect after cp_lockdown_free). */
cp_err cp_dev_lockdown_connect(idevice_t idev, const char *udid, const char *label,
                               idevice_connection_t *conn, cp_lockdown **ld, cp_error *err);
/* Opens the session on ld: ProductVersion, the pair record (pairing through
 * libimobiledevice when there is none and pair is set), ValidatePair for iOS
 * < 7, StartSession with TLS. *record gets the record (plist_free). */
cp_err cp_dev_start_session(idevice_t idev, cp_lockdown *ld, const char *udid, const char *label,
                            int pair, plist_t *record, int *max_tls1, cp_error *err);
/* GetValue through ld as JSON (a cp_device_get_value without the device). */
cp_err cp_dev_value_json(cp_lockdown *ld, const char *udid, const char *domain, const char *key,
                         json_t **out, cp_error *err);
/* StartService on the session: *port and whether the service runs over TLS. */
cp_err cp_dev_start_service(cp_device *d, const char *name, uint16_t *port, int *ssl,
                            cp_error *err);

#endif
