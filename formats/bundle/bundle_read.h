/*
 * Reading a bundle without unpacking it: a stream over the members of a
 * .caseprobe.tar.gz (libarchive with only the tar formats and the gzip
 * filter enabled; an uncompressed tar also reads), with every name and size
 * checked before a caller sees it. Nothing is ever written to disk and memory
 * is bounded (a path index of at most CP_BUNDLE_MAX_MEMBERS names).
 *
 * Refused (the stream stops with an error naming the member):
 * - names that fail cp_path_is_safe() or are not UTF-8   -> CP_E_UNSAFE_PATH
 * - non-regular entries (folders, links, devices, hard links), duplicate
 *   names, sizes over CP_BUNDLE_MAX_MEMBER_BYTES, more than
 *   CP_BUNDLE_MAX_MEMBERS members, archive damage/truncation  -> CP_E_PARSE
 *
 *   cp_bundle_reader *r;
 *   cp_bundle_open(path, &r, &err);
 *   while ((rc = cp_bundle_next(r, &name, &size, &err)) == CP_OK && name)
 *     while ((rc = cp_bundle_read(r, buf, sizeof buf, &got, &err)) == CP_OK && got) ...;
 *   cp_bundle_close(r);
 */
#ifndef CP_BUNDLE_READ_H
#define CP_BUNDLE_READ_H

#include "cp_err.h"

#include <stddef.h>
#include <stdint.h>

#define CP_BUNDLE_MAX_MEMBERS 200000
#define CP_BUNDLE_MAX_MEMBER_BYTES (64ULL << 30) /* 64 GiB: no device log is larger */

typedef struct cp_bundle_reader cp_bundle_reader;

/* CP_E_NOT_FOUND when path does not exist, CP_E_PARSE when it is not gzip/tar. */
cp_err cp_bundle_open(const char *path, cp_bundle_reader **r, cp_error *err);

/* The same over a buffer that must outlive the reader (fuzzing, tests). */
cp_err cp_bundle_open_memory(const void *buf, size_t len, cp_bundle_reader **r, cp_error *err);

/* Moves to the next member (skipping unread data of the current one). *path
 * is valid until the next call; it is NULL (with CP_OK) at the end. */
cp_err cp_bundle_next(cp_bundle_reader *r, const char **path, uint64_t *size, cp_error *err);

/* Reads the current member's data; *got is 0 at its end. */
cp_err cp_bundle_read(cp_bundle_reader *r, void *buf, size_t cap, size_t *got, cp_error *err);

/* How many members were returned so far. */
size_t cp_bundle_count(const cp_bundle_reader *r);

void cp_bundle_close(cp_bundle_reader *r);

#endif
