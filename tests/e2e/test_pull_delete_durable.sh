#!/usr/bin/env bash
# crashes pull --delete removes a report from the device only once its bytes
# are durable: the pull writes its reports in batches that share one sync
# (formats/durable.c), and when that sync fails (syncfs made to fail with
# EIO by a preloaded shim) the pull fails with an I/O error, places no
# report and deletes nothing; the same pull without the shim places every
# report byte for byte and deletes exactly those.
source "$(dirname "$0")/lib.sh"
[ "$(uname -s)" = Linux ] || skip "syncfs is the Linux batch sync; other systems fsync each file"
command -v cc >/dev/null || skip "no C compiler to build the syncfs shim"
if ldd "$CP_BIN" 2>/dev/null | grep -q 'libasan\|libtsan'; then
  skip "a sanitizer build refuses LD_PRELOAD shims ahead of its runtime"
fi
printf '#include <errno.h>\nint syncfs(int fd) { (void)fd; errno = EIO; return -1; }\n' >"$T/shim.c"
cc -shared -fPIC -o "$T/shim.so" "$T/shim.c" || fail "cannot build the syncfs shim"
"$CP_SIM_GEN" "$T/dev" --crashes 40 --crash-mb 2 >/dev/null || fail "caseprobe-sim-gen failed"
sim_start "$T/dev"
u=$(python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["UDID"])' "$T/dev/device.plist")
count() { "$CP_BIN" crashes list -u "$u" --json >"$T/l.json" || fail "list exit $?"; json_get "$T/l.json" 'd["count"]'; }
n=$(count)
[ "$n" -ge 40 ] || fail "the profile serves $n reports, expected at least 40"

LD_PRELOAD="$T/shim.so" "$CP_BIN" crashes pull "$T/out1" --delete -u "$u" >"$T/p1.out" 2>"$T/p1.err"
rc=$?
assert_eq "$rc" "4" "pull --delete whose sync fails: exit (I/O error)"
assert_contains "$T/p1.err" "cannot sync"
assert_eq "$(count)" "$n" "reports left on the device after the failed sync"
placed=$(find "$T/out1" -type f ! -name '.caseprobe-pull.json' | wc -l)
assert_eq "$placed" "0" "files placed without a sync (or temporary files left)"

"$CP_BIN" crashes pull "$T/out2" --delete -u "$u" --json >"$T/p2.json" 2>"$T/p2.err" || fail "pull --delete exit $?"
assert_eq "$(json_get "$T/p2.json" 'sum(1 for r in d["pulled"] if r["removed"])')" "$n" "reports removed"
assert_eq "$(count)" "0" "reports left on the device after a good pull --delete"
assert_pulled_tree "$T/dev/crash" "$T/out2" "$n" # every deleted report is in the pull folder
