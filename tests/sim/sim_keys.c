/* sim_keys.c: the device's identity, made fresh at every start: an RSA key
 * pair (DevicePublicKey is its PKCS#1 PEM, which libimobiledevice 1.3.0
 * reads with PEM_read_bio_RSAPublicKey), a self-signed server certificate,
 * and the TLS server context lockdown and services use. */
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#include <openssl/encoder.h>
#endif

#include "sim.h"

static EVP_PKEY *make_rsa(void)
{
  EVP_PKEY *key = NULL;
  EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
  if (kc && EVP_PKEY_keygen_init(kc) == 1 && EVP_PKEY_CTX_set_rsa_keygen_bits(kc, 2048) == 1)
    EVP_PKEY_keygen(kc, &key);
  EVP_PKEY_CTX_free(kc);
  return key;
}

/* PKCS#1 "-----BEGIN RSA PUBLIC KEY-----", not SPKI: the client insists. */
static int pkcs1_pem(EVP_PKEY *key, char **out, size_t *outlen)
{
  BIO *b = BIO_new(BIO_s_mem());
  int rc = -1;
  if (!b)
    return -1;
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  OSSL_ENCODER_CTX *ec =
      OSSL_ENCODER_CTX_new_for_pkey(key, EVP_PKEY_PUBLIC_KEY, "PEM", "type-specific", NULL);
  int ok = ec && OSSL_ENCODER_to_bio(ec, b) == 1;
  OSSL_ENCODER_CTX_free(ec);
#else
  int ok = PEM_write_bio_RSAPublicKey(b, EVP_PKEY_get0_RSA(key)) == 1;
#endif
  char *data = NULL;
  long n = BIO_get_mem_data(b, &data);
  if (ok && n > 0 && strncmp(data, "-----BEGIN RSA PUBLIC KEY-----", 30) == 0) {
    *out = malloc((size_t)n);
    if (*out) {
      memcpy(*out, data, (size_t)n);
      *outlen = (size_t)n;
      rc = 0;
    }
  }
  BIO_free(b);
  return rc;
}

X509 *sim_cert_for(EVP_PKEY *pub, EVP_PKEY *signer, const char *cn, long serial)
{
  X509 *x = X509_new();
  if (!x)
    return NULL;
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
  X509_gmtime_adj(X509_getm_notBefore(x), -86400);
  X509_gmtime_adj(X509_getm_notAfter(x), 10L * 365 * 86400);
  X509_NAME *name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
  X509_set_issuer_name(x, name);
  if (X509_set_pubkey(x, pub) != 1 || X509_sign(x, signer, EVP_sha256()) <= 0) {
    X509_free(x);
    return NULL;
  }
  return x;
}

/* A profile may ship its device key (device_key.pem, PKCS#8 or traditional
 * PEM): a simulator with 16 devices then starts at once instead of spending
 * seconds on RSA key generation. A broken key file is an error, not a silent
 * fallback, so a profile never half-works. */
static int load_key(const char *dir, EVP_PKEY **key)
{
  size_t n = strlen(dir) + sizeof "/device_key.pem";
  char *path = malloc(n);
  if (!path)
    return -1;
  snprintf(path, n, "%s/device_key.pem", dir);
  FILE *f = fopen(path, "r");
  free(path);
  if (!f)
    return 0;
  *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
  fclose(f);
  if (!*key || EVP_PKEY_get_base_id(*key) != EVP_PKEY_RSA) {
    EVP_PKEY_free(*key);
    *key = NULL;
    return -1;
  }
  return 1;
}

int sim_keys_make(struct sim_device *dev, const char *dir)
{
  X509 *cert = NULL;
  int rc = -1;
  int loaded = load_key(dir, &dev->key);
  if (loaded < 0)
    return -1;
  if (!loaded)
    dev->key = make_rsa();
  if (!dev->key || pkcs1_pem(dev->key, &dev->pubkey_pem, &dev->pubkey_pem_len) != 0)
    goto out;
  cert = sim_cert_for(dev->key, dev->key, dev->udid, 1);
  if (!cert)
    goto out;
  dev->tls = SSL_CTX_new(TLS_server_method());
  if (!dev->tls)
    goto out;
  /* Level 0 and TLS 1.0 allowed: clients of devices < 10.0 cap at TLS 1.0
   * with SHA-1 signatures, which OpenSSL 3 refuses at the default level. */
  SSL_CTX_set_security_level(dev->tls, 0);
  SSL_CTX_set_min_proto_version(dev->tls, TLS1_VERSION);
  SSL_CTX_set_cipher_list(dev->tls, "DEFAULT:@SECLEVEL=0");
  SSL_CTX_set_verify(dev->tls, SSL_VERIFY_NONE, NULL);
#if OPENSSL_VERSION_NUMBER >= 0x10101000L
  SSL_CTX_set_num_tickets(dev->tls, 0);
#endif
  if (SSL_CTX_use_certificate(dev->tls, cert) != 1 ||
      SSL_CTX_use_PrivateKey(dev->tls, dev->key) != 1)
    goto out;
  rc = 0;
out:
  X509_free(cert);
  return rc;
}
