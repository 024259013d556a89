#!/usr/bin/env bash
# Benchmark: `caseprobe crashes pull` against `idevicecrashreport -k` on the
# same generated profile (default 300 reports, 60 MB) behind caseprobe-sim on
# its USB-2 model (40 MB/s, 500 us latency in flight; LINK and LATENCY_US
# override), a fresh simulator for each tool. Both tools are paired first
# (idevicepair), so the timing is the whole command otherwise: start, session,
# mover ping, tree walk and transfer. Prints MB/s for both, their ratio and
# the fraction of the link rate, and the simulator's own account of the link
# during caseprobe's AFC session (busy seconds of the span, idle gaps);
# checks that both copied every byte and that the two copies are
# byte-identical.
#   usage: tests/bench/bench_pull.sh [BUILD_DIR] [REPORTS] [MB]
set -eu
BUILD=${1:-build}
N=${2:-300}
MB=${3:-60}
LINK=${LINK:-40}
LATENCY_US=${LATENCY_US:-500}
CP="$BUILD/caseprobe"
SIM="$BUILD/caseprobe-sim"
GEN="$BUILD/caseprobe-sim-gen"
for b in "$CP" "$SIM" "$GEN"; do [ -x "$b" ] || { echo "missing $b (build first)" >&2; exit 2; }; done
W=$(mktemp -d "${TMPDIR:-/tmp}/cp-bench.XXXXXX")
SIM_PID=""
trap '[ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"' EXIT

"$GEN" "$W/profile" --crashes "$N" --crash-mb "$MB" >/dev/null
sync # the profile's dirty pages are written back now, not during the timed pulls
UDID=$(python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["UDID"])' "$W/profile/device.plist")
read -r FILES BYTES < <(python3 - "$W/profile/crash" <<'PY'
import os, sys
n = b = 0
for d, _, fs in os.walk(sys.argv[1]):
    for f in fs:
        p = os.path.join(d, f)
        if os.path.isfile(p) and not os.path.islink(p):
            n += 1; b += os.path.getsize(p)
print(n, b)
PY
)

start_sim() {
  rm -f "$W/sock" "$W/sock.ctl"
  "$SIM" --socket "$W/sock" --bandwidth "$LINK" --latency-us "$LATENCY_US" "$W/profile" >"$W/sim.log" 2>&1 &
  SIM_PID=$!
  for _ in $(seq 1 400); do grep -qx ready "$W/sim.log" && break; sleep 0.05; done
  grep -qx ready "$W/sim.log" || { echo "simulator did not start" >&2; exit 1; }
  export USBMUXD_SOCKET_ADDRESS="UNIX:$W/sock"
  idevicepair -u "$UDID" pair >/dev/null
}
stop_sim() { kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null || true; SIM_PID=""; }
# The clock is read by date(1), not by a python3 start: where python3 is a
# pyenv shim, one start costs ~0.4 s of wall time, and it was counted in every
# timed pull (2.03 s measured for a 1.63 s pull).
now() { date +%s.%N; }
dir_bytes() { python3 -c 'import os,sys; print(sum(os.path.getsize(os.path.join(d,f)) for d,_,fs in os.walk(sys.argv[1]) for f in fs if not f.startswith(".caseprobe") and f != "index.json" and not os.path.islink(os.path.join(d,f))))' "$1"; }

start_sim
t0=$(now)
"$CP" crashes pull "$W/cp" -u "$UDID" --json >"$W/cp.json"
t1=$(now)
stop_sim
# the simulator's account of its link during caseprobe's AFC session: busy
# seconds of the span, and the idle gaps between bytes (round trips, client)
CP_LINK=$(sed -n 's/^sim: [^ ]*: link: AFC session: //p' "$W/sim.log" | tail -n 1)
# the same pull into a tmpfs folder (when /dev/shm is one): what the disk's
# per-report fsync costs, apart from the link
SHM=""
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  SHM=$(mktemp -d /dev/shm/cp-bench.XXXXXX)
  start_sim
  t4=$(now)
  "$CP" crashes pull "$SHM/cp" -u "$UDID" --json >/dev/null
  t5=$(now)
  stop_sim
  rm -rf "$SHM"
fi
start_sim
mkdir -p "$W/icr"
t2=$(now)
idevicecrashreport -k -u "$UDID" "$W/icr" >"$W/icr.log"
t3=$(now)
stop_sim

CPB=$(dir_bytes "$W/cp")
ICB=$(dir_bytes "$W/icr")
python3 - "$t0" "$t1" "$t2" "$t3" "$BYTES" "$FILES" "$CPB" "$ICB" "$LINK" "$LATENCY_US" <<'PY'
import sys
t0, t1, t2, t3 = map(float, sys.argv[1:5])
total, files, cpb, icb, link = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8]), float(sys.argv[9])
cp_s, ic_s = t1 - t0, t3 - t2
cp_r, ic_r = total / 1e6 / cp_s, total / 1e6 / ic_s
print("profile: %d reports, %.1f MB; link %.0f MB/s, %s us latency" % (files, total / 1e6, link, sys.argv[10]))
print("caseprobe crashes pull : %6.2f s  %6.2f MB/s  (%.0f %% of the link)  copied %d bytes" % (cp_s, cp_r, 100 * cp_r / link, cpb))
print("idevicecrashreport -k  : %6.2f s  %6.2f MB/s  (%.0f %% of the link)  copied %d bytes" % (ic_s, ic_r, 100 * ic_r / link, icb))
print("speed-up: %.1fx" % (cp_r / ic_r))
if cpb != total:
    print("caseprobe copied %d of %d bytes" % (cpb, total)); sys.exit(1)
PY
[ -z "$CP_LINK" ] || echo "caseprobe link use (simulator): $CP_LINK"
if [ -n "$SHM" ]; then
  python3 -c 'import sys; s = float(sys.argv[2]) - float(sys.argv[1]); r = int(sys.argv[3]) / 1e6 / s; print("caseprobe pull to tmpfs: %6.2f s  %6.2f MB/s  (%.0f %% of the link)" % (s, r, 100 * r / float(sys.argv[4])))' "$t4" "$t5" "$BYTES" "$LINK"
fi
# the pulled files are byte-identical to idevicecrashreport -k's (which drops ".synced")
python3 - "$W/cp" "$W/icr" <<'PY'
import filecmp, os, sys
cp, icr = sys.argv[1:3]
bad = []
for d, _, fs in os.walk(cp):
    for f in fs:
        if f.startswith(".caseprobe") or f == "index.json":
            continue
        rel = os.path.relpath(os.path.join(d, f), cp)
        other = os.path.join(icr, rel[:-7] if rel.endswith(".synced") else rel)
        if not os.path.isfile(other) or not filecmp.cmp(os.path.join(cp, rel), other, shallow=False):
            bad.append(rel)
print("byte-identical to idevicecrashreport -k: %s" % ("yes" if not bad else "NO (%d differ, e.g. %s)" % (len(bad), bad[0])))
sys.exit(1 if bad else 0)
PY
