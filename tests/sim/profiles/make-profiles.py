#!/usr/bin/env python3
# make-profiles.py: regenerates the shipped simulator profiles from the real
# samples in tests/corpus. Kept for provenance only: its OUTPUT is
# committed and nothing in the build runs it (the corpus is not part of the
# repository). Usage: python3 make-profiles.py CORPUS_DIR [OUT_DIR]
# Deterministic: the same corpus gives byte-identical files.
import base64
import datetime as dt
import json
import os
import plistlib
import random
import re
import shutil
import sys
import uuid

CORPUS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '../../corpus')
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.abspath(__file__))
RNG = random.Random(20261123)


def cpath(*p):
    return os.path.join(CORPUS, *p)


def read(*p):
    with open(cpath(*p), encoding='utf-8', errors='surrogateescape') as f:
        return f.read()


def new_uuid():
    return str(uuid.UUID(int=RNG.getrandbits(128), version=4)).upper()


def write_plist(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        plistlib.dump(obj, f, fmt=plistlib.FMT_XML, sort_keys=True)


def write_text(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8', errors='surrogateescape', newline='') as f:
        f.write(text)


def luhn_complete(digits):
    """Appends the Luhn check digit (IMEI, ICCID)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return digits + str((10 - total % 10) % 10)


# ---------------------------------------------------------------- reports

TS_RE = re.compile(r'(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)? ([+-]\d{4})')
ISO_RE = re.compile(r'(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})Z')
OSV_RE = re.compile(r'iPhone OS ([\d.]+) \((\w+)\)')


def parse_ts(date, time, tz):
    sign = 1 if tz[0] == '+' else -1
    off = dt.timedelta(hours=int(tz[1:3]), minutes=int(tz[3:5])) * sign
    return dt.datetime.fromisoformat(date + ' ' + time).replace(tzinfo=dt.timezone(off))


def fmt_tz(d):
    off = int(d.utcoffset().total_seconds()) // 60
    sign = '+' if off >= 0 else '-'
    off = abs(off)
    return '%s%02d%02d' % (sign, off // 60, off % 60)


class Device:
    def __init__(self, **kw):
        self.__dict__.update(kw)

    def local(self, when):
        return when.astimezone(dt.timezone(dt.timedelta(seconds=self.tz_offset)))


def adapt_report(dev, text, when, extra=()):
    """Moves one real report onto DEV: new time (all timestamps shifted by the
    same delta and shown in the device's zone), new incident id, the device's
    model, OS version, build and CrashReporter key. The JSON header line is
    re-serialized, so it stays valid JSON. Returns (text, header dict or None,
    local time)."""
    first, sep, rest = text.partition('\n')
    header = None
    try:
        header = json.loads(first)
    except ValueError:
        header = None
    # reference time: the header timestamp, else the first Date/Time
    m = TS_RE.search(first if header else text)
    base = parse_ts(m.group(1), m.group(2), m.group(4))
    delta = when - base
    old_osv = OSV_RE.search(text)
    old_incident = None
    if header and 'incident_id' in header:
        old_incident = header['incident_id']
    else:
        mi = re.search(r'Incident Identifier: +([0-9A-F-]{36})', text)
        old_incident = mi.group(1) if mi else None
    inc = new_uuid()

    def shift(mo):
        t = parse_ts(mo.group(1), mo.group(2), mo.group(4))
        t = dev.local(t + delta)
        return t.strftime('%Y-%m-%d %H:%M:%S') + (mo.group(3) or '') + ' ' + fmt_tz(t)

    def shift_iso(mo):
        t = dt.datetime.fromisoformat(mo.group(1) + ' ' + mo.group(2)).replace(
            tzinfo=dt.timezone.utc) + delta
        return t.strftime('%Y-%m-%dT%H:%M:%SZ')

    def fix(s):
        s = TS_RE.sub(shift, s)
        s = ISO_RE.sub(shift_iso, s)
        if old_incident:
            s = re.sub(re.escape(old_incident), inc, s, flags=re.I)
        if old_osv:
            ver, build = old_osv.group(1), old_osv.group(2)
            s = s.replace('iPhone OS %s (Build %s)' % (ver, build),
                          'iPhone OS %s (Build %s)' % (dev.version, dev.build))
            s = s.replace('iPhone OS ' + ver, 'iPhone OS ' + dev.version)
            s = re.sub(r'\b%s\b' % re.escape(build), dev.build, s)
        for a, b in dev.model_aliases:
            s = re.sub(r'\b%s\b' % re.escape(a), b, s)
        s = re.sub(r'("crashReporterKey" : ")[^"]*(")', r'\g<1>%s\2' % dev.crash_key, s)
        s = re.sub(r'("crashreporter_key":")[^"]*(")', r'\g<1>%s\2' % dev.crash_key, s)
        s = re.sub(r'(CrashReporter Key: +)\S+', r'\g<1>%s' % dev.crash_key, s)
        s = s.replace('"releaseType" : "Beta"', '"releaseType" : "User"')
        s = re.sub(r'(Release Type: +)Beta', r'\1User', s)
        for a, b in extra:
            s = s.replace(a, b)
        return s

    if header is not None:
        h = json.loads(fix(first))
        out = json.dumps(h, separators=(',', ':')) + sep + fix(rest)
    else:
        h = None
        out = fix(text)
    return out, h, dev.local(when)


def stamp(local):
    return local.strftime('%Y-%m-%d-%H%M%S')


# ---------------------------------------------------------------- syslog

def vis(line):
    """Non-ASCII bytes as the device's syslog_relay sends them (vis(3)
    style: \\M-x, \\M-^X for meta-control)."""
    out = []
    for byte in line.encode('utf-8', 'surrogateescape'):
        if byte < 0x80:
            out.append(chr(byte))
            continue
        c = byte & 0x7f
        out.append('\\M-' + ('^?' if c == 0x7f else '^' + chr(c + 0x40) if c < 0x20 else chr(c)))
    return ''.join(out)


def make_syslog(src, hostname, day=None, limit=None):
    """Client-side capture -> device stream: drops the tool's [connected]
    lines and blank lines, and inserts the device-name column the device
    sends (idevicesyslog hides it by default)."""
    out = []
    line_re = re.compile(r'^([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (\S+)(.*)$')
    for line in read('syslog', src).split('\n'):
        if not line.strip() or line.startswith('[connected'):
            continue
        m = line_re.match(line)
        if m:
            rest = m.group(2) + m.group(3)
            if m.group(2) in ('iPad', 'iPhone'):  # already has a host column
                rest = m.group(3).lstrip()
            stamp_ = (day + m.group(1)[6:]) if day else m.group(1)
            line = '%s %s %s' % (stamp_, hostname, rest)
        out.append(vis(line))
        if limit and len(out) >= limit:
            break
    return '\n'.join(out) + '\n'


# ---------------------------------------------------------------- lockdown

def parse_ideviceinfo(text):
    """ideviceinfo's text form -> dict. Types follow what lockdownd sends
    (ints, bools, reals, base64 data, nested dicts/arrays)."""
    data_keys = {'BasebandRegionSKU', 'BasebandSerialNumber', 'ChipSerialNo', 'PkHash',
                 'ProximitySensorCalibration', 'SoftwareBehavior', 'SKeyHash',
                 'SoftwareBundleVersion'}
    real_keys = {'TimeIntervalSince1970', 'TimeZoneOffsetFromUTC'}
    str_keys = {'BasebandVersion', 'BuildVersion', 'ProductVersion', 'SerialNumber',
                'MLBSerialNumber', 'UniqueDeviceID', 'DeviceColor', 'CFBundleVersion',
                'MCC', 'MNC', 'MobileSubscriberCountryCode', 'MobileSubscriberNetworkCode',
                'IntegratedCircuitCardIdentity', 'InternationalMobileEquipmentIdentity',
                'InternationalMobileSubscriberIdentity', 'MobileEquipmentIdentifier',
                'PhoneNumber', 'kCTPostponementInfoPRIVersion', 'WirelessBoardSerialNumber',
                'BasebandMasterKeyHash', 'ModelNumber', 'kCTPostponementInfoPRLName',
                'DeviceName', 'FirmwareVersion', 'ProtocolVersion'}

    def conv(k, v, in_nvram):
        if in_nvram or k in data_keys:
            return base64.b64decode(v)
        if k in real_keys:
            return float(v)
        if k in str_keys:
            return v
        if v in ('true', 'false'):
            return v == 'true'
        if re.fullmatch(r'-?\d+', v):
            return int(v)
        return v

    root = {}
    stack = [(-1, root, None)]
    for line in text.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(' '))
        key, _, val = line.strip().partition(':')
        val = val[1:] if val.startswith(' ') else val
        while stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1]
        nvram = stack[-1][2] == 'NonVolatileRAM'
        am = re.fullmatch(r'(\w+)\[\d+\]', key)
        if am:
            node = []
            parent[am.group(1)] = node
            stack.append((indent, node, am.group(1)))
            continue
        if val == '' and key not in ('boot-args', 'SoftwareBundleVersion'):
            node = {}
            if isinstance(parent, list):
                parent.append(node)
            else:
                parent[key] = node
            stack.append((indent, node, key))
            continue
        v = conv(key, val, nvram)
        if isinstance(parent, list):
            parent.append(v)
        else:
            parent[key] = v
    return root


def modern_global(dev):
    g = {
        'ActivationState': 'Activated',
        'BasebandActivationTicketVersion': 'V2',
        'BluetoothAddress': dev.bt,
        'BoardId': dev.board_id,
        'BrickState': False,
        'BuildVersion': dev.build,
        'CPUArchitecture': 'arm64e',
        'CertID': 2315222105,
        'ChipID': dev.chip_id,
        'ChipSerialNo': bytes.fromhex(dev.chip_serial),
        'DeviceClass': dev.device_class,
        'DeviceColor': '1',
        'DeviceName': dev.name,
        'DieID': dev.ecid,
        'EthernetAddress': dev.eth,
        'FirmwareVersion': dev.iboot,
        'FusingStatus': 3,
        'HardwareModel': dev.hw_model,
        'HardwarePlatform': dev.platform,
        'HasSiDP': True,
        'HostAttached': True,
        'HumanReadableProductVersionString': dev.version,
        'MLBSerialNumber': dev.mlb,
        'ModelNumber': dev.model_number,
        'NonVolatileRAM': {
            'IONVRAM-SYNCNOW-PROPERTY': b'IONVRAM-SYNCNOW-PROPERTY',
            'auto-boot': b'true',
            'backlight-level': b'1527',
            'backlight-nits': b'0x00dc0000',
            'boot-args': b'',
            'com.apple.System.tz0-size': b'0xC000000',
            'usbcfwflasherResult': b'No errors',
        },
        'PartitionType': 'GUID_partition_scheme',
        'PasswordProtected': True,
        'PkHash': bytes(RNG.getrandbits(8) for _ in range(32)),
        'ProductName': 'iPhone OS',
        'ProductType': dev.product,
        'ProductVersion': dev.version,
        'ProductionSOC': True,
        'ProtocolVersion': '2',
        'RegionInfo': dev.region,
        'SerialNumber': dev.serial,
        'SoftwareBehavior': bytes(16),
        'SoftwareBundleVersion': b'',
        'SupportedDeviceFamilies': dev.families,
        'TelephonyCapability': dev.phone is not None,
        'TimeIntervalSince1970': dev.now,
        'TimeZone': dev.tz_name,
        'TimeZoneOffsetFromUTC': float(dev.tz_offset),
        'TrustedHostAttached': True,
        'UniqueChipID': dev.ecid,
        'UniqueDeviceID': dev.udid,
        'UseRaptorCerts': True,
        'Uses24HourClock': dev.h24,
        'WiFiAddress': dev.wifi,
    }
    if dev.phone is not None:
        imsi = dev.imsi
        g.update({
            'BasebandCertId': 2315222105,
            'BasebandChipID': dev.bb_chip,
            'BasebandKeyHashInformation': {
                'AKeyStatus': 2,
                'SKeyHash': bytes(RNG.getrandbits(8) for _ in range(32)),
                'SKeyStatus': 0,
            },
            'BasebandMasterKeyHash': '%064X' % RNG.getrandbits(256),
            'BasebandRegionSKU': bytes(64),
            'BasebandSerialNumber': bytes(RNG.getrandbits(8) for _ in range(4)),
            'BasebandStatus': 'BBInfoAvailable',
            'BasebandVersion': dev.baseband,
            'CarrierBundleInfoArray': [{
                'CFBundleIdentifier': dev.carrier_bundle,
                'CFBundleVersion': dev.carrier_version,
                'IntegratedCircuitCardIdentity': dev.iccid,
                'InternationalMobileSubscriberIdentity': imsi,
                'MCC': imsi[:3],
                'MNC': imsi[3:6] if imsi[:3] == '310' else imsi[3:5],
                'SIMGID1': b'\xff\xff',
                'Slot': 'kOne',
                'kCTPostponementInfoAvailable': 'SIMCarrierInfo',
            }],
            'IntegratedCircuitCardIdentity': dev.iccid,
            'InternationalMobileEquipmentIdentity': dev.imei,
            'InternationalMobileEquipmentIdentity2': dev.imei2,
            'InternationalMobileSubscriberIdentity': imsi,
            'InternationalMobileSubscriberIdentityOverride': False,
            'MobileEquipmentIdentifier': dev.imei[:14],
            'MobileSubscriberCountryCode': imsi[:3],
            'MobileSubscriberNetworkCode': imsi[3:6] if imsi[:3] == '310' else imsi[3:5],
            'PhoneNumber': dev.phone,
            'SIMStatus': 'kCTSIMSupportSIMStatusReady',
            'SIMTrayStatus': 'kCTSIMSupportSIMTrayInsertedWithSIM',
            'kCTPostponementInfoPRIVersion': '0.1.141',
            'kCTPostponementInfoServiceProvisioningState': True,
            'kCTPostponementStatus': 'kCTPostponementStatusActivated',
        })
    return g


def other_domains(dev, batt, disk):
    d = {
        'com.apple.mobile.battery': {
            'BatteryCurrentCapacity': batt['soc'],
            'BatteryIsCharging': batt['charging'],
            'ExternalChargeCapable': True,
            'ExternalConnected': batt['charging'],
            'FullyCharged': False,
            'GasGaugeCapability': True,
            'HasBattery': True,
        },
        'com.apple.disk_usage': disk,
        'com.apple.international': {
            'Keyboard': dev.locale.replace('_', '-'),
            'Language': dev.locale.split('_')[0],
            'Locale': dev.locale,
            'SupportedKeyboards': ['en_US', 'de_DE', 'fr_FR', 'zh_Hans-Pinyin', 'emoji'],
            'SupportedLanguages': ['en', 'de', 'fr', 'es', 'it', 'ja', 'zh-Hans', 'zh-Hant'],
            'SupportedLocales': ['en_US', 'en_GB', 'de_DE', 'fr_FR', 'zh_CN'],
            'Uses24HourClock': dev.h24,
        },
        'com.apple.mobile.iTunes': {
            'FamilyID': 10029,
            'MinITunesVersion': '10.5',
            'MinMacOSVersion': '10.6.8',
            'iTunesSetupComplete': True,
        },
        'com.apple.mobile.wireless_lockdown': {'EnableWifiConnections': False},
        'com.apple.PurpleBuddy': {'SetupDone': True},
        'com.apple.mobile.backup': {'WillEncrypt': False},
    }
    if float(dev.version.split('.')[0]) >= 16:
        d['com.apple.security.mac.amfi'] = {'DeveloperModeStatus': False}
    return d


def modern_disk(total_gb, used_frac):
    total = total_gb * 1000 ** 3
    data_cap = total - 11_811_160_064 - 8 * 1024 ** 3 // 4
    avail = int(data_cap * (1 - used_frac)) // 4096 * 4096
    return {
        'AmountDataAvailable': avail - 209_715_200,
        'AmountDataReserved': 209_715_200,
        'AmountRestoreAvailable': data_cap - 2 * 1024 ** 3,
        'CalculateDiskUsage': 'OkilyDokily',
        'NANDInfo': bytes.fromhex('01000000010000000100000000000080') + bytes(16),
        'TotalDataAvailable': avail,
        'TotalDataCapacity': data_cap,
        'TotalDiskCapacity': total,
        'TotalSystemAvailable': 0,
        'TotalSystemCapacity': 11_811_160_064,
    }


# ---------------------------------------------------------------- battery

def smart_battery(dev, b):
    """A complete AppleSmartBattery entry. Key set and the values of the
    adapter block come from the two truncated real replies (whatbattery #1,
    tidevice #35); the capacity figures are this device's."""
    adapter = {
        'AdapterID': 0, 'AdapterPowerTier': 2, 'AdapterVoltage': 5000,
        'Current': 2100 if b['charging'] else 0, 'Description': 'usb host' if b['charging'] else 'batt',
        'ErrorFlags': 0, 'FamilyCode': -536854528 if b['charging'] else 0,
        'IsWireless': False, 'PMUConfiguration': 2100 if b['charging'] else 0,
        'SharedSource': 0, 'Source': 0, 'Voltage': 5000, 'Watts': 11 if b['charging'] else 0,
    }
    raw_cur = b['raw_max'] * b['soc'] // 100
    cells = [b['voltage'] - 3, b['voltage'] + 2, b['voltage']]
    return {
        'AbsoluteCapacity': raw_cur + 41,
        'AdapterDetails': dict(adapter),
        'AdapterInfo': 0,
        'Amperage': b['amperage'],
        'AppleChargeRateLimitIndex': 0,
        'AppleRawAdapterDetails': [dict(adapter)],
        'AppleRawBatteryVoltage': b['voltage'],
        'AppleRawCurrentCapacity': raw_cur,
        'AppleRawExternalConnected': b['charging'],
        'AppleRawMaxCapacity': b['raw_max'],
        'AtCriticalLevel': False,
        'AvgTimeToEmpty': 65535 if b['charging'] else 612,
        'AvgTimeToFull': 69 if b['charging'] else 65535,
        'BatteryCellDisconnectCount': 0,
        'BatteryData': {
            'AlgoChemID': 1008572310,
            'BatteryHealthMetric': b['health_metric'],
            'CellCurrentAccumulator': [0],
            'CellCurrentAccumulatorCount': 0,
            'CellVoltage': cells,
            'ChemID': 12337,
            'CycleCount': b['cycles'],
            'DOD0': [b['dod0']],
            'DesignCapacity': b['design'],
            'Flags': 640 if b['charging'] else 0,
            'FullAvailableCapacity': b['nominal'] - 12,
            'ISS': 215,
            'ITMiscStatus': 9216,
            'LifetimeData': {
                'AverageTemperature': 26,
                'CycleCountLastQmax': b['cycles'] - 3,
                'MaximumChargeCurrent': 4321,
                'MaximumDischargeCurrent': -6890,
                'MaximumOverChargedCapacity': 218,
                'MaximumOverDischargedCapacity': -61,
                'MaximumPackVoltage': 4471,
                'MaximumTemperature': 47,
                'MinimumPackVoltage': 2944,
                'MinimumTemperature': 2,
                'TotalOperatingTime': b['cycles'] * 29 + 1151,
            },
            'ManufactureDate': b['mfg_date'],
            'MaximumCapacityPercent': b['max_pct'],
            'MfgData': bytes.fromhex('00000000000000000000000000000000'),
            'Qmax': [b['nominal'] + 61],
            'RSS': 36,
            'Serial': b['serial'],
            'StateOfCharge': b['soc'],
            'Voltage': b['voltage'],
            'WeightedRa': [96, 91, 104],
        },
        'BatteryInstalled': True,
        'BatteryInvalidWakeSeconds': 30,
        'BestAdapterIndex': 1 if b['charging'] else 0,
        'BootPathUpdated': 1763456000,
        'BootVoltage': 3815,
        'CarrierMode': {'CarrierModeHighVoltage': 4100, 'CarrierModeLowVoltage': 3600,
                        'CarrierModeStatus': 0},
        'ChargerConfiguration': 2100 if b['charging'] else 0,
        'ChargerData': {
            'ChargingCurrent': 2100 if b['charging'] else 0,
            'ChargingVoltage': 4400 if b['charging'] else 0,
            'NotChargingReason': 0 if b['charging'] else 1,
            'VacVoltageLimit': 4400,
        },
        'ChargingOverride': 0,
        'CurrentCapacity': b['soc'],
        'CycleCount': b['cycles'],
        'DesignCapacity': b['design'],
        'DesignCycleCount70': 0,
        'DesignCycleCount9C': 1000,
        'ExternalChargeCapable': True,
        'ExternalConnected': b['charging'],
        'FullPathUpdated': 1763456000,
        'FullyCharged': False,
        'GasGaugeFirmwareVersion': 2562,
        'InstantAmperage': b['amperage'] - 17,
        'IsCharging': b['charging'],
        'Location': 0,
        'ManufacturerData': bytes.fromhex('000000000c000100000001000300000000000000000000000000'),
        'MaxCapacity': 100,
        'NominalChargeCapacity': b['nominal'],
        'PostChargeWaitSeconds': 120,
        'PostDischargeWaitSeconds': 120,
        'PresentDOD': [b['dod0'] - 300],
        'Serial': b['serial'],
        'Temperature': b['temp'],
        'TimeRemaining': 69 if b['charging'] else 612,
        'UpdateTime': int(dev.now),
        'UserVisiblePathUpdated': 1763456000,
        'VirtualTemperature': b['temp'] + 215,
        'Voltage': b['voltage'],
    }


def pmu_charger(dev, b):
    """AppleARMPMUCharger, the iPhone 7 era entry: MaxCapacity and
    CurrentCapacity are mAh there (not percent) and BatteryData is shorter."""
    raw_cur = b['raw_max'] * b['soc'] // 100
    return {
        'AdapterDetails': {'Description': 'usb host', 'FamilyCode': -536854528, 'Watts': 5,
                           'Current': 1000, 'Voltage': 5000, 'PMUConfiguration': 1000,
                           'AdapterID': 0, 'SharedSource': False, 'Source': 0},
        'AdapterInfo': 16384,
        'Amperage': b['amperage'],
        'AppleChargeRateLimitIndex': 0,
        'AppleRawBatteryVoltage': b['voltage'],
        'AppleRawCurrentCapacity': raw_cur,
        'AppleRawExternalConnected': b['charging'],
        'AppleRawMaxCapacity': b['raw_max'],
        'AtCriticalLevel': False,
        'AvgTimeToEmpty': 65535,
        'BatteryData': {
            'CycleCount': b['cycles'],
            'DesignCapacity': b['design'],
            'ManufactureDate': b['mfg_date'],
            'MaxCapacity': b['raw_max'],
            'Qmax': [b['nominal'] + 44],
            'Serial': b['serial'],
            'StateOfCharge': b['soc'],
            'Voltage': b['voltage'],
            'ChemID': 5235,
            'DOD0': [b['dod0']],
            'ITMiscStatus': 8192,
            'ResScale': 200,
            'TrueRemainingCapacity': raw_cur,
        },
        'BatteryInstalled': True,
        'BootBBCapacity': 52,
        'BootCapacityEstimate': 20,
        'BootVoltage': 3797,
        'ChargerConfiguration': 1000,
        'CurrentCapacity': raw_cur,
        'CycleCount': b['cycles'],
        'DesignCapacity': b['design'],
        'ExternalChargeCapable': True,
        'ExternalConnected': b['charging'],
        'FullyCharged': False,
        'IOGeneralInterest': 'IOCommand is not serializable',
        'InstantAmperage': b['amperage'] + 11,
        'IsCharging': b['charging'],
        'Location': 0,
        'MaxCapacity': b['raw_max'],
        'NominalChargeCapacity': b['nominal'],
        'Serial': b['serial'],
        'Temperature': b['temp'],
        'UpdateTime': int(dev.now),
        'Voltage': b['voltage'],
    }


def diag_all(b, wifi_active=True):
    return {
        'GasGauge': {'CycleCount': b['cycles'], 'DesignCapacity': b['design'],
                     'FullChargeCapacity': b['nominal'], 'Status': 'Success'},
        'HDMI': {'Connection': 'Unplugged', 'Status': 'Success'},
        'NAND': {'Status': 'Success'},
        'WiFi': {'Active': 'YES' if wifi_active else 'NO', 'Status': 'Success'},
    }


def gestalt(dev, b, disk):
    return {
        'BasebandFirmwareVersion': getattr(dev, 'baseband', None) or '',
        'BatteryCurrentCapacity': b['soc'],
        'BatteryIsCharging': b['charging'],
        'BatteryIsFullyCharged': False,
        'BoardId': dev.board_id,
        'BuildVersion': dev.build,
        'ChipID': dev.chip_id,
        'DeviceClass': dev.device_class,
        'DeviceClassNumber': 3 if dev.device_class == 'iPad' else 1,
        'DeviceName': dev.name,
        'DiskUsage': {'TotalDataAvailable': disk['TotalDataAvailable'],
                      'TotalDataCapacity': disk['TotalDataCapacity'],
                      'TotalDiskCapacity': disk['TotalDiskCapacity']},
        'HWModelStr': dev.hw_model,
        'MLBSerialNumber': dev.mlb,
        'ModelNumber': dev.model_number,
        'ProductType': dev.product,
        'ProductVersion': dev.version,
        'RegionInfo': dev.region,
        'SerialNumber': dev.serial,
        'UniqueChipID': dev.ecid,
        'UniqueDeviceID': dev.udid,
        'WifiAddress': dev.wifi,
        'BluetoothAddress': dev.bt,
        'main-screen-width': dev.screen[0],
        'main-screen-height': dev.screen[1],
        'main-screen-scale': float(dev.screen[2]),
    }


# ---------------------------------------------------------------- apps

APPS = [
    ('net.whatsapp.WhatsApp', 'WhatsApp', 'WhatsApp', '25.31.74', '653112218', 310633997),
    ('com.spotify.client', 'Spotify', 'Spotify', '9.0.84', '900084006', 324684580),
    ('com.burbn.instagram', 'Instagram', 'Instagram', '402.0.0', '745217394', 389801252),
    ('com.google.Maps', 'Google Maps', 'GoogleMaps', '25.44.1', '25441000', 585027354),
    ('com.tinyspeck.chatlyio', 'Slack', 'Slack', '25.11.10', '251110001', 618783545),
    ('com.duolingo.DuolingoMobile', 'Duolingo', 'Duolingo', '7.98.0', '7.98.0.4', 570060128),
    ('com.ubercab.UberClient', 'Uber', 'Uber', '3.690.10001', '3690100019', 368677368),
    ('com.netflix.Netflix', 'Netflix', 'Argo', '18.42.0', '4133', 363590051),
    ('de.dkb.portalapp', 'DKB', 'DKB', '2.62.0', '3318', 1552212683),
    ('com.toyopagroup.picaboo', 'Snapchat', 'Snapchat', '13.62.0.43', '13.62.0.43', 447188370),
]

SYSTEM_APPS = [
    ('com.apple.mobilesafari', 'Safari', 'MobileSafari', '/Applications/MobileSafari.app'),
    ('com.apple.mobileslideshow', 'Photos', 'MobileSlideShow', '/Applications/MobileSlideShow.app'),
    ('com.apple.Preferences', 'Settings', 'Preferences', '/Applications/Preferences.app'),
]


def app_entry(bid, disp, exe, short, ver, adam=None, user=True, path=None, dev=None):
    d = {
        'CFBundleIdentifier': bid,
        'CFBundleDisplayName': disp,
        'CFBundleName': disp if user else exe,
        'CFBundleExecutable': exe,
        'CFBundleShortVersionString': short,
        'CFBundleVersion': ver,
        'ApplicationType': 'User' if user else 'System',
        'CFBundlePackageType': 'APPL',
        'MinimumOSVersion': '15.0' if float(dev.version.split('.')[0]) >= 15 else '11.0',
        'UIDeviceFamily': dev.families,
        'DTPlatformName': 'iphoneos',
        'SignerIdentity': 'Apple iPhone OS Application Signing' if user else 'Apple iPhone OS Application Signing',
    }
    if user:
        d['Path'] = '/private/var/containers/Bundle/Application/%s/%s.app' % (new_uuid(), exe)
        d['Container'] = '/private/var/mobile/Containers/Data/Application/%s' % new_uuid()
        d['iTunesMetadata'] = {'itemId': adam} if adam else {}
        d['EntitlementsEncrypted'] = False
        d['IsAppClip'] = False
        d['IsDemotedApp'] = False
        d['SequenceNumber'] = 1000 + RNG.randrange(900)
    else:
        d['Path'] = path
    return d


def apps_for(dev, extra_user=(), n_user=10, system=True):
    out = []
    for (bid, disp, exe, short, ver) in extra_user:
        out.append(app_entry(bid, disp, exe, short, ver, dev=dev))
    for bid, disp, exe, short, ver, adam in APPS[:n_user - len(extra_user)]:
        out.append(app_entry(bid, disp, exe, short, ver, adam, dev=dev))
    if system:
        for bid, disp, exe, path in SYSTEM_APPS:
            out.append(app_entry(bid, disp, exe, dev.version, dev.build, user=False, path=path,
                                 dev=dev))
    return out


# ---------------------------------------------------------------- analytics

def analytics(dev, when, b, with_battery=True):
    """A 211 (log-aggregated / Analytics) report in the real file's format:
    header line, metadata, the corpus file's records, plus a battery record
    carrying last_value_MaximumCapacityPercent as devices write it."""
    src = read('ips', 'icdab_iOS13.2.2_log-aggregated_JetsamAggregation_211.ips')
    text, h, local = adapt_report(dev, src, when)
    lines = text.rstrip('\n').split('\n')
    if with_battery:
        rec = {'message': {
            'Count': 1,
            'last_value_BatteryServiceFlags': 0 if b['max_pct'] >= 80 else 1,
            'last_value_ChemID': 12337,
            'last_value_CycleCount': b['cycles'],
            'last_value_DesignCapacity': b['design'],
            'last_value_MaximumCapacityPercent': b['max_pct'],
            'last_value_MaximumFCC': b['nominal'] + 30,
            'last_value_MinimumFCC': b['nominal'] - 25,
            'last_value_NominalChargeCapacity': b['nominal'],
            'last_value_WeightedRa': 96,
        }, 'name': 'BatteryHealthDailyAggregate',
            'uuid': 'a1b2c3d4-0b4e-4f2e-9c1d-5e6f7a8b9c0d_1'}
        lines.insert(len(lines) - 1, json.dumps(rec, separators=(',', ':'), sort_keys=True))
    return '\n'.join(lines) + '\n', local


def utc(s):
    return dt.datetime.fromisoformat(s).replace(tzinfo=dt.timezone.utc)


# ---------------------------------------------------------------- devices

def write_profile(name, dev, dev_plist, glob, domains, ioreg_name, ioreg, all_diag, mg,
                  crash, syslog, apps):
    root = os.path.join(OUT, name)
    if os.path.isdir(root):
        shutil.rmtree(root)
    write_plist(os.path.join(root, 'device.plist'), dev_plist)
    write_plist(os.path.join(root, 'lockdown', 'global.plist'), glob)
    for dom, val in domains.items():
        write_plist(os.path.join(root, 'lockdown', dom + '.plist'), val)
    write_plist(os.path.join(root, 'diagnostics', 'ioreg', ioreg_name + '.plist'), ioreg)
    write_plist(os.path.join(root, 'diagnostics', 'All.plist'), all_diag)
    if mg is not None:
        write_plist(os.path.join(root, 'diagnostics', 'mobilegestalt.plist'), mg)
    for rel, text in crash:
        write_text(os.path.join(root, 'crash', rel), text)
    if syslog is not None:
        write_text(os.path.join(root, 'syslog.txt'), syslog)
    if apps is not None:
        write_plist(os.path.join(root, 'apps.plist'), apps)
    return root


def tree_size(crash):
    return sum(len(t.encode('utf-8', 'surrogateescape')) for _, t in crash)


def ips_name(h, local, default):
    n = (h or {}).get('name') or default
    return '%s-%s.ips' % (n, stamp(local))


def modern():
    dev = Device(
        name="Anna's iPhone", product='iPhone12,5', version='26.1', build='23B85',
        udid='00008030-0011594C3A82802E', ecid=0x0011594C3A82802E, chip_id=0x8030,
        board_id=6, platform='t8030', hw_model='D431AP', device_class='iPhone',
        serial='F2LZK3VHN70F', mlb='F3Y9463019NLT1TDN', model_number='MWHJ2', region='LL/A',
        chip_serial='5c19a6b2', iboot='iBoot-11881.42.6',
        wifi='a4:83:e7:2c:91:5e', bt='a4:83:e7:2c:91:5f', eth='a4:83:e7:2c:91:60',
        imei=luhn_complete('35390110473829'), imei2=luhn_complete('35390110862015'),
        iccid=luhn_complete('8901410327159382045'), imsi='310410732815938',
        phone='+1 (617) 555-0142', baseband='6.02.01', bb_chip=8757473,
        carrier_bundle='com.apple.ATT_US', carrier_version='61.1.2',
        tz_name='America/New_York', tz_offset=-18000, h24=False, locale='en_US',
        families=[1], now=1795440000.25, screen=(1242, 2688, 3),
        crash_key='833b4dda16bfc29a350a43ef9c68831dcdd4c002',
        model_aliases=[('iPhone14,2', 'iPhone12,5'), ('iPhone12,1', 'iPhone12,5'),
                       ('iPhone11,8', 'iPhone12,5'), ('iPad13,16', 'iPhone12,5')])
    b = dict(cycles=312, design=3969, nominal=3652, raw_max=3648, soc=64, charging=True,
             amperage=1602, voltage=3876, temp=2950, max_pct=92, health_metric=92,
             dod0=3584, serial='F8Y0351A8UZL0VQAU', mfg_date=b'\x01\x92\x03')
    return dev, b


def modern_crash(dev, b):
    c = []
    s = read('ips', 'macsym_iOS16.0_iPhone14,2_app_crash_309.ips')
    t, h, l = adapt_report(dev, s, utc('2026-11-18 14:15:23'))
    c.append((ips_name(h, l, 'app'), t))
    t, h, l = adapt_report(dev, s, utc('2026-09-02 19:41:07'))
    c.append(('Retired/' + ips_name(h, l, 'app'), t))
    s = read('ips', 'sanfer_iOS18.5_iPad13,16_app_crash_309.ips')
    t, h, l = adapt_report(dev, s, utc('2026-11-21 12:02:44'))
    c.append((ips_name(h, l, 'app'), t))
    s = read('ips', 'icdab_iOS14.2b_iPhone12,1_JetsamEvent_298.ips')
    t, h, l = adapt_report(dev, s, utc('2026-11-20 02:34:12'),
                           extra=[('Darwin Kernel Version 20.1.0', 'Darwin Kernel Version 25.1.0')])
    c.append(('JetsamEvent-%s.ips' % stamp(l), t))
    t, h, l = adapt_report(dev, s, utc('2026-10-11 22:13:40'),
                           extra=[('Darwin Kernel Version 20.1.0', 'Darwin Kernel Version 25.1.0')])
    c.append(('Retired/JetsamEvent-%s.ips.synced' % stamp(l), t))
    s = read('ips', 'icdab_iOS14.2b_iPhone12,1_apfs_defragd_cpu_resource_202.ips')
    t, h, l = adapt_report(dev, s, utc('2026-11-19 04:49:02'))
    c.append(('apfs_defragd.cpu_resource-%s.ips' % stamp(l), t))
    # the real panic is from exactly this model and build: kept byte-identical
    s = read('ips', 'applekeystore_iOS26.1_iPhone12,5_panic-full_210.ips')
    h = json.loads(s.split('\n', 1)[0])
    m = TS_RE.search(h['timestamp'])
    l = parse_ts(m.group(1), m.group(2), m.group(4))
    c.append(('panic-full-%s.000.ips' % stamp(l), s))
    s = read('ips', 'pycrashreport_iOS16.2_iPhone11,8_forceReset-full_151.ips')
    t, h, l = adapt_report(dev, s, utc('2026-08-14 16:43:00'),
                           extra=[('RELEASE_ARM64_T8020', 'RELEASE_ARM64_T8030'),
                                  ('"socId" : "0x00008020"', '"socId" : "0x00008030"'),
                                  ('Darwin Kernel Version 22.2.0', 'Darwin Kernel Version 25.1.0')])
    c.append(('Panics/ForceReset-full-%s.000.ips' % stamp(l), t))
    t, l = analytics(dev, utc('2026-11-22 05:05:21'), b)
    c.append(('Analytics-%s.ips' % stamp(l), t))
    return c


def build_modern():
    dev, b = modern()
    disk = modern_disk(256, 0.58)
    doms = other_domains(dev, b, disk)
    crash = modern_crash(dev, b)
    apps = apps_for(dev, extra_user=[
        ('jp.mahdi.iOSCrashingTest', 'iOSCrashingTest', 'iOSCrashingTest', '1.0', '1'),
        ('com.alferio94.sanferevents', 'Sanfer Events', 'SanferEventsApp', '1.2.1', '1.2.1')])
    write_profile('iphone-modern', dev,
                  {'UDID': dev.udid, 'ProductID': 0x12A8, 'Trust': 'paired'},
                  modern_global(dev), doms, 'AppleSmartBattery', smart_battery(dev, b),
                  diag_all(b), gestalt(dev, b, disk), crash,
                  make_syslog('im_ios_sdk_iphone_idevicesyslog.log', 'Annas-iPhone', 'Nov 23'), apps)
    return dev, b, disk, crash


def build_worn():
    dev = Device(
        name='Jonas\u2019s iPhone', product='iPhone14,2', version='17.5.1', build='21F90',
        udid='00008110-000A35E21E38801E', ecid=0x000A35E21E38801E, chip_id=0x8110,
        board_id=12, platform='t8110', hw_model='D63AP', device_class='iPhone',
        serial='J7QW9KX2MV', mlb='F3X2187025PQ1M3AH', model_number='MLTE3', region='ZD/A',
        chip_serial='8e30c1d4', iboot='iBoot-10151.122.1',
        wifi='f0:5c:d5:7a:3e:12', bt='f0:5c:d5:7a:3e:13', eth='f0:5c:d5:7a:3e:14',
        imei=luhn_complete('35412369048122'), imei2=luhn_complete('35412369513307'),
        iccid=luhn_complete('8949226140021774590'), imsi='262011402177459',
        phone='+49 151 23456789', baseband='3.60.02', bb_chip=12976353,
        carrier_bundle='com.apple.TMobile_Germany', carrier_version='59.0.1',
        tz_name='Europe/Berlin', tz_offset=3600, h24=True, locale='de_DE',
        families=[1], now=1795440600.5, screen=(1170, 2532, 3),
        crash_key='3f2d8930a7fa3eff84ad721f6866b9b4791238c5',
        model_aliases=[('iPhone12,1', 'iPhone14,2')])
    b = dict(cycles=1100, design=3095, nominal=2228, raw_max=2231, soc=41, charging=False,
             amperage=-812, voltage=3702, temp=3120, max_pct=73, health_metric=73,
             dod0=4420, serial='F5D1271XJ4Q0NYVAF', mfg_date=b'\x01\x61\x08')
    disk = modern_disk(128, 0.81)
    doms = other_domains(dev, b, disk)
    c = []
    s = read('ips', 'macsym_iOS16.0_iPhone14,2_app_crash_309.ips')
    t, h, l = adapt_report(dev, s, utc('2026-11-19 07:21:50'))
    c.append((ips_name(h, l, 'app'), t))
    s = read('ips', 'icdab_iOS14.2b_iPhone12,1_JetsamEvent_298.ips')
    t, h, l = adapt_report(dev, s, utc('2026-11-17 21:08:31'),
                           extra=[('RELEASE_ARM64_T8030', 'RELEASE_ARM64_T8110'),
                                  ('Darwin Kernel Version 20.1.0', 'Darwin Kernel Version 23.5.0')])
    c.append(('JetsamEvent-%s.ips' % stamp(l), t))
    t, l = analytics(dev, utc('2026-11-22 04:10:02'), b)
    c.append(('Analytics-%s.ips' % stamp(l), t))
    t, l = analytics(dev, utc('2026-10-01 04:02:19'), dict(b, max_pct=75, cycles=1041,
                                                          nominal=2290))
    c.append(('Retired/Analytics-%s.ips' % stamp(l), t))
    apps = apps_for(dev, extra_user=[
        ('jp.mahdi.iOSCrashingTest', 'iOSCrashingTest', 'iOSCrashingTest', '1.0', '1')], n_user=6)
    write_profile('worn-battery', dev,
                  {'UDID': dev.udid, 'ProductID': 0x12A8, 'Trust': 'paired'},
                  modern_global(dev), doms, 'AppleSmartBattery', smart_battery(dev, b),
                  diag_all(b), gestalt(dev, b, disk), c,
                  make_syslog('im_ios_sdk_iphone_idevicesyslog.log', 'Jonass-iPhone',
                              'Nov 23', limit=800), apps)


def build_ipad():
    dev = Device(
        name='Living Room iPad', product='iPad13,16', version='18.5', build='22F76',
        udid='00008103-001E6C2A0E91001E', ecid=0x001E6C2A0E91001E, chip_id=0x8103,
        board_id=10, platform='t8103', hw_model='J407AP', device_class='iPad',
        serial='HX7R2N4Q1P', mlb='H9M2314002FQ7K1CB', model_number='MM9C3', region='B/A',
        chip_serial='27f4be01', iboot='iBoot-11881.122.1',
        wifi='3c:22:fb:61:8a:04', bt='3c:22:fb:61:8a:05', eth='3c:22:fb:61:8a:06',
        phone=None, tz_name='Europe/London', tz_offset=0, h24=True, locale='en_GB',
        families=[2], now=1795441200.75, screen=(1640, 2360, 2),
        crash_key='6d0c41e2b8a97f35d1c0e4a2f9b8d7c6e5a41302',
        model_aliases=[('iPhone12,1', 'iPad13,16'), ('iPad6,11', 'iPad13,16')])
    b = dict(cycles=214, design=7606, nominal=7302, raw_max=7296, soc=88, charging=False,
             amperage=-431, voltage=4105, temp=2710, max_pct=96, health_metric=96,
             dod0=1120, serial='F8Q2161CN1R0LQDA6', mfg_date=b'\x02\x21\x06')
    disk = modern_disk(64, 0.44)
    doms = other_domains(dev, b, disk)
    c = []
    # the real report is from this model and build: only its key is the device's
    s = read('ips', 'sanfer_iOS18.5_iPad13,16_app_crash_309.ips')
    h = json.loads(s.split('\n', 1)[0])
    s = re.sub(r'("crashReporterKey" : ")[^"]*(")', r'\g<1>%s\2' % dev.crash_key, s)
    m = TS_RE.search(h['timestamp'])
    c.append(('%s-%s.ips' % (h['name'], stamp(parse_ts(m.group(1), m.group(2), m.group(4)))), s))
    s = read('ips', 'icdab_iOS14.2b_iPhone12,1_JetsamEvent_298.ips')
    t, h, l = adapt_report(dev, s, utc('2025-09-03 18:20:41'),
                           extra=[('RELEASE_ARM64_T8030', 'RELEASE_ARM64_T8103'),
                                  ('Darwin Kernel Version 20.1.0', 'Darwin Kernel Version 24.5.0')])
    c.append(('JetsamEvent-%s.ips' % stamp(l), t))
    s = read('ips', 'icdab_iOS14.2b_iPhone12,1_apfs_defragd_cpu_resource_202.ips')
    t, h, l = adapt_report(dev, s, utc('2025-08-11 01:13:55'))
    c.append(('Retired/apfs_defragd.cpu_resource-%s.ips' % stamp(l), t))
    s = read('crash', 'icdab_iOS11.2.6_iPad6,11_watchdog_8badf00d.crash')
    t, h, l = adapt_report(dev, s, utc('2025-06-30 14:58:17'))
    c.append(('Retired/CDAYourStoreAppiPadKiosk-%s.crash' % stamp(l), t))
    t, l = analytics(dev, utc('2025-09-04 03:00:12'), b)
    c.append(('Analytics-%s.ips' % stamp(l), t))
    apps = apps_for(dev, extra_user=[
        ('com.alferio94.sanferevents', 'Sanfer Events', 'SanferEventsApp', '1.2.1', '1.2.1'),
        ('com.colddataacquisition.yourstorekiosk', 'YourStore Kiosk', 'CDAYourStoreAppiPadKiosk',
         '1.0.4', '12')], n_user=8)
    write_profile('ipad', dev,
                  {'UDID': dev.udid, 'ProductID': 0x12AB, 'Trust': 'paired'},
                  modern_global(dev), doms, 'AppleSmartBattery', smart_battery(dev, b),
                  diag_all(b), gestalt(dev, b, disk), c,
                  make_syslog('pvz_ipad_jailbroken_idevicesyslog.txt', 'Living-Room-iPad', 'Sep  4'), apps)


def build_legacy():
    g = parse_ideviceinfo(read('lockdown', 'crifan_iOS13.3.1_iPhone9,1_ideviceinfo.txt'))
    g['TimeIntervalSince1970'] = 1584600000.152844
    # the author masked the number ("+86 xxx xxxx xxxx"); a real-looking one
    # (China Telecom 153 prefix) makes the profile useful to the redactor
    g['PhoneNumber'] = '+86 153 2107 4468'
    dev = Device(
        name=g['DeviceName'], product='iPhone9,1', version='13.3.1', build='17D50',
        udid=g['UniqueDeviceID'], ecid=g['UniqueChipID'], chip_id=g['ChipID'],
        board_id=g['BoardId'], hw_model=g['HardwareModel'], device_class='iPhone',
        serial=g['SerialNumber'], mlb=g['MLBSerialNumber'], model_number=g['ModelNumber'],
        region=g['RegionInfo'], wifi=g['WiFiAddress'], bt=g['BluetoothAddress'],
        baseband=g['BasebandVersion'], tz_name=g['TimeZone'], tz_offset=28800,
        now=g['TimeIntervalSince1970'], families=[1], screen=(750, 1334, 2), h24=True,
        locale='zh_CN', crash_key='b416fbd4406746a831998b3221cba7a55c495018',
        model_aliases=[('iPhone9,3', 'iPhone9,1'), ('iPhone9,4', 'iPhone9,1'),
                       ('D111AP', 'D10AP'), ('iPhone12,1', 'iPhone9,1')])
    b = dict(cycles=612, design=1960, nominal=1627, raw_max=1624, soc=53, charging=True,
             amperage=880, voltage=3911, temp=2830, max_pct=83, health_metric=83,
             dod0=2810, serial='F5D7161LM2HGTMCA5', mfg_date=b'\x06\x17\x07')
    hd = {}
    for line in read('disk_usage', 'hiveci_device_api_fixture_disk_usage.txt').splitlines():
        k, _, v = line.partition(': ')
        hd[k] = base64.b64decode(v + '==') if k == 'NANDInfo' else (
            int(v) if re.fullmatch(r'\d+', v) else v)
    doms = other_domains(dev, b, hd)
    c = []
    s = read('crash', 'ios-resymbol_iOS12.4_iPhone9,1_EXC_GUARD_simulated.crash')
    t, h, l = adapt_report(dev, s, utc('2020-03-14 08:51:31'),
                           extra=[('Baseband Version:    5.70.01', 'Baseband Version:    7.30.01')])
    c.append(('WePop-%s.crash' % stamp(l), t))
    s = read('ips', 'icdab_iOS11.1.2_iPhone9,3_MobileSMS_0x2bad45ec_109.ips')
    t, h, l = adapt_report(dev, s, utc('2020-03-12 07:26:42'))
    c.append((ips_name(h, l, 'MobileSMS'), t))
    s = read('ips', 'pycrashreport_iOS14.5.1_iPhone9,4_kaki_109.ips')
    t, h, l = adapt_report(dev, s, utc('2020-02-27 16:14:26'))
    c.append(('Retired/' + ips_name(h, l, 'kaki'), t))
    s = read('ips', 'icdab_iOS14.2b_iPhone12,1_JetsamEvent_298.ips')
    t, h, l = adapt_report(dev, s, utc('2020-03-16 13:29:58'),
                           extra=[('RELEASE_ARM64_T8030', 'RELEASE_ARM64_T8010'),
                                  ('Darwin Kernel Version 20.1.0', 'Darwin Kernel Version 19.3.0')])
    c.append(('JetsamEvent-%s.ips' % stamp(l), t))
    s = read('ips', 'icdab_iOS13.2.2_log-aggregated_JetsamAggregation_211.ips')
    t, h, l = adapt_report(dev, s, utc('2020-03-18 00:00:09'))
    c.append(('log-aggregated-%s.ips' % stamp(l), t))
    apps = apps_for(dev, extra_user=[
        ('com.tencent.WePop', 'WePop', 'WePop', '0.1.1', '3771'),
        ('cyber.bitim.kaki2', 'kaki', 'kaki', '1.0', '1')], n_user=8)
    write_profile('iphone7-legacy', dev,
                  {'UDID': dev.udid, 'ProductID': 0x12A8, 'Trust': 'paired'},
                  g, doms, 'AppleARMPMUCharger', pmu_charger(dev, b), diag_all(b),
                  gestalt(dev, b, hd), c,
                  make_syslog('pvz_ipad_jailbroken_idevicesyslog.txt', 'iPhone7_1331', 'Mar 19'), apps)


def build_small(name, base_dev, base_b, disk, udid, ecid, dev_name, dev_plist, crash,
                syslog_lines=200):
    """A small profile derived from iphone-modern (own UDID and name)."""
    dev = Device(**dict(base_dev.__dict__))
    dev.udid, dev.ecid, dev.name = udid, ecid, dev_name
    # own hardware identifiers, so no two shipped devices share one
    k = ecid % 251
    dev.serial = dev.serial[:8] + '%04X' % (ecid % 0xFFFF)
    dev.mlb = dev.mlb[:12] + '%05X' % (ecid % 0xFFFFF)
    mac = lambda m: m[:9] + '%02x:%02x:%s' % (k, (k * 7) % 256, m[-2:])
    dev.wifi, dev.bt, dev.eth = mac(dev.wifi), mac(dev.bt), mac(dev.eth)
    dev.imei = luhn_complete('353901%08d' % (ecid % 10 ** 8))
    dev.imei2 = luhn_complete('353901%08d' % ((ecid // 7) % 10 ** 8))
    dev.phone = '+1 (617) 555-%04d' % (ecid % 10000)
    dev_plist = dict(dev_plist, UDID=udid)
    g = modern_global(dev)
    write_profile(name, dev, dev_plist, g, other_domains(dev, base_b, disk),
                  'AppleSmartBattery', smart_battery(dev, base_b), diag_all(base_b), None,
                  crash, make_syslog('im_ios_sdk_iphone_idevicesyslog.log',
                                     dev_name.replace("'", '').replace(' ', '-'),
                                     'Nov 23', limit=syslog_lines), apps_for(dev, n_user=3, system=False))


def main():
    dev, b, disk, crash = build_modern()
    build_legacy()
    build_ipad()
    build_worn()
    small = [(n, t) for n, t in crash if n.startswith('iOSCrashingTest-') or
             n.startswith('JetsamEvent-')]
    build_small('trust-pending', dev, b, disk, '00008030-001C2D4E6A10402E', 0x001C2D4E6A10402E,
                "Ben's iPhone", {'ProductID': 0x12A8, 'Trust': 'pending'}, small)
    build_small('trust-denied', dev, b, disk, '00008030-0003A7E21B44C02E', 0x0003A7E21B44C02E,
                "Dana's iPhone", {'ProductID': 0x12A8, 'Trust': 'denied'}, small)
    build_small('locked', dev, b, disk, '00008030-000E59A13C51802E', 0x000E59A13C51802E,
                "Carla's iPhone", {'ProductID': 0x12A8, 'Trust': 'paired', 'Locked': True}, small)
    det = [(n, t) for n, t in crash if not n.startswith('panic-full') and
           not n.startswith('Panics/')]
    size = tree_size(det)
    build_small('detaching', dev, b, disk, '00008030-0019B0C4D2E6F02E', 0x0019B0C4D2E6F02E,
                "Dev's iPhone", {'ProductID': 0x12A8, 'Trust': 'paired',
                                 'Faults': {'DetachAfterBytes': size * 6 // 10}}, det)
    print('detaching crash tree %d bytes, detach after %d' % (size, size * 6 // 10))


if __name__ == '__main__':
    main()
