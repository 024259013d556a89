/*
 * drain: "why does my battery drain?" answered from the device's own
 * evidence. iOS writes a resource report when a process exceeds a CPU,
 * wakeup or disk-write budget (bug types 202, 142, 145), a jetsam event when
 * it kills processes for memory (298), and a crash report each time a process
 * dies; many crashes of one process are a crash loop. This ranks the
 * processes the device itself flagged, with counts and the worst figure the
 * device wrote down. It never estimates energy: every number is one the
 * device reported.
 *
 * Pure code: records as made by cp_crash_parse in, JSON out.
 */
#ifndef CP_DRAIN_H
#define CP_DRAIN_H

#include <jansson.h>

/* Crashes of one process at or above this count are a crash loop. */
#define CP_DRAIN_CRASH_LOOP_MIN 3
/* Suspects kept (the rest are counted in "more"). */
#define CP_DRAIN_MAX_SUSPECTS 20

/*
 * Ranks the records (an array of cp_crash_parse records; others are
 * ignored) into
 *   {since: ISO8601 UTC of the oldest record used | null,
 *    suspects: [{process, kind, count, worst: {value, unit}, last}],
 *    more: n (suspects beyond CP_DRAIN_MAX_SUSPECTS)}
 * kind and worst:
 *   "cpu"         bug type 202: worst = most CPU seconds used, unit "s"
 *   "wakeups"     bug type 142: worst = highest wakeups per second
 *                 (wakeups caused / duration), unit "per_s"; the raw count,
 *                 unit "count", when the report has no duration
 *   "disk_writes" bug type 145: worst = most megabytes written, unit "MB"
 *   "jetsam"      bug type 298, attributed to the event's largest process:
 *                 worst = most processes killed in one of its events, "count"
 *   "crash_loop"  CP_DRAIN_CRASH_LOOP_MIN or more crash reports of one
 *                 process: worst = most crashes within one hour, "count"
 * worst is null when no report of the suspect carried a readable figure.
 * last = ISO8601 UTC of the newest report of the suspect (null if none had
 * a time). Order: count descending, then kind (cpu, wakeups, disk_writes,
 * jetsam, crash_loop), then worst value descending, then process name.
 * Records with a time before `since_unix` are skipped (0 = no limit).
 * Returns NULL only when out of memory or `records` is not an array.
 */
json_t *cp_drain_rank(const json_t *records, long long since_unix);

/*
 * The same ranking built one record at a time, so a pull of 10,000 reports
 * keeps one small row per (process, kind) and one time per crash instead of
 * every record (issue 12: flat memory). cp_drain_rank is new + add + finish.
 *   cp_drain_acc_add: takes what it needs from rec (rec may be freed after);
 *     records that are not drain evidence are ignored; -1 when out of memory
 *     (finish then returns NULL).
 *   cp_drain_acc_finish: the result as cp_drain_rank gives it; frees acc.
 */
typedef struct cp_drain_acc cp_drain_acc;
cp_drain_acc *cp_drain_acc_new(long long since_unix);
int cp_drain_acc_add(cp_drain_acc *acc, const json_t *rec);
json_t *cp_drain_acc_finish(cp_drain_acc *acc);
void cp_drain_acc_free(cp_drain_acc *acc);

#endif
