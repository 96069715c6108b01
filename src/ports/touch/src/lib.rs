// SPDX-License-Identifier: Apache-2.0

//! The AtomVM port `touch` (paradigm 2: interrupt → static queue → drain thread → event ring
//! → port), for FocalTech FT5x06-family touch controllers.
//!
//! The data path:
//!
//! ```text
//!  INT edge ─► ISR: on_data_ready ─► SpscQueue<DataReady, M> ─(k_sem_give)─►
//!  drain thread: drain_step ─► one I2C frame read ─► Tracker ─► EventRing<N> ─(wake)─►
//!  port: deliver ─► Batcher ─► {touch_events, [Event, ...]} to each of the Subscribers
//! ```
//!
//! * [`drain`]: the ISR side, [`DataReady`] items pushed wait-free, and [`drain_step`], which
//!   coalesces all pending items into one frame read in thread context;
//! * [`tracker`]: frames to down / move / up [`TouchEvent`]s, with lifts inferred for
//!   contacts that disappear and unchanged points suppressed;
//! * [`ring`]: the [`EventRing`] the port reads, over [`isr_queue::SpscQueue`], with counts
//!   of events pushed, dropped and delivered;
//! * [`subscribers`]: the [`Subscribers`] set, the [`Batcher`] policy and [`deliver`];
//! * [`event`]: [`TouchEvent`] and its Erlang terms ([`Format::Seed`]
//!   `{touch, X, Y, Pressure, Timestamp}` or [`Format::Full`]
//!   `{touch, Id, Kind, X, Y, Pressure, Timestamp}`).
//!
//! All of it is plain `no_std` Rust without allocation, tested on the host. The feature `vm`
//! adds the port itself, [`DRIVER`] (`port.rs` with `touch_glue.c`: devicetree device,
//! interrupt hookup, drain thread, commands; see `erlang/touch.erl`).

#![no_std]
#![cfg_attr(not(feature = "vm"), forbid(unsafe_code))]
#![warn(missing_docs)]

pub mod drain;
pub mod event;
pub mod input;
pub mod ring;
pub mod subscribers;
pub mod tracker;

#[cfg(feature = "vm")]
mod port;
#[cfg(feature = "vm")]
pub use port::DRIVER;

pub use drain::{drain_step, on_data_ready, DataReady, DrainCounts, DrainError};
pub use event::{Batch, Format, Formatted, Kind, Tagged, TouchEvent};
pub use ring::{EventRing, RingReader, RingStats, RingWriter};
pub use subscribers::{
    deliver, Batcher, Delivery, Full, Subscribed, Subscribers, DEFAULT_MAX_BATCH,
    DEFAULT_MAX_SUBSCRIBERS,
};
pub use tracker::{FrameEvents, Tracker, MAX_CONTACTS, MAX_EVENTS_PER_FRAME};

/// A queue depth from a Kconfig option that the build passes as an environment variable
/// (`option_env!`), else `default`. Fails the build on anything but decimal digits.
pub const fn config_depth(value: Option<&str>, default: usize) -> usize {
    let Some(s) = value else {
        return default;
    };
    let b = s.as_bytes();
    assert!(!b.is_empty(), "empty queue depth");
    let mut n = 0usize;
    let mut i = 0;
    while i < b.len() {
        assert!(
            b[i].is_ascii_digit(),
            "queue depth must be a decimal number"
        );
        n = n * 10 + (b[i] - b'0') as usize;
        i += 1;
    }
    n
}

/// A filler for event buffers.
pub const EMPTY_EVENT: TouchEvent = TouchEvent {
    timestamp_us: 0,
    x: 0,
    y: 0,
    pressure: 0,
    kind: Kind::Up,
    id: 0,
};
