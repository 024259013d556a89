#!/usr/bin/env bash
# Runs one libFuzzer target for a fixed time: first over every regression and
# seed input (a crash there fails at once), then fuzzing a scratch copy of the
# corpus. Seeds: tests/fuzz/corpus/<name>/ and the tests/corpus folders named
# one per line in tests/fuzz/<name>.seeds. A crash leaves its input in
# tests/fuzz/corpus/<name>/ to be committed as a regression test.
set -u
bin=$1 name=$2 secs=$3 srcdir=$4 corpus=$5
seed_dir="$srcdir/corpus/$name"
work=$(mktemp -d "${TMPDIR:-/tmp}/cp-fuzz-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
[ -d "$seed_dir" ] && cp -r "$seed_dir/." "$work/corpus/" 2>/dev/null
if [ -f "$srcdir/$name.seeds" ]; then
  while IFS= read -r d; do
    [ -n "$d" ] || continue
    if [ ! -d "$corpus/$d" ]; then echo "fuzz_$name: seed folder $corpus/$d is missing" >&2; exit 1; fi
    cp -r "$corpus/$d/." "$work/corpus/" || exit 1
  done <"$srcdir/$name.seeds"
fi
dict=()
[ -f "$srcdir/$name.dict" ] && dict=(-dict="$srcdir/$name.dict")
mkdir -p "$seed_dir"
"$bin" "${dict[@]}" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
  -artifact_prefix="$seed_dir/crash-" -print_final_stats=1 "$work/corpus" 2>"$work/log"
rc=$?
tail -n 15 "$work/log"
if [ $rc -ne 0 ]; then
  echo "fuzz_$name: FAILED (exit $rc); the input is in $seed_dir" >&2
  exit 1
fi
echo "fuzz_$name: ran ${secs}s with no finding"
