#!/usr/bin/env bash
# The macOS branches of the platform code compile, so they cannot rot unseen
# on a project whose CI has no Mac: every C file with a `__APPLE__` branch is
# compiled here (syntax and declarations, -fsyntax-only) with the platform
# forced to Darwin (__APPLE__/__MACH__ defined, __linux__ undefined) against
# this machine's POSIX headers; the one BSD field name the code uses
# (st_mtimespec) is mapped to its Linux spelling. It checks what the code
# says, not Apple's headers: a Mac build remains the real test.
. "$(dirname "$0")/lib.sh"
cd "$CP_SRC" || fail "no $CP_SRC"
cc=${CC:-cc}
command -v "$cc" >/dev/null || { echo "SKIP: no C compiler"; exit 77; }
files=$(git ls-files '*.c' | xargs grep -l '__APPLE__') || fail "no file has a __APPLE__ branch"
incs=""
for d in agent agent/* probes formats formats/* "$CP_BUILD/generated"; do [ -d "$d" ] && incs="$incs -I$d"; done
# shellcheck disable=SC2086
flags="-std=c11 -fsyntax-only -Werror=implicit-function-declaration -D_POSIX_C_SOURCE=200809L
  -D_DEFAULT_SOURCE -D_DARWIN_C_SOURCE -U__linux__ -U__gnu_linux__ -D__APPLE__ -D__MACH__
  -Dst_mtimespec=st_mtim $incs $(pkg-config --cflags jansson libplist-2.0 libimobiledevice-1.0 libarchive)"
n=0
for f in $files; do
  n=$((n + 1))
  # shellcheck disable=SC2086
  "$cc" $flags "$f" >"$T/out.txt" 2>&1 || { cat "$T/out.txt" >&2; fail "$f does not compile for macOS"; }
done
echo "PASS: $n file(s) with a macOS branch compile with the platform forced to Darwin: $(echo $files)"
