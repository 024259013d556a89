#!/usr/bin/env python3
"""Builds the canary's "real data" variants for test_canary.sh (issue 14).

usage: canary_real.py CANARY_PROFILE CORPUS OUT_PROFILE OUT_VALUES [--cjk]

The profile is the canary's, with REAL text added around the planted values:
the corpus's syslog captures (host column rewritten to the device's host
name, as a real device's log carries it), real crash reports from the corpus
(their own crashReporterKey kept) saved under file names that carry the
device name, the way iTunes/Finder-synced reports are named. The planted
forms are the ones real devices and apps write and our own canary did not
have: percent-encoding (both hex cases, '+' for space), numeric and named
character references, JSON \\uXXXX in upper case, the syslog \\M- vis form and
octal escapes, host names, regrouped IMEI/ICCID/serial digits, e-mail '@'
escapes, Wi-Fi names in the forms wifid logs them, the chip serial in hex,
crashReporterKey. OUT_VALUES lists them (values.txt format) for
canary_check.py. With --cjk the device is renamed 张小明的iPhone and the
planted forms are that name's.
"""
import os
import plistlib
import shutil
import sys
import urllib.parse


def vis(s):
    out = []
    for b in s.encode():
        if b < 0x80:
            out.append(chr(b))
        else:
            low = b & 0x7F
            out.append("\\M^" + chr(low + 64) if low < 0x20 else "\\M^?" if low == 0x7F
                       else "\\M-" + chr(low))
    return "".join(out)


def octal(s):
    return "".join(chr(b) if b < 0x80 else "\\%03o" % b for b in s.encode())


def ncr(s, hexa):
    return "".join(c if ord(c) < 0x80 else ("&#x%X;" % ord(c) if hexa else "&#%d;" % ord(c))
                   for c in s)


def json_u(s):
    return "".join(c if ord(c) < 0x80 else "\\u%04X" % ord(c) for c in s)


def named(s):
    m = {"’": "&rsquo;", "ë": "&euml;", "'": "&apos;"}
    return "".join(m.get(c, c) for c in s)


profile, corpus, out, values_out = sys.argv[1:5]
cjk = "--cjk" in sys.argv
shutil.copytree(profile, out)
g = os.path.join(out, "lockdown", "global.plist")
with open(g, "rb") as f:
    gl = plistlib.load(f)
if cjk:
    gl["DeviceName"] = "张小明的iPhone"
    with open(g, "wb") as f:
        plistlib.dump(gl, f)
name = gl["DeviceName"]
host = "Zoe-Quillbys-iPhone" if not cjk else None

plants = []  # (class, form, flags, value, line)


def plant(cls, form, value, line=None, flags="i"):
    plants.append((cls, form, flags, value, line if line is not None else value))


if not cjk:
    for n, form in ((name, "device name"), ("Zoë", "first name"), ("Quillby", "surname")):
        plant("device_name" if form == "device name" else "person_name", form + " vis", vis(n),
              "wifid[77] <Notice>: __WiFiDeviceManagerAutoAssociate: host %s" % vis(n), "")
        plant("device_name" if form == "device name" else "person_name", form + " octal",
              octal(n), "mDNSResponder[92] <Notice>: name %s" % octal(n), "")
    q20 = urllib.parse.quote(name, safe="")
    plant("device_name", "percent upper hex", q20, "nsurlsessiond[120] <Notice>: GET /register?d=%s" % q20)
    ql = urllib.parse.quote_plus(name).lower()
    plant("device_name", "percent lower hex, + for space", ql,
          "Safari[400] <Notice>: https://example.org/q?name=%s" % ql)
    plant("device_name", "html hex reference", ncr(name, True), "<p>%s</p>" % ncr(name, True))
    plant("device_name", "html decimal reference", ncr(name, False),
          "<p>%s</p>" % ncr(name, False))
    plant("device_name", "html named reference", named(name), "<b>%s</b>" % named(name))
    plant("device_name", "json upper-case \\u", json_u(name),
          'Notes[300] <Notice>: {"owner":"%s"}' % json_u(name))
    plant("device_name", "host name, diaeresis dropped", "Zo-Quillbys-iPhone", "", "")
    plant("person_name", "first name percent", "Zo%C3%AB", "x?first=Zo%C3%AB&y=1")
    plant("person_name", "first name html", "Zo&#235;", "<i>Zo&#235;</i>")
    plant("email", "json \\u0040", "zoe.quillby\\u0040example.org",
          'Mail[200] <Notice>: {"from":"zoe.quillby\\u0040example.org"}')
    plant("email", "html &#64;", "zoe.quillby&#64;example.org", "<a>zoe.quillby&#64;example.org</a>")
    plant("iccid", "groups of four", "8944 1100 6824 5301 7729",
          "CommCenter[88] <Notice>: SIM 8944 1100 6824 5301 7729 ready", "-")
    plant("imei", "groups of three", "356 938 112 045 670", "Settings: IMEI 356 938 112 045 670", "-")
    plant("imei", "dots", "356.938.112.045.670", "imei=356.938.112.045.670;", "-")
    plant("serial", "regrouped", "C8QZ-K7M2-XJ4T", "AppleCare: unit C8QZ-K7M2-XJ4T", "i")
    plant("ecid", "0x upper", "0x1C4A2E3B5D801E", "iBoot ECID:0x1C4A2E3B5D801E", "i")
    plant("serial", "chip serial hex", "3a7e910c", "ChipSerialNo <3a7e910c>", "i")
    plant("phone", "percent-encoded +", "%2B447700900461", "tel=%2B447700900461&x=1", "-")
    plant("wifi_mac", "percent-encoded colons", "f0%3A99%3Ab6%3A3c%3A7e%3A21",
          "mac=f0%3A99%3Ab6%3A3c%3A7e%3A21&y", "i")
    plant("ssid", "CUTWiFiManagerSSID", "Quillby Home 5G",
          "wifid[77] <Notice>: CUTWiFiManagerSSID = Quillby Home 5G;")
    plant("ssid", "Not probing", "ZoeHotspot", "wifid[77] <Notice>: Not probing 'ZoeHotspot' (hidden)")
else:
    for v, form in ((name, "device name"), ("张小明", "owner"), ("小明", "given name"),
                    ("张小明的", "stem")):
        cls = "device_name" if form in ("device name", "stem") else "person_name"
        plant(cls, form, v, "SpringBoard[50] <Notice>: %s" % v)
        plant(cls, form + " vis", vis(v), "wifid[77] <Notice>: %s" % vis(v))
        plant(cls, form + " octal", octal(v), "mDNSResponder[92] <Notice>: %s" % octal(v))
        plant(cls, form + " percent", urllib.parse.quote(v), "GET /?n=%s" % urllib.parse.quote(v))
        plant(cls, form + " percent lower", urllib.parse.quote(v).lower(),
              "GET /?n=%s" % urllib.parse.quote(v).lower())
        plant(cls, form + " html hex", ncr(v, True), "<p>%s</p>" % ncr(v, True))
        plant(cls, form + " html decimal", ncr(v, False), "<p>%s</p>" % ncr(v, False))
        plant(cls, form + " json \\u", json_u(v), '{"n":"%s"}' % json_u(v))

# real syslog lines around the plants, with the device's host name as the host column
real = []
for fn in ("mobile-cli-lib_ios-log-filter_test_syslog_with_host.txt",
           "im_ios_sdk_iphone_idevicesyslog.log"):
    with open(os.path.join(corpus, "syslog", fn), encoding="utf-8", errors="replace") as f:
        for i, ln in enumerate(f):
            if i >= 400:
                break
            ln = ln.rstrip("\n")
            real.append(ln.replace("Dragons-iPhone", host or "localhost"))
syslog = os.path.join(out, "syslog.txt")
with open(syslog, "a", encoding="utf-8") as f:
    for k, p in enumerate(plants):
        if p[4]:
            f.write("Nov 20 10:11:%02d %s %s\n" % (k % 60, host or "iPhone", p[4]))
        f.write(real[k % len(real)] + "\n")
    if host:  # the host-name form iOS writes when it drops the diaeresis
        f.write("Nov 20 10:12:00 Zo-Quillbys-iPhone kernel[0] <Notice>: AppleUSBCableDetect 1\n")

# real crash reports, named as synced reports are: the host name in the file name
crash_src = os.path.join(corpus, "crash", "macsym_iOS15.5_iPhone14,2.crash")
with open(crash_src, encoding="utf-8") as f:
    crash = f.read()
key = [ln.split(":", 1)[1].strip() for ln in crash.splitlines() if ln.startswith("CrashReporter Key")][0]
if not cjk:
    shutil.copy(crash_src, os.path.join(out, "crash",
                                        "MobileSafari_2026-11-20-101500_Zoe-Quillbys-iPhone.crash"))
    shutil.copy(crash_src, os.path.join(out, "crash", "Zoë Quillby’s iPhone-2026-11-20-101600.crash"))
    plant("crash_reporter_key", "CrashReporter Key of a real report", key, "", "i")
    plant("device_name", "host name in a file name", "Zoe-Quillbys-iPhone", "", "i")

with open(values_out, "w", encoding="utf-8") as f:
    f.write("# planted by canary_real.py: class<TAB>form<TAB>flags<TAB>value\n")
    for cls, form, flags, value, _ in plants:
        f.write("%s\t%s\t%s\t%s\n" % (cls, form, flags if flags else "-", value))
