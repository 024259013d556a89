#!/usr/bin/env bash
# Fault matrix, part 5: the disk fills while the bundle is written. A 64 KiB
# tmpfs is the output folder of `collect` (the bundle of the `detaching`
# profile is larger) and of `crashes pull`: exit 5 "disk full", nothing that
# looks whole left behind (collect: the folder is empty; pull: every file
# there is byte-identical to the device's), then the same command into a
# roomy folder succeeds. Needs root (mount); reported as skipped (exit 77)
# with the reason when mount is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_fault.sh"
B=$(profile detaching)
mkdir -p "$T/small"
if ! mount -t tmpfs -o size=64k tmpfs "$T/small" 2>"$T/mount.err"; then
  skip "cannot mount a small tmpfs ($(cat "$T/mount.err")); disk-full trials not run"
fi
trap 'umount "$T/small" 2>/dev/null; cleanup' EXIT
U=$(fault_udid 801)
fault_profile "$B" "$T/d" "$U" "{}"
sim_start "$T/d"
for m in collect pull; do
  FT_OUT="$T/small/$m" fault_trial "diskfull-$m" "disk full (64 KiB tmpfs)" "$m" "$U" "$T/d" "5" "disk full"
  fault_rerun "diskfull-$m" "$m" "$U" "$T/d"
done
left=$(find "$T/small/collect" "$T/small/pull" -name '*.partial*' -o -name '.*.tar.gz*' | head -n 3)
[ -z "$left" ] || fail "disk full left scratch files: $left"
fault_report "disk full"
