/*
 * The subcommands of caseprobe: one file agent/cmd_<name>.c each, one table in
 * agent/main.c.
 *
 * Adding a subcommand:
 *   1. write agent/cmd_<name>.c with `int cp_cmd_<name>(int argc, char **argv)`;
 *      argv[0] is the subcommand name; declare the options as a cp_cli_opt
 *      table and parse with cp_cli_parse (cli_common.h: the common -u, -j/--json,
 *      --wait, every number range-checked); `-h/--help` prints the usage to
 *      stdout and returns 0 without touching a device; a usage error prints
 *      one sentence and the usage to stderr and returns CP_E_USAGE (2);
 *   2. declare it here and add one row to the table in main.c;
 *   3. document it in packaging/caseprobe.1 (its .SS section names exactly the
 *      options its -h names: tests/e2e/test_cli_manpage.sh) and README.md;
 *   4. add a test under tests/ that runs it (and its -h).
 * Return a cp_err: it is the exit status. Report failures with cp_fail().
 */
#ifndef CP_COMMANDS_H
#define CP_COMMANDS_H

int cp_cmd_list(int argc, char **argv);
int cp_cmd_info(int argc, char **argv);
int cp_cmd_battery(int argc, char **argv);
int cp_cmd_crashes(int argc, char **argv);
int cp_cmd_syslog(int argc, char **argv);
int cp_cmd_apps(int argc, char **argv);
int cp_cmd_parse(int argc, char **argv);
int cp_cmd_collect(int argc, char **argv);
int cp_cmd_verify(int argc, char **argv);
int cp_cmd_inspect(int argc, char **argv);
int cp_cmd_demo(int argc, char **argv);
int cp_cmd_station(int argc, char **argv);
int cp_cmd_upload(int argc, char **argv);
int cp_cmd_request(int argc, char **argv);
int cp_cmd_assist(int argc, char **argv);
int cp_cmd_doctor(int argc, char **argv);

#endif
