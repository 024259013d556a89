#!/usr/bin/env bash
# caseprobe's own AFC client (probes/afc.c) against caseprobe-sim:
# - `crashes pull` is byte-identical on iphone-modern, iphone7-legacy and a
#   device whose crash service runs over TLS (ServiceSSL);
# - a cable pulled inside an AFC DATA packet (the shipped `detaching`
#   profile; libimobiledevice 1.3.0's client over-read its heap here and
#   caseprobe died with 139) ends with exit 18 and its sentence, and every
#   file left in DIR is a complete copy of a device file;
# - a stalled crash service (plain or TLS) ends with 20 in bounded time, a garbage-speaking
#   one with 21;
# - `collect --scope all` on `detaching` ends with 18 and leaves no bundle;
# - 4 MiB and 16 MiB FILE_READs (bench_afc, reading to the empty DATA reply)
#   copy a generated profile with multi-MB reports byte for byte.
# Under the ASan build any sanitizer report in caseprobe's stderr fails.
. "$(dirname "$0")/lib.sh"
X="python3 $(dirname "$0")/cli_expect.py"
udid_of() { python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["UDID"])' "$1/device.plist"; }
STALL_U=00008030-0000000000AFC001
MAL_U=00008030-0000000000AFC002
SSL_U=00008030-0000000000AFC003
sim_mkprofile "$T/stall" $STALL_U \
  '<key>Faults</key><dict><key>StallService</key><string>com.apple.crashreportcopymobile</string></dict>'
sim_mkprofile "$T/mal" $MAL_U \
  '<key>Faults</key><dict><key>MalformedService</key><string>com.apple.crashreportcopymobile</string></dict>'
sim_mkprofile "$T/ssl" $SSL_U \
  '<key>ServiceSSL</key><array><string>com.apple.crashreportcopymobile</string></array>'

no_sanitizer() { # no_sanitizer FILE WHAT
  if grep -qE "ERROR: AddressSanitizer|runtime error:|SEGV" "$1"; then
    cat "$1" >&2
    fail "$2: sanitizer report"
  fi
}

# every_file_complete DIR PROFILE: each report in DIR equals one device file
# (crash/ or crash_pending/, which the crash mover makes visible).
every_file_complete() {
  python3 - "$1" "$2" <<'PY' || fail "partial or unknown file in $1"
import hashlib, os, sys
out, prof = sys.argv[1], sys.argv[2]
def h(p): return hashlib.sha256(open(p, "rb").read()).hexdigest()
have = {h(os.path.join(d, f)) for sub in ("crash", "crash_pending")
        for d, _, fs in os.walk(os.path.join(prof, sub)) for f in fs
        if os.path.isfile(os.path.join(d, f))}
n = 0
for d, _, fs in os.walk(out):
    for f in fs:
        p = os.path.join(d, f)
        if os.path.relpath(p, out) in (".caseprobe-pull.json", "index.json"):
            continue
        if h(p) not in have:
            print("not a device file:", p, os.path.getsize(p)); sys.exit(1)
        n += 1
print(n, "complete file(s)")
PY
}

TSTALL_U=00008030-0000000000AFC005
sim_mkprofile "$T/tstall" $TSTALL_U \
  '<key>ServiceSSL</key><array><string>com.apple.crashreportcopymobile</string></array><key>Faults</key><dict><key>StallService</key><string>com.apple.crashreportcopymobile</string></dict>'
BIG_U=00008030-0000000000AFC004
"$CP_SIM_GEN" "$T/big" --crashes 8 --crash-mb 60 --udid $BIG_U >/dev/null 2>&1 || fail "sim-gen"
[ -n "$(find "$T/big/crash" -type f -size +4096k)" ] || fail "no report over 4 MiB in the generated profile"

DET=$(profile detaching)
DET_U=$(udid_of "$DET")
GOOD="iphone-modern iphone7-legacy"
dirs=()
for p in $GOOD; do dirs+=("$(profile "$p")"); done
sim_start "${dirs[@]}" "$DET" "$T/stall" "$T/mal" "$T/ssl" "$T/big" "$T/tstall"

# Large reads: our client alone, 4 MiB and 16 MiB per FILE_READ.
(cd "$T/big/crash" && find . -type f -exec sha256sum {} + | sort -k2) >"$T/big.want"
for chunk in 4194304 16777216; do
  rm -rf "$T/big.$chunk" && mkdir -p "$T/big.$chunk"
  "$CP_BUILD/bench/bench_afc" $BIG_U $chunk "$T/big.$chunk" >"$T/big.out" 2>"$T/big.err" ||
    { cat "$T/big.err" >&2; fail "bench_afc $chunk: exit $?"; }
  no_sanitizer "$T/big.err" "bench_afc $chunk"
  (cd "$T/big.$chunk" && find . -type f -exec sha256sum {} + | sort -k2) >"$T/big.got"
  diff "$T/big.want" "$T/big.got" >/dev/null || fail "reads of $chunk bytes: copies differ"
done

# Byte-identical pulls (1 MiB reads through our client; TLS for ssl: a
# client that skipped the handshake would get nothing from that service).
for p in $GOOD ssl; do
  if [ "$p" = ssl ]; then P=$T/ssl; else P=$(profile "$p"); fi
  u=$(udid_of "$P")
  "$CP_BIN" crashes pull "$T/$p.pull" -u "$u" --json >"$T/$p.json" 2>"$T/$p.err" ||
    { cat "$T/$p.err" >&2; fail "$p: pull exit $?"; }
  no_sanitizer "$T/$p.err" "$p pull"
  $X pull "$P" "$T/$p.json" "$T/$p.pull" all || fail "$p: pulled files differ"
  n=$(json_get "$T/$p.json" 'd["count"]')
  [ "$n" -gt 0 ] || fail "$p: nothing pulled"
  assert_eq "$(every_file_complete "$T/$p.pull" "$P")" "$n complete file(s)" "$p: files in DIR"
done

# A cable pulled mid-packet: 18, the sentence, only complete files kept.
rc=0
"$CP_BIN" crashes pull "$T/det.pull" -u "$DET_U" >"$T/det.out" 2>"$T/det.err" || rc=$?
no_sanitizer "$T/det.err" "detaching pull"
assert_eq "$rc" 18 "detaching: crashes pull exit code"
assert_contains "$T/det.err" "device was disconnected"
assert_contains "$T/det.err" "nothing partial was kept"
grep -q "$DET_U: detached (fault: DetachAfterBytes)" "$SIM_LOG" || fail "the fault did not fire"
every_file_complete "$T/det.pull" "$DET" >/dev/null

# A stalled service: 20 in bounded time (10 s idle limit + the mover).
s=$(date +%s)
rc=0
"$CP_BIN" crashes pull "$T/stall.pull" -u $STALL_U >"$T/stall.out" 2>"$T/stall.err" || rc=$?
el=$(($(date +%s) - s))
no_sanitizer "$T/stall.err" "stalled pull"
assert_eq "$rc" 20 "stalled service exit code"
assert_contains "$T/stall.err" "device stopped answering"
assert_contains "$T/stall.err" "sent nothing for 10 s"
[ "$el" -le 40 ] || fail "stalled service took ${el}s"
every_file_complete "$T/stall.pull" "$T/stall" >/dev/null

# The same over TLS (libimobiledevice 1.3.0 waits forever in a TLS
# handshake or read; our connection's watchdog ends it).
s=$(date +%s)
rc=0
"$CP_BIN" crashes pull "$T/tstall.pull" -u $TSTALL_U >"$T/tstall.out" 2>"$T/tstall.err" || rc=$?
el=$(($(date +%s) - s))
no_sanitizer "$T/tstall.err" "stalled TLS pull"
assert_eq "$rc" 20 "stalled TLS service exit code"
assert_contains "$T/tstall.err" "did not answer the TLS handshake"
[ "$el" -le 40 ] || fail "stalled TLS service took ${el}s"

# Garbage instead of AFC: 21 naming what was wrong.
rc=0
"$CP_BIN" crashes pull "$T/mal.pull" -u $MAL_U >"$T/mal.out" 2>"$T/mal.err" || rc=$?
no_sanitizer "$T/mal.err" "malformed pull"
assert_eq "$rc" 21 "malformed service exit code"
assert_contains "$T/mal.err" "device sent a malformed reply"
assert_contains "$T/mal.err" "CFA6LPAA"
every_file_complete "$T/mal.pull" "$T/mal" >/dev/null

# collect on a fresh `detaching` device (the fault fires once per run).
sim_stop
sim_start "$DET"
mkdir -p "$T/bundles"
rc=0
"$CP_BIN" collect --case AFC-1 --scope all --yes -u "$DET_U" -o "$T/bundles" </dev/null \
  >"$T/col.out" 2>"$T/col.err" || rc=$?
no_sanitizer "$T/col.err" "detaching collect"
assert_eq "$rc" 18 "detaching: collect exit code"
assert_contains "$T/col.err" "device was disconnected"
grep -q "$DET_U: detached (fault: DetachAfterBytes)" "$SIM_LOG" || fail "collect: the fault did not fire"
[ -z "$(ls -A "$T/bundles")" ] || fail "collect left files: $(ls -A "$T/bundles")"
echo PASS
