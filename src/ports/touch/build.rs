// SPDX-License-Identifier: Apache-2.0

//! With feature `vm`: bindings to `include/atomvm_touch.h` (the devicetree table and the
//! instance count), generated in the application's build, and the Kconfig switches the port
//! reads as `cfg`s. Without it (the host tests) nothing happens.
//!
//! The environment is the one zephyr-lang-rust gives every cargo invocation (ZEPHYR_BASE,
//! INCLUDE_DIRS, INCLUDE_DEFINES, DOTCONFIG). The header has no static inline functions, so
//! there is no C wrapper to compile.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(touch_input_bridge, touch_i2c)");
    #[cfg(feature = "vm")]
    vm::generate();
}

#[cfg(feature = "vm")]
mod vm {
    use std::collections::HashSet;
    use std::env;
    use std::fs;
    use std::path::PathBuf;

    pub fn generate() {
        for var in [
            "ZEPHYR_BASE",
            "INCLUDE_DIRS",
            "INCLUDE_DEFINES",
            "DOTCONFIG",
        ] {
            println!("cargo:rerun-if-env-changed={var}");
        }
        println!("cargo:rerun-if-changed=include/atomvm_touch.h");
        let dotconfig = need("DOTCONFIG");
        println!("cargo:rerun-if-changed={dotconfig}");
        // The instance count and the table's layout follow the devicetree.
        println!("cargo:rerun-if-env-changed=ZEPHYR_DTS");
        if let Ok(dts) = env::var("ZEPHYR_DTS") {
            println!("cargo:rerun-if-changed={dts}");
        }
        let config = kconfig_bools(&dotconfig);
        let bridge = config.contains("CONFIG_ATOMVM_PORT_TOUCH_INPUT_BRIDGE");
        let i2c = config.contains("CONFIG_I2C") && config.contains("CONFIG_GPIO");
        if bridge {
            println!("cargo:rustc-cfg=touch_input_bridge");
        }
        if i2c {
            println!("cargo:rustc-cfg=touch_i2c");
        }

        let target = env::var("TARGET").expect("TARGET");
        let target = match target.split('-').next() {
            Some(a) if a.starts_with("riscv32") => "riscv32-unknown-none-elf".to_string(),
            Some(a) if a.starts_with("riscv64") => "riscv64-unknown-none-elf".to_string(),
            _ => target,
        };
        let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
        let zephyr_base = need("ZEPHYR_BASE");
        // The seed: what clang needs before Zephyr's headers (our common prologue), the header,
        // and the input API for `struct input_event`.
        let seed = format!(
            "#include \"{}\"\n#include <zephyr/input/input.h>\n#include \"{}\"\n",
            dir.join("../../../include/atomvm_ports/bindgen_prologue.h")
                .display(),
            dir.join("include/atomvm_touch.h").display(),
        );
        println!("cargo:rerun-if-changed=../../../include/atomvm_ports/bindgen_prologue.h");
        let mut builder = bindgen::Builder::default()
            .header_contents("touch_seed.h", &seed)
            .use_core()
            .clang_arg("-DRUST_BINDGEN")
            .clang_arg(format!("-I{zephyr_base}/lib/libc/minimal/include"))
            .clang_arg(format!("--target={target}"));
        for d in split_list(&need("INCLUDE_DIRS")) {
            builder = builder.clang_arg(format!("-I{d}"));
        }
        for d in split_list(&need("INCLUDE_DEFINES")) {
            builder = builder.clang_arg(format!("-D{d}"));
        }
        // The device and spec types are zephyr-hal's (same headers, one Rust type each), so
        // the table's pointers go straight to its adapters.
        let mut raw = String::from("use zephyr_hal::raw::device;\n");
        if i2c {
            raw.push_str("use zephyr_hal::raw::{gpio_dt_spec, i2c_dt_spec};\n");
        } else {
            raw.push_str("pub enum gpio_dt_spec {}\npub enum i2c_dt_spec {}\n");
        }
        let bindings = builder
            .allowlist_type("atomvm_touch_screen|atomvm_touch_consts|input_event")
            .allowlist_var("atomvm_touch_screens|atomvm_touch_default")
            .blocklist_type("device|i2c_dt_spec|gpio_dt_spec")
            .raw_line(raw)
            .derive_default(false)
            .derive_copy(false)
            .derive_debug(false)
            .layout_tests(false)
            .prepend_enum_name(false)
            .default_enum_style(bindgen::EnumVariation::Consts)
            .generate()
            .expect("bindgen failed on include/atomvm_touch.h");
        let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
        bindings
            .write_to_file(out.join("touch_bindings.rs"))
            .expect("writing touch_bindings.rs");
    }

    fn need(var: &str) -> String {
        env::var(var).unwrap_or_else(|_| {
            panic!(
                "atomvm-touch-port (feature vm): {var} is not set; build it inside a Zephyr \
                 application with the atomvm_ports module and CONFIG_ATOMVM_PORT_TOUCH=y"
            )
        })
    }

    /// CMake hands lists over as `a;b` or `a b`.
    fn split_list(text: &str) -> impl Iterator<Item = &str> {
        text.split([' ', ';']).filter(|s| !s.is_empty())
    }

    /// The `CONFIG_X=y` entries of a Zephyr `.config`.
    fn kconfig_bools(path: &str) -> HashSet<String> {
        let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
        text.lines()
            .filter_map(|line| line.strip_suffix("=y"))
            .map(str::to_string)
            .collect()
    }
}
