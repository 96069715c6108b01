#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Pack BEAM files into an AtomVM .avm archive, without PackBEAM.

PackBEAM, AtomVM's usual packer, comes from hex.pm; this script lets a build
produce the same archives with nothing but Python 3 (which Zephyr already
needs). cmake/atomvm_app.cmake uses it only when no `packbeam` is on PATH.

    avm_pack.py create OUT.avm [--start MODULE] [--lib] [--remove-lines]
                       [--fallback INPUT]... INPUT...
    avm_pack.py check [--start MODULE] [--lib] [--fallback INPUT]... INPUT...
    avm_pack.py list FILE.avm

Inputs are .beam files and .avm archives; an archive's entries are merged
in, in its order, as PackBEAM does. A name (module) that two inputs both
hold is an error unless both hold the same bytes (kept once): AtomVM would
silently run whichever comes first. --fallback inputs (a build's library
archives, default port modules) go after all others and yield silently to
any entry of the same name. `check` does everything `create` does but
writing, for builds that pack with PackBEAM.

The format is the one AtomVM reads (doc/src/packbeam-format.md and
src/libAtomVM/avmpack.c at AtomVM 7b28215):

* a 24-byte header, "#!/usr/bin/env AtomVM\\n" and two NUL bytes;
* entries, each a header of three big-endian u32 (size, flags, reserved=0)
  then the NUL-terminated name padded to 4 bytes, then the data padded to
  4 bytes. `size` covers the whole entry, header included: avmpack.c moves
  to the next entry with `offset += size`;
* an end entry: size 0, flags 0, name "end".

Flags: 2 (BEAM_CODE_FLAG) marks a module, 1 (BEAM_START_FLAG) the module
whose start/0 AtomVM runs: it boots the first entry with that bit.

BEAM files are stripped to the chunks AtomVM's loader reads (iff.c), and
their literal table is stored uncompressed (LitT becomes LitU), since AtomVM
is normally built without zlib (module.c refuses compressed LitT then).
"""

import argparse
import os
import struct
import sys
import zlib
from dataclasses import dataclass

AVM_HEADER = b"#!/usr/bin/env AtomVM\n\x00\x00"
BEAM_START_FLAG = 1
BEAM_CODE_FLAG = 2
NORMAL_FILE_FLAG = 4  # PackBEAM's flag for data files (priv/...)
END_NAME = "end"

# Every chunk src/libAtomVM/iff.c looks for; the rest (Attr, CInf, Dbgi, Docs,
# Meta, ExCk...) is never read on the device and only costs flash.
KEPT_CHUNKS = ("AtU8", "Code", "ExpT", "LocT", "ImpT", "LitU", "FunT", "StrT", "Line", "avmN", "Type")
# Without these, module_new_from_iff_binary() dereferences a chunk at offset 0.
REQUIRED_CHUNKS = ("AtU8", "Code", "ImpT", "ExpT")


class PackError(Exception):
    """An input or usage problem, reported as one line instead of a traceback."""


@dataclass
class Entry:
    name: str
    flags: int
    data: bytes  # unpadded BEAM bytes, or payload copied from an .avm
    module: str | None = None  # set for BEAM entries
    exports_start: bool = False
    origin: str = ""  # the input it came from, for messages
    fallback: bool = False  # yields to any other entry of the same name


def _pad4(n):
    return -n % 4


def _u32(data, offset, what):
    if offset + 4 > len(data):
        raise PackError(f"{what}: truncated at byte {offset}")
    return struct.unpack_from(">I", data, offset)[0]


# --- BEAM ---------------------------------------------------------------------


def beam_chunks(data, origin):
    """Split an IFF BEAM file into [(chunk id, payload)], in file order."""
    if len(data) < 12 or data[:4] != b"FOR1" or data[8:12] != b"BEAM":
        raise PackError(f"{origin}: not a BEAM file (no FOR1/BEAM header)")
    end = 8 + _u32(data, 4, origin)
    if end > len(data):
        raise PackError(f"{origin}: truncated BEAM ({len(data)} bytes, header says {end})")
    chunks, pos = [], 12
    while pos + 8 <= end:
        cid = data[pos : pos + 4].decode("latin-1")
        size = _u32(data, pos + 4, origin)
        if pos + 8 + size > end:
            raise PackError(f"{origin}: chunk {cid!r} runs past the end of the file")
        chunks.append((cid, data[pos + 8 : pos + 8 + size]))
        pos += 8 + size + _pad4(size)
    return chunks


def beam_atoms(atu8, origin):
    """Decode an AtU8 chunk as module.c/atom_table.c do (OTP 28 long form too)."""
    count = struct.unpack_from(">i", atu8, 0)[0] if len(atu8) >= 4 else 0
    long_form, count = count < 0, abs(count)
    atoms, pos = [], 4
    for _ in range(count):
        if pos >= len(atu8):
            raise PackError(f"{origin}: truncated atom table")
        b0 = atu8[pos]
        if not long_form:
            size, pos = b0, pos + 1
        elif not b0 & 0x08:  # read_encoded_len(): 4-bit length
            size, pos = b0 >> 4, pos + 1
        elif not b0 & 0x10 and pos + 1 < len(atu8):  # 11-bit length
            size, pos = ((b0 >> 5) << 8) | atu8[pos + 1], pos + 2
        else:
            raise PackError(f"{origin}: invalid atom length encoding")
        if pos + size > len(atu8):
            raise PackError(f"{origin}: truncated atom table")
        atoms.append(atu8[pos : pos + size].decode("utf-8", "replace"))
        pos += size
    return atoms


def _literals_uncompressed(litt, origin):
    """LitT is u32 uncompressed size + zlib data; size 0 means raw (OTP 28+)."""
    size = _u32(litt, 0, origin)
    if size == 0:
        return litt[4:]
    try:
        raw = zlib.decompress(litt[4:])
    except zlib.error as exc:
        raise PackError(f"{origin}: corrupt literal table: {exc}") from None
    if len(raw) != size:
        raise PackError(f"{origin}: literal table is {len(raw)} bytes, header says {size}")
    return raw


def parse_beam(data, origin, keep_lines=True):
    """Return an Entry holding the stripped BEAM and its module name."""
    chunks = beam_chunks(data, origin)
    dict_chunks = dict(chunks)
    if "AtU8" not in dict_chunks and "Atom" in dict_chunks:
        raise PackError(f"{origin}: latin-1 atom table (compiled by OTP < 20); AtomVM needs AtU8")
    missing = [c for c in REQUIRED_CHUNKS if c not in dict_chunks]
    if missing:
        raise PackError(f"{origin}: missing BEAM chunk(s) {', '.join(missing)}")
    atoms = beam_atoms(dict_chunks["AtU8"], origin)
    if not atoms or not atoms[0] or "\0" in atoms[0]:
        raise PackError(f"{origin}: no usable module name in the atom table")
    exp = dict_chunks["ExpT"]
    exports_start = False
    for i in range(_u32(exp, 0, origin)):
        fun, arity = _u32(exp, 4 + 12 * i, origin), _u32(exp, 8 + 12 * i, origin)
        if arity == 0 and 1 <= fun <= len(atoms) and atoms[fun - 1] == "start":
            exports_start = True

    kept = []
    for cid, payload in chunks:
        if cid == "LitT":
            cid, payload = "LitU", _literals_uncompressed(payload, origin)
        if cid in KEPT_CHUNKS and (keep_lines or cid != "Line"):
            kept.append(cid.encode("latin-1") + struct.pack(">I", len(payload)) + payload + bytes(_pad4(len(payload))))
    body = b"BEAM" + b"".join(kept)
    beam = b"FOR1" + struct.pack(">I", len(body)) + body
    # PackBEAM's default: any module exporting start/0 is a candidate entry point.
    flags = BEAM_CODE_FLAG | (BEAM_START_FLAG if exports_start else 0)
    return Entry(f"{atoms[0]}.beam", flags, beam, atoms[0], exports_start, origin)


# --- AVM ----------------------------------------------------------------------


def read_avm(data, origin):
    """Return the entries of an .avm, checking what avmpack.c relies on."""
    if data[: len(AVM_HEADER)] != AVM_HEADER:
        raise PackError(f"{origin}: not an AVM file (bad header)")
    entries, pos = [], len(AVM_HEADER)
    while True:
        size, flags = _u32(data, pos, origin), _u32(data, pos + 4, origin)
        nul = data.find(b"\0", pos + 12)
        if nul < 0:
            raise PackError(f"{origin}: unterminated entry name at byte {pos}")
        name = data[pos + 12 : nul].decode("utf-8", "replace")
        if size == 0:
            return entries  # end marker; avmpack_fold() stops on size 0
        header = 12 + (nul + 1 - (pos + 12))
        header += _pad4(header)
        if size % 4 or size < header or pos + size > len(data):
            raise PackError(f"{origin}: entry {name!r} has a bad size ({size}) at byte {pos}")
        if flags == 0:  # avmpack_find_section_by_*() would stop here
            raise PackError(f"{origin}: entry {name!r} has flags 0, which AtomVM reads as the end")
        entry = Entry(name, flags, data[pos + header : pos + size], origin=origin)
        if flags & (BEAM_CODE_FLAG | BEAM_START_FLAG):  # some tools set only the start bit
            beam = parse_beam(entry.data, f"{origin}:{name}")
            entry.module, entry.exports_start = beam.module, beam.exports_start
        entries.append(entry)
        pos += size


def encode_entry(name, flags, data):
    """One entry: header, padded name, padded data; size counts all of it."""
    raw_name = name.encode("utf-8") + b"\0"
    head = 12 + len(raw_name) + _pad4(12 + len(raw_name))
    size = head + len(data) + _pad4(len(data))
    out = struct.pack(">III", size, flags, 0) + raw_name
    return out + bytes(head - len(out)) + data + bytes(_pad4(len(data)))


def pack(entries):
    """Serialise entries into a complete .avm image."""
    parts = [AVM_HEADER] + [encode_entry(e.name, e.flags, e.data) for e in entries]
    # The end marker is the one entry whose size field is 0, not its length.
    return b"".join(parts) + struct.pack(">III", 0, 0, 0) + b"end\0"


# --- commands -----------------------------------------------------------------


def load_inputs(paths, keep_lines, fallback=False):
    """Read every input; the file's magic, not its extension, decides its kind."""
    entries = []
    for path in paths:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as exc:
            raise PackError(f"cannot read {path}: {exc.strerror}") from None
        if data.startswith(b"FOR1"):
            entries.append(parse_beam(data, path, keep_lines))
        elif data.startswith(AVM_HEADER[:16]):
            entries.extend(read_avm(data, path))
        else:
            raise PackError(f"{path}: neither a BEAM file nor an AVM archive")
    for e in entries:
        e.fallback = fallback
    return entries


def assign_start(entries, start, lib):
    """Apply --lib/--start to the start flags, as PackBEAM 0.8 does.

    Without either, flags stay as parsed: BEAMs exporting start/0 are marked
    and entries from .avm inputs keep theirs. --lib clears every start flag;
    --start marks exactly that module. AtomVM boots the first marked entry;
    the start module also goes first, so that older PackBEAM-made libraries
    with stray start flags behave the same.
    """
    for e in entries:
        if e.module is not None and (lib or start is not None):
            e.flags &= ~BEAM_START_FLAG
            if e.module == start:
                e.flags |= BEAM_START_FLAG
    if start is None:
        return entries
    first = next((e for e in entries if e.module == start), None)
    if first is None:
        raise PackError(f"start module {start!r} is not among the inputs")
    if not first.exports_start:
        raise PackError(f"start module {start!r} does not export start/0, which AtomVM calls")
    return [first] + [e for e in entries if e is not first]


def dedupe(entries):
    """One entry per name, as AtomVM sees only the first
    (avmpack_find_section_by_name() returns the first match).

    Two inputs holding different entries of one name are an error: one of
    them would be silently dead code. Same bytes are kept once. A fallback
    entry yields to any earlier entry of its name.
    """
    first, kept = {}, []
    for e in entries:
        seen = first.get(e.name)
        if seen is None:
            first[e.name] = e
            kept.append(e)
        elif not e.fallback and seen.data != e.data:
            what = f"module {e.module}" if e.module else f"entry {e.name}"
            raise PackError(f"duplicate {what}: in {seen.origin} and in {e.origin} (rename or drop one)")
    return kept


def build(inputs, start=None, lib=False, keep_lines=True, fallbacks=()):
    """The entries of the archive INPUTS (then FALLBACKS) make, in order."""
    if start is not None and lib:
        raise PackError("--start and --lib are mutually exclusive")
    entries = load_inputs(inputs, keep_lines) + load_inputs(fallbacks, keep_lines, fallback=True)
    entries = dedupe(entries)
    if not entries:
        raise PackError("nothing to pack: the inputs hold no entries")
    return assign_start(entries, start, lib)


def create(out, inputs, start=None, lib=False, keep_lines=True, fallbacks=()):
    """Build OUT from INPUTS; the file is replaced atomically, never half-written."""
    entries = build(inputs, start, lib, keep_lines, fallbacks)
    image = pack(entries)
    tmp = f"{out}.tmp"
    try:
        with open(tmp, "wb") as f:
            f.write(image)
        os.replace(tmp, out)
    except OSError as exc:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise PackError(f"cannot write {out}: {exc.strerror}") from None
    return entries


def describe(flags):
    names = ((BEAM_START_FLAG, "start"), (BEAM_CODE_FLAG, "beam"), (NORMAL_FILE_FLAG, "file"))
    return ",".join(name for bit, name in names if flags & bit) or "-"


def list_avm(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise PackError(f"cannot read {path}: {exc.strerror}") from None
    return read_avm(data, path)


def main(argv=None):
    """CLI. Options may come anywhere among the inputs, as with PackBEAM."""
    argv = sys.argv[1:] if argv is None else argv
    commands = ("create", "check", "list")
    top = argparse.ArgumentParser(prog="avm_pack.py", description=__doc__.split("\n\n")[0])
    top.add_argument("command", choices=commands)
    if not argv or argv[0] not in commands:
        top.parse_args(argv[:1])  # prints usage and exits 2
    parser = argparse.ArgumentParser(prog=f"avm_pack.py {argv[0]}")
    if argv[0] in ("create", "check"):
        if argv[0] == "create":
            parser.add_argument("output", metavar="OUT.avm")
        parser.add_argument("inputs", metavar="INPUT", nargs="+", help=".beam files and .avm archives, in order")
        parser.add_argument("-s", "--start", metavar="MODULE", help="module whose start/0 AtomVM runs")
        parser.add_argument("-l", "--lib", action="store_true", help="library archive: no start module")
        parser.add_argument("-r", "--remove-lines", action="store_true", help="drop Line chunks (no line numbers)")
        parser.add_argument(
            "-f",
            "--fallback",
            metavar="INPUT",
            action="append",
            default=[],
            help="packed after the inputs; yields to any entry of the same name",
        )
    else:
        parser.add_argument("avm", metavar="FILE.avm")
    args = parser.parse_intermixed_args(argv[1:])
    try:
        if argv[0] == "create":
            create(args.output, args.inputs, args.start, args.lib, not args.remove_lines, args.fallback)
        elif argv[0] == "check":
            build(args.inputs, args.start, args.lib, not args.remove_lines, args.fallback)
        else:
            for e in list_avm(args.avm):
                print(f"{e.name}\t{e.flags:#x}\t{describe(e.flags)}\t{len(e.data)}")
    except PackError as exc:
        print(f"avm_pack.py: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `list ... | head`: not an error worth a traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
