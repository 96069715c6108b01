// SPDX-License-Identifier: Apache-2.0

//! The AtomVM port `audio` (paradigm 3: port-managed state released by `Drop`): PCM from
//! Erlang binaries into I2S blocks, volume on the codec or in software.
//!
//! ```text
//!  VM thread: {play_buffer, Bin} ─► fill (the one copy, software volume) ─► i2s_write
//!  driver ─► block played ─► k_mem_slab_free ─► reclaim thread (k_mem_slab_alloc) ─►
//!  the port's returned set ─(doorbell)─► VM thread: Engine::reclaim ─► waiting replies,
//!  {audio, Port, underrun | drained}
//! ```
//!
//! * [`format`]: the stream format and the open options' checks;
//! * [`fill`]: Erlang binary → block, with software volume for 16, 24 and 32-bit samples;
//! * [`engine`]: the request FIFO, the stream state machine and the counts, over the
//!   [`I2sTx`] and [`Codec`] traits.
//!
//! All of it is plain `no_std` Rust, tested on the host against fakes of the traits. The
//! feature `vm` adds the port itself, `DRIVER` (`port.rs`, on the `zephyr` crate and
//! zephyr-hal's raw I2S and audio codec bindings, with the devicetree table of
//! `audio_glue.c`; see `audio.erl`).

#![no_std]
#![cfg_attr(not(feature = "vm"), forbid(unsafe_code))]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod engine;
pub mod fill;
pub mod format;

#[cfg(test)]
mod fake;
#[cfg(test)]
mod tests;

#[cfg(feature = "vm")]
mod port;
#[cfg(feature = "vm")]
pub use port::{block_counts, DRIVER};

pub use engine::{
    Block, Codec, DevError, Engine, Event, Host, I2sTx, Pending, Played, State, Stats, Trigger,
};
pub use format::{Bits, Format, Limits, Requested, Settings};
