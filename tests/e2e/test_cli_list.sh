#!/usr/bin/env bash
# caseprobe list [--watch]: every attached device with the name, model and
# iOS of its profile, trust read without pairing ("trusted" for a paired
# profile, whose record usbmuxd holds from the start; "not_paired" for a
# pending one until a command pairs); --watch --json prints attach/detach events
# as JSON lines until SIGINT.
source "$(dirname "$0")/lib.sh"
PROFS="iphone-modern iphone7-legacy ipad trust-pending"
dirs=()
for p in $PROFS; do dirs+=("$(profile "$p")"); done
sim_start "${dirs[@]}"
udid_of() { python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["UDID"])' "$(profile "$1")/device.plist"; }

"$CP_BIN" list --json >"$T/l1.json" 2>"$T/l1.err" || fail "list exit $?"
for p in $PROFS; do
  python3 - "$(profile "$p")" "$T/l1.json" <<'PY' || fail "list row of $p"
import json, plistlib, sys
prof, out = sys.argv[1], json.load(open(sys.argv[2]))
g = plistlib.load(open(prof + "/lockdown/global.plist", "rb"))
d = plistlib.load(open(prof + "/device.plist", "rb"))
rows = [r for r in out["devices"] if r["udid"] == d["UDID"]]
assert len(rows) == 1, rows
r = rows[0]
assert r["name"] == g["DeviceName"], r
assert r["product_type"] == g["ProductType"], r
assert r["product_version"] == g["ProductVersion"], r
want = "not_paired" if d.get("Trust") == "pending" else "trusted"
assert r["trust"] == want, r   # list never pairs
assert r["connection"] == "usb", r
PY
done
assert_eq "$(json_get "$T/l1.json" 'len(d["devices"])')" "4" "device count"
# Listing did not pop the Trust dialog on the pending device.
assert_not_contains "$SIM_LOG" "$(udid_of trust-pending): Pair"
assert_not_contains "$SIM_LOG" "Pair ->"

u=$(udid_of trust-pending)
sim_ctl trust "$u" >/dev/null || fail "ctl trust"

"$CP_BIN" info -u "$u" >/dev/null 2>&1 || fail "info pairs"
"$CP_BIN" list --json >"$T/l2.json" || fail "list 2"
assert_eq "$(json_get "$T/l2.json" "[r['trust'] for r in d['devices'] if r['udid']=='$u'][0]")" "trusted" "trust after pairing"
"$CP_BIN" list >"$T/l2.txt" || fail "list text"
assert_contains "$T/l2.txt" "iPhone 11 Pro Max"
assert_contains "$T/l2.txt" "$(udid_of iphone7-legacy)"

# --watch: initial attached events, then a detach and an attach of one device.
"$CP_BIN" list --watch --json >"$T/w.jsonl" 2>"$T/w.err" &
W=$!
lines_at_least() { [ "$(wc -l <"$T/w.jsonl")" -ge "$1" ]; }
wait_for -p "$W" 30 "the initial attached events of list --watch" lines_at_least 4
sim_ctl detach "$u" >/dev/null || fail "detach"
sim_ctl attach "$u" >/dev/null || fail "attach"
wait_for -p "$W" 30 "the detached and attached events of list --watch" lines_at_least 6
kill -INT "$W"
wait "$W"
assert_eq "$?" "0" "watch exit after SIGINT"
python3 - "$T/w.jsonl" "$u" <<'PY' || fail "watch events"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
u = sys.argv[2]
kinds = [(e["event"], e["udid"]) for e in ev]
assert sum(1 for k in kinds if k[0] == "attached") >= 5, kinds
i = kinds.index(("detached", u))
assert ("attached", u) in kinds[i + 1:], kinds
for e in ev:
    assert e["time"].endswith("Z"), e
    if e["event"] == "attached":
        assert e["name"], e
PY
"$CP_BIN" list --bogus >/dev/null 2>&1
assert_eq "$?" "2" "bad option"
echo ok
