/* caseprobe syslog [--seconds N] [--max-bytes N] [-o FILE]: a bounded
 * capture of the device log through the syslog probe, to stdout or to FILE
 * (written whole or not at all: temp file then rename). */
#include "cli_common.h"
#include "commands.h"
#include "dir_sink.h"
#include "probe.h"
#include "registry.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

enum { OPT_SECONDS = CP_OPT_FIRST_FREE, OPT_MAX_BYTES };

static void usage(FILE *out)
{
  fprintf(out,
          "usage: caseprobe syslog [-u UDID] [--seconds N] [--max-bytes N] [-o FILE] [--json]\n\n"
          "Captures the device log for a bounded time (default 5 s).\n"
          "  -s, --seconds N   capture for N seconds (1..3600)\n"
          "      --max-bytes N stop after N bytes, at a line end (default: no byte limit)\n"
          "  -o, --output FILE write the log to FILE (a new file) instead of stdout\n"
          "                    (--json then prints a summary; --json needs -o)\n%s",
          cp_cli_common_help);
}

int cp_cmd_syslog(int argc, char **argv)
{
  static const struct option longopts[] = {CP_CLI_COMMON_LONGOPTS,
                                           {"seconds", required_argument, NULL, 's'},
                                           {"max-bytes", required_argument, NULL, OPT_MAX_BYTES},
                                           {"output", required_argument, NULL, 'o'},
                                           {NULL, 0, NULL, 0}};
  cp_cli c = {0};
  cp_device *dev = NULL;
  cp_sink *sink = NULL;
  json_t *summary = NULL;
  const char *output = NULL;
  long seconds = 5;
  unsigned long long max_bytes = 0;
  cp_error err;
  cp_error_clear(&err);
  int rc = CP_OK, opt;
  optind = 1;
  while ((opt = getopt_long(argc, argv, CP_CLI_COMMON_SHORTOPTS "s:o:", longopts, NULL)) != -1) {
    char *end = NULL;
    switch (opt) {
    case 'h': usage(stdout); return CP_OK;
    case 's':
      seconds = strtol(optarg, &end, 10);
      if (!end || *end || seconds < 1 || seconds > 3600) {
        usage(stderr);
        return CP_E_USAGE;
      }
      break;
    case OPT_MAX_BYTES:
      max_bytes = strtoull(optarg, &end, 10);
      if (!end || *end || max_bytes == 0) {
        usage(stderr);
        return CP_E_USAGE;
      }
      break;
    case 'o': output = optarg; break;
    default:
      if (cp_cli_common_opt(&c, opt, optarg) != 1) {
        usage(stderr);
        return CP_E_USAGE;
      }
    }
  }
  if (optind != argc || (c.json && !output)) {
    usage(stderr);
    return CP_E_USAGE;
  }
  cp_cli_catch_signals();
  if (output) {
    /* -o never replaces a file: a log someone kept is not ours to overwrite. */
    struct stat st;
    if (lstat(output, &st) == 0) {
      cp_error_set(&err, CP_E_EXISTS, "%s", output);
      goto fail;
    }
    cp_dir_sink_opts so = {output, NULL, 1};
    if (cp_dir_sink_new(&so, &sink, &err) != CP_OK)
      goto fail;
  } else if (!(sink = cp_stream_sink_new(stdout))) {
    cp_error_set(&err, CP_E_NOMEM, "sink");
    goto fail;
  }
  if (cp_cli_open(&c, &dev, &err) != CP_OK)
    goto fail;
  cp_probe_opts po = {0};
  po.cancel = &cp_cli_interrupted;
  po.syslog_seconds = (int)seconds;
  po.syslog_max_bytes = max_bytes;
  if (cp_probe_find("syslog")->run(dev, sink, &po, &summary, &err) != CP_OK)
    goto fail;
  if (c.json) {
    json_object_set_new(summary, "output", json_string(output));
    rc = cp_cli_print_json(summary);
  } else if (output)
    fprintf(stderr, "caseprobe: %lld lines (%lld bytes) written to %s\n",
            (long long)json_integer_value(json_object_get(summary, "lines")),
            (long long)json_integer_value(json_object_get(summary, "bytes")), output);
  goto out;
fail:
  rc = cp_cli_fail(&c, &err);
out:
  json_decref(summary);
  if (output)
    cp_dir_sink_free(sink);
  else
    cp_simple_sink_free(sink);
  cp_device_close(dev);
  return rc;
}
