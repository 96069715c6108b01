# SPDX-License-Identifier: Apache-2.0
"""Drives the conformance runner (src/main.c) through twister's pytest harness.

The board runs AtomVM's tests one after the other and prints a verdict for each. A test
that crashes the board (a fatal error, the process gone) or prints no verdict within the
per-test timeout is a failure: the board is restarted and told to go on from the next test.
The scenario fails when any test that runs fails. Every test's verdict also goes to
conformance_results.json in the build directory (scripts/atomvm_conformance_compare.py
reads it).
"""

import json
import logging
import os
import re
import time
from pathlib import Path

import yaml

from twister_harness import DeviceAdapter
from twister_harness.exceptions import TwisterHarnessException, TwisterHarnessTimeoutException

logger = logging.getLogger(__name__)

READY = re.compile(r"conformance: ready (\d+)")
RUN = re.compile(r"^RUN (\d+) (\w+)")
# Searched, not matched: a test's output without a final newline runs into the verdict.
VERDICT = re.compile(r"(PASS|FAIL|SKIP) (\w+)(?:: (.*)| \((\d+) ms\))?$")
CRASH = re.compile(r"FATAL ERROR|Halting system|Assertion failed|abort\(\)")
END = "runner: end"


def _lines(dut: DeviceAdapter, deadline: float):
    """Lines from the board until `deadline`; None when time is up or the board is gone."""
    while time.monotonic() < deadline:
        try:
            yield dut.readline(timeout=min(1.0, max(0.05, deadline - time.monotonic())))
        except TwisterHarnessTimeoutException:
            if not dut.is_device_running():
                yield None
                return
        except TwisterHarnessException:  # no connection and nothing left to read
            yield None
            return
    yield None


def ci_excludes():
    """The tests that CI's run leaves out (skips.yaml's `ci_excludes`, for its time budget)."""
    doc = yaml.safe_load((Path(__file__).resolve().parents[1] / "skips.yaml").read_text()) or {}
    return [e["test"] for e in doc.get("ci_excludes") or []]


def run_from(dut: DeviceAdapter, first: int, end: int, results: dict, names: dict, test_timeout: float,
             left_out=()):
    """Runs tests first..end-1 on a freshly started board.

    Returns (the next index to run, the number of tests in the board's table)."""
    count = None
    for line in _lines(dut, time.monotonic() + 60):
        if line is None:
            raise AssertionError("the board did not say `conformance: ready`")
        m = READY.search(line)
        if m:
            count = int(m.group(1))
            break
    end = min(end, count)
    dut.write(f"run {first} {end}{' ' + ','.join(left_out) if left_out else ''}\n".encode())
    current = None
    deadline = time.monotonic() + test_timeout
    last_output = []
    while True:
        line = next(_lines(dut, deadline))
        if line is None or CRASH.search(line):
            if current is None:
                raise AssertionError(f"the board stopped before running test {first}")
            index, name = current
            why = "hung (no verdict within %.0f s)" % test_timeout if line is None else "crashed: " + line.strip()
            tail = " | ".join(last_output[-3:])
            results[name] = ("FAIL", why + (f" (last output: {tail})" if tail else ""))
            logger.info("FAIL %s: %s", name, results[name][1])
            print(f"FAIL {name}: {results[name][1]}")
            return index + 1, count
        line = line.strip()
        m = RUN.match(line)
        if m:
            current = (int(m.group(1)), m.group(2))
            names[current[0]] = current[1]
            deadline = time.monotonic() + test_timeout
            last_output = []
            continue
        m = VERDICT.search(line)
        if m and current is not None and m.group(2) == current[1]:
            kind, name = m.group(1), m.group(2)
            results[name] = (kind, m.group(3) or (f"{m.group(4)} ms" if m.group(4) else ""))
            print(line)
            if current[0] + 1 >= end:
                # The runner's own summary follows; nothing else to wait for.
                return end, count
            continue
        if line == END:
            return end, count
        if line:
            last_output.append(line)


def kill(dut: DeviceAdapter):
    """Ends a hung native_sim process at once: it handles SIGTERM (the harness's way to
    close it) only when simulated time advances, which a busy VM thread can stop; the
    harness would then wait its whole base timeout before it kills."""
    proc = getattr(dut, "_process", None)
    if proc is not None and proc.poll() is None:
        proc.kill()
        proc.wait()


def test_conformance(dut: DeviceAdapter, request):
    # QEMU runs a Cortex-M3 far slower than native_sim runs the host CPU (bigint_stress takes
    # minutes there).
    option = "--conformance-qemu-test-timeout" if dut.device_config.type == "qemu" else "--conformance-test-timeout"
    test_timeout = float(request.config.getoption(option))
    subset = request.config.getoption("--conformance-subset")
    if subset == "auto":
        subset = "ci" if os.environ.get("CI") == "true" else "all"
    left_out = ci_excludes() if subset == "ci" else []
    print(f"subset: {subset}, per-test timeout {test_timeout:.0f} s, left out: {', '.join(left_out) or 'none'}")
    results: dict = {}
    names: dict = {}
    started = time.monotonic()
    # The board's table decides how many tests there are (it says so when it starts).
    first, end, launches = 0, 1 << 30, 1
    while True:
        if launches > 1:
            kill(dut)
            dut.launch()
        first, count = run_from(dut, first, end, results, names, test_timeout, left_out)
        if first >= min(count, end):
            break
        launches += 1
    passed = sorted(n for n, (k, _) in results.items() if k == "PASS")
    failed = sorted(n for n, (k, _) in results.items() if k == "FAIL")
    skipped = sorted(n for n, (k, _) in results.items() if k == "SKIP")
    out = dut.device_config.build_dir / "conformance_results.json"
    out.write_text(json.dumps({n: {"status": k, "detail": d} for n, (k, d) in results.items()}, indent=1))
    for n in failed:
        print(f"failed: {n}: {results[n][1]}")
    print(f"board restarts: {launches - 1}, {time.monotonic() - started:.1f} s")
    print(f"conformance: {len(passed)} passed, {len(failed)} failed, {len(skipped)} skipped")
    assert not failed, f"{len(failed)} of AtomVM's tests failed: {', '.join(failed)}"
    assert len(results) == count, f"{count - len(results)} tests got no verdict"
