/* lockdown.h: caseprobe's own lockdown client (device port 62078) for the
 * session: QueryType, GetValue, ValidatePair, StartSession (TLS done here
 * with OpenSSL on the socket, bounded by poll(), with the pair record's host
 * certificate), StartService, StopSession. Messages are a 4-byte big-endian
 * length and a plist; every reply is untrusted: its length is bounded, its
 * types checked, its Request echoed, its Error string mapped to a cp_err
 * with a detail naming the device and the request.
 *
 * Why our own: libimobiledevice 1.3.0's TLS handshake sleeps a fixed 100 ms
 * whenever the device has not answered yet (every session and every TLS
 * service paid it), and its lockdown calls wait a fixed 30 s. Pairing (a
 * device with no pair record) stays with libimobiledevice (device.c).
 * Part of the device layer (map in device_priv.h). */
#ifndef CP_LOCKDOWN_H
#define CP_LOCKDOWN_H

#include "cp_err.h"
#include "stream.h"

#include <plist/plist.h>
#include <stdint.h>

typedef struct cp_lockdown cp_lockdown;

/* The connection failed (timed_out 0: closed or reset; 1: silent past the
 * deadline) during `what`: the device layer tells unplugged, usbmuxd gone,
 * timed out and hung up apart (it asks usbmuxd). Returns the code it set. */
typedef cp_err (*cp_lockdown_lost_fn)(void *ctx, int timed_out, const char *what, cp_error *err);

typedef struct cp_lockdown_opts {
  const char *udid;         /* for the error details */
  const char *label;        /* the Label of every request; NULL = "caseprobe" */
  unsigned reply_ms;        /* the longest wait for one reply (and for the handshake) */
  cp_lockdown_lost_fn lost; /* NULL: CP_E_TIMEOUT / CP_E_PROTOCOL */
  void *lost_ctx;
} cp_lockdown_opts;

/* A client on fd, a connection to port 62078 (the caller keeps fd and
 * closes it after cp_lockdown_free). NULL when out of memory. */
cp_lockdown *cp_lockdown_new(int fd, const cp_lockdown_opts *o);
/* Stops a running session (best effort, no error) and frees the client. */
void cp_lockdown_free(cp_lockdown *l);

/* QueryType: the port must answer "com.apple.mobile.lockdown". */
cp_err cp_lockdown_query_type(cp_lockdown *l, cp_error *err);
/* GetValue; domain and key may be NULL. *out is the Value (plist_free). A
 * reply without a Value is CP_E_DEVICE_VALUE. */
cp_err cp_lockdown_get_value(cp_lockdown *l, const char *domain, const char *key, plist_t *out,
                             cp_error *err);
/* ValidatePair (devices before iOS 7 want it before StartSession). */
cp_err cp_lockdown_validate_pair(cp_lockdown *l, plist_t record, cp_error *err);
/* StartSession with the record's HostID and SystemBUID (system_buid, when
 * not NULL, wins: usbmuxd's own), then TLS when the device asks for it.
 * max_tls1: the device runs iOS < 10. */
cp_err cp_lockdown_start_session(cp_lockdown *l, plist_t record, const char *system_buid,
                                 int max_tls1, cp_error *err);
int cp_lockdown_in_session(const cp_lockdown *l);
/* StartService: *port (1..65535) and whether the service wants TLS. */
cp_err cp_lockdown_start_service(cp_lockdown *l, const char *service, uint16_t *port, int *ssl,
                                 cp_error *err);
/* StopSession, and back to plaintext. */
cp_err cp_lockdown_stop_session(cp_lockdown *l, cp_error *err);

/* The TLS handshake of a connection with the record's host certificate and
 * key (HostCertificate/HostPrivateKey; RootCertificate/RootPrivateKey when a
 * record lacks them), mapped to a cp_err for `what` on device udid. */
cp_err cp_lockdown_tls(cp_stream *s, plist_t record, int max_tls1, unsigned timeout_ms,
                       const char *udid, const char *what, cp_lockdown_lost_fn lost, void *lost_ctx,
                       cp_error *err);

#endif
