// SPDX-License-Identifier: Apache-2.0

//! One port per device at a time: a device's flag (a static, or a field of its static
//! instance) and the claim an open port holds in its state. A second open gets `busy`; the
//! device is free again when the state that holds the claim drops (close, kill, VM stop, or
//! a later step of the same open failing).

use core::sync::atomic::{AtomicBool, Ordering};

use crate::Error;

/// Whether a device is held by a port.
#[derive(Debug, Default)]
pub struct Exclusive(AtomicBool);

impl Exclusive {
    /// A free device.
    pub const fn new() -> Self {
        Exclusive(AtomicBool::new(false))
    }

    /// Takes the device for an opening port; [`Error::BUSY`] while another port holds it.
    pub fn claim(&'static self) -> Result<Claim, Error> {
        self.0
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .map(|_| Claim(self))
            .map_err(|_| Error::BUSY)
    }

    /// Whether a port holds the device now.
    pub fn is_claimed(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// A device held by an open port, given back on drop. Keep it as the last field of the
/// port's state, so the device is released after everything that uses it.
#[derive(Debug)]
pub struct Claim(&'static Exclusive);

impl Drop for Claim {
    fn drop(&mut self) {
        self.0 .0.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_until_the_claim_drops() {
        static DEV: Exclusive = Exclusive::new();
        let first = DEV.claim().expect("free at first");
        assert!(DEV.is_claimed());
        assert_eq!(DEV.claim().err(), Some(Error::BUSY));
        drop(first);
        assert!(!DEV.is_claimed());
        let again = DEV.claim().expect("free after the drop");
        drop(again);
    }

    #[test]
    fn devices_are_independent() {
        static A: Exclusive = Exclusive::new();
        static B: Exclusive = Exclusive::new();
        let _a = A.claim().expect("A free");
        assert!(B.claim().is_ok());
    }
}
