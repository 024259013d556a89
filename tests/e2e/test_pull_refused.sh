#!/usr/bin/env bash
# A device that declines to hand out one file (Faults.RefuseOpen: AFC
# PERM_DENIED for one report, NO_RESOURCES for another) costs those two
# files, not the pull: every other report arrives byte for byte, the two
# are failure rows coded device_refused (exit 24, the one code every failure
# shares; 35 when failures differ), and
# the person reads what the device did, not the output-folder hint of a
# local input/output error. A collect of the same device still makes a
# bundle that verifies, with the two refusals in its crash index.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_fault.sh"
U=$(fault_udid 724)
DENIED="Retired/iOSCrashingTest-2026-09-02-144107.ips"
BUSY="SanferEventsApp-2026-11-21-070244.ips"
fault_profile "$(profile iphone-modern)" "$T/p" "$U" "{'RefuseOpen': {'$DENIED': 10, '$BUSY': 3}}"
[ -f "$T/p/crash/$DENIED" ] && [ -f "$T/p/crash/$BUSY" ] || fail "fixture: the profile lacks the two reports"
sim_start "$T/p"

rc=0
"$CP_BIN" crashes pull "$T/out" -u "$U" --json >"$T/pull.json" 2>"$T/pull.err" || rc=$?
[ "$rc" -eq 24 ] || fail "pull exited $rc (expected 24: the device refused files, the rest came): $(head -c 600 "$T/pull.err")"
python3 - "$T/pull.json" "$T/p/crash" "$T/out" "$DENIED" "$BUSY" <<'PY' || fail "the refused files were not just two failure rows"
import hashlib, json, os, sys
d = json.load(open(sys.argv[1]))
src, out, denied, busy = sys.argv[2:6]
failed = {f["path"]: f for f in d["failed"]}
assert set(failed) == {denied, busy}, sorted(failed)
for p, status in ((denied, "PERM_DENIED"), (busy, "NO_RESOURCES")):
    assert failed[p]["code_name"] == "device_refused", failed[p]
    assert status in failed[p]["error"], failed[p]
    assert not os.path.exists(os.path.join(out, p)), "refused %s was written" % p
real = [os.path.relpath(os.path.join(dp, f), src) for dp, _, fs in os.walk(src) for f in fs
        if not os.path.islink(os.path.join(dp, f))]
got = {p["path"]: p["sha256"] for p in d["pulled"]}
want = set(real) - {denied, busy}
assert len(want) >= 5, sorted(want)
assert set(got) == want, (sorted(set(got) ^ want))
for r in want:
    assert got[r] == hashlib.sha256(open(os.path.join(src, r), "rb").read()).hexdigest(), r
    assert open(os.path.join(out, r), "rb").read() == open(os.path.join(src, r), "rb").read(), r
print("pulled %d reports; 2 refused" % len(want))
PY

# The sentence a person reads: the device refused, the rest was collected.
rc=0
"$CP_BIN" crashes pull "$T/out2" -u "$U" >"$T/pull2.out" 2>"$T/pull2.err" || rc=$?
[ "$rc" -eq 24 ] || fail "human pull exited $rc: $(head -c 600 "$T/pull2.err")"
assert_contains "$T/pull2.err" "refused by the device (AFC PERM_DENIED"
assert_contains "$T/pull2.err" "The other files were collected"
assert_not_contains "$T/pull2.err" "writable"

rc=0
"$CP_BIN" collect --case REFUSED --scope crashes --yes -u "$U" -o "$T/bundle" >"$T/collect.out" 2>"$T/collect.err" || rc=$?
case $rc in 0 | 24 | 35) ;; *) fail "collect exited $rc: $(head -c 600 "$T/collect.err")" ;; esac
B=$(ls "$T"/bundle/*.tar.gz 2>/dev/null | head -n 1)
[ -n "$B" ] || fail "collect made no bundle: $(head -c 600 "$T/collect.err")"
"$CP_BIN" verify "$B" >/dev/null || fail "the bundle does not verify"
mkdir -p "$T/x" && tar -xzf "$B" -C "$T/x" crashes/index.json || fail "no crashes/index.json in the bundle"
python3 - "$T/x/crashes/index.json" <<'PY' || fail "the bundle's crash index does not list the two refusals"
import json, sys
d = json.load(open(sys.argv[1]))
codes = sorted(f["code_name"] for f in d["failed"])
assert codes == ["device_refused", "device_refused"], d["failed"]
PY
echo ok
