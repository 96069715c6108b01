// SPDX-License-Identifier: Apache-2.0

//! Sending messages to Erlang processes from any thread.

use core::mem::MaybeUninit;

use super::backend::VmTerm;
use super::heap::{HeapSink, Sizes};
use super::sys;
use crate::encode::Encode;
use crate::error::Error;
use crate::term::Kind;

/// A local process id (what AtomVM's `ErlNifPid` holds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pid(i32);

impl Pid {
    pub(crate) fn from_local_id(id: i32) -> Self {
        Self(id)
    }

    /// The pid a term names: a local pid, else `badarg`.
    pub fn from_term(t: VmTerm<'_>) -> Result<Self, Error> {
        // SAFETY: reads the tag of a live term before converting it.
        if t.kind() == Kind::Pid && unsafe { sys::term_is_local_pid(t.raw()) } {
            // SAFETY: a live local pid.
            Ok(Self(unsafe { sys::term_to_local_process_id(t.raw()) }))
        } else {
            Err(Error::BADARG)
        }
    }

    /// The local process id.
    pub fn id(self) -> i32 {
        self.0
    }

    /// The same id written as a port (`#Port<0.N>`): how Erlang sees a port's own pid, e.g.
    /// in `{audio, Port, underrun}`.
    pub fn as_port(self) -> PortTerm {
        PortTerm(self)
    }
}

/// A port's process id that encodes as a port term; see [`Pid::as_port`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortTerm(pub Pid);

impl Encode for PortTerm {
    fn words<S: crate::Sink + ?Sized>(&self, _: &S) -> usize {
        0
    }
    fn encode<S: crate::Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        // SAFETY: builds an immediate.
        s.word(unsafe { sys::term_port_from_local_process_id(self.0 .0 as u32) } as usize)
    }
}

impl Encode for Pid {
    fn words<S: crate::Sink + ?Sized>(&self, _: &S) -> usize {
        0
    }
    fn encode<S: crate::Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        // SAFETY: builds an immediate.
        s.word(unsafe { sys::term_from_local_process_id(self.0 as u32) } as usize)
    }
}

/// Sends messages by AtomVM's task-safe path (`globalcontext_send_message_from_task`): from a
/// drain thread, a work queue item or the VM thread itself. Each message is built in a heap
/// of its own, copied into the receiver's mailbox, and freed.
///
/// A mailer is only valid while the VM that made it runs: ports that start threads stop them
/// when their state is dropped, which happens before the VM ends.
///
/// Ordering: libAtomVM (at our pinned commit) keeps task messages on a stack and hands them to
/// mailboxes newest first, so messages sent faster than the VM thread picks them up can
/// arrive reversed. A stream that must stay in order goes through a stream's doorbell
/// ([`stream`](super::stream)): the thread rings the port (one message at most in flight, so
/// nothing to reverse) and the port, on the VM thread, takes the data from its own queue and
/// sends it with [`Open::send`], which appends to mailboxes in order.
///
/// [`Open::send`]: super::Open::send
#[derive(Clone, Copy, Debug)]
pub struct Mailer {
    glb: *mut sys::GlobalContext,
}

// SAFETY: the task path is designed for other threads (it takes the VM's locks); the global
// context outlives every mailer by the contract above.
unsafe impl Send for Mailer {}
// SAFETY: as above; a mailer is only a pointer to the global context.
unsafe impl Sync for Mailer {}

impl Mailer {
    /// The mailer of the running VM (`None` when it is not running).
    pub fn current() -> Option<Self> {
        // SAFETY: reads the platform's pointer to the running VM.
        let glb = unsafe { sys::atomvm_zephyr_global() };
        (!glb.is_null()).then_some(Self { glb })
    }

    /// Sends `msg` to `to`; `no_memory` if its heap cannot be allocated. A dead receiver
    /// silently drops the message, as in Erlang.
    pub fn send<T: Encode + ?Sized>(&self, to: Pid, msg: &T) -> Result<(), Error> {
        // SAFETY: the task path may be used from any thread; the term lives until it returns.
        unsafe {
            with_message(self.glb, msg, |glb, term| {
                sys::globalcontext_send_message_from_task(glb, to.0, sys::NormalMessage, term);
            })
        }
    }
}

/// Builds `msg` in a heap of its own, hands the term to `send` (which copies it into a
/// mailbox), then frees the heap.
///
/// # Safety
/// `glb` is the running VM; `send` must be a send that is allowed on the calling thread.
pub(crate) unsafe fn with_message<T: Encode + ?Sized>(
    glb: *mut sys::GlobalContext,
    msg: &T,
    send: impl FnOnce(*mut sys::GlobalContext, sys::term),
) -> Result<(), Error> {
    let words = msg.words(&Sizes);
    let mut heap = MaybeUninit::<sys::Heap>::uninit();
    // SAFETY: the heap is initialized by memory_init_heap before use and destroyed after the
    // send copied the message; HeapSink writes at most `words` words into it. The messages
    // hold no refc binaries, so freeing from either thread is the same.
    unsafe {
        if sys::memory_init_heap(heap.as_mut_ptr(), words) != sys::MEMORY_GC_OK {
            return Err(Error::NO_MEMORY);
        }
        let mut sink = HeapSink::new(heap.as_mut_ptr(), glb);
        let term = msg.encode(&mut sink);
        send(glb, term);
        sys::memory_destroy_heap_from_task(heap.as_mut_ptr(), glb);
    }
    Ok(())
}
