// SPDX-License-Identifier: Apache-2.0

//! The smallest Rust application on our module: log through the `log` crate into Zephyr
//! logging and read one of the module's Kconfig values.

#![no_std]

use log::{info, warn};
use zephyr::kconfig;

#[no_mangle]
extern "C" fn rust_main() {
    // SAFETY: called once at start-up, before any other thread uses the logger.
    if unsafe { zephyr::set_logger() }.is_err() {
        zephyr::printkln!("hello: a logger was already installed");
    }

    info!("Hello from Rust on {}", kconfig::CONFIG_BOARD);
    info!(
        "drain thread priority: {}",
        kconfig::CONFIG_ATOMVM_PORTS_DRAIN_THREAD_PRIORITY
    );
    warn!("warnings reach Zephyr logging too");
}
