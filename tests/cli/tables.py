# SPDX-License-Identifier: MIT
"""Read thrdemo's command tables back from what it generates from them: the man page,
the --help texts and the shell completions. test_docs.sh checks that all of these
agree; test_cli_hostile.sh builds its bad command lines from the man page.

A table here is {command: {"kind": "scenario" | "command", "seed": str | None,
"variants": {variant (None for none): {"seed": str | None,
"options": {name: metavar (None for a flag)}}}}}.
"""
import os
import re
import subprocess

THRDEMO = os.environ.get("THRDEMO", "thrdemo")
OPTION = r"^ {%d}--([\w-]+)(?: (\S+))?(?: {2,}(.*)|$)"  # an option line, indented %d
TAG = re.compile(r'^\.(B|BI) "((?:[^"\\]|\\.)*)"(?: " ((?:[^"\\]|\\.)*)")?$')


def unroff(text):
    return text.replace("\\-", "-").replace("\\e", "\\").replace("\\&", "").replace("\\(->", "->")


def thrdemo(*args, env=None):
    """Run thrdemo; return (status, stdout, stderr) as text."""
    p = subprocess.run([THRDEMO, *args], capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL, env=env)
    return p.returncode, p.stdout, p.stderr


def read_man(text):
    """The man page's tables: (globals {name: metavar}, commands as above)."""
    globals_, commands = {}, {}
    section, command, variant, depth, in_python = None, None, None, 0, False
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(".SH "):
            section, command, variant, depth = line[4:], None, None, 0
            continue
        if line.startswith(".SS "):
            m = re.match(r"\.SS (\S+)(?: \(seed (\d+)\))?$", line)
            command = m.group(1)
            commands[command] = {"kind": "scenario" if section == "SCENARIOS" else "command",
                                 "seed": m.group(2), "variants": {}}
            variant, depth, in_python = None, 0, False
            continue
        if line == ".RS":
            depth += 1
        elif line == ".RE":
            depth -= 1
        elif line.startswith("Python \\(-> libthrdemo") or line.startswith("Every scenario"):
            in_python = True
        m = TAG.match(line)
        if not m or lines[i - 1] != ".TP":
            continue
        name, meta = unroff(m.group(2)), m.group(3) and unroff(m.group(3))
        if section == "GLOBAL OPTIONS" and name.startswith("--") and name != "--":
            if name not in ("--help", "--version"):
                globals_[name[2:]] = meta
        elif command and depth == 0 and not in_python:
            summary = unroff(lines[i + 1])
            seed = re.search(r" \(seed (\d+)\)\.$", summary)
            variant = None if name == command else name
            commands[command]["variants"][variant] = {
                "seed": seed.group(1) if seed else commands[command]["seed"], "options": {},
                "positional": meta}
        elif command and depth == 1 and not in_python and name.startswith("--"):
            commands[command]["variants"][variant]["options"][name[2:]] = meta
    return globals_, commands


def read_help(text):
    """A command's --help: {variant: {name: (metavar, default)}}, the options of every
    variant merged into each; and the examples {variant: words}."""
    variants, common, examples = {}, {}, {}
    section, current = None, None
    for line in text.splitlines():
        if re.match(r"^(Variants|Workloads) \(", line):
            section = "variants"
        elif line.startswith("Options"):
            section = "common"
        elif line and not line.startswith(" "):
            section = "example" if line == "Example:" else None
        elif section == "variants":
            m = re.match(r"^  (\S+)", line)
            if m and not line.startswith("  --") and not line.startswith("   "):
                current = m.group(1)
                variants[current] = {}
            m = re.match(OPTION % 4, line)
            if m:
                variants[current][m.group(1)] = (m.group(2), default_in(line))
            m = re.match(r"^    example: thrdemo (.*)$", line)
            if m:
                examples[current] = m.group(1)
        elif section == "common":
            m = re.match(OPTION % 2, line)
            if m:
                common[m.group(1)] = (m.group(2), default_in(line))
        elif section == "example" and line.startswith("  thrdemo "):
            examples[None] = line[len("  thrdemo "):]
    if not variants:
        variants[None] = {}
    for opts in variants.values():
        opts.update(common)
    return variants, examples


def default_in(line):
    m = re.search(r"\(default ([^;)]+)", line)
    return m.group(1) if m else None


def defaults(text):
    """{option: default} of a --help text, reading wrapped lines as one."""
    flat = re.sub(r"\n {20,}", " ", text)
    found = {}
    for line in flat.splitlines():
        m = re.match(r"^ +--([\w-]+)(?: \S+)? {2,}.*?\(default ([^;)]+)", line)
        if m:
            found.setdefault(m.group(1), set()).add(m.group(2))
    return found


def complete(shell, script, words):
    """What the completion script offers for words (the last one being completed)."""
    quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    if shell == "bash":
        code = (f"source '{script}'; COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; "
                "_thrdemo; printf '%s\\n' \"${COMPREPLY[@]}\"")
        out = subprocess.run(["bash", "-c", code], capture_output=True, text=True, timeout=30)
        return set(out.stdout.split())
    # zsh: compadd offers its words unfiltered; filter by the prefix as zsh would
    code = (f"compadd() {{ [[ $1 == -- ]] && shift; print -l -- \"$@\"; }}; "
            f"words=({quoted}); CURRENT={len(words)}; source '{script}'")
    out = subprocess.run(["zsh", "-f", "-c", code], capture_output=True, text=True, timeout=30)
    return {w for w in out.stdout.split() if w.startswith(words[-1])}
