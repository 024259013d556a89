/*
 * cp_err: the one error enum of caseprobe, in the lowest layer so every module
 * can return it. The value is also the process exit status (like curl's
 * CURLE_*), so codes are APPEND-ONLY: never renumber or remove one, and add
 * every new code to cp_strerror() (formats/cp_err.c) and to cp_hint()
 * (agent/hints.c); both are switches so -Wall flags a missing case.
 *
 * Details (which file, which member, which key) go into a cp_error context,
 * the way libarchive keeps its message on the handle.
 */
#ifndef CP_ERR_H
#define CP_ERR_H

#include <stddef.h>

typedef enum cp_err {
  CP_OK = 0,
  CP_E_INTERNAL = 1,          /* a bug or an impossible state */
  CP_E_USAGE = 2,             /* bad command line */
  CP_E_NOMEM = 3,             /* out of memory */
  CP_E_IO = 4,                /* local file or socket I/O failed */
  CP_E_DISK_FULL = 5,         /* no space left while writing */
  CP_E_NOT_FOUND = 6,         /* a local file that was named does not exist */
  CP_E_PARSE = 7,             /* malformed input (plist, JSON, report, policy) */
  CP_E_NOT_REGULAR = 8,       /* a named input is a FIFO, device or folder, not a file */
  CP_E_USBMUXD = 10,          /* usbmuxd (or the simulator) cannot be reached */
  CP_E_NO_DEVICE = 11,        /* no device attached */
  CP_E_MANY_DEVICES = 12,     /* several devices and no -u */
  CP_E_DEVICE_NOT_FOUND = 13, /* -u names a device that is not attached */
  CP_E_TRUST_PENDING = 14,    /* the Trust dialog is waiting for a tap */
  CP_E_TRUST_DENIED = 15,     /* the person tapped Don't Trust */
  CP_E_LOCKED = 16,           /* passcode locked: services refused */
  CP_E_PAIRING_INVALID = 17,  /* our pairing record is not accepted */
  CP_E_DETACHED = 18,         /* the device went away mid-way */
  CP_E_SERVICE_UNAVAILABLE = 19, /* the service does not exist on this iOS */
  CP_E_TIMEOUT = 20,          /* the device stopped answering */
  CP_E_PROTOCOL = 21,         /* the device answered something malformed */
  CP_E_DEVICE_VALUE = 22,     /* the device's reply lacks a value we asked for */
  CP_E_RECOVERY = 23,         /* the device is in Recovery or DFU mode */
  CP_E_CONSENT = 30,          /* consent missing or refused */
  CP_E_VERIFY = 31,           /* a bundle member does not match its manifest */
  CP_E_SIGNATURE = 32,        /* bundle signature missing or wrong */
  CP_E_UNSAFE_PATH = 33,      /* a name would escape the output folder */
  CP_E_POLICY = 34,           /* the policy file is invalid */
  CP_E_PARTIAL = 35,          /* finished, but some probes failed (see output) */
  CP_E_REQUEST = 36,          /* a case request is malformed, tampered or of an unknown key */
  CP_E_REQUEST_EXPIRED = 37,  /* a case request is past its expiry */
  CP_E_INSECURE_FILE = 38,    /* a policy or key file is writable by others than its owner */
  CP_E_TOO_LARGE = 39,        /* input over a size, count or ratio limit (a bomb) */
  CP_E_NETWORK = 40,          /* the upload server cannot be reached */
  CP_E_AUTH = 41,             /* the upload server refused our credentials */
  CP_E_UPLOAD = 42,           /* the upload server refused or failed the upload */
  CP_E_INTERRUPTED = 50,      /* stopped by a signal */
  CP_E_EXISTS = 51            /* the output already exists and would be replaced */
} cp_err;

/* Short, stable, lower-case description of a code ("device is locked"). */
const char *cp_strerror(cp_err code);

/* Stable identifier for machine-readable output ("locked", "trust_pending"). */
const char *cp_err_name(cp_err code);

/* A code plus a detail sentence fragment (the file, the member, the key). */
typedef struct cp_error {
  cp_err code;
  char detail[512];
} cp_error;

/* Sets e (when not NULL) and returns code, so callers can `return cp_error_set(...)`. */
cp_err cp_error_set(cp_error *e, cp_err code, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Clears e to CP_OK with an empty detail. */
void cp_error_clear(cp_error *e);

#endif
