// SPDX-License-Identifier: Apache-2.0

//! Streams on the VM: a port's subscribers, watched by process monitors, and the doorbell
//! that lets a producing thread get the port to deliver on the VM thread, in order.
//!
//! One [`StreamType`] per port driver (a `static`, registered in [`Port::init`]); one
//! [`Stream`] per open port instance (in the port's state), made in [`Port::open`]; one
//! [`Ringer`] per producer (a clonable, `Send` handle the producing thread keeps). Nothing is
//! global: several ports, of one driver or of several, stream at once.
//!
//! ```text
//!  producer thread:  queue.push(item) ─► ringer.ring() ──"$atomvm_port_doorbell"──┐
//!  VM thread, Port::info:  stream.answer(msg) ─► stream.deliver(cx, buf, read, each) ◄┘
//!                          └─► Out::send: Open::send(subscriber, {Tag, [Item, ...]}) in order
//! ```
//!
//! Why: libAtomVM hands messages sent from other threads over newest first, so a thread that
//! sent each batch itself could reorder them. The ringer sends one doorbell at most (a
//! [`Latch`]); the port answers it on the VM thread, where [`Open::send`] appends to
//! mailboxes in order. Subscribers that exit are removed by their monitor: its callback only
//! pushes the pid onto the stream's lock-free [`DeadList`] (it may run inside the VM's
//! locks); the stream applies the list before every use of the subscribers.
//!
//! # Example
//!
//! A port that streams samples a thread produces, as `{samples, [S, ...]}`:
//!
//! ```ignore
//! use atomvm_port::stream::Subscribed;
//! use atomvm_port::vm::stream::{Ringer, Stream, StreamType};
//! use atomvm_port::vm::{Call, Open, Port, Replied, VmRequest, VmTerm};
//! use atomvm_port::{atom, Error};
//!
//! static STREAM: StreamType = StreamType::new(c"sampler_subscribers");
//!
//! struct Sampler { stream: Stream, queue: &'static Queue /* an SPSC queue */ }
//!
//! impl Port for Sampler {
//!     fn init(cx: &mut Open) {
//!         let _ = STREAM.register(cx);
//!     }
//!     fn open(cx: &mut Open, _opts: VmTerm<'_>) -> Result<Self, Error> {
//!         let stream = STREAM.open(cx, 16)?;
//!         start_producer(stream.ringer()); // pushes to the queue, then ringer.ring()
//!         Ok(Sampler { stream, queue: &QUEUE })
//!     }
//!     fn info(&mut self, cx: &mut Open, msg: VmTerm<'_>) {
//!         if self.stream.answer(msg) {
//!             let mut buf = [0u16; 16];
//!             let queue = self.queue;
//!             self.stream.deliver(cx, &mut buf, |b| queue.drain_into(b),
//!                                 |batch, out| out.send(&(atom("samples"), batch)));
//!         }
//!     }
//!     fn call(&mut self, call: &mut Call, req: VmRequest<'_>) -> Result<Replied, Error> {
//!         if req.is("subscribe") {
//!             let me = call.caller().ok_or(Error::BADARG)?;
//!             self.stream.subscribe(me)?;
//!             call.reply(&())
//!         } else {
//!             Err(Error::UNKNOWN_COMMAND)
//!         }
//!     }
//! }
//! ```
//!
//! Dropping the port's state drops the [`Stream`]: its monitors are removed, its monitor
//! resource released and its ringers go quiet (a ring after that sends nothing). A failed
//! [`Port::open`] drops a stream it made the same way.
//!
//! [`Port::init`]: super::Port::init
//! [`Port::open`]: super::Port::open

use alloc::sync::Arc;
use core::ffi::CStr;
use core::sync::atomic::{AtomicI32, AtomicUsize, Ordering};

use super::backend::VmTerm;
use super::port::Open;
use super::resource::{Resource, ResourceType};
use super::send::{Mailer, Pid};
use super::sys;
use crate::encode::{atom, Encode};
use crate::error::Error;
use crate::stream::{
    DeadList, Delivery, Fanout, Latch, LocalId, Subscribed, DEFAULT_MAX_SUBSCRIBERS,
};

impl LocalId for Pid {
    fn local_id(self) -> i32 {
        self.id()
    }
}

/// The message a [`Ringer`] sends.
const DOORBELL: &str = "$atomvm_port_doorbell";

/// What a stream's monitor resource holds: the pids whose monitor fired.
pub struct Watch<const N: usize> {
    dead: DeadList<N>,
}

fn on_down<const N: usize>(w: &Watch<N>, pid: Pid) {
    if !w.dead.push(pid.id()) {
        // Cannot happen while every subscribe prunes first (one monitor per subscriber).
        log::warn!("atomvm-port: no slot for dead subscriber {}", pid.id());
    }
}

/// The resource type of one port driver's streams (their subscriber monitors), for up to
/// `N` subscribers per stream. Declare it as a `static` and register it in
/// [`Port::init`](super::Port::init).
pub struct StreamType<const N: usize = DEFAULT_MAX_SUBSCRIBERS> {
    watch: ResourceType<Watch<N>>,
}

impl<const N: usize> StreamType<N> {
    /// An unregistered type; `name` names its monitor resources (unique per driver).
    pub const fn new(name: &'static CStr) -> Self {
        Self {
            watch: ResourceType::with_down(name, on_down::<N>),
        }
    }

    /// Registers the type with the running VM (once per VM start, from `Port::init`).
    pub fn register(&'static self, cx: &mut Open) -> Result<(), Error> {
        self.watch.register(cx)
    }

    /// A stream for the port being opened, with no subscribers and batches of at most
    /// `max_batch` items: it allocates the stream's monitor resource and a doorbell bound to
    /// the port. Call it from [`Port::open`](super::Port::open) (`badarg` elsewhere: the port
    /// is not known), after the checks that can refuse the open. `not_supported` when the
    /// type is not registered, `no_memory` when the resource cannot be allocated.
    pub fn open(&'static self, cx: &Open, max_batch: usize) -> Result<Stream<N>, Error> {
        let port = cx.port_pid().ok_or(Error::BADARG)?;
        let watch = self.watch.create(Watch {
            dead: DeadList::new(),
        })?;
        let mailer = Mailer::current().ok_or(Error::CLOSED)?;
        Ok(Stream {
            fanout: Fanout::new(max_batch),
            watch,
            bell: Arc::new(Bell {
                latch: Latch::new(),
                port: AtomicI32::new(port.id()),
                subscribers: AtomicUsize::new(0),
                mailer,
            }),
            glb: cx.global(),
        })
    }

    /// Monitor resources created and destroyed since boot (one per stream opened).
    pub fn counts(&self) -> (usize, usize) {
        self.watch.counts()
    }
}

/// Where [`Stream::deliver`] sends a batch: its subscribers.
pub struct Out<'a> {
    cx: &'a Open,
    to: &'a [Pid],
    sent: Delivery,
}

impl Out<'_> {
    /// Sends `msg` to every subscriber, in subscription order, with [`Open::send`].
    pub fn send<M: Encode + ?Sized>(&mut self, msg: &M) {
        for &p in self.to {
            match self.cx.send(p, msg) {
                Ok(()) => self.sent.messages += 1,
                Err(_) => self.sent.failed += 1,
            }
        }
    }
}

/// What a stream shares with its producers.
struct Bell {
    latch: Latch,
    /// The port to ring; 0 once the stream is dropped.
    port: AtomicI32,
    /// The stream's subscriber count, for [`Ringer::subscribed`].
    subscribers: AtomicUsize,
    mailer: Mailer,
}

/// The producer's handle on a [`Stream`]: rings its port's doorbell. Clone it into every
/// thread that feeds the stream; it is `Send` and `Sync`.
#[derive(Clone)]
pub struct Ringer {
    bell: Arc<Bell>,
}

impl Ringer {
    /// Tells the port that data waits: sends the doorbell unless one is in flight already or
    /// the stream is gone. `Ok(true)` when a message was sent; `no_memory` when it could not
    /// be (the next ring tries again). Never blocks on the VM; callable from any thread but
    /// not from an ISR (the send allocates): an ISR wakes a thread that rings.
    pub fn ring(&self) -> Result<bool, Error> {
        let port = self.bell.port.load(Ordering::Acquire);
        if port == 0 || !self.bell.latch.arm() {
            return Ok(false);
        }
        match self
            .bell
            .mailer
            .send(Pid::from_local_id(port), &atom(DOORBELL))
        {
            Ok(()) => Ok(true),
            Err(e) => {
                self.bell.latch.disarm();
                Err(e)
            }
        }
    }

    /// Whether anyone is subscribed (a snapshot): a producer may skip ringing when nobody
    /// listens and the data can wait for a pull.
    pub fn subscribed(&self) -> bool {
        self.bell.subscribers.load(Ordering::Relaxed) > 0
    }

    /// Whether the stream is still open.
    pub fn is_open(&self) -> bool {
        self.bell.port.load(Ordering::Acquire) != 0
    }
}

/// One port instance's stream: its subscribers (each monitored), its batching and its
/// doorbell. Lives in the port's state, on the VM thread.
pub struct Stream<const N: usize = DEFAULT_MAX_SUBSCRIBERS> {
    fanout: Fanout<Pid, sys::ErlNifMonitor, N>,
    watch: Resource<Watch<N>>,
    bell: Arc<Bell>,
    glb: *mut sys::GlobalContext,
}

fn env(glb: *mut sys::GlobalContext) -> sys::ErlNifEnv {
    // SAFETY: a partial env only carries the global context, which is all the monitor calls
    // use; on the VM thread.
    unsafe {
        let mut env: sys::ErlNifEnv = core::mem::zeroed();
        sys::erl_nif_env_partial_init_from_globalcontext(&mut env, glb);
        env
    }
}

impl<const N: usize> Stream<N> {
    /// A handle for the producing thread(s).
    pub fn ringer(&self) -> Ringer {
        Ringer {
            bell: Arc::clone(&self.bell),
        }
    }

    /// Subscribes `pid` (monitored: it is removed when it exits). Idempotent;
    /// `{too_many, subscribers}` when all `N` slots are taken, `badarg` when `pid` is not
    /// alive.
    pub fn subscribe(&mut self, pid: Pid) -> Result<Subscribed, Error> {
        self.prune();
        let (glb, res) = (self.glb, self.watch.as_ptr());
        let r = self.fanout.subscribers.subscribe(pid, || {
            let mut env = env(glb);
            let target: sys::ErlNifPid = pid.id();
            // SAFETY: zeroed is a valid "no monitor"; `res` is our live resource of a type
            // with a down callback; on the VM thread.
            let mut mon: sys::ErlNifMonitor = unsafe { core::mem::zeroed() };
            // SAFETY: as above; `mon` is ours to fill.
            match unsafe { sys::enif_monitor_process(&mut env, res, &target, &mut mon) } {
                0 => Ok(mon),
                // Not alive (or out of memory): do not keep it.
                _ => Err(Error::BADARG),
            }
        });
        self.publish();
        r
    }

    /// Unsubscribes `pid` (its monitor is removed); `false` if it was not subscribed.
    pub fn unsubscribe(&mut self, pid: Pid) -> bool {
        self.prune();
        let mon = self.fanout.subscribers.unsubscribe(pid);
        if let Some(mon) = &mon {
            self.demonitor(mon);
        }
        self.publish();
        mon.is_some()
    }

    /// Removes the subscribers that exited, returning how many. The other methods do it
    /// first; call it before reading [`subscribers`](Self::subscribers) for an exact count.
    pub fn prune(&mut self) -> usize {
        let n = self.fanout.prune(&self.watch.dead);
        if n > 0 {
            self.publish();
        }
        n
    }

    /// The subscribers, oldest first.
    pub fn subscribers(&self) -> impl Iterator<Item = Pid> + '_ {
        self.fanout.subscribers.iter()
    }

    /// The number of subscribers.
    pub fn len(&self) -> usize {
        self.fanout.subscribers.len()
    }

    /// Whether no one is subscribed.
    pub fn is_empty(&self) -> bool {
        self.fanout.subscribers.is_empty()
    }

    /// The largest batch.
    pub fn max_batch(&self) -> usize {
        self.fanout.batcher.max()
    }

    /// Whether `msg` is this stream's doorbell; if so, the next [`Ringer::ring`] sends again.
    /// Call it in [`Port::info`](super::Port::info) before taking the data.
    pub fn answer(&self, msg: VmTerm<'_>) -> bool {
        let rung = msg.is_atom(DOORBELL);
        if rung {
            self.bell.latch.disarm();
        }
        rung
    }

    /// Delivers everything the source holds: `read` fills the front of its slice and returns
    /// how many items (0: empty); each batch of at most `min(max_batch, buf.len())` items is
    /// handed to `message`, oldest first, which sends it with [`Out::send`] (to every
    /// subscriber, in subscription order, by [`Open::send`]). Without subscribers nothing is
    /// read (the data stays for a pull command). Failed sends (out of memory) are logged and
    /// counted.
    pub fn deliver<T>(
        &mut self,
        cx: &Open,
        buf: &mut [T],
        read: impl FnMut(&mut [T]) -> usize,
        mut message: impl FnMut(&[T], &mut Out<'_>),
    ) -> Delivery {
        self.prune();
        let d = self.fanout.deliver_batches(buf, read, |batch, to| {
            let mut out = Out {
                cx,
                to,
                sent: Delivery::default(),
            };
            message(batch, &mut out);
            out.sent
        });
        if d.failed > 0 {
            log::error!(
                "atomvm-port: {} stream messages not sent (no memory)",
                d.failed
            );
        }
        d
    }

    /// Sends `msg` to every subscriber with [`Open::send`] (a notification such as
    /// `{audio, Port, underrun}`).
    pub fn notify<M: Encode + ?Sized>(&mut self, cx: &Open, msg: &M) -> Delivery {
        self.prune();
        self.fanout.notify(|p| cx.send(p, msg))
    }

    fn demonitor(&self, mon: &sys::ErlNifMonitor) {
        let mut env = env(self.glb);
        // SAFETY: a monitor we made on our live resource; on the VM thread. A monitor that
        // fired already is simply not found.
        unsafe { sys::enif_demonitor_process(&mut env, self.watch.as_ptr(), mon) };
    }

    fn publish(&self) {
        self.bell
            .subscribers
            .store(self.fanout.subscribers.len(), Ordering::Relaxed);
    }
}

impl<const N: usize> Drop for Stream<N> {
    fn drop(&mut self) {
        // Producers go quiet first; a doorbell already on its way finds no stream and is
        // ignored (or dies with the port).
        self.bell.port.store(0, Ordering::Release);
        self.bell.subscribers.store(0, Ordering::Relaxed);
        while let Some((_, mon)) = self.fanout.subscribers.pop() {
            self.demonitor(&mon);
        }
        // `watch` (the monitor resource) is released when this returns.
    }
}
