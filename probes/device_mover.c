/* com.apple.crashreportmover (device.h): asks the device to move pending
 * crash reports into the crash folder and waits for its "ping", over a raw
 * service connection (conn.c: TLS, when asked for, without a fixed sleep). */
#include "device_priv.h"

#include <string.h>

/* The mover answers once it moved everything: at most 10 x 2 s. */
#define CP_MOVER_SLICE_MS 2000u
#define CP_MOVER_SLICES 10

cp_err cp_device_move_crashes(cp_device *d, cp_error *err)
{
  cp_conn *c = NULL;
  cp_err rc = cp_conn_open(d, "com.apple.crashreportmover", &c, err);
  if (rc != CP_OK)
    return rc;
  /* The device writes "ping" once it has moved everything. */
  char buf[8] = {0};
  size_t have = 0;
  rc = cp_error_set(err, CP_E_TIMEOUT, "%s did not finish moving crash reports", d->udid);
  for (int i = 0; i < CP_MOVER_SLICES && have < 4; i++) {
    size_t got = 0;
    cp_conn_rc r = cp_conn_recv(c, buf + have, 4 - have, CP_MOVER_SLICE_MS, &got);
    if (r == CP_CONN_OK) {
      have += got;
      i--; /* progress: the 20 s are for silence */
    } else if (r != CP_CONN_IDLE) {
      rc = cp_dev_lost(d->udid, 0, "moving crash reports", err);
      break;
    }
  }
  if (have == 4)
    rc = memcmp(buf, "ping", 4) == 0
             ? CP_OK
             : cp_error_set(err, CP_E_PROTOCOL, "%s's crash report mover said something else",
                            d->udid);
  if (rc == CP_OK)
    cp_error_clear(err);
  cp_conn_close(c);
  return rc;
}
