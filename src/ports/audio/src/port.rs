// SPDX-License-Identifier: Apache-2.0

//! The port `audio` on the VM (feature `vm`), in Rust on the `zephyr` crate and zephyr-hal's
//! raw I2S and audio codec bindings; `audio_glue.c` only holds the devicetree table
//! (`include/atomvm_audio.h`, read by bindgen).
//!
//! Every `atomvm,audio-port` node is an [`Instance`] with its own statics: the memory slab,
//! the reclaim thread and the hand-over of returned blocks. One port at a time has a node
//! open; every node can be open at once.
//!
//! Contexts, per instance:
//!
//! * **VM thread** (the port): options, `i2s_configure`, the codec, and for each request the
//!   one copy into a free block and `i2s_write` / `i2s_trigger`, never waiting (the I2S
//!   timeout is 0; a request that finds no block is deferred). On the doorbell it takes the
//!   returned blocks and runs the [`Engine`]: waiting replies, underrun and drained events.
//! * **driver** (its ISR or DMA callback): frees each played block into the port's slab.
//! * **reclaim thread** (`audio_reclaim`, one per instance, from a `#[zephyr::thread]`
//!   pool): a session per open port. It takes every block back from the slab as the driver
//!   frees it (`k_mem_slab_alloc`, `K_FOREVER`), counts it, sets its bit in the returned set
//!   (an atomic mask) and rings the port's doorbell (`vm::stream::Ringer`) when requests
//!   wait or the driver holds no more blocks. After the port closed it keeps the blocks;
//!   once all are back it frees the slab's memory and the node can open again.
//!
//! Counted: blocks taken from the slabs at open and given back at the session's end
//! ([`block_counts`]); the test apps print both when the VM ends.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::cell::UnsafeCell;
use core::ffi::c_void;
use core::mem::MaybeUninit;
use core::ptr::{self, NonNull};
use core::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release, SeqCst};
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicUsize};

use atomvm_port::encode::atom;
use atomvm_port::vm::stream::{Ringer, Stream, StreamType};
use atomvm_port::vm::{Call, Deferred, Open, Pid, Port, PortDriver, Replied, VmRequest, VmTerm};
use atomvm_port::{Claim, Counter, Error, Exclusive};
use zephyr::sys::sync::Semaphore;
use zephyr::time::{Forever, Timeout};
use zephyr_hal::{raw, Code, Errno};

use crate::engine::{self, Block, Codec, DevError, Engine, Event, Host, I2sTx, Played, Trigger};
use crate::format::{Format, Limits, Requested, Settings};

atomvm_port::bindings! {
    /// bindgen's view of `include/atomvm_audio.h` (build.rs).
    mod dt = "audio_bindings.rs";
}

/// The driver to register with the VM.
pub static DRIVER: PortDriver = PortDriver::new::<Audio>(c"audio");

/// `atomvm,audio-port` nodes.
const COUNT: usize = dt::ATOMVM_AUDIO_INSTANCES as usize;
const LIMITS: Limits = Limits {
    default_block_size: zephyr::kconfig::CONFIG_ATOMVM_PORT_AUDIO_BLOCK_SIZE as usize,
    max_block_size: zephyr::kconfig::CONFIG_ATOMVM_PORT_AUDIO_MAX_BLOCK_SIZE as usize,
    default_block_count: zephyr::kconfig::CONFIG_ATOMVM_PORT_AUDIO_BLOCK_COUNT as usize,
    max_block_count: MAX_BLOCKS,
};
/// The returned set is a 32-bit mask, an atomic on every target (Kconfig caps the count at
/// 32).
const MAX_BLOCKS: usize = {
    let n = zephyr::kconfig::CONFIG_ATOMVM_PORT_AUDIO_MAX_BLOCK_COUNT as usize;
    assert!(
        n >= 2 && n <= MASK_BITS,
        "CONFIG_ATOMVM_PORT_AUDIO_MAX_BLOCK_COUNT: 2..=32"
    );
    n
};
const MASK_BITS: usize = 32;
const START_BLOCKS: usize = zephyr::kconfig::CONFIG_ATOMVM_PORT_AUDIO_START_BLOCKS as usize;
const MAX_WAITING: usize = zephyr::kconfig::CONFIG_ATOMVM_PORT_AUDIO_MAX_WAITING as usize;
const MAX_BINARY: usize = zephyr::kconfig::CONFIG_ATOMVM_PORT_AUDIO_MAX_BINARY as usize;
const RECLAIM_STACK: usize = zephyr::kconfig::CONFIG_ATOMVM_PORT_AUDIO_RECLAIM_STACK_SIZE as usize;
const RECLAIM_PRIORITY: i32 = zephyr::kconfig::CONFIG_ATOMVM_PORT_AUDIO_RECLAIM_PRIORITY as i32;
/// Slab blocks are multiples of this (Zephyr requires pointer-size multiples; 8 suits every
/// target and keeps 32-bit samples aligned).
const ALIGN: usize = 8;

const NOT_READY: Error = Error::new("not_ready");
const UNSUPPORTED: Error = Error::new("unsupported");

/// Blocks taken from the slabs (at open) and given back (at a session's end), since boot.
static TAKEN: AtomicUsize = AtomicUsize::new(0);
static RETURNED: AtomicUsize = AtomicUsize::new(0);

/// Blocks taken from the ports' slabs when they opened, and blocks given back once the
/// driver and the port had returned all of a slab's blocks. Equal when every block is back.
pub fn block_counts() -> (usize, usize) {
    (TAKEN.load(Relaxed), RETURNED.load(Relaxed))
}

/// The subscriber monitors of every audio port.
static STREAMS: StreamType = StreamType::new(c"audio_subscribers");

/// A `k_mem_slab` in a static: initialised by the port before each session, then used by the
/// driver, the reclaim thread and the port through Zephyr's calls only.
struct Slab(UnsafeCell<MaybeUninit<zephyr::raw::k_mem_slab>>);

// SAFETY: Zephyr's slab calls lock internally; Rust never reads or writes the struct itself.
unsafe impl Sync for Slab {}

impl Slab {
    fn get(&self) -> *mut zephyr::raw::k_mem_slab {
        self.0.get().cast()
    }
}

/// One node's statics.
struct Instance {
    slab: Slab,
    /// A port has this node open.
    owned: Exclusive,
    /// A session runs: the reclaim thread has not got every block back yet.
    busy: AtomicBool,
    /// The reclaim thread was started.
    started: AtomicBool,
    /// Starts a session (the port gives it once the slab is set up).
    go: Semaphore,
    /// The session's slab memory (the reclaim thread frees it at the end), its first block,
    /// the block stride and the block count.
    memory: AtomicPtr<u64>,
    memory_words: AtomicUsize,
    base: AtomicUsize,
    stride: AtomicUsize,
    count: AtomicU32,
    /// Blocks the driver gave back, as bits (block index), not yet taken by the port.
    returned: AtomicU32,
    /// Blocks the driver gave back this session (before closing).
    reclaimed: AtomicU32,
    /// Blocks the port wrote this session (published by the port).
    written: AtomicU32,
    /// Requests wait for blocks or a drain (published by the port).
    waiting: AtomicBool,
    /// The port closed: the reclaim thread keeps every block it gets.
    closing: AtomicBool,
    /// The running session's doorbell.
    ringer: zephyr::sync::Mutex<Option<Ringer>>,
}

impl Instance {
    const fn new() -> Self {
        Self {
            slab: Slab(UnsafeCell::new(MaybeUninit::zeroed())),
            owned: Exclusive::new(),
            busy: AtomicBool::new(false),
            started: AtomicBool::new(false),
            go: Semaphore::new(0, 1),
            memory: AtomicPtr::new(ptr::null_mut()),
            memory_words: AtomicUsize::new(0),
            base: AtomicUsize::new(0),
            stride: AtomicUsize::new(0),
            count: AtomicU32::new(0),
            returned: AtomicU32::new(0),
            reclaimed: AtomicU32::new(0),
            written: AtomicU32::new(0),
            waiting: AtomicBool::new(false),
            closing: AtomicBool::new(false),
            ringer: zephyr::sync::Mutex::new(None),
        }
    }

    fn set_ringer(&self, r: Option<Ringer>) {
        // Never poisoned (no unwinding on Zephyr); held for a move only.
        let Ok(mut slot) = self.ringer.lock();
        *slot = r;
    }

    fn ring(&self) {
        let Ok(slot) = self.ringer.lock();
        if let Some(r) = slot.as_ref() {
            if let Err(e) = r.ring() {
                log::error!("audio: cannot wake the port: {e}");
            }
        }
    }

    /// The index of the block at `p` in this session's slab.
    fn index_of(&self, p: *mut c_void) -> Option<usize> {
        let (base, stride) = (self.base.load(Acquire), self.stride.load(Acquire));
        let off = (p as usize).checked_sub(base)?;
        let i = off / stride.max(1);
        (off % stride.max(1) == 0 && i < self.count.load(Acquire) as usize).then_some(i)
    }

    fn block_ptr(&self, i: usize) -> *mut c_void {
        (self.base.load(Acquire) + i * self.stride.load(Acquire)) as *mut c_void
    }
}

static AUDIO: [Instance; COUNT] = [const { Instance::new() }; COUNT];

fn node(index: usize) -> Option<&'static dt::atomvm_audio_node> {
    // SAFETY: the glue defines COUNT immutable entries (it checks the count at build time).
    let all =
        unsafe { core::slice::from_raw_parts(ptr::addr_of!(dt::atomvm_audio_nodes).cast(), COUNT) };
    all.get(index)
}

// ----------------------------------------------------------------------------------------
// The reclaim thread.

#[zephyr::thread(stack_size = RECLAIM_STACK, pool_size = COUNT)]
fn audio_reclaim(index: usize) {
    let Some(inst) = AUDIO.get(index) else {
        return;
    };
    loop {
        let _ = inst.go.take(Forever);
        session(inst);
    }
}

/// One open port's blocks, until every one is back after the port closed.
fn session(inst: &'static Instance) {
    let n = inst.count.load(Acquire);
    let mut kept = 0u32;
    while kept < n {
        let mut p: *mut c_void = ptr::null_mut();
        // SAFETY: the port initialised the slab before starting the session; it stays valid
        // (its memory is freed below, after the last block is back).
        let rc = unsafe {
            zephyr::raw::k_mem_slab_alloc(inst.slab.get(), &mut p, Timeout::from(Forever).0)
        };
        if rc != 0 || p.is_null() {
            continue;
        }
        let Some(i) = inst.index_of(p) else {
            log::error!("audio: a block outside the slab came back");
            continue;
        };
        if inst.closing.load(SeqCst) {
            kept += 1;
            continue;
        }
        inst.reclaimed.fetch_add(1, SeqCst);
        inst.returned.fetch_or(1 << i, SeqCst);
        if inst.closing.load(SeqCst) {
            // The port closed meanwhile: whatever it did not take is ours.
            kept += inst.returned.swap(0, SeqCst).count_ones();
            continue;
        }
        let empty = inst.reclaimed.load(SeqCst) == inst.written.load(SeqCst);
        if empty || inst.waiting.load(SeqCst) {
            inst.ring();
        }
    }
    RETURNED.fetch_add(n as usize, Relaxed);
    let memory = inst.memory.swap(ptr::null_mut(), AcqRel);
    let words = inst.memory_words.swap(0, AcqRel);
    if !memory.is_null() {
        // SAFETY: made by `Box::<[u64]>::into_raw` in `open_slab` with `words` words; every
        // block is back, so nothing refers to it any more.
        drop(unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(memory, words)) });
    }
    inst.busy.store(false, Release);
}

// ----------------------------------------------------------------------------------------
// Driver traits over Zephyr.

fn errno_to_dev(rc: i32) -> DevError {
    match Errno(rc).code() {
        Some(Code::EIO) => DevError::State,
        Some(Code::EBUSY | Code::EAGAIN | Code::ENOMEM) => DevError::Full,
        Some(Code::EINVAL | Code::ENOTSUP | Code::ENOSYS) => DevError::Unsupported,
        _ => DevError::Other(rc),
    }
}

/// A slab block the port holds.
struct ZBlock {
    ptr: NonNull<u8>,
    len: usize,
}

impl Block for ZBlock {
    fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: a block of the session's slab, `len` (<= the stride) bytes, held by the
        // port alone until it is written to the driver or freed.
        unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

struct ZI2s {
    dev: *const raw::device,
}

impl I2sTx for ZI2s {
    type Block = ZBlock;

    fn write(&mut self, block: ZBlock, len: usize) -> Result<(), (ZBlock, DevError)> {
        // SAFETY: a ready I2S device; the block is from the slab configured for TX and the
        // driver owns it from here when this succeeds. The timeout is 0: no waiting.
        let rc = unsafe { raw::i2s_write(self.dev, block.ptr.as_ptr().cast(), len) };
        if rc == 0 {
            Ok(())
        } else {
            Err((block, errno_to_dev(rc)))
        }
    }

    fn trigger(&mut self, cmd: Trigger) -> Result<(), DevError> {
        let cmd = match cmd {
            Trigger::Start => raw::I2S_TRIGGER_START,
            Trigger::Drain => raw::I2S_TRIGGER_DRAIN,
            Trigger::Drop => raw::I2S_TRIGGER_DROP,
            Trigger::Prepare => raw::I2S_TRIGGER_PREPARE,
        };
        // SAFETY: a ready I2S device; triggers do not wait.
        let rc = unsafe { raw::i2s_trigger(self.dev, raw::I2S_DIR_TX, cmd) };
        if rc == 0 {
            Ok(())
        } else {
            Err(errno_to_dev(rc))
        }
    }
}

/// The I2S configuration of a session.
fn i2s_config(s: &Settings, slab: *mut zephyr::raw::k_mem_slab) -> raw::i2s_config {
    raw::i2s_config {
        word_size: s.format.bits.bits(),
        channels: s.format.channels,
        format: raw::ATOMVM_HAL_I2S_FMT_DATA_FORMAT_I2S as _,
        options: raw::ATOMVM_HAL_I2S_OPT_CLK_MASTER as _,
        frame_clk_freq: s.format.rate,
        // The same C type in both bindings.
        mem_slab: slab.cast(),
        block_size: s.block_size,
        timeout: 0,
    }
}

#[cfg(audio_codec)]
struct ZCodec {
    dev: *const raw::device,
    mclk: u32,
}

#[cfg(audio_codec)]
impl ZCodec {
    fn set(
        &mut self,
        prop: raw::audio_property_t,
        val: raw::audio_property_value_t,
    ) -> Result<(), DevError> {
        // SAFETY: a ready codec device; the value is passed by copy.
        let rc =
            unsafe { raw::audio_codec_set_property(self.dev, prop, raw::AUDIO_CHANNEL_ALL, val) };
        if rc != 0 {
            return Err(errno_to_dev(rc));
        }
        // SAFETY: as above.
        let rc = unsafe { raw::audio_codec_apply_properties(self.dev) };
        // Codecs that apply at once may not implement it.
        match Errno(rc).code() {
            _ if rc == 0 => Ok(()),
            Some(Code::ENOSYS | Code::ENOTSUP) => Ok(()),
            _ => Err(errno_to_dev(rc)),
        }
    }
}

#[cfg(audio_codec)]
impl Codec for ZCodec {
    fn configure(&mut self, format: &Format) -> Result<(), DevError> {
        let s = Settings {
            format: *format,
            block_size: 0,
            block_count: 0,
        };
        let mut dai_cfg = raw::audio_dai_cfg_t::default();
        // SAFETY: writes the union's one member (bindgen's union field accessor).
        unsafe { *dai_cfg.i2s.as_mut() = i2s_config(&s, ptr::null_mut()) };
        let mut cfg = raw::audio_codec_cfg {
            mclk_freq: if self.mclk == 0 {
                format.rate.saturating_mul(256)
            } else {
                self.mclk
            },
            dai_type: raw::AUDIO_DAI_TYPE_I2S,
            dai_cfg,
            dai_route: raw::AUDIO_ROUTE_PLAYBACK,
        };
        // SAFETY: a ready codec device; the configuration lives through the call.
        let rc = unsafe { raw::audio_codec_configure(self.dev, &mut cfg) };
        if rc == 0 {
            Ok(())
        } else {
            Err(errno_to_dev(rc))
        }
    }

    fn start(&mut self) {
        // SAFETY: a ready codec device.
        unsafe { raw::audio_codec_start_output(self.dev) };
    }

    fn stop(&mut self) {
        // SAFETY: a ready codec device.
        unsafe { raw::audio_codec_stop_output(self.dev) };
    }

    fn set_volume(&mut self, volume: u8) -> Result<(), DevError> {
        let mut val = raw::audio_property_value_t::default();
        // SAFETY: writes the union member the property reads.
        unsafe { *val.vol.as_mut() = i32::from(volume) };
        self.set(raw::AUDIO_PROPERTY_OUTPUT_VOLUME, val)
    }

    fn set_mute(&mut self, mute: bool) -> Result<(), DevError> {
        let mut val = raw::audio_property_value_t::default();
        // SAFETY: writes the union member the property reads.
        unsafe { *val.mute.as_mut() = mute };
        self.set(raw::AUDIO_PROPERTY_OUTPUT_MUTE, val)
    }
}

/// Without the codec API there is no codec (the glue refuses a codec node then).
#[cfg(not(audio_codec))]
struct ZCodec;

#[cfg(not(audio_codec))]
impl Codec for ZCodec {
    fn configure(&mut self, _: &Format) -> Result<(), DevError> {
        Err(DevError::Unsupported)
    }
    fn start(&mut self) {}
    fn stop(&mut self) {}
    fn set_volume(&mut self, _: u8) -> Result<(), DevError> {
        Err(DevError::Unsupported)
    }
    fn set_mute(&mut self, _: bool) -> Result<(), DevError> {
        Err(DevError::Unsupported)
    }
}

/// Lets the reclaim thread (above the VM thread) take the blocks a DROP just freed: drivers
/// free them under their own lock, where the kernel does not switch threads.
fn yield_to_reclaim() {
    // SAFETY: a plain scheduling point; the VM thread holds no lock here.
    unsafe { zephyr::raw::k_yield() };
}

fn ready(dev: *const raw::device) -> bool {
    // SAFETY: devices from the glue's table are static.
    !dev.is_null() && unsafe { raw::device_is_ready(dev) }
}

// ----------------------------------------------------------------------------------------
// The VM side.

/// The most bytes of a device name (`{device, Name}`).
const MAX_NAME: usize = 48;

/// A devicetree name given as an atom, a binary or a string.
fn name_bytes(t: VmTerm<'_>, out: &mut [u8; MAX_NAME]) -> Result<usize, Error> {
    if let Ok(b) = t.atom().or_else(|_| t.binary()) {
        let dst = out.get_mut(..b.len()).ok_or(Error::OUT_OF_RANGE)?;
        dst.copy_from_slice(b);
        return Ok(b.len());
    }
    let mut n = 0;
    for c in t.list()? {
        *out.get_mut(n).ok_or(Error::OUT_OF_RANGE)? = c?.int_in(1u8..=127)?;
        n += 1;
    }
    Ok(n)
}

fn c_str_is(p: *const core::ffi::c_char, name: &[u8]) -> bool {
    // SAFETY: the glue's names are NUL-terminated string literals (or null).
    !p.is_null() && unsafe { core::ffi::CStr::from_ptr(p) }.to_bytes() == name
}

/// The node called `name` (a node label or the node name), else the default one.
fn select(name: Option<&[u8]>) -> Option<usize> {
    let Some(name) = name else {
        // SAFETY: an immutable value defined by the glue.
        let d = unsafe { dt::atomvm_audio_default };
        return (d < COUNT).then_some(d);
    };
    (0..COUNT).find(|&i| {
        node(i).is_some_and(|s| {
            // SAFETY: the glue's label array has n_labels entries.
            let labels = unsafe { core::slice::from_raw_parts(s.labels, s.n_labels) };
            c_str_is(s.name, name) || labels.iter().any(|&l| c_str_is(l, name))
        })
    })
}

/// An integer option: `{badarg, Opt}` when not an integer, `{out_of_range, Opt}` when it
/// does not fit (the values are then checked by [`Settings::check`]).
fn int_opt<T: TryFrom<i64>>(t: VmTerm<'_>) -> Result<T, Error> {
    // `badarg` for a non-integer, `out_of_range` for one too big for `T` (bignums included).
    t.int()
}

/// Sets up the node's slab for a session: `count` blocks of `block_size` bytes, taken out at
/// once (the port holds them all). The memory goes to the instance (the reclaim thread frees
/// it when every block is back).
fn open_slab(inst: &'static Instance, s: &Settings) -> Result<Vec<ZBlock>, Error> {
    let stride = s.block_size.div_ceil(ALIGN) * ALIGN;
    let words = (stride / 8)
        .checked_mul(s.block_count)
        .ok_or(Error::NO_MEMORY)?;
    let mut mem: Vec<u64> = Vec::new();
    mem.try_reserve_exact(words).map_err(|_| Error::NO_MEMORY)?;
    mem.resize(words, 0);
    let mut blocks: Vec<ZBlock> = Vec::new();
    blocks
        .try_reserve_exact(s.block_count)
        .map_err(|_| Error::NO_MEMORY)?;
    let memory = Box::into_raw(mem.into_boxed_slice()).cast::<u64>();
    // SAFETY: the slab is idle (no session: `busy` was false and nobody else owns the node);
    // the memory is `count` blocks of `stride` bytes, 8-aligned, alive until the session
    // ends.
    let rc = unsafe {
        zephyr::raw::k_mem_slab_init(inst.slab.get(), memory.cast(), stride, s.block_count as u32)
    };
    if rc != 0 {
        // SAFETY: just made from a boxed slice of `words` words, not shared.
        drop(unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(memory, words)) });
        return Err(Error::NO_MEMORY);
    }
    inst.memory.store(memory, Release);
    inst.memory_words.store(words, Release);
    inst.base.store(memory as usize, Release);
    inst.stride.store(stride, Release);
    inst.count.store(s.block_count as u32, Release);
    for _ in 0..s.block_count {
        let mut p: *mut c_void = ptr::null_mut();
        // SAFETY: the slab just initialised; K_NO_WAIT.
        let rc = unsafe {
            zephyr::raw::k_mem_slab_alloc(
                inst.slab.get(),
                &mut p,
                Timeout::from(zephyr::time::NoWait).0,
            )
        };
        match NonNull::new(p.cast::<u8>()) {
            Some(ptr) if rc == 0 => blocks.push(ZBlock {
                ptr,
                len: s.block_size,
            }),
            _ => break,
        }
    }
    TAKEN.fetch_add(blocks.len(), Relaxed);
    Ok(blocks)
}

/// Ends a session that never started (an open failed after the slab was set up): the
/// blocks go back, the memory is freed.
fn abandon_slab(inst: &'static Instance, blocks: usize) {
    RETURNED.fetch_add(blocks, Relaxed);
    let memory = inst.memory.swap(ptr::null_mut(), AcqRel);
    let words = inst.memory_words.swap(0, AcqRel);
    if !memory.is_null() {
        // SAFETY: made in `open_slab`; no block of it is with a driver.
        drop(unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(memory, words)) });
    }
}

/// The port's side of the engine's requests: deferred replies and stream events.
struct VmHost<'a> {
    cx: &'a Open,
    stream: &'a mut Stream,
    port: Pid,
}

/// The binary of a deferred `{play_buffer, Bin}`.
fn play_binary(d: &Deferred) -> Option<&[u8]> {
    let req = d.request().ok()?;
    let [bin] = req.args::<1>().ok()?;
    bin.binary().ok()
}

impl Host<Deferred> for VmHost<'_> {
    fn bytes<'d>(&self, handle: &'d Deferred) -> Option<&'d [u8]> {
        play_binary(handle)
    }

    fn reply(&mut self, handle: Deferred, result: Result<(), Error>) {
        let r = match result {
            Ok(()) => handle.reply(self.cx, &atom("ok")),
            Err(e) => handle.reply(self.cx, &atomvm_port::encode::error(e)),
        };
        if let Err(e) = r {
            log::error!("audio: a waiting reply was not sent: {e}");
        }
    }

    fn event(&mut self, event: Event) {
        let what = match event {
            Event::Underrun => "underrun",
            Event::Drained => "drained",
        };
        self.stream
            .notify(self.cx, &(atom("audio"), self.port.as_port(), atom(what)));
    }
}

/// An open `audio` port: one node, one session.
pub struct Audio {
    engine: Engine<ZBlock, Deferred>,
    io: ZI2s,
    codec: Option<ZCodec>,
    block_count: usize,
    stream: Stream,
    inst: &'static Instance,
    // Last: released after everything above.
    _claim: Claim,
}

impl Audio {
    /// Takes the blocks the reclaim thread handed back and runs the engine (replies,
    /// events), until no more came back meanwhile.
    fn pump(&mut self, cx: &Open) {
        let inst = self.inst;
        let len = self.engine.block_size();
        loop {
            let mask = inst.returned.swap(0, SeqCst);
            let blocks = (0..MASK_BITS)
                .filter(|i| mask & (1 << i) != 0)
                .filter_map(|i| NonNull::new(inst.block_ptr(i).cast::<u8>()))
                .map(|ptr| ZBlock { ptr, len });
            let total = inst.reclaimed.load(SeqCst);
            let port = cx.port_pid();
            let Audio {
                engine, io, stream, ..
            } = self;
            if let Some(port) = port {
                let mut host = VmHost { cx, stream, port };
                engine.reclaim(io, &mut host, blocks, total);
            }
            self.publish();
            if inst.returned.load(SeqCst) == 0 {
                break;
            }
        }
    }

    /// What the reclaim thread needs to decide whether to ring.
    fn publish(&self) {
        self.inst.written.store(self.engine.written(), SeqCst);
        self.inst.waiting.store(self.engine.waiting(), SeqCst);
    }

    fn counters(&self, all: bool) -> Vec<Counter> {
        let s = self.engine.stats();
        let mut v = alloc::vec![
            Counter::Num(
                "played_frames",
                i64::try_from(s.played_frames).unwrap_or(i64::MAX),
            ),
            Counter::num("underruns", s.underruns),
            Counter::num("queued_blocks", s.queued_blocks),
            Counter::num("high_water", s.high_water),
        ];
        if all {
            v.push(Counter::num("free_blocks", s.free_blocks));
            v.push(Counter::Num(
                "block_count",
                i64::try_from(self.block_count).unwrap_or(i64::MAX),
            ));
            v.push(Counter::num("deferred", s.deferred));
            let state = match self.engine.state() {
                engine::State::Ready => "ready",
                engine::State::Running => "running",
                engine::State::Error => "error",
            };
            v.push(Counter::Atom("state", state));
        }
        v
    }
}

impl Port for Audio {
    fn init(cx: &mut Open) {
        if let Err(e) = STREAMS.register(cx) {
            log::error!("audio: cannot register the subscriber monitors: {e}");
        }
    }

    /// Takes nothing before the checks that can refuse: options, the node, its devices, then
    /// the node ([`Claim`]), the I2S and codec configuration, the slab and the stream; a
    /// failed open releases what it took.
    fn open(cx: &mut Open, opts: VmTerm<'_>) -> Result<Self, Error> {
        let o = opts.options()?;
        o.only(&[
            "device",
            "sample_rate",
            "bits",
            "channels",
            "block_size",
            "block_count",
        ])?;
        let r = Requested {
            sample_rate: o.value_or("sample_rate", None, |t| int_opt(t).map(Some))?,
            bits: o.value_or("bits", None, |t| int_opt(t).map(Some))?,
            channels: o.value_or("channels", None, |t| int_opt(t).map(Some))?,
            block_size: o.value_or("block_size", None, |t| int_opt(t).map(Some))?,
            block_count: o.value_or("block_count", None, |t| int_opt(t).map(Some))?,
        };
        let mut name = [0u8; MAX_NAME];
        let name_len = o.value_or("device", None, |t| name_bytes(t, &mut name).map(Some))?;
        let settings = Settings::check(&r, &LIMITS)?;
        let index = select(name_len.and_then(|n| name.get(..n))).ok_or(Error::NO_DEVICE)?;
        let (Some(inst), Some(n)) = (AUDIO.get(index), node(index)) else {
            return Err(Error::NO_DEVICE);
        };
        if !ready(n.i2s) || (!n.codec.is_null() && !ready(n.codec)) {
            return Err(NOT_READY);
        }
        let claim = inst.owned.claim()?;
        if inst.busy.load(Acquire) {
            // The last session's blocks are not all back yet.
            return Err(Error::BUSY);
        }
        #[cfg(audio_codec)]
        let mut codec = (!n.codec.is_null()).then_some(ZCodec {
            dev: n.codec,
            mclk: n.mclk_frequency,
        });
        #[cfg(not(audio_codec))]
        let mut codec: Option<ZCodec> = None;
        let stream = STREAMS.open(cx, 1)?;
        let blocks = open_slab(inst, &settings)?;
        let n_blocks = blocks.len();
        if blocks.len() != settings.block_count {
            abandon_slab(inst, n_blocks);
            return Err(Error::NO_MEMORY);
        }
        let cfg = i2s_config(&settings, inst.slab.get());
        // SAFETY: a ready I2S device; the configuration is copied by the driver.
        let rc = unsafe { raw::i2s_configure(n.i2s, raw::I2S_DIR_TX, &cfg) };
        if rc != 0 {
            abandon_slab(inst, n_blocks);
            return Err(match errno_to_dev(rc) {
                DevError::Unsupported => UNSUPPORTED,
                _ => Error::IO,
            });
        }
        if let Some(c) = codec.as_mut() {
            if let Err(e) = c.configure(&settings.format) {
                abandon_slab(inst, n_blocks);
                return Err(match e {
                    DevError::Unsupported => UNSUPPORTED,
                    _ => Error::IO,
                });
            }
        }
        let engine = match Engine::new(
            settings.format,
            settings.block_size,
            blocks,
            START_BLOCKS,
            MAX_WAITING,
            codec.is_none().then_some(crate::fill::FULL),
        ) {
            Ok(e) => e,
            Err(e) => {
                abandon_slab(inst, n_blocks);
                return Err(e);
            }
        };
        if let Some(c) = codec.as_mut() {
            c.start();
        }
        // The session: the reclaim thread takes blocks back from now on.
        inst.returned.store(0, SeqCst);
        inst.reclaimed.store(0, SeqCst);
        inst.written.store(0, SeqCst);
        inst.waiting.store(false, SeqCst);
        inst.closing.store(false, SeqCst);
        inst.set_ringer(Some(stream.ringer()));
        inst.busy.store(true, Release);
        if !inst.started.swap(true, AcqRel) {
            let t = audio_reclaim(index);
            t.set_priority(RECLAIM_PRIORITY);
            t.start();
        }
        inst.go.give();
        Ok(Audio {
            engine,
            io: ZI2s { dev: n.i2s },
            codec,
            block_count: settings.block_count,
            stream,
            inst,
            _claim: claim,
        })
    }

    fn info(&mut self, cx: &mut Open, msg: VmTerm<'_>) {
        if self.stream.answer(msg) {
            self.pump(cx);
        }
    }

    fn call(&mut self, call: &mut Call, req: VmRequest<'_>) -> Result<Replied, Error> {
        let cx = call.open_cx();
        // Blocks that came back since the last doorbell serve the waiting requests first.
        self.pump(&cx);
        let r = if req.is("play_buffer") {
            let [bin] = req.args::<1>()?;
            let data = bin.binary()?;
            self.engine.check_play(data, MAX_BINARY)?;
            match self.engine.play(&mut self.io, data)? {
                Played::Done => call.reply(&atom("ok")),
                Played::Wait(offset) => {
                    let (d, replied) = call.defer()?;
                    self.engine.push_play(d, offset);
                    Ok(replied)
                }
            }
        } else if req.is("drain") {
            req.args::<0>()?;
            if self.engine.drain_waits()? {
                let (d, replied) = call.defer()?;
                let port = call.port_pid();
                let Audio {
                    engine, io, stream, ..
                } = self;
                let mut host = VmHost {
                    cx: &cx,
                    stream,
                    port,
                };
                engine.push_drain(io, &mut host, d);
                Ok(replied)
            } else {
                call.reply(&atom("ok"))
            }
        } else if req.is("set_volume") {
            let [v] = req.args::<1>()?;
            let v = v.int_in(0u8..=255)?;
            engine::set_volume(&mut self.engine, self.codec.as_mut(), v)?;
            call.reply(&atom("ok"))
        } else if req.is("stop") {
            req.args::<0>()?;
            let total = self.inst.reclaimed.load(SeqCst);
            let port = call.port_pid();
            let Audio {
                engine, io, stream, ..
            } = self;
            let mut host = VmHost {
                cx: &cx,
                stream,
                port,
            };
            let r = engine.stop(io, &mut host, total);
            yield_to_reclaim();
            r?;
            call.reply(&atom("ok"))
        } else if req.is("get_stats") {
            req.args::<0>()?;
            call.reply(&(atom("stats"), self.counters(false)))
        } else if req.is("get_counters") {
            req.args::<0>()?;
            self.stream.prune();
            call.reply(&(atom("counters"), self.counters(true)))
        } else if req.is("subscribe") {
            req.args::<0>()?;
            let p = call.caller().ok_or(Error::BADARG)?;
            self.stream.subscribe(p)?;
            call.reply(&atom("ok"))
        } else if req.is("unsubscribe") {
            req.args::<0>()?;
            let p = call.caller().ok_or(Error::BADARG)?;
            self.stream.unsubscribe(p);
            call.reply(&atom("ok"))
        } else {
            Err(Error::UNKNOWN_COMMAND)
        };
        self.publish();
        r
    }
}

impl Drop for Audio {
    fn drop(&mut self) {
        let inst = self.inst;
        // From here the reclaim thread keeps every block it gets; no more doorbells.
        inst.closing.store(true, SeqCst);
        inst.set_ringer(None);
        // DROP: the driver frees what it queued. The waiting requests are answered
        // `{error, closed}` as they are dropped.
        let (free, pending) = self.engine.close(&mut self.io);
        drop(pending);
        let slab = inst.slab.get();
        let give = |p: *mut c_void| {
            // SAFETY: a block of this session's slab that the port held; the reclaim thread
            // takes it back (it counts every block until all are back).
            unsafe { zephyr::raw::k_mem_slab_free(slab, p) };
        };
        for b in free {
            give(b.ptr.as_ptr().cast());
        }
        let mask = inst.returned.swap(0, SeqCst);
        for i in (0..MASK_BITS).filter(|i| mask & (1 << i) != 0) {
            give(inst.block_ptr(i));
        }
        if let Some(c) = self.codec.as_mut() {
            c.stop();
        }
        yield_to_reclaim();
        // `stream` and `_claim` are released after this; the node opens again once the
        // reclaim thread has every block back.
    }
}
