#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Builds and runs the apps of tests/out_of_tree as a user's own repository would hold them.

Each app is copied to a temporary directory outside this repository, built with `west build`
for each board with this repository as ZEPHYR_EXTRA_MODULES, and run: native_sim's executable
directly, the QEMU boards with `west build -t run`, each under a timeout. What it prints must
match the app's expected.txt (regular expressions, in order). Ends with
"out-of-tree: N passed, N failed" (one count per app and board) and exits non-zero on any
failure.

Runs from anywhere inside a west workspace with ZEPHYR_BASE set (source the workspace's env);
west is run from the workspace's top directory (ZEPHYR_BASE/..).
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS_DIR = ROOT / "tests" / "out_of_tree"
BOARDS = ("native_sim/native/64", "mps2/an385")


def load_expected(path):
    """The ordered regular expressions of an expected.txt (blank lines and # comments skipped)."""
    patterns = []
    for line in Path(path).read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            patterns.append(re.compile(line.strip()))
    return patterns


class Matcher:
    """Feeds output lines against ordered patterns; `done` once every pattern has matched."""

    def __init__(self, patterns):
        self.patterns = list(patterns)
        self.next = 0

    def feed(self, line):
        if self.next < len(self.patterns) and self.patterns[self.next].search(line):
            self.next += 1
        return self.done

    @property
    def done(self):
        return self.next == len(self.patterns)

    def missing(self):
        return None if self.done else self.patterns[self.next].pattern


def is_outside(path, repo):
    """True when `path` is neither `repo` nor inside it (both resolved)."""
    path, repo = Path(path).resolve(), Path(repo).resolve()
    return path != repo and repo not in path.parents


def board_slug(board):
    return re.sub(r"[^A-Za-z0-9]+", "_", board)


def parse_pairs(specs):
    """`APP:BOARD` strings as (app, board) pairs; ValueError names a malformed one."""
    pairs = []
    for spec in specs:
        app, sep, board = spec.partition(":")
        if not sep or not app or not board:
            raise ValueError(f"--only wants APP:BOARD, got {spec!r}")
        pairs.append((app, board))
    return pairs


def build_command(app_dir, build_dir, board, module):
    return [
        "west", "build", "-p", "always", "-b", board, "-d", str(build_dir), str(app_dir),
        "--", f"-DZEPHYR_EXTRA_MODULES={module}",
    ]  # fmt: skip


def run_command(build_dir, board):
    if board.startswith("native_sim"):
        return [str(Path(build_dir) / "zephyr" / "zephyr.exe")]
    return ["west", "build", "-d", str(build_dir), "-t", "run"]


def run_and_match(cmd, patterns, timeout, cwd=None, log=None):
    """Runs `cmd` in its own process group until every pattern matched (then stops it), it
    exits, or `timeout` seconds pass. Returns (matched, missing pattern, output)."""
    matcher = Matcher(patterns)
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        text=True, errors="replace", start_new_session=True,
    )  # fmt: skip
    output = []

    def reader():
        for line in proc.stdout:
            output.append(line)
            if log:
                log.write(line)
            if matcher.feed(line):
                break

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    t.join(timeout)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    t.join(5)
    proc.stdout.close()
    return matcher.done, matcher.missing(), "".join(output)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--app", action="append", help="app folder under tests/out_of_tree (default: all)")
    ap.add_argument("--board", action="append", help=f"board (default: {', '.join(BOARDS)})")
    ap.add_argument(
        "--only", action="append", metavar="APP:BOARD",
        help="build and run just these app/board pairs (repeatable; overrides --app and --board)",
    )  # fmt: skip
    ap.add_argument("--module", default=str(ROOT), help="the module to build with (default: this checkout)")
    ap.add_argument("--workdir", help="where the copies and builds go (default: a new temporary directory)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--timeout", type=int, default=120, help="seconds an app may run (default 120)")
    args = ap.parse_args(argv)
    try:
        only = parse_pairs(args.only or [])
    except ValueError as e:
        print(f"out-of-tree: {e}")
        print("out-of-tree: 0 passed, 1 failed")
        return 1

    module = Path(args.module).resolve()
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="atomvm-ports-oot."))
    if not is_outside(work, module) or not is_outside(work, ROOT):
        print(f"out-of-tree: the work directory {work} must lie outside {module} and {ROOT}")
        print("out-of-tree: 0 passed, 1 failed")
        return 1
    zephyr_base = os.environ.get("ZEPHYR_BASE")
    if not zephyr_base or not shutil.which("west"):
        print("out-of-tree: needs west and ZEPHYR_BASE (source the workspace's env)")
        print("out-of-tree: 0 passed, 1 failed")
        return 1
    topdir = Path(zephyr_base).resolve().parent
    apps = args.app or sorted(p.name for p in APPS_DIR.iterdir() if (p / "CMakeLists.txt").exists())
    boards = args.board or list(BOARDS)
    pairs = only or [(a, b) for a in apps for b in boards]
    work.mkdir(parents=True, exist_ok=True)

    passed = failed = 0
    for app in dict.fromkeys(a for a, _ in pairs):
        src = APPS_DIR / app
        copy = work / app
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(src, copy, ignore=shutil.ignore_patterns("target", "build"))
        patterns = load_expected(copy / "expected.txt")
        for board in (b for a, b in pairs if a == app):
            build_dir = work / f"build-{app}-{board_slug(board)}"
            log_path = work / f"{app}-{board_slug(board)}.log"
            start = time.monotonic()
            with open(log_path, "w") as log:
                r = subprocess.run(
                    build_command(copy, build_dir, board, module), cwd=topdir, stdout=log,
                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                )  # fmt: skip
                built = time.monotonic() - start
                if r.returncode != 0:
                    ok, why = False, f"build failed (exit {r.returncode}), see {log_path}"
                else:
                    log.write("\n=== run\n")
                    log.flush()
                    ok, missing, _ = run_and_match(
                        run_command(build_dir, board), patterns, args.timeout, cwd=topdir, log=log
                    )
                    why = "" if ok else f"no line matching {missing!r} within {args.timeout} s, see {log_path}"
            total = time.monotonic() - start
            status = "PASS" if ok else "FAIL"
            print(f"out-of-tree {status} {app} on {board}: build {built:.0f} s, total {total:.0f} s {why}".rstrip())
            passed, failed = passed + ok, failed + (not ok)

    if not args.keep and failed == 0 and not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"out-of-tree: work directory kept: {work}")
    print(f"out-of-tree: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
