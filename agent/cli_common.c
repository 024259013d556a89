/* See cli_common.h. */
#include "cli_common.h"

#include "hints.h"
#include "registry.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

volatile int cp_cli_interrupted;

const char cp_cli_common_help[] =
    "  -u, --udid UDID   the device to use (default: the only one attached)\n"
    "      --json        print one JSON document on stdout instead of text\n"
    "      --wait[=SECS] wait (default 60 s) for Trust to be tapped or the device unlocked\n"
    "  -h, --help        show this help\n";

int cp_cli_common_opt(cp_cli *c, int opt, const char *arg)
{
  switch (opt) {
  case 'u': c->udid = arg; return 1;
  case CP_OPT_JSON: c->json = 1; return 1;
  case CP_OPT_WAIT: {
    if (!arg) {
      c->wait_seconds = 60;
      return 1;
    }
    char *end = NULL;
    long v = strtol(arg, &end, 10);
    if (!end || *end || v <= 0 || v > 86400)
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

cp_err cp_cli_open(const cp_cli *c, cp_device **dev, cp_error *err)
{
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
                            cp_err_name((cp_err)code), "message", cp_strerror((cp_err)code),
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
  static const struct option longopts[] = {CP_CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
  int opt;
  optind = 1;
  while ((opt = getopt_long(argc, argv, "u:h", longopts, NULL)) != -1) {
    if (opt == 'h') {
      usage(stdout);
      *rc = CP_OK;
      return 0;
    }
    if (cp_cli_common_opt(c, opt, optarg) != 1) {
      usage(stderr);
      *rc = CP_E_USAGE;
      return 0;
    }
  }
  if (optind != argc) {
    usage(stderr);
    *rc = CP_E_USAGE;
    return 0;
  }
  return 1;
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
