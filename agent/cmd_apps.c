/* caseprobe apps: the user-installed apps with name, bundle id and version,
 * through the apps probe (installation_proxy Browse). */
#include "cli_common.h"
#include "commands.h"
#include "probe.h"
#include "registry.h"

#include <getopt.h>
#include <stdio.h>

static void usage(FILE *out)
{
  fprintf(out,
          "usage: caseprobe apps [-u UDID] [--json] [--wait[=SECS]]\n\n"
          "Lists the apps the user installed, with name, bundle id and version.\n\n%s",
          cp_cli_common_help);
}

int cp_cmd_apps(int argc, char **argv)
{
  static const struct option longopts[] = {CP_CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
  cp_cli c = {0};
  cp_device *dev = NULL;
  cp_sink *sink = NULL;
  json_t *doc = NULL;
  cp_error err;
  cp_error_clear(&err);
  int rc = CP_OK, opt;
  optind = 1;
  while ((opt = getopt_long(argc, argv, "u:h", longopts, NULL)) != -1) {
    if (opt == 'h') {
      usage(stdout);
      return CP_OK;
    }
    if (cp_cli_common_opt(&c, opt, optarg) != 1) {
      usage(stderr);
      return CP_E_USAGE;
    }
  }
  if (optind != argc) {
    usage(stderr);
    return CP_E_USAGE;
  }
  cp_cli_catch_signals();
  if (!(sink = cp_null_sink_new())) {
    cp_error_set(&err, CP_E_NOMEM, "sink");
    goto fail;
  }
  if (cp_cli_open(&c, &dev, &err) != CP_OK)
    goto fail;
  cp_probe_opts po = {0};
  po.cancel = &cp_cli_interrupted;
  if (cp_probe_find("apps")->run(dev, sink, &po, &doc, &err) != CP_OK)
    goto fail;
  if (c.json)
    rc = cp_cli_print_json(doc);
  else {
    size_t i;
    json_t *a;
    printf("%-28s  %-44s  %s\n", "NAME", "BUNDLE ID", "VERSION");
    json_array_foreach(json_object_get(doc, "apps"), i, a)
    {
      const char *name = json_string_value(json_object_get(a, "name"));
      const char *ver = json_string_value(json_object_get(a, "version"));
      const char *build = json_string_value(json_object_get(a, "build"));
      printf("%-28.28s  %-44s  %s%s%s%s\n", name ? name : "-",
             json_string_value(json_object_get(a, "bundle_id")), ver ? ver : "-", build ? " (" : "",
             build ? build : "", build ? ")" : "");
    }
    fprintf(stderr, "%lld apps\n", (long long)json_integer_value(json_object_get(doc, "count")));
  }
  goto out;
fail:
  rc = cp_cli_fail(&c, &err);
out:
  json_decref(doc);
  cp_simple_sink_free(sink);
  cp_device_close(dev);
  return rc;
}
