// SPDX-License-Identifier: Apache-2.0

//! The port `touch` on the VM (feature `vm`): devicetree and Zephyr calls in `touch_glue.c`,
//! everything else here.
//!
//! Threads and contexts:
//!
//! * **INT ISR** (GPIO callback in `touch_glue.c`) → [`atomvm_touch_isr`] → the pure
//!   [`on_data_ready`]: a wait-free push into the static `SpscQueue<DataReady, M>` and one
//!   `k_sem_give`;
//! * **input callback** (input bridge, `INPUT_CALLBACK_DEFINE` in the glue, for screens with
//!   `input-bridge`) → [`atomvm_touch_input`] → the pure [`on_input`]: the same, with the
//!   input event into a `SpscQueue<InputEvent, I>`;
//! * **drain thread** (`K_THREAD_DEFINE` in the glue, priority
//!   `CONFIG_ATOMVM_PORT_TOUCH_DRAIN_PRIORITY`, stack
//!   `CONFIG_ATOMVM_PORT_TOUCH_DRAIN_STACK_SIZE`) → [`atomvm_touch_drain_main`]: waits on the
//!   semaphore, runs [`drain_step`] (one I2C frame read with the `ft5x06` driver) or
//!   [`drain_input`] (the bridge's events through an [`InputTracker`]) into the event ring;
//!   if anyone subscribed, it rings the port's [`Doorbell`] (one message in flight at most);
//! * **VM thread**: the port commands, and on the doorbell ([`Port::info`]) the delivery: all
//!   of the ring's events as `{touch_events, [Event, ...]}` batches of at most `max_batch`,
//!   oldest first, to every subscriber, sent with [`Open::send`], which keeps them in order
//!   (AtomVM hands messages sent from other threads over newest first). Without subscribers
//!   the events stay in the ring for `read_events`.
//!
//! The port state shared by the drain thread and the VM thread (queue consumer, ring ends,
//! tracker, device, subscribers) sits behind one `k_mutex` (the glue's). Only one `touch` port
//! can be open at a time (a second `open_port` fails with `badarg`, logged as `busy`).
//!
//! Dead subscribers: each subscriber is monitored (a resource monitor). The monitor's `down`
//! callback runs on the VM thread, possibly inside AtomVM's own locks, so it takes no lock of
//! ours: it records the pid in a small lock-free list that the drain thread and every command
//! apply (under the mutex) before they touch the subscribers. A batch may thus still be sent
//! to a pid that just died; AtomVM drops such a message.

use core::cell::UnsafeCell;
use core::ffi::c_void;
use core::ptr;
use core::sync::atomic::{AtomicI32, AtomicPtr, AtomicU32, Ordering::Relaxed};

use atomvm_port::encode::atom;
use atomvm_port::vm::{
    sys, Call, Doorbell, Mailer, Open, Pid, Port, PortDriver, Replied, VmRequest, VmTerm,
};
use atomvm_port::Error;
use embedded_hal::i2c::{ErrorKind, ErrorType, Operation};
use ft5x06::{Config, Ft5x06, Transform, Variant};
use isr_queue::{Consumer, Notify, SpscQueue};

use crate::input::{drain_input, on_input, InputEvent, InputTracker};
use crate::{
    config_depth, drain_step, on_data_ready, Batch, Batcher, DataReady, EventRing, Format,
    RingReader, RingWriter, Subscribers, Tagged, TouchEvent, Tracker, EMPTY_EVENT,
};

/// The driver to pass to `atomvm_port::vm::run`.
pub static DRIVER: PortDriver = PortDriver::new::<Touch>(c"touch");

/// Depth of the `DataReady` queue (interrupts not yet seen by the drain thread).
const READY_DEPTH: usize = config_depth(option_env!("CONFIG_ATOMVM_PORT_TOUCH_IRQ_DEPTH"), 8);
/// Depth of the event ring (events not yet delivered or read).
const RING_DEPTH: usize = config_depth(option_env!("CONFIG_ATOMVM_PORT_TOUCH_RING_DEPTH"), 32);
/// Depth of the input bridge's queue (input events not yet seen by the drain thread).
const INPUT_DEPTH: usize = config_depth(option_env!("CONFIG_ATOMVM_PORT_TOUCH_INPUT_DEPTH"), 32);
/// Subscribers per port.
const MAX_SUBSCRIBERS: usize = 4;
/// The largest `max_batch`, and the most events one `read_events` returns.
const MAX_BATCH: usize = 64;

static READY: SpscQueue<DataReady, READY_DEPTH> = SpscQueue::new();
static RING: EventRing<RING_DEPTH> = EventRing::new();
static INPUT: SpscQueue<InputEvent, INPUT_DEPTH> = SpscQueue::new();
/// Interrupts seen by the ISR since the port opened, queued or not.
static INTERRUPTS: AtomicU32 = AtomicU32::new(0);

mod glue {
    #[repr(C)]
    #[derive(Default)]
    pub struct Info {
        pub screen_width: u16,
        pub screen_height: u16,
        pub swapped_x_y: bool,
        pub inverted_x: bool,
        pub inverted_y: bool,
        pub input_bridge: bool,
        pub addr: u16,
    }

    /// `-ENOENT`.
    pub const ENOENT: i32 = -2;

    extern "C" {
        /// Selects the screen `name` (null: the default one) and fills `info`: 0, `-ENOENT`
        /// (no such `atomvm,touch-port` node) or `-ENODEV` (its devices are not ready).
        pub fn atomvm_touch_select(name: *const u8, len: usize, info: *mut Info) -> i32;
        /// Starts (`true`) or stops the selected screen's events (INT interrupt or bridge).
        pub fn atomvm_touch_enable(on: bool) -> i32;
        pub fn atomvm_touch_wake();
        pub fn atomvm_touch_wait();
        pub fn atomvm_touch_lock();
        pub fn atomvm_touch_unlock();
        /// One I2C transfer to the controller: write `w` (may be empty) then read `r` (may be
        /// empty), with a repeated start between. 0 or a negative errno.
        pub fn atomvm_touch_i2c(w: *const u8, wlen: usize, r: *mut u8, rlen: usize) -> i32;
    }
}

/// The drain thread's wakeup: the glue's semaphore (ISR-safe `k_sem_give`).
struct Sem;

impl Notify for Sem {
    fn notify(&self) {
        // SAFETY: k_sem_give on a static semaphore, callable from an ISR.
        unsafe { glue::atomvm_touch_wake() }
    }
}

/// No port wakeup: the drain thread delivers itself, right after `drain_step`.
struct NoWake;

impl Notify for NoWake {
    fn notify(&self) {}
}

/// The INT interrupt: timestamp in microseconds of uptime. Wait-free.
#[no_mangle]
extern "C" fn atomvm_touch_isr(timestamp_us: u64) {
    INTERRUPTS.fetch_add(1, Relaxed);
    on_data_ready(&READY, timestamp_us, &Sem);
}

/// The input bridge's callback (input thread or the reporting driver's context). Wait-free.
#[no_mangle]
extern "C" fn atomvm_touch_input(kind: u8, code: u16, value: i32, sync: bool, timestamp_us: u64) {
    let event = InputEvent {
        timestamp_us,
        value,
        code,
        kind,
        sync,
    };
    on_input(&INPUT, event, &Sem);
}

/// Where the open port's events come from.
enum Source {
    /// The Rust FT5x06 driver, on INT interrupts.
    Driver(Ft5x06<GlueI2c>),
    /// The controller's Zephyr input driver, through the bridge.
    Bridge,
}

/// The I2C bus through the glue (`i2c_write_read_dt` and friends), for the `ft5x06` driver.
pub struct GlueI2c;

/// A failed transfer (its negative errno).
#[derive(Debug, Clone, Copy)]
pub struct I2cError(pub i32);

impl embedded_hal::i2c::Error for I2cError {
    fn kind(&self) -> ErrorKind {
        match self.0 {
            // -EIO: the controller did not answer (Zephyr's drivers report NACKs so).
            -5 => ErrorKind::NoAcknowledge(embedded_hal::i2c::NoAcknowledgeSource::Unknown),
            _ => ErrorKind::Other,
        }
    }
}

impl ErrorType for GlueI2c {
    type Error = I2cError;
}

impl embedded_hal::i2c::I2c for GlueI2c {
    fn transaction(&mut self, _address: u8, ops: &mut [Operation<'_>]) -> Result<(), I2cError> {
        // The controller's address is the devicetree's; the driver only writes a register
        // address and reads (or writes a register and its value).
        let rc = match ops {
            [Operation::Write(w), Operation::Read(r)] => unsafe {
                // SAFETY: both buffers are valid for their lengths during the call.
                glue::atomvm_touch_i2c(w.as_ptr(), w.len(), r.as_mut_ptr(), r.len())
            },
            [Operation::Write(w)] => unsafe {
                // SAFETY: as above.
                glue::atomvm_touch_i2c(w.as_ptr(), w.len(), ptr::null_mut(), 0)
            },
            [Operation::Read(r)] => unsafe {
                // SAFETY: as above.
                glue::atomvm_touch_i2c(ptr::null(), 0, r.as_mut_ptr(), r.len())
            },
            _ => -22,
        };
        if rc == 0 {
            Ok(())
        } else {
            Err(I2cError(rc))
        }
    }
}

/// What the drain thread and the port share, behind the glue's mutex.
struct Shared {
    ready: Consumer<'static, DataReady, READY_DEPTH>,
    writer: RingWriter<'static, RING_DEPTH>,
    reader: RingReader<'static, RING_DEPTH>,
    tracker: Tracker,
    input: Consumer<'static, InputEvent, INPUT_DEPTH>,
    input_tracker: InputTracker,
    /// `None` while no port is open.
    source: Option<Source>,
    subscribers: Subscribers<Pid, MAX_SUBSCRIBERS>,
    monitors: heapless::Vec<(i32, sys::ErlNifMonitor), MAX_SUBSCRIBERS>,
    format: Format,
    batcher: Batcher,
    mailer: Option<Mailer>,
    /// The open port's pid (known from the first command; subscribing is one).
    port_pid: Option<Pid>,
    reads: u32,
    read_errors: u32,
    events: u32,
    ready_taken: u32,
    inputs: u32,
}

struct Locked(UnsafeCell<Option<Shared>>);

// SAFETY: the content is only reached through `with`, under the glue's k_mutex.
unsafe impl Sync for Locked {}

static SHARED: Locked = Locked(UnsafeCell::new(None));

/// Runs `f` on the shared state under the mutex (creating it the first time).
fn with<R>(f: impl FnOnce(&mut Shared) -> R) -> Option<R> {
    // SAFETY: k_mutex lock/unlock around the only access to SHARED; not reentrant (no `with`
    // calls another `with`).
    unsafe {
        glue::atomvm_touch_lock();
        let slot = &mut *SHARED.0.get();
        if slot.is_none() {
            if let (Some(ready), Some(writer), Some(reader), Some(input)) = (
                READY.claim_consumer(),
                RING.writer(),
                RING.reader(),
                INPUT.claim_consumer(),
            ) {
                *slot = Some(Shared {
                    ready,
                    writer,
                    reader,
                    tracker: Tracker::default(),
                    input,
                    input_tracker: InputTracker::new(),
                    source: None,
                    subscribers: Subscribers::new(),
                    monitors: heapless::Vec::new(),
                    format: Format::Seed,
                    batcher: Batcher::default(),
                    mailer: None,
                    port_pid: None,
                    reads: 0,
                    read_errors: 0,
                    events: 0,
                    ready_taken: 0,
                    inputs: 0,
                });
            }
        }
        let r = slot.as_mut().map(|s| {
            s.prune_dead();
            f(s)
        });
        glue::atomvm_touch_unlock();
        r
    }
}

/// Pids whose monitor fired and that are not yet removed (0 = free slot; local pids are > 0).
static DEAD: [AtomicI32; 2 * MAX_SUBSCRIBERS] = [const { AtomicI32::new(0) }; 2 * MAX_SUBSCRIBERS];
/// The resource type whose monitors watch subscribers.
static MONITOR_TYPE: AtomicPtr<sys::ErlNifResourceType> = AtomicPtr::new(ptr::null_mut());
/// One resource of that type, holding every subscriber's monitor (while a port is open).
static MONITOR_RES: AtomicPtr<c_void> = AtomicPtr::new(ptr::null_mut());

unsafe extern "C" fn subscriber_down(
    _env: *mut sys::ErlNifEnv,
    _obj: *mut c_void,
    pid: *mut sys::ErlNifPid,
    _mon: *mut sys::ErlNifMonitor,
) {
    // SAFETY: AtomVM passes the monitored pid.
    let Some(&pid) = (unsafe { pid.as_ref() }) else {
        return;
    };
    for slot in &DEAD {
        if slot.compare_exchange(0, pid, Relaxed, Relaxed).is_ok() {
            return;
        }
    }
    log::warn!("touch: no slot for dead subscriber {pid}");
}

fn env(glb: *mut sys::GlobalContext) -> sys::ErlNifEnv {
    // SAFETY: a partial env only carries the global context, which is what the monitor calls
    // use; on the VM thread.
    unsafe {
        let mut env: sys::ErlNifEnv = core::mem::zeroed();
        sys::erl_nif_env_partial_init_from_globalcontext(&mut env, glb);
        env
    }
}

impl Shared {
    fn prune_dead(&mut self) {
        for slot in &DEAD {
            let pid = slot.swap(0, Relaxed);
            if pid != 0 {
                self.forget(pid);
            }
        }
    }

    fn forget(&mut self, pid: i32) -> Option<sys::ErlNifMonitor> {
        let p = self.subscribers.iter().find(|p| p.id() == pid)?;
        self.subscribers.unsubscribe(p);
        let i = self.monitors.iter().position(|(q, _)| *q == pid)?;
        Some(self.monitors.swap_remove(i).1)
    }

    /// One wakeup of the drain thread: reads the controller; with subscribers, takes the
    /// ring's events into `out` and returns what to send.
    /// Throws away what the callbacks queued for no open port (or the other source).
    fn discard_ready(&mut self) {
        let mut buf = [DataReady::default(); READY_DEPTH];
        self.ready.drain_into(&mut buf);
    }

    fn discard_input(&mut self) {
        let mut buf = [InputEvent::default(); INPUT_DEPTH];
        self.input.drain_into(&mut buf);
    }

    /// One wakeup of the drain thread: reads the controller or the bridge's queue into the
    /// ring; with subscribers and events waiting, returns whom to ring.
    fn drain(&mut self) -> Option<(Mailer, Pid)> {
        match self.source.as_mut() {
            None => {
                self.discard_ready();
                self.discard_input();
                return None;
            }
            Some(Source::Bridge) => {
                self.discard_ready();
                let c = drain_input(
                    &mut self.input,
                    &mut self.input_tracker,
                    &mut self.writer,
                    &NoWake,
                );
                self.inputs = self.inputs.wrapping_add(c.inputs as u32);
                self.events = self.events.wrapping_add(c.events as u32);
            }
            Some(Source::Driver(device)) => {
                match drain_step(
                    &mut self.ready,
                    || device.read_frame(),
                    &mut self.tracker,
                    &mut self.writer,
                    &NoWake,
                ) {
                    Ok(c) => {
                        self.ready_taken = self.ready_taken.wrapping_add(c.ready as u32);
                        self.reads = self.reads.wrapping_add(c.reads as u32);
                        self.events = self.events.wrapping_add(c.events as u32);
                    }
                    Err(e) => {
                        self.ready_taken = self.ready_taken.wrapping_add(e.ready as u32);
                        self.read_errors = self.read_errors.wrapping_add(1);
                    }
                }
                self.discard_input();
            }
        }
        if self.subscribers.is_empty() || self.reader.is_empty() {
            return None;
        }
        Some((self.mailer?, self.port_pid?))
    }

    /// On the VM thread: takes up to `out.len()` events with what is needed to send them
    /// (none without subscribers: they stay for `read_events`).
    fn take(&mut self, out: &mut [TouchEvent]) -> (usize, Format, Batcher, Recipients) {
        let n = if self.subscribers.is_empty() {
            0
        } else {
            self.reader.read_into(out)
        };
        (
            n,
            self.format,
            self.batcher,
            self.subscribers.iter().collect(),
        )
    }
}

type Recipients = heapless::Vec<Pid, MAX_SUBSCRIBERS>;

/// Rung by the drain thread when subscribers have events waiting.
static DOORBELL: Doorbell = Doorbell::new();

/// The drain thread's body (started by the glue at boot; it sleeps until an interrupt).
#[no_mangle]
extern "C" fn atomvm_touch_drain_main() {
    loop {
        // SAFETY: k_sem_take(K_FOREVER) on the glue's semaphore, in thread context.
        unsafe { glue::atomvm_touch_wait() };
        if let Some((mailer, port)) = with(Shared::drain).flatten() {
            if let Err(e) = DOORBELL.ring(&mailer, port) {
                log::error!("touch: cannot notify the port: {e}");
            }
        }
    }
}

/// An open `touch` port; the device and subscribers live in the shared state.
pub struct Touch {
    glb: *mut sys::GlobalContext,
}

fn transform(info: &glue::Info) -> Transform {
    Transform {
        inverted_x: info.inverted_x,
        inverted_y: info.inverted_y,
        swapped_x_y: info.swapped_x_y,
        ..Transform::new(info.screen_width, info.screen_height)
    }
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
    let max_batch = o.value_or("max_batch", crate::DEFAULT_MAX_BATCH, |t| {
        t.int_in(1usize..=MAX_BATCH)
    })?;
    let device = o.value_or("device", None, |t| name_bytes(t).map(Some))?;
    Ok(OpenOptions {
        format,
        max_batch,
        device,
    })
}

impl Port for Touch {
    fn init(cx: &mut Open) {
        let init = sys::ErlNifResourceTypeInit {
            members: 3,
            dtor: None,
            stop: None,
            down: Some(subscriber_down),
        };
        let mut env = env(cx.global());
        // SAFETY: on the VM thread at VM start; AtomVM copies the name.
        let t = unsafe {
            sys::enif_init_resource_type(
                &mut env,
                c"touch_subscriber_monitor".as_ptr(),
                &init,
                sys::ERL_NIF_RT_CREATE,
                ptr::null_mut(),
            )
        };
        MONITOR_TYPE.store(t, Relaxed);
    }

    fn open(cx: &mut Open, opts: VmTerm<'_>) -> Result<Self, Error> {
        let OpenOptions {
            format,
            max_batch,
            device,
        } = open_options(opts)?;
        // Before selecting: selection switches the glue's screen under an open port.
        if with(|s| s.source.is_some()).unwrap_or(true) {
            return Err(Error::with("busy", "touch"));
        }
        let mut info = glue::Info::default();
        let (name, len) = device
            .as_ref()
            .map_or((ptr::null(), 0), |d| (d.as_ptr(), d.len()));
        // SAFETY: `name` is valid for `len` bytes (or null); our glue writes the struct.
        match unsafe { glue::atomvm_touch_select(name, len, &mut info) } {
            0 => {}
            glue::ENOENT => return Err(Error::with("no_device", "touch")),
            _ => return Err(Error::with("not_ready", "touch")),
        }
        let source = if info.input_bridge {
            Source::Bridge
        } else {
            let addr = u8::try_from(info.addr).map_err(|_| Error::BADARG.at("addr"))?;
            let mut device = Ft5x06::new(GlueI2c, addr, Config::new(Variant::Ft5x06));
            device.init().map_err(|_| Error::IO.at("init"))?;
            Source::Driver(device)
        };
        let t = MONITOR_TYPE.load(Relaxed);
        // SAFETY: a resource of our registered type; released in Drop.
        let res = if t.is_null() {
            ptr::null_mut()
        } else {
            unsafe { sys::enif_alloc_resource(t, 0) }
        };
        let opened = with(|s| {
            if s.source.is_some() {
                return Err(Error::with("busy", "touch"));
            }
            // Forget what a previous port left.
            let mut buf = [EMPTY_EVENT; MAX_BATCH];
            while s.reader.read_into(&mut buf) > 0 {}
            s.discard_ready();
            s.discard_input();
            RING.reset_stats();
            READY.reset_stats();
            INPUT.reset_stats();
            INTERRUPTS.store(0, Relaxed);
            // A doorbell still on its way went to a previous port.
            DOORBELL.reset();
            s.tracker = Tracker::new(transform(&info));
            s.input_tracker = InputTracker::new();
            s.source = Some(source);
            s.format = format;
            s.batcher = Batcher::new(max_batch);
            s.mailer = Mailer::current();
            s.reads = 0;
            s.read_errors = 0;
            s.events = 0;
            s.ready_taken = 0;
            s.inputs = 0;
            Ok(())
        })
        .unwrap_or(Err(Error::with("busy", "touch")));
        if let Err(e) = opened {
            if !res.is_null() {
                // SAFETY: the reference we took above.
                unsafe { sys::enif_release_resource(res) };
            }
            return Err(e);
        }
        MONITOR_RES.store(res, Relaxed);
        // SAFETY: our glue.
        if unsafe { glue::atomvm_touch_enable(true) } != 0 {
            with(|s| s.source = None);
            return Err(Error::IO.at("int"));
        }
        Ok(Touch { glb: cx.global() })
    }

    fn info(&mut self, cx: &mut Open, msg: VmTerm<'_>) {
        if !DOORBELL.answer(msg) {
            return;
        }
        // Everything the ring holds, oldest first; the mutex is not held while sending.
        let mut buf = [EMPTY_EVENT; MAX_BATCH];
        loop {
            let Some((n, format, batcher, to)) = with(|s| s.take(&mut buf)) else {
                return;
            };
            if n == 0 {
                return;
            }
            for chunk in batcher.batches(buf.get(..n).unwrap_or(&[])) {
                let batch = Batch {
                    events: chunk,
                    format,
                };
                for &p in &to {
                    // A dead receiver drops the message; its monitor removes it.
                    if let Err(e) = cx.send(p, &batch) {
                        log::error!("touch: sending a batch failed: {e}");
                    }
                }
            }
        }
    }

    fn call(&mut self, call: &mut Call, req: VmRequest<'_>) -> Result<Replied, Error> {
        if req.is("read_events") {
            req.args::<0>()?;
            let mut buf = [EMPTY_EVENT; MAX_BATCH];
            let (n, format) =
                with(|s| (s.reader.read_into(&mut buf), s.format)).ok_or(Error::CLOSED)?;
            if n == 0 {
                call.reply(&atom("no_events"))
            } else {
                call.reply(&Tagged {
                    tag: "events",
                    events: &buf[..n],
                    format,
                })
            }
        } else if req.is("get_stats") {
            req.args::<0>()?;
            let (reads, errors, events, taken, inputs, subs) = with(|s| {
                (
                    s.reads,
                    s.read_errors,
                    s.events,
                    s.ready_taken,
                    s.inputs,
                    s.subscribers.len() as u32,
                )
            })
            .ok_or(Error::CLOSED)?;
            let r = RING.stats();
            let q = READY.stats();
            let i = INPUT.stats();
            call.reply(&(
                atom("stats"),
                [
                    (atom("dropped"), r.dropped),
                    (atom("pushed"), r.pushed),
                    (atom("high_water"), r.high_water),
                    (atom("delivered"), r.delivered),
                    (atom("events"), events),
                    (atom("interrupts"), INTERRUPTS.load(Relaxed)),
                    (atom("irq_dropped"), q.dropped),
                    (atom("irq_taken"), taken),
                    (atom("reads"), reads),
                    (atom("read_errors"), errors),
                    (atom("inputs"), inputs),
                    (atom("input_dropped"), i.dropped),
                    (atom("subscribers"), subs),
                ],
            ))
        } else if req.is("subscribe") {
            req.args::<0>()?;
            let p = call.caller().ok_or(Error::BADARG)?;
            let glb = self.glb;
            let me = call.port_pid();
            with(|s| -> Result<(), Error> {
                s.port_pid = Some(me);
                if s.subscribers.contains(p) {
                    return Ok(());
                }
                s.subscribers.subscribe(p)?;
                let res = MONITOR_RES.load(Relaxed);
                if res.is_null() {
                    return Ok(());
                }
                let mut env = env(glb);
                let pid: sys::ErlNifPid = p.id();
                // SAFETY: zeroed is a valid "no monitor"; res is our live resource.
                let mut mon: sys::ErlNifMonitor = unsafe { core::mem::zeroed() };
                if unsafe { sys::enif_monitor_process(&mut env, res, &pid, &mut mon) } != 0 {
                    // Already dead (or out of memory): do not keep it.
                    s.subscribers.unsubscribe(p);
                    return Err(Error::BADARG);
                }
                let _ = s.monitors.push((pid, mon));
                Ok(())
            })
            .ok_or(Error::CLOSED)??;
            call.reply(&())
        } else if req.is("unsubscribe") {
            req.args::<0>()?;
            let p = call.caller().ok_or(Error::BADARG)?;
            let mon = with(|s| s.forget(p.id())).flatten();
            if let Some(mon) = mon {
                let mut env = env(self.glb);
                // SAFETY: a monitor we made on our resource.
                unsafe { sys::enif_demonitor_process(&mut env, MONITOR_RES.load(Relaxed), &mon) };
            }
            call.reply(&())
        } else {
            Err(Error::UNKNOWN_COMMAND)
        }
    }
}

impl Drop for Touch {
    fn drop(&mut self) {
        // SAFETY: our glue.
        unsafe { glue::atomvm_touch_enable(false) };
        let res = MONITOR_RES.swap(ptr::null_mut(), Relaxed);
        let glb = self.glb;
        with(|s| {
            s.source = None;
            s.mailer = None;
            s.port_pid = None;
            loop {
                let first = s.subscribers.iter().next();
                let Some(p) = first else { break };
                if let Some(mon) = s.forget(p.id()) {
                    if !res.is_null() {
                        let mut env = env(glb);
                        // SAFETY: a monitor we made on our resource.
                        unsafe { sys::enif_demonitor_process(&mut env, res, &mon) };
                    }
                } else {
                    s.subscribers.unsubscribe(p);
                }
            }
            s.monitors.clear();
        });
        if !res.is_null() {
            // SAFETY: the reference taken at open.
            unsafe { sys::enif_release_resource(res) };
        }
    }
}
