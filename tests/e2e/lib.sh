# tests/e2e/lib.sh: sourced by every end-to-end test (bash). Gives the paths
# ctest passes (CP_BIN, CP_SIM, CP_SIM_GEN, CP_SRC, CP_BUILD, CP_SHARED), a
# private temporary folder $T that is removed on exit, and the simulator's
# start/stop through its stable command line:
#   caseprobe-sim --socket PATH [--bandwidth MBPS] [--latency-us N] PROFILE_DIR...
# which prints "ready" on its own line once the socket accepts connections.
set -u

: "${CP_BIN:?run through ctest}" "${CP_SIM:?}" "${CP_SRC:?}" "${CP_SHARED:=$CP_SRC/../shared}"
: "${CP_SIM_GEN:=$(dirname "$CP_SIM")/caseprobe-sim-gen}"
T=$(mktemp -d "${TMPDIR:-/tmp}/cp-e2e.XXXXXX")
SIM_PID=""
SIM_SOCK="$T/usbmuxd.sock"
SIM_LOG="$T/sim.log"

cleanup() {
  sim_stop
  if [ -n "${KEEP_T:-}" ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  if [ -f "$SIM_LOG" ]; then
    echo "--- simulator log (last 30 lines) ---" >&2
    tail -n 30 "$SIM_LOG" >&2
  fi
  exit 1
}

# profile NAME -> path of a shipped profile folder
profile() { echo "$CP_SRC/tests/sim/profiles/$1"; }

# sim_start [sim options] PROFILE_DIR... : starts the simulator on $SIM_SOCK,
# waits for "ready", and points libusbmuxd (and caseprobe) at it.
sim_start() {
  "$CP_SIM" --socket "$SIM_SOCK" "$@" >"$SIM_LOG" 2>&1 &
  SIM_PID=$!
  local i
  for i in $(seq 1 200); do
    if grep -qx ready "$SIM_LOG" 2>/dev/null; then
      export USBMUXD_SOCKET_ADDRESS="UNIX:$SIM_SOCK"
      return 0
    fi
    kill -0 "$SIM_PID" 2>/dev/null || fail "simulator exited before ready"
    sleep 0.05
  done
  fail "simulator not ready after 10 s"
}

sim_stop() {
  if [ -n "$SIM_PID" ]; then
    kill -TERM "$SIM_PID" 2>/dev/null
    wait "$SIM_PID" 2>/dev/null
    SIM_PID=""
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
