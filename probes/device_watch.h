/* device_watch.h: part of the device layer (see device_priv.h for the map). */
#ifndef CP_DEVICE_WATCH_H
#define CP_DEVICE_WATCH_H

#include "cp_err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct cp_device cp_device;

/* --- attach/detach events (caseprobe list --watch) --- */
typedef enum cp_device_event { CP_DEV_ATTACHED, CP_DEV_DETACHED, CP_DEV_PAIRED } cp_device_event;
typedef void (*cp_device_event_fn)(void *ctx, cp_device_event ev, const char *udid, int network);

/* Starts delivering events on libimobiledevice's thread (one watcher per process). */
cp_err cp_device_watch_start(cp_device_event_fn fn, void *ctx, cp_error *err);
void cp_device_watch_stop(void);

#endif
