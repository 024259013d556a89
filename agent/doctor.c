/* The doctor's walk (see doctor.h). The words a person reads are here, so
 * the advice matches what each OS really does (on Linux usbmuxd starts when
 * an Apple device is plugged in: "start usbmuxd" is wrong advice there). */
#include "doctor.h"

#include "cp_err.h"
#include "device.h"
#include "doctor_os.h"
#include "product_names.h"
#include "usb_bus.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Clocks further apart than this are worth a word (report times are the device's). */
#define CLOCK_SKEW_S 120.0

typedef struct walk {
  json_t *links;
  json_t *broken; /* borrowed: the broken link's object */
  int exit_code;
  int oom;
} walk;

/* Adds one link; the first "problem" names the broken link and the exit code. */
static void add(walk *w, const char *link, const char *label, const char *verdict, int code,
                const char *udid, const char *advice, const char *fmt, ...)
{
  char detail[1024];
  va_list ap;
  va_start(ap, fmt);
  (void)vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s?}", "link", link, "label", label, "verdict",
                        verdict, "detail", detail, "advice", advice);
  if (o && udid)
    json_object_set_new(o, "udid", json_string(udid));
  if (!o || json_array_append_new(w->links, o)) {
    w->oom = 1;
    return;
  }
  /* Recovery/DFU outranks everything: usbmuxd neither serves nor lists such
   * a phone, so the links before it fail only because of it. */
  if (!strcmp(verdict, "problem") &&
      (!w->broken || (code == CP_E_RECOVERY && w->exit_code != CP_E_RECOVERY))) {
    w->broken = o;
    w->exit_code = code;
  }
}

static const char *mode_words(cp_usb_mode m)
{
  switch (m) {
  case CP_USB_NORMAL: return "normal";
  case CP_USB_RECOVERY: return "Recovery";
  case CP_USB_DFU: return "DFU";
  default: return "other";
  }
}

static const char *speed_words(int mbps)
{
  if (mbps <= 0)
    return "link speed not reported by the OS";
  if (mbps < 480)
    return mbps <= 2 ? "1.5 Mbit/s (USB 1 low speed)" : "12 Mbit/s (USB 1 full speed)";
  if (mbps == 480)
    return "480 Mbit/s (USB 2)";
  return mbps >= 10000 ? "10 Gbit/s (USB 3.1)" : "5 Gbit/s (USB 3)";
}

/* One USB device: its mode, and whether usbmuxd lists it. */
static void usb_link(walk *w, const cp_usb_dev *u, const cp_device_entry *e, size_t ne,
                     int answering)
{
  const char *where = u->location[0] ? u->location : "unknown port";
  char speed[96];
  (void)snprintf(speed, sizeof speed, "%s", speed_words(u->speed_mbps));
  if (u->mode == CP_USB_RECOVERY) {
    add(w, "usb_device", "USB device", "problem", CP_E_RECOVERY, NULL,
        "The phone is in Recovery mode: restart it normally (or finish the restore in Finder "
        "or iTunes); caseprobe reads a phone running iOS.",
        "Apple device 0x%04x in Recovery mode at %s, %s", u->product_id, where, speed);
    return;
  }
  if (u->mode == CP_USB_DFU) {
    add(w, "usb_device", "USB device", "problem", CP_E_RECOVERY, NULL,
        "The phone is in DFU mode (black screen): force-restart it, or restore it in Finder or "
        "iTunes; caseprobe reads a phone running iOS.",
        "Apple device 0x%04x in DFU mode at %s, %s", u->product_id, where, speed);
    return;
  }
  if (u->mode == CP_USB_OTHER) {
    add(w, "usb_device", "USB device", "info", 0, NULL, NULL,
        "Apple device 0x%04x (%s) at %s is not an iPhone or iPad", u->product_id,
        u->product[0] ? u->product : "no product name", where);
    return;
  }
  const char *listed = NULL;
  for (size_t i = 0; i < ne; i++)
    if (cp_usb_serial_is_udid(u->serial, e[i].udid))
      listed = e[i].udid;
  if (!listed) {
    add(w, "usb_device", "USB device", "problem", CP_E_NO_DEVICE, NULL,
        answering ? "Unlock the phone, unplug and replug it; if usbmuxd still does not list "
                    "it, restart usbmuxd (Linux: 'sudo systemctl restart usbmuxd')."
                  : "usbmuxd is not answering: on Linux its udev rule should have started it "
                    "(reinstall the usbmuxd package or run 'sudo systemctl restart usbmuxd').",
        "%s (0x%04x) at %s, %s: on USB but usbmuxd does not list it",
        u->product[0] ? u->product : "iPhone/iPad", u->product_id, where, speed);
    return;
  }
  if (u->speed_mbps > 0 && u->speed_mbps < 480)
    add(w, "usb_device", "USB device", "warning", 0, listed,
        "The link runs at USB 1 speed: use another cable or port (a hub or a worn cable "
        "slows every pull).",
        "%s (%s mode) at %s, %s", listed, mode_words(u->mode), where, speed);
  else
    add(w, "usb_device", "USB device", "ok", 0, listed, NULL, "%s (%s mode) at %s, %s", listed,
        mode_words(u->mode), where, speed);
}

/* The per-device links: lockdown, pair record, trust, lock, clock. */
static void device_links(walk *w, const char *udid)
{
  json_t *peek = NULL;
  cp_error err = {0};
  if (cp_device_peek(udid, &peek, &err) != CP_OK) {
    add(w, "lockdown", "lockdown", "problem", err.code, udid,
        "Unplug and replug the phone, unlock it, and run doctor again; if it persists restart "
        "the phone.",
        "lockdown does not answer: %s", cp_strerror(err.code));
    return;
  }
  const char *name = json_string_value(json_object_get(peek, "name"));
  const char *pt = json_string_value(json_object_get(peek, "product_type"));
  const char *ver = json_string_value(json_object_get(peek, "product_version"));
  add(w, "lockdown", "lockdown", "ok", 0, udid, NULL, "answers: %s, iOS %s",
      pt && *pt ? cp_product_name(pt) : "unknown model", ver && *ver ? ver : "unknown");
  (void)name; /* the name is the owner's: shown by 'list', not needed here */

  int record = json_is_true(json_object_get(peek, "pair_record"));
  if (record)
    add(w, "pair_record", "pair record", "ok", 0, udid, NULL, "present (usbmuxd holds it)");
  else
    add(w, "pair_record", "pair record", "info", 0, udid, NULL,
        "none yet: this computer has not been trusted by this phone");

  const char *trust = json_string_value(json_object_get(peek, "trust"));
  cp_err state = CP_OK;
  if (trust && !strcmp(trust, "trusted"))
    state = CP_OK;
  else if (trust && !strcmp(trust, "locked"))
    state = CP_E_LOCKED;
  else if (trust && !strcmp(trust, "pairing_invalid"))
    state = CP_E_PAIRING_INVALID;
  else if (trust && !strcmp(trust, "trust_denied"))
    state = CP_E_TRUST_DENIED;
  else if (trust && !strcmp(trust, "trust_pending"))
    state = CP_E_TRUST_PENDING;
  else {
    /* no record: ask (the phone shows the Trust dialog, the next step anyway) */
    cp_device_open_opts o;
    memset(&o, 0, sizeof o);
    o.udid = udid;
    cp_device *d = NULL;
    cp_error e2 = {0};
    state = cp_device_open(&o, &d, &e2);
    cp_device_close(d);
  }
  if (state == CP_OK) {
    /* Paired is not unlocked: a locked phone still answers lockdown but
     * refuses services, so ask for one (opened and closed, nothing read). */
    cp_device_open_opts o;
    memset(&o, 0, sizeof o);
    o.udid = udid;
    cp_device *d = NULL;
    cp_conn *c = NULL;
    cp_error e3 = {0};
    cp_err s = cp_device_open(&o, &d, &e3);
    if (s == CP_OK)
      s = cp_conn_open(d, "com.apple.mobile.diagnostics_relay", &c, &e3);
    cp_conn_close(c);
    cp_device_close(d);
    if (s == CP_E_LOCKED)
      state = CP_E_LOCKED;
  }
  int locked = -1;
  switch (state) {
  case CP_OK:
    add(w, "trust", "trust", "ok", 0, udid, NULL,
        record ? "paired: the phone trusts this computer"
               : "paired just now: the phone trusted this computer when asked");
    locked = 0;
    break;
  case CP_E_TRUST_PENDING:
    add(w, "trust", "trust", "problem", CP_E_TRUST_PENDING, udid,
        "Tap Trust on the phone and enter its passcode, then run again.",
        "pending: the Trust dialog is waiting on the phone");
    break;
  case CP_E_TRUST_DENIED:
    add(w, "trust", "trust", "problem", CP_E_TRUST_DENIED, udid,
        "Unplug and replug the phone, then tap Trust (not Don't Trust).",
        "denied: Don't Trust was tapped on the phone");
    break;
  case CP_E_LOCKED:
    locked = 1;
    if (record)
      add(w, "trust", "trust", "ok", 0, udid, NULL, "paired: the phone trusts this computer");
    else
      add(w, "trust", "trust", "problem", CP_E_LOCKED, udid,
          "Unlock the phone: it shows the Trust dialog only when unlocked.",
          "not asked yet: the phone is locked");
    break;
  case CP_E_PAIRING_INVALID:
    add(w, "trust", "trust", "problem", CP_E_PAIRING_INVALID, udid,
        "The phone no longer accepts this computer's pair record: unplug, replug and tap "
        "Trust again (Settings > General > Transfer or Reset > Reset Location & Privacy "
        "clears old trusts).",
        "pair record refused by the phone");
    break;
  default:
    add(w, "trust", "trust", "problem", state, udid,
        "Unplug and replug the phone, unlock it, and run doctor again.", "not known: %s",
        cp_strerror(state));
  }
  if (locked == 1)
    add(w, "locked", "locked", "problem", CP_E_LOCKED, udid,
        "Unlock the phone with its passcode and keep it unlocked while caseprobe reads it.",
        "yes: the phone is locked with its passcode");
  else if (locked == 0)
    add(w, "locked", "locked", "ok", 0, udid, NULL, "no");
  else
    add(w, "locked", "locked", "skipped", 0, udid, NULL, "not known until the phone trusts us");

  const json_t *dt = json_object_get(peek, "device_time");
  if (json_is_number(dt)) {
    double skew = json_number_value(dt) - (double)time(NULL);
    if (fabs(skew) <= CLOCK_SKEW_S)
      add(w, "clock", "clock", "ok", 0, udid, NULL, "host and device clocks agree (within %d s)",
          (int)CLOCK_SKEW_S);
    else {
      double m = fabs(skew) / 60.0;
      const char *unit = "minutes";
      if (m >= 48 * 60) {
        m /= 24 * 60;
        unit = "days";
      } else if (m >= 120) {
        m /= 60;
        unit = "hours";
      }
      add(w, "clock", "clock", "warning", 0, udid,
          "Report times are the phone's own: set the phone to set its time automatically "
          "(Settings > General > Date & Time) or note the difference in the case.",
          "the device clock is %.0f %s %s this computer's", m, unit,
          skew > 0 ? "ahead of" : "behind");
    }
  } else
    add(w, "clock", "clock", "skipped", 0, udid, NULL, "the device did not give its time");
  json_decref(peek);
}

json_t *cp_doctor_run(const char *udid)
{
  walk w = {json_array(), NULL, 0, 0};
  if (!w.links)
    return NULL;
  cp_mux_addr a;
  cp_mux_addr_get(&a);
  int on_demand = cp_doctor_usbmuxd_on_demand();

  /* 1. where usbmuxd is looked for */
  if (a.malformed) {
    add(&w, "usbmuxd_address", "usbmuxd address", "problem", CP_E_USBMUXD, NULL,
        "Set USBMUXD_SOCKET_ADDRESS to UNIX:/path/to/socket or HOST:PORT, or unset it to use "
        "the system usbmuxd.",
        "USBMUXD_SOCKET_ADDRESS is '%s', which is neither UNIX:/path nor HOST:PORT", a.text);
  } else if (a.from_env)
    add(&w, "usbmuxd_address", "usbmuxd address", "info", 0, NULL, NULL,
        "%s (from USBMUXD_SOCKET_ADDRESS)", a.text);
  else
    add(&w, "usbmuxd_address", "usbmuxd address", "ok", 0, NULL, NULL, "%s (the default)", a.text);

  /* 2, 3. the system daemon (irrelevant when another socket is named) */
  char path[512] = "";
  if (a.from_env) {
    add(&w, "usbmuxd_installed", "usbmuxd installed", "skipped", 0, NULL, NULL,
        "not checked: USBMUXD_SOCKET_ADDRESS names the socket to use");
    add(&w, "usbmuxd_running", "usbmuxd running", "skipped", 0, NULL, NULL,
        "not checked: USBMUXD_SOCKET_ADDRESS names the socket to use");
  } else {
    int inst = cp_doctor_usbmuxd_installed(path, sizeof path);
    if (inst == 1)
      add(&w, "usbmuxd_installed", "usbmuxd installed", "ok", 0, NULL, NULL, "%s", path);
    else if (inst == 0)
      add(&w, "usbmuxd_installed", "usbmuxd installed", "problem", CP_E_USBMUXD, NULL,
          on_demand ? "Install it: 'sudo apt-get install usbmuxd' (Debian/Ubuntu) or your "
                      "distribution's usbmuxd package."
                    : "Install Apple Devices (Windows) or iTunes, which bring usbmuxd.",
          "no usbmuxd program found");
    else
      add(&w, "usbmuxd_installed", "usbmuxd installed", "skipped", 0, NULL, NULL,
          "not checked on this OS");
    int run = cp_doctor_usbmuxd_running();
    if (run == 1)
      add(&w, "usbmuxd_running", "usbmuxd running", "ok", 0, NULL, NULL, "a usbmuxd process runs");
    else if (run == 0)
      add(&w, "usbmuxd_running", "usbmuxd running", "info", 0, NULL, NULL,
          "no usbmuxd process (normal on Linux while no Apple device is plugged in: udev "
          "starts it)");
    else
      add(&w, "usbmuxd_running", "usbmuxd running", "skipped", 0, NULL, NULL,
          "not checked on this OS");
  }

  /* the bus first: what is plugged in decides what a silent usbmuxd means */
  cp_usb_dev *u = NULL;
  size_t nu = 0, n_ios = 0, n_rec = 0;
  cp_error uerr = {0};
  cp_err urc = cp_usb_scan(&u, &nu, &uerr);
  for (size_t i = 0; urc == CP_OK && i < nu; i++) {
    n_ios += u[i].mode == CP_USB_NORMAL;
    n_rec += u[i].mode == CP_USB_RECOVERY || u[i].mode == CP_USB_DFU;
  }
  /* Linux, the default socket, a bus we could read and no phone running iOS
   * on it: usbmuxd is meant to be absent; the USB link says what is wrong */
  int absent_expected = on_demand && !a.from_env && urc == CP_OK && n_ios == 0;

  /* 4. does it answer, in its own protocol */
  char why[256];
  cp_sock_state ss = a.malformed ? CP_SOCK_UNKNOWN : cp_doctor_sock_probe(&a, why, sizeof why);
  cp_device_entry *e = NULL;
  size_t ne = 0;
  int answering = 0;
  const char *plug = "Plug the phone in with a data cable and check the cable and port";
  char adv[512];
  if (!a.malformed) {
    if (ss == CP_SOCK_ACCEPTS) {
      cp_error err = {0};
      if (cp_device_list(&e, &ne, &err) == CP_OK) {
        answering = 1;
        add(&w, "usbmuxd_answering", "usbmuxd answering", "ok", 0, NULL, NULL,
            "answers at %s and lists %zu device(s)", a.text, ne);
      } else
        add(&w, "usbmuxd_answering", "usbmuxd answering", "problem", CP_E_USBMUXD, NULL,
            a.from_env ? "Point USBMUXD_SOCKET_ADDRESS at a running usbmuxd (or unset it)."
                       : "Restart usbmuxd ('sudo systemctl restart usbmuxd' on Linux).",
            "something accepts connections at %s but does not answer as usbmuxd", a.text);
    } else if (ss == CP_SOCK_ABSENT) {
      (void)snprintf(adv, sizeof adv, "%s%s.", plug,
                     a.from_env ? " (or point USBMUXD_SOCKET_ADDRESS at a running usbmuxd)"
                     : on_demand
                         ? ": on Linux usbmuxd is started when an Apple device is plugged in"
                         : ", and check that Apple Devices or iTunes is installed");
      if (absent_expected)
        add(&w, "usbmuxd_answering", "usbmuxd answering", "info", 0, NULL, NULL,
            "nothing answers at %s: expected while no phone running iOS is on USB (udev "
            "starts usbmuxd when one is plugged in)",
            a.text);
      else
        add(&w, "usbmuxd_answering", "usbmuxd answering", "problem", CP_E_USBMUXD, NULL, adv,
            "nothing answers at %s: there is no socket", a.text);
    } else if (ss == CP_SOCK_REFUSED) {
      (void)snprintf(adv, sizeof adv, "%s%s.", plug,
                     a.from_env ? " (or start the usbmuxd that USBMUXD_SOCKET_ADDRESS names)"
                                : "; if the phone is plugged in, restart usbmuxd ('sudo "
                                  "systemctl restart usbmuxd' on Linux)");
      add(&w, "usbmuxd_answering", "usbmuxd answering", "problem", CP_E_USBMUXD, NULL, adv,
          "nothing answers at %s: the socket is there but no usbmuxd listens (left over)", a.text);
    } else if (ss == CP_SOCK_DENIED) {
      add(&w, "usbmuxd_answering", "usbmuxd answering", "problem", CP_E_USBMUXD, NULL,
          "Run caseprobe as a user allowed to use usbmuxd's socket (or ask the administrator).",
          "%s refuses this user: %s", a.text, why);
    } else {
      add(&w, "usbmuxd_answering", "usbmuxd answering", "problem", CP_E_USBMUXD, NULL,
          "Check USBMUXD_SOCKET_ADDRESS and that usbmuxd runs.", "cannot reach %s: %s", a.text,
          why[0] ? why : "unknown reason");
    }
  } else
    add(&w, "usbmuxd_answering", "usbmuxd answering", "skipped", 0, NULL, NULL,
        "not checked: the address is malformed");

  /* 5. the USB bus, seen by the OS */
  if (urc == CP_OK) {
    size_t ios = n_ios + n_rec;
    for (size_t i = 0; i < nu; i++)
      usb_link(&w, &u[i], e, ne, answering);
    if (!ios && ne)
      add(&w, "usb_bus", "USB bus", "info", 0, NULL, NULL,
          "no iPhone or iPad on this computer's USB; usbmuxd lists %zu device(s) it reaches "
          "another way (network or a simulator)",
          ne);
    else if (!ios)
      add(&w, "usb_bus", "USB bus", "problem", CP_E_NO_DEVICE, NULL,
          "Plug the phone in with a data cable (not a charge-only one), unlock it, and try "
          "another cable or port if it still does not appear.",
          "no iPhone or iPad on USB");
  } else
    add(&w, "usb_bus", "USB bus", "skipped", 0, NULL, NULL, "not checked: %s", uerr.detail);

  /* 6. each device usbmuxd lists */
  size_t checked = 0;
  for (size_t i = 0; i < ne && !w.oom; i++) {
    if (udid && strcmp(udid, e[i].udid))
      continue;
    checked++;
    device_links(&w, e[i].udid);
  }
  if (answering && udid && !checked)
    add(&w, "device", "device", "problem", CP_E_DEVICE_NOT_FOUND, udid,
        "Check the UDID with 'caseprobe list' and that the cable is plugged in.",
        "usbmuxd does not list %s", udid);
  else if (answering && !ne)
    add(&w, "device", "device", "problem", CP_E_NO_DEVICE, NULL,
        "Plug the phone in with a data cable, unlock it, and tap Trust if asked.",
        "usbmuxd lists no device");
  free(e);
  free(u);

  json_t *doc = NULL;
  if (!w.oom)
    doc = json_pack("{s:O, s:s, s:O?, s:i}", "links", w.links, "socket", a.text, "broken", w.broken,
                    "exit_code", w.exit_code);
  json_decref(w.links);
  return doc;
}
