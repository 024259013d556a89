/*
 * The HTTP side of caseprobe assist (libmicrohttpd, one internal polling
 * thread per address family). Every request passes the guard first
 * (assist_guard.h): loopback client, loopback Host, the token in the path,
 * and for POST our own Origin. Responses never carry CORS headers; they say
 * no-store, no-referrer (the token is in the URL), nosniff, and a CSP that
 * allows only our own script and style.
 */
#include "assist_guard.h"
#include "assist_int.h"
#include "assist_www.h"
#include "bundle_read.h"
#include "i18n.h"

#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_BODY 8192

typedef struct conn_body {
  char buf[MAX_BODY + 1];
  size_t len;
  int too_big;
} conn_body;

static const char CSP_PAGE[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "img-src 'self'; connect-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'";
/* report.html has its own inline style and no script. */
static const char CSP_REPORT[] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                                 "frame-ancestors 'none'; base-uri 'none'";

static enum MHD_Result send_buf(struct MHD_Connection *c, unsigned status, const char *type,
                                const void *data, size_t len, enum MHD_ResponseMemoryMode mode,
                                const char *csp)
{
  struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)data, mode);
  if (!r)
    return MHD_NO;
  MHD_add_response_header(r, "Content-Type", type);
  MHD_add_response_header(r, "Cache-Control", "no-store");
  MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(r, "X-Frame-Options", "DENY");
  MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
  MHD_add_response_header(r, "Content-Security-Policy", csp ? csp : CSP_PAGE);
  enum MHD_Result ret = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ret;
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *msg)
{
  char *m = malloc(strlen(msg) + 2);
  if (!m)
    return MHD_NO;
  sprintf(m, "%s\n", msg);
  return send_buf(c, status, "text/plain; charset=utf-8", m, strlen(m), MHD_RESPMEM_MUST_FREE,
                  NULL);
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, json_t *j)
{
  char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
  json_decref(j);
  if (!s)
    return send_text(c, 500, "Out of memory.");
  return send_buf(c, status, "application/json", s, strlen(s), MHD_RESPMEM_MUST_FREE, NULL);
}

static const cp_www_file *www(const char *name)
{
  for (const cp_www_file *f = cp_www_files; f->name; f++)
    if (!strcmp(f->name, name))
      return f;
  return NULL;
}

/* The page's language: ?lang= (the switch), else the language chosen at
 * collection, else Accept-Language. */
static const char *page_lang(cp_assist *a, struct MHD_Connection *c)
{
  const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lang");
  if (q && (!strcmp(q, "en") || !strcmp(q, "zh-Hans")))
    return !strcmp(q, "en") ? "en" : "zh-Hans";
  (void)a;
  return cp_i18n_pick(
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
}

static enum MHD_Result serve_report(cp_assist *a, struct MHD_Connection *c)
{
  char *data = NULL;
  size_t len = 0;
  int truncated = 0;
  int st = cp_assist_member(a, "report.html", &data, &len, &truncated);
  if (st != 200) {
    free(data);
    return send_text(
        c, st == 409 ? 409 : 404,
        cp_assist_tr(page_lang(a, c), "There is no summary yet: collect first, then open it."));
  }
  return send_buf(c, 200, "text/html; charset=utf-8", data, len, MHD_RESPMEM_MUST_FREE, CSP_REPORT);
}

static enum MHD_Result serve_member(cp_assist *a, struct MHD_Connection *c)
{
  const char *name = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "name");
  if (!name)
    return send_text(c, 400, "Name a member: ?name=...");
  char *data = NULL;
  size_t len = 0;
  int truncated = 0;
  int st = cp_assist_member(a, name, &data, &len, &truncated);
  if (st != 200) {
    free(data);
    return send_text(c, (unsigned)st, "That file is not in the collection.");
  }
  /* Shown as text only (the page puts it in a <pre> with textContent). */
  struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
  if (!r)
    return MHD_NO;
  MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
  MHD_add_response_header(r, "Cache-Control", "no-store");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(r, "Content-Security-Policy", "default-src 'none'; sandbox");
  MHD_add_response_header(r, "X-Truncated", truncated ? "1" : "0");
  enum MHD_Result ret = MHD_queue_response(c, 200, r);
  MHD_destroy_response(r);
  return ret;
}

static enum MHD_Result route(cp_assist *a, struct MHD_Connection *c, const char *rest,
                             const char *method, conn_body *body)
{
  int post = !strcmp(method, "POST");
  const char *msg = NULL;
  if (!post) {
    if (!strcmp(rest, "") || !strcmp(rest, "index.html")) {
      const cp_www_file *f = www("index.html");
      char *html = f ? cp_assist_render((const char *)f->data, page_lang(a, c)) : NULL;
      if (!html)
        return send_text(c, 500, "The page is missing from this build.");
      return send_buf(c, 200, f->type, html, strlen(html), MHD_RESPMEM_MUST_FREE, NULL);
    }
    if (!strcmp(rest, "api/state"))
      return send_json(c, 200, cp_assist_state_json(a));
    if (!strcmp(rest, "api/member"))
      return serve_member(a, c);
    if (!strcmp(rest, "report"))
      return serve_report(a, c);
    const cp_www_file *f = strchr(rest, '/') || !strcmp(rest, "index.html") ? NULL : www(rest);
    if (f)
      return send_buf(c, 200, f->type, f->data, f->len, MHD_RESPMEM_PERSISTENT, NULL);
    if (!strncmp(rest, "api/", 4))
      return send_text(c, 405, "This action needs a POST from the page.");
    return send_text(c, 404, "Not found.");
  }
  int st;
  if (!strcmp(rest, "api/collect"))
    st = cp_assist_do_collect(a, body->buf, &msg);
  else if (!strcmp(rest, "api/send"))
    st = cp_assist_do_send(a, &msg);
  else if (!strcmp(rest, "api/save"))
    st = cp_assist_do_save(a, &msg);
  else if (!strcmp(rest, "api/cancel"))
    st = cp_assist_do_cancel(a, &msg);
  else if (!strcmp(rest, "api/close")) {
    pthread_mutex_lock(&a->mu);
    if (!a->closed)
      a->closed_at = cp_assist_now();
    a->closed = 1;
    pthread_mutex_unlock(&a->mu);
    st = 200;
  } else
    return send_text(c, 404, "Not found.");
  if (msg)
    return send_json(c, (unsigned)st,
                     json_pack("{s:s}", "error", cp_assist_tr(page_lang(a, c), msg)));
  return send_json(c, (unsigned)st, cp_assist_state_json(a));
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_data_size, void **con_cls)
{
  (void)version;
  cp_assist *a = cls;
  if (!*con_cls) {
    conn_body *b = calloc(1, sizeof *b);
    if (!b)
      return MHD_NO;
    *con_cls = b;
    return MHD_YES;
  }
  conn_body *body = *con_cls;
  if (*upload_data_size) {
    if (body->len + *upload_data_size > MAX_BODY)
      body->too_big = 1;
    else {
      memcpy(body->buf + body->len, upload_data, *upload_data_size);
      body->len += *upload_data_size;
      body->buf[body->len] = 0;
    }
    *upload_data_size = 0;
    return MHD_YES;
  }
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (!ci || !cp_assist_addr_loopback(ci->client_addr))
    return send_text(c, 403, "Refused: only this computer may use this page.");
  const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
  if (!cp_assist_host_ok(host, a->port))
    return send_text(c, 403, "Refused: this page is only reachable as 127.0.0.1 or localhost.");
  const char *rest = NULL;
  if (!cp_assist_token_path(url, a->token, &rest))
    return send_text(c, 403,
                     "Refused: this address lacks the page's key; open the address "
                     "caseprobe printed or opened.");
  int post = !strcmp(method, "POST");
  if (!post && strcmp(method, "GET") && strcmp(method, "HEAD"))
    return send_text(c, 405, "Method not allowed.");
  if (post) {
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    if (!cp_assist_origin_ok(origin, a->port))
      return send_text(c, 403, "Refused: actions are only taken from the page itself.");
    if (body->too_big)
      return send_text(c, 413, "Request too large.");
  }
  pthread_mutex_lock(&a->mu);
  a->last_seen = cp_assist_now();
  a->page_seen = 1;
  pthread_mutex_unlock(&a->mu);
  return route(a, c, rest, method, body);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
  (void)cls;
  (void)c;
  (void)toe;
  free(*con_cls);
  *con_cls = NULL;
}

static struct MHD_Daemon *listen_on(cp_assist *a, int v6, unsigned port)
{
  struct sockaddr_in in4;
  struct sockaddr_in6 in6;
  const struct sockaddr *sa;
  memset(&in4, 0, sizeof in4);
  memset(&in6, 0, sizeof in6);
  if (v6) {
    in6.sin6_family = AF_INET6;
    in6.sin6_addr = in6addr_loopback;
    in6.sin6_port = htons((uint16_t)port);
    sa = (const struct sockaddr *)&in6;
  } else {
    in4.sin_family = AF_INET;
    in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    in4.sin_port = htons((uint16_t)port);
    sa = (const struct sockaddr *)&in4;
  }
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
  return MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handler, a, MHD_OPTION_SOCK_ADDR, sa,
                          MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_CONNECTION_LIMIT,
                          (unsigned)32, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                          MHD_OPTION_END);
}

cp_err cp_assist_start(const cp_assist_opts *o, cp_assist **out, char **url, cp_error *err)
{
  *out = NULL;
  *url = NULL;
  cp_assist *a = calloc(1, sizeof *a);
  if (!a)
    return cp_error_set(err, CP_E_NOMEM, "assist");
  a->o = *o;
  if (!a->o.heartbeat_seconds)
    a->o.heartbeat_seconds = 20;
  if (!a->o.idle_seconds)
    a->o.idle_seconds = 1800;
  pthread_mutex_init(&a->mu, NULL);
  snprintf(a->phase, sizeof a->phase, "choose");
  snprintf(a->lang, sizeof a->lang, "en");
  unsigned char rnd[16];
  if (RAND_bytes(rnd, sizeof rnd) != 1) {
    free(a);
    return cp_error_set(err, CP_E_INTERNAL, "no random numbers for the page's key");
  }
  for (size_t i = 0; i < sizeof rnd; i++)
    snprintf(a->token + 2 * i, 3, "%02x", rnd[i]);
  a->d4 = listen_on(a, 0, 0);
  const union MHD_DaemonInfo *di =
      a->d4 ? MHD_get_daemon_info(a->d4, MHD_DAEMON_INFO_BIND_PORT) : NULL;
  if (!di || !di->port) {
    if (a->d4)
      MHD_stop_daemon(a->d4);
    pthread_mutex_destroy(&a->mu);
    free(a);
    return cp_error_set(err, CP_E_IO, "cannot listen on 127.0.0.1 for the page");
  }
  a->port = di->port;
  a->d6 = listen_on(a, 1, a->port); /* ::1 too, on the same port; fine when absent */
  a->last_seen = a->last_action = cp_assist_now();
  cp_assist_watch_start(a);
  char buf[128];
  snprintf(buf, sizeof buf, "http://127.0.0.1:%u/%s/", a->port, a->token);
  *url = strdup(buf);
  *out = a;
  return CP_OK;
}

/* After api/close, how long the server still answers before it stops. */
#define CP_ASSIST_CLOSE_GRACE_S 1.0

const char *cp_assist_wait(cp_assist *a, volatile int *stop)
{
  for (;;) {
    usleep(200000);
    if (stop && *stop)
      return "stopped";
    double now = cp_assist_now();
    pthread_mutex_lock(&a->mu);
    int closed = a->closed, busy = a->work_running, seen = a->page_seen;
    double last_seen = a->last_seen, last_action = a->last_action, closed_at = a->closed_at;
    pthread_mutex_unlock(&a->mu);
    /* a second's grace, so the answer to api/close reaches the page before
     * stopping the server drops its connection */
    if (closed && now - closed_at >= CP_ASSIST_CLOSE_GRACE_S)
      return "closed";
    if (closed)
      continue;
    if (busy)
      continue; /* a collection or an upload runs on even if the tab is reloading */
    if (seen && now - last_seen > a->o.heartbeat_seconds)
      return "page_gone";
    if (now - (last_action > last_seen ? last_action : last_seen) > a->o.idle_seconds)
      return "idle";
    if (!seen && now - last_action > a->o.idle_seconds)
      return "idle";
  }
}

void cp_assist_free(cp_assist *a)
{
  if (!a)
    return;
  if (a->d4)
    MHD_stop_daemon(a->d4);
  if (a->d6)
    MHD_stop_daemon(a->d6);
  cp_assist_work_stop(a);
  json_decref(a->device);
  json_decref(a->progress);
  json_decref(a->members);
  free(a->error);
  free(a->case_id);
  free(a->consent_text);
  free(a->bundle);
  free(a->saved);
  pthread_mutex_destroy(&a->mu);
  free(a);
}
