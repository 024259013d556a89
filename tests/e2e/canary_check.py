#!/usr/bin/env python3
"""Searches a caseprobe bundle for the canary profile's planted values.

usage: canary_check.py BUNDLE VALUES_TXT [--expect-survivors CLASS]

Every member is read after decompression and searched in three views: the
raw text, and, for JSON members (and the JSON parts of .ips files), the text
with every JSON string decoded (so "\\u00eb" and "\\/" escapes cannot hide a
value), and, for HTML/XML members, the text with entities decoded. Member
NAMES are searched too. Every survivor is listed as member, class, form,
value. Exit 0 when there is none; with --expect-survivors CLASS, exit 0 only
when values of CLASS survive (proving the check can fail when that class is
turned off).
"""
import html
import json
import re
import sys
import tarfile


def load_values(path):
    vals = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            cls, form, flags, value = line.split('\t')
            flags = '' if flags == '-' else flags
            pat = re.escape(value)
            if 'w' in flags:
                pat = r'(?<![A-Za-z\u00c0-\u024f])' + pat + r'(?![A-Za-z\u00c0-\u024f])'
            vals.append((cls, form, value, re.compile(pat, re.I if 'i' in flags else 0)))
    return vals


def json_docs(text):
    """Every JSON document in text: whole, or one per line (.ips header +
    body, JSON lines)."""
    try:
        return [json.loads(text)]
    except ValueError:
        pass
    docs, lines = [], text.split('\n')
    # .ips: first line is a header, the rest one document
    if len(lines) > 1:
        try:
            docs.append(json.loads(lines[0]))
            docs.append(json.loads('\n'.join(lines[1:])))
            return docs
        except ValueError:
            docs = []
    for ln in lines:
        ln = ln.strip()
        if ln.startswith(('{', '[')):
            try:
                docs.append(json.loads(ln))
            except ValueError:
                pass
    return docs


def views(name, data):
    text = data.decode('utf-8', errors='replace')
    out = [('raw', text)]
    docs = json_docs(text)
    if docs:
        out.append(('json-decoded', '\n'.join(json.dumps(d, ensure_ascii=False) for d in docs)))
    if name.endswith(('.html', '.xml', '.plist')) or '&#' in text or '&lt;' in text:
        out.append(('entity-decoded', html.unescape(text)))
    return out


def main():
    bundle, values_path = sys.argv[1], sys.argv[2]
    expect = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == '--expect-survivors' else None
    vals = load_values(values_path)
    survivors = set()
    with tarfile.open(bundle, 'r:gz') as tf:
        members = [(m.name, tf.extractfile(m).read()) for m in tf.getmembers() if m.isreg()]
    for name, data in members:
        for cls, form, value, rx in vals:
            if rx.search(name):
                survivors.add((name + ' (member name)', cls, form, value))
        for view, text in views(name, data):
            for cls, form, value, rx in vals:
                if rx.search(text):
                    survivors.add((name, cls, form, value))
    for s in sorted(survivors):
        print('SURVIVOR\t%s\t%s\t%s\t%s' % s)
    print('%d survivor(s) of %d planted forms in %d members' % (len(survivors), len(vals),
                                                               len(members)))
    if expect:
        classes = {s[1] for s in survivors}
        ok = expect in classes
        print('expected survivors of class %s: %s (classes: %s)' % (
            expect, 'yes' if ok else 'NO', ', '.join(sorted(classes))))
        return 0 if ok else 1
    return 1 if survivors else 0


if __name__ == '__main__':
    sys.exit(main())
