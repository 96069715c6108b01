// SPDX-License-Identifier: Apache-2.0

//! With feature `vm`: bindings to the port's C glue (devicetree selection), generated from
//! `include/atomvm_display.h`, the one declaration of what C and Rust share. The header needs
//! only `<stdint.h>` (and declares `struct device` opaque), so no Zephyr include path is
//! involved.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(zephyr_led)");
    #[cfg(feature = "vm")]
    vm::generate();
}

#[cfg(feature = "vm")]
mod vm {
    use std::env;
    use std::path::PathBuf;

    pub fn generate() {
        // zephyr-hal binds the LED API only with CONFIG_LED (the glue refuses an LED
        // backlight without it).
        println!("cargo:rerun-if-env-changed=DOTCONFIG");
        if let Ok(path) = env::var("DOTCONFIG") {
            println!("cargo:rerun-if-changed={path}");
            let config = std::fs::read_to_string(&path).expect("reading the Zephyr .config");
            if config.lines().any(|l| l == "CONFIG_LED=y") {
                println!("cargo:rustc-cfg=zephyr_led");
            }
        }
        let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
        let header = dir.join("include/atomvm_display.h");
        println!("cargo:rerun-if-changed={}", header.display());
        // zephyr-lang-rust uses rustc's target names; clang only needs the architecture.
        let target = env::var("TARGET").expect("TARGET");
        let target = match target.split('-').next() {
            Some(a) if a.starts_with("riscv32") => "riscv32-unknown-none-elf".to_string(),
            Some(a) if a.starts_with("riscv64") => "riscv64-unknown-none-elf".to_string(),
            _ => target,
        };
        let bindings = bindgen::Builder::default()
            .header(header.to_str().expect("UTF-8 path"))
            .use_core()
            .clang_arg("-ffreestanding")
            .clang_arg(format!("--target={target}"))
            .allowlist_function("atomvm_display_.*")
            .allowlist_type("atomvm_display_.*")
            .opaque_type("device")
            .derive_default(true)
            .layout_tests(false)
            .prepend_enum_name(false)
            .default_enum_style(bindgen::EnumVariation::Consts)
            .generate()
            .expect("bindgen failed on include/atomvm_display.h");
        let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
        bindings
            .write_to_file(out.join("glue.rs"))
            .expect("writing glue.rs");
    }
}
