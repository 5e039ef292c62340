# SPDX-License-Identifier: MIT
"""The commands the README and docs/ show, run (issue 24): every `$ COMMAND` line in a
fenced block is run with `thrdemo` on PATH (`scripts/thrdemo` is the same binary), in
a scratch directory, stdout and stderr together as a terminal shows them, and what it
prints must be the lines shown below it, byte for byte, up to the next `$ ` line or
the end of the block. A line `...` stands for any number of lines. `echo $?` prints
the status of the command before it. A block whose output cannot be the same on every
run (real threads racing, wall-clock figures, a file written for the next command) is
preceded by `<!-- unchecked: WHY -->`, and skipped.

Usage: readme_check.py THRDEMO FILE.md...   prints PASS:/FAIL: lines (tables.py style).
"""
import os
import re
import subprocess
import sys
import tempfile

ELLIPSIS = "..."


def blocks(path):
    """Yield (line number, lines, why unchecked or None) for each fenced block."""
    lines = open(path, encoding="utf-8").read().split("\n")
    i, unchecked = 0, None
    while i < len(lines):
        line = lines[i]
        m = re.match(r"<!-- unchecked: (.*) -->", line.strip())
        if m:
            unchecked = m.group(1)
        elif line.startswith("```"):
            start = i + 1
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                i += 1
            yield start, lines[start:i], unchecked
            unchecked = None
        elif line.strip():
            unchecked = None
        i += 1


def commands(block):
    """The block's (command, expected lines) pairs; none if it shows no `$ ` line."""
    out = []
    for line in block:
        if line.startswith("$ "):
            out.append((line[2:], []))
        elif out:
            out[-1][1].append(line)
    return out


def matches(want, got):
    """Whether got is want, a `...` line in want matching any run of lines."""
    if not want:
        return not got
    if want[0] == ELLIPSIS:
        return any(matches(want[1:], got[k:]) for k in range(len(got) + 1))
    return bool(got) and got[0] == want[0] and matches(want[1:], got[1:])


def normal(text):
    """`scripts/thrdemo` is thrdemo: one name for it on both sides."""
    return re.sub(r"(?<![\w/])scripts/thrdemo\b", "thrdemo", text)


def main():
    thrdemo, files = os.path.abspath(sys.argv[1]), sys.argv[2:]
    failed = 0
    with tempfile.TemporaryDirectory() as scratch:
        bindir = os.path.join(scratch, "bin")
        os.mkdir(bindir)
        os.symlink(thrdemo, os.path.join(bindir, "thrdemo"))
        env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""),
                   LC_ALL="C.UTF-8", NO_COLOR="1")
        for key in ("THRDEMO_SCALE", "THRDEMO_SEED"):
            env.pop(key, None)
        for path in files:
            name = os.path.relpath(path, os.path.dirname(os.path.dirname(path))
                                   if os.path.basename(os.path.dirname(path)) == "docs"
                                   else os.path.dirname(path))
            for line, block, unchecked in blocks(path):
                shown = commands(block)
                if not shown:
                    continue
                if unchecked:
                    print(f"# {name}:{line}: unchecked ({unchecked})")
                    continue
                status = 0
                for command, want in shown:
                    command = normal(command)
                    if command.strip() == "echo $?":
                        got = [str(status)]
                    else:
                        run = subprocess.run(["sh", "-c", command], cwd=scratch, env=env,
                                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                             stderr=subprocess.STDOUT, timeout=120)
                        status = run.returncode
                        got = run.stdout.decode("utf-8", "replace").split("\n")
                        if got and got[-1] == "":
                            got.pop()
                    want = [normal(w) for w in want]
                    while want and want[-1] == "":
                        want.pop()
                    what = f"{name}:{line}: $ {command}"
                    if matches(want, got):
                        print(f"PASS: {what}")
                    else:
                        failed += 1
                        print(f"FAIL: {what}: it prints something else")
                        for g in got[:40]:
                            print(f"  got: {g}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
