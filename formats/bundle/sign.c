/* See sign.h. Ed25519 is "one-shot" in OpenSSL: EVP_DigestSign with a NULL
 * digest over the whole message, which is fine as a manifest is small. */
#include "sign.h"

#include "cp_path.h"
#include "manifest.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CP_ED25519_SIG_LEN 64

/* Reads a PEM key file: want_private selects PrivateKey or PUBKEY (a public
 * read also accepts a private key file). */
static cp_err load_key(const char *path, int want_private, EVP_PKEY **out, cp_error *err)
{
  FILE *f = cp_fopen(path, "rb");
  if (!f)
    return cp_error_set(err, CP_E_NOT_FOUND, "key %s", path);
  EVP_PKEY *k = NULL;
  if (want_private) {
    k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
  } else {
    k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
    if (!k) {
      rewind(f);
      k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    }
  }
  (void)fclose(f); /* read only */
  ERR_clear_error();
  if (!k)
    return cp_error_set(err, CP_E_PARSE, "%s is not a PEM %s key", path,
                        want_private ? "private" : "public");
  if (EVP_PKEY_id(k) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(k);
    return cp_error_set(err, CP_E_PARSE, "%s is not an Ed25519 key", path);
  }
  *out = k;
  return CP_OK;
}

/* SHA-256 of the DER SubjectPublicKeyInfo: the same for a private key file
 * and its public key, so the manifest can name the key that signed it. */
static cp_err fingerprint(EVP_PKEY *k, char out[65], cp_error *err)
{
  unsigned char *der = NULL;
  int n = i2d_PUBKEY(k, &der);
  if (n <= 0)
    return cp_error_set(err, CP_E_INTERNAL, "encoding the public key");
  cp_err rc = cp_sha256_hex(der, (size_t)n, out, err);
  OPENSSL_free(der);
  return rc;
}

cp_err cp_sign_key_fingerprint(const char *key_path, int is_private, char key_sha256[65],
                               cp_error *err)
{
  EVP_PKEY *k = NULL;
  cp_err rc = load_key(key_path, is_private, &k, err);
  if (rc == CP_OK)
    rc = fingerprint(k, key_sha256, err);
  EVP_PKEY_free(k);
  return rc;
}

cp_err cp_sign_ed25519(const char *key_path, const void *data, size_t len, char **sig_b64,
                       char key_sha256[65], cp_error *err)
{
  EVP_PKEY *k = NULL;
  EVP_MD_CTX *ctx = NULL;
  char *b64 = NULL;
  unsigned char sig[CP_ED25519_SIG_LEN];
  size_t siglen = sizeof sig;
  cp_err rc = load_key(key_path, 1, &k, err);
  if (rc != CP_OK)
    goto out;
  rc = fingerprint(k, key_sha256, err);
  if (rc != CP_OK)
    goto out;
  ctx = EVP_MD_CTX_new();
  if (!ctx) {
    rc = cp_error_set(err, CP_E_NOMEM, "signature context");
    goto out;
  }
  if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, k) != 1 ||
      EVP_DigestSign(ctx, sig, &siglen, data, len) != 1 || siglen != sizeof sig) {
    rc = cp_error_set(err, CP_E_INTERNAL, "Ed25519 signing failed");
    goto out;
  }
  b64 = malloc(4 * ((sizeof sig + 2) / 3) + 2);
  if (!b64) {
    rc = cp_error_set(err, CP_E_NOMEM, "signature text");
    goto out;
  }
  int n = EVP_EncodeBlock((unsigned char *)b64, sig, (int)siglen);
  b64[n] = '\n';
  b64[n + 1] = '\0';
  *sig_b64 = b64;
  b64 = NULL;
out:
  ERR_clear_error();
  free(b64);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(k);
  return rc;
}

/* Decodes base64 (whitespace around it ignored) into exactly 64 bytes. */
static int decode_sig(const char *b64, size_t len, unsigned char out[CP_ED25519_SIG_LEN])
{
  while (len > 0 && (b64[0] == ' ' || b64[0] == '\n' || b64[0] == '\r' || b64[0] == '\t')) {
    b64++;
    len--;
  }
  while (len > 0 && (b64[len - 1] == ' ' || b64[len - 1] == '\n' || b64[len - 1] == '\r' ||
                     b64[len - 1] == '\t'))
    len--;
  /* 64 bytes are 88 base64 characters with "==" padding. */
  if (len != 88 || b64[86] != '=' || b64[87] != '=')
    return 0;
  unsigned char buf[66];
  if (EVP_DecodeBlock(buf, (const unsigned char *)b64, (int)len) != 66)
    return 0;
  memcpy(out, buf, CP_ED25519_SIG_LEN);
  return 1;
}

cp_err cp_verify_ed25519(const char *pub_path, const void *data, size_t len, const char *sig_b64,
                         size_t sig_len, char key_sha256[65], cp_error *err)
{
  EVP_PKEY *k = NULL;
  EVP_MD_CTX *ctx = NULL;
  unsigned char sig[CP_ED25519_SIG_LEN];
  char fp[65];
  cp_err rc = load_key(pub_path, 0, &k, err);
  if (rc != CP_OK)
    goto out;
  rc = fingerprint(k, fp, err);
  if (rc != CP_OK)
    goto out;
  if (key_sha256)
    memcpy(key_sha256, fp, 65);
  if (!sig_b64 || !decode_sig(sig_b64, sig_len, sig)) {
    rc = cp_error_set(err, CP_E_SIGNATURE, "manifest.sig is not an Ed25519 signature");
    goto out;
  }
  ctx = EVP_MD_CTX_new();
  if (!ctx) {
    rc = cp_error_set(err, CP_E_NOMEM, "signature context");
    goto out;
  }
  if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k) != 1) {
    rc = cp_error_set(err, CP_E_INTERNAL, "Ed25519 verify setup failed");
    goto out;
  }
  if (EVP_DigestVerify(ctx, sig, sizeof sig, data, len) != 1)
    rc = cp_error_set(err, CP_E_SIGNATURE, "manifest.sig does not match manifest.json");
out:
  ERR_clear_error();
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(k);
  return rc;
}
