// SPDX-License-Identifier: Apache-2.0

//! `embedded_hal::spi::{SpiDevice, SpiBus}` and `embedded_hal_async::spi::SpiDevice` over a
//! `spi_dt_spec`.
//!
//! # Chip select across a transaction
//!
//! Zephyr owns CS (native or `cs-gpios`, with the devicetree's CS delay). A `transaction`
//! becomes as few `spi_transceive_dt()` calls as possible: every Read/Write/Transfer/
//! TransferInPlace operation adds its buffers to one `spi_buf_set` pair (a `NULL` tx buffer
//! clocks out the controller's NOP/overrun byte, a `NULL` rx buffer discards), so a
//! transaction without `DelayNs` is **one** call and CS stays asserted by construction.
//!
//! A `DelayNs` operation (or more than [`MAX_BUFS`] buffers) splits the transaction into
//! segments. Every segment followed by more operations is sent with `SPI_HOLD_ON_CS |
//! SPI_LOCK_ON` (CS stays asserted and no other user can take the bus in between), the last one
//! with `SPI_LOCK_ON` only (so it ends by releasing CS) and then `spi_release_dt()` unlocks the
//! controller (it also releases CS if the transaction ended with a delay). An error releases
//! too. All segments use the same `spi_config` (Zephyr matches the lock owner by address),
//! which is why the adapter keeps its own copy of the spec.
//!
//! The async `SpiDevice` follows the same plan with `spi_transceive_cb()` per segment and async
//! timers for delays, when `CONFIG_SPI_ASYNC` is set and the controller implements
//! `transceive_async`; otherwise it runs the blocking plan inside the first `poll`.

use embedded_hal::spi::{ErrorKind, ErrorType, Operation};

use crate::delay::Delay;
use crate::error::{Code, Errno};
use crate::raw;

/// Buffers per direction in one `spi_transceive_dt` call (each operation needs one or two).
pub const MAX_BUFS: usize = 16;

/// An SPI error: the negative errno of the failing Zephyr call.
///
/// | errno | [`ErrorKind`] |
/// |---|---|
/// | `-EOVERFLOW` | `Overrun` |
/// | `-ENODEV` (synthesised by the constructors: bus or CS GPIO not ready) | `Other` |
/// | `-EINVAL`, `-ENOTSUP` (configuration the controller cannot do), `-EIO`, `-ETIMEDOUT`, anything else | `Other` |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error(pub Errno);

impl Error {
    /// The errno.
    pub fn errno(self) -> i32 {
        self.0 .0
    }
}

/// The embedded-hal classification of a Zephyr SPI errno (see [`Error`]).
pub fn error_kind(errno: i32) -> ErrorKind {
    match Errno(errno).code() {
        Some(Code::EOVERFLOW) => ErrorKind::Overrun,
        _ => ErrorKind::Other,
    }
}

impl embedded_hal::spi::Error for Error {
    fn kind(&self) -> ErrorKind {
        error_kind(self.errno())
    }
}

/// A ready bus spec and its configured operation word, shared by [`SpiDevice`] and [`SpiBus`].
struct Spec {
    spec: raw::spi_dt_spec,
    base: u32,
}

// SAFETY: the spec copy refers to static devices; Zephyr's SPI API is thread-safe.
unsafe impl Send for Spec {}

impl Spec {
    fn open(spec: &'static raw::spi_dt_spec) -> Result<Self, Error> {
        // SAFETY: the spec points at static devices.
        if !unsafe { raw::spi_is_ready_dt(spec) } {
            return Err(Error(Errno::from(Code::ENODEV)));
        }
        // SAFETY: a plain C struct of values and pointers to static data; copying it is how
        // SPI_DT_SPEC_GET specs are meant to be used.
        let spec = unsafe { core::ptr::read(spec) };
        let base = spec.config.operation as u32;
        Ok(Self { spec, base })
    }

    fn run(&mut self, ops: &mut [Operation<'_, u8>]) -> Result<(), Error> {
        run(&mut self.spec, self.base, ops)
    }
}

const NULL_BUF: raw::spi_buf = raw::spi_buf {
    buf: core::ptr::null_mut(),
    len: 0,
};

/// The buffers of one `spi_transceive` call.
struct Segment {
    tx: [raw::spi_buf; MAX_BUFS],
    rx: [raw::spi_buf; MAX_BUFS],
    n: usize,
}

impl Segment {
    fn new() -> Self {
        Self {
            tx: [NULL_BUF; MAX_BUFS],
            rx: [NULL_BUF; MAX_BUFS],
            n: 0,
        }
    }

    fn push(&mut self, tx: *const u8, rx: *mut u8, len: usize) {
        self.tx[self.n] = raw::spi_buf {
            buf: tx as *mut core::ffi::c_void,
            len,
        };
        self.rx[self.n] = raw::spi_buf {
            buf: rx as *mut core::ffi::c_void,
            len,
        };
        self.n += 1;
    }

    /// Adds an operation (one or two buffer pairs); false if there is no room.
    fn add(&mut self, op: &mut Operation<'_, u8>) -> bool {
        if self.n + 2 > MAX_BUFS {
            return false;
        }
        let null = core::ptr::null_mut();
        match op {
            Operation::Read(buf) => self.push(null, buf.as_mut_ptr(), buf.len()),
            Operation::Write(buf) => self.push(buf.as_ptr(), null, buf.len()),
            Operation::TransferInPlace(buf) => self.push(buf.as_ptr(), buf.as_mut_ptr(), buf.len()),
            Operation::Transfer(read, write) => {
                let common = read.len().min(write.len());
                self.push(write.as_ptr(), read.as_mut_ptr(), common);
                if write.len() > common {
                    self.push(write[common..].as_ptr(), null, write.len() - common);
                } else if read.len() > common {
                    self.push(null, read[common..].as_mut_ptr(), read.len() - common);
                }
            }
            Operation::DelayNs(_) => {}
        }
        true
    }
}

/// Sends one segment with the spec's operation word plus `extra` flags.
fn send(
    spec: &mut raw::spi_dt_spec,
    base: u32,
    extra: u32,
    seg: &mut Segment,
) -> Result<(), Error> {
    spec.config.operation = (base | extra) as _;
    let tx = raw::spi_buf_set {
        buffers: seg.tx.as_ptr(),
        count: seg.n,
    };
    let rx = raw::spi_buf_set {
        buffers: seg.rx.as_ptr(),
        count: seg.n,
    };
    seg.n = 0;
    // SAFETY: the buffers point into slices borrowed for the whole transaction; the call
    // returns when the transfer is complete.
    let ret = unsafe { raw::spi_transceive_dt(spec, &tx, &rx) };
    spec.config.operation = base as _;
    Errno::check(ret).map(drop).map_err(Error)
}

/// Runs a transaction (see the module docs). `base` is the spec's own operation word.
fn run(spec: &mut raw::spi_dt_spec, base: u32, ops: &mut [Operation<'_, u8>]) -> Result<(), Error> {
    let hold = raw::ATOMVM_HAL_SPI_HOLD_ON_CS | raw::ATOMVM_HAL_SPI_LOCK_ON;
    let mut held = false;
    let mut seg = Segment::new();
    let mut result = Ok(());
    for op in ops.iter_mut() {
        if let Operation::DelayNs(ns) = op {
            if seg.n > 0 {
                result = send(spec, base, hold, &mut seg);
                held = true;
                if result.is_err() {
                    break;
                }
            }
            embedded_hal::delay::DelayNs::delay_ns(&mut Delay, *ns);
            continue;
        }
        if !seg.add(op) {
            result = send(spec, base, hold, &mut seg);
            held = true;
            if result.is_err() {
                break;
            }
            seg.add(op);
        }
    }
    if result.is_ok() && seg.n > 0 {
        let extra = if held { raw::ATOMVM_HAL_SPI_LOCK_ON } else { 0 };
        result = send(spec, base, extra, &mut seg);
    }
    if held {
        result = release(spec, base, result);
    }
    result
}

/// `spi_release_dt()` after a transaction that held CS/the lock; the first error wins.
fn release(spec: &mut raw::spi_dt_spec, base: u32, result: Result<(), Error>) -> Result<(), Error> {
    spec.config.operation = (base | raw::ATOMVM_HAL_SPI_LOCK_ON) as _;
    // SAFETY: releases the lock/CS this transaction took with the same config.
    let ret = unsafe { raw::spi_release_dt(spec) };
    spec.config.operation = base as _;
    result.and(Errno::check(ret).map(drop).map_err(Error))
}

/// Whether the controller implements `transceive_async` (`spi_transceive_cb` calls it without
/// checking).
#[cfg(zephyr_spi_async)]
fn has_async(spec: &raw::spi_dt_spec) -> bool {
    // SAFETY: the bus is a static SPI controller device, whose `api` is a `spi_driver_api`.
    unsafe {
        let api = (*spec.bus).api as *const raw::spi_driver_api;
        !api.is_null() && (*api).transceive_async.is_some()
    }
}

/// [`send`] through `spi_transceive_cb()`, completing from the driver's callback.
#[cfg(zephyr_spi_async)]
async fn send_async(
    spec: &mut raw::spi_dt_spec,
    base: u32,
    extra: u32,
    seg: &mut Segment,
) -> Result<(), Error> {
    spec.config.operation = (base | extra) as _;
    let tx = raw::spi_buf_set {
        buffers: seg.tx.as_ptr(),
        count: seg.n,
    };
    let rx = raw::spi_buf_set {
        buffers: seg.rx.as_ptr(),
        count: seg.n,
    };
    // Declared after the buffer sets, so dropped (waiting for the driver) before them.
    let mut pending = crate::completion::Pending::new();
    let userdata = pending.userdata();
    // SAFETY: config, buffer sets and buffers stay valid until the callback: `pending` waits
    // for it even if this future is dropped.
    let ret = unsafe {
        raw::spi_transceive_cb(
            spec.bus,
            &spec.config,
            &tx,
            &rx,
            Some(crate::completion::complete),
            userdata,
        )
    };
    pending.submitted(ret, userdata);
    let ret = if ret < 0 { ret } else { pending.wait().await };
    seg.n = 0;
    spec.config.operation = base as _;
    Errno::check(ret).map(drop).map_err(Error)
}

/// [`run`] with callback transfers and timer delays.
#[cfg(zephyr_spi_async)]
async fn run_async(
    spec: &mut raw::spi_dt_spec,
    base: u32,
    ops: &mut [Operation<'_, u8>],
) -> Result<(), Error> {
    if !has_async(spec) {
        return run(spec, base, ops);
    }
    let hold = raw::ATOMVM_HAL_SPI_HOLD_ON_CS | raw::ATOMVM_HAL_SPI_LOCK_ON;
    let mut held = false;
    let mut seg = Segment::new();
    let mut result = Ok(());
    for op in ops.iter_mut() {
        if let Operation::DelayNs(ns) = op {
            if seg.n > 0 {
                result = send_async(spec, base, hold, &mut seg).await;
                held = true;
                if result.is_err() {
                    break;
                }
            }
            crate::delay::Sleep::new(*ns as u64).await;
            continue;
        }
        if !seg.add(op) {
            result = send_async(spec, base, hold, &mut seg).await;
            held = true;
            if result.is_err() {
                break;
            }
            seg.add(op);
        }
    }
    if result.is_ok() && seg.n > 0 {
        let extra = if held { raw::ATOMVM_HAL_SPI_LOCK_ON } else { 0 };
        result = send_async(spec, base, extra, &mut seg).await;
    }
    if held {
        result = release(spec, base, result);
    }
    result
}

/// One device on an SPI bus, CS handled by Zephyr (see the module docs).
pub struct SpiDevice(Spec);

impl SpiDevice {
    /// From a spec made with `ATOMVM_HAL_SPI_SPEC`. `Err(-ENODEV)` if the bus or CS GPIO is not
    /// ready.
    pub fn new(spec: &'static raw::spi_dt_spec) -> Result<Self, Error> {
        Spec::open(spec).map(Self)
    }
}

impl ErrorType for SpiDevice {
    type Error = Error;
}

impl embedded_hal::spi::SpiDevice<u8> for SpiDevice {
    fn transaction(&mut self, ops: &mut [Operation<'_, u8>]) -> Result<(), Error> {
        self.0.run(ops)
    }
}

/// With `CONFIG_SPI_ASYNC` and a controller that implements `transceive_async`, each segment
/// (see the module docs) is a `spi_transceive_cb()` completing from the driver's callback, and
/// `DelayNs` is an async timer; dropping the future mid-transfer blocks until the driver is done
/// with the buffers. Otherwise the transaction runs synchronously inside the first `poll`,
/// exactly as the blocking one (delays busy-wait or sleep the thread).
impl embedded_hal_async::spi::SpiDevice<u8> for SpiDevice {
    async fn transaction(&mut self, ops: &mut [Operation<'_, u8>]) -> Result<(), Error> {
        #[cfg(zephyr_spi_async)]
        return run_async(&mut self.0.spec, self.0.base, ops).await;
        #[cfg(not(zephyr_spi_async))]
        return self.0.run(ops);
    }
}

/// The bus alone, for users who drive CS themselves (e.g. through
/// `embedded-hal-bus`'s `ExclusiveDevice` and an [`Output`](crate::gpio::Output)). Use a spec
/// of a devicetree node without `cs-gpios` on a controller without native CS, or one whose CS
/// does not matter. Each call is one `spi_transceive_dt()`; `flush` has nothing to wait for.
pub struct SpiBus(Spec);

impl SpiBus {
    /// From a spec made with `ATOMVM_HAL_SPI_SPEC`. `Err(-ENODEV)` if the bus is not ready.
    pub fn new(spec: &'static raw::spi_dt_spec) -> Result<Self, Error> {
        Spec::open(spec).map(Self)
    }

    fn one(&mut self, mut op: Operation<'_, u8>) -> Result<(), Error> {
        self.0.run(core::slice::from_mut(&mut op))
    }
}

impl ErrorType for SpiBus {
    type Error = Error;
}

impl embedded_hal::spi::SpiBus<u8> for SpiBus {
    fn read(&mut self, words: &mut [u8]) -> Result<(), Error> {
        self.one(Operation::Read(words))
    }

    fn write(&mut self, words: &[u8]) -> Result<(), Error> {
        self.one(Operation::Write(words))
    }

    fn transfer(&mut self, read: &mut [u8], write: &[u8]) -> Result<(), Error> {
        self.one(Operation::Transfer(read, write))
    }

    fn transfer_in_place(&mut self, words: &mut [u8]) -> Result<(), Error> {
        self.one(Operation::TransferInPlace(words))
    }

    fn flush(&mut self) -> Result<(), Error> {
        Ok(())
    }
}
