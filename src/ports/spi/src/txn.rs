// SPDX-License-Identifier: Apache-2.0

//! Transaction plans: AtomVM's transaction maps (`command`, `address`, `write_data`,
//! `write_bits`, `read_bits`) and `read_at`/`write_at` turned into the bytes to clock out and
//! the rule to cut the answer from the bytes clocked in.
//!
//! The wire is one bit stream, most significant bit first: the low `command_len_bits` of the
//! command, the low `address_len_bits` of the address, then the first `write_bits` bits of
//! `write_data` (zeros after them while reading). ESP32's driver clocks exactly that many
//! bits; Zephyr transfers whole words, so the stream ends with zero bits up to the word
//! boundary (the device sees those extra clocks after the data). The answer is the bits
//! clocked in during the data phase: `read_bits` of them from the end of the prefix, in
//! `ceil(read_bits / 8)` bytes whose bits after `read_bits` are zero.

use alloc::vec;
use alloc::vec::Vec;

use atomvm_port::Error;

use crate::config::{DeviceConfig, Raw};

/// A transaction map's fields, as given (`None`: absent).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Transaction<'a> {
    /// `command`: 0..=65535 (as ESP32 checks), default 0; its low `command_len_bits` are sent.
    pub command: Option<Raw<'a>>,
    /// `address`: an integer (a negative one as two's complement), default 0; its low
    /// `address_len_bits` are sent.
    pub address: Option<Raw<'a>>,
    /// `write_data`: a binary, default empty.
    pub write_data: Option<Raw<'a>>,
    /// `write_bits`: 0..=bits of `write_data`, default all of them.
    pub write_bits: Option<Raw<'a>>,
    /// `read_bits`: default `write_bits` (`write_read` only).
    pub read_bits: Option<Raw<'a>>,
}

/// The transaction map's keys (for `{badarg, Key}`).
pub const TRANSACTION_KEYS: [&str; 5] = [
    "command",
    "address",
    "write_data",
    "write_bits",
    "read_bits",
];

/// Whether the transfer reads (`write_read`, `read_at`, `write_at`) or only writes (`write`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// Clock the prefix and the written bits; nothing comes back.
    Write,
    /// Clock the prefix and `max(write_bits, read_bits)`; keep `read_bits` of what came in.
    WriteRead,
}

/// The largest bit count `read_at`/`write_at` take (their value is an integer of that many
/// bits).
pub const MAX_AT_BITS: u32 = 64;

/// `{error, too_large}`: the transfer is over the port's largest (Kconfig
/// `ATOMVM_PORT_SPI_MAX_TRANSFER`).
pub const TOO_LARGE: Error = Error::new("too_large");

fn badarg(key: &'static str) -> Error {
    Error::with("badarg", key)
}

/// One transfer: the bytes to send (whole words, the stream's order) and where the answer is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    tx: Vec<u8>,
    prefix_bits: u32,
    read_bits: u32,
    dir: Dir,
}

impl Plan {
    /// The plan of `write/3` (`Dir::Write`) or `write_read/3` (`Dir::WriteRead`) for a device
    /// configured as `dev`, refused with `{badarg, Key}` for a bad field and `too_large` when
    /// the transfer would take more than `max_bytes` bytes on the wire.
    pub fn new(
        dev: &DeviceConfig,
        t: &Transaction<'_>,
        dir: Dir,
        max_bytes: usize,
    ) -> Result<Plan, Error> {
        let command = match t.command {
            None => 0,
            Some(Raw::Int(c @ 0..=0xFFFF)) => c as u64,
            Some(_) => return Err(badarg("command")),
        };
        let address = match t.address {
            None => 0,
            Some(v) => bits64(v).ok_or(badarg("address"))?,
        };
        let data: &[u8] = match t.write_data {
            None => &[],
            Some(Raw::Bin(b)) => b,
            Some(_) => return Err(badarg("write_data")),
        };
        let data_bits = (data.len() as u128) * 8;
        let write_bits = match t.write_bits {
            None => data_bits,
            Some(Raw::Int(w)) => u128::try_from(w)
                .ok()
                .filter(|&w| w <= data_bits)
                .ok_or(badarg("write_bits"))?,
            Some(_) => return Err(badarg("write_bits")),
        };
        let read_bits = match (dir, t.read_bits) {
            (Dir::Write, _) => 0,
            (Dir::WriteRead, None) => write_bits,
            (Dir::WriteRead, Some(Raw::Int(r))) => {
                u128::try_from(r).map_err(|_| badarg("read_bits"))?
            }
            (Dir::WriteRead, Some(_)) => return Err(badarg("read_bits")),
        };
        let prefix_bits = u32::from(dev.command_len_bits()) + u32::from(dev.address_len_bits());
        let data_phase = write_bits.max(read_bits);
        let word_bits = u128::from(dev.word_size());
        let words = (u128::from(prefix_bits) + data_phase).div_ceil(word_bits);
        let wire = words * (word_bits / 8);
        if wire > max_bytes as u128 {
            return Err(TOO_LARGE);
        }
        // Under max_bytes (a usize), so every count below fits.
        let mut tx = vec![0u8; wire as usize];
        let c = u32::from(dev.command_len_bits());
        put_int(&mut tx, 0, command, c);
        put_int(&mut tx, c, address, u32::from(dev.address_len_bits()));
        copy_bits(data, 0, &mut tx, prefix_bits as usize, write_bits as usize);
        Ok(Plan {
            tx,
            prefix_bits,
            read_bits: read_bits as u32,
            dir,
        })
    }

    /// `read_at(Dev, Address, LenBits)`: the command (0, when the device has command bits)
    /// and the address, then `LenBits` (0..=64) read: `write_read` of
    /// `#{address => Address, read_bits => LenBits}`.
    pub fn read_at(
        dev: &DeviceConfig,
        address: Raw<'_>,
        len_bits: Raw<'_>,
        max_bytes: usize,
    ) -> Result<Plan, Error> {
        let len = at_len(len_bits)?;
        let t = Transaction {
            address: Some(address),
            read_bits: Some(Raw::Int(len.into())),
            ..Transaction::default()
        };
        Plan::new(dev, &t, Dir::WriteRead, max_bytes)
    }

    /// `write_at(Dev, Address, LenBits, Data)`: as ESP32 and RP2, the address with bit 7 set
    /// (`Address bor 16#80`), then the low `LenBits` (0..=64) of `Data`, reading as many bits
    /// back.
    pub fn write_at(
        dev: &DeviceConfig,
        address: Raw<'_>,
        len_bits: Raw<'_>,
        data: Raw<'_>,
        max_bytes: usize,
    ) -> Result<Plan, Error> {
        let len = at_len(len_bits)?;
        let address = bits64(address).ok_or(badarg("address"))? | 0x80;
        let value = bits64(data).ok_or(badarg("data"))?;
        let mut bytes = [0u8; 8];
        put_int(&mut bytes, 0, value, len);
        let t = Transaction {
            address: Some(Raw::Int(address as i64)),
            write_data: Some(Raw::Bin(&bytes[..len.div_ceil(8) as usize])),
            write_bits: Some(Raw::Int(len.into())),
            read_bits: Some(Raw::Int(len.into())),
            ..Transaction::default()
        };
        Plan::new(dev, &t, Dir::WriteRead, max_bytes)
    }

    /// The bytes to send: whole words of the device's size, in the stream's order (a word of
    /// 16 or 32 bits is its bytes big-endian; see [`be_to_words`]).
    pub fn tx(&self) -> &[u8] {
        &self.tx
    }

    /// The bytes on the wire (the receive buffer's length).
    pub fn wire_len(&self) -> usize {
        self.tx.len()
    }

    /// Whether anything is read.
    pub fn dir(&self) -> Dir {
        self.dir
    }

    /// Bits of the answer.
    pub fn read_bits(&self) -> u32 {
        self.read_bits
    }

    /// Bytes of the answer: `ceil(read_bits / 8)`.
    pub fn read_len(&self) -> usize {
        self.read_bits.div_ceil(8) as usize
    }

    /// The answer cut from the received bytes (`rx`, `wire_len()` of them): `read_len()` bytes,
    /// the bits after `read_bits` zero.
    pub fn answer(&self, rx: &[u8]) -> Vec<u8> {
        let mut out = vec![0u8; self.read_len()];
        copy_bits(
            rx,
            self.prefix_bits as usize,
            &mut out,
            0,
            self.read_bits as usize,
        );
        out
    }

    /// The answer of `read_at`/`write_at`: the `read_bits` (at most 64) as a big-endian
    /// unsigned integer.
    pub fn answer_int(&self, rx: &[u8]) -> u64 {
        let n = self.read_bits.min(MAX_AT_BITS);
        let mut b = [0u8; 8];
        copy_bits(rx, self.prefix_bits as usize, &mut b, 0, n as usize);
        if n == 0 {
            0
        } else {
            u64::from_be_bytes(b) >> (64 - n)
        }
    }
}

fn at_len(len_bits: Raw<'_>) -> Result<u32, Error> {
    match len_bits {
        Raw::Int(n @ 0..=64) => Ok(n as u32),
        _ => Err(badarg("len")),
    }
}

/// An integer's 64 bits (two's complement, as ESP32's cast and Erlang's `<<X:N>>`).
fn bits64(v: Raw<'_>) -> Option<u64> {
    match v {
        Raw::Int(i) => Some(i as u64),
        _ => None,
    }
}

/// Writes the low `n` (0..=64) bits of `value` into `dst` at bit `pos`, MSB first.
fn put_int(dst: &mut [u8], pos: u32, value: u64, n: u32) {
    if n == 0 {
        return;
    }
    let b = (value << (64 - n)).to_be_bytes();
    copy_bits(&b, 0, dst, pos as usize, n as usize);
}

/// Bits `pos..pos + 8` of `src`, MSB first (zeros past its end).
fn get8(src: &[u8], pos: usize) -> u8 {
    let (i, s) = (pos / 8, pos % 8);
    let hi = src.get(i).copied().unwrap_or(0);
    if s == 0 {
        return hi;
    }
    let lo = src.get(i + 1).copied().unwrap_or(0);
    (hi << s) | (lo >> (8 - s))
}

/// ORs `n` bits of `src` from bit `sp` into `dst` from bit `dp` (whose bits there are zero),
/// a byte at a time; bits past `dst`'s end are dropped.
fn copy_bits(src: &[u8], mut sp: usize, dst: &mut [u8], mut dp: usize, mut n: usize) {
    if sp % 8 == 0 && dp % 8 == 0 {
        // Both on byte boundaries (the usual case): whole bytes at once (the target's bits
        // are zero, so a copy is the OR), then the last partial byte below.
        let (s, d) = (sp / 8, dp / 8);
        let whole = (n / 8)
            .min(src.len().saturating_sub(s))
            .min(dst.len().saturating_sub(d));
        if whole > 0 {
            dst[d..d + whole].copy_from_slice(&src[s..s + whole]);
        }
        sp += whole * 8;
        dp += whole * 8;
        n -= whole * 8;
    }
    while n > 0 {
        let room = 8 - dp % 8;
        let k = n.min(room);
        let v = get8(src, sp) >> (8 - k);
        match dst.get_mut(dp / 8) {
            Some(d) => *d |= v << (room - k),
            None => return,
        }
        sp += k;
        dp += k;
        n -= k;
    }
}

/// A word of 16 or 32 bits for Zephyr's buffers (`spi_buf` of `u16`/`u32` in memory order).
pub trait Word: Copy + Default {
    /// Bytes in the word.
    const BYTES: usize;
    /// The word from its bytes, big-endian (the stream's first bit is its MSB).
    fn from_be(b: &[u8]) -> Self;
    /// Its bytes, big-endian.
    fn put_be(self, b: &mut [u8]);
}

impl Word for u16 {
    const BYTES: usize = 2;
    fn from_be(b: &[u8]) -> Self {
        u16::from_be_bytes([b[0], b[1]])
    }
    fn put_be(self, b: &mut [u8]) {
        b.copy_from_slice(&self.to_be_bytes());
    }
}

impl Word for u32 {
    const BYTES: usize = 4;
    fn from_be(b: &[u8]) -> Self {
        u32::from_be_bytes([b[0], b[1], b[2], b[3]])
    }
    fn put_be(self, b: &mut [u8]) {
        b.copy_from_slice(&self.to_be_bytes());
    }
}

/// The plan's bytes as words (`bytes.len()` is a multiple of the word's size; extra bytes or
/// words are left alone).
pub fn be_to_words<W: Word>(bytes: &[u8], words: &mut [W]) {
    for (w, b) in words.iter_mut().zip(bytes.chunks_exact(W::BYTES)) {
        *w = W::from_be(b);
    }
}

/// Received words back into the stream's bytes.
pub fn words_to_be<W: Word>(words: &[W], bytes: &mut [u8]) {
    for (w, b) in words.iter().zip(bytes.chunks_exact_mut(W::BYTES)) {
        w.put_be(b);
    }
}

/// The stream's bytes (words big-endian) as a controller's buffer holds them: each word of
/// `word_bytes` (1, 2 or 4) in native byte order. Its own inverse.
pub fn stream_to_memory(word_bytes: usize, stream: &[u8]) -> Vec<u8> {
    let mut mem = stream.to_vec();
    if cfg!(target_endian = "little") && word_bytes > 1 {
        for w in mem.chunks_exact_mut(word_bytes) {
            w.reverse();
        }
    }
    mem
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{BusLimits, Key};

    #[test]
    fn stream_to_memory_is_native_words() {
        let stream = [0x12, 0x34, 0x56, 0x78];
        assert_eq!(stream_to_memory(1, &stream), stream);
        let m16 = stream_to_memory(2, &stream);
        assert_eq!(
            m16,
            [0x1234u16.to_ne_bytes(), 0x5678u16.to_ne_bytes()].concat()
        );
        let m32 = stream_to_memory(4, &stream);
        assert_eq!(m32, 0x1234_5678u32.to_ne_bytes());
        assert_eq!(stream_to_memory(4, &m32), stream);
    }

    const MAX: usize = 4096;
    const BUS: BusLimits = BusLimits { cs_count: 4 };

    fn dev(changes: &[(Key, Raw<'_>)]) -> DeviceConfig {
        DeviceConfig::DEFAULT.with(changes, &BUS).unwrap()
    }

    fn int(i: i64) -> Option<Raw<'static>> {
        Some(Raw::Int(i))
    }

    fn wr(d: &DeviceConfig, t: Transaction<'_>) -> Result<Plan, Error> {
        Plan::new(d, &t, Dir::WriteRead, MAX)
    }

    #[test]
    fn address_then_data_big_endian_with_default_read_bits() {
        let d = DeviceConfig::DEFAULT;
        let p = wr(
            &d,
            Transaction {
                address: int(0x20),
                write_data: Some(Raw::Bin(&[0x47, 0x11])),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(p.tx(), [0x20, 0x47, 0x11]);
        assert_eq!(p.read_bits(), 16);
        assert_eq!(p.answer(&[0xAA, 0x12, 0x34]), [0x12, 0x34]);
        assert_eq!(p.dir(), Dir::WriteRead);
    }

    #[test]
    fn command_and_address_send_their_low_bits() {
        let d = dev(&[
            (Key::CommandLenBits, Raw::Int(4)),
            (Key::AddressLenBits, Raw::Int(12)),
        ]);
        let p = wr(
            &d,
            Transaction {
                command: int(0xAB),   // low 4 bits: 0xB
                address: int(0xF123), // low 12 bits: 0x123
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(p.tx(), [0xB1, 0x23]);
        assert_eq!(p.read_len(), 0);
        assert_eq!(p.answer(&[0xFF, 0xFF]), [0u8; 0]);
    }

    #[test]
    fn sixteen_bit_command_and_64_bit_address() {
        let d = dev(&[
            (Key::CommandLenBits, Raw::Int(16)),
            (Key::AddressLenBits, Raw::Int(64)),
        ]);
        let p = wr(
            &d,
            Transaction {
                command: int(0xBEEF),
                address: int(-2),
                read_bits: int(8),
                ..Default::default()
            },
        )
        .unwrap();
        let mut want = std::vec![0xBE, 0xEF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE];
        want.push(0);
        assert_eq!(p.tx(), want);
        let mut rx = [0u8; 11];
        rx[10] = 0x5A;
        assert_eq!(p.answer(&rx), [0x5A]);
    }

    #[test]
    fn negative_address_is_twos_complement_low_bits() {
        let d = dev(&[(Key::AddressLenBits, Raw::Int(16))]);
        let p = wr(
            &d,
            Transaction {
                address: int(-2),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(p.tx(), [0xFF, 0xFE]);
    }

    #[test]
    fn no_prefix_when_both_lengths_are_zero() {
        let d = dev(&[(Key::AddressLenBits, Raw::Int(0))]);
        let p = wr(
            &d,
            Transaction {
                command: int(0x12),
                address: int(0x34),
                write_data: Some(Raw::Bin(&[0x9F])),
                read_bits: int(24),
                ..Default::default()
            },
        )
        .unwrap();
        // Reading more than written: zeros clocked after the data.
        assert_eq!(p.tx(), [0x9F, 0, 0]);
        assert_eq!(p.answer(&[1, 2, 3]), [1, 2, 3]);
    }

    #[test]
    fn partial_bits_are_written_and_read_from_the_bit_after_the_prefix() {
        let d = dev(&[(Key::AddressLenBits, Raw::Int(3))]);
        let p = wr(
            &d,
            Transaction {
                address: int(0b101),
                write_data: Some(Raw::Bin(&[0xFF, 0xFF])),
                write_bits: int(9),
                read_bits: int(10),
                ..Default::default()
            },
        )
        .unwrap();
        // 101, nine 1s, one 0 (read past the write), padding: 13 bits in 2 bytes.
        assert_eq!(p.tx(), [0b1011_1111, 0b1111_0000]);
        // The 10 bits after the 3-bit prefix: 11010 10101, then zeros.
        let rx = [0b0001_1010, 0b1010_1000];
        assert_eq!(p.answer(&rx), [0b1101_0101, 0b0100_0000]);
        assert_eq!(p.read_len(), 2);
    }

    #[test]
    fn read_bits_default_to_write_bits_not_the_whole_binary() {
        let d = DeviceConfig::DEFAULT;
        let p = wr(
            &d,
            Transaction {
                write_data: Some(Raw::Bin(&[0xAB, 0xCD])),
                write_bits: int(12),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(p.read_bits(), 12);
        assert_eq!(p.tx(), [0, 0xAB, 0xC0]);
        assert_eq!(p.answer(&[0, 0xFF, 0xFF]), [0xFF, 0xF0]);
    }

    #[test]
    fn the_answer_keeps_only_read_bits() {
        let d = DeviceConfig::DEFAULT;
        let p = wr(
            &d,
            Transaction {
                read_bits: int(12),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(p.wire_len(), 3);
        assert_eq!(p.answer(&[0xFF, 0xFF, 0xFF]), [0xFF, 0xF0]);
    }

    #[test]
    fn write_only_clocks_no_read_bits() {
        let d = DeviceConfig::DEFAULT;
        let p = Plan::new(
            &d,
            &Transaction {
                address: int(0x23),
                write_data: Some(Raw::Bin(&[0x88])),
                read_bits: int(800),
                ..Default::default()
            },
            Dir::Write,
            MAX,
        )
        .unwrap();
        assert_eq!(p.tx(), [0x23, 0x88]);
        assert_eq!((p.dir(), p.read_len()), (Dir::Write, 0));
        // read_bits is not even checked when nothing is read.
        assert!(Plan::new(
            &d,
            &Transaction {
                read_bits: Some(Raw::Other),
                ..Default::default()
            },
            Dir::Write,
            MAX
        )
        .is_ok());
    }

    #[test]
    fn words_pad_the_stream_to_whole_words() {
        let d = dev(&[(Key::WordSize, Raw::Int(32))]);
        let p = wr(
            &d,
            Transaction {
                address: int(0x01),
                write_data: Some(Raw::Bin(&[2, 3, 4, 5])),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(p.tx(), [1, 2, 3, 4, 5, 0, 0, 0]);
        let mut w = [0u32; 2];
        be_to_words(p.tx(), &mut w);
        assert_eq!(w, [0x0102_0304, 0x0500_0000]);
        let mut back = [0u8; 8];
        words_to_be(&[0xA1A2_A3A4u32, 0xA5A6_A7A8], &mut back);
        assert_eq!(p.answer(&back), [0xA2, 0xA3, 0xA4, 0xA5]);
        let d16 = dev(&[(Key::WordSize, Raw::Int(16))]);
        let p = wr(
            &d16,
            Transaction {
                address: int(7),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(p.tx(), [7, 0]);
        let mut w = [0u16; 1];
        be_to_words(p.tx(), &mut w);
        assert_eq!(w, [0x0700]);
        let mut b = [0u8; 4];
        words_to_be(&[0x1234u16, 0xABCD], &mut b);
        assert_eq!(b, [0x12, 0x34, 0xAB, 0xCD]);
    }

    #[test]
    fn copy_bits_matches_a_bit_by_bit_copy_at_every_offset() {
        let bit = |b: &[u8], i: usize| b.get(i / 8).map_or(0, |v| (v >> (7 - i % 8)) & 1);
        let src = [0xA5, 0x3C, 0xFF, 0x01, 0x80, 0x7E];
        for (sp, dp, n) in
            (0..17).flat_map(|sp| (0..17).flat_map(move |dp| (0..56).map(move |n| (sp, dp, n))))
        {
            let mut got = [0u8; 7];
            copy_bits(&src, sp, &mut got, dp, n);
            let mut want = [0u8; 7];
            for k in 0..n {
                let d = dp + k;
                if d < 56 {
                    want[d / 8] |= bit(&src, sp + k) << (7 - d % 8);
                }
            }
            assert_eq!(got, want, "sp {sp} dp {dp} n {n}");
        }
    }

    /// A transaction with the fields `set` gives, the rest absent.
    fn tx<'a>(set: impl FnOnce(&mut Transaction<'a>)) -> Transaction<'a> {
        let mut t = Transaction::default();
        set(&mut t);
        t
    }

    #[test]
    fn each_bad_field_names_its_key() {
        let d = DeviceConfig::DEFAULT;
        let bad: [(Transaction<'_>, &str); 14] = [
            (tx(|t| t.command = int(-1)), "command"),
            (tx(|t| t.command = int(0x10000)), "command"),
            (tx(|t| t.command = Some(Raw::Atom("x"))), "command"),
            (tx(|t| t.address = Some(Raw::Other)), "address"),
            (tx(|t| t.address = Some(Raw::Atom("a"))), "address"),
            (tx(|t| t.address = Some(Raw::Bin(&[1]))), "address"),
            (tx(|t| t.write_data = Some(Raw::Other)), "write_data"),
            (
                tx(|t| (t.write_data, t.write_bits) = (Some(Raw::Bin(&[1])), int(9))),
                "write_bits",
            ),
            (tx(|t| t.write_bits = int(1)), "write_bits"),
            (tx(|t| t.write_bits = int(-1)), "write_bits"),
            (tx(|t| t.write_bits = Some(Raw::Atom("all"))), "write_bits"),
            (tx(|t| t.read_bits = int(-1)), "read_bits"),
            (tx(|t| t.read_bits = Some(Raw::Other)), "read_bits"),
            (tx(|t| t.command = Some(Raw::Bin(&[]))), "command"),
        ];
        for (t, key) in bad {
            assert_eq!(wr(&d, t).unwrap_err(), Error::with("badarg", key), "{t:?}");
        }
        // The bounds themselves are fine.
        let fine = [
            tx(|t| t.command = int(0)),
            tx(|t| t.command = int(0xFFFF)),
            tx(|t| t.address = int(i64::MIN)),
            tx(|t| t.address = int(i64::MAX)),
            tx(|t| (t.write_data, t.write_bits) = (Some(Raw::Bin(&[1])), int(8))),
            tx(|t| (t.write_data, t.write_bits) = (Some(Raw::Bin(&[1])), int(0))),
            tx(|t| t.read_bits = int(0)),
        ];
        for t in fine {
            assert!(wr(&d, t).is_ok(), "{t:?}");
        }
    }

    #[test]
    fn the_wire_size_is_capped_without_overflow() {
        let d = DeviceConfig::DEFAULT;
        // 8 address bits + 4095 bytes = 4096 bytes; a byte more is over.
        let data = std::vec![0u8; 4096];
        let write = |n: usize| wr(&d, tx(|t| t.write_data = Some(Raw::Bin(&data[..n]))));
        assert_eq!(write(4095).unwrap().wire_len(), MAX);
        assert_eq!(write(4096).unwrap_err(), TOO_LARGE);
        let read = |d: &DeviceConfig, bits| wr(d, tx(|t| t.read_bits = int(bits)));
        assert_eq!(read(&d, i64::MAX).unwrap_err(), TOO_LARGE);
        assert_eq!(read(&d, 4095 * 8 + 1).unwrap_err(), TOO_LARGE);
        assert_eq!(read(&d, 4095 * 8).unwrap().wire_len(), MAX);
        // Whole words: 8 + 4095 * 8 bits are 1024 32-bit words; one bit more is a word more.
        let d32 = dev(&[(Key::WordSize, Raw::Int(32))]);
        assert_eq!(read(&d32, 4096 * 8 - 8).unwrap().wire_len(), MAX);
        assert_eq!(read(&d32, 4096 * 8 - 7).unwrap_err(), TOO_LARGE);
        // A write-only plan counts what it writes only.
        let huge_read = tx(|t| t.read_bits = int(1 << 40));
        assert!(Plan::new(&d, &huge_read, Dir::Write, MAX).is_ok());
    }

    #[test]
    fn read_at_sends_command_and_address_then_reads_an_integer() {
        let d = DeviceConfig::DEFAULT;
        let p = Plan::read_at(&d, Raw::Int(0x0F), Raw::Int(8), MAX).unwrap();
        assert_eq!(p.tx(), [0x0F, 0]);
        assert_eq!(p.answer_int(&[0xFF, 0x33]), 0x33);
        // 48 bits (the LIS3DH example's six bytes).
        let p = Plan::read_at(&d, Raw::Int(0xE8), Raw::Int(48), MAX).unwrap();
        assert_eq!(p.tx(), [0xE8, 0, 0, 0, 0, 0, 0]);
        assert_eq!(p.answer_int(&[0, 1, 2, 3, 4, 5, 6]), 0x0102_0304_0506);
        // 64 bits, all ones.
        let p = Plan::read_at(&d, Raw::Int(1), Raw::Int(64), MAX).unwrap();
        assert_eq!(p.answer_int(&[0xFF; 9]), u64::MAX);
        // 12 bits: the first 12 after the address.
        let p = Plan::read_at(&d, Raw::Int(1), Raw::Int(12), MAX).unwrap();
        assert_eq!(p.answer_int(&[0, 0xAB, 0xCD]), 0xABC);
        // 0 bits: just the address.
        let p = Plan::read_at(&d, Raw::Int(1), Raw::Int(0), MAX).unwrap();
        assert_eq!((p.tx(), p.answer_int(&[0xFF])), (&[1u8][..], 0));
        // With command bits: a zero command first.
        let dc = dev(&[(Key::CommandLenBits, Raw::Int(8))]);
        let p = Plan::read_at(&dc, Raw::Int(0x9F), Raw::Int(8), MAX).unwrap();
        assert_eq!(p.tx(), [0, 0x9F, 0]);
        assert_eq!(p.answer_int(&[7, 7, 0x42]), 0x42);
    }

    #[test]
    fn write_at_sets_address_bit_7_and_writes_the_low_bits() {
        let d = DeviceConfig::DEFAULT;
        let p = Plan::write_at(&d, Raw::Int(0x20), Raw::Int(8), Raw::Int(0x147), MAX).unwrap();
        assert_eq!(p.tx(), [0xA0, 0x47]);
        assert_eq!(p.answer_int(&[0, 0x99]), 0x99);
        let p = Plan::write_at(&d, Raw::Int(0x01), Raw::Int(16), Raw::Int(-2), MAX).unwrap();
        assert_eq!(p.tx(), [0x81, 0xFF, 0xFE]);
        let p = Plan::write_at(&d, Raw::Int(0x01), Raw::Int(12), Raw::Int(0xABC), MAX).unwrap();
        assert_eq!(p.tx(), [0x81, 0xAB, 0xC0]);
        assert_eq!(p.answer_int(&[0, 0x12, 0x3F]), 0x123);
        let p = Plan::write_at(&d, Raw::Int(0), Raw::Int(64), Raw::Int(-1), MAX).unwrap();
        assert_eq!(p.tx()[1..], [0xFF; 8]);
        // 16-bit addresses get bit 7 too (ESP32, RP2), not the top bit (STM32).
        let d16 = dev(&[(Key::AddressLenBits, Raw::Int(16))]);
        let p = Plan::write_at(&d16, Raw::Int(0x1200), Raw::Int(8), Raw::Int(5), MAX).unwrap();
        assert_eq!(p.tx(), [0x12, 0x80, 5]);
    }

    #[test]
    fn read_at_and_write_at_refuse_bad_lengths_addresses_and_data() {
        let d = DeviceConfig::DEFAULT;
        let b = |k| Error::with("badarg", k);
        for len in [Raw::Int(65), Raw::Int(-1), Raw::Atom("8")] {
            assert_eq!(
                Plan::read_at(&d, Raw::Int(0), len, MAX).unwrap_err(),
                b("len")
            );
            assert_eq!(
                Plan::write_at(&d, Raw::Int(0), len, Raw::Int(0), MAX).unwrap_err(),
                b("len")
            );
        }
        assert_eq!(
            Plan::read_at(&d, Raw::Other, Raw::Int(8), MAX).unwrap_err(),
            b("address")
        );
        assert_eq!(
            Plan::write_at(&d, Raw::Atom("a"), Raw::Int(8), Raw::Int(0), MAX).unwrap_err(),
            b("address")
        );
        assert_eq!(
            Plan::write_at(&d, Raw::Int(0), Raw::Int(8), Raw::Bin(&[1]), MAX).unwrap_err(),
            b("data")
        );
        assert_eq!(
            Plan::write_at(&d, Raw::Int(0), Raw::Int(8), Raw::Other, MAX).unwrap_err(),
            b("data")
        );
        assert_eq!(
            Plan::read_at(&d, Raw::Int(0), Raw::Int(64), 8).unwrap_err(),
            TOO_LARGE
        );
    }
}
