/* sim_profile.c: loads one profile folder (PROFILE-FORMAT.md) into a device.
 * A broken profile is a hard error naming the file, so a typo in a shipped
 * profile fails loudly instead of simulating something else. */
#include "sim.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SIM_MAX_FILE (256u * 1024 * 1024)

const char *sim_trust_name(enum sim_trust t)
{
  switch (t) {
  case SIM_TRUST_PAIRED: return "paired";
  case SIM_TRUST_PENDING: return "pending";
  case SIM_TRUST_DENIED: return "denied";
  }
  return "?";
}

static char *path_join(const char *a, const char *b)
{
  size_t n = strlen(a) + strlen(b) + 2;
  char *p = malloc(n);
  if (p)
    snprintf(p, n, "%s/%s", a, b);
  return p;
}

/* Loads a plist file. 1 = loaded, 0 = absent, -1 = error (err filled). */
static int load_plist(const char *path, plist_t *out, plist_type want, char *err, size_t errlen)
{
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) {
    if (errno == ENOENT)
      return 0;
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return -1;
  }
  int rc = -1;
  char *buf = NULL;
  struct stat st;
  if (fstat(fileno(f), &st) != 0 || st.st_size <= 0 || (uint64_t)st.st_size > SIM_MAX_FILE) {
    snprintf(err, errlen, "%s: empty or unreadable plist", path);
    goto out;
  }
  buf = malloc((size_t)st.st_size);
  if (!buf || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
    snprintf(err, errlen, "%s: read failed", path);
    goto out;
  }
  plist_from_memory(buf, (uint32_t)st.st_size, out);
  if (!*out) {
    snprintf(err, errlen, "%s: not a parsable plist", path);
    goto out;
  }
  if (plist_get_node_type(*out) != want) {
    snprintf(err, errlen, "%s: top level is not a%s", path,
             want == PLIST_DICT ? " dict" : "n array");
    plist_free(*out);
    *out = NULL;
    goto out;
  }
  rc = 1;
out:
  free(buf);
  fclose(f);
  return rc;
}

static bool udid_valid(const char *u)
{
  size_t n = strlen(u);
  if (n == 25) {
    for (size_t i = 0; i < n; i++) {
      if (i == 8 ? u[i] != '-' : !isxdigit((unsigned char)u[i]))
        return false;
    }
    return true;
  }
  if (n == 40) {
    for (size_t i = 0; i < n; i++) {
      if (!isxdigit((unsigned char)u[i]))
        return false;
    }
    return true;
  }
  return false;
}

/* Loads every DIR/NAME.plist into dict[NAME]. */
static int load_dir_dicts(const char *dir, plist_t dict, const char *skip, char *err, size_t errlen)
{
  DIR *d = opendir(dir);
  if (!d)
    return 0;
  struct dirent *e;
  int rc = 0;
  while (rc == 0 && (e = readdir(d)) != NULL) {
    size_t n = strlen(e->d_name);
    if (n <= 6 || strcmp(e->d_name + n - 6, ".plist") != 0 || e->d_name[0] == '.')
      continue;
    if (skip && strcmp(e->d_name, skip) == 0)
      continue;
    char *p = path_join(dir, e->d_name);
    plist_t v = NULL;
    if (!p) {
      rc = -1;
      break;
    }
    if (load_plist(p, &v, PLIST_DICT, err, errlen) < 0)
      rc = -1;
    free(p);
    if (v) {
      char stem[256];
      snprintf(stem, sizeof stem, "%.*s", (int)(n - 6), e->d_name);
      plist_dict_set_item(dict, stem, v);
    }
  }
  closedir(d);
  return rc;
}

static int load_device_plist(struct sim_device *dev, plist_t dp, const char *path, char *err,
                             size_t errlen)
{
  const char *udid = sim_pstr(dp, "UDID");
  uint64_t u;
  if (!udid || !udid_valid(udid)) {
    snprintf(err, errlen, "%s: UDID missing or not 25-char dashed / 40-hex", path);
    return -1;
  }
  dev->udid = strdup(udid);
  dev->product_id = sim_puint(dp, "ProductID", &u) ? (uint32_t)u : 0x12A8;
  dev->location_id = sim_puint(dp, "LocationID", &u)
                         ? (uint32_t)u
                         : (uint32_t)(0x14100000u + ((uint32_t)dev->index << 16));
  dev->speed = sim_puint(dp, "ConnectionSpeed", &u) ? u : 480000000u;
  const char *trust = sim_pstr(dp, "Trust");
  if (!trust || strcmp(trust, "paired") == 0) {
    dev->trust = SIM_TRUST_PAIRED;
  } else if (strcmp(trust, "pending") == 0) {
    dev->trust = SIM_TRUST_PENDING;
  } else if (strcmp(trust, "denied") == 0) {
    dev->trust = SIM_TRUST_DENIED;
  } else {
    snprintf(err, errlen, "%s: Trust must be paired, pending or denied, not '%s'", path, trust);
    return -1;
  }
  if (sim_puint(dp, "TrustAfterSeconds", &u))
    dev->trust_after_s = (long)u;
  plist_t n = plist_dict_get_item(dp, "Locked");
  if (n && plist_get_node_type(n) == PLIST_BOOLEAN) {
    uint8_t b = 0;
    plist_get_bool_val(n, &b);
    dev->locked = b;
  }
  n = plist_dict_get_item(dp, "BandwidthMBps");
  if (n && plist_get_node_type(n) == PLIST_REAL) {
    double r = 0;
    plist_get_real_val(n, &r);
    dev->bandwidth = r * 1e6;
  } else if (n && plist_get_node_type(n) == PLIST_UINT) {
    plist_get_uint_val(n, &u);
    dev->bandwidth = (double)u * 1e6;
  }
  if (sim_puint(dp, "LatencyUs", &u))
    dev->latency_us = (long)u;
  n = plist_dict_get_item(dp, "ServiceSSL");
  if (n && plist_get_node_type(n) == PLIST_ARRAY)
    dev->service_ssl = plist_copy(n);
  plist_t f = plist_dict_get_item(dp, "Faults");
  if (f && plist_get_node_type(f) == PLIST_DICT) {
    if (sim_puint(f, "DetachAfterBytes", &u))
      dev->fault_detach_after = u;
    const char *s = sim_pstr(f, "StallService");
    if (s)
      dev->fault_stall = strdup(s);
    s = sim_pstr(f, "MalformedService");
    if (s)
      dev->fault_malformed_service = strdup(s);
    n = plist_dict_get_item(f, "MalformedLockdown");
    if (n && plist_get_node_type(n) == PLIST_BOOLEAN) {
      uint8_t b = 0;
      plist_get_bool_val(n, &b);
      dev->fault_malformed_lockdown = b;
    }
    n = plist_dict_get_item(f, "MalformedMux");
    if (n && plist_get_node_type(n) == PLIST_BOOLEAN) {
      uint8_t b = 0;
      plist_get_bool_val(n, &b);
      dev->fault_malformed_mux = b;
    }
    n = plist_dict_get_item(f, "HostileAFC");
    if (n && plist_get_node_type(n) == PLIST_BOOLEAN) {
      uint8_t b = 0;
      plist_get_bool_val(n, &b);
      dev->fault_hostile_afc = b;
    } else if (n && plist_get_node_type(n) == PLIST_STRING &&
               strcmp(plist_get_string_ptr(n, NULL), "sizes") == 0) {
      dev->fault_hostile_afc = 2;
    }
    n = plist_dict_get_item(f, "RefuseOpen");
    if (n && plist_get_node_type(n) == PLIST_DICT)
      dev->fault_refuse_open = plist_copy(n);
    n = plist_dict_get_item(f, "MalformedTLS");
    if (n && plist_get_node_type(n) == PLIST_BOOLEAN) {
      uint8_t b = 0;
      plist_get_bool_val(n, &b);
      dev->fault_malformed_tls = b;
    }
  }
  return 0;
}

struct sim_device *sim_profile_load(const char *dir, int index, char *err, size_t errlen)
{
  struct sim_device *dev = calloc(1, sizeof *dev);
  plist_t dp = NULL;
  char *p = NULL;
  int ok = 0;
  if (!dev) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  pthread_mutex_init(&dev->lock, NULL);
  pthread_mutex_init(&dev->link_lock, NULL);
  dev->index = index;
  dev->id = (uint32_t)index + 1;
  dev->dir = strdup(dir);
  dev->bandwidth = sim_g.default_bandwidth;
  dev->latency_us = sim_g.default_latency_us;
  dev->attached = true;
  dev->next_port = 49152;
  dev->domains = plist_new_dict();
  dev->ioreg = plist_new_dict();

  p = path_join(dir, "device.plist");
  int r = load_plist(p, &dp, PLIST_DICT, err, errlen);
  if (r == 0)
    snprintf(err, errlen, "%s: missing (every profile needs device.plist)", p);
  if (r <= 0 || load_device_plist(dev, dp, p, err, errlen) != 0)
    goto out;
  free(p);

  p = path_join(dir, "lockdown/global.plist");
  r = load_plist(p, &dev->global, PLIST_DICT, err, errlen);
  if (r == 0)
    snprintf(err, errlen, "%s: missing (the lockdown global domain)", p);
  if (r <= 0)
    goto out;
  const char *gu = sim_pstr(dev->global, "UniqueDeviceID");
  if (!gu || strcmp(gu, dev->udid) != 0) {
    snprintf(err, errlen, "%s: UniqueDeviceID '%s' does not match device.plist UDID '%s'", p,
             gu ? gu : "(missing)", dev->udid);
    goto out;
  }
  const char *pv = sim_pstr(dev->global, "ProductVersion");
  if (!pv) {
    snprintf(err, errlen, "%s: ProductVersion missing (clients need it before pairing)", p);
    goto out;
  }
  free(p);

  p = path_join(dir, "lockdown");
  if (load_dir_dicts(p, dev->domains, "global.plist", err, errlen) != 0)
    goto out;
  free(p);
  p = path_join(dir, "diagnostics/ioreg");
  if (load_dir_dicts(p, dev->ioreg, NULL, err, errlen) != 0)
    goto out;
  free(p);
  p = path_join(dir, "diagnostics/All.plist");
  if (load_plist(p, &dev->diag_all, PLIST_DICT, err, errlen) < 0)
    goto out;
  free(p);
  p = path_join(dir, "diagnostics/mobilegestalt.plist");
  if (load_plist(p, &dev->gestalt, PLIST_DICT, err, errlen) < 0)
    goto out;
  free(p);
  p = path_join(dir, "apps.plist");
  if (load_plist(p, &dev->apps, PLIST_ARRAY, err, errlen) < 0)
    goto out;
  free(p);
  p = path_join(dir, "syslog.txt");
  struct stat st;
  if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
    dev->syslog_path = p;
    p = NULL;
  }
  free(p);
  char *cd = path_join(dir, "crash"), *pd = path_join(dir, "crash_pending");
  dev->root = (cd && pd) ? sim_vfs_load(cd, pd) : NULL;
  free(cd);
  free(pd);
  p = NULL;
  if (!dev->root) {
    snprintf(err, errlen, "%s: could not read the crash/ tree", dir);
    goto out;
  }
  if (sim_sysdiag_load(dev, dir) != 0) {
    snprintf(err, errlen, "%s: could not read the sysdiagnose/ folder", dir);
    goto out;
  }
  if (sim_keys_make(dev, dir) != 0) {
    snprintf(err, errlen, "%s: device_key.pem is not an RSA private key (or key generation failed)",
             dir);
    goto out;
  }
  ok = 1;
out:
  free(p);
  plist_free(dp);
  if (!ok) {
    sim_device_free(dev);
    return NULL;
  }
  return dev;
}

void sim_device_free(struct sim_device *dev)
{
  if (!dev)
    return;
  free(dev->dir);
  free(dev->udid);
  plist_free(dev->global);
  plist_free(dev->domains);
  plist_free(dev->ioreg);
  plist_free(dev->diag_all);
  plist_free(dev->gestalt);
  plist_free(dev->apps);
  plist_free(dev->service_ssl);
  free(dev->syslog_path);
  free(dev->fault_stall);
  if (dev->fault_refuse_open)
    plist_free(dev->fault_refuse_open);
  free(dev->fault_malformed_service);
  EVP_PKEY_free(dev->key);
  free(dev->pubkey_pem);
  SSL_CTX_free(dev->tls);
  for (int i = 0; i < dev->nhosts; i++)
    free(dev->hosts[i]);
  free(dev->device_name);
  free(dev->pair_record);
  for (int i = 0; i < dev->nports; i++)
    free(dev->ports[i].service);
  sim_vfs_free(dev->root);
  pthread_mutex_destroy(&dev->lock);
  pthread_mutex_destroy(&dev->link_lock);
  free(dev);
}
