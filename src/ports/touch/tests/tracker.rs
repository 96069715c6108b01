//! The tracker: frames to down / move / up events, and the events' Erlang terms.

mod common;

use common::{a, encode, frame, i, T};
use ft5x06::{Event::*, Frame, Transform};
use touch_port::{Batch, Format, Kind, TouchEvent, Tracker, MAX_CONTACTS};

/// (kind, id, x, y, pressure) of each event.
fn summary(events: &[TouchEvent]) -> Vec<(Kind, u8, u16, u16, u8)> {
    events
        .iter()
        .map(|e| (e.kind, e.id, e.x, e.y, e.pressure))
        .collect()
}

#[test]
fn single_touch_down_move_up() {
    let mut t = Tracker::default();
    let down = t.update(&frame(&[(Down, 0, 100, 200, 30)]), 1_000);
    assert_eq!(summary(&down), [(Kind::Down, 0, 100, 200, 30)]);
    assert_eq!(down[0].timestamp_us, 1_000);
    assert!(t.is_down(0));

    let moved = t.update(&frame(&[(Contact, 0, 110, 205, 30)]), 2_000);
    assert_eq!(summary(&moved), [(Kind::Move, 0, 110, 205, 30)]);
    assert_eq!(moved[0].timestamp_us, 2_000);

    let up = t.update(&frame(&[(Up, 0, 112, 206, 0)]), 3_000);
    assert_eq!(summary(&up), [(Kind::Up, 0, 112, 206, 0)]);
    assert_eq!(t.active(), 0);

    // The controller repeats the lift, then reports nothing: no more events.
    assert!(t.update(&frame(&[(Up, 0, 112, 206, 0)]), 4_000).is_empty());
    assert!(t.update(&Frame::EMPTY, 5_000).is_empty());
}

#[test]
fn contact_without_down_starts_a_touch_and_repeated_down_is_a_move() {
    let mut t = Tracker::default();
    // The Down frame was missed (coalesced): the first Contact is the touch.
    let e = t.update(&frame(&[(Contact, 3, 10, 10, 5)]), 1);
    assert_eq!(summary(&e), [(Kind::Down, 3, 10, 10, 5)]);
    // Registers read again before the controller updated them: still flagged Down.
    let e = t.update(&frame(&[(Down, 3, 10, 10, 5)]), 2);
    assert!(
        e.is_empty(),
        "unchanged repeated Down must be suppressed: {e:?}"
    );
    let e = t.update(&frame(&[(Down, 3, 11, 10, 5)]), 3);
    assert_eq!(summary(&e), [(Kind::Move, 3, 11, 10, 5)]);
}

#[test]
fn move_is_suppressed_unless_position_or_pressure_changes() {
    let mut t = Tracker::default();
    t.update(&frame(&[(Down, 1, 50, 60, 10)]), 0);
    assert!(t.update(&frame(&[(Contact, 1, 50, 60, 10)]), 1).is_empty());
    assert!(t.update(&frame(&[(Contact, 1, 50, 60, 10)]), 2).is_empty());
    // Pressure alone changes: a Move.
    let e = t.update(&frame(&[(Contact, 1, 50, 60, 11)]), 3);
    assert_eq!(summary(&e), [(Kind::Move, 1, 50, 60, 11)]);
    // Y alone changes: a Move; then the same again: nothing.
    let e = t.update(&frame(&[(Contact, 1, 50, 61, 11)]), 4);
    assert_eq!(summary(&e), [(Kind::Move, 1, 50, 61, 11)]);
    assert!(t.update(&frame(&[(Contact, 1, 50, 61, 11)]), 5).is_empty());
}

#[test]
fn suppression_compares_screen_coordinates() {
    // Two controller positions beyond the screen clamp to the same screen point.
    let mut t = Tracker::new(Transform::new(320, 240));
    let e = t.update(&frame(&[(Down, 0, 400, 300, 9)]), 0);
    assert_eq!(summary(&e), [(Kind::Down, 0, 319, 239, 9)]);
    assert!(t.update(&frame(&[(Contact, 0, 500, 250, 9)]), 1).is_empty());
}

#[test]
fn zero_weight_reports_pressure_one_while_pressed() {
    let mut t = Tracker::default();
    let e = t.update(&frame(&[(Down, 0, 1, 2, 0)]), 0);
    assert_eq!(summary(&e), [(Kind::Down, 0, 1, 2, 1)]);
    let e = t.update(&Frame::EMPTY, 1);
    assert_eq!(summary(&e), [(Kind::Up, 0, 1, 2, 0)]);
}

#[test]
fn two_fingers() {
    let mut t = Tracker::default();
    let e = t.update(&frame(&[(Down, 0, 10, 10, 8)]), 0);
    assert_eq!(summary(&e), [(Kind::Down, 0, 10, 10, 8)]);
    let e = t.update(
        &frame(&[(Contact, 0, 10, 10, 8), (Down, 1, 300, 200, 7)]),
        1,
    );
    assert_eq!(summary(&e), [(Kind::Down, 1, 300, 200, 7)]);
    let e = t.update(
        &frame(&[(Contact, 0, 12, 10, 8), (Contact, 1, 298, 200, 7)]),
        2,
    );
    assert_eq!(
        summary(&e),
        [(Kind::Move, 0, 12, 10, 8), (Kind::Move, 1, 298, 200, 7)]
    );
    // The first finger lifts, reported by the controller.
    let e = t.update(&frame(&[(Up, 0, 12, 10, 0), (Contact, 1, 298, 200, 7)]), 3);
    assert_eq!(summary(&e), [(Kind::Up, 0, 12, 10, 0)]);
    assert_eq!(t.active(), 1);
    assert!(t.is_down(1) && !t.is_down(0));
}

#[test]
fn five_fingers_down_and_all_lifted_by_an_empty_frame() {
    let mut t = Tracker::default();
    let pts: Vec<_> = (0..5u8)
        .map(|id| (Down, id, 100 * u16::from(id), 50, 10 + id))
        .collect();
    let e = t.update(&frame(&pts), 7);
    assert_eq!(e.len(), 5);
    assert!(e
        .iter()
        .all(|e| e.kind == Kind::Down && e.timestamp_us == 7));
    assert_eq!(e.iter().map(|e| e.id).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
    assert_eq!(t.active(), MAX_CONTACTS);

    let e = t.update(&Frame::EMPTY, 8);
    assert_eq!(
        summary(&e),
        (0..5u8)
            .map(|id| (Kind::Up, id, 100 * u16::from(id), 50, 0))
            .collect::<Vec<_>>()
    );
    assert_eq!(t.active(), 0);
    assert_eq!(t.overflows(), 0);
}

#[test]
fn a_missing_id_is_a_lift_reported_before_the_new_points() {
    let mut t = Tracker::default();
    let pts: Vec<_> = (0..5u8)
        .map(|id| (Contact, id, u16::from(id), 0, 1))
        .collect();
    t.update(&frame(&pts), 0);
    // ID 2 vanished without an Up flag and a new ID 7 took its slot: the lift comes first,
    // at 2's last position, and 7 still finds a free contact.
    let mut next = pts.clone();
    next[2] = (Down, 7, 900, 900, 4);
    let e = t.update(&frame(&next), 1);
    assert_eq!(
        summary(&e),
        [(Kind::Up, 2, 2, 0, 0), (Kind::Down, 7, 900, 900, 4)]
    );
    assert!(!t.is_down(2) && t.is_down(7));
    assert_eq!(t.active(), 5);
    assert_eq!(t.overflows(), 0);
}

#[test]
fn no_event_flag_counts_as_released() {
    let mut t = Tracker::default();
    t.update(&frame(&[(Down, 4, 5, 6, 2)]), 0);
    let e = t.update(&frame(&[(NoEvent, 4, 7, 8, 0)]), 1);
    assert_eq!(summary(&e), [(Kind::Up, 4, 7, 8, 0)]);
    // Not tracked: a NoEvent point starts nothing.
    assert!(t.update(&frame(&[(NoEvent, 5, 7, 8, 3)]), 2).is_empty());
}

#[test]
fn axis_swap_and_inversion_follow_touchscreen_common() {
    // Controller X spans 0..480, Y 0..272; X mirrored, then swapped.
    let transform = Transform {
        inverted_x: true,
        swapped_x_y: true,
        ..Transform::new(480, 272)
    };
    let mut t = Tracker::new(transform);
    let e = t.update(&frame(&[(Down, 0, 0, 10, 1)]), 0);
    // x: 0 -> 479 (inverted), then swapped: (screen x, screen y) = (10, 479).
    assert_eq!((e[0].x, e[0].y), (10, 479));
    let e = t.update(&frame(&[(Contact, 0, 479, 271, 1)]), 1);
    assert_eq!((e[0].x, e[0].y), (271, 0));

    let mut t = Tracker::new(Transform {
        inverted_y: true,
        ..Transform::new(800, 480)
    });
    let e = t.update(&frame(&[(Down, 0, 20, 0, 1)]), 0);
    assert_eq!((e[0].x, e[0].y), (20, 479));

    // Changing the transform (e.g. a rotation) applies to the following frames.
    t.set_transform(Transform {
        swapped_x_y: true,
        ..Transform::new(800, 480)
    });
    let e = t.update(&frame(&[(Contact, 0, 20, 0, 1)]), 1);
    assert_eq!(summary(&e), [(Kind::Move, 0, 0, 20, 1)]);
}

#[test]
fn lift_all_reports_every_contact() {
    let mut t = Tracker::default();
    t.update(&frame(&[(Down, 0, 1, 1, 1), (Down, 9, 2, 2, 1)]), 0);
    let mut out = Vec::new();
    t.lift_all(5, |e| out.push(e));
    assert_eq!(
        summary(&out),
        [(Kind::Up, 0, 1, 1, 0), (Kind::Up, 9, 2, 2, 0)]
    );
    assert!(out.iter().all(|e| e.timestamp_us == 5));
    assert_eq!(t.active(), 0);
}

const EV: TouchEvent = TouchEvent {
    timestamp_us: 1_234_567,
    x: 320,
    y: 240,
    pressure: 40,
    kind: Kind::Move,
    id: 3,
};

#[test]
fn seed_term() {
    let expected = T::Tuple(vec![a("touch"), i(320), i(240), i(40), i(1_234_567)]);
    assert_eq!(encode(&EV), expected);
    assert_eq!(encode(&EV.term(Format::Seed)), expected);
}

#[test]
fn full_term_with_each_kind() {
    for (kind, name) in [(Kind::Down, "down"), (Kind::Move, "move"), (Kind::Up, "up")] {
        let e = TouchEvent { kind, ..EV };
        assert_eq!(
            encode(&e.term(Format::Full)),
            T::Tuple(vec![
                a("touch"),
                i(3),
                a(name),
                i(320),
                i(240),
                i(40),
                i(1_234_567)
            ])
        );
    }
}

#[test]
fn large_timestamps_are_boxed_and_saturate() {
    // 2^40 µs needs a boxed integer on a 32-bit VM; the words must account for it.
    let e = TouchEvent {
        timestamp_us: 1 << 40,
        ..EV
    };
    assert_eq!(
        encode(&e),
        T::Tuple(vec![a("touch"), i(320), i(240), i(40), i(1 << 40)])
    );
    let e = TouchEvent {
        timestamp_us: u64::MAX,
        ..EV
    };
    assert_eq!(
        encode(&e.term(Format::Full)),
        T::Tuple(vec![
            a("touch"),
            i(3),
            a("move"),
            i(320),
            i(240),
            i(40),
            i(i64::MAX)
        ])
    );
}

#[test]
fn batch_term() {
    let second = TouchEvent {
        kind: Kind::Up,
        pressure: 0,
        timestamp_us: 9,
        ..EV
    };
    let events = [EV, second];
    assert_eq!(
        encode(&Batch {
            events: &events,
            format: Format::Seed
        }),
        T::Tuple(vec![
            a("touch_events"),
            T::List(vec![
                T::Tuple(vec![a("touch"), i(320), i(240), i(40), i(1_234_567)]),
                T::Tuple(vec![a("touch"), i(320), i(240), i(0), i(9)]),
            ])
        ])
    );
    assert_eq!(
        encode(&Batch {
            events: &[],
            format: Format::Full
        }),
        T::Tuple(vec![a("touch_events"), T::List(vec![])])
    );
}
