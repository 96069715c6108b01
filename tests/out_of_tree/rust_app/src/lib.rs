// SPDX-License-Identifier: Apache-2.0

//! A port of the application's own, `oot_counter`, registered beside the ports enabled in
//! Kconfig (`display`):
//! - `open_port({spawn, "oot_counter"}, [{start, N}])` (N defaults to 0);
//! - `{bump, By}` (1..=100) -> `{ok, Count}`; anything else -> `{error, unknown_command}`.

#![no_std]

use atomvm_port::encode::ok;
use atomvm_port::vm::{Call, Open, Port, PortDriver, Replied, VmRequest, VmTerm};
use atomvm_port::Error;

static COUNTER: PortDriver = PortDriver::new::<Counter>(c"oot_counter");

struct Counter {
    n: u32,
}

impl Port for Counter {
    fn open(_cx: &mut Open, opts: VmTerm<'_>) -> Result<Self, Error> {
        let o = opts.options()?;
        o.only(&["start"])?;
        Ok(Counter {
            n: o.value_or("start", 0, |t| t.int())?,
        })
    }

    fn call(&mut self, call: &mut Call, req: VmRequest<'_>) -> Result<Replied, Error> {
        if req.is("bump") {
            let [by] = req.args::<1>()?;
            self.n = self
                .n
                .checked_add(by.int_in(1..=100)?)
                .ok_or(Error::OUT_OF_RANGE)?;
            call.reply(&ok(self.n))
        } else {
            Err(Error::UNKNOWN_COMMAND)
        }
    }
}

#[no_mangle]
extern "C" fn rust_main() {
    // SAFETY: called once, by Zephyr's main thread, before any Rust code logs.
    if unsafe { zephyr::set_logger() }.is_err() {
        zephyr::printkln!("rust_app: no logger");
    }
    let rc = atomvm_ports::run(&[&COUNTER]);
    zephyr::printkln!("rust_app: VM finished: {rc}");
}
