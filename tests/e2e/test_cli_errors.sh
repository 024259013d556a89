#!/usr/bin/env bash
# The failures a technician meets, each with its documented sentence (from
# agent/hints.c) on stderr, its exit code, and with --json an error document:
# trust pending (and --wait until the simulated tap), trust denied, locked
# (and --wait until unlocked), a device detaching mid-pull (nothing partial
# kept), -u of an absent device, no device, usbmuxd unreachable.
source "$(dirname "$0")/lib.sh"
udid_of() { python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["UDID"])' "$1/device.plist"; }
UP=$(udid_of "$(profile trust-pending)")
UL=$(udid_of "$(profile locked)")
UX=$(udid_of "$(profile detaching)")
UD=00008030-00000000000DE41E
sim_mkprofile "$T/denied" "$UD" "<key>Trust</key><string>denied</string>"
sim_start "$(profile trust-pending)" "$(profile locked)" "$(profile detaching)" "$T/denied"
sim_forget_pairing "$UL" # a locked device this host never paired with

# run NAME EXPECTED_EXIT CMD... : runs caseprobe, checks the exit status
run() {
  local name=$1 want=$2
  shift 2
  "$CP_BIN" "$@" >"$T/$name.out" 2>"$T/$name.err"
  local got=$?
  [ "$got" = "$want" ] || { cat "$T/$name.err" >&2; fail "$name: exit $got, expected $want"; }
}

# Trust pending: 14 and the Trust sentence; --json adds the error document.
run pend 14 info -u "$UP"
assert_contains "$T/pend.err" "caseprobe: waiting for Trust on the device"
assert_contains "$T/pend.err" "Tap Trust on the device, then run again (or add --wait to wait for the tap)."
run pendj 14 battery -u "$UP" --json
assert_eq "$(json_get "$T/pendj.out" 'd["error"]["name"]')" "trust_pending" "json error name"
assert_eq "$(json_get "$T/pendj.out" 'd["error"]["code"]')" "14" "json error code"
# --wait: told once, then succeeds when Trust is tapped.
# Tap only once the notice is out: a fixed sleep races a loaded machine.
(for _ in $(seq 1 300); do grep -q 'tap Trust on the device' "$T/pendw.err" 2>/dev/null && break; sleep 0.1; done
 sim_ctl trust "$UP" >/dev/null) &
tapper=$!
run pendw 0 info -u "$UP" --wait=20 --json
wait "$tapper" # not a bare wait: the simulator is a background job too
assert_eq "$(grep -c 'tap Trust on the device' "$T/pendw.err")" "1" "wait notice said once"
assert_eq "$(json_get "$T/pendw.out" 'd["udid"]')" "$UP" "info after trust"

# Trust denied: 15.
run deny 15 info -u "$UD"
assert_contains "$T/deny.err" "Unplug and replug the device, tap Trust when asked, then run again."

# Locked: 16 for every command needing a service; unlock and it works.
run lock 16 battery -u "$UL"
assert_contains "$T/lock.err" "Unlock the device with its passcode, then run again."
run lockc 16 crashes list -u "$UL"
run locka 16 apps -u "$UL" --json
assert_eq "$(json_get "$T/locka.out" 'd["error"]["name"]')" "locked" "locked json"
(for _ in $(seq 1 300); do grep -q 'unlock the device with its passcode; waiting' "$T/lockw.err" 2>/dev/null && break; sleep 0.1; done
 sim_ctl unlock "$UL" >/dev/null) &
tapper=$!
run lockw 0 battery -u "$UL" --wait=20 --json
wait "$tapper"
assert_contains "$T/lockw.err" "unlock the device with its passcode; waiting"
json_get "$T/lockw.out" 'd["cycle_count"]' >/dev/null || fail "battery after unlock"

# Detaching mid-pull: 18, the cable sentence, and no partial file kept:
# whatever is in the folder is whole and identical to the device's file.
run det 18 crashes pull "$T/det" -u "$UX"
assert_contains "$T/det.err" "caseprobe: device was disconnected"
assert_contains "$T/det.err" "nothing partial was kept"
python3 - "$(profile detaching)/crash" "$T/det" <<'PY' || fail "partial or altered file after detach"
import hashlib, os, sys
src, dst = sys.argv[1], sys.argv[2]
for d, _, files in os.walk(dst):
    for n in files:
        p = os.path.join(d, n)
        rel = os.path.relpath(p, dst)
        if rel in (".caseprobe-pull.json",):
            continue
        assert ".cp-part" not in n, "temp file left: " + rel
        a = hashlib.sha256(open(p, "rb").read()).hexdigest()
        b = hashlib.sha256(open(os.path.join(src, rel), "rb").read()).hexdigest()
        assert a == b, "differs: " + rel
PY
sim_ctl status >"$T/status.txt"
assert_contains "$T/status.txt" "$UX detached"

# -u of a device that is not attached: 13 (the detached one counts as absent).
run nf 13 info -u "$UX"
assert_contains "$T/nf.err" "Check the UDID with 'caseprobe list'"

# No device at all: 11.
sim_ctl detach all >/dev/null
run none 11 battery
assert_contains "$T/none.err" "Plug the device in with a data cable"
"$CP_BIN" list --json >"$T/l.json" 2>&1 || fail "list with no device"
assert_eq "$(json_get "$T/l.json" 'len(d["devices"])')" "0" "empty list"

# usbmuxd unreachable: 10.
USBMUXD_SOCKET_ADDRESS="UNIX:$T/nothing.sock" run mux 10 info
# the socket is named; the advice is to plug in and check the cable (on Linux
# udev starts usbmuxd when a phone is plugged in: "start usbmuxd" is wrong there)
assert_contains "$T/mux.err" "nothing answers at UNIX:$T/nothing.sock"
assert_contains "$T/mux.err" "Plug the phone in with a data cable and check the cable"
assert_not_contains "$T/mux.err" "Start usbmuxd"
echo ok
