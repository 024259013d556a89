/* caseprobe-sim-gen: writes a simulator profile folder with a crash tree and
 * a syslog of a requested size, made from a base profile's real reports, for
 * benchmarks and scale tests. Stable command line (benchmarks depend on it):
 *   caseprobe-sim-gen OUTDIR --crashes N --crash-mb M [--syslog-mb S]
 *                     [--from PROFILE_DIR] [--seed K] [--udid UDID] [--name NAME]
 * Output is streamed file by file (only the base's reports are held in
 * memory) and depends only on the base profile and the seed. */
#include "gen_fs.h"
#include "gen_report.h"
#include "gen_syslog.h"
#include "gen_util.h"

#include <errno.h>
#include <inttypes.h>
#include <plist/plist.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOOL "caseprobe-sim-gen"
#define MB 1000000.0
#define MAX_REPORT (64u << 20)  /* a base report larger than this is refused */
#define MAX_SYSLOG (256u << 20) /* same for the base syslog.txt */
#define MAX_TEMPLATES 4096
#define HISTORY_DAYS 120 /* generated reports spread over this many days */

/* The shipped base: tests/sim/profiles/iphone-modern next to this source
 * file. __FILE__ is absolute because CMake compiles with absolute paths; a
 * relative one still works when run from the source tree. */
static const char *default_base(void)
{
  static char buf[4096];
  const char *f = __FILE__, *slash = strrchr(f, '/');
  size_t n = slash ? (size_t)(slash - f) : 0;
  if (n + 64 > sizeof buf)
    return NULL;
  memcpy(buf, f, n);
  snprintf(buf + n, sizeof buf - n, "%s../profiles/iphone-modern", n ? "/" : "");
  return buf;
}

/* Process names used for the copies, besides the base reports' own. */
static const char *const NAMES[] = {
    "WhatsApp",  "Spotify",    "Instagram",   "Maps",      "MobileSafari",   "MobileMail",
    "Camera",    "Photos",     "SpringBoard", "Slack",     "Netflix",        "Uber",
    "Duolingo",  "YouTube",    "Telegram",    "Signal",    "Zoom",           "Teams",
    "Outlook",   "Banking",    "Weather",     "Notes",     "Reminders",      "Podcasts",
    "Music",     "Health",     "Wallet",      "Shortcuts", "Snapchat",       "TikTok",
    "Facebook",  "Messenger",  "GoogleMaps",  "Chrome",    "Firefox",        "Discord",
    "Strava",    "Airbnb",     "Booking",     "Lyft",      "backboardd",     "mediaserverd",
    "locationd", "bluetoothd", "wifid",       "assetsd",   "photoanalysisd", "nsurlsessiond",
};

static void usage(FILE *f)
{
  fprintf(f,
          "Usage: " TOOL " OUTDIR --crashes N --crash-mb M [--syslog-mb S]\n"
          "                         [--from PROFILE_DIR] [--seed K] [--udid UDID] [--name NAME]\n"
          "\n"
          "Writes a complete simulator profile folder OUTDIR (created; must be empty if it\n"
          "exists): every file of the base profile, except that\n"
          "  crash/      holds N crash reports totalling about M MB, varied copies of the\n"
          "              base's real reports (new timestamps, incident ids, process names and\n"
          "              file names; each .ips header line stays valid JSON), spread over\n"
          "              crash/, crash/Retired/ and crash/Panics/ like a device keeps them;\n"
          "  syslog.txt  (with --syslog-mb) about S MB of the base's lines with advancing\n"
          "              timestamps; without it the base's syslog.txt is copied.\n"
          "\n"
          "Options:\n"
          "  --crashes N        number of reports (0 or more)\n"
          "  --crash-mb M       their total size in MB (1 MB = 1,000,000 bytes; decimals ok)\n"
          "  --syslog-mb S      size of syslog.txt in MB\n"
          "  --from DIR         base profile (default: the shipped iphone-modern,\n"
          "                     %s)\n"
          "  --seed K           random seed (default 1); same seed and base = same output\n"
          "  --udid UDID        set device.plist UDID and lockdown UniqueDeviceID (to run\n"
          "                     several generated devices at once)\n"
          "  --name NAME        set lockdown DeviceName\n"
          "  -h, --help         this text\n"
          "\n"
          "Exit status: 0 done, 1 error (message on stderr), 2 bad arguments.\n",
          default_base() ? default_base() : "(unknown)");
}

struct opts {
  const char *out, *from, *udid, *name;
  long long crashes;
  double crash_mb, syslog_mb;
  uint64_t seed;
  int have_crashes, have_mb;
};

static int parse_num(const char *s, double *v)
{
  char *end;
  errno = 0;
  *v = strtod(s, &end);
  return errno == 0 && end != s && *end == '\0' && *v >= 0 && *v < 1e7;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
  int i;
  memset(o, 0, sizeof *o);
  o->seed = 1;
  o->syslog_mb = -1;
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    double v;
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      usage(stdout);
      exit(0);
    }
    if (a[0] == '-' && a[1] == '-') {
      const char *val = i + 1 < argc ? argv[i + 1] : NULL;
      if (!val) {
        fprintf(stderr, TOOL ": %s needs a value\n", a);
        return -1;
      }
      i++;
      if (strcmp(a, "--crashes") == 0) {
        if (!parse_num(val, &v) || v != (double)(long long)v) {
          fprintf(stderr, TOOL ": --crashes wants a whole number, not '%s'\n", val);
          return -1;
        }
        o->crashes = (long long)v;
        o->have_crashes = 1;
      } else if (strcmp(a, "--crash-mb") == 0) {
        if (!parse_num(val, &o->crash_mb)) {
          fprintf(stderr, TOOL ": --crash-mb wants a size in MB, not '%s'\n", val);
          return -1;
        }
        o->have_mb = 1;
      } else if (strcmp(a, "--syslog-mb") == 0) {
        if (!parse_num(val, &o->syslog_mb)) {
          fprintf(stderr, TOOL ": --syslog-mb wants a size in MB, not '%s'\n", val);
          return -1;
        }
      } else if (strcmp(a, "--from") == 0) {
        o->from = val;
      } else if (strcmp(a, "--seed") == 0) {
        char *end;
        errno = 0;
        o->seed = strtoull(val, &end, 0);
        if (errno || end == val || *end) {
          fprintf(stderr, TOOL ": --seed wants a number, not '%s'\n", val);
          return -1;
        }
      } else if (strcmp(a, "--udid") == 0) {
        o->udid = val;
      } else if (strcmp(a, "--name") == 0) {
        o->name = val;
      } else {
        fprintf(stderr, TOOL ": unknown option %s\n", a);
        return -1;
      }
    } else if (!o->out) {
      o->out = a;
    } else {
      fprintf(stderr, TOOL ": more than one OUTDIR ('%s', '%s')\n", o->out, a);
      return -1;
    }
  }
  if (!o->out || !o->have_crashes || !o->have_mb) {
    fprintf(stderr, TOOL ": OUTDIR, --crashes and --crash-mb are required (see --help)\n");
    return -1;
  }
  return 0;
}

/* ------------------------------------------------------------ templates */

struct tset {
  struct gen_template *t;
  size_t n, cap;
};

static void tset_free(struct tset *s)
{
  size_t i;
  for (i = 0; i < s->n; i++)
    gen_template_free(&s->t[i]);
  free(s->t);
}

/* Loads every regular file under DIR (the base crash/ tree) as a template. */
static int load_templates(const char *dir, const char *rel, struct tset *s, int depth)
{
  char **names = NULL;
  size_t count = 0, i;
  int rc = -1;
  if (depth > 8)
    return 0;
  if (gen_fs_list(dir, &names, &count) != 0) {
    fprintf(stderr, TOOL ": cannot read %s: %s\n", dir, strerror(errno));
    return -1;
  }
  for (i = 0; i < count; i++) {
    char *p = gen_fs_join(dir, names[i]);
    char *r = gen_fs_join(rel, names[i]);
    enum gen_ftype ft;
    if (!p || !r) {
      free(p);
      free(r);
      fprintf(stderr, TOOL ": out of memory\n");
      goto out;
    }
    ft = gen_fs_type(p);
    if (ft == GEN_DIR) {
      if (load_templates(p, r, s, depth + 1) != 0) {
        free(p);
        free(r);
        goto out;
      }
    } else if (ft == GEN_FILE && s->n < MAX_TEMPLATES) {
      char *text;
      size_t len;
      if (gen_fs_read_all(p, MAX_REPORT, &text, &len) != 0) {
        fprintf(stderr, TOOL ": cannot read %s: %s\n", p, strerror(errno));
        free(p);
        free(r);
        goto out;
      }
      if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 16;
        struct gen_template *nt = realloc(s->t, nc * sizeof *nt);
        if (!nt) {
          free(text);
          free(p);
          free(r);
          fprintf(stderr, TOOL ": out of memory\n");
          goto out;
        }
        s->t = nt;
        s->cap = nc;
      }
      if (gen_template_init(&s->t[s->n], r, names[i], text, len) != 0) {
        gen_template_free(&s->t[s->n]);
        free(p);
        free(r);
        fprintf(stderr, TOOL ": out of memory\n");
        goto out;
      }
      s->n++;
    }
    free(p);
    free(r);
  }
  rc = 0;
out:
  gen_fs_free_list(names, count);
  return rc;
}

/* ------------------------------------------------------------ copying */

/* Copies the base profile into OUT, skipping the top-level crash/ and (when
 * regenerated) syslog.txt. */
static int copy_tree(const char *src, const char *dst, int top, int skip_syslog, int depth)
{
  char **names = NULL;
  size_t count = 0, i;
  int rc = -1;
  if (depth > 8)
    return 0;
  if (gen_fs_list(src, &names, &count) != 0) {
    fprintf(stderr, TOOL ": cannot read %s: %s\n", src, strerror(errno));
    return -1;
  }
  for (i = 0; i < count; i++) {
    char *s = NULL, *d = NULL;
    enum gen_ftype ft;
    int bad = 0;
    if (top &&
        (strcmp(names[i], "crash") == 0 || (skip_syslog && strcmp(names[i], "syslog.txt") == 0)))
      continue;
    s = gen_fs_join(src, names[i]);
    d = gen_fs_join(dst, names[i]);
    if (!s || !d) {
      fprintf(stderr, TOOL ": out of memory\n");
      bad = 1;
    } else if ((ft = gen_fs_type(s)) == GEN_DIR) {
      if (gen_fs_mkdir(d) != 0) {
        fprintf(stderr, TOOL ": cannot create %s: %s\n", d, strerror(errno));
        bad = 1;
      } else if (copy_tree(s, d, 0, 0, depth + 1) != 0) {
        bad = 1;
      }
    } else if (ft == GEN_FILE && gen_fs_copy_file(s, d) != 0) {
      fprintf(stderr, TOOL ": cannot copy %s to %s: %s\n", s, d, strerror(errno));
      bad = 1;
    }
    free(s);
    free(d);
    if (bad)
      goto out;
  }
  rc = 0;
out:
  gen_fs_free_list(names, count);
  return rc;
}

/* Sets KEY to VALUE (string) in the plist file PATH, written back as XML. */
static int plist_set_string(const char *path, const char *key, const char *value)
{
  char *buf = NULL, *xml = NULL;
  size_t len;
  uint32_t xl = 0;
  plist_t root = NULL;
  FILE *f = NULL;
  int rc = -1;
  if (gen_fs_read_all(path, 16u << 20, &buf, &len) != 0) {
    fprintf(stderr, TOOL ": cannot read %s: %s\n", path, strerror(errno));
    goto out;
  }
  plist_from_memory(buf, (uint32_t)len, &root);
  if (!root || plist_get_node_type(root) != PLIST_DICT) {
    fprintf(stderr, TOOL ": %s is not a plist dictionary\n", path);
    goto out;
  }
  plist_dict_set_item(root, key, plist_new_string(value));
  plist_to_xml(root, &xml, &xl);
  if (!xml) {
    fprintf(stderr, TOOL ": cannot serialize %s\n", path);
    goto out;
  }
  f = fopen(path, "wb");
  if (!f || fwrite(xml, 1, xl, f) != xl) {
    fprintf(stderr, TOOL ": cannot write %s: %s\n", path, strerror(errno));
    goto out;
  }
  rc = 0;
out:
  if (f && fclose(f) != 0 && rc == 0) {
    fprintf(stderr, TOOL ": cannot write %s: %s\n", path, strerror(errno));
    rc = -1;
  }
  if (xml)
    plist_to_xml_free(xml);
  if (root)
    plist_free(root);
  free(buf);
  return rc;
}

/* ------------------------------------------------------------ crash tree */

/* Picks the template for the next report: a random one if it fits the
 * budget, else a random resizable one (which is then cut or grown). */
static const struct gen_template *pick(const struct tset *s, struct gen_rng *r, double each,
                                       double budget, long long left, size_t min_resizable,
                                       int have_resizable)
{
  const struct gen_template *t = &s->t[gen_rng_below(r, s->n)];
  size_t i, best = 0;
  double bestd = -1;
  if (t->resizable)
    return t;
  if ((double)t->len <= 4 * each && (double)t->len <= budget - (double)(left - 1) * min_resizable)
    return t;
  if (have_resizable) {
    do {
      t = &s->t[gen_rng_below(r, s->n)];
    } while (!t->resizable);
    return t;
  }
  for (i = 0; i < s->n; i++) {
    double d = (double)s->t[i].len - each;
    d = d < 0 ? -d : d;
    if (bestd < 0 || d < bestd) {
      bestd = d;
      best = i;
    }
  }
  return &s->t[best];
}

/* Replaces whole-word occurrences of FROM in STEM by TO (file name stem). */
static void make_stem(const char *stem, const char *from, const char *to, char *out, size_t cap)
{
  const char *p = from ? strstr(stem, from) : NULL;
  if (!p || !to) {
    snprintf(out, cap, "%s", stem);
    return;
  }
  snprintf(out, cap, "%.*s%s%s", (int)(p - stem), stem, to, p + strlen(from));
}

static int write_crashes(const struct opts *o, const char *crash_dir, struct tset *s,
                         struct gen_rng *r, uint64_t *total_out)
{
  const char *sub[3] = {"", "Retired", "Panics"};
  char *dirs[3] = {NULL, NULL, NULL};
  double target = o->crash_mb * MB, written = 0;
  size_t i, min_resizable = 0;
  int have_resizable = 0, rc = -1;
  int64_t newest = 0;
  long long k;
  const char *names[sizeof NAMES / sizeof *NAMES + MAX_TEMPLATES];
  size_t nnames = 0;

  for (i = 0; i < 3; i++) {
    dirs[i] = i ? gen_fs_join(crash_dir, sub[i]) : strdup(crash_dir);
    if (!dirs[i] || gen_fs_mkdir(dirs[i]) != 0) {
      fprintf(stderr, TOOL ": cannot create %s: %s\n", dirs[i] ? dirs[i] : crash_dir,
              strerror(errno));
      goto out;
    }
  }
  for (i = 0; i < sizeof NAMES / sizeof *NAMES; i++)
    names[nnames++] = NAMES[i];
  for (i = 0; i < s->n; i++) {
    const struct gen_template *t = &s->t[i];
    if (t->resizable) {
      size_t m = t->min_cut + (t->len - t->tail_off);
      if (!have_resizable || m < min_resizable)
        min_resizable = m;
      have_resizable = 1;
    }
    if (t->t0 > newest)
      newest = t->t0;
    if (t->name)
      names[nnames++] = t->name;
  }

  for (k = 0; k < o->crashes; k++) {
    long long left = o->crashes - k;
    double budget = target - written, each = budget > left ? budget / (double)left : 1;
    const struct gen_template *t = pick(s, r, each, budget, left, min_resizable, have_resizable);
    struct gen_vary v;
    char inc[37], stem[256], fname[512], ts[19];
    const char *name = NULL;
    int64_t when = newest - (int64_t)gen_rng_below(r, HISTORY_DAYS * 86400ULL);
    size_t d, size_target, n = 0;
    char *path = NULL;
    FILE *f = NULL;
    int tries;

    gen_rng_uuid(r, inc);
    if (t->name)
      name = gen_rng_below(r, 4) == 0 ? t->name : names[gen_rng_below(r, nnames)];
    d = t->panic ? (gen_rng_below(r, 2) ? 2 : 0) : (gen_rng_below(r, 10) < 3 ? 1 : 0);
    make_stem(t->stem, t->name, name, stem, sizeof stem);
    size_target = left == 1 ? (size_t)(budget > 1 ? budget : 1) : (size_t)each;
    /* a second with that name taken: take the next one */
    for (tries = 0; tries < 100000; tries++, when++) {
      gen_format_stamp(when, '-', ts);
      snprintf(fname, sizeof fname, "%s-%.10s-%.2s%.2s%.2s%s", stem, ts, ts + 11, ts + 14, ts + 17,
               t->suffix);
      path = gen_fs_join(dirs[d], fname);
      if (!path) {
        fprintf(stderr, TOOL ": out of memory\n");
        goto out;
      }
      if (gen_fs_type(path) == GEN_NONE)
        break;
      free(path);
      path = NULL;
    }
    if (!path) {
      fprintf(stderr, TOOL ": no free file name for %s\n", stem);
      goto out;
    }
    f = fopen(path, "wb");
    if (!f) {
      fprintf(stderr, TOOL ": cannot create %s: %s\n", path, strerror(errno));
      free(path);
      goto out;
    }
    v.delta = t->t0 >= 0 ? when - t->t0 : 0;
    v.incident = inc;
    v.name = name;
    {
      int werr = gen_report_emit(f, t, &v, t->resizable ? size_target : 0, &n);
      int cerr = fclose(f);
      if (werr != 0 || cerr != 0) {
        fprintf(stderr, TOOL ": cannot write %s: %s\n", path, strerror(errno));
        free(path);
        goto out;
      }
    }
    free(path);
    written += (double)n;
  }
  *total_out = (uint64_t)written;
  rc = 0;
out:
  for (i = 0; i < 3; i++)
    free(dirs[i]);
  return rc;
}

static int write_syslog(const struct opts *o, const char *base, const char *out, struct gen_rng *r)
{
  char *src = gen_fs_join(base, "syslog.txt"), *dst = gen_fs_join(out, "syslog.txt");
  char *text = NULL;
  size_t len;
  FILE *f = NULL;
  uint64_t n = 0;
  int rc = -1, w;
  if (!src || !dst) {
    fprintf(stderr, TOOL ": out of memory\n");
    goto out;
  }
  if (gen_fs_read_all(src, MAX_SYSLOG, &text, &len) != 0) {
    fprintf(stderr, TOOL ": --syslog-mb needs the base's syslog.txt: %s: %s\n", src,
            strerror(errno));
    goto out;
  }
  f = fopen(dst, "wb");
  if (!f) {
    fprintf(stderr, TOOL ": cannot create %s: %s\n", dst, strerror(errno));
    goto out;
  }
  w = gen_syslog_write(f, text, len, (uint64_t)(o->syslog_mb * MB), r, &n);
  if (w == -2) {
    fprintf(stderr, TOOL ": %s has no \"MMM dd HH:MM:SS\" line to start from\n", src);
    goto out;
  }
  if (w != 0) {
    fprintf(stderr, TOOL ": cannot write %s: %s\n", dst, strerror(errno));
    goto out;
  }
  rc = 0;
out:
  if (f && fclose(f) != 0 && rc == 0) {
    fprintf(stderr, TOOL ": cannot write %s: %s\n", dst, strerror(errno));
    rc = -1;
  }
  free(text);
  free(src);
  free(dst);
  return rc;
}

int main(int argc, char **argv)
{
  struct opts o;
  struct tset s = {NULL, 0, 0};
  struct gen_rng rng;
  const char *base;
  char *p = NULL, *crash_src = NULL, *crash_dst = NULL;
  uint64_t total = 0;
  int rc = 1;

  if (parse_args(argc, argv, &o) != 0)
    return 2;
  base = o.from ? o.from : default_base();
  p = base ? gen_fs_join(base, "lockdown/global.plist") : NULL;
  if (!base || gen_fs_type(base) != GEN_DIR || !p || gen_fs_type(p) != GEN_FILE) {
    fprintf(stderr,
            TOOL ": base profile %s is missing or not a profile folder (no "
                 "lockdown/global.plist); pass one with --from\n",
            base ? base : "(none)");
    goto out;
  }
  free(p);
  p = NULL;
  crash_src = gen_fs_join(base, "crash");
  crash_dst = gen_fs_join(o.out, "crash");
  if (!crash_src || !crash_dst) {
    fprintf(stderr, TOOL ": out of memory\n");
    goto out;
  }
  if (gen_fs_type(crash_src) == GEN_DIR && load_templates(crash_src, "", &s, 0) != 0)
    goto out;
  if (o.crashes > 0 && s.n == 0) {
    fprintf(stderr, TOOL ": base profile %s has no crash reports to copy\n", base);
    goto out;
  }
  if (gen_fs_type(o.out) == GEN_NONE && gen_fs_mkdir(o.out) != 0) {
    fprintf(stderr, TOOL ": cannot create %s: %s\n", o.out, strerror(errno));
    goto out;
  }
  if (gen_fs_type(o.out) != GEN_DIR) {
    fprintf(stderr, TOOL ": %s exists and is not a directory\n", o.out);
    goto out;
  }
  if (gen_fs_dir_empty(o.out) != 1) {
    fprintf(stderr, TOOL ": %s is not empty (or not readable); give a new or empty folder\n",
            o.out);
    goto out;
  }
  if (copy_tree(base, o.out, 1, o.syslog_mb >= 0, 0) != 0)
    goto out;
  gen_rng_seed(&rng, o.seed);
  if (write_crashes(&o, crash_dst, &s, &rng, &total) != 0)
    goto out;
  gen_rng_seed(&rng, o.seed ^ 0x51A5106ULL);
  if (o.syslog_mb >= 0 && write_syslog(&o, base, o.out, &rng) != 0)
    goto out;
  if (o.udid) {
    char *dp = gen_fs_join(o.out, "device.plist"),
         *gp = gen_fs_join(o.out, "lockdown/global.plist");
    int bad = !dp || !gp || plist_set_string(dp, "UDID", o.udid) != 0 ||
              plist_set_string(gp, "UniqueDeviceID", o.udid) != 0;
    free(dp);
    free(gp);
    if (bad)
      goto out;
  }
  if (o.name) {
    char *gp = gen_fs_join(o.out, "lockdown/global.plist");
    int bad = !gp || plist_set_string(gp, "DeviceName", o.name) != 0;
    free(gp);
    if (bad)
      goto out;
  }
  if (o.crashes > 0 && ((double)total > o.crash_mb * MB * 1.1 + 65536 ||
                        (double)total < o.crash_mb * MB * 0.9 - 65536))
    fprintf(stderr,
            TOOL ": note: %" PRIu64 " bytes written, not about %.0f: %lld reports cannot "
                 "be made that small or large from this base\n",
            total, o.crash_mb * MB, o.crashes);
  fprintf(stderr, TOOL ": %s: %lld crash reports, %" PRIu64 " bytes, from %s\n", o.out, o.crashes,
          total, base);
  rc = 0;
out:
  free(p);
  free(crash_src);
  free(crash_dst);
  tset_free(&s);
  return rc;
}
