// SPDX-License-Identifier: Apache-2.0

//! The AtomVM port `display` (paradigm 1: an Erlang-visible, garbage-collected configuration
//! resource).
//!
//! `display:open(Opts)` (`atomvm_port:open("display", Opts)`) opens the display that
//! devicetree selects (the first `atomvm,display-port` node, else the `zephyr,display` chosen
//! node). Options, all optional: `{width, W}`, `{height, H}` (must match the panel),
//! `{depth, Bits}` (a depth the driver supports; switches its pixel format),
//! `{orientation, 0|90|180|270}`, `{backlight, 0..255}` (default 128). One port at a time: a
//! second open is refused with `{error, busy}` and leaves the display as the open port set
//! it. A failed open returns its reason: `{mismatch, width}`, `{unsupported, depth}`,
//! `no_device`, `busy`, ... Commands (gen_call, see `display.erl`):
//!
//! | request | reply |
//! |---|---|
//! | `get_config` | `{ok, [{width, W}, {height, H}, {depth, D}, {orientation, O}, {backlight, B}, {rotation, hardware \| software}]}` |
//! | `config_ref` | `{ok, Ref}`: the configuration resource itself |
//! | `{read_config, Ref}` | `{ok, Proplist}` of a configuration resource |
//! | `{set_backlight, 0..255}` | `ok` |
//! | `{set_orientation, 0\|90\|180\|270}` | `ok` |
//! | `stats` | `{ok, [{ports_opened, N}, {ports_dropped, N}, {configs_created, N}, {configs_destroyed, N}]}` |
//! | `close` | `ok` (the port ends) |
//!
//! Wrong types reply `{error, badarg}`, bad values `{error, out_of_range}`, anything else
//! `{error, unknown_command}`. Without a backlight (no LED node, and a display driver without
//! a brightness API) `set_backlight` replies `{error, not_supported}` and the `backlight`
//! option is refused.

#![no_std]

pub mod settings;

#[cfg(feature = "vm")]
mod port;
#[cfg(feature = "vm")]
pub use port::DRIVER;
