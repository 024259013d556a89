/* The device-free half of cli_common.h: option parsing (one table per
 * command, numbers validated), failure printing (with the JSON error
 * document), and small formatting helpers. Kept apart from the device
 * session helpers so the file-only build (parse, verify, inspect: Windows)
 * links without the device side. */
#include "bundle_read.h"
#include "cli_common.h"
#include "hints.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char cp_cli_common_help[] =
    "  -u, --udid UDID   the device to use (default: the only one attached)\n"
    "  -j, --json        print one JSON document on stdout instead of text\n"
    "      --wait[=SECS] wait (default 60 s) for Trust to be tapped or the device unlocked\n"
    "                    (-u: a UDID, a unique prefix, the device's name or its\n"
    "                    number in 'caseprobe list'; default $CASEPROBE_UDID)\n"
    "  -h, --help        show this help\n";

/* A whole decimal number in [min, max]; nothing before or after it. */
static int parse_number(const char *s, long min, long max, long *out)
{
  char *end = NULL;
  if (!s || !*s || *s == ' ' || *s == '+')
    return 0;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || !end || *end || v < min || v > max)
    return 0;
  *out = v;
  return 1;
}

int cp_cli_common_opt(cp_cli *c, int opt, const char *arg)
{
  switch (opt) {
  case 'u': c->udid = arg; return 1;
  case 'j':
  case CP_OPT_JSON: c->json = 1; return 1;
  case CP_OPT_WAIT: {
    if (!arg) {
      c->wait_seconds = CP_CLI_WAIT_DEFAULT;
      return 1;
    }
    long v;
    if (!parse_number(arg, 1, CP_CLI_WAIT_MAX, &v))
      return -1;
    c->wait_seconds = (int)v;
    return 1;
  }
  default: return 0;
  }
}

int cp_cli_fail(const cp_cli *c, const cp_error *err)
{
  int code = cp_fail(err);
  if (c && c->json) {
    const char *hint = cp_hint((cp_err)code);
    json_t *doc = json_pack("{s:{s:i, s:s, s:s, s:s, s:s?}}", "error", "code", code, "name",
                            cp_err_name((cp_err)code), "message", cp_err_sentence((cp_err)code),
                            "detail", err ? err->detail : "", "hint", hint);
    if (doc)
      cp_cli_print_json(doc);
    json_decref(doc);
  }
  return code;
}

void cp_cli_battery_line(const json_t *health, char *out, size_t n)
{
  const char *verdict = json_string_value(json_object_get(health, "verdict"));
  const json_t *pct = json_object_get(health, "health_percent");
  const json_t *cyc = json_object_get(health, "cycle_count");
  char hp[32] = "health unknown", cy[32] = "";
  if (json_is_number(pct))
    (void)snprintf(hp, sizeof hp, "health %.1f %%", json_number_value(pct));
  if (json_is_integer(cyc))
    (void)snprintf(cy, sizeof cy, ", %lld cycles", (long long)json_integer_value(cyc));
  const char *v = !verdict                      ? "no verdict"
                  : !strcmp(verdict, "service") ? "SERVICE RECOMMENDED"
                  : !strcmp(verdict, "ok")      ? "OK, no service needed"
                                                : "not enough figures to judge";
  (void)snprintf(out, n, "%s%s: %s", hp, cy, v);
}

json_t *cp_cli_bundle_member_json(const char *bundle, const char *member, size_t max_bytes)
{
  cp_bundle_reader *r = NULL;
  cp_error err;
  json_t *out = NULL;
  const char *path;
  uint64_t size;
  if (cp_bundle_open(bundle, &r, &err) != CP_OK)
    return NULL;
  while (cp_bundle_next(r, &path, &size, &err) == CP_OK && path) {
    if (strcmp(path, member) != 0)
      continue;
    if (size > max_bytes)
      break;
    char *buf = malloc((size_t)size + 1);
    size_t at = 0, got = 0;
    while (buf && at < size &&
           cp_bundle_read(r, buf + at, (size_t)size - at, &got, &err) == CP_OK && got)
      at += got;
    if (buf && at == size)
      out = json_loadb(buf, at, JSON_REJECT_DUPLICATES, NULL);
    free(buf);
    break;
  }
  cp_bundle_close(r);
  return out;
}

void cp_cli_human_bytes(char *out, size_t n, double bytes)
{
  static const char *const units[] = {"B", "KB", "MB", "GB", "TB"};
  size_t u = 0;
  while (bytes >= 1000.0 && u + 1 < sizeof units / sizeof units[0]) {
    bytes /= 1000.0;
    u++;
  }
  (void)snprintf(out, n, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
}

/* ---- cp_cli_parse ----------------------------------------------------- */

#define CP_CLI_MAX_OPTS 40

int cp_cli_parse(int argc, char **argv, unsigned common, const cp_cli_opt *opts, int min_args,
                 int max_args, void (*usage)(FILE *out), cp_cli *c, int *first_arg, int *rc)
{
  struct option lo[CP_CLI_MAX_OPTS + 5];
  char shorts[3 * CP_CLI_MAX_OPTS + 8];
  size_t n = 0, ns = 0, nopts = 0;
  const char *cmd = argv[0] ? argv[0] : "caseprobe";
  while (opts && opts[nopts].long_name && nopts < CP_CLI_MAX_OPTS)
    nopts++;
  memset(lo, 0, sizeof lo);
  shorts[ns++] = ':'; /* a missing value is reported by us, not getopt */
  for (size_t i = 0; i < nopts; i++) {
    lo[n].name = opts[i].long_name;
    lo[n].has_arg = opts[i].arg == CP_ARG_FLAG ? no_argument : required_argument;
    lo[n].val = 2000 + (int)i;
    n++;
    if (opts[i].short_name) {
      shorts[ns++] = (char)opts[i].short_name;
      if (opts[i].arg != CP_ARG_FLAG)
        shorts[ns++] = ':';
    }
  }
  if (common & CP_CLI_UDID) {
    lo[n++] = (struct option){"udid", required_argument, NULL, 'u'};
    shorts[ns++] = 'u';
    shorts[ns++] = ':';
  }
  if (common & CP_CLI_JSON) {
    lo[n++] = (struct option){"json", no_argument, NULL, CP_OPT_JSON};
    shorts[ns++] = 'j';
  }
  if (common & CP_CLI_WAIT)
    lo[n++] = (struct option){"wait", optional_argument, NULL, CP_OPT_WAIT};
  lo[n++] = (struct option){"help", no_argument, NULL, 'h'};
  shorts[ns++] = 'h';
  shorts[ns] = '\0';

  if ((common & CP_CLI_UDID) && !c->udid) {
    const char *env = getenv("CASEPROBE_UDID");
    if (env && *env)
      c->udid = env;
  }
  int opt, longindex;
  optind = 1;
  opterr = 0;
  while ((longindex = -1, opt = getopt_long(argc, argv, shorts, lo, &longindex)) != -1) {
    if (opt == 'h') {
      usage(stdout);
      *rc = CP_OK;
      return 0;
    }
    if (opt == '?' || opt == ':') {
      const char *bad = argv[optind - 1 < argc ? optind - 1 : argc - 1];
      if (optopt && optopt < 256)
        fprintf(stderr, "caseprobe %s: option -%c %s\n", cmd, optopt,
                opt == ':' ? "needs a value" : "is not known");
      else
        fprintf(stderr, "caseprobe %s: option %s %s\n", cmd, bad,
                opt == ':' ? "needs a value" : "is not known (or takes no value)");
      goto usage_error;
    }
    if (opt == 'j')
      opt = CP_OPT_JSON;
    for (size_t i = 0; opt > 0 && opt < 256 && i < nopts; i++)
      if (opts[i].short_name == opt)
        opt = 2000 + (int)i; /* a short option: the same row as its long name */
    if (opt >= 2000 && opt < 2000 + (int)nopts) {
      const cp_cli_opt *o = &opts[opt - 2000];
      if (o->arg == CP_ARG_FLAG) {
        *(int *)o->target = 1;
      } else if (o->arg == CP_ARG_STRING) {
        *(const char **)o->target = optarg;
      } else {
        long v;
        if (!parse_number(optarg, o->min, o->max, &v)) {
          fprintf(stderr,
                  "caseprobe %s: --%s takes a whole number of %s from %ld to %ld, not '%s'\n", cmd,
                  o->long_name, o->what ? o->what : "units", o->min, o->max, optarg);
          goto usage_error;
        }
        *(int *)o->target = (int)v;
      }
      continue;
    }
    int r = cp_cli_common_opt(c, opt, optarg);
    if (r == 1)
      continue;
    if (r < 0 && opt == CP_OPT_WAIT)
      fprintf(stderr,
              "caseprobe %s: --wait takes a whole number of seconds from 1 to %d, not '%s'\n", cmd,
              CP_CLI_WAIT_MAX, optarg ? optarg : "");
    goto usage_error;
  }
  int npos = argc - optind;
  if (npos < min_args || (max_args >= 0 && npos > max_args)) {
    if (npos < min_args)
      fprintf(stderr, "caseprobe %s: %s\n", cmd,
              min_args == 1 ? "one argument is missing" : "arguments are missing");
    else
      fprintf(stderr, "caseprobe %s: unexpected argument '%s'\n", cmd, argv[optind + max_args]);
    goto usage_error;
  }
  *first_arg = optind;
  return 1;
usage_error:
  usage(stderr);
  *rc = CP_E_USAGE;
  return 0;
}
