# SPDX-License-Identifier: Apache-2.0
"""Tests for scripts/atomvm_conformance.py: parsing AtomVM's tests/test.c table, evaluating
its conditions, the skip list, the generated C table and (when erlc is installed) the build
of a small suite laid out like AtomVM's tests/erlang_tests."""

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(SCRIPTS))
import atomvm_conformance as ac  # noqa: E402

TEST_C = textwrap.dedent(
    """\
    struct Test { const char *test_module; int32_t expected_value; bool skip_atom; bool skip_beam; };
    #define TEST_CASE(module) { #module, 0, false, false }
    struct Test tests[] = {
        TEST_CASE_EXPECTED(add, 17),
        TEST_CASE(selval), // a comment
        /* TEST_CASE(commented_out), */
        TEST_CASE_COND(prime_smp, 0, SKIP_SMP),
        TEST_CASE_EXPECTED(negative, -42),
        TEST_CASE_COND(plusone, 134217728, LONG_MAX != 9223372036854775807),
        TEST_CASE_ATOMVM_ONLY(hello_world, 10),
    #if defined ATOMVM_HAS_MBEDTLS
        TEST_CASE(test_crypto_strong_rand_bytes),
    #endif
    #ifdef AVM_CREATE_STACKTRACES
        TEST_CASE_EXPECTED(with_traces, 1),
    #else
        TEST_CASE_EXPECTED(without_traces, 2),
    #endif
        // TEST CRASHES HERE: TEST_CASE(memlimit),
        { NULL, 0, false, false }
    };
    static int test_atom(struct Test *test) { return 0; }
    """
)

DEFINES = {"AVM_NO_SMP", "AVM_CREATE_STACKTRACES"}


class ParseTest(unittest.TestCase):
    def test_entries_in_order_with_kinds_and_guards(self):
        cases = ac.parse_test_table(TEST_C)
        self.assertEqual(
            [c.name for c in cases],
            ["add", "selval", "prime_smp", "negative", "plusone", "hello_world",
             "test_crypto_strong_rand_bytes", "with_traces", "without_traces"],
        )
        by = {c.name: c for c in cases}
        self.assertEqual(by["add"].expected, "17")
        self.assertEqual(by["selval"].expected, "0")
        self.assertEqual(by["negative"].expected, "-42")
        self.assertEqual(by["prime_smp"].cond, "SKIP_SMP")
        self.assertEqual(by["plusone"].cond, "LONG_MAX != 9223372036854775807")
        self.assertTrue(by["hello_world"].atomvm_only)
        self.assertEqual(by["test_crypto_strong_rand_bytes"].guards, ("defined ATOMVM_HAS_MBEDTLS",))
        self.assertEqual(by["with_traces"].guards, ("defined AVM_CREATE_STACKTRACES",))
        self.assertEqual(by["without_traces"].guards, ("!(defined AVM_CREATE_STACKTRACES)",))
        self.assertEqual(by["add"].guards, ())

    def test_bad_tables_are_errors(self):
        with self.assertRaises(ac.ConformanceError):
            ac.parse_test_table("int x;")
        with self.assertRaises(ac.ConformanceError):
            ac.parse_test_table("struct Test tests[] = {\n#if X\n TEST_CASE(a),\n};\n")
        with self.assertRaises(ac.ConformanceError):
            ac.parse_test_table("struct Test tests[] = {\n TEST_CASE(a),\n TEST_CASE(a),\n};\n")
        with self.assertRaises(ac.ConformanceError):
            ac.parse_test_table("struct Test tests[] = {\n TEST_CASE_EXPECTED(a),\n};\n")

    def test_the_real_table_when_the_checkout_is_here(self):
        atomvm = Path.home() / "zephyrproject/modules/lib/atomvm"
        if not (atomvm / "tests/test.c").is_file():
            self.skipTest("no AtomVM checkout")
        cases = ac.parse_test_table((atomvm / "tests/test.c").read_text())
        names = {c.name for c in cases}
        self.assertIn("add", names)
        self.assertNotIn("memlimit", names)  # commented out upstream
        erl, asm = ac.test_modules((atomvm / "tests/erlang_tests/CMakeLists.txt").read_text())
        self.assertEqual(names - set(erl) - set(asm), set())
        self.assertIn("test_is_not_equal_asm", asm)


class ConditionTest(unittest.TestCase):
    def test_conditions(self):
        ev = ac.eval_condition
        self.assertTrue(ev("SKIP_SMP", DEFINES, 64))
        self.assertFalse(ev("SKIP_SMP", set(), 64))
        self.assertFalse(ev("SKIP_STACKTRACES", DEFINES, 64))
        self.assertTrue(ev("SKIP_STACKTRACES", set(), 64))
        self.assertFalse(ev("LONG_MAX != 9223372036854775807", DEFINES, 64))
        self.assertTrue(ev("LONG_MAX != 9223372036854775807", DEFINES, 32))
        self.assertFalse(ev("defined ATOMVM_HAS_MBEDTLS", DEFINES, 64))
        self.assertTrue(ev("defined(AVM_NO_SMP) && !defined X", DEFINES, 64))
        self.assertTrue(ev("!(defined ATOMVM_HAS_MBEDTLS) || 0", DEFINES, 64))

    def test_unknown_macros_are_errors(self):
        with self.assertRaises(ac.ConformanceError):
            ac.eval_condition("SOME_NEW_MACRO", DEFINES, 64)
        with self.assertRaises(ac.ConformanceError):
            ac.eval_condition("__import__('os')", DEFINES, 64)


class PlanTest(unittest.TestCase):
    def skips(self, text, board="b1", otp=25):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write(text)
        try:
            return ac.load_skips(f.name, board, otp)
        finally:
            os.unlink(f.name)

    FULL = (
        "skips:\n"
        "  - {test: prime_smp, reason: needs SMP}\n"
        "  - {test: plusone, reason: needs 64-bit long, boards: [b32]}\n"
        "  - {test: test_crypto_strong_rand_bytes, reason: needs mbedTLS}\n"
        "  - {test: without_traces, reason: traces are on}\n"
        "  - {test: selval, reason: new OTP only, otp_below: 26}\n"
    )

    def test_upstream_skips_must_be_listed(self):
        cases = ac.parse_test_table(TEST_C)
        skips, runs, names = self.skips("skips:\n  - {test: prime_smp, reason: needs SMP}\n")
        with self.assertRaisesRegex(ac.ConformanceError, "test_crypto_strong_rand_bytes"):
            ac.plan(cases, skips, runs, names, DEFINES, 64, "b1")

    def test_board_and_otp_applicability(self):
        cases = ac.parse_test_table(TEST_C)
        skips, runs, names = self.skips(self.FULL, "b32", otp=25)
        planned = {p.case.name: p.skip for p in ac.plan(cases, skips, runs, names, DEFINES, 32, "b32")}
        self.assertEqual(planned["plusone"], "needs 64-bit long")
        self.assertEqual(planned["selval"], "new OTP only")
        self.assertIsNone(planned["add"])
        # On a 64-bit board plusone runs; with OTP 26 selval runs.
        skips, runs, names = self.skips(self.FULL, "b64", otp=26)
        planned = {p.case.name: p.skip for p in ac.plan(cases, skips, runs, names, DEFINES, 64, "b64")}
        self.assertIsNone(planned["plusone"])
        self.assertIsNone(planned["selval"])
        # ...but on a 32-bit board that the list does not name, the upstream skip is unlisted.
        with self.assertRaisesRegex(ac.ConformanceError, "plusone"):
            ac.plan(cases, skips, runs, names, DEFINES, 32, "b64")

    def test_runs_override_upstream_conditions(self):
        cases = ac.parse_test_table(TEST_C)
        text = self.FULL.replace("  - {test: test_crypto_strong_rand_bytes, reason: needs mbedTLS}\n", "")
        text += "runs:\n  - {test: test_crypto_strong_rand_bytes, reason: ours has it}\n"
        skips, runs, names = self.skips(text)
        planned = {p.case.name: p.skip for p in ac.plan(cases, skips, runs, names, DEFINES, 64, "b1")}
        self.assertIsNone(planned["test_crypto_strong_rand_bytes"])

    def test_bad_skip_files(self):
        cases = ac.parse_test_table(TEST_C)
        for bad in ("skips:\n  - {test: add}\n", "skips: {test: add}\n",
                    "skips:\n  - {test: add, reason: r, boards: b1}\n",
                    "skips:\n  - {test: add, reason: r}\nruns:\n  - {test: add, reason: r}\n"):
            with self.subTest(bad=bad), self.assertRaises(ac.ConformanceError):
                self.skips(bad)
        skips, runs, names = self.skips(self.FULL + "  - {test: no_such_test, reason: r}\n")
        with self.assertRaisesRegex(ac.ConformanceError, "no_such_test"):
            ac.plan(cases, skips, runs, names, DEFINES, 64, "b1")

    def test_rendered_table(self):
        cases = ac.parse_test_table(TEST_C)
        skips, runs, names = self.skips(self.FULL)
        text = ac.render_table(ac.plan(cases, skips, runs, names, DEFINES, 64, "b1"), DEFINES, 64, "b1")
        self.assertIn('{"add", (int32_t)(17), NULL},', text)
        self.assertIn('{"negative", (int32_t)(-42), NULL},', text)
        self.assertIn('{"prime_smp", (int32_t)(0), "needs SMP"},', text)
        # The compiler re-checks each condition the script evaluated.
        self.assertIn("#if (SKIP_SMP) != 1\n#error", text)
        self.assertIn("#if (LONG_MAX != 9223372036854775807) != 0\n#error", text)

    @unittest.skipUnless(shutil.which("cc"), "no C compiler")
    def test_rendered_table_compiles_and_the_compiler_agrees(self):
        cases = ac.parse_test_table(TEST_C)
        skips, runs, names = self.skips(self.FULL)
        planned = ac.plan(cases, skips, runs, names, DEFINES, 64, "b1")
        text = ac.render_table(planned, DEFINES, 64, "b1")
        header = (SCRIPTS.parent / "tests/atomvm_conformance/src").resolve()
        with tempfile.TemporaryDirectory() as d:
            (Path(d) / "t.c").write_text("#include <stdbool.h>\n" + text)
            args = ["cc", "-c", "-I", str(header), "-o", os.devnull, str(Path(d) / "t.c")]
            ok = subprocess.run(args + ["-DAVM_NO_SMP", "-DAVM_CREATE_STACKTRACES"], capture_output=True)
            self.assertEqual(ok.returncode, 0, ok.stderr.decode())
            # Built without AVM_NO_SMP the table's assumption is wrong: the compiler says so.
            bad = subprocess.run(args + ["-DAVM_CREATE_STACKTRACES"], capture_output=True, text=True)
            self.assertNotEqual(bad.returncode, 0)
            self.assertIn("SKIP_SMP", bad.stderr)


@unittest.skipUnless(shutil.which("erlc") and shutil.which("escript"), "no Erlang/OTP")
class BuildTest(unittest.TestCase):
    def test_builds_a_suite_laid_out_like_atomvms(self):
        with tempfile.TemporaryDirectory() as d:
            atomvm = Path(d) / "atomvm"
            tests = atomvm / "tests/erlang_tests"
            (tests / "code_load").mkdir(parents=True)
            (atomvm / "libs/include").mkdir(parents=True)
            (tests / "CMakeLists.txt").write_text(
                "compile_erlang(uses_hrl)\n# compile_erlang(commented)\ncompile_erlang(broken)\n"
                "compile_assembler(asm_mod)\n")
            (tests / "to_hrl.erl").write_text(
                "%% escript skips the first line\n"
                "main([InFile, Name, OutFile]) ->\n"
                "    {ok, In} = file:read_file(InFile),\n"
                "    {ok, Out} = file:open(OutFile, [write]),\n"
                "    io:format(Out, \"-define(~s, ~w).\", [Name, In]).\n")
            (tests / "code_load/export_test_module.erl").write_text(
                "-module(export_test_module).\n-export([f/0]).\nf() -> 24.\n")
            (tests / "uses_hrl.erl").write_text(
                "-module(uses_hrl).\n-export([start/0]).\n"
                "-include(\"code_load/export_test_module_data.hrl\").\n"
                "-include(\"code_load/code_load_pack_data.hrl\").\n"
                "-ifdef(AVM_DISABLE_JIT).\nstart() -> byte_size(?EXPORT_TEST_MODULE_DATA) > 0 andalso"
                " byte_size(?CODE_LOAD_PACK_DATA) > 0.\n-endif.\n")
            (tests / "broken.erl").write_text("-module(broken).\nthis does not compile\n")
            # An assembler module, made from a real module with erlc -S.
            (Path(d) / "asm_mod.erl").write_text("-module(asm_mod).\n-export([start/0]).\nstart() -> 0.\n")
            subprocess.run(["erlc", "-S", "-o", str(tests), str(Path(d) / "asm_mod.erl")], check=True)
            out = Path(d) / "out"
            with self.assertRaisesRegex(ac.ConformanceError, "broken"):
                ac.build(atomvm, out, SCRIPTS / "avm_pack.py")
            avm = ac.build(atomvm, out, SCRIPTS / "avm_pack.py", leave_out={"broken"})
            listing = subprocess.run([sys.executable, str(SCRIPTS / "avm_pack.py"), "list", str(avm)],
                                     capture_output=True, text=True, check=True).stdout
            self.assertIn("uses_hrl.beam", listing)
            self.assertIn("asm_mod.beam", listing)
            self.assertNotIn("broken", listing)
            self.assertTrue((out / "code_load/code_load_pack.avm").is_file())


if __name__ == "__main__":
    unittest.main()


class CompareRunOneTest(unittest.TestCase):
    """How the generic_unix comparison reads one run of AtomVM's test-erlang."""

    def fake(self, body):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        (Path(d) / "erlang_tests").mkdir()
        for m in ("add", "prime_smp", "x"):
            (Path(d) / "erlang_tests" / f"{m}.beam").write_bytes(b"")
        exe = Path(d) / "test-erlang"
        exe.write_text("#!/bin/sh\n" + body + "\n")
        exe.chmod(0o755)
        return exe

    def test_verdicts(self):
        import atomvm_conformance_compare as cmp

        ok = self.fake('echo "$1:  OK" >&2; echo "Success." >&2; exit 0')
        self.assertEqual(cmp.run_one(ok, "add", 5), ("PASS", ""))
        skipped = self.fake('echo "$1:  SKIPPED" >&2; echo "Success." >&2; exit 0')
        self.assertEqual(cmp.run_one(skipped, "prime_smp", 5)[0], "SKIP")
        failed = self.fake('echo "Expected 17, got: 18" >&2; echo "$1: FAILED" >&2; echo "Failed: 1 tests." >&2; exit 1')
        self.assertEqual(cmp.run_one(failed, "add", 5), ("FAIL", "Expected 17, got: 18"))
        unknown = self.fake('echo "Unknown test module $1" >&2; exit 1')
        self.assertEqual(cmp.run_one(unknown, "x", 5)[0], "-")
        crashed = self.fake("kill -SEGV $$")
        self.assertEqual(cmp.run_one(crashed, "x", 5), ("FAIL", "crashed (signal 11)"))
        hung = self.fake("sleep 10")
        self.assertEqual(cmp.run_one(hung, "x", 0.5)[0], "FAIL")
        self.assertEqual(cmp.run_one(ok, "not_compiled", 5), ("-", "module not compiled"))
