#!/usr/bin/env bash
# The Windows build: builds the mingw-w64 libraries from their Debian sources
# (packaging/windows/build-deps.sh, cached in CP_WIN_DEPS, default
# ~/.cache/caseprobe/win-deps), cross-builds caseprobe.exe without the device
# side, and under Wine runs its portable unit tests, `parse` on the corpus
# reports (the same records as the Linux build, also for a non-ASCII file
# name), and `verify` on a signed bundle the Linux build collected from the
# simulator: accepted untouched, refused with one byte flipped; the
# redactor (PCRE2 alone) gives what the Linux build's gives on planted canary
# values. Exits 77 when
# mingw-w64, Wine or the Debian sources are missing.
. "$(dirname "$0")/lib.sh"
command -v x86_64-w64-mingw32-gcc >/dev/null || skip "gcc-mingw-w64-x86-64 is not installed"
WINE=$(command -v wine64 || command -v wine || ls /usr/lib/wine/wine64 2>/dev/null) ||
  skip "wine64 is not installed"
[ -f /usr/x86_64-w64-mingw32/lib/libz.a ] || skip "libz-mingw-w64-dev is not installed"
command -v dpkg-source >/dev/null || skip "dpkg-dev (apt-get source) is not installed"
command -v openssl >/dev/null || skip "openssl (to make a signing key) is not installed"

DEPS="${CP_WIN_DEPS:-${XDG_CACHE_HOME:-$HOME/.cache}/caseprobe/win-deps}"
t0=$(date +%s)
"$CP_SRC/packaging/windows/build-deps.sh" "$DEPS" >"$T/deps.log" 2>&1 || {
  tail -30 "$T/deps.log"
  grep -q "deb-src\|apt-get source\|Unable to find a source package" "$T/deps.log" &&
    skip "the Debian source packages cannot be fetched here"
  fail "build-deps.sh failed"
}
echo "deps: $(($(date +%s) - t0)) s (cached per Debian source version in $DEPS)"

# Cross-build (kept beside the Linux build so a rerun is incremental).
W="${CP_BUILD:-$T}/windows"
PKG_CONFIG_LIBDIR="$DEPS/lib/pkgconfig" PKG_CONFIG_PATH="" \
  cmake -S "$CP_SRC" -B "$W" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE="$CP_SRC/packaging/windows/mingw-w64-x86_64.cmake" \
  -DCMAKE_FIND_ROOT_PATH="$DEPS" -DOPENSSL_ROOT_DIR="$DEPS" -DOPENSSL_USE_STATIC_LIBS=ON \
  -DZLIB_LIBRARY=/usr/x86_64-w64-mingw32/lib/libz.a \
  >"$T/configure.log" 2>&1 || { cat "$T/configure.log"; fail "configure for Windows failed"; }
cmake --build "$W" -j 2 >"$T/build.log" 2>&1 || { tail -40 "$T/build.log"; fail "cross-build failed"; }
EXE="$W/caseprobe.exe"
[ -f "$EXE" ] || fail "the cross-build made no caseprobe.exe"
file "$EXE" | grep -q "PE32+ executable.*x86-64" || fail "caseprobe.exe is not a Windows x86-64 program: $(file "$EXE")"

# Wine in a private prefix; its first start makes the prefix (~20 s).
export WINEPREFIX="$T/wine" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
wexe() { "$WINE" "$EXE" "$@"; }
wexe --version >"$T/version.out" 2>"$T/version.err" || fail "caseprobe.exe --version: $(cat "$T/version.err")"
cat "$T/version.out"
assert_contains "$T/version.out" "caseprobe "
for lib in openssl libarchive pcre2 jansson zlib libplist; do
  grep -q "^  $lib " "$T/version.out" || fail "--version does not name $lib"
done

# Portable unit tests under Wine (ctest runs them through CMAKE_CROSSCOMPILING_EMULATOR).
ctest --test-dir "$W" --output-on-failure -j 1 >"$T/unit.log" 2>&1 || {
  cat "$T/unit.log"; fail "unit tests under Wine failed"
}
grep "tests passed" "$T/unit.log"

# The redactor under Wine: the Windows build has PCRE2 alone (Vectorscan has
# no mingw build). The canary profile's planted values in real syslog, as
# text, .json and .plist members, written in random-sized pieces, give byte
# for byte what the Linux build (Vectorscan, one write) gives, and none of
# the device's own identifiers survives. (A unit-level canary: this build
# has no collect to make a bundle with; test_redact_property runs above.)
LD=$CP_BUILD/tests/redact_dump
[ -x "$LD" ] || fail "no $LD in the Linux build"
"$WINE" "$W/tests/redact_dump.exe" --engine | tr -d '\r' | grep -q '^pcre2 ' ||
  fail "the Windows redactor is not the PCRE2 engine: $("$WINE" "$W/tests/redact_dump.exe" --engine)"
mkdir -p "$T/red"
python3 "$CP_SRC/tests/e2e/redact_planted.py" "$CP_SRC/tests/sim/profiles/canary/values.txt" \
  "$CP_CORPUS" "$T/red" 3000 || fail "could not make the planted text"
for m in planted.log planted.json planted.plist; do
  "$LD" -i "$T/red/ids.tsv" "$m" "$T/red/$m" "$T/red/$m.linux" "$T/red/$m.linux.json" ||
    fail "Linux redact_dump $m"
  "$WINE" "$W/tests/redact_dump.exe" -i "$T/red/ids.tsv" -c 7 "$m" "$T/red/$m" "$T/red/$m.win" \
    "$T/red/$m.win.json" 2>"$T/red/err" || fail "redact_dump.exe $m: $(cat "$T/red/err")"
  cmp -s "$T/red/$m.linux" "$T/red/$m.win" || fail "$m: the Windows redactor gives other bytes than Linux"
  tr -d '\r' <"$T/red/$m.win.json" | cmp -s - "$T/red/$m.linux.json" ||
    fail "$m: the Windows redaction report differs from Linux"
  while IFS=$'\t' read -r cls v; do
    ! grep -qiF "$v" "$T/red/$m.win" || fail "$m: the $cls $v survived the Windows redactor"
  done <"$T/red/ids.tsv"
done
echo "redactor: planted canary values, Windows (PCRE2) = Linux (Vectorscan), byte for byte, $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"])' "$T/red/planted.log.linux.json") redactions"

# parse: every corpus report gives the same records as the Linux build.
mapfile -t reports < <(ls "$CP_CORPUS"/ips/*.ips "$CP_CORPUS"/crash/*.crash)
[ "${#reports[@]}" -ge 5 ] || fail "tests/corpus has only ${#reports[@]} reports"
"$CP_BIN" parse --json "${reports[@]}" >"$T/parse.linux" 2>/dev/null
lrc=$?
wexe parse --json "${reports[@]}" >"$T/parse.win.raw" 2>"$T/parse.win.err"
wrc=$?
assert_eq "$wrc" "$lrc" "parse exit status, Windows vs Linux ($(head -3 "$T/parse.win.err"))"
tr -d '\r' <"$T/parse.win.raw" >"$T/parse.win"
[ -s "$T/parse.linux" ] || fail "the Linux parse printed nothing"
cmp -s "$T/parse.linux" "$T/parse.win" || {
  diff "$T/parse.linux" "$T/parse.win" | head -20; fail "parse records differ between Windows and Linux"
}
echo "parse: ${#reports[@]} corpus reports, same records as Linux"
# A non-ASCII file name (UTF-8 argv and _wfopen).
cp "${reports[0]}" "$T/réport-日本.ips"
wexe parse --json "$T/réport-日本.ips" >"$T/parse.utf8.raw" 2>"$T/parse.utf8.err" ||
  fail "parse of a non-ASCII file name: $(cat "$T/parse.utf8.err")"
"$CP_BIN" parse --json "$T/réport-日本.ips" >"$T/parse.one" 2>/dev/null
grep -q 'r\\u00E9port-\\u65E5\\u672C.ips' "$T/parse.one" || fail "Linux parse does not name réport-日本.ips (test premise)"
tr -d '\r' <"$T/parse.utf8.raw" | cmp -s - "$T/parse.one" ||
  fail "parse of réport-日本.ips differs between Windows and Linux: $(head -c 300 "$T/parse.utf8.raw")"
wexe parse "$T/no-such-file.ips" >/dev/null 2>&1
assert_eq "$?" 6 "parse of a missing file"

# verify: a signed bundle made by the Linux build, accepted; a flipped byte, refused.
openssl genpkey -algorithm ed25519 -out "$T/k.pem" 2>/dev/null || fail "openssl genpkey"
openssl pkey -in "$T/k.pem" -pubout -out "$T/k.pub" 2>/dev/null || fail "openssl pkey -pubout"
sim_start "$(profile iphone-modern)"
mkdir -p "$T/out"
"$CP_BIN" collect --case WIN-1 --scope all --yes -o "$T/out" --sign "$T/k.pem" --syslog-seconds 1 \
  >"$T/collect.out" 2>"$T/collect.err" || fail "Linux collect: $(cat "$T/collect.err")"
B=$(head -n1 "$T/collect.out")
[ -f "$B" ] || fail "collect printed '$B', not a file"
sim_stop
cp "$B" "$T/bündel.tar.gz"
wexe verify --key "$T/k.pub" "$T/bündel.tar.gz" >"$T/vgood.out" 2>"$T/vgood.err"
assert_eq "$?" 0 "caseprobe.exe verify of a Linux-made signed bundle ($(cat "$T/vgood.err"))"
assert_contains "$T/vgood.out" "signature  good"
wexe inspect "$T/bündel.tar.gz" >"$T/inspect.out" 2>"$T/inspect.err"
assert_eq "$?" 0 "caseprobe.exe inspect ($(cat "$T/inspect.err"))"
assert_contains "$T/inspect.out" "WIN-1"
python3 - "$B" "$T/tampered.tar.gz" <<'PY' || fail "could not flip a byte in battery/health.json"
import io, sys, tarfile
with tarfile.open(sys.argv[1], "r:gz") as ti, \
     tarfile.open(sys.argv[2], "w:gz", format=tarfile.PAX_FORMAT) as to:
    for info in ti.getmembers():
        data = ti.extractfile(info).read() if info.isreg() else None
        if info.name == "battery/health.json":
            b = bytearray(data); b[len(b) // 2] ^= 0x01; data = bytes(b)
        to.addfile(info, io.BytesIO(data) if data is not None else None)
PY
"$CP_BIN" verify --key "$T/k.pub" "$T/tampered.tar.gz" >/dev/null 2>&1
assert_eq "$?" 31 "the Linux build refuses the tampered bundle (test premise)"
wexe verify --key "$T/k.pub" "$T/tampered.tar.gz" >"$T/vbad.out" 2>"$T/vbad.err"
assert_eq "$?" 31 "caseprobe.exe verify of the tampered bundle"
tr -d '\r' <"$T/vbad.out" | grep -q "CHANGED  battery/health.json" ||
  fail "caseprobe.exe verify does not name the changed member: $(cat "$T/vbad.out")"

# The zip: only caseprobe.exe and text files; the unpacked program runs.
if command -v zip >/dev/null && command -v unzip >/dev/null; then
  Z=$("$CP_SRC/packaging/windows/make-zip.sh" "$W" "$T/dist" 2>"$T/zip.err") || fail "make-zip: $(cat "$T/zip.err")"
  unzip -q "$Z" -d "$T/unz" || fail "unzip $Z"
  mapfile -t zexe < <(find "$T/unz" -name '*.exe' -o -name '*.dll')
  assert_eq "${#zexe[@]}" 1 "programs and DLLs in the zip (${zexe[*]})"
  "$WINE" "${zexe[0]}" --version >"$T/zver.out" 2>&1 || fail "the zipped caseprobe.exe does not run: $(cat "$T/zver.out")"
  echo "zip: $(basename "$Z"), $(wc -c <"$Z") bytes"
else
  skip_part "zip/unzip not installed: make-zip.sh not checked"
fi

echo "test_windows_build: ok"
