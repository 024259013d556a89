#!/usr/bin/env bash
# End-to-end: station uploads against a real S3-compatible server (s3rver).
#  1. The server is down: both bundles are made, each upload fails with a
#     `failed` event (stage upload, code network), the bundles stay in
#     SPOOL/ready/ and the station exits 35.
#  2. The server is up: a restarted station first uploads what ready/ kept,
#     then collects the (still attached, newly seen) devices and uploads
#     those too. Every bundle ends in SPOOL/sent/ with its receipt, ready/ is
#     empty, and the objects on the server are byte-identical. The secret
#     key (from the environment, never the policy) appears nowhere.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_upload.sh"

P="$T/profiles"
mkdir -p "$P"
fixture_cp "$(profile iphone-modern)" "$P/a"
fixture_cp "$(profile ipad)" "$P/b"
sim_start --bandwidth 0 "$P"/*

policy() { # policy URL
  sed -e 's/^syslog_seconds = .*/syslog_seconds = 1/' \
      -e 's/^enabled = no/enabled = yes/' \
      -e "s|^url =.*|url = $1|" \
      -e 's/^retries = 3/retries = 0/' \
      "$CP_SRC/packaging/station-policy.example" >"$T/policy"
  grep -q '^enabled = yes' "$T/policy" || fail "policy edit"
}

# 1. Nobody listens on the port.
policy "http://127.0.0.1:$(free_port)/cases/"
rc=0
timeout 120 "$CP_BIN" station --no-syslog --policy "$T/policy" --spool "$T/spool" \
  --events "$T/ev1.jsonl" --once 2 2>"$T/log1" || rc=$?
cat "$T/log1" >&2
assert_eq "$rc" 35 "station with the server down"
python3 - "$T/ev1.jsonl" <<'PY' || fail "events with the server down"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
ready = [e for e in ev if e["event"] == "bundle_ready"]
failed = [e for e in ev if e["event"] == "failed"]
if len(ready) != 2 or len(failed) != 2:
    sys.exit("ready %d, failed %d" % (len(ready), len(failed)))
for f in failed:
    if f["stage"] != "upload" or f["code"] != "network" or "udid" not in f:
        sys.exit("failed event: %r" % f)
if any(e["event"] == "uploaded" for e in ev):
    sys.exit("uploaded with no server")
PY
assert_eq "$(ls "$T/spool/ready" | grep -c '\.caseprobe\.tar\.gz$')" 2 "bundles kept in ready/"
assert_eq "$(ls "$T/spool/sent" | wc -l)" 0 "files in sent/"

# 2. The server is up.
s3_start
policy "$S3_URL/cases/bench-1/"
"$CP_SIM" --ctl "$SIM_SOCK" detach all >/dev/null || fail "ctl detach"
"$CP_SIM" --ctl "$SIM_SOCK" attach all >/dev/null || fail "ctl attach"
rc=0
timeout 120 "$CP_BIN" station --no-syslog --policy "$T/policy" --spool "$T/spool" \
  --events "$T/ev2.jsonl" --once 2 2>"$T/log2" || rc=$?
cat "$T/log2" >&2
assert_eq "$rc" 0 "station with the server up"
assert_eq "$(ls "$T/spool/ready" | wc -l)" 0 "files left in ready/"
n=0
for b in "$T/spool/sent"/*.caseprobe.tar.gz; do
  name=$(basename "$b")
  [ -f "$b.receipt.json" ] || fail "no receipt beside $b"
  assert_eq "$(json_get "$b.receipt.json" 'd["sha256"]')" "$(sha256sum <"$b" | cut -d' ' -f1)" "receipt sha256 of $name"
  assert_eq "$(s3_sha256 "bench-1/$name")" "$(sha256sum <"$b" | cut -d' ' -f1)" "object $name on the server"
  "$CP_BIN" verify "$b" >/dev/null 2>&1 || fail "verify $b"
  n=$((n + 1))
done
assert_eq "$n" 4 "bundles in sent/"
python3 - "$T/ev2.jsonl" "$T/spool/sent" <<'PY' || fail "events with the server up"
import json, os, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
up = [e for e in ev if e["event"] == "uploaded"]
if len(up) != 4:
    sys.exit("uploaded events: %d" % len(up))
# Two from the earlier run (no device: they came from ready/), two new.
if sum("udid" not in e for e in up) != 2:
    sys.exit("retried uploads: %r" % up)
for e in up:
    if os.path.dirname(e["path"]) != sys.argv[2] or not os.path.exists(e["receipt"]):
        sys.exit("uploaded event: %r" % e)
if any(e["event"] == "failed" for e in ev):
    sys.exit("a failure with the server up")
PY
for f in "$T"/ev1.jsonl "$T"/ev2.jsonl "$T"/log1 "$T"/log2 "$T"/spool/sent/*.json; do
  assert_not_contains "$f" "$TEST_SECRET"
done
echo "ok"
