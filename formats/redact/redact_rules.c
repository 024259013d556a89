/*
 * The rules a redactor is compiled from: the built-in pattern classes, the
 * literal forms the device's own identifiers take in logs (case, separators,
 * JSON and XML escapes, the typographic apostrophe), the owner's name taken
 * out of the device name, and the policy's extra patterns.
 *
 * Vectorscan expressions here never use lookaround (it reports ends only);
 * the PCRE2 confirm expression adds lookbehinds for the left edge, and the
 * right edge is a C check on the byte after the end (cp_rx_bound_ok).
 */
#include "redact_int.h"

#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- classes ---- */

typedef struct class_def {
  const char *name;
  int norm;
  int identifier; /* 1: filled from the device's own values */
} class_def;

static const class_def k_classes[] = {
    {"serial", CP_N_ALNUM_LOWER, 1},
    {"udid", CP_N_ALNUM_LOWER, 1},
    {"ecid", CP_N_ALNUM_LOWER, 1},
    {"imei", CP_N_DIGITS, 1},
    {"meid", CP_N_ALNUM_LOWER, 1},
    {"iccid", CP_N_ALNUM_LOWER, 1},
    {"imsi", CP_N_DIGITS, 1},
    {"phone", CP_N_DIGITS, 1},
    {"wifi_mac", CP_N_MAC, 1},
    {"bt_mac", CP_N_MAC, 1},
    {"ethernet_mac", CP_N_MAC, 1},
    {"device_name", CP_N_LOWER, 1},
    {"person_name", CP_N_LOWER, 1},
    {"email", CP_N_LOWER, 0},
    {"ipv4", CP_N_EXACT, 0},
    {"ipv6", CP_N_LOWER, 0},
    {"mac", CP_N_MAC, 0},
    {"container_uuid", CP_N_LOWER, 0},
    {"user_path", CP_N_EXACT, 0},
    {"ssid", CP_N_EXACT, 0},
    {"crash_reporter_key", CP_N_LOWER, 0},
};

int cp_rx_is_known_class(const char *cls)
{
  for (size_t i = 0; i < sizeof(k_classes) / sizeof(k_classes[0]); i++)
    if (strcmp(k_classes[i].name, cls) == 0)
      return 1;
  return 0;
}

static int known_norm(const char *cls)
{
  for (size_t i = 0; i < sizeof(k_classes) / sizeof(k_classes[0]); i++)
    if (strcmp(k_classes[i].name, cls) == 0)
      return k_classes[i].norm;
  return CP_N_ALNUM_LOWER;
}

/* Index of class name, added on first use; -1 when the table is full. */
int cp_rx_class_index(cp_redactor *r, const char *name, int norm)
{
  for (int i = 0; i < r->n_classes; i++)
    if (strcmp(r->classes[i].name, name) == 0)
      return i;
  if (r->n_classes >= CP_RX_MAX_CLASSES || strlen(name) > CP_RX_NAME_MAX)
    return -1;
  cp_rx_class *c = &r->classes[r->n_classes];
  memset(c, 0, sizeof(*c));
  snprintf(c->name, sizeof(c->name), "%s", name);
  for (size_t i = 0; name[i]; i++)
    c->label[i] = name[i] == '_' ? '-' : name[i];
  c->norm = norm;
  return r->n_classes++;
}

/* ---- normalising and boundaries ---- */

static int is_hex(int c)
{
  return c >= 0 && c < 128 && isxdigit(c);
}
static int is_alpha(int c)
{
  return c >= 0 && c < 128 && isalpha(c);
}
static int is_alnum(int c)
{
  return c >= 0 && c < 128 && isalnum(c);
}
static int is_digit(int c)
{
  return c >= '0' && c <= '9';
}

size_t cp_rx_normalise(int norm, const unsigned char *src, size_t n, unsigned char *dst)
{
  size_t o = 0;
  switch (norm) {
  case CP_N_LOWER:
    for (size_t i = 0; i < n; i++)
      dst[o++] = (unsigned char)tolower(src[i]);
    break;
  case CP_N_ALNUM_LOWER:
    for (size_t i = 0; i < n; i++)
      if (is_alnum(src[i]))
        dst[o++] = (unsigned char)tolower(src[i]);
    break;
  case CP_N_DIGITS:
    for (size_t i = 0; i < n; i++)
      if (is_digit(src[i]))
        dst[o++] = src[i];
    break;
  case CP_N_MAC:
    /* "0:1a:..." and "00:1a:..." and "001a..." are one address: pad every
     * one-digit group to two. */
    for (size_t i = 0; i < n;) {
      if (!is_hex(src[i])) {
        i++;
        continue;
      }
      size_t j = i;
      while (j < n && is_hex(src[j]))
        j++;
      if (j - i == 1)
        dst[o++] = '0';
      for (; i < j; i++)
        dst[o++] = (unsigned char)tolower(src[i]);
    }
    break;
  default: memcpy(dst, src, n); o = n;
  }
  dst[o] = 0;
  return o;
}

int cp_rx_bound_ok(int b, const unsigned char *p, size_t avail)
{
  if (b == CP_B_NONE || avail == 0)
    return 1;
  int c = p[0], d = avail > 1 ? p[1] : -1;
  switch (b) {
  case CP_B_ALPHA: return !is_alpha(c);
  case CP_B_ALNUM: return !is_alnum(c);
  case CP_B_DIGIT: return !is_digit(c);
  case CP_B_HEX: return !is_hex(c);
  case CP_B_IPV4: return !is_digit(c) && !(c == '.' && is_digit(d));
  case CP_B_EMAIL: return !is_alnum(c) && c != '-' && c != '_' && !(c == '.' && is_alnum(d));
  case CP_B_MAC: return !is_hex(c) && !((c == ':' || c == '-') && is_hex(d));
  case CP_B_IPV6: return !is_alnum(c) && c != '_' && c != ':';
  case CP_B_PATHSEG: return isspace(c) || (c && strchr("/\\\"'<>:|*?,;)]}", c) != NULL);
  case CP_B_TOKEN: return isspace(c) || (c && strchr(",;\"')]}>", c) != NULL);
  default: return 1;
  }
}

int cp_rx_lbound_ok(int b, int prev)
{
  if (b == CP_B_NONE || prev < 0)
    return 1;
  switch (b) {
  case CP_B_ALPHA: return !is_alpha(prev);
  case CP_B_ALNUM: return !is_alnum(prev);
  case CP_B_DIGIT: return !is_digit(prev);
  case CP_B_HEX: return !is_hex(prev);
  default: return 1;
  }
}

/* ---- adding rules ---- */

static pcre2_code *compile_pcre(const char *expr, uint32_t opts, cp_error *err)
{
  int ec;
  PCRE2_SIZE off;
  pcre2_code *c = pcre2_compile((PCRE2_SPTR)expr, PCRE2_ZERO_TERMINATED, opts, &ec, &off, NULL);
  if (!c) {
    PCRE2_UCHAR msg[120];
    pcre2_get_error_message(ec, msg, sizeof(msg));
    cp_error_set(err, CP_E_POLICY, "pattern does not compile at offset %zu: %s", (size_t)off,
                 (char *)msg);
    return NULL;
  }
  (void)pcre2_jit_compile(c, PCRE2_JIT_COMPLETE); /* interpreter if JIT is unavailable */
  return c;
}

cp_err cp_rx_add_rule(cp_redactor *r, const cp_rx_rule *tmpl, const char *pcre_expr, cp_error *err)
{
  if (r->n_rules == r->cap_rules) {
    size_t n = r->cap_rules ? r->cap_rules * 2 : 32;
    cp_rx_rule *nr = realloc(r->rules, n * sizeof(*nr));
    if (!nr)
      return cp_error_set(err, CP_E_NOMEM, "redaction rules");
    r->rules = nr;
    r->cap_rules = n;
  }
  cp_rx_rule *rule = &r->rules[r->n_rules];
  *rule = *tmpl;
  rule->hs_expr = NULL;
  rule->confirm = rule->search = NULL;
  if (tmpl->hs_expr && !(rule->hs_expr = strdup(tmpl->hs_expr)))
    return cp_error_set(err, CP_E_NOMEM, "redaction rules");
  r->n_rules++; /* from here on free_rules() owns what we attach */
  if (pcre_expr) {
    uint32_t opts = (tmpl->hs_flags & CP_RX_CASELESS) ? PCRE2_CASELESS : 0;
    size_t n = strlen(pcre_expr) + 16;
    char *wrapped = malloc(n);
    if (!wrapped)
      return cp_error_set(err, CP_E_NOMEM, "redaction rules");
    snprintf(wrapped, n, "(?:%s)\\z", pcre_expr);
    rule->confirm = compile_pcre(wrapped, opts, err);
    free(wrapped);
    if (!rule->confirm)
      return err ? err->code : CP_E_POLICY;
    int g = pcre2_substring_number_from_name(rule->confirm, (PCRE2_SPTR) "v");
    rule->vgroup = g > 0 ? g : 0;
  }
  if (rule->maxlen > r->maxlen)
    r->maxlen = rule->maxlen;
  return CP_OK;
}

/* ---- built-in pattern classes ---- */

typedef struct pattern_def {
  const char *cls;
  const char *hs;   /* Vectorscan: no lookaround */
  const char *pcre; /* confirm: lookbehind for the left edge, (?<v>) for the part replaced */
  size_t maxlen;
  int rb;
  int caseless;
} pattern_def;

#define HEX4 "[0-9a-f]{1,4}"
#define UUID "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
#define OCTET "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"

/* Vectorscan expressions are TRIGGERS: each reports (at least) every end
 * where the confirm expression can end, and starts with a literal byte
 * where it can ('.', '+', "::", '-'), because an expression that can begin
 * at any hex digit makes the whole database scan slowly. The confirm step
 * throws away the extra reports. */
/* "build": "7.98.0.4" is a version, not an address */
#define NOT_VERSION                                                                                \
  "(?<!(?i:version\": \"))(?<!(?i:version\":\"))(?<!(?i:build\": \"))(?<!(?i:build\":\"))"         \
  "(?<!(?i:version ))(?<!(?i:version: ))(?<!(?i:version=))(?<!(?i:build ))(?<!(?i:build: ))"
/* a letter of a name: ASCII, or any UTF-8 sequence */
#define NAMECH "(?:[a-z\\-]|[\\xc3-\\xf4][\\x80-\\xbf]{1,3})"
#define PHONE_SEP "[ ()\\-]"
/* an apostrophe in every encoding a device name is written in */
#define APOS                                                                                       \
  "(?:'|\\xe2\\x80\\x99|\\\\u2019|&apos;|&#0*39;|&#x0*27;|&#0*8217;|&#x0*2019;|&rsquo;|%27|"       \
  "%e2%80%99|\\\\M-b\\\\M\\^@\\\\M\\^Y|\\\\342\\\\200\\\\231)"
/* '@' written as JSON, XML or HTML escapes it */
#define AT_ESC "(?:\\\\u0040|&#0*64;|&#x0*40;|\\\\100)"
static const pattern_def k_patterns[] = {
    {"email", "[a-z0-9._%+\\-]+@[a-z0-9\\-]+(?:\\.[a-z0-9\\-]+)*\\.[a-z]{2,24}",
     "(?<![a-z0-9._%+\\-])[a-z0-9._%+\\-]{1,64}@[a-z0-9\\-]{1,63}(?:\\.[a-z0-9\\-]{1,63}){0,8}"
     "\\.[a-z]{2,24}",
     254, CP_B_EMAIL, 1},
    /* the same, URL-encoded in a query string: "user=anna%40example.com" */
    {"email", "[a-z0-9._%+\\-]+%40[a-z0-9\\-]+(?:\\.[a-z0-9\\-]+)*\\.[a-z]{2,24}",
     "(?<![a-z0-9._%+\\-])[a-z0-9._%+\\-]{1,64}%40[a-z0-9\\-]{1,63}(?:\\.[a-z0-9\\-]{1,63}){0,8}"
     "\\.[a-z]{2,24}",
     254, CP_B_EMAIL, 1},
    /* anchored on a + country code or tel:, never on bare digit runs; no '.'
     * separator, so "+1.234567" time deltas stay */
    {"phone", "\\+[1-9][0-9 ()\\-]{6,44}",
     "(?|(?<![a-z0-9+])(?<v>\\+[1-9](?:" PHONE_SEP
     "{0,2}[0-9]){6,14})|tel:(?://)?(?<v>\\+?[0-9](?:" PHONE_SEP "{0,2}[0-9]){6,14}))",
     64, CP_B_DIGIT, 1},
    {"phone", "tel:(?://)?\\+?[0-9][0-9 ()\\-]{6,44}",
     "(?|(?<![a-z0-9+])(?<v>\\+[1-9](?:" PHONE_SEP
     "{0,2}[0-9]){6,14})|tel:(?://)?(?<v>\\+?[0-9](?:" PHONE_SEP "{0,2}[0-9]){6,14}))",
     64, CP_B_DIGIT, 1},
    {"ipv4", "\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
     "(?<![0-9.])" NOT_VERSION "(?:" OCTET "\\.){3}" OCTET, 15, CP_B_IPV4, 0},
    /* compressed form ("::") */
    {"ipv6", "::[0-9a-f:]{0,40}",
     "(?<![0-9a-z_:.])(?:" HEX4 "(?::" HEX4 "){0,6}::" HEX4 "(?::" HEX4 "){0,6}|" HEX4 "(?::" HEX4
     "){1,6}::)",
     45, CP_B_IPV6, 1},
    /* the full eight-group form: "2001:0db8:...:9e01" (four digits a group)
     * and "fe80:0:0:0:1c2b:3dff:fe4a:5e6f" (short groups). A trigger on any
     * seven ":group"s halves the scan speed (measured: 694 -> 414 MB/s), so
     * short groups need a first group of link-local fe80, unique-local
     * fc/fd, or the 2x0x global unicast blocks the registries hand out */
    {"ipv6", "(?::[0-9a-f]{4}){7}", "(?<![0-9a-z_:.])" HEX4 "(?::" HEX4 "){7}", 39, CP_B_IPV6, 1},
    {"ipv6", "(?:fe80|f[cd][0-9a-f]{2}):[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){6}",
     "(?<![0-9a-z_:.])" HEX4 "(?::" HEX4 "){7}", 39, CP_B_IPV6, 1},
    {"mac", "[0-9a-f]{2}(?::[0-9a-f]{2}){5}",
     "(?<![0-9a-f:\\-])[0-9a-f]{2}(?<s>[:\\-])[0-9a-f]{2}(?:\\k<s>[0-9a-f]{2}){4}", 17, CP_B_MAC,
     1},
    {"mac", "(?:-[0-9a-f]{2}){5}",
     "(?<![0-9a-f:\\-])[0-9a-f]{2}(?<s>[:\\-])[0-9a-f]{2}(?:\\k<s>[0-9a-f]{2}){4}", 17, CP_B_MAC,
     1},
    /* a 25-character UDID (8-16) of any device */
    {"udid", "-[0-9a-f]{16}", "(?<![0-9a-z\\-])[0-9a-f]{8}-[0-9a-f]{16}", 25, CP_B_ALNUM, 1},
    /* .../Containers/Data/Application/<UUID>, also JSON-escaped "\/" */
    {"container_uuid", "containers\\\\?/(?:data|bundle|shared)\\\\?/[a-z]{3,20}\\\\?/" UUID,
     "containers\\\\?/(?:data|bundle|shared)\\\\?/[a-z]{3,20}\\\\?/(?<v>" UUID ")", 100, CP_B_ALNUM,
     1},
    /* any UUID folder in a path under the iOS user's home, /var/mobile/
     * (caches, downloads, attachments, app groups): the folder names an app
     * install or a piece of the user's data. The trigger is a UUID's last
     * "-group" (one spanning the path's segments cost 40 % of the scan
     * speed, "/UUID" 10 %, this 5 %); the confirm step finds the
     * /var/mobile/ before it. */
    {"container_uuid", "-[0-9a-f]{12}",
     "var\\\\?/mobile\\\\?/(?:[^\\r\\n\"'<>|/\\\\]{1,64}\\\\?/){0,8}(?<v>" UUID ")", 220,
     CP_B_ALNUM, 1},
    /* /Users/<name>, /home/<name> (not Shared or Guest) */
    {"user_path", "\\\\?/(?:users|home)\\\\?/[^/\\\\\\s\"'<>:|*?,;]{1,64}",
     "\\\\?/(?:users|home)\\\\?/(?!(?:shared|guest)(?:[/\\\\\\s\"']|\\z))(?<v>[^/"
     "\\\\\\s\"'<>:|*?,;]"
     "{1,64})",
     90, CP_B_PATHSEG, 1},
    /* the owner's name in any device name: "kangyu’s MacBook Pro" */
    {"person_name",
     APOS "s(?: |%20|\\+)"
          "(?:iphone|ipad|ipod|imac|mac|apple|airpods|homepod)",
     "(?<![a-z\\x80-\\xff])(?<v>(?:(?-i:[A-Z])" NAMECH "* )?" NAMECH "{2,32})" APOS "s(?: |%20|\\+)"
     "(?:iphone|ipad|ipod|imac|mac|apple|airpods|homepod)",
     160, CP_B_NONE, 1},
    /* e-mail with its '@' escaped: "anna\u0040example.com", "anna&#64;..." */
    {"email", "[a-z0-9._%+\\-]+" AT_ESC "[a-z0-9\\-]+(?:\\.[a-z0-9\\-]+)*\\.[a-z]{2,24}",
     "(?<![a-z0-9._%+\\-])[a-z0-9._%+\\-]{1,64}" AT_ESC
     "[a-z0-9\\-]{1,63}(?:\\.[a-z0-9\\-]{1,63}){0,8}"
     "\\.[a-z]{2,24}",
     254, CP_B_EMAIL, 1},
    /* a MAC address with percent-encoded colons, in a URL query */
    {"mac", "[0-9a-f]{2}(?:%3a[0-9a-f]{2}){5}", "(?<![0-9a-f])[0-9a-f]{2}(?:%3a[0-9a-f]{2}){5}", 27,
     CP_B_HEX, 1},
    /* crashReporterKey: the same value in every report of one device, so it
     * links one person's bundles; a per-bundle pseudonym unlinks them. .ips
     * "crashReporterKey" : "...", 211 "crashreporter_key", text
     * "CrashReporter Key:   ..." */
    {"crash_reporter_key", "crash ?reporter[ _]?key\"?\\s{0,4}[:=]\\s{0,16}\"?[0-9a-f]{40}",
     "crash ?reporter[ _]?key\"?\\s{0,4}[:=]\\s{0,16}\"?(?<v>[0-9a-f]{40})", 80, CP_B_HEX, 1},
    /* Wi-Fi names as the system logs them: "CUTWiFiManagerSSID = Home;",
     * "SSID_STR = Home;" (description style, up to the ';') */
    {"ssid", "ssid(?:_str)?\\s{0,3}=\\s{0,3}[^;\\r\\n]{1,64};",
     "ssid(?:_str)?\\s{0,3}=\\s{0,3}\"?(?<v>[^;\"\\r\\n]{1,64}?)\"?;", 90, CP_B_NONE, 1},
    /* "Not probing 'Home'", "Joining \\"Home\\"", "associated to 'Home'" */
    {"ssid",
     "(?:probing|joining|joined|associating (?:to|with)|associated (?:to|with)|disassociating "
     "from|leaving|forgetting|auto-?joining|network) ['\\\"][^'\\\"\\r\\n]{1,64}['\\\"]",
     "(?:probing|joining|joined|associating (?:to|with)|associated (?:to|with)|disassociating "
     "from|leaving|forgetting|auto-?joining|network) "
     "(?<q>['\\\"])(?<v>(?:(?!\\k<q>)[^\\r\\n]){1,64})"
     "\\k<q>",
     100, CP_B_NONE, 1},
    /* SSID: "Home Net", "SSID" : "x", SSID 'Home Net', ssid=Home */
    {"ssid", "ssid(?:_str|name)?(?:\"?\\s{0,3}[:=]\\s{0,3}|\\s{1,3})\"[^\"\\r\\n]{1,64}\"",
     "(?<![a-z])ssid(?:_str|name)?(?:\"?\\s{0,3}[:=]\\s{0,3}|\\s{1,3})\"(?<v>[^\"\\r\\n]{1,64})\"",
     100, CP_B_NONE, 1},
    {"ssid", "ssid(?:_str|name)?(?:\\s{0,3}[:=]\\s{0,3}|\\s{1,3})'[^'\\r\\n]{1,64}'",
     "(?<![a-z])ssid(?:_str|name)?(?:\\s{0,3}[:=]\\s{0,3}|\\s{1,3})'(?<v>[^'\\r\\n]{1,64})'", 100,
     CP_B_NONE, 1},
    /* a serial number named by its key, such as the battery's IORegistry
     * "Serial", which lockdown does not list: "Serial": "F8Y...",
     * <key>Serial</key><string>..., Serial: ..., serial F8Y...; Apple
     * serials are 10-20 capitals and digits with both in them */
    {"serial",
     "(?i:serial(?:[ _]?(?:number|num|no))?)(?:\"?\\s{0,3}[:=]\\s{0,3}\"?|</key>\\s{0,8}<string>|"
     "\\s{1,3})[A-Z0-9]{10,20}",
     "(?i:serial(?:[ _]?(?:number|num|no))?)(?:\"?\\s{0,3}[:=]\\s{0,3}\"?|</key>\\s{0,8}<string>|"
     "\\s{1,3})(?<v>(?=[A-Z0-9]*[0-9])(?=[A-Z0-9]*[A-Z])[A-Z0-9]{10,20})",
     90, CP_B_ALNUM, 0},
    {"ssid", "ssid(?:_str|name)?\\s{0,3}[:=]\\s{0,3}[^\\s\"'<(\\[,;{][^\\s,;\"')\\]}>]{0,63}",
     "(?<![a-z])ssid(?:_str|name)?\\s{0,3}[:=]\\s{0,3}(?<v>[^\\s\"'<(\\[,;{][^\\s,;\"')\\]}>]{0,63}"
     ")",
     100, CP_B_TOKEN, 1},
};

/* ---- identifiers ---- */

static int is_generic_device_word(const char *w, size_t n);

/* A growable list of distinct literal forms of one identifier. */
typedef struct forms {
  char *v[1024];
  size_t n;
} forms;

static void forms_free(forms *f)
{
  for (size_t i = 0; i < f->n; i++)
    free(f->v[i]);
  f->n = 0;
}

static int forms_add(forms *f, const char *s)
{
  if (!s || !*s)
    return 0;
  for (size_t i = 0; i < f->n; i++)
    if (strcmp(f->v[i], s) == 0)
      return 0;
  if (f->n >= sizeof(f->v) / sizeof(f->v[0]))
    return 0;
  char *d = strdup(s);
  if (!d)
    return -1;
  f->v[f->n++] = d;
  return 0;
}

/* s with every occurrence of from replaced by to (malloc'ed). */
static char *replace_all(const char *s, const char *from, const char *to)
{
  size_t fl = strlen(from), tl = strlen(to), n = 0;
  for (const char *p = strstr(s, from); p; p = strstr(p + fl, from))
    n++;
  char *out = malloc(strlen(s) + n * (tl > fl ? tl - fl : 0) + 1);
  if (!out)
    return NULL;
  char *o = out;
  for (const char *p = s;;) {
    const char *q = strstr(p, from);
    if (!q) {
      strcpy(o, p);
      break;
    }
    memcpy(o, p, (size_t)(q - p));
    o += q - p;
    memcpy(o, to, tl);
    o += tl;
    p = q + fl;
  }
  return out;
}

/* JSON string escape of s: slash escaped or not, non-ASCII as \uXXXX or
 * raw (the forms jansson, NSJSONSerialization and .ips writers produce). */
static char *json_escape(const char *s, int slash, int ascii)
{
  size_t n = strlen(s);
  char *out = malloc(n * 12 + 1), *o = out;
  if (!out)
    return NULL;
  const unsigned char *p = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    unsigned c = p[i];
    if (c == '"' || c == '\\') {
      *o++ = '\\';
      *o++ = (char)c;
      i++;
    } else if (c == '/' && slash) {
      *o++ = '\\';
      *o++ = '/';
      i++;
    } else if (c < 0x20) {
      o += sprintf(o, "\\u%04x", c);
      i++;
    } else if (c >= 0x80 && ascii) {
      unsigned cp = 0, len = 0;
      if ((c & 0xE0) == 0xC0)
        cp = c & 0x1F, len = 2;
      else if ((c & 0xF0) == 0xE0)
        cp = c & 0x0F, len = 3;
      else if ((c & 0xF8) == 0xF0)
        cp = c & 0x07, len = 4;
      if (!len || i + len > n) { /* not UTF-8: keep the byte */
        *o++ = (char)c;
        i++;
        continue;
      }
      for (unsigned k = 1; k < len; k++)
        cp = (cp << 6) | (p[i + k] & 0x3F);
      if (cp >= 0x10000) {
        cp -= 0x10000;
        o += sprintf(o, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
      } else
        o += sprintf(o, "\\u%04x", cp);
      i += len;
    } else {
      *o++ = (char)c;
      i++;
    }
  }
  *o = 0;
  return out;
}

/* s, and its JSON-escaped forms. */
static int forms_add_json(forms *f, const char *s)
{
  int rc = forms_add(f, s);
  for (int slash = 0; slash < 2 && rc == 0; slash++)
    for (int ascii = 0; ascii < 2 && rc == 0; ascii++) {
      char *e = json_escape(s, slash, ascii);
      rc = e ? forms_add(f, e) : -1;
      free(e);
    }
  return rc;
}

static char *strip_chars(const char *s, const char *drop)
{
  char *out = malloc(strlen(s) + 1), *o = out;
  if (!out)
    return NULL;
  for (; *s; s++)
    if (!strchr(drop, *s))
      *o++ = *s;
  *o = 0;
  return out;
}

/* Latin-1 letters as UTF-8 (U+00C0..U+00FF = C3 80..C3 BF): the literal
 * rules are caseless for ASCII only, and host names drop the accents. mode
 * 0: upper case, 1: lower case, 2: folded to ASCII ("Zoë" -> "Zoe"). */
static char *latin1_map(const char *s, int mode)
{
  /* ASCII base of U+00C0 + i (i = 0..63); '\0' = keep the letter */
  static const char base[] = "AAAAAAACEEEEIIIIDNOOOOO\0OUUUUY\0\0"
                             "aaaaaaaceeeeiiiidnooooo\0ouuuuy\0y";
  size_t n = strlen(s);
  char *out = malloc(n + 1), *o = out;
  if (!out)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i], d = i + 1 < n ? (unsigned char)s[i + 1] : 0;
    if (c != 0xC3 || d < 0x80 || d > 0xBF) {
      *o++ = s[i];
      continue;
    }
    unsigned k = d - 0x80; /* 0..31 upper, 32..63 lower */
    if (mode == 2 && base[k]) {
      *o++ = base[k];
    } else if (mode == 0 && k >= 32 && k != 55 && k != 63) { /* not ÷, ÿ */
      *o++ = (char)0xC3;
      *o++ = (char)(d - 0x20);
    } else if (mode == 1 && k < 32 && k != 23 && k != 31) { /* not ×, ß */
      *o++ = (char)0xC3;
      *o++ = (char)(d + 0x20);
    } else {
      *o++ = (char)c;
      *o++ = (char)d;
    }
    i++;
  }
  *o = 0;
  return out;
}

/* s, its JSON forms and its encoded spellings (redact_enc.c: percent,
 * character references, syslog vis and octal), host names excepted. */
static int forms_add_encoded(forms *f, const char *s)
{
  int rc = forms_add_json(f, s);
  for (int k = 0; k < CP_ENC_COUNT && rc == 0; k++) {
    if (k == CP_ENC_HOST_KEEP || k == CP_ENC_HOST_STRICT)
      continue;
    char *e = cp_rx_encode(k, s);
    if (e)
      rc = forms_add(f, e);
    free(e);
  }
  return rc;
}

/* s plus its JSON and encoded forms, in Latin-1 upper, lower and folded
 * spellings too. */
static int forms_add_latin1(forms *f, const char *s)
{
  int rc = forms_add_encoded(f, s);
  for (int mode = 0; mode < 3 && rc == 0; mode++) {
    char *m = latin1_map(s, mode);
    rc = m ? forms_add_encoded(f, m) : -1;
    free(m);
  }
  return rc;
}

/* The host names iOS derives from a name (spaces to hyphens, characters a
 * host name cannot hold dropped, case kept), from the name as written and
 * from its Latin-1 letters folded to ASCII. A host name that is only model
 * words ("iPhone" from "张三的iPhone") names nobody and is left out. */
static int forms_add_hosts(forms *f, const char *s)
{
  int rc = 0;
  for (int mode = -1; mode < 3 && rc == 0; mode++) {
    char *m = mode < 0 ? strdup(s) : latin1_map(s, mode == 0 ? 2 : mode == 1 ? 0 : 1);
    if (!m)
      return -1;
    for (int k = CP_ENC_HOST_KEEP; k <= CP_ENC_HOST_STRICT && rc == 0; k++) {
      char *h = cp_rx_encode(k, m);
      if (!h)
        continue;
      /* letters and digits outside the model words */
      size_t own = 0;
      for (const char *w = h; *w;) {
        size_t l = strcspn(w, "-");
        if (!is_generic_device_word(w, l))
          for (size_t i = 0; i < l; i++)
            own += is_alnum((unsigned char)w[i]) || (unsigned char)w[i] >= 0x80;
        w += l;
        w += *w == '-';
      }
      if (own >= 2)
        rc = forms_add(f, h);
      free(h);
    }
    free(m);
  }
  return rc;
}

static char *escape_literal_hs(const char *s, size_t n)
{
  char *out = malloc(n * 4 + 1), *o = out;
  if (!out)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (is_alnum(c))
      *o++ = (char)c;
    else
      o += sprintf(o, "\\x%02x", c);
  }
  *o = 0;
  return out;
}

static cp_err add_literal(cp_redactor *r, int cls, const char *lit, int lb, int rb,
                          const unsigned char key[32], cp_error *err)
{
  size_t n = strlen(lit);
  if (n < 2 || n > CP_REDACT_MAX_MATCH)
    return CP_OK;
  cp_rx_rule t = {0};
  t.cls = cls;
  t.hs_expr = escape_literal_hs(lit, n);
  if (!t.hs_expr)
    return cp_error_set(err, CP_E_NOMEM, "redaction rules");
  t.hs_flags = CP_RX_CASELESS;
  t.lit_len = n;
  t.maxlen = n;
  t.lb = lb;
  t.rb = rb;
  t.prio = 0;
  t.has_key = 1;
  memcpy(t.key, key, 32);
  cp_err rc = cp_rx_add_rule(r, &t, NULL, err);
  free(t.hs_expr);
  return rc;
}

/* Country calling code length for E.164 digits (ITU zones 1 and 7 are one
 * digit, the listed two-digit ones, else three). */
static size_t cc_len(const char *d)
{
  static const char *two[] = {"20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41",
                              "43", "44", "45", "46", "47", "48", "49", "51", "52", "53", "54",
                              "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66",
                              "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98"};
  if (d[0] == '1' || d[0] == '7')
    return 1;
  for (size_t i = 0; i < sizeof(two) / sizeof(two[0]); i++)
    if (strncmp(d, two[i], 2) == 0)
      return 2;
  return 3;
}

/* The device's phone number in any usual spelling: with or without +CC or
 * 00CC, a trunk 0, spaces, dashes, dots, parentheses. */
static cp_err add_phone(cp_redactor *r, int cls, const char *value, const unsigned char key[32],
                        cp_error *err)
{
  char digits[40];
  size_t nd = 0;
  for (const char *p = value; *p && nd < sizeof(digits) - 1; p++)
    if (is_digit((unsigned char)*p))
      digits[nd++] = *p;
  digits[nd] = 0;
  if (nd < 7) /* masked ("+86 xxx xxxx xxxx") or too short to identify */
    return CP_OK;
  const char *v = value;
  while (isspace((unsigned char)*v))
    v++;
  size_t skip = 0;
  char cc[8] = "";
  if (*v == '+' || strncmp(v, "00", 2) == 0) {
    const char *d = digits + (*v == '+' ? 0 : 2);
    size_t l = cc_len(d);
    snprintf(cc, sizeof(cc), "%.*s", (int)l, d);
    skip = (size_t)(d - digits) + l;
  }
  const char *nat = digits + skip;
  if (*nat == '0') /* trunk prefix, optional below */
    nat++;
  if (strlen(nat) < 6)
    return CP_OK;
  /* Between the last four digits only one space, dot or dash: that keeps
   * the trigger a handful of literals, which Vectorscan scans fast. */
  char body[400];
  size_t o = 0, nl = strlen(nat);
  o += (size_t)snprintf(body + o, sizeof(body) - o, "\\(?");
  for (size_t i = 0; i < nl && o < sizeof(body) - 32; i++)
    o += (size_t)snprintf(body + o, sizeof(body) - o, "%s%c",
                          i == 0        ? ""
                          : i + 3 >= nl ? "[ .\\-]?"
                                        : "[ .()/\\-]{0,3}",
                          nat[i]);
  char hs[560], pc[600];
  if (cc[0])
    snprintf(hs, sizeof(hs),
             "(?:(?:\\+|00|%%2[Bb]|\\\\u002[Bb]|&#43;|&#x2[Bb];)%s(?:[ .\\-]|%%20|\\+){0,2})?"
             "(?:\\(?0\\)?[ .\\-]{0,2})?%s",
             cc, body);
  else
    snprintf(hs, sizeof(hs), "(?:\\(?0\\)?[ .\\-]{0,2})?%s", body);
  snprintf(pc, sizeof(pc), "(?<![0-9])%s", hs);
  /* trigger: the last four digits (see k_patterns on triggers) */
  char trig[80];
  size_t to = 0;
  for (size_t i = nl - 4; i < nl; i++)
    to += (size_t)snprintf(trig + to, sizeof(trig) - to, "%s%c", i > nl - 4 ? "[ .\\-]?" : "",
                           nat[i]);
  cp_rx_rule t = {0};
  t.cls = cls;
  t.hs_expr = trig;
  t.maxlen = strlen(nat) * 4 + 16;
  t.rb = CP_B_DIGIT;
  t.has_key = 1;
  memcpy(t.key, key, 32);
  return cp_rx_add_rule(r, &t, pc, err);
}

static int parse_mac(const char *s, unsigned char b[6])
{
  unsigned char hex[12];
  size_t n = 0;
  for (const char *p = s; *p;) {
    if (!is_hex((unsigned char)*p)) {
      p++;
      continue;
    }
    const char *q = p;
    while (is_hex((unsigned char)*q))
      q++;
    size_t l = (size_t)(q - p);
    if (l == 1 && n + 2 <= 12) { /* a one-digit group pads to two */
      hex[n++] = '0';
      hex[n++] = (unsigned char)*p;
    } else
      for (const char *c = p; c < q && n < 12; c++)
        hex[n++] = (unsigned char)*c;
    p = q;
  }
  if (n != 12)
    return -1;
  for (int i = 0; i < 6; i++) {
    char t[3] = {(char)hex[2 * i], (char)hex[2 * i + 1], 0};
    b[i] = (unsigned char)strtoul(t, NULL, 16);
  }
  return 0;
}

static int is_generic_device_word(const char *w, size_t n)
{
  static const char *words[] = {"iphone", "ipad",  "ipod",  "touch",   "watch",  "apple",   "mini",
                                "pro",    "max",   "plus",  "air",     "mac",    "macbook", "imac",
                                "se",     "ultra", "local", "airpods", "homepod"};
  for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
    if (strlen(words[i]) == n && strncasecmp(words[i], w, n) == 0)
      return 1;
  return 0;
}

/* 1 when s starts with a model word ("iPhone", "iPad"...). */
static int starts_with_device_word(const char *s)
{
  static const char *words[] = {"iphone", "ipad", "ipod",    "apple watch", "macbook",
                                "imac",   "mac",  "airpods", "homepod",     "apple"};
  for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
    if (strncasecmp(s, words[i], strlen(words[i])) == 0)
      return 1;
  return 0;
}

/* The owner's name inside a device name, in the forms iOS names a device by
 * locale: "Anna's iPhone", "Anna’s iPad", "James' iPhone" (en), "张三的iPhone"
 * (zh), "アンナのiPhone" (ja), "안나의 iPhone" (ko), "iPhone von Jürgen" (de),
 * "iPhone de Anna" (fr, es, pt), "iPhone di Anna" (it), "iPhone van Anna"
 * (nl), "iPhone od Anny" (pl, cs), "iPhone (Anna)", "iPhone — Анна" (ru),
 * "Annas iPhone" (sv, da, nb). 0 when none. */
static int person_from_device_name(const char *dn, char *out, size_t cap)
{
  static const char *poss[] = {"'s ", "\xE2\x80\x99s ", "' ", "\xE2\x80\x99 ",
                               "'s",  "\xE2\x80\x99s"};
  static const char *cjk[] = {"\xE7\x9A\x84", /* 的 */ "\xE3\x81\xAE", /* の */
                              "\xEC\x9D\x98" /* 의 */};
  static const char *preps[] = {" de ", " von ", " di ",           " van ",
                                " da ", " do ",  " od ",           " av ",
                                " (",   " - ",   " \xE2\x80\x94 ", " \xE2\x80\x93 "};
  for (size_t i = 0; i < sizeof(poss) / sizeof(poss[0]); i++) {
    const char *p = strstr(dn, poss[i]);
    if (p && p > dn) {
      snprintf(out, cap, "%.*s", (int)(p - dn), dn);
      return 1;
    }
  }
  for (size_t i = 0; i < sizeof(cjk) / sizeof(cjk[0]); i++) {
    const char *p = strstr(dn, cjk[i]);
    if (p && p > dn) {
      size_t l = (size_t)(p - dn);
      while (l && dn[l - 1] == ' ')
        l--;
      snprintf(out, cap, "%.*s", (int)l, dn);
      return l > 0;
    }
  }
  for (size_t i = 0; i < sizeof(preps) / sizeof(preps[0]); i++) {
    const char *p = strstr(dn, preps[i]);
    if (p && p > dn && starts_with_device_word(dn)) {
      snprintf(out, cap, "%s", p + strlen(preps[i]));
      size_t l = strlen(out);
      if (l && out[l - 1] == ')')
        out[--l] = 0;
      return l > 0;
    }
  }
  /* "Annas iPhone": a capitalised word, an 's', a model word */
  const char *sp = strchr(dn, ' ');
  if (sp && sp - dn >= 3 && sp[-1] == 's' && dn[0] >= 'A' && dn[0] <= 'Z' &&
      starts_with_device_word(sp + 1)) {
    snprintf(out, cap, "%.*s", (int)(sp - dn - 1), dn);
    return 1;
  }
  return 0;
}

/* A device name without its model words at the end: "张三iPhone 15" ->
 * "张三". 0 when nothing was cut or nothing would remain. */
static int device_name_stem(const char *dn, char *out, size_t cap)
{
  snprintf(out, cap, "%s", dn);
  size_t l = strlen(out), orig = l;
  for (;;) {
    while (l && (out[l - 1] == ' ' || out[l - 1] == '-' || out[l - 1] == '_'))
      l--;
    size_t b = l;
    while (b && is_alnum((unsigned char)out[b - 1]))
      b--;
    if (b == l)
      break;
    int digits = 1;
    for (size_t i = b; i < l; i++)
      digits &= is_digit((unsigned char)out[i]);
    if (!digits && !is_generic_device_word(out + b, l - b))
      break;
    l = b;
  }
  out[l] = 0;
  return l > 0 && l < orig;
}

/* A data value (ChipSerialNo, a baseband serial) comes from lockdown as
 * base64; logs print the bytes in hex, bare or as NSData "<3a7e910c ...>".
 * Only values that are plainly base64 (padding, or lower case, which Apple
 * serials never have) are decoded. */
static int forms_add_b64_hex(forms *f, const char *v)
{
  static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t n = strlen(v);
  int lower = 0;
  if (n % 4 || n < 8 || n > 64)
    return 0;
  for (size_t i = 0; i < n; i++) {
    if (v[i] == '=' && i >= n - 2)
      continue;
    if (!strchr(tbl, v[i]) || !v[i])
      return 0;
    lower |= v[i] >= 'a' && v[i] <= 'z';
  }
  if (!strchr(v, '=') && !lower)
    return 0;
  unsigned char b[48];
  size_t nb = 0;
  unsigned acc = 0, bits = 0;
  for (size_t i = 0; i < n && v[i] != '='; i++) {
    acc = (acc << 6) | (unsigned)(strchr(tbl, v[i]) - tbl);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      b[nb++] = (unsigned char)(acc >> bits);
    }
  }
  if (nb < 4)
    return 0;
  char hex[100], ns[140];
  size_t o = 0, p = 0;
  for (size_t i = 0; i < nb; i++) {
    o += (size_t)sprintf(hex + o, "%02x", b[i]);
    p += (size_t)sprintf(ns + p, "%s%02x", i && i % 4 == 0 ? " " : "", b[i]);
  }
  int rc = forms_add(f, hex);
  return rc ? rc : forms_add(f, ns);
}

/* Numbers people copy by hand are regrouped: an IMEI in threes, an ICCID
 * in fours, a serial in blocks. */
static int regrouped_class(const char *cls)
{
  static const char *k[] = {"imei", "iccid", "imsi", "meid", "serial", "ecid"};
  for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
    if (strcmp(cls, k[i]) == 0)
      return 1;
  return 0;
}

/* The value's letters and digits with any one space, hyphen or dot between
 * any two of them. The Vectorscan trigger is the last four characters with
 * their optional separators (a handful of literals, which scan fast, as in
 * add_phone); the confirm expression finds the whole value before it. */
static cp_err add_regrouped(cp_redactor *r, int cls, const char *bare, const unsigned char key[32],
                            cp_error *err)
{
  size_t n = strlen(bare);
  if (n < 8 || n > 40)
    return CP_OK;
  char pc[40 * 12 + 32], trig[80];
  size_t o = 0, to = 0;
  o += (size_t)snprintf(pc + o, sizeof(pc) - o, "(?<![0-9a-z])");
  for (size_t i = 0; i < n; i++) {
    if (!is_alnum((unsigned char)bare[i]))
      return CP_OK;
    o += (size_t)snprintf(pc + o, sizeof(pc) - o, "%s%c", i ? "[ .\\-]?" : "", bare[i]);
    if (i >= n - 4)
      to += (size_t)snprintf(trig + to, sizeof(trig) - to, "%s%c", i > n - 4 ? "[ .\\-]?" : "",
                             bare[i]);
  }
  cp_rx_rule t = {0};
  t.cls = cls;
  t.hs_expr = trig;
  t.hs_flags = CP_RX_CASELESS;
  t.maxlen = 2 * n;
  t.rb = CP_B_ALNUM;
  t.has_key = 1;
  memcpy(t.key, key, 32);
  return cp_rx_add_rule(r, &t, pc, err);
}

static cp_err add_forms(cp_redactor *r, int cls, forms *f, int lb, int rb,
                        const unsigned char key[32], cp_error *err)
{
  for (size_t i = 0; i < f->n; i++) {
    cp_err rc = add_literal(r, cls, f->v[i], lb, rb, key, err);
    if (rc != CP_OK)
      return rc;
  }
  return CP_OK;
}

static cp_err add_person(cp_redactor *r, const cp_redact_policy *pol, const char *name,
                         cp_error *err)
{
  if (!cp_rx_policy_class_on(pol, "person_name"))
    return CP_OK;
  cp_err rc = CP_OK;
  forms f = {0};
  int cls = cp_rx_class_index(r, "person_name", CP_N_LOWER);
  if (cls < 0)
    return cp_error_set(err, CP_E_POLICY, "too many redaction classes");
  /* the whole name, then each word of it */
  char buf[256];
  snprintf(buf, sizeof(buf), "%s", name);
  for (int pass = 0; pass < (strchr(buf, ' ') ? 2 : 1); pass++) {
    char *save = NULL, *tmp = strdup(buf);
    if (!tmp) {
      rc = cp_error_set(err, CP_E_NOMEM, "redaction rules");
      goto out;
    }
    for (char *w = pass ? strtok_r(tmp, " ", &save) : tmp; w;
         w = pass ? strtok_r(NULL, " ", &save) : NULL) {
      size_t n = strlen(w);
      if (n < 2 || is_generic_device_word(w, n))
        continue;
      /* a CJK name of three or more characters (three bytes each) is a
       * family name and a given name: the given name alone too */
      int cjk = n >= 9 && n % 3 == 0 && (unsigned char)w[0] >= 0xE3 && (unsigned char)w[0] <= 0xED;
      for (int part = 0; part < (cjk ? 2 : 1); part++) {
        const char *word = part ? w + n - 6 : w;
        size_t wl = strlen(word);
        unsigned char norm[256], key[32];
        size_t nn = cp_rx_normalise(CP_N_LOWER, (const unsigned char *)word, wl, norm);
        cp_rx_key(r, cls, norm, nn, key);
        if (forms_add_latin1(&f, word) != 0) {
          free(tmp);
          rc = cp_error_set(err, CP_E_NOMEM, "redaction rules");
          goto out;
        }
        rc = add_forms(r, cls, &f, CP_B_ALPHA, CP_B_ALPHA, key, err);
        forms_free(&f);
        if (rc != CP_OK) {
          free(tmp);
          goto out;
        }
      }
    }
    free(tmp);
  }
out:
  forms_free(&f);
  return rc;
}

/* Every literal form one identifier takes; see the header comment. */
static cp_err add_identifier(cp_redactor *r, const cp_redact_policy *pol, const char *clsname,
                             const char *value, cp_error *err)
{
  cp_err rc = CP_OK;
  forms f = {0};
  char *tmp = NULL;
  int rb = CP_B_NONE;
  while (isspace((unsigned char)*value))
    value++;
  size_t vl = strlen(value);
  while (vl && isspace((unsigned char)value[vl - 1]))
    vl--;
  char v[260];
  if (vl < 4 || vl >= sizeof(v))
    return CP_OK; /* too short to be an identifier, or not one */
  memcpy(v, value, vl);
  v[vl] = 0;
  if (!cp_rx_policy_class_on(pol, clsname))
    return CP_OK;
  /* placeholders such as "<hex ID>", "###…", "xxx" are not identifiers */
  size_t alnum = 0;
  for (size_t i = 0; i < vl; i++)
    alnum += is_alnum((unsigned char)v[i]) && v[i] != 'x' && v[i] != 'X';
  if (alnum < 3 || (v[0] == '<' && v[vl - 1] == '>'))
    return CP_OK;
  for (const char *c = clsname; *c; c++)
    if (!(is_digit((unsigned char)*c) || (*c >= 'a' && *c <= 'z') || *c == '_'))
      return cp_error_set(err, CP_E_POLICY, "bad identifier class name '%s'", clsname);
  int norm = known_norm(clsname);
  int cls = cp_rx_class_index(r, clsname, norm);
  if (cls < 0)
    return cp_error_set(err, CP_E_POLICY, "too many redaction classes");
  unsigned char normv[260], key[32];
  size_t nn = cp_rx_normalise(norm, (const unsigned char *)v, vl, normv);
  if (nn == 0)
    return CP_OK;
  cp_rx_key(r, cls, normv, nn, key);

  if (strcmp(clsname, "phone") == 0)
    return add_phone(r, cls, v, key, err);
  if (strstr(clsname, "mac")) {
    unsigned char b[6];
    char s[64];
    if (parse_mac(v, b) != 0)
      goto generic;
    /* colon, dash, none, Cisco dots, no leading zeros */
    for (int form = 0; form < 6; form++) {
      if (form == 0)
        snprintf(s, sizeof(s), "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
      else if (form == 1)
        snprintf(s, sizeof(s), "%02x-%02x-%02x-%02x-%02x-%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
      else if (form == 2)
        snprintf(s, sizeof(s), "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
      else if (form == 3)
        snprintf(s, sizeof(s), "%02x%02x.%02x%02x.%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
      else if (form == 4)
        snprintf(s, sizeof(s), "%x:%x:%x:%x:%x:%x", b[0], b[1], b[2], b[3], b[4], b[5]);
      else /* percent-encoded colons, in a URL query */
        snprintf(s, sizeof(s), "%02x%%3A%02x%%3A%02x%%3A%02x%%3A%02x%%3A%02x", b[0], b[1], b[2],
                 b[3], b[4], b[5]);
      if (forms_add(&f, s) != 0)
        goto nomem;
    }
    rb = CP_B_HEX; /* "…:3d:1" must not be the start of "…:3d:10" */
    rc = add_forms(r, cls, &f, CP_B_NONE, rb, key, err);
    goto out;
  }
  if (strcmp(clsname, "ecid") == 0) {
    char *end = NULL;
    unsigned long long e;
    int hex = strncasecmp(v, "0x", 2) == 0;
    e = strtoull(hex ? v + 2 : v, &end, hex ? 16 : 10);
    if (end && *end == 0 && e) {
      char s[40];
      snprintf(s, sizeof(s), "%llu", e);
      forms_add(&f, s);
      snprintf(s, sizeof(s), "%llx", e);
      forms_add(&f, s);
      snprintf(s, sizeof(s), "%016llx", e);
      forms_add(&f, s);
      rc = add_forms(r, cls, &f, CP_B_NONE, CP_B_NONE, key, err);
      snprintf(s, sizeof(s), "%llu", e);
      if (rc == CP_OK)
        rc = add_regrouped(r, cls, s, key, err);
      goto out;
    }
  }
  if (strcmp(clsname, "imei") == 0 && vl == 15) {
    char s[24]; /* as Settings shows it: 35 534108 315977 1 */
    snprintf(s, sizeof(s), "%.2s %.6s %.6s %.1s", v, v + 2, v + 8, v + 14);
    if (forms_add(&f, s) != 0)
      goto nomem;
    snprintf(s, sizeof(s), "%.2s-%.6s-%.6s-%.1s", v, v + 2, v + 8, v + 14); /* on the box */
    if (forms_add(&f, s) != 0)
      goto nomem;
  }
  if (strcmp(clsname, "device_name") == 0) {
    static const char *generic[] = {"iPhone", "iPad", "iPod", "iPod touch", "Apple Watch"};
    for (size_t i = 0; i < sizeof(generic) / sizeof(generic[0]); i++)
      if (strcasecmp(v, generic[i]) == 0)
        goto out; /* a model name, not a personal one */
    char person[256];
    if (person_from_device_name(v, person, sizeof(person))) {
      rc = add_person(r, pol, person, err);
      if (rc != CP_OK)
        goto out;
    }
    /* the apostrophe as typed and typographic, each in every encoding
     * (forms_add_latin1), plus the XML escapes of the straight one */
    static const char *apos[] = {"'", "\xE2\x80\x99", "&apos;", "&#39;", "&#x27;", "&#8217;"};
    char *plain = replace_all(v, "\xE2\x80\x99", "'");
    if (!plain)
      goto nomem;
    for (size_t i = 0; i < sizeof(apos) / sizeof(apos[0]); i++) {
      tmp = replace_all(plain, "'", apos[i]);
      if (!tmp || forms_add_latin1(&f, tmp) != 0 || (i < 2 && forms_add_hosts(&f, tmp) != 0)) {
        free(plain);
        goto nomem;
      }
      free(tmp);
      tmp = NULL;
    }
    free(plain);
    /* the name without its model words ("张三的iPhone" -> "张三的"): apps
     * and logs cut the suffix */
    char stem[260];
    if (device_name_stem(v, stem, sizeof(stem)) && strlen(stem) >= 4 &&
        forms_add_latin1(&f, stem) != 0)
      goto nomem;
    /* a one-word name ("Anna", "Kitchen") must not hit inside other words */
    int lb = is_alnum((unsigned char)v[0]) ? CP_B_ALNUM : CP_B_NONE;
    int rbd = is_alnum((unsigned char)v[vl - 1]) ? CP_B_ALNUM : CP_B_NONE;
    rc = add_forms(r, cls, &f, lb, rbd, key, err);
    goto out;
  }
generic:
  if (forms_add_encoded(&f, v) != 0 || forms_add_b64_hex(&f, v) != 0)
    goto nomem;
  tmp = strip_chars(v, "-: ."); /* UDID without its dash, etc. */
  if (!tmp || forms_add(&f, tmp) != 0)
    goto nomem;
  rc = add_forms(r, cls, &f, CP_B_NONE, rb, key, err);
  if (rc == CP_OK && regrouped_class(clsname))
    rc = add_regrouped(r, cls, tmp, key, err);
  goto out;
nomem:
  rc = cp_error_set(err, CP_E_NOMEM, "redaction rules");
out:
  free(tmp);
  forms_free(&f);
  return rc;
}

cp_err cp_rx_build_rules(cp_redactor *r, const cp_redact_config *cfg, cp_error *err)
{
  cp_err rc = CP_OK;
  const cp_redact_policy *pol = cfg->policy;
  /* device identifiers first: they win ties with the pattern classes */
  for (size_t i = 0; i < cfg->n_ids; i++) {
    if (!cfg->ids || !cfg->ids[i].cls || !cfg->ids[i].value)
      continue;
    rc = add_identifier(r, pol, cfg->ids[i].cls, cfg->ids[i].value, err);
    if (rc != CP_OK)
      return rc;
  }
  for (size_t i = 0; i < sizeof(k_patterns) / sizeof(k_patterns[0]); i++) {
    const pattern_def *p = &k_patterns[i];
    if (!cp_rx_policy_class_on(pol, p->cls))
      continue;
    int cls = cp_rx_class_index(r, p->cls, known_norm(p->cls));
    if (cls < 0)
      return cp_error_set(err, CP_E_POLICY, "too many redaction classes");
    cp_rx_rule t = {0};
    t.cls = cls;
    t.hs_expr = (char *)p->hs;
    t.hs_flags = p->caseless ? CP_RX_CASELESS : 0;
    t.maxlen = p->maxlen;
    t.rb = p->rb;
    t.prio = 1;
    rc = cp_rx_add_rule(r, &t, p->pcre, err);
    if (rc != CP_OK)
      return cp_error_set(err, CP_E_INTERNAL, "built-in rule %s: %s", p->cls, err->detail);
  }
  for (size_t i = 0; pol && i < pol->n_pat; i++) {
    if (!cp_rx_policy_class_on(pol, pol->pat_names[i]))
      continue;
    int cls = cp_rx_class_index(r, pol->pat_names[i], CP_N_EXACT);
    if (cls < 0)
      return cp_error_set(err, CP_E_POLICY, "too many redaction classes");
    cp_rx_rule t = {0};
    t.cls = cls;
    t.hs_expr = pol->pat_regex[i];
    t.maxlen = cp_rx_engine_pattern_maxlen(pol->pat_regex[i]);
    t.prio = 2;
    rc = cp_rx_add_rule(r, &t, pol->pat_regex[i], err);
    if (rc != CP_OK)
      return rc;
    cp_rx_rule *added = &r->rules[r->n_rules - 1];
    added->search = compile_pcre(pol->pat_regex[i], 0, err);
    if (!added->search)
      return CP_E_POLICY;
  }
  return CP_OK;
}
