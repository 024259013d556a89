/* device_syslog.h: part of the device layer (see device_priv.h for the map). */
#ifndef CP_DEVICE_SYSLOG_H
#define CP_DEVICE_SYSLOG_H

#include "cp_err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct cp_device cp_device;

/* --- com.apple.syslog_relay --- */
typedef struct cp_syslog cp_syslog;

cp_err cp_syslog_open(cp_device *d, cp_syslog **out, cp_error *err);
/* Reads what arrives within timeout_ms; CP_OK with *got = 0 when nothing did. */
cp_err cp_syslog_read(cp_syslog *s, void *buf, uint32_t len, uint32_t *got, unsigned timeout_ms,
                      cp_error *err);
void cp_syslog_close(cp_syslog *s);

#endif
