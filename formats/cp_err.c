/* Names, descriptions and severities of cp_err codes, generated from the one
 * table cp_err.def, so a code cannot exist without them. */
#include "cp_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const cp_err cp_err_all[] = {
#define CP_ERR(id, num, name, sev, desc) id,
#include "cp_err.def"
#undef CP_ERR
};
const size_t cp_err_count = sizeof cp_err_all / sizeof cp_err_all[0];

const char *cp_strerror(cp_err code)
{
  switch (code) {
#define CP_ERR(id, num, name, sev, desc)                                                           \
  case id:                                                                                         \
    return desc;
#include "cp_err.def"
#undef CP_ERR
  }
  return "unknown error";
}

const char *cp_err_name(cp_err code)
{
  switch (code) {
#define CP_ERR(id, num, name, sev, desc)                                                           \
  case id:                                                                                         \
    return name;
#include "cp_err.def"
#undef CP_ERR
  }
  return "unknown";
}

cp_severity cp_err_severity(cp_err code)
{
  switch (code) {
#define CP_ERR(id, num, name, sev, desc)                                                           \
  case id:                                                                                         \
    return CP_SEV_##sev;
#include "cp_err.def"
#undef CP_ERR
  }
  return CP_SEV_RUN;
}

cp_err cp_error_set(cp_error *e, cp_err code, const char *fmt, ...)
{
  if (e) {
    e->code = code;
    e->detail[0] = '\0';
    if (fmt) {
      va_list ap;
      va_start(ap, fmt);
      (void)vsnprintf(e->detail, sizeof e->detail, fmt, ap);
      va_end(ap);
    }
  }
  return code;
}

void cp_error_clear(cp_error *e)
{
  if (e) {
    e->code = CP_OK;
    e->detail[0] = '\0';
  }
}
