// SPDX-License-Identifier: Apache-2.0

//! The display test's Rust side: registers the `display` port and the test port
//! `framework_test`, then runs the VM.
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
//! - `port_stats` -> `{ok, Opened, Dropped}`.

#![no_std]

extern crate alloc;

use atomvm_port::encode::ok;
use atomvm_port::vm::{Call, Mailer, Open, Pid, Port, PortDriver, PortStats, Replied, VmRequest, VmTerm};
use atomvm_port::{Binary, Error};
use zephyr::sync::channel::{self, Receiver, Sender};
use zephyr::sync::Mutex;

static FRAMEWORK_TEST: PortDriver = PortDriver::new::<FrameworkTest>(c"framework_test");

/// Requests for the sender thread: (receiver, how many messages).
static SENDER: Mutex<Option<Sender<(Pid, u32)>>> = Mutex::new(None);

#[zephyr::thread(stack_size = 2048)]
fn sender_thread(requests: Receiver<(Pid, u32)>) {
    while let Ok((to, n)) = requests.recv() {
        let Some(mailer) = Mailer::current() else {
            continue;
        };
        for i in 1..=n {
            if let Err(e) = mailer.send(to, &(atomvm_port::atom("from_thread"), i)) {
                log::error!("send from thread failed: {e}");
            }
        }
    }
}

struct FrameworkTest;

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
        Ok(FrameworkTest)
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
            let Ok(sender) = SENDER.lock();
            sender
                .as_ref()
                .ok_or(Error::CLOSED)?
                .send((to, n))
                .map_err(|_| Error::CLOSED)?;
            call.reply(&())
        } else if req.is("port_stats") {
            let s = PortStats::get();
            call.reply(&(atomvm_port::atom("ok"), s.opened, s.dropped))
        } else if req.is("echo_binary") {
            let [bin] = req.args::<1>()?;
            call.reply(&ok(Binary(bin.binary()?)))
        } else {
            Err(Error::UNKNOWN_COMMAND)
        }
    }
}

#[no_mangle]
extern "C" fn rust_main() {
    // SAFETY: called once, before any other thread logs.
    unsafe { zephyr::set_logger().ok() };
    let rc = atomvm_port::vm::run(&[&display_port::DRIVER, &FRAMEWORK_TEST]);
    // The suite leaves a display port open on purpose: the VM's stop must drop it too.
    let s = PortStats::get();
    zephyr::printkln!("VM finished: {rc}; port states opened {}, dropped {}", s.opened, s.dropped);
}
