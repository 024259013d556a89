/*
 * Loading a case request file for `caseprobe assist` and `caseprobe request
 * verify`: reads the file (a regular file, bounded), gathers the trusted
 * organisation keys (the keys folder plus any --trust-key files), verifies
 * (formats/request/case_request.h) and checks every scope name is one this
 * caseprobe knows.
 */
#ifndef CP_REQUEST_LOAD_H
#define CP_REQUEST_LOAD_H

#include "case_request.h"
#include "cp_err.h"

/* keys_dir NULL: cp_org_keys_dir(); trust_keys: NULL-terminated extra key files. */
cp_err cp_request_load_file(const char *path, const char *keys_dir, const char *const *trust_keys,
                            cp_case_request *out, cp_error *err);

#endif
