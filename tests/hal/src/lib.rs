// SPDX-License-Identifier: Apache-2.0

//! Tests of zephyr-hal-adapters against Zephyr's emulators (src/emul.c). One line per case,
//! `PASS <case>` or `FAIL <case>: <why>`, then `hal: <n> passed, <m> failed`.

#![no_std]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use atomvm_emul::SpiRegsEmul;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use eeprom24x::{Eeprom24x, SlaveAddr};
use embedded_hal::delay::DelayNs;
use embedded_hal::digital::{InputPin, OutputPin, PinState, StatefulOutputPin};
use embedded_hal::i2c::{self as ehi2c, ErrorKind, I2c as _, NoAcknowledgeSource, Operation};
use embedded_hal::spi::{self as ehspi, SpiBus as _, SpiDevice as _};
use embedded_hal_async::delay::DelayNs as AsyncDelayNs;
use embedded_hal_async::digital::Wait;
use zephyr::printkln;
use zephyr::raw as zr;
use zephyr_hal::gpio::{Edge, Input, Interrupt, Output};
use zephyr_hal::i2c::I2c;
use zephyr_hal::spi::{self, BitOrder, ChipSelect, Config, SpiBus, SpiDevice};
use zephyr_hal::{block_on, gpio_spec, i2c_spec, spi_spec, Code, Delay};

extern "C" {
    fn hal_test_i2c_log(flags: *mut u8, lens: *mut u32, max: i32) -> i32;
    fn hal_test_i2c_transfers() -> i32;
    fn hal_test_i2c_reg(idx: i32) -> u8;
    fn hal_test_spi_reset();
    fn hal_test_spi_calls() -> i32;
    fn hal_test_spi_frames() -> i32;
    fn hal_test_spi_call_op(i: i32) -> u32;
    fn hal_test_spi_call_len(i: i32) -> usize;
    fn hal_test_spi_tx(buf: *mut u8, max: i32) -> i32;
    fn hal_test_spi_hold_on_cs() -> u32;
    fn hal_test_gpio_out(pin: i32) -> i32;
    fn hal_test_gpio_is_output(pin: i32) -> i32;
    fn hal_test_spi_regs_emul(which: i32) -> *const core::ffi::c_void;
    fn hal_test_gpio_in(pin: i32, value: i32) -> i32;
    fn hal_test_gpio_later(slot: i32, pin: i32, value: i32, ms: i32);
    fn hal_test_spi_isr_bus() -> *const zephyr_hal::raw::device;
    fn hal_test_spi_isr_counters(out: *mut u32) -> i32;
    fn hal_test_spi_isr_busy() -> i32;
}

type Res = Result<(), String>;

macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(format!($($fmt)+));
        }
    };
}

fn eq<T: PartialEq + core::fmt::Debug>(what: &str, got: T, want: T) -> Res {
    ensure!(got == want, "{what}: got {got:?}, want {want:?}");
    Ok(())
}

struct Tally {
    passed: u32,
    failed: u32,
}

impl Tally {
    fn case(&mut self, name: &str, f: impl FnOnce() -> Res) {
        match f() {
            Ok(()) => {
                self.passed += 1;
                printkln!("PASS {}", name);
            }
            Err(why) => {
                self.failed += 1;
                printkln!("FAIL {}: {}", name, why);
            }
        }
    }
}

// Flags as Zephyr defines them (I2C_MSG_*), for checking the log.
const W: u8 = 0;
const R: u8 = 1;
const STOP: u8 = 2;
const RESTART: u8 = 4;
const TEN: u8 = 8;

const REGS: u8 = 0x20;
const ABSENT: u8 = 0x21;

fn i2c_log() -> alloc::vec::Vec<(u8, u32)> {
    let mut flags = [0u8; 16];
    let mut lens = [0u32; 16];
    // SAFETY: buffers of 16 entries.
    let n = unsafe { hal_test_i2c_log(flags.as_mut_ptr(), lens.as_mut_ptr(), 16) } as usize;
    flags[..n.min(16)]
        .iter()
        .copied()
        .zip(lens.iter().copied())
        .collect()
}

fn i2c() -> I2c {
    I2c::new(i2c_spec!(hal_regs_i2c)).expect("I2C controller ready")
}

fn kind<E: ehi2c::Error>(r: Result<(), E>) -> Option<ErrorKind> {
    r.err().map(|e| e.kind())
}

/// Runs `fut` to completion; also returns how often it was polled (more than once: it really
/// waited for a callback).
fn counted<F: Future>(fut: F) -> (F::Output, u32) {
    let mut polls = 0;
    let mut fut = pin!(fut);
    let out = block_on(core::future::poll_fn(|cx| {
        polls += 1;
        fut.as_mut().poll(cx)
    }));
    (out, polls)
}

fn i2c_cases(t: &mut Tally) {
    let nack = Some(ErrorKind::NoAcknowledge(NoAcknowledgeSource::Unknown));

    t.case("i2c_spec_from_devicetree", || {
        let spec = i2c_spec!(hal_regs_i2c);
        eq("address", spec.addr, REGS as u16)
    });
    t.case("i2c_write", || {
        i2c()
            .write(REGS, &[0x02, 0x11, 0x22])
            .map_err(|e| format!("{e:?}"))?;
        eq("log", i2c_log(), alloc::vec![(W | STOP, 3)])?;
        // SAFETY: plain getters.
        eq(
            "regs",
            unsafe { (hal_test_i2c_reg(2), hal_test_i2c_reg(3)) },
            (0x11, 0x22),
        )
    });
    t.case("i2c_read", || {
        let mut bus = i2c();
        bus.write(REGS, &[0x02]).map_err(|e| format!("{e:?}"))?;
        let mut buf = [0u8; 2];
        bus.read(REGS, &mut buf).map_err(|e| format!("{e:?}"))?;
        eq("log", i2c_log(), alloc::vec![(R | STOP, 2)])?;
        eq("data", buf, [0x11, 0x22])
    });
    t.case("i2c_write_read", || {
        let mut buf = [0u8; 1];
        i2c()
            .write_read(REGS, &[0x03], &mut buf)
            .map_err(|e| format!("{e:?}"))?;
        eq(
            "log",
            i2c_log(),
            alloc::vec![(W, 1), (R | RESTART | STOP, 1)],
        )?;
        eq("data", buf, [0x22])
    });
    t.case("i2c_transaction_restart_only_on_direction_change", || {
        let (mut a, mut b, mut c) = ([0u8; 1], [0u8; 2], [0u8; 1]);
        i2c()
            .transaction(
                REGS,
                &mut [
                    Operation::Write(&[0x04, 0xa1]),
                    Operation::Write(&[0xa2]),
                    Operation::Read(&mut a),
                    Operation::Write(&[0x04]),
                    Operation::Read(&mut b),
                    Operation::Read(&mut c),
                ],
            )
            .map_err(|e| format!("{e:?}"))?;
        eq(
            "log",
            i2c_log(),
            alloc::vec![
                (W, 2),
                (W, 1),
                (R | RESTART, 1),
                (W | RESTART, 1),
                (R | RESTART, 2),
                (R | STOP, 1)
            ],
        )?;
        // SAFETY: plain getter.
        let r6 = unsafe { hal_test_i2c_reg(6) };
        eq("data", (a, b, c), ([r6], [0xa1, 0xa2], [r6]))
    });
    t.case("i2c_transaction_longer_than_stack", || {
        let mut bufs = [[0u8; 1]; 9];
        let mut ops: alloc::vec::Vec<Operation<'_>> = alloc::vec![Operation::Write(&[0x04])];
        ops.extend(bufs.iter_mut().map(|b| Operation::Read(b)));
        i2c()
            .transaction(REGS, &mut ops)
            .map_err(|e| format!("{e:?}"))?;
        drop(ops);
        let log = i2c_log();
        eq("messages", log.len(), 10)?;
        eq("first", log[0], (W, 1))?;
        eq("second", log[1], (R | RESTART, 1))?;
        eq("middle", log[5], (R, 1))?;
        eq("last", log[9], (R | STOP, 1))?;
        eq("data", (bufs[0][0], bufs[1][0]), (0xa1, 0xa2))
    });
    t.case("i2c_ten_bit_address", || {
        use embedded_hal::i2c::{I2c as EhI2c, TenBitAddress};
        let mut bus = i2c();
        EhI2c::<TenBitAddress>::write(&mut bus, REGS as u16, &[0x0c, 0x99])
            .map_err(|e| format!("{e:?}"))?;
        eq("log", i2c_log(), alloc::vec![(W | STOP | TEN, 2)])?;
        let mut one = [0u8; 1];
        EhI2c::<TenBitAddress>::write_read(&mut bus, REGS as u16, &[0x0c], &mut one)
            .map_err(|e| format!("{e:?}"))?;
        eq(
            "log",
            i2c_log(),
            alloc::vec![(W | TEN, 1), (R | RESTART | STOP | TEN, 1)],
        )?;
        eq("data", one, [0x99])?;
        // SAFETY: plain getter.
        let before = unsafe { hal_test_i2c_transfers() };
        let err = EhI2c::<TenBitAddress>::write(&mut bus, 0x400, &[0]).unwrap_err();
        eq("10-bit out of range", err.errno(), Code::EINVAL.errno())?;
        let err = bus.write(0x80u8, &[0]).unwrap_err();
        eq("7-bit out of range", err.errno(), Code::EINVAL.errno())?;
        // SAFETY: plain getter.
        eq(
            "no bus activity",
            unsafe { hal_test_i2c_transfers() },
            before,
        )
    });
    t.case("i2c_empty_transaction_no_bus_activity", || {
        // SAFETY: plain getter.
        let before = unsafe { hal_test_i2c_transfers() };
        i2c()
            .transaction(REGS, &mut [])
            .map_err(|e| format!("{e:?}"))?;
        // SAFETY: plain getter.
        eq("transfers", unsafe { hal_test_i2c_transfers() }, before)
    });
    t.case("i2c_absent_device_is_nack", || {
        let mut bus = i2c();
        eq("write", kind(bus.write(ABSENT, &[1])), nack)?;
        let mut buf = [0u8; 1];
        eq("read", kind(bus.read(ABSENT, &mut buf)), nack)?;
        let err = bus.write(ABSENT, &[1]).unwrap_err();
        eq("errno", err.errno(), Code::EIO.errno())
    });
    t.case("i2c_driver_errors_mapped", || {
        let mut bus = i2c();
        eq("-EIO", kind(bus.write(REGS, &[0xe0])), nack)?;
        eq(
            "-EBUSY",
            kind(bus.write(REGS, &[0xe1])),
            Some(ErrorKind::Bus),
        )?;
        eq(
            "-EAGAIN",
            kind(bus.write(REGS, &[0xe2])),
            Some(ErrorKind::ArbitrationLoss),
        )?;
        eq(
            "-ETIMEDOUT",
            kind(bus.write(REGS, &[0xe3])),
            Some(ErrorKind::Bus),
        )
    });
    t.case("i2c_error_kind_table", || {
        use zephyr_hal::i2c::error_kind as k;
        eq(
            "ENXIO",
            k(Code::ENXIO.errno()),
            ErrorKind::NoAcknowledge(NoAcknowledgeSource::Unknown),
        )?;
        eq(
            "EALREADY",
            k(Code::EALREADY.errno()),
            ErrorKind::ArbitrationLoss,
        )?;
        eq("EOVERFLOW", k(Code::EOVERFLOW.errno()), ErrorKind::Overrun)?;
        eq("EINVAL", k(Code::EINVAL.errno()), ErrorKind::Other)?;
        eq("ENOTSUP", k(Code::ENOTSUP.errno()), ErrorKind::Other)?;
        eq("ENOSYS", k(Code::ENOSYS.errno()), ErrorKind::Other)
    });
    t.case("i2c_async", || {
        use embedded_hal_async::i2c::I2c as AsyncI2c;
        let mut bus = i2c();
        block_on(AsyncI2c::write(&mut bus, REGS, &[0x08, 0x5a, 0x5b]))
            .map_err(|e| format!("{e:?}"))?;
        let mut one = [0u8; 1];
        block_on(AsyncI2c::write_read(&mut bus, REGS, &[0x08], &mut one))
            .map_err(|e| format!("{e:?}"))?;
        eq("write_read", one, [0x5a])?;
        block_on(AsyncI2c::read(&mut bus, REGS, &mut one)).map_err(|e| format!("{e:?}"))?;
        eq("read", one, [0x5b])?;
        let mut two = [0u8; 2];
        block_on(AsyncI2c::transaction(
            &mut bus,
            REGS,
            &mut [Operation::Write(&[0x08]), Operation::Read(&mut two)],
        ))
        .map_err(|e| format!("{e:?}"))?;
        eq("transaction", two, [0x5a, 0x5b])?;
        eq(
            "nack",
            kind(block_on(AsyncI2c::write(&mut bus, ABSENT, &[0]))),
            nack,
        )
    });
    t.case("i2c_async_callback_controller", || {
        use embedded_hal_async::i2c::I2c as AsyncI2c;
        let mut bus = I2c::new(i2c_spec!(hal_async_regs_i2c)).map_err(|e| format!("{e:?}"))?;
        let (r, polls) = counted(AsyncI2c::write(&mut bus, REGS, &[0x0a, 0x71, 0x72]));
        r.map_err(|e| format!("{e:?}"))?;
        ensure!(
            polls > 1,
            "write completed without waiting for the callback"
        );
        eq("log", i2c_log(), alloc::vec![(W | STOP, 3)])?;
        let mut two = [0u8; 2];
        let (r, polls) = counted(AsyncI2c::write_read(&mut bus, REGS, &[0x0a], &mut two));
        r.map_err(|e| format!("{e:?}"))?;
        ensure!(
            polls > 1,
            "write_read completed without waiting for the callback"
        );
        eq("write_read", two, [0x71, 0x72])?;
        let mut one = [0u8; 1];
        let (r, _) = counted(AsyncI2c::read(&mut bus, REGS, &mut one));
        r.map_err(|e| format!("{e:?}"))?;
        let mut back = [0u8; 1];
        let (r, _) = counted(AsyncI2c::transaction(
            &mut bus,
            REGS,
            &mut [Operation::Write(&[0x0b]), Operation::Read(&mut back)],
        ));
        r.map_err(|e| format!("{e:?}"))?;
        eq("transaction", back, [0x72])?;
        let (r, _) = counted(AsyncI2c::write(&mut bus, ABSENT, &[0]));
        eq("nack through the callback", kind(r), nack)
    });
    t.case("i2c_async_cancelled_waits_for_driver", || {
        use embedded_hal_async::i2c::I2c as AsyncI2c;
        let mut bus = I2c::new(i2c_spec!(hal_async_regs_i2c)).map_err(|e| format!("{e:?}"))?;
        // SAFETY: plain getter.
        let before = unsafe { hal_test_i2c_transfers() };
        {
            let mut buf = [0u8; 4];
            let mut fut = pin!(AsyncI2c::write_read(&mut bus, REGS, &[0x00], &mut buf));
            let mut cx = Context::from_waker(Waker::noop());
            ensure!(
                fut.as_mut().poll(&mut cx).is_pending(),
                "should wait for the callback"
            );
        }
        // Dropping returned only once the driver had finished with the buffers.
        // SAFETY: plain getter.
        eq("transfers", unsafe { hal_test_i2c_transfers() }, before + 1)
    });
    t.case("eeprom24x_driver_unchanged", || {
        let spec = i2c_spec!(hal_eeprom_i2c);
        eq("address", spec.addr, 0x50)?;
        let bus = I2c::new(spec).map_err(|e| format!("{e:?}"))?;
        let mut eeprom = Eeprom24x::new_24x02(bus, SlaveAddr::default());
        let e = |e: eeprom24x::Error<zephyr_hal::i2c::Error>| format!("{e:?}");
        eq("erased", eeprom.read_byte(0x10).map_err(e)?, 0xff)?;
        eeprom.write_byte(0x10, 0xab).map_err(e)?;
        eq("byte", eeprom.read_byte(0x10).map_err(e)?, 0xab)?;
        let page = [1u8, 2, 3, 4, 5, 6, 7, 8];
        eeprom.write_page(0x20, &page).map_err(e)?;
        let mut back = [0u8; 8];
        eeprom.read_data(0x20, &mut back).map_err(e)?;
        eq("page", back, page)?;
        eq(
            "current address",
            eeprom.read_current_address().map_err(e)?,
            0xff,
        )
    });
}

fn spi_reset() {
    // SAFETY: plain setter.
    unsafe { hal_test_spi_reset() };
}

/// (calls, frames, tx bytes) recorded since the last reset.
fn spi_log() -> (i32, i32, alloc::vec::Vec<u8>) {
    let mut tx = [0u8; 128];
    // SAFETY: plain getters; a 128-byte buffer.
    unsafe {
        let n = hal_test_spi_tx(tx.as_mut_ptr(), 128) as usize;
        (
            hal_test_spi_calls(),
            hal_test_spi_frames(),
            tx[..n].to_vec(),
        )
    }
}

fn held(call: i32) -> bool {
    // SAFETY: plain getters.
    unsafe { hal_test_spi_call_op(call) & hal_test_spi_hold_on_cs() != 0 }
}

fn spi_dev() -> SpiDevice {
    SpiDevice::new(spi_spec!(hal_spidev_spi)).expect("SPI ready")
}

fn spi_cases(t: &mut Tally) {
    use ehspi::Operation as Op;
    let e = |e: zephyr_hal::spi::Error| format!("{e:?}");
    t.case("spi_device_write", || {
        spi_reset();
        spi_dev().write(&[1u8, 2, 3]).map_err(e)?;
        eq("log", spi_log(), (1, 1, alloc::vec![1, 2, 3]))?;
        eq("hold", held(0), false)
    });
    t.case("spi_device_read", || {
        spi_reset();
        let mut buf = [0u8; 4];
        spi_dev().read(&mut buf).map_err(e)?;
        eq("data", buf, [0x80, 0x81, 0x82, 0x83])?;
        eq("log", spi_log(), (1, 1, alloc::vec![0, 0, 0, 0]))
    });
    t.case("spi_device_transfer_uneven", || {
        spi_reset();
        let mut dev = spi_dev();
        let mut short = [0u8; 2];
        dev.transfer(&mut short, &[0xa, 0xb, 0xc, 0xd]).map_err(e)?;
        eq("short read", short, [0x80, 0x81])?;
        let mut long = [0u8; 4];
        dev.transfer(&mut long, &[0xe, 0xf]).map_err(e)?;
        eq("long read", long, [0x80, 0x81, 0x82, 0x83])?;
        eq(
            "log",
            spi_log(),
            (2, 2, alloc::vec![0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0, 0]),
        )?;
        // SAFETY: plain getter.
        eq(
            "lengths",
            unsafe { (hal_test_spi_call_len(0), hal_test_spi_call_len(1)) },
            (4, 4),
        )
    });
    t.case("spi_device_transfer_in_place", || {
        spi_reset();
        let mut buf = [5u8, 6, 7];
        spi_dev().transfer_in_place(&mut buf).map_err(e)?;
        eq("data", buf, [0x80, 0x81, 0x82])?;
        eq("log", spi_log(), (1, 1, alloc::vec![5, 6, 7]))
    });
    t.case("spi_transaction_is_one_cs_frame", || {
        spi_reset();
        let (mut r, mut t2, mut inplace) = ([0u8; 3], [0u8; 1], [0x33u8; 2]);
        spi_dev()
            .transaction(&mut [
                Op::Write(&[9, 8]),
                Op::Read(&mut r),
                Op::Transfer(&mut t2, &[0x11, 0x22]),
                Op::TransferInPlace(&mut inplace),
            ])
            .map_err(e)?;
        eq("read", r, [0x82, 0x83, 0x84])?;
        eq("transfer", t2, [0x85])?;
        eq("in place", inplace, [0x87, 0x88])?;
        eq(
            "log",
            spi_log(),
            (1, 1, alloc::vec![9, 8, 0, 0, 0, 0x11, 0x22, 0x33, 0x33]),
        )
    });
    t.case("spi_transaction_delay_keeps_cs", || {
        spi_reset();
        let mut r = [0u8; 2];
        let start = uptime_ms();
        spi_dev()
            .transaction(&mut [Op::Write(&[1]), Op::DelayNs(20_000_000), Op::Read(&mut r)])
            .map_err(e)?;
        ensure!(uptime_ms() - start >= 20, "delay too short");
        // Positions continue across the two calls: CS stayed asserted.
        eq("read", r, [0x81, 0x82])?;
        eq("log", spi_log(), (2, 1, alloc::vec![1, 0, 0]))?;
        eq("hold", (held(0), held(1)), (true, false))
    });
    t.case("spi_transaction_trailing_delay_holds_until_release", || {
        spi_reset();
        spi_dev()
            .transaction(&mut [Op::Write(&[1u8, 2]), Op::DelayNs(1000)])
            .map_err(e)?;
        eq("hold", held(0), true)?;
        // The next transaction still works (the controller was released).
        spi_dev().write(&[3u8]).map_err(e)?;
        eq("calls", spi_log().0, 2)
    });
    t.case("spi_transaction_more_buffers_than_one_call", || {
        spi_reset();
        let mut bufs = [[0u8; 1]; 12];
        let mut ops: alloc::vec::Vec<Op<'_, u8>> = bufs
            .iter_mut()
            .map(|b| Op::Transfer(b, &[0x55, 0x66]))
            .collect();
        spi_dev().transaction(&mut ops).map_err(e)?;
        drop(ops);
        let (calls, frames, tx) = spi_log();
        eq("calls, frames", (calls, frames), (2, 1))?;
        eq("hold", (held(0), held(1)), (true, false))?;
        eq("tx bytes", tx.len(), 24)?;
        eq("last read", bufs[11][0], 0x80 + 22)
    });
    t.case("spi_bus", || {
        spi_reset();
        let mut bus = SpiBus::new(spi_spec!(hal_spidev_spi)).map_err(e)?;
        bus.write(&[1u8, 2]).map_err(e)?;
        let mut r = [0u8; 2];
        bus.read(&mut r).map_err(e)?;
        eq("read", r, [0x80, 0x81])?;
        let mut t1 = [0u8; 1];
        bus.transfer(&mut t1, &[7, 7]).map_err(e)?;
        eq("transfer", t1, [0x80])?;
        let mut ip = [4u8; 2];
        bus.transfer_in_place(&mut ip).map_err(e)?;
        eq("in place", ip, [0x80, 0x81])?;
        ehspi::SpiBus::<u8>::flush(&mut bus).map_err(e)?;
        eq(
            "log",
            spi_log(),
            (4, 4, alloc::vec![1, 2, 0, 0, 7, 7, 4, 4]),
        )
    });
    t.case("spi_async_device", || {
        use embedded_hal_async::spi::SpiDevice as AsyncSpiDevice;
        spi_reset();
        let mut dev = spi_dev();
        let mut r = [0u8; 2];
        block_on(AsyncSpiDevice::transaction(
            &mut dev,
            &mut [Op::Write(&[0x42]), Op::Read(&mut r)],
        ))
        .map_err(e)?;
        eq("read", r, [0x81, 0x82])?;
        eq("log", spi_log(), (1, 1, alloc::vec![0x42, 0, 0]))
    });
    t.case("spi_async_callback_controller", || {
        use embedded_hal_async::spi::SpiDevice as AsyncSpiDevice;
        spi_reset();
        let mut dev = SpiDevice::new(spi_spec!(hal_async_spidev_spi)).map_err(e)?;
        let mut r = [0u8; 2];
        let (res, polls) = counted(AsyncSpiDevice::transaction(
            &mut dev,
            &mut [Op::Write(&[0x42]), Op::Read(&mut r)],
        ));
        res.map_err(e)?;
        ensure!(polls > 1, "completed without waiting for the callback");
        eq("read", r, [0x81, 0x82])?;
        eq("log", spi_log(), (1, 1, alloc::vec![0x42, 0, 0]))?;
        spi_reset();
        let start = uptime_ms();
        let (res, _) = counted(AsyncSpiDevice::transaction(
            &mut dev,
            &mut [Op::Write(&[1]), Op::DelayNs(20_000_000), Op::Read(&mut r)],
        ));
        res.map_err(e)?;
        ensure!(uptime_ms() - start >= 20, "delay too short");
        eq("read after delay", r, [0x81, 0x82])?;
        eq("log", spi_log(), (2, 1, alloc::vec![1, 0, 0]))?;
        eq("hold", (held(0), held(1)), (true, false))
    });
    t.case("spi_driver_error", || {
        let mut dev = SpiDevice::new(spi_spec!(hal_absent_spi)).map_err(e)?;
        let err = dev.write(&[1u8]).unwrap_err();
        eq("errno", err.errno(), Code::EIO.errno())?;
        eq("kind", ehspi::Error::kind(&err), ehspi::ErrorKind::Other)?;
        // A failing first segment still releases the controller.
        let err = dev
            .transaction(&mut [Op::Write(&[1u8]), Op::DelayNs(1000), Op::Write(&[2])])
            .unwrap_err();
        eq("segmented", err.errno(), Code::EIO.errno())?;
        spi_reset();
        spi_dev().write(&[3u8]).map_err(e)?;
        eq("bus usable afterwards", spi_log().0, 1)
    });
    t.case("spi_error_kind_table", || {
        use zephyr_hal::spi::error_kind as k;
        eq(
            "EOVERFLOW",
            k(Code::EOVERFLOW.errno()),
            ehspi::ErrorKind::Overrun,
        )?;
        eq("EIO", k(Code::EIO.errno()), ehspi::ErrorKind::Other)?;
        eq("EINVAL", k(Code::EINVAL.errno()), ehspi::ErrorKind::Other)
    });
}

/// One callback transfer's descriptors and buffers, kept in place until its callback.
struct CbTransfer {
    bufs: spi::CallbackBufs,
    tx: [u8; 4],
    rx: [u8; 4],
}

/// What the last callback of [`on_spi_done`] saw.
static CB_CALLS: AtomicU32 = AtomicU32::new(0);
static CB_RESULT: core::sync::atomic::AtomicI32 = core::sync::atomic::AtomicI32::new(0);
static CB_IN_ISR: AtomicBool = AtomicBool::new(false);
static CB_DATA: AtomicUsize = AtomicUsize::new(0);

/// A driver callback: atomics only (ISR-safe).
unsafe extern "C" fn on_spi_done(
    _dev: *const zephyr_hal::raw::device,
    result: i32,
    data: *mut core::ffi::c_void,
) {
    CB_RESULT.store(result, Ordering::Relaxed);
    // SAFETY: plain kernel query, callable from any context.
    CB_IN_ISR.store(unsafe { zr::k_is_in_isr() }, Ordering::Relaxed);
    CB_DATA.store(data as usize, Ordering::Relaxed);
    CB_CALLS.fetch_add(1, Ordering::Release);
}

fn cb_calls() -> u32 {
    CB_CALLS.load(Ordering::Acquire)
}

/// Waits up to 500 ms for `n` callbacks in all.
fn wait_cb(n: u32) -> bool {
    for _ in 0..500 {
        if cb_calls() >= n {
            return true;
        }
        zephyr::time::sleep(zephyr::time::Duration::millis_at_least(1));
    }
    cb_calls() >= n
}

/// The `atomvm,spi-emul-async-controller` of app.overlay.
fn isr_bus() -> &'static zephyr_hal::raw::device {
    // SAFETY: DEVICE_DT_GET of a static device.
    unsafe { &*hal_test_spi_isr_bus() }
}

/// Its counters: sync calls, async calls, callbacks, callbacks in ISR, failed, releases.
fn isr_counters() -> [u32; 6] {
    let mut c = [0u32; 6];
    // SAFETY: fills six u32.
    unsafe { hal_test_spi_isr_counters(c.as_mut_ptr()) };
    c
}

fn isr_busy() -> i32 {
    // SAFETY: plain getter.
    unsafe { hal_test_spi_isr_busy() }
}

/// The register files of app.overlay: 0 = `hal_regs_spi` (slave 1), 1 = `hal_lis3dh` (slave 2),
/// 2 = `hal_isr_regs` (slave 0 on the async controller).
fn regs_emul(which: i32) -> SpiRegsEmul {
    // SAFETY: the C helper returns EMUL_DT_GET of a static emulator.
    let emul = unsafe { SpiRegsEmul::from_emul(hal_test_spi_regs_emul(which)) };
    emul.reset().expect("an atomvm,spi-regs-emul");
    emul
}

fn runtime(slave: u16, frequency: u32, mode: u8) -> Config {
    Config {
        slave,
        mode: spi::mode_from_number(mode).expect("mode 0..3"),
        ..Config::new(frequency)
    }
}

const SPI_CS_PIN: i32 = 4;
const NSS_PIN: i32 = 5;

fn spi_runtime_cases(t: &mut Tally) {
    use ehspi::Operation as Op;
    let e = |e: zephyr_hal::spi::Error| format!("{e:?}");
    let em = |e: atomvm_emul::Errno| format!("emulator {e:?}");
    let bus = || zephyr_hal::device!(hal_spi_bus);
    t.case("spi_runtime_device_hardware_cs", || {
        let regs = regs_emul(0);
        let mut dev = SpiDevice::with_config(bus(), &runtime(1, 2_000_000, 3)).map_err(e)?;
        dev.write(&[0x10u8, 0xa1, 0xa2]).map_err(e)?;
        let mut back = [0u8; 2];
        regs.read(0x10, &mut back).map_err(em)?;
        eq("registers written", back, [0xa1, 0xa2])?;
        regs.write(0x12, &[0x5c]).map_err(em)?;
        let mut r = [0u8; 3];
        dev.transaction(&mut [Op::Write(&[0x90]), Op::Read(&mut r)])
            .map_err(e)?;
        eq("read with auto-increment", r, [0xa1, 0xa2, 0x5c])?;
        let c = regs.counters().map_err(em)?;
        eq(
            "frames (write, read), bytes",
            (c.frames, c.write_frames, c.read_frames, c.bytes),
            (2, 1, 1, 7),
        )?;
        let last = regs.last_config().map_err(em)?;
        eq(
            "slave, mode, frequency, word, gpio cs",
            (
                last.slave,
                last.mode,
                last.frequency,
                last.word_size,
                last.cs_is_gpio(),
            ),
            (1, 3, 2_000_000, 8, false),
        )
    });
    t.case("spi_runtime_device_gpio_cs", || {
        let regs = regs_emul(0);
        let pin = gpio_spec!(hal_spi_cs_pin);
        let config = Config {
            cs: ChipSelect::gpio(pin, 3),
            ..runtime(1, 1_000_000, 0)
        };
        let mut dev = SpiDevice::with_config(bus(), &config).map_err(e)?;
        // SAFETY: plain getter.
        let is_output = unsafe { hal_test_gpio_is_output(SPI_CS_PIN) };
        eq("CS pin configured as an output", is_output, 1)?;
        eq("CS pin inactive (active low: high)", pin_out(SPI_CS_PIN), 1)?;
        dev.write(&[0x20u8, 0x33]).map_err(e)?;
        eq("register", regs.reg(0x20).map_err(em)?, 0x33)?;
        let last = regs.last_config().map_err(em)?;
        eq(
            "gpio cs: pin, delay, flags",
            (
                last.cs_is_gpio(),
                last.cs_gpio_pin,
                last.cs_delay,
                last.cs_gpio_flags,
            ),
            (true, SPI_CS_PIN as u8, 3, pin.dt_flags),
        )?;
        ensure!(
            last.cs_gpio_port == pin.port as *const core::ffi::c_void,
            "CS port is not the pin's controller"
        );
        Ok(())
    });
    t.case("spi_bus_cs_gpios_from_devicetree", || {
        use embedded_hal_async::spi::SpiDevice as AsyncSpiDevice;
        let regs = regs_emul(0);
        let plain = zephyr_hal::spi_bus!(hal_spi_ctrl);
        eq("no cs-gpios", plain.cs_count(), 0)?;
        ensure!(
            core::ptr::eq(plain.device(), bus()),
            "not the hal_spi device"
        );
        eq(
            "hardware line without cs-gpios",
            plain.chip_select(3, 0),
            Some(ChipSelect::Hardware {
                setup_ns: 0,
                hold_ns: 0,
            }),
        )?;
        let ctrl = zephyr_hal::spi_bus!(hal_spi_async_ctrl);
        eq("cs-gpios", ctrl.cs_count(), 2)?;
        let second = ctrl.cs_gpio(1).ok_or("no cs-gpios entry 1")?;
        eq("entry 1 pin", second.pin, 7)?;
        ensure!(ctrl.cs_gpio(2).is_none(), "an entry past the end");
        eq("chip select past the end", ctrl.chip_select(2, 0), None)?;
        let cs = ctrl.chip_select(1, 5).ok_or("no chip select 1")?;
        let mut dev = SpiDevice::with_config(
            ctrl.device(),
            &Config {
                cs,
                ..runtime(1, 1_000_000, 0)
            },
        )
        .map_err(e)?;
        // Active high: inactive is low.
        eq("CS 1 configured inactive", pin_out(7), 0)?;
        let (r, _) = counted(AsyncSpiDevice::write(&mut dev, &[0x70u8, 0x17]));
        r.map_err(e)?;
        eq("register", regs.reg(0x70).map_err(em)?, 0x17)?;
        let last = regs.last_config().map_err(em)?;
        eq(
            "cs seen: gpio, pin, flags",
            (last.cs_is_gpio(), last.cs_gpio_pin, last.cs_gpio_flags),
            (true, 7, second.dt_flags),
        )
    });
    t.case("spi_device_rebuilt_in_place_is_reconfigured", || {
        use embedded_hal_async::spi::SpiDevice as AsyncSpiDevice;
        let regs = regs_emul(0);
        // The callback controller caches its configuration by address, as Zephyr's drivers do.
        let ctrl = zephyr_hal::device!(hal_spi_async_bus);
        let mut dev = SpiDevice::with_config(ctrl, &runtime(1, 1_000_000, 1)).map_err(e)?;
        ehspi::SpiDevice::write(&mut dev, &[0x71u8, 1]).map_err(e)?;
        let l = regs.last_config().map_err(em)?;
        eq("first", (l.mode, l.frequency), (1, 1_000_000))?;
        // Same variable, same address: a driver comparing addresses would keep mode 1.
        dev = SpiDevice::with_config(ctrl, &runtime(1, 4_000_000, 2)).map_err(e)?;
        ehspi::SpiDevice::write(&mut dev, &[0x71u8, 2]).map_err(e)?;
        let l = regs.last_config().map_err(em)?;
        eq("rebuilt", (l.mode, l.frequency), (2, 4_000_000))?;
        let (r, _) = counted(AsyncSpiDevice::write(&mut dev, &[0x71u8, 3]));
        r.map_err(e)?;
        let l = regs.last_config().map_err(em)?;
        eq("async, same device", (l.mode, l.frequency), (2, 4_000_000))?;
        dev = SpiDevice::with_config(ctrl, &runtime(1, 2_000_000, 3)).map_err(e)?;
        let (r, _) = counted(AsyncSpiDevice::write(&mut dev, &[0x71u8, 4]));
        r.map_err(e)?;
        let l = regs.last_config().map_err(em)?;
        eq("async, rebuilt", (l.mode, l.frequency), (3, 2_000_000))?;
        eq("register", regs.reg(0x71).map_err(em)?, 4)
    });
    t.case("spi_runtime_config_rejected", || {
        let regs = regs_emul(0);
        let bad = |c: Config| SpiDevice::with_config(bus(), &c).err().map(|e| e.errno());
        let einval = Some(Code::EINVAL.errno());
        eq(
            "word size 0",
            bad(Config {
                word_size: 0,
                ..runtime(1, 1_000_000, 0)
            }),
            einval,
        )?;
        eq(
            "word size 33",
            bad(Config {
                word_size: 33,
                ..runtime(1, 1_000_000, 0)
            }),
            einval,
        )?;
        eq("frequency 0", bad(runtime(1, 0, 0)), einval)?;
        eq(
            "GPIO CS without a port",
            bad(Config {
                cs: ChipSelect::Gpio {
                    port: core::ptr::null(),
                    pin: 0,
                    dt_flags: 0,
                    delay_us: 0,
                },
                ..runtime(1, 1_000_000, 0)
            }),
            einval,
        )?;
        eq("mode 4", spi::mode_from_number(4), None)?;
        eq("no bus activity", regs.counters().map_err(em)?.transfers, 0)
    });
    t.case("spi_words_u16_u32_and_bit_order", || {
        let regs = regs_emul(0);
        let mut d16 = SpiDevice::with_config(
            bus(),
            &Config {
                word_size: 16,
                ..runtime(1, 1_000_000, 0)
            },
        )
        .map_err(e)?;
        // One 16-bit word, MSB first on the wire: address 0x28 (write), then 0x55.
        d16.write(&[0x2855u16]).map_err(e)?;
        eq("u16 write", regs.reg(0x28).map_err(em)?, 0x55)?;
        regs.write(0x29, &[0x11, 0x22, 0x33, 0x44]).map_err(em)?;
        let mut words = [0xa800u16, 0, 0];
        d16.transfer_in_place(&mut words).map_err(e)?;
        // Byte 1 is clocked during the address; then 0x28.. follow two per word.
        eq("u16 read", words, [0x0055, 0x1122, 0x3344])?;
        let wrong: Result<(), _> = ehspi::SpiDevice::<u8>::write(&mut d16, &[0x28, 0]);
        eq(
            "u8 words on a 16-bit device",
            wrong.map_err(|e| e.errno()),
            Err(Code::EINVAL.errno()),
        )?;
        let mut d32 = SpiDevice::with_config(
            bus(),
            &Config {
                word_size: 32,
                ..runtime(1, 1_000_000, 0)
            },
        )
        .map_err(e)?;
        d32.write(&[0x30aa_bbccu32]).map_err(e)?;
        let mut three = [0u8; 3];
        regs.read(0x30, &mut three).map_err(em)?;
        eq("u32 write", three, [0xaa, 0xbb, 0xcc])?;
        let mut lsb = SpiDevice::with_config(
            bus(),
            &Config {
                bit_order: BitOrder::LsbFirst,
                ..runtime(1, 1_000_000, 0)
            },
        )
        .map_err(e)?;
        // LSB first: the device (MSB first) sees each byte bit-reversed.
        lsb.write(&[0x12u8.reverse_bits(), 0x5a]).map_err(e)?;
        eq(
            "lsb-first write",
            regs.reg(0x12).map_err(em)?,
            0x5au8.reverse_bits(),
        )?;
        let last = regs.last_config().map_err(em)?;
        eq("lsb recorded", last.lsb_first(), true)
    });
    t.case("spi_two_devices_modes_and_frequencies_seen", || {
        let regs = regs_emul(0);
        let mut slow = SpiDevice::with_config(bus(), &runtime(1, 500_000, 1)).map_err(e)?;
        let mut fast = SpiDevice::with_config(bus(), &runtime(1, 8_000_000, 2)).map_err(e)?;
        slow.write(&[0x40u8, 1]).map_err(e)?;
        let l = regs.last_config().map_err(em)?;
        eq("slow", (l.mode, l.frequency), (1, 500_000))?;
        fast.write(&[0x41u8, 2]).map_err(e)?;
        let l = regs.last_config().map_err(em)?;
        eq("fast", (l.mode, l.frequency), (2, 8_000_000))?;
        slow.write(&[0x42u8, 3]).map_err(e)?;
        let l = regs.last_config().map_err(em)?;
        eq("slow again", (l.mode, l.frequency), (1, 500_000))?;
        let mut three = [0u8; 3];
        regs.read(0x40, &mut three).map_err(em)?;
        eq("registers", three, [1, 2, 3])
    });
    t.case("spi_async_bus", || {
        use embedded_hal_async::spi::SpiBus as AsyncSpiBus;
        let regs = regs_emul(0);
        // The callback controller forwards to the emulated one: slave 1 is the register file.
        let mut cb = SpiBus::with_config(
            zephyr_hal::device!(hal_spi_async_bus),
            &runtime(1, 1_000_000, 0),
        )
        .map_err(e)?;
        let (r, polls) = counted(AsyncSpiBus::write(&mut cb, &[0x50u8, 0x77, 0x78]));
        r.map_err(e)?;
        ensure!(
            polls > 1,
            "write completed without waiting for the callback"
        );
        eq("written", regs.reg(0x51).map_err(em)?, 0x78)?;
        let mut buf = [0xd0u8, 0, 0];
        let (r, polls) = counted(AsyncSpiBus::transfer_in_place(&mut cb, &mut buf));
        r.map_err(e)?;
        ensure!(
            polls > 1,
            "transfer completed without waiting for the callback"
        );
        eq("transfer_in_place", buf, [0x00, 0x77, 0x78])?;
        let mut rd = [0u8; 2];
        let (r, _) = counted(AsyncSpiBus::transfer(&mut cb, &mut rd, &[0xd1]));
        r.map_err(e)?;
        eq("uneven transfer", rd, [0x00, 0x78])?;
        let (r, _) = counted(AsyncSpiBus::<u8>::flush(&mut cb));
        r.map_err(e)?;
        // Without transceive_async (the emulated controller): blocking, in the first poll.
        let mut sync = SpiBus::with_config(
            bus(),
            &Config {
                word_size: 16,
                ..runtime(1, 1_000_000, 0)
            },
        )
        .map_err(e)?;
        let (r, polls) = counted(AsyncSpiBus::write(&mut sync, &[0x5299u16]));
        r.map_err(e)?;
        eq("fallback polls", polls, 1)?;
        eq("u16 written", regs.reg(0x52).map_err(em)?, 0x99)?;
        let mut rd16 = [0u16; 1];
        let (r, _) = counted(AsyncSpiBus::read(&mut sync, &mut rd16));
        r.map_err(e)?;
        eq(
            "read clocks out zero words",
            regs.counters().map_err(em)?.write_frames,
            3,
        )
    });
    t.case("spi_injected_fault", || {
        let regs = regs_emul(0);
        regs.write(0x60, &[0xee]).map_err(em)?;
        let mut dev = SpiDevice::with_config(bus(), &runtime(1, 1_000_000, 0)).map_err(e)?;
        regs.fail_next(1, Code::EIO.errno()).map_err(em)?;
        let err = dev
            .write(&[0x60u8, 0x01])
            .err()
            .ok_or("the write succeeded")?;
        eq("errno", err.errno(), Code::EIO.errno())?;
        eq("kind", ehspi::Error::kind(&err), ehspi::ErrorKind::Other)?;
        eq("register untouched", regs.reg(0x60).map_err(em)?, 0xee)?;
        regs.fail_next(1, Code::EOVERFLOW.errno()).map_err(em)?;
        let mut r = [0u8; 1];
        let err = dev
            .transaction(&mut [Op::Write(&[0xe0]), Op::DelayNs(1000), Op::Read(&mut r)])
            .err()
            .ok_or("the transaction succeeded")?;
        eq(
            "segmented: overrun",
            ehspi::Error::kind(&err),
            ehspi::ErrorKind::Overrun,
        )?;
        dev.write(&[0x60u8, 0x02]).map_err(e)?;
        eq("next transfer works", regs.reg(0x60).map_err(em)?, 0x02)?;
        // Through the callback controller: the error comes back from the driver's callback.
        {
            use embedded_hal_async::spi::SpiDevice as AsyncSpiDevice;
            let mut cb = SpiDevice::with_config(
                zephyr_hal::device!(hal_spi_async_bus),
                &runtime(1, 1_000_000, 0),
            )
            .map_err(e)?;
            regs.fail_next(1, Code::ETIMEDOUT.errno()).map_err(em)?;
            let (r, _) = counted(AsyncSpiDevice::write(&mut cb, &[0x60u8, 0x03]));
            eq(
                "async errno",
                r.map_err(|e| e.errno()),
                Err(Code::ETIMEDOUT.errno()),
            )?;
        }
        let c = regs.counters().map_err(em)?;
        eq(
            "failed, register",
            (c.failed, regs.reg(0x60).map_err(em)?),
            (3, 0x02),
        )
    });
    t.case("spi_controller_has_async", || {
        let isr = SpiDevice::with_config(isr_bus(), &runtime(0, 1_000_000, 0)).map_err(e)?;
        let plain = SpiDevice::with_config(bus(), &runtime(1, 1_000_000, 0)).map_err(e)?;
        eq(
            "async controller, emulated controller",
            (isr.has_async(), plain.has_async()),
            (true, false),
        )?;
        eq(
            "controller_has_async",
            (
                spi::controller_has_async(isr_bus()),
                spi::controller_has_async(bus()),
            ),
            (true, false),
        )
    });
    t.case("spi_callback_transfer_in_isr", || {
        let regs = regs_emul(2);
        regs.write(0x10, &[0xa1, 0xb2, 0xc3]).map_err(em)?;
        // Boxed: the driver reads the device's spi_config until it calls back.
        let mut dev = alloc::boxed::Box::new(
            SpiDevice::with_config(isr_bus(), &runtime(0, 1_000_000, 0)).map_err(e)?,
        );
        let c0 = isr_counters();
        // Boxed and leaked if the callback never comes: the driver may still use them.
        let mut x = alloc::boxed::Box::new(CbTransfer {
            bufs: spi::CallbackBufs::new(),
            tx: [0x90, 0, 0, 0],
            rx: [0; 4],
        });
        let before = cb_calls();
        let x_ref = &mut *x;
        // SAFETY: `x` and `dev` stay in place until the callback (waited for below, leaked
        // otherwise); the callback only stores atomics.
        unsafe {
            dev.transceive_cb(
                &mut x_ref.bufs,
                &x_ref.tx,
                Some(&mut x_ref.rx),
                on_spi_done,
                0x5a5a as *mut core::ffi::c_void,
            )
        }
        .map_err(e)?;
        let pending = (cb_calls() == before, isr_busy());
        if !wait_cb(before + 1) {
            alloc::boxed::Box::leak(dev);
            alloc::boxed::Box::leak(x);
            return Err("no callback within 500 ms".into());
        }
        eq("returned before the transfer was done", pending, (true, 1))?;
        eq(
            "result, in ISR, userdata",
            (
                CB_RESULT.load(Ordering::Relaxed),
                CB_IN_ISR.load(Ordering::Relaxed),
                CB_DATA.load(Ordering::Relaxed),
            ),
            (0, true, 0x5a5a),
        )?;
        eq("read", x.rx, [0x5a, 0xa1, 0xb2, 0xc3])?;
        let c1 = isr_counters();
        eq(
            "emulator: async calls, callbacks in ISR",
            (c1[1] - c0[1], c1[3] - c0[3]),
            (1, 1),
        )?;
        // A device error comes back through the callback, from the ISR too.
        regs.fail_next(1, Code::EIO.errno()).map_err(em)?;
        x.tx = [0x10, 1, 2, 3];
        let before = cb_calls();
        let x_ref = &mut *x;
        // SAFETY: as above.
        unsafe {
            dev.transceive_cb(
                &mut x_ref.bufs,
                &x_ref.tx,
                None,
                on_spi_done,
                core::ptr::null_mut(),
            )
        }
        .map_err(e)?;
        if !wait_cb(before + 1) {
            alloc::boxed::Box::leak(dev);
            alloc::boxed::Box::leak(x);
            return Err("no callback for the failing transfer".into());
        }
        eq(
            "failed: result, in ISR",
            (
                CB_RESULT.load(Ordering::Relaxed),
                CB_IN_ISR.load(Ordering::Relaxed),
            ),
            (Code::EIO.errno(), true),
        )?;
        eq("register untouched", regs.reg(0x10).map_err(em)?, 0xa1)
    });
    t.case("spi_async_traits_complete_from_isr", || {
        use embedded_hal_async::spi::SpiDevice as AsyncSpiDevice;
        let regs = regs_emul(2);
        regs.write(0x20, &[0x11, 0x22]).map_err(em)?;
        let mut dev = SpiDevice::with_config(isr_bus(), &runtime(0, 1_000_000, 0)).map_err(e)?;
        let c0 = isr_counters();
        let mut r = [0u8; 2];
        let (res, polls) = counted(AsyncSpiDevice::transaction(
            &mut dev,
            &mut [Op::Write(&[0xa0]), Op::Read(&mut r)],
        ));
        res.map_err(e)?;
        ensure!(polls > 1, "completed without waiting for the callback");
        eq("read", r, [0x11, 0x22])?;
        let (res, _) = counted(AsyncSpiDevice::write(&mut dev, &[0x21u8, 0x33]));
        res.map_err(e)?;
        eq("written", regs.reg(0x21).map_err(em)?, 0x33)?;
        let c1 = isr_counters();
        eq(
            "emulator: sync calls, async calls, callbacks in ISR",
            (c1[0] - c0[0], c1[1] - c0[1], c1[3] - c0[3]),
            (0, 2, 2),
        )
    });
    t.case("spi_callback_transfer_refused", || {
        let mut x = alloc::boxed::Box::new(CbTransfer {
            bufs: spi::CallbackBufs::new(),
            tx: [0x90, 0, 0, 0],
            rx: [0; 4],
        });
        let before = cb_calls();
        let mut plain = SpiDevice::with_config(bus(), &runtime(1, 1_000_000, 0)).map_err(e)?;
        let x_ref = &mut *x;
        // SAFETY: refused before reaching a driver (no transceive_async): no callback.
        let r = unsafe {
            plain.transceive_cb(
                &mut x_ref.bufs,
                &x_ref.tx,
                Some(&mut x_ref.rx),
                on_spi_done,
                core::ptr::null_mut(),
            )
        };
        eq(
            "no transceive_async",
            r.map_err(|e| e.errno()),
            Err(Code::ENOTSUP.errno()),
        )?;
        let mut words = SpiDevice::with_config(
            isr_bus(),
            &Config {
                word_size: 16,
                ..runtime(0, 1_000_000, 0)
            },
        )
        .map_err(e)?;
        let x_ref = &mut *x;
        // SAFETY: refused before reaching the driver (3 bytes are not 16-bit frames).
        let r = unsafe {
            words.transceive_cb(
                &mut x_ref.bufs,
                &x_ref.tx[..3],
                None,
                on_spi_done,
                core::ptr::null_mut(),
            )
        };
        eq(
            "odd bytes",
            r.map_err(|e| e.errno()),
            Err(Code::EINVAL.errno()),
        )?;
        eq("no callback", cb_calls(), before)
    });
    t.case("lis3dh_driver_unchanged", || {
        use lis3dh::accelerometer::RawAccelerometer;
        let regs = regs_emul(1);
        const WHO_AM_I: u16 = 0x0f;
        regs.write(WHO_AM_I, &[0x33]).map_err(em)?;
        regs.write(0x28, &[0x10, 0x20, 0x30, 0x40, 0x50, 0x60])
            .map_err(em)?;
        // The driver drives NSS itself: the bus is a hardware line (slave 2) no chip uses.
        let spi = SpiBus::with_config(bus(), &runtime(2, 4_000_000, 3)).map_err(e)?;
        let nss =
            Output::new(gpio_spec!(hal_nss_pin), PinState::High).map_err(|e| format!("{e:?}"))?;
        let mut accel = lis3dh::Lis3dh::new_spi(spi, nss).map_err(|e| format!("{e:?}"))?;
        eq("NSS released", pin_out(NSS_PIN), 1)?;
        // Default configuration: BDU + high resolution, 400 Hz, XYZ on, ADC on.
        let mut ctrl = [0u8; 1];
        regs.read(0x20, &mut ctrl).map_err(em)?;
        eq("CTRL_REG1", ctrl[0], 0x77)?;
        eq("CTRL_REG4", regs.reg(0x23).map_err(em)?, 0x88)?;
        eq("TEMP_CFG_REG", regs.reg(0x1f).map_err(em)?, 0x80)?;
        let v = accel.accel_raw().map_err(|e| format!("{e:?}"))?;
        eq("accel", (v.x, v.y, v.z), (0x2010, 0x4030, 0x6050))?;
        eq(
            "device id",
            accel.get_device_id().map_err(|e| format!("{e:?}"))?,
            0x33,
        )?;
        let c = regs.counters().map_err(em)?;
        ensure!(
            c.deselected == 0,
            "{} transfers while NSS was high",
            c.deselected
        );
        eq(
            "every NSS pulse a frame",
            c.frames,
            c.read_frames + c.write_frames,
        )?;
        // Transfers while NSS is high reach nobody: MISO floats high.
        let mut spi = SpiBus::with_config(bus(), &runtime(2, 4_000_000, 3)).map_err(e)?;
        let mut buf = [0x8fu8, 0];
        spi.transfer_in_place(&mut buf).map_err(e)?;
        eq("deselected read", buf, [0xff, 0xff])?;
        eq(
            "deselected counted",
            regs.counters().map_err(em)?.deselected,
            1,
        )
    });
}

const IN: i32 = 0;
const OUT: i32 = 1;
const INV: i32 = 2;

fn pin_out(pin: i32) -> i32 {
    // SAFETY: plain getter.
    unsafe { hal_test_gpio_out(pin) }
}

fn pin_in(pin: i32, value: i32) {
    // SAFETY: plain setter.
    unsafe { hal_test_gpio_in(pin, value) };
}

fn later(slot: i32, pin: i32, value: i32, ms: i32) {
    // SAFETY: plain setter.
    unsafe { hal_test_gpio_later(slot, pin, value, ms) };
}

fn uptime_ms() -> i64 {
    // SAFETY: plain getter.
    unsafe { zr::k_uptime_get() }
}

/// Runs `fut`; returns the milliseconds since `start` (taken before scheduling the pin changes,
/// so the bound holds however late the wait starts).
fn timed<F: Future<Output = Result<(), zephyr_hal::gpio::Error>>>(
    start: i64,
    fut: F,
) -> Result<i64, String> {
    block_on(fut).map_err(|e| format!("{e:?}"))?;
    Ok(uptime_ms() - start)
}

fn gpio_cases(t: &mut Tally) {
    let e = |e: zephyr_hal::gpio::Error| format!("{e:?}");
    t.case("gpio_output", || {
        let mut out = Output::new(gpio_spec!(hal_out_pin), PinState::Low).map_err(e)?;
        eq("initial", pin_out(OUT), 0)?;
        out.set_high().map_err(e)?;
        eq("set_high", pin_out(OUT), 1)?;
        eq("is_set_high", out.is_set_high().map_err(e)?, true)?;
        out.toggle().map_err(e)?;
        eq("toggle", pin_out(OUT), 0)?;
        eq("is_set_low", out.is_set_low().map_err(e)?, true)?;
        out.toggle().map_err(e)?;
        out.set_low().map_err(e)?;
        eq("set_low", pin_out(OUT), 0)?;
        Output::new(gpio_spec!(hal_out_pin), PinState::High).map_err(e)?;
        eq("initial high", pin_out(OUT), 1)
    });
    t.case("gpio_input", || {
        let mut pin = Input::new(gpio_spec!(hal_in_pin)).map_err(e)?;
        pin_in(IN, 1);
        eq(
            "high",
            (pin.is_high().map_err(e)?, pin.is_low().map_err(e)?),
            (true, false),
        )?;
        pin_in(IN, 0);
        eq(
            "low",
            (pin.is_high().map_err(e)?, pin.is_low().map_err(e)?),
            (false, true),
        )
    });
    t.case("gpio_input_active_low_is_logical", || {
        let mut pin = Input::new(gpio_spec!(hal_inv_pin)).map_err(e)?;
        pin_in(INV, 0);
        eq("line low", pin.is_high().map_err(e)?, true)?;
        pin_in(INV, 1);
        eq("line high", pin.is_low().map_err(e)?, true)
    });
    t.case("gpio_driver_error", || {
        let spec = gpio_spec!(hal_open_drain_pin);
        let err = Output::new(spec, PinState::Low).err();
        eq("output", err.map(|e| e.0), Some(Code::ENOTSUP.into()))?;
        let err = Input::new(spec).err();
        eq("input", err.map(|e| e.0), Some(Code::ENOTSUP.into()))?;
        eq(
            "kind",
            err.map(|e| embedded_hal::digital::Error::kind(&e)),
            Some(embedded_hal::digital::ErrorKind::Other),
        )
    });
    t.case("gpio_wait_for_high_and_low", || {
        let mut pin = Input::new(gpio_spec!(hal_in_pin)).map_err(e)?;
        pin_in(IN, 1);
        let (r, polls) = counted(pin.wait_for_high());
        r.map_err(e)?;
        eq("polls when already high", polls, 1)?;
        let start = uptime_ms();
        later(0, IN, 0, 20);
        ensure!(
            timed(start, pin.wait_for_low())? >= 20,
            "returned before the pin fell"
        );
        let start = uptime_ms();
        later(0, IN, 1, 20);
        ensure!(
            timed(start, pin.wait_for_high())? >= 20,
            "returned before the pin rose"
        );
        Ok(())
    });
    t.case("gpio_wait_for_rising_edge_ignores_falling", || {
        let mut pin = Input::new(gpio_spec!(hal_in_pin)).map_err(e)?;
        pin_in(IN, 1);
        let start = uptime_ms();
        later(0, IN, 0, 10);
        later(1, IN, 1, 30);
        ensure!(
            timed(start, pin.wait_for_rising_edge())? >= 30,
            "woke on the falling edge"
        );
        Ok(())
    });
    t.case("gpio_wait_for_falling_edge_ignores_rising", || {
        let mut pin = Input::new(gpio_spec!(hal_in_pin)).map_err(e)?;
        pin_in(IN, 0);
        let start = uptime_ms();
        later(0, IN, 1, 10);
        later(1, IN, 0, 30);
        ensure!(
            timed(start, pin.wait_for_falling_edge())? >= 30,
            "woke on the rising edge"
        );
        Ok(())
    });
    t.case("gpio_wait_for_any_edge", || {
        let mut pin = Input::new(gpio_spec!(hal_in_pin)).map_err(e)?;
        pin_in(IN, 0);
        let start = uptime_ms();
        later(0, IN, 1, 15);
        ensure!(
            timed(start, pin.wait_for_any_edge())? >= 15,
            "returned early"
        );
        let start = uptime_ms();
        later(0, IN, 0, 15);
        ensure!(
            timed(start, pin.wait_for_any_edge())? >= 15,
            "returned early"
        );
        Ok(())
    });
    t.case("gpio_wait_edges_are_logical", || {
        // Active low: the line falling is a rising (to-active) edge.
        let mut pin = Input::new(gpio_spec!(hal_inv_pin)).map_err(e)?;
        pin_in(INV, 1);
        let start = uptime_ms();
        later(0, INV, 0, 15);
        ensure!(
            timed(start, pin.wait_for_rising_edge())? >= 15,
            "returned early"
        );
        eq("level", pin.is_high().map_err(e)?, true)
    });
    t.case("gpio_wait_cancelled_then_dropped", || {
        let mut pin = Input::new(gpio_spec!(hal_in_pin)).map_err(e)?;
        pin_in(IN, 0);
        {
            let mut fut = pin!(pin.wait_for_rising_edge());
            let mut cx = Context::from_waker(Waker::noop());
            ensure!(fut.as_mut().poll(&mut cx).is_pending(), "no edge yet");
        }
        // The interrupt was disabled when the wait was dropped; edges now wake nobody.
        pin_in(IN, 1);
        pin_in(IN, 0);
        drop(pin);
        pin_in(IN, 1);
        Ok(())
    });
}

/// Edges the interrupt hook reported, whether all came in interrupt context, the last `arg`.
static EDGES: AtomicU32 = AtomicU32::new(0);
static ALL_IN_ISR: AtomicBool = AtomicBool::new(true);
static LAST_ARG: AtomicUsize = AtomicUsize::new(0);
static INT: Interrupt = Interrupt::new(on_edge);

fn on_edge(arg: usize) {
    EDGES.fetch_add(1, Ordering::Relaxed);
    LAST_ARG.store(arg, Ordering::Relaxed);
    // SAFETY: plain kernel query, callable from any context.
    if !unsafe { zr::k_is_in_isr() } {
        ALL_IN_ISR.store(false, Ordering::Relaxed);
    }
}

fn edges() -> u32 {
    EDGES.load(Ordering::Relaxed)
}

/// Waits up to 200 ms for the hook to have reported `n` edges.
fn wait_edges(n: u32) -> Res {
    for _ in 0..200 {
        if edges() >= n {
            break;
        }
        DelayNs::delay_ms(&mut Delay, 1);
    }
    eq("edges", edges(), n)
}

/// The pin is driven from k_timers (interrupt context): the hook's `fn` must run there, on
/// the enabled edges only, and never while disabled or detached.
fn interrupt_cases(t: &mut Tally) {
    let e = |e: zephyr_hal::gpio::Error| format!("{e:?}");
    t.case("gpio_interrupt_calls_fn_in_isr_on_enabled_edges", || {
        pin_in(IN, 0);
        INT.attach(gpio_spec!(hal_in_pin), 7).map_err(e)?;
        // Attached, not enabled: configuring the pin (gpio-emul runs the port's callbacks
        // then) and toggling it report nothing.
        drop(Input::new(gpio_spec!(hal_in_pin)).map_err(e)?);
        pin_in(IN, 1);
        pin_in(IN, 0);
        eq("edges before enable", edges(), 0)?;
        ensure!(!INT.is_enabled(), "enabled before enable()");
        INT.enable(Edge::ToActive).map_err(e)?;
        later(0, IN, 1, 5);
        wait_edges(1)?;
        later(1, IN, 0, 5);
        DelayNs::delay_ms(&mut Delay, 20);
        eq("a falling edge is not reported", edges(), 1)?;
        later(2, IN, 1, 5);
        wait_edges(2)?;
        eq("arg", LAST_ARG.load(Ordering::Relaxed), 7)?;
        ensure!(
            ALL_IN_ISR.load(Ordering::Relaxed),
            "handler ran outside an ISR"
        );
        INT.enable(Edge::Both).map_err(e)?;
        later(3, IN, 0, 5);
        wait_edges(3)?;
        INT.disable().map_err(e)?;
        drop(Input::new(gpio_spec!(hal_in_pin)).map_err(e)?);
        later(0, IN, 1, 5);
        later(1, IN, 0, 10);
        DelayNs::delay_ms(&mut Delay, 25);
        eq("edges while disabled", edges(), 3)
    });
    t.case("gpio_interrupt_attach_once_detach_reattach", || {
        let busy = INT
            .attach(gpio_spec!(hal_in_pin), 8)
            .map_err(|e| e.0.code());
        eq("second attach", busy, Err(Some(Code::EBUSY)))?;
        INT.detach().map_err(e)?;
        ensure!(INT.enable(Edge::Both).is_err(), "enable while detached");
        let before = edges();
        later(0, IN, 1, 5);
        DelayNs::delay_ms(&mut Delay, 20);
        eq("edges while detached", edges(), before)?;
        INT.attach(gpio_spec!(hal_inv_pin), 9).map_err(e)?;
        INT.enable(Edge::ToActive).map_err(e)?;
        // Active low: the line falling is the to-active edge.
        pin_in(INV, 1);
        later(1, INV, 0, 5);
        wait_edges(before + 1)?;
        eq("arg", LAST_ARG.load(Ordering::Relaxed), 9)?;
        INT.detach().map_err(e)?;
        INT.detach().map_err(e)
    });
}

fn cycles_to_us(cycles: u32) -> u64 {
    cycles as u64 * 1_000_000 / zephyr::kconfig::CONFIG_SYS_CLOCK_HW_CYCLES_PER_SEC as u64
}

fn cycles() -> u32 {
    // SAFETY: plain getter.
    unsafe { zr::k_cycle_get_32() }
}

fn delay_cases(t: &mut Tally) {
    t.case("delay_blocking_sleeps", || {
        let start = uptime_ms();
        DelayNs::delay_ms(&mut Delay, 25);
        ensure!(uptime_ms() - start >= 25, "delay_ms(25) too short");
        let start = uptime_ms();
        DelayNs::delay_us(&mut Delay, 20_000);
        ensure!(uptime_ms() - start >= 20, "delay_us(20000) too short");
        Ok(())
    });
    t.case("delay_blocking_sub_tick_busy_waits", || {
        let start = cycles();
        DelayNs::delay_us(&mut Delay, 300);
        ensure!(
            cycles_to_us(cycles().wrapping_sub(start)) >= 300,
            "delay_us(300) too short"
        );
        let start = cycles();
        DelayNs::delay_ns(&mut Delay, 150_000);
        ensure!(
            cycles_to_us(cycles().wrapping_sub(start)) >= 150,
            "delay_ns(150000) too short"
        );
        DelayNs::delay_ns(&mut Delay, 0);
        Ok(())
    });
    t.case("delay_async", || {
        let start = uptime_ms();
        block_on(AsyncDelayNs::delay_ms(&mut Delay, 30));
        ensure!(uptime_ms() - start >= 30, "async delay_ms(30) too short");
        let start = uptime_ms();
        block_on(AsyncDelayNs::delay_ns(&mut Delay, 20_000_000));
        ensure!(uptime_ms() - start >= 20, "async delay_ns(20 ms) too short");
        let start = cycles();
        block_on(AsyncDelayNs::delay_us(&mut Delay, 200));
        ensure!(
            cycles_to_us(cycles().wrapping_sub(start)) >= 200,
            "async sub-tick too short"
        );
        Ok(())
    });
    t.case("delay_async_dropped_stops_timer", || {
        {
            let mut delay = Delay;
            let mut fut = pin!(AsyncDelayNs::delay_ms(&mut delay, 10));
            let mut cx = Context::from_waker(Waker::noop());
            ensure!(
                matches!(fut.as_mut().poll(&mut cx), Poll::Pending),
                "ready too early"
            );
        }
        // Its stack slot is reused; the stopped timer must not fire into it.
        let mut scratch = [0u8; 256];
        core::hint::black_box(&mut scratch);
        DelayNs::delay_ms(&mut Delay, 30);
        ensure!(scratch.iter().all(|&b| b == 0), "stack overwritten");
        Ok(())
    });
}

#[no_mangle]
extern "C" fn rust_main() {
    let mut t = Tally {
        passed: 0,
        failed: 0,
    };
    i2c_cases(&mut t);
    spi_cases(&mut t);
    spi_runtime_cases(&mut t);
    gpio_cases(&mut t);
    interrupt_cases(&mut t);
    delay_cases(&mut t);
    printkln!("hal: {} passed, {} failed", t.passed, t.failed);
}
