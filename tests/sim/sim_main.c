/* sim_main.c: caseprobe-sim's command line, sockets and lifetime. One thread
 * per accepted connection; the main thread only polls the two listening
 * sockets and a self-pipe fed by the signal handlers (SIGTERM/SIGINT end,
 * SIGUSR1 detaches all devices, SIGUSR2 re-attaches them). */
#include "sim.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct sim_globals sim_g;
void sim_mux_records_free(void);
void sim_mux_host_warm(void);

static int sig_pipe[2] = {-1, -1};
static pthread_mutex_t threads_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t threads_cond = PTHREAD_COND_INITIALIZER;
static int nthreads;

static void usage(FILE *out)
{
  fprintf(out,
          "Usage: caseprobe-sim --socket PATH [--bandwidth MBPS] [--latency-us N] PROFILE_DIR...\n"
          "       caseprobe-sim --ctl PATH COMMAND [ARG]\n"
          "\n"
          "Plays usbmuxd on the unix socket PATH (point clients at it with\n"
          "USBMUXD_SOCKET_ADDRESS=UNIX:PATH) with one simulated iPhone/iPad per profile\n"
          "folder behind it (format: tests/sim/README.md). Prints 'ready' on stdout once the\n"
          "socket accepts connections; runs until SIGTERM or SIGINT. Profiles are never\n"
          "written: removals, crash moves, pair records and renames live in memory.\n"
          "\n"
          "Options:\n"
          "  --socket PATH       usbmuxd socket to create (a stale socket there is replaced);\n"
          "                      the control socket is PATH.ctl\n"
          "  --bandwidth MBPS    link rate per device in MB/s (10^6 bytes), shared by all of\n"
          "                      a device's connections; 0 = unlimited (default 40, USB 2)\n"
          "  --latency-us N      delay before each device-side reply, in microseconds\n"
          "                      (default 200); device.plist BandwidthMBps/LatencyUs override\n"
          "  --ctl PATH CMD [ARG] send one control command to the simulator on PATH and print\n"
          "                      its reply; exit 0 on 'ok', 1 on 'error'\n"
          "  -h, --help          this text\n"
          "\n"
          "Control commands (PATH.ctl, one line each, reply 'ok ...' or 'error ...'):\n"
          "  detach UDID|all     pull the cable: connections cut, Detached event sent\n"
          "  attach UDID|all     plug it back: Attached event sent\n"
          "  trust UDID          simulated tap on Trust (pending -> paired)\n"
          "  deny UDID           simulated tap on Don't Trust (-> denied)\n"
          "  lock UDID           passcode-lock: Pair and StartService answer PasswordProtected\n"
          "  unlock UDID         clear the lock\n"
          "  status              one line per device: UDID attached|detached\n"
          "                      paired|pending|denied locked|unlocked, then 'ok N device(s)'\n"
          "Signals: SIGUSR1 detaches every device, SIGUSR2 re-attaches them.\n"
          "\n"
          "Per-device knobs (device.plist): Trust paired|pending|denied, TrustAfterSeconds,\n"
          "Locked, BandwidthMBps, LatencyUs, ServiceSSL [names], Faults {DetachAfterBytes,\n"
          "StallService, MalformedService, MalformedLockdown, MalformedMux,\n"
          "MalformedTLS, HostileAFC, RefuseOpen}.\n"
          "Exit status: 0 after SIGTERM/SIGINT, 2 on bad arguments or a broken profile,\n"
          "1 if the sockets cannot be created.\n");
}

static void on_signal(int sig)
{
  char c = sig == SIGUSR1 ? '1' : sig == SIGUSR2 ? '2' : 'T';
  int saved = errno;
  if (write(sig_pipe[1], &c, 1) < 0) {
  }
  errno = saved;
}

static void thread_done(void)
{
  pthread_mutex_lock(&threads_lock);
  nthreads--;
  pthread_cond_broadcast(&threads_cond);
  pthread_mutex_unlock(&threads_lock);
}

static void *mux_thread(void *arg)
{
  struct sim_conn *c = arg;
  sim_mux_serve(c);
  sim_conn_free(c);
  thread_done();
  return NULL;
}

static void *ctl_thread(void *arg)
{
  struct sim_conn *c = arg;
  char line[256];
  size_t n = 0;
  for (;;) {
    char ch;
    if (sim_recv_all(c, &ch, 1) != 0)
      break;
    if (ch != '\n' && n < sizeof line - 1) {
      line[n++] = ch;
      continue;
    }
    if (ch != '\n')
      continue;
    line[n] = '\0';
    n = 0;
    char *reply = NULL;
    sim_ctl_handle_line(line, &reply);
    const char *r = reply ? reply : "error out of memory";
    int rc = sim_send_raw(c, r, strlen(r));
    if (rc == 0)
      rc = sim_send_raw(c, "\n", 1);
    free(reply);
    if (rc != 0)
      break;
  }
  sim_conn_free(c);
  thread_done();
  return NULL;
}

/* Identity of the socket files we made, so exit only removes our own (a
 * successor started on the same path must not lose its socket). */
struct sock_id {
  dev_t dev;
  ino_t ino;
};

static void unlink_own(const char *path, const struct sock_id *id)
{
  struct stat st;
  if (lstat(path, &st) == 0 && st.st_dev == id->dev && st.st_ino == id->ino)
    unlink(path);
}

static int listen_unix(const char *path, struct sock_id *id)
{
  struct sockaddr_un sa;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  if (strlen(path) >= sizeof sa.sun_path) {
    fprintf(stderr, "caseprobe-sim: socket path too long: %s\n", path);
    return -1;
  }
  strcpy(sa.sun_path, path);
  struct stat st;
  if (lstat(path, &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      fprintf(stderr, "caseprobe-sim: %s exists and is not a socket\n", path);
      return -1;
    }
    unlink(path);
  }
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 64) != 0) {
    fprintf(stderr, "caseprobe-sim: cannot listen on %s: %s\n", path, strerror(errno));
    if (fd >= 0)
      close(fd);
    return -1;
  }
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  if (lstat(path, &st) == 0) {
    id->dev = st.st_dev;
    id->ino = st.st_ino;
  }
  return fd;
}

static void accept_one(int lfd, void *(*fn)(void *))
{
  int fd = accept(lfd, NULL, NULL);
  if (fd < 0)
    return;
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  struct sim_conn *c = sim_conn_new(fd);
  if (!c) {
    close(fd);
    return;
  }
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_mutex_lock(&threads_lock);
  nthreads++;
  pthread_mutex_unlock(&threads_lock);
  if (pthread_create(&t, &attr, fn, c) != 0) {
    sim_conn_free(c);
    thread_done();
  }
  pthread_attr_destroy(&attr);
}

static bool parse_num(const char *s, double *out)
{
  char *end = NULL;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || *end || v < 0)
    return false;
  *out = v;
  return true;
}

int main(int argc, char **argv)
{
  const char *sock = NULL;
  const char *profiles[SIM_MAX_DEVICES];
  int nprof = 0, rc = 2, lfd = -1, cfd = -1;
  char *ctl_path = NULL;
  struct sock_id lid = {0, 0}, cid = {0, 0};
  double v;
  sim_g.default_bandwidth = 40e6;
  sim_g.default_latency_us = 200;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      usage(stdout);
      return 0;
    } else if (strcmp(a, "--ctl") == 0 && i + 2 < argc) {
      return sim_ctl_client(argv[i + 1], argc - i - 2, argv + i + 2);
    } else if (strcmp(a, "--socket") == 0 && i + 1 < argc) {
      sock = argv[++i];
    } else if (strcmp(a, "--bandwidth") == 0 && i + 1 < argc && parse_num(argv[i + 1], &v)) {
      sim_g.default_bandwidth = v * 1e6;
      i++;
    } else if (strcmp(a, "--latency-us") == 0 && i + 1 < argc && parse_num(argv[i + 1], &v)) {
      sim_g.default_latency_us = (long)v;
      i++;
    } else if (a[0] == '-') {
      fprintf(stderr, "caseprobe-sim: bad option or missing value: %s\n", a);
      usage(stderr);
      return 2;
    } else if (nprof < SIM_MAX_DEVICES) {
      profiles[nprof++] = a;
    } else {
      fprintf(stderr, "caseprobe-sim: at most %d profiles\n", SIM_MAX_DEVICES);
      return 2;
    }
  }
  if (!sock || nprof == 0) {
    usage(stderr);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  sim_new_uuid(sim_g.buid, sizeof sim_g.buid);
  for (int i = 0; i < nprof; i++) {
    char err[1024] = "";
    struct sim_device *dev = sim_profile_load(profiles[i], i, err, sizeof err);
    if (!dev) {
      fprintf(stderr, "caseprobe-sim: broken profile: %s\n", err);
      goto out;
    }
    if (sim_find_device(dev->udid)) {
      fprintf(stderr, "caseprobe-sim: broken profile: %s/device.plist: UDID %s used twice\n",
              profiles[i], dev->udid);
      sim_device_free(dev);
      goto out;
    }
    sim_g.devs[sim_g.ndevs++] = dev;
    sim_log(dev, "loaded %s (%s, iOS %s, trust %s%s)", profiles[i],
            sim_pstr(dev->global, "ProductType") ? sim_pstr(dev->global, "ProductType") : "?",
            sim_pstr(dev->global, "ProductVersion"), sim_trust_name(dev->trust),
            dev->locked ? ", locked" : "");
  }
  rc = 1;
  if (pipe(sig_pipe) != 0)
    goto out;
  size_t cl = strlen(sock) + 5;
  ctl_path = malloc(cl);
  if (!ctl_path)
    goto out;
  snprintf(ctl_path, cl, "%s.ctl", sock);
  lfd = listen_unix(sock, &lid);
  cfd = lfd >= 0 ? listen_unix(ctl_path, &cid) : -1;
  if (cfd < 0)
    goto out;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGUSR1, &sa, NULL);
  sigaction(SIGUSR2, &sa, NULL);
  sim_mux_host_warm();
  printf("ready\n");
  fflush(stdout);
  sim_log(NULL, "usbmuxd on %s, control on %s, BUID %s", sock, ctl_path, sim_g.buid);
  for (;;) {
    struct pollfd pf[3] = {{lfd, POLLIN, 0}, {cfd, POLLIN, 0}, {sig_pipe[0], POLLIN, 0}};
    if (poll(pf, 3, -1) < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    if (pf[2].revents & POLLIN) {
      char c = 0;
      if (read(sig_pipe[0], &c, 1) == 1) {
        if (c == 'T')
          break;
        for (int i = 0; i < sim_g.ndevs; i++) {
          if (c == '1')
            sim_device_detach(sim_g.devs[i], "SIGUSR1");
          else
            sim_device_attach(sim_g.devs[i]);
        }
      }
    }
    if (pf[0].revents & POLLIN)
      accept_one(lfd, mux_thread);
    if (pf[1].revents & POLLIN)
      accept_one(cfd, ctl_thread);
  }
  sim_log(NULL, "exiting");
  rc = 0;
out:
  if (lfd >= 0) {
    close(lfd);
    unlink_own(sock, &lid);
  }
  if (cfd >= 0) {
    close(cfd);
    unlink_own(ctl_path, &cid);
  }
  /* cut every connection and give their threads a moment to finish, so
   * the sanitizer build sees no leaks from threads killed mid-request */
  sim_conns_cut(NULL);
  pthread_mutex_lock(&threads_lock);
  double deadline = sim_now() + 3.0;
  while (nthreads > 0 && sim_now() < deadline) {
    pthread_mutex_unlock(&threads_lock);
    sim_sleep(0.01);
    sim_conns_cut(NULL);
    pthread_mutex_lock(&threads_lock);
  }
  int left = nthreads;
  pthread_mutex_unlock(&threads_lock);
  if (left == 0) {
    for (int i = 0; i < sim_g.ndevs; i++)
      sim_device_free(sim_g.devs[i]);
    sim_mux_records_free();
  }
  free(ctl_path);
  return rc;
}
