/* gen_report.h: crash-report templates for caseprobe-sim-gen. A template is
 * one real report of the base profile, analysed once (where its timestamps,
 * incident id and process name are, whether it can be resized at line
 * boundaries); gen_report_emit then streams a varied copy of it to a file
 * without building the copy in memory. */
#ifndef CP_SIM_GEN_REPORT_H
#define CP_SIM_GEN_REPORT_H

#include <stdint.h>
#include <stdio.h>

enum gen_span_kind { SPAN_TS, SPAN_INCIDENT, SPAN_NAME };

struct gen_span {
  size_t off, len;
  enum gen_span_kind kind;
};

struct gen_template {
  char *rel;  /* path under crash/ in the base profile, for messages */
  char *text; /* whole report, NUL-terminated */
  size_t len;
  char *stem;   /* file name before the date: "JetsamEvent", "panic-full" */
  char *suffix; /* file name after the date: ".ips", ".000.ips", ".ips.synced" */
  char *name;   /* process name varied per copy, NULL if none */
  char incident[37];
  int64_t t0;             /* the report's own time (first timestamp), -1 if none */
  int panic;              /* 210/151 or a panic-like stem: may go to Panics/ */
  int resizable;          /* line-oriented body: can shrink and grow at line ends */
  size_t min_cut;         /* shortest prefix kept when shrinking */
  size_t fill_a, fill_b;  /* lines repeated when growing (fill_a == fill_b: none) */
  size_t tail_off;        /* 211: the end-of-file marker line kept after a cut */
  struct gen_span *spans; /* sorted, non-overlapping */
  size_t nspans;
};

/* What differs between copies of one template. */
struct gen_vary {
  int64_t delta;        /* seconds added to every timestamp */
  const char *incident; /* 36-char UUID */
  const char *name;     /* replacement process name (template has one) */
};

/* Analyses TEXT (ownership passes to the template, even on failure).
 * 0 on success, -1 on allocation failure. */
int gen_template_init(struct gen_template *t, const char *rel, const char *file_name, char *text,
                      size_t len);
void gen_template_free(struct gen_template *t);

/* Size of a full copy with V applied (the process name may change length). */
size_t gen_report_natural_size(const struct gen_template *t, const struct gen_vary *v);

/* Writes a copy of T with V applied to OUT; for resizable templates the copy
 * is cut or grown at line boundaries to come near TARGET bytes (TARGET 0 =
 * natural size). *written gets the bytes written. 0 on success, -1 on a
 * write error. */
int gen_report_emit(FILE *out, const struct gen_template *t, const struct gen_vary *v,
                    size_t target, size_t *written);

#endif
