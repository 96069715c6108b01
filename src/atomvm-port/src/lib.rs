// SPDX-License-Identifier: Apache-2.0

//! AtomVM port drivers and resources in safe Rust.
//!
//! Layers, bottom up:
//! - [`term`]: reading terms ([`Term`], over any [`Backend`]): atoms, range-checked integers,
//!   binaries, tuples, lists, proplists, maps, options;
//! - [`encode`]: building terms from Rust values ([`Encode`]) with the heap size computed
//!   first, so a reply is built in memory reserved up front and no garbage collection can
//!   move a half-built term;
//! - [`gen`]: `{'$call', {Pid, Ref}, Request}` parsing and [`Error`] → `{error, Reason}`;
//! - [`kconfig`]: Kconfig values checked at compile time ([`kconfig_depth!`]);
//!   [`bindings!`]: a module of a build script's bindgen output;
//! - [`claim`]: one port per device at a time ([`Exclusive`], `busy` for the second);
//! - [`owed`]: a reply owed to a caller, answered exactly once (`{error, closed}` when
//!   dropped), the rule behind `vm::Deferred`;
//! - [`stream`]: subscribers, dead-subscriber list, batching and the doorbell latch of ports
//!   that stream data from another thread (`vm::stream` binds them to the VM);
//! - `vm` (feature `vm`): the binding to a running AtomVM on Zephyr: the port driver trait
//!   and its plumbing, typed resources, replies and sends from other threads.
//!
//! Everything but `vm` is plain `no_std` Rust and is tested on the host against a model of
//! the term store ([`model`], tests only); `vm` is tested by Erlang suites on the VM.
//!
//! Nothing here panics on input from Erlang: every decode step returns [`Error`], which the
//! port plumbing turns into an `{error, Reason}` reply.

#![no_std]
#![cfg_attr(not(test), warn(missing_docs))]

extern crate alloc;
#[cfg(test)]
extern crate std;

mod bindings;
pub mod claim;
pub mod encode;
pub mod error;
pub mod gen;
pub mod kconfig;

#[cfg(test)]
pub mod model;
pub mod owed;
pub mod stream;
#[cfg(test)]
mod stream_tests;
pub mod term;
#[cfg(test)]
mod tests;
#[cfg(feature = "vm")]
pub mod vm;

pub use claim::{Claim, Exclusive};
pub use encode::{atom, Atom, Binary, Counter, Encode, Reference, Sink};
pub use error::Error;
pub use gen::{GenCall, Request};
pub use term::{Backend, Kind, Term};
