#!/usr/bin/env bash
# End-to-end: a bundle made by `caseprobe collect` from the simulated iPhone,
# checked by independent tools (python3's tarfile + hashlib for every member
# against the manifest, the openssl CLI for the Ed25519 signature), then by
# `caseprobe verify` / `inspect`; then damaged, and finally written onto a
# full file system (a 48 KiB tmpfs, the bundle is ~80 KiB; only when we may
# mount one) where it must fail with "disk full" and leave nothing behind.
source "$(dirname "$0")/lib.sh"

sim_start "$(profile iphone-modern)"
openssl genpkey -algorithm ed25519 -out "$T/k.pem" 2>/dev/null || fail "genpkey"
openssl pkey -in "$T/k.pem" -pubout -out "$T/k.pub" 2>/dev/null
openssl genpkey -algorithm ed25519 -out "$T/other.pem" 2>/dev/null
openssl pkey -in "$T/other.pem" -pubout -out "$T/other.pub" 2>/dev/null
mkdir -p "$T/out"

"$CP_BIN" collect --case "CASE 9/../x" --scope all --yes -o "$T/out" --sign "$T/k.pem" \
  --syslog-seconds 1 >"$T/collect.out" 2>"$T/collect.err" || {
  cat "$T/collect.err" >&2
  fail "collect failed"
}
B=$(head -n1 "$T/collect.out")
[ -f "$B" ] || fail "collect printed '$B', not a file"
case "$(basename "$B")" in
  CASE_9_.._x-20[0-9][0-9][0-1][0-9][0-3][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z.caseprobe.tar.gz) ;;
  *) fail "unexpected bundle name $(basename "$B")" ;;
esac
assert_eq "$(ls -A "$T/out" | wc -l)" 1 "files in the output folder (no partial, no spool)"

# --- independent check: python3 reads the tar, re-hashes, checks order and names
python3 - "$B" "$T" <<'PY' || fail "independent check of the bundle"
import hashlib, json, sys, tarfile
path, tmp = sys.argv[1], sys.argv[2]
with tarfile.open(path, "r:gz") as tf:
    infos = tf.getmembers()
    names = [i.name for i in infos]
    data = {i.name: tf.extractfile(i).read() for i in infos}
assert all(i.isreg() for i in infos), "non-regular member"
assert len(set(names)) == len(names), "duplicate names"
assert names[-2:] == ["manifest.json", "manifest.sig"], names[-3:]
assert names[-5:-2] == ["consent.json", "redaction.json", "report.html"], names
m = json.loads(data["manifest.json"])
assert m["format"] == "caseprobe-bundle" and m["format_version"] == 1
assert m["case_id"] == "CASE 9/../x"
listed = {r["path"]: r for r in m["members"]}
assert set(listed) == set(names) - {"manifest.json", "manifest.sig"}, (set(listed) ^ set(names))
for p, r in listed.items():
    assert r["size"] == len(data[p]), p
    assert r["sha256"] == hashlib.sha256(data[p]).hexdigest(), p
    assert r["scope"], p
assert listed["battery/health.json"]["scope"] == "battery"
assert listed["report.html"]["scope"] == "bundle"
c = json.loads(data["consent.json"])
assert c["how"] == "flag" and "battery" in c["granted"], c
html = data["report.html"].decode()
assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
for bad in ("<script", "http://", "https://", "src=", "<link"):
    assert bad not in html, bad
assert "<caption>" in html and 'scope="col"' in html and "Battery health" in html
open(tmp + "/manifest.json", "wb").write(data["manifest.json"])
import base64
open(tmp + "/manifest.sig.bin", "wb").write(base64.b64decode(data["manifest.sig"]))
PY
openssl pkeyutl -verify -pubin -inkey "$T/k.pub" -rawin -in "$T/manifest.json" \
  -sigfile "$T/manifest.sig.bin" >/dev/null 2>&1 || fail "openssl does not accept manifest.sig"

# --- caseprobe verify / inspect
"$CP_BIN" verify --key "$T/k.pub" "$B" >"$T/v.out" 2>"$T/v.err" || fail "verify: $(cat "$T/v.err")"
assert_contains "$T/v.out" "signature  good"
"$CP_BIN" verify --key "$T/other.pub" "$B" >"$T/w.out" 2>"$T/w.err"
assert_eq "$?" 32 "verify with another key"
"$CP_BIN" inspect --json "$B" >"$T/i.json" 2>"$T/i.err" || fail "inspect: $(cat "$T/i.err")"
assert_eq "$(json_get "$T/i.json" 'd["case_id"]')" "CASE 9/../x" "inspect case"
assert_eq "$(json_get "$T/i.json" 'd["ok"]')" True "inspect ok"
assert_eq "$(json_get "$T/i.json" 'd["signature"]["state"]')" not_checked "inspect signature"
assert_eq "$(json_get "$T/i.json" 'd["consent"]["how"]')" flag "inspect consent"
assert_eq "$(json_get "$T/i.json" 'd["redaction"]["total"] > 0')" True "redaction counted"

# --- damage one byte of the syslog member (rebuilt with python3)
python3 - "$B" "$T/bad.tar.gz" <<'PY' || fail "rewrite"
import io, sys, tarfile
src, dst = sys.argv[1:]
with tarfile.open(src, "r:gz") as a, tarfile.open(dst, "w:gz", format=tarfile.PAX_FORMAT) as b:
    for i in a.getmembers():
        d = bytearray(a.extractfile(i).read())
        if i.name == "syslog/syslog.txt":
            d[len(d) // 3] ^= 0x20
        b.addfile(i, io.BytesIO(bytes(d)))
PY
"$CP_BIN" verify --key "$T/k.pub" "$T/bad.tar.gz" >"$T/b.out" 2>"$T/b.err"
assert_eq "$?" 31 "verify a damaged bundle"
assert_contains "$T/b.err" "member 'syslog/syslog.txt' was changed"
assert_contains "$T/b.out" "CHANGED  syslog/syslog.txt"

# --- a full disk: exit 5, nothing left behind
if [ "$(id -u)" = 0 ] && mkdir -p "$T/tiny" && mount -t tmpfs -o size=48k tmpfs "$T/tiny" 2>/dev/null; then
  "$CP_BIN" collect --case FULL --scope all --yes -o "$T/tiny" --syslog-seconds 2 \
    >"$T/f.out" 2>"$T/f.err"
  rc=$?
  left=$(ls -A "$T/tiny" | wc -l)
  umount "$T/tiny"
  assert_eq "$rc" 5 "collect onto a full disk ($(cat "$T/f.err"))"
  assert_eq "$left" 0 "files left on the full disk"
else
  skip_part "no tmpfs mount here (needs root): the full-disk case of collect was not run"
fi
echo "test_bundle_sim: ok"
