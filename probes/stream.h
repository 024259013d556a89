/* stream.h: a byte stream on a device connection's socket, plaintext or TLS
 * (OpenSSL, the host as client), where every wait is a poll() bounded by the
 * caller's timeout. It replaces libimobiledevice 1.3.0's connection I/O,
 * whose TLS handshake sleeps a fixed 100 ms when the device's answer has not
 * arrived yet and whose TLS reads ignore receive timeouts. Part of the device
 * layer (map in device_priv.h); used by lockdown.c and conn.c. */
#ifndef CP_STREAM_H
#define CP_STREAM_H

#include <stddef.h>

typedef struct cp_stream cp_stream;

typedef enum cp_stream_rc {
  CP_STREAM_OK,          /* bytes moved / handshake done */
  CP_STREAM_IDLE,        /* nothing within the timeout */
  CP_STREAM_BROKEN,      /* the peer closed the connection, or the socket failed */
  CP_STREAM_TLS_REFUSED, /* handshake: the peer answered with a TLS alert */
  CP_STREAM_TLS_BAD      /* handshake: the peer's bytes were not TLS (or none we accept) */
} cp_stream_rc;

/* Client credentials and limits of a TLS handshake (PEM, from a pair record). */
typedef struct cp_tls_opts {
  const char *cert_pem;
  size_t cert_len;
  const char *key_pem;
  size_t key_len;
  int max_tls1; /* devices before iOS 10 speak TLS 1.0 only */
} cp_tls_opts;

/* A stream on fd (made non-blocking). The caller keeps the descriptor: it
 * is neither closed nor shut down by cp_stream_free. NULL when out of memory. */
cp_stream *cp_stream_new(int fd);
/* Frees the stream (and its TLS state, without a close_notify). */
void cp_stream_free(cp_stream *s);

/* The TLS client handshake within timeout_ms; on failure why (may be NULL)
 * holds OpenSSL's reason. TLS 1.0 and up, security level 0 (old devices sign
 * with SHA-1), the device's self-signed certificate is not verified: the
 * device is known by the usbmux connection, as for every host of it. */
cp_stream_rc cp_stream_tls_start(cp_stream *s, const cp_tls_opts *o, unsigned timeout_ms, char *why,
                                 size_t why_len);
/* Back to plaintext (lockdown StopSession): sends close_notify, does not
 * wait for the peer's. */
void cp_stream_tls_stop(cp_stream *s, unsigned timeout_ms);
int cp_stream_is_tls(const cp_stream *s);

/* Sends all len bytes; IDLE when no byte could go out for timeout_ms. */
cp_stream_rc cp_stream_send(cp_stream *s, const void *buf, size_t len, unsigned timeout_ms);
/* One receive of 1..len bytes (*got), waiting at most timeout_ms. */
cp_stream_rc cp_stream_recv(cp_stream *s, void *buf, size_t len, unsigned timeout_ms, size_t *got);
/* Exactly len bytes, all of them within timeout_ms. */
cp_stream_rc cp_stream_recv_all(cp_stream *s, void *buf, size_t len, unsigned timeout_ms);

#endif
