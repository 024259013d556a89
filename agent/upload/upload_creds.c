/* Where SigV4 credentials come from: a key=value file named with --credentials,
 * else the environment variables every S3 tool reads. A file other users can
 * read is refused, as ssh refuses a private key anyone can read: the secret in
 * it is already exposed, and uploading with it would hide that. */
#include "upload.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int set_field(char *dst, size_t n, const char *v)
{
  size_t l = strlen(v);
  if (l >= n)
    return 0;
  memcpy(dst, v, l + 1);
  return 1;
}

static char *trim(char *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  size_t l = strlen(s);
  while (l > 0 && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\r' || s[l - 1] == '\n'))
    s[--l] = '\0';
  /* A value may be quoted: "..." or '...'. */
  if (l >= 2 && (s[0] == '"' || s[0] == '\'') && s[l - 1] == s[0]) {
    s[l - 1] = '\0';
    s++;
  }
  return s;
}

/* Maps a key of the file to the field it fills; NULL when unknown. */
static char *field_for(cp_upload_creds *c, const char *key, size_t *n)
{
  if (!strncmp(key, "aws_", 4))
    key += 4;
  if (!strcmp(key, "access_key_id")) {
    *n = sizeof c->access_key;
    return c->access_key;
  }
  if (!strcmp(key, "secret_access_key")) {
    *n = sizeof c->secret_key;
    return c->secret_key;
  }
  if (!strcmp(key, "session_token")) {
    *n = sizeof c->session_token;
    return c->session_token;
  }
  if (!strcmp(key, "region")) {
    *n = sizeof c->region;
    return c->region;
  }
  return NULL;
}

static cp_err load_file(const char *file, cp_upload_creds *c, int *group_readable, cp_error *err)
{
  struct stat st;
  if (stat(file, &st) != 0)
    return cp_error_set(err, CP_E_NOT_FOUND, "credentials file %s", file);
#ifndef _WIN32
  if (st.st_mode & S_IROTH)
    return cp_error_set(err, CP_E_AUTH,
                        "the credentials file %s can be read by every user of this computer; "
                        "run 'chmod 600 %s' (and consider the secret exposed)",
                        file, file);
  if (group_readable)
    *group_readable = (st.st_mode & S_IRGRP) != 0;
#endif
  FILE *f = fopen(file, "r");
  if (!f)
    return cp_error_set(err, CP_E_IO, "cannot read the credentials file %s", file);
  cp_err rc = CP_OK;
  char line[8192];
  unsigned lineno = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    if (!strchr(line, '\n') && !feof(f)) {
      rc = cp_error_set(err, CP_E_PARSE, "%s:%u: line too long", file, lineno);
      goto out;
    }
    char *s = trim(line);
    if (*s == '\0' || *s == '#' || *s == ';' || *s == '[')
      continue;
    char *eq = strchr(s, '=');
    if (!eq) {
      rc = cp_error_set(err, CP_E_PARSE, "%s:%u: expected key=value", file, lineno);
      goto out;
    }
    *eq = '\0';
    char *key = trim(s), *val = trim(eq + 1);
    for (char *k = key; *k; k++)
      *k = (char)tolower((unsigned char)*k);
    size_t n = 0;
    char *dst = field_for(c, key, &n);
    if (!dst) {
      /* The key name is not secret; the value is never printed. */
      rc = cp_error_set(err, CP_E_PARSE, "%s:%u: unknown key '%.40s'", file, lineno, key);
      goto out;
    }
    if (!set_field(dst, n, val)) {
      rc = cp_error_set(err, CP_E_PARSE, "%s:%u: value too long", file, lineno);
      goto out;
    }
  }
  if (ferror(f))
    rc = cp_error_set(err, CP_E_IO, "cannot read the credentials file %s", file);
out:
  fclose(f);
  return rc;
}

cp_err cp_upload_load_creds(const char *file, cp_upload_creds *c, int *group_readable,
                            cp_error *err)
{
  memset(c, 0, sizeof *c);
  if (group_readable)
    *group_readable = 0;
  if (file) {
    cp_err rc = load_file(file, c, group_readable, err);
    if (rc != CP_OK) {
      memset(c, 0, sizeof *c);
      return rc;
    }
  } else {
    const char *k = getenv("AWS_ACCESS_KEY_ID"), *s = getenv("AWS_SECRET_ACCESS_KEY"),
               *t = getenv("AWS_SESSION_TOKEN"), *r = getenv("AWS_REGION");
    if (!r || !*r)
      r = getenv("AWS_DEFAULT_REGION");
    if ((k && !set_field(c->access_key, sizeof c->access_key, k)) ||
        (s && !set_field(c->secret_key, sizeof c->secret_key, s)) ||
        (t && !set_field(c->session_token, sizeof c->session_token, t)) ||
        (r && !set_field(c->region, sizeof c->region, r))) {
      memset(c, 0, sizeof *c);
      return cp_error_set(err, CP_E_AUTH, "an AWS_* credential variable is too long");
    }
  }
  if (c->access_key[0] && !c->secret_key[0]) {
    memset(c, 0, sizeof *c);
    return cp_error_set(err, CP_E_AUTH, "an access key id was given without its secret key");
  }
  /* Values go into HTTP headers: a CR or LF would inject a header. */
  const char *fields[] = {c->access_key, c->secret_key, c->session_token, c->region};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    for (const char *p = fields[i]; *p; p++)
      if ((unsigned char)*p < 0x20 || *p == 0x7f) {
        memset(c, 0, sizeof *c);
        return cp_error_set(err, CP_E_AUTH, "a credential contains a control character");
      }
  for (const char *p = c->region; *p; p++)
    if (!isalnum((unsigned char)*p) && *p != '-') {
      memset(c, 0, sizeof *c);
      return cp_error_set(err, CP_E_USAGE, "the region must be letters, digits and '-'");
    }
  if (!c->region[0])
    strcpy(c->region, "us-east-1");
  return CP_OK;
}
