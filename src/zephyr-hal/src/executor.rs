// SPDX-License-Identifier: Apache-2.0

//! [`block_on`]: run one future to completion on the calling thread.

use core::cell::UnsafeCell;
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use zephyr::raw as zr;
use zephyr::sync::Arc;
use zephyr::task::Wake;

struct Signal(UnsafeCell<zr::k_sem>);

// SAFETY: a k_sem is a kernel object meant to be shared between threads and ISRs.
unsafe impl Send for Signal {}
// SAFETY: as above.
unsafe impl Sync for Signal {}

impl Wake for Signal {
    fn wake(this: Arc<Self>) {
        Self::wake_by_ref(&this);
    }

    fn wake_by_ref(this: &Arc<Self>) {
        // SAFETY: initialised in block_on; k_sem_give is ISR-safe.
        unsafe { zr::k_sem_give(this.0.get()) };
    }
}

/// Polls `fut` on the calling thread, sleeping on a semaphore between wake-ups (which may
/// come from interrupt handlers). The waker is reference counted, so wakers kept after the
/// future completes stay valid.
pub fn block_on<F: Future>(fut: F) -> F::Output {
    let signal = Arc::new(Signal(UnsafeCell::new(zr::k_sem::default())));
    // SAFETY: a fresh semaphore, counting 0..=1.
    let _ = unsafe { zr::k_sem_init(signal.0.get(), 0, 1) };
    let waker = Waker::from(signal.clone());
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
        // SAFETY: initialised above.
        let _ = unsafe { zr::k_sem_take(signal.0.get(), zephyr::sys::K_FOREVER) };
    }
}
