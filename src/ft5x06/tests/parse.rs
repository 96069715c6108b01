//! The pure burst decoder, on the shared vectors and on edge cases of its input length.
mod common;

use ft5x06::{parse, Event, InvalidData, TouchPoint, Variant, MAX_BURST_LEN};

#[test]
fn shared_vectors() {
    for v in common::vectors() {
        common::check(&v, parse(&v.burst, v.variant), Some);
    }
}

#[test]
fn burst_lengths_match_the_register_map() {
    // 0x00..=0x20 for five points, 0x00..=0x0E for two.
    assert_eq!(Variant::Ft5x06.burst_len(), 0x21);
    assert_eq!(Variant::Ft6x06.burst_len(), 0x0F);
    assert_eq!(MAX_BURST_LEN, Variant::Ft5x06.burst_len());
}

#[test]
fn empty_and_header_only_bursts() {
    assert_eq!(
        parse(&[], Variant::Ft5x06),
        Err(InvalidData::ShortBurst { len: 0, needed: 3 })
    );
    assert_eq!(
        parse(&[0, 0], Variant::Ft5x06),
        Err(InvalidData::ShortBurst { len: 2, needed: 3 })
    );
    // A header saying "no touch" is a complete frame.
    let frame = parse(&[0, 0, 0], Variant::Ft5x06).unwrap();
    assert!(frame.is_empty());
}

#[test]
fn burst_too_short_for_its_count() {
    // Two points announced, one and a half present.
    let mut b = common::burst(Variant::Ft6x06, 0, 2, &[]);
    b.truncate(12);
    assert_eq!(
        parse(&b, Variant::Ft6x06),
        Err(InvalidData::ShortBurst {
            len: 12,
            needed: 15
        })
    );
    // Exactly enough for the one announced point, although the variant could report more.
    let b = common::burst(Variant::Ft5x06, 0, 1, &[common::point(2, 3, 1, 2, 0, 0)]);
    let frame = parse(&b[..9], Variant::Ft5x06).unwrap();
    assert_eq!(frame.len(), 1);
}

#[test]
fn touch_point_fields_from_registers() {
    // Up, X = 0x7_5A, id 0xC, Y = 0x1_02, weight 0x99, area 0xE (low nibble of MISC ignored).
    let p = TouchPoint::from_registers([0x47, 0x5A, 0xC1, 0x02, 0x99, 0xE7]);
    assert_eq!(
        p,
        TouchPoint {
            id: 0xC,
            x: 0x75A,
            y: 0x102,
            event: Event::Up,
            weight: 0x99,
            area: 0xE,
        }
    );
    // Bits 5:4 of XH are reserved and must not leak into X.
    assert_eq!(TouchPoint::from_registers([0x30, 0, 0, 0, 0, 0]).x, 0);
}

#[test]
fn event_from_bits_uses_the_two_low_bits() {
    assert_eq!(Event::from_bits(0), Event::Down);
    assert_eq!(Event::from_bits(1), Event::Up);
    assert_eq!(Event::from_bits(2), Event::Contact);
    assert_eq!(Event::from_bits(3), Event::NoEvent);
    assert_eq!(Event::from_bits(0b110), Event::Contact);
}

#[test]
fn frame_iterates_over_its_points_only() {
    let b = common::burst(
        Variant::Ft5x06,
        0,
        2,
        &[
            common::point(2, 0, 1, 1, 0, 0),
            common::point(2, 1, 2, 2, 0, 0),
        ],
    );
    let frame = parse(&b, Variant::Ft5x06).unwrap();
    let ids: Vec<u8> = frame.iter().map(|p| p.id).collect();
    assert_eq!(ids, [0, 1]);
    assert_eq!((&frame).into_iter().count(), 2);
    assert_eq!(ft5x06::Frame::default(), ft5x06::Frame::EMPTY);
}
