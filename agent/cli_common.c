/* See cli_common.h: the device session helpers (-u resolution, opening the
 * device, signals, simple sinks); option parsing is in cli_parse.c. */
#include "cli_common.h"

#include "bundle_read.h"
#include "hints.h"
#include "platform.h"
#include "registry.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

volatile int cp_cli_interrupted;

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
  cp_on_stop_request(on_signal, 0); /* Ctrl-C, SIGTERM; the console handler on Windows */
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
