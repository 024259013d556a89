# An interrupted multipart upload resumes without resending finished parts:
# caseprobe is killed with SIGKILL after some parts (the upload is slowed with
# --limit-rate and the state file watched), then run again. The server's log
# shows exactly the missing parts arriving, and the object is byte-identical.
# Then: a bundle that changed since the interruption starts over.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_upload.sh"

s3_start
head -c 40000000 /dev/urandom >"$T/big.tar.gz"
BIG=$(sha256sum <"$T/big.tar.gz" | cut -d' ' -f1)
STATE="$T/big.tar.gz.upload-state"
state_parts() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["parts"]))' "$STATE"; }

# interrupt_after N: starts a slow upload and kills it once N parts are recorded.
interrupt_after() {
  "$CP_BIN" upload "$T/big.tar.gz" --to "$S3_URL/cases/" --part-size 5MiB --limit-rate 6MiB \
    >"$T/slow.out" 2>"$T/slow.err" &
  local pid=$!
  wait_for -p "$pid" 60 "$1 parts recorded in the state file" parts_at_least "$1"
  kill -9 "$pid"
  wait "$pid" 2>/dev/null
}
parts_at_least() { [ -f "$STATE" ] && [ "$(state_parts 2>/dev/null || echo 0)" -ge "$1" ]; }

interrupt_after 2
DONE=$(state_parts)
[ "$DONE" -ge 2 ] && [ "$DONE" -lt 8 ] || fail "killed after $DONE parts, wanted 2..7"
[ -f "$T/big.tar.gz" ] || fail "the bundle went away"
[ ! -e "$T/big.tar.gz.receipt.json" ] || fail "a receipt exists for an unfinished upload"
ID=$(json_get "$STATE" 'd["upload_id"]')
# The part that was in flight may still be logged by the server (as a cut-off
# part): wait until its log has been quiet for a second before marking it.
wait_quiet "$S3_LOG" 1 40 "the server's log to settle after the cut-off part"
BEFORE=$(wc -l <"$S3_LOG")

"$CP_BIN" upload "$T/big.tar.gz" --to "$S3_URL/cases/" --part-size 5MiB --json \
  >"$T/resume.json" 2>"$T/resume.err"
rc=$?
[ $rc -eq 0 ] || { cat "$T/resume.err" >&2; fail "resume exit $rc"; }
tail -n +"$((BEFORE + 1))" "$S3_LOG" >"$T/resume.log"
SENT=$(grep -c "Stored part .* of $ID" "$T/resume.log")
assert_eq "$SENT" "$((8 - DONE))" "parts sent again after $DONE of 8 were done"
for n in $(seq 1 "$DONE"); do
  ! grep -q "Stored part $n of $ID" "$T/resume.log" || fail "finished part $n was sent again"
done
! grep -q "uploads=" "$T/resume.log" || fail "the resume started a new multipart upload"
assert_eq "$(json_get "$T/resume.json" 'd["resumed_parts"]')" "$DONE" "resumed parts"
assert_eq "$(json_get "$T/resume.json" 'd["parts"]')" 8 "parts"
assert_eq "$(s3_sha256 big.tar.gz)" "$BIG" "resumed object read back"
[ ! -e "$STATE" ] || fail "the state file was not removed"
assert_eq "$(json_get "$T/big.tar.gz.receipt.json" 'd["resumed_parts"]')" "$DONE" "receipt"

# SIGTERM (or Ctrl-C) stops at once with exit 50, keeps the state, and says
# how to resume.
rm -f "$T/big.tar.gz.receipt.json"
"$CP_BIN" upload "$T/big.tar.gz" --to "$S3_URL/cases/term.tar.gz" --part-size 5MiB \
  --limit-rate 6MiB >"$T/term.out" 2>"$T/term.err" &
pid=$!
wait_for -p "$pid" 60 "the first part recorded" parts_at_least 1
kill -TERM "$pid"
wait "$pid"
assert_eq "$?" 50 "upload stopped by SIGTERM"
assert_contains "$T/term.err" "run the same command again to resume"
[ -f "$STATE" ] || fail "SIGTERM lost the state file"
"$CP_BIN" upload "$T/big.tar.gz" --to "$S3_URL/cases/term.tar.gz" --part-size 5MiB --json \
  >"$T/term.json" 2>"$T/term2.err" || fail "resume after SIGTERM"
[ "$(json_get "$T/term.json" 'd["resumed_parts"]')" -ge 1 ] || fail "nothing resumed after SIGTERM"
assert_eq "$(s3_sha256 term.tar.gz)" "$BIG" "object after SIGTERM and resume"

# A bundle changed after an interruption must not be stitched to old parts.
rm -f "$T/big.tar.gz.receipt.json"
interrupt_after 1

head -c 40000000 /dev/urandom >"$T/big.tar.gz"
NEW=$(sha256sum <"$T/big.tar.gz" | cut -d' ' -f1)
"$CP_BIN" upload "$T/big.tar.gz" --to "$S3_URL/cases/" --part-size 5MiB --json \
  >"$T/changed.json" 2>"$T/changed.err"
rc=$?
[ $rc -eq 0 ] || { cat "$T/changed.err" >&2; fail "upload of the changed bundle exit $rc"; }
assert_eq "$(json_get "$T/changed.json" 'd["resumed_parts"]')" 0 "resumed parts of a changed file"
assert_eq "$(s3_sha256 big.tar.gz)" "$NEW" "changed object read back"
echo "PASS test_upload_resume"
