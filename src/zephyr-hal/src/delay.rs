// SPDX-License-Identifier: Apache-2.0

//! `embedded_hal::delay::DelayNs` and `embedded_hal_async::delay::DelayNs`.
//!
//! Delays shorter than one system tick (`CONFIG_SYS_CLOCK_TICKS_PER_SEC`) busy-wait with
//! `k_busy_wait` (rounded up to whole microseconds): sleeping could not end before the next
//! tick anyway. Longer ones sleep: `k_usleep` (blocking) or a `k_timer` (async), so other
//! threads/tasks run. Every delay lasts at least the requested time.

use core::cell::UnsafeCell;
use core::future::Future;
use core::marker::PhantomPinned;
use core::pin::Pin;
use core::sync::atomic::{AtomicBool, Ordering};
use core::task::{Context, Poll};

use atomic_waker::AtomicWaker;
use zephyr::raw as zr;

const TICKS_PER_SEC: u64 = zephyr::kconfig::CONFIG_SYS_CLOCK_TICKS_PER_SEC as u64;
const NS_PER_TICK: u64 = 1_000_000_000 / TICKS_PER_SEC;

fn busy_wait_ns(ns: u64) {
    let mut us = ns.div_ceil(1000);
    while us > 0 {
        let chunk = us.min(u32::MAX as u64);
        // SAFETY: plain kernel call.
        unsafe { zr::k_busy_wait(chunk as u32) };
        us -= chunk;
    }
}

fn sleep_ns(ns: u64) {
    let mut us = ns.div_ceil(1000);
    while us > 0 {
        let chunk = us.min(i32::MAX as u64);
        // SAFETY: plain kernel call. A k_wakeup() from another thread ends the sleep early;
        // the remainder is slept again.
        let left = unsafe { zr::k_usleep(chunk as i32) };
        us -= chunk;
        us += left.max(0) as u64;
    }
}

/// The delay provider: blocking and async. Zero-sized; any number may exist.
#[derive(Clone, Copy, Debug, Default)]
pub struct Delay;

impl Delay {
    fn block(ns: u64) {
        if ns == 0 {
        } else if ns < NS_PER_TICK {
            busy_wait_ns(ns);
        } else {
            sleep_ns(ns);
        }
    }
}

impl embedded_hal::delay::DelayNs for Delay {
    fn delay_ns(&mut self, ns: u32) {
        Self::block(ns as u64);
    }

    fn delay_us(&mut self, us: u32) {
        Self::block(us as u64 * 1000);
    }

    fn delay_ms(&mut self, ms: u32) {
        Self::block(ms as u64 * 1_000_000);
    }
}

impl embedded_hal_async::delay::DelayNs for Delay {
    async fn delay_ns(&mut self, ns: u32) {
        Sleep::new(ns as u64).await
    }

    async fn delay_us(&mut self, us: u32) {
        Sleep::new(us as u64 * 1000).await
    }

    async fn delay_ms(&mut self, ms: u32) {
        Sleep::new(ms as u64 * 1_000_000).await
    }
}

/// A `k_timer` that wakes the task when it expires; stopped if the future is dropped first.
/// (On SMP, `k_timer_stop` does not wait for an expiry function already running on another
/// CPU; the targets this crate is tested on are single-core.)
#[repr(C)]
pub(crate) struct Sleep {
    // First field: the expiry function gets a pointer to the whole (pinned) future.
    timer: UnsafeCell<zr::k_timer>,
    waker: AtomicWaker,
    fired: AtomicBool,
    ns: u64,
    started: bool,
    _pin: PhantomPinned,
}

unsafe extern "C" fn expired(timer: *mut zr::k_timer) {
    // SAFETY: the timer is the first field of a pinned Sleep that stops it before it is
    // dropped; only atomics are touched (interrupt context).
    let sleep = unsafe { &*(timer as *const Sleep) };
    sleep.fired.store(true, Ordering::Release);
    sleep.waker.wake();
}

impl Sleep {
    pub(crate) fn new(ns: u64) -> Self {
        Self {
            timer: UnsafeCell::new(zr::k_timer::default()),
            waker: AtomicWaker::new(),
            fired: AtomicBool::new(false),
            ns,
            started: false,
            _pin: PhantomPinned,
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: nothing is moved out; `started` is a plain field.
        let this = unsafe { self.get_unchecked_mut() };
        if !this.started {
            if this.ns < NS_PER_TICK {
                busy_wait_ns(this.ns);
                return Poll::Ready(());
            }
            this.waker.register(cx.waker());
            let ticks = (this.ns as u128 * TICKS_PER_SEC as u128).div_ceil(1_000_000_000);
            let ticks = ticks.min(i32::MAX as u128) as zr::k_ticks_t;
            // SAFETY: the future is pinned, so the timer stays at this address until Drop
            // stops it.
            unsafe {
                zr::k_timer_init(this.timer.get(), Some(expired), None);
                zr::k_timer_start(
                    this.timer.get(),
                    zr::k_timeout_t { ticks },
                    zephyr::sys::K_NO_WAIT,
                );
            }
            this.started = true;
        }
        this.waker.register(cx.waker());
        if this.fired.load(Ordering::Acquire) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if self.started && !self.fired.load(Ordering::Acquire) {
            // SAFETY: the timer was initialised; stopping an expired timer is harmless.
            unsafe { zr::k_timer_stop(self.timer.get()) };
        }
    }
}
