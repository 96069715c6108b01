use crate::{regs, Variant};

/// First register of the identification block read by `init`.
pub(crate) const ID_BLOCK_START: u8 = regs::ID_G_LIB_VERSION_H;
/// `ID_G_LIB_VERSION_H` ..= `ID_G_FT5201ID` (0xA1..=0xA8).
pub(crate) const ID_BLOCK_LEN: usize =
    (regs::ID_G_FT5201ID - regs::ID_G_LIB_VERSION_H + 1) as usize;

/// The chip, from its `ID_G_CIPHER` register (0xA3).
///
/// The values come from FocalTech application notes as quoted by open drivers; FocalTech has
/// many more parts and panel makers ship custom firmware, so any other value is kept as
/// [`ChipId::Other`] rather than rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChipId {
    /// 0x55: FT5206 / FT5306 / FT5406.
    Ft5x06,
    /// 0x06: FT6206.
    Ft6206,
    /// 0x36: FT6236.
    Ft6236,
    /// 0x64: FT6236U / FT6336U.
    Ft6x36U,
    /// Any other value.
    Other(u8),
}

impl ChipId {
    /// Decodes an `ID_G_CIPHER` value.
    pub const fn from_cipher(cipher: u8) -> Self {
        match cipher {
            0x55 => Self::Ft5x06,
            0x06 => Self::Ft6206,
            0x36 => Self::Ft6236,
            0x64 => Self::Ft6x36U,
            other => Self::Other(other),
        }
    }

    /// The register value.
    pub const fn cipher(self) -> u8 {
        match self {
            Self::Ft5x06 => 0x55,
            Self::Ft6206 => 0x06,
            Self::Ft6236 => 0x36,
            Self::Ft6x36U => 0x64,
            Self::Other(v) => v,
        }
    }

    /// The [`Variant`] this chip needs, if it is a known one. The driver does not switch
    /// variants by itself: compare with the configured one after `init`.
    pub const fn variant(self) -> Option<Variant> {
        match self {
            Self::Ft5x06 => Some(Variant::Ft5x06),
            Self::Ft6206 | Self::Ft6236 | Self::Ft6x36U => Some(Variant::Ft6x06),
            Self::Other(_) => None,
        }
    }
}

impl From<u8> for ChipId {
    fn from(cipher: u8) -> Self {
        Self::from_cipher(cipher)
    }
}

/// What `init` learns from the identification registers 0xA1..=0xA8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeviceInfo {
    /// `ID_G_CIPHER` (0xA3).
    pub chip: ChipId,
    /// `ID_G_LIB_VERSION_H` (0xA1) above `ID_G_LIB_VERSION_L` (0xA2).
    pub lib_version: u16,
    /// `ID_G_FIRMID` (0xA6).
    pub firmware_id: u8,
    /// `ID_G_FT5201ID` (0xA8): the panel module maker's ID (e.g. 0x11 for FocalTech's own);
    /// it does not identify the chip.
    pub vendor_id: u8,
}

impl DeviceInfo {
    /// Decodes the identification block; `Err` carries a chip ID of 0x00 or 0xFF, which no
    /// firmware reports.
    pub(crate) const fn decode(block: [u8; ID_BLOCK_LEN]) -> Result<Self, u8> {
        let [lib_h, lib_l, cipher, _mode, _pmode, firmware_id, _state, vendor_id] = block;
        if cipher == 0x00 || cipher == 0xFF {
            return Err(cipher);
        }
        Ok(Self {
            chip: ChipId::from_cipher(cipher),
            lib_version: u16::from_be_bytes([lib_h, lib_l]),
            firmware_id,
            vendor_id,
        })
    }
}
