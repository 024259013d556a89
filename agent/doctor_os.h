/*
 * The doctor's questions the operating system answers (is usbmuxd installed,
 * is it running, does its socket accept a connection), one branch per OS so
 * agent/doctor.c stays portable. Linux answers all; macOS answers the socket
 * and the process; Windows says "not checked on this OS" where it cannot.
 */
#ifndef CP_DOCTOR_OS_H
#define CP_DOCTOR_OS_H

#include <stddef.h>

/* Where usbmuxd listens: from USBMUXD_SOCKET_ADDRESS ("UNIX:/path" or
 * "HOST:PORT", as libusbmuxd reads it) or the OS default. */
typedef struct cp_mux_addr {
  int from_env;   /* USBMUXD_SOCKET_ADDRESS is set */
  int malformed;  /* ... and libusbmuxd could not use it */
  int is_unix;    /* a unix socket path, else TCP host:port */
  char path[512]; /* unix socket */
  char host[256]; /* TCP */
  int port;
  char text[600]; /* how to name it to a person: "UNIX:/var/run/usbmuxd" */
} cp_mux_addr;

/* Reads the environment (pure parsing; see above). */
void cp_mux_addr_get(cp_mux_addr *a);

typedef enum cp_sock_state {
  CP_SOCK_ACCEPTS,    /* a connection was accepted */
  CP_SOCK_ABSENT,     /* no such socket file */
  CP_SOCK_NOT_SOCKET, /* the path exists but is not a socket */
  CP_SOCK_REFUSED,    /* the socket exists, nobody accepts (stale) */
  CP_SOCK_DENIED,     /* permission denied */
  CP_SOCK_UNKNOWN     /* another failure, or not checked on this OS */
} cp_sock_state;

/* Tries one connection (closed at once); `why` gets the OS's words. */
cp_sock_state cp_doctor_sock_probe(const cp_mux_addr *a, char *why, size_t n);

/* 1 with the program's path in `path` when a usbmuxd program is installed,
 * 0 when not, -1 when this OS cannot tell. */
int cp_doctor_usbmuxd_installed(char *path, size_t n);

/* 1 when a usbmuxd process runs, 0 when not, -1 when this OS cannot tell. */
int cp_doctor_usbmuxd_running(void);

/* 1 on Linux: usbmuxd is started by udev when an Apple device is plugged in
 * (and may stop with the last one), so "not running" is normal then. */
int cp_doctor_usbmuxd_on_demand(void);

#endif
