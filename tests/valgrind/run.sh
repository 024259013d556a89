#!/usr/bin/env bash
# Runs chosen end-to-end tests once with every caseprobe process under
# Valgrind memcheck (the simulator and the libimobiledevice tools run
# natively: only our agent is checked). A test passes when the script passes
# AND every caseprobe process's Valgrind log is empty: no invalid read or
# write, no use of uninitialised memory, no definite, indirect or possible
# leak. Third-party process-wide state is suppressed in caseprobe.supp (one
# comment per entry), never our code.
#
#   tests/valgrind/run.sh BUILD_DIR [JOBS] [TEST_NAME...]
# TEST_NAME is a tests/valgrind/NAME.sh or tests/e2e/NAME.sh stem; the default
# is `subset` (subset.sh: battery, info, crashes pull, collect, verify, inspect,
# parse, a pulled cable), lean because every process under memcheck costs
# seconds. Exit 0 when all are clean.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "${1:?usage: run.sh BUILD_DIR [JOBS] [TEST...]}" && pwd)
jobs=${2:-2}
shift $(($# >= 2 ? 2 : $#))
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(subset)
script_of() { # NAME -> tests/valgrind/NAME.sh or tests/e2e/NAME.sh
  if [ -f "$here/$1.sh" ]; then echo "$here/$1.sh"; else echo "$src/tests/e2e/$1.sh"; fi
}
command -v valgrind >/dev/null || { echo "valgrind: not installed (packaging/install-deps)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/cp-valgrind.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The wrapper the tests call as $CP_BIN: same arguments, same exit status.
cat >"$work/caseprobe" <<WRAP
#!/bin/sh
exec valgrind --quiet --tool=memcheck --leak-check=full \\
  --show-leak-kinds=definite,indirect,possible \\
  --errors-for-leak-kinds=definite,indirect,possible \\
  --num-callers=40 --suppressions="$here/caseprobe.supp" \\
  --log-file="$work/logs/\$1.%p.log" "$build/caseprobe" "\$@"
WRAP
chmod +x "$work/caseprobe"

run_one() { # run_one TEST -> 0 when the test passed and its logs are clean
  local t=$1 rc=0
  mkdir -p "$work/$t/logs"
  sed "s#$work/logs/#$work/$t/logs/#" "$work/caseprobe" >"$work/$t/caseprobe"
  chmod +x "$work/$t/caseprobe"
  CP_BIN="$work/$t/caseprobe" CP_SIM="$build/caseprobe-sim" CP_SIM_GEN="$build/caseprobe-sim-gen" \
    CP_SRC="$src" CP_BUILD="$build" CP_CORPUS="${CP_CORPUS:-$src/tests/corpus}" CP_VALGRIND=1 \
    bash "$(script_of "$t")" >"$work/$t/out" 2>&1 </dev/null || rc=$?
  local n bad=0
  n=$(ls "$work/$t/logs" | wc -l)
  for l in "$work/$t/logs"/*.log; do
    [ -s "$l" ] || continue
    bad=$((bad + 1))
    echo "--- valgrind report: $t: $(basename "$l") ---"
    head -n 80 "$l"
  done
  if [ "$rc" -ne 0 ]; then
    echo "--- $t failed under valgrind (exit $rc) ---"
    tail -n 40 "$work/$t/out"
  fi
  if [ "$rc" -eq 0 ] && [ "$bad" -eq 0 ]; then
    echo "valgrind: $t: clean ($n caseprobe processes)"
    return 0
  fi
  echo "valgrind: $t: FAILED ($bad of $n processes with reports)"
  return 1
}

# Simple job pool: at most $jobs tests at once, each test's output printed
# as one block when it ends.
fails=0 pids=() names=()
wait_one() {
  local i
  wait -n 2>/dev/null || true
  for i in "${!pids[@]}"; do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      wait "${pids[$i]}" || fails=$((fails + 1))
      cat "$work/${names[$i]}.result"
      unset 'pids[i]' 'names[i]'
    fi
  done
}
for t in "${tests[@]}"; do
  [ -f "$(script_of "$t")" ] || { echo "valgrind: no test $t" >&2; fails=$((fails + 1)); continue; }
  while [ ${#pids[@]} -ge "$jobs" ]; do wait_one; done
  run_one "$t" >"$work/$t.result" 2>&1 &
  pids+=($!) names+=("$t")
done
while [ ${#pids[@]} -gt 0 ]; do wait_one; done
[ "$fails" -eq 0 ] && echo "valgrind: all ${#tests[@]} tests clean" && exit 0
echo "valgrind: $fails test(s) failed" >&2
exit 1
