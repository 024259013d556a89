# tests/e2e/lib.sh: sourced by every end-to-end test (bash). Gives the paths
# ctest passes (CP_BIN, CP_SIM, CP_SIM_GEN, CP_SRC, CP_BUILD, CP_CORPUS), a
# private temporary folder $T that is removed on exit, and the simulator's
# start/stop through its stable command line:
#   caseprobe-sim --socket PATH [--bandwidth MBPS] [--latency-us N] PROFILE_DIR...
# which prints "ready" on its own line once the socket accepts connections.
set -u

: "${CP_BIN:?run through ctest}" "${CP_SIM:?}" "${CP_SRC:?}" "${CP_CORPUS:=$CP_SRC/tests/corpus}"
: "${CP_SIM_GEN:=$(dirname "$CP_SIM")/caseprobe-sim-gen}"
T=$(mktemp -d "${TMPDIR:-/tmp}/cp-e2e.XXXXXX")
SIM_PID=""
SIM_SOCK="$T/usbmuxd.sock"
SIM_LOG="$T/sim.log"

cleanup() {
  sim_stop
  if [ -n "${KEEP_T:-}" ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
  [ -z "${SIM_BROKEN:-}" ] || exit 1
}
trap cleanup EXIT

# python3 resolved once, not through a version manager's shim on every call:
# pyenv's shim (first on PATH on our CI machine) runs several bash processes,
# ~0.8 s of CPU, per start, and a test starts python3 dozens to hundreds of
# times (json_get, cli_expect.py, fixtures). $T/bin/python3 links the very
# interpreter the shim chooses (same version, same modules); tests/run-all
# exports CP_PYTHON so even the one look-up per test is saved.
if [ -z "${CP_PYTHON:-}" ] || [ ! -x "$CP_PYTHON" ]; then
  CP_PYTHON=$(python3 -c 'import sys; print(sys.executable)') || {
    echo "FAIL: python3 does not run (packaging/install-deps installs it)" >&2
    exit 1
  }
fi
mkdir "$T/bin" && ln -s "$CP_PYTHON" "$T/bin/python3" || {
  echo "FAIL: cannot link python3 into $T/bin" >&2
  exit 1
}
export CP_PYTHON PATH="$T/bin:$PATH"

fail() {
  echo "FAIL: $*" >&2
  if [ -f "$SIM_LOG" ]; then
    echo "--- simulator log (last 30 lines) ---" >&2
    tail -n 30 "$SIM_LOG" >&2
  fi
  exit 1
}

# skip REASON : this test cannot run here (a tool, root, a mount is missing).
# Exits 77, which ctest reports as skipped (SKIP_RETURN_CODE), with one line
# saying why; tests/run-all lists these lines after each ctest phase.
skip() {
  echo "SKIP: $*"
  exit 77
}

# skip_part REASON : one part of a test cannot run here; the rest still runs
# and decides pass or fail. tests/run-all lists these lines too.
skip_part() {
  echo "SKIP (part): $*"
}

# profile NAME -> path of a shipped profile folder. Usually called as
# $(profile NAME), where fail would end only the subshell: a missing profile
# ends the test itself (SIGTERM to the test's shell runs its EXIT trap).
profile() {
  local p="$CP_SRC/tests/sim/profiles/$1"
  if [ ! -d "$p" ]; then
    echo "FAIL: shipped profile '$1' is missing ($p)" >&2
    kill -TERM $$
    exit 1
  fi
  echo "$p"
}

# fixture_cp SRC... DST : cp -R that fails the test when a fixture is missing
# or the copy fails (a missing fixture must never silently shrink a test).
fixture_cp() {
  local a
  for a in "${@:1:$#-1}"; do
    [ -e "$a" ] || fail "fixture missing: $a"
  done
  cp -R "$@" || fail "copying fixture(s) $* failed"
}

# sim_start [sim options] PROFILE_DIR... : starts the simulator on $SIM_SOCK,
# waits for "ready", and points libusbmuxd (and caseprobe) at it.
sim_start() {
  "$CP_SIM" --socket "$SIM_SOCK" "$@" >"$SIM_LOG" 2>&1 &
  SIM_PID=$!
  local i
  for i in $(seq 1 1200); do
    if grep -qx ready "$SIM_LOG" 2>/dev/null; then
      export USBMUXD_SOCKET_ADDRESS="UNIX:$SIM_SOCK"
      return 0
    fi
    kill -0 "$SIM_PID" 2>/dev/null || fail "simulator exited before ready"
    sleep 0.05
  done
  fail "simulator not ready after 60 s"
}

# sim_stop: SIGTERM, wait, and fail the test if the simulator's log holds a
# sanitizer report (the ASan build's simulator reports leaks at exit).
sim_stop() {
  if [ -n "$SIM_PID" ]; then
    kill -TERM "$SIM_PID" 2>/dev/null
    wait "$SIM_PID" 2>/dev/null
    SIM_PID=""
    if grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$SIM_LOG" 2>/dev/null; then
      echo "FAIL: sanitizer report in the simulator log:" >&2
      grep -A25 -E "ERROR: (Address|Leak)Sanitizer|runtime error:" "$SIM_LOG" | head -60 >&2
      SIM_BROKEN=1
    fi
  fi
}

# assert_contains FILE TEXT : FILE has a line containing TEXT (fixed string)
assert_contains() {
  grep -qF -- "$2" "$1" || { echo "--- $1 ---" >&2; head -c 3000 "$1" >&2; fail "'$1' lacks '$2'"; }
}

assert_not_contains() {
  ! grep -qF -- "$2" "$1" || fail "'$1' contains '$2'"
}

# assert_eq ACTUAL EXPECTED WHAT
assert_eq() {
  [ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
}

# jq-free JSON field reading: json_get FILE EXPR, EXPR in Python syntax on `d`
json_get() {
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# wait_for [-p PID] SECS WHAT CMD [ARG...] : runs CMD every 0.1 s until it
# succeeds; after SECS seconds the test FAILS naming WHAT (a wait never falls
# through). With -p, it also fails as soon as process PID has ended. Use a
# small function or `eval '...'` as CMD for compound conditions.
wait_for() {
  local pid=""
  if [ "$1" = -p ]; then
    pid=$2
    shift 2
  fi
  local secs=$1 what=$2 end
  shift 2
  end=$(($(date +%s%N) / 1000000 + secs * 1000))
  while :; do
    "$@" >/dev/null 2>&1 && return 0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      "$@" >/dev/null 2>&1 && return 0
      fail "process $pid ended while waiting for $what"
    fi
    [ "$(($(date +%s%N) / 1000000))" -lt "$end" ] || fail "timed out after $secs s waiting for $what"
    sleep 0.1
  done
}

# wait_quiet FILE QUIET_S SECS WHAT : waits until FILE has not changed size
# for QUIET_S seconds (a server that has logged the last of a cut-off
# request); fails after SECS seconds.
wait_quiet() {
  local f=$1 quiet=$2 secs=$3 what=$4 last=-1 now since end t
  end=$(($(date +%s%N) / 1000000 + secs * 1000))
  since=$(($(date +%s%N) / 1000000))
  while :; do
    now=$(wc -c <"$f" 2>/dev/null || echo 0)
    t=$(($(date +%s%N) / 1000000))
    if [ "$now" != "$last" ]; then
      last=$now since=$t
    elif [ $((t - since)) -ge $((quiet * 1000)) ]; then
      return 0
    fi
    [ "$t" -lt "$end" ] || fail "timed out after $secs s waiting for $what"
    sleep 0.1
  done
}

# --- simulator helpers (owned by the caseprobe-sim tests) -------------------

# sim_ctl COMMAND [ARG] : one control command to the running simulator
# (detach|attach UDID|all, trust|deny|lock|unlock UDID, status); prints the
# reply, fails unless it is "ok ...".
sim_ctl() {
  "$CP_SIM" --ctl "$SIM_SOCK" "$@"
}

# sim_pair_record TYPE UDID : asks the simulated usbmuxd directly (no
# libusbmuxd and its 5 s limit) for ReadPairRecord (succeeds when a record is
# there) or DeletePairRecord (succeeds when it was deleted).
sim_pair_record() {
  python3 - "$1" "$2" <<'PY'
import os, plistlib, socket, struct, sys
kind, udid = sys.argv[1:3]
s = socket.socket(socket.AF_UNIX); s.connect(os.environ['USBMUXD_SOCKET_ADDRESS'][5:])
p = plistlib.dumps({'MessageType': kind, 'PairRecordID': udid})
s.sendall(struct.pack('<IIII', 16 + len(p), 1, 8, 1) + p)
h = b''
while len(h) < 16: h += s.recv(16 - len(h))
n = struct.unpack('<I', h[:4])[0] - 16; b = b''
while len(b) < n: b += s.recv(n - len(b))
reply = plistlib.loads(b)
sys.exit(0 if ('PairRecordData' in reply if kind == 'ReadPairRecord' else reply.get('Number') == 0) else 1)
PY
}

# sim_forget_pairing UDID : a paired profile's record is in the simulated
# usbmuxd's store from the start (a host that paired before); this drops it
# (DeletePairRecord), for tests that need a host pairing for the first time.
sim_forget_pairing() {
  sim_pair_record DeletePairRecord "$1" || fail "DeletePairRecord $1"
}

# assert_pulled_tree SRC DST MIN : every regular file under SRC (a profile's
# crash folder; links skipped, as a pull skips them) is at the same path
# under DST byte for byte, and there are at least MIN of them.
assert_pulled_tree() {
  python3 - "$1" "$2" "$3" <<'PY' || fail "the pulled files differ from the device's ($1 -> $2)"
import filecmp, os, sys
src, dst, least = sys.argv[1], sys.argv[2], int(sys.argv[3])
n = 0
for d, _, fs in os.walk(src):
    for f in fs:
        p = os.path.join(d, f)
        if os.path.islink(p):
            continue
        rel = os.path.relpath(p, src)
        q = os.path.join(dst, rel)
        assert os.path.isfile(q), "missing: " + rel
        assert filecmp.cmp(p, q, shallow=False), "differs: " + rel
        n += 1
assert n >= least, "%d files, expected at least %d" % (n, least)
print("ok: %d files byte-identical" % n)
PY
}

# sim_mkprofile DIR UDID [EXTRA] : writes a small but complete profile (see
# tests/sim/README.md) built from tests/corpus files. EXTRA is raw plist XML
# appended inside device.plist's dict (e.g. "<key>Trust</key><string>pending</string>").
sim_mkprofile() {
  local d=$1 u=$2 extra=${3:-} c="$CP_CORPUS" h
  h='<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">'
  mkdir -p "$d/lockdown" "$d/diagnostics/ioreg" "$d/crash/Retired" "$d/crash/Panics" "$d/crash_pending" ||
    fail "cannot create profile folder $d"
  printf '%s<dict><key>UDID</key><string>%s</string><key>ProductID</key><integer>4776</integer>%s</dict></plist>\n' \
    "$h" "$u" "$extra" >"$d/device.plist"
  printf '%s<dict><key>ActivationState</key><string>Activated</string><key>BuildVersion</key><string>20H115</string><key>CPUArchitecture</key><string>arm64e</string><key>DeviceClass</key><string>iPhone</string><key>DeviceName</key><string>Sim iPhone %s</string><key>HardwareModel</key><string>N104AP</string><key>ProductName</key><string>iPhone OS</string><key>ProductType</key><string>iPhone12,1</string><key>ProductVersion</key><string>16.7.2</string><key>SerialNumber</key><string>F2LSIM%s</string><key>UniqueChipID</key><integer>1234567890</integer><key>UniqueDeviceID</key><string>%s</string><key>WiFiAddress</key><string>aa:bb:cc:dd:ee:%s</string></dict></plist>\n' \
    "$h" "${u: -4}" "${u: -4}" "$u" "${u: -2}" >"$d/lockdown/global.plist"
  printf '%s<dict><key>BatteryCurrentCapacity</key><integer>87</integer><key>BatteryIsCharging</key><false/><key>ExternalChargeCapable</key><true/><key>ExternalConnected</key><true/><key>FullyCharged</key><false/><key>GasGaugeCapability</key><true/><key>HasBattery</key><true/></dict></plist>\n' \
    "$h" >"$d/lockdown/com.apple.mobile.battery.plist"
  printf '%s<dict><key>AmountDataAvailable</key><integer>21474836480</integer><key>TotalDataAvailable</key><integer>21474836480</integer><key>TotalDataCapacity</key><integer>53687091200</integer><key>TotalDiskCapacity</key><integer>64000000000</integer></dict></plist>\n' \
    "$h" >"$d/lockdown/com.apple.disk_usage.plist"
  printf '%s<dict><key>IOClass</key><string>AppleSmartBattery</string><key>CycleCount</key><integer>321</integer><key>DesignCapacity</key><integer>3110</integer><key>NominalChargeCapacity</key><integer>2790</integer><key>AppleRawMaxCapacity</key><integer>2801</integer></dict></plist>\n' \
    "$h" >"$d/diagnostics/ioreg/AppleSmartBattery.plist"
  printf '%s<dict><key>GasGauge</key><dict><key>CycleCount</key><integer>321</integer><key>DesignCapacity</key><integer>3110</integer><key>FullChargeCapacity</key><integer>2790</integer><key>Status</key><string>Success</string></dict><key>WiFi</key><dict><key>Active</key><string>YES</string><key>Status</key><string>Success</string></dict></dict></plist>\n' \
    "$h" >"$d/diagnostics/All.plist"
  printf '%s<dict><key>ProductType</key><string>iPhone12,1</string><key>BatteryIsFullyCharged</key><false/></dict></plist>\n' \
    "$h" >"$d/diagnostics/mobilegestalt.plist"
  printf '%s<array><dict><key>ApplicationType</key><string>User</string><key>CFBundleDisplayName</key><string>Example</string><key>CFBundleIdentifier</key><string>com.example.app</string><key>CFBundleShortVersionString</key><string>1.2</string><key>CFBundleVersion</key><string>42</string></dict><dict><key>ApplicationType</key><string>System</string><key>CFBundleDisplayName</key><string>Safari</string><key>CFBundleIdentifier</key><string>com.apple.mobilesafari</string><key>CFBundleVersion</key><string>8616</string></dict></array></plist>\n' \
    "$h" >"$d/apps.plist"
  fixture_cp "$c/ips/macsym_iOS16.0_iPhone14,2_app_crash_309.ips" "$d/crash/App-2022-09-20-101010.ips"
  fixture_cp "$c/crash/macsym_iOS15.5_iPhone14,2.crash" "$d/crash/Retired/Old.crash"
  fixture_cp "$c/ips/icdab_iOS14.2b_iPhone12,1_JetsamEvent_298.ips" "$d/crash/JetsamEvent-2020-10-15-172958.ips.synced"
  fixture_cp "$c/ips/pycrashreport_iOS16.2_iPhone11,8_forceReset-full_151.ips" "$d/crash/Panics/panic-full.ips"
  fixture_cp "$c/ips/sanfer_iOS18.5_iPad13,16_app_crash_309.ips" "$d/crash_pending/Pending-2025-01-01-000000.ips"
  ln -s App-2022-09-20-101010.ips "$d/crash/LatestCrash.ips"
  [ -f "$c/syslog/im_ios_sdk_iphone_idevicesyslog.log" ] ||
    fail "fixture missing: $c/syslog/im_ios_sdk_iphone_idevicesyslog.log"
  grep -m 40 '^[A-Z][a-z][a-z] [ 0-9][0-9] ' "$c/syslog/im_ios_sdk_iphone_idevicesyslog.log" >"$d/syslog.txt" ||
    fail "no syslog lines taken from the corpus"
}

# sim_pyclient : writes $T/simclient.py, a tiny independent usbmux + lockdown
# + AFC client (Python stdlib only) for what the stock tools cannot do: watch
# raw usbmux events, large AFC reads, hostile AFC requests. Use after the
# device is paired (e.g. after one ideviceinfo run).
sim_pyclient() {
  cat >"$T/simclient.py" <<'EOF'
import os, plistlib, socket, ssl, struct, sys
SOCK = os.environ['USBMUXD_SOCKET_ADDRESS'][5:]
tag = 0
def mux_open():
    s = socket.socket(socket.AF_UNIX); s.connect(SOCK); return s
def recvn(s, n):
    b = b''
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c: raise EOFError('closed after %d of %d bytes' % (len(b), n))
        b += c
    return b
def mux_send(s, d):
    global tag; tag += 1
    p = plistlib.dumps(d)
    s.sendall(struct.pack('<IIII', 16 + len(p), 1, 8, tag) + p)
def mux_recv(s):
    ln, ver, msg, tg = struct.unpack('<IIII', recvn(s, 16))
    return plistlib.loads(recvn(s, ln - 16))
def mux(d):
    s = mux_open(); mux_send(s, d); r = mux_recv(s); s.close(); return r
def devices():
    return mux({'MessageType': 'ListDevices'})['DeviceList']
def connect(devid, port):
    s = mux_open()
    mux_send(s, {'MessageType': 'Connect', 'DeviceID': devid,
                 'PortNumber': ((port & 0xff) << 8) | (port >> 8)})
    r = mux_recv(s)
    if r.get('Number') != 0: raise OSError('Connect result %r' % r.get('Number'))
    return s
def pl_send(s, d):
    p = plistlib.dumps(d); s.sendall(struct.pack('>I', len(p)) + p)
def pl_recv(s):
    (n,) = struct.unpack('>I', recvn(s, 4)); return plistlib.loads(recvn(s, n))
def start_service(devid, udid, name):
    rec = plistlib.loads(mux({'MessageType': 'ReadPairRecord', 'PairRecordID': udid})['PairRecordData'])
    s = connect(devid, 62078)
    pl_send(s, {'Request': 'StartSession', 'HostID': rec['HostID'], 'SystemBUID': rec['SystemBUID'], 'Label': 'simclient'})
    r = pl_recv(s)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
    t = ctx.wrap_socket(s)
    pl_send(t, {'Request': 'StartService', 'Service': name, 'Label': 'simclient'})
    r = pl_recv(t); t.close()
    if 'Error' in r: raise OSError(r['Error'])
    return r['Port']
class AFC:
    def __init__(self, s): self.s = s; self.pn = 0
    def req(self, op, hdata=b'', payload=b''):
        self.pn += 1
        self.s.sendall(b'CFA6LPAA' + struct.pack('<QQQQ', 40 + len(hdata) + len(payload), 40 + len(hdata), self.pn, op) + hdata + payload)
        h = recvn(self.s, 40)
        assert h[:8] == b'CFA6LPAA', h
        ent, this, pn, rop = struct.unpack('<QQQQ', h[8:])
        assert pn == self.pn, (pn, self.pn)
        body = recvn(self.s, ent - 40)
        if rop == 1:
            code = struct.unpack('<Q', body[:8])[0]
            return ('status', code)
        return (rop, body[this - 40:] if rop == 2 else body)
def afc_for(udid):
    d = [x for x in devices() if x['Properties']['SerialNumber'] == udid][0]
    port = start_service(d['DeviceID'], udid, 'com.apple.crashreportcopymobile')
    return AFC(connect(d['DeviceID'], port))
EOF
}

# sim_listen FILE : background usbmux Listen client (Python) writing one line
# per event ("Attached 1 UDID", "Detached 1", "Paired 1") to FILE; its pid
# is in $SIM_LISTEN_PID. Needs sim_pyclient.
sim_listen() {
  T="$T" python3 -u -c '
import os, sys
sys.path.insert(0, os.environ["T"])
from simclient import *
s = mux_open(); mux_send(s, {"MessageType": "Listen"}); r = mux_recv(s)
print("Result", r["Number"], flush=True)
while True:
    e = mux_recv(s)
    print(e["MessageType"], e["DeviceID"], e.get("Properties", {}).get("SerialNumber", ""), flush=True)
' >"$1" 2>&1 &
  SIM_LISTEN_PID=$!
}

# assert_log_soon TEXT : the simulator log gets a line containing TEXT within
# 10 s. The simulator logs a session's end after the client has already
# exited, so an immediate grep races a loaded machine.
assert_log_soon() {
  local i
  for i in $(seq 1 100); do
    grep -qF -- "$1" "$SIM_LOG" && return 0
    sleep 0.1
  done
  assert_contains "$SIM_LOG" "$1"
}
