/* The USB bus scan (see usb_bus.h): sysfs on Linux; a clearly stated "not
 * available on this OS" elsewhere, so the doctor still walks the rest. */
#include "usb_bus.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__linux__)
#include <dirent.h>
#endif

cp_usb_mode cp_usb_mode_of(unsigned pid)
{
  if (pid == CP_USB_PID_DFU)
    return CP_USB_DFU;
  if (pid >= CP_USB_PID_RECOVERY_FIRST && pid <= CP_USB_PID_RECOVERY_LAST)
    return CP_USB_RECOVERY;
  if (pid >= CP_USB_PID_IOS_FIRST && pid <= CP_USB_PID_IOS_LAST)
    return CP_USB_NORMAL;
  return CP_USB_OTHER;
}

int cp_usb_serial_is_udid(const char *serial, const char *udid)
{
  if (!serial || !udid || !*serial || !*udid)
    return 0;
  const char *a = serial, *b = udid;
  while (*a || *b) {
    if (*b == '-') {
      b++;
      continue;
    }
    if (!*a || !*b || tolower((unsigned char)*a) != tolower((unsigned char)*b))
      return 0;
    a++;
    b++;
  }
  return 1;
}

#if defined(__linux__)

/* One sysfs attribute, first line, trailing space cut; "" when absent. */
static void attr(const char *dir, const char *name, char *out, size_t n)
{
  char path[4096];
  out[0] = '\0';
  if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
    return;
  FILE *f = fopen(path, "r");
  if (!f)
    return;
  if (!fgets(out, (int)n, f))
    out[0] = '\0';
  fclose(f);
  size_t l = strlen(out);
  while (l && isspace((unsigned char)out[l - 1]))
    out[--l] = '\0';
  /* device text reaches a terminal: keep it printable */
  for (size_t i = 0; i < l; i++)
    if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
      out[i] = '?';
}

static int by_location(const void *a, const void *b)
{
  const cp_usb_dev *x = a, *y = b;
  int c = strcmp(x->location, y->location);
  return c ? c : strcmp(x->serial, y->serial);
}

cp_err cp_usb_scan(cp_usb_dev **out, size_t *count, cp_error *err)
{
  *out = NULL;
  *count = 0;
  const char *root = getenv("CASEPROBE_SYSFS_ROOT");
  if (!root || !*root)
    root = "/sys";
  char base[4096];
  if (snprintf(base, sizeof base, "%s/bus/usb/devices", root) >= (int)sizeof base)
    return cp_error_set(err, CP_E_NOT_FOUND, "sysfs root too long");
  DIR *d = opendir(base);
  if (!d)
    return cp_error_set(err, CP_E_NOT_FOUND, "cannot read %s", base);
  cp_usb_dev *v = NULL;
  size_t n = 0, cap = 0;
  cp_err rc = CP_OK;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.' || strchr(e->d_name, ':'))
      continue; /* interfaces ("1-1:1.0") carry no idVendor */
    char dir[4096], buf[256];
    if (snprintf(dir, sizeof dir, "%s/%s", base, e->d_name) >= (int)sizeof dir)
      continue;
    attr(dir, "idVendor", buf, sizeof buf);
    if (strtoul(buf, NULL, 16) != CP_USB_APPLE_VENDOR || !buf[0])
      continue;
    if (n == cap) {
      size_t nc = cap ? cap * 2 : 4;
      cp_usb_dev *nv = realloc(v, nc * sizeof *nv);
      if (!nv) {
        rc = cp_error_set(err, CP_E_NOMEM, "USB device list");
        break;
      }
      v = nv;
      cap = nc;
    }
    cp_usb_dev *u = &v[n];
    memset(u, 0, sizeof *u);
    attr(dir, "idProduct", buf, sizeof buf);
    u->product_id = (unsigned)strtoul(buf, NULL, 16);
    u->mode = cp_usb_mode_of(u->product_id);
    attr(dir, "serial", u->serial, sizeof u->serial);
    attr(dir, "product", u->product, sizeof u->product);
    attr(dir, "speed", buf, sizeof buf);
    u->speed_mbps = atoi(buf);
    char bus[32], path[64];
    attr(dir, "busnum", bus, sizeof bus);
    attr(dir, "devpath", path, sizeof path);
    if (bus[0] && path[0])
      (void)snprintf(u->location, sizeof u->location, "bus %s, port %s", bus, path);
    n++;
  }
  closedir(d);
  if (rc != CP_OK) {
    free(v);
    return rc;
  }
  if (n > 1)
    qsort(v, n, sizeof *v, by_location); /* readdir's order is arbitrary */
  *out = v;
  *count = n;
  return CP_OK;
}

#elif defined(__APPLE__)

/* macOS: the IOKit registry (IOUSBHostDevice) would answer; not written yet. */
cp_err cp_usb_scan(cp_usb_dev **out, size_t *count, cp_error *err)
{
  *out = NULL;
  *count = 0;
  return cp_error_set(err, CP_E_SERVICE_UNAVAILABLE,
                      "the USB bus scan is not available on macOS yet");
}

#else

/* Windows and others: SetupAPI would answer; not written yet. */
cp_err cp_usb_scan(cp_usb_dev **out, size_t *count, cp_error *err)
{
  *out = NULL;
  *count = 0;
  return cp_error_set(err, CP_E_SERVICE_UNAVAILABLE,
                      "the USB bus scan is not available on this OS");
}

#endif
