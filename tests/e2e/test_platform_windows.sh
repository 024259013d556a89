#!/usr/bin/env bash
# The Windows branches of the code compile with mingw-w64, also in files the
# Windows build does not build yet (the device side, upload, doctor): every
# C file with a `_WIN32` branch, and the commands that ask platform.c for the
# console control handler (cp_on_stop_request: cli_common.c, cmd_assist.c),
# are compiled (-fsyntax-only) by x86_64-w64-mingw32-gcc against the mingw
# libraries of packaging/windows/build-deps.sh (CP_WIN_DEPS) and, for the
# device-side headers mingw has no build of (libimobiledevice, libusbmuxd,
# libcurl, libmicrohttpd), this machine's headers, which are plain C.
# gettext has no mingw build in Debian: a stand-in libintl.h declares the
# calls used (and LC_MESSAGES, as GNU's libintl.h does on Windows). It checks what the code says; the Windows build and its
# Wine run (test_windows_build.sh) remain the real test for what it builds.
# Not here: agent/station/* (a Linux/macOS service: syslog, pthreads) and
# cmd_demo.c (the simulator listens on a UNIX socket; demo is POSIX-only).
. "$(dirname "$0")/lib.sh"
cd "$CP_SRC" || fail "no $CP_SRC"
cc=x86_64-w64-mingw32-gcc
command -v $cc >/dev/null || skip "gcc-mingw-w64-x86-64 is not installed"
DEPS="${CP_WIN_DEPS:-${XDG_CACHE_HOME:-$HOME/.cache}/caseprobe/win-deps}"
[ -f "$DEPS/include/jansson.h" ] && [ -f "$DEPS/include/pcre2.h" ] ||
  skip "the mingw libraries are not built ($DEPS: packaging/windows/build-deps.sh, or test_windows_build)"
for h in /usr/include/libimobiledevice/libimobiledevice.h /usr/include/usbmuxd.h \
  /usr/include/microhttpd.h /usr/include/x86_64-linux-gnu/curl/curl.h; do
  [ -f "$h" ] || skip "no $h (the device-side -dev packages)"
done
S=$T/shim
mkdir -p "$S"
ln -s /usr/include/libimobiledevice "$S/libimobiledevice"
ln -s /usr/include/x86_64-linux-gnu/curl "$S/curl"
for f in /usr/include/usbmuxd*.h /usr/include/microhttpd.h; do ln -s "$f" "$S/"; done
cat >"$S/libintl.h" <<'H'
char *gettext(const char *);
char *ngettext(const char *, const char *, unsigned long);
char *bindtextdomain(const char *, const char *);
char *bind_textdomain_codeset(const char *, const char *);
char *textdomain(const char *);
#include <locale.h>
#ifndef LC_MESSAGES /* as GNU libintl.h defines it where the C library has none */
#define LC_MESSAGES 1729
#endif
H
files=$(git ls-files '*.c' | xargs grep -l '_WIN32' | grep -v '^tests/') || fail "no file has a _WIN32 branch"
files="$files agent/cli_common.c agent/cmd_assist.c"
incs=""
for d in agent agent/* probes formats formats/*; do [ -d "$d" ] && incs="$incs -I$d"; done
mkdir -p "$T/gen"
sed 's/@[A-Z_]*@/0/g' formats/cp_version.h.in >"$T/gen/cp_version.h"
# shellcheck disable=SC2086
flags="-std=c11 -fsyntax-only -Werror=implicit-function-declaration -Werror=incompatible-pointer-types
  -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -D_WIN32_WINNT=0x0601 -D__USE_MINGW_ANSI_STDIO=1
  -DPCRE2_STATIC -DLIBARCHIVE_STATIC -DLIBPLIST_STATIC $incs -I$T/gen -I$DEPS/include -I$S"
n=0
for f in $files; do
  n=$((n + 1))
  # shellcheck disable=SC2086
  $cc $flags "$f" >"$T/out.txt" 2>&1 || { cat "$T/out.txt" >&2; fail "$f does not compile for Windows"; }
done
echo "PASS: $n file(s) compile for Windows with mingw-w64: $(echo $files)"
