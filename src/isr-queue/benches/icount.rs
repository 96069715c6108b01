//! Deterministic instruction counts: `bench/run-callgrind.sh` runs this binary under
//! `valgrind --tool=callgrind` and reads the inclusive cost of each `case_*` function, so all
//! queues are compared in one run. Run natively (`cargo bench --bench icount`) it only
//! exercises the cases.
//!
//! Each case is a non-inlined function over concrete types. The consume cases start from a
//! queue holding `BATCH` items, put there by uncounted code. The push/pop cases leave every
//! queue at index `ROUNDS`, so the batches also cross the end of the arrays.

use std::hint::black_box;

mod common;

use common::{Heapless08, Heapless09, Ours, Rtrb, Spsc};

/// Items per consume case: the drained batch.
const BATCH: usize = 64;
/// Push/pop pairs per push/pop case, and calls per consume case.
const ROUNDS: u32 = 1000;

/// Defines, per queue type, the counted functions for the shared cases.
macro_rules! shared_cases {
    ($($ty:ty: $push_pop:ident, $pop64:ident;)*) => {$(
        #[inline(never)]
        fn $push_pop(q: &mut $ty) {
            for i in 0..ROUNDS {
                q.push(black_box(i));
                black_box(q.pop());
            }
        }

        #[inline(never)]
        fn $pop64(q: &mut $ty) {
            for _ in 0..BATCH {
                black_box(q.pop());
            }
        }
    )*};
}

shared_cases! {
    Ours<'_>: case_ours_push_pop, case_ours_pop64;
    Heapless09<'_>: case_heapless09_push_pop, case_heapless09_pop64;
    Heapless08<'_>: case_heapless08_push_pop, case_heapless08_pop64;
    Rtrb: case_rtrb_push_pop, case_rtrb_pop64;
}

#[inline(never)]
fn case_ours_drain_into64(q: &mut Ours, buf: &mut [u32; BATCH]) {
    black_box(q.1.drain_into(buf));
}

#[inline(never)]
fn case_ours_drain_iter64(q: &mut Ours) {
    q.1.drain().for_each(|item| _ = black_box(item));
}

#[inline(never)]
fn case_rtrb_read_chunk64(q: &mut Rtrb, buf: &mut [u32; BATCH]) {
    let chunk = q.1.read_chunk(q.1.slots().min(BATCH)).unwrap();
    let (first, second) = chunk.as_slices();
    let (out_first, out_rest) = buf.split_at_mut(first.len());
    out_first.copy_from_slice(first);
    out_rest[..second.len()].copy_from_slice(second);
    black_box(chunk.len());
    chunk.commit_all();
}

#[inline(never)]
fn case_rtrb_chunk_iter64(q: &mut Rtrb) {
    let chunk = q.1.read_chunk(q.1.slots().min(BATCH)).unwrap();
    chunk.into_iter().for_each(|item| _ = black_box(item));
}

/// Runs `consume` `ROUNDS` times, each time on `BATCH` fresh items.
fn batches<Q: Spsc>(q: &mut Q, mut consume: impl FnMut(&mut Q)) {
    for _ in 0..ROUNDS {
        for i in 0..BATCH as u32 {
            assert!(q.push(i));
        }
        consume(q);
        assert!(q.pop().is_none());
    }
}

fn main() {
    let (mut ours, mut heapless09) = (common::ours(), common::heapless09());
    let (mut heapless08, mut rtrb) = (common::heapless08(), common::rtrb());
    let mut buf = [0; BATCH];

    case_ours_push_pop(&mut ours);
    case_heapless09_push_pop(&mut heapless09);
    case_heapless08_push_pop(&mut heapless08);
    case_rtrb_push_pop(&mut rtrb);

    batches(&mut ours, case_ours_pop64);
    batches(&mut ours, |q| case_ours_drain_into64(q, &mut buf));
    batches(&mut ours, case_ours_drain_iter64);
    batches(&mut heapless09, case_heapless09_pop64);
    batches(&mut heapless08, case_heapless08_pop64);
    batches(&mut rtrb, case_rtrb_pop64);
    batches(&mut rtrb, |q| case_rtrb_read_chunk64(q, &mut buf));
    batches(&mut rtrb, case_rtrb_chunk_iter64);

    // Read by the script to turn totals into per-operation figures.
    println!("rounds={ROUNDS} batch={BATCH}");
}
