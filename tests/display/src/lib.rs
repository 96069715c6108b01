// SPDX-License-Identifier: Apache-2.0

//! The display test's Rust side: runs the VM with the ports enabled in Kconfig (`display`) and
//! the test ports `framework_test` and `stream_test`.
//!
//! `framework_test` exercises what the display port does not: decoding of lists, binaries and
//! maps, and sends from another thread through the task-safe path:
//! - `noop` -> `ok` (the Rust half of the round-trip benchmark);
//! - `{sum, [integer()]}` -> `{ok, Sum}` (i32 elements, i64 sum);
//! - `{bin_size, binary()}` -> `{ok, Size}`;
//! - `{get, Key, Options}` -> `{ok, Value}` for an integer option of a proplist or map, or
//!   `{ok, undefined}`;
//! - `{send_from_thread, N}` -> `ok`, then a sender thread sends `{from_thread, I}` for
//!   I = 1..N to the caller;
//! - `port_stats` -> `{ok, Opened, Dropped}`;
//! - `{hold, Binary}` -> deferred (`Call::defer`): no reply until released; then
//!   `{ok, Copy}`, where Copy is built from the bytes read through `Deferred::request` at
//!   release time (so it shows whether the request outlived its mailbox slot intact);
//! - `held` -> `{ok, N}`: requests waiting;
//! - `{release, N}` -> answers the N oldest waiting requests in place (from this call), then
//!   `ok`;
//! - `{release_later, N}` -> `ok`, then the sender thread sends the port `{release, N}`, and
//!   the port answers the N oldest waiting requests from `Port::info`;
//! - `deferred_stats` -> `{ok, Taken, Released}` (all ports, since boot).
//!
//! `stream_test` exercises `atomvm_port::vm::stream` (the streaming part touch, audio and SPI
//! ports share), each port instance with its own queue and stream. Options: `{max_batch, K}`,
//! `fail_open` (the open fails after making its stream: what it took must be released).
//! - `subscribe` / `{subscribe, Pid}` -> `ok`, `unsubscribe` -> `ok | not_subscribed`;
//! - `subscribers` -> `{ok, N}` (after pruning the exited ones);
//! - `{produce, N}` -> `ok`, then the producer thread pushes the next N integers (counting
//!   from 1 per port) onto the port's queue, ringing the doorbell after each; the port
//!   delivers `{stream, Self, [I, ...]}` batches to its subscribers;
//! - `hold` -> `ok`: the port stops answering its doorbell: it drops each message
//!   unanswered, as if it was lost, and tells its subscribers `{bell_lost, Self}`;
//! - `{notify, Int}` -> `{ok, Sent}`: `{note, Self, Int}` to every subscriber;
//! - `watch_counts` -> `{ok, Created, Destroyed}` of the stream monitor resources.

#![no_std]

extern crate alloc;

use alloc::collections::VecDeque;
use alloc::sync::Arc;

use atomvm_port::encode::ok;
use atomvm_port::vm::stream::{Ringer, Stream, StreamType};
use atomvm_port::vm::{
    Call, Deferred, DeferredStats, Mailer, Open, Pid, Port, PortDriver, PortStats, Replied,
    VmRequest, VmTerm,
};
use atomvm_port::{atom, Binary, Error};
use zephyr::sync::channel::{self, Receiver, Sender};
use zephyr::sync::{Mutex, SpinMutex};

static FRAMEWORK_TEST: PortDriver = PortDriver::new::<FrameworkTest>(c"framework_test");
static STREAM_TEST: PortDriver = PortDriver::new::<StreamTest>(c"stream_test");

/// A stream port's queue, shared with the producer thread.
type Queue = Arc<SpinMutex<VecDeque<u32>>>;

/// Work for the sender thread.
enum Job {
    /// Send `{from_thread, I}` for I = 1..=N to the pid.
    Send(Pid, u32),
    /// Push N integers after the first onto the queue, ringing after each.
    Produce(Ringer, Queue, u32, u32),
    /// Send the port `{release, N}`.
    Release(Pid, u32),
}

/// The sender thread's requests.
static SENDER: Mutex<Option<Sender<Job>>> = Mutex::new(None);

#[zephyr::thread(stack_size = 2048)]
fn sender_thread(requests: Receiver<Job>) {
    while let Ok(job) = requests.recv() {
        match job {
            Job::Send(to, n) => {
                let Some(mailer) = Mailer::current() else {
                    continue;
                };
                for i in 1..=n {
                    if let Err(e) = mailer.send(to, &(atom("from_thread"), i)) {
                        log::error!("send from thread failed: {e}");
                    }
                }
            }
            Job::Release(port, n) => {
                let Some(mailer) = Mailer::current() else {
                    continue;
                };
                if let Err(e) = mailer.send(port, &(atom("release"), n)) {
                    log::error!("release from thread failed: {e}");
                }
            }
            Job::Produce(ringer, queue, first, n) => {
                for i in first..first + n {
                    let Ok(mut q) = queue.lock();
                    q.push_back(i);
                    drop(q);
                    if let Err(e) = ringer.ring() {
                        log::error!("ring failed: {e}");
                    }
                }
            }
        }
    }
}

fn submit(job: Job) -> Result<(), Error> {
    let Ok(sender) = SENDER.lock();
    sender
        .as_ref()
        .ok_or(Error::CLOSED)?
        .send(job)
        .map_err(|_| Error::CLOSED)
}

struct FrameworkTest {
    /// Deferred `{hold, Binary}` requests, oldest first.
    held: VecDeque<Deferred>,
}

impl FrameworkTest {
    /// Answers the `n` oldest held requests with a copy of their binary, read now.
    fn release(&mut self, cx: &Open, n: usize) {
        for _ in 0..n.min(self.held.len()) {
            let Some(d) = self.held.pop_front() else {
                break;
            };
            let bytes = d.request().and_then(|r| {
                let [bin] = r.args::<1>()?;
                bin.binary()
            });
            // Copied out before the reply frees the request.
            let r = match bytes {
                Ok(b) => {
                    let copy: alloc::vec::Vec<u8> = b.to_vec();
                    d.reply(cx, &ok(Binary(&copy)))
                }
                Err(e) => d.reply(cx, &atomvm_port::encode::error(e)),
            };
            if let Err(e) = r {
                log::error!("framework_test: release failed: {e}");
            }
        }
    }
}

impl Port for FrameworkTest {
    fn init(_cx: &mut Open) {
        let Ok(mut sender) = SENDER.lock();
        if sender.is_none() {
            let (tx, rx) = channel::unbounded();
            sender_thread(rx).start();
            *sender = Some(tx);
        }
    }

    fn open(_cx: &mut Open, opts: VmTerm<'_>) -> Result<Self, Error> {
        opts.options()?.only(&[])?;
        Ok(FrameworkTest {
            held: VecDeque::new(),
        })
    }

    fn info(&mut self, cx: &mut Open, msg: VmTerm<'_>) {
        let Ok([tag, n]) = msg.tuple_n::<2>() else {
            return;
        };
        if let (true, Ok(n)) = (tag.is_atom("release"), n.int::<usize>()) {
            self.release(cx, n);
        }
    }

    fn call(&mut self, call: &mut Call, req: VmRequest<'_>) -> Result<Replied, Error> {
        if req.is("noop") {
            call.reply(&())
        } else if req.is("sum") {
            let [list] = req.args::<1>()?;
            let mut sum = 0i64;
            for item in list.list()? {
                sum += i64::from(item?.int::<i32>()?);
            }
            call.reply(&ok(sum))
        } else if req.is("bin_size") {
            let [bin] = req.args::<1>()?;
            call.reply(&ok(bin.binary()?.len()))
        } else if req.is("get") {
            let [key, opts] = req.args::<2>()?;
            let key = core::str::from_utf8(key.atom()?).map_err(|_| Error::BADARG)?;
            let value = match opts.options()?.get(key) {
                Some(atomvm_port::term::OptValue::Value(v)) => Some(v.int::<i64>()?),
                Some(atomvm_port::term::OptValue::Flag) => Some(1),
                None => None,
            };
            call.reply(&ok(value))
        } else if req.is("send_from_thread") {
            let [n] = req.args::<1>()?;
            let n = n.int_in(0u32..=10_000)?;
            let to = call.caller().ok_or(Error::BADARG)?;
            submit(Job::Send(to, n))?;
            call.reply(&())
        } else if req.is("port_stats") {
            let s = PortStats::get();
            call.reply(&(atom("ok"), s.opened, s.dropped))
        } else if req.is("hold") {
            let [bin] = req.args::<1>()?;
            bin.binary()?;
            let (deferred, replied) = call.defer()?;
            self.held.push_back(deferred);
            Ok(replied)
        } else if req.is("held") {
            req.args::<0>()?;
            call.reply(&ok(self.held.len()))
        } else if req.is("release") {
            let [n] = req.args::<1>()?;
            let n = n.int::<usize>()?;
            self.release(&call.open_cx(), n);
            call.reply(&())
        } else if req.is("release_later") {
            let [n] = req.args::<1>()?;
            let n = n.int_in(0u32..=10_000)?;
            submit(Job::Release(call.port_pid(), n))?;
            call.reply(&())
        } else if req.is("deferred_stats") {
            req.args::<0>()?;
            let s = DeferredStats::get();
            call.reply(&(atom("ok"), s.taken, s.released))
        } else if req.is("make_ref") {
            // A reference minted here, answered and also sent as a message later matched.
            req.args::<0>()?;
            let cx = call.open_cx();
            let r = cx.make_ref();
            cx.send(call.caller().ok_or(Error::BADARG)?, &(atom("ref_again"), r))?;
            call.reply(&ok(r))
        } else if req.is("big_u64") {
            req.args::<0>()?;
            call.reply(&(atom("ok"), 1u64 << 63, u64::MAX, i64::MAX as u64))
        } else if req.is("echo_binary") {
            let [bin] = req.args::<1>()?;
            call.reply(&ok(Binary(bin.binary()?)))
        } else {
            Err(Error::UNKNOWN_COMMAND)
        }
    }
}

static STREAM: StreamType = StreamType::new(c"stream_test_subscribers");

struct StreamTest {
    stream: Stream,
    queue: Queue,
    /// The next integer to produce.
    next: u32,
    held: bool,
}

impl Port for StreamTest {
    fn init(cx: &mut Open) {
        if let Err(e) = STREAM.register(cx) {
            log::error!("stream_test: cannot register its stream type: {e}");
        }
    }

    fn open(cx: &mut Open, opts: VmTerm<'_>) -> Result<Self, Error> {
        let o = opts.options()?;
        o.only(&["max_batch", "fail_open"])?;
        let max_batch = o.value_or("max_batch", 16, |t| t.int_in(1usize..=64))?;
        let fail = o.flag("fail_open", false)?;
        let stream = STREAM.open(cx, max_batch)?;
        if fail {
            // Something after the stream refuses the open: the stream must be released.
            return Err(Error::with("refused", "fail_open"));
        }
        Ok(StreamTest {
            stream,
            queue: Arc::new(SpinMutex::new(VecDeque::new())),
            next: 1,
            held: false,
        })
    }

    fn info(&mut self, cx: &mut Open, msg: VmTerm<'_>) {
        let me = cx.port_pid().map(Pid::as_port);
        if self.held {
            // Lose the doorbell unanswered, and say so (so the test knows one was rung).
            let d = self.stream.notify(cx, &(atom("bell_lost"), me));
            if d.failed > 0 {
                log::error!("stream_test: cannot report a lost bell");
            }
            return;
        }
        if !self.stream.answer(msg) {
            return;
        }
        let queue = &self.queue;
        let mut buf = [0u32; 64];
        self.stream.deliver(
            cx,
            &mut buf,
            |out| {
                let Ok(mut q) = queue.lock();
                let n = out.len().min(q.len());
                for (slot, v) in out.iter_mut().zip(q.drain(..n)) {
                    *slot = v;
                }
                n
            },
            |batch, out| out.send(&(atom("stream"), me, batch)),
        );
    }

    fn call(&mut self, call: &mut Call, req: VmRequest<'_>) -> Result<Replied, Error> {
        if req.is("subscribe") {
            let who = match req.argc() {
                0 => call.caller().ok_or(Error::BADARG)?,
                _ => {
                    let [p] = req.args::<1>()?;
                    Pid::from_term(p)?
                }
            };
            self.stream.subscribe(who)?;
            call.reply(&())
        } else if req.is("unsubscribe") {
            req.args::<0>()?;
            let who = call.caller().ok_or(Error::BADARG)?;
            if self.stream.unsubscribe(who) {
                call.reply(&())
            } else {
                call.reply(&atom("not_subscribed"))
            }
        } else if req.is("subscribers") {
            req.args::<0>()?;
            self.stream.prune();
            call.reply(&ok(self.stream.len()))
        } else if req.is("produce") {
            let [n] = req.args::<1>()?;
            let n = n.int_in(0u32..=100_000)?;
            submit(Job::Produce(
                self.stream.ringer(),
                Arc::clone(&self.queue),
                self.next,
                n,
            ))?;
            self.next += n;
            call.reply(&())
        } else if req.is("hold") {
            req.args::<0>()?;
            self.held = true;
            call.reply(&())
        } else if req.is("notify") {
            let [t] = req.args::<1>()?;
            let n: i64 = t.int()?;
            let me = call.port_pid().as_port();
            let d = self.stream.notify(&call.open_cx(), &(atom("note"), me, n));
            call.reply(&ok(d.messages))
        } else if req.is("watch_counts") {
            req.args::<0>()?;
            let (created, destroyed) = STREAM.counts();
            call.reply(&(atom("ok"), created, destroyed))
        } else {
            Err(Error::UNKNOWN_COMMAND)
        }
    }
}

#[no_mangle]
extern "C" fn rust_main() {
    // SAFETY: called once, before any other thread logs.
    unsafe { zephyr::set_logger().ok() };
    let rc = atomvm_ports::run(&[&FRAMEWORK_TEST, &STREAM_TEST]);
    // The suite leaves a display port open on purpose: the VM's stop must drop it too.
    let s = PortStats::get();
    let d = DeferredStats::get();
    zephyr::printkln!(
        "VM finished: {rc}; port states opened {}, dropped {}; deferred replies taken {}, \
         released {}",
        s.opened,
        s.dropped,
        d.taken,
        d.released
    );
}
