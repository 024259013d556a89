/* Unit tests of the crash-report parser on the real corpus: every file in
 * tests/corpus/ips and tests/corpus/crash, field by field (expected values
 * read off the files by hand), then damaged copies of each (cut at several
 * offsets, a 16 KiB listing prefix), and hand-made hostile inputs. */
/* cmocka.h needs these headers before it */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
// clang-format on

#include "crash_report.h"
#include "crash_select.h"

typedef struct expect {
  const char *path; /* under CP_CORPUS_DIR (tests/corpus) */
  int bug_type;     /* -1: null (legacy .crash with no header) */
  const char *bug_type_name;
  const char *kind;
  const char *process; /* NULL: must be absent */
  const char *os_version, *os_build;
  const char *timestamp;
  long long time;
  const char *device_model;
  const char *exception_type, *signal;
} expect;

static const expect corpus[] = {
    {"ips/applekeystore_iOS26.1_iPhone12,5_panic-full_210.ips", 210, "Panic_210", "panic", NULL,
     "26.1", "23B85", "2026-01-13 12:23:35.00 -0500", 1768325015, "iPhone12,5", NULL, NULL},
    {"ips/icdab_iOS11.1.2_iPhone9,3_MobileSMS_0x2bad45ec_109.ips", 109, "Crash_109", "crash",
     "MobileSMS", "11.1.2", "15B202", "2018-05-06 10:26:42.35 +0300", 1525591602, "iPhone9,3",
     "EXC_CRASH", "SIGKILL"},
    {"ips/icdab_iOS13.2.2_log-aggregated_JetsamAggregation_211.ips", 211, "CoreAnalytics_211",
     "analytics", NULL, "13.2.2", "17B102", "2020-02-22 18:00:09.37 -0600", 1582416009, NULL, NULL,
     NULL},
    {"ips/icdab_iOS14.2b_iPhone12,1_JetsamEvent_298.ips", 298, "Jetsam_298", "jetsam", NULL, "14.2",
     "18B5061e", "2020-10-15 17:29:58.79 +0100", 1602779398, "iPhone12,1", NULL, NULL},
    {"ips/icdab_iOS14.2b_iPhone12,1_apfs_defragd_cpu_resource_202.ips", 202, "SymptomsCPUUsage",
     "resource", "apfs_defragd", "14.2", "18B5072f", "2020-10-19 23:49:02.00 +0100", 1603147742,
     "iPhone12,1", NULL, NULL},
    {"ips/macsym_iOS16.0_iPhone14,2_app_crash_309.ips", 309, "Crash_309", "crash",
     "iOSCrashingTest", "16.0", "20A362", "2022-09-18 15:28:37.00 +0900", 1663482517, "iPhone14,2",
     "EXC_BREAKPOINT", "SIGTRAP"},
    {"ips/pycrashreport_iOS14.5.1_iPhone9,4_kaki_109.ips", 109, "Crash_109", "crash", "kaki",
     "14.5.1", "18E212", "2022-01-21 18:14:26.00 +0200", 1642781666, "iPhone9,4", "EXC_CRASH",
     "SIGABRT"},
    {"ips/pycrashreport_iOS16.2_iPhone11,8_forceReset-full_151.ips", 151, "ForceReset", "panic",
     NULL, "16.2", "20C65", "2022-12-24 11:43:00.47 +0000", 1671882180, "iPhone11,8", NULL, NULL},
    {"ips/sanfer_iOS18.5_iPad13,16_app_crash_309.ips", 309, "Crash_309", "crash", "SanferEventsApp",
     "18.5", "22F76", "2025-07-22 07:09:59.00 +0100", 1753164599, "iPad13,16", "EXC_CRASH",
     "SIGABRT"},
    {"crash/icdab_iOS11.2.6_iPad6,11_watchdog_8badf00d.crash", -1, NULL, "crash",
     "CDAYourStoreAppiPadKiosk", "11.2.6", "15D100", "2018-04-19 15:58:17.6849 -0400", 1524167897,
     "iPad6,11", "EXC_BAD_ACCESS", "SIGKILL"},
    {"crash/icdab_iOS14.2b_iPhone12,1_PAC_failure.crash", -1, NULL, "crash", "icdab_ptr", "14.2",
     "18B5061e", "2020-10-14 23:09:20.9645 +0100", 1602713360, "iPhone12,1", "EXC_BAD_ACCESS",
     "SIGSEGV"},
    {"crash/ios-resymbol_iOS12.4_iPhone9,1_EXC_GUARD_simulated.crash", -1, NULL, "crash", "WePop",
     "12.4", "16G77", "2019-10-11 16:51:31.2612 +0800", 1570783891, "iPhone9,1", "EXC_GUARD", NULL},
    {"crash/macsym_iOS15.5_iPhone14,2.crash", -1, NULL, "crash", "iOSCrashingTest", "15.5", "19F77",
     "2022-08-04 01:11:01.2455 +0900", 1659543061, "iPhone14,2", "EXC_BREAKPOINT", "SIGTRAP"},
    {"crash/macsym_iOS16.0_iPhone14,2_with_json_header.crash", 309, "Crash_309", "crash",
     "iOSCrashingTest", "16.0", "20A362", "2022-09-18 15:28:37.00 +0900", 1663482517, "iPhone14,2",
     "EXC_BREAKPOINT", "SIGTRAP"},
};
#define NCORPUS (sizeof corpus / sizeof corpus[0])

static char *load(const char *rel, size_t *len)
{
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", CP_CORPUS_DIR, rel);
  FILE *f = fopen(path, "rb");
  if (!f)
    fail_msg("cannot open %s", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  assert_non_null(b);
  assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *len = (size_t)n;
  return b;
}

static json_t *parse(const void *buf, size_t len, const char *name)
{
  json_t *rec = NULL;
  cp_error err;
  assert_int_equal(cp_crash_parse(buf, len, name, &rec, &err), CP_OK);
  assert_non_null(rec);
  assert_true(json_is_array(json_object_get(rec, "warnings")));
  assert_non_null(json_string_value(json_object_get(rec, "kind")));
  assert_non_null(json_string_value(json_object_get(rec, "signature")));
  return rec;
}

#define LIT(s)                                                                                     \
  {                                                                                                \
    s, sizeof(s) - 1                                                                               \
  }

static const char *str(const json_t *r, const char *k)
{
  return json_string_value(json_object_get(r, k));
}

static void check_str(const json_t *r, const char *k, const char *want, const char *file)
{
  const char *got = str(r, k);
  if (!want) {
    if (got)
      fail_msg("%s: %s should be absent, is '%s'", file, k, got);
    return;
  }
  if (!got || strcmp(got, want))
    fail_msg("%s: %s is '%s', expected '%s'", file, k, got ? got : "(absent)", want);
}

static void test_corpus_fields(void **state)
{
  (void)state;
  for (size_t i = 0; i < NCORPUS; i++) {
    const expect *e = &corpus[i];
    size_t len;
    char *buf = load(e->path, &len);
    json_t *r = parse(buf, len, e->path);
    if (e->bug_type < 0)
      assert_true(json_is_null(json_object_get(r, "bug_type")));
    else
      assert_int_equal(json_integer_value(json_object_get(r, "bug_type")), e->bug_type);
    check_str(r, "bug_type_name", e->bug_type_name, e->path);
    check_str(r, "kind", e->kind, e->path);
    check_str(r, "process", e->process, e->path);
    check_str(r, "os_version", e->os_version, e->path);
    check_str(r, "os_build", e->os_build, e->path);
    check_str(r, "timestamp", e->timestamp, e->path);
    check_str(r, "device_model", e->device_model, e->path);
    check_str(r, "exception_type", e->exception_type, e->path);
    check_str(r, "signal", e->signal, e->path);
    check_str(r, "file", e->path, e->path);
    assert_int_equal(json_integer_value(json_object_get(r, "time")), e->time);
    /* A complete corpus file reads without a single warning. */
    if (json_array_size(json_object_get(r, "warnings")))
      fail_msg("%s: unexpected warning '%s'", e->path,
               json_string_value(json_array_get(json_object_get(r, "warnings"), 0)));
    json_decref(r);
    free(buf);
  }
}

static json_t *parse_file(const char *rel, char **keep)
{
  size_t len;
  char *buf = load(rel, &len);
  json_t *r = parse(buf, len, rel);
  if (keep)
    *keep = buf;
  else
    free(buf);
  return r;
}

/* The per-type details: panic line and task, jetsam, resource, frames. */
static void test_type_details(void **state)
{
  (void)state;
  json_t *r = parse_file("ips/applekeystore_iOS26.1_iPhone12,5_panic-full_210.ips", NULL);
  assert_non_null(strstr(str(r, "panic_string"), "element modified after free"));
  assert_null(strchr(str(r, "panic_string"), '\n'));
  assert_string_equal(str(r, "panicked_task"), "Test");
  assert_int_equal(json_integer_value(json_object_get(r, "panicked_pid")), 956);
  assert_string_equal(str(r, "incident_id"), "E8C4CC33-B0C6-43A5-90A3-C2B22A4D5A5A");
  json_decref(r);

  r = parse_file("ips/pycrashreport_iOS16.2_iPhone11,8_forceReset-full_151.ips", NULL);
  assert_string_equal(str(r, "panic_string"), "panic(cpu 1 caller 0xfffffff02e156784): btn_rst");
  assert_string_equal(str(r, "panicked_task"), "kernel_task");
  json_decref(r);

  r = parse_file("ips/icdab_iOS14.2b_iPhone12,1_JetsamEvent_298.ips", NULL);
  json_t *f0;
  json_t *j = json_object_get(r, "jetsam");
  assert_string_equal(str(j, "largest_process"), "AppStore");
  assert_string_equal(str(j, "reason"), "highwater");
  assert_string_equal(str(json_array_get(json_object_get(j, "killed"), 0), "process"),
                      "wifianalyticsd");
  assert_int_equal(json_integer_value(json_object_get(j, "process_count")), 442);
  json_decref(r);

  r = parse_file("ips/icdab_iOS14.2b_iPhone12,1_apfs_defragd_cpu_resource_202.ips", NULL);
  json_t *res = json_object_get(r, "resource");
  assert_string_equal(str(res, "type"), "cpu usage");
  assert_string_equal(str(res, "limit"), "90s");
  assert_string_equal(str(res, "observed"), "90s");
  /* heaviest stack, leaf first: "2   ??? (libz.1.dylib + 47196) [0x1dae8885c]" */
  f0 = json_array_get(json_object_get(r, "frames"), 0);
  assert_string_equal(str(f0, "image"), "libz.1.dylib");
  assert_int_equal(json_integer_value(json_object_get(f0, "offset")), 47196);
  assert_null(json_object_get(f0, "symbol"));
  assert_int_equal(json_array_size(json_object_get(r, "frames")), 15);
  json_decref(r);

  r = parse_file("ips/sanfer_iOS18.5_iPad13,16_app_crash_309.ips", NULL);
  assert_int_equal(json_integer_value(json_object_get(r, "crashed_thread")), 6);
  f0 = json_array_get(json_object_get(r, "frames"), 0);
  assert_string_equal(str(f0, "image"), "libsystem_kernel.dylib");
  assert_string_equal(str(f0, "symbol"), "__pthread_kill");
  assert_int_equal(json_integer_value(json_object_get(f0, "offset")), 45532);
  assert_string_equal(str(r, "bundle_id"), "com.alferio94.sanferevents");
  assert_string_equal(str(r, "app_version"), "1.2.1");
  assert_string_equal(str(r, "termination_reason"), "SIGNAL 6 Abort trap: 6");
  json_decref(r);

  r = parse_file("crash/icdab_iOS11.2.6_iPad6,11_watchdog_8badf00d.crash", NULL);
  assert_string_equal(str(r, "termination_code"), "0x8badf00d");
  assert_string_equal(str(r, "app_version"), "1.0.4");
  json_t *f1 = json_array_get(json_object_get(r, "frames"), 1);
  assert_string_equal(str(f1, "image"), "Foundation");
  assert_string_equal(str(f1, "symbol"), "-[NSConcreteMapTable dealloc]");
  assert_int_equal(json_integer_value(json_object_get(f1, "symbol_offset")), 108);
  json_decref(r);

  r = parse_file("crash/ios-resymbol_iOS12.4_iPhone9,1_EXC_GUARD_simulated.crash", NULL);
  assert_int_equal(json_integer_value(json_object_get(r, "crashed_thread")), 74);
  f1 = json_array_get(json_object_get(r, "frames"), 1);
  assert_string_equal(str(f1, "image"), "WePop");
  assert_int_equal(json_integer_value(json_object_get(f1, "offset")), 101081420);
  assert_null(json_object_get(f1, "symbol"));
  json_decref(r);

  r = parse_file("ips/icdab_iOS11.1.2_iPhone9,3_MobileSMS_0x2bad45ec_109.ips", NULL);
  f0 = json_array_get(json_object_get(r, "frames"), 0);
  assert_int_equal(json_integer_value(json_object_get(f0, "offset")), 0x77354);
  assert_true(strncmp(str(f0, "symbol"), "-[CUICatalog _resolvedRenditionKeyFromThemeRef:", 47) ==
              0);
  assert_string_equal(str(r, "termination_code"), "0x2bad45ec");
  json_decref(r);

  r = parse_file("crash/macsym_iOS15.5_iPhone14,2.crash", NULL);
  assert_string_equal(str(r, "app_version"), "1.0"); /* iOS 15: "1.0 (1)" */
  assert_string_equal(str(r, "app_build"), "1");
  json_decref(r);
}

/* The same crash as .ips (iOS 16), translated .crash (iOS 16) and legacy
 * .crash (iOS 15.5, other addresses and slide) is one signature. */
static void test_signature_ignores_addresses(void **state)
{
  (void)state;
  json_t *a = parse_file("ips/macsym_iOS16.0_iPhone14,2_app_crash_309.ips", NULL);
  json_t *b = parse_file("crash/macsym_iOS16.0_iPhone14,2_with_json_header.crash", NULL);
  json_t *c = parse_file("crash/macsym_iOS15.5_iPhone14,2.crash", NULL);
  json_t *d = parse_file("ips/sanfer_iOS18.5_iPad13,16_app_crash_309.ips", NULL);
  assert_string_equal(str(a, "signature"), str(b, "signature"));
  assert_string_equal(str(a, "signature"), str(c, "signature"));
  assert_string_not_equal(str(a, "signature"), str(d, "signature"));
  assert_int_equal(strlen(str(a, "signature")), 16);
  json_decref(a);
  json_decref(b);
  json_decref(c);
  json_decref(d);
}

static bool has_warning(const json_t *r)
{
  return json_array_size(json_object_get(r, "warnings")) > 0;
}

/* Every corpus file cut at several offsets: no crash, a warning, and the
 * header fields still right once the header line is complete. */
static void test_truncated_copies(void **state)
{
  (void)state;
  for (size_t i = 0; i < NCORPUS; i++) {
    size_t len;
    char *buf = load(corpus[i].path, &len);
    const char *nl = memchr(buf, '\n', len);
    size_t header_end = (buf[0] == '{' && nl) ? (size_t)(nl - buf) + 1 : 0;
    static const double cuts[] = {0.0005, 0.01, 0.1, 0.33, 0.5, 0.77, 0.95, 0.999};
    for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
      size_t cut = (size_t)(len * cuts[k]);
      if (cut > 0 && buf[cut - 1] == '\n')
        cut++; /* a cut right after a newline in a text tail is undetectable */
      if (cut >= len)
        continue;
      /* An exact-size copy so ASan sees any read past the end. */
      char *copy = malloc(cut ? cut : 1);
      assert_non_null(copy);
      memcpy(copy, buf, cut);
      json_t *r = parse(copy, cut, corpus[i].path);
      if (!has_warning(r))
        fail_msg("%s cut at %zu of %zu: no warning", corpus[i].path, cut, len);
      if (header_end && cut >= header_end) {
        check_str(r, "timestamp", corpus[i].timestamp, corpus[i].path);
        check_str(r, "os_version", corpus[i].os_version, corpus[i].path);
        assert_int_equal(json_integer_value(json_object_get(r, "bug_type")), corpus[i].bug_type);
      }
      json_decref(r);
      free(copy);
    }
    free(buf);
  }
}

/* absent, or exactly the full value: a cut never yields a shorter value */
static void absent_or(const json_t *r, const char *k, const char *want, const char *file,
                      size_t cut)
{
  const char *got = str(r, k);
  if (got && (!want || strcmp(got, want)))
    fail_msg("%s cut at %zu: %s is '%s', expected '%s' or nothing", file, cut, k, got,
             want ? want : "(absent)");
}

/* Cuts inside the header line, byte by byte: every value read is the real
 * one ("30" is never taken for "309", "iOSCrash" for "iOSCrashingTest"). */
static void test_cut_header_never_invents(void **state)
{
  (void)state;
  for (size_t i = 0; i < NCORPUS; i++) {
    size_t len;
    char *buf = load(corpus[i].path, &len);
    const char *nl = memchr(buf, '\n', len);
    if (buf[0] != '{' || !nl) {
      free(buf);
      continue;
    }
    size_t header_end = (size_t)(nl - buf);
    for (size_t cut = 1; cut < header_end; cut++) {
      char *copy = malloc(cut);
      assert_non_null(copy);
      memcpy(copy, buf, cut);
      json_t *r = parse(copy, cut, corpus[i].path);
      assert_true(has_warning(r));
      json_t *bt = json_object_get(r, "bug_type");
      if (!json_is_null(bt) && json_integer_value(bt) != corpus[i].bug_type)
        fail_msg("%s cut at %zu: bug_type %lld", corpus[i].path, cut,
                 (long long)json_integer_value(bt));
      absent_or(r, "process", corpus[i].process, corpus[i].path, cut);
      absent_or(r, "timestamp", corpus[i].timestamp, corpus[i].path, cut);
      absent_or(r, "os_version", corpus[i].os_version, corpus[i].path, cut);
      absent_or(r, "os_build", corpus[i].os_build, corpus[i].path, cut);
      json_decref(r);
      free(copy);
    }
    free(buf);
  }
}

/* A device listing reads only the first 16 KiB: the header line must give
 * bug_type, process, timestamp and OS version; the salvage pass adds more. */
static void test_listing_prefix(void **state)
{
  (void)state;
  for (size_t i = 0; i < NCORPUS; i++) {
    size_t len;
    char *buf = load(corpus[i].path, &len);
    size_t n = len < 16384 ? len : 16384;
    char *copy = malloc(n);
    assert_non_null(copy);
    memcpy(copy, buf, n);
    json_t *r = parse(copy, n, corpus[i].path);
    if (corpus[i].bug_type >= 0)
      assert_int_equal(json_integer_value(json_object_get(r, "bug_type")), corpus[i].bug_type);
    check_str(r, "process", corpus[i].process, corpus[i].path);
    check_str(r, "timestamp", corpus[i].timestamp, corpus[i].path);
    check_str(r, "os_version", corpus[i].os_version, corpus[i].path);
    check_str(r, "os_build", corpus[i].os_build, corpus[i].path);
    check_str(r, "device_model", corpus[i].device_model, corpus[i].path);
    if (n < len)
      assert_true(has_warning(r));
    json_decref(r);
    free(copy);
    free(buf);
  }
}

/* A 211 CoreAnalytics log with a battery record (made here: the corpus has
 * none), one line cut short and no end marker. */
static void test_analytics_battery(void **state)
{
  (void)state;
  const char *doc =
      "{\"bug_type\":\"211\",\"timestamp\":\"2024-03-02 08:00:00.00 +0100\","
      "\"os_version\":\"iPhone OS 17.3.1 (21D61)\",\"incident_id\":\"X\"}\n"
      "{\"_marker\":\"<metadata>\",\"version\":\"1.0\"}\n"
      "{\"message\":{\"last_value_MaximumCapacityPercent\":87,\"last_value_CycleCount\":412,"
      "\"last_value_NominalChargeCapacity\":2771.5,\"Count\":3},\"name\":\"BatteryHealth\"}\n"
      "{\"message\":{\"Count\":1},\"name\":\"Other\"}\n"
      "{\"message\":{\"Count\":";
  json_t *r = parse(doc, strlen(doc), "Analytics.ips");
  assert_string_equal(str(r, "kind"), "analytics");
  json_t *bat = json_object_get(r, "battery");
  assert_int_equal(json_integer_value(json_object_get(bat, "maximum_capacity_percent")), 87);
  assert_int_equal(json_integer_value(json_object_get(bat, "cycle_count")), 412);
  assert_true(json_real_value(json_object_get(bat, "nominal_charge_capacity")) == 2771.5);
  assert_null(json_object_get(bat, "count"));
  assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "analytics"), "records")),
                   3);
  assert_int_equal(json_array_size(json_object_get(r, "warnings")), 2);
  assert_string_equal(str(r, "os_version"), "17.3.1");
  json_decref(r);
}

/* Inputs no device sends: each gives a record with a warning, never a crash. */
static void test_hostile_inputs(void **state)
{
  (void)state;
  static char deep[200000];
  size_t n = 0;
  n += (size_t)snprintf(deep, sizeof deep, "{\"bug_type\":\"309\"}\n");
  for (; n < sizeof deep - 1; n++)
    deep[n] = (n % 2) ? '[' : '{';
  const struct {
    const char *buf;
    size_t len;
  } cases[] = {
      LIT(""),
      LIT("   \n\n"),
      LIT("{"),
      LIT("{\"bug_type\":\"309\""),
      LIT("{\"bug_type\":99999999999999999999999}\n{}"),
      LIT("{\"bug_type\":{\"a\":1},\"timestamp\":7}\n"),
      LIT("{\"bug_type\":\"zz\"}\n{\"threads\":7,\"faultingThread\":-3,\"usedImages\":\"x\"}"),
      LIT("{\"bug_type\":\"309\"}\n{\"threads\":[{\"frames\":[{\"imageIndex\":1e300}]}],"
          "\"faultingThread\":4}"),
      LIT("\xff\xfe\x00garbage\x80\x81"),
      LIT("Incident Identifier: \xc3\x28\nProcess: a\xe2\x82 [\nDate/Time: 9999-99-99\n"
          "Exception Type: (\nThread 0 Crashed:\n0 x 0x1 y + 99999999999999999999999\n"),
      {deep, sizeof deep - 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *copy = malloc(cases[i].len ? cases[i].len : 1);
    assert_non_null(copy);
    memcpy(copy, cases[i].buf, cases[i].len);
    json_t *r = parse(copy, cases[i].len, NULL);
    if (!has_warning(r))
      fail_msg("hostile case %zu: no warning", i);
    char *dump = json_dumps(r, 0); /* valid UTF-8 all through */
    assert_non_null(dump);
    free(dump);
    json_decref(r);
    free(copy);
  }
  json_t *r = NULL;
  assert_int_equal(cp_crash_parse(NULL, 5, NULL, &r, NULL), CP_E_INTERNAL);
  assert_int_equal(cp_crash_parse("x", 1, NULL, NULL, NULL), CP_E_INTERNAL);
}

/* Triage: the corpus gives one 3-report group, one kernel panic (bug_type
 * 210), one forced restart (151, ForceReset: grouped, not a panic) and one
 * jetsam. */
static void test_triage(void **state)
{
  (void)state;
  json_t *records = json_array();
  for (size_t i = 0; i < NCORPUS; i++)
    (void)json_array_append_new(records, parse_file(corpus[i].path, NULL));
  json_t *t = cp_crash_triage(records);
  assert_non_null(t);
  assert_int_equal(json_integer_value(json_object_get(t, "total")), (long long)NCORPUS);
  json_t *groups = json_object_get(t, "groups");
  json_t *g0 = json_array_get(groups, 0);
  assert_int_equal(json_integer_value(json_object_get(g0, "count")), 3);
  assert_string_equal(str(g0, "process"), "iOSCrashingTest");
  assert_string_equal(str(g0, "first_seen"), "2022-08-04 01:11:01.2455 +0900");
  assert_string_equal(str(g0, "last_seen"), "2022-09-18 15:28:37.00 +0900");
  assert_int_equal(json_array_size(json_object_get(g0, "files")), 3);
  assert_string_equal(str(g0, "os_version"), "16.0"); /* of the latest member */
  size_t members = 0;
  for (size_t i = 0; i < json_array_size(groups); i++) {
    json_int_t c = json_integer_value(json_object_get(json_array_get(groups, i), "count"));
    if (i)
      assert_true(c <= json_integer_value(json_object_get(json_array_get(groups, i - 1), "count")));
    members += (size_t)c;
  }
  assert_int_equal(members, NCORPUS - 3); /* 1 panic, 1 jetsam, 1 analytics */
  json_t *p = json_object_get(t, "panics");
  assert_int_equal(json_integer_value(json_object_get(p, "count")), 1);
  assert_int_equal(json_array_size(json_object_get(p, "first_lines")), 1);
  assert_int_equal(
      json_integer_value(json_object_get(json_object_get(t, "forced_restarts"), "count")), 1);
  json_t *j = json_object_get(t, "jetsam");
  assert_int_equal(json_integer_value(json_object_get(j, "count")), 1);
  assert_string_equal(str(json_array_get(json_object_get(j, "largest_processes"), 0), "process"),
                      "AppStore");
  json_decref(t);
  assert_null(cp_crash_triage(json_object_get(records, "nope")));
  json_decref(records);
}

/* A JSON body saved without its header line: the body's own bug_type and
 * fields stand in (the timestamp is then the body's captureTime/date). */
static void test_body_without_header(void **state)
{
  (void)state;
  static const struct {
    const char *path;
    int bug_type;
    const char *kind, *timestamp;
  } cases[] = {
      {"ips/macsym_iOS16.0_iPhone14,2_app_crash_309.ips", 309, "crash",
       "2022-09-18 15:28:37.3451 +0900"},
      {"ips/applekeystore_iOS26.1_iPhone12,5_panic-full_210.ips", 210, "panic",
       "2026-01-13 12:23:35.00 -0500"},
      {"ips/pycrashreport_iOS16.2_iPhone11,8_forceReset-full_151.ips", 151, "panic",
       "2022-12-24 11:43:00.47 +0000"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t len;
    char *buf = load(cases[i].path, &len);
    const char *nl = memchr(buf, '\n', len);
    assert_non_null(nl);
    size_t off = (size_t)(nl + 1 - buf);
    json_t *r = parse(buf + off, len - off, cases[i].path);
    assert_int_equal(json_integer_value(json_object_get(r, "bug_type")), cases[i].bug_type);
    assert_string_equal(str(r, "kind"), cases[i].kind);
    assert_string_equal(str(r, "timestamp"), cases[i].timestamp);
    assert_non_null(str(r, "bug_type_name"));
    assert_non_null(str(r, "os_version"));
    json_decref(r);
    free(buf);
  }
}

/* Two watchdog panics on other CPUs and addresses are one panic line; the
 * record keeps the first line only and the panicked task. */
static void test_panic_lines_fold(void **state)
{
  (void)state;
  const char *a = "{\"bug_type\":\"210\",\"timestamp\":\"2024-05-07 09:00:01.00 +0200\"}\n"
                  "{\"product\":\"iPhone15,2\",\"panicString\":\"panic(cpu 0 caller "
                  "0xfffffff027a1b2c4): userspace watchdog timeout: no successful checkins from "
                  "thermalmonitord in 180 seconds\\nPanicked task 0xffffffe1: 0 pages, 9 threads: "
                  "pid 0: kernel_task\\n\"}\n";
  const char *b = "{\"bug_type\":\"210\",\"timestamp\":\"2024-05-09 22:10:00.00 +0200\"}\n"
                  "{\"product\":\"iPhone15,2\",\"panicString\":\"panic(cpu 5 caller "
                  "0xfffffff01234abcd): userspace watchdog timeout: no successful checkins from "
                  "thermalmonitord in 180 seconds\\nDebugger message: panic\"}\n";
  json_t *records = json_array();
  json_t *ra = parse(a, strlen(a), "a.ips");
  assert_string_equal(str(ra, "panicked_task"), "kernel_task");
  assert_string_equal(str(ra, "device_model"), "iPhone15,2");
  (void)json_array_append_new(records, ra);
  (void)json_array_append_new(records, parse(b, strlen(b), "b.ips"));
  assert_string_equal(str(json_array_get(records, 0), "signature"),
                      str(json_array_get(records, 1), "signature"));
  json_t *t = cp_crash_triage(records);
  json_t *lines = json_object_get(json_object_get(t, "panics"), "first_lines");
  assert_int_equal(json_array_size(lines), 1);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(lines, 0), "count")), 2);
  assert_non_null(strstr(str(json_array_get(lines, 0), "line"), "userspace watchdog timeout"));
  assert_int_equal(json_array_size(json_object_get(t, "groups")), 0);
  json_decref(t);
  json_decref(records);
}

/* The newest `cap` reports fit: everything newer than the cut-off, and as
 * many of exactly its time as room says; all fit when there are few. */
static void test_newest_cutoff(void **state)
{
  (void)state;
  size_t room = 99;
  const int64_t few[] = {5, 1, 3};
  assert_true(cp_crash_newest_cutoff(few, 3, 3, &room) == INT64_MIN);
  assert_int_equal(room, 3);
  const int64_t t[] = {10, 40, 30, 30, 20, 30, 50};
  /* newest 4: 50, 40, then two of the three 30s */
  assert_true(cp_crash_newest_cutoff(t, 7, 4, &room) == 30);
  assert_int_equal(room, 2);
  /* newest 2: 50, 40; no 30 fits */
  assert_true(cp_crash_newest_cutoff(t, 7, 2, &room) == 40);
  assert_int_equal(room, 1);
  /* newest 6: everything above 10 */
  assert_true(cp_crash_newest_cutoff(t, 7, 6, &room) == 20);
  assert_int_equal(room, 1);
  const int64_t same[] = {7, 7, 7, 7};
  assert_true(cp_crash_newest_cutoff(same, 4, 3, &room) == 7);
  assert_int_equal(room, 3);
  assert_true(cp_crash_newest_cutoff(same, 4, 0, &room) == INT64_MAX);
  assert_int_equal(room, 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_corpus_fields),
      cmocka_unit_test(test_type_details),
      cmocka_unit_test(test_signature_ignores_addresses),
      cmocka_unit_test(test_truncated_copies),
      cmocka_unit_test(test_listing_prefix),
      cmocka_unit_test(test_analytics_battery),
      cmocka_unit_test(test_hostile_inputs),
      cmocka_unit_test(test_triage),
      cmocka_unit_test(test_panic_lines_fold),
      cmocka_unit_test(test_body_without_header),
      cmocka_unit_test(test_cut_header_never_invents),
      cmocka_unit_test(test_newest_cutoff),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
