//! Properties of the tracker and the ring over random inputs.

mod common;

use std::collections::BTreeMap;

use common::{frame, Pt};
use ft5x06::{Event, Transform};
use proptest::prelude::*;
use touch_port::{EventRing, Kind, TouchEvent, Tracker, EMPTY_EVENT, MAX_EVENTS_PER_FRAME};

/// A frame: up to 5 points with distinct IDs (0..=14).
fn frame_points() -> impl Strategy<Value = Vec<Pt>> {
    proptest::collection::btree_map(
        0u8..15,
        (0u8..4, 0u16..4096, 0u16..4096, any::<u8>()),
        0..=5,
    )
    .prop_map(|m| {
        m.into_iter()
            .map(|(id, (flag, x, y, w))| (Event::from_bits(flag), id, x, y, w))
            .collect()
    })
}

fn transform() -> impl Strategy<Value = Transform> {
    (
        0u16..1000,
        0u16..1000,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(w, h, ix, iy, s)| Transform {
            screen_width: w,
            screen_height: h,
            inverted_x: ix,
            inverted_y: iy,
            swapped_x_y: s,
        })
}

proptest! {
    /// Each contact's events read Down, Move*, Up; a Move always changes something; after
    /// each frame exactly the pressed IDs are down; coordinates stay on the screen.
    #[test]
    fn tracker_keeps_contacts_consistent(
        t in transform(),
        frames in proptest::collection::vec(frame_points(), 1..40),
    ) {
        let mut tracker = Tracker::new(t);
        let mut last: BTreeMap<u8, TouchEvent> = BTreeMap::new();
        let axis = |size: u16| if size == 0 { 4095 } else { size - 1 };
        let (max_x, max_y) = if t.swapped_x_y {
            (axis(t.screen_height), axis(t.screen_width))
        } else {
            (axis(t.screen_width), axis(t.screen_height))
        };
        for (ts, pts) in frames.iter().enumerate() {
            let events = tracker.update(&frame(pts), ts as u64);
            prop_assert!(events.len() <= MAX_EVENTS_PER_FRAME);
            let mut seen = Vec::new();
            for e in &events {
                prop_assert_eq!(e.timestamp_us, ts as u64);
                prop_assert!(e.x <= max_x && e.y <= max_y, "({}, {}) off screen", e.x, e.y);
                prop_assert_eq!(e.pressure == 0, e.kind == Kind::Up);
                match (last.get(&e.id), e.kind) {
                    (None, Kind::Down) => { last.insert(e.id, *e); }
                    (Some(prev), Kind::Move) => {
                        prop_assert!((prev.x, prev.y, prev.pressure) != (e.x, e.y, e.pressure),
                            "suppressed Move emitted: {:?} after {:?}", e, prev);
                        last.insert(e.id, *e);
                    }
                    (Some(_), Kind::Up) => { last.remove(&e.id); }
                    (prev, kind) => prop_assert!(false, "{:?} after {:?}", kind, prev),
                }
                // At most one event per ID and frame (IDs in a frame are distinct).
                prop_assert!(!seen.contains(&e.id), "two events for id {}", e.id);
                seen.push(e.id);
            }
            let pressed: Vec<u8> = pts
                .iter()
                .filter(|p| matches!(p.0, Event::Down | Event::Contact))
                .map(|p| p.1)
                .collect();
            let down: Vec<u8> = last.keys().copied().collect();
            let mut expected = pressed.clone();
            expected.sort_unstable();
            prop_assert_eq!(&down, &expected);
            prop_assert_eq!(tracker.active(), pressed.len());
            prop_assert!(pressed.iter().all(|&id| tracker.is_down(id)));
        }
        prop_assert_eq!(tracker.overflows(), 0);
    }

    /// Whatever the interleaving of pushes and reads, nothing is lost unaccounted:
    /// pushed = delivered + dropped + len, events come out in order, high-water <= capacity.
    #[test]
    fn ring_accounts_for_every_event(ops in proptest::collection::vec((any::<bool>(), 1usize..20), 1..60)) {
        let ring: EventRing<16> = EventRing::new();
        let mut w = ring.writer().unwrap();
        let mut r = ring.reader().unwrap();
        let mut next = 0u64;
        let mut accepted = Vec::new();
        let mut read = Vec::new();
        for (push, n) in ops {
            if push {
                for _ in 0..n {
                    let e = TouchEvent { timestamp_us: next, ..EMPTY_EVENT };
                    if w.push(e) { accepted.push(next); }
                    next += 1;
                }
            } else {
                let mut buf = [EMPTY_EVENT; 20];
                let k = r.read_into(&mut buf[..n]);
                read.extend(buf[..k].iter().map(|e| e.timestamp_us));
            }
            let s = ring.stats();
            prop_assert_eq!(s.pushed as u64, next);
            prop_assert_eq!(s.pushed, s.delivered + s.dropped + s.len);
            prop_assert_eq!(s.delivered as usize, read.len());
            prop_assert!(s.high_water <= 16 && s.len <= s.high_water);
        }
        prop_assert_eq!(&accepted[..read.len()], &read[..]);
    }
}
