/* caseprobe apps: the user-installed apps with name, bundle id and version,
 * through the apps probe (installation_proxy Browse). */
#include "cli_common.h"
#include "commands.h"

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
  cp_cli_session s;
  json_t *doc = NULL;
  int rc = CP_OK;
  if (!cp_cli_probe_command(argc, argv, usage, "apps", &s, &doc, &rc))
    return rc;
  if (s.cli.json)
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
  json_decref(doc);
  cp_cli_session_close(&s);
  return rc;
}
