/* See cli_common.h. */
#include "cli_common.h"

#include "hints.h"

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

int cp_cli_print_json(const json_t *v)
{
  if (json_dumpf(v, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) != 0)
    return CP_E_IO;
  fputc('\n', stdout);
  return CP_OK;
}

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
