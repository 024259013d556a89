#!/usr/bin/env python3
"""Writes the `canary` simulator profile (this folder) and values.txt.

The canary device is an ordinary iPhone whose every source carries planted
personal identifiers, in the forms real logs print them (upper and lower
case, with and without separators, JSON-escaped, XML-escaped). The e2e test
tests/e2e/test_canary.sh collects it and fails on any planted value that
reaches the bundle. values.txt lists each value: class, form, flags, value.

Deterministic; run from anywhere: python3 make-canary.py. The rest of the
device (battery, disk, gestalt, key) is copied from iphone-modern.
"""
import base64
import json
import os
import plistlib
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
MODERN = os.path.join(HERE, '..', 'iphone-modern')


def luhn(digits):
    s = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        s += d
    return digits + str((10 - s % 10) % 10)


# ---- the planted values -------------------------------------------------
UDID = '00008110-001C4A2E3B5D801E'
CHIPID = int(UDID[:8], 16)
ECID = int(UDID[9:], 16)
SERIAL = 'C8QZK7M2XJ4T'
MLB = 'C7H937104MQ1JXQ4A'
BATT_SERIAL = 'F8Y2461AB3ZQW5NLX'
CHIP_SERIAL = bytes.fromhex('3a7e910c')  # lockdown data: base64 in JSON
BB_SERIAL = bytes.fromhex('268d5c62')
IMEI = luhn('35693811204567')
IMEI2 = luhn('35693811209873')
MEID = '35693811204567'
ICCID = luhn('8944110068245301772')
IMSI = '234158807613954'
PHONE = '+44 7700 900461'
WIFI = 'f0:99:b6:3c:7e:21'
BT = 'f0:99:b6:3c:7e:22'
ETH = 'f0:99:b6:3c:7e:23'
NAME = 'Zo\u00eb Quillby\u2019s iPhone'
HOST = 'Zoe-Quillbys-iPhone'  # what iOS makes of NAME for Bonjour / syslog
EMAIL = 'zoe.quillby@example.org'
EMAIL2 = 'ZQuillby+bank@mail.example.net'
IPV4 = '192.0.2.147'
IPV4B = '198.51.100.23'
IPV6C = '2001:db8:4a1c::2f:9e01'
IPV6F = '2001:0db8:4a1c:0000:0000:0000:002f:9e01'
IPV6G = 'fe80:0:0:0:1c2b:3dff:fe4a:5e6f'
BSSID = '3c:22:fb:8e:41:0a'
SSID1 = 'Quillby Home 5G'
SSID2 = 'ZoeHotspot'
CONT1 = '3F2504E0-4F89-41D3-9A0C-0305E82C3301'  # Data/Application
CONT2 = '7C9E6679-7425-40DE-944B-E07FC1F90AE7'  # Bundle/Application
CONT3 = 'A1B2C3D4-0F1E-4D2C-8B3A-5968F7E6D5C4'  # Shared/AppGroup
CONT4 = 'D5E6F7A8-1234-4ABC-9DEF-0123456789AB'  # a UUID folder under /var/mobile/Library
DIARY = 'Library/Mobile Documents/com~apple~CloudDocs'
IOS, BUILD = '26.1', '23B85'

udid_nodash = UDID.replace('-', '')
wifi_nc = WIFI.replace(':', '')
imei_sp = '%s %s %s %s' % (IMEI[:2], IMEI[2:8], IMEI[8:14], IMEI[14:])
imei_dash = '%s-%s-%s-%s' % (IMEI[:2], IMEI[2:8], IMEI[8:14], IMEI[14:])
name_plain = NAME.replace('\u2019', "'")
name_json = json.dumps(NAME)[1:-1]  # Zo\u00eb Quillby\u2019s iPhone

# class, form, flags (i = case-insensitive), value
VALUES = [
    ('serial', 'as is', 'i', SERIAL),
    ('serial', 'mlb', 'i', MLB),
    ('serial', 'battery', 'i', BATT_SERIAL),
    ('serial', 'chip serial base64', '', base64.b64encode(CHIP_SERIAL).decode()),
    ('serial', 'baseband serial base64', '', base64.b64encode(BB_SERIAL).decode()),
    ('udid', 'as is', 'i', UDID),
    ('udid', 'no dash', 'i', udid_nodash),
    ('ecid', 'decimal', '', str(ECID)),
    ('ecid', 'hex', 'i', '%x' % ECID),
    ('imei', 'as is', '', IMEI),
    ('imei', 'imei2', '', IMEI2),
    ('imei', 'spaces', '', imei_sp),
    ('imei', 'dashes', '', imei_dash),
    ('meid', 'as is', '', MEID),
    ('iccid', 'as is', '', ICCID),
    ('imsi', 'as is', '', IMSI),
    ('phone', 'as is', '', PHONE),
    ('phone', 'e164', '', '+447700900461'),
    ('phone', 'national', '', '07700 900461'),
    ('phone', 'digits', '', '7700900461'),
    ('phone', 'grouped', '', '7700 900461'),
    ('wifi_mac', 'colons', 'i', WIFI),
    ('wifi_mac', 'no colons', 'i', wifi_nc),
    ('wifi_mac', 'dashes', 'i', WIFI.replace(':', '-')),
    ('bt_mac', 'colons', 'i', BT),
    ('ethernet_mac', 'colons', 'i', ETH),
    ('device_name', 'as is', 'i', NAME),
    ('device_name', 'straight apostrophe', 'i', name_plain),
    ('device_name', 'json escaped', 'i', name_json),
    ('device_name', 'host name', 'i', HOST),
    ('device_name', 'host name with diaeresis', 'i', 'Zo\u00eb-Quillbys-iPhone'),
    ('person_name', 'first', 'i', 'Zo\u00eb'),
    ('person_name', 'first folded', 'iw', 'Zoe'),
    ('person_name', 'first decomposed (NFD)', 'i', 'Zoe\u0308'),
    ('person_name', 'surname', 'i', 'Quillby'),
    ('email', 'as is', 'i', EMAIL),
    ('email', 'second', 'i', EMAIL2),
    ('email', 'url-encoded', 'i', EMAIL.replace('@', '%40')),
    ('email', 'second url-encoded', 'i', EMAIL2.replace('+', '%2B').replace('@', '%40')),
    ('ipv4', 'as is', '', IPV4),
    ('ipv4', 'second', '', IPV4B),
    ('ipv6', 'compressed', 'i', IPV6C),
    ('ipv6', 'full 8 groups', 'i', IPV6F),
    ('ipv6', '8 groups unpadded', 'i', IPV6G),
    ('mac', 'bssid', 'i', BSSID),
    ('ssid', 'home', 'i', SSID1),
    ('ssid', 'hotspot', 'i', SSID2),
    ('container_uuid', 'data', 'i', CONT1),
    ('container_uuid', 'bundle', 'i', CONT2),
    ('container_uuid', 'app group', 'i', CONT3),
    ('container_uuid', 'var mobile', 'i', CONT4),
    ('user_path', 'user name', 'i', 'zoequillby'),
]

# ---- files ----------------------------------------------------------------


def wplist(rel, obj):
    p = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, 'wb') as f:
        plistlib.dump(obj, f, sort_keys=True)


def wtext(rel, text):
    p = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, 'w', encoding='utf-8', newline='\n') as f:
        f.write(text)


def load(rel):
    with open(os.path.join(MODERN, rel), 'rb') as f:
        return plistlib.load(f)


def main():
    for sub in ('lockdown', 'diagnostics', 'crash'):
        shutil.rmtree(os.path.join(HERE, sub), ignore_errors=True)
    shutil.copy(os.path.join(MODERN, 'device_key.pem'), os.path.join(HERE, 'device_key.pem'))
    wplist('device.plist', {'UDID': UDID, 'ProductID': 4776, 'Trust': 'paired'})

    g = load('lockdown/global.plist')
    g.update({
        'UniqueDeviceID': UDID, 'ChipID': CHIPID, 'UniqueChipID': ECID, 'DieID': ECID,
        'SerialNumber': SERIAL, 'MLBSerialNumber': MLB, 'ChipSerialNo': CHIP_SERIAL,
        'BasebandSerialNumber': BB_SERIAL,
        'InternationalMobileEquipmentIdentity': IMEI,
        'InternationalMobileEquipmentIdentity2': IMEI2,
        'MobileEquipmentIdentifier': MEID, 'IntegratedCircuitCardIdentity': ICCID,
        'InternationalMobileSubscriberIdentity': IMSI, 'PhoneNumber': PHONE,
        'WiFiAddress': WIFI, 'BluetoothAddress': BT, 'EthernetAddress': ETH,
        'DeviceName': NAME, 'ProductType': 'iPhone14,5', 'HardwareModel': 'D17AP',
        'HardwarePlatform': 't8110', 'ProductVersion': IOS, 'BuildVersion': BUILD,
        'HumanReadableProductVersionString': IOS, 'TimeZone': 'Europe/London',
        'TimeZoneOffsetFromUTC': 0.0, 'MobileSubscriberCountryCode': '234',
        'MobileSubscriberNetworkCode': '15',
    })
    cb = g['CarrierBundleInfoArray'][0]
    cb.update({'CFBundleIdentifier': 'com.apple.Vodafone_uk', 'IntegratedCircuitCardIdentity': ICCID,
               'InternationalMobileSubscriberIdentity': IMSI, 'MCC': '234', 'MNC': '15'})
    wplist('lockdown/global.plist', g)
    for dom in ('com.apple.mobile.battery', 'com.apple.disk_usage'):
        wplist('lockdown/%s.plist' % dom, load('lockdown/%s.plist' % dom))

    sb = load('diagnostics/ioreg/AppleSmartBattery.plist')
    sb['Serial'] = BATT_SERIAL
    sb['BatteryData']['Serial'] = BATT_SERIAL
    wplist('diagnostics/ioreg/AppleSmartBattery.plist', sb)
    wplist('diagnostics/All.plist', load('diagnostics/All.plist'))
    mg = load('diagnostics/mobilegestalt.plist')
    mg['ProductType'] = 'iPhone14,5'
    wplist('diagnostics/mobilegestalt.plist', mg)

    osv = 'iPhone OS %s (%s)' % (IOS, BUILD)
    # 309 app crash: identifiers in the JSON header and in the body, paths
    # JSON-escaped ("\/"), the person's name as JSON \u escapes.
    hdr = {'app_name': 'ZoesNotes', 'timestamp': '2026-11-20 10:10:10.00 +0000',
           'app_version': '2.1', 'slice_uuid': '5d8f7f02-1c1e-3a6b-9c1d-2f0e4b7a9c11',
           'build_version': '210', 'platform': 2, 'bundleID': 'org.example.zoesnotes',
           'share_with_app_devs': 0, 'is_first_party': 0, 'bug_type': '309',
           'os_version': osv, 'roots_installed': 0, 'name': 'ZoesNotes',
           'incident_id': '0E1D2C3B-4A59-4687-9A8B-7C6D5E4F3A2B',
           'device_serial': SERIAL, 'udid': UDID.lower(), 'ecid': ECID}
    body = {
        'uptime': 4021, 'procRole': 'Foreground', 'version': 2, 'userID': 501,
        'modelCode': 'iPhone14,5', 'captureTime': '2026-11-20 10:10:10.4711 +0000',
        'incident': hdr['incident_id'], 'pid': 812, 'cpuType': 'ARM-64', 'bug_type': '309',
        'procName': 'ZoesNotes',
        'procPath': '/private/var/containers/Bundle/Application/%s/ZoesNotes.app/ZoesNotes' % CONT2,
        'homeDir': '/private/var/mobile/Containers/Data/Application/%s' % CONT1,
        'bundleInfo': {'CFBundleShortVersionString': '2.1', 'CFBundleVersion': '210',
                       'CFBundleIdentifier': 'org.example.zoesnotes'},
        'storeInfo': {'deviceIdentifierForVendor': '6A1B2C3D-4E5F-4061-8273-9A8B7C6D5E4F',
                      'thirdParty': True},
        'parentProc': 'launchd', 'parentPid': 1, 'coalitionName': 'org.example.zoesnotes',
        'crashReporterKey': '5b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c',
        'ecid': ECID, 'serialNumber': SERIAL.lower(), 'deviceName': NAME,
        'exception': {'codes': '0x0000000000000000, 0x0000000000000000', 'rawCodes': [0, 0],
                      'type': 'EXC_CRASH', 'signal': 'SIGABRT'},
        'asi': {'libsystem_c.dylib': [
            'abort() called',
            'sync failed for %s at https://%s:8443/api (wifi %s, bt %s)' % (EMAIL, IPV4, WIFI.upper(), BT),
            'peer %s via %s, gateway %s' % (IPV6C, IPV6G, IPV4B),
            'user %s, phone %s, IMEI %s, ICCID %s, IMSI %s, MEID %s' % (
                name_plain, '+447700900461', IMEI, ICCID, IMSI, MEID),
            'store %s/%s/Documents/notes.sqlite' % ('/var/mobile/Containers/Shared/AppGroup', CONT3),
            'joined SSID_STR "%s" BSSID %s' % (SSID1, BSSID),
        ]},
        'sharedCache': {'base': 6442450944, 'size': 4069490688,
                        'uuid': 'd7a3b1e2-4c5d-3e6f-8a9b-0c1d2e3f4a5b'},
        'threads': [{'triggered': True, 'id': 11892, 'queue': 'com.apple.main-thread',
                     'frames': [{'imageOffset': 38808, 'symbol': '__pthread_kill',
                                 'imageIndex': 0}]}],
        'usedImages': [{'source': 'P', 'arch': 'arm64', 'base': 4305485824, 'size': 81920,
                        'uuid': '5d8f7f02-1c1e-3a6b-9c1d-2f0e4b7a9c11', 'name': 'ZoesNotes',
                        'path': '/private/var/containers/Bundle/Application/%s/ZoesNotes.app/ZoesNotes' % CONT2}],
    }
    # Apple's writer escapes "/" and prints non-ASCII as \u escapes
    btxt = json.dumps(body, indent=2, ensure_ascii=True).replace('/', '\\/')
    wtext('crash/ZoesNotes-2026-11-20-101010.ips',
          json.dumps(hdr, separators=(',', ':')) + '\n' + btxt + '\n')

    # legacy text crash (Report Version 104) in Retired/
    wtext('crash/Retired/ZoesNotes-2026-11-02-081500.ips', json.dumps(
        {'app_name': 'ZoesNotes', 'bug_type': '109', 'os_version': osv, 'name': 'ZoesNotes',
         'incident_id': '1A2B3C4D-5E6F-4071-8293-A4B5C6D7E8F9'}, separators=(',', ':')) + '\n' +
        'Incident Identifier: 1A2B3C4D-5E6F-4071-8293-A4B5C6D7E8F9\n'
        'CrashReporter Key:   5b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c\n'
        'Hardware Model:      iPhone14,5\n'
        'Device UDID:         %s\n'
        'Device Serial:       %s\n'
        'ECID:                0x%X\n'
        'Process:             ZoesNotes [733]\n'
        'Path:                /private/var/containers/Bundle/Application/%s/ZoesNotes.app/ZoesNotes\n'
        'Identifier:          org.example.zoesnotes\n'
        'Version:             210 (2.1)\n'
        'Code Type:           ARM-64 (Native)\n'
        'OS Version:          %s\n'
        'Report Version:      104\n\n'
        'Exception Type:  EXC_BAD_ACCESS (SIGSEGV)\n'
        'Triggered by Thread:  0\n\n'
        'Application Specific Information:\n'
        'opening /private/var/mobile/Containers/Data/Application/%s/Documents/%s.notes\n'
        'opening /private/var/mobile/%s/%s Passport Scan.pdf\n'
        'cache /var/mobile/Library/Caches/org.example.zoesnotes/%s/thumb.jpg\n'
        'imported from /Users/zoequillby/Desktop/export.zip by %s\n'
        'restored Zoe\u0308 Quillby.vcf (an HFS+ name, decomposed)\n'
        'mail to %s, call %s, text 07700 900461\n'
        'wifi %s / %s, BT %s, ETH %s\n'
        'imei %s (%s), udid %s\n\n'
        'Thread 0 Crashed:\n'
        '0   libsystem_kernel.dylib        \t0x00000001d5c2a1c8 __pthread_kill + 8\n' % (
            UDID, SERIAL, ECID, CONT2, osv, CONT1.lower(), 'Zo\u00eb', DIARY, 'Zo\u00eb Quillby',
            CONT4, EMAIL.upper(), EMAIL2, PHONE, wifi_nc, WIFI.replace(':', '-'), BT.upper(), ETH,
            imei_sp, imei_dash, udid_nodash.lower()))

    # panic with the ECID and serial in the panic string (JSON, 210)
    ptxt = ('panic(cpu 1 caller 0xfffffff0281c5a3c): watchdog timeout: no checkins from '
            'watchdogd in 180 seconds\nDebugger message: panic\nMemory ID: 0x6\n'
            'OS release type: User\nOS version: %s\nKernel version: Darwin Kernel Version '
            '25.1.0: root:xnu-12377.42.6~55/RELEASE_ARM64_T8110\nECID: %016X\n'
            'Serial: %s\nDevice name: %s\nBoot session UUID: 4C3B2A19-0817-4F6E-9D8C-7B6A59483726\n'
            'iBoot version: iBoot-11881.42.6\nsecure boot?: YES\n' % (BUILD, ECID, SERIAL, HOST))
    wtext('crash/Panics/panic-full-2026-11-19-030303.000.ips', json.dumps(
        {'bug_type': '210', 'timestamp': '2026-11-19 03:03:03.00 +0000', 'os_version': osv,
         'roots_installed': 0, 'incident_id': '2B3C4D5E-6F70-4182-93A4-B5C6D7E8F90A'},
        separators=(',', ':')) + '\n' + json.dumps(
        {'build': osv, 'product': 'iPhone14,5', 'socId': '8110', 'kernel': 'Darwin Kernel',
         'incident': '2B3C4D5E-6F70-4182-93A4-B5C6D7E8F90A', 'crashReporterKey':
         '5b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c', 'date': '2026-11-19 03:03:03.00 +0000',
         'panicString': ptxt, 'panicFlags': '0x902', 'otherString': 'host %s' % HOST},
        indent=1) + '\n')

    # a Wi-Fi log (text), as the crash tree holds under WiFi/
    wtext('crash/WiFi/wifi-buf-2026-11-20__10-09-58.log',
          '11/20/2026 10:09:58.112 __WiFiDeviceManagerScanComplete: ssid="%s" bssid=%s rssi=-51\n'
          '11/20/2026 10:09:58.301 WiFiManager: Associated to SSID \'%s\' (%s) channel 44\n'
          '11/20/2026 10:09:58.420 DHCP: lease %s router %s dns %s\n'
          '11/20/2026 10:09:58.421 IPv6: address %s prefix 64, link-local %s\n'
          '11/20/2026 10:09:59.002 hotspot: SSID=%s client %s\n'
          '11/20/2026 10:09:59.003 en0 ether %s host %s\n' % (
              SSID1, BSSID.upper(), SSID2, BSSID, IPV4, IPV4B, IPV6C, IPV6F, IPV6G, SSID2, BT,
              WIFI, HOST))

    # a plist in the crash tree: identifiers as <integer> and <string>
    wplist('crash/Accessory/DeviceInfo-2026-11-20.plist', {
        'UniqueChipID': ECID, 'ChipID': CHIPID, 'SerialNumber': SERIAL, 'UniqueDeviceID': UDID,
        'InternationalMobileEquipmentIdentity': IMEI, 'DeviceName': NAME, 'PhoneNumber': PHONE,
        'OwnerEmail': EMAIL, 'WiFiAddress': WIFI})

    # syslog: host column, every form
    L = []

    def log(proc, text, level='Notice'):
        L.append('Nov 20 10:%02d:%02d %s %s <%s>: %s' % (
            10 + len(L) // 60, len(L) % 60, HOST, proc, level, text))
    log('lockdownd[61]', 'Device %s (%s) name "%s"' % (UDID, SERIAL, NAME))
    log('lockdownd[61]', 'UDID %s ECID 0x%x chip %d' % (udid_nodash, ECID, ECID))
    log('CommCenter(Telephony)[88]', 'IMEI %s IMEI2 %s MEID %s' % (imei_sp, IMEI2, MEID))
    log('CommCenter(Telephony)[88]', 'ICCID %s IMSI %s number %s' % (ICCID, IMSI, PHONE))
    log('CommCenter(Telephony)[88]', 'msisdn=+447700900461 national 07700 900461')
    log('wifid(WiFiPolicy)[74]', 'en0 %s en1 %s bt %s' % (wifi_nc.upper(), ETH, BT.replace(':', '')))
    log('wifid(WiFiPolicy)[74]', 'Associated to ssid: "%s" bssid %s' % (SSID1, BSSID))
    log('wifid(WiFiPolicy)[74]', 'Joining SSID \'%s\' (secure)' % SSID2)
    log('wifid(WiFiPolicy)[74]', 'lease %s/24 gw %s v6 %s %s' % (IPV4, IPV4B, IPV6C, IPV6F.upper()))
    log('mDNSResponder[96]', 'host %s.local address %s' % (HOST, IPV6G))
    log('accountsd[120]', 'account %s <%s> for %s' % (EMAIL, EMAIL2.lower(), name_plain))
    log('accountsd[120]', '{"owner":"%s","mail":"%s"}' % (name_json, EMAIL))
    log('nsurlsessiond[99]', 'GET https://api.example.net/v1/login?user=%s&alt=%s' % (
        EMAIL.replace('@', '%40'), EMAIL2.replace('+', '%2B').replace('@', '%40')))
    log('ZoesNotes[812]', 'open \\/var\\/mobile\\/Containers\\/Data\\/Application\\/%s\\/Documents' % CONT1)
    log('ZoesNotes[812]', 'bundle /private/var/containers/Bundle/Application/%s/ZoesNotes.app' % CONT2.lower())
    log('ZoesNotes[812]', 'group /private/var/mobile/Containers/Shared/AppGroup/%s/db' % CONT3)
    log('ZoesNotes[812]', 'cache /private/var/mobile/Library/Caches/org.example.zoesnotes/%s' % CONT4.lower())
    log('ZoesNotes[812]', 'import /Users/zoequillby/Documents/notes.txt')
    log('ZoesNotes[812]', 'greeting "Hello, %s!" upper %s' % ('Zo\u00eb', 'ZO\u00cb QUILLBY'))
    log('sharingd[68]', 'AirDrop name %s, contact Zoe Quillby' % NAME.upper())
    log('SpringBoard[57]', 'battery serial %s' % BATT_SERIAL)
    log('SpringBoard[57]', 'mlb %s' % MLB.lower())
    L.append('Nov 20 10:11:00 %s kernel[0] <Notice>: AppleBCMWLAN: ether %s' % (HOST, WIFI.upper()))
    wtext('syslog.txt', '\n'.join(L) + '\n')

    def app(name, exe, bid, cont, bund):
        return {'ApplicationType': 'User', 'CFBundleDisplayName': name, 'CFBundleName': exe,
                'CFBundleExecutable': exe, 'CFBundleIdentifier': bid,
                'CFBundleShortVersionString': '2.1', 'CFBundleVersion': '210',
                'Container': '/private/var/mobile/Containers/Data/Application/' + cont,
                'Path': '/private/var/containers/Bundle/Application/%s/%s.app' % (bund, exe),
                'SignerIdentity': 'Apple iPhone OS Application Signing'}
    wplist('apps.plist', [
        app("Zo\u00eb's Notes", 'ZoesNotes', 'org.example.zoesnotes', CONT1, CONT2),
        app('Zo\u00eb\u2019s Budget', 'Budget', 'org.example.budget',
            '0F1E2D3C-4B5A-4968-8776-655443322110', '11223344-5566-4778-899A-ABBCCDDEEFF0'),
        app('Quillby Family', 'Family', 'org.example.family',
            '99887766-5544-4332-A110-FFEEDDCCBBAA', '12345678-9ABC-4DEF-8123-456789ABCDEF'),
        {'ApplicationType': 'System', 'CFBundleDisplayName': 'Safari',
         'CFBundleIdentifier': 'com.apple.mobilesafari', 'CFBundleVersion': '8616'}])

    with open(os.path.join(HERE, 'values.txt'), 'w', encoding='utf-8') as f:
        f.write('# planted values of the canary profile (make-canary.py): class<TAB>form'
                '<TAB>flags<TAB>value; flags: i = case-insensitive, w = whole word\n')
        for c, form, flags, v in VALUES:
            f.write('%s\t%s\t%s\t%s\n' % (c, form, flags or '-', v))


if __name__ == '__main__':
    main()
