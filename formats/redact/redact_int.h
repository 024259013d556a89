/*
 * Internals shared by the redact_*.c files (not a public header): the rule
 * table a redactor is compiled from, class bookkeeping, and the helpers the
 * streaming engine calls to confirm a match and name its pseudonym.
 */
#ifndef CP_REDACT_INT_H
#define CP_REDACT_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include "redact.h"

#include <pcre2.h>
#include <stdint.h>

/* Bytes of context kept before a match window, for lookbehinds. */
#define CP_RX_LB 32
/* Bytes after a match end that the right-boundary checks may look at:
 * two for the boundary classes, ten for "</integer>" (redact_stream.c). */
#define CP_RX_RA 10
#define CP_RX_MAX_CLASSES 128 /* 20 built-in + up to 64 policy patterns + other ids */
#define CP_RX_NAME_MAX 32

/* What must NOT follow (right) or precede (left) a match, checked in C
 * because Vectorscan reports ends without lookaround. */
enum cp_rx_bound {
  CP_B_NONE = 0,
  CP_B_ALPHA,   /* not a letter */
  CP_B_ALNUM,   /* not a letter or digit */
  CP_B_DIGIT,   /* not a digit */
  CP_B_HEX,     /* not a hex digit */
  CP_B_IPV4,    /* not a digit, not '.' + digit */
  CP_B_EMAIL,   /* not [A-Za-z0-9_-], not '.' + alnum */
  CP_B_MAC,     /* not hex, ':' or '-' */
  CP_B_IPV6,    /* not [A-Za-z0-9_:] */
  CP_B_PATHSEG, /* a path segment ends: '/', '\\', space, quote, ... or end */
  CP_B_TOKEN    /* a bare token ends: space, quote, ',', ';', bracket or end */
};

/* How a value is normalised before it is keyed, so forms map together. */
enum cp_rx_norm {
  CP_N_EXACT = 0,
  CP_N_LOWER,       /* ASCII lower case */
  CP_N_ALNUM_LOWER, /* letters and digits only, lower case */
  CP_N_DIGITS,      /* digits only */
  CP_N_MAC          /* six hex groups, each two digits, lower case */
};

typedef struct cp_rx_class {
  char name[CP_RX_NAME_MAX + 1];  /* "serial", "email", "ticket" */
  char label[CP_RX_NAME_MAX + 1]; /* pseudonym stem: "serial", "wifi-mac" */
  int norm;
  unsigned next; /* last pseudonym number handed out */
  uint64_t count;
  json_t *members; /* {"member": count} */
} cp_rx_class;

/* cp_rx_rule.hs_flags: the trigger is matched without regard to ASCII case
 * (the same bit as Vectorscan's HS_FLAG_CASELESS, checked there). */
#define CP_RX_CASELESS 1u

typedef struct cp_rx_rule {
  int cls;
  char *hs_expr;       /* the trigger; NULL: PCRE2-only rule (the engine refused it) */
  unsigned hs_flags;   /* CP_RX_CASELESS */
  size_t lit_len;      /* >0: literal of this length, start = end - lit_len */
  pcre2_code *confirm; /* "(?:P)\z" (regex rules), group 1 = replaced part */
  pcre2_code *search;  /* user patterns: P itself (used if Vectorscan refuses P) */
  int vgroup;          /* number of the group named "v" (the replaced part), 0 = all */
  size_t maxlen;
  int lb, rb;  /* enum cp_rx_bound, checked in C */
  int prio;    /* lower wins when two matches start together */
  int has_key; /* identifier: key below, whatever form matched */
  unsigned char key[32];
} cp_rx_rule;

/* One pseudonym table entry: HMAC -> number (never the value). */
typedef struct cp_rx_slot {
  unsigned char mac[32];
  unsigned n;
  int used;
} cp_rx_slot;

struct cp_redactor {
  unsigned char secret[CP_REDACT_SECRET_LEN];
  cp_rx_class classes[CP_RX_MAX_CLASSES];
  int n_classes;
  cp_rx_rule *rules;
  size_t n_rules, cap_rules;
  size_t maxlen; /* longest rule match */
  int has_pcre_only;
  void *eng; /* the scan engine's compiled triggers (redact_engine_*.c) */
  pcre2_match_data *md;
  pcre2_match_context *mctx;
  cp_rx_slot *slots;
  size_t n_slots, used_slots;
  uint64_t total;
  /* the sink filter (one member at a time) */
  cp_sink *next;
  cp_redact_stream *sink_stream;
  int busy; /* a stream is open */
};

/* ---- The scan engine: one per build (CMake CP_REDACT_ENGINE) ----
 * redact_engine_hs.c (Vectorscan streaming, the fast one) or
 * redact_engine_pcre2.c (PCRE2 alone: Windows, where Vectorscan has no
 * build). Either reports every (rule, end) where a rule's trigger has a
 * match ending there (literals: every occurrence); redact_stream.c does the
 * rest, so both engines redact the same spans. */

/* Receives one report; nonzero stops the scan (no memory). */
typedef int (*cp_rx_report_fn)(void *ctx, uint32_t rule, uint64_t end);
typedef struct cp_rx_scan cp_rx_scan;

/* Compiles the rules' triggers into r->eng; a user pattern the engine
 * refuses becomes PCRE2-only (hs_expr = NULL, r->has_pcre_only). */
cp_err cp_rx_engine_compile(cp_redactor *r, cp_error *err);
void cp_rx_engine_free(cp_redactor *r);
/* Longest match of a user pattern the engine can prove, else
 * CP_REDACT_MAX_MATCH (at least 1). */
size_t cp_rx_engine_pattern_maxlen(const char *regex);

cp_err cp_rx_scan_open(cp_redactor *r, cp_rx_scan **out, cp_error *err);
/* The raw stream is [base, base + len) in buf; its last n bytes are new.
 * closing = 1: the stream ends at base + len (final reports). */
cp_err cp_rx_scan_feed(cp_rx_scan *sc, const unsigned char *buf, uint64_t base, size_t len,
                       size_t n, int closing, cp_rx_report_fn fn, void *ctx, cp_error *err);
/* No report still to come yields a match starting before this offset (an
 * engine that reports late holds the decisions back); bytes from here less
 * CP_RX_LB must stay in the buffer. UINT64_MAX: nothing is late. */
uint64_t cp_rx_scan_settled(const cp_rx_scan *sc);
void cp_rx_scan_free(cp_rx_scan *sc);

/* redact_rules.c: builds r->classes and r->rules from the config. */
cp_err cp_rx_build_rules(cp_redactor *r, const cp_redact_config *cfg, cp_error *err);
int cp_rx_class_index(cp_redactor *r, const char *name, int norm);
cp_err cp_rx_add_rule(cp_redactor *r, const cp_rx_rule *tmpl, const char *pcre_expr, cp_error *err);
/* 1 when the byte at p (NULL = end of stream / start of stream) passes b. */
int cp_rx_bound_ok(int b, const unsigned char *p, size_t avail);
int cp_rx_lbound_ok(int b, int prev); /* prev = byte before the match, -1 none */
/* Normalises src into dst (capacity >= n + 1); returns the length. */
size_t cp_rx_normalise(int norm, const unsigned char *src, size_t n, unsigned char *dst);

/* redact_enc.c: one encoded spelling of a literal (malloc'ed), or NULL when
 * it would be the literal itself (or on no memory). */
enum cp_rx_enc {
  CP_ENC_PCT_20 = 0,    /* percent-encoding, space as %20, ' as %27 */
  CP_ENC_PCT_PLUS,      /* form encoding: space as '+' */
  CP_ENC_PCT_20_APOS,   /* JavaScript encodeURIComponent: ' kept */
  CP_ENC_PCT_PLUS_APOS, /* form encoding with ' kept */
  CP_ENC_NCR_HEX,       /* XML/HTML &#x2019; for non-ASCII and ' */
  CP_ENC_NCR_DEC,       /* &#8217; */
  CP_ENC_NAMED,         /* &rsquo; &euml; &apos; &amp; */
  CP_ENC_VIS,           /* syslog: byte >= 0x80 as \M-b, \M^@ */
  CP_ENC_OCTAL,         /* \342\200\231 */
  CP_ENC_HOST_KEEP,     /* iOS host name: spaces to '-', ASCII punctuation dropped */
  CP_ENC_HOST_STRICT,   /* the same with every non-ASCII byte dropped */
  CP_ENC_COUNT
};
char *cp_rx_encode(int kind, const char *s);

/* redact_policy.c */
struct cp_redact_policy {
  char **off; /* classes turned off */
  size_t n_off;
  char **pat_names, **pat_regex;
  size_t n_pat;
};
int cp_rx_policy_class_on(const cp_redact_policy *p, const char *cls);
int cp_rx_is_known_class(const char *cls);

/* redact.c: pseudonym for a value of class cls (key = HMAC if key is NULL,
 * computed from the normalised text). Writes "<label-N>" into out. */
cp_err cp_rx_pseudonym(cp_redactor *r, int cls, const unsigned char *key, const unsigned char *text,
                       size_t n, char *out, size_t outcap, size_t *outlen, cp_error *err);
void cp_rx_key(const cp_redactor *r, int cls, const unsigned char *norm, size_t n,
               unsigned char key[32]);
/* Adds a finished member's per-class counts to the report. */
cp_err cp_rx_account(cp_redactor *r, const char *member, const uint64_t *counts, cp_error *err);

#endif
