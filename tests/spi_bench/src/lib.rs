// SPDX-License-Identifier: Apache-2.0

//! The spi benchmark's Rust side: runs the VM with the ports enabled in Kconfig (`spi`), the C
//! port `spi_c` (src/spi_c_port.c) and the test port `spi_bench`, whose calls run on the VM
//! thread (src/bench.c does the work):
//! - `cycles` -> `{ok, Cycles}`: the clock (src/bench.c: a hardware timer, 32 bits, wrapping);
//! - `cycles_per_sec` -> `{ok, Hz}`: its rate;
//! - `measured_hz` -> `{ok, Hz}`: its rate measured against the system clock (100 ms);
//! - `emulated_time_runs` -> `true | false`: whether emulated time advances while code runs
//!   (not on native_sim, where it stands still until the CPU idles: cycles mean nothing);
//! - `device` -> `{ok, {Transfers, Bytes, Failed}, {Operation, Frequency, Slave}}`: the
//!   register file's counters and the spi_config of its last transfer;
//! - `{c_write_read, N, Reg}` -> `{ok, Cycles, Binary}`: the C baseline's `N` 4-byte register
//!   reads from `Reg` (all of them) and the last answer;
//! - `{c_write, Bytes, N}` -> `{ok, Cycles}`: the C baseline's `N` writes of `Bytes`.

#![no_std]

extern crate alloc;

use atomvm_port::encode::ok;
use atomvm_port::vm::{Call, Open, Port, PortDriver, PortStats, Replied, VmRequest, VmTerm};
use atomvm_port::{atom, Binary, Error};

static SPI_BENCH: PortDriver = PortDriver::new::<SpiBench>(c"spi_bench");

/// The most iterations one C baseline call runs (bounds the VM thread's time in the call).
const MAX_N: u32 = 10_000;
/// The largest C baseline write (src/bench.c's buffer).
const MAX_WRITE: u32 = 4096;

extern "C" {
    fn spi_bench_clock_start() -> i32;
    fn spi_bench_cycles() -> u32;
    fn spi_bench_cycles_per_sec() -> u32;
    fn spi_bench_measured_hz() -> u32;
    fn spi_bench_emulated_time_runs() -> bool;
    fn spi_bench_device(counts: *mut u32, config: *mut u32) -> i32;
    fn spi_bench_c_write_read(n: u32, reg: u8, rx: *mut u8, cycles: *mut u32) -> i32;
    fn spi_bench_c_write(bytes: u32, n: u32, cycles: *mut u32) -> i32;
}

struct SpiBench;

impl Port for SpiBench {
    fn open(_cx: &mut Open, opts: VmTerm<'_>) -> Result<Self, Error> {
        opts.options()?.only(&[])?;
        // SAFETY: no arguments; starts the timer once.
        if unsafe { spi_bench_clock_start() } != 0 {
            return Err(Error::IO);
        }
        Ok(SpiBench)
    }

    fn call(&mut self, call: &mut Call, req: VmRequest<'_>) -> Result<Replied, Error> {
        if req.is("cycles") {
            req.args::<0>()?;
            // SAFETY: no arguments.
            call.reply(&ok(unsafe { spi_bench_cycles() }))
        } else if req.is("cycles_per_sec") {
            req.args::<0>()?;
            // SAFETY: no arguments.
            call.reply(&ok(unsafe { spi_bench_cycles_per_sec() }))
        } else if req.is("measured_hz") {
            req.args::<0>()?;
            // SAFETY: no arguments; busy-waits 100 ms.
            call.reply(&ok(unsafe { spi_bench_measured_hz() }))
        } else if req.is("emulated_time_runs") {
            req.args::<0>()?;
            // SAFETY: no arguments.
            call.reply(&unsafe { spi_bench_emulated_time_runs() })
        } else if req.is("device") {
            req.args::<0>()?;
            let mut counts = [0u32; 3];
            let mut config = [0u32; 3];
            // SAFETY: both arrays hold the 3 elements the call writes.
            if unsafe { spi_bench_device(counts.as_mut_ptr(), config.as_mut_ptr()) } != 0 {
                return Err(Error::IO);
            }
            let [t, b, f] = counts;
            let [op, hz, slave] = config;
            call.reply(&(atom("ok"), (t, b, f), (op, hz, slave)))
        } else if req.is("c_write_read") {
            let [n, reg] = req.args::<2>()?;
            let n = n.int_in(1u32..=MAX_N)?;
            let reg = reg.int_in(0u8..=0x7f)?;
            let mut rx = [0u8; 4];
            let mut cycles = 0u32;
            // SAFETY: `rx` holds the 4 bytes the call writes, `cycles` is a valid out pointer.
            let rc = unsafe { spi_bench_c_write_read(n, reg, rx.as_mut_ptr(), &mut cycles) };
            if rc != 0 {
                return Err(Error::IO);
            }
            call.reply(&(atom("ok"), cycles, Binary(&rx)))
        } else if req.is("c_write") {
            let [bytes, n] = req.args::<2>()?;
            let bytes = bytes.int_in(1u32..=MAX_WRITE)?;
            let n = n.int_in(1u32..=MAX_N)?;
            let mut cycles = 0u32;
            // SAFETY: `cycles` is a valid out pointer for the call.
            if unsafe { spi_bench_c_write(bytes, n, &mut cycles) } != 0 {
                return Err(Error::IO);
            }
            call.reply(&ok(cycles))
        } else {
            Err(Error::UNKNOWN_COMMAND)
        }
    }
}

#[no_mangle]
extern "C" fn rust_main() {
    // SAFETY: called once, before any other thread logs.
    unsafe { zephyr::set_logger().ok() };
    let rc = atomvm_ports::run(&[&SPI_BENCH]);
    let s = PortStats::get();
    let [submitted, completed, delivered, cancelled, leaked] = spi_port::transfer_counts();
    zephyr::printkln!(
        "VM finished: {rc}; port states opened {}, dropped {}; spi transfers submitted {submitted}, completed {completed}, delivered {delivered}, cancelled {cancelled}, leaked {leaked}",
        s.opened,
        s.dropped
    );
}
