/* cp_cli_print_json (cli_common.h), apart from the device code in
 * cli_common.c so the file-only commands (verify, inspect) link in a build
 * without the device side (-DCP_DEVICE=OFF, Windows). */
#include "cli_common.h"

int cp_cli_print_json(const json_t *v)
{
  if (json_dumpf(v, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) != 0)
    return CP_E_IO;
  fputc('\n', stdout);
  return CP_OK;
}
