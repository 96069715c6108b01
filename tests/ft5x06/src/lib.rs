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

use core::sync::atomic::{AtomicBool, AtomicU32, Ordering::Relaxed};
use embedded_hal_async::digital::Wait;
use ft5x06::{
    ChipId, Config, Error, Event, Frame, Ft5x06, Ft5x06Async, InvalidData, TouchPoint, Transform,
    Variant,
};

use isr_queue::{Notify, SpscQueue};
use touch_port::{drain_step, on_data_ready, DataReady, EventRing, Kind, Tracker, EMPTY_EVENT};
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
    fn ft_test_int_enable(on: bool) -> i32;
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

/// The touch port's interrupt path, as the port runs it, with this test's INT ISR.
static READY: SpscQueue<DataReady, 8> = SpscQueue::new();
static RING: EventRing<16> = EventRing::new();
static PIPELINE: AtomicBool = AtomicBool::new(false);
static WAKEUPS: AtomicU32 = AtomicU32::new(0);

/// The drain thread's wakeup; here a count (the test drains after each ISR it waited for).
struct CountWake;

impl Notify for CountWake {
    fn notify(&self) {
        WAKEUPS.fetch_add(1, Relaxed);
    }
}

/// The port's wakeup after a drain step queued events.
static PORT_WAKEUPS: AtomicU32 = AtomicU32::new(0);

struct PortWake;

impl Notify for PortWake {
    fn notify(&self) {
        PORT_WAKEUPS.fetch_add(1, Relaxed);
    }
}

/// Called by support.c's INT callback, in ISR context.
#[no_mangle]
extern "C" fn ft_test_on_int(timestamp_us: u64) {
    if PIPELINE.load(Relaxed) {
        on_data_ready(&READY, timestamp_us, &CountWake);
    }
}

/// One step of the touch port's drain thread: the pending INTs, one frame read, the events.
fn drain(
    ready: &mut isr_queue::Consumer<'static, DataReady, 8>,
    touch: &mut Ft5x06<I2c>,
    tracker: &mut Tracker,
    ring: &mut touch_port::RingWriter<'static, 16>,
) -> Result<touch_port::DrainCounts, String> {
    drain_step(ready, || touch.read_frame(), tracker, ring, &PortWake)
        .map_err(|e| format!("read: {:?}", e.error))
}

/// Raises INT from a timer ISR and waits (bounded) until that ISR ran.
fn raise_from_isr() -> Res {
    // SAFETY: plain C helpers.
    let before = unsafe { ft_test_raise_count() };
    // SAFETY: as above.
    unsafe { ft_test_raise_later(1) };
    for _ in 0..1000 {
        // SAFETY: plain C helper.
        if unsafe { ft_test_raise_count() } != before {
            return Ok(());
        }
        zephyr::time::sleep(zephyr::time::Duration::millis_at_least(1));
    }
    Err(String::from("the timer never raised INT"))
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
    t.case("pipeline_isr_queue_drain_ring", || {
        let mut touch = driver(Config::new(Variant::Ft5x06));
        touch.init().map_err(err)?;
        let mut ready = READY.claim_consumer().ok_or("queue consumer taken")?;
        let mut ring = RING.writer().ok_or("ring writer taken")?;
        let mut reader = RING.reader().ok_or("ring reader taken")?;
        let mut tracker = Tracker::new(Transform::new(0, 0));
        // SAFETY: plain C helper.
        unsafe { ft_test_reset_counts() };
        PIPELINE.store(true, Relaxed);
        // SAFETY: plain C helper.
        ensure!(unsafe { ft_test_int_enable(true) } == 0, "cannot arm INT");
        let mut run = || -> Res {
            // One INT per change, drained after each: a down and five moves.
            for i in 0..6u16 {
                set_points(&[pt(
                    200 + 10 * i,
                    100,
                    3,
                    if i == 0 { DOWN } else { CONTACT },
                    9,
                )]);
                raise_from_isr()?;
                let c = drain(&mut ready, &mut touch, &mut tracker, &mut ring)?;
                eq(
                    "(ready, reads, events, dropped)",
                    (c.ready, c.reads, c.events, c.dropped),
                    (1, 1, 1, 0),
                )?;
            }
            // Twelve INTs before the drain thread runs: 8 queued, 4 dropped, one read.
            for i in 0..12u16 {
                set_points(&[pt(300 + i, 100, 3, CONTACT, 9)]);
                raise_from_isr()?;
            }
            let q = READY.stats();
            // `pushed` counts every offer, as the ring does.
            eq("(queue pushed, dropped)", (q.pushed, q.dropped), (18, 4))?;
            let c = drain(&mut ready, &mut touch, &mut tracker, &mut ring)?;
            eq(
                "coalesced (ready, reads, events)",
                (c.ready, c.reads, c.events),
                (8, 1, 1),
            )?;
            // The lift.
            set_points(&[]);
            raise_from_isr()?;
            drain(&mut ready, &mut touch, &mut tracker, &mut ring)?;
            let mut out = [EMPTY_EVENT; 16];
            let n = reader.read_into(&mut out);
            let got: Vec<(Kind, u16, u16)> = out[..n].iter().map(|e| (e.kind, e.x, e.y)).collect();
            let mut want = alloc::vec![(Kind::Down, 200, 100)];
            want.extend((1..6).map(|i| (Kind::Move, 200 + 10 * i, 100)));
            want.push((Kind::Move, 311, 100));
            want.push((Kind::Up, 311, 100));
            eq("events", got, want)?;
            ensure!(
                out[..n]
                    .windows(2)
                    .all(|w| w[0].timestamp_us <= w[1].timestamp_us),
                "timestamps go back"
            );
            // Every edge woke the drain thread once, except the four the full queue dropped.
            eq("wakeups", WAKEUPS.load(Relaxed), 6 + 8 + 1)?;
            // One port wakeup per drain step that queued events.
            eq("port wakeups", PORT_WAKEUPS.load(Relaxed), 6 + 1 + 1)?;
            // SAFETY: plain C helpers.
            let reads = unsafe { ft5x06_emul_frame_reads(emul()) };
            eq("frame reads", reads, 6 + 1 + 1)
        };
        let r = run();
        PIPELINE.store(false, Relaxed);
        // SAFETY: plain C helper.
        unsafe { ft_test_int_enable(false) };
        r
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
