// SPDX-License-Identifier: Apache-2.0

//! Registers the `touch` port and runs the Erlang app (src/touch_demo.erl).

#![no_std]

#[no_mangle]
extern "C" fn rust_main() {
    // SAFETY: called once, before any other thread logs.
    if unsafe { zephyr::set_logger() }.is_err() {
        zephyr::printkln!("touch sample: no logger");
    }
    let rc = atomvm_port::vm::run(&[&touch_port::DRIVER]);
    log::info!("AtomVM finished: {rc}");
}
