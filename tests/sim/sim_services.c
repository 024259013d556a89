/* sim_services.c: what a service port does once a client connects: the
 * fault knobs first (stall, garbage), optional service TLS, then the
 * service itself (crash mover, syslog relay, diagnostics relay,
 * installation proxy here; AFC in sim_afc.c). */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether the profile's ServiceSSL lists this service. */
bool sim_service_ssl(struct sim_device *dev, const char *service)
{
  if (!dev->service_ssl)
    return false;
  for (uint32_t i = 0; i < plist_array_get_size(dev->service_ssl); i++) {
    plist_t n = plist_array_get_item(dev->service_ssl, i);
    if (plist_get_node_type(n) == PLIST_STRING &&
        strcmp(plist_get_string_ptr(n, NULL), service) == 0)
      return true;
  }
  return false;
}

void sim_service_serve(struct sim_conn *c, const char *service)
{
  struct sim_device *dev = c->dev;
  if (dev->fault_stall && strcmp(dev->fault_stall, service) == 0) {
    sim_log(dev, "%s stalled (fault: StallService)", service);
    sim_drain(c);
    return;
  }
  if (sim_service_ssl(dev, service) && sim_tls_accept(c) != 0)
    return;
  if (dev->fault_malformed_service && strcmp(dev->fault_malformed_service, service) == 0) {
    /* garbage, then hang up: a client that then waits for an answer to
     * its Goodbye would otherwise sit out its 30 s timeout */
    sim_log(dev, "%s -> garbage (fault: MalformedService)", service);
    sim_send_garbage(c);
    return;
  }
  if (strcmp(service, "com.apple.crashreportcopymobile") == 0)
    sim_afc_serve(c);
  else if (strcmp(service, "com.apple.crashreportmover") == 0)
    sim_mover_serve(c);
  else if (strcmp(service, "com.apple.syslog_relay") == 0)
    sim_syslog_serve(c);
  else if (strcmp(service, "com.apple.mobile.diagnostics_relay") == 0)
    sim_diag_serve(c);
  else if (strcmp(service, "com.apple.mobile.installation_proxy") == 0)
    sim_instproxy_serve(c);
  sim_log(dev, "%s connection closed", service);
}

/* The real device moves pending logs before it pings; "ping\0" in one write
 * (the client reads 4 bytes, and without them waits 10 x 2 s). */
void sim_mover_serve(struct sim_conn *c)
{
  struct sim_device *dev = c->dev;
  pthread_mutex_lock(&dev->lock);
  int moved = sim_vfs_move_pending(dev->root);
  pthread_mutex_unlock(&dev->lock);
  sim_log(dev, "crashreportmover: moved %d pending file(s), ping", moved);
  if (sim_send(c, "ping", 5) == 0)
    sim_drain(c);
}

/* Replays syslog.txt as "line\n\0" messages, then stays open and idle as a
 * real device does (it never ends the stream). */
void sim_syslog_serve(struct sim_conn *c)
{
  struct sim_device *dev = c->dev;
  FILE *f = dev->syslog_path ? fopen(dev->syslog_path, "rb") : NULL;
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  long count = 0;
  bool ok = true;
  while (f && ok && (n = getline(&line, &cap, f)) > 0) {
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
      n--;
    if ((size_t)n + 2 > cap) {
      char *bigger = realloc(line, (size_t)n + 2);
      if (!bigger)
        break;
      line = bigger;
      cap = (size_t)n + 2;
    }
    line[n] = '\n';
    line[n + 1] = '\0';
    ok = sim_send(c, line, (size_t)n + 2) == 0;
    count++;
  }
  free(line);
  if (f)
    fclose(f);
  sim_log(dev, "syslog_relay: sent %ld line(s)%s", count, ok ? ", idle" : ", cut");
  if (ok)
    sim_drain(c);
}

static plist_t status_reply(const char *status)
{
  plist_t r = plist_new_dict();
  plist_dict_set_item(r, "Status", plist_new_string(status));
  return r;
}

/* IORegistry lookup: EntryName == file stem, or EntryClass == IOClass or
 * file stem; "" means absent (the tool always sends EntryClass ""). */
static plist_t ioreg_find(struct sim_device *dev, const char *name, const char *cls)
{
  if (name && *name) {
    plist_t e = plist_dict_get_item(dev->ioreg, name);
    return e ? plist_copy(e) : NULL;
  }
  if (cls && *cls) {
    plist_t e = plist_dict_get_item(dev->ioreg, cls);
    if (e)
      return plist_copy(e);
    plist_dict_iter it = NULL;
    plist_t found = NULL;
    plist_dict_new_iter(dev->ioreg, &it);
    while (it && !found) {
      char *key = NULL;
      plist_t v = NULL;
      plist_dict_next_item(dev->ioreg, it, &key, &v);
      if (!key)
        break;
      const char *ioc = sim_pstr(v, "IOClass");
      if (ioc && strcmp(ioc, cls) == 0)
        found = plist_copy(v);
      free(key);
    }
    free(it);
    return found;
  }
  return plist_copy(dev->ioreg); /* a plane: every entry by name */
}

void sim_diag_serve(struct sim_conn *c)
{
  struct sim_device *dev = c->dev;
  for (;;) {
    plist_t req = NULL;
    if (sim_plist_recv(c, &req) != 0)
      return;
    sim_latency(c);
    const char *verb = sim_pstr(req, "Request");
    plist_t resp = NULL, diag = plist_new_dict();
    bool bye = false;
    if (!verb) {
      resp = status_reply("UnknownRequest");
    } else if (strcmp(verb, "Goodbye") == 0) {
      resp = status_reply("Success");
      bye = true;
    } else if (strcmp(verb, "All") == 0) {
      resp = status_reply("Success");
      if (dev->diag_all) {
        plist_free(diag);
        diag = plist_copy(dev->diag_all);
      }
    } else if (strcmp(verb, "MobileGestalt") == 0) {
      plist_t keys = plist_dict_get_item(req, "MobileGestaltKeys"), mg = plist_new_dict();
      for (uint32_t i = 0;
           keys && plist_get_node_type(keys) == PLIST_ARRAY && i < plist_array_get_size(keys);
           i++) {
        plist_t k = plist_array_get_item(keys, i);
        if (plist_get_node_type(k) != PLIST_STRING)
          continue;
        const char *ks = plist_get_string_ptr(k, NULL);
        plist_t v = dev->gestalt ? plist_dict_get_item(dev->gestalt, ks) : NULL;
        if (v)
          plist_dict_set_item(mg, ks, plist_copy(v));
      }
      plist_dict_set_item(mg, "Status", plist_new_string("Success"));
      plist_dict_set_item(diag, "MobileGestalt", mg);
      resp = status_reply("Success");
    } else if (strcmp(verb, "IORegistry") == 0) {
      const char *name = sim_pstr(req, "EntryName"), *cls = sim_pstr(req, "EntryClass");
      plist_t e = ioreg_find(dev, name, cls);
      sim_log(dev, "diagnostics IORegistry EntryName='%s' EntryClass='%s' -> %s", name ? name : "",
              cls ? cls : "", e ? "found" : "absent");
      if (e) {
        plist_dict_set_item(diag, "IORegistry", e);
        resp = status_reply("Success");
      } else {
        resp = status_reply("Failure");
      }
    } else if (strcmp(verb, "Sleep") == 0 || strcmp(verb, "Restart") == 0 ||
               strcmp(verb, "Shutdown") == 0) {
      resp = status_reply("Success");
    } else {
      plist_t sub = dev->diag_all ? plist_dict_get_item(dev->diag_all, verb) : NULL;
      if (sub) {
        plist_dict_set_item(diag, verb, plist_copy(sub));
        resp = status_reply("Success");
      } else {
        resp = status_reply("UnknownRequest");
      }
    }
    if (!bye)
      plist_dict_set_item(resp, "Diagnostics", diag);
    else
      plist_free(diag);
    if (verb && !bye && strcmp(verb, "IORegistry") != 0)
      sim_log(dev, "diagnostics %s -> %s", verb, sim_pstr(resp, "Status"));
    int rc = sim_plist_send(c, resp, false);
    plist_free(resp);
    plist_free(req);
    if (rc != 0 || bye)
      return;
  }
}

static bool app_matches(plist_t app, const char *type, plist_t bundle_ids)
{
  if (plist_get_node_type(app) != PLIST_DICT)
    return false;
  const char *at = sim_pstr(app, "ApplicationType");
  if (type && strcmp(type, "Any") != 0 && (!at || strcmp(at, type) != 0))
    return false;
  if (bundle_ids && plist_get_node_type(bundle_ids) == PLIST_ARRAY) {
    const char *bid = sim_pstr(app, "CFBundleIdentifier");
    for (uint32_t i = 0; bid && i < plist_array_get_size(bundle_ids); i++) {
      plist_t n = plist_array_get_item(bundle_ids, i);
      if (plist_get_node_type(n) == PLIST_STRING && strcmp(plist_get_string_ptr(n, NULL), bid) == 0)
        return true;
    }
    return false;
  }
  return true;
}

static plist_t app_view(plist_t app, plist_t attrs)
{
  if (!attrs || plist_get_node_type(attrs) != PLIST_ARRAY || plist_array_get_size(attrs) == 0)
    return plist_copy(app);
  plist_t out = plist_new_dict();
  for (uint32_t i = 0; i < plist_array_get_size(attrs); i++) {
    plist_t k = plist_array_get_item(attrs, i);
    if (plist_get_node_type(k) != PLIST_STRING)
      continue;
    const char *ks = plist_get_string_ptr(k, NULL);
    plist_t v = plist_dict_get_item(app, ks);
    if (v)
      plist_dict_set_item(out, ks, plist_copy(v));
  }
  return out;
}

#define BROWSE_CHUNK 10

/* Browse answers in chunks of binary plists like a real device, then a
 * final {Status: Complete}. */
static int browse(struct sim_conn *c, plist_t opts)
{
  const char *type = sim_pstr(opts, "ApplicationType");
  plist_t attrs = opts ? plist_dict_get_item(opts, "ReturnAttributes") : NULL;
  plist_t bids = opts ? plist_dict_get_item(opts, "BundleIDs") : NULL;
  plist_t all = plist_new_array();
  uint32_t napps = c->dev->apps ? plist_array_get_size(c->dev->apps) : 0;
  for (uint32_t i = 0; i < napps; i++) {
    plist_t app = plist_array_get_item(c->dev->apps, i);
    if (app_matches(app, type, bids))
      plist_array_append_item(all, app_view(app, attrs));
  }
  uint32_t total = plist_array_get_size(all);
  sim_log(c->dev, "installation_proxy Browse ApplicationType=%s -> %u app(s)",
          type ? type : "(any)", total);
  int rc = 0;
  for (uint32_t start = 0; rc == 0 && start < total; start += BROWSE_CHUNK) {
    plist_t msg = plist_new_dict(), list = plist_new_array();
    uint32_t n = total - start < BROWSE_CHUNK ? total - start : BROWSE_CHUNK;
    for (uint32_t i = 0; i < n; i++)
      plist_array_append_item(list, plist_copy(plist_array_get_item(all, start + i)));
    plist_dict_set_item(msg, "CurrentAmount", plist_new_uint(n));
    plist_dict_set_item(msg, "CurrentIndex", plist_new_uint(start));
    plist_dict_set_item(msg, "CurrentList", list);
    plist_dict_set_item(msg, "Status", plist_new_string("BrowsingApplications"));
    plist_dict_set_item(msg, "Total", plist_new_uint(total));
    rc = sim_plist_send(c, msg, true);
    plist_free(msg);
  }
  plist_free(all);
  if (rc == 0) {
    plist_t done = status_reply("Complete");
    rc = sim_plist_send(c, done, true);
    plist_free(done);
  }
  return rc;
}

void sim_instproxy_serve(struct sim_conn *c)
{
  for (;;) {
    plist_t req = NULL;
    if (sim_plist_recv(c, &req) != 0)
      return;
    sim_latency(c);
    const char *cmd = sim_pstr(req, "Command");
    plist_t opts = plist_dict_get_item(req, "ClientOptions");
    if (opts && plist_get_node_type(opts) != PLIST_DICT)
      opts = NULL;
    int rc;
    if (cmd && strcmp(cmd, "Browse") == 0) {
      rc = browse(c, opts);
    } else if (cmd && strcmp(cmd, "Lookup") == 0) {
      plist_t res = plist_new_dict(), r = status_reply("Complete");
      plist_t bids = opts ? plist_dict_get_item(opts, "BundleIDs") : NULL;
      const char *type = sim_pstr(opts, "ApplicationType");
      uint32_t napps = c->dev->apps ? plist_array_get_size(c->dev->apps) : 0;
      for (uint32_t i = 0; i < napps; i++) {
        plist_t app = plist_array_get_item(c->dev->apps, i);
        const char *bid = sim_pstr(app, "CFBundleIdentifier");
        if (bid && app_matches(app, type, bids))
          plist_dict_set_item(
              res, bid, app_view(app, opts ? plist_dict_get_item(opts, "ReturnAttributes") : NULL));
      }
      plist_dict_set_item(r, "LookupResult", res);
      rc = sim_plist_send(c, r, true);
      plist_free(r);
    } else {
      plist_t r = plist_new_dict();
      plist_dict_set_item(r, "Error", plist_new_string("UnknownCommand"));
      plist_dict_set_item(r, "ErrorDescription", plist_new_string("not simulated"));
      rc = sim_plist_send(c, r, true);
      plist_free(r);
    }
    plist_free(req);
    if (rc != 0)
      return;
  }
}
