/* See build_info.h. Each library is asked for its own version string, so
 * the figures are those of the shared objects loaded, not of the headers. */
#include "build_info.h"

#include "cp_version.h"

#include <archive.h>
#ifndef CP_NO_DEVICE
#include <curl/curl.h>
#endif
#include "redact.h"

#include <openssl/crypto.h>
#include <string.h>
#include <zlib.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#ifndef CP_GIT_REV
#define CP_GIT_REV "unknown"
#endif
#ifndef CP_IMOBILEDEVICE_VERSION
#define CP_IMOBILEDEVICE_VERSION "unknown"
#endif
#ifndef CP_PLIST_VERSION
#define CP_PLIST_VERSION "unknown"
#endif
#ifndef CP_USBMUXD_VERSION
#define CP_USBMUXD_VERSION "unknown"
#endif

/* "libarchive 3.6.2 zlib/..." -> "3.6.2"; strings without the name prefix pass. */
static const char *after_name(const char *s, const char *name)
{
  size_t n = strlen(name);
  if (s && !strncmp(s, name, n) && s[n] == ' ')
    return s + n + 1;
  return s ? s : "unknown";
}

json_t *cp_build_info(void)
{
  char pcre[64] = "unknown";
  if (pcre2_config(PCRE2_CONFIG_VERSION, NULL) > 0 &&
      (size_t)pcre2_config(PCRE2_CONFIG_VERSION, NULL) <= sizeof pcre)
    (void)pcre2_config(PCRE2_CONFIG_VERSION, pcre);
  /* A build without the device side (-DCP_DEVICE=OFF, Windows) links no
   * libimobiledevice, libusbmuxd, libcurl or Vectorscan: their keys are absent. */
  json_t *libs =
      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "libplist", CP_PLIST_VERSION " (built against)",
                "openssl", after_name(OpenSSL_version(OPENSSL_VERSION), "OpenSSL"), "libarchive",
                after_name(archive_version_string(), "libarchive"), "pcre2", pcre, "jansson",
                jansson_version_str(), "zlib", zlibVersion());
#ifndef CP_NO_DEVICE
  const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
  if (libs && (json_object_set_new(libs, "libimobiledevice",
                                   json_string(CP_IMOBILEDEVICE_VERSION " (built against)")) ||
               json_object_set_new(libs, "libusbmuxd",
                                   json_string(CP_USBMUXD_VERSION " (built against)")) ||
               json_object_set_new(libs, "libcurl",
                                   json_string(cv && cv->version ? cv->version : "unknown")))) {
    json_decref(libs);
    return NULL;
  }
#endif
  /* The redactor's engine: "vectorscan 5.4.9", or "pcre2 10.42" where it
   * runs on PCRE2 alone (formats/redact/README.md). */
  const char *eng = cp_redact_engine();
  if (libs && !strncmp(eng, "vectorscan ", 11) &&
      json_object_set_new(libs, "vectorscan", json_string(eng + 11))) {
    json_decref(libs);
    return NULL;
  }
  if (libs && json_object_set_new(libs, "redactor", json_string(eng))) {
    json_decref(libs);
    return NULL;
  }
  if (!libs)
    return NULL;
  return json_pack("{s:s, s:s, s:i, s:o}", "version", CP_VERSION, "git", CP_GIT_REV,
                   "bundle_format", CP_BUNDLE_FORMAT_VERSION, "libraries", libs);
}

int cp_build_info_print(FILE *out)
{
  json_t *info = cp_build_info();
  if (!info)
    return -1;
  fprintf(out, "caseprobe %s (git %s, bundle format %d)\n", CP_VERSION, CP_GIT_REV,
          CP_BUNDLE_FORMAT_VERSION);
  const char *name;
  json_t *v;
  json_object_foreach(json_object_get(info, "libraries"), name, v)
      fprintf(out, "  %-17s %s\n", name, json_string_value(v));
  json_decref(info);
  return 0;
}
