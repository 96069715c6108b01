#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Build inputs of tests/atomvm_conformance: AtomVM's own Erlang test suite, on Zephyr.

Nothing of AtomVM is copied into this repository: everything is read from an AtomVM
checkout at build time.

    atomvm_conformance.py sources --atomvm DIR
        Print the files the build reads (one per line), for CMake's DEPENDS.

    atomvm_conformance.py table --atomvm DIR --skips skips.yaml --board BOARD
                          [--define NAME]... --long-bits 32|64 -o OUT.c
        Parse the `tests[]` table of AtomVM's tests/test.c (TEST_CASE, TEST_CASE_EXPECTED,
        TEST_CASE_ATOMVM_ONLY, TEST_CASE_COND and the #if blocks around them), evaluate its
        skip conditions for this build (the macros in --define are the defined ones, long
        is --long-bits wide), apply skips.yaml, and write the C table the runner reads.
        Every test that upstream's conditions skip here must be listed in skips.yaml with a
        reason; the generated C asserts at compile time that the compiler evaluates each
        condition as this script did.

    atomvm_conformance.py build --atomvm DIR --out DIR --packer avm_pack.py [--erlc E]
                          [--escript E] [--python P]
        Compile tests/erlang_tests the way AtomVM's tests/erlang_tests/CMakeLists.txt does
        (the modules it lists, erlc -DAVM_DISABLE_JIT, assembler modules from their .S,
        code_load's module, its .avm and the .hrl files made from them by to_hrl.erl), all
        .erl in one erlc run, and pack every module into OUT/conformance.avm.

skips.yaml: `skips:` is a list of {test: NAME, reason: TEXT, boards: [BOARD...]}; without
`boards` the skip applies to every board; with `otp_below: N` only when the build host's
Erlang/OTP is older than N (such a test's module is then not compiled either). `runs:` (same shape) lists the tests that test.c's
conditions would skip on our build but that run here anyway, each with why. `ci_excludes:`
(same shape) are run by hand but left out of CI's run (its time budget) by the harness.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path


class ConformanceError(Exception):
    """A problem with the inputs, reported as one line."""


# --------------------------------------------------------------------------- test.c's table


@dataclass
class TestCase:
    name: str
    expected: str  # a C expression, copied as is
    cond: str | None  # TEST_CASE_COND's skip expression (C), if any
    guards: tuple[str, ...]  # the #if / #ifdef conditions (C) the entry sits in
    atomvm_only: bool


_MACRO = re.compile(r"\b(TEST_CASE(?:_EXPECTED|_ATOMVM_ONLY|_COND)?)\s*\(")


def _strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _split_args(s):
    """Split a macro's argument text at top-level commas."""
    args, depth, cur = [], 0, ""
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            args.append(cur.strip())
            cur = ""
        else:
            cur += ch
    args.append(cur.strip())
    return args


def parse_test_table(text):
    """The entries of `struct Test tests[] = { ... };` in test.c, in order."""
    text = _strip_comments(text)
    m = re.search(r"struct\s+Test\s+tests\s*\[\s*\]\s*=\s*\{", text)
    if not m:
        raise ConformanceError("no `struct Test tests[] = {` in test.c")
    body_start = m.end()
    end = text.find("\n};", body_start)
    if end < 0:
        raise ConformanceError("the tests[] table of test.c does not end with `};`")
    cases = []
    guards = []  # a stack of (condition, in_else)
    for raw in text[body_start:end].split("\n"):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            directive = re.match(r"#\s*(\w+)\s*(.*)", line)
            word, rest = directive.group(1), directive.group(2).strip()
            if word == "if":
                guards.append(rest)
            elif word == "ifdef":
                guards.append(f"defined {rest}")
            elif word == "ifndef":
                guards.append(f"!defined {rest}")
            elif word == "else":
                if not guards:
                    raise ConformanceError("#else without #if in tests[]")
                guards[-1] = f"!({guards[-1]})"
            elif word == "elif":
                if not guards:
                    raise ConformanceError("#elif without #if in tests[]")
                guards[-1] = f"!({guards[-1]}) && ({rest})"
            elif word == "endif":
                if not guards:
                    raise ConformanceError("#endif without #if in tests[]")
                guards.pop()
            else:
                raise ConformanceError(f"unexpected #{word} in tests[]")
            continue
        for mm in _MACRO.finditer(line):
            depth, i = 1, mm.end()
            while i < len(line) and depth:
                depth += {"(": 1, ")": -1}.get(line[i], 0)
                i += 1
            if depth:
                raise ConformanceError(f"unbalanced parentheses in tests[]: {line}")
            args = _split_args(line[mm.end() : i - 1])
            kind = mm.group(1)
            want = {"TEST_CASE": 1, "TEST_CASE_EXPECTED": 2, "TEST_CASE_ATOMVM_ONLY": 2, "TEST_CASE_COND": 3}[kind]
            if len(args) != want:
                raise ConformanceError(f"{kind} takes {want} arguments: {line}")
            if not re.fullmatch(r"\w+", args[0]):
                raise ConformanceError(f"not a module name in tests[]: {args[0]}")
            cases.append(
                TestCase(
                    name=args[0],
                    expected=args[1] if want > 1 else "0",
                    cond=args[2] if kind == "TEST_CASE_COND" else None,
                    guards=tuple(guards),
                    atomvm_only=kind == "TEST_CASE_ATOMVM_ONLY",
                )
            )
    if guards:
        raise ConformanceError("#if without #endif in tests[]")
    names = [c.name for c in cases]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConformanceError(f"tests listed twice in tests[]: {', '.join(dupes)}")
    return cases


# Macros test.c defines from the build's: SKIP_SMP is true without SMP, SKIP_STACKTRACES
# without stack traces.
def _known_macros(defines, long_bits):
    return {
        "SKIP_SMP": "AVM_NO_SMP" in defines,
        "SKIP_STACKTRACES": "AVM_CREATE_STACKTRACES" not in defines,
        "LONG_MAX": (1 << (long_bits - 1)) - 1,
    }


_TOKEN = re.compile(r"\s*(?:(\d+)[uUlL]*|(\w+)|(&&|\|\||==|!=|<=|>=|[!()<>+\-*]))")


def eval_condition(expr, defines, long_bits):
    """Evaluate a preprocessor-style condition of test.c for this build.

    Understands integers, `defined X` / `defined(X)`, SKIP_SMP, SKIP_STACKTRACES, LONG_MAX,
    ! && || == != < > <= >= + - * and parentheses. Any other identifier is an error, so a
    new upstream condition is noticed instead of silently taken as false.
    """
    known = _known_macros(defines, long_bits)
    out, pos = [], 0
    tokens = []
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if not m or m.end() == pos:
            if expr[pos:].strip() == "":
                break
            raise ConformanceError(f"cannot evaluate condition `{expr}`")
        tokens.append(m.groups())
        pos = m.end()
    i = 0
    while i < len(tokens):
        num, ident, op = tokens[i]
        if num is not None:
            out.append(num)
        elif ident == "defined":
            j = i + 1
            paren = j < len(tokens) and tokens[j][2] == "("
            if paren:
                j += 1
            if j >= len(tokens) or tokens[j][1] is None:
                raise ConformanceError(f"`defined` without a name in `{expr}`")
            out.append(str(tokens[j][1] in defines))
            if paren:
                j += 1
                if j >= len(tokens) or tokens[j][2] != ")":
                    raise ConformanceError(f"unbalanced `defined(` in `{expr}`")
            i = j
        elif ident is not None:
            if ident not in known:
                raise ConformanceError(f"unknown macro {ident} in condition `{expr}`")
            out.append(str(known[ident]))
        else:
            out.append({"&&": "and", "||": "or", "!": "not"}.get(op, op))
        i += 1
    try:
        return bool(eval(" ".join(out), {"__builtins__": {}}, {}))  # noqa: S307 - tokens checked
    except SyntaxError as e:
        raise ConformanceError(f"cannot evaluate condition `{expr}`: {e}") from None


# --------------------------------------------------------------------------- skips.yaml


def otp_release(erl="erl"):
    """The build host's Erlang/OTP release, as an int (26)."""
    r = subprocess.run([erl, "-noshell", "-eval", "io:put_chars(erlang:system_info(otp_release)), halt()."],
                       capture_output=True, text=True)
    if r.returncode != 0 or not r.stdout.strip().isdigit():
        raise ConformanceError(f"cannot ask {erl} for its OTP release: {r.stderr.strip()}")
    return int(r.stdout.strip())


def load_skips(path, board, otp):
    """({test: reason} of the skips, {test: reason} of the runs, every test named), for
    skips.yaml's entries that apply to `board`."""
    import yaml  # Zephyr's Python requirements have PyYAML

    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f) or {}
    skips, names = _entries(doc, "skips", path, board, otp)
    runs, run_names = _entries(doc, "runs", path, board, otp)
    # ci_excludes (same shape): run by hand, left out of CI's run by the harness.
    _, ci_names = _entries(doc, "ci_excludes", path, board, otp)
    both = sorted(set(skips) & set(runs))
    if both:
        raise ConformanceError(f"{path}: both skipped and run on {board}: {', '.join(both)}")
    return skips, runs, names + run_names + ci_names


def _entries(doc, key, path, board, otp):
    entries = doc.get(key) or []
    if not isinstance(entries, list):
        raise ConformanceError(f"{path}: `{key}` must be a list")
    out = {}
    for e in entries:
        if not isinstance(e, dict) or not isinstance(e.get("test"), str) or not e.get("reason"):
            raise ConformanceError(f"{path}: each skip needs `test` and `reason`: {e!r}")
        boards = e.get("boards")
        if boards is not None and not isinstance(boards, list):
            raise ConformanceError(f"{path}: `boards` of {e['test']} must be a list")
        otp_below = e.get("otp_below")
        if otp_below is not None and not isinstance(otp_below, int):
            raise ConformanceError(f"{path}: `otp_below` of {e['test']} must be an integer")
        if (boards is None or board in boards) and (otp_below is None or otp < otp_below):
            if e["test"] in out:
                raise ConformanceError(f"{path}: {e['test']} is listed twice for {board}")
            out[e["test"]] = str(e["reason"]).strip()
    return out, [e["test"] for e in entries]


@dataclass
class Planned:
    case: TestCase
    skip: str | None  # reason, when skipped


def plan(cases, skips, runs, all_skip_names, defines, long_bits, board):
    """Decide each test's fate on this board; errors on an unlisted upstream skip."""
    known = {c.name for c in cases}
    unknown = sorted(set(all_skip_names) - known)
    if unknown:
        raise ConformanceError(f"skips.yaml names tests that test.c does not have: {', '.join(unknown)}")
    planned, unlisted = [], []
    for c in cases:
        upstream = [g for g in c.guards if not eval_condition(g, defines, long_bits)]
        if c.cond is not None and eval_condition(c.cond, defines, long_bits):
            upstream.append(c.cond)
        if upstream and c.name not in skips and c.name not in runs:
            unlisted.append(f"{c.name} ({'; '.join(upstream)})")
        planned.append(Planned(c, skips.get(c.name)))
    if unlisted:
        raise ConformanceError(
            f"test.c skips these on {board}, add them to skips.yaml with a reason: " + ", ".join(unlisted)
        )
    return planned


def _c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_table(planned, defines, long_bits, board):
    lines = [
        "/* Generated by scripts/atomvm_conformance.py from AtomVM's tests/test.c and",
        f" * tests/atomvm_conformance/skips.yaml for {board}. Do not edit. */",
        "#include <limits.h>",
        "#include <stddef.h>",
        '#include "conformance.h"',
        "",
        "/* test.c's own condition macros. */",
        "#ifndef AVM_NO_SMP",
        "#define SKIP_SMP false",
        "#else",
        "#define SKIP_SMP true",
        "#endif",
        "#ifndef AVM_CREATE_STACKTRACES",
        "#define SKIP_STACKTRACES true",
        "#else",
        "#define SKIP_STACKTRACES false",
        "#endif",
        "",
        "/* The script evaluated test.c's conditions for this build; the compiler agrees. */",
    ]
    conds = []
    for p in planned:
        for g in p.case.guards:
            conds.append(g)
        if p.case.cond is not None:
            conds.append(p.case.cond)
    for c in dict.fromkeys(conds):
        value = int(eval_condition(c, defines, long_bits))
        lines.append(f"#if ({c}) != {value}")
        lines.append(f'#error "atomvm_conformance.py evaluated `{c}` as {value}, the compiler does not"')
        lines.append("#endif")
    lines += ["", "const struct conformance_test conformance_tests[] = {"]
    for p in planned:
        skip = _c_string(p.skip) if p.skip else "NULL"
        lines.append(f"\t{{{_c_string(p.case.name)}, (int32_t)({p.case.expected}), {skip}}},")
    lines += [
        "};",
        "const size_t conformance_tests_count = sizeof(conformance_tests) / sizeof(conformance_tests[0]);",
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- Erlang build


def test_modules(cmake_text):
    """(erlang modules, assembler modules) that tests/erlang_tests/CMakeLists.txt compiles."""
    text = re.sub(r"#[^\n]*", "", cmake_text)
    erl = re.findall(r"^\s*compile_erlang\(\s*(\w+)", text, flags=re.M)
    asm = re.findall(r"^\s*compile_assembler\(\s*(\w+)", text, flags=re.M)
    if not erl:
        raise ConformanceError("no compile_erlang() in tests/erlang_tests/CMakeLists.txt")
    return erl, asm


def _tests_dir(atomvm):
    d = Path(atomvm) / "tests" / "erlang_tests"
    if not (d / "CMakeLists.txt").is_file():
        raise ConformanceError(f"no AtomVM test suite at {d}")
    return d


def sources(atomvm):
    d = _tests_dir(atomvm)
    erl, asm = test_modules((d / "CMakeLists.txt").read_text())
    files = [d / "CMakeLists.txt", d / "code_load" / "export_test_module.erl", d / "to_hrl.erl"]
    files += [d / f"{m}.erl" for m in erl] + [d / f"{m}.S" for m in asm]
    files += sorted(d.glob("*.hrl"))
    files.append(Path(atomvm) / "tests" / "test.c")
    return files


def _run(cmd, cwd):
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        shown = " ".join(str(c) for c in cmd[:6]) + (" ..." if len(cmd) > 6 else "")
        raise ConformanceError(f"`{shown}` failed ({r.returncode}):\n{r.stdout}{r.stderr}")


def uncompilable(skips_path, otp):
    """Tests skipped because of the build host's OTP: their modules are not compiled."""
    import yaml

    with open(skips_path, encoding="utf-8") as f:
        doc = yaml.safe_load(f) or {}
    return {e["test"] for e in doc.get("skips") or [] if isinstance(e, dict)
            and isinstance(e.get("otp_below"), int) and otp < e["otp_below"]}


def build(atomvm, out, packer, erlc="erlc", escript="escript", python=sys.executable, leave_out=()):
    atomvm, out, packer = Path(atomvm).resolve(), Path(out).resolve(), Path(packer).resolve()
    d = _tests_dir(atomvm)
    erl, asm = test_modules((d / "CMakeLists.txt").read_text())
    erl = [m for m in erl if m not in leave_out]
    asm = [m for m in asm if m not in leave_out]
    out = Path(out)
    code_load = out / "code_load"
    (code_load / "beams").mkdir(parents=True, exist_ok=True)
    # code_load/CMakeLists.txt: export_test_module compiled like the other tests, its .beam
    # as an Erlang binary in a .hrl; the module also compiled +debug_info and packed
    # (pack_archive) into code_load_pack.avm, which goes into a .hrl as well.
    src = d / "code_load" / "export_test_module.erl"
    _run([erlc, "-DAVM_DISABLE_JIT", src], code_load)
    _run([escript, d / "to_hrl.erl", "export_test_module.beam", "EXPORT_TEST_MODULE_DATA",
          "export_test_module_data.hrl"], code_load)
    libs = Path(atomvm) / "libs"
    _run([erlc, "+debug_info", "-o", code_load / "beams", "-I", libs / "include", "-I", libs,
          "-I", d / "include", src], code_load)
    _run([python, packer, "create", "--lib", "code_load_pack.avm",
          code_load / "beams" / "export_test_module.beam"], code_load)
    _run([escript, d / "to_hrl.erl", "code_load_pack.avm", "CODE_LOAD_PACK_DATA",
          "code_load_pack_data.hrl"], code_load)
    # The tests: compile_erlang() runs `erlc -DAVM_DISABLE_JIT X.erl` in the build
    # directory (where code_load/*.hrl are found); compile_assembler() `erlc X.S`.
    # One erlc run for each kind: erl starts once instead of ~500 times.
    _run([erlc, "-DAVM_DISABLE_JIT", *[d / f"{m}.erl" for m in erl]], out)
    if asm:
        _run([erlc, *[d / f"{m}.S" for m in asm]], out)
    beams = [out / f"{m}.beam" for m in erl + asm]
    _run([python, packer, "create", "--lib", out / "conformance.avm", *beams], out)
    return out / "conformance.avm"


# --------------------------------------------------------------------------- command line


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sources")
    s.add_argument("--atomvm", required=True)
    t = sub.add_parser("table")
    t.add_argument("--atomvm", required=True)
    t.add_argument("--skips", required=True)
    t.add_argument("--board", required=True)
    t.add_argument("--define", action="append", default=[])
    t.add_argument("--long-bits", type=int, choices=(32, 64), required=True)
    t.add_argument("--erl", default="erl")
    t.add_argument("-o", "--output", required=True)
    b = sub.add_parser("build")
    b.add_argument("--atomvm", required=True)
    b.add_argument("--out", required=True)
    b.add_argument("--packer", required=True)
    b.add_argument("--erlc", default="erlc")
    b.add_argument("--escript", default="escript")
    b.add_argument("--python", default=sys.executable)
    b.add_argument("--skips", required=True)
    b.add_argument("--erl", default="erl")
    a = ap.parse_args(argv)
    try:
        if a.command == "sources":
            for f in sources(a.atomvm):
                print(f)
        elif a.command == "table":
            cases = parse_test_table((Path(a.atomvm) / "tests" / "test.c").read_text())
            erl, asm = test_modules((_tests_dir(a.atomvm) / "CMakeLists.txt").read_text())
            missing = sorted({c.name for c in cases} - set(erl) - set(asm))
            if missing:
                raise ConformanceError(f"test.c runs modules that the test build does not compile: {missing}")
            skips, runs, names = load_skips(a.skips, a.board, otp_release(a.erl))
            planned = plan(cases, skips, runs, names, set(a.define), a.long_bits, a.board)
            text = render_table(planned, set(a.define), a.long_bits, a.board)
            out = Path(a.output)
            out.parent.mkdir(parents=True, exist_ok=True)
            # Rewritten only when it changes, so that a reconfigure does not recompile.
            if not out.exists() or out.read_text() != text:
                with tempfile.NamedTemporaryFile("w", dir=out.parent, delete=False) as f:
                    f.write(text)
                os.replace(f.name, out)
        else:
            leave_out = uncompilable(a.skips, otp_release(a.erl))
            build(a.atomvm, a.out, a.packer, a.erlc, a.escript, a.python, leave_out)
    except (ConformanceError, OSError) as e:
        print(f"atomvm_conformance.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
