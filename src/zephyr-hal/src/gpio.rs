// SPDX-License-Identifier: Apache-2.0

//! `embedded_hal::digital` pins and `embedded_hal_async::digital::Wait` over `gpio_dt_spec`.
//!
//! Levels are *logical*: "high" means active as devicetree describes the pin (an
//! `GPIO_ACTIVE_LOW` pin reads high when the line is low), so rising/falling edges are
//! to-active/to-inactive edges. This is what `gpio_pin_get_dt`/`gpio_pin_set_dt` do.

extern crate alloc;

use alloc::boxed::Box;
use core::cell::UnsafeCell;
use core::future::poll_fn;
use core::sync::atomic::{AtomicU32, Ordering};
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
