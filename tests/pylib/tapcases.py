# SPDX-License-Identifier: GPL-2.0-or-later
#
# TAP for the Python test drivers of tests/ (tests/can-udp/check.py,
# tests/can-server/check.py): results are collected while the cases run,
# each group of cases timed, and printed as TAP at the end, the
# diagnostics of a failure under it.

import sys
import time

results = []


def tap(ok, desc, *diag):
    """One test case: @ok true or false, @diag lines shown on failure"""
    results.append((ok, desc, [str(d) for d in diag]))


def skip(desc, why):
    results.append((None, desc, [why]))


def run(cases):
    """Run (name, function) @cases, those named on the command line or
    all; print the TAP; return the exit status"""
    only = sys.argv[1:]
    for name, fn in cases:
        if not only or name in only:
            t0 = time.monotonic()
            fn()
            print('# %s: %.1f s' % (name, time.monotonic() - t0), flush=True)
    print('1..%d' % len(results))
    bad = 0
    for i, (ok, desc, diag) in enumerate(results, 1):
        if ok is None:
            print('ok %d - %s # SKIP %s' % (i, desc, diag[0]))
            continue
        print('%s %d - %s' % ('ok' if ok else 'not ok', i, desc))
        if not ok:
            bad = 1
            for d in diag:
                print('# ' + d.replace('\n', '\n# '))
    return bad
