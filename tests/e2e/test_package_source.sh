#!/usr/bin/env bash
# The release tarball the Homebrew formula builds from: `cpack --config
# CPackSourceConfig.cmake` makes it; it builds on its own (no .git, no tests,
# no folder beside it) and installs into a prefix, where the formula's
# `test do` commands pass. The formula's dependencies are the libraries the
# build looks for (both directions), so the two cannot drift apart.
. "$(dirname "$0")/lib.sh"
formula="$CP_SRC/packaging/homebrew/caseprobe.rb"
[ -f "$formula" ] || fail "no $formula"

# Formula dependencies vs the build's pkg-config modules / find_package calls.
# Homebrew name per module: libimobiledevice-1.0 -> libimobiledevice, libhs -> vectorscan, ...
map() {
  case "$1" in
    libimobiledevice-1.0) echo libimobiledevice ;; libplist-2.0) echo libplist ;;
    libusbmuxd-2.0) echo libusbmuxd ;; libcurl) echo curl ;; libhs) echo vectorscan ;;
    libpcre2-8) echo pcre2 ;; jansson) echo jansson ;; libarchive) echo libarchive ;;
    libmicrohttpd) echo libmicrohttpd ;; cmocka) ;; *) echo "UNMAPPED:$1" ;;
  esac
}
want=$( { grep -rhoE 'pkg_check_modules\([A-Z0-9_]+ REQUIRED IMPORTED_TARGET [^)]+\)' "$CP_SRC"/CMakeLists.txt "$CP_SRC"/agent "$CP_SRC"/probes "$CP_SRC"/formats \
          --include=CMakeLists.txt | awk '{print $4}' | tr -d ')' | while read -r m; do map "$m"; done
        grep -q 'find_package(OpenSSL' "$CP_SRC/CMakeLists.txt" && echo openssl@3
        grep -rq 'Intl\|gettext' "$CP_SRC/CMakeLists.txt" "$CP_SRC/agent/CMakeLists.txt" && echo gettext; } | sort -u)
have=$(sed -n 's/^  depends_on "\([^"]*\)"$/\1/p' "$formula" | sort -u)
echo "build needs: $(echo $want)"; echo "formula has: $(echo $have)"
echo "$want" | grep -q UNMAPPED && fail "a pkg-config module has no Homebrew name in this test's map: $want"
[ "$want" = "$have" ] || fail "the formula's depends_on differ from what the build looks for"
if command -v ruby >/dev/null; then ruby -c "$formula" >/dev/null || fail "formula is not valid Ruby"; fi

B="$T/b"
cmake -S "$CP_SRC" -B "$B" -DCP_TESTS=OFF >"$T/cfg.log" 2>&1 || { cat "$T/cfg.log"; fail "configure"; }
(cd "$B" && cpack --config CPackSourceConfig.cmake -B "$T/src") >"$T/cpack.log" 2>&1 \
  || { cat "$T/cpack.log"; fail "cpack source failed"; }
tarball=$(ls "$T"/src/caseprobe-*.tar.gz) || fail "no source tarball"
tar -tzf "$tarball" | grep -qE '(^|/)\.git/' && fail "the tarball carries .git"
tar -tzf "$tarball" | grep -q '/node_modules/' && fail "the tarball carries node_modules"
mkdir "$T/x" && tar -xzf "$tarball" -C "$T/x" || fail "cannot unpack $tarball"
srcdir=$(ls -d "$T"/x/caseprobe-*) || fail "tarball has no caseprobe-<version>/ folder"
cmake -S "$srcdir" -B "$T/xb" -DCP_TESTS=OFF -DCMAKE_INSTALL_PREFIX="$T/prefix" >"$T/xcfg.log" 2>&1 \
  || { cat "$T/xcfg.log"; fail "the tarball does not configure"; }
cmake --build "$T/xb" -j 2 >"$T/xbuild.log" 2>&1 || { tail -30 "$T/xbuild.log"; fail "the tarball does not build"; }
cmake --install "$T/xb" >"$T/install.log" 2>&1 || { cat "$T/install.log"; fail "install failed"; }
# The formula's test do block, run on the installed prefix.
"$T/prefix/bin/caseprobe" --version | grep -q "^caseprobe [0-9.]* (git release," \
  || fail "a tarball build should say git release: $("$T/prefix/bin/caseprobe" --version | head -1)"
out=$("$T/prefix/bin/caseprobe" parse --json "$T/prefix/share/caseprobe/examples/sample-app-crash.ips") \
  || fail "parse of the installed example failed"
echo "$out" | grep -q iOSCrashingTest && echo "$out" | grep -q EXC_BREAKPOINT || fail "parse output lacks the app or exception"
echo "PASS: the source tarball builds alone, installs, and passes the formula's test"
