// SPDX-License-Identifier: Apache-2.0

//! The stream format and the open options' checks, on plain numbers (the port decodes the
//! Erlang terms, then asks here).

use atomvm_port::Error;

/// Sample rates the port accepts (Hz).
pub const RATES: [u32; 9] = [8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200, 96000];

/// Bits per sample. 24-bit samples occupy 4 bytes (the low three), as Zephyr's I2S API lays
/// them out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bits {
    /// 16-bit samples, 2 bytes each.
    B16,
    /// 24-bit samples in 4 bytes (little-endian, the value in the low 24 bits).
    B24,
    /// 32-bit samples, 4 bytes each.
    B32,
}

impl Bits {
    /// From the `bits` option; `None` for anything but 16, 24 and 32.
    pub fn from_bits(bits: u32) -> Option<Self> {
        match bits {
            16 => Some(Bits::B16),
            24 => Some(Bits::B24),
            32 => Some(Bits::B32),
            _ => None,
        }
    }

    /// The word size as configured on the I2S bus.
    pub fn bits(self) -> u8 {
        match self {
            Bits::B16 => 16,
            Bits::B24 => 24,
            Bits::B32 => 32,
        }
    }

    /// Bytes one sample occupies in a block.
    pub fn bytes(self) -> usize {
        match self {
            Bits::B16 => 2,
            Bits::B24 | Bits::B32 => 4,
        }
    }
}

/// A checked stream format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Format {
    /// Frames per second.
    pub rate: u32,
    /// Sample width.
    pub bits: Bits,
    /// 1 or 2.
    pub channels: u8,
}

impl Format {
    /// Bytes per frame (one sample per channel).
    pub fn frame_bytes(&self) -> usize {
        self.bits.bytes() * usize::from(self.channels)
    }
}

/// The build's limits (Kconfig) the options are checked against.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Block size when the option is absent (bytes; rounded down to whole frames).
    pub default_block_size: usize,
    /// The largest block (bytes).
    pub max_block_size: usize,
    /// Blocks when the option is absent.
    pub default_block_count: usize,
    /// The most blocks per port.
    pub max_block_count: usize,
}

/// What `audio:open/1` asked for, as numbers (`None`: absent). Values that do not fit the
/// integer types are out of range already (the port's decoding says so).
#[derive(Clone, Copy, Debug, Default)]
pub struct Requested {
    /// `{sample_rate, Hz}`.
    pub sample_rate: Option<u32>,
    /// `{bits, 16 | 24 | 32}`.
    pub bits: Option<u32>,
    /// `{channels, 1 | 2}`.
    pub channels: Option<u32>,
    /// `{block_size, Bytes}`.
    pub block_size: Option<usize>,
    /// `{block_count, N}`.
    pub block_count: Option<usize>,
}

/// Checked settings of an open port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    /// The stream format.
    pub format: Format,
    /// Bytes per block, whole frames.
    pub block_size: usize,
    /// Blocks in the port's slab (at least 2).
    pub block_count: usize,
}

fn out_of_range(opt: &'static str) -> Error {
    Error::with("out_of_range", opt)
}

impl Settings {
    /// Checks the request against the limits: `{out_of_range, Opt}` for a value the port does
    /// not support (an unknown rate, 20 bits, 3 channels, a block that is not whole frames or
    /// is over the limit, fewer than 2 or too many blocks).
    pub fn check(r: &Requested, limits: &Limits) -> Result<Settings, Error> {
        let rate = r.sample_rate.unwrap_or(48000);
        if !RATES.contains(&rate) {
            return Err(out_of_range("sample_rate"));
        }
        let bits = Bits::from_bits(r.bits.unwrap_or(16)).ok_or(out_of_range("bits"))?;
        let channels = match r.channels.unwrap_or(2) {
            1 => 1,
            2 => 2,
            _ => return Err(out_of_range("channels")),
        };
        let format = Format {
            rate,
            bits,
            channels,
        };
        let frame = format.frame_bytes();
        let block_size = match r.block_size {
            Some(b) if b == 0 || b % frame != 0 || b > limits.max_block_size => {
                return Err(out_of_range("block_size"))
            }
            Some(b) => b,
            None => {
                let b = limits.default_block_size.min(limits.max_block_size);
                let b = b - b % frame;
                if b == 0 {
                    return Err(out_of_range("block_size"));
                }
                b
            }
        };
        let max_count = limits.max_block_count.max(2);
        let block_count = match r.block_count {
            Some(n) if !(2..=max_count).contains(&n) => return Err(out_of_range("block_count")),
            Some(n) => n,
            None => limits.default_block_count.clamp(2, max_count),
        };
        Ok(Settings {
            format,
            block_size,
            block_count,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        default_block_size: 1024,
        max_block_size: 4096,
        default_block_count: 4,
        max_block_count: 8,
    };

    #[test]
    fn defaults_are_48k_stereo_16() {
        let s = Settings::check(&Requested::default(), &LIMITS).unwrap();
        assert_eq!(s.format.rate, 48000);
        assert_eq!(s.format.bits, Bits::B16);
        assert_eq!(s.format.channels, 2);
        assert_eq!(s.format.frame_bytes(), 4);
        assert_eq!((s.block_size, s.block_count), (1024, 4));
    }

    #[test]
    fn each_bad_value_names_its_option() {
        let cases: [(Requested, &str); 8] = [
            (
                Requested {
                    sample_rate: Some(44000),
                    ..Default::default()
                },
                "sample_rate",
            ),
            (
                Requested {
                    bits: Some(20),
                    ..Default::default()
                },
                "bits",
            ),
            (
                Requested {
                    channels: Some(3),
                    ..Default::default()
                },
                "channels",
            ),
            (
                Requested {
                    block_size: Some(1026),
                    ..Default::default()
                },
                "block_size",
            ),
            (
                Requested {
                    block_size: Some(0),
                    ..Default::default()
                },
                "block_size",
            ),
            (
                Requested {
                    block_size: Some(8192),
                    ..Default::default()
                },
                "block_size",
            ),
            (
                Requested {
                    block_count: Some(1),
                    ..Default::default()
                },
                "block_count",
            ),
            (
                Requested {
                    block_count: Some(9),
                    ..Default::default()
                },
                "block_count",
            ),
        ];
        for (r, opt) in cases {
            assert_eq!(
                Settings::check(&r, &LIMITS),
                Err(Error::with("out_of_range", opt))
            );
        }
    }

    #[test]
    fn default_block_is_whole_frames_of_the_format() {
        // 24-bit stereo frames are 8 bytes; mono 16-bit 2; a default of 1020 rounds down.
        let limits = Limits {
            default_block_size: 1020,
            ..LIMITS
        };
        let r = Requested {
            bits: Some(24),
            ..Default::default()
        };
        assert_eq!(Settings::check(&r, &limits).unwrap().block_size, 1016);
        let r = Requested {
            channels: Some(1),
            block_size: Some(6),
            block_count: Some(2),
            ..Default::default()
        };
        let s = Settings::check(&r, &limits).unwrap();
        assert_eq!((s.block_size, s.block_count), (6, 2));
    }
}
