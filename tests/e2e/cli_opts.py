#!/usr/bin/env python3
"""The options a text names, for test_cli_manpage.sh.

  cli_opts.py help FILE        options in a command's -h output
  cli_opts.py man FILE CMD     options in the man page section `.SS CMD ...`

Prints one option per line, sorted (-x and --long-name). An option is a
dash and a letter, or two dashes and a lower-case name, not inside a word
("re-hashes" is not one)."""
import re
import sys

OPT = re.compile(r"(?<![\w\-])(--[a-z][a-z0-9-]*[a-z0-9]|-[a-zA-Z])(?![\w])")


def opts(text):
    return sorted(set(OPT.findall(text)))


def man_section(path, cmd):
    lines = open(path, encoding="utf-8").read().split("\n")
    out, inside = [], False
    for ln in lines:
        if ln.startswith(".SS ") or ln.startswith(".SH "):
            if inside:
                break
            inside = ln.startswith(".SS ") and ln[4:].split(" ")[0] == cmd
        if inside:
            out.append(ln)
    if not out:
        sys.exit("no man page section .SS %s" % cmd)
    text = "\n".join(out)
    text = re.sub(r"\\f[BIRP]", "", text).replace("\\-", "-").replace("\\(em", " ")
    # man macros (.BR, .TP) are not text
    text = "\n".join(re.sub(r"^\.[A-Z]{1,2}( |$)", " ", ln) for ln in text.split("\n"))
    return text


if __name__ == "__main__":
    if sys.argv[1] == "help":
        print("\n".join(opts(open(sys.argv[2], encoding="utf-8").read())))
    else:
        print("\n".join(opts(man_section(sys.argv[2], sys.argv[3]))))
