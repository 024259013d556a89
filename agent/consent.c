/* See consent.h. The prompt is deliberately one question per scope: a person
 * can agree to battery and crashes and still say no to the device log. */
#include "consent.h"

#include "i18n.h"

#include <stdlib.h>
#include <string.h>

static const cp_scope_info scopes[] = {
    {"system", N_("Phone model and iOS version"),
     N_("the device's model, iOS version, activation state and name (the name and "
        "all serial numbers are replaced by placeholders)")},
    {"battery", N_("Battery health"),
     N_("battery health: capacity, charge cycles, temperature and voltage, and the "
        "maximum-capacity figure Settings shows (read from the device's analytics log)")},
    {"crashes", N_("Crash reports"),
     N_("crash, hang and panic reports the device keeps (they stay on the device; "
        "copies are redacted)")},
    {"syslog", N_("Device log"), N_("a few seconds of the device's live system log (redacted)")},
    {"apps", N_("Installed apps"),
     N_("the list of apps you installed, with their versions (not their data)")},
    {"storage", N_("Storage space"), N_("how much storage is used and free")},
    /* not part of "all": it needs the person to press the buttons */
    {"sysdiagnose", N_("Sysdiagnose logs"),
     N_("a sysdiagnose you start on the phone (volume up + volume down + side "
        "button): its text logs, redacted; the databases, binary plists and "
        "images in it are left out")},
    {NULL, NULL, NULL},
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

/* The text shown to the person, in the language in use: a fixed header plus
 * one line per scope asked, "- Plain name: what is read". Its SHA-256 goes
 * into consent.json together with the language, so the hash always matches
 * the words this person saw. */
static char *consent_text(const int *asked)
{
  const char *head =
      _("caseprobe will read the following from the connected phone for your support case. "
        "Identifiers (serial numbers, phone number, e-mail and network addresses, your name) "
        "are replaced by placeholders before anything is saved. Nothing is sent anywhere "
        "without a separate upload step.\n");
  size_t len = strlen(head) + 1;
  for (size_t i = 0; scopes[i].name; i++)
    if (asked[i])
      len += strlen(_(scopes[i].title)) + strlen(_(scopes[i].reads)) + 8;
  char *t = malloc(len);
  if (!t)
    return NULL;
  size_t off = (size_t)snprintf(t, len, "%s", head);
  for (size_t i = 0; scopes[i].name; i++)
    if (asked[i])
      off += (size_t)snprintf(t + off, len - off, "- %s: %s\n", _(scopes[i].title),
                              _(scopes[i].reads));
  return t;
}

/* A yes or a no in either language: y/yes, n/no, and 是/否 (the answer a
 * Chinese reader types). -1 for anything else. */
static int answer(const char *line)
{
  while (*line == ' ' || *line == '\t')
    line++;
  if (line[0] == 'y' || line[0] == 'Y' || !strncmp(line, "\xe6\x98\xaf", 3)) /* 是 */
    return 1;
  if (line[0] == 'n' || line[0] == 'N' || !strncmp(line, "\xe5\x90\xa6", 3)) /* 否 */
    return 0;
  return -1;
}

/* One short question per scope, by its plain name: the full wording was just
 * shown above. */
static int ask(FILE *in, const char *title)
{
  char line[64];
  for (;;) {
    fprintf(stderr, _("Collect \"%s\"? [y/n] "), _(title));
    (void)fflush(stderr);
    if (!fgets(line, sizeof line, in))
      return -1;
    int a = answer(line);
    if (a >= 0)
      return a;
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
  cp_i18n_init();
  out->lang = cp_i18n_lang();
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
        granted = ask(tty_in, scopes[i].title);
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
