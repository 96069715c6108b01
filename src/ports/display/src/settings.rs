// SPDX-License-Identifier: Apache-2.0

//! What a display can do and what the port was asked for: pure logic, host-tested.

use atomvm_port::Error;

/// A display's capabilities as devicetree and its driver report them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caps {
    /// Panel width in pixels (orientation 0).
    pub width: u16,
    /// Panel height in pixels (orientation 0).
    pub height: u16,
    /// Supported colour depths in bits per pixel: bit `n` set means depth `n` (1..=32).
    pub depths: u64,
    /// The depth in use.
    pub depth: u8,
    /// Whether a backlight (LED/PWM device or the display's brightness API) is wired.
    pub backlight: bool,
}

impl Caps {
    /// Whether depth `d` is supported.
    pub fn supports_depth(&self, d: u8) -> bool {
        d < 64 && self.depths & (1u64 << d) != 0
    }
}

/// Rotation in degrees clockwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Orientation {
    /// 0 degrees.
    Normal,
    /// 90 degrees.
    Rotated90,
    /// 180 degrees.
    Rotated180,
    /// 270 degrees.
    Rotated270,
}

impl Orientation {
    /// From degrees (0, 90, 180, 270), else `out_of_range`.
    pub fn from_degrees(d: i64) -> Result<Self, Error> {
        match d {
            0 => Ok(Self::Normal),
            90 => Ok(Self::Rotated90),
            180 => Ok(Self::Rotated180),
            270 => Ok(Self::Rotated270),
            _ => Err(Error::OUT_OF_RANGE),
        }
    }

    /// Degrees clockwise.
    pub fn degrees(self) -> u16 {
        match self {
            Self::Normal => 0,
            Self::Rotated90 => 90,
            Self::Rotated180 => 180,
            Self::Rotated270 => 270,
        }
    }

    /// Zephyr's `enum display_orientation` value.
    pub fn zephyr(self) -> u8 {
        match self {
            Self::Normal => 0,
            Self::Rotated90 => 1,
            Self::Rotated180 => 2,
            Self::Rotated270 => 3,
        }
    }

    /// Whether width and height trade places.
    pub fn swaps_axes(self) -> bool {
        matches!(self, Self::Rotated90 | Self::Rotated270)
    }
}

/// What `open_port/2` asked for; `None` means "as the display is".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Requested {
    /// Expected panel width.
    pub width: Option<u16>,
    /// Expected panel height.
    pub height: Option<u16>,
    /// Colour depth to use.
    pub depth: Option<u8>,
    /// Initial orientation in degrees.
    pub orientation: Option<i64>,
    /// Initial backlight level 0..=255.
    pub backlight: Option<u8>,
}

/// The settings a port opens with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Panel width.
    pub width: u16,
    /// Panel height.
    pub height: u16,
    /// Colour depth.
    pub depth: u8,
    /// Orientation.
    pub orientation: Orientation,
    /// Backlight level.
    pub backlight: u8,
}

/// Default backlight level when none is asked for (the seed's 128).
pub const DEFAULT_BACKLIGHT: u8 = 128;

impl Requested {
    /// Checks the request against the display: sizes must match the panel (they describe
    /// it, they cannot change it), the depth must be one the driver supports.
    pub fn resolve(&self, caps: &Caps) -> Result<Settings, Error> {
        if self.width.is_some_and(|w| w != caps.width) {
            return Err(Error::with("mismatch", "width"));
        }
        if self.height.is_some_and(|h| h != caps.height) {
            return Err(Error::with("mismatch", "height"));
        }
        let depth = match self.depth {
            Some(d) if !caps.supports_depth(d) => return Err(Error::with("unsupported", "depth")),
            Some(d) => d,
            None => caps.depth,
        };
        if self.backlight.is_some() && !caps.backlight {
            return Err(Error::with("unsupported", "backlight"));
        }
        let orientation = match self.orientation {
            Some(d) => Orientation::from_degrees(d).map_err(|e| e.at("orientation"))?,
            None => Orientation::Normal,
        };
        Ok(Settings {
            width: caps.width,
            height: caps.height,
            depth,
            orientation,
            backlight: self.backlight.unwrap_or(DEFAULT_BACKLIGHT),
        })
    }
}

/// Backlight level 0..=255 as the LED API's percent 0..=100, rounded to nearest, so that 0 is
/// off and 255 is full.
pub fn level_to_percent(level: u8) -> u8 {
    ((u16::from(level) * 100 + 127) / 255) as u8
}

/// Bits per pixel of Zephyr's `enum display_pixel_format` bits (`PIXEL_FORMAT_*`).
pub fn depth_of_format(format_bit: u32) -> Option<u8> {
    Some(match format_bit {
        0x01 => 24, // RGB_888
        0x02 => 1,  // MONO01
        0x04 => 1,  // MONO10
        0x08 => 32, // ARGB_8888
        0x10 => 16, // RGB_565
        0x20 => 16, // BGR_565
        0x40 => 8,  // L_8
        0x80 => 16, // AL_88
        _ => return None,
    })
}

/// The depth bitmask of a set of `PIXEL_FORMAT_*` bits.
pub fn depths_of_formats(formats: u32) -> u64 {
    (0..32)
        .map(|b| 1u32 << b)
        .filter(|bit| formats & bit != 0)
        .filter_map(depth_of_format)
        .fold(0, |m, d| m | 1u64 << d)
}

/// The first `PIXEL_FORMAT_*` bit among `formats` with depth `d`.
pub fn format_for_depth(formats: u32, d: u8) -> Option<u32> {
    (0..32)
        .map(|b| 1u32 << b)
        .find(|bit| formats & bit != 0 && depth_of_format(*bit) == Some(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps() -> Caps {
        Caps {
            width: 320,
            height: 240,
            depths: depths_of_formats(0x01 | 0x02 | 0x08),
            depth: 32,
            backlight: true,
        }
    }

    #[test]
    fn defaults_come_from_the_display() {
        let s = Requested::default().resolve(&caps()).expect("defaults");
        assert_eq!(
            s,
            Settings {
                width: 320,
                height: 240,
                depth: 32,
                orientation: Orientation::Normal,
                backlight: DEFAULT_BACKLIGHT
            }
        );
    }

    #[test]
    fn sizes_must_match_the_panel() {
        let r = Requested {
            width: Some(240),
            ..Default::default()
        };
        assert_eq!(r.resolve(&caps()), Err(Error::with("mismatch", "width")));
        let r = Requested {
            height: Some(320),
            ..Default::default()
        };
        assert_eq!(r.resolve(&caps()), Err(Error::with("mismatch", "height")));
        let r = Requested {
            width: Some(320),
            height: Some(240),
            ..Default::default()
        };
        assert!(r.resolve(&caps()).is_ok());
    }

    #[test]
    fn depth_must_be_supported() {
        for (d, ok) in [
            (1, true),
            (24, true),
            (32, true),
            (16, false),
            (8, false),
            (63, false),
        ] {
            let r = Requested {
                depth: Some(d),
                ..Default::default()
            };
            assert_eq!(r.resolve(&caps()).is_ok(), ok, "depth {d}");
        }
        assert_eq!(format_for_depth(0x01 | 0x08, 32), Some(0x08));
        assert_eq!(format_for_depth(0x01 | 0x08, 16), None);
    }

    #[test]
    fn a_backlight_level_needs_a_backlight() {
        let dark = Caps {
            backlight: false,
            ..caps()
        };
        let r = Requested {
            backlight: Some(10),
            ..Default::default()
        };
        assert_eq!(
            r.resolve(&dark),
            Err(Error::with("unsupported", "backlight"))
        );
        assert!(r.resolve(&caps()).is_ok());
        assert!(Requested::default().resolve(&dark).is_ok());
    }

    #[test]
    fn orientation_is_one_of_four_right_angles() {
        for d in [0, 90, 180, 270] {
            let o = Orientation::from_degrees(d).expect("right angle");
            assert_eq!(i64::from(o.degrees()), d);
        }
        assert!(Orientation::Rotated90.swaps_axes() && !Orientation::Rotated180.swaps_axes());
        assert_eq!(Orientation::Rotated270.zephyr(), 3);
        let r = Requested {
            orientation: Some(45),
            ..Default::default()
        };
        assert_eq!(
            r.resolve(&caps()),
            Err(Error::with("out_of_range", "orientation"))
        );
    }

    #[test]
    fn backlight_percent_spans_off_to_full() {
        assert_eq!(level_to_percent(0), 0);
        assert_eq!(level_to_percent(1), 0);
        assert_eq!(level_to_percent(2), 1);
        assert_eq!(level_to_percent(128), 50);
        assert_eq!(level_to_percent(255), 100);
        assert!((0..=255u8).all(|l| level_to_percent(l) <= 100));
        let mono = (0..255u8).all(|l| level_to_percent(l) <= level_to_percent(l + 1));
        assert!(mono);
    }
}
