/* conn.h: part of the device layer (see device_priv.h for the map). */
#ifndef CP_CONN_H
#define CP_CONN_H

#include "cp_err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct cp_device cp_device;

/* --- a raw service connection (caseprobe's own protocol clients: afc.c,
 * diag.c, device_syslog.c, device_mover.c) ---
 * StartService on the session (under its lock), then a new usbmux connection
 * to the port, TLS when the service asks for it (OpenSSL on the socket, the
 * session's pair record). The bytes are the caller's to frame and to
 * validate. One thread may send while another receives. */
typedef struct cp_conn cp_conn;

cp_err cp_conn_open(cp_device *d, const char *service, cp_conn **out, cp_error *err);
/* Sends all len bytes; CP_E_DETACHED when the device went away, CP_E_PROTOCOL
 * when it closed the connection, CP_E_TIMEOUT when it took no byte for 30 s. */
cp_err cp_conn_send(cp_conn *c, const void *buf, size_t len, cp_error *err);

typedef enum cp_conn_rc {
  CP_CONN_OK,     /* *got (1..len) bytes arrived */
  CP_CONN_IDLE,   /* nothing within timeout_ms */
  CP_CONN_BROKEN, /* closed or failed */
  CP_CONN_STALLED /* no longer returned (was: the TLS watchdog fired); kept for callers */
} cp_conn_rc;

/* One receive of 1..len bytes, waiting at most timeout_ms, TLS or not (a
 * TLS receive returns what one record holds; it no longer waits for len). */
cp_conn_rc cp_conn_recv(cp_conn *c, void *buf, size_t len, unsigned timeout_ms, size_t *got);
/* 1 when the service runs over TLS. */
int cp_conn_is_tls(const cp_conn *c);
void cp_conn_close(cp_conn *c);
cp_device *cp_conn_device(const cp_conn *c);

#endif
