/*
 * What the operating system sees on USB, independent of usbmuxd: every Apple
 * device (vendor 0x05ac) with its product id, serial, link speed and place on
 * the bus. This is how `caseprobe doctor` tells "no phone on the cable" from
 * "a phone in Recovery or DFU mode" (usbmuxd never lists those) from "a phone
 * on the bus that usbmuxd does not list".
 *
 * Linux reads sysfs: <root>/bus/usb/devices/<port>/{idVendor, idProduct,
 * speed, serial, busnum, devpath, product}, with <root> = $CASEPROBE_SYSFS_ROOT
 * or "/sys" (tests point it at fixture trees). Other systems: the scan answers
 * CP_E_SERVICE_UNAVAILABLE ("not available on this OS"); their branch lives
 * in this file's #else.
 */
#ifndef CP_USB_BUS_H
#define CP_USB_BUS_H

#include "cp_err.h"

#include <stddef.h>

#define CP_USB_APPLE_VENDOR 0x05ac
#define CP_USB_PID_DFU 0x1227
#define CP_USB_PID_RECOVERY_FIRST 0x1280 /* 0x1280..0x1283: Recovery (iBoot) */
#define CP_USB_PID_RECOVERY_LAST 0x1283
#define CP_USB_PID_IOS_FIRST 0x1290 /* 0x1290..0x12af: iPhone/iPad/iPod, normal mode */
#define CP_USB_PID_IOS_LAST 0x12af

typedef enum cp_usb_mode {
  CP_USB_NORMAL,   /* an iPhone/iPad running iOS: usbmuxd should list it */
  CP_USB_RECOVERY, /* iBoot Recovery mode */
  CP_USB_DFU,      /* DFU mode (the screen is black) */
  CP_USB_OTHER     /* another Apple product (keyboard, adapter, Mac) */
} cp_usb_mode;

typedef struct cp_usb_dev {
  unsigned product_id;
  cp_usb_mode mode;
  char serial[256];   /* iOS: the UDID without dash; Recovery/DFU: "CPID:... ECID:..." */
  char product[64];   /* the device's product string ("iPhone"), "" if none */
  char location[112]; /* "bus 1, port 1.2" ("" if unknown) */
  int speed_mbps;     /* 480 (USB 2), 5000 (USB 3) ...; 0 when the OS does not say */
} cp_usb_dev;

/* Scans the bus for Apple devices. *out is a new array of *count entries
 * (free()); no Apple device is CP_OK with 0. CP_E_SERVICE_UNAVAILABLE when
 * this OS has no scan (detail says so), CP_E_NOT_FOUND when the sysfs root
 * has no bus/usb/devices folder. */
cp_err cp_usb_scan(cp_usb_dev **out, size_t *count, cp_error *err);

/* The mode a product id means (vendor already known to be Apple). */
cp_usb_mode cp_usb_mode_of(unsigned product_id);

/* 1 when a USB serial and a usbmuxd UDID name the same device (the UDID's
 * dash and letter case are ignored; Recovery/DFU serials never match). */
int cp_usb_serial_is_udid(const char *serial, const char *udid);

#endif
