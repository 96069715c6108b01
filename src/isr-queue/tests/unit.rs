//! Behaviour of a single queue driven from one or two threads.

use std::cell::Cell;
use std::thread;

use isr_queue::{SpscQueue, Stats};

#[test]
fn new_queue_is_empty() {
    let q = SpscQueue::<u32, 4>::new();
    let (_tx, mut rx) = q.split().unwrap();
    assert_eq!(q.capacity(), 4);
    assert!(q.is_empty() && rx.is_empty());
    assert_eq!(rx.pop(), None);
    assert_eq!(rx.drain().next(), None);
    assert_eq!(rx.drain_into(&mut [0; 4]), 0);
    assert_eq!(q.stats(), Stats::default());
}

#[test]
fn full_queue_drops_the_new_item_and_counts_it() {
    let q = SpscQueue::<u32, 4>::new();
    let (mut tx, mut rx) = q.split().unwrap();
    for i in 0..4 {
        assert_eq!(tx.push(i), Ok(()));
    }
    assert_eq!(tx.push(4), Err(4));
    assert_eq!(tx.push(5), Err(5));
    let stats = Stats {
        pushed: 6,
        dropped: 2,
        high_water: 4,
        len: 4,
    };
    assert_eq!(q.stats(), stats);
    // The queued items are the oldest ones, in order.
    assert_eq!(rx.drain().collect::<Vec<_>>(), [0, 1, 2, 3]);
    assert_eq!(tx.push(6), Ok(()));
    assert_eq!(rx.pop(), Some(6));
}

#[test]
fn capacity_one_alternates_between_full_and_empty() {
    let q = SpscQueue::<u8, 1>::new();
    let (mut tx, mut rx) = q.split().unwrap();
    for i in 0..5 {
        assert_eq!(tx.push(i), Ok(()));
        assert_eq!(tx.push(99), Err(99));
        assert_eq!(rx.pop(), Some(i));
        assert_eq!(rx.pop(), None);
    }
    assert_eq!(q.stats().dropped, 5);
}

#[test]
fn indices_wrap_past_u32_max() {
    for start in [u32::MAX - 5, u32::MAX - 1, u32::MAX] {
        let q = SpscQueue::<u32, 4>::starting_at(start);
        let (mut tx, mut rx) = q.split().unwrap();
        for round in 0..6 {
            let n = 1 + round % 4;
            for i in 0..n {
                tx.push(round * 10 + i).unwrap();
            }
            assert_eq!(q.len() as u32, n);
            for i in 0..n {
                assert_eq!(rx.pop(), Some(round * 10 + i));
            }
        }
        assert_eq!(q.stats().pushed, 1 + 2 + 3 + 4 + 1 + 2);
    }
}

#[test]
fn drain_into_copies_across_the_end_of_the_array_and_the_index_wrap() {
    let q = SpscQueue::<u32, 8>::starting_at(u32::MAX - 2);
    let (mut tx, mut rx) = q.split().unwrap();
    // Indices u32::MAX - 2 ..= 3, in slots 5, 6, 7, 0, 1, 2.
    (0..6).for_each(|i| tx.push(i).unwrap());
    let mut out = [99; 16];
    assert_eq!(rx.drain_into(&mut out), 6);
    assert_eq!(out[..6], [0, 1, 2, 3, 4, 5]);
    assert_eq!(out[6..], [99; 10], "the rest of the buffer is untouched");
    // Now full, with the first item in slot 3.
    (6..14).for_each(|i| tx.push(i).unwrap());
    assert_eq!(rx.drain_into(&mut out), 8);
    assert!(out[..8].iter().copied().eq(6..14));
}

#[test]
fn drain_into_a_short_buffer_leaves_the_rest() {
    let q = SpscQueue::<u32, 8>::new();
    let (mut tx, mut rx) = q.split().unwrap();
    (0..6).for_each(|i| tx.push(i).unwrap());
    let mut out = [0; 4];
    assert_eq!(rx.drain_into(&mut out), 4);
    assert_eq!(out, [0, 1, 2, 3]);
    assert_eq!(rx.drain_into(&mut []), 0);
    assert_eq!(rx.drain_into(&mut out), 2);
    assert_eq!(out[..2], [4, 5]);
    assert!(q.is_empty());
}

#[test]
fn partial_drain_frees_only_what_it_yielded() {
    let q = SpscQueue::<u32, 8>::new();
    let (mut tx, mut rx) = q.split().unwrap();
    (0..6).for_each(|i| tx.push(i).unwrap());
    let mut drain = rx.drain();
    assert_eq!(drain.len(), 6);
    assert_eq!(drain.next(), Some(0));
    assert_eq!(drain.len(), 5);
    // Not yet freed: the index is published when the iterator is dropped.
    assert_eq!(q.len(), 6);
    drop(drain);
    assert_eq!(q.len(), 5);
    assert_eq!(rx.drain().take(2).collect::<Vec<_>>(), [1, 2]);
    // Items pushed after the drain started wait for the next one.
    let mut drain = rx.drain();
    tx.push(6).unwrap();
    assert_eq!(drain.by_ref().collect::<Vec<_>>(), [3, 4, 5]);
    drop(drain);
    assert_eq!(rx.pop(), Some(6));
}

#[test]
fn roles_are_exclusive_until_released() {
    static Q: SpscQueue<u32, 4> = SpscQueue::new();
    let tx = Q.claim_producer().unwrap();
    assert!(Q.claim_producer().is_none());
    // `split` fails without keeping the consumer it could claim.
    assert!(Q.split().is_none());
    let rx = Q.claim_consumer().unwrap();
    assert!(Q.claim_consumer().is_none());
    drop((tx, rx));
    let (mut tx, mut rx) = Q.split().unwrap();
    tx.push(1).unwrap();
    drop(tx);
    // A new producer continues from where the previous one stopped.
    Q.claim_producer().unwrap().push(2).unwrap();
    assert_eq!(rx.drain().collect::<Vec<_>>(), [1, 2]);
}

#[test]
fn reset_restarts_counters_and_high_water_from_the_current_length() {
    let q = SpscQueue::<u32, 4>::new();
    let (mut tx, mut rx) = q.split().unwrap();
    (0..6).for_each(|i| {
        let _ = tx.push(i);
    });
    rx.pop();
    q.reset_stats();
    let expected = Stats {
        pushed: 0,
        dropped: 0,
        high_water: 3,
        len: 3,
    };
    assert_eq!(q.stats(), expected);
    rx.pop();
    tx.push(7).unwrap();
    tx.push(8).unwrap();
    tx.push(9).unwrap_err();
    let expected = Stats {
        pushed: 3,
        dropped: 1,
        high_water: 4,
        len: 4,
    };
    assert_eq!(q.stats(), expected);
}

#[test]
fn high_water_is_the_largest_length_seen_by_a_push() {
    let q = SpscQueue::<u32, 8>::new();
    let (mut tx, mut rx) = q.split().unwrap();
    (0..3).for_each(|i| tx.push(i).unwrap());
    rx.drain().for_each(drop);
    // The producer's cached consumer index is stale here; the mark must not be.
    for i in 0..10 {
        tx.push(i).unwrap();
        rx.pop().unwrap();
    }
    assert_eq!(q.stats().high_water, 3);
    (0..5).for_each(|i| tx.push(i).unwrap());
    assert_eq!(q.stats().high_water, 5);
}

#[test]
fn push_notify_signals_each_accepted_push_only() {
    let q = SpscQueue::<u32, 2>::new();
    let (mut tx, _rx) = q.split().unwrap();
    let signals = Cell::new(0);
    let notify = || signals.set(signals.get() + 1);
    assert_eq!(tx.push_notify(1, &notify), Ok(()));
    assert_eq!(tx.push_notify(2, &notify), Ok(()));
    assert_eq!(tx.push_notify(3, &notify), Err(3));
    assert_eq!(signals.get(), 2);
}

#[test]
fn items_cross_threads_in_order_without_loss() {
    const ITEMS: u32 = if cfg!(miri) { 300 } else { 200_000 };
    static Q: SpscQueue<u32, 16> = SpscQueue::starting_at(u32::MAX - 100);
    let (mut tx, mut rx) = Q.split().unwrap();
    let producer = thread::spawn(move || {
        for i in 0..ITEMS {
            while tx.push(i).is_err() {
                thread::yield_now();
            }
        }
    });
    // Rotate through the three ways of consuming.
    let mut received = Vec::with_capacity(ITEMS as usize);
    let mut buf = [0; 5];
    for round in 0.. {
        if received.len() == ITEMS as usize {
            break;
        }
        match round % 3 {
            0 => received.extend(rx.pop()),
            1 => received.extend(rx.drain()),
            _ => {
                let n = rx.drain_into(&mut buf);
                received.extend_from_slice(&buf[..n]);
            }
        }
        thread::yield_now();
    }
    assert!(received.iter().copied().eq(0..ITEMS));
    producer.join().unwrap();
    let stats = Q.stats();
    assert_eq!(stats.pushed - stats.dropped, ITEMS);
    assert_eq!(stats.len, 0);
}
