// SPDX-License-Identifier: Apache-2.0

//! The Rust `ft5x06` driver (src/ft5x06) over zephyr-hal-adapters, against an emulated FT5x06
//! on Zephyr's I2C emulator (src/ft5x06_emul.c). One line per case, `PASS <case>` or
//! `FAIL <case>: <why>`, then `ft5x06: <n> passed, <m> failed`.

#![no_std]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::c_void;
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use embedded_hal_async::digital::Wait;
use ft5x06::{
    ChipId, Config, Error, Event, Frame, Ft5x06, Ft5x06Async, InvalidData, TouchPoint, Transform,
    Variant,
};
use zephyr::printkln;
use zephyr_hal::gpio::Input;
use zephyr_hal::i2c::I2c;
use zephyr_hal::{block_on, gpio_spec, i2c_spec};

/// `struct ft5x06_emul_point` (src/ft5x06_emul.h).
#[repr(C)]
#[derive(Clone, Copy)]
struct EmulPoint {
    x: u16,
    y: u16,
    id: u8,
    event: u8,
    weight: u8,
}

extern "C" {
    fn ft_test_emul() -> *const c_void;
    fn ft_test_raise_later(ms: i32);
    fn ft_test_int_count() -> u32;
    fn ft_test_raise_count() -> u32;
    fn ft_test_reset_counts();
    fn ft5x06_emul_set_points(target: *const c_void, pts: *const EmulPoint, n: usize) -> i32;
    fn ft5x06_emul_reg(target: *const c_void, reg: u8) -> u8;
    fn ft5x06_emul_set_reg(target: *const c_void, reg: u8, value: u8);
    fn ft5x06_emul_frame_reads(target: *const c_void) -> u32;
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

// Event flags as the emulator takes them (P_XH bits 7:6).
const DOWN: u8 = 0;
const UP: u8 = 1;
const CONTACT: u8 = 2;

fn emul() -> *const c_void {
    // SAFETY: a plain getter of a static emulator.
    unsafe { ft_test_emul() }
}

fn set_points(pts: &[EmulPoint]) {
    // SAFETY: `pts` is valid for `len` points.
    unsafe { ft5x06_emul_set_points(emul(), pts.as_ptr(), pts.len()) };
}

/// Makes TD_STATUS claim `n` points (the slots keep what they hold).
fn set_count(n: u8) {
    // SAFETY: plain setter.
    unsafe { ft5x06_emul_set_reg(emul(), 0x02, n) };
}

fn reg(r: u8) -> u8 {
    // SAFETY: plain getter.
    unsafe { ft5x06_emul_reg(emul(), r) }
}

fn pt(x: u16, y: u16, id: u8, event: u8, weight: u8) -> EmulPoint {
    EmulPoint {
        x,
        y,
        id,
        event,
        weight,
    }
}

fn bus() -> I2c {
    I2c::new(i2c_spec!(ft_touch_i2c)).expect("I2C controller ready")
}

fn address() -> u8 {
    i2c_spec!(ft_touch_i2c).addr as u8
}

fn driver(config: Config) -> Ft5x06<I2c> {
    Ft5x06::new(bus(), address(), config)
}

fn err<E: core::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// What the driver should report for an emulated point (no transform; MISC is 0, so area 0).
fn expected(p: &EmulPoint) -> TouchPoint {
    TouchPoint {
        id: p.id,
        x: p.x,
        y: p.y,
        event: Event::from_bits(p.event),
        weight: p.weight,
        area: 0,
    }
}

fn check_frame(frame: &Frame, want: &[EmulPoint]) -> Res {
    let want: Vec<TouchPoint> = want.iter().map(expected).collect();
    eq("points", frame.points(), &want[..])
}

fn cases(t: &mut Tally) {
    t.case("init_reads_chip_id_and_sets_trigger_mode", || {
        // SAFETY: plain setter; polling mode before init.
        unsafe { ft5x06_emul_set_reg(emul(), 0xA4, 0) };
        let mut touch = driver(Config::new(Variant::Ft5x06));
        let info = touch.init().map_err(err)?;
        eq("chip", info.chip, ChipId::Ft5x06)?;
        eq("chip variant", info.chip.variant(), Some(Variant::Ft5x06))?;
        eq("lib version", info.lib_version, 0x3003)?;
        eq("firmware id", info.firmware_id, 0x12)?;
        eq("vendor id", info.vendor_id, 0x11)?;
        eq("ID_G_MODE after init", reg(0xA4), 1)
    });
    t.case("single_touch", || {
        let p = pt(0x123, 0x2AB, 3, CONTACT, 0x40);
        set_points(&[p]);
        let frame = driver(Config::new(Variant::Ft5x06))
            .read_frame()
            .map_err(err)?;
        eq("len", frame.len(), 1)?;
        let got = frame.points()[0];
        eq(
            "x/y/id/event/weight",
            (got.x, got.y, got.id, got.event, got.weight),
            (0x123, 0x2AB, 3, Event::Contact, 0x40),
        )
    });
    t.case("multi_touch_five_points", || {
        let pts = [
            pt(10, 20, 0, DOWN, 1),
            pt(300, 400, 1, CONTACT, 2),
            pt(0xFFF, 0xFFF, 2, CONTACT, 3),
            pt(0, 0, 3, DOWN, 4),
            pt(2048, 1024, 4, UP, 255),
        ];
        set_points(&pts);
        let frame = driver(Config::new(Variant::Ft5x06))
            .read_frame()
            .map_err(err)?;
        check_frame(&frame, &pts)
    });
    t.case("event_flags_down_contact_up", || {
        let mut touch = driver(Config::new(Variant::Ft5x06));
        for (flag, event) in [
            (DOWN, Event::Down),
            (CONTACT, Event::Contact),
            (UP, Event::Up),
        ] {
            set_points(&[pt(77, 88, 5, flag, 9)]);
            let frame = touch.read_frame().map_err(err)?;
            eq("len", frame.len(), 1)?;
            eq("event", frame.points()[0].event, event)?;
        }
        Ok(())
    });
    t.case("touch_count_above_max_is_invalid_data", || {
        let mut touch = driver(Config::new(Variant::Ft5x06));
        for count in [6u8, 0x0F] {
            set_points(&[pt(1, 2, 0, DOWN, 0)]);
            set_count(count);
            match touch.read_frame() {
                Err(Error::InvalidData(InvalidData::TouchCount { count: c, max: 5 }))
                    if c == count => {}
                other => return Err(format!("TD_STATUS {count}: {other:?}")),
            }
        }
        set_points(&[]);
        let frame = touch.read_frame().map_err(err)?;
        ensure!(frame.is_empty(), "no touch: {frame:?}");
        Ok(())
    });
    t.case("transform_swap_invert", || {
        set_points(&[pt(100, 50, 1, CONTACT, 7)]);
        let config = Config {
            transform: Transform {
                inverted_x: true,
                swapped_x_y: true,
                ..Transform::new(480, 272)
            },
            ..Config::new(Variant::Ft5x06)
        };
        let mut touch = driver(config);
        let p = touch.read_frame().map_err(err)?.points()[0];
        // Invert the controller's X (480 wide): 479 - 100 = 379; then swap.
        eq("inverted x, swapped", (p.x, p.y), (50, 379))?;
        touch.set_transform(Transform {
            inverted_y: true,
            ..Transform::new(480, 272)
        });
        let p = touch.read_frame().map_err(err)?.points()[0];
        eq("inverted y", (p.x, p.y), (100, 221))?;
        // Clamped to the screen before inverting.
        set_points(&[pt(900, 900, 1, CONTACT, 7)]);
        let p = touch.read_frame().map_err(err)?.points()[0];
        eq("clamped, inverted y", (p.x, p.y), (479, 0))
    });
    t.case("int_raised_from_isr_one_frame_per_raise", || {
        let mut touch = driver(Config::new(Variant::Ft5x06));
        touch.init().map_err(err)?;
        let mut int = Input::new(gpio_spec!(ft_int_pin)).map_err(err)?;
        // SAFETY: plain C helper.
        unsafe { ft_test_reset_counts() };
        for i in 0..10u16 {
            let p = pt(
                100 + 37 * i,
                4000 - 111 * i,
                (i % 10) as u8,
                CONTACT,
                i as u8,
            );
            set_points(&[p]);
            {
                // Arm the interrupt (first poll), then raise INT from a timer ISR.
                let mut wait = pin!(int.wait_for_rising_edge());
                let mut cx = Context::from_waker(Waker::noop());
                ensure!(
                    matches!(wait.as_mut().poll(&mut cx), Poll::Pending),
                    "raise {i}: INT already seen before it was raised"
                );
                // SAFETY: plain C helper.
                unsafe { ft_test_raise_later(5) };
                block_on(wait).map_err(err)?;
            }
            // Thread context, after the interrupt.
            let frame = touch.read_frame().map_err(err)?;
            check_frame(&frame, &[p]).map_err(|e| format!("raise {i}: {e}"))?;
            // SAFETY: plain C helpers.
            let (ints, raises) = unsafe { (ft_test_int_count(), ft_test_raise_count()) };
            eq("interrupts so far", ints, i as u32 + 1)?;
            eq("raises so far", raises, i as u32 + 1)?;
        }
        // SAFETY: plain C helpers.
        let (ints, raises, reads) = unsafe {
            (
                ft_test_int_count(),
                ft_test_raise_count(),
                ft5x06_emul_frame_reads(emul()),
            )
        };
        eq(
            "(interrupts, raises, frame reads)",
            (ints, raises, reads),
            (10, 10, 10),
        )
    });
    t.case("async_driver", || {
        // SAFETY: plain setter.
        unsafe { ft5x06_emul_set_reg(emul(), 0xA4, 0) };
        let mut touch = Ft5x06Async::new(bus(), address(), Config::new(Variant::Ft5x06));
        let mut int = Input::new(gpio_spec!(ft_int_pin)).map_err(err)?;
        block_on(async {
            let info = touch.init().await.map_err(err)?;
            eq("chip", info.chip, ChipId::Ft5x06)?;
            eq("ID_G_MODE after init", reg(0xA4), 1)?;
            let pts = [pt(1000, 2000, 6, DOWN, 50), pt(3000, 500, 7, CONTACT, 60)];
            set_points(&pts);
            // SAFETY: plain C helpers.
            unsafe {
                ft_test_reset_counts();
                ft_test_raise_later(5);
            }
            int.wait_for_rising_edge().await.map_err(err)?;
            let frame = touch.read_frame().await.map_err(err)?;
            check_frame(&frame, &pts)?;
            // SAFETY: plain C helpers.
            let (ints, reads) = unsafe { (ft_test_int_count(), ft5x06_emul_frame_reads(emul())) };
            eq("(interrupts, frame reads)", (ints, reads), (1, 1))
        })
    });
}

#[no_mangle]
extern "C" fn rust_main() {
    let mut t = Tally {
        passed: 0,
        failed: 0,
    };
    cases(&mut t);
    printkln!("ft5x06: {} passed, {} failed", t.passed, t.failed);
}
