/*
 * Reading a bundle without unpacking it: a stream over the members of a
 * .caseprobe.tar.gz (libarchive with only the tar formats and the gzip
 * filter enabled; an uncompressed tar also reads), with every name and size
 * checked before a caller sees it. Nothing is ever written to disk and memory
 * is bounded (a path index of at most CP_BUNDLE_MAX_MEMBERS names).
 *
 * Refused (the stream stops with an error naming the member):
 * - names that fail cp_path_is_safe() or are not UTF-8   -> CP_E_UNSAFE_PATH
 * - non-regular entries (folders, links, devices, hard links), sparse
 *   members, duplicate names, sizes over CP_BUNDLE_MAX_MEMBER_BYTES,
 *   archive damage/truncation, a member shorter than its header  -> CP_E_PARSE
 * - more than CP_BUNDLE_MAX_MEMBERS members, more than
 *   CP_BUNDLE_MAX_TOTAL_BYTES in all, or a decompression ratio over
 *   CP_BUNDLE_MAX_RATIO (a gzip bomb, refused within the first tens of MB)
 *                                                          -> CP_E_TOO_LARGE
 * A path that is not a regular file (FIFO, device, folder)  -> CP_E_NOT_REGULAR
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
#include "member_rows.h"

#include <stddef.h>
#include <stdint.h>

/* Limits that keep a hostile bundle from costing memory or time (issue 14).
 * A real bundle has a few thousand members at most (a sysdiagnose
 * included); verify kept ~3 KB of index per member (path index, hashes,
 * manifest rows), so 12000 members peaked at ~53 MB, under the 64 MB goal;
 * since the compact table (member_rows.h) and the streamed manifest, a
 * 10,000-member bundle verifies in 31 MB of peak RSS (37 MB before), most of
 * it libraries, and 40 MB with --json (the report rows). */
#define CP_BUNDLE_MAX_MEMBERS 12000
/* Room the writer keeps for its own members (consent, redaction, report,
 * manifest, signature) under CP_BUNDLE_MAX_MEMBERS. */
#define CP_BUNDLE_OWN_MEMBERS 8
#define CP_BUNDLE_MAX_MEMBER_BYTES (64ULL << 30) /* 64 GiB: no device log is larger */
#define CP_BUNDLE_MAX_TOTAL_BYTES (128ULL << 30) /* all members together */
/* Decompression bombs: past CP_BUNDLE_RATIO_FLOOR bytes of tar, more than
 * CP_BUNDLE_MAX_RATIO bytes out per compressed byte in is refused. Real
 * bundles stay far below (device syslog ~10:1; even one line repeated a
 * million times, the worst a simulator replays, gives ~340:1); deflate tops
 * out near 1032:1, which a cheap bomb (zeros) reaches. */
#define CP_BUNDLE_MAX_RATIO 500
#define CP_BUNDLE_RATIO_FLOOR (16ULL << 20)

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

/* The names returned so far, in archive order, as a member table (row i is
 * the i-th member, its size as declared, no SHA-256): the reader needs it to
 * refuse a name twice, and the checker records each member's hash and flags
 * in it rather than keeping a second table of the same names. */
cp_rows *cp_bundle_members(cp_bundle_reader *r);

void cp_bundle_close(cp_bundle_reader *r);

#endif
