# Retries: the S3 server (s3server.js with S3_FAULTS) answers 503 SlowDown, 500,
# drops the connection or hangs for chosen requests. caseprobe retries those with
# backoff and the object arrives intact; when the tries run out it stops with
# exit 42, keeps the state, and the next run resumes. A refusal (4xx) is never
# retried.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_upload.sh"

head -c 23000000 /dev/urandom >"$T/r.tar.gz" # 5 parts of 5 MiB (the last shorter)
SUM=$(sha256sum <"$T/r.tar.gz" | cut -d' ' -f1)
faults() { grep -c "^fault: $1" "$S3_LOG" || true; }

# Part 3 meets two 503s, part 2 a dropped connection, the completion a 500:
# all within 4 tries.
export S3_FAULTS="503 2 partNumber=3&;reset 1 partNumber=2&;500 1 ^POST .*uploadId="
s3_start
"$CP_BIN" upload "$T/r.tar.gz" --to "$S3_URL/cases/" --part-size 5MiB --json >"$T/a.json" \
  2>"$T/a.err"
rc=$?
[ $rc -eq 0 ] || { cat "$T/a.err" >&2; tail -n 20 "$S3_LOG" >&2; fail "upload with faults exit $rc"; }
assert_eq "$(faults 503)" 2 "503 answers given"
assert_eq "$(faults reset)" 1 "connections dropped"
assert_eq "$(faults 500)" 1 "500 answers given"
assert_eq "$(grep -c 'Stored part 3 of' "$S3_LOG")" 1 "part 3 stored once"
assert_eq "$(parts_stored)" 5 "parts stored"
assert_eq "$(json_get "$T/a.json" 'd["parts"]')" 5 "parts"
assert_eq "$(s3_sha256 r.tar.gz)" "$SUM" "object read back after retries"
s3_stop

# Part 4 gets 503 three times and only 3 tries are allowed: exit 42 with S3's
# code, parts 1-3 kept in the state; the next run sends parts 4 and 5 only.
export S3_FAULTS="503 3 partNumber=4&"
s3_start
rm -f "$T/r.tar.gz.receipt.json"
"$CP_BIN" upload "$T/r.tar.gz" --to "$S3_URL/cases/again.tar.gz" --part-size 5MiB --tries 3 \
  >"$T/b.out" 2>"$T/b.err"
assert_eq "$?" 42 "tries exhausted on 503"
assert_contains "$T/b.err" "upload failed: SlowDown for part 4"
assert_eq "$(faults 503)" 3 "503 answers before giving up"
STATE="$T/r.tar.gz.upload-state"
[ -f "$STATE" ] || fail "no state kept after the failure"
assert_eq "$(json_get "$STATE" 'len(d["parts"])')" 3 "parts recorded"
[ ! -e "$T/r.tar.gz.receipt.json" ] || fail "receipt for a failed upload"
BEFORE=$(parts_stored)
"$CP_BIN" upload "$T/r.tar.gz" --to "$S3_URL/cases/again.tar.gz" --part-size 5MiB --json \
  >"$T/c.json" 2>"$T/c.err"
rc=$?
[ $rc -eq 0 ] || { cat "$T/c.err" >&2; fail "resume after 503s exit $rc"; }
assert_eq "$(($(parts_stored) - BEFORE))" 2 "parts sent by the resumed run"
assert_eq "$(json_get "$T/c.json" 'd["resumed_parts"]')" 3 "resumed parts"
assert_eq "$(s3_sha256 again.tar.gz)" "$SUM" "object read back after resume"
s3_stop

# A hung server: part 2 is never read nor answered. --stall-timeout 2 gives up
# on that request after about 2 s and the retry goes through.
export S3_FAULTS="stall 1 partNumber=2&"
s3_start
start=$(date +%s)
"$CP_BIN" upload "$T/r.tar.gz" --to "$S3_URL/cases/stalled.tar.gz" --part-size 5MiB \
  --stall-timeout 2 --json >"$T/s.json" 2>"$T/s.err"
rc=$?
secs=$(($(date +%s) - start))
[ $rc -eq 0 ] || { cat "$T/s.err" >&2; fail "upload past a stall exit $rc"; }
assert_eq "$(faults stall)" 1 "stalled requests"
[ "$secs" -ge 2 ] && [ "$secs" -lt 30 ] || fail "stall handled in $secs s"
assert_eq "$(s3_sha256 stalled.tar.gz)" "$SUM" "object read back after a stall"
s3_stop

# A 403 is final: exactly one request, at once.
export S3_FAULTS=""
s3_start
start=$(date +%s%N)
AWS_ACCESS_KEY_ID=AKIAWRONG "$CP_BIN" upload "$T/r.tar.gz" --to "$S3_URL/cases/no.tar.gz" \
  2>"$T/d.err"
assert_eq "$?" 41 "wrong key"
ms=$((($(date +%s%N) - start) / 1000000))
assert_eq "$(grep -c 'no.tar.gz' "$S3_LOG")" 1 "requests made for a refused upload"
# One retry alone would wait 0.5 s, four tries 3.5 s; allow for a loaded machine.
[ "$ms" -lt 3000 ] || fail "a refusal took $ms ms: was it retried?"
echo "PASS test_upload_retry"
