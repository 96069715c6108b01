// SPDX-License-Identifier: Apache-2.0

//! The interrupt side and the drain thread, as pure data and functions.
//!
//! # Why the ISR stays wait-free
//!
//! The controller's INT line only says "new data"; the data itself is behind I2C, which
//! blocks (a bus transfer, possibly a mutex shared with other devices on the bus) and must
//! not run in an ISR. So the ISR does exactly two things, [`on_data_ready`]:
//!
//! 1. push one [`DataReady`] (a timestamp, 8 bytes) into a static
//!    [`SpscQueue`]: a claim (one compare-and-swap that cannot be
//!    contended by another producer, since one INT line is one ISR), a few loads and stores,
//!    no loop, no lock. A full queue drops the item and counts it; nothing waits;
//! 2. if the push succeeded, one [`Notify::notify`], on Zephyr a `k_sem_give` on a semaphore
//!    of limit 1, which is ISR-safe and bounded.
//!
//! Everything that can block or take long runs in the drain thread, [`drain_step`]: the I2C
//! read, the contact tracking and the ring writes. Dropped `DataReady` items lose nothing but
//! a timestamp: the next read returns the current state anyway.

use ft5x06::Frame;
use isr_queue::{Consumer, Notify, SpscQueue};

use crate::ring::RingWriter;
use crate::tracker::Tracker;

/// "The controller has new data", pushed by the INT ISR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DataReady {
    /// When the interrupt fired, in microseconds of uptime.
    pub timestamp_us: u64,
}

/// The body of the INT interrupt handler: records `timestamp_us` in `queue` and, if it was
/// queued, wakes the drain thread with `wake`. Returns whether the item was queued (`false`:
/// the queue was full, or another producer held it, which one ISR per queue excludes).
///
/// Wait-free; see the [module documentation](self).
#[inline]
pub fn on_data_ready<const M: usize>(
    queue: &SpscQueue<DataReady, M>,
    timestamp_us: u64,
    wake: &impl Notify,
) -> bool {
    match queue.claim_producer() {
        Some(mut tx) => tx.push_notify(DataReady { timestamp_us }, wake).is_ok(),
        None => false,
    }
}

/// What one [`drain_step`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DrainCounts {
    /// `DataReady` items taken from the queue (coalesced into at most one read).
    pub ready: usize,
    /// Frames read: 1 if any item was pending, else 0 (a spurious wakeup).
    pub reads: usize,
    /// Events the tracker produced.
    pub events: usize,
    /// Of those, events the full ring dropped.
    pub dropped: usize,
}

/// The frame read failed; the pending `DataReady` items were consumed (`ready` of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrainError<E> {
    /// The error of the read.
    pub error: E,
    /// The `DataReady` items the failed read stood for.
    pub ready: usize,
}

/// One iteration of the drain thread, run after each wakeup:
///
/// 1. takes every pending [`DataReady`] in one `drain_into` (the queue holds at most `M`, so
///    a buffer of `M` takes them all);
/// 2. if there were any, reads **one** frame with `read_frame` (the I2C burst, in thread
///    context). Several INT edges before the thread ran are coalesced: the registers hold the
///    current state only, so one read sees everything a read per edge would have ended with.
///    The newest timestamp is used, the edge closest to the state read;
/// 3. feeds the frame to `tracker` and pushes its events into `ring`;
/// 4. calls `wake_port` once if any event was queued (not once per event).
///
/// An empty queue (a spurious wakeup) reads nothing. If the read fails the items are still
/// consumed and the tracker is unchanged; the next interrupt reads again.
pub fn drain_step<E, const M: usize, const N: usize>(
    ready: &mut Consumer<'_, DataReady, M>,
    read_frame: impl FnOnce() -> Result<Frame, E>,
    tracker: &mut Tracker,
    ring: &mut RingWriter<'_, N>,
    wake_port: &impl Notify,
) -> Result<DrainCounts, DrainError<E>> {
    let mut pending = [DataReady::default(); M];
    let n = ready.drain_into(&mut pending);
    let mut counts = DrainCounts {
        ready: n,
        ..DrainCounts::default()
    };
    let Some(last) = pending.get(..n).and_then(<[DataReady]>::last) else {
        return Ok(counts);
    };
    let frame = read_frame().map_err(|error| DrainError { error, ready: n })?;
    counts.reads = 1;
    tracker.update_with(&frame, last.timestamp_us, |e| {
        counts.events += 1;
        if !ring.push(e) {
            counts.dropped += 1;
        }
    });
    if counts.events > counts.dropped {
        wake_port.notify();
    }
    Ok(counts)
}
