// SPDX-License-Identifier: Apache-2.0

//! The Rust half of the isr-queue benchmark: tight loops over a static [`SpscQueue`], each an
//! `extern "C"` function that `bench.c` times with `k_cycle_get_32()` around the call, exactly
//! as it times its own loops over `ring_buf` and `k_msgq`. Every loop runs in its own language,
//! so no operation pays for a call across the boundary; the one call per loop is amortised
//! over its iterations.
//!
//! Each function returns how many items it moved, so the C side can check that the loop did
//! what it was timed for (a full or empty queue would make it time something else).

#![no_std]

use core::hint::black_box;

use isr_queue::SpscQueue;
// Nothing else is used from it, but it provides the panic handler and links the image.
use zephyr as _;

/// Items per timed loop; `bench.c` sizes `ring_buf` and `k_msgq` the same.
pub const ITEMS: usize = 1024;
/// The batch of the drain rows.
const BATCH: usize = 64;

static QUEUE: SpscQueue<u32, ITEMS> = SpscQueue::new();

/// Pushes `n` items with one producer handle, as a thread producer would.
#[no_mangle]
pub extern "C" fn isrq_bench_push(n: u32) -> u32 {
    let Some(mut tx) = QUEUE.claim_producer() else {
        return 0;
    };
    let mut accepted = 0;
    for i in 0..n {
        accepted += u32::from(tx.push(black_box(i)).is_ok());
    }
    accepted
}

/// Pushes `n` items the way an interrupt handler does: claim the producer role, push,
/// release it, for every item.
#[no_mangle]
pub extern "C" fn isrq_bench_isr_push(n: u32) -> u32 {
    let mut accepted = 0;
    for i in 0..n {
        if let Some(mut tx) = QUEUE.claim_producer() {
            accepted += u32::from(tx.push(black_box(i)).is_ok());
        }
    }
    accepted
}

/// Pops up to `n` items one at a time.
#[no_mangle]
pub extern "C" fn isrq_bench_pop(n: u32) -> u32 {
    let Some(mut rx) = QUEUE.claim_consumer() else {
        return 0;
    };
    let mut popped = 0;
    for _ in 0..n {
        if let Some(item) = rx.pop() {
            black_box(item);
            popped += 1;
        }
    }
    popped
}

/// `n` times: push one item, pop it.
#[no_mangle]
pub extern "C" fn isrq_bench_push_pop(n: u32) -> u32 {
    let Some((mut tx, mut rx)) = QUEUE.split() else {
        return 0;
    };
    let mut moved = 0;
    for i in 0..n {
        let _ = tx.push(black_box(i));
        if let Some(item) = rx.pop() {
            black_box(item);
            moved += 1;
        }
    }
    moved
}

/// Drains `n` items in `drain_into` batches of 64.
#[no_mangle]
pub extern "C" fn isrq_bench_drain_into64(n: u32) -> u32 {
    let Some(mut rx) = QUEUE.claim_consumer() else {
        return 0;
    };
    let mut batch = [0u32; BATCH];
    let mut drained = 0;
    for _ in 0..n as usize / BATCH {
        let got = rx.drain_into(&mut batch);
        black_box(&batch);
        drained += got as u32;
    }
    drained
}

/// Drains `n` items through `drain()` iterators of at most 64 items, consuming each.
#[no_mangle]
pub extern "C" fn isrq_bench_drain_iter64(n: u32) -> u32 {
    let Some(mut rx) = QUEUE.claim_consumer() else {
        return 0;
    };
    let mut drained = 0;
    for _ in 0..n as usize / BATCH {
        for item in rx.drain().take(BATCH) {
            black_box(item);
            drained += 1;
        }
    }
    drained
}

/// Empties the queue (untimed set-up between loops).
#[no_mangle]
pub extern "C" fn isrq_bench_clear() -> bool {
    match QUEUE.claim_consumer() {
        Some(mut rx) => {
            let _ = rx.drain().count();
            true
        }
        None => false,
    }
}

#[no_mangle]
pub extern "C" fn isrq_bench_capacity() -> u32 {
    ITEMS as u32
}

extern "C" {
    /// The C benchmark driver, in `bench.c`.
    fn bench_main();
}

/// Called by zephyr-lang-rust's `main()`.
#[no_mangle]
extern "C" fn rust_main() {
    // SAFETY: an FFI call without arguments to a C function of the same image, made once from
    // the main thread.
    unsafe { bench_main() };
}
