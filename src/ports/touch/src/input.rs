// SPDX-License-Identifier: Apache-2.0

//! The input bridge: events of Zephyr's input subsystem (any touch driver: ft5336, gt911,
//! xpt2046, stmpe811, ...) into the same [`TouchEvent`]s and ring as the FT5x06 path.
//!
//! The bridge's input callback runs in the input thread (or the reporting driver's context);
//! like the INT ISR it only pushes an [`InputEvent`] wait-free into a static queue
//! ([`on_input`]) and wakes the drain thread, which turns the queued events into touch events
//! with an [`InputTracker`] ([`drain_input`]).
//!
//! Touch drivers report a contact as `INPUT_ABS_X`, `INPUT_ABS_Y` (already mapped by the
//! driver's touchscreen-common properties) then `INPUT_BTN_TOUCH` = 1 with `sync`, and a lift
//! as `INPUT_BTN_TOUCH` = 0 with `sync`; multi-touch drivers first select the contact with
//! `INPUT_ABS_MT_SLOT`. Zephyr has no pressure code, so pressed events carry pressure 1 (0 is
//! a lift, as in the seed's `{touch, X, Y, Pressure, Timestamp}`).

use isr_queue::{Consumer, Notify, SpscQueue};

use crate::event::{Kind, TouchEvent};
use crate::ring::RingWriter;

/// `INPUT_EV_KEY`.
pub const EV_KEY: u8 = 0x01;
/// `INPUT_EV_ABS`.
pub const EV_ABS: u8 = 0x03;
/// `INPUT_ABS_X`.
pub const ABS_X: u16 = 0x00;
/// `INPUT_ABS_Y`.
pub const ABS_Y: u16 = 0x01;
/// `INPUT_ABS_MT_SLOT`.
pub const ABS_MT_SLOT: u16 = 0x2f;
/// `INPUT_BTN_TOUCH`.
pub const BTN_TOUCH: u16 = 0x14a;

/// Contacts (multi-touch slots) followed at once; events of higher slots are ignored.
pub const MAX_SLOTS: usize = 10;

/// One `struct input_event`, as the bridge queues it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InputEvent {
    /// When the bridge saw it, in microseconds of uptime.
    pub timestamp_us: u64,
    /// The value (coordinate, slot, key state).
    pub value: i32,
    /// The code (`INPUT_ABS_X`, `INPUT_BTN_TOUCH`, ...).
    pub code: u16,
    /// The type (`INPUT_EV_ABS`, `INPUT_EV_KEY`, ...).
    pub kind: u8,
    /// The report is complete.
    pub sync: bool,
}

/// The bridge's input callback body: queues `event` and wakes the drain thread. Returns
/// whether it was queued (`false`: full, counted by the queue as dropped). Wait-free.
#[inline]
pub fn on_input<const M: usize>(
    queue: &SpscQueue<InputEvent, M>,
    event: InputEvent,
    wake: &impl Notify,
) -> bool {
    match queue.claim_producer() {
        Some(mut tx) => tx.push_notify(event, wake).is_ok(),
        None => false,
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Slot {
    x: u16,
    y: u16,
    /// `INPUT_BTN_TOUCH` as last reported for this slot.
    touching: bool,
    /// A down has been reported and no up since.
    down: bool,
    /// Position of the last reported event.
    last: (u16, u16),
    /// Changed since the last sync.
    dirty: bool,
}

/// Turns input events into down / move / up [`TouchEvent`]s, per multi-touch slot (the
/// event's contact id). Positions repeated without a change give no event.
#[derive(Debug, Clone, Default)]
pub struct InputTracker {
    slots: [Slot; MAX_SLOTS],
    current: usize,
}

fn coord(v: i32) -> u16 {
    u16::try_from(v.max(0)).unwrap_or(u16::MAX)
}

impl InputTracker {
    /// No contact.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one input event; on `sync`, calls `emit` for each contact that changed.
    pub fn feed(&mut self, e: &InputEvent, mut emit: impl FnMut(TouchEvent)) {
        match (e.kind, e.code) {
            (EV_ABS, ABS_MT_SLOT) => {
                self.current = usize::try_from(e.value).unwrap_or(MAX_SLOTS);
            }
            (EV_ABS, ABS_X) => {
                if let Some(s) = self.slots.get_mut(self.current) {
                    s.x = coord(e.value);
                    s.dirty = true;
                }
            }
            (EV_ABS, ABS_Y) => {
                if let Some(s) = self.slots.get_mut(self.current) {
                    s.y = coord(e.value);
                    s.dirty = true;
                }
            }
            (EV_KEY, BTN_TOUCH) => {
                if let Some(s) = self.slots.get_mut(self.current) {
                    s.touching = e.value != 0;
                    s.dirty = true;
                }
            }
            _ => {}
        }
        if e.sync {
            self.sync(e.timestamp_us, &mut emit);
        }
    }

    fn sync(&mut self, timestamp_us: u64, emit: &mut impl FnMut(TouchEvent)) {
        for (id, s) in self.slots.iter_mut().enumerate() {
            if !s.dirty {
                continue;
            }
            s.dirty = false;
            let kind = match (s.touching, s.down) {
                (true, false) => Kind::Down,
                (true, true) if (s.x, s.y) != s.last => Kind::Move,
                (false, true) => Kind::Up,
                _ => continue,
            };
            // A lift is reported where the contact was last seen.
            let (x, y) = if kind == Kind::Up { s.last } else { (s.x, s.y) };
            s.down = s.touching;
            s.last = (x, y);
            emit(TouchEvent {
                timestamp_us,
                x,
                y,
                pressure: u8::from(kind != Kind::Up),
                kind,
                id: id as u8,
            });
        }
    }
}

/// What one [`drain_input`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InputCounts {
    /// Input events taken from the queue.
    pub inputs: usize,
    /// Touch events made of them.
    pub events: usize,
    /// Of those, events the full ring dropped.
    pub dropped: usize,
}

/// Takes every queued input event, in order, through `tracker` into `ring`; calls
/// `wake_port` once if any event was queued.
pub fn drain_input<const M: usize, const N: usize>(
    queue: &mut Consumer<'_, InputEvent, M>,
    tracker: &mut InputTracker,
    ring: &mut RingWriter<'_, N>,
    wake_port: &impl Notify,
) -> InputCounts {
    let mut counts = InputCounts::default();
    let mut buf = [InputEvent::default(); 16];
    loop {
        let n = queue.drain_into(&mut buf);
        for e in buf.get(..n).unwrap_or(&[]) {
            tracker.feed(e, |t| {
                counts.events += 1;
                if !ring.push(t) {
                    counts.dropped += 1;
                }
            });
        }
        counts.inputs += n;
        if n < buf.len() {
            break;
        }
    }
    if counts.events > counts.dropped {
        wake_port.notify();
    }
    counts
}
