/*
 * plist -> JSON: every device answer (lockdown values, IORegistry entries,
 * installation_proxy lists) becomes jansson so the rest of caseprobe only
 * knows one data model. Data nodes become base64 strings, dates ISO 8601 UTC,
 * integers signed (libplist 2.2 stores negatives as huge unsigned values).
 * Depth and size are bounded because the input comes from a device.
 */
#ifndef CP_PLIST_JSON_H
#define CP_PLIST_JSON_H

#include "cp_err.h"

#include <jansson.h>
#include <stddef.h>

typedef struct cp_plist_limits {
  int max_depth;    /* nesting of dicts/arrays; deeper input fails (CP_E_PARSE) */
  size_t max_nodes; /* total nodes */
  size_t max_bytes; /* total string and data bytes */
} cp_plist_limits;

/* The defaults: depth 64, 2 million nodes, 64 MiB of strings and data. */
extern const cp_plist_limits cp_plist_default_limits;

/* Converts `node` (a plist_t from libplist, passed as void* so callers need not
 * include plist.h). limits NULL = defaults. Returns a new reference or NULL
 * with err set (CP_E_PARSE for limits and unknown node types, CP_E_NOMEM). */
json_t *cp_plist_to_json(const void *node, const cp_plist_limits *limits, cp_error *err);

/* Parses an XML or binary plist held in memory and converts it. */
cp_err cp_plist_json_from_memory(const char *buf, size_t len, const cp_plist_limits *limits,
                                 json_t **out, cp_error *err);

/* Base64 (RFC 4648, padded) of len bytes into a new NUL-terminated string. */
char *cp_base64_encode(const unsigned char *buf, size_t len);

/* ISO 8601 UTC ("2024-05-01T12:34:56Z") of a Unix time; out must hold 32 bytes. */
void cp_iso8601_utc(long long unix_seconds, char out[32]);

#endif
