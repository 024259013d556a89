/*
 * Ed25519 signatures of manifest.json (OpenSSL 3). The signature covers the
 * exact manifest bytes, and the manifest covers every other member by
 * SHA-256, so one signature vouches for the whole bundle.
 *
 * manifest.sig holds the 64-byte signature in base64 plus a newline.
 * Keys are PEM files: a private key (PKCS#8, `openssl genpkey -algorithm
 * ed25519`) to sign, the public key (`openssl pkey -pubout`) to verify.
 */
#ifndef CP_SIGN_H
#define CP_SIGN_H

#include "cp_err.h"

#include <stddef.h>

/* Signs data with the Ed25519 private key in key_path. *sig_b64 gets the
 * malloc'd base64 text with a trailing newline; *key_sha256 (65 bytes) the
 * fingerprint of the matching public key. CP_E_NOT_FOUND / CP_E_PARSE for a
 * missing or unusable key. */
cp_err cp_sign_ed25519(const char *key_path, const void *data, size_t len, char **sig_b64,
                       char key_sha256[65], cp_error *err);

/* The fingerprint (SHA-256 of the public key's DER) of the key in key_path,
 * private or public; the manifest names it before the signature exists. */
cp_err cp_sign_key_fingerprint(const char *key_path, int is_private, char key_sha256[65],
                               cp_error *err);

/* Checks sig_b64 (base64, surrounding whitespace allowed) over data with the
 * public key in pub_path (a private key file also works: its public half is
 * used). CP_OK when valid, CP_E_SIGNATURE when not, CP_E_NOT_FOUND /
 * CP_E_PARSE for the key. key_sha256 (may be NULL) gets the key fingerprint. */
cp_err cp_verify_ed25519(const char *pub_path, const void *data, size_t len, const char *sig_b64,
                         size_t sig_len, char key_sha256[65], cp_error *err);

#endif
