/* See cli_common.h. */
#include "cli_common.h"

#include "bundle_read.h"
#include "hints.h"
#include "registry.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

volatile int cp_cli_interrupted;

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

static void on_wait(void *ctx, const char *udid, cp_err state)
{
  (void)ctx;
  const char *msg = cp_wait_message(state);
  if (msg)
    fprintf(stderr, "caseprobe: %s (%s)\n", msg, udid);
}

/* ASCII case-insensitive equality (device names are compared as typed). */
static int same_name(const char *a, const char *b)
{
  for (; *a && *b; a++, b++) {
    int x = (unsigned char)*a, y = (unsigned char)*b;
    if (x >= 'A' && x <= 'Z')
      x += 32;
    if (y >= 'A' && y <= 'Z')
      y += 32;
    if (x != y)
      return 0;
  }
  return *a == *b;
}

cp_err cp_cli_resolve_udid(cp_cli *c, cp_error *err)
{
  if (!c->udid || c->udid == c->udid_buf)
    return CP_OK;
  const char *want = c->udid;
  cp_device_entry *e = NULL;
  size_t n = 0, hits = 0, pick = 0;
  cp_err rc = cp_device_list(&e, &n, err);
  if (rc != CP_OK)
    return rc;
  for (size_t i = 0; i < n; i++)
    if (!strcmp(e[i].udid, want)) {
      free(e);
      return CP_OK; /* a full UDID: as given */
    }
  size_t wl = strlen(want);
  /* "2": the second row of `caseprobe list` (the same usbmuxd order). */
  if (wl >= 1 && wl <= 2 && strspn(want, "0123456789") == wl) {
    size_t num = (size_t)atoi(want);
    if (num >= 1 && num <= n) {
      (void)snprintf(c->udid_buf, sizeof c->udid_buf, "%s", e[num - 1].udid);
      c->udid = c->udid_buf;
      free(e);
      return CP_OK;
    }
    free(e);
    return cp_error_set(err, CP_E_DEVICE_NOT_FOUND, "'caseprobe list' shows no device number %s",
                        want);
  }
  for (size_t i = 0; i < n; i++) {
    if (wl >= 4 && !strncasecmp(e[i].udid, want, wl) &&
        (!hits || strcmp(e[i].udid, e[pick].udid))) {
      if (!hits)
        pick = i;
      hits++;
    }
  }
  if (!hits) { /* not a UDID prefix: a device name? */
    for (size_t i = 0; i < n; i++) {
      json_t *row = NULL;
      cp_error pe;
      if (cp_device_peek(e[i].udid, &row, &pe) == CP_OK &&
          same_name(json_string_value(json_object_get(row, "name"))
                        ? json_string_value(json_object_get(row, "name"))
                        : "",
                    want) &&
          (!hits || strcmp(e[i].udid, e[pick].udid))) {
        if (!hits)
          pick = i;
        hits++;
      }
      json_decref(row);
    }
  }
  if (hits == 1) {
    (void)snprintf(c->udid_buf, sizeof c->udid_buf, "%s", e[pick].udid);
    c->udid = c->udid_buf;
    rc = CP_OK;
  } else if (hits > 1) {
    rc = cp_error_set(err, CP_E_MANY_DEVICES, "'%s' matches %zu attached devices", want, hits);
  } else {
    rc = cp_error_set(err, CP_E_DEVICE_NOT_FOUND,
                      "no attached device has the UDID, UDID prefix or name '%s'", want);
  }
  free(e);
  return rc;
}

cp_err cp_cli_open(const cp_cli *c, cp_device **dev, cp_error *err)
{
  cp_cli resolved = *c;
  if (resolved.udid == c->udid_buf)
    resolved.udid = resolved.udid_buf;
  cp_err rc = cp_cli_resolve_udid(&resolved, err);
  if (rc != CP_OK)
    return rc;
  c = &resolved;
  cp_device_open_opts o = {c->udid, "caseprobe", c->wait_seconds,
                           on_wait, NULL,        &cp_cli_interrupted};
  return cp_device_open(&o, dev, err);
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

/* cp_cli_print_json is in cli_json.c (builds without the device side need it too). */

static cp_err null_begin(cp_sink *s, const char *path, const char *scope, cp_error *err)
{
  (void)s, (void)path, (void)scope, (void)err;
  return CP_OK;
}

static cp_err null_write(cp_sink *s, const void *buf, size_t len, cp_error *err)
{
  (void)s, (void)buf, (void)len, (void)err;
  return CP_OK;
}

static cp_err null_end(cp_sink *s, int keep, cp_error *err)
{
  (void)s, (void)keep, (void)err;
  return CP_OK;
}

static cp_err stream_write(cp_sink *s, const void *buf, size_t len, cp_error *err)
{
  FILE *f = s->impl;
  if (fwrite(buf, 1, len, f) != len)
    return cp_error_set(err, CP_E_IO, "cannot write the output");
  return CP_OK;
}

static cp_err stream_end(cp_sink *s, int keep, cp_error *err)
{
  (void)keep;
  if (fflush((FILE *)s->impl) != 0)
    return cp_error_set(err, CP_E_IO, "cannot write the output");
  return CP_OK;
}

static const cp_sink_ops null_ops = {null_begin, null_write, null_end};
static const cp_sink_ops stream_ops = {null_begin, stream_write, stream_end};

cp_sink *cp_null_sink_new(void)
{
  cp_sink *s = calloc(1, sizeof *s);
  if (s)
    s->ops = &null_ops;
  return s;
}

cp_sink *cp_stream_sink_new(FILE *f)
{
  cp_sink *s = calloc(1, sizeof *s);
  if (s) {
    s->ops = &stream_ops;
    s->impl = f;
  }
  return s;
}

void cp_simple_sink_free(cp_sink *s)
{
  if (!s)
    return;
  free(s->current);
  free(s);
}

static void on_signal(int sig)
{
  (void)sig;
  cp_cli_interrupted = 1;
}

void cp_cli_catch_signals(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  (void)sigaction(SIGINT, &sa, NULL);
  (void)sigaction(SIGTERM, &sa, NULL);
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

/* Parses argv for a command whose only options are the common ones.
 * Returns 1 to go on, 0 when done with *rc the exit status. */
static int parse_common_only(int argc, char **argv, void (*usage)(FILE *out), cp_cli *c, int *rc)
{
  int first;
  return cp_cli_parse(argc, argv, CP_CLI_UDID | CP_CLI_JSON | CP_CLI_WAIT, NULL, 0, 0, usage, c,
                      &first, rc);
}

int cp_cli_probe_command(int argc, char **argv, void (*usage)(FILE *out), const char *name,
                         cp_cli_session *s, json_t **doc, int *rc)
{
  memset(s, 0, sizeof *s);
  *doc = NULL;
  if (!parse_common_only(argc, argv, usage, &s->cli, rc))
    return 0;
  cp_error err;
  cp_error_clear(&err);
  cp_cli_catch_signals();
  s->po.cancel = &cp_cli_interrupted;
  const cp_probe *p = cp_probe_find(name);
  if (!p) {
    cp_error_set(&err, CP_E_INTERNAL, "no such probe '%s'", name);
    goto fail;
  }
  if (!(s->sink = cp_null_sink_new())) {
    cp_error_set(&err, CP_E_NOMEM, "sink");
    goto fail;
  }
  if (cp_cli_open(&s->cli, &s->dev, &err) != CP_OK)
    goto fail;
  if (p->run(s->dev, s->sink, &s->po, doc, &err) != CP_OK)
    goto fail;
  return 1;
fail:
  json_decref(*doc);
  *doc = NULL;
  *rc = cp_cli_fail(&s->cli, &err);
  cp_cli_session_close(s);
  return 0;
}

void cp_cli_session_close(cp_cli_session *s)
{
  cp_simple_sink_free(s->sink);
  s->sink = NULL;
  cp_device_close(s->dev);
  s->dev = NULL;
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
