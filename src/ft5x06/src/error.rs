use core::fmt;

/// A register burst that does not describe a valid frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvalidData {
    /// `TD_STATUS` reported more touch points than the configured [`Variant`](crate::Variant)
    /// can track. Controllers read like this while booting or after an I2C glitch; the frame is
    /// rejected rather than clamped so that garbage is never mistaken for "no finger".
    TouchCount {
        /// The number of points the register claimed (its low four bits).
        count: u8,
        /// The most the variant reports.
        max: u8,
    },
    /// The burst handed to [`parse`](crate::parse) is too short for the points it announces.
    /// The driver always reads a full burst, so only direct callers of `parse` see this.
    ShortBurst {
        /// Bytes given.
        len: usize,
        /// Bytes needed.
        needed: usize,
    },
}

impl fmt::Display for InvalidData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TouchCount { count, max } => {
                write!(
                    f,
                    "TD_STATUS reports {count} touch points, at most {max} are valid"
                )
            }
            Self::ShortBurst { len, needed } => {
                write!(f, "register burst of {len} bytes, {needed} needed")
            }
        }
    }
}

impl core::error::Error for InvalidData {}

/// An error of the driver, generic over the I2C bus error `E`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Error<E> {
    /// The I2C transfer failed.
    Bus(E),
    /// The controller answered, but with data that is not a valid frame.
    InvalidData(InvalidData),
    /// The chip ID register (`ID_G_CIPHER`) read 0x00 or 0xFF, values no FocalTech firmware
    /// reports: typically a controller whose firmware has not finished booting after reset.
    UnknownChip(u8),
}

impl<E> From<InvalidData> for Error<E> {
    fn from(e: InvalidData) -> Self {
        Self::InvalidData(e)
    }
}

impl<E: fmt::Debug> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bus(e) => write!(f, "I2C bus error: {e:?}"),
            Self::InvalidData(e) => write!(f, "invalid touch data: {e}"),
            Self::UnknownChip(id) => write!(f, "no valid chip ID (ID_G_CIPHER = {id:#04x})"),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for Error<E> {}
