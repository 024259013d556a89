/* libFuzzer target for the station policy parser: any bytes must parse or be
 * refused with CP_E_POLICY (never a crash, leak or other code), and a policy
 * that parses has its required fields. */
#include "policy.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  cp_policy *p = NULL;
  cp_error e;
  cp_error_clear(&e);
  cp_err rc = cp_policy_parse((const char *)data, size, "fuzz", &p, &e);
  if (rc == CP_OK) {
    if (!p || !p->scopes || !p->scopes[0] || !p->consent_text || !p->case_template)
      abort();
    cp_policy_free(p);
  } else if ((rc != CP_E_POLICY && rc != CP_E_NOMEM) || p) {
    abort();
  }
  return 0;
}
