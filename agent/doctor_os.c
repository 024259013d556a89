/* OS branches of the doctor's checks (see doctor_os.h). */
#include "doctor_os.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(_WIN32)
#include <dirent.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#endif

void cp_mux_addr_get(cp_mux_addr *a)
{
  memset(a, 0, sizeof *a);
  const char *env = getenv("USBMUXD_SOCKET_ADDRESS");
  if (env && *env) {
    a->from_env = 1;
    (void)snprintf(a->text, sizeof a->text, "%s", env);
    if (!strncmp(env, "UNIX:", 5)) {
      a->is_unix = 1;
      if (!env[5] || strlen(env + 5) >= sizeof a->path)
        a->malformed = 1;
      else
        (void)snprintf(a->path, sizeof a->path, "%s", env + 5);
      return;
    }
    /* HOST:PORT (libusbmuxd splits at the last colon) */
    const char *colon = strrchr(env, ':');
    char *end = NULL;
    long port = colon ? strtol(colon + 1, &end, 10) : 0;
    if (!colon || colon == env || !end || *end || port < 1 || port > 65535 ||
        (size_t)(colon - env) >= sizeof a->host) {
      a->malformed = 1;
      return;
    }
    memcpy(a->host, env, (size_t)(colon - env));
    a->port = (int)port;
    return;
  }
#if defined(_WIN32)
  (void)snprintf(a->host, sizeof a->host, "127.0.0.1");
  a->port = 27015;
  (void)snprintf(a->text, sizeof a->text, "127.0.0.1:27015");
#else
  a->is_unix = 1;
  (void)snprintf(a->path, sizeof a->path, "/var/run/usbmuxd");
  (void)snprintf(a->text, sizeof a->text, "UNIX:/var/run/usbmuxd");
#endif
}

#if !defined(_WIN32)

static cp_sock_state from_errno(int e, char *why, size_t n)
{
  (void)snprintf(why, n, "%s", strerror(e));
  if (e == ENOENT)
    return CP_SOCK_ABSENT;
  if (e == ECONNREFUSED)
    return CP_SOCK_REFUSED;
  if (e == EACCES || e == EPERM)
    return CP_SOCK_DENIED;
  return CP_SOCK_UNKNOWN;
}

cp_sock_state cp_doctor_sock_probe(const cp_mux_addr *a, char *why, size_t n)
{
  why[0] = '\0';
  if (a->malformed)
    return CP_SOCK_UNKNOWN;
  if (a->is_unix) {
    struct stat st;
    if (stat(a->path, &st) != 0)
      return from_errno(errno, why, n);
    if (!S_ISSOCK(st.st_mode)) {
      (void)snprintf(why, n, "not a socket");
      return CP_SOCK_NOT_SOCKET;
    }
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(a->path) >= sizeof sa.sun_path) {
      (void)snprintf(why, n, "path too long for a socket");
      return CP_SOCK_UNKNOWN;
    }
    memcpy(sa.sun_path, a->path, strlen(a->path));
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
      return from_errno(errno, why, n);
    int r = connect(fd, (struct sockaddr *)&sa, sizeof sa);
    int e = errno;
    close(fd);
    return r == 0 ? CP_SOCK_ACCEPTS : from_errno(e, why, n);
  }
  char port[16];
  (void)snprintf(port, sizeof port, "%d", a->port);
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_socktype = SOCK_STREAM;
  int g = getaddrinfo(a->host, port, &hints, &res);
  if (g != 0) {
    (void)snprintf(why, n, "%s", gai_strerror(g));
    return CP_SOCK_UNKNOWN;
  }
  cp_sock_state st = CP_SOCK_UNKNOWN;
  for (struct addrinfo *p = res; p; p = p->ai_next) {
    int fd = socket(p->ai_family, p->ai_socktype, p->ai_protocol);
    if (fd < 0)
      continue;
    int r = connect(fd, p->ai_addr, p->ai_addrlen);
    int e = errno;
    close(fd);
    if (r == 0) {
      st = CP_SOCK_ACCEPTS;
      break;
    }
    st = from_errno(e, why, n);
  }
  freeaddrinfo(res);
  return st;
}

#else

cp_sock_state cp_doctor_sock_probe(const cp_mux_addr *a, char *why, size_t n)
{
  (void)a;
  (void)snprintf(why, n, "not checked on this OS");
  return CP_SOCK_UNKNOWN;
}

#endif

#if defined(__linux__) || defined(__APPLE__)

int cp_doctor_usbmuxd_installed(char *path, size_t n)
{
  static const char *const where[] = {"/usr/sbin/usbmuxd",
                                      "/usr/bin/usbmuxd",
                                      "/usr/local/sbin/usbmuxd",
                                      "/usr/local/bin/usbmuxd",
                                      "/usr/libexec/usbmuxd",
                                      "/System/Library/PrivateFrameworks/MobileDevice.framework/"
                                      "Resources/usbmuxd"};
  for (size_t i = 0; i < sizeof where / sizeof where[0]; i++)
    if (access(where[i], X_OK) == 0) {
      (void)snprintf(path, n, "%s", where[i]);
      return 1;
    }
  return 0;
}

#else

int cp_doctor_usbmuxd_installed(char *path, size_t n)
{
  (void)snprintf(path, n, "not checked on this OS");
  return -1;
}

#endif

#if defined(__linux__)

int cp_doctor_usbmuxd_running(void)
{
  DIR *d = opendir("/proc");
  if (!d)
    return -1;
  int found = 0;
  struct dirent *e;
  while (!found && (e = readdir(d))) {
    if (!isdigit((unsigned char)e->d_name[0]))
      continue;
    char p[300], comm[64] = "";
    (void)snprintf(p, sizeof p, "/proc/%s/comm", e->d_name);
    FILE *f = fopen(p, "r");
    if (!f)
      continue;
    if (fgets(comm, sizeof comm, f) && !strncmp(comm, "usbmuxd", 7) &&
        (comm[7] == '\n' || comm[7] == '\0'))
      found = 1;
    fclose(f);
  }
  closedir(d);
  return found;
}

int cp_doctor_usbmuxd_on_demand(void)
{
  return 1;
}

#else

/* macOS keeps usbmuxd running under launchd; Windows runs Apple Mobile
 * Device Service. Neither is looked up yet: the socket check says enough. */
int cp_doctor_usbmuxd_running(void)
{
  return -1;
}

int cp_doctor_usbmuxd_on_demand(void)
{
  return 0;
}

#endif
