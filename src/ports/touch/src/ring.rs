// SPDX-License-Identifier: Apache-2.0

//! The event ring between the drain thread and the port: a thin layer over
//! [`isr_queue::SpscQueue`] that adds the count of events the port read.

use core::sync::atomic::{
    AtomicU32,
    Ordering::{Acquire, Relaxed, Release},
};

use isr_queue::{Consumer, Producer, SpscQueue};

use crate::event::TouchEvent;

/// The ring of [`TouchEvent`]s the port reads, holding up to `N` (a power of two). Usable as
/// a `static`. The drain thread is its only writer ([`EventRing::writer`]) and the port its
/// only reader ([`EventRing::reader`]); when the port falls behind, new events are dropped
/// and counted, the oldest are kept.
pub struct EventRing<const N: usize> {
    queue: SpscQueue<TouchEvent, N>,
    /// Events the reader took since the last reset (single writer: the reader; wraps).
    delivered: AtomicU32,
    /// Events ever accepted (single writer: the writer; wraps, never reset).
    written: AtomicU32,
    /// Events ever taken, read or skipped (single writer: the reader; wraps, never reset).
    taken: AtomicU32,
}

/// A snapshot of an [`EventRing`]'s counters, see [`EventRing::stats`].
///
/// Counters are `u32` and wrap. Since creation or a reset done while the ring was empty, and
/// while nothing is pushed or read, `pushed == delivered + dropped + len`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RingStats {
    /// Events offered to the ring, accepted or dropped.
    pub pushed: u32,
    /// Events dropped because the ring was full.
    pub dropped: u32,
    /// The most events the ring has held at once (at most `N`).
    pub high_water: u32,
    /// Events the port read.
    pub delivered: u32,
    /// Events in the ring now.
    pub len: u32,
}

impl<const N: usize> EventRing<N> {
    /// An empty ring; usable in a `static` initialiser.
    pub const fn new() -> Self {
        Self {
            queue: SpscQueue::new(),
            delivered: AtomicU32::new(0),
            written: AtomicU32::new(0),
            taken: AtomicU32::new(0),
        }
    }

    /// `N`.
    pub const fn capacity(&self) -> usize {
        N
    }

    /// The number of events waiting; a snapshot.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether no event waits; a snapshot.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Claims the writing side, or `None` while another [`RingWriter`] exists.
    pub fn writer(&self) -> Option<RingWriter<'_, N>> {
        self.queue.claim_producer().map(|tx| RingWriter {
            tx,
            written: &self.written,
        })
    }

    /// Claims the reading side, or `None` while another [`RingReader`] exists.
    pub fn reader(&self) -> Option<RingReader<'_, N>> {
        self.queue.claim_consumer().map(|rx| RingReader {
            rx,
            delivered: &self.delivered,
            taken: &self.taken,
        })
    }

    /// The counters; callable from any context. Fields are read one after the other, so a
    /// snapshot taken during a push or read can mix values from before and after it.
    pub fn stats(&self) -> RingStats {
        let delivered = self.delivered.load(Relaxed);
        let q = self.queue.stats();
        RingStats {
            pushed: q.pushed,
            dropped: q.dropped,
            high_water: q.high_water,
            delivered,
            len: q.len,
        }
    }

    /// Restarts the counters (`high_water` from the current length). Exact only while nothing
    /// is pushed or read; `delivered` is written here too, so call it from the reader's thread.
    pub fn reset_stats(&self) {
        self.reset_pushed();
        self.reset_delivered();
    }

    /// Restarts `pushed`, `dropped` and `high_water`: the writer's side of
    /// [`reset_stats`](Self::reset_stats), for the writer's thread.
    pub fn reset_pushed(&self) {
        self.queue.reset_stats();
    }

    /// Restarts `delivered`: the reader's side of [`reset_stats`](Self::reset_stats), for the
    /// reader's thread.
    pub fn reset_delivered(&self) {
        self.delivered.store(0, Relaxed);
    }

    /// The events ever accepted (wrapping): a position in the stream of events, for
    /// [`RingReader::skip_to`]. Exact on the writer's thread.
    pub fn written(&self) -> u32 {
        self.written.load(Acquire)
    }
}

impl<const N: usize> Default for EventRing<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> core::fmt::Debug for EventRing<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EventRing")
            .field("capacity", &N)
            .field("stats", &self.stats())
            .finish()
    }
}

/// The writing side of an [`EventRing`] (the drain thread).
#[derive(Debug)]
pub struct RingWriter<'r, const N: usize> {
    tx: Producer<'r, TouchEvent, N>,
    written: &'r AtomicU32,
}

impl<const N: usize> RingWriter<'_, N> {
    /// Appends `event`; `false` if the ring was full (the event is dropped and counted).
    /// Wait-free.
    pub fn push(&mut self, event: TouchEvent) -> bool {
        let ok = self.tx.push(event).is_ok();
        if ok {
            // Single writer (this writer), so no read-modify-write is needed.
            let n = self.written.load(Relaxed).wrapping_add(1);
            self.written.store(n, Release);
        }
        ok
    }
}

/// The reading side of an [`EventRing`] (the port).
#[derive(Debug)]
pub struct RingReader<'r, const N: usize> {
    rx: Consumer<'r, TouchEvent, N>,
    delivered: &'r AtomicU32,
    taken: &'r AtomicU32,
}

impl<const N: usize> RingReader<'_, N> {
    /// Moves up to `out.len()` of the oldest events into the front of `out`, returning how
    /// many (one `drain_into`, one index store).
    pub fn read_into(&mut self, out: &mut [TouchEvent]) -> usize {
        let n = self.rx.drain_into(out);
        if n > 0 {
            // Single writer (this reader), so no read-modify-write is needed.
            let total = self.delivered.load(Relaxed).wrapping_add(n as u32);
            self.delivered.store(total, Relaxed);
            self.count_taken(n);
        }
        n
    }

    fn count_taken(&mut self, n: usize) {
        let t = self.taken.load(Relaxed).wrapping_add(n as u32);
        self.taken.store(t, Relaxed);
    }

    /// Throws away, uncounted, the events before position `fence` (an
    /// [`EventRing::written`] taken earlier): what was written before it, and is still here,
    /// belongs to an earlier reader. Returns how many.
    pub fn skip_to(&mut self, fence: u32) -> usize {
        let mut skipped = 0;
        let mut buf = [crate::EMPTY_EVENT; 8];
        loop {
            let behind = fence.wrapping_sub(self.taken.load(Relaxed));
            // More than half the counter's range ahead: the fence is behind us.
            if behind == 0 || behind > u32::MAX / 2 {
                return skipped;
            }
            let want = (behind as usize).min(buf.len());
            let n = self.rx.drain_into(&mut buf[..want]);
            if n == 0 {
                return skipped;
            }
            self.count_taken(n);
            skipped += n;
        }
    }

    /// Up to `max` (at most `M`) of the oldest events.
    pub fn read_events<const M: usize>(&mut self, max: usize) -> heapless::Vec<TouchEvent, M> {
        let mut buf = [crate::EMPTY_EVENT; M];
        let n = self.read_into(&mut buf[..max.min(M)]);
        let mut out = heapless::Vec::new();
        // Cannot fail: n <= M.
        let _ = out.extend_from_slice(&buf[..n]);
        out
    }

    /// The number of events waiting: exact, or understated by concurrent pushes.
    pub fn len(&self) -> usize {
        self.rx.len()
    }

    /// Whether no event waits.
    pub fn is_empty(&self) -> bool {
        self.rx.is_empty()
    }
}
