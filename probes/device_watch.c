/* Attach/detach events (device_watch.h) on libimobiledevice's own thread
 * (one watcher per process, as the library keeps it global). */
#include "device_priv.h"

#include <string.h>

static cp_device_event_fn watch_fn;
static void *watch_ctx;

static void on_event(const idevice_event_t *ev, void *user)
{
  (void)user;
  if (!ev || !ev->udid || !watch_fn)
    return;
  cp_device_event t = ev->event == IDEVICE_DEVICE_ADD      ? CP_DEV_ATTACHED
                      : ev->event == IDEVICE_DEVICE_REMOVE ? CP_DEV_DETACHED
                                                           : CP_DEV_PAIRED;
  watch_fn(watch_ctx, t, ev->udid, ev->conn_type == CONNECTION_NETWORK);
}

cp_err cp_device_watch_start(cp_device_event_fn fn, void *ctx, cp_error *err)
{
  /* Check usbmuxd first: 1.3.0's watcher would otherwise wait silently for it. */
  cp_device_entry *e = NULL;
  size_t n = 0;
  cp_err rc = cp_device_list(&e, &n, err);
  free(e);
  if (rc != CP_OK)
    return rc;
  watch_fn = fn;
  watch_ctx = ctx;
  if (idevice_event_subscribe(on_event, NULL) != IDEVICE_E_SUCCESS)
    return cp_error_set(err, CP_E_USBMUXD, "cannot subscribe to usbmuxd events");
  return CP_OK;
}

void cp_device_watch_stop(void)
{
  (void)idevice_event_unsubscribe();
  watch_fn = NULL;
  watch_ctx = NULL;
}
