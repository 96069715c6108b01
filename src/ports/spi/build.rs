// SPDX-License-Identifier: Apache-2.0

//! With feature `vm`: bindings to `include/atomvm_spi.h` (the devicetree tables and the bus
//! lookup of `spi_glue.c`), generated in the application's build. Without it (the host tests)
//! nothing happens.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "vm")]
    vm::generate();
}

#[cfg(feature = "vm")]
mod vm {
    use zephyr_bindgen::{seed, style, Env};

    pub fn generate() {
        let env = Env::new("atomvm-spi-port (feature vm)", "CONFIG_ATOMVM_PORT_SPI=y");
        env.watch_devicetree();
        let seed = seed(&[], &[env.manifest_path("include/atomvm_spi.h")]);
        // The device and GPIO spec types are zephyr-hal's (same headers, one Rust type).
        let bindings = style(env.builder().header_contents("spi_seed.h", &seed))
            .allowlist_type("atomvm_spi_cs_bus|atomvm_spi_child")
            .allowlist_var("atomvm_spi_.*")
            .allowlist_function("atomvm_spi_.*")
            .blocklist_type("device|gpio_dt_spec")
            .raw_line("use zephyr_hal::raw::{device, gpio_dt_spec};")
            .derive_default(false)
            .generate()
            .expect("bindgen failed on include/atomvm_spi.h");
        env.write(bindings, "spi_bindings.rs");
    }
}
