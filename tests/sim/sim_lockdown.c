/* sim_lockdown.c: lockdownd on device port 62078. Plist framing, an
 * optional TLS session (the device is the server), the trust state machine
 * (pending -> accept | deny, plus the locked flag) and the service port
 * registry that outlives the lockdown connection. */
#include "sim.h"

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Global-domain keys a device answers before a session (as a real device answers them without a session). */
static const char *const sessionless[] = {"UniqueDeviceID",
                                          "DeviceName",
                                          "DeviceClass",
                                          "ProductType",
                                          "ProductVersion",
                                          "BuildVersion",
                                          "ProductName",
                                          "ProtocolVersion",
                                          "DevicePublicKey",
                                          "WiFiAddress",
                                          "HardwareModel",
                                          "CPUArchitecture",
                                          "UniqueChipID",
                                          "ChipID",
                                          "BoardId",
                                          "TimeZone",
                                          "TimeIntervalSince1970",
                                          "TimeZoneOffsetFromUTC",
                                          "Uses24HourClock",
                                          "FirmwareVersion",
                                          NULL};

static const char *const services[] = {"com.apple.crashreportcopymobile",
                                       "com.apple.crashreportmover",
                                       "com.apple.syslog_relay",
                                       "com.apple.mobile.diagnostics_relay",
                                       "com.apple.mobile.installation_proxy",
                                       NULL};

static bool in_list(const char *const *list, const char *s)
{
  for (; *list; list++) {
    if (strcmp(*list, s) == 0)
      return true;
  }
  return false;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A copy of `dict` with keys sorted (real devices answer sorted), keeping
 * only session-less keys when `subset`. */
static plist_t sorted_copy(plist_t dict, bool subset)
{
  plist_t out = plist_new_dict();
  uint32_t n = plist_dict_get_size(dict);
  char **keys = calloc(n ? n : 1, sizeof *keys);
  uint32_t k = 0;
  plist_dict_iter it = NULL;
  if (!keys)
    return out;
  plist_dict_new_iter(dict, &it);
  while (it && k < n) {
    char *key = NULL;
    plist_t v = NULL;
    plist_dict_next_item(dict, it, &key, &v);
    if (!key)
      break;
    keys[k++] = key;
  }
  free(it);
  qsort(keys, k, sizeof *keys, cmp_str);
  for (uint32_t i = 0; i < k; i++) {
    if (!subset || in_list(sessionless, keys[i]))
      plist_dict_set_item(out, keys[i], plist_copy(plist_dict_get_item(dict, keys[i])));
    free(keys[i]);
  }
  free(keys);
  return out;
}

/* The global domain as the device would answer it: the profile's keys plus
 * what the simulator owns (key pair, renamed device, clock). */
static plist_t global_view(struct sim_device *dev, bool session)
{
  plist_t g = plist_copy(dev->global);
  plist_dict_set_item(g, "DevicePublicKey", plist_new_data(dev->pubkey_pem, dev->pubkey_pem_len));
  if (!plist_dict_get_item(g, "ProtocolVersion"))
    plist_dict_set_item(g, "ProtocolVersion", plist_new_string("2"));
  if (!plist_dict_get_item(g, "TimeIntervalSince1970")) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    plist_dict_set_item(g, "TimeIntervalSince1970",
                        plist_new_real((double)ts.tv_sec + (double)ts.tv_nsec / 1e9));
  }
  pthread_mutex_lock(&dev->lock);
  if (dev->device_name)
    plist_dict_set_item(g, "DeviceName", plist_new_string(dev->device_name));
  pthread_mutex_unlock(&dev->lock);
  plist_t out = sorted_copy(g, !session);
  plist_free(g);
  return out;
}

/* GetValue. Returns the value or NULL with *err set to the Error string. */
static plist_t get_value(struct sim_device *dev, const char *domain, const char *key, bool session,
                         const char **err)
{
  *err = NULL;
  if (!domain) {
    plist_t view = global_view(dev, session);
    plist_t v = NULL;
    if (!key)
      return view;
    plist_t n = plist_dict_get_item(view, key);
    if (n) {
      v = plist_copy(n);
    } else if (!session && plist_dict_get_item(dev->global, key)) {
      *err = "GetProhibited";
    } else {
      *err = "MissingValue";
    }
    plist_free(view);
    return v;
  }
  if (!session) {
    *err = "GetProhibited";
    return NULL;
  }
  plist_t d = plist_dict_get_item(dev->domains, domain);
  if (!d) {
    *err = "MissingValue";
    return NULL;
  }
  if (!key)
    return sorted_copy(d, false);
  plist_t n = plist_dict_get_item(d, key);
  if (!n) {
    *err = "MissingValue";
    return NULL;
  }
  return plist_copy(n);
}

static X509 *pem_cert(plist_t rec, const char *key)
{
  plist_t n = plist_dict_get_item(rec, key);
  if (!n || plist_get_node_type(n) != PLIST_DATA)
    return NULL;
  uint64_t len = 0;
  const char *p = plist_get_data_ptr(n, &len);
  if (!p || len == 0 || len > 65536)
    return NULL;
  BIO *b = BIO_new_mem_buf(p, (int)len);
  X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
  BIO_free(b);
  return x;
}

/* The host's pairing must be real: three parsable certificates, the device
 * certificate carrying *our* public key, and host + device certificates
 * signed by the root. NULL = fine, else the reason. */
static const char *check_pair_record(struct sim_device *dev, plist_t rec)
{
  const char *why = NULL;
  X509 *root = NULL, *host = NULL, *devc = NULL;
  if (!rec || plist_get_node_type(rec) != PLIST_DICT)
    return "no PairRecord";
  const char *hid = sim_pstr(rec, "HostID");
  if (!hid || !*hid)
    return "no HostID";
  root = pem_cert(rec, "RootCertificate");
  host = pem_cert(rec, "HostCertificate");
  devc = pem_cert(rec, "DeviceCertificate");
  if (!root || !host || !devc) {
    why = "a certificate is missing or not PEM";
    goto out;
  }
  EVP_PKEY *rootkey = X509_get0_pubkey(root);
  EVP_PKEY *devkey = X509_get0_pubkey(devc);
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  int same = devkey ? EVP_PKEY_eq(devkey, dev->key) : 0;
#else
  int same = devkey ? EVP_PKEY_cmp(devkey, dev->key) : 0;
#endif
  if (same != 1) {
    why = "DeviceCertificate does not carry DevicePublicKey";
  } else if (!rootkey || X509_verify(devc, rootkey) != 1) {
    why = "DeviceCertificate not signed by RootCertificate";
  } else if (X509_verify(host, rootkey) != 1) {
    why = "HostCertificate not signed by RootCertificate";
  }
out:
  X509_free(root);
  X509_free(host);
  X509_free(devc);
  return why;
}

static bool host_known(struct sim_device *dev, const char *hid)
{
  bool known = false;
  pthread_mutex_lock(&dev->lock);
  for (int i = 0; hid && i < dev->nhosts; i++)
    known = known || strcmp(dev->hosts[i], hid) == 0;
  pthread_mutex_unlock(&dev->lock);
  return known;
}

/* Pair: certificate checks, then the locked flag, then the trust dialog. */
static const char *do_pair(struct sim_device *dev, plist_t req, plist_t resp)
{
  plist_t rec = plist_dict_get_item(req, "PairRecord");
  const char *why = check_pair_record(dev, rec);
  if (why) {
    sim_log(dev, "Pair rejected: %s", why);
    return "InvalidPairRecord";
  }
  const char *err = NULL;
  pthread_mutex_lock(&dev->lock);
  if (dev->trust == SIM_TRUST_PENDING) {
    time_t now = time(NULL);
    if (!dev->first_pair)
      dev->first_pair = now;
    if (dev->trust_after_s > 0 && now - dev->first_pair >= dev->trust_after_s) {
      dev->trust = SIM_TRUST_PAIRED;
      sim_log(dev, "simulated tap on Trust (TrustAfterSeconds %ld)", dev->trust_after_s);
    }
  }
  if (dev->locked)
    err = "PasswordProtected";
  else if (dev->trust == SIM_TRUST_PENDING)
    err = "PairingDialogResponsePending";
  else if (dev->trust == SIM_TRUST_DENIED)
    err = "UserDeniedPairing";
  if (!err) {
    const char *hid = sim_pstr(rec, "HostID");
    bool known = false;
    for (int i = 0; i < dev->nhosts; i++)
      known = known || strcmp(dev->hosts[i], hid) == 0;
    if (!known) {
      if (dev->nhosts == SIM_MAX_HOSTS) {
        free(dev->hosts[0]);
        memmove(dev->hosts, dev->hosts + 1, sizeof dev->hosts[0] * (SIM_MAX_HOSTS - 1));
        dev->nhosts--;
      }
      dev->hosts[dev->nhosts] = strdup(hid);
      if (dev->hosts[dev->nhosts])
        dev->nhosts++;
    }
  }
  pthread_mutex_unlock(&dev->lock);
  if (!err) {
    unsigned char bag[32];
    RAND_bytes(bag, sizeof bag);
    plist_dict_set_item(resp, "EscrowBag", plist_new_data((const char *)bag, sizeof bag));
  }
  return err;
}

static void do_unpair(struct sim_device *dev, plist_t req)
{
  const char *hid = sim_pstr(plist_dict_get_item(req, "PairRecord"), "HostID");
  pthread_mutex_lock(&dev->lock);
  for (int i = 0; hid && i < dev->nhosts; i++) {
    if (strcmp(dev->hosts[i], hid) == 0) {
      free(dev->hosts[i]);
      dev->hosts[i] = dev->hosts[--dev->nhosts];
      break;
    }
  }
  pthread_mutex_unlock(&dev->lock);
}

uint16_t sim_port_register(struct sim_device *dev, const char *service)
{
  char *s = strdup(service);
  if (!s)
    return 0;
  pthread_mutex_lock(&dev->lock);
  if (dev->nports == SIM_MAX_PORTS) {
    free(dev->ports[0].service);
    memmove(dev->ports, dev->ports + 1, sizeof dev->ports[0] * (SIM_MAX_PORTS - 1));
    dev->nports--;
  }
  uint16_t port = dev->next_port;
  dev->next_port = dev->next_port >= 65000 ? 49152 : (uint16_t)(dev->next_port + 1);
  dev->ports[dev->nports].port = port;
  dev->ports[dev->nports].service = s;
  dev->nports++;
  pthread_mutex_unlock(&dev->lock);
  return port;
}

/* The service started on `port`, as a copy (the registry may recycle the
 * entry at any time), or NULL. */
char *sim_port_lookup(struct sim_device *dev, uint16_t port)
{
  char *s = NULL;
  pthread_mutex_lock(&dev->lock);
  for (int i = dev->nports - 1; i >= 0; i--) {
    if (dev->ports[i].port == port) {
      s = strdup(dev->ports[i].service);
      break;
    }
  }
  pthread_mutex_unlock(&dev->lock);
  return s;
}

static const char *do_start_service(struct sim_device *dev, bool session, plist_t req, plist_t resp)
{
  const char *svc = sim_pstr(req, "Service");
  if (!svc)
    return "MissingService";
  plist_dict_set_item(resp, "Service", plist_new_string(svc));
  if (!session)
    return "SessionInactive";
  pthread_mutex_lock(&dev->lock);
  bool locked = dev->locked;
  pthread_mutex_unlock(&dev->lock);
  if (locked)
    return "PasswordProtected";
  if (!in_list(services, svc))
    return "InvalidService";
  uint16_t port = sim_port_register(dev, svc);
  if (!port)
    return "ServiceLimit";
  bool ssl = sim_service_ssl(dev, svc);
  plist_dict_set_item(resp, "Port", plist_new_uint(port));
  plist_dict_set_item(resp, "EnableServiceSSL", plist_new_bool(ssl));
  sim_log(dev, "StartService %s -> port %u%s", svc, port, ssl ? " (SSL)" : "");
  return NULL;
}

static void new_uuid(char *out, size_t len)
{
  unsigned char b[16];
  RAND_bytes(b, sizeof b);
  snprintf(out, len, "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X", b[0],
           b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
           b[15]);
}

void sim_new_uuid(char *out, size_t len)
{
  new_uuid(out, len);
}

void sim_lockdown_serve(struct sim_conn *c)
{
  struct sim_device *dev = c->dev;
  bool session = false, malformed_done = false;
  char session_id[40] = "";
  for (;;) {
    plist_t req = NULL;
    int r = sim_plist_recv(c, &req);
    if (r == -2)
      sim_log(dev, "lockdown: malformed request, closing");
    if (r != 0)
      break;
    sim_latency(c);
    const char *verb = sim_pstr(req, "Request");
    if (session && dev->fault_malformed_lockdown && !malformed_done) {
      malformed_done = true;
      sim_log(dev, "lockdown %s -> garbage (fault: MalformedLockdown)", verb ? verb : "?");
      plist_free(req);
      if (sim_send_garbage(c) != 0)
        break;
      continue;
    }
    plist_t resp = plist_new_dict();
    const char *err = NULL;
    bool stop_tls = false, start_tls = false, bye = false;
    plist_dict_set_item(resp, "Request", plist_new_string(verb ? verb : ""));
    if (!verb) {
      err = "InvalidRequest";
    } else if (strcmp(verb, "QueryType") == 0) {
      plist_dict_set_item(resp, "Type", plist_new_string("com.apple.mobile.lockdown"));
    } else if (strcmp(verb, "GetValue") == 0) {
      const char *domain = sim_pstr(req, "Domain"), *key = sim_pstr(req, "Key");
      if (domain)
        plist_dict_set_item(resp, "Domain", plist_new_string(domain));
      if (key)
        plist_dict_set_item(resp, "Key", plist_new_string(key));
      plist_t v = get_value(dev, domain, key, session, &err);
      if (v)
        plist_dict_set_item(resp, "Value", v);
    } else if (strcmp(verb, "SetValue") == 0) {
      const char *domain = sim_pstr(req, "Domain"), *key = sim_pstr(req, "Key");
      const char *val = sim_pstr(req, "Value");
      if (!session) {
        err = "SessionInactive";
      } else if (!domain && key && strcmp(key, "DeviceName") == 0 && val) {
        char *copy = strdup(val);
        pthread_mutex_lock(&dev->lock);
        free(dev->device_name);
        dev->device_name = copy;
        pthread_mutex_unlock(&dev->lock);
        sim_log(dev, "SetValue DeviceName -> '%s'", val);
      } else {
        err = "SetProhibited";
      }
    } else if (strcmp(verb, "RemoveValue") == 0) {
      err = session ? "RemoveProhibited" : "SessionInactive";
    } else if (strcmp(verb, "Pair") == 0) {
      err = do_pair(dev, req, resp);
      sim_log(dev, "Pair -> %s", err ? err : "Success");
    } else if (strcmp(verb, "ValidatePair") == 0) {
      const char *hid = sim_pstr(plist_dict_get_item(req, "PairRecord"), "HostID");
      if (!host_known(dev, hid))
        err = "InvalidHostID";
      sim_log(dev, "ValidatePair -> %s", err ? err : "Success");
    } else if (strcmp(verb, "Unpair") == 0) {
      do_unpair(dev, req);
      sim_log(dev, "Unpair -> Success");
    } else if (strcmp(verb, "StartSession") == 0) {
      const char *hid = sim_pstr(req, "HostID");
      if (session) {
        err = "SessionActive";
      } else if (!hid) {
        err = "MissingHostID";
      } else if (!host_known(dev, hid)) {
        err = "InvalidHostID";
      } else {
        new_uuid(session_id, sizeof session_id);
        plist_dict_set_item(resp, "SessionID", plist_new_string(session_id));
        plist_dict_set_item(resp, "EnableSessionSSL", plist_new_bool(1));
        start_tls = true;
      }
      sim_log(dev, "StartSession -> %s", err ? err : "Success");
    } else if (strcmp(verb, "StopSession") == 0) {
      const char *sid = sim_pstr(req, "SessionID");
      if (!session)
        err = "SessionInactive";
      else if (!sid)
        err = "MissingSessionID";
      else if (strcmp(sid, session_id) != 0)
        err = "InvalidSessionID";
      else
        stop_tls = true;
    } else if (strcmp(verb, "StartService") == 0) {
      err = do_start_service(dev, session, req, resp);
      if (err)
        sim_log(dev, "StartService %s -> %s",
                sim_pstr(req, "Service") ? sim_pstr(req, "Service") : "?", err);
    } else if (strcmp(verb, "Goodbye") == 0) {
      bye = true;
    } else if (strcmp(verb, "EnterRecovery") == 0 || strcmp(verb, "Activate") == 0 ||
               strcmp(verb, "Deactivate") == 0) {
    } else {
      err = "InvalidRequest";
    }
    if (err)
      plist_dict_set_item(resp, "Error", plist_new_string(err));
    int wr = sim_plist_send(c, resp, false);
    plist_free(resp);
    plist_free(req);
    if (wr != 0 || bye)
      break;
    if (start_tls && dev->fault_malformed_tls) {
      /* where the client expects a TLS ServerHello: junk, then hang up */
      sim_log(dev, "StartSession -> junk instead of TLS (fault: MalformedTLS)");
      (void)sim_send_garbage(c);
      break;
    }
    if (start_tls) {
      if (sim_tls_accept(c) != 0)
        break;
      session = true;
    }
    if (stop_tls) {
      sim_tls_stop(c);
      session = false;
      sim_log(dev, "StopSession -> plaintext");
    }
  }
}
