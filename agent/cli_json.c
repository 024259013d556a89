/* JSON and bundle text on the terminal (cli_common.h), apart from the device
 * code in cli_common.c so the file-only commands (verify, inspect) link in a
 * build without the device side (-DCP_DEVICE=OFF, Windows). */
#include "cli_common.h"
#include "escape.h"

int cp_cli_print_json(const json_t *v)
{
  if (json_dumpf(v, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) != 0)
    return CP_E_IO;
  fputc('\n', stdout);
  return CP_OK;
}

int cp_cli_print_json_ascii(const json_t *v)
{
  if (json_dumpf(v, stdout, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII) != 0)
    return CP_E_IO;
  fputc('\n', stdout);
  return CP_OK;
}

const char *cp_cli_safe_str(const json_t *s, const char *missing)
{
  static char bufs[8][4200];
  static unsigned next;
  const char *v = json_string_value(s);
  if (!v)
    return missing;
  char *b = bufs[next++ & 7];
  cp_escape_into(v, b, sizeof bufs[0]);
  return b;
}
