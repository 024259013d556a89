/*
 * caseprobe doctor: "the computer does not see my phone", diagnosed. Walks
 * the chain usbmuxd address -> installed -> running -> answering -> USB bus
 * (Apple devices and their mode) -> per device: lockdown answering, pair
 * record, trust, lock, clock; every link gets a verdict and one sentence of
 * advice. The walk builds a JSON document; cmd_doctor.c prints it.
 */
#ifndef CP_DOCTOR_H
#define CP_DOCTOR_H

#include <jansson.h>

/*
 * Runs the walk. `udid` (may be NULL) limits the device checks to one device.
 * Returns {links: [{link, verdict, label, detail, advice|null, udid?}],
 *          socket, broken: the broken link (the first "problem", but a
 *          phone in Recovery/DFU outranks the others) | null,
 *          exit_code: the cp_err that link stands for (0 when none)}
 * or NULL when out of memory. verdict is "ok", "problem", "warning", "info"
 * or "skipped". Never pairs silently: when there is no pair record it asks
 * the phone (the Trust dialog shows), since that is the next step anyway.
 */
json_t *cp_doctor_run(const char *udid);

#endif
