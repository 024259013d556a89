#!/usr/bin/env bash
# caseprobe-sim, protocol details the stock tools do not reach, checked with
# an independent stdlib-Python client: usbmux result codes and properties,
# BADVERSION for binary packets, lockdown refusals without a session, fake
# pair records, and the StopSession switch back to plaintext on one socket.
source "$(dirname "$0")/lib.sh"
U=00008030-0000000000012001
sim_mkprofile "$T/p" "$U" "<key>LocationID</key><integer>336592896</integer><key>ServiceSSL</key><array><string>com.apple.mobile.diagnostics_relay</string></array>"
sim_start "$T/p"
ideviceinfo -k ProductVersion >/dev/null || fail "pairing run"
sim_pyclient
T="$T" python3 - "$U" >"$T/proto.txt" 2>&1 <<'PY' || { cat "$T/proto.txt"; fail "protocol checks"; }
import os, plistlib, socket, ssl, struct, sys
sys.path.insert(0, os.environ['T'])
from simclient import *
udid = sys.argv[1]

# usbmux: properties, result codes, raw reply framing
[d] = devices()
p = d['Properties']
assert d['DeviceID'] == 1 and d['MessageType'] == 'Attached', d
assert p == {'ConnectionSpeed': 480000000, 'ConnectionType': 'USB', 'DeviceID': 1,
             'LocationID': 336592896, 'ProductID': 4776, 'SerialNumber': udid}, p
s = mux_open(); mux_send(s, {'MessageType': 'ListDevices'})
hdr = s.recv(16)
assert len(hdr) == 16
ln, ver, msg, tg = struct.unpack('<IIII', hdr)
assert ver == 1 and msg == 8 and tg == sys.modules['simclient'].tag, (ver, msg, tg)
assert recvn(s, ln - 16).startswith(b'<?xml'), 'usbmux replies must be XML'
def result(d):
    r = mux(d); assert r['MessageType'] == 'Result', r; return r['Number']
assert result({'MessageType': 'Connect', 'DeviceID': 7, 'PortNumber': 32498}) == 2
assert result({'MessageType': 'Connect', 'DeviceID': 1, 'PortNumber': 0x3412}) == 3
assert result({'MessageType': 'ReadPairRecord', 'PairRecordID': 'nope'}) == 2
assert result({'MessageType': 'SavePairRecord', 'PairRecordID': 'x'}) == 22
assert result({'MessageType': 'Frobnicate'}) == 1
assert result({'MessageType': 'SavePairRecord', 'PairRecordID': 'x', 'PairRecordData': b'abc'}) == 0
assert mux({'MessageType': 'ReadPairRecord', 'PairRecordID': 'x'}) == {'PairRecordData': b'abc'}
assert result({'MessageType': 'DeletePairRecord', 'PairRecordID': 'x'}) == 0
assert result({'MessageType': 'DeletePairRecord', 'PairRecordID': 'x'}) == 2
assert len(mux({'MessageType': 'ReadBUID'})['BUID']) == 36
# binary protocol (version 0) -> RESULT BADVERSION
s = mux_open(); s.sendall(struct.pack('<IIII', 16, 0, 3, 5))
ln, ver, msg, tg = struct.unpack('<IIII', recvn(s, 16))
assert (ln, ver, msg, tg) == (20, 0, 1, 5) and struct.unpack('<I', recvn(s, 4))[0] == 6

# lockdown without a session
s = connect(1, 62078)
def ld(sock, d):
    d.setdefault('Label', 'proto'); pl_send(sock, d); r = pl_recv(sock)
    assert r['Request'] == d['Request'], r
    return r
assert ld(s, {'Request': 'QueryType'})['Type'] == 'com.apple.mobile.lockdown'
r = ld(s, {'Request': 'GetValue', 'Key': 'ProductVersion'})
assert r['Value'] == '16.7.2' and r['Key'] == 'ProductVersion', r
assert ld(s, {'Request': 'GetValue', 'Key': 'SerialNumber'})['Error'] == 'GetProhibited'
assert ld(s, {'Request': 'GetValue', 'Key': 'NoSuchKey'})['Error'] == 'MissingValue'
assert ld(s, {'Request': 'GetValue', 'Domain': 'com.apple.mobile.battery'})['Error'] == 'GetProhibited'
v = ld(s, {'Request': 'GetValue'})['Value']
assert 'SerialNumber' not in v and v['UniqueDeviceID'] == udid and v['DevicePublicKey'].startswith(b'-----BEGIN RSA PUBLIC KEY-----'), v
assert ld(s, {'Request': 'StartService', 'Service': 'com.apple.syslog_relay'})['Error'] == 'SessionInactive'
assert ld(s, {'Request': 'SetValue', 'Key': 'DeviceName', 'Value': 'x'})['Error'] == 'SessionInactive'
assert ld(s, {'Request': 'StartSession', 'HostID': 'NOT-A-HOST', 'SystemBUID': 'x'})['Error'] == 'InvalidHostID'
# a Pair with certificates that do not fit is refused
rec = plistlib.loads(mux({'MessageType': 'ReadPairRecord', 'PairRecordID': udid})['PairRecordData'])
bad = {k: rec[k] for k in ('DeviceCertificate', 'HostCertificate', 'HostID', 'RootCertificate', 'SystemBUID')}
bad['DeviceCertificate'] = rec['HostCertificate']   # wrong public key
assert ld(s, {'Request': 'Pair', 'PairRecord': bad, 'ProtocolVersion': '2'})['Error'] == 'InvalidPairRecord'
bad['DeviceCertificate'] = b'-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'
assert ld(s, {'Request': 'Pair', 'PairRecord': bad, 'ProtocolVersion': '2'})['Error'] == 'InvalidPairRecord'
assert ld(s, {'Request': 'ValidatePair', 'PairRecord': {'HostID': 'NOT-A-HOST'}})['Error'] == 'InvalidHostID'
assert 'Error' not in ld(s, {'Request': 'ValidatePair', 'PairRecord': {'HostID': rec['HostID']}})

# session with TLS over memory BIOs, then StopSession, then plaintext again
r = ld(s, {'Request': 'StartSession', 'HostID': rec['HostID'], 'SystemBUID': rec['SystemBUID']})
assert r['EnableSessionSSL'] is True and r['SessionID'], r
session_id = r['SessionID']
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
inb, outb = ssl.MemoryBIO(), ssl.MemoryBIO()
o = ctx.wrap_bio(inb, outb)
def pump():
    if outb.pending: s.sendall(outb.read())
def feed():
    c = s.recv(65536)
    if not c: raise EOFError
    inb.write(c)
while True:
    try:
        o.do_handshake(); pump(); break
    except ssl.SSLWantReadError:
        pump(); feed()
def tls_req(d):
    d.setdefault('Label', 'proto'); p = plistlib.dumps(d)
    o.write(struct.pack('>I', len(p))); o.write(p); pump()
    buf = b''
    while True:
        try:
            buf += o.read(65536)
        except ssl.SSLWantReadError:
            feed(); continue
        if len(buf) >= 4 and len(buf) >= 4 + struct.unpack('>I', buf[:4])[0]:
            return plistlib.loads(buf[4:])
r = tls_req({'Request': 'GetValue', 'Domain': 'com.apple.mobile.battery', 'Key': 'BatteryCurrentCapacity'})
assert r['Value'] == 87 and r['Domain'] == 'com.apple.mobile.battery', r
assert tls_req({'Request': 'GetValue', 'Key': 'SerialNumber'})['Value'] == 'F2LSIM2001'
r = tls_req({'Request': 'StartService', 'Service': 'com.apple.nosuch'})
assert r['Error'] == 'InvalidService' and r['Service'] == 'com.apple.nosuch', r
r = tls_req({'Request': 'StartService', 'Service': 'com.apple.mobile.diagnostics_relay'})
assert r['EnableServiceSSL'] is True and r['Port'] >= 49152, r
ssl_port = r['Port']
r2 = tls_req({'Request': 'StartService', 'Service': 'com.apple.syslog_relay'})
assert r2['EnableServiceSSL'] is False and r2['Port'] != ssl_port, 'fresh port per start'
assert tls_req({'Request': 'StopSession', 'SessionID': 'wrong'})['Error'] == 'InvalidSessionID'
r = tls_req({'Request': 'StopSession', 'SessionID': session_id})
assert 'Error' not in r, r
try:
    o.unwrap()          # our close_notify; the device must not answer with its own
except ssl.SSLWantReadError:
    pass
pump()
s.settimeout(0.5)
try:
    extra = s.recv(100)
    raise AssertionError('device sent %r after StopSession' % extra)
except socket.timeout:
    pass
s.settimeout(None)
# the same socket is plaintext lockdown again
assert ld(s, {'Request': 'QueryType'})['Type'] == 'com.apple.mobile.lockdown'
assert ld(s, {'Request': 'GetValue', 'Key': 'SerialNumber'})['Error'] == 'GetProhibited'
assert ld(s, {'Request': 'Goodbye'})['Request'] == 'Goodbye'
assert s.recv(1) == b''
# ServiceSSL: the diagnostics port speaks TLS right after Connect
t = ctx.wrap_socket(connect(1, ssl_port))
pl_send(t, {'Request': 'GasGauge'})
r = pl_recv(t)
assert r['Status'] == 'Success' and r['Diagnostics']['GasGauge']['CycleCount'] == 321, r
pl_send(t, {'Request': 'Goodbye'})
assert pl_recv(t) == {'Status': 'Success'}
# the service port outlived the lockdown connection and takes a new client
t = ctx.wrap_socket(connect(1, ssl_port))
pl_send(t, {'Request': 'IORegistry', 'EntryName': '', 'EntryClass': 'AppleSmartBattery'})
r = pl_recv(t)
assert r['Diagnostics']['IORegistry']['DesignCapacity'] == 3110, r
# hostile bytes: oversized or junk packets close the connection, nothing else
import random
random.seed(7)
for junk in [struct.pack('<IIII', 0xFFFFFFF0, 1, 8, 1), struct.pack('<IIII', 3, 1, 8, 1),
             struct.pack('<IIII', 20, 1, 8, 1) + b'\x00\x01\x02\x03',
             bytes(random.getrandbits(8) for _ in range(4000))]:
    s = mux_open(); s.sendall(junk); s.shutdown(socket.SHUT_WR); s.settimeout(5)
    try:
        while s.recv(4096): pass
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
for junk in [b'\xff\xff\xff\xff', b'\x00\x00\x00\x00', struct.pack('>I', 9) + b'bplist00x',
             struct.pack('>I', 8) + plistlib.dumps([1, 2], fmt=plistlib.FMT_BINARY)[:8],
             struct.pack('>I', len(plistlib.dumps([1]))) + plistlib.dumps([1])]:
    s = connect(1, 62078); s.sendall(junk); s.shutdown(socket.SHUT_WR); s.settimeout(5)
    try:
        while s.recv(4096): pass
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
assert len(devices()) == 1
print('protocol ok')
PY
assert_contains "$T/proto.txt" "protocol ok"
assert_contains "$SIM_LOG" "StartService com.apple.mobile.diagnostics_relay -> port 49152 (SSL)"
assert_contains "$SIM_LOG" "Pair rejected: DeviceCertificate does not carry DevicePublicKey"
assert_contains "$SIM_LOG" "Pair rejected: a certificate is missing or not PEM"
assert_contains "$SIM_LOG" "lockdown: malformed request, closing"
# the simulator survived all of it
assert_eq "$(ideviceinfo -k ProductType)" "iPhone12,1" "alive"
echo PASS
