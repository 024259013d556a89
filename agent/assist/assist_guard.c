/* See assist_guard.h. */
#include "assist_guard.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

int cp_assist_addr_loopback(const struct sockaddr *sa)
{
  if (!sa)
    return 0;
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
    return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
  }
  if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
    static const unsigned char lo[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    const unsigned char *a = in6->sin6_addr.s6_addr;
    return !memcmp(a, lo, 16) || (!memcmp(a, mapped, 12) && a[12] == 127);
  }
  return 0;
}

int cp_assist_host_ok(const char *host, unsigned port)
{
  if (!host)
    return 0;
  static const char *const names[] = {"127.0.0.1", "[::1]", "localhost"};
  char want[64];
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    snprintf(want, sizeof want, "%s:%u", names[i], port);
    if (!strcmp(host, want))
      return 1;
  }
  return 0;
}

int cp_assist_origin_ok(const char *origin, unsigned port)
{
  return origin && !strncmp(origin, "http://", 7) && cp_assist_host_ok(origin + 7, port);
}

int cp_assist_token_path(const char *path, const char *token, const char **rest)
{
  size_t n = strlen(token);
  if (!path || path[0] != '/' || n == 0)
    return 0;
  unsigned char diff = 0;
  size_t i;
  for (i = 0; i < n; i++) {
    if (!path[1 + i]) { /* shorter than the token */
      diff = 1;
      break;
    }
    diff |= (unsigned char)(path[1 + i] ^ token[i]);
  }
  if (diff || i != n)
    return 0;
  const char *after = path + 1 + n;
  if (*after == 0) {
    *rest = after;
    return 1;
  }
  if (*after != '/')
    return 0;
  *rest = after + 1;
  return 1;
}
