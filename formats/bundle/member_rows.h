/*
 * A compact, append-only table of bundle members (path, size, SHA-256,
 * scope, a few flag bits), looked up by path. The writer keeps one row per
 * kept member until manifest.json is written, and the checker one per member
 * read until the manifest arrives: as jansson objects that was ~800 bytes a
 * member (50 MB of peak RSS at 10,000 reports, issue 12); here it is a
 * 48-byte record, the path's bytes and two 4-byte hash slots.
 *
 * Rows keep the order they were added in (archive order); a path appears at
 * most once (cp_rows_add refuses a second one). Not thread-safe.
 */
#ifndef CP_MEMBER_ROWS_H
#define CP_MEMBER_ROWS_H

#include "cp_err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct cp_rows cp_rows;

/* One row as read back; pointers stay valid until the next cp_rows_add. */
typedef struct cp_row {
  const char *path;
  const char *scope;
  uint64_t size;
  const unsigned char *sha256; /* 32 bytes */
  unsigned flags;
} cp_row;

#define CP_ROWS_NONE ((size_t)-1)

cp_rows *cp_rows_new(void);
void cp_rows_free(cp_rows *t);

/* Appends a row; *index (may be NULL) gets its position. CP_E_INTERNAL when
 * path is already in the table (nothing added), CP_E_NOMEM, or
 * CP_E_TOO_LARGE past 2^31 rows / 4 GB of paths / 255 distinct scopes.
 * sha256 NULL stores zeros. */
cp_err cp_rows_add(cp_rows *t, const char *path, uint64_t size, const unsigned char *sha256,
                   const char *scope, size_t *index, cp_error *err);

/* The position of path, or CP_ROWS_NONE. */
size_t cp_rows_find(const cp_rows *t, const char *path);

size_t cp_rows_count(const cp_rows *t);

/* Reads row i (< count). */
void cp_rows_get(const cp_rows *t, size_t i, cp_row *out);

/* Sets row i's size and SHA-256 (32 bytes), e.g. once a member was hashed. */
void cp_rows_set(cp_rows *t, size_t i, uint64_t size, const unsigned char *sha256);

/* Sets the bits of `flags` (8 bits) on row i. */
void cp_rows_flag(cp_rows *t, size_t i, unsigned flags);

/* A set of member names that keeps 16 bytes a name (the first half of its
 * SHA-256), not the name: the writer refuses a name twice with it while
 * the rows themselves wait on disk. Two different names agreeing in 128
 * bits of SHA-256 is not a case to plan for. */
typedef struct cp_names cp_names;

cp_names *cp_names_new(void);
void cp_names_free(cp_names *s);

/* 1 when path is in the set. */
int cp_names_has(const cp_names *s, const char *path);

/* Adds path: CP_OK, CP_E_INTERNAL when it is already there, CP_E_NOMEM. */
cp_err cp_names_add(cp_names *s, const char *path, cp_error *err);

#endif
