// SPDX-License-Identifier: Apache-2.0

//! Turning successive controller frames into down / move / up events.

use ft5x06::{Event, Frame, TouchPoint, Transform};
use heapless::Vec;

use crate::event::{Kind, TouchEvent};

/// The most contacts tracked at once: the most points an FT5x06 reports.
pub const MAX_CONTACTS: usize = ft5x06::MAX_POINTS;

/// The most events one frame can produce: an inferred lift for each tracked contact plus one
/// event for each point of the frame.
pub const MAX_EVENTS_PER_FRAME: usize = 2 * MAX_CONTACTS;

/// The events of one [`Tracker::update`], in the order they happened.
pub type FrameEvents = Vec<TouchEvent, MAX_EVENTS_PER_FRAME>;

/// The last reported state of a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Contact {
    id: u8,
    x: u16,
    y: u16,
    pressure: u8,
}

/// Follows the contacts across frames and reports their changes as [`TouchEvent`]s. Bounded
/// (at most [`MAX_CONTACTS`] contacts, [`MAX_EVENTS_PER_FRAME`] events a frame) and without
/// allocation.
///
/// For each frame, [`update`](Self::update):
///
/// 1. reports [`Kind::Up`] at the last known position for every tracked contact whose ID is
///    missing from the frame: firmwares differ in whether a lifted finger is ever reported
///    with [`Event::Up`], and coalesced interrupts can skip the frame that did;
/// 2. then, for each point of the frame in slot order, with its coordinates mapped by the
///    [`Transform`] (size clamp, inversion, swap: touchscreen-common semantics):
///    * [`Event::Down`] or [`Event::Contact`]: [`Kind::Down`] for a new ID, else [`Kind::Move`],
///      unless position and pressure are those last reported (no event). A repeated `Down`
///      flag (the registers are read again before the controller updated them) is no new
///      touch;
///    * [`Event::Up`] or [`Event::NoEvent`]: [`Kind::Up`] at the reported position if the ID
///      is tracked, nothing otherwise (a repeated lift). Like Zephyr's FT5336 driver, only
///      `Down` and `Contact` count as pressed.
///
/// Pressed events carry the point's `weight` as pressure, raised to 1 if the firmware leaves
/// it at 0; `Up` carries 0 (see [`TouchEvent`]).
#[derive(Debug, Clone)]
pub struct Tracker {
    transform: Transform,
    contacts: Vec<Contact, MAX_CONTACTS>,
    /// Downs that found no free contact slot (only possible with a frame that repeats IDs).
    overflows: u32,
}

impl Tracker {
    /// A tracker with no contacts, mapping coordinates with `transform`.
    pub const fn new(transform: Transform) -> Self {
        Self {
            transform,
            contacts: Vec::new(),
            overflows: 0,
        }
    }

    /// The coordinate mapping in use.
    pub const fn transform(&self) -> &Transform {
        &self.transform
    }

    /// Changes the coordinate mapping for the following frames (e.g. after a rotation).
    pub fn set_transform(&mut self, transform: Transform) {
        self.transform = transform;
    }

    /// The number of contacts currently down.
    pub fn active(&self) -> usize {
        self.contacts.len()
    }

    /// Whether contact `id` is down.
    pub fn is_down(&self, id: u8) -> bool {
        self.contacts.iter().any(|c| c.id == id)
    }

    /// Downs dropped because all [`MAX_CONTACTS`] slots were taken. A frame has at most
    /// [`MAX_CONTACTS`] points and contacts missing from it are lifted first, so this stays 0
    /// unless a frame repeats IDs in several slots, which the controller does not do.
    pub fn overflows(&self) -> u32 {
        self.overflows
    }

    /// Feeds one frame read at `timestamp_us` and returns the events it produced.
    pub fn update(&mut self, frame: &Frame, timestamp_us: u64) -> FrameEvents {
        let mut out = FrameEvents::new();
        self.update_with(frame, timestamp_us, |e| {
            // Cannot fail: at most MAX_CONTACTS lifts plus one event per point.
            let _ = out.push(e);
        });
        out
    }

    /// [`update`](Self::update), handing each event to `emit` instead of collecting them.
    pub fn update_with(
        &mut self,
        frame: &Frame,
        timestamp_us: u64,
        mut emit: impl FnMut(TouchEvent),
    ) {
        // 1. Contacts that vanished from the frame were lifted.
        self.contacts.retain(|c| {
            let present = frame.iter().any(|p| p.id == c.id);
            if !present {
                emit(lift(c, c.x, c.y, timestamp_us));
            }
            present
        });
        // 2. The frame's points, in slot order.
        for p in frame {
            if let Some(e) = self.point(p, timestamp_us) {
                emit(e);
            }
        }
    }

    /// Lifts every contact (e.g. when the device fails or the port closes), reporting
    /// [`Kind::Up`] at each one's last position.
    pub fn lift_all(&mut self, timestamp_us: u64, mut emit: impl FnMut(TouchEvent)) {
        for c in &self.contacts {
            emit(lift(c, c.x, c.y, timestamp_us));
        }
        self.contacts.clear();
    }

    fn point(&mut self, p: &TouchPoint, timestamp_us: u64) -> Option<TouchEvent> {
        let (x, y) = self.transform.apply(p.x, p.y);
        let slot = self.contacts.iter().position(|c| c.id == p.id);
        match p.event {
            Event::Down | Event::Contact => {
                let now = Contact {
                    id: p.id,
                    x,
                    y,
                    pressure: p.weight.max(1),
                };
                let kind = match slot {
                    Some(i) => {
                        let last = self.contacts.get_mut(i)?;
                        if *last == now {
                            return None;
                        }
                        *last = now;
                        Kind::Move
                    }
                    None => {
                        if self.contacts.push(now).is_err() {
                            self.overflows = self.overflows.wrapping_add(1);
                            return None;
                        }
                        Kind::Down
                    }
                };
                Some(TouchEvent {
                    timestamp_us,
                    x,
                    y,
                    pressure: now.pressure,
                    kind,
                    id: p.id,
                })
            }
            Event::Up | Event::NoEvent => {
                let c = self.contacts.remove(slot?);
                Some(lift(&c, x, y, timestamp_us))
            }
        }
    }
}

impl Default for Tracker {
    fn default() -> Self {
        Self::new(Transform::IDENTITY)
    }
}

fn lift(c: &Contact, x: u16, y: u16, timestamp_us: u64) -> TouchEvent {
    TouchEvent {
        timestamp_us,
        x,
        y,
        pressure: 0,
        kind: Kind::Up,
        id: c.id,
    }
}
