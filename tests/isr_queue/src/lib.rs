// SPDX-License-Identifier: Apache-2.0

//! The Rust half of the `isr_queue` ztest suite: an interrupt handler that pushes
//! sequence-numbered items into a static [`SpscQueue`] and wakes a drain thread, and the drain
//! loop that checks what arrives. The C half (`test_isr_queue.c`) connects the interrupt, raises
//! it from threads and timers, runs the drain loop on its own thread and asserts on the
//! [`DrainReport`] and [`QueueStats`] returned here. Everything crossing the language boundary is
//! a `#[repr(C)]` struct of `u32`s, passed and returned by value, mirrored in
//! `isr_queue_ffi.h`.

#![no_std]

use core::ffi::c_void;
use core::mem::size_of;
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

use isr_queue::{Consumer, SpscQueue};
use zephyr::printkln;
use zephyr::sys::sync::Semaphore;
use zephyr::time::Duration;

/// Small, so that the starvation cases overflow it after a few interrupts.
const CAPACITY: usize = 16;
/// The largest `drain_into` buffer the C side may ask for.
const MAX_BATCH: usize = 16;
/// `DrainReport::first_gap_at` when there was no gap.
const NO_GAP: u32 = u32::MAX;

static QUEUE: SpscQueue<u32, CAPACITY> = SpscQueue::new();
/// Limit 1: signals coalesce, so the drain loop must empty the queue on every wakeup.
static ITEM_READY: Semaphore = Semaphore::new(0, 1);

// Counters written only by the interrupt handler (one producer context), and reset by
// `isrq_reset` while the line is quiet; so plain loads and stores, no read-modify-write.
/// Handler invocations, which is also the next sequence number.
static ISR_RUNS: AtomicU32 = AtomicU32::new(0);
/// Invocations that `k_is_in_isr()` says were not in interrupt context.
static NOT_IN_ISR: AtomicU32 = AtomicU32::new(0);
/// Invocations that found the producer role taken.
static CLAIM_FAILURES: AtomicU32 = AtomicU32::new(0);

fn bump(counter: &AtomicU32) -> u32 {
    let value = counter.load(Relaxed);
    counter.store(value.wrapping_add(1), Relaxed);
    value
}

/// The interrupt handler: connected with `IRQ_CONNECT` by the C side on Cortex-M, called from
/// the GPIO callback of a gpio-emul pin on native_sim. It does what a port's handler does, a
/// wait-free push and one `k_sem_give`, plus test bookkeeping.
#[no_mangle]
pub extern "C" fn isrq_test_isr(_arg: *const c_void) {
    // SAFETY: FFI call without arguments; it only reads the CPU's interrupt nesting state.
    if !unsafe { zephyr::raw::k_is_in_isr() } {
        bump(&NOT_IN_ISR);
    }
    let seq = bump(&ISR_RUNS);
    match QUEUE.claim_producer() {
        // A full queue drops `seq` and counts it in `stats().dropped`, which the tests check.
        Some(mut tx) => {
            let _ = tx.push_notify(seq, &|| ITEM_READY.give());
        }
        None => {
            bump(&CLAIM_FAILURES);
        }
    }
}

/// What the C side asks of one drain run.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct DrainParams {
    /// Stop after this many items.
    pub expected: u32,
    /// The sequence number of the first item.
    pub first_seq: u32,
    /// `drain_into` buffer length (1..=16), or 0 for the `drain()` iterator.
    pub batch: u32,
    /// Busy-wait per item, standing for the work a port does with it.
    pub item_work_us: u32,
    /// Longest wait for a wakeup before giving up.
    pub timeout_ms: u32,
}

/// What one drain run saw; see `isr_queue_ffi.h` for the fields.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct DrainReport {
    pub claimed: u32,
    pub delivered: u32,
    pub gaps: u32,
    pub skipped: u32,
    pub first_gap_at: u32,
    pub backwards: u32,
    pub wakeups: u32,
    pub empty_wakeups: u32,
    pub max_batch: u32,
    pub timed_out: u32,
}

/// [`isr_queue::Stats`] for C.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct QueueStats {
    pub pushed: u32,
    pub dropped: u32,
    pub high_water: u32,
    pub len: u32,
}

/// The interrupt handler's own counters.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct IsrCounters {
    pub runs: u32,
    pub not_in_isr: u32,
    pub claim_failures: u32,
}

// The C header checks the same sizes, so the two declarations cannot drift apart silently.
const _: () = assert!(size_of::<DrainParams>() == 5 * 4);
const _: () = assert!(size_of::<DrainReport>() == 10 * 4);
const _: () = assert!(size_of::<QueueStats>() == 4 * 4);
const _: () = assert!(size_of::<IsrCounters>() == 3 * 4);

impl DrainReport {
    const fn new() -> Self {
        Self {
            claimed: 0,
            delivered: 0,
            gaps: 0,
            skipped: 0,
            first_gap_at: NO_GAP,
            backwards: 0,
            wakeups: 0,
            empty_wakeups: 0,
            max_batch: 0,
            timed_out: 0,
        }
    }
}

/// Checks that sequence numbers arrive strictly consecutive, counting each deviation.
struct Checker<'r> {
    next: u32,
    report: &'r mut DrainReport,
    item_work_us: u32,
}

impl Checker<'_> {
    fn accept(&mut self, seq: u32) {
        let ahead = seq.wrapping_sub(self.next);
        if ahead != 0 {
            if ahead < 1 << 31 {
                // Items were lost (or, in the starvation cases, dropped on purpose).
                if self.report.gaps == 0 {
                    self.report.first_gap_at = self.report.delivered;
                }
                self.report.gaps += 1;
                self.report.skipped = self.report.skipped.wrapping_add(ahead);
            } else {
                // A duplicate or a reordering.
                self.report.backwards += 1;
            }
        }
        self.next = seq.wrapping_add(1);
        self.report.delivered += 1;
        if self.item_work_us != 0 {
            // SAFETY: FFI call with a plain integer; busy-waiting is allowed in a thread.
            unsafe { zephyr::raw::k_busy_wait(self.item_work_us) };
        }
    }

    /// Empties the queue with `drain_into`, returning how many items it took.
    fn drain_batches(&mut self, rx: &mut Consumer<'_, u32, CAPACITY>, batch: usize) -> u32 {
        let mut buf = [0u32; MAX_BATCH];
        let buf = &mut buf[..batch.clamp(1, MAX_BATCH)];
        let mut total = 0;
        loop {
            let n = rx.drain_into(buf);
            if n == 0 {
                return total;
            }
            self.note_batch(n);
            total += n as u32;
            for &seq in &buf[..n] {
                self.accept(seq);
            }
        }
    }

    /// Empties the queue with the `drain()` iterator. The slots are released only when each
    /// iterator is dropped, so interrupts during the per-item work see them still occupied.
    fn drain_iter(&mut self, rx: &mut Consumer<'_, u32, CAPACITY>) -> u32 {
        let mut total = 0;
        loop {
            let mut n = 0;
            for seq in rx.drain() {
                self.accept(seq);
                n += 1;
            }
            if n == 0 {
                return total;
            }
            self.note_batch(n);
            total += n as u32;
        }
    }

    fn note_batch(&mut self, n: usize) {
        self.report.max_batch = self.report.max_batch.max(n as u32);
    }
}

/// Runs the drain loop on the calling thread until `params.expected` items arrived or a wakeup
/// did not come within `params.timeout_ms`.
#[no_mangle]
pub extern "C" fn isrq_drain(params: DrainParams) -> DrainReport {
    let mut report = DrainReport::new();
    let Some(mut rx) = QUEUE.claim_consumer() else {
        return report;
    };
    report.claimed = 1;
    let timeout = Duration::millis(params.timeout_ms.into());
    let mut checker = Checker {
        next: params.first_seq,
        report: &mut report,
        item_work_us: params.item_work_us,
    };
    while checker.report.delivered < params.expected {
        if ITEM_READY.take(timeout).is_err() {
            checker.report.timed_out = 1;
            break;
        }
        checker.report.wakeups += 1;
        // Coalesced signals do not count items: take everything present.
        let got = match params.batch {
            0 => checker.drain_iter(&mut rx),
            batch => checker.drain_batches(&mut rx, batch as usize),
        };
        if got == 0 {
            checker.report.empty_wakeups += 1;
        }
    }
    report
}

#[no_mangle]
pub extern "C" fn isrq_stats() -> QueueStats {
    let stats = QUEUE.stats();
    QueueStats {
        pushed: stats.pushed,
        dropped: stats.dropped,
        high_water: stats.high_water,
        len: stats.len,
    }
}

#[no_mangle]
pub extern "C" fn isrq_isr_counters() -> IsrCounters {
    IsrCounters {
        runs: ISR_RUNS.load(Relaxed),
        not_in_isr: NOT_IN_ISR.load(Relaxed),
        claim_failures: CLAIM_FAILURES.load(Relaxed),
    }
}

#[no_mangle]
pub extern "C" fn isrq_capacity() -> u32 {
    CAPACITY as u32
}

/// Empties the queue and zeroes every counter. Call only while the interrupt is quiet and no
/// drain loop runs; returns false if the consumer role is still held.
#[no_mangle]
pub extern "C" fn isrq_reset() -> bool {
    let Some(mut rx) = QUEUE.claim_consumer() else {
        return false;
    };
    let _discarded = rx.drain().count();
    drop(rx);
    QUEUE.reset_stats();
    ISR_RUNS.store(0, Relaxed);
    NOT_IN_ISR.store(0, Relaxed);
    CLAIM_FAILURES.store(0, Relaxed);
    ITEM_READY.reset();
    true
}

/// zephyr-lang-rust's `main.c` calls this from its `main()`, which CMakeLists.txt renames so
/// that ztest's `main()` runs the suite instead. Getting here means that arrangement broke.
#[no_mangle]
extern "C" fn rust_main() {
    printkln!("isr_queue: zephyr-lang-rust's main() ran instead of ztest's; see CMakeLists.txt");
}
