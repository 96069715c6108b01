// SPDX-License-Identifier: Apache-2.0

//! Completion of a Zephyr callback transfer (`i2c_transfer_cb`, `spi_transceive_cb`), awaited
//! by a future.
//!
//! The driver calls [`complete`] from interrupt or thread context when the transfer is over. It
//! holds its own reference to the shared state (an `Arc` passed as `userdata`), so waking
//! never touches freed memory however the future and the callback race. If the future is
//! dropped before completion, [`Pending`]'s destructor sleeps until the driver is done with the
//! buffers the future lent it.

use core::ffi::{c_int, c_void};
use core::future::poll_fn;
use core::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use core::task::Poll;

use atomic_waker::AtomicWaker;
use zephyr::sync::Arc;

use crate::raw;

pub(crate) struct Completion {
    waker: AtomicWaker,
    result: AtomicI32,
    done: AtomicBool,
}

/// The C callback (`i2c_callback_t` / `spi_callback_t` shape).
pub(crate) unsafe extern "C" fn complete(
    _dev: *const raw::device,
    result: c_int,
    data: *mut c_void,
) {
    // SAFETY: `data` came from `Arc::into_raw` in `Pending::userdata`, and the driver calls
    // back once: this takes over that reference.
    let this = unsafe { Arc::from_raw(data as *const Completion) };
    this.result.store(result, Ordering::Relaxed);
    this.done.store(true, Ordering::Release);
    this.waker.wake();
}

/// A transfer handed to a driver, not yet known to be complete.
pub(crate) struct Pending {
    state: Arc<Completion>,
    submitted: bool,
}

impl Pending {
    pub(crate) fn new() -> Self {
        Self {
            state: Arc::new(Completion {
                waker: AtomicWaker::new(),
                result: AtomicI32::new(0),
                done: AtomicBool::new(false),
            }),
            submitted: false,
        }
    }

    /// The `userdata` for the driver call: a reference owned by the callback.
    pub(crate) fn userdata(&self) -> *mut c_void {
        Arc::into_raw(self.state.clone()) as *mut c_void
    }

    /// The driver refused the transfer (`ret < 0`) without calling back: it will not, so take
    /// the callback's reference back. Otherwise remember that a callback is due.
    pub(crate) fn submitted(&mut self, ret: c_int, userdata: *mut c_void) {
        // A driver that reported an error may still have called back (some complete
        // synchronously): then the callback already took its reference.
        if ret < 0 && !self.state.done.load(Ordering::Acquire) {
            // SAFETY: the reference made by `userdata()`, which the driver did not keep.
            drop(unsafe { Arc::from_raw(userdata as *const Completion) });
        } else {
            self.submitted = true;
        }
    }

    /// The driver's result once it has called back.
    pub(crate) async fn wait(&mut self) -> c_int {
        let state = &self.state;
        let result = poll_fn(|cx| {
            state.waker.register(cx.waker());
            if state.done.load(Ordering::Acquire) {
                Poll::Ready(state.result.load(Ordering::Relaxed))
            } else {
                Poll::Pending
            }
        })
        .await;
        self.submitted = false;
        result
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        // Cancelled mid-transfer: the driver still uses our buffers. Sleep (so that a
        // lower-priority thread or work queue doing the transfer can run) until it is done.
        while self.submitted && !self.state.done.load(Ordering::Acquire) {
            // SAFETY: plain kernel call.
            unsafe { zephyr::raw::k_msleep(1) };
        }
    }
}
