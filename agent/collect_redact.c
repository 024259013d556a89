/* See collect_redact.h. One thread, joined once; the sink is a thin gate in
 * front of the redact sink (formats/redact) that joins it at the first
 * begin. */
#include "collect_redact.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct cp_collect_red {
  cp_sink gate;  /* what probes write to */
  cp_sink inner; /* the redact sink, once the redactor is there */
  cp_sink *next;
  cp_redact_config cfg;
  pthread_t th;
  int running; /* th not joined yet */
  int ready;   /* inner is set up */
  cp_redactor *red;
  cp_err rc;
  cp_error err;
};

static void *compile_main(void *arg)
{
  cp_collect_red *c = arg;
  c->rc = cp_redactor_new(&c->cfg, &c->red, &c->err);
  return NULL;
}

cp_err cp_collect_red_wait(cp_collect_red *c, cp_redactor **out, cp_error *err)
{
  if (c->running) {
    pthread_join(c->th, NULL);
    c->running = 0;
  }
  if (c->rc != CP_OK) {
    *err = c->err;
    return c->rc;
  }
  *out = c->red;
  return CP_OK;
}

static cp_err gate_begin(cp_sink *s, const char *path, const char *scope, cp_error *err)
{
  cp_collect_red *c = s->impl;
  if (!c->ready) {
    cp_redactor *red = NULL;
    cp_err rc = cp_collect_red_wait(c, &red, err);
    if (rc == CP_OK)
      rc = cp_redact_sink_init(&c->inner, red, c->next);
    if (rc != CP_OK)
      return rc == CP_E_INTERNAL && c->rc == CP_OK ? cp_error_set(err, rc, "redact sink") : rc;
    c->ready = 1;
  }
  return cp_sink_begin(&c->inner, path, scope, err);
}

static cp_err gate_write(cp_sink *s, const void *buf, size_t len, cp_error *err)
{
  cp_collect_red *c = s->impl;
  return cp_sink_write(&c->inner, buf, len, err);
}

static cp_err gate_end(cp_sink *s, int keep, cp_error *err)
{
  cp_collect_red *c = s->impl;
  return cp_sink_end(&c->inner, keep, err);
}

static const cp_sink_ops gate_ops = {gate_begin, gate_write, gate_end};

cp_err cp_collect_red_start(const cp_redact_config *cfg, cp_collect_red **out, cp_error *err)
{
  cp_collect_red *c = calloc(1, sizeof *c);
  *out = NULL;
  if (!c)
    return cp_error_set(err, CP_E_NOMEM, "redactor");
  c->cfg = *cfg;
  c->gate.ops = &gate_ops;
  c->gate.impl = c;
  if (pthread_create(&c->th, NULL, compile_main, c) == 0)
    c->running = 1;
  else
    (void)compile_main(c); /* no thread: the same work, here */
  *out = c;
  return CP_OK;
}

cp_sink *cp_collect_red_sink(cp_collect_red *c, cp_sink *next)
{
  c->next = next;
  return &c->gate;
}

void cp_collect_red_free(cp_collect_red *c)
{
  if (!c)
    return;
  if (c->running)
    pthread_join(c->th, NULL);
  free(c->inner.current);
  free(c->gate.current);
  cp_redactor_free(c->red);
  free(c);
}
