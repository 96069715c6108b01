// SPDX-License-Identifier: Apache-2.0

//! The spi test's Rust side: runs the VM with the ports enabled in Kconfig (`spi`) and the
//! test port `spi_emul`, which reads the register files back (`Which`: `a`, `b` and the
//! LIS3DH `accel` on `spi_bus`, `c` on `spi_bus2`, see app.overlay):
//! - `{regs, Which, Reg, Len}` -> `{ok, Binary}`: `Len` registers from `Reg` on;
//! - `{set_regs, Which, Reg, Binary}` -> `ok`;
//! - `{reset, Which}` -> `ok`: counters zeroed, last configuration and faults forgotten;
//! - `{counters, Which}` -> `{ok, [{transfers, N}, {frames, N}, {read_frames, N},
//!   {write_frames, N}, {bytes, N}, {failed, N}]}`;
//! - `{last_config, Which}` -> `{ok, [{seen, 0 | 1}, {frequency, Hz}, {mode, 0..3},
//!   {word_size, Bits}, {lsb_first, 0 | 1}, {slave, N}, {cs_is_gpio, 0 | 1}]}`;
//! - `{fail_next, Which, N, Errno}` -> `ok`: the next `N` transfers fail with `-Errno`;
//! - `spi_counts` -> `{ok, {Created, Destroyed}, {Submitted, Completed, Delivered,
//!   Cancelled, Leaked}}`: the spi port's totals since boot;
//! - `spi_unstarted` -> `{ok, N}`: transfers closing ports cancelled before they reached the
//!   driver, since boot;
//! - `{async_counts, Bus}` (`spi_bus`, `spi_bus2`) -> `{ok, [{sync_calls, N}, {async_calls, N},
//!   {callbacks, N}, {callbacks_in_isr, N}]}` from the bus's emulated async controller
//!   (async.overlay), `{error, no_device}` on the plain scenario's controllers;
//! - `{async_delay, Bus, Us}` -> `ok`: that controller's completion delay from now on.

#![no_std]

extern crate alloc;

use alloc::vec;
use core::ffi::c_void;

use atomvm_emul::SpiRegsEmul;
use atomvm_port::encode::ok;
use atomvm_port::vm::{Call, Open, Port, PortDriver, PortStats, Replied, VmRequest, VmTerm};
use atomvm_port::{atom, Binary, Error};

static SPI_EMUL: PortDriver = PortDriver::new::<SpiEmul>(c"spi_emul");

extern "C" {
    fn spi_test_emul(which: i32) -> *const c_void;
    fn spi_test_async_counts(which: i32, out: *mut u32) -> i32;
    fn spi_test_async_delay(which: i32, us: u32) -> i32;
}

fn bus(which: VmTerm<'_>) -> Result<i32, Error> {
    if which.is_atom("spi_bus") {
        Ok(0)
    } else if which.is_atom("spi_bus2") {
        Ok(1)
    } else {
        Err(Error::BADARG)
    }
}

fn emul(which: VmTerm<'_>) -> Result<SpiRegsEmul, Error> {
    let n = if which.is_atom("a") {
        0
    } else if which.is_atom("b") {
        1
    } else if which.is_atom("c") {
        2
    } else if which.is_atom("accel") {
        3
    } else {
        return Err(Error::BADARG);
    };
    // SAFETY: a static emulator of this image (emul_support.c).
    Ok(unsafe { SpiRegsEmul::from_emul(spi_test_emul(n)) })
}

struct SpiEmul;

impl Port for SpiEmul {
    fn open(_cx: &mut Open, opts: VmTerm<'_>) -> Result<Self, Error> {
        opts.options()?.only(&[])?;
        Ok(SpiEmul)
    }

    fn call(&mut self, call: &mut Call, req: VmRequest<'_>) -> Result<Replied, Error> {
        if req.is("regs") {
            let [which, reg, len] = req.args::<3>()?;
            let e = emul(which)?;
            let reg = reg.int_in(0u16..=255)?;
            let len = len.int_in(0usize..=256)?;
            let mut out = vec![0u8; len];
            e.read(reg, &mut out).map_err(|_| Error::IO)?;
            call.reply(&ok(Binary(&out)))
        } else if req.is("set_regs") {
            let [which, reg, data] = req.args::<3>()?;
            let e = emul(which)?;
            let reg = reg.int_in(0u16..=255)?;
            e.write(reg, data.binary()?).map_err(|_| Error::IO)?;
            call.reply(&())
        } else if req.is("reset") {
            let [which] = req.args::<1>()?;
            emul(which)?.reset().map_err(|_| Error::IO)?;
            call.reply(&())
        } else if req.is("counters") {
            let [which] = req.args::<1>()?;
            let c = emul(which)?.counters().map_err(|_| Error::IO)?;
            call.reply(&ok([
                (atom("transfers"), c.transfers),
                (atom("frames"), c.frames),
                (atom("read_frames"), c.read_frames),
                (atom("write_frames"), c.write_frames),
                (atom("bytes"), c.bytes),
                (atom("failed"), c.failed),
            ]))
        } else if req.is("last_config") {
            let [which] = req.args::<1>()?;
            let c = emul(which)?.last_config().map_err(|_| Error::IO)?;
            call.reply(&ok([
                (atom("seen"), u32::from(c.seen)),
                (atom("frequency"), c.frequency),
                (atom("mode"), u32::from(c.mode)),
                (atom("word_size"), u32::from(c.word_size)),
                (atom("lsb_first"), u32::from(c.lsb_first)),
                (atom("slave"), u32::from(c.slave)),
                (atom("cs_is_gpio"), u32::from(c.cs_is_gpio)),
            ]))
        } else if req.is("fail_next") {
            let [which, n, errno] = req.args::<3>()?;
            let e = emul(which)?;
            let n = n.int_in(0u32..=1000)?;
            let errno = errno.int_in(1i32..=200)?;
            e.fail_next(n, -errno).map_err(|_| Error::IO)?;
            call.reply(&())
        } else if req.is("async_counts") {
            let [which] = req.args::<1>()?;
            let mut c = [0u32; 4];
            // SAFETY: fills four u32.
            if unsafe { spi_test_async_counts(bus(which)?, c.as_mut_ptr()) } < 0 {
                return Err(Error::NO_DEVICE);
            }
            call.reply(&ok([
                (atom("sync_calls"), c[0]),
                (atom("async_calls"), c[1]),
                (atom("callbacks"), c[2]),
                (atom("callbacks_in_isr"), c[3]),
            ]))
        } else if req.is("async_delay") {
            let [which, us] = req.args::<2>()?;
            let us = us.int_in(0u32..=1_000_000)?;
            // SAFETY: plain setter.
            if unsafe { spi_test_async_delay(bus(which)?, us) } < 0 {
                return Err(Error::NO_DEVICE);
            }
            call.reply(&())
        } else if req.is("spi_unstarted") {
            req.args::<0>()?;
            call.reply(&ok(spi_port::unstarted_count()))
        } else if req.is("spi_counts") {
            req.args::<0>()?;
            let (created, destroyed) = spi_port::config_counts();
            let [s, c, d, x, l] = spi_port::transfer_counts();
            call.reply(&(
                atom("ok"),
                (created as u32, destroyed as u32),
                (s, c, d, x, l),
            ))
        } else {
            Err(Error::UNKNOWN_COMMAND)
        }
    }
}

#[no_mangle]
extern "C" fn rust_main() {
    // SAFETY: called once, before any other thread logs.
    unsafe { zephyr::set_logger().ok() };
    let rc = atomvm_ports::run(&[&SPI_EMUL]);
    // The suite leaves a bus open with transfers in flight on purpose: the VM's stop must drop
    // the port, settle every transfer and destroy every configuration resource.
    let s = PortStats::get();
    let (created, destroyed) = spi_port::config_counts();
    let [submitted, completed, delivered, cancelled, leaked] = spi_port::transfer_counts();
    let unstarted = spi_port::unstarted_count();
    zephyr::printkln!(
        "VM finished: {rc}; port states opened {}, dropped {}; spi config resources created {created}, destroyed {destroyed}; spi transfers submitted {submitted}, completed {completed}, never started {unstarted}, settled {}, delivered or cancelled {}, leaked {leaked}",
        s.opened,
        s.dropped,
        completed + unstarted,
        delivered + cancelled
    );
    // The driver-callback scenario: callbacks the emulated controllers made, and how many of
    // them in interrupt context.
    let mut total = [0u32; 4];
    for which in 0..2 {
        let mut c = [0u32; 4];
        // SAFETY: fills four u32.
        if unsafe { spi_test_async_counts(which, c.as_mut_ptr()) } == 0 {
            for (t, v) in total.iter_mut().zip(c) {
                *t += v;
            }
        }
    }
    zephyr::printkln!(
        "spi async controllers: async calls {}, callbacks {}, in ISR {}",
        total[1],
        total[2],
        total[3]
    );
}
