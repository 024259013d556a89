/*
 * The redactor as a cp_sink filter (probe -> redact sink -> bundle sink) and
 * the one-shot cp_redact_buffer, both thin layers over redact_stream.c.
 */
#include "redact_int.h"

#include <stdlib.h>
#include <string.h>

static cp_err to_next(void *ctx, const void *buf, size_t len, cp_error *err)
{
  return cp_sink_write((cp_sink *)ctx, buf, len, err);
}

static cp_err rs_begin(cp_sink *self, const char *path, const char *scope, cp_error *err)
{
  cp_redactor *r = self->impl;
  if (r->sink_stream)
    return cp_error_set(err, CP_E_INTERNAL, "redact sink: member still open");
  /* The member's NAME passes the redactor too (a crash report's file name
   * carries the device name): the bundle, its manifest and the redaction
   * report only ever see the redacted name, with the pseudonyms the
   * member's text and crashes/index.json get. */
  char *name = NULL;
  size_t nlen = 0;
  cp_err rc = cp_redact_buffer(r, CP_REDACT_NAMES_MEMBER, path, strlen(path), &name, &nlen, err);
  if (rc != CP_OK)
    return rc;
  rc = cp_sink_begin(r->next, name, scope, err);
  if (rc == CP_OK) {
    rc = cp_redact_stream_open(r, name, to_next, r->next, &r->sink_stream, err);
    if (rc != CP_OK) {
      cp_error ignored;
      (void)cp_sink_end(r->next, 0, &ignored);
    }
  }
  free(name);
  return rc;
}

static cp_err rs_write(cp_sink *self, const void *buf, size_t len, cp_error *err)
{
  cp_redactor *r = self->impl;
  if (!r->sink_stream)
    return cp_error_set(err, CP_E_INTERNAL, "redact sink: no open member");
  return cp_redact_stream_write(r->sink_stream, buf, len, err);
}

static cp_err rs_end(cp_sink *self, int keep, cp_error *err)
{
  cp_redactor *r = self->impl;
  cp_redact_stream *s = r->sink_stream;
  r->sink_stream = NULL;
  if (!s)
    return cp_error_set(err, CP_E_INTERNAL, "redact sink: no open member");
  cp_err rc = cp_redact_stream_close(s, keep, err);
  if (rc != CP_OK) {
    cp_error ignored;
    (void)cp_sink_end(r->next, 0, &ignored); /* a half-redacted member is never kept */
    return rc;
  }
  return cp_sink_end(r->next, keep, err);
}

static const cp_sink_ops k_redact_sink_ops = {rs_begin, rs_write, rs_end};

cp_err cp_redact_sink_init(cp_sink *self, cp_redactor *r, cp_sink *next)
{
  if (!self || !r || !next)
    return CP_E_INTERNAL;
  memset(self, 0, sizeof(*self));
  self->ops = &k_redact_sink_ops;
  self->impl = r;
  r->next = next;
  return CP_OK;
}

typedef struct membuf {
  char *p;
  size_t len, cap;
} membuf;

static cp_err to_mem(void *ctx, const void *buf, size_t len, cp_error *err)
{
  membuf *m = ctx;
  if (m->len + len + 1 > m->cap) {
    size_t n = (m->len + len + 1) * 2;
    char *np = realloc(m->p, n);
    if (!np)
      return cp_error_set(err, CP_E_NOMEM, "redacted output");
    m->p = np;
    m->cap = n;
  }
  memcpy(m->p + m->len, buf, len);
  m->len += len;
  return CP_OK;
}

cp_err cp_redact_buffer(cp_redactor *r, const char *member, const void *in, size_t len, char **out,
                        size_t *outlen, cp_error *err)
{
  cp_redact_stream *s = NULL;
  membuf m = {0};
  if (!out || !outlen)
    return cp_error_set(err, CP_E_INTERNAL, "redact buffer without output");
  *out = NULL;
  *outlen = 0;
  cp_err rc = cp_redact_stream_open(r, member, to_mem, &m, &s, err);
  if (rc != CP_OK)
    goto out;
  rc = cp_redact_stream_write(s, in, len, err);
  cp_redact_stream *tmp = s;
  s = NULL;
  if (rc != CP_OK) {
    (void)cp_redact_stream_close(tmp, 0, NULL);
    goto out;
  }
  rc = cp_redact_stream_close(tmp, 1, err);
  if (rc != CP_OK)
    goto out;
  rc = to_mem(&m, "", 0, err); /* room for the NUL even when empty */
  if (rc != CP_OK)
    goto out;
  m.p[m.len] = 0;
  *out = m.p;
  *outlen = m.len;
  m.p = NULL;
out:
  free(m.p);
  return rc;
}
