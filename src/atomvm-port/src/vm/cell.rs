// SPDX-License-Identifier: Apache-2.0

//! State owned by the VM thread.

use core::cell::UnsafeCell;

/// A value only the VM thread touches (libAtomVM runs without SMP: ports, resource
/// destructors, monitors and driver hooks all run there).
pub(crate) struct VmCell<T>(UnsafeCell<T>);

// SAFETY: every access goes through `with`, which callers only use on the VM thread, and
// `with` is never re-entered (callers move values out before running user code).
unsafe impl<T> Sync for VmCell<T> {}

impl<T> VmCell<T> {
    pub(crate) const fn new(v: T) -> Self {
        Self(UnsafeCell::new(v))
    }

    /// Runs `f` with exclusive access. Must not call back into code that uses the same cell.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        // SAFETY: single thread (see the Sync impl) and no re-entry, so this is the only
        // reference for the duration of `f`.
        f(unsafe { &mut *self.0.get() })
    }
}
