// SPDX-License-Identifier: Apache-2.0

//! `embedded_hal::digital` pins and `embedded_hal_async::digital::Wait` over `gpio_dt_spec`.
//!
//! Levels are *logical*: "high" means active as devicetree describes the pin (an
//! `GPIO_ACTIVE_LOW` pin reads high when the line is low), so rising/falling edges are
//! to-active/to-inactive edges. This is what `gpio_pin_get_dt`/`gpio_pin_set_dt` do.
//!
//! [`Interrupt`] is the hook for interrupt-driven drivers: a pin's edge interrupt calling a
//! plain Rust `fn` in interrupt context, with the callback record in static storage (no
//! allocation, nothing boxed).

extern crate alloc;

use alloc::boxed::Box;
use core::cell::UnsafeCell;
use core::future::poll_fn;
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicUsize, Ordering};
use core::task::Poll;

use atomic_waker::AtomicWaker;
use embedded_hal::digital::{ErrorKind, ErrorType, PinState};

use crate::error::{Code, Errno};
use crate::raw;

/// A GPIO error: the negative errno of the failing Zephyr call. embedded-hal has one kind,
/// `Other`. `-ENODEV`: the port is not ready (from the constructors); `-ENOTSUP`: the port
/// cannot do the requested configuration or interrupt; `-EIO`: the port's I/O failed
/// (e.g. an I2C expander); other errnos as the driver returns them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error(pub Errno);

impl embedded_hal::digital::Error for Error {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Other
    }
}

fn check(ret: i32) -> Result<i32, Error> {
    Errno::check(ret).map_err(Error)
}

fn ready(spec: &raw::gpio_dt_spec) -> Result<(), Error> {
    // SAFETY: the spec's port is a static device.
    if unsafe { raw::device_is_ready(spec.port) } {
        Ok(())
    } else {
        Err(Error(Errno::from(Code::ENODEV)))
    }
}

/// An output pin. `gpio_pin_set_dt` drives it; the state is remembered for
/// `StatefulOutputPin` (Zephyr has no portable read-back of an output).
pub struct Output {
    spec: &'static raw::gpio_dt_spec,
    high: bool,
}

// SAFETY: the spec is immutable static data; Zephyr's GPIO API is thread-safe.
unsafe impl Send for Output {}

impl Output {
    /// Configures the pin as an output (`gpio_pin_configure_dt` with `GPIO_OUTPUT_ACTIVE` or
    /// `GPIO_OUTPUT_INACTIVE`).
    pub fn new(spec: &'static raw::gpio_dt_spec, initial: PinState) -> Result<Self, Error> {
        ready(spec)?;
        let high = initial == PinState::High;
        let flags = if high {
            raw::ATOMVM_HAL_GPIO_OUTPUT_ACTIVE
        } else {
            raw::ATOMVM_HAL_GPIO_OUTPUT_INACTIVE
        };
        // SAFETY: valid spec.
        check(unsafe { raw::gpio_pin_configure_dt(spec, flags as raw::gpio_flags_t) })?;
        Ok(Self { spec, high })
    }

    fn set(&mut self, high: bool) -> Result<(), Error> {
        // SAFETY: valid spec.
        check(unsafe { raw::gpio_pin_set_dt(self.spec, high as i32) })?;
        self.high = high;
        Ok(())
    }
}

impl ErrorType for Output {
    type Error = Error;
}

impl embedded_hal::digital::OutputPin for Output {
    fn set_low(&mut self) -> Result<(), Error> {
        self.set(false)
    }

    fn set_high(&mut self) -> Result<(), Error> {
        self.set(true)
    }
}

impl embedded_hal::digital::StatefulOutputPin for Output {
    fn is_set_high(&mut self) -> Result<bool, Error> {
        Ok(self.high)
    }

    fn is_set_low(&mut self) -> Result<bool, Error> {
        Ok(!self.high)
    }

    fn toggle(&mut self) -> Result<(), Error> {
        self.set(!self.high)
    }
}

/// What the interrupt callback shares with a waiting task. Boxed so that its address is stable
/// while Zephyr holds the callback; registered once, removed when the [`Input`] is dropped.
#[repr(C)]
struct IrqCell {
    // First field: the callback pointer Zephyr hands back is a pointer to the whole cell.
    cb: UnsafeCell<raw::gpio_callback>,
    waker: AtomicWaker,
    edges: AtomicU32,
}

unsafe extern "C" fn on_edge(
    _port: *const raw::device,
    cb: *mut raw::gpio_callback,
    _pins: raw::gpio_port_pins_t,
) {
    // SAFETY: `cb` is the first field of a live, repr(C) IrqCell (removed before it is freed);
    // only atomics are touched, so this is safe in interrupt context.
    let cell = unsafe { &*(cb as *const IrqCell) };
    cell.edges.fetch_add(1, Ordering::AcqRel);
    cell.waker.wake();
}

/// An input pin; also `Wait` (edge interrupts through `gpio_add_callback_dt`).
pub struct Input {
    spec: &'static raw::gpio_dt_spec,
    irq: Option<Box<IrqCell>>,
}

// SAFETY: the spec is static; the IrqCell is only shared with the ISR through atomics.
unsafe impl Send for Input {}

impl Input {
    /// Configures the pin as an input (`gpio_pin_configure_dt(GPIO_INPUT)`; pull-ups and
    /// active level come from the devicetree flags).
    pub fn new(spec: &'static raw::gpio_dt_spec) -> Result<Self, Error> {
        ready(spec)?;
        // SAFETY: valid spec.
        check(unsafe {
            raw::gpio_pin_configure_dt(spec, raw::ATOMVM_HAL_GPIO_INPUT as raw::gpio_flags_t)
        })?;
        Ok(Self { spec, irq: None })
    }

    fn level(&self) -> Result<bool, Error> {
        // SAFETY: valid spec.
        check(unsafe { raw::gpio_pin_get_dt(self.spec) }).map(|v| v != 0)
    }

    /// Registers the callback on first use.
    fn irq(&mut self) -> Result<&IrqCell, Error> {
        if self.irq.is_none() {
            let cell = Box::new(IrqCell {
                cb: UnsafeCell::new(raw::gpio_callback::default()),
                waker: AtomicWaker::new(),
                edges: AtomicU32::new(0),
            });
            // SAFETY: the callback lives in the box, which stays allocated until Drop removes
            // it from the port.
            unsafe {
                raw::gpio_init_callback(cell.cb.get(), Some(on_edge), 1u32 << self.spec.pin);
                check(raw::gpio_add_callback_dt(self.spec, cell.cb.get()))?;
            }
            self.irq = Some(cell);
        }
        Ok(self.irq.as_deref().expect("set above"))
    }

    fn set_interrupt(spec: &raw::gpio_dt_spec, flags: u32) -> Result<(), Error> {
        // SAFETY: valid spec.
        check(unsafe { raw::gpio_pin_interrupt_configure_dt(spec, flags as raw::gpio_flags_t) })
            .map(drop)
    }

    /// Waits, with `flags` interrupts enabled, until `done(level, edges_seen)`.
    async fn wait(&mut self, flags: u32, done: impl Fn(bool, bool) -> bool) -> Result<(), Error> {
        let spec = self.spec;
        self.irq()?;
        let cell = self.irq.as_deref().expect("registered");
        let start = cell.edges.load(Ordering::Acquire);
        Self::set_interrupt(spec, flags)?;
        // Disables the interrupt however the wait ends (completion, error, or the future
        // being dropped).
        struct Disable(&'static raw::gpio_dt_spec);
        impl Drop for Disable {
            fn drop(&mut self) {
                let _ = Input::set_interrupt(self.0, raw::ATOMVM_HAL_GPIO_INT_DISABLE);
            }
        }
        let _disable = Disable(spec);
        poll_fn(|cx| {
            cell.waker.register(cx.waker());
            let edges = cell.edges.load(Ordering::Acquire) != start;
            // SAFETY: valid spec.
            let level = match check(unsafe { raw::gpio_pin_get_dt(spec) }) {
                Ok(v) => v != 0,
                Err(e) => return Poll::Ready(Err(e)),
            };
            if done(level, edges) {
                Poll::Ready(Ok(()))
            } else {
                Poll::Pending
            }
        })
        .await
    }
}

impl Drop for Input {
    fn drop(&mut self) {
        if let Some(cell) = self.irq.as_ref() {
            let _ = Self::set_interrupt(self.spec, raw::ATOMVM_HAL_GPIO_INT_DISABLE);
            // SAFETY: the callback was added to this port by `irq()`.
            unsafe {
                raw::gpio_remove_callback_dt(self.spec, cell.cb.get());
            }
        }
    }
}

impl ErrorType for Input {
    type Error = Error;
}

impl embedded_hal::digital::InputPin for Input {
    fn is_high(&mut self) -> Result<bool, Error> {
        self.level()
    }

    fn is_low(&mut self) -> Result<bool, Error> {
        self.level().map(|h| !h)
    }
}

/// Edge waits enable the matching edge interrupt and complete on the first such edge after
/// the call; level waits enable both edges and complete as soon as the pin reads the level
/// (immediately if it already does). The interrupt is disabled again when the wait ends.
impl embedded_hal_async::digital::Wait for Input {
    async fn wait_for_high(&mut self) -> Result<(), Error> {
        self.wait(raw::ATOMVM_HAL_GPIO_INT_EDGE_BOTH, |level, _| level)
            .await
    }

    async fn wait_for_low(&mut self) -> Result<(), Error> {
        self.wait(raw::ATOMVM_HAL_GPIO_INT_EDGE_BOTH, |level, _| !level)
            .await
    }

    async fn wait_for_rising_edge(&mut self) -> Result<(), Error> {
        self.wait(raw::ATOMVM_HAL_GPIO_INT_EDGE_TO_ACTIVE, |_, edge| edge)
            .await
    }

    async fn wait_for_falling_edge(&mut self) -> Result<(), Error> {
        self.wait(raw::ATOMVM_HAL_GPIO_INT_EDGE_TO_INACTIVE, |_, edge| edge)
            .await
    }

    async fn wait_for_any_edge(&mut self) -> Result<(), Error> {
        self.wait(raw::ATOMVM_HAL_GPIO_INT_EDGE_BOTH, |_, edge| edge)
            .await
    }
}

/// The edges an [`Interrupt`] fires on; logical, as everywhere in this module (an
/// `GPIO_ACTIVE_LOW` line falling is a [`Edge::ToActive`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge {
    /// Inactive to active (`GPIO_INT_EDGE_TO_ACTIVE`).
    ToActive,
    /// Active to inactive (`GPIO_INT_EDGE_TO_INACTIVE`).
    ToInactive,
    /// Both (`GPIO_INT_EDGE_BOTH`).
    Both,
}

impl Edge {
    fn flags(self) -> u32 {
        match self {
            Edge::ToActive => raw::ATOMVM_HAL_GPIO_INT_EDGE_TO_ACTIVE,
            Edge::ToInactive => raw::ATOMVM_HAL_GPIO_INT_EDGE_TO_INACTIVE,
            Edge::Both => raw::ATOMVM_HAL_GPIO_INT_EDGE_BOTH,
        }
    }
}

/// An edge interrupt on one pin that calls `handler(arg)` in interrupt context.
///
/// Made for the first half of an ISR → queue → thread pipeline: the handler does a wait-free
/// push and gives a semaphore. The `struct gpio_callback` Zephyr links into the GPIO port's
/// list lives inside this value, which is meant to be a `static` ([`new`](Self::new) is
/// `const`; [`attach`](Self::attach) takes `&'static self`), so it never moves and nothing is
/// allocated.
///
/// ```ignore
/// static INT: Interrupt = Interrupt::new(on_int);
/// fn on_int(arg: usize) { /* interrupt context: wait-free only */ }
///
/// INT.attach(gpio_spec!(touch_int), 0)?;   // pin as input, callback added
/// INT.enable(Edge::ToActive)?;            // handler runs on each edge
/// INT.disable()?;                         // handler no longer runs
/// INT.detach()?;                          // callback removed; attach again later
/// ```
///
/// The handler only runs between [`enable`](Self::enable) and [`disable`](Self::disable):
/// some GPIO drivers (gpio-emul, for one) run a port's callbacks at other times too, such as
/// when a pin is configured, and an armed flag filters those out.
#[repr(C)]
pub struct Interrupt {
    // First field: the pointer Zephyr hands the callback is a pointer to the whole value.
    cb: UnsafeCell<raw::gpio_callback>,
    handler: fn(usize),
    arg: AtomicUsize,
    /// The attached pin (null: detached). Set by the one `attach` that wins the exchange.
    spec: AtomicPtr<raw::gpio_dt_spec>,
    armed: AtomicBool,
}

// SAFETY: `cb` is written only by the `attach` that claimed `spec` (before Zephyr links it)
// and afterwards only by Zephyr's GPIO driver; everything else is atomic.
unsafe impl Sync for Interrupt {}

unsafe extern "C" fn on_interrupt(
    _port: *const raw::device,
    cb: *mut raw::gpio_callback,
    _pins: raw::gpio_port_pins_t,
) {
    // SAFETY: `cb` is the first field of a repr(C) `Interrupt` that is 'static (`attach`
    // takes `&'static self`); only atomics and the immutable handler are read.
    let this = unsafe { &*(cb as *const Interrupt) };
    if this.armed.load(Ordering::Acquire) {
        (this.handler)(this.arg.load(Ordering::Relaxed));
    }
}

impl Interrupt {
    /// Detached; `handler` will run in interrupt context, so it must not block, allocate or
    /// take locks.
    pub const fn new(handler: fn(usize)) -> Self {
        Self {
            // SAFETY: an all-zero `struct gpio_callback` is the unlinked state;
            // `gpio_init_callback` fills it in `attach`.
            cb: UnsafeCell::new(unsafe { core::mem::zeroed() }),
            handler,
            arg: AtomicUsize::new(0),
            spec: AtomicPtr::new(core::ptr::null_mut()),
            armed: AtomicBool::new(false),
        }
    }

    /// Configures `spec`'s pin as an input (`gpio_pin_configure_dt(GPIO_INPUT)`) and adds the
    /// callback to its port (`gpio_add_callback_dt`), with no edge enabled yet; the handler
    /// will get `arg`. `-EBUSY` if attached already, `-ENODEV` if the port is not ready.
    pub fn attach(
        &'static self,
        spec: &'static raw::gpio_dt_spec,
        arg: usize,
    ) -> Result<(), Error> {
        let p = spec as *const raw::gpio_dt_spec as *mut raw::gpio_dt_spec;
        if self
            .spec
            .compare_exchange(
                core::ptr::null_mut(),
                p,
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_err()
        {
            return Err(Error(Errno::from(Code::EBUSY)));
        }
        let undo = |e| {
            self.spec.store(core::ptr::null_mut(), Ordering::Release);
            e
        };
        ready(spec).map_err(undo)?;
        self.armed.store(false, Ordering::Release);
        self.arg.store(arg, Ordering::Relaxed);
        // SAFETY: valid spec; the callback is not linked (we hold the attachment), so writing
        // it races with nobody, and it is 'static, so Zephyr may keep it.
        unsafe {
            check(raw::gpio_pin_configure_dt(
                spec,
                raw::ATOMVM_HAL_GPIO_INPUT as raw::gpio_flags_t,
            ))
            .map_err(undo)?;
            raw::gpio_init_callback(self.cb.get(), Some(on_interrupt), 1u32 << spec.pin);
            check(raw::gpio_add_callback_dt(spec, self.cb.get())).map_err(undo)?;
        }
        Ok(())
    }

    fn attached(&self) -> Result<&'static raw::gpio_dt_spec, Error> {
        let p = self.spec.load(Ordering::Acquire);
        // SAFETY: only `attach` stores a non-null pointer, from a `&'static` spec.
        unsafe { p.as_ref() }.ok_or(Error(Errno::from(Code::ENODEV)))
    }

    /// Arms the handler and enables `edge` interrupts
    /// (`gpio_pin_interrupt_configure_dt`). `-ENODEV` if detached; a driver that cannot do
    /// the edge (`-ENOTSUP`) leaves the handler disarmed.
    pub fn enable(&self, edge: Edge) -> Result<(), Error> {
        let spec = self.attached()?;
        self.armed.store(true, Ordering::Release);
        // SAFETY: valid spec.
        let r = check(unsafe {
            raw::gpio_pin_interrupt_configure_dt(spec, edge.flags() as raw::gpio_flags_t)
        });
        if r.is_err() {
            self.armed.store(false, Ordering::Release);
        }
        r.map(drop)
    }

    /// Disarms the handler (at once, also for an edge already being handled elsewhere) and
    /// disables the pin's interrupt. `-ENODEV` if detached.
    pub fn disable(&self) -> Result<(), Error> {
        self.armed.store(false, Ordering::Release);
        let spec = self.attached()?;
        // SAFETY: valid spec.
        check(unsafe {
            raw::gpio_pin_interrupt_configure_dt(
                spec,
                raw::ATOMVM_HAL_GPIO_INT_DISABLE as raw::gpio_flags_t,
            )
        })
        .map(drop)
    }

    /// Whether the handler runs on edges now.
    pub fn is_enabled(&self) -> bool {
        self.armed.load(Ordering::Acquire)
    }

    /// Disables the interrupt and removes the callback (`gpio_remove_callback_dt`); `attach`
    /// may be called again afterwards. A no-op when detached.
    pub fn detach(&self) -> Result<(), Error> {
        let Ok(spec) = self.attached() else {
            return Ok(());
        };
        let disabled = self.disable();
        // SAFETY: the callback was added to this spec's port by `attach`.
        let removed = check(unsafe { raw::gpio_remove_callback_dt(spec, self.cb.get()) });
        self.spec.store(core::ptr::null_mut(), Ordering::Release);
        disabled.and(removed.map(drop))
    }
}
