/* Organisation key pairs for case requests (see case_request.h): OpenSSL
 * makes the Ed25519 key; files are created exclusively so an existing key is
 * never replaced, the private one readable by its owner only. */
#include "case_request.h"
#include "sign.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Opens path for writing, refusing an existing file. */
static FILE *create_excl(const char *path, int mode, cp_error *err)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
  if (fd < 0) {
    cp_error_set(err, errno == EEXIST ? CP_E_EXISTS : CP_E_IO, "cannot create %s: %s", path,
                 strerror(errno));
    return NULL;
  }
  FILE *f = fdopen(fd, "wb");
  if (!f) {
    close(fd);
    cp_error_set(err, CP_E_IO, "cannot write %s", path);
  }
  return f;
}

cp_err cp_request_keygen(const char *priv_path, const char *pub_path, char key_sha256[65],
                         cp_error *err)
{
  EVP_PKEY *key = NULL;
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
  if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_keygen(ctx, &key) <= 0) {
    EVP_PKEY_CTX_free(ctx);
    return cp_error_set(err, CP_E_INTERNAL, "OpenSSL could not make an Ed25519 key");
  }
  EVP_PKEY_CTX_free(ctx);
  cp_err rc = CP_OK;
  FILE *priv = create_excl(priv_path, 0600, err);
  if (!priv) {
    EVP_PKEY_free(key);
    return err ? err->code : CP_E_IO;
  }
  int ok = PEM_write_PrivateKey(priv, key, NULL, NULL, 0, NULL, NULL) == 1;
  ok = (fclose(priv) == 0) && ok;
  if (!ok) {
    remove(priv_path);
    EVP_PKEY_free(key);
    return cp_error_set(err, CP_E_IO, "cannot write the private key %s", priv_path);
  }
  FILE *pub = create_excl(pub_path, 0644, err);
  if (!pub) {
    rc = err ? err->code : CP_E_IO;
    remove(priv_path);
    EVP_PKEY_free(key);
    return rc;
  }
  ok = PEM_write_PUBKEY(pub, key) == 1;
  ok = (fclose(pub) == 0) && ok;
  EVP_PKEY_free(key);
  if (!ok) {
    remove(priv_path);
    remove(pub_path);
    return cp_error_set(err, CP_E_IO, "cannot write the public key %s", pub_path);
  }
  if (key_sha256)
    rc = cp_sign_key_fingerprint(pub_path, 0, key_sha256, err);
  return rc;
}
