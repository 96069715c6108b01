//! Register addresses of the FT5x06 / FT5336 / FT6x06 family (FocalTech's names).
//!
//! The driver only uses [`DEVICE_MODE`] (start of the touch burst), the identification block
//! [`ID_G_LIB_VERSION_H`]..=[`ID_G_FT5201ID`] and the writable configuration registers
//! [`ID_G_MODE`], [`ID_G_THGROUP`] and [`ID_G_PERIODACTIVE`]. The rest are listed for
//! reference. The controller auto-increments the register address during a read, which is
//! what lets one `write_read` fetch a whole frame.

/// Device mode: 0 in normal operation (bits 6:4 select factory/test modes).
pub const DEVICE_MODE: u8 = 0x00;
/// Gesture ID (0 = none; not every firmware reports gestures).
pub const GEST_ID: u8 = 0x01;
/// Touch data status: bits 3:0 are the number of touch points.
pub const TD_STATUS: u8 = 0x02;
/// First register of touch point 1 (`P1_XH`). Point `i` (0-based) starts at
/// `P1_XH + 6 * i`: `P_XH`, `P_XL`, `P_YH`, `P_YL`, `P_WEIGHT`, `P_MISC`.
pub const P1_XH: u8 = 0x03;
/// Touch detection threshold.
pub const ID_G_THGROUP: u8 = 0x80;
/// Report period in active state (FT5x06 datasheet: 3..=14).
pub const ID_G_PERIODACTIVE: u8 = 0x88;
/// Library version, high byte.
pub const ID_G_LIB_VERSION_H: u8 = 0xA1;
/// Library version, low byte.
pub const ID_G_LIB_VERSION_L: u8 = 0xA2;
/// Chip ID ("cipher"): 0x55 FT5x06, 0x06 FT6206, 0x36 FT6236, 0x64 FT6236U/FT6336U.
pub const ID_G_CIPHER: u8 = 0xA3;
/// Interrupt mode: 0 polling (INT held active while touched), 1 trigger (INT pulses).
pub const ID_G_MODE: u8 = 0xA4;
/// Power mode (3 = hibernate).
pub const ID_G_PMODE: u8 = 0xA5;
/// Firmware ID.
pub const ID_G_FIRMID: u8 = 0xA6;
/// Running state.
pub const ID_G_STATE: u8 = 0xA7;
/// Touch panel module (CTPM) vendor ID, set by the panel maker: it does not identify the chip.
pub const ID_G_FT5201ID: u8 = 0xA8;
