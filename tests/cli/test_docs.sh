#!/bin/sh
# SPDX-License-Identifier: MIT
# The views of the command tables agree (issue 12): `list`, --help, the man page and
# the bash and zsh completions name the same scenarios, variants and options (with
# the same values), every default and example there is one the parser takes, and
# --python prints each variant's program in examples/python. The man page and the
# completions checked are the build's own ($THRDEMO_DOCS), which must equal what the
# binary writes now.
. "$(dirname "$0")/lib.sh"

docs=${THRDEMO_DOCS:-}
if [ -z "$docs" ]; then
    docs=$work/docs
    mkdir -p "$docs"
    "$THRDEMO" --man >"$docs/thrdemo.1"
    "$THRDEMO" --completion bash >"$docs/thrdemo.bash"
    "$THRDEMO" --completion zsh >"$docs/_thrdemo"
fi
command -v zsh >/dev/null || { tap "# zsh missing: scripts/test.sh installs it"; exit 1; }

for f in thrdemo.1:--man thrdemo.bash:"--completion bash" _thrdemo:"--completion zsh"; do
    # shellcheck disable=SC2086 # the arguments are words
    run ${f#*:}
    expect_status 0 "thrdemo ${f#*:}"
    check "${f%%:*} is what thrdemo ${f#*:} writes" cmp -s "$docs/${f%%:*}" "$work/out"
done
if command -v groff >/dev/null; then
    groff -man -Tutf8 -ww -z "$docs/thrdemo.1" 2>"$work/err"
    check "the man page renders without a warning" test ! -s "$work/err"
fi
check "bash reads the bash completion" bash -n "$docs/thrdemo.bash"
check "zsh reads the zsh completion" zsh -n "$docs/_thrdemo"

py_status=0
THRDEMO_DOCS=$docs PYTHONPATH=$here python3 - "$examples" >"$work/report" 2>&1 <<'EOF' || py_status=$?
import os, re, shutil, sys, tempfile
from tables import thrdemo, read_man, read_help, defaults, complete

examples, docs = sys.argv[1], os.environ["THRDEMO_DOCS"]
failed = passed = 0

def check(what, ok, detail=""):
    global failed, passed
    if ok:
        passed += 1
        print(f"PASS: {what}")
    else:
        failed += 1
        print(f"FAIL: {what}" + (f": {detail}" if detail else ""))

def global_options_in_help(text):
    """The names in a command's --help section "Global options, before or after ..."."""
    section = re.search(r"^Global options, before or after .*\n((?:  .*\n?)*)", text, re.M)
    return set(re.findall(r"--([\w-]+)", section.group(1))) if section else set()

globals_, man = read_man(open(f"{docs}/thrdemo.1").read())
scenarios = {c for c, t in man.items() if t["kind"] == "scenario"}
tools = {c for c, t in man.items() if t["kind"] == "command"}

# thrdemo list: one line per scenario variant, with its seed
_, out, _ = thrdemo("list")
listed = {(l.split()[0], None if l.split()[1] == "-" else l.split()[1]): l.split()[2]
          for l in out.splitlines()}
in_man = {(c, v): t["seed"] for c in scenarios for v, t in man[c]["variants"].items()}
check("list = the man page's scenario variants and seeds", listed == in_man,
      f"{sorted(set(listed.items()) ^ set(in_man.items()))}")
check("list: threads ways comes from seed 001", listed.get(("threads", "ways")) == "001")

# thrdemo --help: the scenarios, the commands, the global options
_, top, _ = thrdemo("--help")
sections = re.split(r"\n(?=\S)", top)
def names(title):
    body = next(s for s in sections if s.startswith(title))
    return {m.group(1) for m in re.finditer(r"^  (\S+) ", body, re.M)}
check("--help's scenarios = the man page's", names("Scenarios") == scenarios,
      f"{names('Scenarios') ^ scenarios}")
check("--help's commands = the man page's", names("Commands") == tools, f"{names('Commands') ^ tools}")
top_globals = {m.group(1): m.group(2) for m in re.finditer(r"^  --([\w-]+)(?: (\S+))? ", top, re.M)
               if m.group(1) not in ("help", "version")}
check("--help's global options = the man page's", top_globals == globals_, f"{top_globals} {globals_}")
for shell, script in (("bash", "thrdemo.bash"), ("zsh", "_thrdemo")):
    script = f"{docs}/{script}"
    offered = complete(shell, script, ["thrdemo", ""])
    check(f"{shell}: thrdemo <TAB> offers every command", offered == scenarios | tools,
          f"{offered ^ (scenarios | tools)}")
    offered = complete(shell, script, ["thrdemo", "--"])
    want = {"--" + g for g in globals_} | {"--help", "--version"}
    check(f"{shell}: thrdemo --<TAB> offers the global options", offered == want, f"{offered ^ want}")

# every command: its variants and their options, in every view
for command, table in sorted(man.items()):
    if command in ("list", "help"):
        continue
    _, help_text, _ = thrdemo(command, "--help")
    in_help, examples_of = read_help(help_text)
    check(f"{command}: --help's variants = the man page's", set(in_help) == set(table["variants"]),
          f"{set(in_help) ^ set(table['variants'])}")
    named = [v for v in table["variants"] if v]
    for shell, script in (("bash", "thrdemo.bash"), ("zsh", "_thrdemo")):
        if named:
            offered = complete(shell, f"{docs}/{script}", ["thrdemo", command, ""])
            check(f"{shell}: {command} <TAB> offers its variants", offered == set(named),
                  f"{offered ^ set(named)}")
    help_defaults = defaults(help_text)
    for variant, vtable in table["variants"].items():
        where = f"{command} {variant or ''}".strip()
        opts = vtable["options"]
        helped = {k: v[0] for k, v in in_help.get(variant, {}).items()}
        check(f"{where}: --help's options = the man page's", helped == opts,
              f"help {helped} man {opts}")
        words = ["thrdemo", command] + ([variant] if variant else []) + ["--"]
        # a global option the command refuses is not offered (issue 24): asked of the
        # parser, with a value it would take
        vargs = [command] + ([variant] if variant else [])
        # --schedule is taken if any policy is (step takes only replay:)
        refused = {g for g, values in (("schedule", ("fifo", "replay:")), ("trace", ("t.json",)))
                   if all(thrdemo(*vargs, f"--{g}", v, "--help")[0] == 2 for v in values)}
        if "schedule" in refused:
            refused |= {"explain", "max-steps"}
        elif thrdemo(*vargs, "--schedule", "replay:", "--explain", "--help")[0] == 2:
            refused.add("explain")
        if "trace" in refused:
            refused |= {"timeline", "width", "ascii", "trace-limit"}
        if "schedule" in refused and thrdemo(*vargs, "--max-steps", "5", "--help")[0] == 0:
            refused.discard("max-steps")
        # a command that is not a scenario has no one result to predict
        if table["kind"] != "scenario" and thrdemo(*vargs, "--predict", "--help")[0] == 2:
            refused.add("predict")
        # --help lists the global options the command takes, not those it refuses
        listed = global_options_in_help(thrdemo(*vargs, "--help")[1])
        check(f"{where}: --help lists the global options it takes",
              listed == set(globals_) - refused, f"{listed ^ (set(globals_) - refused)}")
        for shell, script in (("bash", "thrdemo.bash"), ("zsh", "_thrdemo")):
            offered = complete(shell, f"{docs}/{script}", words)
            want = ({"--" + o for o in opts} | {"--" + g for g in set(globals_) - refused}
                    | {"--help"} | ({"--python"} if table["kind"] == "scenario" else set()))
            check(f"{shell}: {where} --<TAB> offers its options", offered == want,
                  f"{offered ^ want}")
        # the parser takes every option with the default the help shows
        for name, meta in opts.items():
            if name == "redis" and os.environ.get("THRDEMO_HAVE_HIREDIS") == "0":
                continue  # a build without hiredis refuses it, as test_redis_gate.sh checks
            args = [command] + ([variant] if variant else [])
            # an option without default: a value of its kind
            sample = {"ADDRESS": "127.0.0.1:6379", "N": "1", "S": "1", "LIST": "lock"}.get(meta, "x")
            values = sorted(help_defaults.get(name, set())) or ([None] if meta is None else [sample])
            for value in values:
                argv = args + [f"--{name}"] + ([value] if value is not None else []) + ["--help"]
                status, out, err = thrdemo(*argv)
                needs = re.search(r"it needs (--[\w-]+)", err)
                if status == 2 and needs:  # an option that goes with another: give both
                    argv = argv[:-1] + [needs.group(1), "--help"]
                    status, out, err = thrdemo(*argv)
                check(f"the parser takes: thrdemo {' '.join(argv)}", status == 0 and out == help_text,
                      err.strip())
        # the example runs through the parser as that very variant
        example = examples_of.get(variant)
        check(f"{where}: an example in --help", example is not None)
        if example:
            status, out, err = thrdemo(*example.split(), "--help")
            check(f"{where}: its example parses: {example}", status == 0, err.strip())
            check(f"{where}: its example is of it", example.split()[:len(words) - 2] == words[1:-1])
        if table["kind"] != "scenario":
            continue
        # --python: the variant's program, byte for byte, and it compiles
        name = "_".join([command] + ([variant] if variant else [])).replace("-", "_") + ".py"
        path = os.path.join(examples, name)
        status, out, err = thrdemo(*words[1:-1], "--python")
        check(f"{where} --python = examples/python/{name}",
              status == 0 and os.path.exists(path) and out == open(path, encoding="utf-8").read(), err)
        try:
            compile(open(path, encoding="utf-8").read(), path, "exec")
            check(f"{name} compiles", True)
        except (OSError, SyntaxError) as e:
            check(f"{name} compiles", False, str(e))

programs = {f for f in os.listdir(examples) if f.endswith(".py")}
wanted = {"_".join([c] + ([v] if v else [])).replace("-", "_") + ".py"
          for c in scenarios for v in man[c]["variants"]}
check("examples/python holds one program per scenario variant, no more", programs == wanted,
      f"{programs ^ wanted}")
sys.exit(1 if failed else 0)

# issue 24: explore completes the scenario it runs, and that scenario's words;
# --trace completes files, --schedule the policies
bash_script = f"{docs}/thrdemo.bash"
for shell, script in (("bash", bash_script), ("zsh", f"{docs}/_thrdemo")):
    offered = complete(shell, script, ["thrdemo", "explore", ""])
    check(f"{shell}: explore <TAB> offers the scenarios", offered == scenarios, f"{offered ^ scenarios}")
    offered = complete(shell, script, ["thrdemo", "explore", "event", ""])
    check(f"{shell}: explore event <TAB> offers event's variants",
          offered == {v for v in man["event"]["variants"] if v}, f"{offered}")
    offered = complete(shell, script, ["thrdemo", "explore", "lock-counter", "--"])
    lock = {"--" + o for o in man["lock-counter"]["variants"][None]["options"]}
    own = {"--" + o for o in man["explore"]["variants"][None]["options"]}
    check(f"{shell}: explore lock-counter --<TAB>: the scenario's options and explore's",
          lock - {"--explain"} <= offered and own <= offered, f"{(lock | own) - offered}")
    check(f"{shell}: explore lock-counter --<TAB>: not what explore refuses",
          not offered & {"--python", "--help", "--schedule", "--trace", "--timeline"}, f"{offered}")
    offered = complete(shell, script, ["thrdemo", "--schedule", ""])
    check(f"{shell}: --schedule <TAB> offers the policies",
          offered == {"fifo", "random:", "pct:", "replay:"}, f"{offered}")
    offered = complete(shell, script, ["thrdemo", "bench", "--"])
    check(f"{shell}: bench --<TAB>: not --schedule or --trace, which it refuses",
          not offered & {"--schedule", "--trace", "--python"}, f"{offered}")
files = tempfile.mkdtemp()
for name in ("run.json", "run2.json", "other.txt"):
    open(os.path.join(files, name), "w").close()
prefix = os.path.join(files, "run")
offered = complete("bash", bash_script, ["thrdemo", "event", "--trace", prefix])
check("bash: --trace <TAB> offers the files", offered == {prefix + ".json", prefix + "2.json"},
      f"{offered}")
shutil.rmtree(files)
EOF
tap_from_report "$work/report" "$py_status"

# Issue 24: the README and docs/ show what the commands they name print (the
# deadlock's wait-for report, the lessons, the charts): readme_check.py runs each.
src=$(cd "$here/../.." && pwd)
readme_status=0
python3 "$here/readme_check.py" "$THRDEMO" "$src/README.md" "$src"/docs/*.md \
    >"$work/readme" 2>&1 || readme_status=$?
tap_from_report "$work/readme" "$readme_status"
# Every public header is in the library reference's table; every docs/ page the
# README links to exists; Performance keeps its heading (scripts and issues name it).
for h in "$src"/lib/include/thrdemo/*.h; do
    grep -q "^| .*\`$(basename "$h")\`" "$src/docs/library.md" && pass ||
        fail "docs/library.md: no row for $(basename "$h")"
done
for page in $(grep -o '](docs/[a-z-]*\.md' "$src/README.md" | sed 's/^](//' | sort -u); do
    check "README links to $page, which exists" test -f "$src/$page"
done
check "docs/performance.md: the Performance heading" grep -q '^# Performance$' "$src/docs/performance.md"
# The lessons come before the reference: one per seed, each with what to run, what
# to look at and what to ask.
check "README: the lessons before the scenario reference" sh -c \
    "grep -n '^## ' '$src/README.md' | grep -B100 '^[0-9]*:## Scenarios' | grep -q ':## Lessons$'"
for seed in 000 001 002 003 004; do
    check "README: a lesson for seed $seed" grep -q "^### Lesson .*(seed $seed)" "$src/README.md"
done
check "README: each lesson says what to run, look at and ask" sh -c \
    "[ \$(grep -c '^\*\*Run\*\*' '$src/README.md') -ge 5 ] && [ \$(grep -c '^\*\*Look at\*\*' '$src/README.md') -ge 5 ] && [ \$(grep -c '^\*\*Ask the class:\*\*' '$src/README.md') -ge 5 ]"
check "README: Putting thrdemo on PATH, before the lessons" sh -c \
    "grep -n '^## ' '$src/README.md' | grep -A1 'Putting thrdemo on PATH' | grep -q ':## Lessons$'"
finish
