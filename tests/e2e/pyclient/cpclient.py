#!/usr/bin/env python3
"""A second, independent iOS client for the simulator's end-to-end tests.

Python 3 standard library only (socket, struct, plistlib, ssl). It shares no
code with caseprobe or libimobiledevice: it is written from the published
protocol (usbmuxd plist protocol, lockdownd with a TLS session, AFC,
syslog_relay) so that a leniency of the simulator that only our own client
relies on shows up as a failure here. Deliberately different habits from
libimobiledevice: AFC paths go out WITHOUT a trailing NUL (as pymobiledevice3
and go-ios send them), it never pairs (it takes the pair record that
usbmuxd holds), and it presents the root certificate as its TLS identity.

  cpclient.py devices
  cpclient.py ls PATH                      (JSON: entries with their stat)
  cpclient.py pull-crashes DEST            (every regular file under the crash folder)
  cpclient.py syslog SECONDS OUT           (raw text of syslog_relay, NULs dropped)
  options: -u UDID (default: the first device)

Exit status: 0 done, 1 a protocol or device error (one line on stderr).
"""
import json
import os
import plistlib
import socket
import ssl
import struct
import sys
import tempfile
import time


class ProtocolError(Exception):
    pass


def recv_exact(sock, n):
    chunks, left = [], n
    while left:
        b = sock.recv(min(left, 1 << 20))
        if not b:
            raise ProtocolError("connection closed with %d of %d bytes missing" % (left, n))
        chunks.append(b)
        left -= len(b)
    return b"".join(chunks)


# ------------------------------------------------------------------ usbmuxd
class Usbmux:
    """One request per connection, like every usbmuxd client library."""

    VERSION_PLIST, MSG_PLIST = 1, 8

    def __init__(self):
        addr = os.environ.get("USBMUXD_SOCKET_ADDRESS", "")
        self.tag = 0
        if addr.startswith("UNIX:") and len(addr) > 5:
            self.family, self.target = socket.AF_UNIX, addr[5:]
        elif addr and ":" in addr:
            host, port = addr.rsplit(":", 1)
            self.family, self.target = socket.AF_INET, (host.strip("[]"), int(port))
        else:
            self.family, self.target = socket.AF_UNIX, "/var/run/usbmuxd"

    def _open(self):
        s = socket.socket(self.family, socket.SOCK_STREAM)
        s.connect(self.target)
        return s

    def _send(self, s, msg):
        self.tag += 1
        msg = dict(msg, ClientVersionString="cpclient-py 1", ProgName="cpclient",
                   kLibUSBMuxVersion=3)
        body = plistlib.dumps(msg, fmt=plistlib.FMT_XML)
        s.sendall(struct.pack("<4I", 16 + len(body), self.VERSION_PLIST, self.MSG_PLIST,
                              self.tag) + body)
        return self.tag

    def _recv(self, s, tag):
        length, version, msg, rtag = struct.unpack("<4I", recv_exact(s, 16))
        if length < 16 or version != self.VERSION_PLIST or msg != self.MSG_PLIST:
            raise ProtocolError("usbmuxd: unexpected reply header %r" % ((length, version, msg),))
        if rtag != tag:
            raise ProtocolError("usbmuxd: reply tag %d for request %d" % (rtag, tag))
        return plistlib.loads(recv_exact(s, length - 16))

    def request(self, msg):
        s = self._open()
        try:
            return self._recv(s, self._send(s, msg))
        finally:
            s.close()

    def devices(self):
        return [d for d in self.request({"MessageType": "ListDevices"}).get("DeviceList", [])]

    def pair_record(self, udid):
        r = self.request({"MessageType": "ReadPairRecord", "PairRecordID": udid})
        if "PairRecordData" not in r:
            raise ProtocolError("usbmuxd holds no pair record for %s (result %r): pair the "
                                "device with this host first" % (udid, r.get("Number")))
        return plistlib.loads(r["PairRecordData"])

    def connect(self, device_id, port):
        s = self._open()
        tag = self._send(s, {"MessageType": "Connect", "DeviceID": device_id,
                             "PortNumber": socket.htons(port)})
        r = self._recv(s, tag)
        if r.get("MessageType") != "Result" or r.get("Number") != 0:
            s.close()
            raise ProtocolError("usbmuxd refused a connection to port %d (result %r)"
                                % (port, r.get("Number")))
        return s  # from here on a raw pipe to the device port


# ------------------------------------------------------------------ TLS
def tls_wrap(sock, record):
    """Client side of the device's TLS: root certificate and key as our
    identity, the device's certificate not verified (there is no CA)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    with tempfile.TemporaryDirectory() as d:
        cert, key = os.path.join(d, "c.pem"), os.path.join(d, "k.pem")
        with open(cert, "wb") as f:
            f.write(record["RootCertificate"])
        with open(key, "wb") as f:
            f.write(record["RootPrivateKey"])
        ctx.load_cert_chain(cert, key)
    return ctx.wrap_socket(sock, server_side=False)


# ------------------------------------------------------------------ lockdownd
LOCKDOWN_PORT = 62078


class Lockdown:
    def __init__(self, mux, device, record):
        self.sock = mux.connect(device["DeviceID"], LOCKDOWN_PORT)
        self.record = record
        self.label = "cpclient"

    def call(self, req):
        body = plistlib.dumps(dict(req, Label=self.label), fmt=plistlib.FMT_XML)
        self.sock.sendall(struct.pack(">I", len(body)) + body)
        (n,) = struct.unpack(">I", recv_exact(self.sock, 4))
        if n > 16 << 20:
            raise ProtocolError("lockdownd: reply of %d bytes" % n)
        r = plistlib.loads(recv_exact(self.sock, n))
        if r.get("Request") != req["Request"]:
            raise ProtocolError("lockdownd answered %r to %r" % (r.get("Request"), req["Request"]))
        if "Error" in r:
            raise ProtocolError("lockdownd %s: %s" % (req["Request"], r["Error"]))
        return r

    def start_session(self):
        if self.call({"Request": "QueryType"}).get("Type") != "com.apple.mobile.lockdown":
            raise ProtocolError("port 62078 is not lockdownd")
        r = self.call({"Request": "StartSession", "HostID": self.record["HostID"],
                       "SystemBUID": self.record["SystemBUID"]})
        if r.get("EnableSessionSSL"):
            self.sock = tls_wrap(self.sock, self.record)
        return r["SessionID"]

    def start_service(self, name):
        r = self.call({"Request": "StartService", "Service": name})
        return r["Port"], bool(r.get("EnableServiceSSL"))

    def close(self):
        self.sock.close()


def open_service(mux, device, record, name):
    """StartSession, StartService, then a fresh usbmux connection to its port."""
    ld = Lockdown(mux, device, record)
    try:
        ld.start_session()
        port, use_ssl = ld.start_service(name)
    finally:
        ld.close()
    s = mux.connect(device["DeviceID"], port)
    return tls_wrap(s, record) if use_ssl else s


# ------------------------------------------------------------------ AFC
AFC_MAGIC = b"CFA6LPAA"
OP_STATUS, OP_DATA, OP_READ_DIR, OP_GET_FILE_INFO = 0x01, 0x02, 0x03, 0x0A
OP_FILE_OPEN, OP_FILE_OPEN_RES, OP_FILE_READ, OP_FILE_CLOSE = 0x0D, 0x0E, 0x0F, 0x14
AFC_READ_CHUNK = 1 << 20


class AfcError(ProtocolError):
    def __init__(self, op, code):
        super().__init__("AFC op 0x%02x failed with status %d" % (op, code))
        self.code = code


class Afc:
    def __init__(self, sock):
        self.sock = sock
        self.num = 0

    def _call(self, op, header=b"", payload=b""):
        self.num += 1
        this = 40 + len(header)
        self.sock.sendall(AFC_MAGIC + struct.pack("<4Q", this + len(payload), this, self.num, op)
                          + header + payload)
        h = recv_exact(self.sock, 40)
        if h[:8] != AFC_MAGIC:
            raise ProtocolError("AFC: bad magic in reply")
        entire, this_len, num, rop = struct.unpack("<4Q", h[8:])
        if num != self.num or this_len < 40 or entire < this_len:
            raise ProtocolError("AFC: reply %d to request %d" % (num, self.num))
        rest = recv_exact(self.sock, entire - 40)
        hdata, body = rest[:this_len - 40], rest[this_len - 40:]
        if rop == OP_STATUS:
            code = struct.unpack("<Q", hdata[:8])[0]
            if code:
                raise AfcError(op, code)
        return rop, hdata, body

    @staticmethod
    def _path(p):
        return p.encode("utf-8")  # no trailing NUL: the packet length ends it

    def listdir(self, path):
        rop, _, body = self._call(OP_READ_DIR, self._path(path))
        if rop != OP_DATA:
            raise ProtocolError("AFC READ_DIR answered op %d" % rop)
        return [n.decode("utf-8", "surrogateescape") for n in body.split(b"\0")
                if n and n not in (b".", b"..")]

    def stat(self, path):
        _, _, body = self._call(OP_GET_FILE_INFO, self._path(path))
        parts = body.split(b"\0")
        return {parts[i].decode(): parts[i + 1].decode() for i in range(0, len(parts) - 1, 2)}

    def read_file(self, path):
        _, hdata, _ = self._call(OP_FILE_OPEN, struct.pack("<Q", 1) + self._path(path))
        handle = struct.unpack("<Q", hdata[:8])[0]
        out = bytearray()
        try:
            while True:
                _, _, data = self._call(OP_FILE_READ, struct.pack("<QQ", handle, AFC_READ_CHUNK))
                if not data:
                    break
                out += data
        finally:
            self._call(OP_FILE_CLOSE, struct.pack("<Q", handle))
        return bytes(out)

    def walk(self, top="."):
        """(relative path, stat) of every entry below top, depth first."""
        for name in sorted(self.listdir(top)):
            rel = name if top == "." else top + "/" + name
            st = self.stat(rel)
            yield rel, st
            if st.get("st_ifmt") == "S_IFDIR":
                yield from self.walk(rel)


# ------------------------------------------------------------------ commands
def pick_device(mux, udid):
    devs = mux.devices()
    for d in devs:
        if udid is None or d["Properties"].get("SerialNumber") == udid:
            return d
    raise ProtocolError("no device %s attached" % (udid or ""))


def main(argv):
    udid = None
    if len(argv) > 2 and argv[1] == "-u":
        udid, argv = argv[2], [argv[0]] + argv[3:]
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    mux = Usbmux()
    cmd = argv[1]
    if cmd == "devices":
        print(json.dumps([d["Properties"] for d in mux.devices()], indent=1, sort_keys=True))
        return 0
    dev = pick_device(mux, udid)
    serial = dev["Properties"]["SerialNumber"]
    record = mux.pair_record(serial)  # never pairs: usbmuxd must hold the record
    if cmd == "ls" and len(argv) == 3:
        afc = Afc(open_service(mux, dev, record, "com.apple.crashreportcopymobile"))
        print(json.dumps({rel: st for rel, st in afc.walk(argv[2])}, indent=1, sort_keys=True))
        return 0
    if cmd == "pull-crashes" and len(argv) == 3:
        afc = Afc(open_service(mux, dev, record, "com.apple.crashreportcopymobile"))
        n = 0
        for rel, st in afc.walk("."):
            if st.get("st_ifmt") != "S_IFREG":
                continue
            data = afc.read_file(rel)
            if len(data) != int(st["st_size"]):
                raise ProtocolError("%s: read %d bytes, stat said %s" % (rel, len(data),
                                                                           st["st_size"]))
            dest = os.path.join(argv[2], rel)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "wb") as f:
                f.write(data)
            n += 1
        print("pulled %d file(s)" % n)
        return 0
    if cmd == "syslog" and len(argv) == 4:
        s = open_service(mux, dev, record, "com.apple.syslog_relay")
        s.settimeout(0.2)
        end, buf = time.monotonic() + float(argv[2]), bytearray()
        while time.monotonic() < end:
            try:
                b = s.recv(65536)
            except (socket.timeout, ssl.SSLWantReadError):
                continue
            if not b:
                break
            buf += b
        s.close()
        with open(argv[3], "wb") as f:
            f.write(bytes(buf).replace(b"\0", b""))
        print("syslog: %d bytes" % len(buf))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (ProtocolError, OSError, ssl.SSLError, KeyError) as e:
        sys.stderr.write("cpclient: %s\n" % e)
        sys.exit(1)
