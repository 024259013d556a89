/* Unit tests of the redactor: every class and form it must catch, the
 * corpus placeholders and kernel strings it must leave alone, identical
 * output for every chunking, stable pseudonyms, the report, the policy, and
 * the real ideviceinfo dump whose identifiers must not survive in any form. */
// clang-format off
#include <ctype.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "redact_int.h" /* the policy struct, for the hand-made off-switch test */
// clang-format on

static const unsigned char k_secret[CP_REDACT_SECRET_LEN] = "0123456789abcdef0123456789abcde";

static cp_redactor *make(const cp_redact_id *ids, size_t n, const cp_redact_policy *pol)
{
  cp_redact_config cfg = {ids, n, pol, k_secret};
  cp_redactor *r = NULL;
  cp_error e;
  cp_error_clear(&e);
  cp_err rc = cp_redactor_new(&cfg, &r, &e);
  if (rc != CP_OK)
    fprintf(stderr, "redactor: %s\n", e.detail);
  assert_int_equal(rc, CP_OK);
  return r;
}

static char *redact(cp_redactor *r, const char *member, const char *in)
{
  char *out = NULL;
  size_t n = 0;
  cp_error e;
  assert_int_equal(cp_redact_buffer(r, member, in, strlen(in), &out, &n, &e), CP_OK);
  assert_int_equal(strlen(out), n);
  return out;
}

/* in redacted with the default rules and no identifiers equals want */
static void expect(const char *in, const char *want)
{
  cp_redactor *r = make(NULL, 0, NULL);
  char *out = redact(r, "m", in);
  if (strcmp(out, want) != 0)
    fprintf(stderr, "in:   %s\nout:  %s\nwant: %s\n", in, out, want);
  assert_string_equal(out, want);
  free(out);
  cp_redactor_free(r);
}

static void test_pattern_classes(void **state)
{
  (void)state;
  expect("mail Anna.Smith+x@Example.co.uk.", "mail <email-1>.");
  expect("a@b.com then A@B.COM", "<email-1> then <email-1>");
  expect("Darwin Kernel Version 25.1.0; root@host and root:xnu-12377",
         "Darwin Kernel Version 25.1.0; root@host and root:xnu-12377");
  expect("RemoteIOClient@0x1028f4400 started", "RemoteIOClient@0x1028f4400 started");
  expect("call +86 138 1234 5678 now", "call <phone-1> now");
  expect("<a href=\"tel:+1-555-123-4567\">", "<a href=\"tel:<phone-1>\">");
  expect("pid 12345678 offset +0800 main + 1234", "pid 12345678 offset +0800 main + 1234");
  expect("from 192.168.50.195:80 to 10.0.0.1.", "from <ipv4-1>:80 to <ipv4-2>.");
  expect("root:xnu-7195.40.113.0.2~22\\/RELEASE", "root:xnu-7195.40.113.0.2~22\\/RELEASE");
  expect("version 1.2.3.400 x", "version 1.2.3.400 x");
  expect("{\"build\": \"7.98.0.4\", \"ip\": \"7.98.0.4\"} Version 10.0.0.1",
         "{\"build\": \"7.98.0.4\", \"ip\": \"<ipv4-1>\"} Version 10.0.0.1");
  expect("addr fe80::1c2b:3dff:fe4e:5a6b%en0 2001:db8::1 [2001:db8::]:80",
         "addr <ipv6-1>%en0 <ipv6-2> [<ipv6-3>]:80");
  expect("t +1.234567 +0.016830 dt", "t +1.234567 +0.016830 dt");
  expect("Apr 16 13:53:22 std::__1::basic_string Foo::add",
         "Apr 16 13:53:22 std::__1::basic_string Foo::add");
  expect("BSSID 18:31:BF:E2:6C:44 and 18-31-bf-e2-6c-44, 00:1a:2b:3c:4d:5e 18:31-bf:e2:6c:44",
         "BSSID <mac-1> and <mac-1>, <mac-2> 18:31-bf:e2:6c:44");
  expect("JetsamEvent-2020-10-15-172958.ips", "JetsamEvent-2020-10-15-172958.ips");
  expect("/var/mobile/Containers/Data/Application/3FEE8EDF-904D-4178-8B3A-7550F1E35091/Documents",
         "/var/mobile/Containers/Data/Application/<container-uuid-1>/Documents");
  expect("\"\\/private\\/var\\/containers\\/Bundle\\/Application\\/"
         "c6be6763-de45-469a-9e94-0123456789ab\\/x.app\"",
         "\"\\/private\\/var\\/containers\\/Bundle\\/Application\\/<container-uuid-1>\\/x.app\"");
  expect("bootSessionUUID 3FEE8EDF-904D-4178-8B3A-7550F1E35091",
         "bootSessionUUID 3FEE8EDF-904D-4178-8B3A-7550F1E35091");
  expect("open /Users/anna/Library and /home/bob and /Users/Shared/x",
         "open /Users/<user-path-1>/Library and /home/<user-path-2> and /Users/Shared/x");
  expect("wifi SSID: \"Home Net\" ssid=CafeWifi, BSSID x SSID: <private>",
         "wifi SSID: \"<ssid-1>\" ssid=<ssid-2>, BSSID x SSID: <private>");
  expect("[connected:00008020-001D65163CE1002E]", "[connected:<udid-1>]");
  expect("re-adding kangyu\xE2\x80\x99s MacBook Pro._companion, Anna Maria's iPhone, "
         "\"Zo\xC3\xAB\\u2019s iPad\"",
         "re-adding <person-name-1>\xE2\x80\x99s MacBook Pro._companion, <person-name-2>'s "
         "iPhone, \"<person-name-3>\\u2019s iPad\"");
}

static const cp_redact_id k_ids[] = {
    {"serial", "DNPT1P8EHG74"},
    {"udid", "00008020-001D65163CE1002E"},
    {"ecid", "1707430441053478"},
    {"imei", "355341083159771"},
    {"meid", "35534108315977"},
    {"iccid", "89860321945128778023"},
    {"imsi", "460115142016109"},
    {"phone", "+86 138 1234 5678"},
    {"wifi_mac", "14:bd:61:9d:3d:00"},
    {"bt_mac", "14:bd:61:9d:3d:01"},
    {"device_name", "Anna\xE2\x80\x99s iPhone"},
};
#define N_IDS (sizeof(k_ids) / sizeof(k_ids[0]))

static void expect_ids(cp_redactor *r, const char *in, const char *want)
{
  char *out = redact(r, "m", in);
  if (strcmp(out, want) != 0)
    fprintf(stderr, "in:   %s\nout:  %s\nwant: %s\n", in, out, want);
  assert_string_equal(out, want);
  free(out);
}

static void test_one_word_device_name(void **state)
{
  (void)state;
  static const cp_redact_id ids[] = {{"device_name", "Kitchen"}};
  cp_redactor *r = make(ids, 1, NULL);
  expect_ids(r, "name=Kitchen, \"Kitchen\" Kitchenette kitchen",
             "name=<device-name-1>, "
             "\"<device-name-1>\" Kitchenette "
             "<device-name-1>");
  cp_redactor_free(r);
}

static void test_identifier_forms(void **state)
{
  (void)state;
  cp_redactor *r = make(k_ids, N_IDS, NULL);
  expect_ids(r, "SN DNPT1P8EHG74 dnpt1p8ehg74", "SN <serial-1> <serial-1>");
  expect_ids(r, "udid 00008020-001D65163CE1002E 00008020001d65163ce1002e",
             "udid <udid-1> <udid-1>");
  /* ECID 1707430441053478 = 0x610E620EAED26 */
  expect_ids(r, "ECID 1707430441053478 0x610E620EAED26 ecid=000610e620eaed26",
             "ECID <ecid-1> 0x<ecid-1> ecid=<ecid-1>");
  expect_ids(r, "IMEI 355341083159771 / 35 534108 315977 1 MEID 35534108315977",
             "IMEI <imei-1> / <imei-1> MEID <meid-1>");
  expect_ids(r, "ICCID 89860321945128778023 IMSI 460115142016109", "ICCID <iccid-1> IMSI <imsi-1>");
  expect_ids(r, "n +86 138 1234 5678 | 13812345678 | +8613812345678 | 138-1234-5678",
             "n <phone-1> | <phone-1> | <phone-1> | <phone-1>");
  expect_ids(r, "wifi 14:BD:61:9D:3D:00 14bd619d3d00 14-bd-61-9d-3d-00 bt 14:bd:61:9d:3d:1",
             "wifi <wifi-mac-1> <wifi-mac-1> <wifi-mac-1> bt <bt-mac-1>");
  expect_ids(r, "bt 14:bd:61:9d:3d:10", "bt <mac-1>"); /* not the device's: a plain MAC */
  expect_ids(r, "name Anna\xE2\x80\x99s iPhone, Anna's iPhone, \"Anna\\u2019s iPhone\"",
             "name <device-name-1>, <device-name-1>, \"<device-name-1>\"");
  expect_ids(r, "Nov 23 13:53:22 Annas-iPhone mediaserverd[12] x Annas-iPhone.local",
             "Nov 23 13:53:22 <device-name-1> mediaserverd[12] x <device-name-1>.local");
  expect_ids(r, "<string>Anna&apos;s iPhone</string> ANNA'S IPHONE",
             "<string><device-name-1></string> <device-name-1>");
  expect_ids(r, "Hi Anna, from anna. Annapolis Joanna",
             "Hi <person-name-1>, from <person-name-1>. "
             "Annapolis Joanna");
  cp_redactor_free(r);
}

/* Pseudonyms keep JSON and XML members parseable. */
static void test_member_syntax(void **state)
{
  (void)state;
  cp_redactor *r = make(k_ids, N_IDS, NULL);
  const char *in = "{\"ecid\": 1707430441053478, \"s\": \"x \\\"q\\\" 1707430441053478\","
                   " \"a\": [1707430441053478,1707430441053478], \"DNPT1P8EHG74\": 1}";
  char *out = redact(r, "device/info.json", in);
  json_error_t je;
  json_t *j = json_loads(out, 0, &je);
  if (!j)
    fprintf(stderr, "not JSON: %s (%s)\n", out, je.text);
  assert_non_null(j);
  assert_string_equal(json_string_value(json_object_get(j, "ecid")), "<ecid-1>");
  assert_string_equal(json_string_value(json_object_get(j, "s")), "x \"q\" <ecid-1>");
  assert_string_equal(json_string_value(json_array_get(json_object_get(j, "a"), 1)), "<ecid-1>");
  assert_non_null(json_object_get(j, "<serial-1>"));
  json_decref(j);
  free(out);
  /* the same text in a log stays as it was written */
  out = redact(r, "syslog/x.log", "\"ecid\": 1707430441053478,");
  assert_string_equal(out, "\"ecid\": <ecid-1>,");
  free(out);
  out = redact(r, "device/x.plist", "<key>SerialNumber</key><string>DNPT1P8EHG74</string>");
  assert_string_equal(out, "<key>SerialNumber</key><string>&lt;serial-1&gt;</string>");
  free(out);
  cp_redactor_free(r);
}

/* ---- gaps the canary test (tests/e2e/test_canary.sh) found ---- */

/* The battery's serial is not a lockdown value: it is caught by its key. */
static void test_gap_serial_by_key(void **state)
{
  (void)state;
  expect("{\"Serial\": \"F8Y2461AB3ZQW5NLX\", \"BatterySerialNumber\":\"F8Y2461AB3ZQW5NLX\"}",
         "{\"Serial\": \"<serial-1>\", \"BatterySerialNumber\":\"<serial-1>\"}");
  expect("<key>Serial</key>\n\t<string>F8Y2461AB3ZQW5NLX</string>",
         "<key>Serial</key>\n\t<string><serial-1></string>");
  expect("battery serial F8Y2461AB3ZQW5NLX, Serial: C8QZK7M2XJ4T",
         "battery serial <serial-1>, Serial: <serial-2>");
  /* words, numbers and lower case after "serial" are not serials */
  expect("serial port DISCONNECTED, serial 20261120123, serial queue com.apple.x",
         "serial port DISCONNECTED, serial 20261120123, serial queue com.apple.x");
}

/* An e-mail address URL-encoded in a query string. */
static void test_gap_email_url_encoded(void **state)
{
  (void)state;
  expect("GET /login?user=ZQuillby%2Bbank%40mail.example.net&x=1 50%40 off",
         "GET /login?user=<email-1>&x=1 50%40 off");
}

/* Eight-group IPv6 without "::": padded, and link-local with short groups. */
static void test_gap_ipv6_full(void **state)
{
  (void)state;
  expect("v6 2001:0db8:4a1c:0000:0000:0000:002f:9e01 ll fe80:0:0:0:1c2b:3dff:fe4a:5e6f%en0",
         "v6 <ipv6-1> ll <ipv6-2>%en0");
  expect("FE80:0:0:0:1C2B:3DFF:FE4A:5E6F and fd12:3456:789a:1:0:0:0:1", "<ipv6-1> and <ipv6-2>");
  /* MACs, times, nine hex groups are not addresses */
  expect("18:31:bf:e2:6c:44 10:09:58:112 de:ad:be:ef:00:11:22:33:44",
         "<mac-1> 10:09:58:112 de:ad:be:ef:00:11:22:33:44");
}

/* A UUID folder anywhere under /var/mobile, not only Containers/<kind>/<kind>/. */
static void test_gap_var_mobile_uuid(void **state)
{
  (void)state;
  expect(
      "cache /var/mobile/Library/Caches/org.example.notes/D5E6F7A8-1234-4ABC-9DEF-0123456789AB/t",
      "cache /var/mobile/Library/Caches/org.example.notes/<container-uuid-1>/t");
  expect("\"\\/private\\/var\\/mobile\\/Library\\/SMS\\/Attachments\\/4f\\/"
         "d5e6f7a8-1234-4abc-9def-0123456789ab\\/IMG.HEIC\"",
         "\"\\/private\\/var\\/mobile\\/Library\\/SMS\\/Attachments\\/4f\\/"
         "<container-uuid-1>\\/IMG.HEIC\"");
  expect("/var/mobile/Library/Mobile Documents/x/A1B2C3D4-0F1E-4D2C-8B3A-5968F7E6D5C4.pdf",
         "/var/mobile/Library/Mobile Documents/x/<container-uuid-1>.pdf");
  /* a UUID that is not in such a path stays (incident ids, boot sessions) */
  expect(
      "incident D5E6F7A8-1234-4ABC-9DEF-0123456789AB /usr/lib/D5E6F7A8-1234-4ABC-9DEF-0123456789AB",
      "incident D5E6F7A8-1234-4ABC-9DEF-0123456789AB "
      "/usr/lib/D5E6F7A8-1234-4ABC-9DEF-0123456789AB");
}

static void test_gap_ssid_quoted(void **state)
{
  (void)state;
  expect("Joining SSID 'Zoe Hotspot' (secure), Associated to ssid: \"Home 5G\" x",
         "Joining SSID '<ssid-1>' (secure), Associated to ssid: \"<ssid-2>\" x");
  expect("\"SSID\", \"BSSID\" ssid \"", "\"SSID\", \"BSSID\" ssid \"");
}

static void test_gap_imei_dashes(void **state)
{
  (void)state;
  cp_redactor *r = make(k_ids, N_IDS, NULL);
  expect_ids(r, "IMEI 35-534108-315977-1.", "IMEI <imei-1>.");
  cp_redactor_free(r);
}

/* Names with accents: upper case (caseless matching is ASCII only) and the
 * host name iOS makes without accents. */
static void test_gap_latin1_names(void **state)
{
  (void)state;
  static const cp_redact_id ids[] = {{"device_name", "Zo\xC3\xAB Quillby\xE2\x80\x99s iPhone"}};
  cp_redactor *r = make(ids, 1, NULL);
  expect_ids(r, "Nov 20 10:10:00 Zoe-Quillbys-iPhone lockdownd[61] x",
             "Nov 20 10:10:00 <device-name-1> lockdownd[61] x");
  expect_ids(r, "ZO\xC3\x8B QUILLBY\xE2\x80\x99S IPHONE, Zo\xC3\xAB-Quillbys-iPhone.local",
             "<device-name-1>, <device-name-1>.local");
  expect_ids(r, "Hello ZO\xC3\x8B, contact Zoe Quillby, zoe.",
             "Hello <person-name-1>, contact <person-name-2>, <person-name-1>.");
  expect_ids(r, "Zoey ZoesNotes", "Zoey ZoesNotes");
  cp_redactor_free(r);
}

/* .ips: the JSON header (and a JSON body) stay JSON; a text body stays text. */
static void test_gap_ips_header_json(void **state)
{
  (void)state;
  cp_redactor *r = make(k_ids, N_IDS, NULL);
  char *out = redact(
      r, "crashes/x.ips",
      "{\"bug_type\":\"309\",\"ecid\":1707430441053478}\n{\n  \"e\" : 1707430441053478\n}\n");
  assert_string_equal(
      out, "{\"bug_type\":\"309\",\"ecid\":\"<ecid-1>\"}\n{\n  \"e\" : \"<ecid-1>\"\n}\n");
  free(out);
  out = redact(r, "crashes/Retired/y.ips.synced",
               "{\"bug_type\":\"109\"}\nSerial: DNPT1P8EHG74 \"q\nECID: 1707430441053478\n");
  assert_string_equal(out, "{\"bug_type\":\"109\"}\nSerial: <serial-1> \"q\nECID: <ecid-1>\n");
  free(out);
  out = redact(r, "crashes/z.ips", "ECID 1707430441053478");
  assert_string_equal(out, "ECID <ecid-1>");
  free(out);
  cp_redactor_free(r);
}

/* A plist <integer> holding an identifier becomes a <string>. */
static void test_gap_plist_integer(void **state)
{
  (void)state;
  cp_redactor *r = make(k_ids, N_IDS, NULL);
  char *out = redact(r, "crashes/Accessory/Info.plist",
                     "<key>UniqueChipID</key>\n\t<integer>1707430441053478</integer>\n"
                     "<key>X</key><integer>11707430441053478</integer>");
  assert_string_equal(out, "<key>UniqueChipID</key>\n\t<string>&lt;ecid-1&gt;</string>\n"
                           "<key>X</key><integer>1&lt;ecid-1&gt;</integer>");
  free(out);
  /* the same bytes in text are left as text */
  out = redact(r, "m", "<integer>1707430441053478</integer>");
  assert_string_equal(out, "<integer><ecid-1></integer>");
  free(out);
  cp_redactor_free(r);
}

/* ChipSerialNo is a per-device value too (lockdown data, base64 in JSON). */
static void test_gap_chip_serial(void **state)
{
  (void)state;
  json_t *vals = json_pack("{s:s, s:s, s:s}", "SerialNumber", "C8QZK7M2XJ4T", "ChipSerialNo",
                           "On6RDA==", "BasebandSerialNumber", "Jo1cYg==");
  cp_redact_id *ids = NULL;
  size_t n = 0;
  cp_error e;
  assert_int_equal(cp_redact_ids_from_lockdown(vals, &ids, &n, &e), CP_OK);
  assert_int_equal(n, 3);
  cp_redactor *r = make(ids, n, NULL);
  char *out =
      redact(r, "device/info.json", "{\"ChipSerialNo\": \"On6RDA==\", \"b\": \"Jo1cYg==\"}");
  assert_string_equal(out, "{\"ChipSerialNo\": \"<serial-1>\", \"b\": \"<serial-2>\"}");
  free(out);
  cp_redactor_free(r);
  cp_redact_ids_free(ids, n);
  json_decref(vals);
}

/* Feeds in with a chunking function; returns the output. */
typedef size_t (*chunker)(size_t i, size_t left, unsigned *seed);

typedef struct acc {
  char *p;
  size_t n, cap;
} acc;

static cp_err acc_emit(void *ctx, const void *buf, size_t len, cp_error *err)
{
  (void)err;
  acc *a = ctx;
  if (a->n + len + 1 > a->cap) {
    a->cap = (a->n + len + 1) * 2;
    a->p = realloc(a->p, a->cap);
    assert_non_null(a->p);
  }
  memcpy(a->p + a->n, buf, len);
  a->n += len;
  a->p[a->n] = 0;
  return CP_OK;
}

/* The member name picks the syntax (text, JSON, .ips, XML); tests of the
 * syntax modes set it, the rest stream a text member. */
static const char *g_member = "chunked";

static char *stream_chunks(cp_redactor *r, const char *in, size_t len, const size_t *cuts,
                           size_t ncuts, size_t *outlen)
{
  acc a = {0};
  cp_redact_stream *s = NULL;
  cp_error e;
  assert_int_equal(cp_redact_stream_open(r, g_member, acc_emit, &a, &s, &e), CP_OK);
  size_t at = 0;
  for (size_t i = 0; i <= ncuts; i++) {
    size_t to = i < ncuts ? cuts[i] : len;
    assert_int_equal(cp_redact_stream_write(s, in + at, to - at, &e), CP_OK);
    at = to;
  }
  assert_int_equal(cp_redact_stream_close(s, 1, &e), CP_OK);
  if (!a.p)
    a.p = calloc(1, 1);
  *outlen = a.n;
  return a.p;
}

static const char k_mixed[] =
    "Apr 16 13:53:22 Anna\xE2\x80\x99s iPhone wifid[42] <Notice>: SSID: \"Home Net\" BSSID "
    "18:31:BF:E2:6C:44 ip 192.168.50.195 mail anna.smith@example.com phone +86 138 1234 5678\n"
    "path /var/mobile/Containers/Data/Application/3FEE8EDF-904D-4178-8B3A-7550F1E35091/Documents "
    "serial DNPT1P8EHG74 udid 00008020001D65163CE1002E imei 35 534108 315977 1 root@host "
    "/Users/anna/x fe80::1c2b:3dff:fe4e:5a6b Anna ticket TCK-123456 end";

static cp_redact_policy *ticket_policy(const char *regex)
{
  cp_redact_policy *p = NULL;
  cp_error e;
  assert_int_equal(cp_redact_policy_new(&p, &e), CP_OK);
  assert_int_equal(cp_redact_policy_add_pattern(p, "ticket", regex, &e), CP_OK);
  return p;
}

static void check_all_splits(cp_redactor *r, const char *in, size_t len)
{
  char *whole = NULL;
  size_t wn = 0;
  cp_error e;
  assert_int_equal(cp_redact_buffer(r, strcmp(g_member, "chunked") ? g_member : "whole", in, len,
                                    &whole, &wn, &e),
                   CP_OK);
  /* every single split point */
  for (size_t cut = 0; cut <= len; cut++) {
    size_t on;
    char *o = stream_chunks(r, in, len, &cut, 1, &on);
    assert_int_equal(on, wn);
    assert_memory_equal(o, whole, wn);
    free(o);
  }
  /* byte by byte */
  size_t *cuts = malloc(len * sizeof(*cuts));
  assert_non_null(cuts);
  for (size_t i = 0; i < len; i++)
    cuts[i] = i;
  size_t on;
  char *o = stream_chunks(r, in, len, cuts, len, &on);
  assert_int_equal(on, wn);
  assert_memory_equal(o, whole, wn);
  free(o);
  /* random chunk sizes */
  unsigned seed = 12345;
  for (int round = 0; round < 50; round++) {
    size_t n = 0, at = 0;
    while (n < len) {
      seed = seed * 1103515245u + 12345u;
      at += 1 + (seed >> 16) % 40;
      if (at >= len)
        break;
      cuts[n++] = at;
    }
    o = stream_chunks(r, in, len, cuts, n, &on);
    assert_int_equal(on, wn);
    assert_memory_equal(o, whole, wn);
    free(o);
  }
  free(cuts);
  free(whole);
}

static void test_chunk_boundaries(void **state)
{
  (void)state;
  cp_redact_policy *p1 = ticket_policy("TCK-[0-9]{6}");
  cp_redactor *r = make(k_ids, N_IDS, p1);
  char *whole = redact(r, "m", k_mixed);
  /* sanity: the mixed text really is redacted */
  assert_null(strstr(whole, "DNPT1P8EHG74"));
  assert_null(strstr(whole, "Home Net"));
  assert_null(strstr(whole, "123456"));
  assert_non_null(strstr(whole, "root@host"));
  free(whole);
  check_all_splits(r, k_mixed, strlen(k_mixed));
  cp_redactor_free(r);
  cp_redact_policy_free(p1);
  /* a user pattern Vectorscan refuses (lookbehind) runs through PCRE2 alone */
  cp_redact_policy *p2 = ticket_policy("(?<=ticket )TCK-\\d+");
  r = make(k_ids, N_IDS, p2);
  whole = redact(r, "m", k_mixed);
  assert_non_null(strstr(whole, "ticket <ticket-1> end"));
  free(whole);
  check_all_splits(r, k_mixed, strlen(k_mixed));
  cp_redactor_free(r);
  cp_redact_policy_free(p2);
}

static char *slurp(const char *rel, size_t *len)
{
  char path[1024];
  snprintf(path, sizeof(path), "%s/%s", CP_CORPUS_DIR, rel);
  FILE *f = fopen(path, "rb");
  if (!f)
    fprintf(stderr, "cannot open %s\n", path);
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  assert_non_null(b);
  assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
  b[n] = 0;
  fclose(f);
  *len = (size_t)n;
  return b;
}

/* Corpus files: random chunkings give the one-shot output. */
/* The .ips and plist fixes decide on bytes around a match (the header line,
 * "<integer>" tags): every chunking must still give one output. */
static void test_gap_syntax_chunking(void **state)
{
  (void)state;
  cp_redactor *r = make(k_ids, N_IDS, NULL);
  static const char ips[] =
      "{\"bug_type\":\"309\",\"ecid\":1707430441053478,\"s\":\"DNPT1P8EHG74\"}\n"
      "{\n  \"e\" : 1707430441053478,\n  \"p\" : \"\\/var\\/mobile\\/x\\/"
      "D5E6F7A8-1234-4ABC-9DEF-0123456789AB\"\n}\n";
  static const char txt[] =
      "{\"bug_type\":\"109\"}\nSerial: DNPT1P8EHG74 \"q\nECID 1707430441053478\n";
  static const char pl[] = "<key>UniqueChipID</key><integer>1707430441053478</integer>"
                           "<key>Serial</key><string>F8Y2461AB3ZQW5NLX</string>";
  g_member = "crashes/a.ips";
  check_all_splits(r, ips, sizeof(ips) - 1);
  check_all_splits(r, txt, sizeof(txt) - 1);
  g_member = "crashes/b.plist";
  check_all_splits(r, pl, sizeof(pl) - 1);
  g_member = "chunked";
  cp_redactor_free(r);
}

static void test_corpus_chunking(void **state)
{
  (void)state;
  static const char *files[] = {
      "syslog/im_ios_sdk_iphone_idevicesyslog.log",
      "syslog/pvz_ipad_jailbroken_idevicesyslog.txt",
      "ips/applekeystore_iOS26.1_iPhone12,5_panic-full_210.ips",
      "ips/macsym_iOS16.0_iPhone14,2_app_crash_309.ips",
      "crash/icdab_iOS11.2.6_iPad6,11_watchdog_8badf00d.crash",
  };
  cp_redactor *r = make(k_ids, N_IDS, NULL);
  for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
    size_t len, wn, on;
    char *in = slurp(files[f], &len), *whole = NULL;
    cp_error e;
    assert_int_equal(cp_redact_buffer(r, files[f], in, len, &whole, &wn, &e), CP_OK);
    size_t *cuts = malloc(len * sizeof(*cuts));
    unsigned seed = 7 + (unsigned)f;
    for (int round = 0; round < 3; round++) {
      size_t n = 0, at = 0, maxc = round == 0 ? (len < 400000 ? 7 : 61) : round == 1 ? 300 : 70000;
      while (n < len) {
        seed = seed * 1103515245u + 12345u;
        at += 1 + (seed >> 8) % maxc;
        if (at >= len)
          break;
        cuts[n++] = at;
      }
      char *o = stream_chunks(r, in, len, cuts, n, &on);
      assert_int_equal(on, wn);
      assert_memory_equal(o, whole, wn);
      free(o);
    }
    free(cuts);
    free(whole);
    free(in);
  }
  cp_redactor_free(r);
}

/* The corpus's syslog: the UDID in the connect line, the MAC, the IP and the
 * container UUIDs go; root@host and the author's placeholders stay. */
static void test_corpus_syslog(void **state)
{
  (void)state;
  size_t len, on;
  char *in = slurp("syslog/im_ios_sdk_iphone_idevicesyslog.log", &len), *out = NULL;
  cp_redactor *r = make(NULL, 0, NULL);
  cp_error e;
  assert_int_equal(cp_redact_buffer(r, "syslog/a.log", in, len, &out, &on, &e), CP_OK);
  assert_null(strstr(out, "00008020-001D65163CE1002E"));
  assert_non_null(strstr(out, "[connected:<udid-1>]"));
  assert_null(strstr(out, "18:31:BF:E2:6C:44"));
  assert_null(strstr(out, "192.168.50.195"));
  assert_non_null(strstr(out, "<private>"));
  free(out);
  free(in);
  in = slurp("syslog/pvz_ipad_jailbroken_idevicesyslog.txt", &len);
  assert_int_equal(cp_redact_buffer(r, "syslog/b.log", in, len, &out, &on, &e), CP_OK);
  assert_null(strstr(out, "3FEE8EDF-904D-4178-8B3A-7550F1E35091"));
  assert_null(strstr(out, "C00D4C0D-29F2-4AF4-9D9A-80ED18F0852E"));
  free(out);
  free(in);
  in = slurp("ips/applekeystore_iOS26.1_iPhone12,5_panic-full_210.ips", &len);
  assert_int_equal(cp_redact_buffer(r, "crashes/p.ips", in, len, &out, &on, &e), CP_OK);
  assert_non_null(strstr(out, "root:xnu-12377.42.6~55\\/RELEASE_ARM64_T8030"));
  free(out);
  free(in);
  cp_redactor_free(r);
}

/* "Key: value" lines of an ideviceinfo dump as a flat JSON object (nested
 * carrier entries included; the helper accepts flat keys). */
static json_t *parse_ideviceinfo(const char *text)
{
  json_t *o = json_object();
  const char *p = text;
  while (*p) {
    const char *eol = strchr(p, '\n');
    size_t n = eol ? (size_t)(eol - p) : strlen(p);
    char line[2048];
    snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) - 1 ? n : sizeof(line) - 1), p);
    char *k = line;
    while (*k == ' ')
      k++;
    char *c = strstr(k, ": ");
    if (c) {
      *c = 0;
      char *v = c + 2;
      if (*v && !json_object_get(o, k))
        json_object_set_new(o, k, json_string(v));
    }
    p += n + (eol ? 1 : 0);
  }
  return o;
}

static void assert_absent(const char *hay, const char *needle)
{
  if (strstr(hay, needle)) {
    fprintf(stderr, "survived: %s\n", needle);
    fail();
  }
}

static void assert_no_form(const char *out, const char *v)
{
  char a[256], b[256], c[256];
  size_t n = 0;
  snprintf(a, sizeof(a), "%s", v);
  for (size_t i = 0; v[i] && i < sizeof(b) - 1; i++) {
    b[i] = (char)tolower((unsigned char)v[i]);
    c[i] = (char)toupper((unsigned char)v[i]);
    b[i + 1] = c[i + 1] = 0;
  }
  assert_absent(out, a);
  assert_absent(out, b);
  assert_absent(out, c);
  /* without separators, both cases */
  char s[256], S[256];
  for (size_t i = 0; v[i] && n < sizeof(s) - 1; i++)
    if (isalnum((unsigned char)v[i])) {
      s[n] = (char)tolower((unsigned char)v[i]);
      S[n++] = (char)toupper((unsigned char)v[i]);
    }
  s[n] = S[n] = 0;
  assert_absent(out, s);
  assert_absent(out, S);
}

static void test_ideviceinfo_corpus(void **state)
{
  (void)state;
  size_t len, on;
  char *in = slurp("lockdown/crifan_iOS13.3.1_iPhone9,1_ideviceinfo.txt", &len), *out = NULL;
  json_t *vals = parse_ideviceinfo(in);
  cp_redact_id *ids = NULL;
  size_t n = 0;
  cp_error e;
  assert_int_equal(cp_redact_ids_from_lockdown(vals, &ids, &n, &e), CP_OK);
  assert_true(n >= 12);
  cp_redactor *r = make(ids, n, NULL);
  assert_int_equal(cp_redact_buffer(r, "device/info.txt", in, len, &out, &on, &e), CP_OK);
  static const char *vals_s[] = {"adab53e3250e8be1ee0db75bccdc2063df608b46",
                                 "DNPT1P8EHG74",
                                 "F3X65340DPJH6TGD",
                                 "355341083159771",
                                 "35534108315977",
                                 "460115142016109",
                                 "89860321945128778023",
                                 "14:bd:61:9d:3d:00",
                                 "14:bd:61:9d:3d:01",
                                 "14:bd:61:9d:3d:02",
                                 "1707430441053478",
                                 "F5007716F2",
                                 "iPhone7_1331",
                                 "yuMYKA=="};
  for (size_t i = 0; i < sizeof(vals_s) / sizeof(vals_s[0]); i++)
    assert_no_form(out, vals_s[i]);
  /* the author's mask and the non-identifying keys stay */
  assert_non_null(strstr(out, "PhoneNumber: +86 xxx xxxx xxxx"));
  assert_non_null(strstr(out, "ProductType: iPhone9,1"));
  /* the pseudonym SerialNumber got here is the one it gets in other members */
  const char *sn = strstr(out, "\nSerialNumber: <serial-");
  assert_non_null(sn);
  char want[200];
  snprintf(want, sizeof(want),
           "mac <wifi-mac-1> <bt-mac-1> udid <udid-1> ecid 0x<ecid-1> imei <imei-1> sn %.*s",
           (int)(strchr(sn + 1, '>') - (sn + 15) + 1), sn + 15);
  assert_non_null(strstr(out, "UniqueChipID: <ecid-1>"));
  assert_non_null(strstr(out, "DieID: <ecid-1>"));
  assert_non_null(strstr(out, "MLBSerialNumber: <serial-"));
  /* the same identifiers in other spellings, in another member */
  char *o2 =
      redact(r, "syslog/x.log",
             "mac 14BD619D3D00 14-BD-61-9D-3D-01 udid ADAB53E3250E8BE1EE0DB75BCCDC2063DF608B46"
             " ecid 0x610e620eaed26 imei 35 534108 315977 1 sn dnpt1p8ehg74");
  assert_string_equal(o2, want);
  free(o2);
  json_t *rep = cp_redactor_report(r);
  json_t *serial = json_object_get(json_object_get(rep, "classes"), "serial");
  assert_non_null(serial);
  assert_int_equal(
      json_integer_value(json_object_get(json_object_get(serial, "members"), "syslog/x.log")), 1);
  char *dump = json_dumps(rep, 0);
  for (size_t i = 0; i < sizeof(vals_s) / sizeof(vals_s[0]); i++)
    assert_absent(dump, vals_s[i]);
  free(dump);
  json_decref(rep);
  free(out);
  cp_redactor_free(r);
  cp_redact_ids_free(ids, n);
  json_decref(vals);
  free(in);
}

/* The author-sanitized dump: placeholders are not identifiers, nothing to do. */
static void test_sanitized_corpus_untouched(void **state)
{
  (void)state;
  size_t len, on;
  char *in =
      slurp("lockdown/"
            "forensics-doc_iOS13.5.1_iPhone9,2_ideviceinfo_-s_simple_mode_REDACTED_BY_AUTHOR.txt",
            &len);
  char *out = NULL;
  json_t *vals = parse_ideviceinfo(in);
  cp_redact_id *ids = NULL;
  size_t n = 0;
  cp_error e;
  assert_int_equal(cp_redact_ids_from_lockdown(vals, &ids, &n, &e), CP_OK);
  cp_redactor *r = make(ids, n, NULL);
  assert_int_equal(cp_redact_buffer(r, "device/info.txt", in, len, &out, &on, &e), CP_OK);
  assert_int_equal(on, len);
  assert_memory_equal(out, in, len);
  json_t *rep = cp_redactor_report(r);
  assert_int_equal(json_integer_value(json_object_get(rep, "total")), 0);
  json_decref(rep);
  free(out);
  cp_redactor_free(r);
  cp_redact_ids_free(ids, n);
  json_decref(vals);
  free(in);
}

static void test_stable_pseudonyms_and_report(void **state)
{
  (void)state;
  cp_redactor *r = make(k_ids, N_IDS, NULL);
  char *a = redact(r, "device/info.txt", "x@y.org DNPT1P8EHG74 z@w.net");
  char *b = redact(r, "crashes/a.ips", "Z@W.NET then x@y.org and dnpt1p8ehg74, q@q.io");
  assert_string_equal(a, "<email-1> <serial-1> <email-2>");
  assert_string_equal(b, "<email-2> then <email-1> and <serial-1>, <email-3>");
  free(a);
  free(b);
  json_t *rep = cp_redactor_report(r);
  json_t *cl = json_object_get(rep, "classes");
  json_t *email = json_object_get(cl, "email");
  assert_int_equal(json_integer_value(json_object_get(email, "count")), 5);
  json_t *mem = json_object_get(email, "members");
  assert_int_equal(json_integer_value(json_object_get(mem, "device/info.txt")), 2);
  assert_int_equal(json_integer_value(json_object_get(mem, "crashes/a.ips")), 3);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(cl, "serial"), "count")), 2);
  assert_int_equal(json_integer_value(json_object_get(rep, "total")), 7);
  assert_null(json_object_get(cl, "ipv4"));
  json_decref(rep);
  cp_redactor_free(r);
  /* another bundle (another secret) numbers independently but the same way */
  static const unsigned char other[CP_REDACT_SECRET_LEN] = "another secret, 32 bytes long!!";
  cp_redact_config cfg = {NULL, 0, NULL, other};
  cp_error e;
  assert_int_equal(cp_redactor_new(&cfg, &r, &e), CP_OK);
  a = redact(r, "m", "q@q.io x@y.org q@q.io");
  assert_string_equal(a, "<email-1> <email-2> <email-1>");
  free(a);
  cp_redactor_free(r);
}

static void test_policy(void **state)
{
  (void)state;
  cp_error e;
  json_error_t je;
  json_t *j = json_loads("{\"classes\": {\"email\": false, \"ipv4\": false},"
                         " \"patterns\": [{\"name\": \"ticket\", \"regex\": \"TCK-[0-9]{6}\"}]}",
                         0, &je);
  assert_non_null(j);
  cp_redact_policy *p = NULL;
  assert_int_equal(cp_redact_policy_from_json(j, &p, &e), CP_OK);
  cp_redactor *r = make(NULL, 0, p);
  char *o = redact(r, "m", "a@b.com 10.1.2.3 TCK-123456 TCK-12 fe80::1:2");
  assert_string_equal(o, "a@b.com 10.1.2.3 <ticket-1> TCK-12 <ipv6-1>");
  free(o);
  cp_redactor_free(r);
  cp_redact_policy_free(p);
  json_decref(j);
  /* a device identifier class cannot be turned off, by any route (issue 14) */
  static const char *const own[] = {
      "serial", "udid",     "ecid",   "imei",         "meid",        "iccid",      "imsi",
      "phone",  "wifi_mac", "bt_mac", "ethernet_mac", "device_name", "person_name"};
  assert_int_equal(cp_redact_policy_new(&p, &e), CP_OK);
  for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
    assert_int_equal(cp_redact_policy_set_class(p, own[i], 0, &e), CP_E_POLICY);
    assert_non_null(strstr(e.detail, "cannot be turned off"));
    char js[96];
    snprintf(js, sizeof(js), "{\"classes\": {\"%s\": false}}", own[i]);
    j = json_loads(js, 0, &je);
    cp_redact_policy *q = NULL;
    assert_int_equal(cp_redact_policy_from_json(j, &q, &e), CP_E_POLICY);
    assert_null(q);
    json_decref(j);
  }
  /* and even a policy struct holding one (set by hand) keeps it on */
  p->off = malloc(sizeof(char *));
  p->off[0] = strdup("serial");
  p->n_off = 1;
  r = make(k_ids, N_IDS, p);
  o = redact(r, "m", "DNPT1P8EHG74 460115142016109");
  assert_string_equal(o, "<serial-1> <imsi-1>");
  free(o);
  cp_redactor_free(r);
  /* what is off is listed, sorted */
  assert_int_equal(cp_redact_policy_set_class(p, "ipv4", 0, &e), CP_OK);
  assert_int_equal(cp_redact_policy_set_class(p, "email", 0, &e), CP_OK);
  json_t *off = cp_redact_policy_classes_off(p);
  char *offs = json_dumps(off, JSON_COMPACT);
  assert_string_equal(offs, "[\"email\",\"ipv4\",\"serial\"]");
  free(offs);
  json_decref(off);
  /* back on */
  assert_int_equal(cp_redact_policy_set_class(p, "serial", 1, &e), CP_OK);
  r = make(k_ids, N_IDS, p);
  o = redact(r, "m", "DNPT1P8EHG74");
  assert_string_equal(o, "<serial-1>");
  free(o);
  cp_redactor_free(r);
  cp_redact_policy_free(p);
  /* the most patterns a policy may have all work together */
  assert_int_equal(cp_redact_policy_new(&p, &e), CP_OK);
  for (int i = 0; i < 64; i++) {
    char name[16], rx[32];
    snprintf(name, sizeof(name), "p%d", i);
    snprintf(rx, sizeof(rx), "Q%02dX[0-9]+", i);
    assert_int_equal(cp_redact_policy_add_pattern(p, name, rx, &e), CP_OK);
  }
  assert_int_equal(cp_redact_policy_add_pattern(p, "p64", "x", &e), CP_E_POLICY);
  r = make(k_ids, N_IDS, p);
  o = redact(r, "m", "Q00X1 Q63X22 Q99X3");
  assert_string_equal(o, "<p0-1> <p63-1> Q99X3");
  free(o);
  cp_redactor_free(r);
  cp_redact_policy_free(p);
  /* malformed policies */
  static const char *bad[] = {"{\"classes\": {\"nosuch\": true}}",
                              "{\"classes\": {\"email\": 1}}",
                              "{\"patterns\": [{\"name\": \"Bad Name\", \"regex\": \"x\"}]}",
                              "{\"patterns\": [{\"name\": \"t\", \"regex\": \"(\"}]}",
                              "{\"patterns\": {}}",
                              "[]"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    j = json_loads(bad[i], 0, &je);
    assert_non_null(j);
    p = NULL;
    assert_int_equal(cp_redact_policy_from_json(j, &p, &e), CP_E_POLICY);
    assert_null(p);
    json_decref(j);
  }
}

/* A capturing next sink: records the calls the redact sink forwards. */
typedef struct cap_sink {
  char log[4096];
  acc data;
} cap_sink;

static cp_err cap_begin(cp_sink *s, const char *path, const char *scope, cp_error *err)
{
  (void)err;
  cap_sink *c = s->impl;
  size_t l = strlen(c->log);
  snprintf(c->log + l, sizeof(c->log) - l, "begin %s %s;", path, scope);
  return CP_OK;
}
static cp_err cap_write(cp_sink *s, const void *buf, size_t len, cp_error *err)
{
  cap_sink *c = s->impl;
  return acc_emit(&c->data, buf, len, err);
}
static cp_err cap_end(cp_sink *s, int keep, cp_error *err)
{
  (void)err;
  cap_sink *c = s->impl;
  size_t l = strlen(c->log);
  snprintf(c->log + l, sizeof(c->log) - l, "end %d;", keep);
  return CP_OK;
}
static const cp_sink_ops k_cap_ops = {cap_begin, cap_write, cap_end};

static void test_sink_filter(void **state)
{
  (void)state;
  cap_sink c = {0};
  cp_sink next = {0}, rs;
  next.ops = &k_cap_ops;
  next.impl = &c;
  cp_redactor *r = make(k_ids, N_IDS, NULL);
  cp_error e;
  assert_int_equal(cp_redact_sink_init(&rs, r, &next), CP_OK);
  assert_int_equal(cp_sink_begin(&rs, "syslog/live.log", "syslog", &e), CP_OK);
  const char *parts[] = {"serial DNPT1", "P8EHG74 mail anna@exa", "mple.com", " end"};
  for (int i = 0; i < 4; i++)
    assert_int_equal(cp_sink_write(&rs, parts[i], strlen(parts[i]), &e), CP_OK);
  assert_int_equal(cp_sink_end(&rs, 1, &e), CP_OK);
  assert_string_equal(c.data.p, "serial <serial-1> mail <email-1> end");
  assert_int_equal(cp_sink_add_file(&rs, "b.txt", "crash", "drop DNPT1P8EHG74", 17, &e), CP_OK);
  /* a failed member: the next sink is told not to keep it; its counts go */
  assert_int_equal(cp_sink_begin(&rs, "c.txt", "crash", &e), CP_OK);
  assert_int_equal(cp_sink_write(&rs, "DNPT1P8EHG74", 12, &e), CP_OK);
  assert_int_equal(cp_sink_end(&rs, 0, &e), CP_OK);
  assert_string_equal(c.log, "begin syslog/live.log syslog;end 1;begin b.txt crash;end 1;"
                             "begin c.txt crash;end 0;");
  json_t *rep = cp_redactor_report(r);
  json_t *serial = json_object_get(json_object_get(rep, "classes"), "serial");
  assert_int_equal(json_integer_value(json_object_get(serial, "count")), 2);
  assert_null(json_object_get(json_object_get(serial, "members"), "c.txt"));
  json_decref(rep);
  free(c.data.p);
  cp_redactor_free(r);
}

/* Only the bytes that might start a match are held back at a write's end. */
static void test_holdback_is_bounded(void **state)
{
  (void)state;
  cp_redactor *r = make(k_ids, N_IDS, NULL);
  acc a = {0};
  cp_redact_stream *s = NULL;
  cp_error e;
  char line[] = "Apr 16 13:53:22 wifid[42] <Notice>: plain text without anything personal\n";
  assert_int_equal(cp_redact_stream_open(r, "m", acc_emit, &a, &s, &e), CP_OK);
  size_t in = 0;
  for (int i = 0; i < 200; i++) {
    assert_int_equal(cp_redact_stream_write(s, line, strlen(line), &e), CP_OK);
    in += strlen(line);
    assert_true(a.n <= in);
    assert_true(in - a.n <= CP_REDACT_MAX_MATCH + 8);
  }
  assert_int_equal(cp_redact_stream_close(s, 1, &e), CP_OK);
  assert_int_equal(a.n, in);
  free(a.p);
  cp_redactor_free(r);
}

/* Station mode: one redactor per device, in parallel; each gives what it
 * gives alone. */
typedef struct job {
  const char *in;
  size_t len;
  char *out;
  size_t outlen;
  cp_err rc;
} job;

static void *run_job(void *arg)
{
  job *j = arg;
  cp_redact_config cfg = {k_ids, N_IDS, NULL, k_secret};
  cp_redactor *r = NULL;
  cp_error e;
  j->rc = cp_redactor_new(&cfg, &r, &e);
  for (int i = 0; i < 3 && j->rc == CP_OK; i++) {
    free(j->out);
    j->out = NULL;
    j->rc = cp_redact_buffer(r, "syslog/live.log", j->in, j->len, &j->out, &j->outlen, &e);
  }
  cp_redactor_free(r);
  return NULL;
}

/* Issue 14: the forms real devices and apps write, one example of each
 * (written from the formats' definitions, not from the redactor's tables).
 * The property test (test_redact_property.c) covers random values. */
static void test_issue14_forms(void **state)
{
  (void)state;
  static const cp_redact_id ids[] = {
      {"serial", "C8QZK7M2XJ4T"},
      {"imei", "356938112045670"},
      {"iccid", "89441100682453017729"},
      {"ecid", "7962861772832798"},
      {"wifi_mac", "f0:99:b6:3c:7e:21"},
      {"phone", "+44 7700 900461"},
      {"device_name", "Anna Li\xE2\x80\x99s iPhone"},
      {"serial", "On6RDA=="}, /* ChipSerialNo, base64 of 3a 7e 91 0c */
  };
  cp_redactor *r = make(ids, sizeof(ids) / sizeof(ids[0]), NULL);
  static const struct {
    const char *in, *want;
  } cases[] = {
      /* the syslog's host column: iOS host-name rule */
      {"Dec 29 08:46:04 Anna-Lis-iPhone kernel[0]", "Dec 29 08:46:04 <device-name-1> kernel[0]"},
      /* syslog vis form of ’ and octal */
      {"name Anna Li\\M-b\\M^@\\M^Ys iPhone.", "name <device-name-1>."},
      {"name Anna Li\\342\\200\\231s iPhone.", "name <device-name-1>."},
      /* percent, both hex cases, + for space */
      {"d=Anna%20Li%E2%80%99s%20iPhone&", "d=<device-name-1>&"},
      {"d=anna+li%e2%80%99s+iphone&", "d=<device-name-1>&"},
      /* character references */
      {"<p>Anna Li&#8217;s iPhone</p>", "<p><device-name-1></p>"},
      {"<p>Anna Li&#x2019;s iPhone</p>", "<p><device-name-1></p>"},
      {"<p>Anna Li&rsquo;s iPhone</p>", "<p><device-name-1></p>"},
      /* JSON \u in upper case hex */
      {"{\"n\": \"Anna Li\\u2019S IPHONE\"}", "{\"n\": \"<device-name-1>\"}"},
      /* the owner's names on their own */
      {"from Anna and Li.", "from <person-name-1> and <person-name-2>."},
      /* regrouped digits */
      {"IMEI 356 938 112 045 670 ok", "IMEI <imei-1> ok"},
      {"ICCID 8944 1100 6824 5301 7729 ok", "ICCID <iccid-1> ok"},
      {"unit C8QZ-K7M2-XJ4T ok", "unit <serial-1> ok"},
      {"ecid 796.286.177.283.279.8 ok", "ecid <ecid-1> ok"},
      /* percent-encoded separators before a phone number and in a MAC */
      {"tel=%2B447700900461&x", "tel=<phone-1>&x"},
      {"mac=f0%3A99%3AB6%3A3c%3A7e%3A21&", "mac=<wifi-mac-1>&"},
      /* the chip serial in hex, bare and as NSData */
      {"chip 3A7E910C ok <3a7e910c>", "chip <serial-2> ok <<serial-2>>"},
      /* e-mail with its @ escaped */
      {"{\"a\":\"x.y\\u0040example.org\"}", "{\"a\":\"<email-1>\"}"},
      {"mail x.y&#64;example.org.", "mail <email-2>."},
      /* Wi-Fi names as wifid logs them */
      {"CUTWiFiManagerSSID = Home Net 5G;", "CUTWiFiManagerSSID = <ssid-1>;"},
      {"Not probing 'Cafe Free' now", "Not probing '<ssid-2>' now"},
      /* crashReporterKey in the three spellings: one pseudonym per value */
      {"CrashReporter Key:   3f2d8930a7fa3eff84ad721f6866b9b4791238c5",
       "CrashReporter Key:   <crash-reporter-key-1>"},
      {"\"crashReporterKey\" : \"3F2D8930A7FA3EFF84AD721F6866B9B4791238C5\"",
       "\"crashReporterKey\" : \"<crash-reporter-key-1>\""},
      {"\"crashreporter_key\":\"a02f38f3a943e0a30b49b85596fd0d5c0788145d\"",
       "\"crashreporter_key\":\"<crash-reporter-key-2>\""},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char *o = redact(r, "m", cases[i].in);
    if (strcmp(o, cases[i].want) != 0)
      fprintf(stderr, "in:   %s\nout:  %s\nwant: %s\n", cases[i].in, o, cases[i].want);
    assert_string_equal(o, cases[i].want);
    free(o);
  }
  cp_redactor_free(r);
}

/* The owner's name in the device-name forms iOS uses by locale; a CJK name
 * also by its given name and its stem. */
static void test_issue14_locale_names(void **state)
{
  (void)state;
  static const struct {
    const char *device, *text, *want;
  } cases[] = {
      {"iPhone von J\xC3\xBCrgen", "J\xC3\xBCrgen und JUERGEN", "<person-name-1> und JUERGEN"},
      {"iPhone de Chlo\xC3\xA9", "par Chlo&eacute; et Chlo%C3%A9.",
       "par <person-name-1> et <person-name-1>."},
      {"iPad di Marco", "ciao Marco!", "ciao <person-name-1>!"},
      {"\xE5\xBC\xA0\xE5\xB0\x8F\xE6\x98\x8E\xE7\x9A\x84iPhone",
       "\xE5\xBC\xA0\xE5\xB0\x8F\xE6\x98\x8E\xE7\x9A\x84 / \xE5\xB0\x8F\xE6\x98\x8E / "
       "&#x5F20;&#x5C0F;&#x660E; / %E5%BC%A0%E5%B0%8F%E6%98%8E",
       "<device-name-1> / <person-name-1> / <person-name-2> / <person-name-2>"},
      {"\xE3\x81\x95\xE3\x81\x8F\xE3\x82\x89\xE3\x81\xAEiPhone",
       "\xE3\x81\x95\xE3\x81\x8F\xE3\x82\x89 ok", "<person-name-1> ok"},
      {"Annas iPhone", "Anna ok", "<person-name-1> ok"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    cp_redact_id id = {"device_name", cases[i].device};
    cp_redactor *r = make(&id, 1, NULL);
    char *o = redact(r, "m", cases[i].text);
    if (strcmp(o, cases[i].want) != 0)
      fprintf(stderr, "device: %s\nin:   %s\nout:  %s\nwant: %s\n", cases[i].device, cases[i].text,
              o, cases[i].want);
    assert_string_equal(o, cases[i].want);
    free(o);
    cp_redactor_free(r);
  }
}

/* Member names pass the redactor: the next sink (the bundle writer) only
 * sees the redacted name, and the report counts it under "(member names)". */
static void test_issue14_member_names(void **state)
{
  (void)state;
  cap_sink c = {0};
  cp_sink next = {0}, rs;
  next.ops = &k_cap_ops;
  next.impl = &c;
  cp_redactor *r = make(k_ids, N_IDS, NULL);
  cp_error e;
  assert_int_equal(cp_redact_sink_init(&rs, r, &next), CP_OK);
  assert_int_equal(cp_sink_add_file(&rs, "crashes/MobileSafari_2026-12-01-101010_Annas-iPhone.ips",
                                    "crash", "x Annas-iPhone", 14, &e),
                   CP_OK);
  assert_string_equal(c.log, "begin crashes/MobileSafari_2026-12-01-101010_<device-name-1>.ips "
                             "crash;end 1;");
  assert_string_equal(c.data.p, "x <device-name-1>");
  json_t *rep = cp_redactor_report(r);
  char *js = json_dumps(rep, JSON_COMPACT | JSON_SORT_KEYS);
  assert_null(strstr(js, "Annas")); /* the report's member keys are redacted names */
  assert_non_null(strstr(js, "(member names)"));
  free(js);
  json_decref(rep);
  free(c.data.p);
  cp_redactor_free(r);
}

static void test_parallel_redactors(void **state)
{
  (void)state;
  size_t len;
  char *in = slurp("syslog/im_ios_sdk_iphone_idevicesyslog.log", &len);
  job solo = {in, len, NULL, 0, CP_OK};
  run_job(&solo);
  assert_int_equal(solo.rc, CP_OK);
  job jobs[3];
  pthread_t t[3];
  for (int i = 0; i < 3; i++) {
    jobs[i] = (job){in, len, NULL, 0, CP_OK};
    assert_int_equal(pthread_create(&t[i], NULL, run_job, &jobs[i]), 0);
  }
  for (int i = 0; i < 3; i++) {
    assert_int_equal(pthread_join(t[i], NULL), 0);
    assert_int_equal(jobs[i].rc, CP_OK);
    assert_int_equal(jobs[i].outlen, solo.outlen);
    assert_memory_equal(jobs[i].out, solo.out, solo.outlen);
    free(jobs[i].out);
  }
  free(solo.out);
  free(in);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pattern_classes),
      cmocka_unit_test(test_identifier_forms),
      cmocka_unit_test(test_one_word_device_name),
      cmocka_unit_test(test_member_syntax),
      cmocka_unit_test(test_chunk_boundaries),
      cmocka_unit_test(test_corpus_chunking),
      cmocka_unit_test(test_corpus_syslog),
      cmocka_unit_test(test_ideviceinfo_corpus),
      cmocka_unit_test(test_sanitized_corpus_untouched),
      cmocka_unit_test(test_stable_pseudonyms_and_report),
      cmocka_unit_test(test_policy),
      cmocka_unit_test(test_sink_filter),
      cmocka_unit_test(test_holdback_is_bounded),
      cmocka_unit_test(test_parallel_redactors),
      cmocka_unit_test(test_gap_serial_by_key),
      cmocka_unit_test(test_gap_email_url_encoded),
      cmocka_unit_test(test_gap_ipv6_full),
      cmocka_unit_test(test_gap_var_mobile_uuid),
      cmocka_unit_test(test_gap_ssid_quoted),
      cmocka_unit_test(test_gap_imei_dashes),
      cmocka_unit_test(test_gap_latin1_names),
      cmocka_unit_test(test_gap_ips_header_json),
      cmocka_unit_test(test_gap_plist_integer),
      cmocka_unit_test(test_gap_syntax_chunking),
      cmocka_unit_test(test_gap_chip_serial),
      cmocka_unit_test(test_issue14_forms),
      cmocka_unit_test(test_issue14_locale_names),
      cmocka_unit_test(test_issue14_member_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
