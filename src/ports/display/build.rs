// SPDX-License-Identifier: Apache-2.0

//! With feature `vm`: bindings to the port's C glue, generated from `include/atomvm_display.h`,
//! the one declaration of the types and statuses C and Rust share. The header needs only
//! `<stdint.h>` and `<stdbool.h>`, so no Zephyr include path is involved.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "vm")]
    vm::generate();
}

#[cfg(feature = "vm")]
mod vm {
    use std::env;
    use std::path::PathBuf;

    pub fn generate() {
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
