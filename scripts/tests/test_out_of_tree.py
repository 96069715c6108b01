# SPDX-License-Identifier: Apache-2.0
"""Tests for scripts/out_of_tree.py: output matching, running under a timeout, the checks on
the work directory and the commands it builds (no Zephyr build here)."""

import io
import re
import sys
import tempfile
import time
import unittest
from contextlib import redirect_stdout
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import out_of_tree as oot  # noqa: E402

PY = sys.executable


class MatcherTest(unittest.TestCase):
    def test_patterns_match_in_order(self):
        m = oot.Matcher([re.compile("a"), re.compile("b")])
        self.assertFalse(m.feed("b first does not count"))
        self.assertEqual(m.missing(), "a")
        self.assertFalse(m.feed("then a"))
        self.assertTrue(m.feed("and b"))
        self.assertIsNone(m.missing())

    def test_expected_file_skips_comments_and_blanks(self):
        with tempfile.TemporaryDirectory() as d:
            p = Path(d, "expected.txt")
            p.write_text("# comment\n\nfoo: \\d+ passed\n  # indented comment\nend\n")
            self.assertEqual([x.pattern for x in oot.load_expected(p)], ["foo: \\d+ passed", "end"])

    def test_every_app_has_expectations(self):
        apps = [p for p in oot.APPS_DIR.iterdir() if (p / "CMakeLists.txt").exists()]
        self.assertEqual(sorted(p.name for p in apps), ["erlang_app", "rust_app"])
        for app in apps:
            self.assertTrue(oot.load_expected(app / "expected.txt"), app)
            # Out of tree means nothing may point back into this repository.
            for f in app.rglob("*"):
                if f.is_file():
                    self.assertNotIn("../", f.read_text(errors="replace"), f)


class RunTest(unittest.TestCase):
    def test_stops_a_process_that_keeps_running_once_all_matched(self):
        # A child of the process (as qemu is of `west build -t run`) is stopped too.
        child = "import time; time.sleep(60)"
        script = (
            f"import subprocess, sys, time\nc = subprocess.Popen([sys.executable, '-c', {child!r}])\n"
            "print('one', c.pid, flush=True)\nprint('two', flush=True)\ntime.sleep(60)"
        )
        start = time.monotonic()
        ok, missing, out = oot.run_and_match([PY, "-c", script], [re.compile("one"), re.compile("two")], 30)
        self.assertTrue(ok)
        self.assertIsNone(missing)
        self.assertLess(time.monotonic() - start, 20)
        child_pid = int(out.split()[1])
        deadline = time.monotonic() + 10
        while Path(f"/proc/{child_pid}").exists() and b"Z" not in self.state(child_pid):
            self.assertLess(time.monotonic(), deadline, "the child kept running")
            time.sleep(0.1)

    @staticmethod
    def state(pid):
        try:
            return Path(f"/proc/{pid}/stat").read_bytes().split(b") ", 1)[1][:1]
        except (OSError, IndexError):
            return b"Z"

    def test_timeout_names_the_missing_line(self):
        script = "import time\nprint('one', flush=True)\ntime.sleep(60)"
        start = time.monotonic()
        ok, missing, out = oot.run_and_match([PY, "-c", script], [re.compile("one"), re.compile("two")], 2)
        self.assertFalse(ok)
        self.assertEqual(missing, "two")
        self.assertIn("one", out)
        self.assertLess(time.monotonic() - start, 20)

    def test_exit_before_all_lines_fails(self):
        ok, missing, _ = oot.run_and_match([PY, "-c", "print('one')"], [re.compile("one"), re.compile("x")], 30)
        self.assertFalse(ok)
        self.assertEqual(missing, "x")


class PathsAndCommandsTest(unittest.TestCase):
    def test_work_directory_must_be_outside(self):
        self.assertTrue(oot.is_outside("/elsewhere/x", "/home/user/atomvm-ports"))
        self.assertFalse(oot.is_outside("/home/user/atomvm-ports", "/home/user/atomvm-ports"))
        self.assertFalse(oot.is_outside("/home/user/atomvm-ports/build/x", "/home/user/atomvm-ports"))
        self.assertTrue(oot.is_outside("/home/user/atomvm-ports2", "/home/user/atomvm-ports"))

    def test_refuses_a_work_directory_inside_the_repository(self):
        out = io.StringIO()
        with redirect_stdout(out):
            rc = oot.main(["--workdir", str(oot.ROOT / "build" / "oot")])
        self.assertEqual(rc, 1)
        self.assertIn("must lie outside", out.getvalue())
        self.assertIn("out-of-tree: 0 passed, 1 failed", out.getvalue())
        self.assertFalse((oot.ROOT / "build" / "oot").exists())

    def test_commands(self):
        build = oot.build_command(Path("/w/app"), Path("/w/b"), "mps2/an385", Path("/m"))
        self.assertEqual(build[:2], ["west", "build"])
        self.assertIn("-DZEPHYR_EXTRA_MODULES=/m", build)
        self.assertEqual(build[build.index("-b") + 1], "mps2/an385")
        self.assertEqual(oot.run_command("/w/b", "native_sim/native/64"), ["/w/b/zephyr/zephyr.exe"])
        self.assertEqual(oot.run_command("/w/b", "mps2/an385")[-2:], ["-t", "run"])
        self.assertEqual(oot.board_slug("native_sim/native/64"), "native_sim_native_64")

    def test_only_takes_app_board_pairs(self):
        self.assertEqual(
            oot.parse_pairs(["erlang_app:mps2/an385", "rust_app:native_sim/native/64"]),
            [("erlang_app", "mps2/an385"), ("rust_app", "native_sim/native/64")],
        )
        for bad in ("erlang_app", "erlang_app:", ":mps2/an385"):
            with self.assertRaises(ValueError):
                oot.parse_pairs([bad])

    def test_a_malformed_pair_fails_before_building(self):
        out = io.StringIO()
        with redirect_stdout(out):
            rc = oot.main(["--only", "erlang_app"])
        self.assertEqual(rc, 1)
        self.assertIn("wants APP:BOARD", out.getvalue())


if __name__ == "__main__":
    unittest.main()
