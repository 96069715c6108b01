// SPDX-License-Identifier: Apache-2.0

//! Port drivers: a Rust type per port, created by `open_port({spawn, Name}, Opts)`, called by
//! gen_calls, and dropped exactly once: on the `close` command, when the port is killed (its
//! owner died, say), or when the VM stops. This is the plumbing of port-managed state.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ffi::{c_void, CStr};
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

use super::backend::{Vm, VmRequest, VmTerm};
use super::cell::VmCell;
use super::deferred::{Deferred, Taken};
use super::heap::{reserve, HeapSink};
use super::send::Pid;
use super::sys;
use crate::encode::{Encode, Reference, Word};
use crate::error::Error;
use crate::gen::{GenCall, Request};
use crate::term::Term;

/// A port's state and behaviour.
pub trait Port: Sized + 'static {
    /// Creates the port's state from the options of `atomvm_port:open/2` (or `open_port/2`).
    /// An error is the `Reason` of the `{error, Reason}` that `atomvm_port:open/2` returns
    /// (`open_port/2` raises `badarg` and the reason is logged). Whatever the state took is
    /// released by its `Drop` when a later step of the open fails.
    fn open(cx: &mut Open, opts: VmTerm<'_>) -> Result<Self, Error>;

    /// Handles one gen_call request (`port:call(Port, Request)`). Reply with
    /// [`Call::reply`], or keep the request to answer later with [`Call::defer`]; an `Err` is
    /// replied as `{error, Reason}`. The request `close` never gets here: the framework
    /// replies `ok` and drops the state.
    fn call(&mut self, call: &mut Call, request: VmRequest<'_>) -> Result<Replied, Error>;

    /// A message that is not a gen_call; ignored unless overridden.
    fn info(&mut self, _call: &mut Open, _msg: VmTerm<'_>) {}

    /// Once per VM start, before any port opens: register resource types here.
    fn init(_cx: &mut Open) {}
}

/// Context of [`Port::open`], [`Port::init`] and [`Port::info`].
pub struct Open {
    pub(crate) glb: *mut sys::GlobalContext,
    pub(crate) pid: Option<Pid>,
}

impl Open {
    /// The running VM's global context.
    pub fn global(&self) -> *mut sys::GlobalContext {
        self.glb
    }

    /// The port's own process id: known in [`Port::open`], [`Port::info`] and
    /// [`Call::open_cx`], not in [`Port::init`].
    pub fn port_pid(&self) -> Option<Pid> {
        self.pid
    }

    /// A new reference, unique in this VM as `make_ref()`'s: keep it and send it in a later
    /// reply or message that the caller matches with `receive`.
    pub fn make_ref(&self) -> Reference {
        // SAFETY: an Open only exists on the VM thread, during a callback of the running VM;
        // the counter is atomic.
        Reference(unsafe { sys::globalcontext_get_ref_ticks(self.glb) })
    }

    /// Sends `msg` to `to` from the VM thread: appended to the receiver's mailbox at once, so
    /// successive sends arrive in order (unlike [`Mailer::send`] from other threads).
    /// `no_memory` if the message's heap cannot be allocated.
    ///
    /// [`Mailer::send`]: super::Mailer::send
    pub fn send<T: Encode + ?Sized>(&self, to: Pid, msg: &T) -> Result<(), Error> {
        // SAFETY: an Open only exists on the VM thread, during a callback of the running VM.
        unsafe {
            super::send::with_message(self.glb, msg, |glb, term| {
                sys::globalcontext_send_message(glb, to.id(), term);
            })
        }
    }
}

/// Proof that a gen_call was answered; only [`Call::reply`] makes one.
#[derive(Debug)]
pub struct Replied(());

/// A gen_call being handled.
pub struct Call {
    ctx: *mut sys::Context,
    glb: *mut sys::GlobalContext,
    /// The message being handled (the mailbox's first).
    message: NonNull<sys::Message>,
    caller: sys::term,
    reference: sys::term,
    request: sys::term,
    /// Taken out of the mailbox by [`Call::defer`]: answered later, not here.
    deferred: bool,
}

impl Call {
    /// Sends `{Ref, value}` to the caller. Room is reserved on the port's heap first (without
    /// collecting: a new fragment if needed); `no_memory` if there is none. `badarg` (and
    /// nothing sent) once the call was deferred: the [`Deferred`] answers it.
    pub fn reply<T: Encode + ?Sized>(&mut self, value: &T) -> Result<Replied, Error> {
        if self.deferred {
            log::error!("atomvm-port: a deferred call answered in place; ignored");
            return Err(Error::BADARG);
        }
        let reply = (Word(self.reference), value);
        // SAFETY: ctx is the port being run on the VM thread; the reference and the caller
        // live in the message being handled, and `reserve` never collects, so nothing moves.
        unsafe {
            reserve(self.ctx, &reply, 0)?;
            let mut sink = HeapSink::new(&mut (*self.ctx).heap, self.glb);
            let term = reply.encode(&mut sink);
            if sys::term_is_local_pid(self.caller) {
                sys::globalcontext_send_message(
                    self.glb,
                    sys::term_to_local_process_id(self.caller),
                    term,
                );
            }
        }
        Ok(Replied(()))
    }

    /// Keeps the request to answer later: takes its message out of the port's mailbox (the
    /// request and its binaries stay valid) and returns it as a [`Deferred`], with the proof
    /// that the call is dealt with. Answer it with [`Deferred::reply`] from a later callback
    /// on the VM thread; dropped unanswered it replies `{error, closed}`. `badarg` when the
    /// call was deferred already.
    pub fn defer(&mut self) -> Result<(Deferred, Replied), Error> {
        if self.deferred {
            return Err(Error::BADARG);
        }
        // SAFETY: ctx is the running port on the VM thread, and `message` is the first of
        // its mailbox, where `handler` found it (mailbox_first set the receive pointer to
        // it; nothing moved it since). Taking it makes it ours to free.
        let taken = unsafe { sys::mailbox_take_message(&mut (*self.ctx).mailbox) };
        // SAFETY: `Message` starts with its `MailboxMessage`.
        let ours = unsafe { core::ptr::addr_of_mut!((*self.message.as_ptr()).base) };
        if taken != ours {
            // Cannot happen (see above); if it did, the message we hold is still in the
            // mailbox and `taken` must go back to being freed with the heap.
            log::error!("atomvm-port: defer found another message first");
            if !taken.is_null() {
                // SAFETY: a message we just took; disposing appends it to the port's heap,
                // as mailbox_remove_message would have.
                unsafe { sys::mailbox_message_dispose(taken, &mut (*self.ctx).heap) };
            }
            return Err(Error::NO_MEMORY);
        }
        self.deferred = true;
        // SAFETY: on the VM thread; the message was just taken; the terms are its parts.
        let taken = unsafe {
            Taken::new(
                self.glb,
                self.message,
                self.caller,
                self.reference,
                self.request,
            )
        };
        Ok((Deferred::new(taken), Replied(())))
    }

    /// The caller (to subscribe it to events, say).
    pub fn caller(&self) -> Option<Pid> {
        // SAFETY: reads the tag of a term from the message being handled.
        unsafe { sys::term_is_local_pid(self.caller) }
            .then(|| Pid::from_local_id(unsafe { sys::term_to_local_process_id(self.caller) }))
    }

    /// The port's own process id.
    pub fn port_pid(&self) -> Pid {
        // SAFETY: ctx is the running port.
        Pid::from_local_id(unsafe { (*self.ctx).process_id })
    }

    /// Context for creating resources and sending, as in [`Port::open`].
    pub fn open_cx(&self) -> Open {
        Open {
            glb: self.glb,
            pid: Some(self.port_pid()),
        }
    }

    fn reply_error(&mut self, e: Error) {
        if self.reply(&crate::encode::error(e)).is_err() {
            log::error!("atomvm-port: no memory to reply {{error, {e}}}");
        }
    }
}

/// A port driver: the `struct atomvm_port_driver` the platform looks names up in, plus
/// monomorphized entry points for port type `P`.
#[repr(transparent)]
pub struct PortDriver(sys::atomvm_port_driver);

// SAFETY: immutable after construction: a 'static name and function pointers.
unsafe impl Sync for PortDriver {}

impl PortDriver {
    /// The driver of port type `P`, opened as `open_port({spawn, "name"}, Opts)`.
    pub const fn new<P: Port>(name: &'static CStr) -> Self {
        Self(sys::atomvm_port_driver {
            name: name.as_ptr(),
            init: Some(driver_init::<P>),
            destroy: Some(driver_destroy::<P>),
            create_port: Some(create_port::<P>),
            open_error: Some(open_error),
        })
    }

    pub(crate) fn as_c(&'static self) -> *const sys::atomvm_port_driver {
        &self.0
    }

    /// The name given to `open_port/2`.
    pub fn name(&self) -> &'static CStr {
        // SAFETY: constructed from a &'static CStr.
        unsafe { CStr::from_ptr(self.0.name) }
    }
}

/// Counts over all Rust ports since boot: states created and dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortStats {
    /// Port states created by successful opens.
    pub opened: usize,
    /// Port states dropped (close, kill or VM stop).
    pub dropped: usize,
}

static OPENED: AtomicUsize = AtomicUsize::new(0);
static DROPPED: AtomicUsize = AtomicUsize::new(0);

impl PortStats {
    /// The current counts.
    pub fn get() -> Self {
        Self {
            opened: OPENED.load(Ordering::Relaxed),
            dropped: DROPPED.load(Ordering::Relaxed),
        }
    }
}

/// A live port: its process id, its state and how to drop it, and the watcher resource whose
/// monitor on the port tells us when the port dies without `close`.
struct Live {
    pid: i32,
    driver: usize,
    state: NonNull<c_void>,
    drop_state: unsafe fn(NonNull<c_void>),
    watcher: *mut c_void,
    monitor: sys::ErlNifMonitor,
}

static LIVE: VmCell<Vec<Live>> = VmCell::new(Vec::new());
/// Why the last open failed, for `open_error` (VM thread only: the `atomvm_port:open/2` NIF
/// asks right after `create_port`, with nothing in between).
static OPEN_ERROR: VmCell<Option<Error>> = VmCell::new(None);

fn failed(e: Error) -> *mut sys::Context {
    OPEN_ERROR.with(|slot| *slot = Some(e));
    ptr::null_mut()
}

/// The reason of the last failed open, built on `caller`'s heap (`badarg` when none was
/// recorded; the atom `no_memory` when the heap has no room for it).
unsafe extern "C" fn open_error(caller: *mut sys::Context) -> sys::term {
    let e = OPEN_ERROR.with(Option::take).unwrap_or(Error::BADARG);
    // SAFETY: called by the platform's NIF on the VM thread with the calling process, whose
    // heap may grow by a fragment (`reserve` never collects); the term is returned at once.
    unsafe {
        if reserve(caller, &e, 0).is_err() {
            let mut sink = HeapSink::new(&mut (*caller).heap, (*caller).global);
            return Error::NO_MEMORY.encode(&mut sink);
        }
        let mut sink = HeapSink::new(&mut (*caller).heap, (*caller).global);
        e.encode(&mut sink)
    }
}
/// The resource type of watchers (one per VM run).
static WATCHER: AtomicPtr<sys::ErlNifResourceType> = AtomicPtr::new(ptr::null_mut());

unsafe fn drop_boxed<P>(state: NonNull<c_void>) {
    // SAFETY: `state` came from Box::<P>::into_raw and is dropped once (its Live entry was
    // removed before this call).
    drop(unsafe { Box::from_raw(state.as_ptr().cast::<P>()) });
    DROPPED.fetch_add(1, Ordering::Relaxed);
}

/// Removes and drops the state of port `pid` (no-op when already gone). The entry leaves the
/// registry before user Drop code runs, so that code may use the framework.
fn retire(pid: i32, demonitor: bool, env: *mut sys::ErlNifEnv) {
    let Some(live) = LIVE.with(|l| {
        let i = l.iter().position(|e| e.pid == pid)?;
        Some(l.swap_remove(i))
    }) else {
        return;
    };
    // SAFETY: the entry owned the state and the watcher reference; both are released once.
    unsafe {
        if demonitor {
            sys::enif_demonitor_process(env, live.watcher, &live.monitor);
        }
        (live.drop_state)(live.state);
        sys::enif_release_resource(live.watcher);
    }
}

unsafe extern "C" fn watcher_down(
    env: *mut sys::ErlNifEnv,
    _obj: *mut c_void,
    pid: *mut sys::ErlNifPid,
    _mon: *mut sys::ErlNifMonitor,
) {
    // The port died without `close` (killed, or its linked owner exited).
    // SAFETY: AtomVM passes the monitored pid.
    if let Some(pid) = unsafe { pid.as_ref() } {
        retire(*pid, false, env);
    }
}

unsafe extern "C" fn driver_init<P: Port>(glb: *mut sys::GlobalContext) {
    if WATCHER.load(Ordering::Relaxed).is_null() {
        let init = sys::ErlNifResourceTypeInit {
            members: 3,
            dtor: None,
            stop: None,
            down: Some(watcher_down),
        };
        // SAFETY: called by the platform on the VM thread with the new global context.
        let t = unsafe {
            let mut env: sys::ErlNifEnv = core::mem::zeroed();
            sys::erl_nif_env_partial_init_from_globalcontext(&mut env, glb);
            sys::enif_init_resource_type(
                &mut env,
                c"atomvm_port_watcher".as_ptr(),
                &init,
                sys::ERL_NIF_RT_CREATE,
                ptr::null_mut(),
            )
        };
        WATCHER.store(t, Ordering::Relaxed);
    }
    P::init(&mut Open { glb, pid: None });
}

unsafe extern "C" fn driver_destroy<P: Port>(_glb: *mut sys::GlobalContext) {
    // The VM is stopping: drop this driver's ports that are still open. Their contexts are
    // not destroyed by libAtomVM, so their monitors never fire.
    let me = driver_id::<P>();
    while let Some(pid) = LIVE.with(|l| l.iter().find(|e| e.driver == me).map(|e| e.pid)) {
        retire(pid, false, ptr::null_mut());
    }
    WATCHER.store(ptr::null_mut(), Ordering::Relaxed);
}

fn driver_id<P: Port>() -> usize {
    create_port::<P> as *const () as usize
}

unsafe extern "C" fn create_port<P: Port>(
    glb: *mut sys::GlobalContext,
    opts: sys::term,
) -> *mut sys::Context {
    OPEN_ERROR.with(|slot| *slot = None);
    let watcher_type = WATCHER.load(Ordering::Relaxed);
    // SAFETY: on the VM thread with the running global context; every failure path below
    // releases what was made before it. The context exists before `P::open` so the port
    // knows its pid (to bind a stream's doorbell, say); nothing runs it before we return it.
    unsafe {
        let ctx = sys::context_new(glb);
        if ctx.is_null() {
            return failed(Error::NO_MEMORY);
        }
        let pid = (*ctx).process_id;
        let mut cx = Open {
            glb,
            pid: Some(Pid::from_local_id(pid)),
        };
        // `opts` is the open_port/2 argument, alive during this call.
        let opts = Term::new(Vm::new(glb), opts);
        let state = match P::open(&mut cx, opts) {
            Ok(s) => Box::new(s),
            Err(e) => {
                log::warn!("atomvm-port: open_port failed: {e}");
                // Not context_destroy: context_new put the context on the scheduler's
                // waiting list, which only scheduler_terminate leaves before destroying.
                sys::scheduler_terminate(ctx);
                return failed(e);
            }
        };
        let watcher = if watcher_type.is_null() {
            ptr::null_mut()
        } else {
            sys::enif_alloc_resource(watcher_type, 0)
        };
        let mut monitor: sys::ErlNifMonitor = core::mem::zeroed();
        if watcher.is_null()
            || sys::enif_monitor_process(
                sys::erl_nif_env_from_context(ctx),
                watcher,
                &pid,
                &mut monitor,
            ) != 0
        {
            if !watcher.is_null() {
                sys::enif_release_resource(watcher);
            }
            // Never counted as opened, so dropped without counting.
            drop(state);
            sys::scheduler_terminate(ctx);
            log::error!("atomvm-port: cannot watch the new port");
            return failed(Error::NO_MEMORY);
        }
        let state = NonNull::new_unchecked(Box::into_raw(state)).cast::<c_void>();
        LIVE.with(|l| {
            l.push(Live {
                pid,
                driver: driver_id::<P>(),
                state,
                drop_state: drop_boxed::<P>,
                watcher,
                monitor,
            })
        });
        OPENED.fetch_add(1, Ordering::Relaxed);
        (*ctx).native_handler = Some(handler::<P>);
        ctx
    }
}

unsafe extern "C" fn handler<P: Port>(ctx: *mut sys::Context) -> sys::NativeHandlerResult {
    // SAFETY: the scheduler runs us on the VM thread with a non-empty mailbox; the message
    // stays in the mailbox (valid) until removed at the end, unless the port deferred it
    // (took it out to answer later), in which case it is not ours to remove.
    unsafe {
        let Some(message) = NonNull::new(sys::mailbox_first(&mut (*ctx).mailbox)) else {
            return sys::NativeContinue;
        };
        let (result, deferred) = dispatch::<P>(ctx, message);
        if !deferred {
            sys::mailbox_remove_message(&mut (*ctx).mailbox, &mut (*ctx).heap);
        }
        result
    }
}

/// Handles one message; returns the handler's result and whether the port deferred the
/// message.
///
/// # Safety
/// `ctx` is the running port `P`, `message` its first message.
unsafe fn dispatch<P: Port>(
    ctx: *mut sys::Context,
    message: NonNull<sys::Message>,
) -> (sys::NativeHandlerResult, bool) {
    // SAFETY: the caller's contract.
    let (glb, pid, msg) = unsafe {
        (
            (*ctx).global,
            (*ctx).process_id,
            (*message.as_ptr()).message,
        )
    };
    let state = LIVE.with(|l| l.iter().find(|e| e.pid == pid).map(|e| e.state));
    // SAFETY: the message is valid while it is handled.
    let msg = Term::new(unsafe { Vm::new(glb) }, msg);
    let Some(call) = GenCall::parse(msg) else {
        if let Some(state) = state {
            // SAFETY: the registry owns a live P for this pid; nothing else borrows it now.
            let port = unsafe { &mut *state.as_ptr().cast::<P>() };
            port.info(
                &mut Open {
                    glb,
                    pid: Some(Pid::from_local_id(pid)),
                },
                msg,
            );
        }
        return (sys::NativeContinue, false);
    };
    let mut cx = Call {
        ctx,
        glb,
        message,
        caller: call.pid.raw(),
        reference: call.reference.raw(),
        request: call.request.raw(),
        deferred: false,
    };
    let Some(state) = state else {
        cx.reply_error(Error::CLOSED);
        return (sys::NativeTerminate, false);
    };
    let result = match Request::parse(call.request) {
        Ok(r) if r.is("close") && r.argc() == 0 => {
            // SAFETY: ctx is the running port; its env is the context.
            retire(pid, true, unsafe { sys::erl_nif_env_from_context(ctx) });
            if cx.reply(&()).is_err() {
                log::error!("atomvm-port: no memory to reply to close");
            }
            sys::NativeTerminate
        }
        Ok(r) => {
            // SAFETY: as above; the state stays registered while P::call runs (only this
            // port's own close or death removes it, neither of which can happen meanwhile).
            let port = unsafe { &mut *state.as_ptr().cast::<P>() };
            if let Err(e) = port.call(&mut cx, r) {
                if cx.deferred {
                    // The Deferred answers the caller; this error has nobody to go to.
                    log::error!("atomvm-port: error after defer: {e}");
                } else {
                    cx.reply_error(e);
                }
            }
            sys::NativeContinue
        }
        Err(e) => {
            cx.reply_error(e);
            sys::NativeContinue
        }
    };
    (result, cx.deferred)
}
