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
    use zephyr_bindgen::{style, Env};

    pub fn generate() {
        let env = Env::new(
            "atomvm-display-port (feature vm)",
            "CONFIG_ATOMVM_PORT_DISPLAY=y",
        );
        // zephyr-hal binds the LED API only with CONFIG_LED (the glue refuses an LED
        // backlight without it).
        env.kconfig().cfgs(&[("CONFIG_LED", "zephyr_led")]);
        let header = env.manifest_path("include/atomvm_display.h");
        let bindings = style(
            env.bare_builder()
                .header(header.to_str().expect("UTF-8 path"))
                .clang_arg("-ffreestanding"),
        )
        .allowlist_function("atomvm_display_.*")
        .allowlist_type("atomvm_display_.*")
        .opaque_type("device")
        .derive_copy(true)
        .derive_debug(true)
        .generate()
        .expect("bindgen failed on include/atomvm_display.h");
        env.write(bindings, "glue.rs");
    }
}
