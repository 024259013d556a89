#!/usr/bin/env bash
# caseprobe-sim, the link model: bytes the device sends pay a per-device rate
# shared by all its connections (--bandwidth, BandwidthMBps), each request
# waits --latency-us / LatencyUs. Checks wall times with generous margins.
source "$(dirname "$0")/lib.sh"
U=00008030-0000000000011001 V=00008030-0000000000011002
sim_mkprofile "$T/p" "$U"
rm -rf "$T/p/crash"/* "$T/p/crash_pending"
head -c 16000000 /dev/urandom >"$T/p/crash/Big.ips"
sim_mkprofile "$T/q" "$V" "<key>BandwidthMBps</key><real>100</real><key>LatencyUs</key><integer>0</integer>"
rm -rf "$T/q/crash"/* "$T/q/crash_pending"
cp "$T/p/crash/Big.ips" "$T/q/crash/Big.ips"
now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 3))" "$1" "$2"; }
ge() { python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) else 1)" "$1" "$2"; }

sim_start --bandwidth 8 --latency-us 0 "$T/p" "$T/q"
ideviceinfo -u "$U" -k ProductVersion >/dev/null || fail "pair"
ideviceinfo -u "$V" -k ProductVersion >/dev/null || fail "pair"
# 16 MB at 8 MB/s: at least 2 s (big enough that the link, not the load on
# the machine, decides the times below)
mkdir "$T/o1"
t0=$(now)
idevicecrashreport -u "$U" -k "$T/o1" >/dev/null 2>&1 || fail "crashreport"
t1=$(now)
one=$(elapsed "$t0" "$t1")
echo "16 MB at 8 MB/s: $one s"
ge "$one" 1.9 || fail "16 MB at 8 MB/s took only $one s"
cmp -s "$T/o1/Big.ips" "$T/p/crash/Big.ips" || fail "content"
# the same on a device whose profile says 100 MB/s: much faster
mkdir "$T/o2"
t0=$(now)
idevicecrashreport -u "$V" -k "$T/o2" >/dev/null 2>&1 || fail "crashreport fast"
t1=$(now)
fast=$(elapsed "$t0" "$t1")
echo "16 MB at 100 MB/s (BandwidthMBps): $fast s"
# The link model's difference is 16 MB / 8 MB/s - 16 MB / 100 MB/s = 1.84 s;
# everything else (process start, TLS, a sanitizer build's overhead) is the
# same for both runs, so compare the difference, not a ratio.
ge "$(python3 -c "print($one - $fast)")" 0.9 || fail "BandwidthMBps override had no effect ($fast vs $one)"
# two transfers at once share the device's link: about twice as long
mkdir "$T/o3" "$T/o4"
t0=$(now)
idevicecrashreport -u "$U" -k "$T/o3" >/dev/null 2>&1 &
a=$!
idevicecrashreport -u "$U" -k "$T/o4" >/dev/null 2>&1 &
b=$!
wait $a || fail "parallel 1"
wait $b || fail "parallel 2"
t1=$(now)
both=$(elapsed "$t0" "$t1")
echo "2 x 16 MB at 8 MB/s in parallel: $both s"
ge "$both" 3.8 || fail "parallel transfers did not share the link ($both s; alone 16 MB takes 2 s)"
cmp -s "$T/o3/Big.ips" "$T/p/crash/Big.ips" && cmp -s "$T/o4/Big.ips" "$T/p/crash/Big.ips" || fail "parallel content"
sim_stop

# latency: each lockdown request waits 50 ms (ideviceinfo -k with a stored
# pair record makes 5 requests: QueryType, GetValue x2, Start/StopSession)
sim_start --latency-us 50000 "$T/p"
ideviceinfo -k ProductVersion >/dev/null || fail "pair"
t0=$(now)
assert_eq "$(ideviceinfo -k ProductType)" "iPhone12,1" "latency run"
t1=$(now)
lat=$(elapsed "$t0" "$t1")
echo "ideviceinfo -k with 50 ms latency: $lat s"
ge "$lat" 0.25 || fail "latency not applied ($lat s)"
echo PASS
