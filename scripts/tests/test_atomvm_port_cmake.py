# SPDX-License-Identifier: Apache-2.0
"""Tests for cmake/atomvm_port.cmake and cmake/atomvm_crates.cmake, without Zephyr.

A throw-away CMake project declares two ports with atomvm_port(), one enabled and one not,
and checks what reaches the build: the enabled port's Erlang module in atomvm_app()'s archive
(unless the app brings its own), its crate in the generated `atomvm-ports`, and the
dependency names read from Cargo.toml files for the cargo patches.
"""

import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS.parent))
import avm_pack  # noqa: E402

ROOT = TESTS.parents[1]
CMAKE = shutil.which("cmake")
GENERATOR = ["-G", "Ninja", f"-DCMAKE_MAKE_PROGRAM={shutil.which('ninja')}"] if shutil.which("ninja") else []


def erl(module, marker):
    return f"-module({module}).\n-export([start/0, marker/0]).\nstart() -> ok.\nmarker() -> {marker}.\n"


def port(d, name, enabled_by, lib=None):
    p = d / "ports" / name
    p.mkdir(parents=True)
    lib_section = f'[lib]\nname = "{lib}"\n' if lib else ""
    (p / "Cargo.toml").write_text(
        f'[package]\nname = "atomvm-{name}-port"\nversion = "0.1.0"\n\n{lib_section}\n'
        '[dependencies]\natomvm-port = { path = "../../atomvm-port" }\n'
    )
    (p / f"{name}.erl").write_text(erl(name, "from_port"))
    (p / "CMakeLists.txt").write_text(
        f"atomvm_port(NAME {name} KCONFIG {enabled_by} CRATE atomvm-{name}-port ERLANG {name}.erl)\n"
    )


def write_project(d, body):
    (d / "CMakeLists.txt").write_text(
        textwrap.dedent(
            f"""\
            cmake_minimum_required(VERSION 3.20)
            project(t NONE)
            set(ATOMVM_PORTS_DIR {ROOT.as_posix()})
            include({ROOT.as_posix()}/cmake/atomvm_crates.cmake)
            include({ROOT.as_posix()}/cmake/atomvm_port.cmake)
            include({ROOT.as_posix()}/cmake/atomvm_app.cmake)
            """
        )
        + body
    )


def configure(d, *args):
    return subprocess.run(
        [CMAKE, "-S", d, "-B", d / "b", *GENERATOR, "-DATOMVM_APP_USE_PACKBEAM=OFF", *args],
        capture_output=True,
        text=True,
    )


@unittest.skipUnless(CMAKE and shutil.which("erlc"), "cmake or erlc not found")
class AtomvmPortTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="atomvm_port_test."))
        d = cls.tmp
        port(d, "on", "CONFIG_ON", lib="on_port")
        port(d, "off", "CONFIG_OFF")
        port(d, "dash", "CONFIG_ON")  # no [lib] name: the package name with '_' for '-'
        (d / "app.erl").write_text(erl("app", "app"))
        (d / "own").mkdir()
        (d / "own" / "on.erl").write_text(erl("on", "from_app"))
        write_project(
            d,
            textwrap.dedent(
                """\
                set(CONFIG_ON y)
                add_subdirectory(ports/dash)
                add_subdirectory(ports/off)
                add_subdirectory(ports/on)
                atomvm_app(NAME with_ports SOURCES app.erl NO_EMBED)
                atomvm_app(NAME own_module SOURCES app.erl own/on.erl NO_EMBED)
                atomvm_ports_generate_ports_crate()
                """
            ),
        )
        cls.configure = configure(d)
        cls.build = subprocess.run([CMAKE, "--build", d / "b"], capture_output=True, text=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def setUp(self):
        self.assertEqual(self.configure.returncode, 0, self.configure.stdout + self.configure.stderr)
        self.assertEqual(self.build.returncode, 0, self.build.stdout + self.build.stderr)

    def modules(self, avm):
        return [e.module for e in avm_pack.list_avm(self.tmp / "b" / avm)]

    def test_enabled_ports_erlang_modules_are_packed(self):
        self.assertEqual(self.modules("with_ports.avm"), ["app", "dash", "on"])

    def test_app_module_wins_over_a_ports(self):
        self.assertEqual(self.modules("own_module.avm"), ["app", "on", "dash"])
        beam = self.tmp / "b" / "atomvm_app" / "own_module" / "on.beam"
        self.assertIn(b"from_app", beam.read_bytes())
        self.assertNotIn(b"from_port", beam.read_bytes())

    def test_generated_crate_lists_enabled_ports_only(self):
        crate = self.tmp / "b" / "atomvm_ports" / "crates" / "atomvm-ports"
        lib = (crate / "src" / "lib.rs").read_text()
        self.assertIn("&[\n    &atomvm_dash_port::DRIVER,\n    &on_port::DRIVER,\n];", lib)
        self.assertIn("atomvm_port::vm::run_with(PORTS, extra)", lib)
        toml = (crate / "Cargo.toml").read_text()
        self.assertIn('atomvm-on-port = { version = "0.1.0", features = ["vm"] }', toml)
        self.assertIn('atomvm-dash-port = { version = "0.1.0", features = ["vm"] }', toml)
        self.assertNotIn("atomvm-off-port", toml)
        self.assertIn("\n[workspace]\n", toml)


@unittest.skipUnless(CMAKE, "cmake not found")
class CargoParsingTest(unittest.TestCase):
    def deps(self, toml):
        with tempfile.TemporaryDirectory() as d:
            Path(d, "Cargo.toml").write_text(toml)
            script = Path(d, "t.cmake")
            script.write_text(
                "cmake_minimum_required(VERSION 3.20)\n"
                f"include({ROOT.as_posix()}/cmake/atomvm_crates.cmake)\n"
                f'atomvm_ports_cargo_deps({d}/Cargo.toml names)\nmessage("${{names}}")\n'
            )
            r = subprocess.run([CMAKE, "-P", script], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stderr.strip().split(";")

    def test_dependency_forms(self):
        toml = textwrap.dedent(
            """\
            [package]
            name = "app"
            [dependencies]
            plain = "0.1"
            table = { version = "0.1", features = ["vm"] }
            renamed = { package = "real-name", version = "1" }
            inherited.workspace = true
            by-path = { path = "../by-path" }
            by-path-too = { version = "0.1", path = "../x" }
            [dependencies.long-form]
            version = "1"
            [dependencies.long-renamed]
            package = "long-real"
            [dependencies.long-path]
            path = "../long"
            [target.'cfg(loom)'.dependencies]
            target-only = "0.7"
            [build-dependencies]
            builder = "1"
            [dev-dependencies]
            dev-only = "1"
            """
        )
        self.assertEqual(
            self.deps(toml),
            ["plain", "table", "real-name", "inherited", "long-form", "long-real", "target-only", "builder"],
        )

    def test_patches_follow_by_name_dependencies_only(self):
        # Cargo reports a patch that nothing takes from crates.io as unused and records it in
        # the app's Cargo.lock: only crates reached by name are patched, transitively.
        crates = {
            "src/port-a": '[dependencies]\ncore-c = "0.1"\nby-path-d = { path = "../by-path-d" }\n',
            "src/core-c": '[dependencies]\nlog = "0.4"\n',
            "src/by-path-d": "",
            "src/ports/unused-e": "",
        }
        with tempfile.TemporaryDirectory() as d:
            for rel, deps in crates.items():
                Path(d, rel).mkdir(parents=True)
                Path(d, rel, "Cargo.toml").write_text(f'[package]\nname = "{Path(rel).name}"\n{deps}')
            Path(d, "Cargo.toml").write_text('[package]\nname = "rustapp"\n[dependencies]\nport-a = "0.1"\n')
            script = Path(d, "t.cmake")
            script.write_text(
                "cmake_minimum_required(VERSION 3.20)\n"
                f"set(ATOMVM_PORTS_DIR {d})\ninclude({ROOT.as_posix()}/cmake/atomvm_crates.cmake)\n"
                f"atomvm_ports_index_crates()\natomvm_ports_patches({d}/Cargo.toml p)\nmessage(\"${{p}}\")\n"
            )
            r = subprocess.run([CMAKE, "-P", script], capture_output=True, text=True)
            expected = [f'core-c = {{ path = "{d}/src/core-c" }}', f'port-a = {{ path = "{d}/src/port-a" }}']
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.strip().splitlines(), expected)

    def test_every_src_crate_is_found_by_name(self):
        # The names the patches use come from the Cargo.toml files, not from a list.
        script_dir = Path(tempfile.mkdtemp(prefix="atomvm_crates."))
        try:
            script = script_dir / "t.cmake"
            script.write_text(
                "cmake_minimum_required(VERSION 3.20)\n"
                f"set(ATOMVM_PORTS_DIR {ROOT.as_posix()})\ninclude({ROOT.as_posix()}/cmake/atomvm_crates.cmake)\n"
                'atomvm_ports_index_crates()\nget_property(n GLOBAL PROPERTY ATOMVM_PORTS_CRATES)\nmessage("${n}")\n'
            )
            r = subprocess.run([CMAKE, "-P", script], capture_output=True, text=True)
        finally:
            shutil.rmtree(script_dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        expected = set()
        for toml in (ROOT / "src").rglob("Cargo.toml"):
            if "target" not in toml.parts:
                text = toml.read_text()
                expected.add(text.split("[package]", 1)[1].split('name = "', 1)[1].split('"', 1)[0])
        self.assertEqual(sorted(r.stderr.strip().split(";")), sorted(expected))
        self.assertIn("atomvm-touch-port", expected)


@unittest.skipUnless(CMAKE, "cmake not found")
class AtomvmPortErrorTest(unittest.TestCase):
    def test_crate_must_match_cargo_toml(self):
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp)
            port(d, "on", "CONFIG_ON")
            cmake = d / "ports" / "on" / "CMakeLists.txt"
            cmake.write_text(cmake.read_text().replace("CRATE atomvm-on-port", "CRATE atomvm-other-port"))
            write_project(d, "set(CONFIG_ON y)\nadd_subdirectory(ports/on)\n")
            r = configure(d)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("CRATE atomvm-other-port, but", r.stderr)

    def test_disabled_port_is_not_checked(self):
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp)
            port(d, "on", "CONFIG_ON")
            (d / "ports" / "on" / "Cargo.toml").unlink()
            write_project(d, "add_subdirectory(ports/on)\n")
            r = configure(d)
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
