//! The event ring and the drain step.

mod common;

use std::cell::Cell;

use common::frame;
use ft5x06::{Event::*, Frame};
use isr_queue::SpscQueue;
use touch_port::{
    drain_step, on_data_ready, DataReady, DrainCounts, EventRing, Kind, RingStats, TouchEvent,
    Tracker, EMPTY_EVENT,
};

fn ev(n: u64) -> TouchEvent {
    TouchEvent {
        timestamp_us: n,
        x: n as u16,
        y: 0,
        pressure: 1,
        kind: Kind::Move,
        id: 0,
    }
}

#[test]
fn ring_reads_in_order_into_vec_and_slice() {
    let ring: EventRing<8> = EventRing::new();
    let mut w = ring.writer().unwrap();
    let mut r = ring.reader().unwrap();
    assert!(
        ring.writer().is_none() && ring.reader().is_none(),
        "one side each"
    );
    for n in 0..5 {
        assert!(w.push(ev(n)));
    }
    let v = r.read_events::<4>(3);
    assert_eq!(v.as_slice(), [ev(0), ev(1), ev(2)]);
    let mut buf = [EMPTY_EVENT; 8];
    assert_eq!(r.read_into(&mut buf), 2);
    assert_eq!(buf[..2], [ev(3), ev(4)]);
    assert!(r.is_empty());
    // `max` beyond M is capped at M.
    for n in 5..8 {
        w.push(ev(n));
    }
    assert_eq!(r.read_events::<2>(100).as_slice(), [ev(5), ev(6)]);
    assert_eq!(ring.len(), 1);
}

#[test]
fn flooding_the_ring_counts_exactly() {
    let ring: EventRing<16> = EventRing::new();
    let mut w = ring.writer().unwrap();
    let mut r = ring.reader().unwrap();
    let accepted = (0..100).filter(|&n| w.push(ev(n))).count();
    assert_eq!(accepted, 16);
    assert_eq!(
        ring.stats(),
        RingStats {
            pushed: 100,
            dropped: 84,
            high_water: 16,
            delivered: 0,
            len: 16
        }
    );
    // The oldest events are the ones kept.
    let got = r.read_events::<32>(32);
    assert_eq!(got.len(), 16);
    assert!(got.iter().zip(0..).all(|(e, n)| *e == ev(n)));
    let s = ring.stats();
    assert_eq!((s.delivered, s.len, s.high_water), (16, 0, 16));
    assert_eq!(s.pushed, s.delivered + s.dropped);

    // After a reset the counters start over.
    ring.reset_stats();
    w.push(ev(1));
    assert_eq!(
        ring.stats(),
        RingStats {
            pushed: 1,
            dropped: 0,
            high_water: 1,
            delivered: 0,
            len: 1
        }
    );
}

/// Counts notifications.
fn counter(c: &Cell<u32>) -> impl Fn() + '_ {
    move || c.set(c.get() + 1)
}

#[test]
fn several_interrupts_coalesce_into_one_read() {
    let ready: SpscQueue<DataReady, 8> = SpscQueue::new();
    let ring: EventRing<16> = EventRing::new();
    let (isr_wakes, port_wakes) = (Cell::new(0), Cell::new(0));
    let mut rx = ready.claim_consumer().unwrap();
    let mut w = ring.writer().unwrap();
    let mut tracker = Tracker::default();

    for ts in [100, 200, 300] {
        assert!(on_data_ready(&ready, ts, &counter(&isr_wakes)));
    }
    assert_eq!(isr_wakes.get(), 3, "one give per queued item");

    let reads = Cell::new(0);
    let counts = drain_step(
        &mut rx,
        || {
            reads.set(reads.get() + 1);
            Ok::<_, ()>(frame(&[(Down, 0, 10, 20, 5), (Down, 1, 30, 40, 6)]))
        },
        &mut tracker,
        &mut w,
        &counter(&port_wakes),
    )
    .unwrap();
    assert_eq!(
        counts,
        DrainCounts {
            ready: 3,
            reads: 1,
            events: 2,
            dropped: 0
        }
    );
    assert_eq!(reads.get(), 1);
    assert_eq!(
        port_wakes.get(),
        1,
        "one port wakeup per step, not per event"
    );
    let mut r = ring.reader().unwrap();
    let got = r.read_events::<8>(8);
    assert_eq!(got.len(), 2);
    assert!(
        got.iter()
            .all(|e| e.kind == Kind::Down && e.timestamp_us == 300),
        "the newest edge's timestamp: {got:?}"
    );

    // A spurious wakeup: nothing pending, no read, no wake.
    let counts = drain_step(
        &mut rx,
        || -> Result<Frame, ()> { panic!("must not read without a pending interrupt") },
        &mut tracker,
        &mut w,
        &counter(&port_wakes),
    )
    .unwrap();
    assert_eq!(counts, DrainCounts::default());
    assert_eq!(port_wakes.get(), 1);

    // An unchanged frame: a read but no event, and no wake.
    on_data_ready(&ready, 400, &counter(&isr_wakes));
    let counts = drain_step(
        &mut rx,
        || Ok::<_, ()>(frame(&[(Contact, 0, 10, 20, 5), (Contact, 1, 30, 40, 6)])),
        &mut tracker,
        &mut w,
        &counter(&port_wakes),
    )
    .unwrap();
    assert_eq!((counts.ready, counts.reads, counts.events), (1, 1, 0));
    assert_eq!(port_wakes.get(), 1);
}

#[test]
fn a_full_interrupt_queue_drops_without_waking() {
    let ready: SpscQueue<DataReady, 4> = SpscQueue::new();
    let wakes = Cell::new(0);
    let queued = (0..10)
        .filter(|&ts| on_data_ready(&ready, ts, &counter(&wakes)))
        .count();
    assert_eq!((queued, wakes.get()), (4, 4));
    let s = ready.stats();
    assert_eq!((s.pushed, s.dropped, s.high_water), (10, 6, 4));
    // A producer held elsewhere (a second ISR on the same queue) cannot push.
    let _tx = ready.claim_producer().unwrap();
    let mut rx = ready.claim_consumer().unwrap();
    rx.drain().for_each(drop);
    assert!(!on_data_ready(&ready, 99, &counter(&wakes)));
    assert_eq!(wakes.get(), 4);
}

#[test]
fn a_failed_read_consumes_the_items_and_keeps_the_tracker() {
    let ready: SpscQueue<DataReady, 8> = SpscQueue::new();
    let ring: EventRing<8> = EventRing::new();
    let mut rx = ready.claim_consumer().unwrap();
    let mut w = ring.writer().unwrap();
    let mut tracker = Tracker::default();
    let nop = || {};
    on_data_ready(&ready, 1, &nop);
    drain_step(
        &mut rx,
        || Ok::<_, &str>(frame(&[(Down, 2, 5, 5, 5)])),
        &mut tracker,
        &mut w,
        &nop,
    )
    .unwrap();
    on_data_ready(&ready, 2, &nop);
    on_data_ready(&ready, 3, &nop);
    let err = drain_step(&mut rx, || Err("nack"), &mut tracker, &mut w, &nop).unwrap_err();
    assert_eq!((err.error, err.ready), ("nack", 2));
    assert!(rx.is_empty());
    assert!(tracker.is_down(2), "a failed read lifts nothing");
    assert_eq!(ring.len(), 1);
}

#[test]
fn drain_counts_ring_drops() {
    let ready: SpscQueue<DataReady, 8> = SpscQueue::new();
    let ring: EventRing<4> = EventRing::new();
    let mut rx = ready.claim_consumer().unwrap();
    let mut w = ring.writer().unwrap();
    let mut tracker = Tracker::default();
    let nop = || {};
    let five: Vec<_> = (0..5u8).map(|id| (Down, id, 1, 1, 1)).collect();
    on_data_ready(&ready, 1, &nop);
    let c = drain_step(
        &mut rx,
        || Ok::<_, ()>(frame(&five)),
        &mut tracker,
        &mut w,
        &nop,
    )
    .unwrap();
    assert_eq!((c.events, c.dropped), (5, 1));
    on_data_ready(&ready, 2, &nop);
    let c = drain_step(
        &mut rx,
        || Ok::<_, ()>(Frame::EMPTY),
        &mut tracker,
        &mut w,
        &nop,
    )
    .unwrap();
    assert_eq!((c.events, c.dropped), (5, 5));
    let s = ring.stats();
    assert_eq!((s.pushed, s.dropped, s.high_water, s.len), (10, 6, 4, 4));
}

/// A new reader skips, uncounted, what was written before its fence, and only that (even
/// across the wrap of the counters' positions).
#[test]
fn reader_skips_to_a_fence_uncounted() {
    let ring: EventRing<8> = EventRing::new();
    let mut w = ring.writer().unwrap();
    let mut r = ring.reader().unwrap();
    for n in 0..3 {
        assert!(w.push(ev(n)));
    }
    let fence = ring.written();
    assert_eq!(fence, 3);
    assert!(w.push(ev(10)));
    assert_eq!(r.skip_to(fence), 3);
    assert_eq!(r.skip_to(fence), 0, "the fence is behind");
    let mut out = [EMPTY_EVENT; 8];
    assert_eq!(r.read_into(&mut out), 1);
    assert_eq!(out[0], ev(10));
    assert_eq!(
        ring.stats().delivered,
        1,
        "skipped events are not delivered"
    );
    // A fence far behind (an old position) skips nothing.
    assert!(w.push(ev(11)));
    assert_eq!(r.skip_to(fence.wrapping_sub(1000)), 0);
    assert_eq!(r.read_into(&mut out), 1);
    // More than the ring holds between reads: only what is there goes.
    for n in 0..20 {
        w.push(ev(n));
    }
    assert_eq!(r.skip_to(ring.written()), 8);
    assert!(r.is_empty());
}
