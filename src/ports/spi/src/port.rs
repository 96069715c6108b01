// SPDX-License-Identifier: Apache-2.0

//! The port `spi` on the VM (feature `vm`): terms through [`decode`](crate::decode) onto the
//! core, the bus from `spi_glue.c` (node label, device name, chosen `atomvm,spi`; its
//! `cs-gpios`; the device nodes on it), every transfer through zephyr-hal's embedded-hal
//! `SpiDevice` built at run time from the device's configuration.
//!
//! Each device's configuration is a resource (`spi_device_config`, counted) the port holds
//! for the device's life; `set_config` checks the changes and swaps the new configuration in
//! (the device's zephyr-hal `SpiDevice` is rebuilt at its next transfer).
//!
//! `write_read_async` (paradigm 2): the transfer is admitted into the port's in-flight table
//! (at most `ASYNC_DEPTH`, else `busy`) and boxed. Two paths, chosen per bus at open:
//! - the controller has `transceive_async` (`CONFIG_SPI_ASYNC`): the driver path. The port
//!   queues the transfer and keeps one in the driver at a time (Zephyr's drivers take one at
//!   a time: a second `spi_transceive_cb` would block the VM thread in the driver), started
//!   with zephyr-hal's `SpiDevice::transceive_cb`. The driver's callback, in interrupt context
//!   on real controllers, only pushes `(id, result)` onto the bus's static completion queue
//!   (wait-free) and gives the bus thread's semaphore (one ISR-safe signal); that thread rings
//!   the port's doorbell (a VM message, which an ISR may not send). The VM thread starts the
//!   next queued transfer when it drains, never the ISR;
//! - otherwise (Zephyr's SPI emulator, drivers without async): the worker path. The transfer
//!   goes to the bus's worker thread through a static wait-free queue; the worker runs it
//!   through the same zephyr-hal `SpiDevice`, pushes `(id, result)` onto the same completion
//!   queue and rings the doorbell.
//!
//! On the VM thread the port takes the completions in batches and sends `{spi_done, Ref,
//! Result}` in submission order (`Ref` made at submission, as `make_ref()`).
//!
//! `Drop` (close, kill, VM stop) refuses new transfers, waits (bounded) for the one the driver
//! or the ones the worker holds, cancels the transfers that never reached the driver (freed,
//! counted as never started), and frees everything; a transfer the driver or worker never
//! finished is leaked, not freed under it, and counted.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::vec;
use alloc::vec::Vec;
use core::cell::Cell;
use core::ffi::{c_char, c_int, c_void, CStr};
use core::ptr::{addr_of, addr_of_mut, NonNull};
use core::sync::atomic::Ordering::{AcqRel, Relaxed};
use core::sync::atomic::{AtomicBool, AtomicU32};

use atomvm_port::encode::{atom, error, ok, Atom, Binary};
use atomvm_port::kconfig_depth;
use atomvm_port::vm::stream::{Ringer, Stream, StreamType};
use atomvm_port::vm::{
    Call, Open, Pid, Port, PortDriver, Replied, ResourceType, VmRequest, VmTerm,
};
use atomvm_port::{Claim, Counter, Encode, Error, Exclusive, Reference};
use embedded_hal::spi::SpiDevice as _;
use isr_queue::{Consumer, Producer, SpscQueue};
use zephyr::sys::sync::Semaphore;
use zephyr::time::Forever;
use zephyr_hal::raw;
use zephyr_hal::spi::{
    controller_has_async, mode_from_number, BitOrder as HalOrder, CallbackBufs, ChipSelect, Config,
    SpiDevice,
};

use crate::config::{BitOrder, BusLimits, DeviceConfig, Shown};
use crate::decode::{self, Command};
use crate::devices::{self, NodeInfo};
use crate::inflight::{InFlight, TxnId};
use crate::transfer::{run, DevError, Transfer};
use crate::txn::{be_to_words, stream_to_memory, words_to_be, Dir, Plan, Word};

atomvm_port::bindings! {
    /// bindgen's view of `include/atomvm_spi.h` (build.rs).
    mod dt = "spi_bindings.rs";
}

/// The driver to register with the VM.
pub static DRIVER: PortDriver = PortDriver::new::<Spi>(c"spi");

/// Each device's configuration (paradigm 1).
static CONFIGS: ResourceType<ConfigCell> = ResourceType::new(c"spi_device_config");

const MAX_TRANSFER: usize = zephyr::kconfig::CONFIG_ATOMVM_PORT_SPI_MAX_TRANSFER as usize;
/// Hardware chip selects are `spi_config.slave`, a `u16`; the driver refuses lines it lacks.
const HW_CS_COUNT: u32 = 1 << 16;
const EINVAL: i32 = -22;

/// The doorbell of each open port (its subscriber list stays empty).
static STREAMS: StreamType = StreamType::new(c"spi_doorbell");

/// Configuration resources created and destroyed since boot.
pub fn config_counts() -> (usize, usize) {
    CONFIGS.counts()
}

/// A device's configuration, read and replaced on the VM thread only.
struct ConfigCell(Cell<DeviceConfig>);

fn c_str(p: *const c_char) -> &'static [u8] {
    if p.is_null() {
        return &[];
    }
    // SAFETY: the glue's names are NUL-terminated string literals.
    unsafe { CStr::from_ptr(p) }.to_bytes()
}

/// The bus called `name` (node label or device name), or the chosen one.
fn find_bus(name: Option<&[u8]>) -> Option<&'static raw::device> {
    let dev = match name {
        None => {
            // SAFETY: NULL asks for the chosen bus.
            unsafe { dt::atomvm_spi_find_bus(core::ptr::null()) }
        }
        Some(n) => {
            let mut z = Vec::with_capacity(n.len() + 1);
            z.extend_from_slice(n);
            z.push(0);
            // SAFETY: a NUL-terminated copy (decode refuses NULs inside names).
            unsafe { dt::atomvm_spi_find_bus(z.as_ptr().cast()) }
        }
    };
    // SAFETY: the lookup returns static devices or NULL.
    let dev = unsafe { dev.as_ref() }?;
    // SAFETY: a static device.
    unsafe { raw::device_is_ready(dev) }.then_some(dev)
}

fn dev_name(bus: &raw::device) -> &'static [u8] {
    c_str(bus.name)
}

/// The bus's `cs-gpios` (empty without them).
fn cs_gpios(bus: &raw::device) -> &'static [raw::gpio_dt_spec] {
    let name = dev_name(bus);
    // SAFETY: the glue defines `count` entries (plus an unused last one).
    let all = unsafe {
        core::slice::from_raw_parts(
            core::ptr::addr_of!(dt::atomvm_spi_cs_buses).cast::<dt::atomvm_spi_cs_bus>(),
            dt::atomvm_spi_cs_bus_count,
        )
    };
    all.iter()
        .find(|b| c_str(b.name) == name)
        // SAFETY: `n_cs` specs in a static array of the glue.
        .map(|b| unsafe { core::slice::from_raw_parts(b.cs, b.n_cs) })
        .unwrap_or(&[])
}

/// The device node on `bus` called `label` (a node label or the node name).
fn child(bus: &raw::device, label: &[u8]) -> Option<NodeInfo> {
    let bus_name = dev_name(bus);
    // SAFETY: the glue defines `count` entries (plus an unused last one).
    let all = unsafe {
        core::slice::from_raw_parts(
            core::ptr::addr_of!(dt::atomvm_spi_children).cast::<dt::atomvm_spi_child>(),
            dt::atomvm_spi_child_count,
        )
    };
    all.iter()
        .filter(|c| c_str(c.bus) == bus_name)
        .find(|c| {
            // SAFETY: `n_labels` string literals.
            let labels = unsafe { core::slice::from_raw_parts(c.labels, c.n_labels) };
            c_str(c.name) == label || labels.iter().any(|&l| c_str(l) == label)
        })
        .map(|c| NodeInfo {
            reg: c.reg,
            max_frequency: (c.max_frequency != 0).then_some(c.max_frequency),
        })
}

/// zephyr-hal's configuration for a device.
fn hal_config(dev: &DeviceConfig, cs: &'static [raw::gpio_dt_spec]) -> Result<Config, DevError> {
    let mut c = Config::new(dev.clock_speed_hz());
    c.mode = mode_from_number(dev.mode()).ok_or(DevError(EINVAL))?;
    c.bit_order = match dev.bit_order() {
        BitOrder::MsbFirst => HalOrder::MsbFirst,
        BitOrder::LsbFirst => HalOrder::LsbFirst,
    };
    c.word_size = dev.word_size();
    if let Some(n) = dev.cs() {
        c.slave = u16::try_from(n).map_err(|_| DevError(EINVAL))?;
        if !cs.is_empty() {
            let spec = cs.get(n as usize).ok_or(DevError(EINVAL))?;
            c.cs = ChipSelect::gpio(spec, 0);
        }
    }
    Ok(c)
}

/// One device on the open bus.
struct Device {
    name: Vec<u8>,
    config: atomvm_port::vm::Resource<ConfigCell>,
    /// Built from `config` at the first transfer after a change (building one configures a
    /// GPIO chip select as an inactive output, so never while a transfer uses it). Boxed:
    /// jobs point at it.
    hal: Option<Box<SpiDevice>>,
}

/// A transfer through a device's zephyr-hal `SpiDevice`.
struct HalTransfer<'d>(&'d mut SpiDevice);

fn words<W: Word + 'static>(
    d: &mut SpiDevice,
    tx: &[u8],
    rx: Option<&mut [u8]>,
) -> Result<(), DevError>
where
    SpiDevice: embedded_hal::spi::SpiDevice<W>,
{
    let n = tx.len() / W::BYTES;
    let mut out = vec![W::default(); n];
    be_to_words(tx, &mut out);
    let hal = |e: zephyr_hal::spi::Error| DevError(e.errno());
    match rx {
        None => embedded_hal::spi::SpiDevice::<W>::write(d, &out).map_err(hal),
        Some(rx) => {
            let mut back = vec![W::default(); n];
            embedded_hal::spi::SpiDevice::<W>::transfer(d, &mut back, &out).map_err(hal)?;
            words_to_be(&back, rx);
            Ok(())
        }
    }
}

impl Transfer for HalTransfer<'_> {
    fn transfer(
        &mut self,
        dev: &DeviceConfig,
        tx: &[u8],
        rx: Option<&mut [u8]>,
    ) -> Result<(), DevError> {
        let hal = |e: zephyr_hal::spi::Error| DevError(e.errno());
        match (dev.word_size(), rx) {
            (8, None) => self.0.write(tx).map_err(hal),
            (8, Some(rx)) => self.0.transfer(rx, tx).map_err(hal),
            (16, rx) => words::<u16>(self.0, tx, rx),
            (32, rx) => words::<u32>(self.0, tx, rx),
            _ => Err(DevError(EINVAL)),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Asynchronous transfers (paradigm 2).

const MAX_OPEN: usize = zephyr::kconfig::CONFIG_ATOMVM_PORT_SPI_MAX_OPEN as usize;
const DEPTH: usize = kconfig_depth!(CONFIG_ATOMVM_PORT_SPI_ASYNC_DEPTH, 2, 1024);
const WORKER_STACK: usize = zephyr::kconfig::CONFIG_ATOMVM_PORT_SPI_WORKER_STACK_SIZE as usize;
const WORKER_PRIORITY: i32 = zephyr::kconfig::CONFIG_ATOMVM_PORT_SPI_WORKER_PRIORITY as i32;
/// How long `Drop` waits for the transfers the driver or the worker still holds.
const DROP_WAIT_MS: u32 = 1000;

/// A finished transfer: its id and the driver's return (0 or a negative errno).
#[derive(Clone, Copy, Default)]
struct Completion {
    id: u32,
    rc: i32,
}

/// One asynchronous transfer, boxed; the worker (or the driver) has it from the push onto
/// `jobs` (the start) until its completion is pushed onto `done`, the port the rest of the
/// time.
struct Job {
    id: u32,
    /// The bus's statics, for the driver's callback.
    slot: &'static Slot,
    config: DeviceConfig,
    /// The device's `SpiDevice` (in the port's device table, which outlives the job).
    hal: NonNull<SpiDevice>,
    plan: Plan,
    /// The received bytes, in the stream's order.
    rx: Vec<u8>,
    /// Driver path: the buffer descriptors and the frames in memory order, which the driver
    /// uses until its callback.
    bufs: CallbackBufs,
    tx_mem: Vec<u8>,
    rx_mem: Vec<u8>,
    caller: Pid,
    /// The `Ref` of `{ok, Ref}` and `{spi_done, Ref, Result}`.
    reference: Reference,
}

/// What the in-flight table keeps of a job: the pointer the worker gets.
struct JobPtr(NonNull<Job>);

/// The statics of one open bus (one of `MAX_OPEN`).
struct Slot {
    owned: Exclusive,
    /// Port → worker: jobs to run, as `Job` pointers.
    jobs: SpscQueue<usize, DEPTH>,
    /// Worker → port: finished jobs.
    done: SpscQueue<Completion, DEPTH>,
    /// Jobs wait.
    sem: Semaphore,
    started: AtomicBool,
    ringer: zephyr::sync::Mutex<Option<Ringer>>,
}

impl Slot {
    const fn new() -> Self {
        Self {
            owned: Exclusive::new(),
            jobs: SpscQueue::new(),
            done: SpscQueue::new(),
            sem: Semaphore::new(0, 1),
            started: AtomicBool::new(false),
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
                log::error!("spi: cannot wake the port: {e}");
            }
        }
    }
}

static SLOTS: [Slot; MAX_OPEN] = [const { Slot::new() }; MAX_OPEN];

/// The first transaction id of the next open port.
static EPOCH: AtomicU32 = AtomicU32::new(0);

static SUBMITTED: AtomicU32 = AtomicU32::new(0);
static COMPLETED: AtomicU32 = AtomicU32::new(0);
static DELIVERED: AtomicU32 = AtomicU32::new(0);
static CANCELLED: AtomicU32 = AtomicU32::new(0);
static LEAKED: AtomicU32 = AtomicU32::new(0);
static UNSTARTED: AtomicU32 = AtomicU32::new(0);

/// Asynchronous transfers over every port since boot: submitted, completed by the driver,
/// delivered (`spi_done` sent), cancelled (dropped undelivered by a closing port), leaked (a
/// closing port gave up waiting for the driver). Submitted = delivered + cancelled once no
/// port is open.
pub fn transfer_counts() -> [u32; 5] {
    [&SUBMITTED, &COMPLETED, &DELIVERED, &CANCELLED, &LEAKED].map(|c| c.load(Relaxed))
}

/// Asynchronous transfers since boot that a closing port cancelled before they reached the
/// driver (driver path): never started, so never completed. Submitted = completed + never
/// started once no port is open.
pub fn unstarted_count() -> u32 {
    UNSTARTED.load(Relaxed)
}

/// The driver's completion callback (driver path), in interrupt context on real controllers:
/// a wait-free push of `(id, result)` onto the bus's completion queue and one semaphore give
/// (the bus thread rings the doorbell). No allocation, lock or VM call.
unsafe extern "C" fn transfer_done(_dev: *const raw::device, result: c_int, userdata: *mut c_void) {
    let job = userdata as *const Job;
    // SAFETY: `userdata` is the boxed `Job` the port started; the port neither frees nor
    // changes it until it has taken this completion from the queue (pushed last, below). Only
    // these two fields are read (no reference to the whole job, whose buffers the driver has).
    let (slot, id) = unsafe { (*addr_of!((*job).slot), *addr_of!((*job).id)) };
    let rc = if result < 0 { result } else { 0 };
    // Claimed per invocation (the ISR contract of isr-queue); never held by another producer
    // while a transfer is in the driver (the worker only pushes on the worker path).
    if let Some(mut done) = slot.done.claim_producer() {
        // Never full: no more transfers are in flight than the queue holds.
        let _ = done.push_notify(Completion { id, rc }, &|| slot.sem.give());
    }
}

#[zephyr::thread(stack_size = WORKER_STACK, pool_size = MAX_OPEN)]
fn spi_worker(index: usize) {
    let Some(slot) = SLOTS.get(index) else {
        return;
    };
    let Some(mut jobs) = slot.jobs.claim_consumer() else {
        log::error!("spi: worker {index} cannot claim its job queue");
        return;
    };
    loop {
        // Forever cannot time out; an error would only be a spurious wakeup. Given by the port
        // (worker path: jobs) or by the driver's callback (driver path: completions).
        let _ = slot.sem.take(Forever);
        while let Some(p) = jobs.pop() {
            // SAFETY: a `Job` the port boxed and leaked into its in-flight table; the port does
            // not touch it until it takes this job's completion from `done`.
            let job = unsafe { &mut *(p as *mut Job) };
            // SAFETY: the port neither uses nor rebuilds a device's `SpiDevice` while any job
            // is in flight (it waits for the worker first), and keeps it until then.
            let hal = unsafe { &mut *job.hal.as_ptr() };
            let rc = match run(&mut HalTransfer(hal), &job.config, &job.plan) {
                Ok(rx) => {
                    job.rx = rx;
                    0
                }
                Err(DevError(e)) => e.min(-1),
            };
            // The producer role is free (the driver path does not run on this bus); claimed
            // per completion as the callback does, so a callback of a transfer a closed port
            // leaked in the driver cannot find it taken for good.
            let pushed = slot
                .done
                .claim_producer()
                .is_some_and(|mut done| done.push(Completion { id: job.id, rc }).is_ok());
            if !pushed {
                log::error!("spi: cannot queue a completion");
            }
        }
        // Completions from the worker or the driver's callback: the port takes them on the VM
        // thread (a doorbell with nothing new is harmless).
        slot.ring();
    }
}

/// An open `spi` port: the bus and its devices (paradigm 3).
pub struct Spi {
    bus: &'static raw::device,
    cs: &'static [raw::gpio_dt_spec],
    devices: Vec<Device>,
    transfers: u64,
    errors: u64,
    slot: &'static Slot,
    jobs: Producer<'static, usize, DEPTH>,
    done: Consumer<'static, Completion, DEPTH>,
    table: InFlight<JobPtr, i32>,
    /// The driver path (the controller completes from its callback), else the worker's.
    driver: bool,
    /// Driver path: admitted transfers not yet started, oldest first.
    queued: VecDeque<NonNull<Job>>,
    /// Driver path: the id of the transfer the driver holds.
    in_driver: Option<u32>,
    stream: Stream,
    // Last: the slot is free again once everything above is gone.
    _claim: Claim,
}

impl Spi {
    fn limits(&self) -> BusLimits {
        bus_limits(self.cs)
    }

    fn device(&mut self, name: &[u8]) -> Option<&mut Device> {
        self.devices.iter_mut().find(|d| d.name == name)
    }

    /// Device `i`'s `SpiDevice`, built if needed (the worker must be idle: see [`Device::hal`]).
    fn hal(&mut self, i: usize) -> Result<NonNull<SpiDevice>, Error> {
        let (bus, cs) = (self.bus, self.cs);
        let d = self.devices.get_mut(i).ok_or(Error::BADARG)?;
        if d.hal.is_none() {
            let c = hal_config(&d.config.0.get(), cs)?;
            let dev = SpiDevice::with_config(bus, &c).map_err(|e| DevError(e.errno()))?;
            d.hal = Some(Box::new(dev));
        }
        d.hal
            .as_mut()
            .map(|h| NonNull::from(&mut **h))
            .ok_or(Error::IO)
    }

    /// Waits (bounded) until every admitted transfer has completed (the driver or the worker
    /// holds none); whether they have.
    fn quiesce(&mut self) -> bool {
        self.collect();
        let mut waited = 0;
        while self.table.outstanding() > 0 && waited < DROP_WAIT_MS {
            zephyr::time::sleep(zephyr::time::Duration::millis_at_least(1));
            waited += 1;
            self.collect();
        }
        self.table.outstanding() == 0
    }

    /// Runs `plan` on device `i` on the VM thread, once the worker is idle: the received
    /// bytes.
    fn run(&mut self, i: usize, plan: &Plan) -> Result<Vec<u8>, Error> {
        if !self.quiesce() {
            return Err(Error::new("timeout"));
        }
        let mut hal = self.hal(i)?;
        let config = self.devices[i].config.0.get();
        self.transfers += 1;
        // SAFETY: the device table's own `SpiDevice`; the worker holds no job (above).
        let hal = unsafe { hal.as_mut() };
        let r = run(&mut HalTransfer(hal), &config, plan);
        if r.is_err() {
            self.errors += 1;
        }
        r.map_err(Error::from)
    }
}

impl Spi {
    /// Takes the completions (worker or driver) into the table; on the driver path, starts the
    /// next queued transfer once the driver is free.
    fn collect(&mut self) {
        while let Some(c) = self.done.pop() {
            if self.in_driver == Some(c.id) {
                self.in_driver = None;
            }
            if self.table.complete(TxnId(c.id), c.rc).is_ok() {
                COMPLETED.fetch_add(1, Relaxed);
            } else {
                log::error!("spi: a completion for no transfer in flight ({})", c.id);
            }
        }
        if !self.table.is_closed() {
            self.start_next();
        }
    }

    /// Driver path: hands the oldest queued transfer to the driver unless it holds one. A
    /// transfer the driver refuses completes at once with its error.
    fn start_next(&mut self) {
        while self.in_driver.is_none() {
            let Some(ptr) = self.queued.pop_front() else {
                return;
            };
            let p = ptr.as_ptr();
            // SAFETY: a job of the in-flight table, not in the driver: ours alone.
            let (id, empty) = unsafe { ((*p).id, (*p).tx_mem.is_empty()) };
            let rc = if empty {
                // Nothing to clock (no command, address or data): done.
                0
            } else {
                // SAFETY: the job is boxed and stays in the table (its buffers and descriptors
                // untouched) until its completion is taken from the queue; its `SpiDevice` is
                // the device table's, neither rebuilt nor dropped while a transfer is in
                // flight (`quiesce`, `Drop`); the callback only pushes and gives.
                // Field by field: the callback may read `slot` and `id` as soon as the driver
                // has the transfer.
                let r = unsafe {
                    let hal = &mut *(*addr_of!((*p).hal)).as_ptr();
                    let rx = match (*addr_of!((*p).plan)).dir() {
                        Dir::WriteRead => Some((*addr_of_mut!((*p).rx_mem)).as_mut_slice()),
                        Dir::Write => None,
                    };
                    let bufs = &mut *addr_of_mut!((*p).bufs);
                    let tx = (*addr_of!((*p).tx_mem)).as_slice();
                    hal.transceive_cb(bufs, tx, rx, transfer_done, p.cast())
                };
                match r {
                    Ok(()) => {
                        self.in_driver = Some(id);
                        return;
                    }
                    Err(e) => e.errno().min(-1),
                }
            };
            if self.table.complete(TxnId(id), rc).is_ok() {
                COMPLETED.fetch_add(1, Relaxed);
            }
            // Delivered at the next doorbell: ring it from here (the VM thread).
            if let Err(e) = self.stream.ringer().ring() {
                log::error!("spi: cannot wake the port: {e}");
            }
        }
    }

    /// Starts `write_read_async`: the transfer's id (`reference` is its Erlang name).
    fn submit(
        &mut self,
        i: usize,
        plan: Plan,
        caller: Pid,
        reference: Reference,
    ) -> Result<u32, Error> {
        if self.table.len() >= self.table.depth() {
            // The table counts its refusal (the placeholder is never used).
            let _ = self.table.submit(JobPtr(NonNull::dangling()));
            return Err(Error::BUSY);
        }
        // Built only when the device has none: then no job of the device is in flight.
        let hal = self.hal(i)?;
        let config = self.devices[i].config.0.get();
        let (tx_mem, rx_mem) = if self.driver {
            let frame = usize::from(config.word_size() / 8).max(1);
            let tx = stream_to_memory(frame, plan.tx());
            let rx = vec![0u8; tx.len()];
            (tx, rx)
        } else {
            (Vec::new(), Vec::new())
        };
        let job = Box::new(Job {
            id: 0,
            slot: self.slot,
            config,
            hal,
            plan,
            rx: Vec::new(),
            bufs: CallbackBufs::new(),
            tx_mem,
            rx_mem,
            caller,
            reference,
        });
        let ptr = NonNull::from(Box::leak(job));
        let id = match self.table.submit(JobPtr(ptr)) {
            Ok(id) => id,
            Err(r) => {
                // SAFETY: just leaked above, never shared.
                drop(unsafe { Box::from_raw(ptr.as_ptr()) });
                return Err(r.into());
            }
        };
        // SAFETY: ours until pushed to the worker (or started in the driver) below.
        unsafe { (*ptr.as_ptr()).id = id.0 };
        if self.driver {
            SUBMITTED.fetch_add(1, Relaxed);
            self.queued.push_back(ptr);
            self.start_next();
            return Ok(id.0);
        }
        if self.jobs.push(ptr.as_ptr() as usize).is_err() {
            // Cannot happen (as many slots as the table admits); undo all the same.
            let _ = self.table.unsubmit(id);
            // SAFETY: the worker never saw it.
            drop(unsafe { Box::from_raw(ptr.as_ptr()) });
            return Err(Error::BUSY);
        }
        self.slot.sem.give();
        SUBMITTED.fetch_add(1, Relaxed);
        Ok(id.0)
    }
}

/// `{spi_done, Ref, Result}`'s result.
enum Outcome {
    Ok(Vec<u8>),
    Err(Error),
}

impl Encode for Outcome {
    fn words<S: atomvm_port::Sink + ?Sized>(&self, s: &S) -> usize {
        match self {
            Outcome::Ok(b) => ok(Binary(b)).words(s),
            Outcome::Err(e) => error(*e).words(s),
        }
    }
    fn encode<S: atomvm_port::Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        match self {
            Outcome::Ok(b) => ok(Binary(b)).encode(s),
            Outcome::Err(e) => error(*e).encode(s),
        }
    }
}

fn bus_limits(cs: &[raw::gpio_dt_spec]) -> BusLimits {
    BusLimits {
        cs_count: if cs.is_empty() {
            HW_CS_COUNT
        } else {
            cs.len() as u32
        },
    }
}

fn unknown_device(call: &mut Call, name: &[u8]) -> Result<Replied, Error> {
    let name = core::str::from_utf8(name).map_err(|_| Error::BADARG)?;
    call.reply(&error((atom("unknown_device"), atom(name))))
}

/// `get_config`'s answer, a proplist (`spi.erl` makes it a map: the encoder has no maps).
struct ConfigMap(DeviceConfig);

impl Encode for ConfigMap {
    fn words<S: atomvm_port::Sink + ?Sized>(&self, s: &S) -> usize {
        self.entries().words(s)
    }
    fn encode<S: atomvm_port::Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        self.entries().encode(s)
    }
}

enum Val {
    Int(u32),
    Atom(&'static str),
}

impl Encode for Val {
    fn words<S: atomvm_port::Sink + ?Sized>(&self, s: &S) -> usize {
        match self {
            Val::Int(i) => i.words(s),
            Val::Atom(a) => atom(a).words(s),
        }
    }
    fn encode<S: atomvm_port::Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        match self {
            Val::Int(i) => i.encode(s),
            Val::Atom(a) => atom(a).encode(s),
        }
    }
}

impl ConfigMap {
    fn entries(&self) -> Vec<(Atom<'static>, Val)> {
        crate::config::Key::ALL
            .iter()
            .map(|&k| {
                let v = match self.0.get(k) {
                    Shown::Int(i) => Val::Int(i),
                    Shown::Atom(a) => Val::Atom(a),
                };
                (atom(k.name()), v)
            })
            .collect()
    }
}

impl Port for Spi {
    fn init(cx: &mut Open) {
        if let Err(e) = CONFIGS.register(cx) {
            log::error!("spi: cannot register the configuration resource type: {e}");
        }
        if let Err(e) = STREAMS.register(cx) {
            log::error!("spi: cannot register the doorbell monitors: {e}");
        }
    }

    fn open(cx: &mut Open, opts: VmTerm<'_>) -> Result<Self, Error> {
        let params = decode::open_params(opts)?;
        let bus = find_bus(params.peripheral.as_deref()).ok_or(Error::NO_DEVICE)?;
        let cs = cs_gpios(bus);
        let limits = bus_limits(cs);
        let configs = devices::configure(&params.devices, &limits, |label| child(bus, label))?;
        let mut list = Vec::with_capacity(configs.len());
        for (spec, config) in params.devices.iter().zip(configs) {
            list.push(Device {
                name: spec.name.to_vec(),
                config: CONFIGS.create(ConfigCell(Cell::new(config)))?,
                hal: None,
            });
        }
        let (index, claim) = SLOTS
            .iter()
            .enumerate()
            .find_map(|(i, s)| s.owned.claim().ok().map(|c| (i, c)))
            .ok_or(Error::BUSY)?;
        let slot = &SLOTS[index];
        let (Some(jobs), Some(done)) = (slot.jobs.claim_producer(), slot.done.claim_consumer())
        else {
            return Err(Error::BUSY);
        };
        let stream = STREAMS.open(cx, 1)?;
        slot.set_ringer(Some(stream.ringer()));
        let driver = controller_has_async(bus);
        if !slot.started.swap(true, AcqRel) {
            let t = spi_worker(index);
            t.set_priority(WORKER_PRIORITY);
            t.start();
        }
        Ok(Spi {
            bus,
            cs,
            devices: list,
            transfers: 0,
            errors: 0,
            slot,
            jobs,
            done,
            // Each open starts its ids elsewhere, so a late completion of a transfer a closed
            // port leaked cannot pass for one of this port's.
            table: InFlight::new(DEPTH, EPOCH.fetch_add(1 << 20, Relaxed)),
            driver,
            queued: VecDeque::new(),
            in_driver: None,
            stream,
            _claim: claim,
        })
    }

    fn info(&mut self, cx: &mut Open, msg: VmTerm<'_>) {
        if !self.stream.answer(msg) {
            return;
        }
        self.collect();
        while let Some(d) = self.table.pop_ready() {
            // SAFETY: completed: the worker is done with it, it is ours again.
            let job = unsafe { Box::from_raw(d.payload.0.as_ptr()) };
            DELIVERED.fetch_add(1, Relaxed);
            let outcome = if d.result == 0 {
                let rx = if self.driver {
                    let frame = usize::from(job.config.word_size() / 8).max(1);
                    stream_to_memory(frame, &job.rx_mem)
                } else {
                    job.rx
                };
                Outcome::Ok(job.plan.answer(&rx))
            } else {
                Outcome::Err(Error::from(DevError(d.result)))
            };
            let msg = (atom("spi_done"), job.reference, outcome);
            if let Err(e) = cx.send(job.caller, &msg) {
                log::error!("spi: cannot send spi_done: {e}");
            }
        }
    }

    fn call(&mut self, call: &mut Call, req: VmRequest<'_>) -> Result<Replied, Error> {
        let cmd = Command::parse(&req)?;
        let index = |s: &Self, dev: &[u8]| s.devices.iter().position(|d| d.name == dev);
        match cmd {
            Command::ReadAt { dev, address, len } => {
                let Some(i) = index(self, dev) else {
                    return unknown_device(call, dev);
                };
                let config = self.devices[i].config.0.get();
                let plan = Plan::read_at(&config, address, len, MAX_TRANSFER)?;
                let rx = self.run(i, &plan)?;
                call.reply(&ok(plan.answer_int(&rx)))
            }
            Command::WriteAt {
                dev,
                address,
                len,
                data,
            } => {
                let Some(i) = index(self, dev) else {
                    return unknown_device(call, dev);
                };
                let config = self.devices[i].config.0.get();
                let plan = Plan::write_at(&config, address, len, data, MAX_TRANSFER)?;
                let rx = self.run(i, &plan)?;
                call.reply(&ok(plan.answer_int(&rx)))
            }
            Command::Write { dev, txn } => {
                let Some(i) = index(self, dev) else {
                    return unknown_device(call, dev);
                };
                let config = self.devices[i].config.0.get();
                let plan = Plan::new(&config, &txn, Dir::Write, MAX_TRANSFER)?;
                self.run(i, &plan)?;
                call.reply(&atom("ok"))
            }
            Command::WriteRead { dev, txn } => {
                let Some(i) = index(self, dev) else {
                    return unknown_device(call, dev);
                };
                let config = self.devices[i].config.0.get();
                let plan = Plan::new(&config, &txn, Dir::WriteRead, MAX_TRANSFER)?;
                let rx = self.run(i, &plan)?;
                call.reply(&ok(Binary(&plan.answer(&rx))))
            }
            Command::GetConfig { dev } => {
                let Some(d) = self.device(dev) else {
                    return unknown_device(call, dev);
                };
                let c = d.config.0.get();
                call.reply(&ok(ConfigMap(c)))
            }
            Command::SetConfig { dev, changes } => {
                let limits = self.limits();
                let Some(d) = self.device(dev) else {
                    return unknown_device(call, dev);
                };
                let next = d.config.0.get().with(&changes, &limits)?;
                // The `SpiDevice` is rebuilt at the next transfer: the worker must be done
                // with the old one first.
                if !self.quiesce() {
                    return Err(Error::new("timeout"));
                }
                let Some(d) = self.device(dev) else {
                    return unknown_device(call, dev);
                };
                d.config.0.set(next);
                d.hal = None;
                call.reply(&atom("ok"))
            }
            Command::GetCounters => {
                let (created, destroyed) = CONFIGS.counts();
                let t = self.table.counts();
                let counters = [
                    Counter::num(
                        "transfers",
                        i64::try_from(self.transfers).unwrap_or(i64::MAX),
                    ),
                    Counter::num("errors", i64::try_from(self.errors).unwrap_or(i64::MAX)),
                    Counter::num("devices", self.devices.len() as i64),
                    Counter::num("config_created", created as i64),
                    Counter::num("config_destroyed", destroyed as i64),
                    Counter::num("async_submitted", t.submitted as i64),
                    Counter::num("async_completed", t.completed as i64),
                    Counter::num("async_delivered", t.delivered as i64),
                    Counter::num("async_busy", t.busy as i64),
                    Counter::num("async_in_flight", self.table.len() as i64),
                ];
                call.reply(&(atom("counters"), counters))
            }
            Command::WriteReadAsync { dev, txn } => {
                let Some(i) = index(self, dev) else {
                    return unknown_device(call, dev);
                };
                let config = self.devices[i].config.0.get();
                let plan = Plan::new(&config, &txn, Dir::WriteRead, MAX_TRANSFER)?;
                let caller = call.caller().ok_or(Error::BADARG)?;
                let reference = call.open_cx().make_ref();
                self.submit(i, plan, caller, reference)?;
                call.reply(&ok(reference))
            }
            Command::Close => Err(Error::UNKNOWN_COMMAND),
        }
    }
}

impl Drop for Spi {
    fn drop(&mut self) {
        // No more doorbells, no more submissions (nor starts); wait (bounded) for what the
        // worker holds, or for the one transfer the driver holds: the queued rest never
        // reaches it.
        self.slot.set_ringer(None);
        self.table.close();
        let unstarted = core::mem::take(&mut self.queued);
        let idle = if self.driver {
            self.collect();
            let mut waited = 0;
            while self.in_driver.is_some() && waited < DROP_WAIT_MS {
                zephyr::time::sleep(zephyr::time::Duration::millis_at_least(1));
                waited += 1;
                self.collect();
            }
            self.in_driver.is_none()
        } else {
            self.quiesce()
        };
        let c = self.table.cancel_all();
        for p in c.finished {
            // SAFETY: completed: the worker or driver is done with it.
            drop(unsafe { Box::from_raw(p.0.as_ptr()) });
            CANCELLED.fetch_add(1, Relaxed);
        }
        for p in c.unfinished {
            CANCELLED.fetch_add(1, Relaxed);
            if unstarted.contains(&p.0) {
                // SAFETY: never handed to the driver: ours alone.
                drop(unsafe { Box::from_raw(p.0.as_ptr()) });
                UNSTARTED.fetch_add(1, Relaxed);
            } else {
                // The worker or driver may still write into it: leaked, never freed under it.
                LEAKED.fetch_add(1, Relaxed);
            }
        }
        if !idle {
            // The worker may still use the devices' `SpiDevice`s: leaked with the jobs.
            for d in self.devices.iter_mut() {
                if let Some(h) = d.hal.take() {
                    let _ = Box::leak(h);
                }
            }
            log::error!("spi: closed with transfers the worker never finished (leaked)");
        }
        // `jobs`, `done`, `stream` and `_claim` go after this: the slot can open again.
    }
}
