// SPDX-License-Identifier: Apache-2.0

//! The I2S emulator (capture, counters, pacing, underrun, WAV file) and the emulated audio
//! codec, read back through the Rust binding `atomvm-emul`. One line per case, `PASS <case>`
//! or `FAIL <case>: <why>`, then `audio_emul: <n> passed, <m> failed`.

#![no_std]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::ffi::c_void;

use atomvm_emul::{CodecEmul, Errno, I2sEmul, I2sState};
use zephyr::printkln;

extern "C" {
    fn at_i2s() -> *const c_void;
    fn at_codec() -> *const c_void;
    fn at_i2s_configure(rate: u32, block_size: u32) -> i32;
    fn at_i2s_write(buf: *const u8, len: usize) -> i32;
    fn at_i2s_trigger(cmd: i32) -> i32;
    fn at_sleep_ms(ms: i32);
    fn at_uptime_ms() -> i64;
    fn at_codec_configure(rate: u32, bits: u8, channels: u8) -> i32;
    fn at_codec_set(property: i32, channel: i32, value: i32) -> i32;
    fn at_codec_apply() -> i32;
    fn at_codec_output(on: bool);
    fn at_wav_read(hdr: *mut u8, data: *mut u8, max: usize) -> isize;
    fn at_wav_enabled() -> bool;
}

// enum i2s_trigger_cmd
const START: i32 = 0;
const DRAIN: i32 = 2;
const DROP: i32 = 3;
const PREPARE: i32 = 4;
// audio_property_t, audio_channel_t
const OUTPUT_VOLUME: i32 = 0;
const OUTPUT_MUTE: i32 = 1;
const INPUT_VOLUME: i32 = 2;
const FRONT_LEFT: i32 = 0;
const ALL: i32 = 11;

const RATE: u32 = 8000;
const BLOCK: usize = 128; // 32 frames of 16-bit stereo: 4 ms at 8 kHz
const EIO: i32 = 5;
const EINVAL: i32 = 22;

type Res = Result<(), String>;

macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(format!($($fmt)+));
        }
    };
}

fn eq<T: PartialEq + core::fmt::Debug>(what: &str, got: T, want: T) -> Res {
    ensure!(got == want, "{what}: got {got:?}, want {want:?}");
    Ok(())
}

fn codec_configure(rate: u32, bits: u8, channels: u8) -> i32 {
    // SAFETY: plain C call on the static codec.
    unsafe { at_codec_configure(rate, bits, channels) }
}

fn codec_set(property: i32, channel: i32, value: i32) -> i32 {
    // SAFETY: plain C call on the static codec.
    unsafe { at_codec_set(property, channel, value) }
}

fn codec_apply() -> i32 {
    // SAFETY: plain C call on the static codec.
    unsafe { at_codec_apply() }
}

fn codec_output(on: bool) {
    // SAFETY: plain C call on the static codec.
    unsafe { at_codec_output(on) }
}

fn i2s() -> I2sEmul {
    // SAFETY: DEVICE_DT_GET of the static emulator node.
    unsafe { I2sEmul::from_device(at_i2s()) }
}

fn configure() -> Res {
    // Leave whatever state a failed case left (DROP works in every state but NOT_READY).
    trigger(DROP);
    // SAFETY: plain C call.
    let ret = unsafe { at_i2s_configure(RATE, BLOCK as u32) };
    eq("configure", ret, 0)
}

fn write(block: &[u8]) -> i32 {
    // SAFETY: `block` is valid for reads of its length; the driver copies it.
    unsafe { at_i2s_write(block.as_ptr(), block.len()) }
}

fn trigger(cmd: i32) -> i32 {
    // SAFETY: plain C call.
    unsafe { at_i2s_trigger(cmd) }
}

fn sleep_ms(ms: i32) {
    // SAFETY: plain C call.
    unsafe { at_sleep_ms(ms) }
}

fn uptime_ms() -> i64 {
    // SAFETY: plain C call.
    unsafe { at_uptime_ms() }
}

/// Waits (bounded) until TX has left RUNNING / STOPPING; returns the final state.
fn wait_tx_idle() -> Result<I2sState, String> {
    for _ in 0..2000 {
        let c = i2s().counters().map_err(|e| format!("counters: {e:?}"))?;
        if c.tx() != I2sState::Running && c.tx() != I2sState::Stopping {
            return Ok(c.tx());
        }
        sleep_ms(1);
    }
    Err("TX still running after 2 s".into())
}

/// Bytes 0..n, different in every block (the block index in the high byte of each sample).
fn pattern(block: usize, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| {
            if i % 2 == 1 {
                block as u8
            } else {
                (i / 2) as u8
            }
        })
        .collect()
}

fn read_all(chunk: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; chunk];
    loop {
        let n = i2s()
            .capture_read(&mut buf)
            .map_err(|e| format!("capture_read: {e:?}"))?;
        if n == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n]);
    }
}

/// Plays `blocks` (started after the first, drained), returns the milliseconds from START to
/// the end of the drain.
fn play(blocks: &[Vec<u8>]) -> Result<i64, String> {
    configure()?;
    eq("write", write(&blocks[0]), 0)?;
    let t0 = uptime_ms();
    eq("START", trigger(START), 0)?;
    for b in &blocks[1..] {
        eq("write", write(b), 0)?;
    }
    eq("DRAIN", trigger(DRAIN), 0)?;
    eq("state after drain", wait_tx_idle()?, I2sState::Ready)?;
    Ok(uptime_ms() - t0)
}

fn capture_equals_written_across_blocks() -> Res {
    eq("reset", i2s().capture_reset(), Ok(()))?;
    // Five blocks, the last one short (whole frames).
    let mut blocks: Vec<Vec<u8>> = (0..4).map(|b| pattern(b, BLOCK)).collect();
    blocks.push(pattern(4, 64));
    play(&blocks)?;
    let want: Vec<u8> = blocks.concat();
    // Chunks of 100 bytes: reads that straddle block boundaries.
    let got = read_all(100)?;
    ensure!(
        got == want,
        "captured {} bytes differ from the {} written",
        got.len(),
        want.len()
    );
    let c = i2s().counters().map_err(|e| format!("{e:?}"))?;
    eq("played_blocks", c.played_blocks, 5)?;
    eq("played_bytes", c.played_bytes, want.len() as u64)?;
    eq("underruns", c.underruns, 0)?;
    eq("capture_pending", c.capture_pending, 0)?;
    eq("capture_dropped", c.capture_dropped, 0)
}

fn wav_file_holds_what_was_played() -> Res {
    let mut hdr = [0u8; 44];
    let mut data = vec![0u8; 4 * BLOCK + 64];
    // SAFETY: both buffers are valid for writes of the lengths given.
    let size = unsafe { at_wav_read(hdr.as_mut_ptr(), data.as_mut_ptr(), data.len()) };
    eq(
        "RIFF/WAVE",
        (&hdr[0..4], &hdr[8..12]),
        (&b"RIFF"[..], &b"WAVE"[..]),
    )?;
    let u16_at = |i: usize| u16::from_le_bytes([hdr[i], hdr[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes([hdr[i], hdr[i + 1], hdr[i + 2], hdr[i + 3]]);
    eq("format (PCM)", u16_at(20), 1)?;
    eq("channels", u16_at(22), 2)?;
    eq("rate", u32_at(24), RATE)?;
    eq("bits", u16_at(34), 16)?;
    eq("RIFF size", u32_at(4), 36 + size as u32)?;
    // Everything played so far: the first case's five blocks.
    eq("data size", size, data.len() as isize)?;
    let mut blocks: Vec<Vec<u8>> = (0..4).map(|b| pattern(b, BLOCK)).collect();
    blocks.push(pattern(4, 64));
    ensure!(
        data == blocks.concat(),
        "WAV data differ from the blocks played"
    );
    Ok(())
}

fn tx_is_paced_by_the_frame_clock() -> Res {
    let blocks: Vec<Vec<u8>> = (0..6).map(|b| pattern(b, BLOCK)).collect();
    let ms = play(&blocks)?;
    read_all(256)?;
    // 6 blocks of 32 frames at 8 kHz: 24 ms of audio cannot be played in less.
    ensure!(ms >= 24, "6 blocks (24 ms of audio) played in {ms} ms");
    Ok(())
}

fn underrun_is_counted_and_prepare_recovers() -> Res {
    eq("reset", i2s().capture_reset(), Ok(()))?;
    configure()?;
    eq("write", write(&pattern(0, BLOCK)), 0)?;
    eq("START", trigger(START), 0)?;
    // Nothing more queued: the block ends on an empty queue.
    eq("state", wait_tx_idle()?, I2sState::Error)?;
    let c = i2s().counters().map_err(|e| format!("{e:?}"))?;
    eq("underruns", c.underruns, 1)?;
    eq("played_blocks", c.played_blocks, 1)?;
    eq("write in ERROR", write(&pattern(1, BLOCK)), -EIO)?;
    eq("PREPARE", trigger(PREPARE), 0)?;
    let c = i2s().counters().map_err(|e| format!("{e:?}"))?;
    eq("state after PREPARE", c.tx(), I2sState::Ready)?;
    read_all(256)?;
    Ok(())
}

fn capture_overflow_is_counted_oldest_kept() -> Res {
    eq("reset", i2s().capture_reset(), Ok(()))?;
    // 40 blocks of 128 bytes into a 4096-byte ring, nothing read meanwhile.
    let blocks: Vec<Vec<u8>> = (0..40).map(|b| pattern(b, BLOCK)).collect();
    play(&blocks)?;
    let c = i2s().counters().map_err(|e| format!("{e:?}"))?;
    eq("capture_pending", c.capture_pending, 4096)?;
    eq(
        "capture_dropped",
        c.capture_dropped,
        (40 * BLOCK - 4096) as u64,
    )?;
    let got = read_all(1000)?;
    ensure!(
        got == blocks.concat()[..4096],
        "the ring does not hold the oldest 4096 bytes"
    );
    Ok(())
}

fn drop_discards_queued_blocks() -> Res {
    eq("reset", i2s().capture_reset(), Ok(()))?;
    configure()?;
    for b in 0..3 {
        eq("write", write(&pattern(b, BLOCK)), 0)?;
    }
    let c = i2s().counters().map_err(|e| format!("{e:?}"))?;
    eq("tx_queued", c.tx_queued, 3)?;
    eq("DROP", trigger(DROP), 0)?;
    let c = i2s().counters().map_err(|e| format!("{e:?}"))?;
    eq("tx_queued after DROP", c.tx_queued, 0)?;
    eq("played_blocks", c.played_blocks, 0)?;
    // The slab got its blocks back: four more writes fit (the slab has four).
    for b in 0..4 {
        eq("write after DROP", write(&pattern(b, BLOCK)), 0)?;
    }
    eq("DROP", trigger(DROP), 0)
}

fn codec_state_reads_back() -> Res {
    // SAFETY: DEVICE_DT_GET of the static codec node.
    let codec = unsafe { CodecEmul::from_device(at_codec()) };
    let s = codec.state().map_err(|e| format!("{e:?}"))?;
    eq(
        "power-on (configured, started, volume)",
        (s.configured, s.started(), s.volume_left),
        (0, false, 255),
    )?;
    eq("configure", codec_configure(48000, 16, 2), 0)?;
    let s = codec.state().map_err(|e| format!("{e:?}"))?;
    eq(
        "format",
        (s.configured, s.rate, s.bits, s.channels),
        (1, 48000, 16, 2),
    )?;
    eq("bad format", codec_configure(48000, 16, 3), -EINVAL)?;
    eq("set volume", codec_set(OUTPUT_VOLUME, ALL, 100), 0)?;
    let s = codec.state().map_err(|e| format!("{e:?}"))?;
    eq("volume before apply", s.volume_left, 255)?;
    eq("apply", codec_apply(), 0)?;
    let s = codec.state().map_err(|e| format!("{e:?}"))?;
    eq(
        "volume after apply",
        (s.volume_left, s.volume_right),
        (100, 100),
    )?;
    eq("left only", codec_set(OUTPUT_VOLUME, FRONT_LEFT, 7), 0)?;
    eq("mute", codec_set(OUTPUT_MUTE, ALL, 1), 0)?;
    eq("apply", codec_apply(), 0)?;
    let s = codec.state().map_err(|e| format!("{e:?}"))?;
    eq("volumes", (s.volume_left, s.volume_right), (7, 100))?;
    eq("muted", s.muted(), true)?;
    eq(
        "volume out of range",
        codec_set(OUTPUT_VOLUME, ALL, 256),
        -EINVAL,
    )?;
    ensure!(codec_set(INPUT_VOLUME, ALL, 1) < 0, "input volume accepted");
    codec_output(true);
    eq("started", codec.state().map(|s| s.started()), Ok(true))?;
    codec_output(false);
    eq("stopped", codec.state().map(|s| s.started()), Ok(false))
}

fn wrong_device_is_einval() -> Res {
    // SAFETY: both are static devices of this image.
    let (as_i2s, as_codec) = unsafe {
        (
            I2sEmul::from_device(at_codec()),
            CodecEmul::from_device(at_i2s()),
        )
    };
    eq(
        "i2s api on the codec",
        as_i2s.counters().map(|_| ()),
        Err(Errno(-EINVAL)),
    )?;
    eq(
        "codec api on the i2s",
        as_codec.state().map(|_| ()),
        Err(Errno(-EINVAL)),
    )?;
    eq(
        "instance 0",
        I2sEmul::instance(0).map(|d| d.as_ptr()),
        Some(i2s().as_ptr()),
    )?;
    eq("instance 1", I2sEmul::instance(1).map(|d| d.as_ptr()), None)
}

struct Tally {
    passed: u32,
    failed: u32,
}

impl Tally {
    fn case(&mut self, name: &str, f: impl FnOnce() -> Res) {
        match f() {
            Ok(()) => {
                self.passed += 1;
                printkln!("PASS {}", name);
            }
            Err(why) => {
                self.failed += 1;
                printkln!("FAIL {}: {}", name, why);
            }
        }
    }
}

#[no_mangle]
extern "C" fn rust_main() {
    let mut t = Tally {
        passed: 0,
        failed: 0,
    };
    t.case(
        "capture_equals_written_across_blocks",
        capture_equals_written_across_blocks,
    );
    // SAFETY: plain C call.
    if unsafe { at_wav_enabled() } {
        t.case(
            "wav_file_holds_what_was_played",
            wav_file_holds_what_was_played,
        );
    }
    t.case(
        "tx_is_paced_by_the_frame_clock",
        tx_is_paced_by_the_frame_clock,
    );
    t.case(
        "underrun_is_counted_and_prepare_recovers",
        underrun_is_counted_and_prepare_recovers,
    );
    t.case(
        "capture_overflow_is_counted_oldest_kept",
        capture_overflow_is_counted_oldest_kept,
    );
    t.case("drop_discards_queued_blocks", drop_discards_queued_blocks);
    t.case("codec_state_reads_back", codec_state_reads_back);
    t.case("wrong_device_is_einval", wrong_device_is_einval);
    printkln!("audio_emul: {} passed, {} failed", t.passed, t.failed);
}
