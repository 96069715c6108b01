// SPDX-License-Identifier: Apache-2.0

//! The AtomVM port `spi`: AtomVM's `spi` API (`spi.erl`, the `spi_hal` behaviour) over
//! Zephyr's SPI, with all three kinds of port data:
//!
//! 1. a configuration per device that Erlang reads and changes (`get_config`, `set_config`):
//!    [`config`];
//! 2. asynchronous transfers completed from the driver's callback through a static
//!    wait-free queue, delivered in submission order: [`inflight`];
//! 3. state the port owns (bus, devices, ids, transfers in flight) and frees on `Drop`.
//!
//! ```text
//!  Erlang map / read_at / write_at ─► txn::Plan (prefix + data bits, whole words)
//!  ─► Transfer (zephyr-hal SpiDevice/SpiBus, or a fake) ─► Plan::answer / answer_int
//!  async: InFlight::submit (busy past depth) ─► driver callback: push (id, result) ─►
//!  doorbell ─► VM thread: complete, pop_ready in order ─► {spi_done, Ref, Result}
//! ```
//!
//! All of it is plain `no_std` Rust, tested on the host against a fake device
//! (`cargo test -p atomvm-spi-port`). The feature `vm` adds the port itself.

#![no_std]
#![cfg_attr(not(feature = "vm"), forbid(unsafe_code))]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod config;
pub mod decode;
pub mod devices;
pub mod inflight;
pub mod transfer;
pub mod txn;

#[cfg(test)]
mod decode_tests;
#[cfg(test)]
mod fake;
#[cfg(test)]
mod tests;

#[cfg(feature = "vm")]
mod port;
#[cfg(feature = "vm")]
pub use port::{config_counts, transfer_counts, unstarted_count, DRIVER};

pub use config::{BitOrder, BusLimits, ConfigError, DeviceConfig, Invalid, Key, Raw, Shown};
pub use inflight::{Cancelled, Counts, Done, InFlight, Refused, Stray, TxnId};
pub use transfer::{run, DevError, Transfer};
pub use txn::{be_to_words, words_to_be, Dir, Plan, Transaction, Word, TOO_LARGE};
