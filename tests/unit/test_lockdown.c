/* Unit tests of probes/lockdown.c and probes/stream.c over a socketpair, the
 * test playing the device: the session's TLS path (StartSession, the TLS
 * handshake with the pair record's HostCertificate as client certificate,
 * a late ServerHello waited for without any sleep,
 * GetValue inside TLS, StopSession back to plaintext), and every malformed
 * or hostile reply (oversized, empty or non-plist body, wrong type, another
 * request's reply, unknown or escape-laden Error strings, bad ports, junk
 * where the ServerHello belongs, a hang-up, silence) refused with a clear
 * code and no crash; a malformed body keeps the stream in step. */
/* cmocka.h needs setjmp.h, stdarg.h and stddef.h first. */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
// clang-format on

#include "lockdown.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Every sleep of the process is counted: the TLS handshake must wait for the
 * device in poll(), never in a fixed sleep (libimobiledevice 1.3.0 slept
 * 100 ms there). These replace libc's for the whole test program. */
static volatile int sleeps;

int nanosleep(const struct timespec *req, struct timespec *rem)
{
  sleeps++;
  return (int)syscall(SYS_nanosleep, req, rem);
}

int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem)
{
  sleeps++;
  return syscall(SYS_clock_nanosleep, clk, flags, req, rem) == 0 ? 0 : errno;
}

/* ------------------------------------------------------------ the device side */

static int pair_fds[2];

static void open_pair(void)
{
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pair_fds), 0);
}

static void close_pair(void)
{
  close(pair_fds[0]);
  if (pair_fds[1] >= 0)
    close(pair_fds[1]);
}

/* Writes all of buf to the device end (plaintext or through ssl). */
static void dev_write(SSL *ssl, const void *buf, size_t n)
{
  const char *p = buf;
  while (n > 0) {
    int w = ssl ? SSL_write(ssl, p, (int)n) : (int)write(pair_fds[1], p, n);
    assert_true(w > 0);
    p += w;
    n -= (size_t)w;
  }
}

static int dev_read(SSL *ssl, void *buf, size_t n)
{
  char *p = buf;
  while (n > 0) {
    int r = ssl ? SSL_read(ssl, p, (int)n) : (int)read(pair_fds[1], p, n);
    if (r <= 0)
      return -1;
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

static void dev_frame(SSL *ssl, const void *body, uint32_t len)
{
  unsigned char h[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16),
                        (unsigned char)(len >> 8), (unsigned char)len};
  dev_write(ssl, h, 4);
  dev_write(ssl, body, len);
}

static void dev_reply(SSL *ssl, plist_t p)
{
  char *xml = NULL;
  uint32_t len = 0;
  plist_to_xml(p, &xml, &len);
  dev_frame(ssl, xml, len);
  plist_to_xml_free(xml);
  plist_free(p);
}

/* Reads one framed request (NULL when the host hung up). */
static plist_t dev_request(SSL *ssl)
{
  unsigned char h[4];
  if (dev_read(ssl, h, 4) != 0)
    return NULL;
  uint32_t len = ((uint32_t)h[0] << 24) | ((uint32_t)h[1] << 16) | ((uint32_t)h[2] << 8) | h[3];
  char *b = malloc(len);
  plist_t p = NULL;
  if (b && dev_read(ssl, b, len) == 0)
    plist_from_memory(b, len, &p);
  free(b);
  return p;
}

static const char *pstr(plist_t d, const char *k)
{
  plist_t n = d ? plist_dict_get_item(d, k) : NULL;
  return n && plist_get_node_type(n) == PLIST_STRING ? plist_get_string_ptr(n, NULL) : NULL;
}

static plist_t reply_to(const char *verb)
{
  plist_t r = plist_new_dict();
  plist_dict_set_item(r, "Request", plist_new_string(verb));
  return r;
}

static cp_lockdown *client(unsigned reply_ms)
{
  cp_lockdown_opts o = {"00008030-TEST", "test", reply_ms, NULL, NULL};
  cp_lockdown *l = cp_lockdown_new(pair_fds[0], &o);
  assert_non_null(l);
  return l;
}

/* ------------------------------------------------------------ certificates */

static EVP_PKEY *key;
static X509 *host_cert, *dev_cert;
static char *host_pem, *key_pem;
static size_t host_pem_len, key_pem_len;

static X509 *make_cert(const char *cn)
{
  X509 *x = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, key);
  X509_NAME *n = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
  X509_set_issuer_name(x, n);
  X509_sign(x, key, EVP_sha256());
  return x;
}

static char *pem_of(int is_key, X509 *x, size_t *len)
{
  BIO *b = BIO_new(BIO_s_mem());
  if (is_key)
    PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL);
  else
    PEM_write_bio_X509(b, x);
  char *data = NULL;
  long n = BIO_get_mem_data(b, &data);
  char *out = malloc((size_t)n);
  memcpy(out, data, (size_t)n);
  *len = (size_t)n;
  BIO_free(b);
  return out;
}

static int setup_certs(void **state)
{
  (void)state;
  signal(SIGPIPE, SIG_IGN); /* as the agent does */
  key = EVP_RSA_gen(2048);
  host_cert = make_cert("caseprobe test host");
  dev_cert = make_cert("caseprobe test device");
  host_pem = pem_of(0, host_cert, &host_pem_len);
  key_pem = pem_of(1, NULL, &key_pem_len);
  return key && host_cert && dev_cert ? 0 : -1;
}

static int teardown_certs(void **state)
{
  (void)state;
  X509_free(host_cert);
  X509_free(dev_cert);
  EVP_PKEY_free(key);
  free(host_pem);
  free(key_pem);
  return 0;
}

static plist_t record(void)
{
  plist_t r = plist_new_dict();
  plist_dict_set_item(r, "HostID", plist_new_string("HOST-ID-1"));
  plist_dict_set_item(r, "SystemBUID", plist_new_string("BUID-1"));
  plist_dict_set_item(r, "HostCertificate", plist_new_data(host_pem, host_pem_len));
  plist_dict_set_item(r, "HostPrivateKey", plist_new_data(key_pem, key_pem_len));
  return r;
}

/* ------------------------------------------------------------ the TLS session */

typedef struct session_dev {
  int mode; /* 0: full session; 1: junk instead of a ServerHello; 2: hang up */
  int ok_start, ok_tls, ok_peer_cert, ok_get, ok_stop, ok_plain;
} session_dev;

static int accept_any(int ok, X509_STORE_CTX *ctx)
{
  (void)ok;
  (void)ctx;
  return 1;
}

static void *session_device(void *arg)
{
  session_dev *s = arg;
  plist_t q = dev_request(NULL);
  s->ok_start = q && !strcmp(pstr(q, "Request"), "StartSession") && pstr(q, "HostID") &&
                !strcmp(pstr(q, "HostID"), "HOST-ID-1") && pstr(q, "SystemBUID") &&
                !strcmp(pstr(q, "SystemBUID"), "BUID-1") && pstr(q, "Label") &&
                !strcmp(pstr(q, "Label"), "test");
  plist_free(q);
  plist_t r = reply_to("StartSession");
  plist_dict_set_item(r, "SessionID", plist_new_string("SESSION-1"));
  plist_dict_set_item(r, "EnableSessionSSL", plist_new_bool(1));
  dev_reply(NULL, r);
  if (s->mode == 1) { /* after the ClientHello, so the junk is what the host reads */
    char hello[5];
    if (dev_read(NULL, hello, sizeof hello) == 0)
      dev_write(NULL, "GARBAGE! this is not a TLS ServerHello at all......", 52);
    return NULL;
  }
  if (s->mode == 2) {
    close(pair_fds[1]);
    pair_fds[1] = -1;
    return NULL;
  }
  /* answer the ClientHello late, so the host's first handshake read finds
   * nothing and has to wait (poll(), not a sleep: sleeps are counted) */
  (void)poll(NULL, 0, 300);
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX_set_security_level(ctx, 0);
  SSL_CTX_use_certificate(ctx, dev_cert);
  SSL_CTX_use_PrivateKey(ctx, key);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any); /* ask for the host's certificate */
  SSL *ssl = SSL_new(ctx);
  SSL_set_fd(ssl, pair_fds[1]);
  s->ok_tls = SSL_accept(ssl) == 1;
  if (s->ok_tls) {
    X509 *peer = SSL_get1_peer_certificate(ssl);
    s->ok_peer_cert = peer && X509_cmp(peer, host_cert) == 0;
    X509_free(peer);
    q = dev_request(ssl);
    s->ok_get = q && !strcmp(pstr(q, "Request"), "GetValue") && pstr(q, "Key") &&
                !strcmp(pstr(q, "Key"), "SerialNumber");
    plist_free(q);
    r = reply_to("GetValue");
    plist_dict_set_item(r, "Value", plist_new_string("F2LTEST0001"));
    dev_reply(ssl, r);
    q = dev_request(ssl);
    s->ok_stop = q && !strcmp(pstr(q, "Request"), "StopSession") && pstr(q, "SessionID") &&
                 !strcmp(pstr(q, "SessionID"), "SESSION-1");
    plist_free(q);
    dev_reply(ssl, reply_to("StopSession"));
    char b[64];
    while (SSL_read(ssl, b, sizeof b) > 0) /* up to the host's close_notify */
      ;
    q = dev_request(NULL); /* plaintext again */
    s->ok_plain = q && !strcmp(pstr(q, "Request"), "GetValue");
    plist_free(q);
    r = reply_to("GetValue");
    plist_dict_set_item(r, "Value", plist_new_string("plain"));
    dev_reply(NULL, r);
  }
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  return NULL;
}

static void test_session_tls(void **state)
{
  (void)state;
  open_pair();
  session_dev s = {0};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, session_device, &s), 0);
  cp_lockdown *l = client(10000);
  plist_t rec = record();
  cp_error e;
  sleeps = 0;
  assert_int_equal(cp_lockdown_start_session(l, rec, NULL, 0, &e), CP_OK);
  assert_int_equal(sleeps, 0); /* the late ServerHello was waited for in poll() */
  assert_true(cp_lockdown_in_session(l));
  plist_t v = NULL;
  assert_int_equal(cp_lockdown_get_value(l, NULL, "SerialNumber", &v, &e), CP_OK);
  assert_string_equal(plist_get_string_ptr(v, NULL), "F2LTEST0001");
  plist_free(v);
  assert_int_equal(cp_lockdown_stop_session(l, &e), CP_OK);
  assert_false(cp_lockdown_in_session(l));
  assert_int_equal(cp_lockdown_get_value(l, NULL, "DeviceName", &v, &e), CP_OK);
  assert_string_equal(plist_get_string_ptr(v, NULL), "plain");
  plist_free(v);
  pthread_join(t, NULL);
  assert_true(s.ok_start);
  assert_true(s.ok_tls);
  assert_true(s.ok_peer_cert); /* the pair record's HostCertificate */
  assert_true(s.ok_get);
  assert_true(s.ok_stop);
  assert_true(s.ok_plain);
  cp_lockdown_free(l);
  plist_free(rec);
  close_pair();
}

static void session_failure(int mode, cp_err want, const char *detail)
{
  open_pair();
  session_dev s = {mode, 0, 0, 0, 0, 0, 0};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, session_device, &s), 0);
  cp_lockdown *l = client(5000);
  plist_t rec = record();
  cp_error e;
  cp_err rc = cp_lockdown_start_session(l, rec, NULL, 0, &e);
  pthread_join(t, NULL);
  assert_int_equal(rc, want);
  if (!strstr(e.detail, detail))
    fail_msg("'%s' lacks '%s'", e.detail, detail);
  assert_false(cp_lockdown_in_session(l));
  plist_t v = NULL; /* nothing further goes out on a half-handshaken stream */
  assert_int_equal(cp_lockdown_get_value(l, NULL, "DeviceName", &v, &e), CP_E_PROTOCOL);
  assert_non_null(strstr(e.detail, "broke earlier"));
  cp_lockdown_free(l);
  plist_free(rec);
  close_pair();
}

static void test_tls_junk(void **state)
{
  (void)state;
  session_failure(1, CP_E_PROTOCOL, "did not speak TLS");
}

static void test_tls_hangup(void **state)
{
  (void)state;
  session_failure(2, CP_E_PROTOCOL, "hung up in the TLS handshake");
}

/* ------------------------------------------------------------ malformed replies */

/* One GetValue against replies already waiting in the socket. */
static cp_err get_with(cp_lockdown *l, cp_error *e)
{
  plist_t v = NULL;
  cp_err rc = cp_lockdown_get_value(l, NULL, "ProductVersion", &v, e);
  plist_free(v);
  return rc;
}

static void test_oversized_length(void **state)
{
  (void)state;
  open_pair();
  cp_lockdown *l = client(2000);
  dev_write(NULL, "\xff\xff\xff\xff", 4);
  cp_error e;
  assert_int_equal(get_with(l, &e), CP_E_PROTOCOL);
  assert_non_null(strstr(e.detail, "4294967295-byte lockdown reply"));
  /* the rest of the stream is unknowable: later requests fail at once */
  assert_int_equal(get_with(l, &e), CP_E_PROTOCOL);
  assert_non_null(strstr(e.detail, "broke earlier"));
  cp_lockdown_free(l);
  close_pair();
}

static void test_limit_and_zero_length(void **state)
{
  (void)state;
  open_pair();
  cp_lockdown *l = client(2000);
  dev_write(NULL, "\x00\x40\x00\x01", 4); /* 4 MiB + 1 */
  cp_error e;
  assert_int_equal(get_with(l, &e), CP_E_PROTOCOL);
  assert_non_null(strstr(e.detail, "4194305-byte"));
  cp_lockdown_free(l);
  close_pair();
  open_pair();
  l = client(2000);
  dev_write(NULL, "\x00\x00\x00\x00", 4);
  assert_int_equal(get_with(l, &e), CP_E_PROTOCOL);
  assert_non_null(strstr(e.detail, "0-byte"));
  cp_lockdown_free(l);
  close_pair();
}

static void test_garbage_body_keeps_step(void **state)
{
  (void)state;
  open_pair();
  cp_lockdown *l = client(2000);
  dev_frame(NULL, "GARBAGE!\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5", 16); /* the simulator's fault */
  plist_t arr = plist_new_array();                                 /* a plist, but not a dict */
  plist_array_append_item(arr, plist_new_string("x"));
  dev_reply(NULL, arr);
  plist_t ok = reply_to("GetValue");
  plist_dict_set_item(ok, "Value", plist_new_string("16.7.2"));
  dev_reply(NULL, ok);
  cp_error e;
  assert_int_equal(get_with(l, &e), CP_E_PROTOCOL);
  assert_non_null(strstr(e.detail, "unreadable lockdown reply"));
  assert_int_equal(get_with(l, &e), CP_E_PROTOCOL);
  plist_t v = NULL;
  assert_int_equal(cp_lockdown_get_value(l, NULL, "ProductVersion", &v, &e), CP_OK);
  assert_string_equal(plist_get_string_ptr(v, NULL), "16.7.2");
  plist_free(v);
  cp_lockdown_free(l);
  close_pair();
}

static void test_wrong_request_and_result(void **state)
{
  (void)state;
  open_pair();
  cp_lockdown *l = client(2000);
  dev_reply(NULL, reply_to("StartService"));
  plist_t nostr = plist_new_dict(); /* Request of the wrong type */
  plist_dict_set_item(nostr, "Request", plist_new_uint(7));
  dev_reply(NULL, nostr);
  plist_t fail = reply_to("GetValue");
  plist_dict_set_item(fail, "Result", plist_new_string("Failure"));
  dev_reply(NULL, fail);
  plist_t novalue = reply_to("GetValue");
  dev_reply(NULL, novalue);
  cp_error e;
  assert_int_equal(get_with(l, &e), CP_E_PROTOCOL);
  assert_non_null(strstr(e.detail, "reply to another request"));
  assert_int_equal(get_with(l, &e), CP_E_PROTOCOL);
  assert_int_equal(get_with(l, &e), CP_E_PROTOCOL);
  assert_non_null(strstr(e.detail, "without saying why"));
  assert_int_equal(get_with(l, &e), CP_E_DEVICE_VALUE);
  cp_lockdown_free(l);
  close_pair();
}

/* Error strings -> codes, as the suite's trust / lock / service tests see them. */
static void test_error_strings(void **state)
{
  (void)state;
  static const struct {
    const char *verb, *error;
    cp_err want;
    const char *detail;
  } cases[] = {
      {"StartSession", "InvalidHostID", CP_E_PAIRING_INVALID, "(Invalid HostID)"},
      {"StartSession", "PairingDialogResponsePending", CP_E_TRUST_PENDING, "waiting for Trust"},
      {"StartSession", "UserDeniedPairing", CP_E_TRUST_DENIED, "Don't Trust"},
      {"StartService", "PasswordProtected", CP_E_LOCKED, "while locked"},
      {"StartService", "InvalidService", CP_E_SERVICE_UNAVAILABLE, "does not offer com.x"},
      {"GetValue", "MissingValue", CP_E_DEVICE_VALUE, "has no value"},
      {"StartService", "SessionInactive", CP_E_PROTOCOL, "(SessionInactive)"},
      {"StartService", "Evil\x1b[31mName", CP_E_PROTOCOL, "(an unreadable error)"},
  };
  plist_t rec = record();
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    open_pair();
    cp_lockdown *l = client(2000);
    plist_t r = reply_to(cases[i].verb);
    plist_dict_set_item(r, "Error", plist_new_string(cases[i].error));
    dev_reply(NULL, r);
    cp_error e;
    cp_err rc;
    uint16_t port = 0;
    int ssl = 0;
    if (!strcmp(cases[i].verb, "StartSession"))
      rc = cp_lockdown_start_session(l, rec, NULL, 0, &e);
    else if (!strcmp(cases[i].verb, "StartService"))
      rc = cp_lockdown_start_service(l, "com.x", &port, &ssl, &e);
    else
      rc = get_with(l, &e);
    assert_int_equal(rc, cases[i].want);
    if (!strstr(e.detail, cases[i].detail))
      fail_msg("case %zu: '%s' lacks '%s'", i, e.detail, cases[i].detail);
    assert_null(strchr(e.detail, '\x1b'));
    assert_int_equal(port, 0);
    cp_lockdown_free(l);
    close_pair();
  }
  plist_free(rec);
}

static void test_bad_ports(void **state)
{
  (void)state;
  plist_t ports[4] = {plist_new_uint(0), plist_new_uint(70000), plist_new_string("49152"), NULL};
  for (int i = 0; i < 4; i++) {
    open_pair();
    cp_lockdown *l = client(2000);
    plist_t r = reply_to("StartService");
    if (ports[i])
      plist_dict_set_item(r, "Port", ports[i]);
    dev_reply(NULL, r);
    uint16_t port = 1;
    int ssl = 1;
    cp_error e;
    assert_int_equal(cp_lockdown_start_service(l, "com.x", &port, &ssl, &e), CP_E_PROTOCOL);
    assert_non_null(strstr(e.detail, "gave no port for com.x"));
    assert_int_equal(port, 0);
    cp_lockdown_free(l);
    close_pair();
  }
  open_pair();
  cp_lockdown *l = client(2000);
  plist_t r = reply_to("StartService");
  plist_dict_set_item(r, "Port", plist_new_uint(49152));
  plist_dict_set_item(r, "EnableServiceSSL", plist_new_bool(1));
  dev_reply(NULL, r);
  uint16_t port = 0;
  int ssl = 0;
  cp_error e;
  assert_int_equal(cp_lockdown_start_service(l, "com.x", &port, &ssl, &e), CP_OK);
  assert_int_equal(port, 49152);
  assert_int_equal(ssl, 1);
  cp_lockdown_free(l);
  close_pair();
}

/* A body cut short by a hang-up, and a device that says nothing: the
 * transport callback hears which. */
static int lost_calls, lost_timed_out;
static cp_err on_lost(void *ctx, int timed_out, const char *what, cp_error *err)
{
  (void)ctx;
  lost_calls++;
  lost_timed_out = timed_out;
  return cp_error_set(err, timed_out ? CP_E_TIMEOUT : CP_E_DETACHED, "lost during %s", what);
}

static void test_hangup_and_silence(void **state)
{
  (void)state;
  open_pair();
  cp_lockdown_opts o = {"00008030-TEST", NULL, 300, on_lost, NULL};
  cp_lockdown *l = cp_lockdown_new(pair_fds[0], &o);
  dev_write(NULL, "\x00\x00\x01\x00<?xml", 9); /* 256 bytes promised, 5 sent */
  close(pair_fds[1]);
  pair_fds[1] = -1;
  cp_error e;
  lost_calls = 0;
  assert_int_equal(get_with(l, &e), CP_E_DETACHED);
  assert_int_equal(lost_calls, 1);
  assert_int_equal(lost_timed_out, 0);
  assert_non_null(strstr(e.detail, "value ProductVersion"));
  cp_lockdown_free(l);
  close_pair();
  open_pair();
  l = cp_lockdown_new(pair_fds[0], &o);
  lost_calls = 0;
  assert_int_equal(get_with(l, &e), CP_E_TIMEOUT); /* nothing within reply_ms */
  assert_int_equal(lost_calls, 1);
  assert_int_equal(lost_timed_out, 1);
  cp_lockdown_free(l);
  close_pair();
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_session_tls),
      cmocka_unit_test(test_tls_junk),
      cmocka_unit_test(test_tls_hangup),
      cmocka_unit_test(test_oversized_length),
      cmocka_unit_test(test_limit_and_zero_length),
      cmocka_unit_test(test_garbage_body_keeps_step),
      cmocka_unit_test(test_wrong_request_and_result),
      cmocka_unit_test(test_error_strings),
      cmocka_unit_test(test_bad_ports),
      cmocka_unit_test(test_hangup_and_silence),
  };
  return cmocka_run_group_tests(tests, setup_certs, teardown_certs);
}
