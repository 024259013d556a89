#!/usr/bin/env bash
# caseprobe-sim, AFC beyond idevicecrashreport: 1-4 MiB reads, seek/tell,
# device info, exact file info, and hostile requests (paths escaping the
# root, bad handles, writes, a bad magic) answered with errors, never with
# host files or a crash.
source "$(dirname "$0")/lib.sh"
U=00008030-00000000000A0001
P="$T/iphone"
sim_mkprofile "$P" "$U"
head -c 5000000 /dev/urandom >"$P/crash/Big.ips"
touch -d '2021-03-04 05:06:07.123456789' "$P/crash/Big.ips"
sim_start --bandwidth 0 "$P"
ideviceinfo -k ProductVersion >/dev/null || fail "pairing run"
sim_pyclient
T="$T" python3 - "$U" "$P/crash/Big.ips" >"$T/afc.txt" 2>&1 <<'PY' || { cat "$T/afc.txt"; fail "AFC checks"; }
import hashlib, os, struct, sys
sys.path.insert(0, os.environ['T'])
from simclient import *
udid, big = sys.argv[1], sys.argv[2]
a = afc_for(udid)
st = os.stat(big)
# file info: exact size and nanosecond mtime
op, body = a.req(0x0A, b'Big.ips\0')
f = body.split(b'\0'); info = dict(zip(f[0::2], f[1::2]))
assert info[b'st_size'] == str(st.st_size).encode(), info
assert info[b'st_mtime'] == str(st.st_mtime_ns).encode(), (info, st.st_mtime_ns)
assert info[b'st_ifmt'] == b'S_IFREG' and body.endswith(b'\0')
op, body = a.req(0x0A, b'/LatestCrash.ips\0')
f = body.split(b'\0'); info = dict(zip(f[0::2], f[1::2]))
assert info[b'st_ifmt'] == b'S_IFLNK' and info[b'LinkTarget'] == b'App-2022-09-20-101010.ips', info
# READ_DIR starts with . and ..
op, body = a.req(0x03, b'.\0')
names = body.split(b'\0')[:-1]
assert names[:2] == [b'.', b'..'] and b'Big.ips' in names and b'Pending-2025-01-01-000000.ips' not in names, names
# 1 MiB and 4 MiB reads, never more than asked, empty DATA at EOF
op, h = a.req(0x0D, struct.pack('<Q', 1) + b'./Big.ips\0')
assert op == 0x0E and struct.unpack('<Q', h[:8])[0] != 0
hd = h[:8]
data = b''
for want in (1 << 20, 4 << 20, 4 << 20):
    op, chunk = a.req(0x0F, hd + struct.pack('<Q', want))
    assert op == 2 and len(chunk) <= want, (op, len(chunk))
    data += chunk
assert len(data) == st.st_size, len(data)
op, chunk = a.req(0x0F, hd + struct.pack('<Q', 4096)); assert op == 2 and chunk == b''
assert hashlib.sha256(data).digest() == hashlib.sha256(open(big, 'rb').read()).digest()
# seek / tell
assert a.req(0x11, hd + struct.pack('<Qq', 0, 12345)) == ('status', 0)
op, t = a.req(0x12, hd); assert op == 0x13 and struct.unpack('<Q', t[:8])[0] == 12345
op, chunk = a.req(0x0F, hd + struct.pack('<Q', 10)); assert chunk == open(big, 'rb').read()[12345:12355]
assert a.req(0x11, hd + struct.pack('<Qq', 2, -10)) == ('status', 0)
op, chunk = a.req(0x0F, hd + struct.pack('<Q', 100)); assert len(chunk) == 10
assert a.req(0x14, hd) == ('status', 0)
# hostile input
assert a.req(0x0F, hd + struct.pack('<Q', 10)) == ('status', 7), 'closed handle'
assert a.req(0x0F, struct.pack('<QQ', 0, 10)) == ('status', 7), 'handle 0'
assert a.req(0x0F, struct.pack('<QQ', 1 << 40, 10)) == ('status', 7), 'huge handle'
assert a.req(0x0A, b'../../../../etc/passwd\0') == ('status', 10), 'escape'
assert a.req(0x0D, struct.pack('<Q', 1) + b'../../etc/passwd\0') == ('status', 10)
assert a.req(0x03, b'/..\0') == ('status', 10)
assert a.req(0x0A, b'Retired/../../x\0') == ('status', 10)
assert a.req(0x0A, b'./nothere\0') == ('status', 8)
# afcd ends a path at the packet's end: no trailing NUL is fine (other
# clients send none); an empty path, bytes after a NUL or > PATH_MAX are not
assert a.req(0x0A, b'no-terminator') == ('status', 8), 'no NUL: looked up'
assert a.req(0x0A, b'Retired') == a.req(0x0A, b'Retired\0'), 'stat without NUL'
assert a.req(0x03, b'Retired')[0] == 2, 'list without NUL'
assert a.req(0x0A, b'') == ('status', 7), 'empty path'
assert a.req(0x0A, b'\0') == ('status', 7), 'only a NUL'
assert a.req(0x0A, b'Retired\0x') == ('status', 7), 'bytes after the NUL'
assert a.req(0x0A, b'a' * 1025) == ('status', 7), 'over PATH_MAX'
assert a.req(0x0D, struct.pack('<Q', 3) + b'new.txt\0') == ('status', 8)
assert a.req(0x0D, struct.pack('<Q', 3) + b'Big.ips\0') == ('status', 10), 'write open'
assert a.req(0x0D, struct.pack('<Q', 1) + b'Retired\0') == ('status', 9), 'open dir'
assert a.req(0x08, b'.\0') == ('status', 10), 'remove root'
assert a.req(0x08, b'Retired\0') == ('status', 1), 'remove non-empty dir'
assert a.req(0x09, b'newdir\0') == ('status', 15), 'mkdir'
# device info
op, body = a.req(0x0B)
f = body.split(b'\0'); info = dict(zip(f[0::2], f[1::2]))
assert info[b'Model'] == b'iPhone12,1' and info[b'FSTotalBytes'] == b'53687091200', info
# a packet with a bad magic: the simulator closes, it does not crash
a.s.sendall(b'XXXXXXXX' + struct.pack('<QQQQ', 40, 40, 99, 3))
try:
    assert a.s.recv(1) == b''
except ConnectionResetError:
    pass
print('afc ok')
PY
assert_contains "$T/afc.txt" "afc ok"
assert_contains "$SIM_LOG" "AFC: bad packet header, closing"
# the simulator is still serving
assert_eq "$(ideviceinfo -k ProductType)" "iPhone12,1" "alive after hostile input"
echo PASS
