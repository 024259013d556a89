#!/usr/bin/env bash
# A hostile listing (Faults.HostileAFC, tests/sim/sim_hostile.c) with names
# holding '/' or a control byte costs those entries, not the folder: `crashes
# pull` leaves the six impossible names out (one failure row saying how many
# and where, with no raw name on the terminal), still refuses the absurd size
# and the vanishing flood one by one, and pulls every real report byte for
# byte (exit 35: finished, some failed); nothing is written outside the
# output folder.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_fault.sh"
H=$(fault_udid 711)
fault_profile "$(profile detaching)" "$T/h" "$H" "{'HostileAFC': True}"
rm -f /tmp/cp-hostile-escape.ips
sim_start "$T/h"
rc=0
"$CP_BIN" crashes pull "$T/out" -u "$H" --json >"$T/pull.json" 2>"$T/pull.err" || rc=$?
[ "$rc" -eq 35 ] || fail "pull exited $rc (expected 35: finished, some files failed): $(head -c 600 "$T/pull.err")"
python3 - "$T/pull.json" "$T/h/crash" "$T/out" <<'PY' || fail "the real reports were not all pulled next to the hostile names"
import hashlib, json, os, sys
d = json.load(open(sys.argv[1]))
src, out = sys.argv[2], sys.argv[3]
left = [f for f in d["failed"] if "left out" in f["error"]]
assert len(left) == 1 and left[0]["error"].startswith("6 name(s)"), left
real = []
for dp, _, fs in os.walk(src):
    for f in fs:
        p = os.path.join(dp, f)
        if os.path.isfile(p) and not os.path.islink(p):
            real.append(os.path.relpath(p, src))
assert real, "the profile has no reports"
got = {p["path"]: p["sha256"] for p in d["pulled"]}
for r in real:
    assert r in got, "%s not pulled" % r
    assert got[r] == hashlib.sha256(open(os.path.join(src, r), "rb").read()).hexdigest(), r
    assert open(os.path.join(out, r), "rb").read() == open(os.path.join(src, r), "rb").read(), r
# "nul\0hidden.ips" lists two names a file system can hold: served, harmless
assert set(got) - set(real) <= {"nul", "hidden.ips"}, sorted(set(got) - set(real))
print("pulled %d real reports; %d failure rows" % (len(real), len(d["failed"])))
PY
assert_not_contains "$T/pull.err" $'\x1b'
[ ! -e /tmp/cp-hostile-escape.ips ] || fail "a hostile name wrote /tmp/cp-hostile-escape.ips"
[ -z "$(find "$T" -name 'escape.ips' -o -name 'up.ips' -o -name 'cp-hostile-*')" ] || fail "a hostile name was written"
echo ok
