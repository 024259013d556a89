/* device_watch.h: part of the device layer (see device_priv.h for the map). */
#ifndef CP_DEVICE_WATCH_H
#define CP_DEVICE_WATCH_H

#include "cp_err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct cp_device cp_device;

/* --- attach/detach events (caseprobe list --watch, station) --- */
typedef enum cp_device_event {
  CP_DEV_ATTACHED,
  CP_DEV_DETACHED,
  CP_DEV_PAIRED,
  CP_DEV_USBMUXD_ABSENT, /* usbmuxd stopped answering (or was absent at start); udid "" */
  CP_DEV_USBMUXD_BACK    /* usbmuxd answers again; attach events follow; udid "" */
} cp_device_event;
typedef void (*cp_device_event_fn)(void *ctx, cp_device_event ev, const char *udid, int network);

/* Starts delivering events (one watcher per process), from libimobiledevice's
 * thread and from the watch's own thread, one at a time per source. Never
 * fails because usbmuxd is absent: it waits for it, says
 * CP_DEV_USBMUXD_ABSENT once (devices it knew are reported detached), and
 * CP_DEV_USBMUXD_BACK when it answers again (see device_watch.c). */
cp_err cp_device_watch_start(cp_device_event_fn fn, void *ctx, cp_error *err);
void cp_device_watch_stop(void);

#endif
