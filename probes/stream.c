/* stream.c: see stream.h. One mutex per stream guards the SSL object (one
 * thread may send while another receives; OpenSSL forbids concurrent calls
 * on one SSL), never a wait: poll() runs outside it. */
#include "stream.h"

#include "sock_os.h"

#include <limits.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct cp_stream {
  int fd;
  SSL *ssl;
  pthread_mutex_t lock;
};

static double now_ms(void)
{
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
    return 0;
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Milliseconds left before deadline (0 when past). */
static unsigned left_ms(double deadline)
{
  double l = deadline - now_ms();
  return l <= 0 ? 0 : l > 4e9 ? 4000000000u : (unsigned)l + 1;
}

cp_stream *cp_stream_new(int fd)
{
  cp_stream *s = calloc(1, sizeof *s);
  if (!s)
    return NULL;
  if (pthread_mutex_init(&s->lock, NULL) != 0) {
    free(s);
    return NULL;
  }
  s->fd = fd;
  (void)cp_sock_nonblock(fd); /* a blocking socket still works, only without deadlines */
  return s;
}

void cp_stream_free(cp_stream *s)
{
  if (!s)
    return;
  SSL_free(s->ssl);
  pthread_mutex_destroy(&s->lock);
  free(s);
}

int cp_stream_is_tls(const cp_stream *s)
{
  return s && s->ssl != NULL;
}

/* Loads the client certificate and key into ctx; a record without them
 * still gets a handshake (the device may not ask for a certificate). */
static void use_credentials(SSL_CTX *ctx, const cp_tls_opts *o)
{
  if (o->cert_pem && o->cert_len > 0 && o->cert_len < INT_MAX) {
    BIO *b = BIO_new_mem_buf(o->cert_pem, (int)o->cert_len);
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    if (x)
      (void)SSL_CTX_use_certificate(ctx, x);
    X509_free(x);
    BIO_free(b);
  }
  if (o->key_pem && o->key_len > 0 && o->key_len < INT_MAX) {
    BIO *b = BIO_new_mem_buf(o->key_pem, (int)o->key_len);
    EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
    if (k)
      (void)SSL_CTX_use_PrivateKey(ctx, k);
    EVP_PKEY_free(k);
    BIO_free(b);
  }
  ERR_clear_error(); /* a missing or unreadable credential is not the handshake's error */
}

static SSL *new_client(int fd, const cp_tls_opts *o)
{
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx)
    return NULL;
  SSL_CTX_set_security_level(ctx, 0);
  (void)SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
  if (o && o->max_tls1)
    (void)SSL_CTX_set_max_proto_version(ctx, TLS1_VERSION);
  (void)SSL_CTX_set_cipher_list(ctx, "ALL:!aNULL:!eNULL:@SECLEVEL=0");
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (o)
    use_credentials(ctx, o);
  SSL *ssl = SSL_new(ctx);
  SSL_CTX_free(ctx); /* the SSL holds its own reference */
  if (ssl && SSL_set_fd(ssl, fd) != 1) {
    SSL_free(ssl);
    return NULL;
  }
  if (ssl)
    SSL_set_connect_state(ssl);
  return ssl;
}

/* What an SSL_ERROR_SSL means: an alert from the peer, a closed stream, or
 * bytes that are not TLS. */
static cp_stream_rc classify_ssl_error(char *why, size_t why_len)
{
  unsigned long e = ERR_peek_error();
  if (why && why_len)
    ERR_error_string_n(e, why, why_len);
  ERR_clear_error();
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
  if (ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
    return CP_STREAM_BROKEN;
#endif
  if (ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) >= SSL_AD_REASON_OFFSET)
    return CP_STREAM_TLS_REFUSED;
  return CP_STREAM_TLS_BAD;
}

cp_stream_rc cp_stream_tls_start(cp_stream *s, const cp_tls_opts *o, unsigned timeout_ms, char *why,
                                 size_t why_len)
{
  if (why && why_len)
    why[0] = '\0';
  if (s->ssl)
    return CP_STREAM_OK;
  SSL *ssl = new_client(s->fd, o);
  if (!ssl) {
    if (why && why_len)
      (void)snprintf(why, why_len, "no TLS client (out of memory)");
    ERR_clear_error();
    return CP_STREAM_TLS_BAD;
  }
  double deadline = now_ms() + timeout_ms;
  cp_stream_rc rc = CP_STREAM_OK;
  for (;;) {
    ERR_clear_error();
    int r = SSL_do_handshake(ssl);
    if (r == 1)
      break;
    int e = SSL_get_error(ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      int w = cp_sock_wait(s->fd, e == SSL_ERROR_WANT_WRITE, left_ms(deadline));
      if (w == 1)
        continue;
      rc = w == 0 ? CP_STREAM_IDLE : CP_STREAM_BROKEN;
    } else if (e == SSL_ERROR_SSL) {
      rc = classify_ssl_error(why, why_len);
    } else {
      rc = CP_STREAM_BROKEN; /* SYSCALL (reset, EOF) or ZERO_RETURN */
    }
    break;
  }
  ERR_clear_error();
  if (rc != CP_STREAM_OK) {
    SSL_free(ssl);
    return rc;
  }
  pthread_mutex_lock(&s->lock);
  s->ssl = ssl;
  pthread_mutex_unlock(&s->lock);
  return CP_STREAM_OK;
}

void cp_stream_tls_stop(cp_stream *s, unsigned timeout_ms)
{
  if (!s->ssl)
    return;
  double deadline = now_ms() + timeout_ms;
  pthread_mutex_lock(&s->lock);
  for (;;) {
    ERR_clear_error();
    int r = SSL_shutdown(s->ssl); /* 0: our close_notify is out; we do not wait for theirs */
    if (r >= 0)
      break;
    int e = SSL_get_error(s->ssl, r);
    if (e != SSL_ERROR_WANT_WRITE || cp_sock_wait(s->fd, 1, left_ms(deadline)) != 1)
      break;
  }
  ERR_clear_error();
  SSL_free(s->ssl);
  s->ssl = NULL;
  pthread_mutex_unlock(&s->lock);
}

/* One TLS read or write under the lock: > 0 bytes, 0 wants a wait (*want_write
 * says which), -1 broken. */
static long tls_once(cp_stream *s, void *rbuf, const void *wbuf, size_t len, int *want_write)
{
  int part = len > (size_t)INT_MAX ? INT_MAX : (int)len;
  pthread_mutex_lock(&s->lock);
  ERR_clear_error();
  int r = rbuf ? SSL_read(s->ssl, rbuf, part) : SSL_write(s->ssl, wbuf, part);
  int e = r > 0 ? SSL_ERROR_NONE : SSL_get_error(s->ssl, r);
  ERR_clear_error();
  pthread_mutex_unlock(&s->lock);
  if (r > 0)
    return r;
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
    *want_write = e == SSL_ERROR_WANT_WRITE;
    return 0;
  }
  return -1;
}

cp_stream_rc cp_stream_send(cp_stream *s, const void *buf, size_t len, unsigned timeout_ms)
{
  const unsigned char *p = buf;
  double deadline = now_ms() + timeout_ms;
  while (len > 0) {
    int want_write = 1;
    long n = s->ssl ? tls_once(s, NULL, p, len, &want_write) : cp_sock_send(s->fd, p, len);
    if (n < 0)
      return CP_STREAM_BROKEN;
    if (n > 0) {
      p += n;
      len -= (size_t)n;
      deadline = now_ms() + timeout_ms; /* the limit is on silence, not on the whole send */
      continue;
    }
    int w = cp_sock_wait(s->fd, want_write, left_ms(deadline));
    if (w == 0)
      return CP_STREAM_IDLE;
    if (w < 0)
      return CP_STREAM_BROKEN;
  }
  return CP_STREAM_OK;
}

cp_stream_rc cp_stream_recv(cp_stream *s, void *buf, size_t len, unsigned timeout_ms, size_t *got)
{
  *got = 0;
  if (len == 0)
    return CP_STREAM_OK;
  double deadline = now_ms() + timeout_ms;
  for (;;) {
    int want_write = 0;
    /* read first: a TLS record may already sit decrypted in OpenSSL's buffer,
     * where poll() cannot see it */
    long n = s->ssl ? tls_once(s, buf, NULL, len, &want_write) : cp_sock_recv(s->fd, buf, len);
    if (n > 0) {
      *got = (size_t)n;
      return CP_STREAM_OK;
    }
    if (n < 0)
      return CP_STREAM_BROKEN;
    unsigned left = left_ms(deadline);
    if (left == 0)
      return CP_STREAM_IDLE;
    int w = cp_sock_wait(s->fd, want_write, left);
    if (w == 0)
      return CP_STREAM_IDLE;
    if (w < 0)
      return CP_STREAM_BROKEN;
  }
}

cp_stream_rc cp_stream_recv_all(cp_stream *s, void *buf, size_t len, unsigned timeout_ms)
{
  unsigned char *p = buf;
  double deadline = now_ms() + timeout_ms;
  while (len > 0) {
    size_t got = 0;
    cp_stream_rc rc = cp_stream_recv(s, p, len, left_ms(deadline), &got);
    if (rc != CP_STREAM_OK)
      return rc;
    p += got;
    len -= got;
  }
  return CP_STREAM_OK;
}
