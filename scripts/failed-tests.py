#!/usr/bin/env python3
"""failed-tests.py TESTLOG SUITE...: the names of the tests that failed in a meson testlog.json.

Prints them space-separated when every failed test belongs to one of the given suites (those may
be retried), '-' when some other test failed (no retry), nothing when none failed.
"""
import json
import sys

path, suites = sys.argv[1], set(sys.argv[2:])
failed, others = [], []
for line in open(path):
    r = json.loads(line)
    if r.get("result") in ("OK", "EXPECTEDFAIL", "SKIP"):
        continue
    # "samtal:media / meeting" (or "samtal:unit+e2e / web-units"): suites, then the test's name.
    prefix, _, name = r["name"].partition(" / ")
    names = set(prefix.split(":", 1)[-1].split("+"))
    (failed if names & suites else others).append(name)
if others:
    print("-")
elif failed:
    print(" ".join(failed))
