/* See hints.h. A switch without default so -Wall names any code that lacks
 * advice; codes where advice would only repeat the message return NULL. */
#include "hints.h"

#include <stdarg.h>
#include <stdio.h>

const char *cp_hint(cp_err code)
{
  switch (code) {
  case CP_OK: return NULL;
  case CP_E_INTERNAL: return "This is a bug in caseprobe: please report it with the command you ran.";
  case CP_E_USAGE: return "Run 'caseprobe COMMAND --help' for the options.";
  case CP_E_NOMEM: return "Close other programs and run again.";
  case CP_E_IO: return "Check that the folder exists and is writable, then run again.";
  case CP_E_DISK_FULL: return "Free some disk space (or choose another folder with -o), then run again; nothing partial was kept.";
  case CP_E_NOT_FOUND: return "Check the file name and run again.";
  case CP_E_PARSE: return NULL;
  case CP_E_NOT_REGULAR: return "Name a regular file (not a pipe, device or folder), then run again.";
  case CP_E_USBMUXD: return "Plug the phone in with a data cable and check the cable (on Linux usbmuxd starts when an Apple device is plugged in; on macOS and Windows install Apple Devices or iTunes), then run again; 'caseprobe doctor' names the broken link.";
  case CP_E_NO_DEVICE: return "Plug the device in with a data cable, unlock it, then run again.";
  case CP_E_MANY_DEVICES: return "Choose one with -u UDID ('caseprobe list' shows them).";
  case CP_E_DEVICE_NOT_FOUND: return "Check the UDID with 'caseprobe list' and that the cable is plugged in.";
  case CP_E_TRUST_PENDING: return "Tap Trust on the device, then run again (or add --wait to wait for the tap).";
  case CP_E_TRUST_DENIED: return "Unplug and replug the device, tap Trust when asked, then run again.";
  case CP_E_LOCKED: return "Unlock the device with its passcode, then run again.";
  case CP_E_PAIRING_INVALID: return "The device forgot this computer: unplug it, plug it back in and tap Trust, then run again.";
  case CP_E_DETACHED: return "Check the cable, plug the device back in, then run again; nothing partial was kept.";
  case CP_E_SERVICE_UNAVAILABLE: return "This iOS version does not offer it; the rest can still be collected.";
  case CP_E_TIMEOUT: return "Unlock the device and keep it awake, check the cable, then run again.";
  case CP_E_PROTOCOL: return "Unplug and replug the device, then run again; if it persists, report the iOS version.";
  case CP_E_DEVICE_VALUE: return "This device or iOS version does not report it; the other values are still shown.";
  case CP_E_RECOVERY: return "Restart the device normally (or finish the restore in Finder or iTunes), then run again.";
  case CP_E_CONSENT: return "Grant the scopes on the terminal, or pass --scope LIST --yes once the person has agreed.";
  case CP_E_VERIFY: return "The bundle was changed or damaged after it was made: collect it again.";
  case CP_E_SIGNATURE: return "Check that --key is the public key of the station that signed the bundle.";
  case CP_E_UNSAFE_PATH: return "The device offered a file name that would escape the output folder; it was skipped.";
  case CP_E_POLICY: return "Fix the policy file (see packaging/station-policy.example) and run again.";
  case CP_E_PARTIAL: return "The output lists what is missing and why.";
  case CP_E_REQUEST: return "Ask the support agent for a new case request; nothing was read from the device.";
  case CP_E_REQUEST_EXPIRED: return "Ask the support agent for a new case request; nothing was read from the device.";
  case CP_E_INSECURE_FILE: return "Make the file writable only by its owner (chmod go-w FILE), then run again.";
  case CP_E_TOO_LARGE: return "The input is larger than any real bundle or report; it was refused unread.";
  case CP_E_NETWORK: return "Check the network and the URL; the bundle was kept and the upload can be run again.";
  case CP_E_AUTH: return "Check the access key and secret (or the presigned URL's expiry); the bundle was kept.";
  case CP_E_UPLOAD: return "The bundle was kept; run 'caseprobe upload' again to resume.";
  case CP_E_INTERRUPTED: return "Nothing partial was kept; run again to start over.";
  case CP_E_EXISTS: return "Choose another output name or remove the old one.";
  }
  return NULL;
}

const char *cp_wait_message(cp_err state)
{
  switch (state) {
  case CP_E_TRUST_PENDING: return "tap Trust on the device and enter its passcode; waiting";
  case CP_E_LOCKED: return "unlock the device with its passcode; waiting";
  default: return NULL;
  }
}

int cp_fail(const cp_error *err)
{
  cp_err code = err ? err->code : CP_E_INTERNAL;
  if (code == CP_OK)
    code = CP_E_INTERNAL;
  if (err && err->detail[0])
    fprintf(stderr, "caseprobe: %s: %s\n", cp_strerror(code), err->detail);
  else
    fprintf(stderr, "caseprobe: %s\n", cp_strerror(code));
  const char *hint = cp_hint(code);
  if (hint)
    fprintf(stderr, "  %s\n", hint);
  return (int)code;
}

int cp_failf(cp_err code, const char *fmt, ...)
{
  cp_error e;
  cp_error_clear(&e);
  e.code = code;
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(e.detail, sizeof e.detail, fmt, ap);
    va_end(ap);
  }
  return cp_fail(&e);
}
