// SPDX-License-Identifier: Apache-2.0

//! Streams: data produced outside the VM thread (a drain thread fed by an interrupt, a DMA
//! completion, a work queue) and delivered in order to the Erlang processes subscribed to a
//! port. This is the pure core; `vm::stream` (feature `vm`) binds it to the VM.
//!
//! The parts, each usable alone:
//! - [`Subscribers`]: who gets the data, in subscription order, each with a token (the
//!   process monitor in `vm`);
//! - [`DeadList`]: pids whose monitor fired, pushed lock-free from the monitor callback and
//!   applied by the owner of the subscriber set ([`Fanout::prune`]);
//! - [`Batcher`]: at most `max` items per message;
//! - [`Latch`]: "one doorbell in flight at most", the state of a doorbell;
//! - [`Fanout`]: subscribers + batcher: reads a source into batches and hands each batch to
//!   every subscriber in order ([`Fanout::deliver`]).
//!
//! Nothing here allocates, locks or panics; everything is host-tested.

use core::sync::atomic::{AtomicBool, AtomicI32, Ordering};

use heapless::Vec;

use crate::error::Error;

/// The default number of subscribers of one stream.
pub const DEFAULT_MAX_SUBSCRIBERS: usize = 4;

/// The default largest number of items in one message.
pub const DEFAULT_MAX_BATCH: usize = 16;

/// A process identity that a [`DeadList`] can carry: AtomVM's local process id (always > 0).
pub trait LocalId: Copy + Eq {
    /// The local process id.
    fn local_id(self) -> i32;
}

impl LocalId for i32 {
    fn local_id(self) -> i32 {
        self
    }
}

/// What [`Subscribers::subscribe`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscribed {
    /// The subscriber was added.
    Added,
    /// It was subscribed already; nothing changed (a subscriber gets each message once).
    Already,
}

/// [`Subscribers::subscribe`] failed: all slots are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

impl From<Full> for Error {
    /// `{error, {too_many, subscribers}}`: says what ran out.
    fn from(_: Full) -> Self {
        Error::with("too_many", "subscribers")
    }
}

/// A set of up to `N` subscribers `P`, in subscription order, each with a token `M` (the
/// process monitor that removes it when it dies, say). Fixed capacity, no allocation.
#[derive(Debug, Clone)]
pub struct Subscribers<P, M = (), const N: usize = DEFAULT_MAX_SUBSCRIBERS> {
    pids: Vec<P, N>,
    /// `tokens[i]` belongs to `pids[i]`.
    tokens: Vec<M, N>,
}

impl<P: Copy + Eq, M, const N: usize> Subscribers<P, M, N> {
    /// No subscribers.
    pub const fn new() -> Self {
        Self {
            pids: Vec::new(),
            tokens: Vec::new(),
        }
    }

    /// Adds `p` with the token `make` returns, unless `p` is subscribed already (`make` is
    /// not called then) or the set is full (`make` is not called; the error is [`Full`]
    /// converted). An error of `make` is returned and nothing changes.
    pub fn subscribe<E: From<Full>>(
        &mut self,
        p: P,
        make: impl FnOnce() -> Result<M, E>,
    ) -> Result<Subscribed, E> {
        if self.contains(p) {
            return Ok(Subscribed::Already);
        }
        if self.pids.is_full() {
            return Err(Full.into());
        }
        let m = make()?;
        // Cannot fail: both have the same length, checked for room above.
        self.pids.push(p).map_err(|_| Full)?;
        if self.tokens.push(m).is_err() {
            self.pids.pop();
            return Err(Full.into());
        }
        Ok(Subscribed::Added)
    }

    /// Removes `p`, returning its token; `None` if it was not subscribed.
    pub fn unsubscribe(&mut self, p: P) -> Option<M> {
        let i = self.pids.iter().position(|q| *q == p)?;
        self.pids.remove(i);
        Some(self.tokens.remove(i))
    }

    /// Removes and returns the newest subscriber (to empty the set one by one).
    pub fn pop(&mut self) -> Option<(P, M)> {
        Some((self.pids.pop()?, self.tokens.pop()?))
    }

    /// Whether `p` is subscribed.
    pub fn contains(&self, p: P) -> bool {
        self.pids.contains(&p)
    }

    /// The subscribers, oldest first.
    pub fn pids(&self) -> &[P] {
        &self.pids
    }

    /// The subscribers, oldest first.
    pub fn iter(&self) -> core::iter::Copied<core::slice::Iter<'_, P>> {
        self.pids.iter().copied()
    }

    /// The number of subscribers.
    pub fn len(&self) -> usize {
        self.pids.len()
    }

    /// Whether no one is subscribed.
    pub fn is_empty(&self) -> bool {
        self.pids.is_empty()
    }

    /// Whether all `N` slots are taken.
    pub fn is_full(&self) -> bool {
        self.pids.is_full()
    }
}

impl<P: Copy + Eq, M, const N: usize> Default for Subscribers<P, M, N> {
    fn default() -> Self {
        Self::new()
    }
}

/// Local process ids whose monitor fired, not yet removed from the subscriber set.
///
/// The monitor callback may run where taking a lock of ours is not allowed (inside the
/// VM's own locks), so it only [`push`](Self::push)es, lock-free; whoever owns the
/// subscribers applies the list before using them ([`Fanout::prune`]). With `N` the
/// subscriber capacity, the list cannot overflow as long as it is applied before each
/// subscribe: every subscriber has one monitor, and a monitor fires once.
#[derive(Debug)]
pub struct DeadList<const N: usize = DEFAULT_MAX_SUBSCRIBERS> {
    /// 0 is a free slot (local process ids are > 0).
    slots: [AtomicI32; N],
}

impl<const N: usize> DeadList<N> {
    /// Empty; usable in a `static` initialiser.
    pub const fn new() -> Self {
        Self {
            slots: [const { AtomicI32::new(0) }; N],
        }
    }

    /// Records `id`; `false` when it is not a valid id (≤ 0) or every slot is taken.
    /// Lock-free (one compare-exchange per slot tried); callable from any thread.
    pub fn push(&self, id: i32) -> bool {
        if id <= 0 {
            return false;
        }
        self.slots.iter().any(|s| {
            s.compare_exchange(0, id, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
        })
    }

    /// Takes every recorded id, calling `f` on each (order unspecified).
    pub fn take(&self, mut f: impl FnMut(i32)) {
        for s in &self.slots {
            let id = s.swap(0, Ordering::AcqRel);
            if id != 0 {
                f(id);
            }
        }
    }

    /// Whether no id is recorded; a snapshot.
    pub fn is_empty(&self) -> bool {
        self.slots.iter().all(|s| s.load(Ordering::Acquire) == 0)
    }
}

impl<const N: usize> Default for DeadList<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// The batching policy: items go out in messages of at most `max` items, so one burst
/// neither floods a mailbox with single-item messages nor needs an unbounded term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batcher {
    max: usize,
}

impl Batcher {
    /// Batches of at most `max` items; 0 counts as 1.
    pub const fn new(max: usize) -> Self {
        Self {
            max: if max == 0 { 1 } else { max },
        }
    }

    /// The largest batch.
    pub const fn max(&self) -> usize {
        self.max
    }

    /// The size of the next batch when `available` items wait: `min(available, max)`.
    pub const fn next_len(&self, available: usize) -> usize {
        if available < self.max {
            available
        } else {
            self.max
        }
    }

    /// The number of messages `available` items take: `ceil(available / max)`.
    pub const fn count(&self, available: usize) -> usize {
        available.div_ceil(self.max)
    }

    /// Splits `items` into batches, oldest first; every batch but the last has `max` items.
    pub fn batches<'a, T>(&self, items: &'a [T]) -> core::slice::Chunks<'a, T> {
        items.chunks(self.max)
    }
}

impl Default for Batcher {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_BATCH)
    }
}

/// The state of a doorbell: at most one "data is waiting" message in flight.
///
/// The producing thread calls [`arm`](Self::arm) after queueing data and sends the message
/// only when it returns `true`; the consumer calls [`disarm`](Self::disarm) when the message
/// arrives, *before* taking the data, so data queued after the take rings again. A failed
/// send disarms too. A new consumer starts from a new latch (or [`disarm`](Self::disarm)s),
/// or a message lost with an old consumer would keep it silent for ever.
#[derive(Debug, Default)]
pub struct Latch {
    pending: AtomicBool,
}

impl Latch {
    /// Not armed.
    pub const fn new() -> Self {
        Self {
            pending: AtomicBool::new(false),
        }
    }

    /// `true` when the caller must send the message (no message was in flight); `false`
    /// when one is on its way already.
    pub fn arm(&self) -> bool {
        !self.pending.swap(true, Ordering::AcqRel)
    }

    /// The message arrived (or was never sent): the next [`arm`](Self::arm) sends again.
    pub fn disarm(&self) {
        self.pending.store(false, Ordering::Release);
    }

    /// Whether a message is in flight; a snapshot.
    pub fn is_armed(&self) -> bool {
        self.pending.load(Ordering::Acquire)
    }
}

/// What one [`Fanout::deliver`] or [`Fanout::notify`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Delivery {
    /// Items read from the source.
    pub items: usize,
    /// Messages sent (batches times subscribers).
    pub messages: usize,
    /// Sends that failed (out of memory in `vm`); the subscriber stays.
    pub failed: usize,
}

/// Subscribers and a batcher: the delivery side of a stream.
#[derive(Debug, Clone)]
pub struct Fanout<P, M = (), const N: usize = DEFAULT_MAX_SUBSCRIBERS> {
    /// Who gets the data.
    pub subscribers: Subscribers<P, M, N>,
    /// How much per message.
    pub batcher: Batcher,
}

impl<P: Copy + Eq, M, const N: usize> Fanout<P, M, N> {
    /// No subscribers, batches of at most `max_batch`.
    pub const fn new(max_batch: usize) -> Self {
        Self {
            subscribers: Subscribers::new(),
            batcher: Batcher::new(max_batch),
        }
    }

    /// Reads the source into batches of at most `min(batcher.max(), buf.len())` items with
    /// `read` (which fills the front of its slice and returns how many; 0 means empty) until
    /// it is empty, and hands each batch, oldest first, to `each` with the subscribers in
    /// subscription order; `each` sends it and says how many messages went out or failed.
    ///
    /// Without subscribers nothing is read: the data stays in the source (for a pull command,
    /// or until the source drops what no longer fits).
    pub fn deliver_batches<T>(
        &mut self,
        buf: &mut [T],
        mut read: impl FnMut(&mut [T]) -> usize,
        mut each: impl FnMut(&[T], &[P]) -> Delivery,
    ) -> Delivery {
        let mut d = Delivery::default();
        let len = self.batcher.max().min(buf.len());
        let Some(buf) = buf.get_mut(..len).filter(|b| !b.is_empty()) else {
            return d;
        };
        while !self.subscribers.is_empty() {
            let n = read(buf).min(len);
            if n == 0 {
                break;
            }
            d.items += n;
            let sent = each(buf.get(..n).unwrap_or(&[]), self.subscribers.pids());
            d.messages += sent.messages;
            d.failed += sent.failed;
        }
        d
    }

    /// [`deliver_batches`](Self::deliver_batches) with one `send(subscriber, batch)` per
    /// subscriber and batch.
    pub fn deliver<T, E>(
        &mut self,
        buf: &mut [T],
        read: impl FnMut(&mut [T]) -> usize,
        mut send: impl FnMut(P, &[T]) -> Result<(), E>,
    ) -> Delivery {
        self.deliver_batches(buf, read, |batch, to| {
            let mut d = Delivery::default();
            for &p in to {
                match send(p, batch) {
                    Ok(()) => d.messages += 1,
                    Err(_) => d.failed += 1,
                }
            }
            d
        })
    }

    /// Sends one message to every subscriber, in subscription order (a notification such as
    /// `{audio, Port, underrun}`).
    pub fn notify<E>(&self, mut send: impl FnMut(P) -> Result<(), E>) -> Delivery {
        let mut d = Delivery::default();
        for p in self.subscribers.iter() {
            match send(p) {
                Ok(()) => d.messages += 1,
                Err(_) => d.failed += 1,
            }
        }
        d
    }
}

impl<P: LocalId, M, const N: usize> Fanout<P, M, N> {
    /// Removes the subscribers whose ids `dead` holds (their monitors fired, so the tokens
    /// are dropped without more ado), returning how many. Ids of processes that are not
    /// subscribed (any more) are ignored.
    pub fn prune<const D: usize>(&mut self, dead: &DeadList<D>) -> usize {
        let mut removed = 0;
        dead.take(|id| {
            let found = self.subscribers.iter().find(|p| p.local_id() == id);
            if let Some(p) = found {
                self.subscribers.unsubscribe(p);
                removed += 1;
            }
        });
        removed
    }
}
