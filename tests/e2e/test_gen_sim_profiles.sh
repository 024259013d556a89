#!/bin/bash
# test_gen_sim_profiles.sh: the simulator serves every shipped profile the way
# the real libimobiledevice tools expect: ideviceinfo -k ProductType gives the
# profile's ProductType, idevicediagnostics ioregentry gives its battery entry
# (AppleSmartBattery, or AppleARMPMUCharger on the iPhone 7) with its figures,
# and idevicecrashreport -k copies its whole crash tree byte for byte. The
# trust-pending and locked devices refuse a session; the detaching device
# goes away part-way through the crash pull. A generated profile is served too.
. "$(dirname "$0")/lib.sh"
[ -x "$CP_SIM" ] || fail "no simulator at $CP_SIM"
P="$CP_SRC/tests/sim/profiles"
udid() { python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["UDID"])' "$1/device.plist"; }
gval() { python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))[sys.argv[2]])' "$1/lockdown/global.plist" "$2"; }

"$CP_SIM_GEN" "$T/gen" --crashes 40 --crash-mb 2 --seed 5 --udid 00008030-00AB00CD00EF0012 \
  2>/dev/null || fail "caseprobe-sim-gen"

# one simulator per device: a start makes each device's key pair, and eight at
# once can take longer than sim_start waits on a loaded machine
restart() {
  sim_stop
  rm -f "$SIM_LOG"
  sim_start "$@"
}

check_device() { # DIR ENTRY
  local d=$1 entry=$2 u out
  u=$(udid "$d")
  restart "$d"
  idevice_id -l >"$T/ids" 2>&1 || fail "idevice_id -l"
  assert_contains "$T/ids" "$u"
  out=$(ideviceinfo -u "$u" -k ProductType 2>&1) || fail "ideviceinfo $d: $out"
  assert_eq "$out" "$(gval "$d" ProductType)" "ProductType of $d"
  out=$(ideviceinfo -u "$u" -k ProductVersion 2>&1) || fail "ideviceinfo $d: $out"
  assert_eq "$out" "$(gval "$d" ProductVersion)" "ProductVersion of $d"
  idevicediagnostics -u "$u" ioregentry "$entry" >"$T/io.xml" 2>"$T/io.err" ||
    fail "ioregentry $entry on $d: $(cat "$T/io.err")"
  python3 - "$T/io.xml" "$d/diagnostics/ioreg/$entry.plist" <<'PY' || fail "battery entry of $d"
import plistlib, sys
got = plistlib.load(open(sys.argv[1], 'rb'))
got = got.get('IORegistry', got)
want = plistlib.load(open(sys.argv[2], 'rb'))
for k in ('CycleCount', 'DesignCapacity', 'NominalChargeCapacity', 'AppleRawMaxCapacity',
          'Temperature', 'Voltage'):
    assert got[k] == want[k], (k, got.get(k), want[k])
PY
  rm -rf "$T/pull" && mkdir "$T/pull"
  idevicecrashreport -u "$u" -k "$T/pull" >"$T/pull.out" 2>&1 || fail "crashreport $d: $(tail -3 "$T/pull.out")"
  assert_contains "$T/pull.out" "Done."
  python3 - "$d/crash" "$T/pull" <<'PY' || fail "crash tree of $d"
import filecmp, os, sys
src, dst = sys.argv[1], sys.argv[2]
n = 0
for dp, dn, fn in os.walk(src):
    for f in fn:
        rel = os.path.relpath(os.path.join(dp, f), src)
        local = rel[:-len('.synced')] if rel.endswith('.synced') else rel
        assert filecmp.cmp(os.path.join(src, rel), os.path.join(dst, local), shallow=False), rel
        n += 1
got = sum(len(fn) for _, _, fn in os.walk(dst))
assert got == n, (got, n)
PY
}

# the replayed syslog parses in idevicesyslog's format (pid column found)
check_syslog() { # DIR (its simulator is running)
  local d=$1 proc
  proc=$(head -n 1 "$d/syslog.txt" | awk '{print $5}' | sed 's/[[(].*//')
  timeout -s INT 8 idevicesyslog -u "$(udid "$d")" -p "$proc" >"$T/syslog.out" 2>&1
  [ "$(grep -c "$proc" "$T/syslog.out")" -ge 5 ] ||
    fail "idevicesyslog -p $proc on $d: $(head -c 600 "$T/syslog.out")"
  assert_not_contains "$T/syslog.out" "Annas-iPhone"  # device column is parsed, not shown
}

check_device "$P/iphone-modern" AppleSmartBattery
check_syslog "$P/iphone-modern"
check_device "$P/iphone7-legacy" AppleARMPMUCharger
check_syslog "$P/iphone7-legacy"
check_device "$P/ipad" AppleSmartBattery
check_device "$P/worn-battery" AppleSmartBattery
check_device "$T/gen" AppleSmartBattery

# no session without a tap / with a passcode lock
restart "$P/trust-pending" "$P/trust-denied" "$P/locked"
sim_forget_pairing "$(udid "$P/locked")" # a host that never paired: a paired one gets a session
for d in trust-pending trust-denied locked; do
  out=$(ideviceinfo -u "$(udid "$P/$d")" -k ProductType 2>&1) && fail "$d gave a session: $out"
  case "$out" in *iPhone12,5*) fail "$d answered ProductType after a failed handshake" ;; esac
done

# the detaching device vanishes mid-pull: some, not all, of its tree arrives
d="$P/detaching"
restart "$d" "$P/iphone-modern"
rm -rf "$T/pull" && mkdir "$T/pull"
timeout 60 idevicecrashreport -u "$(udid "$d")" -k "$T/pull" >"$T/pull.out" 2>&1
total=$(find "$d/crash" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
got=$(find "$T/pull" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')
[ "$got" -lt "$total" ] || fail "detaching: whole tree ($got of $total bytes) arrived"
[ "$got" -gt 0 ] || fail "detaching: nothing arrived before the detach"
idevice_id -l >"$T/ids2" 2>&1
assert_not_contains "$T/ids2" "$(udid "$d")"
assert_contains "$T/ids2" "$(udid "$P/iphone-modern")"
echo ok
