#!/usr/bin/env bash
# End-to-end: one simulator with ten devices at once (copies of the shipped
# profiles, each with its own UDID): eight good ones, one that is unplugged
# mid-way (Faults.DetachAfterBytes) and one passcode-locked. The station,
# under the shipped example policy (only made faster), must collect the
# eight in parallel into bundles `caseprobe verify` accepts, give the
# detached one a clear `failed` event and no bundle, the locked one a
# `locked` event, and tell all of it in its JSON-lines events.
source "$(dirname "$0")/lib.sh"

P="$T/profiles"
mkdir -p "$P"
# mkprofile NAME BASE N: copy of shipped profile BASE with UDID 0000TEST-<N>
mkprofile() {
  local dst="$P/$1" new
  new=$(printf '00008030-E2E1%012X' "$3")
  fixture_cp "$(profile "$2")" "$dst"
  local old
  old=$(python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["UDID"])' "$dst/device.plist")
  grep -rlF "$old" "$dst" | while IFS= read -r f; do sed -i "s/$old/$new/g" "$f"; done
  grep -qF "$new" "$dst/lockdown/global.plist" || fail "UDID not replaced in $dst"
  echo "$new"
}
GOOD=()
GOOD+=("$(mkprofile m1 iphone-modern 1)")
GOOD+=("$(mkprofile m2 iphone-modern 2)")
GOOD+=("$(mkprofile m3 iphone-modern 3)")
GOOD+=("$(mkprofile ipad ipad 4)")
GOOD+=("$(mkprofile legacy iphone7-legacy 5)")
GOOD+=("$(mkprofile worn worn-battery 6)")
GOOD+=("$(mkprofile m7 iphone-modern 7)")
GOOD+=("$(mkprofile m8 iphone-modern 8)")
DET=$(mkprofile det detaching 9)
# Cut the cable early enough that it happens mid-collection whatever probes
# are built in (the shipped value is tuned for the crash-log probe).
python3 - "$P/det/device.plist" <<'PY'
import plistlib, sys
d = plistlib.load(open(sys.argv[1], "rb"))
d["Faults"]["DetachAfterBytes"] = 30000
plistlib.dump(d, open(sys.argv[1], "wb"))
PY
LOCK=$(mkprofile lock locked 10)

# The example policy, as shipped, with a short syslog and quick retries.
sed -e 's/^syslog_seconds = .*/syslog_seconds = 1/' \
    -e 's/^retries = .*/retries = 1/' \
    -e 's/^retry_delay_seconds = .*/retry_delay_seconds = 1/' \
    -e 's/^max_parallel = .*/max_parallel = 10/' \
    -e 's/^wait_trust_seconds = .*/wait_trust_seconds = 0/' \
    "$CP_SRC/packaging/station-policy.example" >"$T/policy"

sim_start --bandwidth 20 "$P"/*
sim_forget_pairing "$LOCK" # a locked device this station never paired with
rc=0
timeout 240 "$CP_BIN" station --no-syslog --policy "$T/policy" --spool "$T/spool" \
  --events "$T/events.jsonl" --once 10 2>"$T/station.log" || rc=$?
cat "$T/station.log" >&2
# Two devices failed on purpose: "some failed".
assert_eq "$rc" 35 "station exit status"

# Every bundle in ready/ passes verify; nothing partial is left.
n=0
for b in "$T/spool/ready"/*.caseprobe.tar.gz; do
  "$CP_BIN" verify "$b" >"$T/verify.out" 2>&1 || { cat "$T/verify.out" >&2; fail "verify rejected $b"; }
  n=$((n + 1))
done
assert_eq "$n" 8 "bundles in ready/"
leftover=$(find "$T/spool" -name '.*' -type f | wc -l)
assert_eq "$leftover" 0 "hidden (partial) files in the spool"

# A device's UDID never goes into its bundle (events only).
for b in "$T/spool/ready"/*.caseprobe.tar.gz; do
  for u in "${GOOD[@]}"; do
    if tar -xOzf "$b" | grep -qaiF "$u"; then fail "UDID $u found inside $b"; fi
    case "$b" in *"$u"*) fail "UDID in the file name $b" ;; esac
  done
done

python3 - "$T/events.jsonl" "$T/spool" "$DET" "$LOCK" "${GOOD[@]}" <<'PY' || fail "events do not tell the story"
import hashlib, json, os, sys
path, spool, det, lock, good = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
ev = [json.loads(l) for l in open(path)]
def fail(msg):
    print("events:", msg, file=sys.stderr); sys.exit(1)
for e in ev:
    if "event" not in e or "time" not in e or not e["time"].endswith("Z"):
        fail("event without event/time: %r" % e)
if ev[0]["event"] != "station_started" or ev[-1]["event"] != "station_stopped":
    fail("first/last events are %s/%s" % (ev[0]["event"], ev[-1]["event"]))
last = ev[-1]
if (last["handled"], last["failed"]) != (10, 2):
    fail("station_stopped counts %r" % last)
by = {}
for e in ev:
    if "udid" in e:
        by.setdefault(e["udid"], []).append(e)
for u in good + [det, lock]:
    if u not in by or by[u][0]["event"] != "attached":
        fail("%s: no attached event first" % u)
intervals = []
for u in good:
    kinds = [e["event"] for e in by[u]]
    if "failed" in kinds:
        fail("%s failed: %r" % (u, [e for e in by[u] if e["event"] == "failed"]))
    ready = [e for e in by[u] if e["event"] == "bundle_ready"]
    if len(ready) != 1:
        fail("%s: %d bundle_ready events" % (u, len(ready)))
    r = ready[0]
    if os.path.dirname(r["path"]) != os.path.join(spool, "ready"):
        fail("bundle outside ready/: %s" % r["path"])
    data = open(r["path"], "rb").read()
    if r["size"] != len(data) or r["sha256"] != hashlib.sha256(data).hexdigest():
        fail("%s: size/sha256 in the event do not match the file" % r["path"])
    if not os.path.basename(r["path"]).startswith(r["case_id"] + "-"):
        fail("bundle %s not named after case %s" % (r["path"], r["case_id"]))
    if kinds.index("collecting") > kinds.index("bundle_ready"):
        fail("%s: bundle_ready before collecting" % u)
    start = [e["time"] for e in by[u] if e["event"] == "collecting"][0]
    intervals.append((start, r["time"]))
# Case ids from the template are all different.
ids = [e["case_id"] for u in good for e in by[u] if e["event"] == "bundle_ready"]
if len(set(ids)) != len(ids) or not all(i.startswith("BENCH-") for i in ids):
    fail("case ids %r" % ids)
# In parallel: some device started before another one finished.
intervals.sort()
if not any(b[0] < a[1] for a, b in zip(intervals, intervals[1:])):
    fail("no two collections overlapped: %r" % intervals)
# The detached one: a failed event with code detached, no bundle.
d = by[det]
fails = [e for e in d if e["event"] == "failed"]
if len(fails) != 1 or fails[0]["code"] != "detached" or fails[0]["status"] != 18:
    fail("detached device: %r" % fails)
if not fails[0]["message"].startswith("device was disconnected") or "plug the device back in" not in fails[0]["hint"]:
    fail("detached device's sentence: %r" % fails[0])
if any(e["event"] == "bundle_ready" for e in d) or not any(e["event"] == "detached" for e in d):
    fail("detached device: bundle_ready or no detached event: %r" % [e["event"] for e in d])
if any(f.startswith(fails[0].get("case_id", "?") + "-") for f in os.listdir(os.path.join(spool, "ready"))):
    fail("a bundle of the detached device is in ready/")
# The locked one: locked event(s), then failed with code locked after the retry.
l = by[lock]
kinds = [e["event"] for e in l]
if "locked" not in kinds:
    fail("locked device: no locked event: %r" % kinds)
lf = [e for e in l if e["event"] == "failed"]
if len(lf) != 1 or lf[0]["code"] != "locked" or "Unlock" not in lf[0]["hint"] or lf[0]["attempts"] != 2:
    fail("locked device's failure: %r" % lf)
print("events ok: %d lines, %d devices" % (len(ev), len(by)))
PY
echo "ok"
