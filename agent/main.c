/*
 * caseprobe: the command table and the global options. Each subcommand lives
 * in agent/cmd_<name>.c (see commands.h for how to add one); this file only
 * dispatches, so `caseprobe -h` and `caseprobe X -h` never need a device.
 */
#include "commands.h"
#include "cp_err.h"
#include "build_info.h"
#include "cp_version.h"
#include "hints.h"
#include "platform.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

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
    {"doctor", cp_cmd_doctor, "why the computer does not see the phone: each link checked"},
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
    {"request", cp_cmd_request, "make, sign or check a case request (support side)"},
    {"assist", cp_cmd_assist, "a page in the browser that walks a person through sending"},
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
  cp_print_exit_codes(out);
}

/* Levenshtein distance of two short words (command names), capped at 32 bytes. */
static size_t edit_distance(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b);
  if (la > 32 || lb > 32)
    return 99;
  size_t row[33];
  for (size_t j = 0; j <= lb; j++)
    row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best)
        best = up + 1;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

/* The command closest to a misspelt one (at most 2 edits), or NULL. */
static const char *closest_command(const char *name)
{
  const char *best = NULL;
  size_t best_d = 3;
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    size_t d = edit_distance(name, commands[i].name);
    if (d < best_d) {
      best_d = d;
      best = commands[i].name;
    }
  }
  return best;
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
  const char *near = closest_command(name);
  /* The name is the person's own input: never echo terminal escapes. */
  char shown[64];
  size_t k = 0;
  for (; k < sizeof shown - 1 && name[k]; k++)
    shown[k] = (unsigned char)name[k] < 0x20 || name[k] == 0x7f ? '?' : name[k];
  shown[k] = '\0';
  fprintf(stderr, "caseprobe: no such command '%s'\n", shown);
  if (near)
    fprintf(stderr, "  did you mean '%s'?\n", near);
  else
    usage(stderr);
  return CP_E_USAGE;
}
