# SPDX-License-Identifier: MIT
# whole_lines.py - run a Python program with print() writing each line whole.
#
# CPython's print() writes the text and the end as separate writes, so two threads
# printing at once can tear lines ("12join(timeout=0.25) ...", then an empty line),
# more often the busier the machine. thrdemo never tears a line (SCENARIOS.md), so
# a test that compares the two would fail on Python's account, on a loaded machine
# only (issue 11: test_join_timeout.sh, 5 runs in 50 beside two CPU hogs). Here
# print() takes one lock around the whole call; nothing else changes.
# Usage: python3 -u whole_lines.py PROGRAM [ARGS...]
import builtins, runpy, sys, threading

_print, _lock = builtins.print, threading.Lock()

def print(*args, **kwargs):
    with _lock:
        _print(*args, **kwargs)

builtins.print = print
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
