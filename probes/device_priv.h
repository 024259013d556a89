/*
 * Inside the device session (probes only, not a public header): the session
 * object and the helpers the files of the device layer share. The layer:
 *   device.c         listing, peek, session open/close, lockdown values, error mapping
 *   device_mover.c   com.apple.crashreportmover
 *   device_apps.c    installation_proxy Browse
 *   diag.c           diagnostics_relay (own client, own deadline)
 *   conn.c           raw service connections (+ the TLS watchdog), conn.h
 *   afc.c            caseprobe's AFC client over conn.c, afc.h
 *   device_syslog.c  com.apple.syslog_relay, device_syslog.h
 *   device_watch.c   attach/detach events, device_watch.h
 * Only these files include libimobiledevice headers.
 */
#ifndef CP_DEVICE_PRIV_H
#define CP_DEVICE_PRIV_H

#include "device.h"

#include <libimobiledevice/libimobiledevice.h>
#include <libimobiledevice/lockdown.h>
#include <pthread.h>

/* libimobiledevice 1.3.0 waits 30 s for a lockdown or service reply; a call
 * that failed after most of that is a timeout, not a bad answer. */
#define CP_LIB_RECV_TIMEOUT_S 30.0

struct cp_device {
  idevice_t idev;
  lockdownd_client_t ld;
  pthread_mutex_t lock; /* guards ld */
  char udid[64];
  char product_type[64];
  char product_version[32];
  char name[256];
  char label[64];
};

/* Monotonic seconds. */
double cp_dev_now_s(void);
/* A failed transfer, told apart: unplugged, usbmuxd gone, timed out, nonsense. */
cp_err cp_dev_transport_failure(const char *udid, double started, cp_error *err, const char *what);
/* StartService on the session; *svc is freed by the caller. */
cp_err cp_dev_start_service(cp_device *d, const char *name, lockdownd_service_descriptor_t *svc,
                            cp_error *err);

#endif
