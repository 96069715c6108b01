// SPDX-License-Identifier: Apache-2.0

//! Generates the bindings for Zephyr's I2C, SPI and GPIO APIs in the application's build.
//!
//! The environment is the one zephyr-lang-rust gives every cargo invocation (ZEPHYR_BASE,
//! INCLUDE_DIRS, INCLUDE_DEFINES, DOTCONFIG) plus ATOMVM_PORTS_HAL_WRAPPER from our module's
//! cargo config: the path of the C file that bindgen fills with out-of-line wrappers of the
//! static inline functions and that our CMake compiles into the image.

use zephyr_bindgen::{style, Env};

fn main() {
    let env = Env::new("zephyr-hal-adapters", "CONFIG_ATOMVM_PORTS_HAL=y");
    zephyr_bindgen::prologue();
    println!("cargo::rustc-check-cfg=cfg(zephyr_i2c, zephyr_spi, zephyr_gpio, zephyr_i2c_callback, zephyr_spi_async)");

    let config = env.kconfig();
    if !config.is_set("CONFIG_ATOMVM_PORTS_HAL") {
        panic!(
            "zephyr-hal-adapters: set CONFIG_ATOMVM_PORTS_HAL=y in the application's prj.conf; \
             it compiles the generated C wrappers into the image"
        );
    }
    let on = |name: &str| config.is_set(name);
    config.cfgs(&[
        ("CONFIG_I2C", "zephyr_i2c"),
        ("CONFIG_SPI", "zephyr_spi"),
        ("CONFIG_GPIO", "zephyr_gpio"),
        ("CONFIG_I2C_CALLBACK", "zephyr_i2c_callback"),
        ("CONFIG_SPI_ASYNC", "zephyr_spi_async"),
    ]);

    let header = env.manifest_path("wrapper.h");
    let wrapper_c = env.wrapper_file("ATOMVM_PORTS_HAL_WRAPPER");
    let mut builder = style(env.builder().header(header.to_str().expect("UTF-8 path")))
        .wrap_static_fns(true)
        .wrap_static_fns_path(&wrapper_c)
        // Distinct from zephyr-sys's `__extern`, so both wrapper files can define a wrapper of
        // the same function (gpio_* is in both allowlists) without a duplicate symbol.
        .wrap_static_fns_suffix("__atomvm_hal")
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
            .allowlist_type("atomvm_hal_spi_bus")
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
    env.write(bindings, "bindings.rs");
}
