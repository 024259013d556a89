/* sock_os.h: the few socket calls the device layer makes on a connection's
 * descriptor (poll with a timeout, non-blocking send/recv), behind one header
 * so the POSIX calls stay in sock_os.c and a Windows build can swap in
 * Winsock's (WSAPoll, SOCKET) without touching the protocol code. */
#ifndef CP_SOCK_OS_H
#define CP_SOCK_OS_H

#include <stddef.h>

/* Makes fd non-blocking; 0 on success. */
int cp_sock_nonblock(int fd);

/* Waits until fd can be read (for_write 0) or written (1), at most
 * timeout_ms: 1 ready (or hung up: the next call says which), 0 timed out,
 * -1 failed. Retries EINTR. */
int cp_sock_wait(int fd, int for_write, unsigned timeout_ms);

/* One send / recv on a non-blocking socket: > 0 bytes moved, 0 would block,
 * -1 closed or failed (recv: 0 bytes at the end of the stream is -1 too).
 * A send never raises SIGPIPE. */
long cp_sock_send(int fd, const void *buf, size_t len);
long cp_sock_recv(int fd, void *buf, size_t len);

/* Ends both directions, so a call blocked on fd in another thread returns. */
void cp_sock_shutdown(int fd);

#endif
