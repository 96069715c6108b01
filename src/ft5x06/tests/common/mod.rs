//! Register bursts shared by the parser, blocking-driver and async-driver tests, so all three
//! are checked against the same vectors.
#![allow(dead_code)] // each test crate uses a different subset

use ft5x06::{Event, InvalidData, TouchPoint, Variant};

/// The six point registers, from their fields.
pub fn point(event: u8, id: u8, x: u16, y: u16, weight: u8, misc: u8) -> [u8; 6] {
    assert!(
        event < 4 && id < 16 && x < 4096 && y < 4096,
        "test vector out of range"
    );
    [
        event << 6 | (x >> 8) as u8,
        x as u8,
        id << 4 | (y >> 8) as u8,
        y as u8,
        weight,
        misc,
    ]
}

/// A full burst for `variant`: header, `slots`, then 0xFF (what unused slots read as).
pub fn burst(variant: Variant, gesture: u8, td_status: u8, slots: &[[u8; 6]]) -> Vec<u8> {
    let mut b = vec![0x00, gesture, td_status];
    for s in slots {
        b.extend_from_slice(s);
    }
    assert!(
        b.len() <= variant.burst_len(),
        "too many slots for the variant"
    );
    b.resize(variant.burst_len(), 0xFF);
    b
}

pub fn tp(id: u8, x: u16, y: u16, event: Event, weight: u8, area: u8) -> TouchPoint {
    TouchPoint {
        id,
        x,
        y,
        event,
        weight,
        area,
    }
}

/// What a burst must decode to: the gesture ID and the points, or the error.
pub type Expected = Result<(u8, Vec<TouchPoint>), InvalidData>;

pub struct Vector {
    pub name: &'static str,
    pub variant: Variant,
    pub burst: Vec<u8>,
    pub expected: Expected,
}

pub fn vectors() -> Vec<Vector> {
    use Event::*;
    use Variant::*;
    vec![
        Vector {
            name: "no touch",
            variant: Ft5x06,
            burst: burst(Ft5x06, 0, 0, &[]),
            expected: Ok((0, vec![])),
        },
        Vector {
            // Written out by hand rather than with `point`: x = 0x12C = 300, y = 0x0C8 = 200.
            name: "single touch, literal bytes",
            variant: Ft5x06,
            burst: burst(Ft5x06, 0, 1, &[[0x01, 0x2C, 0x00, 0xC8, 0x3A, 0x50]]),
            expected: Ok((0, vec![tp(0, 300, 200, Down, 0x3A, 5)])),
        },
        Vector {
            // XH = 0x8F: contact, X[11:8] = 0xF; YH = 0xEF: id 14, Y[11:8] = 0xF.
            name: "12-bit coordinates at their maximum",
            variant: Ft6x06,
            burst: burst(Ft6x06, 0, 1, &[[0x8F, 0xFF, 0xEF, 0xFF, 0x00, 0x00]]),
            expected: Ok((0, vec![tp(14, 4095, 4095, Contact, 0, 0)])),
        },
        Vector {
            // The high nibble of XH/YH must land above the low byte, not be or-ed into it.
            name: "12-bit assembly keeps high and low bytes apart",
            variant: Ft6x06,
            burst: burst(Ft6x06, 0, 1, &[[0x8A, 0x05, 0x33, 0xC0, 0x00, 0x00]]),
            expected: Ok((0, vec![tp(3, 0xA05, 0x3C0, Contact, 0, 0)])),
        },
        Vector {
            name: "two points, FT6x06 maximum",
            variant: Ft6x06,
            burst: burst(
                Ft6x06,
                0,
                2,
                &[
                    point(2, 1, 100, 200, 7, 0x10),
                    point(0, 9, 3000, 17, 8, 0xF0),
                ],
            ),
            expected: Ok((
                0,
                vec![tp(1, 100, 200, Contact, 7, 1), tp(9, 3000, 17, Down, 8, 15)],
            )),
        },
        Vector {
            name: "five points, FT5x06 maximum",
            variant: Ft5x06,
            burst: burst(
                Ft5x06,
                0,
                5,
                &[
                    point(2, 0, 10, 11, 1, 0x10),
                    point(2, 1, 20, 21, 2, 0x20),
                    point(2, 2, 30, 31, 3, 0x30),
                    point(2, 3, 40, 41, 4, 0x40),
                    point(0, 4, 50, 51, 5, 0x50),
                ],
            ),
            expected: Ok((
                0,
                vec![
                    tp(0, 10, 11, Contact, 1, 1),
                    tp(1, 20, 21, Contact, 2, 2),
                    tp(2, 30, 31, Contact, 3, 3),
                    tp(3, 40, 41, Contact, 4, 4),
                    tp(4, 50, 51, Down, 5, 5),
                ],
            )),
        },
        Vector {
            name: "each event flag",
            variant: Ft5x06,
            burst: burst(
                Ft5x06,
                0,
                4,
                &[
                    point(0, 0, 1, 1, 0, 0),
                    point(1, 1, 2, 2, 0, 0),
                    point(2, 2, 3, 3, 0, 0),
                    point(3, 3, 4, 4, 0, 0),
                ],
            ),
            expected: Ok((
                0,
                vec![
                    tp(0, 1, 1, Down, 0, 0),
                    tp(1, 2, 2, Up, 0, 0),
                    tp(2, 3, 3, Contact, 0, 0),
                    tp(3, 4, 4, NoEvent, 0, 0),
                ],
            )),
        },
        Vector {
            name: "gesture ID is passed through",
            variant: Ft5x06,
            burst: burst(Ft5x06, 0x48, 1, &[point(2, 0, 5, 6, 0, 0)]),
            expected: Ok((0x48, vec![tp(0, 5, 6, Contact, 0, 0)])),
        },
        Vector {
            name: "slots beyond TD_STATUS are ignored",
            variant: Ft5x06,
            burst: burst(
                Ft5x06,
                0,
                1,
                &[point(2, 0, 5, 6, 0, 0), point(2, 1, 7, 8, 0, 0)],
            ),
            expected: Ok((0, vec![tp(0, 5, 6, Contact, 0, 0)])),
        },
        Vector {
            name: "reserved high nibble of TD_STATUS is ignored",
            variant: Ft6x06,
            burst: burst(Ft6x06, 0, 0xF1, &[point(2, 0, 5, 6, 0, 0)]),
            expected: Ok((0, vec![tp(0, 5, 6, Contact, 0, 0)])),
        },
        Vector {
            name: "slot with touch ID 0xF inside the count is left out",
            variant: Ft6x06,
            burst: burst(
                Ft6x06,
                0,
                2,
                &[point(3, 0xF, 4095, 4095, 0, 0), point(2, 1, 7, 8, 0, 0)],
            ),
            expected: Ok((0, vec![tp(1, 7, 8, Contact, 0, 0)])),
        },
        Vector {
            name: "TD_STATUS 6 on FT5x06 is rejected",
            variant: Ft5x06,
            burst: burst(Ft5x06, 0, 6, &[]),
            expected: Err(InvalidData::TouchCount { count: 6, max: 5 }),
        },
        Vector {
            name: "TD_STATUS 3 on FT6x06 is rejected",
            variant: Ft6x06,
            burst: burst(Ft6x06, 0, 3, &[]),
            expected: Err(InvalidData::TouchCount { count: 3, max: 2 }),
        },
        Vector {
            name: "all-ones burst (booting controller) is rejected",
            variant: Ft5x06,
            burst: vec![0xFF; Ft5x06.burst_len()],
            expected: Err(InvalidData::TouchCount { count: 15, max: 5 }),
        },
    ]
}

/// Checks a decoded frame against a vector's expectation.
pub fn check<E: std::fmt::Debug>(
    v: &Vector,
    got: Result<ft5x06::Frame, E>,
    to_invalid: impl Fn(E) -> Option<InvalidData>,
) {
    match (&v.expected, got) {
        (Ok((gesture, points)), Ok(frame)) => {
            assert_eq!(frame.points(), points.as_slice(), "{}", v.name);
            assert_eq!(frame.len(), points.len(), "{}", v.name);
            assert_eq!(frame.is_empty(), points.is_empty(), "{}", v.name);
            assert_eq!(frame.gesture_id(), *gesture, "{}", v.name);
        }
        (Err(want), Err(e)) => {
            assert_eq!(to_invalid(e), Some(*want), "{}", v.name);
        }
        (want, got) => panic!("{}: expected {want:?}, got {got:?}", v.name),
    }
}
