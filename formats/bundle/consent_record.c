/* See consent_record.h. Refuses contradictory input (a scope both granted and
 * refused) rather than recording an ambiguous consent. */
#include "consent_record.h"

#include "bundle_os.h"
#include "cp_version.h"
#include "manifest.h"

#include <string.h>

static int listed(const char *const *list, const char *name)
{
  for (size_t i = 0; list && list[i]; i++)
    if (!strcmp(list[i], name))
      return 1;
  return 0;
}

/* A JSON array of the names, or NULL for an empty name or out of memory. */
static json_t *name_array(const char *const *list)
{
  json_t *a = json_array();
  for (size_t i = 0; a && list && list[i]; i++) {
    if (!list[i][0] || json_array_append_new(a, json_string(list[i])) != 0) {
      json_decref(a);
      return NULL;
    }
  }
  return a;
}

json_t *cp_consent_record_new(const char *case_id, const char *const *granted,
                              const char *const *refused, const char *how, time_t when,
                              const char *text_shown)
{
  if (!case_id || !case_id[0] || !how ||
      (strcmp(how, "prompt") && strcmp(how, "flag") && strcmp(how, "policy") &&
       strcmp(how, "page")))
    return NULL;
  for (size_t i = 0; granted && granted[i]; i++)
    if (listed(refused, granted[i]))
      return NULL;
  const char *text = text_shown ? text_shown : "";
  char sha[65], at[32];
  if (cp_sha256_hex(text, strlen(text), sha, NULL) != CP_OK)
    return NULL;
  cp_os_utc(when, 1, at);
  json_t *g = name_array(granted);
  json_t *r = name_array(refused);
  json_t *rec = NULL;
  if (g && r)
    rec = json_pack("{s:i, s:s, s:O, s:O, s:s, s:s, s:s, s:I}", "format_version",
                    CP_BUNDLE_FORMAT_VERSION, "case_id", case_id, "granted", g, "refused", r, "how",
                    how, "time", at, "text_sha256", sha, "text_bytes", (json_int_t)strlen(text));
  json_decref(g);
  json_decref(r);
  return rec;
}

int cp_consent_record_set_language(json_t *record, const char *lang)
{
  if (!json_is_object(record) || !lang || (strcmp(lang, "en") && strcmp(lang, "zh-Hans")))
    return -1;
  return json_object_set_new(record, "language", json_string(lang)) == 0 ? 0 : -1;
}
