/*
 * caseprobe: the command table and the global options. Each subcommand lives
 * in agent/cmd_<name>.c (see commands.h for how to add one); this file only
 * dispatches, so `caseprobe -h` and `caseprobe X -h` never need a device.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "cp_err.h"
#include "build_info.h"
#include "cp_version.h"
#include "hints.h"
#include "platform.h"

typedef struct cp_command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} cp_command;

/* A build without the device side (CP_NO_DEVICE: -DCP_DEVICE=OFF, Windows)
 * has only the commands that read files. */
static const cp_command commands[] = {
#ifndef CP_NO_DEVICE
    {"list", cp_cmd_list, "list attached devices (--watch for attach/detach events)"},
    {"info", cp_cmd_info, "system information: model, iOS, storage, activation, battery"},
    {"battery", cp_cmd_battery, "battery health, cycles, temperature and a service verdict"},
    {"crashes", cp_cmd_crashes, "list or pull crash reports (never deletes without --delete)"},
    {"syslog", cp_cmd_syslog, "capture the device log for a bounded time"},
    {"apps", cp_cmd_apps, "installed user apps with versions"},
#endif
    {"parse", cp_cmd_parse, "parse crash report files (.ips, .crash) into records"},
#ifndef CP_NO_DEVICE
    {"collect", cp_cmd_collect, "make a consented, redacted, verifiable bundle for a case"},
#endif
    {"verify", cp_cmd_verify, "check every member of a bundle (and its signature)"},
    {"inspect", cp_cmd_inspect, "summarise a bundle without unpacking it"},
#ifndef CP_NO_DEVICE
    {"upload", cp_cmd_upload, "upload a bundle to the support case (S3-compatible)"},
    {"station", cp_cmd_station, "unattended bench station: collect from every device plugged in"},
    {"demo", cp_cmd_demo, "collect from the built-in simulated device and verify the bundle"},
#endif
};

static void usage(FILE *out)
{
  fprintf(out, "usage: caseprobe [--version] [--help] COMMAND [OPTIONS]\n\n"
               "Collects system information, battery health and crash logs from an\n"
               "attached iPhone or iPad into a consented, redacted, verifiable bundle.\n\n"
               "Commands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
  fprintf(out, "\nEvery command takes -h/--help; device commands take -u UDID and --json.\n"
               "Devices are reached through usbmuxd; set USBMUXD_SOCKET_ADDRESS=UNIX:/path\n"
               "to use another socket (the simulator).\n\n"
               "Exit status (stable; see caseprobe(1)):\n");
  static const cp_err codes[] = {
      CP_OK, CP_E_INTERNAL, CP_E_USAGE, CP_E_NOMEM, CP_E_IO, CP_E_DISK_FULL, CP_E_NOT_FOUND,
      CP_E_PARSE, CP_E_USBMUXD, CP_E_NO_DEVICE, CP_E_MANY_DEVICES, CP_E_DEVICE_NOT_FOUND,
      CP_E_TRUST_PENDING, CP_E_TRUST_DENIED, CP_E_LOCKED, CP_E_PAIRING_INVALID, CP_E_DETACHED,
      CP_E_SERVICE_UNAVAILABLE, CP_E_TIMEOUT, CP_E_PROTOCOL, CP_E_CONSENT, CP_E_VERIFY,
      CP_E_SIGNATURE, CP_E_UNSAFE_PATH, CP_E_POLICY, CP_E_PARTIAL, CP_E_NETWORK, CP_E_AUTH,
      CP_E_UPLOAD, CP_E_INTERRUPTED, CP_E_EXISTS};
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    const char *hint = cp_hint(codes[i]);
    fprintf(out, "  %3d  %s%s%s\n", (int)codes[i], cp_strerror(codes[i]), hint ? ". " : "",
            hint ? hint : "");
  }
}

int main(int argc, char **argv)
{
  /* Windows hands argv in the ANSI code page: take the UTF-8 one. */
  argv = cp_platform_utf8_argv(&argc, argv);
  if (argc < 2) {
    usage(stderr);
    return CP_E_USAGE;
  }
  /* A device or server that hangs up must give an error code, not kill us. */
#ifdef SIGPIPE
  (void)signal(SIGPIPE, SIG_IGN);
#endif
  const char *name = argv[1];
  if (!strcmp(name, "--version") || !strcmp(name, "-V") || !strcmp(name, "version")) {
    if (cp_build_info_print(stdout) != 0)
      return CP_E_NOMEM;
    return fflush(stdout) == 0 && !ferror(stdout) ? CP_OK : CP_E_IO;
  }
  if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
    usage(stdout);
    return fflush(stdout) == 0 && !ferror(stdout) ? CP_OK : CP_E_IO;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    if (!strcmp(name, commands[i].name)) {
      int rc = commands[i].run(argc - 1, argv + 1);
      if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "caseprobe: write failure on standard output\n");
        if (rc == 0)
          rc = CP_E_IO;
      }
      return rc;
    }
  }
  fprintf(stderr, "caseprobe: no such command '%s'\n", name);
  usage(stderr);
  return CP_E_USAGE;
}
