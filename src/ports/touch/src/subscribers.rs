// SPDX-License-Identifier: Apache-2.0

//! Who receives the events, and in batches of what size.

use heapless::Vec;

use crate::event::{Batch, Format, TouchEvent};
use crate::ring::RingReader;

/// The default number of subscribers a port keeps.
pub const DEFAULT_MAX_SUBSCRIBERS: usize = 4;

/// The default largest number of events in one `{touch_events, [...]}` message (a Kconfig
/// option once the port exists).
pub const DEFAULT_MAX_BATCH: usize = 16;

/// What [`Subscribers::subscribe`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscribed {
    /// The subscriber was added.
    Added,
    /// It was subscribed already; nothing changed (a subscriber gets each event once).
    Already,
}

/// [`Subscribers::subscribe`] failed: all slots are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

impl From<Full> for atomvm_port::Error {
    /// `{error, {too_many, subscribers}}`: says what ran out.
    fn from(_: Full) -> Self {
        atomvm_port::Error::with("too_many", "subscribers")
    }
}

/// A set of up to `N` subscribers (the VM's pids), in subscription order. Fixed capacity, no
/// allocation.
#[derive(Debug, Clone)]
pub struct Subscribers<P: Copy + Eq, const N: usize = DEFAULT_MAX_SUBSCRIBERS> {
    set: Vec<P, N>,
}

impl<P: Copy + Eq, const N: usize> Subscribers<P, N> {
    /// No subscribers.
    pub const fn new() -> Self {
        Self { set: Vec::new() }
    }

    /// Adds `p`, unless it is subscribed already.
    pub fn subscribe(&mut self, p: P) -> Result<Subscribed, Full> {
        if self.contains(p) {
            return Ok(Subscribed::Already);
        }
        self.set.push(p).map_err(|_| Full)?;
        Ok(Subscribed::Added)
    }

    /// Removes `p`; `false` if it was not subscribed.
    pub fn unsubscribe(&mut self, p: P) -> bool {
        match self.set.iter().position(|&q| q == p) {
            Some(i) => {
                self.set.remove(i);
                true
            }
            None => false,
        }
    }

    /// Removes every subscriber for which `alive` is `false` (e.g. a process that exited),
    /// returning how many.
    pub fn remove_dead(&mut self, mut alive: impl FnMut(P) -> bool) -> usize {
        let before = self.set.len();
        self.set.retain(|&p| alive(p));
        before - self.set.len()
    }

    /// Whether `p` is subscribed.
    pub fn contains(&self, p: P) -> bool {
        self.set.contains(&p)
    }

    /// The subscribers, oldest first.
    pub fn iter(&self) -> core::iter::Copied<core::slice::Iter<'_, P>> {
        self.set.iter().copied()
    }

    /// The number of subscribers.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// Whether no one is subscribed.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// Whether all `N` slots are taken.
    pub fn is_full(&self) -> bool {
        self.set.is_full()
    }
}

impl<P: Copy + Eq, const N: usize> Default for Subscribers<P, N> {
    fn default() -> Self {
        Self::new()
    }
}

/// The batching policy: events go out in `{touch_events, [Event, ...]}` messages of at most
/// `max` events each, so one burst neither floods a mailbox with single-event messages nor
/// needs an unbounded term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batcher {
    max: usize,
}

impl Batcher {
    /// Batches of at most `max` events; 0 counts as 1.
    pub const fn new(max: usize) -> Self {
        Self {
            max: if max == 0 { 1 } else { max },
        }
    }

    /// The largest batch.
    pub const fn max(&self) -> usize {
        self.max
    }

    /// The size of the next batch when `available` events wait: `min(available, max)`.
    pub const fn next_len(&self, available: usize) -> usize {
        if available < self.max {
            available
        } else {
            self.max
        }
    }

    /// The number of messages `available` events take: `ceil(available / max)`.
    pub const fn count(&self, available: usize) -> usize {
        available.div_ceil(self.max)
    }

    /// Splits `events` into batches, oldest first; every batch but the last has `max` events.
    pub fn batches<'a>(&self, events: &'a [TouchEvent]) -> core::slice::Chunks<'a, TouchEvent> {
        events.chunks(self.max)
    }
}

impl Default for Batcher {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_BATCH)
    }
}

/// What one [`deliver`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Delivery {
    /// Events read from the ring.
    pub events: usize,
    /// Messages sent (batches times subscribers).
    pub messages: usize,
    /// Events read while no one was subscribed, so nobody got them.
    pub discarded: usize,
    /// Subscribers removed because a send to them failed.
    pub removed: usize,
}

/// Empties `ring` into batches of at most `min(batcher.max(), buf.len())` events and hands
/// each batch to every subscriber with `send(subscriber, batch)`, which returns `false` when
/// the subscriber is gone (it is then removed). Events read while no one is subscribed are
/// dropped, so a port nobody listens to does not leave stale touches in the ring. Stops when
/// the ring is empty; events pushed meanwhile are read too, so call it once per wakeup.
pub fn deliver<P: Copy + Eq, const S: usize, const N: usize>(
    ring: &mut RingReader<'_, N>,
    buf: &mut [TouchEvent],
    batcher: &Batcher,
    format: Format,
    subscribers: &mut Subscribers<P, S>,
    mut send: impl FnMut(P, Batch<'_>) -> bool,
) -> Delivery {
    let mut d = Delivery::default();
    let len = batcher.max().min(buf.len());
    let Some(buf) = buf.get_mut(..len).filter(|b| !b.is_empty()) else {
        return d;
    };
    loop {
        let n = ring.read_into(buf);
        if n == 0 {
            return d;
        }
        d.events += n;
        let batch = Batch {
            events: buf.get(..n).unwrap_or(&[]),
            format,
        };
        if subscribers.is_empty() {
            d.discarded += n;
        }
        let mut dead: Vec<P, S> = Vec::new();
        for p in subscribers.iter() {
            if send(p, batch) {
                d.messages += 1;
            } else {
                // Cannot fail: at most S subscribers.
                let _ = dead.push(p);
            }
        }
        for p in dead {
            subscribers.unsubscribe(p);
            d.removed += 1;
        }
    }
}
