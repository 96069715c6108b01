//! The input bridge: Zephyr input events to touch events.

use isr_queue::SpscQueue;
use touch_port::input::{
    drain_input, on_input, InputCounts, InputEvent, InputTracker, ABS_MT_SLOT, ABS_X, ABS_Y,
    BTN_TOUCH, EV_ABS, EV_KEY,
};
use touch_port::{EventRing, Kind, TouchEvent, EMPTY_EVENT};

struct Count(std::cell::Cell<u32>);

impl isr_queue::Notify for Count {
    fn notify(&self) {
        self.0.set(self.0.get() + 1);
    }
}

fn abs(code: u16, value: i32, t: u64) -> InputEvent {
    InputEvent {
        timestamp_us: t,
        value,
        code,
        kind: EV_ABS,
        sync: false,
    }
}

fn touch(value: i32, t: u64) -> InputEvent {
    InputEvent {
        timestamp_us: t,
        value,
        code: BTN_TOUCH,
        kind: EV_KEY,
        sync: true,
    }
}

/// What Zephyr's single-touch drivers (ft5336, xpt2046, stmpe811) report for a contact.
fn report(x: i32, y: i32, t: u64) -> [InputEvent; 3] {
    [abs(ABS_X, x, t), abs(ABS_Y, y, t), touch(1, t)]
}

fn feed_all(tr: &mut InputTracker, events: &[InputEvent]) -> Vec<TouchEvent> {
    let mut out = Vec::new();
    for e in events {
        tr.feed(e, |t| out.push(t));
    }
    out
}

fn ev(kind: Kind, id: u8, x: u16, y: u16, t: u64) -> TouchEvent {
    TouchEvent {
        timestamp_us: t,
        x,
        y,
        pressure: u8::from(kind != Kind::Up),
        kind,
        id,
    }
}

#[test]
fn single_touch_down_move_repeat_up() {
    let mut tr = InputTracker::new();
    let mut input = Vec::new();
    input.extend(report(10, 20, 1));
    input.extend(report(10, 20, 2)); // unchanged: no event
    input.extend(report(11, 25, 3));
    input.push(touch(0, 4));
    input.push(touch(0, 5)); // a second lift: nothing
    assert_eq!(
        feed_all(&mut tr, &input),
        [
            ev(Kind::Down, 0, 10, 20, 1),
            ev(Kind::Move, 0, 11, 25, 3),
            ev(Kind::Up, 0, 11, 25, 4)
        ]
    );
}

#[test]
fn nothing_before_sync_and_out_of_range_values_clamp() {
    let mut tr = InputTracker::new();
    let mut out = Vec::new();
    tr.feed(&abs(ABS_X, -5, 1), |t| out.push(t));
    tr.feed(&abs(ABS_Y, 70_000, 1), |t| out.push(t));
    assert!(out.is_empty());
    tr.feed(&touch(1, 2), |t| out.push(t));
    assert_eq!(out, [ev(Kind::Down, 0, 0, u16::MAX, 2)]);
}

#[test]
fn multi_touch_slots_are_contact_ids() {
    // gt911-style: the slot (synced), then the point.
    let slot = |s: i32, t: u64| InputEvent {
        sync: true,
        ..abs(ABS_MT_SLOT, s, t)
    };
    let mut tr = InputTracker::new();
    let mut input = vec![slot(0, 1)];
    input.extend(report(100, 100, 1));
    input.push(slot(3, 1));
    input.extend(report(200, 50, 1));
    input.push(slot(0, 2));
    input.extend(report(101, 100, 2));
    input.push(slot(3, 3));
    input.extend([abs(ABS_X, 200, 3), abs(ABS_Y, 50, 3), touch(0, 3)]);
    input.push(slot(42, 4)); // beyond MAX_SLOTS: ignored
    input.extend(report(1, 1, 4));
    assert_eq!(
        feed_all(&mut tr, &input),
        [
            ev(Kind::Down, 0, 100, 100, 1),
            ev(Kind::Down, 3, 200, 50, 1),
            ev(Kind::Move, 0, 101, 100, 2),
            ev(Kind::Up, 3, 200, 50, 3),
        ]
    );
}

#[test]
fn other_event_types_are_ignored() {
    let mut tr = InputTracker::new();
    let other = InputEvent {
        timestamp_us: 1,
        value: 1,
        code: 0x110, // INPUT_BTN_LEFT
        kind: EV_KEY,
        sync: true,
    };
    assert!(feed_all(&mut tr, &[other]).is_empty());
}

#[test]
fn queue_to_ring_in_order_with_exact_counts() {
    static Q: SpscQueue<InputEvent, 64> = SpscQueue::new();
    let ring: EventRing<4> = EventRing::new();
    let mut w = ring.writer().unwrap();
    let mut r = ring.reader().unwrap();
    let mut rx = Q.claim_consumer().unwrap();
    let wake = Count(Default::default());
    let port = Count(Default::default());
    let mut tr = InputTracker::new();

    // 6 reports (down + 5 moves) and a lift: 19 input events, 7 touch events, ring of 4.
    for i in 0..6 {
        for e in report(10 + i, 5, i as u64) {
            assert!(on_input(&Q, e, &wake));
        }
    }
    assert!(on_input(&Q, touch(0, 9), &wake));
    assert_eq!(wake.0.get(), 19);
    let c = drain_input(&mut rx, &mut tr, &mut w, &port);
    assert_eq!(
        c,
        InputCounts {
            inputs: 19,
            events: 7,
            dropped: 3
        }
    );
    assert_eq!(port.0.get(), 1);
    let mut out = [EMPTY_EVENT; 8];
    let n = r.read_into(&mut out);
    assert_eq!(n, 4);
    assert_eq!(out[0], ev(Kind::Down, 0, 10, 5, 0));
    assert!(out[1..4]
        .iter()
        .zip(11..)
        .all(|(e, x)| e.kind == Kind::Move && e.x == x));
    let s = ring.stats();
    assert_eq!((s.pushed, s.dropped, s.delivered), (7, 3, 4));

    // Nothing queued: no wakeup.
    assert_eq!(
        drain_input(&mut rx, &mut tr, &mut w, &port),
        InputCounts::default()
    );
    assert_eq!(port.0.get(), 1);
}

#[test]
fn full_queue_drops_and_counts() {
    static Q: SpscQueue<InputEvent, 4> = SpscQueue::new();
    let wake = Count(Default::default());
    let pushed = (0..6)
        .filter(|&i| on_input(&Q, touch(i % 2, 0), &wake))
        .count();
    assert_eq!(pushed, 4);
    assert_eq!(Q.stats().dropped, 2);
}
