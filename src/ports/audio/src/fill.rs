// SPDX-License-Identifier: Apache-2.0

//! The one copy: Erlang binary → I2S block, with software volume applied in the same pass.
//!
//! Samples are little-endian signed integers (the layout of Zephyr's I2S blocks on the
//! little-endian targets we build for). At full volume (255) the bytes are copied unchanged,
//! bit for bit; below it each sample is scaled by `volume / 255`, truncated towards zero. A
//! 24-bit sample is the low three bytes of its 4-byte slot: it is read sign-extended from
//! those, and written back with the slot's top byte holding the sign.

use crate::format::Bits;

/// Full volume: no scaling.
pub const FULL: u8 = 255;

/// Copies `src` into the front of `dst` (at most `dst.len()` bytes, whole samples only when
/// scaling) and returns the bytes copied. `volume` `None` or `Some(255)` copies unchanged.
pub fn fill(dst: &mut [u8], src: &[u8], bits: Bits, volume: Option<u8>) -> usize {
    let n = dst.len().min(src.len());
    let (Some(dst), Some(src)) = (dst.get_mut(..n), src.get(..n)) else {
        return 0;
    };
    match volume {
        None | Some(FULL) => dst.copy_from_slice(src),
        Some(v) => scale(dst, src, bits, i64::from(v)),
    }
    n
}

fn scale(dst: &mut [u8], src: &[u8], bits: Bits, v: i64) {
    match bits {
        Bits::B16 => {
            for (d, s) in dst.chunks_exact_mut(2).zip(src.chunks_exact(2)) {
                let x = i64::from(i16::from_le_bytes([s[0], s[1]]));
                // |x * v / 255| <= |x|: always fits.
                d.copy_from_slice(&((x * v / 255) as i16).to_le_bytes());
            }
        }
        Bits::B24 => {
            for (d, s) in dst.chunks_exact_mut(4).zip(src.chunks_exact(4)) {
                // Sign-extend the low 24 bits.
                let x = i64::from(i32::from_le_bytes([s[0], s[1], s[2], 0]) << 8 >> 8);
                d.copy_from_slice(&((x * v / 255) as i32).to_le_bytes());
            }
        }
        Bits::B32 => {
            for (d, s) in dst.chunks_exact_mut(4).zip(src.chunks_exact(4)) {
                let x = i64::from(i32::from_le_bytes([s[0], s[1], s[2], s[3]]));
                d.copy_from_slice(&((x * v / 255) as i32).to_le_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_volume_copies_bit_for_bit_and_stops_at_the_block() {
        let src: [u8; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        let mut dst = [0u8; 8];
        assert_eq!(fill(&mut dst, &src, Bits::B16, Some(FULL)), 8);
        assert_eq!(dst, src[..8]);
        let mut big = [0xAAu8; 12];
        assert_eq!(fill(&mut big, &src, Bits::B24, None), 10);
        assert_eq!(big[..10], src);
        assert_eq!(big[10..], [0xAA, 0xAA]);
    }

    #[test]
    fn sixteen_bit_samples_scale_with_sign() {
        let mut src = [0u8; 8];
        for (c, x) in src
            .chunks_exact_mut(2)
            .zip([1000i16, -1000, i16::MAX, i16::MIN])
        {
            c.copy_from_slice(&x.to_le_bytes());
        }
        let mut dst = [0u8; 8];
        fill(&mut dst, &src, Bits::B16, Some(128));
        let got: [i16; 4] =
            core::array::from_fn(|i| i16::from_le_bytes([dst[2 * i], dst[2 * i + 1]]));
        assert_eq!(got, [501, -501, 16447, -16448]);
        fill(&mut dst, &src, Bits::B16, Some(0));
        assert_eq!(dst, [0; 8]);
    }

    #[test]
    fn twenty_four_bit_samples_use_the_low_three_bytes() {
        // -2 as 24 bits, with garbage in the top byte; 0x400000 (2^22).
        let src = [0xFE, 0xFF, 0xFF, 0x12, 0x00, 0x00, 0x40, 0x00];
        let mut dst = [0u8; 8];
        fill(&mut dst, &src, Bits::B24, Some(51)); // one fifth
        assert_eq!(i32::from_le_bytes([dst[0], dst[1], dst[2], dst[3]]), 0);
        assert_eq!(
            i32::from_le_bytes([dst[4], dst[5], dst[6], dst[7]]),
            0x40_0000 / 5
        );
        fill(&mut dst, &src, Bits::B24, Some(254));
        assert_eq!(i32::from_le_bytes([dst[0], dst[1], dst[2], dst[3]]), -1);
    }

    #[test]
    fn thirty_two_bit_samples_scale_without_overflow() {
        let src: [u8; 8] = {
            let mut s = [0u8; 8];
            s[..4].copy_from_slice(&i32::MIN.to_le_bytes());
            s[4..].copy_from_slice(&i32::MAX.to_le_bytes());
            s
        };
        let mut dst = [0u8; 8];
        fill(&mut dst, &src, Bits::B32, Some(254));
        let a = i32::from_le_bytes([dst[0], dst[1], dst[2], dst[3]]);
        let b = i32::from_le_bytes([dst[4], dst[5], dst[6], dst[7]]);
        assert_eq!(a, (i64::from(i32::MIN) * 254 / 255) as i32);
        assert_eq!(b, (i64::from(i32::MAX) * 254 / 255) as i32);
    }
}
