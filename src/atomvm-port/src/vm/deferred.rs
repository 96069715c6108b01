// SPDX-License-Identifier: Apache-2.0

//! Deferred replies: a gen_call a port answers later, from another callback on the VM thread
//! (when a buffer frees up and its doorbell rings, say), while the VM keeps running.
//!
//! [`Call::defer`](super::Call::defer) takes the message out of the port's mailbox
//! (`mailbox_take_message`), so the scheduler neither frees it nor collects it with the
//! port's heap: the request, its heap binaries and its references to refc binaries stay valid
//! until the reply. [`Deferred::reply`] sends `{Ref, Value}` from a heap of its own (the
//! port's context may be gone by then); a `Deferred` dropped unanswered replies
//! `{error, closed}` (the rule of [`Owed`]). Then the message is freed
//! (`mailbox_message_dispose_unsent`, which also releases its refc binaries).

use core::ptr::NonNull;
use core::sync::atomic::{AtomicUsize, Ordering};

use super::backend::{Vm, VmRequest, VmTerm};
use super::port::Open;
use super::send::{with_message, Pid};
use super::sys;
use crate::encode::{Encode, Word};
use crate::error::Error;
use crate::gen::Request;
use crate::owed::{Answer, Owed};
use crate::term::Term;

static TAKEN: AtomicUsize = AtomicUsize::new(0);
static RELEASED: AtomicUsize = AtomicUsize::new(0);

/// Deferred requests over all ports since boot: taken out of a mailbox, and freed after their
/// reply. Equal counts once no request waits: none leaked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeferredStats {
    /// Requests deferred.
    pub taken: usize,
    /// Deferred requests answered (or answered `{error, closed}`) and freed.
    pub released: usize,
}

impl DeferredStats {
    /// The current counts.
    pub fn get() -> Self {
        Self {
            taken: TAKEN.load(Ordering::Relaxed),
            released: RELEASED.load(Ordering::Relaxed),
        }
    }
}

/// A gen_call taken out of the port's mailbox, owned until answered.
pub(crate) struct Taken {
    glb: *mut sys::GlobalContext,
    message: NonNull<sys::Message>,
    /// The caller's local process id (a remote caller cannot be answered).
    caller: Option<i32>,
    reference: sys::term,
    request: sys::term,
}

impl Taken {
    /// # Safety
    /// On the VM thread; `message` was just taken out of its mailbox (nobody else frees it)
    /// and holds the gen_call whose parts are `caller`, `reference` and `request`.
    pub(crate) unsafe fn new(
        glb: *mut sys::GlobalContext,
        message: NonNull<sys::Message>,
        caller: sys::term,
        reference: sys::term,
        request: sys::term,
    ) -> Self {
        TAKEN.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract: terms of the live message.
        let caller = unsafe {
            sys::term_is_local_pid(caller).then(|| sys::term_to_local_process_id(caller))
        };
        Self {
            glb,
            message,
            caller,
            reference,
            request,
        }
    }
}

impl Answer for Taken {
    fn send<T: Encode + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let Some(to) = self.caller else {
            return Ok(());
        };
        let reply = (Word(self.reference), value);
        // SAFETY: Taken lives on the VM thread (it is not Send) in a port's state; the
        // reference is a term of the message we own, valid until `release`.
        unsafe {
            with_message(self.glb, &reply, |glb, term| {
                sys::globalcontext_send_message(glb, to, term);
            })
        }
    }

    fn release(&mut self) {
        // SAFETY: we own the message since it left the mailbox; freed once (Owed calls
        // release once), on the VM thread, with its refc binaries.
        unsafe { sys::mailbox_message_dispose_unsent(self.message.as_ptr(), self.glb, false) };
        RELEASED.fetch_add(1, Ordering::Relaxed);
    }
}

/// A gen_call the port answers later; made by [`Call::defer`](super::Call::defer).
///
/// Keep it in the port's state (a FIFO of waiting requests, say) and answer it with
/// [`reply`](Self::reply) from any later callback ([`Port::info`](super::Port::info) on a
/// doorbell, or [`Port::call`](super::Port::call) of another request). Dropped unanswered,
/// it replies `{error, closed}`: dropping the port's state on close, kill or VM stop
/// answers every request still waiting, in the order they are dropped.
pub struct Deferred {
    owed: Owed<Taken>,
}

impl Deferred {
    pub(crate) fn new(taken: Taken) -> Self {
        Self {
            owed: Owed::new(taken),
        }
    }

    /// The request as the port first saw it (its binaries intact).
    pub fn request(&self) -> Result<VmRequest<'_>, Error> {
        Request::parse(self.request_term())
    }

    /// The request term.
    pub fn request_term(&self) -> VmTerm<'_> {
        let t = self.owed.get();
        // SAFETY: the message is ours until the Deferred goes, and `'_` borrows it.
        Term::new(unsafe { Vm::new(t.glb) }, t.request)
    }

    /// The caller (`None` for a caller that cannot be answered).
    pub fn caller(&self) -> Option<Pid> {
        self.owed.get().caller.map(Pid::from_local_id)
    }

    /// Sends `{Ref, value}` to the caller and frees the request. `cx` shows we are on the VM
    /// thread. On `no_memory` the caller gets `{error, no_memory}` instead (if that fits).
    pub fn reply<T: Encode + ?Sized>(self, cx: &Open, value: &T) -> Result<(), Error> {
        let _ = cx;
        self.owed.reply(value)
    }
}
