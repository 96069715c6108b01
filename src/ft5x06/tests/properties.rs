//! Properties over arbitrary register bursts and coordinates.
use ft5x06::{parse, InvalidData, Transform, Variant, COORD_MAX, MAX_BURST_LEN};
use proptest::prelude::*;

fn variant() -> impl Strategy<Value = Variant> {
    prop_oneof![Just(Variant::Ft5x06), Just(Variant::Ft6x06)]
}

fn check_burst(burst: &[u8], variant: Variant) -> Result<(), TestCaseError> {
    let count = burst.get(2).map(|s| s & 0x0F);
    match parse(burst, variant) {
        Ok(frame) => {
            let count = count.expect("a frame needs the three header bytes");
            prop_assert!(count <= variant.max_points());
            prop_assert!(frame.len() <= usize::from(count));
            prop_assert!(frame.len() <= usize::from(variant.max_points()));
            prop_assert_eq!(frame.gesture_id(), burst[1]);
            for p in frame.points() {
                prop_assert!(p.id < 0x0F);
                prop_assert!(p.x <= COORD_MAX && p.y <= COORD_MAX);
                prop_assert!(p.area < 16);
            }
        }
        Err(InvalidData::TouchCount { count: c, max }) => {
            prop_assert_eq!(Some(c), count);
            prop_assert_eq!(max, variant.max_points());
            prop_assert!(c > max);
        }
        Err(InvalidData::ShortBurst { len, needed }) => {
            prop_assert_eq!(len, burst.len());
            prop_assert!(needed > len);
        }
    }
    Ok(())
}

proptest! {
    /// The brief's case: 32 random bytes, one short of a full FT5x06 burst.
    #[test]
    fn random_32_byte_bursts(burst in prop::collection::vec(any::<u8>(), 32), v in variant()) {
        check_burst(&burst, v)?;
    }

    #[test]
    fn random_full_bursts(burst in prop::collection::vec(any::<u8>(), MAX_BURST_LEN), v in variant()) {
        check_burst(&burst, v)?;
    }

    #[test]
    fn random_bursts_of_any_length(burst in prop::collection::vec(any::<u8>(), 0..48), v in variant()) {
        check_burst(&burst, v)?;
    }

    /// A full-length burst is rejected only for a count above the variant's maximum.
    #[test]
    fn full_bursts_fail_only_on_the_count(mut burst in prop::collection::vec(any::<u8>(), MAX_BURST_LEN), v in variant(), count in 0u8..16) {
        burst[2] = (burst[2] & 0xF0) | count;
        let ok = parse(&burst, v).is_ok();
        prop_assert_eq!(ok, count <= v.max_points());
    }

    #[test]
    fn transform_stays_on_screen(
        x in any::<u16>(), y in any::<u16>(),
        w in 1u16..=4096, h in 1u16..=4096,
        inverted_x in any::<bool>(), inverted_y in any::<bool>(), swapped_x_y in any::<bool>(),
    ) {
        let t = Transform { screen_width: w, screen_height: h, inverted_x, inverted_y, swapped_x_y };
        let (sx, sy) = t.apply(x, y);
        let (max_x, max_y) = if swapped_x_y { (h - 1, w - 1) } else { (w - 1, h - 1) };
        prop_assert!(sx <= max_x && sy <= max_y);
    }

    /// Inverting is its own inverse on the screen.
    #[test]
    fn inversion_is_an_involution(x in 0u16..480, y in 0u16..272) {
        let t = Transform { inverted_x: true, inverted_y: true, ..Transform::new(480, 272) };
        let (ix, iy) = t.apply(x, y);
        prop_assert_eq!(t.apply(ix, iy), (x, y));
    }
}
