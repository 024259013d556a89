#!/usr/bin/env bash
# Station events tell an operator which phone on the hub is which: every
# event of a device carries its model and its name (always redacted: the
# device name is one of the device's own identifiers, which no policy can
# turn off, so a policy that tries is refused), and bundle_ready carries the battery
# verdict and crash counts. Expected values from the profile sim_mkprofile
# writes: an iPhone 11 (iPhone12,1), battery 89.7 % at 321 cycles (ok), five
# reports: one forced restart (151, not a panic), one jetsam (298).
source "$(dirname "$0")/lib.sh"
UA=00008030-0051AAAA00000001
UB=00008030-0051BBBB00000002
sim_mkprofile "$T/a" "$UA"
sim_mkprofile "$T/b" "$UB"
python3 - "$T/b/lockdown/global.plist" <<'PY' || fail "rename"
import plistlib, sys
d = plistlib.load(open(sys.argv[1], "rb"))
d["DeviceName"] = "李娜的iPhone"
plistlib.dump(d, open(sys.argv[1], "wb"))
PY
base() {
  sed -e 's/^syslog_seconds = .*/syslog_seconds = 1/' \
      -e 's/^retries = .*/retries = 0/' \
      -e 's/^wait_trust_seconds = .*/wait_trust_seconds = 0/' \
      "$CP_SRC/packaging/station-policy.example"
}
base >"$T/policy.redacted"
# A policy that tries to show device names (device_name = off in [redaction])
# is refused before any device is touched.
base | sed 's/^\[redaction\]$/[redaction]\ndevice_name = off/' >"$T/policy.shown"
grep -qx 'device_name = off' "$T/policy.shown" || fail "could not write the policy"

sim_start "$T/a" "$T/b"
rc=0
"$CP_BIN" station --no-syslog --policy "$T/policy.shown" --spool "$T/spool.shown" \
  --events "$T/ev.shown" --once 2 2>"$T/log.shown" || rc=$?
[ "$rc" = 34 ] || { cat "$T/log.shown" >&2; fail "device_name = off: station exit $rc, want 34"; }
grep -q "device_name cannot be turned off" "$T/log.shown" || fail "no sentence for device_name = off"
for mode in redacted; do
  rc=0
  timeout 200 "$CP_BIN" station --no-syslog --policy "$T/policy.$mode" --spool "$T/spool.$mode" \
    --events "$T/ev.$mode" --once 2 2>"$T/log.$mode" || rc=$?
  [ "$rc" = 0 ] || { cat "$T/log.$mode" >&2; fail "$mode: station exit $rc"; }
  python3 - "$T/ev.$mode" "$mode" "$UA" "$UB" <<'PY' || fail "$mode: events"
import json, sys
path, mode, ua, ub = sys.argv[1:]
ev = [json.loads(l) for l in open(path, encoding="utf-8")]
names = {ua: "Sim iPhone 0001", ub: "李娜的iPhone"}
for u in (ua, ub):
    mine = [e for e in ev if e.get("udid") == u and e["event"] in ("collecting", "bundle_ready")]
    assert mine, (u, ev)
    for e in mine:
        assert e.get("model") == "iPhone 11", e
        want = names[u] if mode == "shown" else "(redacted by policy)"
        assert e.get("name") == want, (e.get("name"), want)
    ready = [e for e in mine if e["event"] == "bundle_ready"]
    assert len(ready) == 1, mine
    r = ready[0]
    assert r["battery_verdict"] == "ok", r
    c = r["crashes"]
    assert (c["total"], c["panics"], c["forced_restarts"], c["jetsam"]) == (5, 0, 1, 1), c
if mode == "redacted":
    text = open(path, encoding="utf-8").read()
    assert "Sim iPhone" not in text and "\\u674e" not in text.lower() and "李娜" not in text, "name leaked"
PY
done
echo PASS
