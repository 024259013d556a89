#!/usr/bin/env bash
# A second client that shares no code with caseprobe or libimobiledevice
# (tests/e2e/pyclient/cpclient.py, Python stdlib, written from the protocol)
# against the simulator: on a paired profile it never pairs (the record is in
# usbmuxd's store from the start), opens a TLS lockdown session, lists and
# reads the crash folder byte for byte with AFC paths WITHOUT a trailing NUL
# (including a report over 1 MiB, read in several requests), and reads
# syslog_relay; on an unpaired profile it gets a clear "no pair record" until
# the host pairs, and DeletePairRecord takes the record away again.
source "$(dirname "$0")/lib.sh"
PY="python3 $CP_SRC/tests/e2e/pyclient/cpclient.py"
U=00008030-00000000000C1E01 UP=00008030-00000000000C1E02
sim_mkprofile "$T/paired" "$U" "<key>Trust</key><string>paired</string>"
sim_mkprofile "$T/pending" "$UP" "<key>Trust</key><string>pending</string>"
# over 1 MiB: the client reads it in 1 MiB requests
head -c 3000000 /dev/urandom | base64 >"$T/paired/crash/Retired/Big-2024-01-01-000000.ips"
sim_start "$T/paired" "$T/pending"

$PY devices >"$T/devs.json" || fail "devices"
assert_contains "$T/devs.json" "\"SerialNumber\": \"$U\""

# the crash folder, byte for byte, without pairing
$PY -u "$U" ls . >"$T/ls.json" 2>"$T/ls.err" || { cat "$T/ls.err" >&2; fail "ls"; }
assert_contains "$T/ls.json" '"Retired/Big-2024-01-01-000000.ips"'
assert_contains "$T/ls.json" '"st_ifmt": "S_IFLNK"'
mkdir "$T/pulled"
$PY -u "$U" pull-crashes "$T/pulled" >"$T/pull.txt" 2>"$T/pull.err" || { cat "$T/pull.err" >&2; fail "pull-crashes"; }
want=$(cd "$T/paired/crash" && find . -type f | sort)
got=$(cd "$T/pulled" && find . -type f | sort)
assert_eq "$got" "$want" "files pulled"
for f in $want; do
  cmp -s "$T/paired/crash/$f" "$T/pulled/$f" || fail "$f differs from the profile's"
done
assert_contains "$T/pull.txt" "pulled $(echo "$want" | wc -l) file(s)"
assert_not_contains "$SIM_LOG" "Pair ->"
assert_contains "$SIM_LOG" "sim: $U: pair record of a host that paired before"
assert_contains "$SIM_LOG" "sim: $U: StartSession -> Success"

# syslog_relay: the profile's lines, whole
$PY -u "$U" syslog 1.5 "$T/syslog.txt" >/dev/null 2>"$T/sl.err" || { cat "$T/sl.err" >&2; fail "syslog"; }
cmp -s "$T/syslog.txt" "$T/paired/syslog.txt" || fail "syslog differs from the profile's syslog.txt"

# an unpaired profile: no record in usbmuxd, a clear error, no session
if $PY -u "$UP" ls . >"$T/np.out" 2>"$T/np.err"; then fail "unpaired device listed"; fi
assert_contains "$T/np.err" "usbmuxd holds no pair record for $UP"
assert_not_contains "$SIM_LOG" "sim: $UP: StartSession"

# DeletePairRecord removes the paired record: the client cannot go on
python3 - "$U" <<'PY' || fail "DeletePairRecord"
import os, plistlib, socket, struct, sys
s = socket.socket(socket.AF_UNIX); s.connect(os.environ['USBMUXD_SOCKET_ADDRESS'][5:])
p = plistlib.dumps({'MessageType': 'DeletePairRecord', 'PairRecordID': sys.argv[1]})
s.sendall(struct.pack('<IIII', 16 + len(p), 1, 8, 7) + p)
h = s.recv(16); n = struct.unpack('<I', h[:4])[0] - 16; b = b''
while len(b) < n: b += s.recv(n - len(b))
assert plistlib.loads(b)['Number'] == 0
PY
if $PY -u "$U" ls . >/dev/null 2>"$T/del.err"; then fail "listed after DeletePairRecord"; fi
assert_contains "$T/del.err" "usbmuxd holds no pair record for $U"
echo PASS
