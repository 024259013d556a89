/* conn.h: part of the device layer (see device_priv.h for the map). */
#ifndef CP_CONN_H
#define CP_CONN_H

#include "cp_err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct cp_device cp_device;

/* --- a raw service connection (caseprobe's own protocol clients: probes/afc.c) ---
 * StartService on the session (under its lock), then a new usbmux connection
 * to the port, TLS when the service asks for it. The bytes are the caller's
 * to frame and to validate. */
typedef struct cp_conn cp_conn;

cp_err cp_conn_open(cp_device *d, const char *service, cp_conn **out, cp_error *err);
/* Sends all len bytes; CP_E_DETACHED when the device went away, CP_E_PROTOCOL
 * when it closed the connection. */
cp_err cp_conn_send(cp_conn *c, const void *buf, size_t len, cp_error *err);

typedef enum cp_conn_rc {
  CP_CONN_OK,     /* *got (1..len) bytes arrived */
  CP_CONN_IDLE,   /* nothing within timeout_ms */
  CP_CONN_BROKEN, /* closed or failed */
  CP_CONN_STALLED /* TLS: nothing for 10 s, the connection was shut down */
} cp_conn_rc;

/* One receive of at most len bytes, waiting at most timeout_ms (a TLS
 * connection in libimobiledevice 1.3.0 waits until len bytes or failure). */
cp_conn_rc cp_conn_recv(cp_conn *c, void *buf, size_t len, unsigned timeout_ms, size_t *got);
/* 1 when the service runs over TLS (a receive then waits for len bytes). */
int cp_conn_is_tls(const cp_conn *c);
void cp_conn_close(cp_conn *c);
cp_device *cp_conn_device(const cp_conn *c);

#endif
