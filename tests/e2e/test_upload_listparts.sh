# Resuming against a server that offers ListParts (s3server.js with
# S3_LISTPARTS, 3 parts a page so paging is used): the server's list wins over
# the state file. A part the server lost is sent again; an upload the server
# forgot (NoSuchUpload) starts over; the upload of a changed bundle is aborted
# on the server before a new one starts.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_upload.sh"

export S3_LISTPARTS=3
s3_start
head -c 40000000 /dev/urandom >"$T/big.tar.gz"
BIG=$(sha256sum <"$T/big.tar.gz" | cut -d' ' -f1)
STATE="$T/big.tar.gz.upload-state"
state_parts() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["parts"]))' "$STATE"; }

# interrupt_after N KEY: a slow upload killed once N parts are recorded; then
# waits until the server's log is quiet (the cut-off part may land late).
interrupt_after() {
  "$CP_BIN" upload "$T/big.tar.gz" --to "$S3_URL/cases/$2" --part-size 5MiB --limit-rate 6MiB \
    >"$T/slow.out" 2>"$T/slow.err" &
  local pid=$!
  wait_for -p "$pid" 60 "$1 parts recorded in the state file" parts_at_least "$1"
  kill -9 "$pid"
  wait "$pid" 2>/dev/null
  wait_quiet "$S3_LOG" 1 40 "the server's log to settle after the cut-off part"
}
parts_at_least() { [ -f "$STATE" ] && [ "$(state_parts 2>/dev/null || echo 0)" -ge "$1" ]; }
upload_dir() { find "$S3_DIR" -type d -name "$1" | head -n 1; }

# 1. The server lost part 2: ListParts does not list it, so it is sent again.
# (5 parts done, 4 left after the loss: more than one page of 3.)
interrupt_after 5 a.tar.gz
DONE=$(state_parts)
[ "$DONE" -ge 5 ] && [ "$DONE" -lt 8 ] || fail "killed after $DONE parts"
ID=$(json_get "$STATE" 'd["upload_id"]')
DIR=$(upload_dir "$ID")
[ -n "$DIR" ] && [ -f "$DIR/2" ] || fail "no part 2 in the server's store"
rm -f "$DIR/2" "$DIR/2.md5"
BEFORE=$(wc -l <"$S3_LOG")
"$CP_BIN" upload "$T/big.tar.gz" --to "$S3_URL/cases/a.tar.gz" --part-size 5MiB --json \
  >"$T/a.json" 2>"$T/a.err" || { cat "$T/a.err" >&2; fail "resume with ListParts"; }
tail -n +"$((BEFORE + 1))" "$S3_LOG" >"$T/a.log"
grep -q "^listparts: $ID after 0:" "$T/a.log" || fail "ListParts was not asked"
grep -q "^listparts: $ID after [1-9]" "$T/a.log" || fail "ListParts was not paged"
assert_eq "$(grep -c "Stored part .* of $ID" "$T/a.log")" "$((8 - DONE + 1))" "parts sent again"
grep -q "Stored part 2 of $ID" "$T/a.log" || fail "the lost part 2 was not sent again"
for n in 1 3; do
  ! grep -q "Stored part $n of $ID" "$T/a.log" || fail "part $n, still on the server, was resent"
done
assert_eq "$(json_get "$T/a.json" 'd["resumed_parts"]')" "$((DONE - 1))" "resumed parts"
assert_eq "$(s3_sha256 a.tar.gz)" "$BIG" "object after a lost part"
[ ! -e "$STATE" ] || fail "state file left"

# 2. The server forgot the whole upload: NoSuchUpload, a new upload starts.
rm -f "$T/big.tar.gz.receipt.json"
interrupt_after 2 b.tar.gz
ID=$(json_get "$STATE" 'd["upload_id"]')
rm -rf "$(upload_dir "$ID")"
BEFORE=$(wc -l <"$S3_LOG")
"$CP_BIN" upload "$T/big.tar.gz" --to "$S3_URL/cases/b.tar.gz" --part-size 5MiB --json \
  >"$T/b.json" 2>"$T/b.err" || { cat "$T/b.err" >&2; fail "resume after NoSuchUpload"; }
tail -n +"$((BEFORE + 1))" "$S3_LOG" >"$T/b.log"
assert_eq "$(json_get "$T/b.json" 'd["resumed_parts"]')" 0 "resumed parts of a forgotten upload"
assert_eq "$(grep -c 'Stored part' "$T/b.log")" 8 "parts sent for the new upload"
assert_eq "$(s3_sha256 b.tar.gz)" "$BIG" "object after NoSuchUpload"

# 3. The bundle changed: the old upload is aborted on the server.
rm -f "$T/big.tar.gz.receipt.json"
interrupt_after 1 c.tar.gz
ID=$(json_get "$STATE" 'd["upload_id"]')
[ -n "$(upload_dir "$ID")" ] || fail "no upload on the server"
head -c 30000000 /dev/urandom >"$T/big.tar.gz"
NEW=$(sha256sum <"$T/big.tar.gz" | cut -d' ' -f1)
"$CP_BIN" upload "$T/big.tar.gz" --to "$S3_URL/cases/c.tar.gz" --part-size 5MiB --json \
  >"$T/c.json" 2>"$T/c.err" || { cat "$T/c.err" >&2; fail "upload of the changed bundle"; }
grep -q "^abort: $ID" "$S3_LOG" || fail "the old upload was not aborted"
[ -z "$(upload_dir "$ID")" ] || fail "the old upload's parts are still on the server"
assert_eq "$(json_get "$T/c.json" 'd["parts"]')" 6 "parts of the changed bundle"
assert_eq "$(s3_sha256 c.tar.gz)" "$NEW" "object of the changed bundle"
echo "PASS test_upload_listparts"
