#!/usr/bin/env bash
# `caseprobe --version` names the version, the git revision and the version of
# every library it links, as the libraries themselves report them; a bundle's
# manifest records the same ("made_by"). Expected library versions come from
# the package manager (dpkg) and pkg-config, not from caseprobe's own code.
. "$(dirname "$0")/lib.sh"
command -v dpkg-query >/dev/null || { echo "SKIP: no dpkg-query (not a Debian host)"; exit 77; }

out=$("$CP_BIN" --version) || fail "--version exited $?"
echo "$out"
want_project=$(sed -n 's/^project(caseprobe VERSION \([0-9.]*\).*/\1/p' "$CP_SRC/CMakeLists.txt")
echo "$out" | head -1 | grep -q "^caseprobe $want_project (git [0-9a-f]\{7,\}\(-dirty\)\?, bundle format [0-9]*)$" \
  || fail "first line does not name version $want_project and a git revision"

# lib NAME DEBIAN-PACKAGE: the version --version prints must be the upstream
# part of the installed package's version.
lib() {
  local got want
  got=$(echo "$out" | awk -v n="$1" '$1 == n {print $2}')
  want=$(dpkg-query -W -f '${Version}' "$2" 2>/dev/null | sed 's/^[0-9]*://; s/[-+~].*//; s/\.dfsg$//')
  [ -n "$want" ] || fail "package $2 is not installed"
  [ "$got" = "$want" ] || fail "$1: --version says '$got', dpkg says $2 $want"
}
lib openssl libssl3
lib libarchive libarchive13
lib libcurl libcurl4
lib jansson libjansson4
lib zlib zlib1g
lib pcre2 libpcre2-8-0
lib vectorscan libvectorscan5
for m in libimobiledevice:libimobiledevice-1.0 libplist:libplist-2.0 libusbmuxd:libusbmuxd-2.0; do
  want=$(pkg-config --modversion "${m#*:}") || fail "pkg-config knows no ${m#*:}"
  echo "$out" | grep -q "^  ${m%%:*} *$want " || fail "${m%%:*}: --version does not say $want"
done

# The manifest of a collected bundle records exactly what --version says.
sim_start "$(profile iphone-modern)"
mkdir -p "$T/out"
"$CP_BIN" collect --case VER-1 --scope system --yes -o "$T/out" >"$T/collect.txt" 2>&1 \
  || fail "collect exited $?: $(cat "$T/collect.txt")"
b=$(ls "$T"/out/*.caseprobe.tar.gz)
tar -xzOf "$b" manifest.json >"$T/manifest.json" || fail "no manifest.json in $b"
python3 - "$T/manifest.json" <<'PY' >"$T/made_by.txt" || fail "manifest has no made_by"
import json, sys
m = json.load(open(sys.argv[1]))["made_by"]
print(m["version"], m["git"])
for k in sorted(m["libraries"]):
    print(k, m["libraries"][k])
PY
echo "$out" | head -1 | grep -q "^caseprobe $(head -1 "$T/made_by.txt" | sed 's/ / (git /')," \
  || fail "manifest's version/git differ from --version: $(head -1 "$T/made_by.txt")"
tail -n +2 "$T/made_by.txt" | while read -r k v; do
  echo "$out" | grep -qF "  $(printf '%-17s' "$k") $v" || fail "manifest says $k $v, --version does not"
done || exit 1
echo "PASS: --version and manifest made_by agree with the installed libraries"
