#!/usr/bin/env bash
# caseprobe doctor, each state against its golden output (human and --json):
# usbmuxd states from real sockets (absent, left over and not answering, a
# malformed USBMUXD_SOCKET_ADDRESS), simulator states (device listed on a slow
# link, Trust pending, locked, Trust denied), and bus states the simulator
# cannot make, from fixture sysfs trees (Recovery 0x1281, DFU 0x1227, an
# iPhone on USB that usbmuxd does not list). Exit codes are checked too.
# Goldens: tests/e2e/golden/doctor/<state>.{txt,json}; the temporary folder
# is written as $T in them. UPDATE_GOLDEN=1 rewrites them (then read the diff).
source "$(dirname "$0")/lib.sh"
G="$CP_SRC/tests/e2e/golden/doctor"
FX="$CP_SRC/tests/e2e/fixtures/sysfs"
for t in empty recovery dfu unlisted listed-slow; do
  [ -s "$FX/$t/bus/usb/devices/usb1/idVendor" ] || fail "fixture tree $t missing"
done

# check STATE EXPECTED_EXIT : runs doctor twice (text, --json) and compares
check() {
  local st=$1 want=$2 rc
  "$CP_BIN" doctor >"$T/$st.txt" 2>"$T/$st.err"
  rc=$?
  assert_eq "$rc" "$want" "$st: exit status"
  "$CP_BIN" doctor --json >"$T/$st.json" 2>>"$T/$st.err"
  rc=$?
  assert_eq "$rc" "$want" "$st: exit status (--json)"
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/$st.json" || fail "$st: not JSON"
  local ext
  for ext in txt json; do
    # the shipped profiles carry a fixed device time: the skew grows each day
    sed -i -e "s|$T|\$T|g" -e 's/clock is [0-9]* days/clock is N days/' "$T/$st.$ext"
    if [ -n "${UPDATE_GOLDEN:-}" ]; then
      cp "$T/$st.$ext" "$G/$st.$ext"
    else
      [ -s "$G/$st.$ext" ] || fail "golden $G/$st.$ext missing"
      diff -u "$G/$st.$ext" "$T/$st.$ext" >&2 || fail "$st.$ext differs from its golden"
    fi
  done
  [ ! -s "$T/$st.err" ] || { cat "$T/$st.err" >&2; fail "$st: stderr not empty"; }
}

# --- usbmuxd states, no simulator
export CASEPROBE_SYSFS_ROOT="$FX/empty"
export USBMUXD_SOCKET_ADDRESS="UNIX:$T/absent.sock"
check absent 10
# a socket file left behind by a usbmuxd that is gone: it exists, nobody listens
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$T/stale.sock"
[ -S "$T/stale.sock" ] || fail "no stale socket made"
export USBMUXD_SOCKET_ADDRESS="UNIX:$T/stale.sock"
check stale 10
export USBMUXD_SOCKET_ADDRESS="usbmuxd-please"
check malformed 10

# --- bus states from fixtures (no usbmuxd: a phone in Recovery/DFU is not served)
export USBMUXD_SOCKET_ADDRESS="UNIX:$T/absent.sock"
CASEPROBE_SYSFS_ROOT="$FX/recovery" check recovery 23
CASEPROBE_SYSFS_ROOT="$FX/dfu" check dfu 23

# --- simulator states
# a device whose clock is the host's (no TimeIntervalSince1970 in its
# profile: the simulator gives "now") and whose UDID is the listed-slow
# fixture's USB serial
sim_mkprofile "$T/listed" 00008030-0011594C3A82802E
sim_start "$T/listed"
CASEPROBE_SYSFS_ROOT="$FX/listed-slow" check listed 0
sim_stop
sim_start "$(profile iphone-modern)"
CASEPROBE_SYSFS_ROOT="$FX/unlisted" check unlisted 11
sim_stop
sim_start "$(profile trust-pending)"
check pending 14
sim_stop
sim_start "$(profile locked)"
check locked 16 # paired before: lockdown answers, services are refused
sim_forget_pairing "$(python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["UDID"])' "$(profile locked)/device.plist")"
check locked-unpaired 16 # never paired: the Trust dialog waits for an unlock
sim_stop
sim_start "$(profile trust-denied)"
check denied 15
sim_stop

# a stray argument is a usage error; -h needs no device
"$CP_BIN" doctor stray >/dev/null 2>&1
assert_eq "$?" 2 "doctor with a stray argument"
"$CP_BIN" doctor -h >"$T/help.txt" || fail "doctor -h"
assert_contains "$T/help.txt" "usage: caseprobe doctor"
echo PASS
