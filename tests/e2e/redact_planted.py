#!/usr/bin/env python3
"""Inputs for the redactor comparisons (test_redact_engines.sh,
test_windows_build.sh): the canary profile's planted values (every form in
tests/sim/profiles/canary/values.txt, plus a few for user patterns) put into
real corpus syslog lines in assorted contexts, as planted.log/.json/.plist,
random bytes as random.txt, UUID paths as paths.log, and ids.tsv: the identifiers the device itself
reports ("as is" forms), class<TAB>value, for redact_dump -i.

usage: redact_planted.py VALUES.txt CORPUS_DIR OUT_DIR [LINES]"""
import random
import sys

values, corpus, out_dir = sys.argv[1], sys.argv[2], sys.argv[3]
n_lines = int(sys.argv[4]) if len(sys.argv) > 4 else 6000
rows = [l.rstrip("\n").split("\t") for l in open(values, encoding="utf-8") if not l.startswith("#")]
ids = {"serial", "udid", "ecid", "imei", "meid", "iccid", "imsi", "phone", "wifi_mac", "bt_mac",
       "ethernet_mac", "device_name"}
with open(f"{out_dir}/ids.tsv", "w", encoding="utf-8") as f:
    for r in rows:
        if r[0] in ids and r[1] == "as is":
            f.write(f"{r[0]}\t{r[3]}\n")
vals = [r[3] for r in rows] + ["TCK-123456", "ticket 4321", "abab", "Apr 1"]
ctx = ["{}", "value {} end", '"key": "{}",', "<string>{}</string>", "<integer>{}</integer>",
       "x{}y", "({})", "url=?q={}&r=1", "'{}'", "SSID = {};", "\\/{}\\/"]
rnd = random.Random(16)
lines = []
for name in ("im_ios_sdk_iphone_idevicesyslog.log", "pvz_ipad_jailbroken_idevicesyslog.txt"):
    lines += open(f"{corpus}/syslog/{name}", encoding="utf-8", errors="replace").read().splitlines()
out = []
for i, line in enumerate(lines[:n_lines]):
    if i % 3 == 0:  # a value inside the line, in a context
        v = rnd.choice(ctx).format(rnd.choice(vals))
        k = rnd.randrange(len(line) + 1)
        line = line[:k] + v + line[k:]
    out.append(line)
text = "Apr 16 " + "\n".join(out) + "\n"  # "^Apr [0-9]+" matches once, at the start
for ext in ("log", "json", "plist"):
    with open(f"{out_dir}/planted.{ext}", "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
# /var/mobile/ paths in lines of random length: the container UUID rule, the
# longest when e-mail is off, has its value far left of its trigger (the
# UUID's last group), so a late report must still be placed (with
# policy-noemail.json in test_redact_engines.sh)
pr = random.Random(3)
with open(f"{out_dir}/paths.log", "w", encoding="utf-8") as f:
    f.write("\n".join("x" * pr.randrange(0, 300) + " /var/mobile/Library/Caches/com.apple.x/"
                      "1b4e28ba-2fa1-11d2-883f-0016d3cca427/f " for _ in range(400)))
b = bytes(rnd.choice(b"0123456789abcdef:.-@ \n\"<>/ABCDEF+") for _ in range(300000))
open(f"{out_dir}/random.txt", "wb").write(b)
