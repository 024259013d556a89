/* caseprobe station: placeholder until its issue lands (replaced by the real command). */
#include "commands.h"
#include "hints.h"

int cp_cmd_station(int argc, char **argv)
{
  (void)argc;
  (void)argv;
  return cp_failf(CP_E_INTERNAL, "'station' is not built yet");
}
