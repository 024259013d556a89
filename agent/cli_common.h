/*
 * What the device subcommands (list, info, battery, crashes, syslog, apps)
 * share: the common options (-u UDID, --json, --wait[=SECONDS], -h), opening
 * the device with the "tap Trust" notice said once, printing a JSON document
 * or a failure, a sink that discards (commands reuse the probes and show
 * their summaries), a sink that writes one member to stdout, and SIGINT.
 */
#ifndef CP_CLI_COMMON_H
#define CP_CLI_COMMON_H

#include "cp_err.h"
#include "device.h"
#include "probe.h"
#include "sink.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>

typedef struct cp_cli {
  const char *udid;  /* -u */
  int json;          /* --json */
  int wait_seconds;  /* --wait[=N]: 0 = fail at once when trust is pending */
  char udid_buf[64]; /* -u resolved to a full UDID (cp_cli_resolve_udid) */
} cp_cli;

/* Turns -u into the UDID of an attached device: an exact UDID, the number
 * `caseprobe list` shows, a prefix (4 characters or more) that only one
 * attached device's UDID starts with, or a device's name
 * (case-insensitive, read without pairing). Leaves c->udid NULL when no -u
 * was given. CP_E_DEVICE_NOT_FOUND when nothing matches, CP_E_MANY_DEVICES
 * when several do (the detail names them). cp_cli_open calls it. */
cp_err cp_cli_resolve_udid(cp_cli *c, cp_error *err);

/* getopt_long entries for the common options; commands append their own.
 * Values returned by getopt for them: 'u', 'h', CP_OPT_JSON, CP_OPT_WAIT. */
enum { CP_OPT_JSON = 1000, CP_OPT_WAIT, CP_OPT_FIRST_FREE };
#define CP_CLI_COMMON_LONGOPTS                                                                     \
  {"udid", required_argument, NULL, 'u'}, {"json", no_argument, NULL, CP_OPT_JSON},                \
      {"wait", optional_argument, NULL, CP_OPT_WAIT},                                              \
  {                                                                                                \
    "help", no_argument, NULL, 'h'                                                                 \
  }

/* The one default of --wait without a number, for every command. */
#define CP_CLI_WAIT_DEFAULT 60
#define CP_CLI_WAIT_MAX 86400

/* ---- options declared once -------------------------------------------
 * Every command describes its options as a table of cp_cli_opt and calls
 * cp_cli_parse: one getopt loop for all commands, every number checked
 * against its range with one sentence, -h/--help handled alike. The common
 * options (-u, --json, --wait) are switched on per command with a mask and
 * land in a cp_cli; -u falls back to $CASEPROBE_UDID. */
typedef enum cp_cli_arg {
  CP_ARG_FLAG,   /* no value: *(int *)target = 1 */
  CP_ARG_STRING, /* *(const char **)target = value */
  CP_ARG_INT     /* *(int *)target = value, checked against [min, max] */
} cp_cli_arg;

typedef struct cp_cli_opt {
  const char *long_name; /* without the dashes */
  int short_name;        /* a letter, or 0 */
  cp_cli_arg arg;
  void *target;
  long min, max;    /* CP_ARG_INT only */
  const char *what; /* CP_ARG_INT: the unit for the error ("seconds") */
} cp_cli_opt;

enum {
  CP_CLI_UDID = 1, /* -u, --udid UDID (default $CASEPROBE_UDID) */
  CP_CLI_JSON = 2, /* -j, --json */
  CP_CLI_WAIT = 4  /* --wait[=SECONDS] */
};

/* Parses argv[1..] with the common options in `common` (a CP_CLI_* mask)
 * and the command's own `opts` (ended by a {NULL} row, or NULL). Returns 1
 * to go on (positional arguments start at *first_arg); 0 when the command is
 * over, with *rc its exit status: -h printed usage(stdout) (0), or a usage
 * error printed one sentence and usage(stderr) (CP_E_USAGE). The number of
 * positional arguments must lie in [min_args, max_args] (max -1: any). */
int cp_cli_parse(int argc, char **argv, unsigned common, const cp_cli_opt *opts, int min_args,
                 int max_args, void (*usage)(FILE *out), cp_cli *c, int *first_arg, int *rc);

/* The short options of CP_CLI_COMMON_LONGOPTS for a getopt string. */
#define CP_CLI_COMMON_SHORTOPTS "u:jh"

/* Handles a common option; returns 1 when it was one, 0 when not, -1 on a bad value. */
int cp_cli_common_opt(cp_cli *c, int opt, const char *arg);

/* The help text of the common options, appended to every device command's usage. */
extern const char cp_cli_common_help[];

/* Opens the chosen device; says "tap Trust" once on stderr while --wait waits.
 * Returns CP_OK or the failure already reported with cp_fail (see cp_cli_fail). */
cp_err cp_cli_open(const cp_cli *c, cp_device **dev, cp_error *err);

/* Reports a failure: the sentence and hint on stderr (cp_fail), and with
 * --json also {"error": {code, name, message, detail}} on stdout. Returns the code. */
int cp_cli_fail(const cp_cli *c, const cp_error *err);

/* Prints v as one JSON document (indented, sorted keys) on stdout. */
int cp_cli_print_json(const json_t *v);
/* The same with every non-ASCII character as \uXXXX: for text read from a
 * bundle or a device (U+202E, C1 controls) even in --json output. */
int cp_cli_print_json_ascii(const json_t *v);
/* A JSON string escaped for the terminal (escape.h's rule), `missing` when
 * s is not a string. The result lives in one of 8 rotating static buffers:
 * at most 8 in one statement, single-threaded commands only. */
const char *cp_cli_safe_str(const json_t *s, const char *missing);

/* What a command that shows one probe's document holds while it runs: its
 * options, the open device, the discarding sink and the probe options (with
 * cancel wired to SIGINT/SIGTERM). */
typedef struct cp_cli_session {
  cp_cli cli;
  cp_device *dev;
  cp_sink *sink;
  cp_probe_opts po;
} cp_cli_session;

/* The start every "show one probe" command (info, battery, apps) shares, so
 * they parse, open and fail alike: parses argv (the common options only;
 * usage(out) prints the command's help), opens the device, runs probe `name`
 * into a discarding sink. Returns 1 with *doc the probe's document and s open
 * for more reads (the caller prints, then cp_cli_session_close); 0 when the
 * command is over, with *rc its exit status (-h, a usage error, or a failure
 * already reported by cp_cli_fail) and s closed. */
int cp_cli_probe_command(int argc, char **argv, void (*usage)(FILE *out), const char *name,
                         cp_cli_session *s, json_t **doc, int *rc);

/* Closes what cp_cli_probe_command opened; safe on a closed session. */
void cp_cli_session_close(cp_cli_session *s);

/* A sink that discards everything (commands that only show probe summaries). */
cp_sink *cp_null_sink_new(void);
/* A sink that copies member bytes to a FILE (stdout for `syslog`). */
cp_sink *cp_stream_sink_new(FILE *f);
void cp_simple_sink_free(cp_sink *s);

/* SIGINT/SIGTERM set this flag (installed by cp_cli_catch_signals). */
extern volatile int cp_cli_interrupted;
void cp_cli_catch_signals(void);

/* One line about a battery from the battery probe's health document
 * ("health 89.7 %, 321 cycles: OK, no service needed"), for info, inspect,
 * and the end of collect. */
void cp_cli_battery_line(const json_t *health, char *out, size_t n);

/* Reads one JSON member of a bundle (at most max_bytes) as a stream; NULL
 * when the bundle has no such member or it is not JSON (a summary line then
 * says "not in the bundle"). */
json_t *cp_cli_bundle_member_json(const char *bundle, const char *member, size_t max_bytes);

/* "12.3 GB" style sizes for human output. */
void cp_cli_human_bytes(char *out, size_t n, double bytes);

#endif
