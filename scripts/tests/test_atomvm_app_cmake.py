# SPDX-License-Identifier: Apache-2.0
"""Tests for cmake/atomvm_app.cmake, without Zephyr (NO_EMBED).

Builds scripts/tests/cmake/ (two apps, estdlib and eavmlib from AtomVM's tree)
and checks the archives with the avmpack.c transcription of test_avm_pack.
Needs cmake, erlc and an AtomVM checkout: $ATOMVM_SOURCE_DIR, else the west
workspace's copy ($ZEPHYR_BASE/../modules/lib/atomvm, ~/zephyrproject/...).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS.parent))
sys.path.insert(0, str(TESTS))
import avm_pack  # noqa: E402
from test_avm_pack import AvmPackC  # noqa: E402

ATOMVM_APP = TESTS.parents[1] / "cmake" / "atomvm_app.cmake"


def atomvm_source_dir():
    candidates = [os.environ.get("ATOMVM_SOURCE_DIR")]
    if os.environ.get("ZEPHYR_BASE"):
        candidates.append(Path(os.environ["ZEPHYR_BASE"]).parent / "modules/lib/atomvm")
    candidates.append(Path.home() / "zephyrproject/modules/lib/atomvm")
    return next((Path(c) for c in candidates if c and (Path(c) / "libs/estdlib/src").is_dir()), None)


ATOMVM = atomvm_source_dir()
CMAKE = shutil.which("cmake")
GENERATOR = ["-G", "Ninja", f"-DCMAKE_MAKE_PROGRAM={shutil.which('ninja')}"] if shutil.which("ninja") else []


def lib_modules(lib):
    """The module list AtomVM's own build uses, parsed independently of our CMake."""
    text = (ATOMVM / "libs" / lib / "src" / "CMakeLists.txt").read_text()
    body = text.split("set(ERLANG_MODULES", 1)[1].split(")", 1)[0]
    return {line.split("#")[0].strip() for line in body.splitlines()} - {""}


@unittest.skipUnless(CMAKE and shutil.which("erlc"), "cmake or erlc not found")
@unittest.skipUnless(ATOMVM, "no AtomVM checkout: set ATOMVM_SOURCE_DIR")
class AtomvmAppTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="atomvm_app_test."))
        cls.build = cls.tmp / "build"
        cls.src = cls.tmp / "src"
        shutil.copytree(TESTS / "cmake", cls.src)  # a copy: test_rebuild_is_incremental touches sources
        cls.configure = subprocess.run(
            [CMAKE, "-S", cls.src, "-B", cls.build, *GENERATOR, f"-DATOMVM_PORTS_ROOT={ATOMVM_APP.parents[1]}"]
            + [f"-DATOMVM_SOURCE_DIR={ATOMVM}", "-DATOMVM_APP_USE_PACKBEAM=OFF"],
            capture_output=True,
            text=True,
        )
        cls.first = subprocess.run([CMAKE, "--build", cls.build], capture_output=True, text=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def setUp(self):
        self.assertEqual(self.configure.returncode, 0, self.configure.stdout + self.configure.stderr)
        self.assertEqual(self.first.returncode, 0, self.first.stdout + self.first.stderr)

    def sections(self, name):
        image = (self.build / name).read_bytes()
        return image, AvmPackC(image).fold()

    def test_demo_archive_has_app_then_libraries(self):
        image, sections = self.sections("demo.avm")
        names = [s[4] for s in sections]
        self.assertEqual(names[:2], ["demo.beam", "helper.beam"])
        expected = {"demo", "helper"} | lib_modules("estdlib") | lib_modules("eavmlib")
        self.assertEqual(sorted(names), sorted(f"{m}.beam" for m in expected))  # all, once each
        self.assertIn("console.beam", names)  # eavmlib
        self.assertIn("io_lib.beam", names)  # estdlib

    def test_start_flag_only_on_start_module(self):
        image, sections = self.sections("demo.avm")
        # helper, console, gen_event... export start/0 too; only START may carry the flag.
        self.assertEqual([s[4] for s in sections if s[3] & 1], ["demo.beam"])
        self.assertEqual(AvmPackC(image).find_section_by_flag(1, 1)[2], "demo.beam")
        self.assertTrue(all(s[3] & 2 for s in sections))

    def test_default_start_is_first_source(self):
        _, sections = self.sections("bare.avm")
        self.assertEqual([(s[4], s[3]) for s in sections], [("helper.beam", 3)])

    def test_mixed_sources_in_order_then_libraries(self):
        image, sections = self.sections("mixed.avm")
        names = [s[4] for s in sections]
        self.assertEqual(names[:5], ["mixed.beam", "scaler.beam", "pre.beam", "lib_a.beam", "lib_b.beam"])
        self.assertEqual(sorted(names[5:]), sorted(f"{m}.beam" for m in lib_modules("estdlib")))
        # lib.avm marked lib_a (start/0) as its entry point; START wins, as with PackBEAM.
        self.assertEqual([s[4] for s in sections if s[3] & 1], ["mixed.beam"])
        entries = {e.name: e for e in avm_pack.list_avm(self.build / "mixed.avm")}
        self.assertEqual(entries["scaler.beam"].module, "scaler")  # assembled, not copied
        self.assertEqual(entries["pre.beam"].data, avm_pack.parse_beam((self.build / "prebuilt/pre.beam").read_bytes(), "pre").data)

    def test_assembly_is_compiled_like_atomvms_tests(self):
        # erlc on the .S, as AtomVM's compile_assembler(): the module runs on OTP as well.
        beams = self.build / "atomvm_app" / "mixed"
        r = subprocess.run(
            ["erl", "-noshell", "-pa", beams, "-eval", "io:format(\"~p~n\", [{scaler:scale(5), scaler:scale(x)}]), halt()."],
            capture_output=True,
            text=True,
        )
        self.assertEqual(r.stdout.strip(), "{15,not_integer}", r.stderr)

    def test_library_archives_are_built_once_as_libraries(self):
        for lib in ("estdlib", "eavmlib"):
            entries = avm_pack.list_avm(self.build / "atomvm_libs" / f"{lib}.avm")
            self.assertEqual({e.module for e in entries}, lib_modules(lib))
            self.assertFalse([e.name for e in entries if e.flags & 1])

    def test_rebuild_is_incremental(self):
        demo, bare = self.build / "demo.avm", self.build / "bare.avm"
        estdlib = self.build / "atomvm_libs" / "estdlib.avm"
        mixed = self.build / "mixed.avm"
        before = {p: p.stat().st_mtime_ns for p in (demo, bare, estdlib, mixed)}
        r = subprocess.run([CMAKE, "--build", self.build], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertNotIn("Compiling", r.stdout)
        self.assertEqual(before, {p: p.stat().st_mtime_ns for p in before})

        os.utime(self.src / "demo.erl")
        r = subprocess.run([CMAKE, "--build", self.build], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertNotEqual(before[demo], demo.stat().st_mtime_ns)
        self.assertEqual(before[bare], bare.stat().st_mtime_ns)
        self.assertEqual(before[estdlib], estdlib.stat().st_mtime_ns)

        # A rebuilt prebuilt .beam repacks the app that takes it.
        os.utime(self.src / "prebuilt" / "pre.erl")
        r = subprocess.run([CMAKE, "--build", self.build], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertNotEqual(before[mixed], mixed.stat().st_mtime_ns)


@unittest.skipUnless(CMAKE, "cmake not found")
class AtomvmAppErrorTest(unittest.TestCase):
    """Configure-time mistakes end in one clear FATAL_ERROR."""

    def configure(self, call, *args, files=("a.erl",), build=False):
        with tempfile.TemporaryDirectory() as d:
            for f in files:  # start/0 returns the file's path: two files, two different modules
                Path(d, f).parent.mkdir(parents=True, exist_ok=True)
                Path(d, f).write_text(f"-module({Path(f).stem}).\n-export([start/0]).\nstart() -> '{f}'.\n")
            Path(d, "CMakeLists.txt").write_text(
                f"cmake_minimum_required(VERSION 3.20)\nproject(t NONE)\ninclude({ATOMVM_APP.as_posix()})\n{call}\n"
            )
            r = subprocess.run(
                [CMAKE, "-S", d, "-B", Path(d, "b"), *GENERATOR, "-DATOMVM_APP_USE_PACKBEAM=OFF", *args],
                capture_output=True,
                text=True,
            )
            if build:
                self.assertEqual(r.returncode, 0, r.stderr)
                r = subprocess.run([CMAKE, "--build", Path(d, "b")], capture_output=True, text=True)
                self.assertNotEqual(r.returncode, 0)
                return r.stdout
        self.assertNotEqual(r.returncode, 0)
        return r.stderr

    @unittest.skipUnless(shutil.which("erlc"), "erlc not found")
    def test_outside_zephyr_needs_no_embed(self):
        self.assertIn(
            "after find_package(Zephyr), or pass NO_EMBED", self.configure("atomvm_app(NAME a SOURCES a.erl)")
        )

    @unittest.skipUnless(shutil.which("erlc"), "erlc not found")
    def test_missing_source(self):
        self.assertIn("source not found", self.configure("atomvm_app(NAME a SOURCES nope.erl NO_EMBED)"))

    @unittest.skipUnless(shutil.which("erlc"), "erlc not found")
    def test_unknown_library(self):
        call = "atomvm_app(NAME a SOURCES a.erl LIBS nosuchlib NO_EMBED)"
        if ATOMVM:
            call = f'set(ATOMVM_SOURCE_DIR "{ATOMVM.as_posix()}")\n' + call
        self.assertRegex(self.configure(call), "no AtomVM library 'nosuchlib'|AtomVM sources not found")

    @unittest.skipUnless(shutil.which("erlc"), "erlc not found")
    def test_unsupported_extension(self):
        self.assertIn(
            "SOURCES takes .erl, .S, .beam and .avm files, got",
            self.configure("atomvm_app(NAME a SOURCES a.erl b.ex NO_EMBED)", files=("a.erl", "b.ex")),
        )

    @unittest.skipUnless(shutil.which("erlc"), "erlc not found")
    def test_missing_beam_and_avm(self):
        self.assertIn("source not found: ", self.configure("atomvm_app(NAME a SOURCES a.erl gone.beam NO_EMBED)"))
        self.assertIn("source not found: ", self.configure("atomvm_app(NAME a SOURCES a.erl gone.avm NO_EMBED)"))

    @unittest.skipUnless(shutil.which("erlc"), "erlc not found")
    def test_only_archives_need_start(self):
        self.assertIn(
            "SOURCES holds only .avm archives: name the module to start",
            self.configure("atomvm_app(NAME a SOURCES lib.avm NO_EMBED)", files=("lib.avm",)),
        )

    @unittest.skipUnless(shutil.which("erlc"), "erlc not found")
    def test_same_module_twice_by_file_name(self):
        call = "atomvm_app(NAME a SOURCES a.erl x/a.S NO_EMBED)"
        self.assertIn("two sources define module 'a'", self.configure(call, files=("a.erl", "x/a.S")))

    @unittest.skipUnless(shutil.which("erlc") and GENERATOR, "erlc or ninja not found")
    def test_same_module_in_an_archive_fails_the_build(self):
        # lib.avm, made by the build, holds another module `a`: found at build time only.
        call = f"""
add_custom_command(OUTPUT lib/a.beam
  COMMAND ${{CMAKE_COMMAND}} -E make_directory lib
  COMMAND erlc -o lib ${{CMAKE_CURRENT_SOURCE_DIR}}/x/a.erl DEPENDS x/a.erl)
add_custom_command(OUTPUT lib.avm
  COMMAND python3 {(ATOMVM_APP.parents[1] / "scripts/avm_pack.py").as_posix()} create --lib lib.avm lib/a.beam
  DEPENDS lib/a.beam)
atomvm_app(NAME app SOURCES a.erl ${{CMAKE_CURRENT_BINARY_DIR}}/lib.avm NO_EMBED)"""
        out = self.configure(call, files=("a.erl", "x/a.erl"), build=True)
        self.assertRegex(out, r"avm_pack.py: error: duplicate module a: in \S+/a.beam and in \S+/lib.avm")

    def test_bad_arguments(self):
        self.assertIn("NAME must be an identifier", self.configure('atomvm_app(NAME "a b" SOURCES a.erl NO_EMBED)'))
        self.assertIn("unexpected arguments: BOGUS", self.configure("atomvm_app(NAME a SOURCES a.erl NO_EMBED BOGUS)"))

    @unittest.skipUnless(GENERATOR, "ninja not found")  # make would not be found either
    def test_missing_erlc(self):
        # find_program() looks in PATH and in system directories: switch both off.
        no_search = ("-DCMAKE_FIND_USE_SYSTEM_ENVIRONMENT_PATH=OFF", "-DCMAKE_FIND_USE_CMAKE_SYSTEM_PATH=OFF")
        self.assertIn("erlc not found", self.configure("atomvm_app(NAME a SOURCES a.erl NO_EMBED)", *no_search))


if __name__ == "__main__":
    unittest.main()
