# SPDX-License-Identifier: Apache-2.0
"""Tests for scripts/avm_pack.py.

Run from the repository root:  python3 -m unittest discover -s scripts/tests -v

Archives are checked by AvmPackC, a transcription of AtomVM's own reader
(src/libAtomVM/avmpack.c and scan_iff() in iff.c, AtomVM 7b28215), so a
passing test means AtomVM would find the same entries, not just that our
writer agrees with our reader.
"""

import contextlib
import io
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
import zlib
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(SCRIPTS))
import avm_pack  # noqa: E402

PACKER = SCRIPTS / "avm_pack.py"


# --- AtomVM's reader, transcribed ---------------------------------------------


class AvmPackC:
    """avmpack.c as Python, one statement per C statement where it matters.

    C reads the archive through `const uint32_t *`, so every word read must
    be 4-byte aligned (u32 asserts it), and ENDIAN_SWAP_32 on little-endian
    targets makes each read big-endian. strlen() running off the buffer would
    be a crash in C; here it raises.
    """

    AVMPACK_SIZE = 24
    HEADER = bytes.fromhex("23212f7573722f62696e2f656e762041746f6d564d0a0000")

    def __init__(self, buf):
        self.buf = buf

    def u32(self, offset):
        assert offset % 4 == 0, f"unaligned uint32_t read at {offset}"
        return struct.unpack_from(">I", self.buf, offset)[0]

    def cstr(self, offset):
        return self.buf[offset : self.buf.index(b"\0", offset)].decode()

    @staticmethod
    def pad(size):
        return ((size + 4 - 1) >> 2) << 2

    def is_valid(self, size):
        return size >= 24 and self.buf[: self.AVMPACK_SIZE] == self.HEADER

    def find_section_by_flag(self, flags_mask, flags_val):
        """-> (ptr, size, name) or None; `flags` is the *current* entry's in the while."""
        offset = self.AVMPACK_SIZE
        while True:
            sizes = offset
            flags = offset + 4
            if (self.u32(flags) & flags_mask) == flags_val:
                name = sizes + 12
                name_len = self.pad(len(self.cstr(name)) + 1)
                return name + name_len, self.u32(sizes), self.cstr(name)
            offset += self.u32(sizes)
            if not self.u32(flags):
                return None

    def find_section_by_name(self, wanted):
        offset = self.AVMPACK_SIZE
        while True:
            sizes = offset
            flags = offset + 4
            name = sizes + 12
            if self.cstr(name) == wanted:
                name_len = self.pad(len(self.cstr(name)) + 1)
                return name + name_len, self.u32(sizes)
            offset += self.u32(sizes)
            if not self.u32(flags):
                return None

    def fold(self):
        """avmpack_fold(): [(section_ptr, size, beam_ptr, flags, name)]."""
        out, offset = [], self.AVMPACK_SIZE
        while True:
            size = self.u32(offset)
            if size > 0:
                flags = self.u32(offset + 4)
                name = self.cstr(offset + 12)
                name_len = self.pad(len(name) + 1)
                out.append((offset, size, offset + 12 + name_len, flags, name))
                offset += size
            if not size > 0:
                return out

    def scan_iff(self, beam_ptr, buf_size):
        """iff.c scan_iff(): chunk name -> offset from the BEAM start."""
        iff_size = struct.unpack_from(">I", self.buf, beam_ptr + 4)[0]
        assert buf_size >= iff_size, "buffer holding IFF is smaller than IFF size"
        known = {"AtU8", "Code", "ExpT", "LocT", "LitT", "LitU", "ImpT", "FunT", "StrT", "Line", "avmN", "Type"}
        offsets, pos = {}, 12
        while True:
            name = self.buf[beam_ptr + pos : beam_ptr + pos + 4].decode("latin-1")
            size = self.u32(beam_ptr + pos + 4)
            if name in known:
                offsets[name] = pos
            pos += self.pad(size + 8)
            if not pos < iff_size:
                return offsets


# --- synthetic BEAM files -----------------------------------------------------

LITERALS = struct.pack(">II", 1, 6) + b"\x83k\x00\x02hi"  # one literal: "hi"


def chunk(cid, payload):
    return cid.encode() + struct.pack(">I", len(payload)) + payload + bytes(-len(payload) % 4)


def make_beam(module, exports=(), litt="zlib", extra=("Dbgi", "Docs", "CInf", "Attr", "Meta")):
    """A structurally valid BEAM as erlc lays it out; Code is opaque filler."""
    atoms = [module] + sorted({f for f, _ in exports})
    atu8 = struct.pack(">I", len(atoms)) + b"".join(bytes([len(a)]) + a.encode() for a in atoms)
    expt = struct.pack(">I", len(exports)) + b"".join(
        struct.pack(">III", atoms.index(f) + 1, arity, 2 + i) for i, (f, arity) in enumerate(exports)
    )
    chunks = [chunk("AtU8", atu8), chunk("Code", bytes(range(20))), chunk("StrT", b""), chunk("ImpT", b"\0" * 4)]
    chunks.append(chunk("ExpT", expt))
    if litt == "zlib":
        chunks.append(chunk("LitT", struct.pack(">I", len(LITERALS)) + zlib.compress(LITERALS)))
    elif litt == "raw":  # OTP 28
        chunks.append(chunk("LitT", b"\0\0\0\0" + LITERALS))
    chunks += [chunk("LocT", b"\0" * 4)] + [chunk(c, b"x" * 5) for c in extra] + [chunk("Line", b"\0" * 9)]
    body = b"BEAM" + b"".join(chunks)
    return b"FOR1" + struct.pack(">I", len(body)) + body


def beam_chunk_ids(beam):
    return [cid for cid, _ in avm_pack.beam_chunks(beam, "test")]


class PackerTestCase(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="avm_pack_test."))
        self.addCleanup(shutil.rmtree, self.dir)

    def write(self, name, data):
        path = self.dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return str(path)

    def beam(self, module, exports=(("start", 0),), **kw):
        return self.write(f"{module}.beam", make_beam(module, exports, **kw))

    def run_cli(self, *args):
        return subprocess.run([sys.executable, str(PACKER), *map(str, args)], capture_output=True, text=True)

    def create(self, *args):
        out = self.dir / "out.avm"
        r = self.run_cli("create", out, *args)
        self.assertEqual(r.returncode, 0, r.stderr)
        return out.read_bytes()

    def assertFails(self, message, *args):
        """The CLI exits 1 with a one-line error and leaves no output behind."""
        out = self.dir / "failed.avm"
        r = self.run_cli("create", out, *args)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertNotIn("Traceback", r.stderr)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        self.assertIn(message, r.stderr)
        self.assertFalse(out.exists() or Path(f"{out}.tmp").exists())


class FormatTest(PackerTestCase):
    def test_entry_header_matches_documented_example(self):
        # doc/src/packbeam-format.md: mylib.beam, 308 bytes, start flag, 1 byte of padding.
        entry = avm_pack.encode_entry("mylib.beam", 3, bytes(0x134 - 24))
        self.assertEqual(entry[:24], bytes.fromhex("00000134 00000003 00000000 6D796C69 622E6265 616D0000"))
        self.assertEqual(len(entry), 0x134)

    def test_end_marker_matches_documented_example(self):
        image = avm_pack.pack([])
        self.assertEqual(image[:24], AvmPackC.HEADER)
        self.assertEqual(image[24:], bytes.fromhex("00000000 00000000 00000000 656E6400"))

    def test_every_name_length_stays_aligned(self):
        # Names of 1..8 characters hit every padding case of header and data.
        paths = [self.beam("m" * n, exports=()) for n in range(1, 9)]
        image = self.create(*paths)
        self.assertEqual(len(image) % 4, 0)
        c = AvmPackC(image)
        sections = c.fold()  # u32() asserts alignment of every word AtomVM reads
        self.assertEqual([s[4] for s in sections], [f"{'m' * n}.beam" for n in range(1, 9)])
        for section, size, beam, _, _ in sections:
            self.assertEqual((section % 4, size % 4, beam % 4), (0, 0, 0))
            self.assertEqual(image[beam : beam + 4], b"FOR1")

    def test_round_trip_create_list(self):
        a, b = self.beam("alpha"), self.beam("beta", exports=(("run", 1),))
        self.create(a, b)
        r = self.run_cli("list", self.dir / "out.avm")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = [line.split("\t") for line in r.stdout.splitlines()]
        self.assertEqual([row[:3] for row in rows], [["alpha.beam", "0x3", "start,beam"], ["beta.beam", "0x2", "beam"]])
        entries = avm_pack.list_avm(self.dir / "out.avm")
        self.assertEqual([int(row[3]) for row in rows], [len(e.data) for e in entries])
        self.assertEqual(entries[0].data, avm_pack.parse_beam(make_beam("alpha", [("start", 0)]), "x").data)

    def test_beam_is_stripped_and_literals_uncompressed(self):
        image = self.create(self.beam("lit"))
        c = AvmPackC(image)
        ptr, size = c.find_section_by_name("lit.beam")
        offsets = c.scan_iff(ptr, size)
        for needed in ("AtU8", "Code", "ImpT", "ExpT", "LocT", "StrT", "LitU", "Line"):
            self.assertIn(needed, offsets)
        self.assertNotIn("LitT", offsets)
        beam = avm_pack.list_avm(self.dir / "out.avm")[0].data
        self.assertEqual(beam_chunk_ids(beam), ["AtU8", "Code", "StrT", "ImpT", "ExpT", "LitU", "LocT", "Line"])
        self.assertEqual(dict(avm_pack.beam_chunks(beam, "x"))["LitU"], LITERALS)

    def test_otp28_uncompressed_litt(self):
        beam = avm_pack.parse_beam(make_beam("m28", litt="raw"), "x").data
        self.assertEqual(dict(avm_pack.beam_chunks(beam, "x"))["LitU"], LITERALS)

    def test_otp28_long_atom_encoding(self):
        # Negative count: lengths in compact-term form (atom_table.c read_encoded_len()).
        module = "m" * 20  # 11-bit length form; "start" uses the 4-bit one
        atu8 = struct.pack(">i", -2) + bytes([0x08, 20]) + module.encode() + bytes([5 << 4]) + b"start"
        beam = make_beam(module, [("start", 0)])
        old_atu8 = dict(avm_pack.beam_chunks(beam, "x"))["AtU8"]
        beam = beam.replace(chunk("AtU8", old_atu8), chunk("AtU8", atu8))
        beam = beam[:4] + struct.pack(">I", len(beam) - 8) + beam[8:]
        entry = avm_pack.parse_beam(beam, "x")
        self.assertEqual((entry.name, entry.flags), (f"{module}.beam", 3))

    def test_remove_lines(self):
        image = self.create("--remove-lines", self.beam("nolines"))
        self.assertNotIn("Line", beam_chunk_ids(avm_pack.read_avm(image, "x")[0].data))


class StartFlagTest(PackerTestCase):
    def starts(self, image):
        return [name for _, _, _, flags, name in AvmPackC(image).fold() if flags & 1]

    def test_default_marks_modules_exporting_start_0(self):
        image = self.create(self.beam("lib", exports=(("start", 1),)), self.beam("app"))
        self.assertEqual(self.starts(image), ["app.beam"])
        ptr, _, name = AvmPackC(image).find_section_by_flag(1, 1)  # what every platform's main.c calls
        self.assertEqual((name, image[ptr : ptr + 4]), ("app.beam", b"FOR1"))

    def test_start_option_marks_only_that_module_and_puts_it_first(self):
        image = self.create(self.beam("one"), self.beam("two"), "--start", "two")
        self.assertEqual(self.starts(image), ["two.beam"])
        self.assertEqual([s[4] for s in AvmPackC(image).fold()], ["two.beam", "one.beam"])

    def test_lib_clears_start_flags(self):
        image = self.create("--lib", self.beam("one"), self.beam("two"))
        self.assertEqual(self.starts(image), [])
        self.assertIsNone(AvmPackC(image).find_section_by_flag(1, 1))
        self.assertEqual([s[3] for s in AvmPackC(image).fold()], [2, 2])


class AppendTest(PackerTestCase):
    def test_avm_entries_are_appended_verbatim(self):
        lib = self.dir / "lib.avm"
        self.assertEqual(self.run_cli("create", lib, self.beam("liba"), self.beam("libb")).returncode, 0)
        lib_entries = avm_pack.list_avm(lib)
        image = self.create(self.beam("app"), str(lib), "--start", "app")
        c = AvmPackC(image)
        self.assertEqual([s[4] for s in c.fold()], ["app.beam", "liba.beam", "libb.beam"])
        self.assertEqual([s[3] for s in c.fold()], [3, 2, 2])  # the library's start flags are cleared
        for e in lib_entries:
            ptr, size = c.find_section_by_name(e.name)
            self.assertEqual(image[ptr : ptr + len(e.data)], e.data)

    def test_start_module_may_come_from_an_avm(self):
        lib = self.dir / "lib.avm"
        self.run_cli("create", "--lib", lib, self.beam("boot"))
        image = self.create(self.beam("other", exports=()), str(lib), "-s", "boot")
        self.assertEqual(AvmPackC(image).find_section_by_flag(1, 1)[2], "boot.beam")

    def test_duplicate_module_is_an_error_naming_both_inputs(self):
        first = self.beam("dup")
        lib = self.dir / "lib.avm"
        other = self.write("elsewhere.beam", make_beam("dup", exports=(("other", 0),)))
        self.assertEqual(self.run_cli("create", "--lib", lib, self.beam("liba"), other).returncode, 0)
        self.assertFails(f"duplicate module dup: in {first} and in {lib} (rename or drop one)", first, lib)
        self.assertFails("duplicate module dup", first, other)

    def test_identical_duplicate_is_kept_once(self):
        dup = self.beam("dup")
        lib = self.dir / "lib.avm"
        self.assertEqual(self.run_cli("create", "--lib", lib, dup, self.beam("liba")).returncode, 0)
        image = self.create(dup, str(lib), "--start", "dup")
        self.assertEqual([s[4] for s in AvmPackC(image).fold()], ["dup.beam", "liba.beam"])

    def test_fallback_yields_and_goes_last(self):
        lib = self.dir / "lib.avm"
        other = self.write("elsewhere.beam", make_beam("dup", exports=(("other", 0),)))
        self.assertEqual(self.run_cli("create", "--lib", lib, other, self.beam("liba")).returncode, 0)
        mine = make_beam("dup", exports=(("start", 0),))
        image = self.create("--fallback", lib, self.write("dup.beam", mine), "--start", "dup", self.beam("app"))
        c = AvmPackC(image)
        self.assertEqual([s[4] for s in c.fold()], ["dup.beam", "app.beam", "liba.beam"])
        ptr, _ = c.find_section_by_name("dup.beam")
        self.assertEqual(image[ptr : ptr + 4], b"FOR1")
        self.assertEqual(avm_pack.list_avm(self.dir / "out.avm")[0].exports_start, True)  # ours, not lib's

    def test_fallbacks_among_themselves_keep_the_first(self):
        a = self.dir / "a.avm"
        b = self.dir / "b.avm"
        self.run_cli("create", "--lib", a, self.beam("x"))
        self.run_cli("create", "--lib", b, self.write("y/x.beam", make_beam("x", exports=(("other", 0),))))
        image = self.create(self.beam("app"), "-s", "app", "-f", a, "-f", b)
        self.assertEqual([s[4] for s in AvmPackC(image).fold()], ["app.beam", "x.beam"])

    def test_check_writes_nothing_and_fails_like_create(self):
        first, other = self.beam("dup"), self.write("o/dup.beam", make_beam("dup", exports=()))
        r = self.run_cli("check", "--start", "dup", first, self.beam("app"))
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        r = self.run_cli("check", "--start", "dup", first, other)
        self.assertEqual(r.returncode, 1)
        self.assertIn("duplicate module dup", r.stderr)
        self.assertEqual(sorted(p.name for p in self.dir.glob("*.avm")), [])


class ErrorTest(PackerTestCase):
    def test_missing_input(self):
        self.assertFails("cannot read", self.dir / "nope.beam")

    def test_not_a_beam(self):
        self.assertFails("neither a BEAM file nor an AVM archive", self.write("text.beam", b"hello\n"))

    def test_truncated_beam(self):
        self.assertFails("truncated BEAM", self.write("cut.beam", make_beam("cut")[:-10]))

    def test_chunk_past_end(self):
        beam = bytearray(make_beam("bad"))
        beam[16:20] = struct.pack(">I", 10_000)  # AtU8 size
        self.assertFails("runs past the end", self.write("bad.beam", bytes(beam)))

    def test_missing_chunk(self):
        body = b"BEAM" + chunk("AtU8", b"\0\0\0\1\3abc")
        beam = b"FOR1" + struct.pack(">I", len(body)) + body
        self.assertFails("missing BEAM chunk(s) Code, ImpT, ExpT", self.write("x.beam", beam))

    def test_corrupt_literals(self):
        compressed = zlib.compress(LITERALS)
        beam = make_beam("z").replace(compressed, compressed[:2] + b"\xff" * (len(compressed) - 2))
        self.assertFails("corrupt literal table", self.write("z.beam", beam))

    def test_bad_avm_header(self):
        self.assertFails("not an AVM file", self.write("bad.avm", b"#!/usr/bin/env AtomVX\n\0\0" + bytes(16)))

    def test_avm_without_end_marker(self):
        image = avm_pack.pack([avm_pack.parse_beam(make_beam("a"), "x")])
        self.assertFails("truncated", self.write("cut.avm", image[:-16]))

    def test_avm_entry_with_zero_flags(self):
        bad = avm_pack.AVM_HEADER + avm_pack.encode_entry("a.beam", 0, make_beam("a")) + bytes(12) + b"end\0"
        self.assertFails("flags 0", self.write("zero.avm", bad))

    def test_avm_entry_with_bad_size(self):
        entry = bytearray(avm_pack.encode_entry("a.beam", 2, make_beam("a")))
        entry[0:4] = struct.pack(">I", 18)
        self.assertFails("bad size", self.write("size.avm", avm_pack.AVM_HEADER + bytes(entry) + bytes(12) + b"end\0"))

    def test_unknown_start_module(self):
        self.assertFails("start module 'main' is not among the inputs", self.beam("app"), "--start", "main")

    def test_start_module_without_start_0(self):
        self.assertFails("does not export start/0", self.beam("app", exports=(("start", 1),)), "--start", "app")

    def test_start_and_lib(self):
        self.assertFails("mutually exclusive", self.beam("app"), "--start", "app", "--lib")

    def test_unwritable_output(self):
        r = self.run_cli("create", self.dir / "no" / "such" / "dir.avm", self.beam("app"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot write", r.stderr)

    def test_usage_errors_exit_2(self):
        for args in ((), ("frobnicate",), ("create",), ("create", "out.avm"), ("list",)):
            with self.subTest(args=args):
                r = self.run_cli(*args)
                self.assertEqual(r.returncode, 2)
                self.assertIn("usage:", r.stderr)
                self.assertNotIn("Traceback", r.stderr)

    def test_list_rejects_beam(self):
        r = self.run_cli("list", self.beam("app"))
        self.assertEqual((r.returncode, "Traceback" in r.stderr), (1, False))
        self.assertIn("not an AVM file", r.stderr)


@unittest.skipUnless(shutil.which("erlc") and shutil.which("erl"), "erlc/erl not found: Erlang/OTP is not installed")
class ErlcTest(PackerTestCase):
    """Real erlc output, packed and read back by AvmPackC and by OTP's beam_lib."""

    HELLO = """-module(hello).
-export([start/0]).
start() -> io:format("~p~n", [#{list => [1, 2, 3], bin => <<"literal">>, helper => helper:name()}]).
"""
    HELPER = """-module(helper).
-export([start/0, name/0]).
start() -> ok.
name() -> "helper".
"""

    def test_erlc_modules_pack_and_load(self):
        for name, text in (("hello.erl", self.HELLO), ("helper.erl", self.HELPER)):
            self.write(name, text.encode())
        subprocess.run(["erlc", "-o", self.dir, self.dir / "hello.erl", self.dir / "helper.erl"], check=True)
        original = dict(avm_pack.beam_chunks((self.dir / "hello.beam").read_bytes(), "hello"))
        self.assertIn("Dbgi", original)  # erlc always writes one; the packer must drop it

        image = self.create("--start", "hello", self.dir / "helper.beam", self.dir / "hello.beam")
        c = AvmPackC(image)
        self.assertTrue(c.is_valid(len(image)))
        ptr, size, name = c.find_section_by_flag(1, 1)
        self.assertEqual(name, "hello.beam")
        offsets = c.scan_iff(ptr, size)
        self.assertIn("LitU", offsets)
        self.assertNotIn("LitT", offsets)
        ptr, size = c.find_section_by_name("helper.beam")  # globalcontext_get_module()'s lookup
        self.assertEqual(image[ptr : ptr + 4], b"FOR1")

        # Literals survive decompression byte for byte.
        packed = dict(avm_pack.beam_chunks(avm_pack.list_avm(self.dir / "out.avm")[0].data, "x"))
        self.assertEqual(packed["LitU"], zlib.decompress(original["LitT"][4:]))

        # OTP's own reader accepts the stripped file and sees what we kept.
        for e in avm_pack.list_avm(self.dir / "out.avm"):
            self.write(f"packed_{e.name}", e.data)
        script = (
            '[begin {ok, M, Cs} = beam_lib:all_chunks(F), io:format("~s ~s~n", [M, [[I, $,] || {I, _} <- Cs]]) end'
            ' || F <- ["packed_hello.beam", "packed_helper.beam"]], halt().'
        )
        r = subprocess.run(["erl", "-noshell", "-eval", script], cwd=self.dir, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        for line in r.stdout.splitlines():
            module, ids = line.split(" ")
            self.assertIn(module, ("hello", "helper"))
            self.assertTrue(set(ids.strip(",").split(",")) <= set(avm_pack.KEPT_CHUNKS), ids)


class MainTest(unittest.TestCase):
    def test_main_is_callable_in_process(self):
        with tempfile.TemporaryDirectory() as d:
            beam = Path(d) / "m.beam"
            beam.write_bytes(make_beam("m", [("start", 0)]))
            out = Path(d) / "m.avm"
            self.assertEqual(avm_pack.main(["create", str(out), str(beam)]), 0)
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                self.assertEqual(avm_pack.main(["list", str(out)]), 0)
            self.assertTrue(buf.getvalue().startswith("m.beam\t0x3\tstart,beam\t"))
            self.assertFalse(os.path.exists(f"{out}.tmp"))


if __name__ == "__main__":
    unittest.main()
