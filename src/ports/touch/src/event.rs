// SPDX-License-Identifier: Apache-2.0

//! Touch events and their Erlang terms.

use atomvm_port::encode::{atom, Atom, Encode, Sink};

/// What happened to a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A finger was put down (the first event of a contact).
    Down,
    /// A finger was lifted (the last event of a contact).
    Up,
    /// A finger on the panel moved or changed its pressure.
    Move,
}

impl Kind {
    /// The Erlang atom: `down`, `up` or `move`.
    pub const fn atom(self) -> Atom<'static> {
        match self {
            Self::Down => atom("down"),
            Self::Up => atom("up"),
            Self::Move => atom("move"),
        }
    }
}

impl Encode for Kind {
    fn words<S: Sink + ?Sized>(&self, _: &S) -> usize {
        0
    }
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        self.atom().encode(s)
    }
}

/// One touch event, in screen coordinates.
///
/// `pressure` is 0 exactly for [`Kind::Up`]; a pressed contact reports at least 1 (firmwares
/// that leave `P_WEIGHT` at 0 report 1), so the [`Format::Seed`] term, which has no kind,
/// still tells a lift from a touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TouchEvent {
    /// When the controller signalled the data (the INT edge), in microseconds of uptime.
    pub timestamp_us: u64,
    /// Screen X, after the [`ft5x06::Transform`].
    pub x: u16,
    /// Screen Y, after the [`ft5x06::Transform`].
    pub y: u16,
    /// Touch weight, 1..=255 while pressed, 0 for [`Kind::Up`].
    pub pressure: u8,
    /// Down, move or up.
    pub kind: Kind,
    /// The controller's touch ID (0..=14), stable for one finger from down to up.
    pub id: u8,
}

impl TouchEvent {
    /// The event as the term of `format`, for [`Encode`].
    pub const fn term(&self, format: Format) -> Formatted {
        Formatted {
            event: *self,
            format,
        }
    }

    /// The timestamp as an Erlang integer (saturating beyond `i64::MAX`, ~292 000 years).
    fn timestamp(&self) -> i64 {
        i64::try_from(self.timestamp_us).unwrap_or(i64::MAX)
    }
}

/// The Erlang shape of a touch event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// `{touch, X, Y, Pressure, Timestamp}`, the seed's shape; `Pressure` 0 is a lift.
    #[default]
    Seed,
    /// `{touch, Id, Kind, X, Y, Pressure, Timestamp}` with `Kind` one of `down`, `up`, `move`.
    Full,
}

/// A [`TouchEvent`] with the [`Format`] to encode it in, see [`TouchEvent::term`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formatted {
    /// The event.
    pub event: TouchEvent,
    /// Its shape.
    pub format: Format,
}

impl Formatted {
    fn seed(&self) -> (Atom<'static>, u16, u16, u8, i64) {
        let e = &self.event;
        (atom("touch"), e.x, e.y, e.pressure, e.timestamp())
    }

    fn full(&self) -> (Atom<'static>, u8, Kind, u16, u16, u8, i64) {
        let e = &self.event;
        (
            atom("touch"),
            e.id,
            e.kind,
            e.x,
            e.y,
            e.pressure,
            e.timestamp(),
        )
    }
}

impl Encode for Formatted {
    fn words<S: Sink + ?Sized>(&self, s: &S) -> usize {
        match self.format {
            Format::Seed => self.seed().words(s),
            Format::Full => self.full().words(s),
        }
    }
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        match self.format {
            Format::Seed => self.seed().encode(s),
            Format::Full => self.full().encode(s),
        }
    }
}

/// A plain `TouchEvent` encodes in the seed's shape, [`Format::Seed`].
impl Encode for TouchEvent {
    fn words<S: Sink + ?Sized>(&self, s: &S) -> usize {
        self.term(Format::Seed).words(s)
    }
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        self.term(Format::Seed).encode(s)
    }
}

/// The message a subscriber receives: `{touch_events, [Event, ...]}`, each event in `format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch<'a> {
    /// The events, oldest first.
    pub events: &'a [TouchEvent],
    /// The shape of each event.
    pub format: Format,
}

impl Encode for Batch<'_> {
    fn words<S: Sink + ?Sized>(&self, s: &S) -> usize {
        self.tagged().words(s)
    }
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        self.tagged().encode(s)
    }
}

impl<'a> Batch<'a> {
    fn tagged(&self) -> Tagged<'a> {
        Tagged {
            tag: "touch_events",
            events: self.events,
            format: self.format,
        }
    }
}

/// `{Tag, [Event, ...]}`, each event in `format`: a subscriber's batch (`touch_events`) and
/// the reply to `read_events` (`events`) share this shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tagged<'a> {
    /// The tuple's first element.
    pub tag: &'static str,
    /// The events, oldest first.
    pub events: &'a [TouchEvent],
    /// The shape of each event.
    pub format: Format,
}

impl Encode for Tagged<'_> {
    fn words<S: Sink + ?Sized>(&self, s: &S) -> usize {
        let list: usize = self
            .events
            .iter()
            .map(|e| e.term(self.format).words(s) + s.cons_words())
            .sum();
        s.tuple_words(2) + list
    }
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        let tag = s.atom(self.tag);
        let mut list = s.nil();
        for e in self.events.iter().rev() {
            let head = e.term(self.format).encode(s);
            list = s.cons(head, list);
        }
        s.tuple(&[tag, list])
    }
}
