// SPDX-License-Identifier: Apache-2.0

//! The audio test's Rust side: runs the VM with the ports enabled in Kconfig (`audio`) and the
//! test port `audio_emul`, which reads the emulators back (`Which`: `speaker`, the I2S
//! emulator behind the node with the codec; `line_out`, the one without):
//! - `{capture, Which}` -> `{ok, Binary}`: every byte played since the last read or reset,
//!   oldest first (consumed);
//! - `{capture_reset, Which}` -> `ok`: empties the capture and zeroes the counters;
//! - `{counters, Which}` -> `{ok, [{played_bytes, N}, {underruns, N}, {capture_dropped, N},
//!   {tx_state, not_ready | ready | running | stopping | error}, {tx_queued, N}]}`;
//! - `codec` -> `{ok, [{volume, L}, {muted, Bool}, {started, Bool}, {configured, Bool},
//!   {rate, Hz}, {bits, N}, {channels, N}]}` of the speaker's codec;
//! - `block_counts` -> `{ok, Taken, Returned}`: the audio port's slab blocks over all its
//!   ports since boot.

#![no_std]

extern crate alloc;

use alloc::vec::Vec;
use core::ffi::c_void;

use atomvm_emul::{CodecEmul, I2sEmul, I2sState};
use atomvm_port::encode::ok;
use atomvm_port::vm::{Call, Open, Port, PortDriver, PortStats, Replied, VmRequest, VmTerm};
use atomvm_port::{atom, Binary, Encode, Error, Sink};

static AUDIO_EMUL: PortDriver = PortDriver::new::<AudioEmul>(c"audio_emul");

extern "C" {
    fn audio_test_i2s(which: i32) -> *const c_void;
    fn audio_test_codec() -> *const c_void;
}

/// The capture ring holds at most CONFIG_ATOMVM_I2S_EMUL_CAPTURE_SIZE bytes (prj.conf).
const CAPTURE_MAX: usize = 65536;

fn i2s(which: VmTerm<'_>) -> Result<I2sEmul, Error> {
    let n = if which.is_atom("speaker") {
        0
    } else if which.is_atom("line_out") {
        1
    } else {
        return Err(Error::BADARG);
    };
    // SAFETY: a static device of this image (emul_support.c).
    Ok(unsafe { I2sEmul::from_device(audio_test_i2s(n)) })
}

fn state_name(s: I2sState) -> &'static str {
    match s {
        I2sState::NotReady => "not_ready",
        I2sState::Ready => "ready",
        I2sState::Running => "running",
        I2sState::Stopping => "stopping",
        I2sState::Error => "error",
        I2sState::Unknown(_) => "unknown",
    }
}

struct AudioEmul;

impl Port for AudioEmul {
    fn open(_cx: &mut Open, opts: VmTerm<'_>) -> Result<Self, Error> {
        opts.options()?.only(&[])?;
        Ok(AudioEmul)
    }

    fn call(&mut self, call: &mut Call, req: VmRequest<'_>) -> Result<Replied, Error> {
        if req.is("capture") {
            let [which] = req.args::<1>()?;
            let dev = i2s(which)?;
            let mut out = Vec::new();
            out.try_reserve(CAPTURE_MAX).map_err(|_| Error::NO_MEMORY)?;
            out.resize(CAPTURE_MAX, 0);
            let mut n = 0;
            while n < out.len() {
                match dev.capture_read(&mut out[n..]) {
                    Ok(0) => break,
                    Ok(k) => n += k,
                    Err(_) => return Err(Error::IO),
                }
            }
            call.reply(&ok(Binary(&out[..n])))
        } else if req.is("capture_reset") {
            let [which] = req.args::<1>()?;
            i2s(which)?.capture_reset().map_err(|_| Error::IO)?;
            call.reply(&())
        } else if req.is("counters") {
            let [which] = req.args::<1>()?;
            let c = i2s(which)?.counters().map_err(|_| Error::IO)?;
            call.reply(&ok([
                (atom("played_bytes"), num(c.played_bytes)),
                (atom("underruns"), num(u64::from(c.underruns))),
                (atom("capture_dropped"), num(c.capture_dropped)),
                (atom("tx_state"), Counter::State(state_name(c.tx()))),
                (atom("tx_queued"), num(u64::from(c.tx_queued))),
            ]))
        } else if req.is("codec") {
            req.args::<0>()?;
            // SAFETY: a static device of this image (emul_support.c).
            let codec = unsafe { CodecEmul::from_device(audio_test_codec()) };
            let s = codec.state().map_err(|_| Error::IO)?;
            call.reply(&ok([
                (atom("volume"), Counter::Int(i64::from(s.volume_left))),
                (atom("muted"), Counter::Bool(s.muted())),
                (atom("started"), Counter::Bool(s.started())),
                (atom("configured"), Counter::Bool(s.configured != 0)),
                (atom("rate"), Counter::Int(i64::from(s.rate))),
                (atom("bits"), Counter::Int(i64::from(s.bits))),
                (atom("channels"), Counter::Int(i64::from(s.channels))),
            ]))
        } else if req.is("block_counts") {
            req.args::<0>()?;
            let (taken, returned) = audio_port::block_counts();
            call.reply(&(atom("ok"), taken, returned))
        } else {
            Err(Error::UNKNOWN_COMMAND)
        }
    }
}

/// A value of a `{Key, Value}` pair: an integer, a boolean or a state atom.
enum Counter {
    Int(i64),
    Bool(bool),
    State(&'static str),
}

fn num(v: u64) -> Counter {
    Counter::Int(i64::try_from(v).unwrap_or(i64::MAX))
}

impl Encode for Counter {
    fn words<S: Sink + ?Sized>(&self, s: &S) -> usize {
        match self {
            Counter::Int(v) => v.words(s),
            Counter::Bool(_) | Counter::State(_) => 0,
        }
    }
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        match self {
            Counter::Int(v) => v.encode(s),
            Counter::Bool(b) => b.encode(s),
            Counter::State(a) => s.atom(a),
        }
    }
}

#[no_mangle]
extern "C" fn rust_main() {
    // SAFETY: called once, before any other thread logs.
    unsafe { zephyr::set_logger().ok() };
    let rc = atomvm_ports::run(&[&AUDIO_EMUL]);
    // The suite leaves a port playing on purpose: the VM's stop must drop it and get every
    // block back.
    let s = PortStats::get();
    let (taken, returned) = audio_port::block_counts();
    zephyr::printkln!(
        "VM finished: {rc}; port states opened {}, dropped {}; audio blocks taken {}, returned {}",
        s.opened,
        s.dropped,
        taken,
        returned
    );
}
