#!/usr/bin/env python3
"""Builds the hostile bundles test_verify_hostile.sh feeds to verify/inspect.

usage: hostile_bundles.py OUTDIR

- manifest_bomb.tar.gz: ~36 KB whose manifest.json inflates to 31 MB of {}
- gzip_bomb.tar.gz: a valid gzip of a tar holding a 10 GB member of zeros,
  built by repeating one fully-flushed deflate block (never inflated here,
  never on disk whole); the trailer's CRC is the true one (zlib's combine)
- nested.tar.gz: a real-looking bundle whose consent.json and redaction.json
  are 4 MB of [] nesting and [[],[],...]
- escapes.tar.gz: case_id, created and member names carrying ESC sequences,
  C1 controls (U+0085, U+009B) and U+202E
- escape_name.tar.gz: a member name with a raw ESC (an unsafe name)
- short.tar.gz: a member whose header says more bytes than the archive holds
- many_nodes.tar.gz: a 3 MB manifest with more JSON values than caseprobe writes
- largest_legit.tar.gz: the most members the limits allow; must verify OK
"""
import ctypes
import hashlib
import io
import json
import os
import sys
import tarfile
import zlib

out = sys.argv[1]


def tar_bytes(members, fmt=tarfile.PAX_FORMAT):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=fmt) as tf:
        for name, data in members:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.mode = 0o644
            tf.addfile(ti, io.BytesIO(data))
    return b.getvalue()


def gz(data, path):
    with open(path, "wb") as f:
        f.write(gzip_compress(data))


def gzip_compress(data):
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


def manifest_for(members, case_id="CASE-1", created="2026-12-07T00:00:00Z"):
    rows = [{"path": n, "size": len(d), "sha256": hashlib.sha256(d).hexdigest(), "scope": "device"}
            for n, d in members]
    return json.dumps({"format": "caseprobe-bundle", "format_version": 1, "case_id": case_id, "created": created,
                       "agent_version": "0.0", "device": {}, "members": rows},
                      ensure_ascii=False).encode()


# 1. manifest bomb: 31 MB of {} in the manifest's members array
body = b'{"format_version": 1, "case_id": "BOMB", "members": [' + b"{}," * (31 * 1024 * 1024 // 3) + b"{}]}"
gz(tar_bytes([("manifest.json", body)]), os.path.join(out, "manifest_bomb.tar.gz"))

# 2. 10 GB gzip bomb, streamed: header, N copies of one flushed zero block, trailer
SIZE = 10 * 1024 ** 3
hdr = tarfile.TarInfo("syslog/syslog.txt")
hdr.size = SIZE
hdr.mode = 0o644
head = hdr.tobuf(format=tarfile.PAX_FORMAT)
CH = 1 << 20
z = ctypes.CDLL("libz.so.1")
z.crc32_combine64.restype = ctypes.c_ulong
z.crc32_combine64.argtypes = [ctypes.c_ulong, ctypes.c_ulong, ctypes.c_int64]
co = zlib.compressobj(9, zlib.DEFLATED, -15)
first = co.compress(head) + co.flush(zlib.Z_FULL_FLUSH)
block = co.compress(b"\0" * CH) + co.flush(zlib.Z_FULL_FLUSH)
tail_data = b"\0" * 1024  # end-of-archive blocks
last = co.compress(tail_data) + co.flush(zlib.Z_FINISH)
zero_crc = zlib.crc32(b"\0" * CH)
crc = zlib.crc32(head)
for _ in range(SIZE // CH):
    crc = z.crc32_combine64(crc, zero_crc, CH)
crc = zlib.crc32(tail_data, crc)
total = len(head) + SIZE + len(tail_data)
with open(os.path.join(out, "gzip_bomb.tar.gz"), "wb") as f:
    f.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff")
    f.write(first)
    for _ in range(SIZE // CH):
        f.write(block)
    f.write(last)
    f.write((crc & 0xffffffff).to_bytes(4, "little") + (total & 0xffffffff).to_bytes(4, "little"))

# 3. JSON members of [] nesting, in an otherwise proper bundle
deep = b"[" * (2 * 1024 * 1024) + b"]" * (2 * 1024 * 1024)
wide = b"[" + b"[]," * (4 * 1024 * 1024 // 3) + b"[]]"
mem = [("consent.json", deep), ("redaction.json", wide), ("device/info.json", b"{}")]
gz(tar_bytes(mem + [("manifest.json", manifest_for(mem))]), os.path.join(out, "nested.tar.gz"))

# 4. terminal escapes in case_id, created and member names
ESC_CASE = "CASE\x1b]0;owned\x07\x1b[2J\u0085\u009b31m\u202eevil"
ESC_CREATED = "2026\x1b[31m-12-07\u202e"
names = ["crashes/a\u202egnp.ips", "crashes/b\u0085\u009bc.ips"]
mem = [(n, b"x") for n in names]
good = [("device/info.json", b"{}")]
man = manifest_for(good + mem[:1], ESC_CASE, ESC_CREATED)
# mem[1] is extra (not in the manifest): printed in the EXTRA line
gz(tar_bytes(good + mem + [("manifest.json", man)]), os.path.join(out, "escapes.tar.gz"))
mem = [("crashes/\x1b[31mred.ips", b"x")]
gz(tar_bytes(mem + [("manifest.json", manifest_for(mem))], fmt=tarfile.GNU_FORMAT),
   os.path.join(out, "escape_name.tar.gz"))

# 5. a short member: the header says 100000 bytes, the archive ends after 1000
t = tarfile.TarInfo("syslog/syslog.txt")
t.size = 100000
raw = t.tobuf(format=tarfile.PAX_FORMAT) + b"a" * 1000
gz(raw, os.path.join(out, "short.tar.gz"))

# 6. a manifest under the size cap that compresses like real text but holds
# more JSON values than any caseprobe manifest (random paths)
import random
rnd = random.Random(14)
rows = ",".join('{"path":"m/%08x","size":1,"sha256":"%s"}' % (i, "%064x" % rnd.getrandbits(256))
                for i in range(30000))
body = ('{"format":"caseprobe-bundle","format_version":1,"case_id":"N","created":"x",'
        '"members":[%s]}' % rows).encode()
gz(tar_bytes([("manifest.json", body)]), os.path.join(out, "many_nodes.tar.gz"))

# 7. the largest bundle the limits allow: 11990 members and their manifest
# (verify must pass it, under the same memory and time bounds)
rows, mem = [], []
b = io.BytesIO()
with tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT) as tf:
    for i in range(11990):
        d = ("%d\n" % i).encode()
        n = "sysdiagnose/logs/Subsystem/some-longer-file-name-%06d.log" % i
        ti = tarfile.TarInfo(n)
        ti.size = len(d)
        tf.addfile(ti, io.BytesIO(d))
        mem.append((n, d))
    man = manifest_for(mem)
    ti = tarfile.TarInfo("manifest.json")
    ti.size = len(man)
    tf.addfile(ti, io.BytesIO(man))
with open(os.path.join(out, "largest_legit.tar.gz"), "wb") as f:
    f.write(gzip_compress(b.getvalue()))
