// SPDX-License-Identifier: Apache-2.0

//! embedded-hal 1.0 and embedded-hal-async over Zephyr's I2C, SPI, GPIO and kernel timing.
//!
//! Any driver written against `embedded-hal` runs unchanged on Zephyr with these adapters.
//! Devices come from devicetree: a C file of the application defines one spec per device with
//! the macros of `<atomvm_ports/hal.h>`, and Rust takes it with [`i2c_spec!`], [`spi_spec!`] or
//! [`gpio_spec!`]:
//!
//! ```c
//! #include <atomvm_ports/hal.h>
//! ATOMVM_HAL_I2C_SPEC(sensor_i2c, DT_NODELABEL(sensor));
//! ATOMVM_HAL_GPIO_SPEC(sensor_irq, DT_NODELABEL(sensor), int_gpios);
//! ```
//!
//! ```ignore
//! let spec = zephyr_hal::i2c_spec!(sensor_i2c);
//! let i2c = zephyr_hal::i2c::I2c::new(spec)?;
//! let sensor = SomeDriver::new(i2c, spec.addr as u8);
//! ```
//!
//! The application enables `CONFIG_ATOMVM_PORTS_HAL=y` (and `CONFIG_I2C`/`CONFIG_SPI`/
//! `CONFIG_GPIO` for the modules it uses). The bindings are generated in the application's build
//! ([`raw`]), and the C wrappers of Zephyr's static inline functions are compiled into the image
//! by the module's CMake.
//!
//! # Trait methods and the Zephyr calls behind them
//!
//! | trait | method | Zephyr |
//! |---|---|---|
//! | `i2c::I2c` (7-bit and 10-bit) | `read`, `write`, `write_read`, `transaction` | one `i2c_transfer()`; `I2C_MSG_RESTART` on a direction change, `I2C_MSG_STOP` on the last message, `I2C_MSG_ADDR_10_BITS` for 10-bit ([`i2c`]) |
//! | `embedded_hal_async::i2c::I2c` | same | `i2c_transfer_cb()` with `CONFIG_I2C_CALLBACK` (completes from the driver's callback); otherwise, or if the driver lacks it, `i2c_transfer()` in the first poll |
//! | `spi::SpiDevice<W>` (`W` = `u8`, `u16`, `u32`) | `transaction` (and the provided `read`, `write`, `transfer`, `transfer_in_place`) | `spi_transceive()` over `spi_buf_set`s, one per transaction without delays; `SPI_HOLD_ON_CS`/`SPI_LOCK_ON` + `spi_release()` around `DelayNs` ([`spi`]) |
//! | `embedded_hal_async::spi::SpiDevice<W>` | `transaction` | `spi_transceive_cb()` per segment with `CONFIG_SPI_ASYNC` and a driver that has `transceive_async`, delays as async timers; otherwise the blocking path in the first poll |
//! | `spi::SpiBus<W>` | `read`, `write`, `transfer`, `transfer_in_place` | one `spi_transceive()` each |
//! | `spi::SpiBus<W>` | `flush` | nothing (transfers are synchronous) |
//! | `embedded_hal_async::spi::SpiBus<W>` | `read`, `write`, `transfer`, `transfer_in_place` | one `spi_transceive_cb()` each with `CONFIG_SPI_ASYNC` and a driver that has `transceive_async`; otherwise one `spi_transceive()` in the first poll |
//! | `embedded_hal_async::spi::SpiBus<W>` | `flush` | nothing (each call has completed when its future is ready) |
//! | `digital::InputPin` | `is_high`, `is_low` | `gpio_pin_get_dt()` (logical level) |
//! | `digital::OutputPin` | `set_high`, `set_low` | `gpio_pin_set_dt()` |
//! | `digital::StatefulOutputPin` | `is_set_high`, `is_set_low` | the last level written (no Zephyr call) |
//! | `digital::StatefulOutputPin` | `toggle` | `gpio_pin_set_dt()` with the opposite level |
//! | `embedded_hal_async::digital::Wait` | `wait_for_rising_edge`, `wait_for_falling_edge`, `wait_for_any_edge` | `gpio_add_callback_dt()` (once), `gpio_pin_interrupt_configure_dt(GPIO_INT_EDGE_TO_ACTIVE / _TO_INACTIVE / _BOTH)`, disabled when the wait ends |
//! | `embedded_hal_async::digital::Wait` | `wait_for_high`, `wait_for_low` | as above with `GPIO_INT_EDGE_BOTH`, plus `gpio_pin_get_dt()` |
//! | [`gpio::Interrupt`] (no trait: an ISR hook) | `attach`, `enable`, `disable`, `detach` | `gpio_pin_configure_dt(GPIO_INPUT)` + `gpio_init_callback()` + `gpio_add_callback_dt()`; `gpio_pin_interrupt_configure_dt(GPIO_INT_EDGE_*)` / `(GPIO_INT_DISABLE)`; `gpio_remove_callback_dt()`. The callback calls a plain `fn(usize)` in interrupt context |
//! | `delay::DelayNs` | `delay_ns`, `delay_us`, `delay_ms` | `k_busy_wait()` below one tick, `k_usleep()` otherwise |
//! | `embedded_hal_async::delay::DelayNs` | `delay_ns`, `delay_us`, `delay_ms` | `k_busy_wait()` below one tick, a `k_timer` otherwise |
//!
//! Constructors check `device_is_ready()` / `spi_is_ready_dt()` and configure pins with
//! `gpio_pin_configure_dt()`. SPI devices can also be built at run time from a bus device and a
//! [`spi::Config`] (frequency, mode, bit order, word size, hardware or GPIO chip select): take
//! the bus with `ATOMVM_HAL_DEVICE(sym, node_id)` in C and [`device!`] in Rust, or with its
//! `cs-gpios` as a [`spi::Controller`] (`ATOMVM_HAL_SPI_BUS(sym, node_id)`, [`spi_bus!`]). The SPI word
//! types and the frame sizes they stand for are in [`spi`].
//!
//! # Errors
//!
//! Every failing Zephyr call becomes an error carrying its negative errno ([`Errno`]);
//! nothing panics on a bus error. The mapping to embedded-hal's `ErrorKind` is documented on
//! [`i2c::Error`], [`spi::Error`] and [`gpio::Error`]. Allocation happens only for an I2C
//! transaction of more than [`i2c::MAX_STACK_MSGS`] operations (a failure is `-ENOMEM`) and
//! once per [`gpio::Input`] that waits (its interrupt callback).

#![no_std]
#![deny(missing_docs)]

pub mod raw;

mod error;
pub use error::{Code, Errno};

#[cfg(any(zephyr_i2c_callback, zephyr_spi_async))]
mod completion;
pub mod delay;
pub mod executor;

#[cfg(zephyr_gpio)]
pub mod gpio;
#[cfg(zephyr_i2c)]
pub mod i2c;
#[cfg(zephyr_spi)]
pub mod spi;

pub use delay::Delay;
pub use executor::block_on;

/// The `struct i2c_dt_spec` a C file defined with `ATOMVM_HAL_I2C_SPEC(name, node)`.
#[macro_export]
macro_rules! i2c_spec {
    ($name:ident) => {{
        unsafe extern "C" {
            static $name: $crate::raw::i2c_dt_spec;
        }
        // SAFETY: an immutable spec defined in C for the program's lifetime.
        unsafe { &*::core::ptr::addr_of!($name) }
    }};
}

/// The `struct spi_dt_spec` a C file defined with `ATOMVM_HAL_SPI_SPEC(name, node, operation)`.
#[macro_export]
macro_rules! spi_spec {
    ($name:ident) => {{
        unsafe extern "C" {
            static $name: $crate::raw::spi_dt_spec;
        }
        // SAFETY: an immutable spec defined in C for the program's lifetime.
        unsafe { &*::core::ptr::addr_of!($name) }
    }};
}

/// The `const struct device *` a C file defined with `ATOMVM_HAL_DEVICE(name, node)`, as a
/// `&'static raw::device`.
#[macro_export]
macro_rules! device {
    ($name:ident) => {{
        unsafe extern "C" {
            static $name: *const $crate::raw::device;
        }
        // SAFETY: an immutable pointer defined in C to a static device (DEVICE_DT_GET is never
        // NULL).
        unsafe { &*$name }
    }};
}

/// The [`spi::Controller`] a C file defined with `ATOMVM_HAL_SPI_BUS(name, node)`: the bus
/// device and its `cs-gpios`.
#[macro_export]
macro_rules! spi_bus {
    ($name:ident) => {{
        unsafe extern "C" {
            static $name: $crate::raw::atomvm_hal_spi_bus;
        }
        // SAFETY: an immutable spec defined in C for the program's lifetime.
        $crate::spi::Controller::new(unsafe { &*::core::ptr::addr_of!($name) })
    }};
}

/// The `struct gpio_dt_spec` a C file defined with `ATOMVM_HAL_GPIO_SPEC(name, node, prop)`.
#[macro_export]
macro_rules! gpio_spec {
    ($name:ident) => {{
        unsafe extern "C" {
            static $name: $crate::raw::gpio_dt_spec;
        }
        // SAFETY: an immutable spec defined in C for the program's lifetime.
        unsafe { &*::core::ptr::addr_of!($name) }
    }};
}
