/*
 * Redaction policy (which classes are on, extra patterns) and picking the
 * device's identifiers out of lockdown values. The policy FILE format is the
 * station/collect code's; this only takes class names, pattern strings and
 * the JSON object they decode to.
 */
#include "redact_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PATTERNS 64

cp_err cp_redact_policy_new(cp_redact_policy **out, cp_error *err)
{
  if (!out)
    return cp_error_set(err, CP_E_INTERNAL, "policy without output");
  *out = calloc(1, sizeof(**out));
  return *out ? CP_OK : cp_error_set(err, CP_E_NOMEM, "redaction policy");
}

void cp_redact_policy_free(cp_redact_policy *p)
{
  if (!p)
    return;
  for (size_t i = 0; i < p->n_off; i++)
    free(p->off[i]);
  for (size_t i = 0; i < p->n_pat; i++) {
    free(p->pat_names[i]);
    free(p->pat_regex[i]);
  }
  free(p->off);
  free(p->pat_names);
  free(p->pat_regex);
  free(p);
}

/* The device's own identifiers: no policy, file, JSON or flag turns them
 * off (issue 14). Checked here, in the one place every route goes through. */
int cp_redact_class_protected(const char *cls)
{
  static const char *const k[] = {"serial",       "udid",        "ecid",       "imei",     "meid",
                                  "iccid",        "imsi",        "phone",      "wifi_mac", "bt_mac",
                                  "ethernet_mac", "device_name", "person_name"};
  for (size_t i = 0; cls && i < sizeof(k) / sizeof(k[0]); i++)
    if (strcmp(k[i], cls) == 0)
      return 1;
  return 0;
}

int cp_rx_policy_class_on(const cp_redact_policy *p, const char *cls)
{
  if (cp_redact_class_protected(cls))
    return 1;
  for (size_t i = 0; p && i < p->n_off; i++)
    if (strcmp(p->off[i], cls) == 0)
      return 0;
  return 1;
}

static int valid_name(const char *n)
{
  size_t l = n ? strlen(n) : 0;
  if (l == 0 || l > CP_RX_NAME_MAX)
    return 0;
  for (size_t i = 0; i < l; i++)
    if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') || n[i] == '_'))
      return 0;
  return 1;
}

cp_err cp_redact_policy_set_class(cp_redact_policy *p, const char *cls, int on, cp_error *err)
{
  if (!p || !cls)
    return cp_error_set(err, CP_E_INTERNAL, "policy without class");
  int known = cp_rx_is_known_class(cls);
  for (size_t i = 0; !known && i < p->n_pat; i++)
    known = strcmp(p->pat_names[i], cls) == 0;
  if (!known)
    return cp_error_set(err, CP_E_POLICY, "no such redaction class '%s'", cls);
  if (!on && cp_redact_class_protected(cls))
    return cp_error_set(err, CP_E_POLICY,
                        "redaction class '%s' is one of the device's own identifiers and cannot "
                        "be turned off; remove it from the policy",
                        cls);
  for (size_t i = 0; i < p->n_off; i++) {
    if (strcmp(p->off[i], cls) != 0)
      continue;
    if (on) {
      free(p->off[i]);
      p->off[i] = p->off[--p->n_off];
    }
    return CP_OK;
  }
  if (on)
    return CP_OK;
  char **n = realloc(p->off, (p->n_off + 1) * sizeof(*n));
  if (!n)
    return cp_error_set(err, CP_E_NOMEM, "redaction policy");
  p->off = n;
  if (!(p->off[p->n_off] = strdup(cls)))
    return cp_error_set(err, CP_E_NOMEM, "redaction policy");
  p->n_off++;
  return CP_OK;
}

cp_err cp_redact_policy_add_pattern(cp_redact_policy *p, const char *name, const char *regex,
                                    cp_error *err)
{
  if (!p)
    return cp_error_set(err, CP_E_INTERNAL, "no policy");
  if (!valid_name(name))
    return cp_error_set(err, CP_E_POLICY, "pattern name must be [a-z0-9_]{1,32}");
  if (!regex || !*regex || strlen(regex) > 4096)
    return cp_error_set(err, CP_E_POLICY, "pattern '%s' has no regex (or a huge one)", name);
  if (p->n_pat >= MAX_PATTERNS)
    return cp_error_set(err, CP_E_POLICY, "more than %d patterns", MAX_PATTERNS);
  int ec;
  PCRE2_SIZE off;
  pcre2_code *c = pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL);
  if (!c) {
    PCRE2_UCHAR msg[120];
    pcre2_get_error_message(ec, msg, sizeof(msg));
    return cp_error_set(err, CP_E_POLICY, "pattern '%s' at offset %zu: %s", name, (size_t)off,
                        (char *)msg);
  }
  pcre2_code_free(c);
  char **nn = realloc(p->pat_names, (p->n_pat + 1) * sizeof(*nn));
  if (!nn)
    return cp_error_set(err, CP_E_NOMEM, "redaction policy");
  p->pat_names = nn;
  char **nr = realloc(p->pat_regex, (p->n_pat + 1) * sizeof(*nr));
  if (!nr)
    return cp_error_set(err, CP_E_NOMEM, "redaction policy");
  p->pat_regex = nr;
  p->pat_names[p->n_pat] = strdup(name);
  p->pat_regex[p->n_pat] = strdup(regex);
  if (!p->pat_names[p->n_pat] || !p->pat_regex[p->n_pat]) {
    free(p->pat_names[p->n_pat]);
    free(p->pat_regex[p->n_pat]);
    return cp_error_set(err, CP_E_NOMEM, "redaction policy");
  }
  p->n_pat++;
  return CP_OK;
}

cp_err cp_redact_policy_from_json(const json_t *j, cp_redact_policy **out, cp_error *err)
{
  cp_err rc = CP_OK;
  cp_redact_policy *p = NULL;
  if (!out)
    return cp_error_set(err, CP_E_INTERNAL, "policy without output");
  *out = NULL;
  if (!json_is_object(j))
    return cp_error_set(err, CP_E_POLICY, "redaction policy is not a JSON object");
  rc = cp_redact_policy_new(&p, err);
  if (rc != CP_OK)
    return rc;
  /* patterns first, so "classes" may switch a named pattern off */
  json_t *pats = json_object_get(j, "patterns");
  if (pats && !json_is_array(pats)) {
    rc = cp_error_set(err, CP_E_POLICY, "\"patterns\" must be an array");
    goto out;
  }
  size_t i;
  json_t *v;
  json_array_foreach(pats, i, v)
  {
    const char *name = json_string_value(json_object_get(v, "name"));
    const char *rx = json_string_value(json_object_get(v, "regex"));
    if (!name || !rx) {
      rc = cp_error_set(err, CP_E_POLICY, "pattern %zu needs string \"name\" and \"regex\"", i);
      goto out;
    }
    rc = cp_redact_policy_add_pattern(p, name, rx, err);
    if (rc != CP_OK)
      goto out;
  }
  json_t *classes = json_object_get(j, "classes");
  if (classes && !json_is_object(classes)) {
    rc = cp_error_set(err, CP_E_POLICY, "\"classes\" must be an object");
    goto out;
  }
  const char *k;
  json_object_foreach(classes, k, v)
  {
    if (!json_is_boolean(v)) {
      rc = cp_error_set(err, CP_E_POLICY, "class '%s' must be true or false", k);
      goto out;
    }
    rc = cp_redact_policy_set_class(p, k, json_is_true(v), err);
    if (rc != CP_OK)
      goto out;
  }
  *out = p;
  p = NULL;
out:
  cp_redact_policy_free(p);
  return rc;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

json_t *cp_redact_policy_classes_off(const cp_redact_policy *p)
{
  json_t *a = json_array();
  if (!a || !p || !p->n_off)
    return a;
  char **sorted = malloc(p->n_off * sizeof(*sorted));
  if (!sorted) {
    json_decref(a);
    return NULL;
  }
  memcpy(sorted, p->off, p->n_off * sizeof(*sorted));
  qsort(sorted, p->n_off, sizeof(*sorted), cmp_str);
  for (size_t i = 0; i < p->n_off; i++)
    if (json_array_append_new(a, json_string(sorted[i])) != 0) {
      json_decref(a);
      a = NULL;
      break;
    }
  free(sorted);
  return a;
}

/* ---- identifiers from lockdown ---- */

typedef struct key_map {
  const char *key, *cls;
} key_map;

static const key_map k_lockdown[] = {
    {"SerialNumber", "serial"},
    {"MLBSerialNumber", "serial"},
    {"WirelessBoardSerialNumber", "serial"},
    {"BasebandSerialNumber", "serial"},
    {"ChipSerialNo", "serial"}, /* data: its base64 is what JSON members hold */
    {"UniqueDeviceID", "udid"},
    {"UniqueChipID", "ecid"},
    {"DieID", "ecid"},
    {"InternationalMobileEquipmentIdentity", "imei"},
    {"InternationalMobileEquipmentIdentity2", "imei"},
    {"MobileEquipmentIdentifier", "meid"},
    {"IntegratedCircuitCardIdentity", "iccid"},
    {"IntegratedCircuitCardIdentity2", "iccid"},
    {"InternationalMobileSubscriberIdentity", "imsi"},
    {"InternationalMobileSubscriberIdentity2", "imsi"},
    {"PhoneNumber", "phone"},
    {"WiFiAddress", "wifi_mac"},
    {"BluetoothAddress", "bt_mac"},
    {"EthernetAddress", "ethernet_mac"},
    {"DeviceName", "device_name"},
};

static cp_err add_id(cp_redact_id **ids, size_t *n, size_t *cap, const char *cls, const json_t *v,
                     cp_error *err)
{
  char num[32];
  const char *s = json_string_value(v);
  if (json_is_integer(v)) {
    snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    s = num;
  }
  if (!s || !*s)
    return CP_OK;
  for (size_t i = 0; i < *n; i++) /* the same value under two keys: once */
    if (strcmp((*ids)[i].cls, cls) == 0 && strcmp((*ids)[i].value, s) == 0)
      return CP_OK;
  if (*n == *cap) {
    size_t nc = *cap ? *cap * 2 : 16;
    cp_redact_id *ni = realloc(*ids, nc * sizeof(*ni));
    if (!ni)
      return cp_error_set(err, CP_E_NOMEM, "identifier list");
    *ids = ni;
    *cap = nc;
  }
  char *c = strdup(cls), *val = strdup(s);
  if (!c || !val) {
    free(c);
    free(val);
    return cp_error_set(err, CP_E_NOMEM, "identifier list");
  }
  (*ids)[*n].cls = c;
  (*ids)[*n].value = val;
  (*n)++;
  return CP_OK;
}

static cp_err scan_object(const json_t *o, int depth, cp_redact_id **ids, size_t *n, size_t *cap,
                          cp_error *err)
{
  if (depth > 4)
    return CP_OK;
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)o, k, v)
  {
    cp_err rc = CP_OK;
    if (json_is_object(v))
      rc = scan_object(v, depth + 1, ids, n, cap, err);
    else if (json_is_array(v)) {
      size_t i;
      json_t *e;
      json_array_foreach(v, i, e)
      {
        if (json_is_object(e) && (rc = scan_object(e, depth + 1, ids, n, cap, err)) != CP_OK)
          break;
      }
    } else
      for (size_t i = 0; i < sizeof(k_lockdown) / sizeof(k_lockdown[0]); i++)
        if (strcmp(k, k_lockdown[i].key) == 0)
          rc = add_id(ids, n, cap, k_lockdown[i].cls, v, err);
    if (rc != CP_OK)
      return rc;
  }
  return CP_OK;
}

cp_err cp_redact_ids_from_lockdown(const json_t *values, cp_redact_id **ids, size_t *n,
                                   cp_error *err)
{
  if (!ids || !n)
    return cp_error_set(err, CP_E_INTERNAL, "identifier list without output");
  *ids = NULL;
  *n = 0;
  if (!json_is_object(values))
    return cp_error_set(err, CP_E_PARSE, "lockdown values are not an object");
  size_t cap = 0;
  cp_err rc = scan_object(values, 0, ids, n, &cap, err);
  if (rc != CP_OK) {
    cp_redact_ids_free(*ids, *n);
    *ids = NULL;
    *n = 0;
  }
  return rc;
}

void cp_redact_ids_free(cp_redact_id *ids, size_t n)
{
  for (size_t i = 0; ids && i < n; i++) {
    free((char *)ids[i].cls);
    free((char *)ids[i].value);
  }
  free(ids);
}

cp_err cp_redact_ids_add(cp_redact_id **ids, size_t *n, const char *cls, const char *value,
                         cp_error *err)
{
  if (!ids || !n || !cls || !value)
    return cp_error_set(err, CP_E_INTERNAL, "identifier without class or value");
  size_t cap = *n; /* add_id grows only when n == cap */
  json_t *v = json_string(value);
  if (!v)
    return cp_error_set(err, CP_E_NOMEM, "identifier list");
  cp_err rc = add_id(ids, n, &cap, cls, v, err);
  json_decref(v);
  return rc;
}
