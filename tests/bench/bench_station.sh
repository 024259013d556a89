#!/usr/bin/env bash
# Station throughput for 1, 4 and 16 simulated devices plugged in at once:
# aggregate MB/s (device data collected, i.e. the bundles' member bytes before
# compression, and the bundle bytes written) and bundles per minute, from the
# first `attached` event to `station_stopped`, plus the scaling ratio against
# one device. Each device is a generated profile (caseprobe-sim-gen) behind
# the simulator's default USB 2 link (40 MB/s per device).
#
# Run from a build:  bash tests/bench/bench_station.sh [BUILD_DIR]
# Knobs (environment): CRASH_MB per device (default 40), CRASHES (200),
# COUNTS ("1 4 16"), BANDWIDTH (40 MB/s per device, 0 = unlimited).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${1:-${CP_BUILD:-$src/build}}
CP_BIN=${CP_BIN:-$build/caseprobe}
CP_SIM=${CP_SIM:-$build/caseprobe-sim}
CP_SIM_GEN=${CP_SIM_GEN:-$build/caseprobe-sim-gen}
CRASH_MB=${CRASH_MB:-40}
CRASHES=${CRASHES:-200}
COUNTS=${COUNTS:-"1 4 16"}
BANDWIDTH=${BANDWIDTH:-40}
for b in "$CP_BIN" "$CP_SIM" "$CP_SIM_GEN"; do
  [ -x "$b" ] || { echo "bench_station: $b not built" >&2; exit 2; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/cp-bench-station.XXXXXX")
SIM_PID=""
cleanup() {
  [ -n "$SIM_PID" ] && kill -TERM "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT

max=0
for n in $COUNTS; do [ "$n" -gt "$max" ] && max=$n; done
mkdir -p "$T/p"
echo "generating $max device profiles of $CRASHES reports / $CRASH_MB MB each..." >&2
for i in $(seq 1 "$max"); do
  "$CP_SIM_GEN" "$T/p/d$i" --crashes "$CRASHES" --crash-mb "$CRASH_MB" --seed "$i" \
    --udid "$(printf '00008030-BE4C%012X' "$i")" --name "Bench $i" >/dev/null 2>>"$T/gen.log" ||
    { cat "$T/gen.log" >&2; exit 1; }
done
sed -e 's/^syslog_seconds = .*/syslog_seconds = 1/' \
    -e "s/^max_parallel = .*/max_parallel = $max/" \
    "$src/packaging/station-policy.example" >"$T/policy"

printf '%-8s %10s %12s %12s %14s %10s\n' devices seconds "data MB/s" "bundle MB/s" bundles/minute scaling
base=""
for n in $COUNTS; do
  sock="$T/mux-$n.sock"
  profiles=()
  for i in $(seq 1 "$n"); do profiles+=("$T/p/d$i"); done
  "$CP_SIM" --socket "$sock" --bandwidth "$BANDWIDTH" "${profiles[@]}" >"$T/sim-$n.log" 2>&1 &
  SIM_PID=$!
  for _ in $(seq 1 1200); do grep -qx ready "$T/sim-$n.log" && break; sleep 0.05; done
  grep -qx ready "$T/sim-$n.log" || { echo "bench_station: simulator not ready" >&2; cat "$T/sim-$n.log" >&2; exit 1; }
  rc=0
  USBMUXD_SOCKET_ADDRESS="UNIX:$sock" "$CP_BIN" station --no-syslog --policy "$T/policy" \
    --spool "$T/spool-$n" --events "$T/ev-$n.jsonl" --once "$n" 2>"$T/station-$n.log" || rc=$?
  kill -TERM "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null || true; SIM_PID=""
  if [ "$rc" -ne 0 ]; then
    echo "bench_station: station exited $rc for $n devices:" >&2
    tail -n 20 "$T/station-$n.log" >&2
    exit 1
  fi
  line=$(python3 - "$T/ev-$n.jsonl" "$n" "${base:-0}" <<'PY'
import datetime, json, sys, tarfile
ev = [json.loads(l) for l in open(sys.argv[1])]
n, base = int(sys.argv[2]), float(sys.argv[3])
t = lambda e: datetime.datetime.strptime(e["time"], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
start = min(t(e) for e in ev if e["event"] == "attached")
end = t([e for e in ev if e["event"] == "station_stopped"][0])
ready = [e for e in ev if e["event"] == "bundle_ready"]
if len(ready) != n:
    sys.exit("expected %d bundles, got %d" % (n, len(ready)))
data = 0
for r in ready:
    with tarfile.open(r["path"]) as tf:
        m = json.load(tf.extractfile("manifest.json"))
    data += sum(x["size"] for x in m["members"])
secs = end - start
mbps = data / 1e6 / secs
bundle = sum(r["size"] for r in ready) / 1e6 / secs
per_min = n / secs * 60
scale = "%.2fx" % (mbps / base) if base else "1.00x"
print("%-8d %10.2f %12.1f %12.1f %14.1f %10s %.3f" % (n, secs, mbps, bundle, per_min, scale, mbps))
PY
)
  echo "${line% *}"
  [ -z "$base" ] && base=${line##* }
done
echo "(scaling: aggregate data MB/s against 1 device; $BANDWIDTH MB/s link per device, $(nproc) CPU cores)"
