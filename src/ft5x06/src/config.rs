use crate::Transform;

/// The I2C address of the family, unless the panel maker changed it.
pub const DEFAULT_ADDRESS: u8 = 0x38;

/// Which member of the family is on the bus: decides how many touch points are valid and so
/// how long the register burst is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Variant {
    /// FT5206 / FT5306 / FT5406 / FT5336 and relatives: up to 5 points, a 33-byte burst.
    #[default]
    Ft5x06,
    /// FT6206 / FT6236 / FT6336: up to 2 points, a 15-byte burst.
    Ft6x06,
}

impl Variant {
    /// The most touch points `TD_STATUS` may report.
    pub const fn max_points(self) -> u8 {
        match self {
            Self::Ft5x06 => 5,
            Self::Ft6x06 => 2,
        }
    }

    /// Bytes read per frame: registers `0x00..(0x03 + 6 * max_points)`.
    pub const fn burst_len(self) -> usize {
        crate::frame::burst_len(self.max_points())
    }
}

/// How the controller drives its INT line (`ID_G_MODE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum InterruptMode {
    /// 0: INT stays active while a finger is on the panel.
    Polling = 0,
    /// 1: INT pulses once per new frame; suits an edge-triggered GPIO interrupt.
    #[default]
    Trigger = 1,
}

/// Driver configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Config {
    /// The chip family member.
    pub variant: Variant,
    /// Written to `ID_G_MODE` by `init`.
    pub interrupt_mode: InterruptMode,
    /// Written to `ID_G_THGROUP` by `init` if set; otherwise the firmware default stays.
    pub threshold: Option<u8>,
    /// Written to `ID_G_PERIODACTIVE` by `init` if set (FT5x06 datasheet: 3..=14).
    pub active_period: Option<u8>,
    /// Applied to every point `read_frame` returns.
    pub transform: Transform,
}

impl Config {
    /// Trigger mode, firmware thresholds, no transform.
    pub const fn new(variant: Variant) -> Self {
        Self {
            variant,
            interrupt_mode: InterruptMode::Trigger,
            threshold: None,
            active_period: None,
            transform: Transform::IDENTITY,
        }
    }
}
