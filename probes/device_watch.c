/* Attach/detach events (device_watch.h): libimobiledevice's subscription,
 * supervised by a thread of our own so the watch outlives usbmuxd (one
 * watcher per process, as the library keeps it global). */
#include "device_priv.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void watch_sleep_ms(int ms)
{
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  (void)nanosleep(&ts, NULL);
}

/*
 * The watch outlives usbmuxd. On Linux usbmuxd is started by udev when an
 * Apple device is plugged in and may stop with the last one, so a station or
 * `list --watch` must wait for it rather than exit. libusbmuxd 2.0.2 does not
 * help: subscribed while usbmuxd is absent it waits for /var/run/usbmuxd
 * (ignoring USBMUXD_SOCKET_ADDRESS), and when usbmuxd goes away it reports
 * every device removed and never reconnects. So a supervisor thread polls
 * ListDevices every WATCH_POLL_MS: when usbmuxd stops answering it says so
 * once (CP_DEV_USBMUXD_ABSENT), reports the devices it knew as detached and
 * drops the subscription; when usbmuxd answers again it says so
 * (CP_DEV_USBMUXD_BACK) and subscribes afresh (usbmuxd's Listen reply then
 * announces every present device). A device usbmuxd lists for four polls
 * without our having heard of it means the subscription died unnoticed (a
 * quick restart between polls): it is renewed the same way.
 */
#define WATCH_POLL_MS 500
#define WATCH_MAX 64

static cp_device_event_fn watch_fn;
static void *watch_ctx;
static pthread_mutex_t watch_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_t watch_thread;
static volatile int watch_stop;
static int watch_running;
static char watch_known[WATCH_MAX][64]; /* attached over USB as we reported them */
static int watch_unknown_polls;

static int known_index(const char *udid)
{
  for (int i = 0; i < WATCH_MAX; i++)
    if (watch_known[i][0] && !strcmp(watch_known[i], udid))
      return i;
  return -1;
}

/* Delivers one event and keeps the set of attached devices, so a device
 * is never reported detached twice (libusbmuxd also sends removes). */
static void deliver(cp_device_event t, const char *udid, int network)
{
  pthread_mutex_lock(&watch_mu);
  cp_device_event_fn fn = watch_fn;
  void *ctx = watch_ctx;
  int skip = 0;
  if (t == CP_DEV_ATTACHED && !network) {
    if (known_index(udid) < 0)
      for (int i = 0; i < WATCH_MAX; i++)
        if (!watch_known[i][0]) {
          (void)snprintf(watch_known[i], sizeof watch_known[i], "%s", udid);
          break;
        }
  } else if (t == CP_DEV_DETACHED && !network) {
    int k = known_index(udid);
    if (k < 0)
      skip = 1;
    else
      watch_known[k][0] = '\0';
  }
  pthread_mutex_unlock(&watch_mu);
  if (fn && !skip)
    fn(ctx, t, udid, network);
}

static void on_event(const idevice_event_t *ev, void *user)
{
  (void)user;
  if (!ev || !ev->udid)
    return;
  cp_device_event t = ev->event == IDEVICE_DEVICE_ADD      ? CP_DEV_ATTACHED
                      : ev->event == IDEVICE_DEVICE_REMOVE ? CP_DEV_DETACHED
                                                           : CP_DEV_PAIRED;
  deliver(t, ev->udid, ev->conn_type == CONNECTION_NETWORK);
}

/* usbmuxd went away: every device we knew is gone with it. */
static void forget_all(void)
{
  char gone[WATCH_MAX][64];
  int n = 0;
  pthread_mutex_lock(&watch_mu);
  for (int i = 0; i < WATCH_MAX; i++)
    if (watch_known[i][0])
      memcpy(gone[n++], watch_known[i], sizeof gone[0]);
  pthread_mutex_unlock(&watch_mu);
  for (int i = 0; i < n; i++)
    deliver(CP_DEV_DETACHED, gone[i], 0);
}

/* 1 when usbmuxd lists a USB device we have not heard of. */
static int listed_but_unknown(const cp_device_entry *e, size_t n)
{
  int r = 0;
  pthread_mutex_lock(&watch_mu);
  for (size_t i = 0; i < n && !r; i++)
    if (!e[i].network && known_index(e[i].udid) < 0)
      r = 1;
  pthread_mutex_unlock(&watch_mu);
  return r;
}

static void *watch_main(void *arg)
{
  (void)arg;
  int subscribed = 0, said_absent = 0;
  while (!watch_stop) {
    cp_device_entry *e = NULL;
    size_t n = 0;
    int up = cp_device_list(&e, &n, NULL) == CP_OK;
    if (up && subscribed && listed_but_unknown(e, n)) {
      if (++watch_unknown_polls >= 4) {
        (void)idevice_event_unsubscribe(); /* stale: renew below */
        subscribed = 0;
      }
    } else
      watch_unknown_polls = 0;
    free(e);
    if (!up && (subscribed || !said_absent)) {
      if (subscribed)
        (void)idevice_event_unsubscribe();
      subscribed = 0;
      forget_all();
      if (!said_absent)
        deliver(CP_DEV_USBMUXD_ABSENT, "", 0);
      said_absent = 1;
    } else if (up && !subscribed) {
      watch_unknown_polls = 0;
      if (said_absent)
        deliver(CP_DEV_USBMUXD_BACK, "", 0);
      said_absent = 0;
      if (idevice_event_subscribe(on_event, NULL) == IDEVICE_E_SUCCESS)
        subscribed = 1;
    }
    for (int i = 0; i < WATCH_POLL_MS / 50 && !watch_stop; i++)
      watch_sleep_ms(50);
  }
  if (subscribed)
    (void)idevice_event_unsubscribe();
  return NULL;
}

cp_err cp_device_watch_start(cp_device_event_fn fn, void *ctx, cp_error *err)
{
  pthread_mutex_lock(&watch_mu);
  if (watch_running) {
    pthread_mutex_unlock(&watch_mu);
    return cp_error_set(err, CP_E_INTERNAL, "the device watch is already running");
  }
  watch_fn = fn;
  watch_ctx = ctx;
  memset(watch_known, 0, sizeof watch_known);
  watch_stop = 0;
  watch_unknown_polls = 0;
  if (pthread_create(&watch_thread, NULL, watch_main, NULL) != 0) {
    watch_fn = NULL;
    pthread_mutex_unlock(&watch_mu);
    return cp_error_set(err, CP_E_NOMEM, "cannot start the device watch");
  }
  watch_running = 1;
  pthread_mutex_unlock(&watch_mu);
  return CP_OK;
}

void cp_device_watch_stop(void)
{
  pthread_mutex_lock(&watch_mu);
  int running = watch_running;
  watch_running = 0;
  watch_stop = 1;
  pthread_mutex_unlock(&watch_mu);
  if (running)
    pthread_join(watch_thread, NULL);
  pthread_mutex_lock(&watch_mu);
  watch_fn = NULL;
  watch_ctx = NULL;
  pthread_mutex_unlock(&watch_mu);
}
