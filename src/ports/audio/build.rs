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
    use zephyr_bindgen::{seed, style, Env};

    pub fn generate() {
        let env = Env::new(
            "atomvm-audio-port (feature vm)",
            "CONFIG_ATOMVM_PORT_AUDIO=y",
        );
        // The instance count follows the devicetree.
        env.watch_devicetree();
        env.kconfig().cfgs(&[("CONFIG_AUDIO_CODEC", "audio_codec")]);
        let seed = seed(&[], &[env.manifest_path("include/atomvm_audio.h")]);
        // The device type is zephyr-hal's (same headers, one Rust type), so the table's
        // pointers go straight to its raw I2S and codec calls.
        let bindings = style(env.builder().header_contents("audio_seed.h", &seed))
            .allowlist_type("atomvm_audio_node|atomvm_audio_consts")
            .allowlist_var("atomvm_audio_nodes|atomvm_audio_default")
            .blocklist_type("device")
            .raw_line("use zephyr_hal::raw::device;")
            .derive_default(false)
            .generate()
            .expect("bindgen failed on include/atomvm_audio.h");
        env.write(bindings, "audio_bindings.rs");
    }
}
