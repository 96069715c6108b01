// SPDX-License-Identifier: Apache-2.0

//! Rust access to the module's emulated devices, for tests and samples:
//!
//! - [`I2sEmul`]: the I2S emulator (`atomvm,i2s-emul`, `CONFIG_ATOMVM_I2S_EMUL`): the bytes it
//!   played (oldest first, consumed as read) and its counters;
//! - [`CodecEmul`]: the emulated audio codec (`atomvm,audio-codec-emul`,
//!   `CONFIG_ATOMVM_AUDIO_CODEC_EMUL`): the applied volume and mute, whether output runs, the
//!   configured format;
//! - [`SpiRegsEmul`]: the emulated SPI register file (`atomvm,spi-regs-emul`,
//!   `CONFIG_ATOMVM_SPI_REGS_EMUL`): its registers, the configuration of the last transfer
//!   (mode, frequency, word size, chip select), counters and fault injection.
//!
//! These call the C test API of `<atomvm_ports/i2s_emul.h>`,
//! `<atomvm_ports/audio_codec_emul.h>` and `<atomvm_ports/spi_regs_emul.h>`, compiled into the image with the emulators: an
//! application that uses one of them enables the emulator's devicetree node. The declarations
//! are written by hand (the structs are plain integers); the C side pins their layout with
//! `BUILD_ASSERT`s that match the `const` assertions here.
//!
//! ```ignore
//! let i2s = atomvm_emul::I2sEmul::instance(0).expect("an atomvm,i2s-emul node");
//! let mut played = [0u8; 256];
//! let n = i2s.capture_read(&mut played)?;
//! let c = i2s.counters()?;
//! assert_eq!(c.underruns, 0);
//! ```

#![no_std]
#![deny(missing_docs)]

use core::ffi::{c_int, c_uint, c_void};

/// A negative errno returned by the C side (`-EINVAL` when the device is not the emulator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Errno(pub i32);

/// A stream state, as `enum i2s_state` of `<zephyr/drivers/i2s.h>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum I2sState {
    /// Not configured (or configured with a frame clock of 0).
    NotReady,
    /// Configured, not running.
    Ready,
    /// Transmitting / receiving.
    Running,
    /// Finishing the current block (STOP) or the queue (DRAIN).
    Stopping,
    /// TX underrun or RX overrun; PREPARE or DROP leaves it.
    Error,
    /// A value this crate does not know.
    Unknown(u8),
}

impl I2sState {
    /// Decodes `enum i2s_state` (NOT_READY = 0 .. ERROR = 4).
    pub fn from_raw(v: u8) -> Self {
        match v {
            0 => Self::NotReady,
            1 => Self::Ready,
            2 => Self::Running,
            3 => Self::Stopping,
            4 => Self::Error,
            other => Self::Unknown(other),
        }
    }
}

/// `struct i2s_emul_counters` of `<atomvm_ports/i2s_emul.h>`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RawI2sCounters {
    /// TX blocks played since boot or the last reset.
    pub played_blocks: u64,
    /// TX bytes played since boot or the last reset.
    pub played_bytes: u64,
    /// Underruns (TX queue empty at a block end while RUNNING).
    pub underruns: u32,
    /// RX overruns (no free RX block, or RX queue full).
    pub rx_overruns: u32,
    /// Played bytes that did not fit in the capture ring.
    pub capture_dropped: u64,
    /// Played blocks left out of the WAV file (a format other than the file's).
    pub wav_skipped_blocks: u32,
    /// Bytes waiting in the capture ring.
    pub capture_pending: u32,
    /// `enum i2s_state` of TX.
    pub tx_state: u8,
    /// `enum i2s_state` of RX.
    pub rx_state: u8,
    /// TX blocks queued behind the one playing.
    pub tx_queued: u16,
}

const _: () = assert!(core::mem::size_of::<RawI2sCounters>() == 48);
const _: () = assert!(core::mem::offset_of!(RawI2sCounters, capture_dropped) == 24);
const _: () = assert!(core::mem::offset_of!(RawI2sCounters, tx_state) == 40);
const _: () = assert!(core::mem::offset_of!(RawI2sCounters, tx_queued) == 42);

impl RawI2sCounters {
    /// The TX stream's state.
    pub fn tx(&self) -> I2sState {
        I2sState::from_raw(self.tx_state)
    }

    /// The RX stream's state.
    pub fn rx(&self) -> I2sState {
        I2sState::from_raw(self.rx_state)
    }
}

/// `struct audio_codec_emul_state` of `<atomvm_ports/audio_codec_emul.h>`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CodecState {
    /// Applied output volume, front left (0..=255).
    pub volume_left: i32,
    /// Applied output volume, front right (0..=255).
    pub volume_right: i32,
    /// Frame clock (Hz) of the last successful configure.
    pub rate: u32,
    /// Successful configure calls since boot.
    pub configures: u32,
    /// apply_properties calls since boot.
    pub applies: u32,
    /// Word size (bits) of the last configure.
    pub bits: u8,
    /// Channels of the last configure.
    pub channels: u8,
    /// 1 when the front left output is muted.
    pub muted_left: u8,
    /// 1 when the front right output is muted.
    pub muted_right: u8,
    /// 1 between start_output and stop_output.
    pub output_started: u8,
    /// 1 once configure succeeded.
    pub configured: u8,
    reserved: [u8; 2],
}

const _: () = assert!(core::mem::size_of::<CodecState>() == 28);
const _: () = assert!(core::mem::offset_of!(CodecState, bits) == 20);
const _: () = assert!(core::mem::offset_of!(CodecState, configured) == 25);

impl CodecState {
    /// Both front outputs muted.
    pub fn muted(&self) -> bool {
        self.muted_left != 0 && self.muted_right != 0
    }

    /// Output started (start_output called, stop_output not since).
    pub fn started(&self) -> bool {
        self.output_started != 0
    }
}

/// `struct spi_regs_emul_counters` of `<atomvm_ports/spi_regs_emul.h>`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SpiCounters {
    /// Transfers (`io` calls) that reached the device, failed ones included.
    pub transfers: u32,
    /// Frames ended (CS released) after at least one byte.
    pub frames: u32,
    /// Frames whose address had the read flag.
    pub read_frames: u32,
    /// Frames whose address had no read flag.
    pub write_frames: u32,
    /// Whole bytes exchanged inside frames, addresses included.
    pub bytes: u32,
    /// Transfers failed by [`SpiRegsEmul::fail_next`].
    pub failed: u32,
    /// Transfers ignored while the device's `select-gpios` line was inactive.
    pub deselected: u32,
    reserved: u32,
}

const _: () = assert!(core::mem::size_of::<SpiCounters>() == 32);

/// `struct spi_regs_emul_config` of `<atomvm_ports/spi_regs_emul.h>`: the `spi_config` of the
/// last transfer, decoded.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpiLastConfig {
    /// `cs.gpio.port` for a GPIO chip select, else null.
    pub cs_gpio_port: *const c_void,
    /// SCK frequency (Hz).
    pub frequency: u32,
    /// The whole operation word.
    pub operation: u32,
    /// `cs.delay` (us) for a GPIO chip select, `cs.setup_ns` for a hardware one.
    pub cs_delay: u32,
    /// `cs.hold_ns` for a hardware chip select, else 0.
    pub cs_hold_ns: u32,
    /// `spi_config.slave`.
    pub slave: u16,
    /// `cs.gpio.dt_flags`.
    pub cs_gpio_flags: u16,
    /// SPI mode 0..3 (CPOL << 1 | CPHA).
    pub mode: u8,
    /// Word size (bits).
    pub word_size: u8,
    /// 1 with `SPI_TRANSFER_LSB`.
    pub lsb_first: u8,
    /// 1 for a GPIO chip select.
    pub cs_is_gpio: u8,
    /// `cs.gpio.pin`.
    pub cs_gpio_pin: u8,
    /// 1 with `SPI_CS_ACTIVE_HIGH`.
    pub cs_active_high: u8,
    /// 1 once a transfer was seen since the last reset.
    pub seen: u8,
    reserved: u8,
}

impl Default for SpiLastConfig {
    fn default() -> Self {
        Self {
            cs_gpio_port: core::ptr::null(),
            frequency: 0,
            operation: 0,
            cs_delay: 0,
            cs_hold_ns: 0,
            slave: 0,
            cs_gpio_flags: 0,
            mode: 0,
            word_size: 0,
            lsb_first: 0,
            cs_is_gpio: 0,
            cs_gpio_pin: 0,
            cs_active_high: 0,
            seen: 0,
            reserved: 0,
        }
    }
}

const _: () = assert!(
    core::mem::size_of::<SpiLastConfig>()
        == if cfg!(target_pointer_width = "64") {
            40
        } else {
            32
        }
);
const _: () =
    assert!(core::mem::offset_of!(SpiLastConfig, slave) == core::mem::size_of::<usize>() + 16);
const _: () =
    assert!(core::mem::offset_of!(SpiLastConfig, mode) == core::mem::size_of::<usize>() + 20);

impl SpiLastConfig {
    /// Whether a transfer was seen since the last reset.
    pub fn seen(&self) -> bool {
        self.seen != 0
    }

    /// Least significant bit first.
    pub fn lsb_first(&self) -> bool {
        self.lsb_first != 0
    }

    /// A GPIO chip select.
    pub fn cs_is_gpio(&self) -> bool {
        self.cs_is_gpio != 0
    }
}

extern "C" {
    fn spi_regs_emul_get(inst: c_uint) -> *const c_void;
    fn spi_regs_emul_read(target: *const c_void, reg: u16, buf: *mut u8, len: usize) -> c_int;
    fn spi_regs_emul_write(target: *const c_void, reg: u16, buf: *const u8, len: usize) -> c_int;
    fn spi_regs_emul_fail_next(target: *const c_void, n: u32, err: c_int) -> c_int;
    fn spi_regs_emul_counters(target: *const c_void, out: *mut SpiCounters) -> c_int;
    fn spi_regs_emul_last_config(target: *const c_void, out: *mut SpiLastConfig) -> c_int;
    fn spi_regs_emul_reset(target: *const c_void) -> c_int;
    fn i2s_emul_device(inst: c_uint) -> *const c_void;
    fn i2s_emul_capture_read(dev: *const c_void, buf: *mut u8, len: usize) -> c_int;
    fn i2s_emul_counters(dev: *const c_void, out: *mut RawI2sCounters) -> c_int;
    fn i2s_emul_capture_reset(dev: *const c_void) -> c_int;
    fn audio_codec_emul_device(inst: c_uint) -> *const c_void;
    fn audio_codec_emul_state(dev: *const c_void, out: *mut CodecState) -> c_int;
}

fn check(ret: c_int) -> Result<usize, Errno> {
    usize::try_from(ret).map_err(|_| Errno(ret))
}

/// An I2S emulator device (`const struct device *` of an `atomvm,i2s-emul` node).
#[derive(Debug, Clone, Copy)]
pub struct I2sEmul(*const c_void);

// SAFETY: the handle is a pointer to a static `struct device`; the C API locks internally.
unsafe impl Send for I2sEmul {}
// SAFETY: as above.
unsafe impl Sync for I2sEmul {}

impl I2sEmul {
    /// The emulator of devicetree instance `inst` (0, 1, ...), if there is one.
    pub fn instance(inst: u32) -> Option<Self> {
        // SAFETY: takes an integer, returns a static device pointer or NULL.
        let dev = unsafe { i2s_emul_device(inst) };
        (!dev.is_null()).then_some(Self(dev))
    }

    /// Wraps a device pointer taken elsewhere (e.g. `DEVICE_DT_GET` in C). A device that is not
    /// an I2S emulator makes every call return `Err(Errno(-EINVAL))`.
    ///
    /// # Safety
    /// `dev` is a `const struct device *` of the running image (static, never freed).
    pub unsafe fn from_device(dev: *const c_void) -> Self {
        Self(dev)
    }

    /// The device pointer.
    pub fn as_ptr(&self) -> *const c_void {
        self.0
    }

    /// Moves up to `buf.len()` played bytes, oldest first, into `buf`; returns how many.
    pub fn capture_read(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        // SAFETY: `buf` is valid for `buf.len()` bytes of writes; `self.0` is a static device.
        check(unsafe { i2s_emul_capture_read(self.0, buf.as_mut_ptr(), buf.len()) })
    }

    /// The counters and states.
    pub fn counters(&self) -> Result<RawI2sCounters, Errno> {
        let mut out = RawI2sCounters::default();
        // SAFETY: `out` is a valid, writable `struct i2s_emul_counters`.
        check(unsafe { i2s_emul_counters(self.0, &mut out) })?;
        Ok(out)
    }

    /// Empties the capture ring and zeroes the counters.
    pub fn capture_reset(&self) -> Result<(), Errno> {
        // SAFETY: `self.0` is a static device.
        check(unsafe { i2s_emul_capture_reset(self.0) }).map(|_| ())
    }
}

/// An emulated codec device (`const struct device *` of an `atomvm,audio-codec-emul` node).
#[derive(Debug, Clone, Copy)]
pub struct CodecEmul(*const c_void);

// SAFETY: the handle is a pointer to a static `struct device`; the C API locks internally.
unsafe impl Send for CodecEmul {}
// SAFETY: as above.
unsafe impl Sync for CodecEmul {}

impl CodecEmul {
    /// The emulated codec of devicetree instance `inst`, if there is one.
    pub fn instance(inst: u32) -> Option<Self> {
        // SAFETY: takes an integer, returns a static device pointer or NULL.
        let dev = unsafe { audio_codec_emul_device(inst) };
        (!dev.is_null()).then_some(Self(dev))
    }

    /// Wraps a device pointer taken elsewhere. A device that is not an emulated codec makes
    /// [`CodecEmul::state`] return `Err(Errno(-EINVAL))`.
    ///
    /// # Safety
    /// `dev` is a `const struct device *` of the running image (static, never freed).
    pub unsafe fn from_device(dev: *const c_void) -> Self {
        Self(dev)
    }

    /// The applied state.
    pub fn state(&self) -> Result<CodecState, Errno> {
        let mut out = CodecState::default();
        // SAFETY: `out` is a valid, writable `struct audio_codec_emul_state`.
        check(unsafe { audio_codec_emul_state(self.0, &mut out) })?;
        Ok(out)
    }
}

/// An emulated SPI register file (`const struct emul *` of an `atomvm,spi-regs-emul` node).
#[derive(Debug, Clone, Copy)]
pub struct SpiRegsEmul(*const c_void);

// SAFETY: the handle is a pointer to a static `struct emul`; the C API locks internally.
unsafe impl Send for SpiRegsEmul {}
// SAFETY: as above.
unsafe impl Sync for SpiRegsEmul {}

impl SpiRegsEmul {
    /// The emulator of devicetree instance `inst` (0, 1, ... in devicetree order), if any.
    pub fn instance(inst: u32) -> Option<Self> {
        // SAFETY: takes an integer, returns a static emulator pointer or NULL.
        let target = unsafe { spi_regs_emul_get(inst) };
        (!target.is_null()).then_some(Self(target))
    }

    /// Wraps an emulator pointer taken elsewhere (`EMUL_DT_GET` in C). One that is not an SPI
    /// register file makes every call return `Err(Errno(-EINVAL))`.
    ///
    /// # Safety
    /// `target` is a `const struct emul *` of the running image (static, never freed).
    pub unsafe fn from_emul(target: *const c_void) -> Self {
        Self(target)
    }

    /// Copies `buf.len()` registers from `reg` on (wrapping at the register file's size).
    pub fn read(&self, reg: u16, buf: &mut [u8]) -> Result<(), Errno> {
        // SAFETY: `buf` is valid for `buf.len()` bytes of writes; `self.0` is a static emulator.
        check(unsafe { spi_regs_emul_read(self.0, reg, buf.as_mut_ptr(), buf.len()) }).map(drop)
    }

    /// One register.
    pub fn reg(&self, reg: u16) -> Result<u8, Errno> {
        let mut one = [0u8];
        self.read(reg, &mut one)?;
        Ok(one[0])
    }

    /// Stores `buf` from `reg` on (wrapping).
    pub fn write(&self, reg: u16, buf: &[u8]) -> Result<(), Errno> {
        // SAFETY: `buf` is valid for `buf.len()` bytes of reads; `self.0` is a static emulator.
        check(unsafe { spi_regs_emul_write(self.0, reg, buf.as_ptr(), buf.len()) }).map(drop)
    }

    /// The next `n` transfers fail with `errno` (negative) without touching the registers
    /// (the frame in progress ends); `n = 0` cancels.
    pub fn fail_next(&self, n: u32, errno: i32) -> Result<(), Errno> {
        // SAFETY: plain values; `self.0` is a static emulator.
        check(unsafe { spi_regs_emul_fail_next(self.0, n, errno) }).map(drop)
    }

    /// The counters since boot or the last [`SpiRegsEmul::reset`].
    pub fn counters(&self) -> Result<SpiCounters, Errno> {
        let mut out = SpiCounters::default();
        // SAFETY: `out` is a valid, writable `struct spi_regs_emul_counters`.
        check(unsafe { spi_regs_emul_counters(self.0, &mut out) })?;
        Ok(out)
    }

    /// The configuration of the last transfer.
    pub fn last_config(&self) -> Result<SpiLastConfig, Errno> {
        let mut out = SpiLastConfig::default();
        // SAFETY: `out` is a valid, writable `struct spi_regs_emul_config`.
        check(unsafe { spi_regs_emul_last_config(self.0, &mut out) })?;
        Ok(out)
    }

    /// Zeroes the counters, forgets the last configuration, cancels injected faults and ends
    /// the frame in progress; the registers are kept.
    pub fn reset(&self) -> Result<(), Errno> {
        // SAFETY: `self.0` is a static emulator.
        check(unsafe { spi_regs_emul_reset(self.0) }).map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_decode_as_i2s_h_numbers_them() {
        assert_eq!(I2sState::from_raw(0), I2sState::NotReady);
        assert_eq!(I2sState::from_raw(1), I2sState::Ready);
        assert_eq!(I2sState::from_raw(2), I2sState::Running);
        assert_eq!(I2sState::from_raw(3), I2sState::Stopping);
        assert_eq!(I2sState::from_raw(4), I2sState::Error);
        assert_eq!(I2sState::from_raw(9), I2sState::Unknown(9));
    }

    #[test]
    fn negative_returns_are_errnos() {
        assert_eq!(check(-22), Err(Errno(-22)));
        assert_eq!(check(5), Ok(5));
    }

    #[test]
    fn spi_last_config_flags() {
        let c = SpiLastConfig {
            seen: 1,
            lsb_first: 1,
            ..Default::default()
        };
        assert!(c.seen() && c.lsb_first() && !c.cs_is_gpio());
        assert!(!SpiLastConfig::default().seen());
    }

    #[test]
    fn codec_flags() {
        let s = CodecState {
            muted_left: 1,
            muted_right: 1,
            output_started: 1,
            ..Default::default()
        };
        assert!(s.muted() && s.started());
        let s = CodecState {
            muted_left: 1,
            ..Default::default()
        };
        assert!(!s.muted() && !s.started());
    }
}
