/*
 * The device session: the device layer (probes/device*.c, conn.c, diag.c,
 * afc.c; map in device_priv.h) is the one place in caseprobe that speaks
 * libimobiledevice.
 * The agent and every probe go through it; no other file includes a
 * libimobiledevice header. Every failure is mapped to a cp_err code with a
 * detail (which device, which service), never a raw library number.
 *
 * Works the same against the system usbmuxd and against caseprobe-sim (found
 * through USBMUXD_SOCKET_ADDRESS by libusbmuxd itself).
 *
 * Threads: every cp_device, cp_afc and cp_syslog is an independent object
 * (station mode collects several devices in parallel). A cp_device's lockdown
 * client is guarded by its own mutex, so probes of one device may also share
 * it across threads. There is no global state here except the event watch,
 * which libimobiledevice itself keeps global (one watcher per process).
 */
#ifndef CP_DEVICE_H
#define CP_DEVICE_H

#include "cp_err.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cp_device cp_device;

/* Where libusbmuxd looks when USBMUXD_SOCKET_ADDRESS is not set. */
#if defined(_WIN32)
#define CP_USBMUXD_DEFAULT_ADDRESS "127.0.0.1:27015"
#else
#define CP_USBMUXD_DEFAULT_ADDRESS "UNIX:/var/run/usbmuxd"
#endif

/* One attached device as usbmuxd lists it. */
typedef struct cp_device_entry {
  char udid[64];
  int network; /* 1: reached over Wi-Fi (ignored unless named with -u) */
} cp_device_entry;

/* Lists attached devices (idevice_get_device_list_extended). *out is a new
 * array of *count entries (free()); CP_E_USBMUXD when usbmuxd cannot be reached. */
cp_err cp_device_list(cp_device_entry **out, size_t *count, cp_error *err);

/* The device a command works on: `want` when it is attached, else the only
 * device attached by USB (Wi-Fi ones only when named); its UDID into out.
 * CP_E_DEVICE_NOT_FOUND, CP_E_NO_DEVICE or CP_E_MANY_DEVICES otherwise.
 * cp_device_open picks with it; collect asks it before any question. */
cp_err cp_device_pick(const char *want, char out[64], cp_error *err);

/* 1 when udid is in usbmuxd's list now, 0 when not, -1 when usbmuxd cannot tell. */
int cp_device_attached(const char *udid);

/* The same after a failed transfer: usbmuxd learns of a pulled cable a moment
 * after the connection breaks, so this looks again for up to ~0.8 s while the
 * device is still listed. */
int cp_device_attached_after_failure(const char *udid);

/*
 * A passive look at one device for `caseprobe list`: DeviceName, ProductType,
 * ProductVersion, DeviceClass through an unpaired lockdown connection, and the
 * trust state without ever starting a pairing (no Trust dialog is shown):
 * "trusted" (our pair record opens a session), "not_paired" (no record),
 * "pairing_invalid" (the device refuses our record), "locked" or "unknown".
 * Sets *out to a new object {udid, name, product_type, product_version,
 * device_class, trust, pair_record (bool: usbmuxd holds our record),
 * device_time (the device clock, Unix seconds; absent when not given)}.
 */
cp_err cp_device_peek(const char *udid, json_t **out, cp_error *err);

/* Called while cp_device_open waits (--wait): state is CP_E_TRUST_PENDING or
 * CP_E_LOCKED; called once per state change so the agent can say it once. */
typedef void (*cp_device_wait_fn)(void *ctx, const char *udid, cp_err state);

typedef struct cp_device_open_opts {
  const char *udid;       /* NULL: the only attached device */
  const char *label;      /* lockdown Label; NULL = "caseprobe" */
  int wait_trust_seconds; /* > 0: retry pairing until trusted, denied or this long */
  cp_device_wait_fn on_wait;
  void *wait_ctx;
  volatile int *cancel; /* non-zero stops a wait (CP_E_INTERRUPTED) */
} cp_device_open_opts;

/* Opens a lockdown session (pairing automatically when there is no record).
 * Errors: CP_E_NO_DEVICE, CP_E_MANY_DEVICES, CP_E_DEVICE_NOT_FOUND,
 * CP_E_TRUST_PENDING, CP_E_TRUST_DENIED, CP_E_LOCKED, CP_E_PAIRING_INVALID,
 * CP_E_DETACHED, CP_E_TIMEOUT, CP_E_PROTOCOL, CP_E_USBMUXD. */
cp_err cp_device_open(const cp_device_open_opts *o, cp_device **out, cp_error *err);

/* Ends the session and frees everything (NULL is fine). */
void cp_device_close(cp_device *d);

const char *cp_device_udid(const cp_device *d);
/* Cached at open: ProductType ("iPhone14,5"), ProductVersion, DeviceName ("" if unknown). */
const char *cp_device_product_type(const cp_device *d);
const char *cp_device_product_version(const cp_device *d);
const char *cp_device_name(const cp_device *d);

/* Lockdown GetValue; domain and key may be NULL (the whole global domain).
 * CP_E_DEVICE_VALUE when the device has no such value (MissingValue). */
cp_err cp_device_get_value(cp_device *d, const char *domain, const char *key, json_t **out,
                           cp_error *err);

/* diagnostics_relay IORegistry entry by name and/or class: *out is the entry
 * dict itself. CP_E_DEVICE_VALUE when the device has no such entry. */
cp_err cp_device_ioreg(cp_device *d, const char *entry_name, const char *entry_class, json_t **out,
                       cp_error *err);

/* diagnostics_relay "All" or one type ("GasGauge"): *out is the Diagnostics dict. */
cp_err cp_device_diagnostics(cp_device *d, const char *type, json_t **out, cp_error *err);

/* com.apple.crashreportmover: asks the device to move pending reports into
 * the crash folder and waits for its "ping" (at most ~20 s). */
cp_err cp_device_move_crashes(cp_device *d, cp_error *err);

/* installation_proxy Browse; app_type "User", "System" or "Any". *out is an
 * array of app dicts with the attributes caseprobe shows. */
cp_err cp_device_browse_apps(cp_device *d, const char *app_type, json_t **out, cp_error *err);

/* The rest of the device layer, one header per concern (included here for
 * callers that reach the device through this header): */
#include "conn.h"          /* raw service connections (caseprobe's own clients) */
#include "device_syslog.h" /* com.apple.syslog_relay */
#include "device_watch.h"  /* attach/detach events */
/* AFC (caseprobe's own client over cp_conn) is declared in afc.h. */

#endif
