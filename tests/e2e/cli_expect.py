#!/usr/bin/env python3
"""Independent expectations for the caseprobe CLI end-to-end tests.

Reads a simulator profile folder (plists with plistlib, the crash tree with
hashlib) and checks a caseprobe --json output against it. Shares no code with
caseprobe: if both compute the same figure from the profile, the figure is
right. Usage: cli_expect.py CHECK PROFILE OUTPUT.json [ARGS...]; exits 1 with
the mismatches on stderr.
"""
import hashlib
import json
import os
import plistlib
import re
import sys

NAMES = {"iPhone12,5": "iPhone 11 Pro Max", "iPhone9,1": "iPhone 7",
         "iPad13,16": "iPad Air (5th generation)", "iPhone14,2": "iPhone 13 Pro",
         "iPhone12,1": "iPhone 11"}

errors = []


def check(cond, what):
    if not cond:
        errors.append(what)


def pl(profile, rel):
    path = os.path.join(profile, rel)
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return plistlib.load(f)


def rated_cycles(pt):
    m = re.match(r"(iPhone|iPad)(\d+),(\d+)$", pt or "")
    if not m:
        return 0
    if m.group(1) == "iPad":
        return 1000
    major, minor = int(m.group(2)), int(m.group(3))
    return 1000 if (major, minor) >= (15, 4) else 500


def crash_files(profile):
    """rel path -> sha256 of every regular file the device serves (crash/ plus
    what the mover brings in from crash_pending/)."""
    out = {}
    for top in ("crash", "crash_pending"):
        root = os.path.join(profile, top)
        for d, _, files in os.walk(root):
            for n in files:
                p = os.path.join(d, n)
                if os.path.islink(p) or not os.path.isfile(p):
                    continue
                rel = os.path.relpath(p, root)
                with open(p, "rb") as f:
                    out[rel] = hashlib.sha256(f.read()).hexdigest()
    return out


def analytics_percent(profile):
    best = None
    for rel in sorted(crash_files(profile), key=lambda r: os.path.basename(r), reverse=True):
        if not os.path.basename(rel).startswith("Analytics"):
            continue
        for top in ("crash", "crash_pending"):
            p = os.path.join(profile, top, rel)
            if os.path.exists(p):
                text = open(p, "rb").read().decode("utf-8", "replace")
                found = re.findall(r'"last_value_MaximumCapacityPercent"\s*:\s*(\d+)', text)
                if found:
                    return int(found[-1])
    return best


def battery_entry(profile):
    for name in ("AppleSmartBattery", "AppleARMPMUCharger"):
        e = pl(profile, "diagnostics/ioreg/%s.plist" % name)
        if e is not None:
            return name, e
    return None, None


def check_info(profile, out):
    g = pl(profile, "lockdown/global.plist")
    dev = pl(profile, "device.plist")
    check(out["udid"] == dev["UDID"], "udid %r != %r" % (out["udid"], dev["UDID"]))
    for k, v in (("name", "DeviceName"), ("product_type", "ProductType"),
                 ("ios_version", "ProductVersion"), ("build_version", "BuildVersion"),
                 ("serial_number", "SerialNumber"), ("activation_state", "ActivationState"),
                 ("hardware_model", "HardwareModel")):
        check(out.get(k) == g.get(v), "%s %r != %s %r" % (k, out.get(k), v, g.get(v)))
    check(out.get("marketing_name") == NAMES.get(g["ProductType"]),
          "marketing_name %r for %s" % (out.get("marketing_name"), g["ProductType"]))
    check("DevicePublicKey" not in out.get("lockdown", {}), "device key leaked into info")
    du = pl(profile, "lockdown/com.apple.disk_usage.plist")
    if du and "TotalDiskCapacity" in du:
        check(out["storage"]["total_disk_bytes"] == du["TotalDiskCapacity"], "total disk")
    bd = pl(profile, "lockdown/com.apple.mobile.battery.plist")
    if bd:
        check(out.get("battery_charge_percent") == bd["BatteryCurrentCapacity"], "charge %")
    check(out.get("trust") == "trusted", "trust")


def check_battery(profile, out):
    g = pl(profile, "lockdown/global.plist")
    name, e = battery_entry(profile)
    check(e is not None, "profile has no battery entry")
    design = e.get("DesignCapacity")
    full = e.get("NominalChargeCapacity", e.get("AppleRawMaxCapacity"))
    check(out.get("cycle_count") == e["CycleCount"],
          "cycle_count %r != IORegistry %r" % (out.get("cycle_count"), e["CycleCount"]))
    check(out.get("design_capacity_mah") == design, "design %r" % out.get("design_capacity_mah"))
    check(out.get("full_charge_capacity_mah") == full, "full %r" % out.get("full_charge_capacity_mah"))
    ratio = round(100.0 * full / design, 1)
    check(abs(out.get("capacity_ratio_percent", -1) - ratio) < 0.051,
          "ratio %r != %r" % (out.get("capacity_ratio_percent"), ratio))
    check(out["sources"]["cycle_count"] == "ioreg:%s:CycleCount" % name, "cycle source")
    if "Temperature" in e:
        check(abs(out.get("temperature_c", -99) - e["Temperature"] / 100.0) < 0.051, "temperature")
    ap = analytics_percent(profile)
    if ap is not None:
        health = float(ap)
        check(out["sources"]["health_percent"].startswith("analytics:"), "health source")
    else:
        health = ratio
    check(abs(out.get("health_percent", -1) - health) < 0.051,
          "health %r != %r" % (out.get("health_percent"), health))
    rated = rated_cycles(g["ProductType"])
    check(out.get("rated_cycles") == rated, "rated %r != %r" % (out.get("rated_cycles"), rated))
    service = health < 80 or e["CycleCount"] > rated
    check(out["verdict"] == ("service" if service else "ok"), "verdict %r" % out["verdict"])
    codes = sorted(r["code"] for r in out["reasons"])
    want = sorted(([] if health >= 80 else ["capacity_below_80"]) +
                  ([] if e["CycleCount"] <= rated else ["cycles_over_rating"]))
    check(codes == want, "reasons %r != %r" % (codes, want))


def check_crash_list(profile, out):
    files = crash_files(profile)
    paths = sorted(r["path"] for r in out["reports"])
    check(out["count"] == len(files), "count %r != %d files" % (out["count"], len(files)))
    check(paths == sorted(files), "paths differ: %r vs %r" % (paths, sorted(files)))
    for r in out["reports"]:
        p = os.path.join(profile, "crash", r["path"])
        if not os.path.exists(p):
            p = os.path.join(profile, "crash_pending", r["path"])
        check(r["size"] == os.path.getsize(p), "size of %s" % r["path"])


def check_pull(profile, out, folder, *rest):
    """Every pulled file is byte-identical to the profile's; with 'all', every
    profile file was pulled."""
    files = crash_files(profile)
    for row in out["pulled"]:
        rel = row["path"]
        check(rel in files, "pulled %s is not in the profile" % rel)
        local = os.path.join(folder, rel)
        with open(local, "rb") as f:
            h = hashlib.sha256(f.read()).hexdigest()
        check(h == files.get(rel), "%s differs from the device" % rel)
        check(row["sha256"] == h, "%s: reported sha256 wrong" % rel)
    if "all" in rest:
        check(sorted(r["path"] for r in out["pulled"]) == sorted(files), "not all pulled")
    for d, _, names in os.walk(folder):
        for n in names:
            check(".cp-part" not in n, "partial file left: %s" % n)


def check_apps(profile, out):
    apps = pl(profile, "apps.plist") or []
    user = sorted(a["CFBundleIdentifier"] for a in apps if a.get("ApplicationType") == "User")
    got = sorted(a["bundle_id"] for a in out["apps"])
    check(got == user, "apps %r != %r" % (got, user))
    check(out["count"] == len(user), "count")
    byid = {a["CFBundleIdentifier"]: a for a in apps}
    for a in out["apps"]:
        check(a.get("version") == byid[a["bundle_id"]].get("CFBundleShortVersionString"),
              "version of %s" % a["bundle_id"])


def main():
    what, profile, output = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(output) as f:
        out = json.load(f)
    {"info": check_info, "battery": check_battery, "crash-list": check_crash_list,
     "pull": check_pull, "apps": check_apps}[what](profile, out, *sys.argv[4:])
    if errors:
        for e in errors:
            print("%s %s: %s" % (what, os.path.basename(profile), e), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
