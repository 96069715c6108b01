// SPDX-License-Identifier: Apache-2.0

//! Generates the bindings for Zephyr's I2C, SPI and GPIO APIs in the application's build.
//!
//! The environment is the one zephyr-lang-rust gives every cargo invocation (ZEPHYR_BASE,
//! INCLUDE_DIRS, INCLUDE_DEFINES, DOTCONFIG) plus ATOMVM_PORTS_HAL_WRAPPER from our module's
//! cargo config: the path of the C file that bindgen fills with out-of-line wrappers of the
//! static inline functions and that our CMake compiles into the image.

use std::collections::HashSet;
use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    for var in [
        "ZEPHYR_BASE",
        "INCLUDE_DIRS",
        "INCLUDE_DEFINES",
        "DOTCONFIG",
        "ATOMVM_PORTS_HAL_WRAPPER",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    println!("cargo:rerun-if-changed=wrapper.h");
    println!("cargo:rerun-if-changed=../../include/atomvm_ports/bindgen_prologue.h");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(zephyr_i2c, zephyr_spi, zephyr_gpio, zephyr_i2c_callback, zephyr_spi_async)");

    let zephyr_base = need("ZEPHYR_BASE");
    let dotconfig = need("DOTCONFIG");
    let wrapper_c = PathBuf::from(need("ATOMVM_PORTS_HAL_WRAPPER"));
    println!("cargo:rerun-if-changed={dotconfig}");

    let config = kconfig_bools(&dotconfig);
    if !config.contains("CONFIG_ATOMVM_PORTS_HAL") {
        panic!(
            "zephyr-hal-adapters: set CONFIG_ATOMVM_PORTS_HAL=y in the application's prj.conf; \
             it compiles the generated C wrappers into the image"
        );
    }
    let on = |name: &str| config.contains(name);
    for (kconfig, cfg) in [
        ("CONFIG_I2C", "zephyr_i2c"),
        ("CONFIG_SPI", "zephyr_spi"),
        ("CONFIG_GPIO", "zephyr_gpio"),
        ("CONFIG_I2C_CALLBACK", "zephyr_i2c_callback"),
        ("CONFIG_SPI_ASYNC", "zephyr_spi_async"),
    ] {
        if on(kconfig) {
            println!("cargo:rustc-cfg={cfg}");
        }
    }

    // zephyr-lang-rust uses rustc's target names; clang only needs the architecture, and the
    // RISC-V ISA variants do not change any layout.
    let target = env::var("TARGET").expect("TARGET");
    let target = if target.starts_with("riscv32") {
        "riscv32-unknown-none-elf".to_string()
    } else if target.starts_with("riscv64") {
        "riscv64-unknown-none-elf".to_string()
    } else {
        target
    };

    let header = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"))
        .join("wrapper.h");
    let mut builder = bindgen::Builder::default()
        .header(header.to_str().expect("UTF-8 path"))
        .use_core()
        .clang_arg("-DRUST_BINDGEN")
        .clang_arg(format!("-I{zephyr_base}/lib/libc/minimal/include"))
        .clang_arg(format!("--target={target}"));
    for dir in split_list(&need("INCLUDE_DIRS")) {
        builder = builder.clang_arg(format!("-I{dir}"));
    }
    for def in split_list(&need("INCLUDE_DEFINES")) {
        builder = builder.clang_arg(format!("-D{def}"));
    }

    if let Some(dir) = wrapper_c.parent() {
        fs::create_dir_all(dir).expect("creating the wrapper's directory");
    }
    builder = builder
        .wrap_static_fns(true)
        .wrap_static_fns_path(&wrapper_c)
        // Distinct from zephyr-sys's `__extern`, so both wrapper files can define a wrapper of
        // the same function (gpio_* is in both allowlists) without a duplicate symbol.
        .wrap_static_fns_suffix("__atomvm_hal")
        .derive_default(true)
        .derive_copy(false)
        .derive_debug(false)
        .layout_tests(false)
        .prepend_enum_name(false)
        .default_enum_style(bindgen::EnumVariation::Consts)
        .allowlist_type("atomvm_hal_consts")
        .allowlist_type("atomvm_hal_errno_index")
        .allowlist_var("atomvm_hal_errnos")
        .allowlist_item("ATOMVM_HAL_.*")
        .allowlist_function("device_is_ready");
    if on("CONFIG_I2C") {
        builder = builder
            .allowlist_function("i2c_.*")
            .allowlist_type("i2c_.*")
            .allowlist_item("I2C_MSG_.*");
    }
    if on("CONFIG_SPI") {
        builder = builder
            .allowlist_function("spi_.*")
            .allowlist_type("spi_.*")
            .allowlist_item("SPI_.*");
    }
    if on("CONFIG_GPIO") {
        builder = builder
            .allowlist_function("gpio_.*")
            .allowlist_type("gpio_.*");
    }
    // Raw bindings only (no adapter): for ports such as `display`.
    if on("CONFIG_DISPLAY") {
        builder = builder
            .allowlist_function("display_.*")
            .allowlist_type("display_.*");
    }
    if on("CONFIG_LED") {
        builder = builder.allowlist_function("led_set_brightness");
    }
    // Raw bindings for the `audio` port: I2S TX and the audio codec API.
    if on("CONFIG_I2S") {
        builder = builder
            .allowlist_function("i2s_.*")
            .allowlist_type("i2s_.*");
    }
    if on("CONFIG_AUDIO_CODEC") {
        builder = builder
            .allowlist_function("audio_codec_.*")
            .allowlist_type("audio_.*");
    }

    let bindings = builder
        .generate()
        .expect("bindgen failed on Zephyr's I2C/SPI/GPIO headers");
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    bindings
        .write_to_file(out.join("bindings.rs"))
        .expect("writing bindings.rs");
}

fn need(var: &str) -> String {
    env::var(var).unwrap_or_else(|_| {
        panic!(
            "zephyr-hal-adapters: {var} is not set; build this crate as part of a Zephyr \
             application (rust_cargo_application()) with the atomvm_ports module and \
             CONFIG_ATOMVM_PORTS_HAL=y"
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
