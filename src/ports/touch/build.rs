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
    use zephyr_bindgen::{seed, style, Env};

    pub fn generate() {
        let env = Env::new(
            "atomvm-touch-port (feature vm)",
            "CONFIG_ATOMVM_PORT_TOUCH=y",
        );
        // The instance count and the table's layout follow the devicetree.
        env.watch_devicetree();
        let config = env.kconfig();
        let bridge = config.is_set("CONFIG_ATOMVM_PORT_TOUCH_INPUT_BRIDGE");
        let i2c = config.is_set("CONFIG_I2C") && config.is_set("CONFIG_GPIO");
        if bridge {
            println!("cargo:rustc-cfg=touch_input_bridge");
        }
        if i2c {
            println!("cargo:rustc-cfg=touch_i2c");
        }
        // The input API for `struct input_event`, then our header.
        let seed = seed(
            &["zephyr/input/input.h"],
            &[env.manifest_path("include/atomvm_touch.h")],
        );
        // The device and spec types are zephyr-hal's (same headers, one Rust type each), so
        // the table's pointers go straight to its adapters.
        let mut raw = String::from("use zephyr_hal::raw::device;\n");
        if i2c {
            raw.push_str("use zephyr_hal::raw::{gpio_dt_spec, i2c_dt_spec};\n");
        } else {
            raw.push_str("pub enum gpio_dt_spec {}\npub enum i2c_dt_spec {}\n");
        }
        let bindings = style(env.builder().header_contents("touch_seed.h", &seed))
            .allowlist_type("atomvm_touch_screen|atomvm_touch_consts|input_event")
            .allowlist_var("atomvm_touch_screens|atomvm_touch_default")
            .blocklist_type("device|i2c_dt_spec|gpio_dt_spec")
            .raw_line(raw)
            .derive_default(false)
            .generate()
            .expect("bindgen failed on include/atomvm_touch.h");
        env.write(bindings, "touch_bindings.rs");
    }
}
