#!/usr/bin/env bash
# End-to-end: `caseprobe verify` and `inspect` on bundles written by an
# independent writer (python3's tarfile, following formats/bundle/README.md),
# so the format, not just our own round trip, is what is checked. Then the
# same bundle damaged in every way verify must name: a flipped byte in
# every member (enumerated with tar -tzf), a missing member, an extra member, truncation, not a bundle at all, and
# signatures (openssl CLI) good, wrong key, missing. Last, a real signed
# bundle from `caseprobe collect` on the simulator with one byte flipped in
# each of its members in turn, manifest and signature included.
source "$(dirname "$0")/lib.sh"

MK="$T/mkbundle.py"
cat >"$MK" <<'PY'
# mkbundle.py OUT [--flip M] [--drop M] [--extra M] [--sign KEY] [--absurd]
import argparse, base64, hashlib, io, json, subprocess, tarfile
ap = argparse.ArgumentParser()
ap.add_argument("out"); ap.add_argument("--flip"); ap.add_argument("--drop")
ap.add_argument("--extra"); ap.add_argument("--sign"); ap.add_argument("--evil")
ap.add_argument("--triage", action="store_true")
a = ap.parse_args()
members = {
    "device/info.json": (b'{"ProductType": "iPhone14,2", "ProductVersion": "17.1"}\n', "device"),
    "battery/health.json": (b'{"health_percent": 86, "cycle_count": 412}\n', "battery"),
    "crashes/MobileSafari-2026-11-20.ips": (b'{"bug_type":"309"}\n' + b"x" * 5000, "crashes"),
    "crashes/Caf\u00e9-\u65e5\u672c.ips": (b'{"bug_type":"309"}\n', "crashes"),
    "crashes/index.json": (json.dumps([
        {"process": "Evil\x1b]0;pwned\x07", "exception": "EXC_CRASH"},
        {"process": "MobileSafari", "exception": "EXC_BAD_ACCESS"},
        {"process": "MobileSafari", "exception": "EXC_BAD_ACCESS"},
        {"process": "<script>alert(1)</script>", "exception": "EXC_CRASH"}]).encode(), "crashes"),
    "consent.json": (json.dumps({"case_id": "CASE-77", "granted": ["device", "battery", "crashes"],
        "refused": ["syslog"], "how": "flag", "time": "2026-11-23T12:00:00Z",
        "text_sha256": "0" * 64}).encode(), "bundle"),
    "redaction.json": (b'{"classes": {"serial": 3, "email": 1}}', "bundle"),
    "report.html": (b"<!DOCTYPE html><html lang=en><title>r</title></html>", "bundle"),
}
if a.triage:  # the crash probe's shape: {"reports": [...], "triage": {"groups": [...]}}
    members["crashes/index.json"] = (json.dumps({"reports": [], "count": 9, "triage": {"groups": [
        {"process": "SpringBoard", "exception_type": "EXC_BREAKPOINT", "count": 7},
        {"process": "Maps", "exception_type": "EXC_CRASH", "count": 2}]}}).encode(), "crashes")
rows = [{"path": p, "size": len(d), "sha256": hashlib.sha256(d).hexdigest(), "scope": s}
        for p, (d, s) in members.items()]
manifest = {"format": "caseprobe-bundle", "format_version": 1, "agent_version": "py-test",
            "case_id": "CASE-77", "created": "2026-11-23T12:00:00Z",
            "device": {"model": "iPhone14,2", "ios": "17.1"}, "members": rows}
sig = None
if a.sign:
    fp = subprocess.run(["openssl", "pkey", "-in", a.sign, "-pubout", "-outform", "DER"],
                        check=True, capture_output=True).stdout
    manifest["signature"] = {"algorithm": "ed25519", "member": "manifest.sig",
                             "key_sha256": hashlib.sha256(fp).hexdigest()}
mbytes = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
if a.sign:
    # Ed25519 in pkeyutl needs the whole message from a file, not a pipe.
    with open(a.out + ".manifest", "wb") as f: f.write(mbytes)
    raw = subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", a.sign, "-rawin", "-in",
                          a.out + ".manifest"], check=True, capture_output=True).stdout
    sig = base64.b64encode(raw) + b"\n"
out = [(p, d) for p, (d, s) in members.items()] + [("manifest.json", mbytes)]
if sig: out.append(("manifest.sig", sig))
if a.extra: out.insert(2, (a.extra, b"planted\n"))
with tarfile.open(a.out, "w:gz", format=tarfile.PAX_FORMAT) as tf:
    for p, d in out:
        if p == a.drop: continue
        if p == a.flip:
            d = bytearray(d); d[len(d) // 2] ^= 1; d = bytes(d)
        ti = tarfile.TarInfo(p); ti.size = len(d); ti.mtime = 1795000000
        tf.addfile(ti, io.BytesIO(d))
    if a.evil:
        ti = tarfile.TarInfo(a.evil); ti.type = tarfile.SYMTYPE; ti.linkname = "/etc/passwd"
        tf.addfile(ti)
PY

mk() { python3 "$MK" "$@" || fail "mkbundle $*"; }
# run NAME ARGS... : caseprobe with stdout/stderr/status kept in $T/NAME.*
run() {
  local n=$1; shift
  "$CP_BIN" "$@" >"$T/$n.out" 2>"$T/$n.err"
  echo $? >"$T/$n.rc"
}
rc() { cat "$T/$1.rc"; }

# --- help and usage
run help verify -h; assert_eq "$(rc help)" 0 "verify -h"; assert_contains "$T/help.out" "--key"
run help2 inspect --help; assert_eq "$(rc help2)" 0 "inspect -h"
run usage verify; assert_eq "$(rc usage)" 2 "verify without a bundle"

# --- a good bundle
mk "$T/good.tar.gz"
run good verify "$T/good.tar.gz"
assert_eq "$(rc good)" 0 "verify good bundle"
assert_contains "$T/good.out" "members    8 listed, 8 match"
assert_contains "$T/good.out" "result     OK"
run goodj verify --json "$T/good.tar.gz"
assert_eq "$(rc goodj)" 0 "verify --json"
assert_eq "$(json_get "$T/goodj.out" 'd["ok"]')" True "json ok"
assert_eq "$(json_get "$T/goodj.out" 'd["signature"]["state"]')" unsigned "unsigned state"
assert_eq "$(json_get "$T/goodj.out" 'len(d["members"])')" 8 "member rows"

run insp inspect "$T/good.tar.gz"
assert_eq "$(rc insp)" 0 "inspect"
assert_contains "$T/insp.out" "Case:       CASE-77"
assert_contains "$T/insp.out" "  model                    iPhone14,2"
assert_contains "$T/insp.out" "granted  device, battery, crashes"
assert_contains "$T/insp.out" "refused  syslog"
assert_contains "$T/insp.out" "serial 3"
assert_contains "$T/insp.out" "Crash groups: 3"
assert_contains "$T/insp.out" 'Evil\x1b]0;pwned\x07' # escaped (agent/escape.c), never raw
LC_ALL=C grep -q $'\x1b' "$T/insp.out" && fail "inspect printed a raw escape character"
assert_contains "$T/insp.out" "    2  MobileSafari  EXC_BAD_ACCESS"
assert_contains "$T/insp.out" "every member matches the manifest"
run inspj inspect --json "$T/good.tar.gz"
assert_eq "$(rc inspj)" 0 "inspect --json"
assert_eq "$(json_get "$T/inspj.out" 'd["case_id"]')" CASE-77 "inspect json case"
assert_eq "$(json_get "$T/inspj.out" 'd["crash_groups"][1]["count"]')" 2 "crash group count"
assert_eq "$(json_get "$T/inspj.out" 'd["consent"]["how"]')" flag "consent how"
assert_eq "$(json_get "$T/inspj.out" 'd["redaction"]["classes"]["email"]')" 1 "redaction count"
assert_eq "$(json_get "$T/inspj.out" '[m["scope"] for m in d["members"] if m["path"]=="battery/health.json"][0]')" battery "member scope"

mk "$T/triage.tar.gz" --triage
run tri inspect "$T/triage.tar.gz"
assert_eq "$(rc tri)" 0 "inspect with a triage index"
assert_contains "$T/tri.out" "Crash groups: 2"
assert_contains "$T/tri.out" "    7  SpringBoard  EXC_BREAKPOINT"

# --- damage, each named: a flipped byte in EVERY member the bundle holds
# (enumerated from the bundle itself, not a hand-picked list)
mapfile -t members < <(tar --quoting-style=literal -tzf "$T/good.tar.gz" | grep -vx manifest.json)
assert_eq "${#members[@]}" 8 "members of the python-written bundle"
for m in "${members[@]}"; do
  mk "$T/flip.tar.gz" --flip "$m"
  run flip verify "$T/flip.tar.gz"
  assert_eq "$(rc flip)" 31 "flipped byte in $m"
  assert_contains "$T/flip.err" "member '$m'"
  assert_contains "$T/flip.out" "CHANGED  $m (same size, different SHA-256)"
  rm -f "$T/flip.tar.gz"
done
mk "$T/drop.tar.gz" --drop battery/health.json
run drop verify --json "$T/drop.tar.gz"
assert_eq "$(rc drop)" 31 "missing member"
assert_eq "$(json_get "$T/drop.out" 'd["missing"]')" "['battery/health.json']" "missing list"
assert_contains "$T/drop.err" "battery/health.json"
mk "$T/extra.tar.gz" --extra crashes/planted.ips
run extra verify "$T/extra.tar.gz"
assert_eq "$(rc extra)" 31 "extra member"
assert_contains "$T/extra.out" "EXTRA    crashes/planted.ips"
# inspect still summarises a damaged bundle, and says so
run inspx inspect "$T/extra.tar.gz"
assert_eq "$(rc inspx)" 31 "inspect on a damaged bundle"
assert_contains "$T/inspx.out" "DAMAGED"

# truncated at several points: never passes
size=$(stat -c %s "$T/good.tar.gz")
for cut in 20 $((size / 3)) $((size / 2)) $((size - 30)); do
  head -c "$cut" "$T/good.tar.gz" >"$T/trunc.tar.gz"
  run trunc verify "$T/trunc.tar.gz"
  r=$(rc trunc)
  [ "$r" = 31 ] || [ "$r" = 7 ] || fail "truncated at $cut: exit $r"
done

# not a bundle; a hostile symlink entry; a missing file
printf 'hello, not an archive\n' >"$T/junk.tar.gz"
run junk verify "$T/junk.tar.gz"; assert_eq "$(rc junk)" 7 "junk file"
tar -czf "$T/plain.tar.gz" -C "$T" mkbundle.py
run plain verify "$T/plain.tar.gz"; assert_eq "$(rc plain)" 7 "tar.gz without manifest"
assert_contains "$T/plain.err" "not a caseprobe bundle"
mk "$T/evil.tar.gz" --evil crashes/link
run evil verify "$T/evil.tar.gz"; assert_eq "$(rc evil)" 31 "symlink member"
assert_contains "$T/evil.err" "not a regular file"
run none verify "$T/nope.tar.gz"; assert_eq "$(rc none)" 6 "missing bundle file"

# --- signatures
openssl genpkey -algorithm ed25519 -out "$T/k1.pem" 2>/dev/null || fail "genpkey"
openssl pkey -in "$T/k1.pem" -pubout -out "$T/k1.pub" 2>/dev/null
openssl genpkey -algorithm ed25519 -out "$T/k2.pem" 2>/dev/null
openssl pkey -in "$T/k2.pem" -pubout -out "$T/k2.pub" 2>/dev/null
mk "$T/signed.tar.gz" --sign "$T/k1.pem"
run sgood verify --key "$T/k1.pub" "$T/signed.tar.gz"
assert_eq "$(rc sgood)" 0 "good signature"
assert_contains "$T/sgood.out" "signature  good"
run swrong verify --key "$T/k2.pub" "$T/signed.tar.gz"
assert_eq "$(rc swrong)" 32 "wrong key"
assert_contains "$T/swrong.out" "WRONG KEY"
run snokey verify "$T/signed.tar.gz"
assert_eq "$(rc snokey)" 0 "signed, no --key"
assert_contains "$T/snokey.out" "not checked"
run sunsigned verify --key "$T/k1.pub" "$T/good.tar.gz"
assert_eq "$(rc sunsigned)" 32 "unsigned bundle with --key"
mk "$T/sdrop.tar.gz" --sign "$T/k1.pem" --drop manifest.sig
run sdrop verify --key "$T/k1.pub" "$T/sdrop.tar.gz"
assert_eq "$(rc sdrop)" 31 "signature member removed"
assert_contains "$T/sdrop.out" "MISSING  manifest.sig"
run sbadkey verify --key "$T/missing.pub" "$T/signed.tar.gz"
assert_eq "$(rc sbadkey)" 6 "key file missing"

# --- a real bundle (caseprobe collect, signed, from the simulator): flip one
# byte in each of its members in turn, manifest.json and manifest.sig
# included; verify --key must fail every time. The member list comes from
# the bundle (tar -tzf), so a member added later is covered without an edit.
cat >"$T/flip.py" <<'PY'
# flip.py IN OUTDIR MEMBER...: for the i-th MEMBER writes OUTDIR/i.tar.gz,
# the bundle with one byte in that member flipped (one read of IN for all)
import sys, tarfile, io
src, outdir, names = sys.argv[1], sys.argv[2], sys.argv[3:]
with tarfile.open(src, "r:gz") as ti:
    items = [(i, ti.extractfile(i).read() if i.isreg() else None) for i in ti.getmembers()]
have = [i.name for i, _ in items]
for k, name in enumerate(names):
    if name not in have:
        sys.exit("member %s not found" % name)
    with tarfile.open("%s/%d.tar.gz" % (outdir, k), "w:gz", format=tarfile.PAX_FORMAT,
                      compresslevel=1) as to:
        for info, data in items:
            if info.name == name:
                if not data:
                    sys.exit("member %s is empty: nothing to flip" % name)
                b = bytearray(data); b[len(b) // 2] ^= 0x01; data = bytes(b)
            to.addfile(info, io.BytesIO(data) if data is not None else None)
PY
sim_start "$(profile iphone-modern)"
mkdir -p "$T/real"
"$CP_BIN" collect --case REAL-1 --scope all --yes -o "$T/real" --sign "$T/k1.pem" \
  --syslog-seconds 1 >"$T/real.out" 2>"$T/real.err" || fail "collect: $(cat "$T/real.err")"
RB=$(head -n1 "$T/real.out")
[ -f "$RB" ] || fail "collect printed '$RB', not a file"
run rgood verify --key "$T/k1.pub" "$RB"
assert_eq "$(rc rgood)" 0 "verify the untouched real bundle ($(cat "$T/rgood.err"))"
mapfile -t rmembers < <(tar --quoting-style=literal -tzf "$RB")
[ "${#rmembers[@]}" -ge 8 ] || fail "real bundle lists only ${#rmembers[@]} members: ${rmembers[*]}"
for must in battery/health.json consent.json redaction.json report.html manifest.json manifest.sig; do
  printf '%s\n' "${rmembers[@]}" | grep -qxF "$must" || fail "real bundle lacks $must"
done
mkdir -p "$T/flips"
python3 "$T/flip.py" "$RB" "$T/flips" "${rmembers[@]}" || fail "could not flip a byte in each member"
for k in "${!rmembers[@]}"; do
  m=${rmembers[$k]}
  run rflip verify --key "$T/k1.pub" "$T/flips/$k.tar.gz"
  r=$(rc rflip)
  case "$m" in
    manifest.json | manifest.sig)
      # the manifest's hash lines, its JSON or the signature over it breaks
      [ "$r" = 31 ] || [ "$r" = 32 ] || [ "$r" = 7 ] ||
        fail "flipped byte in $m: verify exited $r ($(cat "$T/rflip.err"))" ;;
    *)
      assert_eq "$r" 31 "flipped byte in real member $m"
      assert_contains "$T/rflip.err" "member '$m'"
      assert_contains "$T/rflip.out" "CHANGED  $m" ;;
  esac
done
echo "tamper: ${#rmembers[@]} members of a real bundle, each flipped, each refused"

echo "test_bundle_verify: ok"
