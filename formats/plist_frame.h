/*
 * The framing of lockdown and of the services that speak like it
 * (diagnostics_relay, installation_proxy...): a 4-byte big-endian length,
 * then an XML or binary plist. Pure bytes, no I/O: the device layer
 * (probes/lockdown.c, probes/diag.c) sends and receives, this builds a
 * frame and reads one back, so the rules (bounds, a dict or nothing) are
 * written once.
 */
#ifndef CP_PLIST_FRAME_H
#define CP_PLIST_FRAME_H

#include <plist/plist.h>
#include <stddef.h>
#include <stdint.h>

/* The frame of p as XML: 4 length bytes, then the plist; malloc'd, *len
 * gets its size. NULL when out of memory or when the plist is empty or
 * larger than max bytes. */
unsigned char *cp_plist_frame(plist_t p, uint32_t max, size_t *len);

/* The body length a frame's first 4 bytes announce. */
uint32_t cp_plist_frame_len(const unsigned char h[4]);

/* The body as a dict (plist_free), or NULL when it is not a plist or not a dict. */
plist_t cp_plist_frame_dict(const char *body, uint32_t len);

#endif
