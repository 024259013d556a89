/* Descriptions and names of cp_err codes: switches, so a new code without a
 * wording is a compiler warning rather than a silent "unknown error". */
#include "cp_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *cp_strerror(cp_err code)
{
  switch (code) {
  case CP_OK: return "success";
  case CP_E_INTERNAL: return "internal error";
  case CP_E_USAGE: return "invalid command line";
  case CP_E_NOMEM: return "out of memory";
  case CP_E_IO: return "input/output error";
  case CP_E_DISK_FULL: return "disk full";
  case CP_E_NOT_FOUND: return "file not found";
  case CP_E_PARSE: return "malformed input";
  case CP_E_NOT_REGULAR: return "not a regular file";
  case CP_E_USBMUXD: return "cannot reach usbmuxd";
  case CP_E_NO_DEVICE: return "no device attached";
  case CP_E_MANY_DEVICES: return "several devices attached";
  case CP_E_DEVICE_NOT_FOUND: return "device not attached";
  case CP_E_TRUST_PENDING: return "waiting for Trust on the device";
  case CP_E_TRUST_DENIED: return "the device does not trust this computer";
  case CP_E_LOCKED: return "device is locked";
  case CP_E_PAIRING_INVALID: return "pairing record not accepted";
  case CP_E_DETACHED: return "device was disconnected";
  case CP_E_SERVICE_UNAVAILABLE: return "service not available on this device";
  case CP_E_TIMEOUT: return "device stopped answering";
  case CP_E_PROTOCOL: return "device sent a malformed reply";
  case CP_E_DEVICE_VALUE: return "the device did not report a value";
  case CP_E_RECOVERY: return "device is in Recovery or DFU mode";
  case CP_E_CONSENT: return "consent not given";
  case CP_E_VERIFY: return "bundle verification failed";
  case CP_E_SIGNATURE: return "bundle signature invalid";
  case CP_E_UNSAFE_PATH: return "unsafe file name";
  case CP_E_POLICY: return "invalid policy";
  case CP_E_PARTIAL: return "finished with some parts missing";
  case CP_E_REQUEST: return "case request not valid";
  case CP_E_REQUEST_EXPIRED: return "case request expired";
  case CP_E_INSECURE_FILE: return "file is writable by others";
  case CP_E_TOO_LARGE: return "input too large";
  case CP_E_NETWORK: return "cannot reach the upload server";
  case CP_E_AUTH: return "upload credentials refused";
  case CP_E_UPLOAD: return "upload failed";
  case CP_E_INTERRUPTED: return "interrupted";
  case CP_E_EXISTS: return "output already exists";
  }
  return "unknown error";
}

const char *cp_err_name(cp_err code)
{
  switch (code) {
  case CP_OK: return "ok";
  case CP_E_INTERNAL: return "internal";
  case CP_E_USAGE: return "usage";
  case CP_E_NOMEM: return "nomem";
  case CP_E_IO: return "io";
  case CP_E_DISK_FULL: return "disk_full";
  case CP_E_NOT_FOUND: return "not_found";
  case CP_E_PARSE: return "parse";
  case CP_E_NOT_REGULAR: return "not_regular";
  case CP_E_USBMUXD: return "usbmuxd";
  case CP_E_NO_DEVICE: return "no_device";
  case CP_E_MANY_DEVICES: return "many_devices";
  case CP_E_DEVICE_NOT_FOUND: return "device_not_found";
  case CP_E_TRUST_PENDING: return "trust_pending";
  case CP_E_TRUST_DENIED: return "trust_denied";
  case CP_E_LOCKED: return "locked";
  case CP_E_PAIRING_INVALID: return "pairing_invalid";
  case CP_E_DETACHED: return "detached";
  case CP_E_SERVICE_UNAVAILABLE: return "service_unavailable";
  case CP_E_TIMEOUT: return "timeout";
  case CP_E_PROTOCOL: return "protocol";
  case CP_E_DEVICE_VALUE: return "device_value";
  case CP_E_RECOVERY: return "recovery";
  case CP_E_CONSENT: return "consent";
  case CP_E_VERIFY: return "verify";
  case CP_E_SIGNATURE: return "signature";
  case CP_E_UNSAFE_PATH: return "unsafe_path";
  case CP_E_POLICY: return "policy";
  case CP_E_PARTIAL: return "partial";
  case CP_E_REQUEST: return "request";
  case CP_E_REQUEST_EXPIRED: return "request_expired";
  case CP_E_INSECURE_FILE: return "insecure_file";
  case CP_E_TOO_LARGE: return "too_large";
  case CP_E_NETWORK: return "network";
  case CP_E_AUTH: return "auth";
  case CP_E_UPLOAD: return "upload";
  case CP_E_INTERRUPTED: return "interrupted";
  case CP_E_EXISTS: return "exists";
  }
  return "unknown";
}

cp_err cp_error_set(cp_error *e, cp_err code, const char *fmt, ...)
{
  if (e) {
    e->code = code;
    e->detail[0] = '\0';
    if (fmt) {
      va_list ap;
      va_start(ap, fmt);
      (void)vsnprintf(e->detail, sizeof e->detail, fmt, ap);
      va_end(ap);
    }
  }
  return code;
}

void cp_error_clear(cp_error *e)
{
  if (e) {
    e->code = CP_OK;
    e->detail[0] = '\0';
  }
}
