# SPDX-License-Identifier: Apache-2.0
"""Tests for scripts/zephyr-lint's choice of builds (no Zephyr, no cargo)."""

import importlib.machinery
import importlib.util
import tempfile
import unittest
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "zephyr-lint"
_loader = importlib.machinery.SourceFileLoader("zephyr_lint", str(SCRIPT))
_spec = importlib.util.spec_from_loader("zephyr_lint", _loader)
zl = importlib.util.module_from_spec(_spec)
_loader.exec_module(zl)


def fake_build(root, name, options, rust=True, sample_subdir="."):
    """A directory shaped like a Zephyr build: zephyr/.config and, with `rust`, the two cargo
    configs (zephyr-lang-rust's possibly in a subdirectory, as for generated apps)."""
    b = root / name
    (b / "zephyr").mkdir(parents=True)
    (b / "zephyr" / ".config").write_text("".join(f"{o}=y\n" for o in options))
    if rust:
        (b / "atomvm_ports").mkdir()
        (b / "atomvm_ports" / "cargo-toolchain.toml").write_text("[env]\n")
        rust_dir = b / sample_subdir / "rust"
        rust_dir.mkdir(parents=True)
        (rust_dir / "sample-cargo-config.toml").write_text("[build]\n")
        # A cargo target directory may hold copies; they are not the build's config.
        (rust_dir / "target" / "x").mkdir(parents=True)
        (rust_dir / "target" / "x" / "sample-cargo-config.toml").write_text("")
    return b.resolve()


HAL = (Path("src/zephyr-hal"), "zephyr-hal-adapters", [], "CONFIG_ATOMVM_PORTS_HAL")
PORT = (Path("src/atomvm-port"), "atomvm-port", ["vm"], "CONFIG_ATOMVM_PORTS_RUST")
TOUCH = (Path("src/ports/touch"), "atomvm-touch-port", ["vm"], "CONFIG_ATOMVM_PORT_TOUCH")


class AssignTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def test_each_crate_goes_to_a_build_that_enables_it(self):
        a = fake_build(self.root, "a", ["CONFIG_ATOMVM_PORTS_RUST"])
        b = fake_build(self.root, "b", ["CONFIG_ATOMVM_PORTS_RUST", "CONFIG_ATOMVM_PORT_TOUCH",
                                        "CONFIG_ATOMVM_PORTS_HAL"], sample_subdir="app")
        groups, missing = zl.assign(zl.find_builds([str(self.root)]), [HAL, PORT, TOUCH])
        self.assertEqual(missing, [])
        self.assertEqual(groups[a][1], [PORT])
        self.assertEqual(groups[b][1], [HAL, TOUCH])
        self.assertEqual(groups[b][0], [b / "app" / "rust" / "sample-cargo-config.toml",
                                        b / "atomvm_ports" / "cargo-toolchain.toml"])

    def test_a_crate_no_build_enables_is_missing(self):
        fake_build(self.root, "a", ["CONFIG_ATOMVM_PORTS_RUST"])
        # Enabled, but a build without Rust (no cargo configs) cannot lint it.
        fake_build(self.root, "c", ["CONFIG_ATOMVM_PORT_TOUCH"], rust=False)
        groups, missing = zl.assign(zl.find_builds([str(self.root)]), [PORT, TOUCH])
        self.assertEqual(missing, [TOUCH])
        self.assertEqual([c for _, cs in groups.values() for c in cs], [PORT])

    def test_a_build_dir_given_directly(self):
        b = fake_build(self.root, "b", ["CONFIG_ATOMVM_PORTS_RUST"])
        self.assertEqual(zl.find_builds([str(b)]), [b])


class CratesTest(unittest.TestCase):
    def test_the_zephyr_only_crates_and_their_options(self):
        crates = {str(c[0]): (c[2], c[3]) for c in zl.zephyr_crates()}
        self.assertEqual(crates["src/atomvm-port"], (["vm"], "CONFIG_ATOMVM_PORTS_RUST"))
        self.assertEqual(crates["src/zephyr-hal"], ([], "CONFIG_ATOMVM_PORTS_HAL"))
        ports = sorted(p.parent.name for p in (zl.ROOT / "src" / "ports").glob("*/Cargo.toml"))
        self.assertTrue(ports)
        for name in ports:
            self.assertEqual(crates[f"src/ports/{name}"][1], f"CONFIG_ATOMVM_PORT_{name.upper()}")

    def test_rustfmt_covers_the_apps_and_zephyr_hal_not_the_host_workspace(self):
        rel = {str(m.parent.relative_to(zl.ROOT)) for m in zl.packages_outside_host_workspace()}
        apps = {str(m.parent.relative_to(zl.ROOT)) for top in ("samples", "tests")
                for m in (zl.ROOT / top).rglob("Cargo.toml") if "target" not in m.parts}
        self.assertEqual(rel, apps | {"src/zephyr-hal"})

    def test_build_script_helpers_stay_out_of_the_lint_workspace(self):
        helpers = zl.host_only_crates()
        self.assertIn("src/zephyr-bindgen", helpers)
        linted = {str(c[0]) for c in zl.zephyr_crates()}
        self.assertFalse(linted & set(helpers))


if __name__ == "__main__":
    unittest.main()
