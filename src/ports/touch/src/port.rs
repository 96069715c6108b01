// SPDX-License-Identifier: Apache-2.0

//! The port `touch` on the VM (feature `vm`), in Rust on the `zephyr` crate and zephyr-hal;
//! `touch_glue.c` only holds the devicetree table and the input callback registrations
//! (`include/atomvm_touch.h`, read by bindgen).
//!
//! Every `atomvm,touch-port` node is an instance with its own statics ([`Instance`]): the
//! interrupt queue, the input queue, the event ring, the drain thread's semaphore, the INT
//! interrupt hook and the counters (the doorbell and the subscribers are the port's stream). Each can be open by one port at a time;
//! all can be open at once.
//!
//! Contexts, per instance:
//!
//! * **INT ISR** (zephyr-hal's [`Interrupt`] hook calls [`on_int`]): a wait-free push of a
//!   timestamp into the instance's `SpscQueue<DataReady, M>` and one `k_sem_give`;
//! * **input callback** (input bridge: [`atomvm_touch_input`], registered by the glue for the
//!   screen's controller): the same with the input event;
//! * **drain thread** (`touch_drain`, one per instance from a `#[zephyr::thread]` pool,
//!   `CONFIG_ATOMVM_PORT_TOUCH_DRAIN_PRIORITY` / `_STACK_SIZE`): everything that can block.
//!   It brings a generation up when a port opens (the controller's reset and the driver's
//!   init over I2C, then the interrupt), reads the controller once per wakeup (all pending
//!   INT edges coalesced) or runs the bridge's events through an [`InputTracker`], pushes the
//!   events into the ring and, if anyone subscribed, rings the doorbell;
//! * **VM thread**: the commands and, on the doorbell, the delivery of the ring's events as
//!   `{touch_events, [...]}` batches through the port's [`Stream`] (atomvm-port: subscribers
//!   with monitors, batches, the doorbell, in-order sends with [`Open::send`]). It never
//!   sleeps, never touches a bus and takes no lock held across I2C: the ring is SPSC (the
//!   drain thread writes, the port reads), open and close are requests the drain thread
//!   picks up ([`Request`]), counters are atomics.
//!
//! Generations: each open is a new generation of its instance. The drain thread publishes
//! the generation it runs ([`Instance::have`]) after resetting the counters and recording the
//! ring position where it starts ([`Instance::fence`]); the port reads nothing until its own
//! generation runs, then skips what an earlier one left in the ring.

use core::ffi::c_void;
use core::ptr;
use core::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU8};

use atomvm_port::encode::atom;
use atomvm_port::kconfig_depth;
use atomvm_port::stream::DEFAULT_MAX_BATCH;
use atomvm_port::vm::stream::{Ringer, Stream, StreamType};
use atomvm_port::vm::{Call, Open, Port, PortDriver, Replied, VmRequest, VmTerm};
use atomvm_port::{Claim, Counter, Error, Exclusive};
#[cfg(touch_i2c)]
use embedded_hal::delay::DelayNs;
#[cfg(touch_i2c)]
use embedded_hal::digital::{OutputPin, PinState};
use ft5x06::Transform;
#[cfg(touch_i2c)]
use ft5x06::{Config, Ft5x06, Variant};
use isr_queue::{Consumer, SpscQueue};
use zephyr::sys::sync::Semaphore;
use zephyr::time::Forever;
// The Rust driver's path needs I2C and GPIO (the glue refuses a driver screen without them).
#[cfg(touch_i2c)]
use zephyr_hal::gpio::{Edge, Interrupt, Output};
#[cfg(touch_i2c)]
use zephyr_hal::i2c::I2c;
#[cfg(touch_i2c)]
use zephyr_hal::Delay;

use crate::input::{drain_input, on_input, InputEvent, InputTracker};
use crate::{
    drain_step, on_data_ready, Batch, DataReady, EventRing, Format, RingReader, RingWriter, Tagged,
    Tracker, EMPTY_EVENT,
};

atomvm_port::bindings! {
    /// bindgen's view of `include/atomvm_touch.h` (build.rs).
    mod dt = "touch_bindings.rs";
}

/// The driver to register with the VM.
pub static DRIVER: PortDriver = PortDriver::new::<Touch>(c"touch");

/// `atomvm,touch-port` nodes.
const COUNT: usize = dt::ATOMVM_TOUCH_INSTANCES as usize;
/// Interrupts not yet seen by the drain thread, per instance.
const READY_DEPTH: usize = kconfig_depth!(CONFIG_ATOMVM_PORT_TOUCH_IRQ_DEPTH);
/// Events not yet delivered or read, per instance.
const RING_DEPTH: usize = kconfig_depth!(CONFIG_ATOMVM_PORT_TOUCH_RING_DEPTH);
/// Input events not yet seen by the drain thread, per instance.
#[cfg(touch_input_bridge)]
const INPUT_DEPTH: usize = kconfig_depth!(CONFIG_ATOMVM_PORT_TOUCH_INPUT_DEPTH);
#[cfg(not(touch_input_bridge))]
const INPUT_DEPTH: usize = 1;
const DRAIN_STACK: usize = zephyr::kconfig::CONFIG_ATOMVM_PORT_TOUCH_DRAIN_STACK_SIZE as usize;
const DRAIN_PRIORITY: i32 = zephyr::kconfig::CONFIG_ATOMVM_PORT_TOUCH_DRAIN_PRIORITY as i32;
const RESET_WAIT_MS: u32 = zephyr::kconfig::CONFIG_ATOMVM_PORT_TOUCH_RESET_WAIT_MS as u32;
const TICKS_PER_SEC: u64 = zephyr::kconfig::CONFIG_SYS_CLOCK_TICKS_PER_SEC as u64;
/// The largest `max_batch`, and the most events one `read_events` returns.
const MAX_BATCH: usize = 64;

/// The screen's devices are not ready (their drivers failed at boot).
const NOT_READY: Error = Error::new("not_ready");
/// The controller did not start (its reset or initialisation failed).
const INIT_FAILED: Error = Error::new("init_failed");

/// Where a generation stands ([`Instance::state`]).
const STARTING: u8 = 0;
const READY: u8 = 1;
const FAILED: u8 = 2;

/// What the port asks of the drain thread: the latest wins (open and close each overwrite it
/// with the whole wanted state).
#[derive(Default)]
struct Request {
    gen: u32,
    open: bool,
    /// The port's doorbell, rung when events wait and someone subscribed.
    ringer: Option<Ringer>,
}

/// The subscriber monitors of every touch port.
static STREAMS: StreamType = StreamType::new(c"touch_subscribers");

/// One screen's statics.
struct Instance {
    /// INT ISR → drain thread.
    ready: SpscQueue<DataReady, READY_DEPTH>,
    /// Input callback → drain thread.
    input: SpscQueue<InputEvent, INPUT_DEPTH>,
    /// Drain thread → port.
    ring: EventRing<RING_DEPTH>,
    /// Wakes the drain thread (ISR-safe give).
    sem: Semaphore,
    #[cfg(touch_i2c)]
    irq: Interrupt,
    /// The callbacks feed the queues (a generation is up and its port open).
    live: AtomicBool,
    /// A port has this instance open.
    owned: Exclusive,
    /// Its drain thread was started.
    started: AtomicBool,
    /// The last generation handed out (VM thread).
    next_gen: AtomicU32,
    /// The wanted state, and whether the drain thread has yet to see it.
    request: zephyr::sync::Mutex<Request>,
    dirty: AtomicBool,
    /// The generation the drain thread runs (0: none) and where in the ring it started.
    have: AtomicU32,
    fence: AtomicU32,
    state: AtomicU8,
    // Counters of the running generation.
    interrupts: AtomicU32,
    irq_taken: AtomicU32,
    reads: AtomicU32,
    read_errors: AtomicU32,
    events: AtomicU32,
    inputs: AtomicU32,
}

impl Instance {
    const fn new() -> Self {
        Self {
            ready: SpscQueue::new(),
            input: SpscQueue::new(),
            ring: EventRing::new(),
            sem: Semaphore::new(0, 1),
            #[cfg(touch_i2c)]
            irq: Interrupt::new(on_int),
            live: AtomicBool::new(false),
            owned: Exclusive::new(),
            started: AtomicBool::new(false),
            next_gen: AtomicU32::new(0),
            request: zephyr::sync::Mutex::new(Request {
                gen: 0,
                open: false,
                ringer: None,
            }),
            dirty: AtomicBool::new(false),
            have: AtomicU32::new(0),
            fence: AtomicU32::new(0),
            state: AtomicU8::new(STARTING),
            interrupts: AtomicU32::new(0),
            irq_taken: AtomicU32::new(0),
            reads: AtomicU32::new(0),
            read_errors: AtomicU32::new(0),
            events: AtomicU32::new(0),
            inputs: AtomicU32::new(0),
        }
    }

    /// Hands the drain thread the wanted state and wakes it.
    fn ask(&self, req: Request) {
        // Never poisoned (no unwinding on Zephyr); held for a move only.
        let Ok(mut slot) = self.request.lock();
        *slot = req;
        drop(slot);
        self.dirty.store(true, Release);
        self.sem.give();
    }

    fn wake(&self) {
        self.sem.give();
    }
}

static TOUCH: [Instance; COUNT] = [const { Instance::new() }; COUNT];

fn screen(index: usize) -> Option<&'static dt::atomvm_touch_screen> {
    // SAFETY: the glue defines COUNT immutable entries (it checks the count at build time).
    let all = unsafe {
        core::slice::from_raw_parts(ptr::addr_of!(dt::atomvm_touch_screens).cast(), COUNT)
    };
    all.get(index)
}

/// Microseconds of uptime (one kernel call).
fn now_us() -> u64 {
    // SAFETY: plain kernel getter, callable from any context.
    let t = u64::try_from(unsafe { zephyr::raw::k_uptime_ticks() }).unwrap_or(0);
    (t / TICKS_PER_SEC) * 1_000_000 + (t % TICKS_PER_SEC) * 1_000_000 / TICKS_PER_SEC
}

/// The INT interrupt of instance `index` (interrupt context, from zephyr-hal's hook).
/// Wait-free: a push and a semaphore give.
#[cfg(touch_i2c)]
fn on_int(index: usize) {
    let Some(inst) = TOUCH.get(index) else {
        return;
    };
    if !inst.live.load(Acquire) {
        return;
    }
    inst.interrupts.fetch_add(1, Relaxed);
    on_data_ready(&inst.ready, now_us(), &|| inst.wake());
}

/// The input bridge's callback (the input thread, or the reporting driver's context), one
/// registration per input-bridge screen, `user_data` its index. Wait-free.
#[no_mangle]
extern "C" fn atomvm_touch_input(evt: *mut dt::input_event, user_data: *mut c_void) {
    // SAFETY: the input subsystem passes a valid event for the duration of the call.
    let Some(e) = (unsafe { evt.as_ref() }) else {
        return;
    };
    let Some(inst) = TOUCH.get(user_data as usize) else {
        return;
    };
    if !inst.live.load(Acquire) {
        return;
    }
    let event = InputEvent {
        timestamp_us: now_us(),
        value: e.value,
        code: e.code,
        kind: e.type_,
        sync: e.sync != 0,
    };
    on_input(&inst.input, event, &|| inst.wake());
}

/// Where a running generation's events come from.
enum Source {
    /// The Rust FT5x06 driver over zephyr-hal's I2C, on INT interrupts.
    #[cfg(touch_i2c)]
    Driver(Ft5x06<I2c>),
    /// The controller's Zephyr input driver, through the bridge.
    Bridge,
}

/// Why a generation did not come up (logged).
#[derive(Debug)]
#[allow(dead_code)] // The fields are read by Debug.
enum Failure {
    #[cfg(touch_i2c)]
    Int(zephyr_hal::gpio::Error),
    #[cfg(touch_i2c)]
    Reset(zephyr_hal::gpio::Error),
    #[cfg(touch_i2c)]
    I2c(zephyr_hal::i2c::Error),
    #[cfg(touch_i2c)]
    Init(ft5x06::Error<zephyr_hal::i2c::Error>),
    NoBus,
}

/// The drain thread's own state (on its stack).
struct Drain {
    index: usize,
    inst: &'static Instance,
    screen: &'static dt::atomvm_touch_screen,
    ready: Consumer<'static, DataReady, READY_DEPTH>,
    input: Consumer<'static, InputEvent, INPUT_DEPTH>,
    ring: RingWriter<'static, RING_DEPTH>,
    /// The generation running (0: none).
    gen: u32,
    source: Option<Source>,
    tracker: Tracker,
    input_tracker: InputTracker,
    /// The running generation's port's doorbell.
    ringer: Option<Ringer>,
    #[cfg(touch_i2c)]
    reset_done: bool,
    #[cfg(touch_i2c)]
    attached: bool,
}

#[zephyr::thread(stack_size = DRAIN_STACK, pool_size = COUNT)]
fn touch_drain(index: usize) {
    let claimed = TOUCH
        .get(index)
        .zip(screen(index))
        .and_then(|(inst, screen)| {
            Some(Drain {
                index,
                inst,
                screen,
                ready: inst.ready.claim_consumer()?,
                input: inst.input.claim_consumer()?,
                ring: inst.ring.writer()?,
                gen: 0,
                source: None,
                tracker: Tracker::default(),
                input_tracker: InputTracker::new(),
                ringer: None,
                #[cfg(touch_i2c)]
                reset_done: false,
                #[cfg(touch_i2c)]
                attached: false,
            })
        });
    match claimed {
        Some(mut d) => d.run(),
        None => log::error!("touch: drain thread {index} cannot claim its queues"),
    }
}

fn transform(s: &dt::atomvm_touch_screen) -> Transform {
    Transform {
        inverted_x: s.inverted_x,
        inverted_y: s.inverted_y,
        swapped_x_y: s.swapped_x_y,
        ..Transform::new(s.screen_width, s.screen_height)
    }
}

fn add(counter: &AtomicU32, n: usize) {
    counter.fetch_add(n as u32, Relaxed);
}

impl Drain {
    fn run(&mut self) {
        loop {
            // Forever cannot time out; an error would only be a spurious wakeup.
            let _ = self.inst.sem.take(Forever);
            if self.inst.dirty.swap(false, AcqRel) {
                self.apply();
            }
            if self.step() > 0 {
                self.ring_bell();
            }
        }
    }

    /// Takes the port's latest request: a new generation (open) or the current one's end
    /// (close).
    fn apply(&mut self) {
        let req = {
            let Ok(mut slot) = self.inst.request.lock();
            core::mem::take(&mut *slot)
        };
        if req.gen == self.gen && req.open {
            return;
        }
        self.stop();
        if req.open {
            self.start(req.gen, req.ringer);
        }
    }

    fn stop(&mut self) {
        self.inst.live.store(false, Release);
        #[cfg(touch_i2c)]
        if let Some(Source::Driver(_)) = self.source {
            if let Err(e) = self.inst.irq.disable() {
                log::warn!("touch: disabling INT of screen {}: {e:?}", self.index);
            }
        }
        self.source = None;
        self.ringer = None;
        self.discard();
        self.gen = 0;
        self.inst.have.store(0, Release);
    }

    fn discard(&mut self) {
        let mut r = [DataReady::default(); READY_DEPTH];
        while self.ready.drain_into(&mut r) > 0 {}
        let mut i = [InputEvent::default(); INPUT_DEPTH];
        while self.input.drain_into(&mut i) > 0 {}
    }

    /// Brings generation `gen` up: counters from zero, then (may take a reset and I2C) the
    /// source; events flow once it is ready.
    fn start(&mut self, gen: u32, ringer: Option<Ringer>) {
        let inst = self.inst;
        for c in [
            &inst.interrupts,
            &inst.irq_taken,
            &inst.reads,
            &inst.read_errors,
            &inst.events,
            &inst.inputs,
        ] {
            c.store(0, Relaxed);
        }
        inst.ready.reset_stats();
        inst.input.reset_stats();
        inst.ring.reset_pushed();
        self.tracker = Tracker::new(transform(self.screen));
        self.input_tracker = InputTracker::new();
        // This port's doorbell (a doorbell still on its way went to an earlier port's).
        self.ringer = ringer;
        self.gen = gen;
        inst.state.store(STARTING, Relaxed);
        inst.fence.store(inst.ring.written(), Relaxed);
        inst.have.store(gen, Release);
        match self.bring_up() {
            Ok(source) => {
                self.source = Some(source);
                inst.live.store(true, Release);
                #[cfg(touch_i2c)]
                if let Some(Source::Driver(_)) = self.source {
                    if let Err(e) = inst.irq.enable(Edge::ToActive) {
                        self.fail(Failure::Int(e));
                        return;
                    }
                }
                inst.state.store(READY, Release);
            }
            Err(f) => self.fail(f),
        }
    }

    fn fail(&mut self, f: Failure) {
        log::error!("touch: screen {} did not start: {f:?}", self.index);
        self.inst.live.store(false, Release);
        self.source = None;
        self.inst.state.store(FAILED, Release);
        // Subscribers hear of it through the port.
        self.ring_bell();
    }

    fn bring_up(&mut self) -> Result<Source, Failure> {
        let s = self.screen;
        if s.input_bridge {
            return Ok(Source::Bridge);
        }
        self.bring_up_driver()
    }

    #[cfg(not(touch_i2c))]
    fn bring_up_driver(&mut self) -> Result<Source, Failure> {
        Err(Failure::NoBus)
    }

    /// The controller's reset (once), the driver's init over I2C, the INT hook attached.
    #[cfg(touch_i2c)]
    fn bring_up_driver(&mut self) -> Result<Source, Failure> {
        let s = self.screen;
        // SAFETY: the glue's specs are immutable statics (or null).
        let (i2c, int, reset) =
            unsafe { (s.i2c.as_ref(), s.int_gpio.as_ref(), s.reset_gpio.as_ref()) };
        let (Some(i2c), Some(int)) = (i2c, int) else {
            return Err(Failure::NoBus);
        };
        if !self.attached {
            self.inst
                .irq
                .attach(int, self.index)
                .map_err(Failure::Int)?;
            self.attached = true;
        }
        if let (Some(reset), false) = (reset, self.reset_done) {
            // The controller held in reset (the line active) for 5 ms, the FT5x06's minimum,
            // then given time before its firmware answers on I2C.
            let mut pin = Output::new(reset, PinState::High).map_err(Failure::Reset)?;
            Delay.delay_ms(5);
            pin.set_low().map_err(Failure::Reset)?;
            Delay.delay_ms(RESET_WAIT_MS);
            self.reset_done = true;
        }
        let addr = u8::try_from(i2c.addr).map_err(|_| Failure::NoBus)?;
        let bus = I2c::new(i2c).map_err(Failure::I2c)?;
        let mut device = Ft5x06::new(bus, addr, Config::new(Variant::Ft5x06));
        device.init().map_err(Failure::Init)?;
        Ok(Source::Driver(device))
    }

    /// One wakeup's work: the events read into the ring.
    fn step(&mut self) -> usize {
        let inst = self.inst;
        match self.source.as_mut() {
            None => {
                self.discard();
                0
            }
            Some(Source::Bridge) => {
                let mut r = [DataReady::default(); READY_DEPTH];
                while self.ready.drain_into(&mut r) > 0 {}
                let c = drain_input(
                    &mut self.input,
                    &mut self.input_tracker,
                    &mut self.ring,
                    &|| {},
                );
                add(&inst.inputs, c.inputs);
                add(&inst.events, c.events);
                c.events - c.dropped
            }
            #[cfg(touch_i2c)]
            Some(Source::Driver(device)) => {
                let pushed = match drain_step(
                    &mut self.ready,
                    || device.read_frame(),
                    &mut self.tracker,
                    &mut self.ring,
                    &|| {},
                ) {
                    Ok(c) => {
                        add(&inst.irq_taken, c.ready);
                        add(&inst.reads, c.reads);
                        add(&inst.events, c.events);
                        c.events - c.dropped
                    }
                    Err(e) => {
                        add(&inst.irq_taken, e.ready);
                        add(&inst.read_errors, 1);
                        0
                    }
                };
                let mut i = [InputEvent::default(); INPUT_DEPTH];
                while self.input.drain_into(&mut i) > 0 {}
                pushed
            }
        }
    }

    fn ring_bell(&self) {
        let Some(ringer) = &self.ringer else {
            return;
        };
        if !ringer.subscribed() {
            return;
        }
        if let Err(e) = ringer.ring() {
            log::error!("touch: cannot notify the port: {e}");
        }
    }
}

// ----------------------------------------------------------------------------------------
// The VM side.

/// Monitor resources (one per open port: its stream's) allocated and released since boot.
pub fn monitor_counts() -> (usize, usize) {
    STREAMS.counts()
}

/// The most bytes of a device name (`{device, Name}`).
const MAX_NAME: usize = 48;

/// A devicetree name given as an atom, a binary or a string.
fn name_bytes(t: VmTerm<'_>) -> Result<heapless::Vec<u8, MAX_NAME>, Error> {
    let bytes = match t.atom().or_else(|_| t.binary()) {
        Ok(b) => b,
        Err(_) => {
            let mut v = heapless::Vec::new();
            for c in t.list()? {
                v.push(c?.int_in(1u8..=127)?)
                    .map_err(|_| Error::OUT_OF_RANGE)?;
            }
            return Ok(v);
        }
    };
    heapless::Vec::from_slice(bytes).map_err(|_| Error::OUT_OF_RANGE)
}

struct OpenOptions {
    format: Format,
    max_batch: usize,
    device: Option<heapless::Vec<u8, MAX_NAME>>,
}

fn open_options(opts: VmTerm<'_>) -> Result<OpenOptions, Error> {
    let o = opts.options()?;
    o.only(&["format", "max_batch", "device"])?;
    let format = o.value_or("format", Format::Seed, |t| {
        if t.is_atom("seed") {
            Ok(Format::Seed)
        } else if t.is_atom("full") {
            Ok(Format::Full)
        } else {
            Err(Error::BADARG)
        }
    })?;
    let max_batch = o.value_or("max_batch", DEFAULT_MAX_BATCH, |t| {
        t.int_in(1usize..=MAX_BATCH)
    })?;
    let device = o.value_or("device", None, |t| name_bytes(t).map(Some))?;
    Ok(OpenOptions {
        format,
        max_batch,
        device,
    })
}

fn c_str_is(p: *const core::ffi::c_char, name: &[u8]) -> bool {
    // SAFETY: the glue's names are NUL-terminated string literals (or null).
    !p.is_null() && unsafe { core::ffi::CStr::from_ptr(p) }.to_bytes() == name
}

/// The screen called `name` (a node label or the node name), else the default one.
fn select(name: Option<&[u8]>) -> Option<usize> {
    let Some(name) = name else {
        // SAFETY: an immutable value defined by the glue.
        let d = unsafe { dt::atomvm_touch_default };
        return (d < COUNT).then_some(d);
    };
    (0..COUNT).find(|&i| {
        screen(i).is_some_and(|s| {
            // SAFETY: the glue's label array has n_labels entries.
            let labels = unsafe { core::slice::from_raw_parts(s.labels, s.n_labels) };
            c_str_is(s.name, name) || labels.iter().any(|&l| c_str_is(l, name))
        })
    })
}

fn ready(dev: *const zephyr_hal::raw::device) -> bool {
    // SAFETY: devices from the glue's table are static.
    !dev.is_null() && unsafe { zephyr_hal::raw::device_is_ready(dev) }
}

/// Whether the screen's devices are ready (checked on open, without touching a bus).
fn devices_ready(s: &dt::atomvm_touch_screen) -> bool {
    if s.input_bridge {
        return ready(s.controller);
    }
    driver_ready(s)
}

#[cfg(touch_i2c)]
fn driver_ready(s: &dt::atomvm_touch_screen) -> bool {
    // SAFETY: the glue's specs are immutable statics (or null).
    let (i2c, int) = unsafe { (s.i2c.as_ref(), s.int_gpio.as_ref()) };
    match (i2c, int) {
        (Some(i2c), Some(int)) => ready(i2c.bus) && ready(int.port),
        _ => false,
    }
}

/// Without I2C and GPIO there is no driver path (the glue refuses such a screen).
#[cfg(not(touch_i2c))]
fn driver_ready(_: &dt::atomvm_touch_screen) -> bool {
    false
}

/// An open `touch` port: one instance, one generation.
pub struct Touch {
    inst: &'static Instance,
    gen: u32,
    reader: RingReader<'static, RING_DEPTH>,
    /// The generation runs and the ring was skipped to its start.
    synced: bool,
    format: Format,
    /// Subscribers (monitored), batches, doorbell.
    stream: Stream,
    failure_told: bool,
    // Last: released after everything above.
    _claim: Claim,
}

impl Touch {
    /// Whether this port's generation runs; the first time, skips what an earlier one left.
    fn sync(&mut self) -> bool {
        if !self.synced {
            if self.inst.have.load(Acquire) != self.gen {
                return false;
            }
            self.reader.skip_to(self.inst.fence.load(Relaxed));
            self.synced = true;
        }
        true
    }

    fn state(&mut self) -> u8 {
        if self.sync() {
            self.inst.state.load(Acquire)
        } else {
            STARTING
        }
    }

    fn counters(&mut self) -> [Counter; 14] {
        let running = self.sync();
        let inst = self.inst;
        let get = |c: &AtomicU32| if running { c.load(Relaxed) } else { 0 };
        let (r, q, i) = if running {
            (inst.ring.stats(), inst.ready.stats(), inst.input.stats())
        } else {
            (
                crate::RingStats {
                    delivered: inst.ring.stats().delivered,
                    ..Default::default()
                },
                Default::default(),
                Default::default(),
            )
        };
        let state = match self.state() {
            READY => "ready",
            FAILED => "failed",
            _ => "starting",
        };
        [
            Counter::num("dropped", r.dropped),
            Counter::num("pushed", r.pushed),
            Counter::num("high_water", r.high_water),
            Counter::num("delivered", r.delivered),
            Counter::num("events", get(&inst.events)),
            Counter::num("interrupts", get(&inst.interrupts)),
            Counter::num("irq_dropped", q.dropped),
            Counter::num("irq_taken", get(&inst.irq_taken)),
            Counter::num("reads", get(&inst.reads)),
            Counter::num("read_errors", get(&inst.read_errors)),
            Counter::num("inputs", get(&inst.inputs)),
            Counter::num("input_dropped", i.dropped),
            Counter::num("subscribers", self.stream.len() as u32),
            Counter::Atom("state", state),
        ]
    }

    /// `{error, init_failed}` once the controller failed to start.
    fn check_failed(&mut self) -> Result<(), Error> {
        if self.state() == FAILED {
            Err(INIT_FAILED)
        } else {
            Ok(())
        }
    }
}

impl Port for Touch {
    fn init(cx: &mut Open) {
        if let Err(e) = STREAMS.register(cx) {
            log::error!("touch: cannot register the subscriber monitors: {e}");
        }
    }

    /// Takes nothing before the checks that can refuse: options, the screen, its devices,
    /// then the instance ([`Claim`]) and the stream; a failed open releases what it took
    /// (they are dropped).
    fn open(cx: &mut Open, opts: VmTerm<'_>) -> Result<Self, Error> {
        let OpenOptions {
            format,
            max_batch,
            device,
        } = open_options(opts)?;
        let index = select(device.as_deref()).ok_or(Error::NO_DEVICE)?;
        let (Some(inst), Some(s)) = (TOUCH.get(index), screen(index)) else {
            return Err(Error::NO_DEVICE);
        };
        if !devices_ready(s) {
            return Err(NOT_READY);
        }
        let claim = inst.owned.claim()?;
        let mut reader = inst.ring.reader().ok_or(Error::BUSY)?;
        let stream = STREAMS.open(cx, max_batch)?;
        // What an earlier port left; the fence catches what its generation still writes.
        reader.skip_to(inst.ring.written());
        inst.ring.reset_delivered();
        if !inst.started.swap(true, AcqRel) {
            let t = touch_drain(index);
            t.set_priority(DRAIN_PRIORITY);
            t.start();
        }
        let gen = inst.next_gen.fetch_add(1, Relaxed).wrapping_add(1).max(1);
        inst.ask(Request {
            gen,
            open: true,
            ringer: Some(stream.ringer()),
        });
        Ok(Touch {
            inst,
            gen,
            reader,
            synced: false,
            format,
            stream,
            failure_told: false,
            _claim: claim,
        })
    }

    fn info(&mut self, cx: &mut Open, msg: VmTerm<'_>) {
        if !self.stream.answer(msg) || !self.sync() {
            return;
        }
        if self.state() == FAILED && !self.failure_told {
            self.failure_told = true;
            self.stream
                .notify(cx, &(atom("touch_error"), atom("init_failed")));
        }
        // Everything the ring holds, oldest first (nothing without subscribers: the events
        // stay for read_events).
        let Touch {
            stream,
            reader,
            format,
            ..
        } = self;
        let mut buf = [EMPTY_EVENT; MAX_BATCH];
        stream.deliver(
            cx,
            &mut buf,
            |b| reader.read_into(b),
            |events, out| {
                out.send(&Batch {
                    events,
                    format: *format,
                })
            },
        );
    }

    fn call(&mut self, call: &mut Call, req: VmRequest<'_>) -> Result<Replied, Error> {
        if req.is("read_events") {
            req.args::<0>()?;
            self.check_failed()?;
            let mut buf = [EMPTY_EVENT; MAX_BATCH];
            let n = if self.sync() {
                self.reader.read_into(&mut buf)
            } else {
                0
            };
            if n == 0 {
                call.reply(&atom("no_events"))
            } else {
                call.reply(&Tagged {
                    tag: "events",
                    events: buf.get(..n).unwrap_or(&[]),
                    format: self.format,
                })
            }
        } else if req.is("get_stats") {
            req.args::<0>()?;
            let dropped = if self.sync() {
                self.inst.ring.stats().dropped
            } else {
                0
            };
            call.reply(&(atom("stats"), dropped))
        } else if req.is("get_counters") {
            req.args::<0>()?;
            self.stream.prune();
            let c = self.counters();
            call.reply(&(atom("counters"), c))
        } else if req.is("subscribe") {
            req.args::<0>()?;
            self.check_failed()?;
            let p = call.caller().ok_or(Error::BADARG)?;
            self.stream.subscribe(p)?;
            call.reply(&())
        } else if req.is("unsubscribe") {
            req.args::<0>()?;
            let p = call.caller().ok_or(Error::BADARG)?;
            self.stream.unsubscribe(p);
            call.reply(&())
        } else {
            Err(Error::UNKNOWN_COMMAND)
        }
    }
}

impl Drop for Touch {
    fn drop(&mut self) {
        // The callbacks stop feeding at once; the drain thread turns the interrupt off. The
        // stream (monitors, their resource, the doorbell) goes with the fields.
        self.inst.live.store(false, Release);
        self.inst.ask(Request {
            gen: self.gen,
            open: false,
            ringer: None,
        });
        // `stream`, `reader` and `_claim` are released after this: the screen is free again.
    }
}
