//! Coordinate mapping: clamp, invert, then swap (Zephyr's touchscreen-common semantics).
use ft5x06::{parse, Transform, Variant, COORD_MAX};

mod common;

const W: u16 = 480;
const H: u16 = 272;

fn screen() -> Transform {
    Transform::new(W, H)
}

#[test]
fn identity_keeps_12_bit_values() {
    let t = Transform::IDENTITY;
    assert_eq!(t.apply(0, 0), (0, 0));
    assert_eq!(t.apply(1234, 4095), (1234, 4095));
    // Anything wider than 12 bits is clamped to the controller's range.
    assert_eq!(t.apply(5000, u16::MAX), (COORD_MAX, COORD_MAX));
    assert_eq!(Transform::default(), Transform::IDENTITY);
}

#[test]
fn clamps_to_the_screen() {
    let t = screen();
    assert_eq!(t.apply(W - 1, H - 1), (W - 1, H - 1));
    assert_eq!(t.apply(W, H), (W - 1, H - 1));
    assert_eq!(t.apply(4095, 300), (W - 1, H - 1));
    assert_eq!(t.apply(12, 300), (12, H - 1));
}

#[test]
fn inverts_x_as_size_minus_one_minus_v() {
    let t = Transform {
        inverted_x: true,
        ..screen()
    };
    assert_eq!(t.apply(0, 5), (W - 1, 5));
    assert_eq!(t.apply(W - 1, 5), (0, 5));
    assert_eq!(t.apply(100, 5), (W - 1 - 100, 5));
    // Out-of-range input is clamped before inverting, so it lands on the edge, not past it.
    assert_eq!(t.apply(4000, 5), (0, 5));
}

#[test]
fn inverts_y() {
    let t = Transform {
        inverted_y: true,
        ..screen()
    };
    assert_eq!(t.apply(5, 0), (5, H - 1));
    assert_eq!(t.apply(5, 200), (5, H - 1 - 200));
}

#[test]
fn swaps() {
    let t = Transform {
        swapped_x_y: true,
        ..screen()
    };
    assert_eq!(t.apply(10, 20), (20, 10));
    // Clamping uses each controller axis's own size: X by the width, Y by the height.
    assert_eq!(t.apply(400, 400), (H - 1, 400));
}

#[test]
fn inverts_before_swapping() {
    // inverted-x mirrors the controller's X (range: screen-width), which the swap then
    // reports as Y. Swapping first would have mirrored the controller's Y instead.
    let t = Transform {
        inverted_x: true,
        swapped_x_y: true,
        ..screen()
    };
    assert_eq!(t.apply(10, 20), (20, W - 1 - 10));
    let t = Transform {
        inverted_y: true,
        swapped_x_y: true,
        ..screen()
    };
    assert_eq!(t.apply(10, 20), (H - 1 - 20, 10));
}

#[test]
fn zero_size_means_the_full_12_bit_range() {
    let t = Transform {
        inverted_x: true,
        inverted_y: true,
        ..Transform::IDENTITY
    };
    assert_eq!(t.apply(0, 4095), (4095, 0));
    assert_eq!(t.apply(1000, 96), (3095, 3999));
}

#[test]
fn frame_transform_maps_every_point_and_keeps_the_rest() {
    let b = common::burst(
        Variant::Ft5x06,
        0x10,
        2,
        &[
            common::point(0, 1, 10, 20, 9, 0x30),
            common::point(2, 2, 30, 40, 8, 0x40),
        ],
    );
    let t = Transform {
        inverted_x: true,
        swapped_x_y: true,
        ..screen()
    };
    let raw = parse(&b, Variant::Ft5x06).unwrap();
    let mapped = raw.transformed(&t);
    assert_eq!(mapped.gesture_id(), 0x10);
    assert_eq!(mapped.len(), 2);
    for (r, m) in raw.iter().zip(mapped.iter()) {
        assert_eq!((m.x, m.y), t.apply(r.x, r.y));
        assert_eq!(
            (m.id, m.event, m.weight, m.area),
            (r.id, r.event, r.weight, r.area)
        );
    }
    assert_eq!(
        (mapped.points()[0].x, mapped.points()[0].y),
        (20, W - 1 - 10)
    );
}
