#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""AtomVM's test suite on generic_unix next to our Zephyr runs of it.

    atomvm_conformance_compare.py --atomvm ATOMVM_DIR --build BUILD_DIR
        [--zephyr LABEL=conformance_results.json]... [--markdown OUT.md] [--no-build]

Builds AtomVM's generic_unix port and its test-erlang from the AtomVM checkout, with
AtomVM's own CMake, in BUILD_DIR (outside this repository); runs test-erlang once per test
of tests/test.c (so that a crash or a hang, under --timeout, costs only that test); then
prints each test's result on generic_unix beside those of the Zephyr runs, read from the
conformance_results.json files that tests/atomvm_conformance's harness writes into twister's
build directories (e.g. twister-out/native_sim_native_64/.../conformance_results.json).

generic_unix needs cmake, ninja, gperf, zlib and (for AtomVM's crypto tests) mbedTLS:
Debian: apt-get install cmake ninja-build gperf zlib1g-dev libmbedtls-dev erlang.

Test modules that the build host's erlc cannot compile (AtomVM wants a newer Erlang/OTP
for a few), and code_load's .avm (packed by PackBEAM, which AtomVM's build fetches from
hex.pm with rebar3) would stop AtomVM's test build: ninja builds everything else (-k 0),
test-erlang's own compile and link commands, taken from ninja, are run by hand, and the test
modules still missing are taken from `atomvm_conformance.py build` (the same erlc flags;
code_load_pack.avm packed by avm_pack.py), as the Zephyr runs use them. The modules filled
in that way are listed.
"""

import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import atomvm_conformance as ac  # noqa: E402


def build_generic_unix(atomvm, build, log, jobs):
    build.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as out:
        def run(cmd, check=True):
            out.write("$ " + " ".join(map(str, cmd)) + "\n")
            out.flush()
            r = subprocess.run(cmd, cwd=build, stdout=out, stderr=subprocess.STDOUT)
            if check and r.returncode != 0:
                raise ac.ConformanceError(f"`{' '.join(map(str, cmd))}` failed, see {log}")
            return r.returncode

        if not (build / "build.ninja").exists():
            run(["cmake", "-G", "Ninja", "-S", atomvm, "-B", build, "-DAVM_DISABLE_JIT=ON",
                 "-DCMAKE_BUILD_TYPE=RelWithDebInfo"])
        if run(["ninja", "-k", "0", "-j", str(jobs), "test-erlang"], check=False) != 0:
            # Some test module did not compile: build test-erlang itself from ninja's commands.
            cmds = subprocess.run(["ninja", "-t", "commands", "test-erlang"], cwd=build,
                                  capture_output=True, text=True, check=True).stdout.splitlines()
            own = [c for c in cmds if "test-erlang.dir/" in c]
            if not own:
                raise ac.ConformanceError(f"no commands for test-erlang in ninja's plan, see {log}")
            for c in own:
                run(["sh", "-c", c])
    exe = build / "tests" / "test-erlang"
    if not exe.exists():
        raise ac.ConformanceError(f"{exe} was not built, see {log}")
    return exe


def fill_missing_beams(atomvm, build, skips):
    """Copies into generic_unix's tests/erlang_tests the modules its build did not make."""
    tests = build / "tests" / "erlang_tests"
    erl, asm = ac.test_modules((atomvm / "tests" / "erlang_tests" / "CMakeLists.txt").read_text())
    code_load = ["code_load/export_test_module.beam", "code_load/code_load_pack.avm"]
    missing = [m for m in erl + asm if not (tests / f"{m}.beam").exists()]
    missing_files = [f for f in code_load if not (tests / f).exists()]
    if not missing and not missing_files:
        return []
    ours = build / "conformance_beams"
    packer = Path(__file__).resolve().parent / "avm_pack.py"
    ac.build(atomvm, ours, packer, leave_out=ac.uncompilable(skips, ac.otp_release()))
    filled = []
    # test_code_load_abs and test_add_avm_pack_file read these from the file system.
    for f in missing_files:
        (tests / f).parent.mkdir(parents=True, exist_ok=True)
        (tests / f).write_bytes((ours / f).read_bytes())
        filled.append(f)
    for m in missing:
        if (ours / f"{m}.beam").exists():
            (tests / f"{m}.beam").write_bytes((ours / f"{m}.beam").read_bytes())
            filled.append(m)
    return filled


def run_one(exe, name, timeout):
    if not (Path(exe).parent / "erlang_tests" / f"{name}.beam").exists():
        return "-", "module not compiled"
    try:
        r = subprocess.run([exe, name], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "FAIL", f"hung (over {timeout} s)"
    text = r.stdout + r.stderr
    if "Unknown test module" in text:
        return "-", "not in its table"
    if "SKIPPED" in text:
        return "SKIP", "test.c's condition"
    if r.returncode == 0:
        return "PASS", ""
    if r.returncode < 0:
        return "FAIL", f"crashed (signal {-r.returncode})"
    last = [ln for ln in text.splitlines() if ln.strip() and "FAILED" not in ln and "Failed:" not in ln]
    return "FAIL", (last[-1].strip() if last else f"exit {r.returncode}")[:120]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--atomvm", required=True, type=Path)
    ap.add_argument("--build", required=True, type=Path, help="generic_unix build directory")
    ap.add_argument("--zephyr", action="append", default=[], metavar="LABEL=JSON")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--jobs", type=int, default=2, help="tests run at once")
    ap.add_argument("--build-jobs", type=int, default=os.cpu_count() or 2, help="ninja -j")
    ap.add_argument("--no-build", action="store_true", help="use the test-erlang already built")
    ap.add_argument("--markdown", type=Path, help="write the whole table here")
    a = ap.parse_args(argv)
    try:
        atomvm, build = a.atomvm.resolve(), a.build.resolve()
        cases = ac.parse_test_table((atomvm / "tests" / "test.c").read_text())
        exe = build / "tests" / "test-erlang"
        if not a.no_build:
            exe = build_generic_unix(atomvm, build, build / "conformance_compare_build.log", a.build_jobs)
        skips = Path(__file__).resolve().parents[1] / "tests" / "atomvm_conformance" / "skips.yaml"
        filled = fill_missing_beams(atomvm, build, skips)
        columns = []
        for spec in a.zephyr:
            label, _, path = spec.partition("=")
            if not path:
                raise ac.ConformanceError(f"--zephyr wants LABEL=JSON, got {spec}")
            with open(path, encoding="utf-8") as f:
                columns.append((label, json.load(f)))
    except (ac.ConformanceError, OSError, ValueError) as e:
        print(f"atomvm_conformance_compare.py: {e}", file=sys.stderr)
        return 1

    with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        unix = dict(zip([c.name for c in cases],
                        pool.map(lambda c: run_one(exe, c.name, a.timeout), cases)))

    header = ["test", "generic_unix"] + [label for label, _ in columns]
    rows = []
    for c in cases:
        row = [c.name, unix[c.name][0]]
        for _, res in columns:
            row.append(res.get(c.name, {}).get("status", "-"))
        rows.append(row)

    def counts(i):
        col = [r[i] for r in rows]
        return f"{col.count('PASS')} passed, {col.count('FAIL')} failed, {col.count('SKIP')} skipped"

    def table(selected):
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(r) + " |" for r in selected]
        return "\n".join(lines)

    differing = [r for r in rows if len(set(r[1:])) > 1 or r[1] != "PASS"]
    summary = [f"- {h}: {counts(i)}" for i, h in enumerate(header) if i > 0]
    regressions = []
    for r in rows:
        for i, (label, res) in enumerate(columns, start=2):
            if r[1] == "PASS" and r[i] == "FAIL":
                regressions.append(f"- {r[0]} on {label}: {res[r[0]].get('detail', '')}")
    unix_fail = [f"- {r[0]}: {unix[r[0]][1]}" for r in rows if r[1] == "FAIL"]
    report = "\n".join(
        [f"AtomVM {subprocess.run(['git', '-C', atomvm, 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True).stdout.strip()}, "
         f"{len(rows)} tests in tests/test.c", ""] + summary
        + ["", "Tests whose results differ or that do not pass everywhere:", "", table(differing), "",
           "Passing on generic_unix, failing on Zephyr:", ""] + (regressions or ["- none"])
        + ["", "Failing on generic_unix:", ""] + (unix_fail or ["- none"])
        + ["", "Test modules that AtomVM's build did not make here, taken from atomvm_conformance.py build: "
           + (", ".join(filled) or "none")]
    )
    print(report)
    if a.markdown:
        a.markdown.write_text(report + "\n\nAll tests:\n\n" + table(rows) + "\n")
        print(f"\n(whole table: {a.markdown})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
