/* sock_os.c: POSIX sockets for sock_os.h (a Winsock branch keeps a Windows
 * build of the device layer possible: WSAPoll, recv/send on a SOCKET). */
#include "sock_os.h"

#include <errno.h>

#if defined(_WIN32)
#include <winsock2.h>

int cp_sock_nonblock(int fd)
{
  u_long on = 1;
  return ioctlsocket((SOCKET)fd, FIONBIO, &on) == 0 ? 0 : -1;
}

int cp_sock_wait(int fd, int for_write, unsigned timeout_ms)
{
  WSAPOLLFD p = {(SOCKET)fd, for_write ? POLLOUT : POLLIN, 0};
  int r = WSAPoll(&p, 1, (INT)timeout_ms);
  return r > 0 ? 1 : r == 0 ? 0 : -1;
}

long cp_sock_send(int fd, const void *buf, size_t len)
{
  int part = len > (1u << 30) ? (1 << 30) : (int)len;
  int r = send((SOCKET)fd, buf, part, 0);
  if (r == SOCKET_ERROR)
    return WSAGetLastError() == WSAEWOULDBLOCK ? 0 : -1;
  return r;
}

long cp_sock_recv(int fd, void *buf, size_t len)
{
  int part = len > (1u << 30) ? (1 << 30) : (int)len;
  int r = recv((SOCKET)fd, buf, part, 0);
  if (r == SOCKET_ERROR)
    return WSAGetLastError() == WSAEWOULDBLOCK ? 0 : -1;
  return r > 0 ? r : -1;
}

void cp_sock_shutdown(int fd)
{
  (void)shutdown((SOCKET)fd, SD_BOTH);
}

#else
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS: the agent ignores SIGPIPE process-wide */
#endif

int cp_sock_nonblock(int fd)
{
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0)
    return -1;
  return (fl & O_NONBLOCK) || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0 ? 0 : -1;
}

int cp_sock_wait(int fd, int for_write, unsigned timeout_ms)
{
  struct pollfd p = {fd, (short)(for_write ? POLLOUT : POLLIN), 0};
  int ms = timeout_ms > 0x7fffffffu ? 0x7fffffff : (int)timeout_ms;
  for (;;) {
    int r = poll(&p, 1, ms);
    if (r < 0 && errno == EINTR)
      continue; /* a signal: waiting a little longer than asked is fine */
    return r > 0 ? 1 : r == 0 ? 0 : -1;
  }
}

long cp_sock_send(int fd, const void *buf, size_t len)
{
  for (;;) {
    ssize_t r = send(fd, buf, len, MSG_NOSIGNAL);
    if (r >= 0)
      return (long)r;
    if (errno == EINTR)
      continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
  }
}

long cp_sock_recv(int fd, void *buf, size_t len)
{
  for (;;) {
    ssize_t r = recv(fd, buf, len, 0);
    if (r > 0)
      return (long)r;
    if (r == 0)
      return -1;
    if (errno == EINTR)
      continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
  }
}

void cp_sock_shutdown(int fd)
{
  (void)shutdown(fd, SHUT_RDWR);
}
#endif
