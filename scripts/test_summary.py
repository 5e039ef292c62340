#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""scripts/test_summary.py: count what scripts/test.sh ran, from ctest's JUnit reports.

Every shell test (tests/cli, through lib.sh) and every cmocka file (with
CMOCKA_MESSAGE_OUTPUT=TAP) prints TAP: "ok N - what", "not ok N - what",
"ok N # SKIP why". Each such line counts as one check; a ctest test that prints no
TAP (the layering check, the C++ headers, the install checks) counts as one, by its
ctest status, and so does a test whose process failed although its TAP did not
(a sanitizer's exit status, a crash after the last check, a timeout).

Usage: test_summary.py SUITE=REPORT.xml ...   (exit 1 if anything failed)
"""
import re
import sys
import xml.etree.ElementTree as ET

TAP = re.compile(r"^(not )?ok\b")
SKIP = re.compile(r"#\s*SKIP\b", re.I)
PLAN_SKIP = re.compile(r"^1\.\.0\s*#\s*SKIP", re.I)


def count(report):
    """(passed, failed, skipped, tests, failures): failures names what failed."""
    passed = failed = skipped = 0
    failures = []
    root = ET.parse(report).getroot()
    cases = root.iter("testcase")
    n = 0
    for case in cases:
        n += 1
        name, status = case.get("name"), case.get("status")
        out = case.findtext("system-out") or ""
        lines = [l for l in out.splitlines() if TAP.match(l.strip())]
        if status == "notrun" or PLAN_SKIP.match(out.strip()):
            skipped += 1
            continue
        if not lines:
            if status == "fail":
                failed += 1
                failures.append(f"{name}")
            else:
                passed += 1
            continue
        bad = 0
        for line in lines:
            # cmocka writes a skipped case as "not ok N # SKIP": a skip all the same.
            if SKIP.search(line):
                skipped += 1
            elif TAP.match(line.strip()).group(1):
                bad += 1
                failures.append(f"{name}: {line.strip()}")
            else:
                passed += 1
        failed += bad
        if status == "fail" and bad == 0:
            failed += 1
            failures.append(f"{name}: the process failed after its checks passed "
                            "(exit status, crash, sanitizer or timeout)")
    return passed, failed, skipped, n, failures


def main(args):
    total = [0, 0, 0, 0]
    all_failures = []
    for arg in args:
        suite, _, report = arg.partition("=")
        try:
            p, f, s, n, failures = count(report)
        except (OSError, ET.ParseError) as e:
            print(f"{suite:8} no results ({e})")
            all_failures.append(f"{suite}: no results")
            total[1] += 1
            continue
        print(f"{suite:8} {p:6} passed {f:4} failed {s:4} skipped   ({n} ctest tests)")
        for i, v in enumerate((p, f, s, n)):
            total[i] += v
        all_failures += [f"{suite}: {x}" for x in failures]
    print(f"{'total':8} {total[0]:6} passed {total[1]:4} failed {total[2]:4} skipped   "
          f"({total[3]} ctest tests)")
    for failure in all_failures[:60]:
        print(f"  FAILED {failure}")
    return 1 if total[1] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
