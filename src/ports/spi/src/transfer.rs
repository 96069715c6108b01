// SPDX-License-Identifier: Apache-2.0

//! One transfer on the bus: the trait the port maps onto zephyr-hal's SPI adapters (and the
//! host tests onto a fake device), and the synchronous path of `read_at`, `write_at`,
//! `write/3` and `write_read/3`.

use alloc::vec;
use alloc::vec::Vec;

use atomvm_port::Error;

use crate::config::DeviceConfig;
use crate::txn::{Dir, Plan};

/// A driver's error: a negative errno (Zephyr's `spi_transceive` return).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DevError(pub i32);

// Zephyr's errno values (newlib's and picolibc's, as zephyr-hal sees them).
const EIO: i32 = 5;
const EBUSY: i32 = 16;
const EINVAL: i32 = 22;
const ENOSYS: i32 = 88;
const ENOTSUP: i32 = 134;
const ETIMEDOUT: i32 = 116;
const ECANCELED: i32 = 140;

impl From<DevError> for Error {
    /// `io` for an I/O error and any errno not listed, `timeout`, `not_supported` (the
    /// controller refused the configuration: a mode, word size or frequency it cannot do),
    /// `{badarg, config}` (the driver refused the configuration as invalid), `busy` (the bus
    /// is locked by another owner), `cancelled`.
    fn from(e: DevError) -> Error {
        match -e.0 {
            ETIMEDOUT => Error::new("timeout"),
            ENOTSUP | ENOSYS => Error::NOT_SUPPORTED,
            EINVAL => Error::with("badarg", "config"),
            EBUSY => Error::BUSY,
            ECANCELED => Error::new("cancelled"),
            EIO => Error::IO,
            _ => Error::IO,
        }
    }
}

/// Transfers on one bus, with the device's configuration (clock, mode, bit order, word size,
/// chip select) applied for the transfer, the chip select held for all of it.
pub trait Transfer {
    /// Clocks out `tx` (whole words of `dev.word_size()`, in the stream's order: a 16 or 32-bit
    /// word is its bytes big-endian) and, with `rx` (as long as `tx`), keeps what comes in.
    fn transfer(
        &mut self,
        dev: &DeviceConfig,
        tx: &[u8],
        rx: Option<&mut [u8]>,
    ) -> Result<(), DevError>;
}

/// Runs `plan` synchronously: the received bytes (`wire_len()` of them; none for a write).
pub fn run<T: Transfer + ?Sized>(
    bus: &mut T,
    dev: &DeviceConfig,
    plan: &Plan,
) -> Result<Vec<u8>, DevError> {
    match plan.dir() {
        Dir::Write => {
            bus.transfer(dev, plan.tx(), None)?;
            Ok(Vec::new())
        }
        Dir::WriteRead => {
            let mut rx = vec![0u8; plan.wire_len()];
            bus.transfer(dev, plan.tx(), Some(&mut rx))?;
            Ok(rx)
        }
    }
}
