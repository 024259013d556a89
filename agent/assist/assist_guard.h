/*
 * The checks that keep other processes and web sites from driving the assist
 * page (pure functions, so unit tests reach them without a server):
 *  - the client must be on a loopback address (we listen on no other);
 *  - Host must name the loopback address and our port: a DNS-rebinding page
 *    reaches us under its own name (evil.example:PORT) and is refused;
 *  - every request carries the per-run token (compared in constant time);
 *  - state-changing requests must come from our own origin.
 */
#ifndef CP_ASSIST_GUARD_H
#define CP_ASSIST_GUARD_H

#include <stddef.h>
#include <sys/socket.h>

/* 1 when sa is 127.0.0.0/8, ::1 or ::ffff:127.x.y.z. */
int cp_assist_addr_loopback(const struct sockaddr *sa);

/* 1 when host is "127.0.0.1:PORT", "[::1]:PORT" or "localhost:PORT". */
int cp_assist_host_ok(const char *host, unsigned port);

/* 1 when origin is "http://" + one of the hosts above. */
int cp_assist_origin_ok(const char *origin, unsigned port);

/* 1 when the path is "/TOKEN/..." (or exactly "/TOKEN"); *rest is what follows
 * the token's slash ("" for the page). Constant time in the token's bytes. */
int cp_assist_token_path(const char *path, const char *token, const char **rest);

#endif
