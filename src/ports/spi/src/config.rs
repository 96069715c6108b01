// SPDX-License-Identifier: Apache-2.0

//! A device's configuration (paradigm 1: what `spi:get_config/2` shows and `spi:set_config/3`
//! changes): the defaults of AtomVM's `spi_hal` (1 MHz, mode 0, 8 address bits, no command),
//! our extensions (bit order, word size) and the checks, all done before anything changes.

use atomvm_port::Error;

/// A value from Erlang, as the port decoded it: every type and range check is done here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Raw<'a> {
    /// An integer within `i64` (the port's decoding makes bigger ones `Other`; an `i128`
    /// here would make `Raw` 16-byte aligned, more than Zephyr's Rust allocator gives).
    Int(i64),
    /// An atom, by name.
    Atom(&'a str),
    /// A binary.
    Bin(&'a [u8]),
    /// Anything else (a list, a tuple, a bigger bignum, ...).
    Other,
}

/// A device configuration key, as named in Erlang.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// `clock_speed_hz`: 1..=4294967295.
    ClockSpeedHz,
    /// `mode`: 0..=3 (CPOL = bit 1, CPHA = bit 0).
    Mode,
    /// `bit_order`: `msb_first` | `lsb_first`.
    BitOrder,
    /// `word_size`: 8 | 16 | 32.
    WordSize,
    /// `cs`: a chip select index below the bus's count, or `undefined` (none).
    Cs,
    /// `address_len_bits`: 0..=64.
    AddressLenBits,
    /// `command_len_bits`: 0..=16.
    CommandLenBits,
}

impl Key {
    /// Every key, in `get_config`'s order.
    pub const ALL: [Key; 7] = [
        Key::ClockSpeedHz,
        Key::Mode,
        Key::BitOrder,
        Key::WordSize,
        Key::Cs,
        Key::AddressLenBits,
        Key::CommandLenBits,
    ];

    /// The Erlang atom.
    pub const fn name(self) -> &'static str {
        match self {
            Key::ClockSpeedHz => "clock_speed_hz",
            Key::Mode => "mode",
            Key::BitOrder => "bit_order",
            Key::WordSize => "word_size",
            Key::Cs => "cs",
            Key::AddressLenBits => "address_len_bits",
            Key::CommandLenBits => "command_len_bits",
        }
    }

    /// The key named `name`, if any.
    pub fn from_name(name: &str) -> Option<Key> {
        Key::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// The order of bits in a word on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BitOrder {
    /// Most significant bit first (the default, AtomVM's only order).
    MsbFirst,
    /// Least significant bit first (`SPI_TRANSFER_LSB`).
    LsbFirst,
}

impl BitOrder {
    /// The Erlang atom.
    pub const fn name(self) -> &'static str {
        match self {
            BitOrder::MsbFirst => "msb_first",
            BitOrder::LsbFirst => "lsb_first",
        }
    }
}

/// Why a configuration was refused (the reply is `{badarg, Key}` in every case; the kind is
/// for the log and the tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalid {
    /// Not the type the key takes.
    Type,
    /// Outside the key's range (or not one of its values).
    Range,
    /// The key was given twice.
    Duplicate,
}

/// A refused configuration: which key and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The offending key.
    pub key: Key,
    /// What was wrong with it.
    pub why: Invalid,
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Error {
        Error::with("badarg", e.key.name())
    }
}

/// What the bus allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BusLimits {
    /// Chip selects: the number of the bus's `cs-gpios` entries or, without them, the
    /// hardware chip selects the port accepts (`spi_config.slave`).
    pub cs_count: u32,
}

/// A checked device configuration; only [`DeviceConfig::DEFAULT`] and the checks make one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceConfig {
    clock_speed_hz: u32,
    mode: u8,
    bit_order: BitOrder,
    word_size: u8,
    cs: Option<u32>,
    address_len_bits: u8,
    command_len_bits: u8,
}

/// A device's configuration value, for `get_config`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// An integer.
    Int(u32),
    /// An atom.
    Atom(&'static str),
}

impl DeviceConfig {
    /// AtomVM's defaults (`spi_hal`, RP2 and STM32): 1 MHz, mode 0, 8 address bits, no
    /// command, no chip select; ours: MSB first, 8-bit words.
    pub const DEFAULT: DeviceConfig = DeviceConfig {
        clock_speed_hz: 1_000_000,
        mode: 0,
        bit_order: BitOrder::MsbFirst,
        word_size: 8,
        cs: None,
        address_len_bits: 8,
        command_len_bits: 0,
    };

    /// The clock in Hz.
    pub fn clock_speed_hz(&self) -> u32 {
        self.clock_speed_hz
    }
    /// The SPI mode, 0..=3.
    pub fn mode(&self) -> u8 {
        self.mode
    }
    /// Clock polarity: idle high (modes 2 and 3).
    pub fn cpol(&self) -> bool {
        self.mode & 2 != 0
    }
    /// Clock phase: data sampled on the second edge (modes 1 and 3).
    pub fn cpha(&self) -> bool {
        self.mode & 1 != 0
    }
    /// The bit order.
    pub fn bit_order(&self) -> BitOrder {
        self.bit_order
    }
    /// Bits per word: 8, 16 or 32.
    pub fn word_size(&self) -> u8 {
        self.word_size
    }
    /// Bytes per word: 1, 2 or 4.
    pub fn word_bytes(&self) -> usize {
        usize::from(self.word_size / 8)
    }
    /// The chip select index, if any.
    pub fn cs(&self) -> Option<u32> {
        self.cs
    }
    /// Address bits sent after the command.
    pub fn address_len_bits(&self) -> u8 {
        self.address_len_bits
    }
    /// Command bits sent first.
    pub fn command_len_bits(&self) -> u8 {
        self.command_len_bits
    }

    /// The value of `key`, for `get_config` (`cs` without a chip select is `undefined`).
    pub fn get(&self, key: Key) -> Shown {
        match key {
            Key::ClockSpeedHz => Shown::Int(self.clock_speed_hz),
            Key::Mode => Shown::Int(u32::from(self.mode)),
            Key::BitOrder => Shown::Atom(self.bit_order.name()),
            Key::WordSize => Shown::Int(u32::from(self.word_size)),
            Key::Cs => self.cs.map_or(Shown::Atom("undefined"), Shown::Int),
            Key::AddressLenBits => Shown::Int(u32::from(self.address_len_bits)),
            Key::CommandLenBits => Shown::Int(u32::from(self.command_len_bits)),
        }
    }

    /// This configuration with `changes` applied, every one checked first: any error leaves
    /// nothing changed (the caller swaps the result in). A key given twice is refused.
    pub fn with(&self, changes: &[(Key, Raw<'_>)], bus: &BusLimits) -> Result<Self, ConfigError> {
        let mut next = *self;
        for (i, &(key, value)) in changes.iter().enumerate() {
            if changes[..i].iter().any(|&(k, _)| k == key) {
                return Err(ConfigError {
                    key,
                    why: Invalid::Duplicate,
                });
            }
            next.set_one(key, value, bus)
                .map_err(|why| ConfigError { key, why })?;
        }
        Ok(next)
    }

    /// Applies `changes` in place, all or nothing (`spi:set_config/3`).
    pub fn update(
        &mut self,
        changes: &[(Key, Raw<'_>)],
        bus: &BusLimits,
    ) -> Result<(), ConfigError> {
        *self = self.with(changes, bus)?;
        Ok(())
    }

    fn set_one(&mut self, key: Key, value: Raw<'_>, bus: &BusLimits) -> Result<(), Invalid> {
        match key {
            Key::ClockSpeedHz => self.clock_speed_hz = int_in(value, 1, u32::MAX.into())? as u32,
            Key::Mode => self.mode = int_in(value, 0, 3)? as u8,
            Key::BitOrder => {
                self.bit_order = match value {
                    Raw::Atom("msb_first") => BitOrder::MsbFirst,
                    Raw::Atom("lsb_first") => BitOrder::LsbFirst,
                    Raw::Atom(_) => return Err(Invalid::Range),
                    _ => return Err(Invalid::Type),
                }
            }
            Key::WordSize => {
                self.word_size = match int_in(value, 0, 32)? {
                    w @ (8 | 16 | 32) => w as u8,
                    _ => return Err(Invalid::Range),
                }
            }
            Key::Cs => {
                self.cs = match value {
                    Raw::Atom("undefined") => None,
                    Raw::Atom(_) => return Err(Invalid::Range),
                    v => Some(int_in(v, 0, i64::from(bus.cs_count) - 1)? as u32),
                }
            }
            Key::AddressLenBits => self.address_len_bits = int_in(value, 0, 64)? as u8,
            Key::CommandLenBits => self.command_len_bits = int_in(value, 0, 16)? as u8,
        }
        Ok(())
    }
}

impl Default for DeviceConfig {
    fn default() -> Self {
        DeviceConfig::DEFAULT
    }
}

/// An integer in `lo..=hi`.
pub(crate) fn int_in(value: Raw<'_>, lo: i64, hi: i64) -> Result<i64, Invalid> {
    match value {
        Raw::Int(v) if (lo..=hi).contains(&v) => Ok(v),
        Raw::Int(_) => Err(Invalid::Range),
        _ => Err(Invalid::Type),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    const BUS: BusLimits = BusLimits { cs_count: 3 };

    fn err(key: Key, why: Invalid) -> Result<DeviceConfig, ConfigError> {
        Err(ConfigError { key, why })
    }

    #[test]
    fn changes_allocate_with_8_byte_alignment() {
        // Zephyr's Rust allocator (malloc) aligns to 8 bytes: with an i128 in `Raw`, the first
        // Vec of changes failed to allocate on the VM.
        assert!(core::mem::align_of::<(Key, Raw<'_>)>() <= 8);
    }

    #[test]
    fn defaults_are_atomvms() {
        let d = DeviceConfig::default();
        assert_eq!(d.clock_speed_hz(), 1_000_000);
        assert_eq!(d.mode(), 0);
        assert_eq!(d.bit_order(), BitOrder::MsbFirst);
        assert_eq!(d.word_size(), 8);
        assert_eq!(d.word_bytes(), 1);
        assert_eq!(d.cs(), None);
        assert_eq!(d.address_len_bits(), 8);
        assert_eq!(d.command_len_bits(), 0);
        assert_eq!(d.get(Key::Cs), Shown::Atom("undefined"));
    }

    #[test]
    fn every_key_set_at_its_bounds_and_shown() {
        let d = DeviceConfig::DEFAULT
            .with(
                &[
                    (Key::ClockSpeedHz, Raw::Int(u32::MAX.into())),
                    (Key::Mode, Raw::Int(3)),
                    (Key::BitOrder, Raw::Atom("lsb_first")),
                    (Key::WordSize, Raw::Int(32)),
                    (Key::Cs, Raw::Int(2)),
                    (Key::AddressLenBits, Raw::Int(64)),
                    (Key::CommandLenBits, Raw::Int(16)),
                ],
                &BUS,
            )
            .unwrap();
        let shown: Vec<Shown> = Key::ALL.iter().map(|&k| d.get(k)).collect();
        assert_eq!(
            shown,
            [
                Shown::Int(u32::MAX),
                Shown::Int(3),
                Shown::Atom("lsb_first"),
                Shown::Int(32),
                Shown::Int(2),
                Shown::Int(64),
                Shown::Int(16)
            ]
        );
        assert!(d.cpol() && d.cpha());
        assert_eq!(d.word_bytes(), 4);
        let low = d
            .with(
                &[
                    (Key::ClockSpeedHz, Raw::Int(1)),
                    (Key::Mode, Raw::Int(0)),
                    (Key::BitOrder, Raw::Atom("msb_first")),
                    (Key::WordSize, Raw::Int(16)),
                    (Key::Cs, Raw::Int(0)),
                    (Key::AddressLenBits, Raw::Int(0)),
                    (Key::CommandLenBits, Raw::Int(0)),
                ],
                &BUS,
            )
            .unwrap();
        assert_eq!(low.clock_speed_hz(), 1);
        assert_eq!(low.bit_order(), BitOrder::MsbFirst);
        assert_eq!(low.word_bytes(), 2);
        assert_eq!(low.cs(), Some(0));
        assert_eq!((low.address_len_bits(), low.command_len_bits()), (0, 0));
        let none = low
            .with(&[(Key::Cs, Raw::Atom("undefined"))], &BUS)
            .unwrap();
        assert_eq!(none.cs(), None);
    }

    #[test]
    fn modes_split_into_polarity_and_phase() {
        let m = |n| {
            let d = DeviceConfig::DEFAULT
                .with(&[(Key::Mode, Raw::Int(n))], &BUS)
                .unwrap();
            (d.cpol(), d.cpha())
        };
        assert_eq!(
            [m(0), m(1), m(2), m(3)],
            [(false, false), (false, true), (true, false), (true, true)]
        );
    }

    #[test]
    fn each_out_of_range_value_names_its_key() {
        let d = DeviceConfig::DEFAULT;
        let one = |k, v| d.with(&[(k, v)], &BUS);
        use Invalid::Range;
        assert_eq!(
            one(Key::ClockSpeedHz, Raw::Int(0)),
            err(Key::ClockSpeedHz, Range)
        );
        assert_eq!(
            one(Key::ClockSpeedHz, Raw::Int(i64::from(u32::MAX) + 1)),
            err(Key::ClockSpeedHz, Range)
        );
        assert_eq!(one(Key::Mode, Raw::Int(4)), err(Key::Mode, Range));
        assert_eq!(one(Key::Mode, Raw::Int(-1)), err(Key::Mode, Range));
        assert_eq!(
            one(Key::BitOrder, Raw::Atom("middle")),
            err(Key::BitOrder, Range)
        );
        for w in [0, 7, 9, 12, 24, 31, 33, 64] {
            assert_eq!(
                one(Key::WordSize, Raw::Int(w)),
                err(Key::WordSize, Range),
                "{w}"
            );
        }
        assert_eq!(one(Key::Cs, Raw::Int(3)), err(Key::Cs, Range));
        assert_eq!(one(Key::Cs, Raw::Int(-1)), err(Key::Cs, Range));
        assert_eq!(one(Key::Cs, Raw::Atom("none")), err(Key::Cs, Range));
        assert_eq!(
            one(Key::AddressLenBits, Raw::Int(65)),
            err(Key::AddressLenBits, Range)
        );
        assert_eq!(
            one(Key::AddressLenBits, Raw::Int(-1)),
            err(Key::AddressLenBits, Range)
        );
        assert_eq!(
            one(Key::CommandLenBits, Raw::Int(17)),
            err(Key::CommandLenBits, Range)
        );
        assert_eq!(
            one(Key::CommandLenBits, Raw::Int(-1)),
            err(Key::CommandLenBits, Range)
        );
    }

    #[test]
    fn each_wrong_type_names_its_key() {
        let d = DeviceConfig::DEFAULT;
        for key in Key::ALL {
            for v in [Raw::Other, Raw::Bin(b"1")] {
                assert_eq!(
                    d.with(&[(key, v)], &BUS),
                    err(key, Invalid::Type),
                    "{key:?}"
                );
            }
        }
        for key in [
            Key::ClockSpeedHz,
            Key::Mode,
            Key::WordSize,
            Key::AddressLenBits,
        ] {
            assert_eq!(
                d.with(&[(key, Raw::Atom("x"))], &BUS),
                err(key, Invalid::Type)
            );
        }
        assert_eq!(
            d.with(&[(Key::BitOrder, Raw::Int(0))], &BUS),
            err(Key::BitOrder, Invalid::Type)
        );
    }

    #[test]
    fn a_bus_without_chip_selects_takes_none() {
        let none = BusLimits { cs_count: 0 };
        let d = DeviceConfig::DEFAULT;
        assert_eq!(
            d.with(&[(Key::Cs, Raw::Int(0))], &none),
            err(Key::Cs, Invalid::Range)
        );
        assert!(d.with(&[(Key::Cs, Raw::Atom("undefined"))], &none).is_ok());
    }

    #[test]
    fn changes_apply_all_or_nothing() {
        let mut d = DeviceConfig::DEFAULT;
        d.update(&[(Key::Mode, Raw::Int(2))], &BUS).unwrap();
        let before = d;
        // Valid changes first, the bad one last: none of them applies.
        let r = d.update(
            &[
                (Key::ClockSpeedHz, Raw::Int(8_000_000)),
                (Key::WordSize, Raw::Int(16)),
                (Key::Mode, Raw::Int(9)),
            ],
            &BUS,
        );
        assert_eq!(
            r,
            Err(ConfigError {
                key: Key::Mode,
                why: Invalid::Range
            })
        );
        assert_eq!(d, before);
        d.update(
            &[
                (Key::ClockSpeedHz, Raw::Int(8_000_000)),
                (Key::WordSize, Raw::Int(16)),
            ],
            &BUS,
        )
        .unwrap();
        assert_eq!(
            (d.clock_speed_hz(), d.word_size(), d.mode()),
            (8_000_000, 16, 2)
        );
    }

    #[test]
    fn a_key_given_twice_is_refused() {
        let d = DeviceConfig::DEFAULT;
        assert_eq!(
            d.with(
                &[
                    (Key::Mode, Raw::Int(1)),
                    (Key::Cs, Raw::Int(0)),
                    (Key::Mode, Raw::Int(1))
                ],
                &BUS
            ),
            err(Key::Mode, Invalid::Duplicate)
        );
        assert!(d.with(&[], &BUS).is_ok());
    }

    #[test]
    fn errors_become_badarg_with_the_key() {
        let e: Error = ConfigError {
            key: Key::WordSize,
            why: Invalid::Range,
        }
        .into();
        assert_eq!(e, Error::with("badarg", "word_size"));
        for k in Key::ALL {
            assert_eq!(Key::from_name(k.name()), Some(k));
        }
        assert_eq!(Key::from_name("speed"), None);
    }
}
