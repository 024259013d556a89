/*
 * Inside the report renderer (report files only): the page's pieces and
 * sections, one file each (report_summary.c, report_battery.c,
 * report_crashes.c, report_collection.c, report_details.c), the small
 * pieces they share (report_pieces.c), and the crash figures that the
 * summary and the crash section both read, counted once.
 */
#ifndef CP_REPORT_PAGE_H
#define CP_REPORT_PAGE_H

#include "report_out.h"

#include <jansson.h>

#define CP_RP_MAX_TOP 10 /* rows in the "top" tables; the rest is in crashes/index.json */

/* ---- crash figures, counted once for the summary and the section ---- */
typedef struct cp_rp_crash_fig {
  int present;
  long long total, app, panics, forced, jetsam, resource, other;
  long long first, last; /* Unix times of the period covered, 0 = unknown */
  const json_t *groups, *panic_lines, *jetsam_procs;
} cp_rp_crash_fig;

void cp_rp_crash_figures(const json_t *cr, cp_rp_crash_fig *f);
/* A forced restart (bug type 151 "ForceReset", panic text "btn_rst"). */
int cp_rp_is_forced_restart(const char *line);
/* "3 app crashes, 1 kernel panic, ..." and "from DATE to DATE". */
void cp_rp_crash_counts_sentence(cp_rout *o, const cp_rp_crash_fig *f);
void cp_rp_period(cp_rout *o, const cp_rp_crash_fig *f);
/* Battery health in percent from the findings, NaN when unknown. */
double cp_rp_battery_health(const json_t *bat);

/* ---- small pieces ---- */
void cp_rp_section_open(cp_rout *o, const char *id, const char *heading);
void cp_rp_para(cp_rout *o, const char *cls, const char *text);
/* cols ends with NULL; num[i] != 0 right-aligns column i (num may be NULL). */
void cp_rp_table_open(cp_rout *o, const char *caption, const char *const *cols, const int *num);
void cp_rp_table_close(cp_rout *o);
void cp_rp_scope_name(cp_rout *o, const json_t *v);
void cp_rp_scope_list(cp_rout *o, const json_t *a);
int cp_rp_is_placeholder(const json_t *v);

/* ---- sections, in page order ---- */
void cp_rp_summary(cp_rout *o, const json_t *f, const cp_rp_crash_fig *cf);
void cp_rp_section_battery(cp_rout *o, const json_t *bat);
void cp_rp_section_crashes(cp_rout *o, const cp_rp_crash_fig *f);
void cp_rp_section_drain(cp_rout *o, const json_t *drain);
void cp_rp_section_collection(cp_rout *o, const json_t *f);
void cp_rp_section_privacy(cp_rout *o, const json_t *f);
void cp_rp_details_device(cp_rout *o, const json_t *dev);
void cp_rp_details_files(cp_rout *o, const json_t *members);

#endif
