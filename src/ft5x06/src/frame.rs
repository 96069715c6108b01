use crate::{InvalidData, Transform, Variant};

/// The most touch points any supported variant reports (FT5x06 / FT5336).
pub const MAX_POINTS: usize = 5;
/// `DEVICE_MODE`, `GEST_ID` and `TD_STATUS`.
const HEADER_LEN: usize = 3;
/// `P_XH`, `P_XL`, `P_YH`, `P_YL`, `P_WEIGHT`, `P_MISC`.
const POINT_LEN: usize = 6;
/// Length of the longest register burst, `0x00..=0x20` for five points.
pub const MAX_BURST_LEN: usize = burst_len(MAX_POINTS as u8);
/// The touch ID the controller puts in a slot that holds no touch.
const INVALID_ID: u8 = 0x0F;

/// Length of the burst `0x00..(0x03 + 6 * points)`.
pub(crate) const fn burst_len(points: u8) -> usize {
    HEADER_LEN + POINT_LEN * points as usize
}

/// The event flag of a touch point (`P_XH` bits 7:6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Event {
    /// 0: the finger was put down.
    Down,
    /// 1: the finger was lifted.
    Up,
    /// 2: the finger stays on the panel.
    Contact,
    /// 3: no event (reserved).
    NoEvent,
}

impl Event {
    /// Decodes the two low bits of `bits` (callers shift `P_XH` right by 6).
    pub const fn from_bits(bits: u8) -> Self {
        match bits & 0b11 {
            0 => Self::Down,
            1 => Self::Up,
            2 => Self::Contact,
            _ => Self::NoEvent,
        }
    }
}

/// One touch point, as the controller reports it (before any [`Transform`] it is in the
/// controller's own axes, 12 bits each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TouchPoint {
    /// Touch ID (`P_YH` bits 7:4): stays the same for one finger from [`Event::Down`] on.
    pub id: u8,
    /// X coordinate: `P_XH` bits 3:0 above `P_XL`.
    pub x: u16,
    /// Y coordinate: `P_YH` bits 3:0 above `P_YL`.
    pub y: u16,
    /// Event flag (`P_XH` bits 7:6).
    pub event: Event,
    /// Touch weight / pressure (`P_WEIGHT`; not every firmware fills it in).
    pub weight: u8,
    /// Touch area (`P_MISC` bits 7:4; not every firmware fills it in).
    pub area: u8,
}

impl TouchPoint {
    /// Decodes the six registers `P_XH`, `P_XL`, `P_YH`, `P_YL`, `P_WEIGHT`, `P_MISC` of one
    /// point. Every byte pattern decodes to some point; [`parse`] decides which to keep.
    pub const fn from_registers(regs: [u8; 6]) -> Self {
        let [xh, xl, yh, yl, weight, misc] = regs;
        Self {
            id: yh >> 4,
            x: ((xh as u16 & 0x0F) << 8) | xl as u16,
            y: ((yh as u16 & 0x0F) << 8) | yl as u16,
            event: Event::from_bits(xh >> 6),
            weight,
            area: misc >> 4,
        }
    }

    const ZERO: Self = Self {
        id: 0,
        x: 0,
        y: 0,
        event: Event::NoEvent,
        weight: 0,
        area: 0,
    };
}

/// One consistent reading of the touch registers: up to [`MAX_POINTS`] points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    gesture_id: u8,
    len: u8,
    points: [TouchPoint; MAX_POINTS],
}

impl Frame {
    /// A frame without touches.
    pub const EMPTY: Self = Self {
        gesture_id: 0,
        len: 0,
        points: [TouchPoint::ZERO; MAX_POINTS],
    };

    /// The touch points, in the controller's slot order.
    pub fn points(&self) -> &[TouchPoint] {
        self.points.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// Number of touch points.
    pub fn len(&self) -> usize {
        self.points().len()
    }

    /// `true` if no finger is reported.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The raw `GEST_ID` register (0 = no gesture; the codes depend on the firmware).
    pub fn gesture_id(&self) -> u8 {
        self.gesture_id
    }

    /// Iterates over the touch points.
    pub fn iter(&self) -> core::slice::Iter<'_, TouchPoint> {
        self.points().iter()
    }

    /// The same frame with `transform` applied to every point's coordinates.
    #[must_use]
    pub fn transformed(mut self, transform: &Transform) -> Self {
        for p in &mut self.points {
            (p.x, p.y) = transform.apply(p.x, p.y);
        }
        self
    }

    fn push(&mut self, point: TouchPoint) {
        if let Some(slot) = self.points.get_mut(usize::from(self.len)) {
            *slot = point;
            self.len += 1;
        }
    }
}

impl Default for Frame {
    fn default() -> Self {
        Self::EMPTY
    }
}

impl<'a> IntoIterator for &'a Frame {
    type Item = &'a TouchPoint;
    type IntoIter = core::slice::Iter<'a, TouchPoint>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Decodes a register burst read from `DEVICE_MODE` (0x00) on: `burst[0]` is register 0x00,
/// `burst[2]` is `TD_STATUS`, point `i` is `burst[3 + 6 * i..9 + 6 * i]`. Pure, shared by the
/// blocking and the async driver, and total: no input panics.
///
/// * The number of points is `TD_STATUS & 0x0F`. A count above [`Variant::max_points`] is
///   rejected with [`InvalidData::TouchCount`], not clamped (see there).
/// * A burst too short for that count is rejected with [`InvalidData::ShortBurst`]; bytes
///   after the announced points are ignored.
/// * A slot within the count whose touch ID reads 0xF (the "no touch" ID, which Zephyr's
///   FT5336 driver also treats as invalid) is left out, so [`Frame::len`] can be smaller than
///   `TD_STATUS`.
/// * The `DEVICE_MODE` byte is not checked.
///
/// A finger that leaves is not always reported with [`Event::Up`] (firmwares differ in whether
/// the lifted slot still counts in `TD_STATUS`): treat a touch ID that is missing from the next
/// frame as lifted.
///
/// ```
/// use ft5x06::{parse, Event, Variant};
///
/// // TD_STATUS = 1; point 1: contact, x = 0x123, id 2, y = 0x0AB.
/// let burst = [0x00, 0x00, 0x01, 0x81, 0x23, 0x20, 0xAB, 0x10, 0x40];
/// let frame = parse(&burst, Variant::Ft6x06).unwrap();
/// let p = frame.points()[0];
/// assert_eq!((p.id, p.x, p.y, p.event), (2, 0x123, 0x0AB, Event::Contact));
/// assert_eq!((p.weight, p.area), (0x10, 4));
/// ```
pub fn parse(burst: &[u8], variant: Variant) -> Result<Frame, InvalidData> {
    let [_device_mode, gesture_id, td_status, slots @ ..] = burst else {
        return Err(InvalidData::ShortBurst {
            len: burst.len(),
            needed: HEADER_LEN,
        });
    };
    let count = td_status & 0x0F;
    let max = variant.max_points();
    if count > max {
        return Err(InvalidData::TouchCount { count, max });
    }
    let needed = burst_len(count);
    if burst.len() < needed {
        return Err(InvalidData::ShortBurst {
            len: burst.len(),
            needed,
        });
    }
    let mut frame = Frame {
        gesture_id: *gesture_id,
        ..Frame::EMPTY
    };
    let points = slots
        .chunks_exact(POINT_LEN)
        .take(usize::from(count))
        .filter_map(|chunk| <[u8; POINT_LEN]>::try_from(chunk).ok())
        .map(TouchPoint::from_registers)
        .filter(|p| p.id != INVALID_ID);
    for p in points {
        frame.push(p);
    }
    Ok(frame)
}
