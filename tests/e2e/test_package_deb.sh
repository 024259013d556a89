#!/usr/bin/env bash
# The Debian package: configures a build for /usr, makes the .deb with CPack,
# checks it with lintian (no errors), installs it with apt-get, runs the
# installed caseprobe (--version, and the demo against the simulator, which
# stays a test program), checks the station unit with systemd-analyze verify,
# the system user and the organisation-keys folder, then purges it and checks
# that nothing is left. Needs root and apt (CI has both); exits 77 otherwise.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: installing a package needs root"; exit 77; }
for t in apt-get dpkg-deb lintian cpack systemd-analyze; do
  command -v "$t" >/dev/null || { echo "SKIP: $t is not installed"; exit 77; }
done
if dpkg-query -W -f '${Status}' caseprobe 2>/dev/null | grep -q "install ok"; then
  echo "SKIP: a caseprobe package is already installed on this machine; not touching it"; exit 77
fi
purge() { apt-get purge -y -qq caseprobe >/dev/null 2>&1 || true; }
trap 'purge; cleanup' EXIT

B="${CP_DEB_BUILD:-$T/build-deb}"
cmake -S "$CP_SRC" -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr -DCP_TESTS=OFF \
  >"$T/configure.log" 2>&1 || { cat "$T/configure.log"; fail "configure for /usr failed"; }
cmake --build "$B" -j 2 >"$T/build.log" 2>&1 || { tail -30 "$T/build.log"; fail "build failed"; }
(cd "$B" && cpack -G DEB -B "$T/pkg") >"$T/cpack.log" 2>&1 || { cat "$T/cpack.log"; fail "cpack failed"; }
deb=$(ls "$T"/pkg/caseprobe_*.deb) || fail "cpack made no caseprobe_*.deb"
dpkg-deb -I "$deb"
dpkg-deb -c "$deb" | awk '{print $6}' >"$T/contents.txt"
for f in ./usr/bin/caseprobe ./usr/share/man/man1/caseprobe.1.gz ./usr/share/doc/caseprobe/copyright \
  ./usr/share/doc/caseprobe/changelog.Debian.gz ./usr/share/doc/caseprobe/examples/station-policy.example \
  ./lib/systemd/system/caseprobe-station.service ./usr/lib/sysusers.d/caseprobe.conf \
  ./etc/caseprobe/org-keys/README; do
  grep -qx "$f" "$T/contents.txt" || fail "the package lacks $f"
done
deps=$(dpkg-deb -f "$deb" Depends)
for lib in libimobiledevice6 libplist3 libarchive13 libjansson4 libcurl4 libvectorscan5 libpcre2-8-0 libssl3; do
  echo "$deps" | grep -q "$lib" || fail "Depends lacks $lib (dpkg-shlibdeps): $deps"
done

lintian --fail-on error --no-tag-display-limit "$deb" >"$T/lintian.txt" 2>&1
lrc=$?
cat "$T/lintian.txt"
[ $lrc -eq 0 ] || fail "lintian reports errors"

apt-get install -y -qq "$deb" >"$T/install.log" 2>&1 || { cat "$T/install.log"; fail "apt-get install failed"; }
[ -x /usr/bin/caseprobe ] || fail "/usr/bin/caseprobe missing after install"
/usr/bin/caseprobe --version | head -1 | grep -q "^caseprobe " || fail "installed --version"
getent passwd caseprobe >/dev/null || fail "no caseprobe system user after install"
[ -d /etc/caseprobe/org-keys ] || fail "no /etc/caseprobe/org-keys"
man -w caseprobe >/dev/null 2>&1 || [ -f /usr/share/man/man1/caseprobe.1.gz ] || fail "man page not installed"
systemd-analyze verify /lib/systemd/system/caseprobe-station.service >"$T/verify.txt" 2>&1 \
  || { cat "$T/verify.txt"; fail "systemd-analyze verify failed"; }

mkdir -p "$T/demo"
(cd "$T/demo" && /usr/bin/caseprobe demo --sim "$CP_SIM" --profile "$(profile iphone-modern)") >"$T/demo.txt" 2>&1 \
  || { cat "$T/demo.txt"; fail "installed caseprobe demo failed"; }
b=$(tail -1 "$T/demo.txt")
[ -f "$T/demo/$b" ] || fail "demo's last line is not a bundle: $b"
/usr/bin/caseprobe verify "$T/demo/$b" >/dev/null || fail "installed caseprobe cannot verify its demo bundle"

apt-get purge -y -qq caseprobe >"$T/purge.log" 2>&1 || { cat "$T/purge.log"; fail "purge failed"; }
[ ! -e /usr/bin/caseprobe ] || fail "/usr/bin/caseprobe still there after purge"
[ ! -e /etc/caseprobe ] || fail "/etc/caseprobe still there after purge"
dpkg-query -W -f '${Status}' caseprobe 2>/dev/null | grep -q "install ok" && fail "still installed"
echo "PASS: .deb builds, passes lintian, installs, runs, verifies, purges"
