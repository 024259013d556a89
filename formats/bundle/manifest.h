/*
 * manifest.json of a bundle (format version 1): what the bundle claims to
 * hold, so `verify` can re-hash every member against it.
 *
 *   {
 *     "format": "caseprobe-bundle",
 *     "format_version": 1,
 *     "agent_version": "0.1.0",
 *     "case_id": "CASE-42",
 *     "created": "2026-11-23T12:45:17Z",
 *     "device": { ...redacted summary... },
 *     "members": [ {"path": "...", "size": 123, "sha256": "<64 hex>", "scope": "..."} ],
 *     "signature": {"algorithm": "ed25519", "member": "manifest.sig",
 *                   "key_sha256": "<hex of the public key's DER>"}   (only when signed)
 *   }
 *
 * The manifest lists every member but itself and manifest.sig.
 */
#ifndef CP_MANIFEST_H
#define CP_MANIFEST_H

#include "cp_err.h"
#include "member_rows.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define CP_MANIFEST_FORMAT "caseprobe-bundle"

/* Lower-case hex of `len` bytes into out (2*len+1 bytes). */
void cp_hex(const unsigned char *bytes, size_t len, char *out);

/* 1 when s is exactly 64 lower-case hex digits. */
int cp_is_sha256_hex(const char *s);

/* SHA-256 of a buffer as 64 hex digits + NUL. */
cp_err cp_sha256_hex(const void *buf, size_t len, char out[65], cp_error *err);

/* 1 when s[0..len) is well-formed UTF-8 (no overlongs, surrogates or code
 * points past U+10FFFF). Member names must be: JSON and pax headers carry
 * them as UTF-8, whatever the locale. */
int cp_utf8_valid(const char *s, size_t len);

/* One member row: {"path","size","sha256","scope"}. NULL on out of memory. */
json_t *cp_manifest_member(const char *path, uint64_t size, const char *sha256_hex,
                           const char *scope);

/* Builds the manifest object. `members` is borrowed (deep-copied); device may
 * be NULL ({}); key_sha256 NULL means unsigned. NULL on out of memory. */
json_t *cp_manifest_new(const char *case_id, time_t created, const json_t *device,
                        const json_t *members, const char *key_sha256);

/* The exact bytes written as manifest.json (sorted keys, 2-space indent,
 * trailing newline). malloc'd; *len gets the length. NULL on out of memory. */
char *cp_manifest_dump(const json_t *manifest, size_t *len);

/* The exact bytes cp_manifest_dump would give for `manifest` (made by
 * cp_manifest_new with no members) with `rows` as its "members", each row
 * {"path","scope","sha256","size"}, without building a jansson object per
 * row: the rows' text is spliced into the dump of the rest. malloc'd; *len
 * gets the length. NULL on out of memory. */
char *cp_manifest_dump_rows(const json_t *manifest, const cp_rows *rows, size_t *len);

/* One row's text as it sits in the spliced "members" list: "\n    {...}",
 * with a leading ',' unless `first`. malloc'd; NULL on out of memory. The
 * writer appends these to a scratch file as members end, so the rows wait
 * on disk, not in memory. */
char *cp_manifest_row_text(const char *path, uint64_t size, const unsigned char sha256[32],
                           const char *scope, int first, size_t *len);

/* Writes exactly len bytes of row text (cp_manifest_row_text's, in order) to dst. */
typedef cp_err (*cp_manifest_fill_fn)(void *ctx, char *dst, size_t len, cp_error *err);

/* cp_manifest_dump_rows with the rows' text (rows_len bytes) put in place by
 * fill: *text (malloc'd) and *len get manifest.json's exact bytes. */
cp_err cp_manifest_dump_splice(const json_t *manifest, size_t rows_len, cp_manifest_fill_fn fill,
                               void *ctx, char **text, size_t *len, cp_error *err);

/* The same bytes, streamed instead of built in memory (an unsigned bundle's
 * manifest: 10,000 rows are ~1.8 MB of text): emit() receives the pieces
 * around the member list and put_rows() writes exactly rows_len bytes of
 * row text (through emit() or otherwise). The first error stops it. */
typedef cp_err (*cp_manifest_put_fn)(void *ctx, const void *buf, size_t len, cp_error *err);
typedef cp_err (*cp_manifest_put_rows_fn)(void *ctx, size_t rows_len, cp_error *err);
cp_err cp_manifest_write_splice(const json_t *manifest, size_t rows_len, cp_manifest_put_fn emit,
                                cp_manifest_put_rows_fn put_rows, void *ctx, cp_error *err);

/* Receives one member row of a manifest being streamed, already checked
 * (object, safe path, size >= 0, sha256, scope); `i` counts from 0. The row
 * is borrowed (json_incref to keep it). A non-OK return stops the parse with
 * that error. A path listed twice is the callback's to refuse (with
 * cp_manifest_twice): it already holds a table of the paths (the checker
 * does), so the parser does not keep a second one. */
typedef cp_err (*cp_manifest_row_fn)(void *ctx, size_t i, json_t *row, cp_error *err);

/* cp_manifest_parse without holding the member rows: the top level is read
 * key by key and every "members" row is parsed, checked, handed to fn and
 * freed before the next, so memory is one row, not the whole list (a
 * 10,000-member manifest parses into ~7 MB of jansson objects). *head gets
 * every other top-level key (a new reference). Rows reach fn before the
 * format, version, case_id and created are checked (keys come in any
 * order): on any error, drop what fn saw. Same errors as cp_manifest_parse. */
cp_err cp_manifest_stream(const void *buf, size_t len, cp_manifest_row_fn fn, void *ctx,
                          json_t **head, cp_error *err);

/* CP_E_PARSE "manifest lists '<path>' twice". */
cp_err cp_manifest_twice(const char *path, cp_error *err);

/* Parses and checks manifest.json bytes: format, a format version this build
 * understands, every member with a safe unique path, size, sha256 and scope.
 * On success *out is the manifest and *by_path an object path -> member row
 * (both new references). CP_E_PARSE with the reason otherwise. */
cp_err cp_manifest_parse(const void *buf, size_t len, json_t **out, json_t **by_path,
                         cp_error *err);

#endif
