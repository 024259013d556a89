/*
 * One made-up device's identifiers, as collect passes them from lockdown,
 * shared by the tools that redact text with them and must agree on the
 * result: redact_dump (tests/e2e/test_redact_engines.sh compares its output
 * between the two scan engines and against the canary) and bench_redact.
 * Two device names: a typographic apostrophe, and a CJK one, the worst case
 * for encoded spellings (issue 14).
 */
#ifndef CP_SAMPLE_DEVICE_IDS_H
#define CP_SAMPLE_DEVICE_IDS_H

#include "redact.h"

static const cp_redact_id cp_sample_device_ids[] = {
    {"serial", "DNPT1P8EHG74"},
    {"udid", "00008020-001D65163CE1002E"},
    {"ecid", "1707430441053478"},
    {"imei", "355341083159771"},
    {"iccid", "89860321945128778023"},
    {"imsi", "460115142016109"},
    {"phone", "+86 138 1234 5678"},
    {"wifi_mac", "14:bd:61:9d:3d:00"},
    {"bt_mac", "14:bd:61:9d:3d:01"},
    {"device_name", "Zo\xc3\xab Li\xe2\x80\x99s iPhone"},
    {"device_name", "\xe5\xbc\xa0\xe5\xb0\x8f\xe6\x98\x8e\xe7\x9a\x84iPhone"},
    {"meid", "35534108315977"},
};
#define CP_SAMPLE_DEVICE_IDS_N (sizeof(cp_sample_device_ids) / sizeof(cp_sample_device_ids[0]))

#endif
