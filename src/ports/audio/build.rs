// SPDX-License-Identifier: Apache-2.0

//! With feature `vm`: bindings to `include/atomvm_audio.h` (the devicetree table and the
//! instance count), generated in the application's build, and whether the image has the audio
//! codec API (cfg `audio_codec`). Without it (the host tests) nothing happens.
//!
//! The environment is the one zephyr-lang-rust gives every cargo invocation (ZEPHYR_BASE,
//! INCLUDE_DIRS, INCLUDE_DEFINES, DOTCONFIG). The header has no static inline functions, so
//! there is no C wrapper to compile.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(audio_codec)");
    #[cfg(feature = "vm")]
    vm::generate();
}

#[cfg(feature = "vm")]
mod vm {
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
        println!("cargo:rerun-if-changed=include/atomvm_audio.h");
        let dotconfig = need("DOTCONFIG");
        println!("cargo:rerun-if-changed={dotconfig}");
        // The instance count follows the devicetree.
        println!("cargo:rerun-if-env-changed=ZEPHYR_DTS");
        if let Ok(dts) = env::var("ZEPHYR_DTS") {
            println!("cargo:rerun-if-changed={dts}");
        }
        let config =
            fs::read_to_string(&dotconfig).unwrap_or_else(|e| panic!("reading {dotconfig}: {e}"));
        if config.lines().any(|l| l == "CONFIG_AUDIO_CODEC=y") {
            println!("cargo:rustc-cfg=audio_codec");
        }

        let target = env::var("TARGET").expect("TARGET");
        let target = match target.split('-').next() {
            Some(a) if a.starts_with("riscv32") => "riscv32-unknown-none-elf".to_string(),
            Some(a) if a.starts_with("riscv64") => "riscv64-unknown-none-elf".to_string(),
            _ => target,
        };
        let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
        let zephyr_base = need("ZEPHYR_BASE");
        let seed = format!(
            "#include \"{}\"\n#include \"{}\"\n",
            dir.join("../../../include/atomvm_ports/bindgen_prologue.h")
                .display(),
            dir.join("include/atomvm_audio.h").display(),
        );
        println!("cargo:rerun-if-changed=../../../include/atomvm_ports/bindgen_prologue.h");
        let mut builder = bindgen::Builder::default()
            .header_contents("audio_seed.h", &seed)
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
        // The device type is zephyr-hal's (same headers, one Rust type), so the table's
        // pointers go straight to its raw I2S and codec calls.
        let bindings = builder
            .allowlist_type("atomvm_audio_node|atomvm_audio_consts")
            .allowlist_var("atomvm_audio_nodes|atomvm_audio_default")
            .blocklist_type("device")
            .raw_line("use zephyr_hal::raw::device;")
            .derive_default(false)
            .derive_copy(false)
            .derive_debug(false)
            .layout_tests(false)
            .prepend_enum_name(false)
            .default_enum_style(bindgen::EnumVariation::Consts)
            .generate()
            .expect("bindgen failed on include/atomvm_audio.h");
        let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
        bindings
            .write_to_file(out.join("audio_bindings.rs"))
            .expect("writing audio_bindings.rs");
    }

    fn need(var: &str) -> String {
        env::var(var).unwrap_or_else(|_| {
            panic!(
                "atomvm-audio-port (feature vm): {var} is not set; build it inside a Zephyr \
                 application with the atomvm_ports module and CONFIG_ATOMVM_PORT_AUDIO=y"
            )
        })
    }

    /// CMake hands lists over as `a;b` or `a b`.
    fn split_list(text: &str) -> impl Iterator<Item = &str> {
        text.split([' ', ';']).filter(|s| !s.is_empty())
    }
}
