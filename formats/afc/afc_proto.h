/*
 * AFC (Apple File Conduit) wire format, pure code with no I/O: encoding
 * requests and validating every reply before a single length in it is used.
 * libimobiledevice 1.3.0 trusted reply lengths and over-read its heap when a
 * cable was pulled mid-packet; caseprobe's own client (probes/afc.c) reads
 * exactly what this module has checked. The wire format and the checks:
 * formats/afc/README.md.
 *
 * Packet: 40-byte header ("CFA6LPAA", then little-endian u64 entire_length,
 * this_length, packet_num, operation), header data, payload. A reply's
 * "body" here is everything after the 40-byte header (header data and
 * payload together, as libimobiledevice also treats it).
 */
#ifndef CP_AFC_PROTO_H
#define CP_AFC_PROTO_H

#include "cp_err.h"

#include <stddef.h>
#include <stdint.h>

#define CP_AFC_MAGIC "CFA6LPAA"
#define CP_AFC_HEADER_LEN 40u

/* Reply size caps: DATA for a file read, and listings / file information. */
#define CP_AFC_MAX_DATA (16u * 1024u * 1024u)
#define CP_AFC_MAX_META (1024u * 1024u)
/* Longest path a request may carry, and most names one listing may hold. */
#define CP_AFC_MAX_PATH 4096u
#define CP_AFC_MAX_NAMES 100000u
#define CP_AFC_MAX_NAME 1024u

enum {
  CP_AFC_OP_STATUS = 0x01,
  CP_AFC_OP_DATA = 0x02,
  CP_AFC_OP_READ_DIR = 0x03,
  CP_AFC_OP_REMOVE_PATH = 0x08,
  CP_AFC_OP_GET_FILE_INFO = 0x0A,
  CP_AFC_OP_FILE_OPEN = 0x0D,
  CP_AFC_OP_FILE_OPEN_RES = 0x0E,
  CP_AFC_OP_FILE_READ = 0x0F,
  CP_AFC_OP_FILE_TELL_RES = 0x13,
  CP_AFC_OP_FILE_CLOSE = 0x14
};

#define CP_AFC_MODE_RDONLY 1u

/* AFC status codes caseprobe tells apart (others map to CP_E_IO). */
enum {
  CP_AFC_ST_SUCCESS = 0,
  CP_AFC_ST_UNKNOWN = 1,
  CP_AFC_ST_OP_HEADER_INVALID = 2,
  CP_AFC_ST_INVALID_ARG = 7,
  CP_AFC_ST_OBJECT_NOT_FOUND = 8,
  CP_AFC_ST_OBJECT_IS_DIR = 9,
  CP_AFC_ST_PERM_DENIED = 10,
  CP_AFC_ST_OP_TIMEOUT = 12,
  CP_AFC_ST_OP_NOT_SUPPORTED = 15,
  CP_AFC_ST_OBJECT_BUSY = 17
};

typedef struct cp_afc_hdr {
  uint64_t entire_len, this_len, packet_num, op;
} cp_afc_hdr;

/*
 * Encodes one request: header, the nnums u64 values, then path with its NUL
 * when path is not NULL. *out is a new buffer of *outlen bytes (free()).
 * CP_E_USAGE for a path longer than CP_AFC_MAX_PATH, CP_E_NOMEM.
 */
cp_err cp_afc_encode(uint64_t op, uint64_t packet_num, const uint64_t *nums, size_t nnums,
                     const char *path, unsigned char **out, size_t *outlen, cp_error *err);

/*
 * Validates a reply header: magic, this_length >= 40, entire_length >=
 * this_length, body (entire_length - 40) <= max_body, packet_num == expect_pn,
 * operation one of STATUS, DATA, FILE_OPEN_RES, FILE_TELL_RES. CP_E_PROTOCOL
 * with a detail otherwise. h must hold CP_AFC_HEADER_LEN bytes.
 */
cp_err cp_afc_decode_header(const unsigned char *h, uint64_t expect_pn, uint64_t max_body,
                            cp_afc_hdr *out, cp_error *err);

/* The u64 a STATUS / FILE_OPEN_RES / FILE_TELL_RES body starts with;
 * CP_E_PROTOCOL when the body holds fewer than 8 bytes. */
cp_err cp_afc_body_u64(const unsigned char *body, size_t len, uint64_t *v, cp_error *err);

/* Maps a non-zero AFC status to a cp_err with "what" in the detail:
 * 8 -> CP_E_NOT_FOUND, 12 -> CP_E_TIMEOUT, 2/6/15 -> CP_E_PROTOCOL, the rest
 * (permission, is-a-dir, busy, ...) -> CP_E_IO. 0 is CP_OK. */
cp_err cp_afc_status_err(uint64_t code, const char *what, cp_error *err);

/* Short name of an AFC status ("OBJECT_NOT_FOUND"), "status N" style when unknown. */
const char *cp_afc_status_name(uint64_t code);

/*
 * READ_DIR body -> a NULL-terminated array of names without "." and ".."
 * (free with cp_afc_names_free). Names are NUL-separated; a missing final NUL
 * is tolerated, empty strings are skipped. Refused (CP_E_PROTOCOL): a name with '/' or a
 * control byte or longer than CP_AFC_MAX_NAME, more than CP_AFC_MAX_NAMES.
 */
cp_err cp_afc_parse_names(const unsigned char *body, size_t len, char ***names, cp_error *err);
/* The same, except that a name no file system can hold ('/', a control
 * byte, too long) costs only that entry: it is left out and counted in
 * *refused (not NULL). A listing too large or with too many names is still
 * refused whole. */
cp_err cp_afc_parse_names_lenient(const unsigned char *body, size_t len, char ***names,
                                  size_t *refused, cp_error *err);
void cp_afc_names_free(char **names);

typedef enum cp_afc_ifmt {
  CP_AFC_IFMT_NONE, /* no st_ifmt key */
  CP_AFC_IFMT_REG,
  CP_AFC_IFMT_DIR,
  CP_AFC_IFMT_LNK,
  CP_AFC_IFMT_OTHER
} cp_afc_ifmt;

typedef struct cp_afc_info {
  uint64_t size;
  int has_size;
  uint64_t mtime_ns;
  cp_afc_ifmt ifmt;
  int has_link_target;
} cp_afc_info;

/*
 * GET_FILE_INFO body (key\0value\0 pairs) -> info. Refused (CP_E_PROTOCOL):
 * an odd number of strings, a key or value with a control byte, st_size /
 * st_mtime that are not plain decimal or overflow 64 bits. Unknown keys are
 * ignored.
 */
cp_err cp_afc_parse_info(const unsigned char *body, size_t len, cp_afc_info *info, cp_error *err);

#endif
