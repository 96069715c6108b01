// SPDX-License-Identifier: Apache-2.0

//! The touch test's Rust side: runs the VM with the ports enabled in Kconfig (`touch`) and the
//! test port `touch_emul`, which drives the emulated FT5x06 (tests/ft5x06/src/ft5x06_emul.c).
//!
//! `touch_emul` requests (`Target`: `main`, the emulated chip the Rust driver reads for
//! touch_port, the default; `bridge`, the one Zephyr's ft5336 driver reads; `second`, the one of
//! touch_second; `broken`, the one of touch_broken):
//! - `{set_reg, Target, Reg, Value}` -> `ok` (a register of the emulated chip);
//! - `{set_points, [Target,] [{X, Y, Id, Flag, Weight}]}` -> `ok` (0..=5 points; `Flag` 0 down,
//!   1 up, 2 contact, 3 none; fewer points clear the rest);
//! - `raise_int` | `{raise_int, Target}` -> `ok` (INT active then inactive, from this thread);
//! - `{flood, [Target,] N, PeriodUs}` -> `ok`: a k_timer raises INT N times from interrupt
//!   context, moving the contact (id 0, y 100, x 10, 11, ...) before each raise;
//! - `{bench_raise, Target, X, down | move}` -> `ok`: the contact to (X, 100), a time stamp,
//!   INT raised from interrupt context (irq_offload);
//! - `bench_since` -> nanoseconds (saturated to 32 bits) since the last `bench_raise` or
//!   `bench_mark` (host wall time on native_sim); `bench_mark` -> `ok`.
//! - `flood_status` -> `{ok, Raised, running | done}`.

#![no_std]

use core::ffi::c_void;

use atomvm_port::vm::{Call, Open, Port, PortDriver, PortStats, Replied, VmRequest, VmTerm};
use atomvm_port::{atom, Error};

static TOUCH_EMUL: PortDriver = PortDriver::new::<TouchEmul>(c"touch_emul");

/// `struct ft5x06_emul_point` (tests/ft5x06/src/ft5x06_emul.h).
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct EmulPoint {
    x: u16,
    y: u16,
    id: u8,
    event: u8,
    weight: u8,
}

extern "C" {
    fn touch_emul_target(which: i32) -> *const c_void;
    fn ft5x06_emul_set_points(target: *const c_void, pts: *const EmulPoint, n: usize) -> i32;
    fn ft5x06_emul_raise_int(target: *const c_void) -> i32;
    fn ft5x06_emul_set_reg(target: *const c_void, reg: u8, value: u8);
    fn touch_emul_flood(which: i32, n: u32, period_us: u32);
    fn touch_emul_bench_raise(which: i32, x: u16, down: bool);
    fn touch_emul_bench_since_ns() -> u64;
    fn touch_emul_bench_mark();
    fn touch_emul_flood_raised() -> u32;
    fn touch_emul_flood_running() -> bool;
}

struct TouchEmul;

/// The optional leading `Target` of a request: `(chip index, args it took)`.
fn target(req: &VmRequest<'_>, base: usize) -> Result<(i32, usize), Error> {
    if req.argc() == base {
        return Ok((0, 0));
    }
    let t = match req.argc() {
        1 => req.args::<1>()?[0],
        2 => req.args::<2>()?[0],
        3 => req.args::<3>()?[0],
        _ => return Err(Error::BADARG),
    };
    if t.is_atom("main") {
        Ok((0, 1))
    } else if t.is_atom("bridge") {
        Ok((1, 1))
    } else if t.is_atom("second") {
        Ok((2, 1))
    } else if t.is_atom("broken") {
        Ok((3, 1))
    } else {
        Err(Error::BADARG)
    }
}

impl Port for TouchEmul {
    fn open(_cx: &mut Open, opts: VmTerm<'_>) -> Result<Self, Error> {
        opts.options()?.only(&[])?;
        Ok(TouchEmul)
    }

    fn call(&mut self, call: &mut Call, req: VmRequest<'_>) -> Result<Replied, Error> {
        if req.is("set_points") {
            let (which, skip) = target(&req, 1)?;
            let list = if skip == 0 {
                req.args::<1>()?[0]
            } else {
                req.args::<2>()?[1]
            };
            let mut pts = [EmulPoint::default(); 5];
            let mut n = 0;
            for item in list.list()? {
                let [x, y, id, flag, weight] = item?.tuple_n::<5>()?;
                let p = pts.get_mut(n).ok_or(Error::OUT_OF_RANGE)?;
                *p = EmulPoint {
                    x: x.int_in(0u16..=0xFFF)?,
                    y: y.int_in(0u16..=0xFFF)?,
                    id: id.int_in(0u8..=15)?,
                    event: flag.int_in(0u8..=3)?,
                    weight: weight.int()?,
                };
                n += 1;
            }
            // SAFETY: `pts` holds `n` points.
            unsafe { ft5x06_emul_set_points(touch_emul_target(which), pts.as_ptr(), n) };
            call.reply(&())
        } else if req.is("set_reg") {
            let (which, _) = target(&req, 2)?;
            let [_, reg, value] = req.args::<3>()?;
            // SAFETY: plain C helper on an emulator instance.
            unsafe { ft5x06_emul_set_reg(touch_emul_target(which), reg.int()?, value.int()?) };
            call.reply(&())
        } else if req.is("raise_int") {
            let (which, _) = target(&req, 0)?;
            // SAFETY: plain C helper on an emulator instance.
            if unsafe { ft5x06_emul_raise_int(touch_emul_target(which)) } != 0 {
                return Err(Error::IO);
            }
            call.reply(&())
        } else if req.is("flood") {
            let (which, skip) = target(&req, 2)?;
            let [n, period] = if skip == 0 {
                req.args::<2>()?
            } else {
                let [_, n, p] = req.args::<3>()?;
                [n, p]
            };
            let (n, period) = (n.int_in(1u32..=100_000)?, period.int_in(10u32..=1_000_000)?);
            // SAFETY: plain C helper.
            unsafe { touch_emul_flood(which, n, period) };
            call.reply(&())
        } else if req.is("bench_raise") {
            let (which, _) = target(&req, 2)?;
            let [_, x, kind] = req.args::<3>()?;
            let x = x.int_in(0u16..=0xFFF)?;
            let down = if kind.is_atom("down") {
                true
            } else if kind.is_atom("move") {
                false
            } else {
                return Err(Error::BADARG);
            };
            // SAFETY: plain C helper.
            unsafe { touch_emul_bench_raise(which, x, down) };
            call.reply(&())
        } else if req.is("bench_since") {
            req.args::<0>()?;
            // SAFETY: plain C helper.
            let ns = unsafe { touch_emul_bench_since_ns() };
            call.reply(&u32::try_from(ns).unwrap_or(u32::MAX))
        } else if req.is("bench_mark") {
            req.args::<0>()?;
            // SAFETY: plain C helper.
            unsafe { touch_emul_bench_mark() };
            call.reply(&())
        } else if req.is("flood_status") {
            req.args::<0>()?;
            // SAFETY: plain C helpers.
            let (raised, running) =
                unsafe { (touch_emul_flood_raised(), touch_emul_flood_running()) };
            let state = if running { "running" } else { "done" };
            call.reply(&(atom("ok"), raised, atom(state)))
        } else {
            Err(Error::UNKNOWN_COMMAND)
        }
    }
}

#[no_mangle]
extern "C" fn rust_main() {
    // SAFETY: called once, before any other thread logs.
    unsafe { zephyr::set_logger().ok() };
    let rc = atomvm_ports::run(&[&TOUCH_EMUL]);
    let s = PortStats::get();
    let (made, released) = touch_port::monitor_counts();
    zephyr::printkln!(
        "VM finished: {rc}; port states opened {}, dropped {}; touch monitors made {}, released {}",
        s.opened,
        s.dropped,
        made,
        released
    );
}
