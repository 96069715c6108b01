// SPDX-License-Identifier: Apache-2.0

//! Build-script helper for our crates whose Zephyr side binds C headers with bindgen: the
//! environment zephyr-lang-rust gives every cargo invocation of an application's build
//! (ZEPHYR_BASE, INCLUDE_DIRS, INCLUDE_DEFINES, DOTCONFIG, ...), read once, with the
//! `rerun-if` lines and the clang quirks handled here instead of in every `build.rs`.
//!
//! ```no_run
//! // build.rs of a port with feature `vm`
//! let env = zephyr_bindgen::Env::new("atomvm-audio-port", "CONFIG_ATOMVM_PORT_AUDIO=y");
//! let kconfig = env.kconfig();
//! let builder = zephyr_bindgen::style(env.builder().header_contents(
//!     "seed.h",
//!     &zephyr_bindgen::seed(&["zephyr/drivers/i2s.h"], &[env.manifest_path("include/audio.h")]),
//! ));
//! let bindings = builder.allowlist_function("i2s_.*").generate().expect("bindgen");
//! env.write(bindings, "bindings.rs");
//! # let _ = kconfig.is_set("CONFIG_I2S");
//! ```
//!
//! Build scripts may panic: a panic is how cargo reports a failed build, and every message
//! here names the crate and what to set.

use std::collections::HashSet;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};

pub use bindgen;

/// A build script's view of the application's build.
pub struct Env {
    who: &'static str,
    hint: &'static str,
}

impl Env {
    /// `who` is the crate (for messages), `hint` what the application must set for it (e.g.
    /// `CONFIG_ATOMVM_PORT_AUDIO=y`).
    pub fn new(who: &'static str, hint: &'static str) -> Self {
        println!("cargo:rerun-if-changed=build.rs");
        Env { who, hint }
    }

    /// An environment variable the build must have; cargo reruns the script when it changes.
    pub fn var(&self, name: &str) -> String {
        println!("cargo:rerun-if-env-changed={name}");
        env::var(name).unwrap_or_else(|_| {
            panic!(
                "{}: {name} is not set; build it inside a Zephyr application with the \
                 atomvm_ports module and {}",
                self.who, self.hint
            )
        })
    }

    /// The application's `.config` (`DOTCONFIG`).
    pub fn kconfig(&self) -> Kconfig {
        let path = self.var("DOTCONFIG");
        println!("cargo:rerun-if-changed={path}");
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
        Kconfig::parse(&text)
    }

    /// Reruns the script when the devicetree changes (tables whose size follows it).
    pub fn watch_devicetree(&self) {
        println!("cargo:rerun-if-env-changed=ZEPHYR_DTS");
        if let Ok(dts) = env::var("ZEPHYR_DTS") {
            println!("cargo:rerun-if-changed={dts}");
        }
    }

    /// A path in the crate's own folder; cargo reruns the script when the file changes.
    pub fn manifest_path(&self, rel: &str) -> PathBuf {
        let p = PathBuf::from(self.var("CARGO_MANIFEST_DIR")).join(rel);
        println!("cargo:rerun-if-changed={}", p.display());
        p
    }

    /// bindgen over Zephyr's headers: clang for the target, `RUST_BINDGEN` defined, Zephyr's
    /// minimal libc headers first, then the application's include directories and defines.
    pub fn builder(&self) -> bindgen::Builder {
        let zephyr_base = self.var("ZEPHYR_BASE");
        let b = self
            .bare_builder()
            .clang_arg(format!("-I{zephyr_base}/lib/libc/minimal/include"));
        let b = self.includes(b, "INCLUDE_DIRS");
        self.defines(b, "INCLUDE_DEFINES", &[])
    }

    /// bindgen for the target with `RUST_BINDGEN` defined and nothing else: callers that need
    /// another include order add [`Env::includes`] and [`Env::defines`] themselves.
    pub fn bare_builder(&self) -> bindgen::Builder {
        bindgen::Builder::default()
            .use_core()
            .clang_arg("-DRUST_BINDGEN")
            .clang_arg(format!("--target={}", clang_target(&self.var("TARGET"))))
    }

    /// `-I` for every directory of the list in `var`.
    pub fn includes(&self, b: bindgen::Builder, var: &str) -> bindgen::Builder {
        let dirs = self.var(var);
        b.clang_args(split_list(&dirs).map(|d| format!("-I{d}")))
    }

    /// `-D` for every definition of the list in `var`, except those named in `skip`.
    pub fn defines(&self, b: bindgen::Builder, var: &str, skip: &[&str]) -> bindgen::Builder {
        let defs = self.var(var);
        b.clang_args(
            split_list(&defs)
                .filter(|d| !skip.contains(d))
                .map(|d| format!("-D{d}")),
        )
    }

    /// Writes `bindings` to `$OUT_DIR/file` (the crate includes it with `include!`).
    pub fn write(&self, bindings: bindgen::Bindings, file: &str) {
        let out = PathBuf::from(self.var("OUT_DIR")).join(file);
        bindings
            .write_to_file(&out)
            .unwrap_or_else(|e| panic!("{}: writing {}: {e}", self.who, out.display()));
    }

    /// Creates the directory of a generated C file (bindgen's wrappers of static inline
    /// functions, which our CMake compiles into the image).
    pub fn wrapper_file(&self, var: &str) -> PathBuf {
        let path = PathBuf::from(self.var(var));
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)
                .unwrap_or_else(|e| panic!("{}: creating {}: {e}", self.who, dir.display()));
        }
        path
    }
}

/// Our common bindgen settings: plain constants for enums, no layout tests (the build checks
/// the layout by compiling against the same headers), no derived Copy/Debug on driver structs.
pub fn style(b: bindgen::Builder) -> bindgen::Builder {
    b.derive_default(true)
        .derive_copy(false)
        .derive_debug(false)
        .layout_tests(false)
        .prepend_enum_name(false)
        .default_enum_style(bindgen::EnumVariation::Consts)
}

/// A seed header: our bindgen prologue (what clang needs before Zephyr's headers), then the
/// system headers `<...>` and our own files, in order.
pub fn seed(system: &[&str], files: &[PathBuf]) -> String {
    let mut s = format!("#include \"{}\"\n", prologue().display());
    for h in system {
        s.push_str(&format!("#include <{h}>\n"));
    }
    for f in files {
        s.push_str(&format!("#include \"{}\"\n", f.display()));
    }
    s
}

/// `include/atomvm_ports/bindgen_prologue.h` of this module (cargo reruns on its change).
pub fn prologue() -> PathBuf {
    let p =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../include/atomvm_ports/bindgen_prologue.h");
    println!("cargo:rerun-if-changed={}", p.display());
    p
}

/// clang's target for a rustc target: zephyr-lang-rust uses rustc's names; clang only needs
/// the architecture, and the RISC-V ISA variants change no layout.
pub fn clang_target(rust_target: &str) -> String {
    if rust_target.starts_with("riscv32") {
        "riscv32-unknown-none-elf".into()
    } else if rust_target.starts_with("riscv64") {
        "riscv64-unknown-none-elf".into()
    } else {
        rust_target.into()
    }
}

/// CMake hands lists over as `a;b` or `a b`.
pub fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split([' ', ';']).filter(|s| !s.is_empty())
}

/// The boolean options of a Zephyr `.config`.
pub struct Kconfig {
    on: HashSet<String>,
}

impl Kconfig {
    /// Reads the `CONFIG_X=y` lines of a `.config`.
    pub fn parse(text: &str) -> Self {
        let on = text
            .lines()
            .filter_map(|l| l.strip_suffix("=y"))
            .map(str::to_string)
            .collect();
        Kconfig { on }
    }

    /// Whether `name` (`CONFIG_...`) is `y`.
    pub fn is_set(&self, name: &str) -> bool {
        self.on.contains(name)
    }

    /// Emits `cargo:rustc-cfg=<cfg>` for every pair whose option is set (declare the cfgs
    /// with `cargo::rustc-check-cfg` in the build script).
    pub fn cfgs(&self, pairs: &[(&str, &str)]) {
        for (option, cfg) in pairs {
            if self.is_set(option) {
                println!("cargo:rustc-cfg={cfg}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kconfig_reads_only_y() {
        let k =
            Kconfig::parse("CONFIG_I2C=y\n# CONFIG_SPI is not set\nCONFIG_X=\"y\"\nCONFIG_N=7\n");
        assert!(k.is_set("CONFIG_I2C"));
        assert!(!k.is_set("CONFIG_SPI"));
        assert!(!k.is_set("CONFIG_X"));
        assert!(!k.is_set("CONFIG_N"));
    }

    #[test]
    fn lists_split_on_semicolons_and_spaces() {
        let v: Vec<_> = split_list("a;b c;;  d").collect();
        assert_eq!(v, ["a", "b", "c", "d"]);
    }

    #[test]
    fn riscv_targets_collapse_to_the_architecture() {
        assert_eq!(
            clang_target("riscv32imac-unknown-none-elf"),
            "riscv32-unknown-none-elf"
        );
        assert_eq!(
            clang_target("riscv64gc-unknown-none-elf"),
            "riscv64-unknown-none-elf"
        );
        assert_eq!(clang_target("thumbv7m-none-eabi"), "thumbv7m-none-eabi");
    }

    #[test]
    fn seed_includes_prologue_then_headers_in_order() {
        let s = seed(&["zephyr/drivers/i2s.h"], &[PathBuf::from("/x/a.h")]);
        let lines: Vec<_> = s.lines().collect();
        assert!(lines[0].ends_with("bindgen_prologue.h\""));
        assert_eq!(lines[1], "#include <zephyr/drivers/i2s.h>");
        assert_eq!(lines[2], "#include \"/x/a.h\"");
    }
}
