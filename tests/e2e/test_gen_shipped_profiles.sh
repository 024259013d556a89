#!/bin/bash
# test_gen_shipped_profiles.sh: every shipped profile under tests/sim/profiles
# follows the folder contract: all plists parse (plistutil), device.plist UDID
# == lockdown UniqueDeviceID (25-char dashed or 40-hex), UDIDs are distinct,
# the battery entry and its figures are present and consistent, report
# headers parse and carry the device's OS version.
. "$(dirname "$0")/lib.sh"
P="$CP_SRC/tests/sim/profiles"
n=0
for d in "$P"/*/; do
  d=${d%/}
  n=$((n + 1))
  while IFS= read -r f; do
    plistutil -i "$f" -o /dev/null >/dev/null 2>&1 || fail "$f does not parse"
  done < <(find "$d" -name '*.plist')
done
[ "$n" -ge 7 ] || fail "only $n profiles"

python3 - "$P" <<'PY' || fail "profile consistency check failed"
import glob, json, os, plistlib, re, sys
P = sys.argv[1]
seen = {}
want = {'iphone-modern', 'iphone7-legacy', 'ipad', 'worn-battery', 'trust-pending', 'locked',
        'detaching'}
have = {os.path.basename(d.rstrip('/')) for d in glob.glob(P + '/*/')}
assert want <= have, want - have
for d in sorted(glob.glob(P + '/*/')):
    name = os.path.basename(d.rstrip('/'))
    dev = plistlib.load(open(d + 'device.plist', 'rb'))
    g = plistlib.load(open(d + 'lockdown/global.plist', 'rb'))
    u = dev['UDID']
    assert u == g['UniqueDeviceID'], name
    assert re.fullmatch(r'[0-9A-F]{8}-[0-9A-F]{16}|[0-9a-f]{40}', u), (name, u)
    assert u not in seen, (name, seen.get(u))
    seen[u] = name
    if '-' in u:
        assert int(u.split('-')[1], 16) == g['UniqueChipID'], name
        assert int(u.split('-')[0], 16) == g['ChipID'], name
    assert g['DeviceClass'] in ('iPhone', 'iPad'), name
    assert dev['ProductID'] == (0x12AB if g['DeviceClass'] == 'iPad' else 0x12A8), name
    assert int(g['ProductVersion'].split('.')[0]) >= 10, name
    if g['DeviceClass'] == 'iPad':
        for k in ('InternationalMobileEquipmentIdentity', 'PhoneNumber', 'BasebandVersion'):
            assert k not in g, (name, k)
    else:
        assert re.fullmatch(r'\d{15}', g['InternationalMobileEquipmentIdentity']), name
    batt = plistlib.load(open(d + 'lockdown/com.apple.mobile.battery.plist', 'rb'))
    assert len(batt) == 7, name
    io = glob.glob(d + 'diagnostics/ioreg/*.plist')
    assert len(io) == 1, name
    e = plistlib.load(open(io[0], 'rb'))
    for k in ('CycleCount', 'DesignCapacity', 'NominalChargeCapacity', 'AppleRawMaxCapacity',
              'Temperature', 'Voltage'):
        assert isinstance(e[k], int), (name, k)
    assert 0.5 < e['NominalChargeCapacity'] / e['DesignCapacity'] <= 1.0, name
    legacy = name == 'iphone7-legacy'
    assert os.path.basename(io[0]) == ('AppleARMPMUCharger.plist' if legacy else
                                       'AppleSmartBattery.plist'), name
    allp = plistlib.load(open(d + 'diagnostics/All.plist', 'rb'))
    assert allp['GasGauge']['CycleCount'] == e['CycleCount'], name
    osv = 'iPhone OS %s (%s)' % (g['ProductVersion'], g['BuildVersion'])
    reports = 0
    for dp, dn, fn in os.walk(d + 'crash'):
        for f in fn:
            reports += 1
            if '.ips' in f:
                h = json.loads(open(os.path.join(dp, f), 'rb').readline())
                assert h['os_version'] == osv, (name, f, h['os_version'])
    assert reports >= 2, name
    if os.path.exists(d + 'apps.plist'):
        apps = plistlib.load(open(d + 'apps.plist', 'rb'))
        assert all('CFBundleIdentifier' in a for a in apps), name
    if os.path.exists(d + 'syslog.txt'):
        first = open(d + 'syslog.txt', encoding='utf-8', errors='replace').readline()
        assert re.match(r'[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ \S+\[\d+\]', first), (name, first)
# figures the other helpers' tests rely on
w = plistlib.load(open(P + '/worn-battery/diagnostics/ioreg/AppleSmartBattery.plist', 'rb'))
assert w['CycleCount'] == 1100 and w['BatteryData']['MaximumCapacityPercent'] == 73
an = glob.glob(P + '/worn-battery/crash/Analytics-*.ips')
assert any('"last_value_MaximumCapacityPercent":73' in open(a).read() for a in an)
tp = plistlib.load(open(P + '/trust-pending/device.plist', 'rb'))
assert tp['Trust'] == 'pending'
assert plistlib.load(open(P + '/locked/device.plist', 'rb'))['Locked'] is True
dt = plistlib.load(open(P + '/detaching/device.plist', 'rb'))
size = sum(os.path.getsize(os.path.join(dp, f))
           for dp, dn, fn in os.walk(P + '/detaching/crash') for f in fn)
assert 0.4 * size < dt['Faults']['DetachAfterBytes'] < 0.8 * size
PY
echo ok
