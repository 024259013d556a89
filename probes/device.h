/*
 * The device session: the one place in caseprobe that speaks libimobiledevice.
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
 * CP_E_NOT_FOUND when the device has no such value (MissingValue). */
cp_err cp_device_get_value(cp_device *d, const char *domain, const char *key, json_t **out,
                           cp_error *err);

/* diagnostics_relay IORegistry entry by name and/or class: *out is the entry
 * dict itself. CP_E_NOT_FOUND when the device has no such entry. */
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

/* --- a raw service connection (caseprobe's own protocol clients: probes/afc.c) ---
 * StartService on the session (under its lock), then a new usbmux connection
 * to the port, TLS when the service asks for it. The bytes are the caller's
 * to frame and to validate. */
typedef struct cp_conn cp_conn;

cp_err cp_conn_open(cp_device *d, const char *service, cp_conn **out, cp_error *err);
/* Sends all len bytes; CP_E_IO when the connection is broken. */
cp_err cp_conn_send(cp_conn *c, const void *buf, size_t len, cp_error *err);

typedef enum cp_conn_rc {
  CP_CONN_OK,     /* *got (1..len) bytes arrived */
  CP_CONN_IDLE,   /* nothing within timeout_ms */
  CP_CONN_BROKEN, /* closed or failed */
  CP_CONN_STALLED /* TLS: nothing for 10 s, the connection was shut down */
} cp_conn_rc;

/* One receive of at most len bytes, waiting at most timeout_ms (a TLS
 * connection in libimobiledevice 1.3.0 waits until len bytes or failure). */
cp_conn_rc cp_conn_recv(cp_conn *c, void *buf, size_t len, unsigned timeout_ms, size_t *got);
void cp_conn_close(cp_conn *c);
cp_device *cp_conn_device(const cp_conn *c);

/* --- AFC on a named service (com.apple.crashreportcopymobile, com.apple.afc) ---
 * caseprobe's own AFC client over cp_conn (probes/afc.c, formats/afc/afc_proto.c):
 * every reply length is validated; a pulled cable is CP_E_DETACHED, a silent
 * service CP_E_TIMEOUT after 10 s without a byte, nonsense CP_E_PROTOCOL.
 * One cp_afc is used by one thread at a time. */
typedef struct cp_afc cp_afc;

typedef enum cp_afc_type { CP_AFC_FILE, CP_AFC_DIR, CP_AFC_LINK, CP_AFC_OTHER } cp_afc_type;

typedef struct cp_afc_stat {
  uint64_t size;
  int64_t mtime; /* Unix seconds */
  cp_afc_type type;
} cp_afc_stat;

cp_err cp_afc_open(cp_device *d, const char *service, cp_afc **out, cp_error *err);
void cp_afc_close(cp_afc *a);
/* Entry names of a folder without "." and ".."; NULL-terminated, free with cp_afc_names_free. */
cp_err cp_afc_list(cp_afc *a, const char *path, char ***names, cp_error *err);
void cp_afc_names_free(char **names);
cp_err cp_afc_stat_path(cp_afc *a, const char *path, cp_afc_stat *st, cp_error *err);
cp_err cp_afc_file_open(cp_afc *a, const char *path, uint64_t *handle, cp_error *err);
/* One FILE_READ of up to len bytes; *got = 0 at end of file.
 * Never ask for more than the file has left (st_size minus what was read):
 * libimobiledevice 1.3.0 miscounts a reply cut short by a pulled cable and
 * copies min(its count, len) bytes from a buffer the size of the reply, so a
 * larger len reads past that buffer. With len equal to what is left the copy
 * stays inside it, and the close (below) tells whether the reply was whole. */
cp_err cp_afc_file_read(cp_afc *a, uint64_t handle, void *buf, uint32_t len, uint32_t *got,
                        cp_error *err);
/* FILE_CLOSE. Every reply before it was read to its exact, checked length;
 * the close's own STATUS is checked before the next request's reply (see
 * probes/afc.c). An error: the connection is lost. */
cp_err cp_afc_file_close(cp_afc *a, uint64_t handle, cp_error *err);
cp_err cp_afc_remove(cp_afc *a, const char *path, cp_error *err);

/* --- com.apple.syslog_relay --- */
typedef struct cp_syslog cp_syslog;

cp_err cp_syslog_open(cp_device *d, cp_syslog **out, cp_error *err);
/* Reads what arrives within timeout_ms; CP_OK with *got = 0 when nothing did. */
cp_err cp_syslog_read(cp_syslog *s, void *buf, uint32_t len, uint32_t *got, unsigned timeout_ms,
                      cp_error *err);
void cp_syslog_close(cp_syslog *s);

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
 * CP_DEV_USBMUXD_BACK when it answers again (see device.c). */
cp_err cp_device_watch_start(cp_device_event_fn fn, void *ctx, cp_error *err);
void cp_device_watch_stop(void);

#endif
