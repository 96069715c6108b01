// SPDX-License-Identifier: Apache-2.0

//! The binding to a running AtomVM on Zephyr (feature `vm`).
//!
//! - [`Vm`]: the [`Backend`](crate::Backend) over live terms, and [`HeapSink`], the
//!   [`Sink`](crate::Sink) that builds into a process heap reserved up front;
//! - [`Port`] and [`PortDriver`]: a port is a Rust type created by `open_port/2`, called by
//!   gen_calls, and dropped on `close`, when it is killed, or when the VM stops;
//! - [`Deferred`]: a gen_call the port answers later (`{error, closed}` if never);
//! - [`ResourceType`] and [`Resource`]: garbage-collected Rust values Erlang can hold;
//! - [`Mailer`]: sends messages to a pid from any thread (a drain thread, say) by AtomVM's
//!   task-safe path;
//! - [`stream`]: a port's subscribers (monitored), batching and the doorbell that lets a
//!   producing thread get the port to deliver on the VM thread, in order;
//! - [`run`] / [`run_with`]: registers the drivers, starts the VM and waits for it.
//!
//! Threading: ports, resources' destructors and monitors run on the VM thread (libAtomVM is
//! built without SMP); only [`Mailer`] is meant for other threads.

crate::bindings! {
    /// bindgen's view of libAtomVM and our platform headers (build.rs).
    pub mod sys = "atomvm_bindings.rs";
}

mod backend;
mod cell;
mod deferred;
mod heap;
mod port;
mod resource;
mod send;
pub mod stream;

pub use backend::{Vm, VmRequest, VmTerm};
pub use deferred::{Deferred, DeferredStats};
pub use heap::HeapSink;
pub use port::{Call, Open, Port, PortDriver, PortStats, Replied};
pub use resource::{Resource, ResourceType};
pub use send::{Mailer, Pid, PortTerm};

/// Registers `drivers`, starts the VM and waits for it to finish; returns libAtomVM's run
/// result (0 is success) or a negative errno when a driver could not be registered.
///
/// Call it from `rust_main` with `CONFIG_ATOMVM_AUTOSTART=n` (the default with
/// `CONFIG_ATOMVM_PORTS_RUST`), so no Erlang code runs before the drivers are known.
pub fn run(drivers: &[&'static PortDriver]) -> i32 {
    run_with(drivers, &[])
}

/// [`run`] with the drivers in two lists: `builtin`, the ports enabled in Kconfig (the
/// generated `atomvm-ports` crate passes its list), and `extra`, the application's own.
pub fn run_with(builtin: &[&'static PortDriver], extra: &[&'static PortDriver]) -> i32 {
    for d in builtin.iter().chain(extra) {
        // SAFETY: the driver is 'static and its C view outlives the VM; registration happens
        // before the VM thread starts.
        let rc = unsafe { sys::atomvm_port_driver_register(d.as_c()) };
        if rc != 0 {
            log::error!("atomvm-port: registering {:?} failed: {}", d.name(), rc);
            return rc;
        }
    }
    // SAFETY: plain calls into our platform; start is idempotent and join blocks on a
    // semaphore.
    unsafe {
        sys::atomvm_zephyr_start();
        // K_FOREVER is K_TICKS_FOREVER ticks, i.e. -1 (a cast macro bindgen cannot export).
        sys::atomvm_zephyr_join(sys::k_timeout_t { ticks: -1 })
    }
}
