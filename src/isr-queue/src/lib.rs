//! A fixed-capacity, wait-free single-producer/single-consumer queue of `Copy` items, made for
//! handing events from an interrupt service routine (ISR) to the thread that processes them.
//!
//! [`SpscQueue::new`] is a `const fn`, so the queue is a plain `static`: no `static mut`, no
//! lazy initialisation, no allocation. The producer and consumer *roles* are claimed at run time
//! ([`SpscQueue::claim_producer`], [`SpscQueue::claim_consumer`], [`SpscQueue::split`]); a role
//! held by one handle cannot be claimed again until that handle is dropped, so safe code can
//! never have two producers or two consumers at once.
//!
//! # The ISR contract
//!
//! There is **one producer context at a time**: a single ISR (one interrupt line), or a single
//! thread. The claim enforces this: if the producer role is already held, for example because
//! two ISRs of different priority feed the same queue and one preempted the other, the second
//! claim returns `None` and that ISR cannot push. Such sources need a queue each.
//!
//! An ISR cannot keep a handle between invocations without a static cell of its own, so it
//! claims the producer role on entry and releases it on return. That needs nothing but the
//! `static` queue and costs a compare-and-swap and a store; on Cortex-M the CAS is an
//! `LDREX`/`STREX` pair, which retries only if an exception intervenes between the two:
//!
//! ```
//! use isr_queue::{Notify, SpscQueue};
//!
//! static EVENTS: SpscQueue<u32, 64> = SpscQueue::new();
//!
//! /// On Zephyr this wraps a `k_sem` (limit 1) and calls `k_sem_give`.
//! struct Wake;
//! impl Notify for Wake {
//!     fn notify(&self) {}
//! }
//!
//! /// The body of an `extern "C"` function connected with `IRQ_CONNECT`.
//! fn on_interrupt(status: u32) {
//!     if let Some(mut tx) = EVENTS.claim_producer() {
//!         // Wait-free. A full queue drops `status` and counts it in `stats().dropped`.
//!         let _ = tx.push_notify(status, &Wake);
//!     }
//! }
//!
//! // The draining thread claims the consumer once and keeps it.
//! let mut rx = EVENTS.claim_consumer().unwrap();
//! on_interrupt(7);
//! on_interrupt(9);
//! let mut batch = [0; 16];
//! assert_eq!(rx.drain_into(&mut batch), 2);
//! assert_eq!(batch[..2], [7, 9]);
//! ```
//!
//! # Waking the consumer
//!
//! The queue does not depend on an RTOS: [`Producer::push_notify`] calls a caller-supplied
//! [`Notify`] after **every successful push** (never after a dropped one). With a semaphore
//! of limit 1 (`k_sem_give`) or a poll signal (`k_poll_signal_raise`) repeated signals coalesce,
//! and the consumer loop
//!
//! ```text
//! loop { k_sem_take(&sem, K_FOREVER); for item in rx.drain() { handle(item) } }
//! ```
//!
//! cannot lose a wakeup: every item is published (tail store) *before* its signal, so an item
//! missing from the drain that followed a wakeup was signalled after that wakeup, and its
//! signal is still pending. The consumer must take everything present on each wakeup
//! ([`Consumer::drain`] does; loop [`Consumer::drain_into`] until it returns 0) because
//! coalesced signals do not count items; a counting semaphore of limit `N` lifts that. The
//! cost is an occasional spurious wakeup that finds the queue empty.
//!
//! Signalling only on the empty to non-empty edge would save signal calls, but the producer's
//! view of "empty" comes from reading the consumer's index, which races with a consumer that
//! is about to sleep: on SMP both sides can read the other's stale index (the store-buffering
//! pattern) and the wakeup is lost, unless both add a `SeqCst` fence and the consumer always
//! drains to empty and re-checks after arming its wait. The per-push signal needs none of
//! that.
//!
//! # Memory ordering
//!
//! The producer owns `tail`, the consumer owns `head`; both are free-running `u32` indices,
//! masked with `N - 1` to find a slot, so `tail - head` (wrapping) is the length and a full
//! queue (`N`) is distinct from an empty one (`0`) without a spare slot.
//!
//! * The producer writes a slot, then stores `tail` with `Release`; the consumer loads `tail`
//!   with `Acquire` before reading slots below it, so it sees the item's bytes.
//! * The consumer reads a slot, then stores `head` with `Release`; the producer loads `head`
//!   with `Acquire` before reusing a slot below `head + N`, so the read finished before the
//!   overwrite.
//! * Each side reads its own index `Relaxed`: it is the only writer.
//! * The handles cache nothing. A cached copy of the other side's index saves reading the
//!   other side's cache line on SMP, but on the single-core ISR-to-thread path it only adds
//!   instructions: the copy must be written back before each `Release` store, and an ISR that
//!   claims the producer per invocation starts with a cold copy anyway. `drain` and
//!   `drain_into` already pay one `Acquire` load per batch rather than per item.
//! * Statistics counters protect no data and are `Relaxed`. Their reset baselines are
//!   `Release`/`Acquire`, see [`SpscQueue::reset_stats`].
//! * Claiming a role is an `Acquire` compare-and-swap and releasing it a `Release` store, so
//!   a new handle starts from the previous holder's last published index. A failed claim
//!   writes nothing.
#![no_std]
#![deny(
    missing_docs,
    unsafe_op_in_unsafe_fn,
    clippy::undocumented_unsafe_blocks
)]

use core::fmt;
use core::iter::FusedIterator;
use core::mem::MaybeUninit;

mod copy;
mod sync;
use sync::{const_unless_loom, AtomicBool, AtomicU32, Ordering::*, UnsafeCell};

/// Aligns the producer's and the consumer's fields to separate cache lines on CPUs with data
/// caches that are shared between cores, so that one side's stores do not evict the line the
/// other side is reading. Microcontrollers such as Cortex-M have no data cache worth the
/// padding.
#[cfg_attr(any(target_arch = "x86_64", target_arch = "aarch64"), repr(align(64)))]
struct CacheAligned<T>(T);

/// Fields the producer role writes (and `reset_stats`, the high-water mark).
struct ProducerShared {
    /// Free-running index of the next slot to write.
    tail: AtomicU32,
    /// Pushes rejected because the queue was full (single writer, wraps).
    dropped: AtomicU32,
    /// Largest length observed by a push since the last reset.
    high_water: AtomicU32,
    claimed: AtomicBool,
}

/// Fields only the consumer role writes.
struct ConsumerShared {
    /// Free-running index of the next slot to read.
    head: AtomicU32,
    claimed: AtomicBool,
}

/// Counter values at the last [`SpscQueue::reset_stats`]; statistics are reported relative to
/// them so that resetting never writes a counter that the producer also writes.
struct StatsBase {
    tail: AtomicU32,
    dropped: AtomicU32,
}

/// A wait-free single-producer/single-consumer queue holding up to `N` items of type `T`.
///
/// `N` must be a power of two no larger than 2^31; other values fail to compile:
///
/// ```compile_fail
/// static Q: isr_queue::SpscQueue<u8, 3> = isr_queue::SpscQueue::new();
/// ```
///
/// See the [crate documentation](crate) for the ISR contract and the memory-ordering design.
pub struct SpscQueue<T: Copy, const N: usize> {
    producer: CacheAligned<ProducerShared>,
    consumer: CacheAligned<ConsumerShared>,
    base: StatsBase,
    slots: [UnsafeCell<MaybeUninit<T>>; N],
}

// SAFETY: The queue moves `T`s between contexts, hence `T: Send`. Shared access to the slots
// follows the protocol in the crate documentation: at most one `Producer` and one `Consumer`
// exist (the claim flags), the producer only writes slots in `[tail, head + N)`, the consumer
// only reads slots in `[head, tail)`, and the Release/Acquire index handoff orders each write
// before the reads of it and each read before the next write to the same slot.
unsafe impl<T: Copy + Send, const N: usize> Sync for SpscQueue<T, N> {}

/// A snapshot of the queue's statistics, see [`SpscQueue::stats`].
///
/// The counters are `u32` and wrap modulo 2^32; compare two snapshots with `wrapping_sub`.
/// Between two snapshots taken while no push or pop runs,
/// `Δpushed == popped + Δdropped + Δlen`; since creation or since a reset done while the queue
/// was empty, simply `pushed == popped + dropped + len`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Push attempts since the last reset, accepted or dropped.
    pub pushed: u32,
    /// Push attempts rejected because the queue was full.
    pub dropped: u32,
    /// The largest queue length a push has observed (including its own item) since the last
    /// reset, which starts it at the length at that time.
    pub high_water: u32,
    /// Items currently in the queue.
    pub len: u32,
}

/// Wakes the context that drains a queue; implemented by the caller, e.g. with `k_sem_give`
/// or `k_poll_signal_raise` on Zephyr. It is called from the producer's context, so it must be
/// ISR-safe when the producer is an ISR. Closures `Fn()` implement it.
pub trait Notify {
    /// Signals that the queue has at least one new item.
    fn notify(&self);
}

impl<F: Fn()> Notify for F {
    fn notify(&self) {
        self()
    }
}

#[cfg(not(loom))]
const fn uninit_slots<T, const N: usize>() -> [UnsafeCell<MaybeUninit<T>>; N] {
    [const { UnsafeCell::new(MaybeUninit::uninit()) }; N]
}

#[cfg(loom)]
fn uninit_slots<T, const N: usize>() -> [UnsafeCell<MaybeUninit<T>>; N] {
    core::array::from_fn(|_| UnsafeCell::new(MaybeUninit::uninit()))
}

impl<T: Copy, const N: usize> SpscQueue<T, N> {
    /// `N - 1`, evaluated (and `N` checked) at compile time.
    const MASK: u32 = {
        assert!(
            N.is_power_of_two() && N <= 1 << 31,
            "SpscQueue capacity must be a power of two no larger than 2^31"
        );
        (N - 1) as u32
    };

    const_unless_loom! {
        /// Creates an empty queue; usable in a `static` initialiser.
        pub fn new() -> Self {
            Self::starting_at(0)
        }
    }

    const_unless_loom! {
        /// Creates an empty queue whose indices start at `index`, so tests can cover the wrap
        /// of the `u32` indices without 2^32 operations. Not part of the stable API.
        #[doc(hidden)]
        pub fn starting_at(index: u32) -> Self {
            let _ = Self::MASK;
            Self {
                producer: CacheAligned(ProducerShared {
                    tail: AtomicU32::new(index),
                    dropped: AtomicU32::new(0),
                    high_water: AtomicU32::new(0),
                    claimed: AtomicBool::new(false),
                }),
                consumer: CacheAligned(ConsumerShared {
                    head: AtomicU32::new(index),
                    claimed: AtomicBool::new(false),
                }),
                base: StatsBase {
                    tail: AtomicU32::new(index),
                    dropped: AtomicU32::new(0),
                },
                slots: uninit_slots(),
            }
        }
    }

    /// The number of items the queue holds when full, `N`.
    pub const fn capacity(&self) -> usize {
        N
    }

    /// Claims the producer role, or returns `None` while another [`Producer`] of this queue
    /// exists. Dropping the producer releases the role.
    pub fn claim_producer(&self) -> Option<Producer<'_, T, N>> {
        // Acquire: pairs with the previous holder's Release in `Drop`, so its last `tail` store
        // is visible to our Relaxed loads of our own index.
        if self
            .producer
            .0
            .claimed
            .compare_exchange(false, true, Acquire, Relaxed)
            .is_err()
        {
            return None;
        }
        Some(Producer { queue: self })
    }

    /// Claims the consumer role, or returns `None` while another [`Consumer`] of this queue
    /// exists. Dropping the consumer releases the role.
    pub fn claim_consumer(&self) -> Option<Consumer<'_, T, N>> {
        // Acquire: pairs with the previous holder's Release, as in `claim_producer`.
        if self
            .consumer
            .0
            .claimed
            .compare_exchange(false, true, Acquire, Relaxed)
            .is_err()
        {
            return None;
        }
        Some(Consumer { queue: self })
    }

    /// Claims both roles, or returns `None` (claiming neither) if either is held.
    pub fn split(&self) -> Option<(Producer<'_, T, N>, Consumer<'_, T, N>)> {
        let producer = self.claim_producer()?;
        let consumer = self.claim_consumer()?;
        Some((producer, consumer))
    }

    /// The number of items in the queue; a snapshot that may be stale by the time it returns.
    pub fn len(&self) -> usize {
        self.snapshot_len() as usize
    }

    /// Whether the queue holds no items; a snapshot like [`len`](Self::len).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reads the statistics; callable from any context, including an ISR. Each field is
    /// exact at the instant it is read, but the fields are read one after the other, so a
    /// snapshot taken during a push or pop can mix values from before and after it.
    pub fn stats(&self) -> Stats {
        // Baselines first, with Acquire: the resetter read each counter before publishing its
        // baseline, so the counters read below are at least that new and the wrapping
        // differences never underflow.
        let base_tail = self.base.tail.load(Acquire);
        let base_dropped = self.base.dropped.load(Acquire);
        let len = self.snapshot_len();
        let accepted = self.producer.0.tail.load(Relaxed).wrapping_sub(base_tail);
        let dropped = self
            .producer
            .0
            .dropped
            .load(Relaxed)
            .wrapping_sub(base_dropped);
        Stats {
            pushed: accepted.wrapping_add(dropped),
            dropped,
            high_water: self.producer.0.high_water.load(Relaxed),
            len,
        }
    }

    /// Restarts the statistics: `pushed` and `dropped` from zero, `high_water` from the
    /// current length. Callable from any context. The counters themselves are never written
    /// here, only baselines, so a reset racing with a push loses neither; only a `high_water`
    /// update by a concurrent push may be overwritten.
    pub fn reset_stats(&self) {
        let len = self.snapshot_len();
        // Relaxed loads: any recent value is a valid reset point. Release stores: see `stats`.
        let tail = self.producer.0.tail.load(Relaxed);
        let dropped = self.producer.0.dropped.load(Relaxed);
        self.base.tail.store(tail, Release);
        self.base.dropped.store(dropped, Release);
        self.producer.0.high_water.store(len, Relaxed);
    }

    /// Length from the shared indices, for observers that hold neither role.
    fn snapshot_len(&self) -> u32 {
        // `head` first, with Acquire: the consumer read a `tail` at least as large before it
        // published this `head`, so the `tail` loaded next is too and the difference cannot
        // underflow. Pops and pushes between the two loads can still make it exceed N.
        let head = self.consumer.0.head.load(Acquire);
        let tail = self.producer.0.tail.load(Relaxed);
        tail.wrapping_sub(head).min(N as u32)
    }

    fn slot(&self, index: u32) -> &UnsafeCell<MaybeUninit<T>> {
        // The mask keeps the index below N, so this cannot panic (the check compiles away).
        &self.slots[(index & Self::MASK) as usize]
    }

    /// # Safety
    /// The caller is the producer and `index` is in `[tail, head + N)`, so no one reads the slot.
    unsafe fn write(&self, index: u32, item: T) {
        // SAFETY: the caller has exclusive access to the slot.
        self.slot(index)
            .with_mut(|slot| unsafe { slot.write(MaybeUninit::new(item)) });
    }

    /// # Safety
    /// The caller is the consumer and `index` is in `[head, tail)` with `tail` loaded with
    /// Acquire, so the slot is initialised and no one writes it.
    unsafe fn read(&self, index: u32) -> T {
        // SAFETY: the slot holds an initialised item and no one writes it concurrently.
        self.slot(index)
            .with(|slot| unsafe { slot.read().assume_init() })
    }

    /// Copies the slots from `start` (already masked) into `out`, which must fit before the end
    /// of the array.
    ///
    /// # Safety
    /// As for [`read`](Self::read), for every slot copied.
    unsafe fn read_run(&self, start: usize, out: &mut [T]) {
        // Always `Some` for the callers' runs; `get` rather than indexing keeps a panic out.
        if let Some(slots) = self.slots.get(start..start + out.len()) {
            // SAFETY: forwarded from the caller.
            unsafe { copy::copy_run(out, slots) };
        }
    }
}

#[cfg(not(loom))]
impl<T: Copy, const N: usize> Default for SpscQueue<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Copy, const N: usize> fmt::Debug for SpscQueue<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpscQueue")
            .field("capacity", &N)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

/// The producer role of an [`SpscQueue`]; see [`SpscQueue::claim_producer`].
///
/// Every method is wait-free: a bounded number of instructions, no loops, no locks.
pub struct Producer<'q, T: Copy, const N: usize> {
    queue: &'q SpscQueue<T, N>,
}

impl<T: Copy, const N: usize> Producer<'_, T, N> {
    /// Appends `item`, or returns it back if the queue is full, counting it in
    /// [`Stats::dropped`]. Also maintains [`Stats::high_water`].
    #[inline]
    pub fn push(&mut self, item: T) -> Result<(), T> {
        let queue = self.queue;
        let tail = queue.producer.0.tail.load(Relaxed);
        // Acquire: slots below `head` may be reused only after the consumer's reads of them.
        let len = tail.wrapping_sub(queue.consumer.0.head.load(Acquire));
        // Relaxed: the mark guards no data. It is a length, so at most N, and one comparison
        // sends both "full" and "new high-water mark" off the fast path.
        let high_water = queue.producer.0.high_water.load(Relaxed);
        if len >= high_water {
            if len >= N as u32 {
                // Single writer, so a plain load and store: no read-modify-write loop in an ISR.
                let dropped = &queue.producer.0.dropped;
                dropped.store(dropped.load(Relaxed).wrapping_add(1), Relaxed);
                return Err(item);
            }
            queue.producer.0.high_water.store(len + 1, Relaxed);
        }
        // SAFETY: we are the producer and `len < N` (if not checked above, `len < high_water`,
        // and the mark is only ever set to a length), so the slot at `tail` is free.
        unsafe { queue.write(tail, item) };
        // Release: publishes the slot written above to the consumer's Acquire load.
        queue.producer.0.tail.store(tail.wrapping_add(1), Release);
        Ok(())
    }

    /// [`push`](Self::push)es `item` and, if it was accepted, calls `notify` once. See the
    /// [crate documentation](crate#waking-the-consumer) for why every push signals.
    #[inline]
    pub fn push_notify(&mut self, item: T, notify: &impl Notify) -> Result<(), T> {
        self.push(item)?;
        notify.notify();
        Ok(())
    }
}

impl<T: Copy, const N: usize> Drop for Producer<'_, T, N> {
    fn drop(&mut self) {
        // Release: hands our `tail` stores to the next claimer's Acquire CAS.
        self.queue.producer.0.claimed.store(false, Release);
    }
}

impl<T: Copy, const N: usize> fmt::Debug for Producer<'_, T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Producer").finish_non_exhaustive()
    }
}

/// The consumer role of an [`SpscQueue`]; see [`SpscQueue::claim_consumer`].
pub struct Consumer<'q, T: Copy, const N: usize> {
    queue: &'q SpscQueue<T, N>,
}

impl<'q, T: Copy, const N: usize> Consumer<'q, T, N> {
    /// Removes the oldest item, or returns `None` if the queue is empty.
    #[inline]
    pub fn pop(&mut self) -> Option<T> {
        let (head, tail) = self.indices();
        if head == tail {
            return None;
        }
        // SAFETY: we are the consumer and `head < tail`, loaded with Acquire.
        let item = unsafe { self.queue.read(head) };
        self.publish(head.wrapping_add(1));
        Some(item)
    }

    /// Moves up to `out.len()` of the oldest items into the front of `out`, returning how many.
    /// Frees their slots with a single index store.
    pub fn drain_into(&mut self, out: &mut [T]) -> usize {
        let (head, tail) = self.indices();
        let n = out.len().min(tail.wrapping_sub(head) as usize);
        let (out, _) = out.split_at_mut(n);
        // The items occupy `start..N` and then, if they wrap, `0..`.
        let start = (head & SpscQueue::<T, N>::MASK) as usize;
        let (before_end, wrapped) = out.split_at_mut(n.min(N - start));
        // SAFETY: we are the consumer and these are the `n` slots from `head`, all below `tail`.
        unsafe {
            self.queue.read_run(start, before_end);
            self.queue.read_run(0, wrapped);
        }
        if n > 0 {
            self.publish(head.wrapping_add(n as u32));
        }
        n
    }

    /// Returns an iterator over the items present now, oldest first. The slots of the items it
    /// yielded are freed with a single index store when it is dropped, so a partial drain
    /// (e.g. `drain().take(k)`) leaves the rest queued. Items pushed meanwhile wait for the
    /// next call.
    pub fn drain(&mut self) -> Drain<'_, 'q, T, N> {
        let (head, end) = self.indices();
        Drain {
            consumer: self,
            head,
            next: head,
            end,
        }
    }

    /// The number of items in the queue: exact, or understated by concurrent pushes.
    pub fn len(&self) -> usize {
        let (head, tail) = self.indices();
        tail.wrapping_sub(head) as usize
    }

    /// Whether the queue is empty; may miss concurrent pushes, like [`len`](Self::len).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Our index and the producer's.
    #[inline]
    fn indices(&self) -> (u32, u32) {
        let head = self.queue.consumer.0.head.load(Relaxed);
        // Acquire: the slots below `tail` were written before it was published.
        let tail = self.queue.producer.0.tail.load(Acquire);
        (head, tail)
    }

    /// Frees every slot below `head`.
    #[inline]
    fn publish(&mut self, head: u32) {
        // Release: our reads of the freed slots happen before the producer reuses them.
        self.queue.consumer.0.head.store(head, Release);
    }
}

impl<T: Copy, const N: usize> Drop for Consumer<'_, T, N> {
    fn drop(&mut self) {
        // Release: hands our `head` stores to the next claimer's Acquire CAS.
        self.queue.consumer.0.claimed.store(false, Release);
    }
}

impl<T: Copy, const N: usize> fmt::Debug for Consumer<'_, T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Consumer").finish_non_exhaustive()
    }
}

/// Iterator returned by [`Consumer::drain`].
pub struct Drain<'c, 'q, T: Copy, const N: usize> {
    consumer: &'c mut Consumer<'q, T, N>,
    /// The consumer's index when the drain started.
    head: u32,
    next: u32,
    end: u32,
}

impl<T: Copy, const N: usize> Iterator for Drain<'_, '_, T, N> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        if self.next == self.end {
            return None;
        }
        // SAFETY: we borrow the consumer and `next < end`, a `tail` loaded with Acquire.
        let item = unsafe { self.consumer.queue.read(self.next) };
        self.next = self.next.wrapping_add(1);
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let len = self.end.wrapping_sub(self.next) as usize;
        (len, Some(len))
    }
}

impl<T: Copy, const N: usize> ExactSizeIterator for Drain<'_, '_, T, N> {}
impl<T: Copy, const N: usize> FusedIterator for Drain<'_, '_, T, N> {}

impl<T: Copy, const N: usize> Drop for Drain<'_, '_, T, N> {
    fn drop(&mut self) {
        if self.next != self.head {
            self.consumer.publish(self.next);
        }
    }
}

impl<T: Copy, const N: usize> fmt::Debug for Drain<'_, '_, T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Drain").field("len", &self.len()).finish()
    }
}
