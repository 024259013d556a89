#!/usr/bin/env bash
# test_pull_large.sh: reports larger than one AFC read (1 MiB) arrive whole.
# A generated profile (caseprobe-sim-gen) holds several reports of 1.6-9.6 MB;
# `caseprobe crashes pull` and `caseprobe collect --scope crashes` must give
# every one of them byte for byte: against the profile's own files and against
# what `idevicecrashreport -k` copies from the same simulator. The pull lists
# each as pulled with the profile file's size and SHA-256, and without
# --delete nothing leaves the device. Guards issue 11's fault: a walk that
# drops a report's last chunk (a 1,999,958-byte report pulled as 1,048,576)
# while every command still exits 0.
source "$(dirname "$0")/lib.sh"
[ -x "$CP_SIM_GEN" ] || fail "no $CP_SIM_GEN"
P="$T/big"
"$CP_SIM_GEN" "$P" --crashes 24 --crash-mb 40 --seed 1 >/dev/null 2>"$T/gen.err" ||
  fail "caseprobe-sim-gen: $(cat "$T/gen.err")"
U=$(python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["UDID"])' "$P/device.plist")

# The expected list, from the profile on disk: device path -> size, sha256.
# At least three reports > 1 MiB.
python3 - "$P/crash" >"$T/expect.txt" <<'PY' || fail "cannot list the profile"
import hashlib, os, sys
root = sys.argv[1]
for d, _, fs in os.walk(root):
    for f in fs:
        p = os.path.join(d, f)
        if os.path.islink(p) or not os.path.isfile(p):
            continue
        rel = os.path.relpath(p, root)
        print(rel, os.path.getsize(p), hashlib.sha256(open(p, "rb").read()).hexdigest())
PY
nbig=$(awk '$2 > 1048576' "$T/expect.txt" | wc -l)
[ "$nbig" -ge 3 ] || fail "the generated profile has only $nbig reports over 1 MiB"
nall=$(wc -l <"$T/expect.txt")

# compare_tree DIR WHAT [STRIP]: every expected file is in DIR with its exact
# bytes (STRIP=1: under its local name, ".synced" dropped as
# idevicecrashreport does).
compare_tree() {
  local rel size sum got
  while read -r rel size sum; do
    [ -z "${3:-}" ] || rel=${rel%.synced}
    [ -f "$1/$rel" ] || fail "$2: $rel missing"
    got=$(stat -c %s "$1/$rel")
    assert_eq "$got" "$size" "$2: size of $rel"
    assert_eq "$(sha256sum <"$1/$rel" | cut -d' ' -f1)" "$sum" "$2: sha256 of $rel"
  done <"$T/expect.txt"
}

sim_start --bandwidth 40 --latency-us 500 "$P"

# 1. crashes pull
"$CP_BIN" crashes pull "$T/pull" -u "$U" --json >"$T/pull.json" 2>"$T/pull.err" ||
  fail "crashes pull exited $?: $(cat "$T/pull.err")"
compare_tree "$T/pull" "crashes pull"
python3 - "$T/pull.json" "$T/expect.txt" <<'PY' || fail "the pull's JSON does not list every report whole"
import json, sys
d = json.load(open(sys.argv[1]))
want = {l.split()[0]: (int(l.split()[1]), l.split()[2]) for l in open(sys.argv[2])}
got = {p["path"]: (p["size"], p["sha256"]) for p in d["pulled"]}
assert got == want, (sorted(set(want) ^ set(got)), [k for k in want if got.get(k) != want[k]][:5])
assert d["failed"] == [], d["failed"]
assert d["bytes"] == sum(v[0] for v in want.values()), d["bytes"]
assert all(not p["removed"] for p in d["pulled"]), "removed without --delete"
PY
assert_not_contains "$SIM_LOG" "AFC REMOVE_PATH"

# 2. idevicecrashreport -k on the same simulator: the same bytes
mkdir "$T/icr"
idevicecrashreport -k -u "$U" "$T/icr" >"$T/icr.txt" 2>&1 || fail "idevicecrashreport -k: $(tail -3 "$T/icr.txt")"
compare_tree "$T/icr" "idevicecrashreport -k" strip
while read -r rel _; do
  cmp -s "$T/pull/$rel" "$T/icr/${rel%.synced}" || fail "$rel: crashes pull and idevicecrashreport -k differ"
done <"$T/expect.txt"

# 3. collect --scope crashes: the bundle's crashes/ members, byte for byte,
# and verify accepts the bundle
mkdir "$T/out" "$T/x"
"$CP_BIN" collect --case LARGE-1 --scope crashes --yes -u "$U" -o "$T/out" --json \
  >"$T/collect.json" 2>"$T/collect.err" </dev/null || fail "collect exited $?: $(cat "$T/collect.err")"
B=$(ls "$T"/out/*.tar.gz)
tar xzf "$B" -C "$T/x" || fail "cannot unpack $B"
# Every byte of a bundle member passed the redactor, which replaces
# identifiers by "<label-N>": the member must be the whole profile file with
# only such replacements (a cut or missing chunk cannot match), and the
# reports over 1 MiB (no identifiers in them) must be byte-identical.
python3 - "$T/x/crashes" "$T/expect.txt" "$P/crash" <<'PY' || fail "collect: a bundle member is not its whole report"
import hashlib, os, re, sys
mem, exp, src = sys.argv[1:4]
ph = re.compile(rb"<[a-z][a-z0-9-]*-[0-9]+>")
for line in open(exp):
    rel, size, sha = line.split()
    m = os.path.join(mem, rel)
    assert os.path.isfile(m), "%s missing from the bundle" % rel
    got = open(m, "rb").read()
    raw = open(os.path.join(src, rel), "rb").read()
    if int(size) > 1048576:
        assert hashlib.sha256(got).hexdigest() == sha, "%s over 1 MiB differs" % rel
        continue
    parts = ph.split(got)
    pat = b"[^\\n]{1,400}?".join(re.escape(x) for x in parts)
    assert re.fullmatch(pat, raw, re.S), "%s is not the redacted whole report" % rel
PY
python3 - "$T/x/crashes/index.json" "$nall" <<'PY' || fail "crashes/index.json does not count every report"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["count"] == int(sys.argv[2]) and d["failed"] == [], (d["count"], d["failed"])
PY
"$CP_BIN" verify "$B" >"$T/verify.txt" 2>&1 || fail "verify: $(cat "$T/verify.txt")"
assert_not_contains "$SIM_LOG" "AFC REMOVE_PATH"
echo "ok: $nall reports ($nbig over 1 MiB) byte for byte through pull, idevicecrashreport -k and collect"
