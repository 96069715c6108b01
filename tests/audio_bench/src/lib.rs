// SPDX-License-Identifier: Apache-2.0

//! The audio benchmark's Rust side: runs the VM with the ports enabled in Kconfig (`audio`) and
//! the test port `audio_bench`, whose calls run on the VM thread (src/bench.c does the work):
//! - `busy_ns` -> `{ok, Ns}`: the VM thread's busy time so far;
//! - `cycles` -> `{ok, Cycles}`: the cycle counter (32 bits, wrapping);
//! - `last_write` -> `{ok, Cycles}`: the cycle counter when the speaker's emulator last
//!   queued a block;
//! - `cycles_per_sec` -> `{ok, Hz}`;
//! - `emulated_time_runs` -> `true | false`: whether emulated time advances while code runs
//!   (not on native_sim, where it stands still until the CPU idles: cycles mean nothing);
//! - `{c_baseline, BlockBytes, N}` -> `{ok, [Cycles]}`: the C baseline's cycles per block.

#![no_std]

extern crate alloc;

use alloc::vec::Vec;

use atomvm_port::encode::ok;
use atomvm_port::vm::{Call, Open, Port, PortDriver, Replied, VmRequest, VmTerm};
use atomvm_port::Error;

static AUDIO_BENCH: PortDriver = PortDriver::new::<AudioBench>(c"audio_bench");

/// The most blocks `c_baseline` times in one call (the baseline's slab, prj.conf).
const MAX_BLOCKS: u32 = 32;

extern "C" {
    fn audio_bench_thread_busy_ns() -> u64;
    fn audio_bench_cycles() -> u32;
    fn audio_bench_cycles_per_sec() -> u32;
    fn audio_bench_speaker_last_write(cycles: *mut u32) -> i32;
    fn audio_bench_emulated_time_runs() -> bool;
    fn audio_bench_c_baseline(block_bytes: u32, n: u32, out: *mut u32) -> i32;
}

struct AudioBench;

impl Port for AudioBench {
    fn open(_cx: &mut Open, opts: VmTerm<'_>) -> Result<Self, Error> {
        opts.options()?.only(&[])?;
        Ok(AudioBench)
    }

    fn call(&mut self, call: &mut Call, req: VmRequest<'_>) -> Result<Replied, Error> {
        if req.is("busy_ns") {
            req.args::<0>()?;
            // SAFETY: no arguments; reads the calling thread's clock.
            let ns = unsafe { audio_bench_thread_busy_ns() };
            call.reply(&ok(i64::try_from(ns).unwrap_or(i64::MAX)))
        } else if req.is("cycles") {
            req.args::<0>()?;
            // SAFETY: no arguments.
            call.reply(&ok(unsafe { audio_bench_cycles() }))
        } else if req.is("cycles_per_sec") {
            req.args::<0>()?;
            // SAFETY: no arguments.
            call.reply(&ok(unsafe { audio_bench_cycles_per_sec() }))
        } else if req.is("emulated_time_runs") {
            req.args::<0>()?;
            // SAFETY: no arguments.
            call.reply(&unsafe { audio_bench_emulated_time_runs() })
        } else if req.is("last_write") {
            req.args::<0>()?;
            let mut c = 0u32;
            // SAFETY: `c` is a valid out pointer for the call.
            if unsafe { audio_bench_speaker_last_write(&mut c) } != 0 {
                return Err(Error::IO);
            }
            call.reply(&ok(c))
        } else if req.is("c_baseline") {
            let [bytes, n] = req.args::<2>()?;
            let bytes: u32 = bytes.int()?;
            let n: u32 = n.int()?;
            if n > MAX_BLOCKS {
                return Err(Error::BADARG);
            }
            let mut out: Vec<u32> = Vec::new();
            out.try_reserve(n as usize).map_err(|_| Error::NO_MEMORY)?;
            out.resize(n as usize, 0);
            // SAFETY: `out` holds `n` elements, the most the call writes.
            if unsafe { audio_bench_c_baseline(bytes, n, out.as_mut_ptr()) } != 0 {
                return Err(Error::IO);
            }
            call.reply(&ok(out))
        } else {
            Err(Error::UNKNOWN_COMMAND)
        }
    }
}

#[no_mangle]
extern "C" fn rust_main() {
    // SAFETY: called once, before any other thread logs.
    unsafe { zephyr::set_logger().ok() };
    let rc = atomvm_ports::run(&[&AUDIO_BENCH]);
    zephyr::printkln!("VM finished: {rc}");
}
