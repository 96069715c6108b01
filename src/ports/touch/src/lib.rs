// SPDX-License-Identifier: Apache-2.0

//! The AtomVM port `touch` (paradigm 2: interrupt → static queue → drain thread → event ring
//! → port), for FocalTech FT5x06-family touch controllers.
//!
//! The data path:
//!
//! ```text
//!  INT edge ─► ISR: on_data_ready ─► SpscQueue<DataReady, M> ─(k_sem_give)─►
//!  drain thread: drain_step ─► one I2C frame read ─► Tracker ─► EventRing<N> ─(wake)─►
//!  port: the stream (atomvm-port) ─► {touch_events, [Event, ...]} batches to the subscribers
//! ```
//!
//! * [`drain`]: the ISR side, [`DataReady`] items pushed wait-free, and [`drain_step`], which
//!   coalesces all pending items into one frame read in thread context;
//! * [`tracker`]: frames to down / move / up [`TouchEvent`]s, with lifts inferred for
//!   contacts that disappear and unchanged points suppressed;
//! * [`ring`]: the [`EventRing`] the port reads, over [`isr_queue::SpscQueue`], with counts
//!   of events pushed, dropped and delivered;
//! * [`event`]: [`TouchEvent`] and its Erlang terms ([`Format::Seed`]
//!   `{touch, X, Y, Pressure, Timestamp}` or [`Format::Full`]
//!   `{touch, Id, Kind, X, Y, Pressure, Timestamp}`).
//!
//! All of it is plain `no_std` Rust without allocation, tested on the host. The feature `vm`
//! adds the port itself, `DRIVER` (`port.rs`, on the `zephyr` crate and zephyr-hal, with the
//! devicetree table of `touch_glue.c`; see `touch.erl`).

#![no_std]
#![cfg_attr(not(feature = "vm"), forbid(unsafe_code))]
#![warn(missing_docs)]

pub mod drain;
pub mod event;
pub mod input;
pub mod ring;
pub mod tracker;

#[cfg(feature = "vm")]
mod port;
#[cfg(feature = "vm")]
pub use port::{monitor_counts, DRIVER};

pub use drain::{drain_step, on_data_ready, DataReady, DrainCounts, DrainError};
pub use event::{Batch, Format, Formatted, Kind, Tagged, TouchEvent};
pub use ring::{EventRing, RingReader, RingStats, RingWriter};
pub use tracker::{FrameEvents, Tracker, MAX_CONTACTS, MAX_EVENTS_PER_FRAME};

/// A filler for event buffers.
pub const EMPTY_EVENT: TouchEvent = TouchEvent {
    timestamp_us: 0,
    x: 0,
    y: 0,
    pressure: 0,
    kind: Kind::Up,
    id: 0,
};
