/* caseprobe doctor: prints the walk of agent/doctor.c, one line per link
 * ("ok", "FAIL", "warn", "info", "skip"), the advice under each link that
 * needs one, and which link is broken. Exit status: 0 when nothing is broken,
 * else the code of the first broken link (10 usbmuxd, 11 no device, 14 Trust
 * pending, 16 locked, 23 Recovery/DFU ...), so scripts can branch on it. */
#include "cli_common.h"
#include "commands.h"
#include "doctor.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
  fprintf(out, "usage: caseprobe doctor [-u UDID] [--json]\n\n"
               "Walks the chain from this computer to the phone and names the broken link:\n"
               "usbmuxd (address, installed, running, answering), the Apple devices on USB\n"
               "and their mode (normal, Recovery, DFU, or on USB but not listed by usbmuxd),\n"
               "the USB link speed, and for each device: lockdown, pair record, trust, lock\n"
               "and clock. Each link gets a verdict and one sentence of advice.\n"
               "When this computer has no pair record for a phone, doctor asks the phone to\n"
               "trust it (the Trust dialog appears), as any device command would.\n\n"
               "  -u, --udid UDID   check only this device\n"
               "      --json        print one JSON document on stdout instead of text\n"
               "  -h, --help        show this help\n\n"
               "Exit status: 0 when no link is broken, else the code of the first broken link.\n"
               "Linux reads the USB bus from sysfs (CASEPROBE_SYSFS_ROOT overrides /sys).\n");
}

/* Device and environment text on a terminal: control bytes become '?'. */
static void put_safe(const char *s)
{
  for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
    if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
      fputc('?', stdout);
      p++;
    } else
      fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, stdout);
  }
}

static const char *tag(const char *verdict)
{
  if (!strcmp(verdict, "ok"))
    return "ok  ";
  if (!strcmp(verdict, "problem"))
    return "FAIL";
  if (!strcmp(verdict, "warning"))
    return "warn";
  if (!strcmp(verdict, "info"))
    return "info";
  return "skip";
}

static void print_human(const json_t *doc)
{
  const char *last_udid = "";
  size_t i;
  const json_t *l;
  json_array_foreach(json_object_get(doc, "links"), i, l)
  {
    const char *udid = json_string_value(json_object_get(l, "udid"));
    const char *link = json_string_value(json_object_get(l, "link"));
    if (udid && strcmp(udid, last_udid) && strcmp(link, "usb_device") && strcmp(link, "device")) {
      printf("Device ");
      put_safe(udid);
      printf(":\n");
      last_udid = udid;
    }
    printf("  %s  %-18s ", tag(json_string_value(json_object_get(l, "verdict"))),
           json_string_value(json_object_get(l, "label")));
    put_safe(json_string_value(json_object_get(l, "detail")));
    printf("\n");
    const char *advice = json_string_value(json_object_get(l, "advice"));
    if (advice)
      printf("        -> %s\n", advice);
  }
  const json_t *b = json_object_get(doc, "broken");
  if (json_is_object(b)) {
    printf("Broken link: %s. ", json_string_value(json_object_get(b, "label")));
    put_safe(json_string_value(json_object_get(b, "advice")));
    printf("\n");
  } else
    printf("No broken link: caseprobe can read the phone.\n");
}

int cp_cmd_doctor(int argc, char **argv)
{
  static const struct option longopts[] = {{"udid", required_argument, NULL, 'u'},
                                           {"json", no_argument, NULL, 'j'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  const char *udid = NULL;
  int json = 0, opt;
  optind = 1;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, "+u:h", longopts, NULL)) != -1) {
    switch (opt) {
    case 'u': udid = optarg; break;
    case 'j': json = 1; break;
    case 'h': usage(stdout); return CP_OK;
    default: usage(stderr); return CP_E_USAGE;
    }
  }
  if (optind != argc) {
    usage(stderr);
    return CP_E_USAGE;
  }
  json_t *doc = cp_doctor_run(udid);
  if (!doc) {
    fprintf(stderr, "caseprobe: out of memory\n");
    return CP_E_NOMEM;
  }
  int code = (int)json_integer_value(json_object_get(doc, "exit_code"));
  if (json) {
    if (cp_cli_print_json(doc) != CP_OK)
      code = CP_E_IO;
  } else
    print_human(doc);
  json_decref(doc);
  return code;
}
