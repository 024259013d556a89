#!/bin/sh
# Packs the Windows build into caseprobe-VERSION-windows-x86_64.zip: the
# program, the man page as text, the licence and a README. caseprobe.exe is
# linked statically (OpenSSL, libarchive, jansson, PCRE2, libplist, zlib and
# the mingw runtime: see build-deps.sh and the -static link option), so no
# DLL ships; the script checks that with objdump and refuses to pack an .exe
# that imports anything beyond the DLLs every Windows has.
#   usage: packaging/windows/make-zip.sh WINDOWS_BUILD_DIR OUT_DIR
set -eu
if [ $# -ne 2 ]; then
  echo "usage: $0 WINDOWS_BUILD_DIR OUT_DIR" >&2
  exit 2
fi
B=$1
OUT=$2
SRC=$(cd "$(dirname "$0")/../.." && pwd)
EXE="$B/caseprobe.exe"
[ -f "$EXE" ] || { echo "make-zip: $EXE not found; cross-build first (see README)" >&2; exit 1; }
command -v zip >/dev/null || { echo "make-zip: zip is not installed (apt-get install zip)" >&2; exit 1; }

# The DLLs the program imports must all be part of Windows itself.
dlls=$(x86_64-w64-mingw32-objdump -p "$EXE" | sed -n 's/^[[:space:]]*DLL Name: //p' | tr 'A-Z' 'a-z')
for d in $dlls; do
  case "$d" in
  kernel32.dll | user32.dll | advapi32.dll | ws2_32.dll | crypt32.dll | bcrypt.dll | shell32.dll | \
    msvcrt.dll | api-ms-win-*.dll) ;;
  *)
    echo "make-zip: caseprobe.exe needs $d, which Windows does not ship; link it statically" >&2
    exit 1
    ;;
  esac
done

version=$(sed -n 's/^project(caseprobe VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
name="caseprobe-$version-windows-x86_64"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name" "$OUT"
cp "$EXE" "$stage/$name/"
x86_64-w64-mingw32-strip "$stage/$name/caseprobe.exe"
cp "$SRC/LICENSE" "$stage/$name/LICENSE.txt"
if command -v groff >/dev/null; then
  groff -man -Tutf8 -P -cbou "$SRC/packaging/caseprobe.1" 2>/dev/null >"$stage/$name/caseprobe.txt" || true
fi
cat >"$stage/$name/README.txt" <<TXT
caseprobe $version for Windows x86-64

This build reads files only: caseprobe parse (crash reports), verify and
inspect (bundles), and --version. It cannot talk to an iPhone yet: the
device commands (list, info, collect, ...) are in the Linux and macOS builds.
Run it from a command prompt: caseprobe.exe --help
TXT
# Windows line endings for the text files a person opens in Notepad.
for f in "$stage/$name"/*.txt; do sed -i 's/$/\r/' "$f"; done
rm -f "$OUT/$name.zip"
(cd "$stage" && zip -qr -X "$name.zip" "$name")
mv "$stage/$name.zip" "$OUT/"
echo "$OUT/$name.zip"
