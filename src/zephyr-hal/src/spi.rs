// SPDX-License-Identifier: Apache-2.0

//! `embedded_hal::spi::{SpiDevice, SpiBus}` and their `embedded_hal_async` counterparts over
//! Zephyr's SPI API, for `u8`, `u16` and `u32` words.
//!
//! # Devices
//!
//! A device is a bus (`const struct device *` of an SPI controller) plus a `spi_config`:
//! - [`SpiDevice::new`] / [`SpiBus::new`] take a `spi_dt_spec` made in C with
//!   `ATOMVM_HAL_SPI_SPEC` (devicetree: `reg`, `spi-max-frequency`, the bus's `cs-gpios`);
//! - [`SpiDevice::with_config`] / [`SpiBus::with_config`] build one at run time from a bus
//!   (e.g. `ATOMVM_HAL_DEVICE` + [`device!`](crate::device)) and a [`Config`]: frequency, mode
//!   0..3, bit order, word size, slave number and chip select ([`ChipSelect`]: the controller's
//!   own line, or a `gpio_dt_spec` driven by Zephyr with its delay).
//!
//! # Words and frame sizes
//!
//! Zephyr's `spi_buf.len` counts bytes, and a controller stores each frame of the configured
//! word size (`SPI_WORD_SET(n)`) in 1, 2 or 4 bytes of memory in native byte order,
//! right-aligned. The adapters implement the traits for `W` = `u8`, `u16`, `u32` and require
//! `W` to be that container: `u8` for word sizes 1..=8, `u16` for 9..=16, `u32` for 17..=32. A
//! transaction with any other `W` fails with `-EINVAL` before touching the bus. Many
//! controllers only implement 8 (some 16 and 32) and answer `-ENOTSUP` (or `-EINVAL`) for the
//! rest; drivers that compute the frame size as `word_size / 8` only handle 8, 16 and 32, so
//! portable code uses those. On the wire each word goes out whole, its most significant bit
//! first unless [`BitOrder::LsbFirst`]. Since the adapters implement the traits for all three
//! types, calls on them directly need the word type: a suffix on untyped literals
//! (`dev.write(&[1u8, 2])`), a path for `flush` (`SpiBus::<u8>::flush(&mut bus)`). Drivers
//! generic over `SpiDevice<u8>` are unaffected.
//!
//! # Chip select across a transaction
//!
//! Zephyr owns CS (native or `cs-gpios`, with the devicetree's CS delay). A `transaction`
//! becomes as few `spi_transceive()` calls as possible: every Read/Write/Transfer/
//! TransferInPlace operation adds its buffers to one `spi_buf_set` pair (a `NULL` tx buffer
//! clocks out the controller's NOP/overrun byte, a `NULL` rx buffer discards), so a
//! transaction without `DelayNs` is **one** call and CS stays asserted by construction.
//!
//! A `DelayNs` operation (or more than [`MAX_BUFS`] buffers) splits the transaction into
//! segments. Every segment followed by more operations is sent with `SPI_HOLD_ON_CS |
//! SPI_LOCK_ON` (CS stays asserted and no other user can take the bus in between), the last one
//! with `SPI_LOCK_ON` only (so it ends by releasing CS) and then `spi_release()` unlocks the
//! controller (it also releases CS if the transaction ended with a delay). An error releases
//! too. All segments use the same `spi_config` (Zephyr matches the lock owner by address),
//! which is why the adapter keeps its own copy of the spec.
//!
//! The async traits follow the same plan with `spi_transceive_cb()` per segment and async
//! timers for delays, when `CONFIG_SPI_ASYNC` is set and the controller implements
//! `transceive_async`; otherwise they run the blocking plan inside the first `poll`.

use embedded_hal::spi::{ErrorKind, ErrorType, Mode, Operation, Phase, Polarity};

use crate::delay::Delay;
use crate::error::{Code, Errno};
use crate::raw;

/// Buffers per direction in one `spi_transceive` call (each operation needs one or two).
pub const MAX_BUFS: usize = 16;

/// An SPI error: the negative errno of the failing Zephyr call.
///
/// | errno | [`ErrorKind`] |
/// |---|---|
/// | `-EOVERFLOW` | `Overrun` |
/// | `-ENODEV` (synthesised by the constructors: bus or CS GPIO not ready) | `Other` |
/// | `-EINVAL` (synthesised: a [`Config`] out of range, or a word type that is not the container of the configured word size) | `Other` |
/// | `-EINVAL`, `-ENOTSUP` (configuration the controller cannot do), `-EIO`, `-ETIMEDOUT`, anything else | `Other` |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error(pub Errno);

impl Error {
    /// The errno.
    pub fn errno(self) -> i32 {
        self.0 .0
    }

    fn code(code: Code) -> Self {
        Self(Errno::from(code))
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

mod sealed {
    pub trait Sealed {}
    impl Sealed for u8 {}
    impl Sealed for u16 {}
    impl Sealed for u32 {}
}

/// A word type the adapters move: `u8`, `u16` or `u32` (see the module docs for which word
/// sizes each one carries).
pub trait Word: Copy + 'static + sealed::Sealed {
    /// Bytes per word in memory (the controller's frame size).
    const BYTES: usize;
}

impl Word for u8 {
    const BYTES: usize = 1;
}
impl Word for u16 {
    const BYTES: usize = 2;
}
impl Word for u32 {
    const BYTES: usize = 4;
}

/// Bytes of memory per frame of `word_size` bits: 1 (1..=8), 2 (9..=16), 4 (17..=32), else
/// `None`.
pub fn frame_bytes(word_size: u8) -> Option<usize> {
    match word_size {
        1..=8 => Some(1),
        9..=16 => Some(2),
        17..=32 => Some(4),
        _ => None,
    }
}

/// The word size (bits) of an operation word.
fn word_size_of(operation: u32) -> u8 {
    ((operation & raw::ATOMVM_HAL_SPI_WORD_SIZE_MASK) >> raw::ATOMVM_HAL_SPI_WORD_SIZE_SHIFT) as u8
}

/// `-EINVAL` unless `W` is the container of the operation's word size.
fn check_word<W: Word>(operation: u32) -> Result<(), Error> {
    if frame_bytes(word_size_of(operation)) == Some(W::BYTES) {
        Ok(())
    } else {
        Err(Error::code(Code::EINVAL))
    }
}

/// The embedded-hal mode numbered as usual (0: CPOL 0 CPHA 0 .. 3: CPOL 1 CPHA 1).
pub fn mode_from_number(n: u8) -> Option<Mode> {
    let polarity = |high| {
        if high {
            Polarity::IdleHigh
        } else {
            Polarity::IdleLow
        }
    };
    let phase = |second| {
        if second {
            Phase::CaptureOnSecondTransition
        } else {
            Phase::CaptureOnFirstTransition
        }
    };
    (n <= 3).then(|| Mode {
        polarity: polarity(n & 2 != 0),
        phase: phase(n & 1 != 0),
    })
}

/// The number (0..3) of an embedded-hal mode.
pub fn mode_number(mode: Mode) -> u8 {
    let cpol = matches!(mode.polarity, Polarity::IdleHigh) as u8;
    let cpha = matches!(mode.phase, Phase::CaptureOnSecondTransition) as u8;
    cpol << 1 | cpha
}

/// Bit order of each word on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum BitOrder {
    /// Most significant bit first (`SPI_TRANSFER_MSB`), the usual.
    #[default]
    MsbFirst,
    /// Least significant bit first (`SPI_TRANSFER_LSB`).
    LsbFirst,
}

/// How the device's chip select is driven (`spi_config.cs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChipSelect {
    /// The controller's own CS line number [`Config::slave`], with the lead time before the
    /// first clock and the lag after the last one in nanoseconds (0: the driver's default).
    /// Active low unless [`Config::cs_active_high`].
    Hardware {
        /// CS asserted this long before the first clock (`setup_ns`).
        setup_ns: u32,
        /// CS kept asserted this long after the last clock (`hold_ns`).
        hold_ns: u32,
    },
    /// A GPIO that Zephyr asserts around each transaction (`cs.gpio`, `cs.delay`): its
    /// polarity comes from its devicetree flags. The constructor configures the pin as an
    /// inactive output (Zephyr's controllers only configure their own `cs-gpios`).
    Gpio {
        /// The pin's controller (a static `const struct device *`).
        port: *const raw::device,
        /// The pin number on `port`.
        pin: raw::gpio_pin_t,
        /// Devicetree flags (`GPIO_ACTIVE_LOW`, ...).
        dt_flags: raw::gpio_dt_flags_t,
        /// Microseconds between asserting CS and the first clock, and between the last clock
        /// and releasing CS.
        delay_us: u32,
    },
}

impl ChipSelect {
    /// A GPIO chip select from a devicetree spec (e.g. an entry of a bus's `cs-gpios`).
    pub fn gpio(spec: &raw::gpio_dt_spec, delay_us: u32) -> Self {
        Self::Gpio {
            port: spec.port,
            pin: spec.pin,
            dt_flags: spec.dt_flags,
            delay_us,
        }
    }
}

/// An SPI controller with its devicetree `cs-gpios`: `ATOMVM_HAL_SPI_BUS(sym, node)` in C,
/// [`spi_bus!`](crate::spi_bus) in Rust.
#[derive(Clone, Copy)]
pub struct Controller(&'static raw::atomvm_hal_spi_bus);

// SAFETY: immutable static data pointing at static devices.
unsafe impl Send for Controller {}
// SAFETY: as above.
unsafe impl Sync for Controller {}

impl Controller {
    /// Wraps a spec defined with `ATOMVM_HAL_SPI_BUS`.
    pub fn new(spec: &'static raw::atomvm_hal_spi_bus) -> Self {
        Self(spec)
    }

    /// The controller device (never NULL: `DEVICE_DT_GET`).
    pub fn device(&self) -> &'static raw::device {
        // SAFETY: DEVICE_DT_GET of a static device.
        unsafe { &*self.0.bus }
    }

    /// Entries of the controller's `cs-gpios` (0 without).
    pub fn cs_count(&self) -> usize {
        self.0.cs_count as usize
    }

    /// Entry `n` of `cs-gpios`.
    pub fn cs_gpio(&self, n: usize) -> Option<&'static raw::gpio_dt_spec> {
        if n >= self.cs_count() || self.0.cs_gpios.is_null() {
            return None;
        }
        // SAFETY: a static array of `cs_count` specs, `n` in range.
        Some(unsafe { &*self.0.cs_gpios.add(n) })
    }

    /// The chip select of the device on line `n`, as devicetree does it for a child whose
    /// `reg` is `n`: entry `n` of `cs-gpios` with `delay_us` when the controller has them
    /// (`None` past their end), else the controller's own line `n` (set [`Config::slave`] to
    /// `n` in both cases).
    pub fn chip_select(&self, n: u16, delay_us: u32) -> Option<ChipSelect> {
        if self.cs_count() == 0 {
            return Some(ChipSelect::Hardware {
                setup_ns: 0,
                hold_ns: 0,
            });
        }
        self.cs_gpio(n as usize)
            .map(|spec| ChipSelect::gpio(spec, delay_us))
    }
}

/// A device's configuration for [`SpiDevice::with_config`] / [`SpiBus::with_config`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// SCK frequency in Hz (the controller picks the closest it can do, not above); > 0.
    pub frequency: u32,
    /// Clock polarity and phase.
    pub mode: Mode,
    /// Bit order on the wire.
    pub bit_order: BitOrder,
    /// Bits per word, 1..=32 (see the module docs for the word types).
    pub word_size: u8,
    /// `spi_config.slave`: the controller's CS line for [`ChipSelect::Hardware`]; with a GPIO
    /// CS, by convention the index of that GPIO in the bus's `cs-gpios` (devicetree `reg`).
    pub slave: u16,
    /// How CS is driven.
    pub cs: ChipSelect,
    /// Hardware CS active high (`SPI_CS_ACTIVE_HIGH`); a GPIO CS takes its polarity from its
    /// flags.
    pub cs_active_high: bool,
}

// SAFETY: the only pointer is a GPIO chip select's port, a static device whose API
// (Zephyr's GPIO driver API) may be called from any thread.
unsafe impl Send for Config {}
// SAFETY: as above; a Config is plain data otherwise.
unsafe impl Sync for Config {}

impl Config {
    /// Mode 0, MSB first, 8-bit words, hardware CS 0 without extra timing.
    pub fn new(frequency: u32) -> Self {
        Self {
            frequency,
            mode: embedded_hal::spi::MODE_0,
            bit_order: BitOrder::MsbFirst,
            word_size: 8,
            slave: 0,
            cs: ChipSelect::Hardware {
                setup_ns: 0,
                hold_ns: 0,
            },
            cs_active_high: false,
        }
    }

    /// The `spi_config.operation` word: controller mode, CPOL/CPHA, bit order, word size, CS
    /// polarity. `Err(-EINVAL)` for a zero frequency or a word size outside 1..=32.
    pub fn operation(&self) -> Result<u32, Error> {
        if self.frequency == 0 || frame_bytes(self.word_size).is_none() {
            return Err(Error::code(Code::EINVAL));
        }
        let mut op = (self.word_size as u32) << raw::ATOMVM_HAL_SPI_WORD_SIZE_SHIFT;
        if matches!(self.mode.polarity, Polarity::IdleHigh) {
            op |= raw::ATOMVM_HAL_SPI_MODE_CPOL;
        }
        if matches!(self.mode.phase, Phase::CaptureOnSecondTransition) {
            op |= raw::ATOMVM_HAL_SPI_MODE_CPHA;
        }
        if self.bit_order == BitOrder::LsbFirst {
            op |= raw::ATOMVM_HAL_SPI_TRANSFER_LSB;
        }
        if self.cs_active_high {
            op |= raw::ATOMVM_HAL_SPI_CS_ACTIVE_HIGH;
        }
        Ok(op)
    }

    /// The `spi_config` for this configuration (validated as [`Config::operation`]).
    fn spi_config(&self) -> Result<raw::spi_config, Error> {
        let mut config = raw::spi_config {
            frequency: self.frequency,
            operation: self.operation()? as _,
            slave: self.slave,
            ..Default::default()
        };
        match self.cs {
            ChipSelect::Hardware { setup_ns, hold_ns } => {
                // SAFETY: the union's timing member, the one read when `cs_is_gpio` is false.
                let t = unsafe { config.cs.__bindgen_anon_1.__bindgen_anon_2.as_mut() };
                t.setup_ns = setup_ns;
                t.hold_ns = hold_ns;
                config.cs.cs_is_gpio = false;
            }
            ChipSelect::Gpio {
                port,
                pin,
                dt_flags,
                delay_us,
            } => {
                if port.is_null() {
                    return Err(Error::code(Code::EINVAL));
                }
                // SAFETY: the union's GPIO member, the one read when `cs_is_gpio` is true.
                let g = unsafe { config.cs.__bindgen_anon_1.__bindgen_anon_1.as_mut() };
                g.gpio.port = port;
                g.gpio.pin = pin;
                g.gpio.dt_flags = dt_flags;
                g.delay = delay_us;
                config.cs.cs_is_gpio = true;
            }
        }
        Ok(config)
    }
}

/// What a controller's driver configures from a `spi_config` (the operation word without the
/// per-call `SPI_HOLD_ON_CS`/`SPI_LOCK_ON`).
#[derive(Clone, Copy, PartialEq, Eq, Default)]
struct Settings {
    frequency: u32,
    operation: u32,
    slave: u16,
    cs_is_gpio: bool,
    /// GPIO CS: port, pin, flags, delay; hardware CS: setup_ns, hold_ns, 0, 0.
    cs: (usize, u32, u32, u32),
}

impl Settings {
    fn of(config: &raw::spi_config, base: u32) -> Self {
        let cs = if config.cs.cs_is_gpio {
            // SAFETY: the GPIO member is the valid one when `cs_is_gpio`.
            let g = unsafe { config.cs.__bindgen_anon_1.__bindgen_anon_1.as_ref() };
            (
                g.gpio.port as usize,
                g.gpio.pin as u32,
                g.gpio.dt_flags as u32,
                g.delay,
            )
        } else {
            // SAFETY: the timing member is the valid one otherwise.
            let t = unsafe { config.cs.__bindgen_anon_1.__bindgen_anon_2.as_ref() };
            (0, t.setup_ns, t.hold_ns, 0)
        };
        Self {
            frequency: config.frequency,
            operation: base,
            slave: config.slave,
            cs_is_gpio: config.cs.cs_is_gpio,
            cs,
        }
    }
}

/// The `spi_config` address and settings the adapters last handed each controller.
#[derive(Clone, Copy, Default)]
struct Seen {
    bus: usize,
    config: usize,
    settings: Settings,
}

/// Controllers tracked at once; with more in use, the least recently recorded one is forgotten
/// (and its next device may be mistaken for configured, see [`Spec::pick`]).
const TRACKED_BUSES: usize = 8;

static SEEN: zephyr::sync::SpinMutex<([Seen; TRACKED_BUSES], usize)> =
    zephyr::sync::SpinMutex::new((
        [Seen {
            bus: 0,
            config: 0,
            settings: Settings {
                frequency: 0,
                operation: 0,
                slave: 0,
                cs_is_gpio: false,
                cs: (0, 0, 0, 0),
            },
        }; TRACKED_BUSES],
        0,
    ));

/// A ready bus spec and its configured operation word, shared by [`SpiDevice`] and [`SpiBus`].
///
/// Zephyr's controller drivers take the `spi_config` *address* as the configuration's
/// identity (`spi_context_configured()`): a transfer whose config sits where the last one
/// applied did is not configured again. A device dropped and another built at the same
/// address (a device table reusing memory, `*dev = SpiDevice::with_config(..)`) would then run
/// with the old device's frequency and mode. So each spec has two copies of its config, and
/// [`Spec::pick`] sends the other one when the controller last saw this address with other
/// settings.
struct Spec {
    specs: [raw::spi_dt_spec; 2],
    cur: usize,
    base: u32,
}

// SAFETY: the spec refers to static devices; Zephyr's SPI API is thread-safe.
unsafe impl Send for Spec {}

impl Spec {
    fn new(spec: raw::spi_dt_spec) -> Self {
        // SAFETY: a plain C struct of values and pointers to static data.
        let alt = unsafe { core::ptr::read(&spec) };
        let base = spec.config.operation as u32;
        Self {
            specs: [spec, alt],
            cur: 0,
            base,
        }
    }

    fn open(spec: &'static raw::spi_dt_spec) -> Result<Self, Error> {
        // SAFETY: the spec points at static devices.
        if !unsafe { raw::spi_is_ready_dt(spec) } {
            return Err(Error::code(Code::ENODEV));
        }
        // SAFETY: a plain C struct of values and pointers to static data; copying it is how
        // SPI_DT_SPEC_GET specs are meant to be used.
        Ok(Self::new(unsafe { core::ptr::read(spec) }))
    }

    fn build(bus: &'static raw::device, config: &Config) -> Result<Self, Error> {
        let spec = raw::spi_dt_spec {
            bus,
            config: config.spi_config()?,
        };
        // SAFETY: `spec` points at static devices (the bus; a GPIO CS's port, which the
        // caller promises is a device of this image).
        if !unsafe { raw::spi_is_ready_dt(&spec) } {
            return Err(Error::code(Code::ENODEV));
        }
        if let ChipSelect::Gpio { .. } = config.cs {
            configure_cs(&spec)?;
        }
        Ok(Self::new(spec))
    }

    /// The spec copy a transaction uses (all its segments: `SPI_LOCK_ON` matches the owner by
    /// address), recorded as the controller's last; see [`Spec`].
    fn pick(&mut self) -> &mut raw::spi_dt_spec {
        let settings = Settings::of(&self.specs[0].config, self.base);
        let bus = self.specs[0].bus as usize;
        let addr = |s: &raw::spi_dt_spec| &s.config as *const raw::spi_config as usize;
        let Ok(mut seen) = SEEN.lock();
        let (table, next) = &mut *seen;
        let slot = match table.iter().position(|e| e.bus == bus) {
            Some(i) => i,
            None => {
                let i = *next;
                *next = (i + 1) % TRACKED_BUSES;
                table[i] = Seen {
                    bus,
                    ..Seen::default()
                };
                i
            }
        };
        let entry = &mut table[slot];
        if entry.config == addr(&self.specs[self.cur]) && entry.settings != settings {
            self.cur ^= 1;
        }
        entry.config = addr(&self.specs[self.cur]);
        entry.settings = settings;
        &mut self.specs[self.cur]
    }

    /// The configuration every transfer uses.
    fn config(&self) -> &raw::spi_config {
        &self.specs[0].config
    }

    /// The controller.
    fn config_bus(&self) -> *const raw::device {
        self.specs[0].bus
    }

    fn run<W: Word>(&mut self, ops: &mut [Operation<'_, W>]) -> Result<(), Error> {
        check_word::<W>(self.base)?;
        let base = self.base;
        run(self.pick(), base, ops)
    }
}

/// Makes a runtime GPIO chip select an inactive output, as controllers do at init for their
/// devicetree `cs-gpios`.
#[cfg(zephyr_gpio)]
fn configure_cs(spec: &raw::spi_dt_spec) -> Result<(), Error> {
    // SAFETY: the GPIO member of the union is the valid one (`cs_is_gpio`); its port is ready.
    let ret = unsafe {
        raw::gpio_pin_configure_dt(
            &spec
                .config
                .cs
                .__bindgen_anon_1
                .__bindgen_anon_1
                .as_ref()
                .gpio,
            raw::ATOMVM_HAL_GPIO_OUTPUT_INACTIVE as raw::gpio_flags_t,
        )
    };
    Errno::check(ret).map(drop).map_err(Error)
}

#[cfg(not(zephyr_gpio))]
fn configure_cs(_spec: &raw::spi_dt_spec) -> Result<(), Error> {
    Err(Error::code(Code::ENOTSUP))
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

    /// Adds a buffer pair of `words` words of `W` (either pointer may be NULL).
    fn push<W: Word>(&mut self, tx: *const W, rx: *mut W, words: usize) {
        let len = words * W::BYTES;
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
    fn add<W: Word>(&mut self, op: &mut Operation<'_, W>) -> bool {
        if self.n + 2 > MAX_BUFS {
            return false;
        }
        let null = core::ptr::null_mut::<W>();
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
fn run<W: Word>(
    spec: &mut raw::spi_dt_spec,
    base: u32,
    ops: &mut [Operation<'_, W>],
) -> Result<(), Error> {
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
    // SAFETY: the spec's bus is a static device.
    controller_has_async(unsafe { &*spec.bus })
}

/// Whether the SPI controller `bus` can complete transfers from its driver's callback
/// (`spi_transceive_cb`: its API has `transceive_async`). Always false without
/// `CONFIG_SPI_ASYNC`; `bus` must be an SPI controller.
pub fn controller_has_async(bus: &raw::device) -> bool {
    #[cfg(zephyr_spi_async)]
    {
        let api = bus.api as *const raw::spi_driver_api;
        // SAFETY: an SPI controller's `api` is a static `spi_driver_api` (or NULL).
        !api.is_null() && unsafe { (*api).transceive_async.is_some() }
    }
    #[cfg(not(zephyr_spi_async))]
    {
        let _ = bus;
        false
    }
}

/// A driver's completion callback for [`SpiDevice::transceive_cb`] (Zephyr's
/// `spi_callback_t`): the controller, `0` or a negative errno, and the `userdata` given. Real
/// drivers call it from their interrupt handler: it may only do what an ISR may.
pub type Callback = unsafe extern "C" fn(
    dev: *const raw::device,
    result: core::ffi::c_int,
    userdata: *mut core::ffi::c_void,
);

/// The buffer descriptors of one [`SpiDevice::transceive_cb`] transfer, which the driver reads
/// until it calls back: keep them in place (e.g. boxed, or in a static) until then.
pub struct CallbackBufs {
    tx: raw::spi_buf,
    rx: raw::spi_buf,
    tx_set: raw::spi_buf_set,
    rx_set: raw::spi_buf_set,
}

impl CallbackBufs {
    /// Empty descriptors.
    pub const fn new() -> Self {
        Self {
            tx: NULL_BUF,
            rx: NULL_BUF,
            tx_set: raw::spi_buf_set {
                buffers: core::ptr::null(),
                count: 0,
            },
            rx_set: raw::spi_buf_set {
                buffers: core::ptr::null(),
                count: 0,
            },
        }
    }
}

impl Default for CallbackBufs {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: plain descriptors; the pointers in them are only read by the driver.
unsafe impl Send for CallbackBufs {}

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
async fn run_async<W: Word>(
    spec: &mut raw::spi_dt_spec,
    base: u32,
    ops: &mut [Operation<'_, W>],
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

/// The transaction of the async traits (see the module docs).
async fn transact_async<W: Word>(
    spec: &mut Spec,
    ops: &mut [Operation<'_, W>],
) -> Result<(), Error> {
    check_word::<W>(spec.base)?;
    let base = spec.base;
    #[cfg(zephyr_spi_async)]
    return run_async(spec.pick(), base, ops).await;
    #[cfg(not(zephyr_spi_async))]
    return run(spec.pick(), base, ops);
}

/// One device on an SPI bus, CS handled by Zephyr (see the module docs).
pub struct SpiDevice(Spec);

impl SpiDevice {
    /// From a spec made with `ATOMVM_HAL_SPI_SPEC`. `Err(-ENODEV)` if the bus or CS GPIO is not
    /// ready.
    pub fn new(spec: &'static raw::spi_dt_spec) -> Result<Self, Error> {
        Spec::open(spec).map(Self)
    }

    /// A device on `bus` built at run time. `Err(-EINVAL)` for a configuration out of range
    /// (see [`Config::operation`], a GPIO CS without a port), `Err(-ENODEV)` if the bus or the
    /// CS GPIO is not ready, the GPIO driver's error if the CS pin cannot be made an output.
    /// Whether the controller can do the configuration is known at the first transfer (e.g.
    /// `-ENOTSUP` for a word size it lacks).
    pub fn with_config(bus: &'static raw::device, config: &Config) -> Result<Self, Error> {
        Spec::build(bus, config).map(Self)
    }

    /// The `spi_config` every transfer of this device uses (flags of a segmented transaction
    /// aside).
    pub fn spi_config(&self) -> &raw::spi_config {
        self.0.config()
    }

    /// Whether this device's controller completes transfers from its driver's callback (see
    /// [`controller_has_async`]): [`transceive_cb`](Self::transceive_cb) works.
    pub fn has_async(&self) -> bool {
        // SAFETY: the spec's bus is a static device.
        controller_has_async(unsafe { &*self.0.config_bus() })
    }

    /// Starts one transfer (one CS frame: `tx` out, and what comes in into `rx` when given)
    /// through `spi_transceive_cb()`, and returns at once: the driver calls `cb(dev, result,
    /// userdata)` when it is over, from its interrupt handler on real controllers. `tx` and
    /// `rx` hold whole frames of the configured word size in memory order (1, 2 or 4 bytes
    /// each, see the module docs); an empty `tx` clocks out the controller's NOP bytes for `rx`.
    ///
    /// `Ok(())`: the driver took the transfer and will call back exactly once. `Err`: it did
    /// not (and will not call back): `-ENOTSUP` if the controller has no `transceive_async`
    /// (or without `CONFIG_SPI_ASYNC`), `-EINVAL` for lengths that are not whole frames, the
    /// driver's error otherwise. Zephyr's drivers take one transfer at a time: a second call
    /// (or a blocking transfer) waits in the driver until the first has called back, so a
    /// caller queueing transfers starts the next one from a thread after the callback, never
    /// from the callback.
    ///
    /// # Safety
    ///
    /// Until `cb` is called (or this returns `Err`): `bufs` and this `SpiDevice` (the
    /// `spi_config` the driver reads) stay in place and alive, `tx` and `rx` stay alive and
    /// unmoved, nothing reads or writes `rx` nor writes `tx`, and the device is not used for
    /// another transfer. `cb` must be ISR-safe and not panic; `userdata` is passed through.
    pub unsafe fn transceive_cb(
        &mut self,
        bufs: &mut CallbackBufs,
        tx: &[u8],
        rx: Option<&mut [u8]>,
        cb: Callback,
        userdata: *mut core::ffi::c_void,
    ) -> Result<(), Error> {
        let frame = frame_bytes(word_size_of(self.0.base)).unwrap_or(1);
        let rx_len = rx.as_ref().map_or(0, |r| r.len());
        if tx.len() % frame != 0 || rx_len % frame != 0 || (tx.is_empty() && rx_len == 0) {
            return Err(Error::code(Code::EINVAL));
        }
        if !self.has_async() {
            return Err(Error::code(Code::ENOTSUP));
        }
        #[cfg(zephyr_spi_async)]
        {
            bufs.tx = raw::spi_buf {
                buf: tx.as_ptr() as *mut core::ffi::c_void,
                len: tx.len(),
            };
            bufs.rx = match rx {
                Some(r) => raw::spi_buf {
                    buf: r.as_mut_ptr().cast(),
                    len: r.len(),
                },
                None => NULL_BUF,
            };
            bufs.tx_set = raw::spi_buf_set {
                buffers: &bufs.tx,
                count: 1,
            };
            bufs.rx_set = raw::spi_buf_set {
                buffers: &bufs.rx,
                count: 1,
            };
            let tx_set: *const raw::spi_buf_set = if tx.is_empty() {
                core::ptr::null()
            } else {
                &bufs.tx_set
            };
            let rx_set: *const raw::spi_buf_set = if rx_len == 0 {
                core::ptr::null()
            } else {
                &bufs.rx_set
            };
            let base = self.0.base;
            let spec = self.0.pick();
            spec.config.operation = base as _;
            // SAFETY: the caller keeps the config (in this device), the descriptors and the
            // buffers alive and in place until the callback; the bus is a static controller
            // with `transceive_async` (checked above).
            let ret = unsafe {
                raw::spi_transceive_cb(spec.bus, &spec.config, tx_set, rx_set, Some(cb), userdata)
            };
            Errno::check(ret).map(drop).map_err(Error)
        }
        #[cfg(not(zephyr_spi_async))]
        {
            let _ = (bufs, cb, userdata);
            Err(Error::code(Code::ENOTSUP))
        }
    }
}

impl ErrorType for SpiDevice {
    type Error = Error;
}

impl<W: Word> embedded_hal::spi::SpiDevice<W> for SpiDevice {
    fn transaction(&mut self, ops: &mut [Operation<'_, W>]) -> Result<(), Error> {
        self.0.run(ops)
    }
}

/// With `CONFIG_SPI_ASYNC` and a controller that implements `transceive_async`, each segment
/// (see the module docs) is a `spi_transceive_cb()` completing from the driver's callback, and
/// `DelayNs` is an async timer; dropping the future mid-transfer blocks until the driver is done
/// with the buffers. Otherwise the transaction runs synchronously inside the first `poll`,
/// exactly as the blocking one (delays busy-wait or sleep the thread).
impl<W: Word> embedded_hal_async::spi::SpiDevice<W> for SpiDevice {
    async fn transaction(&mut self, ops: &mut [Operation<'_, W>]) -> Result<(), Error> {
        transact_async(&mut self.0, ops).await
    }
}

/// The bus alone, for users who drive CS themselves (e.g. through
/// `embedded-hal-bus`'s `ExclusiveDevice` and an [`Output`](crate::gpio::Output)). Use a spec
/// of a devicetree node without `cs-gpios` on a controller without native CS, or one whose CS
/// does not matter (a runtime [`Config`] with [`ChipSelect::Hardware`] on a line nothing is
/// wired to). Each call is one `spi_transceive()`; `flush` has nothing to wait for.
pub struct SpiBus(Spec);

impl SpiBus {
    /// From a spec made with `ATOMVM_HAL_SPI_SPEC`. `Err(-ENODEV)` if the bus is not ready.
    pub fn new(spec: &'static raw::spi_dt_spec) -> Result<Self, Error> {
        Spec::open(spec).map(Self)
    }

    /// A bus built at run time, as [`SpiDevice::with_config`].
    pub fn with_config(bus: &'static raw::device, config: &Config) -> Result<Self, Error> {
        Spec::build(bus, config).map(Self)
    }

    fn one<W: Word>(&mut self, mut op: Operation<'_, W>) -> Result<(), Error> {
        self.0.run(core::slice::from_mut(&mut op))
    }

    async fn one_async<W: Word>(&mut self, mut op: Operation<'_, W>) -> Result<(), Error> {
        transact_async(&mut self.0, core::slice::from_mut(&mut op)).await
    }
}

impl ErrorType for SpiBus {
    type Error = Error;
}

impl<W: Word> embedded_hal::spi::SpiBus<W> for SpiBus {
    fn read(&mut self, words: &mut [W]) -> Result<(), Error> {
        self.one(Operation::Read(words))
    }

    fn write(&mut self, words: &[W]) -> Result<(), Error> {
        self.one(Operation::Write(words))
    }

    fn transfer(&mut self, read: &mut [W], write: &[W]) -> Result<(), Error> {
        self.one(Operation::Transfer(read, write))
    }

    fn transfer_in_place(&mut self, words: &mut [W]) -> Result<(), Error> {
        self.one(Operation::TransferInPlace(words))
    }

    fn flush(&mut self) -> Result<(), Error> {
        Ok(())
    }
}

/// Each call is one `spi_transceive_cb()` completing from the driver's callback when
/// `CONFIG_SPI_ASYNC` is set and the controller implements `transceive_async`, otherwise one
/// `spi_transceive()` inside the first `poll`. Every call has completed when its future is
/// ready (or dropped), so `flush` has nothing to wait for.
impl<W: Word> embedded_hal_async::spi::SpiBus<W> for SpiBus {
    async fn read(&mut self, words: &mut [W]) -> Result<(), Error> {
        self.one_async(Operation::Read(words)).await
    }

    async fn write(&mut self, words: &[W]) -> Result<(), Error> {
        self.one_async(Operation::Write(words)).await
    }

    async fn transfer(&mut self, read: &mut [W], write: &[W]) -> Result<(), Error> {
        self.one_async(Operation::Transfer(read, write)).await
    }

    async fn transfer_in_place(&mut self, words: &mut [W]) -> Result<(), Error> {
        self.one_async(Operation::TransferInPlace(words)).await
    }

    async fn flush(&mut self) -> Result<(), Error> {
        Ok(())
    }
}
