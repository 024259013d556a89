#!/usr/bin/env bash
# A pulled cable mid-collect, a locked device and a device waiting for Trust:
# each ends with its documented sentence and exit code, and no bundle (nor a
# partial file) is left in the output folder. Then the same device, fault
# gone, collects fine.
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/out"

sim_start "$(profile detaching)" "$(profile locked)" "$(profile trust-pending)"
udid_of() { python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["UDID"])' "$1/device.plist"; }
DET=$(udid_of "$(profile detaching)")
LOCK=$(udid_of "$(profile locked)")
PEND=$(udid_of "$(profile trust-pending)")

run() { # run NAME UDID -> sets rc, output in $T/NAME.err
  set +e
  "$CP_BIN" collect --case "F-$1" --scope all --yes -u "$2" -o "$T/out" </dev/null >"$T/$1.out" 2>"$T/$1.err"
  rc=$?
  set -e
}

run detach "$DET"
assert_eq "$rc" 18 "pulled cable exit code"
assert_contains "$T/detach.err" "device was disconnected"
assert_contains "$T/detach.err" "Check the cable"
[ -z "$(ls -A "$T/out")" ] || fail "pulled cable left files: $(ls -A "$T/out")"

sim_forget_pairing "$LOCK" # this host never paired with it: pairing meets the lock
run locked "$LOCK"
assert_eq "$rc" 16 "locked exit code"
assert_contains "$T/locked.err" "Unlock the device"
[ -z "$(ls -A "$T/out")" ] || fail "locked device left files"

run pending "$PEND"
assert_eq "$rc" 14 "trust pending exit code"
assert_contains "$T/pending.err" "Tap Trust on the device"
[ -z "$(ls -A "$T/out")" ] || fail "trust-pending device left files"

# The faults go away: unlock, tap Trust; both now collect and verify.
sim_ctl unlock "$LOCK" >/dev/null
sim_ctl trust "$PEND" >/dev/null
for u in "$LOCK" "$PEND"; do
  "$CP_BIN" collect --case "OK-${u: -6}" --scope battery,system --yes -u "$u" -o "$T/out" </dev/null \
    >"$T/ok.out" 2>"$T/ok.err" || fail "collect after the fault cleared: $(cat "$T/ok.err")"
  "$CP_BIN" verify "$(tail -n 1 "$T/ok.out")" >/dev/null || fail "verify after the fault cleared"
done
echo PASS
