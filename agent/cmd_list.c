/* caseprobe list [--watch]: the attached devices with name, model, iOS and
 * trust state, read without pairing (no Trust dialog pops up). --watch then
 * prints attach/detach events as they happen (JSON lines with --json) until
 * SIGINT. */
#include "cli_common.h"
#include "commands.h"
#include "hints.h"
#include "plist_json.h"
#include "product_names.h"
#include "table.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { OPT_WATCH = CP_OPT_FIRST_FREE };

static void usage(FILE *out)
{
  fprintf(out, "usage: caseprobe list [--watch] [--json]\n\n"
               "Lists attached devices, numbered, with name, model, iOS version and what\n"
               "to do about trust (tap Trust on the phone, unlock...). The other commands\n"
               "choose a device by its UDID, a unique UDID prefix or its name.\n"
               "  -w, --watch       then print attach/detach events until Ctrl-C\n"
               "                    (one JSON object per line with --json)\n"
               "  -j, --json        print JSON instead of text\n"
               "  -h, --help        show this help\n");
}

/* Adds the marketing name and prints one device as a table row. */
static void decorate(json_t *row, int network)
{
  const char *pt = json_string_value(json_object_get(row, "product_type"));
  json_object_set_new(row, "model", json_string(cp_product_name(pt ? pt : "")));
  json_object_set_new(row, "connection", json_string(network ? "network" : "usb"));
}

/* Column widths in display cells; names and models longer than their
 * column end with an ellipsis (table.h). */
typedef struct widths {
  size_t udid, name, model, ios;
} widths;

static const widths watch_widths = {25, 24, 22, 7};

static const char *field(const json_t *r, const char *k)
{
  const char *v = json_string_value(json_object_get(r, k));
  return v ? v : "";
}

static void print_row(const json_t *r, size_t num, const widths *w)
{
  if (num)
    printf("%2zu  ", num);
  cp_table_cell(stdout, field(r, "udid"), w->udid);
  fputs("  ", stdout);
  cp_table_cell(stdout, field(r, "name"), w->name);
  fputs("  ", stdout);
  cp_table_cell(stdout, field(r, "model"), w->model);
  fputs("  ", stdout);
  cp_table_cell(stdout, field(r, "product_version"), w->ios);
  fputs("  ", stdout);
  char buf[128];
  fputs(cp_cell_fit(cp_trust_words(field(r, "trust")), 40, 0, buf, sizeof buf), stdout);
  fputc('\n', stdout);
}

/* The widths that fit every row (and the headers), names capped at 30 cells. */
static widths measure(const json_t *rows)
{
  widths w = {4, 4, 5, 3};
  size_t i;
  json_t *r;
  json_array_foreach((json_t *)rows, i, r)
  {
    size_t c;
    if ((c = cp_str_cells(field(r, "udid"))) > w.udid)
      w.udid = c > 40 ? 40 : c;
    if ((c = cp_str_cells(field(r, "name"))) > w.name)
      w.name = c > 30 ? 30 : c;
    if ((c = cp_str_cells(field(r, "model"))) > w.model)
      w.model = c > 30 ? 30 : c;
    if ((c = cp_str_cells(field(r, "product_version"))) > w.ios)
      w.ios = c > 10 ? 10 : c;
  }
  return w;
}

static json_t *peek_row(const char *udid, int network)
{
  json_t *row = NULL;
  cp_error e;
  if (cp_device_peek(udid, &row, &e) != CP_OK) {
    row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "udid", udid, "name", "", "product_type", "",
                    "product_version", "", "trust", "unreachable", "error", cp_err_name(e.code));
  }
  if (row)
    decorate(row, network);
  return row;
}

typedef struct watch_ctx {
  pthread_mutex_t lock;
  int json;
} watch_ctx;

/* usbmuxd left or came back: said once per change, with the socket named
 * (the watch waits for it instead of exiting; see device.h). */
static void print_usbmuxd_event(watch_ctx *w, cp_device_event ev)
{
  const char *addr = getenv("USBMUXD_SOCKET_ADDRESS");
  if (!addr || !*addr)
    addr = CP_USBMUXD_DEFAULT_ADDRESS;
  int absent = ev == CP_DEV_USBMUXD_ABSENT;
  char iso[32];
  cp_iso8601_utc((long long)time(NULL), iso);
  pthread_mutex_lock(&w->lock);
  if (w->json) {
    json_t *row = json_pack("{s:s, s:s, s:s}", "event", absent ? "usbmuxd_absent" : "usbmuxd_back",
                            "socket", addr, "time", iso);
    char *line = row ? json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (line)
      printf("%s\n", line);
    free(line);
    json_decref(row);
  } else if (absent)
    printf("%s  waiting   usbmuxd does not answer at %s; waiting for it (plug the phone in "
           "and check the cable: on Linux usbmuxd starts when an Apple device is plugged in)\n",
           iso, addr);
  else
    printf("%s  usbmuxd   answers again at %s\n", iso, addr);
  (void)fflush(stdout);
  pthread_mutex_unlock(&w->lock);
}

static void on_event(void *ctx, cp_device_event ev, const char *udid, int network)
{
  watch_ctx *w = ctx;
  if (ev == CP_DEV_USBMUXD_ABSENT || ev == CP_DEV_USBMUXD_BACK) {
    print_usbmuxd_event(w, ev);
    return;
  }
  const char *name = ev == CP_DEV_ATTACHED   ? "attached"
                     : ev == CP_DEV_DETACHED ? "detached"
                                             : "paired";
  json_t *row = ev == CP_DEV_DETACHED ? json_pack("{s:s}", "udid", udid) : peek_row(udid, network);
  if (!row)
    return;
  char iso[32];
  cp_iso8601_utc((long long)time(NULL), iso);
  json_object_set_new(row, "event", json_string(name));
  json_object_set_new(row, "time", json_string(iso));
  pthread_mutex_lock(&w->lock);
  if (w->json) {
    char *line = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);
    if (line)
      printf("%s\n", line);
    free(line);
  } else if (ev == CP_DEV_DETACHED) {
    printf("%s  detached  %s\n", iso, udid);
  } else {
    printf("%s  %-8s  ", iso, name);
    print_row(row, 0, &watch_widths);
  }
  (void)fflush(stdout); /* a failed stdout is reported at exit (main.c) */
  pthread_mutex_unlock(&w->lock);
  json_decref(row);
}

static int watch(const cp_cli *c)
{
  watch_ctx w;
  cp_error err;
  pthread_mutex_init(&w.lock, NULL);
  w.json = c->json;
  cp_cli_catch_signals();
  if (cp_device_watch_start(on_event, &w, &err) != CP_OK) {
    pthread_mutex_destroy(&w.lock);
    return cp_cli_fail(c, &err);
  }
  while (!cp_cli_interrupted) {
    struct timespec ts = {0, 100000000L};
    nanosleep(&ts, NULL);
  }
  cp_device_watch_stop();
  pthread_mutex_destroy(&w.lock);
  return CP_OK;
}

int cp_cmd_list(int argc, char **argv)
{
  cp_cli c = {0};
  int do_watch = 0, first, rc0;
  cp_error err;
  const cp_cli_opt opts[] = {
      {"watch", 'w', CP_ARG_FLAG, &do_watch, 0, 0, NULL},
      {NULL, 0, CP_ARG_FLAG, NULL, 0, 0, NULL},
  };
  if (!cp_cli_parse(argc, argv, CP_CLI_JSON, opts, 0, 0, usage, &c, &first, &rc0))
    return rc0;
  if (do_watch) /* the usbmuxd Listen reply starts with an "attached" per present device */
    return watch(&c);
  cp_device_entry *e = NULL;
  size_t n = 0;
  if (cp_device_list(&e, &n, &err) != CP_OK)
    return cp_cli_fail(&c, &err);
  json_t *rows = json_array();
  for (size_t i = 0; rows && i < n; i++) {
    json_t *row = peek_row(e[i].udid, e[i].network);
    if (row)
      json_array_append_new(rows, row);
  }
  free(e);
  if (!rows)
    return cp_failf(CP_E_NOMEM, "device list");
  int rc = CP_OK;
  if (c.json) {
    json_t *doc = json_pack("{s:o}", "devices", rows);
    rc = doc ? cp_cli_print_json(doc) : CP_E_NOMEM;
    json_decref(doc);
    return rc;
  }
  widths w = measure(rows);
  if (json_array_size(rows) == 0) {
    fprintf(stderr, "caseprobe: %s\n  %s\n", cp_err_sentence(CP_E_NO_DEVICE),
            cp_hint(CP_E_NO_DEVICE));
  } else {
    json_t *head = json_pack("{s:s, s:s, s:s, s:s, s:s}", "udid", "UDID", "name", "NAME", "model",
                             "MODEL", "product_version", "IOS", "trust", "TRUST");
    fputs(" #  ", stdout);
    if (head)
      print_row(head, 0, &w);
    json_decref(head);
  }
  size_t i;
  json_t *r;
  json_array_foreach(rows, i, r) print_row(r, i + 1, &w);
  json_decref(rows);
  return rc;
}
