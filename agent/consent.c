/* See consent.h. The prompt is deliberately one question per scope: a person
 * can agree to battery and crashes and still say no to the device log. */
#include "consent.h"

#include <stdlib.h>
#include <string.h>

static const cp_scope_info scopes[] = {
    {"system", "the device's model, iOS version, activation state and name (the name and "
               "all serial numbers are replaced by placeholders)"},
    {"battery", "battery health: capacity, charge cycles, temperature and voltage, and the "
                "maximum-capacity figure Settings shows (read from the device's analytics log)"},
    {"crashes", "crash, hang and panic reports the device keeps (they stay on the device; "
                "copies are redacted)"},
    {"syslog", "a few seconds of the device's live system log (redacted)"},
    {"apps", "the list of apps you installed, with their versions (not their data)"},
    {"storage", "how much storage is used and free"},
    /* not part of "all": it needs the person to press the buttons */
    {"sysdiagnose", "a sysdiagnose you start on the phone (volume up + volume down + side "
                    "button): its text logs, redacted; the databases, binary plists and "
                    "images in it are left out"},
    {NULL, NULL},
};

const cp_scope_info *cp_scope_table(void)
{
  return scopes;
}

int cp_scope_known(const char *name)
{
  for (size_t i = 0; name && scopes[i].name; i++)
    if (!strcmp(scopes[i].name, name))
      return 1;
  return 0;
}

void cp_consent_free(cp_consent *c)
{
  if (!c)
    return;
  for (size_t i = 0; c->granted && c->granted[i]; i++)
    free(c->granted[i]);
  for (size_t i = 0; c->refused && c->refused[i]; i++)
    free(c->refused[i]);
  free((void *)c->granted);
  free((void *)c->refused);
  free(c->text);
  memset(c, 0, sizeof *c);
}

/* The text shown to the person: fixed header plus one line per scope asked. */
static char *consent_text(const int *asked)
{
  static const char head[] =
      "caseprobe will read the following from the attached device to attach to your support "
      "case. Identifiers (serial numbers, phone number, e-mail and network addresses, your "
      "name) are replaced by placeholders before anything is saved. Nothing is sent anywhere "
      "without a separate upload step.\n";
  size_t len = sizeof head;
  for (size_t i = 0; scopes[i].name; i++)
    if (asked[i])
      len += strlen(scopes[i].name) + strlen(scopes[i].reads) + 8;
  char *t = malloc(len);
  if (!t)
    return NULL;
  size_t off = (size_t)snprintf(t, len, "%s", head);
  for (size_t i = 0; scopes[i].name; i++)
    if (asked[i])
      off += (size_t)snprintf(t + off, len - off, "- %s: %s\n", scopes[i].name, scopes[i].reads);
  return t;
}

/* One short question per scope: the full wording was just shown above. */
static int ask(FILE *in, const char *name)
{
  char line[64];
  for (;;) {
    fprintf(stderr, "Collect %s? [y/n] ", name);
    (void)fflush(stderr);
    if (!fgets(line, sizeof line, in))
      return -1;
    if (line[0] == 'y' || line[0] == 'Y')
      return 1;
    if (line[0] == 'n' || line[0] == 'N')
      return 0;
  }
}

static cp_err push(char ***list, size_t *n, const char *s, cp_error *err)
{
  char **grown = realloc((void *)*list, (*n + 2) * sizeof **list);
  if (!grown)
    return cp_error_set(err, CP_E_NOMEM, "consent list");
  *list = grown;
  grown[*n] = strdup(s);
  if (!grown[*n])
    return cp_error_set(err, CP_E_NOMEM, "consent list");
  grown[++*n] = NULL;
  return CP_OK;
}

cp_err cp_consent_decide(const char *scope_arg, int yes, FILE *tty_in, int interactive,
                         cp_consent *out, cp_error *err)
{
  enum { MAXS = 16 };
  int asked[MAXS] = {0};
  size_t nscopes = 0;
  while (scopes[nscopes].name)
    nscopes++;
  memset(out, 0, sizeof *out);

  if (!scope_arg || !strcmp(scope_arg, "all")) {
    for (size_t i = 0; i < nscopes; i++)
      asked[i] = strcmp(scopes[i].name, "sysdiagnose") != 0; /* asked for by name only */
  } else {
    const char *p = scope_arg;
    while (*p) {
      size_t n = strcspn(p, ",");
      size_t i = 0;
      for (; i < nscopes; i++)
        if (strlen(scopes[i].name) == n && !strncmp(scopes[i].name, p, n))
          break;
      if (i == nscopes)
        return cp_error_set(err, CP_E_USAGE,
                            "unknown scope '%.*s' (known: system, battery, "
                            "crashes, syslog, apps, storage, sysdiagnose, all)",
                            (int)n, p);
      asked[i] = 1;
      p += n;
      if (*p == ',')
        p++;
    }
  }
  if (!yes && !interactive)
    return cp_error_set(err, CP_E_CONSENT,
                        "there is no terminal to ask on and --yes was not given");
  if (yes && !scope_arg)
    return cp_error_set(err, CP_E_USAGE,
                        "--yes needs --scope LIST (or --scope all) so the "
                        "grant is explicit");

  out->how = yes ? "flag" : "prompt";
  out->text = consent_text(asked);
  if (!out->text)
    return cp_error_set(err, CP_E_NOMEM, "consent text");
  size_t ng = 0, nr = 0;
  cp_err rc = CP_OK;
  if (!yes)
    fprintf(stderr, "%s\n", out->text);
  for (size_t i = 0; i < nscopes && rc == CP_OK; i++) {
    int granted = 0;
    if (asked[i]) {
      if (yes) {
        granted = 1;
      } else {
        granted = ask(tty_in, scopes[i].name);
        if (granted < 0) {
          rc = cp_error_set(err, CP_E_CONSENT,
                            "the prompt was closed before every scope was "
                            "answered");
          break;
        }
      }
    }
    if (!granted && !asked[i] && !strcmp(scopes[i].name, "sysdiagnose"))
      continue; /* asked for by name only: not asked is not a refusal */
    rc = granted ? push(&out->granted, &ng, scopes[i].name, err)
                 : push(&out->refused, &nr, scopes[i].name, err);
  }
  if (rc == CP_OK && ng == 0)
    rc = cp_error_set(err, CP_E_CONSENT, "no scope was granted, so there is nothing to collect");
  if (rc != CP_OK)
    cp_consent_free(out);
  return rc;
}

cp_err cp_consent_from_policy(const char *const *granted, const char *signed_text, cp_consent *out,
                              cp_error *err)
{
  memset(out, 0, sizeof *out);
  out->how = "policy";
  size_t ng = 0, nr = 0;
  cp_err rc = CP_OK;
  for (size_t i = 0; scopes[i].name && rc == CP_OK; i++) {
    int g = 0;
    for (size_t j = 0; granted && granted[j]; j++)
      if (!strcmp(granted[j], scopes[i].name))
        g = 1;
    if (!g && !strcmp(scopes[i].name, "sysdiagnose"))
      continue; /* named or nothing (see cp_consent_decide) */
    rc = g ? push(&out->granted, &ng, scopes[i].name, err)
           : push(&out->refused, &nr, scopes[i].name, err);
  }
  if (rc == CP_OK) {
    out->text = strdup(signed_text ? signed_text : "");
    if (!out->text)
      rc = cp_error_set(err, CP_E_NOMEM, "consent text");
  }
  if (rc == CP_OK && ng == 0)
    rc = cp_error_set(err, CP_E_CONSENT, "the station policy grants no scope");
  if (rc != CP_OK)
    cp_consent_free(out);
  return rc;
}
