/* See request_load.h. */
#include "request_load.h"

#include "consent.h"
#include "platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

cp_err cp_request_load_file(const char *path, const char *keys_dir, const char *const *trust_keys,
                            cp_case_request *out, cp_error *err)
{
  memset(out, 0, sizeof *out);
  struct stat st;
  if (stat(path, &st) != 0)
    return cp_error_set(err, CP_E_NOT_FOUND, "the case request %s does not exist", path);
  if (!S_ISREG(st.st_mode))
    return cp_error_set(err, CP_E_NOT_REGULAR, "the case request %s is not a regular file", path);
  if ((unsigned long long)st.st_size > CP_REQUEST_MAX_BYTES)
    return cp_error_set(err, CP_E_REQUEST, "the case request %s is too large to be one", path);
  FILE *f = fopen(path, "rb");
  if (!f)
    return cp_error_set(err, CP_E_IO, "cannot read the case request %s", path);
  char *buf = malloc(CP_REQUEST_MAX_BYTES + 1);
  size_t n = buf ? fread(buf, 1, CP_REQUEST_MAX_BYTES + 1, f) : 0;
  int bad = ferror(f);
  fclose(f);
  if (!buf)
    return cp_error_set(err, CP_E_NOMEM, "case request");
  if (bad) {
    free(buf);
    return cp_error_set(err, CP_E_IO, "cannot read the case request %s", path);
  }
  char **keys = cp_list_files(keys_dir ? keys_dir : cp_org_keys_dir(), ".pem");
  size_t nk = 0, nt = 0;
  while (keys && keys[nk])
    nk++;
  while (trust_keys && trust_keys[nt])
    nt++;
  const char **all = calloc(nk + nt + 1, sizeof *all);
  if (!keys || !all) {
    free(buf);
    cp_path_list_free(keys);
    free(all);
    return cp_error_set(err, CP_E_NOMEM, "case request keys");
  }
  for (size_t i = 0; i < nt; i++)
    all[i] = trust_keys[i];
  for (size_t i = 0; i < nk; i++)
    all[nt + i] = keys[i];
  cp_err rc = cp_case_request_load(buf, n, all, time(NULL), out, err);
  free(buf);
  free(all);
  cp_path_list_free(keys);
  if (rc != CP_OK)
    return rc;
  for (size_t i = 0; i < out->nscopes; i++) {
    if (!cp_scope_known(out->scopes[i].scope)) {
      rc = cp_error_set(err, CP_E_REQUEST,
                        "the case request asks for the scope \"%.40s\", which this caseprobe "
                        "does not know",
                        out->scopes[i].scope);
      cp_case_request_free(out);
      return rc;
    }
  }
  return CP_OK;
}
