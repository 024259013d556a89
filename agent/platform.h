/* The few calls that differ between Linux, macOS and Windows, in one place
 * so the rest of the agent stays portable. */
#ifndef CP_PLATFORM_H
#define CP_PLATFORM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

/* Modification time in nanoseconds since the epoch (st_mtim on Linux,
 * st_mtimespec on macOS), so two writes within one second still differ. */
int64_t cp_stat_mtime_ns(const struct stat *st);

/* Opens url in the person's default browser without waiting for it
 * (xdg-open on Linux, open on macOS, ShellExecute on Windows). The URL is
 * passed as one argument, never through a shell. 0 when the opener started. */
int cp_open_browser(const char *url);

/* The regular files in `dir` whose names end in `suffix` (".pem"), sorted,
 * as a NULL-terminated malloc'd list of full paths (free with
 * cp_path_list_free). An absent folder gives an empty list; NULL on memory
 * exhaustion. */
char **cp_list_files(const char *dir, const char *suffix);
void cp_path_list_free(char **list);

/* Makes a new folder only its owner can enter, in $TMPDIR (or the
 * platform's temporary folder), named prefix + random. 0 on success. */
int cp_make_private_dir(const char *prefix, char *out, size_t cap);

/* Removes every file in dir (hidden ones too) and then dir; best effort. */
void cp_remove_dir_files(const char *dir);

/* The folder of organisation keys caseprobe trusts for case requests:
 * $CASEPROBE_ORG_KEYS, else /etc/caseprobe/org-keys (Linux),
 * /Library/Application Support/caseprobe/org-keys (macOS),
 * %ProgramData%\caseprobe\org-keys (Windows). */
const char *cp_org_keys_dir(void);

/* The command line as UTF-8: argv itself on POSIX; on Windows the wide
 * command line converted (argv there is in the ANSI code page, which loses
 * non-ASCII file names), and the console set to print UTF-8. Never fails:
 * falls back to argv. The result lives until exit. */
char **cp_platform_utf8_argv(int *argc, char **argv);

/* ---- Processes and stop requests ---- */

typedef struct cp_proc cp_proc;

/* Starts the program at path argv[0] with arguments argv (NULL-terminated,
 * UTF-8), its standard output a pipe we read (*out_stdout), its standard
 * error the null device: posix_spawn on POSIX, CreateProcessW on Windows
 * (arguments quoted as the C runtime splits them, never a shell). 0 on
 * success; *out is freed by cp_proc_stop. */
int cp_proc_start(const char *const *argv, cp_proc **out, FILE **out_stdout);

/* Asks the program to end (SIGTERM; TerminateProcess on Windows, which has
 * no polite signal for a console program without a window), waits for it and
 * frees p. NULL does nothing. */
void cp_proc_stop(cp_proc *p);

/* Calls fn(SIGINT) or fn(SIGTERM) when the person presses Ctrl-C or the
 * service manager asks caseprobe to stop: sigaction for SIGINT and SIGTERM
 * on POSIX (and SIGHUP with CP_STOP_HUP); on Windows SetConsoleCtrlHandler,
 * where Ctrl-C and Ctrl-Break count as SIGINT and closing the console,
 * logoff and shutdown as SIGTERM. fn runs on another thread on Windows: it
 * may only set a flag (a volatile sig_atomic_t). CP_STOP_IGNORE_PIPE makes a
 * write to a closed pipe an error rather than death (SIGPIPE ignored;
 * Windows has no SIGPIPE). */
enum { CP_STOP_HUP = 1, CP_STOP_IGNORE_PIPE = 2 };
void cp_on_stop_request(void (*fn)(int), int flags);

#endif
